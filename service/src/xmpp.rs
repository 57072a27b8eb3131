//! The stack's XMPP server, Prosody (the default) or ejabberd, behind one type: provisioning, the
//! agent, the REST API and the tests use it the same way whichever runs.
//!
//! The lifecycle is the same for both and lives here: free ports, a fresh data dir with the
//! rendered config, the process with its output in the [`Log`], waiting until BOSH answers and c2s
//! accepts connections, a retry on fresh ports when another process grabs one first, and on drop
//! the stop by PID and the removal of the data dir. What differs (the config template, the command
//! line, the output that is noise, how accounts are registered, where BOSH is) is each server's
//! [`Implementation`] and [`Profile`], in `prosody.rs` and `ejabberd.rs`.
//!
//! ```no_run
//! use exochat_service::xmpp::{XmppKind, XmppServer};
//! let prosody = XmppServer::start(XmppKind::Prosody)?;
//! prosody.register("alice", "secret")?;
//! println!("BOSH at {}", prosody.bosh_url());
//! # Ok::<(), exochat_service::xmpp::XmppError>(())
//! ```
//!
//! Hold it in a local value: a `static` is never dropped, so its server would outlive the process.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::log::{LineObserver, Log};
use crate::process::ChildProcess;
use crate::util::{free_port, wait_until, TempDir};
use crate::{ejabberd, prosody};

/// The XMPP domain of every user (both templates serve it).
const HOST: &str = "localhost";
/// The MUC service (XEP-0045); rooms are `name@conference.localhost`.
const MUC_HOST: &str = "conference.localhost";
/// The XEP-0363 upload service.
const UPLOAD_HOST: &str = "upload.localhost";
/// Attempts with fresh free ports before giving up (another process may grab a port we picked).
const START_ATTEMPTS: usize = 3;

/// Which XMPP server to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum XmppKind {
    /// Prosody 0.12 (Debian bookworm).
    #[default]
    Prosody,
    /// ejabberd 24.12 (Debian bookworm-backports).
    Ejabberd,
}

impl XmppKind {
    /// The name on the command line and in the state file: `prosody` or `ejabberd`.
    pub fn as_str(self) -> &'static str {
        match self {
            XmppKind::Prosody => "prosody",
            XmppKind::Ejabberd => "ejabberd",
        }
    }

    fn profile(self) -> &'static Profile {
        match self {
            XmppKind::Prosody => &prosody::PROFILE,
            XmppKind::Ejabberd => &ejabberd::PROFILE,
        }
    }
}

/// The server's own name: `Prosody` or `ejabberd`.
impl std::fmt::Display for XmppKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.profile().name)
    }
}

impl std::str::FromStr for XmppKind {
    type Err = String;

    fn from_str(name: &str) -> Result<XmppKind, String> {
        match name {
            "prosody" => Ok(XmppKind::Prosody),
            "ejabberd" => Ok(XmppKind::Ejabberd),
            other => Err(format!("the XMPP server is prosody or ejabberd, not {other:?}")),
        }
    }
}

