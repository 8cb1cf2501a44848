//! mdBook's `SUMMARY.md`: the reading order of an mdBook project.
//!
//! The format (mdBook's "SUMMARY.md" chapter): an optional `# Summary` title; prefix chapters
//! as bare links `[Intro](intro.md)`; part titles as headings `# Part I`; numbered chapters
//! as list items `- [Title](file.md)`, nested by indentation for sub-chapters; draft chapters
//! as links with no target `- [Draft]()`; separators `---`; suffix chapters as bare links
//! after the list. This module only reads the structure; `load` turns it into manuscripts.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::markdown::LineIndex;

/// One line of `SUMMARY.md` that matters for the book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SummaryEntry {
    /// A part title (`# Part I`): starts a part of the book.
    Part {
        /// The title as Markdown inline source (`Part I: *Basics*`), markup kept.
        title: String,
        /// 1-based line in `SUMMARY.md`.
        line: usize,
    },
    /// A chapter: prefix, numbered (nested) or suffix.
    Chapter {
        /// The link text, the chapter's name in the table of contents.
        title: String,
        /// The file, relative to the `src` folder; `None` for a draft (`[Draft]()`).
        link: Option<String>,
        /// 0 for a top-level chapter, 1 for a sub-chapter, …
        depth: usize,
        /// 1-based line in `SUMMARY.md`.
        line: usize,
        /// 1-based column of the link.
        column: usize,
    },
    /// A separator line (`---`): only a visual break in mdBook's sidebar.
    Separator,
}

/// The entries of a `SUMMARY.md` text, in reading order.
pub fn parse_summary(text: &str) -> Vec<SummaryEntry> {
    let lines = LineIndex::new(text);
    let here = std::path::Path::new("");
    let mut entries = Vec::new();
    let mut list_depth = 0usize;
    let mut seen_anything = false;
    let mut heading: Option<(usize, String)> = None;
    let mut link: Option<(usize, String, String)> = None;
    let mut item_has_link = false;
    for (event, range) in Parser::new_ext(text, Options::empty()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { .. }) => heading = Some((range.start, String::new())),
            Event::End(TagEnd::Heading(level)) => {
                if let Some((offset, title)) = heading.take() {
                    // mdBook: a heading before anything else is the summary's own title.
                    let is_summary_title = !seen_anything && level == HeadingLevel::H1;
                    seen_anything = true;
                    if !is_summary_title {
                        entries.push(SummaryEntry::Part {
                            title: heading_source(&text[range.clone()]).unwrap_or(title),
                            line: lines.position(here, offset).line,
                        });
                    }
                }
            }
            Event::Start(Tag::List(_)) => list_depth += 1,
            Event::End(TagEnd::List(_)) => list_depth = list_depth.saturating_sub(1),
            Event::Start(Tag::Item) => item_has_link = false,
            Event::Start(Tag::Link { dest_url, .. }) if link.is_none() && heading.is_none() => {
                link = Some((range.start, dest_url.to_string(), String::new()));
            }
            Event::End(TagEnd::Link) => {
                if let Some((offset, target, title)) = link.take() {
                    seen_anything = true;
                    // Only an item's first link names its chapter; prefix and suffix
                    // chapters (outside lists) are one link each.
                    if list_depth > 0 && item_has_link {
                        continue;
                    }
                    item_has_link = true;
                    let at = lines.position(here, offset);
                    let target = target.trim();
                    entries.push(SummaryEntry::Chapter {
                        title: title.trim().to_string(),
                        link: (!target.is_empty()).then(|| target.to_string()),
                        depth: list_depth.saturating_sub(1),
                        line: at.line,
                        column: at.column,
                    });
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, title)) = link.as_mut() {
                    title.push_str(&t);
                } else if let Some((_, title)) = heading.as_mut() {
                    title.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some((_, _, title)) = link.as_mut() {
                    title.push(' ');
                } else if let Some((_, title)) = heading.as_mut() {
                    title.push(' ');
                }
            }
            Event::Rule => {
                seen_anything = true;
                entries.push(SummaryEntry::Separator);
            }
            _ => {}
        }
    }
    entries
}

/// The inline Markdown of an ATX heading's source (`# Part *I* #` → `Part *I*`), so that a
/// part title keeps its markup when it is parsed again as a chapter heading. `None` for a
/// setext heading (its collected text is used instead).
fn heading_source(source: &str) -> Option<String> {
    let line = source.lines().next()?.trim();
    let rest = line.strip_prefix('#')?.trim_start_matches('#');
    // An optional closing sequence of `#` preceded by a space is not part of the title.
    let rest = match rest.trim_end().trim_end_matches('#') {
        kept if kept.ends_with([' ', '\t']) || kept.is_empty() => kept,
        _ => rest.trim_end(),
    };
    Some(rest.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chapter(title: &str, link: Option<&str>, depth: usize, line: usize) -> SummaryEntry {
        SummaryEntry::Chapter {
            title: title.into(),
            link: link.map(str::to_string),
            depth,
            line,
            column: if depth == 0 && line < 4 {
                1
            } else {
                3 + 2 * depth
            },
        }
    }

    #[test]
    fn every_kind_of_entry_in_order() {
        let text = "# Summary\n\n[Preface](preface.md)\n\n# Part One\n\n- [Start](start.md)\n  - [Deeper `code`](deep/a.md)\n    - [Deepest](deep/b.md)\n- [Draft]()\n\n---\n\n# Part Two\n\n- [End](end.md)\n\n[Notes](notes.md)\n";
        let entries = parse_summary(text);
        assert_eq!(
            entries,
            vec![
                chapter("Preface", Some("preface.md"), 0, 3),
                SummaryEntry::Part {
                    title: "Part One".into(),
                    line: 5
                },
                chapter("Start", Some("start.md"), 0, 7),
                chapter("Deeper code", Some("deep/a.md"), 1, 8),
                chapter("Deepest", Some("deep/b.md"), 2, 9),
                chapter("Draft", None, 0, 10),
                SummaryEntry::Separator,
                SummaryEntry::Part {
                    title: "Part Two".into(),
                    line: 14
                },
                chapter("End", Some("end.md"), 0, 16),
                SummaryEntry::Chapter {
                    title: "Notes".into(),
                    link: Some("notes.md".into()),
                    depth: 0,
                    line: 18,
                    column: 1
                },
            ]
        );
    }

    #[test]
    fn part_titles_keep_their_markup() {
        let entries = parse_summary("# Summary\n\n## Part *I*: C# ##\n\n# [Not](a.md) a link\n");
        assert_eq!(
            entries,
            vec![
                SummaryEntry::Part {
                    title: "Part *I*: C#".into(),
                    line: 3
                },
                SummaryEntry::Part {
                    title: "[Not](a.md) a link".into(),
                    line: 5
                },
            ]
        );
    }

    #[test]
    fn without_a_summary_title_the_first_heading_is_still_its_title() {
        // mdBook treats a leading `#` as the summary's title, never as a part.
        let entries = parse_summary("# Contents\n- [A](a.md)\n");
        assert_eq!(entries.len(), 1);
        // A list first, then a heading: that heading is a part.
        let entries = parse_summary("- [A](a.md)\n\n# Part\n- [B](b.md)\n");
        assert!(matches!(entries[1], SummaryEntry::Part { line: 3, .. }));
    }
}
