//! pulldown-cmark events → IR blocks for one manuscript file.
//!
//! A stack of open containers mirrors the event nesting; each `End` event pops one container
//! and hands the finished node to its parent.

use std::path::Path;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::figure::paragraph_or_figure;
use super::html::{self, Element, HtmlToken};
use super::links::{self, Destination};
use super::{FootnoteTable, LineIndex, PendingLinks};
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
    if !has_stray_control(&text) {
        return text;
    }
    text.chars()
        .map(|c| if is_stray_control(c) { '\u{fffd}' } else { c })
        .collect()
}

/// Bytes screened at a time by [`has_stray_control`].
const SCREEN_BLOCK: usize = 64;

/// Whether `text` has a character [`is_stray_control`] finds. The whole manuscript is
/// checked at load, then every text of it: blocks of bytes are screened without branches
/// (which the compiler turns into vector instructions) for a byte that may start one, and
/// only a block that has such a byte is checked exactly. Decoding every character instead
/// was a tenth of a long book's load.
fn has_stray_control(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes
        .chunks(SCREEN_BLOCK)
        .enumerate()
        .any(|(block, chunk)| {
            chunk
                .iter()
                .fold(false, |found, &byte| found | may_start_stray_control(byte))
                && (0..chunk.len()).any(|i| starts_stray_control(bytes, block * SCREEN_BLOCK + i))
        })
}

/// Whether `byte` may begin the UTF-8 of a character [`is_stray_control`] finds: an ASCII
/// control, or the lead byte of a C1 control (U+0080–U+009F: `C2 80`–`C2 9F`) or of
/// U+FFFE/U+FFFF (`EF BF BE`, `EF BF BF`).
fn may_start_stray_control(byte: u8) -> bool {
    (byte < 0x20) & (byte != b'\t') & (byte != b'\n') & (byte != b'\r')
        | (byte == 0x7F)
        | (byte == 0xC2)
        | (byte == 0xEF)
}

/// Whether the UTF-8 at `bytes[at..]` (valid UTF-8) starts with a stray control.
fn starts_stray_control(bytes: &[u8], at: usize) -> bool {
    match bytes[at] {
        0xC2 => bytes
            .get(at + 1)
            .is_some_and(|next| (0x80..=0x9F).contains(next)),
        0xEF => bytes.get(at + 1) == Some(&0xBF) && matches!(bytes.get(at + 2), Some(0xBE | 0xBF)),
        byte => byte < 0x80 && is_stray_control(char::from(byte)),
    }
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
    /// Every manuscript file of the book, for links between them.
    pub manuscripts: &'a [std::path::PathBuf],
    /// Links to places in the book, resolved once every file is read.
    pub links: &'a mut PendingLinks,
    /// The id of the first heading of this file (the target of links to the file).
    pub first_heading: Option<String>,
    /// Kinds of HTML already warned about (one warning per kind and book).
    pub html_warned: &'a mut std::collections::BTreeSet<String>,
    /// The book language's quotation marks in place of smart punctuation's English ones.
    pub quotes: super::quotes::QuoteRewriter,
    /// `[^label]` references without a definition, with where they are written.
    pub undefined_notes: Vec<(String, SourcePos)>,
    /// Ids of headings with no text, with where they are written (chaptering decides
    /// whether they are dropped).
    pub empty_headings: Vec<(String, SourcePos)>,
}

