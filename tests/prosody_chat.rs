//! `Chat` against a real Prosody (the Debian package, run by `exochat_service`), glued to the
//! real `Connection` the way a session does: a customer and an agent, each a `Chat`, meet in a
//! room; messages, receipts, markers, chat states and an HTTP upload slot go through the server.

mod support;

use std::time::Duration;

use exochat::core::chat::{Chat, ChatEvent, MessageStatus, QueryOutcome};
use exochat::core::chatstates::ChatState;
use exochat::core::connection::{Connection, ConnectionConfig, ConnectionEvent, Randomness};
use exochat::core::http::{HttpRequest, HttpResponse, RequestId, TransportError};
use exochat::core::jid::Jid;
use exochat::core::markers::MarkerKind;
use exochat::core::message::{FileRef, Sender};
use exochat::core::muc::HistoryRequest;
use exochat::core::sasl::Mechanism;
use exochat::core::Instant;
use exochat_service::prosody::Prosody;
use support::{Core, Driver};

const TIMEOUT: Duration = Duration::from_secs(10);

/// What the glued pair reports.
#[derive(Debug, Clone)]
enum Ev {
    Conn(ConnectionEvent),
    Chat(ChatEvent),
}

/// A `Connection` carrying a `Chat`'s stanzas: the smallest possible session.
struct Client {
    connection: Connection,
    chat: Chat,
}

impl Client {
    /// Moves stanzas both ways and turns connection events into chat inputs. Every connection
    /// event is reported (stanzas included), so the driver's drain rule sees progress and polls
    /// again for the requests the chat's answers need.
    fn pump(&mut self, now: Instant) -> Option<Ev> {
        self.forward();
        if let Some(e) = self.chat.poll_event() {
            return Some(Ev::Chat(e));
        }
        let e = self.connection.poll_event()?;
        match &e {
            ConnectionEvent::Online { jid } => self.chat.set_own_jid(jid.clone()),
            ConnectionEvent::Stanza(s) => self.chat.handle_stanza(now, s),
            ConnectionEvent::Disconnected(_) => self.chat.handle_disconnect(now),
        }
        self.forward();
        Some(Ev::Conn(e))
    }

    /// Hands the chat's stanzas to the connection.
    fn forward(&mut self) {
        while let Some(stanza) = self.chat.poll_stanza() {
            self.connection.send(stanza);
        }
    }
}

impl Core for Client {
    type Event = Ev;

    fn handle_response(&mut self, now: Instant, id: RequestId, result: Result<HttpResponse, TransportError>) {
        self.connection.handle_response(now, id, result);
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.connection.handle_timeout(now);
        self.chat.handle_timeout(now);
    }

    fn poll_transmit(&mut self, now: Instant) -> Option<HttpRequest> {
        self.forward();
        self.connection.poll_transmit(now)
    }

    fn poll_event(&mut self) -> Option<Ev> {
        self.pump(support::now())
    }

    fn poll_timeout(&self) -> Option<Instant> {
        [self.connection.poll_timeout(), self.chat.poll_timeout()].into_iter().flatten().min()
    }
}

fn client(prosody: &Prosody, user: &str) -> Driver<Client> {
    prosody.register(user, "secret").unwrap();
    let jid = Jid::parse(&format!("{user}@{}", prosody.host())).unwrap();
    let mut config = ConnectionConfig::new(&prosody.bosh_url(), jid, "secret");
    config.mechanisms = vec![Mechanism::Plain];
    let t = support::now().0;
    let randomness = Randomness { client_nonce: format!("{t:016x}{user}"), initial_rid: t * 7919 };
    let mut driver =
        Driver::new(Client { connection: Connection::new(config, randomness), chat: Chat::new(format!("{user}-{t:x}")) });
    driver.act(|c, now| c.connection.start(now));
    driver.wait_for("online", TIMEOUT, |e| matches!(e, Ev::Conn(ConnectionEvent::Online { .. })));
    driver
}

