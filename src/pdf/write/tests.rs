//! Round trips: write a small hand-made document and read it back with lopdf.

use std::collections::BTreeMap;
use std::io::Cursor;

use lopdf::{Document, Object, ObjectId};

use super::write_pdf;

#[path = "../../../tests/support/pdf_structure.rs"]
mod pdf_structure;
use crate::ir::{Asset, AssetId, Book, ImageFormat, Metadata};
use crate::typeset::fonts::{FontId, FontSet};
use crate::typeset::frame::{
    GlyphRun, LaidOutDocument, LinkDestination, Navigation, OutlineEntry, Page, PageItem,
    PlacedGlyph, Rect, Role,
};
use crate::typeset::shape::Shaper;
use pdf_structure::{deref, dict, dump_structure, marked_text, number, parent_tree, string};

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
        starts_at: None,
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
        starts_at: None,
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

// Tagged PDF: a hand-tagged document, its structure tree read back as an outline.

use crate::typeset::frame::{PageSink, StructKind, Tag};

fn start(kind: StructKind) -> PageItem {
    PageItem::Tag(Tag::Start(kind))
}

fn end() -> PageItem {
    PageItem::Tag(Tag::End)
}

fn glyphs(run: GlyphRun) -> PageItem {
    PageItem::Glyphs(run)
}

/// A chapter whose paragraph (with a link in it) runs from page 1 onto page 2, then a list,
/// a table, a figure with caption, a note, a passage in French, an untagged link, a link
/// whose anchor never lands, running heads and folios, one `End` too many and one element
/// never closed.
fn tagged_sample(fonts: &FontSet) -> (LaidOutDocument, Book) {
    let shaper = Shaper::new(fonts);
    let regular = FontId(0);
    let bold = FontId(2);
    let line = |words: &[&str], x: f32, baseline: f32| run(&shaper, regular, words, x, baseline);
    let artifact = |words: &[&str], baseline: f32| {
        let mut r = run(&shaper, regular, words, 200.0, baseline);
        r.role = Role::Artifact;
        PageItem::Glyphs(r)
    };
    let mut heading = run(&shaper, bold, &["Chapter", "One"], 72.0, 90.0);
    heading.role = Role::Heading(1);
    let page1 = Page {
        starts_at: None,
        width: 420.0,
        height: 595.0,
        items: vec![
            start(StructKind::Chapter),
            artifact(&["Running", "head"], 40.0),
            start(StructKind::Heading(1)),
            glyphs(heading),
            end(),
            start(StructKind::Paragraph),
            glyphs(line(&["First", "line"], 72.0, 120.0)),
            start(StructKind::Link),
            glyphs(line(&["linked", "words"], 150.0, 120.0)),
            PageItem::Link {
                rect: rect(150.0, 110.0, 60.0, 12.0),
                target: LinkDestination::Uri("https://example.org/".into()),
            },
            end(),
            glyphs(line(&["and", "more"], 72.0, 134.0)),
            artifact(&["1"], 570.0),
        ],
    };
    let page2 = Page {
        starts_at: None,
        width: 420.0,
        height: 595.0,
        items: vec![
            artifact(&["Running", "head"], 40.0),
            glyphs(line(&["continued", "here."], 72.0, 80.0)),
            end(),
            start(StructKind::List { ordered: false }),
            start(StructKind::ListItem),
            start(StructKind::Label),
            glyphs(line(&["•"], 72.0, 100.0)),
            end(),
            start(StructKind::ListBody),
            glyphs(line(&["an", "item"], 84.0, 100.0)),
            end(),
            end(),
            end(),
            start(StructKind::Table),
            start(StructKind::TableRow),
            start(StructKind::TableHeader),
            glyphs(line(&["Name"], 72.0, 120.0)),
            end(),
            end(),
            PageItem::Rule {
                rect: rect(72.0, 124.0, 200.0, 0.5),
                gray: 0.0,
            },
            start(StructKind::TableRow),
            start(StructKind::TableData),
            glyphs(line(&["Ada"], 72.0, 136.0)),
            end(),
            end(),
            end(),
            start(StructKind::Figure {
                alt: "a gradient".into(),
            }),
            PageItem::Image {
                asset: AssetId(0),
                rect: rect(72.0, 150.0, 200.0, 100.0),
                alt: "image alt".into(),
            },
            start(StructKind::Caption),
            glyphs(line(&["Figure", "1"], 72.0, 262.0)),
            end(),
            end(),
            start(StructKind::Note { id: "fn-1".into() }),
            glyphs(line(&["A", "note."], 72.0, 280.0)),
            end(),
            start(StructKind::Paragraph),
            glyphs(line(&["She", "said"], 72.0, 300.0)),
            start(StructKind::Language { lang: "fr".into() }),
            glyphs(line(&["bonjour"], 130.0, 300.0)),
            end(),
            // A link area outside any link element, and a link whose anchor never lands.
            PageItem::Link {
                rect: rect(72.0, 290.0, 40.0, 12.0),
                target: LinkDestination::Internal { page: 0, y: 90.0 },
            },
            start(StructKind::Link),
            glyphs(line(&["nowhere"], 200.0, 300.0)),
            PageItem::Link {
                rect: rect(200.0, 290.0, 40.0, 12.0),
                target: LinkDestination::Anchor("missing".into()),
            },
            end(),
            end(),
            end(),
            end(),
            end(),
            start(StructKind::Code),
            glyphs(line(&["never", "closed"], 72.0, 320.0)),
            artifact(&["2"], 570.0),
        ],
    };
    let (_, book) = sample(fonts);
    let doc = LaidOutDocument {
        pages: vec![page1, page2],
        navigation: Navigation::default(),
    };
    (doc, book)
}

