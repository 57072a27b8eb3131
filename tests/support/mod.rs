//! The native driver: runs a sans-IO core over real HTTP and the real clock.
//!
//! Each HTTP request the core asks for runs on its own thread with a blocking `ureq` client, so
//! BOSH long-polls and payload requests are concurrent as in a browser; results come back over a
//! channel. The driver keeps the drain rule: after every input it polls requests and events until
//! `None`, then blocks until a result arrives or the core's deadline passes. Tests wait on
//! conditions (an event matching a predicate) with a timeout, never on sleeps.

// Each test crate uses part of this module.
#![allow(dead_code)]

use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use exochat::core::connection::{Connection, ConnectionEvent};
use exochat::core::http::{HttpRequest, HttpResponse, Method, RequestId, TransportError};
use exochat::core::Instant;

/// The poll-style surface every sans-IO state machine of the core offers.
pub trait Core {
    /// What the core reports.
    type Event: Clone + std::fmt::Debug;
    /// An HTTP result goes in.
    fn handle_response(&mut self, now: Instant, id: RequestId, result: Result<HttpResponse, TransportError>);
    /// Time moves on.
    fn handle_timeout(&mut self, now: Instant);
    /// The next request to perform.
    fn poll_transmit(&mut self, now: Instant) -> Option<HttpRequest>;
    /// The next event.
    fn poll_event(&mut self) -> Option<Self::Event>;
    /// The next deadline.
    fn poll_timeout(&self) -> Option<Instant>;
}

impl Core for Connection {
    type Event = ConnectionEvent;

    fn handle_response(&mut self, now: Instant, id: RequestId, result: Result<HttpResponse, TransportError>) {
        Connection::handle_response(self, now, id, result);
    }

    fn handle_timeout(&mut self, now: Instant) {
        Connection::handle_timeout(self, now);
    }

    fn poll_transmit(&mut self, now: Instant) -> Option<HttpRequest> {
        Connection::poll_transmit(self, now)
    }

    fn poll_event(&mut self) -> Option<ConnectionEvent> {
        Connection::poll_event(self)
    }

    fn poll_timeout(&self) -> Option<Instant> {
        Connection::poll_timeout(self)
    }
}

type HttpResult = (RequestId, Result<HttpResponse, TransportError>);

/// Runs a [`Core`] over real HTTP.
pub struct Driver<C: Core> {
    /// The core; call commands through [`Driver::act`] so the driver drains afterwards.
    pub core: C,
    agent: ureq::Agent,
    sender: Sender<HttpResult>,
    receiver: Receiver<HttpResult>,
    in_flight: usize,
    /// Every request started, in order (bodies included), for round-trip counts and debugging.
    pub sent: Vec<HttpRequest>,
    /// Every event the core reported, in order.
    pub events: Vec<C::Event>,
    /// For each event, how many requests had been sent when the input that caused it arrived:
    /// the round trips it took.
    pub requests_before: Vec<usize>,
    /// Requests sent before the current input.
    mark: usize,
    /// Events already examined by [`Driver::wait_for`].
    seen: usize,
}

/// The wall clock as the core's [`Instant`].
pub fn now() -> Instant {
    let ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
    Instant(u64::try_from(ms).unwrap_or(u64::MAX))
}

impl<C: Core> Driver<C> {
    /// A driver for `core` (whose first requests go out on the first drain).
    pub fn new(core: C) -> Driver<C> {
        let agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let (sender, receiver) = channel();
        Driver {
            core,
            agent,
            sender,
            receiver,
            in_flight: 0,
            sent: Vec::new(),
            events: Vec::new(),
            requests_before: Vec::new(),
            mark: 0,
            seen: 0,
        }
    }

    /// Calls `f` with the core and the current time (a command), then drains.
    pub fn act<R>(&mut self, f: impl FnOnce(&mut C, Instant) -> R) -> R {
        self.mark = self.sent.len();
        let result = f(&mut self.core, now());
        self.drain();
        result
    }

