//! EPUB back end, end to end: build books from the seed and from small manuscripts, unzip them
//! and check their structure with an XML parser.
//!
//! Set `PRESSWORK_EPUB_TEST_OUT=<dir>` to keep every EPUB built here (to run EPUBCheck on them).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read};
use std::path::Path;

use presswork::epub::EpubRenderer;
use presswork::load::{load_book, LoadOptions};
use presswork::{Diagnostics, Renderer};

#[path = "support/books.rs"]
mod books;
use books::scratch_dir;

const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
const OPS_NS: &str = "http://www.idpf.org/2007/ops";
const OPF_NS: &str = "http://www.idpf.org/2007/opf";
const NCX_NS: &str = "http://www.daisy.org/z3986/2005/ncx/";

fn parse(text: &str) -> roxmltree::Document<'_> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(text, options)
        .unwrap_or_else(|e| panic!("not well-formed: {e}\n{text}"))
}

fn build(input: &Path, name: &str) -> (Vec<u8>, Diagnostics) {
    let mut diagnostics = Diagnostics::default();
    // As `SOURCE_DATE_EPOCH=1700000000` on the command line.
    let options = LoadOptions {
        source_date_epoch: Some(1_700_000_000),
        ..LoadOptions::default()
    };
    let book = load_book(input, &options, &mut diagnostics).expect("book loads");
    let renderer = EpubRenderer::default();
    let bytes = renderer
        .render(&book, &mut diagnostics)
        .expect("EPUB renders");
    if let Ok(dir) = std::env::var("PRESSWORK_EPUB_TEST_OUT") {
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(Path::new(&dir).join(format!("{name}.epub")), &bytes);
    }
    (bytes, diagnostics)
}

fn build_markdown(name: &str, markdown: &str) -> (Epub, Diagnostics) {
    let dir = scratch_dir("epub", name);
    let file = dir.join(format!("{name}.md"));
    std::fs::write(&file, markdown).expect("write manuscript");
    let (bytes, diagnostics) = build(&file, name);
    let _ = std::fs::remove_dir_all(&dir);
    (Epub::open(&bytes), diagnostics)
}

/// An unzipped EPUB, checked for structural consistency on opening.
struct Epub {
    files: BTreeMap<String, Vec<u8>>,
    order: Vec<String>,
    opf_path: String,
}

impl Epub {
    fn open(bytes: &[u8]) -> Epub {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
        let mut files = BTreeMap::new();
        let mut order = Vec::new();
        for i in 0..archive.len() {
            let mut entry = archive.by_index(i).expect("entry");
            if i == 0 {
                assert_eq!(entry.name(), "mimetype", "mimetype must come first");
                assert_eq!(entry.compression(), zip::CompressionMethod::Stored);
            }
            let mut data = Vec::new();
            entry.read_to_end(&mut data).expect("readable entry");
            order.push(entry.name().to_string());
            assert!(
                files.insert(entry.name().to_string(), data).is_none(),
                "duplicate zip entry {}",
                entry.name()
            );
        }
        assert_eq!(files["mimetype"], b"application/epub+zip");
        let container = String::from_utf8(files["META-INF/container.xml"].clone()).expect("utf-8");
        let doc = parse(&container);
        let opf_path = doc
            .descendants()
            .find(|n| n.has_tag_name("rootfile"))
            .and_then(|n| n.attribute("full-path"))
            .expect("rootfile")
            .to_string();
        let epub = Epub {
            files,
            order,
            opf_path,
        };
        epub.check_structure();
        epub
    }

    fn text(&self, path: &str) -> String {
        String::from_utf8(
            self.files
                .get(path)
                .unwrap_or_else(|| panic!("no {path}"))
                .clone(),
        )
        .expect("utf-8")
    }

    fn opf(&self) -> String {
        self.text(&self.opf_path)
    }

