//! Layout: IR → vertical list of blocks (text set into lines, figures, tables) → pages of
//! positioned items. Knows typography (sizes, leading, indents, keeps) but not PDF syntax.
//!
//! `mod.rs` holds the page geometry and the running text (chapters, paragraphs, headings);
//! `blocks` the other block kinds (figures, lists, code, tables, endnotes); `pages` turns the
//! paginated list into pages with running heads and folios; `content` converts set lines into
//! page items.

mod blocks;
mod content;
mod front;
mod pages;
mod tags;

pub use front::front_matter_into;
pub use pages::{BookPages, ChapterPage, Decorator};

pub use content::inline_spans;

use super::fonts::{Caps, Family, Figures};
use super::frame::{
    LaidOutDocument, LinkDestination, Navigation, PageItem, PageSink, Rect, Role, StructKind,
};
use super::linebreak::Line;
use super::paginate::{Content, Flow, Looser, LooserSetting, Paginator, VBlock};
use super::shape::Shaper;
use super::text::{
    looser_lines, may_be_looser, set_lines, set_lines_of_part, Alignment, Hyphenation, Paragraph,
    ParagraphBuilder, SetLine, SetWords, Span, TextStyle,
};
use crate::ir::{self, Block, Book, Inline};
use std::ops::Range;

use crate::{Diagnostics, Result};
use content::{line_content, offset_content};

pub use crate::ir::Paper;

/// Inner margin to outer margin on facing pages: the classic 2 : 3. The two inner margins
/// of a spread (4 parts) then make a gutter a little wider than one outer margin (3
/// parts), which is about what the eye reads as even once the binding takes its share.
const INNER_TO_OUTER: f32 = 2.0 / 3.0;

/// The default measure's share of the page width at most.
const MEASURE_SHARE: f32 = 0.74;

/// The default measure in ems of the body size at most: about 65 characters a line.
const MEASURE_EMS: f32 = 33.0;

/// Default leading as a multiple of the body size (rounded to a whole point).
const LEADING_RATIO: f32 = 1.38;

/// Default top margin as a share of the page height.
const TOP_SHARE: f32 = 0.095;

/// Default bottom margin as a share of the page height (at least: the text block holds
/// whole lines). Deeper than the top, so the text block sits a little above the middle.
const BOTTOM_SHARE: f32 = 0.115;

/// Which side of an open book a page is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// A right-hand page: odd page numbers (1, 3, …); the binding is on its left.
    Recto,
    /// A left-hand page: even page numbers; the binding is on its right.
    Verso,
}

impl Side {
    /// The side of page `index` (from 0) of a run of pages that starts on a recto: the
    /// whole book, or one chapter of a book as layout places it (see
    /// [`BookPages`] for chapters that open on a verso).
    pub fn of_page(index: usize) -> Self {
        if index.is_multiple_of(2) {
            Side::Recto
        } else {
            Side::Verso
        }
    }
}

/// Page geometry and the type scale derived from it.
#[derive(Debug, Clone, Copy)]
pub struct PageGeometry {
    /// Page width.
    pub width: f32,
    /// Page height.
    pub height: f32,
    /// Margin on the binding side: left on a recto, right on a verso. When pages do not
    /// face (an article), the left margin of every page.
    pub inner: f32,
    /// Margin on the side away from the binding: right on a recto, left on a verso. When
    /// pages do not face, the right margin of every page.
    pub outer: f32,
    /// Facing pages (a book): rectos and versos mirror each other and folios sit at the
    /// outer corners. Otherwise (an article) every page is alike.
    pub facing: bool,
    /// A book's chapters open on rectos, after a blank verso where needed
    /// (`chapter-opening = "right"`); otherwise on the next page.
    pub recto_openings: bool,
    /// Top edge of the text block.
    pub top: f32,
    /// Width of the text block (the measure).
    pub measure: f32,
    /// Height of the text block.
    pub text_height: f32,
    /// Body text size.
    pub body_size: f32,
    /// Body leading (baseline to baseline).
    pub leading: f32,
    /// What `book.toml` asked for; [`PageGeometry::for_shape`] applies its side margins
    /// and chapter openings, which depend on the shape.
    pub typography: ir::Typography,
}

impl PageGeometry {
    /// The page of `settings`: its paper, and `[typography]` over the defaults for that
    /// paper (a type size that suits the page, leading of [`LEADING_RATIO`], a measure of
    /// about 65 characters, margins in proportion to the page). One margin on both sides;
    /// see [`PageGeometry::for_shape`] for a book's facing pages.
    pub fn for_settings(settings: &ir::Settings) -> Self {
        let (width, height, default_size): (f32, f32, f32) = match settings.paper {
            Paper::A5 => (419.53, 595.28, 10.0),
            Paper::A4 => (595.28, 841.89, 11.5),
            Paper::Letter => (612.0, 792.0, 11.5),
            Paper::Trade => (432.0, 648.0, 10.5),
        };
        let typography = settings.typography;
        let body_size = typography.font_size.unwrap_or(default_size);
        let leading = typography
            .leading
            .unwrap_or_else(|| (body_size * LEADING_RATIO).round());
        let top = typography.margins.top.unwrap_or(height * TOP_SHARE);
        let bottom = typography.margins.bottom.unwrap_or(height * BOTTOM_SHARE);
        // Whole lines, so that the last line of a full page sits on the block's foot.
        let lines = ((height - top - bottom) / leading).floor().max(0.0);
        let plain = PageGeometry {
            width,
            height,
            inner: 0.0,
            outer: 0.0,
            facing: false,
            recto_openings: false,
            top,
            measure: natural_measure(width, body_size),
            text_height: lines * leading,
            body_size,
            leading,
            typography,
        };
        plain.for_shape(ir::BookShape::Article)
    }

    /// The page of [`PageGeometry::for_settings`] with no `[typography]`: the defaults for
    /// `paper`.
    pub fn for_paper(paper: Paper) -> Self {
        Self::for_settings(&ir::Settings {
            paper,
            ..ir::Settings::default()
        })
    }

    /// The same page for a publication of `shape`: facing pages for a book, the inner
    /// margin narrower than the outer by [`INNER_TO_OUTER`]; one margin on both sides for
    /// an article; then the inner and outer margins `book.toml` gives instead, the measure
    /// what they leave. Without those the measure stays as it is, so lines break the same
    /// either way. The same whichever shape the page had before.
    pub fn for_shape(self, shape: ir::BookShape) -> Self {
        let natural = natural_measure(self.width, self.body_size);
        let margins = self.width - natural;
        let (inner, outer) = match shape {
            ir::BookShape::Book => {
                let inner = margins * INNER_TO_OUTER / (1.0 + INNER_TO_OUTER);
                (inner, margins - inner)
            }
            ir::BookShape::Article => (margins / 2.0, margins / 2.0),
        };
        let asked = self.typography.margins;
        let inner = asked.inner.unwrap_or(inner);
        let outer = asked.outer.unwrap_or(outer);
        let measure = if asked.inner.is_none() && asked.outer.is_none() {
            natural
        } else {
            self.width - inner - outer
        };
        let facing = shape == ir::BookShape::Book;
        PageGeometry {
            inner,
            outer,
            facing,
            recto_openings: facing && self.typography.chapter_opening == ir::ChapterOpening::Right,
            measure,
            ..self
        }
    }

    /// Left edge of the text block on a page of `side`.
    pub fn left(&self, side: Side) -> f32 {
        // Pages that do not face all have the inner margin on the left.
        if !self.facing || side == Side::Recto {
            self.inner
        } else {
            self.outer
        }
    }
}

/// The default measure on a page `width` wide for type of `body_size`.
fn natural_measure(width: f32, body_size: f32) -> f32 {
    (width * MEASURE_SHARE).min(body_size * MEASURE_EMS)
}

