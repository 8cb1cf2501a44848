//! `presswork new DIR`: a starter book folder that builds at once.

use std::path::Path;

/// The starter `book.toml`: the common keys, most commented out with their defaults.
const BOOK_TOML: &str = r#"# Metadata and build settings. Every key is described in presswork's README ("A book folder").

[book]
title = "My Book"
authors = ["Your Name"]
language = "en"              # BCP 47 language tag
# date = "2026-01-31"        # YYYY-MM-DD
# rights = "© 2026 Your Name"
# subjects = ["Fiction"]

[build]
# Chapters are every .md file here in natural order (README.md excepted);
# or list them: manuscript = ["01-beginning.md", "02-middle.md"]
# paper = "a5"               # PDF paper: a5, a4, letter, 6x9
# layout = "book"            # book (title page, contents) or article
# notes = "page"             # footnotes at the foot of the page, or "chapter"
# split-level = 1            # heading level that starts a chapter
# output-name = "my-book"   # the outputs' file name (default: this folder's name)

[epub]                       # the ebook only
# cover = "images/cover.jpg" # the cover picture (default: the first picture in the text)
# stylesheet = "epub.css"    # your CSS, after the house stylesheet

[typography]                 # the printed page (PDF); every key optional
# font-size = 10             # body text in points, 7-16
# leading = 14               # baseline to baseline in points
# chapter-opening = "right"  # or "any"
# figures = "old-style"      # or "lining"

# [typography.margins]       # lengths with a unit: mm, cm, in, pt, pc
# top = "20mm"
# bottom = "24mm"
# inner = "16mm"
# outer = "24mm"
"#;

/// The first chapter: headings, emphasis, a footnote and the picture.
const CHAPTER_ONE: &str = "# The Beginning\n\n\
Every book starts with a first chapter. Write in *Markdown*: paragraphs are separated by a \
blank line, **bold** and *italic* work as usual, and a footnote is a mark like this.[^first]\n\n\
![A small coloured square, the starter picture](images/picture.png)\n\n\
## A section\n\n\
Headings of level two are sections inside the chapter.\n\n\
[^first]: Footnotes go at the foot of the page in the PDF, and at the chapter's end in the EPUB.\n";

/// The second chapter.
const CHAPTER_TWO: &str = "# The Middle\n\n\
Each `#` heading starts a new chapter. Files are read in natural order, so \
`02-middle.md` follows `01-beginning.md`.\n\n\
> A quotation is set in from the margins.\n\n\
- Lists work too,\n- with as many items as you like.\n";

/// The folder's README (the top-level README.md is never a chapter).
const README: &str = "# My Book\n\nBuild it with `presswork build` in this folder \
(EPUB and PDF in `output/`); `presswork check` reports problems without writing anything.\n";

/// Side of the starter picture in pixels: small, yet sharp at its printed size.
const PICTURE_SIDE: u32 = 240;

/// Create the starter book in `dir`, which must not exist or be empty.
pub fn create(dir: &Path) -> Result<(), String> {
    if dir.exists() {
        let empty = dir.is_dir()
            && std::fs::read_dir(dir)
                .map_err(|e| format!("cannot read `{}`: {e}", dir.display()))?
                .next()
                .is_none();
        if !empty {
            return Err(format!(
                "`{}` already exists and is not empty; nothing was written (hint: give a new folder name)",
                dir.display()
            ));
        }
    }
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).map_err(|e| format!("cannot write `{}`: {e}", path.display()))
    };
    let images = dir.join("images");
    std::fs::create_dir_all(&images)
        .map_err(|e| format!("cannot create `{}`: {e}", images.display()))?;
    write("book.toml", BOOK_TOML.as_bytes())?;
    write("01-beginning.md", CHAPTER_ONE.as_bytes())?;
    write("02-middle.md", CHAPTER_TWO.as_bytes())?;
    write("README.md", README.as_bytes())?;
    write("images/picture.png", &picture()?)?;
    Ok(())
}

/// A small gradient square as PNG bytes, made here rather than shipped as a binary file.
fn picture() -> Result<Vec<u8>, String> {
    let image = image::RgbImage::from_fn(PICTURE_SIDE, PICTURE_SIDE, |x, y| {
        let scale = |v: u32| u8::try_from(v * u32::from(u8::MAX) / PICTURE_SIDE).unwrap_or(u8::MAX);
        image::Rgb([scale(x), scale(y), u8::MAX / 2])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut bytes, image::ImageFormat::Png)
        .map_err(|e| format!("cannot encode the starter picture: {e}"))?;
    Ok(bytes.into_inner())
}
