//! The fonts a layout draws with: the compiled-in ones (from `fonts/`), a book's own
//! (`[fonts]` in `book.toml`), and the system's for characters none of those has; the choice
//! of a face by family and style, and the fallback chain by character.

mod features;
mod library;

use std::sync::{Arc, OnceLock};

use rustybuzz::ttf_parser::Face;

use crate::error::{Diagnostic, Error};
use crate::ir::{FamilyChoice, FontSettings};

pub use features::{Caps, FeatureSet, Features, Figures};
pub use library::FontLibrary;

/// Index into a [`FontSet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FontId(pub usize);

/// A family the layout asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// The text face (the compiled-in serif unless `[fonts] body` names another).
    Body,
    /// Titles and headings (the body face unless `[fonts] headings` names another).
    Heading,
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

/// How a font draws its glyphs, which decides how the PDF embeds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outlines {
    /// Quadratic outlines (`glyf`): a `CIDFontType2` font.
    TrueType,
    /// PostScript outlines (`CFF `), as in the Noto CJK collections: a `CIDFontType0`
    /// font with its CFF program.
    Cff,
}

/// One font: its bytes, PDF name and a shaping face.
pub struct Font {
    /// PostScript name used in the PDF (`BaseFont`), from the font's `name` table.
    pub name: String,
    /// The whole font file (a collection holds several faces).
    pub data: &'static [u8],
    /// Which face of the file (0 unless the file is a collection).
    pub index: u32,
    /// The font's tables, parsed (a table directory: cheap), for coverage, metrics and
    /// embedding.
    pub face: Face<'static>,
    /// The shaping face, made on first use ([`Font::shaping_face`]): rustybuzz reads the
    /// layout tables then, which for all the compiled-in fonts took longer than setting
    /// the seed article, whose text needs three of them.
    shaping: OnceLock<rustybuzz::Face<'static>>,
    /// Design units per em.
    pub units_per_em: f32,
    /// The OpenType features of [`FeatureSet`] that the font has (in `GSUB`); others asked
    /// for are left out of its shaping and of its cache keys.
    pub features: FeatureSet,
    /// Its kind of outlines.
    pub outlines: Outlines,
}

impl Font {
    /// Face `index` of a font file. Fonts with neither TrueType nor CFF outlines (colour
    /// bitmap fonts, CFF2) are refused: the PDF could not embed them.
    pub fn from_data(data: &'static [u8], index: u32) -> Result<Font, String> {
        let face = Face::parse(data, index).map_err(|_| "not a readable font")?;
        let outlines = if face.tables().glyf.is_some() {
            Outlines::TrueType
        } else if face.tables().cff.is_some() {
            Outlines::Cff
        } else {
            return Err("a font without TrueType or CFF outlines".into());
        };
        let name = postscript_name(&face).unwrap_or_else(|| format!("Font{index}"));
        Ok(Font {
            name,
            data,
            index,
            units_per_em: face.units_per_em() as f32,
            features: FeatureSet::of_face(&face),
            outlines,
            face,
            shaping: OnceLock::new(),
        })
    }

    /// The face rustybuzz shapes with, made on first use.
    pub fn shaping_face(&self) -> &rustybuzz::Face<'static> {
        self.shaping
            .get_or_init(|| rustybuzz::Face::from_face(self.face.clone()))
    }

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

/// The face's PostScript name (`name` ID 6), kept to the characters a PDF name may hold
/// without escapes.
fn postscript_name(face: &Face<'_>) -> Option<String> {
    let name = face
        .names()
        .into_iter()
        .filter(|n| n.name_id == rustybuzz::ttf_parser::name_id::POST_SCRIPT_NAME)
        .find_map(|n| n.to_string())?;
    let clean: String = name
        .chars()
        .filter(|c| c.is_ascii_graphic() && !"()<>[]{}/%#".contains(*c))
        .collect();
    (!clean.is_empty()).then_some(clean)
}

