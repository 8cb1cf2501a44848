//! The compiled-in fonts (from `fonts/`), style selection and the fallback chain.

use rustybuzz::Face;

/// Index into a [`FontSet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FontId(pub usize);

/// A family the layout asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// The text serif.
    Serif,
    /// Monospace for code.
    Mono,
}

/// Weight, slant and the OpenType features asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Style {
    /// Bold weight.
    pub bold: bool,
    /// Italic slant.
    pub italic: bool,
    /// Small capitals and figures (applied where the font has them).
    pub features: Features,
}

/// What the typography asks of a text beyond weight and slant: capitals and figures.
/// Kerning and standard ligatures are always on (rustybuzz applies them by default). The
/// shaper turns this into the [`FeatureSet`] of each font, so that a font without a
/// feature (the Devanagari fallback, say) shapes as it always did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Features {
    /// Small capitals.
    pub caps: Caps,
    /// Which digits.
    pub figures: Figures,
}

/// Small capitals (OpenType `smcp`, `c2sc`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Caps {
    /// Letters as they are.
    #[default]
    Normal,
    /// Lower-case letters as small capitals, capitals as they are (`smcp`; CSS
    /// `font-variant: small-caps`, pandoc's `smallcaps` span): text marked up for it.
    Small,
    /// As [`Caps::Small`], and words written all in capitals (two letters or more: "PTI",
    /// "UNESCO") in small capitals too (`c2sc`), so that acronyms do not stand taller than
    /// the small capitals around them: small caps set by design (photo credits).
    SmallAcronyms,
    /// Every letter a small capital (`c2sc` + `smcp`; CSS `all-small-caps`): running heads.
    AllSmall,
}

/// Which digits (OpenType `onum`, `lnum`, `pnum`, `tnum`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Figures {
    /// The running text's figures, as the book's settings say (`ir::Settings::figures`):
    /// the shaper resolves this to [`Figures::OldStyle`] or [`Figures::Lining`]. The
    /// default, so that every text not set otherwise (paragraphs, notes, captions, folios)
    /// follows the book.
    #[default]
    Text,
    /// Proportional old-style figures (`onum` + `pnum`).
    OldStyle,
    /// Proportional lining figures (`lnum` + `pnum`): headings.
    Lining,
    /// Tabular lining figures (`lnum` + `tnum`), all one width, so that columns of numbers
    /// align: tables.
    Tabular,
}

/// A set of OpenType features, resolved for one text (and, intersected with
/// [`Font::features`], for one font): what shaping plans and caches are keyed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct FeatureSet(u8);

impl FeatureSet {
    /// No feature beyond the shaper's defaults.
    pub const NONE: FeatureSet = FeatureSet(0);
    /// Lower case to small capitals.
    pub const SMCP: FeatureSet = FeatureSet(1);
    /// Capitals to small capitals.
    pub const C2SC: FeatureSet = FeatureSet(1 << 1);
    /// Old-style figures.
    pub const ONUM: FeatureSet = FeatureSet(1 << 2);
    /// Lining figures.
    pub const LNUM: FeatureSet = FeatureSet(1 << 3);
    /// Proportional figures.
    pub const PNUM: FeatureSet = FeatureSet(1 << 4);
    /// Tabular figures.
    pub const TNUM: FeatureSet = FeatureSet(1 << 5);

