//! `Session` (connection + chat) against a real Prosody: two sessions meet in a room and exchange
//! text, chat states, receipts, markers and a file; each sees exactly what the other sent; both
//! log out cleanly. Also counts the BOSH round trips from session creation to room joined.

mod support;

use std::time::Duration;

use exochat::core::chat::{ChatEvent, MessageStatus};
use exochat::core::chatstates::ChatState;
use exochat::core::connection::{ConnectionConfig, Randomness};
use exochat::core::jid::Jid;
use exochat::core::markers::MarkerKind;
use exochat::core::message::{FileRef, MessageObject, Sender};
use exochat::core::muc::HistoryRequest;
use exochat::core::sasl::Mechanism;
use exochat::core::session::{Session, SessionEvent};
use exochat_service::prosody::Prosody;
use support::Driver;

const TIMEOUT: Duration = Duration::from_secs(10);

fn session(prosody: &Prosody, user: &str, mechanisms: &[Mechanism], pipelining: bool) -> Driver<Session> {
    prosody.register(user, "secret").unwrap();
    let jid = Jid::parse(&format!("{user}@{}", prosody.host())).unwrap();
    let mut config = ConnectionConfig::new(&prosody.bosh_url(), jid, "secret");
    config.mechanisms = mechanisms.to_vec();
    config.pipelining = pipelining;
    let t = support::now().0;
    let randomness = Randomness { client_nonce: format!("{t:016x}{user}nonce"), initial_rid: t * 7919 };
    let mut driver = Driver::new(Session::new(config, randomness, format!("{user}-{t:x}")));
    driver.act(|s, now| s.start(now));
    driver
}

fn room(prosody: &Prosody) -> Jid {
    Jid::parse(&format!("support@{}", prosody.muc_host())).unwrap()
}

fn chat_event(driver: &mut Driver<Session>, what: &str, matches: impl Fn(&ChatEvent) -> bool) -> ChatEvent {
    match driver.wait_for(what, TIMEOUT, |e| matches!(e, SessionEvent::Chat(c) if matches(c))) {
        SessionEvent::Chat(c) => c,
        other => unreachable!("{other:?}"),
    }
}

/// Joins `room` as `nick` and waits until joined; returns the index of the joined event.
fn join(driver: &mut Driver<Session>, room: &Jid, nick: &str) -> usize {
    driver.act(|s, now| s.chat_mut().join(now, room, nick, HistoryRequest::none())).unwrap();
    let (index, _) = driver.wait_for_indexed("room joined", TIMEOUT, |e| {
        matches!(e, SessionEvent::Chat(ChatEvent::RoomJoined { room: r, .. }) if r == room)
    });
    index
}

fn messages(driver: &Driver<Session>) -> Vec<MessageObject> {
    driver
        .events
        .iter()
        .filter_map(|e| match e {
            SessionEvent::Chat(ChatEvent::Message(m)) => Some((**m).clone()),
            _ => None,
        })
        .collect()
}

fn logout(driver: &mut Driver<Session>) {
    driver.act(|s, now| s.stop(now));
    let end = driver.wait_for("disconnected", TIMEOUT, |e| matches!(e, SessionEvent::Disconnected(_)));
    assert_eq!(end, SessionEvent::Disconnected(None), "a clean logout");
    driver.wait_idle(TIMEOUT);
}

