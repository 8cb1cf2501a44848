//! Fonts in the PDF. While pages stream through the writer, every glyph drawn is recorded
//! under its original glyph id, which is also its code in the content; when the last page
//! is done, each font is subset once (with the `subsetter` crate, as Typst does) and
//! embedded as a `Type0` font. Content can therefore be written before the subset exists:
//! - a TrueType font becomes a `CIDFontType2` whose `/CIDToGIDMap` leads each code (CID)
//!   to its glyph in the subset;
//! - a CFF font (the Noto CJK collections) becomes a `CIDFontType0` with its bare CFF
//!   program (`FontFile3 /CIDFontType0C`). Its CIDs are the subset's glyph ids and a CFF
//!   font has no `/CIDToGIDMap`, so the `Type0` font's `/Encoding` is an embedded CMap that
//!   leads each code to its CID instead of `Identity-H` (allowed in PDF/A-2, 6.2.11.3.3,
//!   with both `CIDSystemInfo` entries Adobe-Identity).
//!
//! One glyph can stand alone for different texts: a small capital is drawn for "A" (`c2sc`)
//! and for "a" (`smcp`). ToUnicode gives a code one text, so the second text gets a second
//! code for the same glyph, past the font's glyph ids (an alias), and every text extractor
//! reads each letter in its own case.
//!
//! printpdf would subset and embed fonts too, but only for a document whose every page it
//! holds in memory, and only TrueType ones, so the font objects are ours.

use std::collections::HashMap;

use crate::typeset::fonts::{Font, FontId, Outlines};
use crate::{Error, Result};
use compact_str::CompactString;
use lopdf::{Dictionary, Object, ObjectId, Stream};

/// A font that pages have used, with every glyph drawn so far.
pub(super) struct FontInUse {
    /// The `/Font` resource name (also printpdf's font id).
    pub resource: printpdf::FontId,
    /// Advance of each glyph id in 1/1000 em as written in `/W` (f32, truncated).
    widths: Vec<f64>,
    /// The font's space glyph, drawn into word gaps for text extraction.
    pub space: Option<u16>,
    /// Code → copy/paste text (the first non-empty text it was drawn for); `None` for
    /// codes never drawn. Codes below [`FontInUse::first_alias`] are glyph ids.
    glyphs: Vec<Option<CompactString>>,
    /// The first alias code: the font's number of glyphs.
    first_alias: u16,
    /// Glyph id of each alias code, from [`FontInUse::first_alias`] on.
    alias_glyphs: Vec<u16>,
    /// Alias codes by glyph id and the text they stand for.
    aliases: HashMap<(u16, CompactString), u16>,
}

impl FontInUse {
    /// Parse `font` for use under resource name `F{id}`.
    pub fn new(font_id: FontId, font: &Font) -> Result<Self> {
        let space = font.face.glyph_index(' ').map(|g| g.0);
        let upem = font.units_per_em.max(1.0);
        let widths = (0..font.face.number_of_glyphs())
            .map(|gid| (font.advance(gid) * 1000.0 / upem) as i64 as f64)
            .collect();
        let mut used = FontInUse {
            resource: printpdf::FontId(format!("F{}", font_id.0)),
            widths,
            space,
            glyphs: vec![None; usize::from(font.face.number_of_glyphs())],
            first_alias: font.face.number_of_glyphs(),
            alias_glyphs: Vec::new(),
            aliases: HashMap::new(),
        };
        // The layout positions words without space glyphs; the writer draws one into each
        // word gap, so the space glyph is always part of the subset.
        if let Some(space) = space {
            used.record(space, " ", true);
        }
        Ok(used)
    }

