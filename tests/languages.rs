//! A book in another language than English, built for real: its quotation marks in both
//! outputs. (Its hyphenation patterns are tested where words are broken, in
//! `typeset::text`.)

use presswork::ir::Book;
use presswork::load::{load_book, LoadOptions};
use presswork::pdf::{PdfOptions, PdfRenderer};
use presswork::{Diagnostics, Renderer};

#[path = "support/books.rs"]
mod books;
use books::paragraphs;

#[path = "support/pdf_structure.rs"]
mod pdf_structure;

fn book_in(language: &str, text: &str) -> (Book, Diagnostics) {
    book_with(
        &format!("[book]\ntitle = \"Buch\"\nlanguage = \"{language}\"\n"),
        text,
    )
    .expect("loads")
}

fn book_with(toml: &str, text: &str) -> Result<(Book, Diagnostics), presswork::Error> {
    // Tests run in parallel: each book gets its own folder.
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("presswork-lang-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("book.toml"), toml).expect("write");
    std::fs::write(dir.join("text.md"), text).expect("write");
    let mut diagnostics = Diagnostics::default();
    let book = load_book(&dir, &LoadOptions::default(), &mut diagnostics);
    let _ = std::fs::remove_dir_all(&dir);
    book.map(|book| (book, diagnostics))
}

/// Every XHTML and NCX text of an EPUB, concatenated.
fn epub_text(book: &Book) -> String {
    use std::io::Read;
    let epub = presswork::epub::EpubRenderer::default()
        .render(book, &mut Diagnostics::default())
        .expect("epub");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(epub)).expect("zip");
    let mut text = String::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).expect("entry");
        if entry.name().ends_with(".xhtml") || entry.name().ends_with(".ncx") {
            entry.read_to_string(&mut text).expect("text");
        }
    }
    text
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
    let xhtml = epub_text(&book);
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
fn a_passage_in_another_language_takes_its_own_quotes() {
    let (book, _) = book_in(
        "de",
        "# K\n\nEr las <span lang=\"en\">\"Hello\"</span> und <span lang=\"fr\">\"Salut\"</span>, dann \"Hallo\".\n",
    );
    assert_eq!(
        paragraphs(&book),
        ["Er las “Hello” und «\u{202F}Salut\u{202F}», dann „Hallo“."]
    );
}

#[test]
fn english_books_keep_smart_punctuation_as_it_was() {
    let (book, _) = book_in("en", "# C\n\nShe said \"it's 'fine'\".\n");
    assert_eq!(paragraphs(&book), ["She said “it’s ‘fine’”."]);
}

#[test]
fn a_german_book_has_german_labels_in_both_outputs() {
    let toml = "[book]\ntitle = \"Buch\"\nlanguage = \"de\"\nsource = \"dpa\"\n\n[build]\nnotes = \"chapter\"\n";
    let (book, _) = book_with(
        toml,
        "# Kapitel\n\nText mit Fußnote.[^1]\n\n[^1]: Die Fußnote.\n",
    )
    .expect("loads");
    let epub = epub_text(&book);
    for word in [
        "Inhalt",
        "Orientierungspunkte",
        "Über dieses Buch",
        "Quelle",
        "Impressum",
    ] {
        assert!(epub.contains(word), "{word} missing from the EPUB");
    }
    assert!(!epub.contains(">Contents<") && !epub.contains("About this book"));
    let pdf = PdfRenderer {
        options: PdfOptions::default(),
    }
    .render(&book, &mut Diagnostics::default())
    .expect("pdf");
    let text = pdf_text(&pdf);
    assert!(text.contains("Anmerkungen"), "{text}");
    assert!(text.contains("Quelle: dpa"), "{text}");
    assert!(!text.contains("Notes"), "{text}");
}

#[test]
fn labels_in_book_toml_win_and_an_unknown_one_is_located() {
    let toml =
        "[book]\ntitle = \"Buch\"\nlanguage = \"de\"\n\n[labels]\ncontents = \"Übersicht\"\n";
    let (book, _) = book_with(toml, "# Kapitel\n\nText.\n").expect("loads");
    assert_eq!(book.labels.contents, "Übersicht");
    assert_eq!(book.labels.notes, "Anmerkungen");
    let toml = "[book]\ntitle = \"T\"\n\n[labels]\ncontent = \"Index\"\n";
    let error = book_with(toml, "# C\n\nText.\n")
        .expect_err("an error")
        .to_string();
    assert!(
        error.contains("book.toml:5:1: unknown key `content` in [labels]"),
        "{error}"
    );
    assert!(error.contains("did you mean `contents`?"), "{error}");
}
