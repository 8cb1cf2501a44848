//! Paragraph text → line-breaking items → set lines.
//!
//! Inlines are flattened to styled spans; each word is shaped whole (so kerning and ligatures
//! survive) and cut into boxes only at cluster boundaries where a break is allowed: spaces
//! (glue), hyphenation points and explicit hyphens (flagged penalties), UAX #14 opportunities
//! for scripts without spaces, URL separators, and — only for a word wider than the measure —
//! every grapheme (emergency breaks), so no line ever runs past the measure.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use compact_str::CompactString;
use hyphenation::{Hyphenator, Language, Load, Standard};
use unicode_segmentation::UnicodeSegmentation;

use super::fonts::{Family, FontId, Style};
use super::linebreak::{self, Item, Line, Params, FORCED};
use super::shape::{is_right_to_left, BoundedCache, Shaper, WORD_SPACES};
use super::HashMap;

/// Where a link on the page should go, before pages are known.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkRef {
    /// An external URI.
    Uri(String),
    /// An anchor id in the book.
    Anchor(String),
}

/// How a span of text is set.
#[derive(Debug, Clone, PartialEq)]
pub struct TextStyle {
    /// Font family.
    pub family: Family,
    /// Weight and slant.
    pub style: Style,
    /// Size in points.
    pub size: f32,
    /// Raise above the baseline (superscript), in points.
    pub rise: f32,
    /// Grey level of the ink.
    pub gray: f32,
    /// Link this text belongs to.
    pub link: Option<LinkRef>,
    /// Draw a line through the text.
    pub strike: bool,
    /// The language of a passage in another language than the book's (BCP 47), for the
    /// structure (`Span /Lang`); stored inline, as tags are short.
    pub lang: Option<CompactString>,
}

impl TextStyle {
    /// Plain body text of a size.
    pub fn body(size: f32) -> Self {
        TextStyle {
            family: Family::Body,
            style: Style::default(),
            size,
            rise: 0.0,
            gray: 0.0,
            link: None,
            strike: false,
            lang: None,
        }
    }
}

/// A run of text in one style; `"\n"` inside means a forced line break.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    /// The text.
    pub text: String,
    /// Its style.
    pub style: TextStyle,
}

/// A glyph placed within a piece, in points.
#[derive(Debug, Clone, PartialEq)]
pub struct PieceGlyph {
    /// Glyph id.
    pub id: u16,
    /// Position from the piece's left edge.
    pub x: f32,
    /// Vertical offset (up).
    pub y_offset: f32,
    /// Text for copy and paste.
    pub text: CompactString,
}

/// The content of one box: glyphs of one font and style.
#[derive(Debug, Clone, PartialEq)]
pub struct Piece {
    /// The font.
    pub font: FontId,
    /// The style it was set in (its span's, shared by the span's pieces).
    pub style: Rc<TextStyle>,
    /// The glyphs, at their natural positions: a set line's expansion is applied where the
    /// line is drawn. Shared, not copied, when the piece is cloned: a paragraph that may be
    /// set a line longer later keeps a copy of itself ([`SetLine`] takes its pieces), and
    /// copying every glyph of it was a tenth of a long book's layout.
    pub glyphs: Rc<[PieceGlyph]>,
    /// Total advance (times the line's expansion once set).
    pub width: f32,
    /// A word space separates it from the next piece on its line (set by [`set_lines`]).
    pub space_after: bool,
}

/// A paragraph ready for line breaking: the items and, for each box or flagged penalty,
/// what to draw.
#[derive(Debug, Default, Clone)]
pub struct Paragraph {
    /// Boxes, glue and penalties.
    pub items: Vec<Item>,
    /// Drawable content per item (boxes; the hyphen of a flagged penalty).
    pub pieces: Vec<Option<Piece>>,
    /// With [`ParagraphBuilder::recording_restarts`]: for each word space, its glue item
    /// and where the text goes on after it (span index, byte offset), in item order.
    pub restarts: Vec<Restart>,
    /// Whether the paragraph reads right to left: its first strong character is Arabic,
    /// Hebrew or another right-to-left letter (Unicode's rules P2, P3; a heading that
    /// starts in English with an Arabic word in it stays left to right).
    pub right_to_left: bool,
}

/// A place in a paragraph's source where setting may start again: the glue of a word space
/// and the position just after that space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Restart {
    /// The glue item.
    pub item: usize,
    /// Span index in what was added.
    pub span: usize,
    /// Byte offset in that span's text.
    pub offset: usize,
}

/// How a paragraph is set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Alignment {
    /// Justified, Knuth–Plass.
    Justify,
    /// Ragged right, first fit.
    Left,
    /// Centred lines.
    Center,
    /// Flush right.
    Right,
}

/// A set line: pieces at x positions (relative to the line's left edge; a piece hanging
/// into the left margin starts below 0).
#[derive(Debug, Clone, Default)]
pub struct SetLine {
    /// Pieces and their x positions, their widths already expanded, their glyphs' positions
    /// not ([`SetLine::glyph_x`]).
    pub pieces: Vec<(f32, Piece)>,
    /// Width actually used, from the left edge of the measure (a hang into the right
    /// margin included).
    pub width: f32,
    /// Largest font size on the line (for leading decisions).
    pub max_size: f32,
    /// Font expansion of the whole line: every glyph is drawn `1 + expansion` times its
    /// natural width (0 = none; see [`linebreak::MAX_EXPANSION`]).
    pub expansion: f32,
}

impl SetLine {
    /// Where `glyph`, of one of the line's pieces, stands from the piece's left edge: its
    /// natural place times the line's expansion (the glyphs before it are drawn that much
    /// wider, so the writer, drawing every glyph `1 + expansion` times as wide, lands each
    /// where layout put it).
    pub fn glyph_x(&self, glyph: &PieceGlyph) -> f32 {
        glyph.x * (1.0 + self.expansion)
    }
}

/// The direction of a piece's first strong character: `Some(true)` right to left,
/// `Some(false)` left to right, `None` for neutral text (digits, punctuation).
fn strong_direction(piece: &Piece) -> Option<bool> {
    piece
        .glyphs
        .iter()
        .flat_map(|g| g.text.chars())
        .find_map(strong_char_direction)
}

/// A character's strong direction: `Some(true)` right to left, `Some(false)` a letter of a
/// left-to-right script, `None` neutral.
fn strong_char_direction(c: char) -> Option<bool> {
    if is_right_to_left(c) {
        Some(true)
    } else if c.is_alphabetic() {
        Some(false)
    } else {
        None
    }
}

/// Unicode's rule L2 over a line whose pieces are in logical order and positioned as if
/// the line ran left to right. In a right-to-left paragraph (`base_rtl`) the whole line is
/// first mirrored in the measure, so that it starts at the right (indent and ragged edge
/// mirrored with it). Then each stretch of words against the paragraph's direction (with
/// the spaces and neutral pieces between them) is mirrored in place, so that a phrase of
/// Arabic in English, or of English in Urdu, reads in its own direction; the pieces end in
/// visual order. A neutral piece joins a stretch only between two pieces of it (rules N1,
/// N2); digits count as left to right in a right-to-left paragraph (numbers read left to
/// right everywhere). Each piece's own glyphs are in visual order already (the shaper
/// reverses right-to-left runs within a word).
fn reorder_bidi(pieces: &mut [(f32, Piece)], base_rtl: bool, measure: f32) {
    if base_rtl {
        for (x, piece) in pieces.iter_mut() {
            *x = measure - *x - piece.width;
        }
    } else {
        let any_rtl = pieces.iter().any(|(_, p)| {
            p.glyphs
                .iter()
                .any(|g| g.text.chars().any(is_right_to_left))
        });
        if !any_rtl {
            return;
        }
    }
    let strong: Vec<Option<bool>> = pieces
        .iter()
        .map(|(_, p)| {
            let numeric = p
                .glyphs
                .iter()
                .any(|g| g.text.chars().any(|c| c.is_ascii_digit()));
            match strong_direction(p) {
                None if base_rtl && numeric => Some(false),
                direction => direction,
            }
        })
        .collect();
    // Whether each piece runs against the paragraph's direction.
    let against = |direction: bool| direction != base_rtl;
    let mut reversed = vec![false; pieces.len()];
    let mut previous = false;
    for (i, class) in strong.iter().enumerate() {
        reversed[i] = match class {
            Some(direction) => {
                previous = against(*direction);
                previous
            }
            None => {
                previous
                    && strong[i + 1..]
                        .iter()
                        .flatten()
                        .next()
                        .is_some_and(|d| against(*d))
            }
        };
    }
    let mut i = 0;
    while i < pieces.len() {
        if !reversed[i] {
            i += 1;
            continue;
        }
        let end = i + reversed[i..].iter().take_while(|r| **r).count();
        let left = pieces[i..end]
            .iter()
            .map(|(x, _)| *x)
            .fold(f32::INFINITY, f32::min);
        let right = pieces[i..end]
            .iter()
            .map(|(x, p)| *x + p.width)
            .fold(f32::NEG_INFINITY, f32::max);
        for (x, piece) in &mut pieces[i..end] {
            *x = left + right - *x - piece.width;
        }
        i = end;
    }
    pieces.sort_by(|a, b| a.0.total_cmp(&b.0));
}

