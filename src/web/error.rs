//! Errors at the JS boundary: an `Error` with a readable message and a stable `code` property.

use std::fmt::Display;

use js_sys::Reflect;
use wasm_bindgen::JsValue;

use crate::core::config::ConfigError;
use crate::core::http::TransportError;
use crate::core::rest::RestError;

/// The stable `code` values that errors thrown or rejected by `exoChat` carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Code {
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
    /// A method that needs the XMPP session ran before `startChat` or after it ended.
    NotConnected,
    /// A room method named a room the session is not in.
    NotInRoom,
    /// A request failed at the network level (unreachable, CORS, timeout).
    Network,
    /// A service answered with a non-2xx HTTP status; the error also has a `status` property.
    HttpStatus,
    /// A service answered 2xx with a body that is not what the contract says.
    BadResponse,
    /// The XMPP connection failed (the `errorData` of a `startChat` rejection).
    XmppFailed,
    /// Joining a room failed.
    JoinFailed,
}

impl Code {
    fn as_str(self) -> &'static str {
        match self {
            Code::InvalidConfig => "invalid_config",
            Code::AlreadyInitialized => "already_initialized",
            Code::NotInitialized => "not_initialized",
            Code::BadArgument => "bad_argument",
            Code::NoDocument => "no_document",
            Code::NotConnected => "not_connected",
            Code::NotInRoom => "not_in_room",
            Code::Network => "network_error",
            Code::HttpStatus => "http_status",
            Code::BadResponse => "bad_response",
            Code::XmppFailed => "xmpp_failed",
            Code::JoinFailed => "join_failed",
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

impl From<ConfigError> for JsValue {
    fn from(e: ConfigError) -> JsValue {
        let err = js_error(Code::InvalidConfig, &e.to_string());
        if let Some(key) = e.key() {
            let _ = Reflect::set(&err, &"key".into(), &key.into());
        }
        err
    }
}

/// An `Error` of `exoChat.{method}` with `code`, saying `what` went wrong: one formatting
/// site for every method's errors.
pub(crate) fn method_error(code: Code, method: &str, what: &dyn Display) -> JsValue {
    js_error(code, &format!("exoChat.{method}: {what}"))
}

/// The error of calling `method` before `initialize`.
pub(crate) fn not_initialized(method: &str) -> JsValue {
    method_error(Code::NotInitialized, method, &"call exoChat.initialize(config) first")
}

/// The error of a REST call of `method` that got no answer.
pub(crate) fn network_error(method: &str, e: &TransportError) -> JsValue {
    method_error(Code::Network, method, e)
}

/// The error of a REST call of `method` whose answer cannot be used: `http_status` (with a
/// `status` property) or `bad_response`.
pub(crate) fn rest_error(method: &str, e: &RestError) -> JsValue {
    match e {
        RestError::Status { status, .. } => {
            let err = method_error(Code::HttpStatus, method, e);
            let _ = Reflect::set(&err, &"status".into(), &(*status).into());
            err
        }
        RestError::BadBody(_) => method_error(Code::BadResponse, method, e),
    }
}
