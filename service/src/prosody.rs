//! A real Prosody (the Debian package), run by the project: rendered from the committed template
//! `service/prosody/prosody.cfg.lua` into a fresh data dir, listening on 127.0.0.1 ports of its
//! own, and stopped by its PID on drop (the data dir goes with it).
//!
//! ```no_run
//! let prosody = exochat_service::prosody::Prosody::start()?;
//! prosody.register("alice", "secret")?;
//! println!("BOSH at {}", prosody.bosh_url());
//! # Ok::<(), exochat_service::prosody::ProsodyError>(())
//! ```
//!
//! Hold it in a local value: a `static` is never dropped, so its Prosody would outlive the process.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::log::Log;
use crate::process::ChildProcess;
use crate::util::{free_port, wait_until, TempDir};

/// The committed configuration template (see its header for the placeholders).
const TEMPLATE: &str = include_str!("../prosody/prosody.cfg.lua");
/// The XMPP domain of every user.
const HOST: &str = "localhost";
/// The MUC component (XEP-0045); rooms are `name@conference.localhost`.
const MUC_HOST: &str = "conference.localhost";
/// The XEP-0363 upload component (mod_http_file_share).
const UPLOAD_HOST: &str = "upload.localhost";
/// How long Prosody may take to answer BOSH after start (it takes ~0.15 s here).
const START_TIMEOUT: Duration = Duration::from_secs(15);
/// What Prosody prints when a port is taken; we then retry on fresh ports.
const PORT_TAKEN: &str = "Failed to open server port";
/// Attempts with fresh free ports before giving up (another process may grab a port we picked).
const START_ATTEMPTS: usize = 3;

/// Why Prosody could not be started or used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProsodyError {
    /// The data dir or the rendered config could not be written, or no port was free.
    #[error("preparing Prosody's data dir: {0}")]
    Io(#[from] std::io::Error),
    /// The `prosody` binary could not be run (is the Debian package installed?).
    #[error("running `prosody` (apt-get install prosody): {0}")]
    Spawn(std::io::Error),
    /// Prosody exited before it was ready; its output is in the log.
    #[error("Prosody exited during startup ({0}); see its log lines")]
    Exited(String),
    /// A port it was given was taken by another process.
    #[error("Prosody could not open its ports (taken by another process)")]
    PortTaken,
    /// BOSH did not answer within the startup timeout.
    #[error("Prosody's BOSH endpoint did not answer within {0:?}")]
    Timeout(Duration),
    /// `prosodyctl register` failed.
    #[error("prosodyctl register {user}: {detail}")]
    Register {
        /// The user that could not be registered.
        user: String,
        /// Exit status and output of prosodyctl.
        detail: String,
    },
}

/// How to run Prosody; [`Default`] picks free ports, logs warnings and errors to stderr.
#[derive(Clone)]
pub struct ProsodyOptions {
    /// Client-to-server TCP port; `None` picks a free one.
    pub c2s_port: Option<u16>,
    /// HTTP port (BOSH, websocket, uploads); `None` picks a free one.
    pub http_port: Option<u16>,
    /// Prosody's minimum log level: `debug`, `info`, `warn` or `error`.
    pub log_level: String,
    /// Where Prosody's output goes.
    pub log: Log,
}

impl Default for ProsodyOptions {
    fn default() -> Self {
        // EXOCHAT_PROSODY_LOG=debug shows every stanza, handy when a test fails.
        let log_level = std::env::var("EXOCHAT_PROSODY_LOG").unwrap_or_else(|_| "warn".to_owned());
        ProsodyOptions { c2s_port: None, http_port: None, log_level, log: Log::stderr() }
    }
}

/// A running Prosody. Dropping it stops the process by its PID and removes its data dir.
pub struct Prosody {
    // Declared before `dir`: the process stops before its data dir is removed.
    process: ChildProcess,
    dir: TempDir,
    config: PathBuf,
    c2s_port: u16,
    http_port: u16,
}

impl Prosody {
    /// Starts Prosody with [`ProsodyOptions::default`] and waits until BOSH answers.
    pub fn start() -> Result<Prosody, ProsodyError> {
        Prosody::start_with(ProsodyOptions::default())
    }

    /// Starts Prosody with `options` and waits until BOSH answers and c2s accepts connections.
    /// Free ports are retried when another process grabs one first; fixed ports are not.
    pub fn start_with(options: ProsodyOptions) -> Result<Prosody, ProsodyError> {
        let fixed = options.c2s_port.is_some() && options.http_port.is_some();
        let mut attempt = 0;
        loop {
            attempt += 1;
            match Prosody::start_once(&options) {
                Err(ProsodyError::PortTaken) if !fixed && attempt < START_ATTEMPTS => {
                    options.log.line("stack", "a Prosody port was taken meanwhile; retrying on fresh ports");
                }
                other => return other,
            }
        }
    }