    fn base(&self) -> String {
        match self.opf_path.rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/"),
            None => String::new(),
        }
    }

    /// (id, href, media-type, properties) of each manifest item.
    fn manifest(&self) -> Vec<(String, String, String, String)> {
        let opf = self.opf();
        let doc = parse(&opf);
        doc.descendants()
            .filter(|n| n.has_tag_name((OPF_NS, "item")))
            .map(|n| {
                let get = |a| n.attribute(a).unwrap_or("").to_string();
                (get("id"), get("href"), get("media-type"), get("properties"))
            })
            .collect()
    }

    fn spine_hrefs(&self) -> Vec<String> {
        let opf = self.opf();
        let doc = parse(&opf);
        let by_id: BTreeMap<String, String> = self
            .manifest()
            .into_iter()
            .map(|(id, href, _, _)| (id, href))
            .collect();
        doc.descendants()
            .filter(|n| n.has_tag_name((OPF_NS, "itemref")))
            .map(|n| {
                let idref = n.attribute("idref").expect("idref");
                by_id.get(idref).expect("spine item in manifest").clone()
            })
            .collect()
    }

    fn xhtml_paths(&self) -> Vec<String> {
        self.files
            .keys()
            .filter(|k| k.ends_with(".xhtml"))
            .cloned()
            .collect()
    }

    fn chapter_paths(&self) -> Vec<String> {
        self.spine_hrefs()
            .into_iter()
            .filter(|h| h.starts_with("ch"))
            .map(|h| format!("{}{h}", self.base()))
            .collect()
    }

    /// The ids defined in one XHTML document.
    fn ids(&self, path: &str) -> BTreeSet<String> {
        let text = self.text(path);
        let doc = parse(&text);
        doc.descendants()
            .filter_map(|n| n.attribute("id").map(str::to_string))
            .collect()
    }

    /// Does `href`, written in document `from`, point at a file (and fragment) that exists?
    fn resolves(&self, from: &str, href: &str) -> bool {
        let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
        let (file, fragment) = href.split_once('#').unwrap_or((href, ""));
        let target = if file.is_empty() {
            from.to_string()
        } else if dir.is_empty() {
            file.to_string()
        } else {
            format!("{dir}/{file}")
        };
        if !self.files.contains_key(&target) {
            return false;
        }
        fragment.is_empty() || self.ids(&target).contains(fragment)
    }

    fn check_structure(&self) {
        // Manifest ↔ zip: every file listed, every listed file present, no duplicates.
        let base = self.base();
        let manifest = self.manifest();
        let mut ids = BTreeSet::new();
        let mut listed = BTreeSet::new();
        for (id, href, media_type, _) in &manifest {
            assert!(ids.insert(id.clone()), "duplicate manifest id {id}");
            let path = format!("{base}{href}");
            assert!(
                self.files.contains_key(&path),
                "manifest lists missing {path}"
            );
            listed.insert(path.clone());
            if path.ends_with(".jpg") {
                assert_eq!(media_type, "image/jpeg");
            }
        }
        for name in self.files.keys() {
            if name == "mimetype" || name.starts_with("META-INF/") || *name == self.opf_path {
                continue;
            }
            assert!(listed.contains(name), "{name} is not in the manifest");
        }
        assert!(
            manifest
                .iter()
                .any(|(_, _, _, p)| p.split(' ').any(|p| p == "nav")),
            "no nav item"
        );
        // The OPF's own ids are unique (epub-builder's duplicate epub-creator-0).
        let opf = self.opf();
        let doc = parse(&opf);
        let mut seen = BTreeSet::new();
        for id in doc.descendants().filter_map(|n| n.attribute("id")) {
            assert!(seen.insert(id), "duplicate id {id} in the OPF");
        }
        assert!(!self.spine_hrefs().is_empty());

        // Every content document: well-formed, language set, ids unique, links resolve.
        for path in self.xhtml_paths() {
            let text = self.text(&path);
            let doc = parse(&text);
            let html = doc.root_element();
            assert!(html.has_tag_name((XHTML_NS, "html")), "{path}: not XHTML");
            assert!(html.attribute("lang").is_some(), "{path}: no lang");
            assert_eq!(html.attribute("lang"), html.attribute((XML_NS, "lang")));
            let mut seen = BTreeSet::new();
            for node in doc.descendants() {
                if let Some(id) = node.attribute("id") {
                    assert!(seen.insert(id), "{path}: duplicate id {id}");
                }
                if node.has_tag_name((XHTML_NS, "a")) {
                    let href = node
                        .attribute("href")
                        .unwrap_or_else(|| panic!("{path}: a without href"));
                    if !href.contains(':') {
                        assert!(self.resolves(&path, href), "{path}: dangling link {href}");
                    }
                    assert!(!href.to_ascii_lowercase().starts_with("javascript"));
                }
                if node.has_tag_name((XHTML_NS, "img")) {
                    assert!(node.attribute("alt").is_some(), "{path}: img without alt");
                    let src = node.attribute("src").expect("src");
                    assert!(self.resolves(&path, src), "{path}: missing image {src}");
                }
            }
        }
        // The NCX points at existing places.
        let ncx_path = manifest
            .iter()
            .find(|(_, _, m, _)| m == "application/x-dtbncx+xml")
            .map(|(_, href, _, _)| format!("{base}{href}"))
            .expect("an NCX");
        let ncx = self.text(&ncx_path);
        let doc = parse(&ncx);
        for content in doc
            .descendants()
            .filter(|n| n.has_tag_name((NCX_NS, "content")))
        {
            let src = content.attribute("src").expect("src");
            assert!(self.resolves(&ncx_path, src), "NCX: dangling {src}");
        }
    }

    /// The toc nav's entries as (depth, href, text).
    fn toc(&self) -> Vec<(usize, String, String)> {
        let nav_href = self
            .manifest()
            .into_iter()
            .find(|(_, _, _, p)| p.split(' ').any(|p| p == "nav"))
            .map(|(_, href, _, _)| href)
            .expect("nav");
        let text = self.text(&format!("{}{nav_href}", self.base()));
        let doc = parse(&text);
        let toc = doc
            .descendants()
            .find(|n| {
                n.has_tag_name((XHTML_NS, "nav")) && n.attribute((OPS_NS, "type")) == Some("toc")
            })
            .expect("toc nav");
        toc.descendants()
            .filter(|n| n.has_tag_name((XHTML_NS, "a")))
            .map(|a| {
                let depth = a
                    .ancestors()
                    .filter(|n| n.has_tag_name((XHTML_NS, "ol")))
                    .count();
                (
                    depth,
                    a.attribute("href").unwrap_or("").to_string(),
                    all_text(a),
                )
            })
            .collect()
    }
}

fn all_text(node: roxmltree::Node) -> String {
    node.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect()
}

