//! Reading a book from disk: `book.toml`, front matter, manuscripts and images.
//! The only module of the front half that touches the file system.

pub mod assets;
pub mod config;
mod extras;
pub mod front_matter;
pub mod summary;
pub mod toml_errors;
pub mod typography;

use std::cmp::Ordering;
use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Diagnostics, Error, Result, SourcePos};
use crate::ir::{
    Book, BookShape, Contributor, ContributorRole, Metadata, NotePlacement, Paper, Series, Settings,
};
use crate::markdown::{self, Manuscript};
use config::{BookConfig, BookSection, SourcedSection};
use summary::SummaryEntry;

/// Largest manuscript file accepted, in bytes.
pub const MAX_MANUSCRIPT_BYTES: u64 = 256 * 1024 * 1024;

/// Choices the command line can override.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Heading level that starts a chapter.
    pub split_level: Option<u8>,
    /// Turn remote `http(s)` images into their alt text with a warning instead of failing.
    pub lenient: bool,
    /// Paper size from the command line; `None`: `paper` in `book.toml`, else A5.
    pub paper: Option<Paper>,
    /// `SOURCE_DATE_EPOCH` as the caller read it (the library never reads the environment).
    pub source_date_epoch: Option<i64>,
    /// The clock at the start of the build (seconds since 1970), the build date of a book
    /// without `SOURCE_DATE_EPOCH` or a `date` (never 1980 in a store's listing): the
    /// command line passes it; `None` keeps such builds at 1980-01-01, the same every run.
    pub build_time: Option<i64>,
    /// `--font-path`: font files or folders from the command line, after the book's own.
    pub font_paths: Vec<PathBuf>,
    /// Whether system fonts may be used (`--no-system-fonts` turns them off whatever
    /// `[fonts] system` says). The default, `false`, is for library callers that must not
    /// depend on the machine; the command line passes `true`.
    pub system_fonts: bool,
}

