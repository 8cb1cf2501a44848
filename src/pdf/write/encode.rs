//! Content streams, a batch of pages at a time. printpdf turns drawing operations into
//! content streams, but only while serialising a whole document it holds in memory — every
//! page's operators at once (4 GB for a 50 MB manuscript) — and its per-page encoder is
//! private. So pages are drawn into a small printpdf document, [`BATCH_PAGES`] at a time;
//! its content streams are taken out, compressed and kept, and the rest is thrown away.

use std::io::Write;

use flate2::write::ZlibEncoder;
use flate2::Compression;
use lopdf::Object;
use printpdf::{PdfDocument, PdfPage, PdfSaveOptions};

use crate::{Error, Result};

/// Pages per printpdf document: large enough that its per-document work (font tables for
/// the fonts used) is spread thin, small enough that the operators of one batch are a few
/// megabytes.
pub(super) const BATCH_PAGES: usize = 64;

/// Draws batches of pages with printpdf and hands back their content streams.
pub(super) struct ContentEncoder {
    /// A printpdf document with our fonts registered and no images: `UseXobject` needs only
    /// the resource name, since images are scaled by the page's own matrix.
    document: PdfDocument,
}

impl ContentEncoder {
    /// An encoder whose printpdf document is called `title`.
    pub fn new(title: &str) -> Self {
        ContentEncoder {
            document: PdfDocument::new(title),
        }
    }

    /// Make font `resource` available to the pages (once per font).
    pub fn register_font(&mut self, resource: printpdf::FontId, font: printpdf::ParsedFont) {
        self.document
            .resources
            .fonts
            .map
            .insert(resource, printpdf::PdfFont::new(font));
    }

    /// The content streams of `pages`, in order, Flate-compressed.
    pub fn encode(&mut self, pages: Vec<PdfPage>) -> Result<Vec<Vec<u8>>> {
        let expected = pages.len();
        self.document.pages = pages;
        let options = PdfSaveOptions {
            subset_fonts: false,
            optimize: false,
            ..Default::default()
        };
        let mut warnings = Vec::new();
        let drawn = self.document.to_lopdf_document(&options, &mut warnings);
        self.document.pages.clear();
        let mut streams = Vec::with_capacity(expected);
        for page_id in drawn.get_pages().into_values() {
            let content = drawn
                .get_dictionary(page_id)
                .and_then(|page| page.get(b"Contents"))
                .and_then(Object::as_reference)
                .and_then(|id| drawn.get_object(id))
                .and_then(Object::as_stream)
                .map_err(|e| Error::Pdf(format!("printpdf page without content: {e}")))?;
            streams.push(deflate(&content.content)?);
        }
        if streams.len() != expected {
            return Err(Error::Pdf(format!(
                "printpdf drew {} pages of {expected}",
                streams.len()
            )));
        }
        Ok(streams)
    }
}

/// zlib (`/FlateDecode`) at the default level: content streams shrink about fourfold, and
/// higher levels cost several times the time for a few per cent.
fn deflate(data: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = ZlibEncoder::new(Vec::with_capacity(data.len() / 3), Compression::new(3));
    encoder
        .write_all(data)
        .and_then(|()| encoder.finish())
        .map_err(|e| Error::Pdf(format!("cannot compress a content stream: {e}")))
}
