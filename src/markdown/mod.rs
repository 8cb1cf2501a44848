//! The front end: Markdown manuscripts (pulldown-cmark) → [`crate::ir::Book`].
//!
//! `convert` turns one file's events into blocks, `figure` reads the figure convention,
//! `chapters` splits the blocks into chapters. This module ties them together and does the
//! book-wide passes: footnote placement and internal-link resolution.

pub mod chapters;
pub mod convert;
pub mod figure;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Diagnostics, Result, SourcePos};
use crate::ir::{
    plain_text, slugify, AssetId, Block, Book, Chapter, Footnote, IdAllocator, Inline, LinkTarget,
    Metadata,
};

/// One manuscript file, already read and checked as UTF-8.
pub struct Manuscript {
    /// Where it came from (for messages and relative image paths).
    pub path: PathBuf,
    /// The whole file text.
    pub text: String,
    /// Byte offset where the Markdown starts (after any front matter).
    pub body_offset: usize,
    /// Levels added to every heading of the file: its depth as a sub-chapter in mdBook's
    /// `SUMMARY.md` (see [`shift_headings`]); 0 otherwise.
    pub heading_shift: u8,
    /// The file's name in `SUMMARY.md`, used as its heading when the file does not open
    /// with a `#` heading of its own (mdBook names chapters from the summary).
    pub summary_title: Option<String>,
}

impl Manuscript {
    /// A manuscript read as it is: no heading shift, no title from a summary.
    pub fn new(path: PathBuf, text: String, body_offset: usize) -> Self {
        Manuscript {
            path,
            text,
            body_offset,
            heading_shift: 0,
            summary_title: None,
        }
    }
}

/// How mdBook's nesting shows in a book: a sub-chapter's file at depth `d` in `SUMMARY.md`
/// has every heading moved `d` levels down (its `#` becomes `##` at depth 1), as pandoc's
/// `--shift-heading-level-by` and mdBook's print view do. With chapters split at `#`, a
/// sub-chapter thus becomes a section of its parent chapter, and the table of contents
/// nests the same way in the EPUB nav and the PDF bookmarks without either back end knowing
/// about mdBook. Levels stop at 6. A file that does not open with a `#` heading first gets
/// one made from its `SUMMARY.md` title (`summary_title`), shifted the same way, so that
/// every summary entry has its place in the contents.
pub fn shift_headings(
    blocks: &mut Vec<Block>,
    shift: u8,
    summary_title: Option<&str>,
    ids: &mut IdAllocator,
) {
    let opens_with_title = matches!(blocks.first(), Some(Block::Heading { level: 1, .. }));
    if let Some(title) = summary_title.filter(|_| !opens_with_title) {
        blocks.insert(
            0,
            Block::Heading {
                level: 1,
                id: ids.unique(&slugify(title, "chapter")),
                content: vec![Inline::Text(title.to_string())],
            },
        );
    }
    if shift == 0 {
        return;
    }
    for block in blocks.iter_mut() {
        if let Block::Heading { level, .. } = block {
            *level = level.saturating_add(shift).min(6);
        }
    }
}

/// Byte offset → line and column, for diagnostics.
pub struct LineIndex {
    line_starts: Vec<usize>,
    text: String,
}

impl LineIndex {
    /// Index a file's text.
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            line_starts,
            text: text.to_string(),
        }
    }

    /// The 1-based position of a byte offset in `file`.
    pub fn position(&self, file: &Path, offset: usize) -> SourcePos {
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1];
        let column = self
            .text
            .get(start..offset.min(self.text.len()))
            .map_or(1, |s| s.chars().count() + 1);
        SourcePos {
            file: file.to_path_buf(),
            line,
            column,
        }
    }
}

/// Footnote labels (per file) → book-wide numbers in order of first reference, and their text.
#[derive(Default)]
pub struct FootnoteTable {
    numbers: BTreeMap<(usize, String), u32>,
    definitions: BTreeMap<u32, Vec<Block>>,
    pending: BTreeMap<(usize, String), Vec<Block>>,
}

impl FootnoteTable {
    /// Number a reference to `label` in file `file`.
    pub fn reference(&mut self, file: usize, label: &str) -> (String, u32) {
        let next = self.numbers.len() as u32 + 1;
        let number = *self
            .numbers
            .entry((file, label.to_string()))
            .or_insert(next);
        if let Some(blocks) = self.pending.remove(&(file, label.to_string())) {
            self.definitions.entry(number).or_insert(blocks);
        }
        (footnote_id(number), number)
    }

    /// Record the definition of `label` in file `file` (the first definition wins).
    pub fn define(&mut self, file: usize, label: &str, blocks: Vec<Block>) {
        match self.numbers.get(&(file, label.to_string())) {
            Some(number) => {
                self.definitions.entry(*number).or_insert(blocks);
            }
            None => {
                self.pending
                    .entry((file, label.to_string()))
                    .or_insert(blocks);
            }
        }
    }
}

