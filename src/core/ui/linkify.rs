//! Links in message text: the text split into plain runs and `http(s)` links, so the widget can
//! make links clickable while everything else stays a text node.
//!
//! Only `http://`, `https://` and `www.` starts are links (a `www.` link gets `https://`); a link
//! ends at whitespace or at a character that cannot be in a URL, and loses trailing punctuation
//! and unbalanced closing brackets, as people write "see https://example.com/a)." in prose. Every
//! `href` passes [`crate::core::config::is_http_url`], so `javascript:` and friends never appear.

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
        let href = if candidate.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("www.")) {
            format!("https://{candidate}")
        } else {
            candidate.to_owned()
        };
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
    // Position by position: no lower-case copy of the text and no substring search per prefix.
    for pos in from..text.len() {
        for prefix in ["https://", "http://", "www."] {
            if text.get(pos..pos + prefix.len()).is_some_and(|s| s.eq_ignore_ascii_case(prefix))
                && text.get(..pos).and_then(|b| b.chars().next_back()).is_none_or(|c| c.is_ascii() && !c.is_ascii_alphanumeric() && !"./@".contains(c))
            {
                return Some(pos);
            }
        }
    }
    None
}

/// Where a link that starts at `start` ends (exclusive), trailing punctuation removed.
fn link_end(text: &str, start: usize) -> usize {
    let rest = text.get(start..).unwrap_or("");
    let mut end = start + rest.find(|c: char| c.is_whitespace() || c.is_control() || "<>\"`{}|\\^".contains(c)).unwrap_or(rest.len());
    loop {
        let link = text.get(start..end).unwrap_or("");
        let Some(last) = link.chars().next_back() else { break };
        let unbalanced = |open: char| link.matches(open).count() < link.matches(last).count();
        let trim = match last {
            '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '*' => true,
            ')' => unbalanced('('),
            ']' => unbalanced('['),
            _ => false,
        };
        if !trim {
            break;
        }
        end -= last.len_utf8();
    }
    end
}

/// Whether the link names a host with a dot (`example.com`, `127.0.0.1`) or `localhost`: a bare
/// `https://` or `www.` is prose.
fn has_host(candidate: &str) -> bool {
    let lower = candidate.to_ascii_lowercase();
    let host = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")).unwrap_or(&lower);
    let host = host.strip_prefix("www.").unwrap_or(host).split(['/', '?', '#', ':']).next().unwrap_or("");
    (host.contains('.') && !host.ends_with('.')) || host == "localhost"
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
