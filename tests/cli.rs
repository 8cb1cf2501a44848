//! The command line as a user meets it: default paths, exit codes, one-line errors, and no
//! output file left behind (or destroyed) by a failed build.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn presswork(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_presswork"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run presswork")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("presswork-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    dir
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn defaults_build_the_seed_book_into_output() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = temp_dir("defaults");
    for format in ["epub", "pdf"] {
        let target = out.join(format!("seed.{format}"));
        let output = presswork(
            &[format, "book", "-o", target.to_str().expect("utf8")],
            repo,
        );
        assert!(output.status.success(), "{}", stderr(&output));
        assert_eq!(
            String::from_utf8_lossy(&output.stdout).trim(),
            target.to_str().expect("utf8")
        );
        assert!(std::fs::metadata(&target).expect("written").len() > 100_000);
    }
}

#[test]
fn missing_image_fails_with_file_and_line_and_keeps_the_old_output() {
    let dir = temp_dir("missing");
    std::fs::write(
        dir.join("book.md"),
        "# Title\n\nText.\n\n![alt](missing.jpg)\n",
    )
    .expect("write");
    let previous = dir.join("out.epub");
    std::fs::write(&previous, b"previous good build").expect("write");
    for format in ["epub", "pdf"] {
        let output = presswork(&[format, "book.md", "-o", "out.epub"], &dir);
        assert_eq!(output.status.code(), Some(1));
        let all = stderr(&output);
        let errors: Vec<&str> = all
            .lines()
            .filter(|l| l.starts_with("presswork: error"))
            .collect();
        assert_eq!(errors.len(), 1, "{all}");
        let message = errors[0];
        assert!(
            message.contains("book.md:5:1") && message.contains("missing.jpg"),
            "{message}"
        );
    }
    assert_eq!(
        std::fs::read(&previous).expect("read"),
        b"previous good build"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn unreadable_input_and_escaping_paths_are_one_line_errors() {
    let dir = temp_dir("bad");
    let output = presswork(&["pdf", "no-such-book"], &dir);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("no-such-book"),
        "{}",
        stderr(&output)
    );

    std::fs::write(
        dir.join("escape.md"),
        "![x](../../../../../../etc/passwd)\n",
    )
    .expect("write");
    let output = presswork(&["epub", "escape.md", "-o", "x.epub"], &dir);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(message.contains("escape.md:1:1"), "{message}");
    assert!(!dir.join("x.epub").exists());
}

#[test]
fn strict_turns_warnings_into_errors() {
    let dir = temp_dir("strict");
    std::fs::write(dir.join("w.md"), "# T\n\nA [dead link](#nowhere).\n").expect("write");
    let lenient = presswork(&["epub", "w.md", "-o", "w.epub"], &dir);
    assert!(lenient.status.success());
    assert!(stderr(&lenient).contains("warning"));
    let strict = presswork(&["epub", "w.md", "-o", "s.epub", "--strict"], &dir);
    assert_eq!(strict.status.code(), Some(1));
    assert!(!dir.join("s.epub").exists());
}

#[test]
fn help_explains_every_flag() {
    let output = presswork(&["pdf", "--help"], Path::new("."));
    let help = String::from_utf8_lossy(&output.stdout);
    for flag in [
        "--output",
        "--split-level",
        "--strict",
        "--paper",
        "[INPUT]",
    ] {
        assert!(help.contains(flag), "{flag} missing from:\n{help}");
    }
}

#[test]
fn lenient_turns_remote_images_into_alt_text_with_a_warning() {
    let dir = temp_dir("lenient");
    std::fs::write(
        dir.join("web.md"),
        "# Web\n\n![A chart](https://example.org/chart.png)\n\nText.\n",
    )
    .expect("write");
    let strict = presswork(&["epub", "web.md", "-o", "a.epub"], &dir);
    assert_eq!(strict.status.code(), Some(1));
    assert!(
        stderr(&strict).contains("never fetched"),
        "{}",
        stderr(&strict)
    );
    assert!(!dir.join("a.epub").exists());
    for format in ["epub", "pdf"] {
        let target = format!("b.{format}");
        let lenient = presswork(&[format, "web.md", "-o", &target, "--lenient"], &dir);
        assert!(lenient.status.success(), "{}", stderr(&lenient));
        assert!(
            stderr(&lenient).contains(
                "presswork: warning: web.md:3:1: remote image `https://example.org/chart.png` not fetched"
            ),
            "{}",
            stderr(&lenient)
        );
        assert!(dir.join(&target).exists());
    }
    let both = presswork(
        &["epub", "web.md", "-o", "c.epub", "--lenient", "--strict"],
        &dir,
    );
    assert_eq!(
        both.status.code(),
        Some(1),
        "--strict still counts the warning"
    );
}

/// Debug builds panic on purpose when `PRESSWORK_DEBUG_PANIC` is set: the panic must become a
/// one-line report with exit code 2, no backtrace noise, and no output file.
#[cfg(debug_assertions)]
#[test]
fn a_panic_is_reported_as_an_internal_error_with_exit_code_2() {
    let dir = temp_dir("panic");
    std::fs::write(dir.join("p.md"), "# T\n\nText.\n").expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_presswork"))
        .args(["pdf", "p.md", "-o", "p.pdf"])
        .current_dir(&dir)
        .env("PRESSWORK_DEBUG_PANIC", "1")
        .output()
        .expect("run presswork");
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(
        message.starts_with(
            "presswork: error: internal error (a bug): PRESSWORK_DEBUG_PANIC is set at src/main.rs:"
        ),
        "{message}"
    );
    assert!(!dir.join("p.pdf").exists());
}
