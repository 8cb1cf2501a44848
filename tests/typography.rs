//! `[typography]` in `book.toml` from the file to the PDF: books written to a temporary
//! folder with a `book.toml`, loaded, built, and read back with lopdf (type sizes from the
//! `Tf` operators, positions from the `Tm` operators, page texts).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lopdf::{Document, Object, ObjectId};
use presswork::ir::Book;
use presswork::load::{load_book, LoadOptions};
use presswork::pdf::{PdfOptions, PdfRenderer};
use presswork::typeset::PageGeometry;
use presswork::{Diagnostics, Renderer};

/// Points in a millimetre.
const MM: f32 = 72.0 / 25.4;

/// Content-stream decimals against layout's positions.
const SLACK: f32 = 0.02;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temporary folder, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "presswork-typography-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The seed book copied to `dir` (its manuscript in `dir/book`, its photo in `dir/images`,
/// as in the repository) with `typography` appended to its `book.toml`; the book folder.
fn seed_with(dir: &Path, typography: &str) -> PathBuf {
    let book = dir.join("book");
    let images = dir.join("images");
    std::fs::create_dir_all(&book).expect("book dir");
    std::fs::create_dir_all(&images).expect("images dir");
    std::fs::copy(repo().join("book/article.md"), book.join("article.md")).expect("article");
    std::fs::copy(
        repo().join("images/putin-modi.jpg"),
        images.join("putin-modi.jpg"),
    )
    .expect("photo");
    let toml = std::fs::read_to_string(repo().join("book/book.toml")).expect("book.toml");
    std::fs::write(book.join("book.toml"), format!("{toml}\n{typography}")).expect("write");
    book
}

/// `tests/manuscripts/many-chapters.md` (twelve chapters of a page each) in `dir`, with a
/// `book.toml` of `toml`; the book folder.
fn many_chapters_with(dir: &Path, toml: &str) -> PathBuf {
    std::fs::copy(
        repo().join("tests/manuscripts/many-chapters.md"),
        dir.join("many-chapters.md"),
    )
    .expect("manuscript");
    std::fs::write(dir.join("book.toml"), toml).expect("book.toml");
    dir.to_path_buf()
}

/// A book of two chapters of several pages each in `dir`, with a `book.toml` of `toml`;
/// the book folder.
fn long_chapters_with(dir: &Path, toml: &str) -> PathBuf {
    let paragraph = "The quick brown fox jumps over the lazy dog and runs on through the \
                     long grass of the meadow until the evening comes. "
        .repeat(4);
    let chapter = |title: &str| format!("# {title}\n\n{}", format!("{paragraph}\n\n").repeat(30));
    let text = format!(
        "+++\ntitle = \"Long chapters\"\n+++\n\n{}{}",
        chapter("One"),
        chapter("Two")
    );
    std::fs::write(dir.join("long.md"), text).expect("manuscript");
    std::fs::write(dir.join("book.toml"), toml).expect("book.toml");
    dir.to_path_buf()
}

fn load(folder: &Path) -> presswork::Result<Book> {
    load_book(folder, &LoadOptions::default(), &mut Diagnostics::default())
}

fn render(book: &Book) -> Vec<u8> {
    PdfRenderer {
        options: PdfOptions::default(),
    }
    .render(book, &mut Diagnostics::default())
    .expect("PDF renders")
}

fn number(object: &Object) -> f32 {
    object.as_float().expect("number")
}

/// A text showing operator of a page: the font size in force, the `Tm` origin, and the
/// glyphs shown (two bytes each: the fonts are CID-keyed).
#[derive(Debug, Clone, Copy)]
struct Shown {
    size: f32,
    x: f32,
    glyphs: usize,
}

/// Every `TJ`/`Tj` of page `id` with the size and position in force.
fn shown(doc: &Document, id: ObjectId) -> Vec<Shown> {
    let content = doc.get_and_decode_page_content(id).expect("content");
    let (mut size, mut x) = (0.0, 0.0);
    let mut out = Vec::new();
    for op in &content.operations {
        match op.operator.as_str() {
            "Tf" => size = number(&op.operands[1]),
            "Tm" => x = number(&op.operands[4]),
            "TJ" | "Tj" => {
                let bytes: usize = op
                    .operands
                    .iter()
                    .flat_map(|operand| match operand {
                        Object::Array(items) => items.clone(),
                        other => vec![other.clone()],
                    })
                    .filter_map(|item| item.as_str().ok().map(<[u8]>::len))
                    .sum();
                out.push(Shown {
                    size,
                    x,
                    glyphs: bytes / 2,
                });
            }
            _ => {}
        }
    }
    out
}

