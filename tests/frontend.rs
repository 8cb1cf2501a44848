//! The front end on real files: the seed book and small manuscripts written to temp folders.

use std::path::{Path, PathBuf};

use presswork::ir::{plain_text, Block, Book, Inline, LinkTarget};
use presswork::load::{load_book, LoadOptions};
use presswork::{Diagnostics, Error};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn temp_book(name: &str, files: &[(&str, &[u8])]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("presswork-fe-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, bytes) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, bytes).expect("write");
    }
    dir
}

fn load(path: &Path) -> Result<Book, Error> {
    load_book(path, &LoadOptions::default(), &mut Diagnostics::default())
}

fn titles(book: &Book) -> Vec<String> {
    book.chapters.iter().map(|c| c.title_text()).collect()
}

fn tiny_jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(40, 20, |x, y| image::Rgb([x as u8 * 6, y as u8 * 12, 90]));
    let mut buf = Vec::new();
    img.write_to(
        &mut std::io::Cursor::new(&mut buf),
        image::ImageFormat::Jpeg,
    )
    .expect("encode");
    buf
}

#[test]
fn seed_book_has_four_chapters_and_the_figure() {
    let book = load(&repo().join("book")).expect("seed loads");
    assert_eq!(
        titles(&book),
        [
            "Putin invites PM Modi to visit Russia in meeting with Jaishankar",
            "Putin’s praise for PM Modi",
            "India-Russia relations",
            "Jaishankar’s visit to Russia",
        ]
    );
    assert_eq!(book.meta.language, "en");
    assert_eq!(book.meta.source.as_deref(), Some("PTI"));
    assert_eq!(book.meta.subjects, ["World News"]);
    assert!(book.meta.authors.is_empty(), "no author is invented");
    let Some(Block::Figure(figure)) = book.chapters[0].blocks.first() else {
        panic!("the opening chapter starts with the figure");
    };
    assert_eq!(
        plain_text(&figure.caption),
        "Prime Minister Narendra Modi with Russian President Vladimir Putin"
    );
    assert_eq!(plain_text(&figure.credit), "Image Source: PTI");
    assert!(figure.alt.contains("stand-in"));
    let asset = &book.assets[figure.asset.0];
    assert!(asset.width >= 1600);
    assert_eq!(asset.format.media_type(), "image/jpeg");
}

