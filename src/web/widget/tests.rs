//! The widget in headless Chromium: mounted with a recording [`WidgetActions`], fed
//! [`WidgetEvent`]s, checked through its shadow DOM, and driven with real DOM events.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Function;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Document, Element, ShadowRoot};

use super::*;
use crate::core::message::{FileRef, MessageObject, Sender};

wasm_bindgen_test_configure!(run_in_browser);

/// Records every action as a line of text.
#[derive(Default)]
struct Rec(RefCell<Vec<String>>);

impl Rec {
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.borrow_mut())
    }
    fn push(&self, line: String) {
        self.0.borrow_mut().push(line);
    }
}

impl WidgetActions for Rec {
    fn act(&self, action: Action) {
        self.push(match action {
            Action::Start(full_name, email, phone) => format!("start {full_name}|{email}|{phone}"),
            Action::Send(body) => format!("send {body}"),
            Action::State(state) => format!("state {state}"),
            Action::Files(files) => format!("files {}", files.iter().map(|f| f.name()).collect::<Vec<_>>().join(",")),
            Action::Cancel => "cancel".into(),
            Action::Displayed(msgid) => format!("displayed {msgid}"),
            Action::End => "end".into(),
            Action::Feedback(rating, comment) => format!("feedback {rating} {comment}"),
        });
    }
}

fn doc() -> Document {
    web_sys::window().unwrap().document().unwrap()
}

fn options(locale: &str, theme: &str, mode: &str) -> WidgetOptions {
    WidgetOptions {
        theme_color: theme.into(),
        show_controlbox_by_default: true,
        view_mode: mode.into(),
        locale: locale.into(),
        container: (mode == "embedded").then(|| "#exochat-test-box".to_owned()),
    }
}

/// A widget, its recorder and its shadow root. Widgets a failed test left behind (a panic
/// skips their drop) are removed first.
fn mount_with(options: WidgetOptions) -> (Widget, Rc<Rec>, ShadowRoot) {
    js("document.querySelectorAll('#exotel-chat-icon, .exotel-chat-embedded').forEach((e) => e.remove())", &JsValue::NULL, &JsValue::NULL);
    let rec = Rc::new(Rec::default());
    let widget = Widget::mount(&doc(), options, rec.clone()).unwrap();
    let shadow = widget.host.shadow_root().unwrap();
    (widget, rec, shadow)
}

fn mount() -> (Widget, Rc<Rec>, ShadowRoot) {
    mount_with(options("en", "#192d3f", ""))
}

fn q(root: &ShadowRoot, selector: &str) -> Element {
    root.query_selector(selector).unwrap().unwrap_or_else(|| panic!("no {selector}"))
}

fn qa(root: &ShadowRoot, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length()).map(|i| list.get(i).unwrap().dyn_into().unwrap()).collect()
}

fn text_of(e: &Element) -> String {
    e.text_content().unwrap_or_default()
}

/// Runs JS with `el` (and an optional argument) in scope.
fn js(body: &str, el: &JsValue, arg: &JsValue) -> JsValue {
    Function::new_with_args("el, arg", body).call2(&JsValue::NULL, el, arg).unwrap()
}

fn click(e: &Element) {
    js("el.click()", e, &JsValue::NULL);
}

fn submit(form: &Element) {
    js("el.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }))", form, &JsValue::NULL);
}

fn key(e: &Element, key: &str, shift: bool) -> bool {
    let init = js("return { key: el, shiftKey: arg, bubbles: true, cancelable: true, composed: true }", &key.into(), &shift.into());
    js("return el.dispatchEvent(new KeyboardEvent('keydown', arg))", e, &init).as_bool().unwrap()
}

fn type_text(textarea: &Element, value: &str) {
    js("el.value = arg; el.dispatchEvent(new Event('input', { bubbles: true }))", textarea, &value.into());
}

fn computed(e: &Element, property: &str) -> String {
    web_sys::window().unwrap().get_computed_style(e).unwrap().unwrap().get_property_value(property).unwrap()
}

/// Lets queued microtasks (the widget's deferred reports) run.
async fn tick() {
    JsFuture::from(js_sys::Promise::resolve(&JsValue::NULL)).await.unwrap();
    JsFuture::from(js_sys::Promise::new(&mut |ok, _| {
        web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&ok, 0).unwrap();
    }))
    .await
    .unwrap();
}

