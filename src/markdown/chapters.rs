//! Top-level blocks → chapters, split at section headings.
//!
//! Rules (documented in the README):
//! - several `#` headings: each `#` starts a chapter;
//! - exactly one `#` heading: it is the book title, each `##` starts a chapter and the text
//!   before the first `##` becomes an opening chapter titled with the book title;
//! - no `#` at all: the shallowest heading level present starts chapters;
//! - no heading: one chapter titled with the book title;
//! - `--split-level N` (or `split-level` in `book.toml`) overrides the level.
//!
//! A manuscript whose single `#` heading became the title, or that has no heading at all,
//! is an article ([`crate::ir::BookShape::Article`]); anything else is a book (but a book of
//! one chapter is an article too, see `markdown::parse_book`).
//!
//! Headings below the chapter level stay in the chapter, renumbered so that the first level
//! under the chapter title is 2.

use crate::ir::{slugify, Block, BookShape, Chapter, IdAllocator, Inline};

/// What the chapter splitter found.
pub struct Chaptered {
    /// The chapters in reading order.
    pub chapters: Vec<Chapter>,
    /// The text of the single `#` heading, when it served as the book title.
    pub title_heading: Option<Vec<Inline>>,
    /// The ids of headings below chapter level without any text, dropped (they would make
    /// empty navigation entries); an image among their content is kept as a paragraph.
    pub empty_headings: Vec<String>,
    /// An article when the single `#` heading became the title or there is no heading at
    /// all; a book otherwise.
    pub shape: BookShape,
}

/// The heading level that starts chapters, or `None` when there is no heading at all.
pub fn chapter_level(blocks: &[Block], split_level: Option<u8>) -> Option<u8> {
    if let Some(level) = split_level {
        return Some(level.clamp(1, 6));
    }
    let levels: Vec<u8> = blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level, .. } => Some(*level),
            _ => None,
        })
        .collect();
    let h1 = levels.iter().filter(|l| **l == 1).count();
    match h1 {
        0 => levels.into_iter().min(),
        1 if levels.iter().any(|l| *l > 1) => {
            Some(levels.into_iter().filter(|l| *l > 1).min().unwrap_or(2))
        }
        _ => Some(1),
    }
}

/// Split `blocks` into chapters. `book_title` names the opening chapter (filled in later by
/// the caller when it is still unknown, see [`Chaptered::title_heading`]).
pub fn split_chapters(
    blocks: Vec<Block>,
    split_level: Option<u8>,
    book_title: &[Inline],
    ids: &mut IdAllocator,
) -> Chaptered {
    let level = chapter_level(&blocks, split_level);
    let h1_count = blocks
        .iter()
        .filter(|b| matches!(b, Block::Heading { level: 1, .. }))
        .count();
    let single_title = level.is_some_and(|l| l > 1) && h1_count == 1;
    let no_heading = !blocks.iter().any(|b| matches!(b, Block::Heading { .. }));
    let shape = if single_title || no_heading {
        BookShape::Article
    } else {
        BookShape::Book
    };

    let mut title_heading = None;
    let mut empty_headings = Vec::new();
    let mut opening = Chapter {
        id: String::new(),
        title: book_title.to_vec(),
        blocks: Vec::new(),
        footnotes: Vec::new(),
    };
    let mut chapters: Vec<Chapter> = Vec::new();
    let mut current = &mut opening;
    let mut opening_id = None;
    for block in blocks {
        match block {
            Block::Heading {
                level: 1,
                id,
                content,
            } if single_title => {
                opening_id = Some(id);
                title_heading = Some(content);
            }
            Block::Heading {
                level: l,
                id,
                content,
            } if level.is_some_and(|split| l <= split) => {
                let number = chapters.len() + 1;
                let mut blocks = Vec::new();
                let title = if crate::ir::plain_text(&content).trim().is_empty() {
                    if has_image(&content) {
                        blocks.push(Block::Paragraph(content));
                    }
                    vec![Inline::Text(format!("Chapter {number}"))]
                } else {
                    content
                };
                chapters.push(Chapter {
                    id,
                    title,
                    blocks,
                    footnotes: Vec::new(),
                });
                current = chapters.last_mut().unwrap_or(&mut opening);
            }
            Block::Heading { content, id, .. }
                if crate::ir::plain_text(&content).trim().is_empty() =>
            {
                empty_headings.push(id);
                if has_image(&content) {
                    current.blocks.push(Block::Paragraph(content));
                }
            }
            Block::Heading {
                level: l,
                id,
                content,
            } => {
                let relative = l.saturating_sub(level.unwrap_or(1)).saturating_add(1);
                current.blocks.push(Block::Heading {
                    level: relative.clamp(2, 6),
                    id,
                    content,
                });
            }
            other => current.blocks.push(other),
        }
    }
    if !opening.blocks.is_empty() || chapters.is_empty() {
        opening.id = opening_id
            .unwrap_or_else(|| ids.unique(&slugify(&crate::ir::plain_text(book_title), "opening")));
        chapters.insert(0, opening);
    }
    Chaptered {
        chapters,
        title_heading,
        empty_headings,
        shape,
    }
}

