//! An XMPP client connection over BOSH: session creation, SASL, stream restart, resource
//! binding, then stanzas both ways. Sans-IO, driven by the caller.
//!
//! Negotiation is a sequence of typed phases, each waiting for one kind of server element:
//!
//! ```text
//! ExpectFeatures ─auth→ ExpectSasl ─success, restart→ ExpectRestartFeatures ─bind→ ExpectBind
//!   ─(legacy session, only when required)→ ExpectSession → Online
//! ```
//!
//! Every step is sent in the same drain as the answer that allows it, so the handshake costs
//! exactly one BOSH round trip per step: create, auth (+1 for SCRAM's challenge), restart, bind.
//! With [`ConnectionConfig::pipelining`], the bind request and the stanzas queued so far ride in
//! the restart body, two round trips fewer before a room join. A server that drops them (as
//! XEP-0206 §5 allows; ejabberd does) answers the restart with the features alone: they are then
//! sent again, which costs what not pipelining costs.
//!
//! The drain rule: after [`Connection::start`], every `handle_*` input, [`Connection::send`] and
//! [`Connection::stop`], call [`Connection::poll_transmit`] and [`Connection::poll_event`] until
//! both return `None`, then wait for an HTTP answer or until [`Connection::poll_timeout`].

use super::bosh::{Bosh, BoshConfig, BoshError, BoshEvent};
use super::http::{HttpRequest, HttpResponse, RequestId, TransportError};
use super::iq::{self, Iq, IqType};
use super::jid::Jid;
use super::ns;
use super::queue::Queue;
use super::sasl::{self, Mechanism, SaslClient, SaslError, SaslStep};
use super::stanza_error::StanzaError;
use super::xml::{name_at, name_index, Element};
use super::Instant;

/// The `id` of the resource binding request.
const BIND_ID: &str = "bind_1";
/// The `id` of the legacy session request.
const SESSION_ID: &str = "session_1";

/// How to connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionConfig {
    /// The BOSH endpoint (connection manager URL).
    pub bosh_url: String,
    /// The account: a bare JID whose local part authenticates and whose domain is the server.
    pub jid: Jid,
    /// The account password.
    pub password: String,
    /// The resource to ask for when binding; `None` lets the server choose.
    pub resource: Option<String>,
    /// The stream language (`xml:lang`).
    pub lang: String,
    /// Longest time, in seconds, the server may hold a BOSH request.
    pub wait_secs: u32,
    /// BOSH requests the server may hold at once (1 for long-polling).
    pub hold: u32,
    /// The SASL mechanisms allowed; the most preferred one the server also offers is used.
    pub mechanisms: Vec<Mechanism>,
    /// Put the bind request and the stanzas queued so far in the stream restart body instead of
    /// waiting for the restarted stream's features. Prosody processes them in order; XEP-0206 §5
    /// wants that body empty, and servers that follow it to the letter (ejabberd) drop them: when
    /// the restart is answered without the bind result, they are sent again.
    pub pipelining: bool,
}

impl ConnectionConfig {
    /// A configuration with the defaults: server-chosen resource, `en`, `wait` 60 s, `hold` 1,
    /// every mechanism, no pipelining.
    pub fn new(bosh_url: &str, jid: Jid, password: &str) -> ConnectionConfig {
        ConnectionConfig {
            bosh_url: bosh_url.to_owned(),
            jid,
            password: password.to_owned(),
            resource: None,
            lang: "en".to_owned(),
            wait_secs: 60,
            hold: 1,
            mechanisms: Mechanism::PREFERENCE.to_vec(),
            pipelining: false,
        }
    }
}

/// The random inputs of one connection (from a CSPRNG in production, fixed in tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Randomness {
    /// SCRAM client nonce: at least 16 printable ASCII characters.
    pub client_nonce: String,
    /// The first BOSH `rid`.
    pub initial_rid: u64,
}

