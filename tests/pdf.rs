//! The PDF back end on the seed book and the test manuscripts: build real PDFs, parse them
//! back with lopdf, and check outline, fonts, images, text and page geometry.

use std::path::PathBuf;

use lopdf::{Document, Object};
use presswork::ir::Book;
use presswork::load::{load_book, LoadOptions};
use presswork::pdf::{PdfOptions, PdfRenderer};
use presswork::{Diagnostics, Renderer};

#[path = "support/books.rs"]
mod books;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load(path: PathBuf) -> Book {
    load_book(&path, &LoadOptions::default(), &mut Diagnostics::default()).expect("book loads")
}

fn render(book: &Book) -> Vec<u8> {
    PdfRenderer {
        options: PdfOptions::default(),
    }
    .render(book, &mut Diagnostics::default())
    .expect("PDF renders")
}

/// PDF text strings: UTF-16BE with a BOM, or PDFDocEncoding (ASCII here).
fn pdf_string(object: &Object) -> String {
    let bytes = object.as_str().expect("string");
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        bytes.iter().map(|b| char::from(*b)).collect()
    }
}

/// Top-level outline titles, following /First and /Next.
fn outline_titles(doc: &Document) -> Vec<(String, usize)> {
    let catalog = doc.catalog().expect("catalog");
    let outlines = doc
        .get_dictionary(
            catalog
                .get(b"Outlines")
                .expect("outline")
                .as_reference()
                .expect("ref"),
        )
        .expect("outlines dict");
    let mut titles = Vec::new();
    let mut next = outlines
        .get(b"First")
        .ok()
        .and_then(|o| o.as_reference().ok());
    while let Some(id) = next {
        let item = doc.get_dictionary(id).expect("item");
        let children = item
            .get(b"Count")
            .ok()
            .and_then(|c| c.as_i64().ok())
            .unwrap_or(0);
        titles.push((
            pdf_string(item.get(b"Title").expect("title")),
            children.unsigned_abs() as usize,
        ));
        next = item.get(b"Next").ok().and_then(|o| o.as_reference().ok());
    }
    titles
}

/// Text without whitespace and hyphens: lopdf does not put spaces where poppler would, and a
/// hyphen drawn at a line break copies as a hyphen (as in TeX output), so compare without them.
fn squash(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect()
}

#[test]
fn seed_pdf_has_a5_pages_bookmarks_subset_fonts_and_the_photo_unchanged() {
    let book = load(repo().join("book"));
    let bytes = render(&book);
    let doc = Document::load_mem(&bytes).expect("PDF parses");
    let pages = doc.get_pages();
    assert!(pages.len() >= 4, "a chapter per page at least");
    for page_id in pages.values() {
        let page = doc.get_dictionary(*page_id).expect("page");
        let media: Vec<f32> = page
            .get(b"MediaBox")
            .expect("MediaBox")
            .as_array()
            .expect("array")
            .iter()
            .map(|o| o.as_float().expect("number"))
            .collect();
        assert!(
            (media[2] - 419.53).abs() < 0.5 && (media[3] - 595.28).abs() < 0.5,
            "A5: {media:?}"
        );
    }

    let titles: Vec<String> = outline_titles(&doc).into_iter().map(|(t, _)| t).collect();
    let chapters: Vec<String> = book.chapters.iter().map(|c| c.title_text()).collect();
    assert_eq!(
        titles, chapters,
        "one bookmark per chapter, in reading order"
    );

    let mut fonts = 0;
    let mut jpeg_found = false;
    let photo = std::fs::read(repo().join("images/putin-modi.jpg")).expect("photo");
    for (_, object) in doc.objects.iter() {
        if let Ok(dict) = object.as_dict() {
            if dict.get(b"Type").and_then(Object::as_name).ok() == Some(b"FontDescriptor") {
                fonts += 1;
                let name = String::from_utf8_lossy(
                    dict.get(b"FontName")
                        .expect("name")
                        .as_name()
                        .expect("name"),
                )
                .into_owned();
                let (tag, _) = name.split_once('+').expect("subset tag");
                assert!(
                    tag.len() == 6 && tag.chars().all(|c| c.is_ascii_uppercase()),
                    "{name}"
                );
                let file = doc
                    .get_object(
                        dict.get(b"FontFile2")
                            .expect("embedded TrueType")
                            .as_reference()
                            .expect("ref"),
                    )
                    .expect("font stream")
                    .as_stream()
                    .expect("stream");
                let length1 = file
                    .dict
                    .get(b"Length1")
                    .and_then(Object::as_i64)
                    .unwrap_or(i64::MAX);
                assert!(
                    length1 < 200_000,
                    "{name} is subset, not the whole font ({length1} bytes)"
                );
            }
        }
        if let Ok(stream) = object.as_stream() {
            if stream.dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Image") {
                assert_eq!(
                    stream.dict.get(b"Filter").and_then(Object::as_name).ok(),
                    Some(&b"DCTDecode"[..])
                );
                jpeg_found = stream.content == photo;
            }
        }
    }
    assert!(fonts >= 2, "regular and italic at least");
    assert!(jpeg_found, "the JPEG is passed through byte for byte");
    assert!(
        bytes.len() <= photo.len() + 150 * 1024,
        "PDF is {} bytes, photo {} bytes",
        bytes.len(),
        photo.len()
    );
}

