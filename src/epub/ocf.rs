//! The EPUB's zip (OCF container), written in one pass: `mimetype` first and stored, every
//! entry with the same time and permissions (two builds are byte-identical), JPEG and PNG
//! stored, the rest deflated, the entries compressed on parallel threads.
//!
//! The zip crate compresses entry after entry on one thread and sets up a new compressor
//! (hundreds of kilobytes of state) for each; a long book's sixty chapters then took the
//! last 12 ms of its build on one core. The format written is the one the zip crate wrote
//! (no extra fields, no data descriptors, Unix permissions), so the bytes did not change.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::deflate::Deflater;

/// Deflate level of the text entries: zlib's default, what the zip crate used.
const TEXT_COMPRESSION: u32 = 6;

/// Entries' uncompressed bytes to deflate below which one thread does it all: a thread
/// costs more than it saves on an article's few small documents.
const PARALLEL_FROM_BYTES: usize = 256 * 1024;

/// Threads compressing a long book's entries at most.
const MAX_THREADS: usize = 8;

/// "Version needed to extract": 1.0 for a stored entry, 2.0 for a deflated one.
const VERSION_STORED: u16 = 10;
const VERSION_DEFLATED: u16 = 20;

/// "Version made by": Unix (3) in the high byte, so that readers take the external
/// attributes as a Unix mode.
const MADE_BY_UNIX: u16 = 3 << 8;

/// External attributes: a regular file (`S_IFREG`), `rw-r--r--`.
const REGULAR_FILE_0644: u32 = (0o100_644) << 16;

const LOCAL_HEADER: u32 = 0x0403_4b50;
const CENTRAL_HEADER: u32 = 0x0201_4b50;
const END_OF_CENTRAL_DIRECTORY: u32 = 0x0605_4b50;
const METHOD_STORED: u16 = 0;
const METHOD_DEFLATED: u16 = 8;

/// An entry's time as MS-DOS stores it: (time, date).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DosTime {
    /// Hours, minutes and seconds / 2.
    pub time: u16,
    /// Years since 1980, month and day.
    pub date: u16,
}

impl From<zip::DateTime> for DosTime {
    fn from(time: zip::DateTime) -> Self {
        DosTime {
            time: time.timepart(),
            date: time.datepart(),
        }
    }
}

/// One entry as it goes into the archive.
struct Packed<'a> {
    name: &'a str,
    method: u16,
    crc: u32,
    size: usize,
    /// The bytes written: the entry's own when stored, else deflated.
    data: std::borrow::Cow<'a, [u8]>,
}

/// Whether an entry is stored rather than deflated: `mimetype` (OCF requires it) and
/// pictures that are compressed already.
fn is_stored(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    name == "mimetype"
        || [".jpg", ".jpeg", ".png"]
            .iter()
            .any(|ext| lower.ends_with(ext))
}

/// A test each entry passes before it is packed (name, bytes), run on the thread that
/// packs it: the fixup's well-formedness check of every XML document, which took a long
/// book's tail 2 ms on one core.
pub type EntryCheck<'c> = &'c (dyn Fn(&str, &[u8]) -> Result<(), String> + Sync);