    /// Note that glyph `gid` was drawn standing for `text`, `alone` (a cluster of one glyph)
    /// or as the first or a later glyph of a cluster (those take `/ActualText`). The first
    /// non-empty text of a glyph id wins, so that the second glyph of a cluster ("") never
    /// hides the mapping; a glyph standing alone for another text gets an alias code for it
    /// while codes last (then it too takes `/ActualText`).
    pub fn record(&mut self, gid: u16, text: &str, alone: bool) {
        let index = usize::from(gid);
        if index >= self.glyphs.len() {
            self.glyphs.resize(index + 1, None);
        }
        match &mut self.glyphs[index] {
            Some(known) if known.is_empty() && !text.is_empty() => *known = text.into(),
            Some(known) if alone && !text.is_empty() && known.as_str() != text => {
                let key = (gid, CompactString::from(text));
                if self.aliases.contains_key(&key) {
                    return;
                }
                let Some(code) = u16::try_from(self.alias_glyphs.len())
                    .ok()
                    .and_then(|n| self.first_alias.checked_add(n))
                    .filter(|code| *code < u16::MAX)
                else {
                    return;
                };
                if self.glyphs.len() <= usize::from(code) {
                    self.glyphs.resize(usize::from(code) + 1, None);
                }
                self.glyphs[usize::from(code)] = Some(key.1.clone());
                self.alias_glyphs.push(gid);
                self.aliases.insert(key, code);
            }
            Some(_) => {}
            slot @ None => *slot = Some(text.into()),
        }
    }

    /// The code to show glyph `gid` with where it stands for `text` (`alone`, as recorded):
    /// its alias for that text if it has one, else the glyph id. And whether that code's
    /// text is `text`, so that the caller need not compare them again (when it is not, the
    /// glyph's text goes in an `/ActualText`).
    pub fn code(&self, gid: u16, text: &str, alone: bool) -> (u16, bool) {
        if !alone || text.is_empty() {
            return (gid, self.text(gid) == text);
        }
        if self.text(gid) == text {
            return (gid, true);
        }
        // An alias's text is the text it was made for.
        match self.aliases.get(&(gid, CompactString::from(text))) {
            Some(&alias) => (alias, true),
            None => (gid, false),
        }
    }

