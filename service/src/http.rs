//! A small HTTP server for the stack's endpoints (REST, CMS, static pages), on tiny_http worker
//! threads, with CORS on every response (pages run on other origins) and one log line per request.

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::log::Log;

/// Request headers the browser may send cross-origin (the SDK's REST headers).
const ALLOWED_HEADERS: &str = "Authorization, contactCenterId, accountId, Content-Type";
/// Largest request body we read (uploads go to Prosody, not here).
const MAX_BODY: u64 = 4 * 1024 * 1024;
/// How often an idle worker checks whether the server is stopping.
const POLL: Duration = Duration::from_millis(100);

/// A request, read whole.
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path, still percent-encoded, without the query.
    pub path: String,
    /// The query string without `?` (empty when none).
    pub query: String,
    /// Header names and values as received.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl Request {
    /// The first header named `name`, compared case-insensitively (as HTTP says).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The path split on `/`, each segment percent-decoded; empty segments dropped.
    pub fn segments(&self) -> Vec<String> {
        self.path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned())
            .collect()
    }

    /// The body parsed as JSON, or a 400 response saying why not.
    pub fn json(&self) -> Result<Value, Response> {
        serde_json::from_slice(&self.body)
            .map_err(|e| Response::error(400, &format!("the body is not valid JSON: {e}")))
    }
}

/// A response to send.
#[derive(Debug, Clone)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// `Content-Type` value.
    pub content_type: String,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl Response {
    /// A JSON response.
    pub fn json(status: u16, value: &Value) -> Response {
        Response::bytes(status, "application/json", value.to_string().into_bytes())
    }

    /// `{"error": reason}` with `status`: every failure says why.
    pub fn error(status: u16, reason: &str) -> Response {
        Response::json(status, &json!({ "error": reason }))
    }

    /// Any bytes with a content type.
    pub fn bytes(status: u16, content_type: &str, body: Vec<u8>) -> Response {
        Response { status, content_type: content_type.to_owned(), headers: Vec::new(), body }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// What a server does with each request; called from several worker threads.
pub type Handler = Arc<dyn Fn(&Request) -> Response + Send + Sync>;

/// A running server on 127.0.0.1; dropping it stops the workers and closes the port.
pub struct HttpServer {
    server: Arc<tiny_http::Server>,
    stop: Arc<AtomicBool>,
    workers: Vec<JoinHandle<()>>,
    port: u16,
}

impl HttpServer {
    /// Listens on 127.0.0.1:`port` (0 = a free port) and serves `handler` on `workers` threads,
    /// logging one line per request as `name`.
    pub fn start(name: &str, port: u16, workers: usize, log: &Log, handler: Handler) -> std::io::Result<HttpServer> {
        let server = tiny_http::Server::http(("127.0.0.1", port))
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::AddrInUse, format!("{name} on port {port}: {e}")))?;
        let port = server.server_addr().to_ip().map_or(port, |a| a.port());
        let server = Arc::new(server);
        let stop = Arc::new(AtomicBool::new(false));
        let workers = (0..workers.max(1))
            .map(|_| {
                let (server, stop, handler, log, name) =
                    (server.clone(), stop.clone(), handler.clone(), log.clone(), name.to_owned());
                std::thread::spawn(move || {
                    while !stop.load(Ordering::SeqCst) {
                        if let Ok(Some(request)) = server.recv_timeout(POLL) {
                            serve(request, &handler, &log, &name);
                        }
                    }
                })
            })
            .collect();
        Ok(HttpServer { server, stop, workers, port })
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.server.unblock();
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

fn serve(mut raw: tiny_http::Request, handler: &Handler, log: &Log, name: &str) {
    let started = Instant::now();
    let headers: Vec<(String, String)> =
        raw.headers().iter().map(|h| (h.field.as_str().to_string(), h.value.as_str().to_owned())).collect();
    let (path, query) = match raw.url().split_once('?') {
        Some((p, q)) => (p.to_owned(), q.to_owned()),
        None => (raw.url().to_owned(), String::new()),
    };
    let mut body = Vec::new();
    let read = raw.as_reader().take(MAX_BODY).read_to_end(&mut body);
    let request = Request { method: raw.method().as_str().to_owned(), path, query, headers, body };

    let response = if read.is_err() {
        Response::error(400, "could not read the request body")
    } else if request.method == "OPTIONS" {
        // CORS preflight: allow what was asked (the SDK's headers, and any the page adds).
        let asked = request.header("Access-Control-Request-Headers").unwrap_or(ALLOWED_HEADERS).to_owned();
        Response::bytes(204, "text/plain", Vec::new())
            .with_header("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS")
            .with_header("Access-Control-Allow-Headers", &asked)
            .with_header("Access-Control-Max-Age", "600")
    } else {
        handler(&request)
    };
    log.line(
        name,
        &format!("{} {} -> {} ({} ms)", request.method, request.path, response.status, started.elapsed().as_millis()),
    );

    let origin = request.header("Origin").unwrap_or("*").to_owned();
    let mut out = tiny_http::Response::from_data(response.body).with_status_code(response.status);
    let mut add = |k: &str, v: &str| {
        if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
            out.add_header(h);
        }
    };
    add("Content-Type", &response.content_type);
    add("Access-Control-Allow-Origin", &origin);
    add("Vary", "Origin");
    add("Access-Control-Expose-Headers", "Content-Type");
    add("Cache-Control", "no-store");
    for (k, v) in &response.headers {
        add(k, v);
    }
    // The client may have gone away; nothing to do about it.
    let _ = raw.respond(out);
}