#[test]
fn seed_book_is_complete_and_reproducible() {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("book");
    let (first, _) = build(&seed, "seed");
    let (second, _) = build(&seed, "seed");
    assert!(first == second, "two builds differ");
    let epub = Epub::open(&first);

    let toc = epub.toc();
    let titles: Vec<&str> = toc.iter().map(|(_, _, t)| t.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Putin invites PM Modi to visit Russia in meeting with Jaishankar",
            "Putin’s praise for PM Modi",
            "India-Russia relations",
            "Jaishankar’s visit to Russia",
        ]
    );
    assert_eq!(epub.chapter_paths().len(), 4);

    // The figure: img with alt, figcaption with caption and a separately marked-up credit.
    let first_chapter = epub.text(&epub.chapter_paths()[0]);
    let doc = parse(&first_chapter);
    let figure = doc
        .descendants()
        .find(|n| n.has_tag_name((XHTML_NS, "figure")))
        .expect("a figure");
    let img = figure
        .descendants()
        .find(|n| n.has_tag_name((XHTML_NS, "img")))
        .expect("img");
    assert!(img
        .attribute("alt")
        .is_some_and(|a| a.contains("mountain ridge")));
    let caption = figure
        .descendants()
        .find(|n| n.has_tag_name((XHTML_NS, "figcaption")))
        .expect("figcaption");
    let credit = caption
        .descendants()
        .find(|n| n.attribute("class") == Some("credit"))
        .expect("credit element");
    assert_eq!(all_text(credit), "Image Source: PTI");
    assert!(all_text(caption)
        .starts_with("Prime Minister Narendra Modi with Russian President Vladimir Putin"));
    let h1 = doc
        .descendants()
        .find(|n| n.has_tag_name((XHTML_NS, "h1")))
        .expect("h1");
    assert_eq!(
        all_text(h1),
        "Putin invites PM Modi to visit Russia in meeting with Jaishankar"
    );

    // Metadata: the builder's defects repaired, ours added.
    let opf = epub.opf();
    // The agency is the publisher of a book that names none; `dc:source` names the print
    // edition whose page numbers the page list gives; the NCX carries the title.
    assert!(opf.contains("<dc:publisher>PTI</dc:publisher>"), "{opf}");
    assert!(opf.contains("<dc:source id=\"print-source\">Putin invites PM Modi to visit Russia in meeting with Jaishankar, print edition (PDF, A5 paper)"), "{opf}");
    assert!(
        opf.contains("<meta refines=\"#print-source\" property=\"source-of\">pagination</meta>")
    );
    assert!(opf.contains("<meta property=\"schema:accessibilityFeature\">printPageNumbers</meta>"));
    assert!(epub
        .text("OEBPS/toc.ncx")
        .contains("<docTitle>\n    <text>Putin invites PM Modi to visit Russia in meeting with Jaishankar</text>"));
    assert!(opf.contains("<dc:subject>World News</dc:subject>"));
    assert!(opf.contains("<meta property=\"dcterms:modified\">2023-11-14T22:13:20Z</meta>"));
    assert!(opf.contains("<meta property=\"schema:accessMode\">visual</meta>"));
    assert!(opf.contains("properties=\"cover-image\""));
    assert!(opf.contains("<dc:identifier id=\"epub-id-1\">urn:uuid:"));
    // The figure's image, stored once, scaled to e-reader size; and the cover made from
    // it: a portrait JPEG of the stores' size, alone on its page.
    let images: Vec<_> = epub.files.keys().filter(|k| k.ends_with(".jpg")).collect();
    assert_eq!(images.len(), 2, "{images:?}");
    let photo_path = images
        .iter()
        .find(|k| !k.ends_with("/cover.jpg"))
        .expect("the photo");
    let photo = image::load_from_memory(&epub.files[*photo_path]).expect("photo decodes");
    // Within Apple's 4 megapixels: the photo goes in byte for byte.
    assert_eq!((photo.width(), photo.height()), (1920, 1278));
    assert_eq!(
        epub.files[*photo_path],
        std::fs::read(seed.join("../images/putin-modi.jpg")).expect("the photo")
    );
    let cover = image::load_from_memory(&epub.files["OEBPS/images/cover.jpg"]).expect("decodes");
    assert_eq!((cover.width(), cover.height()), (1600, 2560));
    assert!(
        opf.contains(
            "<item media-type=\"image/jpeg\" properties=\"cover-image\" id=\"cover-image\" href=\"images/cover.jpg\"/>"
        ),
        "{opf}"
    );
    let cover_page = epub.text("OEBPS/cover.xhtml");
    let body = &cover_page[cover_page.find("<body>").expect("body")..];
    assert_eq!(body.matches('<').count(), 6, "only the picture: {body}");
    assert!(
        body.contains(
            "<img role=\"doc-cover\" src=\"images/cover.jpg\" alt=\"Cover: Putin invites PM Modi"
        ),
        "{body}"
    );
    // Ace by DAISY: the package's language, the toc's ARIA role.
    assert!(opf.contains("<package version=\"3.0\" xml:lang=\"en\""));
    assert!(epub
        .text("OEBPS/nav.xhtml")
        .contains("<nav epub:type=\"toc\" role=\"doc-toc\""));
    // Landmarks point into the spine.
    let nav = epub.text("OEBPS/nav.xhtml");
    for kind in ["cover", "toc", "bodymatter", "colophon"] {
        assert!(
            nav.contains(&format!("epub:type=\"{kind}\"")),
            "no {kind} landmark"
        );
    }
    let colophon = epub.text("OEBPS/colophon.xhtml");
    assert!(colophon.contains("Image Source: PTI") && colophon.contains("presswork"));
    assert_eq!(epub.order[0], "mimetype");
}

const RICH: &str = r##"+++
title = "Tests & <Trials>"
language = "en"
authors = ["Ann O’Nymous", "B & C"]
publisher = "Small <Press> & Co"
+++

# Markup & *emphasis* in `code` [link](#tables)

Prose with &, <, > and "quotes" and a <span>raw tag</span> and an emoji 😀.
A footnote here[^a] and another[^b], then the first again[^a].

Cyrillic: Привет мир. Greek: Καλημέρα. Devanagari: नमस्ते दुनिया. CJK: 你好，世界。

שלום עולם, זה משפט בעברית.

مرحبا بالعالم، هذه جملة عربية.

