//! `book.toml` and `+++` TOML front matter: the book's metadata and build settings.
//!
//! `book.toml` may also be mdBook's own: its `[book]` and `[build]` keys are accepted (those
//! presswork has no use for are ignored), and its `[output.*]`, `[preprocessor.*]` and
//! `[rust]` tables, which belong to other tools, are skipped. Any other unknown key is still
//! an error, so that a typo in presswork's own keys does not pass silently.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::de::IgnoredAny;
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
    /// Editors, in credit order.
    #[serde(default)]
    pub editors: Vec<String>,
    /// Translators.
    #[serde(default)]
    pub translators: Vec<String>,
    /// Illustrators.
    #[serde(default)]
    pub illustrators: Vec<String>,
    /// Photographers.
    #[serde(default)]
    pub photographers: Vec<String>,
    /// The series the book belongs to.
    pub series: Option<String>,
    /// Its place in the series (1, 2, …).
    pub series_index: Option<u32>,
    /// The ISBN of this edition (ISBN-13 or ISBN-10, hyphens allowed).
    pub isbn: Option<String>,
    /// BISAC subject codes (`POL011000`).
    #[serde(default)]
    pub bisac: Vec<String>,
    /// mdBook: the folder holding `SUMMARY.md` and the chapters (default `src`).
    pub src: Option<String>,
    /// mdBook: whether the book is multilingual (mdBook itself does not use it yet); ignored.
    pub multilingual: Option<IgnoredAny>,
    /// mdBook: `ltr` or `rtl`; ignored (the back ends follow the language).
    pub text_direction: Option<IgnoredAny>,
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
    /// `book` or `article`: the PDF's front and back matter; chosen from the headings when
    /// absent (one `#` title over `##` sections, or no heading, is an article).
    pub layout: Option<String>,
    /// `page` or `chapter`: where the PDF sets footnotes (default `page`, at the foot of
    /// the page that calls them; `chapter` collects them at each chapter's end).
    pub notes: Option<String>,
    /// The outputs' file name without extension (default: the book folder's name).
    pub output_name: Option<String>,
    /// mdBook's output folder; ignored.
    pub build_dir: Option<IgnoredAny>,
    /// mdBook: create missing chapter files; ignored (a missing chapter is an error here).
    pub create_missing: Option<IgnoredAny>,
    /// mdBook: run its default preprocessors; ignored.
    pub use_default_preprocessors: Option<IgnoredAny>,
    /// mdBook: extra folders its `watch` command watches; ignored.
    pub extra_watch_dirs: Option<IgnoredAny>,
}

/// The `[typography]` table: the printed page's type and margins. Values stay as written
/// (a number or a string) so that `load::typography` can say exactly what is wrong with one,
/// at its line, rather than serde's "invalid type".
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TypographySection {
    /// Body text size in points (`11`, `10.5`, `"11pt"`).
    pub font_size: Option<toml::Value>,
    /// Body leading, baseline to baseline, in points (`14`, `"14pt"`).
    pub leading: Option<toml::Value>,
    /// The margins, each a length with its unit (`"18mm"`).
    #[serde(default)]
    pub margins: MarginsSection,
    /// `right` or `any`: where a book's chapters open.
    pub chapter_opening: Option<String>,
    /// `old-style` or `lining`: the digits of running text.
    pub figures: Option<String>,
}

/// The `[epub]` table: what only the ebook has.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct EpubSection {
    /// The cover picture, relative to the book folder (default: the first figure's).
    pub cover: Option<String>,
    /// A CSS file, relative to the book folder, appended to the house stylesheet.
    pub stylesheet: Option<String>,
}

/// The `[fonts]` table: the book's own fonts and the families it is set in.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FontsSection {
    /// Font files or folders, relative to the book folder.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Family of the running text.
    pub body: Option<String>,
    /// Family of titles and headings.
    pub headings: Option<String>,
    /// Family of code.
    pub mono: Option<String>,
    /// Whether the system's fonts may be used (default true).
    pub system: Option<bool>,
}

