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

/// Weight and slant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Style {
    /// Bold weight.
    pub bold: bool,
    /// Italic slant.
    pub italic: bool,
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
];

/// The bytes of every compiled-in font, for other consumers of fonts (the SVG parser, which
/// turns text in diagrams into glyph outlines with them).
pub fn builtin_font_data() -> impl Iterator<Item = &'static [u8]> {
    BUILTIN.iter().map(|(_, data)| *data)
}

const MONO: usize = 4;
const DEVANAGARI: usize = 5;
const DEVANAGARI_BOLD: usize = 6;

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
            fonts.push(Font {
                name,
                data,
                face,
                units_per_em,
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
    pub fn fallbacks(&self, family: Family, style: Style) -> [FontId; 4] {
        let devanagari = if style.bold {
            DEVANAGARI_BOLD
        } else {
            DEVANAGARI
        };
        [
            self.select(family, style),
            self.select(Family::Serif, style),
            FontId(devanagari),
            FontId(MONO),
        ]
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
}