    fn start_once(options: &ProsodyOptions) -> Result<Prosody, ProsodyError> {
        let c2s_port = options.c2s_port.map_or_else(free_port, Ok)?;
        let http_port = options.http_port.map_or_else(free_port, Ok)?;
        let dir = TempDir::new("exochat-prosody-")?;
        std::fs::create_dir_all(dir.path().join("certs"))?;
        let config = dir.path().join("prosody.cfg.lua");
        std::fs::write(&config, render(dir.path(), c2s_port, http_port, &options.log_level))?;

        let port_taken = Arc::new(AtomicBool::new(false));
        let flag = port_taken.clone();
        let in_banner = AtomicBool::new(false);
        let observer = Arc::new(move |line: &str| {
            if line.contains(PORT_TAKEN) {
                flag.store(true, Ordering::SeqCst);
            }
            // Debian's prosody without lua-unbound prints a 9-line banner between rows of `*`
            // at every start: harmless (the old resolver is fine on loopback), so keep it out.
            if !line.is_empty() && line.chars().all(|c| c == '*') {
                in_banner.fetch_xor(true, Ordering::SeqCst);
                return false;
            }
            !in_banner.load(Ordering::SeqCst)
        });
        let mut cmd = Command::new("prosody");
        cmd.arg("--config").arg(&config).arg("-F").current_dir(dir.path());
        let process = ChildProcess::spawn("prosody", cmd, &options.log, Some(observer)).map_err(ProsodyError::Spawn)?;
        let prosody = Prosody { process, dir, config, c2s_port, http_port };

        let mut failure = None;
        let ready = wait_until(START_TIMEOUT, Duration::from_millis(20), || {
            if port_taken.load(Ordering::SeqCst) {
                failure = Some(ProsodyError::PortTaken);
            } else if let Some(status) = prosody.process.exit_status() {
                failure = Some(ProsodyError::Exited(status.to_string()));
            }
            failure.is_some() || (prosody.bosh_answers() && prosody.c2s_accepts())
        });
        match failure {
            Some(e) => Err(e),
            None if !ready => Err(ProsodyError::Timeout(START_TIMEOUT)),
            // A bind failure is logged during startup, before BOSH can answer; look once more so
            // that a foreign server on our port is never mistaken for ours.
            None if port_taken.load(Ordering::SeqCst) => Err(ProsodyError::PortTaken),
            None => {
                options.log.line("stack", &format!("Prosody ready: BOSH {} c2s 127.0.0.1:{}", prosody.bosh_url(), c2s_port));
                Ok(prosody)
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

    /// Registers (or re-registers) `user@localhost` with `password`, through `prosodyctl` with the
    /// same config; works while Prosody runs.
    pub fn register(&self, user: &str, password: &str) -> Result<(), ProsodyError> {
        let output = Command::new("prosodyctl")
            .arg("--config")
            .arg(&self.config)
            .args(["register", user, HOST, password])
            .output()
            .map_err(|e| ProsodyError::Register { user: user.to_owned(), detail: e.to_string() })?;
        if output.status.success() {
            return Ok(());
        }
        let mut detail = output.status.to_string();
        for stream in [&output.stdout, &output.stderr] {
            let text = String::from_utf8_lossy(stream);
            // Drop prosodyctl's banner about the optional lua-unbound resolver.
            let text: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty() && !l.contains('*')).collect();
            if !text.is_empty() {
                detail.push_str(": ");
                detail.push_str(&text.join(" / "));
            }
        }
        Err(ProsodyError::Register { user: user.to_owned(), detail })
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

    /// The BOSH endpoint, `http://127.0.0.1:PORT/http-bind`.
    pub fn bosh_url(&self) -> String {
        format!("http://127.0.0.1:{}/http-bind", self.http_port)
    }

    /// The websocket endpoint, `ws://127.0.0.1:PORT/xmpp-websocket`.
    pub fn websocket_url(&self) -> String {
        format!("ws://127.0.0.1:{}/xmpp-websocket", self.http_port)
    }

    /// The client-to-server TCP port on 127.0.0.1 (plain, no TLS).
    pub fn c2s_port(&self) -> u16 {
        self.c2s_port
    }

    /// The HTTP port on 127.0.0.1 (BOSH, websocket, uploads).
    pub fn http_port(&self) -> u16 {
        self.http_port
    }

    /// The data dir (accounts, rooms, archives, uploads, the rendered config).
    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// The rendered config file inside the data dir.
    pub fn config_path(&self) -> &Path {
        &self.config
    }

    /// Prosody's process id.
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// True while the Prosody process is running.
    pub fn is_running(&self) -> bool {
        self.process.exit_status().is_none()
    }
}

/// The template with its placeholders filled in.
fn render(data_dir: &Path, c2s_port: u16, http_port: u16, log_level: &str) -> String {
    TEMPLATE
        .replace("@@DATA_DIR@@", &data_dir.to_string_lossy())
        .replace("@@C2S_PORT@@", &c2s_port.to_string())
        .replace("@@HTTP_PORT@@", &http_port.to_string())
        .replace("@@LOG_LEVEL@@", log_level)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_fills_every_placeholder() {
        let text = render(Path::new("/tmp/x"), 1111, 2222, "info");
        assert!(!text.contains("@@"), "a placeholder is left");
        assert!(text.contains("c2s_ports = { 1111 }"));
        assert!(text.contains("http_ports = { 2222 }"));
        assert!(text.contains("http_external_url = \"http://127.0.0.1:2222/\""));
        assert!(text.contains("data_path = \"/tmp/x\""));
    }
}
