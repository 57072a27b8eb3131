//! Links in message text: the text split into plain runs and `http(s)` links, so the widget can
//! make links clickable while everything else stays a text node.
//!
//! Only `http://`, `https://` and `www.` starts are links (a `www.` link gets `https://`); a link
//! ends at whitespace or at a character that cannot be in a URL, and loses trailing punctuation
//! and unbalanced closing brackets, as people write "see https://example.com/a)." in prose. Every
//! `href` passes [`crate::core::config::is_http_url`], so `javascript:` and friends never appear.

use super::starts_with_ignore_case as starts_with;
use crate::core::config::is_http_url;

/// A piece of message text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment<'a> {
    /// Plain text.
    Text(&'a str),
    /// A link: the text as written, and the URL to open.
    Link {
        /// The characters of the message that form the link.
        text: &'a str,
        /// The `http(s)` URL the link opens.
        href: String,
    },
}

/// `text` as plain runs and links, in order; concatenating the pieces gives `text` back.
pub fn split(text: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let mut plain_from = 0;
    let mut at = 0;
    while let Some(start) = next_start(text, at) {
        let end = link_end(text, start);
        let candidate = text.get(start..end).unwrap_or("");
        let mut href = String::new();
        if starts_with(candidate.as_bytes(), "www.") {
            href.push_str("https://");
        }
        href.push_str(candidate);
        if end > start && is_http_url(&href) && has_host(candidate) {
            if start > plain_from {
                out.push(Segment::Text(text.get(plain_from..start).unwrap_or("")));
            }
            out.push(Segment::Link { text: candidate, href });
            plain_from = end;
            at = end;
        } else {
            at = start + 1;
        }
    }
    if plain_from < text.len() {
        out.push(Segment::Text(text.get(plain_from..).unwrap_or("")));
    }
    out
}

/// The byte offset of the next link start at or after `from`, at a word boundary (any non-ASCII
/// character counts as a letter: no Unicode tables in the bundle for this).
fn next_start(text: &str, from: usize) -> Option<usize> {
    // By bytes: the prefixes are ASCII, so a match is at a character boundary, and a byte before
    // it that is not ASCII belongs to a non-ASCII character.
    let bytes = text.as_bytes();
    for pos in from..bytes.len() {
        let boundary = match pos.checked_sub(1).and_then(|p| bytes.get(p)) {
            Some(&b) => b.is_ascii() && !b.is_ascii_alphanumeric() && !matches!(b, b'.' | b'/' | b'@'),
            None => true,
        };
        let rest = bytes.get(pos..).unwrap_or_default();
        if boundary && (starts_with(rest, "https://") || starts_with(rest, "http://") || starts_with(rest, "www.")) {
            return Some(pos);
        }
    }
    None
}

/// How many times the byte `b` occurs in `s`.
fn count(s: &str, b: u8) -> usize {
    let mut n = 0;
    for &c in s.as_bytes() {
        n += usize::from(c == b);
    }
    n
}

/// Where a link that starts at `start` ends (exclusive), trailing punctuation removed.
fn link_end(text: &str, start: usize) -> usize {
    let rest = text.get(start..).unwrap_or("");
    let mut end = start + rest.len();
    for (i, c) in rest.char_indices() {
        if c.is_whitespace() || c.is_control() || crate::core::is_one_of(c, "<>\"`{}|\\^") {
            end = start + i;
            break;
        }
    }
    loop {
        let link = text.get(start..end).unwrap_or("");
        let Some(&last) = link.as_bytes().last() else { break };
        // Only ASCII punctuation is trimmed, so the last byte tells.
        let trim = match last {
            b'.' | b',' | b';' | b':' | b'!' | b'?' | b'\'' | b'*' => true,
            b')' => count(link, b'(') < count(link, b')'),
            b']' => count(link, b'[') < count(link, b']'),
            _ => false,
        };
        if !trim {
            break;
        }
        end -= 1;
    }
    end
}

