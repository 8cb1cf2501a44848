//! `presswork watch`: rebuild the book whenever one of its files is saved.
//!
//! The watcher knows nothing of the back ends: the caller hands it a `build` closure (the
//! command line's, which writes to the same paths as `build`) and an `events`
//! closure that reports what happened. What it watches: the book folder (or a single
//! manuscript's folder), recursively, and the `[build] image-dirs` of its `book.toml`, which
//! may lie outside it (the seed book's `../images`). What it ignores: the output folder,
//! files written while saving (editor swap and backup files, our own `.partial` files) and
//! version-control folders, so that a build never triggers itself.
//!
//! Changes are debounced here rather than by `notify-debouncer-mini`: that crate passes on
//! every event, file opens among them, and Linux reports the build's own reads of the
//! manuscripts as opens, so each build would start the next one.

use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode};
use notify::{Event, EventKind, RecursiveMode, Watcher};

/// Quiet time after the last change before a rebuild starts: an editor's save (a temporary
/// file written, then renamed over the original) and a "save all" arrive as one change.
pub const DEBOUNCE: Duration = Duration::from_millis(250);

/// How often the loop looks at the `stop` flag while nothing changes.
const STOP_POLL: Duration = Duration::from_millis(100);

/// Folders of version-control systems: their churn (a commit, a checkout's bookkeeping) is
/// not an edit of the book; a checkout that changes a manuscript still shows as that file.
const VCS_FOLDERS: [&str; 4] = [".git", ".hg", ".svn", ".jj"];

/// What one build produced (its warnings and errors are printed by the build itself, with
/// their source lines).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Files written.
    pub written: Vec<PathBuf>,
    /// How many warnings the build reported.
    pub warnings: usize,
    /// How many errors; zero when everything was built.
    pub errors: usize,
}

/// Something the watcher reports to its caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchEvent {
    /// The folders now watched (at the start, and again when `image-dirs` changes).
    Watching(Vec<PathBuf>),
    /// Files saved, created or removed since the last build; a build follows.
    Changed(Vec<PathBuf>),
    /// A build finished (the first one, or one after a change).
    Built(Outcome),
    /// The file watcher reported a problem (a folder vanished, too many watches); watching
    /// goes on with what is left.
    WatcherError(String),
}

impl std::fmt::Display for WatchEvent {
    /// One line per event (warnings and errors of a build on lines of their own), meant
    /// for a terminal.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WatchEvent::Watching(roots) => {
                write!(f, "watching {} (Ctrl-C to stop)", list(roots))
            }
            WatchEvent::Changed(paths) => write!(f, "changed: {}", list(paths)),
            WatchEvent::Built(outcome) => {
                if outcome.errors == 0 {
                    write!(f, "built: {}", list(&outcome.written))?;
                } else {
                    write!(
                        f,
                        "build failed ({} error(s)); keeps watching for the next change",
                        outcome.errors
                    )?;
                }
                if outcome.warnings > 0 {
                    write!(f, " ({} warning(s))", outcome.warnings)?;
                }
                Ok(())
            }
            WatchEvent::WatcherError(message) => write!(f, "watch error: {message}"),
        }
    }
}