fn message(msgid: &str, sender: Sender, nick: &str, body: &str) -> MessageObject {
    MessageObject {
        msgid: msgid.into(),
        id: msgid.into(),
        sender,
        nick: nick.into(),
        body: body.into(),
        message: body.into(),
        time: "2026-11-21T10:00:00Z".into(),
        ..MessageObject::default()
    }
}

fn with_files(mut m: MessageObject, files: &[(&str, &str)]) -> MessageObject {
    m.files = Some(files.iter().map(|(url, name)| FileRef { url: (*url).into(), name: (*name).into() }).collect());
    m.subtype = Some("media_msg".into());
    m
}

/// A mounted widget with a chat under way and the panel open.
fn chatting() -> (Widget, Rc<Rec>, ShadowRoot) {
    let (w, rec, root) = mount();
    w.handle(WidgetEvent::RoomJoined { room: "room-1@conference.localhost", nick: "Asha" });
    w.handle(WidgetEvent::Connection { status: "online", reason: None });
    w.show();
    (w, rec, root)
}

#[wasm_bindgen_test]
fn the_icon_is_a_child_of_body_and_opens_the_prechat_form() {
    let (w, rec, root) = mount();
    let host = doc().get_element_by_id(ICON_ID).expect("#exotel-chat-icon");
    assert_eq!(host.parent_element().unwrap().tag_name(), "BODY");
    let icon = q(&root, ".ic");
    assert_eq!(icon.get_attribute("aria-label").as_deref(), Some("Open chat"));
    assert_eq!(computed(&icon, "background-color"), "rgb(25, 45, 63)");
    let panel = q(&root, ".p");
    assert!(panel.has_attribute("hidden"));

    click(&icon);
    assert!(!panel.has_attribute("hidden"));
    assert_eq!(icon.get_attribute("aria-expanded").as_deref(), Some("true"));
    assert_eq!(panel.get_attribute("data-v").as_deref(), Some("pre"));
    assert_eq!(root.active_element().map(|e| e.id()).as_deref(), Some("fn"), "focus moves into the form");
    assert_eq!(computed(&q(&root, ".cp"), "display"), "none", "no composer before a chat exists");

    js("el.querySelector('#fn').value = 'Asha Rao'; el.querySelector('#fe').value = 'asha@example.com'; \
        el.querySelector('#fp').value = '+91 98000 00000'", &root, &JsValue::NULL);
    submit(&q(&root, "form.pre"));
    assert_eq!(rec.take(), ["start Asha Rao|asha@example.com|+91 98000 00000"]);
    assert_eq!(text_of(&q(&root, ".pre .msg")), "Connecting you to an agent…");

    // The chat could not start: the form comes back, saying why.
    w.handle(WidgetEvent::Connection { status: "offline", reason: Some("service unavailable") });
    assert_eq!(panel.get_attribute("data-v").as_deref(), Some("pre"));
    assert!(text_of(&q(&root, ".pre .msg")).contains("service unavailable"));

    submit(&q(&root, "form.pre"));
    rec.take();
    w.handle(WidgetEvent::Connection { status: "connecting", reason: None });
    w.handle(WidgetEvent::RoomJoined { room: "room-1@conference.localhost", nick: "Asha" });
    assert_eq!(panel.get_attribute("data-v").as_deref(), Some("chat"));
    assert_eq!(root.active_element().map(|e| e.tag_name()).as_deref(), Some("TEXTAREA"));

    key(&q(&root, ".p"), "Escape", false);
    assert!(panel.has_attribute("hidden"), "Escape minimises");
    assert_eq!(root.active_element().map(|e| e.class_name()).as_deref(), Some("ic"), "focus returns to the icon");
    drop(w);
    assert!(doc().get_element_by_id(ICON_ID).is_none(), "dropping the widget removes it");
}

/// Today at local noon plus `minutes`, as an ISO time (no test crosses a midnight).
fn today_at(minutes: i32) -> String {
    let noon = js("const d = new Date(); d.setHours(12, 0, 0, 0); return d.getTime()", &JsValue::NULL, &JsValue::NULL);
    crate::core::datetime::format_iso((noon.as_f64().unwrap() as i64 + i64::from(minutes) * 60_000) as u64)
}

