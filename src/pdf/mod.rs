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

    /// Chapters are laid out on worker threads and their pages written as soon as they are
    /// final (see [`pipeline`]): memory holds the finished file plus a few pages, however
    /// long the book.
    fn render(&self, book: &Book, diagnostics: &mut Diagnostics) -> Result<Vec<u8>> {
        crate::rendered_in_memory(|out| self.render_into(book, out, diagnostics))
    }

    /// The file goes into `out` object by object as it is serialised, at the end: the pages
    /// are gathered (compressed) until then, for the page tree, outline and links.
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
