//! The front end: Markdown manuscripts (pulldown-cmark) → [`crate::ir::Book`].
//!
//! `convert` turns one file's events into blocks, `figure` reads the figure convention,
//! `chapters` splits the blocks into chapters. This module ties them together and does the
//! book-wide passes: footnote placement and internal-link resolution.

pub mod chapters;
pub mod convert;
pub mod figure;
pub mod html;
pub mod links;
pub mod quotes;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Diagnostics, Result, SourcePos};
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
    /// Definitions not (yet) referenced, with where they are written.
    pending: BTreeMap<(usize, String), (Vec<Block>, SourcePos)>,
    /// Every label defined, per file.
    defined: std::collections::BTreeSet<(usize, String)>,
}

impl FootnoteTable {
    /// Number a reference to `label` in file `file`.
    pub fn reference(&mut self, file: usize, label: &str) -> (String, u32) {
        let next = self.numbers.len() as u32 + 1;
        let number = *self
            .numbers
            .entry((file, label.to_string()))
            .or_insert(next);
        if let Some((blocks, _)) = self.pending.remove(&(file, label.to_string())) {
            self.definitions.entry(number).or_insert(blocks);
        }
        (footnote_id(number), number)
    }

    /// Record the definition of `label` in file `file`, written at `at` (the first definition
    /// wins).
    pub fn define(&mut self, file: usize, label: &str, blocks: Vec<Block>, at: SourcePos) {
        self.defined.insert((file, label.to_string()));
        match self.numbers.get(&(file, label.to_string())) {
            Some(number) => {
                self.definitions.entry(*number).or_insert(blocks);
            }
            None => {
                self.pending
                    .entry((file, label.to_string()))
                    .or_insert((blocks, at));
            }
        }
    }

    /// Warn about references in file `file` to labels it never defines (they stay in the text
    /// as written), suggesting the nearest defined label.
    pub fn report_undefined(
        &self,
        file: usize,
        references: Vec<(String, SourcePos)>,
        diagnostics: &mut Diagnostics,
    ) {
        for (label, at) in references {
            let nearest = self
                .defined
                .range((file, String::new())..)
                .take_while(|(f, _)| *f == file)
                .map(|(_, l)| (edit_distance(l, &label), l))
                .filter(|(distance, _)| *distance <= 2)
                .min();
            let mut warning = Diagnostic::warning(format!(
                "footnote reference `[^{label}]` has no definition; it is printed as written"
            ))
            .at(at);
            warning = match nearest {
                Some((_, l)) => warning.hint(format!("did you mean `[^{l}]`?")),
                None => warning.hint(format!("define it on a line of its own: `[^{label}]: …`")),
            };
            diagnostics.push(warning);
        }
    }

    /// Warn about the definitions of file `file` that nothing references: their text would
    /// otherwise vanish without a word (labels are per file, so the file is complete).
    pub fn report_unused(&mut self, file: usize, diagnostics: &mut Diagnostics) {
        let unused: Vec<(usize, String)> = self
            .pending
            .range((file, String::new())..)
            .take_while(|((f, _), _)| *f == file)
            .map(|(key, _)| key.clone())
            .collect();
        for key in unused {
            if let Some((_, at)) = self.pending.remove(&key) {
                diagnostics.push(
                    Diagnostic::warning(format!(
                        "footnote `[^{}]` is defined but never referenced; its text is not \
                         in the book",
                        key.1
                    ))
                    .at(at)
                    .hint(format!(
                        "reference it in the text with `[^{}]`, or delete the definition",
                        key.1
                    )),
                );
            }
        }
    }
}

/// Links to places in the book, collected while the files are read and resolved once every
/// heading id is known. While the front end runs, such a link's [`LinkTarget::Internal`] holds
/// a key into this table ([`PENDING_LINK_MARK`] + index); the resolution pass replaces every
/// key by a real anchor id or removes the link, so no key ever reaches a back end.
#[derive(Default)]
pub struct PendingLinks {
    links: Vec<PendingLink>,
}

/// Starts the key of a pending link; slugs never contain a control character.
const PENDING_LINK_MARK: char = '\u{1}';

struct PendingLink {
    /// The manuscript file the link is written in.
    from_file: usize,
    /// The manuscript file it points to, when it names one.
    file: Option<usize>,
    /// The fragment (`#id`), when it has one.
    fragment: Option<String>,
    /// Where the link is written.
    at: SourcePos,
}

