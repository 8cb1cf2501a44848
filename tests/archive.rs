//! Our own archive check: build real PDFs, parse them with lopdf and assert the PDF/A-2b
//! facts (XMP metadata matching the document information dictionary, the sRGB output
//! intent, printable annotations, `/ID`, embedded fonts), compact files (compressed images,
//! one link rectangle per link and line) and byte-identical rebuilds.

use std::path::{Path, PathBuf};
use std::process::Command;

use lopdf::{Dictionary, Document, Object};
use presswork::ir::Book;
use presswork::load::{load_book, LoadOptions};
use presswork::pdf::{PdfOptions, PdfRenderer};
use presswork::{Diagnostics, Renderer};

#[path = "support/books.rs"]
mod books;
use books::scratch_dir;

/// 2023-11-14T22:13:20Z.
const EPOCH: i64 = 1_700_000_000;
const XMP_DATE: &str = "2023-11-14T22:13:20+00:00";
const INFO_DATE: &str = "D:20231114221320+00'00'";

/// An image stream left unfiltered above this size is a compression bug.
const LARGEST_RAW_IMAGE: usize = 4096;
/// The size budget for a book of seven small line drawings.
const SEVEN_DRAWINGS_BUDGET: usize = 1_500_000;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Load with `SOURCE_DATE_EPOCH` = [`EPOCH`], as the command line passes it.
fn load(path: &Path) -> Book {
    let options = LoadOptions {
        source_date_epoch: Some(EPOCH),
        ..LoadOptions::default()
    };
    load_book(path, &options, &mut Diagnostics::default()).expect("book loads")
}

fn options() -> PdfOptions {
    PdfOptions::default()
}

fn render_with(book: &Book, options: PdfOptions) -> Vec<u8> {
    PdfRenderer { options }
        .render(book, &mut Diagnostics::default())
        .expect("PDF renders")
}

fn render(book: &Book) -> Vec<u8> {
    render_with(book, options())
}