/// `[typography.margins]` (or `margins = { … }` inside `[typography]`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarginsSection {
    /// Top margin.
    pub top: Option<toml::Value>,
    /// Bottom margin.
    pub bottom: Option<toml::Value>,
    /// Margin on the binding side (an article's left margin).
    pub inner: Option<toml::Value>,
    /// Margin away from the binding (an article's right margin).
    pub outer: Option<toml::Value>,
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
    /// The printed page: type size, leading, margins, chapter openings, figures.
    #[serde(default)]
    pub typography: TypographySection,
    /// The ebook's cover and stylesheet.
    #[serde(default)]
    pub epub: EpubSection,
    /// The book's own fonts and its families.
    #[serde(default)]
    pub fonts: FontsSection,
    /// Words around the text ("Contents", "Notes", …) by key, over the language's own.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// mdBook's renderers (`[output.html]`, …): other tools' settings, ignored.
    pub output: Option<IgnoredAny>,
    /// mdBook's preprocessors (`[preprocessor.links]`, …): ignored.
    pub preprocessor: Option<IgnoredAny>,
    /// mdBook's `[rust]` table (edition for code tests): ignored.
    pub rust: Option<IgnoredAny>,
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
            editors: pick(self.editors, other.editors),
            translators: pick(self.translators, other.translators),
            illustrators: pick(self.illustrators, other.illustrators),
            photographers: pick(self.photographers, other.photographers),
            series: self.series.or(other.series),
            series_index: self.series_index.or(other.series_index),
            isbn: self.isbn.or(other.isbn),
            bisac: pick(self.bisac, other.bisac),
            src: self.src.or(other.src),
            multilingual: self.multilingual.or(other.multilingual),
            text_direction: self.text_direction.or(other.text_direction),
        }
    }

    /// Whether the metadata field named `field` (as in [`METADATA_FIELDS`]) has a value.
    pub fn is_set(&self, field: &str) -> bool {
        match field {
            "title" => self.title.is_some(),
            "subtitle" => self.subtitle.is_some(),
            "authors" => !self.authors.is_empty(),
            "language" => self.language.is_some(),
            "identifier" => self.identifier.is_some(),
            "publisher" => self.publisher.is_some(),
            "source" => self.source.is_some(),
            "subjects" => !self.subjects.is_empty(),
            "rights" => self.rights.is_some(),
            "description" => self.description.is_some(),
            "date" => self.date.is_some(),
            "editors" => !self.editors.is_empty(),
            "translators" => !self.translators.is_empty(),
            "illustrators" => !self.illustrators.is_empty(),
            "photographers" => !self.photographers.is_empty(),
            "series" => self.series.is_some(),
            "series-index" => self.series_index.is_some(),
            "isbn" => self.isbn.is_some(),
            "bisac" => !self.bisac.is_empty(),
            _ => false,
        }
    }
}

/// The metadata fields of [`BookSection`], by their `book.toml` names.
pub const METADATA_FIELDS: [&str; 19] = [
    "title",
    "subtitle",
    "authors",
    "language",
    "identifier",
    "publisher",
    "source",
    "subjects",
    "rights",
    "description",
    "date",
    "editors",
    "translators",
    "illustrators",
    "photographers",
    "series",
    "series-index",
    "isbn",
    "bisac",
];

/// Where a metadata value was written: the file, and its line when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// `book.toml` or the manuscript whose front matter set the value.
    pub path: PathBuf,
    /// 1-based line of the key in that file.
    pub line: Option<usize>,
}

/// Metadata together with where each value came from, so that an error about a value
/// blames the file (and line) it was written in.
#[derive(Debug, Clone, Default)]
pub struct SourcedSection {
    /// The values.
    pub section: BookSection,
    /// Field name (from [`METADATA_FIELDS`]) → where it was set; only set fields appear.
    pub origins: BTreeMap<&'static str, Origin>,
}

impl SourcedSection {
    /// Values read from TOML `text` (`book.toml`, whose metadata is in `table`, or `+++`
    /// front matter with `table` `None`) in file `path`, whose first line is line
    /// `first_line` of that file.
    pub fn from_toml(
        section: BookSection,
        path: &Path,
        text: &str,
        table: Option<&str>,
        first_line: usize,
    ) -> Self {
        let mut origins = BTreeMap::new();
        for field in METADATA_FIELDS {
            if section.is_set(field) {
                let line = toml_key_line(text, table, field).map(|l| l + first_line - 1);
                origins.insert(
                    field,
                    Origin {
                        path: path.to_path_buf(),
                        line,
                    },
                );
            }
        }
        SourcedSection { section, origins }
    }