#[wasm_bindgen_test]
fn messages_are_grouped_deduplicated_and_placed_by_time() {
    let (w, _rec, root) = chatting();
    let mut m1 = message("a1", Sender::Agent, "Priya", "Hello!");
    m1.time = today_at(1);
    w.handle(WidgetEvent::Message(&m1));
    w.handle(WidgetEvent::Message(&m1));
    let mut m2 = message("a2", Sender::Agent, "Priya", "How can I help?");
    m2.time = today_at(2);
    w.handle(WidgetEvent::Message(&m2));
    let mut mine = message("m1", Sender::Me, "Asha", "My internet is down");
    mine.time = today_at(3);
    w.handle(WidgetEvent::Message(&mine));
    let mut later = message("a3", Sender::Agent, "Priya", "Let me check");
    later.time = today_at(20);
    w.handle(WidgetEvent::Message(&later));
    // History that arrives late lands first; its copy of a live message is dropped.
    let mut old = message("", Sender::Me, "Asha", "Earlier");
    old.time = today_at(-1);
    old.archived = true;
    w.handle(WidgetEvent::Message(&old));
    let mut copy = message("", Sender::Agent, "Priya", "Hello!");
    copy.time = today_at(1);
    copy.archived = true;
    w.handle(WidgetEvent::Message(&copy));

    let mut elsewhere = message("z1", Sender::Agent, "Bot", "other room");
    elsewhere.from_muc = "room-2@conference.localhost".into();
    w.handle(WidgetEvent::Message(&elsewhere));
    let mut injected = message("m7", Sender::Agent, "Asha", "Typed on another tab");
    injected.time = today_at(21);
    injected.from_muc = "room-1@conference.localhost".into();
    w.handle(WidgetEvent::Message(&injected));

    let rows = qa(&root, ".log .row");
    let summary: Vec<(String, bool, String)> =
        rows.iter().map(|r| (r.class_name(), r.has_attribute("data-c"), text_of(&r.query_selector(".tx").unwrap().unwrap()))).collect();
    assert_eq!(
        summary,
        [
            ("row me".into(), false, "Earlier".into()),
            ("row agent".into(), false, "Hello!".into()),
            ("row agent".into(), true, "How can I help?".into()),
            ("row me".into(), false, "My internet is down".into()),
            ("row agent".into(), false, "Let me check".into()),
            ("row me".into(), false, "Typed on another tab".into()),
        ],
        "grouped by sender within five minutes"
    );
    let days: Vec<(bool, String)> = rows.iter().map(|r| r.query_selector(".day").unwrap().unwrap()).map(|d| (d.has_attribute("hidden"), text_of(&d))).collect();
    assert_eq!(days[0], (false, "Today".into()), "the first row carries the date separator");
    assert!(days[1..].iter().all(|(hidden, _)| *hidden));
    assert_eq!(qa(&root, ".log time").len(), 6, "each message shows its time");
    assert!(!text_of(&qa(&root, ".log time")[0]).is_empty());

    w.handle(WidgetEvent::AgentJoined { nick: "Priya" });
    assert_eq!(text_of(&q(&root, "h2")), "Priya", "the header names the agent");
    assert_eq!(text_of(&qa(&root, ".log .sys .bu").pop().unwrap()), "Priya joined the chat");
    w.handle(WidgetEvent::AgentLeft { nick: "Priya" });
    assert_eq!(text_of(&q(&root, "h2")), "Chat with us");
}