fn has_image(inlines: &[Inline]) -> bool {
    inlines.iter().any(|i| match i {
        Inline::Image { .. } => true,
        Inline::Emphasis(c)
        | Inline::Strong(c)
        | Inline::Strikethrough(c)
        | Inline::Styled { content: c, .. } => has_image(c),
        Inline::Link { content, .. } => has_image(content),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heading(level: u8, text: &str) -> Block {
        Block::Heading {
            level,
            id: slugify(text, "h"),
            content: vec![Inline::Text(text.into())],
        }
    }

    fn para(text: &str) -> Block {
        Block::Paragraph(vec![Inline::Text(text.into())])
    }

    fn titles(c: &Chaptered) -> Vec<String> {
        c.chapters.iter().map(|c| c.title_text()).collect()
    }

    #[test]
    fn single_title_splits_at_level_two_with_opening() {
        let blocks = vec![
            heading(1, "Book"),
            para("lead"),
            heading(2, "A"),
            para("a"),
            heading(3, "A.1"),
            heading(2, "B"),
        ];
        let c = split_chapters(
            blocks,
            None,
            &[Inline::Text("Meta".into())],
            &mut IdAllocator::default(),
        );
        assert_eq!(titles(&c), ["Meta", "A", "B"]);
        assert_eq!(c.chapters[0].id, "book");
        assert_eq!(
            crate::ir::plain_text(c.title_heading.as_deref().unwrap_or(&[])),
            "Book"
        );
        assert!(matches!(
            c.chapters[1].blocks[1],
            Block::Heading { level: 2, .. }
        ));
        assert_eq!(c.shape, BookShape::Article);
    }

    #[test]
    fn several_h1_split_at_level_one() {
        let blocks = vec![heading(1, "One"), heading(2, "sub"), heading(1, "Two")];
        let c = split_chapters(blocks, None, &[], &mut IdAllocator::default());
        assert_eq!(titles(&c), ["One", "Two"]);
        assert!(c.title_heading.is_none());
        assert_eq!(c.shape, BookShape::Book);
    }

    #[test]
    fn no_heading_gives_one_chapter() {
        let c = split_chapters(
            vec![para("x")],
            None,
            &[Inline::Text("T".into())],
            &mut IdAllocator::default(),
        );
        assert_eq!(titles(&c), ["T"]);
        assert_eq!(c.chapters[0].blocks.len(), 1);
        assert_eq!(c.shape, BookShape::Article);
    }

    #[test]
    fn override_level_wins() {
        let blocks = vec![
            heading(1, "One"),
            heading(2, "a"),
            heading(1, "Two"),
            heading(2, "b"),
        ];
        let c = split_chapters(blocks, Some(2), &[], &mut IdAllocator::default());
        assert_eq!(titles(&c), ["One", "a", "Two", "b"]);
    }

    #[test]
    fn empty_heading_gets_a_numbered_title() {
        let blocks = vec![heading(1, "One"), heading(1, "")];
        let c = split_chapters(blocks, None, &[], &mut IdAllocator::default());
        assert_eq!(titles(&c), ["One", "Chapter 2"]);
    }
}
