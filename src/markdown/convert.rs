//! pulldown-cmark events → IR blocks for one manuscript file.
//!
//! A stack of open containers mirrors the event nesting; each `End` event pops one container
//! and hands the finished node to its parent.

use std::path::Path;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::figure::paragraph_or_figure;
use super::{FootnoteTable, LineIndex};
use crate::error::{Diagnostic, Diagnostics, Error, Result, SourcePos};
use crate::ir::{
    plain_text, Alignment, AssetId, Block, IdAllocator, Inline, LinkTarget, List, ListItem, Table,
};

/// Marks a soft line break inside a paragraph until the paragraph is finished.
/// Text events never contain a newline, so the marker cannot clash with real text.
pub(super) const SOFT_BREAK: &str = "\n";

/// Deepest nesting of block containers (block quotes, lists, list items) and of inline
/// containers (emphasis, links, …) kept in the IR. Deeper containers are flattened into their
/// parent, keeping their content: hostile input (5000 levels of `>`) must not overflow the stack
/// of the recursive passes in the back ends.
pub const MAX_NESTING: usize = 100;

/// Control characters other than tab and line ends, and the non-characters U+FFFE/U+FFFF
/// (none of them allowed in XML), become U+FFFD.
pub fn replace_stray_controls(text: String) -> String {
    if !text.chars().any(is_stray_control) {
        return text;
    }
    text.chars()
        .map(|c| if is_stray_control(c) { '\u{fffd}' } else { c })
        .collect()
}

fn is_stray_control(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{fffe}' | '\u{ffff}')
}

/// `http:`/`https:` (any case): a remote image, never fetched.
pub fn is_remote_reference(reference: &str) -> bool {
    let lower = reference.trim().to_ascii_lowercase();
    lower.starts_with("http:") || lower.starts_with("https:")
}

/// The Markdown dialect presswork reads: CommonMark plus the GFM extensions.
pub fn parser_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Everything the converter needs from its caller.
pub struct ConvertContext<'a> {
    /// The manuscript file (for messages).
    pub path: &'a Path,
    /// Maps byte offsets to lines.
    pub lines: &'a LineIndex,
    /// Book-wide heading/figure ids.
    pub ids: &'a mut IdAllocator,
    /// Book-wide footnote numbering.
    pub footnotes: &'a mut FootnoteTable,
    /// Index of this file in the manuscript list (footnote labels are per file).
    pub file_index: usize,
    /// Resolves an image reference to an asset.
    pub resolve_image: &'a mut dyn FnMut(&str, &SourcePos) -> Result<AssetId>,
    /// Remote images become their alt text with a warning instead of an error.
    pub lenient: bool,
    /// Where warnings go.
    pub diagnostics: &'a mut Diagnostics,
}

enum Frame {
    Root(Vec<Block>),
    BlockQuote(Vec<Block>),
    List(Option<u64>, Vec<ListItem>),
    Item(Option<bool>, Vec<Block>, Vec<Inline>),
    FootnoteDefinition(String, Vec<Block>),
    Paragraph(Vec<Inline>, Option<String>),
    Heading(u8, Option<String>, Vec<Inline>),
    CodeBlock(Option<String>, String),
    HtmlBlock(String),
    Table(Vec<Alignment>, Vec<Vec<Inline>>, Vec<Vec<Vec<Inline>>>),
    TableHead(Vec<Vec<Inline>>),
    TableRow(Vec<Vec<Inline>>),
    TableCell(Vec<Inline>),
    Emphasis(Vec<Inline>),
    Strong(Vec<Inline>),
    Strikethrough(Vec<Inline>),
    Link(LinkTarget, Vec<Inline>),
    Image(String, String, SourcePos, Vec<Inline>),
    /// Wrapper of an extension presswork does not enable: content kept, wrapper dropped.
    Transparent(Vec<Inline>),
    /// A block container nested deeper than [`MAX_NESTING`]: its blocks (and any tight text)
    /// go to the parent.
    Flattened(Vec<Block>, Vec<Inline>),
}

impl Frame {
    fn is_block_container(&self) -> bool {
        matches!(
            self,
            Frame::BlockQuote(_)
                | Frame::List(..)
                | Frame::Item(..)
                | Frame::FootnoteDefinition(..)
                | Frame::Flattened(..)
        )
    }

    fn is_inline_container(&self) -> bool {
        matches!(
            self,
            Frame::Emphasis(_) | Frame::Strong(_) | Frame::Strikethrough(_) | Frame::Link(..)
        )
    }
}

