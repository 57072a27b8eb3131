//! Unit tests of the BOSH session, on literal bodies from XEP-0124 and XEP-0206.

use super::*;

const SID: &str = "SomeSID";
const T0: Instant = Instant(1_000_000);

fn config() -> BoshConfig {
    BoshConfig { url: "https://bosh.example.com/http-bind".into(), to: "example.com".into(), lang: "en".into(), wait_secs: 60, hold: 1 }
}

/// XEP-0206 example 2 (session creation response), with the stream features in it.
fn creation_response() -> String {
    format!(
        "<body wait='60' inactivity='30' polling='5' requests='2' hold='1' ack='1573741820' maxpause='120' \
         sid='{SID}' ver='1.6' from='example.com' secure='true' xmpp:version='1.0' \
         xmlns='http://jabber.org/protocol/httpbind' xmlns:xmpp='urn:xmpp:xbosh' \
         xmlns:stream='http://etherx.jabber.org/streams'>\
         <stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
         <mechanism>SCRAM-SHA-1</mechanism><mechanism>PLAIN</mechanism></mechanisms></stream:features></body>"
    )
}

fn ok(body: &str) -> Result<HttpResponse, TransportError> {
    Ok(HttpResponse { status: 200, status_text: "OK".into(), body: body.into() })
}

fn status(code: u16) -> Result<HttpResponse, TransportError> {
    Ok(HttpResponse { status: code, status_text: String::new(), body: String::new() })
}

fn empty_body() -> &'static str {
    "<body xmlns='http://jabber.org/protocol/httpbind'/>"
}

fn parse(request: &HttpRequest) -> Element {
    Element::parse(&request.body).unwrap()
}

fn rid(request: &HttpRequest) -> u64 {
    parse(request).get_attr("rid").unwrap().parse().unwrap()
}

fn message(text: &str) -> Element {
    Element::new("message", ns::CLIENT).attr("to", "room@conference.example.com").attr("type", "groupchat").child(
        Element::new("body", ns::CLIENT).text(text),
    )
}

fn events(bosh: &mut Bosh) -> Vec<BoshEvent> {
    std::iter::from_fn(|| bosh.poll_event()).collect()
}

/// When [`open`] creates the session: early enough that payload sent at `T0` may follow its
/// long-poll at once (see `OVERTAKE_AFTER_MS`).
const OPENED: Instant = Instant(T0.0 - OVERTAKE_AFTER_MS);

/// A session created at `OPENED` with the XEP-0206 parameters, its features drained, and its
/// idle long-poll (returned) in flight.
fn open() -> (Bosh, HttpRequest) {
    let mut bosh = Bosh::new(config(), 1573741820);
    let create = bosh.poll_transmit(OPENED).unwrap();
    assert!(bosh.poll_transmit(OPENED).is_none(), "nothing may be sent before the session exists");
    bosh.handle_response(OPENED, create.id, ok(&creation_response()));
    assert_eq!(events(&mut bosh).len(), 1);
    let poll = bosh.poll_transmit(OPENED).expect("an idle long-poll");
    assert!(bosh.poll_transmit(OPENED).is_none(), "hold=1: one long-poll only");
    (bosh, poll)
}

#[test]
fn creation_request_follows_xep_0206() {
    let mut bosh = Bosh::new(config(), 1573741820);
    let request = bosh.poll_transmit(T0).unwrap();
    assert_eq!(request.method, Method::Post);
    assert_eq!(request.url, "https://bosh.example.com/http-bind");
    assert_eq!(request.headers, [("Content-Type".to_owned(), "text/plain;charset=UTF-8".to_owned())]);
    assert_eq!(request.timeout_ms, 70_000);
    let body = parse(&request);
    assert!(body.is("body", ns::HTTPBIND));
    for (name, value) in [
        ("content", "text/xml; charset=utf-8"),
        ("hold", "1"),
        ("rid", "1573741820"),
        ("to", "example.com"),
        ("ver", "1.6"),
        ("wait", "60"),
        ("xml:lang", "en"),
        ("xmpp:version", "1.0"),
    ] {
        assert_eq!(body.get_attr(name), Some(value), "{name}");
    }
    assert!(request.body.contains("xmlns:xmpp=\"urn:xmpp:xbosh\""));
    assert!(body.children.is_empty());
}

