//! `Chat`: the stanza-level state machine of the customer's side of a room. Sans-IO and free of
//! transport: the session hands it the stanzas the connection received and sends the ones it
//! produces.
//!
//! Methods sort into getters, `handle_*` inputs, commands (mutators that queue stanzas and
//! events) and `poll_*` outputs. The drain rule: after every input or command, call
//! [`Chat::poll_stanza`] and [`Chat::poll_event`] until they return `None`, then wake up at
//! [`Chat::poll_timeout`] and call [`Chat::handle_timeout`].
//!
//! What it does on its own: completes joins (status 110), configures rooms it created (201) as
//! instant rooms, retries a taken nick with a suffix, tracks occupants, answers IQs, sends the
//! receipt a message requests (once per msgid), drops messages it has already seen (history
//! replay after a rejoin), and follows the status of the messages it sent.

use super::chatstates::ChatState;
use super::decisions;
use super::disco::{self, DiscoInfo};
use super::groupchat::{self, IncomingMessage};
use super::iq::{self, Iq, IqType};
use super::jid::{Jid, JidError};
use super::markers::{Marker, MarkerKind};
use super::message::{FileRef, InteractionData, MessageObject, Perspective, Sender};
use super::muc::{self, status, HistoryRequest, MucPresence, Occupant, OccupantPresence, Show};
use super::queue::{Queue, Ring};
use super::receipts::Receipt;
use super::stanza_error::StanzaError;
use super::upload::{self, SlotError, UploadService, UploadSlot};
use super::vecmap::VecMap;
use super::xml::Element;
use super::{earliest, Instant};

/// How long a join may wait for the room's self-presence.
pub const JOIN_TIMEOUT_MS: u64 = 30_000;
/// How long an IQ may wait for its answer.
pub const IQ_TIMEOUT_MS: u64 = 30_000;
/// Nicks tried on conflict: `nick`, then `nick-2` … `nick-5`.
const MAX_NICK_ATTEMPTS: u32 = 5;
/// Occupants tracked per room; a hostile room cannot grow memory past this.
const MAX_OCCUPANTS: usize = 1000;
/// Ids remembered per kind (seen messages, receipts and markers sent, own messages).
const MEMORY: usize = 4096;
/// Disco items probed when looking for the upload service.
const MAX_PROBED_ITEMS: usize = 16;

/// Identifies a query (disco, upload) whose answer comes back as [`ChatEvent::QueryResult`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QueryId(pub u64);

/// The status of a message we sent, as the `messageStatus` event reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageStatus {
    /// Sent to the server, not yet reflected by the room.
    Pending,
    /// The room reflected it: everyone in the room has it.
    Sent,
    /// A receipt (or `received` marker) came back from the agent.
    Delivered,
    /// A `displayed` marker came back from the agent.
    Displayed,
    /// The room answered with an error.
    Failed,
}

impl MessageStatus {
    /// `"pending"`, `"sent"`, `"delivered"`, `"displayed"` or `"failed"`.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Pending => "pending",
            MessageStatus::Sent => "sent",
            MessageStatus::Delivered => "delivered",
            MessageStatus::Displayed => "displayed",
            MessageStatus::Failed => "failed",
        }
    }

    /// Whether moving from `self` to `next` is progress (statuses never go back; a failure only
    /// replaces pending or sent).
    fn advances_to(self, next: MessageStatus) -> bool {
        let rank = |s: MessageStatus| match s {
            MessageStatus::Pending => 0,
            MessageStatus::Sent => 1,
            MessageStatus::Delivered => 2,
            MessageStatus::Displayed => 3,
            MessageStatus::Failed => 4,
        };
        match (self, next) {
            (MessageStatus::Failed, _) => false,
            (_, MessageStatus::Failed) => rank(self) <= 1,
            _ => rank(next) > rank(self),
        }
    }
}

/// Why we are no longer in a room we had joined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LeaveReason {
    /// A moderator kicked us (307).
    Kicked,
    /// We were banned (301).
    Banned,
    /// Our affiliation changed or the room became members-only (321, 322).
    Removed,
    /// The service shut down (332).
    Shutdown,
    /// The room gave no reason we know.
    Other,
}

impl LeaveReason {
    fn from_presence(p: &OccupantPresence) -> LeaveReason {
        if p.has_status(status::KICKED) {
            LeaveReason::Kicked
        } else if p.has_status(status::BANNED) {
            LeaveReason::Banned
        } else if p.has_status(status::AFFILIATION_CHANGED) || p.has_status(status::MEMBERS_ONLY) {
            LeaveReason::Removed
        } else if p.has_status(status::SHUTDOWN) {
            LeaveReason::Shutdown
        } else {
            LeaveReason::Other
        }
    }
}

/// Why a join did not complete.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum JoinError {
    /// Every nick tried was taken.
    NickConflict,
    /// The room refused us (forbidden, members-only, banned, password, full, ...).
    Refused(StanzaError),
    /// No self-presence within [`JOIN_TIMEOUT_MS`].
    Timeout,
    /// The room removed us while we were configuring the room we created.
    Removed(LeaveReason),
    /// We created the room and configuring it failed (`None`: no answer in time).
    Configuration(Option<StanzaError>),
    /// [`Chat::leave`] was called before the join completed.
    Cancelled,
    /// The connection dropped before the join completed.
    Disconnected,
}

