//! A BCP 47 language tag taken apart, for the choices made by language (hyphenation
//! patterns, quotation marks, labels).

/// A language tag's subtags, lower-cased (`pt-BR` → `pt` and `br`; `_` taken as `-`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanguageTag {
    /// The language itself (`de`, `pt`, `zh`).
    pub primary: String,
    /// Script, region and variants, in order (`hant`, `ch`, `1901`).
    pub rest: Vec<String>,
}

impl LanguageTag {
    /// Take `tag` apart.
    pub fn parse(tag: &str) -> Self {
        let lower = tag.trim().to_ascii_lowercase();
        let mut parts = lower.split(['-', '_']).map(str::to_string);
        LanguageTag {
            primary: parts.next().unwrap_or_default(),
            rest: parts.collect(),
        }
    }

    /// Whether a subtag after the language is `subtag` (lower case).
    pub fn has(&self, subtag: &str) -> bool {
        self.rest.iter().any(|s| s == subtag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_come_apart_in_lower_case() {
        let tag = LanguageTag::parse(" zh_Hant-TW ");
        assert_eq!(tag.primary, "zh");
        assert!(tag.has("hant") && tag.has("tw") && !tag.has("cn"));
        assert_eq!(LanguageTag::parse("").primary, "");
    }
}
