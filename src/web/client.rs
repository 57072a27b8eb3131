//! The SDK's XMPP side: `startChat`, the room and messaging methods, and the session's events
//! turned into `exoChat` events.
//!
//! One session at a time, run by a [`Driver`]. Each session has a number; its events reach
//! [`Sdk::on_session_event`] only while it is the current one, so a session replaced by a new
//! `startChat` never reports into the new one. Sessions and timers hold the SDK weakly
//! ([`WeakSdk`]): dropping the `Sdk` frees everything.

use std::cell::{RefCell, RefMut};
use std::rc::{Rc, Weak};

use js_sys::{Array, Function};
use wasm_bindgen::{JsCast, JsValue};

use super::driver::{self, now, Driver, Sink};
use super::error::{js_error, method_error, network_error, rest_error, Code};
use super::handles::Timeout;
use super::js::{call, call0, construct, global, prop, put, warn};
use super::task::Reply;
use super::upload::uploaded;
use super::widget::WidgetEvent;
use super::{bad_argument, http, object, text_or_null, to_js, to_json, Sdk, State};
use crate::core::chat::{Chat, ChatError, ChatEvent};
use crate::core::chatstates::ChatState;
use crate::core::config::is_http_url;
use crate::core::connection::{ConnectionConfig, ConnectionError};
use crate::core::decisions;
use crate::core::flows::{Outcome, Start};
use crate::core::jid::Jid;
use crate::core::json::Value;
use crate::core::media;
use crate::core::message::{FileRef, InteractionData, MessageObject};
use crate::core::muc::Occupant;
use crate::core::replay::Shown;
use crate::core::rest::{self, FeedbackConfig, RestError, StartParams};
use crate::core::session::SessionEvent;

/// What the feedback configuration goes to: the raw object and its typed reading, or `None`.
pub(crate) type Configured = Box<dyn FnOnce(Option<(Value, FeedbackConfig)>)>;

/// Delays before the reconnections of a session that failed after being online.
const RECONNECT_DELAYS_MS: [u64; 3] = [1_000, 3_000, 10_000];

/// What the SDK tracks about its XMPP session.
#[derive(Default)]
pub(crate) struct Client {
    /// The session, while it runs.
    session: Option<Driver>,
    /// The number of the current session (the last one started).
    current: u64,
    /// `logout` or `disconnectConverse` was called: the session is closing.
    stopping: bool,
    /// The other occupants of each room we are in: `agentJoined`/`agentLeft` fire on changes,
    /// also when a (re)join finds them already there. (A few rooms of a few occupants: a list
    /// is smaller in wasm than a map.)
    others: Vec<(Jid, Vec<Occupant>)>,
    /// Messages delivered to the page; the archive replay skips them.
    shown: Shown,
    /// The current session has been online (so a failure is worth reconnecting).
    was_online: bool,
    /// Reconnections tried since the session was last online.
    retries: u32,
    /// The pending reconnection.
    retry: Option<Timeout>,
    /// The room `startChat` joined: the chat the widget shows.
    pub(crate) main_room: Option<Jid>,
    /// The ids of the last chat end (the widget's rating form submits with them).
    pub(crate) last_end: Option<InteractionData>,
}

/// An [`Sdk`] that does not keep the SDK alive.
pub(crate) struct WeakSdk {
    state: Weak<RefCell<State>>,
    fetch: Function,
}

impl WeakSdk {
    /// The SDK, unless it was dropped.
    pub(crate) fn upgrade(&self) -> Option<Sdk> {
        Some(Sdk { state: self.state.upgrade()?, fetch: self.fetch.clone() })
    }
}

/// A string argument; numbers are taken as their decimal text (ids often are numbers).
pub(crate) fn string_arg(method: &str, name: &str, value: &JsValue) -> Result<String, JsValue> {
    if let Some(text) = value.as_string() {
        return Ok(text);
    }
    // JS's own number formatting: Rust's float formatting would cost ~20 KB of wasm.
    match value.as_f64().filter(|n| n.is_finite()).and_then(|_| call0(&construct("Number", value).ok()?, "toString").as_string()) {
        Some(text) => Ok(text),
        None => Err(bad_argument(method, &format!("{name} must be a string"))),
    }
}

