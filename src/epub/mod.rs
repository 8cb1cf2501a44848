//! EPUB 3 back end.
//!
//! IR → XHTML documents ([`xhtml`], [`pages`]) and images made fit for e-readers ([`images`]) →
//! package via epub-builder ([`package`]) → post-pass that repairs the builder's defects and
//! makes the zip reproducible ([`fixup`]). Everything happens in memory; the caller writes the
//! bytes.

pub mod cover;
pub mod fixup;
pub mod images;
pub mod kobo;
pub mod ocf;
pub mod package;
pub mod page_list;
pub mod pages;
pub mod xhtml;
pub mod xml;

use std::io::Write;
use std::sync::Arc;

use chrono::{DateTime, Datelike, Timelike, Utc};
use epub_builder::ReferenceType;

use crate::ir::{Book, ImageFormat};
use crate::{Diagnostic, Diagnostics, Renderer, Result};
use cover::CoverStore;
use package::{Document, ImageFacts};

/// The stylesheet shipped in every EPUB, before the rule for the figures of running text
/// ([`stylesheet`]).
pub const STYLESHEET: &str = include_str!("stylesheet.css");

/// The house stylesheet followed by the book's own rules (`[epub] stylesheet`), which
/// therefore win where both set the same property.
fn with_extra_rules(mut house: String, extra: Option<&str>) -> String {
    if let Some(extra) = extra {
        house.push_str("\n/* The book's own rules ([epub] stylesheet in book.toml). */\n");
        house.push_str(extra);
        house.push('\n');
    }
    house
}

/// The book's stylesheet: [`STYLESHEET`] and the figures of running text the settings ask
/// for (`font-variant-numeric` on `body`; headings, tables and code set their own).
pub fn stylesheet(settings: &crate::ir::Settings) -> String {
    let figures = match settings.figures {
        crate::ir::Figures::OldStyle => "oldstyle-nums",
        crate::ir::Figures::Lining => "lining-nums",
    };
    format!("{STYLESHEET}\nbody {{ font-variant-numeric: {figures} proportional-nums; }}\n")
}

/// Renders a book as EPUB 3. Everything it needs is in the book, its settings included
/// ([`crate::ir::Settings`]: the build date becomes `dcterms:modified` and the zip times).
#[derive(Debug, Clone, Default)]
pub struct EpubRenderer {
    covers: Option<Arc<dyn CoverStore>>,
}

impl EpubRenderer {
    /// A renderer that keeps generated covers in `store` between builds and takes them
    /// from it (see [`cover::generate_or_reuse`]); the EPUB is the same either way.
    pub fn with_cover_store(store: Arc<dyn CoverStore>) -> Self {
        EpubRenderer {
            covers: Some(store),
        }
    }
}

impl Renderer for EpubRenderer {
    fn name(&self) -> &'static str {
        "epub"
    }

    fn render_into(&self, book: &Book, out: &mut dyn Write, diags: &mut Diagnostics) -> Result<()> {
        render_epub(book, Edition::Standard, self.covers.as_deref(), diags, out)
    }
}

/// Renders a book as a Kobo EPUB (`.kepub.epub`): the EPUB with every sentence in a
/// `koboSpan` (see [`kobo`]).
#[derive(Debug, Clone, Default)]
pub struct KepubRenderer {
    covers: Option<Arc<dyn CoverStore>>,
}

impl KepubRenderer {
    /// A renderer that keeps generated covers in `store`, as
    /// [`EpubRenderer::with_cover_store`].
    pub fn with_cover_store(store: Arc<dyn CoverStore>) -> Self {
        KepubRenderer {
            covers: Some(store),
        }
    }
}

impl Renderer for KepubRenderer {
    /// Also the file extension: Kobo's readers recognise the edition by it.
    fn name(&self) -> &'static str {
        "kepub.epub"
    }

    fn render_into(&self, book: &Book, out: &mut dyn Write, diags: &mut Diagnostics) -> Result<()> {
        render_epub(book, Edition::Kobo, self.covers.as_deref(), diags, out)
    }
}