/// Why a query failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum QueryError {
    /// No answer within [`IQ_TIMEOUT_MS`].
    Timeout,
    /// The connection dropped before the answer came.
    Disconnected,
    /// Our own JID is not known yet ([`Chat::set_own_jid`]).
    NoAccount,
    /// The entity answered with an error.
    Refused(StanzaError),
    /// The answer did not hold what was asked for.
    BadReply,
    /// The upload slot cannot be used.
    Slot(SlotError),
}

/// What a query found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum QueryOutcome {
    /// A disco#info result ([`Chat::disco_info`]).
    DiscoInfo(DiscoInfo),
    /// The upload service, or `None` when the server has none ([`Chat::discover_upload_service`]).
    UploadService(Option<UploadService>),
    /// An upload slot ([`Chat::request_upload_slot`]).
    UploadSlot(UploadSlot),
}

/// Something the page may want to know.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChatEvent {
    /// We are in the room (also when [`Chat::join`] is called for a room already joined).
    RoomJoined {
        /// The room.
        room: Jid,
        /// Our nick there (it may differ from the one asked for).
        nick: String,
        /// Everyone in the room, ourselves included, by nick.
        occupants: Vec<Occupant>,
    },
    /// A join did not complete.
    JoinFailed {
        /// The room.
        room: Jid,
        /// Why.
        error: JoinError,
    },
    /// The room removed us.
    RoomLeft {
        /// The room.
        room: Jid,
        /// Why.
        reason: LeaveReason,
        /// The reason text the room gave, if any.
        text: Option<String>,
    },
    /// Someone else entered a room we are in (`agentJoined`).
    OccupantJoined {
        /// The room.
        room: Jid,
        /// Who.
        occupant: Occupant,
    },
    /// Someone else left a room we are in (`agentLeft`).
    OccupantLeft {
        /// The room.
        room: Jid,
        /// Who.
        occupant: Occupant,
    },
    /// A message with a body, files or a chat end (`messageReceived`), ours included.
    Message(Box<MessageObject>),
    /// The agent ended the chat (`chatEnded`); follows the [`ChatEvent::Message`] carrying it.
    ChatEnded {
        /// The room.
        room: Jid,
        /// The ids for feedback.
        data: InteractionData,
    },
    /// Someone else's chat state (`typing`); not raised for history.
    ChatState {
        /// The room.
        room: Jid,
        /// Whose.
        nick: String,
        /// The state.
        state: ChatState,
    },
    /// Someone else acknowledged message `msgid` with a receipt.
    Receipt {
        /// The room.
        room: Jid,
        /// The message acknowledged.
        msgid: String,
    },
    /// Someone else marked message `msgid`.
    Marker {
        /// The room.
        room: Jid,
        /// The message marked.
        msgid: String,
        /// Which marker.
        kind: MarkerKind,
    },
    /// We sent a receipt for `msgid` (`receiveReceipt`), by ourselves or on request.
    ReceiptSent {
        /// The room.
        room: Jid,
        /// The message acknowledged.
        msgid: String,
    },
    /// We sent a `displayed` marker for `msgid` (`displayedReceipt`).
    MarkerSent {
        /// The room.
        room: Jid,
        /// The message marked.
        msgid: String,
    },
    /// A message we sent changed status (`messageStatus`).
    MessageStatus {
        /// The room.
        room: Jid,
        /// Our message.
        msgid: String,
        /// Its new status.
        status: MessageStatus,
    },
    /// A query finished.
    QueryResult {
        /// The query.
        id: QueryId,
        /// What it found.
        result: Result<QueryOutcome, QueryError>,
    },
}

/// Why a command was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChatError {
    /// The room JID has a resource (a room is a bare JID).
    NotARoom(Jid),
    /// The nick cannot be a resourcepart.
    BadNick(JidError),
    /// We are not (yet) in this room.
    NotInRoom(Jid),
}

impl std::fmt::Display for ChatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChatError::NotARoom(j) => write!(f, "`{j}` is not a room JID"),
            ChatError::BadNick(e) => write!(f, "invalid nick: {e}"),
            ChatError::NotInRoom(j) => write!(f, "not in room `{j}`"),
        }
    }
}

impl std::error::Error for ChatError {}

/// A bounded memory of keys with values, forgetting the oldest first. Searched linearly: a few
/// microseconds per lookup when full, and far less code in the module than a hash map.
struct Recent<V> {
    entries: Ring<(String, V)>,
}

impl<V> Recent<V> {
    fn new() -> Self {
        Recent { entries: Ring::new(MEMORY) }
    }

    fn contains(&self, key: &str) -> bool {
        self.entries.as_slice().iter().any(|(k, _)| k == key)
    }

    /// Remembers `key`; `false` (and no change) when it was already there.
    fn insert(&mut self, key: String, value: V) -> bool {
        if self.contains(&key) {
            return false;
        }
        self.entries.push((key, value));
        true
    }

    fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        self.entries.as_mut_slice().iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// Where a room stands.
enum Phase {
    /// Join presence sent; waiting for our self-presence.
    Joining { base_nick: String, attempt: u32, deadline: Instant, history: HistoryRequest },
    /// We created the room; the instant-room configuration IQ is out.
    Configuring,
    /// In the room.
    Joined,
    /// We were in the room when the connection dropped; [`Chat::rejoin`] joins again.
    Lost,
}

struct Room {
    /// Our nick (the one being tried while joining).
    nick: String,
    phase: Phase,
    occupants: VecMap<String, Occupant>,
    /// The chat state we last sent, so repeats are not sent again.
    last_state: Option<ChatState>,
    /// The newest message time seen, for the `since` of a rejoin.
    last_stamp: Option<u64>,
}

enum Purpose {
    Info(QueryId),
    Slot(QueryId),
    RoomConfig(Jid),
    UploadItems(QueryId),
    UploadProbe(QueryId, Jid),
}

struct PendingIq {
    to: Jid,
    deadline: Instant,
    purpose: Purpose,
}

/// An upload-service discovery in progress.
struct Discovery {
    /// disco#info requests not yet answered.
    outstanding: usize,
    /// Whether the disco#items answer (or failure) came.
    items_done: bool,
}

/// Why an IQ produced no result.
enum IqFailure {
    Error(StanzaError),
    Timeout,
    Disconnected,
}

/// The stanza-level state machine. See the module documentation for the drain rule.
pub struct Chat {
    id_prefix: String,
    counter: u64,
    own_jid: Option<Jid>,
    show: Show,
    rooms: VecMap<Jid, Room>,
    /// IQs awaiting their answer by stanza id, in the order they were sent (so that timeouts
    /// and disconnections report them in that order).
    pending: Vec<(String, PendingIq)>,
    discoveries: VecMap<QueryId, Discovery>,
    upload_service: Option<UploadService>,
    /// Dedup keys of messages already handled (`room\ns:stanza-id`, `room\nm:msgid`).
    seen: Recent<()>,
    /// `room\nmsgid` of receipts sent.
    receipts_sent: Recent<()>,
    /// `room\nmsgid` of markers sent.
    markers_sent: Recent<()>,
    /// Ids we stamped on messages we sent.
    own_ids: Recent<()>,
    /// Status of the messages we sent, by msgid.
    own_status: Recent<(Jid, MessageStatus)>,
    out: Queue<Element>,
    events: Queue<ChatEvent>,
}

impl Chat {
    /// A chat whose stanza ids start with `id_prefix`. Give a random prefix (≥ 64 bits): ids
    /// double as XEP-0359 origin-ids, which must be unique across sessions.
    pub fn new(id_prefix: String) -> Chat {
        Chat {
            id_prefix,
            counter: 0,
            own_jid: None,
            show: Show::Online,
            rooms: VecMap::new(),
            pending: Vec::new(),
            discoveries: VecMap::new(),
            upload_service: None,
            seen: Recent::new(),
            receipts_sent: Recent::new(),
            markers_sent: Recent::new(),
            own_ids: Recent::new(),
            own_status: Recent::new(),
            out: Queue::new(),
            events: Queue::new(),
        }
    }

    // ── Getters ─────────────────────────────────────────────────────────────────────────────

    /// Our full JID, once bound.
    pub fn own_jid(&self) -> Option<&Jid> {
        self.own_jid.as_ref()
    }

    /// Our presence as `getUserStatus` reports it (`"online"`, `"away"`, ...).
    pub fn presence_show(&self) -> &'static str {
        self.show.as_str()
    }

    /// Whether we are in `room`.
    pub fn is_joined(&self, room: &Jid) -> bool {
        self.rooms.get(room).is_some_and(|r| matches!(r.phase, Phase::Joined))
    }

    /// Our nick in `room` (the one being tried while joining).
    pub fn nick(&self, room: &Jid) -> Option<&str> {
        self.rooms.get(room).map(|r| r.nick.as_str())
    }

    /// The occupants of `room`, ourselves included, by nick.
    pub fn occupants(&self, room: &Jid) -> Vec<Occupant> {
        let mut list = Vec::new();
        if let Some(r) = self.rooms.get(room) {
            for o in r.occupants.values() {
                list.push(o.clone());
            }
        }
        list
    }

    /// The upload service found by the last successful discovery.
    pub fn upload_service(&self) -> Option<&UploadService> {
        self.upload_service.as_ref()
    }

    // ── Inputs ──────────────────────────────────────────────────────────────────────────────

    /// Sets our full JID (after resource binding): IQ answers from our server are checked
    /// against it and upload discovery asks its domain.
    pub fn set_own_jid(&mut self, jid: Jid) {
        self.own_jid = Some(jid);
    }

    /// A stanza from the server. Anything that is not a message, presence or IQ, or that does not
    /// concern a room we are in or a request we made, is ignored (IQ requests are answered).
    pub fn handle_stanza(&mut self, now: Instant, stanza: &Element) {
        match stanza.name.as_str() {
            "message" => self.on_message(now, stanza),
            "presence" => self.on_presence(now, stanza),
            "iq" => self.on_iq(now, stanza),
            _ => {}
        }
    }

    /// Expires joins and IQs whose deadline has passed.
    pub fn handle_timeout(&mut self, now: Instant) {
        for room in self.room_jids() {
            if self.rooms.get(&room).is_some_and(|r| matches!(r.phase, Phase::Joining { deadline, .. } if deadline <= now)) {
                // A late self-presence would leave a ghost occupant behind: leave explicitly.
                self.leave_quietly(&room);
                self.join_failed(&room, JoinError::Timeout);
            }
        }
        // IQs sent while finishing one expire later, so this ends; the order is the sending order.
        while let Some(i) = self.pending.iter().position(|(_, p)| p.deadline <= now) {
            let (_, p) = self.pending.remove(i);
            self.finish_iq(now, p.purpose, Err(IqFailure::Timeout));
        }
    }