/// A book made of one manuscript `text` (and any files beside it).
fn book_of(name: &str, text: &str, files: &[(&str, Vec<u8>)]) -> Book {
    let dir = scratch_dir("archive", name);
    for (file, bytes) in files {
        std::fs::write(dir.join(file), bytes).expect("write");
    }
    std::fs::write(dir.join("book.md"), text).expect("write");
    let book = load(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    book
}

fn deref<'a>(doc: &'a Document, object: &'a Object) -> &'a Object {
    match object {
        Object::Reference(id) => doc.get_object(*id).expect("dangling reference"),
        other => other,
    }
}

fn get<'a>(doc: &'a Document, dict: &'a Dictionary, key: &str) -> &'a Object {
    deref(
        doc,
        dict.get(key.as_bytes())
            .unwrap_or_else(|_| panic!("no /{key}")),
    )
}

/// PDF text strings: UTF-16BE with a BOM, or PDFDocEncoding (ASCII here).
fn pdf_string(object: &Object) -> String {
    let bytes = object.as_str().expect("string");
    match bytes.strip_prefix(&[0xFE, 0xFF]) {
        Some(rest) => String::from_utf16_lossy(
            &rest
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect::<Vec<_>>(),
        ),
        None => bytes.iter().map(|b| char::from(*b)).collect(),
    }
}

fn info(doc: &Document) -> &Dictionary {
    get(doc, &doc.trailer, "Info").as_dict().expect("info")
}

fn info_text(doc: &Document, key: &str) -> Option<String> {
    info(doc).get(key.as_bytes()).ok().map(pdf_string)
}

/// The XMP packet from the catalog, checked to be a plain (unfiltered) metadata stream.
fn xmp(doc: &Document) -> String {
    let catalog = doc.catalog().expect("catalog");
    let stream = get(doc, catalog, "Metadata").as_stream().expect("stream");
    assert_eq!(
        stream.dict.get(b"Type").and_then(Object::as_name).ok(),
        Some(b"Metadata".as_slice())
    );
    assert_eq!(
        stream.dict.get(b"Subtype").and_then(Object::as_name).ok(),
        Some(b"XML".as_slice())
    );
    assert!(!stream.dict.has(b"Filter"), "XMP must stay readable");
    String::from_utf8(stream.content.clone()).expect("UTF-8 XMP")
}

/// The text of every element `prefix:local` (in the namespace XMP gives the prefix), with
/// the `rdf:li` items of an array as separate values.
fn xmp_values(packet: &str, namespace: &str, local: &str) -> Vec<String> {
    let xml = roxmltree::Document::parse(packet).expect("XMP is well-formed XML");
    let Some(property) = xml
        .descendants()
        .find(|n| n.tag_name().name() == local && n.tag_name().namespace() == Some(namespace))
    else {
        return Vec::new();
    };
    let items: Vec<String> = property
        .descendants()
        .filter(|n| n.tag_name().name() == "li")
        .map(|n| n.text().unwrap_or_default().to_owned())
        .collect();
    if items.is_empty() {
        vec![property.text().unwrap_or_default().to_owned()]
    } else {
        items
    }
}

const DC: &str = "http://purl.org/dc/elements/1.1/";
const XMP: &str = "http://ns.adobe.com/xap/1.0/";
const PDF: &str = "http://ns.adobe.com/pdf/1.3/";
const PDFAID: &str = "http://www.aiim.org/pdfa/ns/id/";

#[test]
fn text_with_glyphs_of_no_text_of_their_own_claims_pdfa_2b() {
    // Devanagari conjuncts draw glyphs whose text their cluster's first glyph carries (in
    // /ActualText): such a file cannot claim level U.
    let doc = Document::load_mem(&render(&load(&repo().join("tests/manuscripts/scripts.md"))))
        .expect("parses");
    assert_eq!(xmp_values(&xmp(&doc), PDFAID, "conformance"), ["B"]);
}

#[test]
fn seed_pdf_states_pdfa_2u_in_xmp_that_matches_the_info_dictionary() {
    let doc = Document::load_mem(&render(&load(&repo().join("book")))).expect("parses");
    assert_eq!(doc.version, "1.7");
    let packet = xmp(&doc);
    assert_eq!(xmp_values(&packet, PDFAID, "part"), ["2"]);
    // Every glyph of the seed stands for its own text: level U.
    assert_eq!(xmp_values(&packet, PDFAID, "conformance"), ["U"]);
    let title = info_text(&doc, "Title").expect("title");
    assert_eq!(
        title,
        "Putin invites PM Modi to visit Russia in meeting with Jaishankar"
    );
    assert_eq!(xmp_values(&packet, DC, "title"), [title]);
    assert_eq!(
        xmp_values(&packet, DC, "description"),
        [info_text(&doc, "Subject").expect("subject")]
    );
    assert_eq!(
        xmp_values(&packet, PDF, "Producer"),
        [info_text(&doc, "Producer").expect("producer")]
    );
    assert_eq!(
        xmp_values(&packet, XMP, "CreatorTool"),
        [info_text(&doc, "Creator").expect("creator")]
    );
    // The seed names no author: neither place may invent one.
    assert!(info_text(&doc, "Author").is_none());
    assert!(xmp_values(&packet, DC, "creator").is_empty());
    let lang = pdf_string(doc.catalog().expect("catalog").get(b"Lang").expect("lang"));
    assert_eq!(xmp_values(&packet, DC, "language"), [lang]);
    for date in ["CreateDate", "ModifyDate", "MetadataDate"] {
        assert_eq!(xmp_values(&packet, XMP, date), [XMP_DATE], "{date}");
    }
    assert_eq!(info_text(&doc, "CreationDate").as_deref(), Some(INFO_DATE));
    assert_eq!(info_text(&doc, "ModDate").as_deref(), Some(INFO_DATE));
}

#[test]
fn authors_and_awkward_titles_are_escaped_and_agree() {
    let book = book_of(
        "authors",
        "+++\ntitle = \"Tom & Jerry <live> \\\"at\\\" Ann's\"\nauthors = [\"Ann Ó Briain\", \
         \"Bo <B> & Co\"]\nlanguage = \"de\"\n+++\n\n# Eins\n\nText.\n",
        &[],
    );
    let doc = Document::load_mem(&render(&book)).expect("parses");
    let packet = xmp(&doc);
    let title = info_text(&doc, "Title").expect("title");
    assert_eq!(title, "Tom & Jerry <live> \"at\" Ann's");
    assert_eq!(xmp_values(&packet, DC, "title"), [title]);
    let author = info_text(&doc, "Author").expect("author");
    assert_eq!(author, "Ann Ó Briain, Bo <B> & Co");
    // A sequence of one entry equal to /Author: what validators compare.
    assert_eq!(xmp_values(&packet, DC, "creator"), [author]);
    assert_eq!(xmp_values(&packet, DC, "language"), ["de"]);
}

#[test]
fn the_output_intent_embeds_an_srgb_profile() {
    let doc = Document::load_mem(&render(&load(&repo().join("book")))).expect("parses");
    let catalog = doc.catalog().expect("catalog");
    let intents = get(&doc, catalog, "OutputIntents")
        .as_array()
        .expect("array");
    assert_eq!(intents.len(), 1);
    let intent = deref(&doc, &intents[0]).as_dict().expect("intent");
    assert_eq!(
        intent.get(b"S").and_then(Object::as_name).ok(),
        Some(b"GTS_PDFA1".as_slice())
    );
    assert_eq!(
        pdf_string(intent.get(b"OutputConditionIdentifier").expect("id")),
        "sRGB IEC61966-2.1"
    );
    let profile = get(&doc, intent, "DestOutputProfile")
        .as_stream()
        .expect("ICC stream");
    assert_eq!(
        profile.dict.get(b"N").and_then(Object::as_i64).ok(),
        Some(3)
    );
    let icc = profile.get_plain_content().expect("profile bytes");
    assert_eq!(&icc[36..40], b"acsp", "an ICC profile");
    assert_eq!(&icc[16..20], b"RGB ", "for RGB");
}

#[test]
fn no_pdfa_leaves_the_archive_facts_out() {
    let book = load(&repo().join("book"));
    let doc =
        Document::load_mem(&render_with(&book, PdfOptions { archival: false })).expect("parses");
    let catalog = doc.catalog().expect("catalog");
    // The XMP packet stays (PDF/UA wants it), without the PDF/A claim.
    let packet = xmp(&doc);
    assert!(packet.contains("<pdfuaid:part>1</pdfuaid:part>"));
    assert!(!packet.contains("pdfaid:"));
    assert!(!catalog.has(b"OutputIntents"));
    assert_eq!(info_text(&doc, "CreationDate").as_deref(), Some(INFO_DATE));
}

/// Every link annotation of every page: (page number, rectangle, target URI if any).
fn link_annotations(doc: &Document) -> Vec<(u32, [f32; 4], Option<String>)> {
    let mut links = Vec::new();
    for (number, id) in doc.get_pages() {
        let page = doc.get_dictionary(id).expect("page");
        let Ok(annots) = page.get(b"Annots").and_then(Object::as_array) else {
            continue;
        };
        for annot in annots {
            let annot = deref(doc, annot).as_dict().expect("annotation");
            let rect: Vec<f32> = annot
                .get(b"Rect")
                .and_then(Object::as_array)
                .expect("rect")
                .iter()
                .map(|n| n.as_float().expect("number"))
                .collect();
            let uri = annot.get(b"A").ok().map(|action| {
                pdf_string(
                    deref(doc, action)
                        .as_dict()
                        .expect("action")
                        .get(b"URI")
                        .expect("URI"),
                )
            });
            links.push((number, [rect[0], rect[1], rect[2], rect[3]], uri));
        }
    }
    links
}

#[test]
fn annotations_print_and_nothing_runs_or_reaches_outside() {
    let book = load(&repo().join("tests/manuscripts/real-world.md"));
    let doc = Document::load_mem(&render(&book)).expect("parses");
    let is_annotation =
        |dict: &Dictionary| dict.get(b"Type").and_then(Object::as_name).ok() == Some(b"Annot");
    let mut annotations = 0;
    for object in doc.objects.values() {
        let dict = match object {
            Object::Dictionary(dict) => dict,
            // A stream with /F keeps its data in another file.
            Object::Stream(stream) => {
                assert!(!stream.dict.has(b"F"), "external stream {:?}", stream.dict);
                &stream.dict
            }
            _ => continue,
        };
        for key in ["JS", "JavaScript", "AA", "OpenAction", "EmbeddedFiles"] {
            assert!(!dict.has(key.as_bytes()), "/{key} in {dict:?}");
        }
        if !is_annotation(dict) {
            continue;
        }
        annotations += 1;
        assert_eq!(
            dict.get(b"F").and_then(Object::as_i64).ok(),
            Some(4),
            "print flag on {dict:?}"
        );
        if let Ok(action) = dict.get(b"A") {
            let action = deref(&doc, action).as_dict().expect("action");
            assert_eq!(
                action.get(b"S").and_then(Object::as_name).ok(),
                Some(b"URI".as_slice()),
                "only URI actions: {action:?}"
            );
        }
    }
    assert!(annotations > 0, "the manuscript has links");
}

#[test]
fn id_is_present_and_fonts_are_embedded() {
    let doc = Document::load_mem(&render(&load(&repo().join("book")))).expect("parses");
    let id = doc
        .trailer
        .get(b"ID")
        .and_then(Object::as_array)
        .expect("/ID");
    assert_eq!(id.len(), 2);
    let first = id[0].as_str().expect("string");
    assert_eq!(first.len(), 16);
    assert_eq!(first, id[1].as_str().expect("string"));
    let mut fonts = 0;
    for object in doc.objects.values() {
        let Ok(dict) = object.as_dict() else {
            continue;
        };
        if dict.get(b"Type").and_then(Object::as_name).ok() == Some(b"FontDescriptor") {
            fonts += 1;
            assert!(
                ["FontFile", "FontFile2", "FontFile3"]
                    .iter()
                    .any(|key| dict.has(key.as_bytes())),
                "font program embedded: {dict:?}"
            );
        }
    }
    assert!(fonts >= 2, "{fonts} font descriptors");
}

/// A PNG line drawing: curves and a grid on white, `seed` varying the curves.
fn line_drawing(seed: u32) -> Vec<u8> {
    let (width, height) = (800u32, 500u32);
    let mut img = image::RgbImage::from_pixel(width, height, image::Rgb([255, 255, 255]));
    for x in 0..width {
        for curve in 0..3u32 {
            let phase = f64::from(x + 40 * seed) / f64::from(30 + 10 * curve);
            let y = f64::from(height) / 2.0 + f64::from(height) / 3.0 * phase.sin();
            for thickness in 0..2 {
                let y = (y as u32 + thickness).min(height - 1);
                img.put_pixel(x, y, image::Rgb([(curve * 60) as u8, 0, 0]));
            }
        }
        if x % 100 == 0 {
            for y in 0..height {
                img.put_pixel(x, y, image::Rgb([128, 128, 128]));
            }
        }
    }
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("encode");
    png
}

/// Image XObjects of the file: (filter names, stored length).
fn image_streams(doc: &Document) -> Vec<(Vec<String>, usize)> {
    doc.objects
        .values()
        .filter_map(|object| object.as_stream().ok())
        .filter(|stream| {
            stream.dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Image")
        })
        .map(|stream| {
            let filters = match stream.dict.get(b"Filter") {
                Ok(Object::Name(name)) => vec![String::from_utf8_lossy(name).into_owned()],
                Ok(Object::Array(names)) => names
                    .iter()
                    .filter_map(|n| n.as_name().ok())
                    .map(|n| String::from_utf8_lossy(n).into_owned())
                    .collect(),
                _ => Vec::new(),
            };
            (filters, stream.content.len())
        })
        .collect()
}

#[test]
fn seven_png_drawings_make_a_small_file_with_every_image_compressed() {
    let files: Vec<(String, Vec<u8>)> = (0..7)
        .map(|n| (format!("fig{n}.png"), line_drawing(n)))
        .collect();
    let mut text = String::from("# Drawings\n");
    for n in 0..7 {
        text.push_str(&format!(
            "\n![Line drawing {n}](fig{n}.png)\n*Figure {n}*\n\nText after figure {n}.\n"
        ));
    }
    let named: Vec<(&str, Vec<u8>)> = files
        .iter()
        .map(|(name, bytes)| (name.as_str(), bytes.clone()))
        .collect();
    let bytes = render(&book_of("seven", &text, &named));
    assert!(
        bytes.len() < SEVEN_DRAWINGS_BUDGET,
        "{} bytes for seven line drawings",
        bytes.len()
    );
    let doc = Document::load_mem(&bytes).expect("parses");
    let images = image_streams(&doc);
    assert_eq!(images.len(), 7, "{images:?}");
    for (filters, length) in &images {
        assert_eq!(filters, &["FlateDecode"], "{length} bytes");
        // 800 × 500 RGB is 1.2 MB raw.
        assert!(*length < 100_000, "{length} bytes");
    }
    // Every drawing decodes to what went in (lopdf's reader undoes the PNG predictors).
    let mut decoded_images = 0;
    for stream in doc.objects.values().filter_map(|o| o.as_stream().ok()) {
        if stream.dict.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Image") {
            continue;
        }
        let samples = stream.decompressed_content().expect("inflates");
        let matches = files.iter().any(|(_, png)| {
            image::load_from_memory(png)
                .expect("decode")
                .to_rgb8()
                .into_raw()
                == samples
        });
        assert!(matches, "an image comes back pixel for pixel");
        decoded_images += 1;
    }
    assert_eq!(decoded_images, 7);
}

