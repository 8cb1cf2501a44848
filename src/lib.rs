//! presswork: a Markdown manuscript → EPUB 3 and print-ready PDF.
//!
//! Data flows one way: [`load`] reads the book folder, [`markdown`] builds the [`ir::Book`],
//! a back end ([`epub`], [`pdf`]) renders it to bytes in memory, and [`output`] writes the
//! file atomically. See `ARCHITECTURE.md`.

pub mod epub;
pub mod error;
pub mod ir;
pub mod load;
pub mod markdown;
pub mod output;
pub mod pdf;
pub mod svg;

pub use error::{Diagnostic, Diagnostics, Error, Result, Severity, SourcePos};

/// A back end: turns a finished book into the bytes of one output file.
/// Back ends never touch the file system; [`output::write_atomically`] does that.
pub trait Renderer {
    /// Short name, also the output file extension (`epub`, `pdf`).
    fn name(&self) -> &'static str;
    /// Render the whole book.
    fn render(&self, book: &ir::Book, diagnostics: &mut Diagnostics) -> Result<Vec<u8>>;
}
