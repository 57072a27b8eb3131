//! How the SDK waits for the browser: [`settled`] hears how a JS Promise ended, [`Reply`]
//! settles the Promises the `exoChat` methods return.
//!
//! Work that waits (an HTTP answer, a session event) continues in a callback instead of an
//! `async fn`: every such function would be a state machine of its own with its own drop glue,
//! and the futures executor would be one more library in the module.

use js_sys::{Function, Promise};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsValue;

use super::js::{call, prop};

/// What the outcome of a JS Promise goes to: `Ok(value)` or `Err(reason)`.
pub(crate) type Then = Box<dyn FnOnce(Result<JsValue, JsValue>)>;

/// Calls `then` with the outcome of `promise` once it settles (from a microtask); a value that
/// is no Promise counts as fulfilled with itself.
pub(crate) fn settled(promise: &JsValue, then: Then) {
    // `Promise.allSettled` never rejects, so the one callback always runs, which frees it.
    let callback = Closure::once_into_js(move |outcomes: JsValue| {
        let outcome = prop(&outcomes, "0");
        then(if prop(&outcome, "status") == "fulfilled" { Ok(prop(&outcome, "value")) } else { Err(prop(&outcome, "reason")) })
    });
    let all = Promise::all_settled(&js_sys::Array::of1(promise));
    // `then` of a Promise is a function; calling it does not throw.
    call(&all, "then", &callback, &JsValue::UNDEFINED);
}

/// Calls `f` from a microtask (after the current call into the SDK has returned).
pub(crate) fn later(f: Box<dyn FnOnce()>) {
    settled(&JsValue::UNDEFINED, Box::new(move |_| f()));
}

/// The settling side of a Promise a method returned. Clones settle the same Promise (the
/// first settlement counts, as in JS).
#[derive(Clone)]
pub(crate) struct Reply {
    resolve: Function,
    reject: Function,
}

impl Reply {
    /// A pending Promise and its reply.
    pub(crate) fn new() -> (Promise, Reply) {
        let mut functions = None;
        let promise = Promise::new(&mut |resolve, reject| functions = Some(Reply { resolve, reject }));
        // The executor runs synchronously inside `new Promise`.
        let reply = functions.unwrap_or_else(|| Reply { resolve: Function::from(JsValue::UNDEFINED), reject: Function::from(JsValue::UNDEFINED) });
        (promise, reply)
    }

    /// Resolves with `Ok`, rejects with `Err`.
    pub(crate) fn settle(&self, result: Result<JsValue, JsValue>) {
        let (f, value) = match result {
            Ok(value) => (&self.resolve, value),
            Err(value) => (&self.reject, value),
        };
        // A Promise's resolving functions never throw.
        let _ = f.call1(&JsValue::UNDEFINED, &value);
    }
}
