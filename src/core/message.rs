//! The spec's message object: what `messageReceived` callbacks receive and `receiveMessage`
//! accepts, with exactly the field names and value shapes of the reference.
//!
//! [`MessageObject::from_incoming`] builds it from a received groupchat stanza in one place.
//! Absent optional values serialise as `null`. Deserialisation is lenient, since pages hand
//! `receiveMessage` partial or hand-made objects: a missing or mistyped field takes its default,
//! never an error; [`MessageObject::complete`] then fills what can be derived.

use super::datetime::{format_iso, parse_iso};
use super::decisions;
use super::groupchat::IncomingMessage;
use super::jid::Jid;
use super::json::{self, put, put_opt, put_str, Value};
use super::markers::Marker;
use super::receipts::Receipt;
use super::rest::ArchivedMessage;
use super::Instant;

/// Who sent a message, from the customer's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sender {
    /// Anyone else in the room (agent, bot, supervisor).
    #[default]
    Agent,
    /// Ourselves (a message we sent, reflected by the room or replayed from history).
    Me,
}

impl Sender {
    /// `"agent"` or `"me"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Sender::Agent => "agent",
            Sender::Me => "me",
        }
    }
}

/// One file of a message: `{ url, name }`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FileRef {
    /// Where the file is.
    pub url: String,
    /// Its display name.
    pub name: String,
}

impl FileRef {
    /// `{ url, name }`.
    pub fn to_json(&self) -> Value {
        let mut m = Vec::with_capacity(2);
        put_str(&mut m, "url", Some(&self.url));
        put_str(&mut m, "name", Some(&self.name));
        Value::Object(m)
    }
}

/// What identifies a finished chat for feedback: `{ chatId, interaction_id }`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InteractionData {
    /// The chat's id.
    pub chat_id: String,
    /// The contact-centre interaction id.
    pub interaction_id: String,
}

impl InteractionData {
    /// `{ chatId, interaction_id }`.
    pub fn to_json(&self) -> Value {
        let mut m = Vec::with_capacity(2);
        put_str(&mut m, "chatId", Some(&self.chat_id));
        put_str(&mut m, "interaction_id", Some(&self.interaction_id));
        Value::Object(m)
    }
}

/// The message object of the spec.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MessageObject {
    /// The XMPP stanza id: the sender's `origin-id`, else the room's `stanza-id`, else the `id`
    /// attribute (the order Converse uses for its model ids).
    pub id: String,
    /// The application message id receipts and markers name ([`decisions::msgid`]).
    pub msgid: String,
    /// Text.
    pub body: String,
    /// `room@conference.domain/nick`.
    pub from: String,
    /// The bare room JID.
    pub from_muc: String,
    /// The sender's real JID when the room reveals it.
    pub from_real_jid: Option<String>,
    /// The recipient (our full JID).
    pub to: String,
    /// The sender's nick in the room.
    pub nick: String,
    /// XEP-0421 occupant id.
    pub occupant_id: Option<String>,
    /// `"agent"` or `"me"`.
    pub sender: Sender,
    /// Always `"groupchat"` for room messages.
    pub kind: String,
    /// XEP-0085 state carried along (`"active"`, `"composing"`, ...).
    pub chat_state: Option<String>,
    /// ISO 8601 message time: the delay stamp for history, else the receive time.
    pub time: String,
    /// Local receive time, ms since the Unix epoch.
    pub received: u64,
    /// Alias of `body`.
    pub message: String,
    /// `"normal_text_msg"`, `"media_msg"`, `"form_msg"` or `null`.
    pub subtype: Option<String>,
    /// Files (`media_msg`), or `null`.
    pub files: Option<Vec<FileRef>>,
    /// `"agent"`, `"bot"`, `"supervisor"` or `null`.
    pub user_role: Option<String>,
    /// XEP-0333 markable.
    pub is_markable: bool,
    /// This message is itself a marker.
    pub is_marker: bool,
    /// The id the marker acknowledges.
    pub marker_id: Option<String>,
    /// XEP-0184: the id a receipt acknowledges.
    pub receipt_id: Option<String>,
    /// Whether a `displayed` marker was already sent (false on arrival).
    pub displayed: bool,
    /// Set when the chat ended.
    pub interaction_data: Option<InteractionData>,
    /// The agent closed the chat.
    pub chat_ended: bool,
    /// Replayed by `fetchArchivedMessages` (the field is only written when true).
    pub archived: bool,
}

