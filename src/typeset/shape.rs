//! Shaping: text → positioned glyphs through rustybuzz (kerning, ligatures, Indic shaping),
//! with per-grapheme font fallback. Results are cached per (font, text) in em units, so a word
//! is shaped once however often and at whatever size it appears.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

use compact_str::CompactString;
use unicode_segmentation::UnicodeSegmentation;

use super::fonts::{Family, FontId, FontSet, Style};

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
    /// Glyphs in visual (= logical, left-to-right) order.
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

/// Entries per cache map at most. Word frequencies fall off steeply (Zipf), so the first
/// 32,768 distinct words of a book cover nearly all of its running text; past that a word
/// is shaped afresh each time rather than kept, so that a manuscript of millions of
/// distinct strings (random text, a pasted dump) cannot grow the caches without bound.
const MAX_CACHED_ENTRIES: usize = 32_768;

/// Texts longer than this (bytes) are not cached: rare, so seldom repeated, and large.
const MAX_CACHED_LEN: usize = 64;

/// Whether `text` may join a cache map that holds `entries` already.
fn worth_caching(entries: usize, text: &str) -> bool {
    entries < MAX_CACHED_ENTRIES && text.len() <= MAX_CACHED_LEN
}

/// Shaping results by text, one map per font (indexed by `FontId`), so a lookup needs no
/// owned key.
type ShapeCache = Vec<HashMap<Box<str>, Rc<[ShapedGlyph]>>>;

/// Whole words split into font runs and shaped, one map per family and style (see
/// [`style_slot`]). Finding the runs walks graphemes and font coverage, which costs more
/// than the lookup.
type WordCache = [HashMap<Box<str>, Rc<[ShapedRun]>>; 8];

fn style_slot(family: Family, style: Style) -> usize {
    let family = match family {
        Family::Serif => 0,
        Family::Mono => 4,
    };
    family + usize::from(style.bold) * 2 + usize::from(style.italic)
}

/// Shapes text with a cache and remembers characters no font covers.
pub struct Shaper<'f> {
    fonts: &'f FontSet,
    cache: RefCell<ShapeCache>,
    words: RefCell<WordCache>,
    /// Shaping plans by font, direction, script and language (a handful per book).
    plans: RefCell<HashMap<PlanKey, Rc<rustybuzz::ShapePlan>>>,
    missing: RefCell<BTreeSet<char>>,
}

/// What a shaping plan depends on: font, direction, script, language.
type PlanKey = (
    usize,
    rustybuzz::Direction,
    rustybuzz::Script,
    Option<String>,
);

impl<'f> Shaper<'f> {
    /// A shaper over a font set.
    pub fn new(fonts: &'f FontSet) -> Self {
        Shaper {
            fonts,
            cache: RefCell::new(fonts.iter().map(|_| HashMap::new()).collect()),
            words: RefCell::new(Default::default()),
            plans: RefCell::new(HashMap::new()),
            missing: RefCell::new(BTreeSet::new()),
        }
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
    /// it into runs by which font covers each grapheme (cached).
    pub fn shape_word(&self, text: &str, family: Family, style: Style) -> Rc<[ShapedRun]> {
        let slot = style_slot(family, style);
        if let Some(hit) = self.words.borrow()[slot].get(text) {
            return hit.clone();
        }
        let runs: Rc<[ShapedRun]> = self.shape_word_uncached(text, family, style).into();
        let mut words = self.words.borrow_mut();
        if worth_caching(words[slot].len(), text) {
            words[slot].insert(text.into(), runs.clone());
        }
        runs
    }

    fn shape_word_uncached(&self, text: &str, family: Family, style: Style) -> Vec<ShapedRun> {
        let primary = self.fonts.select(family, style);
        let mut runs: Vec<(FontId, usize, usize)> = Vec::new();
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
            match runs.last_mut() {
                Some((f, _, end)) if *f == font => *end = start + grapheme.len(),
                _ => runs.push((font, start, start + grapheme.len())),
            }
        }
        runs.into_iter()
            .map(|(font, start, end)| ShapedRun {
                font,
                glyphs: self.shape_in(font, &text[start..end]),
                start,
            })
            .collect()
    }

    /// Shape `text` in one font (cached).
    pub fn shape_in(&self, font: FontId, text: &str) -> Rc<[ShapedGlyph]> {
        if let Some(hit) = self.cache.borrow()[font.0].get(text) {
            return hit.clone();
        }
        let shaped: Rc<[ShapedGlyph]> = self.shape_uncached(font, text).into();
        let mut cache = self.cache.borrow_mut();
        if worth_caching(cache[font.0].len(), text) {
            cache[font.0].insert(text.into(), shaped.clone());
        }
        shaped
    }

