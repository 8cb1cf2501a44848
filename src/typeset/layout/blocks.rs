//! Block kinds other than running text: figures, lists, code, tables, chapter endnotes.

use super::content::{inline_spans, line_content, offset_content};
use super::{Layout, TextBlock};
use crate::ir::{self, Block, ImageFormat, Inline, NotePlacement};
use crate::typeset::fonts::{Caps, Family, Figures, Style};
use crate::typeset::frame::{PageItem, Rect, Role, StructKind, Tag};
use crate::typeset::linebreak::{Item, FORBIDDEN, LAST_RESORT};
use crate::typeset::paginate::{Content, Flow, VBlock};
use crate::typeset::text::{
    number_ranges, set_lines, Alignment, LinkRef, ParagraphBuilder, SetLine, Span, TextStyle,
};
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
            let mut style = TextStyle::body(caption_size);
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
            let mut style = TextStyle::body((caption_size - 1.0).max(6.0));
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

    /// A block quotation: its blocks indented on both sides, with [`QUOTE_SPACE`] above and
    /// below (the gap of the first block in it and of the first block after it, so that
    /// a page that ends short may stretch it, and it is dropped at a page's head), and
    /// the paragraph after it not indented, as after a figure, a table or code.
    pub(super) fn block_quote(
        &mut self,
        inner: &[Block],
        left: f32,
        right: f32,
        diagnostics: &mut Diagnostics,
    ) {
        let g = self.geometry;
        let indent = g.body_size * QUOTE_INDENT;
        let space = g.leading * QUOTE_SPACE;
        self.after_break = true;
        self.open(StructKind::BlockQuote);
        self.space_next = self.space_next.max(space);
        self.blocks_of(inner, left + indent, right + indent, diagnostics);
        self.close();
        self.space_next = self.space_next.max(space);
        self.after_break = true;
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
            line_content(
                &line,
                left,
                leading * super::BASELINE_IN_LEADING,
                role,
                true,
                &mut content,
            );
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
                let baseline = block
                    .baseline
                    .unwrap_or(g.leading * super::BASELINE_IN_LEADING);
                let style = TextStyle::body(g.body_size);
                let mut builder = ParagraphBuilder::new(self.shaper, &self.hyphenation, hang)
                    .without_hyphenation();
                builder.add_spans(&[Span { text: label, style }]);
                let (paragraph, lines) = builder.finish(Alignment::Left);
                let mut label = vec![Content::Item(PageItem::Tag(Tag::Start(StructKind::Label)))];
                for line in set_lines(paragraph, &lines, Alignment::Left, hang) {
                    let x = left + hang - line.width - g.body_size * 0.5;
                    line_content(&line, x, baseline, Role::ListItem, true, &mut label);
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
            ..TextStyle::body(size)
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
                block.baseline = Some(leading * super::BASELINE_IN_LEADING);
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
                    leading * super::BASELINE_IN_LEADING,
                    Role::Code,
                    self.glyphs,
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

    /// A table: column widths from the cells' content (each column at least as wide as its
    /// widest word, at most its widest cell on one line, the rest shared in proportion);
    /// if the words do not fit, smaller type, step by step down to [`TABLE_MIN_SIZE`]; only
    /// then words broken, at hyphenation points first, numbers and dates whole unless one
    /// is wider than its column, with a warning for a cell broken by force.
    pub(super) fn table(
        &mut self,
        table: &ir::Table,
        left: f32,
        right: f32,
        diagnostics: &mut Diagnostics,
    ) {
        let g = self.geometry;
        let columns = table
            .alignments
            .len()
            .max(table.header.len())
            .max(table.rows.iter().map(Vec::len).max().unwrap_or(0));
        if columns == 0 {
            return;
        }
        let available = g.measure - left - right;
        let floor = g.body_size * TABLE_MIN_SIZE;
        let mut size = half_point(g.body_size * TABLE_SIZE);
        let (widths, fit) = loop {
            let needs = self.column_needs(table, columns, size);
            let gap = size * COLUMN_GAP;
            let room = (available - gap * (columns as f32 - 1.0)).max(columns as f32 * MIN_COLUMN);
            let (widths, fit) = column_widths(&needs, room, size * MIN_WORD_COLUMN);
            if fit != Fit::Broken || size - TABLE_SIZE_STEP < floor - f32::EPSILON {
                break (widths, fit);
            }
            size -= TABLE_SIZE_STEP;
        };
        let leading = (size * TABLE_LEADING).round();
        let gap = size * COLUMN_GAP;
        // Tabular lining figures: every digit one width, so that columns of numbers align.
        let body = table_style(size);
        let mut header_style = body.clone();
        header_style.style.bold = true;
        let alignments: Vec<Alignment> = (0..columns)
            .map(|c| match table.alignments.get(c) {
                Some(ir::Alignment::Right) => Alignment::Right,
                Some(ir::Alignment::Center) => Alignment::Center,
                Some(ir::Alignment::Left) => Alignment::Left,
                // A column of figures lines up on the right, as figures are added up.
                _ if numeric_column(table, c) => Alignment::Right,
                _ => Alignment::Left,
            })
            .collect();
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
        // Cells broken inside a word by force: (row, column, text), row 0 the header.
        let mut forced = Vec::new();
        self.open(StructKind::Table);
        for (r, (row, is_header)) in rows.enumerate() {
            let style = if is_header { &header_style } else { &body };
            let mut cells = Vec::new();
            let mut row_lines = 1usize;
            let mut x = left;
            for (c, (width, alignment)) in widths.iter().zip(&alignments).enumerate() {
                let inlines = row.get(c).map(Vec::as_slice).unwrap_or_default();
                let mut spans = Vec::new();
                inline_spans(inlines, style, &mut spans);
                let (lines, broken) = self.set_cell(&spans, *alignment, *width, fit);
                if broken {
                    forced.push((r, c, ir::plain_text(inlines)));
                }
                row_lines = row_lines.max(lines.len());
                cells.push((x, lines));
                x += width + gap;
            }
            let pad = leading * 0.25;
            let mut block = VBlock::new(row_lines as f32 * leading + 2.0 * pad, self.chapter);
            block.baseline = Some(pad + leading * super::BASELINE_IN_LEADING);
            if r == 0 {
                block.space_before = g.leading * 0.6;
                block.break_before = !std::mem::take(&mut self.keep_next);
                block.content.push(rule(0.0, 0.8));
            } else {
                // Keep the header with the first row, and the last row not alone.
                block.break_before = r >= 2 && row_count - r >= 2;
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
                        pad + leading * super::BASELINE_IN_LEADING,
                        Role::TableCell,
                        true,
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
        if let Some((row, column, text)) = forced.first() {
            let chapter = self
                .book
                .chapters
                .get(self.chapter)
                .map(ir::Chapter::title_text)
                .unwrap_or_default();
            let row = if *row == 0 {
                "header".to_string()
            } else {
                format!("row {row}")
            };
            let others = match forced.len() - 1 {
                0 => String::new(),
                1 => " (and 1 other cell)".to_string(),
                n => format!(" (and {n} other cells)"),
            };
            diagnostics.push(
                Diagnostic::warning(format!(
                    "a table in chapter \u{201c}{chapter}\u{201d} is too wide for the page even in \
                     {floor:.1} pt type: its {row}, column {}, \u{201c}{text}\u{201d}, had to be \
                     broken inside a word{others}",
                    column + 1
                ))
                .hint("give the table fewer columns, or shorten its longest words and numbers"),
            );
        }
    }

    /// Each column's widths at type size `size` (header cells bold).
    fn column_needs(&self, table: &ir::Table, columns: usize, size: f32) -> Vec<ColumnNeed> {
        let body = table_style(size);
        let mut header_style = body.clone();
        header_style.style.bold = true;
        let mut needs = vec![ColumnNeed::default(); columns];
        let all_rows = std::iter::once((&table.header, &header_style))
            .chain(table.rows.iter().map(|r| (r, &body)));
        for (row, style) in all_rows {
            for (need, cell) in needs.iter_mut().zip(row) {
                let mut spans = Vec::new();
                inline_spans(cell, style, &mut spans);
                let cell = self.cell_need(&spans);
                need.natural = need.natural.max(cell.natural);
                need.word = need.word.max(cell.word);
                need.number = need.number.max(cell.number);
            }
        }
        needs
    }

    /// One cell's widths: on one line, its widest word, its widest number.
    fn cell_need(&self, spans: &[Span]) -> ColumnNeed {
        let mut need = ColumnNeed::default();
        // A word may run on from one span into the next (`**2019**-01`).
        let mut word = 0.0f32;
        for span in spans {
            need.natural += self.text_width(&span.text, &span.style);
            let mut pieces = span.text.split(char::is_whitespace).peekable();
            while let Some(piece) = pieces.next() {
                word += self.text_width(piece, &span.style);
                for range in number_ranges(piece) {
                    need.number = need.number.max(self.text_width(&piece[range], &span.style));
                }
                if pieces.peek().is_some() {
                    need.word = need.word.max(word);
                    word = 0.0;
                }
            }
        }
        need.word = need.word.max(word);
        need
    }

    /// Set a cell's spans at `width`; with whether a word had to be cut where no break is
    /// allowed. Words are hyphenated only in a table whose words do not fit.
    fn set_cell(
        &self,
        spans: &[Span],
        alignment: Alignment,
        width: f32,
        fit: Fit,
    ) -> (Vec<SetLine>, bool) {
        let mut builder = ParagraphBuilder::new(self.shaper, &self.hyphenation, width)
            .reusing_words(&self.set_words);
        if fit != Fit::Broken {
            builder = builder.without_hyphenation();
        }
        builder.add_spans(spans);
        let (paragraph, lines) = builder.finish(alignment);
        let forced = lines.iter().any(|line| {
            matches!(
                paragraph.items.get(line.end),
                Some(Item::Penalty { cost, .. }) if *cost >= LAST_RESORT && *cost < FORBIDDEN
            )
        });
        (set_lines(paragraph, &lines, alignment, width), forced)
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
            &[Inline::Text(self.book.labels.notes.clone())],
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
                            style: TextStyle::body(size),
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
        // The note's lines are not the block the space below a quote waits for.
        let space_next = std::mem::take(&mut self.space_next);
        self.setting_note = true;
        let mut diagnostics = std::mem::take(&mut self.note_diagnostics);
        self.note(note, &mut diagnostics);
        self.note_diagnostics = diagnostics;
        self.setting_note = false;
        self.keep_next = keep_next;
        self.after_break = after_break;
        self.space_next = space_next;
        self.pending_starts = pending;
        std::mem::replace(&mut self.blocks, blocks)
    }
}

/// A block quotation's indent on each side, in ems of the body type.
const QUOTE_INDENT: f32 = 1.5;

/// Room above and below a block quotation, in body lines: half a line each, so that the
/// text after a quote of whole lines is back on the lines of the text before it.
const QUOTE_SPACE: f32 = 0.5;

/// A table's type, relative to the body size, before it has to shrink.
const TABLE_SIZE: f32 = 0.85;

/// The smallest a table's type is set to fit its columns, relative to the body size: any
/// smaller is hard to read, and words are broken instead.
const TABLE_MIN_SIZE: f32 = 0.8;

/// How much a table's type shrinks at each try, in points.
const TABLE_SIZE_STEP: f32 = 0.5;

/// A table's leading, relative to its type size.
const TABLE_LEADING: f32 = 1.3;

/// Room between columns, in ems of the table's type.
const COLUMN_GAP: f32 = 1.0;

/// Added to a column's width so that rounding never wraps a cell that fits.
const COLUMN_SLACK: f32 = 0.5;

/// The narrowest a column of words is made when words must break, in ems of the table's
/// type, however wide the numbers of the other columns: below it, a word would be set a
/// letter or two a line.
const MIN_WORD_COLUMN: f32 = 3.0;

/// The narrowest a column is made, in points, however many columns there are.
const MIN_COLUMN: f32 = 12.0;

/// A size rounded to the half point.
fn half_point(size: f32) -> f32 {
    (size * 2.0).round() / 2.0
}

/// What a column needs, measured at one type size.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct ColumnNeed {
    /// Its widest cell set on one line.
    natural: f32,
    /// Its widest word: any narrower and a word must break.
    word: f32,
    /// Its widest number or date: any narrower and a number must break.
    number: f32,
}

/// How a table's columns fit the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fit {
    /// Every cell on one line.
    Natural,
    /// Cells wrap between words.
    Words,
    /// Words must break (numbers too if even they do not fit).
    Broken,
}

/// Column widths for `room` points: the natural widths if they fit; else each column its
/// widest word and a share of the rest in proportion to how much more it would take to
/// set its cells on one line; else, the words not fitting, each its widest number (but a
/// column of words no narrower than `least`: its words have to go somewhere), then as many
/// columns as the room allows their widest word, those that lack least first (so that as
/// few words as can be are broken), and the rest shared among the others in proportion to
/// what each lacks.
fn column_widths(needs: &[ColumnNeed], room: f32, least: f32) -> (Vec<f32>, Fit) {
    let natural: Vec<f32> = needs.iter().map(|n| n.natural + COLUMN_SLACK).collect();
    let word: Vec<f32> = needs
        .iter()
        .map(|n| n.word.min(n.natural) + COLUMN_SLACK)
        .collect();
    if natural.iter().sum::<f32>() <= room {
        return (natural, Fit::Natural);
    }
    if word.iter().sum::<f32>() <= room {
        return (share(&word, &natural, room), Fit::Words);
    }
    let number: Vec<f32> = needs
        .iter()
        .zip(&word)
        .map(|(n, w)| (n.number + COLUMN_SLACK).max(least).min(*w))
        .collect();
    let numbers: f32 = number.iter().sum();
    if numbers <= room {
        let mut widths = number;
        let mut extra = room - numbers;
        let mut order: Vec<usize> = (0..widths.len()).collect();
        order.sort_by(|a, b| (word[*a] - widths[*a]).total_cmp(&(word[*b] - widths[*b])));
        for c in order {
            let lack = word[c] - widths[c];
            if lack <= extra {
                widths[c] = word[c];
                extra -= lack;
            }
        }
        return (share(&widths, &word, room), Fit::Broken);
    }
    // Not even the numbers fit: every column in proportion to its widest number.
    let scale = room / numbers.max(f32::EPSILON);
    (number.iter().map(|w| w * scale).collect(), Fit::Broken)
}

/// `least` widened towards `most`, the room beyond `least` shared in proportion to the
/// difference (`least` fits the room, `most` does not).
fn share(least: &[f32], most: &[f32], room: f32) -> Vec<f32> {
    let extra = room - least.iter().sum::<f32>();
    let flexible: f32 = least
        .iter()
        .zip(most)
        .map(|(l, m)| (m - l).max(0.0))
        .sum::<f32>()
        .max(f32::EPSILON);
    least
        .iter()
        .zip(most)
        .map(|(l, m)| l + extra * (m - l).max(0.0) / flexible)
        .collect()
}

/// Whether column `c` holds figures: every body cell with text is a number (a sign or a
/// currency before it and a per cent sign after allowed), and one has text at least.
fn numeric_column(table: &ir::Table, c: usize) -> bool {
    let mut any = false;
    for row in &table.rows {
        let text = row
            .get(c)
            .map(|cell| ir::plain_text(cell))
            .unwrap_or_default();
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let core = text
            .trim_start_matches([
                '+', '-', '\u{2212}', '\u{b1}', '$', '\u{20ac}', '\u{a3}', '\u{a5}',
            ])
            .trim_end_matches('%');
        if number_ranges(core).as_slice() != std::slice::from_ref(&(0..core.len())) {
            return false;
        }
        any = true;
    }
    any
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

/// The type of a table's cells at `size`: tabular lining figures, every digit one width, so
/// that columns of numbers align (measured and set alike).
fn table_style(size: f32) -> TextStyle {
    let mut style = TextStyle::body(size);
    style.style.features.figures = Figures::Tabular;
    style
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Book, Paper};
    use crate::typeset::fonts::FontSet;
    use crate::typeset::frame::{LaidOutDocument, Page};
    use crate::typeset::{lay_out, PageGeometry};

    /// Lay out `markdown` (with `files` beside it) on A5 pages.
    fn lay_out_markdown(
        name: &str,
        markdown: &str,
        files: &[(&str, &str)],
    ) -> (LaidOutDocument, Diagnostics) {
        let dir =
            std::env::temp_dir().join(format!("presswork-blocks-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        for (file, content) in files {
            std::fs::write(dir.join(file), content).expect("write");
        }
        let file = dir.join("book.md");
        std::fs::write(&file, markdown).expect("write");
        let mut diagnostics = Diagnostics::default();
        let book: Book =
            crate::load::load_book(&file, &Default::default(), &mut diagnostics).expect("loads");
        let _ = std::fs::remove_dir_all(&dir);
        let fonts = FontSet::builtin().expect("fonts");
        let geometry = PageGeometry::for_paper(Paper::A5);
        let document = lay_out(&book, &fonts, geometry, &mut diagnostics);
        (document, diagnostics)
    }

    /// The text of a run, word spaces as spaces.
    fn run_text(run: &crate::typeset::frame::GlyphRun) -> String {
        let mut text = String::new();
        for glyph in &run.glyphs {
            text.push_str(&glyph.text);
            if glyph.space_after {
                text.push(' ');
            }
        }
        text
    }

    /// A page's text, runs apart by spaces.
    fn page_text(page: &Page) -> String {
        page.items
            .iter()
            .filter_map(|item| match item {
                PageItem::Glyphs(run) => Some(run_text(run)),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The first page whose text has the word `word`.
    fn page_of(document: &LaidOutDocument, word: &str) -> usize {
        document
            .pages
            .iter()
            .position(|p| {
                page_text(p)
                    .split_whitespace()
                    .any(|w| w.trim_matches('.') == word)
            })
            .unwrap_or_else(|| panic!("{word} not laid out"))
    }

    /// The pages the images with alt text `alt` are on.
    fn image_pages(document: &LaidOutDocument, alt_text: &str) -> Vec<usize> {
        document
            .pages
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                p.items
                    .iter()
                    .any(|i| matches!(i, PageItem::Image { alt, .. } if alt == alt_text))
            })
            .map(|(n, _)| n)
            .collect()
    }

    /// A picture 300 × 400 CSS pixels: set at the most a figure may take of the page.
    const TALL_SVG: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"300\" \
                            height=\"400\"><rect width=\"300\" height=\"400\" fill=\"#888\"/></svg>";

    const FILLER: &str = "The ties between the two countries remained strong through the \
                          years, and the talks went on in the capital for most of the week.";

    #[test]
    fn a_figure_lands_on_the_page_of_its_mention_or_the_next_and_in_its_chapter() {
        // The figure falls at every height of the page as the text before it grows.
        let mut landed_next = 0;
        for before in 0..16 {
            let mut markdown = String::from("# One\n\n");
            for _ in 0..before {
                markdown.push_str(&format!("{FILLER}\n\n"));
            }
            markdown.push_str(&format!(
                "{FILLER} xqb.\n\n![Tall](tall.svg)\n*The tall one*\n\n"
            ));
            markdown.push_str(&format!("xqa {FILLER}\n\n"));
            for _ in 0..8 {
                markdown.push_str(&format!("{FILLER}\n\n"));
            }
            markdown.push_str("# Two\n\nxqt begins the second chapter.\n");
            let (document, _) = lay_out_markdown(
                &format!("float-{before}"),
                &markdown,
                &[("tall.svg", TALL_SVG)],
            );
            let mention = page_of(&document, "xqb");
            let figure = image_pages(&document, "Tall");
            assert_eq!(figure.len(), 1);
            assert!(
                figure[0] == mention || figure[0] == mention + 1,
                "{before}: mentioned on page {mention}, set on {}",
                figure[0]
            );
            if figure[0] == mention + 1 {
                landed_next += 1;
                // It opens that page, the text after it having flowed on ahead.
                let page = &document.pages[figure[0]];
                let image_y = page.items.iter().find_map(|i| match i {
                    PageItem::Image { rect, .. } => Some(rect.y),
                    _ => None,
                });
                let first_text = page.items.iter().find_map(|i| match i {
                    PageItem::Glyphs(run) if run.role == Role::Paragraph => Some(run.baseline),
                    _ => None,
                });
                if let (Some(image), Some(text)) = (image_y, first_text) {
                    assert!(image < text, "{before}: the figure heads its page");
                }
            }
            assert!(figure[0] < page_of(&document, "xqt"), "{before}");
        }
        assert!(landed_next > 0, "some figure had to move on");
    }

    #[test]
    fn a_chapter_that_ends_with_a_figure_keeps_it_on_its_own_pages() {
        for before in 0..16 {
            let mut markdown = String::from("# One\n\n");
            for _ in 0..before {
                markdown.push_str(&format!("{FILLER}\n\n"));
            }
            markdown.push_str(&format!(
                "{FILLER} xqb.\n\n![Tall](tall.svg)\n*The tall one*\n\n![Small](tall.svg)\n\n"
            ));
            markdown.push_str("# Two\n\nxqt begins the second chapter.\n");
            let (document, _) = lay_out_markdown(
                &format!("end-{before}"),
                &markdown,
                &[("tall.svg", TALL_SVG)],
            );
            let mention = page_of(&document, "xqb");
            let (tall, small) = (
                image_pages(&document, "Tall"),
                image_pages(&document, "Small"),
            );
            let second = page_of(&document, "xqt");
            assert!(tall[0] <= mention + 1, "{before}");
            assert!(tall[0] <= small[0], "{before}: in their order");
            assert!(
                small[0] < second,
                "{before}: chapter two on {second}, figure on {}",
                small[0]
            );
        }
    }

    /// Lines of running text on `page`: (baseline, left edge, right edge, text), top down.
    fn text_lines(page: &Page, role: Role) -> Vec<(f32, f32, f32, String)> {
        let mut lines: Vec<(f32, f32, f32, String)> = Vec::new();
        for item in &page.items {
            let PageItem::Glyphs(run) = item else {
                continue;
            };
            if run.role != role {
                continue;
            }
            let right = run.x + run.glyphs.last().map_or(0.0, |g| g.x);
            match lines.iter_mut().find(|l| (l.0 - run.baseline).abs() < 0.01) {
                Some(line) => {
                    line.1 = line.1.min(run.x);
                    line.2 = line.2.max(right);
                    line.3.push(' ');
                    line.3.push_str(&run_text(run));
                }
                None => lines.push((run.baseline, run.x, right, run_text(run))),
            }
        }
        lines.sort_by(|a, b| a.0.total_cmp(&b.0));
        lines
    }

    #[test]
    fn a_quote_has_half_a_line_above_and_below_and_the_text_after_it_is_not_indented() {
        let markdown = format!(
            "# One\n\n{FILLER}\n\nxqp {FILLER}\n\n> xqq {FILLER} {FILLER}\n\nxqa {FILLER}\n\n\
             {FILLER}\n\n# Two\n\nEnd.\n"
        );
        let (document, _) = lay_out_markdown("quote", &markdown, &[]);
        let page = &document.pages[page_of(&document, "xqq")];
        let geometry = PageGeometry::for_paper(Paper::A5);
        let (leading, indent) = (geometry.leading, geometry.body_size * QUOTE_INDENT);
        let lines = text_lines(page, Role::Paragraph);
        let flush = lines.iter().map(|l| l.1).fold(f32::MAX, f32::min);
        let starts = |word: &str| {
            lines
                .iter()
                .position(|l| l.3.starts_with(word))
                .unwrap_or_else(|| panic!("{word} in {lines:?}"))
        };
        let (quote, after) = (starts("xqq"), starts("xqa"));
        assert!(after - quote >= 2, "a quote of two lines or more");
        for line in &lines[quote..after] {
            // Indented on both sides (a hyphen may hang into the right margin).
            assert!((line.1 - (flush + indent)).abs() < 0.5, "{line:?}");
            assert!(
                line.2 <= flush + geometry.measure - indent + 3.0,
                "{line:?}"
            );
        }
        let gap = |a: usize, b: usize| lines[b].0 - lines[a].0;
        let space = leading * QUOTE_SPACE;
        assert!(
            (gap(quote - 1, quote) - (leading + space)).abs() < 0.01,
            "above"
        );
        assert!(
            (gap(after - 1, after) - (leading + space)).abs() < 0.01,
            "below"
        );
        assert!((gap(quote, quote + 1) - leading).abs() < 0.01, "inside");
        // The paragraph before the quote is indented, the one after it is not.
        assert!(lines[starts("xqp")].1 > flush + 5.0);
        assert!((lines[after].1 - flush).abs() < 0.5);
    }

    #[test]
    fn quotes_nest_and_hold_lists_and_code() {
        let markdown =
            "# One\n\nBefore.\n\n> Outer xqo.\n>\n> > Inner xqi.\n>\n> - item xql\n> - two\n>\n\
                        > ```\n> let xqc = 1;\n> ```\n\nAfter.\n\n# Two\n\nEnd.\n";
        let (document, _) = lay_out_markdown("nested", markdown, &[]);
        let outline = document.structure_outline();
        assert!(
            !outline.contains("unbalanced") && !outline.contains("unclosed"),
            "{outline}"
        );
        let depth_of = |needle: &str| {
            let line = outline
                .lines()
                .find(|l| l.contains(needle))
                .unwrap_or_else(|| panic!("{needle} in {outline}"));
            line.len() - line.trim_start().len()
        };
        let outer = depth_of("BlockQuote");
        assert!(depth_of("xqi") > depth_of("xqo"), "{outline}");
        for inside in ["xqo", "xql", "xqc"] {
            assert!(depth_of(inside) > outer, "{inside}: {outline}");
        }
        assert_eq!(outline.matches("BlockQuote").count(), 2, "{outline}");
    }

    fn need(natural: f32, word: f32, number: f32) -> ColumnNeed {
        ColumnNeed {
            natural,
            word,
            number,
        }
    }

    #[test]
    fn columns_take_their_widest_word_and_share_the_rest() {
        let slack = COLUMN_SLACK;
        // Everything on one line.
        let (widths, fit) =
            column_widths(&[need(30.0, 10.0, 0.0), need(40.0, 20.0, 0.0)], 100.0, 0.0);
        assert_eq!(fit, Fit::Natural);
        assert_eq!(widths, [30.0 + slack, 40.0 + slack]);
        // Words fit: each column its widest word, the rest shared by what each lacks.
        let (widths, fit) =
            column_widths(&[need(90.0, 10.0, 0.0), need(30.0, 30.0, 0.0)], 100.0, 0.0);
        assert_eq!(fit, Fit::Words);
        assert!((widths[1] - (30.0 + slack)).abs() < 1e-3, "{widths:?}");
        assert!((widths.iter().sum::<f32>() - 100.0).abs() < 1e-3);
        // Words do not fit: numbers keep their width, words give.
        let (widths, fit) =
            column_widths(&[need(60.0, 60.0, 0.0), need(45.0, 45.0, 45.0)], 70.0, 0.0);
        assert_eq!(fit, Fit::Broken);
        assert!((widths[1] - (45.0 + slack)).abs() < 1e-3, "{widths:?}");
        assert!((widths.iter().sum::<f32>() - 70.0).abs() < 1e-3);
        // As many columns as can have their widest word, those that lack least first.
        let needs = [
            need(50.0, 50.0, 0.0),
            need(80.0, 80.0, 0.0),
            need(30.0, 30.0, 30.0),
        ];
        let (widths, fit) = column_widths(&needs, 110.0, 10.0);
        assert_eq!(fit, Fit::Broken);
        let expected = [50.5, 29.0, 30.5];
        assert!(
            widths
                .iter()
                .zip(expected)
                .all(|(w, e)| (w - e).abs() < 1e-3),
            "{widths:?}"
        );
        // A column of words keeps room for some letters a line, though numbers give.
        let (widths, fit) =
            column_widths(&[need(90.0, 90.0, 0.0), need(45.0, 45.0, 45.0)], 70.0, 20.0);
        assert_eq!(fit, Fit::Broken);
        // 20 + 45.5 = 65.5: the 4.5 left go to the words.
        assert!(
            (widths[0] - 24.5).abs() < 1e-3 && (widths[1] - 45.5).abs() < 1e-3,
            "{widths:?}"
        );
        // Not even the numbers fit: in proportion to them.
        let (widths, _) =
            column_widths(&[need(40.0, 40.0, 40.0), need(40.0, 40.0, 40.0)], 60.0, 0.0);
        assert!(widths.iter().all(|w| (w - 30.0).abs() < 1e-3), "{widths:?}");
    }

    fn cell(text: &str) -> Vec<Inline> {
        vec![Inline::Text(text.into())]
    }

    #[test]
    fn a_column_of_numbers_is_numeric() {
        let table = ir::Table {
            alignments: vec![ir::Alignment::None; 3],
            header: vec![cell("Date"), cell("Amount"), cell("Note")],
            rows: vec![
                vec![cell("2019-01-15"), cell("$1,234.50"), cell("paid")],
                vec![cell("2019-02-01"), cell("-12%"), cell("3 items")],
                vec![cell(""), cell("7"), cell("4")],
            ],
        };
        assert!(numeric_column(&table, 0));
        assert!(numeric_column(&table, 1));
        assert!(!numeric_column(&table, 2));
    }

    /// A markdown table of `columns` columns and `rows` rows of dates, the third column of
    /// long words instead if `words`, and a last column of one-digit numbers.
    fn date_table(columns: usize, rows: usize, words: bool) -> String {
        let mut table = String::new();
        for c in 0..columns {
            table.push_str(&format!("| Column {c} "));
        }
        table.push_str("| n |\n");
        table.push_str(&"|---".repeat(columns + 1));
        table.push_str("|\n");
        for r in 0..rows {
            for c in 0..columns {
                if words && c == 2 {
                    table.push_str("| Internationalisation notwithstanding ");
                } else {
                    table.push_str(&format!("| 2019-{:02}-{:02} ", r % 12 + 1, c + 10));
                }
            }
            table.push_str(&format!("| {} |\n", r % 10));
        }
        table
    }

    /// The lines of table cells in `document`, as text.
    fn cell_lines(document: &LaidOutDocument) -> Vec<(f32, String)> {
        document
            .pages
            .iter()
            .flat_map(|p| text_lines(p, Role::TableCell))
            .map(|(_, _, _, text)| (0.0, text))
            .collect()
    }

    fn cell_sizes(document: &LaidOutDocument) -> Vec<f32> {
        let mut sizes: Vec<f32> = document
            .pages
            .iter()
            .flat_map(|p| &p.items)
            .filter_map(|i| match i {
                PageItem::Glyphs(run) if run.role == Role::TableCell => Some(run.size),
                _ => None,
            })
            .collect();
        sizes.dedup();
        sizes
    }

    /// Whether a table cell was reported broken by force.
    fn forced(diagnostics: &Diagnostics) -> bool {
        diagnostics
            .warnings
            .iter()
            .any(|w| w.message.contains("broken inside a word"))
    }

    #[test]
    fn a_wide_table_shrinks_its_type_before_it_breaks_a_date() {
        let markdown = format!("# One\n\n{}\n# Two\n\nEnd.\n", date_table(6, 4, false));
        let (document, diagnostics) = lay_out_markdown("dates6", &markdown, &[]);
        let lines = cell_lines(&document);
        for r in 0..4 {
            for c in 0..6 {
                let date = format!("2019-{:02}-{:02}", r + 1, c + 10);
                assert!(
                    lines
                        .iter()
                        .any(|(_, l)| l.split_whitespace().any(|w| w == date)),
                    "{date} split: {lines:?}"
                );
            }
        }
        // Six dates and a narrow column do not fit A5's measure (310 pt) in the first size,
        // 8.5 pt (six dates 44 pt wide, six gaps of 8.5 pt); they do in 8 pt.
        let body = PageGeometry::for_paper(Paper::A5).body_size;
        assert_eq!(cell_sizes(&document), [body * TABLE_MIN_SIZE]);
        assert!(!forced(&diagnostics), "{:?}", diagnostics.warnings);
    }

    #[test]
    fn a_narrow_table_keeps_its_size_and_breaks_nothing() {
        let markdown = format!("# One\n\n{}\n# Two\n\nEnd.\n", date_table(3, 2, true));
        let (document, diagnostics) = lay_out_markdown("dates3", &markdown, &[]);
        let body = PageGeometry::for_paper(Paper::A5).body_size;
        assert_eq!(cell_sizes(&document), [half_point(body * TABLE_SIZE)]);
        assert!(cell_lines(&document).iter().all(|(_, l)| !l.ends_with('-')));
        assert!(!forced(&diagnostics), "{:?}", diagnostics.warnings);
    }

    #[test]
    fn words_break_at_hyphens_before_dates_break_and_force_is_reported() {
        // Five date columns and one of long words: the dates stay whole, the words give,
        // at hyphenation points.
        let markdown = format!("# One\n\n{}\n# Two\n\nEnd.\n", date_table(6, 3, true));
        let (document, _) = lay_out_markdown("words7", &markdown, &[]);
        let lines = cell_lines(&document);
        for r in 0..3 {
            for c in (0..6).filter(|c| *c != 2) {
                let date = format!("2019-{:02}-{:02}", r + 1, c + 10);
                assert!(
                    lines
                        .iter()
                        .any(|(_, l)| l.split_whitespace().any(|w| w == date)),
                    "{date} split: {lines:?}"
                );
            }
        }
        assert!(
            lines.iter().any(|(_, l)| l.ends_with('-')),
            "hyphenated: {lines:?}"
        );
        // Twelve date columns cannot fit even in the smallest type: dates are cut, and a
        // warning says where.
        let markdown = format!("# One\n\n{}\n# Two\n\nEnd.\n", date_table(12, 2, false));
        let (_, diagnostics) = lay_out_markdown("dates12", &markdown, &[]);
        let warning = diagnostics
            .warnings
            .iter()
            .find(|w| w.message.contains("broken inside a word"))
            .expect("a warning");
        assert!(
            warning.message.contains("chapter \u{201c}One\u{201d}"),
            "{}",
            warning.message
        );
        assert!(warning.message.contains("column"), "{}", warning.message);
    }
}
