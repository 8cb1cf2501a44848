//! OpenType features the typography asks for (small capitals, figures) and the set each
//! font has.

use rustybuzz::ttf_parser::Face;

use super::Family;

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
    pub(super) const TAGS: [(FeatureSet, &'static [u8; 4]); 6] = [
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
    pub(super) fn of_face(face: &Face<'_>) -> FeatureSet {
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

#[cfg(test)]
mod tests {
    use super::*;

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
            small.resolve(Family::Body, "PTI", Text::OldStyle),
            all_sc.union(old)
        );
        assert_eq!(
            small.resolve(Family::Body, "(PTI)", Text::Lining),
            all_sc.union(lining)
        );
        assert_eq!(
            small.resolve(Family::Body, "Image", Text::OldStyle),
            sc.union(old)
        );
        assert_eq!(
            small.resolve(Family::Body, "I", Text::OldStyle),
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
            table.resolve(Family::Body, "1984", Text::OldStyle),
            FeatureSet::LNUM.union(FeatureSet::TNUM)
        );
        assert!(is_acronym("COVID-19") && !is_acronym("Covid") && !is_acronym("19"));
    }
}