/// Which edition of the EPUB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edition {
    /// For every reading system.
    Standard,
    /// With Kobo's sentence spans.
    Kobo,
}

/// The EPUB of `book` in one edition, written into `out`, a generated cover kept in or
/// taken from `covers`.
fn render_epub(
    book: &Book,
    edition: Edition,
    covers: Option<&dyn CoverStore>,
    diagnostics: &mut Diagnostics,
    out: &mut dyn Write,
) -> Result<()> {
    let modified = book.settings.build_date;
    let modified_text = modified.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    // The front end has warned about each image without alt text, at its line.
    let images = ImageFacts::of(book);

    let prepared = prepare_images(book, diagnostics);
    // `[epub] cover` when the book names one, else a cover made here: the title over
    // the lead photo (or on its own), made on a thread of its own while the book is laid
    // out for its print page numbers (no page list for a book too long to lay out twice,
    // or one whose fonts fail: the PDF build reports that).
    let given_cover = book.epub.cover.as_ref().map(|figure| figure.asset.0);
    let artwork = pages::first_figure(book)
        .and_then(|figure| prepared.get(figure.asset.0))
        .filter(|image| image.format != ImageFormat::Svg)
        .map(|image| image.bytes.as_ref());
    // Meanwhile, on the same thread as the cover once it is made: which documents the
    // book has, and epub-builder's package of them (it is given stand-ins for their text,
    // see `package::build`, so it does not wait for the text and its page markers).
    let stylesheet = with_extra_rules(stylesheet(&book.settings), book.epub.stylesheet.as_deref());
    let (side, print_pages) = std::thread::scope(|scope| {
        let side = scope.spawn(|| {
            let made_cover = given_cover
                .is_none()
                .then(|| cover::generate_or_reuse(book, artwork, covers));
            let (generated_cover, cover_warning) = match made_cover {
                Some(Ok(jpeg)) => (
                    Some(GeneratedCover {
                        name: generated_cover_name(book),
                        jpeg,
                    }),
                    None,
                ),
                Some(Err(e)) => (
                    None,
                    Some(Diagnostic::warning(format!(
                        "the cover could not be made ({e}); the EPUB has none"
                    ))),
                ),
                None => (None, None),
            };
            let plan = DocumentPlan::of(book, given_cover, generated_cover.as_ref());
            let raw = package::build(
                book,
                &prepared,
                &plan.documents,
                &stylesheet,
                package_cover(given_cover, generated_cover.as_ref()),
                modified,
            );
            (generated_cover, cover_warning, plan, raw)
        });
        let print_pages = page_list::print_pages(book).ok().flatten();
        let side = side
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (side, print_pages)
    });
    let (generated_cover, cover_warning, plan, raw) = side;
    if let Some(warning) = cover_warning {
        diagnostics.push(warning);
    }
    let raw = raw?;
    let markers = print_pages
        .as_deref()
        .map(page_list::Markers::new)
        .unwrap_or_default();
    let DocumentPlan {
        mut documents,
        landmarks,
        cover_src,
    } = plan;
    // The documents' text, in the planned order: cover page, title page, chapters,
    // colophon.
    let mut writer = xhtml::ChapterWriter::new(book).with_page_markers(markers.clone());
    let mut chapters = 0..book.chapters.len();
    for document in &mut documents {
        document.xhtml = match document.role {
            Some(ReferenceType::Cover) => cover_src
                .as_deref()
                .map(|src| pages::cover(book, src))
                .unwrap_or_default(),
            Some(ReferenceType::TitlePage) => {
                with_markers_at_top(pages::title_page(book), &markers.title_page)
            }
            Some(ReferenceType::Colophon) => with_markers_at_top(
                pages::colophon(
                    book,
                    // The 1980 placeholder is for the zip and `dcterms:modified` only; a
                    // reader would take it for a real date.
                    (modified.timestamp() != crate::ir::DEFAULT_EPOCH)
                        .then_some(modified_text.as_str()),
                ),
                &markers.colophon,
            ),
            _ => chapters
                .next()
                .map(|index| writer.chapter(index, diagnostics))
                .unwrap_or_default(),
        };
    }

    if edition == Edition::Kobo {
        for document in &mut documents {
            document.xhtml = kobo::add_spans(&document.xhtml);
        }
    }
    let cover = package_cover(given_cover, generated_cover.as_ref());
    let fixup = fixup::Fixup {
        identifier: book.meta.identifier.clone().unwrap_or_else(|| {
            let uuid = crate::ir::name_uuid([book.meta.title.as_bytes()]);
            format!("urn:uuid:{uuid}")
        }),
        language: book.meta.language.clone(),
        extra_metadata: package::extra_metadata(book, images, print_pages.is_some()),
        landmarks,
        landmarks_title: book.labels.landmarks.clone(),
        nav_in_spine_after: Some("title.xhtml".into()),
        zip_time: zip_time(modified),
        page_list: markers.page_list(xhtml::chapter_file),
        title: book.meta.title.clone(),
    };
    let media = package::media(book, &prepared, cover, &documents);
    fixup::apply_into(&raw, &fixup, &media, out)
}

