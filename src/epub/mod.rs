//! EPUB 3 back end (placeholder, being written).
use crate::{ir::Book, Diagnostics, Renderer, Result};

/// Options for the EPUB back end.
#[derive(Debug, Clone, Default)]
pub struct EpubOptions {}

/// Renders a book as EPUB 3.
pub struct EpubRenderer {
    /// Options.
    pub options: EpubOptions,
}

impl Renderer for EpubRenderer {
    fn name(&self) -> &'static str {
        "epub"
    }
    fn render(&self, _book: &Book, _diagnostics: &mut Diagnostics) -> Result<Vec<u8>> {
        Err(crate::Error::Epub("not implemented yet".into()))
    }
}
