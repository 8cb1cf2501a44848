//! From the paginated vertical list to pages: placement, anchors and bookmarks, links;
//! then, once a page's number in the book is known, running heads and folios, and (in a
//! book) the blank versos that let every chapter open on a recto.

use super::content::{line_content, offset_content, shift_x};
use super::{Layout, PageGeometry, Side};
use crate::ir::Book;
use crate::typeset::fonts::Caps;
use crate::typeset::frame::{
    LinkDestination, Navigation, OutlineEntry, Page, PageItem, PageSink, Rect, Role, Tag,
};
use crate::typeset::paginate::{Content, NotePlacement, PagePlan};
use crate::typeset::shape::Shaper;
use crate::typeset::text::Hyphenation;
use crate::typeset::text::{
    set_lines, Alignment, LinkRef, ParagraphBuilder, SetLine, Span, TextStyle,
};
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
    /// page numbers counted within the chapter). A chapter (and the front matter) starts on
    /// a recto, so the page's side, and with it its left margin, is known here already.
    fn page_from_plan(&mut self, plan: &PagePlan) -> Page {
        let g = self.geometry;
        let p = self.pages_done;
        let left = g.left(Side::of_page(p));
        let starts_at = plan.placements.iter().find_map(|placement| {
            self.paginator
                .block_mut(placement.block)
                .and_then(|block| block.source)
        });
        let mut page = Page {
            width: g.width,
            height: g.height,
            items: Vec::new(),
            starts_at,
        };
        // A note continued from the page before comes first in the item stream, so that
        // its structure element closes before this page's text opens anything.
        let (continued, fresh): (Vec<_>, Vec<_>) = plan.notes.iter().partition(|n| n.continued);
        for note in continued {
            self.place_note(note, left, &mut page);
        }
        // Notes set whole on this page follow the line that calls them in the item stream,
        // inside the elements that line is in (the paragraph, the chapter): a `Note` is an
        // inline element. A note that runs on to the next page goes after all the text, so
        // that its continuation, first on the next page, follows it directly.
        let mut runs_on = Vec::new();
        for placement in &plan.placements {
            let Some(block) = self.paginator.block_mut(placement.block) else {
                continue;
            };
            let y = g.top + placement.y;
            let anchors = std::mem::take(&mut block.anchors);
            let outline = block.outline.take();
            // Each block is placed once: move its content instead of copying it.
            let mut content = std::mem::take(&mut block.content);
            let note_lines = block.notes.len();
            for anchor in anchors {
                self.navigation.anchors.entry(anchor).or_insert((p, y));
            }
            if let Some((title, level)) = outline {
                self.navigation.outline.push(OutlineEntry {
                    title,
                    level,
                    page: p,
                    y,
                });
            }
            let notes: Vec<&NotePlacement> = fresh
                .iter()
                .copied()
                .filter(|n| n.block == placement.block)
                .collect();
            if notes.is_empty() {
                place_content(content, y, left, &mut page);
                continue;
            }
            if notes.len() < note_lines {
                place_content(content, y, left, &mut page);
                runs_on.extend(notes);
                continue;
            }
            let closing = content.split_off(outer_ends_from(&content));
            place_content(content, y, left, &mut page);
            for note in notes {
                self.place_note(note, left, &mut page);
            }
            place_content(closing, y, left, &mut page);
        }
        if let Some(foot) = plan.foot {
            // A short rule over the notes, in the room kept above them; an artifact.
            let skip = g.leading * super::NOTE_SKIP;
            page.items.push(PageItem::Rule {
                rect: Rect {
                    x: left,
                    y: g.top + foot + skip * super::NOTE_RULE_AT,
                    width: g.measure * super::NOTE_RULE_WIDTH,
                    height: super::NOTE_RULE_THICKNESS,
                },
                gray: 0.0,
            });
        }
        for note in runs_on {
            self.place_note(note, left, &mut page);
        }
        page
    }

    /// A line of a footnote at the foot of the page, its anchors recorded.
    fn place_note(&mut self, note: &NotePlacement, left: f32, page: &mut Page) {
        let g = self.geometry;
        let p = self.pages_done;
        let y = g.top + note.y;
        let Some(line) = self
            .paginator
            .block_mut(note.block)
            .and_then(|block| block.notes.get_mut(note.line))
        else {
            return;
        };
        let anchors = std::mem::take(&mut line.anchors);
        let content = std::mem::take(&mut line.content);
        for anchor in anchors {
            self.navigation.anchors.entry(anchor).or_insert((p, y));
        }
        place_content(content, y, left, page);
    }
}

