//! `Chat` against a scripted room on simulated time: the room's stanzas are literal XML as
//! Prosody sends them, the clock only moves when a test moves it.

use exochat::core::chat::{Chat, ChatError, ChatEvent, JoinError, LeaveReason, MessageStatus, QueryError, QueryOutcome};
use exochat::core::chatstates::ChatState;
use exochat::core::jid::Jid;
use exochat::core::markers::MarkerKind;
use exochat::core::message::{FileRef, Sender};
use exochat::core::muc::{HistoryRequest, Role, Show};
use exochat::core::upload::SlotError;
use exochat::core::xml::Element;
use exochat::core::{ns, Instant};

const ROOM: &str = "room1@conference.example.com";
const ME: &str = "cust@example.com/web1";

struct Harness {
    chat: Chat,
    now: Instant,
}

impl Harness {
    fn new() -> Harness {
        let mut chat = Chat::new("t".into());
        chat.set_own_jid(jid(ME));
        Harness { chat, now: Instant(1_700_000_000_000) }
    }

    /// A harness already in ROOM as `Customer`, with `Agent` present; outputs drained.
    fn joined() -> Harness {
        let mut h = Harness::new();
        h.chat.join(h.now, &jid(ROOM), "Customer", HistoryRequest::default()).unwrap();
        h.feed(&agent_presence("Agent", "agent@example.com/desk"));
        h.feed(&self_presence("Customer", ""));
        h.stanzas();
        h.events();
        h
    }

    fn feed(&mut self, xml: &str) {
        let stanza = Element::parse(xml).unwrap_or_else(|e| panic!("test XML does not parse: {e}: {xml}"));
        self.chat.handle_stanza(self.now, &stanza);
    }

    fn stanzas(&mut self) -> Vec<Element> {
        std::iter::from_fn(|| self.chat.poll_stanza()).collect()
    }

    fn events(&mut self) -> Vec<ChatEvent> {
        std::iter::from_fn(|| self.chat.poll_event()).collect()
    }

    /// Moves the clock by `ms`, firing the timeout when it is due.
    fn advance(&mut self, ms: u64) {
        self.now = self.now.plus_ms(ms);
        if self.chat.poll_timeout().is_some_and(|t| t <= self.now) {
            self.chat.handle_timeout(self.now);
        }
    }
}

fn jid(s: &str) -> Jid {
    Jid::parse(s).unwrap()
}

fn agent_presence(nick: &str, real: &str) -> String {
    format!(
        "<presence xmlns='jabber:client' from='{ROOM}/{nick}' to='{ME}'>\
         <x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='owner' role='moderator' jid='{real}'/></x>\
         <occupant-id xmlns='urn:xmpp:occupant-id:0' id='occ-{nick}'/></presence>"
    )
}

fn self_presence(nick: &str, extra_status: &str) -> String {
    format!(
        "<presence xmlns='jabber:client' from='{ROOM}/{nick}' to='{ME}'>\
         <x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' role='participant' jid='{ME}'/>\
         <status code='110'/>{extra_status}</x></presence>"
    )
}

fn agent_message(id: &str, sid: &str, inner: &str) -> String {
    format!(
        "<message xmlns='jabber:client' from='{ROOM}/Agent' to='{ME}' type='groupchat' id='{id}'>{inner}\
         <stanza-id xmlns='urn:xmpp:sid:0' id='{sid}' by='{ROOM}'/></message>"
    )
}

fn messages(events: &[ChatEvent]) -> Vec<&exochat::core::message::MessageObject> {
    events
        .iter()
        .filter_map(|e| match e {
            ChatEvent::Message(m) => Some(m.as_ref()),
            _ => None,
        })
        .collect()
}

