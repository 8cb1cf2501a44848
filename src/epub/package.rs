//! Packaging with epub-builder: manifest, spine, NCX, nav and the metadata it can write.
//!
//! What epub-builder cannot write, or writes wrongly, is prepared here as [`Extras`] and applied by
//! [`super::fixup`] on the finished zip.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use epub_builder::{
    EpubBuilder, EpubContent, EpubVersion, PageDirection, ReferenceType, TocElement, ZipLibrary,
};

use super::images::Prepared;
use super::xhtml::{image_href, Direction};
use super::xml;
use crate::ir::{parse_date, plain_text, Block, Book, Inline};
use crate::{Error, Result};

/// One content document ready for packaging.
pub struct Document {
    /// File name inside the EPUB (next to `content.opf`).
    pub file: String,
    /// The XHTML.
    pub xhtml: String,
    /// Its role for the guide / landmarks.
    pub role: Option<ReferenceType>,
    /// Title and headings for the table of contents; `None` keeps it out of the toc.
    pub toc: Option<TocEntry>,
}

/// A table-of-contents entry and the headings under it.
pub struct TocEntry {
    /// Plain-text title.
    pub title: String,
    /// `(level, fragment, plain-text title)` of each heading, in order.
    pub headings: Vec<(u8, String, String)>,
}

/// The toc entry for chapter `index`: its title and every heading with text.
pub fn chapter_toc(book: &Book, index: usize) -> Option<TocEntry> {
    let chapter = book.chapters.get(index)?;
    let mut title = clean(&chapter.title_text());
    if title.is_empty() {
        // A chapter must be reachable from the toc even when its heading is empty.
        title = format!("Chapter {}", index + 1);
    }
    let mut headings = Vec::new();
    crate::ir::visit_blocks(&chapter.blocks, &mut |block| {
        if let Block::Heading { level, id, content } = block {
            let text = clean(&plain_text(content));
            // An empty entry would make an empty <li>, which the nav schema forbids.
            if !text.is_empty() {
                headings.push((*level, id.clone(), text));
            }
        }
    });
    Some(TocEntry { title, headings })
}

/// Collapse whitespace and drop characters XML cannot hold, for titles in the nav and NCX.
fn clean(text: &str) -> String {
    let text = xml::text(text);
    // epub-builder escapes these titles itself: unescape what `xml::text` added.
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The pictures and the content documents of the EPUB by their path in the zip, with their
/// bytes: what [`super::fixup::apply_into`] puts in place of the builder's stand-ins.
pub fn media<'a>(
    book: &Book,
    images: &'a [Prepared<'a>],
    cover: Cover<'a>,
    documents: &'a [Document],
) -> Vec<(String, &'a [u8])> {
    let mut media: Vec<(String, &'a [u8])> = book
        .assets
        .iter()
        .zip(images)
        .map(|(asset, image)| {
            (
                format!("OEBPS/{}", image_href(&asset.name)),
                image.bytes.as_ref(),
            )
        })
        .collect();
    if let Some((name, jpeg)) = cover.generated {
        media.push((format!("OEBPS/{}", image_href(name)), jpeg));
    }
    media.extend(documents.iter().map(|document| {
        (
            format!("OEBPS/{}", document.file),
            document.xhtml.as_bytes(),
        )
    }));
    media
}

/// The cover picture: one of the book's images (`asset`, an index into `book.assets`), or
/// one made for it (`generated`: file name and JPEG bytes).
#[derive(Debug, Clone, Copy, Default)]
pub struct Cover<'a> {
    /// The book's own image that is the cover.
    pub asset: Option<usize>,
    /// A generated cover.
    pub generated: Option<(&'a str, &'a [u8])>,
}

