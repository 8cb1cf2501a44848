//! A `book.toml` (or `+++` front matter) that does not read, explained in a writer's words.
//!
//! The TOML parser and serde speak of "sequences", "maps" and "u8", and squash the place into
//! caret art. Here the error becomes a [`Diagnostic`] at the exact line and column, naming
//! the key and the table, with a hint that shows the fix: "did you mean `title`?" for an
//! unknown key, `authors = ["Jane Doe"]` when a string was given for a list.
//!
//! serde's messages have a fixed shape (`unknown field `x`, expected one of …`, `invalid type:
//! string "x", expected a sequence`): they are read here, and any other message (a TOML
//! syntax error) is passed on, located, with its advice as the hint.

use std::path::Path;

use crate::error::{Diagnostic, Error, SourcePos};
use crate::suggest::did_you_mean;

/// Where the TOML came from, to name it in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TomlSource {
    /// A `book.toml` file: keys live in tables (`[book]`, `[build]`, …).
    BookToml,
    /// `+++` front matter atop a manuscript: the `[book]` keys at the top level.
    FrontMatter,
}

/// The error `error` (from parsing `text`, which starts at line `first_line` of `path`) as
/// an [`Error::Invalid`] in plain words.
pub fn explain(
    error: &toml::de::Error,
    path: &Path,
    text: &str,
    first_line: usize,
    source: TomlSource,
) -> Error {
    let offset = error.span().map_or(0, |span| span.start.min(text.len()));
    let (line, column) = line_and_column(text, offset);
    let line_text = text.lines().nth(line - 1).unwrap_or("");
    let table = table_at(text, line);
    let place = match (&table, source) {
        (Some(table), _) => format!("[{table}]"),
        (None, TomlSource::BookToml) => "the top level of book.toml".to_string(),
        (None, TomlSource::FrontMatter) => "the front matter".to_string(),
    };
    let message = error.message().trim();
    let key = key_on_line(line_text);
    let (what, hint) = if let Some(rest) = message.strip_prefix("unknown field `") {
        unknown_key(rest, &place, table.as_deref(), source)
    } else if let Some(rest) = message.strip_prefix("invalid type: ") {
        wrong_type(rest, key.as_deref(), line_text)
    } else if let Some(rest) = message.strip_prefix("invalid value: ") {
        let (found, expected) = split_expected(rest);
        (
            format!(
                "`{}` cannot be {}: it must be {}",
                key.as_deref().unwrap_or("this value"),
                plain_found(found),
                plain_expected(expected)
            ),
            None,
        )
    } else if message.starts_with("duplicate key") {
        (
            format!(
                "`{}` is set twice in {place}",
                key.as_deref().unwrap_or("a key")
            ),
            Some("keep one of the two lines".to_string()),
        )
    } else {
        syntax(message)
    };
    let mut diagnostic = Diagnostic::error(what).at(SourcePos {
        file: path.to_path_buf(),
        line: line + first_line - 1,
        column,
    });
    if let Some(hint) = hint {
        diagnostic = diagnostic.hint(hint);
    }
    Error::Invalid(Box::new(diagnostic))
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = (0..=offset)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    (line, before[line_start..].chars().count() + 1)
}

/// The table whose header is the last one at or above 1-based `line` (`[[x]]` as `x`).
fn table_at(text: &str, line: usize) -> Option<String> {
    text.lines()
        .take(line)
        .filter_map(|l| {
            let l = l.trim();
            let name = l.strip_prefix('[')?.trim_start_matches('[');
            let name = name.split(']').next()?.trim();
            Some(name.to_string())
        })
        .last()
}

/// The key of a `key = value` line, unquoted.
fn key_on_line(line: &str) -> Option<String> {
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
    (!key.is_empty() && !key.starts_with('[')).then(|| key.to_string())
}

