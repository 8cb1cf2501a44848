//! Pagination: a vertical list of blocks → pages.
//!
//! Layout decides *where a break may fall* (each block says whether a page may break before
//! it: that is how widows, orphans and keep-with-next are expressed); this module decides
//! *where breaks do fall*: it fills each page, backs up to the last legal break when a block
//! does not fit, floats figures that do not fit to the top of the next page while text flows
//! past them, and starts chapters on a new page.
//!
//! Footnotes ride with the line that first calls them ([`VBlock::notes`]): the page keeps
//! room at its foot for the notes of the lines placed on it, so the text area shrinks as
//! notes come; a line whose notes would not fit moves on to the next page. Only when the
//! line is the first on its page (nothing to gain by moving it) are its notes allowed to
//! run over: the lines of notes that do not fit continue at the foot of the next page.

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
    /// The footnotes this block calls first, set as lines (each a block of its own, its
    /// `space_before` kept between notes), to go at the foot of the page the block is on.
    pub notes: Vec<VBlock>,
    /// On the last line of a paragraph that reads as well set one line longer: that
    /// setting, for a page that would otherwise end short.
    pub looser: Option<Box<Looser>>,
    /// Where in the book's text the block begins (running text only).
    pub source: Option<crate::typeset::frame::TextPoint>,
}

/// A paragraph set one line longer than its best setting (TeX's `\looseness=1`), carried by
/// its last line's block: when a page would end short by a line or more, the paginator
/// swaps it in for paragraphs wholly on the page, cheapest first, before it shares what is
/// left among the gaps ([`Paginator`]'s flush bottom). The setting is sought only then
/// ([`LooserSetting::Pending`]).
#[derive(Debug, Clone)]
pub struct Looser {
    /// Lines of the paragraph as it is set now, one block each.
    pub lines: usize,
    /// How much taller the paragraph becomes (one line).
    pub extra: f32,
    /// Items at the start of the first block's content that are not its line (structure
    /// elements opened there): they stay, before the new line.
    pub first_prefix: usize,
    /// Where the last block's own line ends in its content: what follows (structure
    /// elements closed there) stays, after the new lines.
    pub last_line_end: usize,
    /// The longer setting, sought or not yet.
    pub setting: LooserSetting,
}

/// A [`Looser`]'s setting.
#[derive(Debug, Clone)]
pub enum LooserSetting {
    /// Not sought yet: layout's record of the paragraph.
    Pending(Box<crate::typeset::layout::PendingLooser>),
    /// Sought: the new content of each of the paragraph's blocks, first to last (the last
    /// holds the last two lines; line content only: structure tags that layout put around
    /// the lines stay where they are, see `first_prefix` and `last_line_end`), and its
    /// loosest line's glue ratio, so that the cheapest paragraphs are lengthened first.
    Ready(Vec<Vec<Content>>, f32),
    /// Sought, and no longer setting reads as well.
    None,
}

impl Looser {
    /// The setting's cost, seeking the setting first if it has not been.
    pub fn settle(&mut self) -> Option<f32> {
        self.setting = match std::mem::replace(&mut self.setting, LooserSetting::None) {
            LooserSetting::Pending(pending) => match pending.settle() {
                Some((contents, cost)) => LooserSetting::Ready(contents, cost),
                None => LooserSetting::None,
            },
            sought => sought,
        };
        match &self.setting {
            LooserSetting::Ready(_, cost) => Some(*cost),
            _ => None,
        }
    }
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
            notes: Vec::new(),
            looser: None,
            source: None,
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

/// A line of a footnote placed at the foot of a page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NotePlacement {
    /// The block that calls the note.
    pub block: usize,
    /// Index of the line in that block's [`VBlock::notes`].
    pub line: usize,
    /// Top of the line, from the top of the text area.
    pub y: f32,
    /// Whether the line continues a note begun at the foot of an earlier page.
    pub continued: bool,
}

