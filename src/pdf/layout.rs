//! Layout: IR → vertical list of blocks (text set into lines, figures, tables) → pages of
//! positioned items. Knows typography (sizes, leading, indents, keeps) but not PDF syntax.

use std::collections::BTreeMap;

use super::fonts::{Family, Style};
use super::frame::{
    GlyphRun, LaidOutDocument, LinkDestination, OutlineEntry, Page, PageItem, PlacedGlyph, Rect,
    Role,
};
use super::paginate::{paginate, Content, Flow, VBlock};
use super::shape::Shaper;
use super::text::{
    set_lines, Alignment, Hyphenation, LinkRef, ParagraphBuilder, SetLine, Span, TextStyle,
};
use crate::ir::{self, Block, Book, Inline, LinkTarget};
use crate::Diagnostics;

/// Paper sizes presswork knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Paper {
    /// ISO A5, 148 × 210 mm (the default: a book page).
    #[default]
    A5,
    /// ISO A4, 210 × 297 mm.
    A4,
    /// US Letter, 8.5 × 11 in.
    Letter,
    /// US trade, 6 × 9 in.
    Trade,
}

impl Paper {
    /// Parse a paper name as written in `book.toml` (`a5`, `a4`, `letter`, `6x9`).
    pub fn from_name(name: &str) -> Option<Paper> {
        match name.trim().to_ascii_lowercase().as_str() {
            "a5" => Some(Paper::A5),
            "a4" => Some(Paper::A4),
            "letter" | "us-letter" => Some(Paper::Letter),
            "6x9" | "trade" => Some(Paper::Trade),
            _ => None,
        }
    }
}

/// Page geometry and the type scale derived from it.
#[derive(Debug, Clone, Copy)]
pub struct PageGeometry {
    /// Page width.
    pub width: f32,
    /// Page height.
    pub height: f32,
    /// Left edge of the text block.
    pub left: f32,
    /// Top edge of the text block.
    pub top: f32,
    /// Width of the text block (the measure).
    pub measure: f32,
    /// Height of the text block.
    pub text_height: f32,
    /// Body text size.
    pub body_size: f32,
    /// Body leading (baseline to baseline).
    pub leading: f32,
}

impl PageGeometry {
    /// Geometry for a paper size: margins in proportion to the page, a measure of about
    /// 65 characters, and a type size that suits the page.
    pub fn for_paper(paper: Paper) -> Self {
        let (width, height, body_size): (f32, f32, f32) = match paper {
            Paper::A5 => (419.53, 595.28, 10.0),
            Paper::A4 => (595.28, 841.89, 11.5),
            Paper::Letter => (612.0, 792.0, 11.5),
            Paper::Trade => (432.0, 648.0, 10.5),
        };
        let measure = (width * 0.74).min(body_size * 33.0);
        let leading = (body_size * 1.38).round();
        let top = height * 0.095;
        let bottom = height * 0.115;
        let lines = ((height - top - bottom) / leading).floor();
        PageGeometry {
            width,
            height,
            left: (width - measure) / 2.0,
            top,
            measure,
            text_height: lines * leading,
            body_size,
            leading,
        }
    }
}

/// Lays a book out.
pub struct Layout<'a, 'f> {
    shaper: &'a Shaper<'f>,
    hyphenation: Hyphenation,
    geometry: PageGeometry,
    book: &'a Book,
    blocks: Vec<VBlock>,
    chapter: usize,
    /// Whether the next paragraph follows a heading or figure (no first-line indent).
    after_break: bool,
    /// The last block asked to stay with what follows (a heading).
    keep_next: bool,
    /// Counter for [`VBlock::group`].
    groups: usize,
}

/// Settings of a paragraph-like text block.
struct TextBlock {
    role: Role,
    style: TextStyle,
    leading: f32,
    alignment: Alignment,
    left: f32,
    right: f32,
    first_indent: f32,
    space_before: f32,
    keep_with_next: bool,
    hyphenate: bool,
    anchors: Vec<String>,
    outline: Option<(String, u8)>,
}