fn write_tagged(options: &crate::pdf::PdfOptions) -> Vec<u8> {
    let fonts = FontSet::builtin().expect("fonts");
    let (doc, book) = tagged_sample(&fonts);
    let bytes = write_pdf(doc, &fonts, &book, options).expect("write");
    if let Ok(path) = std::env::var("PRESSWORK_TAGGED_TEST_OUT") {
        std::fs::write(path, &bytes).expect("write test output");
    }
    bytes
}

const TAGGED_OUTLINE: &str = "\
Document
  Sect
    H1 1:\"Chapter One\"
    P 1:\"First line\" 1:\"and more\" 2:\"continued here.\"
      Link 1:\"linked words\" [Annot \"linked words\"]
    L O=List ListNumbering=Disc
      LI
        Lbl 2:\"•\"
        LBody 2:\"an item\"
    Table
      TR
        TH O=Table Scope=Column 2:\"Name\"
      TR
        TD 2:\"Ada\"
    Figure /Alt 'a gradient' O=Layout BBox=[72.0, 345.0, 272.0, 445.0] 2:\"\"
      Caption 2:\"Figure 1\"
    Note /ID 'fn-1' 2:\"A note.\"
    P 2:\"She said\"
      Span /Lang 'fr' 2:\"bonjour\"
      Link [Annot \"Page 1\"]
      Link 2:\"nowhere\" [Annot \"nowhere\"]
  Code 2:\"never closed\"
";

#[test]
fn tags_become_a_structure_tree() {
    let bytes = write_tagged(&crate::pdf::PdfOptions::default());
    let pdf = Document::load_mem(&bytes).expect("parse");
    let catalog = pdf.catalog().expect("catalog");
    let mark_info = dict(&pdf, catalog, "MarkInfo");
    assert_eq!(
        mark_info.get(b"Marked").and_then(Object::as_bool).ok(),
        Some(true)
    );
    assert!(!catalog.has(b"RoleMap"));
    let root = dict(&pdf, catalog, "StructTreeRoot");
    assert!(!root.has(b"RoleMap"), "standard types only");
    let prefs = dict(&pdf, catalog, "ViewerPreferences");
    assert_eq!(
        prefs.get(b"DisplayDocTitle").and_then(Object::as_bool).ok(),
        Some(true)
    );
    assert_eq!(dump_structure(&pdf), TAGGED_OUTLINE);
}

#[test]
fn every_mcid_has_one_parent_and_every_annotation_its_link() {
    let bytes = write_tagged(&crate::pdf::PdfOptions::default());
    let pdf = Document::load_mem(&bytes).expect("parse");
    let marked = marked_text(&pdf);
    let tree = parent_tree(&pdf);
    let mut keys_used = 0;
    for (index, (_, page_id)) in pdf.get_pages().into_iter().enumerate() {
        let page = pdf.get_dictionary(page_id).expect("page");
        assert_eq!(
            page.get(b"Tabs").and_then(Object::as_name).ok(),
            Some(b"S".as_slice())
        );
        let key = page
            .get(b"StructParents")
            .and_then(Object::as_i64)
            .expect("StructParents");
        let parents = deref(&pdf, &tree[&key]).as_array().expect("array");
        keys_used += 1;
        let mcids: Vec<i64> = marked
            .keys()
            .filter(|(p, _)| *p == index)
            .map(|(_, m)| *m)
            .collect();
        assert_eq!(
            mcids,
            (0..parents.len() as i64).collect::<Vec<_>>(),
            "page {index}"
        );
        for (mcid, parent) in parents.iter().enumerate() {
            // The element named for the MCID claims it, on this page.
            let elem = deref(&pdf, parent).as_dict().expect("element");
            let pg = elem.get(b"Pg").and_then(Object::as_reference).ok();
            let kids = match elem.get(b"K").expect("K") {
                Object::Array(kids) => kids.clone(),
                kid => vec![kid.clone()],
            };
            let claimed = kids.iter().any(|kid| match kid {
                Object::Integer(m) => *m == mcid as i64 && pg == Some(page_id),
                Object::Dictionary(d) => {
                    d.get(b"MCID").and_then(Object::as_i64).ok() == Some(mcid as i64)
                        && d.get(b"Pg").and_then(Object::as_reference).ok() == Some(page_id)
                }
                _ => false,
            });
            assert!(claimed, "page {index} MCID {mcid}");
        }
        let Ok(annots) = page.get(b"Annots").and_then(Object::as_array) else {
            continue;
        };
        for annot_ref in annots {
            let annot_id = annot_ref.as_reference().expect("indirect annotation");
            let annot = pdf.get_dictionary(annot_id).expect("annotation");
            assert!(annot.has(b"Contents"));
            let key = annot
                .get(b"StructParent")
                .and_then(Object::as_i64)
                .expect("StructParent");
            keys_used += 1;
            let link = deref(&pdf, &tree[&key]).as_dict().expect("link element");
            assert_eq!(
                link.get(b"S").and_then(Object::as_name).ok(),
                Some(b"Link".as_slice())
            );
            let kids = link.get(b"K").and_then(Object::as_array).expect("kids");
            assert!(kids.iter().any(|kid| {
                kid.as_dict().is_ok_and(|d| {
                    d.get(b"Obj").and_then(Object::as_reference).ok() == Some(annot_id)
                        && d.get(b"Pg").and_then(Object::as_reference).ok() == Some(page_id)
                })
            }));
        }
    }
    assert_eq!(keys_used, tree.len(), "no parent-tree entry is left over");
}

#[test]
fn folios_and_rules_are_artifacts_and_the_file_claims_pdf_ua() {
    let bytes = write_tagged(&crate::pdf::PdfOptions::default());
    let pdf = Document::load_mem(&bytes).expect("parse");
    let (_, page_id) = pdf.get_pages().into_iter().nth(1).expect("page 2");
    let content = String::from_utf8_lossy(&pdf.get_page_content(page_id)).into_owned();
    assert!(content.starts_with("/Artifact <</Type /Pagination>> BDC\n"));
    // lopdf adds a line break after the stream data.
    assert!(content.trim_end().ends_with("\nEMC"));
    assert!(content.contains("/Artifact <</Type /Layout>> BDC\nq\n"));
    assert!(!marked_text(&pdf)
        .values()
        .any(|t| t == "2" || t.contains("Running")));
    for archival in [true, false] {
        let bytes = write_tagged(&crate::pdf::PdfOptions { archival });
        let pdf = Document::load_mem(&bytes).expect("parse");
        let metadata = pdf
            .catalog()
            .expect("catalog")
            .get(b"Metadata")
            .expect("XMP");
        let metadata = deref(&pdf, metadata).as_stream().expect("stream");
        assert_eq!(
            metadata.dict.get(b"Subtype").and_then(Object::as_name).ok(),
            Some(b"XML".as_slice())
        );
        let xmp = String::from_utf8(metadata.content.clone()).expect("utf-8");
        assert!(xmp.contains("<pdfuaid:part>1</pdfuaid:part>"));
        assert_eq!(xmp.contains("<pdfaid:part>2</pdfaid:part>"), archival);
        assert_eq!(
            xmp.contains("http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>"),
            archival
        );
    }
}

#[test]
fn tagged_output_is_deterministic_and_passes_qpdf() {
    let options = crate::pdf::PdfOptions::default();
    let bytes = write_tagged(&options);
    assert!(bytes == write_tagged(&options), "two runs differ");
    let path = std::env::temp_dir().join(format!("presswork-tagged-{}.pdf", std::process::id()));
    std::fs::write(&path, &bytes).expect("write");
    let output = std::process::Command::new("qpdf")
        .arg("--check")
        .arg(&path)
        .output();
    let _ = std::fs::remove_file(&path);
    let Ok(output) = output else {
        eprintln!("qpdf not installed: skipped");
        return;
    };
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "qpdf --check: {report}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        report.contains("No syntax or stream encoding errors"),
        "{report}"
    );
}

