//! The generated cover, for a book that names none (`[epub] cover`): a portrait JPEG of
//! [`COVER_WIDTH`] × [`COVER_HEIGHT`] pixels (what Kindle, Apple Books and Kobo ask for) with
//! the title, subtitle, authors (or the source of an article without a byline) and publisher, over the book's first picture when it has
//! one. The words are laid out here (measured with the shaper, broken into lines), written
//! as SVG text in the compiled-in fonts (usvg turns them into outlines), drawn by resvg
//! below the picture and encoded by jpeg-encoder in strips on parallel threads, joined by
//! restart markers: the same bytes in every build of the same book, on every machine.
//!
//! Making the cover is most of the time an article's EPUB takes (a 4-megapixel JPEG), and it
//! depends on a handful of words and the picture only, so a caller may keep covers between
//! builds in a [`CoverStore`] (the binary keeps them beside its output, as Hugo keeps its
//! processed images): [`generate_or_reuse`] looks the cover up by a [`CoverKey`], a hash of
//! everything it is drawn from, and the bytes are the same either way.

use std::fmt::Write as _;

use resvg::tiny_skia;

use super::xml;
use crate::ir::Book;
use crate::typeset::fonts::{Family, FontSet, Style};
use crate::typeset::shape::Shaper;

/// Width of the cover in pixels.
pub const COVER_WIDTH: u32 = 1600;
/// Height of the cover in pixels (the 1:1.6 of the stores' 1600 × 2560).
pub const COVER_HEIGHT: u32 = 2560;
/// Height of the picture at the top of a cover that has one; the words go below it.
const ARTWORK_HEIGHT: u32 = 1440;
/// Left and right margin of the words, in pixels.
const SIDE_MARGIN: f32 = 130.0;
/// Size of the title, at most and at least, in pixels: long titles step down to fit.
const TITLE_SIZES: (f32, f32) = (150.0, 84.0);
/// Lines a title may take before its size steps down.
const TITLE_LINES: usize = 4;
/// JPEG quality: text edges stay clean at this setting, with colour at half resolution
/// (4:2:0, which the encoder picks below 90; the words' edges are in the brightness).
const JPEG_QUALITY: u8 = 88;
/// Ink and paper: dark words on warm paper, or light words on a dark band under a picture.
const PAPER: [u8; 3] = [0xF3, 0xEE, 0xE4];
const BAND: [u8; 3] = [0x1C, 0x2A, 0x38];
const DARK_INK: &str = "#1C2A38";
const LIGHT_INK: &str = "#F3EEE4";
/// The accent: a rule under the title.
const ACCENT: &str = "#B5472F";

/// Height of the horizontal strips the cover is encoded in, on parallel threads, joined into
/// one baseline JPEG by restart markers: a fixed height (not a number per core), so that the
/// bytes are the same on every machine. The picture's rows are whole strips, so the words'
/// strips can be encoded while the picture is still being decoded.
const STRIP_HEIGHT: u32 = 160;

/// Pixel rows of a JPEG minimum coded unit with 4:2:0 chroma: every strip but the last is
/// a whole number of them, so that each strip is a whole run of units between restarts.
const MCU_SIZE: u32 = 16;

const _: () =
    assert!(STRIP_HEIGHT.is_multiple_of(MCU_SIZE) && ARTWORK_HEIGHT.is_multiple_of(STRIP_HEIGHT));

/// MCUs in a strip: the restart interval that makes each strip a run between restarts.
const MCUS_PER_STRIP: u16 = {
    let mcus = COVER_WIDTH.div_ceil(MCU_SIZE) * (STRIP_HEIGHT / MCU_SIZE);
    assert!(mcus <= u16::MAX as u32, "a restart interval is 16 bits");
    mcus as u16
};

/// Threads that encode strips at once at most.
const ENCODERS: usize = 4;