#[test]
fn no_image_is_stored_raw_in_the_seed() {
    let doc = Document::load_mem(&render(&load(&repo().join("book")))).expect("parses");
    for (filters, length) in image_streams(&doc) {
        assert!(
            !filters.is_empty() || length <= LARGEST_RAW_IMAGE,
            "unfiltered image of {length} bytes"
        );
    }
}

#[test]
fn a_link_gives_one_rectangle_per_line() {
    // Words of one link on one line: one rectangle (not one per word); two links side by
    // side stay two.
    let book = book_of(
        "links",
        "# Links\n\nSee [the three words](https://a.example/) and [another](https://b.example/).\n",
        &[],
    );
    let links = link_annotations(&Document::load_mem(&render(&book)).expect("parses"));
    let uris: Vec<Option<&str>> = links.iter().map(|(_, _, uri)| uri.as_deref()).collect();
    assert_eq!(
        uris,
        [Some("https://a.example/"), Some("https://b.example/")],
        "{links:?}"
    );
    let (first, second) = (links[0].1, links[1].1);
    assert!(first[2] <= second[0], "the rectangles do not overlap");
    // The first rectangle spans its three words: far wider than one word.
    assert!(first[2] - first[0] > 60.0, "{first:?}");
}

#[test]
fn a_very_long_url_gives_a_few_annotations_not_thousands() {
    let url = format!("https://example.org/{}", "abcdefghij".repeat(498));
    assert_eq!(url.len(), 5000);
    let book = book_of(
        "url",
        &format!("# Long link\n\nSee <{url}> for details.\n"),
        &[],
    );
    let bytes = render(&book);
    let doc = Document::load_mem(&bytes).expect("parses");
    let links = link_annotations(&doc);
    // The URL fills about 85 lines of an A5 page; one rectangle each.
    assert!(
        (20..150).contains(&links.len()),
        "{} annotations",
        links.len()
    );
    assert!(links
        .iter()
        .all(|(_, _, target)| target.as_deref() == Some(url.as_str())));
    // No two rectangles on one page share a baseline: one per line.
    let mut lines: Vec<(u32, i64)> = links
        .iter()
        .map(|(page, rect, _)| (*page, (rect[1] * 10.0).round() as i64))
        .collect();
    lines.sort_unstable();
    lines.dedup();
    assert_eq!(lines.len(), links.len());
    // The address is stored once, not once per rectangle.
    assert!(bytes.len() < 200_000, "{} bytes", bytes.len());
}