#[test]
fn creation_response_sets_the_session_and_yields_the_features() {
    let mut bosh = Bosh::new(config(), 1573741820);
    let create = bosh.poll_transmit(T0).unwrap();
    bosh.handle_response(T0, create.id, ok(&creation_response()));
    let params = bosh.params().unwrap();
    assert_eq!(
        *params,
        BoshParams {
            sid: SID.into(),
            requests: 2,
            hold: 1,
            wait_secs: 60,
            inactivity_secs: Some(30),
            polling_secs: 5,
            maxpause_secs: Some(120)
        }
    );
    let [BoshEvent::Payload(features)] = &events(&mut bosh)[..] else { panic!("one payload expected") };
    assert!(features.is("features", ns::STREAM));
    assert!(features.find("mechanisms", ns::SASL).is_some());
}

#[test]
fn initial_rid_stays_below_2_pow_53() {
    let mut bosh = Bosh::new(config(), u64::MAX);
    let request = bosh.poll_transmit(T0).unwrap();
    assert_eq!(rid(&request), (1 << 52) - 1);
    let mut bosh = Bosh::new(config(), 0);
    assert_eq!(rid(&bosh.poll_transmit(T0).unwrap()), 1, "rid 0 is avoided");
}

#[test]
fn payload_uses_the_free_slot_then_batches_and_rids_increment() {
    let (mut bosh, poll) = open();
    assert_eq!(rid(&poll), 1573741821);
    assert!(parse(&poll).children.is_empty());
    assert_eq!(parse(&poll).get_attr("sid"), Some(SID));

    bosh.send(message("one"));
    let first = bosh.poll_transmit(T0).expect("requests=2 leaves a slot for payload");
    assert_eq!(rid(&first), 1573741822);
    assert_eq!(
        first.body,
        "<body xmlns=\"http://jabber.org/protocol/httpbind\" rid=\"1573741822\" sid=\"SomeSID\">\
         <message xmlns=\"jabber:client\" to=\"room@conference.example.com\" type=\"groupchat\"><body>one</body></message></body>"
    );

    // Both slots busy: the next two stanzas wait and travel together.
    bosh.send(message("two"));
    bosh.send(message("three"));
    assert!(bosh.poll_transmit(T0).is_none(), "never more than `requests` in flight");
    // The server answers the held long-poll (empty) because a newer request arrived.
    bosh.handle_response(T0, poll.id, ok(empty_body()));
    let batch = bosh.poll_transmit(T0).unwrap();
    assert_eq!(rid(&batch), 1573741823);
    let texts: Vec<_> = parse(&batch).elements().map(|m| m.child_text("body", ns::CLIENT).unwrap()).collect();
    assert_eq!(texts, ["two", "three"]);
    assert!(bosh.poll_transmit(T0).is_none());
}

