//! Content-stream syntax (ISO 32000-1, 8 and 9): the few operators a laid-out page needs,
//! written straight into bytes.
//!
//! printpdf writes content streams only while serialising a whole document held in memory,
//! building a lopdf object for every glyph on the way: for a 50 MB manuscript that was
//! 4 GB of memory, and more time than the 20 s a build may take. Pages are therefore
//! written here, one at a time, as layout finishes them.

pub(super) use crate::deflate::Deflater;

/// A content stream being written.
#[derive(Debug, Default)]
pub(super) struct ContentStream {
    bytes: Vec<u8>,
}

/// From this magnitude up every `f64` is a whole number (2^52).
const ALL_WHOLE: f64 = 4_503_599_627_370_496.0;

/// `value.round()` (halves away from zero, the sign of a zero kept), without the library
/// call `round` compiles to for processors before SSE4.1, the baseline x86-64 this is
/// built for: every number of every page is rounded, and the call was 3 % of the writer's
/// time. Below 2^52 the conversion to an integer truncates exactly and the fraction left is
/// exact, so the result is `round`'s to the bit; anything else goes to `round` itself.
pub(super) fn round(value: f64) -> f64 {
    // NaN and the infinities too.
    if value.is_nan() || value.abs() >= ALL_WHOLE {
        return value.round();
    }
    let truncated = ((value as i64) as f64).copysign(value);
    let fraction = value - truncated;
    if fraction >= 0.5 {
        truncated + 1.0
    } else if fraction <= -0.5 {
        truncated - 1.0
    } else {
        truncated
    }
}

impl ContentStream {
    /// The operators written so far.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// A number with at most three decimals (1/1000 pt, or 1/1000 of 1/1000 em in TJ):
    /// far below anything visible, and no exponent, which PDF does not allow.
    fn number(&mut self, value: f64) {
        let thousandths = round(value * 1000.0);
        // Out-of-range or NaN input would be a layout bug; 0 keeps the stream valid.
        let thousandths = if thousandths.is_finite() && thousandths.abs() < 1e15 {
            thousandths as i64
        } else {
            0
        };
        if thousandths < 0 {
            self.bytes.push(b'-');
        }
        let magnitude = thousandths.unsigned_abs();
        push_decimal(&mut self.bytes, magnitude / 1000);
        let mut fraction = magnitude % 1000;
        if fraction != 0 {
            self.bytes.push(b'.');
            let mut divisor = 100;
            while fraction != 0 {
                self.bytes.push(b'0' + (fraction / divisor) as u8);
                fraction %= divisor;
                divisor /= 10;
            }
        }
    }

    fn numbers(&mut self, values: &[f64]) {
        for value in values {
            self.number(*value);
            self.bytes.push(b' ');
        }
    }

    fn operator(&mut self, operator: &str) {
        self.bytes.extend_from_slice(operator.as_bytes());
        self.bytes.push(b'\n');
    }

    /// `q`: save the graphics state.
    pub fn save_state(&mut self) {
        self.operator("q");
    }

    /// `Q`: restore it.
    pub fn restore_state(&mut self) {
        self.operator("Q");
    }

    /// `g`: fill colour as a grey level (0 black, 1 white).
    pub fn fill_gray(&mut self, level: f32) {
        self.numbers(&[f64::from(level)]);
        self.operator("g");
    }

    /// `re f`: fill a rectangle given by its lower-left corner.
    pub fn fill_rectangle(&mut self, x: f32, y: f32, width: f32, height: f32) {
        self.numbers(&[x, y, width, height].map(f64::from));
        self.operator("re f");
    }

    /// Draw image XObject `name`, its unit square scaled to the rectangle.
    pub fn image(&mut self, name: &str, x: f32, y: f32, width: f32, height: f32) {
        self.save_state();
        self.numbers(&[width, 0.0, 0.0, height, x, y].map(f64::from));
        self.operator("cm");
        self.name(name);
        self.operator(" Do");
        self.restore_state();
    }

    fn name(&mut self, name: &str) {
        // Resource names are ours (`F0`, `X1`): letters and digits, no escaping needed.
        self.bytes.push(b'/');
        self.bytes.extend_from_slice(name.as_bytes());
    }

    /// `BT`.
    pub fn begin_text(&mut self) {
        self.operator("BT");
    }

    /// `ET`.
    pub fn end_text(&mut self) {
        self.operator("ET");
    }

    /// `Tf`: font resource and size.
    pub fn font(&mut self, resource: &str, size: f32) {
        self.name(resource);
        self.bytes.push(b' ');
        self.numbers(&[f64::from(size)]);
        self.operator("Tf");
    }

    /// `Tz`: horizontal scaling of the glyphs that follow, in per cent of their width (it
    /// scales TJ adjustments too, but not `Tm`). Part of the graphics state: it outlives
    /// `ET`, and `Q` restores it.
    pub fn horizontal_scaling(&mut self, percent: f64) {
        self.numbers(&[percent]);
        self.operator("Tz");
    }