macro_rules! builtin {
    ($($file:literal),* $(,)?) => {
        &[$(include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/fonts/", $file))),*]
    };
}

/// The fonts compiled into the binary, so an installed binary needs no font files.
/// Order matters: indices are used by [`FontSet::select`].
const BUILTIN: &[&[u8]] = builtin![
    "NotoSerif-Regular.ttf",
    "NotoSerif-Italic.ttf",
    "NotoSerif-Bold.ttf",
    "NotoSerif-BoldItalic.ttf",
    "NotoSansMono-Regular.ttf",
    "NotoSerifDevanagari-Regular.ttf",
    "NotoSerifDevanagari-Bold.ttf",
    "NotoSerifBengali-Regular.ttf",
    "NotoSerifTamil-Regular.ttf",
    "NotoSerifGurmukhi-Regular.ttf",
    "NotoSerifGujarati-Regular.ttf",
    "NotoSerifTelugu-Regular.ttf",
    "NotoSerifKannada-Regular.ttf",
    "NotoSerifMalayalam-Regular.ttf",
    "NotoSansOriya-Regular.ttf",
    "NotoNaskhArabic-Regular.ttf",
    "NotoSerifHebrew-Regular.ttf",
];

/// The bytes of every compiled-in font, for other consumers of fonts (the SVG parser, which
/// turns text in diagrams into glyph outlines with them).
pub fn builtin_font_data() -> impl Iterator<Item = &'static [u8]> {
    BUILTIN.iter().copied()
}

const MONO: usize = 4;
const DEVANAGARI: usize = 5;
const DEVANAGARI_BOLD: usize = 6;
/// The other scripts, a regular face each (bold text in them is set regular): the Indian
/// Bengali, Tamil, Gurmukhi, Gujarati, Telugu, Kannada, Malayalam and Oriya, then Arabic
/// (with Urdu's letters) and Hebrew. They cover disjoint blocks, so their order in the
/// chain does not matter.
const SCRIPTS: std::ops::Range<usize> = 7..17;

/// The compiled-in faces of a family by style, indexed as [`style_slot`].
const BUILTIN_SERIF: [FontId; 4] = [FontId(0), FontId(1), FontId(2), FontId(3)];

/// Where a style sits in a family's four faces: regular, italic, bold, bold italic.
fn style_slot(style: Style) -> usize {
    usize::from(style.italic) + 2 * usize::from(style.bold)
}

/// All fonts available to a layout.
pub struct FontSet {
    /// The compiled-in fonts first, shared with every other set of the process
    /// ([`builtin_fonts`]), then the book's and the system's.
    fonts: Vec<Arc<Font>>,
    /// The first choice for each [`Family`] (in declaration order) and style slot.
    families: [[FontId; 4]; 3],
    /// Fonts tried after the compiled-in scripts for characters nothing before has: the
    /// book's own fonts, then the system's.
    extra: Vec<FontId>,
}

/// The compiled-in fonts, parsed once per process and shared by every [`FontSet`] (the
/// EPUB's page list and the PDF of one build, each layout thread): reading their tables
/// took the seed article's build 0.3–0.4 ms before its layout could start, each time.
/// Their shaping faces, made on first use, are shared with them.
fn builtin_fonts() -> crate::Result<&'static [Arc<Font>]> {
    static PARSED: OnceLock<std::result::Result<Vec<Arc<Font>>, String>> = OnceLock::new();
    let parsed = PARSED.get_or_init(|| {
        BUILTIN
            .iter()
            .enumerate()
            .map(|(index, data)| {
                Font::from_data(data, 0)
                    .map(Arc::new)
                    .map_err(|e| format!("built-in font number {index} is unreadable: {e}"))
            })
            .collect()
    });
    match parsed {
        Ok(fonts) => Ok(fonts),
        Err(message) => Err(crate::Error::Pdf(message.clone())),
    }
}

/// Read the compiled-in fonts' tables now: for a thread with nothing else to do while the
/// book loads, so that its layout finds them ready ([`FontSet::builtin`] waits for a
/// reading under way rather than doing it twice).
pub fn read_builtin_fonts() {
    let _ = builtin_fonts();
}

