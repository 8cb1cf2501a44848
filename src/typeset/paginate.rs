//! Pagination: a vertical list of blocks → pages.
//!
//! Layout decides *where a break may fall* (each block says whether a page may break before
//! it: that is how widows, orphans and keep-with-next are expressed); this module decides
//! *where breaks do fall*: it fills each page, backs up to the last legal break when a block
//! does not fit, floats figures that do not fit to the top of the next page while text flows
//! past them, and starts chapters on a new page.

use std::collections::VecDeque;

use super::frame::{PageItem, Rect};
use super::text::LinkRef;

/// Content of a block, positioned relative to the block's top-left corner.
#[derive(Debug, Clone)]
pub enum Content {
    /// A finished page item.
    Item(PageItem),
    /// A link whose destination is resolved after pagination.
    Link(Rect, LinkRef),
}

/// How a block takes part in page breaking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Ordinary flow material.
    Normal,
    /// May move to the top of the next page, text flowing past it.
    Float,
    /// Starts a new page (a chapter opening).
    NewPage,
}

/// One unbreakable piece of the vertical list.
#[derive(Debug, Clone)]
pub struct VBlock {
    /// Height in points.
    pub height: f32,
    /// Space above, dropped at the top of a page.
    pub space_before: f32,
    /// Whether a page may break just before this block.
    pub break_before: bool,
    /// Flow behaviour.
    pub flow: Flow,
    /// What to draw.
    pub content: Vec<Content>,
    /// Anchor ids that point at this block.
    pub anchors: Vec<String>,
    /// Bookmark for this block: title and level.
    pub outline: Option<(String, u8)>,
    /// Index of the chapter the block belongs to.
    pub chapter: usize,
    /// Baseline of the first line, if the block is text (for list labels).
    pub baseline: Option<f32>,
    /// Lines of one paragraph share a group number (for checks and debugging).
    pub group: Option<usize>,
}

impl VBlock {
    /// An empty normal block of a height.
    pub fn new(height: f32, chapter: usize) -> Self {
        VBlock {
            height,
            space_before: 0.0,
            break_before: true,
            flow: Flow::Normal,
            content: Vec::new(),
            anchors: Vec::new(),
            outline: None,
            chapter,
            baseline: None,
            group: None,
        }
    }
}

/// A block placed on a page: index into the block list and its y in the text area.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    /// Index of the block.
    pub block: usize,
    /// Top of the block, from the top of the text area.
    pub y: f32,
}

/// One page's placements.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PagePlan {
    /// Blocks on the page in order.
    pub placements: Vec<Placement>,
    /// Whether a chapter opens on this page.
    pub opening: bool,
    /// The chapter the page belongs to (its first block's).
    pub chapter: usize,
}

/// Break `blocks` into pages of text height `height` (all at once; layout streams them
/// through a [`Paginator`] instead).
pub fn paginate(blocks: &[VBlock], height: f32) -> Vec<PagePlan> {
    let mut paginator = Paginator::new(height);
    for block in blocks {
        paginator.push(block.clone());
    }
    paginator.finish();
    std::iter::from_fn(|| paginator.next_page()).collect()
}

/// Page breaking as blocks arrive, so that a book of any length is paginated in memory
/// proportional to a page or two, not to the book.
///
/// Breaking is greedy: a page is final once the paginator has moved past it, because a
/// backup never reaches further than the start of the current page. Blocks are kept from
/// the first block of the current page (or the oldest deferred float) onwards; finished
/// pages are handed out by [`Paginator::next_page`] and their blocks let go by
/// [`Paginator::release`] once the caller has taken what it needs from them.
#[derive(Debug)]
pub struct Paginator {
    height: f32,
    /// Blocks not yet released; `window[0]` is block number `base`.
    window: VecDeque<VBlock>,
    base: usize,
    /// The next block to consider.
    next: usize,
    page: PagePlan,
    y: f32,
    /// Floats waiting for the top of a page.
    deferred: Vec<usize>,
    finished: VecDeque<PagePlan>,
    /// Guards against a block that can never be placed (cannot happen, but never loop).
    steps: usize,
}

impl Paginator {
    /// A paginator for a text area `height` points tall.
    pub fn new(height: f32) -> Self {
        Paginator {
            height,
            window: VecDeque::new(),
            base: 0,
            next: 0,
            page: PagePlan::default(),
            y: 0.0,
            deferred: Vec::new(),
            finished: VecDeque::new(),
            steps: 0,
        }
    }

    /// Add the next block of the vertical list and break what can be broken.
    pub fn push(&mut self, block: VBlock) {
        self.window.push_back(block);
        self.run();
    }

