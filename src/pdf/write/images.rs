//! Image XObjects, written straight into the lopdf document. JPEGs go in as they are
//! (`/DCTDecode`, no re-encoding) unless their EXIF orientation needs applying; PNGs are
//! decoded and stored losslessly (Flate, with PNG predictors where they make the stream
//! smaller), with their alpha channel as a soft mask.

use std::collections::BTreeMap;
use std::io::Cursor;

use std::io::Write;

use ::image::metadata::Orientation;
use ::image::{DynamicImage, ImageDecoder};
use flate2::write::ZlibEncoder;
use flate2::Compression;
use lopdf::{Dictionary, Object};
use printpdf::XObjectId;

use crate::ir::{Asset, ImageFormat};
use crate::{Error, Result};

/// JPEG quality used when an EXIF-rotated JPEG has to be re-encoded. High enough that the
/// second generation is visually lossless at print sizes.
const REENCODE_QUALITY: u8 = 92;

/// What the JPEG headers say.
#[derive(Debug, Default)]
struct JpegInfo {
    width: u32,
    height: u32,
    components: u8,
    /// An Adobe APP14 segment is present (Photoshop-style CMYK is then stored inverted).
    adobe: bool,
    /// The EXIF orientation, if an APP1 Exif segment has one.
    orientation: Option<Orientation>,
}

/// Walk the JPEG markers up to the first frame header.
fn jpeg_info(d: &[u8]) -> Option<JpegInfo> {
    if d.get(0..2)? != [0xFF, 0xD8] {
        return None;
    }
    let mut info = JpegInfo::default();
    let mut i = 2;
    while i + 4 <= d.len() {
        if d[i] != 0xFF {
            return None;
        }
        let m = d[i + 1];
        if m == 0xFF {
            i += 1; // fill byte
            continue;
        }
        if m == 0xD8 || m == 0x01 || (0xD0..=0xD7).contains(&m) {
            i += 2; // markers without a length
            continue;
        }
        let len = usize::from(u16::from_be_bytes([d[i + 2], d[i + 3]]));
        let body = d.get(i + 4..i + 2 + len)?;
        match m {
            0xE1 if body.starts_with(b"Exif\0\0") => {
                info.orientation = Orientation::from_exif_chunk(&body[6..]);
            }
            0xEE if body.starts_with(b"Adobe") => info.adobe = true,
            0xC0..=0xCF if !matches!(m, 0xC4 | 0xC8 | 0xCC) => {
                let s = body.get(0..6)?;
                info.height = u32::from(u16::from_be_bytes([s[1], s[2]]));
                info.width = u32::from(u16::from_be_bytes([s[3], s[4]]));
                info.components = s[5];
                return Some(info);
            }
            _ => {}
        }
        i += 2 + len;
    }
    None
}

fn name(s: &str) -> Object {
    Object::Name(s.as_bytes().to_vec())
}

fn image_dict(width: u32, height: u32, colour_space: &str) -> Dictionary {
    let mut dict = Dictionary::new();
    dict.set("Type", name("XObject"));
    dict.set("Subtype", name("Image"));
    dict.set("Width", Object::Integer(i64::from(width)));
    dict.set("Height", Object::Integer(i64::from(height)));
    dict.set("ColorSpace", name(colour_space));
    dict.set(
        "BitsPerComponent",
        Object::Integer(i64::from(BITS_PER_COMPONENT)),
    );
    dict
}

/// A stream holding `content` exactly as given (already encoded by its `/Filter`).
fn stream(dict: Dictionary, content: Vec<u8>) -> lopdf::Stream {
    lopdf::Stream::new(dict, content).with_compression(false)
}

