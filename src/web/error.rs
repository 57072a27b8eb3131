//! Errors at the JS boundary: an `Error` with a readable message and a stable `code` property.

use js_sys::Reflect;
use wasm_bindgen::JsValue;

use crate::core::config::ConfigError;

/// The stable `code` values that errors thrown or rejected by `exoChat` carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Code {
    /// The method exists in the contract but this build does not implement it yet.
    NotImplemented,
    /// `initialize` got a config it refuses; the error also has a `key` property.
    InvalidConfig,
    /// `initialize` was called a second time.
    AlreadyInitialized,
    /// A method that needs `initialize` ran before it.
    NotInitialized,
    /// A method got an argument of the wrong type.
    BadArgument,
    /// The page has no DOM the SDK can use (no `document`).
    NoDocument,
}

impl Code {
    fn as_str(self) -> &'static str {
        match self {
            Code::NotImplemented => "not_implemented",
            Code::InvalidConfig => "invalid_config",
            Code::AlreadyInitialized => "already_initialized",
            Code::NotInitialized => "not_initialized",
            Code::BadArgument => "bad_argument",
            Code::NoDocument => "no_document",
        }
    }
}

/// A JS `Error` with `message` and `code`.
pub(crate) fn js_error(code: Code, message: &str) -> JsValue {
    let err: JsValue = js_sys::Error::new(message).into();
    // Setting a property on a fresh Error object cannot fail.
    let _ = Reflect::set(&err, &"code".into(), &code.as_str().into());
    err
}

/// The error of a method the contract has and this build does not implement yet.
pub(crate) fn not_implemented(method: &str) -> JsValue {
    js_error(Code::NotImplemented, &format!("exoChat.{method} is not implemented yet"))
}

impl From<ConfigError> for JsValue {
    fn from(e: ConfigError) -> JsValue {
        let err = js_error(Code::InvalidConfig, &e.to_string());
        if let Some(key) = e.key() {
            let _ = Reflect::set(&err, &"key".into(), &key.into());
        }
        err
    }
}
