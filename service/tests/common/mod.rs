//! Helpers shared by the service's integration tests: a real HTTP client, the spec's request
//! bodies, waiting on conditions, and a minimal BOSH customer (independent of the SDK).

#![allow(dead_code)] // each test file uses a different part

use std::time::{Duration, Instant};

use exochat_service::process::pid_alive;
use exochat_service::stack::{Stack, StackInfo, StackOptions};
use serde_json::{json, Value};

pub const PREFIX: &str = "/plugins/restapi/v1/xtrm";

/// A stack on free ports, quiet Prosody, fast agent.
pub fn stack() -> Stack {
    Stack::start(StackOptions::default()).expect("the stack starts")
}

/// An HTTP client that returns non-2xx responses instead of errors.
pub fn http() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into()
}

/// Status and JSON body (Null when the body is not JSON).
pub fn answer(mut response: ureq::http::Response<ureq::Body>) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The spec's headers, valid for `info`.
pub fn headers(info: &StackInfo) -> Vec<(&'static str, String)> {
    vec![
        ("Authorization", info.auth_token.clone()),
        ("contactCenterId", info.contact_center_id.to_string()),
        ("Content-Type", "application/json".into()),
    ]
}

/// POST `body` (raw text) to the REST API with `headers`.
pub fn post(info: &StackInfo, path: &str, headers: &[(&str, String)], body: &str) -> (u16, Value) {
    let mut request = http().post(format!("{}{PREFIX}{path}", info.rest_url));
    for (k, v) in headers {
        request = request.header(*k, v);
    }
    answer(request.send(body).unwrap())
}

/// GET from any URL with `headers`.
pub fn get(url: &str, headers: &[(&str, String)]) -> (u16, Value) {
    let mut request = http().get(url);
    for (k, v) in headers {
        request = request.header(*k, v);
    }
    answer(request.call().unwrap())
}

/// The provisioning body exactly as the spec shows it.
pub fn connection_body(name: &str) -> Value {
    json!({
        "requestId": "6f1c1d7e-2b4a-4c7e-9a51-0d2f3e4b5c6d",
        "userEntity": { "name": name, "properties": [
            { "key": "email", "value": "asha@example.com" },
            { "key": "phone", "value": "+919800000000" },
            { "key": "nodeflowId", "value": "5" },
            { "key": "locale", "value": "en" } ] },
        "serviceName": "conference",
        "campaignId": 1,
        "sendInvitations": true,
        "botTransferred": false,
        "additionalInfo": {},
        "botSessionInfo": { "userId": null, "botSessionId": null }
    })
}

/// Provisions a customer; returns the 200 response body.
pub fn provision(info: &StackInfo, name: &str) -> Value {
    let (status, body) = post(info, "/users/connection", &headers(info), &connection_body(name).to_string());
    assert_eq!(status, 200, "{body}");
    body
}

/// Drops `stack`, then checks that every process it started has stopped and every dir it wrote
/// is gone.
pub fn stop_and_check_cleanup(stack: Stack) {
    let (pids, dirs) = (stack.pids(), stack.info().data_dirs.clone());
    drop(stack);
    for pid in pids {
        assert!(!pid_alive(pid), "pid {pid} still running");
    }
    for dir in dirs {
        assert!(!dir.exists(), "{} left behind", dir.display());
    }
}

/// Polls `f` every 20 ms until it returns Some, or panics after `secs` seconds saying `what`.
pub fn wait_for<T>(secs: u64, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(value) = f() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// POSTs one BOSH body as a page would (`text/plain`: no CORS preflight); returns the response text.
pub fn bosh(url: &str, body: &str) -> String {
    http()
        .post(url)
        .header("Content-Type", "text/plain;charset=UTF-8")
        .send(body)
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap()
}

/// A customer speaking BOSH with plain strings: create, PLAIN auth, restart, bind. Enough to join
/// a room and exchange messages; deliberately independent of the SDK's core.
pub struct BoshCustomer {
    url: String,
    sid: String,
    rid: u64,
    /// Every response body received so far, concatenated.
    pub seen: String,
}

impl BoshCustomer {
    /// Creates a session for `jid` and authenticates with PLAIN; returns the customer (not bound
    /// yet), the stream features offered, and the server's answer to `<auth/>`.
    pub fn authenticate(bosh_url: &str, jid: &str, password: &str) -> (BoshCustomer, String, String) {
        let (user, domain) = jid.split_once('@').unwrap();
        let mut c = BoshCustomer { url: bosh_url.into(), sid: String::new(), rid: 4000, seen: String::new() };
        let features = c.raw(&format!(
            "<body xmlns='http://jabber.org/protocol/httpbind' xmlns:xmpp='urn:xmpp:xbosh' rid='{}' to='{domain}' \
             wait='1' hold='1' xmpp:version='1.0'/>",
            c.rid
        ));
        c.sid = features.split("sid='").nth(1).unwrap().split('\'').next().unwrap().to_owned();
        let token = base64_plain(user, password);
        let auth = c.send(&format!("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>{token}</auth>"));
        (c, features, auth)
    }

    /// A customer logged in as `jid`: authenticated with PLAIN, the stream restarted, a resource bound.
    pub fn login(bosh_url: &str, jid: &str, password: &str) -> BoshCustomer {
        let (mut c, _, auth) = BoshCustomer::authenticate(bosh_url, jid, password);
        assert!(auth.contains("<success"), "PLAIN failed: {auth}");
        let domain = jid.split_once('@').unwrap().1;
        c.rid += 1;
        c.raw(&format!(
            "<body xmlns='http://jabber.org/protocol/httpbind' xmlns:xmpp='urn:xmpp:xbosh' rid='{}' sid='{}' \
             to='{domain}' xmpp:restart='true'/>",
            c.rid, c.sid
        ));
        let bound = c.send("<iq type='set' id='b1' xmlns='jabber:client'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>");
        assert!(bound.contains("<jid>"), "bind failed: {bound}");
        c
    }

    fn raw(&mut self, body: &str) -> String {
        let text = bosh(&self.url, body);
        self.seen.push_str(&text);
        text
    }

    /// Sends stanzas (or nothing, to poll) in one BOSH request; returns the response body.
    pub fn send(&mut self, payload: &str) -> String {
        self.rid += 1;
        let body = format!("<body xmlns='http://jabber.org/protocol/httpbind' rid='{}' sid='{}'>{payload}</body>", self.rid, self.sid);
        self.raw(&body)
    }

    /// Enters `room` (a bare JID) as `nick`.
    pub fn join(&mut self, room: &str, nick: &str) {
        self.send(&format!("<presence xmlns='jabber:client' to='{room}/{nick}'><x xmlns='http://jabber.org/protocol/muc'/></presence>"));
    }

    /// Polls until everything received so far satisfies `condition`.
    pub fn wait_until(&mut self, secs: u64, what: &str, condition: impl Fn(&str) -> bool) {
        wait_for(secs, what, || {
            if condition(&self.seen) {
                return Some(());
            }
            self.send("");
            None
        });
    }
}

fn base64_plain(user: &str, password: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("\0{user}\0{password}"))
}