/// Load a book folder (with or without `book.toml`) or a single Markdown file.
pub fn load_book(
    input: &Path,
    options: &LoadOptions,
    diagnostics: &mut Diagnostics,
) -> Result<Book> {
    let meta_data = std::fs::metadata(input).map_err(|source| Error::Read {
        path: input.to_path_buf(),
        source,
    })?;
    let (folder, config, sources) = if meta_data.is_dir() {
        let config = read_config(&input.join("book.toml"))?;
        let sources = manuscript_sources(input, &config, diagnostics)?;
        (input.to_path_buf(), config, sources)
    } else if meta_data.is_file() {
        let folder = input
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        (
            folder,
            LoadedConfig::default(),
            ManuscriptSources {
                sources: vec![Source::File {
                    path: input.to_path_buf(),
                    depth: 0,
                    summary_title: None,
                }],
                from_summary: false,
            },
        )
    } else {
        return Err(Error::NotABook {
            path: input.to_path_buf(),
        });
    };

    let mut roots = vec![folder.clone()];
    for dir in &config.config.build.image_dirs {
        let path = folder.join(dir);
        if !path.is_dir() {
            return Err(Error::Config {
                path: folder.join("book.toml"),
                line: config.line_of("build", "image-dirs"),
                message: format!(
                    "image-dirs entry `{dir}` is not a folder ({})",
                    path.display()
                ),
            });
        }
        roots.push(path);
    }
    let mut resolver = assets::AssetResolver::new(&roots)?;

    let mut manuscripts = Vec::new();
    let mut front_matter = SourcedSection::default();
    for source in sources.sources {
        match source {
            Source::File {
                path,
                depth,
                summary_title,
            } => {
                let (mut manuscript, section) = read_manuscript(&path, diagnostics)?;
                manuscript.heading_shift = u8::try_from(depth).unwrap_or(u8::MAX);
                manuscript.summary_title = summary_title;
                front_matter = front_matter.or(section);
                manuscripts.push(manuscript);
            }
            Source::Part {
                summary,
                line,
                title,
            } => {
                manuscripts.push(part_title_manuscript(summary, line, &title));
            }
        }
    }
    if manuscripts
        .iter()
        .all(|m| m.text[m.body_offset..].trim().is_empty())
    {
        return Err(Error::Manuscript {
            path: manuscripts
                .first()
                .map_or_else(|| input.to_path_buf(), |m| m.path.clone()),
            message: "the manuscript is empty; write some Markdown text first".into(),
        });
    }

    let mut metadata = config.book_metadata().or(front_matter);
    metadata.section = clean_section(metadata.section);
    let meta = metadata_from(metadata, &manuscripts, diagnostics)?;
    // In an mdBook each summary entry is a chapter: its `#` heading starts it even when the
    // book has only one (the one-`#`-is-the-title rule is for single manuscripts).
    let summary_level = sources.from_summary.then_some(1);
    let split_level = options
        .split_level
        .or(config.config.build.split_level)
        .or(summary_level);
    let needs_identifier = meta.identifier.is_none();
    let (book, identifier) = std::thread::scope(|scope| {
        // A long manuscript is hashed on a thread of its own while it is parsed.
        let text_bytes: usize = manuscripts.iter().map(|m| m.text.len()).sum();
        let hashing = (needs_identifier && text_bytes >= HASH_BESIDE_PARSE_BYTES)
            .then(|| scope.spawn(|| content_identifier(&manuscripts)));
        let book = markdown::parse_book(
            &manuscripts,
            meta,
            split_level,
            options.lenient,
            &mut |reference, base, at| resolver.resolve(reference, base, at),
            diagnostics,
        );
        let identifier = needs_identifier.then(|| match hashing {
            Some(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            None => content_identifier(&manuscripts),
        });
        (book, identifier)
    });
    let mut book = book?;
    if let Some(identifier) = identifier {
        book.meta.identifier = Some(identifier);
    }
    book.epub.cover = extras::cover(&config, &folder, &mut resolver)?;
    book.epub.stylesheet = extras::stylesheet(&config, &folder)?;
    book.output_name = extras::output_name(&config)?;
    book.labels = extras::labels(&config, &book.meta.language)?;
    diagnostics.extend(resolver.take_diagnostics());
    book.assets = resolver.into_assets();
    book.shape = resolve_shape(&config, book.shape)?;
    let mut settings = Settings {
        paper: resolve_paper(options, &config)?,
        build_date: Settings::build_date(
            options.source_date_epoch,
            book.meta.date.as_deref(),
            options.build_time,
        ),
        notes: resolve_notes(&config)?,
        fonts: extras::fonts(&config, &folder, options)?,
        ..Settings::default()
    };
    // After the paper and the shape: whether the page works out depends on both.
    (settings.typography, settings.figures) =
        typography::resolve(&config.typography_source(), &settings, book.shape)?;
    book.settings = settings;
    Ok(book)
}

/// Manuscript text from which the default identifier is hashed on a thread of its own,
/// beside the Markdown parse, which would otherwise wait for it: the 60-chapter book's load
/// (0.5 MB) went from 4 to 3 ms (median of 25). Below this, starting a thread costs more
/// than hashing.
const HASH_BESIDE_PARSE_BYTES: usize = 256 * 1024;

/// The identifier of a book that names none (nor an ISBN): the name-based UUID of the
/// manuscripts' texts one after another, hashed where they are, so the same text gives
/// the same identifier in every build.
fn content_identifier(manuscripts: &[Manuscript]) -> String {
    let uuid = crate::ir::name_uuid(manuscripts.iter().map(|m| m.text.as_bytes()));
    format!("urn:uuid:{uuid}")
}

/// Book or article: `[build] layout` in `book.toml`, else what the headings made it.
fn resolve_shape(config: &LoadedConfig, found: BookShape) -> Result<BookShape> {
    match &config.config.build.layout {
        None => Ok(found),
        Some(name) => BookShape::from_name(name).ok_or_else(|| Error::Config {
            path: config.path.clone(),
            line: config.line_of("build", "layout"),
            message: format!("layout `{name}` is not one of book, article"),
        }),
    }
}

/// Where footnotes go: `[build] notes` in `book.toml`, else at the foot of the page.
fn resolve_notes(config: &LoadedConfig) -> Result<NotePlacement> {
    match &config.config.build.notes {
        None => Ok(NotePlacement::default()),
        Some(name) => NotePlacement::from_name(name).ok_or_else(|| Error::Config {
            path: config.path.clone(),
            line: config.line_of("build", "notes"),
            message: format!("notes `{name}` is not one of page, chapter"),
        }),
    }
}

/// The paper: the command line's, else `[build] paper` in `book.toml`, else A5.
fn resolve_paper(options: &LoadOptions, config: &LoadedConfig) -> Result<Paper> {
    if let Some(paper) = options.paper {
        return Ok(paper);
    }
    match &config.config.build.paper {
        None => Ok(Paper::default()),
        Some(name) => Paper::from_name(name).ok_or_else(|| Error::Config {
            path: config.path.clone(),
            line: config.line_of("build", "paper"),
            message: format!("paper `{name}` is not one of a5, a4, letter, 6x9"),
        }),
    }
}

/// `book.toml` as read, with its text and path for locating values in it.
#[derive(Debug, Default)]
struct LoadedConfig {
    config: BookConfig,
    path: PathBuf,
    text: String,
}

impl LoadedConfig {
    /// The 1-based line of `key` in `[table]`, if the file has it.
    fn line_of(&self, table: &str, key: &str) -> Option<usize> {
        config::toml_key_line(&self.text, Some(table), key)
    }

    /// `[typography]` with what it takes to locate its values.
    fn typography_source(&self) -> typography::Source<'_> {
        typography::Source {
            section: &self.config.typography,
            path: &self.path,
            text: &self.text,
        }
    }

    /// The `[book]` metadata with the line of each value.
    fn book_metadata(&self) -> SourcedSection {
        SourcedSection::from_toml(
            self.config.book.clone(),
            &self.path,
            &self.text,
            Some("book"),
            1,
        )
    }
}