    /// `Tm`: start the next glyphs at (x, y), unscaled.
    pub fn text_position(&mut self, x: f32, y: f32) {
        self.numbers(&[1.0, 0.0, 0.0, 1.0, f64::from(x), f64::from(y)]);
        self.operator("Tm");
    }

    /// `TJ`: two-byte glyph codes, each followed by how far (in 1/1000 em, positive
    /// leftwards) the pen moves back before the next. Codes with no adjustment between
    /// them share one string.
    ///
    /// The strings are literal, the codes' bytes as they are (escaped where the syntax
    /// needs it): half the bytes of hex, in the writer's innermost loop and for the
    /// compressor after it (a long book's page streams 3.7 → 1.9 MB before compression).
    pub fn show_glyphs(&mut self, glyphs: &[(u16, f64)]) {
        if glyphs.is_empty() {
            return;
        }
        self.bytes.push(b'[');
        let mut open = false;
        for &(code, adjustment) in glyphs {
            if !open {
                self.bytes.push(b'(');
                open = true;
            }
            for byte in code.to_be_bytes() {
                push_literal_byte(&mut self.bytes, byte);
            }
            if adjustment != 0.0 {
                self.bytes.push(b')');
                open = false;
                self.number(adjustment);
            }
        }
        if open {
            self.bytes.push(b')');
        }
        self.operator("] TJ");
    }

    /// `BDC` of a span whose `/ActualText` is `text` (what copy and paste should give for
    /// the glyphs inside).
    pub fn begin_actual_text(&mut self, text: &str) {
        self.bytes.extend_from_slice(b"/Span <</ActualText <FEFF");
        for unit in text.encode_utf16() {
            push_hex4(&mut self.bytes, unit);
        }
        self.operator(">>> BDC");
    }

    /// `BDC` of a marked-content sequence of a structure element: `/P <</MCID 3>> BDC`.
    /// `tag` is a standard structure type (letters and digits, no escaping needed).
    pub fn begin_marked_content(&mut self, tag: &str, mcid: u32) {
        self.name(tag);
        self.bytes.extend_from_slice(b" <</MCID ");
        push_decimal(&mut self.bytes, u64::from(mcid));
        self.operator(">> BDC");
    }

    /// `BDC` of an artifact: running heads and folios are pagination, rules layout.
    pub fn begin_artifact(&mut self, kind: super::structure::Artifact) {
        self.operator(match kind {
            super::structure::Artifact::Pagination => "/Artifact <</Type /Pagination>> BDC",
            super::structure::Artifact::Layout => "/Artifact <</Type /Layout>> BDC",
        });
    }

    /// `EMC`: end a marked-content span.
    pub fn end_marked_content(&mut self) {
        self.operator("EMC");
    }
}

/// Four upper-case hex digits: the writer's innermost loop (two bytes of every glyph drawn),
/// where `write!` and its formatter machinery cost a tenth of a 50 MB build.
fn push_hex4(bytes: &mut Vec<u8>, value: u16) {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let digit = |shift: u16| DIGITS[usize::from((value >> shift) & 0xF)];
    bytes.extend_from_slice(&[digit(12), digit(8), digit(4), digit(0)]);
}

/// One byte of a literal string: the delimiters and the backslash escaped, and the line
/// ends too (a reader turns an unescaped CR or CR LF into LF, which would change the code).
fn push_literal_byte(bytes: &mut Vec<u8>, byte: u8) {
    match byte {
        b'(' | b')' | b'\\' => bytes.extend_from_slice(&[b'\\', byte]),
        b'\r' => bytes.extend_from_slice(b"\\r"),
        b'\n' => bytes.extend_from_slice(b"\\n"),
        _ => bytes.push(byte),
    }
}

