//! The connection against a scripted server on simulated time: each test plays recorded server
//! bodies and asserts what the client sends, request by request.

mod support;

use base64ct::{Base64, Encoding as _};
use exochat::core::bosh::{BoshError, TerminateCondition};
use exochat::core::connection::{
    Connection, ConnectionConfig, ConnectionError, ConnectionEvent, Randomness, StreamCondition,
};
use exochat::core::http::TransportError;
use exochat::core::jid::Jid;
use exochat::core::ns;
use exochat::core::sasl::{Mechanism, SaslCondition, SaslError};
use exochat::core::xml::Element;
use support::scripted::{
    bind_result, creation, features, not_found, payload, sasl, sasl_success, wrap, Scripted, BIND_FEATURES, TERMINATE,
};

const NONCE: &str = "fyko+d2lbbFgONRv9qkxdawL";
const RID: u64 = 4_000_000;
/// The JID the scripted server binds.
const JID: &str = "user@example.com/web";
/// RFC 5802 §5: the server-first-message answering [`NONCE`].
const SERVER_FIRST: &str = "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096";

fn config(mechanisms: &[Mechanism]) -> ConnectionConfig {
    let mut config = ConnectionConfig::new("http://127.0.0.1:5280/http-bind", Jid::parse("user@example.com").unwrap(), "pencil");
    config.resource = Some("web".into());
    config.mechanisms = mechanisms.to_vec();
    config
}

/// A started connection whose server is played by the test.
fn start(config: ConnectionConfig) -> Scripted<Connection> {
    let randomness = Randomness { client_nonce: NONCE.into(), initial_rid: RID };
    Scripted::start(Connection::new(config, randomness), |c, now| c.start(now))
}

/// A connection logged in with PLAIN, its online event checked and taken; the idle long-poll is in flight.
fn online_plain() -> Scripted<Connection> {
    let mut h = start(config(&[Mechanism::Plain]));
    h.login_plain(JID);
    assert_eq!(h.take_events(), [online(JID)]);
    h
}

/// A pipelining connection with a room join sent before login, authenticated with PLAIN; the
/// restart body is in flight.
fn pipelined_with_held_join() -> Scripted<Connection> {
    let mut cfg = config(&[Mechanism::Plain]);
    cfg.pipelining = true;
    let mut h = start(cfg);
    h.core.send(Element::new("presence", ns::CLIENT).attr("to", "room@conference.example.com/me"));
    h.authenticate_plain();
    h
}

fn online(jid: &str) -> ConnectionEvent {
    ConnectionEvent::Online { jid: Jid::parse(jid).unwrap() }
}

/// The names of the elements a body carries, in order.
fn names(body: &Element) -> Vec<&str> {
    payload(body).iter().map(|e| e.name.as_str()).collect()
}

fn groupchat(text: &str) -> Element {
    Element::new("message", ns::CLIENT)
        .attr("to", "room@conference.example.com")
        .attr("type", "groupchat")
        .child(Element::new("body", ns::CLIENT).text(text))
}