fn chat_event(driver: &mut Driver<Client>, what: &str, f: impl Fn(&ChatEvent) -> bool) -> ChatEvent {
    match driver.wait_for(what, TIMEOUT, |e| matches!(e, Ev::Chat(c) if f(c))) {
        Ev::Chat(c) => c,
        Ev::Conn(_) => unreachable!("the predicate only accepts chat events"),
    }
}

#[test]
fn customer_and_agent_talk_through_prosody() {
    let prosody = Prosody::start().unwrap();
    let room = Jid::parse(&format!("chat-{}@{}", support::now().0, prosody.muc_host())).unwrap();

    let mut customer = client(&prosody, "customer");
    customer.act(|c, now| c.chat.create_room(now, &room, "Customer").unwrap());
    let joined = chat_event(&mut customer, "customer joined", |e| matches!(e, ChatEvent::RoomJoined { .. }));
    assert!(matches!(&joined, ChatEvent::RoomJoined { nick, occupants, .. } if nick == "Customer" && occupants.len() == 1));

    let mut agent = client(&prosody, "agent");
    agent.act(|c, now| c.chat.join(now, &room, "Agent", HistoryRequest::default()).unwrap());
    let ChatEvent::RoomJoined { occupants, .. } = chat_event(&mut agent, "agent joined", |e| matches!(e, ChatEvent::RoomJoined { .. }))
    else {
        unreachable!()
    };
    assert_eq!(occupants.iter().map(|o| o.nick.as_str()).collect::<Vec<_>>(), ["Agent", "Customer"]);
    // Prosody 0.12 stamps XEP-0421 occupant ids.
    assert!(occupants.iter().all(|o| o.occupant_id.is_some()), "{occupants:?}");
    let arrived = chat_event(&mut customer, "agentJoined", |e| matches!(e, ChatEvent::OccupantJoined { .. }));
    assert!(matches!(arrived, ChatEvent::OccupantJoined { occupant, .. } if occupant.nick == "Agent"));

    // The customer writes; the room reflects it, the agent's Chat receipts it by itself.
    let msgid = customer.act(|c, _| c.chat.send_message(&room, "Hello, I need help", "normal_text_msg", &[]).unwrap());
    let ChatEvent::Message(mine) = chat_event(&mut customer, "own reflection", |e| matches!(e, ChatEvent::Message(_))) else {
        unreachable!()
    };
    assert_eq!((mine.sender, mine.msgid.as_str(), mine.subtype.as_deref()), (Sender::Me, msgid.as_str(), Some("normal_text_msg")));
    assert!(customer.events.iter().any(|e| matches!(e, Ev::Chat(ChatEvent::MessageStatus { status: MessageStatus::Sent, .. }))));

    let ChatEvent::Message(got) = chat_event(&mut agent, "customer's message", |e| matches!(e, ChatEvent::Message(_))) else {
        unreachable!()
    };
    assert_eq!((got.sender, got.body.as_str(), got.msgid.as_str()), (Sender::Agent, "Hello, I need help", msgid.as_str()));
    assert!(got.is_markable && got.occupant_id.is_some());
    // `id` prefers the origin-id; the room's stanza-id made it through too (dedup relies on it).
    assert_eq!(got.id, msgid);
    chat_event(&mut agent, "receipt sent", |e| matches!(e, ChatEvent::ReceiptSent { msgid: m, .. } if *m == msgid));
    chat_event(&mut customer, "delivered", |e| {
        matches!(e, ChatEvent::MessageStatus { status: MessageStatus::Delivered, msgid: m, .. } if *m == msgid)
    });

    // Typing, then a marker from the agent.
    agent.act(|c, _| c.chat.send_chat_state(&room, ChatState::Composing).unwrap());
    chat_event(&mut customer, "typing", |e| matches!(e, ChatEvent::ChatState { state: ChatState::Composing, nick, .. } if nick == "Agent"));
    assert!(agent.act(|c, _| c.chat.send_marker(&room, &msgid).unwrap()));
    chat_event(&mut customer, "displayed marker", |e| matches!(e, ChatEvent::Marker { kind: MarkerKind::Displayed, .. }));
    chat_event(&mut customer, "displayed", |e| matches!(e, ChatEvent::MessageStatus { status: MessageStatus::Displayed, .. }));

    // The customer finds the upload service, gets a slot, and shares the file.
    let q = customer.act(|c, now| c.chat.discover_upload_service(now));
    let ChatEvent::QueryResult { result, .. } = chat_event(&mut customer, "upload service", |e| matches!(e, ChatEvent::QueryResult { id, .. } if *id == q))
    else {
        unreachable!()
    };
    let Ok(QueryOutcome::UploadService(Some(service))) = result else { panic!("no upload service: {result:?}") };
    assert_eq!(service.jid.to_string(), prosody.upload_host());
    assert_eq!(service.max_file_size, Some(16 * 1024 * 1024));
    let q = customer.act(|c, now| c.chat.request_upload_slot(now, &service.jid, "note.txt", 5, Some("text/plain")));
    let ChatEvent::QueryResult { result, .. } = chat_event(&mut customer, "slot", |e| matches!(e, ChatEvent::QueryResult { id, .. } if *id == q))
    else {
        unreachable!()
    };
    let Ok(QueryOutcome::UploadSlot(slot)) = result else { panic!("no slot: {result:?}") };
    assert!(slot.put_headers.iter().any(|(name, _)| name == "Authorization"), "{slot:?}");
    let files = [FileRef { url: slot.get_url.clone(), name: "note.txt".into() }];
    customer.act(|c, _| c.chat.send_message(&room, "", "media_msg", &files).unwrap());
    let ChatEvent::Message(media) = chat_event(&mut agent, "media message", |e| matches!(e, ChatEvent::Message(m) if m.files.is_some())) else {
        unreachable!()
    };
    assert_eq!(media.subtype.as_deref(), Some("media_msg"));
    assert_eq!(media.files.as_deref(), Some(&files[..]));
    assert_eq!(media.body, slot.get_url);

    // The agent leaves.
    agent.act(|c, _| c.chat.leave(&room));
    chat_event(&mut customer, "agentLeft", |e| matches!(e, ChatEvent::OccupantLeft { occupant, .. } if occupant.nick == "Agent"));
}

