//! SVG read safely, for the loader and both back ends.
//!
//! Every SVG goes through [`parse`], which uses usvg with options that never reach outside
//! the file: no resources folder, an image resolver that refuses every `href` (external files,
//! URLs and data URLs alike), and a font database holding only presswork's compiled-in fonts,
//! so text is turned into glyph outlines the same way on every machine. usvg keeps only what
//! it understood, so [`sanitised`] (the tree written back out) has no scripts, event
//! handlers, `foreignObject`, external references or text left to a reader's fonts.

use std::sync::{Arc, OnceLock};

use usvg::fontdb;

/// CSS pixels per inch: the unit of an SVG's width and height.
pub const CSS_PX_PER_INCH: f32 = 96.0;

/// The family usvg falls back on for `serif`, `sans-serif` and unknown families: presswork's
/// body font, so a label in a font we do not have still shows rather than vanishing.
const FALLBACK_FAMILY: &str = "Noto Serif";

/// The family for `monospace`.
const MONOSPACE_FAMILY: &str = "Noto Sans Mono";

/// Whether the bytes are SVG text: an XML document (after an optional byte-order mark,
/// declaration, comments, processing instructions and doctype) whose root element is `<svg`.
/// Only sniffs; [`parse`] validates.
pub fn looks_like_svg(bytes: &[u8]) -> bool {
    let mut rest = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    loop {
        rest = rest.trim_ascii_start();
        if rest.starts_with(b"<svg") {
            return rest
                .get(4)
                .is_some_and(|c| c.is_ascii_whitespace() || *c == b'>' || *c == b'/');
        }
        let end: &[u8] = if rest.starts_with(b"<?") {
            b"?>"
        } else if rest.starts_with(b"<!--") {
            b"-->"
        } else if rest.starts_with(b"<!DOCTYPE") || rest.starts_with(b"<!doctype") {
            // An internal subset (`[ … ]`) may hold `>`; it ends at `]>`.
            match (
                rest.iter().position(|c| *c == b'['),
                rest.iter().position(|c| *c == b'>'),
            ) {
                (Some(open), Some(close)) if open < close => b"]>",
                _ => b">",
            }
        } else {
            return false;
        };
        match find(rest, end) {
            Some(at) => rest = &rest[at + end.len()..],
            None => return false,
        }
    }
}

/// Whether the bytes are gzip-compressed (an `.svgz` file, say).
fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1F, 0x8B])
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The compiled-in fonts, loaded once (the data is borrowed, not copied).
fn font_database() -> Arc<fontdb::Database> {
    static DATABASE: OnceLock<Arc<fontdb::Database>> = OnceLock::new();
    DATABASE
        .get_or_init(|| {
            let mut database = fontdb::Database::new();
            for data in crate::typeset::fonts::builtin_font_data() {
                database.load_font_source(fontdb::Source::Binary(Arc::new(data)));
            }
            database.set_serif_family(FALLBACK_FAMILY);
            database.set_sans_serif_family(FALLBACK_FAMILY);
            database.set_cursive_family(FALLBACK_FAMILY);
            database.set_fantasy_family(FALLBACK_FAMILY);
            database.set_monospace_family(MONOSPACE_FAMILY);
            Arc::new(database)
        })
        .clone()
}

/// usvg options that never read anything outside the SVG's own bytes (also the generated
/// cover's, whose words are SVG text).
pub(crate) fn options() -> usvg::Options<'static> {
    usvg::Options {
        // No folder to resolve relative references against.
        resources_dir: None,
        font_family: FALLBACK_FAMILY.to_string(),
        // Refuse every image reference: files (which would be read relative to the working
        // folder), URLs and embedded data alike; the picture is drawn without them.
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: Box::new(|_, _, _| None),
            resolve_string: Box::new(|_, _| None),
        },
        fontdb: font_database(),
        ..usvg::Options::default()
    }
}

/// Parse an SVG document into a usvg tree. Refuses compressed SVG (a decompression bomb
/// would be unbounded, and EPUB does not take `.svgz`), and SVG whose size is unknown: no
/// `viewBox` and no absolute `width` and `height` (usvg would silently make it 100×100).
pub fn parse(bytes: &[u8]) -> Result<usvg::Tree, String> {
    if is_gzip(bytes) {
        return Err("a compressed SVG (.svgz); save it as plain SVG".into());
    }
    let text =
        std::str::from_utf8(bytes).map_err(|e| format!("an SVG that is not UTF-8 text ({e})"))?;
    let document = roxmltree::Document::parse_with_options(
        text,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..roxmltree::ParsingOptions::default()
        },
    )
    .map_err(|e| format!("malformed SVG: {e}"))?;
    let root = document.root_element();
    if root.tag_name().name() != "svg" {
        return Err(format!(
            "an XML file whose root is <{}>, not <svg>",
            root.tag_name().name()
        ));
    }
    let absolute = |name: &str| {
        root.attribute(name)
            .is_some_and(|value| !value.trim().is_empty() && !value.contains('%'))
    };
    if root.attribute("viewBox").is_none() && !(absolute("width") && absolute("height")) {
        return Err(
            "an SVG with neither a viewBox nor an absolute width and height, so its size is \
             unknown; add a viewBox (or width and height) to the <svg> element"
                .into(),
        );
    }
    usvg::Tree::from_str(text, &options()).map_err(|e| format!("unusable SVG: {e}"))
}

