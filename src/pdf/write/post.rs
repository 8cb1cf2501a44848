//! What needs every page written: nested outline, link annotations with exact
//! destinations, document information (and, for PDF/A, its XMP twin and the output intent
//! from [`archive`]), catalog entries, a content-derived `/ID`, PDF 1.7 and reproducible
//! bytes.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use lopdf::{Dictionary, Object, ObjectId, StringFormat};

use super::archive;
use super::structure::{
    serialise, serialise_stream_head, LinkTag, RawObjects, Structure, MAX_LINK_TEXT, STREAM_END,
};
use crate::ir::Metadata;
use crate::typeset::frame::{LinkDestination, Navigation, OutlineEntry, Rect};
use crate::{Error, Result};

/// The PDF version written: 1.7, the base of PDF/A-2.
pub(super) const PDF_VERSION: &str = "1.7";

/// The longest string PDF/A-2 allows (ISO 19005-2, 6.1.13; also Acrobat's limit in
/// ISO 32000-1, annex C). A longer web address gets no link.
pub(super) const MAX_STRING_BYTES: usize = 32_767;

/// Annotation flag 3, "Print" (ISO 32000-1, table 165).
const ANNOTATION_PRINT_FLAG: i64 = 4;

/// FNV-1a, 64 bit, with a seed mixed into the offset basis. Enough for subset tags and a
/// file identifier; not a cryptographic hash and not used as one.
pub(super) fn fnv1a(data: &[u8], seed: u64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for b in data {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// A PDF text string: literal for ASCII, UTF-16BE with BOM otherwise.
pub(super) fn text(s: &str) -> Object {
    if s.is_ascii() {
        return Object::String(s.as_bytes().to_vec(), StringFormat::Literal);
    }
    let mut b = vec![0xFE, 0xFF];
    for u in s.encode_utf16() {
        b.extend_from_slice(&u.to_be_bytes());
    }
    Object::String(b, StringFormat::Hexadecimal)
}

fn missing(what: &str) -> Error {
    Error::Pdf(format!("the assembled PDF has no {what}"))
}

fn catalog_mut(doc: &mut lopdf::Document) -> Result<&mut Dictionary> {
    let root = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| missing("catalog"))?;
    doc.get_object_mut(root)
        .and_then(Object::as_dict_mut)
        .map_err(|_| missing("catalog"))
}

/// `[page /XYZ null top null]`, with `y` from the top-left frame flipped to PDF space.
fn destination(pages: &[(ObjectId, f32)], page: usize, y: f32) -> Result<Object> {
    let (id, height) = pages.get(page).ok_or_else(|| {
        Error::Pdf(format!(
            "destination on page {} of {}",
            page + 1,
            pages.len()
        ))
    })?;
    Ok(Object::Array(vec![
        Object::Reference(*id),
        Object::Name(b"XYZ".to_vec()),
        Object::Null,
        Object::Real(height - y),
        Object::Null,
    ]))
}

/// A bookmark with its children, built from the flat level list.
struct Node<'a> {
    entry: &'a OutlineEntry,
    children: Vec<Node<'a>>,
}

/// Nest the flat entries: an entry goes under the nearest earlier entry with a lower level,
/// so a level-3 entry straight after a level-1 one becomes its child.
fn nest(entries: &[OutlineEntry]) -> Vec<Node<'_>> {
    fn push<'a>(siblings: &mut Vec<Node<'a>>, entry: &'a OutlineEntry) {
        match siblings.last_mut() {
            Some(last) if last.entry.level < entry.level => push(&mut last.children, entry),
            _ => siblings.push(Node {
                entry,
                children: Vec::new(),
            }),
        }
    }
    let mut roots = Vec::new();
    for entry in entries {
        push(&mut roots, entry);
    }
    roots
}

