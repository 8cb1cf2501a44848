//! Shaping: text → positioned glyphs through rustybuzz (kerning, ligatures, Indic shaping),
//! with per-grapheme font fallback. Results are cached per (font, text) in em units, so a word
//! is shaped once however often and at whatever size it appears.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use compact_str::CompactString;
use unicode_segmentation::UnicodeSegmentation;

use super::fonts::{Family, FeatureSet, FontId, FontSet, Style};
use super::HashMap;
use crate::ir;

/// A shaped glyph, size-independent (em units).
#[derive(Debug, Clone, PartialEq)]
pub struct ShapedGlyph {
    /// Glyph id in its font.
    pub id: u16,
    /// Advance in em.
    pub advance: f32,
    /// Horizontal offset in em.
    pub x_offset: f32,
    /// Vertical offset in em (positive up).
    pub y_offset: f32,
    /// Text this glyph stands for ("" for later glyphs of a cluster).
    pub text: CompactString,
    /// Byte offset of its cluster in the shaped string.
    pub cluster: usize,
}

/// A run of glyphs from one font.
#[derive(Debug, Clone, PartialEq)]
pub struct ShapedRun {
    /// The font.
    pub font: FontId,
    /// Glyphs in visual order (logical order reversed in a right-to-left run).
    pub glyphs: Rc<[ShapedGlyph]>,
    /// Byte offset of the run in the word it was cut from.
    pub start: usize,
}

impl ShapedRun {
    /// Total advance in em.
    pub fn advance(&self) -> f32 {
        self.glyphs.iter().map(|g| g.advance).sum()
    }
}

/// The characters that end a word where a paragraph's text is split into words (a line
/// feed is also a forced break).
pub const WORD_SPACES: [char; 4] = [' ', '\t', '\n', '\r'];

/// Entries per cache map at most. Word frequencies fall off steeply (Zipf), so the first
/// 32,768 distinct words of a book cover nearly all of its running text; past that a word
/// is shaped afresh each time rather than kept, so that a manuscript of millions of
/// distinct strings (random text, a pasted dump) cannot grow the caches without bound.
const MAX_CACHED_ENTRIES: usize = 32_768;

/// Texts longer than this (bytes) are not cached: rare, so seldom repeated, and large.
const MAX_CACHED_LEN: usize = 64;

/// Word-cache maps a book fills in practice (serif and mono, each bold or not, italic or
/// not): the word cache holds at most this many maps' worth of entries in all, however
/// many feature sets the book uses, as it did with one map per style.
const WORD_CACHE_MAPS: usize = 8;

/// Text → shaping result maps, one per key (a font or style with its features), so that a
/// lookup needs no owned key; bounded per map and in total.
pub(super) struct BoundedCache<K, V> {
    maps: HashMap<K, HashMap<Box<str>, V>>,
    /// Entries in all maps.
    entries: usize,
    /// Entries in all maps at most.
    budget: usize,
}

impl<K: std::hash::Hash + Eq, V: Clone> BoundedCache<K, V> {
    /// A cache holding at most `maps` maps' worth of entries in all.
    pub(super) fn new(maps: usize) -> Self {
        Self::with_budget(maps * MAX_CACHED_ENTRIES)
    }

    /// A cache holding at most `entries` entries in all.
    pub(super) fn with_budget(entries: usize) -> Self {
        BoundedCache {
            maps: HashMap::default(),
            entries: 0,
            budget: entries,
        }
    }

    /// What is kept for `text` under `key`.
    pub(super) fn get(&self, key: &K, text: &str) -> Option<V> {
        self.maps.get(key)?.get(text).cloned()
    }

    /// Keep `value` for `text` under `key` unless the text is too long or a bound is met.
    pub(super) fn insert(&mut self, key: K, text: &str, value: V) {
        if self.entries >= self.budget || text.len() > MAX_CACHED_LEN {
            return;
        }
        let map = self.maps.entry(key).or_default();
        if map.len() < MAX_CACHED_ENTRIES && map.insert(text.into(), value).is_none() {
            self.entries += 1;
        }
    }

    #[cfg(test)]
    fn len(&self, key: &K) -> usize {
        self.maps.get(key).map_or(0, HashMap::len)
    }
}

/// Shaping results by font and the features it was shaped with.
type ShapeCache = BoundedCache<(FontId, FeatureSet), Rc<[ShapedGlyph]>>;

