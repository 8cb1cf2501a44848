//! Image XObjects. JPEGs go in as they are (`/DCTDecode`, no re-encoding) unless their EXIF
//! orientation needs applying; PNGs are decoded and stored losslessly (Flate), with their
//! alpha channel as a soft mask.

use std::collections::BTreeMap;
use std::io::Cursor;

use ::image::metadata::Orientation;
use ::image::{DynamicImage, ImageDecoder};
use printpdf::{DictItem, ExternalStream, ExternalXObject, PdfDocument, XObject, XObjectId};

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

fn name(s: &str) -> DictItem {
    DictItem::Name(s.as_bytes().to_vec())
}

fn image_dict(width: u32, height: u32, colour_space: &str) -> BTreeMap<String, DictItem> {
    let mut dict = BTreeMap::new();
    dict.insert("Type".into(), name("XObject"));
    dict.insert("Subtype".into(), name("Image"));
    dict.insert("Width".into(), DictItem::Int(i64::from(width)));
    dict.insert("Height".into(), DictItem::Int(i64::from(height)));
    dict.insert("ColorSpace".into(), name(colour_space));
    dict.insert("BitsPerComponent".into(), DictItem::Int(8));
    dict
}

fn xobject(dict: BTreeMap<String, DictItem>, content: Vec<u8>, compress: bool) -> XObject {
    XObject::External(ExternalXObject {
        stream: ExternalStream {
            dict,
            content,
            compress,
        },
        // No size: the page content scales the unit square itself.
        width: None,
        height: None,
        dpi: None,
    })
}

/// A JPEG as a `/DCTDecode` stream, bytes unchanged.
fn jpeg_xobject(bytes: &[u8], info: &JpegInfo) -> Result<XObject> {
    let colour_space = match info.components {
        1 => "DeviceGray",
        3 => "DeviceRGB",
        4 => "DeviceCMYK",
        n => return Err(Error::Pdf(format!("JPEG with {n} colour components"))),
    };
    let mut dict = image_dict(info.width, info.height, colour_space);
    dict.insert("Filter".into(), name("DCTDecode"));
    if info.components == 4 && info.adobe {
        // Photoshop writes CMYK JPEGs inverted whatever its APP14 transform flag says
        // (0 = plain CMYK, 2 = YCCK); the DCT filter itself honours the flag for the
        // colour conversion, so only the inversion is ours to declare.
        dict.insert(
            "Decode".into(),
            DictItem::Array([1, 0, 1, 0, 1, 0, 1, 0].map(DictItem::Int).to_vec()),
        );
    }
    Ok(xobject(dict, bytes.to_vec(), false))
}

/// Decode, rotate by the EXIF orientation and re-encode at [`REENCODE_QUALITY`]. PDF has no
/// notion of EXIF, so the pixels themselves must be upright.
fn reoriented_jpeg(bytes: &[u8], orientation: Orientation, asset: &str) -> Result<Vec<u8>> {
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

fn jpeg(asset: &Asset) -> Result<XObject> {
    let info = jpeg_info(&asset.bytes)
        .ok_or_else(|| Error::Pdf(format!("image {}: not a readable JPEG", asset.name)))?;
    match info.orientation {
        Some(o) if o != Orientation::NoTransforms => {
            let bytes = reoriented_jpeg(&asset.bytes, o, &asset.name)?;
            let info = jpeg_info(&bytes)
                .ok_or_else(|| Error::Pdf(format!("image {}: re-encoding failed", asset.name)))?;
            jpeg_xobject(&bytes, &info)
        }
        _ => jpeg_xobject(&asset.bytes, &info),
    }
}

/// A PNG as raw samples (compressed later by the post-pass), alpha as a `/SMask`.
fn png(asset: &Asset) -> Result<XObject> {
    let fail = |e: ::image::ImageError| Error::Pdf(format!("image {}: {e}", asset.name));
    let decoder = ::image::codecs::png::PngDecoder::new(Cursor::new(&asset.bytes)).map_err(fail)?;
    let has_alpha = decoder.color_type().has_alpha();
    let grey = !decoder.color_type().has_color();
    let img = DynamicImage::from_decoder(decoder).map_err(fail)?;
    let (w, h) = (img.width(), img.height());
    let (colour_space, samples) = if grey {
        ("DeviceGray", img.to_luma8().into_raw())
    } else {
        ("DeviceRGB", img.to_rgb8().into_raw())
    };
    let mut dict = image_dict(w, h, colour_space);
    if has_alpha {
        let alpha: Vec<u8> = img.to_luma_alpha8().pixels().map(|p| p.0[1]).collect();
        // Fully opaque alpha channels are common (exported screenshots); skip the mask then.
        if alpha.iter().any(|a| *a != 255) {
            let mut mask = image_dict(w, h, "DeviceGray");
            mask.remove("Type");
            dict.insert(
                "SMask".into(),
                DictItem::Stream {
                    stream: ExternalStream {
                        dict: mask,
                        content: alpha,
                        compress: true,
                    },
                },
            );
        }
    }
    Ok(xobject(dict, samples, true))
}

/// The resource name of the image of asset `index`.
fn resource_name(index: usize) -> XObjectId {
    XObjectId(format!("Im{index}"))
}

/// Register each raster asset that the pages draw, once, under a stable resource name
/// (SVGs are left to [`svg_forms`]).
pub(super) fn embed_images(
    used: impl IntoIterator<Item = usize>,
    assets: &[Asset],
    pdf: &mut PdfDocument,
) -> Result<BTreeMap<usize, XObjectId>> {
    let mut out = BTreeMap::new();
    for index in used {
        let asset = assets
            .get(index)
            .ok_or_else(|| Error::Pdf(format!("page draws unknown image #{index}")))?;
        let xobject = match asset.format {
            ImageFormat::Jpeg => jpeg(asset)?,
            ImageFormat::Png => png(asset)?,
            // Vectors go straight into the lopdf document: see [`svg_forms`].
            ImageFormat::Svg => continue,
        };
        let id = resource_name(index);
        pdf.resources.xobjects.map.insert(id.clone(), xobject);
        out.insert(index, id);
    }
    Ok(out)
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
    resources: &mut lopdf::Dictionary,
) -> Result<()> {
    for (index, asset) in assets.iter().enumerate() {
        if asset.format != ImageFormat::Svg {
            continue;
        }
        let form = svg_form(asset, out)?;
        let name = resource_name(index);
        resources.set(name.0.clone(), lopdf::Object::Reference(form));
        names.insert(index, name);
    }
    Ok(())
}

fn svg_form(asset: &Asset, out: &mut lopdf::Document) -> Result<lopdf::ObjectId> {
    use lopdf::{Dictionary, Object};
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