#[test]
fn seed_book_keeps_every_sentence() {
    let book = load(&repo().join("book")).expect("seed loads");
    let mut text = String::new();
    for chapter in &book.chapters {
        presswork::ir::visit_inlines(&chapter.blocks, &mut |inl| {
            text.push_str(&plain_text(inl));
            text.push(' ');
        });
    }
    // A copy of shared/seed/article.txt, NBSPs included.
    let seed =
        std::fs::read_to_string(repo().join("tests/data/article.txt")).expect("seed article");
    let normalize = |s: &str| {
        s.replace('\u{a0}', " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let text = normalize(&text);
    let body: Vec<&str> = seed.split("\n\n").skip(2).collect();
    for para in body {
        let para = normalize(para);
        if para.starts_with("ALSO READ") || para == "Latest World News" || para.is_empty() {
            continue;
        }
        if titles(&book).contains(&para) {
            continue;
        }
        assert!(text.contains(&para), "missing: {para}");
    }
}

#[test]
fn several_h1_split_at_h1_and_markup_in_headings_is_kept() {
    let dir = temp_book(
        "h1",
        &[(
            "a.md",
            b"# One *emph* `code`\n\ntext\n\n## Sub\n\n# Two **bold**\n\nmore\n",
        )],
    );
    let book = load(&dir).expect("loads");
    assert_eq!(titles(&book), ["One emph code", "Two bold"]);
    assert!(matches!(book.chapters[0].title[1], Inline::Emphasis(_)));
    assert!(matches!(
        book.chapters[0].blocks[1],
        Block::Heading { level: 2, .. }
    ));
    assert_eq!(book.meta.title, "a", "no title anywhere: the file name");
}

#[test]
fn no_heading_gives_one_chapter_named_after_the_book() {
    let dir = temp_book(
        "noheading",
        &[(
            "story.md",
            b"+++\ntitle = \"Story\"\nlanguage = \"fr\"\n+++\nJust text.\n",
        )],
    );
    let book = load(&dir).expect("loads");
    assert_eq!(titles(&book), ["Story"]);
    assert_eq!(book.meta.language, "fr");
}

#[test]
fn figure_convention_separates_alt_caption_and_credit() {
    let dir = temp_book(
        "figure",
        &[
            (
                "book.md",
                b"# T\n\n![Alt words](pic.jpg)\n*A caption with **bold***\n\xE2\x80\x94 Photo: Someone\n\n![Only alt](pic.jpg \"Title caption\")\n\nText ![inline](pic.jpg) here.\n",
            ),
            ("pic.jpg", &tiny_jpeg()),
        ],
    );
    let book = load(&dir).expect("loads");
    let blocks = &book.chapters[0].blocks;
    let Block::Figure(first) = &blocks[0] else {
        panic!("figure expected: {blocks:?}")
    };
    assert_eq!(first.alt, "Alt words");
    assert_eq!(plain_text(&first.caption), "A caption with bold");
    assert_eq!(plain_text(&first.credit), "Photo: Someone");
    let Block::Figure(second) = &blocks[1] else {
        panic!("figure expected")
    };
    assert_eq!(plain_text(&second.caption), "Title caption");
    assert!(second.credit.is_empty());
    assert_eq!(first.asset, second.asset, "one image stored once");
    assert_eq!(book.assets.len(), 1);
    assert!(
        matches!(&blocks[2], Block::Paragraph(p) if p.iter().any(|i| matches!(i, Inline::Image { .. })))
    );
    assert_ne!(first.id, second.id);
}

#[test]
fn footnotes_are_numbered_book_wide_and_placed_where_first_cited() {
    let dir = temp_book(
        "notes",
        &[("n.md", b"# A\n\nOne[^x] two[^y].\n\n# B\n\nAgain[^x] and [^z].\n\n[^x]: Note x.\n[^y]: Note y.\n[^z]: Note z.\n")],
    );
    let book = load(&dir).expect("loads");
    let a: Vec<u32> = book.chapters[0]
        .footnotes
        .iter()
        .map(|f| f.number)
        .collect();
    let b: Vec<u32> = book.chapters[1]
        .footnotes
        .iter()
        .map(|f| f.number)
        .collect();
    assert_eq!(a, [1, 2]);
    assert_eq!(b, [3]);
}

#[test]
fn internal_links_resolve_to_anchors() {
    let dir = temp_book(
        "links",
        &[("l.md", b"# A\n\nSee [b](#b-part) and [gone](#nowhere) and [web](https://example.org).\n\n# B part\n")],
    );
    let mut diagnostics = Diagnostics::default();
    let book = load_book(&dir, &LoadOptions::default(), &mut diagnostics).expect("loads");
    let Block::Paragraph(p) = &book.chapters[0].blocks[0] else {
        panic!()
    };
    let targets: Vec<&LinkTarget> = p
        .iter()
        .filter_map(|i| match i {
            Inline::Link { target, .. } => Some(target),
            _ => None,
        })
        .collect();
    assert_eq!(
        targets,
        [
            &LinkTarget::Internal("b-part".into()),
            &LinkTarget::External("https://example.org/".into())
        ]
    );
    assert_eq!(book.anchors.get("b-part"), Some(&1));
    assert!(diagnostics
        .warnings
        .iter()
        .any(|w| w.to_string().contains("#nowhere")));
}

#[test]
fn missing_image_names_file_and_line() {
    let dir = temp_book("missing", &[("m.md", b"# T\n\nText.\n\n![x](nope.jpg)\n")]);
    let err = load(&dir).expect_err("must fail").to_string();
    assert!(err.contains("m.md:5:1"), "{err}");
    assert!(
        err.contains("nope.jpg") && err.contains("not found"),
        "{err}"
    );
}

#[test]
fn paths_outside_the_book_are_refused() {
    let outside = temp_book("outside-target", &[("secret.jpg", &tiny_jpeg())]);
    let reference = format!(
        "![x](../{}/secret.jpg)\n",
        outside.file_name().expect("name").to_string_lossy()
    );
    let dir = temp_book("escape", &[("e.md", reference.as_bytes())]);
    let err = load(&dir).expect_err("must fail").to_string();
    assert!(err.contains("outside the allowed folders"), "{err}");
    for bad in [
        "![x](/etc/passwd)",
        "![x](file:///etc/passwd)",
        "![x](https://example.org/a.jpg)",
    ] {
        let dir = temp_book("bad", &[("b.md", bad.as_bytes())]);
        let err = load(&dir).expect_err("must fail").to_string();
        assert!(err.contains("b.md:1:1"), "{err}");
    }
}

#[test]
fn invalid_utf8_reports_the_byte_offset() {
    let dir = temp_book("utf8", &[("u.md", b"# T\n\nabc\xff\n")]);
    let err = load(&dir).expect_err("must fail").to_string();
    assert!(err.contains("byte 8"), "{err}");
}

#[test]
fn empty_manuscript_is_an_error() {
    let dir = temp_book("empty", &[("e.md", b"  \n\n")]);
    assert!(load(&dir)
        .expect_err("must fail")
        .to_string()
        .contains("empty"));
}

// ---- Real manuscripts: YAML front matter, `%` title blocks, mdBook projects, file order ----

fn load_with_diagnostics(path: &Path) -> (Result<Book, Error>, Diagnostics) {
    let mut diagnostics = Diagnostics::default();
    let result = load_book(path, &LoadOptions::default(), &mut diagnostics);
    (result, diagnostics)
}

/// `(level, text)` of the headings inside a chapter.
fn headings(blocks: &[Block]) -> Vec<(u8, String)> {
    blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level, content, .. } => Some((*level, plain_text(content))),
            _ => None,
        })
        .collect()
}

