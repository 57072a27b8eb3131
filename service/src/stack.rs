//! The whole local service: an XMPP server (Prosody, or ejabberd), the simulated agent, the REST
//! API, the CMS and the static site, each on its own 127.0.0.1 origin (so pages exercise CORS as on
//! a real integrator's site). Started by [`Stack::start`]; dropping the [`Stack`] stops every
//! process it started (by PID) and removes every file it wrote.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use serde::Serialize;
use serde_json::{json, Value};

use crate::agent::{Agent, AgentClient, AgentError, AgentOptions};
use crate::cms::{Cms, FeedbackConfig};
use crate::feedback::FeedbackStore;
use crate::http::{HttpServer, Response};
use crate::log::Log;
use crate::rest::{Credentials, Rest};
use crate::util::TempDir;
use crate::web::StaticSite;
use crate::xmpp::{XmppError, XmppKind, XmppOptions, XmppServer};

/// The demo's campaign, nodeflow and process ids (the SDK's defaults).
const CAMPAIGN_ID: i64 = 1;
const NODEFLOW_ID: i64 = 5;
const PROCESS_ID: i64 = 4;

/// Which ports the stack listens on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ports {
    /// Free ports chosen at start: any number of stacks run side by side (tests).
    Free,
    /// Fixed ports, stable URLs for the demo: REST 4440, CMS 4433, BOSH 4442 (as in the reference
    /// deployments), XMPP c2s 4452, agent control 4450, web pages 4480 (whichever XMPP server).
    Fixed,
}

impl Ports {
    fn pick(self, fixed: u16) -> Option<u16> {
        match self {
            Ports::Free => None,
            Ports::Fixed => Some(fixed),
        }
    }
}

/// How to start the stack; [`Default`] suits tests (free ports, no static dirs, fast agent).
#[derive(Clone)]
pub struct StackOptions {
    /// Dirs served by the web origin; for the same path, later dirs win (`www`, then `dist`).
    pub static_dirs: Vec<PathBuf>,
    /// Free or fixed ports.
    pub ports: Ports,
    /// The exact `Authorization` value the REST API and CMS accept.
    pub auth_token: String,
    /// The `contactCenterId` they accept.
    pub contact_center_id: i64,
    /// Pause between the agent script's steps, in ms.
    pub agent_delay_ms: u64,
    /// The XMPP server: Prosody (default) or ejabberd.
    pub xmpp: XmppKind,
    /// The XMPP server's log level (`debug`, `info`, `warn`, `error`); `None` keeps its default
    /// (`warn`, or `$EXOCHAT_PROSODY_LOG` / `$EXOCHAT_EJABBERD_LOG`).
    pub xmpp_log_level: Option<String>,
    /// Where every line goes.
    pub log: Log,
}

impl Default for StackOptions {
    fn default() -> Self {
        StackOptions {
            static_dirs: Vec::new(),
            ports: Ports::Free,
            auth_token: "RestrictedToken exochat-local-token".into(),
            contact_center_id: 101,
            agent_delay_ms: 50,
            xmpp: XmppKind::default(),
            xmpp_log_level: None,
            log: Log::stderr(),
        }
    }
}

