//! Performs the core's [`HttpRequest`]s with the browser's `fetch`.
//!
//! The `fetch` function is the one the shim captured when the page loaded it (pages and
//! ad-blockers wrap `window.fetch` later). A request runs to its end on a task of its own
//! ([`send`]); its `AbortController` aborts it when its [`Timeout`] fires.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Array, Function, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Response};

use super::handles::Timeout;
use super::object;
use super::task::spawn;
use crate::core::http::{HttpRequest, HttpResponse, TransportError};

/// An `AbortController` that aborts when the request's time is up, and whether it did.
struct Deadline {
    controller: AbortController,
    timed_out: Rc<Cell<bool>>,
    _timer: Timeout,
}

impl Deadline {
    fn new(ms: u64) -> Result<Deadline, TransportError> {
        let controller = AbortController::new().map_err(network)?;
        let timed_out = Rc::new(Cell::new(false));
        let timer = {
            let (controller, timed_out) = (controller.clone(), timed_out.clone());
            Timeout::new(ms, move || {
                timed_out.set(true);
                controller.abort();
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

/// Performs `req` on its own task and hands the result to `done`: the one way the SDK sends
/// the core's requests (BOSH and REST alike).
pub(crate) fn send(fetch: Function, req: HttpRequest, done: Done) {
    spawn(Box::pin(async move { done(perform(&fetch, &req).await) }));
}

/// Sends `req` through `fetch` and reads the whole body as text.
pub(crate) async fn perform(fetch: &Function, req: &HttpRequest) -> Result<HttpResponse, TransportError> {
    let deadline = Deadline::new(req.timeout_ms)?;
    let result = async {
        let response = start(fetch, req, &deadline.controller).await?;
        let body = JsFuture::from(response.text()?).await?.as_string().unwrap_or_default();
        Ok(HttpResponse { status: response.status(), status_text: response.status_text(), body })
    };
    result.await.map_err(|e| deadline.error(e))
}

/// Sends `req` through `fetch` and gives back the `Response` as soon as its headers arrived, for
/// the page to read (`submitFeedbackResponse`). The timeout covers the wait for the headers.
pub(crate) async fn response(fetch: &Function, req: &HttpRequest) -> Result<Response, TransportError> {
    let deadline = Deadline::new(req.timeout_ms)?;
    start(fetch, req, &deadline.controller).await.map_err(|e| deadline.error(e))
}

/// Calls `fetch` for `req` with the abort `controller`; resolves when the headers arrived.
async fn start(fetch: &Function, req: &HttpRequest, controller: &AbortController) -> Result<Response, JsValue> {
    // A plain init object, headers as [name, value] pairs in order: no `Headers` or
    // `RequestInit` wrappers to import.
    let headers: Array = req.headers.iter().map(|(name, value)| Array::of2(&name.into(), &value.into())).collect();
    let body = if req.body.is_empty() { JsValue::UNDEFINED } else { JsValue::from_str(&req.body) };
    let init = object(&[("method", req.method.as_str().into()), ("headers", headers.into()), ("body", body), ("signal", controller.signal().into())]);
    let this = web_sys::window().map_or(JsValue::UNDEFINED, JsValue::from);
    let promise: Promise = fetch.call2(&this, &JsValue::from_str(&req.url), &init)?.dyn_into()?;
    JsFuture::from(promise).await?.dyn_into()
}

/// A fetch failure as the core's [`TransportError::Network`], keeping the browser's message.
fn network(err: JsValue) -> TransportError {
    let message = err.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).or_else(|| err.as_string());
    TransportError::Network(message.unwrap_or_else(|| "fetch failed".to_owned()))
}
