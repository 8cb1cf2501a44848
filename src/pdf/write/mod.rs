//! The PDF writer: draws already laid-out pages. It makes no layout decisions; every glyph,
//! image, rule and link lands exactly where [`crate::typeset::frame`] puts it.
//!
//! Pages stream through [`PdfWriter`] as layout finishes them, so memory holds the finished
//! file and a batch of pages, never the whole book's drawing operations:
//! - [`draw`] turns a page into a content stream ([`content`] knows the syntax), which is
//!   compressed and added to the file at once;
//! - [`fonts`] records the glyphs drawn (the content uses original glyph ids) and embeds
//!   each font, subset, when the last page is done;
//! - [`images`] builds the image XObjects before the first page (Flate-compressed samples
//!   or JPEG bytes unchanged), and SVGs as vector Form XObjects through svg2pdf;
//! - [`structure`] marks the content and writes the structure tree as the tags on the pages
//!   open and close its elements (tagged PDF, PDF/UA-1);
//! - [`post`] adds what needs every page: outline, links, metadata, `/ID`.

mod archive;
mod compress;
mod content;
mod draw;
mod fonts;
mod images;
mod post;
mod structure;

use std::collections::{BTreeMap, BTreeSet};

use lopdf::{Dictionary, Object, ObjectId};
use printpdf::XObjectId;

use self::fonts::{FontInUse, PreparedFont};
use crate::ir::Book;
use crate::pdf::PdfOptions;
use crate::typeset::fonts::{FontId, FontSet};
use crate::typeset::frame::{LaidOutDocument, Navigation, Page, PageItem, PageSink, PlacedGlyph};
use crate::{Error, Result};

/// Whether glyph `i` of a run is a cluster by itself: the glyph after it (if any) starts
/// the next cluster (a glyph continuing a cluster carries no text).
fn stands_alone(glyphs: &[PlacedGlyph], i: usize) -> bool {
    glyphs.get(i + 1).is_none_or(|next| !next.text.is_empty())
}

/// Write a laid-out document held in memory as PDF bytes (tests and benchmarks; a build
/// streams pages through [`PdfWriter`]).
pub fn write_pdf(
    doc: LaidOutDocument,
    fonts: &FontSet,
    book: &Book,
    options: &PdfOptions,
) -> Result<Vec<u8>> {
    let mut writer = PdfWriter::new(fonts, book, options)?;
    for page in doc.pages {
        writer.page(page)?;
    }
    writer.finish(&doc.navigation)
}

/// A page already written: its object, its height (to flip link rectangles and
/// destinations) and its links, which become annotations once every anchor is placed.
struct WrittenPage {
    id: ObjectId,
    height: f32,
    links: Vec<post::WrittenLink>,
}

/// Writes pages as they come and the rest of the file at the end.
///
/// Fonts are subset and embedded with ToUnicode maps, JPEGs are passed through, PNGs stored
/// losslessly; the outline is nested by level; metadata comes from `book.meta`; with
/// `archival` the file carries the PDF/A-2b facts. The output is deterministic: the same
/// input gives the same bytes (dates come from the options or `book.meta.date`, never from
/// the clock or the environment).
pub struct PdfWriter<'a> {
    fonts: &'a FontSet,
    book: &'a Book,
    /// The file being assembled.
    out: lopdf::Document,
    /// Reserved ids of the page tree and of the resources every page shares.
    pages_id: ObjectId,
    resources_id: ObjectId,
    /// Fonts drawn so far, by font.
    fonts_in_use: BTreeMap<FontId, FontInUse>,
    /// Image XObjects: asset index → resource name, and the resource dictionary entries.
    image_names: BTreeMap<usize, XObjectId>,
    image_objects: Dictionary,
    images_used: BTreeSet<usize>,
    /// Every page written, in order.
    written: Vec<WrittenPage>,
    /// The pages' content streams, compressed beside the writer.
    compressor: compress::PageCompressor,
    /// PDF/A or not, and the build date.
    settings: post::FileSettings,
    /// The structure tree, written as its elements close.
    structure: structure::Structure,
}

