//! Diagnostics and errors as a writer reads them, like rustc's and Typst's: the place
//! (`file:line:col`, the form editors and terminals link), the source line with a caret
//! under the problem, and the hint.
//!
//! ```text
//! error: book/book.toml:3:1: unknown key `titel` in [book]
//!   |
//! 3 | titel = "My Book"
//!   | ^^^^^
//!   |
//!   = help: did you mean `title`?
//! ```
//!
//! The first line is the whole one-line report ([`Diagnostic`]'s `Display`), so a tool or a
//! `grep` that reads one line per problem still gets everything but the picture. The
//! snippet comes from `annotate-snippets`, the crate rustc renders with: it measures
//! wide and combining characters so the caret stands under the right character.

use std::path::Path;

use annotate_snippets::{Level, Renderer, Snippet};

use presswork::{Diagnostic, Error, Severity, SourcePos};

/// The text of a source file, read at report time: the file a diagnostic names came from
/// the book being built, so it is read again only to show its line. `None` when it cannot
/// be read (the report then has no snippet).
pub fn read_source(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

/// `diagnostic` as a report of one or more lines ending without a newline: its one-line
/// form, then the source line from `source` with a caret under the column, then the hint.
/// `color` adds ANSI colours (the caller decides: a terminal, and no `NO_COLOR`).
pub fn render_diagnostic(
    diagnostic: &Diagnostic,
    source: &dyn Fn(&Path) -> Option<String>,
    color: bool,
) -> String {
    render(diagnostic, Underline::Token, source, color)
}

/// `error` as [`render_diagnostic`] renders a diagnostic: its one-line message, then the
/// `error` as [`render_diagnostic`] renders a diagnostic: its one-line message, then the
/// source line and a caret when the error knows where it comes from, then the hint.
pub fn render_error(
    error: &Error,
    source: &dyn Fn(&Path) -> Option<String>,
    color: bool,
) -> String {
    if let Error::Invalid(diagnostic) = error {
        return render(diagnostic, Underline::Token, source, color);
    }
    // The error's own one-line form is the title; its place, when it knows one, shows the
    // line. A configuration error knows only the line: what is written on it is underlined.
    let (at, underline) = match error {
        Error::Config {
            path,
            line: Some(line),
            ..
        } => (Some((path, *line, 1)), Underline::Line),
        Error::Image { at, .. } => (Some((&at.file, at.line, at.column)), Underline::Token),
        Error::NotUtf8 {
            path, line, column, ..
        } => (Some((path, *line, *column)), Underline::Token),
        _ => (None, Underline::Token),
    };
    let diagnostic = Diagnostic {
        severity: Severity::Error,
        at: at.map(|(file, line, column)| SourcePos {
            file: file.clone(),
            line,
            column,
        }),
        message: match error {
            // Its Display says "invalid book configuration"; the place and the message say it.
            Error::Config {
                path,
                line: Some(line),
                message,
            } => format!("{}: {message}", error_location(path, *line)),
            other => other.to_string(),
        },
        hint: None,
    };
    if let Error::NotUtf8 { .. } = error {
        // The line itself is not UTF-8: read it lossily so it can still be shown.
        let lossy = |path: &Path| {
            std::fs::read(path)
                .ok()
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .or_else(|| source(path))
        };
        return render_titled(&diagnostic, underline, &lossy, color);
    }
    render_titled(&diagnostic, underline, source, color)
}

/// `path:line`, as [`Error::Config`] prints it.
fn error_location(path: &Path, line: usize) -> String {
    format!("{}:{line}", path.display())
}

/// How much of the line the caret marks.
#[derive(Clone, Copy)]
enum Underline {
    /// From the column to the end of the word or quoted string there.
    Token,
    /// The line's text without its indentation (only the line is known).
    Line,
}

/// Render with the one-line form (location, message) as the title.
fn render(
    diagnostic: &Diagnostic,
    underline: Underline,
    source: &dyn Fn(&Path) -> Option<String>,
    color: bool,
) -> String {
    let mut titled = diagnostic.clone();
    if let Some(at) = &diagnostic.at {
        titled.message = format!("{at}: {}", diagnostic.message);
    }
    render_titled(&titled, underline, source, color)
}

/// Render `diagnostic`, whose message is already the whole title line.
fn render_titled(
    diagnostic: &Diagnostic,
    underline: Underline,
    source: &dyn Fn(&Path) -> Option<String>,
    color: bool,
) -> String {
    let level = match diagnostic.severity {
        Severity::Warning => Level::Warning,
        Severity::Error => Level::Error,
    };
    let line_text = diagnostic.at.as_ref().and_then(|at| {
        let text = source(&at.file)?;
        let line = text.lines().nth(at.line.checked_sub(1)?)?.to_string();
        Some((at, line))
    });
    let mut message = level.title(&diagnostic.message);
    let span;
    if let Some((at, line)) = &line_text {
        span = caret_span(line, at.column, underline);
        message = message.snippet(
            Snippet::source(line)
                .line_start(at.line)
                // annotate-snippets 0.11 draws a warning's span with `-` and an error's with
                // `^`; the problem is the primary span either way, so it gets the caret.
                .annotation(Level::Error.span(span.clone())),
        );
    }
    if let Some(hint) = &diagnostic.hint {
        message = message.footer(Level::Help.title(hint));
    }
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let rendered = renderer.render(message).to_string();
    rendered
}

/// The byte range of `line` the caret goes under: from the character at 1-based `column`
/// (the line's end when it is shorter) to the end of the token there, at least one
/// character.
fn caret_span(line: &str, column: usize, underline: Underline) -> std::ops::Range<usize> {
    if let Underline::Line = underline {
        let start = line.len() - line.trim_start().len();
        let end = line.trim_end().len().max(start);
        if end > start {
            return start..end;
        }
    }
    let start = line
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line.len(), |(i, _)| i);
    let rest = &line[start..];
    if let Some(length) = markdown_link_length(rest) {
        return start..start + length;
    }
    let length = match rest.chars().next() {
        None => 0,
        Some(quote @ ('"' | '\'')) => rest[1..]
            .find(quote)
            .map_or(rest.trim_end().len(), |end| end + 2),
        Some(_) => rest
            .find(|c: char| c.is_whitespace() || c == '=' || c == ',' || c == ']')
            .unwrap_or(rest.len())
            .max(rest.chars().next().map_or(0, char::len_utf8)),
    };
    start..start + length
}

