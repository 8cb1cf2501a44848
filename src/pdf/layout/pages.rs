//! From the paginated vertical list to pages: placement, anchors and bookmarks, internal
//! links, running heads and folios.

use std::collections::BTreeMap;

use super::content::{line_content, offset_content, shift_x};
use super::Layout;
use crate::pdf::frame::{
    LaidOutDocument, LinkDestination, OutlineEntry, Page, PageItem, Rect, Role,
};
use crate::pdf::paginate::{paginate, Content, PagePlan};
use crate::pdf::text::{set_lines, Alignment, LinkRef, ParagraphBuilder, Span, TextStyle};

impl Layout<'_, '_> {
    /// Paginate and turn the blocks into pages with running heads, folios and links.
    pub(super) fn into_pages(mut self) -> LaidOutDocument {
        let g = self.geometry;
        let mut blocks = std::mem::take(&mut self.blocks);
        let plans = paginate(&blocks, g.text_height);
        // Where every anchor landed, for internal links and bookmarks.
        let mut anchors: BTreeMap<String, (usize, f32)> = BTreeMap::new();
        let mut outline = Vec::new();
        for (p, plan) in plans.iter().enumerate() {
            for placement in &plan.placements {
                let block = &blocks[placement.block];
                let y = g.top + placement.y;
                for anchor in &block.anchors {
                    anchors.entry(anchor.clone()).or_insert((p, y));
                }
                if let Some((title, level)) = &block.outline {
                    outline.push(OutlineEntry {
                        title: title.clone(),
                        level: *level,
                        page: p,
                        y,
                    });
                }
            }
        }
        let mut pages = Vec::with_capacity(plans.len());
        for (p, plan) in plans.iter().enumerate() {
            let mut page = Page {
                width: g.width,
                height: g.height,
                items: Vec::new(),
            };
            for placement in &plan.placements {
                // Each block is placed once: move its content instead of copying it.
                let content = std::mem::take(&mut blocks[placement.block].content);
                for content in content {
                    match offset_content(content, g.top + placement.y) {
                        Content::Item(item) => page.items.push(shift_x(item, g.left)),
                        Content::Link(rect, target) => {
                            let target = match target {
                                LinkRef::Uri(uri) => Some(LinkDestination::Uri(uri)),
                                LinkRef::Anchor(id) => anchors.get(id.as_str()).map(|(page, y)| {
                                    LinkDestination::Internal { page: *page, y: *y }
                                }),
                            };
                            if let Some(target) = target {
                                page.items.push(PageItem::Link {
                                    rect: Rect {
                                        x: rect.x + g.left,
                                        ..rect
                                    },
                                    target,
                                });
                            }
                        }
                    }
                }
            }
            self.running_head_and_folio(p, plan, &mut page);
            pages.push(page);
        }
        LaidOutDocument { pages, outline }
    }

    pub(super) fn running_head_and_folio(&self, p: usize, plan: &PagePlan, page: &mut Page) {
        let g = self.geometry;
        let size = (g.body_size * 0.8 * 2.0).round() / 2.0;
        let folio = (p + 1).to_string();
        let mut style = TextStyle::serif(size);
        style.gray = 0.25;
        // Chapter openings carry neither running head nor folio (the page speaks for itself).
        if plan.opening {
            return;
        }
        let folio_baseline = g.top + g.text_height + (g.height - g.top - g.text_height) * 0.45;
        self.centered_line(&folio, style.clone(), folio_baseline, page);
        {
            let title = if p % 2 == 1 {
                self.book.meta.title.clone()
            } else {
                self.book
                    .chapters
                    .get(plan.chapter)
                    .map(|c| c.title_text())
                    .unwrap_or_default()
            };
            style.style.italic = true;
            self.centered_line(&title, style, g.top * 0.6, page);
        }
    }

    pub(super) fn centered_line(
        &self,
        text: &str,
        style: TextStyle,
        baseline: f32,
        page: &mut Page,
    ) {
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