/// A stream error condition (RFC 6120 §4.9.3).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StreamCondition {
    /// `conflict`: a new session with the same resource replaced this one.
    Conflict,
    /// `connection-timeout`: the server thinks the client went silent.
    ConnectionTimeout,
    /// `host-gone`: the domain is no longer served.
    HostGone,
    /// `host-unknown`: the domain is not served.
    HostUnknown,
    /// `internal-server-error`: the server failed.
    InternalServerError,
    /// `not-authorized`: something was sent before authentication completed.
    NotAuthorized,
    /// `not-well-formed` or `bad-format`: the server could not parse what we sent.
    BadFormat,
    /// `policy-violation`: a server policy (rate, size) was broken.
    PolicyViolation,
    /// `reset`: the server reset the stream (e.g. account changed).
    Reset,
    /// `resource-constraint`: the server lacks resources.
    ResourceConstraint,
    /// `see-other-host`: the client should connect elsewhere.
    SeeOtherHost,
    /// `system-shutdown`: the server is shutting down.
    SystemShutdown,
    /// Any other condition, by name (`undefined-condition`, `invalid-xml`, ...).
    Other(String),
}

/// The defined conditions' names, in variant order (`not-well-formed` is an old name of
/// `bad-format`).
const STREAM_NAMES: [&str; 13] = [
    "conflict",
    "connection-timeout",
    "host-gone",
    "host-unknown",
    "internal-server-error",
    "not-authorized",
    "bad-format",
    "policy-violation",
    "reset",
    "resource-constraint",
    "see-other-host",
    "system-shutdown",
    "not-well-formed",
];

impl StreamCondition {
    fn from_name(name: &str) -> StreamCondition {
        use StreamCondition::*;
        match name_index(&STREAM_NAMES, name) {
            Some(0) => Conflict,
            Some(1) => ConnectionTimeout,
            Some(2) => HostGone,
            Some(3) => HostUnknown,
            Some(4) => InternalServerError,
            Some(5) => NotAuthorized,
            Some(6 | 12) => BadFormat,
            Some(7) => PolicyViolation,
            Some(8) => Reset,
            Some(9) => ResourceConstraint,
            Some(10) => SeeOtherHost,
            Some(11) => SystemShutdown,
            _ => Other(name.to_owned()),
        }
    }

    /// The condition's element name.
    pub fn as_str(&self) -> &str {
        use StreamCondition::*;
        // The variant's place in the name table: one lookup instead of a string per arm.
        let i = match self {
            Conflict => 0,
            ConnectionTimeout => 1,
            HostGone => 2,
            HostUnknown => 3,
            InternalServerError => 4,
            NotAuthorized => 5,
            BadFormat => 6,
            PolicyViolation => 7,
            Reset => 8,
            ResourceConstraint => 9,
            SeeOtherHost => 10,
            SystemShutdown => 11,
            Other(name) => return name,
        };
        name_at(&STREAM_NAMES, i)
    }
}

/// A `<stream:error/>` from the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamError {
    /// The defined condition.
    pub condition: StreamCondition,
    /// The server's explanation, if any.
    pub text: Option<String>,
}

impl StreamError {
    fn parse(error: &Element) -> StreamError {
        // No condition child reads as `undefined-condition`, which is not in the table: `Other`.
        let condition = StreamCondition::from_name(error.condition(ns::STREAM_ERRORS).map_or("undefined-condition", |e| &e.name));
        let text = error.child_text("text", ns::STREAM_ERRORS).filter(|t| !t.is_empty());
        StreamError { condition, text }
    }
}

/// Why the connection ended without [`Connection::stop`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectionError {
    /// The BOSH transport failed or the connection manager terminated the session.
    Bosh(BoshError),
    /// Authentication failed (wrong password, no acceptable mechanism, unproven server, ...).
    Sasl(SaslError),
    /// The server closed the stream with an error.
    Stream(StreamError),
    /// The server's stream features lack what the handshake needs (named).
    MissingFeature(&'static str),
    /// The server refused resource binding.
    Bind(StanzaError),
    /// The bind result carries no usable JID.
    BadBindResult,
    /// The server refused the legacy session establishment it required.
    Session(StanzaError),
}

