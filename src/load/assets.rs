//! Image references → the asset table. Every path is confined to the allowed folders,
//! the format is sniffed from the bytes and each image inspected once, from its header and
//! without decoding its pixels, under a pixel limit (an SVG is parsed once, with
//! [`crate::svg`], and kept in its sanitised form).

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Diagnostics, Error, Result, SourcePos};
use crate::ir::{slugify, Asset, AssetId, IdAllocator, ImageFormat};

/// Largest image file accepted, in bytes.
pub const MAX_IMAGE_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// Largest image accepted, in pixels (width × height): about 100 megapixels.
pub const MAX_IMAGE_PIXELS: u64 = 100_000_000;
/// Largest decoded image accepted, in bytes (pixels × bytes per pixel): 100 megapixels of
/// 8-bit RGBA. Checked from the header, before decoding, like [`MAX_IMAGE_PIXELS`].
pub const MAX_DECODED_BYTES: u64 = 400_000_000;
/// Entries of a folder looked at for a near match of a missing image's name: enough for
/// any real images folder, and a bound on the work for a hostile one.
const MAX_NEAR_MATCH_ENTRIES: usize = 10_000;

/// Resolves image references against the allowed folders and keeps each image once.
#[derive(Debug)]
pub struct AssetResolver {
    /// Canonical folders images may come from.
    roots: Vec<PathBuf>,
    /// Canonical path → asset, so an image used twice is stored once.
    by_path: BTreeMap<PathBuf, AssetId>,
    names: IdAllocator,
    assets: Vec<Asset>,
    /// Warnings about images that were accepted, located at their reference.
    diagnostics: Diagnostics,
}

impl AssetResolver {
    /// A resolver allowing the given folders (which must exist).
    pub fn new(roots: &[PathBuf]) -> Result<Self> {
        let mut canonical = Vec::new();
        for root in roots {
            let c = root.canonicalize().map_err(|source| Error::Read {
                path: root.clone(),
                source,
            })?;
            canonical.push(c);
        }
        Ok(AssetResolver {
            roots: canonical,
            by_path: BTreeMap::new(),
            names: IdAllocator::default(),
            assets: Vec::new(),
            diagnostics: Diagnostics::default(),
        })
    }

    /// The allowed folders, canonical.
    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    /// The name of a file beside `missing` whose name is near its own (`sunet.jpg` for
    /// `sunset.jpg`, or the same name in another case), looked for only in a folder inside
    /// the allowed ones: a misspelt reference never lists a folder outside the book.
    fn near_file(&self, missing: &Path) -> Option<String> {
        let wanted = missing.file_name()?.to_str()?;
        let folder = missing.parent()?.canonicalize().ok()?;
        if !self.roots.iter().any(|root| folder.starts_with(root)) {
            return None;
        }
        let names: Vec<String> = std::fs::read_dir(&folder)
            .ok()?
            .flatten()
            .take(MAX_NEAR_MATCH_ENTRIES)
            .filter(|entry| entry.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|entry| entry.file_name().into_string().ok())
            .collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        crate::suggest::did_you_mean(wanted, &names).map(str::to_string)
    }

