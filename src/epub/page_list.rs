//! Print page numbers. The EPUB marks where each page of the PDF edition of the same book
//! (same paper, fonts and settings) begins, and lists those places in a `page-list` nav, so
//! that readers of either edition cite the same "p. 3". The pages come from laying the book
//! out exactly as the PDF back end does (the typesetter alone: nothing is drawn or written).
//!
//! A page is placed by where its running text begins ([`TextPoint`]: chapter, top-level
//! block, words before). Pages without running text take the place of the next page that
//! has some (a blank verso sits where the next page's text begins); before the first such
//! page they belong to the title page, after the last to the colophon.

use std::collections::BTreeMap;

use crate::ir::{self, Book};
use crate::typeset::fonts::FontSet;
use crate::typeset::frame::{Page, PageSink, TextPoint};
use crate::typeset::{book_characters, pipeline, PageGeometry};
use crate::{Diagnostics, Result};

/// Running text past which a book gets no page list: laying out a book of this size takes
/// seconds, which an EPUB build should not spend twice when it is the PDF's job.
pub const PAGE_LIST_MAX_TEXT_BYTES: usize = 4 * 1024 * 1024;

/// Where the marker of one printed page goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// At the top of the title page (the print edition's front matter).
    TitlePage,
    /// In a chapter, at this place of its text.
    Text(TextPoint),
    /// At the top of the colophon (back matter after the last text).
    Colophon,
}

/// The place of each printed page, page 1 first; `None` when the book is too long for a
/// page list ([`PAGE_LIST_MAX_TEXT_BYTES`]).
pub fn print_pages(book: &Book) -> Result<Option<Vec<Place>>> {
    if text_bytes(book) > PAGE_LIST_MAX_TEXT_BYTES {
        return Ok(None);
    }
    let fonts = FontSet::for_book(
        &book.settings.fonts,
        &book.meta.language,
        &book_characters(book),
    )?;
    let geometry = PageGeometry::for_settings(&book.settings);
    let mut starts = PageStarts(Vec::new());
    // The PDF build reports the layout's warnings; this second layout keeps quiet.
    // The EPUB's package is made on another thread meanwhile.
    pipeline::lay_out_into_alongside(
        book,
        &fonts,
        geometry,
        &mut starts,
        &mut Diagnostics::default(),
    )?;
    Ok(Some(places(&starts.0)))
}

/// Where each page goes, from where each page's text begins.
fn places(starts: &[Option<TextPoint>]) -> Vec<Place> {
    let mut out = vec![Place::Colophon; starts.len()];
    let mut next: Option<TextPoint> = None;
    for (place, start) in out.iter_mut().zip(starts).rev() {
        if let Some(point) = start {
            next = Some(*point);
        }
        if let Some(point) = next {
            *place = Place::Text(point);
        }
    }
    let first_text = starts.iter().position(Option::is_some);
    for place in out.iter_mut().take(first_text.unwrap_or(0)) {
        *place = Place::TitlePage;
    }
    out
}

/// Records where each page's text begins.
struct PageStarts(Vec<Option<TextPoint>>);

impl PageSink for PageStarts {
    fn page(&mut self, page: Page) -> Result<()> {
        self.0.push(page.starts_at);
        Ok(())
    }

    /// Only where each page's text begins is read: no glyphs, no running heads.
    fn wants_glyphs(&self) -> bool {
        false
    }
}

/// Bytes of running text in the book, roughly (what layout time grows with).
fn text_bytes(book: &Book) -> usize {
    let mut total = 0;
    for chapter in &book.chapters {
        ir::visit_inlines(&chapter.blocks, &mut |inlines| {
            total += ir::plain_text(inlines).len();
        });
    }
    total
}

/// The marker of printed page `number` (from 1), an empty inline element.
pub fn marker(number: usize) -> String {
    format!(
        "<span epub:type=\"pagebreak\" role=\"doc-pagebreak\" id=\"page-{number}\" \
         aria-label=\"{number}\"></span>"
    )
}

/// A chapter and one of its top-level blocks (`None`: the chapter's title).
pub type BlockKey = (usize, Option<usize>);

/// The page numbers (from 1) of each place in the text, by chapter and block, with the
/// words before each; and the pages of the title page and of the colophon.
#[derive(Debug, Default, Clone)]
pub struct Markers {
    /// (chapter, block) → (words before, page number), in page order.
    pub text: BTreeMap<BlockKey, Vec<(usize, usize)>>,
    /// Pages marked at the top of the title page.
    pub title_page: Vec<usize>,
    /// Pages marked at the top of the colophon.
    pub colophon: Vec<usize>,
}