/// The cover of `book` as JPEG bytes, over `artwork` (an upright JPEG or PNG) if given.
///
/// The picture is decoded and fitted on one thread while the words are drawn, and their
/// strips encoded, on this one; then the picture's strips are encoded on every core. The
/// picture and the words are never copied into one image: the encoder reads each row from
/// where it is.
pub fn generate(book: &Book, artwork: Option<&[u8]>) -> Result<Vec<u8>, String> {
    let fitted_picture = |bytes: &[u8]| -> Result<::image::RgbImage, String> {
        let picture =
            ::image::load_from_memory(bytes).map_err(|e| format!("the cover's picture: {e}"))?;
        // The picture fills the top, cropped to it from the middle (CSS `object-fit: cover`).
        Ok(super::images::resized(&picture, COVER_WIDTH, ARTWORK_HEIGHT)?.into_rgb8())
    };
    let strips = strips();
    let joined = std::thread::scope(|scope| {
        let picture = artwork.map(|bytes| scope.spawn(move || fitted_picture(bytes)));
        let (words_top, ink, paper) = if picture.is_some() {
            (ARTWORK_HEIGHT, LIGHT_INK, BAND)
        } else {
            (0, DARK_INK, PAPER)
        };
        let words = draw_words(book, words_top, ink, paper)?;
        let (words_strips, picture_strips): (Vec<usize>, Vec<usize>) =
            (0..strips.len()).partition(|&index| strips[index].0 >= words_top);
        let mut rows = CoverRows {
            picture: None,
            words: &words,
            words_top,
        };
        // With a picture, the other core is decoding it meanwhile.
        let threads = if picture.is_some() { 1 } else { ENCODERS };
        let mut encoded = encode_strips(&rows, &strips, &words_strips, threads)?;
        let fitted;
        if let Some(handle) = picture {
            let joined = handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            // A picture that does not decode leaves the words on plain paper.
            let Ok(picture) = joined else {
                return Ok(None);
            };
            fitted = picture;
            rows.picture = Some(&fitted);
            encoded.extend(encode_strips(&rows, &strips, &picture_strips, ENCODERS)?);
        }
        join_in_order(encoded).map(Some)
    })?;
    match joined {
        Some(jpeg) => Ok(jpeg),
        None => generate(book, None),
    }
}

/// A generated cover's identity: a SHA-256 of everything it is drawn from (the words it
/// shows, the picture's bytes, and the code and version that draw them), so that a kept
/// cover is reused only for the same book and the same drawing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CoverKey([u8; 32]);

impl CoverKey {
    /// The key of the cover [`generate`] makes of `book` and `artwork`.
    pub fn of(book: &Book, artwork: Option<&[u8]>) -> CoverKey {
        use sha2::Digest;
        let mut hash = sha2::Sha256::new();
        // Each part with its length first, so that no two lists of parts hash alike.
        let mut part = |bytes: &[u8]| {
            hash.update((bytes.len() as u64).to_le_bytes());
            hash.update(bytes);
        };
        // The drawing: this file, the resizing it calls, and the crate's version (which
        // stands for the compiled-in fonts and the encoder).
        part(env!("CARGO_PKG_VERSION").as_bytes());
        part(include_bytes!("cover.rs"));
        part(include_bytes!("images.rs"));
        // The words, as `words_svg` reads them.
        let meta = &book.meta;
        part(meta.title.as_bytes());
        part(meta.subtitle.as_deref().unwrap_or_default().as_bytes());
        part(&(meta.authors.len() as u64).to_le_bytes());
        for author in &meta.authors {
            part(author.as_bytes());
        }
        part(meta.source.as_deref().unwrap_or_default().as_bytes());
        part(meta.publisher.as_deref().unwrap_or_default().as_bytes());
        match artwork {
            Some(bytes) => part(bytes),
            None => part(b"no artwork"),
        }
        CoverKey(hash.finalize().into())
    }

    /// The key in lower-case hexadecimal (64 characters), for a file name.
    pub fn hex(&self) -> String {
        self.0
            .iter()
            .fold(String::with_capacity(64), |mut hex, byte| {
                let _ = write!(hex, "{byte:02x}");
                hex
            })
    }
}

/// Covers kept between builds, by their [`CoverKey`]. The library never touches the file
/// system: the binary's store keeps them in a folder beside its output.
pub trait CoverStore: Send + Sync + std::fmt::Debug {
    /// The cover kept under `key`, if any. [`generate_or_reuse`] checks the bytes before it
    /// uses them, so a store may return whatever it finds.
    fn load(&self, key: &CoverKey) -> Option<Vec<u8>>;
    /// Keep `jpeg` under `key`. A store that cannot keep it says nothing: the build goes
    /// on, and the next one makes the cover again.
    fn save(&self, key: &CoverKey, jpeg: &[u8]);
}

