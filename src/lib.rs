//! presswork: a Markdown manuscript → EPUB 3 and print-ready PDF.
//!
//! Data flows one way: [`load`] reads the book folder, [`markdown`] builds the [`ir::Book`]
//! (with its [`ir::Settings`], resolved once), a back end renders it to bytes in memory
//! ([`epub`]; or [`typeset`] lays it out in pages and [`pdf`] draws them), and [`output`]
//! writes the file atomically. See `ARCHITECTURE.md`.
//!
//! Building a book in a program takes three calls: load it, render it with a back end, write
//! the bytes. Warnings (a missing alt text, a character no font covers) collect in a
//! [`Diagnostics`] list, each with its place in the manuscript; errors come back as [`Error`].
//!
//! ```
//! use presswork::epub::EpubRenderer;
//! use presswork::load::{load_book, LoadOptions};
//! use presswork::pdf::{PdfOptions, PdfRenderer};
//! use presswork::{Diagnostics, Renderer};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let folder = std::env::temp_dir().join(format!("presswork-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&folder)?;
//! let manuscript = folder.join("story.md");
//! std::fs::write(
//!     &manuscript,
//!     "---\ntitle: A Story\n---\n\n# Night\n\nIt was a dark and stormy night.\n",
//! )?;
//!
//! let mut diagnostics = Diagnostics::default();
//! let book = load_book(&manuscript, &LoadOptions::default(), &mut diagnostics)?;
//! assert_eq!(book.meta.title, "A Story");
//!
//! let epub = EpubRenderer::default().render(&book, &mut diagnostics)?;
//! assert!(epub.starts_with(b"PK"), "an EPUB is a zip file");
//! let pdf = PdfRenderer { options: PdfOptions { archival: true } }.render(&book, &mut diagnostics)?;
//! assert!(pdf.starts_with(b"%PDF-"));
//! presswork::output::write_atomically(&folder.join("story.pdf"), &pdf)?;
//!
//! for warning in &diagnostics.warnings {
//!     eprintln!("{warning}");
//! }
//! # std::fs::remove_dir_all(&folder)?;
//! # Ok(())
//! # }
//! ```

pub mod deflate;
pub mod epub;
pub mod error;
pub mod import;
pub mod ir;
pub mod jpeg;
pub mod load;
pub mod markdown;
pub mod output;
pub mod pdf;
pub mod suggest;
pub mod svg;
pub mod typeset;

pub use error::{Diagnostic, Diagnostics, Error, Result, Severity, SourcePos};

/// A back end: turns a finished book into the bytes of one output file.
/// Back ends never touch the file system: they write the bytes into the sink they are
/// given, as they make them; [`output`] puts them in place.
pub trait Renderer {
    /// Short name, also the output file extension (`epub`, `pdf`).
    fn name(&self) -> &'static str;
    /// Render the whole book into `out` (the EPUB writes its zip's entries straight from
    /// the book's images, the PDF its objects, instead of gathering the file in one buffer
    /// first). A failure to write into `out` is an [`Error::Output`].
    fn render_into(
        &self,
        book: &ir::Book,
        out: &mut dyn std::io::Write,
        diagnostics: &mut Diagnostics,
    ) -> Result<()>;
    /// Render the whole book: the bytes [`Renderer::render_into`] writes, in memory.
    fn render(&self, book: &ir::Book, diagnostics: &mut Diagnostics) -> Result<Vec<u8>> {
        let mut bytes = Vec::new();
        self.render_into(book, &mut bytes, diagnostics)?;
        Ok(bytes)
    }
}

/// How many threads the process may run at once (at least 1), asked of the system once:
/// `std::thread::available_parallelism` reads the cgroup's CPU quota files each time it is
/// called (six system calls on Linux), and a build asks on every layout and zip.
pub fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get))
}