impl<'a, 'f> Layout<'a, 'f> {
    /// A layout of `book` on pages of `geometry`.
    pub fn new(shaper: &'a Shaper<'f>, book: &'a Book, geometry: PageGeometry) -> Self {
        Layout {
            shaper,
            hyphenation: Hyphenation::for_language(&book.meta.language),
            geometry,
            book,
            blocks: Vec::new(),
            chapter: 0,
            after_break: true,
            keep_next: false,
            groups: 0,
        }
    }

    /// Lay out the whole book into pages.
    pub fn run(mut self, diagnostics: &mut Diagnostics) -> LaidOutDocument {
        self.build(diagnostics);
        self.into_pages()
    }

    /// Build the vertical list of the whole book.
    fn build(&mut self, diagnostics: &mut Diagnostics) {
        for (index, chapter) in self.book.chapters.iter().enumerate() {
            self.chapter = index;
            self.chapter_opening(chapter);
            self.blocks_of(&chapter.blocks, 0.0, 0.0, diagnostics);
            self.endnotes(chapter, diagnostics);
        }
        let missing = self.shaper.missing_characters();
        if !missing.is_empty() {
            let list: String = missing
                .iter()
                .map(|c| format!("{c} (U+{:04X})", u32::from(*c)))
                .collect::<Vec<_>>()
                .join(", ");
            diagnostics.warn(format!(
                "no font covers these characters; the PDF shows a replacement mark: {list}"
            ));
        }
    }

    fn body_style(&self) -> TextStyle {
        TextStyle::serif(self.geometry.body_size)
    }

    fn chapter_opening(&mut self, chapter: &ir::Chapter) {
        let g = self.geometry;
        let mut sink = VBlock::new(g.text_height * 0.16, self.chapter);
        sink.flow = Flow::NewPage;
        self.blocks.push(sink);
        let size = (g.body_size * 1.7).round();
        let mut style = self.body_style();
        style.size = size;
        style.style.bold = true;
        let first = self.blocks.len();
        self.text_block(
            &chapter.title,
            TextBlock {
                role: Role::Heading(1),
                style,
                leading: (size * 1.25).round(),
                alignment: Alignment::Left,
                left: 0.0,
                right: g.measure * 0.1,
                first_indent: 0.0,
                space_before: 0.0,
                keep_with_next: true,
                hyphenate: false,
                anchors: vec![chapter.id.clone()],
                outline: Some((chapter.title_text(), 1)),
            },
        );
        if let Some(block) = self.blocks.get_mut(first) {
            block.break_before = false;
        }
        self.keep_next = false;
        // A short rule under the title, then room before the text.
        let mut rule = VBlock::new(g.leading * 2.0, self.chapter);
        rule.break_before = false;
        self.keep_next = true;
        rule.content.push(Content::Item(PageItem::Rule {
            rect: Rect {
                x: 0.0,
                y: g.leading * 0.6,
                width: g.measure * 0.18,
                height: 0.6,
            },
            gray: 0.35,
        }));
        self.blocks.push(rule);
        self.after_break = true;
    }

