//! Raw HTML in a manuscript: tokenised with html5gum (a WHATWG tokenizer, so attributes,
//! character references and odd markup are read as browsers read them) and mapped onto the
//! IR. Nothing of the HTML itself reaches an output: a safe subset becomes IR nodes that both
//! back ends render, the rest is dropped or kept as text with a located warning.
//!
//! | elements | become |
//! |---|---|
//! | `em i cite dfn var`, `strong b`, `s del strike`, `code tt samp` | emphasis, strong, strikethrough, code |
//! | `sup sub kbd u ins small mark abbr span` | [`TextStyle`] runs (a `span` of class `smallcaps` or `small-caps`, or styled `font-variant: small-caps`, in small capitals) |
//! | `br`, `a href`, `a id`/`name`, `img src alt` | line break, link (same policy as Markdown), anchor, image |
//! | `p div section article …`, `details`, `summary`, `figure`, `figcaption`, `center`, `h1`–`h6` | block structure: their text becomes paragraphs (a summary or heading in bold) |
//! | `script style template noscript title` … | dropped with their content, one warning per kind |
//! | `iframe object embed video audio canvas svg math form input button select textarea …` | dropped (text inside kept), one warning per kind |
//! | anything else (`<Someone>`) | shown as written, one warning per kind |

use crate::ir::{Direction, TextStyle};

/// One piece of raw HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HtmlToken {
    /// `<name attr="…">`; `self_closing` for `<name/>`.
    Start {
        /// Lower-case tag name.
        name: String,
        /// Attributes by name (names lower-case, the first of duplicates).
        attributes: Vec<(String, String)>,
        /// Written as `<name/>`.
        self_closing: bool,
        /// The tag as written.
        raw: String,
        /// Byte offset of the tag in the fragment.
        offset: usize,
    },
    /// `</name>`.
    End {
        /// Lower-case tag name.
        name: String,
        /// The tag as written.
        raw: String,
        /// Byte offset of the tag in the fragment.
        offset: usize,
    },
    /// Text, with character references decoded.
    Text(String),
}

/// Tokenise a fragment of HTML. Comments and doctypes are left out; malformed markup is
/// recovered from as a browser would.
pub fn tokenize(html: &str) -> Vec<HtmlToken> {
    let mut emitter = html5gum::DefaultEmitter::<usize>::new_with_span();
    // The contents of `<script>`, `<style>`, `<textarea>` are raw text, not markup.
    emitter.naively_switch_states(true);
    let mut out: Vec<HtmlToken> = Vec::new();
    for token in html5gum::Tokenizer::new_with_emitter(html, emitter).flatten() {
        match token {
            html5gum::Token::StartTag(tag) => out.push(HtmlToken::Start {
                raw: source_of(html, tag.span),
                offset: tag.span.start,
                name: lossy(&tag.name).to_ascii_lowercase(),
                attributes: tag
                    .attributes
                    .iter()
                    .map(|(k, v)| (lossy(k).to_ascii_lowercase(), lossy(&v.value)))
                    .collect(),
                self_closing: tag.self_closing,
            }),
            html5gum::Token::EndTag(tag) => out.push(HtmlToken::End {
                raw: source_of(html, tag.span),
                offset: tag.span.start,
                name: lossy(&tag.name).to_ascii_lowercase(),
            }),
            html5gum::Token::String(text) => {
                let text = lossy(&text.value);
                match out.last_mut() {
                    Some(HtmlToken::Text(previous)) => previous.push_str(&text),
                    _ => out.push(HtmlToken::Text(text)),
                }
            }
            html5gum::Token::Comment(_)
            | html5gum::Token::Doctype(_)
            | html5gum::Token::Error(_) => {}
        }
    }
    out
}

