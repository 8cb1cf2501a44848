//! The Kobo edition (`.kepub.epub`): the same EPUB with each sentence of the text in a
//! `koboSpan`, as Kobo's own conversion (and kepubify) marks it. Kobo's reader counts
//! reading progress, places highlights and annotations, and resumes reading by these spans;
//! without them a sideloaded book has none of that. Other reading systems ignore them.
//!
//! The spans are added to the finished XHTML documents: in every block of text (paragraph,
//! heading, list item, cell, caption), each text node is cut after the end of each sentence
//! and every piece wrapped as `<span class="koboSpan" id="kobo.P.S">`, P counting the blocks
//! of the document and S the pieces of each block. Markup is never split: a span sits
//! inside the inline element its text is in.

/// Elements whose text is a block of its own for Kobo's numbering.
const BLOCKS: [&str; 13] = [
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "td",
    "th",
    "figcaption",
    "dd",
    "dt",
];

/// Elements whose text is left alone: preformatted code keeps its exact text.
const UNTOUCHED: [&str; 4] = ["pre", "script", "style", "title"];

/// `xhtml` (a whole document) with every sentence of its body in a `koboSpan`.
pub fn add_spans(xhtml: &str) -> String {
    let Some(body) = xhtml.find("<body") else {
        return xhtml.to_string();
    };
    let mut out = String::with_capacity(xhtml.len() * 2);
    out.push_str(&xhtml[..body]);
    let mut rest = &xhtml[body..];
    let mut paragraph = 0;
    let mut segment = 0;
    let mut untouched = 0usize;
    while !rest.is_empty() {
        if rest.starts_with('<') {
            let end = rest.find('>').map_or(rest.len(), |at| at + 1);
            let tag = &rest[..end];
            let name = tag_name(tag);
            let closing = tag.starts_with("</");
            let self_closing = tag.ends_with("/>");
            if UNTOUCHED.contains(&name) && !self_closing {
                if closing {
                    untouched = untouched.saturating_sub(1);
                } else {
                    untouched += 1;
                }
            }
            if BLOCKS.contains(&name) && !closing && !self_closing {
                paragraph += 1;
                segment = 0;
            }
            out.push_str(tag);
            rest = &rest[end..];
            continue;
        }
        let end = rest.find('<').unwrap_or(rest.len());
        let text = &rest[..end];
        rest = &rest[end..];
        if untouched > 0 || paragraph == 0 || text.trim().is_empty() {
            out.push_str(text);
            continue;
        }
        for sentence in sentences(text) {
            if sentence.trim().is_empty() {
                out.push_str(sentence);
                continue;
            }
            segment += 1;
            out.push_str(&format!(
                "<span class=\"koboSpan\" id=\"kobo.{paragraph}.{segment}\">{sentence}</span>"
            ));
        }
    }
    out
}

/// The element name of a tag (`<p class="x">` → `p`, `</em>` → `em`).
fn tag_name(tag: &str) -> &str {
    let inner = tag.trim_start_matches('<').trim_start_matches('/');
    let end = inner
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(inner.len());
    &inner[..end]
}

/// `text` cut after each sentence's end (`.`, `!`, `?`, `…`, or `।` and `。`, with closing
/// quotes and brackets after them) and the spaces that follow it; the pieces joined are
/// the text.
fn sentences(text: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if !matches!(c, '.' | '!' | '?' | '…' | '।' | '。' | '！' | '？') {
            continue;
        }
        while let Some((_, next)) = chars.peek() {
            if matches!(next, '"' | '\'' | '”' | '’' | '»' | ')' | ']' | '」') {
                chars.next();
            } else {
                break;
            }
        }
        // The end of a sentence is followed by a space (or, in CJK, by anything).
        let cjk = matches!(c, '。' | '！' | '？');
        let mut end = chars.peek().map_or(text.len(), |(at, _)| *at);
        let mut spaced = false;
        while chars.peek().is_some_and(|(_, next)| next.is_whitespace()) {
            spaced = true;
            chars.next();
            end = chars.peek().map_or(text.len(), |(after, _)| *after);
        }
        if (spaced || cjk) && end < text.len() {
            pieces.push(&text[start..end]);
            start = end;
        }
    }
    if start < text.len() {
        pieces.push(&text[start..]);
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_are_cut_after_their_end_and_its_spaces() {
        assert_eq!(
            sentences("He came. “Why?” she asked! Then 3.5 km… ok"),
            ["He came. ", "“Why?” ", "she asked! ", "Then 3.5 km… ", "ok"]
        );
        assert_eq!(sentences("No end"), ["No end"]);
        assert_eq!(sentences("东京。北京。"), ["东京。", "北京。"]);
        assert_eq!(sentences("यह है। वह है।"), ["यह है। ", "वह है।"]);
    }

    #[test]
    fn each_sentence_of_each_block_gets_a_numbered_span_inside_its_markup() {
        let xhtml = "<html><head><title>T. Two.</title></head><body>\n\
                     <h1>Title</h1>\n<p>One. <em>Two and</em> three. Four</p>\n\
                     <pre>code. more</pre>\n<p>Five &amp; six.</p>\n</body></html>";
        let out = add_spans(xhtml);
        assert!(out.contains("<title>T. Two.</title>"), "{out}");
        assert!(out.contains("<h1><span class=\"koboSpan\" id=\"kobo.1.1\">Title</span></h1>"));
        assert!(
            out.contains(
                "<p><span class=\"koboSpan\" id=\"kobo.2.1\">One. </span>\
             <em><span class=\"koboSpan\" id=\"kobo.2.2\">Two and</span></em>\
             <span class=\"koboSpan\" id=\"kobo.2.3\"> three. </span>\
             <span class=\"koboSpan\" id=\"kobo.2.4\">Four</span></p>"
            ),
            "{out}"
        );
        assert!(out.contains("<pre>code. more</pre>"), "{out}");
        assert!(
            out.contains("id=\"kobo.3.1\">Five &amp; six.</span>"),
            "{out}"
        );
        // Nothing but the spans was added: without them the text is as it was.
        let stripped = out
            .split("<span class=\"koboSpan\" id=\"")
            .enumerate()
            .map(|(i, part)| {
                if i == 0 {
                    part
                } else {
                    &part[part.find("\">").map_or(0, |at| at + 2)..]
                }
            })
            .collect::<String>()
            .replace("</span>", "");
        assert_eq!(stripped, xhtml);
    }
}