/// A non-negative integer in decimal, without the formatter (see [`push_hex4`]).
fn push_decimal(bytes: &mut Vec<u8>, mut value: u64) {
    let mut buffer = [0u8; 20];
    let mut start = buffer.len();
    loop {
        start -= 1;
        buffer[start] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    bytes.extend_from_slice(&buffer[start..]);
}

/// zlib level of page content streams. Measured on a 340-page book's streams (2.3 MB):
/// level 2 leaves 32 % of them in 18 ms, level 3 30 % in 21 ms, the default level 6 29 %
/// in 29 ms, level 1 41 % in 10 ms. Compressing is a sixth of a long book's PDF; 2 gives
/// up 5 % of the file's size (1.00 → 1.05 MB) for 3 ms of it.
pub(super) const PAGE_COMPRESSION: u32 = 2;

/// The page compressor: zlib (`/FlateDecode`) at [`PAGE_COMPRESSION`], one for every page
/// (see [`Deflater`]).
pub(super) fn page_deflater() -> Deflater {
    Deflater::zlib(PAGE_COMPRESSION)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(stream: ContentStream) -> String {
        String::from_utf8(stream.into_bytes()).expect("ASCII")
    }

    #[test]
    fn numbers_have_at_most_three_decimals_and_no_exponent() {
        let mut s = ContentStream::default();
        s.numbers(&[
            0.0,
            1.0,
            -2.5,
            0.0004,
            0.0005,
            1e-9,
            12345.6789,
            -0.25,
            1e20,
            f64::NAN,
        ]);
        assert_eq!(text(s), "0 1 -2.5 0 0.001 0 12345.679 -0.25 0 0 ");
    }

    #[test]
    fn round_is_the_standard_librarys_to_the_bit() {
        let mut values = vec![
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.5,
            2.5,
            -2.5,
            0.49999999999999994,
            -0.49999999999999994,
            4_503_599_627_370_495.5,
            ALL_WHOLE,
            -ALL_WHOLE,
            1e300,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        // A spread of magnitudes and fractions, halves among them.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..100_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let magnitude = 10f64.powi((x % 18) as i32 - 3);
            values.push((x >> 11) as f64 / (1u64 << 53) as f64 * magnitude - magnitude / 2.0);
            values.push(((x >> 40) as f64 + 0.5) * if x & 1 == 0 { 1.0 } else { -1.0 });
        }
        for value in values {
            assert_eq!(round(value).to_bits(), value.round().to_bits(), "{value:e}");
        }
        assert!(round(f64::NAN).is_nan());
    }

    #[test]
    fn hand_written_digits_match_the_formatter() {
        for value in [0u64, 7, 10, 99, 1_234_567_890, u64::MAX] {
            let mut bytes = Vec::new();
            push_decimal(&mut bytes, value);
            assert_eq!(bytes, value.to_string().into_bytes());
        }
        for value in [0u16, 0x9, 0xA, 0xBEEF, 0xF00D, u16::MAX] {
            let mut bytes = Vec::new();
            push_hex4(&mut bytes, value);
            assert_eq!(bytes, format!("{value:04X}").into_bytes());
        }
    }

    #[test]
    fn glyphs_without_adjustment_share_a_string() {
        let mut s = ContentStream::default();
        s.show_glyphs(&[(0x41, 0.0), (0x42, -120.5), (0x1F43, 0.0), (0x44, 0.0)]);
        assert_eq!(s.into_bytes(), b"[(\0A\0B)-120.5(\x1FC\0D)] TJ\n");
    }

    #[test]
    fn codes_with_delimiter_or_line_end_bytes_are_escaped_and_read_back_the_same() {
        let codes = [0x285C_u16, 0x290D, 0x0A00, 0x00FF, 0x8000];
        let mut s = ContentStream::default();
        s.show_glyphs(&codes.map(|code| (code, 0.0)));
        let bytes = s.into_bytes();
        assert_eq!(bytes, b"[(\\(\\\\\\)\\r\\n\0\0\xFF\x80\0)] TJ\n");
        // lopdf, as every reader, gets the codes back from the literal string.
        let content = lopdf::content::Content::decode(&bytes).expect("valid content");
        let [operation] = content.operations.as_slice() else {
            panic!("one operation: {:?}", content.operations);
        };
        let lopdf::Object::Array(items) = &operation.operands[0] else {
            panic!("a TJ array");
        };
        let lopdf::Object::String(read, _) = &items[0] else {
            panic!("a string");
        };
        let read_codes: Vec<u16> = read
            .chunks(2)
            .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
            .collect();
        assert_eq!(read_codes, codes);
    }

    #[test]
    fn operators_are_spelled_as_the_standard_says() {
        let mut s = ContentStream::default();
        s.begin_text();
        s.font("F2", 10.5);
        s.text_position(72.0, 700.25);
        s.begin_actual_text("क्ष");
        s.show_glyphs(&[(7, 0.0)]);
        s.end_marked_content();
        s.end_text();
        s.fill_gray(0.7);
        s.fill_rectangle(1.0, 2.0, 3.0, 4.0);
        s.begin_marked_content("Figure", 12);
        s.image("X0", 10.0, 20.0, 30.0, 40.0);
        s.end_marked_content();
        s.begin_artifact(super::super::structure::Artifact::Pagination);
        s.end_marked_content();
        assert_eq!(
            text(s),
            "BT\n/F2 10.5 Tf\n1 0 0 1 72 700.25 Tm\n\
             /Span <</ActualText <FEFF0915094D0937>>> BDC\n[(\0\x07)] TJ\nEMC\nET\n\
             0.7 g\n1 2 3 4 re f\n/Figure <</MCID 12>> BDC\nq\n30 0 0 40 10 20 cm\n/X0 Do\nQ\nEMC\n\
             /Artifact <</Type /Pagination>> BDC\nEMC\n"
        );
    }
}