#[test]
fn rebuilds_are_byte_identical_and_the_date_comes_from_the_settings() {
    let book = load(&repo().join("book"));
    let first = render(&book);
    let second = render(&book);
    assert!(first == second, "two builds differ");
    let next_day = LoadOptions {
        source_date_epoch: Some(EPOCH + 86_400),
        ..LoadOptions::default()
    };
    let book = load_book(&repo().join("book"), &next_day, &mut Diagnostics::default())
        .expect("book loads");
    let later = render_with(&book, PdfOptions::default());
    assert!(first != later, "the date is part of the file");
    let doc = Document::load_mem(&later).expect("parses");
    assert_eq!(
        info_text(&doc, "CreationDate").as_deref(),
        Some("D:20231115221320+00'00'")
    );
}

/// Build the seed book with the command line as `format` into `target`, with
/// `SOURCE_DATE_EPOCH` = [`EPOCH`], and return the file's bytes.
fn cli_build(format: &str, target: &Path, extra: &[&str]) -> Vec<u8> {
    let status = Command::new(env!("CARGO_BIN_EXE_presswork"))
        .args([format, "book", "-o", target.to_str().expect("utf8")])
        .args(extra)
        .env("SOURCE_DATE_EPOCH", EPOCH.to_string())
        .current_dir(repo())
        .output()
        .expect("run presswork");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    std::fs::read(target).expect("output")
}

