//! The command line as a user meets it: every command run as a binary, its output and exit
//! code; default paths, diagnostics with the source line, and no output file left behind (or
//! destroyed) by a failed build. `watch` has its own file (`tests/watch.rs`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "support/books.rs"]
mod books;
use books::scratch_dir;

fn presswork(args: &[&str], cwd: &Path) -> Output {
    presswork_with_env(args, cwd, &[])
}

/// `presswork ARGS` in `cwd` with `env` set.
fn presswork_with_env(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_presswork"))
        .args(args)
        .current_dir(cwd)
        .envs(env.iter().copied())
        .output()
        .expect("run presswork")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn defaults_build_the_seed_book_into_output() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = scratch_dir("cli", "defaults");
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
    let dir = scratch_dir("cli", "missing");
    std::fs::write(
        dir.join("book.md"),
        "# Title\n\nText.\n\n![alt](missing.jpg)\n",
    )
    .expect("write");
    for format in ["epub", "pdf"] {
        let previous = dir.join(format!("out.{format}"));
        std::fs::write(&previous, b"previous good build").expect("write");
        let target = format!("out.{format}");
        let output = presswork(&[format, "book.md", "-o", &target], &dir);
        assert_eq!(output.status.code(), Some(1));
        let all = stderr(&output);
        let errors: Vec<&str> = all.lines().filter(|l| l.starts_with("error:")).collect();
        assert_eq!(errors.len(), 1, "{all}");
        let message = errors[0];
        assert!(
            message.contains("book.md:5:1") && message.contains("missing.jpg"),
            "{message}"
        );
        assert_eq!(
            std::fs::read(&previous).expect("read"),
            b"previous good build"
        );
    }
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
    let dir = scratch_dir("cli", "bad");
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
    let dir = scratch_dir("cli", "strict");
    std::fs::write(dir.join("w.md"), "# T\n\nA [dead link](#nowhere).\n").expect("write");
    let lenient = presswork(&["epub", "w.md", "-o", "w.epub"], &dir);
    assert!(lenient.status.success());
    assert!(stderr(&lenient).contains("warning"));
    let strict = presswork(&["epub", "w.md", "-o", "s.epub", "--strict"], &dir);
    assert_eq!(strict.status.code(), Some(1));
    assert!(!dir.join("s.epub").exists());
    // The EPUB is written as it is made, before `--strict` judges the warnings: a refused
    // build leaves the previous file as it was, and no partial file beside it.
    std::fs::write(dir.join("s.epub"), b"previous good build").expect("write");
    let strict = presswork(&["epub", "w.md", "-o", "s.epub", "--strict"], &dir);
    assert_eq!(strict.status.code(), Some(1));
    assert_eq!(
        std::fs::read(dir.join("s.epub")).expect("read"),
        b"previous good build"
    );
    let names: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.contains("partial")), "{names:?}");
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
    let dir = scratch_dir("cli", "lenient");
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
                "warning: web.md:3:1: remote image `https://example.org/chart.png` not fetched"
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
    let dir = scratch_dir("cli", "panic");
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
            "error: internal error (a bug): PRESSWORK_DEBUG_PANIC is set at src/main.rs:"
        ),
        "{message}"
    );
    assert!(!dir.join("p.pdf").exists());
}

/// A small book folder: `book.toml`, two chapters and a picture, in a fresh folder.
fn small_book(name: &str) -> PathBuf {
    let dir = scratch_dir("cli", name);
    let output = presswork(&["new", "book"], &dir);
    assert!(output.status.success(), "{}", stderr(&output));
    dir.join("book")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn new_makes_a_book_that_builds_at_once_without_a_warning() {
    let book = small_book("new");
    for file in [
        "book.toml",
        "01-beginning.md",
        "02-middle.md",
        "README.md",
        "images/picture.png",
    ] {
        assert!(book.join(file).is_file(), "{file} missing");
    }
    // From inside the folder, with no INPUT: the folder is the book.
    let check = presswork(&["check", "--strict"], &book);
    assert!(check.status.success(), "{}", stderr(&check));
    assert!(
        stderr(&check).contains("0 error(s), 0 warning(s)"),
        "{}",
        stderr(&check)
    );
    let build = presswork(&["build"], &book);
    assert!(build.status.success(), "{}", stderr(&build));
    let printed = stdout(&build);
    let written: Vec<&str> = printed.lines().map(str::trim).collect();
    assert_eq!(
        written,
        ["output/book.epub", "output/book.pdf"],
        "{}",
        stdout(&build)
    );
    assert!(std::fs::read(book.join("output/book.pdf"))
        .expect("pdf")
        .starts_with(b"%PDF-"));
    assert!(std::fs::read(book.join("output/book.epub"))
        .expect("epub")
        .starts_with(b"PK"));
    // A folder that holds something is never written into.
    let again = presswork(&["new", "book"], book.parent().expect("parent"));
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("not empty"), "{}", stderr(&again));
}