/// The error's location and message (`Config`, or `Invalid` for a file that does not read),
/// or a panic naming what came instead.
fn config_error(result: Result<Book, Error>) -> (PathBuf, Option<usize>, String) {
    match result {
        Err(Error::Config {
            path,
            line,
            message,
        }) => (path, line, message),
        // A file that does not read as the schema: located to the column, in plain words.
        Err(Error::Invalid(diagnostic)) => match diagnostic.at {
            Some(at) => (at.file, Some(at.line), diagnostic.message),
            None => panic!("an unlocated error: {}", diagnostic.message),
        },
        Err(other) => panic!("expected a configuration error, got {other}"),
        Ok(book) => panic!(
            "expected a configuration error, got a book {:?}",
            titles(&book)
        ),
    }
}

#[test]
fn yaml_front_matter_is_metadata_not_a_chapter() {
    let (book, diagnostics) =
        load_with_diagnostics(&repo().join("tests/manuscripts/yaml-front-matter.md"));
    let book = book.expect("loads");
    let meta = &book.meta;
    assert_eq!(meta.title, "Front Matter: A Test Manuscript");
    assert_eq!(
        meta.subtitle.as_deref(),
        Some("Metadata the way pandoc and Jekyll write it")
    );
    assert_eq!(meta.authors, ["Ann Author", "Bob Writer"]);
    assert_eq!(meta.language, "en-GB");
    assert_eq!(meta.date.as_deref(), Some("2024-05-17"));
    assert_eq!(
        meta.description.as_deref(),
        Some("A short manuscript whose YAML front matter carries its metadata.")
    );
    assert_eq!(meta.publisher.as_deref(), Some("Presswork Test Press"));
    assert_eq!(meta.rights.as_deref(), Some("CC BY 4.0"));
    assert_eq!(meta.subjects, ["metadata", "YAML", "front matter"]);
    assert_eq!(titles(&book), ["Opening", "Second Chapter"]);
    assert!(
        matches!(book.chapters[0].blocks.first(), Some(Block::Paragraph(_))),
        "the YAML block left no thematic break behind"
    );
    assert!(
        book.chapters[0]
            .blocks
            .iter()
            .any(|b| matches!(b, Block::ThematicBreak)),
        "the body's own `---` stays"
    );
    let ignored: Vec<String> = diagnostics
        .warnings
        .iter()
        .map(ToString::to_string)
        .filter(|w| w.contains("ignored"))
        .collect();
    assert_eq!(ignored.len(), 1, "{ignored:?}");
    assert!(
        ignored[0].contains("yaml-front-matter.md:15:1:")
            && ignored[0].contains("`toc`, `geometry`"),
        "{}",
        ignored[0]
    );
}