/// Paths joined for a message, shown relative to the current folder when under it.
fn list(paths: &[PathBuf]) -> String {
    let here = std::env::current_dir().ok();
    paths
        .iter()
        .map(|path| {
            here.as_deref()
                .and_then(|here| path.strip_prefix(here).ok())
                .filter(|relative| !relative.as_os_str().is_empty())
                .unwrap_or(path)
                .display()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why watching could not start.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// The input is neither a folder nor a file.
    #[error("cannot watch {}: {source}", path.display())]
    Input {
        /// The input as given.
        path: PathBuf,
        /// Why it cannot be read.
        source: std::io::Error,
    },
    /// The operating system's file watcher refused.
    #[error("cannot watch {}: {source}{}", path.display(), hint(source))]
    Notify {
        /// The folder that could not be watched (the input, when the watcher itself failed).
        path: PathBuf,
        /// What the watcher said.
        source: notify::Error,
    },
}

/// The usual way out when Linux runs out of inotify watches.
fn hint(error: &notify::Error) -> &'static str {
    if matches!(error.kind, notify::ErrorKind::MaxFilesWatch) {
        " (hint: raise fs.inotify.max_user_watches, or watch a smaller folder)"
    } else {
        ""
    }
}

/// Which changed paths call for a rebuild.
#[derive(Debug, Clone, Default)]
pub struct PathFilter {
    /// Absolute folders (or files) whose changes are ignored: the build's output.
    ignored: Vec<PathBuf>,
}

impl PathFilter {
    /// A filter ignoring everything under `ignored` (made absolute here, so that they
    /// compare with the watcher's absolute paths; they need not exist yet).
    pub fn new(ignored: &[PathBuf]) -> Self {
        PathFilter {
            ignored: ignored.iter().map(|p| absolute(p)).collect(),
        }
    }

    /// Whether a change to `path` (absolute, as the watcher reports it) should rebuild.
    pub fn is_relevant(&self, path: &Path) -> bool {
        if self.ignored.iter().any(|ignored| path.starts_with(ignored)) {
            return false;
        }
        let in_vcs = path.components().any(|c| match c {
            Component::Normal(name) => VCS_FOLDERS.iter().any(|v| name == *v),
            _ => false,
        });
        if in_vcs {
            return false;
        }
        path.file_name()
            .is_none_or(|name| !is_temporary_file(&name.to_string_lossy()))
    }
}

/// Files that editors and presswork itself write on the way to saving the real one: Vim's
/// swap files and its `4913` write test, backups ending in `~`, Emacs's `.#` lock links,
/// Kate's swap files, GNOME's `.goutputstream-*`, `*.tmp`, and the `.NAME.PID.partial` file
/// `output::write_atomically` renames into place.
pub fn is_temporary_file(name: &str) -> bool {
    const SUFFIXES: [&str; 5] = [".swp", ".swo", ".swx", ".tmp", "~"];
    name == "4913"
        || name.starts_with(".#")
        || name.starts_with(".goutputstream-")
        || name.ends_with(".kate-swp")
        || (name.starts_with('.') && name.ends_with(".partial"))
        || SUFFIXES.iter().any(|suffix| name.ends_with(suffix))
}

/// The folders to watch for `input`: its folder (the file's folder for a single manuscript)
/// and the existing `[build] image-dirs` of its `book.toml`, absolute, a folder inside
/// another dropped. `book.toml` is read leniently: when it does not parse, the build
/// reports why, and the book folder is still watched, so that the fix is seen.
pub fn watch_roots(input: &Path) -> Vec<PathBuf> {
    let folder = if input.is_dir() {
        input.to_path_buf()
    } else {
        input
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    };
    let mut roots = vec![absolute(&folder)];
    if input.is_dir() {
        let image_dirs = std::fs::read_to_string(folder.join("book.toml"))
            .ok()
            .and_then(|text| toml::from_str::<toml::Table>(&text).ok())
            .and_then(|table| table.get("build")?.get("image-dirs")?.as_array().cloned())
            .unwrap_or_default();
        for dir in image_dirs.iter().filter_map(toml::Value::as_str) {
            let path = folder.join(dir);
            if path.is_dir() {
                roots.push(absolute(&path));
            }
        }
    }
    roots.sort();
    roots.dedup();
    let all = roots.clone();
    roots.retain(|root| {
        !all.iter()
            .any(|other| other != root && root.starts_with(other))
    });
    roots
}

/// `path` made absolute with symbolic links resolved as far as it exists (the watcher
/// reports resolved paths), the rest joined on as written.
fn absolute(path: &Path) -> PathBuf {
    if let Ok(resolved) = path.canonicalize() {
        return resolved;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) if !parent.as_os_str().is_empty() => absolute(parent).join(name),
        _ => std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
    }
}

/// Whether a watcher event is a change to a file's content or to a folder's entries.
/// Opens and reads are not: the build's own reads of the manuscripts would rebuild forever.
fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) => true,
        EventKind::Any | EventKind::Other => true,
    }
}