/// A JPEG as a `/DCTDecode` stream, bytes unchanged.
fn jpeg_xobject(bytes: &[u8], info: &JpegInfo) -> Result<lopdf::Stream> {
    let colour_space = match info.components {
        1 => "DeviceGray",
        3 => "DeviceRGB",
        4 => "DeviceCMYK",
        n => return Err(Error::Pdf(format!("JPEG with {n} colour components"))),
    };
    let mut dict = image_dict(info.width, info.height, colour_space);
    dict.set("Filter", name("DCTDecode"));
    if info.components == 4 && info.adobe {
        // Photoshop writes CMYK JPEGs inverted whatever its APP14 transform flag says
        // (0 = plain CMYK, 2 = YCCK); the DCT filter itself honours the flag for the
        // colour conversion, so only the inversion is ours to declare.
        dict.set(
            "Decode",
            Object::Array([1, 0, 1, 0, 1, 0, 1, 0].map(Object::Integer).to_vec()),
        );
    }
    Ok(stream(dict, bytes.to_vec()))
}

/// Decode, rotate by the EXIF orientation and re-encode at [`REENCODE_QUALITY`]. PDF has no
/// notion of EXIF, so the pixels themselves must be upright. CMYK comes out as RGB.
fn reencoded_jpeg(bytes: &[u8], orientation: Orientation, asset: &str) -> Result<Vec<u8>> {
    let fail = |e: ::image::ImageError| Error::Pdf(format!("image {asset}: {e}"));
    let decoder = ::image::codecs::jpeg::JpegDecoder::new(Cursor::new(bytes)).map_err(fail)?;
    let mut img = DynamicImage::from_decoder(decoder).map_err(fail)?;
    img.apply_orientation(orientation);
    // The JPEG encoder takes 8-bit grey or RGB only (CMYK sources were converted on decode).
    let img = match img {
        DynamicImage::ImageLuma8(_) => img,
        other => DynamicImage::ImageRgb8(other.to_rgb8()),
    };
    let mut out = Vec::new();
    let encoder = ::image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, REENCODE_QUALITY);
    img.write_with_encoder(encoder).map_err(fail)?;
    Ok(out)
}

/// A JPEG, passed through unless its EXIF orientation needs applying or, in an archival
/// file, it is CMYK: PDF/A allows device CMYK only with a CMYK output intent, and ours is
/// sRGB, so such a photo is converted to RGB (as the EPUB does).
fn jpeg(asset: &Asset, archival: bool) -> Result<lopdf::Stream> {
    let info = jpeg_info(&asset.bytes)
        .ok_or_else(|| Error::Pdf(format!("image {}: not a readable JPEG", asset.name)))?;
    let orientation = info.orientation.unwrap_or(Orientation::NoTransforms);
    let cmyk_in_archive = archival && info.components == 4;
    if orientation == Orientation::NoTransforms && !cmyk_in_archive {
        return jpeg_xobject(&asset.bytes, &info);
    }
    let bytes = reencoded_jpeg(&asset.bytes, orientation, &asset.name)?;
    let info = jpeg_info(&bytes)
        .ok_or_else(|| Error::Pdf(format!("image {}: re-encoding failed", asset.name)))?;
    jpeg_xobject(&bytes, &info)
}

/// Bits per sample of the raster images we write (16-bit PNGs are reduced to 8: print
/// cannot show the difference).
const BITS_PER_COMPONENT: u8 = 8;

/// PNG predictor "optimum" (ISO 32000-1, table 8): each row starts with the byte naming
/// its own PNG filter.
const PNG_PREDICTOR_OPTIMUM: i64 = 15;

/// The PNG signature before the first chunk.
const PNG_SIGNATURE_LEN: usize = 8;
/// A PNG chunk's length and type fields, before its data.
const PNG_CHUNK_HEADER_LEN: usize = 8;
/// A PNG chunk's header and CRC: everything but its data.
const PNG_CHUNK_OVERHEAD: usize = PNG_CHUNK_HEADER_LEN + 4;

