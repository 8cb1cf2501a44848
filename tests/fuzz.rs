//! Property tests standing in for a fuzzer in `cargo test`: arbitrary Markdown-ish manuscripts
//! and arbitrary (mutated) image bytes go through the loader and both back ends. Any outcome is
//! fine except a panic. 100 cases per property by default; set `PROPTEST_CASES` for a long run
//! (`PROPTEST_CASES=20000 cargo test --release --test fuzz`). Failing inputs are saved under
//! `proptest-regressions/` and replayed first on every run.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use presswork::epub::EpubRenderer;
use presswork::ir::Book;
use presswork::load::{load_book, LoadOptions};
use presswork::pdf::{PdfOptions, PdfRenderer};
use presswork::{Diagnostics, Renderer};
use proptest::prelude::*;

/// Markdown syntax, HTML, entities, scripts and troublemakers to build manuscripts from.
const FRAGMENTS: &[&str] = &[
    "\n",
    "\n\n",
    "\n\n\n",
    " ",
    "  ",
    "\t",
    "    ",
    "#",
    "# ",
    "## ",
    "### ",
    "###### ",
    "####### ",
    "> ",
    ">",
    "- ",
    "* ",
    "+ ",
    "1. ",
    "2) ",
    "- [ ] ",
    "- [x] ",
    "*",
    "**",
    "_",
    "__",
    "~~",
    "~",
    "`",
    "```",
    "```rust\n",
    "~~~",
    "[",
    "]",
    "(",
    ")",
    "![",
    "](",
    "[^1]",
    "[^1]: ",
    "[^a]",
    "[^a]: note",
    "[x]: http://e.org",
    "[x]",
    "<",
    ">",
    "<div>",
    "</div>",
    "<!--",
    "-->",
    "<script>alert(1)</script>",
    "<br/>",
    "&amp;",
    "&#0;",
    "&#1;",
    "&#xD800;",
    "&#xFFFF;",
    "&nbsp;",
    "&bogus;",
    "|",
    "| a | b |\n|---|:-:|\n",
    "|---|",
    "---",
    "***",
    "___",
    "{#id}",
    " {#x .y}",
    "\\",
    "\\\n",
    "  \n",
    "$",
    "$$",
    "+++",
    "+++\n",
    "—",
    "— Credit",
    "Credit: ",
    "\"",
    "'",
    "...",
    "--",
    "![alt](img.png)",
    "![alt](img.jpg \"Title\")",
    "![](img.png)\n*cap*\n— cr",
    "![x](missing.png)",
    "![x](http://e.org/x.png)",
    "[link](#h)",
    "[l](other.md#x)",
    "<http://e.org>",
    "https://example.org",
    "\u{0}",
    "\u{1}",
    "\u{7}",
    "\u{1b}",
    "\u{7f}",
    "\u{85}",
    "\u{a0}",
    "\u{ad}",
    "\u{200b}",
    "\u{200d}",
    "\u{202e}",
    "\u{2028}",
    "\u{2029}",
    "\u{fe0f}",
    "\u{feff}",
    "\u{fffd}",
    "\u{fffe}",
    "\u{ffff}",
    "\u{10ffff}",
    "\r",
    "\r\n",
    "é",
    "e\u{301}",
    "ﬁ",
    "ß",
    "İ",
    "日本語",
    "中文",
    "한국어",
    "العربية",
    "עברית",
    "हिन्दी",
    "ไทย",
    "Ελληνικά",
    "Русский",
    "👍🏽",
    "👨‍👩‍👧",
    "🇮🇳",
    "𝔘𝔫𝔦",
    "a",
    "word",
    "internationalisation",
    "Supercalifragilistic",
    "0123456789",
];

fn manuscript() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        6 => proptest::sample::select(FRAGMENTS).prop_map(str::to_string),
        2 => any::<char>().prop_map(String::from),
        2 => "[a-zA-Z ]{1,20}",
        1 => ("[a-z]{1,3}", 1usize..400).prop_map(|(s, n)| s.repeat(n)),
    ];
    proptest::collection::vec(piece, 0..80).prop_map(|pieces| pieces.concat())
}

/// YAML syntax and the metadata keys presswork reads, for front matter blocks.
const YAML_FRAGMENTS: &[&str] = &[
    "\n",
    "  ",
    "    ",
    "\t",
    "title: ",
    "author:",
    "authors: ",
    "lang: ",
    "date: ",
    "keywords: ",
    "identifier:",
    "name: ",
    "text: ",
    "toc: true",
    "- ",
    "[",
    "]",
    "{",
    "}",
    ", ",
    ": ",
    ":",
    "&a ",
    "*a",
    "!!str ",
    "!x ",
    "? ",
    "|",
    "|-\n",
    ">",
    "\"",
    "'",
    "\\",
    "#",
    "---",
    "...",
    "%YAML 1.2\n",
    "~",
    "null",
    "2024-05-17",
    "é",
    "日本語",
    "\u{feff}",
    "\r\n",
    "word",
];