[^a]: Note *a* with a [link](https://example.com/a?b=1&c=2).
[^b]: Note b, which cites [^c].
[^c]: Note c, from inside note b.

# Tables

| Left | Centre | Right | None |
|:-----|:------:|------:|------|
| a & b | **c** | 1 | x |
| d | e | 22 | |

## Same heading

## Same heading

##

### Deeper with [a link](https://example.org) and ~~strike~~

# Lists and code

1. one
   - nested *a*
   - nested b
     1. deeper
2. two

- [x] done task
- [ ] open task

> A quote with **strong** text.
>
> > And a nested one.

```rust
fn main() { println!("<&>"); }    // a very long line that should wrap rather than overflow the screen of a phone
```

---

Links: [back to tables](#tables), [same heading](#same-heading-1), [external](https://example.com/path with space),
[relative](notes.html), [script](javascript:alert(1)), <https://autolink.example/x>, [mail](mailto:a@b.example).
Another reference to a note from the first chapter[^a].
"##;

#[test]
fn rich_manuscript_builds_a_valid_structure() {
    let (epub, diagnostics) = build_markdown("rich", RICH);
    let toc = epub.toc();
    // Three chapters, headings nested under them, the empty heading left out.
    let top: Vec<&str> = toc
        .iter()
        .filter(|(d, _, _)| *d == 1)
        .map(|(_, _, t)| t.as_str())
        .collect();
    assert_eq!(
        top,
        ["Markup & emphasis in code link", "Tables", "Lists and code"]
    );
    assert!(toc
        .iter()
        .any(|(d, _, t)| *d == 3 && t == "Deeper with a link and strike"));
    assert!(toc.iter().all(|(_, _, t)| !t.trim().is_empty()));
    let chapters = epub.chapter_paths();
    assert_eq!(chapters.len(), 3);

    // Chapter 1: literal markup characters, noterefs and footnotes, scripts, directions.
    let one = epub.text(&chapters[0]);
    let doc = parse(&one);
    let body = doc
        .descendants()
        .find(|n| n.has_tag_name((XHTML_NS, "body")))
        .expect("body");
    let text = all_text(body);
    // Inline HTML is read, never passed through: the span's text stays, the tags do not.
    assert!(text.contains("Prose with &, <, > and “quotes” and a raw tag"));
    assert!(!one.contains("&lt;span&gt;"));
    for script in ["Привет мир", "Καλημέρα", "नमस्ते दुनिया", "你好，世界", "😀"]
    {
        assert!(text.contains(script), "{script} missing");
    }
    let hebrew = doc
        .descendants()
        .find(|n| n.has_tag_name((XHTML_NS, "p")) && all_text(*n).starts_with("שלום"))
        .expect("Hebrew paragraph");
    assert_eq!(hebrew.attribute("dir"), Some("rtl"));
    let noterefs: Vec<_> = doc
        .descendants()
        .filter(|n| n.attribute((OPS_NS, "type")) == Some("noteref"))
        .collect();
    assert!(noterefs.len() >= 4, "noterefs: {}", noterefs.len());
    let asides: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name((XHTML_NS, "aside")))
        .collect();
    assert_eq!(asides.len(), 3);
    for aside in &asides {
        assert_eq!(aside.attribute((OPS_NS, "type")), Some("footnote"));
        let back = aside
            .descendants()
            .find(|n| n.attribute("role") == Some("doc-backlink"))
            .expect("back-link");
        let href = back.attribute("href").expect("href");
        assert!(epub.resolves(&chapters[0], href));
    }
    // The heading's markup survives in the chapter, not in the nav.
    let h1 = doc
        .descendants()
        .find(|n| n.has_tag_name((XHTML_NS, "h1")))
        .expect("h1");
    assert!(h1.descendants().any(|n| n.has_tag_name((XHTML_NS, "em"))));
    assert!(h1.descendants().any(|n| n.has_tag_name((XHTML_NS, "code"))));

    // Chapter 2: table alignment, duplicate and empty headings.
    let two = epub.text(&chapters[1]);
    let doc = parse(&two);
    let classes: Vec<Option<&str>> = doc
        .descendants()
        .filter(|n| n.has_tag_name((XHTML_NS, "th")))
        .map(|n| n.attribute("class"))
        .collect();
    assert_eq!(
        classes,
        [
            Some("align-left"),
            Some("align-center"),
            Some("align-right"),
            None
        ]
    );
    assert!(two.contains("<td class=\"align-left\">a &amp; b</td>"));
    // The two duplicates; the empty `##` is dropped by the front end (it would be an empty
    // heading for screen readers and an empty navigation entry).
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name((XHTML_NS, "h2")))
            .count(),
        2
    );

    // Chapter 3: lists nest, tasks are marked, code keeps its text, links are sorted out.
    let three = epub.text(&chapters[2]);
    let doc = parse(&three);
    assert!(doc.descendants().any(|n| n.has_tag_name((XHTML_NS, "ol"))
        && n.ancestors()
            .skip(1)
            .any(|a| a.has_tag_name((XHTML_NS, "ul")))));
    assert!(three.contains("aria-label=\"done\""));
    assert!(three.contains("aria-label=\"not done\""));
    let code = doc
        .descendants()
        .find(|n| {
            n.has_tag_name((XHTML_NS, "code")) && n.attribute("class") == Some("language-rust")
        })
        .expect("code block");
    assert!(all_text(code).starts_with("fn main() { println!(\"<&>\"); }    // a very long"));
    let hrefs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name((XHTML_NS, "a")))
        .filter_map(|n| n.attribute("href"))
        .collect();
    assert!(hrefs.contains(&"ch002.xhtml#tables"), "{hrefs:?}");
    assert!(hrefs.contains(&"ch002.xhtml#same-heading-1"), "{hrefs:?}");
    assert!(hrefs.contains(&"https://autolink.example/x"));
    assert!(hrefs.contains(&"mailto:a@b.example"));
    assert!(
        hrefs.iter().any(|h| h.starts_with("ch001.xhtml#fn-")),
        "{hrefs:?}"
    );
    assert!(!three.contains("javascript:"));
    assert!(!hrefs.iter().any(|h| h.contains("notes.html")));
    let text = all_text(doc.root_element());
    assert!(text.contains("relative") && text.contains("script"));
    assert!(diagnostics
        .warnings
        .iter()
        .any(|w| w.to_string().contains("notes.html")));

    // Metadata with markup characters is escaped, and a text-only book says so.
    let opf = epub.opf();
    assert!(opf.contains("<dc:title>Tests &amp; &lt;Trials&gt;</dc:title>"));
    assert!(opf.contains("<dc:publisher>Small &lt;Press&gt; &amp; Co</dc:publisher>"));
    assert!(!opf.contains(">visual<"));
    // A book without pictures gets a typographic cover all the same.
    assert!(epub
        .text("OEBPS/cover.xhtml")
        .contains("src=\"images/cover.jpg\""));
}