    /// Each feature with its OpenType tag.
    const TAGS: [(FeatureSet, &'static [u8; 4]); 6] = [
        (FeatureSet::SMCP, b"smcp"),
        (FeatureSet::C2SC, b"c2sc"),
        (FeatureSet::ONUM, b"onum"),
        (FeatureSet::LNUM, b"lnum"),
        (FeatureSet::PNUM, b"pnum"),
        (FeatureSet::TNUM, b"tnum"),
    ];

    /// Both sets.
    pub const fn union(self, other: FeatureSet) -> FeatureSet {
        FeatureSet(self.0 | other.0)
    }

    /// What both sets hold.
    pub const fn intersection(self, other: FeatureSet) -> FeatureSet {
        FeatureSet(self.0 & other.0)
    }

    /// Whether every feature of `other` is in this set.
    pub const fn contains(self, other: FeatureSet) -> bool {
        self.0 & other.0 == other.0
    }

    /// The features a face's `GSUB` table has.
    fn of_face(face: &Face<'_>) -> FeatureSet {
        let Some(gsub) = face.tables().gsub else {
            return FeatureSet::NONE;
        };
        FeatureSet::TAGS
            .iter()
            .filter(|(_, tag)| {
                let tag = rustybuzz::ttf_parser::Tag::from_bytes(tag);
                gsub.features.into_iter().any(|f| f.tag == tag)
            })
            .fold(FeatureSet::NONE, |set, (feature, _)| set.union(*feature))
    }

    /// The set as rustybuzz features over the whole buffer.
    pub fn to_rustybuzz(self) -> Vec<rustybuzz::Feature> {
        FeatureSet::TAGS
            .iter()
            .filter(|(feature, _)| self.contains(*feature))
            .map(|(_, tag)| {
                rustybuzz::Feature::new(rustybuzz::ttf_parser::Tag::from_bytes(tag), 1, ..)
            })
            .collect()
    }
}

impl Features {
    /// The features for `word` in a text whose running figures are `text_figures`.
    /// Monospaced text (code) keeps the font's own letters and figures whatever the
    /// surrounding text asks for: code is copied and compared character for character.
    pub fn resolve(
        self,
        family: Family,
        word: &str,
        text_figures: crate::ir::Figures,
    ) -> FeatureSet {
        if family == Family::Mono {
            return FeatureSet::NONE;
        }
        let caps = match self.caps {
            Caps::Normal => FeatureSet::NONE,
            Caps::Small => FeatureSet::SMCP,
            Caps::SmallAcronyms if is_acronym(word) => FeatureSet::SMCP.union(FeatureSet::C2SC),
            Caps::SmallAcronyms => FeatureSet::SMCP,
            Caps::AllSmall => FeatureSet::SMCP.union(FeatureSet::C2SC),
        };
        let figures = match self.figures {
            Figures::Text => match text_figures {
                crate::ir::Figures::OldStyle => Figures::OldStyle,
                crate::ir::Figures::Lining => Figures::Lining,
            },
            other => other,
        };
        let figures = match figures {
            Figures::OldStyle | Figures::Text => FeatureSet::ONUM.union(FeatureSet::PNUM),
            Figures::Lining => FeatureSet::LNUM.union(FeatureSet::PNUM),
            Figures::Tabular => FeatureSet::LNUM.union(FeatureSet::TNUM),
        };
        caps.union(figures)
    }
}

/// Fewest letters of a word in capitals that make it an acronym for [`Caps::SmallAcronyms`]
/// (a lone capital is a word's initial or "I", and stays a capital).
const ACRONYM_LETTERS: usize = 2;

/// Whether `word` is written all in capitals, with at least [`ACRONYM_LETTERS`] letters
/// ("PTI", "(UNESCO)", "COVID-19").
fn is_acronym(word: &str) -> bool {
    let mut letters = 0;
    for c in word.chars().filter(|c| c.is_alphabetic()) {
        if !c.is_uppercase() {
            return false;
        }
        letters += 1;
    }
    letters >= ACRONYM_LETTERS
}

/// One font: its bytes, PDF name and a shaping face.
pub struct Font {
    /// PostScript-style name used in the PDF (`BaseFont`).
    pub name: &'static str,
    /// The whole font file.
    pub data: &'static [u8],
    /// The shaping face (rustybuzz re-exports ttf-parser's face).
    pub face: Face<'static>,
    /// Design units per em.
    pub units_per_em: f32,
    /// The OpenType features of [`FeatureSet`] that the font has (in `GSUB`); others asked
    /// for are left out of its shaping and of its cache keys.
    pub features: FeatureSet,
}

impl Font {
    /// Does the font have a glyph for `c`?
    pub fn covers(&self, c: char) -> bool {
        self.face.glyph_index(c).is_some()
    }

    /// Ascender as a fraction of the em.
    pub fn ascender(&self) -> f32 {
        f32::from(self.face.ascender()) / self.units_per_em
    }

    /// Descender (negative) as a fraction of the em.
    pub fn descender(&self) -> f32 {
        f32::from(self.face.descender()) / self.units_per_em
    }

