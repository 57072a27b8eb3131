//! How the SDK runs work later: [`spawn`] for the one future left (an HTTP exchange, see
//! [`super::http::send`]), [`Reply`] for the Promises the `exoChat` methods return.
//!
//! A Promise method settles its [`Reply`] from a callback (an HTTP answer, a session event)
//! instead of running an `async fn`: every such function would be a state machine of its own,
//! with its own drop glue and its own copy of the executor glue.

use std::future::Future;
use std::pin::Pin;

use js_sys::{Function, Promise};
use wasm_bindgen::JsValue;

/// A boxed future, the one type the executor glue is instantiated for.
pub(crate) type Task<T> = Pin<Box<dyn Future<Output = T>>>;

/// Runs `task` to completion on the page's microtask queue.
pub(crate) fn spawn(task: Task<()>) {
    wasm_bindgen_futures::spawn_local(task);
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