/// Build once, then again after every change until `stop` is set.
///
/// `ignored` lists the output folders (or files): their changes never rebuild. `build`
/// runs on this thread; changes saved during a build are collected and rebuild once it
/// ends. A failed build is reported through `events` and watching goes on. Returns when
/// `stop` is set (checked every tenth of a second), or at once if watching cannot start.
pub fn watch(
    input: &Path,
    ignored: &[PathBuf],
    mut build: impl FnMut() -> Outcome,
    mut events: impl FnMut(WatchEvent),
    stop: &AtomicBool,
) -> Result<(), WatchError> {
    std::fs::metadata(input).map_err(|source| WatchError::Input {
        path: input.to_path_buf(),
        source,
    })?;
    let filter = PathFilter::new(ignored);
    let (sender, receiver) = channel();
    let mut watcher = notify::recommended_watcher(sender).map_err(|source| WatchError::Notify {
        path: input.to_path_buf(),
        source,
    })?;
    let mut roots = watch_roots(input);
    for root in &roots {
        watcher
            .watch(root, RecursiveMode::Recursive)
            .map_err(|source| WatchError::Notify {
                path: root.clone(),
                source,
            })?;
    }
    events(WatchEvent::Watching(roots.clone()));
    events(WatchEvent::Built(build()));

    while !stop.load(Ordering::Relaxed) {
        let Some(changed) = next_changes(&receiver, &filter, stop, &mut events) else {
            continue;
        };
        events(WatchEvent::Changed(changed));
        events(WatchEvent::Built(build()));
        // `image-dirs` may have changed with book.toml.
        let now = watch_roots(input);
        if now != roots {
            for gone in roots.iter().filter(|r| !now.contains(r)) {
                // A folder removed from disk is no longer watched anyway.
                let _ = watcher.unwatch(gone);
            }
            for new in now.iter().filter(|r| !roots.contains(r)) {
                if let Err(source) = watcher.watch(new, RecursiveMode::Recursive) {
                    events(WatchEvent::WatcherError(format!(
                        "cannot watch {}: {source}",
                        new.display()
                    )));
                }
            }
            roots = now;
            events(WatchEvent::Watching(roots.clone()));
        }
    }
    Ok(())
}

