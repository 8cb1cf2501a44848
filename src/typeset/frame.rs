//! Laid-out pages: what the typesetter produces and the PDF writer draws. This is the
//! contract between them (as Typst's frames are between `typst-layout` and `typst-pdf`):
//! nothing here knows about Markdown or about PDF syntax.
//!
//! A page is a list of items in drawing and reading order: glyph runs that keep their text
//! (per glyph, cluster by cluster) and their word spaces, images with their alternative
//! text, rules, link areas, and structure [`Tag`]s. Tags open and close the elements of the
//! book's logical structure (chapter, heading, paragraph, list › item › label/body, table ›
//! row › cell, figure + caption, quote, code, note, link, language span) around the items
//! they hold. They nest like parentheses across the whole document: an element opened on
//! one page may close on a later one (a paragraph broken across a page turn). Content
//! belongs to the innermost open element; glyph runs with [`Role::Artifact`] and rules are
//! never content (running heads, folios, ornaments, borders).
//!
//! Coordinates are in PostScript points with the origin at the page's top-left corner and
//! y growing downwards (the writer flips them for PDF).

use std::collections::HashMap;

use compact_str::CompactString;

use crate::ir::AssetId;

use super::fonts::FontId;

/// A whole laid-out document, held in memory (tests and benchmarks; a build streams its
/// pages through a [`PageSink`] instead).
#[derive(Debug, Clone, Default)]
pub struct LaidOutDocument {
    /// Pages in order.
    pub pages: Vec<Page>,
    /// Bookmarks and anchors.
    pub navigation: Navigation,
}

impl PageSink for LaidOutDocument {
    fn page(&mut self, page: Page) -> crate::Result<()> {
        self.pages.push(page);
        Ok(())
    }
}

/// Where layout hands each page as soon as it is finished, in order. A page is final when
/// handed over; only [`Navigation`] (known when the last page is done) may refer forward.
pub trait PageSink {
    /// Take the next page. An error stops the layout.
    fn page(&mut self, page: Page) -> crate::Result<()>;

    /// Whether the sink draws what it takes. A sink that only reads where pages begin
    /// (the EPUB's print page list) says no: it then gets pages laid out and broken
    /// exactly alike, but the running text's glyph runs hold no glyphs and the pages carry
    /// no running heads or folios, which it would only throw away.
    fn wants_glyphs(&self) -> bool {
        true
    }
}

/// What is known only once every page is placed: bookmarks, and where each anchor landed
/// (so that a link may point at a later page).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Navigation {
    /// Bookmarks in reading order; `level` 1 is a chapter.
    pub outline: Vec<OutlineEntry>,
    /// Anchor id → (page index, y), the first place each id landed.
    pub anchors: HashMap<String, (usize, f32)>,
}

impl Navigation {
    /// Add the navigation of a part laid out on its own, whose first page is `first_page`
    /// of the whole. An anchor already placed keeps its first place.
    pub fn append(&mut self, part: Navigation, first_page: usize) {
        self.outline
            .extend(part.outline.into_iter().map(|entry| OutlineEntry {
                page: entry.page + first_page,
                ..entry
            }));
        for (anchor, (page, y)) in part.anchors {
            self.anchors.entry(anchor).or_insert((page + first_page, y));
        }
    }

    /// The page and y a link leads to; `None` for a web address or an anchor that was
    /// never placed (such a link is dropped rather than pointing nowhere).
    pub fn resolve(&self, target: &LinkDestination) -> Option<(usize, f32)> {
        match target {
            LinkDestination::Uri(_) => None,
            LinkDestination::Internal { page, y } => Some((*page, *y)),
            LinkDestination::Anchor(id) => self.anchors.get(id).copied(),
        }
    }
}

/// One page.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// Page width in points.
    pub width: f32,
    /// Page height in points.
    pub height: f32,
    /// Everything drawn on the page, in drawing (and reading) order.
    pub items: Vec<PageItem>,
    /// Where the page's running text begins in the book; `None` for a page without any
    /// (front matter, a blank verso, notes or colophon only).
    pub starts_at: Option<TextPoint>,
}

