//! The session driver: runs the core's sans-IO [`Session`] in the browser.
//!
//! The one drain rule, stated once: after every input (a command, an HTTP result, a timer), poll
//! the session until it has no request and no event left; send each request with
//! [`http::send`] (its result is the next input); hand each event to the sink (the SDK's event
//! dispatch, which also settles the Promises of [`SessionEvent::Settled`]); finally re-arm ONE
//! timer for [`Session::poll_timeout`].
//!
//! No `RefCell` borrow is held while the sink runs. The sink
//! calls page callbacks, which may call back into the SDK and give the session another command:
//! that command's own drain sees one in progress and returns, and the drain in progress picks up
//! what the command produced on its next round, so events keep their order.

use std::cell::{RefCell, RefMut};
use std::rc::{Rc, Weak};

use base64ct::{Base64UrlUnpadded, Encoding as _};
use js_sys::Function;
use wasm_bindgen::JsCast;
use web_sys::Crypto;

use super::handles::Timeout;
use super::js::{global, prop};
use super::http;
use super::task::later;
use crate::core::connection::{ConnectionConfig, Randomness};
use crate::core::http::HttpRequest;
use crate::core::session::{Session, SessionEvent};
use crate::core::Instant;

/// Where the events of a session go.
pub(crate) type Sink = Rc<dyn Fn(SessionEvent)>;

struct Inner {
    session: Session,
    /// The `fetch` the shim captured at load.
    fetch: Function,
    sink: Sink,
    /// The one timer, armed for the session's next deadline.
    timer: Option<(Instant, Timeout)>,
    /// A drain is in progress (further down the stack).
    draining: bool,
}

/// A running session. Clones share it; it stops being driven when the last clone is dropped
/// (HTTP answers and timers that come later are ignored).
#[derive(Clone)]
pub(crate) struct Driver(Rc<RefCell<Inner>>);

/// The browser's clock as the core's [`Instant`].
pub(crate) fn now() -> Instant {
    Instant(js_sys::Date::now() as u64)
}

/// `N` bytes from `crypto.getRandomValues` (from `Math.random` only if the page has no crypto).
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    random_fill(&mut bytes);
    bytes
}

// Not generic: one copy for every `N`.
fn random_fill(bytes: &mut [u8]) {
    // Read as a property (no `window` or `crypto` getter to import); absent, it is `undefined`.
    let crypto = prop(&global(), "crypto");
    if !crypto.is_object() || crypto.unchecked_ref::<Crypto>().get_random_values_with_u8_array(bytes).is_err() {
        for b in bytes {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
}

/// Fresh random inputs of a connection.
fn randomness() -> Randomness {
    Randomness {
        client_nonce: Base64UrlUnpadded::encode_string(&random_bytes::<18>()),
        initial_rid: u64::from_le_bytes(random_bytes::<8>()),
    }
}

impl Driver {
    /// Creates a session for `config` and starts connecting; its events go to `sink`.
    pub(crate) fn start(config: ConnectionConfig, fetch: Function, sink: Sink) -> Driver {
        // 96 random bits: stanza ids double as XEP-0359 origin-ids, unique across sessions.
        let id_prefix = Base64UrlUnpadded::encode_string(&random_bytes::<12>());
        let session = Session::new(config, randomness(), id_prefix);
        let inner = Inner { session, fetch, sink, timer: None, draining: false };
        let driver = Driver(Rc::new(RefCell::new(inner)));
        driver.session().start(now());
        driver.drain();
        driver
    }

    /// The session, to read it or give it a command (then [`Driver::drain`]). The borrow must
    /// end before anything calls page code: take it within one statement.
    pub(crate) fn session(&self) -> RefMut<'_, Session> {
        RefMut::map(self.0.borrow_mut(), |inner| &mut inner.session)
    }

    /// The drain rule, after a command.
    pub(crate) fn drain(&self) {
        drain(&self.0);
    }

    /// Connects again after a failure, with fresh randomness (the chat rejoins its rooms).
    pub(crate) fn reconnect(&self) {
        self.session().reconnect(now(), randomness());
        self.drain();
    }
}

impl Drop for Inner {
    // A session dropped with operations pending (replaced by a new one, or freed) settles them,
    // so every Promise waiting on it ends; from a microtask, as the drop may happen while the
    // SDK state is borrowed.
    fn drop(&mut self) {
        let settled = self.session.abandon();
        if !settled.is_empty() {
            let sink = self.sink.clone();
            later(Box::new(move || settled.into_iter().for_each(|event| sink(event))));
        }
    }
}

/// The drain rule (see the module documentation).
fn drain(cell: &Rc<RefCell<Inner>>) {
    if std::mem::replace(&mut cell.borrow_mut().draining, true) {
        return;
    }
    let (fetch, sink) = {
        let inner = cell.borrow();
        (inner.fetch.clone(), inner.sink.clone())
    };
    // One output at a time, each borrow ending with its statement: no list to collect them in.
    loop {
        let request = cell.borrow_mut().session.poll_transmit(now());
        if let Some(request) = request {
            send_request(Rc::downgrade(cell), &fetch, &request);
            continue;
        }
        let event = cell.borrow_mut().session.poll_event();
        let Some(event) = event else { break };
        sink(event);
    }
    let mut inner = cell.borrow_mut();
    inner.draining = false;
    let next = inner.session.poll_timeout();
    if inner.timer.as_ref().map(|(at, _)| *at) != next {
        inner.timer = next.map(|at| (at, Timeout::new(at.since(now()), on_timer(Rc::downgrade(cell)))));
    }
}

/// The timer callback: the deadline is an input, then the drain re-arms.
fn on_timer(weak: Weak<RefCell<Inner>>) -> impl FnOnce() {
    move || {
        let Some(cell) = weak.upgrade() else { return };
        {
            let mut inner = cell.borrow_mut();
            // Dropping the running timer's handle is safe: wasm-bindgen frees a closure that is
            // executing only when it returns.
            inner.timer = None;
            inner.session.handle_timeout(now());
        }
        drain(&cell);
    }
}

/// Performs `request`; its result is the session's next input.
fn send_request(weak: Weak<RefCell<Inner>>, fetch: &Function, request: &HttpRequest) {
    let id = request.id;
    http::send(fetch, request, Box::new(move |result| {
        let Some(cell) = weak.upgrade() else { return };
        cell.borrow_mut().session.handle_response(now(), id, result);
        drain(&cell);
    }));
}