#[test]
fn plain_login_takes_four_round_trips_and_releases_held_stanzas() {
    let mut h = start(config(&Mechanism::PREFERENCE));
    h.core.send(groupchat("held"));

    let (create, body) = h.take_only();
    assert_eq!(body.get_attr("rid"), Some("4000000"));
    assert_eq!(body.get_attr("to"), Some("example.com"));
    h.reply(&create, &creation(&["PLAIN"]));

    let (auth, body) = h.take_only();
    assert_eq!(body.get_attr("sid"), Some("s1"));
    let [auth_element] = payload(&body)[..] else { panic!("one element") };
    assert!(auth_element.is("auth", ns::SASL));
    assert_eq!(auth_element.get_attr("mechanism"), Some("PLAIN"));
    assert_eq!(Base64::decode_vec(&auth_element.text_content()).unwrap(), b"\0user\0pencil");
    h.reply(&auth, &sasl_success());

    let (restart, body) = h.take_only();
    assert_eq!(body.get_attr("xmpp:restart"), Some("true"));
    assert!(payload(&body).is_empty(), "XEP-0206: the restart body is empty");
    h.reply(&restart, &features(BIND_FEATURES));

    let (bind, body) = h.take_only();
    let [iq] = payload(&body)[..] else { panic!("one element") };
    assert_eq!(iq.get_attr("type"), Some("set"));
    assert_eq!(iq.find("bind", ns::BIND).unwrap().child_text("resource", ns::BIND).as_deref(), Some("web"));
    assert!(h.take_events().is_empty(), "not online before the bind result");
    h.reply(&bind, &bind_result(JID));

    assert_eq!(h.take_events(), [online(JID)]);
    assert_eq!(h.sent.len(), 5, "create, auth, restart, bind, then the held stanza");
    assert_eq!(h.core.jid().map(ToString::to_string).as_deref(), Some(JID));
    let (held, body) = h.take_only();
    assert_eq!(payload(&body)[0].child_text("body", ns::CLIENT).as_deref(), Some("held"));

    // The server answers; then the connection keeps one long-poll open.
    h.reply(&held, &wrap("<message xmlns='jabber:client' from='room@conference.example.com/agent' type='groupchat'><body>hi</body></message>"));
    let [ConnectionEvent::Stanza(message)] = &h.take_events()[..] else { panic!("one stanza") };
    assert_eq!(message.child_text("body", ns::CLIENT).as_deref(), Some("hi"));
    let (_poll, body) = h.take_only();
    assert!(payload(&body).is_empty(), "an idle long-poll");
}

#[test]
fn stanzas_batch_while_both_slots_are_busy_and_answers_may_come_on_the_held_request() {
    let mut h = online_plain();
    let (poll, _) = h.peek_only();

    h.core.send(groupchat("one"));
    h.drain();
    // "one" waits until the fresh long-poll has had time to reach the server first.
    assert_eq!(h.in_flight.len(), 1);
    h.advance_to_timeout();
    assert_eq!(h.in_flight.len(), 2);
    h.core.send(groupchat("two"));
    h.core.send(groupchat("three"));
    h.drain();
    assert_eq!(h.in_flight.len(), 2, "no third request");

    // Prosody answers the older, held request with the reflection of "one" and holds the newer.
    let reflected = "<message xmlns='jabber:client' from='room@conference.example.com/me' type='groupchat'><body>one</body></message>";
    h.reply(&poll, &wrap(reflected));
    assert!(matches!(&h.take_events()[..], [ConnectionEvent::Stanza(m)] if m.child_text("body", ns::CLIENT).as_deref() == Some("one")));
    let (_one, _) = h.take_oldest();
    let (_batch, body) = h.take_oldest();
    let texts: Vec<_> = payload(&body).iter().map(|m| m.child_text("body", ns::CLIENT).unwrap()).collect();
    assert_eq!(texts, ["two", "three"], "queued stanzas travel in one body");
}

#[test]
fn scram_sha1_login_takes_five_round_trips_and_checks_the_server() {
    let mut h = start(config(&Mechanism::PREFERENCE));
    h.answer_only(&creation(&["PLAIN", "SCRAM-SHA-1"]));
    // RFC 5802 §5 exchange.
    let auth = h.answer_only(&sasl("challenge", SERVER_FIRST));
    let auth_element = payload(&auth)[0];
    assert_eq!(auth_element.get_attr("mechanism"), Some("SCRAM-SHA-1"), "SCRAM is preferred over PLAIN");
    assert_eq!(Base64::decode_vec(&auth_element.text_content()).unwrap(), format!("n,,n=user,r={NONCE}").as_bytes());
    let response = h.answer_only(&sasl("success", "v=rmF9pqV8S7suAoZWja4dJRkFsKQ="));
    assert_eq!(
        Base64::decode_vec(&payload(&response)[0].text_content()).unwrap(),
        b"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="
    );
    h.bind(JID);
    assert_eq!(h.take_events(), [online(JID)]);
    assert_eq!(h.sent.len(), 5 + 1, "create, auth, SCRAM response, restart, bind; then the idle long-poll");
}