#[test]
fn two_command_line_builds_are_byte_identical() {
    // Separate processes: nothing may depend on hash seeds, addresses or the clock.
    let out = scratch_dir("archive", "cli");
    let build = |name: &str, extra: &[&str]| cli_build("pdf", &out.join(name), extra);
    let first = build("a.pdf", &[]);
    let second = build("b.pdf", &[]);
    assert!(first == second, "two command-line builds differ");
    let doc = Document::load_mem(&first).expect("parses");
    assert_eq!(info_text(&doc, "CreationDate").as_deref(), Some(INFO_DATE));
    assert!(doc.catalog().expect("catalog").has(b"Metadata"));

    let plain = Document::load_mem(&build("c.pdf", &["--no-pdfa"])).expect("parses");
    let catalog = plain.catalog().expect("catalog");
    assert!(!catalog.has(b"OutputIntents"));
    assert!(
        !xmp(&plain).contains("pdfaid:"),
        "tagged (PDF/UA), not PDF/A"
    );
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn two_command_line_epub_builds_are_byte_identical_and_dated_by_the_epoch() {
    let out = scratch_dir("archive", "cli-epub");
    let build = |name: &str| cli_build("epub", &out.join(name), &[]);
    let first = build("a.epub");
    assert!(first == build("b.epub"), "two command-line builds differ");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(first)).expect("zip");
    let mut opf = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("OEBPS/content.opf").expect("package document"),
        &mut opf,
    )
    .expect("utf8");
    assert!(
        opf.contains("<meta property=\"dcterms:modified\">2023-11-14T22:13:20Z</meta>"),
        "{opf}"
    );
    let _ = std::fs::remove_dir_all(&out);
}