/// The text of a tag as written.
fn source_of(html: &str, span: html5gum::Span<usize>) -> String {
    html.get(span.start..span.end)
        .unwrap_or_default()
        .to_string()
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// What an HTML element means for the book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Element {
    /// `<em>`, `<i>`, …
    Emphasis,
    /// `<strong>`, `<b>`.
    Strong,
    /// `<s>`, `<del>`, `<strike>`.
    Strikethrough,
    /// `<code>`, `<tt>`, `<samp>`: their text becomes inline code.
    Code,
    /// A styled run.
    Styled(TextStyle),
    /// A `<span>` in small capitals ([`TextStyle::SmallCaps`]), inside the language or
    /// direction it also gives, if any.
    SmallCaps(Option<TextStyle>),
    /// `<br>`.
    LineBreak,
    /// `<a>`: a link when it has `href`, an anchor when it has `id` or `name`.
    Anchor,
    /// `<img>`.
    Image,
    /// Elements that only group blocks (`div`, `p`, `section`, …): a paragraph boundary.
    Block,
    /// `<summary>`, `<h1>`…`<h6>`, `<figcaption>`, `<dt>`, `<th>`: a block set in bold.
    BoldBlock,
    /// Void elements with nothing to show (`<wbr>`, `<col>`, `<meta>`, …).
    Nothing,
    /// Dropped with everything inside (`<script>`, `<style>`, …).
    DropWithContent,
    /// Dropped, its text inside kept (`<iframe>`, `<object>`, `<form>`, …).
    DropKeepText,
    /// Not an HTML element presswork knows (`<Someone>`, `<my-widget>`): more likely text
    /// than markup, so the tags are shown as written.
    Unknown,
}

