//! Round trips: write a small hand-made document and read it back with lopdf.

use std::collections::BTreeMap;
use std::io::Cursor;

use lopdf::{Document, Object, ObjectId};

use super::write_pdf;
use crate::ir::{Asset, AssetId, Book, ImageFormat, Metadata};
use crate::typeset::fonts::{FontId, FontSet};
use crate::typeset::frame::{
    GlyphRun, LaidOutDocument, LinkDestination, Navigation, OutlineEntry, Page, PageItem,
    PlacedGlyph, Rect, Role,
};
use crate::typeset::shape::Shaper;

const SIZE: f32 = 11.0;
/// A deliberately unnatural word gap, as justification produces.
const GAP: f32 = 4.37;

/// Lay out `words` by hand: glyphs at their shaped advances, words `GAP` apart.
fn run(shaper: &Shaper, font: FontId, words: &[&str], x: f32, baseline: f32) -> GlyphRun {
    let mut glyphs = Vec::new();
    let mut pen = 0.0;
    for (n, word) in words.iter().enumerate() {
        for g in shaper.shape_in(font, word).iter() {
            glyphs.push(PlacedGlyph {
                id: g.id,
                x: pen + g.x_offset * SIZE,
                y_offset: g.y_offset * SIZE,
                text: g.text.clone(),
                space_after: false,
            });
            pen += g.advance * SIZE;
        }
        if n + 1 < words.len() {
            if let Some(last) = glyphs.last_mut() {
                last.space_after = true;
            }
        }
        pen += GAP;
    }
    GlyphRun {
        font,
        size: SIZE,
        x,
        baseline,
        glyphs,
        role: Role::Paragraph,
        gray: 0.0,
        h_scale: 1.0,
    }
}

/// A run laid out for font expansion by `scale`, as `set_lines` does: every position scaled.
fn expanded(mut run: GlyphRun, scale: f32) -> GlyphRun {
    for glyph in &mut run.glyphs {
        glyph.x *= scale;
    }
    run.h_scale = scale;
    run
}

fn jpeg_bytes() -> Vec<u8> {
    let img =
        ::image::RgbImage::from_fn(40, 20, |x, y| ::image::Rgb([x as u8 * 6, y as u8 * 12, 90]));
    let mut out = Vec::new();
    ::image::DynamicImage::ImageRgb8(img)
        .write_to(&mut Cursor::new(&mut out), ::image::ImageFormat::Jpeg)
        .expect("encode jpeg");
    out
}

fn png_bytes() -> Vec<u8> {
    let img = ::image::RgbaImage::from_fn(8, 8, |x, _| ::image::Rgba([200, 10, 10, x as u8 * 30]));
    let mut out = Vec::new();
    ::image::DynamicImage::ImageRgba8(img)
        .write_to(&mut Cursor::new(&mut out), ::image::ImageFormat::Png)
        .expect("encode png");
    out
}

fn rect(x: f32, y: f32, width: f32, height: f32) -> Rect {
    Rect {
        x,
        y,
        width,
        height,
    }
}

