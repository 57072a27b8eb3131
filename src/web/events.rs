//! Event callbacks registered with `exoChat.on`, and the one rule for calling them.
//!
//! The registry only stores callbacks. Dispatch takes a snapshot of an event's callbacks while the
//! SDK state is borrowed, then calls them after the borrow is released: a callback may call back
//! into `exoChat` (register another callback, trigger another event) without a
//! "recursive use of an object" error. A callback that throws is logged and the others still run.

use js_sys::{Array, Function};
use wasm_bindgen::JsValue;

use super::js::{console, try_call};

/// Callbacks by event name, in registration order.
#[derive(Default)]
pub(crate) struct Listeners {
    by_event: Vec<(String, Vec<Function>)>,
}

impl Listeners {
    /// Adds `callback` for `event`; the same function may be added more than once.
    pub(crate) fn add(&mut self, event: &str, callback: Function) {
        match self.by_event.iter_mut().find(|(name, _)| name == event) {
            Some((_, callbacks)) => callbacks.push(callback),
            None => self.by_event.push((event.to_owned(), vec![callback])),
        }
    }

    /// Removes the most recently added registration of `callback` for `event`; `false` if none.
    pub(crate) fn remove(&mut self, event: &str, callback: &Function) -> bool {
        let Some((_, callbacks)) = self.by_event.iter_mut().find(|(name, _)| name == event) else { return false };
        // `===` rather than `Object.is` (the same for functions, and one import less).
        let callback: &JsValue = callback;
        match callbacks.iter().rposition(|f| AsRef::<JsValue>::as_ref(f) == callback) {
            Some(i) => {
                callbacks.remove(i);
                true
            }
            None => false,
        }
    }

    /// The callbacks of `event` as they are now (later changes do not affect a dispatch in progress).
    pub(crate) fn snapshot(&self, event: &str) -> Vec<Function> {
        self.by_event.iter().find(|(name, _)| name == event).map(|(_, cbs)| cbs.clone()).unwrap_or_default()
    }
}

/// Calls each callback with `args` spread as its arguments. Must be called with no `RefCell`
/// borrow of the SDK state held. A throwing callback is reported with `console.error` and skipped.
pub(crate) fn dispatch(event: &str, callbacks: &[Function], args: &Array) {
    for callback in callbacks {
        if let Err(err) = try_call(callback, "apply", &JsValue::UNDEFINED, args) {
            console("error", &format!("exoChat: a \"{event}\" callback threw:").into(), &err);
        }
    }
}
