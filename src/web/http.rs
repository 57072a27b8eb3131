//! Performs the core's [`HttpRequest`]s with the browser's `fetch`.
//!
//! The `fetch` function is the one the shim captured when the page loaded it (pages and
//! ad-blockers wrap `window.fetch` later). A request is a future that owns an `AbortController`:
//! its timeout is a [`Timeout`] handle, and dropping the future mid-flight aborts the request.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Function, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, RequestInit, Response};

use super::handles::Timeout;
use crate::core::http::{HttpRequest, HttpResponse, TransportError};

/// Aborts the request when the future that performs it is dropped before it finished.
struct AbortOnDrop(AbortController);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

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

/// Sends `req` through `fetch` and reads the whole body as text.
pub(crate) async fn perform(fetch: &Function, req: &HttpRequest) -> Result<HttpResponse, TransportError> {
    let deadline = Deadline::new(req.timeout_ms)?;
    // Aborting after the body has been read is a no-op, so the guard may drop on every path.
    let guard = AbortOnDrop(deadline.controller.clone());
    let result = async {
        let response = start(fetch, req, &guard.0).await?;
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
    let headers = Headers::new()?;
    for (name, value) in &req.headers {
        headers.append(name, value)?;
    }
    let init = RequestInit::new();
    init.set_method(req.method.as_str());
    init.set_headers(&headers);
    if !req.body.is_empty() {
        init.set_body(&JsValue::from_str(&req.body));
    }
    init.set_signal(Some(&controller.signal()));
    let this = web_sys::window().map_or(JsValue::UNDEFINED, JsValue::from);
    let promise: Promise = fetch.call2(&this, &JsValue::from_str(&req.url), &init)?.dyn_into()?;
    JsFuture::from(promise).await?.dyn_into()
}

/// A fetch failure as the core's [`TransportError::Network`], keeping the browser's message.
fn network(err: JsValue) -> TransportError {
    let message = err.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).or_else(|| err.as_string());
    TransportError::Network(message.unwrap_or_else(|| "fetch failed".to_owned()))
}
