//! XEP-0184 message delivery receipts: `<request/>` on a message asks the recipient to answer
//! with `<received id='…'/>` naming it.

use super::ns;
use super::xml::Element;

/// The receipt payload a message carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Receipt {
    /// The sender asks for a receipt.
    Request,
    /// This message acknowledges the message whose id is given.
    Received(String),
}

impl Receipt {
    /// Reads the receipt payload of a message. A `<received/>` without an id cannot be correlated
    /// and is ignored; `<received/>` wins over `<request/>` when a message has both.
    pub fn from_message(message: &Element) -> Option<Receipt> {
        let received = message
            .find("received", ns::RECEIPTS)
            .and_then(|r| r.get_attr("id"))
            .filter(|id| !id.is_empty())
            .map(|id| Receipt::Received(id.to_owned()));
        received.or_else(|| message.find("request", ns::RECEIPTS).map(|_| Receipt::Request))
    }

    /// The element to put in a message.
    pub fn to_element(&self) -> Element {
        match self {
            Receipt::Request => Element::new("request", ns::RECEIPTS),
            Receipt::Received(id) => received(id),
        }
    }
}

/// The `<received/>` acknowledging message `id`, from a borrowed id: senders have one at hand,
/// and a [`Receipt`] would copy it only to drop it.
pub fn received(id: &str) -> Element {
    Element::new("received", ns::RECEIPTS).attr("id", id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_request_and_received_from_the_xep() {
        // XEP-0184 examples 3 and 4.
        let req = Element::parse(
            "<message xmlns='jabber:client' from='northumberland@shakespeare.lit/westminster' id='richard2-4.1.247' \
             to='kingrichard@royalty.england.lit/throne'><body>My lord, dispatch; read o'er these articles.</body>\
             <request xmlns='urn:xmpp:receipts'/></message>",
        )
        .unwrap();
        assert_eq!(Receipt::from_message(&req), Some(Receipt::Request));
        let ack = Element::parse(
            "<message xmlns='jabber:client' from='kingrichard@royalty.england.lit/throne' id='bi29sg183b4v' \
             to='northumberland@shakespeare.lit/westminster'><received xmlns='urn:xmpp:receipts' id='richard2-4.1.247'/></message>",
        )
        .unwrap();
        assert_eq!(Receipt::from_message(&ack), Some(Receipt::Received("richard2-4.1.247".into())));
    }

    #[test]
    fn writes_and_ignores_garbage() {
        assert_eq!(Receipt::Received("a&b".into()).to_element().to_xml(), "<received xmlns=\"urn:xmpp:receipts\" id=\"a&amp;b\"/>");
        let m = Element::parse("<message xmlns='jabber:client'><received xmlns='urn:xmpp:receipts'/><request xmlns='urn:other'/></message>").unwrap();
        assert_eq!(Receipt::from_message(&m), None);
    }
}