/// Lays a book out.
pub struct Layout<'a, 'f> {
    shaper: &'a Shaper<'f>,
    hyphenation: Hyphenation,
    /// Words set so far in the book's paragraphs, for the next time each comes.
    set_words: SetWords,
    geometry: PageGeometry,
    book: &'a Book,
    blocks: Vec<VBlock>,
    chapter: usize,
    /// Whether the next paragraph follows a heading or figure (no first-line indent).
    after_break: bool,
    /// The last block asked to stay with what follows (a heading).
    keep_next: bool,
    /// Space the next block pushed takes above it at least (the room below a quote).
    space_next: f32,
    /// Counter for [`VBlock::group`].
    groups: usize,
    /// Page breaking, fed block by block.
    paginator: Paginator,
    /// Pages of the current chapter handed to the sink so far.
    pages_done: usize,
    /// Bookmarks and anchors of the current chapter (pages counted within it).
    navigation: Navigation,
    /// Structure elements opened since the last block was pushed (see `tags`).
    pending_starts: Vec<StructKind>,
    /// Footnotes of the current chapter not yet called by a line (notes at the page foot).
    notes_waiting: Vec<&'a ir::Footnote>,
    /// Whether a note is being set (its own calls do not attach notes to its lines).
    setting_note: bool,
    /// Warnings from setting notes, handed on when the chapter ends.
    note_diagnostics: Diagnostics,
    /// The part of the chapter being set, for [`VBlock::source`]: `None` outside the
    /// running text (front matter, notes, colophon), `Some(None)` for the chapter title,
    /// `Some(Some(i))` for its top-level block `i`.
    source_block: Option<Option<usize>>,
    /// Words of that block set so far.
    source_words: usize,
    /// Whether the running text's glyph runs get their glyphs ([`PageSink::wants_glyphs`]).
    glyphs: bool,
}

/// The warning for characters no font covers, if any.
pub fn missing_characters_warning(missing: &[char]) -> Option<String> {
    if missing.is_empty() {
        return None;
    }
    let list: String = missing
        .iter()
        .map(|c| format!("{c} (U+{:04X})", u32::from(*c)))
        .collect::<Vec<_>>()
        .join(", ");
    Some(format!(
        "no font covers these characters; the PDF shows a replacement mark: {list}; add a \
         font that has them to the book (`[fonts] paths`) or install one on the system \
         (Chinese, Japanese, Korean: fonts-noto-cjk)"
    ))
}

/// Settings of a paragraph-like text block.
struct TextBlock {
    role: Role,
    style: TextStyle,
    leading: f32,
    alignment: Alignment,
    left: f32,
    right: f32,
    first_indent: f32,
    space_before: f32,
    keep_with_next: bool,
    hyphenate: bool,
    anchors: Vec<String>,
    outline: Option<(String, u8)>,
}

impl<'a, 'f> Layout<'a, 'f> {
    /// A layout of `book` on pages of `geometry`, its margins set for the book's shape
    /// ([`PageGeometry::for_shape`]).
    pub fn new(shaper: &'a Shaper<'f>, book: &'a Book, geometry: PageGeometry) -> Self {
        Layout {
            shaper,
            hyphenation: Hyphenation::for_language(&book.meta.language),
            set_words: SetWords::default(),
            geometry: geometry.for_shape(book.shape),
            book,
            blocks: Vec::new(),
            chapter: 0,
            after_break: true,
            keep_next: false,
            space_next: 0.0,
            groups: 0,
            paginator: Paginator::new(geometry.text_height)
                .with_note_skip(geometry.leading * NOTE_SKIP),
            pages_done: 0,
            navigation: Navigation::default(),
            pending_starts: Vec::new(),
            notes_waiting: Vec::new(),
            setting_note: false,
            note_diagnostics: Diagnostics::default(),
            source_block: None,
            source_words: 0,
            glyphs: true,
        }
    }

    /// Leave the glyphs out of the running text's glyph runs: for a sink that does not
    /// draw ([`PageSink::wants_glyphs`]). Pages break exactly as with them: layout and
    /// pagination read the runs' places and sizes, never their glyphs.
    pub fn without_glyphs(mut self) -> Self {
        self.glyphs = false;
        self
    }

    /// Lay out the whole book into pages held in memory, internal links resolved.
    pub fn run(self, diagnostics: &mut Diagnostics) -> LaidOutDocument {
        let mut document = LaidOutDocument::default();
        // Collecting pages in memory cannot fail.
        let navigation = self
            .run_into(&mut document, diagnostics)
            .unwrap_or_default();
        for page in &mut document.pages {
            page.items.retain_mut(|item| match item {
                PageItem::Link { target, .. } => match navigation.resolve(target) {
                    Some((page, y)) => {
                        if matches!(target, LinkDestination::Anchor(_)) {
                            *target = LinkDestination::Internal { page, y };
                        }
                        true
                    }
                    None => matches!(target, LinkDestination::Uri(_)),
                },
                _ => true,
            });
        }
        document.navigation = navigation;
        document
    }

    /// Lay the book out, handing each page to `sink` as soon as it is final, so that memory
    /// stays proportional to a page rather than to the book. Internal links point at
    /// anchors; the returned [`Navigation`] says where those landed.
    pub fn run_into(
        mut self,
        sink: &mut dyn PageSink,
        diagnostics: &mut Diagnostics,
    ) -> Result<Navigation> {
        let shaper = self.shaper;
        let mut book_pages = BookPages::new(Decorator::new(shaper, self.book, self.geometry), sink);
        front_matter_into(shaper, self.book, self.geometry, &mut book_pages)?;
        for unit in flow_units(self.book) {
            let part = self.chapters(unit, &mut |page| book_pages.page(page), diagnostics)?;
            book_pages.chapter_done(part);
        }
        if let Some(warning) = missing_characters_warning(&shaper.missing_characters()) {
            diagnostics.warn(warning);
        }
        Ok(book_pages.into_navigation())
    }

    /// Lay out the chapters of one unit of [`flow_units`] as one flow, pages numbered from 0
    /// within it: the first opens a page, the others (an article's sections) run on after
    /// the text before them. The navigation returned counts pages within the unit.
    pub fn chapters(
        &mut self,
        unit: Range<usize>,
        sink: &mut dyn FnMut(ChapterPage) -> Result<()>,
        diagnostics: &mut Diagnostics,
    ) -> Result<Navigation> {
        self.paginator = Paginator::new(self.geometry.text_height)
            .with_note_skip(self.geometry.leading * NOTE_SKIP);
        self.pages_done = 0;
        let first = unit.start;
        for index in unit {
            let Some(chapter) = self.book.chapters.get(index) else {
                break;
            };
            self.chapter = index;
            self.start_notes();
            (self.source_block, self.source_words) = (Some(None), 0);
            if index == first {
                self.chapter_opening(chapter);
            } else {
                self.section_opening(chapter);
            }
            self.emit_pages(sink)?;
            for (block_index, block) in chapter.blocks.iter().enumerate() {
                (self.source_block, self.source_words) = (Some(Some(block_index)), 0);
                match block {
                    Block::Paragraph(inlines) if text_len(inlines) > GIANT_PARAGRAPH => {
                        self.giant_paragraph(inlines, sink)?;
                    }
                    _ => self.blocks_of(std::slice::from_ref(block), 0.0, 0.0, diagnostics),
                }
                self.emit_pages(sink)?;
            }
            self.source_block = None;
            self.end_notes(diagnostics);
            self.close();
            // The colophon follows the last chapter, as a section of its own.
            self.article_colophon(index);
            self.emit_pages(sink)?;
        }
        self.paginator.finish();
        self.emit_pages(sink)?;
        Ok(std::mem::take(&mut self.navigation))
    }

