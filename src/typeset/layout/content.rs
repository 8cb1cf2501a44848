//! Set lines and inlines → page content: styled spans, glyph runs, link areas, rules.

use crate::ir::{self, Inline, LinkTarget};
use crate::typeset::fonts::{Caps, Family, Figures, Style};
use compact_str::CompactString;

use crate::typeset::frame::{GlyphRun, PageItem, PlacedGlyph, Rect, Role, StructKind, Tag};
use crate::typeset::paginate::Content;
use crate::typeset::text::{LinkRef, Piece, SetLine, Span, TextStyle};

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
                    // The front end admits only encoded URLs with an allowed scheme.
                    LinkTarget::External(url) => Some(LinkRef::Uri(url.clone())),
                };
                inline_spans(content, &s, out);
            }
            Inline::Image { alt, .. } => out.push(Span {
                text: format!("[{alt}]"),
                style: style.clone(),
            }),
            Inline::FootnoteRef { id, number } => {
                let mut s = TextStyle {
                    size: style.size * SCRIPT_SCALE,
                    rise: style.size * SUPERSCRIPT_RISE,
                    link: Some(LinkRef::Anchor(id.clone())),
                    ..style.clone()
                };
                s.style.features.figures = Figures::Lining;
                out.push(Span {
                    text: number.to_string(),
                    style: s,
                });
            }
            Inline::LineBreak => out.push(Span {
                text: "\n".into(),
                style: style.clone(),
            }),
            Inline::Styled {
                style: kind,
                content,
            } => inline_spans(content, &styled(kind, style), out),
            // Anchors are placed with their block (see `Layout::text_block`).
            Inline::Anchor(_) => {}
        }
    }
}

/// Fraction of the surrounding size for superscripts, subscripts and footnote numbers.
const SCRIPT_SCALE: f32 = 0.68;
/// Superscripts rise by this fraction of the surrounding size; subscripts drop by
/// [`SUBSCRIPT_DROP`].
const SUPERSCRIPT_RISE: f32 = 0.36;
/// Subscripts drop below the baseline by this fraction of the surrounding size.
const SUBSCRIPT_DROP: f32 = 0.14;
/// Monospaced text is set smaller so that its x-height matches the serif's.
const MONO_SCALE: f32 = 0.88;
/// `<small>` text, relative to the surrounding size.
const SMALL_SCALE: f32 = 0.85;

/// The print style of an inline-HTML style. Small capitals are the font's own (`smcp`, where
/// it has them; see `Features`). Underline, highlight, abbreviations and
/// language spans print as the surrounding text: their meaning stays in the EPUB, and the
/// text is never lost.
fn styled(kind: &ir::TextStyle, style: &TextStyle) -> TextStyle {
    let mut s = style.clone();
    match kind {
        // Raised and lowered figures are lining: old-style ones, made smaller, would wander
        // up and down (a small 8 towers over a small 0).
        ir::TextStyle::Superscript => {
            s.size = style.size * SCRIPT_SCALE;
            s.rise = style.rise + style.size * SUPERSCRIPT_RISE;
            s.style.features.figures = Figures::Lining;
        }
        ir::TextStyle::Subscript => {
            s.size = style.size * SCRIPT_SCALE;
            s.rise = style.rise - style.size * SUBSCRIPT_DROP;
            s.style.features.figures = Figures::Lining;
        }
        ir::TextStyle::Keyboard => {
            s.family = Family::Mono;
            s.style = Style::default();
            s.size = style.size * MONO_SCALE;
        }
        ir::TextStyle::Small => s.size = style.size * SMALL_SCALE,
        // Within all small capitals (a running head) the span already is; otherwise its
        // lower case turns small.
        ir::TextStyle::SmallCaps if s.style.features.caps == Caps::Normal => {
            s.style.features.caps = Caps::Small;
        }
        ir::TextStyle::Language {
            lang: Some(lang), ..
        } => s.lang = Some(lang.as_str().into()),
        ir::TextStyle::Underline
        | ir::TextStyle::Highlight
        | ir::TextStyle::Abbreviation(_)
        | ir::TextStyle::SmallCaps
        | ir::TextStyle::Language { lang: None, .. } => {}
    }
    s
}