#[test]
fn pandoc_manual_takes_its_metadata_from_the_yaml_block() {
    let manual = repo().join("../shared/corpus/public/pandoc-manual.md");
    let book = load(&manual).expect("the pandoc manual loads");
    assert_eq!(book.meta.title, "Pandoc User's Guide");
    assert_eq!(book.meta.authors, ["John MacFarlane"]);
    assert_eq!(book.meta.date.as_deref(), Some("2026-08-11"));
    assert_eq!(book.chapters[0].title_text(), "Synopsis");
    assert!(
        book.chapters
            .iter()
            .all(|c| !c.title_text().contains("title:")),
        "no chapter made of the YAML keys"
    );
    assert!(!matches!(
        book.chapters[0].blocks.first(),
        Some(Block::ThematicBreak)
    ));
}

#[test]
fn malformed_yaml_front_matter_is_an_error_at_its_line_in_the_file() {
    let dir = temp_book(
        "yaml-bad",
        &[(
            "a.md",
            b"---\ntitle: Fine\nauthor: Ann\ndate: [2024\nlang: en\n---\n\n# One\n",
        )],
    );
    let (path, line, message) = config_error(load(&dir));
    assert_eq!(path, dir.join("a.md"));
    // The flow sequence opened on line 4 is broken by line 5; either line is the problem.
    assert!(matches!(line, Some(4..=6)), "{line:?}: {message}");
    assert!(message.starts_with("YAML front matter"), "{message}");
    let shown = Error::Config {
        path,
        line,
        message,
    }
    .to_string();
    assert!(
        shown.contains(&format!("a.md:{}:", line.unwrap_or(0))),
        "{shown}"
    );

    let dir = temp_book(
        "yaml-type",
        &[(
            "a.md",
            b"---\ntitle: T\nlang:\n  - en\n  - fr\n---\n# One\n",
        )],
    );
    let (_, line, message) = config_error(load(&dir));
    assert_eq!(line, Some(4));
    assert_eq!(message, "YAML front matter: `lang` must be text");
}

#[test]
fn unclosed_or_blank_followed_dashes_stay_markdown() {
    let dir = temp_book(
        "yaml-open",
        &[("a.md", b"---\ntitle: never closed\n\n# One\n\nText.\n")],
    );
    let book = load(&dir).expect("loads");
    assert!(matches!(
        book.chapters[0].blocks.first(),
        Some(Block::ThematicBreak)
    ));
    assert!(
        book.chapters[0].blocks.iter().any(
            |b| matches!(b, Block::Paragraph(text) if plain_text(text) == "title: never closed")
        ),
        "the would-be YAML stays text"
    );
    assert!(book.meta.title != "never closed");
    let dir = temp_book(
        "yaml-setext",
        &[("a.md", b"---\nJust a heading\n---\n\nText.\n")],
    );
    let book = load(&dir).expect("loads");
    // A thematic break (in an opening chapter named after the file), then a setext heading.
    assert_eq!(titles(&book), ["a", "Just a heading"]);
    assert!(matches!(
        book.chapters[0].blocks.as_slice(),
        [Block::ThematicBreak]
    ));
}

