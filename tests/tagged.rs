//! Tagged PDF (PDF/UA-1) read back from real builds: the structure tree of the seed book and
//! of a manuscript with every kind of block, dumped as an outline (as Typst's test suite
//! dumps its tag trees) and checked against what the book says.

#[path = "support/pdf_structure.rs"]
mod pdf_structure;

use std::path::{Path, PathBuf};

use lopdf::{Document, Object};
use presswork::ir::Book;
use presswork::load::{load_book, LoadOptions};
use presswork::pdf::PdfRenderer;
use presswork::{Diagnostics, Renderer};

use pdf_structure::{dump_structure, parent_tree};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn build(input: &Path) -> (Book, Document) {
    let options = LoadOptions {
        source_date_epoch: Some(1_700_000_000),
        ..LoadOptions::default()
    };
    let book = load_book(input, &options, &mut Diagnostics::default()).expect("loads");
    let bytes = PdfRenderer::default()
        .render(&book, &mut Diagnostics::default())
        .expect("renders");
    let pdf = Document::load_mem(&bytes).expect("parses");
    (book, pdf)
}

/// The outline with each line cut to its element type and attributes (no text).
fn skeleton(outline: &str) -> String {
    outline
        .lines()
        .map(|line| {
            let depth = line.len() - line.trim_start().len();
            let kind = line.trim_start().split(' ').next().unwrap_or_default();
            format!("{}{kind}", " ".repeat(depth))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Letters and digits only: line breaks, hyphens at line ends and spacing aside, the text
/// the structure holds must be the book's, in its order.
fn letters(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// The text of the content in the outline, in order: the `page:"…"` pieces, which are
/// Rust-quoted strings (a quote inside is `\"`).
fn outline_text(outline: &str) -> String {
    let mut out = String::new();
    let mut rest = outline;
    while let Some(at) = rest.find(":\"") {
        let after = &rest[at + 2..];
        let before = rest[..at].chars().last();
        rest = after;
        if !before.is_some_and(|c| c.is_ascii_digit()) {
            continue;
        }
        let mut escaped = false;
        for (i, c) in after.char_indices() {
            match (escaped, c) {
                (false, '\\') => escaped = true,
                (false, '"') => {
                    rest = &after[i + 1..];
                    break;
                }
                (_, c) => {
                    out.push(c);
                    escaped = false;
                }
            }
        }
    }
    out
}

#[test]
fn the_seed_is_a_tagged_article_in_reading_order() {
    let (book, pdf) = build(&repo().join("book"));
    let outline = dump_structure(&pdf);
    // What the seed is (book/article.md): a title block, the photo with caption and credit,
    // four paragraphs; three sections of three, four and seven paragraphs; the colophon.
    let expected = "\
Document
  Sect
    H1
    P
    Figure
    Caption
      P
      P
    P
    P
    P
    P
  Sect
    H1
    P
    P
    P
  Sect
    H1
    P
    P
    P
    P
  Sect
    H1
    P
    P
    P
    P
    P
    P
    P
  Sect
    P
    P
    P
    P";
    assert_eq!(skeleton(&outline), expected, "\n{outline}");
    let figure = book.chapters[0]
        .blocks
        .iter()
        .find_map(|b| match b {
            presswork::ir::Block::Figure(figure) => Some(figure),
            _ => None,
        })
        .expect("the seed's figure");
    assert!(
        outline.contains(&format!("Figure /Alt '{}'", figure.alt)),
        "{outline}"
    );
    // Every heading and paragraph of the manuscript, in order, and nothing else before the
    // colophon.
    let mut book_text = String::new();
    for (n, chapter) in book.chapters.iter().enumerate() {
        book_text.push_str(&chapter.title_text());
        if n == 0 {
            book_text.push_str(book.meta.source.as_deref().unwrap_or_default());
        }
        presswork::ir::visit_inlines(&chapter.blocks, &mut |inlines| {
            book_text.push_str(&presswork::ir::plain_text(inlines));
        });
    }
    let tagged = outline_text(&outline);
    let body = letters(&tagged);
    let wanted = letters(&book_text);
    assert!(
        body.starts_with(&wanted),
        "the structure's text differs from the book's:\n{tagged}"
    );
    assert!(tagged.contains("Image Source: PTI"));
}

#[test]
fn every_kind_of_block_has_its_element() {
    let (_, pdf) = build(&repo().join("tests/manuscripts/gfm-features.md"));
    let outline = dump_structure(&pdf);
    let skeleton = skeleton(&outline);
    for expected in [
        // A list item: its label, then its body.
        "      LI\n        Lbl\n        LBody\n          P",
        // A nested list inside a list item's body.
        "        LBody\n          P\n          L\n            LI",
        // A table: header cells, then data cells.
        "    Table\n      TR\n        TH\n          P",
        "      TR\n        TD\n          P",
        "    BlockQuote\n      P\n      BlockQuote\n        P",
        "    Code",
        "    Note",
        "      Link",
    ] {
        assert!(skeleton.contains(expected), "{expected}\nnot in\n{outline}");
    }
    assert!(
        outline.contains(" O=List ListNumbering=Decimal"),
        "{outline}"
    );
    assert!(outline.contains(" O=List ListNumbering=Disc"), "{outline}");
    assert!(outline.contains("TH O=Table Scope=Column"), "{outline}");
    assert!(outline.contains("Note /ID 'fn-1'"), "{outline}");
    // Each link element holds its text and its annotation, described by that text (on
    // page 3: the book opens with its title page and imprint).
    assert!(
        outline.contains("Link 3:\"web link\" [Annot \"web link\"]"),
        "{outline}"
    );
    // Nothing is left out of the tree: every marked sequence has its parent.
    let parents = parent_tree(&pdf);
    assert!(!parents.is_empty());
}

#[test]
fn other_languages_are_marked_and_pages_ordered_by_structure() {
    let (_, pdf) = build(&repo().join("tests/manuscripts/real-world.md"));
    let outline = dump_structure(&pdf);
    assert!(outline.contains("Span /Lang 'hi'"), "{outline}");
    let catalog = pdf.catalog().expect("catalog");
    assert_eq!(
        catalog.get(b"Lang").and_then(Object::as_str).ok(),
        Some(b"en".as_slice())
    );
    let marked = catalog
        .get(b"MarkInfo")
        .and_then(Object::as_dict)
        .and_then(|info| info.get(b"Marked"))
        .and_then(Object::as_bool);
    assert_eq!(marked.ok(), Some(true));
    for (_, page) in pdf.get_pages() {
        let page = pdf.get_dictionary(page).expect("page");
        assert_eq!(
            page.get(b"Tabs").and_then(Object::as_name).ok(),
            Some(b"S".as_slice())
        );
        assert!(page.has(b"StructParents"));
    }
}

/// A picture without alt text: its caption describes it; with no caption either, it is
/// decoration, an artifact, since a figure without `/Alt` breaks PDF/UA.
#[test]
fn pictures_without_alt_text_take_their_caption_or_become_artifacts() {
    let dir = std::env::temp_dir().join(format!("presswork-tagged-alt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::copy(repo().join("images/putin-modi.jpg"), dir.join("photo.jpg")).expect("copy");
    let file = dir.join("book.md");
    std::fs::write(
        &file,
        "# Pictures\n\n![](photo.jpg \"A ridge at dusk\")\n\nText between.\n\n![](photo.jpg)\n\nEnd.\n",
    )
    .expect("write");
    let (book, pdf) = build(&file);
    let figures: Vec<_> = book.chapters[0]
        .blocks
        .iter()
        .filter(|b| matches!(b, presswork::ir::Block::Figure(_)))
        .collect();
    assert_eq!(figures.len(), 2, "{:?}", book.chapters[0].blocks);
    let outline = dump_structure(&pdf);
    let figure_lines: Vec<&str> = outline
        .lines()
        .filter(|l| l.trim_start().starts_with("Figure"))
        .collect();
    assert_eq!(figure_lines.len(), 1, "{outline}");
    assert!(
        figure_lines[0].contains("/Alt 'A ridge at dusk'"),
        "{outline}"
    );
    // Both images are drawn: the second inside an artifact sequence.
    let mut artifact_images = 0;
    for (_, page) in pdf.get_pages() {
        let content = pdf.get_page_content(page);
        let text = String::from_utf8_lossy(&content);
        let mut in_artifact = false;
        for line in text.lines() {
            if line.starts_with("/Artifact") {
                in_artifact = true;
            } else if line == "EMC" {
                in_artifact = false;
            } else if line.ends_with(" Do") && in_artifact {
                artifact_images += 1;
            }
        }
    }
    assert_eq!(artifact_images, 1);
    std::fs::remove_dir_all(&dir).ok();
}
