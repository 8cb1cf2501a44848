//! Fonts beyond the compiled-in ones, built for real: a book's own font files (`[fonts]`),
//! located errors for a family no font has or a path outside the book, and a page in seven
//! scripts drawn with the system's CJK fonts (embedded as CFF) without a replacement mark.

use std::path::{Path, PathBuf};

use lopdf::{Document, Object};
use presswork::load::{load_book, LoadOptions};
use presswork::pdf::PdfRenderer;
use presswork::{Diagnostics, Error, Renderer};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh book folder with `book.toml`, a manuscript and `fonts/` holding a copy of the
/// compiled-in mono font (a font the book's prose never uses otherwise).
fn book_folder(toml: &str) -> PathBuf {
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("presswork-fonts-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("fonts")).expect("mkdir");
    std::fs::copy(
        repo().join("fonts/NotoSansMono-Regular.ttf"),
        dir.join("fonts/NotoSansMono-Regular.ttf"),
    )
    .expect("copy the font");
    std::fs::write(dir.join("book.toml"), toml).expect("write");
    std::fs::write(
        dir.join("text.md"),
        "# A chapter\n\nPlain prose, set in the book's own face.\n",
    )
    .expect("write");
    dir
}

fn build(dir: &Path, options: &LoadOptions) -> Result<Vec<u8>, Error> {
    let mut diagnostics = Diagnostics::default();
    let book = load_book(dir, options, &mut diagnostics)?;
    PdfRenderer::default().render(&book, &mut diagnostics)
}

/// Every font of the PDF: (BaseFont, CIDFont subtype, font file key, file bytes).
fn embedded_fonts(pdf: &Document) -> Vec<(String, String, String, Vec<u8>)> {
    let name = |o: &Object| String::from_utf8_lossy(o.as_name().unwrap_or_default()).into_owned();
    let mut out = Vec::new();
    for object in pdf.objects.values() {
        let Ok(dict) = object.as_dict() else { continue };
        if dict.get(b"Subtype").map(name).ok().as_deref() != Some("Type0") {
            continue;
        }
        let base = dict.get(b"BaseFont").map(name).unwrap_or_default();
        let descendants = dict
            .get(b"DescendantFonts")
            .and_then(Object::as_array)
            .expect("descendants");
        let cid_font = pdf
            .dereference(&descendants[0])
            .and_then(|(_, o)| o.as_dict())
            .expect("CIDFont");
        let subtype = cid_font.get(b"Subtype").map(name).unwrap_or_default();
        let descriptor = pdf
            .dereference(cid_font.get(b"FontDescriptor").expect("descriptor"))
            .and_then(|(_, o)| o.as_dict())
            .expect("descriptor dict");
        for key in ["FontFile2", "FontFile3"] {
            if let Ok(reference) = descriptor.get(key.as_bytes()) {
                let stream = pdf
                    .dereference(reference)
                    .and_then(|(_, o)| o.as_stream())
                    .expect("font file");
                let bytes = stream.decompressed_content().expect("inflates");
                out.push((base.clone(), subtype.clone(), key.to_string(), bytes));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_book_with_its_own_font_embeds_a_subset_of_it_for_its_text() {
    let own = book_folder(
        "[book]\ntitle = \"Own face\"\n\n[fonts]\npaths = [\"fonts\"]\nbody = \"Noto Sans Mono\"\n",
    );
    let plain = book_folder("[book]\ntitle = \"Own face\"\n");
    let own_pdf =
        Document::load_mem(&build(&own, &LoadOptions::default()).expect("builds")).expect("parses");
    let plain_pdf = Document::load_mem(&build(&plain, &LoadOptions::default()).expect("builds"))
        .expect("parses");
    let fonts = embedded_fonts(&own_pdf);
    let names: Vec<&str> = fonts.iter().map(|(n, ..)| n.as_str()).collect();
    let (base, subtype, key, program) = fonts
        .iter()
        .find(|(n, ..)| n.ends_with("+NotoSansMono-Regular"))
        .unwrap_or_else(|| panic!("the book's face is embedded: {names:?}"));
    assert_eq!(
        (subtype.as_str(), key.as_str()),
        ("CIDFontType2", "FontFile2")
    );
    assert_eq!(base.find('+'), Some(6), "a six-letter subset tag: {base}");
    let whole = std::fs::metadata(own.join("fonts/NotoSansMono-Regular.ttf"))
        .expect("font file")
        .len();
    assert!(
        (program.len() as u64) < whole / 10,
        "a subset: {} of {whole} bytes",
        program.len()
    );
    // Title, heading and prose are all in the book's face: the serif is not used at all.
    assert!(!names.iter().any(|n| n.contains("NotoSerif-")), "{names:?}");
    // The same book without [fonts] sets them in the serif and has no mono face.
    let plain_names: Vec<String> = embedded_fonts(&plain_pdf)
        .into_iter()
        .map(|(n, ..)| n)
        .collect();
    assert!(plain_names
        .iter()
        .any(|n| n.ends_with("+NotoSerif-Regular")));
    assert!(!plain_names.iter().any(|n| n.contains("NotoSansMono")));
    for dir in [own, plain] {
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn a_family_no_font_has_is_an_error_at_its_line_naming_the_near_one() {
    let dir = book_folder(
        "[book]\ntitle = \"Own face\"\n\n[fonts]\npaths = [\"fonts\"]\nheadings = \"Noto Sans Mon\"\n",
    );
    let Err(Error::Invalid(error)) = build(&dir, &LoadOptions::default()) else {
        panic!("an error expected");
    };
    assert_eq!(error.message, "no font family `Noto Sans Mon`");
    let at = error.at.as_ref().expect("located");
    assert_eq!(
        (at.file.file_name(), at.line),
        (Some("book.toml".as_ref()), 6)
    );
    assert_eq!(
        error.hint.as_deref(),
        Some("did you mean `Noto Sans Mono`?")
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn font_paths_outside_the_book_or_holding_no_font_are_located_errors() {
    let outside = book_folder("[book]\ntitle = \"T\"\n\n[fonts]\npaths = [\"..\"]\n");
    let Err(Error::Config { line, message, .. }) = build(&outside, &LoadOptions::default()) else {
        panic!("an error expected");
    };
    assert_eq!(line, Some(5));
    assert!(message.contains("outside the book folder"), "{message}");
    let missing = book_folder("[book]\ntitle = \"T\"\n\n[fonts]\npaths = [\"typefaces\"]\n");
    let Err(Error::Config { line, message, .. }) = build(&missing, &LoadOptions::default()) else {
        panic!("an error expected");
    };
    assert_eq!(line, Some(5));
    assert!(message.contains("`typefaces` cannot be read"), "{message}");
    // The command line's --font-path may be anywhere: the user chose it.
    let cli = book_folder("[book]\ntitle = \"T\"\n\n[fonts]\nbody = \"Noto Sans Mono\"\n");
    std::fs::remove_dir_all(cli.join("fonts")).expect("rm");
    let options = LoadOptions {
        font_paths: vec![repo().join("fonts/NotoSansMono-Regular.ttf")],
        ..LoadOptions::default()
    };
    build(&cli, &options).expect("the command line's font is found");
    for dir in [outside, missing, cli] {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// Whether the tests must find system fonts (CI installs fonts-noto-core and fonts-noto-cjk
/// and sets this); elsewhere a test that needs them says so and passes.
fn system_fonts_required() -> bool {
    std::env::var_os("PRESSWORK_REQUIRE_SYSTEM_FONTS").is_some()
}

#[test]
fn seven_scripts_on_one_page_draw_without_a_replacement_mark() {
    let source = repo().join("tests/manuscripts/world-scripts.md");
    let options = LoadOptions {
        system_fonts: true,
        ..LoadOptions::default()
    };
    let mut diagnostics = Diagnostics::default();
    let book = load_book(&source, &options, &mut diagnostics).expect("loads");
    let bytes = PdfRenderer::default()
        .render(&book, &mut diagnostics)
        .expect("renders");
    let uncovered = diagnostics
        .warnings
        .iter()
        .find(|w| w.message.contains("no font"));
    if let Some(warning) = uncovered {
        assert!(!system_fonts_required(), "{}", warning.message);
        eprintln!("skipped: {} (install fonts-noto-cjk)", warning.message);
        return;
    }
    let pdf = Document::load_mem(&bytes).expect("parses");
    let fonts = embedded_fonts(&pdf);
    let cff = fonts
        .iter()
        .find(|(_, subtype, ..)| subtype == "CIDFontType0")
        .expect("a CJK font with CFF outlines");
    assert_eq!(cff.2, "FontFile3");
    // A bare CFF program (major version 1, header size 4), not an OpenType wrapper.
    assert_eq!(&cff.3[..2], &[1, 0], "{}", cff.0);

    // Text copies out: pdftotext reads every script back, and nothing is a replacement mark.
    let path = std::env::temp_dir().join(format!("presswork-world-{}.pdf", std::process::id()));
    std::fs::write(&path, &bytes).expect("write");
    let output = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) runs");
    let _ = std::fs::remove_file(&path);
    let text = String::from_utf8_lossy(&output.stdout).replace('\n', "");
    for phrase in [
        "中国和印度是两个古老的文明国家",
        "東京は日本の首都です。",
        "대한민국의 수도는 서울입니다.",
        "আমি বাংলায় গান গাই",
        "भारत और रूस",
    ] {
        assert!(text.contains(phrase), "{phrase} missing from {text}");
    }
    assert!(!text.contains('\u{FFFD}'), "{text}");
}