/// Write one sibling chain; returns (first, last, number of visible descendants).
fn write_nodes(
    doc: &mut lopdf::Document,
    parent: ObjectId,
    nodes: &[Node<'_>],
    pages: &[(ObjectId, f32)],
) -> Result<(ObjectId, ObjectId, i64)> {
    let ids: Vec<ObjectId> = nodes.iter().map(|_| doc.new_object_id()).collect();
    let mut count = 0;
    for (i, node) in nodes.iter().enumerate() {
        let mut d = Dictionary::new();
        d.set("Title", text(&node.entry.title));
        d.set("Parent", Object::Reference(parent));
        d.set("Dest", destination(pages, node.entry.page, node.entry.y)?);
        if i > 0 {
            d.set("Prev", Object::Reference(ids[i - 1]));
        }
        if let Some(next) = ids.get(i + 1) {
            d.set("Next", Object::Reference(*next));
        }
        if !node.children.is_empty() {
            let (first, last, n) = write_nodes(doc, ids[i], &node.children, pages)?;
            d.set("First", Object::Reference(first));
            d.set("Last", Object::Reference(last));
            d.set("Count", Object::Integer(n)); // positive: shown open
            count += n;
        }
        count += 1;
        doc.objects.insert(ids[i], Object::Dictionary(d));
    }
    match (ids.first(), ids.last()) {
        (Some(first), Some(last)) => Ok((*first, *last, count)),
        _ => Err(Error::Pdf("empty outline level".into())),
    }
}

fn write_outline(
    doc: &mut lopdf::Document,
    entries: &[OutlineEntry],
    pages: &[(ObjectId, f32)],
) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let root = doc.new_object_id();
    let (first, last, count) = write_nodes(doc, root, &nest(entries), pages)?;
    let mut d = Dictionary::new();
    d.set("Type", Object::Name(b"Outlines".to_vec()));
    d.set("First", Object::Reference(first));
    d.set("Last", Object::Reference(last));
    d.set("Count", Object::Integer(count));
    doc.objects.insert(root, Object::Dictionary(d));
    let catalog = catalog_mut(doc)?;
    catalog.set("Outlines", Object::Reference(root));
    // A name: viewers ignore a string here (printpdf wrote one).
    catalog.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
    Ok(())
}

