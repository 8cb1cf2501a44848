//! Front and back matter, after the EPUB's title page and colophon (`src/epub/pages.rs`):
//! what a book has, and nothing it lacks (no empty line, no "None", no 1980 date).
//!
//! - A [`BookShape::Book`] opens with a title page (title, subtitle, authors, source; the
//!   publisher at the foot) and, on its back, an imprint set low in small type (title,
//!   source, rights, identifier, picture credits, edition date). Both are laid out like a chapter of their own, before
//!   chapter 1, on pages marked as openings so that [`super::Decorator`] gives them neither
//!   running head nor folio. They have no bookmark: the outline lists the chapters, and the
//!   document opens on the title page anyway.
//! - A [`BookShape::Article`] opens with a title block atop its first page (title, byline,
//!   source) with the text following it, and ends with a short colophon (rule, rights,
//!   picture credits, source, date) under its last paragraph, kept together.
//!
//! Everything added is real content, tagged in reading order: the title page and imprint
//! form one front-matter section (`Sect`), the colophon one back-matter section; each title
//! is a heading, each other line a paragraph.

use super::{ChapterPage, Layout, PageGeometry, TextBlock};
use crate::ir::{self, Block, Book, BookShape, DEFAULT_EPOCH};
use crate::typeset::frame::{Navigation, PageItem, Rect, Role, StructKind};
use crate::typeset::paginate::{Content, Flow, Paginator, VBlock};
use crate::typeset::shape::Shaper;
use crate::typeset::text::{Alignment, TextStyle};
use crate::Result;

use super::BookPages;

/// Title page: the book title's size, in body sizes.
const TITLE_SCALE: f32 = 2.2;
/// Title page: the subtitle's size, in body sizes.
const SUBTITLE_SCALE: f32 = 1.3;
/// Title page: the authors' size, in body sizes.
const AUTHORS_SCALE: f32 = 1.2;
/// Title page: how far down the text block the title starts (a fraction of its height).
const TITLE_SINK: f32 = 0.2;
/// Article title block: the title's size, in body sizes.
const ARTICLE_TITLE_SCALE: f32 = 1.9;
/// Article title block: the source line's size, in body sizes.
const SOURCE_SCALE: f32 = 0.9;
/// Imprint and colophon: the small type's size, in body sizes.
const SMALL_SCALE: f32 = 0.8;
/// Leading of display lines (titles), in type sizes.
const DISPLAY_LEADING: f32 = 1.2;
/// Leading of small type, in type sizes.
const SMALL_LEADING: f32 = 1.35;
/// Short rules (under the article title, above the colophon), in measures.
const RULE_LENGTH: f32 = 0.18;
/// Thickness of those rules, in points.
const RULE_THICKNESS: f32 = 0.6;
/// Grey of those rules and of secondary lines (source), 0 = black.
const SECONDARY_GRAY: f32 = 0.35;
/// Ragged lines stop short of the measure by this much, in measures.
const RAGGED_RIGHT: f32 = 0.1;

/// One line (or short paragraph) of front or back matter.
#[derive(Debug, Clone, PartialEq)]
struct MatterLine {
    text: String,
    /// Extra space above it: it starts a new group.
    new_group: bool,
}

