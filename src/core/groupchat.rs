//! Groupchat message stanzas: the ones we send to a room (text and media messages, chat states,
//! receipts, markers) and what we read from the ones a room sends, combining the XEP modules.

use super::chatstates::ChatState;
use super::decisions;
use super::delay::Delay;
use super::jid::Jid;
use super::markers::{Marker, MarkerKind};
use super::message::{FileRef, InteractionData};
use super::muc::occupant_id;
use super::ns;
use super::oob::Oob;
use super::receipts::Receipt;
use super::stanza_error::StanzaError;
use super::stanza_id::{origin_id, origin_id_element, stanza_id_by};
use super::xml::Element;

/// A `type='groupchat'` message to `room` with `id` as both `id` and XEP-0359 origin-id.
fn groupchat(room: &Jid, id: &str) -> Element {
    Element::new("message", ns::CLIENT).attr("to", room.as_str()).attr("type", "groupchat").attr("id", id)
}

/// A message from `sendMessage`: the body ([`decisions::outgoing_body`]), the origin-id, a
/// receipt request, `<markable/>`, `<active/>`, one OOB element per file and the spec's
/// `<exotel subtype='…'/>`.
pub fn chat_message(room: &Jid, id: &str, body: &str, subtype: &str, files: &[FileRef]) -> Element {
    let mut m = groupchat(room, id)
        .child(Element::new("body", ns::CLIENT).text(&decisions::outgoing_body(body, files)))
        .child(origin_id_element(id))
        .child(Receipt::Request.to_element())
        .child(Marker::Markable.to_element())
        .child(ChatState::Active.to_element());
    for f in files {
        let desc = Some(f.name.clone()).filter(|n| !n.is_empty());
        m.push(Oob { url: f.url.clone(), desc }.to_element());
    }
    m.child(decisions::exotel_element(subtype))
}

/// A message carrying only a chat state.
pub fn chat_state_message(room: &Jid, id: &str, state: ChatState) -> Element {
    groupchat(room, id).child(state.to_element()).child(origin_id_element(id))
}

/// A delivery receipt (`<received id=msgid/>`) for message `msgid`.
pub fn receipt_message(room: &Jid, id: &str, msgid: &str) -> Element {
    groupchat(room, id).child(Receipt::Received(msgid.to_owned()).to_element()).child(origin_id_element(id))
}

/// A `displayed` chat marker for message `msgid`.
pub fn displayed_message(room: &Jid, id: &str, msgid: &str) -> Element {
    groupchat(room, id).child(Marker::Mark(MarkerKind::Displayed, msgid.to_owned()).to_element()).child(origin_id_element(id))
}

/// What a received message stanza carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingMessage {
    /// Sender: `room/nick` for occupants, the bare room for the room itself.
    pub from: Jid,
    /// The `type` attribute (`"normal"` when absent, RFC 6121 §5.2.2).
    pub kind: String,
    /// The `id` attribute.
    pub id: Option<String>,
    /// The `to` attribute.
    pub to: Option<String>,
    /// The body text (the first `<body/>`).
    pub body: Option<String>,
    /// Whether the message sets the room subject.
    pub has_subject: bool,
    /// XEP-0359 origin-id.
    pub origin_id: Option<String>,
    /// XEP-0359 stanza-id assigned by the room (`by` = the bare sender).
    pub stanza_id: Option<String>,
    /// XEP-0203 delay (history replay).
    pub delay: Option<Delay>,
    /// XEP-0421 occupant id.
    pub occupant_id: Option<String>,
    /// XEP-0085 chat state.
    pub chat_state: Option<ChatState>,
    /// XEP-0184 receipt request or receipt.
    pub receipt: Option<Receipt>,
    /// XEP-0333 markable or marker.
    pub marker: Option<Marker>,
    /// XEP-0066 files.
    pub oob: Vec<Oob>,
    /// The spec's `subtype` ([`decisions::read_exotel`]).
    pub subtype: Option<String>,
    /// The spec's `role` → `userRole`.
    pub role: Option<String>,
    /// The spec's end of chat ([`decisions::read_chat_ended`]).
    pub chat_ended: Option<InteractionData>,
    /// For `type='error'`, the error.
    pub error: Option<StanzaError>,
}

impl IncomingMessage {
    /// Reads a message stanza. `None` when it is not a message or has no parsable `from`.
    /// Everything else is optional: unknown children are ignored.
    pub fn parse(stanza: &Element) -> Option<IncomingMessage> {
        if stanza.name != "message" {
            return None;
        }
        let from = Jid::parse(stanza.get_attr("from")?).ok()?;
        let kind = stanza.get_attr("type").unwrap_or("normal").to_owned();
        let (subtype, role) = decisions::read_exotel(stanza);
        Some(IncomingMessage {
            stanza_id: stanza_id_by(stanza, &from.bare()),
            kind,
            id: stanza.get_attr("id").filter(|id| !id.is_empty()).map(str::to_owned),
            to: stanza.get_attr("to").map(str::to_owned),
            body: stanza.child_text("body", &stanza.ns),
            has_subject: stanza.find("subject", &stanza.ns).is_some(),
            origin_id: origin_id(stanza),
            delay: Delay::from_stanza(stanza),
            occupant_id: occupant_id(stanza),
            chat_state: ChatState::from_message(stanza),
            receipt: Receipt::from_message(stanza),
            marker: Marker::from_message(stanza),
            oob: Oob::from_message(stanza),
            subtype,
            role,
            chat_ended: decisions::read_chat_ended(stanza),
            error: if stanza.get_attr("type") == Some("error") { StanzaError::from_stanza(stanza) } else { None },
            from,
        })
    }