/// Character protrusion (microtype's `\SetProtrusion`, its default set for text fonts): how
/// far a character may hang into the left and the right margin when it starts or ends a
/// justified line, in thousandths of its own width. Light marks at the edge of a column
/// leave a visual dent; hanging them out lets the edge look straight. Characters not listed
/// do not hang.
const fn protrusion(c: char) -> (u16, u16) {
    match c {
        '.' | ',' => (0, 700),
        '-' | '\u{2010}' | '\u{2011}' | '\u{00AD}' => (700, 700),
        ':' | ';' => (0, 500),
        '!' => (0, 100),
        '?' => (0, 200),
        '\u{2013}' => (500, 500),                     // en dash
        '\u{2014}' => (300, 300),                     // em dash
        '\u{2018}' | '\u{2019}' | '\'' => (700, 700), // single quotes, apostrophe
        '\u{201C}' | '\u{201D}' | '"' => (500, 500),  // double quotes
        '\u{201A}' | '\u{201E}' => (400, 400),        // low quotes
        '\u{2039}' | '\u{203A}' | '\u{00AB}' | '\u{00BB}' => (400, 400), // guillemets
        '(' | '[' => (100, 0),
        ')' | ']' => (0, 200),
        '\u{2026}' => (0, 150), // ellipsis
        _ => (0, 0),
    }
}

/// No character hangs into a margin by more than this fraction of its font size: the
/// widest entries of the [`protrusion`] table (an em dash's 300/1000 of an em, a quote's or
/// a hyphen's 700/1000 of a third of an em).
pub const MAX_HANG: f32 = 0.35;

/// Thousandths in the [`protrusion`] table.
const PROTRUSION_UNIT: f32 = 1000.0;

/// How far a piece may hang into the left and the right margin: its first glyph's
/// protrusion on the left, its last glyph's on the right (a glyph's width being the
/// distance to the next glyph, or to the piece's end).
fn piece_hang(piece: &Piece) -> (f32, f32) {
    let (Some(first), Some(last)) = (piece.glyphs.first(), piece.glyphs.last()) else {
        return (0.0, 0.0);
    };
    let first_width = piece.glyphs.get(1).map_or(piece.width, |g| g.x) - first.x;
    let left = first.text.chars().next().map_or(0, |c| protrusion(c).0);
    // A last glyph without text is the tail of a cluster: it does not hang on its own.
    let right = last.text.chars().last().map_or(0, |c| protrusion(c).1);
    let last_width = piece.width - last.x;
    (
        f32::from(left) / PROTRUSION_UNIT * first_width.max(0.0),
        f32::from(right) / PROTRUSION_UNIT * last_width.max(0.0),
    )
}

/// Fewest letters before a hyphenation point, and after it (TeX's `\lefthyphenmin` and
/// `\righthyphenmin` for English): "a-" or "-ed" at a line's edge reads as a typo.
const LEFT_HYPHEN_MIN: usize = 2;
/// See [`LEFT_HYPHEN_MIN`].
const RIGHT_HYPHEN_MIN: usize = 3;

/// The cost of a break at a hyphenation point (TeX's `\hyphenpenalty`). Higher than TeX's 50:
/// font expansion gives the breaker room enough to set most paragraphs without cutting
/// words, and a page of hyphens reads worse than a slightly looser line.
const HYPHEN_PENALTY: f32 = 150.0;
/// The cost of hyphenating a word with a capital (a name, "Chennai", "iPhone"): a last
/// resort, taken only when every other way of setting the paragraph has a very loose line.
const CAPITALISED_HYPHEN_PENALTY: f32 = 1000.0;
/// The cost of a break after an explicit hyphen or dash (TeX's `\exhyphenpenalty`).
const EXPLICIT_HYPHEN_PENALTY: f32 = 50.0;
/// The cost of a break at a UAX #14 opportunity or a URL separator.
const PLAIN_BREAK_PENALTY: f32 = 100.0;
/// The cost of a break anywhere inside a word wider than the measure.
const EMERGENCY_BREAK_PENALTY: f32 = linebreak::LAST_RESORT;

/// Words longer than this (in bytes) are not cached: they are rare, so seldom repeated, and
/// a hostile manuscript could otherwise fill the cache with huge keys.
const MAX_CACHED_WORD_LEN: usize = 64;

/// At most this many words are cached, which bounds the memory a huge vocabulary can take
/// (about 10 MB); words beyond it are hyphenated afresh each time.
const MAX_CACHED_WORDS: usize = 1 << 17;

/// Hyphenation points (byte offsets) of the words met so far in one language.
type PointsByWord = HashMap<Box<str>, Box<[usize]>>;

/// Hyphenation dictionaries by language, each loaded on first use.
pub struct Hyphenation {
    /// The book's language, for text not marked as another.
    book: Option<Language>,
    /// Patterns by language, as [`patterns`] shares them: `None` once a language was found
    /// to have none embedded.
    dictionaries: RefCell<HashMap<Language, Option<Arc<Standard>>>>,
    /// Points by language and word. Pattern matching is the costliest step of setting a
    /// word, and prose repeats a small vocabulary over and over.
    cache: RefCell<HashMap<Language, PointsByWord>>,
}

/// The hyphenation patterns for a BCP 47 tag, among the ones the `hyphenation` crate embeds
/// (TeX's, about 80 languages). A language with several spellings or scripts takes the usual
/// one: German after the 1996 reform (Swiss German with its own), modern monotonic Greek,
/// Serbian in Cyrillic unless the tag says Latin, British English for the Commonwealth.
/// Chinese, Japanese and Korean have none: they break between characters.
pub fn hyphenation_language(tag: &str) -> Option<Language> {
    let tag = crate::ir::LanguageTag::parse(tag);
    let (primary, has) = (tag.primary.as_str(), |subtag: &str| tag.has(subtag));
    const COMMONWEALTH: [&str; 8] = ["gb", "au", "nz", "ie", "za", "in", "pk", "sg"];
    let language = match primary {
        "en" if COMMONWEALTH.iter().any(|region| has(region)) => Language::EnglishGB,
        "en" => Language::EnglishUS,
        "de" | "gsw" if has("ch") || primary == "gsw" => Language::GermanSwiss,
        "de" if has("1901") => Language::German1901,
        "de" => Language::German1996,
        "el" if has("polyton") => Language::GreekPoly,
        "el" => Language::GreekMono,
        "grc" => Language::GreekAncient,
        "mn" => Language::Mongolian,
        "sr" | "sh" | "bs" if has("latn") => Language::SerbocroatianLatin,
        "sr" => Language::SerbianCyrillic,
        "sh" | "bs" => Language::SerbocroatianCyrillic,
        "no" | "nb" => Language::NorwegianBokmal,
        "nn" => Language::NorwegianNynorsk,
        "la" => Language::Latin,
        "zh" | "ja" | "ko" => return None,
        other => return Language::try_from_code(other),
    };
    Some(language)
}

/// The patterns of one language: read at most once per process, by whichever thread asks
/// first (the others wait for it).
type SharedPatterns = Arc<OnceLock<Option<Arc<Standard>>>>;

/// The hyphenation patterns of `language`, shared by every thread of the process: reading a
/// language's patterns from the binary takes 0.1–0.25 ms and a copy of them in memory (for
/// English), which each layout thread paid on its own. (Reading them ahead on a spare
/// thread was tried and measured slower: the seed article's layout does not wait for them
/// long enough to repay the thread.)
fn patterns(language: Language) -> Option<Arc<Standard>> {
    static LOADED: OnceLock<Mutex<HashMap<Language, SharedPatterns>>> = OnceLock::new();
    let cell = LOADED
        .get_or_init(Mutex::default)
        .lock()
        // The map only ever gains complete entries: one left by a panicking thread is whole.
        .unwrap_or_else(PoisonError::into_inner)
        .entry(language)
        .or_default()
        .clone();
    cell.get_or_init(|| Standard::from_embedded(language).ok().map(Arc::new))
        .clone()
}

impl Hyphenation {
    /// Hyphenation for a book in `language` (a BCP 47 tag); passages marked as another
    /// language are hyphenated by their own patterns ([`Self::for_each_point_in`]).
    pub fn for_language(language: &str) -> Self {
        Hyphenation {
            book: hyphenation_language(language),
            dictionaries: RefCell::new(HashMap::default()),
            cache: RefCell::new(HashMap::default()),
        }
    }

    /// Byte offsets inside `word`, in the book's language, where it may be hyphenated.
    pub fn points(&self, word: &str) -> Vec<usize> {
        let mut points = Vec::new();
        self.for_each_point_in(word, None, |p| points.push(p));
        points
    }

    /// The patterns of `language`, loaded the first time they are asked for.
    fn dictionary(&self, language: Language) -> Option<Arc<Standard>> {
        self.dictionaries
            .borrow_mut()
            .entry(language)
            .or_insert_with(|| patterns(language))
            .clone()
    }

    /// Call `f` with each byte offset inside `word` where it may be hyphenated, in order,
    /// without allocating when the word is cached. `lang` is the passage's language when
    /// it is marked as another than the book's.
    fn for_each_point_in(&self, word: &str, lang: Option<&str>, mut f: impl FnMut(usize)) {
        let language = match lang {
            Some(tag) => hyphenation_language(tag),
            None => self.book,
        };
        let Some(language) = language else {
            return;
        };
        if word.chars().count() < 5 || !word.chars().all(char::is_alphabetic) {
            return;
        }
        if let Some(points) = self
            .cache
            .borrow()
            .get(&language)
            .and_then(|words| words.get(word))
        {
            points.iter().copied().for_each(f);
            return;
        }
        let Some(dictionary) = self.dictionary(language) else {
            return;
        };
        let points = dictionary.hyphenate(word).breaks;
        points.iter().copied().for_each(&mut f);
        let mut cache = self.cache.borrow_mut();
        let words = cache.entry(language).or_default();
        if word.len() <= MAX_CACHED_WORD_LEN && words.len() < MAX_CACHED_WORDS {
            words.insert(word.into(), points.into_boxed_slice());
        }
    }
}

