//! XEP-0045 multi-user chat, the parts a customer's client needs: join (with a history request)
//! and leave presences, occupant presences with their items and status codes, presence errors,
//! the instant-room configuration a new room (status 201) waits for, and the XEP-0421 occupant id.

use super::datetime::format_iso;
use super::iq::{self, IqType};
use super::jid::Jid;
use super::json::{object, opt, Value};
use super::ns;
use super::stanza_error::StanzaError;
use super::xml::{name_at, name_index, Element};
use super::Instant;

/// Status codes of `<status code='…'/>` in occupant presences (XEP-0045 §15.6.2).
pub mod status {
    /// The presence is about ourselves.
    pub const SELF_PRESENCE: u16 = 110;
    /// The service assigned or changed our nick.
    pub const NICK_ASSIGNED: u16 = 210;
    /// Our join created the room; it stays locked until configured.
    pub const ROOM_CREATED: u16 = 201;
    /// The occupant was banned.
    pub const BANNED: u16 = 301;
    /// The occupant changed nick; the item carries the new one.
    pub const NICK_CHANGED: u16 = 303;
    /// The occupant was kicked.
    pub const KICKED: u16 = 307;
    /// Removed because of an affiliation change.
    pub const AFFILIATION_CHANGED: u16 = 321;
    /// Removed because the room became members-only.
    pub const MEMBERS_ONLY: u16 = 322;
    /// Removed because the service is shutting down.
    pub const SHUTDOWN: u16 = 332;
}

/// What room history to ask for when joining (`<history/>`, XEP-0045 §7.2.14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HistoryRequest {
    /// At most this many messages (`maxstanzas`); `Some(0)` asks for none.
    pub max_stanzas: Option<u32>,
    /// Only messages sent since this instant (`since`).
    pub since: Option<Instant>,
}

impl HistoryRequest {
    /// No history at all.
    pub fn none() -> HistoryRequest {
        HistoryRequest { max_stanzas: Some(0), since: None }
    }

    fn to_element(self) -> Option<Element> {
        if self.max_stanzas.is_none() && self.since.is_none() {
            return None;
        }
        // As u64, the one integer type the core formats.
        let max = self.max_stanzas.map(|n| u64::from(n).to_string());
        let since = self.since.map(|t| format_iso(t.0));
        Some(Element::new("history", ns::MUC).attr_opt("maxstanzas", max.as_deref()).attr_opt("since", since.as_deref()))
    }
}

/// Our availability (`<show/>`, RFC 6121 §4.7.2.1), as `getUserStatus` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Show {
    /// Available, no `<show/>`.
    #[default]
    Online,
    /// Free to chat.
    Chat,
    /// Away for a short while.
    Away,
    /// Away for a long while.
    Xa,
    /// Do not disturb.
    Dnd,
}

/// The shows' names and the shows, in variant order: names are read and written by table, one
/// shared loop instead of a string `match` per enum.
const SHOW_NAMES: [&str; 5] = ["online", "chat", "away", "xa", "dnd"];
const SHOWS: [Show; 5] = [Show::Online, Show::Chat, Show::Away, Show::Xa, Show::Dnd];

impl Show {
    /// `"online"`, `"chat"`, `"away"`, `"xa"` or `"dnd"`.
    pub fn as_str(self) -> &'static str {
        name_at(&SHOW_NAMES, self as usize)
    }

    /// Reads a name as [`Show::as_str`] writes it; `None` for anything else.
    pub fn from_name(name: &str) -> Option<Show> {
        SHOWS.get(name_index(&SHOW_NAMES, name)?).copied()
    }

    fn to_element(self) -> Option<Element> {
        match self {
            Show::Online => None,
            other => Some(Element::new("show", ns::CLIENT).text(other.as_str())),
        }
    }
}