    fn blocks_of(
        &mut self,
        blocks: &[Block],
        left: f32,
        right: f32,
        diagnostics: &mut Diagnostics,
    ) {
        let g = self.geometry;
        for block in blocks {
            match block {
                Block::Paragraph(inlines) => {
                    let first_indent = if self.after_break || left > 0.0 {
                        0.0
                    } else {
                        g.body_size * 1.2
                    };
                    let space_before = if left > 0.0 { g.leading * 0.3 } else { 0.0 };
                    self.text_block(
                        inlines,
                        TextBlock {
                            role: Role::Paragraph,
                            style: self.body_style(),
                            leading: g.leading,
                            alignment: Alignment::Justify,
                            left,
                            right,
                            first_indent,
                            space_before,
                            keep_with_next: false,
                            hyphenate: true,
                            anchors: Vec::new(),
                            outline: None,
                        },
                    );
                    self.after_break = false;
                }
                Block::Heading { level, id, content } => {
                    let mut style = self.body_style();
                    match level {
                        2 => {
                            style.size = (g.body_size * 1.2).round();
                            style.style.bold = true;
                        }
                        3 => style.style.bold = true,
                        _ => style.style.italic = true,
                    }
                    let leading = (style.size * 1.3).round();
                    self.text_block(
                        content,
                        TextBlock {
                            role: Role::Heading(*level),
                            leading,
                            style,
                            alignment: Alignment::Left,
                            left,
                            right: right + g.measure * 0.1,
                            first_indent: 0.0,
                            space_before: g.leading * 1.2,
                            keep_with_next: true,
                            hyphenate: false,
                            anchors: vec![id.clone()],
                            outline: Some((ir::plain_text(content), *level)),
                        },
                    );
                    self.after_break = true;
                }
                Block::Figure(figure) => {
                    self.figure(figure, left, right, diagnostics);
                    self.after_break = true;
                }
                Block::List(list) => self.list(list, left, right, diagnostics),
                Block::BlockQuote(inner) => {
                    let indent = g.body_size * 1.5;
                    self.after_break = true;
                    self.blocks_of(inner, left + indent, right + indent, diagnostics);
                    self.after_break = false;
                }
                Block::CodeBlock { code, .. } => {
                    self.code_block(code, left, right);
                    self.after_break = true;
                }
                Block::Table(table) => {
                    self.table(table, left, right);
                    self.after_break = true;
                }
                Block::ThematicBreak => {
                    let mut style = self.body_style();
                    style.gray = 0.3;
                    self.text_block(
                        &[Inline::Text("*\u{2003}*\u{2003}*".into())],
                        TextBlock {
                            role: Role::Artifact,
                            style,
                            leading: g.leading,
                            alignment: Alignment::Center,
                            left,
                            right,
                            first_indent: 0.0,
                            space_before: g.leading * 0.5,
                            keep_with_next: false,
                            hyphenate: false,
                            anchors: Vec::new(),
                            outline: None,
                        },
                    );
                    self.after_break = true;
                }
            }
        }
    }

    /// Set inlines as lines and push one block per line, with break permissions that
    /// avoid widows and orphans (at least two lines on each side of a page break).
    fn text_block(&mut self, inlines: &[Inline], settings: TextBlock) {
        let mut spans = Vec::new();
        inline_spans(inlines, &settings.style, &mut spans);
        self.spans_block(&spans, settings);
    }

    fn spans_block(&mut self, spans: &[Span], settings: TextBlock) {
        let measure = (self.geometry.measure - settings.left - settings.right).max(24.0);
        let lines = self.set_spans(spans, &settings, measure);
        self.push_lines(lines, settings);
    }

    fn set_spans(&self, spans: &[Span], settings: &TextBlock, measure: f32) -> Vec<SetLine> {
        let mut builder = ParagraphBuilder::new(self.shaper, &self.hyphenation, measure);
        if !settings.hyphenate {
            builder = builder.without_hyphenation();
        }
        builder.indent(settings.first_indent);
        builder.add_spans(spans);
        let (paragraph, lines) = builder.finish(settings.alignment);
        set_lines(&paragraph, &lines, settings.alignment, measure)
    }

    fn push_lines(&mut self, lines: Vec<SetLine>, settings: TextBlock) {
        let n = lines.len();
        let follows_keep = std::mem::take(&mut self.keep_next);
        self.groups += 1;
        for (j, line) in lines.into_iter().enumerate() {
            let mut block = VBlock::new(settings.leading, self.chapter);
            let baseline = settings.leading * 0.78;
            block.baseline = Some(baseline);
            block.group = Some(self.groups);
            block.break_before = if j == 0 {
                !follows_keep
            } else {
                !settings.keep_with_next && j >= 2 && n - j >= 2
            };
            if j == 0 {
                block.space_before = settings.space_before;
                block.anchors = settings.anchors.clone();
                block.outline = settings.outline.clone();
            }
            line_content(
                &line,
                settings.left,
                baseline,
                settings.role,
                &mut block.content,
            );
            self.blocks.push(block);
        }
        self.keep_next = settings.keep_with_next;
    }