/// The receiver's side of a message: what [`MessageObject::from_incoming`] needs beyond the
/// stanza.
pub struct Perspective<'a> {
    /// Our nick in the room.
    pub own_nick: Option<&'a str>,
    /// Whether an id is one we stamped on a message we sent (`origin-id`/`id`).
    pub is_own_id: &'a dyn Fn(&str) -> bool,
    /// The sender's real JID as the room revealed it in its presence, if known.
    pub sender_real_jid: Option<&'a Jid>,
    /// When the stanza arrived.
    pub now: Instant,
}

impl MessageObject {
    /// Builds the message object of a received groupchat message.
    pub fn from_incoming(msg: &IncomingMessage, view: &Perspective<'_>) -> MessageObject {
        let nick = msg.from.resource().unwrap_or_default().to_owned();
        let msgid = decisions::msgid(msg.id.as_deref(), msg.origin_id.as_deref());
        let own_id = msg.origin_id.as_deref().is_some_and(view.is_own_id) || msg.id.as_deref().is_some_and(view.is_own_id);
        let own_nick = !nick.is_empty() && view.own_nick == Some(nick.as_str());
        let body = msg.body.clone().unwrap_or_default();
        let files = decisions::incoming_files(&msg.oob, msg.subtype.as_deref(), &body);
        let subtype = decisions::incoming_subtype(msg.subtype.clone(), !files.is_empty(), &body);
        let (is_marker, marker_id, is_markable) = match &msg.marker {
            Some(Marker::Mark(_, id)) => (true, Some(id.clone()), false),
            Some(Marker::Markable) => (false, None, true),
            None => (false, None, false),
        };
        let receipt_id = match &msg.receipt {
            Some(Receipt::Received(id)) => Some(id.clone()),
            _ => None,
        };
        let time_ms = msg.delay.as_ref().map_or(view.now.0, |d| d.stamp_ms);
        MessageObject {
            id: msg.origin_id.as_ref().or(msg.stanza_id.as_ref()).or(msg.id.as_ref()).cloned().unwrap_or_default(),
            msgid,
            message: body.clone(),
            body,
            from: msg.from.as_str().to_owned(),
            from_muc: msg.from.bare().into_string(),
            from_real_jid: view.sender_real_jid.map(|j| j.as_str().to_owned()),
            to: msg.to.clone().unwrap_or_default(),
            nick,
            occupant_id: msg.occupant_id.clone(),
            sender: if own_id || own_nick { Sender::Me } else { Sender::Agent },
            kind: msg.kind.clone(),
            chat_state: msg.chat_state.map(|s| s.as_str().to_owned()),
            time: format_iso(time_ms),
            received: view.now.0,
            subtype,
            files: (!files.is_empty()).then_some(files),
            user_role: msg.role.clone(),
            is_markable,
            is_marker,
            marker_id,
            receipt_id,
            displayed: false,
            chat_ended: msg.chat_ended.is_some(),
            interaction_data: msg.chat_ended.clone(),
            archived: false,
        }
    }

