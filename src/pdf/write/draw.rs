//! Drawing one laid-out page as a content stream: glyph runs as positioned TJ arrays,
//! images, rules. Every position is the frame's; nothing is decided here.

use std::collections::BTreeMap;

use printpdf::XObjectId;

use super::content::{round, ContentStream};
use super::fonts::FontInUse;
use super::structure::{Artifact, LinkTag, Structure};
use crate::typeset::fonts::FontId;
use crate::typeset::frame::{GlyphRun, Page, PageItem, PlacedGlyph, Rect, Role};
use crate::{Error, Result};

/// TJ corrections are rounded to 1/this of a text-space unit: 1/100 of 1/1000 em, far
/// below anything visible (0.0001 pt at 12 pt). Finer, the rounding kept the noise of the
/// layout's single-precision positions: more than half the corrections of a long book were
/// ±0.001 (each splitting a string and writing a number), none of them meant.
const OFFSET_PRECISION: f64 = 100.0;

/// A TJ number, rounded to [`OFFSET_PRECISION`] (so that a correction too small to write
/// is exactly 0 and its glyphs share a string).
fn rounded_offset(value: f64) -> f64 {
    round(value * OFFSET_PRECISION) / OFFSET_PRECISION
}

/// `value` to the three decimals the stream writes numbers with.
fn thousandths(value: f64) -> f64 {
    round(value * 1000.0) / 1000.0
}

/// Rectangle in PDF space (origin bottom-left) from the frame's top-left one.
fn flip(page: &Page, r: &Rect) -> (f32, f32) {
    (r.x, page.height - r.y - r.height)
}

/// The content stream of one page (uncompressed), and the annotation reserved for each of
/// its links in order (`None` for a link that gets none). Every font used must be in
/// `fonts` with its glyphs recorded, and every image in `images`. Content is marked for
/// `structure` (which writes the elements that close on this page into `doc`); `structure`
/// must have begun the page.
pub(super) fn draw_page(
    page: &Page,
    fonts: &BTreeMap<FontId, FontInUse>,
    images: &BTreeMap<usize, XObjectId>,
    structure: &mut Structure,
    doc: &mut lopdf::Document,
) -> Result<(Vec<u8>, Vec<Option<LinkTag>>)> {
    let mut out = ContentStream::default();
    let mut links = Vec::new();
    // The horizontal scaling in force (`Tz`, per cent): a page starts at 100, and it is
    // written only when a run needs another.
    let mut scaling = NATURAL_SCALING;
    for item in &page.items {
        match item {
            PageItem::Glyphs(run) => {
                let font = fonts
                    .get(&run.font)
                    .ok_or_else(|| Error::Pdf(format!("font {} not registered", run.font.0)))?;
                if run.role == Role::Artifact {
                    structure.artifact(Artifact::Pagination, &mut out);
                } else {
                    structure.text(run, &mut out);
                }
                draw_run(page, run, font, &mut scaling, &mut out);
            }
            PageItem::Image { asset, rect, alt } => {
                let id = images
                    .get(&asset.0)
                    .ok_or_else(|| Error::Pdf(format!("image #{} not embedded", asset.0)))?;
                structure.image(doc, rect, alt, &mut out);
                let (x, y) = flip(page, rect);
                out.image(&id.0, x, y, rect.width, rect.height);
            }
            PageItem::Rule { rect, gray } => {
                structure.artifact(Artifact::Layout, &mut out);
                let (x, y) = flip(page, rect);
                out.save_state();
                out.fill_gray(*gray);
                out.fill_rectangle(x, y, rect.width, rect.height);
                out.restore_state();
            }
            // Links become annotations in the post-pass; they draw nothing, but their
            // place among the tags says which link element they belong to.
            PageItem::Link { target, .. } => links.push(structure.link(doc, target)),
            PageItem::Tag(tag) => structure.tag(doc, tag),
        }
    }
    structure.end_page(doc, &mut out);
    Ok((out.into_bytes(), links))
}

/// `Tz` for glyphs at their natural width.
const NATURAL_SCALING: f64 = 100.0;

/// A run's horizontal scaling as written (`Tz`, per cent, to the stream's three decimals),
/// so that the TJ arithmetic uses exactly the factor a reader applies.
fn scaling_percent(h_scale: f32) -> f64 {
    if h_scale.is_finite() && h_scale > 0.0 {
        thousandths(f64::from(h_scale) * 100.0)
    } else {
        NATURAL_SCALING
    }
}

/// A glyph code and the TJ adjustment after it.
type Shown = (u16, f64);

/// A glyph as drawn: its code and adjustment, the space glyph after it (if a word space
/// follows), and whether the code's text is the glyph's own.
type Placed = (Shown, Option<Shown>, bool);