/// The presence that joins `occupant` (`room/nick`), asking for `history`.
pub fn join_presence(occupant: &Jid, id: &str, history: HistoryRequest, show: Show) -> Element {
    let mut x = Element::new("x", ns::MUC);
    if let Some(h) = history.to_element() {
        x.push(h);
    }
    presence_update(occupant, id, show).child(x)
}

/// A presence update (new `show`) to a room we are in, addressed to our occupant JID.
pub fn presence_update(occupant: &Jid, id: &str, show: Show) -> Element {
    let mut presence = presence(occupant, id);
    if let Some(s) = show.to_element() {
        presence.push(s);
    }
    presence
}

/// A presence to `occupant` with `id`.
fn presence(occupant: &Jid, id: &str) -> Element {
    Element::new("presence", ns::CLIENT).attr("to", occupant.as_str()).attr("id", id)
}

/// The presence that leaves the room `occupant` is in.
pub fn leave_presence(occupant: &Jid, id: &str) -> Element {
    presence(occupant, id).attr("type", "unavailable")
}

/// The owner IQ that accepts the default configuration of a room we just created (an empty
/// `submit` form, XEP-0045 §10.1.2), which unlocks it.
pub fn instant_room_config(room: &Jid, id: &str) -> Element {
    let form = Element::new("x", ns::DATA_FORMS).attr("type", "submit");
    iq::request(IqType::Set, Some(room), id, Element::new("query", ns::MUC_OWNER).child(form))
}

/// The XEP-0421 `<occupant-id/>` a room stamps on presences and messages.
pub fn occupant_id(stanza: &Element) -> Option<String> {
    stanza.find("occupant-id", ns::OCCUPANT_ID).and_then(|e| e.get_attr("id")).filter(|id| !id.is_empty()).map(str::to_owned)
}

/// An occupant's role (XEP-0045 §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Role {
    /// May kick and moderate.
    Moderator,
    /// May speak.
    Participant,
    /// May only listen.
    Visitor,
    /// No role (left, or unknown value).
    #[default]
    None,
}

/// The roles' names and the roles, in variant order.
const ROLE_NAMES: [&str; 4] = ["moderator", "participant", "visitor", "none"];
const ROLES: [Role; 4] = [Role::Moderator, Role::Participant, Role::Visitor, Role::None];

impl Role {
    fn parse(s: &str) -> Role {
        name_index(&ROLE_NAMES, s).and_then(|i| ROLES.get(i).copied()).unwrap_or_default()
    }

    /// `"moderator"`, `"participant"`, `"visitor"` or `"none"`.
    pub fn as_str(self) -> &'static str {
        name_at(&ROLE_NAMES, self as usize)
    }

    /// The role as a JSON string.
    pub fn to_json(&self) -> Value {
        self.as_str().into()
    }
}

/// An occupant's affiliation (XEP-0045 §5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Affiliation {
    /// Owns the room.
    Owner,
    /// Administers the room.
    Admin,
    /// A member.
    Member,
    /// Banned.
    Outcast,
    /// No affiliation (or unknown value).
    #[default]
    None,
}

/// The affiliations' names and the affiliations, in variant order.
const AFFILIATION_NAMES: [&str; 5] = ["owner", "admin", "member", "outcast", "none"];
const AFFILIATIONS: [Affiliation; 5] =
    [Affiliation::Owner, Affiliation::Admin, Affiliation::Member, Affiliation::Outcast, Affiliation::None];

impl Affiliation {
    fn parse(s: &str) -> Affiliation {
        name_index(&AFFILIATION_NAMES, s).and_then(|i| AFFILIATIONS.get(i).copied()).unwrap_or_default()
    }

    /// `"owner"`, `"admin"`, `"member"`, `"outcast"` or `"none"`.
    pub fn as_str(self) -> &'static str {
        name_at(&AFFILIATION_NAMES, self as usize)
    }

    /// The affiliation as a JSON string.
    pub fn to_json(&self) -> Value {
        self.as_str().into()
    }
}