    /// Runs until an event matching `matches` arrives and returns it; panics after `timeout`
    /// naming `what` and listing the events seen.
    pub fn wait_for(&mut self, what: &str, timeout: Duration, matches: impl Fn(&C::Event) -> bool) -> C::Event {
        self.wait_for_indexed(what, timeout, matches).1
    }

    /// [`Driver::wait_for`], also returning the event's index in [`Driver::events`].
    pub fn wait_for_indexed(
        &mut self,
        what: &str,
        timeout: Duration,
        matches: impl Fn(&C::Event) -> bool,
    ) -> (usize, C::Event) {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            self.drain();
            while self.seen < self.events.len() {
                let event = &self.events[self.seen];
                self.seen += 1;
                if matches(event) {
                    return (self.seen - 1, event.clone());
                }
            }
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                panic!("timed out after {timeout:?} waiting for {what}; events: {:#?}", self.events);
            }
            self.step(left);
        }
    }

    /// Runs until no request is in flight and none is due (e.g. after a stop), or panics after
    /// `timeout`.
    pub fn wait_idle(&mut self, timeout: Duration) {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            self.drain();
            if self.in_flight == 0 && self.core.poll_timeout().is_none() {
                return;
            }
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                panic!("still {} requests in flight after {timeout:?}", self.in_flight);
            }
            self.step(left);
        }
    }

    /// Blocks for one input (an HTTP result, or the core's deadline) at most `limit`.
    fn step(&mut self, limit: Duration) {
        self.mark = self.sent.len();
        let mut wait = limit;
        if let Some(deadline) = self.core.poll_timeout() {
            wait = wait.min(Duration::from_millis(deadline.since(now())));
        }
        match self.receiver.recv_timeout(wait) {
            Ok((id, result)) => {
                self.in_flight -= 1;
                self.core.handle_response(now(), id, result);
            }
            Err(RecvTimeoutError::Timeout) => self.core.handle_timeout(now()),
            Err(RecvTimeoutError::Disconnected) => unreachable!("the driver holds a sender"),
        }
    }

    /// The drain rule: requests out, events in, until the core has nothing more.
    fn drain(&mut self) {
        loop {
            let mut progressed = false;
            while let Some(request) = self.core.poll_transmit(now()) {
                progressed = true;
                self.spawn(request);
            }
            while let Some(event) = self.core.poll_event() {
                progressed = true;
                self.events.push(event);
                self.requests_before.push(self.mark);
            }
            if !progressed {
                return;
            }
        }
    }

    fn spawn(&mut self, request: HttpRequest) {
        self.in_flight += 1;
        self.sent.push(request.clone());
        let agent = self.agent.clone();
        let sender = self.sender.clone();
        std::thread::spawn(move || {
            let result = perform(&agent, &request);
            // The driver may be gone (test over); nobody needs the result then.
            let _ = sender.send((request.id, result));
        });
    }
}

/// Performs one request with a blocking client.
fn perform(agent: &ureq::Agent, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
    let timeout = Some(Duration::from_millis(request.timeout_ms));
    let response = match request.method {
        Method::Get => {
            let mut builder = agent.get(&request.url).config().timeout_global(timeout).build();
            for (name, value) in &request.headers {
                builder = builder.header(name, value);
            }
            builder.call()
        }
        Method::Post | Method::Put => {
            let builder = if request.method == Method::Post { agent.post(&request.url) } else { agent.put(&request.url) };
            let mut builder = builder.config().timeout_global(timeout).build();
            for (name, value) in &request.headers {
                builder = builder.header(name, value);
            }
            builder.send(request.body.as_str())
        }
    };
    match response {
        Ok(mut response) => {
            let status = response.status();
            let body = response.body_mut().read_to_string().map_err(transport_error)?;
            Ok(HttpResponse {
                status: status.as_u16(),
                status_text: status.canonical_reason().unwrap_or_default().to_owned(),
                body,
            })
        }
        Err(e) => Err(transport_error(e)),
    }
}

fn transport_error(error: ureq::Error) -> TransportError {
    match error {
        ureq::Error::Timeout(_) => TransportError::Timeout,
        other => TransportError::Network(other.to_string()),
    }
}
