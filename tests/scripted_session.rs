//! The session glue against a scripted server on simulated time: stanzas between chat and
//! connection, event order, disconnect and reconnect with rejoin, clean stop.

mod support;

use exochat::core::bosh::{BoshError, TerminateCondition};
use exochat::core::chat::{ChatEvent, JoinError};
use exochat::core::connection::{ConnectionConfig, ConnectionError, Randomness};
use exochat::core::jid::Jid;
use exochat::core::muc::HistoryRequest;
use exochat::core::ns;
use exochat::core::session::{Session, SessionEvent};
use exochat::core::xml::Element;
use support::scripted::{not_found, payload, wrap, Scripted, TERMINATE};

const ME: &str = "customer@example.com/web";

fn room() -> Jid {
    Jid::parse("room@conference.example.com").unwrap()
}

fn randomness(rid: u64) -> Randomness {
    Randomness { client_nonce: "0123456789abcdef".into(), initial_rid: rid }
}

/// A session with a join queued before it starts, as `startChat` does.
fn start_with_join() -> Scripted<Session> {
    let mut config = ConnectionConfig::new("http://127.0.0.1:5280/http-bind", Jid::parse("customer@example.com").unwrap(), "pw");
    config.resource = Some("web".into());
    let session = Session::new(config, randomness(1000), "c1".into());
    Scripted::start(session, |s, now| {
        s.chat_mut().join(now, &room(), "Customer", HistoryRequest::none()).unwrap();
        s.start(now);
    })
}

/// The room's answer to our join: the agent's presence, then ours with status 110.
fn joined(room: &str) -> String {
    wrap(&format!(
        "<presence xmlns='jabber:client' from='{room}/Agent' to='{ME}'>\
         <x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='owner' role='moderator'/></x></presence>\
         <presence xmlns='jabber:client' from='{room}/Customer' to='{ME}'>\
         <x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' role='participant'/><status code='110'/></x></presence>"
    ))
}

fn is_join_presence(e: &Element, room: &str) -> bool {
    e.is("presence", ns::CLIENT) && e.get_attr("to") == Some(&format!("{room}/Customer")) && e.find("x", ns::MUC).is_some()
}

/// Logs in and completes the queued join; returns with the idle long-poll in flight.
fn online_and_joined() -> Scripted<Session> {
    let mut s = start_with_join();
    s.login_plain(ME);
    let (join, _) = s.take_only();
    s.reply(&join, &joined("room@conference.example.com"));
    s.take_events();
    s
}

#[test]
fn a_join_queued_before_start_follows_the_bind_and_events_come_in_order() {
    let mut s = start_with_join();
    s.login_plain(ME);
    assert_eq!(s.take_events(), [SessionEvent::Online { jid: Jid::parse(ME).unwrap() }]);
    let (join, body) = s.take_only();
    assert!(is_join_presence(payload(&body)[0], "room@conference.example.com"));
    s.reply(&join, &joined("room@conference.example.com"));
    let events = s.take_events();
    let [SessionEvent::Chat(ChatEvent::RoomJoined { room: r, nick, occupants })] = &events[..] else {
        panic!("{events:#?}")
    };
    assert_eq!((r, nick.as_str(), occupants.len()), (&room(), "Customer", 2));
    assert_eq!(s.core.chat().own_jid().map(ToString::to_string).as_deref(), Some(ME), "the chat learnt the bound JID");

    // An agent message asking for a receipt: the chat reports it and acknowledges it by itself,
    // and the glue sends that receipt at once.
    let (poll, _) = s.take_only();
    s.reply(
        &poll,
        &wrap(&format!(
            "<message xmlns='jabber:client' from='room@conference.example.com/Agent' to='{ME}' type='groupchat' id='m1'>\
             <body>How can I help?</body><request xmlns='urn:xmpp:receipts'/></message>"
        )),
    );
    let events = s.take_events();
    assert!(matches!(&events[0], SessionEvent::Chat(ChatEvent::Message(m)) if m.body == "How can I help?" && m.msgid == "m1"));
    assert!(matches!(&events[1], SessionEvent::Chat(ChatEvent::ReceiptSent { msgid, .. }) if msgid == "m1"));
    let (_, body) = s.take_only();
    let receipt = payload(&body)[0].find("received", ns::RECEIPTS).expect("the receipt is sent");
    assert_eq!(receipt.get_attr("id"), Some("m1"));
}

#[test]
fn a_lost_connection_fails_joins_in_progress_and_reconnect_rejoins() {
    let mut s = online_and_joined();
    let other = Jid::parse("other@conference.example.com").unwrap();
    s.act(|s, now| s.chat_mut().join(now, &other, "Customer", HistoryRequest::none())).unwrap();
    let (poll, _) = s.take_oldest();
    s.result(&poll, not_found());
    let events = s.take_events();
    assert_eq!(
        events,
        [
            SessionEvent::Chat(ChatEvent::JoinFailed { room: other, error: JoinError::Disconnected }),
            SessionEvent::Disconnected(Some(ConnectionError::Bosh(BoshError::Terminated(TerminateCondition::ItemNotFound)))),
        ],
        "chat failures first, then the disconnection"
    );
    assert!(s.core.connection().is_ended());

    s.in_flight.clear();
    s.act(|s, now| s.reconnect(now, randomness(5000)));
    let (_, body) = s.peek_only();
    assert_eq!(body.get_attr("rid"), Some("5000"), "a new BOSH session with the new rid");
    s.login_plain(ME);
    assert_eq!(s.take_events(), [SessionEvent::Online { jid: Jid::parse(ME).unwrap() }]);
    let (rejoin, body) = s.take_only();
    assert!(is_join_presence(payload(&body)[0], "room@conference.example.com"), "the lost room is joined again");
    s.reply(&rejoin, &joined("room@conference.example.com"));
    assert!(matches!(&s.take_events()[..], [SessionEvent::Chat(ChatEvent::RoomJoined { .. })]));
}

#[test]
fn stop_sends_queued_chat_stanzas_before_the_unavailable_presence() {
    let mut s = online_and_joined();
    s.act(|s, now| {
        s.chat_mut().send_message(&room(), "bye", "normal_text_msg", &[]).unwrap();
        s.stop(now);
    });
    // The terminate waits until the fresh long-poll has had time to reach the server first.
    s.advance_to_timeout();
    let (terminate, body) = s.take_newest();
    assert_eq!(body.get_attr("type"), Some("terminate"));
    let names: Vec<_> = payload(&body).iter().map(|e| (e.name.clone(), e.get_attr("type").map(str::to_owned))).collect();
    assert_eq!(
        names,
        [("message".to_owned(), Some("groupchat".to_owned())), ("presence".to_owned(), Some("unavailable".to_owned()))]
    );
    s.reply(&terminate, TERMINATE);
    let (poll, _) = s.take_only();
    s.reply(&poll, TERMINATE);
    let events = s.take_events();
    assert_eq!(events.last(), Some(&SessionEvent::Disconnected(None)));
}