/// One occupant as the room object lists it: `{ nick, role, affiliation, jid, occupant_id }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occupant {
    /// Nick in the room.
    pub nick: String,
    /// Current role.
    pub role: Role,
    /// Affiliation.
    pub affiliation: Affiliation,
    /// Real JID, when the room reveals it (`null` otherwise).
    pub jid: Option<Jid>,
    /// XEP-0421 occupant id, when the room assigns them.
    pub occupant_id: Option<String>,
}

impl Occupant {
    /// `{ nick, role, affiliation, jid, occupant_id }`, `null` for what the room does not tell.
    pub fn to_json(&self) -> Value {
        object(vec![
            ("nick", self.nick.as_str().into()),
            ("role", self.role.to_json()),
            ("affiliation", self.affiliation.to_json()),
            ("jid", self.jid.as_ref().map_or(Value::Null, |j| j.to_string().into())),
            ("occupant_id", opt(self.occupant_id.as_deref())),
        ])
    }
}


/// The `<item/>` of an occupant presence.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MucItem {
    /// Affiliation.
    pub affiliation: Affiliation,
    /// Role.
    pub role: Role,
    /// Real JID, when revealed.
    pub jid: Option<Jid>,
    /// The new nick of a nick change (status 303).
    pub nick: Option<String>,
    /// Why (kick or ban reason).
    pub reason: Option<String>,
}

/// An occupant's presence as a room broadcasts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OccupantPresence {
    /// The room.
    pub room: Jid,
    /// The occupant's nick (the resource of `from`).
    pub nick: String,
    /// `false` for `type='unavailable'` (left, kicked, nick change).
    pub available: bool,
    /// `<show/>`, when given.
    pub show: Option<String>,
    /// The item (defaults when the room sent none).
    pub item: MucItem,
    /// Status codes, in order; unparsable codes are dropped.
    pub status: Vec<u16>,
    /// XEP-0421 occupant id.
    pub occupant_id: Option<String>,
}

impl OccupantPresence {
    /// Whether status `code` is present.
    pub fn has_status(&self, code: u16) -> bool {
        self.status.contains(&code)
    }

    /// The occupant as the room object lists it.
    pub fn occupant(&self) -> Occupant {
        Occupant {
            nick: self.nick.clone(),
            role: self.item.role,
            affiliation: self.item.affiliation,
            jid: self.item.jid.clone(),
            occupant_id: self.occupant_id.clone(),
        }
    }
}

/// A presence received from a room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MucPresence {
    /// An occupant is available or left.
    Occupant(OccupantPresence),
    /// The room refused our presence (join): nick conflict, members-only, banned, ...
    Error {
        /// The room.
        room: Jid,
        /// The nick the presence was sent with, when the room says.
        nick: Option<String>,
        /// What went wrong.
        error: StanzaError,
    },
}

impl MucPresence {
    /// Reads a presence from a room. `None` for non-presences, presences without a parsable
    /// `from`, available presences without a nick, and types other than available, unavailable
    /// and error (subscriptions are no business of a room).
    pub fn parse(presence: &Element) -> Option<MucPresence> {
        if presence.name != "presence" {
            return None;
        }
        let from = Jid::parse(presence.get_attr("from")?).ok()?;
        let room = from.bare();
        let available = match presence.get_attr("type") {
            None => true,
            Some("unavailable") => false,
            Some("error") => {
                // A presence error without an <error/> child still means the join failed.
                let error = StanzaError::of_error_stanza(presence);
                return Some(MucPresence::Error { room, nick: from.resource().map(str::to_owned), error });
            }
            Some(_) => return None,
        };
        let nick = from.resource()?.to_owned();
        let x = presence.find("x", ns::MUC_USER);
        let item = x.and_then(|x| x.find("item", ns::MUC_USER)).map(parse_item).unwrap_or_default();
        let mut status = Vec::new();
        if let Some(x) = x {
            for s in x.find_all("status", ns::MUC_USER) {
                // Read as u32, the integer type the core already parses elsewhere (no u16 parser).
                if let Some(code) = s.get_attr("code").and_then(|c| c.parse::<u32>().ok()).and_then(|c| u16::try_from(c).ok()) {
                    status.push(code);
                }
            }
        }
        Some(MucPresence::Occupant(OccupantPresence {
            room,
            nick,
            available,
            show: presence.child_text("show", &presence.ns).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()),
            item,
            status,
            occupant_id: occupant_id(presence),
        }))
    }
}

