//! IR → XHTML content documents, one per chapter.
//!
//! Everything here builds strings: the markup is small and fixed, so a template engine or DOM
//! would add weight without safety. Safety comes from two rules instead: every piece of text
//! goes through [`xml::text`]/[`xml::attr`], and [`super::fixup::check_well_formed`] parses each
//! finished document before it is packaged.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::xml;
use crate::ir::{Alignment, Block, Book, Figure, Inline, LinkTarget, List, Table, TextStyle};
use crate::Diagnostics;

/// Columns past which a table sets smaller type, so that a phone's width holds them.
const MANY_COLUMNS: usize = 6;

/// Letters past which a word in a table cell may break anywhere (no phone column holds it).
const LONG_WORD_LETTERS: usize = 30;
/// File name of chapter `index` inside the EPUB. Index-based rather than slug-based so names
/// stay ASCII (EPUBCheck and some readers dislike non-ASCII file names) and never collide.
pub fn chapter_file(index: usize) -> String {
    format!("ch{:03}.xhtml", index + 1)
}

/// Path of an image inside the EPUB, relative to the content documents.
pub fn image_href(name: &str) -> String {
    format!("images/{name}")
}

/// Writing direction of a document or block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Left to right.
    Ltr,
    /// Right to left.
    Rtl,
}

impl Direction {
    /// The direction a language is written in, from its BCP 47 primary subtag.
    pub fn of_language(lang: &str) -> Direction {
        let primary = lang.split('-').next().unwrap_or("").to_ascii_lowercase();
        match primary.as_str() {
            "ar" | "he" | "fa" | "ur" | "yi" | "ps" | "sd" | "ug" | "dv" | "ckb" | "syr" => {
                Direction::Rtl
            }
            _ => Direction::Ltr,
        }
    }

    /// The direction of the first strongly directional character, if any: what a reader needs
    /// to lay out a Hebrew paragraph inside an English book (and vice versa).
    pub fn of_text(text: &str) -> Option<Direction> {
        text.chars().find_map(|c| {
            let rtl = matches!(c,
                '\u{0590}'..='\u{08FF}' | '\u{FB1D}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}'
                | '\u{10800}'..='\u{10FFF}' | '\u{1E800}'..='\u{1EFFF}');
            if rtl {
                Some(Direction::Rtl)
            } else if c.is_alphabetic() {
                Some(Direction::Ltr)
            } else {
                None
            }
        })
    }

    fn as_str(self) -> &'static str {
        match self {
            Direction::Ltr => "ltr",
            Direction::Rtl => "rtl",
        }
    }
}

/// A complete XHTML5 content document around `body` (which must already be markup).
pub fn document(lang: &str, title: &str, body_type: Option<&str>, body: &str) -> String {
    let dir = match Direction::of_language(lang) {
        Direction::Rtl => " dir=\"rtl\"",
        Direction::Ltr => "",
    };
    let body_type = body_type
        .map(|t| format!(" epub:type=\"{}\"", xml::attr(t)))
        .unwrap_or_default();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n\
         <html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" \
         lang=\"{lang}\" xml:lang=\"{lang}\"{dir}>\n<head>\n<meta charset=\"utf-8\"/>\n\
         <title>{title}</title>\n\
         <link rel=\"stylesheet\" type=\"text/css\" href=\"stylesheet.css\"/>\n</head>\n\
         <body{body_type}>\n{body}</body>\n</html>\n",
        lang = xml::attr(lang),
        title = xml::text(title),
    )
}

/// Renders the chapters of one book; holds what links and footnotes need across chapters.
pub struct ChapterWriter<'a> {
    book: &'a Book,
    direction: Direction,
    /// Footnote id → index of the chapter that holds the note.
    note_home: BTreeMap<&'a str, usize>,
    /// Footnote id → (file, id) of its first reference: where the back-link goes.
    first_ref: BTreeMap<String, (usize, String)>,
    /// Footnote id → how many references have been written so far.
    ref_count: BTreeMap<String, u32>,
    current: usize,
    in_link: bool,
    /// Where the pages of the print edition begin in the chapters' text.
    markers: super::page_list::Markers,
    /// The level of the last heading written in the current chapter (1: its title).
    heading_level: u8,
}