fn read_config(path: &Path) -> Result<LoadedConfig> {
    if !path.exists() {
        return Ok(LoadedConfig {
            path: path.to_path_buf(),
            ..LoadedConfig::default()
        });
    }
    let text = read_text(path)?;
    let config = toml::from_str(&text).map_err(|e: toml::de::Error| {
        toml_errors::explain(&e, path, &text, 1, toml_errors::TomlSource::BookToml)
    })?;
    Ok(LoadedConfig {
        config,
        path: path.to_path_buf(),
        text,
    })
}

/// Where the text of a book comes from, in reading order.
#[derive(Debug, PartialEq)]
enum Source {
    /// A manuscript file; `depth` > 0 for an mdBook sub-chapter.
    File {
        path: PathBuf,
        depth: usize,
        summary_title: Option<String>,
    },
    /// An mdBook part title (`# Part` in `SUMMARY.md` at `line`).
    Part {
        summary: PathBuf,
        line: usize,
        title: String,
    },
}

/// The sources of a book folder and whether they come from mdBook's `SUMMARY.md`.
#[derive(Debug)]
struct ManuscriptSources {
    sources: Vec<Source>,
    from_summary: bool,
}

/// The manuscript files of a book folder, each confined to the folder: the `[build]
/// manuscript` list if there is one, else mdBook's `SUMMARY.md` if there is one, else every
/// `.md` file in natural order.
fn manuscript_sources(
    folder: &Path,
    loaded: &LoadedConfig,
    diagnostics: &mut Diagnostics,
) -> Result<ManuscriptSources> {
    let config = &loaded.config;
    let canonical_folder = folder.canonicalize().map_err(|source| Error::Read {
        path: folder.to_path_buf(),
        source,
    })?;
    let src = config.book.src.as_deref().unwrap_or("src");
    let summary = folder.join(src).join("SUMMARY.md");
    let mut from_summary = false;
    let sources = if !config.build.manuscript.is_empty() {
        let mut paths = Vec::new();
        for name in &config.build.manuscript {
            let path = folder.join(name);
            let canonical = path.canonicalize().map_err(|source| Error::Read {
                path: path.clone(),
                source,
            })?;
            if !canonical.starts_with(&canonical_folder) {
                return Err(Error::Config {
                    path: folder.join("book.toml"),
                    line: loaded.line_of("build", "manuscript"),
                    message: format!("manuscript `{name}` is outside the book folder"),
                });
            }
            paths.push(path);
        }
        file_sources(paths)
    } else if summary.is_file() {
        from_summary = true;
        summary_sources(&summary, &folder.join(src), &canonical_folder, diagnostics)?
    } else {
        file_sources(markdown_files(folder, &canonical_folder)?)
    };
    if !sources.iter().any(|s| matches!(s, Source::File { .. })) {
        return Err(Error::NotABook {
            path: folder.to_path_buf(),
        });
    }
    Ok(ManuscriptSources {
        sources,
        from_summary,
    })
}

fn file_sources(paths: Vec<PathBuf>) -> Vec<Source> {
    paths
        .into_iter()
        .map(|path| Source::File {
            path,
            depth: 0,
            summary_title: None,
        })
        .collect()
}

/// The chapters `SUMMARY.md` lists, in its order. Drafts are skipped with a warning at their
/// line; a listed file that is missing or lies outside the book folder is an error at its
/// line. Separators only shape mdBook's sidebar and are dropped.
fn summary_sources(
    summary: &Path,
    src_folder: &Path,
    canonical_folder: &Path,
    diagnostics: &mut Diagnostics,
) -> Result<Vec<Source>> {
    let text = read_text(summary)?;
    let mut sources = Vec::new();
    for entry in summary::parse_summary(&text) {
        match entry {
            SummaryEntry::Separator => {}
            SummaryEntry::Part { title, line } => sources.push(Source::Part {
                summary: summary.to_path_buf(),
                line,
                title,
            }),
            SummaryEntry::Chapter {
                title,
                link: None,
                line,
                column,
                ..
            } => diagnostics.push(
                Diagnostic::warning(format!("draft chapter `{title}` skipped"))
                    .at(SourcePos {
                        file: summary.to_path_buf(),
                        line,
                        column,
                    })
                    .hint("give it a file, `[Title](file.md)`, to include it"),
            ),
            SummaryEntry::Chapter {
                title,
                link: Some(link),
                depth,
                line,
                ..
            } => {
                let located = |message: String| Error::Config {
                    path: summary.to_path_buf(),
                    line: Some(line),
                    message,
                };
                let path = src_folder.join(&link);
                let canonical = path.canonicalize().map_err(|e| {
                    located(format!(
                        "chapter `{title}`: file `{link}` not found ({}: {e})",
                        path.display()
                    ))
                })?;
                if !canonical.starts_with(canonical_folder) {
                    return Err(located(format!(
                        "chapter `{title}`: file `{link}` is outside the book folder"
                    )));
                }
                if !canonical.is_file() {
                    return Err(located(format!(
                        "chapter `{title}`: `{link}` is not a file"
                    )));
                }
                sources.push(Source::File {
                    path,
                    depth,
                    summary_title: Some(title),
                });
            }
        }
    }
    Ok(sources)
}