#[wasm_bindgen_test]
fn network_strings_stay_text_and_only_http_urls_are_used() {
    let (w, _rec, root) = chatting();
    let xss = "<img src=x onerror=\"window.pwned=1\"><script>window.pwned=2</script>";
    w.handle(WidgetEvent::AgentJoined { nick: xss });
    w.handle(WidgetEvent::Typing { nick: xss, state: "composing" });
    assert!(text_of(&q(&root, ".ty")).starts_with(xss));
    let m = message("x1", Sender::Agent, xss, &format!("{xss} see https://example.com/a?b=1, javascript:alert(1)"));
    w.handle(WidgetEvent::Message(&m));
    let files = with_files(
        message("x2", Sender::Agent, "Priya", ""),
        &[
            ("javascript:alert(1)", "<b onmouseover=alert(1)>evil.pdf</b>"),
            ("https://cdn.example.com/u/photo.PNG?sig=1", "photo.png\"><img src=x>"),
            ("https://cdn.example.com/u/voice.ogg", "voice.ogg"),
            ("https://cdn.example.com/u/clip.mp4", "clip.mp4"),
            ("https://cdn.example.com/u/Invoice%202026.pdf", "Invoice 2026.pdf"),
            ("data:image/png;base64,AAAA", "dot.png"),
        ],
    );
    w.handle(WidgetEvent::Message(&files));
    w.handle(WidgetEvent::UploadDone { name: xss, ok: false, reason: Some("<i>too large</i>") });

    assert!(qa(&root, "script, [onerror], [onmouseover], img[src=x], i").is_empty(), "no markup from the network became elements");
    assert_eq!(text_of(&q(&root, "h2")), xss);
    assert!(text_of(&q(&root, ".er")).contains("<i>too large</i>"));
    let links = qa(&root, "a[href]");
    let hrefs: Vec<String> = links.iter().map(|a| a.get_attribute("href").unwrap()).collect();
    assert_eq!(hrefs, ["https://example.com/a?b=1", "https://cdn.example.com/u/photo.PNG?sig=1", "https://cdn.example.com/u/Invoice%202026.pdf"]);
    for a in &links {
        assert_eq!(a.get_attribute("rel").as_deref(), Some("noopener noreferrer"));
        assert_eq!(a.get_attribute("target").as_deref(), Some("_blank"));
    }
    for e in qa(&root, "[src]") {
        let src = e.get_attribute("src").unwrap();
        assert!(src.starts_with("https://"), "{src}");
    }
    assert_eq!(q(&root, "a.im img").get_attribute("alt").as_deref(), Some("photo.png\"><img src=x>"));
    assert!(q(&root, "audio").has_attribute("controls"));
    assert!(q(&root, "video").has_attribute("controls"));
    let chips: Vec<String> = qa(&root, ".chip").iter().map(text_of).collect();
    assert_eq!(chips, ["<b onmouseover=alert(1)>evil.pdf</b>", "Invoice 2026.pdfPDF", "dot.png"]);
    assert!(js_sys::Reflect::get(&js_sys::global(), &"pwned".into()).unwrap().is_undefined());
}

#[wasm_bindgen_test]
fn own_messages_show_ticks_that_only_move_forward() {
    let (w, _rec, root) = chatting();
    // A status may overtake its message.
    w.handle(WidgetEvent::MessageStatus { msgid: "m1", status: "pending" });
    w.handle(WidgetEvent::Message(&message("m1", Sender::Me, "Asha", "hi")));
    let tick = q(&root, ".me .tk");
    let state = || (tick.get_attribute("data-s").unwrap_or_default(), text_of(&tick));
    assert_eq!(state(), ("pending".into(), "Sending".into()));
    for (status, want) in [("sent", "Sent"), ("delivered", "Delivered"), ("sent", "Delivered"), ("displayed", "Read"), ("failed", "Read")] {
        w.handle(WidgetEvent::MessageStatus { msgid: "m1", status });
        assert_eq!(state().1, want, "after {status}");
    }
    w.handle(WidgetEvent::Message(&message("m2", Sender::Me, "Asha", "again")));
    w.handle(WidgetEvent::MessageStatus { msgid: "m2", status: "failed" });
    assert_eq!(qa(&root, ".me .tk")[1].get_attribute("data-s").as_deref(), Some("failed"));
    assert!(qa(&root, ".agent .tk").is_empty());
}

#[wasm_bindgen_test]
async fn keyboard_sends_states_are_throttled_and_displayed_is_deferred() {
    let (w, rec, root) = chatting();
    let input = q(&root, ".cp textarea");
    type_text(&input, "h");
    type_text(&input, "he");
    type_text(&input, "hello\nthere");
    assert_eq!(rec.take(), ["state composing"], "one composing per burst");
    assert!(key(&input, "Enter", true), "Shift+Enter is left to the textarea (a newline)");
    assert!(rec.take().is_empty());
    assert!(!key(&input, "Enter", false), "Enter is taken");
    assert_eq!(rec.take(), ["send hello\nthere"]);
    assert_eq!(js("return el.value", &input, &JsValue::NULL).as_string().as_deref(), Some(""));
    assert!(!key(&input, "Enter", false));
    assert!(rec.take().is_empty(), "nothing to send");

    w.handle(WidgetEvent::Typing { nick: "Priya", state: "composing" });
    assert_eq!(text_of(&q(&root, ".ty")), "Priya is typing…");
    w.handle(WidgetEvent::Message(&message("a1", Sender::Agent, "Priya", "Sure")));
    assert_eq!(text_of(&q(&root, ".ty")), "", "the message replaces the indicator");
    assert!(rec.take().is_empty(), "handle never calls an action itself");
    tick().await;
    assert_eq!(rec.take(), ["displayed a1"]);
    w.handle(WidgetEvent::Message(&message("a1", Sender::Agent, "Priya", "Sure")));
    tick().await;
    assert!(rec.take().is_empty(), "once per msgid");

    w.hide();
    w.handle(WidgetEvent::Message(&message("a2", Sender::Agent, "Priya", "Still there?")));
    w.handle(WidgetEvent::Message(&message("a3", Sender::Agent, "Priya", "Hello?")));
    tick().await;
    assert!(rec.take().is_empty(), "not displayed while the panel is closed");
    let badge = q(&root, ".bd");
    assert_eq!((badge.has_attribute("hidden"), text_of(&badge)), (false, "2".into()));
    assert_eq!(q(&root, ".ic").get_attribute("aria-label").as_deref(), Some("Open chat, 2 unread"));
    w.show();
    tick().await;
    assert_eq!(rec.take(), ["displayed a2", "displayed a3"]);
    assert!(badge.has_attribute("hidden"));
}