    /// The glyph id a code shows.
    fn glyph_of(&self, code: u16) -> u16 {
        code.checked_sub(self.first_alias)
            .and_then(|n| self.alias_glyphs.get(usize::from(n)))
            .copied()
            .unwrap_or(code)
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

    /// The text recorded for a code ("" if none).
    pub fn text(&self, code: u16) -> &str {
        self.glyphs
            .get(usize::from(code))
            .and_then(Option::as_deref)
            .unwrap_or("")
    }

    /// Advance of the glyph of `code` in 1/1000 em as written in `/W`; TJ corrections are
    /// computed against exactly these numbers, so viewers put each glyph where layout did.
    pub fn pdf_width(&self, code: u16) -> f64 {
        let gid = self.glyph_of(code);
        self.widths.get(usize::from(gid)).copied().unwrap_or(0.0)
    }

    /// Codes drawn, in order, with their text.
    fn used(&self) -> impl Iterator<Item = (u16, &str)> {
        self.glyphs
            .iter()
            .enumerate()
            .filter_map(|(gid, text)| Some((u16::try_from(gid).ok()?, text.as_deref()?)))
    }

    /// The font subset to the glyphs drawn, as objects made but not yet numbered (the
    /// program and every stream compressed), for [`PreparedFont::add_to`]. This is the
    /// costly part of embedding a font and touches no document, so the fonts of a PDF are
    /// prepared on threads of their own (see `PdfWriter::finish`).
    pub fn prepare(&self, font: &Font) -> Result<PreparedFont> {
        let mut remapper = subsetter::GlyphRemapper::new();
        for (code, _) in self.used() {
            remapper.remap(self.glyph_of(code));
        }
        let program = subsetter::subset(font.data, font.index, &remapper)
            .map_err(|e| Error::Pdf(format!("cannot subset font {}: {e:?}", font.name)))?;
        let base_name = format!("{}+{}", subset_tag(&font.name, self.used()), font.name);
        // Code → glyph id in the subset (the CID of a CFF subset).
        let new_glyph = |code: u16| remapper.get(self.glyph_of(code)).unwrap_or(0);

        let (file_key, file) = match font.outlines {
            Outlines::TrueType => {
                let mut file = Dictionary::new();
                file.set("Length1", Object::Integer(program.len() as i64));
                ("FontFile2", compressed(file, program))
            }
            Outlines::Cff => {
                let cff = cff_table(&program).ok_or_else(|| {
                    Error::Pdf(format!("the subset of font {} has no CFF table", font.name))
                })?;
                let mut file = Dictionary::new();
                file.set("Subtype", Object::Name(b"CIDFontType0C".to_vec()));
                ("FontFile3", compressed(file, cff))
            }
        };
        let unicode: Vec<(u16, &str)> = self.used().filter(|(_, t)| !t.is_empty()).collect();
        let to_unicode = compressed(Dictionary::new(), to_unicode_cmap(&unicode).into_bytes());
        let outlines = match font.outlines {
            Outlines::TrueType => {
                // CID (original glyph id or alias) → glyph id in the subset, two bytes each.
                let max_cid = self.used().map(|(gid, _)| gid).max().unwrap_or(0);
                let mut cid_to_gid = vec![0u8; 2 * (usize::from(max_cid) + 1)];
                for (code, _) in self.used() {
                    let at = 2 * usize::from(code);
                    cid_to_gid[at..at + 2].copy_from_slice(&new_glyph(code).to_be_bytes());
                }
                PreparedOutlines::TrueType {
                    cid_to_gid: compressed(Dictionary::new(), cid_to_gid),
                    widths: self.widths(|code| code),
                }
            }
            Outlines::Cff => {
                let codes: Vec<(u16, u16)> = self
                    .used()
                    .map(|(code, _)| (code, new_glyph(code)))
                    .collect();
                let mut dict = Dictionary::new();
                dict.set("Type", Object::Name(b"CMap".to_vec()));
                dict.set("CMapName", Object::Name(CODE_TO_CID_CMAP_NAME.to_vec()));
                dict.set("CIDSystemInfo", Object::Dictionary(identity_system_info()));
                dict.set("WMode", Object::Integer(0));
                PreparedOutlines::Cff {
                    code_to_cid: compressed(dict, code_to_cid_cmap(&codes).into_bytes()),
                    widths: self.widths(new_glyph),
                }
            }
        };
        Ok(PreparedFont {
            base_name,
            file_key,
            file,
            to_unicode,
            outlines,
        })
    }

    /// `/W` in the compact form `c [w1 w2 …]`, one array per run of consecutive CIDs,
    /// where `cid_of` gives each code's CID (the code itself, or its glyph in a CFF subset).
    fn widths(&self, cid_of: impl Fn(u16) -> u16) -> Vec<Object> {
        let mut by_cid: Vec<(u16, i64)> = self
            .used()
            .map(|(code, _)| (cid_of(code), self.pdf_width(code) as i64))
            .collect();
        by_cid.sort_unstable();
        by_cid.dedup_by_key(|(cid, _)| *cid);
        let mut out = Vec::new();
        let mut run: Vec<Object> = Vec::new();
        let mut run_start = 0u16;
        let mut previous: Option<u16> = None;
        for (cid, width) in by_cid {
            if previous.is_some_and(|p| p + 1 != cid) {
                out.push(Object::Integer(i64::from(run_start)));
                out.push(Object::Array(std::mem::take(&mut run)));
            }
            if run.is_empty() {
                run_start = cid;
            }
            run.push(Object::Integer(width));
            previous = Some(cid);
        }
        if !run.is_empty() {
            out.push(Object::Integer(i64::from(run_start)));
            out.push(Object::Array(run));
        }
        out
    }
}

/// A font's objects as [`FontInUse::prepare`] makes them, for [`PreparedFont::add_to`].
pub struct PreparedFont {
    base_name: String,
    /// The descriptor's key for the program: `FontFile2` (TrueType) or `FontFile3` (CFF).
    file_key: &'static str,
    file: Object,
    to_unicode: Object,
    outlines: PreparedOutlines,
}

/// What differs between a TrueType and a CFF font's objects.
enum PreparedOutlines {
    /// Glyphs addressed by original glyph id, mapped to the subset's by a stream.
    TrueType {
        cid_to_gid: Object,
        widths: Vec<Object>,
    },
    /// Glyphs addressed through a CMap to the subset's CIDs.
    Cff {
        code_to_cid: Object,
        widths: Vec<Object>,
    },
}

impl PreparedFont {
    /// Add the font's objects to `doc`, numbered in a fixed order (program, descriptor,
    /// `ToUnicode`, glyph map, CIDFont, Type0); returns the `Type0` font.
    pub fn add_to(self, font: &Font, doc: &mut lopdf::Document) -> ObjectId {
        let file_id = doc.add_object(self.file);
        let descriptor_id = doc.add_object(Object::Dictionary(descriptor(
            font,
            &self.base_name,
            self.file_key,
            file_id,
        )));
        let to_unicode_id = doc.add_object(self.to_unicode);

        let mut cid_font = Dictionary::new();
        cid_font.set("Type", Object::Name(b"Font".to_vec()));
        cid_font.set(
            "BaseFont",
            Object::Name(self.base_name.clone().into_bytes()),
        );
        cid_font.set("CIDSystemInfo", Object::Dictionary(identity_system_info()));
        cid_font.set("FontDescriptor", Object::Reference(descriptor_id));
        cid_font.set("DW", Object::Integer(0));
        let encoding = match self.outlines {
            PreparedOutlines::TrueType { cid_to_gid, widths } => {
                let map_id = doc.add_object(cid_to_gid);
                cid_font.set("Subtype", Object::Name(b"CIDFontType2".to_vec()));
                cid_font.set("W", Object::Array(widths));
                cid_font.set("CIDToGIDMap", Object::Reference(map_id));
                Object::Name(b"Identity-H".to_vec())
            }
            PreparedOutlines::Cff {
                code_to_cid,
                widths,
            } => {
                cid_font.set("Subtype", Object::Name(b"CIDFontType0".to_vec()));
                cid_font.set("W", Object::Array(widths));
                Object::Reference(doc.add_object(code_to_cid))
            }
        };
        let cid_font_id = doc.add_object(Object::Dictionary(cid_font));

        let mut type0 = Dictionary::new();
        type0.set("Type", Object::Name(b"Font".to_vec()));
        type0.set("Subtype", Object::Name(b"Type0".to_vec()));
        type0.set("BaseFont", Object::Name(self.base_name.into_bytes()));
        type0.set("Encoding", encoding);
        type0.set(
            "DescendantFonts",
            Object::Array(vec![Object::Reference(cid_font_id)]),
        );
        type0.set("ToUnicode", Object::Reference(to_unicode_id));
        doc.add_object(Object::Dictionary(type0))
    }
}

/// zlib level for font programs and CMaps. lopdf's `Stream::compress` takes the best (9),
/// which spent more time on the seed's three font subsets than laying out its pages, for
/// files under 1 % smaller than at 6.
const FONT_COMPRESSION: u32 = 6;

/// A Flate-compressed stream (left plain in the rare case that compression does not pay).
fn compressed(mut dict: Dictionary, content: Vec<u8>) -> Object {
    match super::content::Deflater::zlib(FONT_COMPRESSION).deflate(&content) {
        Ok(deflated) if deflated.len() < content.len() => {
            dict.set("Filter", "FlateDecode");
            Object::Stream(Stream::new(dict, deflated).with_compression(false))
        }
        _ => Object::Stream(Stream::new(dict, content).with_compression(false)),
    }
}

/// `CIDSystemInfo` Adobe-Identity-0, for a CIDFont and for the CMap that addresses it.
fn identity_system_info() -> Dictionary {
    let mut system = Dictionary::new();
    system.set("Registry", Object::string_literal("Adobe"));
    system.set("Ordering", Object::string_literal("Identity"));
    system.set("Supplement", Object::Integer(0));
    system
}

/// The name of the embedded code → CID CMap of a CFF font.
const CODE_TO_CID_CMAP_NAME: &[u8] = b"Presswork-Code-To-CID";

/// The CFF program of an OpenType subset, for `FontFile3 /CIDFontType0C`.
fn cff_table(program: &[u8]) -> Option<Vec<u8>> {
    let face = rustybuzz::ttf_parser::RawFace::parse(program, 0).ok()?;
    face.table(rustybuzz::ttf_parser::Tag::from_bytes(b"CFF "))
        .map(<[u8]>::to_vec)
}

/// An embedded CMap (PDF 1.7, 9.7.5.3) for two-byte codes, leading each code to its CID.
fn code_to_cid_cmap(codes: &[(u16, u16)]) -> String {
    let name = String::from_utf8_lossy(CODE_TO_CID_CMAP_NAME);
    let mut out = format!(
        "%!PS-Adobe-3.0 Resource-CMap\n/CIDInit /ProcSet findresource begin\n12 dict begin\n\
         begincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> def\n\
         /CMapName /{name} def\n/CMapType 1 def\n/WMode 0 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
    );
    // At most 100 entries per cidchar block.
    for chunk in codes.chunks(100) {
        out.push_str(&format!("{} begincidchar\n", chunk.len()));
        for (code, cid) in chunk {
            out.push_str(&format!("<{code:04X}> {cid}\n"));
        }
        out.push_str("endcidchar\n");
    }
    out.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    out
}

/// The font descriptor (ISO 32000-1, 9.8), metrics scaled to 1/1000 em.
fn descriptor(font: &Font, base_name: &str, file_key: &str, file: ObjectId) -> Dictionary {
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
    d.set(file_key, Object::Reference(file));
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
        font.record(40, "", false);
        assert_eq!(font.text(40), "");
        font.record(40, "fi", true);
        font.record(40, "f", false);
        assert_eq!(font.text(40), "fi");
        assert_eq!(
            font.code(40, "f", false),
            (40, false),
            "a cluster's glyph keeps its id (its text goes in /ActualText)"
        );
        assert_eq!(font.text(41), "", "never drawn");
        assert!(font.space.is_some_and(|s| font.text(s) == " "));
    }

