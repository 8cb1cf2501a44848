//! Which book to read and where to write when the command line does not say.

use std::path::{Path, PathBuf};

/// The book folder used when no INPUT is given and the current folder is not a book.
pub const DEFAULT_BOOK: &str = "book";

/// The folder outputs go to by default.
pub const DEFAULT_OUT_DIR: &str = "output";

/// `-o -`: write the file to standard output.
pub const STDOUT_MARKER: &str = "-";

/// The default INPUT, looked for in `cwd`: `cwd` itself when it holds a `book.toml`, or
/// holds `.md` files and no `book/` folder (so a repository whose root has a README.md beside
/// its `book/` still builds `book/`); else `book`.
pub fn default_input(cwd: &Path) -> PathBuf {
    let here = PathBuf::from(".");
    if cwd.join("book.toml").is_file() {
        return here;
    }
    let has_markdown = std::fs::read_dir(cwd).is_ok_and(|entries| {
        entries.flatten().any(|entry| {
            let path = entry.path();
            path.is_file()
                && path
                    .extension()
                    .is_some_and(|ext| ext.eq_ignore_ascii_case("md"))
        })
    });
    if has_markdown && !cwd.join(DEFAULT_BOOK).is_dir() {
        return here;
    }
    PathBuf::from(DEFAULT_BOOK)
}

/// `<out_dir>/<name>.<ext>`: the book's `output-name` when it has one, else the name of
/// the book folder or the manuscript's file stem.
pub fn default_output(
    out_dir: &Path,
    input: &Path,
    output_name: Option<&str>,
    extension: &str,
) -> PathBuf {
    let stem = output_name.map(str::to_string).unwrap_or_else(|| {
        input
            .canonicalize()
            .ok()
            .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .unwrap_or_else(|| DEFAULT_BOOK.into())
    });
    out_dir.join(format!("{stem}.{extension}"))
}

/// Where `-o` sends the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A file path.
    File(PathBuf),
    /// Standard output (`-o -`).
    Stdout,
}

/// Check an `-o` value before anything is built: `-` is standard output, an existing folder
/// is refused, and an extension other than the format's is refused with a hint (a path
/// without an extension is taken as given).
pub fn check_output(output: &Path, extension: &str) -> Result<Target, String> {
    if output.as_os_str() == STDOUT_MARKER {
        return Ok(Target::Stdout);
    }
    if output.is_dir() {
        return Err(format!(
            "`{}` is a folder; -o takes a file name (hint: `-o {}`)",
            output.display(),
            output.join(format!("{DEFAULT_BOOK}.{extension}")).display()
        ));
    }
    // The whole ending counts: a Kobo edition ends in `.kepub.epub`.
    let ends_right = output
        .file_name()
        .map(|name| name.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|name| name.ends_with(&format!(".{}", extension.to_ascii_lowercase())));
    if let Some(given) = output.extension().filter(|_| !ends_right) {
        let given = given.to_string_lossy();
        let other = match given.to_ascii_lowercase().as_str() {
            "pdf" => " or `presswork pdf` for a PDF",
            "epub" => " or `presswork epub` for an EPUB",
            _ => "",
        };
        return Err(format!(
            "`{}` ends in `.{given}` but this command writes {} (hint: `-o {}`{other})",
            output.display(),
            extension.to_ascii_uppercase(),
            output.with_extension(extension).display()
        ));
    }
    Ok(Target::File(output.to_path_buf()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("presswork-paths-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("mkdir");
        dir
    }

    #[test]
    fn default_input_prefers_a_book_here_but_not_a_readme_beside_book() {
        let dir = temp("input");
        assert_eq!(default_input(&dir), PathBuf::from("book"));
        std::fs::write(dir.join("README.md"), "# Read me\n").expect("write");
        assert_eq!(default_input(&dir), PathBuf::from("."));
        std::fs::create_dir(dir.join("book")).expect("mkdir");
        assert_eq!(default_input(&dir), PathBuf::from("book"));
        std::fs::write(dir.join("book.toml"), "").expect("write");
        assert_eq!(default_input(&dir), PathBuf::from("."));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn output_checks() {
        assert_eq!(check_output(Path::new("-"), "pdf"), Ok(Target::Stdout));
        assert_eq!(
            check_output(Path::new("a/b.PDF"), "pdf"),
            Ok(Target::File("a/b.PDF".into()))
        );
        assert_eq!(
            check_output(Path::new("noext"), "epub"),
            Ok(Target::File("noext".into()))
        );
        let wrong = check_output(Path::new("book.pdf"), "epub").expect_err("mismatch");
        assert!(
            wrong.contains("book.epub") && wrong.contains("presswork pdf"),
            "{wrong}"
        );
        // The Kobo edition's two-part ending.
        assert_eq!(
            check_output(Path::new("a.kepub.epub"), "kepub.epub"),
            Ok(Target::File("a.kepub.epub".into()))
        );
        let plain = check_output(Path::new("a.epub"), "kepub.epub").expect_err("plain");
        assert!(plain.contains("a.kepub.epub"), "{plain}");
        let dir = temp("out");
        let folder = check_output(&dir, "pdf").expect_err("folder");
        assert!(folder.contains("is a folder"), "{folder}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
