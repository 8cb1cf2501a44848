//! Metadata at the top of a manuscript: `+++` TOML (presswork, Hugo), `---` YAML (pandoc,
//! Jekyll, Hugo, Obsidian) and pandoc's `%` title block.
//!
//! A block that does not qualify stays Markdown, as a writer would expect from any Markdown
//! tool: `---` not closed, `---` followed by a blank line (pandoc's rule), or `---` around
//! text that is not a YAML mapping (`---\nSome words\n---` is a thematic break and a setext
//! heading). A block that does qualify but is malformed is an error naming the line in the
//! file, never text in the book.

use std::borrow::Cow;
use std::path::Path;

use saphyr_parser::{Event, Parser, ScalarStyle};

use super::config::{self, BookSection, Origin, SourcedSection};
use super::toml_errors;
use crate::error::{Diagnostic, Diagnostics, Error, Result, SourcePos};

/// Metadata found at the top of a manuscript and where the Markdown starts after it.
#[derive(Debug, Default)]
pub struct FrontMatter {
    /// The values and the line each was written on.
    pub metadata: SourcedSection,
    /// Byte offset where the Markdown starts (0 when there is no front matter).
    pub body_offset: usize,
}

/// Deepest YAML nesting accepted; metadata needs two or three levels, and a bound keeps a
/// hostile block from building a deep tree.
const MAX_YAML_DEPTH: usize = 32;

/// Read the front matter of manuscript `path` with text `text`, if it has any.
/// Keys presswork does not use are reported in one warning.
pub fn read(path: &Path, text: &str, diagnostics: &mut Diagnostics) -> Result<FrontMatter> {
    if let (Some(front), body_offset) = config::split_front_matter(text) {
        let section = toml::from_str::<BookSection>(front).map_err(|e| {
            // The front matter's first line is the file's second, after `+++`.
            toml_errors::explain(&e, path, front, 2, toml_errors::TomlSource::FrontMatter)
        })?;
        // `[book]` also holds mdBook's project keys; in a manuscript they would do nothing.
        let project_keys = [
            ("src", section.src.is_some()),
            ("multilingual", section.multilingual.is_some()),
            ("text-direction", section.text_direction.is_some()),
        ];
        if let Some((key, _)) = project_keys.iter().find(|(_, set)| *set) {
            return Err(Error::Config {
                path: path.to_path_buf(),
                line: config::toml_key_line(front, None, key).map(|line| line + 1),
                message: format!(
                    "front matter: `{key}` is a book.toml key of mdBook projects; it has no \
                     meaning in a manuscript"
                ),
            });
        }
        return Ok(FrontMatter {
            metadata: SourcedSection::from_toml(section, path, front, None, 2),
            body_offset,
        });
    }
    if let Some(block) = split_yaml(text) {
        if let Some(metadata) = read_yaml(path, &block, diagnostics)? {
            return Ok(FrontMatter {
                metadata,
                body_offset: block.body_offset,
            });
        }
        return Ok(FrontMatter::default());
    }
    if let Some((metadata, body_offset)) = read_title_block(path, text) {
        return Ok(FrontMatter {
            metadata,
            body_offset,
        });
    }
    Ok(FrontMatter::default())
}

/// A `---` … `---` (or `...`) block at the very top of a file.
#[derive(Debug, PartialEq)]
struct YamlBlock<'a> {
    /// The YAML between the fences.
    yaml: &'a str,
    /// 1-based file line of the first YAML line.
    first_line: usize,
    /// Byte offset just past the closing fence.
    body_offset: usize,
}

fn split_yaml(text: &str) -> Option<YamlBlock<'_>> {
    let mut lines = text.split_inclusive('\n');
    let opening = lines.next()?;
    if opening.trim_end() != "---" {
        return None;
    }
    let start = opening.len();
    let mut pos = start;
    for (index, line) in lines.enumerate() {
        if index == 0 && line.trim().is_empty() {
            // pandoc: "the initial line `---` must not be followed by a blank line".
            return None;
        }
        let fence = line.trim_end();
        if fence == "---" || fence == "..." {
            return Some(YamlBlock {
                yaml: &text[start..pos],
                first_line: 2,
                body_offset: pos + line.len(),
            });
        }
        pos += line.len();
    }
    None
}