    fn figure(
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
        let mut width = available;
        let mut height = width * aspect;
        let max_height = g.text_height * 0.62;
        if height > max_height {
            height = max_height;
            width = height / aspect;
        }
        let ppi = asset.width as f32 / (width / 72.0);
        if ppi < 150.0 {
            diagnostics.warn(format!(
                "image {} is {} px wide, only {ppi:.0} ppi at its printed size (150 ppi or more looks sharp)",
                asset.name, asset.width
            ));
        }
        let x = left + (available - width) / 2.0;
        let mut block = VBlock::new(0.0, self.chapter);
        block.flow = Flow::Float;
        block.space_before = g.leading * 0.8;
        block.anchors.push(figure.id.clone());
        block.content.push(Content::Item(PageItem::Image {
            asset: figure.asset,
            rect: Rect {
                x,
                y: 0.0,
                width,
                height,
            },
            alt: figure.alt.clone(),
        }));
        let mut y = height + g.leading * 0.35;
        let caption_size = (g.body_size * 0.85 * 2.0).round() / 2.0;
        let caption_leading = (caption_size * 1.3).round();
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
            let mut style = TextStyle::serif((caption_size - 1.0).max(6.0));
            style.gray = 0.35;
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
        block.height = y + g.leading * 0.5;
        self.blocks.push(block);
        self.keep_next = false;
    }

    #[allow(clippy::too_many_arguments)]
    fn figure_text(
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
        for line in self.set_spans(&spans, &settings, measure) {
            let mut content = Vec::new();
            line_content(&line, left, leading * 0.78, role, &mut content);
            for c in content {
                block.content.push(offset_content(c, y));
            }
            y += leading;
        }
        y
    }

    fn list(&mut self, list: &ir::List, left: f32, right: f32, diagnostics: &mut Diagnostics) {
        let g = self.geometry;
        let hang = g.body_size * 1.8;
        for (n, item) in list.items.iter().enumerate() {
            let label = match (item.task, list.start) {
                (Some(true), _) => "[x]".to_string(),
                (Some(false), _) => "[ ]".to_string(),
                (None, Some(start)) => format!("{}.", start.saturating_add(n as u64)),
                (None, None) => "•".to_string(),
            };
            let first = self.blocks.len();
            self.after_break = true;
            self.blocks_of(&item.blocks, left + hang, right, diagnostics);
            // Hang the label in the indent, on the first line's baseline.
            if let Some(block) = self.blocks.get_mut(first) {
                let baseline = block.baseline.unwrap_or(g.leading * 0.78);
                let style = TextStyle::serif(g.body_size);
                let mut builder = ParagraphBuilder::new(self.shaper, &self.hyphenation, hang)
                    .without_hyphenation();
                builder.add_spans(&[Span { text: label, style }]);
                let (paragraph, lines) = builder.finish(Alignment::Left);
                for line in set_lines(&paragraph, &lines, Alignment::Left, hang) {
                    let x = left + hang - line.width - g.body_size * 0.5;
                    line_content(&line, x, baseline, Role::ListItem, &mut block.content);
                }
            }
        }
        self.after_break = false;
    }