    /// The nick of the sender (empty for the room itself).
    pub fn nick(&self) -> &str {
        self.from.resource().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room() -> Jid {
        Jid::parse("room1@conference.example.com").unwrap()
    }

    #[test]
    fn builds_a_media_message_with_every_part() {
        let files = [
            FileRef { url: "https://f.example/a.png".into(), name: "a.png".into() },
            FileRef { url: "https://f.example/b.pdf".into(), name: String::new() },
        ];
        let m = chat_message(&room(), "ex-1", "", "media_msg", &files);
        assert_eq!(
            m.to_xml(),
            "<message xmlns=\"jabber:client\" to=\"room1@conference.example.com\" type=\"groupchat\" id=\"ex-1\">\
             <body>https://f.example/a.png</body>\
             <origin-id xmlns=\"urn:xmpp:sid:0\" id=\"ex-1\"/>\
             <request xmlns=\"urn:xmpp:receipts\"/>\
             <markable xmlns=\"urn:xmpp:chat-markers:0\"/>\
             <active xmlns=\"http://jabber.org/protocol/chatstates\"/>\
             <x xmlns=\"jabber:x:oob\"><url>https://f.example/a.png</url><desc>a.png</desc></x>\
             <x xmlns=\"jabber:x:oob\"><url>https://f.example/b.pdf</url></x>\
             <exotel xmlns=\"urn:exotel:chat:0\" subtype=\"media_msg\"/></message>"
        );
        // What we send reads back the same way.
        let mut reflected = m.clone();
        reflected.set_attr("from", "room1@conference.example.com/Customer");
        let back = IncomingMessage::parse(&Element::parse(&reflected.to_xml()).unwrap()).unwrap();
        assert_eq!(back.body.as_deref(), Some("https://f.example/a.png"));
        assert_eq!((back.origin_id.as_deref(), back.id.as_deref()), (Some("ex-1"), Some("ex-1")));
        assert_eq!(
            (&back.receipt, &back.marker, back.chat_state),
            (&Some(Receipt::Request), &Some(Marker::Markable), Some(ChatState::Active))
        );
        assert_eq!(back.oob.len(), 2);
        assert_eq!(back.subtype.as_deref(), Some("media_msg"));
        assert_eq!(back.nick(), "Customer");
    }

    #[test]
    fn builds_state_receipt_and_marker_messages() {
        let s = chat_state_message(&room(), "s1", ChatState::Composing);
        assert!(s.find("composing", ns::CHAT_STATES).is_some() && s.find("body", ns::CLIENT).is_none());
        let r = receipt_message(&room(), "r1", "m-9");
        assert_eq!(Receipt::from_message(&r), Some(Receipt::Received("m-9".into())));
        let d = displayed_message(&room(), "d1", "m-9");
        assert_eq!(Marker::from_message(&d), Some(Marker::Mark(MarkerKind::Displayed, "m-9".into())));
        for m in [&s, &r, &d] {
            assert_eq!(m.get_attr("type"), Some("groupchat"));
            assert!(m.find("exotel", ns::EXOTEL).is_none());
        }
    }

    #[test]
    fn parses_room_messages_leniently() {
        // XEP-0045 example 48, from the room with a subject, plus unknown children.
        let subject = IncomingMessage::parse(
            &Element::parse(
                "<message xmlns='jabber:client' from='coven@chat.shakespeare.lit/secondwitch' type='groupchat'>\
                 <subject>Fire Burn and Cauldron Bubble!</subject><weird xmlns='urn:x'/><body/></message>",
            )
            .unwrap(),
        )
        .unwrap();
        assert!(subject.has_subject);
        assert_eq!(subject.body.as_deref(), Some(""));
        assert_eq!((subject.id, subject.stanza_id, subject.delay), (None, None, None));
        let error = IncomingMessage::parse(
            &Element::parse(
                "<message xmlns='jabber:client' from='coven@chat.shakespeare.lit' type='error' id='x-3'>\
                 <error type='modify'><not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>",
            )
            .unwrap(),
        )
        .unwrap();
        assert!(error.error.unwrap().is("not-acceptable"));
        assert_eq!(error.kind, "error");
        for bad in ["<message xmlns='jabber:client'/>", "<message xmlns='jabber:client' from=''/>", "<presence from='a@b/c'/>"] {
            assert_eq!(IncomingMessage::parse(&Element::parse(bad).unwrap()), None, "{bad}");
        }
    }
}
