//! XMPP addresses (RFC 7622) without stringprep tables.
//!
//! The `jid` crate carries IDNA and PRECIS tables (~136 KB gzip), too heavy for a widget. The
//! server already enforces the full profiles on everything it routes, so this type checks what can
//! be checked cheaply — part lengths, characters the localpart may never hold, controls — and
//! applies the one mapping comparisons depend on: localpart and domainpart are lowercased (the
//! RFC's case-mapping rule for both), the resourcepart (a MUC nick) keeps its case.
//!
//! Lowercasing is ASCII-only. Domainparts are ASCII in practice (IDNA A-labels), and the
//! localparts we compare are the ones the Exotel service generates (account names, room ids),
//! which are ASCII too; a non-ASCII localpart keeps its case, and since the server echoes
//! addresses in the form it stores, comparisons still hold. Full Unicode case mapping would
//! ship its tables (~15 KB) to every page.
//!
//! A room is a bare JID (`room@conference.example.com`); an occupant is the room with the nick as
//! resource (`room@conference.example.com/nick`).

use std::fmt;
use std::str::FromStr;

/// Longest localpart, domainpart or resourcepart, in bytes (RFC 7622 §3.2-3.4).
const MAX_PART: usize = 1023;

/// Why a string is not a JID.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum JidError {
    /// A `@` with nothing before it.
    EmptyLocal,
    /// The localpart is longer than 1023 bytes.
    LocalTooLong,
    /// The localpart holds a character RFC 7622 forbids there (`"&'/:<>@`, space, control).
    LocalForbidden(char),
    /// No domainpart.
    EmptyDomain,
    /// The domainpart is longer than 1023 bytes.
    DomainTooLong,
    /// The domainpart holds a character no domain name or IP literal can hold, or an empty label.
    DomainInvalid,
    /// A `/` with nothing after it.
    EmptyResource,
    /// The resourcepart is longer than 1023 bytes.
    ResourceTooLong,
    /// The resourcepart holds a control character.
    ResourceForbidden(char),
}

impl fmt::Display for JidError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JidError::EmptyLocal => f.write_str("empty localpart"),
            JidError::LocalTooLong => f.write_str("localpart longer than 1023 bytes"),
            JidError::LocalForbidden(c) => write!(f, "character U+{:04X} not allowed in a localpart", u32::from(*c)),
            JidError::EmptyDomain => f.write_str("empty domainpart"),
            JidError::DomainTooLong => f.write_str("domainpart longer than 1023 bytes"),
            JidError::DomainInvalid => f.write_str("invalid domainpart"),
            JidError::EmptyResource => f.write_str("empty resourcepart"),
            JidError::ResourceTooLong => f.write_str("resourcepart longer than 1023 bytes"),
            JidError::ResourceForbidden(c) => write!(f, "character U+{:04X} not allowed in a resourcepart", u32::from(*c)),
        }
    }
}

impl std::error::Error for JidError {}

/// An XMPP address `[local@]domain[/resource]`, validated and with local and domain lowercased.
///
/// Held as its string form with the boundaries of its parts, so that copying, comparing and
/// printing one is a single string operation.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Jid {
    /// `[local@]domain[/resource]`, normalised.
    full: String,
    /// Where the domainpart starts (0 without a localpart, else after the `@`).
    domain_at: usize,
    /// Where the domainpart ends (the `/` before a resourcepart, else the length).
    domain_end: usize,
}

impl Jid {
    /// Parses `[local@]domain[/resource]`: the resource runs from the first `/` to the end (it may
    /// hold `@` and `/`), the localpart ends at the first `@` before it.
    pub fn parse(s: &str) -> Result<Jid, JidError> {
        let (bare, resource) = match s.split_once('/') {
            Some((b, r)) => (b, Some(r)),
            None => (s, None),
        };
        let (local, domain) = match bare.split_once('@') {
            Some((l, d)) => (Some(l), d),
            None => (None, bare),
        };
        Jid::new(local, domain, resource)
    }

    /// Builds a JID from its parts, validating each.
    pub fn new(local: Option<&str>, domain: &str, resource: Option<&str>) -> Result<Jid, JidError> {
        let mut full = match local {
            Some(local) => check_local(local)? + "@",
            None => String::new(),
        };
        let domain_at = full.len();
        full.push_str(&check_domain(domain)?);
        let bare = Jid { domain_end: full.len(), full, domain_at };
        match resource {
            Some(resource) => bare.with_resource(resource),
            None => Ok(bare),
        }
    }

    /// The localpart (the room name for a room JID), lowercased.
    pub fn local(&self) -> Option<&str> {
        self.full.get(..self.domain_at.checked_sub(1)?)
    }

