//! Structure tags in the vertical list: layout opens and closes the elements of the book's
//! structure around the blocks it pushes (see [`crate::typeset::frame`] for how tags nest).
//!
//! A tag rides in a block's content, so it moves with the block through pagination: the
//! start tags of an element go at the front of its first block, the end tag at the back of
//! its last. Floating blocks (figures) carry only their own balanced tags, since they may be
//! placed after text that follows them; tags that would otherwise ride on one go in a block
//! of no height instead.

use super::Layout;
use crate::typeset::frame::{PageItem, StructKind, Tag};
use crate::typeset::paginate::{Content, Flow, VBlock};

impl Layout<'_, '_> {
    /// Open a structure element; its start tag goes with the next block pushed.
    pub(super) fn open(&mut self, kind: StructKind) {
        self.pending_starts.push(kind);
    }

    /// Close the innermost open element. An element that received no block is dropped
    /// rather than written empty.
    pub(super) fn close(&mut self) {
        if self.pending_starts.pop().is_some() {
            return;
        }
        let end = Content::Item(PageItem::Tag(Tag::End));
        match self.blocks.last_mut() {
            Some(block) if block.flow != Flow::Float => block.content.push(end),
            _ => {
                // The last block went to the paginator already, or floats: a block of no
                // height that may not be parted from what precedes it carries the tag.
                let mut carrier = VBlock::new(0.0, self.chapter);
                carrier.break_before = false;
                carrier.content.push(end);
                self.blocks.push(carrier);
            }
        }
    }

    /// Push a block onto the vertical list, giving it the start tags of the elements
    /// opened since the last one, and the space asked for below the block before (a
    /// quote's) if it has less above it.
    pub(super) fn push_block(&mut self, mut block: VBlock) {
        // A figure may float away from where it stands in the text: it marks no place.
        if block.source.is_none() && block.flow != Flow::Float {
            block.source = self.text_point();
        }
        block.space_before = block.space_before.max(std::mem::take(&mut self.space_next));
        if !self.pending_starts.is_empty() {
            let starts = self
                .pending_starts
                .drain(..)
                .map(|kind| Content::Item(PageItem::Tag(Tag::Start(kind))));
            if block.flow == Flow::Float {
                let mut carrier = VBlock::new(0.0, self.chapter);
                carrier.break_before = block.break_before;
                carrier.content.extend(starts);
                self.blocks.push(carrier);
            } else {
                block.content.splice(0..0, starts);
            }
        }
        self.blocks.push(block);
    }

    /// How many start tags the next block pushed will carry before any opened from now on
    /// (where, in that block, the element opened next will start).
    pub(super) fn pending_start_count(&self) -> usize {
        self.pending_starts.len()
    }
}

/// The element a text block of `role` is, if it is content.
pub(super) fn element_of(role: crate::typeset::frame::Role) -> Option<StructKind> {
    use crate::typeset::frame::Role;
    match role {
        Role::Paragraph | Role::ListItem | Role::BlockQuote | Role::TableCell | Role::Footnote => {
            Some(StructKind::Paragraph)
        }
        Role::Heading(level) => Some(StructKind::Heading(level.clamp(1, 6))),
        Role::Caption | Role::Credit => Some(StructKind::Paragraph),
        Role::Code => Some(StructKind::Code),
        Role::Artifact => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::ir::{Book, NotePlacement};
    use crate::load::{load_book, LoadOptions};
    use crate::typeset::fonts::FontSet;
    use crate::typeset::{lay_out, PageGeometry};
    use crate::Diagnostics;

    fn outline_of(markdown: &str) -> String {
        outline_with_notes(markdown, NotePlacement::Page)
    }

    fn outline_with_notes(markdown: &str, notes: NotePlacement) -> String {
        let dir = std::env::temp_dir().join(format!(
            "presswork-tags-{}-{}",
            std::process::id(),
            markdown.len()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let file = dir.join("book.md");
        std::fs::write(&file, markdown).expect("write");
        let mut book: Book =
            load_book(&file, &LoadOptions::default(), &mut Diagnostics::default()).expect("loads");
        book.settings.notes = notes;
        let _ = std::fs::remove_dir_all(&dir);
        let fonts = FontSet::builtin().expect("fonts");
        let geometry = PageGeometry::for_paper(book.settings.paper);
        lay_out(&book, &fonts, geometry, &mut Diagnostics::default()).structure_outline()
    }

    #[test]
    fn blocks_are_tagged_in_reading_order() {
        let markdown =
            "# One\n\nA [link](https://example.org) and <span lang=\"de\">ein Wort</span>.\n\n\
             - first\n- second\n\n> quoted\n\n| A | B |\n|---|---|\n| 1 | |\n\n\
             ```\nlet x = 1;\n```\n\nA note.[^n]\n\n[^n]: The note.\n\n# Two\n\n## Sub\n\nEnd.\n";
        let outline = outline_of(markdown);
        // The note at the foot of the page follows its call, in the chapter.
        let expected = r#"Chapter
  Heading(1) "One"
  Paragraph "A "
    Link "link " [link]
    … "and "
    Language { lang: "de" } "ein Wort"
    … "."
  List { ordered: false }
    ListItem
      Label "•"
      ListBody
        Paragraph "first"
    ListItem
      Label "•"
      ListBody
        Paragraph "second"
  BlockQuote
    Paragraph "quoted"
  Table
    TableRow
      TableHeader
        Paragraph "A"
      TableHeader
        Paragraph "B"
    TableRow
      TableData
        Paragraph "1"
      TableData
  Code "let x = 1;"
  Paragraph "A note."
    Link "1" [link]
  Note { id: "fn-1" }
    Paragraph "1.\u{2002}The note."
Chapter
  Heading(1) "Two"
  Heading(2) "Sub"
  Paragraph "End."
"#;
        // A book of two chapters opens with its title page and imprint, a section of their
        // own (see `front`); the chapters follow.
        let (front, chapters) = outline
            .split_once("\nChapter\n")
            .expect("a front matter section and the chapters");
        assert!(
            front.starts_with("Chapter\n  Heading(1) \"book\"\n"),
            "{front}"
        );
        let chapters = format!("Chapter\n{chapters}");
        assert_eq!(chapters, expected, "\n{chapters}");
        // Notes at the chapter's end come under their own heading.
        let outline = outline_with_notes(markdown, NotePlacement::Chapter);
        let endnotes = expected.replace("  Note {", "  Heading(3) \"Notes\"\n  Note {");
        assert!(outline.ends_with(&endnotes), "\n{outline}");
    }
}