#[test]
fn join_completes_on_self_presence_and_tracks_occupants() {
    let mut h = Harness::new();
    h.chat.join(h.now, &jid(ROOM), "Customer", HistoryRequest { max_stanzas: Some(50), since: None }).unwrap();
    let out = h.stanzas();
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].get_attr("to"), Some("room1@conference.example.com/Customer"));
    assert_eq!(out[0].find("x", ns::MUC).unwrap().find("history", ns::MUC).unwrap().get_attr("maxstanzas"), Some("50"));
    assert!(h.chat.poll_timeout().is_some());

    h.feed(&agent_presence("Agent", "agent@example.com/desk"));
    assert!(h.events().is_empty(), "occupants present before us are reported with RoomJoined");
    h.feed(&self_presence("Customer", ""));
    match h.events().as_slice() {
        [ChatEvent::RoomJoined { room, nick, occupants }] => {
            assert_eq!((room.to_string().as_str(), nick.as_str()), (ROOM, "Customer"));
            let nicks: Vec<&str> = occupants.iter().map(|o| o.nick.as_str()).collect();
            assert_eq!(nicks, ["Agent", "Customer"]);
            assert_eq!(occupants[0].role, Role::Moderator);
            assert_eq!(occupants[0].occupant_id.as_deref(), Some("occ-Agent"));
        }
        other => panic!("{other:?}"),
    }
    assert!(h.chat.is_joined(&jid(ROOM)));
    assert_eq!(h.chat.poll_timeout(), None);

    h.feed(&agent_presence("Supervisor", "sup@example.com/x"));
    assert!(matches!(h.events().as_slice(), [ChatEvent::OccupantJoined { occupant, .. }] if occupant.nick == "Supervisor"));
    // A presence update of a known occupant is not a new arrival.
    h.feed(&agent_presence("Supervisor", "sup@example.com/x"));
    assert!(h.events().is_empty());
    // A nick change is a rename, not a departure.
    h.feed(&format!(
        "<presence xmlns='jabber:client' from='{ROOM}/Supervisor' type='unavailable'>\
         <x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='owner' role='moderator' nick='Boss'/><status code='303'/></x></presence>"
    ));
    h.feed(&agent_presence("Boss", "sup@example.com/x"));
    assert!(h.events().is_empty());
    h.feed(&format!("<presence xmlns='jabber:client' from='{ROOM}/Boss' type='unavailable'/>"));
    assert!(matches!(h.events().as_slice(), [ChatEvent::OccupantLeft { occupant, .. }] if occupant.nick == "Boss"));
    let nicks: Vec<String> = h.chat.occupants(&jid(ROOM)).into_iter().map(|o| o.nick).collect();
    assert_eq!(nicks, ["Agent", "Customer"]);

    // Joining again a room we are in answers at once.
    h.chat.join(h.now, &jid(ROOM), "Customer", HistoryRequest::default()).unwrap();
    assert!(h.stanzas().is_empty());
    assert!(matches!(h.events().as_slice(), [ChatEvent::RoomJoined { .. }]));
}

#[test]
fn a_new_room_is_configured_as_an_instant_room() {
    let mut h = Harness::new();
    h.chat.create_room(h.now, &jid(ROOM), "Customer").unwrap();
    let join = h.stanzas();
    assert_eq!(join[0].find("x", ns::MUC).unwrap().find("history", ns::MUC).unwrap().get_attr("maxstanzas"), Some("0"));
    h.feed(&self_presence("Customer", "<status code='201'/>"));
    let out = h.stanzas();
    assert_eq!(out.len(), 1);
    let iq = &out[0];
    assert_eq!((iq.get_attr("type"), iq.get_attr("to")), (Some("set"), Some(ROOM)));
    let form = iq.find("query", ns::MUC_OWNER).unwrap().find("x", ns::DATA_FORMS).unwrap();
    assert_eq!(form.get_attr("type"), Some("submit"));
    assert!(h.events().is_empty(), "not joined until the room is unlocked");
    assert!(h.chat.send_message(&jid(ROOM), "too early", "normal_text_msg", &[]).is_err());

    let id = iq.get_attr("id").unwrap();
    // An answer from anyone but the room is ignored.
    h.feed(&format!("<iq xmlns='jabber:client' type='result' id='{id}' from='evil@example.com'/>"));
    assert!(h.events().is_empty());
    h.feed(&format!("<iq xmlns='jabber:client' type='result' id='{id}' from='{ROOM}'/>"));
    assert!(matches!(h.events().as_slice(), [ChatEvent::RoomJoined { nick, .. }] if nick == "Customer"));
    assert!(h.chat.is_joined(&jid(ROOM)));
}

#[test]
fn a_refused_configuration_fails_the_join_and_leaves() {
    let mut h = Harness::new();
    h.chat.join(h.now, &jid(ROOM), "Customer", HistoryRequest::default()).unwrap();
    h.stanzas();
    h.feed(&self_presence("Customer", "<status code='201'/>"));
    let id = h.stanzas()[0].get_attr("id").unwrap().to_owned();
    h.feed(&format!(
        "<iq xmlns='jabber:client' type='error' id='{id}' from='{ROOM}'><error type='cancel'>\
         <forbidden xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>"
    ));
    assert!(matches!(
        h.events().as_slice(),
        [ChatEvent::JoinFailed { error: JoinError::Configuration(Some(e)), .. }] if e.is("forbidden")
    ));
    let leave = h.stanzas();
    assert_eq!(leave[0].get_attr("type"), Some("unavailable"));
}