/// The cover of `book` (as [`generate`] makes it), taken from `store` when it keeps one
/// for the same key, else made and given to the store.
pub fn generate_or_reuse(
    book: &Book,
    artwork: Option<&[u8]>,
    store: Option<&dyn CoverStore>,
) -> Result<Vec<u8>, String> {
    let Some(store) = store else {
        return generate(book, artwork);
    };
    let key = CoverKey::of(book, artwork);
    if let Some(kept) = store.load(&key).filter(|bytes| is_whole_cover(bytes)) {
        return Ok(kept);
    }
    let jpeg = generate(book, artwork)?;
    store.save(&key, &jpeg);
    Ok(jpeg)
}

/// Whether `bytes` are a whole JPEG of the cover's size, as [`generate`] writes them (a kept
/// cover cut short, or any other file under its name, is not used).
fn is_whole_cover(bytes: &[u8]) -> bool {
    let size_is = |at: usize, expected: u32| {
        bytes
            .get(at..at + 2)
            .is_some_and(|be| u32::from(u16::from_be_bytes([be[0], be[1]])) == expected)
    };
    bytes.starts_with(&[0xFF, SOI])
        && strip_parts(bytes).is_some_and(|parts| {
            size_is(parts.height_at, COVER_HEIGHT) && size_is(parts.height_at + 2, COVER_WIDTH)
        })
}

/// The words drawn over `paper`, in a pixmap of the cover's rows from `words_top` down.
fn draw_words(
    book: &Book,
    words_top: u32,
    ink: &str,
    paper: [u8; 3],
) -> Result<tiny_skia::Pixmap, String> {
    let fonts = FontSet::builtin().map_err(|e| e.to_string())?;
    let shaper = Shaper::new(&fonts);
    let top = if words_top > 0 {
        words_top as f32
    } else {
        COVER_HEIGHT as f32 * 0.22
    };
    let svg = words_svg(book, &shaper, top, ink);
    let mut pixmap =
        tiny_skia::Pixmap::new(COVER_WIDTH, COVER_HEIGHT - words_top).ok_or("no pixmap")?;
    let [r, g, b] = paper;
    pixmap.fill(tiny_skia::Color::from_rgba8(r, g, b, 255));
    let tree = usvg::Tree::from_str(&svg, &crate::svg::options())
        .map_err(|e| format!("the cover's words: {e}"))?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_translate(0.0, -(words_top as f32)),
        &mut pixmap.as_mut(),
    );
    Ok(pixmap)
}

/// The cover's rows, read where they are: the fitted picture above `words_top`, the words'
/// pixmap from there down. Every pixel of the pixmap is opaque (the paper was filled
/// first), so its premultiplied RGBA is plain RGBA.
struct CoverRows<'a> {
    picture: Option<&'a ::image::RgbImage>,
    words: &'a tiny_skia::Pixmap,
    words_top: u32,
}

impl CoverRows<'_> {
    /// Row `y` of the cover as YCbCr, appended to the encoder's component buffers.
    fn fill_row(&self, y: u32, buffers: &mut [Vec<u8>; 4]) {
        let width = COVER_WIDTH as usize;
        match self.picture {
            Some(picture) if y < self.words_top => {
                let start = 3 * width * y as usize;
                photo_to_ycbcr(&picture.as_raw()[start..start + 3 * width], buffers);
            }
            _ => {
                let start = 4 * width * (y - self.words_top) as usize;
                to_ycbcr(
                    self.words.data()[start..start + 4 * width].chunks_exact(4),
                    buffers,
                );
            }
        }
    }
}

/// Pixels (RGB first in each) as YCbCr, appended to the first three buffers. Runs of one
/// colour (the paper or band around the words) are converted once.
fn to_ycbcr<'p>(pixels: impl ExactSizeIterator<Item = &'p [u8]>, buffers: &mut [Vec<u8>; 4]) {
    let [luma, cb, cr, _] = buffers;
    for buffer in [&mut *luma, &mut *cb, &mut *cr] {
        buffer.reserve(pixels.len());
    }
    let mut last: Option<([u8; 3], (u8, u8, u8))> = None;
    for pixel in pixels {
        let rgb = [pixel[0], pixel[1], pixel[2]];
        let ycc = match last {
            Some((known, ycc)) if known == rgb => ycc,
            _ => {
                let ycc = jpeg_encoder::rgb_to_ycbcr(rgb[0], rgb[1], rgb[2]);
                last = Some((rgb, ycc));
                ycc
            }
        };
        luma.push(ycc.0);
        cb.push(ycc.1);
        cr.push(ycc.2);
    }
}