/// `xhtml` with the markers of printed pages `numbers` at the top of its body.
fn with_markers_at_top(xhtml: String, numbers: &[usize]) -> String {
    if numbers.is_empty() {
        return xhtml;
    }
    let Some(at) = xhtml
        .find("<body")
        .and_then(|body| xhtml[body..].find('>').map(|end| body + end + 1))
    else {
        return xhtml;
    };
    let markers: String = numbers.iter().map(|n| page_list::marker(*n)).collect();
    format!("{}\n{markers}{}", &xhtml[..at], &xhtml[at..])
}

/// The documents of the EPUB in reading order, their text still empty: the cover page (when
/// there is a cover), the title page, the chapters, the colophon; and the landmarks.
struct DocumentPlan {
    documents: Vec<Document>,
    landmarks: Vec<(String, String, String)>,
    /// The cover picture's path from the cover page, when there is a cover.
    cover_src: Option<String>,
}

impl DocumentPlan {
    fn of(book: &Book, given_cover: Option<usize>, generated: Option<&GeneratedCover>) -> Self {
        let cover_src = match (given_cover, generated) {
            (Some(index), _) => book.assets.get(index).map(|a| xhtml::image_href(&a.name)),
            (None, Some(generated)) => Some(xhtml::image_href(&generated.name)),
            (None, None) => None,
        };
        let document = |file: String, role, toc| Document {
            file,
            xhtml: String::new(),
            role,
            toc,
        };
        let mut documents = Vec::with_capacity(book.chapters.len() + 3);
        let mut landmarks = Vec::new();
        if cover_src.is_some() {
            documents.push(document(
                "cover.xhtml".into(),
                Some(ReferenceType::Cover),
                None,
            ));
            landmarks.push(landmark("cover", "cover.xhtml", &book.labels.cover));
        }
        documents.push(document(
            "title.xhtml".into(),
            Some(ReferenceType::TitlePage),
            None,
        ));
        landmarks.push(landmark(
            "titlepage",
            "title.xhtml",
            &book.labels.title_page,
        ));
        landmarks.push(landmark("toc", "nav.xhtml#toc", &book.labels.contents));
        for index in 0..book.chapters.len() {
            let file = xhtml::chapter_file(index);
            if index == 0 {
                landmarks.push(landmark("bodymatter", &file, &book.labels.start));
            }
            // The builder's guide needs one item marked as the text; the landmarks are
            // written by the fixup.
            let role = (index == 0).then_some(ReferenceType::Text);
            documents.push(document(file, role, package::chapter_toc(book, index)));
        }
        documents.push(document(
            "colophon.xhtml".into(),
            Some(ReferenceType::Colophon),
            None,
        ));
        landmarks.push(landmark(
            "colophon",
            "colophon.xhtml",
            &book.labels.colophon,
        ));
        DocumentPlan {
            documents,
            landmarks,
            cover_src,
        }
    }
}

