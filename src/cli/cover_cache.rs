//! Generated covers kept between builds, beside the output: `.presswork-cache/covers/` in
//! the folder the EPUB is written to, one `<key>.jpg` per cover (see
//! [`presswork::epub::cover::CoverStore`]).
//!
//! Making an article's cover takes most of its EPUB's time, and a writer rebuilds the same
//! book over and over (`watch`, or `epub` after each edit) with the same title and photo.
//! The folder is kept like Hugo's `resources/_gen`: safe to delete, never needed for a
//! correct build (the library checks what it takes from it, and a cover made afresh is
//! byte for byte the one kept), tagged for backup tools with a `CACHEDIR.TAG`, and pruned to
//! the [`KEPT`] newest covers. Only builds of one book keep covers: a batch makes each
//! book's cover once, so keeping them would only fill the disk.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use presswork::epub::cover::{CoverKey, CoverStore};

/// The cache's folder name, in the output folder.
pub const CACHE_DIR: &str = ".presswork-cache";

/// Covers kept at most: the newest used (a book's title changes as it is written).
const KEPT: usize = 16;

/// A kept file larger than this is not a cover of ours and is not read (a generated cover
/// is well under 2 MB).
const LARGEST_COVER: u64 = 16 << 20;

/// The Cache Directory Tagging Specification's tag (bford.info/cachedir), as Cargo writes
/// in `target/`: backup tools that honour it skip the folder.
const CACHEDIR_TAG: &str = "Signature: 8a477f597d28d172789f06886806bc55\n\
     # This file is a cache directory tag created by presswork: generated covers,\n\
     # kept between builds. The folder may be deleted at any time.\n";

/// Covers kept in a folder on disk. Failing to read or write it never fails a build: the
/// cover is then made afresh.
#[derive(Debug)]
pub struct CoverFolder {
    cache: PathBuf,
}

impl CoverFolder {
    /// The store for books written into `output_dir`.
    pub fn beside(output_dir: &Path) -> Self {
        CoverFolder {
            cache: output_dir.join(CACHE_DIR),
        }
    }

    fn covers(&self) -> PathBuf {
        self.cache.join("covers")
    }

    fn path(&self, key: &CoverKey) -> PathBuf {
        self.covers().join(format!("{}.jpg", key.hex()))
    }

    /// Remove all but the [`KEPT`] most recently used covers.
    fn prune(&self) {
        let Ok(entries) = fs::read_dir(self.covers()) else {
            return;
        };
        let mut covers: Vec<(SystemTime, PathBuf)> = entries
            .filter_map(|entry| {
                let entry = entry.ok()?;
                let path = entry.path();
                let metadata = entry.metadata().ok()?;
                (metadata.is_file() && path.extension().is_some_and(|e| e == "jpg"))
                    .then(|| Some((metadata.modified().ok()?, path)))
                    .flatten()
            })
            .collect();
        if covers.len() <= KEPT {
            return;
        }
        covers.sort_by_key(|(used, _)| std::cmp::Reverse(*used));
        for (_, path) in covers.into_iter().skip(KEPT) {
            let _ = fs::remove_file(path);
        }
    }
}

impl CoverStore for CoverFolder {
    fn load(&self, key: &CoverKey) -> Option<Vec<u8>> {
        let path = self.path(key);
        // A regular file only: a link could point anywhere.
        let metadata = fs::symlink_metadata(&path).ok()?;
        if !metadata.is_file() || metadata.len() > LARGEST_COVER {
            return None;
        }
        let mut file = fs::File::open(&path).ok()?;
        let mut bytes = Vec::with_capacity(metadata.len() as usize);
        file.by_ref()
            .take(LARGEST_COVER)
            .read_to_end(&mut bytes)
            .ok()?;
        // Used now: pruning keeps the covers used last.
        let _ = file.set_modified(SystemTime::now());
        Some(bytes)
    }

    fn save(&self, key: &CoverKey, jpeg: &[u8]) {
        if fs::create_dir_all(self.covers()).is_err() {
            return;
        }
        let tag = self.cache.join("CACHEDIR.TAG");
        if !tag.exists() {
            let _ = presswork::output::write_atomically(&tag, CACHEDIR_TAG.as_bytes());
        }
        if presswork::output::write_atomically(&self.path(key), jpeg).is_ok() {
            self.prune();
        }
    }
}

/// The integration tests' helpers (a scratch folder per test).
#[cfg(test)]
#[path = "../../tests/support/books.rs"]
mod test_books;

#[cfg(test)]
mod tests {
    use super::*;

    use super::test_books::scratch_dir;

    fn book(title: &str) -> presswork::ir::Book {
        let mut book = presswork::ir::Book::default();
        book.meta.title = title.into();
        book
    }

    #[test]
    fn a_saved_cover_loads_back_under_its_key_only() {
        let dir = scratch_dir("cover-cache", "roundtrip");
        let store = CoverFolder::beside(&dir);
        let key = CoverKey::of(&book("One"), None);
        let other = CoverKey::of(&book("Two"), None);
        assert_eq!(store.load(&key), None);
        store.save(&key, b"jpeg bytes");
        assert_eq!(store.load(&key).as_deref(), Some(&b"jpeg bytes"[..]));
        assert_eq!(store.load(&other), None);
        let tag = fs::read_to_string(dir.join(CACHE_DIR).join("CACHEDIR.TAG")).expect("tag");
        assert!(tag.starts_with("Signature: 8a477f597d28d172789f06886806bc55"));
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn only_the_newest_covers_are_kept() {
        let dir = scratch_dir("cover-cache", "prune");
        let store = CoverFolder::beside(&dir);
        let keys: Vec<CoverKey> = (0..KEPT + 3)
            .map(|n| CoverKey::of(&book(&format!("Book {n}")), None))
            .collect();
        for key in &keys {
            store.save(key, b"jpeg");
            // Modification times of distinct saves must differ for the order to be known.
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let kept = fs::read_dir(store.covers()).expect("covers").count();
        assert_eq!(kept, KEPT);
        assert_eq!(store.load(&keys[0]), None, "the oldest went first");
        assert!(store.load(&keys[KEPT + 2]).is_some(), "the newest stays");
        let _ = fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_in_place_of_a_cover_is_not_followed() {
        let dir = scratch_dir("cover-cache", "link");
        let store = CoverFolder::beside(&dir);
        let key = CoverKey::of(&book("Linked"), None);
        fs::create_dir_all(store.covers()).expect("covers");
        let outside = dir.join("secret.jpg");
        fs::write(&outside, b"not for the book").expect("outside file");
        std::os::unix::fs::symlink(&outside, store.path(&key)).expect("link");
        assert_eq!(store.load(&key), None);
        let _ = fs::remove_dir_all(&dir);
    }
}
