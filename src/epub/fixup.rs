//! The post-pass that repairs epub-builder 0.8.3's output on the finished zip.
//!
//! Each repair matches the exact text the builder's templates produce and fails loudly when it
//! is not there, so an upgrade of epub-builder that changes its templates is noticed by the
//! tests instead of silently shipping a broken book. The defects (see `notes/crates.md`):
//!
//! 1. `dc:language` and the first `dc:creator` both get `id="epub-creator-0"` (duplicate id).
//! 2. `dc:source` and `dc:publisher` cannot be written, and the extra-`<meta>` hook does not
//!    escape its content: our extra metadata is written here, escaped by us.
//! 3. `dc:identifier` can only be a `urn:uuid:`: the book's own identifier is put back.
//! 4. Landmarks list only items that are also in the toc (or nothing at all, an invalid empty
//!    `<nav>`): the landmarks are rewritten from our list.
//! 5. `nav.xhtml` has no `lang`, and `toc.ncx` no `dtb:uid`.
//! 6. The `<package>` has no `xml:lang` (Ace by DAISY: `epub-lang`, serious), and the toc
//!    `<nav>` no `role="doc-toc"` matching its `epub:type` (Ace: `epub-type-has-matching-role`).
//! 7. Zip entries carry the current time: the archive is rewritten with a fixed time, fixed
//!    permissions, `mimetype` first and stored, so two builds are byte-identical.

use std::borrow::Cow;
use std::io::{Cursor, Read};

use super::xhtml::Direction;
use super::xml;

/// What the post-pass needs to know about the book.
#[derive(Debug, Clone)]
pub struct Fixup {
    /// The book's identifier, as `dc:identifier` and NCX `dtb:uid`.
    pub identifier: String,
    /// The book's language, for `nav.xhtml`.
    pub language: String,
    /// Escaped `<metadata>` children to add (see [`super::package::extra_metadata`]).
    pub extra_metadata: String,
    /// `(epub:type, href, label)` of each landmark, in order.
    pub landmarks: Vec<(String, String, String)>,
    /// The heading of the landmarks nav, in the book's language.
    pub landmarks_title: String,
    /// Put the nav document into the spine right after this content document (by href), so
    /// the toc landmark points at a spine item (EPUBCheck RSC-011) and readers get a contents page.
    pub nav_in_spine_after: Option<String>,
    /// Timestamp for every zip entry.
    pub zip_time: zip::DateTime,
    /// `(href, label)` of each page of the print edition, for the `page-list` nav; empty
    /// for none.
    pub page_list: Vec<(String, String)>,
    /// The book's title, for the NCX `docTitle` (the builder writes its toc name there).
    pub title: String,
}

const OPF: &str = "OEBPS/content.opf";
const NAV: &str = "OEBPS/nav.xhtml";
const NCX: &str = "OEBPS/toc.ncx";

/// Repair the builder's zip and write the final EPUB into `out`. `media` holds the real
/// bytes of each picture by its path in the zip: the builder was given empty stand-ins for
/// them, so that it does not deflate megabytes of JPEG only for this pass to inflate them
/// again. Errors: [`crate::Error::Epub`] for the EPUB's, [`crate::Error::Output`] for
/// `out`'s.
pub fn apply_into(
    epub: &[u8],
    fixup: &Fixup,
    media: &[(String, &[u8])],
    out: &mut dyn std::io::Write,
) -> crate::Result<()> {
    let entries = repaired_entries(epub, fixup, media).map_err(crate::Error::Epub)?;
    rezip_into(&entries, fixup.zip_time, out)
}

/// A zip entry: its path and bytes (borrowed where they are the book's own).
type Entry<'a> = (String, Cow<'a, [u8]>);

/// The builder's entries, repaired, with the real bytes of `media` in place of stand-ins.
fn repaired_entries<'a>(
    epub: &[u8],
    fixup: &Fixup,
    media: &[(String, &'a [u8])],
) -> Result<Vec<Entry<'a>>, String> {
    // Looked up once per entry, and every content document is one: a map, not a scan.
    let media: std::collections::HashMap<&str, &[u8]> = media
        .iter()
        .map(|(path, bytes)| (path.as_str(), *bytes))
        .collect();
    let mut archive =
        zip::ZipArchive::new(Cursor::new(epub)).map_err(|e| format!("reading the zip: {e}"))?;
    // The pictures' and documents' real bytes are borrowed, not copied (a megabyte of
    // photos for an article).
    let mut entries: Vec<Entry> = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let mut file = archive
            .by_index(i)
            .map_err(|e| format!("reading zip entry {i}: {e}"))?;
        let name = file.name().to_string();
        let bytes = match media.get(name.as_str()) {
            Some(real) => Cow::Borrowed(*real),
            None => {
                let mut bytes = Vec::new();
                file.read_to_end(&mut bytes)
                    .map_err(|e| format!("reading {name}: {e}"))?;
                Cow::Owned(bytes)
            }
        };
        entries.push((name, bytes));
    }
    for (name, bytes) in &mut entries {
        let repaired = match name.as_str() {
            OPF => Some(fix_opf(as_text(name, bytes)?, fixup)?),
            NAV => Some(fix_nav(as_text(name, bytes)?, fixup)?),
            NCX => Some(fix_ncx(as_text(name, bytes)?, fixup)?),
            _ => None,
        };
        if let Some(text) = repaired {
            *bytes = Cow::Owned(text.into_bytes());
        }
    }
    for required in [OPF, NAV, NCX] {
        if !entries.iter().any(|(name, _)| name == required) {
            return Err(format!("epub-builder wrote no {required}"));
        }
    }
    Ok(entries)
}

