//! The browser adapter: the exported [`Sdk`] class behind `window.exoChat`, and the browser
//! resources it drives (DOM, `fetch`, timers).
//!
//! The shim (`js-shim/exotel-chat-sdk.js`) creates one `Sdk` and forwards every `exoChat` method to
//! it through [`Sdk::call`], after queueing calls made before the module was ready. All state lives in the `Sdk`; there
//! are no other globals. Methods take `&self` and borrow the state only briefly: no borrow is held
//! while a callback waits or across a call into page code, so callbacks may call back into `exoChat`.
//!
//! `on`, `off`, `triggerEvent` and the URL utilities work before `initialize`; methods that talk
//! to the services need it. A second `initialize` throws (`code: "already_initialized"`): the
//! config is fixed for the page's lifetime, reload to change it.

mod actions;
mod client;
mod driver;
mod error;
mod events;
mod handles;
mod http;
mod js;
mod task;
#[cfg(test)]
mod tests;
mod upload;
mod widget;

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Promise};
use wasm_bindgen::prelude::*;

use crate::core::chatstates::ChatState;
use crate::core::config::Config;
use crate::core::http::RequestId;
use crate::core::json::{self, Value};
use crate::core::{media, rest};
use client::Client;
use error::{js_error, method_error, not_initialized, Code};
use events::Listeners;
use task::Reply;
use upload::Uploads;
use widget::{Widget, WidgetOptions};

/// The allocator: talc, for single-threaded WebAssembly (growing the memory as needed), instead
/// of std's dlmalloc: a smaller module for the same job.
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// Everything the SDK holds, behind one `RefCell`.
#[derive(Default)]
struct State {
    /// The validated config; `None` until `initialize` succeeds.
    config: Option<Config>,
    /// The chat widget: icon and panel (removed from the page when the state is dropped).
    widget: Option<Widget>,
    /// Callbacks registered with `on`.
    listeners: Listeners,
    /// The last [`RequestId`] handed to the core.
    last_request: u64,
    /// The XMPP session and what the SDK tracks about it.
    client: Client,
    /// Upload slots handed out and PUTs in flight.
    uploads: Uploads,
    /// The Promises the session settles ([`SessionEvent::Settled`]), by number, with the file
    /// an `uploadFileToConverse` PUTs once it has a slot.
    ///
    /// [`SessionEvent::Settled`]: crate::core::session::SessionEvent::Settled
    pending: Vec<(u64, Reply, Option<web_sys::Blob>)>,
}

/// The SDK instance behind `window.exoChat`. The shim creates one per page. Clones share the
/// state (Promise methods hold one until they settle).
#[wasm_bindgen]
#[derive(Clone)]
pub struct Sdk {
    state: Rc<RefCell<State>>,
    /// The `fetch` captured when the shim loaded, before the page could wrap it.
    fetch: Function,
}

#[wasm_bindgen]
impl Sdk {
    /// A fresh SDK using `fetch` for HTTP (the page's `fetch` when not given).
    #[wasm_bindgen(constructor)]
    pub fn new(fetch: Option<Function>) -> Sdk {
        let fetch = fetch
            .or_else(|| js::prop(&js::global(), "fetch").dyn_into().ok())
            .unwrap_or_else(|| Function::from(JsValue::UNDEFINED));
        Sdk { state: Rc::default(), fetch }
    }

    /// Calls the `exoChat` method named `method` with `args`: the shim's one way in. A single
    /// export instead of one per method keeps the module and its JS glue smaller (each export is
    /// a wrapper on both sides). A name that is no method throws (`bad_argument`).
    pub fn call(&self, method: &str, args: Array) -> Result<JsValue, JsValue> {
        if let Some(result) = self.call_sync(method, &args) {
            return result;
        }
        // One Promise and one settling site for every Promise method (no closure per method).
        let (promise, reply) = Reply::new();
        match self.call_async(method, &args, &reply) {
            Some(result) => {
                if let Err(e) = result {
                    reply.settle(Err(e));
                }
                Ok(promise.into())
            }
            None => Err(bad_argument(method, "no such method")),
        }
    }
}