#[test]
fn seed_pdf_text_comes_back_in_reading_order() {
    let book = load(repo().join("book"));
    let doc = Document::load_mem(&render(&book)).expect("PDF parses");
    let count = doc.get_pages().len() as u32;
    let mut body = String::new();
    for page in 1..=count {
        let text = doc.extract_text(&[page]).expect("text");
        let mut text = squash(&text);
        // Folio and running head are drawn after the page's body (chapter openings have
        // neither): strip them.
        let folio = page.to_string();
        let head = std::iter::once(book.meta.title.clone())
            .chain(book.chapters.iter().map(|c| c.title_text()))
            .map(|t| squash(&t))
            .find(|t| text.ends_with(t.as_str()) && text.len() > t.len());
        if let Some(head) = head {
            text.truncate(text.len() - head.len());
            assert!(
                text.ends_with(&folio),
                "page {page} has a running head but no folio"
            );
            text.truncate(text.len() - folio.len());
        }
        body.push_str(&text);
    }
    let seed = std::fs::read_to_string(repo().join("tests/data/article.txt")).expect("seed");
    let mut position = 0;
    for para in seed.split("\n\n").skip(2) {
        let para = para.trim();
        if para.is_empty() || para.starts_with("ALSO READ") || para == "Latest World News" {
            continue;
        }
        for sentence in para.split_inclusive(". ") {
            let wanted = squash(&sentence.replace('\u{a0}', " "));
            let found = body[position..].find(&wanted);
            assert!(found.is_some(), "missing or out of order: {sentence}");
            position += found.unwrap_or(0);
        }
    }
    for words in [
        "PrimeMinisterNarendraModiwithRussianPresidentVladimirPutin",
        "ImageSource:PTI",
    ] {
        assert!(body.contains(words), "{words}");
    }
}

#[test]
fn test_manuscripts_render_and_parse() {
    for name in [
        "gfm-features",
        "scripts",
        "long-words",
        "many-chapters",
        "yaml-front-matter",
        "svg-figures",
        "wide-tables",
    ] {
        let book = load(repo().join(format!("tests/manuscripts/{name}.md")));
        let doc = Document::load_mem(&render(&book)).expect("PDF parses");
        let outline = outline_titles(&doc);
        assert_eq!(outline.len(), book.chapters.len(), "{name}");
        if name == "many-chapters" {
            assert_eq!(outline.len(), 12);
            assert!(
                outline.iter().all(|(_, children)| *children == 1),
                "sections nest: {outline:?}"
            );
        }
    }
}

#[test]
fn paper_sizes_change_the_page() {
    for (paper, width) in [
        (presswork::ir::Paper::A4, 595.28),
        (presswork::ir::Paper::Letter, 612.0),
        (presswork::ir::Paper::Trade, 432.0),
    ] {
        let options = LoadOptions {
            paper: Some(paper),
            ..LoadOptions::default()
        };
        let book = load_book(
            &repo().join("tests/manuscripts/scripts.md"),
            &options,
            &mut Diagnostics::default(),
        )
        .expect("loads");
        let bytes = PdfRenderer::default()
            .render(&book, &mut Diagnostics::default())
            .expect("renders");
        let doc = Document::load_mem(&bytes).expect("parses");
        let (_, page) = doc.get_pages().into_iter().next().expect("a page");
        let media = doc
            .get_dictionary(page)
            .expect("page")
            .get(b"MediaBox")
            .expect("box")
            .as_array()
            .expect("array")
            .clone();
        assert!((media[2].as_float().expect("n") - width).abs() < 0.5);
    }
}

#[test]
fn multi_glyph_clusters_carry_their_real_text() {
    // Devanagari conjuncts and reordered vowel signs cannot be described by ToUnicode alone.
    let book = load(repo().join("tests/manuscripts/scripts.md"));
    let doc = Document::load_mem(&render(&book)).expect("PDF parses");
    // The first page with text of the chapter (the title page and imprint come first).
    let content = doc
        .get_pages()
        .into_values()
        .map(|page| doc.get_page_content(page))
        .find(|content| String::from_utf8_lossy(content).contains("/ActualText"))
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&content);
    assert!(
        text.contains("/ActualText"),
        "no ActualText span in the Devanagari page"
    );
    // The span's text is the cluster in logical order: पु, not the reordered glyphs.
    let needle: Vec<u8> = std::iter::once(0xFEFF_u16)
        .chain("रा".encode_utf16())
        .flat_map(u16::to_be_bytes)
        .collect();
    let hex: String = needle.iter().map(|b| format!("{b:02x}")).collect();
    assert!(
        text.to_ascii_lowercase().contains(&hex)
            || content.windows(needle.len()).any(|w| w == needle),
        "cluster text missing"
    );
}

/// The page object a destination array points at.
fn destination_page(dest: &Object) -> lopdf::ObjectId {
    dest.as_array().expect("dest array")[0]
        .as_reference()
        .expect("page reference")
}