/// Whether the link names a host with a dot (`example.com`, `127.0.0.1`) or `localhost`: a bare
/// `https://` or `www.` is prose.
fn has_host(candidate: &str) -> bool {
    let mut host = candidate.as_bytes();
    for prefix in ["https://", "http://"] {
        if starts_with(host, prefix) {
            host = host.get(prefix.len()..).unwrap_or_default();
            break;
        }
    }
    if starts_with(host, "www.") {
        host = host.get(4..).unwrap_or_default();
    }
    let mut len = 0;
    while len < host.len() && !matches!(host.get(len), Some(b'/' | b'?' | b'#' | b':')) {
        len += 1;
    }
    let host = host.get(..len).unwrap_or_default();
    (host.contains(&b'.') && host.last() != Some(&b'.')) || host.eq_ignore_ascii_case(b"localhost")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(text: &str) -> Vec<String> {
        split(text)
            .into_iter()
            .filter_map(|s| match s {
                Segment::Link { href, .. } => Some(href),
                Segment::Text(_) => None,
            })
            .collect()
    }

    fn rejoin(text: &str) -> String {
        split(text)
            .into_iter()
            .map(|s| match s {
                Segment::Text(t) | Segment::Link { text: t, .. } => t.to_owned(),
            })
            .collect()
    }

    #[test]
    fn finds_links_in_prose() {
        let text = "See https://example.com/a?b=1#c, or www.exotel.com. Thanks!";
        assert_eq!(
            split(text),
            vec![
                Segment::Text("See "),
                Segment::Link { text: "https://example.com/a?b=1#c", href: "https://example.com/a?b=1#c".into() },
                Segment::Text(", or "),
                Segment::Link { text: "www.exotel.com", href: "https://www.exotel.com".into() },
                Segment::Text(". Thanks!"),
            ]
        );
        assert_eq!(rejoin(text), text);
    }

    #[test]
    fn brackets_and_punctuation_around_links() {
        assert_eq!(links("(see https://en.wikipedia.org/wiki/Rust_(language))."), ["https://en.wikipedia.org/wiki/Rust_(language)"]);
        assert_eq!(links("[http://a.example/x]"), ["http://a.example/x"]);
        assert_eq!(links("HTTPS://A.EXAMPLE/Path!"), ["HTTPS://A.EXAMPLE/Path"]);
        assert_eq!(links("two:http://a.example http://b.example:8080/p"), ["http://a.example", "http://b.example:8080/p"]);
        assert_eq!(links("http://127.0.0.1:4480/x.png"), ["http://127.0.0.1:4480/x.png"]);
    }

    #[test]
    fn dangerous_or_bogus_schemes_stay_text() {
        for text in [
            "javascript:alert(1)",
            "click javascript://www.example.com%0aalert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox",
            "https://",
            "xhttps://example.com",
            "nowww.example.com",
            "https://user:pw@evil.example/",
            "a <a href=\"https://x.example\">b</a>",
        ] {
            for href in links(text) {
                assert!(href.starts_with("https://") || href.starts_with("http://"), "{text}: {href}");
                assert!(!href.contains(['"', '<', '>', '@']), "{text}: {href}");
            }
            assert_eq!(rejoin(text), text);
        }
        assert!(links("javascript:alert(1)").is_empty());
        assert!(links("https://user:pw@evil.example/").is_empty());
        assert_eq!(links("a <a href=\"https://x.example\">b</a>"), ["https://x.example"]);
    }

    #[test]
    fn plain_text_and_odd_input() {
        assert_eq!(split("hello"), vec![Segment::Text("hello")]);
        assert!(split("").is_empty());
        for junk in ["www.", "http://.", "😀https://ü.example/ä", "www.www.www.", "((((https://a.example))))", "\u{0}http://a.example"] {
            assert_eq!(rejoin(junk), junk);
        }
        assert_eq!(links("😀 https://ü.example/ä"), ["https://ü.example/ä"]);
    }
}
