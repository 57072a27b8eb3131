//! Sessions against a real XMPP server (Prosody or ejabberd, run by `exochat_service`): the helpers
//! every real-server test uses, and the flows that run the same on both servers (each server's
//! test file calls them, then adds what only that server does).

use std::time::Duration;

use exochat::core::chat::{ChatEvent, MessageStatus, QueryOutcome};
use exochat::core::chatstates::ChatState;
use exochat::core::connection::{ConnectionConfig, ConnectionError, Randomness};
use exochat::core::jid::Jid;
use exochat::core::markers::MarkerKind;
use exochat::core::message::{FileRef, MessageObject, Sender};
use exochat::core::muc::HistoryRequest;
use exochat::core::ns;
use exochat::core::sasl::{Mechanism, SaslCondition, SaslError};
use exochat::core::session::{Session, SessionEvent};
use exochat::core::upload::UploadSlot;
use exochat::core::xml::Element;
use exochat_service::xmpp::XmppServer;

use super::Driver;

/// How long anything a test waits for may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// The password of the accounts the helpers register.
pub const PASSWORD: &str = "secret";

/// The config of `user@localhost` on `server` with `password`, allowing `mechanisms`.
pub fn config(server: &XmppServer, user: &str, password: &str, mechanisms: &[Mechanism]) -> ConnectionConfig {
    let jid = Jid::parse(&format!("{user}@{}", server.host())).unwrap();
    let mut config = ConnectionConfig::new(&server.bosh_url(), jid, password);
    config.mechanisms = mechanisms.to_vec();
    config
}

/// A session with `config`, not started; its nonce, first rid and id prefix come from the clock.
pub fn session(config: ConnectionConfig) -> Driver<Session> {
    let user = config.jid.local().unwrap_or_default().to_owned();
    let t = super::now().0;
    let randomness = Randomness { client_nonce: format!("{t:016x}{user}nonce"), initial_rid: t * 7919 };
    Driver::new(Session::new(config, randomness, format!("{user}-{t:x}")))
}

/// `user`, registered with [`PASSWORD`], connecting with `mechanisms` allowed.
pub fn started(server: &XmppServer, user: &str, mechanisms: &[Mechanism]) -> Driver<Session> {
    server.register(user, PASSWORD).unwrap();
    let mut driver = session(config(server, user, PASSWORD, mechanisms));
    driver.act(|s, now| s.start(now));
    driver
}

/// Waits until the session is online and returns its full JID; panics if it ends first.
pub fn wait_online(driver: &mut Driver<Session>) -> Jid {
    let event = driver.wait_for("online or disconnected", TIMEOUT, |e| {
        matches!(e, SessionEvent::Online { .. } | SessionEvent::Disconnected(_))
    });
    match event {
        SessionEvent::Online { jid } => jid,
        other => panic!("expected online, got {other:?}"),
    }
}

/// Waits until the connection ends and returns why (`None`: a clean logout).
pub fn wait_disconnected(driver: &mut Driver<Session>) -> Option<ConnectionError> {
    match driver.wait_for("disconnected", TIMEOUT, |e| matches!(e, SessionEvent::Disconnected(_))) {
        SessionEvent::Disconnected(error) => error,
        other => unreachable!("{other:?}"),
    }
}

/// Logs out and waits until the session is over: a clean end, nothing left in flight.
pub fn logout(driver: &mut Driver<Session>) {
    driver.act(|s, now| s.stop(now));
    assert_eq!(wait_disconnected(driver), None, "a clean logout");
    driver.wait_idle(TIMEOUT);
}

/// The SASL mechanism the session authenticated with, read from the `<auth/>` it sent.
pub fn auth_mechanism(driver: &Driver<Session>) -> Option<String> {
    driver.sent.iter().find_map(|r| {
        let body = Element::parse(&r.body).ok()?;
        body.find("auth", ns::SASL).and_then(|a| a.get_attr("mechanism")).map(str::to_owned)
    })
}

/// A room nobody has entered yet: the first join creates it.
pub fn new_room(server: &XmppServer, name: &str) -> Jid {
    Jid::parse(&format!("{name}-{}@{}", super::now().0, server.muc_host())).unwrap()
}

/// Waits for the next chat event matching `matches`.
pub fn chat_event(driver: &mut Driver<Session>, what: &str, matches: impl Fn(&ChatEvent) -> bool) -> ChatEvent {
    match driver.wait_for(what, TIMEOUT, |e| matches!(e, SessionEvent::Chat(c) if matches(c))) {
        SessionEvent::Chat(c) => c,
        other => unreachable!("{other:?}"),
    }
}

