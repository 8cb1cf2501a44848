//! Tagged PDF (ISO 32000-1, 14.7–14.8; PDF/UA-1): the structure tags of the laid-out pages
//! become marked content in the content streams and a structure tree beside them.
//!
//! The tree is written as the pages stream, never held whole: an element's object id is
//! taken when its tag opens (so that its parent and the parent tree can name it at once),
//! and its object is written when its tag closes, from the kids gathered meanwhile. Only
//! the open elements (a handful: chapter › list › item › body › paragraph) are in memory,
//! plus one parent-tree entry per page and per link annotation.
//!
//! In a content stream, each stretch of consecutive items of one element on one page is one
//! marked-content sequence (`/P <</MCID n>> BDC … EMC`) around whole runs and images, outside
//! `BT`/`ET` and `q`/`Q`; artifacts (running heads, folios, rules) are `/Artifact` sequences.
//! Tags only move the innermost open element: a sequence ends when the next drawn item
//! belongs to another owner, so an element opened and closed with nothing drawn inside it
//! does not split its parent's text.

use std::collections::HashSet;

use lopdf::{Dictionary, Object, ObjectId, StringFormat};

use super::content::ContentStream;
use super::post::{self, MAX_STRING_BYTES};
use crate::typeset::frame::{GlyphRun, LinkDestination, Rect, StructKind, Tag};

/// At most about this many bytes of a link's text (or address) become its annotations'
/// `/Contents`: enough to say where it leads, while a link wrapped around a whole page, or
/// a 5,000-byte address broken over 85 lines, does not repeat itself in every annotation.
pub(super) const MAX_LINK_TEXT: usize = 300;

/// The number tree's leaves hold this many entries each (a 20,000-page book: about 80).
const NUMS_PER_LEAF: usize = 256;

/// Emptied kid lists kept for reuse: one per nesting level is plenty.
const SPARE_LISTS: usize = 32;

/// A child of a structure element, in reading order.
#[derive(Debug, Clone, Copy)]
enum Kid {
    /// Marked-content sequence `mcid` of `page`.
    Content { page: ObjectId, mcid: u32 },
    /// A child element.
    Element(ObjectId),
    /// A link annotation on `page` (an object reference, `OBJR`).
    Annotation { page: ObjectId, annot: ObjectId },
}

/// What a figure's images tell about it: where the first one is, and its alternative text
/// (used when the figure's tag has none).
#[derive(Debug, Clone)]
struct FigureFacts {
    page: ObjectId,
    /// Lower-left and upper-right corners in PDF space.
    bbox: [f32; 4],
    alt: String,
}

/// An element whose tag is open.
#[derive(Debug)]
struct Open {
    id: ObjectId,
    kind: StructKind,
    name: &'static str,
    /// The page it opened on: its `/Pg` if no content of its own is on a page.
    opened_on: ObjectId,
    kids: Vec<Kid>,
    /// For a link: its entry in [`Structure::link_texts`].
    text: Option<usize>,
    /// For a figure: its images.
    figure: Option<FigureFacts>,
}

/// Who the marked-content sequence being written belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owner {
    /// No sequence is open.
    Nobody,
    /// A structure element, with its type (the sequence's tag).
    Element(ObjectId, &'static str),
    /// Not content.
    Artifact(Artifact),
}

/// The kinds of artifact drawn (ISO 32000-1, 14.8.2.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Artifact {
    /// Running heads, folios and other text outside the flow.
    Pagination,
    /// Rules and borders.
    Layout,
}

/// A link annotation the structure refers to: written in the post-pass under this id, with
/// this `/StructParent`, and with the text of its link as `/Contents`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct LinkTag {
    /// The annotation's object id, reserved now.
    pub annot: ObjectId,
    /// Its key in the parent tree.
    pub struct_parent: i64,
    /// Its link's text in [`Structure::link_text`], if the link is tagged.
    pub text: Option<usize>,
}

/// The structure tree being written, and the marked-content state of the current page.
#[derive(Debug)]
pub(super) struct Structure {
    tree_root: ObjectId,
    document: ObjectId,
    /// The open elements; the `Document` element at the bottom is never closed by a tag.
    stack: Vec<Open>,
    spare: Vec<Vec<Kid>>,
    /// Parent-tree entries (key → page array or link element), in key order per page.
    parent_tree: Vec<(i64, ObjectId)>,
    next_key: i64,
    /// The text of every tagged link, for its annotations' `/Contents`.
    link_texts: Vec<String>,
    open_links: usize,
    open_figures: usize,
    note_ids: HashSet<String>,
    /// The current page: its object, height, parent-tree key, the element of each MCID so
    /// far, and the open sequence.
    page: ObjectId,
    page_height: f32,
    page_key: i64,
    page_parents: Vec<Object>,
    owner: Owner,
    /// The elements and page arrays written so far, serialised.
    raw: RawObjects,
}