impl PendingLinks {
    /// Record a link to a place in the book and return the target that stands for it.
    pub fn pending(
        &mut self,
        from_file: usize,
        file: Option<usize>,
        fragment: Option<String>,
        at: SourcePos,
    ) -> LinkTarget {
        self.links.push(PendingLink {
            from_file,
            file,
            fragment,
            at,
        });
        LinkTarget::Internal(format!("{PENDING_LINK_MARK}{}", self.links.len() - 1))
    }

    fn get(&self, key: &str) -> Option<&PendingLink> {
        let index: usize = key.strip_prefix(PENDING_LINK_MARK)?.parse().ok()?;
        self.links.get(index)
    }
}

/// Levenshtein distance, for "did you mean" hints on short labels.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
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
    let mut links = PendingLinks::default();
    let paths: Vec<PathBuf> = manuscripts.iter().map(|m| m.path.clone()).collect();
    let mut file_anchors: Vec<Option<String>> = Vec::with_capacity(manuscripts.len());
    let mut html_warned = std::collections::BTreeSet::new();
    let mut empty_headings: BTreeMap<String, SourcePos> = BTreeMap::new();
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
            manuscripts: &paths,
            links: &mut links,
            first_heading: None,
            html_warned: &mut html_warned,
            undefined_notes: Vec::new(),
            empty_headings: Vec::new(),
            quotes: quotes::QuoteRewriter::new(&meta.language),
        };
        let body = manuscript.text.get(manuscript.body_offset..).unwrap_or("");
        let mut file_blocks = convert::convert(body, manuscript.body_offset, &mut cx)?;
        let first_heading = cx.first_heading.take();
        empty_headings.extend(std::mem::take(&mut cx.empty_headings));
        let undefined_notes = std::mem::take(&mut cx.undefined_notes);
        footnotes.report_undefined(file_index, undefined_notes, diagnostics);
        footnotes.report_unused(file_index, diagnostics);
        shift_headings(
            &mut file_blocks,
            manuscript.heading_shift,
            manuscript.summary_title.as_deref(),
            &mut ids,
        );
        // A link to the file lands on its first heading (one made from SUMMARY.md included).
        file_anchors.push(match file_blocks.first() {
            Some(Block::Heading { id, .. }) => Some(id.clone()),
            _ => first_heading,
        });
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
    for id in &chaptered.empty_headings {
        let mut warning = Diagnostic::warning(
            "a heading with no text is left out (it would be an empty entry in the table of \
             contents; an image in it is kept as a paragraph)",
        )
        .hint("write the heading's text after the `#` marks, or delete the line");
        if let Some(at) = empty_headings.get(id) {
            warning = warning.at(at.clone());
        }
        diagnostics.push(warning);
    }
    if meta.title.trim().is_empty() {
        let from_heading = chaptered
            .title_heading
            .as_deref()
            .map(plain_text)
            .filter(|t| !t.trim().is_empty());
        meta.title = match from_heading {
            Some(title) => title,
            None => {
                // A metadata gap worth a word: the file's name is rarely the book's title.
                let first = manuscripts.first();
                let fallback = first
                    .and_then(|m| m.path.file_stem())
                    .map_or_else(|| "Untitled".into(), |s| s.to_string_lossy().into_owned());
                let mut warning = Diagnostic::warning(format!(
                    "the book has no title; it is called `{fallback}` after its file"
                ))
                .hint("set `title` under [book] in book.toml, or in the manuscript's front matter");
                if let Some(first) = first {
                    warning = warning.at(SourcePos {
                        file: first.path.clone(),
                        line: 1,
                        column: 1,
                    });
                }
                diagnostics.push(warning);
                fallback
            }
        };
        for chapter in &mut chaptered.chapters {
            if chapter.title == provisional_title {
                chapter.title = vec![Inline::Text(meta.title.clone())];
            }
        }
    }
    // The article rule is for one manuscript; several files make a book. A single
    // chapter is an article whatever its headings: a title page and imprint before one
    // chapter would only add blank-looking pages.
    let shape = if chaptered.chapters.len() <= 1 {
        crate::ir::BookShape::Article
    } else if manuscripts.len() == 1 {
        chaptered.shape
    } else {
        crate::ir::BookShape::Book
    };
    let mut chapters = chaptered.chapters;

    place_footnotes(&mut chapters, footnotes.definitions, diagnostics);
    let anchors = collect_anchors(&chapters);
    let targets = LinkTargets {
        anchors: &anchors,
        pending: &links,
        file_anchors: &file_anchors,
        paths: &paths,
        first_chapter: chapters.first().map(|c| c.id.clone()),
        by_loose_slug: anchors
            .keys()
            .map(|id| (loose_slug(id), id.clone()))
            .collect(),
    };
    resolve_internal_links(&mut chapters, &targets, diagnostics);

    Ok(Book {
        meta,
        chapters,
        assets: Vec::new(),
        anchors,
        // The loader resolves the settings once it has the metadata.
        settings: crate::ir::Settings::default(),
        shape,
        ..Book::default()
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
            Inline::Emphasis(c)
            | Inline::Strong(c)
            | Inline::Strikethrough(c)
            | Inline::Styled { content: c, .. } => collect_refs(c, out),
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
        let mut inline_anchors = Vec::new();
        crate::ir::visit_inlines(&chapter.blocks, &mut |inlines| {
            crate::ir::collect_inline_anchors(inlines, &mut inline_anchors)
        });
        for id in inline_anchors {
            anchors.insert(id, index);
        }
    }
    anchors
}

