//! Fonts in the PDF. While pages stream through the writer, every glyph drawn is recorded
//! under its original glyph id, which is also its code in the content (CID); when the last
//! page is done, each font is subset once (with the `subsetter` crate, as Typst does) and
//! embedded as a `Type0`/`CIDFontType2` font whose `/CIDToGIDMap` leads each code to its
//! glyph in the subset. Content can therefore be written before the subset exists.
//!
//! printpdf parses the fonts (glyph widths); it would subset and embed them too, but only
//! for a document whose every page it holds in memory, so the font objects are ours.

use compact_str::CompactString;
use lopdf::{Dictionary, Object, ObjectId, Stream};
use printpdf::ParsedFont;

use crate::typeset::fonts::{Font, FontId};
use crate::{Error, Result};

/// A font that pages have used, with every glyph drawn so far.
pub(super) struct FontInUse {
    /// The `/Font` resource name (also printpdf's font id).
    pub resource: printpdf::FontId,
    /// Advance of each glyph id in 1/1000 em as written in `/W`, from printpdf's parse of
    /// the font and with its arithmetic (f32, truncated).
    widths: Vec<f64>,
    /// The font's space glyph, drawn into word gaps for text extraction.
    pub space: Option<u16>,
    /// Glyph id → copy/paste text (the first non-empty text it was drawn for); `None`
    /// for glyphs never drawn.
    glyphs: Vec<Option<CompactString>>,
}

impl FontInUse {
    /// Parse `font` for use under resource name `F{id}`.
    pub fn new(font_id: FontId, font: &Font) -> Result<Self> {
        let mut warnings = Vec::new();
        let parsed = ParsedFont::from_bytes(font.data, 0, &mut warnings)
            .ok_or_else(|| Error::Pdf(format!("font {} cannot be parsed", font.name)))?;
        let space = font.face.glyph_index(' ').map(|g| g.0);
        let upem = f32::from(parsed.pdf_font_metrics.units_per_em.max(1));
        let widths = (0..font.face.number_of_glyphs())
            .map(|gid| {
                let width = parsed.get_glyph_width(gid).unwrap_or(0);
                (f32::from(width) * 1000.0 / upem) as i64 as f64
            })
            .collect();
        let mut used = FontInUse {
            resource: printpdf::FontId(format!("F{}", font_id.0)),
            widths,
            space,
            glyphs: vec![None; usize::from(font.face.number_of_glyphs())],
        };
        // The layout positions words without space glyphs; the writer draws one into each
        // word gap, so the space glyph is always part of the subset.
        if let Some(space) = space {
            used.record(space, " ");
        }
        Ok(used)
    }

    /// Note that glyph `gid` was drawn standing for `text`. The first non-empty text of a
    /// glyph id wins, so that the second glyph of a cluster ("") never hides the mapping.
    pub fn record(&mut self, gid: u16, text: &str) {
        let index = usize::from(gid);
        if index >= self.glyphs.len() {
            self.glyphs.resize(index + 1, None);
        }
        match &mut self.glyphs[index] {
            Some(known) if known.is_empty() && !text.is_empty() => *known = text.into(),
            Some(_) => {}
            slot @ None => *slot = Some(text.into()),
        }
    }

    /// Whether every glyph drawn stands for text that Unicode can carry (PDF/A level U): no
    /// glyph without text (the second glyph of a cluster, whose text its first carries in
    /// `/ActualText`), none mapped to U+0000, U+FEFF or U+FFFE.
    pub fn maps_to_unicode(&self) -> bool {
        self.used().all(|(_, text)| {
            !text.is_empty()
                && !text
                    .chars()
                    .any(|c| matches!(c, '\0' | '\u{FEFF}' | '\u{FFFE}'))
        })
    }

    /// The text recorded for a glyph id ("" if none).
    pub fn text(&self, gid: u16) -> &str {
        self.glyphs
            .get(usize::from(gid))
            .and_then(Option::as_deref)
            .unwrap_or("")
    }

    /// Advance of `gid` in 1/1000 em as written in `/W`; TJ corrections are computed
    /// against exactly these numbers, so viewers put each glyph where layout did.
    pub fn pdf_width(&self, gid: u16) -> f64 {
        self.widths.get(usize::from(gid)).copied().unwrap_or(0.0)
    }

