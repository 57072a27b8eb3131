//! BOSH (XEP-0124) as the transport of an XMPP stream (XEP-0206), sans-IO.
//!
//! [`Bosh`] turns queued payload into HTTP POSTs of `<body/>` wrappers and the answers back into
//! payload elements. The rules it keeps:
//! - The first request creates the session; its answer gives `sid` and the limits (`requests`,
//!   `hold`, `wait`, `polling`, `inactivity`, `maxpause`), which are honoured from then on.
//! - Never more than `requests` requests in flight (only the final `terminate` may exceed it, as
//!   XEP-0124 §12 allows). Payload queued while every slot is busy is batched into the next body.
//! - When idle, `hold` requests (at least one) stay open at the server as long-polls; two
//!   consecutive empty requests are spaced by `polling` when the first came back empty (§12).
//! - Answers are processed in `rid` order, whichever request they came back on: with `hold=1` the
//!   server answers a question on the older, held request.
//! - Payload (the terminate too) never leaves less than [`OVERTAKE_AFTER_MS`] after an empty
//!   long-poll still in flight, so that it cannot reach the server first.
//! - A transport error, a timeout or a 5xx resends the SAME `rid` with the SAME body after a
//!   backoff, a bounded number of times; HTTP 400/403/404 and every `type='terminate'` end the
//!   session with a typed [`TerminateCondition`].
//! - Bodies are posted as `text/plain;charset=UTF-8`, a CORS "simple" request with no preflight.

use super::http::{HttpRequest, HttpResponse, Method, RequestId, TransportError};
use super::ns;
use super::queue::Queue;
use super::vecmap::VecMap;
use super::xml::{name_at, name_index, Element, Node};
use super::{earliest, Instant};

/// The `Content-Type` of every POST: text/plain keeps it a CORS "simple" request (no preflight);
/// connection managers read the body whatever the type says.
pub const CONTENT_TYPE: &str = "text/plain;charset=UTF-8";

/// Added to `wait` to get a request's timeout: the server answers a held request after `wait`
/// seconds, so only a dead connection takes longer.
const TIMEOUT_MARGIN_MS: u64 = 10_000;

/// Resends of one request before the session is given up.
const MAX_RETRIES: u32 = 4;

/// Delay before the first resend; doubled for each further one.
const FIRST_BACKOFF_MS: u64 = 500;

/// How long an empty long-poll must have been on its way before a newer request may follow it.
/// Requests travel on separate connections and may overtake each other; a connection manager
/// parks a request that arrives before its predecessor, and ejabberd (24.12) leaves it parked
/// while it holds the predecessor, an empty poll, until data comes or `wait` runs out: a message
/// sent just after a poll would wait up to a minute.
pub const OVERTAKE_AFTER_MS: u64 = 100;

/// Initial `rid`s are reduced below 2^52 so that incrementing never passes 2^53 - 1, the largest
/// integer JavaScript connection managers can hold exactly (XEP-0124 §7.1).
const RID_MASK: u64 = (1 << 52) - 1;

/// What the session is created with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoshConfig {
    /// The connection manager's URL.
    pub url: String,
    /// The XMPP domain to connect to (`to` of the session creation request).
    pub to: String,
    /// The stream language (`xml:lang`).
    pub lang: String,
    /// Longest time, in seconds, the server may hold a request (`wait`).
    pub wait_secs: u32,
    /// Requests the server may hold at once (`hold`); 1 for a long-polling client.
    pub hold: u32,
}

/// The session as the connection manager defined it in its creation response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoshParams {
    /// Session id.
    pub sid: String,
    /// Most requests the client may have in flight at once.
    pub requests: u32,
    /// Most requests the server holds at once.
    pub hold: u32,
    /// Longest time, in seconds, the server holds a request.
    pub wait_secs: u32,
    /// Seconds without any request after which the server ends the session.
    pub inactivity_secs: Option<u32>,
    /// Shortest interval, in seconds, between two empty requests after an empty answer.
    pub polling_secs: u32,
    /// Longest pause, in seconds, the client may ask for (`pause`), when the server allows pauses.
    pub maxpause_secs: Option<u32>,
}