/// Objects serialised as soon as they are final, kept as bytes rather than as lopdf
/// objects: a lopdf dictionary of five entries takes about 2 KB of memory, its text about
/// 70 bytes, and a long book has hundreds of thousands of structure elements. They are
/// written into the file after lopdf's objects (see `post::save`).
#[derive(Debug, Default)]
pub(super) struct RawObjects {
    /// `n 0 obj … endobj` of every object, one after another.
    pub bytes: Vec<u8>,
    /// Each object's number and where it starts in `bytes`.
    pub starts: Vec<(u32, usize)>,
}

impl RawObjects {
    /// Serialise `object` as indirect object `id`.
    fn put(&mut self, id: ObjectId, object: &Object) {
        self.starts.push((id.0, self.bytes.len()));
        self.bytes
            .extend_from_slice(format!("{} {} obj\n", id.0, id.1).as_bytes());
        serialise(object, &mut self.bytes);
        self.bytes.extend_from_slice(b"\nendobj\n");
    }
}

/// Whether an object is written without a delimiter of its own (a number, reference,
/// boolean or null), so that a space must separate it from what precedes it; names,
/// strings, arrays and dictionaries start with one (`/`, `(`, `<`, `[`), which keeps files
/// as compact as lopdf's.
fn bare(object: &Object) -> bool {
    matches!(
        object,
        Object::Null
            | Object::Boolean(_)
            | Object::Integer(_)
            | Object::Real(_)
            | Object::Reference(_)
    )
}

/// `/Name`, with `#xx` for anything but letters and digits.
fn serialise_name(name: &[u8], out: &mut Vec<u8>) {
    out.push(b'/');
    for &b in name {
        if b.is_ascii_alphanumeric() {
            out.push(b);
        } else {
            out.extend_from_slice(format!("#{b:02X}").as_bytes());
        }
    }
}

/// PDF syntax of an object (lopdf keeps its writer to itself): names with `#xx` escapes,
/// literal strings escaped, streams as their dictionary (whose `/Length` lopdf keeps) and
/// bytes.
pub(super) fn serialise(object: &Object, out: &mut Vec<u8>) {
    match object {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Object::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        // Display never uses an exponent, which PDF does not allow; NaN would be a bug.
        Object::Real(r) if r.is_finite() => out.extend_from_slice(r.to_string().as_bytes()),
        Object::Real(_) => out.push(b'0'),
        Object::Name(name) => serialise_name(name, out),
        Object::String(bytes, StringFormat::Hexadecimal) => {
            out.push(b'<');
            for b in bytes {
                out.extend_from_slice(format!("{b:02X}").as_bytes());
            }
            out.push(b'>');
        }
        Object::String(bytes, StringFormat::Literal) => {
            out.push(b'(');
            for &b in bytes {
                match b {
                    b'(' | b')' | b'\\' => out.extend_from_slice(&[b'\\', b]),
                    b' '..=b'~' => out.push(b),
                    _ => out.extend_from_slice(format!("\\{b:03o}").as_bytes()),
                }
            }
            out.push(b')');
        }
        Object::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 && bare(item) {
                    out.push(b' ');
                }
                serialise(item, out);
            }
            out.push(b']');
        }
        Object::Dictionary(dict) => {
            out.extend_from_slice(b"<<");
            for (key, value) in dict.iter() {
                serialise_name(key, out);
                if bare(value) {
                    out.push(b' ');
                }
                serialise(value, out);
            }
            out.extend_from_slice(b">>");
        }
        Object::Reference((number, generation)) => {
            out.extend_from_slice(format!("{number} {generation} R").as_bytes());
        }
        Object::Stream(stream) => {
            serialise_stream_head(stream, out);
            out.extend_from_slice(&stream.content);
            out.extend_from_slice(STREAM_END);
        }
    }
}

/// What follows a stream's data.
pub(super) const STREAM_END: &[u8] = b"\nendstream";

/// What precedes a stream's data: its dictionary and the `stream` keyword (the writer puts
/// the data after it from where it is).
pub(super) fn serialise_stream_head(stream: &lopdf::Stream, out: &mut Vec<u8>) {
    serialise(&Object::Dictionary(stream.dict.clone()), out);
    out.extend_from_slice(b"stream\n");
}

