//! A scripted server on simulated time: the test plays the server's bodies and asserts what the
//! client sends, request by request. Works with any [`Core`].

use base64ct::{Base64, Encoding as _};
use exochat::core::http::{HttpRequest, HttpResponse, TransportError};
use exochat::core::xml::Element;
use exochat::core::Instant;

use super::Core;

/// A core on simulated time, its requests collected for the test to answer.
pub struct Scripted<C: Core> {
    /// The core under test.
    pub core: C,
    /// Simulated time; each answer moves it 1 ms.
    pub now: Instant,
    /// Requests sent and not yet answered, oldest first.
    pub in_flight: Vec<HttpRequest>,
    /// Every request sent, in order.
    pub sent: Vec<HttpRequest>,
    /// Events not yet taken.
    pub events: Vec<C::Event>,
}

impl<C: Core> Scripted<C> {
    /// Wraps `core`, then runs `start` on it (at simulated time) and drains.
    pub fn start(core: C, start: impl FnOnce(&mut C, Instant)) -> Scripted<C> {
        let mut s = Scripted { core, now: Instant(1_700_000_000_000), in_flight: vec![], sent: vec![], events: vec![] };
        s.act(start);
        s
    }

    /// Runs a command on the core, then drains.
    pub fn act<R>(&mut self, f: impl FnOnce(&mut C, Instant) -> R) -> R {
        let result = f(&mut self.core, self.now);
        self.drain();
        result
    }

    /// The drain rule, checking the BOSH rules on every request: at most `requests=2` in flight
    /// (a terminate may exceed it), rids incrementing by one, a resend repeating its body.
    pub fn drain(&mut self) {
        loop {
            let mut progressed = false;
            while let Some(request) = self.core.poll_transmit(self.now) {
                progressed = true;
                let body = Element::parse(&request.body).unwrap();
                let terminate = body.get_attr("type") == Some("terminate");
                assert!(self.in_flight.len() < 2 || terminate, "more than requests=2 in flight");
                if let Some(last) = self.sent.last() {
                    let rid = |r: &HttpRequest| -> u64 { Element::parse(&r.body).unwrap().get_attr("rid").unwrap().parse().unwrap() };
                    let repeat = self.sent.iter().any(|s| s.body == request.body);
                    // A new session (reconnect) starts a new rid sequence with a creation body.
                    let creation = body.get_attr("sid").is_none();
                    assert!(rid(&request) == rid(last) + 1 || repeat || creation, "rids increment by one (or a resend repeats)");
                }
                self.in_flight.push(request.clone());
                self.sent.push(request);
            }
            while let Some(event) = self.core.poll_event() {
                progressed = true;
                self.events.push(event);
            }
            if !progressed {
                return;
            }
        }
    }

    /// The only request in flight (one round trip), parsed.
    pub fn take_only(&mut self) -> (HttpRequest, Element) {
        assert_eq!(self.in_flight.len(), 1, "exactly one request in flight: {:#?}", self.in_flight);
        self.take_oldest()
    }

    /// The oldest request in flight, parsed.
    pub fn take_oldest(&mut self) -> (HttpRequest, Element) {
        let request = self.in_flight.remove(0);
        let body = Element::parse(&request.body).unwrap();
        (request, body)
    }

    /// The newest request in flight, parsed.
    pub fn take_newest(&mut self) -> (HttpRequest, Element) {
        let request = self.in_flight.pop().expect("a request in flight");
        let body = Element::parse(&request.body).unwrap();
        (request, body)
    }

    /// The only request in flight, parsed, left in flight so that later counts include it.
    pub fn peek_only(&self) -> (HttpRequest, Element) {
        assert_eq!(self.in_flight.len(), 1, "exactly one request in flight: {:#?}", self.in_flight);
        let request = self.in_flight[0].clone();
        let body = Element::parse(&request.body).unwrap();
        (request, body)
    }

    /// Answers the only request in flight with HTTP 200 and `answer`; returns that request's
    /// body, parsed, for the test to check what the client sent.
    pub fn answer_only(&mut self, answer: &str) -> Element {
        let (request, body) = self.take_only();
        self.reply(&request, answer);
        body
    }