    /// Fill every field that `self` leaves empty from `other`, with its origin.
    pub fn or(mut self, other: SourcedSection) -> SourcedSection {
        for (field, origin) in other.origins {
            if !self.section.is_set(field) {
                self.origins.insert(field, origin);
            }
        }
        self.section = self.section.or(other.section);
        self
    }

    /// Where `field` was set, if it was.
    pub fn origin(&self, field: &str) -> Option<&Origin> {
        self.origins.get(field)
    }
}

/// The 1-based line of `key = …` in TOML `text`, inside `[table]` (or before any table when
/// `table` is `None`). A plain text scan, enough to point at a line: it does not follow
/// dotted keys or inline tables.
pub fn toml_key_line(text: &str, table: Option<&str>, key: &str) -> Option<usize> {
    let mut in_table = table.is_none();
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            let name = trimmed
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("");
            in_table = table.is_some_and(|t| name.trim() == t);
            continue;
        }
        if !in_table {
            continue;
        }
        let Some((name, _)) = trimmed.split_once('=') else {
            continue;
        };
        if name.trim().trim_matches(|c| c == '"' || c == '\'') == key {
            return Some(index + 1);
        }
    }
    None
}

/// The 1-based line of byte `offset` in `text`.
pub fn line_of_offset(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .unwrap_or(text)
        .bytes()
        .filter(|b| *b == b'\n')
        .count()
        + 1
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

    #[test]
    fn mdbook_keys_and_tables_are_accepted() {
        let text = "[book]\ntitle = \"T\"\nauthors = [\"A\"]\nlanguage = \"en\"\nsrc = \"src\"\n\
                    multilingual = false\ndescription = \"D\"\n\
                    [build]\nbuild-dir = \"book\"\ncreate-missing = false\n\
                    use-default-preprocessors = false\nextra-watch-dirs = [\"x\"]\n\
                    [output.html]\nmathjax-support = true\n[output.html.fold]\nenable = true\n\
                    [preprocessor.x]\ncommand = \"x\"\n[rust]\nedition = \"2021\"\n";
        let config: BookConfig = toml::from_str(text).expect("mdBook's book.toml");
        assert_eq!(config.book.src.as_deref(), Some("src"));
        assert_eq!(config.book.authors, ["A"]);
        // A typo in presswork's own tables is still caught.
        assert!(toml::from_str::<BookConfig>("[build]\nbuild-dri = \"b\"\n").is_err());
        assert!(toml::from_str::<BookConfig>("[outptu.html]\n").is_err());
    }

    #[test]
    fn key_lines_are_found_in_their_table() {
        let text = "# c\n[build]\nlanguage = 1\n[book]\ntitle = \"x\"\n \"language\" = \"C\"\n";
        assert_eq!(toml_key_line(text, Some("book"), "language"), Some(6));
        assert_eq!(toml_key_line(text, Some("book"), "title"), Some(5));
        assert_eq!(toml_key_line(text, Some("book"), "date"), None);
        assert_eq!(toml_key_line("title = 1\n", None, "title"), Some(1));
        assert_eq!(line_of_offset("a\nb\nc", 4), 3);
    }

    #[test]
    fn origins_follow_the_value_that_wins() {
        let toml_text = "[book]\ntitle = \"T\"\n";
        let from_toml = SourcedSection::from_toml(
            toml::from_str::<BookConfig>(toml_text).expect("toml").book,
            Path::new("book.toml"),
            toml_text,
            Some("book"),
            1,
        );
        let front_text = "title = \"F\"\nlanguage = \"en\"\n";
        let from_front = SourcedSection::from_toml(
            toml::from_str(front_text).expect("front"),
            Path::new("a.md"),
            front_text,
            None,
            2,
        );
        let merged = from_toml.or(from_front);
        assert_eq!(merged.section.title.as_deref(), Some("T"));
        let title = merged.origin("title").expect("title origin");
        assert_eq!(
            (title.path.as_path(), title.line),
            (Path::new("book.toml"), Some(2))
        );
        let language = merged.origin("language").expect("language origin");
        assert_eq!(
            (language.path.as_path(), language.line),
            (Path::new("a.md"), Some(3))
        );
    }
}