/// The standard structure type of a kind (ISO 32000-1, 14.8.4).
fn type_name(kind: &StructKind) -> &'static str {
    match kind {
        StructKind::Chapter => "Sect",
        StructKind::Heading(1) => "H1",
        StructKind::Heading(2) => "H2",
        StructKind::Heading(3) => "H3",
        StructKind::Heading(4) => "H4",
        StructKind::Heading(5) => "H5",
        // Deeper levels than PDF names are the deepest it has; 0 would be a layout bug.
        StructKind::Heading(0) => "H1",
        StructKind::Heading(_) => "H6",
        StructKind::Paragraph => "P",
        StructKind::List { .. } => "L",
        StructKind::ListItem => "LI",
        StructKind::Label => "Lbl",
        StructKind::ListBody => "LBody",
        StructKind::Table => "Table",
        StructKind::TableRow => "TR",
        StructKind::TableHeader => "TH",
        StructKind::TableData => "TD",
        StructKind::Figure { .. } => "Figure",
        StructKind::Caption => "Caption",
        StructKind::BlockQuote => "BlockQuote",
        StructKind::Code => "Code",
        StructKind::Note { .. } => "Note",
        StructKind::Link => "Link",
        StructKind::Language { .. } => "Span",
    }
}

fn name(s: &str) -> Object {
    Object::Name(s.as_bytes().to_vec())
}

/// An attribute dictionary `<</O owner key value>>`.
fn attribute(owner: &str, key: &str, value: Object) -> Object {
    let mut a = Dictionary::new();
    a.set("O", name(owner));
    a.set(key, value);
    Object::Dictionary(a)
}

/// The union of two rectangles given as `[llx lly urx ury]`.
fn union(a: [f32; 4], b: [f32; 4]) -> [f32; 4] {
    [
        a[0].min(b[0]),
        a[1].min(b[1]),
        a[2].max(b[2]),
        a[3].max(b[3]),
    ]
}

impl Structure {
    /// Reserve the structure tree root and open the `Document` element.
    pub fn new(doc: &mut lopdf::Document) -> Self {
        let tree_root = doc.new_object_id();
        let document = doc.new_object_id();
        Structure {
            tree_root,
            document,
            stack: vec![Open {
                id: document,
                // Never written as a chapter: the bottom of the stack is the Document.
                kind: StructKind::Chapter,
                name: "Document",
                opened_on: (0, 0),
                kids: Vec::new(),
                text: None,
                figure: None,
            }],
            spare: Vec::new(),
            parent_tree: Vec::new(),
            next_key: 0,
            link_texts: Vec::new(),
            open_links: 0,
            open_figures: 0,
            note_ids: HashSet::new(),
            page: (0, 0),
            page_height: 0.0,
            page_key: 0,
            page_parents: Vec::new(),
            owner: Owner::Nobody,
            raw: RawObjects::default(),
        }
    }

    /// Start page `id` (of height `height`); returns its `/StructParents` key.
    pub fn begin_page(&mut self, id: ObjectId, height: f32) -> i64 {
        self.page = id;
        self.page_height = height;
        self.page_key = self.next_key;
        self.next_key += 1;
        self.page_parents.clear();
        self.owner = Owner::Nobody;
        if let Some(document) = self.stack.first_mut() {
            if document.opened_on == (0, 0) {
                document.opened_on = id;
            }
        }
        self.page_key
    }

    /// End the open sequence and write the page's parent-tree array (MCID → element).
    pub fn end_page(&mut self, doc: &mut lopdf::Document, out: &mut ContentStream) {
        if self.owner != Owner::Nobody {
            out.end_marked_content();
            self.owner = Owner::Nobody;
        }
        let array = doc.new_object_id();
        self.raw.put(
            array,
            &Object::Array(std::mem::take(&mut self.page_parents)),
        );
        self.parent_tree.push((self.page_key, array));
    }

    /// Open or close an element. A close with nothing open is ignored.
    pub fn tag(&mut self, doc: &mut lopdf::Document, tag: &Tag) {
        match tag {
            Tag::Start(kind) => {
                let id = doc.new_object_id();
                if let Some(parent) = self.stack.last_mut() {
                    parent.kids.push(Kid::Element(id));
                }
                let text = matches!(kind, StructKind::Link).then(|| {
                    self.open_links += 1;
                    self.link_texts.push(String::new());
                    self.link_texts.len() - 1
                });
                if matches!(kind, StructKind::Figure { .. }) {
                    self.open_figures += 1;
                }
                self.stack.push(Open {
                    id,
                    kind: kind.clone(),
                    name: type_name(kind),
                    opened_on: self.page,
                    kids: self.spare.pop().unwrap_or_default(),
                    text,
                    figure: None,
                });
            }
            Tag::End => {
                if self.stack.len() > 1 {
                    self.close();
                }
            }
        }
    }