/// A terminal binding condition (XEP-0124 §17.2), or the HTTP status that stands for one.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TerminateCondition {
    /// `bad-request` (or HTTP 400): the format of a request was unacceptable.
    BadRequest,
    /// `host-gone`: the target domain no longer exists.
    HostGone,
    /// `host-unknown`: the target domain is unknown to the connection manager.
    HostUnknown,
    /// `improper-addressing`: `to` was missing or invalid.
    ImproperAddressing,
    /// `internal-server-error`: the connection manager failed.
    InternalServerError,
    /// `item-not-found` (or HTTP 404): the session or `rid` is unknown; the session is lost.
    ItemNotFound,
    /// `other-request`: another request replaced this one.
    OtherRequest,
    /// `policy-violation` (or HTTP 403): too many requests, too fast, or too large.
    PolicyViolation,
    /// `remote-connection-failed`: the connection manager lost the XMPP server.
    RemoteConnectionFailed,
    /// `remote-stream-error`: the XMPP server sent a stream error (in the payload).
    RemoteStreamError,
    /// `see-other-uri`: use another connection manager URL.
    SeeOtherUri,
    /// `system-shutdown`: the connection manager is shutting down.
    SystemShutdown,
    /// `undefined-condition`: no defined condition applies.
    UndefinedCondition,
    /// The server ended the session without naming a condition.
    Unspecified,
    /// A condition outside XEP-0124, by name.
    Other(String),
}

/// The defined conditions' names, in variant order.
const TERMINATE_NAMES: [&str; 13] = [
    "bad-request",
    "host-gone",
    "host-unknown",
    "improper-addressing",
    "internal-server-error",
    "item-not-found",
    "other-request",
    "policy-violation",
    "remote-connection-failed",
    "remote-stream-error",
    "see-other-uri",
    "system-shutdown",
    "undefined-condition",
];

impl TerminateCondition {
    fn parse(condition: Option<&str>) -> TerminateCondition {
        use TerminateCondition::*;
        let Some(name) = condition.filter(|c| !c.is_empty()) else { return Unspecified };
        match name_index(&TERMINATE_NAMES, name) {
            Some(0) => BadRequest,
            Some(1) => HostGone,
            Some(2) => HostUnknown,
            Some(3) => ImproperAddressing,
            Some(4) => InternalServerError,
            Some(5) => ItemNotFound,
            Some(6) => OtherRequest,
            Some(7) => PolicyViolation,
            Some(8) => RemoteConnectionFailed,
            Some(9) => RemoteStreamError,
            Some(10) => SeeOtherUri,
            Some(11) => SystemShutdown,
            Some(12) => UndefinedCondition,
            _ => Other(name.to_owned()),
        }
    }

    /// The condition's name on the wire (`""` for [`TerminateCondition::Unspecified`]).
    pub fn as_str(&self) -> &str {
        use TerminateCondition::*;
        // The variant's place in the name table: one lookup instead of a string per arm.
        let i = match self {
            BadRequest => 0,
            HostGone => 1,
            HostUnknown => 2,
            ImproperAddressing => 3,
            InternalServerError => 4,
            ItemNotFound => 5,
            OtherRequest => 6,
            PolicyViolation => 7,
            RemoteConnectionFailed => 8,
            RemoteStreamError => 9,
            SeeOtherUri => 10,
            SystemShutdown => 11,
            UndefinedCondition => 12,
            Unspecified => return "",
            Other(name) => return name,
        };
        name_at(&TERMINATE_NAMES, i)
    }
}

/// Why the BOSH session ended without being asked to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BoshError {
    /// The connection manager terminated the session (or answered HTTP 400/403/404).
    Terminated(TerminateCondition),
    /// A request kept failing at the transport level after every resend.
    Transport(TransportError),
    /// A request kept getting this HTTP status (not 400/403/404) after every resend.
    HttpStatus(u16),
    /// An answer was not a BOSH `<body/>` (the text says what was wrong).
    Malformed(String),
}

impl std::fmt::Display for BoshError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BoshError::Terminated(TerminateCondition::Unspecified) => f.write_str("BOSH session terminated by the server"),
            BoshError::Terminated(c) => write!(f, "BOSH session terminated: {}", c.as_str()),
            BoshError::Transport(e) => write!(f, "BOSH request failed: {e}"),
            BoshError::HttpStatus(code) => write!(f, "BOSH request failed with HTTP {code}"),
            BoshError::Malformed(why) => write!(f, "malformed BOSH response: {why}"),
        }
    }
}