#[test]
fn right_to_left_book_is_marked_rtl() {
    let (epub, _) = build_markdown(
        "rtl",
        "+++\ntitle = \"كتاب\"\nlanguage = \"ar\"\n+++\n\n# الفصل الأول\n\nمرحبا بالعالم. Hello in English.\n",
    );
    for path in epub.xhtml_paths() {
        let text = epub.text(&path);
        let doc = parse(&text);
        assert_eq!(doc.root_element().attribute("dir"), Some("rtl"), "{path}");
        assert_eq!(doc.root_element().attribute("lang"), Some("ar"));
    }
    assert!(epub.opf().contains("page-progression-direction=\"rtl\""));
}

#[test]
fn plain_single_file_without_headings_builds() {
    let (epub, _) = build_markdown("plain", "Just one paragraph & nothing else.\n");
    assert_eq!(epub.chapter_paths().len(), 1);
    assert_eq!(epub.toc().len(), 1);
}

#[test]
fn images_without_alt_text_make_no_conformance_claim() {
    let dir = scratch_dir("epub", "images");
    let photo = Path::new(env!("CARGO_MANIFEST_DIR")).join("images/putin-modi.jpg");
    std::fs::copy(&photo, dir.join("photo.jpg")).expect("copy photo");
    let file = dir.join("images.md");
    std::fs::write(
        &file,
        "# Pictures\n\n![](photo.jpg)\n*A caption & more*\n— Credit: <Someone>\n\n\
         Inline ![tiny photo](photo.jpg) in text.\n",
    )
    .expect("write manuscript");
    let (bytes, diagnostics) = build(&file, "images");
    let _ = std::fs::remove_dir_all(&dir);
    let epub = Epub::open(&bytes);
    let opf = epub.opf();
    assert!(opf.contains(">visual<"));
    assert!(!opf.contains("conformsTo"));
    assert!(!opf.contains("alternativeText"));
    assert!(diagnostics
        .warnings
        .iter()
        .any(|w| w.to_string().contains("alt text")));
    // One file for the photo, used by the figure and the inline image (and as the
    // artwork of the generated cover, a file of its own).
    let photos = epub.files.keys().filter(|k| k.ends_with(".jpg"));
    assert_eq!(photos.filter(|k| !k.ends_with("/cover.jpg")).count(), 1);
    let chapter = epub.text(&epub.chapter_paths()[0]);
    assert!(
        chapter.contains("<img class=\"inline\" src=\"images/photo.jpg\" alt=\"tiny photo\"/>"),
        "{chapter}"
    );
    assert!(chapter.contains("&lt;Someone&gt;</small>"), "{chapter}");
}

