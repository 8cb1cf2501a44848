//! Settings that reach the back ends, resolved once when the book is loaded (the command
//! line over `book.toml` over the defaults) and carried with the book, so that no back end
//! reads the environment, the clock or a configuration file itself.

use chrono::{DateTime, Utc};

/// Used when neither `SOURCE_DATE_EPOCH` nor a book date is given: the earliest time a zip
/// entry can carry (1980-01-01T00:00:00Z). A constant keeps builds reproducible; the clock
/// would not.
pub const DEFAULT_EPOCH: i64 = 315_532_800;

/// How a book is to be built, beyond what it says.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Paper size of printed output.
    pub paper: Paper,
    /// The build date written into every output (EPUB `dcterms:modified` and zip times, PDF
    /// dates and XMP): `SOURCE_DATE_EPOCH`, else the book's `date`, else [`DEFAULT_EPOCH`].
    pub build_date: DateTime<Utc>,
    /// Where the PDF sets footnotes.
    pub notes: NotePlacement,
    /// Which digits running text uses where the font has both kinds.
    pub figures: Figures,
    /// Type size, leading, margins and chapter openings of the printed page.
    pub typography: Typography,
    /// The book's own fonts and the families it sets its text in.
    pub fonts: FontSettings,
}

/// `[fonts]` in `book.toml` and `--font-path`: where a book's own fonts are and which
/// families it sets its text, headings and code in (the compiled-in faces otherwise).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FontSettings {
    /// Font files and folders, inside the book folder (or given on the command line).
    pub paths: Vec<std::path::PathBuf>,
    /// The family of the running text.
    pub body: Option<FamilyChoice>,
    /// The family of titles and headings (the body's if not set).
    pub headings: Option<FamilyChoice>,
    /// The family of code.
    pub mono: Option<FamilyChoice>,
    /// Whether the system's fonts may be used, for families and for characters no other
    /// font has: the command line allows them unless `--no-system-fonts` or `[fonts] system
    /// = false` (a build that is the same on every machine); library callers opt in.
    pub system: bool,
}

/// A family named in `[fonts]`, with where, for an error if no font has it.
#[derive(Debug, Clone, PartialEq)]
pub struct FamilyChoice {
    /// The family name ("Noto Serif", "Source Han Sans").
    pub name: String,
    /// Its place in `book.toml`.
    pub at: crate::error::SourcePos,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            paper: Paper::default(),
            build_date: DateTime::from_timestamp(DEFAULT_EPOCH, 0).unwrap_or_default(),
            notes: NotePlacement::default(),
            figures: Figures::default(),
            typography: Typography::default(),
            fonts: FontSettings::default(),
        }
    }
}

impl Settings {
    /// The build date from the caller's `SOURCE_DATE_EPOCH` (seconds since 1970), else the
    /// book's `YYYY-MM-DD` date, else the time of the build as the caller read the clock
    /// (`build_time`), else [`DEFAULT_EPOCH`] (a library caller that passes no clock, for
    /// output that is the same on every run).
    pub fn build_date(
        source_date_epoch: Option<i64>,
        book_date: Option<&str>,
        build_time: Option<i64>,
    ) -> DateTime<Utc> {
        source_date_epoch
            .and_then(|seconds| DateTime::from_timestamp(seconds, 0))
            .or_else(|| book_date.and_then(parse_date))
            .or_else(|| build_time.and_then(|seconds| DateTime::from_timestamp(seconds, 0)))
            .or_else(|| DateTime::from_timestamp(DEFAULT_EPOCH, 0))
            .unwrap_or_default()
    }
}

/// `YYYY-MM-DD` (and anything after the tenth character, such as a time, ignored) →
/// midnight UTC of that day.
pub fn parse_date(date: &str) -> Option<DateTime<Utc>> {
    let date = date.trim();
    let day = chrono::NaiveDate::parse_from_str(date.get(..10).unwrap_or(date), "%Y-%m-%d").ok()?;
    Some(day.and_hms_opt(0, 0, 0)?.and_utc())
}

/// Where the PDF sets footnotes (an EPUB always has them at the chapter's end).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NotePlacement {
    /// At the foot of the page that calls them (the default).
    #[default]
    Page,
    /// Collected at the end of each chapter under a "Notes" heading.
    Chapter,
}

impl NotePlacement {
    /// Parse a placement as written in `book.toml` (`page`, `chapter`).
    pub fn from_name(name: &str) -> Option<NotePlacement> {
        match name.trim().to_ascii_lowercase().as_str() {
            "page" => Some(NotePlacement::Page),
            "chapter" => Some(NotePlacement::Chapter),
            _ => None,
        }
    }
}

/// Which digits running text uses, where the font has both (OpenType `onum` / `lnum`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Figures {
    /// Old-style (text) figures, which sit among lower-case letters like them, with
    /// ascenders and descenders: what a book designer sets in running text (the default).
    #[default]
    OldStyle,
    /// Lining figures, all the height of capitals: what most digital type shows by default.
    Lining,
}