    /// A chapter that runs on after the text before it (an article's section): its title
    /// as a heading with room above, kept with the text that follows, in the chapter's own
    /// section of the structure.
    fn section_opening(&mut self, chapter: &ir::Chapter) {
        let g = self.geometry;
        let mut style = self.heading_style();
        style.size = (g.body_size * SECTION_TITLE_SCALE).round();
        style.style.bold = true;
        self.open(StructKind::Chapter);
        self.text_block(
            &chapter.title,
            TextBlock {
                role: Role::Heading(1),
                leading: (style.size * 1.3).round(),
                style,
                alignment: Alignment::Left,
                left: 0.0,
                right: g.measure * 0.1,
                first_indent: 0.0,
                space_before: g.leading * SECTION_SPACE_ABOVE,
                keep_with_next: true,
                hyphenate: false,
                anchors: vec![chapter.id.clone()],
                outline: Some((chapter.title_text(), 1)),
            },
        );
        self.after_break = true;
    }

    /// The vertical list of the whole book, unpaginated (for tests of the list itself).
    #[cfg(test)]
    fn build(&mut self, diagnostics: &mut Diagnostics) {
        let book = self.book;
        for (index, chapter) in book.chapters.iter().enumerate() {
            self.chapter = index;
            self.start_notes();
            self.chapter_opening(chapter);
            self.blocks_of(&chapter.blocks, 0.0, 0.0, diagnostics);
            self.end_notes(diagnostics);
            self.close();
        }
    }

    fn body_style(&self) -> TextStyle {
        TextStyle::body(self.geometry.body_size)
    }

    /// The body style for headings: lining figures, which stand as tall as the capitals a
    /// heading starts with (running text takes the book's figures, see `Figures::Text`).
    /// Where the text being set stands in the book (for [`VBlock::source`]), if it is
    /// running text.
    fn text_point(&self) -> Option<crate::typeset::frame::TextPoint> {
        let block = self.source_block.filter(|_| !self.setting_note)?;
        Some(crate::typeset::frame::TextPoint {
            chapter: self.chapter,
            block,
            word: self.source_words,
        })
    }

    fn heading_style(&self) -> TextStyle {
        let mut style = self.body_style();
        style.family = Family::Heading;
        style.style.features.figures = Figures::Lining;
        style
    }

    fn chapter_opening(&mut self, chapter: &ir::Chapter) {
        if self.article_title_block(chapter) {
            return;
        }
        let g = self.geometry;
        let mut sink = VBlock::new(g.text_height * 0.16, self.chapter);
        sink.flow = Flow::NewPage;
        self.open(StructKind::Chapter);
        self.push_block(sink);
        let size = (g.body_size * 1.7).round();
        let mut style = self.heading_style();
        style.size = size;
        style.style.bold = true;
        let first = self.blocks.len();
        self.text_block(
            &chapter.title,
            TextBlock {
                role: Role::Heading(1),
                style,
                leading: (size * 1.25).round(),
                alignment: Alignment::Left,
                left: 0.0,
                right: g.measure * 0.1,
                first_indent: 0.0,
                space_before: 0.0,
                keep_with_next: true,
                hyphenate: false,
                anchors: vec![chapter.id.clone()],
                outline: Some((chapter.title_text(), 1)),
            },
        );
        if let Some(block) = self.blocks.get_mut(first) {
            block.break_before = false;
        }
        self.keep_next = false;
        // A short rule under the title, then room before the text.
        let mut rule = VBlock::new(g.leading * 2.0, self.chapter);
        rule.break_before = false;
        self.keep_next = true;
        rule.content.push(Content::Item(PageItem::Rule {
            rect: Rect {
                x: 0.0,
                y: g.leading * 0.6,
                width: g.measure * 0.18,
                height: 0.6,
            },
            gray: 0.35,
        }));
        self.push_block(rule);
        self.after_break = true;
    }

    fn blocks_of(
        &mut self,
        blocks: &[Block],
        left: f32,
        right: f32,
        diagnostics: &mut Diagnostics,
    ) {
        let g = self.geometry;
        for block in blocks {
            match block {
                Block::Paragraph(inlines) => {
                    let settings = self.paragraph_settings(left, right);
                    self.text_block(inlines, settings);
                    self.after_break = false;
                }
                Block::Heading { level, id, content } => {
                    let mut style = self.heading_style();
                    // One cue per level, each quieter than the last: size and bold, bold,
                    // small capitals (an acronym among them too), italic.
                    match level {
                        2 => {
                            style.size = (g.body_size * 1.2).round();
                            style.style.bold = true;
                        }
                        3 => style.style.bold = true,
                        4 => style.style.features.caps = Caps::SmallAcronyms,
                        _ => style.style.italic = true,
                    }
                    let leading = (style.size * 1.3).round();
                    self.text_block(
                        content,
                        TextBlock {
                            role: Role::Heading(*level),
                            leading,
                            style,
                            alignment: Alignment::Left,
                            left,
                            right: right + g.measure * 0.1,
                            first_indent: 0.0,
                            space_before: g.leading * 1.2,
                            keep_with_next: true,
                            hyphenate: false,
                            anchors: vec![id.clone()],
                            outline: Some((ir::plain_text(content), *level)),
                        },
                    );
                    self.after_break = true;
                }
                Block::Figure(figure) => {
                    self.figure(figure, left, right, diagnostics);
                    self.after_break = true;
                }
                Block::List(list) => self.list(list, left, right, diagnostics),
                Block::BlockQuote(inner) => self.block_quote(inner, left, right, diagnostics),
                Block::CodeBlock { code, .. } => {
                    self.code_block(code, left, right);
                    self.after_break = true;
                }
                Block::Table(table) => {
                    self.table(table, left, right, diagnostics);
                    self.after_break = true;
                }
                Block::ThematicBreak => {
                    let mut style = self.body_style();
                    style.gray = 0.3;
                    self.text_block(
                        &[Inline::Text("*\u{2003}*\u{2003}*".into())],
                        TextBlock {
                            role: Role::Artifact,
                            style,
                            leading: g.leading,
                            alignment: Alignment::Center,
                            left,
                            right,
                            first_indent: 0.0,
                            space_before: g.leading * 0.5,
                            keep_with_next: false,
                            hyphenate: false,
                            anchors: Vec::new(),
                            outline: None,
                        },
                    );
                    self.after_break = true;
                }
            }
        }
    }

    /// How a body paragraph is set at this point (indented unless it follows a break).
    fn paragraph_settings(&self, left: f32, right: f32) -> TextBlock {
        let g = self.geometry;
        let first_indent = if self.after_break || left > 0.0 {
            0.0
        } else {
            g.body_size * 1.2
        };
        TextBlock {
            role: Role::Paragraph,
            style: self.body_style(),
            leading: g.leading,
            alignment: Alignment::Justify,
            left,
            right,
            first_indent,
            space_before: if left > 0.0 { g.leading * 0.3 } else { 0.0 },
            keep_with_next: false,
            hyphenate: true,
            anchors: Vec::new(),
            outline: None,
        }
    }

