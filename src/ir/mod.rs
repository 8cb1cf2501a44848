//! The intermediate representation: the contract between the front end and the back ends.
//!
//! Pure data, no I/O. Text nodes hold plain Unicode; every writer does its own escaping.
//! Images are resolved once by the loader into the [`Asset`] table and referenced by [`AssetId`].

mod labels;
mod language;
mod settings;

pub use labels::{Labels, LABEL_KEYS};
pub use language::LanguageTag;

pub use settings::{
    parse_date, ChapterOpening, FamilyChoice, Figures, FontSettings, Margins, NotePlacement, Paper,
    Settings, Typography, DEFAULT_EPOCH,
};

use crate::error::SourcePos;
use std::collections::BTreeMap;

/// A whole book, ready for any back end.
#[derive(Debug, Clone, Default)]
pub struct Book {
    /// Title, language, credits and the like.
    pub meta: Metadata,
    /// The chapters in reading order.
    pub chapters: Vec<Chapter>,
    /// Every image the book uses, each stored once.
    pub assets: Vec<Asset>,
    /// Anchor id (heading or figure id) → index of the chapter that holds it, for internal links.
    pub anchors: BTreeMap<String, usize>,
    /// How to build it (paper, build date), resolved once at load time.
    pub settings: Settings,
    /// Whether it is a book or an article, which decides its front and back matter.
    pub shape: BookShape,
    /// What `[epub]` in `book.toml` asks of the ebook: its cover and extra stylesheet.
    pub epub: EpubSettings,
    /// The outputs' file name without extension (`[build] output-name`); `None` for the
    /// book folder's or manuscript's name.
    pub output_name: Option<String>,
    /// The words around the text ("Contents", "Notes", …) in the book's language.
    pub labels: Labels,
}

/// The ebook's own settings, from `[epub]` in `book.toml`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EpubSettings {
    /// The cover picture (`[epub] cover`); `None` for the book's first figure.
    pub cover: Option<Figure>,
    /// CSS appended to the house stylesheet (`[epub] stylesheet`), checked at load time to
    /// reach for nothing outside the EPUB.
    pub stylesheet: Option<String>,
}

/// What kind of publication a manuscript makes: decided by the front end from its headings
/// (one `#` title over `##` sections, or no heading at all, is an article), overridable with
/// `[build] layout` in `book.toml`. The PDF's front and back matter follow it; the EPUB
/// ignores it for now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BookShape {
    /// A book: a title page and an imprint page before the first chapter.
    #[default]
    Book,
    /// An article: a title block atop the first page and a colophon after the last paragraph.
    Article,
}

impl BookShape {
    /// Parse a layout name as written in `book.toml` (`book`, `article`).
    pub fn from_name(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "book" => Some(BookShape::Book),
            "article" => Some(BookShape::Article),
            _ => None,
        }
    }
}

/// Book metadata, from `book.toml` and/or the manuscript's front matter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metadata {
    /// The book title.
    pub title: String,
    /// Optional subtitle.
    pub subtitle: Option<String>,
    /// Authors in credit order; may be empty (the seed article has no byline).
    pub authors: Vec<String>,
    /// BCP 47 language tag, e.g. `en`.
    pub language: String,
    /// Stable identifier (e.g. `urn:uuid:…`); derived from the content when not configured.
    pub identifier: Option<String>,
    /// Publisher, if any.
    pub publisher: Option<String>,
    /// Where the text comes from (agency, original publication).
    pub source: Option<String>,
    /// Subjects / categories.
    pub subjects: Vec<String>,
    /// Rights statement.
    pub rights: Option<String>,
    /// Short description of the book.
    pub description: Option<String>,
    /// Publication or modification date as `YYYY-MM-DD`, if known.
    pub date: Option<String>,
    /// Editors, translators, illustrators and photographers, in credit order.
    pub contributors: Vec<Contributor>,
    /// The series the book belongs to, with its place in it.
    pub series: Option<Series>,
    /// The ISBN of this edition, digits only (13, or 10 with a final `X` allowed), checked.
    pub isbn: Option<String>,
    /// BISAC subject codes, checked for their shape (`POL011000`).
    pub bisac: Vec<String>,
}

/// Someone who contributed to the book other than as its author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contributor {
    /// The name as credited.
    pub name: String,
    /// What they did.
    pub role: ContributorRole,
}