impl<'a> ChapterWriter<'a> {
    /// Prepare to render `book`.
    pub fn new(book: &'a Book) -> Self {
        let mut note_home = BTreeMap::new();
        for (index, chapter) in book.chapters.iter().enumerate() {
            for note in &chapter.footnotes {
                note_home.insert(note.id.as_str(), index);
            }
        }
        ChapterWriter {
            book,
            direction: Direction::of_language(&book.meta.language),
            note_home,
            first_ref: BTreeMap::new(),
            ref_count: BTreeMap::new(),
            current: 0,
            in_link: false,
            markers: super::page_list::Markers::default(),
            heading_level: 1,
        }
    }

    /// Mark where the pages of the print edition begin (see [`super::page_list`]).
    pub fn with_page_markers(mut self, markers: super::page_list::Markers) -> Self {
        self.markers = markers;
        self
    }

    /// The XHTML document for chapter `index`. Chapters must be rendered in order, so that
    /// footnote back-links point at the first reference.
    pub fn chapter(&mut self, index: usize, diagnostics: &mut Diagnostics) -> String {
        let book = self.book;
        let Some(chapter) = book.chapters.get(index) else {
            return String::new();
        };
        self.current = index;
        self.heading_level = 1;
        let mut body = String::new();
        body.push_str("<section epub:type=\"chapter\" role=\"doc-chapter\">\n");
        // A page that opens with the chapter's title: its marker goes before the title.
        for (_, number) in self.markers.text.get(&(index, None)).into_iter().flatten() {
            body.push_str(&super::page_list::marker(*number));
        }
        let _ = write!(body, "<h1 id=\"{}\"", xml::attr(&chapter.id));
        self.push_dir(&mut body, &crate::ir::plain_text(&chapter.title));
        body.push('>');
        self.inlines(&mut body, &chapter.title, diagnostics);
        body.push_str("</h1>\n");
        for (block_index, block) in chapter.blocks.iter().enumerate() {
            let marks = self
                .markers
                .text
                .get(&(index, Some(block_index)))
                .cloned()
                .unwrap_or_default();
            if marks.is_empty() {
                self.block(&mut body, block, diagnostics);
                continue;
            }
            let mut html = String::new();
            self.block(&mut html, block, diagnostics);
            for (word, number) in marks {
                let marker = super::page_list::marker(number);
                if word == 0 {
                    body.push_str(&marker);
                } else {
                    html = super::page_list::insert_at_word(&html, word, &marker);
                }
            }
            body.push_str(&html);
        }
        if !chapter.footnotes.is_empty() {
            body.push_str("<hr class=\"footnote-rule\"/>\n");
        }
        for note in &chapter.footnotes {
            let _ = writeln!(
                body,
                "<aside epub:type=\"footnote\" role=\"doc-footnote\" class=\"footnote\" id=\"{}\">",
                xml::attr(&note.id)
            );
            // The back-link opens the note: Kobo and Kindle pop-ups show the note's first
            // paragraph, and a number there tells the reader which note they are reading.
            let label = match self.first_ref.get(&note.id) {
                Some((file, ref_id)) => format!(
                    "<a class=\"footnote-back\" role=\"doc-backlink\" href=\"{}\">{}.</a> ",
                    xml::attr(&self.href_to(*file, ref_id)),
                    note.number
                ),
                None => format!("<span class=\"footnote-number\">{}.</span> ", note.number),
            };
            self.blocks_with_prefix(&mut body, &note.blocks, &label, diagnostics);
            body.push_str("</aside>\n");
        }
        body.push_str("</section>\n");
        let mut title = chapter.title_text();
        if title.trim().is_empty() {
            title = book.meta.title.clone();
        }
        document(&book.meta.language, &title, Some("bodymatter"), &body)
    }

    fn href_to(&self, chapter: usize, fragment: &str) -> String {
        if chapter == self.current {
            format!("#{fragment}")
        } else {
            format!("{}#{fragment}", chapter_file(chapter))
        }
    }

    /// Add `dir` when a block's own script runs against the book's direction.
    fn push_dir(&self, out: &mut String, text: &str) {
        if let Some(dir) = Direction::of_text(text) {
            if dir != self.direction {
                let _ = write!(out, " dir=\"{}\"", dir.as_str());
            }
        }
    }

    fn blocks(&mut self, out: &mut String, blocks: &[Block], diagnostics: &mut Diagnostics) {
        for block in blocks {
            self.block(out, block, diagnostics);
        }
    }