#[test]
fn a_link_to_a_later_chapter_lands_on_its_page() {
    // Pages are written as soon as they are laid out, before the target exists: the link
    // must still point at the page where the later heading landed.
    let filler = "Words that fill the page and push the next chapter onwards. ".repeat(60);
    let text = format!(
        "# Book\n\n## One\n\nSee [the end](#three) for more.\n\n## Two\n\n{filler}\n\n\
         {filler}\n\n## Three\n\nThe end.\n"
    );
    let dir = std::env::temp_dir().join(format!("presswork-forward-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let path = dir.join("forward.md");
    std::fs::write(&path, text).expect("write");
    let book = load(path);
    let _ = std::fs::remove_dir_all(&dir);

    let bytes = render(&book);
    let doc = Document::load_mem(&bytes).expect("parses");
    let pages = doc.get_pages();
    let page_number = |id| pages.iter().find(|(_, p)| **p == id).map(|(n, _)| *n);
    let outline = doc
        .get_dictionary(
            doc.catalog()
                .expect("catalog")
                .get(b"Outlines")
                .and_then(Object::as_reference)
                .expect("outlines"),
        )
        .expect("outline root");
    let mut entry = outline.get(b"First").and_then(Object::as_reference).ok();
    let mut three = None;
    while let Some(id) = entry {
        let item = doc.get_dictionary(id).expect("entry");
        if pdf_string(item.get(b"Title").expect("title")) == "Three" {
            three = page_number(destination_page(item.get(b"Dest").expect("dest")));
        }
        entry = item.get(b"Next").and_then(Object::as_reference).ok();
    }
    let three = three.expect("a bookmark for chapter Three");
    assert!(three >= 3, "chapter Three opens on page {three}");

    let mut links = Vec::new();
    for (number, id) in &pages {
        let page = doc.get_dictionary(*id).expect("page");
        let Ok(annots) = page.get(b"Annots").and_then(Object::as_array) else {
            continue;
        };
        for annot in annots {
            let annot = doc
                .get_dictionary(annot.as_reference().expect("ref"))
                .expect("annotation");
            if let Ok(dest) = annot.get(b"Dest") {
                links.push((*number, page_number(destination_page(dest))));
            }
        }
    }
    // One link, perhaps in several rectangles (one per word of its text).
    assert!(!links.is_empty());
    assert!(
        links.iter().all(|link| *link == (1, Some(three))),
        "{links:?}"
    );
}

#[test]
fn streamed_build_matches_the_in_memory_one() {
    // `render` lays out and writes on two threads, page by page; `lay_out` + `write_pdf`
    // hold the whole document. The bytes must be the same.
    // Both shapes: a book's front matter is laid out on the reader thread there.
    let mut book = load(repo().join("tests/manuscripts/gfm-features.md"));
    for shape in [
        presswork::ir::BookShape::Book,
        presswork::ir::BookShape::Article,
    ] {
        book.shape = shape;
        let streamed = render(&book);
        let fonts = presswork::typeset::fonts::FontSet::builtin().expect("fonts");
        let laid_out = presswork::typeset::lay_out(
            &book,
            &fonts,
            presswork::typeset::PageGeometry::for_paper(book.settings.paper),
            &mut Diagnostics::default(),
        );
        let in_memory =
            presswork::pdf::write::write_pdf(laid_out, &fonts, &book, &PdfOptions::default())
                .expect("writes");
        assert!(streamed == in_memory, "the two builds differ ({shape:?})");
    }
}

/// Every image or form drawn on every page: (page number from 1, resource name, the `cm`
/// matrix in force when it is drawn).
fn drawn_xobjects(doc: &Document) -> Vec<(u32, String, [f32; 6])> {
    let mut out = Vec::new();
    for (number, page_id) in doc.get_pages() {
        let content = doc.get_page_content(page_id);
        let content = lopdf::content::Content::decode(&content).expect("content parses");
        let mut matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];
        for op in content.operations {
            match op.operator.as_str() {
                "cm" => {
                    let values: Vec<f32> = op
                        .operands
                        .iter()
                        .map(|o| o.as_float().expect("number"))
                        .collect();
                    matrix.copy_from_slice(&values);
                }
                "Do" => {
                    let name = op.operands[0].as_name().expect("name");
                    out.push((number, String::from_utf8_lossy(name).into_owned(), matrix));
                }
                _ => {}
            }
        }
    }
    out
}

/// The XObject behind a resource name (all pages share one resource dictionary).
fn xobject<'a>(doc: &'a Document, name: &str) -> &'a lopdf::Stream {
    let (_, page_id) = doc.get_pages().into_iter().next().expect("a page");
    let page = doc.get_dictionary(page_id).expect("page");
    let resources = doc
        .dereference(page.get(b"Resources").expect("resources"))
        .expect("resources")
        .1
        .as_dict()
        .expect("dict");
    let xobjects = resources
        .get(b"XObject")
        .expect("XObject")
        .as_dict()
        .expect("dict");
    let id = xobjects
        .get(name.as_bytes())
        .expect("named XObject")
        .as_reference()
        .expect("reference");
    doc.get_object(id)
        .expect("object")
        .as_stream()
        .expect("stream")
}