/// The value (to a hundredth) that the most glyphs share.
fn most_common(shown: impl Iterator<Item = (f32, usize)>) -> f32 {
    let mut counts: BTreeMap<i64, usize> = BTreeMap::new();
    for (value, glyphs) in shown {
        *counts.entry((value * 100.0).round() as i64).or_default() += glyphs;
    }
    let (value, _) = counts
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .expect("text on the page");
    value as f32 / 100.0
}

/// The size most glyphs on page `id` are shown at: the body size.
fn body_size(doc: &Document, id: ObjectId) -> f32 {
    most_common(shown(doc, id).into_iter().map(|s| (s.size, s.glyphs)))
}

/// The left edge of the body text on page `id`: where most runs at the body size start
/// (the lines of paragraphs, each line's first run; running heads and folios are smaller,
/// and a line that opens with a quotation mark hangs it a little into the margin).
fn text_left(doc: &Document, id: ObjectId) -> f32 {
    let body = body_size(doc, id);
    most_common(
        shown(doc, id)
            .into_iter()
            .filter(|s| (s.size - body).abs() < SLACK)
            .map(|s| (s.x, 1)),
    )
}

fn page_ids(doc: &Document) -> Vec<ObjectId> {
    doc.get_pages().into_values().collect()
}

fn page_text(doc: &Document, number: u32) -> String {
    doc.extract_text(&[number])
        .expect("text")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The seed at 12 pt sets its body text at 12 pt (it is 10 pt on A5 without the key), and
/// the type around it grows with it.
#[test]
fn font_size_sets_the_body_text_size() {
    let temp = TempDir::new("size");
    let plain =
        Document::load_mem(&render(&load(&seed_with(&temp.0, "")).expect("seed"))).expect("PDF");
    let book = load(&seed_with(&temp.0, "[typography]\nfont-size = 12\n")).expect("seed");
    let doc = Document::load_mem(&render(&book)).expect("PDF");
    let (plain_first, first) = (page_ids(&plain)[0], page_ids(&doc)[0]);
    // Page 2: running text (page 1 at 12 pt is title block, photo and caption).
    assert_eq!(body_size(&plain, page_ids(&plain)[1]), 10.0);
    assert_eq!(body_size(&doc, page_ids(&doc)[1]), 12.0);
    // The title block's title is the largest type on the first page, 1.9 times the body
    // size rounded to a point: 19 pt at 10 pt, 23 pt at 12 pt.
    let largest = |doc: &Document, id| {
        shown(doc, id)
            .iter()
            .map(|s| s.size)
            .fold(0.0_f32, f32::max)
    };
    assert_eq!(largest(&plain, plain_first), 19.0);
    assert_eq!(largest(&doc, first), 23.0);
    // Bigger type, more pages.
    assert!(doc.get_pages().len() > plain.get_pages().len());
}

/// Explicit values equal to the defaults build the very same file as no table at all.
#[test]
fn the_defaults_spelt_out_build_the_same_file() {
    let temp = TempDir::new("same");
    let plain = render(&load(&seed_with(&temp.0, "")).expect("seed"));
    let spelt = render(
        &load(&seed_with(
            &temp.0,
            "[typography]\nfont-size = \"10pt\"\nleading = 14\nchapter-opening = \"right\"\n\
             figures = \"old-style\"\n",
        ))
        .expect("seed"),
    );
    assert!(plain == spelt, "the PDFs differ");
}

/// An article's margins: `inner` is the left margin of every page, `top` the room above
/// the text block.
#[test]
fn margins_move_an_articles_text_block() {
    let temp = TempDir::new("article-margins");
    let book = load(&seed_with(
        &temp.0,
        "[typography.margins]\ninner = \"30mm\"\nouter = \"20mm\"\ntop = \"30mm\"\n",
    ))
    .expect("seed");
    let doc = Document::load_mem(&render(&book)).expect("PDF");
    let ids = page_ids(&doc);
    for (index, id) in ids.iter().enumerate() {
        let left = text_left(&doc, *id);
        assert!(
            (left - 30.0 * MM).abs() < SLACK,
            "page {}: {left}",
            index + 1
        );
    }
    // Page 2 starts with a line of text, its baseline 0.78 of a 14 pt leading below the
    // top of the text block.
    let content = doc.get_and_decode_page_content(ids[1]).expect("content");
    let first_baseline = content
        .operations
        .iter()
        .find(|op| op.operator == "Tm")
        .map(|op| number(&op.operands[5]))
        .expect("text");
    let height = 595.28;
    let expected = height - 30.0 * MM - 0.78 * 14.0;
    assert!(
        (first_baseline - expected).abs() < SLACK,
        "first baseline at {first_baseline}, not {expected}"
    );
    let default = PageGeometry::for_paper(book.settings.paper);
    let geometry = PageGeometry::for_settings(&book.settings).for_shape(book.shape);
    assert!((geometry.measure - (default.width - 50.0 * MM)).abs() < SLACK);
}

/// A book's margins: the inner margin on the binding side, left on a recto (odd page
/// numbers) and right on a verso; the outer margin on the other side.
#[test]
fn margins_of_facing_pages_mirror() {
    let temp = TempDir::new("book-margins");
    let toml = "[book]\nlanguage = \"en\"\n\n[typography.margins]\ninner = \"25mm\"\n\
                outer = \"15mm\"\n";
    let book = load(&long_chapters_with(&temp.0, toml)).expect("book");
    let doc = Document::load_mem(&render(&book)).expect("PDF");
    let pages = doc.get_pages();
    let width = 419.53;
    let measure = width - 40.0 * MM;
    let mut seen = (false, false);
    // From page 3 on: the title page is centred.
    for (number, id) in pages.range(3..) {
        if page_text(&doc, *number).is_empty() {
            continue;
        }
        let left = text_left(&doc, *id);
        let expected = if number % 2 == 1 {
            seen.0 = true;
            25.0 * MM
        } else {
            seen.1 = true;
            15.0 * MM
        };
        assert!((left - expected).abs() < SLACK, "page {number}: {left}");
        // Lines are justified to the measure: none runs past the outer margin's edge.
        for s in shown(&doc, *id) {
            assert!(s.x < left + measure, "page {number}: a run at {}", s.x);
        }
    }
    assert_eq!(seen, (true, true), "rectos and versos with text");
}

/// With `chapter-opening = "any"` no page is left blank: twelve one-page chapters take
/// twelve pages after the title page and imprint, every other one opening on a verso,
/// its text block moved to a verso's margins.
#[test]
fn chapters_open_on_any_page_when_asked() {
    let right = TempDir::new("openings-right");
    let book = load(&many_chapters_with(&right.0, "[book]\nlanguage = \"en\"\n")).expect("book");
    let by_default = Document::load_mem(&render(&book)).expect("PDF");
    // Title page, imprint, then each chapter on a recto: a blank verso between each two.
    assert_eq!(by_default.get_pages().len(), 2 + 12 * 2 - 1);

    let any = TempDir::new("openings-any");
    let toml = "[book]\nlanguage = \"en\"\n\n[typography]\nchapter-opening = \"any\"\n";
    let book = load(&many_chapters_with(&any.0, toml)).expect("book");
    let doc = Document::load_mem(&render(&book)).expect("PDF");
    let pages = doc.get_pages();
    assert_eq!(pages.len(), 2 + 12);
    let geometry = PageGeometry::for_settings(&book.settings).for_shape(book.shape);
    assert!(geometry.outer - geometry.inner > 10.0);
    for (number, id) in &pages {
        let text = page_text(&doc, *number);
        assert!(!text.is_empty(), "page {number} is blank");
        if *number < 3 {
            continue;
        }
        // Chapter n opens page n + 2.
        let chapter = number - 2;
        assert!(
            text.starts_with(&format!("Chapter {chapter} ")),
            "page {number}: {text}"
        );
        let left = text_left(&doc, *id);
        let expected = if number % 2 == 0 {
            geometry.outer
        } else {
            geometry.inner
        };
        assert!((left - expected).abs() < SLACK, "page {number}: {left}");
    }
}

/// A bad value stops the build with an error naming `book.toml` and the value's line.
#[test]
fn a_bad_value_is_an_error_at_its_line_in_book_toml() {
    let temp = TempDir::new("bad");
    let toml = "[book]\nlanguage = \"en\"\n\n[typography]\nfont-size = 11\n\n\
                [typography.margins]\ntop = \"2 cubits\"\n";
    let error = load(&many_chapters_with(&temp.0, toml))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    let expected = format!("{}:8: ", temp.0.join("book.toml").display());
    assert!(error.starts_with(&expected), "{error}");
    assert!(error.contains("unit `cubits`"), "{error}");

    let toml = "[typography]\nfont-size = 11\nleading-ratio = 1.4\n";
    let error = load(&many_chapters_with(&temp.0, toml))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    let expected = format!("{}:3:1: ", temp.0.join("book.toml").display());
    assert!(error.starts_with(&expected), "{error}");
    assert!(
        error.contains("unknown key `leading-ratio` in [typography]"),
        "{error}"
    );
    assert!(error.contains("`leading`"), "the keys are listed: {error}");
}
