//! `presswork import`, end to end: the seed text imported with its photo builds the same
//! book as the hand-made `book/` (chapters, figure, caption and credit, every sentence in
//! both outputs), and three articles make an anthology with a nested contents.

use std::path::{Path, PathBuf};
use std::process::Command;

use presswork::ir::{plain_text, Block, Book};
use presswork::load::{load_book, LoadOptions};
use presswork::{Diagnostics, Renderer};

#[path = "support/books.rs"]
mod books;
use books::{paragraphs, scratch_dir};

#[path = "support/pdf_structure.rs"]
mod pdf_structure;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn presswork(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_presswork"))
        .args(args)
        .output()
        .expect("run presswork")
}

fn load(dir: &Path) -> Book {
    load_book(dir, &LoadOptions::default(), &mut Diagnostics::default()).expect("loads")
}

fn figure_words(book: &Book) -> (String, String) {
    book.chapters
        .iter()
        .flat_map(|c| &c.blocks)
        .find_map(|b| match b {
            Block::Figure(f) => Some((plain_text(&f.caption), plain_text(&f.credit))),
            _ => None,
        })
        .expect("a figure")
}

/// Letters and digits only: what a sentence is made of, whatever the line breaks and
/// hyphens of a PDF's text.
fn letters(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).collect()
}

