//! From the paginated vertical list to pages: placement, anchors and bookmarks, internal
//! links, running heads and folios.

use super::content::{line_content, offset_content, shift_x};
use super::Layout;
use crate::pdf::frame::{LinkDestination, OutlineEntry, Page, PageItem, PageSink, Rect, Role};
use crate::pdf::paginate::{Content, PagePlan};
use crate::pdf::text::{set_lines, Alignment, LinkRef, ParagraphBuilder, Span, TextStyle};
use crate::Result;

impl Layout<'_, '_> {
    /// Hand the blocks built so far to the paginator and every page it has finished to
    /// `sink`, with running heads, folios and links; then let go of the blocks placed.
    pub(super) fn emit_pages(&mut self, sink: &mut dyn PageSink) -> Result<()> {
        for block in self.blocks.drain(..) {
            self.paginator.push(block);
        }
        while let Some(plan) = self.paginator.next_page() {
            let page = self.page_from_plan(&plan);
            sink.page(page)?;
            self.pages_done += 1;
        }
        self.paginator.release();
        Ok(())
    }

    /// One finished page: its blocks' content placed, anchors and bookmarks recorded.
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
        self.running_head_and_folio(p, plan, &mut page);
        page
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
        if let Some(line) = set_lines(&paragraph, &lines, Alignment::Center, g.measure).first() {
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
