//! Hostile and broken input (issue 6): every manuscript and image file here is written by the
//! test into a temporary folder, and each test asserts the exact outcome: which error, or which
//! book. Every accepted manuscript is rendered to both an EPUB and a PDF through the library
//! (no panic, parseable output); when `PRESSWORK_HOSTILE_OUT` names a folder, the EPUBs are
//! written there so CI can run EPUBCheck on them.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use presswork::epub::EpubRenderer;
use presswork::ir::{plain_text, Block, Book, Inline};
use presswork::load::{load_book, LoadOptions};
use presswork::pdf::{PdfOptions, PdfRenderer};
use presswork::{Diagnostics, Error, Renderer};

// ---------------------------------------------------------------------------------------------
// Allocation tracking: the largest single allocation made by the current thread, so a test can
// prove that a decompression bomb is refused before any large buffer exists.

struct Tracking;

thread_local! {
    static LARGEST_ALLOCATION: Cell<usize> = const { Cell::new(0) };
}

/// Bytes allocated and not yet freed, process-wide, and the most there ever were.
static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);
static PEAK_LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);

fn grow(by: usize) {
    let live = LIVE_BYTES.fetch_add(by, Ordering::Relaxed) + by;
    PEAK_LIVE_BYTES.fetch_max(live, Ordering::Relaxed);
}

/// Tests that allocate hundreds of megabytes take this, one at a time: the heap counter is
/// process-wide, so two of them side by side would measure each other.
static LARGE_INPUTS: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_large_input_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    // A test that failed while holding it poisons it; the next one may still run.
    LARGE_INPUTS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn shrink(by: usize) {
    LIVE_BYTES.fetch_sub(by, Ordering::Relaxed);
}

fn note(size: usize) {
    let _ = LARGEST_ALLOCATION.try_with(|c| {
        if size > c.get() {
            c.set(size);
        }
    });
}

// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        grow(layout.size());
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        grow(layout.size());
        // SAFETY: same contract as ours.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        shrink(layout.size());
        grow(new_size);
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        shrink(layout.size());
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Tracking = Tracking;

/// Run `f` and return its result with the largest single allocation it made on this thread.
fn largest_allocation<T>(f: impl FnOnce() -> T) -> (T, usize) {
    LARGEST_ALLOCATION.with(|c| c.set(0));
    let out = f();
    (out, LARGEST_ALLOCATION.with(Cell::get))
}

// ---------------------------------------------------------------------------------------------
// Helpers.

/// A fresh folder holding `files` (path → bytes).
fn book_dir(name: &str, files: &[(&str, &[u8])]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("presswork-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    for (path, bytes) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, bytes).expect("write");
    }
    dir
}

fn load_with(path: &Path, options: &LoadOptions) -> (Result<Book, Error>, Diagnostics) {
    let mut diagnostics = Diagnostics::default();
    let book = load_book(path, options, &mut diagnostics);
    (book, diagnostics)
}

/// Load a book that must be refused.
fn refused(path: &Path) -> Error {
    match load_with(path, &LoadOptions::default()).0 {
        Ok(book) => panic!("{} was accepted: {:?}", path.display(), book.chapters),
        Err(e) => e,
    }
}

/// The reason of an image error, checking the reference it names.
fn image_reason(error: &Error, expected_reference: &str) -> String {
    match error {
        Error::Image {
            reference, reason, ..
        } => {
            assert_eq!(reference, expected_reference, "{error}");
            reason.clone()
        }
        other => panic!("expected an image error, got {other:?}"),
    }
}

/// Load a book that must be accepted, render it to EPUB and PDF and check both parse.
fn accepted(name: &str, path: &Path) -> (Book, Diagnostics) {
    accepted_with(name, path, &LoadOptions::default())
}

fn accepted_with(name: &str, path: &Path, options: &LoadOptions) -> (Book, Diagnostics) {
    let (book, mut diagnostics) = load_with(path, options);
    let book = book.unwrap_or_else(|e| panic!("{name}: refused: {e}"));
    render_both(name, &book, &mut diagnostics);
    (book, diagnostics)
}

fn render_both(name: &str, book: &Book, diagnostics: &mut Diagnostics) {
    assert!(!book.chapters.is_empty(), "{name}: no chapters");
    for chapter in &book.chapters {
        assert!(
            !chapter.title_text().trim().is_empty(),
            "{name}: empty chapter title"
        );
    }
    let epub = EpubRenderer::default()
        .render(book, diagnostics)
        .unwrap_or_else(|e| panic!("{name}: EPUB failed: {e}"));
    check_epub(name, &epub);
    if let Some(folder) = std::env::var_os("PRESSWORK_HOSTILE_OUT") {
        let folder = PathBuf::from(folder);
        std::fs::create_dir_all(&folder).expect("mkdir PRESSWORK_HOSTILE_OUT");
        std::fs::write(folder.join(format!("{name}.epub")), &epub).expect("write EPUB");
    }
    let pdf = PdfRenderer {
        options: PdfOptions::default(),
    }
    .render(book, diagnostics)
    .unwrap_or_else(|e| panic!("{name}: PDF failed: {e}"));
    assert!(pdf.starts_with(b"%PDF-"), "{name}: not a PDF");
    let document = lopdf::Document::load_mem(&pdf)
        .unwrap_or_else(|e| panic!("{name}: PDF does not parse: {e}"));
    assert!(
        !document.get_pages().is_empty(),
        "{name}: PDF without pages"
    );
}

/// Every XML file in the EPUB is well-formed and holds no character XML forbids.
fn check_epub(name: &str, epub: &[u8]) {
    let mut zip = zip::ZipArchive::new(Cursor::new(epub))
        .unwrap_or_else(|e| panic!("{name}: EPUB is not a zip: {e}"));
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).expect("zip entry");
        let file = entry.name().to_string();
        if !(file.ends_with(".xhtml") || file.ends_with(".opf") || file.ends_with(".ncx")) {
            continue;
        }
        let mut text = String::new();
        entry
            .read_to_string(&mut text)
            .unwrap_or_else(|e| panic!("{name}: {file} is not UTF-8: {e}"));
        assert!(
            !text
                .chars()
                .any(|c| (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
                    || matches!(c, '\u{fffe}' | '\u{ffff}')),
            "{name}: {file} holds a control character"
        );
        roxmltree::Document::parse_with_options(
            &text,
            roxmltree::ParsingOptions {
                allow_dtd: true,
                nodes_limit: u32::MAX,
                ..roxmltree::ParsingOptions::default()
            },
        )
        .unwrap_or_else(|e| panic!("{name}: {file} is not well-formed: {e}"));
    }
}

fn all_text(book: &Book) -> String {
    let mut text = String::new();
    for chapter in &book.chapters {
        text.push_str(&chapter.title_text());
        text.push('\n');
        presswork::ir::visit_inlines(&chapter.blocks, &mut |inlines| {
            text.push_str(&plain_text(inlines));
            text.push('\n');
        });
    }
    text
}

fn titles(book: &Book) -> Vec<String> {
    book.chapters.iter().map(|c| c.title_text()).collect()
}