/// Wait for a relevant change, then until nothing more changes for [`DEBOUNCE`]; the
/// changed paths, sorted, or `None` when `stop` was set or nothing relevant came within a
/// poll interval.
fn next_changes(
    receiver: &Receiver<notify::Result<Event>>,
    filter: &PathFilter,
    stop: &AtomicBool,
    events: &mut impl FnMut(WatchEvent),
) -> Option<Vec<PathBuf>> {
    let mut changed: Vec<PathBuf> = Vec::new();
    let mut quiet_since = Instant::now();
    loop {
        let wait = if changed.is_empty() {
            STOP_POLL
        } else {
            DEBOUNCE.saturating_sub(quiet_since.elapsed())
        };
        match receiver.recv_timeout(wait) {
            Ok(Ok(event)) => {
                if !is_change(&event.kind) {
                    continue;
                }
                let before = changed.len();
                for path in event.paths {
                    if filter.is_relevant(&path) && !changed.contains(&path) {
                        changed.push(path);
                    }
                }
                if changed.len() > before {
                    quiet_since = Instant::now();
                }
            }
            Ok(Err(error)) => events(WatchEvent::WatcherError(error.to_string())),
            Err(RecvTimeoutError::Timeout) if changed.is_empty() => return None,
            Err(RecvTimeoutError::Timeout) => {
                changed.sort();
                return Some(changed);
            }
            // The watcher is gone (it lives as long as `watch`): nothing more will come.
            Err(RecvTimeoutError::Disconnected) => {
                std::thread::sleep(STOP_POLL);
                return None;
            }
        }
        if stop.load(Ordering::Relaxed) {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_and_partial_files_are_temporary() {
        for name in [
            ".chapter.md.swp",
            "chapter.md.swo",
            "chapter.md~",
            ".#chapter.md",
            "4913",
            ".book.pdf.1234.partial",
            ".chapter.md.kate-swp",
            ".goutputstream-ABC123",
        ] {
            assert!(is_temporary_file(name), "{name}");
        }
        for name in [
            "chapter.md",
            "book.toml",
            "photo.jpg",
            "4913.md",
            "partial.md",
        ] {
            assert!(!is_temporary_file(name), "{name}");
        }
    }

    #[test]
    fn filter_ignores_output_temp_files_and_vcs() {
        let dir =
            std::env::temp_dir().join(format!("presswork-watch-filter-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let root = absolute(&dir);
        // The output folder does not exist yet: it is still ignored.
        let filter = PathFilter::new(&[dir.join("output")]);
        assert!(filter.is_relevant(&root.join("chapter.md")));
        assert!(filter.is_relevant(&root.join("images/photo.jpg")));
        assert!(filter.is_relevant(&root.join("book.toml")));
        assert!(!filter.is_relevant(&root.join("output/book.pdf")));
        assert!(!filter.is_relevant(&root.join("output/.book.pdf.77.partial")));
        assert!(!filter.is_relevant(&root.join(".chapter.md.swp")));
        assert!(!filter.is_relevant(&root.join("chapter.md~")));
        assert!(!filter.is_relevant(&root.join(".git/index")));
        // A sibling whose name merely starts like the output folder is not under it.
        assert!(filter.is_relevant(&root.join("output-notes.md")));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn reads_are_not_changes() {
        use notify::event::{CreateKind, ModifyKind};
        assert!(!is_change(&EventKind::Access(AccessKind::Open(
            AccessMode::Any
        ))));
        assert!(!is_change(&EventKind::Access(AccessKind::Close(
            AccessMode::Read
        ))));
        assert!(is_change(&EventKind::Access(AccessKind::Close(
            AccessMode::Write
        ))));
        assert!(is_change(&EventKind::Modify(ModifyKind::Any)));
        assert!(is_change(&EventKind::Create(CreateKind::File)));
    }

    #[test]
    fn roots_include_image_dirs_outside_the_book() {
        let base =
            std::env::temp_dir().join(format!("presswork-watch-roots-{}", std::process::id()));
        let book = base.join("book");
        std::fs::create_dir_all(book.join("figures")).expect("mkdir");
        std::fs::create_dir_all(base.join("images")).expect("mkdir");
        std::fs::write(
            book.join("book.toml"),
            "[build]\nimage-dirs = [\"../images\", \"figures\", \"../missing\"]\n",
        )
        .expect("write");
        let roots = watch_roots(&book);
        // `figures` is inside the book folder, `../missing` does not exist.
        assert_eq!(roots, vec![absolute(&book), absolute(&base.join("images"))]);
        // A book.toml that does not parse: the folder is still watched.
        std::fs::write(book.join("book.toml"), "[build\n").expect("write");
        assert_eq!(watch_roots(&book), vec![absolute(&book)]);
        // A single manuscript: its folder.
        assert_eq!(watch_roots(&book.join("book.toml")), vec![absolute(&book)]);
        let _ = std::fs::remove_dir_all(&base);
    }

    #[test]
    fn stops_and_rebuilds_on_change() {
        let dir = std::env::temp_dir().join(format!("presswork-watch-loop-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let chapter = dir.join("chapter.md");
        std::fs::write(&chapter, "# One\n").expect("write");
        let stop = AtomicBool::new(false);
        let builds = std::sync::atomic::AtomicUsize::new(0);
        let mut seen = Vec::new();
        std::thread::scope(|scope| {
            scope.spawn(|| {
                // Wait for the first build, then save; wait for the rebuild, then stop.
                let deadline = Instant::now() + Duration::from_secs(10);
                while builds.load(Ordering::SeqCst) < 1 && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(20));
                }
                std::fs::write(dir.join("chapter.md"), "# Two\n").expect("write");
                std::fs::write(dir.join(".chapter.md.swp"), "x").expect("write");
                while builds.load(Ordering::SeqCst) < 2 && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(20));
                }
                stop.store(true, Ordering::SeqCst);
            });
            watch(
                &dir,
                &[dir.join("output")],
                || {
                    builds.fetch_add(1, Ordering::SeqCst);
                    Outcome::default()
                },
                |event| seen.push(event),
                &stop,
            )
            .expect("watch");
        });
        assert_eq!(builds.load(Ordering::SeqCst), 2, "{seen:?}");
        let changed: Vec<_> = seen
            .iter()
            .filter_map(|e| match e {
                WatchEvent::Changed(paths) => Some(paths.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(changed, vec![vec![absolute(&chapter)]], "{seen:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