    /// Builds the message object of a REST archive entry (`fetchArchivedMessages`): `archived`
    /// is set, `time` comes from the stamp (ISO 8601, or epoch milliseconds as text), and `id` and
    /// `msgid` stay empty (the Openfire shape carries none). `sender` is `"me"` when the entry
    /// comes from `own_nick` in the room or from our own account.
    pub fn from_archived(entry: &ArchivedMessage, own_nick: Option<&str>, own_jid: Option<&Jid>, now: Instant) -> MessageObject {
        let from = Jid::parse(entry.from.trim()).ok();
        let nick = from.as_ref().and_then(Jid::resource).unwrap_or_default().to_owned();
        let own_account = from.as_ref().zip(own_jid).is_some_and(|(f, o)| f.bare() == o.bare());
        let own = own_account || (!nick.is_empty() && own_nick == Some(nick.as_str()));
        let stamp = entry.delay_stamp.trim();
        let time_ms = parse_iso(stamp).or_else(|| stamp.parse().ok()).unwrap_or(now.0);
        MessageObject {
            body: entry.body.clone(),
            message: entry.body.clone(),
            from: entry.from.clone(),
            from_muc: from.as_ref().map(|f| f.bare().into_string()).unwrap_or_default(),
            to: entry.to.clone(),
            nick,
            sender: if own { Sender::Me } else { Sender::Agent },
            kind: if entry.kind.is_empty() { "groupchat".to_owned() } else { entry.kind.clone() },
            time: format_iso(time_ms),
            received: now.0,
            subtype: decisions::incoming_subtype(None, false, &entry.body),
            archived: true,
            // Spelled out, not `..MessageObject::default()`: that builds the defaults and then
            // drops the ones replaced above, a drop call per field.
            id: String::new(),
            msgid: String::new(),
            from_real_jid: None,
            occupant_id: None,
            chat_state: None,
            files: None,
            user_role: None,
            is_markable: false,
            is_marker: false,
            marker_id: None,
            receipt_id: None,
            displayed: false,
            interaction_data: None,
            chat_ended: false,
        }
    }

    /// Fills what a page-made object (`receiveMessage`) leaves out and can be derived: `body`
    /// and `message` from each other, `from_muc` and `nick` from `from`, `msgid` and `id` from
    /// each other, `type` (`"groupchat"`), `received` and `time` (now), `chatEnded` from
    /// `interaction_data`.
    pub fn complete(&mut self, now: Instant) {
        if self.body.is_empty() {
            self.body.clone_from(&self.message);
        } else if self.message.is_empty() {
            self.message.clone_from(&self.body);
        }
        if let Ok(from) = Jid::parse(&self.from) {
            if self.from_muc.is_empty() {
                self.from_muc = from.bare().into_string();
            }
            if self.nick.is_empty() {
                self.nick = from.resource().unwrap_or_default().to_owned();
            }
        }
        if self.msgid.is_empty() {
            self.msgid.clone_from(&self.id);
        } else if self.id.is_empty() {
            self.id.clone_from(&self.msgid);
        }
        if self.kind.is_empty() {
            self.kind = "groupchat".to_owned();
        }
        if self.received == 0 {
            self.received = now.0;
        }
        if self.time.is_empty() {
            self.time = format_iso(self.received);
        }
        self.chat_ended |= self.interaction_data.is_some();
    }

    /// The object as the page sees it: the spec's field names, `null` for absent optional
    /// values, `archived` only when true.
    pub fn to_json(&self) -> Value {
        let mut m = Vec::with_capacity(26);
        let o = &mut m;
        put_str(o, "id", Some(&self.id));
        put_str(o, "msgid", Some(&self.msgid));
        put_str(o, "body", Some(&self.body));
        put_str(o, "from", Some(&self.from));
        put_str(o, "from_muc", Some(&self.from_muc));
        put_opt(o, "from_real_jid", &self.from_real_jid);
        put_str(o, "to", Some(&self.to));
        put_str(o, "nick", Some(&self.nick));
        put_opt(o, "occupant_id", &self.occupant_id);
        put_str(o, "sender", Some(self.sender.as_str()));
        put_str(o, "type", Some(&self.kind));
        put_opt(o, "chat_state", &self.chat_state);
        put_str(o, "time", Some(&self.time));
        put(o, "received", self.received.into());
        put_str(o, "message", Some(&self.message));
        put_opt(o, "subtype", &self.subtype);
        let files = self.files.as_ref().map(|files| {
            let mut items = Vec::with_capacity(files.len());
            for f in files {
                items.push(f.to_json());
            }
            Value::Array(items)
        });
        put(o, "files", files.unwrap_or(Value::Null));
        put_opt(o, "userRole", &self.user_role);
        put(o, "is_markable", self.is_markable.into());
        put(o, "is_marker", self.is_marker.into());
        put_opt(o, "marker_id", &self.marker_id);
        put_opt(o, "receipt_id", &self.receipt_id);
        put(o, "displayed", self.displayed.into());
        put(o, "interaction_data", self.interaction_data.as_ref().map_or(Value::Null, InteractionData::to_json));
        put(o, "chatEnded", self.chat_ended.into());
        if self.archived {
            put(o, "archived", true.into());
        }
        Value::Object(m)
    }