impl<'a> PdfWriter<'a> {
    /// A writer for `book`, drawing with `fonts`. The book's images are converted now (the
    /// loader has checked that they decode), so that the pages can refer to them; any that
    /// no page shows are dropped from the file at the end.
    pub fn new(fonts: &'a FontSet, book: &'a Book, options: &PdfOptions) -> Result<Self> {
        let mut out = lopdf::Document::with_version(post::PDF_VERSION);
        let mut image_names = BTreeMap::new();
        let mut image_objects = Dictionary::new();
        images::embed_images(
            &book.assets,
            options.archival,
            &mut out,
            &mut image_names,
            &mut image_objects,
        )?;
        images::svg_forms(&book.assets, &mut out, &mut image_names, &mut image_objects)?;
        let pages_id = out.new_object_id();
        let resources_id = out.new_object_id();
        let structure = structure::Structure::new(&mut out);
        Ok(PdfWriter {
            fonts,
            book,
            out,
            pages_id,
            resources_id,
            fonts_in_use: BTreeMap::new(),
            image_names,
            image_objects,
            images_used: BTreeSet::new(),
            written: Vec::new(),
            compressor: compress::PageCompressor::new(),
            settings: post::FileSettings {
                archival: options.archival,
                build_date: book.settings.build_date,
                unicode_text: false,
            },
            structure,
        })
    }

    /// Record the glyphs and images of a page, registering fonts on first use.
    fn take_inventory(&mut self, page: &Page) -> Result<()> {
        for item in &page.items {
            match item {
                PageItem::Glyphs(run) => {
                    if !self.fonts_in_use.contains_key(&run.font) {
                        if run.font.0 >= self.fonts.iter().count() {
                            return Err(Error::Pdf(format!(
                                "glyph run uses unknown font {}",
                                run.font.0
                            )));
                        }
                        let font = FontInUse::new(run.font, self.fonts.get(run.font))?;
                        self.fonts_in_use.insert(run.font, font);
                    }
                    if let Some(font) = self.fonts_in_use.get_mut(&run.font) {
                        for (i, glyph) in run.glyphs.iter().enumerate() {
                            font.record(glyph.id, &glyph.text, stands_alone(&run.glyphs, i));
                        }
                    }
                }
                PageItem::Image { asset, .. } => {
                    self.images_used.insert(asset.0);
                }
                PageItem::Rule { .. } | PageItem::Link { .. } | PageItem::Tag(_) => {}
            }
        }
        Ok(())
    }

    /// [`PdfWriter::finish_into`] a buffer: the whole file's bytes.
    pub fn finish(self, navigation: &Navigation) -> Result<Vec<u8>> {
        let mut bytes = Vec::new();
        self.finish_into(navigation, &mut bytes)?;
        Ok(bytes)
    }