    /// A body paragraph of more than [`GIANT_PARAGRAPH`] bytes (a pasted text with no blank
    /// lines, say), set a section at a time so that memory holds one section, not the
    /// paragraph: each section of about [`PARAGRAPH_SECTION`] bytes is broken into lines
    /// with Knuth–Plass, all but its last lines are kept (ending at a word space), and the
    /// next section starts with the words of the lines let go, so every kept line was
    /// chosen with the lines after it in view. Pages are handed on between sections.
    fn giant_paragraph(
        &mut self,
        inlines: &[Inline],
        sink: &mut dyn FnMut(ChapterPage) -> Result<()>,
    ) -> Result<()> {
        let mut settings = self.paragraph_settings(0.0, 0.0);
        let measure = (self.geometry.measure - settings.left - settings.right).max(24.0);
        let mut spans = Vec::new();
        inline_spans(inlines, &settings.style, &mut spans);
        let mut position = (0, 0);
        let mut first = true;
        loop {
            let (section, end) = section_of(&spans, position, PARAGRAPH_SECTION);
            let last = end.0 >= spans.len();
            let mut builder = ParagraphBuilder::new(self.shaper, &self.hyphenation, measure)
                .reusing_words(&self.set_words)
                .recording_restarts();
            if first {
                builder.indent(settings.first_indent);
            }
            builder.add_spans(&section);
            let (paragraph, lines) = builder.finish(settings.alignment);
            // Keep the lines up to the last one, two from the end, that breaks at a space;
            // without one (a giant word), keep them all and go on from the section's end.
            let restart = if last {
                None
            } else {
                (1..lines.len().saturating_sub(2)).rev().find_map(|keep| {
                    let at = lines[keep - 1].end;
                    let found = paragraph.restarts.binary_search_by_key(&at, |r| r.item);
                    found.ok().map(|i| (keep, paragraph.restarts[i]))
                })
            };
            let (keep, next) = match restart {
                Some((keep, r)) => {
                    let offset = if r.span == 0 { position.1 } else { 0 };
                    (keep, (position.0 + r.span, offset + r.offset))
                }
                None => (lines.len(), end),
            };
            let set =
                set_lines_of_part(paragraph, &lines[..keep], settings.alignment, measure, last);
            self.push_lines_of_part(set, &settings, !first, !last, None);
            self.emit_pages(sink)?;
            if last {
                break;
            }
            position = next;
            first = false;
            settings.first_indent = 0.0;
        }
        self.keep_next = false;
        self.after_break = false;
        Ok(())
    }

    /// Set inlines as lines and push one block per line, with break permissions that
    /// avoid widows and orphans (at least two lines on each side of a page break).
    fn text_block(&mut self, inlines: &[Inline], mut settings: TextBlock) {
        // Anchors inside the text (`<a id>`) land on the block's first line.
        ir::collect_inline_anchors(inlines, &mut settings.anchors);
        let mut spans = Vec::new();
        inline_spans(inlines, &settings.style, &mut spans);
        self.spans_block(&spans, settings);
    }

    fn spans_block(&mut self, spans: &[Span], settings: TextBlock) {
        let measure = (self.geometry.measure - settings.left - settings.right).max(24.0);
        // Running text may be set a line longer for a full page; headings, captions and
        // notes keep their one setting.
        let may_loosen = settings.role == Role::Paragraph
            && settings.alignment == Alignment::Justify
            && !self.setting_note;
        let (lines, looser) = self.set_paragraph(spans, &settings, measure, may_loosen);
        self.push_lines_of_part(lines, &settings, false, false, looser);
        self.keep_next = settings.keep_with_next;
    }

    /// Set spans into lines.
    fn set_spans(&self, spans: &[Span], settings: &TextBlock, measure: f32) -> Vec<SetLine> {
        self.set_paragraph(spans, settings, measure, false).0
    }

    /// Set spans into lines; with `may_loosen`, also what it takes to seek a setting one
    /// line longer later ([`PendingLooser`]), if the paragraph may have one.
    fn set_paragraph(
        &self,
        spans: &[Span],
        settings: &TextBlock,
        measure: f32,
        may_loosen: bool,
    ) -> (Vec<SetLine>, Option<PendingLooser>) {
        let mut builder = ParagraphBuilder::new(self.shaper, &self.hyphenation, measure)
            .reusing_words(&self.set_words);
        if !settings.hyphenate {
            builder = builder.without_hyphenation();
        }
        builder.indent(settings.first_indent);
        builder.add_spans(spans);
        let (paragraph, lines) = builder.finish(settings.alignment);
        let page_lines = (self.geometry.text_height / settings.leading) as usize;
        let looser =
            (may_loosen && may_be_looser(lines.len(), page_lines)).then(|| PendingLooser {
                paragraph: paragraph.clone(),
                lines: lines.clone(),
                measure,
                page_lines,
                alignment: settings.alignment,
                left: settings.left,
                leading: settings.leading,
                role: settings.role,
                glyphs: self.glyphs,
            });
        (
            set_lines(paragraph, &lines, settings.alignment, measure),
            looser,
        )
    }

    /// Push the lines of a paragraph, or of one section of a giant paragraph: `after_part`
    /// when lines of the paragraph came before, `part_follows` when more will come. A
    /// `looser` setting (one line more, and its cost) rides on the last line's block.
    fn push_lines_of_part(
        &mut self,
        lines: Vec<SetLine>,
        settings: &TextBlock,
        after_part: bool,
        part_follows: bool,
        looser: Option<PendingLooser>,
    ) {
        let n = lines.len();
        let mut first_prefix = 0;
        let follows_keep = !after_part && std::mem::take(&mut self.keep_next);
        if !after_part {
            self.groups += 1;
        }
        let element = tags::element_of(settings.role);
        if let Some(kind) = element.clone().filter(|_| !after_part) {
            self.open(kind);
        }
        for (j, line) in lines.into_iter().enumerate() {
            let mut block = VBlock::new(settings.leading, self.chapter);
            block.source = self.text_point();
            if !self.setting_note {
                // A word ends at each word space, the one a line breaks at included.
                self.source_words += line.pieces.iter().filter(|(_, p)| p.space_after).count();
            }
            let baseline = settings.leading * BASELINE_IN_LEADING;
            block.baseline = Some(baseline);
            block.group = Some(self.groups);
            block.break_before = if j == 0 && !after_part {
                !follows_keep
            } else {
                !settings.keep_with_next && (after_part || j >= 2) && (part_follows || n - j >= 2)
            };
            if j == 0 && !after_part {
                block.space_before = settings.space_before;
                block.anchors = settings.anchors.clone();
                block.outline = settings.outline.clone();
            }
            line_content(
                &line,
                settings.left,
                baseline,
                settings.role,
                self.glyphs,
                &mut block.content,
            );
            block.notes = self.notes_called(&block.content);
            if j == 0 {
                first_prefix = self.pending_start_count();
            }
            self.push_block(block);
        }
        if let Some(pending) = looser.filter(|pending| n > 0 && pending.lines.len() == n) {
            if let Some(block) = self.blocks.last_mut() {
                block.looser = Some(Box::new(Looser {
                    lines: n,
                    extra: settings.leading,
                    first_prefix,
                    last_line_end: block.content.len(),
                    setting: LooserSetting::Pending(Box::new(pending)),
                }));
            }
        }
        if element.is_some() && !part_follows {
            self.close();
        }
    }
}

/// What it takes to set a paragraph one line longer ([`looser_lines`]), kept on its last
/// line's block and settled only when a page would end short around it. Seeking the longer
/// setting of every paragraph took a tenth of a book's layout, for the one or two pages in
/// a hundred that use one.
#[derive(Debug, Clone)]
pub struct PendingLooser {
    paragraph: Paragraph,
    lines: Vec<Line>,
    measure: f32,
    page_lines: usize,
    alignment: Alignment,
    left: f32,
    leading: f32,
    role: Role,
    glyphs: bool,
}

impl PendingLooser {
    /// The longer setting, if one reads as well: the new content of each of the
    /// paragraph's blocks (the last holds the last two lines) and its cost, as
    /// [`Looser`] keeps them.
    pub fn settle(self) -> Option<(Vec<Vec<Content>>, f32)> {
        let n = self.lines.len();
        let (longer, cost) =
            looser_lines(&self.paragraph, &self.lines, self.measure, self.page_lines)?;
        let set = set_lines(self.paragraph, &longer, self.alignment, self.measure);
        if n == 0 || set.len() != n + 1 {
            return None;
        }
        let baseline = self.leading * BASELINE_IN_LEADING;
        let mut contents: Vec<Vec<Content>> = set
            .iter()
            .map(|line| {
                let mut content = Vec::new();
                line_content(
                    line,
                    self.left,
                    baseline,
                    self.role,
                    self.glyphs,
                    &mut content,
                );
                content
            })
            .collect();
        let extra_line = contents.pop().unwrap_or_default();
        let last = contents.last_mut()?;
        last.extend(
            extra_line
                .into_iter()
                .map(|item| offset_content(item, self.leading)),
        );
        Some((contents, cost))
    }
}