/// Depth of block containers (block quotes, lists) in a block list.
fn block_depth(blocks: &[Block]) -> usize {
    let mut deepest = 0;
    let mut stack: Vec<(&[Block], usize)> = vec![(blocks, 0)];
    while let Some((blocks, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        for block in blocks {
            match block {
                Block::BlockQuote(inner) => stack.push((inner, depth + 1)),
                Block::List(list) => {
                    for item in &list.items {
                        stack.push((&item.blocks, depth + 1));
                    }
                }
                _ => {}
            }
        }
    }
    deepest
}

/// Depth of inline containers.
fn inline_depth(inlines: &[Inline]) -> usize {
    let mut deepest = 0;
    let mut stack: Vec<(&[Inline], usize)> = vec![(inlines, 0)];
    while let Some((inlines, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        for inline in inlines {
            match inline {
                Inline::Emphasis(c)
                | Inline::Strong(c)
                | Inline::Strikethrough(c)
                | Inline::Styled { content: c, .. } => stack.push((c, depth + 1)),
                Inline::Link { content, .. } => stack.push((content, depth + 1)),
                _ => {}
            }
        }
    }
    deepest
}

fn assert_fast(name: &str, started: Instant, limit: Duration) {
    let took = started.elapsed();
    assert!(took < limit, "{name} took {took:?} (limit {limit:?})");
}

// ---------------------------------------------------------------------------------------------
// Image files.

fn encode(image: image::DynamicImage, format: image::ImageFormat) -> Vec<u8> {
    let mut buf = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut buf), format)
        .expect("encode");
    buf
}

fn rgb_jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 5) as u8, (y * 9) as u8, 120])
    });
    encode(img.into(), image::ImageFormat::Jpeg)
}

fn rgb_png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 7) as u8, (y * 3) as u8, 60])
    });
    encode(img.into(), image::ImageFormat::Png)
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend((data.len() as u32).to_be_bytes());
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend(&body);
    out.extend(crc32(&body).to_be_bytes());
}

/// A PNG whose header claims `width`×`height` RGBA pixels, followed by a few bytes of data.
fn png_header_only(width: u32, height: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]);
    png_chunk(&mut png, b"IHDR", &ihdr);
    png_chunk(
        &mut png,
        b"IDAT",
        &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    png_chunk(&mut png, b"IEND", &[]);
    png
}

/// A valid PNG of zeros, streamed row by row so the test itself never holds the pixels.
fn zeros_png(width: u32, height: u32, color: png::ColorType, depth: png::BitDepth) -> Vec<u8> {
    let samples = match color {
        png::ColorType::Grayscale | png::ColorType::Indexed => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
    };
    let bytes_per_sample = if depth == png::BitDepth::Sixteen {
        2
    } else {
        1
    };
    let row = vec![0u8; width as usize * samples * bytes_per_sample];
    // The stream writer needs a `'static` sink: stream into a temporary file.
    let path = std::env::temp_dir().join(format!(
        "presswork-hostile-{}-zeros-{width}x{height}.png",
        std::process::id()
    ));
    {
        let file = std::fs::File::create(&path).expect("create");
        let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), width, height);
        encoder.set_color(color);
        encoder.set_depth(depth);
        encoder.set_compression(png::Compression::Fast);
        let mut stream = encoder
            .write_header()
            .expect("header")
            .into_stream_writer()
            .expect("stream");
        for _ in 0..height {
            stream.write_all(&row).expect("row");
        }
        stream.finish().expect("finish");
    }
    let bytes = std::fs::read(&path).expect("read back");
    let _ = std::fs::remove_file(&path);
    bytes
}