impl std::fmt::Display for ConnectionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConnectionError::Bosh(e) => e.fmt(f),
            ConnectionError::Sasl(e) => e.fmt(f),
            ConnectionError::Stream(e) => match &e.text {
                Some(text) => write!(f, "stream error: {} ({text})", e.condition.as_str()),
                None => write!(f, "stream error: {}", e.condition.as_str()),
            },
            ConnectionError::MissingFeature(what) => write!(f, "server does not offer {what}"),
            ConnectionError::Bind(e) => write!(f, "resource binding refused: {}", e.condition),
            ConnectionError::BadBindResult => f.write_str("resource binding returned no JID"),
            ConnectionError::Session(e) => write!(f, "session establishment refused: {}", e.condition),
        }
    }
}

impl std::error::Error for ConnectionError {}

/// What the connection reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionEvent {
    /// Negotiation is over: stanzas flow, `jid` is the full JID the server bound.
    Online {
        /// The full JID of this session.
        jid: Jid,
    },
    /// A stanza from the server (`message`, `presence`, `iq`).
    Stanza(Element),
    /// The connection is over: `None` after [`Connection::stop`], else why it failed.
    Disconnected(Option<ConnectionError>),
}

/// Where the negotiation stands; each phase waits for one kind of server element.
#[derive(Debug)]
enum Phase {
    /// Not started.
    Idle,
    /// Session creation sent; waiting for the first stream features.
    ExpectFeatures,
    /// `<auth/>` (or a `<response/>`) sent.
    ExpectSasl(SaslClient),
    /// Stream restart sent (with the bind request when pipelining).
    ExpectRestartFeatures { bind_sent: bool },
    /// Bind request sent; `session` says whether a legacy session must follow.
    ExpectBind { session: bool },
    /// Legacy session request sent.
    ExpectSession { jid: Jid },
    /// Negotiated.
    Online { jid: Jid },
    /// [`Connection::stop`] called; waiting for the terminate to be answered.
    Stopping,
    /// Over; the final event has been queued.
    Closed,
}

/// An XMPP client connection over BOSH (see the module documentation).
#[derive(Debug)]
pub struct Connection {
    config: ConnectionConfig,
    client_nonce: String,
    bosh: Bosh,
    phase: Phase,
    /// Stanzas sent before the connection is online.
    held: Vec<Element>,
    /// The bind request and stanzas that rode in the restart body, until the bind is answered.
    pipelined: Vec<Element>,
    events: Queue<ConnectionEvent>,
    /// The final [`ConnectionEvent::Disconnected`] has been queued.
    ended: bool,
}

impl Connection {
    /// A connection that does nothing until [`Connection::start`].
    pub fn new(config: ConnectionConfig, randomness: Randomness) -> Connection {
        let bosh = Bosh::new(
            BoshConfig {
                url: config.bosh_url.clone(),
                to: config.jid.domain().to_owned(),
                lang: config.lang.clone(),
                wait_secs: config.wait_secs,
                hold: config.hold,
            },
            randomness.initial_rid,
        );
        Connection {
            config,
            client_nonce: randomness.client_nonce,
            bosh,
            phase: Phase::Idle,
            held: Vec::new(),
            pipelined: Vec::new(),
            events: Queue::new(),
            ended: false,
        }
    }

    /// The full JID once online.
    pub fn jid(&self) -> Option<&Jid> {
        match &self.phase {
            Phase::Online { jid } => Some(jid),
            _ => None,
        }
    }

    /// Whether negotiation is over and the connection has not ended.
    pub fn is_online(&self) -> bool {
        matches!(self.phase, Phase::Online { .. })
    }

    /// Whether the connection is over ([`ConnectionEvent::Disconnected`] has been raised).
    pub fn is_ended(&self) -> bool {
        self.ended
    }

    /// Starts connecting: the next [`Connection::poll_transmit`] creates the BOSH session.
    pub fn start(&mut self, _now: Instant) {
        if matches!(self.phase, Phase::Idle) {
            self.phase = Phase::ExpectFeatures;
        }
    }

    /// Sends a stanza: at once when online, else held until then. Dropped once stopped.
    pub fn send(&mut self, stanza: Element) {
        match self.phase {
            Phase::Online { .. } => self.bosh.send(stanza),
            Phase::Stopping | Phase::Closed => {}
            _ => self.held.push(stanza),
        }
    }

