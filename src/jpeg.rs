//! JPEG segments read without decoding, for the loader and the EPUB back end: where the
//! headers end and the scan begins.

/// The start-of-scan marker: the last header segment, after which the image data follows.
const START_OF_SCAN: u8 = 0xDA;

/// Where a JPEG's first scan data begins: past its start-of-scan segment, the last of the
/// headers (size, colour model, EXIF orientation, ICC profile). `None` when the segments
/// before it do not follow one another (a damaged file, or junk between segments that a
/// decoder may step over).
pub fn scan_start(bytes: &[u8]) -> Option<usize> {
    if bytes.get(..2)? != [0xFF, 0xD8] {
        return None;
    }
    let mut at = 2;
    loop {
        // Markers may be preceded by fill bytes 0xFF.
        while bytes.get(at) == Some(&0xFF) && bytes.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        let (Some(0xFF), Some(&marker)) = (bytes.get(at), bytes.get(at + 1)) else {
            return None;
        };
        if marker == 0x01 || (0xD0..=0xD7).contains(&marker) {
            at += 2;
            continue;
        }
        let (Some(&high), Some(&low)) = (bytes.get(at + 2), bytes.get(at + 3)) else {
            return None;
        };
        let segment_end = at + 2 + usize::from(u16::from_be_bytes([high, low]));
        if marker == START_OF_SCAN {
            return Some(segment_end);
        }
        at = segment_end;
    }
}

/// The part of a JPEG that a decoder needs to read its headers: up to its first scan. The
/// `image` crate's JPEG decoder copies all it is given before it reads the headers, and
/// stops at the scan: given the whole of a 450 KB photo only to learn its size and
/// orientation, it copied the photo. A JPEG whose segments cannot be followed is given
/// whole, for the decoder to judge as it is.
pub fn headers(bytes: &[u8]) -> &[u8] {
    scan_start(bytes)
        .and_then(|start| bytes.get(..start))
        .unwrap_or(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn photo(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = Vec::new();
        image::RgbImage::from_fn(width, height, |x, y| image::Rgb([x as u8, y as u8, 7]))
            .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Jpeg)
            .expect("encode");
        bytes
    }

    #[test]
    fn the_headers_end_where_the_scan_begins_and_a_decoder_reads_them_alone() {
        let jpeg = photo(400, 300);
        let headers = headers(&jpeg);
        assert!(
            headers.len() < jpeg.len() / 2,
            "{} of {}",
            headers.len(),
            jpeg.len()
        );
        let marker = headers
            .windows(2)
            .rposition(|pair| pair == [0xFF, START_OF_SCAN])
            .expect("start of scan");
        let length = u16::from_be_bytes([headers[marker + 2], headers[marker + 3]]);
        assert_eq!(marker + 2 + usize::from(length), headers.len());
        let decoder =
            image::ImageReader::with_format(Cursor::new(headers), image::ImageFormat::Jpeg)
                .into_decoder()
                .expect("headers decode");
        assert_eq!(image::ImageDecoder::dimensions(&decoder), (400, 300));
    }

    #[test]
    fn a_jpeg_whose_segments_cannot_be_followed_is_given_whole() {
        let mut junk = photo(16, 16);
        junk[2] = 0x00;
        assert_eq!(scan_start(&junk), None);
        assert_eq!(headers(&junk).len(), junk.len());
        assert_eq!(scan_start(b"\x89PNG"), None);
        // Cut inside the start-of-scan segment's length.
        let jpeg = photo(16, 16);
        let cut = scan_start(&jpeg).expect("scan") - 1;
        assert_eq!(headers(&jpeg[..cut]).len(), cut);
    }
}
