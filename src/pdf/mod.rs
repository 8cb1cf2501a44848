//! PDF back end (being written).
pub mod fonts;
pub mod frame;
pub mod layout;
pub mod linebreak;
pub mod paginate;
pub mod shape;
pub mod write;
pub mod text;

use crate::{ir::Book, Diagnostics, Renderer, Result};

/// Options for the PDF back end.
#[derive(Debug, Clone, Default)]
pub struct PdfOptions {}

/// Renders a book as PDF.
pub struct PdfRenderer {
    /// Options.
    pub options: PdfOptions,
}

impl Renderer for PdfRenderer {
    fn name(&self) -> &'static str {
        "pdf"
    }
    fn render(&self, _book: &Book, _diagnostics: &mut Diagnostics) -> Result<Vec<u8>> {
        Err(crate::Error::Pdf("not implemented yet".into()))
    }
}
