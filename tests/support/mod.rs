//! The native driver: runs a sans-IO core over real HTTP and the real clock.
//!
//! Each driver runs its core on a thread of its own; each HTTP request the core asks for runs on
//! another thread with a blocking `ureq` client, so BOSH long-polls and payload requests are
//! concurrent as in a browser, and results come back over a channel. The driver keeps the drain
//! rule: after every input it polls requests and events until `None`, then blocks until a result
//! arrives or the core's deadline passes. Tests give commands with [`Driver::act`] and wait on
//! conditions (an event matching a predicate) with a timeout, never on sleeps.

// Each test crate uses part of this module.
#![allow(dead_code)]

pub mod scripted;
pub mod server;

use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use exochat::core::connection::{Connection, ConnectionEvent};
use exochat::core::http::{HttpRequest, HttpResponse, Method, RequestId, TransportError};
use exochat::core::session::{Session, SessionEvent};
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

/// Implements [`Core`] for a core whose own methods have the trait's names and signatures.
macro_rules! core {
    ($core:ty, $event:ty) => {
        impl Core for $core {
            type Event = $event;

            fn handle_response(&mut self, now: Instant, id: RequestId, result: Result<HttpResponse, TransportError>) {
                <$core>::handle_response(self, now, id, result);
            }

            fn handle_timeout(&mut self, now: Instant) {
                <$core>::handle_timeout(self, now);
            }

            fn poll_transmit(&mut self, now: Instant) -> Option<HttpRequest> {
                <$core>::poll_transmit(self, now)
            }

            fn poll_event(&mut self) -> Option<$event> {
                <$core>::poll_event(self)
            }

            fn poll_timeout(&self) -> Option<Instant> {
                <$core>::poll_timeout(self)
            }
        }
    };
}

core!(Connection, ConnectionEvent);
core!(Session, SessionEvent);

/// What the driver's thread waits for.
enum Msg {
    /// An HTTP result.
    Http(RequestId, Result<HttpResponse, TransportError>),
    /// A command ran: the core's deadline may have changed.
    Wake,
    /// The driver is dropped.
    Stop,
}

/// The core and what it did, shared between the test thread and the driver's thread.
struct State<C: Core> {
    core: C,
    in_flight: usize,
    sent: Vec<HttpRequest>,
    events: Vec<C::Event>,
    requests_before: Vec<usize>,
}

struct Shared<C: Core> {
    state: Mutex<State<C>>,
    changed: Condvar,
}

/// Runs a [`Core`] over real HTTP on a thread of its own, so that several clients in one test
/// live independently (each answers its long-polls while the test waits on another).
pub struct Driver<C: Core> {
    shared: Arc<Shared<C>>,
    messages: Sender<Msg>,
    http: ureq::Agent,
    /// Every request started, in order (bodies included), as of the last [`Driver::act`] or wait.
    pub sent: Vec<HttpRequest>,
    /// Every event the core reported, in order, as of the last [`Driver::act`] or wait.
    pub events: Vec<C::Event>,
    /// For each event, how many requests had been sent when the input that caused it arrived:
    /// the round trips it took.
    pub requests_before: Vec<usize>,
    /// Events already examined by [`Driver::wait_for`].
    seen: usize,
}

/// The wall clock as the core's [`Instant`].
pub fn now() -> Instant {
    let ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
    Instant(u64::try_from(ms).unwrap_or(u64::MAX))
}