/// A YAML value with the 1-based line (within the block) where it starts.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    /// `~`, `null`, or nothing.
    Null(usize),
    /// Any other scalar, as written (YAML numbers, booleans and dates are text here).
    Text(String, usize),
    /// A sequence.
    List(Vec<Node>, usize),
    /// A mapping, keys as text (a non-scalar key becomes empty and is ignored).
    Map(Vec<(String, usize, Node)>, usize),
}

impl Node {
    fn line(&self) -> usize {
        match self {
            Node::Null(line) | Node::Text(_, line) | Node::List(_, line) | Node::Map(_, line) => {
                *line
            }
        }
    }
}

/// An open collection while the tree is built from parser events (no recursion).
enum Open {
    List(Vec<Node>, usize),
    Map {
        entries: Vec<(String, usize, Node)>,
        key: Option<(String, usize)>,
        line: usize,
    },
}

/// Parse `yaml` into a tree. Aliases are refused: metadata has no use for them, and resolving
/// them is how a few lines become gigabytes ("billion laughs").
fn parse_yaml(yaml: &str) -> std::result::Result<Option<Node>, (usize, usize, String)> {
    let mut stack: Vec<Open> = Vec::new();
    let mut root = None;
    for event in Parser::new_from_str(yaml) {
        let (event, span) = event.map_err(|e| {
            (
                e.marker().line(),
                e.marker().col() + 1,
                e.info().to_string(),
            )
        })?;
        let line = span.start.line();
        let node = match event {
            Event::Alias(_) => {
                return Err((
                    line,
                    span.start.col() + 1,
                    "YAML aliases (`*name`) are not supported in front matter".into(),
                ))
            }
            Event::Scalar(value, style, _, _) => scalar(value, style, line),
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                if stack.len() >= MAX_YAML_DEPTH {
                    return Err((
                        line,
                        span.start.col() + 1,
                        format!("nested more than {MAX_YAML_DEPTH} levels deep"),
                    ));
                }
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Open::List(Vec::new(), line)
                } else {
                    Open::Map {
                        entries: Vec::new(),
                        key: None,
                        line,
                    }
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Open::List(items, line)) => Node::List(items, line),
                Some(Open::Map { entries, line, .. }) => Node::Map(entries, line),
                None => continue,
            },
            _ => continue,
        };
        match stack.last_mut() {
            None => root = Some(node),
            Some(Open::List(items, _)) => items.push(node),
            Some(Open::Map { entries, key, .. }) => match key.take() {
                Some((name, key_line)) => entries.push((name, key_line, node)),
                None => {
                    let name = match &node {
                        Node::Text(text, _) => text.clone(),
                        _ => String::new(),
                    };
                    *key = Some((name, node.line()));
                }
            },
        }
    }
    Ok(root)
}

fn scalar(value: Cow<'_, str>, style: ScalarStyle, line: usize) -> Node {
    let is_null = style == ScalarStyle::Plain
        && matches!(value.as_ref(), "" | "~" | "null" | "Null" | "NULL");
    if is_null {
        Node::Null(line)
    } else {
        Node::Text(value.into_owned(), line)
    }
}

