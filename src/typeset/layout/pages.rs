//! From the paginated vertical list to pages: placement, anchors and bookmarks, links;
//! then, once a page's number in the book is known, running heads and folios.

use super::content::{line_content, offset_content, shift_x};
use super::{Layout, PageGeometry};
use crate::ir::Book;
use crate::typeset::frame::{
    LinkDestination, Navigation, OutlineEntry, Page, PageItem, PageSink, Rect, Role,
};
use crate::typeset::paginate::{Content, PagePlan};
use crate::typeset::shape::Shaper;
use crate::typeset::text::Hyphenation;
use crate::typeset::text::{set_lines, Alignment, LinkRef, ParagraphBuilder, Span, TextStyle};
use crate::Result;

/// One page of a chapter as layout finishes it: numbered within the chapter, without
/// running head or folio, which depend on its number in the book (see [`Decorator`]).
#[derive(Debug)]
pub struct ChapterPage {
    /// The page.
    pub page: Page,
    /// Whether the chapter opens on it (no running head, no folio).
    pub opening: bool,
    /// The chapter it belongs to.
    pub chapter: usize,
}

impl Layout<'_, '_> {
    /// Hand the blocks built so far to the paginator and every page it has finished to
    /// `sink`, with links; then let go of the blocks placed.
    pub(super) fn emit_pages(
        &mut self,
        sink: &mut dyn FnMut(ChapterPage) -> Result<()>,
    ) -> Result<()> {
        for block in self.blocks.drain(..) {
            self.paginator.push(block);
        }
        while let Some(plan) = self.paginator.next_page() {
            let page = self.page_from_plan(&plan);
            sink(ChapterPage {
                page,
                opening: plan.opening,
                chapter: plan.chapter,
            })?;
            self.pages_done += 1;
        }
        self.paginator.release();
        Ok(())
    }

    /// One finished page: its blocks' content placed, anchors and bookmarks recorded (with
    /// page numbers counted within the chapter).
    fn page_from_plan(&mut self, plan: &PagePlan) -> Page {
        let g = self.geometry;
        let p = self.pages_done;
        let mut page = Page {
            width: g.width,
            height: g.height,
            items: Vec::new(),
        };
        for placement in &plan.placements {
            let Some(block) = self.paginator.block_mut(placement.block) else {
                continue;
            };
            let y = g.top + placement.y;
            for anchor in block.anchors.drain(..) {
                self.navigation.anchors.entry(anchor).or_insert((p, y));
            }
            if let Some((title, level)) = block.outline.take() {
                self.navigation.outline.push(OutlineEntry {
                    title,
                    level,
                    page: p,
                    y,
                });
            }
            // Each block is placed once: move its content instead of copying it.
            for content in std::mem::take(&mut block.content) {
                match offset_content(content, y) {
                    Content::Item(item) => page.items.push(shift_x(item, g.left)),
                    Content::Link(rect, target) => page.items.push(PageItem::Link {
                        rect: Rect {
                            x: rect.x + g.left,
                            ..rect
                        },
                        target: match target {
                            LinkRef::Uri(uri) => LinkDestination::Uri(uri),
                            LinkRef::Anchor(id) => LinkDestination::Anchor(id),
                        },
                    }),
                }
            }
        }
        page
    }
}

/// Chapters' pages on their way to the sink, in book order: each is numbered in the book,
/// given its running head and folio, and passed on; each chapter's navigation is moved to
/// book page numbers. The one place both the sequential layout and the threaded pipeline
/// turn chapter pages into book pages.
pub struct BookPages<'s, 'a, 'f> {
    decorator: Decorator<'a, 'f>,
    sink: &'s mut dyn PageSink,
    /// Pages passed on so far, and where the current chapter began.
    pages: usize,
    chapter_start: usize,
    navigation: Navigation,
}

impl<'s, 'a, 'f> BookPages<'s, 'a, 'f> {
    /// Book pages decorated by `decorator`, going to `sink`.
    pub fn new(decorator: Decorator<'a, 'f>, sink: &'s mut dyn PageSink) -> Self {
        BookPages {
            decorator,
            sink,
            pages: 0,
            chapter_start: 0,
            navigation: Navigation::default(),
        }
    }

    /// The next page of the current chapter.
    pub fn page(&mut self, mut page: ChapterPage) -> Result<()> {
        self.decorator.decorate(&mut page, self.pages);
        self.pages += 1;
        self.sink.page(page.page)
    }

    /// The current chapter is done; `part` is its navigation, pages counted within it.
    pub fn chapter_done(&mut self, part: Navigation) {
        self.navigation.append(part, self.chapter_start);
        self.chapter_start = self.pages;
    }

    /// Where the bookmarks and anchors of all the chapters landed.
    pub fn into_navigation(self) -> Navigation {
        self.navigation
    }
}

/// Running heads and folios: the book title on even pages, the chapter title on odd ones,
/// the page number at the foot; neither on chapter openings, nor on the title page and
/// imprint (laid out as openings of their own, see `front.rs`).
pub struct Decorator<'a, 'f> {
    shaper: &'a Shaper<'f>,
    book: &'a Book,
    geometry: PageGeometry,
    /// Running heads are never hyphenated; this is only there for the paragraph builder.
    hyphenation: Hyphenation,
}

impl<'a, 'f> Decorator<'a, 'f> {
    /// A decorator for `book`'s pages of `geometry`.
    pub fn new(shaper: &'a Shaper<'f>, book: &'a Book, geometry: PageGeometry) -> Self {
        Decorator {
            shaper,
            book,
            geometry,
            hyphenation: Hyphenation::for_language(""),
        }
    }

    /// Give a chapter page its running head and folio, as page `number` (from 0) of the book.
    pub fn decorate(&self, page: &mut ChapterPage, number: usize) {
        let g = self.geometry;
        let size = (g.body_size * 0.8 * 2.0).round() / 2.0;
        let folio = (number + 1).to_string();
        let mut style = TextStyle::serif(size);
        style.gray = 0.25;
        // Chapter openings carry neither running head nor folio (the page speaks for itself).
        if page.opening {
            return;
        }
        let folio_baseline = g.top + g.text_height + (g.height - g.top - g.text_height) * 0.45;
        self.centered_line(&folio, style.clone(), folio_baseline, &mut page.page);
        let title = if number % 2 == 1 {
            self.book.meta.title.clone()
        } else {
            self.book
                .chapters
                .get(page.chapter)
                .map(|c| c.title_text())
                .unwrap_or_default()
        };
        style.style.italic = true;
        self.centered_line(&title, style, g.top * 0.6, &mut page.page);
    }

    fn centered_line(&self, text: &str, style: TextStyle, baseline: f32, page: &mut Page) {
        let g = self.geometry;
        let mut builder =
            ParagraphBuilder::new(self.shaper, &self.hyphenation, g.measure).without_hyphenation();
        builder.add_spans(&[Span {
            text: text.to_string(),
            style,
        }]);
        let (paragraph, lines) = builder.finish(Alignment::Center);
        // A running head is one line: a very long title is cut at the first line.
        if let Some(line) = set_lines(paragraph, &lines, Alignment::Center, g.measure).first() {
            let mut content = Vec::new();
            line_content(line, g.left, 0.0, Role::Artifact, &mut content);
            for c in content {
                if let Content::Item(item) = offset_content(c, baseline) {
                    page.items.push(item);
                }
            }
        }
    }
}
