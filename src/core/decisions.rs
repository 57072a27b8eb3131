//! Every wire decision the spec marks **D**, in one module.
//!
//! The reference of exotel-chat-sdk.js leaves these formats open; `shared/spec/exochat-reference.md`
//! records what we chose. When a production format is confirmed, the change is here alone: the rest
//! of the core calls these functions and constants and never hard-codes the choices.

use crate::core::json::Value;

/// **D**: `campaignId` travels in the provisioning body as the number the config holds.
pub fn campaign_id_json(campaign_id: i64) -> Value {
    Value::from(campaign_id)
}

/// **D**: the room JID is `roomName` when it contains `@`, else
/// `{roomName}@conference.{domain of username}`.
pub fn room_jid(room_name: &str, username: &str) -> String {
    if room_name.contains('@') {
        return room_name.to_owned();
    }
    let domain = username.rsplit_once('@').map_or(username, |(_, d)| d);
    let domain = domain.split('/').next().unwrap_or(domain);
    let mut jid = room_name.to_owned();
    jid.push_str("@conference.");
    jid.push_str(domain);
    jid
}

/// **D**: the feedback-config path under `cms_service_domain`, with its separators.
pub fn feedback_config_path(contact_center_id: i64, process_id: i64, campaign_id: i64, nodeflow_id: i64) -> String {
    format!(
        "/configuration/cc-list/{contact_center_id}/process-list/{process_id}/campaigns/{campaign_id}\
         /chat-feedback-schemes-configurations/{campaign_id}_{nodeflow_id}_webchat"
    )
}

/// **D**: the archive endpoint may answer in the Openfire REST API chat-history shape
/// (`{"message": [...]}`, where a single message may come as an object instead of an array) or as
/// a bare JSON array of the same objects. Returns the message entries, or `None` for any other shape.
pub fn archive_items(value: &Value) -> Option<&[Value]> {
    match value {
        Value::Array(items) => Some(items),
        Value::Object(_) => match value.get("message") {
            Some(Value::Array(items)) => Some(items),
            Some(one @ Value::Object(_)) => Some(std::slice::from_ref(one)),
            Some(Value::Null) => Some(&[]),
            _ => None,
        },
        _ => None,
    }
}

/// **D**: the `view_mode` values `initialize` accepts: `""` and `"overlayed"` (a floating icon and
/// panel), `"fullscreen"`, `"embedded"`.
pub const VIEW_MODES: [&str; 4] = ["", "overlayed", "fullscreen", "embedded"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_jid_follows_the_decision() {
        assert_eq!(room_jid("room-abc123", "xmpp-user@omni.example.com"), "room-abc123@conference.omni.example.com");
        assert_eq!(room_jid("r@muc.example.com", "u@example.com"), "r@muc.example.com");
        assert_eq!(room_jid("r", "u@example.com/res"), "r@conference.example.com");
    }

    #[test]
    fn feedback_path_uses_the_template() {
        assert_eq!(
            feedback_config_path(7, 4, 1, 5),
            "/configuration/cc-list/7/process-list/4/campaigns/1/chat-feedback-schemes-configurations/1_5_webchat"
        );
    }
}

// ── The XMPP wire (stanza layer) ─────────────────────────────────────────────────────────────
// How `subtype`, `files`, `userRole`, `chatEnded` and `interaction_data` travel, which id is the
// `msgid`, and which messages fire `messageReceived`.

/// **D**: `subtype` of a text message.
pub const SUBTYPE_TEXT: &str = "normal_text_msg";
/// **D**: `subtype` of a message carrying files.
pub const SUBTYPE_MEDIA: &str = "media_msg";

/// **D**: the extension element every message from `sendMessage` carries:
/// `<exotel xmlns='urn:exotel:chat:0' subtype='…'/>`.
pub fn exotel_element(subtype: &str) -> super::xml::Element {
    super::xml::Element::new("exotel", super::ns::EXOTEL).attr("subtype", subtype)
}

/// **D**: what the extension element of a received message says: `(subtype, role)`, where
/// `role` becomes `userRole`. Empty attributes count as absent.
pub fn read_exotel(message: &super::xml::Element) -> (Option<String>, Option<String>) {
    let Some(e) = message.find("exotel", super::ns::EXOTEL) else { return (None, None) };
    let attr = |k: &str| e.get_attr(k).map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    (attr("subtype"), attr("role"))
}