/// Build the EPUB with epub-builder. `images` holds the prepared bytes of each of
/// `book.assets`, in the same order (see [`super::images`]). The result still carries the builder's defects; run it
/// through [`super::fixup::apply_into`].
pub fn build(
    book: &Book,
    images: &[Prepared<'_>],
    documents: &[Document],
    stylesheet: &str,
    cover: Cover<'_>,
    modified: DateTime<Utc>,
) -> Result<Vec<u8>> {
    let err = |e: epub_builder::Error| Error::Epub(e.to_string());
    let meta = &book.meta;
    let mut builder = EpubBuilder::new(ZipLibrary::new().map_err(err)?).map_err(err)?;
    builder.epub_version(EpubVersion::V30);
    if Direction::of_language(&meta.language) == Direction::Rtl {
        // `epub_direction()` sets a field the OPF template never reads; the spine's
        // page-progression-direction comes from the "direction" metadata.
        builder.epub_direction(PageDirection::Rtl);
        builder.metadata("direction", "rtl").map_err(err)?;
    }
    builder.set_title(meta.title.clone());
    builder.add_language(meta.language.clone());
    for author in &meta.authors {
        builder.add_author(author.clone());
    }
    if let Some(description) = &meta.description {
        builder.add_description(description.clone());
    }
    for subject in &meta.subjects {
        builder.add_subject(subject.clone());
    }
    if let Some(rights) = &meta.rights {
        builder.set_license(rights.clone());
    }
    if let Some(date) = meta.date.as_deref().and_then(parse_date) {
        builder.set_publication_date(date);
    }
    builder.set_generator(format!("presswork {}", env!("CARGO_PKG_VERSION")));
    builder.set_toc_name(book.labels.contents.clone());
    // Both are overwritten or made moot by the fixup, but set them so that nothing random or
    // clock-dependent is ever produced, even transiently.
    builder.set_modified_date(modified);
    let identifier = meta.identifier.clone().unwrap_or_default();
    builder.set_uuid(crate::ir::name_uuid([identifier.as_bytes()]));
    builder.stylesheet(stylesheet.as_bytes()).map_err(err)?;

    // Each asset once, the cover image included (marked as such rather than added twice).
    // The builder gets an empty stand-in for each picture (it would deflate them all); the
    // fixup puts the real bytes in ([`media`]).
    let stand_in: &[u8] = &[];
    for (index, (asset, image)) in book.assets.iter().zip(images).enumerate() {
        let path = image_href(&asset.name);
        let media_type = image.format.media_type();
        if Some(index) == cover.asset {
            builder
                .add_cover_image(&path, stand_in, media_type)
                .map_err(err)?;
        } else {
            builder
                .add_resource(&path, stand_in, media_type)
                .map_err(err)?;
        }
    }

    if let Some((name, _)) = cover.generated {
        builder
            .add_cover_image(image_href(name), stand_in, "image/jpeg")
            .map_err(err)?;
    }

    // The documents too are stand-ins here, put in place by the fixup ([`media`]): the
    // builder would deflate each one, and the fixup inflate it, only to deflate it again.
    for document in documents {
        let mut content = EpubContent::new(document.file.as_str(), stand_in);
        if let Some(role) = document.role {
            content = content.reftype(role);
        }
        if let Some(toc) = &document.toc {
            content = content.title(toc.title.as_str()).level(1);
            for element in nest(&document.file, &toc.headings) {
                content = content.child(element);
            }
        }
        builder.add_content(content).map_err(err)?;
    }

    let mut bytes = Vec::new();
    builder.generate(&mut bytes).map_err(err)?;
    Ok(bytes)
}

/// Turn a flat list of headings into a tree: `EpubContent::child` does not nest by level
/// itself, so each heading takes the deeper headings that follow it as its children.
fn nest(file: &str, headings: &[(u8, String, String)]) -> Vec<TocElement> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some((level, fragment, title)) = headings.get(i) {
        let end = headings[i + 1..]
            .iter()
            .position(|(l, _, _)| l <= level)
            .map_or(headings.len(), |p| i + 1 + p);
        let mut element =
            TocElement::new(format!("{file}#{fragment}"), title.as_str()).level(i32::from(*level));
        for child in nest(file, &headings[i + 1..end]) {
            element = element.child(child);
        }
        out.push(element);
        i = end;
    }
    out
}

