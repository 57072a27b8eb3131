//! Adapter tests in headless Chromium (`wasm-bindgen-test`). The SDK is driven through its JS
//! wrapper object, the way the shim and pages call it, so wasm-bindgen's own borrow checks are in
//! the path of the re-entrancy tests.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

use super::http;
use super::task::Reply;
use super::Sdk;
use crate::core::http::{HttpRequest, HttpResponse, Method, RequestId, TransportError};

wasm_bindgen_test_configure!(run_in_browser);

/// A JS function from source (tests only; the SDK itself never evaluates code).
fn js(args: &str, body: &str) -> Function {
    Function::new_with_args(args, body)
}

/// Calls `obj[method](...args)`, returning what it returned or threw.
fn call(obj: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let f: Function = Reflect::get(obj, &method.into()).unwrap().dyn_into().unwrap();
    f.apply(obj, &args.iter().collect::<Array>())
}

/// Calls the `exoChat` method `method` of the SDK object the way the shim does:
/// `sdk.call(method, args)`.
fn exo(sdk: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    call(sdk, "call", &[method.into(), args.iter().collect::<Array>().into()])
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &key.into()).unwrap()
}

fn config(extra: &str) -> JsValue {
    js("", &format!(
        "return {{ chat_service_domain: 'https://omni.example.com:4440', cms_service_domain: 'https://omni.example.com:4433',
                   converse_bosh_service_url: 'https://omni.example.com:4442/http-bind/',
                   auth_token: 'RestrictedToken abc', contactCenterId: 42, {extra} }};"
    ))
    .call0(&JsValue::NULL)
    .unwrap()
}

/// A fresh SDK as the JS object pages see; `free` it at the end to remove its icon.
fn sdk_with_fetch(fetch: Option<Function>) -> JsValue {
    Sdk::new(fetch).into()
}

fn free(sdk: JsValue) {
    call(&sdk, "free", &[]).unwrap();
}

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

#[wasm_bindgen_test]
fn initialize_injects_a_themed_icon_into_body() {
    let sdk = sdk_with_fetch(None);
    exo(&sdk, "initialize", &[config("theme_color: '#ff0000'")]).unwrap();
    let icon = document().get_element_by_id("exotel-chat-icon").expect("icon injected");
    assert_eq!(icon.parent_element().unwrap().tag_name(), "BODY");
    assert!(!icon.has_attribute("hidden"));
    let shadow = icon.shadow_root().expect("open shadow root");
    let button = shadow.query_selector("button").unwrap().expect("a button");
    let background = web_sys::window().unwrap().get_computed_style(&button).unwrap().unwrap();
    assert_eq!(background.get_property_value("background-color").unwrap(), "rgb(255, 0, 0)");
    free(sdk);
    assert!(document().get_element_by_id("exotel-chat-icon").is_none(), "dropping the SDK removes its icon");
}

#[wasm_bindgen_test]
fn show_controlbox_by_default_false_hides_the_icon() {
    let sdk = sdk_with_fetch(None);
    exo(&sdk, "initialize", &[config("show_controlbox_by_default: false")]).unwrap();
    let icon = document().get_element_by_id("exotel-chat-icon").unwrap();
    assert!(icon.has_attribute("hidden"));
    let display = web_sys::window().unwrap().get_computed_style(&icon).unwrap().unwrap();
    assert_eq!(display.get_property_value("display").unwrap(), "none");
    free(sdk);
}

#[wasm_bindgen_test]
fn bad_config_throws_an_error_naming_the_key() {
    let sdk = sdk_with_fetch(None);
    let cases = [
        ("contactCenterId: undefined", "contactCenterId"),
        ("contactCenterId: '42'", "contactCenterId"),
        ("chat_service_domain: 'not a url'", "chat_service_domain"),
        ("show_controlbox_by_default: 'yes'", "show_controlbox_by_default"),
    ];
    for (extra, key) in cases {
        let err = exo(&sdk, "initialize", &[config(extra)]).unwrap_err();
        assert!(err.is_instance_of::<js_sys::Error>());
        let message = get(&err, "message").as_string().unwrap();
        assert!(message.contains(key), "{message}");
        assert_eq!(get(&err, "key").as_string().as_deref(), Some(key));
        assert_eq!(get(&err, "code").as_string().as_deref(), Some("invalid_config"));
    }
    assert!(document().get_element_by_id("exotel-chat-icon").is_none(), "no icon for a refused config");
    // A refused config leaves the SDK uninitialized: a corrected call works, a second one throws.
    exo(&sdk, "initialize", &[config("")]).unwrap();
    let err = exo(&sdk, "initialize", &[config("")]).unwrap_err();
    assert_eq!(get(&err, "code").as_string().as_deref(), Some("already_initialized"));
    free(sdk);
}