impl Sdk {
    /// The methods that return at once; `None` for the others.
    fn call_sync(&self, method: &str, args: &Array) -> Option<Result<JsValue, JsValue>> {
        let arg = |i| args.get(i);
        // The methods that return nothing.
        let done = |result: Result<(), JsValue>| result.map(|()| JsValue::UNDEFINED);
        Some(match method {
            "initialize" => done(self.initialize(arg(0))),
            "on" => done(self.on(arg(0), arg(1))),
            "off" => self.off(arg(0), arg(1)).map(JsValue::from),
            "triggerEvent" => done(self.trigger_event(arg(0), arg(1))),
            "isImageUrl" => Ok(self.is_image_url(arg(0)).into()),
            "isAudioUrl" => Ok(self.is_audio_url(arg(0)).into()),
            "isVideoUrl" => Ok(self.is_video_url(arg(0)).into()),
            "isDocumentPdf" => Ok(self.is_document_pdf(arg(0)).into()),
            "getFileName" => Ok(self.get_file_name(arg(0)).into()),
            "logout" => {
                self.logout();
                Ok(JsValue::UNDEFINED)
            }
            "getUserStatus" => Ok(self.get_user_status().into()),
            "leaveRoom" => done(self.leave_room(arg(0))),
            "sendMessage" => self.send_message(arg(0), arg(1), arg(2), arg(3)).map(JsValue::from),
            "receiveMessage" => self.receive_message(arg(0)),
            "sendTypingStatus" => done(self.send_typing_status(arg(0))),
            "sendPausedStatus" => done(self.send_paused_status(arg(0))),
            "sendDisplayedReceipt" => done(self.send_displayed_receipt(arg(0), arg(1))),
            "sendReceiveReceipt" => done(self.send_receive_receipt(arg(0), arg(1))),
            "showConverseChat" => done(self.show_converse_chat()),
            "hideConverseChat" => done(self.hide_converse_chat()),
            _ => return None,
        })
    }

    /// The Promise methods, settling `reply` now or later; `None` for a name that is no method.
    /// An `Err` (a bad argument, a missing session) rejects the Promise.
    fn call_async(&self, method: &str, args: &Array, reply: &Reply) -> Option<Result<(), JsValue>> {
        let arg = |i| args.get(i);
        Some(match method {
            "getFeedbackConfig" => self.get_feedback_config(reply),
            "startChat" => self.start_chat(arg(0), reply),
            "createRoom" => self.create_room(arg(0), arg(1), reply),
            "joinRoom" => self.join_room(arg(0), arg(1), reply),
            "fetchArchivedMessages" => self.fetch_archived_messages(arg(0), reply),
            "disconnectConverse" => self.disconnect_converse(reply),
            "uploadFileToConverse" => self.upload_file_to_converse(arg(0), reply),
            "requestSlotFromConverse" => self.request_slot_from_converse(arg(0), arg(1), arg(2), reply),
            "uploadFile" => self.upload_file(arg(0), arg(1), arg(2), reply),
            "discoverFileUploadJid" => self.discover_file_upload_jid(reply),
            "requestUploadServiceInfo" => self.request_upload_service_info(arg(0), reply),
            "submitFeedbackResponse" => self.submit_feedback_response(arg(0), arg(1), arg(2), reply),
            _ => return None,
        })
    }
}

/// The `exoChat` methods, which [`Sdk::call`] dispatches to by their JS names.
impl Sdk {
    /// `initialize(config)`: merges the defaults, validates (a thrown `Error` names the bad key),
    /// warns once about unknown keys and mounts the chat widget (its icon a child of `<body>`).
    fn initialize(&self, config: JsValue) -> Result<(), JsValue> {
        if self.state.borrow().config.is_some() {
            return Err(js_error(
                Code::AlreadyInitialized,
                "exoChat.initialize was already called; the config is fixed for the page's lifetime (reload to change it)",
            ));
        }
        let config = Config::from_json(&to_json(&config))?;
        if !config.unknown_keys.is_empty() {
            let keys = config.unknown_keys.join(", ");
            js::warn(&format!("exoChat.initialize: ignoring unknown config keys: {keys}"));
        }
        // Read as a property: no `window` or `document` getter to import.
        let document = Some(js::prop(&js::global(), "document"))
            .filter(JsValue::is_object)
            .map(JsValue::unchecked_into::<web_sys::Document>)
            .ok_or_else(|| js_error(Code::NoDocument, "exoChat.initialize needs a page with a document"))?;
        let options = WidgetOptions {
            theme_color: config.theme_color.clone(),
            show_controlbox_by_default: config.show_controlbox_by_default,
            view_mode: config.view_mode.clone(),
            locale: config.locale.clone(),
            container: config.container.clone(),
        };
        // The widget holds the SDK weakly: dropping the SDK drops the widget.
        let widget = Widget::mount(&document, options, Rc::new(self.downgrade()))?;
        let mut state = self.state.borrow_mut();
        state.config = Some(config);
        state.widget = Some(widget);
        Ok(())
    }