    /// The domainpart, lowercased.
    pub fn domain(&self) -> &str {
        self.full.get(self.domain_at..self.domain_end).unwrap_or_default()
    }

    /// The resourcepart (the nick for an occupant JID).
    pub fn resource(&self) -> Option<&str> {
        self.full.get(self.domain_end + 1..)
    }

    /// The JID as text: `[local@]domain[/resource]`.
    pub fn as_str(&self) -> &str {
        &self.full
    }

    /// The JID as an owned string (without going through `Display`).
    pub fn into_string(self) -> String {
        self.full
    }

    /// This JID without its resource.
    pub fn bare(&self) -> Jid {
        Jid { full: self.bare_str().to_owned(), ..*self }
    }

    /// This JID's bare part with `resource` (e.g. a room JID with a nick → occupant JID).
    pub fn with_resource(&self, resource: &str) -> Result<Jid, JidError> {
        check_resource(resource)?;
        let full = format!("{}/{resource}", self.bare_str());
        Ok(Jid { full, ..*self })
    }

    /// Whether this JID has no resource.
    pub fn is_bare(&self) -> bool {
        self.domain_end == self.full.len()
    }

    fn bare_str(&self) -> &str {
        self.full.get(..self.domain_end).unwrap_or_default()
    }

    fn parts(&self) -> (Option<&str>, &str, Option<&str>) {
        (self.local(), self.domain(), self.resource())
    }
}

/// Ordered part by part (localpart, then domainpart, then resourcepart; a missing part first), as
/// the maps keyed by JID iterate.
impl Ord for Jid {
    fn cmp(&self, other: &Jid) -> std::cmp::Ordering {
        self.parts().cmp(&other.parts())
    }
}

impl PartialOrd for Jid {
    fn partial_cmp(&self, other: &Jid) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Jid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.full)
    }
}

impl FromStr for Jid {
    type Err = JidError;

    fn from_str(s: &str) -> Result<Jid, JidError> {
        Jid::parse(s)
    }
}

fn check_local(local: &str) -> Result<String, JidError> {
    if local.is_empty() {
        return Err(JidError::EmptyLocal);
    }
    if let Some(c) = forbidden(local, "\"&'/:<>@", false) {
        return Err(JidError::LocalForbidden(c));
    }
    let local = local.to_ascii_lowercase();
    if local.len() > MAX_PART {
        return Err(JidError::LocalTooLong);
    }
    Ok(local)
}

fn check_domain(domain: &str) -> Result<String, JidError> {
    // RFC 7622 §3.2: a trailing dot (fully qualified form) is removed before anything else.
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    if domain.is_empty() {
        return Err(JidError::EmptyDomain);
    }
    let domain = domain.to_ascii_lowercase();
    if domain.len() > MAX_PART {
        return Err(JidError::DomainTooLong);
    }
    let valid = if let Some(inner) = domain.strip_prefix('[').and_then(|d| d.strip_suffix(']')) {
        // An IPv6 literal: hex digits, colons and dots (a plain loop, no iterator adapter).
        let mut ok = !inner.is_empty();
        for b in inner.bytes() {
            ok &= b.is_ascii_hexdigit() || b == b':' || b == b'.';
        }
        ok
    } else {
        // No empty label, and no character a domain name cannot hold.
        let empty_label = domain.starts_with('.') || domain.ends_with('.') || crate::core::find_str(&domain, "..").is_some();
        !empty_label && forbidden(&domain, "\"&'/:<>@[]\\", false).is_none()
    };
    if valid {
        Ok(domain)
    } else {
        Err(JidError::DomainInvalid)
    }
}

fn check_resource(resource: &str) -> Result<(), JidError> {
    if resource.is_empty() {
        return Err(JidError::EmptyResource);
    }
    if resource.len() > MAX_PART {
        return Err(JidError::ResourceTooLong);
    }
    match forbidden(resource, "", true) {
        Some(c) => Err(JidError::ResourceForbidden(c)),
        None => Ok(()),
    }
}