    fn code_block(&mut self, code: &str, left: f32, right: f32) {
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
            let set = set_lines(&paragraph, &lines, Alignment::Left, measure);
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
                self.blocks.push(block);
            }
        }
        if let Some(last) = self.blocks.last_mut() {
            last.height += g.leading * 0.5;
        }
    }

    fn table(&mut self, table: &ir::Table, left: f32, right: f32) {
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
        let body = TextStyle::serif(size);
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
            for (cx, lines) in cells {
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
            }
            if is_header {
                block.content.push(rule(block.height - 0.4, 0.4));
            }
            if r + 1 == row_count {
                block.content.push(rule(block.height, 0.8));
                block.height += g.leading * 0.6;
            }
            self.blocks.push(block);
        }
    }

    fn text_width(&self, text: &str, style: &TextStyle) -> f32 {
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

    /// Chapter endnotes: a small heading and the numbered notes.
    fn endnotes(&mut self, chapter: &ir::Chapter, diagnostics: &mut Diagnostics) {
        if chapter.footnotes.is_empty() {
            return;
        }
        let g = self.geometry;
        let size = (g.body_size * 0.85 * 2.0).round() / 2.0;
        let mut style = self.body_style();
        style.style.bold = true;
        style.size = size;
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
        for note in &chapter.footnotes {
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
                    other => {
                        self.blocks_of(std::slice::from_ref(other), g.body_size, 0.0, diagnostics)
                    }
                }
            }
            if let Some(block) = self.blocks.get_mut(first) {
                block.anchors.push(note.id.clone());
            }
        }
    }

    /// Paginate and turn the blocks into pages with running heads, folios and links.
    fn into_pages(mut self) -> LaidOutDocument {
        let g = self.geometry;
        let mut blocks = std::mem::take(&mut self.blocks);
        let plans = paginate(&blocks, g.text_height);
        // Where every anchor landed, for internal links and bookmarks.
        let mut anchors: BTreeMap<String, (usize, f32)> = BTreeMap::new();
        let mut outline = Vec::new();
        for (p, plan) in plans.iter().enumerate() {
            for placement in &plan.placements {
                let block = &blocks[placement.block];
                let y = g.top + placement.y;
                for anchor in &block.anchors {
                    anchors.entry(anchor.clone()).or_insert((p, y));
                }
                if let Some((title, level)) = &block.outline {
                    outline.push(OutlineEntry {
                        title: title.clone(),
                        level: *level,
                        page: p,
                        y,
                    });
                }
            }
        }
        let mut pages = Vec::with_capacity(plans.len());
        for (p, plan) in plans.iter().enumerate() {
            let mut page = Page {
                width: g.width,
                height: g.height,
                items: Vec::new(),
            };
            for placement in &plan.placements {
                // Each block is placed once: move its content instead of copying it.
                let content = std::mem::take(&mut blocks[placement.block].content);
                for content in content {
                    match offset_content(content, g.top + placement.y) {
                        Content::Item(item) => page.items.push(shift_x(item, g.left)),
                        Content::Link(rect, target) => {
                            let target = match target {
                                LinkRef::Uri(uri) => Some(LinkDestination::Uri(uri)),
                                LinkRef::Anchor(id) => anchors.get(id.as_str()).map(|(page, y)| {
                                    LinkDestination::Internal { page: *page, y: *y }
                                }),
                            };
                            if let Some(target) = target {
                                page.items.push(PageItem::Link {
                                    rect: Rect {
                                        x: rect.x + g.left,
                                        ..rect
                                    },
                                    target,
                                });
                            }
                        }
                    }
                }
            }
            self.running_head_and_folio(p, plan, &mut page);
            pages.push(page);
        }
        LaidOutDocument { pages, outline }
    }

    fn running_head_and_folio(&self, p: usize, plan: &super::paginate::PagePlan, page: &mut Page) {
        let g = self.geometry;
        let size = (g.body_size * 0.8 * 2.0).round() / 2.0;
        let folio = (p + 1).to_string();
        let mut style = TextStyle::serif(size);
        style.gray = 0.25;
        // Chapter openings carry neither running head nor folio (the page speaks for itself).
        if plan.opening {
            return;
        }
        let folio_baseline = g.top + g.text_height + (g.height - g.top - g.text_height) * 0.45;
        self.centered_line(&folio, style.clone(), folio_baseline, page);
        {
            let title = if p % 2 == 1 {
                self.book.meta.title.clone()
            } else {
                self.book
                    .chapters
                    .get(plan.chapter)
                    .map(|c| c.title_text())
                    .unwrap_or_default()
            };
            style.style.italic = true;
            self.centered_line(&title, style, g.top * 0.6, page);
        }
    }

    fn centered_line(&self, text: &str, style: TextStyle, baseline: f32, page: &mut Page) {
        let g = self.geometry;
        let mut builder =
            ParagraphBuilder::new(self.shaper, &self.hyphenation, g.measure).without_hyphenation();
        builder.add_spans(&[Span {
            text: text.to_string(),
            style,
        }]);
        let (paragraph, lines) = builder.finish(Alignment::Center);
        // A running head is one line: a very long title is cut at the first line.
        if let Some(line) = set_lines(&paragraph, &lines, Alignment::Center, g.measure).first() {
            let mut content = Vec::new();
            line_content(line, g.left, 0.0, Role::Artifact, &mut content);
            for c in content {
                if let Content::Item(item) = offset_content(c, baseline) {
                    page.items.push(item);
                }
            }
        }
    }
}