#[test]
fn untagged_pages_land_in_the_document_root() {
    let (bytes, _, _) = write_sample();
    let pdf = Document::load_mem(&bytes).expect("parse");
    let outline = dump_structure(&pdf);
    let lines: Vec<&str> = outline.lines().collect();
    assert!(lines[0].starts_with("Document 1:"), "{outline}");
    // Images become figures with their alternative text, links link elements.
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("  Figure /Alt 'a gradient'")),
        "{outline}"
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.starts_with("  Link [Annot"))
            .count(),
        2,
        "{outline}"
    );
    assert!(!pdf.catalog().expect("catalog").has(b"RoleMap"));
}

/// Tags a typeset book the way a tagging typesetter would (a section per chapter, a
/// paragraph every six lines, running across pages, a link with an annotation every 37th
/// line) on its way to the writer.
struct TagEverything<'w, 'a> {
    writer: &'w mut super::PdfWriter<'a>,
    lines: usize,
    paragraph: bool,
    chapter: bool,
    /// Elements opened so far.
    elements: usize,
}

impl PageSink for TagEverything<'_, '_> {
    fn page(&mut self, page: Page) -> crate::Result<()> {
        let mut items = Vec::with_capacity(page.items.len() * 2);
        for item in page.items {
            match item {
                PageItem::Glyphs(run) if run.role == Role::Heading(1) => {
                    for open in [self.paragraph, self.chapter] {
                        if open {
                            items.push(end());
                        }
                    }
                    self.paragraph = false;
                    self.chapter = true;
                    items.push(start(StructKind::Chapter));
                    items.push(start(StructKind::Heading(1)));
                    self.elements += 2;
                    items.push(PageItem::Glyphs(run));
                    items.push(end());
                }
                PageItem::Glyphs(run) if run.role != Role::Artifact => {
                    if !self.paragraph {
                        items.push(start(StructKind::Paragraph));
                        self.paragraph = true;
                        self.elements += 1;
                    }
                    self.lines += 1;
                    if self.lines.is_multiple_of(37) {
                        let area = rect(run.x, run.baseline - run.size, 100.0, run.size);
                        items.push(start(StructKind::Link));
                        self.elements += 1;
                        items.push(PageItem::Glyphs(run));
                        items.push(PageItem::Link {
                            rect: area,
                            target: LinkDestination::Uri("https://example.org/".into()),
                        });
                        items.push(end());
                    } else {
                        items.push(PageItem::Glyphs(run));
                    }
                    if self.lines.is_multiple_of(6) {
                        items.push(end());
                        self.paragraph = false;
                    }
                }
                other => items.push(other),
            }
        }
        self.writer.page(Page { items, ..page })
    }
}

