//! The plain-text news importer: text copied from a news site (a title line, the photo's
//! credit and caption, paragraphs one per line, standalone section headings, and the site's
//! furniture) read into an [`Article`]. Each rule is written down in the README ("Importing
//! news articles"); nothing is invented and every sentence of the body is kept verbatim.

use super::{Article, Block, Figure, Importer};

/// Agencies whose name may stand alone after "Image Source :" (the caption follows it on
/// the same line); an unknown credit is taken to be one word.
const AGENCIES: [&str; 12] = [
    "PTI",
    "ANI",
    "IANS",
    "UNI",
    "Reuters",
    "AP",
    "AFP",
    "Getty Images",
    "Bloomberg",
    "EPA",
    "India TV",
    "File",
];

/// Longest line that can be a section heading, in characters.
const HEADING_MAX_CHARS: usize = 80;
/// Most words a section heading has.
const HEADING_MAX_WORDS: usize = 12;
/// Longest first line taken as the title; a longer one is a paragraph (and the title
/// comes from the file's name).
const TITLE_MAX_CHARS: usize = 200;

/// Plain text copied from a news site.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlainNews;

impl Importer for PlainNews {
    fn import(&self, text: &str, fallback_title: &str) -> Result<Article, String> {
        if text.contains('\0') {
            return Err("the file holds NUL bytes: it is not text".into());
        }
        let lines: Vec<String> = text
            .lines()
            .map(|line| line.replace('\u{A0}', " ").trim().to_string())
            .filter(|line| !line.is_empty())
            .collect();
        if lines.is_empty() {
            return Err("the file holds no text".into());
        }
        let mut article = Article::default();
        let mut rest: &[String] = &lines;
        // The title: the first line, unless it is too long to be one.
        if lines[0].chars().count() <= TITLE_MAX_CHARS && !is_sentence(&lines[0]) {
            article.title = lines[0].clone();
            rest = &lines[1..];
        } else {
            article.title = fallback_title.to_string();
            article.notes.push(
                "the first line is a sentence, not a title: the title is the file's name".into(),
            );
        }
        // The photo's credit and caption, right after the title.
        if let Some((figure, used)) = photo_lines(rest) {
            article.figure = Some(figure);
            rest = &rest[used..];
        }
        let count = rest.len();
        for (index, line) in rest.iter().enumerate() {
            let last_lines = index + 3 >= count;
            if let Some(author) = byline(line) {
                article.authors.push(author);
            } else if let Some(date) = dateline(line) {
                article.date.get_or_insert(date);
            } else if let Some(agency) = inputs_from(line) {
                // The article's own credit line: kept as its closing line.
                article.agency.get_or_insert(agency);
                article.blocks.push(Block::Closing(line.clone()));
            } else if is_dropped_furniture(line) {
                article.dropped.push(line.clone());
            } else if let Some(section) = last_lines.then(|| section_link(line)).flatten() {
                article.subjects.push(section);
                article.dropped.push(line.clone());
            } else if is_heading(line, index, rest) {
                article.blocks.push(Block::Heading(line.clone()));
            } else {
                article.blocks.push(Block::Paragraph(line.clone()));
            }
        }
        if article.agency.is_none() {
            article.agency = article.figure.as_ref().and_then(|f| agency_of(&f.credit));
        }
        Ok(article)
    }
}

/// Whether a line ends like a sentence (and so is no title or heading).
fn is_sentence(line: &str) -> bool {
    line.ends_with(['.', '!', '?', ':', ';', ',', '”', '"', '’', '…', '।'])
}

/// The photo credit and caption in their common shapes, from the first lines: returns the
/// figure and how many lines it took.
/// - `Image Source : PTI Caption…` on one line;
/// - `Image Source : PTI` with the caption on the next line;
/// - `Caption… (Photo: Reuters)` on one line;
/// - `File photo`, `Representational image` (alone, or before the caption).
fn photo_lines(lines: &[String]) -> Option<(Figure, usize)> {
    let first = lines.first()?;
    let lower = first.to_ascii_lowercase();
    for prefix in [
        "image source",
        "photo source",
        "image credit",
        "photo credit",
        "picture credit",
    ] {
        if let Some(after) = lower.strip_prefix(prefix) {
            let after = &first[first.len() - after.len()..];
            let after = after.trim_start().strip_prefix(':')?.trim();
            let label = normalise_label(&first[..prefix.len()]);
            let (agency, caption) = split_agency(after);
            let credit = format!("{label}: {agency}");
            if caption.is_empty() {
                // The caption, if any, is the next line when it does not read as body text.
                if let Some(next) = lines
                    .get(1)
                    .filter(|l| l.chars().count() <= 160 && lines.len() > 2)
                {
                    if !is_sentence(next) || next.split_whitespace().count() <= 20 {
                        return Some((
                            Figure {
                                caption: next.clone(),
                                credit,
                            },
                            2,
                        ));
                    }
                }
            }
            return Some((
                Figure {
                    caption: caption.to_string(),
                    credit,
                },
                1,
            ));
        }
    }
    for standalone in [
        "file photo",
        "representational image",
        "representational picture",
        "representative image",
    ] {
        if lower == standalone || lower.starts_with(&format!("{standalone} ")) {
            let credit = first[..standalone.len()].to_string();
            let caption = first[standalone.len()..]
                .trim()
                .trim_start_matches([':', '|', '-'])
                .trim();
            return Some((
                Figure {
                    caption: caption.to_string(),
                    credit,
                },
                1,
            ));
        }
    }
    // `Caption (Photo: Reuters)`.
    let open = first.rfind("(Photo:").or_else(|| first.rfind("(photo:"))?;
    if !first.ends_with(')') {
        return None;
    }
    let credit = first[open + 1..first.len() - 1].trim().to_string();
    Some((
        Figure {
            caption: first[..open].trim().to_string(),
            credit,
        },
        1,
    ))
}

