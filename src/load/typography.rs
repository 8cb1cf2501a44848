//! `[typography]` in `book.toml` → [`ir::Typography`] and [`ir::Figures`]: each value parsed
//! (lengths with their units), checked against a range a book designer would accept, and
//! the page it makes checked as a whole (a text block wide and tall enough to set), every
//! error at the line of the value to change.
//!
//! The page arithmetic itself is the typesetter's (`PageGeometry`): the check asks it for
//! the page these values make rather than repeat its proportions here.

use std::path::PathBuf;

use super::config::{toml_key_line, TypographySection};
use crate::error::{Error, Result};
use crate::ir::{BookShape, ChapterOpening, Figures, Margins, Settings, Typography};
use crate::typeset::PageGeometry;

/// Points in an inch (PostScript points, as PDF measures).
const POINTS_PER_INCH: f32 = 72.0;
/// Millimetres in an inch.
const MM_PER_INCH: f32 = 25.4;
/// Points in a pica.
const POINTS_PER_PICA: f32 = 12.0;

/// Smallest body size accepted, in points: below it, text is for footnotes, not reading.
pub const MIN_FONT_SIZE: f32 = 7.0;
/// Largest body size accepted, in points: large print; above it, display type.
pub const MAX_FONT_SIZE: f32 = 16.0;
/// Leading at most this many times the type size: beyond double spacing lines fall apart.
const MAX_LEADING_RATIO: f32 = 2.0;
/// Smallest margin accepted, in points (5 mm): less is lost to the printer's grip and the
/// trim, and leaves no room for a running head or folio.
const MIN_MARGIN: f32 = 5.0 * POINTS_PER_INCH / MM_PER_INCH;
/// Narrowest text block, in ems of the body size: about 40 characters, below which
/// justified lines open rivers and hyphenate on every line.
pub const MIN_MEASURE_EMS: f32 = 20.0;
/// Fewest lines a text block must hold: fewer leave no room to balance a page around
/// headings, figures and notes.
pub const MIN_LINES: f32 = 10.0;

/// The units a length may carry, with the points in one.
const UNITS: [(&str, f32); 5] = [
    ("mm", POINTS_PER_INCH / MM_PER_INCH),
    ("cm", 10.0 * POINTS_PER_INCH / MM_PER_INCH),
    ("in", POINTS_PER_INCH),
    ("pt", 1.0),
    ("pc", POINTS_PER_PICA),
];

/// Where `[typography]` came from, for locating its values.
pub(super) struct Source<'a> {
    /// The table as read.
    pub section: &'a TypographySection,
    /// `book.toml`'s path.
    pub path: &'a PathBuf,
    /// `book.toml`'s text.
    pub text: &'a str,
}