fn sample(fonts: &FontSet) -> (LaidOutDocument, Book) {
    let shaper = Shaper::new(fonts);
    let regular = FontId(0);
    let bold = FontId(2);
    let mut heading = run(&shaper, bold, &["Chapter", "One"], 72.0, 90.0);
    heading.role = Role::Heading(1);
    let body = run(
        &shaper,
        regular,
        &["office", "“quoted”", "text"],
        72.0,
        120.0,
    );
    let mut grey = expanded(
        run(&shaper, regular, &["fine", "print"], 72.0, 140.0),
        0.985,
    );
    grey.gray = 0.5;
    // After the tinted run's `Q` has restored the scaling, another factor.
    let wide = expanded(
        run(&shaper, regular, &["wide", "words"], 200.0, 140.0),
        1.0185,
    );
    let page1 = Page {
        width: 420.0,
        height: 595.0,
        items: vec![
            PageItem::Glyphs(heading),
            PageItem::Glyphs(body),
            PageItem::Glyphs(grey),
            PageItem::Glyphs(wide),
            PageItem::Image {
                asset: AssetId(0),
                rect: rect(72.0, 160.0, 200.0, 100.0),
                alt: "a gradient".into(),
            },
            PageItem::Rule {
                rect: rect(72.0, 270.0, 276.0, 0.5),
                gray: 0.0,
            },
            PageItem::Link {
                rect: rect(72.0, 110.0, 40.0, 12.0),
                target: LinkDestination::Uri("https://example.org/a?b=c".into()),
            },
            PageItem::Link {
                rect: rect(120.0, 110.0, 40.0, 12.0),
                target: LinkDestination::Internal { page: 1, y: 100.0 },
            },
        ],
    };
    let page2 = Page {
        width: 420.0,
        height: 595.0,
        items: vec![
            PageItem::Glyphs(run(&shaper, regular, &["Second", "page"], 72.0, 100.0)),
            PageItem::Image {
                asset: AssetId(0),
                rect: rect(72.0, 120.0, 100.0, 50.0),
                alt: "the same gradient".into(),
            },
            PageItem::Image {
                asset: AssetId(1),
                rect: rect(72.0, 200.0, 50.0, 50.0),
                alt: "a translucent square".into(),
            },
        ],
    };
    let entry = |title: &str, level, page, y| OutlineEntry {
        title: title.into(),
        level,
        page,
        y,
    };
    let doc = LaidOutDocument {
        pages: vec![page1, page2],
        navigation: Navigation {
            outline: vec![
                entry("Chapter One", 1, 0, 72.0),
                entry("Deep “section”", 3, 0, 200.0),
                entry("Section", 2, 0, 300.0),
                entry("Chapter Two", 1, 1, 72.0),
            ],
            ..Default::default()
        },
    };
    let book = Book {
        meta: Metadata {
            title: "A “Test” Book".into(),
            authors: vec!["Ada Lovelace".into(), "Charles Babbage".into()],
            language: "en-GB".into(),
            subjects: vec!["Testing".into()],
            ..Default::default()
        },
        assets: vec![
            Asset {
                name: "gradient.jpg".into(),
                format: ImageFormat::Jpeg,
                width: 40,
                height: 20,
                bytes: jpeg_bytes(),
                first_use: None,
            },
            Asset {
                name: "square.png".into(),
                format: ImageFormat::Png,
                width: 8,
                height: 8,
                bytes: png_bytes(),
                first_use: None,
            },
        ],
        ..Default::default()
    };
    (doc, book)
}

fn write_sample() -> (Vec<u8>, LaidOutDocument, Book) {
    let fonts = FontSet::builtin().expect("fonts");
    let (doc, book) = sample(&fonts);
    let bytes = write_pdf(
        doc.clone(),
        &fonts,
        &book,
        &crate::pdf::PdfOptions::default(),
    )
    .expect("write");
    if let Ok(path) = std::env::var("PRESSWORK_PDF_TEST_OUT") {
        std::fs::write(path, &bytes).expect("write test output");
    }
    (bytes, doc, book)
}

/// Follow a reference (or not).
fn deref<'a>(pdf: &'a Document, obj: &'a Object) -> &'a Object {
    match obj {
        Object::Reference(id) => pdf.get_object(*id).expect("dangling reference"),
        other => other,
    }
}

fn dict<'a>(pdf: &'a Document, d: &'a lopdf::Dictionary, key: &str) -> &'a lopdf::Dictionary {
    deref(pdf, d.get(key.as_bytes()).expect(key))
        .as_dict()
        .expect("dictionary")
}

fn string(obj: &Object) -> String {
    let bytes = obj.as_str().expect("string");
    if let Some(utf16) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = utf16
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16(&units).expect("utf-16")
    } else {
        String::from_utf8(bytes.to_vec()).expect("utf-8")
    }
}

fn number(obj: &Object) -> f64 {
    match obj {
        Object::Integer(i) => *i as f64,
        Object::Real(r) => f64::from(*r),
        other => panic!("not a number: {other:?}"),
    }
}

#[test]
fn fonts_are_subset_tagged_and_only_used_ones_embedded() {
    let (bytes, _, _) = write_sample();
    let pdf = Document::load_mem(&bytes).expect("parse");
    assert_eq!(pdf.version, "1.7");
    let fonts = FontSet::builtin().expect("fonts");
    let mut embedded = Vec::new();
    for obj in pdf.objects.values() {
        let Ok(d) = obj.as_dict() else { continue };
        if d.get(b"Type").and_then(Object::as_name).ok() != Some(b"FontDescriptor".as_slice()) {
            continue;
        }
        let name = String::from_utf8(
            d.get(b"FontName")
                .and_then(Object::as_name)
                .expect("name")
                .to_vec(),
        )
        .expect("ascii");
        let (tag, base) = name.split_once('+').expect("subset tag");
        assert!(
            tag.len() == 6 && tag.bytes().all(|b| b.is_ascii_uppercase()),
            "{name}"
        );
        let file = deref(&pdf, d.get(b"FontFile2").expect("FontFile2"))
            .as_stream()
            .expect("stream");
        let program = file
            .decompressed_content()
            .unwrap_or_else(|_| file.content.clone());
        let original = fonts
            .iter()
            .find(|(_, f)| f.name == base)
            .expect("known font")
            .1;
        assert!(
            program.len() * 10 < original.data.len(),
            "{base}: subset {} vs {} bytes",
            program.len(),
            original.data.len()
        );
        embedded.push(base.to_string());
    }
    embedded.sort();
    assert_eq!(embedded, ["NotoSerif-Bold", "NotoSerif-Regular"]);
}