/// A 60×30 JPEG, red left half and blue right half, with an EXIF APP1 segment saying
/// "rotate 90° clockwise to display" (orientation 6).
fn sideways_jpeg() -> Vec<u8> {
    let image = image::RgbImage::from_fn(60, 30, |x, _| {
        image::Rgb(if x < 30 { [255, 0, 0] } else { [0, 0, 255] })
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 95)
        .encode_image(&image)
        .expect("encode");
    let mut app1 =
        b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0\0\0\0\0".to_vec();
    let length = u16::try_from(app1.len() + 2).expect("short").to_be_bytes();
    app1.splice(0..0, [0xFF, 0xE1, length[0], length[1]]);
    jpeg.splice(2..2, app1);
    jpeg
}

#[test]
fn images_are_upright_rgb_e_reader_sized_and_typed_from_their_bytes() {
    let dir = scratch_dir("epub", "photos");
    std::fs::write(dir.join("sideways.jpg"), sideways_jpeg()).expect("write");
    let cmyk = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cmyk-red.jpg");
    std::fs::copy(&cmyk, dir.join("print.jpg")).expect("copy");
    let mut big = Vec::new();
    image::RgbaImage::from_pixel(4800, 1000, image::Rgba([0, 90, 0, 200]))
        .write_to(&mut Cursor::new(&mut big), image::ImageFormat::Png)
        .expect("encode");
    // A PNG behind a .jpg name: the media type must come from the bytes.
    std::fs::write(dir.join("banner.jpg"), big).expect("write");
    let file = dir.join("photos.md");
    std::fs::write(
        &file,
        "# Photos\n\n![Red over blue](sideways.jpg)\n\n![Red](print.jpg)\n\n![Green band](banner.jpg)\n\n\
         Again: ![Red over blue](sideways.jpg)\n",
    )
    .expect("write manuscript");
    let (bytes, _) = build(&file, "photos");
    let _ = std::fs::remove_dir_all(&dir);
    let epub = Epub::open(&bytes);

    let manifest = epub.manifest();
    let images: Vec<_> = manifest
        .iter()
        .filter(|(_, href, media, _)| media.starts_with("image/") && href != "images/cover.jpg")
        .collect();
    // Three files, each once, though `sideways.jpg` is used twice (and is the artwork of
    // the generated cover, a file of its own).
    assert_eq!(images.len(), 3, "{images:?}");
    let base = epub.base();
    let mut seen = BTreeMap::new();
    for (_, href, media, _) in &images {
        let data = &epub.files[&format!("{base}{href}")];
        let sniffed = image::guess_format(data).expect("known format");
        assert_eq!(media, sniffed.to_mime_type(), "{href}");
        let decoded = image::load_from_memory(data).expect("decodes");
        seen.insert(decoded.width().max(decoded.height()), (sniffed, decoded));
    }
    // The sideways photo stands upright, red on top.
    let (_, upright) = &seen[&60];
    assert_eq!((upright.width(), upright.height()), (30, 60));
    let top = image::GenericImageView::get_pixel(upright, 15, 10);
    let bottom = image::GenericImageView::get_pixel(upright, 15, 50);
    assert!(top[0] > 200 && top[2] < 60, "top {top:?}");
    assert!(bottom[2] > 200 && bottom[0] < 60, "bottom {bottom:?}");
    // The CMYK JPEG is an RGB JPEG now, and still red.
    let (format, red) = &seen[&16];
    assert_eq!(*format, image::ImageFormat::Jpeg);
    assert_eq!(red.color(), image::ColorType::Rgb8);
    let pixel = image::GenericImageView::get_pixel(red, 8, 4);
    assert!(
        pixel[0] > 200 && pixel[1] < 60 && pixel[2] < 60,
        "{pixel:?}"
    );
    // The wide PNG (4.8 megapixels, 4800 px long) is 4096 px wide and still a PNG with its
    // transparency.
    let (format, banner) = &seen[&4096];
    assert_eq!(*format, image::ImageFormat::Png);
    assert_eq!((banner.width(), banner.height()), (4096, 853));
    assert!(banner.color().has_alpha());
}

#[test]
fn svg_images_are_stored_sanitised_and_shown_with_img() {
    let manuscript = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/manuscripts/svg-figures.md");
    let (bytes, _) = build(&manuscript, "svg-figures");
    let epub = Epub::open(&bytes);
    let manifest = epub.manifest();
    let svgs: Vec<_> = manifest
        .iter()
        .filter(|(_, _, media, _)| media == "image/svg+xml")
        .collect();
    // diagram.svg (figure and inline image: stored once) and hostile.svg; the cover is
    // typographic (a drawing is no cover artwork).
    assert_eq!(svgs.len(), 2, "{manifest:?}");
    assert!(
        manifest
            .iter()
            .any(|(_, href, _, properties)| href == "images/cover.jpg"
                && properties == "cover-image"),
        "a generated cover: {manifest:?}"
    );
    let base = epub.base();
    for (_, href, _, _) in &svgs {
        let text = String::from_utf8(epub.files[&format!("{base}{href}")].clone()).expect("UTF-8");
        let doc = parse(&text);
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg", "{href}");
        assert!(root.attribute("viewBox").is_some(), "scalable: {text}");
        for node in doc.descendants().filter(|n| n.is_element()) {
            let name = node.tag_name().name();
            assert!(
                !matches!(
                    name,
                    "script" | "foreignObject" | "image" | "use" | "a" | "text"
                ),
                "<{name}> in {href}"
            );
            for attribute in node.attributes() {
                assert!(
                    !attribute.name().starts_with("on") && attribute.name() != "href",
                    "{} on <{name}> in {href}",
                    attribute.name()
                );
            }
        }
        assert!(
            !text.contains("passwd") && !text.contains("example.com") && !text.contains("alert")
        );
    }
    let diagram =
        String::from_utf8(epub.files[&format!("{base}images/diagram.svg")].clone()).expect("UTF-8");
    // A band, two boxes, a line, its arrowhead and clip, and one outline path per label
    // ("Text" and "Book"): without the labels there would be six.
    assert_eq!(diagram.matches("<path").count(), 8, "{diagram}");
    let chapter = epub.text(&format!("{base}ch001.xhtml"));
    assert!(
        chapter.contains("<img src=\"images/diagram.svg\""),
        "{chapter}"
    );
}

#[test]
fn a_warning_about_an_image_names_where_it_is_first_used() {
    let dir = scratch_dir("epub", "located");
    let mut png = Vec::new();
    image::RgbImage::from_pixel(20, 10, image::Rgb([1, 2, 3]))
        .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("encode");
    std::fs::write(dir.join("pic.png"), &png).expect("write");
    let file = dir.join("a.md");
    std::fs::write(
        &file,
        "# Pictures\n\nText first.\n\n![A picture](pic.png)\n\nAgain ![the picture](pic.png).\n",
    )
    .expect("write manuscript");
    let mut diagnostics = Diagnostics::default();
    let mut book = load_book(&file, &LoadOptions::default(), &mut diagnostics).expect("loads");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(book.assets.len(), 1);
    // The file goes bad between loading and rendering: the EPUB keeps it as it is, and says
    // so at the image's first use (line 5), not at the second.
    book.assets[0].bytes.truncate(40);
    EpubRenderer::default()
        .render(&book, &mut diagnostics)
        .expect("EPUB renders");
    let warning = diagnostics
        .warnings
        .iter()
        .find(|w| w.message.contains("stored unchanged"))
        .unwrap_or_else(|| panic!("{:?}", diagnostics.warnings));
    let at = warning.at.as_ref().expect("located");
    assert_eq!(
        (at.file.as_path(), at.line, at.column),
        (file.as_path(), 5, 1)
    );
}

/// Text marked for small capitals (pandoc's class, another name for it, an inline style)
/// becomes one `span class="smallcaps"`, inside the language it also has; the stylesheet
/// sets that class in small capitals and running text in the book's figures (old-style
/// unless `book.toml` says lining), headings and tables in lining ones.
#[test]
fn small_caps_spans_and_figures_reach_the_stylesheet() {
    let (epub, _) = build_markdown(
        "smallcaps",
        "# One\n\nIn 1984 <span class=\"smallcaps\">Small Caps</span>, \
         <span style=\"font-variant: small-caps\">NASA</span> and \
         <span class=\"small-caps\" lang=\"fr\">Jeux</span>.\n",
    );
    let chapter = epub.text(&epub.chapter_paths()[0]);
    let doc = parse(&chapter);
    let spans: Vec<(String, Option<String>)> = doc
        .descendants()
        .filter(|n| n.has_tag_name((XHTML_NS, "span")) && n.attribute("class") == Some("smallcaps"))
        .map(|n| {
            let lang = n
                .parent_element()
                .filter(|p| p.has_tag_name((XHTML_NS, "span")))
                .and_then(|p| p.attribute((XML_NS, "lang")))
                .map(String::from);
            (all_text(n), lang)
        })
        .collect();
    assert_eq!(
        spans,
        vec![
            ("Small Caps".to_string(), None),
            ("NASA".to_string(), None),
            ("Jeux".to_string(), Some("fr".to_string())),
        ],
        "{chapter}"
    );
    let css_path = epub
        .manifest()
        .into_iter()
        .find(|(_, _, media, _)| media == "text/css")
        .map(|(_, href, _, _)| format!("{}{href}", epub.base()))
        .expect("a stylesheet");
    let css = epub.text(&css_path);
    for rule in [
        ".smallcaps { font-variant: small-caps; }",
        "table { font-variant-numeric: lining-nums tabular-nums; }",
        "body { font-variant-numeric: oldstyle-nums proportional-nums; }",
    ] {
        assert!(css.contains(rule), "{rule} in {css}");
    }
    assert!(css.contains("h1, h2, h3, h4, h5, h6, sup, sub { font-variant-numeric: lining-nums"));
}

/// Every page-break marker of an EPUB: (file, page label), in reading order.
fn page_markers(epub: &Epub) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let spine: Vec<String> = epub
        .spine_hrefs()
        .into_iter()
        .map(|h| format!("{}{h}", epub.base()))
        .collect();
    for path in &spine {
        let text = epub.text(path);
        let doc = parse(&text);
        for node in doc
            .descendants()
            .filter(|n| n.attribute((OPS_NS, "type")) == Some("pagebreak"))
        {
            assert_eq!(node.attribute("role"), Some("doc-pagebreak"));
            let id = node.attribute("id").expect("an id");
            let label = node.attribute("aria-label").expect("a label");
            assert_eq!(id, format!("page-{label}"));
            out.push((
                path.rsplit('/').next().unwrap_or("").to_string(),
                label.to_string(),
            ));
        }
    }
    out
}