    /// Glyph ids drawn, in order.
    fn used(&self) -> impl Iterator<Item = (u16, &str)> {
        self.glyphs
            .iter()
            .enumerate()
            .filter_map(|(gid, text)| Some((u16::try_from(gid).ok()?, text.as_deref()?)))
    }

    /// Subset the font to the glyphs drawn and add it to `doc`; returns the `Type0` font.
    pub fn embed(&self, font: &Font, doc: &mut lopdf::Document) -> Result<ObjectId> {
        let mut remapper = subsetter::GlyphRemapper::new();
        for (gid, _) in self.used() {
            remapper.remap(gid);
        }
        let program = subsetter::subset(font.data, 0, &remapper)
            .map_err(|e| Error::Pdf(format!("cannot subset font {}: {e:?}", font.name)))?;
        let base_name = format!("{}+{}", subset_tag(font.name, self.used()), font.name);

        // CID (original glyph id) → glyph id in the subset, two bytes each.
        let max_cid = self.used().map(|(gid, _)| gid).max().unwrap_or(0);
        let mut cid_to_gid = vec![0u8; 2 * (usize::from(max_cid) + 1)];
        for (gid, _) in self.used() {
            if let Some(new) = remapper.get(gid) {
                let at = 2 * usize::from(gid);
                cid_to_gid[at..at + 2].copy_from_slice(&new.to_be_bytes());
            }
        }

        let mut file = Dictionary::new();
        file.set("Length1", Object::Integer(program.len() as i64));
        let file_id = doc.add_object(compressed(file, program));
        let descriptor_id =
            doc.add_object(Object::Dictionary(descriptor(font, &base_name, file_id)));
        let map_id = doc.add_object(compressed(Dictionary::new(), cid_to_gid));
        let unicode: Vec<(u16, &str)> = self.used().filter(|(_, t)| !t.is_empty()).collect();
        let to_unicode_id = doc.add_object(compressed(
            Dictionary::new(),
            to_unicode_cmap(&unicode).into_bytes(),
        ));

        let mut system = Dictionary::new();
        system.set("Registry", Object::string_literal("Adobe"));
        system.set("Ordering", Object::string_literal("Identity"));
        system.set("Supplement", Object::Integer(0));
        let mut cid_font = Dictionary::new();
        cid_font.set("Type", Object::Name(b"Font".to_vec()));
        cid_font.set("Subtype", Object::Name(b"CIDFontType2".to_vec()));
        cid_font.set("BaseFont", Object::Name(base_name.clone().into_bytes()));
        cid_font.set("CIDSystemInfo", Object::Dictionary(system));
        cid_font.set("FontDescriptor", Object::Reference(descriptor_id));
        cid_font.set("DW", Object::Integer(0));
        cid_font.set("W", Object::Array(self.widths()));
        cid_font.set("CIDToGIDMap", Object::Reference(map_id));
        let cid_font_id = doc.add_object(Object::Dictionary(cid_font));

        let mut type0 = Dictionary::new();
        type0.set("Type", Object::Name(b"Font".to_vec()));
        type0.set("Subtype", Object::Name(b"Type0".to_vec()));
        type0.set("BaseFont", Object::Name(base_name.into_bytes()));
        type0.set("Encoding", Object::Name(b"Identity-H".to_vec()));
        type0.set(
            "DescendantFonts",
            Object::Array(vec![Object::Reference(cid_font_id)]),
        );
        type0.set("ToUnicode", Object::Reference(to_unicode_id));
        Ok(doc.add_object(Object::Dictionary(type0)))
    }

    /// `/W` in the compact form `c [w1 w2 …]`, one array per run of consecutive codes.
    fn widths(&self) -> Vec<Object> {
        let mut out = Vec::new();
        let mut run: Vec<Object> = Vec::new();
        let mut run_start = 0u16;
        let mut previous: Option<u16> = None;
        for (gid, _) in self.used() {
            if previous.is_some_and(|p| p + 1 != gid) {
                out.push(Object::Integer(i64::from(run_start)));
                out.push(Object::Array(std::mem::take(&mut run)));
            }
            if run.is_empty() {
                run_start = gid;
            }
            run.push(Object::Integer(self.pdf_width(gid) as i64));
            previous = Some(gid);
        }
        if !run.is_empty() {
            out.push(Object::Integer(i64::from(run_start)));
            out.push(Object::Array(run));
        }
        out
    }
}