/// The image XObjects' colour spaces and whether their bytes are `jpeg` unchanged.
fn jpeg_images(doc: &Document, jpeg: &[u8]) -> Vec<(String, bool)> {
    doc.objects
        .values()
        .filter_map(|object| object.as_stream().ok())
        .filter(|stream| {
            stream.dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Image")
        })
        .map(|stream| {
            let space = stream
                .dict
                .get(b"ColorSpace")
                .and_then(Object::as_name)
                .map(|name| String::from_utf8_lossy(name).into_owned())
                .unwrap_or_default();
            (space, stream.content == jpeg)
        })
        .collect()
}

#[test]
fn cmyk_photos_become_rgb_only_in_archival_files() {
    // PDF/A allows device CMYK only with a CMYK output intent; ours is sRGB.
    let jpeg = std::fs::read(repo().join("tests/data/cmyk-red.jpg")).expect("test photo");
    let book = book_of(
        "cmyk",
        "# Print\n\n![A red square](print.jpg)\n\nText.\n",
        &[("print.jpg", jpeg.clone())],
    );
    let archival = Document::load_mem(&render(&book)).expect("parses");
    assert_eq!(
        jpeg_images(&archival, &jpeg),
        [("DeviceRGB".to_owned(), false)]
    );
    let plain = render_with(&book, PdfOptions { archival: false });
    let plain = Document::load_mem(&plain).expect("parses");
    assert_eq!(
        jpeg_images(&plain, &jpeg),
        [("DeviceCMYK".to_owned(), true)]
    );
}

#[test]
fn a_url_longer_than_a_pdf_string_may_be_keeps_its_text_but_no_link() {
    // PDF/A-2 caps strings at 32,767 bytes; such an address could not be followed anyway.
    let url = format!("https://example.org/{}", "abcdefghij".repeat(3300));
    assert!(url.len() > 32_767);
    let book = book_of("huge-url", &format!("# Huge\n\nSee <{url}> here.\n"), &[]);
    let doc = Document::load_mem(&render(&book)).expect("parses");
    assert!(link_annotations(&doc).is_empty());
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let text = doc.extract_text(&pages).expect("text");
    assert!(
        text.contains("abcdefghijabcdefghij"),
        "the address is still printed"
    );
}