fn jpeg_segment(out: &mut Vec<u8>, marker: u8, body: &[u8]) {
    out.extend([0xFF, marker]);
    out.extend(((body.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(body);
}

/// A baseline CMYK JPEG, 16×8, built byte by byte: an Adobe APP14 segment (transform 0,
/// plain CMYK), one quantisation table, four components without subsampling, one-code Huffman
/// tables, and two MCUs of four all-zero blocks (mid-grey in every ink).
fn cmyk_jpeg() -> Vec<u8> {
    let mut j = vec![0xFF, 0xD8];
    jpeg_segment(&mut j, 0xEE, b"Adobe\x00\x64\x00\x00\x00\x00\x00");
    let mut dqt = vec![0u8];
    dqt.extend([1u8; 64]);
    jpeg_segment(&mut j, 0xDB, &dqt);
    let mut sof = vec![8, 0, 8, 0, 16, 4];
    for id in 1..=4u8 {
        sof.extend([id, 0x11, 0]);
    }
    jpeg_segment(&mut j, 0xC0, &sof);
    let mut dht = Vec::new();
    for class in [0x00u8, 0x10] {
        dht.push(class);
        dht.push(1); // one code of length 1…
        dht.extend([0u8; 15]);
        dht.push(0); // …for symbol 0 (DC: difference category 0; AC: end of block)
    }
    jpeg_segment(&mut j, 0xC4, &dht);
    let mut sos = vec![4u8];
    for id in 1..=4u8 {
        sos.extend([id, 0x00]);
    }
    sos.extend([0, 63, 0]);
    jpeg_segment(&mut j, 0xDA, &sos);
    // 2 MCUs × 4 blocks × ("0" DC + "0" EOB) = 16 bits.
    j.extend([0x00, 0x00]);
    j.extend([0xFF, 0xD9]);
    j
}

/// Insert an APP1 Exif segment carrying `Orientation = orientation` right after the SOI.
fn with_exif_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend(b"MM\0\x2a");
    exif.extend(8u32.to_be_bytes()); // IFD0 offset
    exif.extend(1u16.to_be_bytes()); // one entry
    exif.extend(0x0112u16.to_be_bytes()); // Orientation
    exif.extend(3u16.to_be_bytes()); // SHORT
    exif.extend(1u32.to_be_bytes()); // count
    exif.extend(orientation.to_be_bytes());
    exif.extend([0, 0]);
    exif.extend(0u32.to_be_bytes()); // no next IFD
    let mut out = jpeg[..2].to_vec();
    jpeg_segment(&mut out, 0xE1, &exif);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// The smallest GIF: 1×1, one palette entry.
const TINY_GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff\x21\xf9\x04\x01\x00\x00\x00\x00\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3b";

/// A manuscript using one image as a figure.
fn figure_manuscript(reference: &str) -> Vec<u8> {
    format!("# Photos\n\nSome text.\n\n![A described picture]({reference})\n*The caption*\n")
        .into_bytes()
}

// ---------------------------------------------------------------------------------------------
// Broken and hostile images.

#[test]
fn truncated_jpeg_is_refused_with_its_name() {
    let jpeg = rgb_jpeg(64, 48);
    let dir = book_dir(
        "truncated-jpeg",
        &[
            ("a.md", &figure_manuscript("photo.jpg")),
            ("photo.jpg", &jpeg[..jpeg.len() / 3]),
        ],
    );
    let error = refused(&dir);
    let reason = image_reason(&error, "photo.jpg");
    assert!(
        reason.ends_with(
            "photo.jpg: corrupt or truncated image: Format error decoding Jpeg: I/O errors Not enough bytes, expected 162 but found 38"
        ),
        "{reason}"
    );
    assert!(error.to_string().contains("a.md:5:1"), "{error}");
}

#[test]
fn jpeg_cut_off_before_its_end_marker_is_refused() {
    let jpeg = rgb_jpeg(64, 48);
    assert_eq!(
        &jpeg[jpeg.len() - 2..],
        [0xFF, 0xD9],
        "the encoder ends with EOI"
    );
    // Cut just before the end marker: every scan byte is there, the decoder alone accepts it.
    let cut = &jpeg[..jpeg.len() - 2];
    assert!(
        image::load_from_memory(cut).is_ok(),
        "the decoder does not notice"
    );
    let dir = book_dir(
        "jpeg-no-eoi",
        &[
            ("a.md", &figure_manuscript("photo.jpg")),
            ("photo.jpg", cut),
        ],
    );
    let error = refused(&dir);
    let reason = image_reason(&error, "photo.jpg");
    assert!(
        reason.ends_with(
            "photo.jpg: truncated JPEG: the image data stops before its end-of-image marker \
             (the file was cut off while copying or downloading)"
        ),
        "{reason}"
    );
    assert!(error.to_string().contains("a.md:5:1"), "{error}");
}

#[test]
fn lenient_turns_unusable_local_images_into_their_alt_text() {
    let jpeg = rgb_jpeg(64, 48);
    let manuscript = b"# Pictures\n\n![A cut-off photo](cut.jpg)\n*Its caption*\n\n\
Text with ![an animation](anim.gif) inside.\n\n![A missing chart](gone.png)\n\nEnd.\n";
    let dir = book_dir(
        "lenient-local",
        &[
            ("a.md", manuscript),
            ("cut.jpg", &jpeg[..jpeg.len() - 2]),
            ("anim.gif", TINY_GIF),
        ],
    );
    let error = refused(&dir);
    assert!(
        image_reason(&error, "cut.jpg").contains("truncated JPEG"),
        "{error}"
    );
    let options = LoadOptions {
        lenient: true,
        ..LoadOptions::default()
    };
    let (book, diagnostics) = accepted_with("lenient-local", &dir, &options);
    assert!(book.assets.is_empty());
    let paragraphs: Vec<String> = book.chapters[0]
        .blocks
        .iter()
        .map(|b| match b {
            Block::Paragraph(p) => plain_text(p),
            other => panic!("only paragraphs expected, got {other:?}"),
        })
        .collect();
    assert_eq!(
        paragraphs,
        [
            "A cut-off photo Its caption",
            "Text with an animation inside.",
            "A missing chart",
            "End."
        ]
    );
    let left_out: Vec<String> = diagnostics
        .warnings
        .iter()
        .map(|w| w.to_string())
        .filter(|w| w.contains("left out"))
        .collect();
    assert_eq!(left_out.len(), 3, "{:?}", diagnostics.warnings);
    assert!(
        left_out[0].contains("a.md:3:1: image `cut.jpg` left out: "),
        "{}",
        left_out[0]
    );
    assert!(
        left_out[1].contains("a.md:6:11: image `anim.gif` left out: "),
        "{}",
        left_out[1]
    );
    assert!(left_out[1].contains("a GIF file"), "{}", left_out[1]);
    assert!(
        left_out[2].contains("a.md:8:1: image `gone.png` left out: "),
        "{}",
        left_out[2]
    );
    assert!(left_out[2].contains("file not found"), "{}", left_out[2]);
}

/// An SVG with the given root attributes and body.
fn svg(attributes: &str, body: &str) -> Vec<u8> {
    format!("<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" {attributes}>{body}</svg>")
        .into_bytes()
}

#[test]
fn svg_never_reads_outside_its_own_bytes() {
    // A file beside the book that the SVG points at three ways; none may end up in the book.
    let secret_dir = book_dir(
        "svg-secret",
        &[
            (
                "secret.svg",
                &svg(
                    "width=\"9\" height=\"9\"",
                    "<rect width=\"9\" height=\"9\" fill=\"#123456\"/>",
                ),
            ),
            ("secret.png", &rgb_png(9, 9)),
        ],
    );
    let secret_svg = secret_dir.join("secret.svg");
    let secret_png = secret_dir.join("secret.png");
    let body = format!(
        "<image width=\"9\" height=\"9\" xlink:href=\"{}\"/>\
         <image width=\"9\" height=\"9\" href=\"file://{}\"/>\
         <image width=\"9\" height=\"9\" href=\"secret.png\"/>\
         <use xlink:href=\"{}#x\"/>\
         <circle cx=\"20\" cy=\"20\" r=\"5\" fill=\"#abcdef\"/>",
        secret_svg.display(),
        secret_png.display(),
        secret_svg.display()
    );
    let drawing = svg("width=\"40\" height=\"40\"", &body);
    let dir = book_dir(
        "svg-external",
        &[
            ("a.md", &figure_manuscript("d.svg")),
            ("d.svg", &drawing),
            ("secret.png", &rgb_png(9, 9)),
        ],
    );
    let (book, _) = accepted("svg-external", &dir);
    let stored = String::from_utf8(book.assets[0].bytes.clone()).expect("UTF-8");
    assert!(stored.contains("#abcdef"), "{stored}");
    assert!(
        !stored.contains("123456") && !stored.contains("href") && !stored.contains("<image"),
        "{stored}"
    );
    let _ = std::fs::remove_dir_all(&secret_dir);
}

#[test]
fn svg_text_no_bundled_font_has_is_named_where_the_image_is_used() {
    let drawing = svg(
        "width=\"120\" height=\"30\"",
        "<text x=\"5\" y=\"20\" font-family=\"Arial\">Tokyo 東京</text>",
    );
    let dir = book_dir(
        "svg-cjk",
        &[
            ("a.md", &figure_manuscript("map.svg")),
            ("map.svg", &drawing),
        ],
    );
    let (book, diagnostics) = accepted("svg-cjk", &dir);
    assert_eq!(book.assets.len(), 1);
    let warnings: Vec<String> = diagnostics
        .warnings
        .iter()
        .map(|w| w.to_string())
        .filter(|w| w.contains("no bundled font"))
        .collect();
    assert_eq!(warnings.len(), 1, "{:?}", diagnostics.warnings);
    assert!(
        warnings[0]
            .contains("a.md:5:1: image `map.svg`: no bundled font has the characters `東京`"),
        "{}",
        warnings[0]
    );
}

#[test]
fn broken_sizeless_compressed_and_huge_svgs_are_refused() {
    let cases: [(&str, Vec<u8>, &str); 5] = [
        ("broken.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"5\"><rect".to_vec(), "malformed SVG"),
        ("sizeless.svg", svg("", "<rect width=\"5\" height=\"5\"/>"), "size is unknown"),
        ("zipped.svg", vec![0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3], "a gzip-compressed (an .svgz? save it as plain SVG) file"),
        ("huge.svg", svg("width=\"200000\" height=\"200000\"", ""), "exceeds the limit"),
        ("latin1.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"5\" height=\"5\"><title>\xe9</title></svg>".to_vec(), "not UTF-8"),
    ];
    for (name, bytes, expected) in cases {
        let dir = book_dir(name, &[("a.md", &figure_manuscript(name)), (name, &bytes)]);
        let error = refused(&dir);
        let reason = image_reason(&error, name);
        assert!(reason.contains(expected), "{name}: {reason}");
        assert!(error.to_string().contains("a.md:5:1"), "{error}");
    }
}

#[test]
fn corrupt_png_is_refused_with_its_name() {
    let mut png = rgb_png(32, 32);
    let idat = png
        .windows(4)
        .position(|w| w == b"IDAT")
        .expect("IDAT chunk");
    png[idat + 20] ^= 0xFF;
    let dir = book_dir(
        "corrupt-png",
        &[("a.md", &figure_manuscript("pic.png")), ("pic.png", &png)],
    );
    let reason = image_reason(&refused(&dir), "pic.png");
    assert!(
        reason.ends_with(
            "pic.png: corrupt PNG: its IDAT chunk does not match its checksum \
             (the file was damaged while copying or downloading)"
        ),
        "{reason}"
    );
}

#[test]
fn png_header_claiming_60000_squared_is_refused_before_allocating() {
    let dir = book_dir(
        "bomb-header",
        &[
            ("a.md", &figure_manuscript("bomb.png")),
            ("bomb.png", &png_header_only(60_000, 60_000)),
        ],
    );
    let (error, largest) = largest_allocation(|| refused(&dir));
    let reason = image_reason(&error, "bomb.png");
    assert!(
        reason.ends_with(
            "60000×60000 pixels exceeds the limit of 100000000 pixels; scale the image down"
        ),
        "{reason}"
    );
    assert!(largest < 4 << 20, "largest allocation {largest} bytes");
}

#[test]
fn small_png_inflating_to_144_megabytes_is_refused_by_the_pixel_limit() {
    // 12000×12000 grey zeros: 144 MB of pixels in a file of a few hundred kilobytes.
    let png = zeros_png(
        12_000,
        12_000,
        png::ColorType::Grayscale,
        png::BitDepth::Eight,
    );
    assert!(png.len() < 1 << 20, "bomb is {} bytes", png.len());
    let dir = book_dir(
        "bomb-inflate",
        &[
            ("a.md", &figure_manuscript("zeros.png")),
            ("zeros.png", &png),
        ],
    );
    let (error, largest) = largest_allocation(|| refused(&dir));
    let reason = image_reason(&error, "zeros.png");
    assert!(
        reason.ends_with(
            "12000×12000 pixels exceeds the limit of 100000000 pixels; scale the image down"
        ),
        "{reason}"
    );
    assert!(largest < 4 << 20, "largest allocation {largest} bytes");
}

#[test]
fn png_under_the_pixel_limit_but_inflating_to_720_megabytes_is_refused() {
    // 10000×9000 16-bit RGBA: 90 megapixels (under the pixel limit) but 720 MB decoded.
    let png = zeros_png(10_000, 9_000, png::ColorType::Rgba, png::BitDepth::Sixteen);
    assert!(png.len() < 4 << 20, "bomb is {} bytes", png.len());
    let dir = book_dir(
        "bomb-bytes",
        &[("a.md", &figure_manuscript("deep.png")), ("deep.png", &png)],
    );
    let (error, largest) = largest_allocation(|| refused(&dir));
    let reason = image_reason(&error, "deep.png");
    assert!(
        reason.ends_with(
            "10000×9000 pixels of Rgba16 would take 720000000 bytes decoded, over the limit of 400000000; scale the image down"
        ),
        "{reason}"
    );
    assert!(largest < 8 << 20, "largest allocation {largest} bytes");
}

#[test]
fn cmyk_jpeg_is_accepted() {
    let jpeg = cmyk_jpeg();
    let dir = book_dir(
        "cmyk",
        &[
            ("a.md", &figure_manuscript("cmyk.jpg")),
            ("cmyk.jpg", &jpeg),
        ],
    );
    let (book, _) = accepted("cmyk-jpeg", &dir);
    let asset = &book.assets[0];
    assert_eq!((asset.width, asset.height), (16, 8));
    assert_eq!(asset.format.media_type(), "image/jpeg");
    assert_eq!(asset.bytes, jpeg, "the JPEG is kept as it is");
}

#[test]
fn sixteen_bit_palette_and_transparent_pngs_are_accepted() {
    let sixteen = image::ImageBuffer::<image::Rgb<u16>, _>::from_fn(30, 20, |x, y| {
        image::Rgb([(x * 2000) as u16, (y * 3000) as u16, 40000])
    });
    let sixteen = encode(sixteen.into(), image::ImageFormat::Png);
    let transparent = image::RgbaImage::from_fn(24, 12, |x, y| {
        image::Rgba([200, (x * 10) as u8, 30, (y * 20) as u8])
    });
    let transparent = encode(transparent.into(), image::ImageFormat::Png);
    let grey_alpha =
        image::GrayAlphaImage::from_fn(8, 8, |x, _| image::LumaA([90, (x * 30) as u8]));
    let grey_alpha = encode(grey_alpha.into(), image::ImageFormat::Png);
    let mut palette = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut palette, 10, 5);
        encoder.set_color(png::ColorType::Indexed);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_palette(vec![255u8, 0, 0, 0, 255, 0, 0, 0, 255]);
        encoder.set_trns(vec![255u8, 128, 0]);
        let mut writer = encoder.write_header().expect("header");
        let data: Vec<u8> = (0..50).map(|i| (i % 3) as u8).collect();
        writer.write_image_data(&data).expect("data");
    }
    let manuscript = b"# Pictures\n\n![Sixteen bits](sixteen.png)\n\n![Palette](palette.png)\n\n![Alpha](alpha.png)\n\n![Grey and alpha](grey.png)\n";
    let dir = book_dir(
        "png-kinds",
        &[
            ("a.md", manuscript),
            ("sixteen.png", &sixteen),
            ("palette.png", &palette),
            ("alpha.png", &transparent),
            ("grey.png", &grey_alpha),
        ],
    );
    let (book, _) = accepted("png-kinds", &dir);
    let sizes: Vec<(u32, u32)> = book.assets.iter().map(|a| (a.width, a.height)).collect();
    assert_eq!(sizes, [(30, 20), (10, 5), (24, 12), (8, 8)]);
    assert!(book
        .assets
        .iter()
        .all(|a| a.format.media_type() == "image/png"));
}

#[test]
fn exif_rotated_jpeg_has_its_displayed_size() {
    let jpeg = with_exif_orientation(&rgb_jpeg(40, 20), 6);
    let dir = book_dir(
        "exif",
        &[
            ("a.md", &figure_manuscript("phone.jpg")),
            ("phone.jpg", &jpeg),
        ],
    );
    let (book, _) = accepted("exif-rotated", &dir);
    let asset = &book.assets[0];
    assert_eq!(
        (asset.width, asset.height),
        (20, 40),
        "orientation 6 turns 40×20 on its side"
    );
}

#[test]
fn gif_renamed_jpg_is_refused_by_its_bytes() {
    let dir = book_dir(
        "gif",
        &[
            ("a.md", &figure_manuscript("anim.jpg")),
            ("anim.jpg", TINY_GIF),
        ],
    );
    let reason = image_reason(&refused(&dir), "anim.jpg");
    assert!(
        reason.ends_with(
            "anim.jpg: a GIF file, not a JPEG, PNG or SVG image (the format is read from the bytes, not the name); convert it to JPEG, PNG or SVG"
        ),
        "{reason}"
    );
}

#[test]
fn empty_image_file_is_refused() {
    let dir = book_dir(
        "empty-image",
        &[
            ("a.md", &figure_manuscript("blank.png")),
            ("blank.png", b""),
        ],
    );
    let reason = image_reason(&refused(&dir), "blank.png");
    assert!(reason.ends_with("blank.png: the file is empty"), "{reason}");
}

#[test]
fn directory_named_like_an_image_is_refused() {
    let dir = book_dir("dir-image", &[("a.md", &figure_manuscript("x.jpg"))]);
    std::fs::create_dir_all(dir.join("x.jpg")).expect("mkdir");
    let reason = image_reason(&refused(&dir), "x.jpg");
    assert!(reason.ends_with("x.jpg is not a regular file"), "{reason}");
}

#[cfg(unix)]
#[test]
fn fifo_named_like_an_image_is_refused_without_blocking() {
    let dir = book_dir("fifo-image", &[("a.md", &figure_manuscript("pipe.png"))]);
    let status = std::process::Command::new("mkfifo")
        .arg(dir.join("pipe.png"))
        .status()
        .expect("mkfifo");
    assert!(status.success());
    let started = Instant::now();
    let reason = image_reason(&refused(&dir), "pipe.png");
    assert!(
        reason.ends_with("pipe.png is not a regular file"),
        "{reason}"
    );
    assert_fast("fifo", started, Duration::from_secs(5));
}

#[cfg(unix)]
#[test]
fn symlink_pointing_outside_the_book_is_refused() {
    let outside = book_dir("symlink-target", &[("secret.jpg", &rgb_jpeg(8, 8))]);
    let dir = book_dir("symlink", &[("a.md", &figure_manuscript("innocent.jpg"))]);
    std::os::unix::fs::symlink(outside.join("secret.jpg"), dir.join("innocent.jpg"))
        .expect("symlink");
    let reason = image_reason(&refused(&dir), "innocent.jpg");
    assert!(
        reason.contains("secret.jpg, outside the allowed folders"),
        "{reason}"
    );
}

#[cfg(unix)]
#[test]
fn symlink_to_dev_zero_is_refused_without_reading() {
    let dir = book_dir("dev-zero", &[("a.md", &figure_manuscript("zero.png"))]);
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.png")).expect("symlink");
    let started = Instant::now();
    let reason = image_reason(&refused(&dir), "zero.png");
    assert!(
        reason.starts_with("resolves to /dev/zero, outside the allowed folders"),
        "{reason}"
    );
    assert_fast("/dev/zero", started, Duration::from_secs(5));
}

#[test]
fn escaping_absolute_and_url_references_are_refused() {
    let cases: &[(&str, &str)] = &[
        (
            "../../../../../../etc/passwd",
            "resolves to /etc/passwd, outside the allowed folders",
        ),
        (
            "/etc/passwd",
            "absolute paths are not allowed; use a path relative to the manuscript",
        ),
        (
            "file:///etc/passwd",
            "`file:` URLs are not allowed; use a path relative to the manuscript",
        ),
        (
            "FILE:/etc/hosts",
            "`file:` URLs are not allowed; use a path relative to the manuscript",
        ),
        (
            "http://example.org/a.jpg",
            "remote images are never fetched",
        ),
        (
            "HTTPS://example.org/a.jpg",
            "remote images are never fetched",
        ),
        (
            "%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
            "resolves to /etc/passwd, outside the allowed folders",
        ),
        ("", "empty image path"),
    ];
    for (reference, expected) in cases {
        let dir = book_dir(
            "refs",
            &[("a.md", &figure_manuscript(&format!("<{reference}>")))],
        );
        let error = refused(&dir);
        let reason = image_reason(&error, reference);
        assert!(reason.starts_with(expected), "{reference}: {reason}");
        assert!(error.to_string().contains("a.md:5:1"), "{error}");
    }
}

#[test]
fn lenient_turns_remote_images_into_their_alt_text() {
    let manuscript = b"# Web\n\n![A chart of sales](https://example.org/chart.png)\n*Sales by year*\n\nText with ![an inline icon](http://example.org/i.png) inside.\n\n![](https://example.org/no-alt.png)\n\nEnd.\n";
    let dir = book_dir("lenient", &[("a.md", manuscript)]);
    let error = refused(&dir);
    assert!(
        image_reason(&error, "https://example.org/chart.png").contains("never fetched"),
        "{error}"
    );
    let options = LoadOptions {
        lenient: true,
        ..LoadOptions::default()
    };
    let (book, diagnostics) = accepted_with("lenient-remote", &dir, &options);
    assert!(book.assets.is_empty());
    let paragraphs: Vec<String> = book.chapters[0]
        .blocks
        .iter()
        .map(|b| match b {
            Block::Paragraph(p) => plain_text(p),
            other => panic!("only paragraphs expected, got {other:?}"),
        })
        .collect();
    assert_eq!(
        paragraphs,
        [
            "A chart of sales Sales by year",
            "Text with an inline icon inside.",
            "End."
        ]
    );
    let remote: Vec<String> = diagnostics
        .warnings
        .iter()
        .map(|w| w.to_string())
        .filter(|w| w.contains("not fetched"))
        .collect();
    assert_eq!(remote.len(), 3, "{:?}", diagnostics.warnings);
    assert!(remote[0].contains("a.md:3:1: remote image `https://example.org/chart.png`"));
}

// ---------------------------------------------------------------------------------------------
// Broken and hostile text.

#[test]
fn invalid_utf8_names_byte_line_and_column() {
    let dir = book_dir("utf8", &[("u.md", b"# T\n\nab\xc3\xa9\xff rest\n")]);
    match refused(&dir) {
        Error::NotUtf8 {
            offset,
            line,
            column,
            ..
        } => assert_eq!((offset, line, column), (9, 3, 4)),
        other => panic!("{other:?}"),
    }
    // An encoded lone surrogate (CESU-8 style) is not UTF-8 either.
    let dir = book_dir("surrogate", &[("s.md", b"Text \xed\xa0\x80 more\n")]);
    let error = refused(&dir);
    assert!(
        error
            .to_string()
            .ends_with("s.md:1:6: not valid UTF-8 at byte 5; save the file as UTF-8"),
        "{error}"
    );
}

#[test]
fn nul_control_characters_and_bad_references_become_replacement_characters() {
    let manuscript = "+++\ntitle = \"Bad\\u0001Title\"\nauthors = [\"A\\u0007B\"]\n+++\n# Head\u{0}ing\n\nNUL \u{0} bell \u{7} escape \u{1b} del \u{7f} c1 \u{85}.\n\nRefs &#0; &#1; &#x1F; &#xD800; &#xFFFF; &#x110000; &#65534;.\n\n`code \u{0}` and [link\u{1}](#heading).\n";
    let dir = book_dir("controls", &[("c.md", manuscript.as_bytes())]);
    let (book, _) = accepted("control-characters", &dir);
    assert_eq!(book.meta.title, "Bad\u{fffd}Title");
    assert_eq!(book.meta.authors, ["A\u{fffd}B"]);
    let text = all_text(&book);
    assert!(
        !text
            .chars()
            .any(|c| c.is_control() && c != '\n' || matches!(c, '\u{fffe}' | '\u{ffff}')),
        "{text:?}"
    );
    assert_eq!(titles(&book), ["Head\u{fffd}ing"]);
    assert!(
        text.contains("NUL \u{fffd} bell \u{fffd} escape \u{fffd} del \u{fffd} c1 \u{fffd}."),
        "{text:?}"
    );
    assert!(
        text.contains("Refs \u{fffd} \u{fffd} \u{fffd} \u{fffd} \u{fffd} \u{fffd} \u{fffd}."),
        "{text:?}"
    );
    assert!(text.contains("code \u{fffd}"), "{text:?}");
}

#[test]
fn empty_and_whitespace_only_manuscripts_are_refused() {
    let cases: &[(&str, &[u8], &str)] = &[
        ("empty", b"", "the manuscript is empty; write some Markdown text first"),
        ("blank", b" \n\t\n\r\n   \n", "the manuscript is empty; write some Markdown text first"),
        ("bom", b"\xef\xbb\xbf\n", "the manuscript is empty; write some Markdown text first"),
        (
            "front-matter-only",
            b"+++\ntitle = \"T\"\n+++\n\n",
            "the manuscript is empty; write some Markdown text first",
        ),
        (
            "comment-only",
            b"<!-- nothing here -->\n\n[ref]: https://example.org\n",
            "the manuscript has no text to publish (only comments, link definitions or front matter); write some Markdown text first",
        ),
    ];
    for (name, bytes, expected) in cases {
        let dir = book_dir(&format!("empty-{name}"), &[("e.md", bytes)]);
        match refused(&dir) {
            Error::Manuscript { path, message } => {
                assert_eq!(&message, expected, "{name}");
                assert!(path.ends_with("e.md"), "{name}: {}", path.display());
            }
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn no_title_and_no_headings_give_one_chapter_named_after_the_file() {
    let dir = book_dir("untitled", &[("my-notes.md", b"Just a line of text.\n")]);
    let (book, _) = accepted("no-title-no-headings", &dir);
    assert_eq!(book.meta.title, "my-notes");
    assert_eq!(titles(&book), ["my-notes"]);
    assert_eq!(book.chapters[0].blocks.len(), 1);
}

#[test]
fn empty_headings_get_numbered_titles_or_are_dropped() {
    let png = rgb_png(12, 12);
    let manuscript = b"#\n\nFirst.\n\n# ![](icon.png)\n\nSecond.\n\n## \n\n## [](#nowhere)\n\n### ![Icon alt](icon.png)\n\n# **  **\n\nThird.\n\n#    #####\n\nFourth.\n";
    let dir = book_dir(
        "empty-headings",
        &[("a.md", manuscript), ("icon.png", &png)],
    );
    let (book, diagnostics) = accepted("empty-headings", &dir);
    // `# **  **` is not emphasis in CommonMark (the delimiters are followed by spaces): its
    // asterisks are its text, as GitHub shows it.
    assert_eq!(
        titles(&book),
        ["Chapter 1", "Chapter 2", "**  **", "Chapter 4"]
    );
    assert_eq!(book.meta.title, "a");
    let second = &book.chapters[1].blocks;
    assert!(
        matches!(&second[0], Block::Paragraph(p) if matches!(p[..], [Inline::Image { .. }])),
        "the image of `# ![](icon.png)` is kept: {second:?}"
    );
    assert!(matches!(&second[1], Block::Paragraph(_)));
    assert!(
        matches!(&second[2], Block::Heading { content, .. } if plain_text(content) == "Icon alt")
    );
    assert_eq!(
        second.len(),
        3,
        "the two empty `##` are dropped: {second:?}"
    );
    // One warning per dropped heading, at its line.
    let dropped: Vec<String> = diagnostics
        .warnings
        .iter()
        .map(|w| w.to_string())
        .filter(|w| w.contains("a heading with no text is left out"))
        .collect();
    assert_eq!(dropped.len(), 2, "{dropped:?}");
    assert!(dropped[0].contains("a.md:9:1:"), "{dropped:?}");
    assert!(dropped[1].contains("a.md:11:1:"), "{dropped:?}");
}

#[test]
fn single_heading_made_of_markup_does_not_become_an_empty_title() {
    let png = rgb_png(12, 12);
    let dir = book_dir(
        "markup-title",
        &[
            (
                "story.md",
                b"# ![](icon.png)\n\n## Part\n\nText.\n" as &[u8],
            ),
            ("icon.png", &png),
        ],
    );
    let (book, _) = accepted("markup-only-title", &dir);
    assert_eq!(book.meta.title, "story");
    assert_eq!(titles(&book), ["Part"]);
}

fn nested(prefix: &str, depth: usize, text: &str) -> Vec<u8> {
    let mut s = String::from("# Deep\n\n");
    s.push_str(&prefix.repeat(depth));
    s.push_str(text);
    s.push_str("\n\nAfter.\n");
    s.into_bytes()
}

#[test]
fn five_thousand_nested_block_quotes_and_lists_are_flattened() {
    let cases: &[(&str, &str)] = &[
        ("quotes", "> "),
        ("quotes-tight", ">"),
        ("bullets", "- "),
        ("numbers", "1. "),
        ("mixed", "> - "),
    ];
    for (name, prefix) in cases {
        let started = Instant::now();
        let dir = book_dir(
            &format!("nest-{name}"),
            &[("a.md", &nested(prefix, 5000, "the bottom"))],
        );
        let (book, _) = accepted(&format!("nested-{name}"), &dir);
        // A list level is two containers (list and item), a quote level one.
        let depth = block_depth(&book.chapters[0].blocks);
        let expected = match *name {
            "quotes" | "quotes-tight" => 100,
            "mixed" => 67,
            _ => 50,
        };
        assert!(depth == expected, "{name}: depth {depth} after flattening");
        let text = all_text(&book);
        assert!(
            text.contains("the bottom") && text.contains("After."),
            "{name}"
        );
        assert_fast(name, started, Duration::from_secs(20));
    }
}

#[test]
fn five_thousand_nested_emphases_and_links_are_flattened() {
    let emphasis = format!("{}deep{}", "*_".repeat(2500), "_*".repeat(2500));
    let links = format!("{}deep{}", "[".repeat(5000), "](#deep)".repeat(5000));
    let strong = format!("{}deep{}", "**".repeat(2500), "**".repeat(2500));
    let html = format!(
        "{}deep{}",
        "<b><sup>".repeat(2500),
        "</sup></b>".repeat(2500)
    );
    let unclosed = format!("{}deep", "<kbd><a href=\"#deep\">".repeat(2500));
    for (name, line) in [
        ("emphasis", emphasis),
        ("links", links),
        ("strong", strong),
        ("html", html),
        ("html-unclosed", unclosed),
    ] {
        let started = Instant::now();
        let dir = book_dir(
            &format!("inline-{name}"),
            &[("a.md", format!("# Deep\n\n{line}\n").as_bytes())],
        );
        let (book, _) = accepted(&format!("nested-inline-{name}"), &dir);
        let mut deepest = 0;
        presswork::ir::visit_inlines(&book.chapters[0].blocks, &mut |inlines| {
            deepest = deepest.max(inline_depth(inlines));
        });
        assert!(deepest <= 100, "{name}: inline depth {deepest}");
        assert!(all_text(&book).contains("deep"), "{name}");
        assert_fast(name, started, Duration::from_secs(20));
    }
}

#[test]
fn five_thousand_nested_html_blocks_keep_their_text() {
    let started = Instant::now();
    let manuscript = format!(
        "# Deep\n\n{}\nthe bottom\n{}\n\nAfter.\n\n<details>\n<summary>never closed\n",
        "<div><details>".repeat(2500),
        "</details></div>".repeat(2500)
    );
    let dir = book_dir("html-blocks", &[("a.md", manuscript.as_bytes())]);
    let (book, _) = accepted("nested-html-blocks", &dir);
    let text = all_text(&book);
    for expected in ["the bottom", "After.", "never closed"] {
        assert!(text.contains(expected), "{expected} lost: {text}");
    }
    assert_fast("html blocks", started, Duration::from_secs(20));
}

#[test]
fn a_hundred_thousand_warnings_are_each_kept_and_stay_fast() {
    let started = Instant::now();
    let mut manuscript = String::from("# Links\n\n");
    for i in 0..100_000 {
        manuscript.push_str(&format!("[refused {i}](javascript:f({i}))\n"));
    }
    let dir = book_dir("many-warnings", &[("a.md", manuscript.as_bytes())]);
    let (book, diagnostics) = load_with(&dir, &LoadOptions::default());
    assert!(book.is_ok());
    let refused = diagnostics
        .warnings
        .iter()
        .filter(|w| w.message.contains("javascript:"))
        .count();
    assert_eq!(refused, 100_000, "one located warning per refused link");
    assert_fast("100,000 warnings", started, Duration::from_secs(20));
}

#[test]
fn five_thousand_character_word_is_set() {
    let word: String = "abcdefghij".repeat(500);
    let mixed: String = (0..5000)
        .map(|i| char::from(b'a' + (i * 7 % 26) as u8))
        .collect();
    let manuscript = format!(
        "# Words\n\nBefore {word} after.\n\n{mixed}\n\n`{word}`\n\n| {word} |\n|---|\n| x |\n"
    );
    let dir = book_dir("long-word", &[("a.md", manuscript.as_bytes())]);
    let started = Instant::now();
    let (book, _) = accepted("long-word", &dir);
    assert!(all_text(&book).contains(&word));
    assert_fast("5000-character word", started, Duration::from_secs(20));
}

/// Deterministic filler prose: `words` words, with sentence ends now and then.
fn prose(words: usize, seed: u64) -> String {
    const WORDS: &[&str] = &[
        "the",
        "minister",
        "said",
        "that",
        "relations",
        "between",
        "two",
        "countries",
        "have",
        "grown",
        "stronger",
        "over",
        "decades",
        "and",
        "cooperation",
        "in",
        "energy",
        "defence",
        "trade",
        "continues",
        "despite",
        "pressure",
        "from",
        "abroad",
        "according",
        "to",
        "officials",
        "familiar",
        "with",
        "talks",
        "internationalisation",
        "extraordinarily",
    ];
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
    let mut out = String::with_capacity(words * 8);
    for i in 0..words {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let word = WORDS[(state >> 33) as usize % WORDS.len()];
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
        if (state >> 20).is_multiple_of(17) {
            out.push('.');
        }
    }
    out.push('.');
    out
}

#[test]
fn giant_paragraph_is_set_in_time() {
    let _alone = one_large_input_at_a_time();
    // One paragraph of 30 000 words (about 250 KB).
    let manuscript = format!("# Giant\n\n{}\n", prose(30_000, 1));
    let dir = book_dir("giant-paragraph", &[("a.md", manuscript.as_bytes())]);
    let started = Instant::now();
    let (book, _) = accepted("giant-paragraph", &dir);
    assert_eq!(book.chapters[0].blocks.len(), 1);
    assert_fast("giant paragraph", started, Duration::from_secs(20));
}

/// About `bytes` of book: chapters of paragraphs of prose.
fn big_manuscript(bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + 4096);
    let mut chapter = 0;
    while s.len() < bytes {
        chapter += 1;
        s.push_str(&format!("# Chapter {chapter}\n\n"));
        for p in 0..40 {
            s.push_str(&prose(120, (chapter * 100 + p) as u64));
            s.push_str("\n\n");
        }
    }
    s
}

#[test]
fn fifty_megabyte_manuscript_loads_in_time() {
    let _alone = one_large_input_at_a_time();
    let text = big_manuscript(50 << 20);
    let dir = book_dir("fifty-mb", &[("big.md", text.as_bytes())]);
    drop(text);
    let started = Instant::now();
    let (book, _) = load_with(&dir, &LoadOptions::default());
    let book = book.expect("50 MB loads");
    assert!(book.chapters.len() > 1000, "{}", book.chapters.len());
    assert_fast("50 MB load", started, Duration::from_secs(20));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn one_megabyte_manuscript_renders_both_outputs() {
    let _alone = one_large_input_at_a_time();
    let dir = book_dir("one-mb", &[("big.md", big_manuscript(1 << 20).as_bytes())]);
    let started = Instant::now();
    accepted("one-megabyte", &dir);
    assert_fast("1 MB render", started, Duration::from_secs(60));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Peak heap of a 5 MB book through both back ends (the counter is global: the other large
/// inputs wait their turn, and the small tests alongside add little). Measured: about 43 MB,
/// of which 25 MB is the loaded book (it was 410 MB before the PDF streamed its pages).
#[test]
fn five_megabyte_manuscript_stays_under_1_gb() {
    let _alone = one_large_input_at_a_time();
    let dir = book_dir("five-mb", &[("big.md", big_manuscript(5 << 20).as_bytes())]);
    let before = LIVE_BYTES.load(Ordering::Relaxed);
    PEAK_LIVE_BYTES.store(before, Ordering::Relaxed);
    let (book, mut diagnostics) = load_with(&dir, &LoadOptions::default());
    let book = book.expect("5 MB loads");
    let after_load = PEAK_LIVE_BYTES.load(Ordering::Relaxed) - before;
    render_both("five-megabytes", &book, &mut diagnostics);
    let peak = PEAK_LIVE_BYTES.load(Ordering::Relaxed) - before;
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!("peak heap: load {after_load} bytes, whole build {peak} bytes");
    assert!(
        peak < 1 << 30,
        "peak heap {peak} bytes for a 5 MB manuscript"
    );
}

/// The full 50 MB book through both back ends, each within 1 GB of heap, and within 20 s in
/// a release build (a debug build lays out about four times slower: some 40 s here). CI also
/// checks both limits on the release binary as a process (`.ci/run`, "limits").
#[test]
fn fifty_megabyte_manuscript_renders_both_outputs() {
    let _alone = one_large_input_at_a_time();
    let dir = book_dir(
        "fifty-mb-render",
        &[("big.md", big_manuscript(50 << 20).as_bytes())],
    );
    let (book, mut diagnostics) = load_with(&dir, &LoadOptions::default());
    let book = book.expect("50 MB loads");
    let _ = std::fs::remove_dir_all(&dir);
    let renderers: [(&str, Box<dyn Renderer>); 2] = [
        ("EPUB", Box::new(EpubRenderer::default())),
        (
            "PDF",
            Box::new(PdfRenderer {
                options: PdfOptions::default(),
            }),
        ),
    ];
    for (name, renderer) in renderers {
        let before = LIVE_BYTES.load(Ordering::Relaxed);
        PEAK_LIVE_BYTES.store(before, Ordering::Relaxed);
        let started = Instant::now();
        let bytes = renderer.render(&book, &mut diagnostics).expect(name);
        let took = started.elapsed();
        let peak = PEAK_LIVE_BYTES.load(Ordering::Relaxed) - before;
        eprintln!(
            "{name}: {took:?}, peak heap {} MB, {} bytes",
            peak >> 20,
            bytes.len()
        );
        assert!(peak < 1 << 30, "{name}: peak heap {peak} bytes");
        if !cfg!(debug_assertions) {
            assert!(took < Duration::from_secs(20), "{name} took {took:?}");
        }
    }
}

#[test]
fn language_tags_c_posix_and_missing() {
    for (tag, expected) in [
        ("C", "C"),
        ("POSIX", "POSIX"),
        ("C.UTF-8", "C.UTF-8"),
        ("", ""),
    ] {
        let manuscript = format!("+++\nlanguage = \"{tag}\"\n+++\nText.\n");
        let dir = book_dir("lang-bad", &[("l.md", manuscript.as_bytes())]);
        if tag.is_empty() {
            let (book, diagnostics) = accepted("language-empty", &dir);
            assert_eq!(book.meta.language, "en");
            assert!(diagnostics
                .warnings
                .iter()
                .any(|w| w.to_string().contains("assuming `en`")));
            continue;
        }
        match refused(&dir) {
            Error::Config { message, .. } => assert_eq!(
                message,
                format!("language `{expected}` is not a BCP 47 tag such as `en` or `pt-BR`")
            ),
            other => panic!("{tag}: {other:?}"),
        }
    }
    let dir = book_dir("lang-missing", &[("l.md", b"Text.\n")]);
    let (book, diagnostics) = accepted("language-missing", &dir);
    assert_eq!(book.meta.language, "en");
    assert_eq!(
        diagnostics.warnings[0].to_string(),
        "no language given in the metadata; assuming `en`"
    );
    let dir = book_dir(
        "lang-locale",
        &[("l.md", b"+++\nlanguage = \"pt_BR.UTF-8\"\n+++\nTexto.\n")],
    );
    let (book, _) = accepted("language-locale", &dir);
    assert_eq!(book.meta.language, "pt-BR");
}

/// Found by `tests/fuzz.rs`: a caption line whose 7th byte falls inside a character (any
/// figure captioned in Japanese, Hindi, …) panicked while looking for a `Credit:` prefix.
#[test]
fn figure_with_a_non_ascii_caption_does_not_panic() {
    let png = rgb_png(12, 12);
    let manuscript = "![alt](img.png)\n日本語\n\n![alt](img.png)\nभारत और रूस\nCrédit: x\n\n![alt](img.png)\nCREDIT: Agency\n";
    let dir = book_dir(
        "non-ascii-caption",
        &[("a.md", manuscript.as_bytes()), ("img.png", &png)],
    );
    let (book, _) = accepted("non-ascii-caption", &dir);
    let figures: Vec<(String, String)> = book.chapters[0]
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Figure(f) => Some((plain_text(&f.caption), plain_text(&f.credit))),
            _ => None,
        })
        .collect();
    assert_eq!(
        figures,
        [
            ("日本語".to_string(), String::new()),
            ("भारत और रूस Crédit: x".to_string(), String::new()),
            (String::new(), "Agency".to_string()),
        ]
    );
}

/// Front matter and `SUMMARY.md` built to hurt: an alias bomb ("billion laughs"), YAML nested
/// 100,000 deep, and a summary nesting chapters 1000 deep or listing one file 300 times.
#[test]
fn hostile_front_matter_and_summaries_are_refused_or_bounded() {
    let started = Instant::now();
    let mut bomb = String::from("---\na: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n");
    for level in 1..10 {
        let previous = level - 1;
        let name = |n: usize| {
            if n == 0 {
                "a".to_string()
            } else {
                format!("a{n}")
            }
        };
        bomb.push_str(&format!(
            "{}: &{} [*{p}, *{p}, *{p}, *{p}, *{p}]\n",
            name(level),
            name(level),
            p = name(previous)
        ));
    }
    bomb.push_str("title: *a9\n---\n# One\n");
    let dir = book_dir("yaml-bomb", &[("a.md", bomb.as_bytes())]);
    match refused(&dir) {
        Error::Config {
            path,
            line,
            message,
        } => {
            assert_eq!(path, dir.join("a.md"));
            assert_eq!(line, Some(3), "the first alias: {message}");
            assert!(message.contains("aliases"), "{message}");
        }
        other => panic!("{other:?}"),
    }

    let deep = format!(
        "---\ntitle: {}{}\n---\n# One\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let dir = book_dir("yaml-deep", &[("a.md", deep.as_bytes())]);
    match refused(&dir) {
        Error::Config { line, message, .. } => {
            assert_eq!(line, Some(2));
            // saphyr-parser's own recursion limit or ours, whichever comes first.
            assert!(
                message.contains("nested more than") || message.contains("recursion limit"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }

    let mut summary = String::new();
    for depth in 0..1000 {
        summary.push_str(&"  ".repeat(depth));
        summary.push_str("- [Chapter](a.md)\n");
    }
    let dir = book_dir(
        "summary-deep",
        &[
            ("src/SUMMARY.md", summary.as_bytes()),
            ("src/a.md", b"# A\n\nText.\n"),
        ],
    );
    let (book, _) = load_with(&dir, &LoadOptions::default());
    // However deep the list, headings stop at level 6: one chapter and its sections.
    let book = book.expect("a deep summary loads");
    assert!(
        book.chapters.len() < 5000,
        "{} chapters",
        book.chapters.len()
    );

    let summary = "- [Again](a.md)\n".repeat(300);
    let dir = book_dir(
        "summary-repeat",
        &[
            ("src/SUMMARY.md", summary.as_bytes()),
            ("src/a.md", b"# A\n\nText.\n"),
        ],
    );
    let (book, _) = accepted("summary-repeat", &dir);
    assert_eq!(book.chapters.len(), 300);
    assert_fast(
        "hostile front matter and summaries",
        started,
        Duration::from_secs(60),
    );
}