/// What a word's shaping depends on: family, weight, slant and the features resolved for
/// it (before each font of its runs drops those it lacks).
/// Family, bold, italic, features, and whether the word sits in a right-to-left paragraph.
type WordKey = (Family, bool, bool, FeatureSet, bool);

/// Whole words split into font runs and shaped. Finding the runs walks graphemes and font
/// coverage, which costs more than the lookup.
type WordCache = BoundedCache<WordKey, Rc<[ShapedRun]>>;

/// Shapes text with a cache and remembers characters no font covers.
pub struct Shaper<'f> {
    fonts: &'f FontSet,
    /// The figures of running text ([`super::fonts::Figures::Text`] resolves to these).
    text_figures: ir::Figures,
    cache: RefCell<ShapeCache>,
    words: RefCell<WordCache>,
    /// Shaping plans by font, features, direction, script and language (a handful per
    /// book).
    plans: RefCell<HashMap<PlanKey, Rc<rustybuzz::ShapePlan>>>,
    missing: RefCell<BTreeSet<char>>,
    /// Words other threads shaped, for this shaper's layout ([`ShapedAhead`]).
    ahead: Option<std::sync::mpsc::Receiver<ShapedAhead>>,
    /// The shapers of other threads laying out the same book, to which every word this
    /// one shapes is sent ([`Shaper::sharing_words_with`]).
    peers: Vec<std::sync::mpsc::Sender<ShapedAhead>>,
}

/// Words shaped on another thread, for a shaper that will meet them later: they join its
/// word cache as if shaped there. An article is one flow, laid out on one thread; a core
/// left idle shapes its later paragraphs meanwhile (shaping was half of an article's
/// layout), so that the layout finds most of their words cached.
///
/// Layout workers of a book of chapters share their words the same way: each word one of
/// them shapes is sent to the others, so that the book's vocabulary is shaped once rather
/// than once per worker.
///
/// Only words whose every character a font covers are sent: the characters missing from
/// the fonts are reported by the shaper that lays the text out.
#[derive(Debug, Default)]
pub struct ShapedAhead(Vec<(WordKey, Box<str>, Vec<OwnedRun>)>);

/// A [`ShapedRun`] that may cross threads.
type OwnedRun = (FontId, Vec<ShapedGlyph>, usize);

/// What a shaping plan depends on: font, features, direction, script, language.
type PlanKey = (
    FontId,
    FeatureSet,
    rustybuzz::Direction,
    rustybuzz::Script,
    Option<String>,
);

impl<'f> Shaper<'f> {
    /// A shaper over a font set, running text in the default figures
    /// ([`ir::Figures::default`]).
    pub fn new(fonts: &'f FontSet) -> Self {
        Shaper {
            fonts,
            text_figures: ir::Figures::default(),
            cache: RefCell::new(BoundedCache::new(fonts.iter().count())),
            words: RefCell::new(BoundedCache::new(WORD_CACHE_MAPS)),
            plans: RefCell::new(HashMap::default()),
            missing: RefCell::new(BTreeSet::new()),
            ahead: None,
            peers: Vec::new(),
        }
    }

    /// The same shaper taking in the words another thread shapes ahead (see
    /// [`ShapedAhead`]) whenever it meets a word it has not shaped.
    pub fn taking_words_from(mut self, ahead: std::sync::mpsc::Receiver<ShapedAhead>) -> Self {
        self.ahead = Some(ahead);
        self
    }

    /// The same shaper sending every word it shapes to `peers` (see [`ShapedAhead`]).
    pub fn sharing_words_with(mut self, peers: Vec<std::sync::mpsc::Sender<ShapedAhead>>) -> Self {
        self.peers = peers;
        self
    }

    /// `runs` of `word` as they may cross to another thread, unless the word has a
    /// character no font covers (left to the shaper that meets it, which reports it).
    fn shareable(&self, word: &str, runs: &[ShapedRun]) -> Option<Vec<OwnedRun>> {
        let missing = self.missing.borrow();
        if word.len() > MAX_CACHED_LEN || word.chars().any(|c| missing.contains(&c)) {
            return None;
        }
        Some(
            runs.iter()
                .map(|run| (run.font, run.glyphs.to_vec(), run.start))
                .collect(),
        )
    }

