//! Helpers the integration tests share: a scratch folder per test, a book's paragraphs.
#![allow(dead_code)]

use std::path::PathBuf;

use presswork::ir::{plain_text, Block, Book};

/// An empty folder for test `name` of test suite `suite`, unique to this process.
pub fn scratch_dir(suite: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("presswork-{suite}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// Every paragraph of every chapter, as plain text.
pub fn paragraphs(book: &Book) -> Vec<String> {
    book.chapters
        .iter()
        .flat_map(|c| &c.blocks)
        .filter_map(|b| match b {
            Block::Paragraph(inlines) => Some(plain_text(inlines)),
            _ => None,
        })
        .collect()
}

/// A sink that takes a few bytes per call, and fails once it holds `limit` bytes.
pub struct Trickle {
    /// What it took.
    pub bytes: Vec<u8>,
    limit: usize,
}

impl Trickle {
    /// A sink that never fills.
    pub fn unlimited() -> Self {
        Trickle {
            bytes: Vec::new(),
            limit: usize::MAX,
        }
    }

    /// A sink that fails once it holds `limit` bytes (a full disk).
    pub fn full_at(limit: usize) -> Self {
        Trickle {
            bytes: Vec::new(),
            limit,
        }
    }
}

impl std::io::Write for Trickle {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() >= self.limit {
            return Err(std::io::Error::other("disk full"));
        }
        let taken = bytes.len().min(7).min(self.limit - self.bytes.len());
        self.bytes.extend_from_slice(&bytes[..taken]);
        Ok(taken)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `renderer` writes into a sink the bytes it renders, whatever the sink takes per call, and
/// a sink that fills up halfway is an [`presswork::Error::Output`].
pub fn assert_writes_what_it_renders(renderer: &dyn presswork::Renderer, book: &Book) {
    use presswork::Diagnostics;
    let rendered = renderer
        .render(book, &mut Diagnostics::default())
        .expect("renders");
    let mut sink = Trickle::unlimited();
    renderer
        .render_into(book, &mut sink, &mut Diagnostics::default())
        .expect("renders into the sink");
    assert!(
        sink.bytes == rendered,
        "the {} written differs",
        renderer.name()
    );
    let mut full = Trickle::full_at(rendered.len() / 2);
    let error = renderer
        .render_into(book, &mut full, &mut Diagnostics::default())
        .expect_err("the sink fills up");
    assert!(matches!(error, presswork::Error::Output(_)), "{error:?}");
}