/// A place in the book's text: the EPUB marks where each printed page begins there, so
/// that a reader can cite "p. 3" of the print edition in either ([`Page::starts_at`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TextPoint {
    /// The chapter (index into the book's chapters).
    pub chapter: usize,
    /// Its top-level block (index into the chapter's blocks); `None` for the chapter's
    /// title.
    pub block: Option<usize>,
    /// Words of that block set before this place (word spaces passed, in reading order).
    pub word: usize,
}

/// What an item is, for tagged PDF and text extraction order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Running text.
    Paragraph,
    /// A heading; 1 is a chapter title.
    Heading(u8),
    /// A figure caption.
    Caption,
    /// A figure credit line.
    Credit,
    /// A list item.
    ListItem,
    /// Quoted text.
    BlockQuote,
    /// Preformatted code.
    Code,
    /// Table cell text.
    TableCell,
    /// Footnote text.
    Footnote,
    /// Running heads, folios and other decoration that is not content.
    Artifact,
}

/// A positioned thing on a page.
#[derive(Debug, Clone)]
pub enum PageItem {
    /// A run of shaped glyphs in one font and size on one baseline.
    Glyphs(GlyphRun),
    /// An image scaled into a rectangle.
    Image {
        /// The image in the book's asset table.
        asset: AssetId,
        /// Where it goes.
        rect: Rect,
        /// Alternative text (for tagged PDF).
        alt: String,
    },
    /// A filled rectangle (rules, table borders).
    Rule {
        /// The rectangle to fill.
        rect: Rect,
        /// Grey level, 0 = black, 1 = white.
        gray: f32,
    },
    /// A clickable area. Inside an open [`StructKind::Link`] element it is that link's
    /// annotation.
    Link {
        /// The active area.
        rect: Rect,
        /// Where it goes.
        target: LinkDestination,
    },
    /// Opens or closes a structure element; draws nothing.
    Tag(Tag),
}

/// A structure tag: see the module documentation for how tags nest.
#[derive(Debug, Clone, PartialEq)]
pub enum Tag {
    /// Open an element; the items up to the matching [`Tag::End`] are its content.
    Start(StructKind),
    /// Close the innermost open element.
    End,
}

/// What a structure element is (the standard structure types of ISO 32000-1, 14.8.4).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StructKind {
    /// A chapter, or the front matter: a section of the document (`Sect`).
    Chapter,
    /// A heading; 1 is a chapter title (`H1`–`H6`).
    Heading(u8),
    /// A paragraph of running text (`P`).
    Paragraph,
    /// A list (`L`); `ordered` lists are numbered.
    List {
        /// Numbered (`1.`) rather than bulleted.
        ordered: bool,
    },
    /// One item of a list (`LI`).
    ListItem,
    /// A list item's bullet or number (`Lbl`).
    Label,
    /// A list item's content (`LBody`).
    ListBody,
    /// A table (`Table`).
    Table,
    /// A table row (`TR`).
    TableRow,
    /// A header cell (`TH`), heading its column.
    TableHeader,
    /// A data cell (`TD`).
    TableData,
    /// A figure (`Figure`): the image, with its alternative text.
    Figure {
        /// What the image shows, for readers who cannot see it (the Markdown alt text).
        alt: String,
    },
    /// A figure's caption and credit (`Caption`), right after the figure: a figure's
    /// alternative text stands for all it holds.
    Caption,
    /// A block quotation (`BlockQuote`).
    BlockQuote,
    /// Preformatted code (`Code`).
    Code,
    /// A footnote or endnote (`Note`), with an id unique in the document.
    Note {
        /// The note's id.
        id: String,
    },
    /// A link (`Link`): its text, and as its annotations the [`PageItem::Link`] areas
    /// inside it.
    Link,
    /// A passage in another language than the book's (`Span` with `/Lang`).
    Language {
        /// BCP 47 tag.
        lang: String,
    },
}

/// A rectangle, top-left origin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width.
    pub width: f32,
    /// Height.
    pub height: f32,
}

/// Where a link points.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkDestination {
    /// A web address.
    Uri(String),
    /// An anchor in this document, resolved through [`Navigation`] when all pages are done.
    Anchor(String),
    /// A place in this document: page index and y (top-left origin).
    Internal {
        /// Page index.
        page: usize,
        /// Vertical position on that page.
        y: f32,
    },
}