fn yaml_block() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        6 => proptest::sample::select(YAML_FRAGMENTS).prop_map(str::to_string),
        1 => any::<char>().prop_map(String::from),
        1 => "[a-zA-Z ]{1,12}",
    ];
    proptest::collection::vec(piece, 0..60).prop_map(|pieces| pieces.concat())
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100)
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh folder with a valid PNG and JPEG beside the manuscript.
fn book_dir(files: &[(&str, &[u8])]) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("presswork-fuzz-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    for (name, bytes) in files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, bytes).expect("write");
    }
    dir
}

fn encode(image: image::DynamicImage, format: image::ImageFormat) -> Vec<u8> {
    let mut buf = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut buf), format)
        .expect("encode");
    buf
}

fn sample_png() -> Vec<u8> {
    let img = image::RgbaImage::from_fn(17, 9, |x, y| {
        image::Rgba([(x * 15) as u8, (y * 28) as u8, 99, (x * y) as u8])
    });
    encode(img.into(), image::ImageFormat::Png)
}

/// A small SVG with shapes, a gradient, a transform and text: byte flips hit all of them.
fn sample_svg() -> Vec<u8> {
    br##"<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" viewBox="0 0 40 20"><defs><linearGradient id="g"><stop offset="0" stop-color="#f00"/><stop offset="1" stop-color="#00f"/></linearGradient></defs><rect width="40" height="20" fill="url(#g)"/><g transform="rotate(10 20 10)"><circle cx="10" cy="10" r="5"/><text x="18" y="14" font-size="9">Ab</text></g></svg>"##.to_vec()
}

fn sample_jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(19, 11, |x, y| {
        image::Rgb([(x * 13) as u8, (y * 23) as u8, 7])
    });
    encode(img.into(), image::ImageFormat::Jpeg)
}

/// Both back ends; errors are fine, panics are not (proptest reports them as failures).
fn render_both(book: &Book, diagnostics: &mut Diagnostics) {
    let _ = EpubRenderer::default().render(book, diagnostics);
    let _ = PdfRenderer {
        options: PdfOptions::default(),
    }
    .render(book, diagnostics);
}

fn build(dir: &Path, lenient: bool) {
    let mut diagnostics = Diagnostics::default();
    let options = LoadOptions {
        lenient,
        ..LoadOptions::default()
    };
    if let Ok(book) = load_book(dir, &options, &mut diagnostics) {
        render_both(&book, &mut diagnostics);
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        max_shrink_iters: 2000,
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_manuscripts_never_panic(text in manuscript(), lenient in any::<bool>()) {
        let png = sample_png();
        let jpeg = sample_jpeg();
        let dir = book_dir(&[("a.md", text.as_bytes()), ("img.png", &png), ("img.jpg", &jpeg)]);
        build(&dir, lenient);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn arbitrary_front_matter_never_panics(
        yaml in yaml_block(),
        fence in proptest::sample::select(&["---\n", "+++\n", "% ", "%\n"][..]),
        body in manuscript(),
    ) {
        let close = if fence.starts_with('%') { "\n" } else { fence.trim_end_matches(' ') };
        let text = format!("{fence}{yaml}\n{close}{body}");
        let dir = book_dir(&[("a.md", text.as_bytes())]);
        build(&dir, false);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn arbitrary_summaries_never_panic(summary in manuscript(), links in yaml_block()) {
        let summary = format!("{summary}\n- [A](a.md)\n{links}\n  - [B](a.md)\n- [D]()\n");
        let dir = book_dir(&[
            ("src/SUMMARY.md", summary.as_bytes()),
            ("src/a.md", b"# A\n\ntext\n"),
        ]);
        build(&dir, false);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn arbitrary_bytes_as_a_manuscript_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let dir = book_dir(&[("a.md", &bytes)]);
        build(&dir, false);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn arbitrary_image_bytes_never_panic(
        which in 0usize..4,
        flips in proptest::collection::vec((any::<proptest::sample::Index>(), any::<u8>()), 0..12),
        cut in proptest::option::of(any::<proptest::sample::Index>()),
        tail in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let (name, mut bytes) = match which {
            0 => ("pic.png", sample_png()),
            1 => ("pic.jpg", sample_jpeg()),
            2 => ("pic.svg", sample_svg()),
            _ => ("pic.jpg", tail.clone()),
        };
        for (at, value) in flips {
            if !bytes.is_empty() {
                let i = at.index(bytes.len());
                bytes[i] = value;
            }
        }
        if let Some(cut) = cut {
            let len = bytes.len();
            bytes.truncate(cut.index(len + 1));
        }
        bytes.extend_from_slice(&tail);
        let manuscript = format!("# Pictures\n\n![A picture]({name})\n*Caption*\n\nText ![inline]({name}) here.\n");
        let dir = book_dir(&[("a.md", manuscript.as_bytes()), (name, &bytes)]);
        build(&dir, false);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
