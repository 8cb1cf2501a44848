//! `book.toml` and `+++` TOML front matter: the book's metadata and build settings.

use serde::Deserialize;

/// The `[book]` table (also the shape of a manuscript's `+++` front matter).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BookSection {
    /// Book title.
    pub title: Option<String>,
    /// Subtitle.
    pub subtitle: Option<String>,
    /// Authors in credit order.
    #[serde(default)]
    pub authors: Vec<String>,
    /// BCP 47 language tag.
    pub language: Option<String>,
    /// Stable identifier; derived from the content when absent.
    pub identifier: Option<String>,
    /// Publisher.
    pub publisher: Option<String>,
    /// Source of the text (agency, original publication).
    pub source: Option<String>,
    /// Subjects.
    #[serde(default)]
    pub subjects: Vec<String>,
    /// Rights statement.
    pub rights: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Date as `YYYY-MM-DD`.
    pub date: Option<String>,
}

/// The `[build]` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BuildSection {
    /// Manuscript files in reading order, relative to the book folder.
    /// Default: every `.md` file in the folder except `README.md`, by name.
    #[serde(default)]
    pub manuscript: Vec<String>,
    /// Extra folders images may come from, relative to the book folder.
    #[serde(default)]
    pub image_dirs: Vec<String>,
    /// Heading level that starts a chapter (1–6); chosen from the headings when absent.
    pub split_level: Option<u8>,
    /// PDF paper size (`a5`, `a4`, `letter`, `6x9`); the `--paper` flag overrides it.
    pub paper: Option<String>,
}

/// The whole `book.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookConfig {
    /// Metadata.
    #[serde(default)]
    pub book: BookSection,
    /// Build settings.
    #[serde(default)]
    pub build: BuildSection,
}

impl BookSection {
    /// Fill every field that `self` leaves empty from `other`.
    pub fn or(self, other: BookSection) -> BookSection {
        fn pick<T>(a: Vec<T>, b: Vec<T>) -> Vec<T> {
            if a.is_empty() {
                b
            } else {
                a
            }
        }
        BookSection {
            title: self.title.or(other.title),
            subtitle: self.subtitle.or(other.subtitle),
            authors: pick(self.authors, other.authors),
            language: self.language.or(other.language),
            identifier: self.identifier.or(other.identifier),
            publisher: self.publisher.or(other.publisher),
            source: self.source.or(other.source),
            subjects: pick(self.subjects, other.subjects),
            rights: self.rights.or(other.rights),
            description: self.description.or(other.description),
            date: self.date.or(other.date),
        }
    }
}

/// Split `+++`-delimited TOML front matter off a manuscript.
/// Returns the front matter text (if any) and the byte offset where the Markdown starts.
pub fn split_front_matter(text: &str) -> (Option<&str>, usize) {
    let Some(rest) = text.strip_prefix("+++") else {
        return (None, 0);
    };
    let Some(first_newline) = rest.find('\n') else {
        return (None, 0);
    };
    if !rest[..first_newline].trim().is_empty() {
        return (None, 0);
    }
    let body_start = 3 + first_newline + 1;
    let mut pos = body_start;
    for line in text[body_start..].split_inclusive('\n') {
        if line.trim_end() == "+++" {
            return (Some(&text[body_start..pos]), pos + line.len());
        }
        pos += line.len();
    }
    (None, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_is_split_off() {
        let text = "+++\ntitle = \"T\"\n+++\n# Heading\n";
        let (fm, start) = split_front_matter(text);
        assert_eq!(fm, Some("title = \"T\"\n"));
        assert_eq!(&text[start..], "# Heading\n");
    }

    #[test]
    fn unterminated_front_matter_is_text() {
        assert_eq!(split_front_matter("+++\ntitle = 1\n").0, None);
        assert_eq!(split_front_matter("+++ not\n+++\n").0, None);
        assert_eq!(split_front_matter("# x").0, None);
    }

    #[test]
    fn config_rejects_unknown_keys() {
        let err = toml::from_str::<BookConfig>("[book]\ntitel = \"x\"\n");
        assert!(err.is_err());
        let ok: BookConfig =
            toml::from_str("[book]\ntitle = \"x\"\n[build]\nimage-dirs = [\"../images\"]\n")
                .expect("valid config");
        assert_eq!(ok.build.image_dirs, vec!["../images"]);
    }
}
