//! Block kinds other than running text: figures, lists, code, tables, chapter endnotes.

use super::content::{inline_spans, line_content, offset_content};
use super::{Layout, TextBlock};
use crate::ir::{self, Block, ImageFormat, Inline, NotePlacement};
use crate::typeset::fonts::{Caps, Family, Figures, Style};
use crate::typeset::frame::{PageItem, Rect, Role, StructKind, Tag};
use crate::typeset::paginate::{Content, Flow, VBlock};
use crate::typeset::text::{set_lines, Alignment, LinkRef, ParagraphBuilder, Span, TextStyle};
use crate::{svg, Diagnostic, Diagnostics};

/// Points per inch, the PDF unit.
const POINTS_PER_INCH: f32 = 72.0;

/// The resolution a raster image is printed at when it is too small to fill the measure:
/// it is never enlarged beyond this, so a 197 px formula prints 1.3 in wide, not 4 in.
pub const MAX_UPSCALE_PPI: f32 = 150.0;

/// Below this resolution a printed photo looks soft, and a warning says so.
const SHARP_PPI: f32 = 150.0;

/// Rounding slack when comparing resolutions.
const PPI_TOLERANCE: f32 = 0.5;

/// A figure takes at most this share of the text block's height, leaving room for its
/// caption and some text.
const MAX_FIGURE_HEIGHT_SHARE: f32 = 0.62;

/// The widest an image may be printed, in points: a raster image at [`MAX_UPSCALE_PPI`], an
/// SVG at its own size (CSS pixels, [`svg::CSS_PX_PER_INCH`] to the inch).
fn natural_width(asset: &ir::Asset) -> f32 {
    let pixels_per_inch = match asset.format {
        ImageFormat::Svg => svg::CSS_PX_PER_INCH,
        ImageFormat::Jpeg | ImageFormat::Png => MAX_UPSCALE_PPI,
    };
    asset.width as f32 / pixels_per_inch * POINTS_PER_INCH
}