/// The cover as the package knows it: the book's own picture, or the one made for it.
fn package_cover(given: Option<usize>, generated: Option<&GeneratedCover>) -> package::Cover<'_> {
    package::Cover {
        asset: given,
        generated: generated.map(|c| (c.name.as_str(), c.jpeg.as_slice())),
    }
}

/// A cover made by [`cover::generate`], with its file name among the images.
struct GeneratedCover {
    name: String,
    jpeg: Vec<u8>,
}

/// `cover.jpg`, or a name no image of the book has.
fn generated_cover_name(book: &Book) -> String {
    let taken = |name: &str| book.assets.iter().any(|a| a.name == name);
    (0..)
        .map(|n| {
            if n == 0 {
                "cover.jpg".to_string()
            } else {
                format!("cover-{n}.jpg")
            }
        })
        .find(|name| !taken(name))
        .unwrap_or_default()
}

/// Every image of the book made fit for e-readers (see [`images`]), in asset order; an
/// image that cannot be prepared is stored unchanged, with a warning at its first use.
fn prepare_images<'b>(book: &'b Book, diagnostics: &mut Diagnostics) -> Vec<images::Prepared<'b>> {
    book.assets
        .iter()
        .map(|asset| {
            let unchanged = || images::Prepared {
                bytes: asset.bytes.as_slice().into(),
                format: asset.format,
                width: asset.width,
                height: asset.height,
                changes: Vec::new(),
            };
            if asset.format == ImageFormat::Svg {
                // Stored as the loader sanitised it: vectors need no resizing.
                return unchanged();
            }
            images::prepare(&asset.bytes, asset.format).unwrap_or_else(|e| {
                let warning = Diagnostic::warning(format!(
                    "image `{}`: {e}; stored unchanged in the EPUB",
                    asset.name
                ));
                diagnostics.push(match &asset.first_use {
                    Some(at) => warning.at(at.clone()),
                    None => warning,
                });
                unchanged()
            })
        })
        .collect()
}

fn landmark(kind: &str, href: &str, label: &str) -> (String, String, String) {
    (kind.into(), href.into(), label.into())
}

/// The same instant as a zip (MS-DOS) time, clamped to the years a zip can hold.
fn zip_time(time: DateTime<Utc>) -> zip::DateTime {
    let year = time.year().clamp(1980, 2107) as u16;
    zip::DateTime::from_date_and_time(
        year,
        time.month() as u8,
        time.day() as u8,
        time.hour() as u8,
        time.minute() as u8,
        time.second() as u8,
    )
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_text_takes_the_books_figures() {
        let mut settings = crate::ir::Settings::default();
        let old = stylesheet(&settings);
        assert!(old.ends_with("body { font-variant-numeric: oldstyle-nums proportional-nums; }\n"));
        settings.figures = crate::ir::Figures::Lining;
        let lining = stylesheet(&settings);
        assert!(lining.contains("body { font-variant-numeric: lining-nums proportional-nums; }"));
        assert!(!lining.contains("oldstyle"));
        assert!(old.contains("table { font-variant-numeric: lining-nums tabular-nums; }"));
    }

    #[test]
    fn zip_times_are_clamped_to_what_a_zip_can_hold() {
        let zip = zip_time(DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default());
        assert_eq!((zip.year(), zip.month(), zip.day()), (2023, 11, 14));
        let early = zip_time(DateTime::from_timestamp(0, 0).unwrap_or_default());
        assert_eq!(early.year(), 1980);
    }
}