#[test]
fn a_taken_nick_is_retried_with_a_suffix_a_bounded_number_of_times() {
    let mut h = Harness::new();
    h.chat.join(h.now, &jid(ROOM), "Customer", HistoryRequest::default()).unwrap();
    h.stanzas();
    let conflict = |nick: &str| {
        format!(
            "<presence xmlns='jabber:client' from='{ROOM}/{nick}' type='error'><x xmlns='http://jabber.org/protocol/muc'/>\
             <error by='{ROOM}' type='cancel'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>"
        )
    };
    h.feed(&conflict("Customer"));
    let retry = h.stanzas();
    assert_eq!(retry[0].get_attr("to"), Some("room1@conference.example.com/Customer-2"));
    assert!(h.events().is_empty());
    h.feed(&self_presence("Customer-2", ""));
    assert!(matches!(h.events().as_slice(), [ChatEvent::RoomJoined { nick, .. }] if nick == "Customer-2"));
    assert_eq!(h.chat.nick(&jid(ROOM)), Some("Customer-2"));

    let mut h = Harness::new();
    h.chat.join(h.now, &jid(ROOM), "Customer", HistoryRequest::default()).unwrap();
    let mut tried = vec![h.stanzas()[0].get_attr("to").unwrap().to_owned()];
    for _ in 0..10 {
        let nick = h.chat.nick(&jid(ROOM)).map(str::to_owned);
        let Some(nick) = nick else { break };
        h.feed(&conflict(&nick));
        tried.extend(h.stanzas().iter().filter_map(|s| s.get_attr("to").map(str::to_owned)));
    }
    assert_eq!(tried.len(), 5);
    assert!(tried[4].ends_with("/Customer-5"));
    assert!(matches!(h.events().as_slice(), [ChatEvent::JoinFailed { error: JoinError::NickConflict, .. }]));

    // Any other refusal fails at once, typed.
    let mut h = Harness::new();
    h.chat.join(h.now, &jid(ROOM), "Customer", HistoryRequest::default()).unwrap();
    h.feed(&format!(
        "<presence xmlns='jabber:client' from='{ROOM}/Customer' type='error'><error type='auth'>\
         <registration-required xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>"
    ));
    assert!(matches!(
        h.events().as_slice(),
        [ChatEvent::JoinFailed { error: JoinError::Refused(e), .. }] if e.is("registration-required")
    ));
}

#[test]
fn joins_time_out_and_can_be_cancelled() {
    let mut h = Harness::new();
    h.chat.join(h.now, &jid(ROOM), "Customer", HistoryRequest::default()).unwrap();
    h.stanzas();
    assert_eq!(h.chat.poll_timeout(), Some(h.now.plus_ms(30_000)));
    h.advance(29_999);
    assert!(h.events().is_empty());
    h.advance(1);
    assert!(matches!(h.events().as_slice(), [ChatEvent::JoinFailed { error: JoinError::Timeout, .. }]));
    assert_eq!(h.stanzas()[0].get_attr("type"), Some("unavailable"));
    assert_eq!(h.chat.poll_timeout(), None);

    h.chat.join(h.now, &jid(ROOM), "Customer", HistoryRequest::default()).unwrap();
    h.chat.leave(&jid(ROOM));
    assert!(matches!(h.events().as_slice(), [ChatEvent::JoinFailed { error: JoinError::Cancelled, .. }]));
    // Leave and join again at once: the echo of the leave must not fail the new join.
    let mut h = Harness::joined();
    h.chat.leave(&jid(ROOM));
    h.chat.join(h.now, &jid(ROOM), "Customer", HistoryRequest::default()).unwrap();
    h.feed(&format!(
        "<presence xmlns='jabber:client' from='{ROOM}/Customer' type='unavailable'>\
         <x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' role='none'/><status code='110'/></x></presence>"
    ));
    assert!(h.events().is_empty());
    h.feed(&self_presence("Customer", ""));
    assert!(matches!(h.events().as_slice(), [ChatEvent::RoomJoined { .. }]));
    assert!(matches!(h.chat.join(h.now, &jid("r@c.example.com/nick"), "x", HistoryRequest::default()), Err(ChatError::NotARoom(_))));
    assert!(matches!(h.chat.join(h.now, &jid(ROOM), "", HistoryRequest::default()), Err(ChatError::BadNick(_))));
}