impl Layout<'_, '_> {
    pub(super) fn figure(
        &mut self,
        figure: &ir::Figure,
        left: f32,
        right: f32,
        diagnostics: &mut Diagnostics,
    ) {
        let g = self.geometry;
        let Some(asset) = self.book.assets.get(figure.asset.0) else {
            return;
        };
        let available = g.measure - left - right;
        let aspect = asset.height as f32 / asset.width.max(1) as f32;
        let mut width = available.min(natural_width(asset));
        let mut height = width * aspect;
        let max_height = g.text_height * MAX_FIGURE_HEIGHT_SHARE;
        if height > max_height {
            height = max_height;
            width = height / aspect;
        }
        if asset.format != ImageFormat::Svg {
            // A small image is printed at MAX_UPSCALE_PPI rather than enlarged, so this only
            // fires if that cap is ever set below SHARP_PPI; the tolerance keeps rounding
            // (a 197 px image at exactly 150 ppi) from firing it.
            let ppi = asset.width as f32 / (width / POINTS_PER_INCH);
            if ppi < SHARP_PPI - PPI_TOLERANCE {
                let warning = Diagnostic::warning(format!(
                    "image {} is {} px wide, only {ppi:.0} ppi at its printed size",
                    asset.name, asset.width
                ))
                .hint(format!("{SHARP_PPI:.0} ppi or more looks sharp in print"));
                diagnostics.push(match &asset.first_use {
                    Some(at) => warning.at(at.clone()),
                    None => warning,
                });
            }
        }
        let x = left + (available - width) / 2.0;
        let mut block = VBlock::new(0.0, self.chapter);
        block.flow = Flow::Float;
        block.space_before = g.leading * 0.8;
        block.anchors.push(figure.id.clone());
        // What the picture shows, for a reader who cannot see it: its alt text, else its
        // caption. With neither it is decoration: no figure in the structure, and the
        // writer draws the image as an artifact (PDF/UA wants alternative text on every
        // figure; the front end has warned about the missing alt text).
        let alt = if figure.alt.trim().is_empty() {
            ir::plain_text(&figure.caption).trim().to_string()
        } else {
            figure.alt.clone()
        };
        let described = !alt.is_empty();
        // A float carries its own balanced tags: the figure with its image, its caption.
        if described {
            block.content.push(Content::Item(PageItem::Tag(Tag::Start(
                StructKind::Figure { alt: alt.clone() },
            ))));
        }
        block.content.push(Content::Item(PageItem::Image {
            asset: figure.asset,
            rect: Rect {
                x,
                y: 0.0,
                width,
                height,
            },
            alt,
        }));
        let mut y = height + g.leading * 0.35;
        let caption_size = (g.body_size * 0.85 * 2.0).round() / 2.0;
        let caption_leading = (caption_size * 1.3).round();
        let captioned = !figure.caption.is_empty() || !figure.credit.is_empty();
        // The caption follows the figure rather than sitting inside it: assistive technology
        // reads a figure's alternative text in place of everything the figure holds, which
        // would hide the caption and the credit.
        if described {
            block.content.push(Content::Item(PageItem::Tag(Tag::End)));
        }
        if captioned {
            block.content.push(Content::Item(PageItem::Tag(Tag::Start(
                StructKind::Caption,
            ))));
        }
        if !figure.caption.is_empty() {
            let mut style = TextStyle::serif(caption_size);
            style.style.italic = true;
            y = self.figure_text(
                &figure.caption,
                style,
                caption_leading,
                Alignment::Left,
                Role::Caption,
                left,
                right,
                y,
                &mut block,
            );
        }
        if !figure.credit.is_empty() {
            // A credit in small capitals, acronyms among them ("Image Source: PTI"): it
            // reads as a label apart from the caption, without shouting.
            let mut style = TextStyle::serif((caption_size - 1.0).max(6.0));
            style.gray = 0.35;
            style.style.features.caps = Caps::SmallAcronyms;
            y = self.figure_text(
                &figure.credit,
                style,
                caption_leading - 1.0,
                Alignment::Right,
                Role::Credit,
                left,
                right,
                y,
                &mut block,
            );
        }
        if captioned {
            block.content.push(Content::Item(PageItem::Tag(Tag::End)));
        }
        block.height = y + g.leading * 0.5;
        self.push_block(block);
        self.keep_next = false;
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn figure_text(
        &self,
        inlines: &[Inline],
        style: TextStyle,
        leading: f32,
        alignment: Alignment,
        role: Role,
        left: f32,
        right: f32,
        mut y: f32,
        block: &mut VBlock,
    ) -> f32 {
        let mut spans = Vec::new();
        inline_spans(inlines, &style, &mut spans);
        let settings = TextBlock {
            role,
            style,
            leading,
            alignment,
            left,
            right,
            first_indent: 0.0,
            space_before: 0.0,
            keep_with_next: false,
            hyphenate: false,
            anchors: Vec::new(),
            outline: None,
        };
        let measure = self.geometry.measure - left - right;
        // Caption and credit are each a paragraph of the figure's caption.
        block.content.push(Content::Item(PageItem::Tag(Tag::Start(
            StructKind::Paragraph,
        ))));
        for line in self.set_spans(&spans, &settings, measure) {
            let mut content = Vec::new();
            line_content(&line, left, leading * 0.78, role, &mut content);
            for c in content {
                block.content.push(offset_content(c, y));
            }
            y += leading;
        }
        block.content.push(Content::Item(PageItem::Tag(Tag::End)));
        y
    }

    pub(super) fn list(
        &mut self,
        list: &ir::List,
        left: f32,
        right: f32,
        diagnostics: &mut Diagnostics,
    ) {
        let g = self.geometry;
        let hang = g.body_size * 1.8;
        self.open(StructKind::List {
            ordered: list.start.is_some(),
        });
        for (n, item) in list.items.iter().enumerate() {
            let label = match (item.task, list.start) {
                (Some(true), _) => "[x]".to_string(),
                (Some(false), _) => "[ ]".to_string(),
                (None, Some(start)) => format!("{}.", start.saturating_add(n as u64)),
                (None, None) => "•".to_string(),
            };
            let first = self.blocks.len();
            // The item's start tag will sit at this index of its first block, after the
            // start tags still waiting from enclosing elements.
            let item_tag = self.pending_start_count();
            self.open(StructKind::ListItem);
            self.open(StructKind::ListBody);
            self.after_break = true;
            self.blocks_of(&item.blocks, left + hang, right, diagnostics);
            self.close();
            self.close();
            // Hang the label in the indent, on the first line's baseline; in the structure
            // it comes first in the item, before the body.
            if let Some(block) = self.blocks.get_mut(first) {
                let baseline = block.baseline.unwrap_or(g.leading * 0.78);
                let style = TextStyle::serif(g.body_size);
                let mut builder = ParagraphBuilder::new(self.shaper, &self.hyphenation, hang)
                    .without_hyphenation();
                builder.add_spans(&[Span { text: label, style }]);
                let (paragraph, lines) = builder.finish(Alignment::Left);
                let mut label = vec![Content::Item(PageItem::Tag(Tag::Start(StructKind::Label)))];
                for line in set_lines(paragraph, &lines, Alignment::Left, hang) {
                    let x = left + hang - line.width - g.body_size * 0.5;
                    line_content(&line, x, baseline, Role::ListItem, &mut label);
                }
                label.push(Content::Item(PageItem::Tag(Tag::End)));
                let at = (item_tag + 1).min(block.content.len());
                block.content.splice(at..at, label);
            }
        }
        self.close();
        self.after_break = false;
    }

    pub(super) fn code_block(&mut self, code: &str, left: f32, right: f32) {
        let g = self.geometry;
        let size = (g.body_size * 0.82 * 2.0).round() / 2.0;
        let leading = (size * 1.3).round();
        let style = TextStyle {
            family: Family::Mono,
            ..TextStyle::serif(size)
        };
        let measure = (g.measure - left - right - size).max(24.0);
        let space = self
            .shaper
            .shape_in(
                self.shaper.fonts().select(Family::Mono, Style::default()),
                " ",
            )
            .first()
            .map_or(0.6, |gl| gl.advance)
            * size;
        let source_lines: Vec<&str> = code.lines().collect();
        let total = source_lines.len();
        let mut first = true;
        self.open(StructKind::Code);
        for (j, source) in source_lines.iter().enumerate() {
            let expanded = source.replace('\t', "    ");
            let indent = expanded.len() - expanded.trim_start_matches(' ').len();
            let rest = &expanded[indent..];
            let mut builder = ParagraphBuilder::new(self.shaper, &self.hyphenation, measure)
                .without_hyphenation();
            builder.indent(indent as f32 * space);
            builder.add_spans(&[Span {
                text: rest.to_string(),
                style: style.clone(),
            }]);
            let (paragraph, lines) = builder.finish(Alignment::Left);
            let set = set_lines(paragraph, &lines, Alignment::Left, measure);
            for (k, line) in set.into_iter().enumerate() {
                let mut block = VBlock::new(leading, self.chapter);
                block.baseline = Some(leading * 0.78);
                // Break between source lines, keeping two lines at each end of the block.
                block.break_before = k == 0 && j >= 2 && total - j >= 2;
                if first {
                    block.space_before = g.leading * 0.5;
                    block.break_before = !std::mem::take(&mut self.keep_next);
                    first = false;
                }
                let continuation = if k > 0 { size } else { 0.0 };
                line_content(
                    &line,
                    left + size * 0.5 + continuation,
                    leading * 0.78,
                    Role::Code,
                    &mut block.content,
                );
                // A light rule down the left edge marks the code.
                block.content.push(Content::Item(PageItem::Rule {
                    rect: Rect {
                        x: left,
                        y: 0.0,
                        width: 0.8,
                        height: leading,
                    },
                    gray: 0.7,
                }));
                self.push_block(block);
            }
        }
        self.close();
        if let Some(last) = self.blocks.last_mut() {
            last.height += g.leading * 0.5;
        }
    }

    pub(super) fn table(&mut self, table: &ir::Table, left: f32, right: f32) {
        let g = self.geometry;
        let size = (g.body_size * 0.85 * 2.0).round() / 2.0;
        let leading = (size * 1.3).round();
        let gap = size;
        let columns = table
            .alignments
            .len()
            .max(table.header.len())
            .max(table.rows.iter().map(Vec::len).max().unwrap_or(0));
        if columns == 0 {
            return;
        }
        let available = g.measure - left - right;
        // Tabular lining figures: every digit one width, so that columns of numbers align.
        let mut body = TextStyle::serif(size);
        body.style.features.figures = Figures::Tabular;
        let mut header_style = body.clone();
        header_style.style.bold = true;
        // Natural (one-line) and minimum (longest word) widths per column.
        let mut natural = vec![0.0f32; columns];
        let mut minimum = vec![0.0f32; columns];
        let all_rows = std::iter::once((&table.header, &header_style))
            .chain(table.rows.iter().map(|r| (r, &body)));
        for (row, style) in all_rows {
            for (c, cell) in row.iter().enumerate().take(columns) {
                let text = ir::plain_text(cell);
                let width = self.text_width(&text, style);
                natural[c] = natural[c].max(width);
                for word in text.split_whitespace() {
                    minimum[c] = minimum[c]
                        .max(self.text_width(word, style).min(available / columns as f32));
                }
            }
        }
        let room = (available - gap * (columns as f32 - 1.0)).max(columns as f32 * 12.0);
        let total_natural: f32 = natural.iter().sum();
        let widths: Vec<f32> = if total_natural <= room {
            // A hair of slack so rounding never wraps a cell that fits.
            natural.iter().map(|w| w + 0.5).collect()
        } else {
            let total_min: f32 = minimum.iter().sum();
            if total_min >= room {
                vec![room / columns as f32; columns]
            } else {
                let extra = room - total_min;
                let flexible: f32 = natural
                    .iter()
                    .zip(&minimum)
                    .map(|(n, m)| n - m)
                    .sum::<f32>()
                    .max(0.001);
                natural
                    .iter()
                    .zip(&minimum)
                    .map(|(n, m)| m + extra * (n - m) / flexible)
                    .collect()
            }
        };
        let table_width: f32 = widths.iter().sum::<f32>() + gap * (columns as f32 - 1.0);
        let rule = |y: f32, thickness: f32| {
            Content::Item(PageItem::Rule {
                rect: Rect {
                    x: left,
                    y,
                    width: table_width,
                    height: thickness,
                },
                gray: 0.0,
            })
        };
        let rows =
            std::iter::once((&table.header, true)).chain(table.rows.iter().map(|r| (r, false)));
        let row_count = table.rows.len() + 1;
        self.open(StructKind::Table);
        for (r, (row, is_header)) in rows.enumerate() {
            let style = if is_header { &header_style } else { &body };
            let mut cells = Vec::new();
            let mut row_lines = 1usize;
            let mut x = left;
            for (c, width) in widths.iter().enumerate() {
                let inlines = row.get(c).cloned().unwrap_or_default();
                let alignment = match table.alignments.get(c) {
                    Some(ir::Alignment::Right) => Alignment::Right,
                    Some(ir::Alignment::Center) => Alignment::Center,
                    _ => Alignment::Left,
                };
                let mut spans = Vec::new();
                inline_spans(&inlines, style, &mut spans);
                let settings = TextBlock {
                    role: Role::TableCell,
                    style: style.clone(),
                    leading,
                    alignment,
                    left: 0.0,
                    right: 0.0,
                    first_indent: 0.0,
                    space_before: 0.0,
                    keep_with_next: false,
                    hyphenate: true,
                    anchors: Vec::new(),
                    outline: None,
                };
                let lines = self.set_spans(&spans, &settings, *width);
                row_lines = row_lines.max(lines.len());
                cells.push((x, lines));
                x += width + gap;
            }
            let pad = leading * 0.25;
            let mut block = VBlock::new(row_lines as f32 * leading + 2.0 * pad, self.chapter);
            block.baseline = Some(pad + leading * 0.78);
            if r == 0 {
                block.space_before = g.leading * 0.6;
                block.break_before = !std::mem::take(&mut self.keep_next);
                block.content.push(rule(0.0, 0.8));
            } else {
                // Keep the header with the first row, and the last row not alone.
                block.break_before = r >= 2 && row_count - r >= 1;
            }
            let tag = |tag: Tag| Content::Item(PageItem::Tag(tag));
            block.content.push(tag(Tag::Start(StructKind::TableRow)));
            let cell_kind = if is_header {
                StructKind::TableHeader
            } else {
                StructKind::TableData
            };
            for (cx, lines) in cells {
                block.content.push(tag(Tag::Start(cell_kind.clone())));
                let has_text = lines.iter().any(|line| !line.pieces.is_empty());
                if has_text {
                    block.content.push(tag(Tag::Start(StructKind::Paragraph)));
                }
                for (k, line) in lines.iter().enumerate() {
                    let mut content = Vec::new();
                    line_content(
                        line,
                        cx,
                        pad + leading * 0.78,
                        Role::TableCell,
                        &mut content,
                    );
                    block.content.extend(
                        content
                            .into_iter()
                            .map(|c| offset_content(c, k as f32 * leading)),
                    );
                }
                if has_text {
                    block.content.push(tag(Tag::End));
                }
                block.content.push(tag(Tag::End));
            }
            block.content.push(tag(Tag::End));
            if is_header {
                block.content.push(rule(block.height - 0.4, 0.4));
            }
            if r + 1 == row_count {
                block.content.push(rule(block.height, 0.8));
                block.height += g.leading * 0.6;
            }
            self.push_block(block);
        }
        self.close();
    }

    pub(super) fn text_width(&self, text: &str, style: &TextStyle) -> f32 {
        text.split(' ')
            .map(|w| {
                self.shaper
                    .shape_word(w, style.family, style.style)
                    .iter()
                    .map(|r| r.advance())
                    .sum::<f32>()
                    * style.size
            })
            .sum::<f32>()
            + text.matches(' ').count() as f32 * style.size * 0.26
    }

    /// Chapter endnotes: a small heading and the numbered notes `notes`.
    pub(super) fn endnotes(&mut self, notes: &[&ir::Footnote], diagnostics: &mut Diagnostics) {
        if notes.is_empty() {
            return;
        }
        let g = self.geometry;
        let mut style = self.body_style();
        style.style.bold = true;
        style.size = note_size(g.body_size);
        self.text_block(
            &[Inline::Text("Notes".into())],
            TextBlock {
                role: Role::Heading(3),
                style,
                leading: g.leading,
                alignment: Alignment::Left,
                left: 0.0,
                right: 0.0,
                first_indent: 0.0,
                space_before: g.leading * 1.5,
                keep_with_next: true,
                hyphenate: false,
                anchors: Vec::new(),
                outline: None,
            },
        );
        for note in notes {
            self.note(note, diagnostics);
        }
    }

    /// One note, numbered, in its own `Note` element, in small type; its anchor on its
    /// first line.
    fn note(&mut self, note: &ir::Footnote, diagnostics: &mut Diagnostics) {
        let g = self.geometry;
        let size = note_size(g.body_size);
        self.open(StructKind::Note {
            id: note.id.clone(),
        });
        let first = self.blocks.len();
        for block in &note.blocks {
            match block {
                Block::Paragraph(inlines) => {
                    let mut content = Vec::new();
                    if first == self.blocks.len() {
                        content.push(Inline::Text(format!("{}.\u{2002}", note.number)));
                    }
                    content.extend(inlines.iter().cloned());
                    self.text_block(
                        &content,
                        TextBlock {
                            role: Role::Footnote,
                            style: TextStyle::serif(size),
                            leading: (size * 1.3).round(),
                            alignment: Alignment::Justify,
                            left: 0.0,
                            right: 0.0,
                            first_indent: 0.0,
                            space_before: g.leading * 0.2,
                            keep_with_next: false,
                            hyphenate: true,
                            anchors: Vec::new(),
                            outline: None,
                        },
                    );
                }
                other => self.blocks_of(std::slice::from_ref(other), g.body_size, 0.0, diagnostics),
            }
        }
        if let Some(block) = self.blocks.get_mut(first) {
            block.anchors.push(note.id.clone());
        }
        self.close();
    }

    /// A chapter begins: with notes at the page foot, its notes wait for their first call.
    pub(super) fn start_notes(&mut self) {
        let book = self.book;
        let Some(chapter) = book.chapters.get(self.chapter) else {
            return;
        };
        self.notes_waiting = match book.settings.notes {
            NotePlacement::Page => chapter.footnotes.iter().collect(),
            NotePlacement::Chapter => Vec::new(),
        };
    }

    /// A chapter ends: its endnotes, with notes at the page foot only those no line called
    /// (a call in a table cell, say, which is not set as lines of the running text).
    pub(super) fn end_notes(&mut self, diagnostics: &mut Diagnostics) {
        let book = self.book;
        let Some(chapter) = book.chapters.get(self.chapter) else {
            return;
        };
        let notes: Vec<&ir::Footnote> = match book.settings.notes {
            NotePlacement::Page => std::mem::take(&mut self.notes_waiting),
            NotePlacement::Chapter => chapter.footnotes.iter().collect(),
        };
        self.endnotes(&notes, diagnostics);
        diagnostics.extend(std::mem::take(&mut self.note_diagnostics));
    }

    /// The notes first called in `content` (a line just set), and the notes those call in
    /// turn, set as lines for the foot of the page.
    pub(super) fn notes_called(&mut self, content: &[Content]) -> Vec<VBlock> {
        if self.setting_note || self.notes_waiting.is_empty() {
            return Vec::new();
        }
        let mut calls: Vec<String> = anchor_links(content).collect();
        let mut lines = Vec::new();
        let mut next = 0;
        while let Some(id) = calls.get(next) {
            next += 1;
            let Some(at) = self.notes_waiting.iter().position(|n| n.id == *id) else {
                continue;
            };
            let note = self.notes_waiting.remove(at);
            let set = self.note_apart(note);
            for line in &set {
                calls.extend(anchor_links(&line.content));
            }
            lines.extend(set);
        }
        lines
    }

    /// Set a note into blocks of its own, apart from the vertical list and from the
    /// state of the text around the call.
    fn note_apart(&mut self, note: &ir::Footnote) -> Vec<VBlock> {
        let blocks = std::mem::take(&mut self.blocks);
        let pending = std::mem::take(&mut self.pending_starts);
        let (keep_next, after_break) = (self.keep_next, self.after_break);
        self.setting_note = true;
        let mut diagnostics = std::mem::take(&mut self.note_diagnostics);
        self.note(note, &mut diagnostics);
        self.note_diagnostics = diagnostics;
        self.setting_note = false;
        self.keep_next = keep_next;
        self.after_break = after_break;
        self.pending_starts = pending;
        std::mem::replace(&mut self.blocks, blocks)
    }
}

/// Type size of notes: 85 % of the body, to the half point.
fn note_size(body_size: f32) -> f32 {
    (body_size * 0.85 * 2.0).round() / 2.0
}

/// The anchors that links in `content` point at (footnote calls among them).
fn anchor_links(content: &[Content]) -> impl Iterator<Item = String> + '_ {
    content.iter().filter_map(|c| match c {
        Content::Link(_, LinkRef::Anchor(id)) => Some(id.clone()),
        _ => None,
    })
}