impl Markers {
    /// The markers of `places` (page 1 first).
    pub fn new(places: &[Place]) -> Markers {
        let mut markers = Markers::default();
        for (index, place) in places.iter().enumerate() {
            let number = index + 1;
            match place {
                Place::TitlePage => markers.title_page.push(number),
                Place::Colophon => markers.colophon.push(number),
                Place::Text(point) => markers
                    .text
                    .entry((point.chapter, point.block))
                    .or_default()
                    .push((point.word, number)),
            }
        }
        markers
    }

    /// The file each page's marker is in, for the page list: `file_of(chapter)` names a
    /// chapter's document.
    pub fn page_list(&self, file_of: impl Fn(usize) -> String) -> Vec<(String, String)> {
        let mut pages: Vec<(usize, String)> = Vec::new();
        pages.extend(
            self.title_page
                .iter()
                .map(|n| (*n, "title.xhtml".to_string())),
        );
        pages.extend(
            self.colophon
                .iter()
                .map(|n| (*n, "colophon.xhtml".to_string())),
        );
        for ((chapter, _), marks) in &self.text {
            pages.extend(marks.iter().map(|(_, n)| (*n, file_of(*chapter))));
        }
        pages.sort();
        pages
            .into_iter()
            .map(|(n, file)| (format!("{file}#page-{n}"), n.to_string()))
            .collect()
    }
}

/// `html` (a block's markup) with `marker` inserted before its `word`th word (from 0; the
/// words of its text, tags skipped, as layout counts them), or at its end if it has fewer.
pub fn insert_at_word(html: &str, word: usize, marker: &str) -> String {
    let mut out = String::with_capacity(html.len() + marker.len());
    let mut in_tag = false;
    let mut after_space = true;
    let mut words = 0;
    let mut inserted = false;
    for c in html.chars() {
        if !inserted && !in_tag && c != '<' && !c.is_whitespace() && after_space {
            if words == word {
                out.push_str(marker);
                inserted = true;
            }
            words += 1;
        }
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => after_space = c.is_whitespace(),
            _ => {}
        }
        out.push(c);
    }
    if !inserted {
        out.push_str(marker);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(chapter: usize, block: Option<usize>, word: usize) -> Option<TextPoint> {
        Some(TextPoint {
            chapter,
            block,
            word,
        })
    }

    #[test]
    fn pages_without_text_take_the_place_of_the_next_text() {
        let starts = [None, None, at(0, None, 0), None, at(0, Some(3), 40), None];
        let places = places(&starts);
        assert_eq!(
            places,
            vec![
                Place::TitlePage,
                Place::TitlePage,
                Place::Text(TextPoint {
                    chapter: 0,
                    block: None,
                    word: 0
                }),
                Place::Text(TextPoint {
                    chapter: 0,
                    block: Some(3),
                    word: 40
                }),
                Place::Text(TextPoint {
                    chapter: 0,
                    block: Some(3),
                    word: 40
                }),
                Place::Colophon,
            ]
        );
        let markers = Markers::new(&places);
        let list = markers.page_list(|c| format!("ch{c:03}.xhtml"));
        let labels: Vec<&str> = list.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(
            labels,
            ["1", "2", "3", "4", "5", "6"],
            "one entry per page, in order"
        );
        assert_eq!(list[3].0, "ch000.xhtml#page-4");
        assert_eq!(list[5].0, "colophon.xhtml#page-6");
    }

    #[test]
    fn markers_go_before_the_word_that_starts_the_page() {
        let html = "<p>One <em>two</em> three<sup><a href=\"#n\">1</a></sup> four.</p>\n";
        assert_eq!(
            insert_at_word(html, 2, "|"),
            "<p>One <em>two</em> |three<sup><a href=\"#n\">1</a></sup> four.</p>\n"
        );
        assert_eq!(
            insert_at_word(html, 1, "|"),
            "<p>One <em>|two</em> three<sup><a href=\"#n\">1</a></sup> four.</p>\n"
        );
        assert_eq!(
            insert_at_word(html, 3, "|"),
            "<p>One <em>two</em> three<sup><a href=\"#n\">1</a></sup> |four.</p>\n"
        );
        assert!(insert_at_word(html, 9, "|").ends_with("</p>\n|"));
    }
}