/// What setting a word depends on besides its text: family, weight, slant and features;
/// size (its bits); the passage's language (hyphenation points); whether the paragraph is
/// hyphenated; whether it reads right to left (the shaping of neutral edges). Colour, rise,
/// links and strike-through do not change how a word is set, only how it is drawn.
type SetWordKey = (Family, Style, u32, Option<CompactString>, bool, bool);

/// A word as [`ParagraphBuilder`] sets it: its boxes and the penalties between them
/// (hyphenation points, with the hyphen each draws), and its natural width.
struct SetWord {
    items: Box<[(Item, Option<WordPiece>)]>,
    width: f32,
}

/// A piece of a [`SetWord`], without the style of the span it first came in.
struct WordPiece {
    font: FontId,
    glyphs: Rc<[PieceGlyph]>,
    width: f32,
}

impl WordPiece {
    fn in_style(&self, style: &Rc<TextStyle>) -> Piece {
        Piece {
            font: self.font,
            style: Rc::clone(style),
            glyphs: Rc::clone(&self.glyphs),
            width: self.width,
            space_after: false,
        }
    }
}

/// Words set so far, kept for the next time the same word comes in the same setting: prose
/// repeats a small vocabulary, and setting each word afresh (looking its shaping up,
/// finding its break points, cutting it into pieces) cost the 60-chapter book's PDF a
/// tenth of its processor time (131 → 118 ms with this).
/// One per layout thread, bounded ([`MAX_SET_WORDS`]; words over 64 bytes are not kept).
/// A word broken anywhere for being wider than its measure (which depends on the
/// paragraph) is never kept.
pub struct SetWords(RefCell<BoundedCache<SetWordKey, Rc<SetWord>>>);

/// Words kept at most by a [`SetWords`]: the commonest words come first, and a book of
/// 88,000 or of 450,000 words lays out as fast as with four times as many, while a
/// manuscript of endless distinct strings costs each layout thread a few megabytes at most
/// (with 32,768, a 50 MB manuscript's PDF build peaked 45 MB higher).
const MAX_SET_WORDS: usize = 8_192;

impl Default for SetWords {
    fn default() -> Self {
        SetWords(RefCell::new(BoundedCache::with_budget(MAX_SET_WORDS)))
    }
}

/// Builds paragraphs from spans.
pub struct ParagraphBuilder<'a, 'f> {
    shaper: &'a Shaper<'f>,
    hyphenation: &'a Hyphenation,
    /// Words set before, when the caller keeps them ([`ParagraphBuilder::reusing_words`]).
    set_words: Option<&'a SetWords>,
    measure: f32,
    paragraph: Paragraph,
    hyphenate: bool,
    /// Scratch buffers reused from word to word, to spare an allocation per word.
    breaks: Vec<(usize, BreakKind)>,
    cluster_starts: Vec<usize>,
    piece_glyphs: Vec<PieceGlyph>,
    /// The glue of the last space set, by family, style and size (bits): nearly every space
    /// in a paragraph is the same.
    last_space: Option<((Family, Style, u32), Item)>,
    /// Whether to record [`Paragraph::restarts`], and the span being added.
    record_restarts: bool,
    span_index: usize,
    /// Whether [`Paragraph::right_to_left`] is set (by the first spans added).
    direction_decided: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum BreakKind {
    /// After an explicit hyphen or dash: no hyphen added.
    Explicit,
    /// A hyphenation point: a hyphen is drawn.
    Hyphen,
    /// A hyphenation point in a word with a capital letter (a name): a hyphen is drawn,
    /// at a much higher cost.
    CapitalHyphen,
    /// UAX #14 opportunity or URL separator.
    Plain,
    /// Last resort inside an over-wide word.
    Emergency,
}

impl<'a, 'f> ParagraphBuilder<'a, 'f> {
    /// Start a paragraph for a measure of `measure` points.
    pub fn new(shaper: &'a Shaper<'f>, hyphenation: &'a Hyphenation, measure: f32) -> Self {
        ParagraphBuilder {
            shaper,
            hyphenation,
            set_words: None,
            measure,
            paragraph: Paragraph::default(),
            direction_decided: false,
            hyphenate: true,
            breaks: Vec::new(),
            cluster_starts: Vec::new(),
            piece_glyphs: Vec::new(),
            last_space: None,
            record_restarts: false,
            span_index: 0,
        }
    }

    /// Record where setting could start again after each word space (see
    /// [`Paragraph::restarts`]).
    pub fn recording_restarts(mut self) -> Self {
        self.record_restarts = true;
        self
    }

    /// Take words from `words` when they were set before in the same setting, and keep
    /// those set afresh there.
    pub fn reusing_words(mut self, words: &'a SetWords) -> Self {
        self.set_words = Some(words);
        self
    }

    /// Turn hyphenation off (headings, captions).
    pub fn without_hyphenation(mut self) -> Self {
        self.hyphenate = false;
        self
    }

    /// A fixed-width blank at the start (a first-line indent or a hanging label's room).
    pub fn indent(&mut self, width: f32) {
        if width > 0.0 {
            self.push(Item::solid(width), None);
        }
    }

    fn push(&mut self, item: Item, piece: Option<Piece>) {
        self.paragraph.items.push(item);
        self.paragraph.pieces.push(piece);
    }

    /// A box holding a piece, with how far the piece may hang into the margins.
    fn push_piece(&mut self, piece: Piece) {
        let (hang_left, hang_right) = piece_hang(&piece);
        self.push(
            Item::Box {
                width: piece.width,
                hang_left,
                hang_right,
            },
            Some(piece),
        );
    }

    /// Append spans.
    pub fn add_spans(&mut self, spans: &[Span]) {
        // About one item per three bytes of prose (a word, its space, the odd hyphenation
        // point): growing the lists step by step copied them over and over.
        let bytes: usize = spans.iter().map(|s| s.text.len()).sum();
        // The paragraph's first text decides its direction.
        if !std::mem::replace(&mut self.direction_decided, true) {
            self.paragraph.right_to_left = spans
                .iter()
                .flat_map(|span| span.text.chars())
                .find_map(strong_char_direction)
                .unwrap_or(false);
        }
        self.paragraph.items.reserve(bytes / 3);
        self.paragraph.pieces.reserve(bytes / 3);
        for (index, span) in spans.iter().enumerate() {
            self.span_index = index;
            self.add_span(span);
        }
    }

    fn add_span(&mut self, span: &Span) {
        let style = Rc::new(span.style.clone());
        let key = self.set_words.map(|_| {
            (
                style.family,
                style.style,
                style.size.to_bits(),
                style.lang.clone(),
                self.hyphenate,
                self.paragraph.right_to_left,
            )
        });
        let mut word_start = None;
        for (i, c) in span.text.char_indices() {
            let is_space = WORD_SPACES.contains(&c);
            if is_space {
                if let Some(start) = word_start.take() {
                    self.add_word_reusing(&span.text[start..i], &style, key.as_ref());
                }
                if c == '\n' {
                    self.forced_break();
                } else {
                    let items = self.paragraph.items.len();
                    self.space(&style);
                    if self.record_restarts && self.paragraph.items.len() > items {
                        self.paragraph.restarts.push(Restart {
                            item: items,
                            span: self.span_index,
                            offset: i + c.len_utf8(),
                        });
                    }
                }
            } else if word_start.is_none() {
                word_start = Some(i);
            }
        }
        if let Some(start) = word_start {
            self.add_word_reusing(&span.text[start..], &style, key.as_ref());
        }
    }

    /// [`Self::add_word`], taking the word from [`Self::set_words`] (under `key`, the
    /// span's setting) when it was set before, and keeping it there when not.
    fn add_word_reusing(&mut self, word: &str, style: &Rc<TextStyle>, key: Option<&SetWordKey>) {
        let (Some(words), Some(key)) = (self.set_words, key) else {
            self.add_word(word, style);
            return;
        };
        let known = words.0.borrow().get(key, word);
        if let Some(set) = known {
            if !self.breaks_anywhere(set.width, style) {
                for (item, piece) in &set.items {
                    self.push(item.clone(), piece.as_ref().map(|p| p.in_style(style)));
                }
                return;
            }
        }
        let first = self.paragraph.items.len();
        let width = self.add_word(word, style);
        if self.breaks_anywhere(width, style) {
            return;
        }
        let items = self.paragraph.items[first..]
            .iter()
            .zip(&self.paragraph.pieces[first..])
            .map(|(item, piece)| {
                let piece = piece.as_ref().map(|piece| WordPiece {
                    font: piece.font,
                    glyphs: Rc::clone(&piece.glyphs),
                    width: piece.width,
                });
                (item.clone(), piece)
            })
            .collect();
        let set = Rc::new(SetWord { items, width });
        words.0.borrow_mut().insert(key.clone(), word, set);
    }

