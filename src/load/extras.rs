//! The `book.toml` keys that name files: `[epub] cover` and `[epub] stylesheet`, and
//! `[build] output-name`; `[fonts]`, the book's own fonts; and `[labels]`, the words around
//! the text. Each is checked at its line: a cover is an image like any other
//! (confined to the book's folders, decoded once), a stylesheet is read from inside the book
//! folder and may not reach for anything the EPUB would not hold.

use std::path::Path;

use super::assets::AssetResolver;
use super::LoadedConfig;
use crate::error::{Diagnostic, Error, Result, SourcePos};
use crate::ir::{FamilyChoice, Figure, FontSettings, Labels, LABEL_KEYS};

/// Largest stylesheet accepted, in bytes: a book's extra rules are a few kilobytes.
const MAX_STYLESHEET_BYTES: u64 = 1024 * 1024;

/// What a stylesheet may not contain, with why: the EPUB holds only the book's own files,
/// so an import or a `url(…)` would point at nothing (or at the network) in a reader.
const FORBIDDEN_CSS: [(&str, &str); 3] = [
    (
        "@import",
        "an @import would load a file the EPUB does not hold",
    ),
    (
        "url(",
        "a url(…) would load a file the EPUB does not hold (fonts and pictures are not copied in)",
    ),
    ("expression(", "scripted CSS is not allowed in an EPUB"),
];

/// A located configuration error at `key` in `[table]`.
fn error(config: &LoadedConfig, table: &str, key: &str, message: String) -> Error {
    Error::Config {
        path: config.path.clone(),
        line: config.line_of(table, key),
        message,
    }
}

/// `[epub] cover`: the picture resolved like a manuscript's image (relative to the book
/// folder, confined, decoded), as a figure without words of its own: the cover page names
/// the book in its alternative text and under the picture.
pub(super) fn cover(
    config: &LoadedConfig,
    folder: &Path,
    resolver: &mut AssetResolver,
) -> Result<Option<Figure>> {
    let Some(reference) = &config.config.epub.cover else {
        return Ok(None);
    };
    let at = SourcePos {
        file: config.path.clone(),
        line: config.line_of("epub", "cover").unwrap_or(1),
        column: 1,
    };
    let asset = resolver.resolve(reference, folder, &at)?;
    Ok(Some(Figure {
        id: "cover".into(),
        asset,
        alt: String::new(),
        caption: Vec::new(),
        credit: Vec::new(),
    }))
}

/// `[epub] stylesheet`: the CSS text, read from a file inside the book folder.
pub(super) fn stylesheet(config: &LoadedConfig, folder: &Path) -> Result<Option<String>> {
    let Some(name) = &config.config.epub.stylesheet else {
        return Ok(None);
    };
    let fail = |message: String| error(config, "epub", "stylesheet", message);
    let path = folder.join(name);
    let canonical = path
        .canonicalize()
        .map_err(|e| fail(format!("stylesheet `{name}` cannot be read: {e}")))?;
    let inside = folder
        .canonicalize()
        .is_ok_and(|folder| canonical.starts_with(folder));
    if !inside {
        return Err(fail(format!(
            "stylesheet `{name}` is outside the book folder; move it inside"
        )));
    }
    let size = std::fs::metadata(&canonical)
        .map_err(|e| fail(format!("stylesheet `{name}` cannot be read: {e}")))?
        .len();
    if size > MAX_STYLESHEET_BYTES {
        return Err(fail(format!(
            "stylesheet `{name}` is {size} bytes, more than the {MAX_STYLESHEET_BYTES} accepted"
        )));
    }
    let css = std::fs::read_to_string(&canonical)
        .map_err(|e| fail(format!("stylesheet `{name}` is not UTF-8 text: {e}")))?;
    let lowered = css.to_ascii_lowercase();
    for (needle, why) in FORBIDDEN_CSS {
        if let Some(offset) = lowered.find(needle) {
            let line = super::config::line_of_offset(&css, offset);
            return Err(Error::Config {
                path: path.clone(),
                line: Some(line),
                message: format!("{why}; write the rule without it"),
            });
        }
    }
    Ok(Some(css))
}

/// `[fonts]`: its paths confined to the book folder (each checked at its line), then the
/// command line's `--font-path` folders (the user's own choice, anywhere); the families with
/// their lines, for an error there if no font has one; system fonts if both the caller and
/// `[fonts] system` allow them.
pub(super) fn fonts(
    config: &LoadedConfig,
    folder: &Path,
    options: &super::LoadOptions,
) -> Result<FontSettings> {
    let section = &config.config.fonts;
    let fail = |message: String| error(config, "fonts", "paths", message);
    let mut paths = Vec::new();
    for name in &section.paths {
        let canonical = folder.join(name).canonicalize().map_err(|e| {
            fail(format!(
                "font path `{name}` cannot be read: {e}; name a font file or folder of the book"
            ))
        })?;
        let inside = folder
            .canonicalize()
            .is_ok_and(|folder| canonical.starts_with(folder));
        if !inside {
            return Err(fail(format!(
                "font path `{name}` is outside the book folder; copy the fonts into the book"
            )));
        }
        paths.push(canonical);
    }
    paths.extend(options.font_paths.iter().cloned());
    let choice = |key: &str, name: &Option<String>| {
        name.as_ref().map(|name| FamilyChoice {
            name: name.clone(),
            at: SourcePos {
                file: config.path.clone(),
                line: config.line_of("fonts", key).unwrap_or(1),
                column: 1,
            },
        })
    };
    Ok(FontSettings {
        paths,
        body: choice("body", &section.body),
        headings: choice("headings", &section.headings),
        mono: choice("mono", &section.mono),
        system: options.system_fonts && section.system.unwrap_or(true),
    })
}

/// `[build] output-name`: a plain file name without extension.
pub(super) fn output_name(config: &LoadedConfig) -> Result<Option<String>> {
    let Some(name) = &config.config.build.output_name else {
        return Ok(None);
    };
    let plain = !name.trim().is_empty()
        && name.trim() == name
        && !name.starts_with('.')
        && !name.contains(['/', '\\', ':', '\0']);
    if !plain {
        return Err(error(
            config,
            "build",
            "output-name",
            format!(
                "output-name `{name}` is not a plain file name; write a name such as \
                 \"my-book\" (no folder, no extension: `.epub` and `.pdf` are added)"
            ),
        ));
    }
    Ok(Some(name.clone()))
}

/// The book's labels: its language's words, with `[labels]` over them. An unknown key is an
/// error at its line, with the nearest key.
pub(super) fn labels(config: &LoadedConfig, language: &str) -> Result<Labels> {
    let mut labels = Labels::for_language(language);
    for (key, word) in &config.config.labels {
        if !labels.set(key, word) {
            let mut error =
                Diagnostic::error(format!("unknown key `{key}` in [labels]")).at(SourcePos {
                    file: config.path.clone(),
                    line: config.line_of("labels", key).unwrap_or(1),
                    column: 1,
                });
            error = match crate::suggest::did_you_mean(key, &LABEL_KEYS) {
                Some(near) => error.hint(format!("did you mean `{near}`?")),
                None => error.hint(format!("the keys are {}", LABEL_KEYS.join(", "))),
            };
            return Err(Error::Invalid(Box::new(error)));
        }
    }
    Ok(labels)
}