    /// `on(eventName, callback)`: adds a callback; many per event, called in registration order.
    fn on(&self, event: JsValue, callback: JsValue) -> Result<(), JsValue> {
        let (event, callback) = event_and_callback("on", event, callback)?;
        self.state.borrow_mut().listeners.add(&event, callback);
        Ok(())
    }

    /// `off(eventName, callback)` (additive): removes the latest registration of `callback`;
    /// returns whether there was one.
    fn off(&self, event: JsValue, callback: JsValue) -> Result<bool, JsValue> {
        let (event, callback) = event_and_callback("off", event, callback)?;
        Ok(self.state.borrow_mut().listeners.remove(&event, &callback))
    }

    /// `triggerEvent(eventName, args)`: calls each callback of the event with `...args` (a value
    /// that is not an array is passed as the only argument; `undefined`/`null` as none).
    fn trigger_event(&self, event: JsValue, args: JsValue) -> Result<(), JsValue> {
        let event = event.as_string().ok_or_else(|| bad_argument("triggerEvent", "eventName must be a string"))?;
        let args = if args.is_undefined() || args.is_null() {
            Array::new()
        } else if Array::is_array(&args) {
            Array::from(&args)
        } else {
            Array::of1(&args)
        };
        self.emit(&event, &args);
        Ok(())
    }

    /// `isImageUrl(url)`.
    fn is_image_url(&self, url: JsValue) -> bool {
        url.as_string().is_some_and(|u| media::is_image_url(&u))
    }

    /// `isAudioUrl(url)`.
    fn is_audio_url(&self, url: JsValue) -> bool {
        url.as_string().is_some_and(|u| media::is_audio_url(&u))
    }

    /// `isVideoUrl(url)`.
    fn is_video_url(&self, url: JsValue) -> bool {
        url.as_string().is_some_and(|u| media::is_video_url(&u))
    }

    /// `isDocumentPdf(url)`.
    fn is_document_pdf(&self, url: JsValue) -> bool {
        url.as_string().is_some_and(|u| media::is_document_pdf(&u))
    }

    /// `getFileName(url)`: the last path segment, percent-decoded; `""` for anything else.
    fn get_file_name(&self, url: JsValue) -> String {
        url.as_string().map(|u| media::file_name(&u)).unwrap_or_default()
    }

    /// `getFeedbackConfig()`: the CMS feedback configuration object, or `null` when the call
    /// fails (network, non-2xx, not JSON). Rejects when `initialize` has not run.
    fn get_feedback_config(&self, reply: &Reply) -> Result<(), JsValue> {
        let reply = reply.clone();
        self.feedback_config("getFeedbackConfig", Box::new(move |config| reply.settle(Ok(config.map_or(JsValue::NULL, |(raw, _)| to_js(&raw))))))
    }

    /// `startChat(params)`: provisioning (REST), BOSH login, room join; resolves with the room
    /// object. Rejects with `{ errorData, roomJid, customerJid }` when XMPP fails after the REST
    /// call succeeded, with the HTTP status text (a string) on a non-2xx answer, with an `Error`
    /// (`network_error`) when the REST call gets no answer.
    fn start_chat(&self, params: JsValue, reply: &Reply) -> Result<(), JsValue> {
        self.provision_and_join(params, reply)
    }

    /// `logout()`: ends the XMPP session (nothing without one).
    fn logout(&self) {
        self.end_session();
    }

    /// `getUserStatus()`: our presence (`"online"`, `"away"`, ...) while connected, else
    /// `"offline"`.
    fn get_user_status(&self) -> String {
        self.user_status()
    }