#[test]
fn own_messages_go_pending_sent_delivered_displayed() {
    let mut h = Harness::joined();
    let files = [FileRef { url: "https://files.example.com/a.png".into(), name: "a.png".into() }];
    let msgid = h.chat.send_message(&jid(ROOM), "", "media_msg", &files).unwrap();
    let out = h.stanzas();
    let sent = &out[0];
    assert_eq!(sent.get_attr("id"), Some(msgid.as_str()));
    assert_eq!(sent.child_text("body", ns::CLIENT).as_deref(), Some("https://files.example.com/a.png"));
    assert_eq!(sent.find("exotel", ns::EXOTEL).unwrap().get_attr("subtype"), Some("media_msg"));
    assert!(matches!(h.events().as_slice(), [ChatEvent::MessageStatus { status: MessageStatus::Pending, .. }]));

    // The room reflects it with its stanza-id.
    let mut reflected = sent.clone();
    reflected.set_attr("from", &format!("{ROOM}/Customer"));
    reflected.push(Element::new("stanza-id", ns::SID).attr("id", "S-own").attr("by", ROOM));
    h.chat.handle_stanza(h.now, &reflected);
    let ev = h.events();
    assert!(matches!(&ev[0], ChatEvent::MessageStatus { status: MessageStatus::Sent, msgid: m, .. } if *m == msgid));
    let m = messages(&ev);
    assert_eq!(m.len(), 1);
    assert_eq!((m[0].sender, m[0].msgid.as_str()), (Sender::Me, msgid.as_str()));
    assert_eq!(m[0].files.as_ref().unwrap()[0].name, "a.png");
    assert!(h.stanzas().is_empty(), "no receipt for our own message");

    h.feed(&agent_message("a-r1", "S-r1", &format!("<received xmlns='urn:xmpp:receipts' id='{msgid}'/>")));
    let ev = h.events();
    assert!(matches!(&ev[0], ChatEvent::Receipt { msgid: m, .. } if *m == msgid));
    assert!(matches!(&ev[1], ChatEvent::MessageStatus { status: MessageStatus::Delivered, .. }));
    assert_eq!(ev.len(), 2, "a receipt is not a message: {ev:?}");

    h.feed(&agent_message("a-d1", "S-d1", &format!("<displayed xmlns='urn:xmpp:chat-markers:0' id='{msgid}'/>")));
    let ev = h.events();
    assert!(matches!(&ev[0], ChatEvent::Marker { kind: MarkerKind::Displayed, .. }));
    assert!(matches!(&ev[1], ChatEvent::MessageStatus { status: MessageStatus::Displayed, .. }));
    // A late receipt does not move the status back.
    h.feed(&agent_message("a-r2", "S-r2", &format!("<received xmlns='urn:xmpp:receipts' id='{msgid}'/>")));
    assert_eq!(h.events().len(), 1);

    // The room bounces a message: failed.
    let bounced = h.chat.send_message(&jid(ROOM), "hello", "normal_text_msg", &[]).unwrap();
    h.stanzas();
    h.events();
    h.feed(&format!(
        "<message xmlns='jabber:client' from='{ROOM}' type='error' id='{bounced}'><error type='modify'>\
         <not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>"
    ));
    assert!(matches!(h.events().as_slice(), [ChatEvent::MessageStatus { status: MessageStatus::Failed, .. }]));
}

#[test]
fn receipts_are_sent_once_automatically_and_markers_once_on_request() {
    let mut h = Harness::joined();
    let msg = agent_message(
        "a-1",
        "S-1",
        "<body>Hello, how can I help?</body><request xmlns='urn:xmpp:receipts'/><markable xmlns='urn:xmpp:chat-markers:0'/>\
         <active xmlns='http://jabber.org/protocol/chatstates'/><exotel xmlns='urn:exotel:chat:0' subtype='normal_text_msg' role='agent'/>",
    );
    h.feed(&msg);
    let ev = h.events();
    let m = messages(&ev);
    assert_eq!((m[0].sender, m[0].msgid.as_str(), m[0].user_role.as_deref()), (Sender::Agent, "a-1", Some("agent")));
    assert_eq!(m[0].from_real_jid.as_deref(), Some("agent@example.com/desk"));
    assert!(m[0].is_markable);
    assert!(ev.iter().any(|e| matches!(e, ChatEvent::ChatState { state: ChatState::Active, nick, .. } if nick == "Agent")));
    assert!(matches!(ev.last(), Some(ChatEvent::ReceiptSent { msgid, .. }) if msgid == "a-1"));
    let out = h.stanzas();
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].find("received", ns::RECEIPTS).unwrap().get_attr("id"), Some("a-1"));
    assert_eq!(h.chat.send_receipt(&jid(ROOM), "a-1"), Ok(false));

    // The same message again (e.g. replayed as history): nothing at all.
    h.feed(&msg);
    assert!(h.events().is_empty() && h.stanzas().is_empty());

    assert_eq!(h.chat.send_marker(&jid(ROOM), "a-1"), Ok(true));
    let out = h.stanzas();
    assert_eq!(out[0].find("displayed", ns::CHAT_MARKERS).unwrap().get_attr("id"), Some("a-1"));
    assert!(matches!(h.events().as_slice(), [ChatEvent::MarkerSent { msgid, .. }] if msgid == "a-1"));
    assert_eq!(h.chat.send_marker(&jid(ROOM), "a-1"), Ok(false));
    assert!(h.stanzas().is_empty() && h.events().is_empty());

    // The room reflects our receipt and marker: they are ours, not the agent's.
    let mut reflected = out[0].clone();
    reflected.set_attr("from", &format!("{ROOM}/Customer"));
    h.chat.handle_stanza(h.now, &reflected);
    assert!(h.events().is_empty());

    assert!(matches!(h.chat.send_marker(&jid("other@conference.example.com"), "a-1"), Err(ChatError::NotInRoom(_))));
}

