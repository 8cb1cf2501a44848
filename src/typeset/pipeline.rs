//! The threads of a PDF build. A chapter starts on a new page, so chapters can be laid out
//! apart: one worker per core (up to [`MAX_WORKERS`]) takes the next chapter not yet taken
//! and streams its pages through a small channel of its own; the calling thread reads the
//! chapters in book order, numbers the pages, adds running heads and folios, and hands them
//! to the sink (the writer). Memory holds a few pages per worker, however long the book or a
//! chapter; the output is the same as laying the chapters out one after another.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, sync_channel, Receiver};

use super::fonts::FontSet;
use super::fonts::{Family, Style};
use super::frame::{Navigation, PageSink};
use super::layout::{
    flow_units, front_matter_into, missing_characters_warning, BookPages, ChapterPage, Decorator,
    Layout, PageGeometry,
};
use super::shape::{ShapedAhead, Shaper};
use crate::ir::{self, Book};
use crate::{Diagnostics, Error, Result};

/// Layout workers at most. The writer is a single thread, and on ordinary prose it takes
/// about as long per page as one worker (5 MB: layout 0.42 s, writing 0.56 s); each worker
/// has its own shaping and hyphenation caches (tens of megabytes on a large book), so more
/// workers would cost memory without gaining time.
const MAX_WORKERS: usize = 4;

/// Pages a worker may lay out ahead of the writer: enough to keep every thread busy, few
/// enough that memory holds a handful of pages.
const PAGES_IN_FLIGHT: usize = 16;

/// What a worker sends about the chapter it lays out.
enum Message {
    /// The next page.
    Page(ChapterPage),
    /// The chapter is done: its navigation (pages counted within it) and warnings.
    Done(Result<Navigation>, Diagnostics),
}

/// Lay `book` out on `geometry` with every core and hand the pages, in order, to `sink`.
/// Returns where the bookmarks and anchors landed.
pub fn lay_out_into(
    book: &Book,
    fonts: &FontSet,
    geometry: PageGeometry,
    sink: &mut dyn PageSink,
    diagnostics: &mut Diagnostics,
) -> Result<Navigation> {
    lay_out(book, fonts, geometry, sink, diagnostics, true)
}

/// [`lay_out_into`] while the caller keeps another thread of its own busy (the EPUB makes
/// its package beside the layout of its page list): no core is spare, so an article's
/// later paragraphs are not shaped ahead on one. With that thread competing for the second
/// core, shaping ahead made the seed's EPUB 0.6 ms slower (8.3 ms without, 8.9 with;
/// `perf stat`, 4 × 80 runs interleaved), while it makes the PDF, where the core is free,
/// 0.8 ms faster.
pub fn lay_out_into_alongside(
    book: &Book,
    fonts: &FontSet,
    geometry: PageGeometry,
    sink: &mut dyn PageSink,
    diagnostics: &mut Diagnostics,
) -> Result<Navigation> {
    lay_out(book, fonts, geometry, sink, diagnostics, false)
}

