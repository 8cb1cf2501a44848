//! PDF back end: our own typesetting, drawn with printpdf.
//!
//! `fonts` (compiled-in fonts, fallback) → `shape` (rustybuzz) → `text` (words → boxes, glue,
//! penalties; hyphenation) → `linebreak` (Knuth–Plass) → `layout` (blocks → vertical list) →
//! `paginate` (pages: widows, orphans, keeps, floats) → `frame` (positioned items) →
//! `write` (printpdf operators, font subsetting, lopdf post-pass). Layout never writes PDF;
//! the writer never makes a typographic decision.

pub mod fonts;
pub mod frame;
pub mod layout;
pub mod linebreak;
pub mod paginate;
pub mod shape;
pub mod text;
pub mod write;

pub use layout::Paper;

use crate::{ir::Book, Diagnostics, Renderer, Result};

/// Options for the PDF back end.
#[derive(Debug, Clone, Default)]
pub struct PdfOptions {
    /// Paper size.
    pub paper: Paper,
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

    fn render(&self, book: &Book, diagnostics: &mut Diagnostics) -> Result<Vec<u8>> {
        let fonts = fonts::FontSet::builtin()?;
        let document = self.lay_out(book, &fonts, diagnostics);
        write::write_pdf(document, &fonts, book)
    }
}