enum Frame {
    Root(Vec<Block>),
    BlockQuote(Vec<Block>),
    List(Option<u64>, Vec<ListItem>),
    Item(Option<bool>, Vec<Block>, Vec<Inline>),
    FootnoteDefinition(String, Vec<Block>, SourcePos),
    Paragraph(Vec<Inline>, Option<String>),
    /// A heading: level, `{#id}`, content, offset of its start.
    Heading(u8, Option<String>, Vec<Inline>, usize),
    CodeBlock(Option<String>, String),
    /// Raw HTML lines of an HTML block, and the block's offset; tokenised at its end.
    HtmlBlock(String, usize),
    /// An inline element of raw HTML (`<kbd>`, `<a href>`, …) until its end tag, or until
    /// the Markdown container around it ends.
    HtmlInline(String, HtmlInline, Vec<Inline>),
    /// A block element of raw HTML (`<div>`, `<details>`, …): its blocks, and the text not yet
    /// in a paragraph; `bold` for summaries and headings.
    HtmlContainer {
        name: String,
        bold: bool,
        blocks: Vec<Block>,
        pending: Vec<Inline>,
    },
    /// Inside an element dropped with its content (`<script>`): everything is swallowed.
    HtmlSkip(String),
    /// A paragraph opened for the loose text of an HTML block; closed when the block ends.
    HtmlParagraph(Vec<Inline>),
    Table(Vec<Alignment>, Vec<Vec<Inline>>, Vec<Vec<Vec<Inline>>>),
    TableHead(Vec<Vec<Inline>>),
    TableRow(Vec<Vec<Inline>>),
    TableCell(Vec<Inline>),
    Emphasis(Vec<Inline>),
    Strong(Vec<Inline>),
    Strikethrough(Vec<Inline>),
    /// A link; `None` when its destination is refused (its text stays, unlinked).
    Link(Option<LinkTarget>, Vec<Inline>),
    Image(String, String, SourcePos, Vec<Inline>),
    /// Wrapper of an extension presswork does not enable: content kept, wrapper dropped.
    Transparent(Vec<Inline>),
    /// A block container nested deeper than [`MAX_NESTING`]: its blocks (and any tight text)
    /// go to the parent.
    Flattened(Vec<Block>, Vec<Inline>),
}

/// What an inline HTML element turns into when it ends.
enum HtmlInline {
    /// Emphasis, strong, strikethrough or a [`crate::ir::TextStyle`] run.
    Wrap(fn(Vec<Inline>) -> Inline),
    /// A styled run, inside another when given (a `<span>` both in small capitals and in
    /// another language: the language outside).
    Styled(crate::ir::TextStyle, Option<crate::ir::TextStyle>),
    /// `<code>`: its text as inline code.
    Code,
    /// `<a>`: a link when it has an allowed target; an anchor id goes before the text.
    Link(Option<LinkTarget>),
}

/// The language of the innermost `<span lang>` (or other element with `lang`) open on the
/// stack, if any: a quotation in another language takes that language's marks.
fn passage_language(stack: &[Frame]) -> Option<&str> {
    stack.iter().rev().find_map(|frame| {
        let Frame::HtmlInline(_, HtmlInline::Styled(inner, outer), _) = frame else {
            return None;
        };
        [Some(inner), outer.as_ref()]
            .into_iter()
            .flatten()
            .find_map(|style| match style {
                crate::ir::TextStyle::Language {
                    lang: Some(lang), ..
                } => Some(lang.as_str()),
                _ => None,
            })
    })
}