    /// The connection is gone: pending queries and joins fail, joined rooms wait for
    /// [`Chat::rejoin`].
    pub fn handle_disconnect(&mut self, now: Instant) {
        // In the order they were sent; finishing an IQ never sends another here.
        while !self.pending.is_empty() {
            let (_, p) = self.pending.remove(0);
            self.finish_iq(now, p.purpose, Err(IqFailure::Disconnected));
        }
        for jid in self.room_jids() {
            let Some(room) = self.rooms.get_mut(&jid) else { continue };
            if matches!(room.phase, Phase::Joined | Phase::Lost) {
                room.phase = Phase::Lost;
                room.occupants.clear();
                room.last_state = None;
            } else {
                self.rooms.remove(&jid);
                self.join_failed(&jid, JoinError::Disconnected);
            }
        }
    }

    // ── Commands ────────────────────────────────────────────────────────────────────────────

    /// Joins `room` as `nick`, asking for `history`. Completes with [`ChatEvent::RoomJoined`] or
    /// [`ChatEvent::JoinFailed`]; at once when already in the room.
    pub fn join(&mut self, now: Instant, room: &Jid, nick: &str, history: HistoryRequest) -> Result<(), ChatError> {
        if !room.is_bare() {
            return Err(ChatError::NotARoom(room.clone()));
        }
        let occupant = room.with_resource(nick).map_err(ChatError::BadNick)?;
        match self.rooms.get(room).map(|r| &r.phase) {
            Some(Phase::Joined) => {
                self.emit_joined(room);
                return Ok(());
            }
            Some(Phase::Joining { .. } | Phase::Configuring) => return Ok(()),
            Some(Phase::Lost) | None => {}
        }
        let id = self.next_id();
        self.out.push_back(muc::join_presence(&occupant, &id, history, self.show));
        let deadline = now.plus_ms(JOIN_TIMEOUT_MS);
        let phase = Phase::Joining { base_nick: nick.to_owned(), attempt: 1, deadline, history };
        let (occupants, last_stamp) = match self.rooms.remove(room) {
            Some(old) => (old.occupants, old.last_stamp),
            None => (VecMap::new(), None),
        };
        self.rooms.insert(room.clone(), Room { nick: nick.to_owned(), phase, occupants, last_state: None, last_stamp });
        Ok(())
    }

    /// `createRoom`: joins `room` without asking for history. A room our join creates (status
    /// 201) is configured as an instant room, as for any join; the event is
    /// [`ChatEvent::RoomJoined`] once the configuration is accepted.
    pub fn create_room(&mut self, now: Instant, room: &Jid, nick: &str) -> Result<(), ChatError> {
        self.join(now, room, nick, HistoryRequest::none())
    }

    /// Joins again every room lost with the connection, asking for the history since the newest
    /// message seen there (duplicates are dropped).
    pub fn rejoin(&mut self, now: Instant) {
        for room in self.room_jids() {
            let Some(r) = self.rooms.get(&room).filter(|r| matches!(r.phase, Phase::Lost)) else { continue };
            let history = HistoryRequest { max_stanzas: None, since: r.last_stamp.map(Instant) };
            let nick = r.nick.clone();
            // The nick was valid when we joined with it, so this cannot fail.
            let _ = self.join(now, &room, &nick, history);
        }
    }

    /// Leaves `room`. A join in progress fails with [`JoinError::Cancelled`].
    pub fn leave(&mut self, room: &Jid) {
        if let Some(r) = self.rooms.get(room) {
            let joining = matches!(r.phase, Phase::Joining { .. } | Phase::Configuring);
            self.leave_quietly(room);
            if joining {
                self.join_failed(room, JoinError::Cancelled);
            }
        }
    }

    /// `sendMessage`: sends `body` with `subtype` and `files` to `room`; returns its msgid. Its
    /// status starts `pending` ([`ChatEvent::MessageStatus`]).
    pub fn send_message(&mut self, room: &Jid, body: &str, subtype: &str, files: &[FileRef]) -> Result<String, ChatError> {
        self.joined_room(room)?;
        let id = self.own_id();
        self.out.push_back(groupchat::chat_message(room, &id, body, subtype, files));
        self.own_status.insert(id.clone(), (room.clone(), MessageStatus::Pending));
        if let Some(r) = self.rooms.get_mut(room) {
            r.last_state = Some(ChatState::Active);
        }
        self.events.push_back(ChatEvent::MessageStatus { room: room.clone(), msgid: id.clone(), status: MessageStatus::Pending });
        Ok(id)
    }

    /// `sendTypingStatus` / `sendPausedStatus`: sends a chat state; `Ok(false)` when it is the
    /// state last sent to this room (pages call this on every keystroke).
    pub fn send_chat_state(&mut self, room: &Jid, state: ChatState) -> Result<bool, ChatError> {
        let r = self.joined_room(room)?;
        if r.last_state == Some(state) {
            return Ok(false);
        }
        r.last_state = Some(state);
        let id = self.own_id();
        self.out.push_back(groupchat::chat_state_message(room, &id, state));
        Ok(true)
    }

    /// `sendReceiveReceipt`: sends a receipt for `msgid` and raises [`ChatEvent::ReceiptSent`];
    /// `Ok(false)` when one was already sent for it (or `msgid` is empty).
    pub fn send_receipt(&mut self, room: &Jid, msgid: &str) -> Result<bool, ChatError> {
        self.send_ack(room, msgid, false)
    }

    /// `sendDisplayedReceipt`: sends a `displayed` marker for `msgid` and raises
    /// [`ChatEvent::MarkerSent`]; `Ok(false)` when one was already sent for it (or `msgid` is
    /// empty).
    pub fn send_marker(&mut self, room: &Jid, msgid: &str) -> Result<bool, ChatError> {
        self.send_ack(room, msgid, true)
    }