/// The tree written back out as SVG: only what usvg understood, text as outlines. usvg
/// writes only `width` and `height`; a `viewBox` is added so that a reader scaling the
/// `<img>` to the screen scales the drawing rather than cropping it.
pub fn sanitised(tree: &usvg::Tree) -> String {
    let written = tree.to_string(&usvg::WriteOptions::default());
    let size = tree.size();
    match written.strip_prefix("<svg ") {
        Some(rest) => format!(
            "<svg viewBox=\"0 0 {} {}\" {rest}",
            size.width(),
            size.height()
        ),
        None => written,
    }
}

/// The characters of the SVG's text that no bundled font has (they would print as empty
/// boxes), each once, in order of appearance.
pub fn uncovered_characters(tree: &usvg::Tree) -> String {
    fn walk(group: &usvg::Group, out: &mut String) {
        for node in group.children() {
            match node {
                usvg::Node::Group(group) => walk(group, out),
                usvg::Node::Text(text) => {
                    let glyphs = text.layouted().iter().flat_map(|s| &s.positioned_glyphs);
                    for glyph in glyphs.filter(|g| g.id.0 == 0) {
                        for c in glyph.text.chars().filter(|c| !c.is_whitespace()) {
                            if !out.contains(c) {
                                out.push(c);
                            }
                        }
                    }
                }
                usvg::Node::Path(_) | usvg::Node::Image(_) => {}
            }
        }
    }
    let mut out = String::new();
    walk(tree.root(), &mut out);
    out
}

/// The natural size of a tree in CSS pixels, rounded up to whole pixels (at least 1).
pub fn size_px(tree: &usvg::Tree) -> (u32, u32) {
    let size = tree.size();
    // `as` saturates: an absurd size becomes u32::MAX and is refused by the caller's limit.
    let whole = |v: f32| (v.ceil() as u32).max(1);
    (whole(size.width()), whole(size.height()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIAGRAM: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100">
<rect x="10" y="10" width="80" height="50" fill="#36c"/>
<text x="100" y="50" font-family="Helvetica" font-size="20">Label</text>
</svg>"##;

    #[test]
    fn svg_is_sniffed_past_prologue() {
        assert!(looks_like_svg(DIAGRAM.as_bytes()));
        assert!(looks_like_svg(
            b"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!-- made by hand -->\n\
              <!DOCTYPE svg [ <!ENTITY a \"b\"> ]>\n<svg>"
        ));
        assert!(!looks_like_svg(b"<?xml version=\"1.0\"?><html>"));
        assert!(!looks_like_svg(b"<svgfoo>"));
        assert!(!looks_like_svg(b"GIF89a"));
    }

    #[test]
    fn text_becomes_outlines_with_builtin_fonts() {
        let tree = parse(DIAGRAM.as_bytes()).expect("parses");
        assert_eq!(size_px(&tree), (200, 100));
        let out = sanitised(&tree);
        assert!(out.starts_with("<svg viewBox=\"0 0 200 100\" "), "{out}");
        assert!(!out.contains("<text"), "{out}");
        // The rectangle and the label's glyphs: more than one path.
        assert!(out.matches("<path").count() > 1, "{out}");
    }

    #[test]
    fn characters_no_font_has_are_named() {
        assert_eq!(
            uncovered_characters(&parse(DIAGRAM.as_bytes()).expect("parses")),
            ""
        );
        let cjk = r#"<svg xmlns="http://www.w3.org/2000/svg" width="99" height="30"><text y="20">Aあい あ</text></svg>"#;
        assert_eq!(
            uncovered_characters(&parse(cjk.as_bytes()).expect("parses")),
            "あい"
        );
    }

    #[test]
    fn size_must_be_known() {
        let no_size =
            r#"<svg xmlns="http://www.w3.org/2000/svg"><rect width="5" height="5"/></svg>"#;
        assert!(parse(no_size.as_bytes())
            .unwrap_err()
            .contains("size is unknown"));
        let percent = r#"<svg xmlns="http://www.w3.org/2000/svg" width="100%" height="50"/>"#;
        assert!(parse(percent.as_bytes()).is_err());
        let view_box = r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 30 20"/>"#;
        assert_eq!(
            size_px(&parse(view_box.as_bytes()).expect("parses")),
            (30, 20)
        );
        assert!(parse(&[0x1F, 0x8B, 8, 0])
            .unwrap_err()
            .contains("compressed"));
    }

    #[test]
    fn hostile_content_is_dropped() {
        let hostile = r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="50" height="50" onload="alert(1)">
<script>alert(2)</script>
<foreignObject width="50" height="50"><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>
<image xlink:href="/etc/passwd" width="10" height="10"/>
<image href="https://example.com/x.png" width="10" height="10"/>
<rect width="20" height="20" fill="red" onclick="alert(3)"/>
</svg>"#;
        let out = sanitised(&parse(hostile.as_bytes()).expect("parses"));
        for banned in [
            "script",
            "onload",
            "onclick",
            "foreignObject",
            "href",
            "passwd",
            "http",
        ] {
            // The namespace declaration is the only URL allowed.
            let without_namespaces = out
                .replace("http://www.w3.org/2000/svg", "")
                .replace("http://www.w3.org/1999/xlink", "");
            assert!(!without_namespaces.contains(banned), "{banned} in {out}");
        }
        assert!(out.contains("<path"), "the rectangle survives: {out}");
    }
}
