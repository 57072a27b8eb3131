//! `Session`: a [`Connection`] and a [`Chat`] glued together, with the same poll-style surface.
//!
//! The glue is thin: stanzas the chat produces go to the connection (held there until online),
//! stanzas the connection receives go to the chat, and the events of both come out as
//! [`SessionEvent`]s in the order they happened. Chat commands (join, send a message, ...) are
//! called on [`Session::chat_mut`]; their stanzas leave at the next [`Session::poll_transmit`].
//!
//! The Promise methods that wait for the session (joins, `disconnectConverse`, upload queries)
//! are operations pending here ([`flows`](super::flows)), ended by the events as they are raised
//! and reported as [`SessionEvent::Settled`] just before the event that ended them.
//!
//! The drain rule: after [`Session::start`], every `handle_*` input and every command, call
//! [`Session::poll_transmit`] and [`Session::poll_event`] until both return `None`, then wait for
//! an HTTP answer or until [`Session::poll_timeout`].

use super::chat::{Chat, ChatEvent};
use super::flows::{self, Code, Op, Outcome, Start, Step, Then};
use super::connection::{Connection, ConnectionConfig, ConnectionError, ConnectionEvent, Randomness};
use super::http::{HttpRequest, HttpResponse, RequestId, TransportError};
use super::jid::Jid;
use super::muc::HistoryRequest;
use super::queue::Queue;
use super::{earliest, Instant};

/// What a session reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEvent {
    /// The connection is negotiated; `jid` is the full JID of this session.
    Online {
        /// The bound full JID.
        jid: Jid,
    },
    /// Something happened in a room (joins, messages, states, receipts, markers, queries).
    Chat(ChatEvent),
    /// The connection is over: `None` after [`Session::stop`], else why it failed. Rooms the
    /// chat was in wait for [`Session::reconnect`]; joins and queries in progress have failed.
    Disconnected(Option<ConnectionError>),
    /// An operation for the adapter's Promise `promise` ended ([`flows`]).
    Settled {
        /// The Promise's number, as given.
        promise: u64,
        /// How it ends.
        outcome: Outcome,
    },
}

/// A connection and the chat it carries.
pub struct Session {
    config: ConnectionConfig,
    connection: Connection,
    chat: Chat,
    events: Queue<SessionEvent>,
    /// Operations waiting for an event, by Promise number.
    pending: Vec<(u64, Op)>,
    /// A failed `startChat` join asked for the session to stop.
    stop_wanted: bool,
    /// The instant of the last input (a query that continues another is asked at it).
    now: Instant,
}

impl Session {
    /// A session that does nothing until [`Session::start`]. `id_prefix` starts every stanza id
    /// the chat makes; give ≥ 64 random bits (ids double as XEP-0359 origin-ids).
    pub fn new(config: ConnectionConfig, randomness: Randomness, id_prefix: String) -> Session {
        Session {
            connection: Connection::new(config.clone(), randomness),
            config,
            chat: Chat::new(id_prefix),
            events: Queue::new(),
            pending: Vec::new(),
            stop_wanted: false,
            now: Instant(0),
        }
    }

    /// The chat, to read rooms and occupants.
    pub fn chat(&self) -> &Chat {
        &self.chat
    }

    /// The chat, to give commands; their stanzas leave at the next [`Session::poll_transmit`].
    pub fn chat_mut(&mut self) -> &mut Chat {
        &mut self.chat
    }

    /// The connection, to read its state ([`Connection::jid`], [`Connection::is_online`]).
    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    /// Joins `room` as `nick` for Promise `promise` of `method` (`createRoom` creates it as an
    /// instant room when new; `startChat` passes what it provisioned, and a failure stops the
    /// session); [`SessionEvent::Settled`] tells how it ended.
    pub fn join_for(&mut self, now: Instant, promise: u64, method: &'static str, room: &Jid, nick: &str, start: Option<Start>) {
        let asked = if method == "createRoom" { self.chat.create_room(now, room, nick) } else { self.chat.join(now, room, nick, HistoryRequest::default()) };
        let step = match asked {
            Ok(()) => Step::Wait(Op::Join { room: room.clone(), method, start }),
            Err(e) => flows::join_failed(Code::BadArgument, method, start, &e.to_string()),
        };
        self.step(promise, step);
        self.pump(now);
    }

    /// Asks what `then` needs for Promise `promise`; [`SessionEvent::Settled`] gives the answer.
    pub fn query_for(&mut self, now: Instant, promise: u64, then: Then) {
        let op = Op::query(&mut self.chat, now, then);
        self.pending.push((promise, op));
        self.pump(now);
    }

    /// Stops the session for Promise `promise`, settled once the session is closed.
    pub fn close_for(&mut self, now: Instant, promise: u64) {
        self.pending.push((promise, Op::Close));
        self.stop(now);
    }