/// The zip of `entries` (name, bytes), in the order given, written into `out`: the caller
/// puts `mimetype` first. Each entry passes `check` first. An error names the entry that
/// failed its check, or an entry or archive too large for a zip without Zip64 (4 GiB).
///
/// Entry by entry as each is packed: an entry's bytes go from where
/// they are (a photo in the book) straight into `out`, not through one buffer holding the
/// whole zip (which cost the seed article's build a megabyte of fresh memory to fill). Every
/// entry is checked and compressed before the first byte is written, so a failed check
/// writes nothing. Errors: [`crate::Error::Epub`] for the zip's own, [`crate::Error::Output`]
/// for `out`'s.
pub fn write_into(
    entries: &[(&str, &[u8])],
    time: DosTime,
    check: EntryCheck,
    out: &mut dyn std::io::Write,
) -> crate::Result<()> {
    let zip_error = crate::Error::Epub;
    let packed = pack(entries, threads_for(entries), check).map_err(zip_error)?;
    let mut written = 0usize;
    let mut header = Vec::with_capacity(LOCAL_HEADER_BYTES + 256);
    let mut offsets = Vec::with_capacity(packed.len());
    for entry in &packed {
        offsets.push(u32_of(written, "the EPUB").map_err(zip_error)?);
        header.clear();
        put32(&mut header, LOCAL_HEADER);
        put_shared_fields(&mut header, entry, time).map_err(zip_error)?;
        header.extend_from_slice(entry.name.as_bytes());
        out.write_all(&header).map_err(crate::Error::Output)?;
        out.write_all(&entry.data).map_err(crate::Error::Output)?;
        written += header.len() + entry.data.len();
    }
    let directory_start = u32_of(written, "the EPUB").map_err(zip_error)?;
    let mut directory = Vec::with_capacity(packed.len() * (CENTRAL_HEADER_BYTES + 32) + 22);
    for (entry, offset) in packed.iter().zip(offsets) {
        put32(&mut directory, CENTRAL_HEADER);
        put16(&mut directory, MADE_BY_UNIX | version_needed(entry.method));
        put_shared_fields(&mut directory, entry, time).map_err(zip_error)?;
        put16(&mut directory, 0); // comment length
        put16(&mut directory, 0); // disk number
        put16(&mut directory, 0); // internal attributes
        put32(&mut directory, REGULAR_FILE_0644);
        put32(&mut directory, offset);
        directory.extend_from_slice(entry.name.as_bytes());
    }
    let directory_size = u32_of(directory.len(), "the EPUB").map_err(zip_error)?;
    let count = u16_of(packed.len(), "the EPUB's entry count").map_err(zip_error)?;
    put32(&mut directory, END_OF_CENTRAL_DIRECTORY);
    put16(&mut directory, 0); // this disk
    put16(&mut directory, 0); // disk of the directory
    put16(&mut directory, count);
    put16(&mut directory, count);
    put32(&mut directory, directory_size);
    put32(&mut directory, directory_start);
    put16(&mut directory, 0); // comment length
                              // The whole archive within a zip's 4 GiB, as the offsets above are.
    u32_of(written + directory.len(), "the EPUB").map_err(zip_error)?;
    out.write_all(&directory).map_err(crate::Error::Output)
}

/// A local header's fixed part (before the name): signature and the shared fields.
const LOCAL_HEADER_BYTES: usize = 30;

/// A central directory header's fixed part (before the name).
const CENTRAL_HEADER_BYTES: usize = 46;

/// Threads to compress `entries` on: one when there is little to deflate, else a core each.
fn threads_for(entries: &[(&str, &[u8])]) -> usize {
    let to_deflate: usize = entries
        .iter()
        .filter(|(name, _)| !is_stored(name))
        .map(|(_, bytes)| bytes.len())
        .sum();
    if to_deflate < PARALLEL_FROM_BYTES {
        1
    } else {
        crate::cores().clamp(1, MAX_THREADS)
    }
}

/// The fields a local header and a central directory header both have, in the same order:
/// version needed, flags, method, time, date, checksum, sizes, name and extra field lengths.
fn put_shared_fields(out: &mut Vec<u8>, entry: &Packed, time: DosTime) -> Result<(), String> {
    put16(out, version_needed(entry.method));
    put16(out, 0); // flags
    put16(out, entry.method);
    put16(out, time.time);
    put16(out, time.date);
    put32(out, entry.crc);
    put32(out, u32_of(entry.data.len(), entry.name)?);
    put32(out, u32_of(entry.size, entry.name)?);
    put16(out, u16_of(entry.name.len(), entry.name)?);
    put16(out, 0); // extra field length
    Ok(())
}

