//! Browser resources as handles that release themselves on drop: a pending `setTimeout`, an event
//! listener. Dropping the handle cancels the timer or removes the listener, so a dropped closure is
//! never called (which would throw) and nothing is leaked with `forget()`.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsValue;

use super::js::{call, global};

/// A `setTimeout` that is cleared when the handle is dropped.
pub(crate) struct Timeout {
    /// The timer's id (`undefined` if `setTimeout` failed).
    id: JsValue,
    _closure: Closure<dyn FnMut(JsValue)>,
}

impl Timeout {
    /// Calls `f` once after `ms` milliseconds, unless the handle is dropped first.
    pub(crate) fn new(ms: u64, f: impl FnOnce() + 'static) -> Timeout {
        Timeout::boxed(ms, Box::new(f))
    }

    // Boxed, so the closure glue exists once rather than once per callback type.
    fn boxed(ms: u64, f: Box<dyn FnOnce()>) -> Timeout {
        // The same closure type as an event listener's (`setTimeout` passes no argument, which
        // arrives as `undefined`): one set of closure glue for both.
        let mut f = Some(f);
        let closure = Closure::<dyn FnMut(JsValue)>::wrap(Box::new(move |_| {
            if let Some(f) = f.take() {
                f();
            }
        }));
        // setTimeout takes an i32 delay; longer ones would fire at once, so clamp.
        let delay = i32::try_from(ms).unwrap_or(i32::MAX);
        let id = call(&global(), "setTimeout", closure.as_ref(), &delay.into());
        Timeout { id, _closure: closure }
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        call(&global(), "clearTimeout", &self.id, &JsValue::UNDEFINED);
    }
}

/// An event listener that is removed when the handle is dropped.
pub(crate) struct EventListener {
    target: JsValue,
    event: &'static str,
    closure: Closure<dyn FnMut(JsValue)>,
}

impl EventListener {
    /// Calls `f` on every `event` on `target` until the handle is dropped.
    pub(crate) fn new(target: &JsValue, event: &'static str, f: impl FnMut(JsValue) + 'static) -> EventListener {
        EventListener::boxed(target, event, Box::new(f))
    }

    // Boxed, so the closure glue exists once rather than once per callback type.
    fn boxed(target: &JsValue, event: &'static str, f: Box<dyn FnMut(JsValue)>) -> EventListener {
        let closure = Closure::wrap(f);
        call(target, "addEventListener", &event.into(), closure.as_ref());
        EventListener { target: target.clone(), event, closure }
    }
}

impl Drop for EventListener {
    fn drop(&mut self) {
        call(&self.target, "removeEventListener", &self.event.into(), self.closure.as_ref());
    }
}