#[test]
fn the_seed_text_imports_as_the_hand_made_book() {
    let dir = scratch_dir("import", "seed");
    let out = dir.join("book");
    let seed = repo().join("../shared/seed/article.txt");
    let seed = if seed.is_file() {
        seed
    } else {
        repo().join("tests/data/article.txt")
    };
    let photo = repo().join("images/putin-modi.jpg");
    let output = presswork(&[
        "import",
        seed.to_str().expect("utf-8"),
        "--image",
        photo.to_str().expect("utf-8"),
        "-o",
        out.to_str().expect("utf-8"),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let imported = load(&out);
    let hand_made = load(&repo().join("book"));

    let titles =
        |book: &Book| -> Vec<String> { book.chapters.iter().map(|c| c.title_text()).collect() };
    assert_eq!(titles(&imported), titles(&hand_made));
    assert_eq!(imported.chapters.len(), 4);
    assert_eq!(
        paragraphs(&imported),
        paragraphs(&hand_made),
        "every paragraph verbatim"
    );
    assert_eq!(
        figure_words(&imported),
        figure_words(&hand_made),
        "caption and credit, apart"
    );
    assert_eq!(imported.meta.source.as_deref(), Some("PTI"));
    assert_eq!(imported.meta.subjects, ["World News"]);
    assert!(
        imported.meta.authors.is_empty() && imported.meta.date.is_none(),
        "nothing invented"
    );

    // Every sentence of the body in both outputs.
    let body: Vec<String> = paragraphs(&hand_made)
        .iter()
        .flat_map(|p| {
            p.split_inclusive(['.', '?', '!'])
                .map(str::trim)
                .filter(|s| s.chars().filter(|c| c.is_alphabetic()).count() > 3)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(body.len() >= 40, "{} sentences", body.len());
    let mut diagnostics = Diagnostics::default();
    let epub = presswork::epub::EpubRenderer::default()
        .render(&imported, &mut diagnostics)
        .expect("EPUB");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(epub)).expect("zip");
    let mut epub_text = String::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).expect("entry");
        if entry.name().contains("/ch") {
            std::io::Read::read_to_string(&mut entry, &mut epub_text).expect("text");
        }
    }
    let pdf = presswork::pdf::PdfRenderer::default()
        .render(&imported, &mut diagnostics)
        .expect("PDF");
    // The PDF's text as its structure holds it: running heads and folios are artifacts.
    let pdf = lopdf::Document::load_mem(&pdf).expect("parses");
    let pdf_text: String = pdf_structure::marked_text(&pdf).into_values().collect();
    // The EPUB's text without its markup (page-break markers sit inside sentences).
    let epub_text: String = epub_text
        .split('<')
        .filter_map(|part| part.split_once('>').map(|(_, text)| text))
        .collect();
    let (epub_letters, pdf_letters) = (letters(&epub_text), letters(&pdf_text));
    let missing: Vec<&String> = body
        .iter()
        .filter(|s| !epub_letters.contains(&letters(s)) || !pdf_letters.contains(&letters(s)))
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {} sentences missing: {missing:?}",
        missing.len(),
        body.len()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn three_articles_make_an_anthology_with_a_nested_contents() {
    let dir = scratch_dir("import", "anthology");
    let mut inputs = Vec::new();
    for (n, (title, heading)) in [
        ("Rains arrive early", "What farmers say"),
        ("Markets rally", "The week ahead"),
        ("A new bridge opens", "Traffic"),
    ]
    .iter()
    .enumerate()
    {
        let path = dir.join(format!("story{n}.txt"));
        std::fs::write(
            &path,
            format!(
                "{title}\n\nFile photo\n\nBy Asha Rao\n\nThe first paragraph of the story, told in full sentences.\n\n\
                 {heading}\n\nAnother paragraph follows the heading, with *stars* and <b>tags</b> kept as text.\n\n\
                 ALSO READ | Something else\n"
            ),
        )
        .expect("write");
        inputs.push(path);
    }
    let out = dir.join("week");
    let mut args = vec!["import".to_string()];
    args.extend(inputs.iter().map(|p| p.display().to_string()));
    args.extend([
        "--title".into(),
        "The week in news".into(),
        "-o".into(),
        out.display().to_string(),
    ]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = presswork(&refs);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no photo given"), "{stderr}");

    let book = load(&out);
    assert_eq!(book.meta.title, "The week in news");
    assert_eq!(book.meta.authors, ["Asha Rao"]);
    let titles: Vec<String> = book.chapters.iter().map(|c| c.title_text()).collect();
    assert_eq!(
        titles,
        ["Rains arrive early", "Markets rally", "A new bridge opens"]
    );
    for chapter in &book.chapters {
        assert!(chapter
            .blocks
            .iter()
            .any(|b| matches!(b, Block::Heading { level: 2, .. })));
    }
    // Markup in the text stays text.
    assert!(paragraphs(&book)
        .iter()
        .any(|p| p.contains("with *stars* and <b>tags</b> kept as text")));
    // The contents nests each article's section under it.
    let epub = presswork::epub::EpubRenderer::default()
        .render(&book, &mut Diagnostics::default())
        .expect("EPUB");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(epub)).expect("zip");
    let mut nav = String::new();
    std::io::Read::read_to_string(
        &mut archive.by_name("OEBPS/nav.xhtml").expect("nav"),
        &mut nav,
    )
    .expect("text");
    let toc = &nav[nav.find("epub:type=\"toc\"").expect("toc")..];
    let toc = &toc[..toc.find("</nav>").expect("end")];
    assert_eq!(
        toc.matches("<ol>").count(),
        4,
        "one list of articles, a list of sections in each: {toc}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn odd_input_is_refused_with_the_file_named() {
    let dir = scratch_dir("import", "odd");
    let empty = dir.join("empty.txt");
    std::fs::write(&empty, "").expect("write");
    let binary = dir.join("photo.txt");
    std::fs::write(&binary, [0xFF, 0xD8, 0xFF, 0x00, 0x10]).expect("write");
    for path in [&empty, &binary] {
        let output = presswork(&[
            "import",
            path.to_str().expect("utf-8"),
            "-o",
            dir.join("out").to_str().expect("utf-8"),
        ]);
        assert_eq!(output.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(path.file_name().and_then(|n| n.to_str()).expect("name")),
            "{stderr}"
        );
    }
    assert!(!dir.join("out").exists(), "nothing written");
    let _ = std::fs::remove_dir_all(&dir);
}