    /// Answers `request` with HTTP 200 and `body`.
    pub fn reply(&mut self, request: &HttpRequest, body: &str) {
        let response = HttpResponse { status: 200, status_text: "OK".into(), body: body.into() };
        self.result(request, Ok(response));
    }

    /// Answers `request` with `result`.
    pub fn result(&mut self, request: &HttpRequest, result: Result<HttpResponse, TransportError>) {
        self.in_flight.retain(|r| r.id != request.id);
        self.now = self.now.plus_ms(1);
        self.core.handle_response(self.now, request.id, result);
        self.drain();
    }

    /// Jumps to the core's next deadline.
    pub fn advance_to_timeout(&mut self) {
        self.now = self.core.poll_timeout().expect("a deadline");
        self.core.handle_timeout(self.now);
        self.drain();
    }

    /// The events so far, taken.
    pub fn take_events(&mut self) -> Vec<C::Event> {
        std::mem::take(&mut self.events)
    }

    /// Plays the server's side of a PLAIN authentication (create offering PLAIN, SASL success);
    /// leaves the stream restart in flight.
    pub fn authenticate_plain(&mut self) {
        self.answer_only(&creation(&["PLAIN"]));
        self.answer_only(&sasl_success());
    }

    /// Plays the server's side after authentication (restart offering bind, bind) binding `jid`.
    pub fn bind(&mut self, jid: &str) {
        self.answer_only(&features(BIND_FEATURES));
        self.answer_only(&bind_result(jid));
    }

    /// Plays the server's side of a PLAIN login (create, auth, restart, bind) binding `jid`.
    pub fn login_plain(&mut self, jid: &str) {
        self.authenticate_plain();
        self.bind(jid);
    }
}

/// The BOSH body with which the server ends the session.
pub const TERMINATE: &str = "<body type='terminate' xmlns='http://jabber.org/protocol/httpbind'/>";

/// HTTP 404: the connection manager no longer knows the session.
pub fn not_found() -> Result<HttpResponse, TransportError> {
    Ok(HttpResponse { status: 404, status_text: "Not Found".into(), body: String::new() })
}

/// Stream features as Prosody 0.12 offers them after authentication.
pub const BIND_FEATURES: &str = "<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>\
     <session xmlns='urn:ietf:params:xml:ns:xmpp-session'><optional/></session>";

/// A BOSH body carrying `inner`.
pub fn wrap(inner: &str) -> String {
    format!("<body xmlns='http://jabber.org/protocol/httpbind'>{inner}</body>")
}

/// A BOSH body carrying `<stream:features>` with `inner`.
pub fn features(inner: &str) -> String {
    format!(
        "<body xmlns='http://jabber.org/protocol/httpbind' xmlns:stream='http://etherx.jabber.org/streams'>\
         <stream:features>{inner}</stream:features></body>"
    )
}

/// Prosody 0.12's answer to the session creation request, offering `mechanisms`.
pub fn creation(mechanisms: &[&str]) -> String {
    let mechs: String = mechanisms.iter().map(|m| format!("<mechanism>{m}</mechanism>")).collect();
    format!(
        "<body xmlns='http://jabber.org/protocol/httpbind' xmlns:stream='http://etherx.jabber.org/streams' \
         sid='s1' requests='2' hold='1' inactivity='60' polling='5' wait='60' authid='s1' secure='true' ver='1.6' \
         from='example.com' xmlns:xmpp='urn:xmpp:xbosh' xmpp:version='1.0'><stream:features>\
         <mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>{mechs}</mechanisms></stream:features></body>"
    )
}

/// A SASL element `name` whose payload is `payload`, base64-encoded.
pub fn sasl(name: &str, payload: &str) -> String {
    wrap(&format!("<{name} xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>{}</{name}>", Base64::encode_string(payload.as_bytes())))
}

/// An empty SASL `<success/>`.
pub fn sasl_success() -> String {
    wrap("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>")
}

/// The answer to the bind request, binding `jid`.
pub fn bind_result(jid: &str) -> String {
    wrap(&format!(
        "<iq xmlns='jabber:client' type='result' id='bind_1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>{jid}</jid></bind></iq>"
    ))
}

/// The elements a body carries.
pub fn payload(body: &Element) -> Vec<&Element> {
    body.elements().collect()
}