/// Waits until `room` is joined; returns our nick there and every occupant's nick. Both servers
/// stamp XEP-0421 occupant ids (ejabberd with mod_muc_occupantid): every occupant has one.
pub fn wait_joined(driver: &mut Driver<Session>, room: &Jid) -> (String, Vec<String>) {
    let joined = chat_event(driver, "room joined", |c| matches!(c, ChatEvent::RoomJoined { room: r, .. } if r == room));
    let ChatEvent::RoomJoined { nick, occupants, .. } = joined else { unreachable!() };
    assert!(occupants.iter().all(|o| o.occupant_id.is_some()), "{occupants:?}");
    (nick, occupants.into_iter().map(|o| o.nick).collect())
}

/// Joins `room` as `nick` without history, waits until joined (with that nick), and returns the
/// occupants' nicks.
pub fn join(driver: &mut Driver<Session>, room: &Jid, nick: &str) -> Vec<String> {
    driver.act(|s, now| s.chat_mut().join(now, room, nick, HistoryRequest::none())).unwrap();
    let (joined_as, occupants) = wait_joined(driver, room);
    assert_eq!(joined_as, nick);
    occupants
}

/// Every message the session reported, in order.
pub fn messages(driver: &Driver<Session>) -> Vec<MessageObject> {
    driver
        .events
        .iter()
        .filter_map(|e| match e {
            SessionEvent::Chat(ChatEvent::Message(m)) => Some((**m).clone()),
            _ => None,
        })
        .collect()
}

/// Every status change of our message `msgid`, in order.
pub fn statuses(driver: &Driver<Session>, msgid: &str) -> Vec<MessageStatus> {
    driver
        .events
        .iter()
        .filter_map(|e| match e {
            SessionEvent::Chat(ChatEvent::MessageStatus { msgid: m, status, .. }) if m == msgid => Some(*status),
            _ => None,
        })
        .collect()
}

/// Logs in once per case, allowing the case's mechanisms: online as `alice@localhost/web` (the
/// resource asked for), authenticated with the case's expected mechanism, then a clean logout.
/// Then once without asking for a resource: the server picks one.
pub fn logins_bind_a_resource(server: &XmppServer, cases: &[(&[Mechanism], &str)]) {
    server.register("alice", PASSWORD).unwrap();
    let login = |resource: Option<&str>, mechanisms: &[Mechanism]| {
        let mut config = config(server, "alice", PASSWORD, mechanisms);
        config.resource = resource.map(str::to_owned);
        let mut driver = session(config);
        driver.act(|s, now| s.start(now));
        let jid = wait_online(&mut driver);
        (driver, jid)
    };
    for (mechanisms, expected) in cases {
        let (mut driver, jid) = login(Some("web"), mechanisms);
        assert_eq!(jid.to_string(), "alice@localhost/web", "with {expected}");
        assert_eq!(auth_mechanism(&driver).as_deref(), Some(*expected));
        logout(&mut driver);
    }
    let (mut driver, jid) = login(None, &Mechanism::PREFERENCE);
    assert_eq!((jid.bare().to_string(), jid.resource().is_some()), ("alice@localhost".to_owned(), true), "{jid}");
    logout(&mut driver);
}

/// A wrong password, with each of `mechanisms` alone, ends the session with a SASL
/// `not-authorized` failure, never online.
pub fn a_wrong_password_is_not_authorized(server: &XmppServer, mechanisms: &[Mechanism]) {
    server.register("mallory", "right").unwrap();
    for mechanism in mechanisms {
        let mut driver = session(config(server, "mallory", "wrong", &[*mechanism]));
        driver.act(|s, now| s.start(now));
        let end = wait_disconnected(&mut driver);
        let Some(ConnectionError::Sasl(SaslError::Failure { condition, .. })) = end else {
            panic!("{}: expected a SASL failure, got {end:?}", mechanism.name())
        };
        assert_eq!(condition, SaslCondition::NotAuthorized, "{}", mechanism.name());
        assert!(!driver.events.iter().any(|e| matches!(e, SessionEvent::Online { .. })));
    }
}