/// The metadata of a YAML block, or `None` when the block is not a mapping (then it is
/// Markdown that happens to sit between two `---` lines).
fn read_yaml(
    path: &Path,
    block: &YamlBlock<'_>,
    diagnostics: &mut Diagnostics,
) -> Result<Option<SourcedSection>> {
    let file_line = |line: usize| line + block.first_line - 1;
    let root = parse_yaml(block.yaml).map_err(|(line, column, message)| Error::Config {
        path: path.to_path_buf(),
        line: Some(file_line(line)),
        message: format!("YAML front matter, column {column}: {message}"),
    })?;
    let entries = match root {
        Some(Node::Map(entries, _)) => entries,
        None | Some(Node::Null(_)) => Vec::new(),
        Some(_) => return Ok(None),
    };
    let mut sourced = SourcedSection::default();
    let mut ignored: Vec<(String, usize)> = Vec::new();
    let wrong = |key: &str, node: &Node, expected: &str| Error::Config {
        path: path.to_path_buf(),
        line: Some(file_line(node.line())),
        message: format!("YAML front matter: `{key}` must be {expected}"),
    };
    for (key, key_line, value) in entries {
        let name = key.to_ascii_lowercase();
        let field: &'static str = match name.as_str() {
            "title" => "title",
            "subtitle" => "subtitle",
            "author" | "authors" => "authors",
            "lang" | "language" => "language",
            "date" => "date",
            "description" | "abstract" => "description",
            "publisher" => "publisher",
            "rights" | "copyright" => "rights",
            "identifier" => "identifier",
            "subject" | "subjects" | "keywords" => "subjects",
            "source" => "source",
            "editor" | "editors" => "editors",
            "translator" | "translators" => "translators",
            "series" => "series",
            "isbn" => "isbn",
            // pandoc: "fields with names ending in an underscore will be ignored".
            _ if name.ends_with('_') || name.is_empty() => continue,
            _ => {
                ignored.push((key, key_line));
                continue;
            }
        };
        let section = &mut sourced.section;
        // `description` wins over pandoc's `abstract` whichever comes first.
        if name == "abstract" && section.description.is_some() {
            continue;
        }
        match field {
            "authors" => {
                section.authors = names(&value).ok_or_else(|| {
                    wrong(
                        &key,
                        &value,
                        "a name, a list of names, or a list of maps with `name`",
                    )
                })?
            }
            "subjects" => {
                section.subjects =
                    texts(&value).ok_or_else(|| wrong(&key, &value, "text or a list of texts"))?;
                if name == "keywords" && section.subjects.len() == 1 {
                    // `keywords: a, b` (Hugo, HTML meta) is a list written on one line.
                    section.subjects = section.subjects[0]
                        .split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect();
                }
            }
            "editors" | "translators" => {
                let list = names(&value)
                    .ok_or_else(|| wrong(&key, &value, "a name or a list of names"))?;
                if field == "editors" {
                    section.editors = list;
                } else {
                    section.translators = list;
                }
            }
            "identifier" => {
                section.identifier = identifier(&value)
                    .ok_or_else(|| wrong(&key, &value, "text or a list of maps with `text`"))?
            }
            _ => {
                let text = text(&value).ok_or_else(|| wrong(&key, &value, "text"))?;
                let slot = match field {
                    "title" => &mut section.title,
                    "subtitle" => &mut section.subtitle,
                    "language" => &mut section.language,
                    "date" => &mut section.date,
                    "description" => &mut section.description,
                    "publisher" => &mut section.publisher,
                    "rights" => &mut section.rights,
                    "series" => &mut section.series,
                    "isbn" => &mut section.isbn,
                    _ => &mut section.source,
                };
                *slot = text;
            }
        }
        if section.is_set(field) {
            sourced.origins.insert(
                field,
                Origin {
                    path: path.to_path_buf(),
                    line: Some(file_line(key_line)),
                },
            );
        } else {
            sourced.origins.remove(field);
        }
    }
    // Keys for other tools (pandoc's `toc`, `geometry`, Jekyll's `layout`, …) are normal in
    // such files, so they get one warning, not one each; but they get one, because a writer
    // who meant `titel` or `autor` should learn that it was not used.
    if let Some((_, first_line)) = ignored.first() {
        let keys: Vec<String> = ignored.iter().map(|(k, _)| format!("`{k}`")).collect();
        diagnostics.push(
            Diagnostic::warning(format!(
                "front matter keys presswork does not use were ignored: {}",
                keys.join(", ")
            ))
            .at(SourcePos {
                file: path.to_path_buf(),
                line: file_line(*first_line),
                column: 1,
            })
            .hint(
                "presswork reads title, subtitle, author, editor, translator, lang, date, \
                 description, publisher, rights, identifier, isbn, series, subject and keywords",
            ),
        );
    }
    Ok(Some(sourced))
}

