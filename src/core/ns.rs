//! XML namespaces of the protocols the core speaks, in one place.

/// XEP-0124 BOSH `<body/>` wrapper.
pub const HTTPBIND: &str = "http://jabber.org/protocol/httpbind";
/// XEP-0206 attributes on the BOSH body (`xmpp:version`, `xmpp:restart`).
pub const XBOSH: &str = "urn:xmpp:xbosh";
/// The client stream content namespace (RFC 6120).
pub const CLIENT: &str = "jabber:client";
/// Stream-level elements such as `<stream:features/>` and `<stream:error/>`.
pub const STREAM: &str = "http://etherx.jabber.org/streams";
/// Stream error conditions.
pub const STREAM_ERRORS: &str = "urn:ietf:params:xml:ns:xmpp-streams";
/// Stanza error conditions.
pub const STANZAS: &str = "urn:ietf:params:xml:ns:xmpp-stanzas";
/// SASL negotiation (RFC 6120 §6).
pub const SASL: &str = "urn:ietf:params:xml:ns:xmpp-sasl";
/// Resource binding (RFC 6120 §7).
pub const BIND: &str = "urn:ietf:params:xml:ns:xmpp-bind";
/// The legacy session establishment (RFC 3921), sent only when not marked optional.
pub const SESSION: &str = "urn:ietf:params:xml:ns:xmpp-session";
/// XEP-0045 multi-user chat: join presence.
pub const MUC: &str = "http://jabber.org/protocol/muc";
/// XEP-0045 occupant items and status codes in presence.
pub const MUC_USER: &str = "http://jabber.org/protocol/muc#user";
/// XEP-0045 room configuration (owner).
pub const MUC_OWNER: &str = "http://jabber.org/protocol/muc#owner";
/// XEP-0004 data forms.
pub const DATA_FORMS: &str = "jabber:x:data";
/// XEP-0030 service discovery, info.
pub const DISCO_INFO: &str = "http://jabber.org/protocol/disco#info";
/// XEP-0030 service discovery, items.
pub const DISCO_ITEMS: &str = "http://jabber.org/protocol/disco#items";
/// XEP-0363 HTTP file upload.
pub const HTTP_UPLOAD: &str = "urn:xmpp:http:upload:0";
/// XEP-0066 out-of-band data.
pub const OOB: &str = "jabber:x:oob";
/// XEP-0085 chat states.
pub const CHAT_STATES: &str = "http://jabber.org/protocol/chatstates";
/// XEP-0184 message delivery receipts.
pub const RECEIPTS: &str = "urn:xmpp:receipts";
/// XEP-0333 chat markers.
pub const CHAT_MARKERS: &str = "urn:xmpp:chat-markers:0";
/// XEP-0359 unique and stable stanza ids (`origin-id`, `stanza-id`).
pub const SID: &str = "urn:xmpp:sid:0";
/// XEP-0203 delayed delivery.
pub const DELAY: &str = "urn:xmpp:delay";
/// XEP-0421 anonymous unique occupant identifiers.
pub const OCCUPANT_ID: &str = "urn:xmpp:occupant-id:0";
/// XEP-0313 message archive management.
pub const MAM: &str = "urn:xmpp:mam:2";
/// XEP-0059 result set management.
pub const RSM: &str = "http://jabber.org/protocol/rsm";
/// XEP-0297 forwarded stanzas (MAM results).
pub const FORWARD: &str = "urn:xmpp:forward:0";
/// XEP-0199 ping.
pub const PING: &str = "urn:xmpp:ping";
/// The spec's own extension (a **D** decision; see [`crate::core::decisions`]).
pub const EXOTEL: &str = "urn:exotel:chat:0";