impl<C: Core + Send + 'static> Driver<C>
where
    C::Event: Send,
{
    /// A driver for `core`; its first requests go out on the first [`Driver::act`].
    pub fn new(core: C) -> Driver<C> {
        let http: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let (messages, receiver) = channel();
        let state = State { core, in_flight: 0, sent: Vec::new(), events: Vec::new(), requests_before: Vec::new() };
        let shared = Arc::new(Shared { state: Mutex::new(state), changed: Condvar::new() });
        let (thread_shared, thread_messages, thread_http) = (shared.clone(), messages.clone(), http.clone());
        std::thread::spawn(move || run(&thread_shared, &receiver, &thread_messages, &thread_http));
        Driver { shared, messages, http, sent: Vec::new(), events: Vec::new(), requests_before: Vec::new(), seen: 0 }
    }

    /// Calls `f` with the core and the current time (a command), then drains.
    pub fn act<R>(&mut self, f: impl FnOnce(&mut C, Instant) -> R) -> R {
        let result = {
            let mut state = self.shared.state.lock().unwrap();
            let mark = state.sent.len();
            let result = f(&mut state.core, now());
            drain(&mut state, mark, &self.messages, &self.http);
            result
        };
        self.shared.changed.notify_all();
        // The driver's thread re-reads the deadline.
        let _ = self.messages.send(Msg::Wake);
        self.refresh();
        result
    }

    /// Waits until an event matching `matches` arrives and returns it; panics after `timeout`
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
        let mut state = self.shared.state.lock().unwrap();
        let found = loop {
            let fresh = state.events.get(self.seen..).unwrap_or_default();
            if let Some(offset) = fresh.iter().position(&matches) {
                let index = self.seen + offset;
                self.seen = index + 1;
                break Some((index, state.events[index].clone()));
            }
            self.seen = state.events.len();
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                break None;
            }
            state = self.shared.changed.wait_timeout(state, left).unwrap().0;
        };
        drop(state);
        self.refresh();
        found.unwrap_or_else(|| panic!("timed out after {timeout:?} waiting for {what}; events: {:#?}", self.events))
    }

    /// Waits until no request is in flight and no deadline is pending (e.g. after a stop), or
    /// panics after `timeout`.
    pub fn wait_idle(&mut self, timeout: Duration) {
        let deadline = std::time::Instant::now() + timeout;
        let mut state = self.shared.state.lock().unwrap();
        while state.in_flight > 0 || state.core.poll_timeout().is_some() {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            assert!(!left.is_zero(), "still {} requests in flight after {timeout:?}", state.in_flight);
            state = self.shared.changed.wait_timeout(state, left).unwrap().0;
        }
        drop(state);
        self.refresh();
    }

    /// Copies what the core did into the public fields.
    fn refresh(&mut self) {
        let state = self.shared.state.lock().unwrap();
        self.sent.clone_from(&state.sent);
        self.events.clone_from(&state.events);
        self.requests_before.clone_from(&state.requests_before);
    }
}

impl<C: Core> Drop for Driver<C> {
    fn drop(&mut self) {
        let _ = self.messages.send(Msg::Stop);
    }
}

/// The driver's thread: feeds HTTP results and deadlines to the core, draining after each.
fn run<C: Core>(shared: &Shared<C>, receiver: &Receiver<Msg>, messages: &Sender<Msg>, http: &ureq::Agent) {
    loop {
        let deadline = shared.state.lock().unwrap().core.poll_timeout();
        let message = match deadline {
            Some(at) => receiver.recv_timeout(Duration::from_millis(at.since(now()))),
            None => receiver.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        let mut state = shared.state.lock().unwrap();
        let mark = state.sent.len();
        match message {
            Ok(Msg::Http(id, result)) => {
                state.in_flight -= 1;
                state.core.handle_response(now(), id, result);
            }
            Ok(Msg::Wake) => {}
            Err(RecvTimeoutError::Timeout) => state.core.handle_timeout(now()),
            Ok(Msg::Stop) | Err(RecvTimeoutError::Disconnected) => return,
        }
        drain(&mut state, mark, messages, http);
        drop(state);
        shared.changed.notify_all();
    }
}

/// The drain rule: requests out, events in, until the core has nothing more. `mark` is the
/// number of requests sent before the input being drained.
fn drain<C: Core>(state: &mut State<C>, mark: usize, messages: &Sender<Msg>, http: &ureq::Agent) {
    loop {
        let mut progressed = false;
        while let Some(request) = state.core.poll_transmit(now()) {
            progressed = true;
            state.in_flight += 1;
            state.sent.push(request.clone());
            let (messages, http) = (messages.clone(), http.clone());
            std::thread::spawn(move || {
                let result = perform(&http, &request);
                // The driver may be gone (test over); nobody needs the result then.
                let _ = messages.send(Msg::Http(request.id, result));
            });
        }
        while let Some(event) = state.core.poll_event() {
            progressed = true;
            state.events.push(event);
            state.requests_before.push(mark);
        }
        if !progressed {
            return;
        }
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