#[test]
fn outline_is_nested_and_metadata_set() {
    let (bytes, _, _) = write_sample();
    let pdf = Document::load_mem(&bytes).expect("parse");
    let catalog = pdf.catalog().expect("catalog");
    assert_eq!(
        catalog.get(b"PageMode").and_then(Object::as_name).ok(),
        Some(b"UseOutlines".as_slice())
    );
    assert_eq!(string(catalog.get(b"Lang").expect("Lang")), "en-GB");
    let outlines = dict(&pdf, catalog, "Outlines");
    assert_eq!(number(outlines.get(b"Count").expect("count")), 4.0);
    let one = dict(&pdf, outlines, "First");
    assert_eq!(string(one.get(b"Title").expect("title")), "Chapter One");
    assert_eq!(number(one.get(b"Count").expect("count")), 2.0);
    let deep = dict(&pdf, one, "First");
    assert_eq!(string(deep.get(b"Title").expect("title")), "Deep “section”");
    let section = dict(&pdf, deep, "Next");
    assert_eq!(string(section.get(b"Title").expect("title")), "Section");
    let two = dict(&pdf, one, "Next");
    assert_eq!(string(two.get(b"Title").expect("title")), "Chapter Two");
    assert!(two.get(b"First").is_err());
    // /Dest [page /XYZ null top null], top flipped to PDF space.
    let dest = two.get(b"Dest").and_then(Object::as_array).expect("dest");
    let pages: Vec<ObjectId> = pdf.get_pages().into_values().collect();
    assert_eq!(dest[0].as_reference().expect("page"), pages[1]);
    assert_eq!(number(&dest[3]), 595.0 - 72.0);

    let info = dict(&pdf, &pdf.trailer, "Info");
    assert_eq!(string(info.get(b"Title").expect("title")), "A “Test” Book");
    assert_eq!(
        string(info.get(b"Author").expect("author")),
        "Ada Lovelace, Charles Babbage"
    );
    assert_eq!(string(info.get(b"Creator").expect("creator")), "presswork");
    assert!(info.get(b"GTS_PDFXVersion").is_err());
    assert!(info.get(b"Trapped").is_err());
    assert!(pdf.trailer.get(b"ID").is_ok());
}

#[test]
fn images_are_embedded_once_jpeg_unchanged_png_with_mask() {
    let (bytes, _, book) = write_sample();
    let pdf = Document::load_mem(&bytes).expect("parse");
    let mut jpegs = 0;
    let mut masked = 0;
    for obj in pdf.objects.values() {
        let Ok(stream) = obj.as_stream() else {
            continue;
        };
        if stream.dict.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Image".as_slice()) {
            continue;
        }
        match stream.dict.get(b"Filter").and_then(Object::as_name) {
            Ok(b"DCTDecode") => {
                jpegs += 1;
                assert_eq!(stream.content, book.assets[0].bytes);
                assert_eq!(
                    stream
                        .dict
                        .get(b"ColorSpace")
                        .and_then(Object::as_name)
                        .ok(),
                    Some(b"DeviceRGB".as_slice())
                );
            }
            _ if stream.dict.has(b"SMask") => masked += 1,
            _ => {}
        }
    }
    assert_eq!(jpegs, 1, "drawn twice, embedded once");
    assert_eq!(masked, 1, "PNG alpha kept as a soft mask");
}

#[test]
fn links_become_borderless_annotations() {
    let (bytes, _, _) = write_sample();
    let pdf = Document::load_mem(&bytes).expect("parse");
    let pages: Vec<ObjectId> = pdf.get_pages().into_values().collect();
    let page = pdf.get_dictionary(pages[0]).expect("page");
    let annots = page
        .get(b"Annots")
        .and_then(Object::as_array)
        .expect("annots");
    assert_eq!(annots.len(), 2);
    let uri = deref(&pdf, &annots[0]).as_dict().expect("annot");
    let action = deref(&pdf, uri.get(b"A").expect("action"))
        .as_dict()
        .expect("action");
    assert_eq!(
        string(action.get(b"URI").expect("uri")),
        "https://example.org/a?b=c"
    );
    let border = uri
        .get(b"Border")
        .and_then(Object::as_array)
        .expect("border");
    assert!(border.iter().all(|b| number(b) == 0.0));
    let goto = deref(&pdf, &annots[1]).as_dict().expect("annot");
    for annot in [uri, goto] {
        assert_eq!(annot.get(b"F").and_then(Object::as_i64).ok(), Some(4));
    }
    let dest = goto.get(b"Dest").and_then(Object::as_array).expect("dest");
    assert_eq!(dest[0].as_reference().expect("page"), pages[1]);
    assert_eq!(number(&dest[3]), 595.0 - 100.0);
}