#[test]
fn answers_are_processed_in_rid_order_whichever_returns_first() {
    let (mut bosh, poll) = open();
    bosh.send(message("q"));
    let question = bosh.poll_transmit(T0).unwrap();
    let reply = |text: &str| {
        format!("<body xmlns='http://jabber.org/protocol/httpbind'><message xmlns='jabber:client'><body>{text}</body></message></body>")
    };
    bosh.handle_response(T0, question.id, ok(&reply("second")));
    assert!(events(&mut bosh).is_empty(), "rid N+1 waits for rid N");
    bosh.handle_response(T0, poll.id, ok(&reply("first")));
    let texts: Vec<_> = events(&mut bosh)
        .into_iter()
        .map(|e| match e {
            BoshEvent::Payload(m) => m.child_text("body", ns::CLIENT).unwrap(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(texts, ["first", "second"]);
}

#[test]
fn transport_errors_resend_the_same_rid_and_body_with_backoff() {
    let (mut bosh, poll) = open();
    bosh.send(message("important"));
    let original = bosh.poll_transmit(T0).unwrap();
    bosh.handle_response(T0, original.id, Err(TransportError::Network("connection reset".into())));
    assert_eq!(bosh.poll_timeout(), Some(T0.plus_ms(500)));
    assert!(bosh.poll_transmit(T0.plus_ms(100)).is_none(), "the backoff is respected");
    bosh.handle_timeout(T0.plus_ms(500));
    let again = bosh.poll_transmit(T0.plus_ms(500)).unwrap();
    assert_ne!(again.id, original.id);
    assert_eq!(again.body, original.body, "same rid, same payload");

    // The backoff doubles, and a late answer to the abandoned request is ignored.
    bosh.handle_response(T0.plus_ms(600), again.id, Err(TransportError::Timeout));
    assert_eq!(bosh.poll_timeout(), Some(T0.plus_ms(1600)));
    bosh.handle_response(T0.plus_ms(700), original.id, ok(empty_body()));
    bosh.handle_timeout(T0.plus_ms(1600));
    let third = bosh.poll_transmit(T0.plus_ms(1600)).unwrap();
    assert_eq!(third.body, original.body);

    // A 5xx is retried like a transport error; success then flows normally.
    bosh.handle_response(T0.plus_ms(1700), third.id, status(503));
    bosh.handle_timeout(T0.plus_ms(10_000));
    let fourth = bosh.poll_transmit(T0.plus_ms(10_000)).unwrap();
    assert_eq!(fourth.body, original.body);
    bosh.handle_response(T0.plus_ms(10_001), poll.id, ok(empty_body()));
    bosh.handle_response(T0.plus_ms(10_002), fourth.id, ok(empty_body()));
    assert!(events(&mut bosh).is_empty());
    assert!(!bosh.is_closed());
}

#[test]
fn retries_are_bounded() {
    let (mut bosh, poll) = open();
    let mut now = T0;
    let mut request = poll;
    for _ in 0..MAX_RETRIES {
        bosh.handle_response(now, request.id, Err(TransportError::Timeout));
        now = bosh.poll_timeout().unwrap();
        bosh.handle_timeout(now);
        request = bosh.poll_transmit(now).unwrap();
    }
    bosh.handle_response(now, request.id, Err(TransportError::Timeout));
    assert_eq!(events(&mut bosh), [BoshEvent::Failed(BoshError::Transport(TransportError::Timeout))]);
    assert!(bosh.is_closed());
    assert!(bosh.poll_transmit(now).is_none());
    assert_eq!(bosh.poll_timeout(), None);
}

#[test]
fn http_404_means_the_session_is_lost() {
    let (mut bosh, poll) = open();
    bosh.handle_response(T0, poll.id, status(404));
    assert_eq!(events(&mut bosh), [BoshEvent::Failed(BoshError::Terminated(TerminateCondition::ItemNotFound))]);
    assert!(bosh.poll_transmit(T0).is_none());
}

#[test]
fn terminate_conditions_are_typed_after_the_payload() {
    // XEP-0206 §6: a stream error travels with condition='remote-stream-error'.
    let (mut bosh, poll) = open();
    bosh.handle_response(
        T0,
        poll.id,
        ok("<body type='terminate' condition='remote-stream-error' xmlns='http://jabber.org/protocol/httpbind' \
            xmlns:stream='http://etherx.jabber.org/streams'><stream:error>\
            <xml-not-well-formed xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></body>"),
    );
    let got = events(&mut bosh);
    assert!(matches!(&got[0], BoshEvent::Payload(e) if e.is("error", ns::STREAM)));
    assert_eq!(got[1], BoshEvent::Failed(BoshError::Terminated(TerminateCondition::RemoteStreamError)));

    for (condition, expected) in [
        ("item-not-found", TerminateCondition::ItemNotFound),
        ("system-shutdown", TerminateCondition::SystemShutdown),
        ("policy-violation", TerminateCondition::PolicyViolation),
        ("seriously-odd", TerminateCondition::Other("seriously-odd".into())),
    ] {
        let (mut bosh, poll) = open();
        let body = format!("<body type='terminate' condition='{condition}' xmlns='http://jabber.org/protocol/httpbind'/>");
        bosh.handle_response(T0, poll.id, ok(&body));
        assert_eq!(events(&mut bosh), [BoshEvent::Failed(BoshError::Terminated(expected))]);
    }
    let (mut bosh, poll) = open();
    bosh.handle_response(T0, poll.id, ok("<body type='terminate' xmlns='http://jabber.org/protocol/httpbind'/>"));
    assert_eq!(events(&mut bosh), [BoshEvent::Failed(BoshError::Terminated(TerminateCondition::Unspecified))]);
}

#[test]
fn creation_refused_with_a_condition() {
    let mut bosh = Bosh::new(config(), 7);
    let create = bosh.poll_transmit(T0).unwrap();
    bosh.handle_response(
        T0,
        create.id,
        ok("<body type='terminate' condition='host-unknown' xmlns='http://jabber.org/protocol/httpbind'/>"),
    );
    assert_eq!(events(&mut bosh), [BoshEvent::Failed(BoshError::Terminated(TerminateCondition::HostUnknown))]);
}

#[test]
fn malformed_answers_end_the_session() {
    let mut bosh = Bosh::new(config(), 7);
    let create = bosh.poll_transmit(T0).unwrap();
    bosh.handle_response(T0, create.id, ok("<body xmlns='http://jabber.org/protocol/httpbind'/>"));
    assert_eq!(
        events(&mut bosh),
        [BoshEvent::Failed(BoshError::Malformed("session creation response without sid".into()))]
    );

    let (mut bosh, poll) = open();
    bosh.handle_response(T0, poll.id, ok("<html><body>Bad gateway</body></html>"));
    assert_eq!(events(&mut bosh), [BoshEvent::Failed(BoshError::Malformed("root element <html>".into()))]);
    let (mut bosh, poll) = open();
    bosh.handle_response(T0, poll.id, ok("<body xmlns='http://jabber.org/protocol/httpbind'>"));
    assert!(matches!(&events(&mut bosh)[..], [BoshEvent::Failed(BoshError::Malformed(_))]));
}

#[test]
fn restart_body_follows_xep_0206() {
    let (mut bosh, _poll) = open();
    bosh.restart(Vec::new());
    let restart = bosh.poll_transmit(T0).unwrap();
    let body = parse(&restart);
    assert_eq!(body.get_attr("rid"), Some("1573741822"));
    assert_eq!(body.get_attr("sid"), Some(SID));
    assert_eq!(body.get_attr("to"), Some("example.com"));
    assert_eq!(body.get_attr("xml:lang"), Some("en"));
    assert_eq!(body.get_attr("xmpp:restart"), Some("true"));
    assert!(restart.body.contains("xmlns:xmpp=\"urn:xmpp:xbosh\""));
    assert!(body.children.is_empty());
}

#[test]
fn terminate_carries_the_last_stanzas_even_with_every_slot_busy() {
    let (mut bosh, poll) = open();
    bosh.send(message("bye"));
    let last = bosh.poll_transmit(T0).unwrap();
    bosh.terminate(vec![Element::new("presence", ns::CLIENT).attr("type", "unavailable")]);
    bosh.send(message("too late"));
    let terminate = bosh.poll_transmit(T0).expect("the terminate may exceed `requests`");
    assert_eq!(
        terminate.body,
        "<body xmlns=\"http://jabber.org/protocol/httpbind\" rid=\"1573741823\" sid=\"SomeSID\" type=\"terminate\">\
         <presence xmlns=\"jabber:client\" type=\"unavailable\"/></body>"
    );
    assert!(bosh.poll_transmit(T0).is_none(), "nothing after the terminate");
    let bye = "<body type='terminate' xmlns='http://jabber.org/protocol/httpbind'/>";
    bosh.handle_response(T0, poll.id, ok(bye));
    assert_eq!(events(&mut bosh), [BoshEvent::Terminated]);
    bosh.handle_response(T0, last.id, ok(bye));
    bosh.handle_response(T0, terminate.id, ok(bye));
    assert!(events(&mut bosh).is_empty(), "one final event");
}

#[test]
fn terminate_before_the_session_exists() {
    let mut bosh = Bosh::new(config(), 7);
    bosh.terminate(Vec::new());
    assert_eq!(events(&mut bosh), [BoshEvent::Terminated]);
    assert!(bosh.poll_transmit(T0).is_none(), "no session is created");

    // While creating: the terminate follows the creation response.
    let mut bosh = Bosh::new(config(), 7);
    let create = bosh.poll_transmit(T0).unwrap();
    bosh.terminate(Vec::new());
    assert!(bosh.poll_transmit(T0).is_none());
    bosh.handle_response(T0, create.id, ok(&creation_response()));
    let terminate = bosh.poll_transmit(T0).unwrap();
    assert_eq!(parse(&terminate).get_attr("type"), Some("terminate"));
}

#[test]
fn polling_session_spaces_empty_requests() {
    // A polling connection manager: hold=0, one request at a time, polling=5.
    let mut bosh = Bosh::new(BoshConfig { hold: 0, ..config() }, 100);
    let create = bosh.poll_transmit(T0).unwrap();
    bosh.handle_response(
        T0,
        create.id,
        ok("<body sid='p' requests='1' hold='0' polling='5' wait='60' xmlns='http://jabber.org/protocol/httpbind'/>"),
    );
    let first = bosh.poll_transmit(T0).expect("the session polls");
    bosh.handle_response(T0.plus_ms(20), first.id, ok(empty_body()));
    assert!(bosh.poll_transmit(T0.plus_ms(20)).is_none(), "a second empty request within `polling` is overactivity");
    assert_eq!(bosh.poll_timeout(), Some(T0.plus_ms(5_000)));
    // Payload is never delayed by the polling interval.
    bosh.send(message("now"));
    let payload = bosh.poll_transmit(T0.plus_ms(30)).unwrap();
    assert_eq!(parse(&payload).elements().count(), 1);
    bosh.handle_response(T0.plus_ms(40), payload.id, ok(empty_body()));
    assert!(bosh.poll_transmit(T0.plus_ms(40)).is_some(), "after a payload request, polling may resume at once");
}

#[test]
fn unqualified_stanzas_are_put_in_jabber_client() {
    let (mut bosh, poll) = open();
    bosh.handle_response(
        T0,
        poll.id,
        ok("<body xmlns='http://jabber.org/protocol/httpbind'><message from='a@b'><body>hi</body>\
            <active xmlns='http://jabber.org/protocol/chatstates'/></message></body>"),
    );
    let [BoshEvent::Payload(m)] = &events(&mut bosh)[..] else { panic!() };
    assert!(m.is("message", ns::CLIENT));
    assert_eq!(m.child_text("body", ns::CLIENT).as_deref(), Some("hi"));
    assert!(m.find("active", ns::CHAT_STATES).is_some());
}

#[test]
fn payload_waits_until_a_fresh_long_poll_has_had_time_to_arrive() {
    // ejabberd parks a request that overtakes its predecessor; when that predecessor is an
    // empty long-poll it holds, the parked message waited for `wait` (60 s). So payload follows
    // a fresh poll only after OVERTAKE_AFTER_MS.
    let (mut bosh, poll) = open();
    bosh.send(message("right after the poll"));
    assert!(bosh.poll_transmit(OPENED).is_none(), "the poll left at OPENED");
    let ready = OPENED.plus_ms(OVERTAKE_AFTER_MS);
    assert_eq!(bosh.poll_timeout(), Some(ready), "the driver wakes up when the message may go");
    assert!(bosh.poll_transmit(OPENED.plus_ms(OVERTAKE_AFTER_MS - 1)).is_none());
    bosh.handle_timeout(ready);
    let sent = bosh.poll_transmit(ready).expect("the message goes once the poll is old enough");
    assert_eq!(rid(&sent), rid(&poll) + 1);
    assert_eq!(bosh.poll_timeout(), None, "nothing left to wait for");

    // A poll that has been held for a while is overtaken at once; so is a request with payload.
    bosh.handle_response(ready, poll.id, ok(empty_body()));
    bosh.handle_response(ready, sent.id, ok(empty_body()));
    let later = ready.plus_ms(5_000);
    let next_poll = bosh.poll_transmit(later).expect("a new long-poll");
    bosh.send(message("much later"));
    assert!(bosh.poll_transmit(later).is_none());
    let at = later.plus_ms(OVERTAKE_AFTER_MS);
    let second = bosh.poll_transmit(at).expect("sent");
    assert_eq!(rid(&second), rid(&next_poll) + 1);
}

#[test]
fn the_terminate_too_waits_for_a_fresh_long_poll() {
    let (mut bosh, _poll) = open();
    bosh.terminate(vec![message("bye")]);
    assert!(bosh.poll_transmit(OPENED).is_none());
    let ready = OPENED.plus_ms(OVERTAKE_AFTER_MS);
    assert_eq!(bosh.poll_timeout(), Some(ready));
    let terminate = bosh.poll_transmit(ready).expect("the terminate");
    assert_eq!(parse(&terminate).get_attr("type"), Some("terminate"));
    assert_eq!(bosh.poll_timeout(), None);
}