fn as_text<'a>(name: &str, bytes: &'a [u8]) -> Result<&'a str, String> {
    std::str::from_utf8(bytes).map_err(|e| format!("{name} is not UTF-8: {e}"))
}

fn is_xml(name: &str) -> bool {
    [".xhtml", ".opf", ".ncx", ".xml"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

/// Parse a document we are about to ship: malformed XML must fail the build, not the reader.
pub fn check_well_formed(name: &str, text: &str) -> Result<(), String> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(text, options)
        .map(|_| ())
        .map_err(|e| format!("{name} is not well-formed XML: {e}"))
}

/// Replace the first `needle`, or fail naming the defect it was meant to repair.
fn replace_once(text: &str, needle: &str, with: &str, what: &str) -> Result<String, String> {
    match text.find(needle) {
        Some(at) => Ok(format!(
            "{}{with}{}",
            &text[..at],
            &text[at + needle.len()..]
        )),
        None => Err(format!(
            "epub-builder output changed: cannot find `{needle}` to {what}"
        )),
    }
}

/// Replace what lies between `start` and the next `end` (both kept).
fn replace_between(
    text: &str,
    start: &str,
    end: &str,
    with: &str,
    what: &str,
) -> Result<String, String> {
    let missing = || format!("epub-builder output changed: cannot find `{start}…{end}` to {what}");
    let from = text.find(start).ok_or_else(missing)? + start.len();
    let to = from + text[from..].find(end).ok_or_else(missing)?;
    Ok(format!("{}{with}{}", &text[..from], &text[to..]))
}

fn fix_opf(opf: &str, fixup: &Fixup) -> Result<String, String> {
    let dir = match Direction::of_language(&fixup.language) {
        Direction::Rtl => " dir=\"rtl\"",
        Direction::Ltr => "",
    };
    let opf = replace_once(
        opf,
        "<package version=\"3.0\"",
        &format!(
            "<package version=\"3.0\" xml:lang=\"{}\"{dir}",
            xml::attr(&fixup.language)
        ),
        "set the package's language",
    )?;
    let opf = opf.replace(
        "<dc:language id=\"epub-creator-",
        "<dc:language id=\"epub-language-",
    );
    let opf = replace_between(
        &opf,
        "<dc:identifier id=\"epub-id-1\">",
        "</dc:identifier>",
        &xml::text(&fixup.identifier),
        "set the book's identifier",
    )?;
    let mut opf = replace_once(
        &opf,
        "  </metadata>",
        &format!("{}  </metadata>", fixup.extra_metadata),
        "add the extra metadata",
    )?;
    if let Some(after) = &fixup.nav_in_spine_after {
        let id = manifest_id(&opf, after)
            .ok_or_else(|| format!("no manifest item for `{after}` to put the nav after"))?;
        let itemref = format!("<itemref idref=\"{id}\"/>");
        opf = replace_once(
            &opf,
            &itemref,
            &format!("{itemref}\n    <itemref idref=\"nav\"/>"),
            "put the nav into the spine",
        )?;
    }
    Ok(opf)
}

/// The `id` of the manifest item whose `href` is `href`.
fn manifest_id(opf: &str, href: &str) -> Option<String> {
    let needle = format!("href=\"{}\"", xml::attr(href));
    let item_start = opf[..opf.find(&needle)?].rfind("<item ")?;
    let item = &opf[item_start..];
    let item = &item[..item.find('>')?];
    let id_at = item.find(" id=\"")? + " id=\"".len();
    let id_len = item[id_at..].find('"')?;
    Some(item[id_at..id_at + id_len].to_string())
}

fn fix_nav(nav: &str, fixup: &Fixup) -> Result<String, String> {
    let lang = xml::attr(&fixup.language);
    let dir = match Direction::of_language(&fixup.language) {
        Direction::Rtl => " dir=\"rtl\"",
        Direction::Ltr => "",
    };
    // Valid XML either way, but tools that read the nav with patterns expect no spaces.
    let nav = nav.replace("epub:type = \"", "epub:type=\"");
    // The DPUB-ARIA role matching `epub:type="toc"`, for assistive technology.
    let nav = replace_once(
        &nav,
        "<nav epub:type=\"toc\"",
        "<nav epub:type=\"toc\" role=\"doc-toc\"",
        "give the toc nav its role",
    )?;
    let nav = replace_once(
        &nav,
        "<html xmlns=\"http://www.w3.org/1999/xhtml\"",
        &format!(
            "<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"{lang}\" xml:lang=\"{lang}\"{dir}"
        ),
        "set the nav document's language",
    )?;
    let mut landmarks = format!(
        "\n    <h2 id=\"landmarks-title\">{}</h2>\n    <ol>\n",
        xml::text(&fixup.landmarks_title)
    );
    for (kind, href, label) in &fixup.landmarks {
        landmarks.push_str(&format!(
            "      <li><a epub:type=\"{}\" href=\"{}\">{}</a></li>\n",
            xml::attr(kind),
            xml::attr(href),
            xml::text(label)
        ));
    }
    landmarks.push_str("    </ol>\n  ");
    if fixup.landmarks.is_empty() {
        // An empty landmarks nav is invalid; no landmarks at all is fine.
        let start = nav
            .find("<nav epub:type=\"landmarks\">")
            .ok_or("epub-builder output changed: no landmarks nav")?;
        let end = start
            + nav[start..]
                .find("</nav>")
                .ok_or("epub-builder output changed: landmarks nav not closed")?
            + "</nav>".len();
        return Ok(format!("{}{}", &nav[..start], &nav[end..]));
    }
    let nav = replace_between(
        &nav,
        "<nav epub:type=\"landmarks\"",
        "</nav>",
        &format!(" hidden=\"\">{landmarks}"),
        "write the landmarks",
    )?;
    Ok(with_page_list(nav, &fixup.page_list))
}

/// The nav document with a `page-list` nav after its last nav (hidden: reading systems
/// offer it in their own "go to page" control).
fn with_page_list(nav: String, pages: &[(String, String)]) -> String {
    let Some(end) = nav.rfind("</nav>").map(|at| at + "</nav>".len()) else {
        return nav;
    };
    if pages.is_empty() {
        return nav;
    }
    let mut list = String::from(
        "\n  <nav epub:type=\"page-list\" role=\"doc-pagelist\" hidden=\"\">\n    <ol>\n",
    );
    for (href, label) in pages {
        list.push_str(&format!(
            "      <li><a href=\"{}\">{}</a></li>\n",
            xml::attr(href),
            xml::text(label)
        ));
    }
    list.push_str("    </ol>\n  </nav>");
    format!("{}{list}{}", &nav[..end], &nav[end..])
}

fn fix_ncx(ncx: &str, fixup: &Fixup) -> Result<String, String> {
    let ncx = replace_between(
        ncx,
        "<docTitle>",
        "</docTitle>",
        &format!("\n    <text>{}</text>\n  ", xml::text(&fixup.title)),
        "title the NCX",
    )?;
    replace_once(
        &ncx,
        "<head>",
        &format!(
            "<head>\n    <meta name=\"dtb:uid\" content=\"{}\" />",
            xml::attr(&fixup.identifier)
        ),
        "add the NCX dtb:uid",
    )
}

/// Write the entries into a fresh zip: `mimetype` first and stored (the OCF rule readers use
/// to recognise an EPUB), pictures already compressed (JPEG, PNG) stored as they are,
/// everything else deflated, all with the same time and permissions.
/// The final zip: `mimetype` first (the builder's, or the standard one), then every other
/// entry in the builder's order ([`super::ocf`]).
fn rezip_into(
    entries: &[Entry],
    time: zip::DateTime,
    out: &mut dyn std::io::Write,
) -> crate::Result<()> {
    let mimetype = entries.iter().find(|(name, _)| name == "mimetype");
    let mimetype = mimetype.map_or(&b"application/epub+zip"[..], |(_, b)| b.as_ref());
    let ordered: Vec<(&str, &[u8])> = std::iter::once(("mimetype", mimetype))
        .chain(
            entries
                .iter()
                .filter(|(name, _)| name != "mimetype")
                .map(|(name, bytes)| (name.as_str(), bytes.as_ref())),
        )
        .collect();
    // Every XML document is parsed before it ships, on the thread that compresses it.
    let check = |name: &str, bytes: &[u8]| {
        if is_xml(name) {
            check_well_formed(name, as_text(name, bytes)?)
        } else {
            Ok(())
        }
    };
    super::ocf::write_into(&ordered, time.into(), &check, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixup() -> Fixup {
        Fixup {
            identifier: "urn:isbn:978-0-00 & co".into(),
            language: "hi".into(),
            extra_metadata: "    <dc:source>PTI &amp; AP</dc:source>\n".into(),
            landmarks: vec![
                ("toc".into(), "nav.xhtml#toc".into(), "Contents".into()),
                ("bodymatter".into(), "ch001.xhtml".into(), "Start".into()),
            ],
            landmarks_title: "Landmarks".into(),
            nav_in_spine_after: Some("title.xhtml".into()),
            zip_time: zip::DateTime::default(),
            page_list: vec![("ch001.xhtml#page-1".into(), "1".into())],
            title: "A & B".into(),
        }
    }

    const OPF_SAMPLE: &str = r#"<package version="3.0" xmlns="opf"><metadata xmlns:dc="dc">
    <dc:identifier id="epub-id-1">urn:uuid:1234</dc:identifier>
    <dc:language id="epub-creator-0">hi</dc:language>
    <dc:creator id="epub-creator-0">A</dc:creator>
  </metadata>
  <manifest><item media-type="application/xhtml+xml" id="id_title.xhtml" href="title.xhtml"/></manifest>
  <spine><itemref idref="id_title.xhtml"/></spine></package>"#;

    #[test]
    fn opf_gets_unique_ids_identifier_and_metadata() {
        let opf = fix_opf(OPF_SAMPLE, &fixup()).expect("fixable");
        assert_eq!(opf.matches("id=\"epub-creator-0\"").count(), 1);
        assert!(opf.contains("<dc:language id=\"epub-language-0\">"));
        assert!(opf.starts_with("<package version=\"3.0\" xml:lang=\"hi\" xmlns="));
        assert!(opf.contains(">urn:isbn:978-0-00 &amp; co</dc:identifier>"));
        assert!(opf.contains("<dc:source>PTI &amp; AP</dc:source>\n  </metadata>"));
        assert!(opf.contains("<itemref idref=\"id_title.xhtml\"/>\n    <itemref idref=\"nav\"/>"));
        check_well_formed("content.opf", &opf).expect("well-formed");
    }

    #[test]
    fn unknown_builder_output_is_an_error() {
        assert!(fix_opf("<package/>", &fixup()).is_err());
        assert!(fix_ncx("<ncx/>", &fixup()).is_err());
    }

    #[test]
    fn nav_gets_language_and_landmarks() {
        let nav = "<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"e\"><body>\
                   <nav epub:type = \"toc\" id=\"toc\"></nav>\
                   <nav epub:type = \"landmarks\">\n\n  </nav></body></html>";
        let fixed = fix_nav(nav, &fixup()).expect("fixable");
        assert!(fixed.contains("lang=\"hi\" xml:lang=\"hi\""));
        assert!(fixed.contains("<nav epub:type=\"toc\" role=\"doc-toc\" id=\"toc\">"));
        assert!(fixed.contains("<a epub:type=\"bodymatter\" href=\"ch001.xhtml\">Start</a>"));
        check_well_formed("nav.xhtml", &fixed).expect("well-formed");

        let mut none = fixup();
        none.landmarks.clear();
        let fixed = fix_nav(nav, &none).expect("fixable");
        assert!(!fixed.contains("landmarks"));
        check_well_formed("nav.xhtml", &fixed).expect("well-formed");
    }

    #[test]
    fn rezipped_archive_is_fixed_and_starts_with_stored_mimetype() {
        let entries = vec![
            (
                "META-INF/container.xml".to_string(),
                Cow::Borrowed(&b"<c/>"[..]),
            ),
            (
                "mimetype".to_string(),
                Cow::Borrowed(&b"application/epub+zip"[..]),
            ),
        ];
        let rezip = |entries: &[(String, Cow<[u8]>)]| {
            let mut zip = Vec::new();
            rezip_into(entries, zip::DateTime::default(), &mut zip).expect("zip");
            zip
        };
        let (a, b) = (rezip(&entries), rezip(&entries));
        assert_eq!(a, b);
        // OCF: the first local header names `mimetype`, uncompressed, at offset 30.
        assert_eq!(&a[30..38], b"mimetype");
        assert_eq!(&a[38..58], b"application/epub+zip");
        let mut archive = zip::ZipArchive::new(Cursor::new(a)).expect("readable");
        let first = archive.by_index(0).expect("entry");
        assert_eq!(first.name(), "mimetype");
        assert_eq!(first.compression(), zip::CompressionMethod::Stored);
    }
}