/// What the book contains that its accessibility metadata has to be true about.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ImageFacts {
    /// Number of images shown (figures and inline images).
    pub images: usize,
    /// How many of them have no alternative text.
    pub without_alt: usize,
}

impl ImageFacts {
    /// Count the images of `book`.
    pub fn of(book: &Book) -> ImageFacts {
        let mut facts = ImageFacts::default();
        let mut count = |alt: &str| {
            facts.images += 1;
            if alt.trim().is_empty() {
                facts.without_alt += 1;
            }
        };
        fn inline_images(inlines: &[Inline], count: &mut dyn FnMut(&str)) {
            for inline in inlines {
                match inline {
                    Inline::Image { alt, .. } => count(alt),
                    Inline::Emphasis(c)
                    | Inline::Strong(c)
                    | Inline::Strikethrough(c)
                    | Inline::Styled { content: c, .. } => inline_images(c, count),
                    Inline::Link { content, .. } => inline_images(content, count),
                    _ => {}
                }
            }
        }
        for chapter in &book.chapters {
            let all_blocks =
                std::iter::once(&chapter.blocks).chain(chapter.footnotes.iter().map(|n| &n.blocks));
            for blocks in all_blocks {
                crate::ir::visit_blocks(blocks, &mut |block| {
                    if let Block::Figure(figure) = block {
                        count(&figure.alt);
                    }
                });
                crate::ir::visit_inlines(blocks, &mut |inlines| inline_images(inlines, &mut count));
            }
        }
        facts
    }
}

