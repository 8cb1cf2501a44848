//! What needs every page written: nested outline, link annotations with exact
//! destinations, document information, catalog entries, a content-derived `/ID`, PDF 1.7
//! and reproducible bytes.

use lopdf::{Dictionary, Object, ObjectId, StringFormat};

use crate::ir::Metadata;
use crate::pdf::frame::{LinkDestination, Navigation, OutlineEntry, Rect};
use crate::{Error, Result};

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
fn text(s: &str) -> Object {
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
    Error::Pdf(format!("printpdf output has no {what}"))
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
    // printpdf writes PageMode as a string, which viewers ignore.
    catalog.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
    Ok(())
}

/// Link annotations with an exact `/XYZ` position for internal links and no visible
/// border. A link to an anchor that never landed on a page is left out.
fn write_links(
    doc: &mut lopdf::Document,
    pages: &[PageRef<'_>],
    targets: &[(ObjectId, f32)],
    navigation: &Navigation,
) -> Result<()> {
    for page in pages {
        let mut annots = Vec::new();
        for (rect, target) in page.links {
            let mut d = Dictionary::new();
            d.set("Type", Object::Name(b"Annot".to_vec()));
            d.set("Subtype", Object::Name(b"Link".to_vec()));
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
            if let LinkDestination::Uri(uri) = target {
                let mut action = Dictionary::new();
                action.set("S", Object::Name(b"URI".to_vec()));
                // URIs are 7-bit ASCII by definition (ISO 32000-1, 12.6.4.7).
                action.set("URI", Object::string_literal(uri.as_bytes().to_vec()));
                d.set("A", Object::Dictionary(action));
            } else if let Some((to_page, y)) = navigation.resolve(target) {
                d.set("Dest", destination(targets, to_page, y)?);
            } else {
                continue;
            }
            annots.push(Object::Reference(doc.add_object(Object::Dictionary(d))));
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

/// `D:YYYYMMDDHHmmSSZ` from `SOURCE_DATE_EPOCH`, else from the book's date, else none:
/// the file must not depend on when it was built.
fn pdf_date(meta: &Metadata) -> Option<String> {
    if let Some(epoch) = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
    {
        let t = chrono::DateTime::from_timestamp(epoch, 0)?;
        return Some(t.format("D:%Y%m%d%H%M%SZ").to_string());
    }
    let date = meta.date.as_deref()?;
    let d = chrono::NaiveDate::parse_from_str(date.get(..10).unwrap_or(date), "%Y-%m-%d").ok()?;
    Some(d.format("D:%Y%m%d000000Z").to_string())
}

fn write_info(doc: &mut lopdf::Document, meta: &Metadata) -> Result<()> {
    let mut info = Dictionary::new();
    info.set("Title", text(&meta.title));
    if !meta.authors.is_empty() {
        info.set("Author", text(&meta.authors.join(", ")));
    }
    if !meta.subjects.is_empty() {
        info.set("Subject", text(&meta.subjects.join(", ")));
    }
    info.set("Creator", text("presswork"));
    info.set(
        "Producer",
        text(&format!(
            "presswork {} (printpdf, lopdf)",
            env!("CARGO_PKG_VERSION")
        )),
    );
    if let Some(date) = pdf_date(meta) {
        info.set("CreationDate", Object::string_literal(date.clone()));
        info.set("ModDate", Object::string_literal(date));
    }
    // A fresh dictionary drops printpdf's empty GTS_PDFXVersion (which makes readers call
    // the file PDF/X), its Trapped and its build-time dates.
    let id = doc.add_object(Object::Dictionary(info));
    doc.trailer.set("Info", Object::Reference(id));

    let catalog = catalog_mut(doc)?;
    if !meta.language.is_empty() {
        catalog.set("Lang", text(&meta.language));
    }
    let mut prefs = Dictionary::new();
    prefs.set("DisplayDocTitle", Object::Boolean(true));
    catalog.set("ViewerPreferences", Object::Dictionary(prefs));
    // printpdf's XMP packet only makes sense for its PDF/X mode; we do not claim PDF/X.
    catalog.remove(b"Metadata");
    catalog.remove(b"OutputIntents");
    Ok(())
}

fn save(doc: &mut lopdf::Document) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    doc.save_to(&mut out)
        .map_err(|e| Error::Pdf(format!("cannot serialise PDF: {e}")))?;
    Ok(out)
}

/// A written page, as the post-pass needs it.
pub(super) struct PageRef<'a> {
    /// The page object.
    pub id: ObjectId,
    /// Page height (to flip rectangles into PDF space).
    pub height: f32,
    /// The page's links, targets not yet resolved.
    pub links: &'a [(Rect, LinkDestination)],
}

/// Add outline, links and metadata to the assembled document and serialise it.
/// `content_hash` digests the pages' content and becomes, with the metadata, the `/ID`.
pub(super) fn finish(
    mut doc: lopdf::Document,
    pages: &[PageRef<'_>],
    navigation: &Navigation,
    meta: &Metadata,
    content_hash: u64,
) -> Result<Vec<u8>> {
    let targets: Vec<(ObjectId, f32)> = pages.iter().map(|p| (p.id, p.height)).collect();
    write_outline(&mut doc, &navigation.outline, &targets)?;
    write_links(&mut doc, pages, &targets, navigation)?;
    write_info(&mut doc, meta)?;
    doc.version = "1.7".into();
    // The ID only has to change when the file does: the content digest plus everything
    // else the file says (metadata, outline) is enough, without serialising twice.
    let mut digest = format!("{meta:?}{:?}{}", navigation.outline, pages.len()).into_bytes();
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
    save(&mut doc)
}
