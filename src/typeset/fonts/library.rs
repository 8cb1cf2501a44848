//! Font files beyond the compiled-in ones: a book's own (`[fonts] paths`, `--font-path`) and
//! the system's, found through `fontdb` as Typst's `FontBook` finds them: faces indexed by
//! family, weight and slant without reading their glyphs, then opened only when chosen.
//!
//! A file, once read, stays in memory for the life of the process: fonts never change, a
//! `watch` session or a batch run builds many books with the same few fonts, and the shaping
//! faces borrow the bytes for `'static` like the compiled-in fonts. The memory is bounded
//! by the distinct files a process ever uses, not by the number of builds.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use fontdb::{Database, Query, Source, Weight, ID};

use super::Font;

/// A collection of font faces to choose from by family name or by coverage.
pub struct FontLibrary {
    db: Database,
}

/// Every file read so far, by path: see the module's note on lifetime.
static FILES: OnceLock<Mutex<HashMap<PathBuf, &'static [u8]>>> = OnceLock::new();

/// The system's fonts, scanned once per process on first use (a few hundred files' names;
/// the glyphs are read only from the faces chosen).
static SYSTEM: OnceLock<FontLibrary> = OnceLock::new();

/// Largest font file accepted, in bytes: the CJK collections are about 40 MB.
const MAX_FONT_FILE_BYTES: u64 = 128 * 1024 * 1024;

impl FontLibrary {
    /// The fonts in `paths` (font files, or folders searched recursively). A path that is
    /// neither, or a file that is not a font, is an error naming it.
    pub fn from_paths(paths: &[PathBuf]) -> Result<FontLibrary, String> {
        let mut db = Database::new();
        for path in paths {
            let before = db.len();
            if path.is_dir() {
                db.load_fonts_dir(path);
                if db.len() == before {
                    return Err(format!(
                        "the font folder {} holds no font file (.ttf, .otf, .ttc)",
                        path.display()
                    ));
                }
            } else if path.is_file() {
                db.load_font_file(path)
                    .map_err(|e| format!("the font file {} cannot be read: {e}", path.display()))?;
                if db.len() == before {
                    return Err(format!(
                        "{} is not a font file that can be read (TrueType or OpenType)",
                        path.display()
                    ));
                }
            } else {
                return Err(format!("no font file or folder at {}", path.display()));
            }
        }
        Ok(FontLibrary { db })
    }

    /// The system's fonts (fontconfig's folders on Linux), scanned on the first call.
    pub fn system() -> &'static FontLibrary {
        SYSTEM.get_or_init(|| {
            let mut db = Database::new();
            db.load_system_fonts();
            FontLibrary { db }
        })
    }

    /// Whether the library has no face at all.
    pub fn is_empty(&self) -> bool {
        self.db.is_empty()
    }

    /// The family names, sorted and each once.
    pub fn families(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .db
            .faces()
            .filter_map(|face| face.families.first().map(|(name, _)| name.clone()))
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// The face of `family` (any case) nearest to the weight and slant asked for: the bold
    /// and italic of a family are found in it, and a family without them gives its nearest
    /// face (as CSS font matching does) rather than nothing.
    pub fn face(&self, family: &str, bold: bool, italic: bool) -> Option<Font> {
        let name = self.db.faces().find_map(|face| {
            face.families
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(family))
                .map(|(name, _)| name.clone())
        })?;
        let id = self.db.query(&Query {
            families: &[fontdb::Family::Name(&name)],
            weight: if bold { Weight::BOLD } else { Weight::NORMAL },
            stretch: fontdb::Stretch::Normal,
            style: if italic {
                fontdb::Style::Italic
            } else {
                fontdb::Style::Normal
            },
        })?;
        self.open(id)
    }

    /// Upright faces of normal weight that cover characters of `wanted`, chosen greedily:
    /// the face covering most of what is still uncovered first (ties go to a face whose
    /// name carries `prefer`, such as "JP" for a Japanese book, then to a serif), until no
    /// face covers any more. Returns the faces with the characters left uncovered.
    pub fn covering(&self, wanted: &[char], prefer: Option<&str>) -> (Vec<Font>, Vec<char>) {
        let mut left: Vec<char> = wanted.to_vec();
        let mut chosen = Vec::new();
        let candidates: Vec<&fontdb::FaceInfo> = self
            .db
            .faces()
            .filter(|face| face.style == fontdb::Style::Normal && face.weight == Weight::NORMAL)
            .collect();
        let mut used = vec![false; candidates.len()];
        while !left.is_empty() {
            let mut best: Option<(usize, usize, u8)> = None;
            for (index, face) in candidates.iter().enumerate() {
                if used[index] {
                    continue;
                }
                let Some(Some(count)) = self.db.with_face_data(face.id, |data, face_index| {
                    let face = rustybuzz::ttf_parser::Face::parse(data, face_index).ok()?;
                    // Colour bitmap and CFF2 fonts cannot be embedded: not candidates.
                    let outlines = face.tables().glyf.is_some() || face.tables().cff.is_some();
                    outlines.then(|| {
                        left.iter()
                            .filter(|c| face.glyph_index(**c).is_some())
                            .count()
                    })
                }) else {
                    continue;
                };
                if count == 0 {
                    continue;
                }
                let rank = preference(face, prefer);
                if best.is_none_or(|(_, c, r)| count > c || (count == c && rank > r)) {
                    best = Some((index, count, rank));
                }
            }
            let Some((index, _, _)) = best else { break };
            used[index] = true;
            let Some(font) = self.open(candidates[index].id) else {
                continue;
            };
            left.retain(|c| !font.covers(*c));
            chosen.push(font);
        }
        (chosen, left)
    }

    /// Read a face (once per file per process) and make it a [`Font`].
    fn open(&self, id: ID) -> Option<Font> {
        let (source, index) = self.db.face_source(id)?;
        let path = match source {
            Source::File(path) | Source::SharedFile(path, _) => path,
            Source::Binary(_) => return None,
        };
        let data = read_once(&path)?;
        Font::from_data(data, index).ok()
    }
}