/// Where the end tags at the back of a block's content start closing elements opened
/// before the block (a paragraph begun on an earlier line, the chapter): notes go there,
/// after the elements the block opened itself (the link of the call) have closed.
fn outer_ends_from(content: &[Content]) -> usize {
    let is_end = |c: &Content| matches!(c, Content::Item(PageItem::Tag(Tag::End)));
    let trailing = content.iter().rev().take_while(|c| is_end(c)).count();
    let body = content.len() - trailing;
    // Elements opened in the block and still open where the trailing end tags begin.
    let mut open: usize = 0;
    for c in &content[..body] {
        match c {
            Content::Item(PageItem::Tag(Tag::Start(_))) => open += 1,
            Content::Item(PageItem::Tag(Tag::End)) => open = open.saturating_sub(1),
            _ => {}
        }
    }
    body + open.min(trailing)
}

/// Put a block's content on the page, its top at `y` and its left edge at `left`.
fn place_content(content: Vec<Content>, y: f32, left: f32, page: &mut Page) {
    for content in content {
        match offset_content(content, y) {
            Content::Item(item) => page.items.push(shift_x(item, left)),
            Content::Link(rect, target) => page.items.push(PageItem::Link {
                rect: Rect {
                    x: rect.x + left,
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

/// Chapters' pages on their way to the sink, in book order: each is numbered in the book,
/// given its running head and folio, and passed on; each chapter's navigation is moved to
/// book page numbers. On facing pages (a book) a chapter that would open on a verso gets a
/// blank verso before it: no running head, no folio, no items, so nothing in the structure
/// tree either; unless chapters open on any page (`chapter-opening = "any"`), when its
/// pages are moved across to the margins of the side each lands on. The one place both the
/// sequential layout and the threaded pipeline turn chapter pages into book pages.
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
        let g = self.decorator.geometry;
        // Layout placed the chapter's pages as if it opened on a recto; make it so.
        if g.recto_openings
            && self.pages == self.chapter_start
            && Side::of_page(self.pages) == Side::Verso
        {
            self.sink.page(Page {
                width: g.width,
                height: g.height,
                items: Vec::new(),
                starts_at: None,
            })?;
            self.pages += 1;
            self.chapter_start = self.pages;
        }
        // A chapter that opens on the next page whatever its side (`chapter-opening =
        // "any"`) may have opened on a verso: then each of its pages is on the other side
        // from the one layout placed it on, and its text block moves by the difference
        // between the margins.
        let placed = Side::of_page(self.pages.saturating_sub(self.chapter_start));
        let side = Side::of_page(self.pages);
        if side != placed {
            let dx = g.left(side) - g.left(placed);
            let items = std::mem::take(&mut page.page.items);
            page.page.items = items.into_iter().map(|item| shift_x(item, dx)).collect();
        }
        // Running heads and folios are drawing only: a sink that does not draw goes without.
        if self.sink.wants_glyphs() {
            self.decorator.decorate(&mut page, self.pages);
        }
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

/// Running heads and folios: the book title on versos (even page numbers), the chapter
/// title on rectos (odd ones), in letter-spaced small capitals centred over the text
/// block; the page number at the foot,
/// at the outer corner of the text block on facing pages (a book), centred under it
/// otherwise (an article). Neither on chapter openings, nor on the title page and imprint
/// (laid out as openings of their own, see `front.rs`), nor on the blank versos
/// [`BookPages`] adds.
pub struct Decorator<'a, 'f> {
    shaper: &'a Shaper<'f>,
    book: &'a Book,
    geometry: PageGeometry,
    /// Running heads are never hyphenated; this is only there for the paragraph builder.
    hyphenation: Hyphenation,
}

impl<'a, 'f> Decorator<'a, 'f> {
    /// A decorator for `book`'s pages of `geometry`, its margins set for the book's shape
    /// ([`PageGeometry::for_shape`], as [`Layout::new`] sets them).
    pub fn new(shaper: &'a Shaper<'f>, book: &'a Book, geometry: PageGeometry) -> Self {
        Decorator {
            shaper,
            book,
            geometry: geometry.for_shape(book.shape),
            hyphenation: Hyphenation::for_language(""),
        }
    }

    /// Give a chapter page its running head and folio, as page `number` (from 0) of the book.
    pub fn decorate(&self, page: &mut ChapterPage, number: usize) {
        let g = self.geometry;
        let size = (g.body_size * 0.8 * 2.0).round() / 2.0;
        let folio = (number + 1).to_string();
        let mut style = TextStyle::body(size);
        style.gray = 0.25;
        // Chapter openings carry neither running head nor folio (the page speaks for itself).
        if page.opening {
            return;
        }
        let side = Side::of_page(number);
        let folio_baseline = g.top + g.text_height + (g.height - g.top - g.text_height) * 0.45;
        let folio_alignment = match (g.facing, side) {
            (false, _) => Alignment::Center,
            (true, Side::Recto) => Alignment::Right,
            (true, Side::Verso) => Alignment::Left,
        };
        self.line(
            &folio,
            style.clone(),
            folio_baseline,
            side,
            folio_alignment,
            0.0,
            &mut page.page,
        );
        let title = if side == Side::Verso {
            self.book.meta.title.clone()
        } else {
            self.book
                .chapters
                .get(page.chapter)
                .map(|c| c.title_text())
                .unwrap_or_default()
        };
        // Running heads in small capitals throughout, the quietest voice that still reads
        // as a label: they name the place, they are not read. Their figures are the book's,
        // as the folio's.
        style.style.features.caps = Caps::AllSmall;
        let tracking = style.size * RUNNING_HEAD_TRACKING;
        self.line(
            &title,
            style,
            g.top * 0.6,
            side,
            Alignment::Center,
            tracking,
            &mut page.page,
        );
    }

    /// One line of decoration across the text block of a page of `side`, on `baseline`,
    /// with `tracking` points more between letters.
    #[allow(clippy::too_many_arguments)]
    fn line(
        &self,
        text: &str,
        style: TextStyle,
        baseline: f32,
        side: Side,
        alignment: Alignment,
        tracking: f32,
        page: &mut Page,
    ) {
        let g = self.geometry;
        let mut builder =
            ParagraphBuilder::new(self.shaper, &self.hyphenation, g.measure).without_hyphenation();
        builder.add_spans(&[Span {
            text: text.to_string(),
            style,
        }]);
        let (paragraph, lines) = builder.finish(alignment);
        // A running head is one line: a very long title is cut at the first line.
        if let Some(line) = set_lines(paragraph, &lines, alignment, g.measure).first_mut() {
            let added = letter_space(line, tracking);
            let shift = match alignment {
                Alignment::Center => -added / 2.0,
                Alignment::Right => -added,
                _ => 0.0,
            };
            let mut content = Vec::new();
            line_content(
                line,
                g.left(side) + shift,
                0.0,
                Role::Artifact,
                true,
                &mut content,
            );
            for c in content {
                if let Content::Item(item) = offset_content(c, baseline) {
                    page.items.push(item);
                }
            }
        }
    }
}

/// Letter-spacing of running heads, in em: small capitals set close look cramped, and a
/// line of them reads better a little open (Bringhurst: 5 to 10 per cent).
const RUNNING_HEAD_TRACKING: f32 = 0.08;

/// Open a set line by `tracking` points after every cluster but the last (marks stay on
/// their letters); returns the width added.
fn letter_space(line: &mut SetLine, tracking: f32) -> f32 {
    if tracking == 0.0 {
        return 0.0;
    }
    let mut added = 0.0;
    let mut seen = 0;
    for (x, piece) in &mut line.pieces {
        *x += added;
        let start = added;
        // A running head's own copy of its glyphs (the paragraph it was set from is gone).
        let mut glyphs = piece.glyphs.to_vec();
        for glyph in &mut glyphs {
            if !glyph.text.is_empty() {
                if seen > 0 {
                    added += tracking;
                }
                seen += 1;
            }
            glyph.x += added - start;
        }
        piece.glyphs = glyphs.into();
        piece.width += added - start;
    }
    line.width += added;
    added
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{self, Block, BookShape, Inline, LinkTarget};
    use crate::typeset::fonts::FontSet;
    use crate::typeset::frame::{GlyphRun, LaidOutDocument};
    use crate::typeset::layout::Paper;
    use crate::Diagnostics;

    /// A chapter `id` of `paragraphs` paragraphs of about sixty words each, linking to
    /// `link` first when given.
    fn chapter(id: &str, paragraphs: usize, link: Option<&str>) -> ir::Chapter {
        let words = "The quick brown fox jumps over the lazy dog again and again. ".repeat(5);
        let mut blocks = Vec::new();
        if let Some(target) = link {
            blocks.push(Block::Paragraph(vec![Inline::Link {
                target: LinkTarget::Internal(target.into()),
                content: vec![Inline::Text("onwards".into())],
            }]));
        }
        blocks.extend((0..paragraphs).map(|_| Block::Paragraph(vec![Inline::Text(words.clone())])));
        ir::Chapter {
            id: id.into(),
            title: vec![Inline::Text(format!("Title {id}"))],
            blocks,
            footnotes: Vec::new(),
        }
    }

    /// A book (title page, imprint) of three chapters: one page, three pages, two pages.
    fn three_chapters(shape: BookShape) -> Book {
        let mut book = Book {
            chapters: vec![
                chapter("c1", 1, Some("c3")),
                chapter("c2", 13, None),
                chapter("c3", 8, None),
            ],
            shape,
            ..Book::default()
        };
        book.meta.title = "The Book".into();
        book
    }

    fn lay_out(book: &Book) -> (LaidOutDocument, PageGeometry) {
        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        let geometry = PageGeometry::for_paper(Paper::A5);
        let document = Layout::new(&shaper, book, geometry).run(&mut Diagnostics::default());
        (document, geometry.for_shape(book.shape))
    }

    /// Where each chapter opens (page index), from the bookmarks.
    fn chapter_pages(document: &LaidOutDocument) -> Vec<usize> {
        let outline = &document.navigation.outline;
        outline
            .iter()
            .filter(|e| e.level == 1)
            .map(|e| e.page)
            .collect()
    }

    fn artifacts(page: &Page) -> Vec<&GlyphRun> {
        page.items
            .iter()
            .filter_map(|item| match item {
                PageItem::Glyphs(run) if run.role == Role::Artifact => Some(run),
                _ => None,
            })
            .collect()
    }

    fn text(run: &GlyphRun) -> String {
        run.glyphs
            .iter()
            .map(|g| format!("{}{}", g.text, if g.space_after { " " } else { "" }))
            .collect()
    }

    #[test]
    fn book_chapters_open_on_rectos_after_blank_versos() {
        let (document, _) = lay_out(&three_chapters(BookShape::Book));
        // Title page 1, imprint 2, chapter 1 on 3, a blank 4, chapter 2 on 5–7, a blank 8,
        // chapter 3 on 9–10 (indexes from 0 below).
        assert_eq!(chapter_pages(&document), vec![2, 4, 8]);
        assert_eq!(document.pages.len(), 10);
        for blank in [3, 7] {
            assert!(document.pages[blank].items.is_empty(), "page {blank}");
        }
        let filled = document.pages.iter().filter(|p| !p.items.is_empty());
        assert_eq!(filled.count(), 8);
        // The link in chapter 1 lands on chapter 3's opening, past both blanks.
        let link = document.pages[2].items.iter().find_map(|item| match item {
            PageItem::Link { target, .. } => Some(target.clone()),
            _ => None,
        });
        assert!(
            matches!(link, Some(LinkDestination::Internal { page: 8, .. })),
            "{link:?}"
        );
    }

    #[test]
    fn an_article_has_no_blank_pages_and_one_margin() {
        let (document, geometry) = lay_out(&three_chapters(BookShape::Article));
        assert!(document.pages.iter().all(|p| !p.items.is_empty()));
        // Its sections run on: the second starts under the first on page 1, the third on
        // page 3.
        assert_eq!(chapter_pages(&document), vec![0, 0, 2]);
        assert_eq!(geometry.left(Side::Recto), geometry.left(Side::Verso));
        assert!(!geometry.facing);
    }

    #[test]
    fn text_heads_and_folios_follow_the_side_of_the_page() {
        let (document, g) = lay_out(&three_chapters(BookShape::Book));
        let foot = g.top + g.text_height;
        // Index 5 is page 6, a verso; index 6 page 7, a recto; both in chapter 2.
        for (index, side, head, folio) in [
            (5, Side::Verso, "The Book", "6"),
            (6, Side::Recto, "Title c2", "7"),
        ] {
            let page = &document.pages[index];
            let left = g.left(side);
            let runs = artifacts(page);
            let head_run = runs.iter().find(|r| r.baseline < g.top).expect("a head");
            let folio_run = runs.iter().find(|r| r.baseline > foot).expect("a folio");
            assert_eq!(
                (text(head_run), text(folio_run)),
                (head.into(), folio.into())
            );
            // The running head is centred over this side's text block.
            let head_width = head_run.glyphs.last().map_or(0.0, |g| g.x);
            let centre = head_run.x + head_width / 2.0;
            assert!(
                (centre - (left + g.measure / 2.0)).abs() < g.body_size,
                "{centre}"
            );
            // The folio sits at the outer corner.
            match side {
                Side::Verso => assert!((folio_run.x - left).abs() < 0.01, "{}", folio_run.x),
                Side::Recto => {
                    let edge = left + g.measure;
                    assert!(folio_run.x < edge && folio_run.x > edge - g.body_size * 2.0);
                }
            }
            // Body lines start at this side's left edge (none hangs this far).
            let body = page.items.iter().filter_map(|item| match item {
                PageItem::Glyphs(run) if run.role == Role::Paragraph => Some(run.x),
                _ => None,
            });
            let first = body.fold(f32::MAX, f32::min);
            assert!((first - left).abs() < 1.0, "page {index}: text at {first}");
        }
        // Blank versos and chapter openings carry neither head nor folio.
        for index in [2, 3, 4, 7, 8] {
            assert!(artifacts(&document.pages[index]).is_empty(), "page {index}");
        }
    }

    #[test]
    fn running_heads_are_letter_spaced_small_capitals_that_keep_their_text() {
        use crate::typeset::fonts::{Family, Features, Style};
        let (document, g) = lay_out(&three_chapters(BookShape::Book));
        let fonts = FontSet::builtin().expect("fonts");
        let shaper = Shaper::new(&fonts);
        // Page 6, a verso of chapter 2: the book's title.
        let runs = artifacts(&document.pages[5]);
        let head = runs.iter().find(|r| r.baseline < g.top).expect("a head");
        assert_eq!(text(head), "The Book");
        let small_caps = Style {
            features: Features {
                caps: Caps::AllSmall,
                ..Features::default()
            },
            ..Style::default()
        };
        let shaped: Vec<_> = ["The", "Book"]
            .iter()
            .flat_map(|word| {
                shaper.shape_word(word, Family::Body, small_caps)[0]
                    .glyphs
                    .to_vec()
            })
            .collect();
        let plain = shaper.shape_word("The", Family::Body, Style::default());
        assert_ne!(
            shaped[0].id, plain[0].glyphs[0].id,
            "T is a small capital too"
        );
        let drawn: Vec<u16> = head.glyphs.iter().map(|g| g.id).collect();
        assert_eq!(drawn, shaped.iter().map(|g| g.id).collect::<Vec<_>>());
        // Each letter of "Book" sits its advance plus the tracking after the one before.
        let tracking = head.size * RUNNING_HEAD_TRACKING;
        let book = head.glyphs[3..].windows(2).zip(&shaped[3..]);
        for (pair, letter) in book {
            let gap = pair[1].x - pair[0].x;
            let wanted = letter.advance * head.size + tracking;
            assert!((gap - wanted).abs() < 0.01, "{gap} vs {wanted}");
        }
    }
}