/// A part title from `SUMMARY.md` (its Markdown source) as a one-heading manuscript. The text
/// keeps the summary's line breaks before the heading, so that any message about it points at
/// the right line.
fn part_title_manuscript(summary: PathBuf, line: usize, title: &str) -> Manuscript {
    let padding = line.saturating_sub(1);
    let mut text = "\n".repeat(padding);
    text.push_str("# ");
    text.push_str(&title.replace('\n', " "));
    text.push('\n');
    Manuscript::new(summary, text, padding)
}

/// Every `.md` file under `folder`, sub-folders included, in natural order (`ch2` before
/// `ch10`, case-insensitive, folder by folder). Hidden files and folders are skipped, and so
/// is `README.md` at the top (the folder's description, not a chapter); a sub-folder's
/// `README.md` is read like any chapter. Symbolic links to folders are not followed (they
/// could leave the book or loop); a linked `.md` file is read only if it resolves inside.
fn markdown_files(folder: &Path, canonical_folder: &Path) -> Result<Vec<PathBuf>> {
    let mut found: Vec<(Vec<String>, PathBuf)> = Vec::new();
    let mut pending = vec![(folder.to_path_buf(), Vec::<String>::new())];
    while let Some((dir, components)) = pending.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|source| Error::Read {
            path: dir.clone(),
            source,
        })?;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            let mut relative = components.clone();
            relative.push(name.clone());
            if file_type.is_dir() {
                pending.push((path, relative));
                continue;
            }
            let is_md = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("md"));
            let is_top_readme = components.is_empty()
                && path
                    .file_stem()
                    .is_some_and(|s| s.eq_ignore_ascii_case("readme"));
            if !is_md || is_top_readme {
                continue;
            }
            if file_type.is_symlink() {
                let inside = path
                    .canonicalize()
                    .is_ok_and(|target| target.starts_with(canonical_folder) && target.is_file());
                if !inside {
                    return Err(Error::Manuscript {
                        path,
                        message: "a symbolic link to a file outside the book folder (or to                                   nothing); copy the file into the folder"
                            .into(),
                    });
                }
            } else if !file_type.is_file() {
                continue;
            }
            found.push((relative, path));
        }
    }
    found.sort_by(|a, b| natural_path_cmp(&a.0, &b.0));
    Ok(found.into_iter().map(|(_, path)| path).collect())
}

/// Compare two relative paths component by component in natural order.
fn natural_path_cmp(a: &[String], b: &[String]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        match natural_cmp(x, y) {
            Ordering::Equal => {}
            other => return other,
        }
    }
    a.len().cmp(&b.len())
}

/// Natural order of names: runs of digits compare as numbers (`ch2` < `ch10`), the rest
/// case-insensitively; names equal that way fall back to plain byte order, so the order is
/// total and the same on every machine.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    fn runs(s: &str) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let mut start = 0;
        let mut digits = None;
        for (i, c) in s.char_indices() {
            let is_digit = c.is_ascii_digit();
            if digits.is_some_and(|d| d != is_digit) {
                out.push((digits == Some(true), &s[start..i]));
                start = i;
            }
            digits = Some(is_digit);
        }
        if start < s.len() {
            out.push((digits == Some(true), &s[start..]));
        }
        out
    }
    let (ra, rb) = (runs(a), runs(b));
    for (x, y) in ra.iter().zip(&rb) {
        let order = match (x, y) {
            ((true, x), (true, y)) => {
                let (x, y) = (x.trim_start_matches('0'), y.trim_start_matches('0'));
                x.len().cmp(&y.len()).then_with(|| x.cmp(y))
            }
            ((_, x), (_, y)) => x.to_lowercase().cmp(&y.to_lowercase()),
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    ra.len().cmp(&rb.len()).then_with(|| a.cmp(b))
}

fn read_text(path: &Path) -> Result<String> {
    let meta = std::fs::metadata(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    if meta.len() > MAX_MANUSCRIPT_BYTES {
        return Err(Error::Manuscript {
            path: path.to_path_buf(),
            message: format!(
                "{} bytes is over the {MAX_MANUSCRIPT_BYTES}-byte limit",
                meta.len()
            ),
        });
    }
    let bytes = std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let valid = std::str::from_utf8(&e.as_bytes()[..offset]).unwrap_or_default();
        let line_start = valid.rfind('\n').map_or(0, |i| i + 1);
        Error::NotUtf8 {
            path: path.to_path_buf(),
            offset,
            line: valid.matches('\n').count() + 1,
            column: valid[line_start..].chars().count() + 1,
        }
    })?;
    Ok(clean_text(text))
}

