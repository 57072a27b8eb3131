//! The simulated agent (`agent/agent.py`, on slixmpp) as a child of the stack, and a client for
//! its control API.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};

use crate::log::Log;
use crate::process::ChildProcess;
use crate::xmpp::XmppServer;
use crate::util::{free_port, random_hex, repo_root, wait_until};

/// The agent's account (local part) and its nick in every room.
pub const AGENT_USER: &str = "agent";
/// The agent's nick in rooms.
pub const AGENT_NICK: &str = "Agent";
/// How long the agent may take to log in and serve its control API.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a control request may take (joining a room waits for the room's answer).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// Why the agent could not be started or asked something.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AgentError {
    /// The venv's Python is missing.
    #[error("{0} not found: run `cargo xtask setup` (it creates .tools/venv with agent/requirements.txt)")]
    NoPython(PathBuf),
    /// The agent's account could not be registered with the XMPP server.
    #[error("registering the agent's account: {0}")]
    Register(#[from] crate::xmpp::XmppError),
    /// No free port, or the process could not be started.
    #[error("starting the agent: {0}")]
    Io(#[from] std::io::Error),
    /// The agent exited before its control API answered (its log lines say why).
    #[error("the agent exited during startup ({0}); see its log lines")]
    Exited(String),
    /// The control API did not answer in time.
    #[error("the agent's control API did not answer within {0:?}")]
    Timeout(Duration),
    /// A control request failed (transport error or non-2xx answer).
    #[error("agent control {what}: {detail}")]
    Control {
        /// The request.
        what: String,
        /// What went wrong.
        detail: String,
    },
}

/// How to run the agent.
#[derive(Clone)]
pub struct AgentOptions {
    /// Control API port; `None` picks a free one.
    pub control_port: Option<u16>,
    /// Pause between the script's steps (greeting, typing, answer), in ms.
    pub delay_ms: u64,
    /// Where its output goes.
    pub log: Log,
}

/// The running agent process; dropping it stops it.
pub struct Agent {
    process: ChildProcess,
    client: AgentClient,
}

impl Agent {
    /// Registers the agent's account with `server`, starts `agent/agent.py` with the venv's Python
    /// (`.tools/venv/bin/python`, or `$EXOCHAT_PYTHON`), and waits until it is online.
    pub fn start(server: &XmppServer, options: &AgentOptions) -> Result<Agent, AgentError> {
        let root = repo_root();
        let python = std::env::var_os("EXOCHAT_PYTHON")
            .map_or_else(|| root.join(".tools/venv/bin/python"), PathBuf::from);
        if !python.exists() {
            return Err(AgentError::NoPython(python));
        }
        let password = random_hex(12);
        server.register(AGENT_USER, &password)?;
        let port = options.control_port.map_or_else(free_port, Ok)?;

        let mut cmd = Command::new(&python);
        cmd.arg(root.join("agent/agent.py"))
            .args(["--jid", &format!("{AGENT_USER}@{}", server.host())])
            .args(["--password", &password])
            .args(["--nick", AGENT_NICK])
            .args(["--c2s-port", &server.c2s_port().to_string()])
            .args(["--muc-domain", server.muc_host()])
            .args(["--upload-domain", server.upload_host()])
            .args(["--control-port", &port.to_string()])
            .args(["--delay-ms", &options.delay_ms.to_string()])
            .arg("--exit-on-stdin-eof")
            // Lines as they happen, and no __pycache__ left in the repo.
            .env("PYTHONUNBUFFERED", "1")
            .env("PYTHONDONTWRITEBYTECODE", "1");
        let process = ChildProcess::spawn("agent", cmd, &options.log, None)?;
        let client = AgentClient::new(&format!("http://127.0.0.1:{port}"));

        let mut exited = None;
        let ready = wait_until(START_TIMEOUT, Duration::from_millis(50), || {
            exited = process.exit_status();
            exited.is_some() || client.online()
        });
        if let Some(status) = exited {
            return Err(AgentError::Exited(status.to_string()));
        }
        if !ready {
            return Err(AgentError::Timeout(START_TIMEOUT));
        }
        Ok(Agent { process, client })
    }

    /// A client for its control API.
    pub fn client(&self) -> &AgentClient {
        &self.client
    }

    /// The agent's process id.
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// True while the agent process runs.
    pub fn is_running(&self) -> bool {
        self.process.exit_status().is_none()
    }
}

/// A client for the agent's control API (cheap to clone; used by the REST server and tests).
#[derive(Clone, Debug)]
pub struct AgentClient {
    base: String,
    http: ureq::Agent,
}

impl AgentClient {
    /// A client for the control API at `base` (`http://127.0.0.1:PORT`).
    pub fn new(base: &str) -> AgentClient {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(REQUEST_TIMEOUT))
            .http_status_as_error(false)
            .build();
        AgentClient { base: base.trim_end_matches('/').to_owned(), http: config.into() }
    }

    /// The control API's base URL.
    pub fn url(&self) -> &str {
        &self.base
    }

    fn online(&self) -> bool {
        matches!(self.http.get(format!("{}/health", self.base)).call(), Ok(r) if r.status() == 200)
    }

    /// Asks the agent to join `room` (bare JID or local name), expecting `customer` (bare JID)
    /// called `name`; returns once the agent is in the room.
    pub fn join(&self, room: &str, customer: Option<&str>, name: Option<&str>) -> Result<Value, AgentError> {
        self.post("/rooms", &json!({ "room": room, "customer": customer, "name": name }))
    }

    /// `GET path` on the control API; `Ok(None)` for 404.
    pub fn get(&self, path: &str) -> Result<Option<Value>, AgentError> {
        let what = format!("GET {path}");
        let mut response =
            self.http.get(format!("{}{path}", self.base)).call().map_err(|e| control_error(&what, e))?;
        match response.status().as_u16() {
            404 => Ok(None),
            200..=299 => response.body_mut().read_json().map(Some).map_err(|e| control_error(&what, e)),
            status => Err(AgentError::Control { what, detail: status_detail(status, &mut response) }),
        }
    }

    /// `POST path` with a JSON body on the control API.
    pub fn post(&self, path: &str, body: &Value) -> Result<Value, AgentError> {
        let what = format!("POST {path}");
        let mut response =
            self.http.post(format!("{}{path}", self.base)).send_json(body).map_err(|e| control_error(&what, e))?;
        match response.status().as_u16() {
            200..=299 => response.body_mut().read_json().map_err(|e| control_error(&what, e)),
            status => Err(AgentError::Control { what, detail: status_detail(status, &mut response) }),
        }
    }

    /// The room's archive (the agent's XEP-0313 query to the room), oldest first; `Ok(None)` when
    /// the agent is not in that room.
    pub fn history(&self, room: &str) -> Result<Option<Vec<Value>>, AgentError> {
        Ok(self.get(&format!("/rooms/{}/history", encode(room)))?.map(into_list))
    }

    /// Every stanza the agent received in `room`, parsed (see service/README.md).
    pub fn received(&self, room: &str) -> Result<Option<Vec<Value>>, AgentError> {
        Ok(self.get(&format!("/rooms/{}/received", encode(room)))?.map(into_list))
    }
}

fn into_list(value: Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items,
        other => vec![other],
    }
}

/// Percent-encodes a path segment (room JIDs contain `@`).
pub fn encode(segment: &str) -> String {
    percent_encoding::utf8_percent_encode(segment, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn control_error(what: &str, e: ureq::Error) -> AgentError {
    AgentError::Control { what: what.to_owned(), detail: e.to_string() }
}

fn status_detail(status: u16, response: &mut ureq::http::Response<ureq::Body>) -> String {
    let body = response.body_mut().read_to_string().unwrap_or_default();
    format!("HTTP {status}: {body}")
}
