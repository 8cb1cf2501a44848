//! A book in another language than English, built for real: its quotation marks in both
//! outputs. (Its hyphenation patterns are tested where words are broken, in
//! `typeset::text`.)

use presswork::ir::{plain_text, Block, Book};
use presswork::load::{load_book, LoadOptions};
use presswork::pdf::{PdfOptions, PdfRenderer};
use presswork::{Diagnostics, Renderer};

#[path = "support/pdf_structure.rs"]
mod pdf_structure;

fn book_in(language: &str, text: &str) -> (Book, Diagnostics) {
    let dir =
        std::env::temp_dir().join(format!("presswork-lang-{}-{language}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("book.toml"),
        format!("[book]\ntitle = \"Buch\"\nlanguage = \"{language}\"\n"),
    )
    .expect("write");
    std::fs::write(dir.join("text.md"), text).expect("write");
    let mut diagnostics = Diagnostics::default();
    let book = load_book(&dir, &LoadOptions::default(), &mut diagnostics).expect("loads");
    let _ = std::fs::remove_dir_all(&dir);
    (book, diagnostics)
}

fn paragraphs(book: &Book) -> Vec<String> {
    book.chapters
        .iter()
        .flat_map(|c| &c.blocks)
        .filter_map(|b| match b {
            Block::Paragraph(inlines) => Some(plain_text(inlines)),
            _ => None,
        })
        .collect()
}

/// All the text of a PDF, as its marked content carries it.
fn pdf_text(bytes: &[u8]) -> String {
    let pdf = lopdf::Document::load_mem(bytes).expect("pdf");
    pdf_structure::marked_text(&pdf)
        .into_values()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn german_quotes_in_both_outputs_and_apostrophes_kept() {
    let (book, _) = book_in(
        "de",
        "# Kapitel\n\nEr sagte: \"Das geht's 'gut' nicht.\" Und \u{201E}so\u{201C} bleibt es.\n",
    );
    assert_eq!(
        paragraphs(&book),
        ["Er sagte: „Das geht’s ‚gut‘ nicht.“ Und „so“ bleibt es."]
    );
    let epub = presswork::epub::EpubRenderer
        .render(&book, &mut Diagnostics::default())
        .expect("epub");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(epub)).expect("zip");
    let mut xhtml = String::new();
    for index in 0..archive.len() {
        use std::io::Read;
        let mut entry = archive.by_index(index).expect("entry");
        if entry.name().ends_with(".xhtml") {
            entry.read_to_string(&mut xhtml).expect("text");
        }
    }
    assert!(xhtml.contains("„Das geht’s ‚gut‘ nicht.“"), "{xhtml}");
    let pdf = PdfRenderer {
        options: PdfOptions::default(),
    }
    .render(&book, &mut Diagnostics::default())
    .expect("pdf");
    assert!(pdf_text(&pdf).contains("„Das geht’s ‚gut‘ nicht.“"));
}

#[test]
fn french_guillemets_hold_their_words_with_a_narrow_space_the_font_covers() {
    let (book, _) = book_in(
        "fr",
        "# Chapitre\n\nIl a dit \"bonjour\" et il est parti.\n",
    );
    assert_eq!(
        paragraphs(&book),
        ["Il a dit «\u{202F}bonjour\u{202F}» et il est parti."]
    );
    let mut diagnostics = Diagnostics::default();
    let pdf = PdfRenderer {
        options: PdfOptions::default(),
    }
    .render(&book, &mut diagnostics)
    .expect("pdf");
    assert!(!diagnostics.mentions("no font"), "{diagnostics:?}");
    assert!(!diagnostics.mentions("cover"), "{diagnostics:?}");
    assert!(pdf_text(&pdf).contains("bonjour"));
}

#[test]
fn english_books_keep_smart_punctuation_as_it_was() {
    let (book, _) = book_in("en", "# C\n\nShe said \"it's 'fine'\".\n");
    assert_eq!(paragraphs(&book), ["She said “it’s ‘fine’”."]);
}
