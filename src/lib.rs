//! presswork: a Markdown manuscript → EPUB 3 and print-ready PDF.
//!
//! Data flows one way: [`load`] reads the book folder, [`markdown`] builds the [`ir::Book`]
//! (with its [`ir::Settings`], resolved once), a back end renders it to bytes in memory
//! ([`epub`]; or [`typeset`] lays it out in pages and [`pdf`] draws them), and [`output`]
//! writes the file atomically. See `ARCHITECTURE.md`.

pub mod epub;
pub mod error;
pub mod ir;
pub mod load;
pub mod markdown;
pub mod output;
pub mod pdf;
pub mod svg;
pub mod typeset;

pub use error::{Diagnostic, Diagnostics, Error, Result, Severity, SourcePos};

/// A back end: turns a finished book into the bytes of one output file.
/// Back ends never touch the file system; [`output::write_atomically`] does that.
pub trait Renderer {
    /// Short name, also the output file extension (`epub`, `pdf`).
    fn name(&self) -> &'static str;
    /// Render the whole book.
    fn render(&self, book: &ir::Book, diagnostics: &mut Diagnostics) -> Result<Vec<u8>>;
}
