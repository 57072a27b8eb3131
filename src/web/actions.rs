//! The SDK side of the widget: what the customer does in it ([`WidgetActions`], carried out with
//! the same code as the public methods) and what the widget is told ([`Sdk::to_widget`]).
//!
//! The widget shows one chat, the one `startChat` (or its pre-chat form) started: room events of
//! other rooms the page joined through the API are not shown there. Failures of an action the
//! customer took go to the console as warnings; the widget shows their effect (a message that
//! never gets `sent`, an upload line saying why).

use wasm_bindgen::JsValue;
use web_sys::File;

use super::client::WeakSdk;
use super::js;
use super::task::{later, settled};
use super::widget::{Action, WidgetActions, WidgetEvent};
use super::{object, Sdk};
use crate::core::chatstates::ChatState;
use crate::core::jid::Jid;

fn warn(what: &str, err: &JsValue) {
    js::warn(&format!("exoChat widget: {what} failed: {}", js::message(err).unwrap_or_default()));
}

impl Sdk {
    /// Tells the widget (when mounted). The widget never calls an action before returning, so the
    /// state may stay borrowed meanwhile.
    pub(crate) fn to_widget(&self, event: WidgetEvent<'_>) {
        if let Some(widget) = &self.state.borrow().widget {
            widget.handle(event);
        }
    }

    /// Whether `room` is the widget's chat (the room `startChat` joined).
    pub(crate) fn is_widget_room(&self, room: &Jid) -> bool {
        self.state.borrow().client.main_room.as_ref() == Some(room)
    }

    /// The widget's room as the JS argument of a room method, or why there is none.
    fn widget_room(&self, what: &str) -> Option<JsValue> {
        // Written out under the borrow: no copy of the JID.
        let room = self.state.borrow().client.main_room.as_ref().map(|r| JsValue::from(r.to_string()));
        if room.is_none() {
            js::warn(&format!("exoChat widget: {what}: no chat yet"));
        }
        room
    }

    /// Uploads `files` one after the other, sending each as a `media_msg` once uploaded.
    fn send_files(&self, mut files: Vec<File>) {
        if files.is_empty() {
            return;
        }
        let file = files.remove(0);
        // Read by property, as the widget reads the DOM: no `File.name` import for one use.
        let name = js::prop(&file, "name");
        let sdk = self.clone();
        let uploaded = self.promise(&|sdk, reply| sdk.upload_whole(file.clone().into(), reply));
        settled(&uploaded, Box::new(move |url| {
            let url = match url {
                Ok(url) => url,
                Err(e) => return warn("uploading a file", &e),
            };
            if let (Some(url), Some(room)) = (url.as_string(), sdk.widget_room("sending a file")) {
                let files = js_sys::Array::of1(&object(&[("name", name), ("url", url.as_str().into())])).into();
                if let Err(e) = sdk.post_message(room, url.into(), "media_msg".into(), files) {
                    warn("sending a file", &e);
                }
            }
            sdk.send_files(files);
        }));
    }

    /// Submits the rating for the last chat end and tells the widget how it went.
    fn send_rating(&self, rating: u8, comment: String) {
        let ended = self.state.borrow().client.last_end.clone();
        let Some(data) = ended else { return self.to_widget(WidgetEvent::FeedbackSubmitted { ok: false }) };
        let feedback = object(&[("comment", comment.into()), ("rating", rating.into())]);
        let sent = self.promise(&|sdk, reply| sdk.submit_feedback(data.interaction_id.as_str().into(), data.chat_id.as_str().into(), feedback.clone(), reply));
        let sdk = self.clone();
        settled(&sent, Box::new(move |response| {
            let ok = match response {
                Ok(response) => js::prop(&response, "ok").is_truthy(),
                Err(e) => {
                    warn("sending the rating", &e);
                    false
                }
            };
            sdk.to_widget(WidgetEvent::FeedbackSubmitted { ok });
        }));
    }
}

impl WidgetActions for WeakSdk {
    fn act(&self, action: Action) {
        let Some(sdk) = self.upgrade() else { return };
        match action {
            Action::Start(full_name, email, phone) => {
                let params = object(&[("email", email.into()), ("fullName", full_name.into()), ("phone", phone.into())]);
                later(Box::new(move || {
                    let started = sdk.promise(&|sdk, reply| sdk.provision_and_join(params.clone(), reply));
                    settled(&started, Box::new(move |room| {
                        let Err(e) = room else { return };
                        // REST failures come before any session event: the form needs to hear of them.
                        let data = js::prop(&e, "errorData");
                        let why = js::message(&data).or_else(|| js::message(&e));
                        sdk.to_widget(WidgetEvent::Connection { status: "offline", reason: why.as_deref() });
                    }));
                }));
            }
            Action::Send(body) => {
                let Some(room) = sdk.widget_room("sending") else { return };
                if let Err(e) = sdk.post_message(room, body.into(), "normal_text_msg".into(), JsValue::NULL) {
                    warn("sending", &e);
                }
            }
            Action::State(state) => {
                let state = if state == "composing" { ChatState::Composing } else { ChatState::Paused };
                let Some(room) = sdk.widget_room("typing") else { return };
                if let Err(e) = sdk.send_chat_state("chatState", room, state) {
                    warn("sending the typing state", &e);
                }
            }
            Action::Files(files) => later(Box::new(move || sdk.send_files(files))),
            Action::Cancel => sdk.cancel_uploads(),
            Action::Displayed(msgid) => {
                let Some(room) = sdk.widget_room("marking displayed") else { return };
                if let Err(e) = sdk.send_ack("sendDisplayedReceipt", room, msgid.into(), true) {
                    warn("marking displayed", &e);
                }
            }
            Action::End => {
                sdk.to_widget(WidgetEvent::ChatEnded);
                later(Box::new(move || drop(sdk.promise(&|sdk, reply| sdk.disconnect(reply)))));
            }
            Action::Feedback(rating, comment) => later(Box::new(move || sdk.send_rating(rating, comment))),
        }
    }
}
