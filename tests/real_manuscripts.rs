//! What real manuscripts bring and nothing may lose: soft breaks inside markup, links of every
//! kind (between files, to fragments, refused schemes, URLs to encode, autolink literals),
//! inline HTML, footnote mistakes. Each case builds a real book folder, then both outputs, and
//! checks what reached them and which located warnings were given.

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use lopdf::{Document, Object};
use presswork::epub::EpubRenderer;
use presswork::ir::{Block, Book, Inline};
use presswork::load::{load_book, LoadOptions};
use presswork::pdf::{PdfOptions, PdfRenderer};
use presswork::{Diagnostics, Renderer};

/// A book folder written for one test, removed when dropped.
struct Folder(PathBuf);

impl Folder {
    fn new(name: &str, files: &[(&str, &str)]) -> Folder {
        let dir =
            std::env::temp_dir().join(format!("presswork-real-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, text) in files {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        }
        Folder(dir)
    }

    fn copy_photo(&self, name: &str) {
        let photo = Path::new(env!("CARGO_MANIFEST_DIR")).join("images/putin-modi.jpg");
        std::fs::copy(photo, self.0.join(name)).expect("copy photo");
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn load(input: &Path) -> (Book, Diagnostics) {
    let mut diagnostics = Diagnostics::default();
    let book = load_book(input, &LoadOptions::default(), &mut diagnostics).expect("book loads");
    (book, diagnostics)
}

fn epub_chapters(book: &Book) -> Vec<String> {
    let bytes = EpubRenderer::default()
        .render(book, &mut Diagnostics::default())
        .expect("EPUB renders");
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
    let mut chapters = Vec::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).expect("entry");
        if entry.name().contains("/ch") && entry.name().ends_with(".xhtml") {
            let mut text = String::new();
            entry.read_to_string(&mut text).expect("utf-8");
            roxmltree::Document::parse_with_options(
                &text,
                roxmltree::ParsingOptions {
                    allow_dtd: true,
                    ..Default::default()
                },
            )
            .unwrap_or_else(|e| panic!("not well-formed XHTML: {e}\n{text}"));
            chapters.push(text);
        }
    }
    chapters
}

fn pdf(book: &Book) -> Document {
    let bytes = PdfRenderer {
        options: PdfOptions::default(),
    }
    .render(book, &mut Diagnostics::default())
    .expect("PDF renders");
    Document::load_mem(&bytes).expect("PDF parses")
}

fn pdf_text(doc: &Document) -> String {
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&pages).expect("text")
}

/// Every link annotation: `Ok(uri)` for a URI action, `Err(page)` for an internal destination.
fn pdf_links(doc: &Document) -> Vec<Result<String, u32>> {
    let pages = doc.get_pages();
    let page_number =
        |id: lopdf::ObjectId| pages.iter().find(|(_, p)| **p == id).map_or(0, |(n, _)| *n);
    let mut links = Vec::new();
    for id in pages.values() {
        let page = doc.get_dictionary(*id).expect("page");
        let Ok(annots) = page.get(b"Annots").and_then(Object::as_array) else {
            continue;
        };
        for annot in annots {
            let annot = doc
                .get_dictionary(annot.as_reference().expect("ref"))
                .expect("annotation");
            if let Ok(dest) = annot.get(b"Dest") {
                let target = dest.as_array().expect("dest")[0]
                    .as_reference()
                    .expect("page");
                links.push(Err(page_number(target)));
            } else if let Ok(action) = annot
                .get(b"A")
                .and_then(|action| match action {
                    // One action object may serve every rectangle of a link.
                    Object::Reference(id) => doc.get_object(*id),
                    direct => Ok(direct),
                })
                .and_then(Object::as_dict)
            {
                let uri = action.get(b"URI").and_then(Object::as_str).expect("uri");
                links.push(Ok(String::from_utf8_lossy(uri).into_owned()));
            }
        }
    }
    links
}

/// Every inline of the book, nested ones included, in reading order.
fn all_inlines(book: &Book) -> Vec<Inline> {
    fn walk(inlines: &[Inline], out: &mut Vec<Inline>) {
        for inline in inlines {
            out.push(inline.clone());
            match inline {
                Inline::Emphasis(c)
                | Inline::Strong(c)
                | Inline::Strikethrough(c)
                | Inline::Styled { content: c, .. }
                | Inline::Link { content: c, .. } => walk(c, out),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    for chapter in &book.chapters {
        walk(&chapter.title, &mut out);
        presswork::ir::visit_inlines(&chapter.blocks, &mut |inlines| walk(inlines, &mut out));
        for note in &chapter.footnotes {
            presswork::ir::visit_inlines(&note.blocks, &mut |inlines| walk(inlines, &mut out));
        }
    }
    out
}

fn warnings(diagnostics: &Diagnostics) -> Vec<String> {
    diagnostics.warnings.iter().map(|w| w.to_string()).collect()
}

#[test]
fn soft_breaks_inside_markup_are_spaces_in_both_outputs() {
    let folder = Folder::new(
        "soft",
        &[(
            "a.md",
            "# Soft\n\nSome *emphasis that\nwraps*, **strong that\nwraps**, a [link that\nwraps](https://example.com) \
             and ~~struck\ntext~~ in one paragraph.\n",
        )],
    );
    let (book, _) = load(&folder.0);
    for inline in all_inlines(&book) {
        if let Inline::Text(text) = &inline {
            assert!(!text.contains('\n'), "a line break survived in {text:?}");
        }
        assert!(!matches!(inline, Inline::LineBreak));
    }
    let chapters = epub_chapters(&book);
    assert!(chapters[0].contains("<em>emphasis that wraps</em>"));
    assert!(chapters[0].contains("<strong>strong that wraps</strong>"));
    assert!(chapters[0].contains(">link that wraps</a>"));
    assert!(chapters[0].contains("<del>struck text</del>"));
    // In the PDF the paragraph is set as two full lines, not cut at each wrapped phrase
    // (which would make six): count the baselines drawn on the page.
    let doc = pdf(&book);
    // The chapter's page: the last (a book's title page and imprint come first).
    let baselines = baselines(&doc, doc.get_pages().len() as u32);
    assert!(
        (2..=4).contains(&baselines.len()),
        "heading plus a two-line paragraph expected, got baselines {baselines:?}"
    );
}

/// The distinct baselines (the `y` of every text matrix) drawn on page `number`, top down.
fn baselines(doc: &Document, number: u32) -> Vec<i64> {
    let page = doc.get_pages()[&number];
    let content = doc.get_page_content(page);
    let content = lopdf::content::Content::decode(&content).expect("decodes");
    let mut ys: Vec<i64> = content
        .operations
        .iter()
        .filter(|op| op.operator == "Tm" && op.operands.len() == 6)
        .filter_map(|op| op.operands[5].as_float().ok())
        .map(|y| (y * 10.0).round() as i64)
        .collect();
    ys.sort_unstable_by(|a, b| b.cmp(a));
    ys.dedup();
    ys
}

#[test]
fn links_follow_one_policy_in_both_outputs() {
    let filler = "Words that fill the page and push the next chapter onwards. ".repeat(40);
    let folder = Folder::new(
        "links",
        &[
            (
                "one.md",
                &format!(
                    "# One\n\nSee [chapter two](two.md), [its part](two.md#part-b), \
                     [the guide](zz-guide/x.md#deep), [gone](other.md#options), \
                     [js](javascript:alert(1)), [data](data:text/html,x), [file](file:///etc/passwd), \
                     [query](https://example.com/list?filter[status]=open&ids[]=1), \
                     www.example.org/path and write to me@example.com.\n\n## Options\n\n## Options\n\n{filler}\n"
                ),
            ),
            (
                "two.md",
                "# Two\n\n## Part B\n\nBack to [the second options](one.md#options-1).\n",
            ),
            ("zz-guide/x.md", "# Guide\n\n## Deep\n\nUp to [one](../one.md).\n"),
        ],
    );
    let (book, diagnostics) = load(&folder.0);
    let warnings = warnings(&diagnostics);
    // Refused destinations are located warnings, and never silently retargeted.
    for (needle, line) in [
        ("other.md#options", 3),
        ("javascript:alert(1)", 3),
        ("data:text/html,x", 3),
        ("file:///etc/passwd", 3),
    ] {
        assert!(
            warnings
                .iter()
                .any(|w| w.contains(needle) && w.contains(&format!("one.md:{line}:"))),
            "{needle}: {warnings:?}"
        );
    }
    let chapters = epub_chapters(&book);
    assert_eq!(chapters.len(), 3, "files are chapters in natural order");
    let one = &chapters[0];
    assert!(one.contains("href=\"ch002.xhtml#two\""), "{one}");
    assert!(one.contains("href=\"ch002.xhtml#part-b\""));
    assert!(one.contains("href=\"ch003.xhtml#deep\""));
    assert!(one.contains("https://example.com/list?filter%5Bstatus%5D=open&amp;ids%5B%5D=1"));
    assert!(one.contains("href=\"http://www.example.org/path\""));
    assert!(one.contains("href=\"mailto:me@example.com\""));
    assert!(!one.contains("javascript:") && !one.contains("href=\"data:"));
    assert!(!one.contains("file:///"));
    assert!(
        one.contains(">gone<") || one.contains(" gone,"),
        "text kept"
    );
    assert!(one.contains("id=\"options\"") && one.contains("id=\"options-1\""));
    assert!(chapters[1].contains("href=\"ch001.xhtml#options-1\""));
    assert!(chapters[2].contains("href=\"ch001.xhtml#one\""));

    let doc = pdf(&book);
    let links = pdf_links(&doc);
    let uris: Vec<&String> = links.iter().filter_map(|l| l.as_ref().ok()).collect();
    assert!(uris
        .iter()
        .all(|u| u.starts_with("https:") || u.starts_with("http:") || u.starts_with("mailto:")));
    assert!(uris
        .iter()
        .any(|u| u.as_str() == "https://example.com/list?filter%5Bstatus%5D=open&ids%5B%5D=1"));
    // The links to chapter two land after the first chapter's pages.
    let internal: Vec<u32> = links.iter().filter_map(|l| l.clone().err()).collect();
    assert!(internal.iter().any(|page| *page >= 2), "{links:?}");
}

#[test]
fn inline_html_becomes_book_structure_never_literal_tags() {
    let folder = Folder::new(
        "html",
        &[(
            "book.md",
            "# HTML\n\nPress <kbd>Ctrl</kbd>+<kbd>C</kbd>; H<sub>2</sub>O and x<sup>2</sup>; \
             <abbr title=\"World Health Organization\">WHO</abbr>; <span lang=\"hi\">नमस्ते</span>; \
             <mark>marked</mark>, <u>under</u>, <small>small</small>, <b>bold</b>, <i>italic</i>, \
             <del>gone</del>.\nA <a id=\"here\"></a>target, a [link to it](#here), \
             an <a href=\"https://example.com/?q=[1]\">HTML link</a>, a <a href=\"javascript:x()\" \
             onclick=\"x()\">bad one</a>,\nline<br>break, <script>alert('x')</script>script gone, \
             <iframe src=\"https://example.com\">frame text</iframe> and a <Someone> placeholder.\n\n\
             <details>\n<summary>Summary line</summary>\n\nHidden **body** text.\n\n</details>\n\n\
             <p align=\"center\">\n  <img src=\"photo.jpg\" alt=\"A centred photo\"\n   width=\"200\">\n</p>\n\n\
             <figure>\n<img src=\"photo.jpg\" alt=\"Another photo\">\n<figcaption>Its caption</figcaption>\n</figure>\n\n\
             <style>p { color: red }</style>\n\n<div>Loose <em>div</em> text</div>\n",
        )],
    );
    folder.copy_photo("photo.jpg");
    let (book, diagnostics) = load(&folder.0);
    let warnings = warnings(&diagnostics);
    for kind in [
        "<script>",
        "<iframe>",
        "<style>",
        "<someone>",
        "javascript:x()",
    ] {
        let hits: Vec<&String> = warnings.iter().filter(|w| w.contains(kind)).collect();
        assert_eq!(hits.len(), 1, "one warning for {kind}: {warnings:?}");
        assert!(hits[0].contains("book.md:"), "located: {}", hits[0]);
    }
    let chapter = &epub_chapters(&book)[0];
    for expected in [
        "<kbd>Ctrl</kbd>",
        "H<sub>2</sub>O",
        "x<sup>2</sup>",
        "<abbr title=\"World Health Organization\">WHO</abbr>",
        "<span lang=\"hi\" xml:lang=\"hi\">नमस्ते</span>",
        "<mark>marked</mark>",
        "<u>under</u>",
        "<small>small</small>",
        "<strong>bold</strong>",
        "<em>italic</em>",
        "<del>gone</del>",
        "<span id=\"here\"></span>",
        "href=\"#here\"",
        "href=\"https://example.com/?q=%5B1%5D\"",
        "line<br/>break",
        "frame text",
        "&lt;Someone&gt; placeholder",
        "<strong>Summary line</strong>",
        "Hidden <strong>body</strong> text.",
        "alt=\"A centred photo\"",
        "Loose <em>div</em> text",
    ] {
        assert!(chapter.contains(expected), "{expected} missing:\n{chapter}");
    }
    for absent in [
        "alert",
        "onclick",
        "<script",
        "<iframe",
        "&lt;kbd",
        "&lt;a ",
        "&lt;img",
        "color: red",
    ] {
        assert!(!chapter.contains(absent), "{absent} in:\n{chapter}");
    }
    let figures: Vec<_> = book.chapters[0]
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Figure(figure) => Some(figure),
            _ => None,
        })
        .collect();
    assert_eq!(figures.len(), 2, "both HTML images are figures");
    assert_eq!(
        presswork::ir::plain_text(&figures[1].caption),
        "Its caption"
    );

    let text = pdf_text(&pdf(&book));
    for absent in ["<kbd>", "<sup>", "<a id", "<img", "alert"] {
        assert!(!text.contains(absent), "{absent} in the PDF text");
    }
    assert!(text.contains("Ctrl") && text.contains("WHO") && text.contains("frame text"));
}

#[test]
fn footnote_mistakes_are_located_warnings() {
    let folder = Folder::new(
        "notes",
        &[(
            "a.md",
            "# Notes\n\nA note[^clock] and a typo[^clok].\n\n[^clock]: The clock.\n\n[^unused]: Never used.\n",
        )],
    );
    let (book, diagnostics) = load(&folder.0);
    let warnings = warnings(&diagnostics);
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("a.md:3:26") && w.contains("[^clok]") && w.contains("[^clock]")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("a.md:7:1") && w.contains("[^unused]")),
        "{warnings:?}"
    );
    // The undefined reference is not lost: it stays as written.
    let chapter = &epub_chapters(&book)[0];
    assert!(chapter.contains("typo[^clok]"));
}

#[test]
fn strict_turns_each_silent_loss_into_an_error() {
    let folder = Folder::new(
        "strict",
        &[("a.md", "# A\n\nA typo[^clok] and <blink>old</blink>.\n")],
    );
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_presswork"))
        .arg("epub")
        .arg(&folder.0)
        .arg("--strict")
        .arg("-o")
        .arg(folder.0.join("out.epub"))
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("a.md:3:"), "{stderr}");
    assert!(!folder.0.join("out.epub").exists());
}