#[wasm_bindgen_test]
fn chat_end_disables_the_input_and_the_rating_form_submits() {
    let (w, rec, root) = chatting();
    click(&q(&root, "[data-a=end]"));
    assert!(!q(&root, ".cf").has_attribute("hidden"), "ending asks first");
    click(&q(&root, "[data-a=yes]"));
    assert_eq!(rec.take(), ["end"]);
    focus(&q(&root, ".cp textarea"));
    w.handle(WidgetEvent::ChatEnded);
    assert!(!q(&root, ".end").has_attribute("hidden"));
    assert_eq!(root.active_element().map(|e| e.class_name()).as_deref(), Some("log"), "focus leaves the disabled composer");
    let input = q(&root, ".cp textarea");
    assert!(input.has_attribute("disabled"));
    assert!(q(&root, "[data-a=att]").has_attribute("disabled"));
    type_text(&input, "too late");
    key(&input, "Enter", false);
    assert!(rec.take().is_empty(), "nothing is sent after the end");

    let link = q(&root, ".end a");
    assert!(link.has_attribute("hidden"), "no feedback page, no link");
    w.handle(WidgetEvent::FeedbackLink { url: "https://feedback.example/form?c=1" });
    assert!(!link.has_attribute("hidden"));
    assert_eq!(link.get_attribute("href").as_deref(), Some("https://feedback.example/form?c=1"));
    assert_eq!(link.get_attribute("target").as_deref(), Some("_blank"));
    assert_eq!(link.get_attribute("rel").as_deref(), Some("noopener noreferrer"));
    assert_eq!(text_of(&link), "Give feedback");

    w.handle(WidgetEvent::FeedbackForm);
    let form = q(&root, "form.fb");
    assert!(!form.has_attribute("hidden"));
    assert_eq!(root.active_element().map(|e| e.id()).as_deref(), Some("r1"), "then the rating form takes it");
    submit(&form);
    assert!(rec.take().is_empty(), "a rating is required");
    assert_eq!(text_of(&q(&root, ".fb .msg")), "Please choose a rating.");
    click(&q(&root, "label[for=r4]"));
    assert_eq!(q(&root, ".stars").get_attribute("data-r").as_deref(), Some("4"));
    let fills: Vec<String> = qa(&root, ".stars svg").iter().map(|s| computed(s, "fill")).collect();
    assert!(fills[..4].iter().all(|f| f != "none") && fills[4] == "none", "four stars filled: {fills:?}");
    js("el.querySelector('#fc').value = '  Quick and kind  '", &root, &JsValue::NULL);
    submit(&form);
    assert_eq!(rec.take(), ["feedback 4 Quick and kind"]);
    w.handle(WidgetEvent::FeedbackSubmitted { ok: false });
    assert!(text_of(&q(&root, ".fb .msg")).starts_with("Your feedback could not be sent"));
    w.handle(WidgetEvent::FeedbackSubmitted { ok: true });
    assert_eq!(text_of(&q(&root, ".fb .msg")), "Thank you for your feedback!");
    assert_eq!(computed(&q(&root, ".fb fieldset"), "display"), "none", "the form gives way to the thanks");
}