/// A row of the photo (RGB) as YCbCr, appended to the first three buffers, with the
/// encoder's own arithmetic ([`jpeg_encoder::rgb_to_ycbcr`]). A photo has no runs of one
/// colour to skip, so this loop has no branch and writes in place rather than pushing: the
/// compiler can vectorise it (the run-skipping [`to_ycbcr`] was 16 % of a first build of the
/// seed's EPUB).
fn photo_to_ycbcr(row: &[u8], buffers: &mut [Vec<u8>; 4]) {
    let [luma, cb, cr, _] = buffers;
    let pixels = row.len() / 3;
    let start = luma.len();
    for buffer in [&mut *luma, &mut *cb, &mut *cr] {
        buffer.resize(start + pixels, 0);
    }
    let outputs = luma[start..]
        .iter_mut()
        .zip(&mut cb[start..])
        .zip(&mut cr[start..]);
    for (((y, b), r), pixel) in outputs.zip(row.chunks_exact(3)) {
        (*y, *b, *r) = jpeg_encoder::rgb_to_ycbcr(pixel[0], pixel[1], pixel[2]);
    }
}

/// Rows `first..first + height` of the cover, as one image for the encoder.
struct Strip<'a> {
    rows: &'a CoverRows<'a>,
    first: u32,
    height: u32,
}

impl jpeg_encoder::ImageBuffer for Strip<'_> {
    fn get_jpeg_color_type(&self) -> jpeg_encoder::JpegColorType {
        jpeg_encoder::JpegColorType::Ycbcr
    }

    fn width(&self) -> u16 {
        COVER_WIDTH as u16
    }

    fn height(&self) -> u16 {
        self.height as u16
    }

    fn fill_buffers(&self, y: u16, buffers: &mut [Vec<u8>; 4]) {
        self.rows.fill_row(self.first + u32::from(y), buffers);
    }
}

/// The cover's strips: first row and height of each, top to bottom.
fn strips() -> Vec<(u32, u32)> {
    (0..COVER_HEIGHT)
        .step_by(STRIP_HEIGHT as usize)
        .map(|first| (first, STRIP_HEIGHT.min(COVER_HEIGHT - first)))
        .collect()
}

/// The strips `indices` of `strips` encoded as JPEGs on up to `threads` threads, each with
/// its index. Each strip is a whole run of MCUs, so with a restart interval of one strip
/// the strips' entropy-coded data, joined by restart markers ([`join_strips`]), is exactly
/// the scan a single encoder would write with that interval (the DC predictions start
/// afresh at each restart).
fn encode_strips(
    rows: &CoverRows<'_>,
    strips: &[(u32, u32)],
    indices: &[usize],
    threads: usize,
) -> Result<Vec<(usize, Vec<u8>)>, String> {
    let encode = |index: usize| -> Result<(usize, Vec<u8>), String> {
        let (first, height) = strips[index];
        let mut jpeg = Vec::new();
        cover_encoder(&mut jpeg)
            .encode_image(Strip {
                rows,
                first,
                height,
            })
            .map_err(|e| format!("cannot encode the cover: {e}"))?;
        Ok((index, jpeg))
    };
    let threads = threads.clamp(1, indices.len().max(1));
    if threads == 1 {
        return indices.iter().map(|&index| encode(index)).collect();
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|thread| {
                let encode = &encode;
                scope.spawn(move || {
                    indices
                        .iter()
                        .skip(thread)
                        .step_by(threads)
                        .map(|&index| encode(index))
                        .collect::<Result<Vec<_>, String>>()
                })
            })
            .collect();
        let mut all = Vec::with_capacity(indices.len());
        for handle in handles {
            all.extend(
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?,
            );
        }
        Ok(all)
    })
}