#[test]
fn svg_figures_are_vector_forms_at_their_natural_size() {
    let book = load(repo().join("tests/manuscripts/svg-figures.md"));
    let bytes = render(&book);
    let doc = Document::load_mem(&bytes).expect("PDF parses");
    let drawn = drawn_xobjects(&doc);
    assert_eq!(
        drawn.len(),
        2,
        "two SVG figures (the inline one is alt text): {drawn:?}"
    );
    // diagram.svg is 240×120 CSS px = 180×90 pt; hostile.svg is 96 px square = 72 pt.
    for ((page, name, matrix), (width, height)) in drawn.iter().zip([(180.0, 90.0), (72.0, 72.0)]) {
        assert!(
            (matrix[0] - width).abs() < 0.01 && (matrix[3] - height).abs() < 0.01,
            "page {page}: {name} drawn at {matrix:?}"
        );
        assert_eq!(
            (matrix[1], matrix[2]),
            (0.0, 0.0),
            "upright, not rotated or flipped"
        );
        let form = xobject(&doc, name);
        assert_eq!(
            form.dict.get(b"Subtype").and_then(Object::as_name).ok(),
            Some(&b"Form"[..]),
            "{name} is vectors, not pixels"
        );
        let content = form.decompressed_content().expect("form content");
        let text = String::from_utf8_lossy(&content);
        assert!(
            text.contains(" re") || text.contains(" c\n") || text.contains(" l\n"),
            "{text}"
        );
        assert!(
            !text.contains("BT"),
            "text in SVGs is drawn as outlines: {text}"
        );
    }
    // Centred on the 419.5 pt wide A5 page's text block.
    let (_, _, diagram) = &drawn[0];
    let centre = diagram[4] + diagram[0] / 2.0;
    assert!((centre - 419.53 / 2.0).abs() < 20.0, "centre at {centre}");
    // svg2pdf's own page, catalog and document info are left behind.
    assert!(
        !bytes.windows(7).any(|w| w == b"svg2pdf"),
        "svg2pdf's document info leaked in"
    );
    // No image XObject and no font beyond the book's own: the labels became outlines.
    for (_, object) in doc.objects.iter() {
        if let Ok(stream) = object.as_stream() {
            assert_ne!(
                stream.dict.get(b"Subtype").and_then(Object::as_name).ok(),
                Some(&b"Image"[..])
            );
        }
        if let Ok(dict) = object.as_dict() {
            if dict.get(b"Type").and_then(Object::as_name).ok() == Some(b"FontDescriptor") {
                let name = dict
                    .get(b"FontName")
                    .and_then(Object::as_name)
                    .expect("name");
                assert!(
                    String::from_utf8_lossy(name).contains("Noto"),
                    "{}",
                    String::from_utf8_lossy(name)
                );
            }
        }
    }
}