    /// The list has ended: place the floats still waiting and close the last page.
    pub fn finish(&mut self) {
        self.flush_floats();
        if !self.page.placements.is_empty() {
            self.finished.push_back(std::mem::take(&mut self.page));
        }
    }

    /// The next finished page, if any.
    pub fn next_page(&mut self) -> Option<PagePlan> {
        self.finished.pop_front()
    }

    /// Block number `index`, to take its content for a finished page. `None` once released.
    pub fn block_mut(&mut self, index: usize) -> Option<&mut VBlock> {
        let offset = index.checked_sub(self.base)?;
        self.window.get_mut(offset)
    }

    /// Let go of every block that lies wholly on pages already handed out.
    pub fn release(&mut self) {
        let pending = self.finished.iter().flat_map(|p| &p.placements);
        let keep_from = self
            .page
            .placements
            .iter()
            .chain(pending)
            .map(|p| p.block)
            .chain(self.deferred.iter().copied())
            .min()
            .unwrap_or(self.next)
            .min(self.next);
        while self.base < keep_from && self.window.pop_front().is_some() {
            self.base += 1;
        }
    }

    fn block(&self, index: usize) -> &VBlock {
        &self.window[index - self.base]
    }

    fn end(&self) -> usize {
        self.base + self.window.len()
    }

    fn run(&mut self) {
        let height = self.height;
        while self.next < self.end() {
            self.steps += 1;
            if self.steps > self.end().saturating_mul(8) + 64 {
                // Never reached in practice; skip rather than loop.
                self.next += 1;
                continue;
            }
            let i = self.next;
            let block = self.block(i);
            let (flow, chapter, block_height, space_before, break_before) = (
                block.flow,
                block.chapter,
                block.height,
                block.space_before,
                block.break_before,
            );
            if flow == Flow::NewPage {
                self.flush_floats();
                if !self.page.placements.is_empty() {
                    self.finished.push_back(std::mem::take(&mut self.page));
                }
                self.page.opening = true;
                self.page.chapter = chapter;
                self.y = 0.0;
            }
            if self.page.placements.is_empty() && !self.page.opening {
                self.page.chapter = chapter;
            }
            let space = if self.page.placements.is_empty() {
                0.0
            } else {
                space_before
            };
            let fits = self.y + space + block_height <= height;
            if flow == Flow::Float && !self.page.placements.is_empty() && !fits {
                self.deferred.push(i);
                self.next += 1;
                continue;
            }
            if fits || self.page.placements.is_empty() {
                self.page.placements.push(Placement {
                    block: i,
                    y: self.y + space,
                });
                self.y += space + block_height;
                self.next += 1;
                continue;
            }
            // Overflow: back up to the last legal break on this page.
            let restart = self
                .page
                .placements
                .iter()
                .enumerate()
                .skip(1)
                .rev()
                .find(|(_, p)| {
                    let b = self.block(p.block);
                    b.break_before && b.flow != Flow::Float
                })
                .map(|(n, p)| (n, p.block));
            let restart_at = if break_before { None } else { restart };
            if let Some((n, block_index)) = restart_at {
                self.page.placements.truncate(n);
                self.deferred.retain(|d| *d < block_index);
                self.next = block_index;
            }
            self.finished.push_back(std::mem::take(&mut self.page));
            self.page.chapter = self.block(self.next).chapter;
            self.y = 0.0;
            self.place_deferred();
        }
    }

    fn place_deferred(&mut self) {
        while let Some(&next) = self.deferred.first() {
            let (h, space_before) = {
                let b = self.block(next);
                (b.height, b.space_before)
            };
            if self.y + h <= self.height || self.page.placements.is_empty() {
                self.page.placements.push(Placement {
                    block: next,
                    y: self.y,
                });
                self.y += h + space_before;
                self.deferred.remove(0);
            } else {
                break;
            }
        }
    }