/// [`lay_out_into`], shaping an article ahead on a spare core if `spare_core` allows.
fn lay_out(
    book: &Book,
    fonts: &FontSet,
    geometry: PageGeometry,
    sink: &mut dyn PageSink,
    diagnostics: &mut Diagnostics,
    spare_core: bool,
) -> Result<Navigation> {
    // Units of chapters laid out apart: a book's chapters, or an article as one flow.
    let units = flow_units(book);
    let glyphs = sink.wants_glyphs();
    let chapters = units.len();
    let cores = crate::cores();
    let workers = cores.clamp(1, chapters.clamp(1, MAX_WORKERS));
    let next_chapter = AtomicUsize::new(0);
    let (announce, announcements) = channel::<(usize, Receiver<Message>)>();
    // A ticket per chapter taken and not yet read: a worker takes one before it takes a
    // chapter, the reader gives one back when it has read a chapter. Without them, short
    // chapters (each fitting its page channel) let the workers run ahead of the writer
    // through the whole book, holding every page (1.45 GB for 50 MB of two-page chapters).
    // Ticket first, chapter second: the chapters in flight are then always the next ones
    // the reader needs, so it never waits on a chapter nobody may start.
    let (take_ticket, give_back) = sync_channel::<()>(workers * 2);
    // Words shaped on one thread, for the others (see `ShapedAhead`): each worker takes
    // them in from a channel of its own and sends the words it shapes to the other workers.
    let (senders, receivers): (Vec<_>, Vec<_>) =
        (0..workers).map(|_| channel::<ShapedAhead>()).unzip();
    // One flow (an article) on one worker, and a core to spare (the caller's other work
    // permitting): that core shapes the flow's later paragraphs ahead of the worker.
    let shaped_ahead = (units.len() == 1 && cores > 1 && spare_core).then(|| senders[0].clone());
    let anyone_sends = workers > 1 || shaped_ahead.is_some();
    let links: Vec<_> = receivers
        .into_iter()
        .enumerate()
        .map(|(worker, receive)| {
            let peers: Vec<_> = (0..workers)
                .filter(|&other| other != worker)
                .map(|other| senders[other].clone())
                .collect();
            (anyone_sends.then_some(receive), peers)
        })
        .collect();
    drop(senders);
    std::thread::scope(|scope| {
        if let (Some(to), Some(unit)) = (shaped_ahead, units.first()) {
            scope.spawn(move || {
                let shaper = Shaper::new(fonts).with_text_figures(book.settings.figures);
                shaper.shape_ahead(
                    later_paragraphs(book, unit.clone())
                        .iter()
                        .map(String::as_str),
                    Family::Body,
                    Style::default(),
                    &to,
                );
            });
        }
        let handles: Vec<_> = links
            .into_iter()
            .map(|(receive, peers)| {
                let announce = announce.clone();
                let take_ticket = take_ticket.clone();
                let next_chapter = &next_chapter;
                let units = &units;
                scope.spawn(move || {
                    let mut shaper = Shaper::new(fonts)
                        .with_text_figures(book.settings.figures)
                        .sharing_words_with(peers);
                    if let Some(receive) = receive {
                        shaper = shaper.taking_words_from(receive);
                    }
                    let mut layout = Layout::new(&shaper, book, geometry);
                    if !glyphs {
                        layout = layout.without_glyphs();
                    }
                    loop {
                        // The reader hangs up only when it has stopped.
                        if take_ticket.send(()).is_err() {
                            break;
                        }
                        let index = next_chapter.fetch_add(1, Ordering::Relaxed);
                        let Some(unit) = units.get(index) else {
                            break;
                        };
                        let (pages, received) = sync_channel(PAGES_IN_FLIGHT);
                        // The reader hangs up only when it has stopped (an error of its own).
                        if announce.send((index, received)).is_err() {
                            break;
                        }
                        let mut warnings = Diagnostics::default();
                        let navigation = layout.chapters(
                            unit.clone(),
                            &mut |page| {
                                pages
                                    .send(Message::Page(page))
                                    .map_err(|_| Error::Pdf("the PDF writer stopped".into()))
                            },
                            &mut warnings,
                        );
                        let failed = navigation.is_err();
                        if pages.send(Message::Done(navigation, warnings)).is_err() || failed {
                            break;
                        }
                    }
                    shaper.missing_characters()
                })
            })
            .collect();
        drop(announce);
        drop(take_ticket);

        let shaper = Shaper::new(fonts).with_text_figures(book.settings.figures);
        let mut book_pages = BookPages::new(Decorator::new(&shaper, book, geometry), sink);
        // The front matter, laid out here while the workers start on the chapters.
        let result = match front_matter_into(&shaper, book, geometry, &mut book_pages) {
            Ok(()) => read_in_order(chapters, announcements, give_back, book_pages, diagnostics),
            Err(error) => {
                drop((announcements, give_back));
                Err(error)
            }
        };
        // `read_in_order` has dropped every receiver, so workers still running stop at
        // their next page; a worker's panic goes on to the caller.
        let mut missing: BTreeSet<char> = shaper.missing_characters().into_iter().collect();
        for handle in handles {
            let found = handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            missing.extend(found);
        }
        let missing: Vec<char> = missing.into_iter().collect();
        if let Some(warning) = missing_characters_warning(&missing) {
            diagnostics.warn(warning);
        }
        result
    })
}

/// Take the chapters' pages in book order and pass them on as book pages.
fn read_in_order(
    chapters: usize,
    announcements: Receiver<(usize, Receiver<Message>)>,
    tickets: Receiver<()>,
    mut book_pages: BookPages<'_, '_, '_>,
    diagnostics: &mut Diagnostics,
) -> Result<Navigation> {
    let stopped = |index: usize| Error::Pdf(format!("layout of chapter {} stopped", index + 1));
    let mut announced: BTreeMap<usize, Receiver<Message>> = BTreeMap::new();
    for index in 0..chapters {
        let chapter = loop {
            if let Some(chapter) = announced.remove(&index) {
                break chapter;
            }
            let (announced_index, chapter) = announcements.recv().map_err(|_| stopped(index))?;
            announced.insert(announced_index, chapter);
        };
        loop {
            match chapter.recv().map_err(|_| stopped(index))? {
                Message::Page(page) => book_pages.page(page)?,
                Message::Done(part, warnings) => {
                    for warning in warnings.warnings {
                        diagnostics.push(warning);
                    }
                    book_pages.chapter_done(part?);
                    // Let a worker take the next chapter.
                    let _ = tickets.try_recv();
                    break;
                }
            }
        }
    }
    Ok(book_pages.into_navigation())
}

/// Where the shaping ahead of one flow starts: this far into its paragraphs. The worker
/// sets the paragraphs before it meanwhile, in about the time the spare core takes to
/// shape the rest (shaping alone is about half of setting a paragraph).
const SHAPE_AHEAD_FROM: f32 = 0.3;

/// The plain text of the top-level paragraphs of `chapters`, from [`SHAPE_AHEAD_FROM`] on.
fn later_paragraphs(book: &Book, chapters: std::ops::Range<usize>) -> Vec<String> {
    let paragraphs: Vec<String> = book
        .chapters
        .get(chapters)
        .unwrap_or_default()
        .iter()
        .flat_map(|chapter| &chapter.blocks)
        .filter_map(|block| match block {
            ir::Block::Paragraph(inlines) => Some(ir::plain_text(inlines)),
            _ => None,
        })
        .collect();
    let skip = (paragraphs.len() as f32 * SHAPE_AHEAD_FROM) as usize;
    paragraphs.into_iter().skip(skip).collect()
}