impl std::error::Error for BoshError {}

/// What the session reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BoshEvent {
    /// A top-level element of the stream (features, SASL, stanza, stream error), in order.
    /// Stanzas written without a namespace are put in `jabber:client` (XEP-0206 §2).
    Payload(Element),
    /// The session ended after [`Bosh::terminate`]: it is over, cleanly.
    Terminated,
    /// The session ended on its own; nothing more will be sent or received.
    Failed(BoshError),
}

/// Something queued to be sent, in order.
#[derive(Debug)]
enum Outgoing {
    /// A stream element (stanza, SASL element) for the next body.
    Payload(Element),
    /// A stream restart (XEP-0206 §5) carrying these elements (none, per the XEP).
    Restart(Vec<Element>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Create,
    Normal,
    Terminate,
}

/// A request, from its first transmission until its answer is processed.
#[derive(Debug)]
struct Flight {
    body: String,
    kind: Kind,
    /// Carries no payload and no restart: a pure long-poll.
    empty: bool,
    sent_at: Instant,
    /// The HTTP request carrying it now; `None` while waiting to be resent.
    request: Option<RequestId>,
    failures: u32,
    /// When to resend after a failure.
    retry_at: Option<Instant>,
    /// The answer, waiting for the answers to lower `rid`s; an answered request no longer
    /// counts as in flight.
    answer: Option<Element>,
}

#[derive(Debug, PartialEq, Eq)]
enum State {
    /// The creation request is not sent yet.
    New,
    /// The creation request is in flight.
    Creating,
    /// The session exists.
    Open,
    /// Over; the final event has been queued.
    Closed,
}

/// One BOSH session (see the module documentation for the rules it keeps).
#[derive(Debug)]
pub struct Bosh {
    config: BoshConfig,
    state: State,
    params: Option<BoshParams>,
    next_rid: u64,
    /// The next `rid` whose answer is processed.
    deliver_rid: u64,
    next_request: u64,
    flights: VecMap<u64, Flight>,
    outgoing: Queue<Outgoing>,
    terminate_requested: bool,
    terminate_sent: bool,
    /// The last new request carried payload or a restart (see the `polling` rule).
    last_new_rid: u64,
    /// No empty request before this instant (XEP-0124 §12 overactivity rule).
    no_poll_before: Option<Instant>,
    events: Queue<BoshEvent>,
}

impl Bosh {
    /// A session that will be created by the first [`Bosh::poll_transmit`]. `initial_rid` is
    /// random input (reduced below 2^52).
    pub fn new(config: BoshConfig, initial_rid: u64) -> Bosh {
        let rid = (initial_rid & RID_MASK).max(1);
        Bosh {
            config,
            state: State::New,
            params: None,
            next_rid: rid,
            deliver_rid: rid,
            next_request: 0,
            flights: VecMap::new(),
            outgoing: Queue::new(),
            terminate_requested: false,
            terminate_sent: false,
            last_new_rid: rid,
            no_poll_before: None,
            events: Queue::new(),
        }
    }

    /// The session's parameters, once the creation response has been processed.
    pub fn params(&self) -> Option<&BoshParams> {
        self.params.as_ref()
    }

    /// Whether the session is over (the final event has been queued).
    pub fn is_closed(&self) -> bool {
        self.state == State::Closed
    }

    /// Queues a stream element for the next body (ignored once the session is ending).
    pub fn send(&mut self, element: Element) {
        if self.state != State::Closed && !self.terminate_requested {
            self.outgoing.push_back(Outgoing::Payload(element));
        }
    }

    /// Queues a stream restart (after SASL success) with `payload` in the same body. XEP-0206 §5
    /// wants the restart body empty; some servers (Prosody) process payload after the restart.
    pub fn restart(&mut self, payload: Vec<Element>) {
        if self.state != State::Closed && !self.terminate_requested {
            self.outgoing.push_back(Outgoing::Restart(payload));
        }
    }

    /// Ends the session: queued payload and `last` go in a `type='terminate'` body, and
    /// [`BoshEvent::Terminated`] follows its answer. Before the session exists, it just ends.
    pub fn terminate(&mut self, last: Vec<Element>) {
        if self.state == State::Closed || self.terminate_requested {
            return;
        }
        if self.state == State::New {
            self.close(BoshEvent::Terminated);
            return;
        }
        for e in last {
            self.outgoing.push_back(Outgoing::Payload(e));
        }
        self.terminate_requested = true;
    }