    /// Whether a word `width` wide in `style` may break between any two graphemes: it is
    /// too wide for the measure (code, which cannot be hyphenated, sooner).
    fn breaks_anywhere(&self, width: f32, style: &TextStyle) -> bool {
        width > self.measure * 0.9 || (style.family == Family::Mono && width > self.measure * 0.5)
    }

    fn forced_break(&mut self) {
        self.push(
            Item::Glue {
                width: 0.0,
                stretch: 1.0e6,
                shrink: 0.0,
            },
            None,
        );
        self.push(Item::penalty(FORCED, false), None);
    }

    fn space(&mut self, style: &TextStyle) {
        // Runs of spaces collapse in prose; code keeps every space.
        let collapse = style.family != Family::Mono;
        if collapse && matches!(self.paragraph.items.last(), Some(Item::Glue { .. }) | None) {
            return;
        }
        let key = (style.family, style.style, style.size.to_bits());
        if let Some((cached, glue)) = &self.last_space {
            if *cached == key {
                let glue = glue.clone();
                self.push(glue, None);
                return;
            }
        }
        let font = self.shaper.fonts().select(style.family, style.style);
        let space = self
            .shaper
            .shape_in(font, " ")
            .first()
            .map_or(0.25, |g| g.advance)
            * style.size;
        let (stretch, shrink) = if style.family == Family::Mono {
            (0.0, 0.0)
        } else {
            (space * 0.6, space * 0.3)
        };
        let glue = Item::Glue {
            width: space,
            stretch,
            shrink,
        };
        self.last_space = Some((key, glue.clone()));
        self.push(glue, None);
    }

    /// Set `word` in `style`: its boxes, cut where a break is allowed, with the penalties
    /// between them. Returns its natural width.
    fn add_word(&mut self, word: &str, style: &Rc<TextStyle>) -> f32 {
        let runs = self.shaper.shape_word_in(
            word,
            style.family,
            style.style,
            self.paragraph.right_to_left,
        );
        // (font, glyph, cluster relative to the word), walked in place rather than collected.
        let glyphs = || {
            runs.iter().flat_map(|run| {
                run.glyphs
                    .iter()
                    .map(move |g| (run.font, g, run.start + g.cluster))
            })
        };
        let width: f32 = glyphs().map(|(_, g, _)| g.advance).sum::<f32>() * style.size;
        let mut breaks = std::mem::take(&mut self.breaks);
        self.break_points(word, style, width, &mut breaks);
        if !breaks.is_empty() {
            // Only cluster starts can take a break (never inside a ligature or conjunct).
            let mut starts = std::mem::take(&mut self.cluster_starts);
            starts.clear();
            starts.extend(glyphs().map(|(_, _, c)| c));
            starts.sort_unstable();
            breaks.retain(|(offset, _)| starts.binary_search(offset).is_ok());
            self.cluster_starts = starts;
        }

        // The glyphs of the piece being made gather in a buffer reused from word to word,
        // and go into the piece in one allocation of their exact size.
        let mut glyphs_of_piece = std::mem::take(&mut self.piece_glyphs);
        glyphs_of_piece.clear();
        let piece_of = |font: FontId, width: f32, glyphs: &mut Vec<PieceGlyph>| Piece {
            font,
            style: Rc::clone(style),
            glyphs: glyphs.drain(..).collect(),
            width,
            space_after: false,
        };
        // The font and the width so far of the piece being made.
        let mut current: Option<(FontId, f32)> = None;
        let mut next_break = breaks.iter().peekable();
        for (font, glyph, cluster) in glyphs() {
            let mut kind_here = None;
            while let Some((offset, kind)) = next_break.peek() {
                if *offset < cluster {
                    next_break.next();
                } else {
                    if *offset == cluster {
                        kind_here = Some(*kind);
                    }
                    break;
                }
            }
            if let Some(kind) = kind_here {
                if glyph.text.is_empty() {
                    // Not the first glyph of its cluster: no break here.
                } else {
                    if let Some((font, width)) = current.take() {
                        self.push_piece(piece_of(font, width, &mut glyphs_of_piece));
                    }
                    self.break_penalty(kind, font, style);
                }
            }
            let width = match &mut current {
                Some((piece_font, width)) if *piece_font == font => width,
                _ => {
                    if let Some((font, width)) = current.take() {
                        self.push_piece(piece_of(font, width, &mut glyphs_of_piece));
                    }
                    &mut current.insert((font, 0.0)).1
                }
            };
            glyphs_of_piece.push(PieceGlyph {
                id: glyph.id,
                x: *width + glyph.x_offset * style.size,
                y_offset: glyph.y_offset * style.size,
                text: glyph.text.clone(),
            });
            *width += glyph.advance * style.size;
        }
        if let Some((font, width)) = current.take() {
            self.push_piece(piece_of(font, width, &mut glyphs_of_piece));
        }
        self.piece_glyphs = glyphs_of_piece;
        breaks.clear();
        self.breaks = breaks;
        width
    }

    fn break_penalty(&mut self, kind: BreakKind, font: FontId, style: &Rc<TextStyle>) {
        match kind {
            BreakKind::Hyphen | BreakKind::CapitalHyphen => {
                let hyphen = self.shaper.shape_in(font, "-");
                let width = hyphen.iter().map(|g| g.advance).sum::<f32>() * style.size;
                let piece = Piece {
                    font,
                    style: Rc::clone(style),
                    glyphs: hyphen
                        .iter()
                        .map(|g| PieceGlyph {
                            id: g.id,
                            x: 0.0,
                            y_offset: 0.0,
                            // Copies as a hyphen at the line end, as in TeX output;
                            // extractors such as pdftotext join the word again.
                            text: "-".into(),
                        })
                        .collect(),
                    width,
                    space_after: false,
                };
                let (_, hang) = piece_hang(&piece);
                let cost = if kind == BreakKind::CapitalHyphen {
                    CAPITALISED_HYPHEN_PENALTY
                } else {
                    HYPHEN_PENALTY
                };
                self.push(
                    Item::Penalty {
                        width,
                        cost,
                        flagged: true,
                        hang,
                    },
                    Some(piece),
                );
            }
            BreakKind::Explicit => self.push(Item::penalty(EXPLICIT_HYPHEN_PENALTY, true), None),
            BreakKind::Plain => self.push(Item::penalty(PLAIN_BREAK_PENALTY, false), None),
            BreakKind::Emergency => self.push(Item::penalty(EMERGENCY_BREAK_PENALTY, false), None),
        }
    }

    /// Allowed break offsets inside a word, with their kind, into `points` (empty on entry).
    fn break_points(
        &self,
        word: &str,
        style: &TextStyle,
        width: f32,
        points: &mut Vec<(usize, BreakKind)>,
    ) {
        let is_code = style.family == Family::Mono;
        // Explicit hyphens and dashes between letters, with as many letters on each side
        // as a hyphenation point needs (no "e-" at a line's end).
        // Not inside a number, though: "2019-01-15" and "3/4" stay whole.
        let numbers = number_ranges(word);
        let in_number = |offset: usize| numbers.iter().any(|r| r.start < offset && offset < r.end);
        for (n, (i, c)) in word.char_indices().enumerate() {
            if matches!(c, '-' | '–' | '—' | '/') && n >= LEFT_HYPHEN_MIN {
                let next = i + c.len_utf8();
                if word[next..].chars().count() >= RIGHT_HYPHEN_MIN && !in_number(next) {
                    points.push((next, BreakKind::Explicit));
                }
            }
        }
        // Hyphenation of the alphabetic parts (not in code).
        if !is_code && self.hyphenate {
            let mut start = None;
            for (i, c) in word
                .char_indices()
                .chain(std::iter::once((word.len(), ' ')))
            {
                match (c.is_alphabetic(), start) {
                    (true, None) => start = Some(i),
                    (false, Some(s)) => {
                        let part = &word[s..i];
                        // Names and words with internal capitals are cut only as a last
                        // resort: "Jais-hankar" is hard to read back.
                        let kind = if part.chars().any(char::is_uppercase) {
                            BreakKind::CapitalHyphen
                        } else {
                            BreakKind::Hyphen
                        };
                        let lang = style.lang.as_deref();
                        self.hyphenation.for_each_point_in(part, lang, |p| {
                            let before = part[..p].chars().count();
                            let after = part[p..].chars().count();
                            if before >= LEFT_HYPHEN_MIN && after >= RIGHT_HYPHEN_MIN {
                                points.push((s + p, kind));
                            }
                        });
                        start = None;
                    }
                    _ => {}
                }
            }
        }
        // UAX #14: Chinese and Japanese break between characters, with its kinsoku rules
        // (no line starts with 、。」 or a small kana, none ends with 「). Korean, written
        // with spaces, breaks only at them, as Korean books are set (CSS `keep-all`). After
        // a hyphen or dash the explicit rule above decides, with its minimum letters on
        // each side.
        for (offset, _) in unicode_linebreak::linebreaks(word) {
            let before = word[..offset].chars().next_back();
            let after_dash = before.is_some_and(|c| matches!(c, '-' | '–' | '—' | '/'));
            let inside_korean = before.is_some_and(is_hangul)
                && word[offset..].chars().next().is_some_and(is_hangul);
            if offset > 0 && offset < word.len() && !after_dash && !inside_korean {
                points.push((offset, BreakKind::Plain));
            }
        }
        // URLs and paths: after separators.
        if word.contains("://") || word.starts_with("www.") || is_code {
            for (i, c) in word.char_indices() {
                if matches!(c, '.' | '?' | '&' | '=' | '_' | ',' | ';' | ':' | ')' | ']') {
                    let next = i + c.len_utf8();
                    if next < word.len() {
                        points.push((next, BreakKind::Plain));
                    }
                }
            }
        }
        // A word wider than the measure may break anywhere, but inside a number (a date, a
        // figure) only if the number itself is too wide for the measure.
        if self.breaks_anywhere(width, style) {
            let too_wide: Vec<&std::ops::Range<usize>> = numbers
                .iter()
                .filter(|r| {
                    let runs =
                        self.shaper
                            .shape_word(&word[(*r).clone()], style.family, style.style);
                    runs.iter().map(|run| run.advance()).sum::<f32>() * style.size > self.measure
                })
                .collect();
            for (offset, _) in word.grapheme_indices(true).skip(1) {
                let whole = numbers.iter().any(|r| r.start < offset && offset < r.end)
                    && !too_wide.iter().any(|r| r.start < offset && offset < r.end);
                if !whole {
                    points.push((offset, BreakKind::Emergency));
                }
            }
        }
        points.sort_by_key(|(offset, kind)| (*offset, kind_rank(*kind)));
        points.dedup_by_key(|(offset, _)| *offset);
    }

