//! Images as they go into the EPUB: what e-readers show correctly and can afford to hold.
//!
//! Reading systems differ in what they do with a camera file: many ignore the EXIF orientation
//! (the photo lies on its side), many show a CMYK JPEG with inverted or garish colours, and a
//! 6000 px photo costs memory and page-turn time on an e-ink device for no visible gain. So:
//!
//! - the EXIF orientation is applied to the pixels (and the EXIF block dropped with it);
//! - a CMYK (or YCCK) JPEG is converted to RGB. The decoder's conversion is a plain formula,
//!   not an ICC transform: good enough for a screen, not for colour-managed print;
//! - an image of more than [`MAX_PIXELS`] (Apple Books' limit, 4 megapixels) or with a long
//!   edge past [`MAX_LONG_EDGE`] is downscaled to fit, with a Lanczos filter
//!   (`fast_image_resize`);
//! - a changed JPEG is re-encoded as JPEG at [`JPEG_QUALITY`], a changed PNG stays PNG (its
//!   transparency and sharp edges survive), and an RGB image keeps its ICC profile.
//!
//! An image that needs none of this keeps its original bytes. The format (and so the media
//! type) comes from the loader, which sniffed it from the bytes.

use std::borrow::Cow;
use std::io::Cursor;

use ::image::codecs::jpeg::JpegEncoder;
use ::image::codecs::png::PngEncoder;
use ::image::metadata::Orientation;
use ::image::{DynamicImage, ImageDecoder, ImageEncoder};

use crate::ir::ImageFormat;

/// The most pixels an image in the EPUB may have: Apple Books' limit (4 megapixels), which
/// the other stores' limits are above. Sharp on any e-reader, far smaller than camera
/// originals; a photo within it goes in byte for byte.
pub const MAX_PIXELS: u64 = 4_000_000;

/// The longest edge, in pixels, of an image in the EPUB (a panorama within the pixel limit
/// still has to fit a reader's texture size).
pub const MAX_LONG_EDGE: u32 = 4096;

/// JPEG quality for re-encoded photos.
pub const JPEG_QUALITY: u8 = 85;

/// An image ready for the EPUB.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared<'a> {
    /// The bytes to store: the original ones unless something had to change.
    pub bytes: Cow<'a, [u8]>,
    /// Its format (unchanged: JPEG stays JPEG, PNG stays PNG).
    pub format: ImageFormat,
    /// Width in pixels, as displayed.
    pub width: u32,
    /// Height in pixels, as displayed.
    pub height: u32,
    /// What was done, for diagnostics: empty when the original bytes are kept.
    pub changes: Vec<String>,
}

/// Prepare one image for the EPUB (see the module documentation).
pub fn prepare(bytes: &[u8], format: ImageFormat) -> Result<Prepared<'_>, String> {
    let decode_error = |e: ::image::ImageError| format!("cannot decode: {e}");
    let image_format = match format {
        ImageFormat::Jpeg => ::image::ImageFormat::Jpeg,
        ImageFormat::Png => ::image::ImageFormat::Png,
        // The loader already stored the sanitised document; its size is in the asset.
        ImageFormat::Svg => return Err("an SVG has no pixels to prepare".into()),
    };
    // The headers first, and alone (see `jpeg::headers`): most photos pass through as they
    // are, and need nothing more.
    let headers = match format {
        ImageFormat::Jpeg => crate::jpeg::headers(bytes),
        _ => bytes,
    };
    let mut decoder = ::image::ImageReader::with_format(Cursor::new(headers), image_format)
        .into_decoder()
        .map_err(decode_error)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let cmyk = format == ImageFormat::Jpeg && jpeg_components(bytes) == Some(4);
    // A CMYK profile describes the original ink values, not the converted RGB.
    let icc = if cmyk {
        None
    } else {
        decoder.icc_profile().ok().flatten()
    };
    let (width, height) = oriented(decoder.dimensions(), orientation);
    let oversized =
        u64::from(width) * u64::from(height) > MAX_PIXELS || width.max(height) > MAX_LONG_EDGE;

    let mut changes = Vec::new();
    if orientation != Orientation::NoTransforms {
        changes.push(format!("EXIF orientation {orientation:?} applied"));
    }
    if cmyk {
        changes.push("CMYK converted to RGB".to_string());
    }
    if changes.is_empty() && !oversized {
        return Ok(Prepared {
            bytes: Cow::Borrowed(bytes),
            format,
            width,
            height,
            changes,
        });
    }

    // The pixels: from the whole file.
    let decoder = if headers.len() < bytes.len() {
        ::image::ImageReader::with_format(Cursor::new(bytes), image_format)
            .into_decoder()
            .map_err(decode_error)?
    } else {
        decoder
    };
    let mut image = DynamicImage::from_decoder(decoder).map_err(decode_error)?;
    image.apply_orientation(orientation);
    if oversized {
        let (fit_w, fit_h) = fitted((image.width(), image.height()));
        image = resized(&image, fit_w, fit_h)?;
        changes.push(format!(
            "downscaled from {width}×{height} to {}×{} px",
            image.width(),
            image.height()
        ));
    }
    let encoded = match format {
        ImageFormat::Jpeg => encode_jpeg(&image, icc)?,
        ImageFormat::Png | ImageFormat::Svg => encode_png(&image, icc)?,
    };
    Ok(Prepared {
        bytes: Cow::Owned(encoded),
        format,
        width: image.width(),
        height: image.height(),
        changes,
    })
}

