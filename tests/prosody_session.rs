//! `Session` (connection + chat) against a real Prosody: logins with each mechanism, typed failures
//! (SASL, stream conflict), two sessions exchanging text, chat states, receipts, markers and a
//! file, an HTTP upload through a slot, a taken nick and history replay, clean logouts, and the
//! BOSH round trips from session creation to room joined. The flows ejabberd runs too are in
//! `support/server.rs`.

mod support;

use exochat::core::chat::ChatEvent;
use exochat::core::connection::{ConnectionError, StreamCondition};
use exochat::core::message::Sender;
use exochat::core::muc::HistoryRequest;
use exochat::core::sasl::Mechanism;
use exochat_service::xmpp::{XmppKind, XmppServer};
use support::server::{self, chat_event, config, logout, new_room, session, started, wait_disconnected, wait_joined, wait_online, PASSWORD};

fn prosody() -> XmppServer {
    XmppServer::start(XmppKind::Prosody).unwrap()
}

#[test]
fn plain_and_scram_sha1_logins_bind_a_resource() {
    // Prosody offers no SCRAM-SHA-256: the preference falls back to SCRAM-SHA-1.
    server::logins_bind_a_resource(&prosody(), &[(&[Mechanism::Plain], "PLAIN"), (&Mechanism::PREFERENCE, "SCRAM-SHA-1")]);
}

#[test]
fn wrong_password_is_not_authorized() {
    server::a_wrong_password_is_not_authorized(&prosody(), &[Mechanism::Plain, Mechanism::ScramSha1]);
}

#[test]
fn a_second_login_with_the_same_resource_replaces_the_first_with_a_conflict() {
    let prosody = prosody();
    prosody.register("carol", PASSWORD).unwrap();
    let login = || {
        let mut config = config(&prosody, "carol", PASSWORD, &[Mechanism::Plain]);
        config.resource = Some("web".into());
        let mut driver = session(config);
        driver.act(|s, now| s.start(now));
        wait_online(&mut driver);
        driver
    };
    let mut first = login();
    let mut second = login();
    let Some(ConnectionError::Stream(error)) = wait_disconnected(&mut first) else { panic!("expected a stream error") };
    assert_eq!(error.condition, StreamCondition::Conflict);
    logout(&mut second);
}

#[test]
fn two_sessions_exchange_text_states_receipts_markers_and_files() {
    server::two_sessions_exchange_text_states_receipts_markers_and_files(&prosody());
}

#[test]
fn a_file_goes_up_through_a_slot_and_comes_back_the_same() {
    let prosody = prosody();
    let (slot, allowed_origin) = server::a_file_goes_up_through_a_slot_and_comes_back_the_same(&prosody);
    // Prosody's slots carry a bearer token the PUT must send; its CORS answer names the page.
    assert!(slot.put_headers.iter().any(|(name, _)| name == "Authorization"), "{slot:?}");
    assert_eq!(allowed_origin, server::UPLOAD_PAGE_ORIGIN);
}

#[test]
fn a_taken_nick_gets_a_suffix_and_history_is_not_repeated() {
    let prosody = prosody();
    let room = new_room(&prosody, "nick");
    let mut first = started(&prosody, "first", &[Mechanism::Plain]);
    first.act(|s, now| s.chat_mut().join(now, &room, "Sam", HistoryRequest::default())).unwrap();
    wait_joined(&mut first, &room);
    first.act(|s, _| s.chat_mut().send_message(&room, "before you came", "normal_text_msg", &[])).unwrap();
    chat_event(&mut first, "reflected", |c| matches!(c, ChatEvent::Message(_)));

    let mut second = started(&prosody, "second", &[Mechanism::Plain]);
    second.act(|s, now| s.chat_mut().join(now, &room, "Sam", HistoryRequest::default())).unwrap();
    assert_eq!(wait_joined(&mut second, &room).0, "Sam-2");
    // The history replay carries the message once, with its original time.
    let ChatEvent::Message(old) = chat_event(&mut second, "history", |c| matches!(c, ChatEvent::Message(_))) else { unreachable!() };
    assert_eq!((old.body.as_str(), old.nick.as_str(), old.sender), ("before you came", "Sam", Sender::Agent));
    // Asking for the same history again (a rejoin) repeats nothing; the others see the leave.
    second.act(|s, now| {
        s.chat_mut().leave(&room);
        s.chat_mut().join(now, &room, "Sam-2", HistoryRequest::default()).unwrap();
    });
    chat_event(&mut first, "Sam-2 leaving", |c| matches!(c, ChatEvent::OccupantLeft { occupant, .. } if occupant.nick == "Sam-2"));
    wait_joined(&mut second, &room);
    first.act(|s, _| s.chat_mut().send_message(&room, "after", "normal_text_msg", &[])).unwrap();
    let ChatEvent::Message(next) = chat_event(&mut second, "next live message", |c| matches!(c, ChatEvent::Message(_))) else {
        unreachable!()
    };
    assert_eq!(next.body, "after", "the replayed history was dropped as already seen");
}

#[test]
fn round_trips_from_session_creation_to_room_joined() {
    let measured = server::round_trips_to_joined(&prosody(), &[Mechanism::Plain, Mechanism::ScramSha1]);
    let [plain, plain_pipelined, scram, scram_pipelined] = measured[..] else { unreachable!() };
    let report = format!(
        "BOSH round trips from session creation to room joined on Prosody: PLAIN {plain}, SCRAM-SHA-1 {scram}; \
         with the restart pipelined: PLAIN {plain_pipelined}, SCRAM-SHA-1 {scram_pipelined}"
    );
    // The floor: create, auth (+1 SCRAM), restart, bind, join; pipelining folds bind and join
    // into the restart body.
    assert_eq!((plain, scram, plain_pipelined, scram_pipelined), (5, 6, 3, 4), "{report}");
}