    /// Takes the HTTP result of request `id`.
    pub fn handle_response(&mut self, now: Instant, id: RequestId, result: Result<HttpResponse, TransportError>) {
        let mut found = None;
        for (&rid, flight) in self.flights.iter_mut() {
            if flight.request == Some(id) {
                found = Some((rid, flight));
                break;
            }
        }
        let Some((rid, flight)) = found else {
            return; // a request of a closed session, or one already superseded by a resend
        };
        flight.request = None;
        let failure = match result {
            Ok(response) if response.status == 200 => {
                return match Element::parse(&response.body) {
                    Ok(body) if body.is("body", ns::HTTPBIND) => self.answered(rid, body),
                    Ok(other) => self.fail(BoshError::Malformed(format!("root element <{}>", other.name))),
                    // `format!`, not `to_string`: that one inlines its own formatter and `expect`.
                    Err(e) => self.fail(BoshError::Malformed(format!("{e}"))),
                };
            }
            Ok(response) => match response.status {
                400 => return self.fail(BoshError::Terminated(TerminateCondition::BadRequest)),
                403 => return self.fail(BoshError::Terminated(TerminateCondition::PolicyViolation)),
                404 => return self.fail(BoshError::Terminated(TerminateCondition::ItemNotFound)),
                status => BoshError::HttpStatus(status),
            },
            Err(e) => BoshError::Transport(e),
        };
        if self.terminate_sent {
            // Leaving anyway: the server ends the session on its own after `inactivity`.
            return self.close(BoshEvent::Terminated);
        }
        flight.failures += 1;
        if flight.failures > MAX_RETRIES {
            return self.fail(failure);
        }
        flight.retry_at = Some(now.plus_ms(FIRST_BACKOFF_MS << (flight.failures - 1)));
    }

    /// Moves time forward: requests whose backoff is over become due for resending.
    pub fn handle_timeout(&mut self, now: Instant) {
        for flight in self.flights.values_mut() {
            if flight.retry_at.is_some_and(|at| at <= now) {
                flight.retry_at = None;
            }
        }
    }

    /// The next HTTP request to perform, if any. Call until `None` after every input.
    #[must_use]
    pub fn poll_transmit(&mut self, now: Instant) -> Option<HttpRequest> {
        // Resends first: the server processes rids in order.
        let mut due = None;
        for (&rid, f) in self.flights.iter() {
            if f.request.is_none() && f.retry_at.is_none() && f.answer.is_none() {
                due = Some(rid);
                break;
            }
        }
        if let Some(rid) = due {
            return self.resend(rid);
        }
        match self.state {
            State::New => Some(self.create(now)),
            State::Creating | State::Closed => None,
            State::Open => self.next_body(now),
        }
    }

    /// The next instant at which [`Bosh::handle_timeout`] has work to do.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let requests = self.params.as_ref().map_or(0, |p| p.requests as usize);
        let terminate_due = self.terminate_requested && !self.terminate_sent;
        let blocked = terminate_due || (!self.outgoing.is_empty() && self.in_flight() < requests);
        let mut next = self.no_poll_before.filter(|_| self.wants_poll());
        let mut consider = |t: Option<Instant>| next = earliest(next, t);
        for f in self.flights.values() {
            consider(f.retry_at);
        }
        consider(self.overtake_at().filter(|_| blocked));
        next
    }

    /// When the youngest empty long-poll in flight may be followed by a newer request.
    fn overtake_at(&self) -> Option<Instant> {
        let mut youngest = None;
        for f in self.flights.values() {
            if f.empty && f.request.is_some() {
                youngest = youngest.max(Some(f.sent_at));
            }
        }
        Some(youngest?.plus_ms(OVERTAKE_AFTER_MS))
    }

