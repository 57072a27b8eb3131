//! HTTP exchanges as plain values: the core asks for a request with [`HttpRequest`], the driver
//! performs it and hands back an [`HttpResponse`] or a [`TransportError`] with the same
//! [`RequestId`].

/// Identifies one request the core asked for, so the driver can return its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

/// HTTP method of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
        }
    }
}

/// A request for the driver to perform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// Returned with the result.
    pub id: RequestId,
    /// The method.
    pub method: Method,
    /// Absolute URL.
    pub url: String,
    /// Headers to send, in order.
    pub headers: Vec<(String, String)>,
    /// Body text (empty for GET).
    pub body: String,
    /// The driver abandons the request after this many milliseconds and reports
    /// [`TransportError::Timeout`].
    pub timeout_ms: u64,
}

/// What the server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Status text (`statusText` in fetch; may be empty over HTTP/2).
    pub status_text: String,
    /// Body text.
    pub body: String,
}

/// Why a request produced no response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// The network failed (DNS, connection refused, CORS, aborted); the text says how.
    Network(String),
    /// No answer within the request's `timeout_ms`.
    Timeout,
}

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TransportError::Network(why) => write!(f, "network error: {why}"),
            TransportError::Timeout => f.write_str("request timed out"),
        }
    }
}