    /// Shape the words of `texts` (split at spaces, as paragraphs split their text into
    /// words) as running text of `family` and `style` would be, left to right, and send
    /// those not sent before to `to`, a batch per text. Stops when the receiver is gone.
    pub fn shape_ahead<'t>(
        &self,
        texts: impl IntoIterator<Item = &'t str>,
        family: Family,
        style: Style,
        to: &std::sync::mpsc::Sender<ShapedAhead>,
    ) {
        let mut sent: std::collections::HashSet<&str, foldhash::fast::RandomState> =
            Default::default();
        for text in texts {
            let mut batch = ShapedAhead::default();
            for word in text.split(WORD_SPACES) {
                if word.is_empty() || word.len() > MAX_CACHED_LEN || !sent.insert(word) {
                    continue;
                }
                let runs = self.shape_word_in(word, family, style, false);
                if let Some(owned) = self.shareable(word, &runs) {
                    let key = self.word_key(word, family, style, false);
                    batch.0.push((key, word.into(), owned));
                }
            }
            if !batch.0.is_empty() && to.send(batch).is_err() {
                return;
            }
        }
    }

    /// What the shaping of `text` as a word depends on ([`WordKey`]).
    fn word_key(&self, text: &str, family: Family, style: Style, right_to_left: bool) -> WordKey {
        let features = style.features.resolve(family, text, self.text_figures);
        (family, style.bold, style.italic, features, right_to_left)
    }

    /// Take in what has been shaped ahead so far.
    fn take_in_shaped_ahead(&self) {
        let Some(ahead) = &self.ahead else {
            return;
        };
        let mut words = self.words.borrow_mut();
        while let Ok(batch) = ahead.try_recv() {
            for (key, text, runs) in batch.0 {
                let runs: Rc<[ShapedRun]> = runs
                    .into_iter()
                    .map(|(font, glyphs, start)| ShapedRun {
                        font,
                        glyphs: glyphs.into(),
                        start,
                    })
                    .collect();
                words.insert(key, &text, runs);
            }
        }
    }

    /// The same shaper with running text in `figures` (the book's `ir::Settings::figures`).
    pub fn with_text_figures(mut self, figures: ir::Figures) -> Self {
        self.text_figures = figures;
        self
    }

    /// The font set.
    pub fn fonts(&self) -> &'f FontSet {
        self.fonts
    }

    /// Characters that no font could draw, so far.
    pub fn missing_characters(&self) -> Vec<char> {
        self.missing.borrow().iter().copied().collect()
    }

    /// Shape `text` (a word or word fragment, no line breaks) in `family`/`style`, splitting
    /// it into runs by which font covers each grapheme (cached). The style's features apply
    /// in each font that has them ([`Features::resolve`]).
    pub fn shape_word(&self, text: &str, family: Family, style: Style) -> Rc<[ShapedRun]> {
        self.shape_word_in(text, family, style, false)
    }

    /// [`Shaper::shape_word`] for a word of a paragraph that reads right to left
    /// (`right_to_left`) or left to right: neutral characters at the edges of a word (the
    /// comma after an Urdu word) take the paragraph's direction, as the bidi algorithm gives
    /// them in the whole paragraph.
    pub fn shape_word_in(
        &self,
        text: &str,
        family: Family,
        style: Style,
        right_to_left: bool,
    ) -> Rc<[ShapedRun]> {
        let key = self.word_key(text, family, style, right_to_left);
        let features = key.3;
        if let Some(hit) = self.words.borrow().get(&key, text) {
            return hit;
        }
        if self.ahead.is_some() {
            self.take_in_shaped_ahead();
            if let Some(hit) = self.words.borrow().get(&key, text) {
                return hit;
            }
        }
        let runs: Rc<[ShapedRun]> = self
            .shape_word_uncached(text, family, style, features, right_to_left)
            .into();
        if !self.peers.is_empty() {
            if let Some(owned) = self.shareable(text, &runs) {
                for peer in &self.peers {
                    // A peer that has finished its chapters has hung up: nothing to share.
                    let _ = peer.send(ShapedAhead(vec![(key, text.into(), owned.clone())]));
                }
            }
        }
        self.words.borrow_mut().insert(key, text, runs.clone());
        runs
    }

    fn shape_word_uncached(
        &self,
        text: &str,
        family: Family,
        style: Style,
        features: FeatureSet,
        right_to_left: bool,
    ) -> Vec<ShapedRun> {
        let primary = self.fonts.select(family, style);
        let levels = bidi_levels(text, right_to_left);
        let rtl_at = |offset: usize| levels.as_ref().is_some_and(|l| l[offset].is_rtl());
        let mut runs: Vec<(FontId, bool, usize, usize)> = Vec::new();
        for (start, grapheme) in text.grapheme_indices(true) {
            let base = grapheme.chars().next().unwrap_or(' ');
            let font = if base.is_whitespace() {
                Some(primary)
            } else {
                self.fonts.font_for(base, family, style)
            };
            let font = font.unwrap_or_else(|| {
                self.missing.borrow_mut().insert(base);
                primary
            });
            let rtl = rtl_at(start);
            match runs.last_mut() {
                Some((f, r, _, end)) if *f == font && *r == rtl => *end = start + grapheme.len(),
                _ => runs.push((font, rtl, start, start + grapheme.len())),
            }
        }
        let mut shaped: Vec<ShapedRun> = runs
            .iter()
            .map(|&(font, _, start, end)| ShapedRun {
                font,
                glyphs: self.shape_with(font, &text[start..end], features),
                start,
            })
            .collect();
        // Unicode's rule L2 in a left-to-right line: each stretch of right-to-left runs is
        // drawn in reverse order (each run's glyphs are in visual order already).
        let mut i = 0;
        while i < runs.len() {
            if runs[i].1 {
                let stretch = runs[i..].iter().take_while(|run| run.1).count();
                shaped[i..i + stretch].reverse();
                i += stretch;
            } else {
                i += 1;
            }
        }
        shaped
    }

    /// Shape `text` in one font with its default features (cached).
    pub fn shape_in(&self, font: FontId, text: &str) -> Rc<[ShapedGlyph]> {
        self.shape_with(font, text, FeatureSet::NONE)
    }

    /// Shape `text` in one font with `features`, those the font has (cached).
    pub fn shape_with(&self, font: FontId, text: &str, features: FeatureSet) -> Rc<[ShapedGlyph]> {
        let key = (font, features.intersection(self.fonts.get(font).features));
        if let Some(hit) = self.cache.borrow().get(&key, text) {
            return hit;
        }
        let shaped: Rc<[ShapedGlyph]> = self.shape_uncached(key.0, key.1, text).into();
        self.cache.borrow_mut().insert(key, text, shaped.clone());
        shaped
    }

    /// The shaping plan for `font` and the buffer's direction, script and language, made
    /// once: compiling a plan reads the font's feature tables, which costs more than shaping
    /// a word (`rustybuzz::shape` compiles one on every call).
    fn plan(
        &self,
        font: FontId,
        features: FeatureSet,
        buffer: &rustybuzz::UnicodeBuffer,
    ) -> Rc<rustybuzz::ShapePlan> {
        let language = buffer.language();
        let key = (
            font,
            features,
            buffer.direction(),
            buffer.script(),
            language.as_ref().map(|l| l.as_str().to_owned()),
        );
        self.plans
            .borrow_mut()
            .entry(key)
            .or_insert_with(|| {
                Rc::new(rustybuzz::ShapePlan::new(
                    self.fonts.get(font).shaping_face(),
                    buffer.direction(),
                    Some(buffer.script()),
                    language.as_ref(),
                    &features.to_rustybuzz(),
                ))
            })
            .clone()
    }

    fn shape_uncached(&self, font: FontId, features: FeatureSet, text: &str) -> Vec<ShapedGlyph> {
        let f = self.fonts.get(font);
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        // Right-to-left scripts are laid out left to right in visual order by the shaper;
        // presswork has no RTL fonts, so such text goes through fallback boxes anyway.
        let output = rustybuzz::shape_with_plan(
            f.shaping_face(),
            &self.plan(font, features, &buffer),
            buffer,
        );
        let upem = f.units_per_em;
        let infos = output.glyph_infos();
        let positions = output.glyph_positions();
        // Where each cluster's text ends: at the next cluster start in the text. A
        // right-to-left run comes out in visual order, its clusters descending, so the next
        // start is looked up among all of them rather than in the glyph after.
        let mut starts: Vec<usize> = infos.iter().map(|g| g.cluster as usize).collect();
        starts.sort_unstable();
        starts.dedup();
        let mut glyphs = Vec::with_capacity(infos.len());
        for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
            let cluster = info.cluster as usize;
            let first_of_cluster = i == 0 || infos[i - 1].cluster != info.cluster;
            let end = starts
                .get(starts.partition_point(|&c| c <= cluster))
                .copied()
                .unwrap_or(text.len());
            let glyph_text = if first_of_cluster {
                text.get(cluster..end).unwrap_or("").to_string()
            } else {
                String::new()
            };
            let mut id = info.glyph_id as u16;
            let mut advance = pos.x_advance as f32 / upem;
            if id == 0 {
                // No glyph: draw the replacement character, keep the real text for copying.
                // It takes its own width, so that it never overlaps its neighbours.
                if let Some(replacement) = f.face.glyph_index('\u{fffd}') {
                    id = replacement.0;
                    advance = f.advance(id) / upem;
                }
                if !glyph_text.trim().is_empty() {
                    let mut missing = self.missing.borrow_mut();
                    missing.extend(glyph_text.chars());
                }
            }
            glyphs.push(ShapedGlyph {
                id,
                advance,
                x_offset: pos.x_offset as f32 / upem,
                y_offset: pos.y_offset as f32 / upem,
                text: CompactString::from(glyph_text),
                cluster,
            });
        }
        glyphs
    }
}

