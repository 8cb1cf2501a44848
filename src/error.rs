//! Typed errors for the whole library. Only `main` turns them into a report and an exit code.

use std::path::PathBuf;

/// Where in a source file something was found. Lines and columns count from 1.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// `book.toml` or the front matter is malformed.
    #[error("{path}: invalid book configuration: {message}")]
    Config {
        /// The configuration file (or manuscript holding front matter).
        path: PathBuf,
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
    /// The EPUB back end failed.
    #[error("EPUB: {0}")]
    Epub(String),
    /// The PDF back end failed.
    #[error("PDF: {0}")]
    Pdf(String),
    /// The output could not be written.
    #[error("{path}: cannot write output: {source}")]
    Write {
        /// The output path.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
}

/// Result alias used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Warnings collected during a build; they go to stderr and do not fail the build
/// unless the user asks for `--strict`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Diagnostics {
    /// The warnings in the order they were found.
    pub warnings: Vec<String>,
}

impl Diagnostics {
    /// Record a warning (duplicates are kept once).
    pub fn warn(&mut self, message: impl Into<String>) {
        let message = message.into();
        if !self.warnings.contains(&message) {
            self.warnings.push(message);
        }
    }
}