    /// Sets our availability and tells every room we are in.
    pub fn set_presence(&mut self, show: Show) {
        self.show = show;
        for room in self.room_jids() {
            let Some(r) = self.rooms.get(&room).filter(|r| matches!(r.phase, Phase::Joined)) else { continue };
            if let Ok(occupant) = room.with_resource(&r.nick) {
                let id = self.next_id();
                self.out.push_back(muc::presence_update(&occupant, &id, show));
            }
        }
    }

    /// Remembers that message `msgid` of `room` was shown (an archive replay); `false` when it
    /// was already seen, live or replayed.
    pub fn note_seen(&mut self, room: &Jid, msgid: &str) -> bool {
        msgid.is_empty() || self.seen.insert(format!("{room}\nm:{msgid}"), ())
    }

    /// `requestUploadServiceInfo`: asks `jid` for its disco#info.
    pub fn disco_info(&mut self, now: Instant, jid: &Jid) -> QueryId {
        let q = self.next_query();
        self.send_iq(now, jid.clone(), disco::info_query(), Purpose::Info(q));
        q
    }

    /// `discoverFileUploadJid`: finds the XEP-0363 service among our server and its disco items
    /// (the first that advertises `urn:xmpp:http:upload:0`). Answers at once when a previous
    /// discovery found one.
    pub fn discover_upload_service(&mut self, now: Instant) -> QueryId {
        let q = self.next_query();
        if let Some(found) = &self.upload_service {
            let result = Ok(QueryOutcome::UploadService(Some(found.clone())));
            self.query_result(q, result);
            return q;
        }
        let Some(domain) = self.own_domain() else {
            self.query_result(q, Err(QueryError::NoAccount));
            return q;
        };
        self.discoveries.insert(q, Discovery { outstanding: 1, items_done: false });
        self.send_iq(now, domain.clone(), disco::info_query(), Purpose::UploadProbe(q, domain.clone()));
        self.send_iq(now, domain, disco::items_query(), Purpose::UploadItems(q));
        q
    }

    /// `requestSlotFromConverse`: asks `service` for an upload slot.
    pub fn request_upload_slot(
        &mut self,
        now: Instant,
        service: &Jid,
        filename: &str,
        size: u64,
        content_type: Option<&str>,
    ) -> QueryId {
        let q = self.next_query();
        self.send_iq(now, service.clone(), upload::slot_request(filename, size, content_type), Purpose::Slot(q));
        q
    }

    // ── Outputs ─────────────────────────────────────────────────────────────────────────────

    /// The next stanza to send.
    #[must_use]
    pub fn poll_stanza(&mut self) -> Option<Element> {
        self.out.pop_front()
    }