/// Two sessions, an agent and a customer, meet in a room the agent creates and exchange text,
/// chat states, receipts, markers and a file; each sees exactly what the other sent, once; the
/// customer's logout reaches the agent.
pub fn two_sessions_exchange_text_states_receipts_markers_and_files(server: &XmppServer) {
    let room = new_room(server, "support");
    let mut agent = started(server, "agent", &Mechanism::PREFERENCE);
    // The agent's `createRoom` creates the room. ejabberd answers 201 and holds it locked until
    // the chat's instant configuration is accepted; only then is the join complete.
    agent.act(|s, now| s.chat_mut().create_room(now, &room, "Agent")).unwrap();
    assert_eq!(wait_joined(&mut agent, &room), ("Agent".to_owned(), vec!["Agent".to_owned()]));
    let mut customer = started(server, "customer", &Mechanism::PREFERENCE);
    assert_eq!(join(&mut customer, &room, "Customer"), ["Agent", "Customer"]);
    assert!(matches!(
        chat_event(&mut agent, "the customer's arrival", |c| matches!(c, ChatEvent::OccupantJoined { .. })),
        ChatEvent::OccupantJoined { occupant, .. } if occupant.nick == "Customer"
    ));

    // Text from the customer: the room reflects it (sent, and recognised as our own), the
    // agent's chat acknowledges it on its own (delivered), the agent marks it displayed.
    let hello = customer.act(|s, _| s.chat_mut().send_message(&room, "Hello, I need help", "normal_text_msg", &[])).unwrap();
    let own = chat_event(&mut customer, "own reflection", |c| matches!(c, ChatEvent::Message(m) if m.msgid == hello));
    let ChatEvent::Message(own) = own else { unreachable!() };
    assert_eq!((own.sender, own.nick.as_str(), own.subtype.as_deref()), (Sender::Me, "Customer", Some("normal_text_msg")));
    let seen = chat_event(&mut agent, "the customer's text", |c| matches!(c, ChatEvent::Message(m) if m.msgid == hello));
    let ChatEvent::Message(m) = seen else { unreachable!() };
    assert_eq!((m.body.as_str(), m.nick.as_str(), m.sender), ("Hello, I need help", "Customer", Sender::Agent));
    assert_eq!(m.subtype.as_deref(), Some("normal_text_msg"));
    assert!(m.is_markable && m.occupant_id.is_some(), "{m:?}");
    // `id` prefers the origin-id; the room's stanza-id made it through too (dedup relies on it).
    assert_eq!(m.id, hello);
    chat_event(&mut agent, "the automatic receipt", |c| matches!(c, ChatEvent::ReceiptSent { msgid, .. } if *msgid == hello));
    chat_event(&mut customer, "delivered", |c| {
        matches!(c, ChatEvent::MessageStatus { msgid, status: MessageStatus::Delivered, .. } if *msgid == hello)
    });
    assert_eq!(statuses(&customer, &hello), [MessageStatus::Pending, MessageStatus::Sent, MessageStatus::Delivered]);
    assert!(agent.act(|s, _| s.chat_mut().send_marker(&room, &hello)).unwrap());
    chat_event(&mut customer, "the displayed marker", |c| {
        matches!(c, ChatEvent::Marker { msgid, kind: MarkerKind::Displayed, .. } if *msgid == hello)
    });
    chat_event(&mut customer, "displayed status", |c| {
        matches!(c, ChatEvent::MessageStatus { msgid, status: MessageStatus::Displayed, .. } if *msgid == hello)
    });
    assert_eq!(statuses(&customer, &hello).last(), Some(&MessageStatus::Displayed));

    // The agent types, then sends a file (XEP-0066 out-of-band data; the body is its URL).
    assert!(agent.act(|s, _| s.chat_mut().send_chat_state(&room, ChatState::Composing)).unwrap());
    chat_event(&mut customer, "the agent typing", |c| {
        matches!(c, ChatEvent::ChatState { nick, state: ChatState::Composing, .. } if nick == "Agent")
    });
    let file = FileRef { url: format!("http://127.0.0.1:{}/upload/guide.pdf", server.http_port()), name: "guide.pdf".into() };
    let sent_file = agent.act(|s, _| s.chat_mut().send_message(&room, "", "media_msg", std::slice::from_ref(&file))).unwrap();
    let got = chat_event(&mut customer, "the agent's file", |c| matches!(c, ChatEvent::Message(m) if m.msgid == sent_file));
    let ChatEvent::Message(m) = got else { unreachable!() };
    assert_eq!(m.subtype.as_deref(), Some("media_msg"));
    assert_eq!(m.files.as_deref(), Some(std::slice::from_ref(&file)));
    assert_eq!((m.nick.as_str(), m.sender, m.body.as_str()), ("Agent", Sender::Agent, file.url.as_str()));
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

/// The origin of the page that reads the uploaded file back in
/// [`a_file_goes_up_through_a_slot_and_comes_back_the_same`].
pub const UPLOAD_PAGE_ORIGIN: &str = "http://127.0.0.1:9";

/// The customer finds the upload service (XEP-0363, 16 MiB), gets a slot on the server's HTTP
/// port, PUTs a file there with the headers the slot names, and reads it back the same from a
/// page on another origin ([`UPLOAD_PAGE_ORIGIN`]). Returns the slot and the
/// `Access-Control-Allow-Origin` of that read, for what differs between servers.
pub fn a_file_goes_up_through_a_slot_and_comes_back_the_same(server: &XmppServer) -> (UploadSlot, String) {
    let mut customer = started(server, "uploader", &Mechanism::PREFERENCE);
    wait_online(&mut customer);

    let q = customer.act(|s, now| s.chat_mut().discover_upload_service(now));
    let found = chat_event(&mut customer, "the upload service", |c| matches!(c, ChatEvent::QueryResult { id, .. } if *id == q));
    let ChatEvent::QueryResult { result: Ok(QueryOutcome::UploadService(Some(service))), .. } = found else {
        panic!("no upload service: {found:?}")
    };
    assert_eq!(service.jid.to_string(), server.upload_host());
    assert_eq!(service.max_file_size, Some(16 * 1024 * 1024));

    let content = "exochat: ✓\n".repeat(40);
    let size = content.len() as u64;
    let q = customer.act(|s, now| s.chat_mut().request_upload_slot(now, &service.jid, "notes été.txt", size, Some("text/plain")));
    let got = chat_event(&mut customer, "the slot", |c| matches!(c, ChatEvent::QueryResult { id, .. } if *id == q));
    let ChatEvent::QueryResult { result: Ok(QueryOutcome::UploadSlot(slot)), .. } = got else { panic!("no slot: {got:?}") };
    let origin = format!("http://127.0.0.1:{}/", server.http_port());
    assert!(slot.put_url.starts_with(&origin) && slot.get_url.starts_with(&origin), "{slot:?}");

    let http: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut put = http.put(&slot.put_url).header("Content-Type", "text/plain");
    for (name, value) in &slot.put_headers {
        put = put.header(name, value);
    }
    let stored = put.send(content.as_str()).unwrap();
    assert_eq!(stored.status().as_u16(), 201);
    // Pages on other origins read the file too: the upload service answers CORS.
    let mut fetched = http.get(&slot.get_url).header("Origin", UPLOAD_PAGE_ORIGIN).call().unwrap();
    assert_eq!(fetched.status().as_u16(), 200);
    let allowed = fetched.headers().get("Access-Control-Allow-Origin").and_then(|v| v.to_str().ok()).map(str::to_owned);
    assert_eq!(fetched.body_mut().read_to_string().unwrap(), content);

    logout(&mut customer);
    (slot, allowed.expect("an Access-Control-Allow-Origin header"))
}

/// One customer, `user`, joining `room` as a page's `startChat` does: the join asked for before
/// the session starts. Returns the BOSH round trips from session creation until `RoomJoined`, and
/// the time it took.
pub fn customer_joins(server: &XmppServer, room: &Jid, user: &str, mechanism: Mechanism, pipelining: bool) -> (usize, Duration) {
    server.register(user, PASSWORD).unwrap();
    let mut config = config(server, user, PASSWORD, &[mechanism]);
    config.pipelining = pipelining;
    let mut driver = session(config);
    let started = std::time::Instant::now();
    driver.act(|s, now| {
        s.chat_mut().join(now, room, user, HistoryRequest::none()).unwrap();
        s.start(now);
    });
    let (index, _) = driver.wait_for_indexed("room joined", TIMEOUT, |e| matches!(e, SessionEvent::Chat(ChatEvent::RoomJoined { .. })));
    let elapsed = started.elapsed();
    logout(&mut driver);
    (driver.requests_before[index], elapsed)
}

/// [`customer_joins`]' round trips in a room where an agent already waits (as in production),
/// for each of `mechanisms`, without then with the restart pipelined.
pub fn round_trips_to_joined(server: &XmppServer, mechanisms: &[Mechanism]) -> Vec<usize> {
    let room = new_room(server, "lobby");
    let mut agent = started(server, "agent", &[Mechanism::Plain]);
    join(&mut agent, &room, "Agent");
    let mut measured = Vec::new();
    for (i, mechanism) in mechanisms.iter().enumerate() {
        for pipelining in [false, true] {
            let user = format!("c{i}{}", if pipelining { "p" } else { "" });
            measured.push(customer_joins(server, &room, &user, *mechanism, pipelining).0);
        }
    }
    logout(&mut agent);
    measured
}
