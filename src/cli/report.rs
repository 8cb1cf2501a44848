//! Everything the command line prints: warnings and errors (rendered by [`super::render`]
//! with the source line and a caret), written paths, notes and stage timings, each at the
//! level `-q` / `-v` ask for.

use std::fmt::Display;
use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

use presswork::{Diagnostic, Error};

use super::render::{read_source, render_diagnostic, render_error};

/// How much to say, from the global `-q` / `-v` flags, and whether in colour.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reporter {
    /// `-q`: errors only (no warnings, no paths, no timings).
    pub quiet: bool,
    /// `-v`: per-stage timings as well.
    pub verbose: bool,
    /// ANSI colours in diagnostics: standard error is a terminal and `NO_COLOR` is unset.
    pub color: bool,
}

impl Reporter {
    /// A reporter for the flags given; colour is decided here, once (no-color.org: any
    /// non-empty `NO_COLOR` turns it off; a pipe or a file never gets it).
    pub fn new(quiet: bool, verbose: bool) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
        Reporter {
            quiet,
            verbose,
            color: !no_color && std::io::stderr().is_terminal(),
        }
    }

    /// Print warnings (unless quiet), each with its source line when it has a location.
    pub fn warnings(&self, warnings: &[Diagnostic]) {
        if self.quiet {
            return;
        }
        for warning in warnings {
            eprintln!("{}", render_diagnostic(warning, &read_source, self.color));
        }
    }

    /// Print an error from the library, with its source line when it knows its place;
    /// always shown.
    pub fn failure(&self, error: &Error) {
        eprintln!("{}", render_error(error, &read_source, self.color));
    }

    /// Print an error of the command line itself (a bad `-o`, a folder that exists);
    /// always shown.
    pub fn error(&self, message: &dyn Display) {
        eprintln!("error: {message}");
    }

    /// Print how long a stage took (with `-v` only).
    pub fn timing(&self, stage: &str, took: Duration) {
        if self.verbose && !self.quiet {
            eprintln!("timing: {stage}: {:.3} s", took.as_secs_f64());
        }
    }

    /// Print a written file's path on standard output (unless quiet).
    pub fn wrote(&self, path: &Path) {
        if !self.quiet {
            println!("{}", path.display());
        }
    }

    /// A warning that has no place in a manuscript (`warning: …`), unless quiet.
    pub fn warning_line(&self, message: &dyn Display) {
        if !self.quiet {
            eprintln!("warning: {message}");
        }
    }

    /// Print a one-line summary or note on standard error (unless quiet).
    pub fn note(&self, message: &dyn Display) {
        if !self.quiet {
            eprintln!("{message}");
        }
    }
}

/// Why a command failed: a problem in the book (the library's typed error, shown with its
/// source line), or one with the command line itself.
#[derive(Debug)]
pub enum Failure {
    /// The book could not be loaded, rendered or written.
    Book(Error),
    /// The command line asked for something that cannot be done (a folder given to `-o`,
    /// `--strict` with warnings).
    Usage(String),
}

impl Failure {
    /// The one-line form, to say each cause once when both back ends fail on it.
    pub fn summary(&self) -> String {
        match self {
            Failure::Book(error) => error.to_string(),
            Failure::Usage(message) => message.clone(),
        }
    }
}

impl Reporter {
    /// Print each failure once (both back ends often fail on the same missing image).
    pub fn failures(&self, failures: &[Failure]) {
        let mut said = std::collections::HashSet::new();
        for failure in failures {
            if !said.insert(failure.summary()) {
                continue;
            }
            match failure {
                Failure::Book(error) => self.failure(error),
                Failure::Usage(message) => self.error(message),
            }
        }
    }
}
