//! Drawing one laid-out page as printpdf operations: glyph runs as positioned TJ arrays,
//! images, rules. Every position is the frame's; nothing is decided here.

use std::collections::BTreeMap;

use printpdf::{
    Codepoint, Color, Greyscale, Op, PaintMode, PdfFontHandle, PdfPage, Pt, TextItem, TextMatrix,
    XObjectId, XObjectTransform,
};

use super::fonts::FontInUse;
use crate::pdf::fonts::FontId;
use crate::pdf::frame::{GlyphRun, Page, PageItem, PlacedGlyph, Rect};
use crate::{Error, Result};

/// TJ corrections are rounded to this many thousandths of a text-space unit: 1/1000 of
/// 1/1000 em is far below anything visible and keeps the numbers short.
const OFFSET_PRECISION: f64 = 1000.0;

/// A gap between glyphs wider than this (in em) is a word space: the layout never puts
/// letters of one word this far apart, and justified spaces rarely shrink below 0.15 em.
const WORD_GAP: f64 = 0.08;

/// A TJ number, rounded to [`OFFSET_PRECISION`].
fn thousandths(value: f64) -> f32 {
    ((value * OFFSET_PRECISION).round() / OFFSET_PRECISION) as f32
}

fn grey(level: f32) -> Color {
    Color::Greyscale(Greyscale {
        percent: level,
        icc_profile: None,
    })
}

/// Rectangle in PDF space (origin bottom-left) from the frame's top-left one.
fn flip(page: &Page, r: &Rect) -> (f32, f32) {
    (r.x, page.height - r.y - r.height)
}

/// The operations of one page. Every font used must be in `fonts` with its glyphs
/// recorded, and every image in `images`.
pub(super) fn draw_page(
    page: &Page,
    fonts: &BTreeMap<FontId, FontInUse>,
    images: &BTreeMap<usize, XObjectId>,
) -> Result<PdfPage> {
    let mut ops = Vec::new();
    for item in &page.items {
        match item {
            PageItem::Glyphs(run) => {
                let font = fonts
                    .get(&run.font)
                    .ok_or_else(|| Error::Pdf(format!("font {} not registered", run.font.0)))?;
                draw_run(page, run, font, &mut ops);
            }
            PageItem::Image { asset, rect, .. } => {
                let id = images
                    .get(&asset.0)
                    .ok_or_else(|| Error::Pdf(format!("image #{} not embedded", asset.0)))?;
                let (x, y) = flip(page, rect);
                // With no_auto_scale the XObject's unit square is scaled straight to the rect.
                ops.push(Op::UseXobject {
                    id: id.clone(),
                    transform: XObjectTransform {
                        translate_x: Some(Pt(x)),
                        translate_y: Some(Pt(y)),
                        scale_x: Some(rect.width),
                        scale_y: Some(rect.height),
                        no_auto_scale: true,
                        ..Default::default()
                    },
                });
            }
            PageItem::Rule { rect, gray } => {
                let (x, y) = flip(page, rect);
                ops.push(Op::SaveGraphicsState);
                ops.push(Op::SetFillColor { col: grey(*gray) });
                ops.push(Op::DrawRectangle {
                    rectangle: printpdf::Rect {
                        x: Pt(x),
                        y: Pt(y),
                        width: Pt(rect.width),
                        height: Pt(rect.height),
                        mode: Some(PaintMode::Fill),
                        winding_order: None,
                    },
                });
                ops.push(Op::RestoreGraphicsState);
            }
            // Links become annotations in the post-pass; they draw nothing.
            PageItem::Link { .. } => {}
        }
    }
    Ok(PdfPage::new(
        printpdf::Mm::from(Pt(page.width)),
        printpdf::Mm::from(Pt(page.height)),
        ops,
    ))
}