/// The `<metadata>` children epub-builder cannot write: `dc:source`, `dc:publisher` and the EPUB
/// Accessibility 1.1 statements. Every value is escaped here (the builder's own extra-metadata
/// hook does not escape, so it is not used).
pub fn extra_metadata(book: &Book, images: ImageFacts, page_list: bool) -> String {
    let meta = &book.meta;
    let mut out = String::new();
    let element = |out: &mut String, name: &str, value: &str| {
        let _ = writeln!(out, "    <{name}>{}</{name}>", xml::text(value));
    };
    // epub-builder writes each author as `dc:creator` `epub-creator-N` with the role `aut`;
    // how each files in a catalogue ("Doe, Jane") refines it.
    for (index, author) in meta.authors.iter().enumerate() {
        let _ = writeln!(
            out,
            "    <meta refines=\"#epub-creator-{index}\" property=\"file-as\">{}</meta>",
            xml::text(&crate::ir::file_as(author))
        );
    }
    for (index, contributor) in meta.contributors.iter().enumerate() {
        let id = format!("contributor-{}", index + 1);
        let _ = writeln!(
            out,
            "    <dc:contributor id=\"{id}\">{}</dc:contributor>\n    \
             <meta refines=\"#{id}\" property=\"role\" scheme=\"marc:relators\">{}</meta>\n    \
             <meta refines=\"#{id}\" property=\"file-as\">{}</meta>",
            xml::text(&contributor.name),
            contributor.role.marc_code(),
            xml::text(&crate::ir::file_as(&contributor.name)),
        );
    }
    if let Some(series) = &meta.series {
        let _ = writeln!(
            out,
            "    <meta property=\"belongs-to-collection\" id=\"series\">{}</meta>\n    \
             <meta refines=\"#series\" property=\"collection-type\">series</meta>",
            xml::text(&series.name)
        );
        if let Some(position) = series.position {
            let _ = writeln!(
                out,
                "    <meta refines=\"#series\" property=\"group-position\">{position}</meta>"
            );
        }
    }
    if let Some(isbn) = &meta.isbn {
        let urn = format!("urn:isbn:{isbn}");
        // The ISBN is the package's identifier unless the book gave another; then it is a
        // second identifier. Either way it is typed as an ISBN (ONIX code list 5, 15).
        let id = if meta.identifier.as_deref() == Some(urn.as_str()) {
            "epub-id-1".to_string()
        } else {
            let _ = writeln!(
                out,
                "    <dc:identifier id=\"isbn\">{}</dc:identifier>",
                xml::text(&urn)
            );
            "isbn".to_string()
        };
        let _ = writeln!(
            out,
            "    <meta refines=\"#{id}\" property=\"identifier-type\" scheme=\"onix:codelist5\">15</meta>"
        );
    }
    for (index, code) in meta.bisac.iter().enumerate() {
        let id = format!("bisac-{}", index + 1);
        let _ = writeln!(
            out,
            "    <dc:subject id=\"{id}\">{}</dc:subject>\n    \
             <meta refines=\"#{id}\" property=\"authority\">BISAC</meta>\n    \
             <meta refines=\"#{id}\" property=\"term\">{}</meta>",
            xml::text(code),
            xml::text(code)
        );
    }
    let publisher = meta.publisher.as_deref().filter(|s| !s.trim().is_empty());
    let agency = meta.source.as_deref().filter(|s| !s.trim().is_empty());
    if let Some(publisher) = publisher {
        element(&mut out, "dc:publisher", publisher);
    }
    if page_list {
        // `dc:source`, refined as the source of the pagination, names the print edition
        // whose page numbers the page list gives (EPUB Accessibility 1.1, 5.2).
        let edition = format!(
            "{}, print edition (PDF, {} paper), made by presswork from the same text",
            meta.title,
            book.settings.paper.display_name()
        );
        let _ = writeln!(
            out,
            "    <dc:source id=\"print-source\">{}</dc:source>\n    \
             <meta refines=\"#print-source\" property=\"source-of\">pagination</meta>",
            xml::text(&edition)
        );
    }
    if let Some(agency) = agency {
        // Where the text comes from (a news agency): a contributor, or the publisher of a
        // book that names none.
        if publisher.is_none() {
            element(&mut out, "dc:publisher", agency);
        } else {
            let _ = writeln!(
                out,
                "    <dc:contributor id=\"source\">{}</dc:contributor>\n    \
                 <meta refines=\"#source\" property=\"role\" scheme=\"marc:relators\">ctb</meta>",
                xml::text(agency)
            );
        }
    }
    let has_images = images.images > 0;
    let all_described = images.without_alt == 0;
    let mut properties: Vec<(&str, String)> = vec![("schema:accessMode", "textual".into())];
    if has_images {
        properties.push(("schema:accessMode", "visual".into()));
    }
    // Text alone suffices only when every image has a text alternative.
    if all_described {
        properties.push(("schema:accessModeSufficient", "textual".into()));
    }
    if has_images {
        properties.push(("schema:accessModeSufficient", "textual,visual".into()));
    }
    if has_images && all_described {
        properties.push(("schema:accessibilityFeature", "alternativeText".into()));
    }
    for feature in [
        "structuralNavigation",
        "tableOfContents",
        "readingOrder",
        "displayTransformability",
    ] {
        properties.push(("schema:accessibilityFeature", feature.into()));
    }
    if page_list {
        for feature in ["printPageNumbers", "pageBreakMarkers", "pageNavigation"] {
            properties.push(("schema:accessibilityFeature", feature.into()));
        }
    }
    properties.push(("schema:accessibilityHazard", "none".into()));
    properties.push((
        "schema:accessibilitySummary",
        summary(book, images, page_list),
    ));
    // The claim holds only as far as the generator can vouch for it: language on every
    // document, headings and landmarks, a toc, reflowable text, and a text alternative for
    // every image. An image without alt text breaks WCAG 1.1.1, so then no claim is made.
    if all_described {
        properties.push((
            "dcterms:conformsTo",
            "EPUB Accessibility 1.1 - WCAG 2.1 Level AA".into(),
        ));
        let certifier = meta
            .publisher
            .clone()
            .filter(|p| !p.trim().is_empty())
            .unwrap_or_else(|| "presswork (automated self-assessment)".into());
        properties.push(("a11y:certifiedBy", certifier));
    }
    for (property, value) in properties {
        let _ = writeln!(
            out,
            "    <meta property=\"{property}\">{}</meta>",
            xml::text(&value)
        );
    }
    out
}