impl FontSet {
    /// The built-in fonts.
    pub fn builtin() -> crate::Result<FontSet> {
        Ok(FontSet {
            fonts: builtin_fonts()?.to_vec(),
            families: [BUILTIN_SERIF, BUILTIN_SERIF, [FontId(MONO); 4]],
            extra: Vec::new(),
        })
    }

    /// The fonts for a book: the compiled-in ones, the families `[fonts]` names (found
    /// among the book's own fonts, then, when `settings` allow, the system's), and for the
    /// characters of `text` (each once) that no font so far has, the system faces that
    /// cover them (Chinese, Japanese, Korean…), by coverage. `language` (the book's) picks
    /// among equally good faces: the Japanese forms of a CJK collection for a Japanese book.
    /// A family that no font has is an error at its line in `book.toml`, naming the
    /// families there are.
    pub fn for_book(
        settings: &FontSettings,
        language: &str,
        text: &[char],
    ) -> crate::Result<FontSet> {
        let mut set = FontSet::builtin()?;
        let system = settings.system;
        let own = if settings.paths.is_empty() {
            None
        } else {
            Some(FontLibrary::from_paths(&settings.paths).map_err(|e| {
                Error::Invalid(Box::new(
                    Diagnostic::error(e)
                        .hint("[fonts] paths and --font-path name font files or folders"),
                ))
            })?)
        };
        // The system's fonts are scanned only when needed: for a family the book's own
        // fonts lack, or for characters no other font has.
        let libraries = || own.iter().chain(system.then(FontLibrary::system));
        let choices = [&settings.body, &settings.headings, &settings.mono];
        for (family, choice) in choices.into_iter().enumerate() {
            if let Some(choice) = choice {
                set.families[family] = set.add_family(choice, libraries)?;
            } else if family == 1 {
                // Headings follow the body face unless they have their own.
                set.families[1] = set.families[0];
            }
        }
        if let Some(own) = &own {
            let (fonts, _) = own.covering(&set.uncovered(text), None);
            set.add_fallbacks(fonts);
        }
        if system {
            let uncovered = set.uncovered(text);
            if !uncovered.is_empty() {
                let prefer = cjk_region(language);
                let (fonts, _) = FontLibrary::system().covering(&uncovered, prefer);
                set.add_fallbacks(fonts);
            }
        }
        Ok(set)
    }

    /// The four faces of a family named in `[fonts]`, from the first library that has it.
    fn add_family<'l, L: Iterator<Item = &'l FontLibrary>>(
        &mut self,
        choice: &FamilyChoice,
        libraries: impl Fn() -> L,
    ) -> crate::Result<[FontId; 4]> {
        let Some(library) = libraries().find(|l| l.face(&choice.name, false, false).is_some())
        else {
            let all: Vec<String> = libraries().flat_map(|l| l.families()).collect();
            let candidates: Vec<&str> = all.iter().map(String::as_str).collect();
            // The book's own families first (they are what the writer meant), a few.
            let mut known = libraries().next().map(|l| l.families()).unwrap_or_default();
            known.truncate(MAX_FAMILIES_LISTED);
            let mut error = Diagnostic::error(format!("no font family `{}`", choice.name))
                .at(choice.at.clone());
            error = match crate::suggest::did_you_mean(&choice.name, &candidates) {
                Some(near) => error.hint(format!("did you mean `{near}`?")),
                None if known.is_empty() => error.hint(
                    "no font files were found: add them to a folder of the book and name it in [fonts] paths",
                ),
                None => error.hint(format!("the families are {}", known.join(", "))),
            };
            return Err(Error::Invalid(Box::new(error)));
        };
        let mut ids = [FontId(0); 4];
        for (slot, id) in ids.iter_mut().enumerate() {
            let (bold, italic) = (slot >= 2, slot % 2 == 1);
            let Some(font) = library.face(&choice.name, bold, italic) else {
                continue;
            };
            *id = self.push(font);
        }
        Ok(ids)
    }