/// The samples filtered row by row with the PNG filters and deflated: exactly the zlib
/// stream a PNG's `IDAT` chunks hold, which is what `/FlateDecode` with the PNG predictors
/// reads. The image crate's encoder does the work (adaptive filter choice per row, and
/// optimised code even in debug builds); its chunks are then unwrapped. `None` if the
/// encoder fails, and the samples are then stored without predictors.
fn png_predicted_zlib(samples: &[u8], width: u32, height: u32, colours: usize) -> Option<Vec<u8>> {
    use ::image::codecs::png::{CompressionType, FilterType, PngEncoder};
    use ::image::{ExtendedColorType, ImageEncoder};
    let colour_type = match colours {
        1 => ExtendedColorType::L8,
        3 => ExtendedColorType::Rgb8,
        _ => return None,
    };
    let mut png = Vec::new();
    PngEncoder::new_with_quality(&mut png, CompressionType::Default, FilterType::Adaptive)
        .write_image(samples, width, height, colour_type)
        .ok()?;
    let mut zlib = Vec::new();
    let mut rest = png.get(PNG_SIGNATURE_LEN..)?;
    while rest.len() >= PNG_CHUNK_OVERHEAD {
        let length = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        let kind = &rest[4..PNG_CHUNK_HEADER_LEN];
        let data = rest.get(PNG_CHUNK_HEADER_LEN..PNG_CHUNK_HEADER_LEN + length)?;
        if kind == b"IDAT" {
            zlib.extend_from_slice(data);
        }
        rest = rest.get(PNG_CHUNK_OVERHEAD + length..)?;
    }
    (!zlib.is_empty()).then_some(zlib)
}

fn zlib(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(data)?;
    encoder.finish()
}

/// Lossless samples as a `/FlateDecode` image stream: compressed as they are and through
/// the PNG predictors, and whichever is smaller kept (predictors help photos and gradients;
/// flat line drawings sometimes compress better without).
fn flate_image(
    mut dict: Dictionary,
    samples: &[u8],
    (width, height): (u32, u32),
    colours: usize,
) -> std::io::Result<lopdf::Stream> {
    let plain = zlib(samples)?;
    dict.set("Filter", name("FlateDecode"));
    let predicted = png_predicted_zlib(samples, width, height, colours)
        .filter(|predicted| predicted.len() < plain.len());
    if let Some(predicted) = predicted {
        let mut parameters = Dictionary::new();
        parameters.set("Predictor", Object::Integer(PNG_PREDICTOR_OPTIMUM));
        parameters.set("Colors", Object::Integer(colours as i64));
        parameters.set(
            "BitsPerComponent",
            Object::Integer(i64::from(BITS_PER_COMPONENT)),
        );
        parameters.set("Columns", Object::Integer(i64::from(width)));
        dict.set("DecodeParms", Object::Dictionary(parameters));
        Ok(stream(dict, predicted))
    } else {
        Ok(stream(dict, plain))
    }
}

/// A PNG as Flate-compressed samples, alpha as a `/SMask` (added to `out`).
fn png(asset: &Asset, out: &mut lopdf::Document) -> Result<lopdf::Stream> {
    let fail = |e: ::image::ImageError| Error::Pdf(format!("image {}: {e}", asset.name));
    let compress_fail = |e: std::io::Error| Error::Pdf(format!("image {}: {e}", asset.name));
    let decoder = ::image::codecs::png::PngDecoder::new(Cursor::new(&asset.bytes)).map_err(fail)?;
    let has_alpha = decoder.color_type().has_alpha();
    let grey = !decoder.color_type().has_color();
    let img = DynamicImage::from_decoder(decoder).map_err(fail)?;
    let (w, h) = (img.width(), img.height());
    let (colour_space, colours, samples) = if grey {
        ("DeviceGray", 1, img.to_luma8().into_raw())
    } else {
        ("DeviceRGB", 3, img.to_rgb8().into_raw())
    };
    let mut dict = image_dict(w, h, colour_space);
    if has_alpha {
        let alpha: Vec<u8> = img.to_luma_alpha8().pixels().map(|p| p.0[1]).collect();
        // Fully opaque alpha channels are common (exported screenshots); skip the mask then.
        if alpha.iter().any(|a| *a != 255) {
            let mut mask = image_dict(w, h, "DeviceGray");
            mask.remove(b"Type");
            let mask = flate_image(mask, &alpha, (w, h), 1).map_err(compress_fail)?;
            dict.set("SMask", Object::Reference(out.add_object(mask)));
        }
    }
    flate_image(dict, &samples, (w, h), colours).map_err(compress_fail)
}

/// The resource name of the image of asset `index`.
fn resource_name(index: usize) -> XObjectId {
    XObjectId(format!("Im{index}"))
}