/// What the book really has, in words: structure, pictures, tables, notes, languages and
/// print page numbers.
fn summary(book: &Book, images: ImageFacts, page_list: bool) -> String {
    let mut summary = String::from(
        "Reflowable text with a table of contents, headings that mark the structure, \
         and navigation landmarks; the reading order follows the text.",
    );
    let (mut tables, mut notes) = (0, 0);
    for chapter in &book.chapters {
        notes += chapter.footnotes.len();
        crate::ir::visit_blocks(&chapter.blocks, &mut |block| {
            if matches!(block, crate::ir::Block::Table(_)) {
                tables += 1;
            }
        });
    }
    if tables > 0 {
        summary.push_str(" Tables have header cells that label their columns.");
    }
    if notes > 0 {
        summary.push_str(" Notes are linked from the text and back.");
    }
    if page_list {
        summary.push_str(
            " Page numbers of the print edition are marked in the text and listed for navigation.",
        );
    }
    if images.images > 0 && images.without_alt == 0 {
        summary.push_str(
            " Every image has a text alternative; captions and picture credits are given as text.",
        );
    } else if images.images > 0 {
        summary.push_str(
            " Some images have no text alternative, so the book does not claim WCAG conformance.",
        );
    } else {
        summary.push_str(" The book has no images.");
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_is_escaped_and_honest() {
        let mut book = Book::default();
        book.meta.source = Some("A & B <Agency>".into());
        let text_only = extra_metadata(&book, ImageFacts::default(), false);
        // An agency is the publisher of a book that names none, and never `dc:source`.
        assert!(text_only.contains("<dc:publisher>A &amp; B &lt;Agency&gt;</dc:publisher>"));
        assert!(!text_only.contains("dc:source"));
        assert!(!text_only.contains("printPageNumbers"));
        assert!(!text_only.contains("visual"));
        assert!(text_only.contains("dcterms:conformsTo"));

        let photos = extra_metadata(
            &book,
            ImageFacts {
                images: 2,
                without_alt: 0,
            },
            false,
        );
        assert!(photos.contains("<meta property=\"schema:accessMode\">visual</meta>"));
        assert!(photos.contains("alternativeText"));

        let undescribed = extra_metadata(
            &book,
            ImageFacts {
                images: 2,
                without_alt: 1,
            },
            false,
        );
        assert!(!undescribed.contains("alternativeText"));
        assert!(!undescribed.contains("conformsTo"));
        assert!(!undescribed.contains(
            ">textual</meta>\n    <meta property=\"schema:accessModeSufficient\">textual</meta>"
        ));
        let wrapped = format!("<m xmlns:dc=\"x\">{photos}</m>");
        assert!(roxmltree::Document::parse(&wrapped).is_ok());

        // With a publisher, the agency is a contributor; with a page list, the print edition
        // is the source of the pagination and the summary says so.
        book.meta.publisher = Some("Press".into());
        let paged = extra_metadata(&book, ImageFacts::default(), true);
        assert!(paged
            .contains("<dc:contributor id=\"source\">A &amp; B &lt;Agency&gt;</dc:contributor>"));
        assert!(paged.contains("property=\"role\" scheme=\"marc:relators\">ctb</meta>"));
        assert!(paged
            .contains("<meta refines=\"#print-source\" property=\"source-of\">pagination</meta>"));
        assert!(paged.contains(">printPageNumbers<") && paged.contains(">pageBreakMarkers<"));
        assert!(paged.contains("Page numbers of the print edition"));
        let wrapped = format!("<m xmlns:dc=\"x\">{paged}</m>");
        assert!(roxmltree::Document::parse(&wrapped).is_ok());
    }

    #[test]
    fn toc_titles_are_plain_and_never_empty() {
        assert_eq!(clean("  a &  <b>\n c "), "a & <b> c");
        assert_eq!(clean("x\u{0}y"), "xy");
        assert_eq!(
            parse_date("2024-02-29").map(|d| d.timestamp()),
            Some(1_709_164_800)
        );
        assert!(parse_date("2024-02-30").is_none());
    }
}