/// Link annotations with an exact `/XYZ` position for internal links and no visible
/// border. A link to a web address longer than [`MAX_STRING_BYTES`] is left out. Every
/// other link was given an annotation id and a place in the structure tree when its page
/// was written, so it is written under that id even when its anchor never landed on a page
/// (then it leads nowhere, rather than the tree pointing at nothing).
fn write_links(
    doc: &mut lopdf::Document,
    pages: &[PageRef<'_>],
    targets: &[(ObjectId, f32)],
    navigation: &Navigation,
    structure: &Structure,
) -> Result<()> {
    // One action per web address, however many rectangles (lines, pages) lead to it: a
    // long URL is then written once, not once per line.
    let mut uri_actions: HashMap<&str, ObjectId> = HashMap::new();
    for page in pages {
        let mut annots = Vec::new();
        for link in page.links {
            let rect = &link.rect;
            let mut d = Dictionary::new();
            d.set("Type", Object::Name(b"Annot".to_vec()));
            d.set("Subtype", Object::Name(b"Link".to_vec()));
            // Printed with the page (PDF/A wants it; a link box draws nothing anyway).
            d.set("F", Object::Integer(ANNOTATION_PRINT_FLAG));
            d.set(
                "Rect",
                Object::Array(
                    [
                        rect.x,
                        page.height - rect.y - rect.height,
                        rect.x + rect.width,
                        page.height - rect.y,
                    ]
                    .map(Object::Real)
                    .to_vec(),
                ),
            );
            d.set("Border", Object::Array(vec![0.into(), 0.into(), 0.into()]));
            let mut contents = None;
            if let LinkDestination::Uri(uri) = &link.target {
                if uri.len() > MAX_STRING_BYTES {
                    // No reader could keep it, and PDF/A forbids the string: the text stays,
                    // unlinked.
                    continue;
                }
                let action = *uri_actions.entry(uri.as_str()).or_insert_with(|| {
                    let mut action = Dictionary::new();
                    action.set("S", Object::Name(b"URI".to_vec()));
                    // URIs are 7-bit ASCII by definition (ISO 32000-1, 12.6.4.7).
                    action.set("URI", Object::string_literal(uri.as_bytes().to_vec()));
                    doc.add_object(Object::Dictionary(action))
                });
                d.set("A", Object::Reference(action));
                contents = Some(shortened(uri, MAX_LINK_TEXT));
            } else if let Some((to_page, y)) = navigation.resolve(&link.target) {
                d.set("Dest", destination(targets, to_page, y)?);
                contents = Some(format!("Page {}", to_page + 1));
            }
            let Some(tag) = link.tag else {
                if contents.is_some() {
                    annots.push(Object::Reference(doc.add_object(Object::Dictionary(d))));
                }
                continue;
            };
            // What a screen reader says for the link (PDF/UA-1, 7.18.5): its words, or
            // where it goes.
            let words = tag.text.map_or("", |index| structure.link_text(index));
            let contents = match (words, contents) {
                ("", Some(contents)) => contents,
                ("", None) => "Link".to_owned(),
                (words, _) => words.to_owned(),
            };
            d.set("Contents", text(&contents));
            d.set("StructParent", Object::Integer(tag.struct_parent));
            doc.objects.insert(tag.annot, Object::Dictionary(d));
            annots.push(Object::Reference(tag.annot));
        }
        if annots.is_empty() {
            continue;
        }
        let page_dict = doc
            .get_object_mut(page.id)
            .and_then(Object::as_dict_mut)
            .map_err(|_| missing("page object"))?;
        page_dict.set("Annots", Object::Array(annots));
    }
    Ok(())
}

/// `text` cut to at most about `max` bytes, on a character boundary, with an ellipsis if
/// cut.
fn shortened(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// A PDF date (ISO 32000-1, 7.9.4) in UTC, in the form PDF/A validators compare with the
/// XMP dates.
fn pdf_date(date: DateTime<Utc>) -> String {
    date.format("D:%Y%m%d%H%M%S+00'00'").to_string()
}

/// What the document information dictionary says (and, in an archival file, the XMP
/// packet repeats).
fn document_facts(meta: &Metadata, settings: &FileSettings) -> archive::DocumentFacts {
    let joined = |list: &[String]| (!list.is_empty()).then(|| list.join(", "));
    archive::DocumentFacts {
        title: meta.title.clone(),
        author: joined(&meta.authors),
        subject: joined(&meta.subjects),
        creator_tool: "presswork".into(),
        producer: format!("presswork {} (printpdf, lopdf)", env!("CARGO_PKG_VERSION")),
        language: (!meta.language.is_empty()).then(|| meta.language.clone()),
        date: settings.build_date,
        unicode_text: settings.unicode_text,
    }
}

fn write_info(
    doc: &mut lopdf::Document,
    facts: &archive::DocumentFacts,
    archival: bool,
) -> Result<()> {
    let mut info = Dictionary::new();
    info.set("Title", text(&facts.title));
    if let Some(author) = &facts.author {
        info.set("Author", text(author));
    }
    if let Some(subject) = &facts.subject {
        info.set("Subject", text(subject));
    }
    info.set("Creator", text(&facts.creator_tool));
    info.set("Producer", text(&facts.producer));
    let date = pdf_date(facts.date);
    info.set("CreationDate", Object::string_literal(date.clone()));
    info.set("ModDate", Object::string_literal(date));
    let id = doc.add_object(Object::Dictionary(info));
    doc.trailer.set("Info", Object::Reference(id));

    let metadata = archive::add_metadata(doc, facts, archival);
    let output_intents = archival.then(|| archive::add_output_intent(doc));
    let catalog = catalog_mut(doc)?;
    if let Some(language) = &facts.language {
        catalog.set("Lang", text(language));
    }
    let mut prefs = Dictionary::new();
    prefs.set("DisplayDocTitle", Object::Boolean(true));
    catalog.set("ViewerPreferences", Object::Dictionary(prefs));
    catalog.set("Metadata", Object::Reference(metadata));
    if let Some(intents) = output_intents {
        catalog.set("OutputIntents", intents);
    }
    Ok(())
}

/// Serialise the file into `out`: lopdf's objects, then the structure tree's, already
/// serialised (see [`RawObjects`]), then one cross-reference table for all of them. lopdf
/// can neither hold pre-serialised objects nor lend its object writer, so the file is
/// assembled here, object by object: a page's compressed content and an embedded photo go
/// straight from where they are into `out`, not through one buffer holding the whole file
/// (a megabyte of fresh memory to fill for the 60-chapter book, at the end of the build,
/// where only one core works).
pub(super) fn save_into(
    doc: &mut lopdf::Document,
    raw: &RawObjects,
    out: &mut dyn std::io::Write,
) -> Result<()> {
    use std::io::Write;
    let mut out = Counting { out, written: 0 };
    let size = doc.max_id as usize + 1;
    let mut offsets: Vec<Option<usize>> = vec![None; size];
    // Each object's own bytes (its dictionary, numbers, names) gathered here first, in
    // one buffer reused for the whole file; a stream's data is written from where it is.
    let mut scratch = Vec::with_capacity(64 * 1024);
    writeln!(scratch, "%PDF-{}", doc.version).map_err(Error::Output)?;
    // The comment of four bytes above 127 tells transfer programs the file is binary
    // (ISO 32000-1, 7.5.2; PDF/A-2 requires it).
    scratch.extend_from_slice(&[b'%', 0xE2, 0xE3, 0xCF, 0xD3, b'\n']);
    out.put(&scratch)?;
    for (&(number, generation), object) in &doc.objects {
        if let Some(slot) = offsets.get_mut(number as usize) {
            *slot = Some(out.written);
        }
        scratch.clear();
        writeln!(scratch, "{number} {generation} obj").map_err(Error::Output)?;
        match object {
            // As `serialise` writes a stream, its data not copied.
            Object::Stream(stream) => {
                serialise_stream_head(stream, &mut scratch);
                out.put(&scratch)?;
                out.put(&stream.content)?;
                out.put(STREAM_END)?;
                out.put(b"\nendobj\n")?;
            }
            _ => {
                serialise(object, &mut scratch);
                scratch.extend_from_slice(b"\nendobj\n");
                out.put(&scratch)?;
            }
        }
    }
    let base = out.written;
    for &(number, start) in &raw.starts {
        if let Some(slot) = offsets.get_mut(number as usize) {
            *slot = Some(base + start);
        }
    }
    out.put(&raw.bytes)?;
    let xref = out.written;
    scratch.clear();
    scratch.extend_from_slice(b"xref\n");
    write!(scratch, "0 {size}\n0000000000 65535 f\r\n").map_err(Error::Output)?;
    for offset in offsets.iter().skip(1) {
        match offset {
            Some(offset) => write!(scratch, "{offset:010} 00000 n\r\n"),
            // A number reserved and never used (a link that got no annotation).
            None => write!(scratch, "0000000000 65535 f\r\n"),
        }
        .map_err(Error::Output)?;
    }
    doc.trailer.set("Size", Object::Integer(size as i64));
    scratch.extend_from_slice(b"trailer\n");
    serialise(&Object::Dictionary(doc.trailer.clone()), &mut scratch);
    write!(scratch, "\nstartxref\n{xref}\n%%EOF\n").map_err(Error::Output)?;
    out.put(&scratch)
}

/// A sink that counts what it was given: the offsets of the cross-reference table.
struct Counting<'o> {
    out: &'o mut dyn std::io::Write,
    written: usize,
}

impl Counting<'_> {
    fn put(&mut self, bytes: &[u8]) -> Result<()> {
        self.out.write_all(bytes).map_err(Error::Output)?;
        self.written += bytes.len();
        Ok(())
    }
}