/// The first character of `s` that is a control character, one of `listed`, or (unless
/// `spaces`) white space.
#[allow(clippy::manual_find, reason = "a plain loop: `Iterator::find` would instantiate a `try_fold` per closure in the module")]
fn forbidden(s: &str, listed: &str, spaces: bool) -> Option<char> {
    for c in s.chars() {
        if c.is_control() || crate::core::is_one_of(c, listed) || (!spaces && c.is_whitespace()) {
            return Some(c);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_full_bare_and_domain_jids() {
        let j = Jid::parse("Room-ABC@Conference.Example.COM/Agent Smith").unwrap();
        assert_eq!(j.local(), Some("room-abc"));
        assert_eq!(j.domain(), "conference.example.com");
        assert_eq!(j.resource(), Some("Agent Smith"));
        assert!(!j.is_bare());
        assert_eq!(j.to_string(), "room-abc@conference.example.com/Agent Smith");
        assert_eq!(j.bare().to_string(), "room-abc@conference.example.com");
        assert!(j.bare().is_bare());

        let d = Jid::parse("upload.example.com").unwrap();
        assert_eq!((d.local(), d.domain(), d.resource()), (None, "upload.example.com", None));
        let fq: Jid = "u@example.com.".parse().unwrap();
        assert_eq!(fq.to_string(), "u@example.com");
        assert_eq!(Jid::parse("u@[::1]/r").unwrap().domain(), "[::1]");
    }

    #[test]
    fn resource_keeps_slashes_and_at_signs() {
        let j = Jid::parse("r@c.d/nick/with@odd/bits").unwrap();
        assert_eq!(j.local(), Some("r"));
        assert_eq!(j.resource(), Some("nick/with@odd/bits"));
        let k = Jid::parse("c.d/a@b").unwrap();
        assert_eq!((k.local(), k.resource()), (None, Some("a@b")));
    }

    #[test]
    fn with_resource_makes_occupant_jids() {
        let room = Jid::parse("room@conference.example.com").unwrap();
        let occ = room.with_resource("Customer").unwrap();
        assert_eq!(occ.to_string(), "room@conference.example.com/Customer");
        assert_eq!(occ.bare(), room);
        assert_eq!(occ.with_resource("Other").unwrap().resource(), Some("Other"));
        assert_eq!(room.with_resource(""), Err(JidError::EmptyResource));
        assert_eq!(room.with_resource("a\u{7}b"), Err(JidError::ResourceForbidden('\u{7}')));
    }

    #[test]
    fn equality_ignores_case_of_local_and_domain_only() {
        assert_eq!(Jid::parse("A@B.c/X").unwrap(), Jid::parse("a@b.C/X").unwrap());
        assert_ne!(Jid::parse("a@b.c/X").unwrap(), Jid::parse("a@b.c/x").unwrap());
        assert_eq!(Jid::new(Some("U"), "Ex.com", Some("R")).unwrap(), Jid::parse("u@ex.com/R").unwrap());
        // ASCII-only case mapping (see the module documentation).
        assert_eq!(Jid::parse("Émile@Ex.com").unwrap().local(), Some("Émile"));
    }

    #[test]
    fn refuses_invalid_jids() {
        assert_eq!(Jid::parse(""), Err(JidError::EmptyDomain));
        assert_eq!(Jid::parse("@example.com"), Err(JidError::EmptyLocal));
        assert_eq!(Jid::parse("user@"), Err(JidError::EmptyDomain));
        assert_eq!(Jid::parse("user@example.com/"), Err(JidError::EmptyResource));
        assert_eq!(Jid::parse("/res"), Err(JidError::EmptyDomain));
        for bad in ['"', '&', '\'', ':', '<', '>', ' ', '\t', '\u{0}'] {
            let s = format!("a{bad}b@example.com");
            assert_eq!(Jid::parse(&s), Err(JidError::LocalForbidden(bad)), "{s:?}");
        }
        assert_eq!(Jid::parse("a@b@example.com"), Err(JidError::DomainInvalid));
        assert_eq!(Jid::parse("u@exa mple.com"), Err(JidError::DomainInvalid));
        assert_eq!(Jid::parse("u@example..com"), Err(JidError::DomainInvalid));
        assert_eq!(Jid::parse("u@<script>"), Err(JidError::DomainInvalid));
        assert_eq!(Jid::parse("u@[zz]"), Err(JidError::DomainInvalid));
        assert_eq!(Jid::parse("u@example.com/a\nb"), Err(JidError::ResourceForbidden('\n')));
    }

    #[test]
    fn enforces_part_lengths_in_bytes() {
        let ok = "a".repeat(1023);
        assert!(Jid::parse(&format!("{ok}@example.com/{ok}")).is_ok());
        let long = "a".repeat(1024);
        assert_eq!(Jid::parse(&format!("{long}@example.com")), Err(JidError::LocalTooLong));
        assert_eq!(Jid::parse(&format!("u@example.com/{long}")), Err(JidError::ResourceTooLong));
        assert_eq!(Jid::parse(&format!("u@{}com", "a.".repeat(511))), Err(JidError::DomainTooLong));
        // 512 two-byte characters are 1024 bytes.
        assert_eq!(Jid::parse(&format!("u@e.c/{}", "é".repeat(512))), Err(JidError::ResourceTooLong));
    }
}