/// Flatten inlines into styled spans.
pub fn inline_spans(inlines: &[Inline], style: &TextStyle, out: &mut Vec<Span>) {
    for inline in inlines {
        match inline {
            Inline::Text(text) => out.push(Span {
                text: text.clone(),
                style: style.clone(),
            }),
            Inline::Emphasis(inner) => {
                let mut s = style.clone();
                s.style.italic = !s.style.italic;
                inline_spans(inner, &s, out);
            }
            Inline::Strong(inner) => {
                let mut s = style.clone();
                s.style.bold = true;
                inline_spans(inner, &s, out);
            }
            Inline::Strikethrough(inner) => {
                let mut s = style.clone();
                s.strike = true;
                inline_spans(inner, &s, out);
            }
            Inline::Code(code) => out.push(Span {
                text: code.clone(),
                style: TextStyle {
                    family: Family::Mono,
                    style: Style::default(),
                    size: style.size * 0.88,
                    ..style.clone()
                },
            }),
            Inline::Link { target, content } => {
                let mut s = style.clone();
                s.link = match target {
                    LinkTarget::Internal(anchor) => Some(LinkRef::Anchor(anchor.clone())),
                    LinkTarget::External(url) if has_scheme(url) => Some(LinkRef::Uri(url.clone())),
                    LinkTarget::External(_) => None,
                };
                inline_spans(content, &s, out);
            }
            Inline::Image { alt, .. } => out.push(Span {
                text: format!("[{alt}]"),
                style: style.clone(),
            }),
            Inline::FootnoteRef { id, number } => out.push(Span {
                text: number.to_string(),
                style: TextStyle {
                    size: style.size * 0.68,
                    rise: style.size * 0.36,
                    link: Some(LinkRef::Anchor(id.clone())),
                    ..style.clone()
                },
            }),
            Inline::LineBreak => out.push(Span {
                text: "\n".into(),
                style: style.clone(),
            }),
        }
    }
}

fn has_scheme(url: &str) -> bool {
    url.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            && scheme.len() > 1
    })
}

/// Turn a set line into glyph runs (and link areas, strike rules) relative to a block.
///
/// Consecutive pieces in the same font, size and ink share one glyph run: a line is then a
/// handful of runs rather than one per word, which keeps pages (and the PDF operators drawn
/// from them) small.
fn line_content(line: &SetLine, left: f32, baseline: f32, role: Role, out: &mut Vec<Content>) {
    let mut run: Option<GlyphRun> = None;
    for (x, piece) in &line.pieces {
        let style = &piece.style;
        let run_x = left + x;
        let run_baseline = baseline - style.rise;
        let same = run.as_ref().is_some_and(|r| {
            r.font == piece.font
                && r.size == style.size
                && r.baseline == run_baseline
                && r.gray == style.gray
        });
        if !same {
            if let Some(done) = run.take() {
                out.push(Content::Item(PageItem::Glyphs(done)));
            }
        }
        let current = run.get_or_insert_with(|| GlyphRun {
            font: piece.font,
            size: style.size,
            x: run_x,
            baseline: run_baseline,
            glyphs: Vec::new(),
            role,
            gray: style.gray,
        });
        let shift = run_x - current.x;
        current
            .glyphs
            .extend(piece.glyphs.iter().map(|g| PlacedGlyph {
                id: g.id,
                x: shift + g.x,
                y_offset: g.y_offset,
                text: g.text.clone(),
            }));
        if style.strike {
            out.push(Content::Item(PageItem::Rule {
                rect: Rect {
                    x: run_x,
                    y: baseline - style.size * 0.3,
                    width: piece.width,
                    height: style.size * 0.05,
                },
                gray: style.gray,
            }));
        }
        if let Some(link) = &style.link {
            out.push(Content::Link(
                Rect {
                    x: run_x,
                    y: baseline - style.rise - style.size * 0.8,
                    width: piece.width,
                    height: style.size * 1.05,
                },
                link.clone(),
            ));
        }
    }
    if let Some(done) = run {
        out.push(Content::Item(PageItem::Glyphs(done)));
    }
}