/// Convert one manuscript body into top-level blocks. Headings of every level stay in the
/// list as [`Block::Heading`]; chaptering happens afterwards.
pub fn convert(
    markdown: &str,
    body_offset: usize,
    cx: &mut ConvertContext<'_>,
) -> Result<Vec<Block>> {
    let mut stack = vec![Frame::Root(Vec::new())];
    for (event, range) in Parser::new_ext(markdown, parser_options()).into_offset_iter() {
        let offset = body_offset + range.start;
        match event {
            Event::Start(tag) => start(tag, offset, cx, &mut stack),
            Event::End(tag) => end(tag, cx, &mut stack)?,
            Event::Text(text) => push_text(&mut stack, &clean(text.into_string())),
            Event::Code(code) => push_inline(&mut stack, Inline::Code(clean(code.into_string()))),
            Event::InlineMath(text) | Event::DisplayMath(text) => {
                push_text(&mut stack, &clean(text.into_string()))
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                push_html(&mut stack, &clean(html.into_string()))
            }
            Event::FootnoteReference(label) => {
                let (id, number) = cx.footnotes.reference(cx.file_index, &label);
                push_inline(&mut stack, Inline::FootnoteRef { id, number });
            }
            Event::SoftBreak => push_inline(&mut stack, Inline::Text(SOFT_BREAK.into())),
            Event::HardBreak => push_inline(&mut stack, Inline::LineBreak),
            Event::Rule => push_block(&mut stack, cx.ids, Block::ThematicBreak),
            Event::TaskListMarker(checked) => {
                if let Some(Frame::Item(task, ..)) = stack.last_mut() {
                    *task = Some(checked);
                }
            }
        }
    }
    match stack.pop() {
        Some(Frame::Root(blocks)) if stack.is_empty() => Ok(blocks),
        _ => Err(Error::Manuscript {
            path: cx.path.to_path_buf(),
            message: "internal error: unbalanced Markdown events".into(),
        }),
    }
}

/// Character references such as `&#1;` reach the text after the loader's check.
fn clean(text: String) -> String {
    replace_stray_controls(text)
}

fn start(tag: Tag<'_>, offset: usize, cx: &mut ConvertContext<'_>, stack: &mut Vec<Frame>) {
    let too_deep_blocks = stack.iter().filter(|f| f.is_block_container()).count() >= MAX_NESTING;
    let too_deep_inlines = stack.iter().filter(|f| f.is_inline_container()).count() >= MAX_NESTING;
    let frame = match tag {
        Tag::BlockQuote(_) | Tag::List(_) | Tag::Item if too_deep_blocks => {
            Frame::Flattened(Vec::new(), Vec::new())
        }
        Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. } if too_deep_inlines => {
            Frame::Transparent(Vec::new())
        }
        Tag::Paragraph => Frame::Paragraph(Vec::new(), None),
        Tag::Heading { level, id, .. } => Frame::Heading(
            heading_level(level),
            id.map(|i| i.into_string()),
            Vec::new(),
        ),
        Tag::BlockQuote(_) => Frame::BlockQuote(Vec::new()),
        Tag::CodeBlock(kind) => {
            let language = match kind {
                CodeBlockKind::Fenced(info) => info
                    .split_whitespace()
                    .next()
                    .map(str::to_string)
                    .filter(|s| !s.is_empty()),
                CodeBlockKind::Indented => None,
            };
            Frame::CodeBlock(language, String::new())
        }
        Tag::HtmlBlock => Frame::HtmlBlock(String::new()),
        Tag::List(start) => Frame::List(start, Vec::new()),
        Tag::Item => Frame::Item(None, Vec::new(), Vec::new()),
        Tag::FootnoteDefinition(label) => {
            Frame::FootnoteDefinition(label.into_string(), Vec::new())
        }
        Tag::Table(aligns) => Frame::Table(
            aligns
                .into_iter()
                .map(|a| match a {
                    pulldown_cmark::Alignment::None => Alignment::None,
                    pulldown_cmark::Alignment::Left => Alignment::Left,
                    pulldown_cmark::Alignment::Center => Alignment::Center,
                    pulldown_cmark::Alignment::Right => Alignment::Right,
                })
                .collect(),
            Vec::new(),
            Vec::new(),
        ),
        Tag::TableHead => Frame::TableHead(Vec::new()),
        Tag::TableRow => Frame::TableRow(Vec::new()),
        Tag::TableCell => Frame::TableCell(Vec::new()),
        Tag::Emphasis => Frame::Emphasis(Vec::new()),
        Tag::Strong => Frame::Strong(Vec::new()),
        Tag::Strikethrough => Frame::Strikethrough(Vec::new()),
        Tag::Link { dest_url, .. } => {
            Frame::Link(classify_link(&clean(dest_url.into_string())), Vec::new())
        }
        Tag::Image {
            dest_url, title, ..
        } => Frame::Image(
            dest_url.into_string(),
            clean(title.into_string()),
            cx.lines.position(cx.path, offset),
            Vec::new(),
        ),
        // Extensions presswork does not enable: keep their text, drop the wrapper.
        Tag::MetadataBlock(_)
        | Tag::DefinitionList
        | Tag::DefinitionListTitle
        | Tag::DefinitionListDefinition
        | Tag::Superscript
        | Tag::Subscript => Frame::Transparent(Vec::new()),
    };
    stack.push(frame);
}