/// Where a line's baseline sits in its leading, from the top: the ascenders take about
/// four fifths of the line, the descenders and the gap to the next line the rest.
pub(super) const BASELINE_IN_LEADING: f32 = 0.78;

/// Room between the text and the footnotes at the foot of a page, in body leadings.
const NOTE_SKIP: f32 = 1.0;

/// Where the short rule over the footnotes sits in that room (0 top, 1 bottom): a little
/// below the middle, so that it reads as the notes' heading rather than the text's end.
const NOTE_RULE_AT: f32 = 0.55;

/// Length of the rule over the footnotes, as a fraction of the measure.
const NOTE_RULE_WIDTH: f32 = 0.25;

/// Thickness of the rule over the footnotes, in points (a hairline that still prints).
const NOTE_RULE_THICKNESS: f32 = 0.5;

/// An article's section title, relative to the body size (a chapter title is 1.7).
const SECTION_TITLE_SCALE: f32 = 1.2;

/// Room above a section title that runs on, in body lines.
const SECTION_SPACE_ABOVE: f32 = 1.5;

/// How the chapters flow, as units laid out apart (each opens a page; the pipeline lays
/// units out in parallel): a book's chapters one by one, an article's sections all in one
/// flow, so that they run on rather than each leaving a page half empty.
pub fn flow_units(book: &Book) -> Vec<Range<usize>> {
    let chapters = book.chapters.len();
    match book.shape {
        ir::BookShape::Article => std::iter::once(0..chapters).collect(),
        ir::BookShape::Book => (0..chapters).map(|index| index..index + 1).collect(),
    }
}

/// Paragraphs longer than this (bytes of text) are set a section at a time.
const GIANT_PARAGRAPH: usize = 64 * 1024;

/// The length of one section of a giant paragraph (about 130 lines on A5).
const PARAGRAPH_SECTION: usize = 8 * 1024;

