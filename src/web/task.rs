//! The SDK's only two ways to run a future: [`spawn`] and [`promise`].
//!
//! `wasm_bindgen_futures::spawn_local` and `future_to_promise` are generic: each future type
//! that reaches them gets its own copy of the executor glue (1-2 KB of wasm each). Every task goes
//! through these two functions as a boxed future instead, so that glue exists once.

use std::future::Future;
use std::pin::Pin;

use js_sys::Promise;
use wasm_bindgen::JsValue;

/// A boxed future, the one type the executor glue is instantiated for.
pub(crate) type Task<T> = Pin<Box<dyn Future<Output = T>>>;

/// Runs `task` to completion on the page's microtask queue.
pub(crate) fn spawn(task: Task<()>) {
    wasm_bindgen_futures::spawn_local(task);
}

/// `task` as a JS Promise: resolved with its `Ok`, rejected with its `Err`.
pub(crate) fn promise(task: Task<Result<JsValue, JsValue>>) -> Promise {
    wasm_bindgen_futures::future_to_promise(task)
}