/// A scalar as text; `None` (wrong type) for a list or map; `Some(None)` for null.
fn text(node: &Node) -> Option<Option<String>> {
    match node {
        Node::Null(_) => Some(None),
        Node::Text(text, _) => Some(Some(text.trim().to_string()).filter(|t| !t.is_empty())),
        _ => None,
    }
}

/// Text or a list of texts.
fn texts(node: &Node) -> Option<Vec<String>> {
    match node {
        Node::List(items, _) => {
            let mut out = Vec::new();
            for item in items {
                out.extend(text(item)?);
            }
            Some(out)
        }
        other => Some(text(other)?.into_iter().collect()),
    }
}

/// A name, a list of names, or pandoc's maps with a `name` key (alone or in a list).
fn names(node: &Node) -> Option<Vec<String>> {
    let name_of = |node: &Node| -> Option<Option<String>> {
        match node {
            Node::Map(entries, _) => Some(
                entries
                    .iter()
                    .find(|(key, _, _)| key == "name")
                    .and_then(|(_, _, value)| text(value).flatten()),
            ),
            other => text(other),
        }
    };
    match node {
        Node::List(items, _) => {
            let mut out = Vec::new();
            for item in items {
                out.extend(name_of(item)?);
            }
            Some(out)
        }
        other => Some(name_of(other)?.into_iter().collect()),
    }
}

/// Text, or pandoc's list of `{scheme, text}` maps (the first one is used).
fn identifier(node: &Node) -> Option<Option<String>> {
    match node {
        Node::List(items, _) => match items.first() {
            None => Some(None),
            Some(Node::Map(entries, _)) => Some(
                entries
                    .iter()
                    .find(|(key, _, _)| key == "text")
                    .and_then(|(_, _, value)| text(value).flatten()),
            ),
            Some(other) => text(other),
        },
        other => text(other),
    }
}