    /// Horizontal advance of glyph `id` in design units.
    pub fn advance(&self, id: u16) -> f32 {
        f32::from(
            self.face
                .glyph_hor_advance(rustybuzz::ttf_parser::GlyphId(id))
                .unwrap_or(0),
        )
    }
}

macro_rules! builtin {
    ($($name:literal => $file:literal),* $(,)?) => {
        &[$(($name, include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/fonts/", $file)))),*]
    };
}

/// The fonts compiled into the binary, so an installed binary needs no font files.
/// Order matters: indices are used by [`FontSet::select`].
const BUILTIN: &[(&str, &[u8])] = builtin![
    "NotoSerif-Regular" => "NotoSerif-Regular.ttf",
    "NotoSerif-Italic" => "NotoSerif-Italic.ttf",
    "NotoSerif-Bold" => "NotoSerif-Bold.ttf",
    "NotoSerif-BoldItalic" => "NotoSerif-BoldItalic.ttf",
    "NotoSansMono-Regular" => "NotoSansMono-Regular.ttf",
    "NotoSerifDevanagari-Regular" => "NotoSerifDevanagari-Regular.ttf",
    "NotoSerifDevanagari-Bold" => "NotoSerifDevanagari-Bold.ttf",
    "NotoSerifBengali-Regular" => "NotoSerifBengali-Regular.ttf",
    "NotoSerifTamil-Regular" => "NotoSerifTamil-Regular.ttf",
    "NotoSerifGurmukhi-Regular" => "NotoSerifGurmukhi-Regular.ttf",
    "NotoSerifGujarati-Regular" => "NotoSerifGujarati-Regular.ttf",
    "NotoSerifTelugu-Regular" => "NotoSerifTelugu-Regular.ttf",
    "NotoSerifKannada-Regular" => "NotoSerifKannada-Regular.ttf",
    "NotoSerifMalayalam-Regular" => "NotoSerifMalayalam-Regular.ttf",
    "NotoSansOriya-Regular" => "NotoSansOriya-Regular.ttf",
    "NotoNaskhArabic-Regular" => "NotoNaskhArabic-Regular.ttf",
    "NotoSerifHebrew-Regular" => "NotoSerifHebrew-Regular.ttf",
];

/// The bytes of every compiled-in font, for other consumers of fonts (the SVG parser, which
/// turns text in diagrams into glyph outlines with them).
pub fn builtin_font_data() -> impl Iterator<Item = &'static [u8]> {
    BUILTIN.iter().map(|(_, data)| *data)
}

const MONO: usize = 4;
const DEVANAGARI: usize = 5;
const DEVANAGARI_BOLD: usize = 6;
/// The other scripts, a regular face each (bold text in them is set regular): the Indian
/// Bengali, Tamil, Gurmukhi, Gujarati, Telugu, Kannada, Malayalam and Oriya, then Arabic
/// (with Urdu's letters) and Hebrew. They cover disjoint blocks, so their order in the
/// chain does not matter.
const SCRIPTS: std::ops::Range<usize> = 7..17;

/// How many fonts a fallback chain tries: the first choice, the serif, Devanagari, the
/// other scripts, the mono font.
pub const FALLBACK_CHAIN_LEN: usize = 4 + SCRIPTS.end - SCRIPTS.start;

/// All fonts available to a layout.
pub struct FontSet {
    fonts: Vec<Font>,
}

impl FontSet {
    /// The built-in fonts.
    pub fn builtin() -> crate::Result<FontSet> {
        let mut fonts = Vec::new();
        for (name, data) in BUILTIN {
            let face = Face::from_slice(data, 0)
                .ok_or_else(|| crate::Error::Pdf(format!("built-in font {name} is unreadable")))?;
            let units_per_em = face.units_per_em() as f32;
            let features = FeatureSet::of_face(&face);
            fonts.push(Font {
                name,
                data,
                face,
                units_per_em,
                features,
            });
        }
        Ok(FontSet { fonts })
    }

    /// The font for an id.
    pub fn get(&self, id: FontId) -> &Font {
        &self.fonts[id.0]
    }

    /// All fonts with their ids.
    pub fn iter(&self) -> impl Iterator<Item = (FontId, &Font)> {
        self.fonts.iter().enumerate().map(|(i, f)| (FontId(i), f))
    }

    /// The first-choice font for a family and style.
    pub fn select(&self, family: Family, style: Style) -> FontId {
        match family {
            Family::Mono => FontId(MONO),
            Family::Serif => FontId(usize::from(style.italic) + 2 * usize::from(style.bold)),
        }
    }

    /// Fonts to try, in order, for a character the first choice lacks.
    pub fn fallbacks(&self, family: Family, style: Style) -> [FontId; FALLBACK_CHAIN_LEN] {
        let devanagari = if style.bold {
            DEVANAGARI_BOLD
        } else {
            DEVANAGARI
        };
        let mut chain = [FontId(MONO); FALLBACK_CHAIN_LEN];
        chain[0] = self.select(family, style);
        chain[1] = self.select(Family::Serif, style);
        chain[2] = FontId(devanagari);
        for (slot, font) in chain[3..].iter_mut().zip(SCRIPTS) {
            *slot = FontId(font);
        }
        chain
    }

    /// The font that draws `c`: the first of the fallback chain that has it.
    pub fn font_for(&self, c: char, family: Family, style: Style) -> Option<FontId> {
        self.fallbacks(family, style)
            .into_iter()
            .find(|id| self.get(*id).covers(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn styles_map_to_their_files() {
        let set = FontSet::builtin().expect("fonts");
        let bold_italic = set.select(
            Family::Serif,
            Style {
                bold: true,
                italic: true,
                ..Style::default()
            },
        );
        assert_eq!(set.get(bold_italic).name, "NotoSerif-BoldItalic");
        assert_eq!(
            set.get(set.select(Family::Mono, Style::default())).name,
            "NotoSansMono-Regular"
        );
    }

    #[test]
    fn fallback_covers_greek_cyrillic_devanagari() {
        let set = FontSet::builtin().expect("fonts");
        for c in ['é', 'Ω', 'Ж', '“', '—'] {
            assert_eq!(
                set.font_for(c, Family::Serif, Style::default()),
                Some(FontId(0)),
                "{c}"
            );
        }
        assert_eq!(
            set.font_for('क', Family::Serif, Style::default()),
            Some(FontId(DEVANAGARI))
        );
        assert_eq!(set.font_for('中', Family::Serif, Style::default()), None);
    }

    #[test]
    fn every_indian_script_has_a_font() {
        let set = FontSet::builtin().expect("fonts");
        // A letter of each: Bengali, Tamil, Gurmukhi, Gujarati, Telugu, Kannada, Malayalam,
        // Oriya, each drawn by its own font, bold text included.
        for (letter, name) in [
            ('ক', "NotoSerifBengali-Regular"),
            ('த', "NotoSerifTamil-Regular"),
            ('ਕ', "NotoSerifGurmukhi-Regular"),
            ('ક', "NotoSerifGujarati-Regular"),
            ('క', "NotoSerifTelugu-Regular"),
            ('ಕ', "NotoSerifKannada-Regular"),
            ('ക', "NotoSerifMalayalam-Regular"),
            ('କ', "NotoSansOriya-Regular"),
            ('ع', "NotoNaskhArabic-Regular"),
            ('ے', "NotoNaskhArabic-Regular"),
            ('ש', "NotoSerifHebrew-Regular"),
        ] {
            for style in [
                Style::default(),
                Style {
                    bold: true,
                    ..Style::default()
                },
            ] {
                let font = set.font_for(letter, Family::Serif, style).expect("a font");
                assert_eq!(set.get(font).name, name, "{letter}");
            }
        }
    }

    #[test]
    fn only_the_serif_has_small_caps_and_old_style_figures_to_apply() {
        let set = FontSet::builtin().expect("fonts");
        let all = FeatureSet::TAGS
            .iter()
            .fold(FeatureSet::NONE, |s, (f, _)| s.union(*f));
        for (id, font) in set.iter() {
            match font.name {
                name if name.starts_with("NotoSerif-") => {
                    assert_eq!(font.features, all, "{name}")
                }
                "NotoNaskhArabic-Regular" => {
                    // Tabular figures only (tables ask for them), no small capitals.
                    assert_eq!(font.features, FeatureSet::TNUM, "Naskh")
                }
                name if name.starts_with("NotoSerifDevanagari") || SCRIPTS.contains(&id.0) => {
                    assert_eq!(font.features, FeatureSet::NONE, "{name}")
                }
                _ => assert_eq!(id, FontId(MONO)),
            }
        }
    }

    #[test]
    fn features_resolve_per_word_and_family() {
        use crate::ir::Figures as Text;
        let small = Features {
            caps: Caps::SmallAcronyms,
            figures: Figures::Text,
        };
        let sc = FeatureSet::SMCP;
        let all_sc = sc.union(FeatureSet::C2SC);
        let old = FeatureSet::ONUM.union(FeatureSet::PNUM);
        let lining = FeatureSet::LNUM.union(FeatureSet::PNUM);
        assert_eq!(
            small.resolve(Family::Serif, "PTI", Text::OldStyle),
            all_sc.union(old)
        );
        assert_eq!(
            small.resolve(Family::Serif, "(PTI)", Text::Lining),
            all_sc.union(lining)
        );
        assert_eq!(
            small.resolve(Family::Serif, "Image", Text::OldStyle),
            sc.union(old)
        );
        assert_eq!(
            small.resolve(Family::Serif, "I", Text::OldStyle),
            sc.union(old)
        );
        assert_eq!(
            small.resolve(Family::Mono, "PTI", Text::OldStyle),
            FeatureSet::NONE
        );
        let table = Features {
            figures: Figures::Tabular,
            ..Features::default()
        };
        assert_eq!(
            table.resolve(Family::Serif, "1984", Text::OldStyle),
            FeatureSet::LNUM.union(FeatureSet::TNUM)
        );
        assert!(is_acronym("COVID-19") && !is_acronym("Covid") && !is_acronym("19"));
    }
}
