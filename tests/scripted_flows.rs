//! The Promise methods' operations pending on a session ([`exochat::core::flows`]) against a
//! scripted server on simulated time: how each ends, in which order with the session's events,
//! and what a session dropped early settles.

mod support;

use exochat::core::chat::ChatEvent;
use exochat::core::connection::{ConnectionConfig, Randomness};
use exochat::core::flows::{Code, Outcome, Start, Then};
use exochat::core::jid::Jid;
use exochat::core::json::Value;
use exochat::core::session::{Session, SessionEvent};
use support::scripted::{payload, wrap, Scripted, TERMINATE};

const ME: &str = "customer@example.com/web";
const ROOM: &str = "room@conference.example.com";

fn session() -> Session {
    let mut config = ConnectionConfig::new("http://127.0.0.1:5280/http-bind", Jid::parse("customer@example.com").unwrap(), "pw");
    config.resource = Some("web".into());
    Session::new(config, Randomness { client_nonce: "0123456789abcdef".into(), initial_rid: 1000 }, "c1".into())
}

fn start() -> Start {
    Start { room_jid: ROOM.into(), customer_jid: "customer@example.com".into(), export_transcript_allowed: true }
}

/// Logs in with `startChat`'s join (Promise 7) asked first; returns with the join in flight.
fn joining(start: Option<Start>) -> Scripted<Session> {
    let mut s = Scripted::start(session(), |s, now| {
        s.start(now);
        s.join_for(now, 7, "startChat", &Jid::parse(ROOM).unwrap(), "Customer", start);
    });
    s.login_plain(ME);
    s.take_events();
    s
}

fn settled(events: &[SessionEvent]) -> Vec<(u64, Outcome)> {
    let mut found = Vec::new();
    for event in events {
        if let SessionEvent::Settled { promise, outcome } = event {
            found.push((*promise, outcome.clone()));
        }
    }
    found
}

#[test]
fn a_join_resolves_with_the_room_object_just_before_the_room_joined_event() {
    let mut s = joining(Some(start()));
    let (join, _) = s.take_only();
    s.reply(
        &join,
        &wrap(&format!(
            "<presence xmlns='jabber:client' from='{ROOM}/Customer' to='{ME}'>\
             <x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' role='participant'/><status code='110'/></x></presence>"
        )),
    );
    let events = s.take_events();
    let [SessionEvent::Settled { promise: 7, outcome: Outcome::Room(room) }, SessionEvent::Chat(ChatEvent::RoomJoined { .. })] = &events[..] else {
        panic!("{events:#?}")
    };
    let keys: Vec<&str> = room.as_object().unwrap().iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["exportTranscriptAllowed", "jid", "nick", "occupants"]);
    assert_eq!(room.get("exportTranscriptAllowed"), Some(&Value::Bool(true)));
    assert_eq!(room.get("nick").and_then(Value::as_str), Some("Customer"));
}

#[test]
fn a_refused_start_chat_join_rejects_with_the_provisioned_jids_and_stops_the_session() {
    let mut s = joining(Some(start()));
    let (join, _) = s.take_only();
    s.reply(
        &join,
        &wrap(&format!(
            "<presence xmlns='jabber:client' from='{ROOM}/Customer' type='error'><error type='auth'>\
             <forbidden xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>"
        )),
    );
    let found = settled(&s.take_events());
    let [(7, Outcome::StartFailed { message, room_jid, customer_jid })] = &found[..] else { panic!("{found:#?}") };
    assert!(message.starts_with("exoChat.startChat: the room refused the join"), "{message}");
    assert_eq!((room_jid.as_str(), customer_jid.as_str()), (ROOM, "customer@example.com"));
    // The session stops: its unavailable presence goes in the terminate body.
    let (_, body) = s.take_newest();
    assert_eq!(body.get_attr("type"), Some("terminate"));
    assert_eq!(payload(&body)[0].get_attr("type"), Some("unavailable"));
}

#[test]
fn a_join_of_join_room_rejects_with_join_failed_when_the_session_closes() {
    let mut s = Scripted::start(session(), |s, now| s.start(now));
    s.login_plain(ME);
    s.act(|s, now| s.join_for(now, 3, "joinRoom", &Jid::parse(ROOM).unwrap(), "Customer", None));
    s.act(|s, now| s.close_for(now, 4));
    s.advance_to_timeout();
    let (terminate, _) = s.take_newest();
    s.reply(&terminate, TERMINATE);
    let (poll, _) = s.take_only();
    s.reply(&poll, TERMINATE);
    let events = s.take_events();
    assert_eq!(
        settled(&events),
        [
            (3, Outcome::Error(Code::JoinFailed, "exoChat.joinRoom: the session was closed".into())),
            (4, Outcome::Done),
        ]
    );
    assert_eq!(events.last(), Some(&SessionEvent::Disconnected(None)), "the settlements come before the event that ended them");
}

#[test]
fn a_query_left_pending_by_a_dropped_session_resolves_null_with_the_reason() {
    let mut s = Scripted::start(session(), |s, now| s.start(now));
    s.login_plain(ME);
    s.act(|s, now| s.query_for(now, 9, Then::UploadJid));
    assert_eq!(
        settled(&s.core.abandon()),
        [(9, Outcome::Null { method: "discoverFileUploadJid", why: "upload service discovery failed: the connection closed".into() })]
    );
}