#[test]
fn chat_states_are_events_not_messages() {
    let mut h = Harness::joined();
    h.feed(&agent_message("c-1", "S-c1", "<composing xmlns='http://jabber.org/protocol/chatstates'/>"));
    let ev = h.events();
    assert!(matches!(ev.as_slice(), [ChatEvent::ChatState { state: ChatState::Composing, .. }]));
    // History replays stale states: not raised.
    h.feed(&agent_message(
        "c-2",
        "S-c2",
        "<paused xmlns='http://jabber.org/protocol/chatstates'/><delay xmlns='urn:xmpp:delay' stamp='2020-01-01T00:00:00Z'/>",
    ));
    assert!(h.events().is_empty());

    assert_eq!(h.chat.send_chat_state(&jid(ROOM), ChatState::Composing), Ok(true));
    assert_eq!(h.chat.send_chat_state(&jid(ROOM), ChatState::Composing), Ok(false));
    assert_eq!(h.chat.send_chat_state(&jid(ROOM), ChatState::Paused), Ok(true));
    let out = h.stanzas();
    assert_eq!(out.len(), 2);
    assert!(out[0].find("composing", ns::CHAT_STATES).is_some() && out[0].find("body", ns::CLIENT).is_none());
    // Sending a message resets the state to active, so composing is sent again afterwards.
    h.chat.send_message(&jid(ROOM), "hi", "normal_text_msg", &[]).unwrap();
    assert_eq!(h.chat.send_chat_state(&jid(ROOM), ChatState::Composing), Ok(true));
}

#[test]
fn chat_end_carries_interaction_data() {
    let mut h = Harness::joined();
    h.feed(&agent_message(
        "e-1",
        "S-e1",
        "<body>The agent has ended the chat</body><chat-ended xmlns='urn:exotel:chat:0' chat-id='chat-42' interaction-id='int-7'/>",
    ));
    let ev = h.events();
    let m = messages(&ev);
    assert!(m[0].chat_ended);
    let data = m[0].interaction_data.as_ref().unwrap();
    assert_eq!((data.chat_id.as_str(), data.interaction_id.as_str()), ("chat-42", "int-7"));
    assert!(matches!(ev.last(), Some(ChatEvent::ChatEnded { data, .. }) if data.chat_id == "chat-42"));
    // A chat end without a body still fires messageReceived.
    h.feed(&agent_message("e-2", "S-e2", "<chat-ended xmlns='urn:exotel:chat:0' chat-id='c' interaction-id='i'/>"));
    assert_eq!(messages(&h.events()).len(), 1);
}

#[test]
fn rejoin_after_a_disconnect_replays_history_without_duplicates() {
    let mut h = Harness::joined();
    let hello = agent_message("h-1", "S-h1", "<body>first</body>");
    h.feed(&hello);
    assert_eq!(messages(&h.events()).len(), 1);
    let q = h.chat.disco_info(h.now, &jid("example.com"));
    h.stanzas();

    h.chat.handle_disconnect(h.now);
    assert!(matches!(
        h.events().as_slice(),
        [ChatEvent::QueryResult { id, result: Err(QueryError::Disconnected) }] if *id == q
    ));
    assert!(!h.chat.is_joined(&jid(ROOM)));
    assert!(matches!(h.chat.send_message(&jid(ROOM), "x", "normal_text_msg", &[]), Err(ChatError::NotInRoom(_))));

    h.advance(5_000);
    h.chat.rejoin(h.now);
    let join = h.stanzas();
    assert_eq!(join.len(), 1);
    let history = join[0].find("x", ns::MUC).unwrap().find("history", ns::MUC).unwrap();
    assert!(history.get_attr("since").is_some());
    h.feed(&agent_presence("Agent", "agent@example.com/desk"));
    h.feed(&self_presence("Customer", ""));
    assert!(matches!(h.events().as_slice(), [ChatEvent::RoomJoined { .. }]));
    // History replay: the old message (with a delay now) is dropped, a new one comes through.
    h.feed(&agent_message("h-1", "S-h1", "<body>first</body><delay xmlns='urn:xmpp:delay' stamp='2023-11-14T22:13:20Z'/>"));
    h.feed(&agent_message("h-2", "S-h2", "<body>while you were away</body><delay xmlns='urn:xmpp:delay' stamp='2023-11-14T22:13:21Z'/>"));
    let ev = h.events();
    let m = messages(&ev);
    assert_eq!(m.len(), 1);
    assert_eq!((m[0].body.as_str(), m[0].time.as_str()), ("while you were away", "2023-11-14T22:13:21.000Z"));
    // Archive replays share the same memory.
    assert!(!h.chat.note_seen(&jid(ROOM), "h-2"));
    assert!(h.chat.note_seen(&jid(ROOM), "h-3"));
}