    /// Close the innermost open element and write it.
    fn close(&mut self) {
        let Some(open) = self.stack.pop() else {
            return;
        };
        match open.kind {
            StructKind::Link if open.text.is_some() => {
                self.open_links = self.open_links.saturating_sub(1);
            }
            StructKind::Figure { .. } => self.open_figures = self.open_figures.saturating_sub(1),
            _ => {}
        }
        let parent = self.stack.last().map_or(self.tree_root, |p| p.id);
        let mut dict = self.element(&open, parent);
        match &open.kind {
            StructKind::Figure { alt } => {
                let facts = open.figure.as_ref();
                let alt = if alt.is_empty() {
                    facts.map_or("", |f| f.alt.as_str())
                } else {
                    alt.as_str()
                };
                if !alt.is_empty() {
                    dict.set("Alt", post::text(alt));
                }
                if let Some(facts) = facts {
                    dict.set("A", bbox_attribute(facts.bbox));
                }
            }
            StructKind::TableHeader => {
                dict.set("A", attribute("Table", "Scope", name("Column")));
            }
            StructKind::List { ordered } => {
                let numbering = if *ordered { "Decimal" } else { "Disc" };
                dict.set("A", attribute("List", "ListNumbering", name(numbering)));
            }
            StructKind::Note { id } => {
                // /ID must be unique among the elements; a repeated note id gets a suffix.
                let mut unique = id.clone();
                let mut n = 1;
                while !self.note_ids.insert(unique.clone()) {
                    n += 1;
                    unique = format!("{id}~{n}");
                }
                dict.set(
                    "ID",
                    Object::String(unique.into_bytes(), StringFormat::Literal),
                );
            }
            StructKind::Language { lang } if !lang.is_empty() => {
                dict.set("Lang", post::text(lang));
            }
            _ => {}
        }
        self.raw.put(open.id, &Object::Dictionary(dict));
        let mut kids = open.kids;
        if self.spare.len() < SPARE_LISTS {
            kids.clear();
            self.spare.push(kids);
        }
    }

    /// The common entries of an element: type, parent, page and kids. MCIDs of another
    /// page than `/Pg` are marked-content references.
    fn element(&self, open: &Open, parent: ObjectId) -> Dictionary {
        let page = open
            .kids
            .iter()
            .find_map(|kid| match kid {
                Kid::Content { page, .. } => Some(*page),
                _ => None,
            })
            .unwrap_or(open.opened_on);
        let kids: Vec<Object> = open
            .kids
            .iter()
            .map(|kid| match *kid {
                Kid::Content { page: on, mcid } if on == page => Object::Integer(mcid.into()),
                Kid::Content { page: on, mcid } => {
                    let mut mcr = Dictionary::new();
                    mcr.set("Type", name("MCR"));
                    mcr.set("Pg", Object::Reference(on));
                    mcr.set("MCID", Object::Integer(mcid.into()));
                    Object::Dictionary(mcr)
                }
                Kid::Element(id) => Object::Reference(id),
                Kid::Annotation { page: on, annot } => objr(on, annot),
            })
            .collect();
        let mut dict = Dictionary::new();
        dict.set("Type", name("StructElem"));
        dict.set("S", name(open.name));
        dict.set("P", Object::Reference(parent));
        if page != (0, 0) {
            dict.set("Pg", Object::Reference(page));
        }
        if !kids.is_empty() {
            dict.set("K", Object::Array(kids));
        }
        dict
    }

    /// Move the open sequence to `owner`: end the current one and begin the next. Returns
    /// the new sequence's MCID if it belongs to an element.
    fn switch(&mut self, owner: Owner, out: &mut ContentStream) -> Option<u32> {
        if self.owner == owner {
            return None;
        }
        if self.owner != Owner::Nobody {
            out.end_marked_content();
        }
        self.owner = owner;
        match owner {
            Owner::Element(id, tag) => {
                let mcid = u32::try_from(self.page_parents.len()).unwrap_or(u32::MAX);
                self.page_parents.push(Object::Reference(id));
                out.begin_marked_content(tag, mcid);
                Some(mcid)
            }
            Owner::Artifact(kind) => {
                out.begin_artifact(kind);
                None
            }
            Owner::Nobody => None,
        }
    }