#[wasm_bindgen_test]
fn uploads_show_progress_and_can_be_cancelled() {
    let (w, rec, root) = chatting();
    w.handle(WidgetEvent::UploadProgress { name: "report.pdf", loaded: 512.0 * 1024.0, total: 2.0 * 1024.0 * 1024.0 });
    let up = q(&root, ".up");
    assert!(!up.has_attribute("hidden"));
    assert_eq!(text_of(&up.query_selector("span").unwrap().unwrap()), "Uploading report.pdf · 512 KB / 2 MB");
    assert_eq!(q(&root, "progress").get_attribute("value").as_deref(), Some("524288"));
    click(&q(&root, "[data-a=cancel]"));
    assert_eq!(rec.take(), ["cancel"]);
    w.handle(WidgetEvent::UploadDone { name: "report.pdf", ok: false, reason: Some("cancelled") });
    assert!(up.has_attribute("hidden"));
    assert_eq!(text_of(&q(&root, ".er")), "Could not send report.pdf: cancelled");
    let own = with_files(message("m9", Sender::Me, "Asha", ""), &[("https://h/u/report.pdf", "report.pdf")]);
    w.handle(WidgetEvent::Message(&own));
    assert_eq!(text_of(&q(&root, ".chip small")), "PDF · 2 MB", "the chip knows the size of a file sent from here");
}

#[wasm_bindgen_test]
fn hindi_strings_and_a_light_theme_with_readable_text() {
    let (w, _rec, root) = mount_with(options("hi-IN", "#ffeb3b", "fullscreen"));
    assert_eq!(q(&root, ".w").get_attribute("lang").as_deref(), Some("hi"));
    assert_eq!(q(&root, ".ic").get_attribute("aria-label").as_deref(), Some("चैट खोलें"));
    assert_eq!(text_of(&q(&root, "h2")), "हमसे चैट करें");
    w.show();
    let header = q(&root, ".hd");
    assert_eq!(computed(&header, "background-color"), "rgb(255, 235, 59)");
    assert_eq!(computed(&header, "color"), "rgb(17, 17, 17)", "dark text on a light theme");
    let panel = q(&root, ".p");
    let width = doc().document_element().unwrap().client_width();
    assert_eq!(panel.get_bounding_client_rect().width(), f64::from(width), "fullscreen");
}

#[wasm_bindgen_test]
fn named_theme_colours_are_resolved_by_the_browser() {
    let (_w, _rec, root) = mount_with(options("en", "teal", ""));
    assert_eq!(computed(&q(&root, ".ic"), "background-color"), "rgb(0, 128, 128)");
}

#[wasm_bindgen_test]
fn embedded_mode_fills_the_container() {
    let body = doc().body().unwrap();
    let container = doc().create_element("div").unwrap();
    container.set_id("exochat-test-box");
    js("el.style.height = '500px'", &container, &JsValue::NULL);
    body.append_child(&container).unwrap();
    let (w, _rec, root) = mount_with(options("en", "#192d3f", "embedded"));
    assert_eq!(w.host.parent_element().unwrap().id(), "exochat-test-box");
    assert!(doc().get_element_by_id(ICON_ID).unwrap().has_attribute("hidden"), "the icon id stays for pages, hidden");
    let panel = q(&root, ".p");
    assert!(!panel.has_attribute("hidden"));
    assert_eq!(panel.get_bounding_client_rect().height(), 500.0);
    assert_eq!(computed(&q(&root, ".ic"), "display"), "none");
    drop(w);
    assert_eq!(container.child_element_count(), 0);
    container.remove();

    let err = Widget::mount(&doc(), options("en", "#192d3f", "embedded"), Rc::new(Rec::default())).err().unwrap();
    assert_eq!(js_sys::Reflect::get(&err, &"key".into()).unwrap().as_string().as_deref(), Some("container"));
    assert!(doc().get_element_by_id(ICON_ID).is_none(), "a refused mount leaves nothing in the page");
}