    /// Write the rest of the file: fonts, resources, page tree, outline, links, metadata;
    /// then the whole file into `out` (an error writing there is an [`Error::Output`]).
    pub fn finish_into(
        mut self,
        navigation: &Navigation,
        out: &mut dyn std::io::Write,
    ) -> Result<()> {
        if self.written.is_empty() {
            return Err(Error::Pdf("no pages to write".into()));
        }
        let streams = self
            .compressor
            .finish()
            .map_err(|e| Error::Pdf(format!("cannot compress a page: {e}")))?;
        let content_hash = compress::content_digest(&streams);
        for (id, compressed) in streams {
            let mut stream_dict = Dictionary::new();
            stream_dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
            self.out.objects.insert(
                id,
                Object::Stream(lopdf::Stream::new(stream_dict, compressed).with_compression(false)),
            );
        }
        // Subsetting and compressing the fonts is most of the file's end: each font on a
        // thread of its own, then their objects numbered in order (the same file as one by
        // one).
        let prepared: Vec<Result<PreparedFont>> = if self.fonts_in_use.len() > 1 {
            std::thread::scope(|scope| {
                let handles: Vec<_> = self
                    .fonts_in_use
                    .iter()
                    .map(|(id, font)| {
                        let face = self.fonts.get(*id);
                        scope.spawn(move || font.prepare(face))
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|handle| {
                        handle
                            .join()
                            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                    })
                    .collect()
            })
        } else {
            self.fonts_in_use
                .iter()
                .map(|(id, font)| font.prepare(self.fonts.get(*id)))
                .collect()
        };
        let mut font_resources = Dictionary::new();
        for ((id, font), prepared) in self.fonts_in_use.iter().zip(prepared) {
            let font_id = prepared?.add_to(self.fonts.get(*id), &mut self.out);
            font_resources.set(font.resource.0.clone(), Object::Reference(font_id));
        }
        let mut image_resources = Dictionary::new();
        for asset in &self.images_used {
            let name = self
                .image_names
                .get(asset)
                .ok_or_else(|| Error::Pdf(format!("image #{asset} not embedded")))?;
            let object = self
                .image_objects
                .get(name.0.as_bytes())
                .map_err(|_| Error::Pdf(format!("image #{asset} not embedded")))?;
            image_resources.set(name.0.clone(), object.clone());
        }
        let unused_images = self.images_used.len() < self.image_names.len();
        let mut resources = Dictionary::new();
        resources.set("Font", Object::Dictionary(font_resources));
        resources.set("XObject", Object::Dictionary(image_resources));
        self.out
            .objects
            .insert(self.resources_id, Object::Dictionary(resources));

        let mut tree = Dictionary::new();
        tree.set("Type", Object::Name(b"Pages".to_vec()));
        tree.set(
            "Kids",
            Object::Array(
                self.written
                    .iter()
                    .map(|page| Object::Reference(page.id))
                    .collect(),
            ),
        );
        tree.set("Count", Object::Integer(self.written.len() as i64));
        self.out
            .objects
            .insert(self.pages_id, Object::Dictionary(tree));
        let mut catalog = Dictionary::new();
        catalog.set("Type", Object::Name(b"Catalog".to_vec()));
        catalog.set("Pages", Object::Reference(self.pages_id));
        // Tagged, whatever else the file claims: the tree is written before any pruning,
        // so that everything it refers to is reachable.
        let struct_tree = self.structure.finish(&mut self.out);
        catalog.set("StructTreeRoot", Object::Reference(struct_tree));
        let mut mark_info = Dictionary::new();
        mark_info.set("Marked", Object::Boolean(true));
        catalog.set("MarkInfo", Object::Dictionary(mark_info));
        let catalog_id = self.out.add_object(Object::Dictionary(catalog));
        self.out.trailer.set("Root", Object::Reference(catalog_id));
        if unused_images {
            // A figure that never reached a page leaves an image nobody refers to.
            self.out.prune_objects();
        }

        let pages: Vec<post::PageRef<'_>> = self
            .written
            .iter()
            .map(|page| post::PageRef {
                id: page.id,
                height: page.height,
                links: &page.links,
            })
            .collect();
        self.settings.unicode_text = self.fonts_in_use.values().all(FontInUse::maps_to_unicode);
        let mut document = post::finish(
            self.out,
            &pages,
            navigation,
            &self.book.meta,
            &self.settings,
            content_hash,
            &self.structure,
        )?;
        post::save_into(&mut document, self.structure.raw_objects(), out)
    }
}

impl PageSink for PdfWriter<'_> {
    fn page(&mut self, page: Page) -> Result<()> {
        self.take_inventory(&page)?;
        // The page's id first: the structure elements on it refer to it.
        let id = self.out.new_object_id();
        let struct_parents = self.structure.begin_page(id, page.height);
        let (content, tags) = draw::draw_page(
            &page,
            &self.fonts_in_use,
            &self.image_names,
            &mut self.structure,
            &mut self.out,
        )?;
        // The stream's object is filled in at the end, when its compressed bytes are back.
        let content_id = self.out.new_object_id();
        self.compressor
            .add(content_id, content)
            .map_err(|e| Error::Pdf(format!("cannot compress a page: {e}")))?;
        let mut dict = Dictionary::new();
        dict.set("Type", Object::Name(b"Page".to_vec()));
        dict.set("Parent", Object::Reference(self.pages_id));
        dict.set(
            "MediaBox",
            Object::Array(vec![
                0.into(),
                0.into(),
                page.width.into(),
                page.height.into(),
            ]),
        );
        dict.set("Resources", Object::Reference(self.resources_id));
        dict.set("Contents", Object::Reference(content_id));
        dict.set("StructParents", Object::Integer(struct_parents));
        // Tab order follows the structure (PDF/UA-1, 7.18.3).
        dict.set("Tabs", Object::Name(b"S".to_vec()));
        self.out.objects.insert(id, Object::Dictionary(dict));
        // Links become annotations once every anchor has landed (see `finish`); `draw`
        // reserved one per link, in the order of the page's links.
        let links = page
            .items
            .into_iter()
            .filter_map(|item| match item {
                PageItem::Link { rect, target } => Some((rect, target)),
                _ => None,
            })
            .zip(tags)
            .map(|((rect, target), tag)| post::WrittenLink { rect, target, tag })
            .collect();
        self.written.push(WrittenPage {
            id,
            height: page.height,
            links,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests;
