//! XEP-0333 chat markers: a `<markable/>` message may be acknowledged with `<received/>`,
//! `<displayed/>` or `<acknowledged/>` naming its id.

use super::ns;
use super::xml::Element;

/// Which marker a message carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MarkerKind {
    /// The message reached the recipient's client.
    Received,
    /// The message was shown to the recipient.
    Displayed,
    /// The recipient acted on the message.
    Acknowledged,
}

impl MarkerKind {
    /// The element name.
    pub fn as_str(self) -> &'static str {
        match self {
            MarkerKind::Received => "received",
            MarkerKind::Displayed => "displayed",
            MarkerKind::Acknowledged => "acknowledged",
        }
    }
}

/// The marker payload a message carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Marker {
    /// The message may be marked.
    Markable,
    /// This message marks the message with the given id.
    Mark(MarkerKind, String),
}

impl Marker {
    /// Reads the marker payload of a message. A marker without an id is ignored; a marker wins
    /// over `<markable/>` when a message has both.
    pub fn from_message(message: &Element) -> Option<Marker> {
        let mut markable = false;
        for e in message.elements() {
            if e.ns != ns::CHAT_MARKERS {
                continue;
            }
            let kind = match e.name.as_str() {
                "received" => MarkerKind::Received,
                "displayed" => MarkerKind::Displayed,
                "acknowledged" => MarkerKind::Acknowledged,
                name => {
                    markable |= name == "markable";
                    continue;
                }
            };
            if let Some(id) = e.get_attr("id").filter(|id| !id.is_empty()) {
                return Some(Marker::Mark(kind, id.to_owned()));
            }
        }
        markable.then_some(Marker::Markable)
    }

    /// The element to put in a message.
    pub fn to_element(&self) -> Element {
        match self {
            Marker::Markable => Element::new("markable", ns::CHAT_MARKERS),
            Marker::Mark(kind, id) => Element::new(kind.as_str(), ns::CHAT_MARKERS).attr("id", id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_markable_and_displayed_from_the_xep() {
        // XEP-0333 examples 1 and 3 (trimmed).
        let m = Element::parse(
            "<message xmlns='jabber:client' from='northumberland@shakespeare.lit/westminster' id='message-1' \
             to='ingrichard@royalty.england.lit/throne'><body>My lord, dispatch; read o'er these articles.</body>\
             <markable xmlns='urn:xmpp:chat-markers:0'/></message>",
        )
        .unwrap();
        assert_eq!(Marker::from_message(&m), Some(Marker::Markable));
        let d = Element::parse(
            "<message xmlns='jabber:client' from='kingrichard@royalty.england.lit/throne' id='message-2' \
             to='northumberland@shakespeare.lit/westminster'><displayed xmlns='urn:xmpp:chat-markers:0' id='message-1'/></message>",
        )
        .unwrap();
        assert_eq!(Marker::from_message(&d), Some(Marker::Mark(MarkerKind::Displayed, "message-1".into())));
    }

    #[test]
    fn writes_and_ignores_garbage() {
        let m = Marker::Mark(MarkerKind::Acknowledged, "x".into());
        assert_eq!(Marker::from_message(&Element::new("message", ns::CLIENT).child(m.to_element())), Some(m));
        let junk = Element::parse(
            "<message xmlns='jabber:client'><displayed xmlns='urn:xmpp:chat-markers:0'/>\
             <seen xmlns='urn:xmpp:chat-markers:0' id='1'/></message>",
        )
        .unwrap();
        assert_eq!(Marker::from_message(&junk), None);
    }
}
