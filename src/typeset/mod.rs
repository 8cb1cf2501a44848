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
    let mut found = CharacterSet::default();
    let mut add = |text: &str| {
        // ASCII skipped by the byte, without decoding it.
        if !text.is_ascii() {
            text.chars()
                .filter(|c| !c.is_ascii())
                .for_each(|c| found.insert(c));
        }
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
    found.into_sorted()
}

/// Code points of the Basic Multilingual Plane.
const BMP: usize = 0x1_0000;

/// A set of characters: a bit for each one of the Basic Multilingual Plane (8 KB), where
/// nearly all text lies, and an ordered set beyond it. [`book_characters`] inserts every
/// character of the book, on the one thread that runs before layout starts: into an
/// ordered set alone, that was a visible part of a long book's time.
struct CharacterSet {
    basic: Box<[u64; BMP / 64]>,
    beyond: BTreeSet<char>,
}

impl Default for CharacterSet {
    fn default() -> Self {
        CharacterSet {
            basic: Box::new([0; BMP / 64]),
            beyond: BTreeSet::new(),
        }
    }
}

impl CharacterSet {
    fn insert(&mut self, c: char) {
        let code = c as usize;
        match self.basic.get_mut(code / 64) {
            Some(word) => *word |= 1 << (code % 64),
            None => {
                self.beyond.insert(c);
            }
        }
    }

    /// The characters in order.
    fn into_sorted(self) -> Vec<char> {
        let basic = self.basic.iter().enumerate().flat_map(|(index, &word)| {
            (0..64)
                .filter(move |bit| word & (1 << bit) != 0)
                .filter_map(move |bit| char::from_u32((index * 64 + bit) as u32))
        });
        basic.chain(self.beyond).collect()
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_character_set_gives_each_character_once_and_in_order() {
        let mut set = CharacterSet::default();
        for c in "żółw 😀 Ωmega \u{10FFFF} \u{FFFF} é żółw 🐢 \u{80} Ω".chars() {
            set.insert(c);
        }
        let mut expected: Vec<char> = "żółw 😀 Ωmega \u{10FFFF} \u{FFFF} é 🐢 \u{80}"
            .chars()
            .collect();
        expected.sort_unstable();
        expected.dedup();
        assert_eq!(set.into_sorted(), expected);
    }
}