/// The encoder every strip is written with: the cover's quality, 4:2:0 chroma, a restart
/// at each strip's end (the same tables and interval in every strip, which
/// [`join_strips`] relies on).
fn cover_encoder(out: &mut Vec<u8>) -> jpeg_encoder::Encoder<&mut Vec<u8>> {
    let mut encoder = jpeg_encoder::Encoder::new(out, JPEG_QUALITY);
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_2_0);
    encoder.set_restart_interval(MCUS_PER_STRIP);
    encoder
}

/// The cover from its encoded strips, given with their indices in any order.
fn join_in_order(mut encoded: Vec<(usize, Vec<u8>)>) -> Result<Vec<u8>, String> {
    encoded.sort_by_key(|(index, _)| *index);
    let jpegs: Vec<Vec<u8>> = encoded.into_iter().map(|(_, jpeg)| jpeg).collect();
    join_strips(&jpegs, COVER_HEIGHT as u16)
}

/// Marker bytes of a JPEG: start of image, start of frame (baseline), start of scan, end of
/// image, first restart marker.
const SOI: u8 = 0xD8;
const SOF0: u8 = 0xC0;
const SOS: u8 = 0xDA;
const EOI: u8 = 0xD9;
const RST0: u8 = 0xD0;

/// The parts of one strip's JPEG: everything up to the end of the scan header, where the
/// frame's height is, and the entropy-coded data.
struct StripParts<'a> {
    header: &'a [u8],
    height_at: usize,
    scan: &'a [u8],
}

/// Take a JPEG written by the encoder apart (markers before the scan, one scan, EOI last).
fn strip_parts(jpeg: &[u8]) -> Option<StripParts<'_>> {
    let mut at = 2;
    let mut height_at = None;
    loop {
        let (&0xFF, &marker) = (jpeg.get(at)?, jpeg.get(at + 1)?) else {
            return None;
        };
        let length = usize::from(u16::from_be_bytes([*jpeg.get(at + 2)?, *jpeg.get(at + 3)?]));
        let end = at + 2 + length;
        if marker == SOF0 {
            // Length (2), precision (1), then the height.
            height_at = Some(at + 5);
        }
        if marker == SOS {
            let scan_end = jpeg.len().checked_sub(2)?;
            if jpeg.get(scan_end..)? != [0xFF, EOI] || end > scan_end {
                return None;
            }
            return Some(StripParts {
                header: jpeg.get(..end)?,
                height_at: height_at?,
                scan: &jpeg[end..scan_end],
            });
        }
        at = end;
    }
}

/// One JPEG of `height` rows from strips encoded alike (same tables, restart interval of one
/// strip): the first strip's header with the whole height, then each strip's scan data,
/// restart markers between them.
fn join_strips(strips: &[Vec<u8>], height: u16) -> Result<Vec<u8>, String> {
    let broken = || "the cover's strips do not join".to_string();
    let parts: Vec<StripParts<'_>> = strips
        .iter()
        .map(|jpeg| strip_parts(jpeg))
        .collect::<Option<_>>()
        .ok_or_else(broken)?;
    let first = parts.first().ok_or_else(broken)?;
    // Only the height may differ between the strips' headers: the same quantisation and
    // Huffman tables, sampling and restart interval, or the scans would not belong together.
    let without_height = |part: &StripParts<'_>| {
        let mut header = part.header.to_vec();
        header[part.height_at..part.height_at + 2].fill(0);
        header
    };
    if parts
        .iter()
        .any(|part| without_height(part) != without_height(first))
    {
        return Err(broken());
    }
    let total: usize = parts.iter().map(|p| p.scan.len() + 2).sum();
    let mut out = Vec::with_capacity(first.header.len() + total + 2);
    out.extend_from_slice(first.header);
    out[first.height_at..first.height_at + 2].copy_from_slice(&height.to_be_bytes());
    for (index, part) in parts.iter().enumerate() {
        if index > 0 {
            out.extend_from_slice(&[0xFF, RST0 + ((index - 1) % 8) as u8]);
        }
        out.extend_from_slice(part.scan);
    }
    out.extend_from_slice(&[0xFF, EOI]);
    Ok(out)
}