#[test]
fn build_writes_both_formats_into_the_out_dir_and_nothing_on_failure() {
    let book = small_book("build");
    let out = book.parent().expect("parent").join("elsewhere");
    let output = presswork(
        &["build", "book", "--out-dir", out.to_str().expect("utf8")],
        book.parent().expect("parent"),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(out.join("book.epub").is_file() && out.join("book.pdf").is_file());

    std::fs::write(
        book.join("03-end.md"),
        "# End\n\n![gone](images/gone.png)\n",
    )
    .expect("write");
    let failed = presswork(&["build", "--out-dir", "failed"], &book);
    assert_eq!(failed.status.code(), Some(1));
    // Said once, though both back ends would fail on it.
    assert_eq!(
        stderr(&failed).matches("images/gone.png").count(),
        2,
        "{}",
        stderr(&failed)
    );
    assert!(!book.join("failed").exists());
}

#[test]
fn check_reports_everything_and_writes_nothing() {
    let book = small_book("check");
    std::fs::write(
        book.join("03-end.md"),
        "# End\n\nA [link](#nowhere) and a note.[^missing]\n",
    )
    .expect("write");
    let output = presswork(&["check"], &book);
    let report = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert!(report.contains("03-end.md:3:"), "{report}");
    assert!(
        report.contains("#nowhere") && report.contains("missing"),
        "{report}"
    );
    assert!(
        report.contains("0 error(s), 2 warning(s)") || report.contains("0 error(s), 3 warning(s)"),
        "{report}"
    );
    let strict = presswork(&["check", "--strict"], &book);
    assert_eq!(strict.status.code(), Some(1), "{}", stderr(&strict));
    assert!(!book.join("output").exists(), "check wrote something");

    std::fs::write(
        book.join("04-more.md"),
        "# More\n\n![x](images/picturee.png)\n",
    )
    .expect("write");
    let broken = presswork(&["check"], &book);
    assert_eq!(broken.status.code(), Some(1));
    let report = stderr(&broken);
    // The near match, the source line and a caret under the reference.
    assert!(
        report.contains("did you mean `images/picture.png`?"),
        "{report}"
    );
    assert!(report.contains("3 | ![x](images/picturee.png)"), "{report}");
    assert!(
        report
            .lines()
            .any(|l| l.trim_start().starts_with('|') && l.contains('^')),
        "{report}"
    );
    assert!(
        !report.contains('\u{1b}'),
        "no colour when piped: {report:?}"
    );
}

#[test]
fn book_toml_errors_point_at_the_key_in_plain_words() {
    let book = small_book("config");
    let toml = std::fs::read_to_string(book.join("book.toml")).expect("read");
    std::fs::write(book.join("book.toml"), toml.replace("title = ", "titel = ")).expect("write");
    let output = presswork(&["check"], &book);
    assert_eq!(output.status.code(), Some(1));
    let report = stderr(&output);
    let line = toml
        .lines()
        .position(|l| l.starts_with("title = "))
        .expect("title")
        + 1;
    assert!(
        report.contains(&format!(
            "book.toml:{line}:1: unknown key `titel` in [book]"
        )),
        "{report}"
    );
    assert!(report.contains("help: did you mean `title`?"), "{report}");
    assert!(report.contains("^^^^^"), "{report}");

    std::fs::write(
        book.join("book.toml"),
        toml.replace("authors = [\"Your Name\"]", "authors = \"Your Name\""),
    )
    .expect("write");
    let report = stderr(&presswork(&["check"], &book));
    assert!(
        report.contains("write `authors = [\"Your Name\"]`"),
        "{report}"
    );
    assert!(!report.contains("sequence"), "{report}");

    std::fs::write(
        book.join("book.toml"),
        toml.replace("language = \"en\"", "language = \"english language\""),
    )
    .expect("write");
    let report = stderr(&presswork(&["check"], &book));
    let line = toml
        .lines()
        .position(|l| l.starts_with("language"))
        .expect("language")
        + 1;
    assert!(
        report.contains(&format!("book.toml:{line}")),
        "blamed on book.toml: {report}"
    );

    std::fs::write(
        book.join("book.toml"),
        toml.replace("# date = \"2026-01-31\"", "date = \"31/01/2026\""),
    )
    .expect("write");
    let output = presswork(&["check"], &book);
    assert_eq!(output.status.code(), Some(1), "an invalid date is an error");
    assert!(
        stderr(&output).contains("date `31/01/2026` is not a date"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn dash_o_dash_writes_to_standard_output_and_bad_outputs_are_refused() {
    let book = small_book("stdout");
    for (format, magic) in [("pdf", &b"%PDF-"[..]), ("epub", &b"PK"[..])] {
        let output = presswork(&[format, "-o", "-"], &book);
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(output.stdout.starts_with(magic), "{format}");
        assert!(!book.join("-").exists());
    }
    let folder = presswork(&["pdf", "-o", "images"], &book);
    assert_eq!(folder.status.code(), Some(1));
    assert!(
        stderr(&folder).contains("is a folder"),
        "{}",
        stderr(&folder)
    );
    let wrong = presswork(&["epub", "-o", "book.pdf"], &book);
    assert_eq!(wrong.status.code(), Some(1));
    assert!(stderr(&wrong).contains("book.epub"), "{}", stderr(&wrong));
    assert!(!book.join("book.pdf").exists());
}

#[test]
fn quiet_prints_nothing_but_errors_and_verbose_prints_timings() {
    let book = small_book("levels");
    std::fs::write(book.join("03-end.md"), "# End\n\nA [link](#nowhere).\n").expect("write");
    let quiet = presswork(&["-q", "build"], &book);
    assert!(quiet.status.success());
    assert!(
        quiet.stdout.is_empty() && quiet.stderr.is_empty(),
        "{}",
        stderr(&quiet)
    );
    let verbose = presswork(&["build", "-v"], &book);
    let report = stderr(&verbose);
    for stage in [
        "load",
        "render epub",
        "render pdf",
        "write epub",
        "write pdf",
    ] {
        assert!(
            report.contains(&format!("timing: {stage}: ")),
            "{stage}: {report}"
        );
    }
    assert!(report.contains("warning:"), "{report}");
}

#[test]
fn completions_and_man_page_come_from_the_command_definition() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let output = presswork(&["completions", shell], Path::new("."));
        assert!(output.status.success(), "{shell}");
        let script = stdout(&output);
        for command in ["build", "check", "watch", "new"] {
            assert!(script.contains(command), "{shell} lacks {command}");
        }
    }
    let man = presswork(&["man"], Path::new("."));
    assert!(man.status.success());
    let page = stdout(&man);
    assert!(
        page.starts_with(".ie") || page.contains(".TH presswork"),
        "{page}"
    );
    assert!(
        page.contains("build") && page.contains("\\-\\-quiet"),
        "{page}"
    );
}

/// The text of every entry of an EPUB whose name ends in `suffix`, concatenated.
fn epub_text(path: &Path, suffix: &str) -> String {
    use std::io::Read;
    let bytes = std::fs::read(path).expect("epub");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut all = String::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).expect("entry");
        if entry.name().ends_with(suffix) {
            entry.read_to_string(&mut all).expect("text");
        }
    }
    all
}