/// A contributor's part, with its MARC relator code (what EPUB metadata uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContributorRole {
    /// Edited the book (`edt`).
    Editor,
    /// Translated it (`trl`).
    Translator,
    /// Drew its illustrations (`ill`).
    Illustrator,
    /// Took its photographs (`pht`).
    Photographer,
}

impl ContributorRole {
    /// The MARC relator code.
    pub fn marc_code(self) -> &'static str {
        match self {
            ContributorRole::Editor => "edt",
            ContributorRole::Translator => "trl",
            ContributorRole::Illustrator => "ill",
            ContributorRole::Photographer => "pht",
        }
    }
}

/// A series and the book's place in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    /// The series' name.
    pub name: String,
    /// The book's number in it.
    pub position: Option<u32>,
}

/// How a name files in a catalogue: "Jane Doe" → "Doe, Jane" (the last word first). A name
/// of one word, or one already written with a comma, files as written.
pub fn file_as(name: &str) -> String {
    let name = name.trim();
    if name.contains(',') {
        return name.to_string();
    }
    match name.rsplit_once(char::is_whitespace) {
        Some((given, family)) if !given.trim().is_empty() => {
            format!("{family}, {}", given.trim())
        }
        _ => name.to_string(),
    }
}

/// One chapter: a title, a stable id and the blocks under it.
#[derive(Debug, Clone, PartialEq)]
pub struct Chapter {
    /// Stable, unique id (a slug of the title), usable as a file name and fragment.
    pub id: String,
    /// Title with its inline markup.
    pub title: Vec<Inline>,
    /// Body blocks, without the chapter heading itself.
    pub blocks: Vec<Block>,
    /// Footnotes first referenced in this chapter, in order of first reference.
    pub footnotes: Vec<Footnote>,
}

impl Chapter {
    /// The title as plain text (for navigation, bookmarks, running heads).
    pub fn title_text(&self) -> String {
        plain_text(&self.title)
    }
}

/// A block-level node.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A paragraph of running text.
    Paragraph(Vec<Inline>),
    /// A heading below chapter level; `level` is the Markdown level (2–6).
    Heading {
        /// Markdown heading level.
        level: u8,
        /// Unique anchor id.
        id: String,
        /// Heading text with markup.
        content: Vec<Inline>,
    },
    /// An image with alt text, caption and credit.
    Figure(Figure),
    /// An ordered or unordered list.
    List(List),
    /// A block quotation.
    BlockQuote(Vec<Block>),
    /// Preformatted code; whitespace is significant.
    CodeBlock {
        /// Info-string language, if given.
        language: Option<String>,
        /// The code, lines separated by `\n`.
        code: String,
    },
    /// A table.
    Table(Table),
    /// A scene break.
    ThematicBreak,
}

/// A figure: the image plus its three separate texts.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// Unique anchor id.
    pub id: String,
    /// The image in the asset table.
    pub asset: AssetId,
    /// Alternative text describing the picture for readers who cannot see it.
    pub alt: String,
    /// What the picture shows, in the author's words; may be empty.
    pub caption: Vec<Inline>,
    /// Whom the picture is credited to; may be empty. Never merged into the caption.
    pub credit: Vec<Inline>,
}

/// A list.
#[derive(Debug, Clone, PartialEq)]
pub struct List {
    /// `Some(start)` for an ordered list.
    pub start: Option<u64>,
    /// The items.
    pub items: Vec<ListItem>,
}

/// One list item.
#[derive(Debug, Clone, PartialEq)]
pub struct ListItem {
    /// `Some(checked)` for a task-list item.
    pub task: Option<bool>,
    /// The item's content.
    pub blocks: Vec<Block>,
}

/// Column alignment in a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alignment {
    /// No alignment given.
    None,
    /// Left-aligned.
    Left,
    /// Centred.
    Center,
    /// Right-aligned.
    Right,
}

/// A table: one header row and body rows of inline cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// One entry per column.
    pub alignments: Vec<Alignment>,
    /// Header cells.
    pub header: Vec<Vec<Inline>>,
    /// Body rows.
    pub rows: Vec<Vec<Vec<Inline>>>,
}