/// The words of the cover as an SVG document of the cover's size: title from `top` down,
/// then a rule, the subtitle and the authors; the publisher at the foot.
fn words_svg(book: &Book, shaper: &Shaper<'_>, top: f32, ink: &str) -> String {
    let meta = &book.meta;
    let measure = COVER_WIDTH as f32 - 2.0 * SIDE_MARGIN;
    let bold = Style {
        bold: true,
        ..Style::default()
    };
    let italic = Style {
        italic: true,
        ..Style::default()
    };
    let (mut size, smallest) = TITLE_SIZES;
    let mut title = wrap(shaper, &meta.title, bold, size, measure);
    while title.len() > TITLE_LINES && size > smallest {
        size = (size * 0.9).max(smallest);
        title = wrap(shaper, &meta.title, bold, size, measure);
    }
    let centre = COVER_WIDTH as f32 / 2.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{COVER_WIDTH}\" \
         height=\"{COVER_HEIGHT}\" viewBox=\"0 0 {COVER_WIDTH} {COVER_HEIGHT}\">\n"
    );
    let line = |svg: &mut String, text: &str, y: f32, size: f32, style: Style| {
        let _ = writeln!(
            svg,
            "<text x=\"{centre}\" y=\"{y:.1}\" text-anchor=\"middle\" font-family=\"Noto Serif\" \
             font-size=\"{size:.1}\" font-weight=\"{}\" font-style=\"{}\" fill=\"{ink}\">{}</text>",
            if style.bold { "bold" } else { "normal" },
            if style.italic { "italic" } else { "normal" },
            xml::text(text),
        );
    };
    let mut y = top + size * 1.25;
    for text in &title {
        line(&mut svg, text, y, size, bold);
        y += size * 1.15;
    }
    let rule_y = y - size * 0.45;
    let _ = writeln!(
        svg,
        "<rect x=\"{:.1}\" y=\"{rule_y:.1}\" width=\"240\" height=\"8\" fill=\"{ACCENT}\"/>",
        centre - 120.0
    );
    y = rule_y + 110.0;
    if let Some(subtitle) = meta.subtitle.as_deref().filter(|s| !s.trim().is_empty()) {
        for text in wrap(shaper, subtitle, italic, 64.0, measure) {
            line(&mut svg, &text, y, 64.0, italic);
            y += 64.0 * 1.25;
        }
        y += 40.0;
    }
    // The authors, or for an agency's article without a byline, its source.
    let credit = if meta.authors.is_empty() {
        meta.source.clone().unwrap_or_default()
    } else {
        meta.authors.join(", ")
    };
    for text in wrap(shaper, &credit, Style::default(), 70.0, measure) {
        line(&mut svg, &text, y, 70.0, Style::default());
        y += 70.0 * 1.25;
    }
    if let Some(publisher) = meta.publisher.as_deref().filter(|s| !s.trim().is_empty()) {
        let foot = COVER_HEIGHT as f32 - 140.0;
        line(&mut svg, publisher, foot, 52.0, Style::default());
    }
    svg.push_str("</svg>\n");
    svg
}