#[test]
fn two_sessions_exchange_text_states_receipts_markers_and_files() {
    let prosody = Prosody::start().unwrap();
    let room = room(&prosody);
    let mut agent = session(&prosody, "agent", &Mechanism::PREFERENCE, false);
    join(&mut agent, &room, "Agent");
    let mut customer = session(&prosody, "customer", &Mechanism::PREFERENCE, false);
    join(&mut customer, &room, "Customer");
    assert!(matches!(
        agent.wait_for("the customer's arrival", TIMEOUT, |e| matches!(e, SessionEvent::Chat(ChatEvent::OccupantJoined { .. }))),
        SessionEvent::Chat(ChatEvent::OccupantJoined { occupant, .. }) if occupant.nick == "Customer"
    ));

    // Text from the customer: the room reflects it (sent), the agent's chat acknowledges it on
    // its own (a receipt: delivered), the agent marks it displayed.
    let hello = customer.act(|s, _| s.chat_mut().send_message(&room, "Hello, I need help", "normal_text_msg", &[])).unwrap();
    let seen = chat_event(&mut agent, "the customer's text", |c| matches!(c, ChatEvent::Message(m) if m.msgid == hello));
    let ChatEvent::Message(m) = seen else { unreachable!() };
    assert_eq!((m.body.as_str(), m.nick.as_str(), m.sender), ("Hello, I need help", "Customer", Sender::Agent));
    assert_eq!(m.subtype.as_deref(), Some("normal_text_msg"));
    assert!(m.is_markable);
    for status in [MessageStatus::Sent, MessageStatus::Delivered] {
        chat_event(&mut customer, "status of the text", |c| {
            matches!(c, ChatEvent::MessageStatus { msgid, status: s, .. } if *msgid == hello && *s == status)
        });
    }
    assert!(agent.act(|s, _| s.chat_mut().send_marker(&room, &hello)).unwrap());
    chat_event(&mut customer, "the displayed marker", |c| {
        matches!(c, ChatEvent::Marker { msgid, kind: MarkerKind::Displayed, .. } if *msgid == hello)
    });
    chat_event(&mut customer, "displayed status", |c| {
        matches!(c, ChatEvent::MessageStatus { msgid, status: MessageStatus::Displayed, .. } if *msgid == hello)
    });

    // The agent types, then sends a file (XEP-0066 out-of-band data).
    assert!(agent.act(|s, _| s.chat_mut().send_chat_state(&room, ChatState::Composing)).unwrap());
    chat_event(&mut customer, "the agent typing", |c| {
        matches!(c, ChatEvent::ChatState { nick, state: ChatState::Composing, .. } if nick == "Agent")
    });
    let file = FileRef { url: format!("{}/upload/guide.pdf", prosody.bosh_url()), name: "guide.pdf".into() };
    let sent_file = agent.act(|s, _| s.chat_mut().send_message(&room, "", "media_msg", std::slice::from_ref(&file))).unwrap();
    let got = chat_event(&mut customer, "the agent's file", |c| matches!(c, ChatEvent::Message(m) if m.msgid == sent_file));
    let ChatEvent::Message(m) = got else { unreachable!() };
    assert_eq!(m.subtype.as_deref(), Some("media_msg"));
    assert_eq!(m.files.as_deref(), Some(std::slice::from_ref(&file)));
    assert_eq!((m.nick.as_str(), m.sender), ("Agent", Sender::Agent));
    // The room reflects the file to the agent; the customer's chat acknowledges it on its own,
    // which the agent hears of next (the reflection is queued for the agent first).
    chat_event(&mut agent, "the file's reflection", |c| {
        matches!(c, ChatEvent::MessageStatus { msgid, status: MessageStatus::Sent, .. } if *msgid == sent_file)
    });
    chat_event(&mut agent, "the customer's receipt", |c| matches!(c, ChatEvent::Receipt { msgid, .. } if *msgid == sent_file));

    // Each side saw exactly the two messages, once each, in order; receipts, markers and chat
    // states never came as messages.
    for (driver, own) in [(&customer, &hello), (&agent, &sent_file)] {
        let got: Vec<_> = messages(driver).into_iter().map(|m| (m.msgid, m.sender == Sender::Me)).collect();
        let expected = [(hello.clone(), own == &hello), (sent_file.clone(), own == &sent_file)];
        assert_eq!(got, expected);
    }

    logout(&mut customer);
    chat_event(&mut agent, "the customer leaving", |c| matches!(c, ChatEvent::OccupantLeft { occupant, .. } if occupant.nick == "Customer"));
    logout(&mut agent);
}

/// POSTs from session creation until the customer's `RoomJoined`, the join asked for before the
/// session starts (as `startChat` does), in a room where the agent already waits.
fn round_trips_to_joined(prosody: &Prosody, user: &str, mechanisms: &[Mechanism], pipelining: bool) -> usize {
    let room = room(prosody);
    prosody.register(user, "secret").unwrap();
    let jid = Jid::parse(&format!("{user}@{}", prosody.host())).unwrap();
    let mut config = ConnectionConfig::new(&prosody.bosh_url(), jid, "secret");
    config.mechanisms = mechanisms.to_vec();
    config.pipelining = pipelining;
    let t = support::now().0;
    let randomness = Randomness { client_nonce: format!("{t:016x}{user}nonce"), initial_rid: t };
    let mut driver = Driver::new(Session::new(config, randomness, format!("{user}-{t:x}")));
    driver.act(|s, now| {
        s.chat_mut().join(now, &room, user, HistoryRequest::none()).unwrap();
        s.start(now);
    });
    let (index, _) = driver.wait_for_indexed("room joined", TIMEOUT, |e| matches!(e, SessionEvent::Chat(ChatEvent::RoomJoined { .. })));
    let trips = driver.requests_before[index];
    logout(&mut driver);
    trips
}

#[test]
fn round_trips_from_session_creation_to_room_joined() {
    let prosody = Prosody::start().unwrap();
    let mut agent = session(&prosody, "agent", &[Mechanism::Plain], false);
    join(&mut agent, &room(&prosody), "Agent");
    let plain = round_trips_to_joined(&prosody, "c1", &[Mechanism::Plain], false);
    let scram = round_trips_to_joined(&prosody, "c2", &[Mechanism::ScramSha1], false);
    let plain_pipelined = round_trips_to_joined(&prosody, "c3", &[Mechanism::Plain], true);
    let scram_pipelined = round_trips_to_joined(&prosody, "c4", &[Mechanism::ScramSha1], true);
    let measured = format!(
        "BOSH round trips from session creation to room joined on Prosody: PLAIN {plain}, SCRAM-SHA-1 {scram}; \
         with the restart pipelined: PLAIN {plain_pipelined}, SCRAM-SHA-1 {scram_pipelined}"
    );
    // The floor: create, auth (+1 SCRAM), restart, bind, join; pipelining folds bind and join
    // into the restart body.
    assert_eq!((plain, scram, plain_pipelined, scram_pipelined), (5, 6, 3, 4), "{measured}");
    logout(&mut agent);
}
