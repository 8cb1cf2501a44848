//! Pipeline benchmark: load, EPUB and PDF times for the seed book and for synthetic
//! manuscripts of growing size (to show time grows linearly with the input).
//!
//! Run with `cargo bench --bench pipeline` (release build). A plain bench binary rather than
//! criterion: the stages take milliseconds to seconds, so a few timed runs with the median
//! reported are enough, and it keeps the build light.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use presswork::epub::EpubRenderer;
use presswork::ir::Book;
use presswork::load::{load_book, LoadOptions};
use presswork::pdf::{PdfOptions, PdfRenderer};
use presswork::{Diagnostics, Renderer};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut samples = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        last = Some(f());
        samples.push(start.elapsed());
    }
    (median(samples), last.expect("at least one run"))
}

fn load(path: &Path) -> Book {
    load_book(path, &LoadOptions::default(), &mut Diagnostics::default()).expect("loads")
}

fn report(name: &str, input_bytes: usize, path: &Path, runs: usize) {
    let (load_time, book) = time(runs, || load(path));
    let epub = EpubRenderer::default();
    let pdf = PdfRenderer {
        options: PdfOptions::default(),
    };
    let (epub_time, epub_bytes) = time(runs, || {
        epub.render(&book, &mut Diagnostics::default())
            .expect("epub")
    });
    let (pdf_time, pdf_bytes) = time(runs, || {
        pdf.render(&book, &mut Diagnostics::default()).expect("pdf")
    });
    let fonts = presswork::typeset::fonts::FontSet::builtin().expect("fonts");
    let (layout_time, laid_out) = time(runs, || {
        presswork::typeset::lay_out(
            &book,
            &fonts,
            presswork::typeset::PageGeometry::for_settings(&book.settings),
            &mut Diagnostics::default(),
        )
    });
    let (write_time, _) = time(runs, || {
        presswork::pdf::write::write_pdf(laid_out.clone(), &fonts, &book, &PdfOptions::default())
            .expect("write")
    });
    println!(
        "{:<22} pdf = layout {layout_time:>9.1?} ({} pages) + write {write_time:>9.1?}",
        "",
        laid_out.pages.len()
    );
    // The EPUB's own stages: the generated cover, the print page list (a second layout),
    // each picture made fit for e-readers.
    let artwork = presswork::epub::pages::first_figure(&book)
        .and_then(|figure| book.assets.get(figure.asset.0))
        .filter(|asset| asset.format != presswork::ir::ImageFormat::Svg)
        .map(|asset| asset.bytes.clone());
    let (cover_time, _) = time(runs, || {
        presswork::epub::cover::generate(&book, artwork.as_deref()).expect("cover")
    });
    let (page_list_time, pages) = time(runs, || {
        presswork::epub::page_list::print_pages(&book).expect("page list")
    });
    let (images_time, _) = time(runs, || {
        book.assets
            .iter()
            .filter(|a| a.format != presswork::ir::ImageFormat::Svg)
            .filter_map(|a| {
                presswork::epub::images::prepare(&a.bytes, a.format)
                    .ok()
                    .map(|p| p.bytes.len())
            })
            .sum::<usize>()
    });
    println!(
        "{:<22} epub: cover {cover_time:>9.1?} + page list {page_list_time:>9.1?} ({} pages) + images {images_time:>9.1?}",
        "",
        pages.map_or(0, |p| p.len())
    );
    println!(
        "{name:<22} {:>9} B in | load {:>9.1?} | epub {:>9.1?} ({:>8} B) | pdf {:>9.1?} ({:>8} B)",
        input_bytes,
        load_time,
        epub_time,
        epub_bytes.len(),
        pdf_time,
        pdf_bytes.len()
    );
}

fn synthetic(dir: &Path, name: &str, target_bytes: usize) -> (PathBuf, usize) {
    let (text, _) = common::synthetic_manuscript(target_bytes);
    let path = dir.join(format!("{name}.md"));
    std::fs::write(&path, &text).expect("write");
    (path, text.len())
}

/// Paragraphs dense with inline HTML, links, autolink literals and footnotes.
fn real_world_markup(target_bytes: usize) -> (String, usize) {
    let paragraph = "Press <kbd>Ctrl</kbd>+<kbd>C</kbd>; H<sub>2</sub>O, x<sup>2</sup> and \
        <abbr title=\"World Health Organization\">WHO</abbr>. See [the docs](https://example.com/docs?filter[x]=1), \
        www.example.org/path, mail@example.com and <a href=\"https://example.net/\">a link</a>; \
        <span lang=\"hi\">नमस्ते</span>, <b>bold</b> and *emphasis that\nwraps* with a note[^n].\n\n";
    let mut text = String::from("# Markup\n\n");
    let mut chapter = 0;
    while text.len() < target_bytes {
        chapter += 1;
        text.push_str(&format!("## Part {chapter}\n\n"));
        for _ in 0..10 {
            text.push_str(paragraph);
        }
        text.push_str("<details>\n<summary>More</summary>\n\nHidden text.\n\n</details>\n\n");
    }
    text.push_str("[^n]: The note.\n");
    let bytes = text.len();
    (text, bytes)
}

fn main() {
    // `cargo bench` passes `--bench`; ignore arguments.
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("presswork-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let seed_bytes =
        std::fs::metadata(repo.join("book/article.md")).map_or(0, |m| m.len() as usize);
    report("seed book", seed_bytes, &repo.join("book"), 9);
    for (name, size, runs) in [
        ("synthetic 100 KB", 100_000, 5),
        ("synthetic 1 MB", 1_000_000, 3),
        ("synthetic 4 MB", 4_000_000, 1),
    ] {
        let (path, bytes) = synthetic(&dir, &name.replace(' ', "-"), size);
        report(name, bytes, &path, runs);
    }
    // What real manuscripts bring: inline HTML, links of every kind, bare URLs to autolink.
    let (markup, markup_bytes) = real_world_markup(1_000_000);
    let path = dir.join("markup.md");
    std::fs::write(&path, &markup).expect("write");
    report("markup-heavy 1 MB", markup_bytes, &path, 3);
    let manual = repo.join("../shared/corpus/public/pandoc-manual.md");
    if let Ok(meta) = std::fs::metadata(&manual) {
        report("pandoc manual", meta.len() as usize, &manual, 3);
    }
    let word = format!("# Word\n\nA {} word.\n", "a".repeat(5000));
    let path = dir.join("word.md");
    std::fs::write(&path, &word).expect("write");
    report("5000-letter word", word.len(), &path, 5);
    let _ = std::fs::remove_dir_all(&dir);
}