/// `text` broken into lines no wider than `measure` at `size` pixels, between words (a
/// word wider than the measure has a line of its own).
fn wrap(shaper: &Shaper<'_>, text: &str, style: Style, size: f32, measure: f32) -> Vec<String> {
    let width = |word: &str| -> f32 {
        shaper
            .shape_word(word, Family::Body, style)
            .iter()
            .map(|run| run.advance())
            .sum::<f32>()
            * size
    };
    let space = width(" ").max(size * 0.25);
    let mut lines: Vec<(String, f32)> = Vec::new();
    for word in text.split_whitespace() {
        let w = width(word);
        match lines.last_mut() {
            Some((line, used)) if *used + space + w <= measure => {
                line.push(' ');
                line.push_str(word);
                *used += space + w;
            }
            _ => lines.push((word.to_string(), w)),
        }
    }
    lines.into_iter().map(|(line, _)| line).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book(title: &str) -> Book {
        let mut book = Book::default();
        book.meta.title = title.into();
        book.meta.authors = vec!["Jane Doe".into()];
        book.meta.language = "en".into();
        book
    }

    /// A store in memory that counts what it is asked.
    #[derive(Debug, Default)]
    struct MemoryStore {
        covers: std::sync::Mutex<std::collections::HashMap<CoverKey, Vec<u8>>>,
        saves: std::sync::atomic::AtomicUsize,
    }

    impl CoverStore for MemoryStore {
        fn load(&self, key: &CoverKey) -> Option<Vec<u8>> {
            self.covers.lock().expect("lock").get(key).cloned()
        }

        fn save(&self, key: &CoverKey, jpeg: &[u8]) {
            self.saves
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            self.covers
                .lock()
                .expect("lock")
                .insert(*key, jpeg.to_vec());
        }
    }

    #[test]
    fn a_photo_row_converts_as_the_run_skipping_conversion_does() {
        // Every byte value in each channel, with runs and without.
        let row: Vec<u8> = (0..COVER_WIDTH as usize * 3)
            .map(|i| {
                if i % 97 < 40 {
                    17
                } else {
                    (i * 7919 % 256) as u8
                }
            })
            .collect();
        let mut plain: [Vec<u8>; 4] = Default::default();
        let mut skipping: [Vec<u8>; 4] = Default::default();
        for _ in 0..2 {
            photo_to_ycbcr(&row, &mut plain);
            to_ycbcr(row.chunks_exact(3), &mut skipping);
        }
        assert_eq!(plain[0].len(), 2 * COVER_WIDTH as usize);
        assert_eq!(plain, skipping);
    }

    #[test]
    fn the_key_changes_with_every_word_and_the_picture_and_only_with_them() {
        let base = book("A title");
        let key = CoverKey::of(&base, None);
        assert_eq!(key, CoverKey::of(&base.clone(), None));
        assert_eq!(key.hex().len(), 64);
        let mut changes = Vec::new();
        let mut other = base.clone();
        other.meta.title = "A title!".into();
        changes.push(other);
        let mut other = base.clone();
        other.meta.subtitle = Some("Sub".into());
        changes.push(other);
        let mut other = base.clone();
        other.meta.authors.push("John Roe".into());
        changes.push(other);
        let mut other = base.clone();
        other.meta.publisher = Some("Press".into());
        changes.push(other);
        let mut other = base.clone();
        other.meta.source = Some("PTI".into());
        changes.push(other);
        for changed in &changes {
            assert_ne!(CoverKey::of(changed, None), key, "{:?}", changed.meta);
        }
        assert_ne!(CoverKey::of(&base, Some(b"picture")), key);
        assert_ne!(
            CoverKey::of(&base, Some(b"picture")),
            CoverKey::of(&base, Some(b"picture 2"))
        );
        // Words moved from one field to the next are another cover.
        let mut joined = base.clone();
        joined.meta.authors = vec!["Jane DoeJohn Roe".into()];
        let mut apart = base.clone();
        apart.meta.authors = vec!["Jane Doe".into(), "John Roe".into()];
        assert_ne!(CoverKey::of(&joined, None), CoverKey::of(&apart, None));
        // What the cover does not show is not part of it.
        let mut unseen = base.clone();
        unseen.meta.description = Some("A blurb".into());
        assert_eq!(CoverKey::of(&unseen, None), key);
    }

    #[test]
    fn a_kept_cover_is_used_and_a_broken_one_is_made_again() {
        let store = MemoryStore::default();
        let first = book("Kept");
        let made = generate_or_reuse(&first, None, Some(&store)).expect("made");
        assert_eq!(made, generate(&first, None).expect("the same cover"));
        let key = CoverKey::of(&first, None);
        assert_eq!(store.load(&key).as_deref(), Some(&made[..]), "kept");
        assert_eq!(store.saves.load(std::sync::atomic::Ordering::Relaxed), 1);

        // Whatever whole cover the store holds under the key is what the EPUB gets (here
        // another book's, to tell it from a cover made again).
        let another = generate(&book("Another"), None).expect("another cover");
        store.save(&key, &another);
        let reused = generate_or_reuse(&first, None, Some(&store)).expect("reused");
        assert_eq!(reused, another);
        assert_eq!(store.saves.load(std::sync::atomic::Ordering::Relaxed), 2);

        // A cover cut short, or something else under its name, is made again and replaced.
        for broken in [
            &made[..made.len() / 2],
            b"not a jpeg",
            &made[..made.len() - 2],
        ] {
            store.save(&key, broken);
            let again = generate_or_reuse(&first, None, Some(&store)).expect("made again");
            assert_eq!(again, made);
            assert_eq!(store.load(&key).as_deref(), Some(&made[..]));
        }
    }

    #[test]
    fn a_cover_is_a_portrait_jpeg_of_the_stores_size_and_the_same_every_time() {
        let book = book("India and Russia: a friendship tested by war");
        let jpeg = generate(&book, None).expect("a cover");
        let decoded = ::image::load_from_memory(&jpeg).expect("decodes");
        assert_eq!((decoded.width(), decoded.height()), (1600, 2560));
        assert_eq!(jpeg, generate(&book, None).expect("again"), "reproducible");
        // Ink where the title is: the words were drawn, in dark ink on the paper.
        let gray = decoded.to_luma8();
        let dark = gray.pixels().filter(|p| p.0[0] < 100).count();
        assert!(dark > 20_000, "{dark} dark pixels");
    }

    #[test]
    fn a_picture_fills_the_top_and_the_words_go_below() {
        let mut photo = ::image::RgbImage::new(300, 200);
        for pixel in photo.pixels_mut() {
            pixel.0 = [200, 30, 30];
        }
        let mut png = Vec::new();
        ::image::DynamicImage::ImageRgb8(photo)
            .write_to(
                &mut std::io::Cursor::new(&mut png),
                ::image::ImageFormat::Png,
            )
            .expect("png");
        let jpeg = generate(&book("Red"), Some(&png)).expect("a cover");
        let decoded = ::image::load_from_memory(&jpeg).expect("decodes").to_rgb8();
        let top = decoded.get_pixel(800, 400).0;
        assert!(
            top[0] > 150 && top[1] < 80,
            "the picture at the top: {top:?}"
        );
        let band = decoded.get_pixel(20, 2500).0;
        assert!(band.iter().all(|c| *c < 80), "a dark band below: {band:?}");
    }

    #[test]
    fn strips_join_into_exactly_what_one_encoder_writes() {
        let picture = ::image::RgbImage::from_fn(COVER_WIDTH, ARTWORK_HEIGHT, |x, y| {
            ::image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x * y) % 239) as u8])
        });
        let words = draw_words(
            &book("Strips and restarts"),
            ARTWORK_HEIGHT,
            LIGHT_INK,
            BAND,
        )
        .expect("words");
        let rows = CoverRows {
            picture: Some(&picture),
            words: &words,
            words_top: ARTWORK_HEIGHT,
        };
        let strips = strips();
        let all: Vec<usize> = (0..strips.len()).collect();
        let encoded = encode_strips(&rows, &strips, &all, 3).expect("strips");
        let joined = join_in_order(encoded).expect("joined");
        let mut single = Vec::new();
        cover_encoder(&mut single)
            .encode_image(Strip {
                rows: &rows,
                first: 0,
                height: COVER_HEIGHT,
            })
            .expect("single pass");
        assert!(joined == single, "the joined strips differ from one pass");
        let decoded = ::image::load_from_memory(&joined).expect("decodes");
        assert_eq!(
            (decoded.width(), decoded.height()),
            (COVER_WIDTH, COVER_HEIGHT)
        );
    }

    #[test]
    fn strips_that_were_not_encoded_alike_are_not_joined() {
        let encode = |quality: u8| {
            let mut jpeg = Vec::new();
            jpeg_encoder::Encoder::new(&mut jpeg, quality)
                .encode(&[128; 16 * 16 * 3], 16, 16, jpeg_encoder::ColorType::Rgb)
                .expect("encodes");
            jpeg
        };
        assert!(join_strips(&[encode(80), encode(80)], 32).is_ok());
        assert!(join_strips(&[encode(80), encode(60)], 32).is_err());
        assert!(join_strips(&[encode(80), b"not a jpeg".to_vec()], 32).is_err());
        assert!(join_strips(&[], 32).is_err());
    }

    #[test]
    fn long_titles_wrap_and_step_down_in_size() {
        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        let measure = COVER_WIDTH as f32 - 2.0 * SIDE_MARGIN;
        let title = "The ties between India and Russia remained strong notwithstanding the war";
        let lines = wrap(&shaper, title, Style::default(), 150.0, measure);
        assert!(lines.len() > 2, "{lines:?}");
        assert_eq!(lines.join(" "), title, "every word once, in order");
        let svg = words_svg(&book(title), &shaper, 500.0, DARK_INK);
        let title_lines = svg
            .lines()
            .filter(|l| l.contains("font-weight=\"bold\""))
            .count();
        assert!(title_lines <= TITLE_LINES, "{svg}");
        assert!(svg.contains("Jane Doe"));
    }
}