impl Frame {
    /// Frames that raw HTML opened: a Markdown end event closes any of them still open.
    fn is_html(&self) -> bool {
        matches!(
            self,
            Frame::HtmlInline(..)
                | Frame::HtmlContainer { .. }
                | Frame::HtmlSkip(_)
                | Frame::HtmlParagraph(_)
        )
    }

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
            Frame::Emphasis(_)
                | Frame::Strong(_)
                | Frame::Strikethrough(_)
                | Frame::Link(..)
                | Frame::HtmlInline(..)
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
    // pulldown-cmark leaves a `[^label]` without a definition as the texts `[`, `^label`, `]`.
    let mut open_bracket_ends_at = None;
    for (event, range) in Parser::new_ext(markdown, parser_options()).into_offset_iter() {
        let offset = body_offset + range.start;
        if let Event::Text(text) = &event {
            let label = text.strip_prefix('^').unwrap_or_default();
            if open_bracket_ends_at == Some(range.start)
                && markdown.as_bytes().get(range.end) == Some(&b']')
                && !label.is_empty()
                && !label.contains(char::is_whitespace)
            {
                let at = cx.lines.position(cx.path, offset.saturating_sub(1));
                cx.undefined_notes.push((label.to_string(), at));
            }
            open_bracket_ends_at = (text.as_ref() == "[").then_some(range.end);
        } else {
            open_bracket_ends_at = None;
        }
        match event {
            Event::Start(tag) => start(tag, offset, cx, &mut stack),
            Event::End(tag) => {
                if !matches!(
                    tag,
                    TagEnd::Emphasis
                        | TagEnd::Strong
                        | TagEnd::Strikethrough
                        | TagEnd::Link
                        | TagEnd::Image
                ) {
                    cx.quotes.end_block();
                }
                end(tag, cx, &mut stack)?
            }
            Event::Text(text) => {
                let source = markdown.get(range.clone()).unwrap_or("");
                let next = markdown
                    .get(range.end..)
                    .and_then(|rest| rest.chars().next());
                let passage = passage_language(&stack);
                let text = match cx.quotes.rewrite(&text, source, next, passage) {
                    Some(mark) => mark.to_string(),
                    None => clean(text.into_string()),
                };
                if autolinks_apply(&stack) {
                    for inline in autolink_literals(&text) {
                        push_inline(&mut stack, inline);
                    }
                } else {
                    push_text(&mut stack, &text);
                }
            }
            Event::Code(code) => push_inline(&mut stack, Inline::Code(clean(code.into_string()))),
            Event::InlineMath(text) | Event::DisplayMath(text) => {
                push_text(&mut stack, &clean(text.into_string()))
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                let html = clean(html.into_string());
                if let Some(Frame::HtmlBlock(buffer, _)) = stack.last_mut() {
                    buffer.push_str(&html);
                } else {
                    inline_html(&html, offset, cx, &mut stack)?;
                }
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
    close_html_frames(&mut stack, cx, |_| false);
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
            offset,
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
        Tag::HtmlBlock => Frame::HtmlBlock(String::new(), offset),
        Tag::List(start) => Frame::List(start, Vec::new()),
        Tag::Item => Frame::Item(None, Vec::new(), Vec::new()),
        Tag::FootnoteDefinition(label) => Frame::FootnoteDefinition(
            label.into_string(),
            Vec::new(),
            cx.lines.position(cx.path, offset),
        ),
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
            let at = cx.lines.position(cx.path, offset);
            Frame::Link(
                link_target(&clean(dest_url.into_string()), at, cx),
                Vec::new(),
            )
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
    // HTML elements left open inside the Markdown container that ends are closed with it.
    close_html_frames(stack, cx, |_| false);
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
        Frame::Heading(level, explicit_id, inlines, offset) => {
            let content = finish_inlines(inlines);
            let base = explicit_id
                .map(|id| crate::ir::slugify(&id, "section"))
                .unwrap_or_else(|| crate::ir::slugify(&plain_text(&content), "section"));
            let id = cx.ids.unique(&base);
            cx.first_heading.get_or_insert_with(|| id.clone());
            if plain_text(&content).trim().is_empty() {
                let at = cx.lines.position(cx.path, offset);
                cx.empty_headings.push((id.clone(), at));
            }
            push_block(stack, cx.ids, Block::Heading { level, id, content });
        }
        Frame::BlockQuote(blocks) => push_block(stack, cx.ids, Block::BlockQuote(blocks)),
        Frame::CodeBlock(language, mut code) => {
            if code.ends_with('\n') {
                code.pop();
            }
            push_block(stack, cx.ids, Block::CodeBlock { language, code });
        }
        Frame::HtmlBlock(html, offset) => block_html(&html, offset, cx, stack)?,
        frame @ (Frame::HtmlInline(..)
        | Frame::HtmlContainer { .. }
        | Frame::HtmlSkip(_)
        | Frame::HtmlParagraph(_)) => close_html_frame(frame, cx, stack),
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
        Frame::FootnoteDefinition(label, blocks, at) => {
            cx.footnotes.define(cx.file_index, &label, blocks, at);
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
        Frame::Emphasis(c) => push_inline(stack, Inline::Emphasis(soft_breaks_as_spaces(c))),
        Frame::Transparent(c) => {
            for inline in c {
                push_inline(stack, inline);
            }
        }
        Frame::Strong(c) => push_inline(stack, Inline::Strong(soft_breaks_as_spaces(c))),
        Frame::Strikethrough(c) => {
            push_inline(stack, Inline::Strikethrough(soft_breaks_as_spaces(c)))
        }
        Frame::Link(Some(target), content) => push_inline(
            stack,
            Inline::Link {
                target,
                content: soft_breaks_as_spaces(content),
            },
        ),
        Frame::Link(None, content) => {
            for inline in soft_breaks_as_spaces(content) {
                push_inline(stack, inline);
            }
        }
        Frame::Image(dest, title, at, alt_inlines) => {
            let alt = plain_text(&finish_inlines(alt_inlines)).trim().to_string();
            if let Some(inline) = image_inline(&dest, alt, &at, cx)? {
                push_inline(stack, inline);
                if let Some(Frame::Paragraph(_, image_title @ None)) = stack.last_mut() {
                    if !title.trim().is_empty() {
                        *image_title = Some(title);
                    }
                }
            }
        }
    }
    Ok(())
}

/// An image reference (from Markdown or `<img>`) as an inline: the asset, or with
/// `--lenient` the alt text of a remote or unusable image (with a warning).
fn image_inline(
    dest: &str,
    alt: String,
    at: &SourcePos,
    cx: &mut ConvertContext<'_>,
) -> Result<Option<Inline>> {
    if cx.lenient && is_remote_reference(dest) {
        cx.diagnostics.warn_at(
            at.clone(),
            format!(
                "remote image `{dest}` not fetched (builds are offline); its alt text stands in for it"
            ),
        );
        return Ok((!alt.is_empty()).then_some(Inline::Text(alt)));
    }
    let asset = match (cx.resolve_image)(dest, at) {
        Ok(asset) => asset,
        // `--lenient`: an image that cannot be used (missing, unreadable, unsupported,
        // outside the book) gives way to its alt text, with a warning at its reference.
        Err(Error::Image { reason, .. }) if cx.lenient => {
            cx.diagnostics.push(
                Diagnostic::warning(format!("image `{dest}` left out: {reason}"))
                    .at(at.clone())
                    .hint("its alt text stands in for it (--lenient)"),
            );
            return Ok((!alt.is_empty()).then_some(Inline::Text(alt)));
        }
        Err(error) => return Err(error),
    };
    if alt.is_empty() {
        cx.diagnostics.push(
            Diagnostic::warning(format!(
                "image `{dest}` has no alt text: readers who cannot see it learn nothing of it, \
                 and the EPUB makes no WCAG conformance claim"
            ))
            .at(at.clone())
            .hint("describe the picture between the brackets: `![A red bridge at dusk](…)`"),
        );
    }
    Ok(Some(Inline::Image { asset, alt }))
}

/// Warn once per book about a kind of HTML that does not make it into the book as such.
fn warn_html_once(cx: &mut ConvertContext<'_>, kind: &str, message: String, at: &SourcePos) {
    if cx.html_warned.insert(kind.to_string()) {
        cx.diagnostics.push(
            Diagnostic::warning(message)
                .at(at.clone())
                .hint("write it in Markdown, or leave it out; other occurrences are treated alike"),
        );
    }
}

/// Raw HTML inside a paragraph, heading or table cell: inline elements only.
fn inline_html(
    html: &str,
    offset: usize,
    cx: &mut ConvertContext<'_>,
    stack: &mut Vec<Frame>,
) -> Result<()> {
    if matches!(stack.last(), Some(Frame::Image(..))) {
        // Markup in alt text: only the text counts.
        return Ok(());
    }
    for token in html::tokenize(html) {
        html_token(token, false, offset, cx, stack)?;
    }
    Ok(())
}

/// An HTML block: block elements open containers that may stay open across the Markdown
/// blocks that follow (`<details>` … Markdown … `</details>`); loose text becomes paragraphs.
fn block_html(
    html: &str,
    offset: usize,
    cx: &mut ConvertContext<'_>,
    stack: &mut Vec<Frame>,
) -> Result<()> {
    for token in html::tokenize(html) {
        html_token(token, true, offset, cx, stack)?;
    }
    // Paragraphs opened for loose text end with the block; containers stay open.
    if stack.iter().any(|f| matches!(f, Frame::HtmlParagraph(_))) {
        close_html_frames(stack, cx, |f| matches!(f, Frame::HtmlParagraph(_)));
        if let Some(frame @ Frame::HtmlParagraph(_)) = stack.pop() {
            close_html_frame(frame, cx, stack);
        }
    }
    Ok(())
}

/// Whether the top frame takes inline content without a paragraph of its own.
fn takes_inlines(stack: &[Frame]) -> bool {
    matches!(
        stack.last(),
        Some(
            Frame::Paragraph(..)
                | Frame::HtmlParagraph(_)
                | Frame::HtmlInline(..)
                | Frame::HtmlContainer { .. }
                | Frame::HtmlSkip(_)
                | Frame::Heading(..)
                | Frame::TableCell(_)
                | Frame::Emphasis(_)
                | Frame::Strong(_)
                | Frame::Strikethrough(_)
                | Frame::Link(..)
                | Frame::Transparent(_)
                | Frame::Item(..)
                | Frame::Flattened(..)
        )
    )
}

/// Apply one token of a fragment of raw HTML that starts at byte `fragment_offset` of the file.
fn html_token(
    token: HtmlToken,
    block_level: bool,
    fragment_offset: usize,
    cx: &mut ConvertContext<'_>,
    stack: &mut Vec<Frame>,
) -> Result<()> {
    if let Some(Frame::HtmlSkip(skipped)) = stack.last() {
        if matches!(&token, HtmlToken::End { name, .. } if name == skipped) {
            stack.pop();
        }
        return Ok(());
    }
    match token {
        HtmlToken::Text(text) => {
            let collapsed = collapse_whitespace(&text);
            if collapsed.trim().is_empty() && (block_level && !takes_inlines(stack)) {
                return Ok(());
            }
            if block_level && !takes_inlines(stack) {
                stack.push(Frame::HtmlParagraph(Vec::new()));
            }
            let text = if block_level {
                collapsed
            } else {
                text.replace('\n', " ")
            };
            if autolinks_apply(stack) {
                for inline in autolink_literals(&text) {
                    push_inline(stack, inline);
                }
            } else {
                push_text(stack, &text);
            }
        }
        HtmlToken::Start {
            name,
            attributes,
            self_closing,
            raw,
            offset,
        } => {
            let at = &cx.lines.position(cx.path, fragment_offset + offset);
            let element = Element::of(&name, &attributes);
            let attribute = |key: &str| {
                attributes
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| v.trim().to_string())
            };
            let has_end = !self_closing && !Element::is_void(&name);
            let inline_frame = |kind: HtmlInline| Frame::HtmlInline(name.clone(), kind, Vec::new());
            let frame = match element {
                Element::Emphasis => Some(inline_frame(HtmlInline::Wrap(Inline::Emphasis))),
                Element::Strong => Some(inline_frame(HtmlInline::Wrap(Inline::Strong))),
                Element::Strikethrough => {
                    Some(inline_frame(HtmlInline::Wrap(Inline::Strikethrough)))
                }
                Element::Code => Some(inline_frame(HtmlInline::Code)),
                Element::Styled(style) => Some(inline_frame(HtmlInline::Styled(style, None))),
                Element::SmallCaps(outer) => Some(inline_frame(HtmlInline::Styled(
                    crate::ir::TextStyle::SmallCaps,
                    outer,
                ))),
                Element::Anchor => {
                    if let Some(id) = attribute("id").or_else(|| attribute("name")) {
                        if !id.is_empty() {
                            let id = cx.ids.unique(&crate::ir::slugify(&id, "anchor"));
                            open_inline_context(block_level, stack);
                            push_inline(stack, Inline::Anchor(id));
                        }
                    }
                    let target =
                        attribute("href").and_then(|href| link_target(&href, at.clone(), cx));
                    Some(inline_frame(HtmlInline::Link(target)))
                }
                Element::LineBreak => {
                    open_inline_context(block_level, stack);
                    push_inline(stack, Inline::LineBreak);
                    None
                }
                Element::Image => {
                    let alt = attribute("alt").unwrap_or_default();
                    match attribute("src").filter(|s| !s.is_empty()) {
                        Some(src) => {
                            if let Some(inline) = image_inline(&src, alt, at, cx)? {
                                open_inline_context(block_level, stack);
                                push_inline(stack, inline);
                            }
                        }
                        None => warn_html_once(
                            cx,
                            "img-without-src",
                            "`<img>` without `src`: left out".into(),
                            at,
                        ),
                    }
                    None
                }
                Element::Block | Element::BoldBlock if block_level => {
                    end_html_paragraph(stack, cx);
                    if name == "hr" {
                        push_block(stack, cx.ids, Block::ThematicBreak);
                        None
                    } else if has_end {
                        Some(Frame::HtmlContainer {
                            name: name.clone(),
                            bold: element == Element::BoldBlock,
                            blocks: Vec::new(),
                            pending: Vec::new(),
                        })
                    } else {
                        None
                    }
                }
                // Block elements inside a paragraph: their text joins the paragraph.
                Element::Block | Element::BoldBlock | Element::Nothing => None,
                Element::DropWithContent => {
                    warn_html_once(
                        cx,
                        &name,
                        format!("`<{name}>` elements are dropped with their content"),
                        at,
                    );
                    has_end.then(|| Frame::HtmlSkip(name.clone()))
                }
                Element::DropKeepText => {
                    warn_html_once(
                        cx,
                        &name,
                        format!(
                            "`<{name}>` elements cannot be shown in a book: the tags are dropped, \
                             any text inside is kept"
                        ),
                        at,
                    );
                    None
                }
                Element::Unknown => {
                    warn_html_once(
                        cx,
                        &name,
                        format!(
                            "`<{name}>` is not an HTML element presswork knows: shown as written"
                        ),
                        at,
                    );
                    open_inline_context(block_level, stack);
                    push_text(stack, &raw);
                    None
                }
            };
            if let Some(frame) = frame {
                if !has_end {
                    // `<b/>` and the like: an element with nothing inside.
                    return Ok(());
                }
                let html_depth = stack.iter().filter(|f| f.is_html()).count();
                if html_depth >= MAX_NESTING && !matches!(frame, Frame::HtmlSkip(_)) {
                    // Hostile nesting: deeper elements keep their content, not their tags.
                    return Ok(());
                }
                if matches!(frame, Frame::HtmlInline(..)) {
                    open_inline_context(block_level, stack);
                }
                stack.push(frame);
            }
        }
        HtmlToken::End { name, raw, .. } => {
            if Element::of(&name, &[]) == Element::Unknown {
                open_inline_context(block_level, stack);
                push_text(stack, &raw);
                return Ok(());
            }
            // Close the element with this name if it is open inside the current Markdown
            // container; a stray end tag is ignored, as browsers do.
            let open = stack
                .iter()
                .rev()
                .take_while(|f| f.is_html())
                .any(|f| html_frame_name(f) == Some(name.as_str()));
            if open {
                close_html_frames(stack, cx, |f| html_frame_name(f) == Some(name.as_str()));
                if let Some(frame) = stack.pop() {
                    close_html_frame(frame, cx, stack);
                }
            }
        }
    }
    Ok(())
}

fn html_frame_name(frame: &Frame) -> Option<&str> {
    match frame {
        Frame::HtmlInline(name, ..) | Frame::HtmlContainer { name, .. } | Frame::HtmlSkip(name) => {
            Some(name)
        }
        _ => None,
    }
}

/// Before inline content at block level outside any container that takes it, open a
/// paragraph for it.
fn open_inline_context(block_level: bool, stack: &mut Vec<Frame>) {
    if block_level && !takes_inlines(stack) {
        stack.push(Frame::HtmlParagraph(Vec::new()));
    }
}

/// End the paragraph of loose HTML text (and inline elements open in it) before a block
/// element starts.
fn end_html_paragraph(stack: &mut Vec<Frame>, cx: &mut ConvertContext<'_>) {
    let open = stack
        .iter()
        .rev()
        .take_while(|f| matches!(f, Frame::HtmlInline(..) | Frame::HtmlParagraph(_)))
        .any(|f| matches!(f, Frame::HtmlParagraph(_)));
    if open {
        close_html_frames(stack, cx, |f| matches!(f, Frame::HtmlParagraph(_)));
        if let Some(frame) = stack.pop() {
            close_html_frame(frame, cx, stack);
        }
    } else if let Some(Frame::HtmlContainer {
        pending, blocks, ..
    }) = stack.last_mut()
    {
        let text = std::mem::take(pending);
        flush_tight_text(blocks, text, cx.ids);
    }
}

/// Close HTML frames on top of the stack until `stop` says the top one is to stay.
fn close_html_frames(
    stack: &mut Vec<Frame>,
    cx: &mut ConvertContext<'_>,
    stop: impl Fn(&Frame) -> bool,
) {
    while stack.last().is_some_and(|f| f.is_html() && !stop(f)) {
        if let Some(frame) = stack.pop() {
            close_html_frame(frame, cx, stack);
        }
    }
}

/// Hand a finished HTML frame's content to its parent.
fn close_html_frame(frame: Frame, cx: &mut ConvertContext<'_>, stack: &mut Vec<Frame>) {
    match frame {
        Frame::HtmlInline(_, kind, content) => {
            let content = soft_breaks_as_spaces(content);
            match kind {
                HtmlInline::Wrap(wrap) => push_inline(stack, wrap(content)),
                HtmlInline::Styled(style, outer) => {
                    let inline = Inline::Styled { style, content };
                    push_inline(
                        stack,
                        match outer {
                            Some(style) => Inline::Styled {
                                style,
                                content: vec![inline],
                            },
                            None => inline,
                        },
                    );
                }
                HtmlInline::Code => push_inline(stack, Inline::Code(plain_text(&content))),
                HtmlInline::Link(Some(target)) => {
                    push_inline(stack, Inline::Link { target, content })
                }
                HtmlInline::Link(None) => {
                    for inline in content {
                        push_inline(stack, inline);
                    }
                }
            }
        }
        Frame::HtmlParagraph(inlines) => {
            if let Some(block) = paragraph_or_figure(inlines, None, cx.ids) {
                push_block(stack, cx.ids, block);
            }
        }
        Frame::HtmlContainer {
            name,
            bold,
            mut blocks,
            pending,
        } => {
            let pending = if bold && !pending.is_empty() {
                vec![Inline::Strong(finish_inlines(pending))]
            } else {
                pending
            };
            flush_tight_text(&mut blocks, pending, cx.ids);
            if name == "figure" {
                blocks = merge_figure_caption(blocks);
            }
            for block in blocks {
                push_block(stack, cx.ids, block);
            }
        }
        Frame::HtmlSkip(_) => {}
        other => stack.push(other),
    }
}

/// `<figure><img …><figcaption>…</figcaption></figure>`: the caption joins the figure.
fn merge_figure_caption(mut blocks: Vec<Block>) -> Vec<Block> {
    if let [Block::Figure(figure), Block::Paragraph(caption)] = blocks.as_mut_slice() {
        if figure.caption.is_empty() {
            figure.caption = std::mem::take(caption);
            blocks.truncate(1);
        }
    }
    blocks
}

/// HTML collapses runs of white space to one space.
fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_space = false;
    for c in text.chars() {
        if c.is_whitespace() && c != '\u{a0}' {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    out
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

/// The link policy of [`links::classify`], applied at `at`: an allowed URL becomes an external
/// target; a place in the book a pending internal one (see [`PendingLinks`]); anything else
/// no link at all, with a located warning.
fn link_target(dest: &str, at: SourcePos, cx: &mut ConvertContext<'_>) -> Option<LinkTarget> {
    match links::classify(dest, cx.path, cx.manuscripts) {
        Destination::Url(url) => Some(LinkTarget::External(url)),
        Destination::Fragment(fragment) => {
            Some(cx.links.pending(cx.file_index, None, Some(fragment), at))
        }
        Destination::Manuscript { file, fragment } => {
            Some(cx.links.pending(cx.file_index, Some(file), fragment, at))
        }
        Destination::Refused { reason, hint } => {
            cx.diagnostics.push(
                Diagnostic::warning(format!(
                    "link to `{dest}`: {reason}; its text is kept without the link"
                ))
                .at(at)
                .hint(hint),
            );
            None
        }
    }
}

/// Soft line breaks inside emphasis, links and the like are spaces: only a paragraph's own
/// line structure matters (to the figure convention), and nested markers would otherwise
/// reach the back ends as forced line breaks.
fn soft_breaks_as_spaces(mut inlines: Vec<Inline>) -> Vec<Inline> {
    for inline in &mut inlines {
        if let Inline::Text(text) = inline {
            if text.contains(SOFT_BREAK) {
                *text = text.replace(SOFT_BREAK, " ");
            }
        }
    }
    inlines
}

/// GFM's autolink literals apply to running text, not inside links, images or code.
fn autolinks_apply(stack: &[Frame]) -> bool {
    !stack.iter().any(|frame| {
        matches!(
            frame,
            Frame::Link(..) | Frame::Image(..) | Frame::CodeBlock(..) | Frame::HtmlBlock(..)
        )
    })
}

/// Split text at GFM autolink literals: `https://…`, `http://…`, `ftp://…`, `www.…` and e-mail
/// addresses become links (trailing punctuation stays outside, as GFM says).
fn autolink_literals(text: &str) -> Vec<Inline> {
    let mut finder = linkify::LinkFinder::new();
    finder.url_must_have_scheme(false);
    let mut out = Vec::new();
    let mut plain = String::new();
    for span in finder.spans(text) {
        let literal = span.as_str();
        let url = match span.kind() {
            Some(linkify::LinkKind::Email) => Some(format!("mailto:{literal}")),
            Some(linkify::LinkKind::Url) => {
                let lower = literal.to_ascii_lowercase();
                if ["http://", "https://", "ftp://"]
                    .iter()
                    .any(|s| lower.starts_with(s))
                {
                    Some(literal.to_string())
                } else if lower.starts_with("www.") {
                    Some(format!("http://{literal}"))
                } else {
                    None
                }
            }
            _ => None,
        };
        match url.and_then(|u| links::encode_url(&u)) {
            Some(url) => {
                if !plain.is_empty() {
                    out.push(Inline::Text(std::mem::take(&mut plain)));
                }
                out.push(Inline::Link {
                    target: LinkTarget::External(url),
                    content: vec![Inline::Text(literal.to_string())],
                });
            }
            None => plain.push_str(literal),
        }
    }
    if !plain.is_empty() || out.is_empty() {
        out.push(Inline::Text(plain));
    }
    out
}

fn push_text(stack: &mut [Frame], text: &str) {
    match stack.last_mut() {
        Some(Frame::CodeBlock(_, code)) => code.push_str(text),
        Some(Frame::HtmlBlock(html, _)) => html.push_str(text),
        _ => push_inline(stack, Inline::Text(text.to_string())),
    }
}

fn push_inline(stack: &mut [Frame], inline: Inline) {
    match stack.last_mut() {
        Some(Frame::Paragraph(v, _))
        | Some(Frame::Transparent(v))
        | Some(Frame::Heading(_, _, v, _))
        | Some(Frame::TableCell(v))
        | Some(Frame::Emphasis(v))
        | Some(Frame::Strong(v))
        | Some(Frame::Strikethrough(v))
        | Some(Frame::Link(_, v))
        | Some(Frame::Image(_, _, _, v))
        | Some(Frame::Item(_, _, v))
        | Some(Frame::Flattened(_, v)) => v.push(inline),
        Some(Frame::CodeBlock(_, code)) => code.push_str(&plain_text(&[inline])),
        Some(Frame::HtmlBlock(html, _)) => html.push_str(&plain_text(&[inline])),
        Some(Frame::HtmlInline(_, _, v))
        | Some(Frame::HtmlParagraph(v))
        | Some(Frame::HtmlContainer { pending: v, .. }) => v.push(inline),
        Some(Frame::HtmlSkip(_)) => {}
        // Inline content directly in a block container (rare: e.g. text in a footnote
        // definition without a paragraph) becomes its own paragraph.
        Some(Frame::Root(blocks))
        | Some(Frame::BlockQuote(blocks))
        | Some(Frame::FootnoteDefinition(_, blocks, _)) => {
            blocks.push(Block::Paragraph(finish_inlines(vec![inline])))
        }
        _ => {}
    }
}

fn push_block(stack: &mut [Frame], ids: &mut IdAllocator, block: Block) {
    match stack.last_mut() {
        Some(Frame::Root(blocks))
        | Some(Frame::BlockQuote(blocks))
        | Some(Frame::FootnoteDefinition(_, blocks, _)) => blocks.push(block),
        Some(Frame::Item(_, blocks, loose))
        | Some(Frame::Flattened(blocks, loose))
        | Some(Frame::HtmlContainer {
            blocks,
            pending: loose,
            ..
        }) => {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character below U+3000, the end of the BMP and a few beyond, at every offset
    /// around a screened block's end: the byte screen finds exactly what decoding finds.
    #[test]
    fn the_byte_screen_finds_what_decoding_finds() {
        let characters = (0..0x3000)
            .chain(0xFFF0..=0x10002)
            .chain([0x1F600, 0x10FFFF])
            .filter_map(char::from_u32);
        for c in characters {
            for at in [0, 1, SCREEN_BLOCK - 2, SCREEN_BLOCK - 1, SCREEN_BLOCK, 130] {
                let text = format!("{}{c}{}", "a".repeat(at), "é b\n".repeat(40));
                assert_eq!(
                    has_stray_control(&text),
                    text.chars().any(is_stray_control),
                    "U+{:04X} at {at}",
                    u32::from(c)
                );
            }
        }
    }

    #[test]
    fn stray_controls_become_replacement_characters_and_the_rest_stays() {
        let text =
            "tab\tline\ncr\r\u{1}bell\u{7}del\u{7f}c1\u{85}nbsp\u{a0}fffe\u{fffe}\u{ffff}\u{feff}";
        assert_eq!(
            replace_stray_controls(text.to_string()),
            "tab\tline\ncr\r\u{fffd}bell\u{fffd}del\u{fffd}c1\u{fffd}nbsp\u{a0}fffe\u{fffd}\u{fffd}\u{feff}"
        );
        let clean = "Plain text, “quoted”, with NBSP\u{a0}and ﬁ.".to_string();
        assert_eq!(replace_stray_controls(clean.clone()), clean);
    }
}