/// Non-empty, trimmed text.
fn present(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

/// The authors as one line, or `None` when there are none.
fn byline(book: &Book) -> Option<String> {
    let names: Vec<&str> = book
        .meta
        .authors
        .iter()
        .filter_map(|a| present(Some(a)))
        .collect();
    (!names.is_empty()).then(|| names.join(", "))
}

/// The edition date, written out (`17 May 2024`): the book's `date`, else the build date when
/// it came from `SOURCE_DATE_EPOCH`; `None` when there is only the 1980 placeholder.
fn edition_date(book: &Book) -> Option<String> {
    if let Some(date) = present(book.meta.date.as_deref()) {
        return Some(
            ir::parse_date(date).map_or_else(|| date.to_string(), |d| long_date(book, &d)),
        );
    }
    let built = book.settings.build_date;
    (built.timestamp() != DEFAULT_EPOCH).then(|| long_date(book, &built))
}

/// The date written out (`17 May 2024`) in an English book; elsewhere as `2024-05-17`,
/// which every language reads, rather than English month names.
fn long_date(book: &Book, date: &chrono::DateTime<chrono::Utc>) -> String {
    let english =
        book.meta.language.to_ascii_lowercase().starts_with("en") || book.meta.language.is_empty();
    if english {
        date.format("%-d %B %Y").to_string()
    } else {
        date.format("%Y-%m-%d").to_string()
    }
}

/// Each distinct figure credit in reading order, with what it credits (the captions, else
/// the alternative texts, of its figures): `Credit (caption; caption)`.
fn picture_credits(book: &Book) -> Vec<String> {
    let mut credits: Vec<(String, Vec<String>)> = Vec::new();
    for chapter in &book.chapters {
        ir::visit_blocks(&chapter.blocks, &mut |block| {
            let Block::Figure(figure) = block else {
                return;
            };
            let credit = ir::plain_text(&figure.credit).trim().to_string();
            if credit.is_empty() {
                return;
            }
            let caption = ir::plain_text(&figure.caption);
            let what = present(Some(&caption))
                .or(present(Some(&figure.alt)))
                .map(str::to_string);
            let index = match credits.iter().position(|(c, _)| *c == credit) {
                Some(index) => index,
                None => {
                    credits.push((credit, Vec::new()));
                    credits.len() - 1
                }
            };
            if let (Some(what), Some((_, whats))) = (what, credits.get_mut(index)) {
                if !whats.contains(&what) {
                    whats.push(what);
                }
            }
        });
    }
    credits
        .into_iter()
        .map(|(credit, whats)| {
            if whats.is_empty() {
                credit
            } else {
                format!("{credit} ({})", whats.join("; "))
            }
        })
        .collect()
}

/// The imprint's lines: the title (and subtitle), then where the text comes from and whose
/// it is, then the pictures, then the edition.
fn imprint_lines(book: &Book) -> Vec<MatterLine> {
    let meta = &book.meta;
    let mut lines = Vec::new();
    let mut push = |text: String, new_group: bool| lines.push(MatterLine { text, new_group });
    let title = match present(meta.subtitle.as_deref()) {
        Some(subtitle) => format!("{}: {subtitle}", meta.title.trim()),
        None => meta.title.trim().to_string(),
    };
    push(title, false);
    if let Some(authors) = byline(book) {
        push(format!("{} {authors}", book.labels.by), false);
    }
    if let Some(publisher) = present(meta.publisher.as_deref()) {
        push(format!("{} {publisher}", book.labels.published_by), false);
    }
    let mut group = true;
    if let Some(source) = present(meta.source.as_deref()) {
        push(
            format!("{}: {source}", book.labels.source),
            std::mem::take(&mut group),
        );
    }
    if let Some(rights) = present(meta.rights.as_deref()) {
        push(rights.to_string(), std::mem::take(&mut group));
    }
    if let Some(identifier) = present(meta.identifier.as_deref()) {
        push(identifier.to_string(), std::mem::take(&mut group));
    }
    let mut group = true;
    for credit in picture_credits(book) {
        push(
            format!("{}: {credit}", book.labels.picture_credit),
            std::mem::take(&mut group),
        );
    }
    let mut group = true;
    if let Some(date) = edition_date(book) {
        push(
            format!("{} {date}", book.labels.edition),
            std::mem::take(&mut group),
        );
    }
    push(format!("{} presswork", book.labels.made_with), group);
    lines
}

/// The article colophon's lines: rights, picture credits, source, date.
fn colophon_lines(book: &Book) -> Vec<MatterLine> {
    let meta = &book.meta;
    let mut lines = Vec::new();
    let mut push = |text: String| {
        lines.push(MatterLine {
            text,
            new_group: false,
        })
    };
    if let Some(rights) = present(meta.rights.as_deref()) {
        push(rights.to_string());
    }
    for credit in picture_credits(book) {
        push(format!("{}: {credit}", book.labels.picture_credit));
    }
    if let Some(source) = present(meta.source.as_deref()) {
        push(format!("{}: {source}", book.labels.source));
    }
    if let Some(date) = edition_date(book) {
        push(format!("{} {date}", book.labels.edition));
    }
    lines
}

/// Lay out a book's title page and imprint, when it is a [`BookShape::Book`] with a title,
/// and pass them to `pages` as its first pages (the chapters' numbers and bookmarks then
/// shift past them). Used by the sequential layout and, on the reader thread, the pipeline.
pub fn front_matter_into(
    shaper: &Shaper<'_>,
    book: &Book,
    geometry: PageGeometry,
    pages: &mut BookPages<'_, '_, '_>,
) -> Result<()> {
    if book.shape != BookShape::Book || book.meta.title.trim().is_empty() {
        return Ok(());
    }
    let mut layout = Layout::new(shaper, book, geometry);
    let navigation = layout.front_matter(&mut |page| pages.page(page))?;
    pages.chapter_done(navigation);
    Ok(())
}

impl Layout<'_, '_> {
    /// The title page and the imprint, as pages of a part of their own.
    fn front_matter(
        &mut self,
        sink: &mut dyn FnMut(ChapterPage) -> Result<()>,
    ) -> Result<Navigation> {
        let g = self.geometry;
        let meta = &self.book.meta;
        self.chapter = 0;
        self.paginator = Paginator::new(g.text_height);
        self.pages_done = 0;
        self.keep_next = false;

        // The title page: the title a fifth of the way down, centred, then subtitle, authors
        // and source as the EPUB's title page has them; the publisher at the foot.
        let mut sink_block = VBlock::new(g.text_height * TITLE_SINK, self.chapter);
        sink_block.flow = Flow::NewPage;
        let page_start = self.blocks.len();
        // Title page and imprint are one section of the document.
        self.open(StructKind::Chapter);
        self.push_block(sink_block);
        let mut style = self.heading_style();
        style.size = (g.body_size * TITLE_SCALE).round();
        style.style.bold = true;
        self.matter_text(&meta.title, display(style, Role::Heading(1), 0.0));
        if let Some(subtitle) = present(meta.subtitle.as_deref()) {
            let mut style = self.body_style();
            style.size = (g.body_size * SUBTITLE_SCALE).round();
            style.style.italic = true;
            self.matter_text(subtitle, display(style, Role::Paragraph, g.leading * 0.8));
        }
        if let Some(authors) = byline(self.book) {
            let mut style = self.body_style();
            style.size = (g.body_size * AUTHORS_SCALE).round();
            self.matter_text(&authors, display(style, Role::Paragraph, g.leading * 2.5));
        }
        if let Some(source) = present(meta.source.as_deref()) {
            let mut style = self.body_style();
            style.gray = SECONDARY_GRAY;
            let space = if byline(self.book).is_some() {
                g.leading * 0.8
            } else {
                g.leading * 2.5
            };
            self.matter_text(source, display(style, Role::Paragraph, space));
        }
        if let Some(publisher) = present(meta.publisher.as_deref()) {
            let before = self.blocks.len();
            self.matter_text(publisher, display(self.body_style(), Role::Paragraph, 0.0));
            self.push_to_foot(page_start, before);
        }
        self.keep_together(page_start);

        // The imprint, on the back: small type, set low on the page.
        let imprint_start = self.blocks.len();
        let size = (g.body_size * SMALL_SCALE * 2.0).round() / 2.0;
        for (n, line) in imprint_lines(self.book).into_iter().enumerate() {
            let space = if line.new_group { g.leading } else { 0.0 };
            let mut settings = self.small_text(size, space);
            // The title in italics, as it would be cited.
            settings.style.style.italic = n == 0;
            self.matter_text(&line.text, settings);
        }
        self.close();
        self.push_to_foot(imprint_start, imprint_start);
        if let Some(first) = self.blocks.get_mut(imprint_start) {
            first.flow = Flow::NewPage;
        }
        self.keep_together(imprint_start);

        self.emit_pages(sink)?;
        self.paginator.finish();
        self.emit_pages(sink)?;
        Ok(std::mem::take(&mut self.navigation))
    }

    /// An article's first chapter opening: the title block. Returns whether it laid one out
    /// (`false`: not an article, or not its first chapter; the ordinary opening follows).
    pub(super) fn article_title_block(&mut self, chapter: &ir::Chapter) -> bool {
        if self.book.shape != BookShape::Article || self.chapter != 0 {
            return false;
        }
        let g = self.geometry;
        let meta = &self.book.meta;
        let mut top = VBlock::new(0.0, self.chapter);
        top.flow = Flow::NewPage;
        // The chapter's section, closed where every chapter is (`Layout::chapter`).
        self.open(StructKind::Chapter);
        self.push_block(top);
        let chapter_title = chapter.title_text();
        // The book title is the heading; when the first chapter is a section of its own
        // (no text before the first `##`), its title follows the title block.
        let title = if meta.title.trim().is_empty() {
            chapter_title.clone()
        } else {
            meta.title.clone()
        };
        let is_opening = title.trim() == chapter_title.trim();
        let mut style = self.heading_style();
        style.size = (g.body_size * ARTICLE_TITLE_SCALE).round();
        style.style.bold = true;
        let mut settings = display(style, Role::Heading(1), 0.0);
        settings.alignment = Alignment::Left;
        settings.right = g.measure * RAGGED_RIGHT;
        settings.keep_with_next = true;
        if is_opening {
            settings.anchors = vec![chapter.id.clone()];
            settings.outline = Some((chapter_title.clone(), 1));
        }
        self.matter_text(&title, settings);
        if let Some(authors) = byline(self.book) {
            let mut style = self.body_style();
            style.style.italic = true;
            let mut settings = display(style, Role::Paragraph, g.leading * 0.5);
            settings.alignment = Alignment::Left;
            settings.keep_with_next = true;
            self.matter_text(&authors, settings);
        }
        if let Some(source) = present(meta.source.as_deref()) {
            let mut style = self.body_style();
            style.size = (g.body_size * SOURCE_SCALE * 2.0).round() / 2.0;
            style.gray = SECONDARY_GRAY;
            let space = if byline(self.book).is_some() {
                0.0
            } else {
                g.leading * 0.5
            };
            let mut settings = display(style, Role::Paragraph, space);
            settings.alignment = Alignment::Left;
            settings.keep_with_next = true;
            self.matter_text(source, settings);
        }
        let mut rule = VBlock::new(g.leading * 2.0, self.chapter);
        rule.break_before = false;
        rule.content.push(short_rule(g, g.leading * 0.6));
        self.push_block(rule);
        if !is_opening {
            let mut style = self.heading_style();
            style.size = (g.body_size * 1.2).round();
            style.style.bold = true;
            let mut settings = display(style, Role::Heading(1), 0.0);
            settings.alignment = Alignment::Left;
            settings.right = g.measure * RAGGED_RIGHT;
            settings.keep_with_next = true;
            settings.anchors = vec![chapter.id.clone()];
            settings.outline = Some((chapter_title, 1));
            self.keep_next = true;
            self.matter_text(&chapter.title_text(), settings);
        }
        self.keep_next = true;
        self.after_break = true;
        true
    }

    /// An article's colophon, after the last chapter's text (and notes): a rule, then the
    /// rights, picture credits, source and date in small type, kept together. Nothing for a
    /// book, another chapter, or an article with nothing to say.
    pub(super) fn article_colophon(&mut self, index: usize) {
        if self.book.shape != BookShape::Article || index + 1 != self.book.chapters.len() {
            return;
        }
        let lines = colophon_lines(self.book);
        if lines.is_empty() {
            return;
        }
        let g = self.geometry;
        let start = self.blocks.len();
        let mut rule = VBlock::new(g.leading, self.chapter);
        rule.space_before = g.leading * 1.5;
        // Never alone on the last page: the colophon takes at least the last line of text
        // with it when it has to move.
        rule.break_before = false;
        rule.content.push(short_rule(g, g.leading * 0.5));
        // The colophon is a section of its own after the last chapter's.
        self.open(StructKind::Chapter);
        self.push_block(rule);
        self.keep_next = false;
        let size = (g.body_size * SMALL_SCALE * 2.0).round() / 2.0;
        for line in lines {
            let settings = self.small_text(size, 0.0);
            self.matter_text(&line.text, settings);
        }
        self.close();
        self.keep_together(start);
        self.keep_next = false;
    }

    /// Settings of a line of small type (imprint, colophon), left-aligned and ragged.
    fn small_text(&self, size: f32, space_before: f32) -> TextBlock {
        let mut style = self.body_style();
        style.size = size;
        TextBlock {
            role: Role::Paragraph,
            style,
            leading: (size * SMALL_LEADING).round(),
            alignment: Alignment::Left,
            left: 0.0,
            right: self.geometry.measure * RAGGED_RIGHT,
            first_indent: 0.0,
            space_before,
            keep_with_next: false,
            hyphenate: false,
            anchors: Vec::new(),
            outline: None,
        }
    }

    /// Set `text` as a text block (tagged by its role: a title is a heading, the rest
    /// paragraphs).
    fn matter_text(&mut self, text: &str, settings: TextBlock) {
        self.text_block(&[ir::Inline::Text(text.to_string())], settings);
    }

    /// Blocks from `from` on stay on one page (when they fit on one).
    fn keep_together(&mut self, from: usize) {
        for block in self.blocks.iter_mut().skip(from + 1) {
            block.break_before = false;
        }
    }

    /// Put the blocks from `from` on at the foot of the page that `page_start` opens, with a
    /// blank block before them (none when the page is already full). The blank block takes
    /// index `from`.
    fn push_to_foot(&mut self, page_start: usize, from: usize) {
        let height = |blocks: &[VBlock]| -> f32 {
            blocks
                .iter()
                .enumerate()
                .map(|(i, b)| b.height + if i == 0 { 0.0 } else { b.space_before })
                .sum()
        };
        let above = height(self.blocks.get(page_start..from).unwrap_or_default());
        let below = height(self.blocks.get(from..).unwrap_or_default());
        let gap = self.geometry.text_height - above - below;
        if gap <= 0.0 {
            return;
        }
        if let Some(first) = self.blocks.get_mut(from) {
            first.space_before = 0.0;
        }
        let mut blank = VBlock::new(gap, self.chapter);
        blank.break_before = false;
        self.blocks.insert(from, blank);
    }
}

/// The short rule of openings and colophons, `y` below the top of its block.
fn short_rule(g: PageGeometry, y: f32) -> Content {
    Content::Item(PageItem::Rule {
        rect: Rect {
            x: 0.0,
            y,
            width: g.measure * RULE_LENGTH,
            height: RULE_THICKNESS,
        },
        gray: SECONDARY_GRAY,
    })
}

/// Settings of a centred display line (title page).
fn display(style: TextStyle, role: Role, space_before: f32) -> TextBlock {
    TextBlock {
        role,
        leading: (style.size * DISPLAY_LEADING).round(),
        style,
        alignment: Alignment::Center,
        left: 0.0,
        right: 0.0,
        first_indent: 0.0,
        space_before,
        keep_with_next: false,
        hyphenate: false,
        anchors: Vec::new(),
        outline: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Chapter, Figure, Inline, Metadata, Paper, Settings};
    use crate::typeset::fonts::FontSet;
    use crate::typeset::frame::Tag;
    use crate::typeset::frame::{LaidOutDocument, Page};
    use crate::Diagnostics;

    fn text(t: &str) -> Vec<Inline> {
        vec![Inline::Text(t.into())]
    }

    fn chapter(id: &str, title: &str, paragraphs: usize) -> Chapter {
        let words = "Words that fill a line or two of the chapter and then some more. ".repeat(4);
        Chapter {
            id: id.into(),
            title: text(title),
            blocks: (0..paragraphs)
                .map(|_| Block::Paragraph(text(&words)))
                .collect(),
            footnotes: Vec::new(),
        }
    }

    fn figure(caption: &str, credit: &str) -> Block {
        Block::Figure(Figure {
            id: "f".into(),
            asset: ir::AssetId(0),
            alt: "A photo".into(),
            caption: text(caption),
            credit: text(credit),
        })
    }

    fn book(shape: BookShape, meta: Metadata, chapters: Vec<Chapter>) -> Book {
        Book {
            meta,
            chapters,
            shape,
            ..Book::default()
        }
    }

    fn full_meta() -> Metadata {
        Metadata {
            title: "The Title".into(),
            subtitle: Some("A Subtitle".into()),
            authors: vec!["Ann Author".into(), "Bob Writer".into()],
            publisher: Some("Small Press".into()),
            source: Some("PTI".into()),
            rights: Some("All rights reserved.".into()),
            identifier: Some("urn:isbn:9780000000000".into()),
            date: Some("2024-05-17".into()),
            ..Metadata::default()
        }
    }

    fn lay_out(book: &Book) -> LaidOutDocument {
        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        Layout::new(&shaper, book, PageGeometry::for_paper(Paper::A5))
            .run(&mut Diagnostics::default())
    }

    /// The text of a page's runs of `role` (all roles but artifacts with `None`), a line each.
    fn page_text(page: &Page, role: Option<Role>) -> String {
        let mut lines = Vec::new();
        for item in &page.items {
            if let PageItem::Glyphs(run) = item {
                let wanted = match role {
                    Some(role) => run.role == role,
                    None => run.role != Role::Artifact,
                };
                if wanted {
                    let mut line = String::new();
                    for glyph in &run.glyphs {
                        line.push_str(&glyph.text);
                        if glyph.space_after {
                            line.push(' ');
                        }
                    }
                    lines.push(line);
                }
            }
        }
        lines.join("\n")
    }

    /// The structure tags on `pages`, checked to nest and balance (and, when `all_content`,
    /// to hold every glyph run that is not an artifact); returns the kinds opened.
    fn balanced_tags(pages: &[Page], all_content: bool) -> Vec<StructKind> {
        let mut open = Vec::new();
        let mut opened = Vec::new();
        for page in pages {
            for item in &page.items {
                match item {
                    PageItem::Tag(Tag::Start(kind)) => {
                        open.push(kind.clone());
                        opened.push(kind.clone());
                    }
                    PageItem::Tag(Tag::End) => {
                        assert!(open.pop().is_some(), "an end tag closes nothing");
                    }
                    PageItem::Glyphs(run) if all_content && run.role != Role::Artifact => {
                        assert!(!open.is_empty(), "content outside any element");
                    }
                    _ => {}
                }
            }
        }
        assert!(open.is_empty(), "left open: {open:?}");
        opened
    }

    #[test]
    fn a_book_opens_with_a_title_page_and_an_imprint_without_heads_or_folios() {
        let mut meta = full_meta();
        meta.date = None;
        let mut first = chapter("one", "One", 2);
        first.blocks.push(figure("A mountain", "Photo: Jane Doe"));
        let book = book(
            BookShape::Book,
            meta,
            vec![first, chapter("two", "Two", 30)],
        );
        let document = lay_out(&book);
        let title_page = page_text(&document.pages[0], None);
        assert_eq!(
            title_page,
            "The Title\nA Subtitle\nAnn Author, Bob Writer\nPTI\nSmall Press"
        );
        assert_eq!(
            page_text(&document.pages[0], Some(Role::Heading(1))),
            "The Title"
        );
        let imprint = page_text(&document.pages[1], None);
        for expected in [
            "The Title: A Subtitle",
            "By Ann Author, Bob Writer",
            "Published by Small Press",
            "Source: PTI",
            "All rights reserved.",
            "urn:isbn:9780000000000",
            "Picture credit: Photo: Jane Doe (A mountain)",
            "Made with presswork",
        ] {
            assert!(imprint.contains(expected), "{expected} in {imprint}");
        }
        // No date: neither the book's nor a build date, and never 1980.
        assert!(!imprint.contains("Edition") && !imprint.contains("1980"));
        // The imprint sits low on its page, in small type; neither page is decorated.
        let g = PageGeometry::for_paper(Paper::A5);
        let runs: Vec<_> = document.pages[1]
            .items
            .iter()
            .filter_map(|item| match item {
                PageItem::Glyphs(run) => Some(run),
                _ => None,
            })
            .collect();
        assert!(runs
            .iter()
            .all(|r| r.size < g.body_size && r.role == Role::Paragraph));
        let last = runs.last().map_or(0.0, |r| r.baseline);
        assert!(last > g.top + g.text_height * 0.9, "imprint foot at {last}");
        for page in &document.pages[..2] {
            assert!(page_text(page, Some(Role::Artifact)).is_empty());
        }
        // Chapter one opens page 3 (a recto), its bookmark and anchor moved with it; later
        // pages number from the title page.
        assert_eq!(page_text(&document.pages[2], Some(Role::Heading(1))), "One");
        let outline: Vec<_> = document
            .navigation
            .outline
            .iter()
            .map(|e| (e.title.as_str(), e.page))
            .collect();
        assert_eq!(outline[0], ("One", 2));
        assert_eq!(document.navigation.anchors.get("one").map(|a| a.0), Some(2));
        let decorated = (2..document.pages.len())
            .find(|i| !page_text(&document.pages[*i], Some(Role::Artifact)).is_empty())
            .expect("a page with a folio");
        let artifacts = page_text(&document.pages[decorated], Some(Role::Artifact));
        assert!(
            artifacts.starts_with(&(decorated + 1).to_string()),
            "page {decorated}: {artifacts}"
        );
        // The title page and imprint are one front-matter section.
        let opened = balanced_tags(&document.pages[..2], true);
        assert_eq!(opened[0], StructKind::Chapter);
        assert_eq!(opened[1], StructKind::Heading(1));
        assert_eq!(
            opened.iter().filter(|k| **k == StructKind::Chapter).count(),
            1
        );
    }

    #[test]
    fn a_book_with_only_a_title_gets_a_title_page_and_a_short_imprint() {
        let meta = Metadata {
            title: "Bare".into(),
            ..Metadata::default()
        };
        let book = book(BookShape::Book, meta, vec![chapter("one", "One", 1)]);
        let document = lay_out(&book);
        assert_eq!(document.pages.len(), 3);
        assert_eq!(page_text(&document.pages[0], None), "Bare");
        assert_eq!(
            page_text(&document.pages[1], None),
            "Bare\nMade with presswork"
        );
        for page in &document.pages {
            assert!(!page_text(page, None).contains("None"));
        }
    }

    #[test]
    fn an_article_opens_with_a_title_block_and_closes_with_a_colophon() {
        let mut meta = full_meta();
        meta.subtitle = None;
        meta.publisher = None;
        let mut opening = chapter("the-title", "The Title", 2);
        opening.blocks.insert(0, figure("", "Image Source: PTI"));
        let book = book(
            BookShape::Article,
            meta,
            // Enough text to run onto a second page, where the colophon closes it.
            vec![opening, chapter("two", "Two", 8)],
        );
        let document = lay_out(&book);
        assert_eq!(document.pages.len(), 2, "no page of its own for either");
        let first = page_text(&document.pages[0], None);
        assert!(
            first.starts_with("The Title\nAnn Author, Bob Writer\nPTI\nWords that fill"),
            "{first}"
        );
        // The second section runs on under the first (an article's sections do not open
        // pages).
        assert_eq!(
            page_text(&document.pages[0], Some(Role::Heading(1))),
            "The Title\nTwo"
        );
        assert!(page_text(&document.pages[0], Some(Role::Artifact)).is_empty());
        assert_eq!(document.navigation.outline[0].title, "The Title");
        assert_eq!(
            document.navigation.anchors.get("the-title").map(|a| a.0),
            Some(0)
        );

        let last = page_text(&document.pages[1], None);
        let colophon = last.find("All rights reserved.").expect("rights");
        assert!(colophon > last.rfind("Words that fill").unwrap_or(usize::MAX));
        assert!(last[colophon..].contains("Picture credit: Image Source: PTI (A photo)"));
        assert!(
            last.ends_with("Source: PTI\nEdition of 17 May 2024"),
            "{last}"
        );
        // The title block opens the first chapter's section; the colophon is a section
        // of its own; every glyph of content is in an element.
        let opened = balanced_tags(&document.pages, true);
        assert_eq!(opened[..2], [StructKind::Chapter, StructKind::Heading(1)]);
        let sections = opened.iter().filter(|k| **k == StructKind::Chapter).count();
        assert_eq!(sections, 3, "the two chapters' sections and the colophon's");
    }

    #[test]
    fn a_colophon_stays_whole_and_never_alone_on_its_page() {
        let mut meta = full_meta();
        meta.rights = Some("Rights that run on for a while. ".repeat(6));
        let mut moved = 0;
        for paragraphs in 4..24 {
            let book = book(
                BookShape::Article,
                meta.clone(),
                vec![chapter("the-title", "The Title", paragraphs)],
            );
            let document = lay_out(&book);
            let pages: Vec<String> = document.pages.iter().map(|p| page_text(p, None)).collect();
            let with_colophon: Vec<usize> = (0..pages.len())
                .filter(|i| {
                    pages[*i].contains("Rights that run") || pages[*i].contains("Edition of")
                })
                .collect();
            assert_eq!(
                with_colophon,
                [pages.len() - 1],
                "{paragraphs}: split colophon"
            );
            let last = &pages[pages.len() - 1];
            assert!(last.ends_with("Edition of 17 May 2024"));
            // Where it does not fit, it takes the last lines of text with it.
            assert!(last.contains("Words that fill"), "{paragraphs}: alone");
            if pages.len() > 1 && pages[pages.len() - 2].contains("Words that fill") {
                moved += 1;
            }
        }
        assert!(moved > 0, "never had to move to a page of its own");
    }

    #[test]
    fn edition_dates_prefer_the_book_date_and_never_print_the_placeholder() {
        let mut book = book(BookShape::Book, full_meta(), Vec::new());
        assert_eq!(edition_date(&book).as_deref(), Some("17 May 2024"));
        book.meta.date = None;
        assert_eq!(edition_date(&book), None);
        book.settings = Settings {
            build_date: Settings::build_date(Some(1_700_000_000), None, None),
            ..Settings::default()
        };
        assert_eq!(edition_date(&book).as_deref(), Some("14 November 2023"));
    }

    #[test]
    fn picture_credits_are_distinct_with_what_they_credit() {
        let mut one = chapter("one", "One", 0);
        one.blocks = vec![
            figure("A", "Agency"),
            figure("B", "Agency"),
            figure("C", ""),
            figure("", "Other"),
        ];
        let book = book(BookShape::Book, full_meta(), vec![one]);
        assert_eq!(picture_credits(&book), ["Agency (A; B)", "Other (A photo)"]);
    }
}