    /// `createRoom(roomJid, nick)`: joins the room, creating it (as an instant room) when new.
    fn create_room(&self, room_jid: JsValue, nick: JsValue, reply: &Reply) -> Result<(), JsValue> {
        self.enter_room(room_jid, nick, true, reply)
    }

    /// `joinRoom(roomJid, nick)`: resolves with the room object.
    fn join_room(&self, room_jid: JsValue, nick: JsValue, reply: &Reply) -> Result<(), JsValue> {
        self.enter_room(room_jid, nick, false, reply)
    }

    /// `leaveRoom(roomJid)`.
    fn leave_room(&self, room_jid: JsValue) -> Result<(), JsValue> {
        self.leave(room_jid)
    }

    /// `sendMessage(roomJid, body, type, files)`: returns the message's `msgid` (additive), which
    /// `messageStatus` events name.
    fn send_message(&self, room_jid: JsValue, body: JsValue, kind: JsValue, files: JsValue) -> Result<String, JsValue> {
        self.post_message(room_jid, body, kind, files)
    }

    /// `receiveMessage(message)`: fires `messageReceived` with the completed message object and
    /// returns it.
    fn receive_message(&self, message: JsValue) -> Result<JsValue, JsValue> {
        self.inject_message(message)
    }

    /// `fetchArchivedMessages(roomJid)`: replays the REST archive through `messageReceived`
    /// (`archived: true`), in time order, skipping messages already shown.
    fn fetch_archived_messages(&self, room_jid: JsValue, reply: &Reply) -> Result<(), JsValue> {
        self.fetch_archive(room_jid, reply)
    }

    /// `sendTypingStatus(roomJid)`: XEP-0085 `composing` (not repeated while unchanged).
    fn send_typing_status(&self, room_jid: JsValue) -> Result<(), JsValue> {
        self.send_chat_state("sendTypingStatus", room_jid, ChatState::Composing)
    }

    /// `sendPausedStatus(roomJid)`: XEP-0085 `paused`.
    fn send_paused_status(&self, room_jid: JsValue) -> Result<(), JsValue> {
        self.send_chat_state("sendPausedStatus", room_jid, ChatState::Paused)
    }

    /// `sendDisplayedReceipt(roomJid, msgid)`: XEP-0333 `displayed`, once per msgid; fires
    /// `displayedReceipt(roomJid, msgid)`.
    fn send_displayed_receipt(&self, room_jid: JsValue, msgid: JsValue) -> Result<(), JsValue> {
        self.send_ack("sendDisplayedReceipt", room_jid, msgid, true)
    }

    /// `sendReceiveReceipt(roomJid, msgid)`: XEP-0184 `received`, once per msgid; fires
    /// `receiveReceipt(roomJid, msgid)`.
    fn send_receive_receipt(&self, room_jid: JsValue, msgid: JsValue) -> Result<(), JsValue> {
        self.send_ack("sendReceiveReceipt", room_jid, msgid, false)
    }

    /// `showConverseChat(e?)`: shows the widget with its panel open (the icon too, when
    /// `show_controlbox_by_default` hid it). Throws before `initialize`.
    fn show_converse_chat(&self) -> Result<(), JsValue> {
        match &self.state.borrow().widget {
            Some(widget) => {
                widget.show();
                Ok(())
            }
            None => Err(not_initialized("showConverseChat")),
        }
    }

    /// `hideConverseChat(e?)`: closes the panel (the icon stays). Throws before `initialize`.
    fn hide_converse_chat(&self) -> Result<(), JsValue> {
        match &self.state.borrow().widget {
            Some(widget) => {
                widget.hide();
                Ok(())
            }
            None => Err(not_initialized("hideConverseChat")),
        }
    }

    /// `disconnectConverse(e?)`: ends the XMPP session; resolves once it is closed.
    fn disconnect_converse(&self, reply: &Reply) -> Result<(), JsValue> {
        self.disconnect(reply)
    }

    /// `uploadFileToConverse(file)`: the whole XEP-0363 flow; the public GET URL, or `null`.
    fn upload_file_to_converse(&self, file: JsValue, reply: &Reply) -> Result<(), JsValue> {
        self.upload_whole(file, reply)
    }