/// A room JID argument: a string holding a bare JID.
pub(crate) fn room_arg(method: &str, value: &JsValue) -> Result<Jid, JsValue> {
    let text = value.as_string().ok_or_else(|| bad_argument(method, "roomJid must be a string"))?;
    match Jid::parse(text.trim()) {
        Ok(jid) if jid.is_bare() && jid.local().is_some() => Ok(jid),
        _ => Err(bad_argument(method, &format!("`{text}` is not a room JID (room@conference.domain)"))),
    }
}

/// The `files` argument of `sendMessage`: `null`/`undefined`, or `[{ url, name }]` (`name`
/// defaults to the URL's file name).
fn files_arg(method: &str, value: &JsValue) -> Result<Vec<FileRef>, JsValue> {
    if value.is_null() || value.is_undefined() {
        return Ok(Vec::new());
    }
    let bad = || bad_argument(method, "files must be null or an array of { url, name }");
    let Value::Array(items) = to_json(value) else { return Err(bad()) };
    // A loop, not a collect into `Result<Vec<_>, _>` (an instantiation of its own).
    let mut files = Vec::new();
    for f in &items {
        let url = f.get("url").and_then(Value::as_str).filter(|u| !u.trim().is_empty()).ok_or_else(bad)?;
        let name = f.get("name").and_then(Value::as_str).map_or_else(|| media::file_name(url), str::to_owned);
        files.push(FileRef { url: url.to_owned(), name });
    }
    Ok(files)
}

/// A `ChatError` as a thrown error of `method`.
fn chat_error(method: &str, e: &ChatError) -> JsValue {
    let code = if matches!(e, ChatError::NotInRoom(_)) { Code::NotInRoom } else { Code::BadArgument };
    method_error(code, method, e)
}

/// The room object `startChat` and `joinRoom` resolve with: the `fields`, `attributes` with the
/// same values, and `get(name)`, as on a Converse room model.
fn room_object(fields: &Value) -> JsValue {
    // Two objects with the same values, neither sharing the other's `occupants` array.
    let (object, attributes) = (to_js(fields), to_js(fields));
    // `get` is the built-in Reflect.get bound to `attributes`: no closure to keep alive and no
    // `new Function` (which a strict CSP forbids).
    let get = prop(&prop(&global(), "Reflect"), "get");
    put(&object, "get", &call(&get, "bind", &JsValue::NULL, &attributes));
    put(&object, "attributes", &attributes);
    object
}

impl Sdk {
    /// This SDK, held weakly.
    pub(crate) fn downgrade(&self) -> WeakSdk {
        WeakSdk { state: Rc::downgrade(&self.state), fetch: self.fetch.clone() }
    }

    /// Emits `event` with one argument.
    pub(crate) fn emit_value(&self, event: &str, value: &JsValue) {
        self.emit(event, &Array::of1(value));
    }

    fn emit_status(&self, status: &str, reason: Option<String>) {
        self.to_widget(WidgetEvent::Connection { status, reason: reason.as_deref() });
        self.emit_value("connectionStatus", &object(&[("reason", text_or_null(reason.as_deref())), ("status", status.into())]));
    }

    /// The running session, or the error of calling `method` without one.
    pub(crate) fn live(&self, method: &str) -> Result<Driver, JsValue> {
        let state = self.state.borrow();
        match &state.client.session {
            Some(driver) if !state.client.stopping => Ok(driver.clone()),
            _ => Err(method_error(Code::NotConnected, method, &"no chat session (call exoChat.startChat first)")),
        }
    }

    /// Runs a chat command on the running session.
    fn command<R>(&self, method: &str, f: impl FnOnce(&mut Chat) -> Result<R, ChatError>) -> Result<R, JsValue> {
        let driver = self.live(method)?;
        let result = f(driver.session().chat_mut());
        driver.drain();
        result.map_err(|e| chat_error(method, &e))
    }

