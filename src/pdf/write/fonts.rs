//! Font embedding: every font the pages use is subset once (with the `subsetter` crate, as
//! Typst does), renumbered, tagged `ABCDEF+Name` and handed to printpdf as a `ParsedFont`
//! whose bytes are already the subset. printpdf's lean build would otherwise embed whole
//! font files.

use std::collections::BTreeMap;

use printpdf::{ParsedFont, PdfDocument, PdfFont};

use crate::pdf::fonts::{FontId, FontSet};
use crate::pdf::frame::{LaidOutDocument, PageItem};
use crate::{Error, Result};

/// One embedded font and what drawing needs to know about it.
pub(super) struct EmbeddedFont {
    /// printpdf's resource id (also the `/Font` resource name).
    pub id: printpdf::FontId,
    /// Original glyph id → glyph id in the subset.
    pub remap: BTreeMap<u16, u16>,
    /// Original glyph id → copy/paste text, written as the font's ToUnicode CMap in the
    /// post-pass (printpdf's own would need a text string per drawn glyph).
    pub text: BTreeMap<u16, String>,
    /// Original glyph id → advance as printpdf writes it into `/W` (1/1000 em, truncated),
    /// so TJ corrections can be computed against exactly what viewers will use.
    pub width: BTreeMap<u16, f64>,
    /// The font's space glyph (original id), drawn into word gaps for text extraction.
    pub space: Option<u16>,
    /// `/BaseFont` as written (subset tag + name), to find the font again in the post-pass.
    pub base_name: String,
}

impl EmbeddedFont {
    /// The ToUnicode entries, keyed by the subset's glyph ids (the codes in the content).
    pub fn unicode_map(&self) -> Vec<(u16, &str)> {
        let mut map: Vec<(u16, &str)> = self
            .text
            .iter()
            .filter(|(_, text)| !text.is_empty())
            .filter_map(|(old, text)| Some((*self.remap.get(old)?, text.as_str())))
            .collect();
        map.sort_unstable();
        map
    }
}

impl EmbeddedFont {
    /// Advance of `gid` in 1/1000 em as written in `/W`.
    pub fn pdf_width(&self, gid: u16) -> f64 {
        self.width.get(&gid).copied().unwrap_or(0.0)
    }
}

/// Subset and register every font used on the pages.
pub(super) fn embed_fonts(
    doc: &LaidOutDocument,
    fonts: &FontSet,
    pdf: &mut PdfDocument,
) -> Result<BTreeMap<FontId, EmbeddedFont>> {
    // Glyph ids per font in reading order; the first non-empty text of a glyph id wins,
    // so that the second glyph of a cluster ("" text) never hides the real mapping.
    let mut used: BTreeMap<FontId, BTreeMap<u16, String>> = BTreeMap::new();
    for page in &doc.pages {
        for item in &page.items {
            let PageItem::Glyphs(run) = item else {
                continue;
            };
            let set = used.entry(run.font).or_default();
            for g in &run.glyphs {
                let entry = set.entry(g.id).or_default();
                if entry.is_empty() && !g.text.is_empty() {
                    entry.push_str(&g.text);
                }
            }
        }
    }

    let mut out = BTreeMap::new();
    for (font_id, text) in used {
        if font_id.0 >= fonts.iter().count() {
            return Err(Error::Pdf(format!(
                "glyph run uses unknown font {}",
                font_id.0
            )));
        }
        let font = fonts.get(font_id);
        let mut text = text;
        // The layout positions words without space glyphs; the writer draws one into each
        // word gap (see `draw_run`), so the space glyph is always part of the subset.
        let space = font.face.glyph_index(' ').map(|g| g.0);
        if let Some(space) = space {
            text.insert(space, " ".into());
        }
        let mut warnings = Vec::new();
        let mut parsed = ParsedFont::from_bytes(font.data, 0, &mut warnings)
            .ok_or_else(|| Error::Pdf(format!("font {} cannot be parsed", font.name)))?;

        // Same arithmetic as printpdf's `get_scaled_glyph_width` (f32, truncation).
        let upem = f32::from(parsed.pdf_font_metrics.units_per_em);
        let width = text
            .keys()
            .map(|gid| {
                let w = parsed.get_glyph_width(*gid).unwrap_or(0);
                (*gid, (f32::from(w) * 1000.0 / upem) as i64 as f64)
            })
            .collect();

        let mut remapper = subsetter::GlyphRemapper::new();
        for gid in text.keys() {
            remapper.remap(*gid);
        }
        let subset = subsetter::subset(font.data, 0, &remapper)
            .map_err(|e| Error::Pdf(format!("cannot subset font {}: {e:?}", font.name)))?;
        let remap: BTreeMap<u16, u16> = text
            .keys()
            .filter_map(|gid| remapper.get(*gid).map(|new| (*gid, new)))
            .collect();

        // printpdf builds `/W` from `glyph_widths` and looks glyphs up by these maps, so
        // they must be keyed by the new ids like the subset program.
        parsed.glyph_widths = remap
            .iter()
            .filter_map(|(old, new)| parsed.glyph_widths.get(old).map(|w| (*new, *w)))
            .collect();
        parsed.codepoint_to_glyph = parsed
            .codepoint_to_glyph
            .iter()
            .filter_map(|(cp, g)| remap.get(g).map(|new| (*cp, *new)))
            .collect();
        parsed.original_bytes = subset;
        parsed.font_index = 0;
        let base_name = format!("{}+{}", subset_tag(font.name, &remap), font.name);
        parsed.font_name = Some(base_name.clone());

        let id = printpdf::FontId(format!("F{}", font_id.0));
        pdf.resources
            .fonts
            .map
            .insert(id.clone(), PdfFont::new(parsed));
        out.insert(
            font_id,
            EmbeddedFont {
                id,
                remap,
                text,
                width,
                space,
                base_name,
            },
        );
    }
    Ok(out)
}

/// The six-letter subset tag (ISO 32000-1, 9.6.4): derived from the font and glyph set so
/// that the output is reproducible and different subsets get different tags.
fn subset_tag(name: &str, remap: &BTreeMap<u16, u16>) -> String {
    let mut key = name.as_bytes().to_vec();
    for gid in remap.keys() {
        key.extend_from_slice(&gid.to_be_bytes());
    }
    let mut h = super::post::fnv1a(&key, 0);
    (0..6)
        .map(|_| {
            let c = char::from(b'A' + (h % 26) as u8);
            h /= 26;
            c
        })
        .collect()
}
