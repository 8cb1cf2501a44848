//! Importers: text that is not yet a book (a news article copied from a web page) turned
//! into a book folder (`book.toml` and Markdown) that presswork builds at once.
//!
//! The seam is [`Importer`]: a format's rules read text into an [`Article`]; writing the
//! book folder ([`write_book`]) is shared, so an HTML importer needs only its own rules.
//! Imported text is untrusted: every character of it is escaped for Markdown, files are
//! written only inside the output folder, under names chosen here.

pub mod news;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// An article read by an importer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Article {
    /// The headline.
    pub title: String,
    /// The photo's caption and credit, if the text has them.
    pub figure: Option<Figure>,
    /// Authors named in a byline.
    pub authors: Vec<String>,
    /// The date a dateline gives, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// The agency the text comes from ("with inputs from PTI", a photo credit).
    pub agency: Option<String>,
    /// Subjects (the site's section link: "World News").
    pub subjects: Vec<String>,
    /// The body, in order.
    pub blocks: Vec<Block>,
    /// Lines of web furniture left out ("ALSO READ | …"), for the report.
    pub dropped: Vec<String>,
    /// What the importer had to decide that the user should know (a fallback taken).
    pub notes: Vec<String>,
}

/// A photo's words: its caption and its credit, kept apart.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figure {
    /// What the photo shows.
    pub caption: String,
    /// Who took or supplied it ("Image Source: PTI").
    pub credit: String,
}

/// One block of an article's body.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A paragraph, verbatim.
    Paragraph(String),
    /// A section heading.
    Heading(String),
    /// The article's own closing credit line ("(with inputs from PTI)"), set in italics.
    Closing(String),
}

/// A format's rules: text in, an article out (or why the text is not one).
pub trait Importer {
    /// Read `text`; `fallback_title` (the file's name) stands in when the text has no
    /// title line.
    fn import(&self, text: &str, fallback_title: &str) -> std::result::Result<Article, String>;
}

/// Largest article accepted, in bytes: a long article is a few hundred kilobytes.
pub const MAX_ARTICLE_BYTES: u64 = 16 * 1024 * 1024;

/// Read an article file with `importer`: an error names the file.
pub fn import_file(importer: &dyn Importer, path: &Path) -> Result<Article> {
    let fail = |message: String| Error::Config {
        path: path.to_path_buf(),
        line: None,
        message,
    };
    let size = std::fs::metadata(path)
        .map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?
        .len();
    if size > MAX_ARTICLE_BYTES {
        return Err(fail(format!(
            "the article is {size} bytes, more than the {MAX_ARTICLE_BYTES} accepted"
        )));
    }
    let bytes = std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let text = String::from_utf8(bytes)
        .map_err(|_| fail("the file is not UTF-8 text (a binary file?)".into()))?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "Article".into());
    importer.import(&text, &stem).map_err(fail)
}

/// What a book folder is made of: its articles (one: an article book; several: an
/// anthology with a chapter per article), its title, and the photo of the first article.
#[derive(Debug, Clone, Default)]
pub struct BookPlan {
    /// The articles, in order.
    pub articles: Vec<Article>,
    /// The anthology's title (`--title`); an article book takes its article's.
    pub title: Option<String>,
    /// The photo of each article, by index, if one was given.
    pub photos: Vec<Option<PathBuf>>,
}

/// Write the book folder `dir` (created if needed; files that exist are replaced): a
/// `book.toml`, one Markdown file per article and the photos under `images/`. Returns
/// the files written and warnings (a figure without a photo).
pub fn write_book(plan: &BookPlan, dir: &Path) -> Result<(Vec<PathBuf>, Vec<String>)> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Write { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let anthology = plan.articles.len() > 1;
    let mut written = Vec::new();
    let mut warnings = Vec::new();
    let mut manuscripts = Vec::new();
    for (index, article) in plan.articles.iter().enumerate() {
        let photo = match plan.photos.get(index).cloned().flatten() {
            Some(source) => {
                let name = photo_name(index, &source);
                let images = dir.join("images");
                std::fs::create_dir_all(&images).map_err(io(&images))?;
                let target = images.join(&name);
                std::fs::copy(&source, &target).map_err(|e| Error::Read {
                    path: source.clone(),
                    source: e,
                })?;
                written.push(target);
                Some(format!("images/{name}"))
            }
            None => {
                if article.figure.is_some() {
                    warnings.push(format!(
                        "“{}”: no photo given (--image, or a picture named like the text beside \
                         it): its caption and credit are kept as text under the title",
                        article.title
                    ));
                }
                None
            }
        };
        let file = if anthology {
            format!("{:02}-article.md", index + 1)
        } else {
            "article.md".to_string()
        };
        let markdown = article_markdown(article, photo.as_deref());
        let path = dir.join(&file);
        std::fs::write(&path, markdown).map_err(io(&path))?;
        written.push(path);
        manuscripts.push(file);
    }
    let toml = book_toml(plan, &manuscripts);
    let path = dir.join("book.toml");
    std::fs::write(&path, toml).map_err(io(&path))?;
    written.push(path);
    Ok((written, warnings))
}

/// The file name of an article's photo in `images/`: its own extension, a name of ours.
fn photo_name(index: usize, source: &Path) -> String {
    let extension = source
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .filter(|e| e.chars().all(|c| c.is_ascii_alphanumeric()) && e.len() <= 5)
        .unwrap_or_else(|| "jpg".into());
    format!("photo-{:02}.{extension}", index + 1)
}

