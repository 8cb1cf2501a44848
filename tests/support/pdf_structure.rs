//! Reading a tagged PDF back: the text of each marked-content sequence and the structure tree
//! as an indented outline, checking the tree's links on the way. Shared by the writer's unit
//! tests (`src/pdf/write/tests.rs`, through `#[path]`) and the integration tests.
#![allow(dead_code)]

use std::collections::BTreeMap;

use lopdf::{Document, Object, ObjectId};

/// Follow a reference (or not).
pub fn deref<'a>(pdf: &'a Document, obj: &'a Object) -> &'a Object {
    match obj {
        Object::Reference(id) => pdf.get_object(*id).expect("dangling reference"),
        other => other,
    }
}

/// A dictionary entry, followed if it is a reference.
pub fn dict<'a>(pdf: &'a Document, d: &'a lopdf::Dictionary, key: &str) -> &'a lopdf::Dictionary {
    deref(pdf, d.get(key.as_bytes()).expect(key))
        .as_dict()
        .expect("dictionary")
}

/// A PDF text string (UTF-16 with its mark, else bytes as UTF-8).
pub fn string(obj: &Object) -> String {
    let bytes = obj.as_str().expect("string");
    if let Some(utf16) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = utf16
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16(&units).expect("utf-16")
    } else {
        String::from_utf8(bytes.to_vec()).expect("utf-8")
    }
}

/// An integer or real as `f64`.
pub fn number(obj: &Object) -> f64 {
    match obj {
        Object::Integer(i) => *i as f64,
        Object::Real(r) => f64::from(*r),
        other => panic!("not a number: {other:?}"),
    }
}

/// The text of every marked-content sequence with an MCID: (page index, MCID) → text.
/// Panics if an MCID repeats on a page or marked content does not nest.
pub fn marked_text(pdf: &Document) -> BTreeMap<(usize, i64), String> {
    let mut out = BTreeMap::new();
    for (index, (_, page_id)) in pdf.get_pages().into_iter().enumerate() {
        let fonts = pdf.get_page_fonts(page_id).expect("fonts");
        let content =
            lopdf::content::Content::decode(&pdf.get_page_content(page_id)).expect("decode");
        let mut stack: Vec<Option<i64>> = Vec::new();
        let mut encoding = None;
        for op in &content.operations {
            match op.operator.as_str() {
                "BDC" => {
                    let mcid = op
                        .operands
                        .get(1)
                        .and_then(|p| p.as_dict().ok())
                        .and_then(|d| d.get(b"MCID").ok())
                        .and_then(|m| m.as_i64().ok());
                    if let Some(mcid) = mcid {
                        assert!(
                            stack.iter().all(Option::is_none),
                            "MCID {mcid} inside another sequence on page {index}"
                        );
                        let fresh = out.insert((index, mcid), String::new()).is_none();
                        assert!(fresh, "MCID {mcid} twice on page {index}");
                    }
                    stack.push(mcid);
                }
                "BMC" => stack.push(None),
                "EMC" => {
                    stack.pop().expect("EMC without BDC");
                }
                "Tf" => {
                    let name = op.operands[0].as_name().expect("font name");
                    encoding = Some(fonts[name].get_font_encoding(pdf).expect("encoding"));
                }
                "TJ" => {
                    let Some(mcid) = stack.iter().flatten().next() else {
                        continue;
                    };
                    let text = out.get_mut(&(index, *mcid)).expect("open");
                    for item in op.operands[0].as_array().expect("TJ array") {
                        if let Object::String(bytes, _) = item {
                            let encoding = encoding.as_ref().expect("font set");
                            text.push_str(&Document::decode_text(encoding, bytes).expect("text"));
                        }
                    }
                }
                _ => {}
            }
        }
        assert!(stack.is_empty(), "unclosed marked content on page {index}");
    }
    out
}

