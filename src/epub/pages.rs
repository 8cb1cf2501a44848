//! The pages around the chapters: cover, title page and colophon.

use std::fmt::Write as _;

use super::xhtml::document;
use super::xml;
use crate::ir::{plain_text, Block, Book, Figure};

/// The cover page: the cover picture alone (the stores' rule: nothing else on the page),
/// `src` relative to the documents, with alternative text naming the book.
pub fn cover(book: &Book, src: &str) -> String {
    let meta = &book.meta;
    let mut alt = format!("Cover: {}", meta.title);
    if !meta.authors.is_empty() {
        alt.push_str(&format!(" ({})", meta.authors.join(", ")));
    }
    let body = format!(
        "<section epub:type=\"cover\" class=\"cover\">\n\
         <img role=\"doc-cover\" src=\"{}\" alt=\"{}\"/>\n</section>\n",
        xml::attr(src),
        xml::attr(&alt),
    );
    document(&meta.language, &meta.title, None, &body)
}

/// The title page: title, subtitle, authors, source.
pub fn title_page(book: &Book) -> String {
    let meta = &book.meta;
    let mut body = String::from("<section epub:type=\"titlepage\" class=\"titlepage\">\n");
    let _ = writeln!(
        body,
        "<p class=\"book-title\">{}</p>",
        xml::text(&meta.title)
    );
    if let Some(subtitle) = meta.subtitle.as_deref().filter(|s| !s.trim().is_empty()) {
        let _ = writeln!(
            body,
            "<p class=\"book-subtitle\">{}</p>",
            xml::text(subtitle)
        );
    }
    if !meta.authors.is_empty() {
        let _ = writeln!(
            body,
            "<p class=\"book-authors\">{}</p>",
            xml::text(&meta.authors.join(", "))
        );
    }
    if let Some(source) = meta.source.as_deref().filter(|s| !s.trim().is_empty()) {
        let _ = writeln!(body, "<p class=\"book-source\">{}</p>", xml::text(source));
    }
    body.push_str("</section>\n");
    document(&meta.language, &meta.title, Some("frontmatter"), &body)
}

/// The colophon: where the text and pictures come from, the rights, how the book was made.
/// `modified` is left out when the book has no real date (only the 1980 placeholder).
pub fn colophon(book: &Book, modified: Option<&str>) -> String {
    let meta = &book.meta;
    let mut items: Vec<(&str, String)> = Vec::new();
    let labels = &book.labels;
    items.push((&labels.title, meta.title.clone()));
    if !meta.authors.is_empty() {
        items.push((&labels.by, meta.authors.join(", ")));
    }
    if let Some(source) = &meta.source {
        items.push((&labels.source, source.clone()));
    }
    if let Some(publisher) = &meta.publisher {
        items.push((&labels.publisher, publisher.clone()));
    }
    for credit in picture_credits(book) {
        items.push((&labels.picture_credit, credit));
    }
    if let Some(rights) = &meta.rights {
        items.push((&labels.rights, rights.clone()));
    }
    if let Some(identifier) = &meta.identifier {
        items.push((&labels.identifier, identifier.clone()));
    }
    if let Some(modified) = modified {
        items.push((&labels.last_modified, modified.to_string()));
    }
    items.push((
        &labels.made_with,
        format!("presswork {}", env!("CARGO_PKG_VERSION")),
    ));

    // A heading, so the page has a name in a screen reader's list of headings.
    let mut body = String::from(
        "<section epub:type=\"colophon\" role=\"doc-colophon\" class=\"colophon\" \
         aria-labelledby=\"colophon-title\">\n\
         <h1 id=\"colophon-title\" class=\"colophon-title\">",
    );
    body.push_str(&xml::text(&labels.about));
    body.push_str("</h1>\n<dl>\n");
    for (term, value) in items {
        let _ = writeln!(
            body,
            "<dt>{}</dt>\n<dd>{}</dd>",
            xml::text(term),
            xml::text(&value)
        );
    }
    body.push_str("</dl>\n</section>\n");
    document(&meta.language, &labels.colophon, Some("backmatter"), &body)
}

/// Each distinct figure credit, in reading order.
fn picture_credits(book: &Book) -> Vec<String> {
    let mut credits: Vec<String> = Vec::new();
    for chapter in &book.chapters {
        crate::ir::visit_blocks(&chapter.blocks, &mut |block| {
            if let Block::Figure(figure) = block {
                let credit = plain_text(&figure.credit);
                if !credit.trim().is_empty() && !credits.contains(&credit) {
                    credits.push(credit);
                }
            }
        });
    }
    credits
}

/// The first figure of the book, whose image becomes the cover.
pub fn first_figure(book: &Book) -> Option<&Figure> {
    let mut found: Option<&Figure> = None;
    for chapter in &book.chapters {
        if found.is_some() {
            break;
        }
        for block in &chapter.blocks {
            if let Some(figure) = find_figure(block) {
                found = Some(figure);
                break;
            }
        }
    }
    found.filter(|f| book.assets.get(f.asset.0).is_some())
}

fn find_figure(block: &Block) -> Option<&Figure> {
    match block {
        Block::Figure(figure) => Some(figure),
        Block::BlockQuote(inner) => inner.iter().find_map(find_figure),
        Block::List(list) => list
            .items
            .iter()
            .flat_map(|item| item.blocks.iter())
            .find_map(find_figure),
        _ => None,
    }
}