impl Source<'_> {
    /// A configuration error at the line of `key` in `[typography]`.
    fn error(&self, key: &str, message: String) -> Error {
        Error::Config {
            path: self.path.clone(),
            line: self.line(key),
            message,
        }
    }

    /// The line of `key` in `[typography]`; a margin (`margins.top`) is looked for in
    /// `[typography.margins]`, then as a dotted key, then at `margins = { … }`.
    fn line(&self, key: &str) -> Option<usize> {
        match key.strip_prefix("margins.") {
            Some(side) => toml_key_line(self.text, Some("typography.margins"), side)
                .or_else(|| toml_key_line(self.text, Some("typography"), key))
                .or_else(|| toml_key_line(self.text, Some("typography"), "margins")),
            None => toml_key_line(self.text, Some("typography"), key),
        }
    }

    /// The first of `keys` that the table sets, else `font-size`: the key to blame for a
    /// page that follows from several values.
    fn blame(&self, keys: &[&'static str]) -> &'static str {
        let t = self.section;
        let m = &t.margins;
        let set = |key: &str| match key {
            "font-size" => t.font_size.is_some(),
            "leading" => t.leading.is_some(),
            "margins.top" => m.top.is_some(),
            "margins.bottom" => m.bottom.is_some(),
            "margins.inner" => m.inner.is_some(),
            "margins.outer" => m.outer.is_some(),
            _ => false,
        };
        keys.iter()
            .copied()
            .find(|key| set(key))
            .unwrap_or("font-size")
    }
}

/// Resolve `[typography]` for a book of `shape` on `settings.paper`: the typography and
/// the figure style, or the first value that is wrong, at its line.
pub(super) fn resolve(
    source: &Source<'_>,
    settings: &Settings,
    shape: BookShape,
) -> Result<(Typography, Figures)> {
    let t = source.section;
    let font_size = match &t.font_size {
        None => None,
        Some(value) => {
            let size = points(value).map_err(|why| {
                source.error(
                    "font-size",
                    format!("font-size {why}; give the body size in points, such as 11"),
                )
            })?;
            if !(MIN_FONT_SIZE..=MAX_FONT_SIZE).contains(&size) {
                return Err(source.error(
                    "font-size",
                    format!(
                        "font-size {} is outside {MIN_FONT_SIZE}–{MAX_FONT_SIZE} pt, the range \
                         of body text (9 to 12 pt is usual)",
                        show(size)
                    ),
                ));
            }
            Some(size)
        }
    };
    let leading = match &t.leading {
        None => None,
        Some(value) => Some(points(value).map_err(|why| {
            source.error(
                "leading",
                format!(
                    "leading {why}; give the distance from baseline to baseline in points, \
                     such as 14"
                ),
            )
        })?),
    };
    let margin = |key: &str, value: &Option<toml::Value>| -> Result<Option<f32>> {
        let Some(value) = value else {
            return Ok(None);
        };
        let length = match value {
            toml::Value::String(text) => parse_length(text),
            toml::Value::Integer(_) | toml::Value::Float(_) => Err("has no unit".to_string()),
            other => Err(format!("is a {}, not a length", other.type_str())),
        }
        .map_err(|why| {
            source.error(
                key,
                format!(
                    "{key} {why}; write a length with its unit, such as \"18mm\", \"0.75in\", \
                     \"2cm\" or \"54pt\""
                ),
            )
        })?;
        if length < MIN_MARGIN {
            return Err(source.error(
                key,
                format!(
                    "{key} {} pt is under the smallest margin, 5 mm ({} pt): the printer's \
                     grip and the trim take that much",
                    show(length),
                    show(MIN_MARGIN)
                ),
            ));
        }
        Ok(Some(length))
    };
    let m = &t.margins;
    let margins = Margins {
        top: margin("margins.top", &m.top)?,
        bottom: margin("margins.bottom", &m.bottom)?,
        inner: margin("margins.inner", &m.inner)?,
        outer: margin("margins.outer", &m.outer)?,
    };
    let chapter_opening = match &t.chapter_opening {
        None => ChapterOpening::default(),
        Some(name) => ChapterOpening::from_name(name).ok_or_else(|| {
            source.error(
                "chapter-opening",
                format!("chapter-opening `{name}` is not one of right, any"),
            )
        })?,
    };
    let figures = match &t.figures {
        None => Figures::default(),
        Some(name) => Figures::from_name(name).ok_or_else(|| {
            source.error(
                "figures",
                format!("figures `{name}` is not one of old-style, lining"),
            )
        })?,
    };
    let typography = Typography {
        font_size,
        leading,
        margins,
        chapter_opening,
    };
    check_page(source, settings, typography, shape)?;
    Ok((typography, figures))
}

/// The page these values make on the book's paper, with the typesetter's defaults for
/// what is not given: leading no tighter than the type and no looser than double, a text
/// block of at least [`MIN_MEASURE_EMS`] ems and [`MIN_LINES`] lines.
fn check_page(
    source: &Source<'_>,
    settings: &Settings,
    typography: Typography,
    shape: BookShape,
) -> Result<()> {
    let g = PageGeometry::for_settings(&Settings {
        typography,
        ..settings.clone()
    })
    .for_shape(shape);
    let paper = settings.paper.display_name();
    if g.leading < g.body_size || g.leading > g.body_size * MAX_LEADING_RATIO {
        return Err(source.error(
            source.blame(&["leading", "font-size"]),
            format!(
                "leading {} pt does not suit {} pt type: it must be at least the type size \
                 (lines would touch) and at most twice it; about 1.2 to 1.45 times is usual",
                show(g.leading),
                show(g.body_size)
            ),
        ));
    }
    let ems = g.measure / g.body_size;
    if ems < MIN_MEASURE_EMS {
        return Err(source.error(
            source.blame(&["margins.inner", "margins.outer", "font-size"]),
            format!(
                "the text block would be {} pt wide on {paper} paper, {} em of {} pt type; \
                 lines need at least {MIN_MEASURE_EMS} em ({} pt) to set well: make the inner \
                 and outer margins smaller, or the type",
                show(g.measure),
                show(ems),
                show(g.body_size),
                show(MIN_MEASURE_EMS * g.body_size)
            ),
        ));
    }
    let lines = (g.text_height / g.leading).round();
    if lines < MIN_LINES {
        return Err(source.error(
            source.blame(&["margins.top", "margins.bottom", "leading", "font-size"]),
            format!(
                "the text block would hold {lines} lines of {} pt leading on {paper} paper; \
                 a page needs at least {MIN_LINES}: make the top and bottom margins smaller, \
                 or the leading",
                show(g.leading)
            ),
        ));
    }
    Ok(())
}

/// A size in points: a number, or a string with a unit (`"11pt"`, `"4mm"`).
fn points(value: &toml::Value) -> std::result::Result<f32, String> {
    match value {
        // A TOML integer converts exactly for any sensible size; the range check follows.
        toml::Value::Integer(n) => positive(*n as f32),
        toml::Value::Float(x) => positive(*x as f32),
        toml::Value::String(text) => parse_length(text),
        other => Err(format!("is a {}, not a number", other.type_str())),
    }
}

/// `x` if it is a positive finite number.
fn positive(x: f32) -> std::result::Result<f32, String> {
    if x.is_finite() && x > 0.0 {
        Ok(x)
    } else {
        Err(format!("{} is not a positive size", show(x)))
    }
}

/// A length with its unit (`"18mm"`, `"0.75 in"`, `"2cm"`, `"54pt"`, `"3pc"`), in points.
pub fn parse_length(text: &str) -> std::result::Result<f32, String> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let unit = unit.trim().to_ascii_lowercase();
    if unit.is_empty() {
        return Err(format!("`{text}` has no unit"));
    }
    let Some((_, scale)) = UNITS.iter().find(|(name, _)| *name == unit) else {
        return Err(format!(
            "`{text}` has unit `{unit}`, not one of mm, cm, in, pt, pc"
        ));
    };
    let value: f32 = number
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number followed by a unit"))?;
    positive(value * scale).map_err(|_| format!("`{text}` is not a positive length"))
}