impl Element {
    /// Classify an element from its lower-case name and attributes.
    pub fn of(name: &str, attributes: &[(String, String)]) -> Element {
        let attribute = |key: &str| {
            attributes
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        match name {
            "em" | "i" | "cite" | "dfn" | "var" | "q" => Element::Emphasis,
            "strong" | "b" => Element::Strong,
            "s" | "del" | "strike" => Element::Strikethrough,
            "code" | "tt" | "samp" => Element::Code,
            "sup" => Element::Styled(TextStyle::Superscript),
            "sub" => Element::Styled(TextStyle::Subscript),
            "kbd" => Element::Styled(TextStyle::Keyboard),
            "u" | "ins" => Element::Styled(TextStyle::Underline),
            "small" => Element::Styled(TextStyle::Small),
            "mark" => Element::Styled(TextStyle::Highlight),
            "abbr" | "acronym" => Element::Styled(TextStyle::Abbreviation(attribute("title"))),
            "span" | "bdi" | "bdo" | "font" => {
                let lang = attribute("lang").and_then(|l| crate::load::normalize_language(&l));
                let direction = match attribute("dir").map(|d| d.to_ascii_lowercase()).as_deref() {
                    Some("rtl") => Some(Direction::RightToLeft),
                    Some("ltr") => Some(Direction::LeftToRight),
                    _ => None,
                };
                let language = (lang.is_some() || direction.is_some())
                    .then_some(TextStyle::Language { lang, direction });
                if small_caps(attribute("class"), attribute("style")) {
                    Element::SmallCaps(language)
                } else {
                    Element::Styled(language.unwrap_or(TextStyle::Language {
                        lang: None,
                        direction: None,
                    }))
                }
            }
            "br" => Element::LineBreak,
            "a" => Element::Anchor,
            "img" => Element::Image,
            "p" | "div" | "section" | "article" | "aside" | "header" | "footer" | "main"
            | "nav" | "center" | "blockquote" | "details" | "figure" | "address" | "hgroup"
            | "ul" | "ol" | "li" | "dl" | "dd" | "table" | "thead" | "tbody" | "tfoot" | "tr"
            | "td" | "pre" | "picture" | "hr" | "figcaption" => Element::Block,
            "summary" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "dt" | "th" | "caption"
            | "legend" => Element::BoldBlock,
            "wbr" | "col" | "colgroup" | "meta" | "link" | "base" | "source" | "track"
            | "param" | "area" | "map" => Element::Nothing,
            "script" | "style" | "template" | "noscript" | "title" | "head" | "textarea"
            | "select" | "option" | "datalist" => Element::DropWithContent,
            "iframe" | "object" | "embed" | "video" | "audio" | "canvas" | "svg" | "math"
            | "form" | "input" | "button" | "label" | "fieldset" | "frame" | "frameset"
            | "applet" | "dialog" | "slot" | "portal" | "html" | "body" => Element::DropKeepText,
            _ => Element::Unknown,
        }
    }

    /// Whether the element has no end tag in HTML.
    pub fn is_void(name: &str) -> bool {
        matches!(
            name,
            "br" | "img"
                | "hr"
                | "wbr"
                | "col"
                | "meta"
                | "link"
                | "base"
                | "source"
                | "track"
                | "param"
                | "area"
                | "input"
                | "embed"
        )
    }
}

/// Whether a `span`'s class (`smallcaps`, pandoc's, or `small-caps`) or inline style
/// (`font-variant` or `font-variant-caps` of `small-caps` or `all-small-caps`) asks for small
/// capitals.
fn small_caps(class: Option<String>, style: Option<String>) -> bool {
    let by_class = class.is_some_and(|class| {
        class
            .split_ascii_whitespace()
            .any(|c| c.eq_ignore_ascii_case("smallcaps") || c.eq_ignore_ascii_case("small-caps"))
    });
    let by_style = style.is_some_and(|style| {
        style.split(';').any(|declaration| {
            let Some((property, value)) = declaration.split_once(':') else {
                return false;
            };
            let property = property.trim().to_ascii_lowercase();
            (property == "font-variant" || property == "font-variant-caps")
                && value.split_ascii_whitespace().any(|v| {
                    matches!(
                        v.to_ascii_lowercase().as_str(),
                        "small-caps" | "all-small-caps"
                    )
                })
        })
    });
    by_class || by_style
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_and_references_are_read_as_browsers_do() {
        let source = "<A HREF='x?a=1&amp;b=2' title=\"&lt;t&gt;\">R&amp;D</a><br/>";
        let tokens = tokenize(source);
        assert_eq!(
            tokens,
            vec![
                HtmlToken::Start {
                    name: "a".into(),
                    attributes: vec![
                        ("href".into(), "x?a=1&b=2".into()),
                        ("title".into(), "<t>".into())
                    ],
                    self_closing: false,
                    raw: "<A HREF='x?a=1&amp;b=2' title=\"&lt;t&gt;\">".into(),
                    offset: 0,
                },
                HtmlToken::Text("R&D".into()),
                HtmlToken::End {
                    name: "a".into(),
                    raw: "</a>".into(),
                    offset: 49,
                },
                HtmlToken::Start {
                    name: "br".into(),
                    attributes: vec![],
                    self_closing: true,
                    raw: "<br/>".into(),
                    offset: 53,
                },
            ]
        );
        assert_eq!(&source[49..53], "</a>");
        assert_eq!(&source[53..], "<br/>");
    }

    #[test]
    fn script_content_is_raw_text_and_comments_vanish() {
        let tokens = tokenize("<script>if (a < b) { x('</p>') }</script><!-- c -->ok");
        assert_eq!(tokens.len(), 4, "{tokens:?}");
        assert_eq!(tokens[3], HtmlToken::Text("ok".into()));
    }

    #[test]
    fn elements_are_classified() {
        assert_eq!(
            Element::of("kbd", &[]),
            Element::Styled(TextStyle::Keyboard)
        );
        assert_eq!(Element::of("script", &[]), Element::DropWithContent);
        assert_eq!(Element::of("iframe", &[]), Element::DropKeepText);
        assert_eq!(Element::of("blink", &[]), Element::Unknown);
        let span = Element::of(
            "span",
            &[
                ("lang".into(), "hi_in".into()),
                ("dir".into(), "RTL".into()),
            ],
        );
        assert_eq!(
            span,
            Element::Styled(TextStyle::Language {
                lang: Some("hi-IN".into()),
                direction: Some(Direction::RightToLeft)
            })
        );
    }

    #[test]
    fn spans_in_small_capitals_by_class_or_style() {
        let span = |key: &str, value: &str| Element::of("span", &[(key.into(), value.into())]);
        for (key, value) in [
            ("class", "smallcaps"),
            ("class", "note small-caps"),
            ("style", "color: red; font-variant: small-caps"),
            ("style", "FONT-VARIANT-CAPS:all-small-caps"),
        ] {
            assert_eq!(span(key, value), Element::SmallCaps(None), "{key}={value}");
        }
        for (key, value) in [
            ("class", "smallcapsish"),
            ("style", "font-variant: normal"),
            ("style", "small-caps"),
        ] {
            assert_eq!(
                span(key, value),
                Element::Styled(TextStyle::Language {
                    lang: None,
                    direction: None
                }),
                "{key}={value}"
            );
        }
        assert_eq!(
            Element::of(
                "span",
                &[
                    ("class".into(), "smallcaps".into()),
                    ("lang".into(), "fr".into())
                ]
            ),
            Element::SmallCaps(Some(TextStyle::Language {
                lang: Some("fr".into()),
                direction: None
            }))
        );
    }
}
