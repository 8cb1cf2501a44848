//! The front end on real files: the seed book and small manuscripts written to temp folders.

use std::path::{Path, PathBuf};

use presswork::ir::{plain_text, Block, Book, Inline, LinkTarget};
use presswork::load::{load_book, LoadOptions};
use presswork::{Diagnostics, Error};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn temp_book(name: &str, files: &[(&str, &[u8])]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("presswork-fe-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, bytes) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, bytes).expect("write");
    }
    dir
}

fn load(path: &Path) -> Result<Book, Error> {
    load_book(path, &LoadOptions::default(), &mut Diagnostics::default())
}

fn titles(book: &Book) -> Vec<String> {
    book.chapters.iter().map(|c| c.title_text()).collect()
}

fn tiny_jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(40, 20, |x, y| image::Rgb([x as u8 * 6, y as u8 * 12, 90]));
    let mut buf = Vec::new();
    img.write_to(
        &mut std::io::Cursor::new(&mut buf),
        image::ImageFormat::Jpeg,
    )
    .expect("encode");
    buf
}

#[test]
fn seed_book_has_four_chapters_and_the_figure() {
    let book = load(&repo().join("book")).expect("seed loads");
    assert_eq!(
        titles(&book),
        [
            "Putin invites PM Modi to visit Russia in meeting with Jaishankar",
            "Putin’s praise for PM Modi",
            "India-Russia relations",
            "Jaishankar’s visit to Russia",
        ]
    );
    assert_eq!(book.meta.language, "en");
    assert_eq!(book.meta.source.as_deref(), Some("PTI"));
    assert_eq!(book.meta.subjects, ["World News"]);
    assert!(book.meta.authors.is_empty(), "no author is invented");
    let Some(Block::Figure(figure)) = book.chapters[0].blocks.first() else {
        panic!("the opening chapter starts with the figure");
    };
    assert_eq!(
        plain_text(&figure.caption),
        "Prime Minister Narendra Modi with Russian President Vladimir Putin"
    );
    assert_eq!(plain_text(&figure.credit), "Image Source: PTI");
    assert!(figure.alt.contains("stand-in"));
    let asset = &book.assets[figure.asset.0];
    assert!(asset.width >= 1600);
    assert_eq!(asset.format.media_type(), "image/jpeg");
}