/// Drop a byte-order mark; control characters other than tab and newlines become U+FFFD.
fn clean_text(text: String) -> String {
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    markdown::convert::replace_stray_controls(text)
}

/// Metadata strings from TOML may carry control characters through `\u` escapes.
fn clean_section(mut section: BookSection) -> BookSection {
    use markdown::convert::replace_stray_controls as clean;
    let opt = |o: Option<String>| o.map(clean);
    section.title = opt(section.title);
    section.subtitle = opt(section.subtitle);
    section.language = opt(section.language);
    section.identifier = opt(section.identifier);
    section.publisher = opt(section.publisher);
    section.source = opt(section.source);
    section.rights = opt(section.rights);
    section.description = opt(section.description);
    section.date = opt(section.date);
    section.authors = section.authors.into_iter().map(clean).collect();
    section.subjects = section.subjects.into_iter().map(clean).collect();
    section
}

fn read_manuscript(
    path: &Path,
    diagnostics: &mut Diagnostics,
) -> Result<(Manuscript, SourcedSection)> {
    let text = read_text(path)?;
    let front = front_matter::read(path, &text, diagnostics)?;
    Ok((
        Manuscript::new(path.to_path_buf(), text, front.body_offset),
        front.metadata,
    ))
}

fn metadata_from(
    sourced: SourcedSection,
    manuscripts: &[Manuscript],
    diagnostics: &mut Diagnostics,
) -> Result<Metadata> {
    let section: BookSection = sourced.section.clone();
    let language = match section.language.as_deref().map(str::trim) {
        None | Some("") => {
            diagnostics.warn("no language given in the metadata; assuming `en`");
            "en".to_string()
        }
        Some(tag) => normalize_language(tag).ok_or_else(|| {
            // Blame the file the value was written in: book.toml or a front matter.
            located(
                &sourced,
                "language",
                manuscripts,
                format!("language `{tag}` is not a BCP 47 tag such as `en` or `pt-BR`"),
            )
        })?,
    };
    let isbn = match &section.isbn {
        Some(text) => Some(
            checked_isbn(text)
                .map_err(|message| located(&sourced, "isbn", manuscripts, message))?,
        ),
        None => None,
    };
    for code in &section.bisac {
        if !is_bisac_code(code) {
            return Err(located(
                &sourced,
                "bisac",
                manuscripts,
                format!("`{code}` is not a BISAC subject code: three capital letters and six digits, such as `POL011000`"),
            ));
        }
    }
    // An ISBN identifies the edition when no other identifier is given; with neither,
    // `load_book` gives the book its content's UUID (`content_identifier`).
    let identifier = match (&section.identifier, &isbn) {
        (None, Some(isbn)) => Some(format!("urn:isbn:{isbn}")),
        (identifier, _) => identifier.clone(),
    };
    let roles = [
        (&section.editors, ContributorRole::Editor),
        (&section.translators, ContributorRole::Translator),
        (&section.illustrators, ContributorRole::Illustrator),
        (&section.photographers, ContributorRole::Photographer),
    ];
    let contributors = roles
        .into_iter()
        .flat_map(|(names, role)| {
            names.iter().map(move |name| Contributor {
                name: name.trim().to_string(),
                role,
            })
        })
        .filter(|c| !c.name.is_empty())
        .collect();
    let series = section.series.clone().map(|name| Series {
        name,
        position: section.series_index,
    });
    Ok(Metadata {
        contributors,
        series,
        isbn,
        bisac: section.bisac.clone(),
        title: section.title.unwrap_or_default().trim().to_string(),
        subtitle: section.subtitle,
        authors: section.authors,
        language,
        identifier,
        publisher: section.publisher,
        source: section.source,
        subjects: section.subjects,
        rights: section.rights,
        description: section.description,
        date: match section.date {
            Some(date) => book_date(&date, sourced.origin("date"), diagnostics)?,
            None => None,
        },
    })
}

/// An error at the place `field` was written (book.toml or a front matter).
fn located(
    sourced: &SourcedSection,
    field: &str,
    manuscripts: &[Manuscript],
    message: String,
) -> Error {
    let origin = sourced.origin(field);
    Error::Config {
        path: origin.map_or_else(
            || {
                manuscripts
                    .first()
                    .map(|m| m.path.clone())
                    .unwrap_or_default()
            },
            |o| o.path.clone(),
        ),
        line: origin.and_then(|o| o.line),
        message,
    }
}

