//! Quotation marks by language. pulldown-cmark's smart punctuation turns straight quotes into
//! English curly ones (“…” and ‘…’); a German book wants „…“, a French one « … » with narrow
//! no-break spaces inside, a Russian one «…». Only the marks smart punctuation made are
//! changed: quotes the writer typed as such are kept as typed.

/// The marks of one language: the outer pair, then the pair for a quotation inside one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuoteStyle {
    /// Opening and closing marks of a quotation.
    pub primary: (&'static str, &'static str),
    /// Opening and closing marks of a quotation inside another.
    pub secondary: (&'static str, &'static str),
}

/// English (and the default): what smart punctuation makes, left alone.
pub const ENGLISH: QuoteStyle = QuoteStyle {
    primary: ("\u{201C}", "\u{201D}"),
    secondary: ("\u{2018}", "\u{2019}"),
};

/// German low-high quotes (also Czech, Slovak, Bulgarian, Lithuanian, Icelandic, Estonian).
const GERMAN: QuoteStyle = QuoteStyle {
    primary: ("\u{201E}", "\u{201C}"),
    secondary: ("\u{201A}", "\u{2018}"),
};

/// French guillemets with a narrow no-break space (U+202F) inside, so that a line never
/// breaks between a mark and its word.
const FRENCH: QuoteStyle = QuoteStyle {
    primary: ("\u{AB}\u{202F}", "\u{202F}\u{BB}"),
    secondary: ("\u{201C}", "\u{201D}"),
};

/// Swiss guillemets, without spaces.
const SWISS: QuoteStyle = QuoteStyle {
    primary: ("\u{AB}", "\u{BB}"),
    secondary: ("\u{2039}", "\u{203A}"),
};

/// Guillemets outside, German quotes inside (Russian, Ukrainian, Belarusian).
const RUSSIAN: QuoteStyle = QuoteStyle {
    primary: ("\u{AB}", "\u{BB}"),
    secondary: ("\u{201E}", "\u{201C}"),
};

/// Guillemets outside, English quotes inside (Spanish, Italian, Catalan, European
/// Portuguese, Greek, Norwegian).
const GUILLEMETS: QuoteStyle = QuoteStyle {
    primary: ("\u{AB}", "\u{BB}"),
    secondary: ("\u{201C}", "\u{201D}"),
};

/// Low-high with a high closing comma-quote (Polish, Romanian, Hungarian, Croatian).
const POLISH: QuoteStyle = QuoteStyle {
    primary: ("\u{201E}", "\u{201D}"),
    secondary: ("\u{AB}", "\u{BB}"),
};

/// Right quotes on both sides (Swedish, Finnish).
const SWEDISH: QuoteStyle = QuoteStyle {
    primary: ("\u{201D}", "\u{201D}"),
    secondary: ("\u{2019}", "\u{2019}"),
};

/// Inward-pointing guillemets (Danish).
const DANISH: QuoteStyle = QuoteStyle {
    primary: ("\u{BB}", "\u{AB}"),
    secondary: ("\u{203A}", "\u{2039}"),
};

/// Corner brackets (Japanese, traditional Chinese).
const CORNER: QuoteStyle = QuoteStyle {
    primary: ("\u{300C}", "\u{300D}"),
    secondary: ("\u{300E}", "\u{300F}"),
};

/// The quotation marks for a BCP 47 tag.
pub fn for_language(tag: &str) -> QuoteStyle {
    let tag = crate::ir::LanguageTag::parse(tag);
    let (primary, has) = (tag.primary.as_str(), |subtag: &str| tag.has(subtag));
    match primary {
        "de" | "gsw" if has("ch") || primary == "gsw" => SWISS,
        "de" | "cs" | "sk" | "bg" | "lt" | "is" | "et" | "ka" => GERMAN,
        "fr" if has("ch") => SWISS,
        "fr" => FRENCH,
        "ru" | "uk" | "be" => RUSSIAN,
        "pt" if has("br") => ENGLISH,
        "es" | "it" | "ca" | "pt" | "el" | "no" | "nb" | "nn" | "eu" | "gl" => GUILLEMETS,
        "pl" | "ro" | "hu" | "hr" => POLISH,
        "sv" | "fi" => SWEDISH,
        "da" => DANISH,
        "ja" => CORNER,
        "zh" if has("hant") || has("tw") || has("hk") => CORNER,
        _ => ENGLISH,
    }
}