    /// Starts a new session (stopping the current one); its events come back through
    /// [`Sdk::on_session_event`].
    fn connect(&self, config: ConnectionConfig) -> Driver {
        let (id, old) = {
            let mut state = self.state.borrow_mut();
            let client = &mut state.client;
            client.current += 1;
            client.stopping = false;
            client.was_online = false;
            client.retries = 0;
            client.retry = None;
            client.others.clear();
            (client.current, client.session.take())
        };
        if let Some(old) = old {
            old.session().stop(now());
            old.drain();
        }
        self.emit_status("connecting", None);
        let weak = self.downgrade();
        let sink: Sink = Rc::new(move |event| {
            if let Some(sdk) = weak.upgrade() {
                sdk.on_session_event(id, event);
            }
        });
        let driver = Driver::start(config, self.fetch.clone(), sink);
        self.state.borrow_mut().client.session = Some(driver.clone());
        driver
    }

    /// `startChat(params)`: provisioning, then BOSH login and the room join.
    pub(crate) fn provision_and_join(&self, params: JsValue, reply: &Reply) -> Result<(), JsValue> {
        const M: &str = "startChat";
        let tenant = self.tenant(M)?;
        let params = StartParams::from_json(&to_json(&params)).map_err(|e| js_error(Code::BadArgument, &format!("exoChat.{e}")))?;
        let request = tenant.provision(self.next_request_id(), &params, &rest::uuid_v4(driver::random_bytes()));
        let (sdk, reply) = (self.clone(), reply.clone());
        http::send(&self.fetch, &request, Box::new(move |response| {
            let provisioned = match response.map_err(|e| network_error(M, &e)).and_then(|r| {
                rest::parse_provisioned(&r).map_err(|e| match e {
                    // The contract: a non-2xx rejects with the HTTP status text itself.
                    RestError::Status { status_text, .. } => JsValue::from_str(&status_text),
                    other => rest_error(M, &other),
                })
            }) {
                Ok(provisioned) => provisioned,
                Err(e) => return reply.settle(Err(e)),
            };
            let start = Start {
                room_jid: provisioned.room_jid.clone(),
                customer_jid: provisioned.username.clone(),
                export_transcript_allowed: provisioned.export_transcript_allowed,
            };
            let (Ok(room), Ok(account)) = (Jid::parse(&provisioned.room_jid), Jid::parse(&provisioned.username)) else {
                let why = "the provisioned room or account is not a valid JID";
                return reply.settle(Err(sdk.outcome_error(&Outcome::StartFailed { message: format!("exoChat.{M}: {why}"), room_jid: start.room_jid, customer_jid: start.customer_jid })));
            };
            let bosh_url = sdk.state.borrow().config.as_ref().map(|c| c.converse_bosh_service_url.clone()).unwrap_or_default();
            let driver = sdk.connect(ConnectionConfig::new(&bosh_url, account.bare(), &provisioned.password));
            sdk.state.borrow_mut().client.main_room = Some(room.clone());
            let nick = decisions::customer_nick(&provisioned.name, &params.full_name, &provisioned.username);
            let promise = sdk.wait_for(reply);
            driver.session().join_for(now(), promise, M, &room, &nick, Some(start));
            driver.drain();
        }));
        Ok(())
    }

    /// `joinRoom(roomJid, nick)` (resolves with the room object) or `createRoom(roomJid, nick)`.
    pub(crate) fn enter_room(&self, room: JsValue, nick: JsValue, create: bool, reply: &Reply) -> Result<(), JsValue> {
        let method = if create { "createRoom" } else { "joinRoom" };
        let room = room_arg(method, &room)?;
        let nick = string_arg(method, "nick", &nick)?;
        let driver = self.live(method)?;
        let promise = self.wait_for(reply.clone());
        driver.session().join_for(now(), promise, method, &room, nick.trim(), None);
        driver.drain();
        Ok(())
    }

    /// Keeps `reply` until the session settles it ([`Sdk::settle`]); its number.
    pub(crate) fn wait_for(&self, reply: Reply) -> u64 {
        let promise = self.next_request_id().0;
        self.state.borrow_mut().pending.push((promise, reply, None));
        promise
    }