/// Time the writer on a long manuscript, untagged and tagged by [`TagEverything`]:
/// `PRESSWORK_TAGGING_BENCH=/tmp/five.md cargo test --release --lib tagging_cost -- --ignored
/// --nocapture` (and `PRESSWORK_TAGGING_BENCH_MODE`, below).
#[test]
#[ignore = "a measurement, not a test; needs PRESSWORK_TAGGING_BENCH"]
fn tagging_cost() {
    use crate::typeset::{pipeline, PageGeometry};
    let Ok(path) = std::env::var("PRESSWORK_TAGGING_BENCH") else {
        return;
    };
    let book = crate::load::load_book(
        std::path::Path::new(&path),
        &crate::load::LoadOptions::default(),
        &mut crate::Diagnostics::default(),
    )
    .expect("book loads");
    let fonts = FontSet::builtin().expect("fonts");
    let geometry = PageGeometry::for_paper(book.settings.paper);
    let options = crate::pdf::PdfOptions::default();
    // PRESSWORK_TAGGING_BENCH_MODE=tagged or untagged runs one pass only, so that the
    // process's peak memory is that pass's.
    let modes: &[bool] = match std::env::var("PRESSWORK_TAGGING_BENCH_MODE").as_deref() {
        Ok("tagged") => &[true],
        Ok("untagged") => &[false],
        _ => &[false, true, false, true],
    };
    for &tagged in modes {
        let started = std::time::Instant::now();
        let mut writer = super::PdfWriter::new(&fonts, &book, &options).expect("writer");
        let mut diagnostics = crate::Diagnostics::default();
        let mut elements = 0;
        let navigation = if tagged {
            let mut sink = TagEverything {
                writer: &mut writer,
                lines: 0,
                paragraph: false,
                chapter: false,
                elements: 0,
            };
            let navigation =
                pipeline::lay_out_into(&book, &fonts, geometry, &mut sink, &mut diagnostics);
            elements = sink.elements;
            navigation
        } else {
            pipeline::lay_out_into(&book, &fonts, geometry, &mut writer, &mut diagnostics)
        }
        .expect("layout");
        let peak = || {
            std::fs::read_to_string("/proc/self/status")
                .unwrap_or_default()
                .lines()
                .find(|l| l.starts_with("VmHWM"))
                .unwrap_or_default()
                .to_owned()
        };
        eprintln!("before finish: {}", peak());
        let bytes = writer.finish(&navigation).expect("finish");
        eprintln!("after finish: {}", peak());
        eprintln!(
            "tagged {tagged}: {:.2} s, {} bytes, {elements} elements opened by tags",
            started.elapsed().as_secs_f64(),
            bytes.len()
        );
        if tagged {
            let path = std::env::temp_dir().join("presswork-tagging-bench.pdf");
            std::fs::write(path, &bytes).expect("write");
        }
    }
}