#[test]
fn the_page_list_has_one_entry_per_page_of_the_pdf_where_its_text_begins() {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("book");
    let mut diagnostics = Diagnostics::default();
    let options = LoadOptions {
        source_date_epoch: Some(1_700_000_000),
        ..LoadOptions::default()
    };
    let book = load_book(&seed, &options, &mut diagnostics).expect("book loads");
    let pdf = presswork::pdf::PdfRenderer::default()
        .render(&book, &mut diagnostics)
        .expect("PDF renders");
    let pdf = lopdf::Document::load_mem(&pdf).expect("parses");
    let pages = pdf.get_pages().len();
    let epub = Epub::open(
        &EpubRenderer::default()
            .render(&book, &mut diagnostics)
            .expect("EPUB"),
    );

    // The nav's page list: 1, 2, … one entry per PDF page, each pointing at its marker.
    let nav = epub.text("OEBPS/nav.xhtml");
    let doc = parse(&nav);
    let list = doc
        .descendants()
        .find(|n| n.attribute((OPS_NS, "type")) == Some("page-list"))
        .expect("a page-list nav");
    let entries: Vec<(String, String)> = list
        .descendants()
        .filter(|n| n.has_tag_name((XHTML_NS, "a")))
        .map(|a| (a.attribute("href").unwrap_or("").to_string(), all_text(a)))
        .collect();
    let labels: Vec<String> = entries.iter().map(|(_, l)| l.clone()).collect();
    let expected: Vec<String> = (1..=pages).map(|n| n.to_string()).collect();
    assert_eq!(labels, expected);
    let markers = page_markers(&epub);
    assert_eq!(markers.len(), pages, "{markers:?}");
    for ((href, label), (file, marker)) in entries.iter().zip(&markers) {
        assert_eq!(href, &format!("{file}#page-{marker}"));
        assert_eq!(label, marker);
    }

    // Each marker stands before the words its page begins with in the PDF.
    for (index, (file, _)) in markers.iter().enumerate().skip(1) {
        let page = index + 1;
        let page_text = pdf
            .extract_text(&[page as u32])
            .expect("text")
            .split_whitespace()
            .map(str::to_string)
            .collect::<Vec<_>>();
        let chapter = epub.text(&format!("OEBPS/{file}"));
        let marker = format!("id=\"page-{page}\"");
        let after = &chapter[chapter.find(&marker).expect("marker")..];
        let words_after: Vec<String> = after
            .split('<')
            .filter_map(|part| part.split_once('>').map(|(_, text)| text))
            .collect::<String>()
            .split_whitespace()
            .take(4)
            .map(str::to_string)
            .collect();
        // The page's first words of text follow its running head (the first line). The
        // marker goes before a whole word, and a page may begin with the second half of
        // a hyphenated one: the words after it must be there.
        let joined = page_text.join(" ");
        let first = words_after[1..].join(" ");
        assert!(
            joined.contains(&first),
            "page {page} begins with {first:?}, which its PDF page does not hold: {joined}"
        );
    }
}