    /// Ends the connection cleanly: when online, an unavailable presence goes in the BOSH
    /// terminate body; [`ConnectionEvent::Disconnected`]`(None)` follows.
    pub fn stop(&mut self, _now: Instant) {
        let last = match self.phase {
            Phase::Stopping | Phase::Closed => return,
            Phase::Online { .. } => vec![Element::new("presence", ns::CLIENT).attr("type", "unavailable")],
            _ => Vec::new(),
        };
        self.held.clear();
        self.phase = Phase::Stopping;
        self.bosh.terminate(last);
        self.pump();
    }

    /// Takes the HTTP result of request `id`.
    pub fn handle_response(&mut self, now: Instant, id: RequestId, result: Result<HttpResponse, TransportError>) {
        self.bosh.handle_response(now, id, result);
        self.pump();
        // The restart features came without the bind result in the same answer: the server
        // dropped the restart body's payload.
        if matches!(self.phase, Phase::ExpectBind { .. }) {
            // Taken whole rather than drained: iterating a taken `Vec<Element>` is the code the
            // BOSH layer already has, `drain` would be its own.
            for element in std::mem::take(&mut self.pipelined) {
                self.bosh.send(element);
            }
        }
    }

    /// Moves time forward (BOSH resends and polling delays).
    pub fn handle_timeout(&mut self, now: Instant) {
        self.bosh.handle_timeout(now);
        self.pump();
    }

    /// The next HTTP request to perform, if any.
    #[must_use]
    pub fn poll_transmit(&mut self, now: Instant) -> Option<HttpRequest> {
        if matches!(self.phase, Phase::Idle) {
            return None;
        }
        self.bosh.poll_transmit(now)
    }