    /// Resolve `reference` (as written in the manuscript at `at`, whose folder is `base`).
    pub fn resolve(&mut self, reference: &str, base: &Path, at: &SourcePos) -> Result<AssetId> {
        let fail = |reason: String| Error::Image {
            at: at.clone(),
            reference: reference.to_string(),
            reason,
        };
        let path_text = reference_to_path(reference).map_err(fail)?;
        let relative = Path::new(&path_text);
        if relative.is_absolute() || path_text.starts_with('\\') {
            return Err(fail(
                "absolute paths are not allowed; use a path relative to the manuscript".into(),
            ));
        }
        let mut candidates = vec![base.join(relative)];
        candidates.extend(self.roots.iter().map(|root| root.join(relative)));
        let Some(found) = candidates.iter().find(|c| c.symlink_metadata().is_ok()) else {
            let near = candidates
                .iter()
                .find_map(|candidate| self.near_file(candidate))
                .map(|name| {
                    let suggestion = match path_text.rsplit_once('/') {
                        Some((folder, _)) => format!("{folder}/{name}"),
                        None => name,
                    };
                    format!("; did you mean `{suggestion}`?")
                })
                .unwrap_or_default();
            return Err(fail(format!(
                "file not found (looked in {}){near}",
                self.roots
                    .iter()
                    .map(|r| r.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        };
        let canonical = found
            .canonicalize()
            .map_err(|e| fail(format!("cannot resolve {}: {e}", found.display())))?;
        if !self.roots.iter().any(|root| canonical.starts_with(root)) {
            return Err(fail(format!(
                "resolves to {}, outside the allowed folders ({}); move the image into one of them",
                canonical.display(),
                self.roots
                    .iter()
                    .map(|r| r.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        if let Some(id) = self.by_path.get(&canonical) {
            return Ok(*id);
        }
        let meta = std::fs::metadata(&canonical)
            .map_err(|e| fail(format!("cannot read {}: {e}", canonical.display())))?;
        if !meta.is_file() {
            return Err(fail(format!(
                "{} is not a regular file",
                canonical.display()
            )));
        }
        if meta.len() > MAX_IMAGE_FILE_BYTES {
            return Err(fail(format!(
                "{} is {} bytes; the limit is {MAX_IMAGE_FILE_BYTES}",
                canonical.display(),
                meta.len()
            )));
        }
        let bytes = std::fs::read(&canonical)
            .map_err(|e| fail(format!("cannot read {}: {e}", canonical.display())))?;
        let inspected =
            inspect_image(&bytes).map_err(|e| fail(format!("{}: {e}", canonical.display())))?;
        let (format, width, height) = (inspected.format, inspected.width, inspected.height);
        if !inspected.uncovered_characters.is_empty() {
            self.diagnostics.push(
                Diagnostic::warning(format!(
                    "image `{reference}`: no bundled font has the characters `{}` of its \
                     text; they print as empty boxes",
                    inspected.uncovered_characters
                ))
                .at(at.clone())
                .hint("convert the SVG's text to paths in the drawing program"),
            );
        }
        // An SVG is kept as usvg wrote it back: nothing it did not understand survives.
        let bytes = inspected.sanitised_svg.map_or(bytes, String::into_bytes);
        let stem = canonical
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = format!(
            "{}.{}",
            self.names.unique(&slugify(&stem, "image")),
            format.extension()
        );
        let id = AssetId(self.assets.len());
        self.assets.push(Asset {
            name,
            format,
            width,
            height,
            bytes,
            first_use: Some(at.clone()),
        });
        self.by_path.insert(canonical, id);
        Ok(id)
    }

    /// The warnings about accepted images so far, leaving none behind.
    pub fn take_diagnostics(&mut self) -> Diagnostics {
        std::mem::take(&mut self.diagnostics)
    }

    /// Hand the finished asset table to the IR.
    pub fn into_assets(self) -> Vec<Asset> {
        self.assets
    }
}

/// Turn a Markdown image destination into a relative path, refusing URLs.
fn reference_to_path(reference: &str) -> std::result::Result<String, String> {
    let trimmed = reference.trim();
    if trimmed.is_empty() {
        return Err("empty image path".into());
    }
    if let Some((scheme, _)) = trimmed.split_once(':') {
        let is_scheme = scheme.len() > 1
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        if is_scheme {
            let lower = scheme.to_ascii_lowercase();
            return Err(if lower == "http" || lower == "https" {
                "remote images are never fetched (builds are offline and reproducible); \
                 download the file into the book's images folder and refer to it by path"
                    .into()
            } else {
                format!("`{lower}:` URLs are not allowed; use a path relative to the manuscript")
            });
        }
    }
    let path = trimmed.split(['?', '#']).next().unwrap_or(trimmed);
    percent_decode(path).ok_or_else(|| "malformed %-escape in image path".to_string())
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// What the loader learnt about an image file.
#[derive(Debug, Clone, PartialEq)]
pub struct InspectedImage {
    /// The format, from the bytes.
    pub format: ImageFormat,
    /// Displayed width in pixels (after EXIF orientation; CSS pixels for SVG).
    pub width: u32,
    /// Displayed height in pixels (after EXIF orientation; CSS pixels for SVG).
    pub height: u32,
    /// For an SVG, the document as usvg wrote it back (see [`crate::svg::sanitised`]).
    pub sanitised_svg: Option<String>,
    /// For an SVG, the characters of its text that no bundled font has.
    pub uncovered_characters: String,
}

/// Sniff the format from the bytes, read the header (size, colour model, orientation) and
/// check the pixel limit, and check that the file is whole without decoding its pixels
/// (a JPEG's end-of-image marker, a PNG's chunk checksums): loading a book costs no more
/// than reading its files. An SVG is parsed and its natural size checked against the same
/// pixel limit.
pub fn inspect_image(bytes: &[u8]) -> std::result::Result<InspectedImage, String> {
    use ::image::ImageDecoder;
    if bytes.is_empty() {
        return Err("the file is empty".into());
    }
    let format = sniff_format(bytes).ok_or_else(|| {
        let what = match other_format(bytes) {
            Some(name) => format!("a {name} file, not a JPEG, PNG or SVG image"),
            None => "not a JPEG, PNG or SVG image".to_string(),
        };
        format!(
            "{what} (the format is read from the bytes, not the name); \
             convert it to JPEG, PNG or SVG"
        )
    })?;
    let image_format = match format {
        ImageFormat::Jpeg => ::image::ImageFormat::Jpeg,
        ImageFormat::Png => ::image::ImageFormat::Png,
        ImageFormat::Svg => return inspect_svg(bytes),
    };
    let header = match format {
        ImageFormat::Jpeg => crate::jpeg::headers(bytes),
        _ => bytes,
    };
    let mut reader = ::image::ImageReader::with_format(Cursor::new(header), image_format);
    // Only an allocation cap here: the size limits below are checked from the header with a
    // clearer message than the decoder's.
    let mut limits = ::image::Limits::no_limits();
    limits.max_alloc = Some(MAX_DECODED_BYTES + (64 << 20));
    reader.limits(limits);
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| format!("corrupt or truncated image: {}", one_line(&e)))?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err("image has no pixels".into());
    }
    if u64::from(width) * u64::from(height) > MAX_IMAGE_PIXELS {
        return Err(format!(
            "{width}×{height} pixels exceeds the limit of {MAX_IMAGE_PIXELS} pixels; \
             scale the image down"
        ));
    }
    if decoder.total_bytes() > MAX_DECODED_BYTES {
        return Err(format!(
            "{width}×{height} pixels of {:?} would take {} bytes decoded, over the limit of \
             {MAX_DECODED_BYTES}; scale the image down",
            decoder.color_type(),
            decoder.total_bytes()
        ));
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(::image::metadata::Orientation::NoTransforms);
    // Completeness without decoding the pixels: a JPEG's scan must reach its end-of-image
    // marker (the decoder pads a scan that stops early with grey, so only the marker
    // tells), and every chunk of a PNG must be whole and match its checksum up to `IEND`.
    // Both catch a file cut off or damaged in transit; the back ends, which decode only the
    // images they must change, report whatever a crafted file hides past that.
    match format {
        ImageFormat::Jpeg if !jpeg_has_end_marker(bytes) => {
            return Err(
                "truncated JPEG: the image data stops before its end-of-image marker \
                 (the file was cut off while copying or downloading)"
                    .into(),
            )
        }
        ImageFormat::Png => png_chunks_are_whole(bytes)?,
        _ => {}
    }
    use ::image::metadata::Orientation::*;
    let (w, h) = match orientation {
        Rotate90 | Rotate270 | Rotate90FlipH | Rotate270FlipH => (height, width),
        _ => (width, height),
    };
    Ok(InspectedImage {
        format,
        width: w,
        height: h,
        sanitised_svg: None,
        uncovered_characters: String::new(),
    })
}

/// Parse an SVG, check its natural size against [`MAX_IMAGE_PIXELS`] (as CSS pixels: a
/// larger drawing is almost always a unit mistake) and keep its sanitised form.
fn inspect_svg(bytes: &[u8]) -> std::result::Result<InspectedImage, String> {
    let tree = crate::svg::parse(bytes)?;
    let (width, height) = crate::svg::size_px(&tree);
    if u64::from(width) * u64::from(height) > MAX_IMAGE_PIXELS {
        return Err(format!(
            "an SVG of {width}×{height} CSS pixels exceeds the limit of {MAX_IMAGE_PIXELS} \
             pixels; check its width, height and viewBox"
        ));
    }
    Ok(InspectedImage {
        format: ImageFormat::Svg,
        width,
        height,
        sanitised_svg: Some(crate::svg::sanitised(&tree)),
        uncovered_characters: crate::svg::uncovered_characters(&tree),
    })
}

/// Whether a JPEG has an end-of-image marker after its first scan. Inside entropy-coded data
/// every 0xFF byte is followed by 0x00 or a restart marker, so `FF D9` after the start of scan
/// can only be the real end (thumbnails in APP segments come before it). Data after the end
/// marker (camera trailers) is allowed.
fn jpeg_has_end_marker(bytes: &[u8]) -> bool {
    // Searched from the end, where the marker nearly always is: the answer is the same
    // (only the end marker can be there) and the whole scan is not read.
    crate::jpeg::scan_start(bytes)
        .and_then(|start| bytes.get(start..))
        .is_some_and(|scan| scan.windows(2).rev().any(|pair| pair == [0xFF, 0xD9]))
}

/// The signature every PNG file starts with.
const PNG_SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";

/// Whether every chunk of a PNG is whole and matches its CRC, up to and including `IEND`.
fn png_chunks_are_whole(bytes: &[u8]) -> std::result::Result<(), String> {
    let truncated = || {
        "truncated PNG: the file stops before its IEND chunk \
         (it was cut off while copying or downloading)"
            .to_string()
    };
    let mut at = PNG_SIGNATURE.len();
    loop {
        let length = bytes
            .get(at..at + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .ok_or_else(truncated)?;
        let kind_and_data = bytes.get(at + 4..at + 8 + length).ok_or_else(truncated)?;
        let stored = bytes
            .get(at + 8 + length..at + 12 + length)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
            .ok_or_else(truncated)?;
        let kind = &kind_and_data[..4];
        if crc32fast::hash(kind_and_data) != stored {
            return Err(format!(
                "corrupt PNG: its {} chunk does not match its checksum \
                 (the file was damaged while copying or downloading)",
                String::from_utf8_lossy(kind)
            ));
        }
        if kind == b"IEND" {
            return Ok(());
        }
        at += 12 + length;
    }
}

/// A decoder's message on one line, without trailing space.
fn one_line(error: &dyn std::fmt::Display) -> String {
    error
        .to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Name a format presswork does not take, so the message can say what the file is.
fn other_format(bytes: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"GIF87a", "GIF"),
        (b"GIF89a", "GIF"),
        (b"BM", "BMP"),
        (b"II*\0", "TIFF"),
        (b"MM\0*", "TIFF"),
        (b"%PDF", "PDF"),
        (b"<?xml", "XML"),
        (
            b"\x1f\x8b",
            "gzip-compressed (an .svgz? save it as plain SVG)",
        ),
        (b"\0\0\0\x0cjP  ", "JPEG 2000"),
    ];
    if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some("WebP");
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        return Some(match &bytes[8..12] {
            b"avif" | b"avis" => "AVIF",
            b"heic" | b"heix" | b"mif1" | b"msf1" => "HEIC",
            _ => "ISO media (HEIC/AVIF/MP4)",
        });
    }
    MAGIC
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
        .map(|(_, name)| *name)
}

/// The image format from the file's magic bytes.
pub fn sniff_format(bytes: &[u8]) -> Option<ImageFormat> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageFormat::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else if crate::svg::looks_like_svg(bytes) {
        Some(ImageFormat::Svg)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_refused() {
        assert!(reference_to_path("https://example.com/a.jpg")
            .unwrap_err()
            .contains("never fetched"));
        assert!(reference_to_path("file:///etc/passwd")
            .unwrap_err()
            .contains("file:"));
        assert_eq!(reference_to_path("a%20b.jpg").unwrap(), "a b.jpg");
        assert_eq!(reference_to_path("c:x.jpg").unwrap(), "c:x.jpg");
    }

    #[test]
    fn formats_are_sniffed_from_bytes() {
        assert_eq!(
            sniff_format(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(ImageFormat::Jpeg)
        );
        assert_eq!(
            sniff_format(b"\x89PNG\r\n\x1a\n...."),
            Some(ImageFormat::Png)
        );
        assert_eq!(sniff_format(b"GIF89a"), None);
        assert!(inspect_image(b"GIF89a").is_err());
    }

    /// A `width` × `height` colour gradient encoded as `format`.
    fn gradient(width: u32, height: u32, format: ::image::ImageFormat) -> Vec<u8> {
        let mut bytes = Vec::new();
        ::image::RgbImage::from_fn(width, height, |x, y| ::image::Rgb([x as u8, y as u8, 7]))
            .write_to(&mut Cursor::new(&mut bytes), format)
            .expect("encode");
        bytes
    }

    #[test]
    fn truncated_jpeg_is_rejected() {
        let buf = gradient(64, 64, ::image::ImageFormat::Jpeg);
        assert_eq!(inspect_image(&buf).expect("valid").width, 64);
        assert!(inspect_image(&buf[..buf.len() / 3]).is_err());
    }

    #[test]
    fn png_completeness_is_checked_without_decoding() {
        let png = gradient(40, 30, ::image::ImageFormat::Png);
        assert_eq!(png_chunks_are_whole(&png), Ok(()));
        assert_eq!(inspect_image(&png).expect("whole").height, 30);
        // Cut anywhere after the header chunk: the file no longer reaches IEND.
        for cut in [png.len() - 1, png.len() - 12, png.len() / 2, 40] {
            let error = inspect_image(&png[..cut]).expect_err("cut");
            assert!(
                error.contains("truncated PNG") || error.contains("corrupt or truncated"),
                "{cut}: {error}"
            );
        }
        // One bit flipped in the pixel data.
        let idat = png.windows(4).position(|w| w == b"IDAT").expect("IDAT");
        let mut flipped = png.clone();
        flipped[idat + 10] ^= 0x01;
        let error = inspect_image(&flipped).expect_err("damaged");
        assert!(error.starts_with("corrupt PNG: its IDAT chunk"), "{error}");
        // A chunk whose length runs past the end of the file.
        let mut long = png.clone();
        long[idat - 4..idat].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(png_chunks_are_whole(&long).is_err());
    }

    #[test]
    fn jpeg_cut_off_mid_scan_is_refused() {
        let buf = gradient(64, 64, ::image::ImageFormat::Jpeg);
        assert!(jpeg_has_end_marker(&buf));
        // Only the last two bytes (the end marker) missing: the decoder alone accepts it.
        let cut = &buf[..buf.len() - 2];
        assert!(!jpeg_has_end_marker(cut));
        let error = inspect_image(cut).unwrap_err();
        assert!(error.contains("truncated JPEG"), "{error}");
        // A trailer after the end marker is fine.
        let mut trailer = buf.clone();
        trailer.extend_from_slice(b"camera trailer");
        assert!(inspect_image(&trailer).is_ok());
    }

    #[test]
    fn svg_is_inspected_and_sanitised() {
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60" onload="x()"><script>x()</script><circle cx="30" cy="30" r="20"/></svg>"#;
        let inspected = inspect_image(svg).expect("valid SVG");
        assert_eq!(inspected.format, ImageFormat::Svg);
        assert_eq!((inspected.width, inspected.height), (120, 60));
        let clean = inspected.sanitised_svg.expect("sanitised");
        assert!(
            !clean.contains("script") && !clean.contains("onload"),
            "{clean}"
        );
        let huge = br#"<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100000"/>"#;
        assert!(inspect_image(huge).unwrap_err().contains("exceeds"));
        let broken = br#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect"#;
        assert!(inspect_image(broken).unwrap_err().contains("malformed SVG"));
    }
}