/// Each entry's checksum and data, on `threads` threads that take the next entry as they
/// finish one, each with one compressor for all its entries.
fn pack<'a>(
    entries: &[(&'a str, &'a [u8])],
    threads: usize,
    check: EntryCheck,
) -> Result<Vec<Packed<'a>>, String> {
    let next = AtomicUsize::new(0);
    let work = || {
        let mut compressor = Deflater::raw(TEXT_COMPRESSION);
        let mut done = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(&(name, bytes)) = entries.get(index) else {
                return done;
            };
            let packed = check(name, bytes).and_then(|()| pack_one(name, bytes, &mut compressor));
            done.push((index, packed));
        }
    };
    let mut packed: Vec<(usize, Result<Packed<'a>, String>)> = if threads == 1 {
        work()
    } else {
        std::thread::scope(|scope| {
            let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
            let mut all = work();
            for helper in helpers {
                all.extend(
                    helper
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                );
            }
            all
        })
    };
    packed.sort_unstable_by_key(|(index, _)| *index);
    packed.into_iter().map(|(_, entry)| entry).collect()
}

/// One entry, stored or deflated with `compressor`.
fn pack_one<'a>(
    name: &'a str,
    bytes: &'a [u8],
    compressor: &mut Deflater,
) -> Result<Packed<'a>, String> {
    let crc = crc32fast::hash(bytes);
    let (method, data) = if is_stored(name) {
        (METHOD_STORED, std::borrow::Cow::Borrowed(bytes))
    } else {
        let deflated = compressor
            .deflate(bytes)
            .map_err(|e| format!("compressing {name}: {e}"))?;
        (METHOD_DEFLATED, deflated.into())
    };
    Ok(Packed {
        name,
        method,
        crc,
        size: bytes.len(),
        data,
    })
}

fn version_needed(method: u16) -> u16 {
    if method == METHOD_STORED {
        VERSION_STORED
    } else {
        VERSION_DEFLATED
    }
}

fn u32_of(value: usize, what: &str) -> Result<u32, String> {
    u32::try_from(value).map_err(|_| format!("{what} is larger than a zip can hold (4 GiB)"))
}

fn u16_of(value: usize, what: &str) -> Result<u16, String> {
    u16::try_from(value).map_err(|_| format!("{what} is too long for a zip (65,535)"))
}