#[wasm_bindgen_test]
fn unknown_keys_warn_once() {
    let record = js("", "const seen = []; const orig = console.warn; console.warn = (...a) => seen.push(a.join(' ')); \
                         return { seen, restore: () => { console.warn = orig; } };")
        .call0(&JsValue::NULL)
        .unwrap();
    let sdk = sdk_with_fetch(None);
    let result = exo(&sdk, "initialize", &[config("colour: 'red', size: 3")]);
    call(&record, "restore", &[]).unwrap();
    result.unwrap();
    let seen = Array::from(&get(&record, "seen"));
    assert_eq!(seen.length(), 1);
    let line = seen.get(0).as_string().unwrap();
    assert!(line.contains("colour") && line.contains("size"), "{line}");
    free(sdk);
}

#[wasm_bindgen_test]
fn callbacks_run_in_order_with_spread_args_and_a_throwing_one_is_skipped() {
    let sdk = sdk_with_fetch(None);
    let log = Array::new();
    let make = |tag: &str| js("log", &format!("return (...a) => log.push('{tag}:' + a.join(','));")).call1(&JsValue::NULL, &log).unwrap();
    exo(&sdk, "on", &["messageReceived".into(), make("a")]).unwrap();
    exo(&sdk, "on", &["messageReceived".into(), js("", "throw new Error('page bug');").into()]).unwrap();
    exo(&sdk, "on", &["messageReceived".into(), make("b")]).unwrap();
    exo(&sdk, "on", &["other".into(), make("x")]).unwrap();
    let args: JsValue = ["1", "2"].iter().map(|s| JsValue::from_str(s)).collect::<Array>().into();
    exo(&sdk, "triggerEvent", &["messageReceived".into(), args]).unwrap();
    exo(&sdk, "triggerEvent", &["other".into(), "solo".into()]).unwrap();
    exo(&sdk, "triggerEvent", &["nobody-listens".into(), JsValue::UNDEFINED]).unwrap();
    let got: Vec<String> = log.iter().map(|v| v.as_string().unwrap()).collect();
    assert_eq!(got, ["a:1,2", "b:1,2", "x:solo"]);

    let err = exo(&sdk, "on", &["x".into(), "not a function".into()]).unwrap_err();
    assert_eq!(get(&err, "code").as_string().as_deref(), Some("bad_argument"));
    free(sdk);
}

#[wasm_bindgen_test]
fn callbacks_may_call_back_into_the_sdk() {
    let sdk = sdk_with_fetch(None);
    let log = Array::new();
    // The first callback registers another one and triggers a second event, from inside a dispatch.
    let reentrant = js("sdk, log", "return (n) => { log.push('outer:' + n); \
                                     sdk.call('on', ['ping', (m) => log.push('late:' + m)]); \
                                     sdk.call('triggerEvent', ['pong', [n + 1]]); \
                                     log.push('image:' + sdk.call('isImageUrl', ['a.png'])); };")
        .call2(&JsValue::NULL, &sdk, &log)
        .unwrap();
    let pong = js("log", "return (n) => log.push('pong:' + n);").call1(&JsValue::NULL, &log).unwrap();
    exo(&sdk, "on", &["ping".into(), reentrant.clone()]).unwrap();
    exo(&sdk, "on", &["pong".into(), pong]).unwrap();
    exo(&sdk, "triggerEvent", &["ping".into(), Array::of1(&1.into()).into()]).unwrap();
    let got: Vec<String> = log.iter().map(|v| v.as_string().unwrap()).collect();
    assert_eq!(got, ["outer:1", "pong:2", "image:true"], "a callback added during dispatch waits for the next one");

    assert_eq!(exo(&sdk, "off", &["ping".into(), reentrant.clone()]).unwrap(), JsValue::TRUE);
    assert_eq!(exo(&sdk, "off", &["ping".into(), reentrant]).unwrap(), JsValue::FALSE);
    log.set_length(0);
    exo(&sdk, "triggerEvent", &["ping".into(), Array::of1(&7.into()).into()]).unwrap();
    let got: Vec<String> = log.iter().map(|v| v.as_string().unwrap()).collect();
    assert_eq!(got, ["late:7"]);
    free(sdk);
}