#[test]
fn epub_cover_stylesheet_and_output_name_come_from_book_toml() {
    let book = small_book("epub-keys");
    std::fs::copy(
        book.join("images/picture.png"),
        book.join("images/cover.png"),
    )
    .expect("copy");
    std::fs::write(book.join("epub.css"), "p { text-indent: 2em; }\n").expect("write");
    let toml = std::fs::read_to_string(book.join("book.toml")).expect("read");
    let toml = toml
        .replace(
            "# cover = \"images/cover.jpg\"",
            "cover = \"images/cover.png\"",
        )
        .replace("# stylesheet = \"epub.css\"", "stylesheet = \"epub.css\"")
        .replace("# output-name = \"my-book\"", "output-name = \"my-book\"");
    std::fs::write(book.join("book.toml"), &toml).expect("write");
    let output = presswork(&["build"], &book);
    assert!(output.status.success(), "{}", stderr(&output));
    let epub = book.join("output/my-book.epub");
    assert!(
        book.join("output/my-book.pdf").is_file(),
        "{}",
        stdout(&output)
    );
    assert!(epub_text(&epub, ".css").contains("p { text-indent: 2em; }"));
    let opf = epub_text(&epub, ".opf");
    assert!(
        opf.contains("cover.png") && opf.contains("cover-image"),
        "{opf}"
    );
    let cover = epub_text(&epub, "cover.xhtml");
    assert!(cover.contains("alt=\"Cover: My Book"), "{cover}");
    assert!(cover.contains("role=\"doc-cover\""), "{cover}");

    // A stylesheet that reaches outside the EPUB is refused at its line.
    std::fs::write(
        book.join("epub.css"),
        "p { color: red; }\nbody { background: url(x.png); }\n",
    )
    .expect("write");
    let refused = presswork(&["check"], &book);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("epub.css:2"),
        "{}",
        stderr(&refused)
    );

    // An output name with a folder in it is refused in book.toml.
    std::fs::write(book.join("epub.css"), "p { color: red; }\n").expect("write");
    std::fs::write(
        book.join("book.toml"),
        toml.replace("\"my-book\"", "\"../my-book\""),
    )
    .expect("write");
    let refused = presswork(&["check"], &book);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("not a plain file name"),
        "{}",
        stderr(&refused)
    );
}

