//! Errors at the JS boundary: an `Error` with a readable message and a stable `code` property.

use std::fmt::Display;

use wasm_bindgen::JsValue;

use super::js::{construct, put};

use crate::core::config::ConfigError;
pub(crate) use crate::core::flows::Code;
use crate::core::http::TransportError;
use crate::core::rest::RestError;

/// A JS `Error` with `message` and `code`.
pub(crate) fn js_error(code: Code, message: &str) -> JsValue {
    let err = construct("Error", &message.into()).unwrap_or_default();
    // Setting a property on a fresh Error object cannot fail.
    put(&err, "code", &code.as_str().into());
    err
}

impl From<ConfigError> for JsValue {
    fn from(e: ConfigError) -> JsValue {
        let err = js_error(Code::InvalidConfig, &e.to_string());
        if let Some(key) = e.key() {
            put(&err, "key", &key.into());
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
            put(&err, "status", &(*status).into());
            err
        }
        RestError::BadBody(_) => method_error(Code::BadResponse, method, e),
    }
}