    /// The next event, if any.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<BoshEvent> {
        self.events.pop_front()
    }

    fn create(&mut self, now: Instant) -> HttpRequest {
        // Numbers are written as u64 here and elsewhere in the core: one integer formatter.
        let body = Element::new("body", ns::HTTPBIND)
            .attr("content", "text/xml; charset=utf-8")
            .attr("hold", &u64::from(self.config.hold).to_string())
            .attr("rid", &self.next_rid.to_string())
            .attr("to", &self.config.to)
            .attr("ver", "1.6")
            .attr("wait", &u64::from(self.config.wait_secs).to_string())
            .attr("xml:lang", &self.config.lang)
            .attr("xmpp:version", "1.0")
            .attr("xmlns:xmpp", ns::XBOSH);
        self.state = State::Creating;
        self.launch(now, body, Kind::Create, false)
    }

    /// Builds the next body from the queue, or an empty long-poll, within the limits.
    fn next_body(&mut self, now: Instant) -> Option<HttpRequest> {
        let requests = self.params.as_ref()?.requests as usize;
        let terminate_due = self.terminate_requested && !self.terminate_sent;
        if (terminate_due || !self.outgoing.is_empty()) && self.overtake_at().is_some_and(|at| now < at) {
            return None;
        }
        if terminate_due {
            // The terminate goes even when every slot is busy (XEP-0124 §12).
            return Some(self.terminate_body(now));
        }
        if self.terminate_sent || self.in_flight() >= requests {
            return None;
        }
        let mut body = self.body_element();
        let empty = match self.outgoing.pop_front() {
            Some(Outgoing::Restart(payload)) => {
                body.set_attr("to", &self.config.to);
                body.set_attr("xml:lang", &self.config.lang);
                body.set_attr("xmpp:restart", "true");
                body.set_attr("xmlns:xmpp", ns::XBOSH);
                for e in payload {
                    body.push(e);
                }
                false
            }
            Some(Outgoing::Payload(first)) => {
                body.push(first);
                while let Some(Outgoing::Payload(_)) = self.outgoing.front() {
                    if let Some(Outgoing::Payload(e)) = self.outgoing.pop_front() {
                        body.push(e);
                    }
                }
                false
            }
            None if self.wants_poll() && self.no_poll_before.is_none_or(|t| t <= now) => true,
            None => return None,
        };
        Some(self.launch(now, body, Kind::Normal, empty))
    }

    /// Whether an empty long-poll is needed: fewer than `hold` (at least one) requests open.
    fn wants_poll(&self) -> bool {
        let Some(params) = &self.params else { return false };
        let target = params.hold.clamp(1, params.requests.max(1)) as usize;
        self.state == State::Open && !self.terminate_requested && self.in_flight() < target
    }

    /// Requests not answered yet (sent, or waiting to be resent).
    fn in_flight(&self) -> usize {
        let mut n = 0;
        for (_, f) in self.flights.iter() {
            n += usize::from(f.answer.is_none());
        }
        n
    }

    fn terminate_body(&mut self, now: Instant) -> HttpRequest {
        let mut body = self.body_element().attr("type", "terminate");
        while let Some(item) = self.outgoing.pop_front() {
            match item {
                Outgoing::Payload(e) => body.push(e),
                // A restart means nothing once the session ends; its payload still goes.
                Outgoing::Restart(payload) => {
                    for e in payload {
                        body.push(e);
                    }
                }
            }
        }
        self.terminate_sent = true;
        self.launch(now, body, Kind::Terminate, false)
    }

    fn body_element(&self) -> Element {
        let sid = self.params.as_ref().map_or("", |p| p.sid.as_str());
        Element::new("body", ns::HTTPBIND).attr("rid", &self.next_rid.to_string()).attr("sid", sid)
    }

    /// Records a new request under the next rid and returns its first transmission.
    fn launch(&mut self, now: Instant, body: Element, kind: Kind, empty: bool) -> HttpRequest {
        let rid = self.next_rid;
        self.next_rid += 1;
        if !empty {
            self.no_poll_before = None;
        }
        self.last_new_rid = rid;
        let mut flight =
            Flight { body: body.to_xml(), kind, empty, sent_at: now, request: None, failures: 0, retry_at: None, answer: None };
        let request = self.request_for(&mut flight);
        self.flights.insert(rid, flight);
        request
    }

    /// Resends the request for `rid` (same rid, same body) under a fresh [`RequestId`].
    fn resend(&mut self, rid: u64) -> Option<HttpRequest> {
        let mut flight = self.flights.remove(&rid)?;
        let request = self.request_for(&mut flight);
        self.flights.insert(rid, flight);
        Some(request)
    }

    fn request_for(&mut self, flight: &mut Flight) -> HttpRequest {
        let id = RequestId(self.next_request);
        self.next_request += 1;
        flight.request = Some(id);
        let wait = self.params.as_ref().map_or(self.config.wait_secs, |p| p.wait_secs);
        HttpRequest {
            id,
            method: Method::Post,
            url: self.config.url.clone(),
            headers: vec![("Content-Type".to_owned(), CONTENT_TYPE.to_owned())],
            body: flight.body.clone(),
            timeout_ms: u64::from(wait) * 1000 + TIMEOUT_MARGIN_MS,
        }
    }

    /// Stores the answer to `rid` and processes every answer that is now in order.
    fn answered(&mut self, rid: u64, body: Element) {
        let Some(flight) = self.flights.get_mut(&rid) else { return };
        flight.answer = Some(body);
        while self.flights.get(&self.deliver_rid).is_some_and(|f| f.answer.is_some()) {
            let rid = self.deliver_rid;
            self.deliver_rid += 1;
            let Some(flight) = self.flights.remove(&rid) else { return };
            self.process(rid, flight);
            if self.state == State::Closed {
                return;
            }
        }
    }

    fn process(&mut self, rid: u64, flight: Flight) {
        let Flight { answer: Some(mut body), kind, empty: empty_request, sent_at, .. } = flight else { return };
        let terminated = matches!(body.get_attr("type"), Some("terminate") | Some("error"));
        let condition = TerminateCondition::parse(body.get_attr("condition"));
        if kind == Kind::Create && !terminated {
            match read_params(&body, &self.config) {
                Some(params) => {
                    self.params = Some(params);
                    self.state = State::Open;
                }
                None => return self.fail(BoshError::Malformed("session creation response without sid".into())),
            }
        }
        let mut had_payload = false;
        // Each payload is taken out of a borrowed child: consuming `children` would instantiate
        // an iterator over `Node` for this loop alone.
        for node in &mut body.children {
            if let Node::Element(element) = node {
                had_payload = true;
                let mut element = std::mem::take(element);
                into_client_ns(&mut element);
                self.events.push_back(BoshEvent::Payload(element));
            }
        }
        if empty_request && !had_payload && rid == self.last_new_rid {
            let polling = self.params.as_ref().map_or(0, |p| p.polling_secs);
            self.no_poll_before = Some(sent_at.plus_ms(u64::from(polling) * 1000));
        }
        if kind == Kind::Terminate || (terminated && self.terminate_sent) {
            self.close(BoshEvent::Terminated);
        } else if terminated {
            self.fail(BoshError::Terminated(condition));
        }
    }

    fn fail(&mut self, error: BoshError) {
        self.close(BoshEvent::Failed(error));
    }

    fn close(&mut self, event: BoshEvent) {
        if self.state == State::Closed {
            return;
        }
        self.state = State::Closed;
        self.flights.clear();
        self.outgoing.clear();
        self.events.push_back(event);
    }
}

