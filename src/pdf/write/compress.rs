//! Page content streams compressed beside the writer. Drawing a page and compressing its
//! content were the writer's work, one thread for the whole book while the layout workers
//! wait on it; past the first few pages, compression moves to a thread of its own, fed
//! through a small channel, so that the writer draws the next page meanwhile.

use std::sync::mpsc::{sync_channel, SyncSender};
use std::thread::JoinHandle;

use lopdf::ObjectId;

use super::content::{page_deflater, Deflater};

/// Pages compressed on the writer's own thread: a short document does not pay for starting
/// a thread (a new thread's heap costs about as much as compressing a few pages).
const INLINE_PAGES: usize = 16;

/// Pages waiting for the compressor at most: the writer stops when it is that far ahead,
/// so memory holds a handful of uncompressed pages however long the book.
const PAGES_QUEUED: usize = 16;

/// Content streams by object id, compressed.
pub(super) type Compressed = Vec<(ObjectId, Vec<u8>)>;

/// Compresses page content streams, inline or on its thread; the results come back, by
/// object id, when the document is finished.
pub(super) struct PageCompressor {
    deflater: Deflater,
    pages: usize,
    done: Compressed,
    worker: Option<Worker>,
}

/// The compressing thread and the channel that feeds it.
struct Worker {
    queue: SyncSender<(ObjectId, Vec<u8>)>,
    handle: JoinHandle<std::io::Result<Compressed>>,
}

impl PageCompressor {
    /// A compressor that has seen no page.
    pub fn new() -> Self {
        PageCompressor {
            deflater: page_deflater(),
            pages: 0,
            done: Vec::new(),
            worker: None,
        }
    }

    /// Compress `content`, the stream of object `id`, now or on the thread.
    pub fn add(&mut self, id: ObjectId, content: Vec<u8>) -> std::io::Result<()> {
        self.pages += 1;
        if self.pages <= INLINE_PAGES {
            let compressed = self.deflater.deflate(&content)?;
            self.done.push((id, compressed));
            return Ok(());
        }
        let worker = self.worker.get_or_insert_with(Worker::start);
        // A send fails only when the thread has stopped on an error, which `finish` reports.
        let _ = worker.queue.send((id, content));
        Ok(())
    }

    /// Every stream added, compressed, once the thread (if any) has finished.
    pub fn finish(&mut self) -> std::io::Result<Compressed> {
        let mut all = std::mem::take(&mut self.done);
        if let Some(Worker { queue, handle }) = self.worker.take() {
            drop(queue);
            let from_thread = handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
            all.extend(from_thread);
        }
        Ok(all)
    }
}

/// A digest of every page's content, in page order, for the file's `/ID`: each zlib
/// stream ends with the Adler-32 checksum of what it holds, so the checksums and lengths
/// of the compressed streams stand for the content at no cost (hashing the content itself,
/// byte by byte, was 4 ms of the writer's time on a 340-page book).
pub(super) fn content_digest(streams: &Compressed) -> u64 {
    streams.iter().fold(0, |digest, (_, compressed)| {
        let checksum = compressed
            .len()
            .checked_sub(ZLIB_CHECKSUM_BYTES)
            .and_then(|start| compressed.get(start..))
            .unwrap_or_default();
        let length = (compressed.len() as u64).to_be_bytes();
        super::post::fnv1a(&[checksum, &length].concat(), digest)
    })
}

/// The Adler-32 checksum at the end of a zlib stream (RFC 1950).
const ZLIB_CHECKSUM_BYTES: usize = 4;

impl Worker {
    fn start() -> Self {
        let (queue, pages) = sync_channel::<(ObjectId, Vec<u8>)>(PAGES_QUEUED);
        let handle = std::thread::spawn(move || {
            let mut deflater = page_deflater();
            let mut done = Vec::new();
            for (id, content) in pages {
                done.push((id, deflater.deflate(&content)?));
            }
            Ok(done)
        });
        Worker { queue, handle }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stream_comes_back_compressed_inline_or_from_the_thread() {
        let mut compressor = PageCompressor::new();
        let pages = INLINE_PAGES * 3;
        for n in 0..pages {
            let content = format!("BT /F1 11 Tf ({n}) Tj ET\n")
                .repeat(50)
                .into_bytes();
            compressor.add((n as u32 + 1, 0), content).expect("added");
        }
        assert!(
            compressor.worker.is_some(),
            "a long document uses the thread"
        );
        let mut done = compressor.finish().expect("finished");
        done.sort();
        assert_eq!(done.len(), pages);
        for (n, (id, compressed)) in done.iter().enumerate() {
            assert_eq!(*id, (n as u32 + 1, 0));
            let mut plain = Vec::new();
            std::io::Read::read_to_end(
                &mut flate2::read::ZlibDecoder::new(compressed.as_slice()),
                &mut plain,
            )
            .expect("inflates");
            assert_eq!(
                plain,
                format!("BT /F1 11 Tf ({n}) Tj ET\n")
                    .repeat(50)
                    .into_bytes()
            );
        }
    }

    #[test]
    fn the_digest_changes_with_any_page_and_with_their_order() {
        let pages = ["BT (One) Tj ET", "BT (Two) Tj ET", "BT (Tow) Tj ET"];
        let digest = |order: &[usize]| {
            let mut compressor = PageCompressor::new();
            for (n, &page) in order.iter().enumerate() {
                let content = pages[page].as_bytes().to_vec();
                compressor.add((n as u32 + 1, 0), content).expect("added");
            }
            content_digest(&compressor.finish().expect("finished"))
        };
        assert_eq!(digest(&[0, 1]), digest(&[0, 1]));
        assert_ne!(digest(&[0, 1]), digest(&[0, 2]));
        assert_ne!(digest(&[0, 1]), digest(&[1, 0]));
        assert_ne!(digest(&[0, 1]), digest(&[0, 1, 1]));
    }

    #[test]
    fn a_short_document_starts_no_thread() {
        let mut compressor = PageCompressor::new();
        for n in 0..INLINE_PAGES {
            compressor
                .add((n as u32 + 1, 0), b"q Q".to_vec())
                .expect("added");
        }
        assert!(compressor.worker.is_none());
        assert_eq!(compressor.finish().expect("finished").len(), INLINE_PAGES);
    }
}