/// An ISBN's digits, its check digit verified: 13 digits (ISBN-13), or 10 with a final
/// digit or `X` (ISBN-10); hyphens and spaces between them are dropped.
fn checked_isbn(text: &str) -> std::result::Result<String, String> {
    let digits: String = text
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let digits = digits
        .strip_prefix("ISBN")
        .unwrap_or(&digits)
        .trim_start_matches(':');
    let value = |c: char| c.to_digit(10);
    let valid = match digits.len() {
        13 if digits.chars().all(|c| c.is_ascii_digit()) => {
            let sum: u32 = digits
                .chars()
                .filter_map(value)
                .enumerate()
                .map(|(i, d)| if i % 2 == 0 { d } else { 3 * d })
                .sum();
            sum.is_multiple_of(10)
        }
        10 if digits[..9].chars().all(|c| c.is_ascii_digit())
            && digits[9..].chars().all(|c| c.is_ascii_digit() || c == 'X') =>
        {
            let sum: u32 = digits
                .chars()
                .enumerate()
                .map(|(i, c)| (10 - i as u32) * value(c).unwrap_or(10))
                .sum();
            sum.is_multiple_of(11)
        }
        _ => {
            return Err(format!(
                "isbn `{text}` is not an ISBN: write its 13 digits (or the 10 of an older ISBN), hyphens allowed"
            ))
        }
    };
    if valid {
        Ok(digits.to_string())
    } else {
        Err(format!(
            "isbn `{text}` has a wrong check digit (its last); copy it again from the edition's record"
        ))
    }
}

/// Three capital letters and six digits: the shape of a BISAC subject code.
fn is_bisac_code(code: &str) -> bool {
    code.len() == 9
        && code[..3].chars().all(|c| c.is_ascii_uppercase())
        && code[3..].chars().all(|c| c.is_ascii_digit())
}

/// Written forms of a day that manuscripts use besides ISO 8601 (pandoc title blocks and
/// YAML front matter often say `June 15, 2006`), tried in order.
const WRITTEN_DATE_FORMATS: [&str; 6] = [
    "%B %d, %Y",
    "%b %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%Y/%m/%d",
    "%b. %d, %Y",
];

/// The book's date as `YYYY-MM-DD`, which is what the EPUB and PDF metadata hold. A date and
/// time (`2024-05-17T10:00:00`, as YAML front matter often has) keeps its day, and a day
/// written out (`June 15, 2006`) is read as such. Anything else is not a date: in
/// `book.toml`, where the writer chose the form, that is an error at its line; in a
/// manuscript's front matter (often written for another tool) the book is published without
/// it, with a warning at the place it was written, instead of losing it without a word.
fn book_date(
    date: &str,
    origin: Option<&config::Origin>,
    diagnostics: &mut Diagnostics,
) -> Result<Option<String>> {
    let date = date.trim();
    let day = date.get(..10).unwrap_or(date);
    let rest = date.get(10..).unwrap_or("");
    let is_day = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").is_ok();
    if is_day && (rest.is_empty() || rest.starts_with(['T', 't', ' '])) {
        return Ok(Some(day.to_string()));
    }
    let written = WRITTEN_DATE_FORMATS
        .iter()
        .find_map(|format| chrono::NaiveDate::parse_from_str(date, format).ok());
    if let Some(written) = written {
        return Ok(Some(written.format("%Y-%m-%d").to_string()));
    }
    let at = origin.map(|origin| SourcePos {
        file: origin.path.clone(),
        line: origin.line.unwrap_or(1),
        column: 1,
    });
    let hint = "write it as YYYY-MM-DD, for example 2024-01-31";
    let from_book_toml = origin.is_some_and(|o| o.path.file_name() == Some("book.toml".as_ref()));
    if from_book_toml {
        let mut error = Diagnostic::error(format!(
            "date `{date}` is not a date in the form YYYY-MM-DD"
        ))
        .hint(hint);
        if let Some(at) = at {
            error = error.at(at);
        }
        return Err(Error::Invalid(Box::new(error)));
    }
    let mut warning = Diagnostic::warning(format!(
        "date `{date}` is not a date in the form YYYY-MM-DD; the book is published without it"
    ))
    .hint(hint);
    if let Some(at) = at {
        warning = warning.at(at);
    }
    diagnostics.push(warning);
    Ok(None)
}