#[test]
fn pandoc_title_block_is_metadata() {
    let dir = temp_book(
        "percent",
        &[(
            "a.md",
            "% The Title\n  Goes On\n% Ann Author; Bob Writer\n% 2024-01-31\n\n# One\n\nText.\n"
                .as_bytes(),
        )],
    );
    let book = load(&dir).expect("loads");
    assert_eq!(book.meta.title, "The Title Goes On");
    assert_eq!(book.meta.authors, ["Ann Author", "Bob Writer"]);
    assert_eq!(book.meta.date.as_deref(), Some("2024-01-31"));
    assert_eq!(titles(&book), ["One"]);
    assert!(!plain_text(&book.chapters[0].title).contains('%'));
}

#[test]
fn mdbook_project_is_read_in_summary_order_with_parts_and_nesting() {
    let (book, diagnostics) = load_with_diagnostics(&repo().join("tests/books/mdbook"));
    let book = book.expect("the mdBook fixture loads");
    assert_eq!(book.meta.title, "The Fixture Handbook");
    assert_eq!(book.meta.authors, ["Ann Author", "Bob Writer"]);
    assert_eq!(
        book.meta.description.as_deref(),
        Some("An mdBook-shaped book for presswork's tests.")
    );
    assert_eq!(
        titles(&book),
        [
            "Preface",
            "Part One: Getting Started",
            "Installation",
            "Configuration",
            "Part Two: Reference",
            "Commands",
            "Afterword",
        ],
        "SUMMARY order; the draft and the unlisted file are left out"
    );
    assert!(book.chapters[1].blocks.is_empty(), "a part is its title");
    assert_eq!(
        headings(&book.chapters[2].blocks),
        [
            (2, "Requirements".to_string()),
            (2, "On Linux".to_string()),
            (3, "Debian and Ubuntu".to_string()),
            (3, "From Source".to_string()),
            (2, "On macOS".to_string()),
        ],
        "sub-chapters are moved down by their depth; a file without a heading gets its summary title"
    );
    let drafts: Vec<String> = diagnostics
        .warnings
        .iter()
        .map(ToString::to_string)
        .filter(|w| w.contains("draft"))
        .collect();
    assert_eq!(drafts.len(), 1, "{drafts:?}");
    assert!(
        drafts[0].contains("src/SUMMARY.md:12:3: draft chapter `Unwritten Chapter` skipped"),
        "{}",
        drafts[0]
    );
    assert!(
        !diagnostics.mentions("requirements"),
        "the link from a sub-chapter to its parent's section resolves: {diagnostics:?}"
    );
}

/// `(depth, text)` of every `<a>` in the EPUB's toc nav.
fn epub_toc(epub: &[u8]) -> Vec<(usize, String)> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(epub)).expect("a zip");
    let mut nav = String::new();
    archive
        .by_name("OEBPS/nav.xhtml")
        .expect("nav")
        .read_to_string(&mut nav)
        .expect("utf-8");
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(&nav, options).expect("nav parses");
    let toc = doc
        .descendants()
        .find(|n| n.has_tag_name("nav") && n.attribute("id") == Some("toc"))
        .expect("toc nav");
    toc.descendants()
        .filter(|n| n.has_tag_name("a"))
        .map(|a| {
            let depth = a.ancestors().filter(|n| n.has_tag_name("ol")).count();
            let text: String = a
                .descendants()
                .filter(|n| n.is_text())
                .filter_map(|n| n.text())
                .collect();
            (depth, text)
        })
        .collect()
}