/// What the file claims and when it was made, from [`crate::pdf::PdfOptions`] and the
/// book's settings.
#[derive(Debug, Clone, Copy)]
pub(super) struct FileSettings {
    /// Write the PDF/A-2b facts (XMP, output intent).
    pub archival: bool,
    /// The creation and modification date ([`crate::ir::Settings::build_date`]).
    pub build_date: DateTime<Utc>,
    /// Every glyph drawn maps to Unicode text (known when the last page is done).
    pub unicode_text: bool,
}

/// A link area of a written page, its target not yet resolved.
pub(super) struct WrittenLink {
    /// The active area (top-left frame coordinates).
    pub rect: Rect,
    /// Where it goes.
    pub target: LinkDestination,
    /// The annotation reserved for it in the structure tree, if any.
    pub tag: Option<LinkTag>,
}

/// A written page, as the post-pass needs it.
pub(super) struct PageRef<'a> {
    /// The page object.
    pub id: ObjectId,
    /// Page height (to flip rectangles into PDF space).
    pub height: f32,
    /// The page's links.
    pub links: &'a [WrittenLink],
}

/// Add outline, links and metadata to the assembled document, ready for [`save_into`].
/// `content_hash` digests the pages' content and becomes, with the metadata, the `/ID`.
pub(super) fn finish(
    mut doc: lopdf::Document,
    pages: &[PageRef<'_>],
    navigation: &Navigation,
    meta: &Metadata,
    settings: &FileSettings,
    content_hash: u64,
    structure: &Structure,
) -> Result<lopdf::Document> {
    let targets: Vec<(ObjectId, f32)> = pages.iter().map(|p| (p.id, p.height)).collect();
    write_outline(&mut doc, &navigation.outline, &targets)?;
    write_links(&mut doc, pages, &targets, navigation, structure)?;
    let facts = document_facts(meta, settings);
    write_info(&mut doc, &facts, settings.archival)?;
    doc.version = PDF_VERSION.into();
    // The ID only has to change when the file does: the content digest plus everything
    // else the file says (metadata, outline, settings) is enough, without serialising
    // twice. FNV over text made only of the inputs: the same book gives the same ID.
    let mut digest = format!(
        "{meta:?}{facts:?}{settings:?}{:?}{}",
        navigation.outline,
        pages.len()
    )
    .into_bytes();
    digest.extend_from_slice(&content_hash.to_be_bytes());
    let id: Vec<u8> = [fnv1a(&digest, 0), fnv1a(&digest, 0x5ca1_ab1e)]
        .iter()
        .flat_map(|h| h.to_be_bytes())
        .collect();
    doc.trailer.set(
        "ID",
        Object::Array(vec![
            Object::String(id.clone(), StringFormat::Hexadecimal),
            Object::String(id, StringFormat::Hexadecimal),
        ]),
    );
    Ok(doc)
}
