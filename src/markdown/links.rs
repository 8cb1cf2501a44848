//! The one link policy of the book, decided here in the front end and kept in the IR: the back
//! ends draw what the IR says and never judge a URL themselves.
//!
//! A link destination is one of:
//! - a web, mail, phone or FTP URL ([`LINK_SCHEMES`]): kept, validated and percent-encoded so
//!   that it is a valid RFC 3986 URI (EPUBCheck checks them; WHATWG parsers leave `[`, `]`, `|`,
//!   `{`, `}` and `^` unencoded in queries, which EPUBCheck refuses);
//! - any other scheme (`javascript:`, `data:`, `file:`, `vbscript:`, …): never a live link;
//! - `#fragment`: a place in this book;
//! - a relative path to another manuscript of the book (`two.md`, `two.md#id`,
//!   `../guide/x.md#y`): that chapter, or the fragment in it;
//! - any other relative path: a file that is not part of the book, so the link cannot work in
//!   an EPUB or a PDF; its text stays, with a warning.

use std::path::{Component, Path, PathBuf};

/// URL schemes that become live links in both outputs.
pub const LINK_SCHEMES: &[&str] = &["http", "https", "mailto", "tel", "ftp"];

/// What a link destination turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// An allowed absolute URL, encoded and ready for any output.
    Url(String),
    /// A fragment in this book (`#id`).
    Fragment(String),
    /// Another manuscript of the book (by index in the manuscript list), and a fragment in it.
    Manuscript {
        /// Index of the manuscript file.
        file: usize,
        /// The fragment after `#`, if any.
        fragment: Option<String>,
    },
    /// Not a link in the book: the text stays and `reason` says why.
    Refused {
        /// Why, for the warning.
        reason: String,
        /// What the writer can do.
        hint: &'static str,
    },
}

/// Classify a link destination written in the manuscript at `from` (a file of `manuscripts`).
pub fn classify(dest: &str, from: &Path, manuscripts: &[PathBuf]) -> Destination {
    let dest = dest.trim();
    if dest.is_empty() {
        return Destination::Refused {
            reason: "the link has no destination".into(),
            hint: "write the URL or `#id` between the parentheses",
        };
    }
    if let Some(fragment) = dest.strip_prefix('#') {
        return Destination::Fragment(decode_fragment(fragment));
    }
    if let Some(scheme) = scheme_of(dest) {
        let scheme = scheme.to_ascii_lowercase();
        if !LINK_SCHEMES.contains(&scheme.as_str()) {
            return Destination::Refused {
                reason: format!("`{scheme}:` links are not allowed in a book"),
                hint: "only http, https, mailto, tel and ftp links become live links",
            };
        }
        return match encode_url(dest) {
            Some(url) => Destination::Url(url),
            None => Destination::Refused {
                reason: "the URL is not valid".into(),
                hint: "check the host name and the characters of the URL",
            },
        };
    }
    if dest.starts_with("//") {
        return Destination::Refused {
            reason: "a protocol-relative URL has no scheme".into(),
            hint: "write it with `https:`",
        };
    }
    let (path, fragment) = match dest.split_once('#') {
        Some((path, fragment)) => (path, Some(decode_fragment(fragment))),
        None => (dest, None),
    };
    let path = path.split_once('?').map_or(path, |(p, _)| p);
    let decoded = percent_decode(path);
    let base = from.parent().unwrap_or(Path::new(""));
    let wanted = normalize(&base.join(&decoded));
    match manuscripts.iter().position(|m| normalize(m) == wanted) {
        Some(file) => Destination::Manuscript {
            file,
            fragment: fragment.filter(|f| !f.is_empty()),
        },
        None => Destination::Refused {
            reason: format!("`{decoded}` is not a manuscript of this book"),
            hint: "link to a chapter's `.md` file or a `#heading-id`, or write a full https:// URL",
        },
    }
}

/// The scheme of an absolute URL (`https` of `https://…`), if `dest` has one. A Windows drive
/// letter (`C:\…`) counts as a scheme too, and is then refused with the other schemes.
fn scheme_of(dest: &str) -> Option<&str> {
    let (scheme, _) = dest.split_once(':')?;
    let valid = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some(scheme)
}