/// `(depth, title)` of every PDF bookmark, depth first.
fn pdf_outline(pdf: &[u8]) -> Vec<(usize, String)> {
    let doc = lopdf::Document::load_mem(pdf).expect("PDF parses");
    let catalog = doc.catalog().expect("catalog");
    let root = catalog
        .get(b"Outlines")
        .and_then(lopdf::Object::as_reference)
        .expect("outlines");
    let first = |id| {
        doc.get_dictionary(id)
            .ok()
            .and_then(|d| d.get(b"First").ok())
            .and_then(|o| o.as_reference().ok())
    };
    let mut out = Vec::new();
    let mut stack = vec![(first(root), 1)];
    while let Some((next, depth)) = stack.pop() {
        let Some(id) = next else { continue };
        let item = doc.get_dictionary(id).expect("outline item");
        let title = item
            .get(b"Title")
            .and_then(lopdf::Object::as_str)
            .expect("title");
        let title = match title.strip_prefix(&[0xFE, 0xFF]) {
            Some(utf16) => String::from_utf16_lossy(
                &utf16
                    .chunks(2)
                    .map(|c| u16::from_be_bytes([c[0], c.get(1).copied().unwrap_or(0)]))
                    .collect::<Vec<_>>(),
            ),
            None => String::from_utf8_lossy(title).into_owned(),
        };
        out.push((depth, title));
        let sibling = item.get(b"Next").ok().and_then(|o| o.as_reference().ok());
        stack.push((sibling, depth));
        stack.push((first(id), depth + 1));
    }
    out
}

#[test]
fn mdbook_nesting_shows_in_epub_nav_and_pdf_bookmarks() {
    use presswork::Renderer;
    let mut diagnostics = Diagnostics::default();
    let book = load_book(
        &repo().join("tests/books/mdbook"),
        &LoadOptions::default(),
        &mut diagnostics,
    )
    .expect("loads");
    let epub = presswork::epub::EpubRenderer::default()
        .render(&book, &mut diagnostics)
        .expect("EPUB renders");
    let pdf = presswork::pdf::PdfRenderer {
        options: presswork::pdf::PdfOptions::default(),
    }
    .render(&book, &mut diagnostics)
    .expect("PDF renders");
    let expected: Vec<(usize, String)> = [
        (1, "Preface"),
        (1, "Part One: Getting Started"),
        (1, "Installation"),
        (2, "Requirements"),
        (2, "On Linux"),
        (3, "Debian and Ubuntu"),
        (3, "From Source"),
        (2, "On macOS"),
        (1, "Configuration"),
        (1, "Part Two: Reference"),
        (1, "Commands"),
        (1, "Afterword"),
    ]
    .iter()
    .map(|(d, t)| (*d, t.to_string()))
    .collect();
    assert_eq!(epub_toc(&epub), expected, "EPUB nav");
    assert_eq!(pdf_outline(&pdf), expected, "PDF bookmarks");
}

#[test]
fn summary_entries_that_cannot_be_read_are_errors_at_their_line() {
    let book_toml: &[u8] = b"[book]\ntitle = \"T\"\nlanguage = \"en\"\n";
    let dir = temp_book(
        "summary-missing",
        &[
            ("book.toml", book_toml),
            (
                "src/SUMMARY.md",
                b"# Summary\n\n- [One](one.md)\n- [Gone](gone.md)\n",
            ),
            ("src/one.md", b"# One\n\nText.\n"),
        ],
    );
    let (path, line, message) = config_error(load(&dir));
    assert_eq!(path, dir.join("src/SUMMARY.md"));
    assert_eq!(line, Some(4));
    assert!(
        message.starts_with("chapter `Gone`: file `gone.md` not found"),
        "{message}"
    );

    let dir = temp_book(
        "summary-escape",
        &[
            ("book/book.toml", book_toml),
            (
                "book/src/SUMMARY.md",
                b"- [One](one.md)\n\n  - [Out](../../secret.md)\n",
            ),
            ("book/src/one.md", b"# One\n\nText.\n"),
            ("secret.md", b"# Secret\n"),
        ],
    );
    let (path, line, message) = config_error(load(&dir.join("book")));
    assert_eq!((path, line), (dir.join("book/src/SUMMARY.md"), Some(3)));
    assert!(message.contains("outside the book folder"), "{message}");
}

