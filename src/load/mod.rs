//! Reading a book from disk: `book.toml`, front matter, manuscripts and images.
//! The only module of the front half that touches the file system.

pub mod assets;
pub mod config;

use std::path::{Path, PathBuf};

use crate::error::{Diagnostics, Error, Result};
use crate::ir::{Book, Metadata};
use crate::markdown::{self, Manuscript};
use config::{BookConfig, BookSection};

/// Largest manuscript file accepted, in bytes.
pub const MAX_MANUSCRIPT_BYTES: u64 = 256 * 1024 * 1024;

/// Choices the command line can override.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Heading level that starts a chapter.
    pub split_level: Option<u8>,
    /// Turn remote `http(s)` images into their alt text with a warning instead of failing.
    pub lenient: bool,
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
    let (folder, config, manuscript_paths) = if meta_data.is_dir() {
        let config = read_config(&input.join("book.toml"))?;
        let paths = manuscript_files(input, &config)?;
        (input.to_path_buf(), config, paths)
    } else if meta_data.is_file() {
        let folder = input
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        (folder, BookConfig::default(), vec![input.to_path_buf()])
    } else {
        return Err(Error::NotABook {
            path: input.to_path_buf(),
        });
    };

    let mut roots = vec![folder.clone()];
    for dir in &config.build.image_dirs {
        let path = folder.join(dir);
        if !path.is_dir() {
            return Err(Error::Config {
                path: folder.join("book.toml"),
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
    let mut front_matter = BookSection::default();
    for path in manuscript_paths {
        let (manuscript, section) = read_manuscript(&path)?;
        front_matter = front_matter.or(section);
        manuscripts.push(manuscript);
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

    let section = clean_section(config.book.clone().or(front_matter));
    let meta = metadata_from(section, &manuscripts, diagnostics)?;
    let split_level = options.split_level.or(config.build.split_level);
    let mut book = markdown::parse_book(
        &manuscripts,
        meta,
        split_level,
        options.lenient,
        &mut |reference, base, at| resolver.resolve(reference, base, at),
        diagnostics,
    )?;
    diagnostics.extend(resolver.take_diagnostics());
    book.assets = resolver.into_assets();
    Ok(book)
}

/// The `[build]` settings of a book folder (defaults for a single file or a folder without
/// `book.toml`), for choices a back end needs that are not part of the book itself.
pub fn build_settings(input: &Path) -> Result<config::BuildSection> {
    if input.is_dir() {
        Ok(read_config(&input.join("book.toml"))?.build)
    } else {
        Ok(config::BuildSection::default())
    }
}

fn read_config(path: &Path) -> Result<BookConfig> {
    if !path.exists() {
        return Ok(BookConfig::default());
    }
    let text = read_text(path)?;
    toml::from_str(&text).map_err(|e| Error::Config {
        path: path.to_path_buf(),
        message: e.to_string().trim().replace('\n', " "),
    })
}

/// The manuscript files of a book folder, each confined to the folder.
fn manuscript_files(folder: &Path, config: &BookConfig) -> Result<Vec<PathBuf>> {
    let canonical_folder = folder.canonicalize().map_err(|source| Error::Read {
        path: folder.to_path_buf(),
        source,
    })?;
    let mut paths = Vec::new();
    if config.build.manuscript.is_empty() {
        let entries = std::fs::read_dir(folder).map_err(|source| Error::Read {
            path: folder.to_path_buf(),
            source,
        })?;
        for entry in entries.flatten() {
            let path = entry.path();
            let is_md = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("md"));
            let is_readme = path
                .file_stem()
                .is_some_and(|s| s.eq_ignore_ascii_case("readme"));
            if is_md && !is_readme && path.is_file() {
                paths.push(path);
            }
        }
        paths.sort();
    } else {
        for name in &config.build.manuscript {
            let path = folder.join(name);
            let canonical = path.canonicalize().map_err(|source| Error::Read {
                path: path.clone(),
                source,
            })?;
            if !canonical.starts_with(&canonical_folder) {
                return Err(Error::Config {
                    path: folder.join("book.toml"),
                    message: format!("manuscript `{name}` is outside the book folder"),
                });
            }
            paths.push(path);
        }
    }
    if paths.is_empty() {
        return Err(Error::NotABook {
            path: folder.to_path_buf(),
        });
    }
    Ok(paths)
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

fn read_manuscript(path: &Path) -> Result<(Manuscript, BookSection)> {
    let text = read_text(path)?;
    let (front, body_offset) = config::split_front_matter(&text);
    let section = match front {
        Some(front) => toml::from_str::<BookSection>(front).map_err(|e| Error::Config {
            path: path.to_path_buf(),
            message: format!("front matter: {}", e.to_string().trim().replace('\n', " ")),
        })?,
        None => BookSection::default(),
    };
    Ok((
        Manuscript {
            path: path.to_path_buf(),
            text,
            body_offset,
        },
        section,
    ))
}

fn metadata_from(
    section: BookSection,
    manuscripts: &[Manuscript],
    diagnostics: &mut Diagnostics,
) -> Result<Metadata> {
    let config_path = manuscripts
        .first()
        .map(|m| m.path.clone())
        .unwrap_or_default();
    let language = match section.language.as_deref().map(str::trim) {
        None | Some("") => {
            diagnostics.warn("no language given in the metadata; assuming `en`");
            "en".to_string()
        }
        Some(tag) => normalize_language(tag).ok_or_else(|| Error::Config {
            path: config_path.clone(),
            message: format!("language `{tag}` is not a BCP 47 tag such as `en` or `pt-BR`"),
        })?,
    };
    let identifier = section.identifier.clone().or_else(|| {
        let mut seed = String::new();
        for m in manuscripts {
            seed.push_str(&m.text);
        }
        let uuid = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, seed.as_bytes());
        Some(format!("urn:uuid:{uuid}"))
    });
    Ok(Metadata {
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
        date: section.date,
    })
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
    fn control_characters_become_replacement() {
        assert_eq!(clean_text("\u{feff}a\u{0}b\tc\n".into()), "a\u{fffd}b\tc\n");
    }
}