/// "Image Source" and the like, with their capitals as sites print them.
fn normalise_label(label: &str) -> String {
    let mut out = String::new();
    for (index, word) in label.split_whitespace().enumerate() {
        if index > 0 {
            out.push(' ');
        }
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(&chars.as_str().to_lowercase());
        }
    }
    out
}

/// A credit's agency and the caption after it: a known agency (`India TV`), else the first
/// word.
fn split_agency(text: &str) -> (&str, &str) {
    for agency in AGENCIES {
        if let Some(rest) = text.strip_prefix(agency) {
            if rest.is_empty() || rest.starts_with(' ') {
                return (agency, rest.trim());
            }
        }
    }
    match text.split_once(' ') {
        Some((agency, rest)) => (agency, rest.trim()),
        None => (text, ""),
    }
}

/// The agency a credit names ("Image Source: PTI" → PTI); not a file photo.
fn agency_of(credit: &str) -> Option<String> {
    let (_, agency) = credit.split_once(':')?;
    let agency = agency.trim();
    (!agency.is_empty()).then(|| agency.to_string())
}

/// `By Jane Doe`, `Written by Jane Doe`, `Reported by …`: the author.
fn byline(line: &str) -> Option<String> {
    let lower = line.to_ascii_lowercase();
    for prefix in ["written by ", "reported by ", "by "] {
        if lower.starts_with(prefix) && line.split_whitespace().count() <= 8 && !is_sentence(line) {
            let name = line[prefix.len()..].trim();
            let name = name.split(['|', ',']).next().unwrap_or(name).trim();
            if !name.is_empty() && name.chars().next().is_some_and(char::is_uppercase) {
                return Some(name.to_string());
            }
        }
    }
    None
}

/// `Updated: December 27, 2023 15:04 IST`, `Published on: 27 Dec 2023`, `New Delhi,
/// December 27, 2023`: a line that is only a date (with its label or place) gives the
/// article's date as `YYYY-MM-DD`.
fn dateline(line: &str) -> Option<String> {
    if line.chars().count() > 80 {
        return None;
    }
    let lower = line.to_ascii_lowercase();
    let labelled = [
        "updated",
        "published",
        "posted",
        "first published",
        "last updated",
    ]
    .iter()
    .any(|label| lower.starts_with(label));
    let text = match line.split_once(':') {
        Some((_, rest)) if labelled => rest.trim(),
        _ => line,
    };
    // Try the text, and the text after a leading place ("New Delhi, ").
    let candidates = [text, text.split_once(", ").map_or("", |(_, rest)| rest)];
    for candidate in candidates {
        // Drop a time and zone after the date: keep the first three or four words.
        let words: Vec<&str> = candidate.split_whitespace().collect();
        for take in [3, 4] {
            let Some(part) = words.get(..take) else {
                continue;
            };
            let part = part.join(" ");
            let part = part.trim_end_matches(',');
            for format in [
                "%B %d, %Y",
                "%b %d, %Y",
                "%d %B %Y",
                "%d %b %Y",
                "%B %d %Y",
                "%b %d %Y",
            ] {
                if let Ok(day) = chrono::NaiveDate::parse_from_str(part, format) {
                    return Some(day.format("%Y-%m-%d").to_string());
                }
            }
        }
        if let Ok(day) =
            chrono::NaiveDate::parse_from_str(candidate.get(..10).unwrap_or(""), "%Y-%m-%d")
        {
            if candidate.len() == 10 || labelled {
                return Some(day.format("%Y-%m-%d").to_string());
            }
        }
    }
    None
}

/// `(with inputs from PTI)`, `(With inputs from agencies)`: the agency.
fn inputs_from(line: &str) -> Option<String> {
    let inner = line.strip_prefix('(')?.strip_suffix(')')?;
    let lower = inner.to_ascii_lowercase();
    let agency = lower
        .strip_prefix("with inputs from ")
        .map(|_| inner["with inputs from ".len()..].trim())?;
    (!agency.is_empty()).then(|| agency.to_string())
}