#[test]
fn small_raster_images_are_printed_at_150_ppi_not_enlarged() {
    let dir = std::env::temp_dir().join(format!("presswork-pdf-small-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    let mut png = Vec::new();
    image::RgbImage::from_pixel(197, 40, image::Rgb([20, 20, 20]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("encode");
    std::fs::write(dir.join("formula.png"), &png).expect("write");
    std::fs::write(
        dir.join("a.md"),
        "# Maths\n\nA formula:\n\n![E equals m c squared](formula.png)\n\nEnd.\n",
    )
    .expect("write");
    let mut diagnostics = Diagnostics::default();
    let book = load_book(&dir, &LoadOptions::default(), &mut diagnostics).expect("loads");
    let bytes = PdfRenderer {
        options: PdfOptions::default(),
    }
    .render(&book, &mut diagnostics)
    .expect("renders");
    let doc = Document::load_mem(&bytes).expect("PDF parses");
    let drawn = drawn_xobjects(&doc);
    assert_eq!(drawn.len(), 1, "{drawn:?}");
    let matrix = drawn[0].2;
    // 197 px at 150 ppi = 1.313 in = 94.56 pt wide, 40 px = 19.2 pt high.
    assert!((matrix[0] - 94.56).abs() < 0.05, "{matrix:?}");
    assert!((matrix[3] - 19.2).abs() < 0.05, "{matrix:?}");
    assert!(
        !diagnostics.mentions("ppi"),
        "no low-resolution warning at 150 ppi: {:?}",
        diagnostics.warnings
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn structure_tags_balance_in_every_test_manuscript() {
    let fonts = presswork::typeset::fonts::FontSet::builtin().expect("fonts");
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(repo().join("tests/manuscripts"))
        .expect("manuscripts")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    inputs.sort();
    inputs.push(repo().join("book"));
    for input in inputs {
        let book = load(input.clone());
        let laid_out = presswork::typeset::lay_out(
            &book,
            &fonts,
            presswork::typeset::PageGeometry::for_paper(book.settings.paper),
            &mut Diagnostics::default(),
        );
        let outline = laid_out.structure_outline();
        let name = input.display();
        assert!(!outline.contains("<unbalanced"), "{name}:\n{outline}");
        assert!(!outline.contains("unclosed>"), "{name}:\n{outline}");
        // Each chapter is a section, and so are a book's front matter or an article's
        // colophon (when it has anything to say).
        let sections = outline.lines().filter(|l| *l == "Chapter").count();
        let chapters = book.chapters.len();
        assert!(
            sections == chapters || sections == chapters + 1,
            "{name}: {sections} sections, {chapters} chapters:\n{outline}"
        );
        // Every figure holds its image (floats carry their own tags).
        for line in outline
            .lines()
            .filter(|l| l.trim_start().starts_with("Figure"))
        {
            assert!(line.ends_with("[image]"), "{name}: {line}");
        }
    }
}

/// Each page's text, squashed (see [`squash`]).
fn page_texts(doc: &Document) -> Vec<String> {
    let count = doc.get_pages().len() as u32;
    (1..=count)
        .map(|page| squash(&doc.extract_text(&[page]).expect("text")))
        .collect()
}

/// Assert that `needles` occur in `text` in this order.
fn in_order(text: &str, needles: &[&str]) {
    let mut position = 0;
    for needle in needles {
        let needle = squash(needle);
        match text[position..].find(&needle) {
            Some(at) => position += at + needle.len(),
            None => panic!("`{needle}` missing or out of order in {text}"),
        }
    }
}

#[test]
fn the_seed_article_opens_with_its_title_block_and_ends_with_its_colophon() {
    let book = load(repo().join("book"));
    assert_eq!(book.shape, presswork::ir::BookShape::Article);
    let doc = Document::load_mem(&render(&book)).expect("PDF parses");
    let pages = page_texts(&doc);
    // The title block shares page 1 with the text, the sections run on, the colophon closes
    // the last page: five A5 pages (six when each section opened a page).
    assert_eq!(pages.len(), 5);
    assert!(
        pages[0].starts_with(&squash(&book.meta.title)),
        "{}",
        pages[0]
    );
    in_order(
        &pages[0],
        &[
            &book.meta.title,
            "PTI",
            "Prime Minister Narendra Modi with Russian President Vladimir Putin",
            "In a meeting with External Affairs Minister",
        ],
    );
    let whole = pages.concat();
    in_order(
        &whole,
        &[
            "(with inputs from PTI)",
            "The photograph is a stand-in",
            "Picture credit: Image Source: PTI (Prime Minister Narendra Modi",
            "Source: PTI",
        ],
    );
    // No date in the seed (no `date`, no SOURCE_DATE_EPOCH): none printed, never 1980.
    assert!(!pages
        .iter()
        .any(|p| p.contains("1980") || p.contains("Editionof")));
    // The title block's bookmark is the first chapter's, on page 1.
    let titles: Vec<String> = outline_titles(&doc).into_iter().map(|(t, _)| t).collect();
    assert_eq!(titles[0], book.meta.title);
}

#[test]
fn a_book_opens_with_a_title_page_and_an_imprint_before_chapter_one() {
    let book = load(repo().join("tests/manuscripts/many-chapters.md"));
    assert_eq!(book.shape, presswork::ir::BookShape::Book);
    let doc = Document::load_mem(&render(&book)).expect("PDF parses");
    let pages = page_texts(&doc);
    // Twelve one-page chapters after the two front-matter pages, each chapter but the last
    // followed by a blank verso so that the next opens on a recto.
    assert_eq!(pages.len(), 25);
    // Neither front page has a running head or folio.
    assert_eq!(pages[0], "Manychapters");
    assert!(pages[1].starts_with("Manychapters"), "{}", pages[1]);
    in_order(
        &pages[1],
        &["Many chapters", "urn:uuid:", "Made with presswork"],
    );
    assert!(!pages[1].ends_with('2'));
    assert!(pages[2].starts_with("Chapter1"), "{}", pages[2]);
    // Bookmarks point past the front matter and the blanks: chapter 1 on page 3, chapter
    // 12 on page 25.
    let page_numbers: std::collections::BTreeMap<lopdf::ObjectId, u32> =
        doc.get_pages().into_iter().map(|(n, id)| (id, n)).collect();
    let chapter_pages: Vec<u32> = outline_destinations(&doc)
        .iter()
        .map(|page| page_numbers[page])
        .collect();
    assert_eq!(chapter_pages, (3..=25).step_by(2).collect::<Vec<u32>>());
}

/// The leftmost word of page `page` (from 1), by poppler's word boxes.
fn leftmost_word(pdf: &std::path::Path, page: u32) -> f64 {
    let output = std::process::Command::new("pdftotext")
        .args(["-bbox", "-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) runs");
    let html = String::from_utf8_lossy(&output.stdout);
    html.split("xMin=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next()?.parse::<f64>().ok())
        .fold(f64::MAX, f64::min)
}

/// A book's pages face: every chapter opens on a recto (an odd page number), the versos
/// left blank for that carry nothing at all, and a recto's text block sits further left
/// than a verso's by the difference between the outer and the inner margin.
#[test]
fn a_books_chapters_open_on_rectos_of_mirrored_pages() {
    /// Poppler's word boxes against layout's positions: content-stream decimals and
    /// poppler's rounding.
    const SLACK: f64 = 0.3;
    let book = load(repo().join("tests/manuscripts/many-chapters.md"));
    let bytes = render(&book);
    let doc = Document::load_mem(&bytes).expect("PDF parses");
    let pages = doc.get_pages();
    let chapter_pages: Vec<u32> = outline_destinations(&doc)
        .into_iter()
        .filter_map(|id| pages.iter().find(|(_, p)| **p == id).map(|(n, _)| *n))
        .collect();
    assert_eq!(chapter_pages.len(), 12);
    assert!(
        chapter_pages.iter().all(|n| n % 2 == 1),
        "chapters open on {chapter_pages:?}"
    );
    // Each chapter is one page here, so every verso after chapter 1 is a blank.
    let texts = page_texts(&doc);
    for (number, id) in &pages {
        let blank = *number >= 4 && number % 2 == 0;
        let text = &texts[*number as usize - 1];
        assert_eq!(text.is_empty(), blank, "page {number}: {text}");
        if blank {
            let page = doc.get_dictionary(*id).expect("page");
            assert!(page.get(b"Annots").is_err(), "page {number} has links");
            let content = doc.get_and_decode_page_content(*id).expect("content");
            let drawn: Vec<&str> = content
                .operations
                .iter()
                .map(|op| op.operator.as_str())
                .collect();
            assert!(drawn.is_empty(), "page {number} draws {drawn:?}");
        }
    }

    let geometry =
        presswork::typeset::PageGeometry::for_paper(book.settings.paper).for_shape(book.shape);
    let shift = f64::from(geometry.outer - geometry.inner);
    assert!(shift > 10.0, "margins differ by {shift}");
    let dir = std::env::temp_dir().join(format!("presswork-facing-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let pdf = dir.join("many-chapters.pdf");
    std::fs::write(&pdf, &bytes).expect("write PDF");
    // The imprint (page 2, a verso) is set flush left, as are chapter 1's heading and
    // text (page 3, a recto).
    let verso = leftmost_word(&pdf, 2);
    let recto = leftmost_word(&pdf, 3);
    assert!(
        (verso - recto - shift).abs() < SLACK,
        "verso text at {verso}, recto at {recto}: moved by {}, not {shift}",
        verso - recto
    );
    assert!((recto - f64::from(geometry.inner)).abs() < SLACK, "{recto}");
    std::fs::remove_dir_all(&dir).ok();
}

/// The page each top-level bookmark points at, in order.
fn outline_destinations(doc: &Document) -> Vec<lopdf::ObjectId> {
    let catalog = doc.catalog().expect("catalog");
    let outlines = doc
        .get_dictionary(
            catalog
                .get(b"Outlines")
                .and_then(Object::as_reference)
                .expect("ref"),
        )
        .expect("outlines");
    let mut entry = outlines.get(b"First").and_then(Object::as_reference).ok();
    let mut destinations = Vec::new();
    while let Some(id) = entry {
        let item = doc.get_dictionary(id).expect("item");
        destinations.push(destination_page(item.get(b"Dest").expect("dest")));
        entry = item.get(b"Next").and_then(Object::as_reference).ok();
    }
    destinations
}

#[test]
fn the_seed_laid_out_as_a_book_gets_a_title_page_and_an_imprint() {
    let mut book = load(repo().join("book"));
    book.shape = presswork::ir::BookShape::Book;
    let doc = Document::load_mem(&render(&book)).expect("PDF parses");
    let pages = page_texts(&doc);
    // The title page: title and source, as the EPUB's title page.
    assert_eq!(pages[0], squash(&format!("{} PTI", book.meta.title)));
    in_order(
        &pages[1],
        &[
            &book.meta.title,
            "Source: PTI",
            "The photograph is a stand-in",
            "Picture credit: Image Source: PTI",
            "Made with presswork",
        ],
    );
    // The first chapter opens page 3 with its ordinary opening.
    assert!(
        pages[2].starts_with(&squash(&book.meta.title)),
        "{}",
        pages[2]
    );
}

/// Text blocks of `pdftotext -bbox-layout`: per block its lines, per line its words'
/// (xMin, xMax, height), in order.
fn bbox_blocks(pdf: &std::path::Path) -> Vec<Vec<Vec<(f64, f64, f64)>>> {
    let output = std::process::Command::new("pdftotext")
        .args(["-bbox-layout"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) runs");
    let xml = String::from_utf8_lossy(&output.stdout);
    let attribute = |tag: &str, name: &str| -> f64 {
        let start = tag.find(&format!("{name}=\"")).expect("attribute") + name.len() + 2;
        let end = start + tag[start..].find('"').expect("closing quote");
        tag[start..end].parse().expect("number")
    };
    xml.split("<block")
        .skip(1)
        .map(|block| {
            let block = block.split("</block>").next().unwrap_or_default();
            block
                .split("<line")
                .skip(1)
                .map(|line| {
                    let line = line.split("</line>").next().unwrap_or_default();
                    line.split("<word ")
                        .skip(1)
                        .map(|word| {
                            let height = attribute(word, "yMax") - attribute(word, "yMin");
                            (attribute(word, "xMin"), attribute(word, "xMax"), height)
                        })
                        .collect()
                })
                .collect()
        })
        .collect()
}

/// Lines of plain `pdftotext -layout` text ending in a hyphen.
fn hyphenated_lines(pdf: &std::path::Path) -> usize {
    let output = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) runs");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| l.trim_end().ends_with('-'))
        .count()
}

/// The seed book set at A5 with font expansion, protrusion and the hyphenation demerits:
/// few hyphenated lines, and every justified line ends at the measure, or past it by no
/// more than a character may hang, wherever the writer draws expanded glyphs (`Tz`).
#[test]
fn seed_lines_are_justified_to_the_measure_with_few_hyphens() {
    /// At most this many of the seed's ~100 lines end in a hyphen (26 before font
    /// expansion and the hyphenation demerits; Typst sets the seed with 3 of 98).
    const MAX_HYPHENATED_LINES: usize = 8;
    /// Where poppler's word boxes may differ from layout's positions: the three decimals
    /// of content-stream numbers and poppler's own rounding.
    const SLACK: f64 = 0.3;
    /// Poppler's word boxes in body text are at most this many times the type size tall
    /// (ascender to descender: 1.36 in Noto Serif); a heading's are taller …
    const BODY_LINE_HEIGHT: f64 = 1.5;
    /// … and small type's (captions, the colophon) shorter than this.
    const SMALL_LINE_HEIGHT: f64 = 1.25;

    let book = load(repo().join("book"));
    let dir = std::env::temp_dir().join(format!("presswork-justify-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let pdf = dir.join("seed.pdf");
    std::fs::write(&pdf, render(&book)).expect("write PDF");

    let hyphens = hyphenated_lines(&pdf);
    assert!(
        hyphens <= MAX_HYPHENATED_LINES,
        "{hyphens} lines end in a hyphen"
    );

    // The seed is an article: one margin on both sides of every page.
    let geometry =
        presswork::typeset::PageGeometry::for_paper(book.settings.paper).for_shape(book.shape);
    let left = f64::from(geometry.left(presswork::typeset::Side::Recto));
    let edge = left + f64::from(geometry.measure);
    let most_hang = f64::from(presswork::typeset::text::MAX_HANG * geometry.body_size);
    let body_height = f64::from(geometry.body_size) * BODY_LINE_HEIGHT;
    let small_height = f64::from(geometry.body_size) * SMALL_LINE_HEIGHT;
    let mut justified = 0;
    for block in bbox_blocks(&pdf) {
        for pair in block.windows(2) {
            let (words, next) = (&pair[0], &pair[1]);
            // A line followed by one of its paragraph (not indented: a first line is) is
            // justified; the last line of a block may end a paragraph, and is left out.
            let (Some(first), Some(last), Some(next_first)) =
                (words.first(), words.last(), next.first())
            else {
                continue;
            };
            // Body text: a heading's words are taller, the ragged colophon's smaller.
            let body = words.len() >= 5
                && (first.0 - left).abs() < most_hang + SLACK
                && words
                    .iter()
                    .all(|w| w.2 < body_height && w.2 > small_height);
            if !body || next_first.0 > left + SLACK {
                continue;
            }
            let right = last.1;
            justified += 1;
            assert!(
                right > edge - SLACK && right < edge + most_hang + SLACK,
                "a justified line ends at {right}, the measure at {edge}"
            );
        }
    }
    assert!(justified > 50, "only {justified} justified lines found");
    std::fs::remove_dir_all(&dir).ok();
}

/// Found by the property test: an emergency-broken run whose line starts past its break
/// once the discardable items are skipped used to slice backwards in the line breaker.
#[test]
fn a_line_of_nothing_but_discardables_sets_as_empty() {
    let dir = std::env::temp_dir().join(format!("presswork-empty-line-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("book.md");
    let text = format!("####### العربية{}\n", "a".repeat(48));
    std::fs::write(&file, text).expect("write");
    let book = load(file);
    let doc = Document::load_mem(&render(&book)).expect("PDF parses");
    assert!(!doc.get_pages().is_empty());
    std::fs::remove_dir_all(&dir).ok();
}

/// Every glyph drawn in a laid-out document, in order: (text, glyph id).
fn drawn_glyphs(laid_out: &presswork::typeset::frame::LaidOutDocument) -> Vec<(String, u16)> {
    laid_out
        .pages
        .iter()
        .flat_map(|page| page.items.iter())
        .filter_map(|item| match item {
            presswork::typeset::frame::PageItem::Glyphs(run) => Some(run),
            _ => None,
        })
        .flat_map(|run| run.glyphs.iter().map(|g| (g.text.to_string(), g.id)))
        .collect()
}

/// The glyph ids of each place where `letters` are drawn one glyph per character.
fn occurrences(glyphs: &[(String, u16)], letters: &str) -> Vec<Vec<u16>> {
    let wanted: Vec<String> = letters.chars().map(String::from).collect();
    glyphs
        .windows(wanted.len())
        .filter(|w| w.iter().zip(&wanted).all(|((text, _), c)| text == c))
        .map(|w| w.iter().map(|(_, id)| *id).collect())
        .collect()
}

/// Small capitals and figures in a real build: the glyphs drawn are the font's small
/// capitals where the manuscript asks for them, old-style figures in running text, lining
/// ones in headings and tabular ones in tables; and the text comes back as written, every
/// letter in its case, both from ToUnicode alone (lopdf) and from poppler's `pdftotext`,
/// although `smcp` and `c2sc` draw "s" and "S" with one glyph.
#[test]
fn small_caps_and_figures_are_drawn_as_such_and_copy_as_written() {
    use presswork::typeset::fonts::{Caps, Family, Features, Figures, FontSet, Style};
    use presswork::typeset::shape::Shaper;
    use std::collections::BTreeSet;
    let book = load(repo().join("tests/manuscripts/typography.md"));
    let fonts = FontSet::builtin().expect("fonts");
    let laid_out = presswork::typeset::lay_out(
        &book,
        &fonts,
        presswork::typeset::PageGeometry::for_paper(book.settings.paper),
        &mut Diagnostics::default(),
    );
    let glyphs = drawn_glyphs(&laid_out);
    let shaper = Shaper::new(&fonts);
    let shaped = |word: &str, caps, figures| -> Vec<u16> {
        let style = Style {
            features: Features { caps, figures },
            ..Style::default()
        };
        shaper
            .shape_word(word, Family::Body, style)
            .iter()
            .flat_map(|run| run.glyphs.iter().map(|g| g.id))
            .collect()
    };

    // "Small Caps" in the text: the capital as it is, the rest the font's small capitals;
    // in the running heads all small capitals; on the title page as written.
    let small = occurrences(&glyphs, "Small");
    let plain = shaped("Small", Caps::Normal, Figures::Text);
    let marked = shaped("Small", Caps::Small, Figures::Text);
    assert_eq!(marked[0], plain[0]);
    assert!(marked[1..].iter().zip(&plain[1..]).all(|(a, b)| a != b));
    let head = shaped("Small", Caps::AllSmall, Figures::Text);
    assert_ne!(head[0], plain[0]);
    let kinds: BTreeSet<&Vec<u16>> = small.iter().collect();
    assert_eq!(kinds, BTreeSet::from([&plain, &marked, &head]), "{small:?}");
    assert_eq!(small.iter().filter(|ids| **ids == marked).count(), 1);
    assert_eq!(
        occurrences(&glyphs, "NASA")[0],
        shaped("NASA", Caps::Normal, Figures::Text),
        "capitals stay capitals under small-caps"
    );

    // 1984 in running text (old-style), in the chapter title and the level-four heading
    // (lining), in the table (tabular): three different sets of glyphs.
    let years: BTreeSet<Vec<u16>> = occurrences(&glyphs, "1984").into_iter().collect();
    let expected: BTreeSet<Vec<u16>> = [Figures::OldStyle, Figures::Lining, Figures::Tabular]
        .into_iter()
        .map(|figures| shaped("1984", Caps::Normal, figures))
        .collect();
    assert_eq!(expected.len(), 3);
    assert_eq!(years, expected);

    // Copied out as written, by ToUnicode alone …
    let bytes = render(&book);
    let doc = Document::load_mem(&bytes).expect("PDF parses");
    let pages = page_texts(&doc);
    let whole = pages.concat();
    for phrase in [
        "the Small Caps arrived",
        "NASA and friends kept 2750 copies",
        "Jeux Olympiques",
        "Level Four Heading of 1984",
    ] {
        assert!(whole.contains(&squash(phrase)), "{phrase} in {whole}");
    }
    // The running heads of chapter two's pages past its opening (the title page, imprint
    // and chapter one come first), all small capitals: "F", "S" and "T" drawn with the
    // glyphs of "f", "s" and "t", each copied in its own case.
    let heads = pages[4..]
        .iter()
        .filter(|page| page.ends_with(&squash("Figures and Small Caps")))
        .count();
    assert_eq!(heads, 2, "{pages:?}");
    let recto_heads = pages[4..]
        .iter()
        .filter(|page| page.ends_with("ChapterTwo"))
        .count();
    assert_eq!(recto_heads, 1, "{pages:?}");
    // … and by poppler.
    let file = std::env::temp_dir().join(format!("presswork-smallcaps-{}.pdf", std::process::id()));
    std::fs::write(&file, &bytes).expect("write PDF");
    let output = std::process::Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) runs");
    let _ = std::fs::remove_file(&file);
    let text = String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for phrase in [
        "the Small Caps arrived",
        "NASA and friends",
        "Figures and Small Caps",
        "Chapter Two",
    ] {
        assert!(text.contains(phrase), "{phrase} in {text}");
    }
}

#[test]
fn the_pdf_written_into_a_sink_is_the_rendered_one_and_a_full_sink_is_an_output_error() {
    let book = load(repo().join("book"));
    books::assert_writes_what_it_renders(&PdfRenderer::default(), &book);
}