    /// Performs the end of Promise `promise`.
    fn settle(&self, promise: u64, outcome: Outcome) {
        let found = {
            let pending = &mut self.state.borrow_mut().pending;
            pending.iter().position(|(p, _, _)| *p == promise).map(|i| pending.remove(i))
        };
        let Some((_, reply, file)) = found else { return };
        reply.settle(match outcome {
            Outcome::Done => Ok(JsValue::UNDEFINED),
            Outcome::Value(value) => Ok(to_js(&value)),
            Outcome::Room(fields) => Ok(room_object(&fields)),
            Outcome::Null { method, why } => {
                self.upload_failed(method, file.as_ref(), &why);
                Ok(JsValue::NULL)
            }
            Outcome::Slot { method, slot } => {
                self.remember_slot(&slot);
                match file {
                    Some(file) => return self.put(&file, &slot.put_url, &slot.put_headers, uploaded(method, slot.get_url, reply)),
                    None => Ok(object(&[("getUrl", slot.get_url.into()), ("putUrl", slot.put_url.into())])),
                }
            }
            outcome => Err(self.outcome_error(&outcome)),
        })
    }

    /// A rejection as its JS value.
    fn outcome_error(&self, outcome: &Outcome) -> JsValue {
        match outcome {
            Outcome::Error(code, message) => js_error(*code, message),
            Outcome::StartFailed { message, room_jid, customer_jid } => object(&[
                ("errorData", js_error(Code::XmppFailed, message)),
                ("roomJid", room_jid.as_str().into()),
                ("customerJid", customer_jid.as_str().into()),
            ]),
            _ => JsValue::UNDEFINED,
        }
    }

    /// `leaveRoom(roomJid)`.
    pub(crate) fn leave(&self, room: JsValue) -> Result<(), JsValue> {
        let room = room_arg("leaveRoom", &room)?;
        self.command("leaveRoom", |chat| {
            chat.leave(&room);
            Ok(())
        })?;
        self.state.borrow_mut().client.others.retain(|(r, _)| *r != room);
        Ok(())
    }

    /// `sendMessage(roomJid, body, type, files)`; returns the message's msgid (additive).
    pub(crate) fn post_message(&self, room: JsValue, body: JsValue, kind: JsValue, files: JsValue) -> Result<String, JsValue> {
        const M: &str = "sendMessage";
        let room = room_arg(M, &room)?;
        let body = if body.is_null() || body.is_undefined() { String::new() } else { string_arg(M, "body", &body)? };
        let files = files_arg(M, &files)?;
        let subtype = match kind.as_string() {
            Some(kind) if !kind.trim().is_empty() => kind,
            _ if kind.is_null() || kind.is_undefined() || kind.as_string().is_some() => {
                let default = if files.is_empty() { decisions::SUBTYPE_TEXT } else { decisions::SUBTYPE_MEDIA };
                default.to_owned()
            }
            _ => return Err(bad_argument(M, "type must be \"normal_text_msg\" or \"media_msg\"")),
        };
        if body.trim().is_empty() && files.is_empty() {
            return Err(bad_argument(M, "nothing to send: body is empty and there are no files"));
        }
        self.command(M, |chat| chat.send_message(&room, &body, &subtype, &files))
    }

    /// `sendTypingStatus` / `sendPausedStatus`.
    pub(crate) fn send_chat_state(&self, method: &str, room: JsValue, state: ChatState) -> Result<(), JsValue> {
        let room = room_arg(method, &room)?;
        self.command(method, |chat| chat.send_chat_state(&room, state)).map(drop)
    }

    /// `sendDisplayedReceipt` (`displayed`) / `sendReceiveReceipt`: once per msgid; an empty
    /// msgid (archived messages have none) does nothing.
    pub(crate) fn send_ack(&self, method: &str, room: JsValue, msgid: JsValue, displayed: bool) -> Result<(), JsValue> {
        let room = room_arg(method, &room)?;
        let msgid = string_arg(method, "msgid", &msgid)?;
        if msgid.is_empty() {
            return Ok(());
        }
        self.command(method, |chat| if displayed { chat.send_marker(&room, &msgid) } else { chat.send_receipt(&room, &msgid) })
            .map(drop)
    }

    /// `receiveMessage(message)`: completes the page's object, fires `messageReceived`, returns it.
    pub(crate) fn inject_message(&self, message: JsValue) -> Result<JsValue, JsValue> {
        if !message.is_object() {
            return Err(bad_argument("receiveMessage", "message must be an object"));
        }
        let mut msg = MessageObject::from_value(&to_json(&message));
        msg.complete(now());
        Ok(self.deliver(&msg))
    }