/// `count` small articles `a01.md` … in `dir` (each a book of its own).
fn articles(dir: &Path, count: usize) -> Vec<PathBuf> {
    (1..=count)
        .map(|n| {
            let path = dir.join(format!("a{n:02}.md"));
            std::fs::write(
                &path,
                format!(
                    "+++\ntitle = \"Article {n}\"\nlanguage = \"en\"\ndate = \"2024-05-17\"\n+++\n\n\
                     The minister met his counterpart on Wednesday; they spoke of trade for {n} hours.\n"
                ),
            )
            .expect("write");
            path
        })
        .collect()
}

/// The file names in `dir`, sorted.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn sixty_books_build_in_one_call_and_three_shards_cover_them_once() {
    let dir = scratch_dir("cli", "batch");
    let inputs = articles(&dir, 60);
    let mut args: Vec<String> = vec!["-q".into(), "build".into(), "-j".into(), "2".into()];
    args.extend(inputs.iter().map(|p| p.display().to_string()));
    let arg_refs = |extra: &[&str]| -> Vec<String> {
        let mut all = args.clone();
        all.extend(extra.iter().map(|s| s.to_string()));
        all
    };
    let run = |extra: &[&str]| {
        let all = arg_refs(extra);
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        presswork(&refs, &dir)
    };
    let whole = dir.join("all");
    let output = run(&["--out-dir", whole.to_str().expect("utf-8")]);
    assert!(output.status.success(), "{}", stderr(&output));
    let all = names_in(&whole);
    assert_eq!(all.len(), 120, "an EPUB and a PDF per book: {all:?}");
    assert!(all.contains(&"a01.epub".to_string()) && all.contains(&"a60.pdf".to_string()));

    let mut covered = Vec::new();
    for k in 1..=3 {
        let out = dir.join(format!("shard{k}"));
        let shard = format!("{k}/3");
        let output = run(&["--shard", &shard, "--out-dir", out.to_str().expect("utf-8")]);
        assert!(output.status.success(), "{}", stderr(&output));
        let part = names_in(&out);
        assert_eq!(part.len(), 40, "a third of the books: {part:?}");
        covered.extend(part);
    }
    covered.sort();
    assert_eq!(covered, all, "the shards cover every book exactly once");

    let output = run(&["--shard", "4/3"]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "a shard past the count is a usage error"
    );
    assert!(stderr(&output).contains("K/N"), "{}", stderr(&output));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_failing_book_is_reported_and_the_others_are_built() {
    let dir = scratch_dir("cli", "batch-failure");
    let mut inputs = articles(&dir, 3);
    // Two books that would both be called `article`, and one that cannot be built.
    for sub in ["x", "y"] {
        std::fs::create_dir_all(dir.join(sub)).expect("mkdir");
        let path = dir.join(sub).join("article.md");
        std::fs::write(&path, "# Same name\n\nText.\n").expect("write");
        inputs.push(path);
    }
    let broken = dir.join("broken.md");
    std::fs::write(&broken, "# Broken\n\n![a photo](missing.jpg)\n").expect("write");
    inputs.push(broken);
    let out = dir.join("out");
    let mut args = vec!["-q".to_string(), "build".into(), "--out-dir".into()];
    args.push(out.display().to_string());
    args.extend(inputs.iter().map(|p| p.display().to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = presswork(&refs, &dir);
    assert_eq!(
        output.status.code(),
        Some(1),
        "the worst outcome: a failed book"
    );
    let err = stderr(&output);
    assert!(err.contains("missing.jpg"), "{err}");
    let names = names_in(&out);
    for name in ["a01.epub", "a03.pdf", "article.epub", "article-2.pdf"] {
        assert!(names.contains(&name.to_string()), "{name} in {names:?}");
    }
    assert!(!names.iter().any(|n| n.starts_with("broken")), "{names:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `presswork ARGS` in `cwd` with a fixed build date, so that two builds compare byte for byte.
fn presswork_on_a_fixed_date(args: &[&str], cwd: &Path) -> Output {
    presswork_with_env(args, cwd, &[("SOURCE_DATE_EPOCH", "1700000000")])
}

#[test]
fn a_generated_cover_is_kept_beside_the_output_and_rebuilds_the_same_epub() {
    let book = small_book("cover-cache");
    let dir = book.parent().expect("parent").to_path_buf();
    // The EPUB written to `target` (a file under `dir`, or `-`).
    let epub = |target: &str| {
        let output = presswork_on_a_fixed_date(&["-q", "epub", "book", "-o", target], &dir);
        assert!(output.status.success(), "{}", stderr(&output));
        if target == "-" {
            output.stdout
        } else {
            std::fs::read(dir.join(target)).expect("epub")
        }
    };
    // Standard output keeps nothing: the cover is made afresh.
    let fresh = epub("-");
    assert!(!dir.join(".presswork-cache").exists());

    assert_eq!(epub("out/first.epub"), fresh);
    let covers = dir.join("out/.presswork-cache/covers");
    let kept = names_in(&covers);
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(
        kept[0].ends_with(".jpg") && kept[0].len() == 64 + 4,
        "{kept:?}"
    );
    assert!(dir.join("out/.presswork-cache/CACHEDIR.TAG").is_file());
    let cover = covers.join(&kept[0]);
    let whole = std::fs::read(&cover).expect("kept cover");

    // The next build takes the kept cover (and marks it used): the same EPUB.
    let long_ago = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1 << 30);
    std::fs::File::options()
        .write(true)
        .open(&cover)
        .and_then(|file| file.set_modified(long_ago))
        .expect("age the kept cover");
    assert_eq!(epub("out/second.epub"), fresh);
    let used = std::fs::metadata(&cover)
        .and_then(|m| m.modified())
        .expect("mtime");
    assert!(used > long_ago, "the kept cover was read");

    // A kept cover cut short is made again, the EPUB is still the same, and it is replaced.
    std::fs::write(&cover, &whole[..whole.len() / 3]).expect("cut the cover short");
    assert_eq!(epub("out/third.epub"), fresh);
    assert_eq!(std::fs::read(&cover).expect("kept cover"), whole);

    // `build` of one book keeps its cover in the out-dir too.
    let output = presswork_on_a_fixed_date(&["-q", "build", "book", "--out-dir", "both"], &dir);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(names_in(&dir.join("both/.presswork-cache/covers")), kept);
    assert_eq!(
        std::fs::read(dir.join("both/book.epub")).expect("epub"),
        fresh
    );
}