/// The length of a Markdown image or link (`![alt](path)`, `[text](url)`) at the start of
/// `text`, when it closes on this line: the whole reference is what the writer must fix.
fn markdown_link_length(text: &str) -> Option<usize> {
    let body = text.strip_prefix('!').unwrap_or(text);
    if !body.starts_with('[') {
        return None;
    }
    let destination = body.find("](")?;
    let close = body[destination..].find(')')? + destination;
    Some(text.len() - body.len() + close + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn source_of(text: &'static str) -> impl Fn(&Path) -> Option<String> {
        move |_| Some(text.to_string())
    }

    fn at(line: usize, column: usize) -> SourcePos {
        SourcePos {
            file: PathBuf::from("book/book.toml"),
            line,
            column,
        }
    }

    #[test]
    fn the_caret_stands_under_the_column_with_the_hint_below() {
        let diagnostic = Diagnostic::warning("unknown key `titel` in [book]")
            .at(at(2, 1))
            .hint("did you mean `title`?");
        let text = render_diagnostic(&diagnostic, &source_of("[book]\ntitel = \"x\"\n"), false);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "warning: book/book.toml:2:1: unknown key `titel` in [book]"
        );
        let source = lines
            .iter()
            .position(|l| l.ends_with("titel = \"x\""))
            .expect("source line");
        assert!(lines[source].starts_with("2 |"), "{text}");
        // The caret line: `titel` is five characters, from the source text's column.
        let text_start = lines[source].find("titel").expect("titel");
        let carets = lines[source + 1];
        assert_eq!(carets.find('^'), Some(text_start), "{text}");
        assert_eq!(carets.trim_end().rfind('^'), Some(text_start + 4), "{text}");
        assert!(text.contains("= help: did you mean `title`?"), "{text}");
        assert!(!text.contains('\u{1b}'), "no colour: {text:?}");
    }

    #[test]
    fn colour_only_when_asked() {
        let diagnostic = Diagnostic::warning("bad").at(at(1, 1));
        let coloured = render_diagnostic(&diagnostic, &source_of("x = 1"), true);
        assert!(coloured.contains("\u{1b}["), "{coloured:?}");
        let plain = render_diagnostic(&diagnostic, &source_of("x = 1"), false);
        assert!(!plain.contains('\u{1b}'), "{plain:?}");
    }

    #[test]
    fn the_caret_counts_characters_on_a_multi_byte_line() {
        // Column 9 is `x` after "« Été » " (accented letters and guillemets, 2 bytes each).
        let line = "« Été » x = 1";
        assert_eq!(line.chars().nth(8), Some('x'));
        let diagnostic = Diagnostic::warning("here").at(at(1, 9));
        let text = render_diagnostic(&diagnostic, &source_of(line), false);
        let lines: Vec<&str> = text.lines().collect();
        let source = lines
            .iter()
            .position(|l| l.ends_with(line))
            .expect("source line");
        let prefix = lines[source].len() - line.len();
        let carets = lines[source + 1];
        // Each character here is one column wide: eight of them stand before the caret.
        assert_eq!(carets.find('^'), Some(prefix + 8), "{text}");
        assert_eq!(carets.matches('^').count(), 1, "{text}");
    }

    #[test]
    fn a_missing_source_gives_the_one_line_report_and_hint() {
        let diagnostic = Diagnostic::warning("gone").at(at(3, 1)).hint("look");
        let text = render_diagnostic(&diagnostic, &|_| None, false);
        assert!(
            text.starts_with("warning: book/book.toml:3:1: gone"),
            "{text}"
        );
        assert!(text.contains("help: look"), "{text}");
        assert!(!text.contains(" | "), "{text}");
    }

    #[test]
    fn a_config_error_underlines_its_line() {
        let error = Error::Config {
            path: "book.toml".into(),
            line: Some(2),
            message: "layout `pamphlet` is not one of book, article".into(),
        };
        let text = render_error(
            &error,
            &source_of("[build]\n  layout = \"pamphlet\"\n"),
            false,
        );
        assert!(
            text.starts_with("error: book.toml:2: layout `pamphlet` is not one of"),
            "{text}"
        );
        let lines: Vec<&str> = text.lines().collect();
        let source = lines
            .iter()
            .position(|l| l.ends_with("layout = \"pamphlet\""))
            .expect("source line");
        let start = lines[source].find("layout").expect("key");
        assert_eq!(lines[source + 1].find('^'), Some(start), "{text}");
        assert_eq!(
            lines[source + 1].matches('^').count(),
            "layout = \"pamphlet\"".len()
        );
    }

    #[test]
    fn a_quoted_value_is_underlined_whole() {
        assert_eq!(
            caret_span("authors = \"Jane Doe\"", 11, Underline::Token),
            10..20
        );
        assert_eq!(caret_span("titel = 1", 1, Underline::Token), 0..5);
        assert_eq!(caret_span("ab", 9, Underline::Token), 2..2);
        let image = "See ![a photo](images/sunet.jpg) here";
        let span = caret_span(image, 5, Underline::Token);
        assert_eq!(&image[span], "![a photo](images/sunet.jpg)");
        let link = "[text](#nowhere).";
        assert_eq!(
            &link[caret_span(link, 1, Underline::Token)],
            "[text](#nowhere)"
        );
    }
}