fn encode_jpeg(image: &DynamicImage, icc: Option<Vec<u8>>) -> Result<Vec<u8>, String> {
    // JPEG holds 8-bit grey or RGB, without alpha.
    let image = match image {
        DynamicImage::ImageLuma8(_) | DynamicImage::ImageRgb8(_) => Cow::Borrowed(image),
        other if !other.color().has_color() => Cow::Owned(DynamicImage::from(other.to_luma8())),
        other => Cow::Owned(DynamicImage::from(other.to_rgb8())),
    };
    let mut out = Vec::new();
    encode_with(
        JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY),
        &image,
        icc,
    )
    .map_err(|e| format!("cannot encode JPEG: {e}"))?;
    Ok(out)
}

fn encode_png(image: &DynamicImage, icc: Option<Vec<u8>>) -> Result<Vec<u8>, String> {
    // PNG holds every colour type the PNG decoder produces.
    let mut out = Vec::new();
    encode_with(PngEncoder::new(&mut out), image, icc)
        .map_err(|e| format!("cannot encode PNG: {e}"))?;
    Ok(out)
}

fn encode_with(
    mut encoder: impl ImageEncoder,
    image: &DynamicImage,
    icc: Option<Vec<u8>>,
) -> ::image::ImageResult<()> {
    if let Some(icc) = icc {
        // Unsupported only means the profile is left out.
        let _ = encoder.set_icc_profile(icc);
    }
    encoder.write_image(
        image.as_bytes(),
        image.width(),
        image.height(),
        image.color().into(),
    )
}

/// The size of a `(width, height)` image scaled down, aspect kept, to [`MAX_PIXELS`] and
/// [`MAX_LONG_EDGE`].
fn fitted((width, height): (u32, u32)) -> (u32, u32) {
    let pixels = f64::from(width) * f64::from(height);
    let by_pixels = (MAX_PIXELS as f64 / pixels).sqrt();
    let by_edge = f64::from(MAX_LONG_EDGE) / f64::from(width.max(height));
    let scale = by_pixels.min(by_edge).min(1.0);
    let scaled = |v: u32| ((f64::from(v) * scale).floor() as u32).max(1);
    (scaled(width), scaled(height))
}

/// `image` resized to `width` × `height` with a Lanczos filter, cropped from the middle to
/// that aspect if it differs (CSS `object-fit: cover`).
pub fn resized(image: &DynamicImage, width: u32, height: u32) -> Result<DynamicImage, String> {
    use fast_image_resize::{FilterType as Filter, ResizeAlg, ResizeOptions, Resizer};
    let mut out = DynamicImage::new(width, height, image.color());
    let options = ResizeOptions::new()
        .resize_alg(ResizeAlg::Convolution(Filter::Lanczos3))
        .fit_into_destination(Some((0.5, 0.5)));
    Resizer::new()
        .resize(image, &mut out, &options)
        .map_err(|e| format!("cannot resize: {e}"))?;
    Ok(out)
}

/// The displayed size of a `(width, height)` image with this orientation.
fn oriented((width, height): (u32, u32), orientation: Orientation) -> (u32, u32) {
    use Orientation::*;
    match orientation {
        Rotate90 | Rotate270 | Rotate90FlipH | Rotate270FlipH => (height, width),
        _ => (width, height),
    }
}