/// A size for a message: at most two decimals, no trailing zeros.
fn show(x: f32) -> String {
    let text = format!("{x:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::config::BookConfig;

    /// Points in a millimetre, for expected values.
    const MM: f32 = POINTS_PER_INCH / MM_PER_INCH;

    #[test]
    fn lengths_carry_their_units() {
        let near = |text: &str, points: f32| {
            let got = parse_length(text).expect(text);
            assert!((got - points).abs() < 1e-3, "{text}: {got} ≠ {points}");
        };
        near("18mm", 18.0 * MM);
        near(" 2 cm ", 20.0 * MM);
        near("0.75in", 54.0);
        near("54pt", 54.0);
        near("54PT", 54.0);
        near("1pc", 12.0);
        near(".5in", 36.0);
        // 25.4 mm is an inch.
        near("25.4mm", 72.0);
        for bad in [
            "18",
            "18 furlongs",
            "mm",
            "-3mm",
            "0mm",
            "1e40in",
            "3..2mm",
            "",
        ] {
            assert!(parse_length(bad).is_err(), "{bad} accepted");
        }
        assert_eq!(
            parse_length("18").err().as_deref(),
            Some("`18` has no unit")
        );
        assert!(parse_length("2px")
            .err()
            .is_some_and(|e| e.contains("not one of mm, cm, in, pt, pc")));
    }

    /// Resolve `toml` (a whole `book.toml`) for an A5 book; the error as text.
    fn resolve_toml(toml: &str, shape: BookShape) -> std::result::Result<Typography, String> {
        resolve_with(toml, shape).map(|(t, _)| t)
    }

    fn resolve_with(
        toml: &str,
        shape: BookShape,
    ) -> std::result::Result<(Typography, Figures), String> {
        let config: BookConfig = toml::from_str(toml).map_err(|e| e.to_string())?;
        let path = PathBuf::from("book.toml");
        let source = Source {
            section: &config.typography,
            path: &path,
            text: toml,
        };
        resolve(&source, &Settings::default(), shape).map_err(|e| e.to_string())
    }

    #[test]
    fn no_table_is_every_default() {
        let (typography, figures) =
            resolve_with("[book]\ntitle = \"T\"\n", BookShape::Book).expect("defaults");
        assert_eq!(typography, Typography::default());
        assert_eq!(figures, Figures::OldStyle);
    }

    #[test]
    fn every_key_is_read() {
        let toml = "[typography]\nfont-size = 11\nleading = \"14pt\"\nchapter-opening = \"any\"\n\
                    figures = \"lining\"\n\n[typography.margins]\ntop = \"20mm\"\n\
                    bottom = \"2cm\"\ninner = \"0.75in\"\nouter = \"60pt\"\n";
        let (t, figures) = resolve_with(toml, BookShape::Book).expect("valid");
        assert_eq!(t.font_size, Some(11.0));
        assert_eq!(t.leading, Some(14.0));
        assert_eq!(t.chapter_opening, ChapterOpening::Any);
        assert_eq!(figures, Figures::Lining);
        let m = t.margins;
        assert!((m.top.unwrap_or_default() - 20.0 * MM).abs() < 1e-3);
        assert!((m.bottom.unwrap_or_default() - 20.0 * MM).abs() < 1e-3);
        assert_eq!((m.inner, m.outer), (Some(54.0), Some(60.0)));
        // An inline table and dotted keys say the same.
        let dotted = "[typography]\nmargins.inner = \"0.75in\"\nmargins.outer = \"60pt\"\n";
        let m = resolve_toml(dotted, BookShape::Book)
            .expect("dotted")
            .margins;
        assert_eq!((m.inner, m.outer, m.top), (Some(54.0), Some(60.0), None));
        let inline = "[typography]\nmargins = { inner = \"0.75in\", outer = \"60pt\" }\n";
        let m = resolve_toml(inline, BookShape::Book)
            .expect("inline")
            .margins;
        assert_eq!((m.inner, m.outer, m.top), (Some(54.0), Some(60.0), None));
    }

    #[test]
    fn bad_values_are_errors_at_their_line() {
        let error = |toml: &str| resolve_toml(toml, BookShape::Book).expect_err(toml);
        let e = error("[book]\ntitle = \"T\"\n\n[typography]\nfont-size = 30\n");
        assert!(e.starts_with("book.toml:5: "), "{e}");
        assert!(e.contains("font-size 30 is outside 7–16 pt"), "{e}");
        let e = error("[typography]\nfont-size = \"big\"\n");
        assert!(e.starts_with("book.toml:2: "), "{e}");
        assert!(e.contains("give the body size in points"), "{e}");
        let e = error("[typography]\nfont-size = true\n");
        assert!(e.contains("font-size is a boolean, not a number"), "{e}");
        let e = error("[typography]\nfont-size = 11\nleading = 10\n");
        assert!(e.starts_with("book.toml:3: "), "{e}");
        assert!(e.contains("leading 10 pt does not suit 11 pt type"), "{e}");
        // Leading below the paper's default size (A5: 10 pt) without a font-size.
        let e = error("[typography]\nleading = 9.5\n");
        assert!(e.contains("leading 9.5 pt does not suit 10 pt type"), "{e}");
        let e = error("[typography]\nleading = 30\n");
        assert!(e.contains("at most twice"), "{e}");
        let e = error("[typography]\n\n[typography.margins]\ntop = 18\n");
        assert!(e.starts_with("book.toml:4: "), "{e}");
        assert!(e.contains("margins.top has no unit"), "{e}");
        assert!(e.contains("\"18mm\""), "{e}");
        let e = error("[typography]\nmargins = { outer = \"2furlong\" }\n");
        assert!(e.starts_with("book.toml:2: "), "{e}");
        assert!(e.contains("unit `furlong`"), "{e}");
        let e = error("[typography]\nmargins.bottom = \"1mm\"\n");
        assert!(e.starts_with("book.toml:2: "), "{e}");
        assert!(e.contains("under the smallest margin, 5 mm"), "{e}");
        let e = error("[typography]\nchapter-opening = \"left\"\n");
        assert!(e.starts_with("book.toml:2: "), "{e}");
        assert!(
            e.contains("chapter-opening `left` is not one of right, any"),
            "{e}"
        );
        let e = error("[typography]\nfigures = \"roman\"\n");
        assert!(
            e.contains("figures `roman` is not one of old-style, lining"),
            "{e}"
        );
    }

    #[test]
    fn a_text_block_too_narrow_or_too_short_is_refused() {
        let error = |toml: &str| resolve_toml(toml, BookShape::Book).expect_err(toml);
        // A5 is 148 mm wide: 50 mm a side leaves 48 mm, 13.6 em of 10 pt.
        let e = error("[typography.margins]\ntop = \"20mm\"\ninner = \"50mm\"\nouter = \"50mm\"\n");
        assert!(e.starts_with("book.toml:3: "), "blames inner: {e}");
        assert!(e.contains("pt wide on A5 paper, 13.6"), "{e}");
        assert!(e.contains("at least 20 em (200 pt)"), "{e}");
        // One margin given: the other keeps its default and the check still holds.
        let e = error("[typography.margins]\nouter = \"80mm\"\n");
        assert!(e.starts_with("book.toml:2: "), "{e}");
        // 16 pt type on A5's default measure (310.5 pt) is 19.4 em: refused at font-size.
        let e = error("[typography]\nfont-size = 16\n");
        assert!(e.starts_with("book.toml:2: "), "{e}");
        assert!(e.contains("19.4 em of 16 pt type"), "{e}");
        // A5 is 210 mm tall: 95 mm top and bottom leave 20 mm, 4 lines of 14 pt.
        let e = error("[typography.margins]\ntop = \"95mm\"\nbottom = \"95mm\"\n");
        assert!(e.starts_with("book.toml:2: "), "{e}");
        assert!(e.contains("would hold 4 lines of 14 pt leading"), "{e}");
        // Just enough: 20 em of 10 pt, with the text block narrowed by the margins only.
        let ok = "[typography.margins]\ninner = \"100pt\"\nouter = \"119pt\"\n";
        assert!(resolve_toml(ok, BookShape::Book).is_ok());
        // Big margins and 12 pt type on A5 still make a page.
        let ok = "[typography]\nfont-size = 12\n[typography.margins]\ntop = \"25mm\"\n\
                  bottom = \"30mm\"\ninner = \"20mm\"\nouter = \"25mm\"\n";
        assert!(resolve_toml(ok, BookShape::Article).is_ok());
    }

    #[test]
    fn unknown_keys_are_refused_with_the_known_ones() {
        let e = toml::from_str::<BookConfig>("[typography]\nfont_size = 11\n")
            .expect_err("typo")
            .to_string();
        assert!(e.contains("unknown field `font_size`"), "{e}");
        assert!(e.contains("`font-size`"), "{e}");
        let e = toml::from_str::<BookConfig>("[typography.margins]\nleft = \"2cm\"\n")
            .expect_err("typo")
            .to_string();
        assert!(e.contains("unknown field `left`"), "{e}");
        assert!(e.contains("`inner`"), "{e}");
    }
}