    /// A glyph run of real content is about to be drawn: it belongs to the innermost open
    /// element. Inside a link, its text is gathered for the annotation.
    pub fn text(&mut self, run: &GlyphRun, out: &mut ContentStream) {
        self.content(out);
        if self.open_links == 0 {
            return;
        }
        let Some(index) = self.stack.iter().rev().find_map(|open| open.text) else {
            return;
        };
        let Some(text) = self.link_texts.get_mut(index) else {
            return;
        };
        for glyph in &run.glyphs {
            if text.len() >= MAX_LINK_TEXT {
                break;
            }
            text.push_str(&glyph.text);
            if glyph.space_after {
                text.push(' ');
            }
        }
    }

    /// Content of the innermost open element is about to be drawn.
    fn content(&mut self, out: &mut ContentStream) {
        let Some(top) = self.stack.last() else {
            return;
        };
        let owner = Owner::Element(top.id, top.name);
        if let Some(mcid) = self.switch(owner, out) {
            let page = self.page;
            if let Some(top) = self.stack.last_mut() {
                top.kids.push(Kid::Content { page, mcid });
            }
        }
    }

    /// An artifact is about to be drawn.
    pub fn artifact(&mut self, kind: Artifact, out: &mut ContentStream) {
        self.switch(Owner::Artifact(kind), out);
    }

    /// An image is about to be drawn at `rect` (top-left frame coordinates). Inside a
    /// figure it is the figure's content; anywhere else it becomes a figure of its own
    /// (with the image's alternative text), since PDF/UA wants every picture to be one,
    /// unless it has no alternative text: then it is decoration, an artifact (a figure
    /// without `/Alt` would break PDF/UA).
    pub fn image(
        &mut self,
        doc: &mut lopdf::Document,
        rect: &Rect,
        alt: &str,
        out: &mut ContentStream,
    ) {
        let bottom = self.page_height - rect.y - rect.height;
        let bbox = [rect.x, bottom, rect.x + rect.width, bottom + rect.height];
        if self.open_figures > 0 {
            self.content(out);
            let page = self.page;
            let figure = self
                .stack
                .iter_mut()
                .rev()
                .find(|open| matches!(open.kind, StructKind::Figure { .. }));
            if let Some(figure) = figure {
                match &mut figure.figure {
                    Some(facts) if facts.page == page => facts.bbox = union(facts.bbox, bbox),
                    Some(_) => {}
                    None => {
                        figure.figure = Some(FigureFacts {
                            page,
                            bbox,
                            alt: alt.to_owned(),
                        });
                    }
                }
            }
            return;
        }
        if alt.trim().is_empty() {
            self.artifact(Artifact::Layout, out);
            return;
        }
        let id = doc.new_object_id();
        let Some(mcid) = self.switch(Owner::Element(id, "Figure"), out) else {
            return;
        };
        let Some(parent) = self.stack.last_mut() else {
            return;
        };
        parent.kids.push(Kid::Element(id));
        let mut dict = Dictionary::new();
        dict.set("Type", name("StructElem"));
        dict.set("S", name("Figure"));
        dict.set("P", Object::Reference(parent.id));
        dict.set("Pg", Object::Reference(self.page));
        dict.set("K", Object::Integer(mcid.into()));
        if !alt.is_empty() {
            dict.set("Alt", post::text(alt));
        }
        dict.set("A", bbox_attribute(bbox));
        self.raw.put(id, &Object::Dictionary(dict));
    }

    /// A link area: reserve its annotation and make it a kid of the innermost open link
    /// element, or, outside any, of a link element of its own. `None` for a link that gets
    /// no annotation at all (an address longer than a PDF string may be).
    pub fn link(&mut self, doc: &mut lopdf::Document, target: &LinkDestination) -> Option<LinkTag> {
        if matches!(target, LinkDestination::Uri(uri) if uri.len() > MAX_STRING_BYTES) {
            return None;
        }
        let annot = doc.new_object_id();
        let struct_parent = self.next_key;
        self.next_key += 1;
        let page = self.page;
        let kid = Kid::Annotation { page, annot };
        let link = self.stack.iter_mut().rev().find(|open| open.text.is_some());
        if let Some(link) = link {
            link.kids.push(kid);
            self.parent_tree.push((struct_parent, link.id));
            return Some(LinkTag {
                annot,
                struct_parent,
                text: link.text,
            });
        }
        let id = doc.new_object_id();
        let parent = self.stack.last_mut()?;
        parent.kids.push(Kid::Element(id));
        let mut dict = Dictionary::new();
        dict.set("Type", name("StructElem"));
        dict.set("S", name("Link"));
        dict.set("P", Object::Reference(parent.id));
        dict.set("Pg", Object::Reference(page));
        dict.set("K", Object::Array(vec![objr(page, annot)]));
        self.raw.put(id, &Object::Dictionary(dict));
        self.parent_tree.push((struct_parent, id));
        Some(LinkTag {
            annot,
            struct_parent,
            text: None,
        })
    }

