//! Typed errors for the whole library. Only `main` turns them into a report and an exit code.

use std::path::PathBuf;

/// Where in a source file something was found. Lines and columns count from 1.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SourcePos {
    /// The file the position refers to.
    pub file: PathBuf,
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl std::fmt::Display for SourcePos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// Everything that can stop a build.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input file or folder could not be read.
    #[error("{path}: cannot read: {source}")]
    Read {
        /// What we tried to read.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// The input is not UTF-8 text.
    #[error("{path}:{line}:{column}: not valid UTF-8 at byte {offset}; save the file as UTF-8")]
    NotUtf8 {
        /// The offending file.
        path: PathBuf,
        /// Byte offset of the first invalid sequence.
        offset: usize,
        /// 1-based line of that byte.
        line: usize,
        /// 1-based column (in characters of the valid text before it) of that byte.
        column: usize,
    },
    /// The input path is neither a book folder nor a Markdown file.
    #[error("{path}: not a book folder (with book.toml or .md files) or a .md file")]
    NotABook {
        /// The path given on the command line.
        path: PathBuf,
    },
    /// `book.toml`, `SUMMARY.md` or the front matter is malformed.
    #[error("{}: invalid book configuration: {message}", located(path, *line))]
    Config {
        /// The configuration file (or manuscript holding front matter) the wrong value is in.
        path: PathBuf,
        /// 1-based line of the problem in that file, when known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// An image reference could not be resolved or is not allowed.
    #[error("{at}: image `{reference}`: {reason}")]
    Image {
        /// Where the reference is in the manuscript.
        at: SourcePos,
        /// The reference as written.
        reference: String,
        /// Why it was refused.
        reason: String,
    },
    /// The manuscript is structurally unusable (for example empty).
    #[error("{path}: {message}")]
    Manuscript {
        /// The manuscript file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A value is wrong at a known place (line and column), with advice for the writer: a
    /// `book.toml` that does not read is reported this way, in plain words rather than the
    /// TOML parser's.
    #[error("{0}")]
    Invalid(Box<Diagnostic>),
    /// The EPUB back end failed.
    #[error("EPUB: {0}")]
    Epub(String),
    /// The PDF back end failed.
    #[error("PDF: {0}")]
    Pdf(String),
    /// Writing a renderer's output into the sink it was given failed (the caller, which
    /// knows where the sink leads, reports it as [`Error::Write`]).
    #[error("cannot write output: {0}")]
    Output(std::io::Error),
    /// The output could not be written.
    #[error("{path}: cannot write output: {source}")]
    Write {
        /// The output path.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
}

/// `path` or `path:line`, the form editors and terminals link.
fn located(path: &std::path::Path, line: Option<usize>) -> String {
    match line {
        Some(line) => format!("{}:{line}", path.display()),
        None => path.display().to_string(),
    }
}

/// Result alias used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How serious a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The build goes on; `--strict` turns it into a failure.
    Warning,
    /// The output would be wrong; the build fails once every problem has been reported.
    Error,
}

/// One problem found in a build: what, where, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    /// How serious it is.
    pub severity: Severity,
    /// Where its cause is in the sources, when known (a chapter file, `book.toml`, …).
    pub at: Option<SourcePos>,
    /// What is wrong, in one sentence.
    pub message: String,
    /// What the writer can do about it.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A warning with no location.
    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            at: None,
            message: message.into(),
            hint: None,
        }
    }

    /// An error: the build fails (carried by [`Error::Invalid`]).
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            ..Diagnostic::warning(message)
        }
    }

    /// Attach the place the problem comes from.
    pub fn at(mut self, at: SourcePos) -> Self {
        self.at = Some(at);
        self
    }

    /// Attach advice for the writer.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl std::fmt::Display for Diagnostic {
    /// `file:line:col: message (hint: …)`, the form editors and terminals link.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(at) = &self.at {
            write!(f, "{at}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

/// Warnings collected during a build; they go to stderr and do not fail the build
/// unless the user asks for `--strict`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Diagnostics {
    /// The warnings in the order they were found.
    pub warnings: Vec<Diagnostic>,
    /// The same, to keep duplicates out in constant time: a hostile manuscript may bring
    /// hundreds of thousands of located warnings, and a linear search per warning is
    /// quadratic.
    seen: std::collections::HashSet<Diagnostic>,
}

impl Diagnostics {
    /// Record a warning with no known location (duplicates are kept once).
    pub fn warn(&mut self, message: impl Into<String>) {
        self.push(Diagnostic::warning(message));
    }

    /// Record a warning caused at `at` in the sources.
    pub fn warn_at(&mut self, at: SourcePos, message: impl Into<String>) {
        self.push(Diagnostic::warning(message).at(at));
    }

    /// Record a diagnostic (an identical one already recorded is kept once).
    pub fn push(&mut self, diagnostic: Diagnostic) {
        if self.seen.insert(diagnostic.clone()) {
            self.warnings.push(diagnostic);
        }
    }

    /// Move every diagnostic of `other` into `self`, in order.
    pub fn extend(&mut self, other: Diagnostics) {
        for diagnostic in other.warnings {
            self.push(diagnostic);
        }
    }

    /// Whether any warning's text (location included) contains `needle`; for tests and tools.
    pub fn mentions(&self, needle: &str) -> bool {
        self.warnings.iter().any(|w| w.to_string().contains(needle))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostic_prints_location_message_and_hint() {
        let at = SourcePos {
            file: "book/a.md".into(),
            line: 3,
            column: 7,
        };
        let d = Diagnostic::warning("footnote `x` is never defined")
            .at(at)
            .hint("define it with `[^x]: …`");
        assert_eq!(
            d.to_string(),
            "book/a.md:3:7: footnote `x` is never defined (hint: define it with `[^x]: …`)"
        );
    }

    #[test]
    fn identical_warnings_are_kept_once() {
        let mut diagnostics = Diagnostics::default();
        diagnostics.warn("a");
        diagnostics.warn("a");
        diagnostics.warn("b");
        assert_eq!(diagnostics.warnings.len(), 2);
        assert!(diagnostics.mentions("b"));
    }
}