    /// Render blocks with `prefix` (markup) at the start of the first paragraph, or in a
    /// paragraph of its own when the blocks do not start with one.
    fn blocks_with_prefix(
        &mut self,
        out: &mut String,
        blocks: &[Block],
        prefix: &str,
        diagnostics: &mut Diagnostics,
    ) {
        match blocks.split_first() {
            Some((Block::Paragraph(inlines), rest)) => {
                self.paragraph(out, inlines, prefix, diagnostics);
                self.blocks(out, rest, diagnostics);
            }
            _ => {
                let _ = writeln!(out, "<p>{}</p>", prefix.trim_end());
                self.blocks(out, blocks, diagnostics);
            }
        }
    }

    fn paragraph(
        &mut self,
        out: &mut String,
        inlines: &[Inline],
        prefix: &str,
        diagnostics: &mut Diagnostics,
    ) {
        out.push_str("<p");
        self.push_dir(out, &crate::ir::plain_text(inlines));
        out.push('>');
        out.push_str(prefix);
        self.inlines(out, inlines, diagnostics);
        out.push_str("</p>\n");
    }

    fn block(&mut self, out: &mut String, block: &Block, diagnostics: &mut Diagnostics) {
        match block {
            Block::Paragraph(inlines) => {
                if !inlines.is_empty() {
                    self.paragraph(out, inlines, "", diagnostics);
                }
            }
            Block::Heading { level, id, content } => {
                // The chapter title is the document's h1; deeper headings keep their level,
                // but never skip one (an h4 straight after the h1 is written h2): screen
                // readers navigate by level, and a gap reads as a missing section.
                let level = (*level).clamp(1, 6).min(self.heading_level + 1);
                self.heading_level = level;
                let _ = write!(out, "<h{level} id=\"{}\"", xml::attr(id));
                self.push_dir(out, &crate::ir::plain_text(content));
                out.push('>');
                self.inlines(out, content, diagnostics);
                let _ = writeln!(out, "</h{level}>");
            }
            Block::Figure(figure) => self.figure(out, figure, diagnostics),
            Block::List(list) => self.list(out, list, diagnostics),
            Block::BlockQuote(inner) => {
                out.push_str("<blockquote>\n");
                self.blocks(out, inner, diagnostics);
                out.push_str("</blockquote>\n");
            }
            Block::CodeBlock { language, code } => {
                out.push_str("<pre class=\"code\"><code");
                if let Some(class) = language.as_deref().and_then(language_class) {
                    let _ = write!(out, " class=\"language-{}\"", xml::attr(&class));
                }
                out.push('>');
                out.push_str(&xml::text(code));
                out.push_str("</code></pre>\n");
            }
            Block::Table(table) => self.table(out, table, diagnostics),
            Block::ThematicBreak => out.push_str("<hr/>\n"),
        }
    }

    fn figure(&mut self, out: &mut String, figure: &Figure, diagnostics: &mut Diagnostics) {
        let _ = writeln!(
            out,
            "<figure id=\"{}\" class=\"figure\">",
            xml::attr(&figure.id)
        );
        match self.book.assets.get(figure.asset.0) {
            Some(asset) => {
                let _ = writeln!(
                    out,
                    "<img src=\"{}\" alt=\"{}\"/>",
                    xml::attr(&image_href(&asset.name)),
                    xml::attr(&figure.alt)
                );
            }
            None => diagnostics.warn(format!(
                "figure `{}` refers to a missing image; only its caption is kept",
                figure.id
            )),
        }
        if !figure.caption.is_empty() || !figure.credit.is_empty() {
            out.push_str("<figcaption>");
            if !figure.caption.is_empty() {
                out.push_str("<span class=\"caption\">");
                self.inlines(out, &figure.caption, diagnostics);
                out.push_str("</span>");
            }
            if !figure.credit.is_empty() {
                // Separate markup, not merged into the caption: readers and CSS can tell the
                // attribution from the description.
                out.push_str(" <small class=\"credit\">");
                self.inlines(out, &figure.credit, diagnostics);
                out.push_str("</small>");
            }
            out.push_str("</figcaption>\n");
        }
        out.push_str("</figure>\n");
    }

