//! XEP-0359 unique and stable stanza ids: the `<origin-id/>` a sender stamps on its message and
//! the `<stanza-id by='…'/>` a room or archive assigns.

use super::jid::Jid;
use super::ns;
use super::xml::Element;

/// The sender's `<origin-id id='…'/>` of a message, if any.
pub fn origin_id(message: &Element) -> Option<String> {
    message.find("origin-id", ns::SID).and_then(|e| e.get_attr("id")).filter(|id| !id.is_empty()).map(str::to_owned)
}

/// The `<origin-id/>` element to stamp on a message we send.
pub fn origin_id_element(id: &str) -> Element {
    Element::new("origin-id", ns::SID).attr("id", id)
}

/// The `<stanza-id/>` assigned by `by` (the room, for groupchat messages). Ids claimed by any
/// other entity are ignored: XEP-0359 §5 lets a sender forge them, only the assigning entity's
/// can be trusted.
pub fn stanza_id_by(message: &Element, by: &Jid) -> Option<String> {
    for e in message.find_all("stanza-id", ns::SID) {
        let id = e.get_attr("id").filter(|id| !id.is_empty());
        if e.get_attr("by").and_then(|b| Jid::parse(b).ok()).as_ref() == Some(by) && id.is_some() {
            return id.map(str::to_owned);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_xep_example() {
        // XEP-0359 example 2, as a room would reflect it.
        let m = Element::parse(
            "<message xmlns='jabber:client' to='room@muc.example.com' type='groupchat'>\
             <stanza-id xmlns='urn:xmpp:sid:0' id='5f3dbc5e-e1d3-4077-a492-693f3769c7ad' by='room@muc.example.com'/>\
             <origin-id xmlns='urn:xmpp:sid:0' id='de305d54-75b4-431b-adb2-eb6b9e546013'/></message>",
        )
        .unwrap();
        let room = Jid::parse("room@muc.example.com").unwrap();
        assert_eq!(origin_id(&m).as_deref(), Some("de305d54-75b4-431b-adb2-eb6b9e546013"));
        assert_eq!(stanza_id_by(&m, &room).as_deref(), Some("5f3dbc5e-e1d3-4077-a492-693f3769c7ad"));
        let out = Element::new("message", ns::CLIENT).child(origin_id_element("abc"));
        assert_eq!(origin_id(&out).as_deref(), Some("abc"));
    }

    #[test]
    fn ignores_forged_and_empty_ids() {
        let m = Element::parse(
            "<message xmlns='jabber:client'><stanza-id xmlns='urn:xmpp:sid:0' id='forged' by='evil@example.com'/>\
             <stanza-id xmlns='urn:xmpp:sid:0' id='no-by'/><stanza-id xmlns='urn:xmpp:sid:0' by='room@muc.example.com'/>\
             <stanza-id xmlns='urn:xmpp:sid:0' id='ok' by='ROOM@muc.example.com'/><origin-id xmlns='urn:xmpp:sid:0' id=''/></message>",
        )
        .unwrap();
        assert_eq!(stanza_id_by(&m, &Jid::parse("room@muc.example.com").unwrap()).as_deref(), Some("ok"));
        assert_eq!(origin_id(&m), None);
    }
}