/// Add every raster asset to `out` as an image XObject under a stable resource name,
/// registering it in `names` and `resources` (SVGs are left to [`svg_forms`]). `archival`:
/// the file claims PDF/A, so CMYK photos become RGB.
pub(super) fn embed_images(
    assets: &[Asset],
    archival: bool,
    out: &mut lopdf::Document,
    names: &mut BTreeMap<usize, XObjectId>,
    resources: &mut Dictionary,
) -> Result<()> {
    for (index, asset) in assets.iter().enumerate() {
        let xobject = match asset.format {
            ImageFormat::Jpeg => jpeg(asset, archival)?,
            ImageFormat::Png => png(asset, out)?,
            // Vectors go straight into the lopdf document: see [`svg_forms`].
            ImageFormat::Svg => continue,
        };
        let id = resource_name(index);
        resources.set(id.0.clone(), Object::Reference(out.add_object(xobject)));
        names.insert(index, id);
    }
    Ok(())
}

/// Add each SVG asset to `out` as a Form XObject drawn as vectors, registering it in
/// `names` and `resources` like the raster images. svg2pdf writes the drawing as a one-page
/// PDF; its page's content becomes the form, its objects are renumbered into `out`, and the
/// form's `/Matrix` maps the drawing onto the unit square, as an image XObject fills it, so
/// the page content places both alike. Text was turned into outlines by the loader's
/// sanitising, so no font is embedded.
pub(super) fn svg_forms(
    assets: &[Asset],
    out: &mut lopdf::Document,
    names: &mut BTreeMap<usize, XObjectId>,
    resources: &mut Dictionary,
) -> Result<()> {
    for (index, asset) in assets.iter().enumerate() {
        if asset.format != ImageFormat::Svg {
            continue;
        }
        let form = svg_form(asset, out)?;
        let name = resource_name(index);
        resources.set(name.0.clone(), Object::Reference(form));
        names.insert(index, name);
    }
    Ok(())
}