/// Web furniture that is dropped: links to other articles, share, follow and subscribe
/// lines.
fn is_dropped_furniture(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    let starts = [
        "also read",
        "read also",
        "read more",
        "follow us on",
        "subscribe to",
        "share this",
        "share on",
        "click here",
        "download the",
        "watch:",
        "watch video",
    ];
    starts.iter().any(|s| lower.starts_with(s))
        || (lower.contains("whatsapp") && lower.contains("follow"))
}

/// `Latest World News` (the site's section link, among the last lines): the subject
/// "World News".
fn section_link(line: &str) -> Option<String> {
    let rest = line.strip_prefix("Latest ")?;
    (rest.ends_with(" News") || rest == "News")
        .then(|| rest.to_string())
        .filter(|_| line.split_whitespace().count() <= 5)
}

/// A standalone heading: a short line without final punctuation, between paragraphs (not
/// the first or last line of the body).
fn is_heading(line: &str, index: usize, lines: &[String]) -> bool {
    index > 0
        && index + 1 < lines.len()
        && line.chars().count() <= HEADING_MAX_CHARS
        && line.split_whitespace().count() <= HEADING_MAX_WORDS
        && !is_sentence(line)
        && !line.starts_with(['(', '“', '"', '‘', '\'', '-', '*', '•'])
        && lines
            .get(index + 1)
            .is_some_and(|next| is_sentence(next) || next.chars().count() > HEADING_MAX_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn import(text: &str) -> Article {
        PlainNews.import(text, "fallback").expect("imports")
    }

    #[test]
    fn the_caption_and_credit_come_in_their_common_shapes() {
        let one_line = import("Title\n\nImage Source : PTI Modi with Putin\n\nBody text here.\n");
        let figure = one_line.figure.expect("figure");
        assert_eq!(
            (figure.credit.as_str(), figure.caption.as_str()),
            ("Image Source: PTI", "Modi with Putin")
        );
        assert_eq!(one_line.agency.as_deref(), Some("PTI"));

        let two_lines =
            import("Title\nImage Source : India TV\nThe minister in Delhi\nBody one.\nBody two.\n");
        let figure = two_lines.figure.expect("figure");
        assert_eq!(
            (figure.credit.as_str(), figure.caption.as_str()),
            ("Image Source: India TV", "The minister in Delhi")
        );

        let photo = import("Title\nFlood waters in Assam (Photo: Reuters)\nBody one.\n");
        let figure = photo.figure.expect("figure");
        assert_eq!(
            (figure.credit.as_str(), figure.caption.as_str()),
            ("Photo: Reuters", "Flood waters in Assam")
        );

        let file = import("Title\nFile photo\nBody one.\n");
        assert_eq!(file.figure.expect("figure").credit, "File photo");
        let representational = import("Title\nRepresentational image\nBody one.\n");
        assert_eq!(
            representational.figure.expect("figure").credit,
            "Representational image"
        );
        assert!(import("Title\nBody one.\n").figure.is_none());
    }

    #[test]
    fn headings_bylines_dates_and_furniture_follow_their_rules() {
        let article = import(
            "A title\nBy Jane Doe\nUpdated: December 27, 2023 15:04 IST\nFirst paragraph.\n\
             A heading\nSecond paragraph.\nAlso Read: Another story\nALSO READ | More\n\
             Follow us on WhatsApp\n(with inputs from PTI)\nLatest World News\n",
        );
        assert_eq!(article.title, "A title");
        assert_eq!(article.authors, ["Jane Doe"]);
        assert_eq!(article.date.as_deref(), Some("2023-12-27"));
        assert_eq!(
            article.blocks,
            vec![
                Block::Paragraph("First paragraph.".into()),
                Block::Heading("A heading".into()),
                Block::Paragraph("Second paragraph.".into()),
                Block::Closing("(with inputs from PTI)".into()),
            ]
        );
        assert_eq!(article.agency.as_deref(), Some("PTI"));
        assert_eq!(article.subjects, ["World News"]);
        assert_eq!(article.dropped.len(), 4, "{:?}", article.dropped);
    }

    #[test]
    fn odd_input_gets_an_error_or_a_documented_fallback() {
        assert!(PlainNews.import("", "f").is_err());
        assert!(PlainNews.import(" \n\u{A0}\n", "f").is_err());
        assert!(PlainNews.import("a\0b", "f").is_err());
        let giant = format!("{}.", "word ".repeat(5000));
        let article = PlainNews.import(&giant, "from-file").expect("imports");
        assert_eq!(article.title, "from-file");
        assert_eq!(article.blocks.len(), 1);
        assert!(!article.notes.is_empty());
        // A sentence for a first line is no title either.
        let article = PlainNews
            .import("It rained.\nMore.\n", "name")
            .expect("imports");
        assert_eq!(article.title, "name");
    }
}