fn parse_item(item: &Element) -> MucItem {
    MucItem {
        affiliation: item.get_attr("affiliation").map(Affiliation::parse).unwrap_or_default(),
        role: item.get_attr("role").map(Role::parse).unwrap_or_default(),
        jid: item.get_attr("jid").and_then(|j| Jid::parse(j).ok()),
        nick: item.get_attr("nick").filter(|n| !n.is_empty()).map(str::to_owned),
        reason: item.child_text("reason", ns::MUC_USER),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn occupant(xml: &str) -> OccupantPresence {
        match MucPresence::parse(&Element::parse(xml).unwrap()) {
            Some(MucPresence::Occupant(o)) => o,
            other => panic!("not an occupant presence: {other:?}"),
        }
    }

    #[test]
    fn builds_join_with_history_and_leave() {
        let occ = Jid::parse("coven@chat.shakespeare.lit/thirdwitch").unwrap();
        let since = Instant(1_031_699_305_000);
        let join = join_presence(&occ, "j1", HistoryRequest { max_stanzas: Some(20), since: Some(since) }, Show::Online);
        assert_eq!(
            join.to_xml(),
            "<presence xmlns=\"jabber:client\" to=\"coven@chat.shakespeare.lit/thirdwitch\" id=\"j1\">\
             <x xmlns=\"http://jabber.org/protocol/muc\"><history maxstanzas=\"20\" since=\"2002-09-10T23:08:25.000Z\"/></x></presence>"
        );
        let plain = join_presence(&occ, "j2", HistoryRequest::default(), Show::Away);
        assert!(plain.find("x", ns::MUC).unwrap().children.is_empty());
        assert_eq!(plain.child_text("show", ns::CLIENT).as_deref(), Some("away"));
        let none = join_presence(&occ, "j3", HistoryRequest::none(), Show::Online);
        assert_eq!(none.find("x", ns::MUC).unwrap().find("history", ns::MUC).unwrap().get_attr("maxstanzas"), Some("0"));
        let leave = leave_presence(&occ, "l1");
        assert_eq!(leave.get_attr("type"), Some("unavailable"));
        assert_eq!(leave.get_attr("to"), Some("coven@chat.shakespeare.lit/thirdwitch"));
    }

    #[test]
    fn parses_self_presence_of_a_new_room() {
        // XEP-0045 example 155 (room creation), with an occupant id.
        let p = occupant(
            "<presence xmlns='jabber:client' from='coven@chat.shakespeare.lit/firstwitch' to='crone1@shakespeare.lit/desktop'>\
             <x xmlns='http://jabber.org/protocol/muc#user'>\
             <item affiliation='owner' role='moderator' jid='crone1@shakespeare.lit/desktop'/>\
             <status code='110'/><status code='201'/></x>\
             <occupant-id xmlns='urn:xmpp:occupant-id:0' id='abc='/></presence>",
        );
        assert_eq!(p.room.to_string(), "coven@chat.shakespeare.lit");
        assert_eq!(p.nick, "firstwitch");
        assert!(p.available && p.has_status(status::SELF_PRESENCE) && p.has_status(status::ROOM_CREATED));
        assert_eq!((p.item.affiliation, p.item.role), (Affiliation::Owner, Role::Moderator));
        assert_eq!(p.item.jid.as_ref().map(ToString::to_string).as_deref(), Some("crone1@shakespeare.lit/desktop"));
        let o = p.occupant();
        assert_eq!(o.occupant_id.as_deref(), Some("abc="));
        assert_eq!(
            o.to_json(),
            crate::core::json::json!({"nick":"firstwitch","role":"moderator","affiliation":"owner",
                               "jid":"crone1@shakespeare.lit/desktop","occupant_id":"abc="})
        );
    }

    #[test]
    fn parses_nick_change_and_kick() {
        // XEP-0045 examples 50 and 113.
        let change = occupant(
            "<presence xmlns='jabber:client' from='coven@chat.shakespeare.lit/thirdwitch' type='unavailable'>\
             <x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='member' nick='oldhag' role='participant'/>\
             <status code='303'/></x></presence>",
        );
        assert!(!change.available && change.has_status(status::NICK_CHANGED));
        assert_eq!(change.item.nick.as_deref(), Some("oldhag"));
        let kick = occupant(
            "<presence xmlns='jabber:client' from='harfleur@chat.shakespeare.lit/pistol' type='unavailable'>\
             <x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' role='none'>\
             <actor nick='Fluellen'/><reason>Avaunt, you cullion!</reason></item>\
             <status code='110'/><status code='307'/></x></presence>",
        );
        assert!(kick.has_status(status::KICKED) && kick.has_status(status::SELF_PRESENCE));
        assert_eq!(kick.item.reason.as_deref(), Some("Avaunt, you cullion!"));
        assert_eq!(kick.item.role, Role::None);
    }

    #[test]
    fn parses_presence_errors() {
        let p = Element::parse(
            "<presence xmlns='jabber:client' from='coven@chat.shakespeare.lit/thirdwitch' type='error'>\
             <error by='coven@chat.shakespeare.lit' type='cancel'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>",
        )
        .unwrap();
        match MucPresence::parse(&p) {
            Some(MucPresence::Error { room, nick, error }) => {
                assert_eq!(room.to_string(), "coven@chat.shakespeare.lit");
                assert_eq!(nick.as_deref(), Some("thirdwitch"));
                assert!(error.is("conflict"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn builds_the_instant_room_form() {
        // XEP-0045 example 160.
        let iq = instant_room_config(&Jid::parse("coven@chat.shakespeare.lit").unwrap(), "create1");
        assert_eq!(
            iq.to_xml(),
            "<iq xmlns=\"jabber:client\" type=\"set\" id=\"create1\" to=\"coven@chat.shakespeare.lit\">\
             <query xmlns=\"http://jabber.org/protocol/muc#owner\"><x xmlns=\"jabber:x:data\" type=\"submit\"/></query></iq>"
        );
    }

    #[test]
    fn garbage_presences_are_skipped_or_defaulted() {
        for xml in [
            "<presence xmlns='jabber:client'/>",
            "<presence xmlns='jabber:client' from='not a jid@@'/>",
            "<presence xmlns='jabber:client' from='room@muc.example.com'/>",
            "<presence xmlns='jabber:client' from='room@muc.example.com/n' type='subscribe'/>",
            "<message xmlns='jabber:client' from='room@muc.example.com/n'/>",
        ] {
            assert_eq!(MucPresence::parse(&Element::parse(xml).unwrap()), None, "{xml}");
        }
        let odd = occupant(
            "<presence xmlns='jabber:client' from='room@muc.example.com/n'>\
             <x xmlns='http://jabber.org/protocol/muc#user'><item role='king' affiliation='' jid='@@'/>\
             <status code='abc'/><status/><status code='99999999'/><status code='100'/></x></presence>",
        );
        assert_eq!((odd.item.role, odd.item.affiliation, odd.item.jid), (Role::None, Affiliation::None, None));
        assert_eq!(odd.status, vec![100]);
        let error_without_child =
            MucPresence::parse(&Element::parse("<presence xmlns='jabber:client' from='room@muc.example.com' type='error'/>").unwrap());
        assert!(matches!(error_without_child, Some(MucPresence::Error { nick: None, .. })));
    }
}