fn svg_form(asset: &Asset, out: &mut lopdf::Document) -> Result<lopdf::ObjectId> {
    let fail = |what: String| Error::Pdf(format!("image {}: {what}", asset.name));
    let tree = crate::svg::parse(&asset.bytes).map_err(fail)?;
    let options = svg2pdf::ConversionOptions {
        // No text is left after sanitising; should some be, draw it rather than embed a
        // second copy of a font the book already carries.
        embed_text: false,
        ..svg2pdf::ConversionOptions::default()
    };
    let bytes = svg2pdf::to_pdf(&tree, options, svg2pdf::PageOptions::default())
        .map_err(|e| fail(format!("cannot convert the SVG: {e}")))?;
    let mut drawing =
        lopdf::Document::load_mem(&bytes).map_err(|e| fail(format!("svg2pdf output: {e}")))?;
    drawing.renumber_objects_with(out.max_id + 1);
    let page_id = *drawing
        .get_pages()
        .values()
        .next()
        .ok_or_else(|| fail("svg2pdf wrote no page".into()))?;
    let page = drawing
        .get_dictionary(page_id)
        .map_err(|e| fail(format!("svg2pdf page: {e}")))?
        .clone();
    let number = |object: &Object| {
        object
            .as_float()
            .or_else(|_| object.as_i64().map(|i| i as f32))
    };
    let media_box: Vec<f32> = page
        .get(b"MediaBox")
        .and_then(Object::as_array)
        .map_err(|e| fail(format!("svg2pdf page box: {e}")))?
        .iter()
        .filter_map(|value| number(value).ok())
        .collect();
    let [x0, y0, x1, y1] = media_box[..] else {
        return Err(fail("svg2pdf page box is not four numbers".into()));
    };
    let (width, height) = (x1 - x0, y1 - y0);
    if width <= 0.0 || height <= 0.0 {
        return Err(fail("the SVG has no area".into()));
    }
    let resources = page
        .get(b"Resources")
        .cloned()
        .unwrap_or_else(|_| Object::Dictionary(Dictionary::new()));
    let contents = drawing.get_page_contents(page_id);
    let [content_id] = contents[..] else {
        return Err(fail(format!(
            "svg2pdf wrote {} content streams, not one",
            contents.len()
        )));
    };
    let content = drawing
        .get_object(content_id)
        .and_then(Object::as_stream)
        .map_err(|e| fail(format!("svg2pdf content: {e}")))?
        .clone();
    let mut form = Dictionary::new();
    form.set("Type", Object::Name(b"XObject".to_vec()));
    form.set("Subtype", Object::Name(b"Form".to_vec()));
    form.set(
        "BBox",
        Object::Array([x0, y0, x1, y1].map(Object::Real).to_vec()),
    );
    form.set(
        "Matrix",
        Object::Array(
            [
                1.0 / width,
                0.0,
                0.0,
                1.0 / height,
                -x0 / width,
                -y0 / height,
            ]
            .map(Object::Real)
            .to_vec(),
        ),
    );
    form.set("Resources", resources);
    if let Ok(filter) = content.dict.get(b"Filter") {
        form.set("Filter", filter.clone());
    }
    // The page, page tree, catalog and document info stay behind; everything the content
    // uses comes along.
    let catalog = drawing
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .ok();
    let pages = page.get(b"Parent").and_then(Object::as_reference).ok();
    let info = drawing
        .trailer
        .get(b"Info")
        .and_then(Object::as_reference)
        .ok();
    for (id, object) in std::mem::take(&mut drawing.objects) {
        let left_behind = [Some(page_id), catalog, pages, info, Some(content_id)];
        if left_behind.contains(&Some(id)) {
            continue;
        }
        out.objects.insert(id, object);
    }
    out.objects.insert(
        content_id,
        Object::Stream(lopdf::Stream::new(form, content.content).with_compression(false)),
    );
    out.max_id = out.max_id.max(drawing.max_id);
    Ok(content_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradients_take_the_png_predictors_and_come_back_unchanged() {
        // A smooth gradient: every row differs from the last by a constant, which the Up
        // and Sub filters turn into long runs.
        let (width, height) = (300u32, 200u32);
        let samples: Vec<u8> = (0..height)
            .flat_map(|y| (0..width).flat_map(move |x| [(x + y) as u8, (x * 2) as u8, y as u8]))
            .collect();
        let stream = flate_image(
            image_dict(width, height, "DeviceRGB"),
            &samples,
            (width, height),
            3,
        )
        .expect("zlib");
        let parameters = stream
            .dict
            .get(b"DecodeParms")
            .and_then(Object::as_dict)
            .expect("predictors chosen for a gradient");
        assert_eq!(
            parameters.get(b"Predictor").and_then(Object::as_i64).ok(),
            Some(PNG_PREDICTOR_OPTIMUM)
        );
        assert!(stream.content.len() < zlib(&samples).expect("zlib").len());
        assert_eq!(stream.decompressed_content().expect("decodes"), samples);
    }

    #[test]
    fn flat_samples_deflate_to_almost_nothing() {
        let samples = vec![255u8; 64 * 64];
        let stream =
            flate_image(image_dict(64, 64, "DeviceGray"), &samples, (64, 64), 1).expect("zlib");
        assert_eq!(
            stream.dict.get(b"Filter").and_then(Object::as_name).ok(),
            Some(b"FlateDecode".as_slice())
        );
        assert!(stream.content.len() < 100);
        assert_eq!(stream.decompressed_content().expect("decodes"), samples);
    }

    #[test]
    fn reads_jpeg_header_and_adobe_marker() {
        let mut img = ::image::RgbImage::new(3, 2);
        img.put_pixel(0, 0, ::image::Rgb([255, 0, 0]));
        let mut bytes = Vec::new();
        DynamicImage::ImageRgb8(img)
            .write_to(&mut Cursor::new(&mut bytes), ::image::ImageFormat::Jpeg)
            .expect("encode");
        let info = jpeg_info(&bytes).expect("info");
        assert_eq!((info.width, info.height, info.components), (3, 2, 3));
        assert!(!info.adobe);
        assert!(info.orientation.is_none());
        assert!(jpeg_info(b"\x89PNG").is_none());
        assert!(jpeg_info(&bytes[..4]).is_none());
    }
}