#[test]
fn kicked_from_the_room() {
    let mut h = Harness::joined();
    h.feed(&format!(
        "<presence xmlns='jabber:client' from='{ROOM}/Customer' type='unavailable'>\
         <x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' role='none'><reason>spam</reason></item>\
         <status code='110'/><status code='307'/></x></presence>"
    ));
    assert!(matches!(
        h.events().as_slice(),
        [ChatEvent::RoomLeft { reason: LeaveReason::Kicked, text: Some(t), .. }] if t == "spam"
    ));
    assert!(!h.chat.is_joined(&jid(ROOM)));
}

#[test]
fn upload_discovery_and_slot_flow() {
    let mut h = Harness::joined();
    let q = h.chat.discover_upload_service(h.now);
    let out = h.stanzas();
    assert_eq!(out.len(), 2);
    assert!(out.iter().all(|s| s.get_attr("to") == Some("example.com")));
    let info_id = out[0].get_attr("id").unwrap().to_owned();
    let items_id = out[1].get_attr("id").unwrap().to_owned();
    assert!(out[0].find("query", ns::DISCO_INFO).is_some() && out[1].find("query", ns::DISCO_ITEMS).is_some());

    h.feed(&format!(
        "<iq xmlns='jabber:client' type='result' id='{info_id}' from='example.com'><query xmlns='http://jabber.org/protocol/disco#info'>\
         <identity category='server' type='im'/><feature var='http://jabber.org/protocol/disco#info'/></query></iq>"
    ));
    // Our own server may omit `from`.
    h.feed(&format!(
        "<iq xmlns='jabber:client' type='result' id='{items_id}'><query xmlns='http://jabber.org/protocol/disco#items'>\
         <item jid='conference.example.com'/><item jid='upload.example.com'/><item jid='example.com' node='x'/></query></iq>"
    ));
    assert!(h.events().is_empty());
    let probes = h.stanzas();
    let targets: Vec<&str> = probes.iter().filter_map(|s| s.get_attr("to")).collect();
    assert_eq!(targets, ["conference.example.com", "upload.example.com"]);
    h.feed(&format!(
        "<iq xmlns='jabber:client' type='result' id='{}' from='upload.example.com'><query xmlns='http://jabber.org/protocol/disco#info'>\
         <identity category='store' type='file'/><feature var='urn:xmpp:http:upload:0'/>\
         <x type='result' xmlns='jabber:x:data'><field var='FORM_TYPE' type='hidden'><value>urn:xmpp:http:upload:0</value></field>\
         <field var='max-file-size'><value>10485760</value></field></x></query></iq>",
        probes[1].get_attr("id").unwrap()
    ));
    match h.events().as_slice() {
        [ChatEvent::QueryResult { id, result: Ok(QueryOutcome::UploadService(Some(s))) }] => {
            assert_eq!(*id, q);
            assert_eq!((s.jid.to_string().as_str(), s.max_file_size), ("upload.example.com", Some(10_485_760)));
        }
        other => panic!("{other:?}"),
    }
    // The conference probe answering late changes nothing; nothing is left to time out.
    h.feed(&format!(
        "<iq xmlns='jabber:client' type='result' id='{}' from='conference.example.com'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>",
        probes[0].get_attr("id").unwrap()
    ));
    assert!(h.events().is_empty());
    assert_eq!(h.chat.poll_timeout(), None);
    // Found once, answered from memory.
    let again = h.chat.discover_upload_service(h.now);
    assert!(h.stanzas().is_empty());
    assert!(matches!(h.events().as_slice(), [ChatEvent::QueryResult { id, result: Ok(QueryOutcome::UploadService(Some(_))) }] if *id == again));

    let service = jid("upload.example.com");
    let slot_q = h.chat.request_upload_slot(h.now, &service, "photo.png", 1234, Some("image/png"));
    let req = h.stanzas().remove(0);
    let request = req.find("request", ns::HTTP_UPLOAD).unwrap();
    assert_eq!((request.get_attr("filename"), request.get_attr("size")), (Some("photo.png"), Some("1234")));
    h.feed(&format!(
        "<iq xmlns='jabber:client' type='result' id='{}' from='upload.example.com'><slot xmlns='urn:xmpp:http:upload:0'>\
         <put url='https://upload.example.com/put/abc/photo.png'><header name='Authorization'>Bearer x.y.z</header></put>\
         <get url='https://upload.example.com/get/abc/photo.png'/></slot></iq>",
        req.get_attr("id").unwrap()
    ));
    match h.events().as_slice() {
        [ChatEvent::QueryResult { id, result: Ok(QueryOutcome::UploadSlot(slot)) }] => {
            assert_eq!(*id, slot_q);
            assert_eq!(slot.get_url, "https://upload.example.com/get/abc/photo.png");
            assert_eq!(slot.put_headers, vec![("Authorization".to_owned(), "Bearer x.y.z".to_owned())]);
        }
        other => panic!("{other:?}"),
    }

    h.chat.request_upload_slot(h.now, &service, "huge.bin", 1 << 40, None);
    let req = h.stanzas().remove(0);
    h.feed(&format!(
        "<iq xmlns='jabber:client' type='error' id='{}' from='upload.example.com'><error type='modify'>\
         <not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><file-too-large xmlns='urn:xmpp:http:upload:0'>\
         <max-file-size>10485760</max-file-size></file-too-large></error></iq>",
        req.get_attr("id").unwrap()
    ));
    assert!(matches!(
        h.events().as_slice(),
        [ChatEvent::QueryResult { result: Err(QueryError::Slot(SlotError::FileTooLarge(Some(10_485_760)))), .. }]
    ));
}