/// The number of colour components in a JPEG's frame header (1 grey, 3 YCbCr/RGB, 4 CMYK or
/// YCCK), or `None` when no frame header is found. The decoder converts CMYK to RGB and then
/// reports RGB, so the header is read here.
pub fn jpeg_components(bytes: &[u8]) -> Option<u8> {
    if bytes.get(..2)? != [0xFF, 0xD8] {
        return None;
    }
    let mut at = 2;
    loop {
        // Markers may be preceded by fill bytes 0xFF.
        while *bytes.get(at)? == 0xFF && *bytes.get(at + 1)? == 0xFF {
            at += 1;
        }
        if *bytes.get(at)? != 0xFF {
            return None;
        }
        let marker = *bytes.get(at + 1)?;
        match marker {
            // Standalone markers carry no length.
            0x01 | 0xD0..=0xD7 => {
                at += 2;
                continue;
            }
            // Start of scan or end of image before any frame header.
            0xDA | 0xD9 => return None,
            _ => {}
        }
        let length = usize::from(u16::from_be_bytes([
            *bytes.get(at + 2)?,
            *bytes.get(at + 3)?,
        ]));
        // SOF0–SOF15, except DHT (C4), JPG (C8) and DAC (CC).
        if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            // length(2) precision(1) height(2) width(2) components(1)
            return bytes.get(at + 9).copied();
        }
        if length < 2 {
            return None;
        }
        at += 2 + length;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::image::{GenericImageView, Rgb, RgbImage, Rgba, RgbaImage};

    /// A 40×20 JPEG: red on the left half, blue on the right.
    fn red_blue_jpeg() -> Vec<u8> {
        let image = RgbImage::from_fn(40, 20, |x, _| {
            if x < 20 {
                Rgb([255, 0, 0])
            } else {
                Rgb([0, 0, 255])
            }
        });
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, 95)
            .encode_image(&image)
            .expect("encode");
        out
    }

    /// The same JPEG with an EXIF APP1 segment (big-endian TIFF, one IFD entry: Orientation)
    /// inserted after SOI.
    fn with_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
        let mut tiff = Vec::new();
        tiff.extend_from_slice(b"MM\0\x2a\0\0\0\x08"); // header, IFD at offset 8
        tiff.extend_from_slice(&1u16.to_be_bytes()); // one entry
        tiff.extend_from_slice(&0x0112u16.to_be_bytes()); // tag: Orientation
        tiff.extend_from_slice(&3u16.to_be_bytes()); // type: SHORT
        tiff.extend_from_slice(&1u32.to_be_bytes()); // count
        tiff.extend_from_slice(&orientation.to_be_bytes());
        tiff.extend_from_slice(&[0, 0]); // value padding
        tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
        let mut payload = b"Exif\0\0".to_vec();
        payload.extend_from_slice(&tiff);
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap_or(0).to_be_bytes());
        out.extend_from_slice(&payload);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    fn decode(bytes: &[u8]) -> DynamicImage {
        ::image::load_from_memory(bytes).expect("decodes")
    }

    fn is_red(pixel: Rgba<u8>) -> bool {
        pixel[0] > 200 && pixel[1] < 60 && pixel[2] < 60
    }

    fn is_blue(pixel: Rgba<u8>) -> bool {
        pixel[0] < 60 && pixel[1] < 60 && pixel[2] > 200
    }

    #[test]
    fn small_upright_images_keep_their_bytes() {
        let jpeg = red_blue_jpeg();
        let prepared = prepare(&jpeg, ImageFormat::Jpeg).expect("prepared");
        assert!(matches!(prepared.bytes, Cow::Borrowed(_)));
        assert_eq!((prepared.width, prepared.height), (40, 20));
        assert!(prepared.changes.is_empty());

        let mut png = Vec::new();
        RgbaImage::from_pixel(30, 10, Rgba([0, 128, 0, 100]))
            .write_to(&mut Cursor::new(&mut png), ::image::ImageFormat::Png)
            .expect("encode");
        let prepared = prepare(&png, ImageFormat::Png).expect("prepared");
        assert_eq!(prepared.bytes.as_ref(), png.as_slice());
    }

    #[test]
    fn exif_orientation_is_applied_to_the_pixels() {
        // Orientation 6: the stored image must be turned 90° clockwise to be shown upright,
        // so the red left half ends up on top.
        let rotated = with_orientation(&red_blue_jpeg(), 6);
        assert_eq!(
            ::image::ImageReader::with_format(Cursor::new(&rotated), ::image::ImageFormat::Jpeg)
                .into_decoder()
                .and_then(|mut d| d.orientation())
                .ok(),
            Some(Orientation::Rotate90),
            "the hand-made APP1 segment is read"
        );
        let prepared = prepare(&rotated, ImageFormat::Jpeg).expect("prepared");
        assert!(matches!(prepared.bytes, Cow::Owned(_)));
        assert_eq!((prepared.width, prepared.height), (20, 40));
        assert_eq!(prepared.format, ImageFormat::Jpeg);
        let image = decode(&prepared.bytes);
        assert_eq!(image.dimensions(), (20, 40));
        assert!(
            is_red(image.get_pixel(10, 5)),
            "{:?}",
            image.get_pixel(10, 5)
        );
        assert!(
            is_blue(image.get_pixel(10, 35)),
            "{:?}",
            image.get_pixel(10, 35)
        );
        // The orientation is not applied twice by a reader that does honour EXIF.
        let mut decoder = ::image::ImageReader::with_format(
            Cursor::new(&prepared.bytes[..]),
            ::image::ImageFormat::Jpeg,
        )
        .into_decoder()
        .expect("decoder");
        assert_eq!(decoder.orientation().ok(), Some(Orientation::NoTransforms));
    }

    #[test]
    fn cmyk_jpeg_becomes_rgb() {
        // 16×8 pure red in CMYK (C 0, M 100 %, Y 100 %, K 0), written by Pillow with an Adobe
        // APP14 segment (inverted CMYK, as Photoshop writes it).
        let cmyk: &[u8] = include_bytes!("../../tests/data/cmyk-red.jpg");
        assert_eq!(jpeg_components(cmyk), Some(4));
        let prepared = prepare(cmyk, ImageFormat::Jpeg).expect("prepared");
        assert!(prepared.changes.iter().any(|c| c.contains("CMYK")));
        assert_eq!(jpeg_components(&prepared.bytes), Some(3));
        let image = decode(&prepared.bytes);
        assert_eq!(image.color(), ::image::ColorType::Rgb8);
        assert!(is_red(image.get_pixel(8, 4)), "{:?}", image.get_pixel(8, 4));
    }

    /// A `width` × `height` colour gradient as a JPEG of quality 90.
    fn gradient_jpeg(width: u32, height: u32) -> Vec<u8> {
        let image = RgbImage::from_fn(width, height, |x, y| {
            Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        });
        let mut jpeg = Vec::new();
        JpegEncoder::new_with_quality(&mut jpeg, 90)
            .encode_image(&image)
            .expect("encode");
        jpeg
    }

    #[test]
    fn large_photos_are_downscaled_and_pngs_stay_png() {
        // Within the limits (2.9 megapixels): the original bytes.
        let jpeg = gradient_jpeg(2400, 1200);
        let prepared = prepare(&jpeg, ImageFormat::Jpeg).expect("prepared");
        assert!(prepared.changes.is_empty(), "{:?}", prepared.changes);
        assert_eq!(prepared.bytes.as_ref(), jpeg.as_slice(), "byte for byte");

        // Six megapixels: down to four, the aspect kept.
        let jpeg = gradient_jpeg(3000, 2000);
        let prepared = prepare(&jpeg, ImageFormat::Jpeg).expect("prepared");
        assert_eq!((prepared.width, prepared.height), (2449, 1632));
        assert!(u64::from(prepared.width) * u64::from(prepared.height) <= MAX_PIXELS);
        assert_eq!(decode(&prepared.bytes).dimensions(), (2449, 1632));
        assert_eq!(
            ::image::guess_format(&prepared.bytes).ok(),
            Some(::image::ImageFormat::Jpeg)
        );

        // A tall PNG past the long-edge limit, with transparency.
        let tall = RgbaImage::from_pixel(500, 5000, Rgba([10, 20, 30, 128]));
        let mut png = Vec::new();
        tall.write_to(&mut Cursor::new(&mut png), ::image::ImageFormat::Png)
            .expect("encode");
        let prepared = prepare(&png, ImageFormat::Png).expect("prepared");
        assert_eq!(prepared.format, ImageFormat::Png);
        assert_eq!((prepared.width, prepared.height), (409, 4096));
        assert_eq!(
            ::image::guess_format(&prepared.bytes).ok(),
            Some(::image::ImageFormat::Png)
        );
        let image = decode(&prepared.bytes);
        assert!(image.color().has_alpha(), "transparency survives");
        assert_eq!(image.get_pixel(200, 2000), Rgba([10, 20, 30, 128]));
    }

    #[test]
    fn frame_header_is_found_past_other_segments() {
        let jpeg = red_blue_jpeg();
        assert_eq!(jpeg_components(&jpeg), Some(3));
        assert_eq!(jpeg_components(&with_orientation(&jpeg, 3)), Some(3));
        assert_eq!(jpeg_components(b"\x89PNG"), None);
        assert_eq!(jpeg_components(&jpeg[..4]), None);
    }
}