#[test]
fn a_server_that_cannot_prove_the_password_is_refused() {
    let mut h = start(config(&[Mechanism::ScramSha1]));
    h.answer_only(&creation(&["SCRAM-SHA-1"]));
    h.answer_only(&sasl("challenge", SERVER_FIRST));
    h.answer_only(&sasl("success", "v=AAAAAAAAAAAAAAAAAAAAAAAAAAA="));
    assert_eq!(
        h.take_events(),
        [ConnectionEvent::Disconnected(Some(ConnectionError::Sasl(SaslError::ServerSignatureMismatch)))]
    );
    let (_, body) = h.take_only();
    assert_eq!(body.get_attr("type"), Some("terminate"), "the BOSH session is ended");
}

#[test]
fn sasl_failures_are_typed() {
    let mut h = start(config(&[Mechanism::Plain]));
    h.answer_only(&creation(&["PLAIN"]));
    h.answer_only(&wrap(
        "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/><text>Invalid username or password</text></failure>",
    ));
    assert_eq!(
        h.take_events(),
        [ConnectionEvent::Disconnected(Some(ConnectionError::Sasl(SaslError::Failure {
            condition: SaslCondition::NotAuthorized,
            text: Some("Invalid username or password".into())
        })))]
    );

    let mut h = start(config(&[Mechanism::ScramSha256]));
    h.answer_only(&creation(&["PLAIN", "SCRAM-SHA-1"]));
    assert_eq!(
        h.take_events(),
        [ConnectionEvent::Disconnected(Some(ConnectionError::Sasl(SaslError::NoAcceptableMechanism(vec![
            "PLAIN".into(),
            "SCRAM-SHA-1".into()
        ]))))]
    );
}

#[test]
fn a_required_legacy_session_is_established_before_online() {
    let mut h = start(config(&[Mechanism::Plain]));
    h.authenticate_plain();
    h.answer_only(&features("<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/>"));
    h.answer_only(&bind_result(JID));
    assert!(h.take_events().is_empty());
    let (session, body) = h.take_only();
    let iq = payload(&body)[0];
    assert!(iq.find("session", ns::SESSION).is_some());
    let id = iq.get_attr("id").unwrap().to_owned();
    h.reply(&session, &wrap(&format!("<iq xmlns='jabber:client' type='result' id='{id}'/>")));
    assert_eq!(h.take_events(), [online(JID)]);
}

#[test]
fn pipelining_puts_bind_and_held_stanzas_in_the_restart_body() {
    let mut h = pipelined_with_held_join();
    let (restart, body) = h.take_only();
    assert_eq!(body.get_attr("xmpp:restart"), Some("true"));
    assert_eq!(names(&body), ["iq", "presence"], "bind first, then the held join");
    let answer = format!(
        "<body xmlns='http://jabber.org/protocol/httpbind' xmlns:stream='http://etherx.jabber.org/streams'>\
         <stream:features>{BIND_FEATURES}</stream:features>\
         <iq xmlns='jabber:client' type='result' id='bind_1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>{JID}</jid></bind></iq>\
         <presence xmlns='jabber:client' from='room@conference.example.com/me'/></body>"
    );
    h.reply(&restart, &answer);
    let events = h.take_events();
    assert_eq!(events[0], online(JID));
    assert!(matches!(&events[1], ConnectionEvent::Stanza(p) if p.name == "presence"));
    assert_eq!(h.sent.len(), 3 + 1, "create, auth, restart+bind+join; then the idle long-poll");
}

#[test]
fn a_pipelined_bind_the_server_dropped_is_sent_again() {
    // ejabberd follows XEP-0206 §5: it drops what rides in the restart body and answers with the
    // features alone. The bind and the held join go again, in order; nothing hangs.
    let mut h = pipelined_with_held_join();
    let restart = h.answer_only(&features(BIND_FEATURES));
    assert_eq!(payload(&restart).len(), 2, "bind and join ride in the restart body");

    let again = h.answer_only(&bind_result(JID));
    assert_eq!(names(&again), ["iq", "presence"], "bind first, then the held join, once more");
    assert_eq!(payload(&again)[0].get_attr("id"), Some("bind_1"));
    assert_eq!(h.take_events(), [online(JID)]);
    let (_poll, body) = h.take_only();
    assert!(payload(&body).is_empty(), "nothing is sent a third time");
}