    /// `requestSlotFromConverse(filename, size, contentType)`: `{ putUrl, getUrl }`, or `null`.
    fn request_slot_from_converse(&self, filename: JsValue, size: JsValue, content_type: JsValue, reply: &Reply) -> Result<(), JsValue> {
        self.request_slot(filename, size, content_type, reply)
    }

    /// `uploadFile(file, putUrl, getUrl)`: HTTP PUT with the slot's headers, reporting
    /// `uploadProgress`; `getUrl` on success, else `null`.
    fn upload_file(&self, file: JsValue, put_url: JsValue, get_url: JsValue, reply: &Reply) -> Result<(), JsValue> {
        self.upload_to_slot(file, put_url, get_url, reply)
    }

    /// `discoverFileUploadJid()`: the XEP-0363 service's JID, or `null`.
    fn discover_file_upload_jid(&self, reply: &Reply) -> Result<(), JsValue> {
        self.discover_upload_jid(reply)
    }

    /// `requestUploadServiceInfo(jid)`: the disco#info result, or `null`.
    fn request_upload_service_info(&self, jid: JsValue, reply: &Reply) -> Result<(), JsValue> {
        self.upload_service_info(jid, reply)
    }

    /// `submitFeedbackResponse(interactionId, chatId, feedback)`: resolves with the fetch
    /// `Response`.
    fn submit_feedback_response(&self, interaction_id: JsValue, chat_id: JsValue, feedback: JsValue, reply: &Reply) -> Result<(), JsValue> {
        self.submit_feedback(interaction_id, chat_id, feedback, reply)
    }
}

impl Sdk {
    /// Calls the callbacks of `event` with `args` spread, holding no borrow while page code runs.
    pub(crate) fn emit(&self, event: &str, args: &Array) {
        let callbacks = self.state.borrow().listeners.snapshot(event);
        events::dispatch(event, &callbacks, args);
    }

    /// The REST settings, or the error of calling `method` before `initialize`.
    fn tenant(&self, method: &str) -> Result<rest::Tenant, JsValue> {
        match &self.state.borrow().config {
            Some(config) => Ok(config.tenant()),
            None => Err(not_initialized(method)),
        }
    }

    /// Runs Promise method `f`, which settles its [`Reply`] now or later; the Promise. An `Err`
    /// from `f` (a bad argument, a missing session) rejects it.
    pub(crate) fn promise(&self, f: &dyn Fn(&Sdk, &Reply) -> Result<(), JsValue>) -> Promise {
        let (promise, reply) = Reply::new();
        if let Err(e) = f(self, &reply) {
            reply.settle(Err(e));
        }
        promise
    }

    fn next_request_id(&self) -> RequestId {
        let mut state = self.state.borrow_mut();
        state.last_request += 1;
        RequestId(state.last_request)
    }
}

/// Checks the `(eventName, callback)` pair of `on`/`off`.
fn event_and_callback(method: &str, event: JsValue, callback: JsValue) -> Result<(String, Function), JsValue> {
    let event = event.as_string().ok_or_else(|| bad_argument(method, "eventName must be a string"))?;
    let callback = callback.dyn_into::<Function>().map_err(|_| bad_argument(method, "callback must be a function"))?;
    Ok((event, callback))
}

fn bad_argument(method: &str, what: &str) -> JsValue {
    method_error(Code::BadArgument, method, &what)
}

/// A page value as JSON (via `JSON.stringify`: functions and `undefined` drop out); `null` when
/// it has no JSON form (a cycle, a BigInt, `undefined` itself).
fn to_json(value: &JsValue) -> Value {
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .and_then(|s| json::parse(&s).ok())
        .unwrap_or(Value::Null)
}

/// A JSON value as a plain JS value.
fn to_js(value: &Value) -> JsValue {
    js_sys::JSON::parse(&value.to_string()).unwrap_or(JsValue::NULL)
}

/// A plain JS object with `fields`, in that order. Built directly, not through a `json!` value
/// and JSON text, which would cost a writer and a `JSON.parse` per object.
fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let object = js_sys::Object::new();
    for (key, value) in fields {
        // Setting a property of a fresh plain object cannot fail.
        js::put(&object, key, value);
    }
    object.into()
}

/// `Some(text)` as a JS string, `None` as `null` (as JSON has it).
fn text_or_null(text: Option<&str>) -> JsValue {
    text.map_or(JsValue::NULL, JsValue::from_str)
}