/// **D**: the element announcing the end of a chat:
/// `<chat-ended xmlns='urn:exotel:chat:0' chat-id='…' interaction-id='…'/>` (the agent side and
/// the local service send it).
pub fn chat_ended_element(data: &super::message::InteractionData) -> super::xml::Element {
    super::xml::Element::new("chat-ended", super::ns::EXOTEL)
        .attr("chat-id", &data.chat_id)
        .attr("interaction-id", &data.interaction_id)
}

/// **D**: reads the end of a chat; missing ids are empty strings (the end still counts).
pub fn read_chat_ended(message: &super::xml::Element) -> Option<super::message::InteractionData> {
    let e = message.find("chat-ended", super::ns::EXOTEL)?;
    Some(super::message::InteractionData {
        chat_id: e.get_attr("chat-id").unwrap_or_default().to_owned(),
        interaction_id: e.get_attr("interaction-id").unwrap_or_default().to_owned(),
    })
}

/// **D**: the `msgid` of a message is the `id` attribute its sender gave it; a message without
/// one falls back to its XEP-0359 origin-id, else `""`.
pub fn msgid(id_attr: Option<&str>, origin_id: Option<&str>) -> String {
    id_attr.or(origin_id).unwrap_or_default().to_owned()
}

/// **D**: only messages with a (non-blank) body, files or a chat end fire `messageReceived`;
/// chat-state-only messages, receipts and markers fire the additive events instead.
pub fn fires_message_received(body: &str, has_files: bool, chat_ended: bool) -> bool {
    !body.trim().is_empty() || has_files || chat_ended
}

/// **D**: the body of a message we send: the page's text, or, when that is empty and files are
/// attached, the first file's URL (so clients without XEP-0066 still show a link).
pub fn outgoing_body(body: &str, files: &[super::message::FileRef]) -> String {
    match files.first() {
        Some(f) if body.trim().is_empty() => f.url.clone(),
        _ => body.to_owned(),
    }
}

/// **D**: the `subtype` of a received message without the extension element: `media_msg` with
/// files, `normal_text_msg` with a body, else `null`.
pub fn incoming_subtype(given: Option<String>, has_files: bool, body: &str) -> Option<String> {
    given.or_else(|| {
        if has_files {
            Some(SUBTYPE_MEDIA.to_owned())
        } else if !body.trim().is_empty() {
            Some(SUBTYPE_TEXT.to_owned())
        } else {
            None
        }
    })
}

/// **D**: the `files` of a received message: its XEP-0066 URLs, named by `<desc/>` or else by
/// the URL's last path segment; a `media_msg` without OOB whose body is one `http(s)` URL
/// carries that URL as its file.
pub fn incoming_files(oob: &[super::oob::Oob], subtype: Option<&str>, body: &str) -> Vec<super::message::FileRef> {
    let named = |url: &str, desc: Option<&str>| super::message::FileRef {
        url: url.to_owned(),
        name: desc.map_or_else(|| super::media::file_name(url), str::to_owned),
    };
    // A plain loop: `map(..).collect()` instantiated an iterator and a collect for this alone.
    let mut files = Vec::new();
    for o in oob {
        files.push(named(&o.url, o.desc.as_deref()));
    }
    let body = body.trim();
    if oob.is_empty() && subtype == Some(SUBTYPE_MEDIA) && super::config::is_http_url(body) {
        files.push(named(body, None));
    }
    files
}

#[cfg(test)]
mod wire_tests {
    use super::*;
    use crate::core::message::{FileRef, InteractionData};
    use crate::core::oob::Oob;
    use crate::core::xml::Element;

    #[test]
    fn exotel_and_chat_end_elements_round_trip() {
        let m = Element::new("message", crate::core::ns::CLIENT).child(exotel_element("media_msg"));
        assert_eq!(read_exotel(&m), (Some("media_msg".into()), None));
        let parsed = Element::parse(
            "<message xmlns='jabber:client'><exotel xmlns='urn:exotel:chat:0' subtype='form_msg' role='bot'/></message>",
        )
        .unwrap();
        assert_eq!(read_exotel(&parsed), (Some("form_msg".into()), Some("bot".into())));
        let data = InteractionData { chat_id: "c1".into(), interaction_id: "i1".into() };
        let end = Element::new("message", crate::core::ns::CLIENT).child(chat_ended_element(&data));
        assert_eq!(read_chat_ended(&end), Some(data));
        let garbage = Element::parse(
            "<message xmlns='jabber:client'><exotel xmlns='urn:other' subtype='x'/><chat-ended xmlns='urn:exotel:chat:0'/>\
             <exotel xmlns='urn:exotel:chat:0' subtype=' '/></message>",
        )
        .unwrap();
        assert_eq!(read_exotel(&garbage), (None, None));
        assert_eq!(read_chat_ended(&garbage), Some(InteractionData::default()));
    }