/// `x`, expected one of `a`, `b` → message and hint for an unknown key.
fn unknown_key(
    rest: &str,
    place: &str,
    table: Option<&str>,
    source: TomlSource,
) -> (String, Option<String>) {
    let name = rest.split('`').next().unwrap_or(rest);
    let known: Vec<&str> = rest
        .split_once("expected")
        .map(|(_, list)| list.split('`').skip(1).step_by(2).collect())
        .unwrap_or_default();
    let message = format!("unknown key `{name}` in {place}");
    let metadata_at_top = table.is_none() && source == TomlSource::BookToml && is_book_key(name);
    let hint = if metadata_at_top {
        Some(format!(
            "`{name}` belongs in the [book] table: put it below a `[book]` line"
        ))
    } else if let Some(near) = did_you_mean(name, &known) {
        Some(format!("did you mean `{near}`?"))
    } else if known.is_empty() {
        None
    } else {
        Some(format!(
            "the keys here are {}",
            known
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    };
    (message, hint)
}

/// Whether `name` is a key of the `[book]` table.
fn is_book_key(name: &str) -> bool {
    super::config::METADATA_FIELDS.contains(&name)
}

/// `string "Jane", expected a sequence` → message and hint for a value of the wrong kind.
fn wrong_type(rest: &str, key: Option<&str>, line: &str) -> (String, Option<String>) {
    let (found, expected) = split_expected(rest);
    let key_name = key.unwrap_or("this value");
    let message = format!(
        "`{key_name}` must be {}, not {}",
        plain_expected(expected),
        plain_found(found)
    );
    let value = line
        .split_once('=')
        .map(|(_, value)| value.trim())
        .unwrap_or("");
    let value = strip_comment(value);
    let hint = match (kind_of_expected(expected), kind_of_found(found), key) {
        (Kind::List, Kind::Text, Some(key)) => Some(format!("write `{key} = [{value}]`")),
        (Kind::List, Kind::Number | Kind::Bool, Some(key)) => {
            Some(format!("write `{key} = [\"{value}\"]`"))
        }
        (Kind::Text, Kind::Number | Kind::Bool, Some(key)) => {
            Some(format!("write `{key} = \"{value}\"`"))
        }
        (Kind::Number, Kind::Text, Some(key)) => {
            let unquoted = value.trim_matches(|c| c == '"' || c == '\'');
            unquoted
                .parse::<f64>()
                .is_ok()
                .then(|| format!("write the number without quotes: `{key} = {unquoted}`"))
        }
        (Kind::Bool, _, Some(key)) => Some(format!("write `{key} = true` or `{key} = false`")),
        _ => None,
    };
    (message, hint)
}

/// A value without a trailing `# comment` (outside quotes).
fn strip_comment(value: &str) -> &str {
    let mut quote = None;
    for (i, c) in value.char_indices() {
        match (c, quote) {
            ('"' | '\'', None) => quote = Some(c),
            (c, Some(q)) if c == q => quote = None,
            ('#', None) => return value[..i].trim_end(),
            _ => {}
        }
    }
    value
}

/// serde's `FOUND, expected EXPECTED`.
fn split_expected(rest: &str) -> (&str, &str) {
    rest.split_once(", expected ")
        .map_or((rest, "another kind of value"), |(found, expected)| {
            (found.trim(), expected.trim())
        })
}

/// The kinds of TOML value a writer knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Text in quotes.
    Text,
    /// A list in brackets.
    List,
    /// A number.
    Number,
    /// `true` or `false`.
    Bool,
    /// A table.
    Table,
    /// Something else.
    Other,
}

/// serde's name of what was expected → its kind.
fn kind_of_expected(expected: &str) -> Kind {
    let e = expected.to_ascii_lowercase();
    if e.contains("sequence") || e.contains("array") || e.contains("vec") {
        Kind::List
    } else if e.contains("string") || e.contains("char") {
        Kind::Text
    } else if e.contains("bool") {
        Kind::Bool
    } else if e.contains("map") || e.contains("struct") || e.contains("table") {
        Kind::Table
    } else if e.contains("integer")
        || e.contains("float")
        || e.contains("number")
        || is_rust_number(&e)
    {
        Kind::Number
    } else {
        Kind::Other
    }
}

/// `u8`, `i64`, `f32` …: serde names Rust's number types when it expected a number.
fn is_rust_number(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some('u' | 'i' | 'f'))
        && chars.as_str().chars().all(|c| c.is_ascii_digit())
        && name.len() > 1
}

/// serde's name of what was found → its kind.
fn kind_of_found(found: &str) -> Kind {
    let word = found.split_whitespace().next().unwrap_or("");
    match word {
        "string" | "char" => Kind::Text,
        "sequence" => Kind::List,
        "integer" | "float" => Kind::Number,
        "boolean" => Kind::Bool,
        "map" => Kind::Table,
        _ => Kind::Other,
    }
}

/// What was expected, in a writer's words.
fn plain_expected(expected: &str) -> String {
    match kind_of_expected(expected) {
        Kind::Text => "text in quotes".into(),
        Kind::List => "a list in brackets, such as [\"…\", \"…\"]".into(),
        Kind::Number if expected.starts_with('u') || expected.contains("integer") => {
            "a whole number".into()
        }
        Kind::Number => "a number".into(),
        Kind::Bool => "true or false".into(),
        Kind::Table => "a table".into(),
        Kind::Other => expected.trim_start_matches("a ").to_string(),
    }
}

/// What was found, in a writer's words: `string "Jane"` → `the text "Jane"`.
fn plain_found(found: &str) -> String {
    let (word, value) = found.split_once(' ').unwrap_or((found, ""));
    let value = value.trim().trim_matches('`');
    match kind_of_found(found) {
        Kind::Text => format!("the text {value}"),
        Kind::List => "a list".into(),
        Kind::Number => format!("the number {value}"),
        Kind::Bool => value.to_string(),
        Kind::Table => "a table".into(),
        Kind::Other if word.is_empty() => "this".into(),
        Kind::Other => found.to_string(),
    }
}

