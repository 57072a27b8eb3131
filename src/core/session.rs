//! `Session`: a [`Connection`] and a [`Chat`] glued together, with the same poll-style surface.
//!
//! The glue is thin: stanzas the chat produces go to the connection (held there until online),
//! stanzas the connection receives go to the chat, and the events of both come out as
//! [`SessionEvent`]s in the order they happened. Chat commands (join, send a message, ...) are
//! called on [`Session::chat_mut`]; their stanzas leave at the next [`Session::poll_transmit`].
//!
//! The drain rule: after [`Session::start`], every `handle_*` input and every command, call
//! [`Session::poll_transmit`] and [`Session::poll_event`] until both return `None`, then wait for
//! an HTTP answer or until [`Session::poll_timeout`].

use super::chat::{Chat, ChatEvent};
use super::connection::{Connection, ConnectionConfig, ConnectionError, ConnectionEvent, Randomness};
use super::http::{HttpRequest, HttpResponse, RequestId, TransportError};
use super::jid::Jid;
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
}

/// A connection and the chat it carries.
pub struct Session {
    config: ConnectionConfig,
    connection: Connection,
    chat: Chat,
    events: Queue<SessionEvent>,
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
        self.events.pop_front().or_else(|| self.chat.poll_event().map(SessionEvent::Chat))
    }

    /// When to call [`Session::handle_timeout`] next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        earliest(self.connection.poll_timeout(), self.chat.poll_timeout())
    }

    /// Moves stanzas and events between the chat and the connection until both are quiet.
    fn pump(&mut self, now: Instant) {
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
                        self.events.push_back(SessionEvent::Online { jid });
                        self.chat.rejoin(now);
                    }
                    ConnectionEvent::Stanza(stanza) => {
                        self.chat.handle_stanza(now, &stanza);
                        self.drain_chat_events();
                    }
                    ConnectionEvent::Disconnected(error) => {
                        self.chat.handle_disconnect(now);
                        self.drain_chat_events();
                        self.events.push_back(SessionEvent::Disconnected(error));
                    }
                }
            }
            progressed |= self.drain_chat_events();
            if !progressed {
                return;
            }
        }
    }

    fn drain_chat_events(&mut self) -> bool {
        let mut any = false;
        while let Some(event) = self.chat.poll_event() {
            any = true;
            self.events.push_back(SessionEvent::Chat(event));
        }
        any
    }
}