/// Parse and re-serialise an allowed URL, then percent-encode what RFC 3986 does not allow
/// literally. `None` when it does not parse or a web URL has no host.
pub fn encode_url(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url.trim()).ok()?;
    if matches!(parsed.scheme(), "http" | "https" | "ftp") {
        // WHATWG parsers take `https://../` as a host named `..`; RFC 3986 (and EPUBCheck)
        // want every label of a domain name non-empty.
        let host = parsed.host_str().unwrap_or_default();
        let is_domain = matches!(parsed.host(), Some(url::Host::Domain(_)));
        let labels_ok = host
            .strip_suffix('.')
            .unwrap_or(host)
            .split('.')
            .all(|label| !label.is_empty());
        if host.is_empty() || (is_domain && !labels_ok) {
            return None;
        }
    }
    if !matches!(parsed.scheme(), "http" | "https" | "ftp") && parsed.path().is_empty() {
        return None;
    }
    let serialised = parsed.as_str();
    // The host of an IPv6 literal keeps its brackets; everything after the authority is
    // encoded.
    let authority_end = match parsed.host_str() {
        Some(_) => {
            let after_scheme = parsed.scheme().len() + 3;
            serialised[after_scheme..]
                .find(['/', '?', '#'])
                .map_or(serialised.len(), |i| after_scheme + i)
        }
        None => parsed.scheme().len() + 1,
    };
    let mut out = String::with_capacity(serialised.len());
    out.push_str(&serialised[..authority_end]);
    let mut seen_fragment = false;
    for c in serialised[authority_end..].chars() {
        let literal = c.is_ascii_alphanumeric()
            || matches!(
                c,
                '-' | '.'
                    | '_'
                    | '~'
                    | '%'
                    | '!'
                    | '$'
                    | '&'
                    | '\''
                    | '('
                    | ')'
                    | '*'
                    | '+'
                    | ','
                    | ';'
                    | '='
                    | ':'
                    | '@'
                    | '/'
                    | '?'
            )
            || (c == '#' && !seen_fragment);
        if c == '#' {
            seen_fragment = true;
        }
        if literal {
            out.push(c);
        } else {
            let mut buffer = [0; 4];
            for byte in c.encode_utf8(&mut buffer).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    Some(out)
}

/// Decode `%XX` escapes; invalid ones and non-UTF-8 results are kept as written.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

fn decode_fragment(fragment: &str) -> String {
    percent_decode(fragment)
}

/// `a/./b/../c.md` → `a/c.md`, without touching the file system (the target may not exist).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Vec<PathBuf> {
        vec![
            PathBuf::from("book/one.md"),
            PathBuf::from("book/two.md"),
            PathBuf::from("book/guide/x.md"),
        ]
    }

    fn classify_from_one(dest: &str) -> Destination {
        classify(dest, Path::new("book/one.md"), &files())
    }

    #[test]
    fn web_urls_are_encoded_for_rfc_3986() {
        assert_eq!(
            classify_from_one("https://example.com/issues?filter[status]=open"),
            Destination::Url("https://example.com/issues?filter%5Bstatus%5D=open".into())
        );
        assert_eq!(
            classify_from_one("https://example.com/a b?ids[]=1|2#top"),
            Destination::Url("https://example.com/a%20b?ids%5B%5D=1%7C2#top".into())
        );
        assert_eq!(
            classify_from_one("HTTPS://Example.COM"),
            Destination::Url("https://example.com/".into())
        );
        assert_eq!(
            classify_from_one("mailto:a@b.c"),
            Destination::Url("mailto:a@b.c".into())
        );
        assert_eq!(
            classify_from_one("tel:+1-555-0100"),
            Destination::Url("tel:+1-555-0100".into())
        );
    }

    #[test]
    fn dangerous_and_unknown_schemes_never_become_links() {
        for dest in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,x",
            "file:///etc/passwd",
            "vbscript:x",
            "http://",
            "https://bad host/",
            "https://../",
            "https://a..b/",
            "//example.com/x",
        ] {
            assert!(
                matches!(classify_from_one(dest), Destination::Refused { .. }),
                "{dest}"
            );
        }
    }

    #[test]
    fn links_to_manuscripts_resolve_relative_to_the_linking_file() {
        assert_eq!(
            classify_from_one("two.md"),
            Destination::Manuscript {
                file: 1,
                fragment: None
            }
        );
        assert_eq!(
            classify_from_one("./guide/x.md#y"),
            Destination::Manuscript {
                file: 2,
                fragment: Some("y".into())
            }
        );
        assert_eq!(
            classify("../two.md#intro", Path::new("book/guide/x.md"), &files()),
            Destination::Manuscript {
                file: 1,
                fragment: Some("intro".into())
            }
        );
        assert_eq!(
            classify_from_one("#caf%C3%A9"),
            Destination::Fragment("café".into())
        );
    }

    #[test]
    fn files_outside_the_book_are_refused_not_retargeted() {
        assert!(matches!(
            classify_from_one("other.md#options"),
            Destination::Refused { .. }
        ));
        assert!(matches!(
            classify_from_one("notes.html"),
            Destination::Refused { .. }
        ));
    }
}