/// The inline structure a piece belongs to: a passage in another language, a link.
#[derive(Debug, Clone, Default, PartialEq)]
struct InlineContext<'a> {
    lang: Option<&'a CompactString>,
    link: Option<&'a LinkRef>,
}

impl<'a> InlineContext<'a> {
    /// Borrowed from the piece's style: compared for every piece of every line, so it
    /// copies nothing (a link's address may be long).
    fn of(style: &'a TextStyle) -> Self {
        InlineContext {
            lang: style.lang.as_ref(),
            link: style.link.as_ref(),
        }
    }

    /// Tags that close this context (innermost first), then open `next`.
    fn switch_to(&self, next: &InlineContext<'_>, out: &mut Vec<Content>) {
        let lang_changes = self.lang != next.lang;
        if self.link.is_some() {
            out.push(Content::Item(PageItem::Tag(Tag::End)));
        }
        if lang_changes && self.lang.is_some() {
            out.push(Content::Item(PageItem::Tag(Tag::End)));
        }
        if lang_changes {
            if let Some(lang) = &next.lang {
                out.push(Content::Item(PageItem::Tag(Tag::Start(
                    StructKind::Language {
                        lang: lang.to_string(),
                    },
                ))));
            }
        }
        if next.link.is_some() {
            out.push(Content::Item(PageItem::Tag(Tag::Start(StructKind::Link))));
        }
    }
}

/// Turn a set line into glyph runs (and link areas, strike rules) relative to a block.
/// Each stretch of consecutive pieces of the same link gets one link area.
///
/// Consecutive pieces in the same font, size and ink share one glyph run: a line is then a
/// handful of runs rather than one per word, which keeps pages (and the PDF operators drawn
/// from them) small. A link, and a passage in another language, is wrapped in its structure
/// tags (a link's tags hold its text and its area, so the area becomes that link's
/// annotation); a link broken across lines is a link on each line. Decoration
/// ([`Role::Artifact`]) carries no structure.
///
/// Without `glyphs` ([`super::Layout::without_glyphs`]) the runs, link areas and tags are
/// all there, in the same places, but the runs hold no glyphs.
pub(super) fn line_content(
    line: &SetLine,
    left: f32,
    baseline: f32,
    role: Role,
    glyphs: bool,
    out: &mut Vec<Content>,
) {
    let tagged = role != Role::Artifact;
    let mut context = InlineContext::default();
    let mut run: Option<GlyphRun> = None;
    // The link area being built: consecutive pieces of one link on this line (its words,
    // each letter of a URL broken anywhere) share one rectangle, spaces between them
    // included, so a link gives one annotation per line rather than one per piece.
    let mut link_area: Option<(Rect, LinkRef)> = None;
    for (n, (x, piece)) in line.pieces.iter().enumerate() {
        let style = &piece.style;
        let run_x = left + x;
        let run_baseline = baseline - style.rise;
        let joins = |r: &GlyphRun, piece: &Piece| {
            r.font == piece.font
                && r.size == piece.style.size
                && r.baseline == baseline - piece.style.rise
                && r.gray == piece.style.gray
        };
        let next_context = if tagged {
            InlineContext::of(style)
        } else {
            InlineContext::default()
        };
        let same = next_context == context && run.as_ref().is_some_and(|r| joins(r, piece));
        if !same {
            if let Some(done) = run.take() {
                out.push(Content::Item(PageItem::Glyphs(done)));
            }
        }
        if next_context != context {
            if let Some((done, target)) = link_area.take() {
                out.push(Content::Link(done, target));
            }
            context.switch_to(&next_context, out);
            context = next_context;
        }
        let current = run.get_or_insert_with(|| {
            let mut run = GlyphRun {
                font: piece.font,
                size: style.size,
                x: run_x,
                baseline: run_baseline,
                glyphs: Vec::new(),
                role,
                gray: style.gray,
                h_scale: 1.0 + line.expansion,
            };
            // Runs outlive layout (they are the document), so size each one exactly once
            // rather than let it grow by doubling.
            if glyphs {
                let count = line.pieces[n..]
                    .iter()
                    .take_while(|(_, p)| joins(&run, p))
                    .map(|(_, p)| p.glyphs.len())
                    .sum();
                run.glyphs.reserve_exact(count);
            }
            run
        });
        let shift = run_x - current.x;
        if glyphs {
            current
                .glyphs
                .extend(piece.glyphs.iter().map(|g| PlacedGlyph {
                    id: g.id,
                    x: shift + line.glyph_x(g),
                    y_offset: g.y_offset,
                    text: g.text.clone(),
                    space_after: false,
                }));
        }
        if piece.space_after {
            if let Some(last) = current.glyphs.last_mut() {
                last.space_after = true;
            }
        }
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
        match &style.link {
            Some(link) => {
                let area = Rect {
                    x: run_x,
                    y: baseline - style.rise - style.size * LINK_ASCENT,
                    width: piece.width,
                    height: style.size * LINK_HEIGHT,
                };
                match &mut link_area {
                    Some((open, target)) if target == link => *open = union(open, &area),
                    _ => {
                        if let Some((done, target)) = link_area.replace((area, link.clone())) {
                            out.push(Content::Link(done, target));
                        }
                    }
                }
            }
            None => {
                if let Some((done, target)) = link_area.take() {
                    out.push(Content::Link(done, target));
                }
            }
        }
    }
    if let Some(done) = run {
        out.push(Content::Item(PageItem::Glyphs(done)));
    }
    if let Some((done, target)) = link_area {
        out.push(Content::Link(done, target));
    }
    context.switch_to(&InlineContext::default(), out);
}

