//! Deflate with one reused compressor: the PDF's page and font streams (zlib-wrapped, for
//! `/FlateDecode`) and the EPUB's zip entries (raw deflate).
//!
//! A fresh compressor per stream allocates and clears a few hundred kilobytes of state
//! each time between the small compressed streams that are kept: for a PDF's pages the
//! allocator's heap then grew by about that much per page (2.4 GB for 12,000 pages), and
//! for an EPUB's entries the setting up cost more than compressing a short document.

use flate2::{Compress, Compression, FlushCompress, Status};

/// A compressor at a level of its own, reset for each stream it deflates.
pub struct Deflater {
    compress: Compress,
    buffer: Vec<u8>,
}

impl Deflater {
    /// zlib streams (header and checksum, PDF's `/FlateDecode`) at `level` (0–9).
    pub fn zlib(level: u32) -> Self {
        Deflater::new(level, true)
    }

    /// Raw deflate streams (a zip entry's data) at `level` (0–9).
    pub fn raw(level: u32) -> Self {
        Deflater::new(level, false)
    }

    fn new(level: u32, zlib_header: bool) -> Self {
        Deflater {
            compress: Compress::new(Compression::new(level), zlib_header),
            buffer: Vec::new(),
        }
    }

    /// `data`, compressed, in a vector of exactly its length.
    pub fn deflate(&mut self, data: &[u8]) -> std::io::Result<Vec<u8>> {
        self.compress.reset();
        self.buffer.clear();
        // Deflate's worst case is a few bytes per 16 KB block over the input size.
        self.buffer.reserve(data.len() + data.len() / 1000 + 64);
        loop {
            let consumed = usize::try_from(self.compress.total_in()).unwrap_or(usize::MAX);
            let rest = data.get(consumed..).unwrap_or_default();
            let status = self
                .compress
                .compress_vec(rest, &mut self.buffer, FlushCompress::Finish)
                .map_err(std::io::Error::other)?;
            match status {
                Status::StreamEnd => return Ok(self.buffer.clone()),
                Status::Ok | Status::BufError => self.buffer.reserve(self.buffer.len().max(64)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn inputs() -> (Vec<u8>, Vec<u8>) {
        let text = b"BT /F0 10 Tf [<0041>] TJ ET\n".repeat(100);
        let random: Vec<u8> = (0..100_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        (text, random)
    }

    #[test]
    fn deflate_round_trips_with_one_compressor() {
        let (data, random) = inputs();
        let mut deflater = Deflater::zlib(3);
        // Twice each: the compressor is reused, and must start afresh every time.
        for input in [&data, &random, &data, &random] {
            let packed = deflater.deflate(input).expect("deflate");
            if input == &data {
                assert!(packed.len() < data.len() / 4);
            }
            let mut unpacked = Vec::new();
            flate2::read::ZlibDecoder::new(&packed[..])
                .read_to_end(&mut unpacked)
                .expect("inflate");
            assert_eq!(&unpacked, input);
        }
    }

    #[test]
    fn raw_streams_round_trip_through_a_raw_inflater() {
        let (data, random) = inputs();
        let mut deflater = Deflater::raw(6);
        for input in [&data, &random, &data] {
            let packed = deflater.deflate(input).expect("deflate");
            let mut unpacked = Vec::new();
            flate2::read::DeflateDecoder::new(&packed[..])
                .read_to_end(&mut unpacked)
                .expect("inflate");
            assert_eq!(&unpacked, input);
        }
    }
}
