//! The typesetter: a book in, positioned pages out. It knows fonts, lines and pages, and
//! nothing of PDF syntax; the PDF writer ([`crate::pdf`]) only draws what it is given.
//!
//! `fonts` (compiled-in fonts, fallback) → `shape` (rustybuzz) → `text` (words → boxes, glue,
//! penalties; hyphenation) → `linebreak` (Knuth–Plass) → `layout` (blocks → vertical list) →
//! `paginate` (pages: widows, orphans, keeps, floats) → `frame` (positioned items: the
//! contract with every consumer); `pipeline` runs layout on worker threads, chapter by
//! chapter, streaming finished pages into a [`frame::PageSink`].

pub mod fonts;
pub mod frame;
pub mod layout;
pub mod linebreak;
pub mod paginate;
pub mod pipeline;
pub mod shape;
pub mod text;

pub use layout::{PageGeometry, Paper, Side};

use crate::{ir::Book, Diagnostics};

/// Lay the whole book out in memory, on this thread (tests and benchmarks; a build streams
/// its pages through [`pipeline::lay_out_into`] instead).
pub fn lay_out(
    book: &Book,
    fonts: &fonts::FontSet,
    geometry: PageGeometry,
    diagnostics: &mut Diagnostics,
) -> frame::LaidOutDocument {
    let shaper = shape::Shaper::new(fonts).with_text_figures(book.settings.figures);
    layout::Layout::new(&shaper, book, geometry).run(diagnostics)
}