#[test]
fn seed_book_keeps_every_sentence() {
    let book = load(&repo().join("book")).expect("seed loads");
    let mut text = String::new();
    for chapter in &book.chapters {
        presswork::ir::visit_inlines(&chapter.blocks, &mut |inl| {
            text.push_str(&plain_text(inl));
            text.push(' ');
        });
    }
    // A copy of shared/seed/article.txt, NBSPs included.
    let seed =
        std::fs::read_to_string(repo().join("tests/data/article.txt")).expect("seed article");
    let normalize = |s: &str| {
        s.replace('\u{a0}', " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let text = normalize(&text);
    let body: Vec<&str> = seed.split("\n\n").skip(2).collect();
    for para in body {
        let para = normalize(para);
        if para.starts_with("ALSO READ") || para == "Latest World News" || para.is_empty() {
            continue;
        }
        if titles(&book).contains(&para) {
            continue;
        }
        assert!(text.contains(&para), "missing: {para}");
    }
}

#[test]
fn several_h1_split_at_h1_and_markup_in_headings_is_kept() {
    let dir = temp_book(
        "h1",
        &[(
            "a.md",
            b"# One *emph* `code`\n\ntext\n\n## Sub\n\n# Two **bold**\n\nmore\n",
        )],
    );
    let book = load(&dir).expect("loads");
    assert_eq!(titles(&book), ["One emph code", "Two bold"]);
    assert!(matches!(book.chapters[0].title[1], Inline::Emphasis(_)));
    assert!(matches!(
        book.chapters[0].blocks[1],
        Block::Heading { level: 2, .. }
    ));
    assert_eq!(book.meta.title, "a", "no title anywhere: the file name");
}

#[test]
fn no_heading_gives_one_chapter_named_after_the_book() {
    let dir = temp_book(
        "noheading",
        &[(
            "story.md",
            b"+++\ntitle = \"Story\"\nlanguage = \"fr\"\n+++\nJust text.\n",
        )],
    );
    let book = load(&dir).expect("loads");
    assert_eq!(titles(&book), ["Story"]);
    assert_eq!(book.meta.language, "fr");
}

#[test]
fn figure_convention_separates_alt_caption_and_credit() {
    let dir = temp_book(
        "figure",
        &[
            (
                "book.md",
                b"# T\n\n![Alt words](pic.jpg)\n*A caption with **bold***\n\xE2\x80\x94 Photo: Someone\n\n![Only alt](pic.jpg \"Title caption\")\n\nText ![inline](pic.jpg) here.\n",
            ),
            ("pic.jpg", &tiny_jpeg()),
        ],
    );
    let book = load(&dir).expect("loads");
    let blocks = &book.chapters[0].blocks;
    let Block::Figure(first) = &blocks[0] else {
        panic!("figure expected: {blocks:?}")
    };
    assert_eq!(first.alt, "Alt words");
    assert_eq!(plain_text(&first.caption), "A caption with bold");
    assert_eq!(plain_text(&first.credit), "Photo: Someone");
    let Block::Figure(second) = &blocks[1] else {
        panic!("figure expected")
    };
    assert_eq!(plain_text(&second.caption), "Title caption");
    assert!(second.credit.is_empty());
    assert_eq!(first.asset, second.asset, "one image stored once");
    assert_eq!(book.assets.len(), 1);
    assert!(
        matches!(&blocks[2], Block::Paragraph(p) if p.iter().any(|i| matches!(i, Inline::Image { .. })))
    );
    assert_ne!(first.id, second.id);
}

#[test]
fn footnotes_are_numbered_book_wide_and_placed_where_first_cited() {
    let dir = temp_book(
        "notes",
        &[("n.md", b"# A\n\nOne[^x] two[^y].\n\n# B\n\nAgain[^x] and [^z].\n\n[^x]: Note x.\n[^y]: Note y.\n[^z]: Note z.\n")],
    );
    let book = load(&dir).expect("loads");
    let a: Vec<u32> = book.chapters[0]
        .footnotes
        .iter()
        .map(|f| f.number)
        .collect();
    let b: Vec<u32> = book.chapters[1]
        .footnotes
        .iter()
        .map(|f| f.number)
        .collect();
    assert_eq!(a, [1, 2]);
    assert_eq!(b, [3]);
}

#[test]
fn internal_links_resolve_to_anchors() {
    let dir = temp_book(
        "links",
        &[("l.md", b"# A\n\nSee [b](#b-part) and [gone](#nowhere) and [web](https://example.org).\n\n# B part\n")],
    );
    let mut diagnostics = Diagnostics::default();
    let book = load_book(&dir, &LoadOptions::default(), &mut diagnostics).expect("loads");
    let Block::Paragraph(p) = &book.chapters[0].blocks[0] else {
        panic!()
    };
    let targets: Vec<&LinkTarget> = p
        .iter()
        .filter_map(|i| match i {
            Inline::Link { target, .. } => Some(target),
            _ => None,
        })
        .collect();
    assert_eq!(
        targets,
        [
            &LinkTarget::Internal("b-part".into()),
            &LinkTarget::External("https://example.org/".into())
        ]
    );
    assert_eq!(book.anchors.get("b-part"), Some(&1));
    assert!(diagnostics
        .warnings
        .iter()
        .any(|w| w.to_string().contains("#nowhere")));
}

#[test]
fn missing_image_names_file_and_line() {
    let dir = temp_book("missing", &[("m.md", b"# T\n\nText.\n\n![x](nope.jpg)\n")]);
    let err = load(&dir).expect_err("must fail").to_string();
    assert!(err.contains("m.md:5:1"), "{err}");
    assert!(
        err.contains("nope.jpg") && err.contains("not found"),
        "{err}"
    );
}

#[test]
fn paths_outside_the_book_are_refused() {
    let outside = temp_book("outside-target", &[("secret.jpg", &tiny_jpeg())]);
    let reference = format!(
        "![x](../{}/secret.jpg)\n",
        outside.file_name().expect("name").to_string_lossy()
    );
    let dir = temp_book("escape", &[("e.md", reference.as_bytes())]);
    let err = load(&dir).expect_err("must fail").to_string();
    assert!(err.contains("outside the allowed folders"), "{err}");
    for bad in [
        "![x](/etc/passwd)",
        "![x](file:///etc/passwd)",
        "![x](https://example.org/a.jpg)",
    ] {
        let dir = temp_book("bad", &[("b.md", bad.as_bytes())]);
        let err = load(&dir).expect_err("must fail").to_string();
        assert!(err.contains("b.md:1:1"), "{err}");
    }
}

#[test]
fn invalid_utf8_reports_the_byte_offset() {
    let dir = temp_book("utf8", &[("u.md", b"# T\n\nabc\xff\n")]);
    let err = load(&dir).expect_err("must fail").to_string();
    assert!(err.contains("byte 8"), "{err}");
}

#[test]
fn empty_manuscript_is_an_error() {
    let dir = temp_book("empty", &[("e.md", b"  \n\n")]);
    assert!(load(&dir)
        .expect_err("must fail")
        .to_string()
        .contains("empty"));
}