/// pandoc's title block: up to three `%` lines (title, authors, date) at the very top, each
/// continued by lines that begin with a space. Authors are separated by `;` or by lines.
fn read_title_block(path: &Path, text: &str) -> Option<(SourcedSection, usize)> {
    if !text.starts_with('%') {
        return None;
    }
    let mut fields: Vec<(Vec<&str>, usize)> = Vec::new();
    let mut pos = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let content = line.trim_end_matches(['\n', '\r']);
        if let Some(rest) = content.strip_prefix('%') {
            if fields.len() == 3 {
                break;
            }
            fields.push((vec![rest.trim()], index + 1));
        } else if content.starts_with([' ', '\t']) && !content.trim().is_empty() {
            match fields.last_mut() {
                Some((lines, _)) => lines.push(content.trim()),
                None => break,
            }
        } else {
            break;
        }
        pos += line.len();
    }
    let mut sourced = SourcedSection::default();
    let mut set = |field: &'static str, line: usize| {
        sourced.origins.insert(
            field,
            Origin {
                path: path.to_path_buf(),
                line: Some(line),
            },
        );
    };
    let joined =
        |lines: &[&str]| Some(lines.join(" ").trim().to_string()).filter(|t| !t.is_empty());
    let mut section = BookSection::default();
    if let Some((lines, line)) = fields.first() {
        section.title = joined(lines);
        if section.title.is_some() {
            set("title", *line);
        }
    }
    if let Some((lines, line)) = fields.get(1) {
        section.authors = lines
            .iter()
            .flat_map(|l| l.split(';'))
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_string)
            .collect();
        if !section.authors.is_empty() {
            set("authors", *line);
        }
    }
    if let Some((lines, line)) = fields.get(2) {
        section.date = joined(lines);
        if section.date.is_some() {
            set("date", *line);
        }
    }
    sourced.section = section;
    Some((sourced, pos))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn front(text: &str) -> (Result<FrontMatter>, Diagnostics) {
        let mut diagnostics = Diagnostics::default();
        let result = read(Path::new("m.md"), text, &mut diagnostics);
        (result, diagnostics)
    }

    fn ok(text: &str) -> FrontMatter {
        front(text).0.expect("front matter reads")
    }

    #[test]
    fn pandoc_yaml_gives_metadata_and_the_body_after_it() {
        let text = "---\ntitle: Pandoc User's Guide\nauthor: John MacFarlane\ndate: 2026-08-11\n---\n\n# Synopsis\n";
        let fm = ok(text);
        let s = &fm.metadata.section;
        assert_eq!(s.title.as_deref(), Some("Pandoc User's Guide"));
        assert_eq!(s.authors, ["John MacFarlane"]);
        assert_eq!(s.date.as_deref(), Some("2026-08-11"));
        assert_eq!(&text[fm.body_offset..], "\n# Synopsis\n");
        let origin = fm.metadata.origin("authors").expect("origin");
        assert_eq!(origin.line, Some(3));
    }

    #[test]
    fn every_author_shape_is_read() {
        let list = ok("---\nauthor: [Ann, Bob]\n---\n");
        assert_eq!(list.metadata.section.authors, ["Ann", "Bob"]);
        let maps =
            ok("---\nauthor:\n  - name: Ann\n    affiliation: X\n  - name: Bob\n...\nText\n");
        assert_eq!(maps.metadata.section.authors, ["Ann", "Bob"]);
        let block = ok("---\nauthors:\n- Ann\n- Bob\n---\n");
        assert_eq!(block.metadata.section.authors, ["Ann", "Bob"]);
    }

    #[test]
    fn other_keys_map_to_the_metadata() {
        let fm = ok(
            "---\nlang: pt_BR\nsubtitle: S\nabstract: A\npublisher: P\nrights: R\n\
                     identifier:\n  - scheme: ISBN\n    text: 978\nkeywords: a, b\n---\n",
        );
        let s = &fm.metadata.section;
        assert_eq!(s.language.as_deref(), Some("pt_BR"));
        assert_eq!(s.subtitle.as_deref(), Some("S"));
        assert_eq!(s.description.as_deref(), Some("A"));
        assert_eq!(s.publisher.as_deref(), Some("P"));
        assert_eq!(s.rights.as_deref(), Some("R"));
        assert_eq!(s.identifier.as_deref(), Some("978"));
        assert_eq!(s.subjects, ["a", "b"]);
        let both = ok("---\ndescription: D\nabstract: A\n---\n");
        assert_eq!(both.metadata.section.description.as_deref(), Some("D"));
        let subjects = ok("---\nsubject: [x, \"y\"]\ntitle: 1984\nsubtitle: ~\n---\n");
        assert_eq!(subjects.metadata.section.subjects, ["x", "y"]);
        assert_eq!(subjects.metadata.section.title.as_deref(), Some("1984"));
        assert_eq!(subjects.metadata.section.subtitle, None);
    }

    #[test]
    fn unused_keys_give_one_located_warning() {
        let (fm, diagnostics) =
            front("---\ntitle: T\ntoc: true\ngeometry: margin=1in\nx_: 1\n---\n");
        assert_eq!(
            fm.expect("reads").metadata.section.title.as_deref(),
            Some("T")
        );
        assert_eq!(diagnostics.warnings.len(), 1);
        let warning = diagnostics.warnings[0].to_string();
        assert!(
            warning.starts_with("m.md:3:1: front matter keys presswork does not use were ignored: `toc`, `geometry`"),
            "{warning}"
        );
    }

    #[test]
    fn malformed_yaml_is_an_error_at_its_file_line() {
        let (result, _) = front("---\ntitle: T\nauthor: [Ann\ndate: x\n---\nText\n");
        match result {
            Err(Error::Config {
                path,
                line,
                message,
            }) => {
                assert_eq!(path, Path::new("m.md"));
                assert!(
                    matches!(line, Some(4) | Some(5)),
                    "line {line:?}: {message}"
                );
                assert!(message.starts_with("YAML front matter"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        let (result, _) = front("---\ntitle: T\n  bad: indent\n---\n");
        assert!(
            matches!(result, Err(Error::Config { line: Some(3), .. })),
            "{result:?}"
        );
    }

    #[test]
    fn wrong_types_and_aliases_are_located_errors() {
        let (result, _) = front("---\ntitle:\n  - a\n  - b\n---\n");
        match result {
            Err(Error::Config { line, message, .. }) => {
                assert_eq!(line, Some(3));
                assert_eq!(message, "YAML front matter: `title` must be text");
            }
            other => panic!("{other:?}"),
        }
        let (result, _) = front("---\na: &x [1]\ntitle: *x\n---\n");
        assert!(
            matches!(result, Err(Error::Config { line: Some(3), .. })),
            "{result:?}"
        );
        let deep = format!("---\nt: {}{}\n---\n", "[".repeat(100), "]".repeat(100));
        let (result, _) = front(&deep);
        assert!(
            matches!(result, Err(Error::Config { line: Some(2), .. })),
            "{result:?}"
        );
    }

    #[test]
    fn what_is_not_front_matter_stays_markdown() {
        for text in [
            "---\ntitle: T\n",            // never closed
            "---\n\ntitle: T\n---\n",     // blank line after the opening fence
            "---\nSome words\n---\n",     // a thematic break and a setext heading
            "---\n- item\n---\n",         // a list
            "Text\n---\ntitle: T\n---\n", // not at the top
        ] {
            let fm = ok(text);
            assert_eq!(fm.body_offset, 0, "{text:?}");
            assert!(fm.metadata.origins.is_empty(), "{text:?}");
        }
        // An empty block is empty metadata (Jekyll's way to mark a page).
        let text = "---\n# only a comment\n---\nText\n";
        assert_eq!(&text[ok(text).body_offset..], "Text\n");
    }

    #[test]
    fn windows_line_ends_are_front_matter_too() {
        let text = "---\r\ntitle: T\r\nauthor: A\r\n---\r\nBody\r\n";
        let fm = ok(text);
        assert_eq!(fm.metadata.section.title.as_deref(), Some("T"));
        assert_eq!(fm.metadata.section.authors, ["A"]);
        assert_eq!(&text[fm.body_offset..], "Body\r\n");
        let text = "% T\r\n% A\r\n\r\nBody\r\n";
        let fm = ok(text);
        assert_eq!(fm.metadata.section.title.as_deref(), Some("T"));
        assert_eq!(&text[fm.body_offset..], "\r\nBody\r\n");
    }

    #[test]
    fn pandoc_title_block() {
        let text = "% My title\n  on two lines\n% Ann; Bob\n  Cy\n% June 15, 2006\n\nText\n";
        let fm = ok(text);
        let s = &fm.metadata.section;
        assert_eq!(s.title.as_deref(), Some("My title on two lines"));
        assert_eq!(s.authors, ["Ann", "Bob", "Cy"]);
        assert_eq!(s.date.as_deref(), Some("June 15, 2006"));
        assert_eq!(&text[fm.body_offset..], "\nText\n");
        assert_eq!(fm.metadata.origin("date").and_then(|o| o.line), Some(5));
        let no_title = ok("%\n% Author\nText\n");
        assert_eq!(no_title.metadata.section.title, None);
        assert_eq!(no_title.metadata.section.authors, ["Author"]);
        assert_eq!(&"%\n% Author\nText\n"[no_title.body_offset..], "Text\n");
    }

    #[test]
    fn toml_front_matter_errors_have_a_file_line() {
        let (result, _) = front("+++\ntitle = \"T\"\ntitel = \"x\"\n+++\nText\n");
        assert!(
            matches!(&result, Err(Error::Invalid(d)) if d.at.as_ref().is_some_and(|at| at.line == 3)),
            "{result:?}"
        );
        let (result, _) = front("+++\ntitle = \"T\"\nsrc = \"x\"\n+++\nText\n");
        assert!(
            matches!(result, Err(Error::Config { line: Some(3), .. })),
            "{result:?}"
        );
        let fm = ok("+++\ntitle = \"T\"\nlanguage = \"en\"\n+++\nText\n");
        assert_eq!(fm.metadata.origin("language").and_then(|o| o.line), Some(3));
    }
}
