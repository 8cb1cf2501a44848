//! XML escaping shared by every document the EPUB back end writes.
//!
//! The IR holds plain Unicode, so every string crosses this module on its way into markup.
//! Besides `&`, `<`, `>` and quotes, XML 1.0 forbids most C0 control characters outright: a stray
//! form feed pasted into a manuscript would otherwise make the whole EPUB unreadable, so such
//! characters are dropped.

use std::borrow::Cow;

/// Escape text for use between tags.
pub fn text(s: &str) -> Cow<'_, str> {
    escape(s, false)
}

/// Escape text for use inside a double-quoted attribute value.
pub fn attr(s: &str) -> Cow<'_, str> {
    escape(s, true)
}

/// Whether `c` may appear in an XML 1.0 document at all.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
        || c >= '\u{10000}'
}

fn escape(s: &str, in_attribute: bool) -> Cow<'_, str> {
    let needs_work = s.chars().any(|c| {
        matches!(c, '&' | '<' | '>')
            || (in_attribute && matches!(c, '"' | '\n' | '\t' | '\r'))
            || !is_xml_char(c)
    });
    if !needs_work {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if in_attribute => out.push_str("&quot;"),
            // Attribute-value normalisation would turn these into spaces; keep them as written.
            '\n' if in_attribute => out.push_str("&#10;"),
            '\t' if in_attribute => out.push_str("&#9;"),
            '\r' => out.push_str("&#13;"),
            c if !is_xml_char(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(text("a & b < c > d"), "a &amp; b &lt; c &gt; d");
        assert_eq!(text("&amp;"), "&amp;amp;");
        assert_eq!(
            attr(r#"say "hi" & <go>"#),
            "say &quot;hi&quot; &amp; &lt;go&gt;"
        );
        // Quotes are harmless between tags.
        assert_eq!(text(r#""q" 'r'"#), r#""q" 'r'"#);
    }

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(text("Привет, नमस्ते, 😀"), Cow::Borrowed(_)));
    }

    #[test]
    fn forbidden_control_characters_are_dropped() {
        assert_eq!(text("a\u{0}b\u{c}c\u{1b}d\u{FFFE}"), "abcd");
        assert_eq!(text("tab\tnewline\n"), "tab\tnewline\n");
        assert_eq!(attr("a\nb"), "a&#10;b");
    }

    #[test]
    fn escaped_text_parses_back_to_the_original() {
        let original = "Fish & chips <b>not bold</b> \"quoted\" 'single' — 東京 عربى";
        let doc = format!("<p a=\"{}\">{}</p>", attr(original), text(original));
        let parsed = roxmltree::Document::parse(&doc).expect("well-formed");
        let root = parsed.root_element();
        assert_eq!(root.attribute("a"), Some(original));
        assert_eq!(root.text(), Some(original));
    }
}
