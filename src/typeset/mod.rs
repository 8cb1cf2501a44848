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

/// The typesetter's caches' maps (shapes, words, hyphenation points): foldhash, seeded per
/// process, hashes their short keys several times faster than the standard library's
/// SipHash (which showed as 4 % of a long book's build) and keeps a seed against keys made
/// to collide.
pub(crate) type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

use std::collections::BTreeSet;

use crate::ir::{self, Block, Book, Inline};
use crate::Diagnostics;

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

/// Every character the book prints, each once and in order (for choosing fonts before
/// layout: the system's fonts are searched only for characters no other font has). ASCII
/// is left out: the compiled-in fonts have all of it.
pub fn book_characters(book: &Book) -> Vec<char> {
    let mut found = BTreeSet::new();
    let mut add = |text: &str| {
        found.extend(text.chars().filter(|c| !c.is_ascii()));
    };
    let meta = &book.meta;
    add(&meta.title);
    for text in [&meta.subtitle, &meta.publisher, &meta.source, &meta.rights]
        .into_iter()
        .chain([&meta.description, &meta.date])
        .flatten()
    {
        add(text);
    }
    meta.authors.iter().for_each(|a| add(a));
    book.labels.words().into_iter().for_each(&mut add);
    for chapter in &book.chapters {
        add_inline_text(&chapter.title, &mut add);
        add_block_text(&chapter.blocks, &mut add);
        for note in &chapter.footnotes {
            add_block_text(&note.blocks, &mut add);
        }
    }
    if let Some(cover) = &book.epub.cover {
        add(&cover.alt);
    }
    found.into_iter().collect()
}

fn add_block_text(blocks: &[Block], add: &mut dyn FnMut(&str)) {
    ir::visit_blocks(blocks, &mut |block| {
        if let Block::CodeBlock { code, .. } = block {
            add(code);
        }
    });
    ir::visit_inlines(blocks, &mut |inlines| add_inline_text(inlines, add));
}

fn add_inline_text(inlines: &[Inline], add: &mut dyn FnMut(&str)) {
    for inline in inlines {
        match inline {
            Inline::Text(t) | Inline::Code(t) => add(t),
            Inline::Image { alt, .. } => add(alt),
            Inline::Emphasis(c)
            | Inline::Strong(c)
            | Inline::Strikethrough(c)
            | Inline::Styled { content: c, .. }
            | Inline::Link { content: c, .. } => add_inline_text(c, add),
            Inline::FootnoteRef { .. } | Inline::Anchor(_) | Inline::LineBreak => {}
        }
    }
}