#[test]
fn build_manuscript_list_wins_over_summary_and_src_is_configurable() {
    let dir = temp_book(
        "summary-src",
        &[
            ("book.toml", b"[book]\ntitle = \"T\"\nsrc = \"chapters\"\n"),
            ("chapters/SUMMARY.md", b"- [B](b.md)\n- [A](a.md)\n"),
            ("chapters/a.md", b"# A\n"),
            ("chapters/b.md", b"# B\n"),
        ],
    );
    assert_eq!(titles(&load(&dir).expect("loads")), ["B", "A"]);
    std::fs::write(
        dir.join("book.toml"),
        "[book]\ntitle = \"T\"\nsrc = \"chapters\"\n[build]\nmanuscript = [\"chapters/a.md\"]\n",
    )
    .expect("write");
    assert_eq!(titles(&load(&dir).expect("loads")), ["A"]);
}

#[test]
fn files_are_read_in_natural_order_through_sub_folders() {
    let dir = temp_book(
        "natural",
        &[
            ("README.md", b"# Not a chapter\n"),
            ("ch10.md", b"# Ten\n"),
            ("ch2.md", b"# Two\n"),
            ("Ch1.md", b"# One\n"),
            ("ch3/README.md", b"# Three intro\n"),
            ("ch3/part-b.md", b"# Three B\n"),
            ("ch3/Part-a.md", b"# Three A\n"),
            (".obsidian/notes.md", b"# Hidden\n"),
            (".draft.md", b"# Hidden draft\n"),
            ("notes.txt", b"# Not Markdown\n"),
        ],
    );
    assert_eq!(
        titles(&load(&dir).expect("loads")),
        ["One", "Two", "Three A", "Three B", "Three intro", "Ten"]
    );
}

#[cfg(unix)]
#[test]
fn symlinks_do_not_lead_out_of_the_book_folder() {
    let dir = temp_book(
        "links",
        &[("book/a.md", b"# A\n"), ("outside/b.md", b"# Outside\n")],
    );
    let book = dir.join("book");
    std::os::unix::fs::symlink(dir.join("outside"), book.join("linked-folder")).expect("link");
    assert_eq!(
        titles(&load(&book).expect("loads")),
        ["A"],
        "folder links are not followed"
    );
    std::os::unix::fs::symlink(dir.join("outside/b.md"), book.join("b.md")).expect("link");
    match load(&book) {
        Err(Error::Manuscript { path, message }) => {
            assert_eq!(path, book.join("b.md"));
            assert!(message.contains("outside the book folder"), "{message}");
        }
        other => panic!("{:?}", other.map(|b| titles(&b))),
    }
}

#[test]
fn a_bad_value_is_blamed_on_the_file_and_line_it_is_written_in() {
    let dir = temp_book(
        "blame-toml",
        &[
            (
                "book.toml",
                b"# settings\n[book]\ntitle = \"T\"\nlanguage = \"C\"\n",
            ),
            ("a.md", b"# One\n"),
        ],
    );
    let (path, line, message) = config_error(load(&dir));
    assert_eq!((path, line), (dir.join("book.toml"), Some(4)));
    assert_eq!(
        message,
        "language `C` is not a BCP 47 tag such as `en` or `pt-BR`"
    );

    let dir = temp_book(
        "blame-front",
        &[
            ("book.toml", b"[book]\ntitle = \"T\"\n"),
            ("a.md", b"# One\n"),
            ("b.md", b"---\ntitle: B\nlang: POSIX\n---\n# Two\n"),
        ],
    );
    let (path, line, _) = config_error(load(&dir));
    assert_eq!((path, line), (dir.join("b.md"), Some(3)));

    let dir = temp_book(
        "blame-typo",
        &[
            (
                "book.toml",
                b"[book]\ntitle = \"T\"\n\n[build]\nsplit-levle = 2\n",
            ),
            ("a.md", b"# One\n"),
        ],
    );
    let (path, line, message) = config_error(load(&dir));
    assert_eq!((path, line), (dir.join("book.toml"), Some(5)));
    assert!(message.contains("split-levle"), "{message}");
}