/// The structure tree as an indented outline: each element's type and attributes, then its
/// content (`1:'text'`, page number and the text of the MCID), annotations (`[Annot
/// 'Contents']`) and child elements. Checks every `/P` on the way.
pub fn dump_structure(pdf: &Document) -> String {
    let pages: Vec<ObjectId> = pdf.get_pages().into_values().collect();
    let page_number = |id: ObjectId| pages.iter().position(|p| *p == id).expect("a page") + 1;
    let text = marked_text(pdf);
    let catalog = pdf.catalog().expect("catalog");
    let root_id = catalog
        .get(b"StructTreeRoot")
        .and_then(Object::as_reference)
        .expect("StructTreeRoot");
    let root = pdf.get_dictionary(root_id).expect("root");
    let mut out = String::new();
    fn walk(
        pdf: &Document,
        id: ObjectId,
        parent: ObjectId,
        depth: usize,
        page_number: &dyn Fn(ObjectId) -> usize,
        text: &BTreeMap<(usize, i64), String>,
        out: &mut String,
    ) {
        let elem = pdf.get_dictionary(id).expect("element");
        assert_eq!(
            elem.get(b"Type").and_then(Object::as_name).ok(),
            Some(b"StructElem".as_slice())
        );
        assert_eq!(
            elem.get(b"P").and_then(Object::as_reference).ok(),
            Some(parent),
            "/P"
        );
        let s = elem.get(b"S").and_then(Object::as_name).expect("/S");
        out.push_str(&"  ".repeat(depth));
        out.push_str(std::str::from_utf8(s).expect("ascii"));
        for key in ["Alt", "Lang", "ID"] {
            if let Ok(value) = elem.get(key.as_bytes()) {
                out.push_str(&format!(" /{key} '{}'", string(value)));
            }
        }
        if let Ok(a) = elem.get(b"A") {
            let a = a.as_dict().expect("attributes");
            for (key, value) in a.iter() {
                let key = String::from_utf8_lossy(key);
                match value {
                    Object::Name(n) => {
                        out.push_str(&format!(" {key}={}", String::from_utf8_lossy(n)))
                    }
                    Object::Array(a) => out.push_str(&format!(
                        " {key}={:?}",
                        a.iter().map(number).collect::<Vec<_>>()
                    )),
                    other => panic!("attribute {key} {other:?}"),
                }
            }
        }
        let pg = elem.get(b"Pg").and_then(Object::as_reference).ok();
        let kids = match elem.get(b"K") {
            Ok(Object::Array(kids)) => kids.clone(),
            Ok(kid) => vec![kid.clone()],
            Err(_) => Vec::new(),
        };
        let mut children = Vec::new();
        for kid in &kids {
            match kid {
                Object::Integer(mcid) => {
                    let page = page_number(pg.expect("/Pg for an MCID"));
                    out.push_str(&format!(" {page}:{:?}", text[&(page - 1, *mcid)]));
                }
                Object::Reference(child) => children.push(*child),
                Object::Dictionary(d) => match d.get(b"Type").and_then(Object::as_name) {
                    Ok(b"MCR") => {
                        let page =
                            page_number(d.get(b"Pg").and_then(Object::as_reference).expect("Pg"));
                        let mcid = d.get(b"MCID").and_then(Object::as_i64).expect("MCID");
                        out.push_str(&format!(" {page}:{:?}", text[&(page - 1, mcid)]));
                    }
                    Ok(b"OBJR") => {
                        let annot = d.get(b"Obj").and_then(Object::as_reference).expect("Obj");
                        let annot = pdf.get_dictionary(annot).expect("annotation exists");
                        let contents = string(annot.get(b"Contents").expect("/Contents"));
                        out.push_str(&format!(" [Annot {contents:?}]"));
                    }
                    other => panic!("kid {other:?}"),
                },
                other => panic!("kid {other:?}"),
            }
        }
        out.push('\n');
        for child in children {
            walk(pdf, child, id, depth + 1, page_number, text, out);
        }
    }
    let document = root.get(b"K").and_then(Object::as_reference).expect("/K");
    walk(pdf, document, root_id, 0, &page_number, &text, &mut out);
    out
}

/// The parent tree, flattened: key → value.
pub fn parent_tree(pdf: &Document) -> BTreeMap<i64, Object> {
    fn collect(pdf: &Document, node: &lopdf::Dictionary, out: &mut BTreeMap<i64, Object>) {
        if let Ok(nums) = node.get(b"Nums").and_then(Object::as_array) {
            for pair in nums.chunks(2) {
                let key = pair[0].as_i64().expect("key");
                assert!(
                    out.insert(key, pair[1].clone()).is_none(),
                    "key {key} twice"
                );
            }
        }
        if let Ok(kids) = node.get(b"Kids").and_then(Object::as_array) {
            for kid in kids {
                collect(pdf, deref(pdf, kid).as_dict().expect("node"), out);
            }
        }
    }
    let catalog = pdf.catalog().expect("catalog");
    let root = dict(pdf, catalog, "StructTreeRoot");
    let mut out = BTreeMap::new();
    collect(pdf, dict(pdf, root, "ParentTree"), &mut out);
    let next = root
        .get(b"ParentTreeNextKey")
        .and_then(Object::as_i64)
        .expect("next key");
    assert!(out.keys().all(|k| *k < next));
    out
}