    /// Ends every pending operation as if the session disconnected: for a session dropped
    /// before it closed. The [`SessionEvent::Settled`] events, in order.
    pub fn abandon(&mut self) -> Vec<SessionEvent> {
        self.advance(None);
        let mut settled = Vec::new();
        while let Some(event) = self.events.pop_front() {
            if let SessionEvent::Settled { .. } = event {
                settled.push(event);
            }
        }
        settled
    }

    /// Starts connecting.
    pub fn start(&mut self, now: Instant) {
        self.connection.start(now);
    }

    /// Connects again after [`SessionEvent::Disconnected`], with fresh `randomness`; once online,
    /// the chat rejoins the rooms it was in, asking for the history it missed. Does nothing
    /// while the current connection is alive.
    pub fn reconnect(&mut self, now: Instant, randomness: Randomness) {
        if self.connection.is_ended() {
            self.connection = Connection::new(self.config.clone(), randomness);
            self.connection.start(now);
        }
    }

    /// Ends the session cleanly: stanzas the chat has queued go first, then the unavailable
    /// presence in the BOSH terminate body; [`SessionEvent::Disconnected`]`(None)` follows.
    pub fn stop(&mut self, now: Instant) {
        self.pump(now);
        self.connection.stop(now);
        self.pump(now);
    }

    /// Takes the HTTP result of request `id`.
    pub fn handle_response(&mut self, now: Instant, id: RequestId, result: Result<HttpResponse, TransportError>) {
        self.connection.handle_response(now, id, result);
        self.pump(now);
    }

    /// Moves time forward (BOSH resends, join and query deadlines).
    pub fn handle_timeout(&mut self, now: Instant) {
        self.connection.handle_timeout(now);
        self.chat.handle_timeout(now);
        self.pump(now);
    }

    /// The next HTTP request to perform, if any.
    #[must_use]
    pub fn poll_transmit(&mut self, now: Instant) -> Option<HttpRequest> {
        self.pump(now);
        self.connection.poll_transmit(now)
    }

    /// The next event, if any.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<SessionEvent> {
        // Chat events raised by commands since the last pump come after everything queued.
        self.drain_chat_events();
        self.events.pop_front()
    }

    /// When to call [`Session::handle_timeout`] next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        earliest(self.connection.poll_timeout(), self.chat.poll_timeout())
    }

    /// Moves stanzas and events between the chat and the connection until both are quiet.
    fn pump(&mut self, now: Instant) {
        self.now = now;
        loop {
            let mut progressed = false;
            while let Some(stanza) = self.chat.poll_stanza() {
                progressed = true;
                self.connection.send(stanza);
            }
            while let Some(event) = self.connection.poll_event() {
                progressed = true;
                match event {
                    ConnectionEvent::Online { jid } => {
                        self.chat.set_own_jid(jid.clone());
                        self.raise(SessionEvent::Online { jid });
                        self.chat.rejoin(now);
                    }
                    ConnectionEvent::Stanza(stanza) => {
                        self.chat.handle_stanza(now, &stanza);
                        self.drain_chat_events();
                    }
                    ConnectionEvent::Disconnected(error) => {
                        self.chat.handle_disconnect(now);
                        self.drain_chat_events();
                        self.raise(SessionEvent::Disconnected(error));
                    }
                }
            }
            progressed |= self.drain_chat_events();
            if std::mem::take(&mut self.stop_wanted) {
                progressed = true;
                self.stop(now);
            }
            if !progressed {
                return;
            }
        }
    }

    fn drain_chat_events(&mut self) -> bool {
        let mut any = false;
        while let Some(event) = self.chat.poll_event() {
            any = true;
            self.raise(SessionEvent::Chat(event));
        }
        any
    }

    /// Queues `event` after the settlements of the operations it ends. The answer to a query
    /// an operation asked goes to that operation only.
    fn raise(&mut self, event: SessionEvent) {
        let event = match event {
            SessionEvent::Chat(ChatEvent::QueryResult { id, result }) => {
                match self.pending.iter().position(|(_, op)| matches!(op, Op::Query(q, _) if *q == id)) {
                    Some(i) => {
                        if let (promise, Op::Query(_, then)) = self.pending.remove(i) {
                            let step = flows::answered(&mut self.chat, self.now, then, result);
                            self.step(promise, step);
                        }
                        return;
                    }
                    None => SessionEvent::Chat(ChatEvent::QueryResult { id, result }),
                }
            }
            event => event,
        };
        self.advance(Some(&event));
        self.events.push_back(event);
    }

    /// Gives `event` to every pending operation.
    fn advance(&mut self, event: Option<&SessionEvent>) {
        for (promise, op) in std::mem::take(&mut self.pending) {
            let step = op.advance(&mut self.chat, self.now, event);
            self.step(promise, step);
        }
    }

    /// Keeps an operation that waits; settles one that ended.
    fn step(&mut self, promise: u64, step: Step) {
        let outcome = match step {
            Step::Wait(op) => return self.pending.push((promise, op)),
            Step::End(outcome) => outcome,
            Step::EndAndStop(outcome) => {
                self.stop_wanted = true;
                outcome
            }
        };
        self.events.push_back(SessionEvent::Settled { promise, outcome });
    }
}