/// Why the XMPP server could not be started or used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum XmppError {
    /// The data dir or the rendered config could not be written, or no port was free.
    #[error("preparing {0}'s data dir: {1}")]
    Io(XmppKind, #[source] std::io::Error),
    /// The server is not installed, or is too old for its template (the text says how to install it).
    #[error("{0}: {1}")]
    NotInstalled(XmppKind, String),
    /// The server's program could not be run.
    #[error("running {0} ({install}): {1}", install = .0.profile().install)]
    Spawn(XmppKind, #[source] std::io::Error),
    /// The server exited before it was ready; its output is in the log.
    #[error("{0} exited during startup ({1}); see its log lines")]
    Exited(XmppKind, String),
    /// A port it was given was taken by another process.
    #[error("{0} could not open its ports (taken by another process)")]
    PortTaken(XmppKind),
    /// BOSH did not answer within the startup timeout.
    #[error("{0}'s BOSH endpoint did not answer within {1:?}")]
    Timeout(XmppKind, Duration),
    /// The server refused or failed to register an account.
    #[error("registering {user} with {server}: {detail}")]
    Register {
        /// The server.
        server: XmppKind,
        /// The user that could not be registered.
        user: String,
        /// The server's answer, or why it could not be asked.
        detail: String,
    },
}

/// How to run the XMPP server; [`Default`] picks free ports and the default log level, and logs
/// to stderr.
#[derive(Clone)]
pub struct XmppOptions {
    /// Client-to-server TCP port; `None` picks a free one.
    pub c2s_port: Option<u16>,
    /// HTTP port (BOSH, websocket, uploads); `None` picks a free one.
    pub http_port: Option<u16>,
    /// Minimum log level (`debug`, `info`, `warn`, `error`); `None` reads `$EXOCHAT_PROSODY_LOG`
    /// or `$EXOCHAT_EJABBERD_LOG` (`debug` shows every stanza, handy when a test fails), else `warn`.
    pub log_level: Option<String>,
    /// Where the server's output goes.
    pub log: Log,
}

impl Default for XmppOptions {
    fn default() -> Self {
        XmppOptions { c2s_port: None, http_port: None, log_level: None, log: Log::stderr() }
    }
}

/// The facts of one server implementation (`prosody::PROFILE`, `ejabberd::PROFILE`).
pub(crate) struct Profile {
    /// Its own name, in the log and in errors.
    pub name: &'static str,
    /// How to install it, for errors.
    pub install: &'static str,
    /// The BOSH endpoint's path; the server is ready once it answers there.
    pub bosh_path: &'static str,
    /// The websocket endpoint's path.
    pub websocket_path: &'static str,
    /// What it prints when a port is taken; the start is then retried on fresh ports.
    pub port_taken: &'static str,
    /// How long it may take to answer BOSH after start.
    pub start_timeout: Duration,
    /// The environment variable with its default log level.
    pub log_env: &'static str,
    /// Finds the installation to run.
    pub find: fn() -> Result<Arc<dyn Implementation>, XmppError>,
}

/// What one server implementation does its own way; [`XmppServer`] does the rest.
pub(crate) trait Implementation: Send + Sync {
    /// The installed version, when the installation names it.
    fn version(&self) -> Option<&str>;
    /// Writes the config (and any dir it names) into the fresh data dir `dir`; returns its path.
    fn write_config(&self, dir: &Path, c2s_port: u16, http_port: u16, log_level: &str) -> std::io::Result<PathBuf>;
    /// The command running the server in the foreground on `config`, with its data in `dir`.
    fn command(&self, dir: &Path, config: &Path) -> Command;
    /// A fresh filter of a new process's output: false leaves a line (known noise) out of the log.
    fn output_filter(&self) -> LineObserver;
    /// Registers `user@localhost` with `password`, or sets the password of an existing account;
    /// `Err` says why not.
    fn register(&self, server: &XmppServer, user: &str, password: &str) -> Result<(), String>;
}

/// A config template with its placeholders (`@@DATA_DIR@@`, `@@C2S_PORT@@`, `@@HTTP_PORT@@`,
/// `@@LOG_LEVEL@@`) filled in.
pub(crate) fn render(template: &str, data_dir: &Path, c2s_port: u16, http_port: u16, log_level: &str) -> String {
    template
        .replace("@@DATA_DIR@@", &data_dir.to_string_lossy())
        .replace("@@C2S_PORT@@", &c2s_port.to_string())
        .replace("@@HTTP_PORT@@", &http_port.to_string())
        .replace("@@LOG_LEVEL@@", log_level)
}

/// A running XMPP server. Dropping it stops the process by its PID and removes its data dir.
pub struct XmppServer {
    kind: XmppKind,
    implementation: Arc<dyn Implementation>,
    // Declared before `dir`: the process stops before its data dir is removed.
    process: ChildProcess,
    dir: TempDir,
    config: PathBuf,
    c2s_port: u16,
    http_port: u16,
}

impl XmppServer {
    /// Starts `kind` with [`XmppOptions::default`] and waits until BOSH answers.
    pub fn start(kind: XmppKind) -> Result<XmppServer, XmppError> {
        XmppServer::start_with(kind, XmppOptions::default())
    }

    /// Starts `kind` with `options` and waits until BOSH answers and c2s accepts connections.
    /// Free ports are retried when another process grabs one first; fixed ports are not.
    pub fn start_with(kind: XmppKind, options: XmppOptions) -> Result<XmppServer, XmppError> {
        let profile = kind.profile();
        let implementation = (profile.find)()?;
        let log_level = options
            .log_level
            .clone()
            .or_else(|| std::env::var(profile.log_env).ok())
            .unwrap_or_else(|| "warn".to_owned());
        let fixed = options.c2s_port.is_some() && options.http_port.is_some();
        let mut attempt = 0;
        loop {
            attempt += 1;
            match XmppServer::start_once(kind, &implementation, &options, &log_level) {
                Err(XmppError::PortTaken(_)) if !fixed && attempt < START_ATTEMPTS => {
                    options.log.line("stack", &format!("a {kind} port was taken meanwhile; retrying on fresh ports"));
                }
                other => return other,
            }
        }
    }

    fn start_once(
        kind: XmppKind,
        implementation: &Arc<dyn Implementation>,
        options: &XmppOptions,
        log_level: &str,
    ) -> Result<XmppServer, XmppError> {
        let profile = kind.profile();
        let io = |e| XmppError::Io(kind, e);
        let c2s_port = options.c2s_port.map_or_else(free_port, Ok).map_err(io)?;
        let http_port = options.http_port.map_or_else(free_port, Ok).map_err(io)?;
        let dir = TempDir::new(&format!("exochat-{}-", kind.as_str())).map_err(io)?;
        let config = implementation.write_config(dir.path(), c2s_port, http_port, log_level).map_err(io)?;

        let port_taken = Arc::new(AtomicBool::new(false));
        let flag = port_taken.clone();
        let keep = implementation.output_filter();
        let observer: LineObserver = Arc::new(move |line: &str| {
            if line.contains(profile.port_taken) {
                flag.store(true, Ordering::SeqCst);
            }
            keep(line)
        });
        let command = implementation.command(dir.path(), &config);
        let process = ChildProcess::spawn(kind.as_str(), command, &options.log, Some(observer))
            .map_err(|e| XmppError::Spawn(kind, e))?;
        let server =
            XmppServer { kind, implementation: implementation.clone(), process, dir, config, c2s_port, http_port };

        let mut failure = None;
        let ready = wait_until(profile.start_timeout, Duration::from_millis(20), || {
            if port_taken.load(Ordering::SeqCst) {
                failure = Some(XmppError::PortTaken(kind));
            } else if let Some(status) = server.process.exit_status() {
                failure = Some(XmppError::Exited(kind, status.to_string()));
            }
            failure.is_some() || (server.bosh_answers() && server.c2s_accepts())
        });
        match failure {
            Some(e) => Err(e),
            None if !ready => Err(XmppError::Timeout(kind, profile.start_timeout)),
            // A bind failure is logged during startup, before BOSH can answer; look once more so
            // that a foreign server on our port is never mistaken for ours.
            None if port_taken.load(Ordering::SeqCst) => Err(XmppError::PortTaken(kind)),
            None => {
                let version = server.version().map(|v| format!(" {v}")).unwrap_or_default();
                let ready = format!("{kind}{version} ready: BOSH {} c2s 127.0.0.1:{c2s_port}", server.bosh_url());
                options.log.line("stack", &ready);
                Ok(server)
            }
        }
    }

    fn bosh_answers(&self) -> bool {
        // A short timeout: a server that accepts but never answers must not stall the start loop.
        let agent: ureq::Agent = ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(2))).build().into();
        matches!(agent.get(&self.bosh_url()).call(), Ok(r) if r.status() == 200)
    }

    fn c2s_accepts(&self) -> bool {
        std::net::TcpStream::connect(("127.0.0.1", self.c2s_port)).is_ok()
    }

    /// Which server this is.
    pub fn kind(&self) -> XmppKind {
        self.kind
    }

    /// The installed version where the installation names it (ejabberd's, e.g. `24.12-3~bpo12+1`);
    /// `None` for Prosody.
    pub fn version(&self) -> Option<&str> {
        self.implementation.version()
    }

    /// Registers (or re-registers, setting the password) `user@localhost` with `password`, by the
    /// server's own means: `prosodyctl`, or ejabberd's admin REST API on loopback.
    pub fn register(&self, user: &str, password: &str) -> Result<(), XmppError> {
        self.implementation.register(self, user, password).map_err(|detail| XmppError::Register {
            server: self.kind,
            user: user.to_owned(),
            detail,
        })
    }

    /// The XMPP domain: `localhost`.
    pub fn host(&self) -> &str {
        HOST
    }

    /// The MUC service: `conference.localhost`.
    pub fn muc_host(&self) -> &str {
        MUC_HOST
    }

    /// The XEP-0363 upload service: `upload.localhost`.
    pub fn upload_host(&self) -> &str {
        UPLOAD_HOST
    }

    /// The BOSH endpoint: `http://127.0.0.1:PORT/http-bind` on Prosody, `.../bosh` on ejabberd.
    pub fn bosh_url(&self) -> String {
        format!("http://127.0.0.1:{}{}", self.http_port, self.kind.profile().bosh_path)
    }

    /// The websocket endpoint: `ws://127.0.0.1:PORT/xmpp-websocket` on Prosody, `.../ws` on ejabberd.
    pub fn websocket_url(&self) -> String {
        format!("ws://127.0.0.1:{}{}", self.http_port, self.kind.profile().websocket_path)
    }

    /// The client-to-server TCP port on 127.0.0.1 (plain, no TLS).
    pub fn c2s_port(&self) -> u16 {
        self.c2s_port
    }

    /// The HTTP port on 127.0.0.1 (BOSH, websocket, uploads; ejabberd's admin API).
    pub fn http_port(&self) -> u16 {
        self.http_port
    }

    /// The data dir (accounts, rooms, archives, uploads, logs, the rendered config); removed on drop.
    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// The rendered config file inside the data dir.
    pub fn config_path(&self) -> &Path {
        &self.config
    }

    /// The server's process id (for ejabberd, the Erlang VM's: `beam.smp`).
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// True while the server process runs.
    pub fn is_running(&self) -> bool {
        self.process.exit_status().is_none()
    }
}