/// A Flate-compressed stream.
fn compressed(dict: Dictionary, content: Vec<u8>) -> Object {
    let mut stream = Stream::new(dict, content);
    // Compression only fails for a stream that already has a filter, which this has not;
    // an uncompressed stream would still be valid.
    let _ = stream.compress();
    Object::Stream(stream)
}

/// The font descriptor (ISO 32000-1, 9.8), metrics scaled to 1/1000 em.
fn descriptor(font: &Font, base_name: &str, file: ObjectId) -> Dictionary {
    let face = &font.face;
    let scale = 1000.0 / font.units_per_em.max(1.0);
    let scaled = |v: i16| Object::Integer((f32::from(v) * scale).round() as i64);
    let bbox = face.global_bounding_box();
    let italic_angle = face.italic_angle();
    // Nonsymbolic (Latin character set), plus italic when the face slants.
    let flags = (1 << 5) | if italic_angle != 0.0 { 1 << 6 } else { 0 };
    // No font table holds the stem width; estimate it from the weight class as PDF
    // producers conventionally do (~88 at 400, ~166 at 700).
    let stem_v = 50
        + (f32::from(face.weight().to_number()) / 65.0)
            .powi(2)
            .round() as i64;
    let mut d = Dictionary::new();
    d.set("Type", Object::Name(b"FontDescriptor".to_vec()));
    d.set("FontName", Object::Name(base_name.as_bytes().to_vec()));
    d.set("Flags", Object::Integer(flags));
    d.set(
        "FontBBox",
        Object::Array(vec![
            scaled(bbox.x_min),
            scaled(bbox.y_min),
            scaled(bbox.x_max),
            scaled(bbox.y_max),
        ]),
    );
    d.set("ItalicAngle", Object::Real(italic_angle));
    d.set("Ascent", scaled(face.ascender()));
    d.set("Descent", scaled(face.descender()));
    d.set(
        "CapHeight",
        scaled(face.capital_height().unwrap_or(face.ascender())),
    );
    d.set("StemV", Object::Integer(stem_v));
    d.set("FontFile2", Object::Reference(file));
    d
}

/// A ToUnicode CMap (PDF 1.7, 9.10.3) for two-byte codes: ligatures map to several
/// characters, and codes whose text is unknown are left out.
pub(super) fn to_unicode_cmap(map: &[(u16, &str)]) -> String {
    let mut out = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    // At most 100 entries per bfchar block.
    for chunk in map.chunks(100) {
        out.push_str(&format!("{} beginbfchar\n", chunk.len()));
        for (code, text) in chunk {
            let utf16: String = text.encode_utf16().map(|u| format!("{u:04X}")).collect();
            out.push_str(&format!("<{code:04X}> <{utf16}>\n"));
        }
        out.push_str("endbfchar\n");
    }
    out.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    out
}

/// The six-letter subset tag (ISO 32000-1, 9.6.4): derived from the font and glyph set so
/// that the output is reproducible and different subsets get different tags.
fn subset_tag<'a>(name: &str, glyphs: impl Iterator<Item = (u16, &'a str)>) -> String {
    let mut key = name.as_bytes().to_vec();
    for (gid, _) in glyphs {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typeset::fonts::FontSet;

    #[test]
    fn first_non_empty_text_of_a_glyph_wins() {
        let fonts = FontSet::builtin().expect("fonts");
        let id = FontId(0);
        let mut font = FontInUse::new(id, fonts.get(id)).expect("parses");
        font.record(40, "");
        assert_eq!(font.text(40), "");
        font.record(40, "fi");
        font.record(40, "f");
        assert_eq!(font.text(40), "fi");
        assert_eq!(font.text(41), "", "never drawn");
        assert!(font.space.is_some_and(|s| font.text(s) == " "));
    }

    #[test]
    fn widths_group_consecutive_codes() {
        let fonts = FontSet::builtin().expect("fonts");
        let id = FontId(0);
        let mut font = FontInUse::new(id, fonts.get(id)).expect("parses");
        let space = font.space.expect("space glyph");
        font.glyphs.iter_mut().for_each(|g| *g = None);
        for gid in [10, 11, 12, 20] {
            font.record(gid, "x");
        }
        let w = font.widths();
        assert_eq!(w.len(), 4, "{w:?}");
        assert_eq!(w[0], Object::Integer(10));
        assert_eq!(w[1].as_array().map(Vec::len).ok(), Some(3));
        assert_eq!(w[2], Object::Integer(20));
        assert!(space != 10);
    }
}