/// One glyph run. Each stretch of glyphs with the same vertical offset is placed with an
/// absolute text matrix; inside it, TJ numbers move every glyph from where the previous
/// glyph's `/W` advance leaves the pen to its exact laid-out x (justification, kerning).
/// An expanded run (`h_scale` ≠ 1) is drawn under `Tz`, which widens glyphs and their
/// advances alike and scales TJ numbers too; `scaling` is the `Tz` in force, kept across
/// runs so that a page of lines with one factor sets it once.
fn draw_run(
    page: &Page,
    run: &GlyphRun,
    font: &FontInUse,
    scaling: &mut f64,
    out: &mut ContentStream,
) {
    if run.glyphs.is_empty() {
        return;
    }
    let tinted = run.gray != 0.0;
    // `Q` brings back the scaling from before `q`.
    let outer_scaling = *scaling;
    if tinted {
        out.save_state();
        out.fill_gray(run.gray);
    }
    out.begin_text();
    out.font(&font.resource.0, run.size);
    let percent = scaling_percent(run.h_scale);
    if percent != *scaling {
        out.horizontal_scaling(percent);
        *scaling = percent;
    }
    // One em of pen movement, in points: the size, scaled horizontally.
    let size = f64::from(run.size) * percent / NATURAL_SCALING;
    let mut placed: Vec<Placed> = Vec::with_capacity(run.glyphs.len());
    let mut placed_so_far = 0;
    for segment in run.glyphs.chunk_by(|a, b| a.y_offset == b.y_offset) {
        let first = &segment[0];
        out.text_position(run.x + first.x, page.height - run.baseline + first.y_offset);
        // Per glyph: its code and adjustment, and a space glyph after it where the layout
        // says a word space follows. The code is the original glyph id; `/CIDToGIDMap`
        // leads it to the subset.
        placed.clear();
        let segment_start = placed_so_far;
        placed_so_far += segment.len();
        for (i, g) in segment.iter().enumerate() {
            let advance = font.pdf_width(g.id);
            // The glyph's own code, or its alias where it stands alone for another text.
            let (code, says_its_text) = font.code(
                g.id,
                &g.text,
                super::stands_alone(&run.glyphs, segment_start + i),
            );
            let Some(next) = segment.get(i + 1).filter(|_| size > 0.0) else {
                // The last glyph of a segment: a space after it still belongs in the text
                // (the next word is in another run); the next run is placed absolutely.
                let space = font
                    .space
                    .filter(|_| g.space_after)
                    .map(|space| (space, 0.0));
                placed.push(((code, 0.0), space, says_its_text));
                continue;
            };
            let wanted = (f64::from(next.x) - f64::from(g.x)) * 1000.0 / size;
            match font.space {
                Some(space) if g.space_after => {
                    // A real space glyph, ending exactly where the next word starts:
                    // extractors that ignore gaps (mutool, Acrobat's copy) still see the
                    // space, and poppler sees no leftover gap to double it.
                    let space_width = font.pdf_width(space);
                    placed.push((
                        (code, 0.0),
                        Some((space, rounded_offset(advance + space_width - wanted))),
                        says_its_text,
                    ));
                }
                _ => placed.push((
                    (code, rounded_offset(advance - wanted)),
                    None,
                    says_its_text,
                )),
            }
        }
        emit_clusters(segment, &placed, out);
    }
    out.end_text();
    if tinted {
        out.restore_state();
        *scaling = outer_scaling;
    }
}

/// Show the glyphs of a segment. ToUnicode maps one code to one text, which cannot describe
/// a cluster of several glyphs (Devanagari conjuncts and reordered vowel signs), nor a glyph
/// standing for yet another text once its font has run out of alias codes (see
/// [`FontInUse::record`]); such clusters are wrapped in a marked-content span whose
/// `/ActualText` gives the cluster's real text, so copy and paste and text extraction get
/// the characters in logical order.
fn emit_clusters(glyphs: &[PlacedGlyph], placed: &[Placed], out: &mut ContentStream) {
    let mut pending: Vec<Shown> = Vec::with_capacity(placed.len() * 2);
    let mut cluster: Vec<Shown> = Vec::new();
    let mut i = 0;
    while i < glyphs.len() {
        let mut end = i + 1;
        while end < glyphs.len() && glyphs[end].text.is_empty() {
            end += 1;
        }
        let cluster_text = glyphs[i].text.as_str();
        let cluster_placed = placed.get(i..end).unwrap_or_default();
        // The code drawn (an alias where the glyph has one for this text) says the text.
        let simple = end == i + 1 && cluster_placed.first().is_some_and(|p| p.2);
        if simple || cluster_text.is_empty() {
            let trailing_space = gather(cluster_placed, &mut pending);
            pending.extend(trailing_space);
        } else {
            out.show_glyphs(&pending);
            pending.clear();
            cluster.clear();
            let trailing_space = gather(cluster_placed, &mut cluster);
            out.begin_actual_text(cluster_text);
            out.show_glyphs(&cluster);
            out.end_marked_content();
            pending.extend(trailing_space);
        }
        i = end;
    }
    out.show_glyphs(&pending);
}

/// The glyphs of a cluster into `shown`, each with the word space after it but the last
/// one, which is returned: it follows the cluster (outside its `/ActualText`).
fn gather(cluster: &[Placed], shown: &mut Vec<Shown>) -> Option<Shown> {
    let mut trailing_space = None;
    for &(glyph, space, _) in cluster {
        shown.push(glyph);
        if let Some(space) = space {
            if let Some(previous) = trailing_space.replace(space) {
                shown.push(previous);
            }
        }
    }
    trailing_space
}