/// What internal links can point at, for [`resolve_internal_links`].
struct LinkTargets<'a> {
    anchors: &'a BTreeMap<String, usize>,
    pending: &'a PendingLinks,
    /// The first heading id of each manuscript file, if it has one.
    file_anchors: &'a [Option<String>],
    paths: &'a [PathBuf],
    first_chapter: Option<String>,
    /// Anchor ids by [`loose_slug`], for links written the GitHub way.
    by_loose_slug: BTreeMap<String, String>,
}

impl LinkTargets<'_> {
    /// The anchor id a pending link lands on, or a warning saying why it cannot.
    fn resolve(&self, link: &PendingLink) -> std::result::Result<String, Diagnostic> {
        if let Some(fragment) = &link.fragment {
            if self.anchors.contains_key(fragment) {
                return Ok(fragment.clone());
            }
            if let Some(id) = self.by_loose_slug.get(&loose_slug(fragment)) {
                return Ok(id.clone());
            }
            let file = link
                .file
                .and_then(|f| self.paths.get(f))
                .map_or_else(String::new, |p| p.display().to_string());
            return Err(Diagnostic::warning(format!(
                "link to `{file}#{fragment}`: no heading or figure has that id; kept as text"
            ))
            .at(link.at.clone())
            .hint(
                "heading ids are the heading text in lower case with hyphens, e.g. `#my-heading`",
            ));
        }
        let file = link.file.unwrap_or(link.from_file);
        // A file without a heading of its own continues the chapter before it.
        let up_to_file = self.file_anchors.get(..=file).unwrap_or(self.file_anchors);
        let anchor = up_to_file
            .iter()
            .rev()
            .flatten()
            .find(|id| self.anchors.contains_key(*id))
            .cloned()
            .or_else(|| self.first_chapter.clone());
        anchor.ok_or_else(|| {
            Diagnostic::warning("link to a manuscript with no chapter; kept as text")
                .at(link.at.clone())
        })
    }
}

/// Internal links are matched against anchor ids, then against slugs of them; a link to an
/// anchor that does not exist keeps its text and loses the link (with a located warning).
fn resolve_internal_links(
    chapters: &mut [Chapter],
    targets: &LinkTargets<'_>,
    diagnostics: &mut Diagnostics,
) {
    let mut fix = |inlines: &mut Vec<Inline>| {
        let mut out = Vec::with_capacity(inlines.len());
        for inline in inlines.drain(..) {
            match inline {
                Inline::Link {
                    target: LinkTarget::Internal(key),
                    content,
                } => {
                    let resolved = match targets.pending.get(&key) {
                        Some(link) => targets.resolve(link),
                        None if targets.anchors.contains_key(&key) => Ok(key),
                        None => Err(Diagnostic::warning(format!(
                            "link to `#{key}`: no heading or figure has that id; kept as text"
                        ))),
                    };
                    match resolved {
                        Ok(id) => out.push(Inline::Link {
                            target: LinkTarget::Internal(id),
                            content,
                        }),
                        Err(warning) => {
                            diagnostics.push(warning);
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