    /// The next event.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<ChatEvent> {
        self.events.pop_front()
    }

    /// When [`Chat::handle_timeout`] must be called next (a join or an IQ deadline).
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        let mut next = None;
        for r in self.rooms.values() {
            if let Phase::Joining { deadline, .. } = r.phase {
                next = earliest(next, Some(deadline));
            }
        }
        for (_, p) in &self.pending {
            next = earliest(next, Some(p.deadline));
        }
        next
    }

    // ── Internals ───────────────────────────────────────────────────────────────────────────

    /// The rooms' JIDs, copied out so that the loops over them may change the rooms.
    fn room_jids(&self) -> Vec<Jid> {
        let mut jids = Vec::new();
        for jid in self.rooms.keys() {
            jids.push(jid.clone());
        }
        jids
    }

    fn next_id(&mut self) -> String {
        self.counter += 1;
        format!("{}-{}", self.id_prefix, self.counter)
    }

    /// Sends a `displayed` marker (`marker`) or a receipt for `msgid`, once per message.
    fn send_ack(&mut self, room: &Jid, msgid: &str, marker: bool) -> Result<bool, ChatError> {
        self.joined_room(room)?;
        let sent = if marker { &mut self.markers_sent } else { &mut self.receipts_sent };
        if msgid.is_empty() || !sent.insert(format!("{room}\n{msgid}"), ()) {
            return Ok(false);
        }
        let id = self.own_id();
        let (room, msgid) = (room.clone(), msgid.to_owned());
        if marker {
            self.out.push_back(groupchat::displayed_message(&room, &id, &msgid));
            self.events.push_back(ChatEvent::MarkerSent { room, msgid });
        } else {
            self.out.push_back(groupchat::receipt_message(&room, &id, &msgid));
            self.events.push_back(ChatEvent::ReceiptSent { room, msgid });
        }
        Ok(true)
    }

    /// A fresh id for a message of ours, remembered so that its reflection is known as ours.
    fn own_id(&mut self) -> String {
        let id = self.next_id();
        self.own_ids.insert(id.clone(), ());
        id
    }

    fn join_failed(&mut self, room: &Jid, error: JoinError) {
        self.events.push_back(ChatEvent::JoinFailed { room: room.clone(), error });
    }

    fn query_result(&mut self, id: QueryId, result: Result<QueryOutcome, QueryError>) {
        self.events.push_back(ChatEvent::QueryResult { id, result });
    }

    fn next_query(&mut self) -> QueryId {
        self.counter += 1;
        QueryId(self.counter)
    }

    fn own_domain(&self) -> Option<Jid> {
        self.own_jid.as_ref().and_then(|j| Jid::new(None, j.domain(), None).ok())
    }

    fn joined_room(&mut self, room: &Jid) -> Result<&mut Room, ChatError> {
        match self.rooms.get_mut(room) {
            Some(r) if matches!(r.phase, Phase::Joined) => Ok(r),
            _ => Err(ChatError::NotInRoom(room.clone())),
        }
    }

    fn emit_joined(&mut self, room: &Jid) {
        if let Some(r) = self.rooms.get(room) {
            let nick = r.nick.clone();
            let occupants = self.occupants(room);
            self.events.push_back(ChatEvent::RoomJoined { room: room.clone(), nick, occupants });
        }
    }

    /// Sends the unavailable presence and forgets the room.
    fn leave_quietly(&mut self, room: &Jid) {
        if let Some(r) = self.rooms.remove(room) {
            if !matches!(r.phase, Phase::Lost) {
                if let Ok(occupant) = room.with_resource(&r.nick) {
                    let id = self.next_id();
                    self.out.push_back(muc::leave_presence(&occupant, &id));
                }
            }
        }
    }

    fn send_iq(&mut self, now: Instant, to: Jid, payload: Element, purpose: Purpose) {
        let id = self.next_id();
        self.out.push_back(iq::request(IqType::Get, Some(&to), &id, payload));
        self.pending.push((id, PendingIq { to, deadline: now.plus_ms(IQ_TIMEOUT_MS), purpose }));
    }

    /// Removes the pending IQ `id`, if there is one.
    fn take_pending(&mut self, id: &str) -> Option<PendingIq> {
        let i = self.pending.iter().position(|(k, _)| k == id)?;
        Some(self.pending.remove(i).1)
    }

    fn on_iq(&mut self, now: Instant, stanza: &Element) {
        let Some(iq) = Iq::parse(stanza) else { return };
        if let Some(reply) = iq::answer(&iq) {
            self.out.push_back(reply);
            return;
        }
        let Some((_, pending)) = self.pending.iter().find(|(id, _)| *id == iq.id) else { return };
        // RFC 6120 §8.1.2.1: an answer comes from the entity asked; our own server may omit
        // `from` when we asked our own domain or account.
        let from_ok = match &iq.from {
            Some(from) => *from == pending.to,
            None => self.own_domain().as_ref() == Some(&pending.to) || self.own_jid.as_ref().map(Jid::bare).as_ref() == Some(&pending.to),
        };
        if !from_ok {
            return;
        }
        let Some(pending) = self.take_pending(&iq.id) else { return };
        let outcome = match (iq.kind, iq.error) {
            (IqType::Error, Some(e)) => Err(IqFailure::Error(e)),
            _ => Ok(iq.payload),
        };
        self.finish_iq(now, pending.purpose, outcome);
    }

    fn finish_iq(&mut self, now: Instant, purpose: Purpose, outcome: Result<Option<Element>, IqFailure>) {
        let failure = |f: IqFailure| match f {
            IqFailure::Error(e) => QueryError::Refused(e),
            IqFailure::Timeout => QueryError::Timeout,
            IqFailure::Disconnected => QueryError::Disconnected,
        };
        match purpose {
            Purpose::Info(q) => {
                let result = outcome
                    .map_err(failure)
                    .and_then(|p| p.as_ref().and_then(DiscoInfo::parse).ok_or(QueryError::BadReply))
                    .map(QueryOutcome::DiscoInfo);
                self.query_result(q, result);
            }
            Purpose::Slot(q) => {
                let result = match outcome {
                    Ok(payload) => upload::parse_slot(payload.as_ref()).map(QueryOutcome::UploadSlot).map_err(QueryError::Slot),
                    Err(IqFailure::Error(e)) => Err(QueryError::Slot(upload::slot_refusal(e))),
                    Err(f) => Err(failure(f)),
                };
                self.query_result(q, result);
            }
            Purpose::RoomConfig(room) => self.on_room_configured(&room, outcome),
            Purpose::UploadItems(q) => self.on_upload_items(now, q, outcome),
            Purpose::UploadProbe(q, jid) => self.on_upload_probe(q, jid, outcome),
        }
    }

    fn on_room_configured(&mut self, room: &Jid, outcome: Result<Option<Element>, IqFailure>) {
        let Some(r) = self.rooms.get_mut(room) else { return };
        if !matches!(r.phase, Phase::Configuring) {
            return;
        }
        match outcome {
            Ok(_) => {
                r.phase = Phase::Joined;
                self.emit_joined(room);
            }
            Err(IqFailure::Disconnected) => {
                self.rooms.remove(room);
                self.join_failed(room, JoinError::Disconnected);
            }
            Err(f) => {
                // A locked room is useless to everyone: leave it rather than linger as its owner.
                self.leave_quietly(room);
                let error = JoinError::Configuration(match f {
                    IqFailure::Error(e) => Some(e),
                    _ => None,
                });
                self.join_failed(room, error);
            }
        }
    }

    fn on_upload_items(&mut self, now: Instant, q: QueryId, outcome: Result<Option<Element>, IqFailure>) {
        if let Err(IqFailure::Disconnected) = outcome {
            return self.finish_discovery(q, Err(QueryError::Disconnected));
        }
        let domain = self.own_domain();
        let items = match outcome {
            Ok(Some(payload)) => disco::parse_items(&payload).unwrap_or_default(),
            _ => Vec::new(),
        };
        let mut probes: Vec<Jid> = Vec::new();
        for item in &items {
            // Items with a node are not services; the domain itself is probed already.
            if item.node.is_none() && Some(&item.jid) != domain.as_ref() && !probes.contains(&item.jid) {
                probes.push(item.jid.clone());
            }
        }
        probes.truncate(MAX_PROBED_ITEMS);
        let Some(d) = self.discoveries.get_mut(&q) else { return };
        d.items_done = true;
        d.outstanding += probes.len();
        for jid in &probes {
            self.send_iq(now, jid.clone(), disco::info_query(), Purpose::UploadProbe(q, jid.clone()));
        }
        self.check_discovery_done(q);
    }

    fn on_upload_probe(&mut self, q: QueryId, jid: Jid, outcome: Result<Option<Element>, IqFailure>) {
        if let Err(IqFailure::Disconnected) = outcome {
            return self.finish_discovery(q, Err(QueryError::Disconnected));
        }
        let info = outcome.ok().flatten().as_ref().and_then(DiscoInfo::parse);
        if let Some(service) = info.and_then(|i| UploadService::from_info(jid, &i)) {
            self.upload_service = Some(service.clone());
            return self.finish_discovery(q, Ok(Some(service)));
        }
        if let Some(d) = self.discoveries.get_mut(&q) {
            d.outstanding = d.outstanding.saturating_sub(1);
        }
        self.check_discovery_done(q);
    }

    fn check_discovery_done(&mut self, q: QueryId) {
        if self.discoveries.get(&q).is_some_and(|d| d.items_done && d.outstanding == 0) {
            self.finish_discovery(q, Ok(None));
        }
    }

    fn finish_discovery(&mut self, q: QueryId, result: Result<Option<UploadService>, QueryError>) {
        if self.discoveries.remove(&q).is_none() {
            return;
        }
        // Answers still on their way are of no use now.
        let of_query = |p: &PendingIq| matches!(p.purpose, Purpose::UploadItems(x) | Purpose::UploadProbe(x, _) if x == q);
        while let Some(i) = self.pending.iter().position(|(_, p)| of_query(p)) {
            self.pending.remove(i);
        }
        self.query_result(q, result.map(QueryOutcome::UploadService));
    }

    fn on_presence(&mut self, now: Instant, stanza: &Element) {
        match MucPresence::parse(stanza) {
            Some(MucPresence::Error { room, error, .. }) => self.on_presence_error(now, &room, error),
            Some(MucPresence::Occupant(p)) => self.on_occupant(now, p),
            None => {}
        }
    }

    fn on_presence_error(&mut self, now: Instant, room: &Jid, error: StanzaError) {
        let Some(r) = self.rooms.get_mut(room) else { return };
        // After the join, errors answer presence updates and change nothing.
        let Phase::Joining { base_nick, attempt, deadline, history } = &mut r.phase else { return };
        if error.is("conflict") && *attempt < MAX_NICK_ATTEMPTS {
            *attempt += 1;
            let nick = format!("{base_nick}-{attempt}");
            if let Ok(occupant) = room.with_resource(&nick) {
                *deadline = now.plus_ms(JOIN_TIMEOUT_MS);
                let (history, show) = (*history, self.show);
                r.nick = nick;
                let id = self.next_id();
                self.out.push_back(muc::join_presence(&occupant, &id, history, show));
                return;
            }
        }
        self.rooms.remove(room);
        let error = if error.is("conflict") { JoinError::NickConflict } else { JoinError::Refused(error) };
        self.join_failed(room, error);
    }

    fn on_occupant(&mut self, now: Instant, p: OccupantPresence) {
        let room = p.room.clone();
        let Some(r) = self.rooms.get_mut(&room) else { return };
        if matches!(r.phase, Phase::Lost) {
            return;
        }
        let is_self = p.has_status(status::SELF_PRESENCE) || p.nick == r.nick;
        if is_self {
            return self.on_self_presence(now, &room, p);
        }
        let joined = matches!(r.phase, Phase::Joined);
        if p.available {
            let known = r.occupants.contains_key(&p.nick);
            if !known && r.occupants.len() >= MAX_OCCUPANTS {
                return;
            }
            r.occupants.insert(p.nick.clone(), p.occupant());
            if joined && !known {
                self.events.push_back(ChatEvent::OccupantJoined { room, occupant: p.occupant() });
            }
        } else if let Some(old) = r.occupants.remove(&p.nick) {
            match (&p.item.nick, p.has_status(status::NICK_CHANGED)) {
                // A nick change is a rename, not someone leaving and someone else arriving.
                (Some(new_nick), true) => {
                    r.occupants.insert(new_nick.clone(), Occupant { nick: new_nick.clone(), ..old });
                }
                _ if joined => self.events.push_back(ChatEvent::OccupantLeft { room, occupant: old }),
                _ => {}
            }
        }
    }

    fn on_self_presence(&mut self, now: Instant, room: &Jid, p: OccupantPresence) {
        let Some(r) = self.rooms.get_mut(room) else { return };
        if !p.available {
            if let (true, Some(new_nick)) = (p.has_status(status::NICK_CHANGED), &p.item.nick) {
                r.occupants.remove(&p.nick);
                r.nick.clone_from(new_nick);
                return;
            }
            // While joining, an unavailable self-presence is the echo of an earlier leave (a
            // refused join is a presence error): the new join is still on its way.
            if matches!(r.phase, Phase::Joining { .. }) {
                return;
            }
            let joined = matches!(r.phase, Phase::Joined);
            self.rooms.remove(room);
            let reason = LeaveReason::from_presence(&p);
            self.events.push_back(if joined {
                ChatEvent::RoomLeft { room: room.clone(), reason, text: p.item.reason.clone() }
            } else {
                ChatEvent::JoinFailed { room: room.clone(), error: JoinError::Removed(reason) }
            });
            return;
        }
        r.nick.clone_from(&p.nick);
        r.occupants.insert(p.nick.clone(), p.occupant());
        if !matches!(r.phase, Phase::Joining { .. }) {
            return;
        }
        if p.has_status(status::ROOM_CREATED) {
            r.phase = Phase::Configuring;
            let id = self.next_id();
            self.out.push_back(muc::instant_room_config(room, &id));
            let pending = PendingIq { to: room.clone(), deadline: now.plus_ms(IQ_TIMEOUT_MS), purpose: Purpose::RoomConfig(room.clone()) };
            self.pending.push((id, pending));
        } else {
            r.phase = Phase::Joined;
            self.emit_joined(room);
        }
    }

    fn on_message(&mut self, now: Instant, stanza: &Element) {
        let Some(msg) = IncomingMessage::parse(stanza) else { return };
        let room = msg.from.bare();
        let Some(r) = self.rooms.get(&room) else { return };
        if msg.kind == "error" {
            // The room bounced one of ours.
            if let Some(id) = &msg.id {
                self.advance_status(&room, id, MessageStatus::Failed);
            }
            return;
        }
        if msg.kind != "groupchat" || (msg.has_subject && msg.body.as_deref().is_none_or(|b| b.trim().is_empty())) {
            return;
        }
        let msgid = decisions::msgid(msg.id.as_deref(), msg.origin_id.as_deref());
        let mut keys = Vec::new();
        if let Some(sid) = &msg.stanza_id {
            keys.push(format!("{room}\ns:{sid}"));
        }
        if !msgid.is_empty() {
            keys.push(format!("{room}\nm:{msgid}"));
        }
        if keys.iter().any(|k| self.seen.contains(k)) {
            return;
        }
        let own_ids = &self.own_ids;
        let is_own_id = |id: &str| own_ids.contains(id);
        let view = Perspective {
            own_nick: Some(r.nick.as_str()),
            is_own_id: &is_own_id,
            sender_real_jid: r.occupants.get(msg.nick()).and_then(|o| o.jid.as_ref()),
            now,
        };
        let obj = MessageObject::from_incoming(&msg, &view);
        for k in keys {
            self.seen.insert(k, ());
        }
        let stamp = msg.delay.as_ref().map_or(now.0, |d| d.stamp_ms);
        if let Some(r) = self.rooms.get_mut(&room) {
            r.last_stamp = Some(r.last_stamp.map_or(stamp, |s| s.max(stamp)));
        }
        let fires = decisions::fires_message_received(&obj.body, obj.files.is_some(), obj.chat_ended);
        if obj.sender == Sender::Me {
            self.advance_status(&room, &msgid, MessageStatus::Sent);
            if fires {
                self.events.push_back(ChatEvent::Message(Box::new(obj)));
            }
            return;
        }
        if let (Some(state), None) = (msg.chat_state, &msg.delay) {
            self.events.push_back(ChatEvent::ChatState { room: room.clone(), nick: obj.nick.clone(), state });
        }
        if let Some(Receipt::Received(id)) = &msg.receipt {
            self.events.push_back(ChatEvent::Receipt { room: room.clone(), msgid: id.clone() });
            self.advance_status(&room, id, MessageStatus::Delivered);
        }
        if let Some(Marker::Mark(kind, id)) = &msg.marker {
            self.events.push_back(ChatEvent::Marker { room: room.clone(), msgid: id.clone(), kind: *kind });
            let status = if *kind == MarkerKind::Received { MessageStatus::Delivered } else { MessageStatus::Displayed };
            self.advance_status(&room, id, status);
        }
        let chat_end = obj.interaction_data.clone();
        if fires {
            self.events.push_back(ChatEvent::Message(Box::new(obj)));
        }
        if let Some(data) = chat_end {
            self.events.push_back(ChatEvent::ChatEnded { room: room.clone(), data });
        }
        if msg.receipt == Some(Receipt::Request) {
            // `NotInRoom` can only mean a message that arrived before our self-presence; rooms
            // send history after it, so nothing that needs a receipt is lost.
            let _ = self.send_receipt(&room, &msgid);
        }
    }

    fn advance_status(&mut self, room: &Jid, msgid: &str, next: MessageStatus) {
        let Some((sent_to, status)) = self.own_status.get_mut(msgid) else { return };
        if sent_to == room && status.advances_to(next) {
            *status = next;
            self.events.push_back(ChatEvent::MessageStatus { room: room.clone(), msgid: msgid.to_owned(), status: next });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_only_move_forward() {
        use MessageStatus::*;
        assert!(Pending.advances_to(Sent) && Sent.advances_to(Delivered) && Pending.advances_to(Displayed));
        assert!(!Displayed.advances_to(Delivered) && !Delivered.advances_to(Sent) && !Sent.advances_to(Sent));
        assert!(Pending.advances_to(Failed) && Sent.advances_to(Failed));
        assert!(!Delivered.advances_to(Failed) && !Failed.advances_to(Sent));
    }

    #[test]
    fn recent_forgets_the_oldest_beyond_its_size() {
        let mut r: Recent<()> = Recent::new();
        for i in 0..=MEMORY {
            assert!(r.insert(i.to_string(), ()));
        }
        assert!(!r.contains("0"));
        assert!(r.contains("1") && r.contains(&MEMORY.to_string()));
        assert!(!r.insert("1".into(), ()));
        assert_eq!(r.entries.len(), MEMORY);
        // The ring keeps going round: the next oldest goes next.
        assert!(r.insert("0".into(), ()));
        assert!(!r.contains("1") && r.contains("2") && r.contains("0"));
        assert_eq!(r.entries.len(), MEMORY);
    }
}
