//! The figure convention. pulldown-cmark has no figure syntax, so presswork reads one from
//! plain Markdown that also renders sensibly on GitHub:
//!
//! ```markdown
//! ![Alt text describing the picture](images/photo.jpg)
//! *Caption: what the picture shows*
//! — Credit line
//! ```
//!
//! A paragraph whose first line is a lone image is a figure. The lines after it are the caption
//! (one wrapping emphasis is dropped: styling captions is the back end's job), except a last line
//! starting with an em dash `—` or `Credit:`, which is the credit. Without caption lines, the
//! image title (`![alt](src "title")`) is the caption.

use super::convert::{finish_inlines, SOFT_BREAK};
use crate::ir::{Block, Figure, IdAllocator, Inline};

/// Turn a finished paragraph's inlines into a paragraph or a figure; `None` if empty.
pub fn paragraph_or_figure(
    inlines: Vec<Inline>,
    image_title: Option<String>,
    ids: &mut IdAllocator,
) -> Option<Block> {
    let mut lines = split_lines(&inlines);
    if let Some(first) = lines.first() {
        if let [Inline::Image { asset, alt }] = trimmed(first).as_slice() {
            let (asset, alt) = (*asset, alt.clone());
            lines.remove(0);
            let credit = match lines.last().and_then(|l| strip_credit_prefix(l)) {
                Some(credit) => {
                    lines.pop();
                    credit
                }
                None => Vec::new(),
            };
            let mut caption = Vec::new();
            for (i, line) in lines.into_iter().enumerate() {
                if i > 0 {
                    caption.push(Inline::Text(" ".into()));
                }
                caption.extend(line);
            }
            let mut caption = unwrap_emphasis(finish_inlines(caption));
            if caption.is_empty() {
                if let Some(title) = image_title {
                    caption = vec![Inline::Text(title.trim().to_string())];
                }
            }
            return Some(Block::Figure(Figure {
                id: ids.unique("figure"),
                asset,
                alt,
                caption,
                credit: unwrap_emphasis(finish_inlines(credit)),
            }));
        }
    }
    let inlines = finish_inlines(inlines);
    (!inlines.is_empty()).then_some(Block::Paragraph(inlines))
}

/// Split at top-level soft and hard line breaks.
fn split_lines(inlines: &[Inline]) -> Vec<Vec<Inline>> {
    let mut lines = vec![Vec::new()];
    for inline in inlines {
        match inline {
            Inline::Text(t) if t == SOFT_BREAK => lines.push(Vec::new()),
            Inline::LineBreak => lines.push(Vec::new()),
            other => {
                if let Some(line) = lines.last_mut() {
                    line.push(other.clone());
                }
            }
        }
    }
    lines
}

fn trimmed(line: &[Inline]) -> Vec<Inline> {
    line.iter()
        .filter(|i| !matches!(i, Inline::Text(t) if t.trim().is_empty()))
        .cloned()
        .collect()
}

/// A credit line starts with an em dash or `Credit:`; return it without that prefix.
fn strip_credit_prefix(line: &[Inline]) -> Option<Vec<Inline>> {
    let mut line = trimmed(line);
    let Some(Inline::Text(first)) = line.first_mut() else {
        return None;
    };
    let text = first.trim_start();
    // `get` rather than slicing: byte 7 may fall inside a character (`日本語`).
    let rest = match text.strip_prefix('—') {
        Some(rest) => rest,
        None => text
            .get(..7)
            .filter(|head| head.eq_ignore_ascii_case("credit:"))
            .and_then(|_| text.get(7..))?,
    };
    *first = rest.trim_start().to_string();
    Some(line)
}

/// `*whole caption*` → `whole caption`.
fn unwrap_emphasis(inlines: Vec<Inline>) -> Vec<Inline> {
    match inlines.as_slice() {
        [Inline::Emphasis(inner)] => inner.clone(),
        _ => inlines,
    }
}