impl Figures {
    /// Parse a figure style as written in `book.toml` (`old-style`, `lining`).
    pub fn from_name(name: &str) -> Option<Figures> {
        match name.trim().to_ascii_lowercase().as_str() {
            "old-style" | "oldstyle" => Some(Figures::OldStyle),
            "lining" => Some(Figures::Lining),
            _ => None,
        }
    }
}

/// The printed page's type and margins as `[typography]` in `book.toml` asks for them, in
/// points. What it leaves out is `None`: the typesetter then uses its own proportions for
/// the paper (`PageGeometry::for_settings`), so that no table at all gives the page it has
/// always given.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Typography {
    /// Body text size.
    pub font_size: Option<f32>,
    /// Body leading: baseline to baseline, not the space between lines.
    pub leading: Option<f32>,
    /// Margins around the text block.
    pub margins: Margins,
    /// Where a book's chapters open.
    pub chapter_opening: ChapterOpening,
}

/// The four margins of a page, in points; `None` keeps the typesetter's default. On a book's
/// facing pages `inner` is the binding side (left of a recto, right of a verso) and `outer`
/// the side away from it; on an article's pages, which do not face, `inner` is the left
/// margin and `outer` the right.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Margins {
    /// From the top edge of the page to the top of the text block.
    pub top: Option<f32>,
    /// From the foot of the text block to the bottom edge (at least: the text block holds
    /// a whole number of lines, and what is left over joins this margin).
    pub bottom: Option<f32>,
    /// The binding side (an article: the left).
    pub inner: Option<f32>,
    /// The side away from the binding (an article: the right).
    pub outer: Option<f32>,
}

/// Where a book's chapters open (an article's sections run on, so it has no say there).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChapterOpening {
    /// On a right-hand page (a recto), after a blank left-hand page where needed: the
    /// convention of printed books (the default).
    #[default]
    Right,
    /// On the next page, left or right: fewer pages, as in a report or a manual.
    Any,
}

impl ChapterOpening {
    /// Parse a chapter opening as written in `book.toml` (`right`, `any`).
    pub fn from_name(name: &str) -> Option<ChapterOpening> {
        match name.trim().to_ascii_lowercase().as_str() {
            "right" => Some(ChapterOpening::Right),
            "any" => Some(ChapterOpening::Any),
            _ => None,
        }
    }
}

/// Paper sizes presswork knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Paper {
    /// ISO A5, 148 × 210 mm (the default: a book page).
    #[default]
    A5,
    /// ISO A4, 210 × 297 mm.
    A4,
    /// US Letter, 8.5 × 11 in.
    Letter,
    /// US trade, 6 × 9 in.
    Trade,
}

impl Paper {
    /// The paper's name for people ("A5", "6×9 in").
    pub fn display_name(self) -> &'static str {
        match self {
            Paper::A5 => "A5",
            Paper::A4 => "A4",
            Paper::Letter => "letter",
            Paper::Trade => "6×9 in",
        }
    }

    /// Parse a paper name as written in `book.toml` (`a5`, `a4`, `letter`, `6x9`).
    pub fn from_name(name: &str) -> Option<Paper> {
        match name.trim().to_ascii_lowercase().as_str() {
            "a5" => Some(Paper::A5),
            "a4" => Some(Paper::A4),
            "letter" | "us-letter" => Some(Paper::Letter),
            "6x9" | "trade" => Some(Paper::Trade),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_date_prefers_the_epoch_then_the_book_date_then_the_clock() {
        let clock = Some(1_750_000_000);
        assert_eq!(
            Settings::build_date(Some(1_700_000_000), Some("2023-12-27"), clock).timestamp(),
            1_700_000_000
        );
        assert_eq!(
            Settings::build_date(None, Some("2023-12-27"), clock).to_rfc3339(),
            "2023-12-27T00:00:00+00:00"
        );
        assert_eq!(
            Settings::build_date(None, Some("27 December"), clock).timestamp(),
            1_750_000_000
        );
        assert_eq!(
            Settings::build_date(None, None, None).timestamp(),
            DEFAULT_EPOCH
        );
        assert!(parse_date("2024-02-30").is_none());
    }

    #[test]
    fn chapter_opening_names() {
        assert_eq!(
            ChapterOpening::from_name(" Right "),
            Some(ChapterOpening::Right)
        );
        assert_eq!(ChapterOpening::from_name("any"), Some(ChapterOpening::Any));
        assert_eq!(ChapterOpening::from_name("left"), None);
        assert_eq!(ChapterOpening::default(), ChapterOpening::Right);
    }

    #[test]
    fn paper_names() {
        assert_eq!(Paper::from_name(" A4 "), Some(Paper::A4));
        assert_eq!(Paper::from_name("6x9"), Some(Paper::Trade));
        assert_eq!(Paper::from_name("b5"), None);
    }
}
