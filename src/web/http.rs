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

/// Sends `req` through `fetch` and reads the whole body as text.
pub(crate) async fn perform(fetch: &Function, req: &HttpRequest) -> Result<HttpResponse, TransportError> {
    let controller = AbortController::new().map_err(network)?;
    let timed_out = Rc::new(Cell::new(false));
    let _timeout = {
        let (controller, timed_out) = (controller.clone(), timed_out.clone());
        Timeout::new(req.timeout_ms, move || {
            timed_out.set(true);
            controller.abort();
        })
    };
    // Aborting after the body has been read is a no-op, so the guard may drop on every path.
    let guard = AbortOnDrop(controller);
    send(fetch, req, &guard.0).await.map_err(|e| if timed_out.get() { TransportError::Timeout } else { network(e) })
}

async fn send(fetch: &Function, req: &HttpRequest, controller: &AbortController) -> Result<HttpResponse, JsValue> {
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
    let response: Response = JsFuture::from(promise).await?.dyn_into()?;
    let body = JsFuture::from(response.text()?).await?.as_string().unwrap_or_default();
    Ok(HttpResponse { status: response.status(), status_text: response.status_text(), body })
}

/// A fetch failure as the core's [`TransportError::Network`], keeping the browser's message.
fn network(err: JsValue) -> TransportError {
    let message = err.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).or_else(|| err.as_string());
    TransportError::Network(message.unwrap_or_else(|| "fetch failed".to_owned()))
}