#[wasm_bindgen_test]
fn url_utilities_never_throw() {
    let sdk = sdk_with_fetch(None);
    assert_eq!(exo(&sdk, "isImageUrl", &["https://h/a/PIC.JPEG?x=1#y".into()]).unwrap(), JsValue::TRUE);
    assert_eq!(exo(&sdk, "isAudioUrl", &["https://h/a.mp3".into()]).unwrap(), JsValue::TRUE);
    assert_eq!(exo(&sdk, "isVideoUrl", &["https://h/a.webm".into()]).unwrap(), JsValue::TRUE);
    assert_eq!(exo(&sdk, "isDocumentPdf", &["https://h/a.pdf".into()]).unwrap(), JsValue::TRUE);
    assert_eq!(exo(&sdk, "getFileName", &["https://h/d/my%20file.pdf?q".into()]).unwrap(), "my file.pdf");
    for junk in [JsValue::UNDEFINED, JsValue::NULL, 42.into(), js_sys::Object::new().into()] {
        assert_eq!(exo(&sdk, "isImageUrl", std::slice::from_ref(&junk)).unwrap(), JsValue::FALSE);
        assert_eq!(exo(&sdk, "getFileName", &[junk]).unwrap(), "");
    }
    free(sdk);
}

#[wasm_bindgen_test]
fn a_name_that_is_no_method_throws() {
    let sdk = sdk_with_fetch(None);
    for name in ["initialise", "call", "free", ""] {
        let err = exo(&sdk, name, &[]).unwrap_err();
        assert_eq!(get(&err, "code"), "bad_argument", "{name}");
        assert!(get(&err, "message").as_string().unwrap().contains("no such method"), "{name}");
    }
    free(sdk);
}

#[wasm_bindgen_test]
async fn session_methods_without_a_session() {
    let sdk = sdk_with_fetch(None);
    exo(&sdk, "initialize", &[config("")]).unwrap();
    // Ending nothing is fine; there is no presence to report.
    exo(&sdk, "logout", &[]).unwrap();
    let closed: js_sys::Promise = exo(&sdk, "disconnectConverse", &[]).unwrap().dyn_into().unwrap();
    assert_eq!(JsFuture::from(closed).await.unwrap(), JsValue::UNDEFINED);
    assert_eq!(exo(&sdk, "getUserStatus", &[]).unwrap().as_string().as_deref(), Some("offline"));
    let args = ["r@conference.example.com".into(), "hi".into(), "normal_text_msg".into(), JsValue::NULL];
    let err = exo(&sdk, "sendMessage", &args).unwrap_err();
    assert_eq!(get(&err, "code").as_string().as_deref(), Some("not_connected"));
    // An empty msgid (archived messages have none) is no receipt to send, session or not.
    exo(&sdk, "sendDisplayedReceipt", &["r@conference.example.com".into(), "".into()]).unwrap();
    free(sdk);
}

#[wasm_bindgen_test]
async fn start_chat_rejects_with_the_status_text_or_a_network_error() {
    // No status text (as over HTTP/2): the standard reason phrase stands in.
    let unavailable = js("", "return async () => new Response('busy', { status: 503 });").call0(&JsValue::NULL).unwrap();
    let sdk = sdk_with_fetch(Some(unavailable.dyn_into().unwrap()));
    exo(&sdk, "initialize", &[config("")]).unwrap();
    let params = js("", "return { fullName: 'A', email: 'a@example.com', phone: '1' };").call0(&JsValue::NULL).unwrap();
    let promise: js_sys::Promise = exo(&sdk, "startChat", std::slice::from_ref(&params)).unwrap().dyn_into().unwrap();
    assert_eq!(JsFuture::from(promise).await.unwrap_err().as_string().as_deref(), Some("Service Unavailable"));
    free(sdk);

    let failing = js("", "return () => Promise.reject(new TypeError('Failed to fetch'));").call0(&JsValue::NULL).unwrap();
    let sdk = sdk_with_fetch(Some(failing.dyn_into().unwrap()));
    exo(&sdk, "initialize", &[config("")]).unwrap();
    let promise: js_sys::Promise = exo(&sdk, "startChat", &[params]).unwrap().dyn_into().unwrap();
    let err = JsFuture::from(promise).await.unwrap_err();
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_eq!(get(&err, "code").as_string().as_deref(), Some("network_error"));
    assert!(get(&err, "message").as_string().unwrap().contains("Failed to fetch"));
    free(sdk);
}

