//! The generated cover, for a book that names none (`[epub] cover`): a portrait JPEG of
//! [`COVER_WIDTH`] × [`COVER_HEIGHT`] pixels (what Kindle, Apple Books and Kobo ask for) with
//! the title, subtitle, authors (or the source of an article without a byline) and publisher, over the book's first picture when it has
//! one. The words are laid out here (measured with the shaper, broken into lines), written
//! as SVG text in the compiled-in fonts (usvg turns them into outlines), drawn over the
//! picture by resvg and encoded by `image`: the same bytes in every build of the same book.

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

/// The cover of `book` as JPEG bytes, over `artwork` (an upright JPEG or PNG) if given.
pub fn generate(book: &Book, artwork: Option<&[u8]>) -> Result<Vec<u8>, String> {
    let fonts = FontSet::builtin().map_err(|e| e.to_string())?;
    let shaper = Shaper::new(&fonts);
    let picture = artwork.and_then(|bytes| ::image::load_from_memory(bytes).ok());
    let top = if picture.is_some() {
        ARTWORK_HEIGHT as f32
    } else {
        COVER_HEIGHT as f32 * 0.22
    };
    let ink = if picture.is_some() {
        LIGHT_INK
    } else {
        DARK_INK
    };
    let svg = words_svg(book, &shaper, top, ink);

    let mut pixmap = tiny_skia::Pixmap::new(COVER_WIDTH, COVER_HEIGHT).ok_or("no pixmap")?;
    let [r, g, b] = if picture.is_some() { BAND } else { PAPER };
    pixmap.fill(tiny_skia::Color::from_rgba8(r, g, b, 255));
    if let Some(picture) = picture {
        // The picture fills the top, cropped to it from the middle (CSS `object-fit: cover`).
        let filled = super::images::resized(&picture, COVER_WIDTH, ARTWORK_HEIGHT)?.to_rgb8();
        let data = pixmap.data_mut();
        for (row, line) in filled.chunks_exact(3 * COVER_WIDTH as usize).enumerate() {
            let start = 4 * row * COVER_WIDTH as usize;
            for (pixel, rgb) in data[start..start + 4 * COVER_WIDTH as usize]
                .chunks_exact_mut(4)
                .zip(line.chunks_exact(3))
            {
                pixel[..3].copy_from_slice(rgb);
                pixel[3] = 255;
            }
        }
    }
    let tree = usvg::Tree::from_str(&svg, &crate::svg::options())
        .map_err(|e| format!("the cover's words: {e}"))?;
    resvg::render(
        &tree,
        tiny_skia::Transform::identity(),
        &mut pixmap.as_mut(),
    );

    // Every pixel is opaque (the paper or band was filled first), so the premultiplied RGBA
    // is plain RGBA, and the alpha is dropped by the encoder.
    let mut jpeg = Vec::new();
    jpeg_encoder::Encoder::new(&mut jpeg, JPEG_QUALITY)
        .encode(
            pixmap.data(),
            COVER_WIDTH as u16,
            COVER_HEIGHT as u16,
            jpeg_encoder::ColorType::Rgba,
        )
        .map_err(|e| format!("cannot encode the cover: {e}"))?;
    Ok(jpeg)
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