    /// Reads an object leniently (see the module documentation).
    pub fn from_value(v: &Value) -> MessageObject {
        // One reader for every text field: inlined per field it cost more than the calls.
        let t = |k: &str| json::text(v.get(k));
        let s = |k: &str| t(k).unwrap_or_default();
        let b = |k: &str| v.get(k).and_then(Value::as_bool).unwrap_or(false);
        MessageObject {
            id: s("id"),
            msgid: s("msgid"),
            body: s("body"),
            from: s("from"),
            from_muc: s("from_muc"),
            from_real_jid: t("from_real_jid"),
            to: s("to"),
            nick: s("nick"),
            occupant_id: t("occupant_id"),
            sender: if v.get("sender").and_then(Value::as_str) == Some("me") { Sender::Me } else { Sender::Agent },
            kind: s("type"),
            chat_state: t("chat_state"),
            time: s("time"),
            received: match v.get("received") {
                Some(n @ Value::Number(_)) => n.as_u64_truncated().unwrap_or(0),
                Some(Value::String(t)) => parse_iso(t).unwrap_or(0),
                _ => 0,
            },
            message: s("message"),
            subtype: t("subtype"),
            files: v.get("files").and_then(Value::as_array).map(|items| {
                let mut files = Vec::new();
                for item in items {
                    if let Some(file) = file_ref(item) {
                        files.push(file);
                    }
                }
                files
            }),
            user_role: t("userRole"),
            is_markable: b("is_markable"),
            is_marker: b("is_marker"),
            marker_id: t("marker_id"),
            receipt_id: t("receipt_id"),
            displayed: b("displayed"),
            interaction_data: v.get("interaction_data").filter(|d| d.is_object()).map(|d| InteractionData {
                chat_id: json::text(d.get("chatId")).unwrap_or_default(),
                interaction_id: json::text(d.get("interaction_id")).unwrap_or_default(),
            }),
            chat_ended: b("chatEnded"),
            archived: b("archived"),
        }
    }
}