    /// The next event, if any.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<ConnectionEvent> {
        self.events.pop_front()
    }

    /// When to call [`Connection::handle_timeout`] next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.bosh.poll_timeout()
    }

    /// Feeds every BOSH event into the negotiation.
    fn pump(&mut self) {
        while let Some(event) = self.bosh.poll_event() {
            match event {
                BoshEvent::Payload(element) => self.on_element(element),
                BoshEvent::Terminated => self.close(None),
                BoshEvent::Failed(error) => self.close(Some(ConnectionError::Bosh(error))),
            }
        }
    }

    fn on_element(&mut self, element: Element) {
        if element.is("error", ns::STREAM) {
            return self.fail(ConnectionError::Stream(StreamError::parse(&element)));
        }
        let phase = std::mem::replace(&mut self.phase, Phase::Closed);
        self.phase = match self.advance(phase, element) {
            Ok(next) => next,
            Err(error) => return self.fail(error),
        };
    }

    /// The phase after `element` arrives in `phase`. Elements a phase does not wait for are
    /// ignored (lenient parsing); stanzas pass through once online.
    fn advance(&mut self, phase: Phase, element: Element) -> Result<Phase, ConnectionError> {
        Ok(match phase {
            Phase::ExpectFeatures if element.is("features", ns::STREAM) => self.authenticate(&element)?,
            Phase::ExpectSasl(mut client) if element.ns == ns::SASL => match client.handle(&element) {
                Ok(SaslStep::Respond(response)) => {
                    self.bosh.send(response);
                    Phase::ExpectSasl(client)
                }
                Ok(SaslStep::Success) => self.restart(),
                Err(e) => return Err(ConnectionError::Sasl(e)),
            },
            Phase::ExpectRestartFeatures { bind_sent } if element.is("features", ns::STREAM) => {
                if element.find("bind", ns::BIND).is_none() {
                    return Err(ConnectionError::MissingFeature("resource binding"));
                }
                // RFC 6121 made the session request obsolete; only send it when not optional.
                let session = element.find("session", ns::SESSION).is_some_and(|s| s.find("optional", ns::SESSION).is_none());
                if !bind_sent {
                    self.bosh.send(self.bind_request());
                }
                Phase::ExpectBind { session }
            }
            Phase::ExpectBind { session } if is_answer(&element, BIND_ID) => {
                self.pipelined.clear();
                let jid = bound_jid(&element)?;
                if session {
                    let request = iq::request(IqType::Set, None, SESSION_ID, Element::new("session", ns::SESSION));
                    self.bosh.send(request);
                    Phase::ExpectSession { jid }
                } else {
                    self.online(jid)
                }
            }
            Phase::ExpectSession { jid } if is_answer(&element, SESSION_ID) => match Iq::parse(&element) {
                Some(Iq { kind: IqType::Result, .. }) => self.online(jid),
                Some(Iq { error: Some(error), .. }) => return Err(ConnectionError::Session(error)),
                _ => Phase::ExpectSession { jid },
            },
            Phase::Online { jid } => {
                self.events.push_back(ConnectionEvent::Stanza(element));
                Phase::Online { jid }
            }
            other => other,
        })
    }

    /// Chooses a mechanism from the first features and sends `<auth/>`.
    fn authenticate(&mut self, features: &Element) -> Result<Phase, ConnectionError> {
        let offered = sasl::offered_mechanisms(features);
        let Some(mechanism) = sasl::choose(&offered, &self.config.mechanisms) else {
            return Err(ConnectionError::Sasl(SaslError::NoAcceptableMechanism(offered)));
        };
        let username = self.config.jid.local().unwrap_or_default();
        let (client, auth) = SaslClient::start(mechanism, username, &self.config.password, &self.client_nonce);
        self.bosh.send(auth);
        Ok(Phase::ExpectSasl(client))
    }

    /// After SASL success: restart the stream (with bind and held stanzas when pipelining).
    fn restart(&mut self) -> Phase {
        if self.config.pipelining {
            let mut payload = vec![self.bind_request()];
            payload.append(&mut self.held);
            // Copied element by element: `Vec<Element>::clone` would be instantiated for this alone.
            self.pipelined.clear();
            for element in &payload {
                self.pipelined.push(element.clone());
            }
            self.bosh.restart(payload);
        } else {
            self.bosh.restart(Vec::new());
        }
        Phase::ExpectRestartFeatures { bind_sent: self.config.pipelining }
    }

    fn bind_request(&self) -> Element {
        let mut bind = Element::new("bind", ns::BIND);
        if let Some(resource) = &self.config.resource {
            bind.push(Element::new("resource", ns::BIND).text(resource));
        }
        iq::request(IqType::Set, None, BIND_ID, bind)
    }

    fn online(&mut self, jid: Jid) -> Phase {
        for stanza in std::mem::take(&mut self.held) {
            self.bosh.send(stanza);
        }
        self.events.push_back(ConnectionEvent::Online { jid: jid.clone() });
        Phase::Online { jid }
    }

    /// Ends the connection on an XMPP-level error, telling the server with a BOSH terminate.
    fn fail(&mut self, error: ConnectionError) {
        self.bosh.terminate(Vec::new());
        self.close(Some(error));
    }

    fn close(&mut self, error: Option<ConnectionError>) {
        if self.ended {
            return;
        }
        self.ended = true;
        // Whatever ends a connection being stopped, the user asked for it: a clean end.
        let error = if matches!(self.phase, Phase::Stopping) { None } else { error };
        self.phase = Phase::Closed;
        self.held.clear();
        self.pipelined.clear();
        self.events.push_back(ConnectionEvent::Disconnected(error));
    }
}

/// Whether `element` answers our IQ `id` (a result or an error).
fn is_answer(element: &Element, id: &str) -> bool {
    element.is("iq", ns::CLIENT)
        && element.get_attr("id") == Some(id)
        && matches!(element.get_attr("type"), Some("result") | Some("error"))
}

/// The JID in a bind result, or why there is none.
fn bound_jid(answer: &Element) -> Result<Jid, ConnectionError> {
    let iq = Iq::parse(answer).ok_or(ConnectionError::BadBindResult)?;
    if let Some(error) = iq.error {
        return Err(ConnectionError::Bind(error));
    }
    let text = iq.payload.as_ref().and_then(|p| p.child_text("jid", ns::BIND)).ok_or(ConnectionError::BadBindResult)?;
    Jid::parse(text.trim()).map_err(|_| ConnectionError::BadBindResult)
}
