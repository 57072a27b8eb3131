//! Performs the core's [`HttpRequest`]s with the browser's `fetch`.
//!
//! The `fetch` function is the one the shim captured when the page loaded it (pages and
//! ad-blockers wrap `window.fetch` later). A request runs to its end, its result handed to a
//! callback ([`send`]); its `AbortController` aborts it when its [`Timeout`] fires.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::Function;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Response;

use super::handles::Timeout;
use super::js::{call0, construct, global, message, num, prop, put, string, try_call};
use super::object;
use super::task::settled;
use crate::core::http::{HttpRequest, HttpResponse, TransportError};

/// An `AbortController` that aborts when the request's time is up, and whether it did.
struct Deadline {
    controller: JsValue,
    timed_out: Rc<Cell<bool>>,
    _timer: Timeout,
}

impl Deadline {
    fn new(ms: u64) -> Result<Deadline, TransportError> {
        let controller = construct("AbortController", &JsValue::UNDEFINED).map_err(network)?;
        let timed_out = Rc::new(Cell::new(false));
        let timer = {
            let (controller, timed_out) = (controller.clone(), timed_out.clone());
            Timeout::new(ms, move || {
                timed_out.set(true);
                call0(&controller, "abort");
            })
        };
        Ok(Deadline { controller, timed_out, _timer: timer })
    }

    /// A failure of the request as the core's error: a timeout when the deadline aborted it.
    fn error(&self, err: JsValue) -> TransportError {
        if self.timed_out.get() {
            TransportError::Timeout
        } else {
            network(err)
        }
    }
}

/// What an HTTP exchange's result goes to.
pub(crate) type Done = Box<dyn FnOnce(Result<HttpResponse, TransportError>)>;

/// What a started request goes to: the `Response` once its headers arrived (with the deadline,
/// which keeps running while the body is read), or why there is none.
type Started = Box<dyn FnOnce(Result<(Response, Deadline), TransportError>)>;

/// Sends `req` through `fetch`, reads the whole body as text and hands the result to `done`:
/// the one way the SDK sends the core's requests (BOSH and REST alike).
pub(crate) fn send(fetch: &Function, req: &HttpRequest, done: Done) {
    start(fetch, req, Box::new(move |started| {
        let (response, deadline) = match started {
            Ok(started) => started,
            Err(e) => return done(Err(e)),
        };
        let text = match try_call(&response, "text", &JsValue::UNDEFINED, &JsValue::UNDEFINED) {
            Ok(text) => text,
            Err(e) => return done(Err(deadline.error(e))),
        };
        settled(&text, Box::new(move |body| {
            let body = body.map_err(|e| deadline.error(e));
            let status = num(&response, "status") as u16;
            let status_text = string(&response, "statusText").unwrap_or_default();
            done(body.map(|body| HttpResponse { status, status_text, body: body.as_string().unwrap_or_default() }))
        }));
    }));
}

/// Sends `req` through `fetch` and gives `done` the `Response` as soon as its headers arrived,
/// for the page to read (`submitFeedbackResponse`). The timeout covers the wait for the headers.
pub(crate) fn response(fetch: &Function, req: &HttpRequest, done: Box<dyn FnOnce(Result<Response, TransportError>)>) {
    start(fetch, req, Box::new(move |started| done(started.map(|(response, _)| response))));
}

/// Calls `fetch` for `req` with an abort controller on a deadline; `then` hears when the
/// headers arrived.
fn start(fetch: &Function, req: &HttpRequest, then: Started) {
    let deadline = match Deadline::new(req.timeout_ms) {
        Ok(deadline) => deadline,
        Err(e) => return then(Err(e)),
    };
    // A plain init object, headers a plain object of name: value in order: no `Headers` or
    // `RequestInit` wrappers to import, and no collect into a JS array.
    let headers = js_sys::Object::new();
    for (name, value) in &req.headers {
        // Setting a property of a fresh plain object cannot fail.
        put(&headers, name, &value.into());
    }
    let body = if req.body.is_empty() { JsValue::UNDEFINED } else { JsValue::from_str(&req.body) };
    let signal = prop(&deadline.controller, "signal");
    let init = object(&[("method", req.method.as_str().into()), ("headers", headers.into()), ("body", body), ("signal", signal)]);
    let promise = match fetch.call2(&global(), &JsValue::from_str(&req.url), &init) {
        Ok(promise) => promise,
        Err(e) => return then(Err(deadline.error(e))),
    };
    settled(&promise, Box::new(move |response| {
        then(match response.and_then(JsCast::dyn_into::<Response>) {
            Ok(response) => Ok((response, deadline)),
            Err(e) => Err(deadline.error(e)),
        })
    }));
}

/// A fetch failure as the core's [`TransportError::Network`], keeping the browser's message.
fn network(err: JsValue) -> TransportError {
    TransportError::Network(message(&err).unwrap_or_else(|| "fetch failed".to_owned()))
}