    /// Add a font unless the set has it (the same face of the same bytes: a book may name
    /// a compiled-in family from its own copy of the file); its id.
    fn push(&mut self, font: Font) -> FontId {
        let same = self
            .fonts
            .iter()
            .position(|f| f.index == font.index && f.data == font.data);
        same.map(FontId).unwrap_or_else(|| {
            self.fonts.push(Arc::new(font));
            FontId(self.fonts.len() - 1)
        })
    }

    fn add_fallbacks(&mut self, fonts: Vec<Font>) {
        for font in fonts {
            let id = self.push(font);
            if !self.extra.contains(&id) {
                self.extra.push(id);
            }
        }
    }

    /// The characters of `text` that no font of any chain covers (whitespace and controls
    /// aside).
    fn uncovered(&self, text: &[char]) -> Vec<char> {
        let style = Style::default();
        text.iter()
            .copied()
            .filter(|c| !c.is_whitespace() && !c.is_control())
            .filter(|c| {
                [Family::Body, Family::Heading, Family::Mono]
                    .into_iter()
                    .any(|family| self.font_for(*c, family, style).is_none())
            })
            .collect()
    }

    /// The font for an id.
    pub fn get(&self, id: FontId) -> &Font {
        &self.fonts[id.0]
    }

    /// All fonts with their ids.
    pub fn iter(&self) -> impl Iterator<Item = (FontId, &Font)> {
        self.fonts
            .iter()
            .enumerate()
            .map(|(i, f)| (FontId(i), &**f))
    }

    /// The first-choice font for a family and style.
    pub fn select(&self, family: Family, style: Style) -> FontId {
        let family = match family {
            Family::Body => 0,
            Family::Heading => 1,
            Family::Mono => 2,
        };
        self.families[family][style_slot(style)]
    }

    /// Fonts to try, in order, for a character: the first choice, the body face, the
    /// compiled-in Devanagari and other scripts, the book's and the system's fallbacks, the
    /// compiled-in mono font.
    pub fn fallbacks(&self, family: Family, style: Style) -> impl Iterator<Item = FontId> + '_ {
        let devanagari = if style.bold {
            DEVANAGARI_BOLD
        } else {
            DEVANAGARI
        };
        [
            self.select(family, style),
            self.select(Family::Body, style),
            FontId(devanagari),
        ]
        .into_iter()
        .chain(SCRIPTS.map(FontId))
        .chain(self.extra.iter().copied())
        .chain(std::iter::once(FontId(MONO)))
    }

    /// The font that draws `c`: the first of the fallback chain that has it.
    pub fn font_for(&self, c: char, family: Family, style: Style) -> Option<FontId> {
        self.fallbacks(family, style)
            .find(|id| self.get(*id).covers(c))
    }
}

/// Families named in the hint of an unknown family, at most.
const MAX_FAMILIES_LISTED: usize = 12;