/// Tie-break among faces covering as much: the preferred name part, then serif over sans.
fn preference(face: &fontdb::FaceInfo, prefer: Option<&str>) -> u8 {
    let name = face
        .families
        .first()
        .map_or(face.post_script_name.as_str(), |(n, _)| n.as_str());
    let preferred = prefer.is_some_and(|p| name.split(' ').any(|word| word == p));
    u8::from(preferred) * 2 + u8::from(name.contains("Serif"))
}

/// The bytes of a font file, read on first use and kept (see the module's note).
fn read_once(path: &Path) -> Option<&'static [u8]> {
    let files = FILES.get_or_init(Mutex::default);
    let mut files = files
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(data) = files.get(path) {
        return Some(data);
    }
    let size = std::fs::metadata(path).ok()?.len();
    if size > MAX_FONT_FILE_BYTES {
        return None;
    }
    let data: &'static [u8] = Box::leak(std::fs::read(path).ok()?.into_boxed_slice());
    files.insert(path.to_path_buf(), data);
    Some(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo_fonts() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts")
    }

    #[test]
    fn a_folder_of_fonts_lists_its_families_and_finds_their_styles() {
        let library = FontLibrary::from_paths(&[repo_fonts()]).expect("fonts folder");
        let families = library.families();
        assert!(families.contains(&"Noto Serif".to_string()), "{families:?}");
        let bold_italic = library.face("noto serif", true, true).expect("found");
        assert_eq!(bold_italic.name, "NotoSerif-BoldItalic");
        // The mono family has one face: asked for bold, it gives its nearest.
        let mono = library.face("Noto Sans Mono", true, false).expect("found");
        assert_eq!(mono.name, "NotoSansMono-Regular");
        assert!(library.face("Helvetica", false, false).is_none());
    }

    #[test]
    fn paths_that_hold_no_font_are_errors_naming_them() {
        let missing = repo_fonts().join("nothing-here");
        let error = FontLibrary::from_paths(std::slice::from_ref(&missing))
            .err()
            .expect("an error");
        assert!(error.contains("nothing-here"), "{error}");
        let not_a_font = repo_fonts().join("OFL.txt");
        let error = FontLibrary::from_paths(&[not_a_font]).err().expect("error");
        assert!(error.contains("OFL.txt"), "{error}");
    }

    #[test]
    fn coverage_picks_the_faces_that_draw_the_characters() {
        let library = FontLibrary::from_paths(&[repo_fonts()]).expect("fonts folder");
        let (fonts, left) = library.covering(&['ক', 'ש', '中'], None);
        let names: Vec<&str> = fonts.iter().map(|f| f.name.as_str()).collect();
        assert!(names.contains(&"NotoSerifBengali-Regular"), "{names:?}");
        assert!(names.contains(&"NotoSerifHebrew-Regular"), "{names:?}");
        assert_eq!(left, vec!['中'], "no font in the folder has it");
    }
}