fn put16(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`write_into`] a buffer, its error as the message the caller would report.
    fn write(
        entries: &[(&str, &[u8])],
        time: DosTime,
        check: EntryCheck,
    ) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        write_into(entries, time, check, &mut out).map_err(|error| match error {
            crate::Error::Epub(message) => message,
            other => other.to_string(),
        })?;
        Ok(out)
    }
    use std::io::{Cursor, Read};

    fn time() -> DosTime {
        zip::DateTime::from_date_and_time(2024, 3, 9, 14, 30, 58)
            .expect("a valid time")
            .into()
    }

    /// Prose long enough, and varied enough, to be deflated on several threads.
    fn chapter(n: usize) -> Vec<u8> {
        (0..4000)
            .map(|i| format!("<p>Chapter {n}, line {i}: {}</p>\n", i * 7919 % 1009))
            .collect::<String>()
            .into_bytes()
    }

    #[test]
    fn every_entry_reads_back_whole_with_its_method_time_and_mode() {
        let chapters: Vec<Vec<u8>> = (0..6).map(chapter).collect();
        let photo = [0xFF, 0xD8, 0xFF, 0xD9];
        let mut entries: Vec<(String, &[u8])> = vec![
            ("mimetype".into(), b"application/epub+zip"),
            ("OEBPS/images/photo.JPG".into(), &photo),
            ("OEBPS/empty.css".into(), b""),
        ];
        for (n, bytes) in chapters.iter().enumerate() {
            entries.push((format!("OEBPS/ch{n:03}.xhtml"), bytes));
        }
        let borrowed: Vec<(&str, &[u8])> = entries.iter().map(|(n, b)| (n.as_str(), *b)).collect();
        assert!(
            chapters.iter().map(Vec::len).sum::<usize>() >= PARALLEL_FROM_BYTES,
            "the test must take the parallel path"
        );
        let zip_bytes = write(&borrowed, time(), &|_, _| Ok(())).expect("zip");
        // OCF: the first local header names `mimetype`, uncompressed, at offset 30.
        assert_eq!(&zip_bytes[30..38], b"mimetype");
        assert_eq!(&zip_bytes[38..58], b"application/epub+zip");
        let mut archive = zip::ZipArchive::new(Cursor::new(zip_bytes)).expect("readable");
        assert_eq!(archive.len(), entries.len());
        for (index, (name, bytes)) in entries.iter().enumerate() {
            let mut file = archive.by_index(index).expect("entry");
            assert_eq!(file.name(), name);
            let stored = index < 2;
            assert_eq!(
                file.compression(),
                if stored {
                    zip::CompressionMethod::Stored
                } else {
                    zip::CompressionMethod::Deflated
                },
                "{name}"
            );
            assert_eq!(file.unix_mode(), Some(0o100_644), "{name}");
            let written = file.last_modified().expect("a time");
            assert_eq!(
                (written.year(), written.month(), written.day()),
                (2024, 3, 9)
            );
            assert_eq!(
                (written.hour(), written.minute(), written.second()),
                (14, 30, 58)
            );
            let mut back = Vec::new();
            file.read_to_end(&mut back).expect("inflates, CRC checked");
            assert_eq!(&back, bytes, "{name}");
        }
    }

    #[test]
    fn entries_pack_the_same_on_one_thread_or_several_with_a_reused_compressor() {
        let chapters: Vec<Vec<u8>> = (0..6).map(chapter).collect();
        let entries: Vec<(&str, &[u8])> = chapters
            .iter()
            .map(|bytes| ("OEBPS/chapter.xhtml", bytes.as_slice()))
            .collect();
        let data = |threads| -> Vec<Vec<u8>> {
            pack(&entries, threads, &|_, _| Ok(()))
                .expect("packs")
                .into_iter()
                .map(|p| p.data.into_owned())
                .collect()
        };
        let one_thread = data(1);
        assert_eq!(one_thread, data(3));
        // A compressor reused across entries gives what a fresh one does.
        for ((_, bytes), packed) in entries.iter().zip(&one_thread) {
            let mut fresh = Deflater::raw(TEXT_COMPRESSION);
            assert_eq!(&fresh.deflate(bytes).expect("deflates"), packed);
        }
    }

    #[test]
    fn a_name_longer_than_a_zip_holds_is_an_error_not_a_corrupt_file() {
        let name = "a".repeat(70_000);
        let error = write(&[(name.as_str(), b"x")], time(), &|_, _| Ok(())).expect_err("too long");
        assert!(error.contains("too long for a zip"), "{error}");
    }

    #[test]
    fn an_entry_that_fails_the_check_fails_the_zip_with_its_reason() {
        let chapters: Vec<Vec<u8>> = (0..6).map(chapter).collect();
        let mut entries: Vec<(&str, &[u8])> = chapters
            .iter()
            .map(|bytes| ("OEBPS/fine.xhtml", bytes.as_slice()))
            .collect();
        entries.insert(3, ("OEBPS/broken.xhtml", b"<p>"));
        let check = |name: &str, bytes: &[u8]| {
            if bytes.starts_with(b"<p>") && !bytes.ends_with(b"</p>\n") {
                Err(format!("{name} is not well-formed"))
            } else {
                Ok(())
            }
        };
        for threads in [1, 3] {
            let error = pack(&entries, threads, &check)
                .err()
                .expect("the broken entry fails");
            assert_eq!(error, "OEBPS/broken.xhtml is not well-formed");
        }
        assert!(write(&entries[..3], time(), &check).is_ok());
    }
}