    /// Finish the paragraph and break it into lines.
    pub fn finish(mut self, alignment: Alignment) -> (Paragraph, Vec<Line>) {
        while matches!(self.paragraph.items.last(), Some(Item::Glue { .. })) {
            self.paragraph.items.pop();
            self.paragraph.pieces.pop();
        }
        linebreak::finish_paragraph(&mut self.paragraph.items);
        self.paragraph.pieces.extend([None, None, None]);
        let lines = match alignment {
            Alignment::Justify if self.measure > 120.0 => {
                linebreak::total_fit(&self.paragraph.items, self.measure, &Params::default())
            }
            _ => linebreak::first_fit(&self.paragraph.items, self.measure),
        };
        (self.paragraph, lines)
    }
}

/// A justified paragraph is set one line longer for a page that would end short (see
/// [`looser_lines`]) only if it has at least this many lines: in a shorter one the extra
/// line's words are shared among too few lines.
const LOOSER_MIN_LINES: usize = 3;

/// … and only if its last line already fills this much of the measure: the extra line then
/// takes a word or two, and the lines above barely loosen.
const LOOSER_LAST_LINE_FILL: f32 = 0.0;

/// … and only if no line of the longer setting stretches its spaces beyond this ratio of
/// their stretch (the first pass's tolerance): a paragraph loosened for a full page reads
/// like any other the breaker accepts.
pub const LOOSER_MAX_RATIO: f32 = 1.5;

/// The paragraph set justified in one line more than `lines`, its best setting, if that
/// reads as well: for the page breaker to lengthen a paragraph wholly on a page that would
/// otherwise end short (TeX's `\looseness=1`, chosen page by page). With the lines, their
/// loosest glue ratio, so that the breaker can take the cheapest paragraphs first.
/// `page_lines` is how many lines a page holds: a paragraph that cannot lie wholly on one
/// page is never lengthened, so its longer setting (which costs a few times its best) is
/// not sought.
pub fn looser_lines(
    paragraph: &Paragraph,
    lines: &[Line],
    measure: f32,
    page_lines: usize,
) -> Option<(Vec<Line>, f32)> {
    let last = lines.last()?;
    if !may_be_looser(lines.len(), page_lines) {
        return None;
    }
    let last_width: f32 = paragraph
        .items
        .get(last.start..last.end)
        .unwrap_or_default()
        .iter()
        .map(|item| match item {
            Item::Box { width, .. } => *width,
            Item::Glue { width, stretch, .. } if *stretch < 1.0e5 => *width,
            _ => 0.0,
        })
        .sum();
    if last_width < measure * LOOSER_LAST_LINE_FILL {
        return None;
    }
    let longer = linebreak::total_fit_in_lines(
        &paragraph.items,
        measure,
        &Params::default(),
        lines.len() + 1,
    )?;
    let loosest = longer[..longer.len() - 1]
        .iter()
        .map(|line| line.ratio)
        .fold(0.0f32, f32::max);
    (loosest <= LOOSER_MAX_RATIO).then_some((longer, loosest))
}

/// Whether a paragraph of `lines` lines may have a longer setting for [`looser_lines`] to
/// find, on pages of `page_lines` lines: long enough to share an extra line's words, short
/// enough to lie wholly on one page.
pub fn may_be_looser(lines: usize, page_lines: usize) -> bool {
    (LOOSER_MIN_LINES..page_lines).contains(&lines)
}

/// The byte ranges of the numbers in `word`: digits, with single separators (`-`, `/`,
/// `.`, `:`, `,`) between digits, as in "2019-01-15", "12:30", "3.14" or "1,000".
pub fn number_ranges(word: &str) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    // Most words hold no digit: nothing to allocate for them.
    if !word.bytes().any(|b| b.is_ascii_digit()) {
        return ranges;
    }
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    let mut n = 0;
    while n < chars.len() {
        if !chars[n].1.is_ascii_digit() {
            n += 1;
            continue;
        }
        let start = chars[n].0;
        let mut end = n + 1;
        loop {
            while chars.get(end).is_some_and(|(_, c)| c.is_ascii_digit()) {
                end += 1;
            }
            let separator = chars
                .get(end)
                .is_some_and(|(_, c)| matches!(c, '-' | '/' | '.' | ':' | ','));
            if separator && chars.get(end + 1).is_some_and(|(_, c)| c.is_ascii_digit()) {
                end += 1;
            } else {
                break;
            }
        }
        let end_byte = chars.get(end).map_or(word.len(), |(i, _)| *i);
        ranges.push(start..end_byte);
        n = end;
    }
    ranges
}

/// A Hangul syllable or letter (jamo).
fn is_hangul(c: char) -> bool {
    matches!(c, '\u{AC00}'..='\u{D7A3}' | '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}')
}

fn kind_rank(kind: BreakKind) -> u8 {
    match kind {
        BreakKind::Explicit => 0,
        BreakKind::Hyphen | BreakKind::CapitalHyphen => 1,
        BreakKind::Plain => 2,
        BreakKind::Emergency => 3,
    }
}

/// Whether `item` is an ordinary word space (not the fill glue of a forced break).
fn is_word_space(item: Option<&Item>) -> bool {
    matches!(item, Some(Item::Glue { width, stretch, .. }) if *width > 0.0 && *stretch < 1.0e5)
}

/// Place the pieces of each line. A justified line has its glyphs expanded by the line's
/// factor and its glue stretched by the rest, and fills the measure plus what hangs into
/// the margins (its start moved left by the left hang); its last line, like a ragged line,
/// keeps natural widths. Ragged lines do not hang: with no straight edge on the right there
/// is nothing to correct, and on the left, lines of a list or a caption are better flush.
/// `measure` positions centred and right-aligned lines. Takes the paragraph because each
/// piece belongs to exactly one line and is moved there rather than copied.
pub fn set_lines(
    paragraph: Paragraph,
    lines: &[Line],
    alignment: Alignment,
    measure: f32,
) -> Vec<SetLine> {
    set_lines_of_part(paragraph, lines, alignment, measure, true)
}

/// [`set_lines`] for lines that may not end the paragraph: with `ends_paragraph` false the
/// last of them is justified like any other line (a giant paragraph is set a section at a
/// time).
pub fn set_lines_of_part(
    mut paragraph: Paragraph,
    lines: &[Line],
    alignment: Alignment,
    measure: f32,
    ends_paragraph: bool,
) -> Vec<SetLine> {
    let mut out = Vec::with_capacity(lines.len());
    // A right-to-left paragraph is set as a left-to-right one, then mirrored line by line
    // (`reorder_bidi`): its ragged or indented side becomes the left.
    let base_rtl = paragraph.right_to_left;
    for (n, line) in lines.iter().enumerate() {
        let is_last = ends_paragraph && n + 1 == lines.len();
        let justify = alignment == Alignment::Justify;
        // A justified line takes the breaker's expansion and glue ratio, and starts its
        // hang to the left of the measure; the last line of a paragraph keeps its natural
        // glyphs and spaces (shrunk if it must), but hangs on the left all the same.
        let (ratio, expansion) = match alignment {
            Alignment::Justify if !is_last => (line.ratio.clamp(-1.0, 10.0), line.expansion),
            Alignment::Justify if line.ratio < 0.0 => (line.ratio.max(-1.0), 0.0),
            _ => (0.0, 0.0),
        };
        let hang_left = if justify { line.hang_left } else { 0.0 };
        let scale = 1.0 + expansion;
        let mut set = SetLine {
            pieces: Vec::with_capacity(line.end.saturating_sub(line.start) + 1),
            expansion,
            ..SetLine::default()
        };
        let mut x = -hang_left;
        // A word space was passed since the last piece: that piece is followed by a space.
        let mut space_pending = false;
        for i in line.start..line.end.min(paragraph.items.len()) {
            match &paragraph.items[i] {
                Item::Box { width, .. } => {
                    if let Some(mut piece) = paragraph.pieces.get_mut(i).and_then(Option::take) {
                        set.max_size = set.max_size.max(piece.style.size);
                        if std::mem::take(&mut space_pending) {
                            if let Some((_, previous)) = set.pieces.last_mut() {
                                previous.space_after = true;
                            }
                        }
                        expand(&mut piece, scale);
                        set.pieces.push((x, piece));
                    }
                    x += width * scale;
                }
                Item::Glue {
                    width,
                    stretch,
                    shrink,
                } => {
                    space_pending |= is_word_space(Some(&paragraph.items[i]));
                    // Infinite fill glue only matters for the breaker.
                    if *stretch < 1.0e5 {
                        x += width
                            + if ratio >= 0.0 {
                                ratio * stretch
                            } else {
                                ratio * shrink
                            };
                    }
                }
                Item::Penalty { .. } => {}
            }
        }
        if line.hyphenated {
            if let Some(mut piece) = paragraph.pieces.get_mut(line.end).and_then(Option::take) {
                let at = x;
                expand(&mut piece, scale);
                x += piece.width;
                set.pieces.push((at, piece));
            }
        } else if is_word_space(paragraph.items.get(line.end)) {
            // The line breaks at a word space: the text goes on with a space, so that words
            // either side of the break stay apart when the text is read back (a screen
            // reader following the structure, a copy of the paragraph).
            if let Some((_, last)) = set.pieces.last_mut() {
                last.space_after = true;
            }
        }
        set.width = x;
        let shift = match alignment {
            Alignment::Center => ((measure - x) / 2.0).max(0.0),
            Alignment::Right => (measure - x).max(0.0),
            _ => 0.0,
        };
        if shift > 0.0 {
            for (px, _) in &mut set.pieces {
                *px += shift;
            }
        }
        reorder_bidi(&mut set.pieces, base_rtl, measure);
        out.push(set);
    }
    out
}