/// Glyphs on one baseline.
#[derive(Debug, Clone)]
pub struct GlyphRun {
    /// Which font of the [`super::fonts::FontSet`].
    pub font: FontId,
    /// Font size in points.
    pub size: f32,
    /// Left edge of the first glyph.
    pub x: f32,
    /// Baseline position.
    pub baseline: f32,
    /// The glyphs, each at its own x relative to `x`.
    pub glyphs: Vec<PlacedGlyph>,
    /// What the text is.
    pub role: Role,
    /// Fill grey level, 0 = black.
    pub gray: f32,
    /// Horizontal scaling of every glyph (font expansion of a justified line): 1.0 draws
    /// glyphs at their natural width, 1.02 two per cent wider. The glyph positions already
    /// account for it: a writer draws each glyph this much wider (PDF's `Tz`) at its `x`.
    pub h_scale: f32,
}

/// One glyph, placed.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedGlyph {
    /// Glyph id in the font (original font numbering; the writer remaps when subsetting).
    pub id: u16,
    /// Horizontal position relative to the run's `x`, in points.
    pub x: f32,
    /// Vertical offset from the baseline (positive is up), in points.
    pub y_offset: f32,
    /// The text this glyph stands for (several characters for a ligature, empty for the
    /// second and later glyphs of one cluster), so copy and paste give the right words.
    /// Stored inline (no allocation for the usual one character): a long book has millions.
    pub text: CompactString,
    /// A word space follows this glyph (the gap up to the next glyph is a space, however
    /// wide justification made it), so that the text says so and nobody has to guess it
    /// from the gap.
    pub space_after: bool,
}

/// One bookmark.
#[derive(Debug, Clone, PartialEq)]
pub struct OutlineEntry {
    /// Title as plain text.
    pub title: String,
    /// Nesting level, 1 = chapter.
    pub level: u8,
    /// Page index the entry points to.
    pub page: usize,
    /// Vertical position on that page (top-left origin).
    pub y: f32,
}

impl LaidOutDocument {
    /// The structure the tags describe, one element a line, indented by depth, with what
    /// each element directly holds: `"text"` for its glyphs (word spaces as spaces), `[image]`,
    /// `[link]` for a link area. Artifacts are left out. For tests and debugging, as Typst's
    /// test suite dumps its tag trees; an unbalanced tag is reported in the text.
    pub fn structure_outline(&self) -> String {
        let mut out = String::new();
        let mut depth = 0usize;
        // Whether the current line belongs to the innermost open element (content after
        // an element closes starts a line of its own, at its parent's depth).
        let mut line_of_innermost = false;
        let new_line = |out: &mut String, depth: usize| {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&"  ".repeat(depth));
        };
        for item in self.pages.iter().flat_map(|page| &page.items) {
            let content = matches!(item, PageItem::Image { .. } | PageItem::Link { .. })
                || matches!(item, PageItem::Glyphs(run) if run.role != Role::Artifact);
            if content && !line_of_innermost {
                new_line(&mut out, depth);
                out.push('…');
                line_of_innermost = true;
            }
            match item {
                PageItem::Tag(Tag::Start(kind)) => {
                    new_line(&mut out, depth);
                    out.push_str(&format!("{kind:?}"));
                    line_of_innermost = true;
                    depth += 1;
                }
                PageItem::Tag(Tag::End) => {
                    if depth == 0 {
                        out.push_str("\n<unbalanced end>");
                    }
                    depth = depth.saturating_sub(1);
                    line_of_innermost = false;
                }
                PageItem::Glyphs(run) if run.role != Role::Artifact => {
                    let text: String = run
                        .glyphs
                        .iter()
                        .flat_map(|g| {
                            let space = if g.space_after { Some(' ') } else { None };
                            g.text.chars().chain(space)
                        })
                        .collect();
                    out.push_str(&format!(" {text:?}"));
                }
                PageItem::Image { .. } => out.push_str(" [image]"),
                PageItem::Link { .. } => out.push_str(" [link]"),
                PageItem::Glyphs(_) | PageItem::Rule { .. } => {}
            }
        }
        if depth > 0 {
            out.push_str(&format!("\n<{depth} unclosed>"));
        }
        out.push('\n');
        out
    }
}