/// The article as Markdown: `#` title, the figure (image, caption, credit), paragraphs,
/// `##` sections, the closing line in italics.
pub fn article_markdown(article: &Article, photo: Option<&str>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", escape_line(&article.title));
    if let Some(figure) = &article.figure {
        let caption = escape_inline(&figure.caption);
        let credit = escape_inline(&figure.credit);
        match photo {
            Some(src) => {
                let alt = if figure.caption.is_empty() {
                    "Photograph".to_string()
                } else {
                    escape_inline(&figure.caption).replace(['[', ']'], "")
                };
                let _ = writeln!(out, "![{alt}](<{src}>)");
                if !caption.is_empty() {
                    let _ = writeln!(out, "*{caption}*");
                }
                let _ = writeln!(out, "— {credit}\n");
            }
            None => {
                // No picture: the caption and credit stay, as a note under the title.
                let _ = writeln!(out, "*{caption}* — {credit}\n");
            }
        }
    }
    for block in &article.blocks {
        match block {
            Block::Paragraph(text) => {
                let _ = writeln!(out, "{}\n", escape_line(text));
            }
            Block::Heading(text) => {
                let _ = writeln!(out, "## {}\n", escape_line(text));
            }
            Block::Closing(text) => {
                let _ = writeln!(out, "*{}*\n", escape_inline(text));
            }
        }
    }
    out
}

/// `book.toml` for the plan: what the text gives (title, authors, date, agency, subjects),
/// nothing invented.
fn book_toml(plan: &BookPlan, manuscripts: &[String]) -> String {
    let first = plan.articles.first();
    let title = plan
        .title
        .clone()
        .or_else(|| first.map(|a| a.title.clone()))
        .unwrap_or_default();
    let mut authors: Vec<&str> = Vec::new();
    let mut subjects: Vec<&str> = Vec::new();
    let mut agencies: Vec<&str> = Vec::new();
    for article in &plan.articles {
        for author in &article.authors {
            if !authors.contains(&author.as_str()) {
                authors.push(author);
            }
        }
        for subject in &article.subjects {
            if !subjects.contains(&subject.as_str()) {
                subjects.push(subject);
            }
        }
        if let Some(agency) = &article.agency {
            if !agencies.contains(&agency.as_str()) {
                agencies.push(agency);
            }
        }
    }
    let mut out = String::from(
        "# Written by `presswork import` from the article's text; edit freely.\n\n[book]\n",
    );
    let _ = writeln!(out, "title = {}", toml_string(&title));
    out.push_str("language = \"en\"\n");
    if !authors.is_empty() {
        let _ = writeln!(out, "authors = {}", toml_list(&authors));
    }
    // A single article's date is the book's; an anthology's articles keep theirs in the text.
    if let Some(date) = first
        .and_then(|a| a.date.as_deref())
        .filter(|_| plan.articles.len() == 1)
    {
        let _ = writeln!(out, "date = {}", toml_string(date));
    }
    if !agencies.is_empty() {
        let _ = writeln!(out, "source = {}", toml_string(&agencies.join(", ")));
    }
    if !subjects.is_empty() {
        let _ = writeln!(out, "subjects = {}", toml_list(&subjects));
    }
    out.push_str("\n[build]\n");
    let files: Vec<&str> = manuscripts.iter().map(String::as_str).collect();
    let _ = writeln!(out, "manuscript = {}", toml_list(&files));
    if plan.articles.len() > 1 {
        // Each article's `#` title starts a chapter; its sections nest below it.
        out.push_str("split-level = 1\n");
    }
    out
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn toml_list(items: &[&str]) -> String {
    let inner: Vec<String> = items.iter().map(|i| toml_string(i)).collect();
    format!("[{}]", inner.join(", "))
}

/// Text made inert for Markdown inside a line: every character that could start markup
/// (emphasis, code, links, HTML, entities, tables) is backslash-escaped, so the words print
/// exactly as written.
pub fn escape_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '!' | '$'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// [`escape_inline`] for a whole line, which also may not open a block: a heading (`#`), a
/// list (`-`, `+`, `1.`), a quote or a thematic break at its start is escaped.
pub fn escape_line(text: &str) -> String {
    let escaped = escape_inline(text);
    let first = escaped.chars().next();
    let starts_block = matches!(first, Some('#' | '-' | '+' | '=' | '>'))
        || escaped.split_once(['.', ')']).is_some_and(|(number, _)| {
            !number.is_empty() && number.len() <= 9 && number.chars().all(|c| c.is_ascii_digit())
        });
    if starts_block {
        // A digit run's marker is the `.` or `)` after it; escape that.
        if first.is_some_and(|c| c.is_ascii_digit()) {
            if let Some(at) = escaped.find(['.', ')']) {
                return format!("{}\\{}", &escaped[..at], &escaped[at..]);
            }
        }
        return format!("\\{escaped}");
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cannot_become_markup() {
        assert_eq!(
            escape_inline("a *b* [c](d) <e> &amp; `f`"),
            "a \\*b\\* \\[c\\](d) \\<e\\> \\&amp; \\`f\\`"
        );
        assert_eq!(escape_line("# Not a heading"), "\\# Not a heading");
        assert_eq!(escape_line("- not a list"), "\\- not a list");
        assert_eq!(escape_line("1. Not a list"), "1\\. Not a list");
        assert_eq!(escape_line("2023) was"), "2023\\) was");
        assert_eq!(escape_line("India-Russia ties."), "India-Russia ties.");
        assert_eq!(
            toml_string("a \"b\" \\ c\u{7}"),
            "\"a \\\"b\\\" \\\\ c\\u0007\""
        );
    }
}