/// A file entry: `{ url, name }`, or a bare URL string.
fn file_ref(v: &Value) -> Option<FileRef> {
    match v {
        Value::String(url) => Some(FileRef { url: url.clone(), name: super::media::file_name(url) }),
        Value::Object(_) => {
            let url = json::text(v.get("url"))?;
            let name = json::text(v.get("name")).unwrap_or_else(|| super::media::file_name(&url));
            Some(FileRef { url, name })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::xml::Element;
    use crate::core::json::json;

    fn incoming(xml: &str) -> IncomingMessage {
        IncomingMessage::parse(&Element::parse(xml).unwrap()).unwrap()
    }

    fn view<'a>(own_nick: Option<&'a str>, is_own_id: &'a dyn Fn(&str) -> bool, now: u64) -> Perspective<'a> {
        Perspective { own_nick, is_own_id, sender_real_jid: None, now: Instant(now) }
    }

    const AGENT_MEDIA: &str = "<message xmlns='jabber:client' from='room1@conference.example.com/Agent Smith' \
        to='cust@example.com/web' type='groupchat' id='m-1'>\
        <body>https://files.example.com/u/abc/report%201.pdf</body>\
        <origin-id xmlns='urn:xmpp:sid:0' id='m-1'/>\
        <stanza-id xmlns='urn:xmpp:sid:0' id='S1' by='room1@conference.example.com'/>\
        <occupant-id xmlns='urn:xmpp:occupant-id:0' id='occ-9'/>\
        <request xmlns='urn:xmpp:receipts'/><markable xmlns='urn:xmpp:chat-markers:0'/>\
        <active xmlns='http://jabber.org/protocol/chatstates'/>\
        <x xmlns='jabber:x:oob'><url>https://files.example.com/u/abc/report%201.pdf</url></x>\
        <x xmlns='jabber:x:oob'><url>https://files.example.com/u/abc/b.png</url><desc>Photo</desc></x>\
        <exotel xmlns='urn:exotel:chat:0' subtype='media_msg' role='agent'/>\
        <delay xmlns='urn:xmpp:delay' stamp='2024-03-01T09:05:07.123Z' from='room1@conference.example.com'/></message>";

    #[test]
    fn builds_the_object_with_the_spec_field_names() {
        let never = |_: &str| false;
        let obj = MessageObject::from_incoming(&incoming(AGENT_MEDIA), &view(Some("Customer"), &never, 1_800_000_000_000));
        assert_eq!(
            obj.to_json(),
            json!({
                "id": "m-1", "msgid": "m-1",
                "body": "https://files.example.com/u/abc/report%201.pdf",
                "from": "room1@conference.example.com/Agent Smith", "from_muc": "room1@conference.example.com",
                "from_real_jid": null, "to": "cust@example.com/web", "nick": "Agent Smith", "occupant_id": "occ-9",
                "sender": "agent", "type": "groupchat", "chat_state": "active",
                "time": "2024-03-01T09:05:07.123Z", "received": 1800000000000,
                "message": "https://files.example.com/u/abc/report%201.pdf",
                "subtype": "media_msg",
                "files": [{"url": "https://files.example.com/u/abc/report%201.pdf", "name": "report 1.pdf"},
                          {"url": "https://files.example.com/u/abc/b.png", "name": "Photo"}],
                "userRole": "agent", "is_markable": true, "is_marker": false, "marker_id": null,
                "receipt_id": null, "displayed": false, "interaction_data": null, "chatEnded": false
            })
        );
    }

    #[test]
    fn own_messages_are_recognised_by_origin_id_or_nick() {
        let xml = "<message xmlns='jabber:client' from='r@c.example.com/Customer' type='groupchat' id='x-1'>\
                   <body>hi</body><origin-id xmlns='urn:xmpp:sid:0' id='x-1'/></message>";
        let mine = |id: &str| id == "x-1";
        let never = |_: &str| false;
        assert_eq!(MessageObject::from_incoming(&incoming(xml), &view(None, &mine, 5)).sender, Sender::Me);
        assert_eq!(MessageObject::from_incoming(&incoming(xml), &view(Some("Customer"), &never, 5)).sender, Sender::Me);
        let other = MessageObject::from_incoming(&incoming(xml), &view(Some("Other"), &never, 5));
        assert_eq!(other.sender, Sender::Agent);
        // No delay: time is the receive time; no exotel element: subtype inferred from the body.
        assert_eq!((other.time.as_str(), other.received), ("1970-01-01T00:00:00.005Z", 5));
        assert_eq!(other.subtype.as_deref(), Some("normal_text_msg"));
        assert_eq!(other.files, None);
    }

    #[test]
    fn chat_end_markers_and_receipts() {
        let never = |_: &str| false;
        let end = incoming(
            "<message xmlns='jabber:client' from='r@c.example.com/Agent' type='groupchat' id='e1'><body>Chat closed</body>\
             <chat-ended xmlns='urn:exotel:chat:0' chat-id='c-77' interaction-id='i-88'/></message>",
        );
        let v = MessageObject::from_incoming(&end, &view(None, &never, 1)).to_json();
        assert_eq!(v.get("chatEnded"), Some(&json!(true)));
        assert_eq!(v.get("interaction_data"), Some(&json!({"chatId": "c-77", "interaction_id": "i-88"})));
        let marker = incoming(
            "<message xmlns='jabber:client' from='r@c.example.com/Agent' type='groupchat'>\
             <displayed xmlns='urn:xmpp:chat-markers:0' id='x-1'/><received xmlns='urn:xmpp:receipts' id='x-0'/></message>",
        );
        let o = MessageObject::from_incoming(&marker, &view(None, &never, 1));
        assert!(o.is_marker && !o.is_markable);
        assert_eq!((o.marker_id.as_deref(), o.receipt_id.as_deref(), o.id.as_str()), (Some("x-1"), Some("x-0"), ""));
        assert_eq!(o.subtype, None);
    }

    #[test]
    fn deserialises_partial_and_mistyped_objects() {
        let mut o = MessageObject::from_value(&json!({
            "message": "hello", "from": "r@c.example.com/Bob", "id": 42, "received": "nonsense",
            "files": ["https://h.example/x/a%20b.png", {"url": "https://h.example/c.pdf"}, 7, {"name": "no url"}],
            "is_markable": "yes", "sender": "me", "interaction_data": {"chatId": 1}, "unknown": {"deep": [1]}
        }));
        o.complete(Instant(1000));
        assert_eq!((o.body.as_str(), o.message.as_str()), ("hello", "hello"));
        assert_eq!((o.from_muc.as_str(), o.nick.as_str()), ("r@c.example.com", "Bob"));
        assert_eq!((o.id.as_str(), o.msgid.as_str(), o.kind.as_str()), ("42", "42", "groupchat"));
        assert_eq!((o.received, o.time.as_str()), (1000, "1970-01-01T00:00:01.000Z"));
        assert_eq!(o.sender, Sender::Me);
        assert!(!o.is_markable);
        assert!(o.chat_ended);
        assert_eq!(o.interaction_data.as_ref().map(|d| d.chat_id.as_str()), Some("1"));
        let files = o.files.unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(files[0].name, "a b.png");
        assert_eq!(files[1].name, "c.pdf");
        // Not even an object: every field defaults.
        let empty = MessageObject::from_value(&json!("garbage"));
        assert_eq!(empty, MessageObject::default());
    }

    #[test]
    fn builds_archive_entries() {
        let entry = ArchivedMessage {
            to: "room1@conference.example.com".into(),
            from: "room1@conference.example.com/Customer".into(),
            kind: String::new(),
            body: "earlier".into(),
            delay_stamp: "2024-03-01T09:05:07.123Z".into(),
            delay_from: String::new(),
        };
        let o = MessageObject::from_archived(&entry, Some("Customer"), None, Instant(9));
        assert_eq!((o.sender, o.nick.as_str(), o.from_muc.as_str()), (Sender::Me, "Customer", "room1@conference.example.com"));
        assert_eq!((o.time.as_str(), o.received, o.kind.as_str()), ("2024-03-01T09:05:07.123Z", 9, "groupchat"));
        assert!(o.archived);
        assert_eq!(o.to_json().get("archived"), Some(&json!(true)));
        let agent = ArchivedMessage { from: "agent@example.com".into(), delay_stamp: "1709283907123".into(), ..entry };
        let me = Jid::parse("cust@example.com/web").unwrap();
        let a = MessageObject::from_archived(&agent, Some("Customer"), Some(&me), Instant(9));
        assert_eq!((a.sender, a.time.as_str()), (Sender::Agent, "2024-03-01T09:05:07.123Z"));
        let mine = ArchivedMessage { from: "cust@example.com".into(), delay_stamp: "garbage".into(), ..agent };
        let m = MessageObject::from_archived(&mine, None, Some(&me), Instant(9));
        assert_eq!((m.sender, m.time.as_str()), (Sender::Me, "1970-01-01T00:00:00.009Z"));
    }

    #[test]
    fn archived_is_written_only_when_set() {
        let mut o = MessageObject::default();
        assert!(o.to_json().get("archived").is_none());
        o.archived = true;
        assert_eq!(o.to_json().get("archived"), Some(&json!(true)));
    }
}
