//! PDF back end: draws the typesetter's pages ([`crate::typeset`]) into a PDF file with
//! lopdf (printpdf parses the fonts). It makes no typographic decision: every glyph, image,
//! rule and link lands where the laid-out page puts it, and the structure tags on the page
//! become the file's structure tree.

pub mod write;

use crate::typeset::{fonts::FontSet, pipeline, PageGeometry};
use crate::{ir::Book, Diagnostics, Renderer, Result};

/// Options of the PDF back end itself; the paper and the build date travel with the book
/// ([`crate::ir::Settings`]).
#[derive(Debug, Clone)]
pub struct PdfOptions {
    /// Make the file PDF/A-2b: XMP metadata, an sRGB output intent, printable
    /// annotations, CMYK photos converted to RGB. On by default.
    pub archival: bool,
}

impl Default for PdfOptions {
    fn default() -> Self {
        PdfOptions { archival: true }
    }
}

/// Renders a book as PDF.
#[derive(Debug, Clone, Default)]
pub struct PdfRenderer {
    /// Options.
    pub options: PdfOptions,
}

impl Renderer for PdfRenderer {
    fn name(&self) -> &'static str {
        "pdf"
    }

    /// Chapters are laid out on worker threads and their pages drawn and compressed as soon
    /// as they are final (see [`pipeline`]): memory holds the compressed pages plus a few
    /// being set, however long the book. The file goes into `out` object by object at the
    /// end, once the page tree, outline and links are known.
    fn render_into(
        &self,
        book: &Book,
        out: &mut dyn std::io::Write,
        diagnostics: &mut Diagnostics,
    ) -> Result<()> {
        let fonts = FontSet::for_book(
            &book.settings.fonts,
            &book.meta.language,
            &crate::typeset::book_characters(book),
        )?;
        let mut writer = write::PdfWriter::new(&fonts, book, &self.options)?;
        let geometry = PageGeometry::for_settings(&book.settings);
        let navigation = pipeline::lay_out_into(book, &fonts, geometry, &mut writer, diagnostics)?;
        writer.finish_into(&navigation, out)
    }
}