#[test]
fn stream_errors_are_typed() {
    let mut h = online_plain();
    let (poll, _) = h.take_only();
    h.reply(
        &poll,
        "<body type='terminate' condition='remote-stream-error' xmlns='http://jabber.org/protocol/httpbind' \
         xmlns:stream='http://etherx.jabber.org/streams'><stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>\
         <text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>Replaced by new connection</text></stream:error></body>",
    );
    let [ConnectionEvent::Disconnected(Some(ConnectionError::Stream(error)))] = &h.take_events()[..] else {
        panic!("a stream error")
    };
    assert_eq!(error.condition, StreamCondition::Conflict);
    assert_eq!(error.text.as_deref(), Some("Replaced by new connection"));
    assert!(h.core.poll_transmit(h.now).is_none(), "the session is over");
}

#[test]
fn bind_refusal_is_typed() {
    let mut h = start(config(&[Mechanism::Plain]));
    h.authenticate_plain();
    h.answer_only(&features(BIND_FEATURES));
    h.answer_only(&wrap(
        "<iq xmlns='jabber:client' type='error' id='bind_1'><error type='cancel'>\
         <not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
    ));
    let [ConnectionEvent::Disconnected(Some(ConnectionError::Bind(error)))] = &h.take_events()[..] else {
        panic!("a bind error")
    };
    assert_eq!(error.condition, "not-allowed");
}

#[test]
fn missing_bind_feature_is_an_error() {
    let mut h = start(config(&[Mechanism::Plain]));
    h.authenticate_plain();
    h.answer_only(&features(""));
    assert_eq!(h.take_events(), [ConnectionEvent::Disconnected(Some(ConnectionError::MissingFeature("resource binding")))]);
}

#[test]
fn a_transport_error_resends_the_same_rid_and_payload() {
    let mut h = start(config(&[Mechanism::Plain]));
    h.answer_only(&creation(&["PLAIN"]));
    let (auth, _) = h.take_only();
    h.result(&auth, Err(TransportError::Network("connection reset".into())));
    assert!(h.in_flight.is_empty(), "the resend waits for its backoff");
    h.advance_to_timeout();
    let (again, _) = h.take_only();
    assert_eq!(again.body, auth.body);
    assert_ne!(again.id, auth.id);
    h.reply(&again, &sasl_success());
    let restart = h.answer_only(&features(BIND_FEATURES));
    assert_eq!(restart.get_attr("xmpp:restart"), Some("true"));
    h.answer_only(&bind_result(JID));
    assert_eq!(h.take_events(), [online(JID)]);
}

#[test]
fn http_404_means_the_session_is_lost() {
    let mut h = online_plain();
    let (poll, _) = h.take_only();
    h.result(&poll, not_found());
    assert_eq!(
        h.take_events(),
        [ConnectionEvent::Disconnected(Some(ConnectionError::Bosh(BoshError::Terminated(TerminateCondition::ItemNotFound))))]
    );
}

#[test]
fn stop_sends_unavailable_presence_in_the_terminate_body() {
    let mut h = online_plain();
    let (poll, _) = h.peek_only();
    h.core.stop(h.now);
    h.drain();
    h.core.send(groupchat("after stop"));
    h.drain();
    // The terminate waits until the fresh long-poll has had time to reach the server first.
    assert_eq!(h.in_flight.len(), 1);
    h.advance_to_timeout();
    assert_eq!(h.in_flight.len(), 2);
    let (terminate, body) = h.take_newest();
    assert_eq!(body.get_attr("type"), Some("terminate"));
    let [presence] = payload(&body)[..] else { panic!("one element") };
    assert!(presence.is("presence", ns::CLIENT));
    assert_eq!(presence.get_attr("type"), Some("unavailable"));
    h.reply(&poll, TERMINATE);
    h.reply(&terminate, TERMINATE);
    assert_eq!(h.take_events(), [ConnectionEvent::Disconnected(None)]);
    assert!(h.core.poll_transmit(h.now).is_none());
}