/// A link area reaches this far above the baseline, in units of the font size …
const LINK_ASCENT: f32 = 0.8;
/// … and is this tall, so that it covers ascenders and descenders.
const LINK_HEIGHT: f32 = 1.05;

/// The smallest rectangle holding both.
fn union(a: &Rect, b: &Rect) -> Rect {
    let left = a.x.min(b.x);
    let top = a.y.min(b.y);
    let right = (a.x + a.width).max(b.x + b.width);
    let bottom = (a.y + a.height).max(b.y + b.height);
    Rect {
        x: left,
        y: top,
        width: right - left,
        height: bottom - top,
    }
}

pub(super) fn offset_content(content: Content, dy: f32) -> Content {
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

pub(super) fn shift_x(item: PageItem, dx: f32) -> PageItem {
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
        PageItem::Tag(tag) => PageItem::Tag(tag),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typeset::fonts::FontSet;
    use crate::typeset::shape::Shaper;
    use crate::typeset::text::{set_lines, Alignment, Hyphenation, ParagraphBuilder};

    #[test]
    fn an_expanded_lines_glyphs_are_drawn_where_its_expansion_puts_them() {
        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        let hyphenation = Hyphenation::for_language("en");
        let text = "India has not yet condemned the Russian invasion of Ukraine and it has \
                    been maintaining that the crisis must be resolved through diplomacy and \
                    dialogue, the minister said on Wednesday in Moscow.";
        let mut expanded = 0;
        for measure in [150.0, 180.0, 210.0, 240.0] {
            let mut builder = ParagraphBuilder::new(&shaper, &hyphenation, measure);
            builder.add_spans(&[Span {
                text: text.into(),
                style: TextStyle::body(10.0),
            }]);
            let (paragraph, lines) = builder.finish(Alignment::Justify);
            for line in set_lines(paragraph, &lines, Alignment::Justify, measure) {
                let scale = 1.0 + line.expansion;
                expanded += usize::from(scale != 1.0);
                let mut content = Vec::new();
                line_content(&line, 20.0, 8.0, Role::Paragraph, true, &mut content);
                // Every piece's glyphs, in order, where the runs put them on the page.
                let drawn: Vec<f32> = content
                    .iter()
                    .filter_map(|c| match c {
                        Content::Item(PageItem::Glyphs(run)) => Some(run),
                        _ => None,
                    })
                    .flat_map(|run| run.glyphs.iter().map(move |g| run.x + g.x))
                    .collect();
                let wanted: Vec<f32> = line
                    .pieces
                    .iter()
                    .flat_map(|(x, piece)| piece.glyphs.iter().map(move |g| 20.0 + x + g.x * scale))
                    .collect();
                assert_eq!(drawn.len(), wanted.len());
                for (d, w) in drawn.iter().zip(&wanted) {
                    assert!((d - w).abs() < 1.0e-3, "{d} drawn, {w} wanted");
                }
            }
        }
        assert!(expanded > 3, "lines with expansion: {expanded}");
    }
}
