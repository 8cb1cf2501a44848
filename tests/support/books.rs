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