    /// `getUserStatus()`: our presence while connected, else `"offline"`.
    pub(crate) fn user_status(&self) -> String {
        let driver = self.live("getUserStatus").ok();
        let Some(driver) = driver else { return "offline".to_owned() };
        let s = driver.session();
        if s.connection().is_online() { s.chat().presence_show() } else { "offline" }.to_owned()
    }

    /// `logout()`: ends the session (no-op without one).
    pub(crate) fn end_session(&self) {
        if let Ok(driver) = self.live("logout") {
            self.state.borrow_mut().client.stopping = true;
            driver.session().stop(now());
            driver.drain();
        }
    }

    /// `disconnectConverse()`: ends the session; resolves once it is closed.
    pub(crate) fn disconnect(&self, reply: &Reply) -> Result<(), JsValue> {
        let Ok(driver) = self.live("disconnectConverse") else {
            reply.settle(Ok(JsValue::UNDEFINED));
            return Ok(());
        };
        let promise = self.wait_for(reply.clone());
        self.state.borrow_mut().client.stopping = true;
        driver.session().close_for(now(), promise);
        driver.drain();
        Ok(())
    }

    /// Delivers a message to the page (`messageReceived`), remembering it as shown; the JS
    /// object the callbacks got.
    fn deliver(&self, msg: &MessageObject) -> JsValue {
        self.state.borrow_mut().client.shown.remember(msg);
        // The widget lists the messages of its own room only.
        self.to_widget(WidgetEvent::Message(msg));
        let value = to_js(&msg.to_json());
        self.emit("messageReceived", &Array::of1(&value));
        value
    }

    /// `fetchArchivedMessages(roomJid)`: the REST archive, replayed in time order through
    /// `messageReceived` with `archived: true`, without the messages already shown.
    pub(crate) fn fetch_archive(&self, room: JsValue, reply: &Reply) -> Result<(), JsValue> {
        const M: &str = "fetchArchivedMessages";
        let room = room_arg(M, &room)?;
        let request = self.tenant(M)?.archive(self.next_request_id(), &room.to_string());
        let (sdk, reply) = (self.clone(), reply.clone());
        http::send(&self.fetch, &request, Box::new(move |response| {
            let entries = match response.map_err(|e| network_error(M, &e)).and_then(|r| rest::parse_archive(&r).map_err(|e| rest_error(M, &e))) {
                Ok(entries) => entries,
                Err(e) => return reply.settle(Err(e)),
            };
            let (own_nick, own_jid) = match sdk.live(M) {
                Ok(d) => {
                    let s = d.session();
                    (s.chat().nick(&room).map(str::to_owned), s.chat().own_jid().cloned())
                }
                Err(_) => (None, None),
            };
            let now = now();
            let mut archived = Vec::new();
            for entry in &entries {
                let mut msg = MessageObject::from_archived(entry, own_nick.as_deref(), own_jid.as_ref(), now);
                // The archive is this room's, whatever JID an entry names as its sender.
                msg.from_muc = room.to_string();
                archived.push(msg);
            }
            let fresh = sdk.state.borrow_mut().client.shown.replay(archived);
            for msg in &fresh {
                sdk.deliver(msg);
            }
            reply.settle(Ok(JsValue::UNDEFINED));
        }));
        Ok(())
    }

    /// The CMS feedback configuration for `done`: the raw object and its typed reading; `None`
    /// when the call fails.
    pub(crate) fn feedback_config(&self, method: &str, done: Configured) -> Result<(), JsValue> {
        let request = self.tenant(method)?.feedback_config(self.next_request_id());
        http::send(&self.fetch, &request, Box::new(move |response| done(response.ok().and_then(|r| rest::parse_feedback_config(&r).ok()))));
        Ok(())
    }

    /// `submitFeedbackResponse(interactionId, chatId, feedback)`: resolves with the fetch
    /// `Response`.
    pub(crate) fn submit_feedback(&self, interaction_id: JsValue, chat_id: JsValue, feedback: JsValue, reply: &Reply) -> Result<(), JsValue> {
        const M: &str = "submitFeedbackResponse";
        let interaction_id = string_arg(M, "interactionId", &interaction_id)?;
        let chat_id = string_arg(M, "chatId", &chat_id)?;
        let request = self.tenant(M)?.submit_feedback(self.next_request_id(), &interaction_id, &chat_id, &to_json(&feedback));
        let reply = reply.clone();
        http::response(&self.fetch, &request, Box::new(move |response| reply.settle(response.map(JsValue::from).map_err(|e| network_error(M, &e)))));
        Ok(())
    }

