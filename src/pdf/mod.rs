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

use std::sync::mpsc::{sync_channel, SyncSender};

use crate::{ir::Book, Diagnostics, Renderer, Result};
use frame::PageSink;

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

/// Pages laid out ahead of the writer at most: enough to keep both threads busy, few
/// enough that memory holds a handful of pages.
const PAGES_IN_FLIGHT: usize = 16;

/// Hands pages from the layout thread to the writer.
struct ChannelSink(SyncSender<frame::Page>);

impl PageSink for ChannelSink {
    fn page(&mut self, page: frame::Page) -> Result<()> {
        // The writer only hangs up after an error of its own, which it reports.
        self.0
            .send(page)
            .map_err(|_| crate::Error::Pdf("the PDF writer stopped".into()))
    }
}

impl Renderer for PdfRenderer {
    fn name(&self) -> &'static str {
        "pdf"
    }

    /// Layout runs on its own thread and hands each page over as soon as it is final; the
    /// writer draws and compresses it meanwhile. Both use one core each, and memory holds
    /// the finished file plus a few pages, however long the book.
    fn render(&self, book: &Book, diagnostics: &mut Diagnostics) -> Result<Vec<u8>> {
        let fonts = fonts::FontSet::builtin()?;
        let mut writer = write::PdfWriter::new(&fonts, book)?;
        let geometry = layout::PageGeometry::for_paper(self.options.paper);
        let (pages, received) = sync_channel(PAGES_IN_FLIGHT);
        let (laid_out, written) = std::thread::scope(|scope| {
            let layout = scope.spawn(|| {
                let shaper = shape::Shaper::new(&fonts);
                let mut warnings = Diagnostics::default();
                let navigation = layout::Layout::new(&shaper, book, geometry)
                    .run_into(&mut ChannelSink(pages), &mut warnings);
                (navigation, warnings)
            });
            let written = received.iter().try_for_each(|page| writer.page(page));
            // On a writer error the receiver goes, and the layout's next send fails.
            drop(received);
            let laid_out = layout
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (laid_out, written)
        });
        let (navigation, warnings) = laid_out;
        for warning in warnings.warnings {
            diagnostics.warn(warning);
        }
        written?;
        writer.finish(&navigation?)
    }
}
