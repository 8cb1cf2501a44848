//! Memory benchmark: peak resident memory (VmHWM) after each stage for a synthetic
//! manuscript of the size given in megabytes (default 5): `cargo bench --bench memory -- 5`.

mod common;

use std::path::Path;

use presswork::epub::EpubRenderer;
use presswork::load::{load_book, LoadOptions};
use presswork::pdf::{PdfOptions, PdfRenderer};
use presswork::{Diagnostics, Renderer};

/// Peak resident set size so far, in MB (Linux).
fn peak_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let megabytes: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(5);
    let (text, chapter) = common::synthetic_manuscript(megabytes * 1_000_000);
    let dir = std::env::temp_dir().join(format!("presswork-memory-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let path = dir.join("big.md");
    std::fs::write(&path, &text).expect("write");
    println!("manuscript: {} bytes, {chapter} chapters", text.len());
    println!("start:         peak {:>8.1} MB", peak_mb());
    let clock = std::time::Instant::now();
    let book = load_book(
        Path::new(&path),
        &LoadOptions::default(),
        &mut Diagnostics::default(),
    )
    .expect("loads");
    drop(text);
    println!(
        "after load:    peak {:>8.1} MB, {:.2} s",
        peak_mb(),
        clock.elapsed().as_secs_f64()
    );
    let epub = EpubRenderer::default()
        .render(&book, &mut Diagnostics::default())
        .expect("epub");
    println!(
        "after epub:    peak {:>8.1} MB ({} bytes), {:.2} s",
        peak_mb(),
        epub.len(),
        clock.elapsed().as_secs_f64()
    );
    drop(epub);
    // The PDF as a build makes it: chapters laid out on worker threads, pages streamed to
    // the writer.
    let pdf = PdfRenderer {
        options: PdfOptions::default(),
    }
    .render(&book, &mut Diagnostics::default())
    .expect("pdf");
    println!(
        "after pdf:     peak {:>8.1} MB ({} bytes), {:.2} s",
        peak_mb(),
        pdf.len(),
        clock.elapsed().as_secs_f64()
    );
    drop(pdf);
    // `-- 5 stages`: also time layout and writing one after the other, to see which of the
    // two threads bounds the build (this holds every page in memory).
    if std::env::args().any(|a| a == "stages") {
        let fonts = presswork::typeset::fonts::FontSet::builtin().expect("fonts");
        let started = std::time::Instant::now();
        let laid_out = presswork::typeset::lay_out(
            &book,
            &fonts,
            presswork::typeset::PageGeometry::for_settings(&book.settings),
            &mut Diagnostics::default(),
        );
        let layout = started.elapsed().as_secs_f64();
        let started = std::time::Instant::now();
        presswork::pdf::write::write_pdf(laid_out, &fonts, &book, &PdfOptions::default())
            .expect("pdf");
        println!(
            "stages:        layout {layout:.2} s, writing {:.2} s",
            started.elapsed().as_secs_f64()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