#[wasm_bindgen_test]
async fn submit_feedback_resolves_with_the_unread_response_and_posts_the_spec_body() {
    let seen = Array::new();
    let fetch = js("seen", "return async (url, init) => { seen.push(url, init.method, init.body); \
                            return new Response('{\"status\":\"success\"}', { status: 200 }); };")
        .call1(&JsValue::NULL, &seen)
        .unwrap();
    let sdk = sdk_with_fetch(Some(fetch.dyn_into().unwrap()));
    exo(&sdk, "initialize", &[config("")]).unwrap();
    let feedback = js("", "return { score: 5 };").call0(&JsValue::NULL).unwrap();
    let promise: js_sys::Promise = exo(&sdk, "submitFeedbackResponse", &["int-1".into(), "chat-1".into(), feedback]).unwrap().dyn_into().unwrap();
    let response: web_sys::Response = JsFuture::from(promise).await.unwrap().dyn_into().unwrap();
    assert!(!response.body_used(), "the page reads the body");
    assert_eq!(response.status(), 200);
    assert_eq!(seen.get(0).as_string().unwrap(), "https://omni.example.com:4440/plugins/restapi/v1/xtrm/chat-feedback");
    assert_eq!(seen.get(1).as_string().as_deref(), Some("POST"));
    let body = crate::core::json::parse(&seen.get(2).as_string().unwrap()).unwrap();
    assert_eq!(body, crate::core::json::json!({ "campaign_id": 1, "interaction_id": "int-1", "chat_id": "chat-1", "feedback": { "score": 5 } }));
    free(sdk);
}

#[wasm_bindgen_test]
async fn a_reply_settles_its_promise_once() {
    let (promise, reply) = Reply::new();
    reply.settle(Ok(5.into()));
    reply.clone().settle(Err(6.into()));
    assert_eq!(JsFuture::from(promise).await, Ok(5.into()));
    let (promise, reply) = Reply::new();
    reply.settle(Err("no".into()));
    assert_eq!(JsFuture::from(promise).await, Err("no".into()));
}

#[wasm_bindgen_test]
async fn get_feedback_config_goes_through_the_captured_fetch() {
    let seen = Array::new();
    let fetch = js("seen", "return async (url, init) => { seen.push(url, init.method, new Headers(init.headers).get('contactCenterId')); \
                            return new Response('{\"isFeedbackEnabled\":true,\"feedbackUrl\":\"https://f/x\"}', { status: 200 }); };")
        .call1(&JsValue::NULL, &seen)
        .unwrap();
    let sdk = sdk_with_fetch(Some(fetch.dyn_into().unwrap()));
    let before: js_sys::Promise = exo(&sdk, "getFeedbackConfig", &[]).unwrap().dyn_into().unwrap();
    let err = JsFuture::from(before).await.unwrap_err();
    assert_eq!(get(&err, "code").as_string().as_deref(), Some("not_initialized"));

    exo(&sdk, "initialize", &[config("")]).unwrap();
    let promise: js_sys::Promise = exo(&sdk, "getFeedbackConfig", &[]).unwrap().dyn_into().unwrap();
    let value = JsFuture::from(promise).await.unwrap();
    assert_eq!(get(&value, "isFeedbackEnabled"), JsValue::TRUE);
    assert_eq!(get(&value, "feedbackUrl").as_string().as_deref(), Some("https://f/x"));
    assert_eq!(
        seen.get(0).as_string().unwrap(),
        "https://omni.example.com:4433/configuration/cc-list/42/process-list/4/campaigns/1/chat-feedback-schemes-configurations/1_5_webchat"
    );
    assert_eq!(seen.get(1).as_string().as_deref(), Some("GET"));
    assert_eq!(seen.get(2).as_string().as_deref(), Some("42"));
    free(sdk);
}

#[wasm_bindgen_test]
async fn a_request_past_its_timeout_is_aborted() {
    // A fetch that only ever settles by abort, as the real one does for a stalled server.
    let fetch: Function = js("", "return (url, init) => new Promise((_, reject) => \
                                   init.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));")
        .call0(&JsValue::NULL)
        .unwrap()
        .dyn_into()
        .unwrap();
    let req = HttpRequest { id: RequestId(1), method: Method::Post, url: "https://x/".into(), headers: vec![], body: "{}".into(), timeout_ms: 30 };
    assert_eq!(perform(&fetch, &req).await, Err(TransportError::Timeout));

    let failing: Function = js("", "return () => Promise.reject(new TypeError('Failed to fetch'));").call0(&JsValue::NULL).unwrap().dyn_into().unwrap();
    assert_eq!(perform(&failing, &req).await, Err(TransportError::Network("Failed to fetch".into())));
}

/// What [`http::send`] hands its callback for `req`.
async fn perform(fetch: &Function, req: &HttpRequest) -> Result<HttpResponse, TransportError> {
    let result = Rc::new(RefCell::new(None));
    let (promise, reply) = Reply::new();
    let out = result.clone();
    http::send(fetch, req, Box::new(move |r| {
        *out.borrow_mut() = Some(r);
        reply.settle(Ok(JsValue::UNDEFINED));
    }));
    JsFuture::from(promise).await.unwrap();
    result.take().unwrap()
}