    /// After a chat end: the feedback configuration, then the feedback page in a new tab
    /// (`openInNewTab`) or the SDK's own form.
    fn feedback_after_chat_end(&self) {
        let sdk = self.clone();
        let _ = self.feedback_config("getFeedbackConfig", Box::new(move |config| {
            let Some((_, config)) = config.filter(|(_, c)| c.is_feedback_enabled) else { return };
            // Only http(s): the URL comes from a service, and a `javascript:` URL would run here.
            if config.open_in_new_tab && is_http_url(&config.feedback_url) {
                // `noopener`: the feedback page gets no handle on this one. Browsers may block a tab
                // opened without a click (and `noopener` hides whether they did): the chat-ended
                // banner links to the page as well.
                let open = prop(&global(), "open").unchecked_into::<Function>();
                let _ = open.call3(&global(), &config.feedback_url.as_str().into(), &"_blank".into(), &"noopener".into());
                sdk.to_widget(WidgetEvent::FeedbackLink { url: &config.feedback_url });
            } else if !config.open_in_new_tab {
                sdk.to_widget(WidgetEvent::FeedbackForm);
            }
        }));
    }

    /// A session event, from the driver's drain.
    fn on_session_event(&self, id: u64, event: SessionEvent) {
        // A replaced session still settles the Promises that wait on it.
        if let SessionEvent::Settled { promise, outcome } = event {
            return self.settle(promise, outcome);
        }
        if self.state.borrow().client.current != id {
            return;
        }
        match event {
            SessionEvent::Online { .. } => {
                let mut state = self.state.borrow_mut();
                state.client.was_online = true;
                state.client.retries = 0;
                drop(state);
                self.emit_status("online", None);
            }
            SessionEvent::Disconnected(error) => self.on_disconnected(id, error),
            SessionEvent::Chat(event) => self.on_chat_event(event),
            SessionEvent::Settled { .. } => {}
        }
    }

    /// The session ended: a transport failure of a session that was online is retried
    /// ([`RECONNECT_DELAYS_MS`]; the chat rejoins its rooms), anything else ends it.
    fn on_disconnected(&self, id: u64, error: Option<ConnectionError>) {
        let reason = error.as_ref().map(ToString::to_string);
        let delay = {
            let mut state = self.state.borrow_mut();
            let client = &mut state.client;
            let transient = matches!(error, Some(ConnectionError::Bosh(_))) && client.was_online && !client.stopping;
            let delay = RECONNECT_DELAYS_MS.get(client.retries as usize).filter(|_| transient).copied();
            match delay {
                Some(_) => client.retries += 1,
                None => {
                    client.session = None;
                    client.others.clear();
                }
            }
            delay
        };
        let Some(delay) = delay else {
            self.emit_status("offline", reason);
            return;
        };
        self.emit_status("reconnecting", reason);
        let weak = self.downgrade();
        let retry = Timeout::new(delay, move || {
            let Some(sdk) = weak.upgrade() else { return };
            let driver = {
                let state = sdk.state.borrow();
                state.client.session.clone().filter(|_| state.client.current == id)
            };
            if let Some(driver) = driver {
                sdk.emit_status("connecting", None);
                driver.reconnect();
            }
        });
        self.state.borrow_mut().client.retry = Some(retry);
    }