    /// The serialised elements and page arrays, for `post::save`.
    pub fn raw_objects(&self) -> &RawObjects {
        &self.raw
    }

    /// The gathered text of link `index`, trimmed.
    pub fn link_text(&self, index: usize) -> &str {
        self.link_texts.get(index).map_or("", |text| text.trim())
    }

    /// Close every element still open, write the root and the parent tree, and return the
    /// structure tree root (for the catalog).
    pub fn finish(&mut self, doc: &mut lopdf::Document) -> ObjectId {
        while !self.stack.is_empty() {
            self.close();
        }
        self.parent_tree.sort_unstable_by_key(|&(key, _)| key);
        let nums = |entries: &[(i64, ObjectId)]| {
            Object::Array(
                entries
                    .iter()
                    .flat_map(|&(key, id)| [Object::Integer(key), Object::Reference(id)])
                    .collect(),
            )
        };
        let mut parent_tree = Dictionary::new();
        if self.parent_tree.len() <= NUMS_PER_LEAF {
            parent_tree.set("Nums", nums(&self.parent_tree));
        } else {
            // A long book has tens of thousands of entries: leaves of a few hundred, so that
            // a reader looking up one page does not parse them all.
            let kids = self
                .parent_tree
                .chunks(NUMS_PER_LEAF)
                .map(|chunk| {
                    let mut leaf = Dictionary::new();
                    let first = chunk.first().map_or(0, |&(key, _)| key);
                    let last = chunk.last().map_or(0, |&(key, _)| key);
                    leaf.set("Limits", Object::Array(vec![first.into(), last.into()]));
                    leaf.set("Nums", nums(chunk));
                    Object::Reference(doc.add_object(Object::Dictionary(leaf)))
                })
                .collect();
            parent_tree.set("Kids", Object::Array(kids));
        }
        let parent_tree = doc.add_object(Object::Dictionary(parent_tree));
        let document = self.document;
        let mut root = Dictionary::new();
        root.set("Type", name("StructTreeRoot"));
        root.set("K", Object::Reference(document));
        root.set("ParentTree", Object::Reference(parent_tree));
        root.set("ParentTreeNextKey", Object::Integer(self.next_key));
        doc.objects.insert(self.tree_root, Object::Dictionary(root));
        self.tree_root
    }
}

/// `<</Type /OBJR /Pg page /Obj annot>>`.
fn objr(page: ObjectId, annot: ObjectId) -> Object {
    let mut objr = Dictionary::new();
    objr.set("Type", name("OBJR"));
    objr.set("Pg", Object::Reference(page));
    objr.set("Obj", Object::Reference(annot));
    Object::Dictionary(objr)
}

/// `<</O /Layout /BBox [llx lly urx ury]>>`.
fn bbox_attribute(bbox: [f32; 4]) -> Object {
    attribute(
        "Layout",
        "BBox",
        Object::Array(bbox.map(Object::Real).to_vec()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_are_written_compactly_and_escaped() {
        let mut dict = Dictionary::new();
        dict.set("S", name("P"));
        dict.set(
            "K",
            Object::Array(vec![1.into(), Object::Reference((7, 0)), 2.into()]),
        );
        dict.set("ID", Object::string_literal(b"a(b)\\c\n".to_vec()));
        dict.set(
            "Lang",
            Object::String(vec![0xFE, 0xFF, 0, 0x41], StringFormat::Hexadecimal),
        );
        dict.set("A b", Object::Real(1.5));
        let mut out = Vec::new();
        serialise(&Object::Dictionary(dict), &mut out);
        assert_eq!(
            String::from_utf8(out).expect("ASCII"),
            "<</S/P/K[1 7 0 R 2]/ID(a\\(b\\)\\\\c\\012)/Lang<FEFF0041>/A#20b 1.5>>"
        );
    }
}