/// A footnote definition, numbered book-wide in order of first reference.
#[derive(Debug, Clone, PartialEq)]
pub struct Footnote {
    /// Unique id (`fn-<n>`).
    pub id: String,
    /// 1-based number, book-wide.
    pub number: u32,
    /// The note's content.
    pub blocks: Vec<Block>,
}

/// An inline node.
#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    /// Plain text.
    Text(String),
    /// Emphasis (usually italic).
    Emphasis(Vec<Inline>),
    /// Strong emphasis (usually bold).
    Strong(Vec<Inline>),
    /// Struck-through text.
    Strikethrough(Vec<Inline>),
    /// Inline code.
    Code(String),
    /// A hyperlink.
    Link {
        /// Where it points.
        target: LinkTarget,
        /// The link text.
        content: Vec<Inline>,
    },
    /// An image inside running text (not a figure).
    Image {
        /// The image in the asset table.
        asset: AssetId,
        /// Alternative text.
        alt: String,
    },
    /// A reference to a footnote.
    FootnoteRef {
        /// Id of the referenced [`Footnote`].
        id: String,
        /// Its number.
        number: u32,
    },
    /// A forced line break.
    LineBreak,
    /// Text with a presentational or semantic style from inline HTML (`<sup>`, `<kbd>`, …).
    Styled {
        /// What kind of text it is.
        style: TextStyle,
        /// The styled text.
        content: Vec<Inline>,
    },
    /// A place links can point at (`<a id="…">` in the manuscript); has no content.
    Anchor(String),
}

/// Inline styles that Markdown has no syntax for, read from inline HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextStyle {
    /// Raised and smaller (`<sup>`).
    Superscript,
    /// Lowered and smaller (`<sub>`).
    Subscript,
    /// Keys to press (`<kbd>`), set in the monospaced face.
    Keyboard,
    /// Underlined (`<u>`, `<ins>`).
    Underline,
    /// Side comments, small print (`<small>`).
    Small,
    /// Marked or highlighted for reference (`<mark>`).
    Highlight,
    /// Lower-case letters as small capitals, capitals as written (`<span
    /// class="smallcaps">`, pandoc's name for it, or `small-caps`; `<span style="font-variant:
    /// small-caps">`). The text keeps its case: only its look changes.
    SmallCaps,
    /// An abbreviation, with its expansion when given (`<abbr title="…">`).
    Abbreviation(Option<String>),
    /// A passage in another language or direction (`<span lang="…" dir="…">`).
    Language {
        /// BCP 47 tag, already normalised.
        lang: Option<String>,
        /// Writing direction, when given.
        direction: Option<Direction>,
    },
}

/// A writing direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Left to right.
    LeftToRight,
    /// Right to left.
    RightToLeft,
}

/// Where a link points.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkTarget {
    /// Another place in this book, by anchor id (see [`Book::anchors`]).
    Internal(String),
    /// A URL outside the book.
    External(String),
}

/// Index into [`Book::assets`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AssetId(pub usize);

/// The image formats presswork accepts, sniffed from the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// JPEG (baseline or progressive).
    Jpeg,
    /// PNG.
    Png,
    /// SVG, stored as the loader's sanitised re-serialisation (see [`crate::svg`]).
    Svg,
}

impl ImageFormat {
    /// The IANA media type.
    pub fn media_type(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Png => "image/png",
            ImageFormat::Svg => "image/svg+xml",
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "jpg",
            ImageFormat::Png => "png",
            ImageFormat::Svg => "svg",
        }
    }
}

/// An image, read and checked once by the loader.
#[derive(Debug, Clone, PartialEq)]
pub struct Asset {
    /// A file name unique within the book, safe for use inside an EPUB.
    pub name: String,
    /// The format sniffed from the bytes.
    pub format: ImageFormat,
    /// Width in pixels, after EXIF orientation; for SVG, in CSS pixels (96 per inch).
    pub width: u32,
    /// Height in pixels, after EXIF orientation; for SVG, in CSS pixels (96 per inch).
    pub height: u32,
    /// The file's bytes as read; for SVG, the sanitised document (see [`crate::svg`]).
    pub bytes: Vec<u8>,
    /// Where the image is first used in the manuscripts, so that back ends can say where
    /// a warning about it comes from.
    pub first_use: Option<SourcePos>,
}