/// One page's placements.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PagePlan {
    /// Blocks on the page in order.
    pub placements: Vec<Placement>,
    /// Lines of footnotes at the foot of the page, in order.
    pub notes: Vec<NotePlacement>,
    /// Top of the footnote area (the space above the note rule), if the page has notes.
    pub foot: Option<f32>,
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
    /// Room between the text and the first line of notes, the rule in it.
    note_skip: f32,
    /// Lines of notes (block, line) that did not fit on the last page: they open the foot
    /// of the current one.
    carry: Vec<(usize, usize)>,
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
            note_skip: DEFAULT_NOTE_SKIP,
            carry: Vec::new(),
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

    /// The room kept between the text and the footnotes below it.
    pub fn with_note_skip(mut self, skip: f32) -> Self {
        self.note_skip = skip;
        self
    }

    /// Add the next block of the vertical list and break what can be broken.
    pub fn push(&mut self, block: VBlock) {
        self.window.push_back(block);
        self.run();
    }

    /// The list has ended: place the floats still waiting and close the last page.
    pub fn finish(&mut self) {
        self.flush_floats();
        self.flush_page();
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
            // A note's parent block holds the note's lines until they are all placed.
            .chain(self.carry.iter().map(|(block, _)| *block))
            .chain(self.finished.iter().flat_map(|p| &p.notes).map(|n| n.block))
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
                self.flush_page();
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
            let fits = self.y + space + block_height + self.foot_height(Some(i)) <= height;
            // A float waits for the next page if it does not fit, or if one before it waits
            // already: figures never overtake one another.
            let queued = !self.deferred.is_empty();
            if flow == Flow::Float && !self.page.placements.is_empty() && (!fits || queued) {
                self.deferred.push(i);
                self.next += 1;
                continue;
            }
            if fits || self.page.placements.is_empty() || self.long_note_may_start(i, space) {
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
            // The text goes on overleaf: this page should end at the foot like its
            // neighbours, not short of it.
            self.fill_page();
            self.close_page();
            self.page.chapter = self.block(self.next).chapter;
            self.place_deferred();
        }
    }

    /// Flush bottom: a page that breaks early (the next heading keeps with its text, a
    /// paragraph keeps its last two lines together, a figure does not fit) ends short of
    /// the foot; the space left is shared out among the page's stretchable gaps, the space
    /// above headings, figures, lists and code, and the breaks between paragraphs, never
    /// between the lines of a paragraph. Each gap grows by at most [`MAX_GAP_STRETCH`] times
    /// itself and a paragraph break by at most [`PARAGRAPH_STRETCH`]; what is more than
    /// they can take stays at the foot.
    fn fill_page(&mut self) {
        self.lengthen_paragraphs();
        let Some(last) = self.page.placements.last() else {
            return;
        };
        let bottom = last.y + self.block(last.block).height;
        let slack = self.height - self.foot_height(None) - bottom;
        if slack <= EPSILON {
            return;
        }
        let room = self.gap_room();
        let total: f32 = room.iter().sum();
        if total <= EPSILON {
            return;
        }
        let share = (slack / total).min(1.0);
        let mut shift = 0.0;
        for (placement, room) in self.page.placements.iter_mut().zip(room) {
            shift += room * share;
            placement.y += shift;
        }
    }

    /// How much the gap above each placement of the page may grow (flush bottom).
    fn gap_room(&self) -> Vec<f32> {
        let mut previous_group = None;
        self.page
            .placements
            .iter()
            .enumerate()
            .map(|(n, placement)| {
                let block = self.block(placement.block);
                let group = block.group;
                let new_paragraph = group.is_some() && group != previous_group;
                previous_group = group;
                if n == 0 || block.flow == Flow::Float {
                    0.0
                } else if block.space_before > 0.0 {
                    block.space_before * MAX_GAP_STRETCH
                } else if new_paragraph {
                    PARAGRAPH_STRETCH
                } else {
                    0.0
                }
            })
            .collect()
    }

    /// Page-aware paragraphs: on a page that would end a line or more short, set
    /// paragraphs that lie wholly on it one line longer ([`Looser`]), the cheapest first,
    /// while whole lines of room are left and more than the gaps can take. Paragraphs with
    /// footnotes keep their setting.
    fn lengthen_paragraphs(&mut self) {
        let Some(last) = self.page.placements.last() else {
            return;
        };
        let bottom = last.y + self.block(last.block).height;
        let mut slack = self.height - self.foot_height(None) - bottom;
        let gaps: f32 = self.gap_room().iter().sum();
        if slack <= gaps + EPSILON {
            return;
        }
        // (placement of the paragraph's last line, its first block)
        let mut wholly_here: Vec<(usize, usize)> = Vec::new();
        for (n, placement) in self.page.placements.iter().enumerate() {
            let block = self.block(placement.block);
            let Some(looser) = &block.looser else {
                continue;
            };
            if looser.extra > slack + EPSILON {
                continue;
            }
            let lines = looser.lines;
            let Some(first) = placement.block.checked_sub(lines - 1) else {
                continue;
            };
            // Wholly on this page, its lines one after another, none calling a note.
            let whole = n + 1 >= lines
                && self.page.placements[n + 1 - lines..=n]
                    .iter()
                    .zip(first..)
                    .all(|(p, index)| p.block == index && self.block(index).notes.is_empty());
            if whole {
                wholly_here.push((n, first));
            }
        }
        // Their longer settings, sought now that they may be used: (placement, first
        // block, cost) of those that have one.
        let mut candidates: Vec<(usize, usize, f32)> = Vec::new();
        for (n, first) in wholly_here {
            let last = self.page.placements[n].block;
            let cost = self
                .window
                .get_mut(last - self.base)
                .and_then(|block| block.looser.as_mut())
                .and_then(|looser| looser.settle());
            if let Some(cost) = cost {
                candidates.push((n, first, cost));
            }
        }
        candidates.sort_by(|a, b| a.2.total_cmp(&b.2));
        for (n, first, _) in candidates {
            let last = self.page.placements[n].block;
            let extra = self
                .block(last)
                .looser
                .as_ref()
                .map_or(f32::INFINITY, |l| l.extra);
            if extra > slack + EPSILON || slack <= gaps + EPSILON {
                continue;
            }
            self.swap_in_looser(first, last);
            for placement in &mut self.page.placements[n + 1..] {
                placement.y += extra;
            }
            self.y += extra;
            slack -= extra;
        }
    }

    /// Give blocks `first..=last` (one paragraph) the content of its looser setting.
    fn swap_in_looser(&mut self, first: usize, last: usize) {
        let Some(looser) = self
            .window
            .get_mut(last - self.base)
            .and_then(|block| block.looser.take())
        else {
            return;
        };
        let Looser {
            setting: LooserSetting::Ready(contents, _),
            extra,
            first_prefix,
            last_line_end,
            ..
        } = *looser
        else {
            return;
        };
        let suffix: Vec<Content> = {
            let block = &mut self.window[last - self.base];
            let from = last_line_end.min(block.content.len());
            block.height += extra;
            block.content.split_off(from)
        };
        for (index, mut content) in (first..=last).zip(contents) {
            let block = &mut self.window[index - self.base];
            if index == first {
                let prefix = first_prefix.min(block.content.len());
                content.splice(0..0, block.content.drain(..prefix));
            }
            block.content = content;
        }
        self.window[last - self.base].content.extend(suffix);
    }

    fn place_deferred(&mut self) {
        while let Some(&next) = self.deferred.first() {
            let (h, space_before) = {
                let b = self.block(next);
                (b.height, b.space_before)
            };
            if self.y + h + self.foot_height(None) <= self.height || self.page.placements.is_empty()
            {
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
                self.close_page();
                self.page.chapter = chapter;
            }
        }
    }

    /// Close the page if it holds anything, and then pages of notes alone until no note
    /// runs over (before a chapter opens or the list ends).
    fn flush_page(&mut self) {
        if !self.page.placements.is_empty() {
            self.close_page();
        }
        while !self.carry.is_empty() {
            let chapter = self.page.chapter;
            self.close_page();
            self.page.chapter = chapter;
        }
    }

    /// The note lines of the current page: those carried over, then the notes of the
    /// blocks placed (and of block `extra`, if given), in order.
    fn note_lines(&self, extra: Option<usize>) -> Vec<(usize, usize)> {
        let mut lines = self.carry.clone();
        for block in self.page.placements.iter().map(|p| p.block).chain(extra) {
            lines.extend((0..self.block(block).notes.len()).map(|line| (block, line)));
        }
        lines
    }

    /// Whether block `i`, which does not fit with all its notes, may still be placed with
    /// the start of a long note: a note that would take more than [`LONG_NOTE`] of a page
    /// runs on to the next page anyway, so it begins on the page of its call as long as
    /// [`NOTE_LINES_FIRST`] of its lines fit, rather than leave a gap under the text.
    fn long_note_may_start(&self, i: usize, space: f32) -> bool {
        let block = self.block(i);
        let own: f32 = block.notes.iter().map(|n| n.height + n.space_before).sum();
        if block.notes.is_empty() || own <= self.height * LONG_NOTE {
            return false;
        }
        let lines = self.note_lines(Some(i));
        let before = lines.len() - block.notes.len();
        let foot: f32 = lines
            .iter()
            .take(before + NOTE_LINES_FIRST)
            .enumerate()
            .map(|(n, line)| self.note_line_height(*line, n == 0))
            .sum();
        self.y + space + block.height + self.note_skip + foot <= self.height
    }

    /// Height of a note line at the foot, with the space above it unless it comes first.
    fn note_line_height(&self, (block, line): (usize, usize), first: bool) -> f32 {
        self.block(block).notes.get(line).map_or(0.0, |note| {
            note.height + if first { 0.0 } else { note.space_before }
        })
    }

    /// Room the foot of the current page takes (with block `extra` placed too): the notes
    /// and the skip above them, or nothing without notes.
    fn foot_height(&self, extra: Option<usize>) -> f32 {
        let lines = self.note_lines(extra);
        if lines.is_empty() {
            return 0.0;
        }
        let notes: f32 = lines
            .iter()
            .enumerate()
            .map(|(n, line)| self.note_line_height(*line, n == 0))
            .sum();
        self.note_skip + notes
    }

    /// Finish the current page: set its notes at the foot of the text area, as many lines
    /// as fit under the text (at least one on a page of notes alone, so that every page
    /// moves on); the rest wait for the next page.
    fn close_page(&mut self) {
        let lines = self.note_lines(None);
        let carried = self.carry.len();
        let room = self.height - self.y - self.note_skip;
        let mut used = 0.0;
        let mut fitting = 0;
        for (n, line) in lines.iter().enumerate() {
            let h = self.note_line_height(*line, n == 0);
            let alone = n == 0 && self.page.placements.is_empty();
            if used + h > room + EPSILON && !alone {
                break;
            }
            used += h;
            fitting = n + 1;
        }
        // The notes sit at the bottom of the text area, however short the text above.
        let mut y = self.height - used;
        if fitting > 0 {
            self.page.foot = Some(y - self.note_skip);
        }
        for (n, &(block, line)) in lines[..fitting].iter().enumerate() {
            let h = self.note_line_height((block, line), n == 0);
            let space = h - self.block(block).notes.get(line).map_or(0.0, |l| l.height);
            self.page.notes.push(NotePlacement {
                block,
                line,
                y: y + space,
                continued: n < carried,
            });
            y += h;
        }
        self.carry = lines[fitting..].to_vec();
        self.finished.push_back(std::mem::take(&mut self.page));
        self.y = 0.0;
    }
}