fn end(_tag: TagEnd, cx: &mut ConvertContext<'_>, stack: &mut Vec<Frame>) -> Result<()> {
    let Some(frame) = stack.pop() else {
        return Ok(());
    };
    match frame {
        Frame::Root(_) => {}
        Frame::Paragraph(inlines, image_title) => {
            if let Some(block) = paragraph_or_figure(inlines, image_title, cx.ids) {
                push_block(stack, cx.ids, block);
            }
        }
        Frame::Heading(level, explicit_id, inlines) => {
            let content = finish_inlines(inlines);
            let base = explicit_id
                .map(|id| crate::ir::slugify(&id, "section"))
                .unwrap_or_else(|| crate::ir::slugify(&plain_text(&content), "section"));
            let id = cx.ids.unique(&base);
            push_block(stack, cx.ids, Block::Heading { level, id, content });
        }
        Frame::BlockQuote(blocks) => push_block(stack, cx.ids, Block::BlockQuote(blocks)),
        Frame::CodeBlock(language, mut code) => {
            if code.ends_with('\n') {
                code.pop();
            }
            push_block(stack, cx.ids, Block::CodeBlock { language, code });
        }
        Frame::HtmlBlock(html) => {
            let text = html.trim();
            if !text.is_empty() {
                push_block(
                    stack,
                    cx.ids,
                    Block::Paragraph(vec![Inline::Text(text.to_string())]),
                );
            }
        }
        Frame::List(start, items) => push_block(stack, cx.ids, Block::List(List { start, items })),
        Frame::Item(task, mut blocks, loose) => {
            flush_tight_text(&mut blocks, loose, cx.ids);
            match stack.last_mut() {
                Some(Frame::List(_, items)) => items.push(ListItem { task, blocks }),
                _ => {
                    for block in blocks {
                        push_block(stack, cx.ids, block);
                    }
                }
            }
        }
        Frame::Flattened(mut blocks, loose) => {
            flush_tight_text(&mut blocks, loose, cx.ids);
            for block in blocks {
                push_block(stack, cx.ids, block);
            }
        }
        Frame::FootnoteDefinition(label, blocks) => {
            cx.footnotes.define(cx.file_index, &label, blocks);
        }
        Frame::Table(alignments, header, rows) => push_block(
            stack,
            cx.ids,
            Block::Table(Table {
                alignments,
                header,
                rows,
            }),
        ),
        Frame::TableHead(cells) => {
            if let Some(Frame::Table(_, header, _)) = stack.last_mut() {
                *header = cells;
            }
        }
        Frame::TableRow(cells) => {
            if let Some(Frame::Table(_, _, rows)) = stack.last_mut() {
                rows.push(cells);
            }
        }
        Frame::TableCell(inlines) => match stack.last_mut() {
            Some(Frame::TableHead(cells)) | Some(Frame::TableRow(cells)) => {
                cells.push(finish_inlines(inlines))
            }
            _ => {}
        },
        Frame::Emphasis(c) => push_inline(stack, Inline::Emphasis(c)),
        Frame::Transparent(c) => {
            for inline in c {
                push_inline(stack, inline);
            }
        }
        Frame::Strong(c) => push_inline(stack, Inline::Strong(c)),
        Frame::Strikethrough(c) => push_inline(stack, Inline::Strikethrough(c)),
        Frame::Link(target, content) => push_inline(stack, Inline::Link { target, content }),
        Frame::Image(dest, title, at, alt_inlines) => {
            let alt = plain_text(&finish_inlines(alt_inlines)).trim().to_string();
            if cx.lenient && is_remote_reference(&dest) {
                cx.diagnostics.warn(format!(
                    "{at}: remote image `{dest}` not fetched (builds are offline); \
                     its alt text stands in for it"
                ));
                if !alt.is_empty() {
                    push_inline(stack, Inline::Text(alt));
                }
                return Ok(());
            }
            let asset = match (cx.resolve_image)(&dest, &at) {
                Ok(asset) => asset,
                Err(Error::Image { reason, .. }) if cx.lenient => {
                    cx.diagnostics.push(
                        Diagnostic::warning(format!("image `{dest}` left out: {reason}"))
                            .at(at)
                            .hint("its alt text stands in for it (--lenient)"),
                    );
                    if !alt.is_empty() {
                        push_inline(stack, Inline::Text(alt));
                    }
                    return Ok(());
                }
                Err(error) => return Err(error),
            };
            push_inline(stack, Inline::Image { asset, alt });
            if let Some(Frame::Paragraph(_, image_title @ None)) = stack.last_mut() {
                if !title.trim().is_empty() {
                    *image_title = Some(title);
                }
            }
        }
    }
    Ok(())
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// `#frag` → internal; `file.md#frag` → internal (the fragment, or the file's first chapter
/// is not known here, so the bare file name); anything else is external.
fn classify_link(dest: &str) -> LinkTarget {
    if let Some(fragment) = dest.strip_prefix('#') {
        return LinkTarget::Internal(fragment.to_string());
    }
    let (path, fragment) = dest.split_once('#').unwrap_or((dest, ""));
    let is_url = path.contains(':');
    if !is_url && path.ends_with(".md") && !fragment.is_empty() {
        return LinkTarget::Internal(fragment.to_string());
    }
    LinkTarget::External(dest.to_string())
}

fn push_text(stack: &mut [Frame], text: &str) {
    match stack.last_mut() {
        Some(Frame::CodeBlock(_, code)) => code.push_str(text),
        Some(Frame::HtmlBlock(html)) => html.push_str(text),
        _ => push_inline(stack, Inline::Text(text.to_string())),
    }
}

/// Raw HTML is kept as literal text (each writer escapes it); comments are dropped.
fn push_html(stack: &mut [Frame], html: &str) {
    if let Some(Frame::HtmlBlock(buffer)) = stack.last_mut() {
        buffer.push_str(&strip_html_comments(html));
        return;
    }
    let text = strip_html_comments(html);
    if !text.is_empty() {
        push_inline(stack, Inline::Text(text));
    }
}

fn strip_html_comments(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        match rest[start + 4..].find("-->") {
            Some(end) => rest = &rest[start + 4 + end + 3..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn push_inline(stack: &mut [Frame], inline: Inline) {
    match stack.last_mut() {
        Some(Frame::Paragraph(v, _))
        | Some(Frame::Transparent(v))
        | Some(Frame::Heading(_, _, v))
        | Some(Frame::TableCell(v))
        | Some(Frame::Emphasis(v))
        | Some(Frame::Strong(v))
        | Some(Frame::Strikethrough(v))
        | Some(Frame::Link(_, v))
        | Some(Frame::Image(_, _, _, v))
        | Some(Frame::Item(_, _, v))
        | Some(Frame::Flattened(_, v)) => v.push(inline),
        Some(Frame::CodeBlock(_, code)) => code.push_str(&plain_text(&[inline])),
        Some(Frame::HtmlBlock(html)) => html.push_str(&plain_text(&[inline])),
        // Inline content directly in a block container (rare: e.g. text in a footnote
        // definition without a paragraph) becomes its own paragraph.
        Some(Frame::Root(blocks))
        | Some(Frame::BlockQuote(blocks))
        | Some(Frame::FootnoteDefinition(_, blocks)) => {
            blocks.push(Block::Paragraph(finish_inlines(vec![inline])))
        }
        _ => {}
    }
}

fn push_block(stack: &mut [Frame], ids: &mut IdAllocator, block: Block) {
    match stack.last_mut() {
        Some(Frame::Root(blocks))
        | Some(Frame::BlockQuote(blocks))
        | Some(Frame::FootnoteDefinition(_, blocks)) => blocks.push(block),
        Some(Frame::Item(_, blocks, loose)) | Some(Frame::Flattened(blocks, loose)) => {
            let pending = std::mem::take(loose);
            flush_tight_text(blocks, pending, ids);
            blocks.push(block);
        }
        _ => {}
    }
}

/// Tight list items carry their text without a paragraph; wrap it in one.
fn flush_tight_text(blocks: &mut Vec<Block>, pending: Vec<Inline>, ids: &mut IdAllocator) {
    if pending.is_empty() {
        return;
    }
    if let Some(block) = paragraph_or_figure(pending, None, ids) {
        blocks.push(block);
    }
}

/// Merge adjacent text, turn soft-break markers into spaces and trim the ends.
pub(super) fn finish_inlines(inlines: Vec<Inline>) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::with_capacity(inlines.len());
    for inline in inlines {
        let inline = match inline {
            Inline::Text(t) if t == SOFT_BREAK => Inline::Text(" ".into()),
            other => other,
        };
        match (out.last_mut(), inline) {
            (Some(Inline::Text(prev)), Inline::Text(next)) => prev.push_str(&next),
            (_, inline) => out.push(inline),
        }
    }
    if let Some(Inline::Text(t)) = out.first_mut() {
        *t = t.trim_start().to_string();
    }
    if let Some(Inline::Text(t)) = out.last_mut() {
        *t = t.trim_end().to_string();
    }
    out.retain(|i| !matches!(i, Inline::Text(t) if t.is_empty()));
    out
}