fn footnote_id(number: u32) -> String {
    format!("fn-{number}")
}

/// Parse manuscripts into a book. `resolve_image` turns image references into assets;
/// `lenient` turns remote images into their alt text (with a warning) instead of an error.
/// A manuscript with nothing to publish (only comments, link definitions, …) is an error.
pub fn parse_book(
    manuscripts: &[Manuscript],
    mut meta: Metadata,
    split_level: Option<u8>,
    lenient: bool,
    resolve_image: &mut dyn FnMut(&str, &Path, &SourcePos) -> Result<AssetId>,
    diagnostics: &mut Diagnostics,
) -> Result<Book> {
    let mut ids = IdAllocator::default();
    let mut footnotes = FootnoteTable::default();
    let mut blocks = Vec::new();
    for (file_index, manuscript) in manuscripts.iter().enumerate() {
        let lines = LineIndex::new(&manuscript.text);
        let base = manuscript
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let mut resolve = |reference: &str, at: &SourcePos| resolve_image(reference, &base, at);
        let mut cx = convert::ConvertContext {
            path: &manuscript.path,
            lines: &lines,
            ids: &mut ids,
            footnotes: &mut footnotes,
            file_index,
            resolve_image: &mut resolve,
            lenient,
            diagnostics,
        };
        let body = manuscript.text.get(manuscript.body_offset..).unwrap_or("");
        let mut file_blocks = convert::convert(body, manuscript.body_offset, &mut cx)?;
        shift_headings(
            &mut file_blocks,
            manuscript.heading_shift,
            manuscript.summary_title.as_deref(),
            &mut ids,
        );
        blocks.extend(file_blocks);
    }

    if blocks.is_empty() {
        return Err(crate::error::Error::Manuscript {
            path: manuscripts
                .first()
                .map(|m| m.path.clone())
                .unwrap_or_default(),
            message: "the manuscript has no text to publish (only comments, link definitions \
                      or front matter); write some Markdown text first"
                .into(),
        });
    }
    let provisional_title = vec![Inline::Text(meta.title.clone())];
    let mut chaptered = chapters::split_chapters(blocks, split_level, &provisional_title, &mut ids);
    if chaptered.empty_headings > 0 {
        diagnostics.warn(format!(
            "{} heading(s) with no text were dropped (an image in one is kept as a paragraph)",
            chaptered.empty_headings
        ));
    }
    if meta.title.trim().is_empty() {
        let from_heading = chaptered.title_heading.as_deref().map(plain_text);
        meta.title = from_heading
            .filter(|t| !t.trim().is_empty())
            .or_else(|| {
                manuscripts
                    .first()
                    .and_then(|m| m.path.file_stem())
                    .map(|s| s.to_string_lossy().into_owned())
            })
            .unwrap_or_else(|| "Untitled".into());
        for chapter in &mut chaptered.chapters {
            if chapter.title == provisional_title {
                chapter.title = vec![Inline::Text(meta.title.clone())];
            }
        }
    }
    let mut chapters = chaptered.chapters;

    place_footnotes(&mut chapters, footnotes.definitions, diagnostics);
    let anchors = collect_anchors(&chapters);
    resolve_internal_links(&mut chapters, &anchors, diagnostics);

    Ok(Book {
        meta,
        chapters,
        assets: Vec::new(),
        anchors,
    })
}

/// Each footnote goes to the chapter that first references it.
fn place_footnotes(
    chapters: &mut [Chapter],
    mut definitions: BTreeMap<u32, Vec<Block>>,
    diagnostics: &mut Diagnostics,
) {
    for chapter in chapters.iter_mut() {
        let mut queue = Vec::new();
        crate::ir::visit_inlines(&chapter.blocks, &mut |inlines| {
            collect_refs(inlines, &mut queue)
        });
        let mut i = 0;
        while i < queue.len() {
            let number = queue[i];
            i += 1;
            if let Some(blocks) = definitions.remove(&number) {
                // Notes may reference further notes; those follow in the same chapter.
                crate::ir::visit_inlines(&blocks, &mut |inlines| collect_refs(inlines, &mut queue));
                chapter.footnotes.push(Footnote {
                    id: footnote_id(number),
                    number,
                    blocks,
                });
            }
        }
    }
    // References whose definition is missing become their literal text.
    let defined: std::collections::BTreeSet<String> = chapters
        .iter()
        .flat_map(|c| c.footnotes.iter().map(|f| f.id.clone()))
        .collect();
    for chapter in chapters.iter_mut() {
        crate::ir::visit_inlines_mut(&mut chapter.blocks, &mut |inlines| {
            for inline in inlines.iter_mut() {
                if let Inline::FootnoteRef { id, number } = inline {
                    if !defined.contains(id.as_str()) {
                        diagnostics
                            .warn(format!("footnote {number} is referenced but never defined"));
                        *inline = Inline::Text(format!("[{number}]"));
                    }
                }
            }
        });
    }
}