    fn on_chat_event(&self, event: ChatEvent) {
        match event {
            ChatEvent::RoomJoined { room, nick, occupants } => {
                if self.is_widget_room(&room) {
                    self.to_widget(WidgetEvent::RoomJoined { room: &room.to_string(), nick: &nick });
                }
                self.on_room_joined(&room, &nick, occupants);
            }
            ChatEvent::OccupantJoined { room, occupant } => {
                {
                    let mut others = self.others_of(&room);
                    others.retain(|o| o.nick != occupant.nick);
                    others.push(occupant.clone());
                }
                self.emit_occupant("agentJoined", &room, &occupant);
            }
            ChatEvent::OccupantLeft { room, occupant } => {
                self.others_of(&room).retain(|o| o.nick != occupant.nick);
                self.emit_occupant("agentLeft", &room, &occupant);
            }
            ChatEvent::RoomLeft { room, reason, text } => {
                self.state.borrow_mut().client.others.retain(|(r, _)| *r != room);
                let why = text.map_or_else(|| format!("{reason:?}"), |t| format!("{reason:?}: {t}"));
                warn(&format!("exoChat: removed from room {room} ({why})"));
            }
            ChatEvent::Message(msg) => {
                self.deliver(&msg);
            }
            ChatEvent::ChatEnded { room, data } => {
                let value = object(&[
                    ("chatId", data.chat_id.as_str().into()),
                    ("interaction_id", data.interaction_id.as_str().into()),
                    ("roomJid", room.to_string().into()),
                ]);
                self.state.borrow_mut().client.last_end = Some(data);
                if self.is_widget_room(&room) {
                    self.to_widget(WidgetEvent::ChatEnded);
                }
                self.emit_value("chatEnded", &value);
                self.feedback_after_chat_end();
            }
            ChatEvent::ChatState { room, nick, state } => {
                if self.is_widget_room(&room) {
                    self.to_widget(WidgetEvent::Typing { nick: &nick, state: state.as_str() });
                }
                let value = object(&[("nick", nick.into()), ("roomJid", room.to_string().into()), ("state", state.as_str().into())]);
                self.emit_value("typing", &value);
            }
            ChatEvent::ReceiptSent { room, msgid } => self.emit_pair("receiveReceipt", &room, &msgid),
            ChatEvent::MarkerSent { room, msgid } => self.emit_pair("displayedReceipt", &room, &msgid),
            ChatEvent::MessageStatus { room, msgid, status } => {
                if self.is_widget_room(&room) {
                    self.to_widget(WidgetEvent::MessageStatus { msgid: &msgid, status: status.as_str() });
                }
                let value = object(&[("msgid", msgid.into()), ("roomJid", room.to_string().into()), ("status", status.as_str().into())]);
                self.emit_value("messageStatus", &value);
            }
            // Join failures and query results end the session's pending operations
            // (`core::flows`); incoming receipts and markers show as `messageStatus`.
            _ => {}
        }
    }

    /// A (re)join: `agentJoined` for the others found there, `agentLeft` for those gone since.
    fn on_room_joined(&self, room: &Jid, own_nick: &str, mut occupants: Vec<Occupant>) {
        occupants.retain(|o| o.nick != own_nick);
        let before = std::mem::replace(&mut *self.others_of(room), occupants.clone());
        for gone in before.iter().filter(|o| !occupants.iter().any(|n| n.nick == o.nick)) {
            self.emit_occupant("agentLeft", room, gone);
        }
        for new in occupants.iter().filter(|o| !before.iter().any(|b| b.nick == o.nick)) {
            self.emit_occupant("agentJoined", room, new);
        }
    }

    /// The list of the other occupants of `room` (created empty), to change; the borrow must end
    /// before any event is emitted.
    fn others_of(&self, room: &Jid) -> RefMut<'_, Vec<Occupant>> {
        RefMut::map(self.state.borrow_mut(), |state| {
            let others = &mut state.client.others;
            let i = match others.iter().position(|(r, _)| r == room) {
                Some(i) => i,
                None => {
                    others.push((room.clone(), Vec::new()));
                    others.len() - 1
                }
            };
            &mut others[i].1
        })
    }

    fn emit_occupant(&self, event: &str, room: &Jid, o: &Occupant) {
        if self.is_widget_room(room) {
            let nick = o.nick.as_str();
            self.to_widget(if event == "agentJoined" { WidgetEvent::AgentJoined { nick } } else { WidgetEvent::AgentLeft { nick } });
        }
        let value = object(&[
            ("nick", o.nick.as_str().into()),
            ("occupant_id", text_or_null(o.occupant_id.as_deref())),
            ("role", o.role.as_str().into()),
            ("roomJid", room.to_string().into()),
        ]);
        self.emit_value(event, &value);
    }

    fn emit_pair(&self, event: &str, room: &Jid, msgid: &str) {
        self.emit(event, &Array::of2(&room.to_string().into(), &msgid.into()));
    }
}
