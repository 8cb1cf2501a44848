//! Pagination: a vertical list of blocks → pages.
//!
//! Layout decides *where a break may fall* (each block says whether a page may break before
//! it: that is how widows, orphans and keep-with-next are expressed); this module decides
//! *where breaks do fall*: it fills each page, backs up to the last legal break when a block
//! does not fit, floats figures that do not fit to the top of the next page while text flows
//! past them, and starts chapters on a new page.

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

/// Break `blocks` into pages of text height `height`.
pub fn paginate(blocks: &[VBlock], height: f32) -> Vec<PagePlan> {
    let mut pages: Vec<PagePlan> = Vec::new();
    let mut page = PagePlan::default();
    let mut y = 0.0f32;
    let mut deferred: Vec<usize> = Vec::new();
    let mut i = 0;
    // Guards against a block that can never be placed (cannot happen, but never loop).
    let mut steps = 0usize;
    let step_limit = blocks.len().saturating_mul(8) + 64;
    while i < blocks.len() {
        steps += 1;
        if steps > step_limit {
            break;
        }
        let block = &blocks[i];
        if block.flow == Flow::NewPage {
            flush_floats(&mut pages, &mut page, &mut y, &mut deferred, blocks, height);
            if !page.placements.is_empty() {
                pages.push(std::mem::take(&mut page));
            }
            page.opening = true;
            page.chapter = block.chapter;
            y = 0.0;
        }
        if page.placements.is_empty() && !page.opening {
            page.chapter = block.chapter;
        }
        let space = if page.placements.is_empty() {
            0.0
        } else {
            block.space_before
        };
        if block.flow == Flow::Float
            && !page.placements.is_empty()
            && y + space + block.height > height
        {
            deferred.push(i);
            i += 1;
            continue;
        }
        if y + space + block.height <= height || page.placements.is_empty() {
            page.placements.push(Placement {
                block: i,
                y: y + space,
            });
            y += space + block.height;
            i += 1;
            continue;
        }
        // Overflow: back up to the last legal break on this page.
        let restart = page
            .placements
            .iter()
            .enumerate()
            .skip(1)
            .rev()
            .find(|(_, p)| blocks[p.block].break_before && blocks[p.block].flow != Flow::Float)
            .map(|(n, p)| (n, p.block));
        let restart_at = if block.break_before { None } else { restart };
        if let Some((n, block_index)) = restart_at {
            page.placements.truncate(n);
            deferred.retain(|d| *d < block_index);
            i = block_index;
        }
        pages.push(std::mem::take(&mut page));
        page.chapter = blocks[i].chapter;
        y = 0.0;
        place_deferred(&mut page, &mut y, &mut deferred, blocks, height);
    }
    flush_floats(&mut pages, &mut page, &mut y, &mut deferred, blocks, height);
    if !page.placements.is_empty() {
        pages.push(page);
    }
    pages
}

fn place_deferred(
    page: &mut PagePlan,
    y: &mut f32,
    deferred: &mut Vec<usize>,
    blocks: &[VBlock],
    height: f32,
) {
    while let Some(&next) = deferred.first() {
        let h = blocks[next].height;
        if *y + h <= height || page.placements.is_empty() {
            page.placements.push(Placement { block: next, y: *y });
            *y += h + blocks[next].space_before;
            deferred.remove(0);
        } else {
            break;
        }
    }
}

/// Place every deferred float before a chapter ends, on new pages if need be.
fn flush_floats(
    pages: &mut Vec<PagePlan>,
    page: &mut PagePlan,
    y: &mut f32,
    deferred: &mut Vec<usize>,
    blocks: &[VBlock],
    height: f32,
) {
    while !deferred.is_empty() {
        place_deferred(page, y, deferred, blocks, height);
        if !deferred.is_empty() {
            let chapter = page.chapter;
            pages.push(std::mem::take(page));
            page.chapter = chapter;
            *y = 0.0;
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
}
