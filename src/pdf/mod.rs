//! PDF back end: our own typesetting, written with lopdf (printpdf parses the fonts).
//!
//! `fonts` (compiled-in fonts, fallback) → `shape` (rustybuzz) → `text` (words → boxes, glue,
//! penalties; hyphenation) → `linebreak` (Knuth–Plass) → `layout` (blocks → vertical list) →
//! `paginate` (pages: widows, orphans, keeps, floats) → `frame` (positioned items) →
//! `write` (content streams, font subsetting, lopdf post-pass); `pipeline` runs layout on
//! worker threads, chapter by chapter, streaming pages to the writer. Layout never writes
//! PDF; the writer never makes a typographic decision.

pub mod fonts;
pub mod frame;
pub mod layout;
pub mod linebreak;
pub mod paginate;
pub mod pipeline;
pub mod shape;
pub mod text;
pub mod write;

pub use layout::Paper;

use crate::{ir::Book, Diagnostics, Renderer, Result};

/// Options for the PDF back end.
#[derive(Debug, Clone)]
pub struct PdfOptions {
    /// Paper size.
    pub paper: Paper,
    /// Make the file PDF/A-2b: XMP metadata, an sRGB output intent, printable
    /// annotations, CMYK photos converted to RGB. On by default.
    pub archival: bool,
    /// Seconds since 1970 for the creation and modification dates (the caller reads
    /// `SOURCE_DATE_EPOCH`; the back end never looks at the environment or the clock).
    /// `None`: the book's `date`, else 1980-01-01, as in the EPUB.
    pub source_date_epoch: Option<i64>,
}

impl Default for PdfOptions {
    fn default() -> Self {
        PdfOptions {
            paper: Paper::default(),
            archival: true,
            source_date_epoch: None,
        }
    }
}

/// Renders a book as PDF.
pub struct PdfRenderer {
    /// Options.
    pub options: PdfOptions,
}

impl PdfRenderer {
    /// Lay the book out without writing PDF (for tests and benchmarks).
    pub fn lay_out(
        &self,
        book: &Book,
        fonts: &fonts::FontSet,
        diagnostics: &mut Diagnostics,
    ) -> frame::LaidOutDocument {
        let shaper = shape::Shaper::new(fonts);
        let geometry = layout::PageGeometry::for_paper(self.options.paper);
        layout::Layout::new(&shaper, book, geometry).run(diagnostics)
    }
}

impl Renderer for PdfRenderer {
    fn name(&self) -> &'static str {
        "pdf"
    }

    /// Chapters are laid out on worker threads and their pages written as soon as they are
    /// final (see [`pipeline`]): memory holds the finished file plus a few pages, however
    /// long the book.
    fn render(&self, book: &Book, diagnostics: &mut Diagnostics) -> Result<Vec<u8>> {
        let fonts = fonts::FontSet::builtin()?;
        let mut writer = write::PdfWriter::new(&fonts, book, &self.options)?;
        let geometry = layout::PageGeometry::for_paper(self.options.paper);
        let navigation = pipeline::lay_out_into(book, &fonts, geometry, &mut writer, diagnostics)?;
        writer.finish(&navigation)
    }
}