    #[test]
    fn msgid_and_message_received_rules() {
        assert_eq!(msgid(Some("a"), Some("b")), "a");
        assert_eq!(msgid(None, Some("b")), "b");
        assert_eq!(msgid(None, None), "");
        assert!(fires_message_received("hi", false, false));
        assert!(fires_message_received("", true, false));
        assert!(fires_message_received("", false, true));
        assert!(!fires_message_received(" \n", false, false));
    }

    #[test]
    fn files_body_and_subtype_rules() {
        let files = [FileRef { url: "https://f.example/a.png".into(), name: "a.png".into() }];
        assert_eq!(outgoing_body("", &files), "https://f.example/a.png");
        assert_eq!(outgoing_body("see this", &files), "see this");
        assert_eq!(outgoing_body("text", &[]), "text");
        assert_eq!(incoming_subtype(None, true, ""), Some(SUBTYPE_MEDIA.into()));
        assert_eq!(incoming_subtype(None, false, "x"), Some(SUBTYPE_TEXT.into()));
        assert_eq!(incoming_subtype(None, false, ""), None);
        assert_eq!(incoming_subtype(Some("form_msg".into()), false, ""), Some("form_msg".into()));
        let oob = [Oob { url: "https://f.example/x/My%20File.pdf".into(), desc: None }];
        assert_eq!(incoming_files(&oob, None, "")[0].name, "My File.pdf");
        let body_url = incoming_files(&[], Some(SUBTYPE_MEDIA), " https://f.example/p.jpg ");
        assert_eq!(body_url, vec![FileRef { url: "https://f.example/p.jpg".into(), name: "p.jpg".into() }]);
        assert!(incoming_files(&[], Some(SUBTYPE_MEDIA), "javascript:alert(1)").is_empty());
        assert!(incoming_files(&[], Some(SUBTYPE_TEXT), "https://f.example/p.jpg").is_empty());
    }
}

// ── The browser SDK's session (startChat, fetchArchivedMessages) ─────────────────────────────

/// **D** (archive): how far apart the time of a shown message and the stamp of an archived entry
/// may be for the two to count as the same message. The archive's stamp is the server's clock, a
/// live message's time is the browser's receive time: a few seconds absorb latency and small
/// clock skew.
pub const ARCHIVE_MATCH_WINDOW_MS: u64 = 5_000;

/// **D** (archive): whether archived entry `entry` is the shown message `seen`. The Openfire
/// archive shape carries no message ids, so besides the `msgid` rule (an entry whose `msgid` was
/// shown is skipped), an entry matches a shown message of the same room with the same sender
/// nick and the same body whose times are at most [`ARCHIVE_MATCH_WINDOW_MS`] apart. A time that
/// does not parse never matches.
pub fn same_message(seen: &super::replay::ShownMessage, entry: &super::replay::ShownMessage) -> bool {
    let close = match (seen.time_ms, entry.time_ms) {
        (Some(a), Some(b)) => a.abs_diff(b) <= ARCHIVE_MATCH_WINDOW_MS,
        _ => false,
    };
    close && seen.room == entry.room && seen.nick == entry.nick && seen.body == entry.body
}

/// **D**: the customer's nick in the room `startChat` joins: the display name the provisioning
/// response gave (`userEntity.name`), else the `fullName` the page passed, else the local part of
/// the XMPP account. Surrounding spaces are trimmed.
pub fn customer_nick(provisioned_name: &str, full_name: &str, username: &str) -> String {
    for name in [provisioned_name, full_name, username.split('@').next().unwrap_or_default()] {
        let name = name.trim();
        if !name.is_empty() {
            return name.to_owned();
        }
    }
    "customer".to_owned()
}

#[cfg(test)]
mod session_tests {
    use super::*;

    #[test]
    fn customer_nick_prefers_the_service_name() {
        assert_eq!(customer_nick("Jane S.", "Jane Smith", "cust-1@localhost"), "Jane S.");
        assert_eq!(customer_nick(" ", " Jane Smith ", "cust-1@localhost"), "Jane Smith");
        assert_eq!(customer_nick("", "", "cust-1@localhost"), "cust-1");
        assert_eq!(customer_nick("", "", ""), "customer");
    }
}
