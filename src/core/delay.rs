//! XEP-0203 delayed delivery: `<delay stamp='…' from='…'/>` on messages a room replays from its
//! history. The stamp becomes the message object's `time`.

use super::datetime::parse_iso;
use super::ns;
use super::xml::Element;

/// A delay stamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delay {
    /// When the message was originally sent, in ms since the Unix epoch (UTC).
    pub stamp_ms: u64,
    /// Who delayed it (the room), if given.
    pub from: Option<String>,
}

impl Delay {
    /// The delay of a stanza; `None` without one or when the stamp does not parse. The legacy
    /// XEP-0091 `<x xmlns='jabber:x:delay'/>` is read too, for old servers.
    pub fn from_stanza(stanza: &Element) -> Option<Delay> {
        let e = stanza.find("delay", ns::DELAY).or_else(|| stanza.find("x", LEGACY))?;
        let stamp_ms = parse_iso(e.get_attr("stamp")?)?;
        Some(Delay { stamp_ms, from: e.get_attr("from").map(str::to_owned) })
    }
}

/// XEP-0091 (obsolete) legacy delayed delivery.
const LEGACY: &str = "jabber:x:delay";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_xep_examples() {
        // XEP-0203 example 1, and the same in the legacy form.
        let m = Element::parse(
            "<message xmlns='jabber:client' from='romeo@montague.net/orchard' to='juliet@capulet.com' type='chat'>\
             <body>O blessed, blessed night! I am afeard.</body>\
             <delay xmlns='urn:xmpp:delay' from='capulet.com' stamp='2002-09-10T23:08:25Z'>Offline Storage</delay></message>",
        )
        .unwrap();
        assert_eq!(Delay::from_stanza(&m), Some(Delay { stamp_ms: 1_031_699_305_000, from: Some("capulet.com".into()) }));
        let legacy = Element::parse("<message xmlns='jabber:client'><x xmlns='jabber:x:delay' stamp='20020910T23:08:25'/></message>").unwrap();
        assert_eq!(Delay::from_stanza(&legacy).map(|d| d.stamp_ms), Some(1_031_699_305_000));
    }

    #[test]
    fn ignores_bad_stamps() {
        for xml in [
            "<message xmlns='jabber:client'><delay xmlns='urn:xmpp:delay' stamp='last tuesday'/></message>",
            "<message xmlns='jabber:client'><delay xmlns='urn:xmpp:delay'/></message>",
            "<message xmlns='jabber:client'><delay stamp='2002-09-10T23:08:25Z'/></message>",
        ] {
            assert_eq!(Delay::from_stanza(&Element::parse(xml).unwrap()), None, "{xml}");
        }
    }
}