fn collect_refs(inlines: &[Inline], out: &mut Vec<u32>) {
    for inline in inlines {
        match inline {
            Inline::FootnoteRef { number, .. } if !out.contains(number) => out.push(*number),
            Inline::Emphasis(c) | Inline::Strong(c) | Inline::Strikethrough(c) => {
                collect_refs(c, out)
            }
            Inline::Link { content, .. } => collect_refs(content, out),
            _ => {}
        }
    }
}

fn collect_anchors(chapters: &[Chapter]) -> BTreeMap<String, usize> {
    let mut anchors = BTreeMap::new();
    for (index, chapter) in chapters.iter().enumerate() {
        anchors.insert(chapter.id.clone(), index);
        crate::ir::visit_blocks(&chapter.blocks, &mut |block| match block {
            Block::Heading { id, .. } => {
                anchors.insert(id.clone(), index);
            }
            Block::Figure(figure) => {
                anchors.insert(figure.id.clone(), index);
            }
            _ => {}
        });
        for note in &chapter.footnotes {
            anchors.insert(note.id.clone(), index);
        }
    }
    anchors
}

/// Internal links are matched against anchor ids, then against slugs of them; a link to an
/// anchor that does not exist keeps its text and loses the link (with a warning).
fn resolve_internal_links(
    chapters: &mut [Chapter],
    anchors: &BTreeMap<String, usize>,
    diagnostics: &mut Diagnostics,
) {
    let by_loose_slug: BTreeMap<String, String> = anchors
        .keys()
        .map(|id| (loose_slug(id), id.clone()))
        .collect();
    let mut fix = |inlines: &mut Vec<Inline>| {
        let mut out = Vec::with_capacity(inlines.len());
        for inline in inlines.drain(..) {
            match inline {
                Inline::Link {
                    target: LinkTarget::Internal(fragment),
                    content,
                } => {
                    let resolved = if anchors.contains_key(&fragment) {
                        Some(fragment.clone())
                    } else {
                        by_loose_slug.get(&loose_slug(&fragment)).cloned()
                    };
                    match resolved {
                        Some(id) => out.push(Inline::Link {
                            target: LinkTarget::Internal(id),
                            content,
                        }),
                        None => {
                            diagnostics.warn(format!(
                                "link to `#{fragment}`: no heading or figure has that id; kept as text"
                            ));
                            out.extend(content);
                        }
                    }
                }
                other => out.push(other),
            }
        }
        *inlines = out;
    };
    for chapter in chapters.iter_mut() {
        crate::ir::visit_inlines_mut(&mut chapter.blocks, &mut fix);
        for note in &mut chapter.footnotes {
            crate::ir::visit_inlines_mut(&mut note.blocks, &mut fix);
        }
    }
}

/// GitHub-style anchors drop punctuation; compare on letters and digits only.
fn loose_slug(id: &str) -> String {
    slugify(&id.replace(['’', '\''], ""), "").replace('-', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heading_levels(blocks: &[Block]) -> Vec<(u8, String)> {
        blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading { level, content, .. } => Some((*level, plain_text(content))),
                _ => None,
            })
            .collect()
    }

    fn heading(level: u8, text: &str) -> Block {
        Block::Heading {
            level,
            id: slugify(text, "h"),
            content: vec![Inline::Text(text.into())],
        }
    }

    #[test]
    fn sub_chapters_move_down_by_their_depth() {
        let mut blocks = vec![heading(1, "Own"), heading(2, "Sub"), heading(6, "Floor")];
        shift_headings(
            &mut blocks,
            2,
            Some("Summary name"),
            &mut IdAllocator::default(),
        );
        assert_eq!(
            heading_levels(&blocks),
            [(3, "Own".into()), (4, "Sub".into()), (6, "Floor".into())]
        );
    }

    #[test]
    fn a_file_without_its_own_title_gets_the_summary_title() {
        let mut blocks = vec![
            Block::Paragraph(vec![Inline::Text("x".into())]),
            heading(2, "S"),
        ];
        shift_headings(
            &mut blocks,
            1,
            Some("From summary"),
            &mut IdAllocator::default(),
        );
        assert_eq!(
            heading_levels(&blocks),
            [(2, "From summary".into()), (3, "S".into())]
        );
        let mut plain = vec![Block::Paragraph(vec![Inline::Text("x".into())])];
        shift_headings(&mut plain, 0, None, &mut IdAllocator::default());
        assert_eq!(plain.len(), 1);
    }
}