/// The largest character boundary of `text` at or before `index`.
fn floor_boundary(text: &str, index: usize) -> usize {
    let mut index = index.min(text.len());
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// Bytes of text in inlines, to spot a giant paragraph without building it.
fn text_len(inlines: &[Inline]) -> usize {
    inlines
        .iter()
        .map(|inline| match inline {
            Inline::Text(text) | Inline::Code(text) => text.len(),
            Inline::Emphasis(inner)
            | Inline::Strong(inner)
            | Inline::Strikethrough(inner)
            | Inline::Styled { content: inner, .. } => text_len(inner),
            Inline::Link { content, .. } => text_len(content),
            _ => 1,
        })
        .sum()
}

/// The spans from `start` (span index, byte offset) on, about `limit` bytes of them, cut
/// just before a space where there is one; and where they end.
fn section_of(spans: &[Span], start: (usize, usize), limit: usize) -> (Vec<Span>, (usize, usize)) {
    let mut section = Vec::new();
    let mut taken = 0;
    let (mut index, mut offset) = start;
    while let Some(span) = spans.get(index) {
        let text = span.text.get(offset..).unwrap_or_default();
        if taken + text.len() <= limit {
            taken += text.len();
            section.push(Span {
                text: text.to_string(),
                style: span.style.clone(),
            });
            index += 1;
            offset = 0;
            continue;
        }
        // Cut at the first space past the limit, looking no further than another `limit`
        // bytes (a giant word would otherwise be searched to its end for every section);
        // failing that, at the limit itself. Always at a character boundary, never at 0.
        let mut at = floor_boundary(text, limit - taken);
        if at == 0 {
            // Take at least one character, so that every section moves on.
            at = text.chars().next().map_or(text.len(), char::len_utf8);
        }
        let window = floor_boundary(text, at.saturating_add(limit));
        let cut = text
            .get(at..window)
            .and_then(|rest| rest.find(' '))
            .map_or(at, |space| at + space);
        section.push(Span {
            text: text[..cut].to_string(),
            style: span.style.clone(),
        });
        return (section, (index, offset + cut));
    }
    (section, (spans.len(), 0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typeset::fonts::FontSet;
    use crate::typeset::frame::{GlyphRun, Page, PageItem};
    use crate::typeset::paginate::paginate;

    #[test]
    fn an_article_flows_as_one_unit_and_a_book_by_chapter() {
        let mut book = Book {
            chapters: vec![
                ir::Chapter {
                    id: "c".into(),
                    title: Vec::new(),
                    blocks: Vec::new(),
                    footnotes: Vec::new(),
                };
                3
            ],
            ..Book::default()
        };
        book.shape = ir::BookShape::Article;
        assert_eq!(flow_units(&book), std::iter::once(0..3).collect::<Vec<_>>());
        book.shape = ir::BookShape::Book;
        assert_eq!(flow_units(&book), [0..1, 1..2, 2..3]);
    }

    /// A long real manuscript: the seed article's paragraphs many times over, with section
    /// headings and figures in between.
    fn long_book(name: &str) -> Book {
        let dir =
            std::env::temp_dir().join(format!("presswork-layout-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let img = ::image::RgbImage::from_fn(1600, 1000, |x, y| {
            ::image::Rgb([(x % 256) as u8, (y % 256) as u8, 99])
        });
        img.save(dir.join("photo.png")).expect("png");
        let seed = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/article.txt"
        ))
        .expect("seed");
        let paragraphs: Vec<&str> = seed.split("\n\n").skip(4).take(12).collect();
        let mut text = String::from("# Long book\n\n");
        for round in 0..6 {
            text.push_str(&format!("## Part {round}\n\n"));
            for (n, p) in paragraphs.iter().enumerate() {
                text.push_str(p);
                text.push_str("\n\n");
                if n % 5 == 2 {
                    text.push_str(&format!("### Heading {round}.{n}\n\n"));
                }
                if n == 7 {
                    text.push_str("![A test pattern](photo.png)\n*Caption*\n— Credit\n\n");
                }
            }
        }
        std::fs::write(dir.join("long.md"), text).expect("write");
        let book = crate::load::load_book(
            &dir.join("long.md"),
            &Default::default(),
            &mut Diagnostics::default(),
        )
        .expect("loads");
        let _ = std::fs::remove_dir_all(&dir);
        book
    }

    /// Pages kept whole, or only where their text begins, as the EPUB's page list does.
    struct Kept {
        pages: Vec<Page>,
        glyphs: bool,
    }

    impl PageSink for Kept {
        fn page(&mut self, page: Page) -> crate::Result<()> {
            self.pages.push(page);
            Ok(())
        }

        fn wants_glyphs(&self) -> bool {
            self.glyphs
        }
    }

    #[test]
    fn a_sink_that_does_not_draw_gets_the_same_pages_without_glyphs_or_running_heads() {
        let book = long_book("no-glyphs");
        let fonts = FontSet::builtin().expect("fonts");
        let geometry = PageGeometry::for_paper(Paper::A5);
        let lay_out = |glyphs| {
            let mut sink = Kept {
                pages: Vec::new(),
                glyphs,
            };
            crate::typeset::pipeline::lay_out_into(
                &book,
                &fonts,
                geometry,
                &mut sink,
                &mut Diagnostics::default(),
            )
            .expect("lays out");
            sink.pages
        };
        let (drawn, counted) = (lay_out(true), lay_out(false));
        assert!(drawn.len() > 5, "a book of several pages: {}", drawn.len());
        let starts = |pages: &[Page]| pages.iter().map(|p| p.starts_at).collect::<Vec<_>>();
        assert_eq!(starts(&drawn), starts(&counted), "pages break alike");
        fn runs(pages: &[Page], role: Role) -> Vec<&GlyphRun> {
            pages
                .iter()
                .flat_map(|p| &p.items)
                .filter_map(|item| match item {
                    PageItem::Glyphs(run) if run.role == role => Some(run),
                    _ => None,
                })
                .collect()
        }
        // The running text's lines are where they were, with nothing in them.
        let (drawn_text, counted_text) = (
            runs(&drawn, Role::Paragraph),
            runs(&counted, Role::Paragraph),
        );
        assert!(!drawn_text.is_empty());
        assert!(drawn_text.iter().all(|run| !run.glyphs.is_empty()));
        assert!(counted_text.iter().all(|run| run.glyphs.is_empty()));
        let places = |runs: &[&GlyphRun]| {
            runs.iter()
                .map(|run| (run.x, run.baseline, run.size))
                .collect::<Vec<_>>()
        };
        assert_eq!(places(&drawn_text), places(&counted_text));
        // Running heads and folios are drawn on the drawn pages only.
        assert!(!runs(&drawn, Role::Artifact).is_empty());
        assert!(runs(&counted, Role::Artifact).is_empty());
    }

    #[test]
    fn real_layout_has_no_widows_orphans_or_stranded_headings() {
        let book = long_book("widows");
        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        let geometry = PageGeometry::for_paper(Paper::A5);
        let mut layout = Layout::new(&shaper, &book, geometry);
        layout.build(&mut Diagnostics::default());
        let plans = paginate(&layout.blocks, geometry.text_height);
        assert!(plans.len() > 12, "a long book: {} pages", plans.len());
        let mut split_paragraphs = 0;
        for pair in plans.windows(2) {
            let flow = |plan: &super::super::paginate::PagePlan| -> Vec<usize> {
                plan.placements
                    .iter()
                    .map(|p| p.block)
                    .filter(|b| layout.blocks[*b].flow != Flow::Float)
                    .collect()
            };
            let (before, after) = (flow(&pair[0]), flow(&pair[1]));
            let (Some(&last), Some(&first)) = (before.last(), after.first()) else {
                continue;
            };
            let last_block = &layout.blocks[last];
            // A heading (keep-with-next) never ends a page.
            assert!(
                !matches!(last_block.outline, Some((_, level)) if level > 1),
                "a heading ends a page"
            );
            if let (Some(a), Some(b)) = (last_block.group, layout.blocks[first].group) {
                if a == b {
                    split_paragraphs += 1;
                    let on_first = before
                        .iter()
                        .filter(|i| layout.blocks[**i].group == Some(a))
                        .count();
                    let on_second = after
                        .iter()
                        .filter(|i| layout.blocks[**i].group == Some(a))
                        .count();
                    assert!(
                        on_first >= 2 && on_second >= 2,
                        "orphan or widow: {on_first} + {on_second}"
                    );
                }
            }
        }
        assert!(
            split_paragraphs > 3,
            "the test must exercise paragraphs split across pages"
        );
        // Every page but chapter ends is reasonably full (no runaway backing up).
        for plan in &plans {
            assert!(!plan.placements.is_empty());
        }
    }

    /// An article of long paragraphs (three of the seed's run together) with a section
    /// heading after every fourth: headings that keep with their first lines leave pages
    /// short, and long paragraphs can take an extra line.
    fn long_paragraphs_book() -> Book {
        let seed = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/article.txt"
        ))
        .expect("seed");
        let paragraphs: Vec<&str> = seed.split("\n\n").skip(4).take(15).collect();
        let mut text = String::from("# Long paragraphs\n\n");
        for round in 0..8 {
            for n in 0..paragraphs.len() {
                let joined: Vec<&str> = (0..3)
                    .map(|k| paragraphs[(n + k + round) % paragraphs.len()])
                    .collect();
                text.push_str(&joined.join(" "));
                text.push_str("\n\n");
                if n % 4 == 3 {
                    text.push_str(&format!("## Section {round}.{n}\n\n"));
                }
            }
        }
        let dir =
            std::env::temp_dir().join(format!("presswork-layout-{}-loose", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join("long.md"), text).expect("write");
        let book = crate::load::load_book(
            &dir.join("long.md"),
            &Default::default(),
            &mut Diagnostics::default(),
        )
        .expect("loads");
        let _ = std::fs::remove_dir_all(&dir);
        book
    }

    /// How far short of the foot the pages of `blocks` (a one-flow article) end in all, the
    /// last page not counted, when paginated with or without paragraphs set a line longer;
    /// and how many paragraphs were.
    fn shortfall(blocks: &[VBlock], geometry: PageGeometry, loosen: bool) -> (f32, usize) {
        let mut paginator = Paginator::new(geometry.text_height);
        for block in blocks {
            let mut block = block.clone();
            if !loosen {
                block.looser = None;
            }
            paginator.push(block);
        }
        paginator.finish();
        let plans: Vec<_> = std::iter::from_fn(|| paginator.next_page()).collect();
        let mut short = 0.0;
        for (plan, next) in plans.iter().zip(&plans[1..]) {
            // A page before a section that opens a page ends where its section does.
            if next.opening {
                continue;
            }
            let last = plan.placements.last().expect("placed");
            let height = paginator.block_mut(last.block).map_or(0.0, |b| b.height);
            short += geometry.text_height - (last.y + height);
        }
        let lengthened = (0..blocks.len())
            .filter(|&i| {
                let height = blocks[i].height;
                paginator.block_mut(i).is_some_and(|b| b.height > height)
            })
            .count();
        (short, lengthened)
    }

    #[test]
    fn real_layout_sets_paragraphs_a_line_longer_to_fill_short_pages() {
        let book = long_paragraphs_book();
        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        let geometry = PageGeometry::for_paper(Paper::A5);
        // As the pipeline lays out an article: its sections run on in one flow.
        let mut layout = Layout::new(&shaper, &book, geometry);
        let mut diagnostics = Diagnostics::default();
        for (index, chapter) in book.chapters.iter().enumerate() {
            layout.chapter = index;
            layout.start_notes();
            if index == 0 {
                layout.chapter_opening(chapter);
            } else {
                layout.section_opening(chapter);
            }
            layout.blocks_of(&chapter.blocks, 0.0, 0.0, &mut diagnostics);
            layout.end_notes(&mut diagnostics);
            layout.close();
        }
        // Every paragraph that may read well a line longer carries its pending setting;
        // settled here (as the paginator does for those on a short page), those that do.
        let offered = layout
            .blocks
            .iter_mut()
            .filter_map(|b| b.looser.as_mut())
            .filter_map(|looser| looser.settle())
            .count();
        assert!(
            offered > 10,
            "paragraphs that read well a line longer: {offered}"
        );
        let (short_before, none) = shortfall(&layout.blocks, geometry, false);
        assert_eq!(none, 0);
        assert!(
            short_before > geometry.leading,
            "the book must have pages that end short"
        );
        let (short_after, lengthened) = shortfall(&layout.blocks, geometry, true);
        assert!(lengthened > 0);
        // Each paragraph set longer takes a line of what its page left empty.
        assert!(
            short_after <= short_before - geometry.leading + 0.01,
            "{short_after} pt short in all, {short_before} pt without looseness"
        );
        // A lengthened paragraph is one line taller, its new lines within the tolerance.
        for looser in layout.blocks.iter().filter_map(|b| b.looser.as_ref()) {
            assert_eq!(looser.extra, geometry.leading);
            match &looser.setting {
                LooserSetting::Ready(contents, cost) => {
                    assert_eq!(contents.len(), looser.lines);
                    assert!(*cost <= crate::typeset::text::LOOSER_MAX_RATIO);
                }
                LooserSetting::None => {}
                LooserSetting::Pending(_) => panic!("every setting was settled above"),
            }
        }
    }

    #[test]
    fn footnotes_sit_on_the_page_of_their_call() {
        let seed = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/article.txt"
        ))
        .expect("seed");
        let paragraphs: Vec<&str> = seed.split("\n\n").skip(4).take(12).collect();
        // Every paragraph calls a note, some two; every fifth note is six paragraphs
        // long (longer than the room under most lines), so notes run on across pages.
        let mut text = String::from("# Notes everywhere\n\n");
        let mut definitions = String::new();
        for round in 0..3 {
            text.push_str(&format!("## Part {round}\n\n"));
            for (n, p) in paragraphs.iter().enumerate() {
                let label = round * 100 + n;
                let cut = p.len() / 2;
                let cut = p[..cut].rfind(' ').unwrap_or(cut);
                text.push_str(&format!(
                    "{}[^a{label}]{}[^b{label}]\n\n",
                    &p[..cut],
                    &p[cut..]
                ));
                let long = if n % 5 == 0 {
                    let body: Vec<&str> = paragraphs
                        .iter()
                        .cycle()
                        .skip(n + 3)
                        .take(6)
                        .copied()
                        .collect();
                    body.join("\n\n    ")
                } else {
                    String::from("A short note.")
                };
                definitions.push_str(&format!("[^a{label}]: {long}\n\n[^b{label}]: Another.\n\n"));
            }
        }
        text.push_str(&definitions);
        let dir = std::env::temp_dir().join(format!("presswork-notes-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join("notes.md"), text).expect("write");
        let book = crate::load::load_book(
            &dir.join("notes.md"),
            &Default::default(),
            &mut Diagnostics::default(),
        )
        .expect("loads");
        let _ = std::fs::remove_dir_all(&dir);
        let notes = book
            .chapters
            .iter()
            .map(|c| c.footnotes.len())
            .sum::<usize>();
        assert_eq!(notes, 72);

        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        let geometry = PageGeometry::for_paper(Paper::A5);
        let mut document = crate::typeset::frame::LaidOutDocument::default();
        let navigation = Layout::new(&shaper, &book, geometry)
            .run_into(&mut document, &mut Diagnostics::default())
            .expect("laid out");
        let outline = crate::typeset::frame::LaidOutDocument {
            pages: document.pages.clone(),
            navigation: Default::default(),
        }
        .structure_outline();
        assert!(
            !outline.contains("unbalanced") && !outline.contains("unclosed"),
            "{outline}"
        );
        assert_eq!(outline.matches("Note { id").count(), 72);
        assert!(!outline.contains("\"Notes\""), "no endnotes heading");

        let mut called = std::collections::HashSet::new();
        let mut runs_on = 0;
        for (index, page) in document.pages.iter().enumerate() {
            let has_note_text = page
                .items
                .iter()
                .any(|item| matches!(item, PageItem::Glyphs(run) if run.role == Role::Footnote));
            for item in &page.items {
                let PageItem::Link {
                    target: LinkDestination::Anchor(id),
                    ..
                } = item
                else {
                    continue;
                };
                // The first call of each note: its text begins on this page.
                if id.starts_with("fn-") && called.insert(id.clone()) {
                    let (note_page, _) = navigation.anchors[id];
                    assert_eq!(note_page, index, "note {id} called on page {index}");
                    assert!(has_note_text);
                }
            }
            // Notes stay inside the text block, under the text.
            let bottom = geometry.top + geometry.text_height;
            let mut last_text: f32 = 0.0;
            let mut first_note = f32::MAX;
            for item in &page.items {
                if let PageItem::Glyphs(run) = item {
                    if run.role == Role::Footnote {
                        first_note = first_note.min(run.baseline);
                        assert!(run.baseline <= bottom + 0.01);
                    } else if run.role != Role::Artifact {
                        last_text = last_text.max(run.baseline);
                    }
                }
            }
            if first_note < f32::MAX && last_text > 0.0 {
                assert!(first_note > last_text + geometry.leading, "page {index}");
            }
            // A foot that does not open with a note's number continues a note.
            let foot_text: String = page
                .items
                .iter()
                .find_map(|item| match item {
                    PageItem::Glyphs(run) if run.role == Role::Footnote => {
                        Some(run.glyphs.iter().map(|g| g.text.as_str()).collect())
                    }
                    _ => None,
                })
                .unwrap_or_default();
            let numbered = foot_text
                .split_once('.')
                .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
            if !foot_text.is_empty() && !numbered {
                runs_on += 1;
            }
        }
        assert_eq!(called.len(), 72, "every note called");
        assert!(runs_on >= 3, "long notes run on: {runs_on} pages");
    }

    #[test]
    fn figure_stays_whole_with_caption_and_credit_inside_the_text_block() {
        let book = long_book("figures");
        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        let geometry = PageGeometry::for_paper(Paper::A5);
        let document = Layout::new(&shaper, &book, geometry).run(&mut Diagnostics::default());
        let mut figures = 0;
        for page in &document.pages {
            let image = page.items.iter().find_map(|item| match item {
                PageItem::Image { rect, .. } => Some(*rect),
                _ => None,
            });
            let Some(rect) = image else { continue };
            figures += 1;
            assert!(rect.y + rect.height <= geometry.top + geometry.text_height + 0.01);
            assert!(
                (rect.width / rect.height - 1.6).abs() < 0.01,
                "aspect ratio kept"
            );
            // Caption and credit runs are on the same page, below the image.
            let below = |role: Role| {
                page.items.iter().any(|item| matches!(item, PageItem::Glyphs(run) if run.role == role && run.baseline > rect.y + rect.height))
            };
            assert!(below(Role::Caption) && below(Role::Credit));
        }
        assert_eq!(figures, 6);
        let geometry = geometry.for_shape(book.shape);
        for (index, page) in document.pages.iter().enumerate() {
            let left = geometry.left(Side::of_page(index));
            for item in &page.items {
                if let PageItem::Glyphs(run) = item {
                    let right = run.x + run.glyphs.last().map_or(0.0, |g| g.x);
                    // A quote or dash starting a line may hang into the left margin.
                    let hang = run.size * crate::typeset::text::MAX_HANG;
                    assert!(run.x >= left - hang - 0.01 && right <= left + geometry.measure + 0.01);
                }
            }
        }
    }

    #[test]
    fn facing_pages_mirror_the_margins_and_keep_the_measure() {
        for paper in [Paper::A5, Paper::A4, Paper::Letter, Paper::Trade] {
            let plain = PageGeometry::for_paper(paper);
            let book = plain.for_shape(ir::BookShape::Book);
            let article = plain.for_shape(ir::BookShape::Article);
            assert!(book.facing && !article.facing);
            assert_eq!(book.measure, plain.measure);
            assert!((book.inner / book.outer - INNER_TO_OUTER).abs() < 1e-4);
            assert!((book.inner + book.measure + book.outer - book.width).abs() < 0.01);
            assert_eq!(book.left(Side::Recto), book.inner);
            assert_eq!(book.left(Side::Verso), book.outer);
            assert!(book.left(Side::Recto) < book.left(Side::Verso));
            // An article keeps its one margin on both sides, as the plain geometry has it.
            for side in [Side::Recto, Side::Verso] {
                assert_eq!(article.left(side), plain.left(side));
            }
            assert_eq!(plain.inner, plain.outer);
        }
        let sides: Vec<Side> = (0..4).map(Side::of_page).collect();
        assert_eq!(sides, [Side::Recto, Side::Verso, Side::Recto, Side::Verso]);
    }

    /// No `[typography]` is the page presswork has always set, worked out by hand here.
    #[test]
    fn the_default_page_is_the_one_before_typography_settings() {
        let near = |a: f32, b: f32| (a - b).abs() < 0.01;
        // A5, 419.53 × 595.28 pt: 10 pt on 14 (10 × 1.38 = 13.8); measure 74 % of the
        // width (310.45 < 33 em = 330); top 9.5 % (56.55), bottom 11.5 % (68.46), leaving
        // 470.27 pt: 33 lines of 14 = 462.
        let a5 = PageGeometry::for_settings(&ir::Settings::default());
        assert_eq!((a5.body_size, a5.leading), (10.0, 14.0));
        assert!(near(a5.measure, 310.45) && near(a5.inner, 54.54), "{a5:?}");
        assert!(near(a5.top, 56.55) && near(a5.text_height, 462.0), "{a5:?}");
        // A4: 11.5 pt on 16 (15.87); measure 33 em (379.5 < 440.5).
        let a4 = PageGeometry::for_paper(Paper::A4);
        assert_eq!((a4.body_size, a4.leading), (11.5, 16.0));
        assert!(near(a4.measure, 379.5), "{a4:?}");
        // A book's margins on A5: 109.08 pt shared 2 : 3; chapters open on rectos.
        let book = a5.for_shape(ir::BookShape::Book);
        assert!(
            near(book.inner, 43.63) && near(book.outer, 65.45),
            "{book:?}"
        );
        assert!(book.recto_openings);
    }

    /// `[typography]` values replace the defaults one by one; the measure is what the
    /// side margins leave, and the shape applies whichever margin is not given.
    #[test]
    fn typography_settings_replace_the_defaults() {
        let settings = |typography: ir::Typography| ir::Settings {
            typography,
            ..ir::Settings::default()
        };
        let big = PageGeometry::for_settings(&settings(ir::Typography {
            font_size: Some(12.0),
            ..ir::Typography::default()
        }));
        // 12 × 1.38 = 16.56: 17 pt leading; 470.27 / 17: 27 lines.
        assert_eq!(
            (big.body_size, big.leading, big.text_height),
            (12.0, 17.0, 459.0)
        );
        let margins = ir::Margins {
            top: Some(72.0),
            bottom: Some(36.0),
            inner: Some(50.0),
            outer: None,
        };
        let g = PageGeometry::for_settings(&settings(ir::Typography {
            leading: Some(13.0),
            margins,
            chapter_opening: ir::ChapterOpening::Any,
            ..ir::Typography::default()
        }));
        assert_eq!((g.body_size, g.leading, g.top), (10.0, 13.0, 72.0));
        // 595.28 − 108 = 487.28: 37 lines of 13.
        assert_eq!(g.text_height, 37.0 * 13.0);
        let book = g.for_shape(ir::BookShape::Book);
        assert_eq!(book.inner, 50.0);
        assert!(
            (book.outer - 65.45).abs() < 0.01,
            "the book default: {book:?}"
        );
        assert!((book.measure - (419.53 - 50.0 - book.outer)).abs() < 0.01);
        assert!(!book.recto_openings);
        let article = g.for_shape(ir::BookShape::Article);
        assert!((article.outer - 54.54).abs() < 0.01, "the article default");
        // An article's pages all have the inner margin on the left.
        assert_eq!(article.left(Side::Verso), 50.0);
        // The shape is applied afresh, not on top of the last one.
        let again = article.for_shape(ir::BookShape::Book);
        assert_eq!((again.inner, again.outer), (book.inner, book.outer));
        assert_eq!(again.measure, book.measure);
    }

    #[test]
    fn blank_lines_in_code_are_kept() {
        let book = Book {
            chapters: vec![ir::Chapter {
                id: "c".into(),
                title: vec![Inline::Text("C".into())],
                blocks: vec![Block::CodeBlock {
                    language: None,
                    code: "a\n\nb".into(),
                }],
                footnotes: Vec::new(),
            }],
            ..Book::default()
        };
        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        let mut layout = Layout::new(&shaper, &book, PageGeometry::for_paper(Paper::A5));
        layout.build(&mut Diagnostics::default());
        let code_lines = layout
            .blocks
            .iter()
            .filter(|b| {
                b.content
                    .iter()
                    .any(|c| matches!(c, Content::Item(PageItem::Rule { gray, .. }) if *gray > 0.6))
            })
            .count();
        assert_eq!(code_lines, 3);
    }

    #[test]
    fn sections_cut_at_a_space_or_a_character_and_always_move_on() {
        let style = TextStyle::body(10.0);
        let span = |text: &str| Span {
            text: text.into(),
            style: style.clone(),
        };
        // At the first space past the limit.
        let spans = [span("aaaa bbbb cccc")];
        let (section, end) = section_of(&spans, (0, 0), 6);
        assert_eq!((section[0].text.as_str(), end), ("aaaa bbbb", (0, 9)));
        // A giant word: at the limit, on a character boundary (é is two bytes).
        let spans = [span(&"é".repeat(100))];
        let (section, end) = section_of(&spans, (0, 0), 7);
        assert_eq!((section[0].text.as_str(), end), ("ééé", (0, 6)));
        // A full section ending exactly at a span's end: the next span gives at least one
        // character.
        let spans = [span("abc"), span("éé")];
        let (section, end) = section_of(&spans, (0, 0), 3);
        assert_eq!(section.len(), 2);
        assert_eq!((section[1].text.as_str(), end), ("é", (1, 2)));
        // The last section takes the rest.
        let (section, end) = section_of(&spans, (1, 2), 3);
        assert_eq!((section[0].text.as_str(), end), ("é", (2, 0)));
    }

    #[test]
    fn a_giant_paragraph_is_set_in_sections_without_losing_a_word() {
        // About 200 KB in one paragraph: two dozen sections. The seed article's words (letters
        // only) in a pseudo-random order, so that the drawn text, hyphens removed, must equal
        // the source with its spaces removed.
        let article = include_str!("../../../tests/data/article.txt");
        let vocabulary: Vec<String> = article
            .split_whitespace()
            .map(|w| {
                w.chars()
                    .filter(char::is_ascii_alphabetic)
                    .collect::<String>()
            })
            .filter(|w| !w.is_empty())
            .collect();
        let mut seed = 7u32;
        let mut words = Vec::new();
        let mut length = 0;
        while length < 200_000 {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let word = vocabulary[(seed >> 8) as usize % vocabulary.len()].clone();
            length += word.len() + 1;
            words.push(word);
        }
        let text = words.join(" ");
        assert!(text.len() > GIANT_PARAGRAPH);
        let book = Book {
            chapters: vec![ir::Chapter {
                id: "c".into(),
                title: vec![Inline::Text("C".into())],
                blocks: vec![Block::Paragraph(vec![Inline::Text(text.clone())])],
                footnotes: Vec::new(),
            }],
            ..Book::default()
        };

        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        let geometry = PageGeometry::for_paper(Paper::A5);
        let document = Layout::new(&shaper, &book, geometry).run(&mut Diagnostics::default());
        let mut drawn = String::new();
        let mut short_lines = 0;
        let geometry = geometry.for_shape(book.shape);
        for (index, page) in document.pages.iter().enumerate() {
            let left = geometry.left(Side::of_page(index));
            for item in &page.items {
                let PageItem::Glyphs(run) = item else {
                    continue;
                };
                if run.role != Role::Paragraph {
                    continue;
                }
                drawn.extend(run.glyphs.iter().map(|g| g.text.as_str()));
                let right = run.x + run.glyphs.last().map_or(0.0, |g| g.x);
                if right - left < geometry.measure * 0.8 {
                    short_lines += 1;
                }
            }
        }
        let drawn = drawn.replace('-', "");
        let expected = text.replace(' ', "");
        assert!(
            drawn == expected,
            "text lost or repeated ({} vs {} bytes)",
            drawn.len(),
            expected.len()
        );
        // Only the paragraph's own last line may be short: no ragged line at a section end.
        assert!(short_lines <= 1, "{short_lines} short lines");
    }
}