/// A TOML syntax error: its first line as the message, the parser's advice as the hint.
fn syntax(message: &str) -> (String, Option<String>) {
    let mut lines = message.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("not valid TOML");
    let advice: Vec<&str> = lines.collect();
    let hint = if advice.is_empty() {
        "TOML is `key = \"text\"`, `key = 1`, `key = [\"a\", \"b\"]`, with tables as `[book]`"
            .to_string()
    } else {
        advice.join("; ")
    };
    (
        format!("book settings do not read as TOML: {first}"),
        Some(hint),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::config::BookConfig;

    /// The diagnostic `book.toml` `text` gives.
    fn diagnose(text: &str) -> Diagnostic {
        let error = toml::from_str::<BookConfig>(text).expect_err("should not read");
        match explain(
            &error,
            Path::new("book.toml"),
            text,
            1,
            TomlSource::BookToml,
        ) {
            Error::Invalid(diagnostic) => *diagnostic,
            other => panic!("not located: {other}"),
        }
    }

    fn position(d: &Diagnostic) -> (usize, usize) {
        let at = d.at.as_ref().expect("located");
        (at.line, at.column)
    }

    #[test]
    fn an_unknown_key_is_named_with_its_table_and_the_near_key() {
        let d = diagnose("[book]\ntitle = \"T\"\ntitel = \"x\"\n");
        assert_eq!(d.message, "unknown key `titel` in [book]");
        assert_eq!(d.hint.as_deref(), Some("did you mean `title`?"));
        assert_eq!(position(&d), (3, 1));
    }

    #[test]
    fn a_far_unknown_key_lists_the_keys() {
        let d = diagnose("[typography]\ncolour = \"red\"\n");
        assert_eq!(d.message, "unknown key `colour` in [typography]");
        let hint = d.hint.expect("hint");
        assert!(
            hint.contains("`font-size`") && hint.contains("`leading`"),
            "{hint}"
        );
    }

    #[test]
    fn metadata_at_the_top_level_is_sent_to_book() {
        let d = diagnose("title = \"x\"\n");
        assert_eq!(
            d.message,
            "unknown key `title` in the top level of book.toml"
        );
        assert!(d.hint.expect("hint").contains("[book]"));
    }

    #[test]
    fn a_string_for_a_list_shows_the_list() {
        let d = diagnose("[book]\nauthors = \"Jane Doe\" # the author\n");
        assert_eq!(
            d.message,
            "`authors` must be a list in brackets, such as [\"…\", \"…\"], not the text \"Jane Doe\""
        );
        assert_eq!(d.hint.as_deref(), Some("write `authors = [\"Jane Doe\"]`"));
        assert_eq!(position(&d).0, 2);
        assert!(!d.message.contains("sequence"));
    }

    #[test]
    fn a_number_for_text_and_text_for_a_number() {
        let d = diagnose("[book]\ntitle = 1984\n");
        assert_eq!(
            d.message,
            "`title` must be text in quotes, not the number 1984"
        );
        assert_eq!(d.hint.as_deref(), Some("write `title = \"1984\"`"));
        let d = diagnose("[build]\nsplit-level = \"2\"\n");
        assert_eq!(
            d.message,
            "`split-level` must be a whole number, not the text \"2\""
        );
        assert_eq!(
            d.hint.as_deref(),
            Some("write the number without quotes: `split-level = 2`")
        );
        assert_eq!(position(&d), (2, 15));
    }

    #[test]
    fn a_number_out_of_range_says_what_fits() {
        let d = diagnose("[build]\nsplit-level = 300\n");
        assert!(
            d.message
                .starts_with("`split-level` cannot be the number 300"),
            "{}",
            d.message
        );
        assert!(d.message.contains("whole number"), "{}", d.message);
    }

    #[test]
    fn a_syntax_error_is_located_with_advice() {
        let d = diagnose("[book]\ntitle = My Book\n");
        assert!(
            d.message.starts_with("book settings do not read as TOML"),
            "{}",
            d.message
        );
        assert_eq!(position(&d).0, 2);
        assert!(d.hint.is_some());
        let d = diagnose("[book]\ntitle = \"a\"\ntitle = \"b\"\n");
        assert_eq!(position(&d).0, 3);
        assert_eq!(d.message, "`title` is set twice in [book]");
    }

    #[test]
    fn front_matter_lines_count_from_the_file() {
        let text = "title = \"T\"\nauthor = \"x\"\n";
        let error = toml::from_str::<crate::load::config::BookSection>(text).expect_err("unknown");
        let Error::Invalid(d) =
            explain(&error, Path::new("a.md"), text, 2, TomlSource::FrontMatter)
        else {
            panic!("not located")
        };
        assert_eq!(d.message, "unknown key `author` in the front matter");
        assert_eq!(d.hint.as_deref(), Some("did you mean `authors`?"));
        assert_eq!(position(&d), (3, 1));
    }

    #[test]
    fn columns_count_characters() {
        assert_eq!(line_and_column("a\n« é » x", 9), (2, 5));
        assert_eq!(line_and_column("abc", 0), (1, 1));
    }
}