/// Room above the notes when the caller sets none ([`Paginator::with_note_skip`]).
const DEFAULT_NOTE_SKIP: f32 = 12.0;

/// A note taller than this share of the page may begin under its call and run on.
const LONG_NOTE: f32 = 0.5;

/// Lines of a long note that must fit under its call for the note to begin there.
const NOTE_LINES_FIRST: usize = 2;

/// Slack for rounding when notes are measured against the room left for them.
const EPSILON: f32 = 0.01;

/// Flush bottom: a gap above a heading, figure, list or code block may grow to this many
/// times more than itself on a page that would otherwise end short.
const MAX_GAP_STRETCH: f32 = 1.5;

/// Flush bottom: the break between two paragraphs may grow by this many points (about a
/// fifth of a line at 10 pt), so that a page of prose alone still ends at the foot.
const PARAGRAPH_STRETCH: f32 = 3.0;

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

    /// Paragraphs of `n` lines, each line in the paragraph's group, a `gap` above each
    /// but the first.
    fn paragraphs(sizes: &[usize], gap: f32, blocks: &mut Vec<VBlock>) {
        for (group, &n) in sizes.iter().enumerate() {
            let first = blocks.len();
            paragraph(n, blocks);
            for block in &mut blocks[first..] {
                block.group = Some(group);
            }
            if group > 0 {
                blocks[first].space_before = gap;
            }
        }
    }

    fn bottom(blocks: &[VBlock], page: &PagePlan) -> f32 {
        page.placements
            .last()
            .map_or(0.0, |p| p.y + blocks[p.block].height)
    }

    #[test]
    fn a_page_that_breaks_early_is_filled_to_the_foot_between_paragraphs_not_lines() {
        // Three paragraphs of 3 lines (10 pt each) and a heading that keeps with the
        // next two lines: on a 100 pt page the heading moves on, leaving 10 pt.
        let mut blocks = Vec::new();
        paragraphs(&[3, 3, 3], 0.0, &mut blocks);
        let mut heading = VBlock::new(10.0, 0);
        heading.space_before = 5.0;
        blocks.push(heading);
        let mut rest = Vec::new();
        paragraph(4, &mut rest);
        rest[0].break_before = false;
        blocks.extend(rest);
        let pages = paginate(&blocks, 100.0);
        assert_eq!(lines_per_page(&pages), [9, 5]);
        let first = &pages[0];
        // Two paragraph breaks share the 10 pt, each within PARAGRAPH_STRETCH: the page
        // ends 4 pt short instead of 10.
        assert!((bottom(&blocks, first) - (90.0 + 2.0 * PARAGRAPH_STRETCH)).abs() < 0.01);
        // Lines of one paragraph stay 10 pt apart; the breaks between them grew.
        let y: Vec<f32> = first.placements.iter().map(|p| p.y).collect();
        assert_eq!((y[1] - y[0], y[2] - y[1]), (10.0, 10.0));
        assert!((y[3] - y[2] - (10.0 + PARAGRAPH_STRETCH)).abs() < 0.01);
        // The last page of the flow is not stretched.
        assert_eq!(bottom(&blocks, &pages[1]), pages[1].placements[0].y + 50.0);
    }

    #[test]
    fn gaps_above_headings_take_the_slack_up_to_their_limit() {
        // A paragraph, a gap of 4 pt above a second one, then a heading that must move:
        // the gap may grow by MAX_GAP_STRETCH times itself and fills the page.
        let mut blocks = Vec::new();
        paragraphs(&[4, 4], 4.0, &mut blocks);
        let mut heading = VBlock::new(10.0, 0);
        heading.space_before = 5.0;
        blocks.push(heading);
        let mut rest = Vec::new();
        paragraph(4, &mut rest);
        rest[0].break_before = false;
        blocks.extend(rest);
        let pages = paginate(&blocks, 96.0);
        assert_eq!(lines_per_page(&pages)[0], 8);
        // 84 pt used, 12 pt left; the gap may take 4 × 1.5 = 6 pt of it (a gap does not
        // also stretch as a paragraph break): the page ends 6 pt short.
        let stretch = 4.0 * MAX_GAP_STRETCH;
        assert!((bottom(&blocks, &pages[0]) - (84.0 + stretch)).abs() < 0.01);
    }

    /// A marker item for tests: a rule of width `n`.
    fn marker(n: f32) -> Content {
        Content::Item(PageItem::Rule {
            rect: Rect {
                x: 0.0,
                y: 0.0,
                width: n,
                height: 0.0,
            },
            gray: 0.0,
        })
    }

    fn marker_width(content: &Content) -> f32 {
        match content {
            Content::Item(PageItem::Rule { rect, .. }) => rect.width,
            _ => -1.0,
        }
    }

    /// Give the paragraph of `lines` blocks ending at `blocks[last]` a setting one line
    /// longer, its lines marked 100, 101, …; the original lines are marked 1, 2, … after
    /// a structure start (marked 0) on the first line and before an end (marked 9) on the
    /// last.
    fn with_looser(blocks: &mut [VBlock], last: usize, lines: usize, cost: f32) {
        let first = last + 1 - lines;
        for (j, block) in blocks[first..=last].iter_mut().enumerate() {
            block.content = vec![marker(1.0 + j as f32)];
        }
        blocks[first].content.insert(0, marker(0.0));
        let last_line_end = blocks[last].content.len();
        blocks[last].content.push(marker(9.0));
        let mut contents: Vec<Vec<Content>> =
            (0..lines).map(|j| vec![marker(100.0 + j as f32)]).collect();
        if let Some(last_content) = contents.last_mut() {
            last_content.push(marker(100.0 + lines as f32));
        }
        blocks[last].looser = Some(Box::new(Looser {
            lines,
            extra: 10.0,
            first_prefix: 1,
            last_line_end,
            setting: LooserSetting::Ready(contents, cost),
        }));
    }

    #[test]
    fn a_page_a_line_short_sets_its_cheapest_paragraph_a_line_longer() {
        // Paragraphs of 4, 4 and 3 lines on a 125 pt page, then a heading kept with two
        // lines: 110 pt used, 15 pt short, more than the two breaks between paragraphs
        // can take (6 pt): one paragraph is set a line longer (the cheaper of the two
        // offered), and the breaks take the 5 pt left.
        let mut blocks = Vec::new();
        paragraphs(&[4, 4, 3], 0.0, &mut blocks);
        with_looser(&mut blocks, 3, 4, 0.9);
        with_looser(&mut blocks, 7, 4, 0.4);
        let mut heading = VBlock::new(10.0, 0);
        heading.space_before = 10.0;
        blocks.push(heading);
        let mut rest = Vec::new();
        paragraph(4, &mut rest);
        rest[0].break_before = false;
        blocks.extend(rest);
        let mut paginator = Paginator::new(125.0);
        for block in blocks.iter().cloned() {
            paginator.push(block);
        }
        paginator.finish();
        let page = paginator.next_page().expect("a page");
        assert_eq!(page.placements.len(), 11);
        let contents: Vec<Vec<f32>> = (4..=7)
            .map(|i| {
                let block = paginator.block_mut(i).expect("kept");
                block.content.iter().map(marker_width).collect()
            })
            .collect();
        // The second paragraph took its looser setting, its structure tags kept.
        assert_eq!(
            contents,
            [
                vec![0.0, 100.0],
                vec![101.0],
                vec![102.0],
                vec![103.0, 104.0, 9.0]
            ]
        );
        assert_eq!(paginator.block_mut(7).map(|b| b.height), Some(20.0));
        // The first paragraph kept its own.
        let first = paginator.block_mut(0).expect("kept");
        assert_eq!(marker_width(&first.content[1]), 1.0);
        // 120 pt of lines, and the two paragraph breaks took the last 5 pt: the page
        // ends at the foot.
        let last = page.placements.last().expect("placed");
        let end = last.y + paginator.block_mut(last.block).map_or(0.0, |b| b.height);
        assert!((end - 125.0).abs() < 0.01, "ends at {end}");
    }

    #[test]
    fn a_paragraph_calling_a_note_keeps_its_setting() {
        // As above, but both paragraphs offered call a note: neither is set anew (the
        // note would have to follow its call to another line), and the page stays short.
        let mut blocks = Vec::new();
        paragraphs(&[4, 4, 3], 0.0, &mut blocks);
        with_looser(&mut blocks, 3, 4, 0.9);
        with_looser(&mut blocks, 7, 4, 0.4);
        blocks[1].notes = note(1, 1.0, 0.0);
        blocks[6].notes = note(1, 1.0, 0.0);
        let mut heading = VBlock::new(10.0, 0);
        heading.space_before = 10.0;
        blocks.push(heading);
        let mut rest = Vec::new();
        paragraph(4, &mut rest);
        rest[0].break_before = false;
        blocks.extend(rest);
        let mut paginator = Paginator::new(150.0);
        for block in blocks.iter().cloned() {
            paginator.push(block);
        }
        paginator.finish();
        let page = paginator.next_page().expect("a page");
        assert_eq!(page.placements.len(), 11);
        let mut markers = Vec::new();
        for i in 0..=10 {
            if let Some(block) = paginator.block_mut(i) {
                markers.extend(block.content.iter().map(marker_width));
            }
        }
        assert!(markers.iter().all(|m| *m < 100.0), "{markers:?}");
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
    fn a_float_never_overtakes_one_waiting_before_it() {
        // A tall figure that does not fit, then a small one that would: the small one
        // waits too, and both open the next page in their order.
        let mut blocks = Vec::new();
        paragraph(6, &mut blocks);
        let mut tall = VBlock::new(60.0, 0);
        tall.flow = Flow::Float;
        blocks.push(tall);
        paragraph(2, &mut blocks);
        let mut small = VBlock::new(10.0, 0);
        small.flow = Flow::Float;
        blocks.push(small);
        paragraph(4, &mut blocks);
        let pages = paginate(&blocks, 100.0);
        let order: Vec<usize> = pages
            .iter()
            .flat_map(|p| &p.placements)
            .map(|p| p.block)
            .filter(|b| blocks[*b].flow == Flow::Float)
            .collect();
        assert_eq!(order, [6, 9]);
        let second: Vec<usize> = pages[1].placements.iter().map(|p| p.block).collect();
        assert_eq!(&second[..2], [6, 9], "both at the top of page two");
    }

    #[test]
    fn a_float_waiting_when_the_chapter_ends_stays_in_its_chapter() {
        // The figure does not fit under the last lines of chapter 0: it gets a page of its
        // own in chapter 0, before chapter 1 opens.
        let mut blocks = Vec::new();
        paragraph(8, &mut blocks);
        let mut figure = VBlock::new(60.0, 0);
        figure.flow = Flow::Float;
        blocks.push(figure);
        let mut opening = VBlock::new(10.0, 1);
        opening.flow = Flow::NewPage;
        blocks.push(opening);
        paragraph(2, &mut blocks);
        let pages = paginate(&blocks, 100.0);
        assert_eq!(lines_per_page(&pages), [8, 1, 3]);
        assert_eq!(pages[1].placements[0].block, 8);
        assert_eq!(pages[1].chapter, 0);
        assert!(pages[2].opening && pages[2].chapter == 1);
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

    /// A note of `lines` lines, each `height` tall with `space` above it.
    fn note(lines: usize, height: f32, space: f32) -> Vec<VBlock> {
        (0..lines)
            .map(|_| {
                let mut line = VBlock::new(height, 0);
                line.space_before = space;
                line
            })
            .collect()
    }

    /// `n` lines of 10 points, a page break allowed before each.
    fn lines(n: usize) -> Vec<VBlock> {
        (0..n).map(|_| VBlock::new(10.0, 0)).collect()
    }

    #[test]
    fn room_is_kept_at_the_foot_for_the_notes_of_the_page() {
        let mut blocks = lines(20);
        blocks[2].notes = note(2, 8.0, 2.0);
        let pages = paginate(&blocks, 100.0);
        // Foot: skip 12 + 8 + 2 + 8 = 30, so seven lines of text instead of ten.
        assert_eq!(lines_per_page(&pages), [7, 10, 3]);
        let notes = &pages[0].notes;
        assert_eq!(notes.len(), 2);
        // Set at the bottom of the text area, the space between them kept.
        assert!((notes[0].y - 82.0).abs() < 1e-3 && (notes[1].y - 92.0).abs() < 1e-3);
        assert!(notes.iter().all(|n| n.block == 2 && !n.continued));
        assert_eq!(pages[0].foot, Some(70.0));
        assert!(pages[1].notes.is_empty() && pages[1].foot.is_none());
    }

    #[test]
    fn a_line_whose_notes_do_not_fit_moves_to_the_next_page() {
        let mut blocks = lines(12);
        blocks[8].notes = note(1, 8.0, 0.0);
        let pages = paginate(&blocks, 100.0);
        // Line 8 would end at 90, its note's foot (20) under it: over 100.
        assert_eq!(lines_per_page(&pages), [8, 4]);
        assert_eq!(pages[1].placements[0].block, 8);
        assert_eq!(pages[1].notes.len(), 1);
        assert!(pages[0].notes.is_empty());
    }

    #[test]
    fn the_first_line_keeps_its_notes_and_a_long_note_runs_on() {
        let mut blocks = lines(8);
        blocks[0].notes = note(15, 8.0, 0.0);
        let pages = paginate(&blocks, 100.0);
        // Page one: the calling line, and the nine note lines that fit under it (room:
        // 100 - 10 - 12 = 78); the next line would need the whole note's room.
        assert_eq!(pages[0].placements.len(), 1);
        assert_eq!(pages[0].notes.len(), 9);
        assert!(pages[0].notes.iter().all(|n| !n.continued));
        // Page two: the six lines left open its foot (12 + 48 = 60): four lines of text.
        assert_eq!(pages[1].notes.len(), 6);
        assert!(pages[1].notes.iter().all(|n| n.continued && n.block == 0));
        assert_eq!(lines_per_page(&pages), [1, 4, 3]);
        let order: Vec<usize> = pages
            .iter()
            .flat_map(|p| &p.notes)
            .map(|n| n.line)
            .collect();
        assert_eq!(
            order,
            (0..15).collect::<Vec<_>>(),
            "every line once, in order"
        );
        for page in &pages {
            let text_end = page
                .placements
                .iter()
                .map(|p| p.y + 10.0)
                .fold(0.0, f32::max);
            if let Some(foot) = page.foot {
                assert!(foot + 12.0 - 1e-3 >= text_end, "notes under the text");
            }
        }
    }

    #[test]
    fn a_long_note_begins_under_its_call_and_runs_on() {
        let mut blocks = lines(12);
        blocks[4].notes = note(15, 8.0, 0.0);
        let pages = paginate(&blocks, 100.0);
        // The note (120) could never fit whole: line 4 stays on page one (ending at 50),
        // with the four note lines that fit under it (100 - 50 - 12 = 38).
        assert_eq!(pages[0].placements.len(), 5);
        assert_eq!(pages[0].notes.len(), 4);
        assert!(pages[1].notes.iter().all(|n| n.continued));
        let placed: usize = pages.iter().map(|p| p.notes.len()).sum();
        assert_eq!(placed, 15);
    }

    #[test]
    fn a_note_longer_than_the_list_gets_pages_of_its_own() {
        let mut blocks = lines(1);
        blocks[0].notes = note(30, 8.0, 0.0);
        let mut paginator = Paginator::new(100.0);
        let mut pages = Vec::new();
        let take = |paginator: &mut Paginator, pages: &mut Vec<PagePlan>| {
            while let Some(page) = paginator.next_page() {
                for n in &page.notes {
                    // The calling block is held until the last line of its note is out.
                    let line = paginator
                        .block_mut(n.block)
                        .and_then(|b| b.notes.get(n.line));
                    assert!(line.is_some(), "note line {} let go too early", n.line);
                }
                pages.push(page);
            }
            paginator.release();
        };
        for block in blocks {
            paginator.push(block);
            take(&mut paginator, &mut pages);
        }
        paginator.finish();
        take(&mut paginator, &mut pages);
        let placed: usize = pages.iter().map(|p| p.notes.len()).sum();
        assert_eq!(placed, 30);
        assert!(pages.len() >= 3, "{} pages", pages.len());
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
