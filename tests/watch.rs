//! `presswork watch` as a writer uses it: it builds, rebuilds when a chapter is saved, reports
//! a broken save with its error and keeps running, and builds again once the file is fixed.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

/// Longest wait for one event: a debug build of the small book takes well under this.
const EVENT_TIMEOUT: Duration = Duration::from_secs(90);

/// The watcher process, killed when the test ends (passing or failing).
struct Watcher {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Watcher {
    fn start(book: &Path) -> Watcher {
        let mut child = Command::new(env!("CARGO_BIN_EXE_presswork"))
            .arg("watch")
            .current_dir(book)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run presswork watch");
        let stderr = child.stderr.take().expect("stderr");
        let (sender, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Watcher {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Wait for a line starting with `prefix`; the lines read on the way are kept.
    fn wait_for(&mut self, prefix: &str) -> String {
        let deadline = Instant::now() + EVENT_TIMEOUT;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.starts_with(prefix) {
                        return line;
                    }
                }
                Err(_) => break,
            }
        }
        panic!("no `{prefix}` line; saw:\n{}", self.seen.join("\n"));
    }

    fn still_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

fn new_book(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("presswork-watch-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    let output = Command::new(env!("CARGO_BIN_EXE_presswork"))
        .args(["new", "book"])
        .current_dir(&dir)
        .output()
        .expect("run presswork new");
    assert!(output.status.success());
    dir.join("book")
}

#[test]
fn watch_rebuilds_on_save_and_survives_a_broken_file() {
    let book = new_book("cycle");
    let chapter = book.join("02-middle.md");
    let mut watcher = Watcher::start(&book);
    watcher.wait_for("watching ");
    let first = watcher.wait_for("built: ");
    assert!(
        first.contains("book.epub") && first.contains("book.pdf"),
        "{first}"
    );
    let pdf = book.join("output/book.pdf");
    let before = std::fs::metadata(&pdf)
        .expect("pdf")
        .modified()
        .expect("mtime");

    // A saved change: the file is named, and the book is built again.
    std::fs::write(&chapter, "# The Middle\n\nA new paragraph, saved.\n").expect("save");
    let changed = watcher.wait_for("changed: ");
    assert!(changed.contains("02-middle.md"), "{changed}");
    watcher.wait_for("built: ");
    let after = std::fs::metadata(&pdf)
        .expect("pdf")
        .modified()
        .expect("mtime");
    assert!(after > before, "the PDF was not rewritten");

    // A broken save: the error with its place, and the watcher keeps going.
    std::fs::write(&chapter, "# The Middle\n\n![gone](images/missing.png)\n").expect("save");
    watcher.wait_for("changed: ");
    let error = watcher.wait_for("error: ");
    assert!(error.contains("02-middle.md:3:1"), "{error}");
    watcher.wait_for("build failed");
    assert!(watcher.still_running(), "watch stopped after an error");
    let untouched = std::fs::metadata(&pdf)
        .expect("pdf")
        .modified()
        .expect("mtime");
    assert_eq!(
        untouched, after,
        "a failed build must not touch the last good PDF"
    );

    // Fixed: built again.
    std::fs::write(&chapter, "# The Middle\n\nFixed.\n").expect("save");
    watcher.wait_for("changed: ");
    watcher.wait_for("built: ");
    assert!(watcher.still_running());
    drop(watcher);
    let _ = std::fs::remove_dir_all(book.parent().expect("parent"));
}