/// Why the stack could not start, or stopped working.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StackError {
    /// The XMPP server failed.
    #[error(transparent)]
    Xmpp(#[from] XmppError),
    /// The simulated agent failed.
    #[error(transparent)]
    Agent(#[from] AgentError),
    /// A data dir, a port or an HTTP server could not be set up.
    #[error("setting up the stack: {0}")]
    Io(#[from] std::io::Error),
    /// A child process died while the stack ran.
    #[error("{0} exited unexpectedly; see its log lines")]
    ChildExited(&'static str),
}

/// Where everything is; also the JSON of the state file (`--state-file`).
#[derive(Debug, Clone, Serialize)]
pub struct StackInfo {
    /// The demo page (the integrator page).
    pub demo_page_url: String,
    /// The agent page (play the agent by hand).
    pub agent_page_url: String,
    /// The feedback form page (the CMS's default `feedbackUrl`).
    pub feedback_page_url: String,
    /// The web origin serving the static dirs and `/demo-config.js`.
    pub web_url: String,
    /// The REST API origin: the SDK's `chat_service_domain`.
    pub rest_url: String,
    /// The CMS origin: the SDK's `cms_service_domain`.
    pub cms_url: String,
    /// BOSH: the SDK's `converse_bosh_service_url`.
    pub bosh_url: String,
    /// XMPP over websocket.
    pub websocket_url: String,
    /// The agent's control API.
    pub agent_control_url: String,
    /// The SDK's `auth_token`.
    pub auth_token: String,
    /// The SDK's `contactCenterId`.
    #[serde(rename = "contactCenterId")]
    pub contact_center_id: i64,
    /// The demo's `campaignId`.
    #[serde(rename = "campaignId")]
    pub campaign_id: i64,
    /// The demo's `nodeflowId`.
    #[serde(rename = "nodeflowId")]
    pub nodeflow_id: i64,
    /// The demo's `processId`.
    #[serde(rename = "processId")]
    pub process_id: i64,
    /// The XMPP server: `prosody` or `ejabberd`.
    pub xmpp_server: String,
    /// The XMPP domain (`localhost`).
    pub xmpp_domain: String,
    /// The MUC service (`conference.localhost`).
    pub muc_domain: String,
    /// The upload service (`upload.localhost`).
    pub upload_domain: String,
    /// XMPP client-to-server port (plain TCP).
    pub c2s_port: u16,
    /// The XMPP server's PID.
    pub xmpp_pid: u32,
    /// The agent's PID.
    pub agent_pid: u32,
    /// Dirs the stack writes to (all removed when it stops).
    pub data_dirs: Vec<PathBuf>,
}

impl StackInfo {
    /// The config object a page passes to `exoChat.initialize`.
    pub fn sdk_config(&self) -> Value {
        json!({
            "chat_service_domain": self.rest_url,
            "cms_service_domain": self.cms_url,
            "converse_bosh_service_url": self.bosh_url,
            "auth_token": self.auth_token,
            "contactCenterId": self.contact_center_id,
            "campaignId": self.campaign_id,
            "nodeflowId": self.nodeflow_id,
            "processId": self.process_id,
        })
    }

    /// Writes this info as JSON to `path` atomically (readers never see half a file).
    pub fn write_to(&self, path: &Path) -> std::io::Result<()> {
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?)?;
        std::fs::rename(&tmp, path)
    }
}

/// The running stack. Field order is drop order: servers, then the agent, then the XMPP server,
/// then files.
/// Fields named `_…` are held only to be dropped at the right time.
pub struct Stack {
    _web: HttpServer,
    _cms_server: HttpServer,
    _rest_server: HttpServer,
    cms: Arc<Cms>,
    feedback: Arc<FeedbackStore>,
    agent: Agent,
    xmpp: Arc<XmppServer>,
    info: StackInfo,
    log: Log,
    _dir: TempDir,
}

impl Stack {
    /// Starts the XMPP server, the agent (waiting until it is online), the REST, CMS and web servers.
    /// On failure, whatever was already started is stopped again.
    pub fn start(options: StackOptions) -> Result<Stack, StackError> {
        let log = options.log.clone();
        let dir = TempDir::new("exochat-stack-")?;
        let ports = options.ports;

        // The web origin first: the CMS's default feedback URL and the pages' config name it.
        let site: Arc<OnceLock<StaticSite>> = Arc::new(OnceLock::new());
        let pages = site.clone();
        let web = HttpServer::start(
            "web",
            ports.pick(4480).unwrap_or(0),
            4,
            &log,
            Arc::new(move |r| match pages.get() {
                Some(site) => site.handle(r),
                None => Response::error(503, "the stack is starting"),
            }),
        )?;

        let xmpp = Arc::new(XmppServer::start_with(
            options.xmpp,
            XmppOptions {
                c2s_port: ports.pick(4452),
                http_port: ports.pick(4442),
                log_level: options.xmpp_log_level.clone(),
                log: log.clone(),
            },
        )?);
        let agent = Agent::start(
            &xmpp,
            &AgentOptions { control_port: ports.pick(4450), delay_ms: options.agent_delay_ms, log: log.clone() },
        )?;

        let credentials =
            Credentials { auth_token: options.auth_token.clone(), contact_center_id: options.contact_center_id };
        let feedback = Arc::new(FeedbackStore::new(&dir.path().join("feedback.jsonl")));
        let rest = Arc::new(Rest::new(
            credentials.clone(),
            xmpp.clone(),
            agent.client().clone(),
            feedback.clone(),
            log.clone(),
        ));
        let rest_server =
            HttpServer::start("rest", ports.pick(4440).unwrap_or(0), 8, &log, Arc::new(move |r| rest.handle(r)))?;

        let feedback_page_url = format!("{}/feedback.html", web.url());
        let default_config =
            FeedbackConfig { is_feedback_enabled: true, open_in_new_tab: false, feedback_url: feedback_page_url.clone() };
        let cms = Arc::new(Cms::new(credentials, default_config));
        let cms_handler = cms.clone();
        let cms_server =
            HttpServer::start("cms", ports.pick(4433).unwrap_or(0), 2, &log, Arc::new(move |r| cms_handler.handle(r)))?;

        let info = StackInfo {
            demo_page_url: format!("{}/", web.url()),
            agent_page_url: format!("{}/agent.html", web.url()),
            feedback_page_url,
            web_url: web.url(),
            rest_url: rest_server.url(),
            cms_url: cms_server.url(),
            bosh_url: xmpp.bosh_url(),
            websocket_url: xmpp.websocket_url(),
            agent_control_url: agent.client().url().to_owned(),
            auth_token: options.auth_token.clone(),
            contact_center_id: options.contact_center_id,
            campaign_id: CAMPAIGN_ID,
            nodeflow_id: NODEFLOW_ID,
            process_id: PROCESS_ID,
            xmpp_server: xmpp.kind().as_str().to_owned(),
            xmpp_domain: xmpp.host().to_owned(),
            muc_domain: xmpp.muc_host().to_owned(),
            upload_domain: xmpp.upload_host().to_owned(),
            c2s_port: xmpp.c2s_port(),
            xmpp_pid: xmpp.pid(),
            agent_pid: agent.pid(),
            data_dirs: vec![dir.path().to_path_buf(), xmpp.data_dir().to_path_buf()],
        };
        let page_config = json!({
            "config": info.sdk_config(),
            "agentControlUrl": info.agent_control_url,
            "feedbackPageUrl": info.feedback_page_url,
        });
        // Cannot fail: the cell is set once, here.
        let _ = site.set(StaticSite::new(options.static_dirs.clone(), &page_config));

        let stack = Stack {
            _web: web,
            _cms_server: cms_server,
            _rest_server: rest_server,
            cms,
            feedback,
            agent,
            xmpp,
            info,
            log,
            _dir: dir,
        };
        stack.announce(&options.static_dirs);
        Ok(stack)
    }

    fn announce(&self, static_dirs: &[PathBuf]) {
        let i = &self.info;
        let dirs: Vec<String> = static_dirs.iter().map(|d| d.display().to_string()).collect();
        for line in [
            "exochat local chat service is ready".to_owned(),
            format!("  demo page      {}", i.demo_page_url),
            format!("  agent page     {}", i.agent_page_url),
            format!("  REST API       {}   (chat_service_domain)", i.rest_url),
            format!("  CMS            {}   (cms_service_domain)", i.cms_url),
            format!("  BOSH           {}   (converse_bosh_service_url, {})", i.bosh_url, i.xmpp_server),
            format!("  agent control  {}", i.agent_control_url),
            format!("  auth_token     {}   contactCenterId {}", i.auth_token, i.contact_center_id),
            format!("  static dirs    {}", if dirs.is_empty() { "(none)".to_owned() } else { dirs.join(", ") }),
        ] {
            self.log.line("stack", &line);
        }
    }

    /// Where everything is.
    pub fn info(&self) -> &StackInfo {
        &self.info
    }

    /// A client for the agent's control API.
    pub fn agent(&self) -> &AgentClient {
        self.agent.client()
    }

    /// The running XMPP server.
    pub fn xmpp(&self) -> &XmppServer {
        &self.xmpp
    }

    /// Every feedback submission the REST API stored, oldest first.
    pub fn feedback(&self) -> std::io::Result<Vec<Value>> {
        self.feedback.all()
    }

    /// Sets the CMS feedback configuration of one campaign and nodeflow.
    pub fn set_feedback_config(&self, campaign_id: i64, nodeflow_id: i64, config: FeedbackConfig) {
        self.cms.set(campaign_id, nodeflow_id, config);
    }

    /// `Ok` while the XMPP server and the agent both run.
    pub fn check(&self) -> Result<(), StackError> {
        if !self.xmpp.is_running() {
            return Err(StackError::ChildExited(self.xmpp.kind().as_str()));
        }
        if !self.agent.is_running() {
            return Err(StackError::ChildExited("the agent"));
        }
        Ok(())
    }

    /// The PIDs of every process the stack started.
    pub fn pids(&self) -> Vec<u32> {
        vec![self.info.xmpp_pid, self.info.agent_pid]
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        // The fields then drop in declaration order (see the struct).
        self.log.line("stack", "stopping");
    }
}