/// One glyph run. Each stretch of glyphs with the same vertical offset is placed with an
/// absolute text matrix; inside it, TJ numbers move every glyph from where the previous
/// glyph's `/W` advance leaves the pen to its exact laid-out x (justification, kerning).
fn draw_run(page: &Page, run: &GlyphRun, font: &FontInUse, ops: &mut Vec<Op>) {
    if run.glyphs.is_empty() {
        return;
    }
    let tinted = run.gray != 0.0;
    if tinted {
        ops.push(Op::SaveGraphicsState);
        ops.push(Op::SetFillColor {
            col: grey(run.gray),
        });
    }
    ops.push(Op::StartTextSection);
    ops.push(Op::SetFont {
        font: PdfFontHandle::External(font.resource.clone()),
        size: Pt(run.size),
    });
    let size = f64::from(run.size);
    for segment in run.glyphs.chunk_by(|a, b| a.y_offset == b.y_offset) {
        let first = &segment[0];
        ops.push(Op::SetTextMatrix {
            matrix: TextMatrix::Translate(
                Pt(run.x + first.x),
                Pt(page.height - run.baseline + first.y_offset),
            ),
        });
        // Per glyph: its codepoint, and a space glyph after it when a word gap follows.
        let mut placed: Vec<(Codepoint, Option<Codepoint>)> = Vec::with_capacity(segment.len());
        // Right edge of everything drawn so far in the segment, in points from the run's x
        // (a maximum, so that zero-advance marks do not look like gaps).
        let mut ink_end = f64::MIN;
        for (i, g) in segment.iter().enumerate() {
            let advance = font.pdf_width(g.id);
            ink_end = ink_end.max(f64::from(g.x) + advance * size / 1000.0);
            // The code is the original glyph id; `/CIDToGIDMap` leads it to the subset.
            let gid = g.id;
            // The ToUnicode CMap is ours (see `fonts`); an empty string here costs no
            // allocation per glyph (None would mean U+FFFD to printpdf).
            let cid = Some(String::new());
            let Some(next) = segment.get(i + 1).filter(|_| size > 0.0) else {
                placed.push((
                    Codepoint {
                        gid,
                        offset: 0.0,
                        cid,
                    },
                    None,
                ));
                continue;
            };
            let wanted = (f64::from(next.x) - f64::from(g.x)) * 1000.0 / size;
            let word_gap = f64::from(next.x) - ink_end > WORD_GAP * size;
            match font.space {
                Some(space) if word_gap => {
                    // A real space glyph, ending exactly where the next word starts:
                    // extractors that ignore gaps (mutool, Acrobat's copy) still see the
                    // space, and poppler sees no leftover gap to double it.
                    let space_width = font.pdf_width(space);
                    placed.push((
                        Codepoint {
                            gid,
                            offset: 0.0,
                            cid,
                        },
                        Some(Codepoint {
                            gid: space,
                            offset: thousandths(advance + space_width - wanted),
                            cid: Some(String::new()),
                        }),
                    ));
                }
                _ => placed.push((
                    Codepoint {
                        gid,
                        offset: thousandths(advance - wanted),
                        cid,
                    },
                    None,
                )),
            }
        }
        emit_clusters(segment, placed, font, ops);
    }
    ops.push(Op::EndTextSection);
    if tinted {
        ops.push(Op::RestoreGraphicsState);
    }
}

/// Show the glyphs of a segment. ToUnicode maps one glyph id to one text, which cannot
/// describe a cluster of several glyphs (Devanagari conjuncts and reordered vowel signs) or a
/// glyph that stands for different text in different places; such clusters are wrapped in a
/// marked-content span whose `/ActualText` gives the cluster's real text, so copy and paste
/// and text extraction get the characters in logical order.
fn emit_clusters(
    glyphs: &[PlacedGlyph],
    placed: Vec<(Codepoint, Option<Codepoint>)>,
    font: &FontInUse,
    ops: &mut Vec<Op>,
) {
    let mut pending: Vec<Codepoint> = Vec::new();
    let mut i = 0;
    let mut placed = placed.into_iter().map(Some).collect::<Vec<_>>();
    while i < glyphs.len() {
        let mut end = i + 1;
        while end < glyphs.len() && glyphs[end].text.is_empty() {
            end += 1;
        }
        let cluster_text = &glyphs[i].text;
        let simple = end == i + 1 && font.text(glyphs[i].id) == cluster_text.as_str();
        let mut cluster = Vec::new();
        let mut trailing_space = None;
        for slot in placed.iter_mut().take(end).skip(i) {
            if let Some((codepoint, space)) = slot.take() {
                cluster.push(codepoint);
                if let Some(space) = space {
                    if let Some(previous) = trailing_space.replace(space) {
                        cluster.push(previous);
                    }
                }
            }
        }
        if simple || cluster_text.is_empty() {
            pending.extend(cluster);
            pending.extend(trailing_space);
        } else {
            flush_text(&mut pending, ops);
            let actual: Vec<u8> = std::iter::once(0xFEFF_u16)
                .chain(cluster_text.encode_utf16())
                .flat_map(u16::to_be_bytes)
                .collect();
            let mut properties = std::collections::BTreeMap::new();
            properties.insert(
                "ActualText".to_string(),
                printpdf::DictItem::String {
                    data: actual,
                    literal: false,
                },
            );
            ops.push(Op::BeginMarkedContentWithProperties {
                tag: "Span".into(),
                properties: printpdf::DictItem::Dict { map: properties },
            });
            ops.push(Op::ShowText {
                items: vec![TextItem::GlyphIds(cluster)],
            });
            ops.push(Op::EndMarkedContentWithProperties);
            pending.extend(trailing_space);
        }
        i = end;
    }
    flush_text(&mut pending, ops);
}

fn flush_text(pending: &mut Vec<Codepoint>, ops: &mut Vec<Op>) {
    if !pending.is_empty() {
        ops.push(Op::ShowText {
            items: vec![TextItem::GlyphIds(std::mem::take(pending))],
        });
    }
}