/// Whether `c` is a strong right-to-left character (Hebrew, Arabic, Syriac, Thaana, …).
/// Cheap for the Latin text of most books: no table lookup below U+0590.
pub fn is_right_to_left(c: char) -> bool {
    c >= '\u{0590}'
        && matches!(
            unicode_bidi::bidi_class(c),
            unicode_bidi::BidiClass::R | unicode_bidi::BidiClass::AL
        )
}

/// The bidi level of each byte of `text`, taken as a paragraph in the direction of the
/// paragraph it is a word of; `None` when it has no right-to-left character, which is
/// nearly always, at the cost of one scan.
fn bidi_levels(text: &str, right_to_left: bool) -> Option<Vec<unicode_bidi::Level>> {
    if !text.chars().any(is_right_to_left) {
        return None;
    }
    let base = if right_to_left {
        unicode_bidi::Level::rtl()
    } else {
        unicode_bidi::Level::ltr()
    };
    let info = unicode_bidi::BidiInfo::new(text, Some(base));
    Some(info.levels)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typeset::fonts::{Caps, Features, Figures};

    /// `shaper` shapes each of `words` (body text) as a shaper that took in nothing would.
    fn assert_shapes_as_a_fresh_shaper(shaper: &Shaper, fonts: &FontSet, words: &[&str]) {
        let fresh = Shaper::new(fonts);
        for word in words {
            assert_eq!(
                shaper.shape_word(word, Family::Body, Style::default()),
                fresh.shape_word(word, Family::Body, Style::default()),
                "{word}"
            );
        }
    }

    /// Whether `shaper` shaped `word` (body text) itself: its own font cache has it.
    fn shaped_here(shaper: &Shaper, fonts: &FontSet, word: &str) -> bool {
        let primary = fonts.select(Family::Body, Style::default());
        let features =
            Style::default()
                .features
                .resolve(Family::Body, word, ir::Figures::default());
        shaper
            .cache
            .borrow()
            .get(&(primary, features), word)
            .is_some()
    }

    #[test]
    fn words_shaped_ahead_are_taken_in_as_if_shaped_here_but_not_those_no_font_covers() {
        let fonts = FontSet::builtin().expect("fonts");
        let (send, receive) = std::sync::mpsc::channel();
        let ahead = Shaper::new(&fonts);
        // A word twice, and one with a character no bundled font has (Linear B).
        ahead.shape_ahead(
            ["Jaishankar met Putin", "Putin \u{10000}x said"],
            Family::Body,
            Style::default(),
            &send,
        );
        let sent: Vec<String> = receive
            .try_iter()
            .flat_map(|batch| batch.0.into_iter().map(|(_, text, _)| text.into_string()))
            .collect();
        assert_eq!(sent, ["Jaishankar", "met", "Putin", "said"]);

        ahead.shape_ahead(
            ["Jaishankar \u{10000}x"],
            Family::Body,
            Style::default(),
            &send,
        );
        let taking = Shaper::new(&fonts).taking_words_from(receive);
        assert_shapes_as_a_fresh_shaper(&taking, &fonts, &["Jaishankar", "\u{10000}x", "Moscow"]);
        // The word shaped ahead came from the cache (the shaper's own font cache never
        // saw it); the uncovered character is reported by the shaper that met it.
        assert!(!shaped_here(&taking, &fonts, "Jaishankar"));
        assert!(shaped_here(&taking, &fonts, "Moscow"));
        assert_eq!(taking.missing_characters(), ['\u{10000}']);
    }

    #[test]
    fn a_shaper_sends_the_words_it_shapes_to_its_peers_and_they_take_them_in() {
        let fonts = FontSet::builtin().expect("fonts");
        let (to_peer, from_sharer) = std::sync::mpsc::channel();
        let sharer = Shaper::new(&fonts).sharing_words_with(vec![to_peer]);
        for word in ["Moscow", "Moscow", "\u{10000}y", "Delhi"] {
            sharer.shape_word(word, Family::Body, Style::default());
        }
        let peer = Shaper::new(&fonts).taking_words_from(from_sharer);
        assert_shapes_as_a_fresh_shaper(&peer, &fonts, &["Moscow", "Delhi", "\u{10000}y"]);
        // The peer shaped only the word with a character no font covers (which it
        // reports): the others came from the sharer.
        for word in ["Moscow", "Delhi"] {
            assert!(!shaped_here(&peer, &fonts, word), "{word}");
        }
        assert_eq!(peer.words.borrow().entries, 3);
        assert_eq!(peer.missing_characters(), ['\u{10000}']);
    }

    #[test]
    fn right_to_left_words_are_drawn_in_visual_order_with_their_own_text() {
        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        let word = "from(\"\u{645}\u{631}\u{62D}\u{628}\u{627}\");";
        let runs = shaper.shape_word(word, Family::Mono, Style::default());
        // Glyph texts in drawing order: the Latin and the punctuation after the Arabic
        // stay where they are; the Arabic letters run right to left.
        let drawn: Vec<&str> = runs
            .iter()
            .flat_map(|run| run.glyphs.iter().map(|g| g.text.as_str()))
            .collect();
        assert_eq!(
            drawn,
            [
                "f", "r", "o", "m", "(", "\"", "\u{627}", "\u{628}", "\u{62D}", "\u{631}",
                "\u{645}", "\"", ")", ";"
            ]
        );
        // The Arabic is drawn by the Arabic font, the rest by the mono font.
        assert!(runs
            .iter()
            .any(|r| fonts.get(r.font).name == "NotoNaskhArabic-Regular"));
        assert!(shaper.missing_characters().is_empty());
    }

    #[test]
    fn punctuation_after_a_word_takes_the_direction_of_its_paragraph() {
        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        // "تجارت،": the Arabic comma ends the word. In an Urdu paragraph it follows the
        // word to its left; in an English one it stays to its right.
        let word = "\u{62A}\u{62C}\u{627}\u{631}\u{62A}\u{60C}";
        let drawn = |right_to_left| -> Vec<String> {
            shaper
                .shape_word_in(word, Family::Body, Style::default(), right_to_left)
                .iter()
                .flat_map(|run| run.glyphs.iter().map(|g| g.text.to_string()))
                .collect()
        };
        let in_urdu = drawn(true);
        let in_english = drawn(false);
        assert_eq!(
            in_urdu.first().map(String::as_str),
            Some("\u{60C}"),
            "{in_urdu:?}"
        );
        assert_eq!(
            in_english.last().map(String::as_str),
            Some("\u{60C}"),
            "{in_english:?}"
        );
    }

    #[test]
    fn only_uncovered_characters_are_missing_and_their_marks_take_their_own_width() {
        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        // Hebrew has a font, the Chinese has none: in a right-to-left context the
        // punctuation around the Chinese is still covered, and not reported.
        let runs = shaper.shape_word("(\u{5E9}\u{4E2D}\u{6587});", Family::Body, Style::default());
        let missing = shaper.missing_characters();
        assert_eq!(missing, ['\u{4E2D}', '\u{6587}']);
        // A replacement mark is as wide as it is drawn: no overlap with its neighbours.
        let primary = fonts.get(fonts.select(Family::Body, Style::default()));
        let replacement = primary.face.glyph_index('\u{fffd}').expect("U+FFFD").0;
        let marks: Vec<&ShapedGlyph> = runs
            .iter()
            .filter(|r| fonts.get(r.font).name == primary.name)
            .flat_map(|r| r.glyphs.iter())
            .filter(|g| g.id == replacement)
            .collect();
        assert_eq!(marks.len(), 2);
        for glyph in marks {
            let width = primary.advance(replacement) / primary.units_per_em;
            assert!((glyph.advance - width).abs() < 1e-6);
        }
    }

    #[test]
    fn caches_stop_growing_at_their_bound_and_still_shape() {
        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        let style = Style::default();
        let word = |n: usize| format!("w{n:x}");
        for n in 0..MAX_CACHED_ENTRIES + 100 {
            shaper.shape_word(&word(n), Family::Body, style);
        }
        shaper.shape_word(&"x".repeat(MAX_CACHED_LEN + 1), Family::Body, style);
        let features = style
            .features
            .resolve(Family::Body, "w", ir::Figures::default());
        let key = (Family::Body, false, false, features, false);
        assert_eq!(shaper.words.borrow().len(&key), MAX_CACHED_ENTRIES);
        let primary = fonts.select(Family::Body, style);
        assert_eq!(
            shaper.cache.borrow().len(&(primary, features)),
            MAX_CACHED_ENTRIES
        );
        // Past the bound, words are still shaped, only not kept.
        let late = shaper.shape_word(&word(MAX_CACHED_ENTRIES + 50), Family::Body, style);
        assert_eq!(late[0].glyphs.len(), word(MAX_CACHED_ENTRIES + 50).len());
    }

    #[test]
    fn ligatures_copy_back_as_letters_and_kerning_applies() {
        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        let runs = shaper.shape_word("official", Family::Body, Style::default());
        assert_eq!(runs.len(), 1);
        let glyphs = &runs[0].glyphs;
        assert!(glyphs.len() < "official".len(), "ffi/fi ligature expected");
        let text: String = glyphs.iter().map(|g| g.text.as_str()).collect();
        assert_eq!(text, "official");
        let kerned = shaper.shape_word("AV", Family::Body, Style::default())[0].advance();
        let a = shaper.shape_word("A", Family::Body, Style::default())[0].advance();
        let v = shaper.shape_word("V", Family::Body, Style::default())[0].advance();
        assert!(kerned < a + v - 0.01, "AV is kerned: {kerned} vs {}", a + v);
    }

    fn ids(runs: &[ShapedRun]) -> Vec<u16> {
        runs.iter()
            .flat_map(|r| r.glyphs.iter().map(|g| g.id))
            .collect()
    }

    fn with(caps: Caps, figures: Figures) -> Style {
        Style {
            features: Features { caps, figures },
            ..Style::default()
        }
    }

    #[test]
    fn old_style_and_lining_figures_are_different_glyphs_with_the_same_text() {
        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        let shape = |figures| shaper.shape_word("1984", Family::Body, with(Caps::Normal, figures));
        let old = shape(Figures::OldStyle);
        let lining = shape(Figures::Lining);
        let tabular = shape(Figures::Tabular);
        let plain = shaper.shape_in(fonts.select(Family::Body, Style::default()), "1984");
        for (a, b) in [(&old, &lining), (&old, &tabular), (&lining, &tabular)] {
            let (a, b) = (ids(a), ids(b));
            assert!(a.iter().zip(&b).all(|(x, y)| x != y), "{a:?} vs {b:?}");
        }
        // Tabular figures are the font's own (all one width); proportional "1" is narrower.
        assert_eq!(
            ids(&tabular),
            plain.iter().map(|g| g.id).collect::<Vec<_>>()
        );
        assert!(lining[0].glyphs[0].advance < tabular[0].glyphs[0].advance);
        for runs in [&old, &lining, &tabular] {
            let text: String = runs[0].glyphs.iter().map(|g| g.text.as_str()).collect();
            assert_eq!(text, "1984");
        }
        // Running text follows the book: old-style by default, lining when it says so.
        let text = with(Caps::Normal, Figures::Text);
        assert_eq!(
            ids(&shaper.shape_word("1984", Family::Body, text)),
            ids(&old)
        );
        let lining_book = Shaper::new(&fonts).with_text_figures(ir::Figures::Lining);
        assert_eq!(
            ids(&lining_book.shape_word("1984", Family::Body, text)),
            ids(&lining)
        );
        // Code keeps the monospaced font's own figures.
        let mono = shaper.shape_word("1984", Family::Mono, text);
        let mono_plain = shaper.shape_in(fonts.select(Family::Mono, Style::default()), "1984");
        assert_eq!(
            ids(&mono),
            mono_plain.iter().map(|g| g.id).collect::<Vec<_>>()
        );
    }

    #[test]
    fn small_capitals_are_other_glyphs_that_keep_their_letters_and_case() {
        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        let plain = ids(&shaper.shape_word("Source", Family::Body, Style::default()));
        let small = shaper.shape_word("Source", Family::Body, with(Caps::Small, Figures::Text));
        let small_ids = ids(&small);
        assert_eq!(
            small_ids[0], plain[0],
            "a capital stays a capital under smcp"
        );
        assert!(small_ids[1..].iter().zip(&plain[1..]).all(|(a, b)| a != b));
        let text: String = small[0].glyphs.iter().map(|g| g.text.as_str()).collect();
        assert_eq!(text, "Source");
        // c2sc and smcp lead "S" and "s" to one glyph: the texts stay apart.
        let all = shaper.shape_word("Ss", Family::Body, with(Caps::AllSmall, Figures::Text));
        assert_eq!(all[0].glyphs[0].id, all[0].glyphs[1].id);
        assert_eq!(all[0].glyphs[0].text, "S");
        assert_eq!(all[0].glyphs[1].text, "s");
        // Acronyms join the small capitals; a capitalised word keeps its capital.
        let credit = with(Caps::SmallAcronyms, Figures::Text);
        let pti = ids(&shaper.shape_word("PTI", Family::Body, credit));
        let pti_small = ids(&shaper.shape_word("pti", Family::Body, credit));
        assert_eq!(pti, pti_small);
        assert_eq!(
            ids(&shaper.shape_word("Image", Family::Body, credit))[0],
            plain_id(&shaper, "I")
        );
        // Bold and italic have small capitals of their own (in their own font; the Noto
        // faces share glyph order, so compare with the bold lower case).
        let bold = Style {
            bold: true,
            ..Style::default()
        };
        let bold_small = Style {
            features: with(Caps::Small, Figures::Text).features,
            ..bold
        };
        let bold_runs = shaper.shape_word("ource", Family::Body, bold_small);
        assert_eq!(bold_runs[0].font, fonts.select(Family::Body, bold));
        assert!(ids(&bold_runs)
            .iter()
            .zip(ids(&shaper.shape_word("ource", Family::Body, bold)))
            .all(|(a, b)| *a != b));
    }

    fn plain_id(shaper: &Shaper, text: &str) -> u16 {
        ids(&shaper.shape_word(text, Family::Body, Style::default()))[0]
    }

    #[test]
    fn features_do_not_touch_fonts_without_them() {
        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        let small = with(Caps::AllSmall, Figures::Tabular);
        let word = "भारत";
        let plain = shaper.shape_word(word, Family::Body, Style::default());
        let featured = shaper.shape_word(word, Family::Body, small);
        assert_eq!(ids(&plain), ids(&featured));
        // One cache entry serves both: the Devanagari font has none of the features.
        let font = plain[0].font;
        assert_eq!(shaper.cache.borrow().len(&(font, FeatureSet::NONE)), 1);
        assert_eq!(shaper.cache.borrow().maps.len(), 1);
        assert!(shaper.missing_characters().is_empty());
    }

    #[test]
    fn caches_are_keyed_by_features_and_bounded_in_total() {
        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        let small = with(Caps::Small, Figures::Text);
        let a = shaper.shape_word("ab", Family::Body, Style::default());
        let b = shaper.shape_word("ab", Family::Body, small);
        assert_ne!(
            ids(&a),
            ids(&b),
            "a hit for one style is not served to another"
        );
        assert!(Rc::ptr_eq(
            &b,
            &shaper.shape_word("ab", Family::Body, small)
        ));
        // Many feature sets cannot multiply the bound: the total stays that of eight maps.
        let mut cache: BoundedCache<u8, ()> = BoundedCache::new(2);
        for key in 0..4u8 {
            for n in 0..MAX_CACHED_ENTRIES {
                cache.insert(key, &n.to_string(), ());
            }
        }
        assert_eq!(cache.entries, 2 * MAX_CACHED_ENTRIES);
        assert_eq!(cache.len(&2), 0);
    }

    #[test]
    fn mixed_scripts_split_into_font_runs() {
        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        let runs = shaper.shape_word("Indiaभारत", Family::Body, Style::default());
        assert_eq!(runs.len(), 2);
        assert_ne!(runs[0].font, runs[1].font);
        assert_eq!(runs[1].start, "India".len());
        assert!(shaper.missing_characters().is_empty());
        shaper.shape_word("漢", Family::Body, Style::default());
        assert_eq!(shaper.missing_characters(), vec!['漢']);
    }
}