    /// The shaping plan for `font` and the buffer's direction, script and language, made
    /// once: compiling a plan reads the font's feature tables, which costs more than shaping
    /// a word (`rustybuzz::shape` compiles one on every call).
    fn plan(&self, font: FontId, buffer: &rustybuzz::UnicodeBuffer) -> Rc<rustybuzz::ShapePlan> {
        let language = buffer.language();
        let key = (
            font.0,
            buffer.direction(),
            buffer.script(),
            language.as_ref().map(|l| l.as_str().to_owned()),
        );
        self.plans
            .borrow_mut()
            .entry(key)
            .or_insert_with(|| {
                Rc::new(rustybuzz::ShapePlan::new(
                    &self.fonts.get(font).face,
                    buffer.direction(),
                    Some(buffer.script()),
                    language.as_ref(),
                    &[],
                ))
            })
            .clone()
    }

    fn shape_uncached(&self, font: FontId, text: &str) -> Vec<ShapedGlyph> {
        let f = self.fonts.get(font);
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        // Right-to-left scripts are laid out left to right in visual order by the shaper;
        // presswork has no RTL fonts, so such text goes through fallback boxes anyway.
        let output = rustybuzz::shape_with_plan(&f.face, &self.plan(font, &buffer), buffer);
        let upem = f.units_per_em;
        let infos = output.glyph_infos();
        let positions = output.glyph_positions();
        let mut glyphs = Vec::with_capacity(infos.len());
        for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
            let cluster = info.cluster as usize;
            let first_of_cluster = i == 0 || infos[i - 1].cluster != info.cluster;
            let end = infos[i + 1..]
                .iter()
                .map(|g| g.cluster as usize)
                .find(|c| *c > cluster)
                .unwrap_or(text.len());
            let glyph_text = if first_of_cluster {
                text.get(cluster..end).unwrap_or("").to_string()
            } else {
                String::new()
            };
            let mut id = info.glyph_id as u16;
            if id == 0 {
                // No glyph: draw the replacement character, keep the real text for copying.
                id = f.face.glyph_index('\u{fffd}').map_or(0, |g| g.0);
                if !glyph_text.trim().is_empty() {
                    let mut missing = self.missing.borrow_mut();
                    missing.extend(glyph_text.chars());
                }
            }
            glyphs.push(ShapedGlyph {
                id,
                advance: pos.x_advance as f32 / upem,
                x_offset: pos.x_offset as f32 / upem,
                y_offset: pos.y_offset as f32 / upem,
                text: CompactString::from(glyph_text),
                cluster,
            });
        }
        glyphs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caches_stop_growing_at_their_bound_and_still_shape() {
        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        let style = Style::default();
        let word = |n: usize| format!("w{n:x}");
        for n in 0..MAX_CACHED_ENTRIES + 100 {
            shaper.shape_word(&word(n), Family::Serif, style);
        }
        shaper.shape_word(&"x".repeat(MAX_CACHED_LEN + 1), Family::Serif, style);
        let slot = style_slot(Family::Serif, style);
        assert_eq!(shaper.words.borrow()[slot].len(), MAX_CACHED_ENTRIES);
        let primary = fonts.select(Family::Serif, style);
        assert_eq!(shaper.cache.borrow()[primary.0].len(), MAX_CACHED_ENTRIES);
        // Past the bound, words are still shaped, only not kept.
        let late = shaper.shape_word(&word(MAX_CACHED_ENTRIES + 50), Family::Serif, style);
        assert_eq!(late[0].glyphs.len(), word(MAX_CACHED_ENTRIES + 50).len());
    }

    #[test]
    fn ligatures_copy_back_as_letters_and_kerning_applies() {
        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        let runs = shaper.shape_word("official", Family::Serif, Style::default());
        assert_eq!(runs.len(), 1);
        let glyphs = &runs[0].glyphs;
        assert!(glyphs.len() < "official".len(), "ffi/fi ligature expected");
        let text: String = glyphs.iter().map(|g| g.text.as_str()).collect();
        assert_eq!(text, "official");
        let kerned = shaper.shape_word("AV", Family::Serif, Style::default())[0].advance();
        let a = shaper.shape_word("A", Family::Serif, Style::default())[0].advance();
        let v = shaper.shape_word("V", Family::Serif, Style::default())[0].advance();
        assert!(kerned < a + v - 0.01, "AV is kerned: {kerned} vs {}", a + v);
    }

    #[test]
    fn mixed_scripts_split_into_font_runs() {
        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        let runs = shaper.shape_word("Indiaभारत", Family::Serif, Style::default());
        assert_eq!(runs.len(), 2);
        assert_ne!(runs[0].font, runs[1].font);
        assert_eq!(runs[1].start, "India".len());
        assert!(shaper.missing_characters().is_empty());
        shaper.shape_word("漢", Family::Serif, Style::default());
        assert_eq!(shaper.missing_characters(), vec!['漢']);
    }
}