/// Flatten inlines to plain text: markup dropped, line breaks as spaces.
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    push_plain_text(inlines, &mut out);
    out
}

fn push_plain_text(inlines: &[Inline], out: &mut String) {
    for inline in inlines {
        match inline {
            Inline::Text(t) | Inline::Code(t) => out.push_str(t),
            Inline::Emphasis(c)
            | Inline::Strong(c)
            | Inline::Strikethrough(c)
            | Inline::Styled { content: c, .. } => push_plain_text(c, out),
            Inline::Link { content, .. } => push_plain_text(content, out),
            Inline::Image { alt, .. } => out.push_str(alt),
            Inline::FootnoteRef { .. } | Inline::Anchor(_) => {}
            Inline::LineBreak => out.push(' '),
        }
    }
}

/// Append the ids of the [`Inline::Anchor`]s in `inlines`, nested ones included, to `out`.
pub fn collect_inline_anchors(inlines: &[Inline], out: &mut Vec<String>) {
    for inline in inlines {
        match inline {
            Inline::Anchor(id) => out.push(id.clone()),
            Inline::Emphasis(c)
            | Inline::Strong(c)
            | Inline::Strikethrough(c)
            | Inline::Styled { content: c, .. }
            | Inline::Link { content: c, .. } => collect_inline_anchors(c, out),
            _ => {}
        }
    }
}

/// The name-based (version 5) UUID in the URL namespace of the name made of `parts` one
/// after another: the same UUID as `uuid::Uuid::new_v5` of their concatenation, without
/// making it, and computed with RustCrypto's `sha1`, which uses the processor's SHA
/// instructions where it has them, rather than uuid's byte-at-a-time SHA-1 (a book's
/// default identifier hashes its whole text: 0.5 ms of a 60-chapter book's load before, on
/// the one thread that runs then).
pub fn name_uuid<'p>(parts: impl IntoIterator<Item = &'p [u8]>) -> uuid::Uuid {
    use sha1::Digest as _;
    let mut hasher = sha1::Sha1::new();
    hasher.update(uuid::Uuid::NAMESPACE_URL.as_bytes());
    for part in parts {
        hasher.update(part);
    }
    let digest = hasher.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_sha1_bytes(bytes).into_uuid()
}

/// Make an id from text: lowercase letters and digits joined by single hyphens (Unicode letters kept).
/// Returns `fallback` when nothing usable is left.
pub fn slugify(text: &str, fallback: &str) -> String {
    let mut slug = String::new();
    let mut pending_hyphen = false;
    for ch in text.chars() {
        if ch.is_alphanumeric() {
            if pending_hyphen && !slug.is_empty() {
                slug.push('-');
            }
            pending_hyphen = false;
            slug.extend(ch.to_lowercase());
        } else {
            pending_hyphen = true;
        }
    }
    if slug.is_empty() {
        return fallback.to_string();
    }
    // XML ids may not start with a digit.
    if slug.starts_with(|c: char| !c.is_alphabetic()) {
        slug.insert_str(0, "s-");
    }
    slug
}

/// Hands out unique ids the way GitHub and pandoc number repeated headings: a repeated base
/// gets `-1`, `-2`, … appended (`options`, `options-1`), so links written for GitHub work.
#[derive(Debug, Default)]
pub struct IdAllocator {
    used: std::collections::BTreeSet<String>,
}

impl IdAllocator {
    /// Reserve `base`, or the first free `base-N`.
    pub fn unique(&mut self, base: &str) -> String {
        if self.used.insert(base.to_string()) {
            return base.to_string();
        }
        let mut n = 1;
        loop {
            let candidate = format!("{base}-{n}");
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
            n += 1;
        }
    }
}

/// Call `f` on every block, depth first, in reading order (list items, quotes included).
pub fn visit_blocks(blocks: &[Block], f: &mut dyn FnMut(&Block)) {
    for block in blocks {
        f(block);
        match block {
            Block::BlockQuote(inner) => visit_blocks(inner, f),
            Block::List(list) => {
                for item in &list.items {
                    visit_blocks(&item.blocks, f);
                }
            }
            _ => {}
        }
    }
}