/// `/W` of a Type0 font: code → width in 1/1000 em.
fn widths(pdf: &Document, font: &lopdf::Dictionary) -> BTreeMap<u16, f64> {
    let descendants = deref(pdf, font.get(b"DescendantFonts").expect("descendants"))
        .as_array()
        .expect("array");
    let cid_font = deref(pdf, &descendants[0]).as_dict().expect("cid font");
    let w = deref(pdf, cid_font.get(b"W").expect("W"))
        .as_array()
        .expect("W array");
    let mut out = BTreeMap::new();
    for pair in w.chunks(2) {
        let first = number(&pair[0]) as u16;
        for (i, width) in pair[1].as_array().expect("widths").iter().enumerate() {
            out.insert(first + i as u16, number(width));
        }
    }
    out
}

#[test]
fn glyphs_land_exactly_where_layout_put_them() {
    let (bytes, doc, _) = write_sample();
    let pdf = Document::load_mem(&bytes).expect("parse");
    for (page_index, (number_, page_id)) in pdf.get_pages().into_iter().enumerate() {
        let page = &doc.pages[page_index];
        let expected: Vec<(f64, f64)> = page
            .items
            .iter()
            .filter_map(|item| match item {
                PageItem::Glyphs(run) => Some(run),
                _ => None,
            })
            .flat_map(|run| {
                run.glyphs.iter().map(move |g| {
                    (
                        f64::from(run.x + g.x),
                        f64::from(page.height - run.baseline + g.y_offset),
                    )
                })
            })
            .collect();

        let fonts = pdf.get_page_fonts(page_id).expect("fonts");
        let content =
            lopdf::content::Content::decode(&pdf.get_page_content(page_id)).expect("decode");
        let mut found = Vec::new();
        let (mut x, mut y, mut size) = (0.0, 0.0, 0.0);
        // Horizontal scaling (`Tz`), which `q`/`Q` save and restore: it scales glyph
        // advances and TJ numbers alike.
        let (mut scale, mut saved, mut scales) = (1.0, Vec::new(), Vec::new());
        let mut w = BTreeMap::new();
        for op in &content.operations {
            match op.operator.as_str() {
                "q" => saved.push(scale),
                "Q" => scale = saved.pop().expect("balanced q/Q"),
                "Tz" => {
                    scale = number(&op.operands[0]) / 100.0;
                    scales.push(scale);
                }
                "Tf" => {
                    let name = op.operands[0].as_name().expect("font name");
                    w = widths(&pdf, fonts[name]);
                    size = number(&op.operands[1]);
                }
                "Tm" => {
                    x = number(&op.operands[4]);
                    y = number(&op.operands[5]);
                }
                "TJ" => {
                    for item in op.operands[0].as_array().expect("TJ array") {
                        match item {
                            // Two bytes a glyph; glyphs with no correction share a string.
                            Object::String(codes, _) => {
                                for code in codes.chunks(2) {
                                    let gid = u16::from_be_bytes([code[0], code[1]]);
                                    found.push((x, y));
                                    x +=
                                        w.get(&gid).copied().unwrap_or(0.0) / 1000.0 * size * scale;
                                }
                            }
                            n => x -= number(n) / 1000.0 * size * scale,
                        }
                    }
                }
                "Tj" | "Td" | "TD" | "'" | "\"" | "T*" => {
                    panic!("unexpected text operator {}", op.operator)
                }
                _ => {}
            }
        }
        if page_index == 0 {
            let want = [0.985, 1.0185];
            assert_eq!(scales.len(), want.len(), "expanded runs are drawn under Tz");
            for (got, want) in scales.iter().zip(want) {
                assert!((got - want).abs() < 1.0e-6, "Tz {got}, not {want}");
            }
        }
        // Every laid-out glyph, in order; the writer adds one space glyph per word gap.
        let mut found = found.into_iter();
        for (i, want) in expected.iter().enumerate() {
            assert!(
                found.any(|got| (got.0 - want.0).abs() < 0.01 && (got.1 - want.1).abs() < 0.01),
                "page {number_} glyph {i} laid out at {want:?} not drawn there"
            );
        }
    }
}

#[test]
fn output_is_deterministic() {
    let (first, _, _) = write_sample();
    let (second, _, _) = write_sample();
    assert!(first == second, "two runs differ");
}