#[wasm_bindgen_test]
fn a_customer_reading_older_messages_is_not_scrolled_away() {
    let (w, _rec, root) = chatting();
    for i in 0..30 {
        let mut m = message(&format!("a{i}"), Sender::Agent, "Priya", &format!("line {i}"));
        m.time = today_at(i);
        w.handle(WidgetEvent::Message(&m));
    }
    let log = q(&root, ".log");
    let at_end = |log: &Element| log.scroll_top() + log.client_height() >= log.scroll_height() - 2;
    assert!(log.scroll_height() > log.client_height() * 2, "the list overflows");
    assert!(at_end(&log), "new messages keep the list at its end");
    let pill = q(&root, ".pill");

    js("el.scrollTop = 0; el.dispatchEvent(new Event('scroll'))", &log, &JsValue::NULL);
    let mut m = message("a30", Sender::Agent, "Priya", "are you there?");
    m.time = today_at(31);
    w.handle(WidgetEvent::Message(&m));
    assert_eq!(log.scroll_top(), 0, "the customer reading above is left there");
    assert!(!pill.has_attribute("hidden"), "the pill offers the new message");
    js("window.dispatchEvent(new Event('resize'))", &JsValue::NULL, &JsValue::NULL);
    assert_eq!(log.scroll_top(), 0, "a resize does not move a customer who scrolled up");

    click(&pill);
    assert!(at_end(&log) && pill.has_attribute("hidden"));
    // Our own message always brings the end into view.
    js("el.scrollTop = 0; el.dispatchEvent(new Event('scroll'))", &log, &JsValue::NULL);
    let mut mine = message("m1", Sender::Me, "Asha", "yes");
    mine.time = today_at(40);
    w.handle(WidgetEvent::Message(&mine));
    assert!(at_end(&log));
}

#[wasm_bindgen_test]
fn a_hidden_icon_shows_with_the_panel_on_show() {
    let mut opts = options("en", "#192d3f", "");
    opts.show_controlbox_by_default = false;
    let (w, _rec, root) = mount_with(opts);
    assert_eq!(computed(&w.host, "display"), "none");
    w.show();
    assert_eq!(computed(&w.host, "display"), "block");
    assert!(!q(&root, ".p").has_attribute("hidden"));
    w.hide();
    assert!(q(&root, ".p").has_attribute("hidden"));
    assert_eq!(computed(&w.host, "display"), "block", "hiding the panel keeps the icon");
}

#[wasm_bindgen_test]
fn files_can_be_dropped_pasted_or_picked() {
    let (w, rec, root) = chatting();
    let panel = q(&root, ".p");
    let files = js("const dt = new DataTransfer(); dt.items.add(new File(['x'], 'a.txt')); dt.items.add(new File(['y'], 'b.png')); return dt",
        &JsValue::NULL, &JsValue::NULL);
    let over = js("return el.dispatchEvent(new DragEvent('dragover', { dataTransfer: arg, bubbles: true, cancelable: true }))", &panel, &files);
    assert_eq!(over, JsValue::FALSE, "dragover is accepted (default prevented)");
    assert!(!q(&root, ".dz").has_attribute("hidden"), "the drop overlay shows");
    js("el.dispatchEvent(new DragEvent('drop', { dataTransfer: arg, bubbles: true, cancelable: true }))", &panel, &files);
    assert!(q(&root, ".dz").has_attribute("hidden"));
    assert_eq!(rec.take(), ["files a.txt,b.png"]);
    let pasted = js("return el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: arg, bubbles: true, cancelable: true }))", &q(&root, ".cp textarea"), &files);
    assert_eq!(pasted, JsValue::FALSE);
    assert_eq!(rec.take(), ["files a.txt,b.png"]);
    // Pasting text is left to the textarea.
    let text = js("const dt = new DataTransfer(); dt.setData('text/plain', 'hi'); return dt", &JsValue::NULL, &JsValue::NULL);
    let pasted = js("return el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: arg, bubbles: true, cancelable: true }))", &q(&root, ".cp textarea"), &text);
    assert_eq!(pasted, JsValue::TRUE);
    assert!(rec.take().is_empty());
    // The attach button opens the picker, whose choice is sent.
    let input = q(&root, "input[type=file]");
    js("el.addEventListener('click', (e) => { e.preventDefault(); window.pickerOpened = true; }, { once: true })", &input, &JsValue::NULL);
    click(&q(&root, "[data-a=att]"));
    assert_eq!(js_sys::Reflect::get(&js_sys::global(), &"pickerOpened".into()).unwrap(), JsValue::TRUE);
    js("el.files = arg.files; el.dispatchEvent(new Event('change', { bubbles: true }))", &input, &files);
    assert_eq!(rec.take(), ["files a.txt,b.png"]);
    // After the end, files are refused.
    w.handle(WidgetEvent::ChatEnded);
    js("el.dispatchEvent(new DragEvent('drop', { dataTransfer: arg, bubbles: true, cancelable: true }))", &panel, &files);
    assert!(rec.take().is_empty());
}