#[test]
fn discovery_without_an_upload_service_answers_none() {
    let mut h = Harness::joined();
    h.chat.discover_upload_service(h.now);
    let out = h.stanzas();
    h.feed(&format!(
        "<iq xmlns='jabber:client' type='error' id='{}' from='example.com'><error type='cancel'>\
         <service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
        out[0].get_attr("id").unwrap()
    ));
    h.feed(&format!(
        "<iq xmlns='jabber:client' type='result' id='{}' from='example.com'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>",
        out[1].get_attr("id").unwrap()
    ));
    assert!(matches!(h.events().as_slice(), [ChatEvent::QueryResult { result: Ok(QueryOutcome::UploadService(None)), .. }]));

    let mut fresh = Chat::new("n".into());
    fresh.discover_upload_service(Instant(0));
    assert!(matches!(fresh.poll_event(), Some(ChatEvent::QueryResult { result: Err(QueryError::NoAccount), .. })));
}

#[test]
fn iqs_time_out_and_requests_are_answered() {
    let mut h = Harness::joined();
    let q = h.chat.disco_info(h.now, &jid("agent@example.com/desk"));
    h.stanzas();
    h.advance(29_000);
    assert!(h.events().is_empty());
    h.advance(1_000);
    assert!(matches!(h.events().as_slice(), [ChatEvent::QueryResult { id, result: Err(QueryError::Timeout) }] if *id == q));
    assert_eq!(h.chat.poll_timeout(), None);

    let q = h.chat.disco_info(h.now, &jid("agent@example.com/desk"));
    let id = h.stanzas()[0].get_attr("id").unwrap().to_owned();
    h.feed(&format!(
        "<iq xmlns='jabber:client' type='result' id='{id}' from='agent@example.com/desk'><query xmlns='http://jabber.org/protocol/disco#info'>\
         <feature var='urn:xmpp:receipts'/></query></iq>"
    ));
    assert!(matches!(
        h.events().as_slice(),
        [ChatEvent::QueryResult { id, result: Ok(QueryOutcome::DiscoInfo(info)) }] if *id == q && info.has_feature(ns::RECEIPTS)
    ));

    h.feed("<iq xmlns='jabber:client' type='get' id='p1' from='example.com'><ping xmlns='urn:xmpp:ping'/></iq>");
    h.feed("<iq xmlns='jabber:client' type='set' id='s1' from='agent@example.com/desk'><query xmlns='jabber:iq:roster'/></iq>");
    let out = h.stanzas();
    assert_eq!((out[0].get_attr("type"), out[0].get_attr("id")), (Some("result"), Some("p1")));
    assert_eq!((out[1].get_attr("type"), out[1].get_attr("to")), (Some("error"), Some("agent@example.com/desk")));
}