/// Rewrites the quotes smart punctuation made, in one manuscript, by the book's language or
/// the language of the passage they stand in. Single quotes are only
/// rewritten in pairs: smart punctuation makes the same ’ for an apostrophe ("it’s") as for
/// a closing quote, so a ’ closes a quotation only when one is open and no letter follows.
#[derive(Debug, Clone)]
pub struct QuoteRewriter {
    style: QuoteStyle,
    /// Single quotations opened in the current block and not yet closed.
    open_single: usize,
}

impl QuoteRewriter {
    /// A rewriter for a book in `tag`.
    pub fn new(tag: &str) -> Self {
        QuoteRewriter {
            style: for_language(tag),
            open_single: 0,
        }
    }

    /// A block ended: an unclosed quotation does not run on into the next.
    pub fn end_block(&mut self) {
        self.open_single = 0;
    }

    /// The text to use for a text event `text` made from `source` (the Markdown it came
    /// from), followed in the source by `next`, in a passage marked as language `passage`
    /// (`None`: the book's); `None` to keep it as it is.
    pub fn rewrite(
        &mut self,
        text: &str,
        source: &str,
        next: Option<char>,
        passage: Option<&str>,
    ) -> Option<&'static str> {
        if !matches!(source, "\"" | "'") {
            return None;
        }
        let style = passage.map_or(self.style, for_language);
        let mark = match text {
            "\u{201C}" => style.primary.0,
            "\u{201D}" => style.primary.1,
            "\u{2018}" => {
                self.open_single += 1;
                style.secondary.0
            }
            "\u{2019}" if self.open_single > 0 && !next.is_some_and(char::is_alphanumeric) => {
                self.open_single -= 1;
                style.secondary.1
            }
            _ => return None,
        };
        (mark != text).then_some(mark)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_have_their_marks() {
        assert_eq!(for_language("en-GB"), ENGLISH);
        assert_eq!(for_language("de").primary, ("„", "“"));
        assert_eq!(for_language("de-CH").primary, ("«", "»"));
        assert_eq!(for_language("fr").primary, ("«\u{202F}", "\u{202F}»"));
        assert_eq!(for_language("ru").primary, ("«", "»"));
        assert_eq!(for_language("pt-BR"), ENGLISH);
        assert_eq!(for_language("pt").primary, ("«", "»"));
        assert_eq!(for_language("hi"), ENGLISH);
    }

    #[test]
    fn only_smart_quotes_change_and_apostrophes_stay() {
        let mut german = QuoteRewriter::new("de");
        assert_eq!(german.rewrite("\u{201C}", "\"", Some('S'), None), Some("„"));
        assert_eq!(german.rewrite("\u{201D}", "\"", Some(' '), None), Some("“"));
        // Typed by the writer as a curly quote: kept.
        assert_eq!(
            german.rewrite("\u{201C}", "\u{201C}", Some(' '), None),
            None
        );
        // An apostrophe with no quotation open stays.
        assert_eq!(german.rewrite("\u{2019}", "'", Some('s'), None), None);
        assert_eq!(german.rewrite("\u{2018}", "'", Some('j'), None), Some("‚"));
        // An apostrophe inside the quotation (a letter follows) stays; the closing one turns.
        assert_eq!(german.rewrite("\u{2019}", "'", Some('s'), None), None);
        assert_eq!(german.rewrite("\u{2019}", "'", Some('.'), None), Some("‘"));
        assert_eq!(german.rewrite("\u{2019}", "'", None, None), None);
        // A passage marked as English in the German book keeps English marks, and one
        // marked as German in an English book gets German ones.
        assert_eq!(german.rewrite("\u{201C}", "\"", None, Some("en")), None);
        let mut english = QuoteRewriter::new("en");
        assert_eq!(
            english.rewrite("\u{201C}", "\"", None, Some("de")),
            Some("„")
        );
        assert_eq!(english.rewrite("\u{201C}", "\"", None, None), None);
    }
}