/// The region part of the Noto CJK family names ("Noto Serif CJK JP") that suits a book
/// language, so that a Japanese book gets Japanese glyph forms.
fn cjk_region(language: &str) -> Option<&'static str> {
    let lower = language.to_ascii_lowercase();
    let mut parts = lower.split(['-', '_']);
    match (parts.next(), parts.next()) {
        (Some("ja"), _) => Some("JP"),
        (Some("ko"), _) => Some("KR"),
        (Some("zh"), Some("hant" | "tw")) => Some("TC"),
        (Some("zh"), Some("hk" | "mo")) => Some("HK"),
        (Some("zh"), _) => Some("SC"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(name: &str, line: usize) -> Option<FamilyChoice> {
        Some(FamilyChoice {
            name: name.into(),
            at: crate::error::SourcePos {
                file: "book.toml".into(),
                line,
                column: 1,
            },
        })
    }

    fn repo_fonts() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts")
    }

    #[test]
    fn a_book_sets_its_text_headings_and_code_in_the_families_it_names() {
        let settings = FontSettings {
            paths: vec![repo_fonts()],
            body: choice("Noto Sans Mono", 2),
            mono: choice("noto serif", 3),
            ..FontSettings::default()
        };
        let set = FontSet::for_book(&settings, "en", &[]).expect("families found");
        let name = |family, bold, italic| {
            let style = Style {
                bold,
                italic,
                ..Style::default()
            };
            set.get(set.select(family, style)).name.as_str()
        };
        assert_eq!(name(Family::Body, false, false), "NotoSansMono-Regular");
        assert_eq!(name(Family::Heading, true, false), "NotoSansMono-Regular");
        assert_eq!(name(Family::Mono, true, true), "NotoSerif-BoldItalic");
        // Each file once in the set, however many roles it plays.
        let names: Vec<&str> = set.iter().map(|(_, f)| f.name.as_str()).collect();
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(names.len(), unique.len(), "{names:?}");
    }

    #[test]
    fn a_family_no_font_has_is_an_error_at_its_line_naming_the_families() {
        let settings = FontSettings {
            paths: vec![repo_fonts()],
            headings: choice("Noto Serif Tamill", 7),
            ..FontSettings::default()
        };
        let Err(Error::Invalid(error)) = FontSet::for_book(&settings, "en", &[]) else {
            panic!("an error expected");
        };
        assert_eq!(error.message, "no font family `Noto Serif Tamill`");
        assert_eq!(error.at.as_ref().map(|at| at.line), Some(7));
        let hints = error.hint.clone().unwrap_or_default();
        assert!(hints.contains("Noto Serif Tamil"), "{hints}");
        let far = FontSettings {
            headings: choice("Garamond", 7),
            ..settings
        };
        let Err(Error::Invalid(error)) = FontSet::for_book(&far, "en", &[]) else {
            panic!("an error expected");
        };
        let hints = error.hint.clone().unwrap_or_default();
        assert!(
            hints.contains("the families are") && hints.contains("Noto Serif"),
            "{hints}"
        );
    }

    /// Whether the tests must find system fonts (CI installs fonts-noto-cjk and sets this);
    /// elsewhere a test that needs them says so and passes.
    fn system_fonts_required() -> bool {
        std::env::var_os("PRESSWORK_REQUIRE_SYSTEM_FONTS").is_some()
    }

    #[test]
    fn characters_no_compiled_in_font_has_come_from_the_system_in_the_book_language() {
        let system = FontSettings {
            system: true,
            ..FontSettings::default()
        };
        let text = ['東', 'き', '한'];
        let set = FontSet::for_book(&system, "ja", &text).expect("fonts");
        let Some(font) = set.font_for('東', Family::Body, Style::default()) else {
            assert!(!system_fonts_required(), "no system font has 東");
            eprintln!("skipped: no system font has 東 (install fonts-noto-cjk)");
            return;
        };
        let font = set.get(font);
        assert!(
            font.name.to_ascii_uppercase().contains("JP"),
            "{}",
            font.name
        );
        assert_eq!(
            set.font_for('한', Family::Body, Style::default())
                .map(|f| set.get(f).name.as_str()),
            Some(font.name.as_str())
        );
        assert!(set.uncovered(&text).is_empty());
        // Without system fonts the same characters have no font.
        let set = FontSet::for_book(&FontSettings::default(), "ja", &text).expect("fonts");
        assert_eq!(set.uncovered(&text), text.to_vec());
    }

    #[test]
    fn styles_map_to_their_files() {
        let set = FontSet::builtin().expect("fonts");
        let bold_italic = set.select(
            Family::Body,
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
                set.font_for(c, Family::Body, Style::default()),
                Some(FontId(0)),
                "{c}"
            );
        }
        assert_eq!(
            set.font_for('क', Family::Body, Style::default()),
            Some(FontId(DEVANAGARI))
        );
        assert_eq!(set.font_for('中', Family::Body, Style::default()), None);
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
                let font = set.font_for(letter, Family::Body, style).expect("a font");
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
            match font.name.as_str() {
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
}