/// Lay a piece out `scale` times as wide; its glyphs' places follow where the line is
/// drawn ([`SetLine::glyph_x`]).
fn expand(piece: &mut Piece, scale: f32) {
    if scale == 1.0 {
        return;
    }
    piece.width *= scale;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typeset::fonts::FontSet;

    fn set(text: &str, measure: f32) -> Vec<SetLine> {
        set_keeping_pieces(text, measure).0
    }

    fn line_text(line: &SetLine) -> String {
        line.pieces
            .iter()
            .map(|(_, p)| p.glyphs.iter().map(|g| g.text.as_str()).collect::<String>())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn justified_lines_fill_the_measure() {
        let text = "The ties between India and Russia remained strong notwithstanding Moscow’s invasion of Ukraine. India has not yet condemned the Russian invasion of Ukraine and it has been maintaining that the crisis must be resolved through diplomacy and dialogue.";
        let (set, lines, _, _) = set_keeping_pieces(text, 200.0);
        assert!(set.len() >= 5);
        for (line, broken) in set[..set.len() - 1].iter().zip(&lines) {
            // Up to the measure, and past it by what hangs into the margin.
            let width = line.width - broken.hang_right;
            assert!((width - 200.0).abs() < 0.05, "{width} wide");
        }
    }

    #[test]
    fn a_5000_letter_word_breaks_within_the_measure() {
        let word = "a".repeat(5000);
        let lines = set(&word, 150.0);
        assert!(lines.len() > 50);
        for line in &lines {
            assert!(line.width <= 150.01, "{}", line.width);
        }
        let total: usize = lines
            .iter()
            .map(|l| line_text(l).chars().filter(|c| *c == 'a').count())
            .sum();
        assert_eq!(total, 5000, "every letter is set exactly once");
    }

    #[test]
    fn chinese_and_japanese_break_between_characters_but_never_before_closing_marks() {
        // Without a CJK font each character is a replacement mark of one width: the breaks
        // come from UAX #14 whatever draws them.
        let text = "東京は日本の首都です。きょうは晴れて、とても暖かい一日になりました。「ニュース」によると、明日も晴れるでしょう。中国和印度是两个古老的文明国家，两国人民的友谊源远流长。";
        for measure in [60.0, 75.0, 90.0, 110.0] {
            let lines = ragged(text, measure);
            assert!(lines.len() > 3, "{lines:?}");
            for line in &lines[1..] {
                let first = line.chars().next().expect("a character");
                assert!(
                    !"、。」，ょっゃゅー".contains(first),
                    "{measure}: {lines:?}"
                );
            }
            for line in &lines {
                let last = line.chars().next_back().expect("a character");
                assert_ne!(last, '「', "{measure}: {lines:?}");
            }
            let set: String = lines.concat().split(' ').collect();
            assert_eq!(set, text, "no character lost or doubled");
        }
    }

    #[test]
    fn korean_breaks_only_between_words() {
        let text = "대한민국의 수도는 서울입니다. 오늘 서울은 맑고 따뜻한 날씨가 이어지겠습니다.";
        let words: Vec<&str> = text.split(' ').collect();
        let lines = ragged(text, 90.0);
        assert!(lines.len() > 2, "{lines:?}");
        for line in &lines {
            for word in line.split(' ') {
                assert!(
                    words.contains(&word),
                    "{word:?} is a piece of a word: {lines:?}"
                );
            }
        }
    }

    /// Ragged lines of `text` at `measure`, as text.
    fn ragged(text: &str, measure: f32) -> Vec<String> {
        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        let hyph = Hyphenation::for_language("en");
        let mut b = ParagraphBuilder::new(&shaper, &hyph, measure);
        b.add_spans(&[Span {
            text: text.into(),
            style: TextStyle::body(10.0),
        }]);
        let (p, lines) = b.finish(Alignment::Left);
        set_lines(p, &lines, Alignment::Left, measure)
            .iter()
            .map(line_text)
            .collect()
    }

    #[test]
    fn numbers_are_digits_with_single_separators_between_digits() {
        let word = "ISBN:978-3-16,on2019-01-15.";
        let found: Vec<&str> = number_ranges(word).into_iter().map(|r| &word[r]).collect();
        assert_eq!(found, ["978-3-16", "2019-01-15"]);
        assert_eq!(number_ranges("12:30"), vec![0..5]);
        assert_eq!(number_ranges("1,000.5%"), vec![0..7]);
        assert!(number_ranges("a-b").is_empty());
    }

    #[test]
    fn dates_and_numbers_stay_whole_unless_wider_than_the_measure() {
        let dates = ["2019-01-15", "2019/02/28", "12:30", "1,234.56"];
        let text = format!(
            "From {} to {} at {} for {} in all",
            dates[0], dates[1], dates[2], dates[3]
        );
        // Narrow, but wide enough for each date: no line holds part of one.
        for measure in [60.0, 75.0, 90.0] {
            let lines = ragged(&text, measure);
            for date in dates {
                assert!(
                    lines
                        .iter()
                        .any(|l| l.split(' ').any(|w| w.trim_end_matches(',') == date)),
                    "{date} split at {measure}: {lines:?}"
                );
            }
        }
        // Narrower than a date: it is broken after all, every character set once.
        let lines = ragged("2019-01-15", 20.0);
        assert!(lines.len() > 1, "{lines:?}");
        assert_eq!(lines.concat().replace(' ', ""), "2019-01-15");
    }

    #[test]
    fn long_url_breaks_at_separators() {
        let lines = set(
            "See https://example.org/a/very/long/path/that/keeps/going/and/going/index.html?query=value&other=thing now.",
            120.0,
        );
        for line in &lines {
            assert!(line.width <= 120.01, "{}", line.width);
        }
    }

    #[test]
    fn hyphenation_points_come_from_the_patterns() {
        let h = Hyphenation::for_language("en");
        assert!(!h.points("notwithstanding").is_empty());
        assert!(h.points("it").is_empty());
        // Russian patterns do not hyphenate English, but do Russian.
        let russian = Hyphenation::for_language("ru");
        assert!(russian.points("notwithstanding").is_empty());
        assert!(!russian.points("достопримечательность").is_empty());
        assert!(Hyphenation::for_language("zh")
            .points("notwithstanding")
            .is_empty());
    }

    #[test]
    fn a_right_to_left_phrase_reads_from_the_right_in_a_left_to_right_line() {
        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        let hyphenation = Hyphenation::for_language("en");
        let mut builder = ParagraphBuilder::new(&shaper, &hyphenation, 400.0);
        // "He wrote שלום עולם now": the two Hebrew words, in logical order, then English.
        builder.add_spans(&[Span {
            text: "He wrote \u{5E9}\u{5DC}\u{5D5}\u{5DD} \u{5E2}\u{5D5}\u{5DC}\u{5DD} now.".into(),
            style: TextStyle::body(10.0),
        }]);
        let (paragraph, lines) = builder.finish(Alignment::Left);
        let set = set_lines(paragraph, &lines, Alignment::Left, 400.0);
        assert_eq!(set.len(), 1);
        let words: Vec<(f32, String)> = set[0]
            .pieces
            .iter()
            .map(|(x, p)| (*x, p.glyphs.iter().map(|g| g.text.as_str()).collect()))
            .collect();
        // In visual order, left to right: the English, then the second Hebrew word (its
        // letters drawn right to left), then the first, then the English again.
        let texts: Vec<&str> = words.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(
            texts,
            [
                "He",
                "wrote",
                "\u{5DD}\u{5DC}\u{5D5}\u{5E2}",
                "\u{5DD}\u{5D5}\u{5DC}\u{5E9}",
                "now."
            ]
        );
        assert!(words.windows(2).all(|w| w[0].0 < w[1].0), "{words:?}");
    }

    #[test]
    fn a_right_to_left_paragraph_starts_at_the_right_with_its_english_words_in_order() {
        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        let hyphenation = Hyphenation::for_language("ur");
        // Urdu with an English name and a year: "یہ New Delhi میں 2024 ہے" (logical order).
        let text = "یہ New Delhi میں 2024 ہے";
        let measure = 400.0;
        let mut builder = ParagraphBuilder::new(&shaper, &hyphenation, measure);
        builder.add_spans(&[Span {
            text: text.into(),
            style: TextStyle::body(10.0),
        }]);
        let (paragraph, lines) = builder.finish(Alignment::Left);
        let set = set_lines(paragraph, &lines, Alignment::Left, measure);
        assert_eq!(set.len(), 1);
        let words: Vec<(f32, f32, String)> = set[0]
            .pieces
            .iter()
            .map(|(x, p)| {
                (
                    *x,
                    p.width,
                    p.glyphs.iter().map(|g| g.text.as_str()).collect(),
                )
            })
            .collect();
        let texts: Vec<&str> = words.iter().map(|(_, _, t)| t.as_str()).collect();
        // Left to right on the page: the last word first, "New Delhi" reading left to right,
        // the first Urdu word at the right edge. Each Urdu word is one glyph run whose
        // letters are in visual order, so its text reads backwards.
        let visual = |word: &str| word.chars().rev().collect::<String>();
        assert_eq!(
            texts.first().map(|t| visual(t)),
            Some("ہے".to_string()),
            "{texts:?}"
        );
        assert_eq!(
            texts.last().map(|t| visual(t)),
            Some("یہ".to_string()),
            "{texts:?}"
        );
        let new = texts.iter().position(|t| *t == "New").expect("New");
        assert_eq!(texts[new + 1], "Delhi", "{texts:?}");
        let year = texts.iter().position(|t| *t == "2024").expect("2024");
        assert!(
            year < new,
            "the year comes after New Delhi, reading from the right: {texts:?}"
        );
        assert!(words.windows(2).all(|w| w[0].0 < w[1].0), "{words:?}");
        // Flush right: the ragged edge is on the left.
        let (x, width, _) = words.last().expect("a word");
        assert!((x + width - measure).abs() < 0.5, "{words:?}");
        assert!(words[0].0 > 100.0, "{words:?}");
    }

    #[test]
    fn each_language_has_its_own_patterns() {
        assert_eq!(hyphenation_language("de"), Some(Language::German1996));
        assert_eq!(hyphenation_language("de-CH"), Some(Language::GermanSwiss));
        assert_eq!(hyphenation_language("en-IN"), Some(Language::EnglishGB));
        assert_eq!(hyphenation_language("en"), Some(Language::EnglishUS));
        assert_eq!(hyphenation_language("hi"), Some(Language::Hindi));
        assert_eq!(hyphenation_language("ta"), Some(Language::Tamil));
        assert_eq!(hyphenation_language("bn"), Some(Language::Bengali));
        assert_eq!(
            hyphenation_language("sr-Latn"),
            Some(Language::SerbocroatianLatin)
        );
        assert_eq!(hyphenation_language("ja"), None);
        assert_eq!(hyphenation_language("x-klingon"), None);
        // German patterns break a German compound where German does, and English ones
        // where English would: the two differ.
        let german = Hyphenation::for_language("de");
        let points = german.points("Donaudampfschifffahrt");
        assert!(!points.is_empty());
        let english = Hyphenation::for_language("en").points("Donaudampfschifffahrt");
        assert_ne!(points, english);
        // Every embedded language loads.
        for tag in [
            "fr", "es", "it", "pt", "nl", "pl", "cs", "sv", "ru", "uk", "hi", "bn", "ta", "te",
            "ml", "kn", "gu", "pa", "mr",
        ] {
            let language = hyphenation_language(tag).expect(tag);
            assert!(Standard::from_embedded(language).is_ok(), "{tag}");
        }
    }

    #[test]
    fn words_break_by_the_patterns_of_their_passage() {
        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        let word = "Rechtsschutzversicherungsgesellschaften";
        let points = |book: &str, lang: Option<&str>| {
            let hyphenation = Hyphenation::for_language(book);
            let builder = ParagraphBuilder::new(&shaper, &hyphenation, 300.0);
            let mut style = TextStyle::body(10.0);
            style.lang = lang.map(Into::into);
            let mut found = Vec::new();
            builder.break_points(word, &style, 400.0, &mut found);
            found
                .into_iter()
                .filter(|(_, kind)| *kind == BreakKind::CapitalHyphen)
                .map(|(offset, _)| offset)
                .collect::<Vec<_>>()
        };
        let german = Hyphenation::for_language("de").points(word);
        let in_german_book = points("de", None);
        assert!(!in_german_book.is_empty());
        assert!(
            in_german_book.iter().all(|p| german.contains(p)),
            "{in_german_book:?}"
        );
        // The same word marked as German in an English book breaks the same way.
        assert_eq!(points("en", Some("de")), in_german_book);
        // A book in a language without patterns does not hyphenate it.
        assert!(points("ja", None).is_empty());
    }

    #[test]
    fn a_passage_in_another_language_is_hyphenated_by_its_own_patterns() {
        let book = Hyphenation::for_language("en");
        let mut german = Vec::new();
        book.for_each_point_in("Donaudampfschifffahrt", Some("de"), |p| german.push(p));
        assert_eq!(
            german,
            Hyphenation::for_language("de").points("Donaudampfschifffahrt")
        );
    }

    const SEED: &str = "The ties between India and Russia remained strong notwithstanding Moscow’s invasion of Ukraine. India has not yet condemned the Russian invasion of Ukraine and it has been maintaining that the crisis must be resolved through diplomacy and dialogue. External Affairs Minister S Jaishankar arrived in Moscow on Monday for a five-day visit, the first by a senior Indian leader since the war began, and met with his Russian counterpart Sergey Lavrov on Wednesday, where the latter praised the flagship ‘Made in India’ programme and the International North–South Transport Corridor.";

    /// A paragraph set at `measure`, with the breaker's lines and a copy of the pieces as
    /// they were before setting (natural widths).
    fn set_keeping_pieces(
        text: &str,
        measure: f32,
    ) -> (Vec<SetLine>, Vec<Line>, Vec<Option<Piece>>, Vec<Item>) {
        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        let hyph = Hyphenation::for_language("en");
        let mut b = ParagraphBuilder::new(&shaper, &hyph, measure);
        b.add_spans(&[Span {
            text: text.into(),
            style: TextStyle::body(10.0),
        }]);
        let (p, lines) = b.finish(Alignment::Justify);
        let pieces = p.pieces.clone();
        let items = p.items.clone();
        (
            set_lines(p, &lines, Alignment::Justify, measure),
            lines,
            pieces,
            items,
        )
    }

    /// A paragraph of `spans` built at `measure`, reusing `words` when given.
    fn built(
        shaper: &Shaper<'_>,
        hyphenation: &Hyphenation,
        words: Option<&SetWords>,
        (spans, measure, hyphenate): &(Vec<Span>, f32, bool),
    ) -> (Paragraph, Vec<Line>) {
        let mut builder = ParagraphBuilder::new(shaper, hyphenation, *measure);
        if let Some(words) = words {
            builder = builder.reusing_words(words);
        }
        if !hyphenate {
            builder = builder.without_hyphenation();
        }
        builder.add_spans(spans);
        builder.finish(Alignment::Justify)
    }

    #[test]
    fn words_set_before_are_set_again_exactly_as_afresh() {
        let span = |text: &str, style: TextStyle| Span {
            text: text.into(),
            style,
        };
        let body = TextStyle::body(10.0);
        let bold = TextStyle {
            style: Style {
                bold: true,
                ..Style::default()
            },
            ..body.clone()
        };
        let linked = TextStyle {
            gray: 0.4,
            link: Some(LinkRef::Uri("https://example.org".into())),
            ..body.clone()
        };
        let german = TextStyle {
            lang: Some("de".into()),
            ..body.clone()
        };
        let code = TextStyle {
            family: Family::Mono,
            ..body.clone()
        };
        let long = "Donaudampfschifffahrtsgesellschaftskapitän notwithstanding";
        let paragraphs = [
            (vec![span(SEED, body.clone())], 300.0, true),
            (vec![span(SEED, body.clone())], 200.0, true),
            (vec![span(SEED, bold.clone())], 300.0, true),
            (vec![span(SEED, TextStyle::body(11.0))], 300.0, true),
            (vec![span(SEED, linked)], 300.0, true),
            (vec![span(SEED, body.clone())], 300.0, false),
            (vec![span(long, body.clone())], 400.0, true),
            (vec![span(long, body.clone())], 130.0, true),
            (vec![span(long, german)], 400.0, true),
            (
                vec![span("an invasion, (2019) maintaining", body.clone())],
                300.0,
                true,
            ),
            (
                vec![span("غزو (2019) maintaining", body.clone())],
                300.0,
                true,
            ),
            (
                vec![span("let maintaining = invasion_of_ukraine();", code)],
                160.0,
                true,
            ),
        ];
        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        let hyphenation = Hyphenation::for_language("en");
        let words = SetWords::default();
        let mut reused_glyphs = 0;
        for paragraph in &paragraphs {
            let (fresh, fresh_lines) = built(&shaper, &hyphenation, None, paragraph);
            let before = built(&shaper, &hyphenation, Some(&words), paragraph);
            let (again, again_lines) = built(&shaper, &hyphenation, Some(&words), paragraph);
            assert_eq!(again.items, fresh.items, "{paragraph:?}");
            assert_eq!(again.pieces, fresh.pieces, "{paragraph:?}");
            assert_eq!(again_lines, fresh_lines, "{paragraph:?}");
            // Each piece carries the style of the span it is set in now.
            for piece in again.pieces.iter().flatten() {
                assert_eq!(*piece.style, paragraph.0[0].style);
            }
            reused_glyphs += again
                .pieces
                .iter()
                .zip(&before.0.pieces)
                .filter(|(a, b)| match (a, b) {
                    (Some(a), Some(b)) => Rc::ptr_eq(&a.glyphs, &b.glyphs),
                    _ => false,
                })
                .count();
        }
        // The words were taken from the cache, not set afresh each time.
        assert!(reused_glyphs > 100, "{reused_glyphs} pieces reused");
    }

    /// A word broken anywhere for its measure is never kept: at a wider measure it breaks
    /// only where it may.
    #[test]
    fn a_word_broken_anywhere_is_not_kept_for_a_wider_measure() {
        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        let hyphenation = Hyphenation::for_language("en");
        let words = SetWords::default();
        let word = vec![Span {
            text: "Donaudampfschifffahrtsgesellschaftskapitän".into(),
            style: TextStyle::body(10.0),
        }];
        let (narrow, _) = built(
            &shaper,
            &hyphenation,
            Some(&words),
            &(word.clone(), 120.0, true),
        );
        let (wide, _) = built(
            &shaper,
            &hyphenation,
            Some(&words),
            &(word.clone(), 400.0, true),
        );
        let (fresh, _) = built(&shaper, &hyphenation, None, &(word, 400.0, true));
        assert!(narrow.items.len() > wide.items.len());
        assert_eq!(wide.items, fresh.items);
    }

    fn width_of(piece: &Piece, text: &str) -> f32 {
        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        shaper
            .shape_in(piece.font, text)
            .iter()
            .map(|g| g.advance)
            .sum::<f32>()
            * piece.style.size
    }

    #[test]
    fn justified_lines_expand_their_glyphs_within_two_per_cent() {
        let mut expanded = 0;
        for measure in [180.0, 220.0, 260.0] {
            let (set, lines, natural, items) = set_keeping_pieces(SEED, measure);
            for (n, (line, broken)) in set.iter().zip(&lines).enumerate() {
                let last = n + 1 == set.len();
                assert!(line.expansion.abs() <= linebreak::MAX_EXPANSION + 1.0e-6);
                if last {
                    assert_eq!(line.expansion, 0.0, "the last line keeps its glyphs");
                }
                expanded += usize::from(line.expansion != 0.0);
                let scale = 1.0 + line.expansion;
                // Every piece is its natural self, `scale` times as wide, glyph for glyph:
                // its glyphs keep their natural places, and are drawn `scale` times as far.
                let drawn = |i: &usize| {
                    matches!(items[*i], Item::Box { .. }) || (*i == broken.end && broken.hyphenated)
                };
                let originals = (broken.start..=broken.end)
                    .filter(drawn)
                    .filter_map(|i| natural.get(i).cloned().flatten());
                for ((_, piece), original) in line.pieces.iter().zip(originals) {
                    assert!((piece.width - original.width * scale).abs() < 1.0e-3);
                    for (g, o) in piece.glyphs.iter().zip(original.glyphs.iter()) {
                        assert_eq!((g.id, g.x), (o.id, o.x));
                        assert!((line.glyph_x(g) - o.x * scale).abs() < 1.0e-3);
                    }
                }
                // Pieces follow each other without overlapping.
                for pair in line.pieces.windows(2) {
                    assert!(pair[0].0 + pair[0].1.width <= pair[1].0 + 1.0e-3);
                }
                if !last {
                    // The line ends at the measure, or past it by what hangs.
                    assert!(
                        (line.width - (measure + broken.hang_right)).abs() < 0.01,
                        "{} wide at {measure}",
                        line.width
                    );
                }
            }
        }
        assert!(expanded > 5, "the breaker uses expansion");
    }

    #[test]
    fn trailing_periods_and_hyphens_hang_into_the_margin_by_the_table() {
        let mut periods = 0;
        let mut hyphens = 0;
        let mut quotes = 0;
        for measure in (150..300).step_by(10) {
            let (set, lines, _, _) = set_keeping_pieces(SEED, measure as f32);
            for (line, broken) in set[..set.len() - 1].iter().zip(&lines) {
                let (x, first) = &line.pieces[0];
                if first.glyphs[0].text == "‘" {
                    let advance = first.glyphs[1].x - first.glyphs[0].x;
                    assert!((-x - 0.7 * advance).abs() < 0.01, "quote hangs 700/1000");
                    quotes += 1;
                }
                let (x, last) = line.pieces.last().expect("a piece");
                let glyph = last.glyphs.last().expect("a glyph");
                let end = x + last.width;
                // By the table, in thousandths of the glyph's natural width.
                let c = glyph.text.chars().last().expect("text");
                let hang = f32::from(protrusion(c).1) / 1000.0 * width_of(last, &glyph.text);
                assert!((broken.hang_right - hang).abs() < 0.01);
                assert!(
                    (end - (measure as f32 + hang)).abs() < 0.05,
                    "{} ends at {end}, measure {measure}, hang {hang}",
                    glyph.text
                );
                periods += usize::from(glyph.text == ".");
                hyphens += usize::from(glyph.text == "-");
            }
        }
        assert!(
            periods > 0 && hyphens > 0 && quotes > 0,
            "{periods} {hyphens} {quotes}"
        );
        for c in ['.', ',', '-'] {
            assert_eq!(protrusion(c).1, 700, "{c}");
        }
        assert_eq!(protrusion('a'), (0, 0));
        for c in [
            '.', '-', '\u{2013}', '\u{2014}', '\u{201C}', '\u{2018}', '(', '\u{2026}',
        ] {
            let fonts = FontSet::builtin().expect("fonts");
            let shaper = Shaper::new(&fonts);
            for font in [FontId(0), FontId(1), FontId(2), FontId(3)] {
                let width: f32 = shaper
                    .shape_in(font, &c.to_string())
                    .iter()
                    .map(|g| g.advance)
                    .sum();
                let (left, right) = protrusion(c);
                let most = f32::from(left.max(right)) / PROTRUSION_UNIT * width;
                assert!(most <= MAX_HANG, "{c} hangs {most} em");
            }
        }
    }

    #[test]
    fn hyphenation_leaves_two_letters_before_and_three_after() {
        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        let hyph = Hyphenation::for_language("en");
        let b = ParagraphBuilder::new(&shaper, &hyph, 300.0);
        let style = TextStyle::body(10.0);
        for word in [
            "notwithstanding",
            "relations",
            "undeniable",
            "abolished",
            "e-mail",
            "co-operation",
            "India-US",
            "reopened",
        ] {
            let mut points = Vec::new();
            b.break_points(word, &style, 50.0, &mut points);
            for (offset, _) in points {
                let before = word[..offset].chars().filter(|c| c.is_alphabetic()).count();
                let after = word[offset..].chars().filter(|c| c.is_alphabetic()).count();
                assert!(before >= 2 && after >= 3, "{word} broken at {offset}");
            }
        }
        let mut points = Vec::new();
        b.break_points("co-operation", &style, 50.0, &mut points);
        assert!(points.contains(&(3, BreakKind::Explicit)));
    }

    #[test]
    fn names_are_hyphenated_only_as_a_last_resort() {
        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        let hyph = Hyphenation::for_language("en");
        let b = ParagraphBuilder::new(&shaper, &hyph, 300.0);
        let style = TextStyle::body(10.0);
        for (word, capital) in [
            ("Jaishankar", true),
            ("McDonald", true),
            ("PlayStation", true),
            ("notwithstanding", false),
        ] {
            let mut points = Vec::new();
            b.break_points(word, &style, 50.0, &mut points);
            assert!(!points.is_empty(), "{word}");
            let want = if capital {
                BreakKind::CapitalHyphen
            } else {
                BreakKind::Hyphen
            };
            assert!(points.iter().all(|(_, kind)| *kind == want), "{word}");
        }
        // Set at many measures, the same text breaks the lower-case word where it would
        // not break the name: only where every other choice is far worse.
        let text = |name: &str| SEED.replace("Jaishankar", name);
        let cut = |lines: &[SetLine], part: &str| {
            lines
                .iter()
                .any(|l| line_text(l).ends_with(&format!("{part} -")))
        };
        let (mut lower, mut names) = (0, 0);
        for measure in (150..320).step_by(3) {
            let (plain, _, _, _) = set_keeping_pieces(&text("jaishankar"), measure as f32);
            let (named, _, _, _) = set_keeping_pieces(&text("Jaishankar"), measure as f32);
            lower += usize::from(cut(&plain, "jais") || cut(&plain, "jaishan"));
            if cut(&named, "Jais") || cut(&named, "Jaishan") {
                // Only when no setting within the first pass's tolerance exists: one of
                // the lines is looser than that, so every other choice was bad too.
                let (_, lines, _, _) = set_keeping_pieces(&text("Jaishankar"), measure as f32);
                let tolerance = Params::default().tolerance;
                assert!(lines.iter().any(|l| l.ratio > tolerance), "at {measure}");
                names += 1;
            }
        }
        assert!(
            lower > 3,
            "the lower-case word is hyphenated at some measures"
        );
        assert!(
            names * 3 <= lower,
            "the name far less often: {names} of {lower}"
        );
    }
}