/// Accept `en`, `en-GB`, `en_GB` (→ `en-GB`), `zh-Hant-TW`; refuse `C`, `POSIX`, garbage.
pub fn normalize_language(tag: &str) -> Option<String> {
    let tag = tag.split('.').next().unwrap_or(tag).replace('_', "-");
    let mut parts = tag.split('-');
    let primary = parts.next()?;
    if !(2..=3).contains(&primary.len()) || !primary.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut out = primary.to_ascii_lowercase();
    for part in parts {
        if part.is_empty() || part.len() > 8 || !part.chars().all(|c| c.is_ascii_alphanumeric()) {
            return None;
        }
        out.push('-');
        if part.len() == 2 {
            out.push_str(&part.to_ascii_uppercase());
        } else {
            out.push_str(part);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isbns_are_checked_and_kept_as_digits() {
        assert_eq!(
            checked_isbn("978-0-306-40615-7").as_deref(),
            Ok("9780306406157")
        );
        assert_eq!(
            checked_isbn("ISBN 0-306-40615-2").as_deref(),
            Ok("0306406152")
        );
        assert_eq!(checked_isbn("0-8044-2957-X").as_deref(), Ok("080442957X"));
        let wrong = checked_isbn("978-0-306-40615-8").expect_err("check digit");
        assert!(wrong.contains("check digit"), "{wrong}");
        let short = checked_isbn("12345").expect_err("too short");
        assert!(short.contains("13 digits"), "{short}");
        assert!(is_bisac_code("POL011000"));
        assert!(
            !is_bisac_code("pol011000") && !is_bisac_code("POL01100") && !is_bisac_code("Politics")
        );
    }

    /// Short or long (hashed beside the parse), a book without an identifier gets the UUID
    /// of its text; one with an ISBN gets the ISBN.
    #[test]
    fn a_book_without_an_identifier_gets_the_uuid_of_its_text() {
        let dir = std::env::temp_dir().join(format!("presswork-uuid-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("mkdir");
        let long = format!(
            "# One\n\n{}",
            "A sentence of the long book.\n\n".repeat(10_000)
        );
        assert!(long.len() > HASH_BESIDE_PARSE_BYTES);
        for text in ["# One\n\nText.\n", long.as_str()] {
            let file = dir.join("a.md");
            std::fs::write(&file, text).expect("write");
            let mut diagnostics = Diagnostics::default();
            let book = load_book(&file, &LoadOptions::default(), &mut diagnostics).expect("loads");
            let uuid = crate::ir::name_uuid([text.as_bytes()]);
            assert_eq!(book.meta.identifier, Some(format!("urn:uuid:{uuid}")));
        }
        std::fs::write(dir.join("a.md"), &long).expect("write");
        std::fs::write(
            dir.join("book.toml"),
            "[book]\ntitle = \"T\"\nlanguage = \"en\"\nisbn = \"978-0-306-40615-7\"\n",
        )
        .expect("write");
        let mut diagnostics = Diagnostics::default();
        let book = load_book(&dir, &LoadOptions::default(), &mut diagnostics).expect("loads");
        assert_eq!(
            book.meta.identifier.as_deref(),
            Some("urn:isbn:9780306406157")
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn contributors_series_and_isbn_come_from_book_toml_and_a_bad_isbn_is_located() {
        let dir = std::env::temp_dir().join(format!("presswork-meta-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join("a.md"), "# One\n\nText.\n").expect("write");
        let toml = "[book]\ntitle = \"T\"\nlanguage = \"en\"\neditors = [\"Asha Rao\"]\n\
                    translators = [\"Pierre Martin\"]\nseries = \"Archives\"\nseries-index = 3\n\
                    isbn = \"978-0-306-40615-7\"\nbisac = [\"POL011000\"]\n";
        std::fs::write(dir.join("book.toml"), toml).expect("write");
        let mut diagnostics = Diagnostics::default();
        let book = load_book(&dir, &LoadOptions::default(), &mut diagnostics).expect("loads");
        let meta = &book.meta;
        assert_eq!(
            meta.contributors,
            vec![
                Contributor {
                    name: "Asha Rao".into(),
                    role: ContributorRole::Editor
                },
                Contributor {
                    name: "Pierre Martin".into(),
                    role: ContributorRole::Translator
                },
            ]
        );
        assert_eq!(
            meta.series,
            Some(Series {
                name: "Archives".into(),
                position: Some(3)
            })
        );
        assert_eq!(meta.isbn.as_deref(), Some("9780306406157"));
        assert_eq!(meta.identifier.as_deref(), Some("urn:isbn:9780306406157"));
        assert_eq!(meta.bisac, vec!["POL011000".to_string()]);

        std::fs::write(dir.join("book.toml"), toml.replace("40615-7", "40615-8")).expect("write");
        let error = load_book(&dir, &LoadOptions::default(), &mut diagnostics).expect_err("bad");
        let Error::Config { line, message, .. } = error else {
            panic!("a located error: {error:?}");
        };
        assert_eq!(line, Some(8), "{message}");
        assert!(message.contains("check digit"), "{message}");
        std::fs::write(dir.join("book.toml"), toml.replace("POL011000", "Politics"))
            .expect("write");
        let error = load_book(&dir, &LoadOptions::default(), &mut diagnostics).expect_err("bad");
        assert!(
            matches!(error, Error::Config { line: Some(9), .. }),
            "{error:?}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn language_tags_are_normalized() {
        assert_eq!(normalize_language("en").as_deref(), Some("en"));
        assert_eq!(normalize_language("en_us.UTF-8").as_deref(), Some("en-US"));
        assert_eq!(
            normalize_language("zh-Hant-TW").as_deref(),
            Some("zh-Hant-TW")
        );
        assert_eq!(normalize_language("C"), None);
        assert_eq!(normalize_language("POSIX"), None);
        assert_eq!(normalize_language("e n"), None);
    }

    #[test]
    fn names_sort_naturally() {
        let mut names = vec![
            "ch10.md",
            "Ch2.md",
            "ch1.md",
            "appendix.md",
            "ch02b.md",
            "ch2.md",
            "CH2.md",
        ];
        names.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            names,
            [
                "appendix.md",
                "ch1.md",
                "CH2.md",
                "Ch2.md",
                "ch2.md",
                "ch02b.md",
                "ch10.md"
            ]
        );
        let path = |p: &str| p.split('/').map(str::to_string).collect::<Vec<_>>();
        // Folder by folder: `part2/…` comes before `part10.md`, a folder's files together.
        assert_eq!(
            natural_path_cmp(&path("part2/z.md"), &path("part10.md")),
            Ordering::Less
        );
        assert_eq!(
            natural_path_cmp(&path("a/b.md"), &path("a.md")),
            Ordering::Less // "a" < "a.md"
        );
    }

    #[test]
    fn dates_keep_their_day_or_are_dropped_with_a_located_warning() {
        let mut diagnostics = Diagnostics::default();
        let mut date = |text: &str, origin: Option<&config::Origin>| {
            book_date(text, origin, &mut diagnostics).map_err(|e| e.to_string())
        };
        assert_eq!(date("2024-05-17", None), Ok(Some("2024-05-17".into())));
        assert_eq!(
            date(" 2024-05-17T10:00:00Z", None),
            Ok(Some("2024-05-17".into()))
        );
        assert_eq!(date("June 15, 2006", None), Ok(Some("2006-06-15".into())));
        assert_eq!(date("3 Sep 2025", None), Ok(Some("2025-09-03".into())));
        let manuscript = config::Origin {
            path: "a.md".into(),
            line: Some(3),
        };
        assert_eq!(date("sometime in June", Some(&manuscript)), Ok(None));
        assert_eq!(date("2024-13-01", Some(&manuscript)), Ok(None));
        let book_toml = config::Origin {
            path: "book/book.toml".into(),
            line: Some(5),
        };
        let error = date("2024-13-01", Some(&book_toml)).expect_err("an error in book.toml");
        assert!(
            error.starts_with("book/book.toml:5:1: date `2024-13-01` is not a date"),
            "{error}"
        );
        assert!(error.contains("hint: write it as YYYY-MM-DD"), "{error}");
        assert!(diagnostics.warnings[0]
            .to_string()
            .starts_with("a.md:3:1: date `sometime in June` is not a date"));
        assert_eq!(diagnostics.warnings.len(), 2);
    }

    #[test]
    fn control_characters_become_replacement() {
        assert_eq!(clean_text("\u{feff}a\u{0}b\tc\n".into()), "a\u{fffd}b\tc\n");
    }

    #[test]
    fn layout_is_found_from_the_headings_or_set_in_book_toml_with_a_located_error() {
        let dir = std::env::temp_dir().join(format!("presswork-layout-key-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join("a.md"), "# Title\n\nLead.\n\n## One\n\nText.\n").expect("md");
        let load = |toml: &str| {
            std::fs::write(dir.join("book.toml"), toml).expect("toml");
            load_book(&dir, &LoadOptions::default(), &mut Diagnostics::default())
        };
        let shape = |toml: &str| load(toml).map(|book| book.shape).ok();
        assert_eq!(
            shape("[book]\nlanguage = \"en\"\n"),
            Some(BookShape::Article)
        );
        assert_eq!(shape("[build]\nlayout = \"book\"\n"), Some(BookShape::Book));
        std::fs::write(dir.join("a.md"), "# One\n\nText.\n\n# Two\n\nMore.\n").expect("md");
        assert_eq!(shape("[book]\nlanguage = \"en\"\n"), Some(BookShape::Book));
        assert_eq!(
            shape("[build]\nlayout = \"article\"\n"),
            Some(BookShape::Article)
        );
        let error = load("[book]\nlanguage = \"en\"\n\n[build]\nlayout = \"pamphlet\"\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(error.contains("book.toml:5"), "{error}");
        assert!(error.contains("layout `pamphlet`"), "{error}");
    }

    #[test]
    fn notes_go_to_the_page_foot_unless_book_toml_says_chapter() {
        let dir = std::env::temp_dir().join(format!("presswork-notes-key-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join("a.md"), "# One\n\nText.[^n]\n\n[^n]: A note.\n").expect("md");
        let load = |toml: &str| {
            std::fs::write(dir.join("book.toml"), toml).expect("toml");
            load_book(&dir, &LoadOptions::default(), &mut Diagnostics::default())
        };
        let notes = |toml: &str| load(toml).map(|book| book.settings.notes).ok();
        assert_eq!(
            notes("[book]\nlanguage = \"en\"\n"),
            Some(NotePlacement::Page)
        );
        assert_eq!(
            notes("[build]\nnotes = \"page\"\n"),
            Some(NotePlacement::Page)
        );
        assert_eq!(
            notes("[build]\nnotes = \"chapter\"\n"),
            Some(NotePlacement::Chapter)
        );
        let error = load("[book]\nlanguage = \"en\"\n\n[build]\nnotes = \"margin\"\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(error.contains("book.toml:5"), "{error}");
        assert!(
            error.contains("notes `margin` is not one of page, chapter"),
            "{error}"
        );
    }
}
