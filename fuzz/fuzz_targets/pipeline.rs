//! `cargo +nightly fuzz run pipeline`: the first byte picks the mode, the rest is either a
//! manuscript (beside a valid PNG and JPEG it may refer to) or the bytes of an image used as a
//! figure. Everything goes through the loader and both back ends; only a panic (or a crash,
//! hang or memory blow-up) is a finding.
#![no_main]

use std::io::Cursor;
use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use presswork::epub::EpubRenderer;
use presswork::load::{load_book, LoadOptions};
use presswork::pdf::{PdfOptions, PdfRenderer};
use presswork::{Diagnostics, Renderer};

fn folder() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("presswork-cargo-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let png = image::RgbaImage::from_fn(17, 9, |x, y| {
            image::Rgba([(x * 15) as u8, (y * 28) as u8, 99, (x * y) as u8])
        });
        let mut buf = Vec::new();
        image::DynamicImage::from(png)
            .write_to(&mut Cursor::new(&mut buf), image::ImageFormat::Png)
            .expect("png");
        std::fs::write(dir.join("img.png"), &buf).expect("write");
        let jpeg = image::RgbImage::from_fn(19, 11, |x, y| {
            image::Rgb([(x * 13) as u8, (y * 23) as u8, 7])
        });
        let mut buf = Vec::new();
        image::DynamicImage::from(jpeg)
            .write_to(&mut Cursor::new(&mut buf), image::ImageFormat::Jpeg)
            .expect("jpeg");
        std::fs::write(dir.join("img.jpg"), &buf).expect("write");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let dir = folder();
    let manuscript = dir.join("a.md");
    if mode & 1 == 0 {
        std::fs::write(&manuscript, rest).expect("write");
    } else {
        std::fs::write(dir.join("fuzz.img"), rest).expect("write");
        std::fs::write(
            &manuscript,
            "# Pictures\n\n![A picture](fuzz.img)\n*Caption*\n\nText ![x](fuzz.img) here.\n",
        )
        .expect("write");
    }
    let mut diagnostics = Diagnostics::default();
    let options = LoadOptions {
        lenient: mode & 2 != 0,
        ..LoadOptions::default()
    };
    if let Ok(book) = load_book(&manuscript, &options, &mut diagnostics) {
        let _ = EpubRenderer::default()
        .render(&book, &mut diagnostics);
        let _ = PdfRenderer {
            options: PdfOptions::default(),
        }
        .render(&book, &mut diagnostics);
    }
});