/// Reads the session creation response's attributes; `None` without a `sid`.
fn read_params(body: &Element, config: &BoshConfig) -> Option<BoshParams> {
    let number = |name: &str| body.get_attr(name).and_then(|v| v.trim().parse::<u32>().ok());
    let sid = body.get_attr("sid").filter(|s| !s.is_empty())?.to_owned();
    let hold = number("hold").unwrap_or(config.hold);
    Some(BoshParams {
        sid,
        // XEP-0124 §7.1: without `requests`, the client may keep `hold` + 1 open.
        requests: number("requests").unwrap_or(hold + 1).max(1),
        hold,
        wait_secs: number("wait").unwrap_or(config.wait_secs),
        inactivity_secs: number("inactivity"),
        polling_secs: number("polling").unwrap_or(0),
        maxpause_secs: number("maxpause"),
    })
}

/// Puts elements that inherited the BOSH namespace (no `xmlns` of their own) into
/// `jabber:client`, as XEP-0206 §2 says connection managers may send them.
fn into_client_ns(element: &mut Element) {
    if element.ns == ns::HTTPBIND {
        element.ns = ns::CLIENT.to_owned();
        for child in &mut element.children {
            if let Node::Element(e) = child {
                into_client_ns(e);
            }
        }
    }
}

#[cfg(test)]
mod tests;