    #[test]
    fn a_glyph_standing_for_two_texts_gets_a_second_code() {
        let fonts = FontSet::builtin().expect("fonts");
        let id = FontId(0);
        let mut font = FontInUse::new(id, fonts.get(id)).expect("parses");
        let glyphs = fonts.get(id).face.number_of_glyphs();
        // A small capital: "a" under smcp, "A" under c2sc.
        font.record(500, "a", true);
        font.record(500, "A", true);
        font.record(500, "A", true);
        font.record(500, "Aa", false);
        let (alias, alias_says_it) = font.code(500, "A", true);
        assert_eq!(alias, glyphs, "the first code past the glyph ids");
        assert!(alias_says_it);
        assert_eq!(font.code(500, "a", true), (500, true));
        assert_eq!(
            font.code(500, "Aa", false),
            (500, false),
            "clusters take /ActualText"
        );
        assert_eq!((font.text(500), font.text(alias)), ("a", "A"));
        assert_eq!(font.glyph_of(alias), 500);
        assert_eq!(font.pdf_width(alias), font.pdf_width(500));
        let unicode: Vec<(u16, &str)> = font.used().filter(|(c, _)| *c >= 500).collect();
        assert_eq!(unicode, vec![(500, "a"), (alias, "A")]);
        assert!(font.maps_to_unicode());
        // The subset holds the glyph once; both codes lead to it.
        let mut doc = lopdf::Document::with_version("1.7");
        font.prepare(fonts.get(id))
            .expect("prepares")
            .add_to(fonts.get(id), &mut doc);
        let map = doc
            .objects
            .values()
            .filter_map(|o| o.as_stream().ok())
            .filter_map(|s| s.decompressed_content().ok())
            .find(|c| c.len() == 2 * (usize::from(alias) + 1))
            .expect("a CIDToGIDMap as long as the alias code");
        let at = |code: u16| &map[2 * usize::from(code)..2 * usize::from(code) + 2];
        assert_eq!(at(alias), at(500));
        assert_ne!(at(500), [0, 0]);
    }

    #[test]
    fn widths_group_consecutive_codes() {
        let fonts = FontSet::builtin().expect("fonts");
        let id = FontId(0);
        let mut font = FontInUse::new(id, fonts.get(id)).expect("parses");
        let space = font.space.expect("space glyph");
        font.glyphs.iter_mut().for_each(|g| *g = None);
        for gid in [10, 11, 12, 20] {
            font.record(gid, "x", true);
        }
        let w = font.widths(|code| code);
        assert_eq!(w.len(), 4, "{w:?}");
        assert_eq!(w[0], Object::Integer(10));
        assert_eq!(w[1].as_array().map(Vec::len).ok(), Some(3));
        assert_eq!(w[2], Object::Integer(20));
        assert!(space != 10);
    }
}