#[test]
fn the_kobo_edition_has_a_span_per_sentence_and_the_same_text() {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("book");
    let mut diagnostics = Diagnostics::default();
    let book = load_book(&seed, &LoadOptions::default(), &mut diagnostics).expect("loads");
    let plain = Epub::open(
        &EpubRenderer::default()
            .render(&book, &mut diagnostics)
            .expect("EPUB"),
    );
    let kobo = Epub::open(
        &presswork::epub::KepubRenderer::default()
            .render(&book, &mut diagnostics)
            .expect("Kobo EPUB"),
    );
    assert_eq!(
        presswork::epub::KepubRenderer::default().name(),
        "kepub.epub"
    );
    for path in plain.chapter_paths() {
        let (before, after) = (plain.text(&path), kobo.text(&path));
        let (before, after) = (parse(&before), parse(&after));
        // The same words, sentence by sentence in spans with unique ids.
        assert_eq!(
            all_text(before.root_element()),
            all_text(after.root_element())
        );
        let spans: Vec<roxmltree::Node> = after
            .descendants()
            .filter(|n| n.attribute("class") == Some("koboSpan"))
            .collect();
        let paragraphs = after
            .descendants()
            .filter(|n| n.has_tag_name((XHTML_NS, "p")))
            .count();
        assert!(spans.len() > paragraphs, "{path}: {} spans", spans.len());
        let mut ids: Vec<&str> = spans.iter().filter_map(|s| s.attribute("id")).collect();
        assert!(ids.iter().all(|id| id.starts_with("kobo.")));
        let count = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), count, "ids are unique");
    }
}

#[test]
fn store_metadata_carries_roles_filing_series_isbn_and_subject_codes() {
    let manuscript = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/manuscripts/metadata.md");
    let (bytes, _) = build(&manuscript, "metadata");
    let epub = Epub::open(&bytes);
    let opf = epub.opf();
    let doc = parse(&opf);
    // Each refinement, by the id it refines: property → value.
    let refinements = |id: &str| -> BTreeMap<String, String> {
        doc.descendants()
            .filter(|n| n.attribute("refines") == Some(&*format!("#{id}")))
            .map(|n| {
                (
                    n.attribute("property").unwrap_or("").to_string(),
                    all_text(n),
                )
            })
            .collect()
    };
    let element_id = |name: &str, text: &str| -> String {
        doc.descendants()
            .find(|n| n.tag_name().name() == name && all_text(*n) == text)
            .and_then(|n| n.attribute("id"))
            .unwrap_or_else(|| panic!("{name} {text}"))
            .to_string()
    };
    let jane = refinements(&element_id("creator", "Jane Doe"));
    assert_eq!(jane["role"], "aut");
    assert_eq!(jane["file-as"], "Doe, Jane");
    for (name, role, filed) in [
        ("Asha Rao", "edt", "Rao, Asha"),
        ("Pierre Martin", "trl", "Martin, Pierre"),
        ("Tom Baker", "pht", "Baker, Tom"),
        ("PTI", "ctb", ""),
    ] {
        let refined = refinements(&element_id("contributor", name));
        assert_eq!(refined["role"], role, "{name}");
        if !filed.is_empty() {
            assert_eq!(refined["file-as"], filed, "{name}");
        }
    }
    let series = refinements(&element_id("meta", "Newsroom Archives"));
    assert_eq!(series["collection-type"], "series");
    assert_eq!(series["group-position"], "3");
    let isbn = refinements(&element_id("identifier", "urn:isbn:9780306406157"));
    assert_eq!(isbn["identifier-type"], "15");
    let bisac = refinements(&element_id("subject", "POL011000"));
    assert_eq!(
        (bisac["authority"].as_str(), bisac["term"].as_str()),
        ("BISAC", "POL011000")
    );
    assert!(opf.contains("<dc:publisher>Small Press</dc:publisher>"));
}

#[test]
fn headings_never_skip_a_level() {
    let (epub, _) = build_markdown(
        "heading-order",
        "# Book\n\n## Chapter\n\n#### Deep at once\n\nText.\n\n###### Deeper\n\nText.\n\n\
         ### Back up\n\nText.\n\n## Next\n\nText.\n",
    );
    let mut seen = Vec::new();
    for path in epub.chapter_paths() {
        let text = epub.text(&path);
        let doc = parse(&text);
        let mut previous = 0;
        for heading in doc.descendants().filter(|n| {
            n.is_element() && n.tag_name().name().len() == 2 && n.tag_name().name().starts_with('h')
        }) {
            let level: u32 = heading.tag_name().name()[1..].parse().expect("a level");
            assert!(level <= previous + 1, "{path}: h{level} after h{previous}");
            previous = level;
            seen.push((all_text(heading), level));
        }
    }
    assert!(seen.contains(&("Deep at once".to_string(), 2)), "{seen:?}");
    assert!(seen.contains(&("Deeper".to_string(), 3)), "{seen:?}");
}

#[test]
fn the_epub_written_into_a_sink_is_the_rendered_one_and_a_full_sink_is_an_output_error() {
    let book = load_book(
        Path::new("book"),
        &LoadOptions {
            source_date_epoch: Some(1_700_000_000),
            ..LoadOptions::default()
        },
        &mut Diagnostics::default(),
    )
    .expect("book loads");
    books::assert_writes_what_it_renders(&EpubRenderer::default(), &book);
}