#[test]
fn a_taken_nick_gets_a_suffix_and_history_is_not_repeated() {
    let prosody = Prosody::start().unwrap();
    let room = Jid::parse(&format!("nick-{}@{}", support::now().0, prosody.muc_host())).unwrap();
    let mut first = client(&prosody, "first");
    first.act(|c, now| c.chat.join(now, &room, "Sam", HistoryRequest::default()).unwrap());
    chat_event(&mut first, "first joined", |e| matches!(e, ChatEvent::RoomJoined { .. }));
    first.act(|c, _| c.chat.send_message(&room, "before you came", "normal_text_msg", &[]).unwrap());
    chat_event(&mut first, "reflected", |e| matches!(e, ChatEvent::Message(_)));

    let mut second = client(&prosody, "second");
    second.act(|c, now| c.chat.join(now, &room, "Sam", HistoryRequest::default()).unwrap());
    let joined = chat_event(&mut second, "second joined", |e| matches!(e, ChatEvent::RoomJoined { .. }));
    assert!(matches!(joined, ChatEvent::RoomJoined { nick, .. } if nick == "Sam-2"));
    // The history replay carries the message once, with its original time.
    let ChatEvent::Message(old) = chat_event(&mut second, "history", |e| matches!(e, ChatEvent::Message(_))) else { unreachable!() };
    assert_eq!((old.body.as_str(), old.nick.as_str(), old.sender), ("before you came", "Sam", Sender::Agent));
    // Asking for the same history again (a rejoin) repeats nothing.
    second.act(|c, now| {
        c.chat.leave(&room);
        c.chat.join(now, &room, "Sam-2", HistoryRequest::default()).unwrap();
    });
    chat_event(&mut second, "rejoined", |e| matches!(e, ChatEvent::RoomJoined { .. }));
    first.act(|c, _| c.chat.send_message(&room, "after", "normal_text_msg", &[]).unwrap());
    let ChatEvent::Message(next) = chat_event(&mut second, "next live message", |e| matches!(e, ChatEvent::Message(_))) else {
        unreachable!()
    };
    assert_eq!(next.body, "after", "the replayed history was dropped as already seen");
}