    /// Place every deferred float before a chapter ends, on new pages if need be.
    fn flush_floats(&mut self) {
        while !self.deferred.is_empty() {
            self.place_deferred();
            if !self.deferred.is_empty() {
                let chapter = self.page.chapter;
                self.finished.push_back(std::mem::take(&mut self.page));
                self.page.chapter = chapter;
                self.y = 0.0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A paragraph of `n` lines with widow/orphan rules as layout sets them.
    fn paragraph(n: usize, blocks: &mut Vec<VBlock>) {
        for j in 0..n {
            let mut b = VBlock::new(10.0, 0);
            b.break_before = j == 0 || (j >= 2 && n - j >= 2);
            blocks.push(b);
        }
    }

    fn lines_per_page(pages: &[PagePlan]) -> Vec<usize> {
        pages.iter().map(|p| p.placements.len()).collect()
    }

    #[test]
    fn no_widows_or_orphans() {
        // 10 lines per page; paragraphs of 9 and 5 lines: a naive break leaves 1 line.
        let mut blocks = Vec::new();
        paragraph(9, &mut blocks);
        paragraph(5, &mut blocks);
        let pages = paginate(&blocks, 100.0);
        assert_eq!(lines_per_page(&pages), [9, 5]);
        let mut blocks = Vec::new();
        paragraph(11, &mut blocks);
        let pages = paginate(&blocks, 100.0);
        // 10 + 1 would leave a widow: break after 9 lines instead.
        assert_eq!(lines_per_page(&pages), [9, 2]);
    }

    #[test]
    fn heading_stays_with_the_next_lines() {
        let mut blocks = Vec::new();
        paragraph(8, &mut blocks);
        let mut heading = VBlock::new(10.0, 0);
        heading.break_before = true;
        blocks.push(heading);
        let mut rest = Vec::new();
        paragraph(4, &mut rest);
        rest[0].break_before = false; // keep with the heading
        blocks.extend(rest);
        let pages = paginate(&blocks, 100.0);
        // The heading would fit as line 9, but its paragraph could only bring one line
        // (orphan): heading moves to the next page with its paragraph.
        assert_eq!(lines_per_page(&pages), [8, 5]);
    }

    #[test]
    fn figure_floats_to_next_page_and_text_flows_past() {
        let mut blocks = Vec::new();
        paragraph(6, &mut blocks);
        let mut figure = VBlock::new(60.0, 0);
        figure.flow = Flow::Float;
        blocks.push(figure);
        paragraph(4, &mut blocks);
        let pages = paginate(&blocks, 100.0);
        assert_eq!(pages.len(), 2);
        assert_eq!(pages[0].placements.len(), 10, "text fills page one");
        assert_eq!(pages[1].placements[0].block, 6, "figure opens page two");
    }

    #[test]
    fn chapters_open_new_pages() {
        let mut blocks = Vec::new();
        paragraph(3, &mut blocks);
        let mut opening = VBlock::new(10.0, 1);
        opening.flow = Flow::NewPage;
        blocks.push(opening);
        paragraph(2, &mut blocks);
        let pages = paginate(&blocks, 100.0);
        assert_eq!(lines_per_page(&pages), [3, 3]);
        assert!(pages[1].opening && !pages[0].opening);
    }

    #[test]
    fn oversized_block_is_placed_alone_without_looping() {
        let blocks = vec![VBlock::new(500.0, 0), VBlock::new(500.0, 0)];
        let pages = paginate(&blocks, 100.0);
        assert_eq!(lines_per_page(&pages), [1, 1]);
    }

    /// A long list with paragraphs, headings, floats and chapters, built deterministically.
    fn mixed_list() -> Vec<VBlock> {
        let mut blocks = Vec::new();
        for chapter in 0..6 {
            let mut opening = VBlock::new(40.0, chapter);
            opening.flow = Flow::NewPage;
            blocks.push(opening);
            for n in 0..30usize {
                if n % 7 == 3 {
                    let mut figure = VBlock::new(35.0 + (n % 4) as f32 * 10.0, chapter);
                    figure.flow = Flow::Float;
                    blocks.push(figure);
                }
                let start = blocks.len();
                paragraph(1 + (n * 5 + chapter) % 13, &mut blocks);
                for b in &mut blocks[start..] {
                    b.chapter = chapter;
                }
            }
        }
        blocks
    }

    #[test]
    fn streaming_gives_the_same_pages_and_lets_blocks_go() {
        let blocks = mixed_list();
        let whole = paginate(&blocks, 100.0);
        assert!(whole.len() > 40, "{} pages", whole.len());

        let mut paginator = Paginator::new(100.0);
        let mut streamed = Vec::new();
        let mut most_held = 0;
        for block in blocks.iter().cloned() {
            paginator.push(block);
            while let Some(page) = paginator.next_page() {
                for placement in &page.placements {
                    assert!(
                        paginator.block_mut(placement.block).is_some(),
                        "block {} of a finished page was let go too early",
                        placement.block
                    );
                }
                streamed.push(page);
            }
            paginator.release();
            most_held = most_held.max(paginator.window.len());
        }
        paginator.finish();
        streamed.extend(std::iter::from_fn(|| paginator.next_page()));
        assert_eq!(streamed, whole);
        // Never more than about two pages of blocks (10 lines a page, floats deferred).
        assert!(
            most_held <= 30,
            "held {most_held} of {} blocks",
            blocks.len()
        );
    }
}
