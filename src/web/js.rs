//! The SDK's few ways into JavaScript: plain `Reflect` property reads, writes, method calls and
//! constructor calls on the global object and what hangs off it. Both the adapter and the widget
//! use these rather than web-sys's typed methods: each distinct typed method is one more import,
//! wasm wrapper and piece of JS glue in the bundle, while these are shared by every call site.

use js_sys::{Array, Function, Reflect};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

#[wasm_bindgen]
extern "C" {
    // `globalThis` itself: one import, where `js_sys::global` tries four in turn for engines
    // older than any that runs this module.
    #[wasm_bindgen(thread_local_v2, js_name = globalThis)]
    static GLOBAL_THIS: JsValue;
}

/// The global object (`window` in a page).
pub(crate) fn global() -> JsValue {
    GLOBAL_THIS.with(JsValue::clone)
}

/// `object[key]`; `undefined` when `object` is not an object.
pub(crate) fn prop(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &key.into()).unwrap_or_default()
}

/// `object[key]` as a number (0 when it is none).
pub(crate) fn num(object: &JsValue, key: &str) -> f64 {
    prop(object, key).as_f64().unwrap_or(0.0)
}

/// `object[key]` as text, `None` when it is no string.
pub(crate) fn string(object: &JsValue, key: &str) -> Option<String> {
    prop(object, key).as_string()
}

/// What an error says: its `message`, or itself when it is a string (read as a property: no
/// `instanceof Error` check to import).
pub(crate) fn message(err: &JsValue) -> Option<String> {
    string(err, "message").or_else(|| err.as_string())
}

/// Sets `object[key]` (a DOM property: `textContent`, `value`, `scrollTop`).
pub(crate) fn put(object: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(object, &key.into(), value);
}

/// `object[method](a, b)`, or `object[method](a)` when `b` is `undefined` (a variadic method such
/// as `append` would take it for one more argument; an `undefined` `a` reads as a missing
/// optional one); `Err` with what it threw, or when `object` has no such method.
pub(crate) fn try_call(object: &JsValue, method: &str, a: &JsValue, b: &JsValue) -> Result<JsValue, JsValue> {
    let f = prop(object, method).unchecked_into::<Function>();
    if b.is_undefined() { f.call1(object, a) } else { f.call2(object, a, b) }
}

/// [`try_call`], `undefined` when it throws.
pub(crate) fn call(object: &JsValue, method: &str, a: &JsValue, b: &JsValue) -> JsValue {
    try_call(object, method, a, b).unwrap_or_default()
}

/// `object[method]()`.
pub(crate) fn call0(object: &JsValue, method: &str) -> JsValue {
    call(object, method, &JsValue::UNDEFINED, &JsValue::UNDEFINED)
}

/// `object[method](arg)` for the common case of one text argument.
pub(crate) fn call_str(object: &JsValue, method: &str, arg: &str) -> JsValue {
    call(object, method, &arg.into(), &JsValue::UNDEFINED)
}

/// `new globalThis[class](arg)` (no argument when `arg` is `undefined`); `Err` when the browser
/// lacks the class or the constructor throws.
pub(crate) fn construct(class: &str, arg: &JsValue) -> Result<JsValue, JsValue> {
    let args = if arg.is_undefined() { Array::new() } else { Array::of1(arg) };
    Reflect::construct(prop(&global(), class).unchecked_ref::<Function>(), &args)
}

/// `console[level](a, b)` (just `a` when `b` is `undefined`).
pub(crate) fn console(level: &str, a: &JsValue, b: &JsValue) {
    call(&prop(&global(), "console"), level, a, b);
}

/// `console.warn(text)`.
pub(crate) fn warn(text: &str) {
    console("warn", &text.into(), &JsValue::UNDEFINED);
}
