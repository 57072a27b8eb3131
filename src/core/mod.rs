//! The protocol core, sans-IO. No wasm-bindgen, web-sys or js-sys here: everything is tested
//! natively with `cargo test`, on simulated time.
//!
//! Time is an input: every entry point that depends on time takes the current [`Instant`], and
//! state machines report their next deadline with a `poll_timeout` method. Randomness (SCRAM
//! nonces, request ids) is an input too, so tests are deterministic.

pub mod bosh;
pub mod chat;
pub mod chatstates;
pub mod config;
pub mod connection;
pub mod datetime;
pub mod decisions;
pub mod delay;
pub mod disco;
pub mod flows;
pub mod groupchat;
pub mod http;
pub mod iq;
pub mod jid;
pub mod json;
pub mod markers;
pub mod media;
pub mod message;
pub mod muc;
pub mod ns;
pub mod oob;
pub mod queue;
pub mod receipts;
pub mod replay;
pub mod rest;
pub mod sasl;
pub mod session;
pub mod stanza_error;
pub mod stanza_id;
// Only the native differential tests use it.
#[cfg(all(test, not(target_arch = "wasm32")))]
pub(crate) mod test_rng;
pub mod ui;
pub mod upload;
pub mod vecmap;
pub mod xml;

/// A point in time: milliseconds since the Unix epoch, as the driver read them (the browser
/// adapter passes `Date.now()`; tests start wherever they like). Wall-clock, because message
/// objects carry `time` and `received`; arithmetic saturates, so a clock stepping back delays a
/// timer and never panics. The core never reads a clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Instant(pub u64);

/// The earlier of two optional deadlines (`None` is "no deadline"): how every `poll_timeout`
/// merges the deadlines it knows.
pub fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Where `needle` first starts in `haystack`. The core's one substring search: a byte window
/// instead of `str::find(&str)`, whose two-way searcher costs the module ~2.5 KB for the few short
/// needles the core looks for. An empty needle is never found.
pub fn find_str(haystack: &str, needle: &str) -> Option<usize> {
    let needle = needle.as_bytes();
    haystack.as_bytes().windows(needle.len().max(1)).position(|w| w == needle)
}

/// Whether `c` is one of the ASCII characters of `set`. `str::contains(char)` would do, but for
/// a char not known when compiling it links the substring searcher too (a non-ASCII char is
/// looked for as a string).
pub fn is_one_of(c: char, set: &str) -> bool {
    c.is_ascii() && set.as_bytes().contains(&(c as u8))
}

impl Instant {
    /// This instant plus `ms` milliseconds (saturating).
    pub fn plus_ms(self, ms: u64) -> Instant {
        Instant(self.0.saturating_add(ms))
    }

    /// Milliseconds from `earlier` to `self`, zero when `earlier` is later.
    pub fn since(self, earlier: Instant) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_str_finds_the_first_whole_needle() {
        assert_eq!(find_str("https://a/b://c", "://"), Some(5));
        assert_eq!(find_str("a..b", ".."), Some(1));
        assert_eq!(find_str("Uploading {}", "{}"), Some(10));
        assert_eq!(find_str("a.b", ".."), None);
        assert_eq!(find_str("ab", "abc"), None);
        assert_eq!(find_str("ab", ""), None);
    }

    #[test]
    fn is_one_of_matches_ascii_members_only() {
        assert!(is_one_of('<', "<>\"") && is_one_of('"', "<>\""));
        assert!(!is_one_of('a', "<>") && !is_one_of('é', "é"), "a non-ASCII char is never a member");
    }
}