    fn list(&mut self, out: &mut String, list: &List, diagnostics: &mut Diagnostics) {
        let tag = match list.start {
            Some(start) => {
                if start == 1 {
                    out.push_str("<ol>\n");
                } else {
                    let _ = writeln!(out, "<ol start=\"{start}\">");
                }
                "ol"
            }
            None => {
                out.push_str("<ul>\n");
                "ul"
            }
        };
        for item in &list.items {
            match item.task {
                None => {
                    out.push_str("<li>");
                    self.blocks(out, &item.blocks, diagnostics);
                }
                Some(done) => {
                    // A checkbox would be a form control; a symbol with a spoken label says
                    // the same to every reader.
                    let (symbol, label) = if done {
                        ("☑", "done")
                    } else {
                        ("☐", "not done")
                    };
                    out.push_str("<li class=\"task\">");
                    let prefix = format!(
                        "<span class=\"task-box\" role=\"img\" aria-label=\"{label}\">{symbol}</span> "
                    );
                    self.blocks_with_prefix(out, &item.blocks, &prefix, diagnostics);
                }
            }
            out.push_str("</li>\n");
        }
        let _ = writeln!(out, "</{tag}>");
    }

    fn table(&mut self, out: &mut String, table: &Table, diagnostics: &mut Diagnostics) {
        let columns = table
            .rows
            .iter()
            .map(Vec::len)
            .chain([table.header.len(), table.alignments.len()])
            .max()
            .unwrap_or(0);
        out.push_str(if columns > MANY_COLUMNS {
            "<div class=\"table-wrap\">\n<table class=\"many-columns\">\n"
        } else {
            "<div class=\"table-wrap\">\n<table>\n"
        });
        if !table.header.is_empty() {
            out.push_str("<thead>\n<tr>");
            for (i, cell) in table.header.iter().enumerate() {
                self.cell(out, "th", table.alignments.get(i), cell, diagnostics);
            }
            out.push_str("</tr>\n</thead>\n");
        }
        if !table.rows.is_empty() {
            out.push_str("<tbody>\n");
            for row in &table.rows {
                out.push_str("<tr>");
                for (i, cell) in row.iter().enumerate() {
                    self.cell(out, "td", table.alignments.get(i), cell, diagnostics);
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</tbody>\n");
        }
        out.push_str("</table>\n</div>\n");
    }

    fn cell(
        &mut self,
        out: &mut String,
        tag: &str,
        alignment: Option<&Alignment>,
        cell: &[Inline],
        diagnostics: &mut Diagnostics,
    ) {
        // Classes, not `style` attributes: some reading systems strip inline styles.
        let mut classes: Vec<&str> = Vec::new();
        match alignment {
            Some(Alignment::Left) => classes.push("align-left"),
            Some(Alignment::Center) => classes.push("align-center"),
            Some(Alignment::Right) => classes.push("align-right"),
            Some(Alignment::None) | None => {}
        }
        let text = crate::ir::plain_text(cell);
        if text
            .split_whitespace()
            .any(|word| word.chars().count() > LONG_WORD_LETTERS)
        {
            classes.push("long-word");
        }
        let _ = write!(out, "<{tag}");
        if !classes.is_empty() {
            let _ = write!(out, " class=\"{}\"", classes.join(" "));
        }
        if tag == "th" {
            out.push_str(" scope=\"col\"");
        }
        out.push('>');
        self.inlines(out, cell, diagnostics);
        let _ = write!(out, "</{tag}>");
    }

    fn inlines(&mut self, out: &mut String, inlines: &[Inline], diagnostics: &mut Diagnostics) {
        for inline in inlines {
            self.inline(out, inline, diagnostics);
        }
    }

    fn wrapped(
        &mut self,
        out: &mut String,
        tag: &str,
        content: &[Inline],
        diagnostics: &mut Diagnostics,
    ) {
        let _ = write!(out, "<{tag}>");
        self.inlines(out, content, diagnostics);
        let _ = write!(out, "</{tag}>");
    }

    fn inline(&mut self, out: &mut String, inline: &Inline, diagnostics: &mut Diagnostics) {
        match inline {
            Inline::Text(text) => out.push_str(&xml::text(text)),
            Inline::Emphasis(content) => self.wrapped(out, "em", content, diagnostics),
            Inline::Strong(content) => self.wrapped(out, "strong", content, diagnostics),
            Inline::Strikethrough(content) => self.wrapped(out, "del", content, diagnostics),
            Inline::Code(code) => {
                let _ = write!(out, "<code>{}</code>", xml::text(code));
            }
            Inline::LineBreak => out.push_str("<br/>"),
            Inline::Link { target, content } => {
                // HTML forbids a link inside a link.
                let href = if self.in_link {
                    None
                } else {
                    self.link_href(target, diagnostics)
                };
                match href {
                    Some(href) => {
                        let _ = write!(out, "<a href=\"{}\">", xml::attr(&href));
                        self.in_link = true;
                        self.inlines(out, content, diagnostics);
                        self.in_link = false;
                        out.push_str("</a>");
                    }
                    None => self.inlines(out, content, diagnostics),
                }
            }
            Inline::Image { asset, alt } => match self.book.assets.get(asset.0) {
                Some(asset) => {
                    let _ = write!(
                        out,
                        "<img class=\"inline\" src=\"{}\" alt=\"{}\"/>",
                        xml::attr(&image_href(&asset.name)),
                        xml::attr(alt)
                    );
                }
                None => out.push_str(&xml::text(alt)),
            },
            Inline::FootnoteRef { id, number } => self.noteref(out, id, *number),
            Inline::Anchor(id) => {
                let _ = write!(out, "<span id=\"{}\"></span>", xml::attr(id));
            }
            Inline::Styled { style, content } => {
                let (tag, attributes) = styled_element(style);
                let _ = write!(out, "<{tag}{attributes}>");
                self.inlines(out, content, diagnostics);
                let _ = write!(out, "</{tag}>");
            }
        }
    }

    fn noteref(&mut self, out: &mut String, id: &str, number: u32) {
        let Some(&home) = self.note_home.get(id) else {
            // The front end turns dangling references into text; stay safe if one slips by.
            let _ = write!(out, "[{number}]");
            return;
        };
        let count = self.ref_count.entry(id.to_string()).or_insert(0);
        *count += 1;
        let ref_id = if *count == 1 {
            format!("ref-{id}")
        } else {
            format!("ref-{id}-{count}")
        };
        self.first_ref
            .entry(id.to_string())
            .or_insert_with(|| (self.current, ref_id.clone()));
        if self.in_link {
            // Cannot nest links: keep the number and the id the back-link points at.
            let _ = write!(out, "<sup id=\"{}\">{number}</sup>", xml::attr(&ref_id));
            return;
        }
        let _ = write!(
            out,
            "<sup><a epub:type=\"noteref\" role=\"doc-noteref\" id=\"{}\" href=\"{}\">{number}</a></sup>",
            xml::attr(&ref_id),
            xml::attr(&self.href_to(home, id)),
        );
    }

    fn link_href(&self, target: &LinkTarget, diagnostics: &mut Diagnostics) -> Option<String> {
        match target {
            LinkTarget::Internal(anchor) => match self.book.anchors.get(anchor) {
                Some(&chapter) => Some(self.href_to(chapter, anchor)),
                None => {
                    diagnostics.warn(format!("link to `#{anchor}`: no such anchor; kept as text"));
                    None
                }
            },
            // The front end admits only encoded URLs with an allowed scheme.
            LinkTarget::External(url) => Some(url.clone()),
        }
    }
}

/// The XHTML element (and its attributes, escaped) for a styled run of text.
fn styled_element(style: &TextStyle) -> (&'static str, String) {
    match style {
        TextStyle::Superscript => ("sup", String::new()),
        TextStyle::Subscript => ("sub", String::new()),
        TextStyle::Keyboard => ("kbd", String::new()),
        TextStyle::Underline => ("u", String::new()),
        TextStyle::Small => ("small", String::new()),
        TextStyle::Highlight => ("mark", String::new()),
        TextStyle::SmallCaps => ("span", " class=\"smallcaps\"".to_string()),
        TextStyle::Abbreviation(title) => (
            "abbr",
            title
                .as_deref()
                .map(|t| format!(" title=\"{}\"", xml::attr(t)))
                .unwrap_or_default(),
        ),
        TextStyle::Language { lang, direction } => {
            let mut attributes = String::new();
            if let Some(lang) = lang {
                let lang = xml::attr(lang);
                let _ = write!(attributes, " lang=\"{lang}\" xml:lang=\"{lang}\"");
            }
            match direction {
                Some(crate::ir::Direction::LeftToRight) => attributes.push_str(" dir=\"ltr\""),
                Some(crate::ir::Direction::RightToLeft) => attributes.push_str(" dir=\"rtl\""),
                None => {}
            }
            ("span", attributes)
        }
    }
}

/// A code block's info string as a class name: its first word, letters, digits, `-`, `_`, `+`.
fn language_class(info: &str) -> Option<String> {
    let word = info.split_whitespace().next()?;
    let class: String = word
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '+'))
        .collect();
    (!class.is_empty()).then_some(class)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Chapter, Footnote};

    fn chapter(id: &str, blocks: Vec<Block>, footnotes: Vec<Footnote>) -> Chapter {
        Chapter {
            id: id.into(),
            title: vec![Inline::Text(format!("Title <{id}> & co"))],
            blocks,
            footnotes,
        }
    }

    fn parse(doc: &str) -> roxmltree::Document<'_> {
        let options = roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        };
        roxmltree::Document::parse_with_options(doc, options).expect("well-formed XHTML")
    }

    #[test]
    fn direction_follows_script() {
        assert_eq!(Direction::of_text("« שלום »"), Some(Direction::Rtl));
        assert_eq!(Direction::of_text("123 مرحبا"), Some(Direction::Rtl));
        assert_eq!(Direction::of_text("Привет"), Some(Direction::Ltr));
        assert_eq!(Direction::of_text("123 !"), None);
        assert_eq!(Direction::of_language("ar-EG"), Direction::Rtl);
        assert_eq!(Direction::of_language("en"), Direction::Ltr);
    }

    #[test]
    fn chapters_escape_text_and_link_notes_across_files() {
        let note = |n: u32| Footnote {
            id: format!("fn-{n}"),
            number: n,
            blocks: vec![Block::Paragraph(vec![Inline::Text(format!(
                "Note {n} & more"
            ))])],
        };
        let reference = |n: u32| Inline::FootnoteRef {
            id: format!("fn-{n}"),
            number: n,
        };
        let mut book = Book::default();
        book.meta.language = "en".into();
        book.chapters = vec![
            chapter(
                "one",
                vec![Block::Paragraph(vec![
                    Inline::Text("a < b && c > d".into()),
                    reference(1),
                    Inline::Link {
                        target: LinkTarget::Internal("two".into()),
                        content: vec![Inline::Text("next".into()), reference(1)],
                    },
                ])],
                vec![note(1)],
            ),
            chapter(
                "two",
                vec![Block::Paragraph(vec![
                    reference(1),
                    Inline::Link {
                        target: LinkTarget::External("https://example.com/?a=1&b=2".into()),
                        content: vec![Inline::Text("web".into())],
                    },
                ])],
                vec![],
            ),
        ];
        book.anchors.insert("one".into(), 0);
        book.anchors.insert("two".into(), 1);
        book.anchors.insert("fn-1".into(), 0);
        let mut diagnostics = Diagnostics::default();
        let mut writer = ChapterWriter::new(&book);
        let first = writer.chapter(0, &mut diagnostics);
        let second = writer.chapter(1, &mut diagnostics);

        let doc = parse(&first);
        let html = doc.root_element();
        assert_eq!(html.attribute("lang"), Some("en"));
        assert_eq!(
            html.attribute(("http://www.w3.org/XML/1998/namespace", "lang")),
            Some("en")
        );
        let p = doc.descendants().find(|n| n.has_tag_name("p")).expect("p");
        assert!(p.text().unwrap_or("").starts_with("a < b && c > d"));
        let h1 = doc
            .descendants()
            .find(|n| n.has_tag_name("h1"))
            .expect("h1");
        assert_eq!(h1.text(), Some("Title <one> & co"));
        // The noteref inside a link loses its own link but keeps a unique id.
        assert!(first.contains("<sup id=\"ref-fn-1-2\">1</sup>"));
        assert!(first.contains("href=\"ch002.xhtml#two\""));
        assert!(first.contains("role=\"doc-backlink\" href=\"#ref-fn-1\""));

        let doc = parse(&second);
        assert!(second.contains("id=\"ref-fn-1-3\" href=\"ch001.xhtml#fn-1\""));
        // The front end has vetted external URLs; the writer only escapes them.
        assert!(second.contains("href=\"https://example.com/?a=1&amp;b=2\""));
        assert!(doc.descendants().all(|n| !n.has_tag_name("aside")));
        assert!(diagnostics.warnings.is_empty(), "{diagnostics:?}");
    }
}