fn offset_content(content: Content, dy: f32) -> Content {
    match content {
        Content::Item(item) => Content::Item(shift_y(item, dy)),
        Content::Link(rect, target) => Content::Link(
            Rect {
                y: rect.y + dy,
                ..rect
            },
            target,
        ),
    }
}

fn shift_y(item: PageItem, dy: f32) -> PageItem {
    translate(item, 0.0, dy)
}

fn shift_x(item: PageItem, dx: f32) -> PageItem {
    translate(item, dx, 0.0)
}

/// Move an item by (dx, dy).
fn translate(item: PageItem, dx: f32, dy: f32) -> PageItem {
    let moved = |rect: Rect| Rect {
        x: rect.x + dx,
        y: rect.y + dy,
        ..rect
    };
    match item {
        PageItem::Glyphs(mut run) => {
            run.x += dx;
            run.baseline += dy;
            PageItem::Glyphs(run)
        }
        PageItem::Image { asset, rect, alt } => PageItem::Image {
            asset,
            rect: moved(rect),
            alt,
        },
        PageItem::Rule { rect, gray } => PageItem::Rule {
            rect: moved(rect),
            gray,
        },
        PageItem::Link { rect, target } => PageItem::Link {
            rect: moved(rect),
            target,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::fonts::FontSet;

    /// A long real manuscript: the seed article's paragraphs many times over, with section
    /// headings and figures in between.
    fn long_book(name: &str) -> Book {
        let dir =
            std::env::temp_dir().join(format!("presswork-layout-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let img = ::image::RgbImage::from_fn(1600, 1000, |x, y| {
            ::image::Rgb([(x % 256) as u8, (y % 256) as u8, 99])
        });
        img.save(dir.join("photo.png")).expect("png");
        let seed = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/article.txt"
        ))
        .expect("seed");
        let paragraphs: Vec<&str> = seed.split("\n\n").skip(4).take(12).collect();
        let mut text = String::from("# Long book\n\n");
        for round in 0..6 {
            text.push_str(&format!("## Part {round}\n\n"));
            for (n, p) in paragraphs.iter().enumerate() {
                text.push_str(p);
                text.push_str("\n\n");
                if n % 5 == 2 {
                    text.push_str(&format!("### Heading {round}.{n}\n\n"));
                }
                if n == 7 {
                    text.push_str("![A test pattern](photo.png)\n*Caption*\n— Credit\n\n");
                }
            }
        }
        std::fs::write(dir.join("long.md"), text).expect("write");
        let book = crate::load::load_book(
            &dir.join("long.md"),
            &Default::default(),
            &mut Diagnostics::default(),
        )
        .expect("loads");
        let _ = std::fs::remove_dir_all(&dir);
        book
    }

    #[test]
    fn real_layout_has_no_widows_orphans_or_stranded_headings() {
        let book = long_book("widows");
        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        let geometry = PageGeometry::for_paper(Paper::A5);
        let mut layout = Layout::new(&shaper, &book, geometry);
        layout.build(&mut Diagnostics::default());
        let plans = paginate(&layout.blocks, geometry.text_height);
        assert!(plans.len() > 12, "a long book: {} pages", plans.len());
        let mut split_paragraphs = 0;
        for pair in plans.windows(2) {
            let flow = |plan: &super::super::paginate::PagePlan| -> Vec<usize> {
                plan.placements
                    .iter()
                    .map(|p| p.block)
                    .filter(|b| layout.blocks[*b].flow != Flow::Float)
                    .collect()
            };
            let (before, after) = (flow(&pair[0]), flow(&pair[1]));
            let (Some(&last), Some(&first)) = (before.last(), after.first()) else {
                continue;
            };
            let last_block = &layout.blocks[last];
            // A heading (keep-with-next) never ends a page.
            assert!(
                !matches!(last_block.outline, Some((_, level)) if level > 1),
                "a heading ends a page"
            );
            if let (Some(a), Some(b)) = (last_block.group, layout.blocks[first].group) {
                if a == b {
                    split_paragraphs += 1;
                    let on_first = before
                        .iter()
                        .filter(|i| layout.blocks[**i].group == Some(a))
                        .count();
                    let on_second = after
                        .iter()
                        .filter(|i| layout.blocks[**i].group == Some(a))
                        .count();
                    assert!(
                        on_first >= 2 && on_second >= 2,
                        "orphan or widow: {on_first} + {on_second}"
                    );
                }
            }
        }
        assert!(
            split_paragraphs > 3,
            "the test must exercise paragraphs split across pages"
        );
        // Every page but chapter ends is reasonably full (no runaway backing up).
        for plan in &plans {
            assert!(!plan.placements.is_empty());
        }
    }

    #[test]
    fn figure_stays_whole_with_caption_and_credit_inside_the_text_block() {
        let book = long_book("figures");
        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        let geometry = PageGeometry::for_paper(Paper::A5);
        let document = Layout::new(&shaper, &book, geometry).run(&mut Diagnostics::default());
        let mut figures = 0;
        for page in &document.pages {
            let image = page.items.iter().find_map(|item| match item {
                PageItem::Image { rect, .. } => Some(*rect),
                _ => None,
            });
            let Some(rect) = image else { continue };
            figures += 1;
            assert!(rect.y + rect.height <= geometry.top + geometry.text_height + 0.01);
            assert!(
                (rect.width / rect.height - 1.6).abs() < 0.01,
                "aspect ratio kept"
            );
            // Caption and credit runs are on the same page, below the image.
            let below = |role: Role| {
                page.items.iter().any(|item| matches!(item, PageItem::Glyphs(run) if run.role == role && run.baseline > rect.y + rect.height))
            };
            assert!(below(Role::Caption) && below(Role::Credit));
        }
        assert_eq!(figures, 6);
        for page in &document.pages {
            for item in &page.items {
                if let PageItem::Glyphs(run) = item {
                    let right = run.x + run.glyphs.last().map_or(0.0, |g| g.x);
                    assert!(
                        run.x >= geometry.left - 0.01
                            && right <= geometry.left + geometry.measure + 0.01
                    );
                }
            }
        }
    }

    #[test]
    fn blank_lines_in_code_are_kept() {
        let book = Book {
            chapters: vec![ir::Chapter {
                id: "c".into(),
                title: vec![Inline::Text("C".into())],
                blocks: vec![Block::CodeBlock {
                    language: None,
                    code: "a\n\nb".into(),
                }],
                footnotes: Vec::new(),
            }],
            ..Book::default()
        };
        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        let mut layout = Layout::new(&shaper, &book, PageGeometry::for_paper(Paper::A5));
        layout.build(&mut Diagnostics::default());
        let code_lines = layout
            .blocks
            .iter()
            .filter(|b| {
                b.content
                    .iter()
                    .any(|c| matches!(c, Content::Item(PageItem::Rule { gray, .. }) if *gray > 0.6))
            })
            .count();
        assert_eq!(code_lines, 3);
    }
}