/// Call `f` on every block-level run of inlines (paragraphs, headings, captions, credits,
/// table cells), in reading order. Nested inline containers are the caller's to walk.
pub fn visit_inlines(blocks: &[Block], f: &mut dyn FnMut(&[Inline])) {
    visit_blocks(blocks, &mut |block| match block {
        Block::Paragraph(inlines)
        | Block::Heading {
            content: inlines, ..
        } => f(inlines),
        Block::Figure(figure) => {
            f(&figure.caption);
            f(&figure.credit);
        }
        Block::Table(table) => {
            for cell in table.header.iter().chain(table.rows.iter().flatten()) {
                f(cell);
            }
        }
        _ => {}
    });
}

/// Call `f` on every run of inlines, nested ones (inside emphasis, links) first.
pub fn visit_inlines_mut(blocks: &mut [Block], f: &mut dyn FnMut(&mut Vec<Inline>)) {
    fn nested(inlines: &mut Vec<Inline>, f: &mut dyn FnMut(&mut Vec<Inline>)) {
        for inline in inlines.iter_mut() {
            match inline {
                Inline::Emphasis(c)
                | Inline::Strong(c)
                | Inline::Strikethrough(c)
                | Inline::Styled { content: c, .. } => nested(c, f),
                Inline::Link { content, .. } => nested(content, f),
                _ => {}
            }
        }
        f(inlines);
    }
    for block in blocks {
        match block {
            Block::Paragraph(inlines)
            | Block::Heading {
                content: inlines, ..
            } => nested(inlines, f),
            Block::Figure(figure) => {
                nested(&mut figure.caption, f);
                nested(&mut figure.credit, f);
            }
            Block::Table(table) => {
                for cell in table
                    .header
                    .iter_mut()
                    .chain(table.rows.iter_mut().flatten())
                {
                    nested(cell, f);
                }
            }
            Block::BlockQuote(inner) => visit_inlines_mut(inner, f),
            Block::List(list) => {
                for item in &mut list.items {
                    visit_inlines_mut(&mut item.blocks, f);
                }
            }
            Block::CodeBlock { .. } | Block::ThematicBreak => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_file_by_their_last_word() {
        assert_eq!(file_as("Jane Doe"), "Doe, Jane");
        assert_eq!(file_as("  Mary Ann  Evans "), "Evans, Mary Ann");
        assert_eq!(file_as("Plato"), "Plato");
        assert_eq!(file_as("Doe, Jane"), "Doe, Jane");
        assert_eq!(ContributorRole::Translator.marc_code(), "trl");
    }

    #[test]
    fn name_uuids_are_uuid_version_5_in_the_url_namespace() {
        for name in ["", "a", "The Title", &"long text ".repeat(1000)] {
            assert_eq!(
                name_uuid([name.as_bytes()]),
                uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, name.as_bytes())
            );
        }
        // Parts hash as the name they make together.
        assert_eq!(
            name_uuid([&b"The "[..], b"", b"Title"]),
            name_uuid([&b"The Title"[..]])
        );
        // As Python's `uuid.uuid5(uuid.NAMESPACE_URL, "https://example.com/")` gives it.
        assert_eq!(
            name_uuid([&b"https://example.com/"[..]]).to_string(),
            "dd2c1780-811a-5296-81c5-178a0ef488bc"
        );
    }

    #[test]
    fn slug_keeps_letters_and_joins_words() {
        assert_eq!(
            slugify("Putin’s praise for PM Modi", "x"),
            "putin-s-praise-for-pm-modi"
        );
        assert_eq!(slugify("Россия и Индия", "x"), "россия-и-индия");
        assert_eq!(slugify("  ** ", "chapter-3"), "chapter-3");
        assert_eq!(slugify("2021 summit", "x"), "s-2021-summit");
    }

    #[test]
    fn ids_are_unique() {
        let mut ids = IdAllocator::default();
        assert_eq!(ids.unique("a"), "a");
        assert_eq!(ids.unique("a"), "a-1");
        assert_eq!(ids.unique("a"), "a-2");
        assert_eq!(ids.unique("a-1"), "a-1-1");
    }

    #[test]
    fn plain_text_drops_markup() {
        let inl = vec![
            Inline::Text("A ".into()),
            Inline::Emphasis(vec![Inline::Strong(vec![Inline::Text("b".into())])]),
            Inline::LineBreak,
            Inline::Code("c".into()),
        ];
        assert_eq!(plain_text(&inl), "A b c");
    }
}