#[test]
fn presence_changes_reach_joined_rooms() {
    let mut h = Harness::joined();
    assert_eq!(h.chat.presence_show(), "online");
    h.chat.set_presence(Show::Away);
    assert_eq!(h.chat.presence_show(), "away");
    let out = h.stanzas();
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].get_attr("to"), Some("room1@conference.example.com/Customer"));
    assert_eq!(out[0].child_text("show", ns::CLIENT).as_deref(), Some("away"));
}

/// A tiny deterministic generator (xorshift), so the hostile-input test is reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

#[test]
fn hostile_input_never_panics() {
    let mut h = Harness::joined();
    h.chat.send_message(&jid(ROOM), "mine", "normal_text_msg", &[]).unwrap();
    h.chat.discover_upload_service(h.now);
    h.chat.request_upload_slot(h.now, &jid("upload.example.com"), "f", 1, None);
    h.stanzas();
    let huge = "x".repeat(100_000);
    let names = ["message", "presence", "iq", "body", "stream:error", "x"];
    let froms = [ROOM, "room1@conference.example.com/Agent", "room1@conference.example.com/Customer", "", "@@", "example.com", &huge];
    let types = ["groupchat", "error", "unavailable", "get", "set", "result", "chat", "", "subscribe"];
    let ids = ["t-1", "t-2", "t-3", "t-4", "", "a-1", &huge];
    let children = [
        "<body/>",
        "<body>hi</body>",
        "<x xmlns='http://jabber.org/protocol/muc#user'><status code='110'/><status code='201'/><item role='x' jid='@'/></x>",
        "<x xmlns='http://jabber.org/protocol/muc#user'><status code='303'/><item nick=''/></x>",
        "<x xmlns='http://jabber.org/protocol/muc#user'><status code='307'/></x>",
        "<error/>",
        "<error type='cancel'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>",
        "<received xmlns='urn:xmpp:receipts' id=''/>",
        "<received xmlns='urn:xmpp:receipts' id='t-1'/>",
        "<request xmlns='urn:xmpp:receipts'/>",
        "<displayed xmlns='urn:xmpp:chat-markers:0'/>",
        "<delay xmlns='urn:xmpp:delay' stamp='9999-99-99T99:99:99Z'/>",
        "<delay xmlns='urn:xmpp:delay' stamp='2024-02-29T23:59:60.999999999-23:59'/>",
        "<x xmlns='jabber:x:oob'><url>javascript:alert(1)</url></x>",
        "<stanza-id xmlns='urn:xmpp:sid:0' by='room1@conference.example.com'/>",
        "<chat-ended xmlns='urn:exotel:chat:0'/>",
        "<slot xmlns='urn:xmpp:http:upload:0'><put/><get url='ftp://x'/></slot>",
        "<query xmlns='http://jabber.org/protocol/disco#items'><item jid='upload.example.com'/><item/></query>",
        "<query xmlns='http://jabber.org/protocol/disco#info'><feature var='urn:xmpp:http:upload:0'/></query>",
        "<composing xmlns='http://jabber.org/protocol/chatstates'/>",
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..5_000 {
        let mut stanza = Element::new(rng.pick(&names), if round % 7 == 0 { "urn:odd" } else { ns::CLIENT });
        for (attr, values) in [("from", &froms[..]), ("type", &types[..]), ("id", &ids[..])] {
            if rng.next() % 4 != 0 {
                stanza.set_attr(attr, rng.pick(values));
            }
        }
        if rng.next() % 3 == 0 {
            stanza.set_attr("id", &format!("f-{round}"));
        }
        for _ in 0..rng.next() % 4 {
            let mut child = Element::parse(rng.pick(&children)).unwrap();
            if child.ns.is_empty() {
                child.ns = stanza.ns.clone();
            }
            stanza.push(child);
        }
        h.chat.handle_stanza(h.now, &stanza);
        if !h.chat.is_joined(&jid(ROOM)) {
            // Forged removals and errors are honoured; join again so the rest still hits a room.
            h.chat.leave(&jid(ROOM));
            h.chat.join(h.now, &jid(ROOM), "Customer", HistoryRequest::default()).unwrap();
            h.feed(&self_presence("Customer", ""));
        }
        if round % 500 == 0 {
            h.advance(10_000);
            let _ = h.chat.send_marker(&jid(ROOM), "a-1");
        }
        // Outputs stay bounded: the machine never loops on its own output.
        let out = h.stanzas();
        assert!(out.len() <= 4, "{round}: {:?} from {}", out.iter().map(Element::to_xml).collect::<Vec<_>>(), stanza.to_xml());
        h.events();
    }
    // Still a working room afterwards.
    assert!(h.chat.send_message(&jid(ROOM), "still here", "normal_text_msg", &[]).is_ok());
}
