//! A real ejabberd (Debian's 24.12 from bookworm-backports), run by the project: rendered from the
//! committed template `service/ejabberd/ejabberd.yml` into a fresh data dir, listening on
//! 127.0.0.1 ports of its own, and stopped by its PID on drop (the data dir goes with it).
//!
//! ```no_run
//! let ejabberd = exochat_service::ejabberd::Ejabberd::start()?;
//! ejabberd.register("alice", "secret")?;
//! println!("BOSH at {}", ejabberd.bosh_url());
//! # Ok::<(), exochat_service::ejabberd::EjabberdError>(())
//! ```
//!
//! The Erlang VM is started directly, as the current user, with what `ejabberdctl foreground`
//! would pass it, but without an Erlang node name: `ejabberdctl` runs the VM under `su` (so the
//! PID we would hold is a shell's, not the server's) and with distribution on (an `epmd` that
//! outlives the server, a cookie in `$HOME`). Started this way, the child's PID is `beam.smp`
//! itself, SIGTERM stops it cleanly, and nothing runs or stays after it. Accounts are made through
//! ejabberd's own admin REST API (`mod_http_api`, loopback only).
//!
//! Hold it in a local value: a `static` is never dropped, so its ejabberd would outlive the process.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use crate::log::Log;
use crate::process::ChildProcess;
use crate::util::{free_port, wait_until, TempDir};

/// The committed configuration template (see its header for the placeholders).
const TEMPLATE: &str = include_str!("../ejabberd/ejabberd.yml");
/// The XMPP domain of every user.
const HOST: &str = "localhost";
/// The MUC service (XEP-0045); rooms are `name@conference.localhost`.
const MUC_HOST: &str = "conference.localhost";
/// The XEP-0363 upload service (mod_http_upload's default `upload.@HOST@`).
const UPLOAD_HOST: &str = "upload.localhost";
/// Where Debian puts Erlang applications: `<dir>/ejabberd-<version>/ebin/ejabberd.app`.
const LIB_ROOTS: [&str; 2] = ["/usr/lib", "/usr/lib/erlang/lib"];
/// The oldest major version the template suits (`mod_muc_occupantid` appeared in 24.x).
const MIN_MAJOR: u32 = 24;
/// How long ejabberd may take to answer BOSH after start (it takes ~1 s here).
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// What ejabberd prints when a listener's port is taken; we then retry on fresh ports.
const PORT_TAKEN: &str = "eaddrinuse";
/// Attempts with fresh free ports before giving up (another process may grab a port we picked).
const START_ATTEMPTS: usize = 3;
/// Lines every start prints at `warning` that say nothing about this run.
const NOISE: [&str; 3] = [
    "Mnesia backend for mod_mam is not recommended",
    "captcha_cmd is not configured",
    "memory supervisor port (memsup): Erlang has closed",
];

/// Why ejabberd could not be started or used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EjabberdError {
    /// The data dir or the rendered config could not be written, or no port was free.
    #[error("preparing ejabberd's data dir: {0}")]
    Io(#[from] std::io::Error),
    /// No ejabberd installation was found.
    #[error("ejabberd is not installed (apt-get install -t bookworm-backports ejabberd, or cargo xtask setup)")]
    NotInstalled,
    /// The installed ejabberd is older than the template supports.
    #[error("ejabberd {0} is installed; the template needs {MIN_MAJOR}.x or newer (bookworm-backports)")]
    Unsupported(String),
    /// The Erlang VM (`erl`) could not be run.
    #[error("running `erl` (apt-get install ejabberd): {0}")]
    Spawn(std::io::Error),
    /// ejabberd exited before it was ready; its output is in the log.
    #[error("ejabberd exited during startup ({0}); see its log lines")]
    Exited(String),
    /// A port it was given was taken by another process.
    #[error("ejabberd could not open its ports (taken by another process)")]
    PortTaken,
    /// BOSH did not answer within the startup timeout.
    #[error("ejabberd's BOSH endpoint did not answer within {0:?}")]
    Timeout(Duration),
    /// The admin API refused or failed to register the account.
    #[error("registering {user} with ejabberd: {detail}")]
    Register {
        /// The user that could not be registered.
        user: String,
        /// The API's answer or the transport error.
        detail: String,
    },
}

/// How to run ejabberd; [`Default`] picks free ports, logs warnings and errors to stderr.
#[derive(Clone)]
pub struct EjabberdOptions {
    /// Client-to-server TCP port; `None` picks a free one.
    pub c2s_port: Option<u16>,
    /// HTTP port (BOSH, websocket, uploads, admin API); `None` picks a free one.
    pub http_port: Option<u16>,
    /// Minimum log level: `debug`, `info`, `warn` (or `warning`) or `error`.
    pub log_level: String,
    /// Where ejabberd's output goes.
    pub log: Log,
}

impl Default for EjabberdOptions {
    fn default() -> Self {
        // EXOCHAT_EJABBERD_LOG=debug shows every stanza, handy when a test fails.
        let log_level = std::env::var("EXOCHAT_EJABBERD_LOG").unwrap_or_else(|_| "warning".to_owned());
        EjabberdOptions { c2s_port: None, http_port: None, log_level, log: Log::stderr() }
    }
}

/// The installed ejabberd: where its Erlang applications are, and its version.
struct Installation {
    /// The `ERL_LIBS` dir holding `ejabberd-<version>/`.
    libs: PathBuf,
    /// The application's `vsn`, e.g. `24.12-3~bpo12+1`.
    version: String,
}

/// A running ejabberd. Dropping it stops the process by its PID and removes its data dir.
pub struct Ejabberd {
    // Declared before `dir`: the process stops before its data dir is removed.
    process: ChildProcess,
    dir: TempDir,
    config: PathBuf,
    version: String,
    c2s_port: u16,
    http_port: u16,
    http: ureq::Agent,
}

impl Ejabberd {
    /// Starts ejabberd with [`EjabberdOptions::default`] and waits until BOSH answers.
    pub fn start() -> Result<Ejabberd, EjabberdError> {
        Ejabberd::start_with(EjabberdOptions::default())
    }

    /// Starts ejabberd with `options` and waits until BOSH answers and c2s accepts connections.
    /// Free ports are retried when another process grabs one first; fixed ports are not.
    pub fn start_with(options: EjabberdOptions) -> Result<Ejabberd, EjabberdError> {
        let installation = find_installation()?;
        let fixed = options.c2s_port.is_some() && options.http_port.is_some();
        let mut attempt = 0;
        loop {
            attempt += 1;
            match Ejabberd::start_once(&options, &installation) {
                Err(EjabberdError::PortTaken) if !fixed && attempt < START_ATTEMPTS => {
                    options.log.line("stack", "an ejabberd port was taken meanwhile; retrying on fresh ports");
                }
                other => return other,
            }
        }
    }

    fn start_once(options: &EjabberdOptions, installation: &Installation) -> Result<Ejabberd, EjabberdError> {
        let c2s_port = options.c2s_port.map_or_else(free_port, Ok)?;
        let http_port = options.http_port.map_or_else(free_port, Ok)?;
        let dir = TempDir::new("exochat-ejabberd-")?;
        std::fs::create_dir_all(dir.path().join("upload"))?;
        let config = dir.path().join("ejabberd.yml");
        std::fs::write(&config, render(dir.path(), c2s_port, http_port, &options.log_level))?;

        let port_taken = Arc::new(AtomicBool::new(false));
        let flag = port_taken.clone();
        let observer = Arc::new(move |line: &str| {
            if line.contains(PORT_TAKEN) {
                flag.store(true, Ordering::SeqCst);
            }
            !NOISE.iter().any(|noise| line.contains(noise))
        });
        let mut cmd = Command::new("erl");
        // `-mnesia dir` takes an Erlang string: the quotes are part of the argument.
        cmd.args(["-noinput", "-mnesia", "dir"])
            .arg(format!("\"{}\"", dir.path().join("db").display()))
            .args(["-s", "ejabberd"])
            .env("EJABBERD_CONFIG_PATH", &config)
            .env("EJABBERD_LOG_PATH", dir.path().join("ejabberd.log"))
            .env("ERL_LIBS", &installation.libs)
            .env("ERL_CRASH_DUMP_BYTES", "0")
            // The VM reads `$HOME/.erlang` at start: keep the user's settings out of our server.
            .env("HOME", dir.path())
            .current_dir(dir.path());
        let process = ChildProcess::spawn("ejabberd", cmd, &options.log, Some(observer)).map_err(EjabberdError::Spawn)?;
        let http: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(5)))
            .http_status_as_error(false)
            .build()
            .into();
        let ejabberd =
            Ejabberd { process, dir, config, version: installation.version.clone(), c2s_port, http_port, http };

        let mut failure = None;
        let ready = wait_until(START_TIMEOUT, Duration::from_millis(20), || {
            if port_taken.load(Ordering::SeqCst) {
                failure = Some(EjabberdError::PortTaken);
            } else if let Some(status) = ejabberd.process.exit_status() {
                failure = Some(EjabberdError::Exited(status.to_string()));
            }
            failure.is_some() || (ejabberd.bosh_answers() && ejabberd.c2s_accepts())
        });
        match failure {
            Some(e) => Err(e),
            None if !ready => Err(EjabberdError::Timeout(START_TIMEOUT)),
            // A listener failure is logged before ejabberd exits; look once more so that a
            // foreign server on our port is never mistaken for ours.
            None if port_taken.load(Ordering::SeqCst) => Err(EjabberdError::PortTaken),
            None => {
                options.log.line(
                    "stack",
                    &format!(
                        "ejabberd {} ready: BOSH {} c2s 127.0.0.1:{c2s_port}",
                        ejabberd.version,
                        ejabberd.bosh_url()
                    ),
                );
                Ok(ejabberd)
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

    /// Registers (or, when it exists, sets the password of) `user@localhost`, through ejabberd's
    /// admin REST API on loopback.
    pub fn register(&self, user: &str, password: &str) -> Result<(), EjabberdError> {
        let registered = self.api("register", &json!({ "user": user, "host": HOST, "password": password }));
        match registered {
            Ok(()) => Ok(()),
            Err(detail) if detail.contains("already registered") => self
                .api("change_password", &json!({ "user": user, "host": HOST, "newpass": password }))
                .map_err(|detail| EjabberdError::Register { user: user.to_owned(), detail }),
            Err(detail) => Err(EjabberdError::Register { user: user.to_owned(), detail }),
        }
    }

    /// Calls one admin API command; `Err` carries the status and body of a refusal.
    fn api(&self, command: &str, arguments: &serde_json::Value) -> Result<(), String> {
        let url = format!("http://127.0.0.1:{}/api/{command}", self.http_port);
        // The API runs for the virtual host the Host header names: ours, not `127.0.0.1`.
        let request = self.http.post(&url).header("Host", format!("{HOST}:{}", self.http_port));
        let mut response = request.send_json(arguments).map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let body = response.body_mut().read_to_string().unwrap_or_default();
        match status {
            200 => Ok(()),
            _ => Err(format!("HTTP {status}: {body}")),
        }
    }

    /// The installed version, e.g. `24.12-3~bpo12+1`.
    pub fn version(&self) -> &str {
        &self.version
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

    /// The BOSH endpoint, `http://127.0.0.1:PORT/bosh`.
    pub fn bosh_url(&self) -> String {
        format!("http://127.0.0.1:{}/bosh", self.http_port)
    }

    /// The websocket endpoint, `ws://127.0.0.1:PORT/ws`.
    pub fn websocket_url(&self) -> String {
        format!("ws://127.0.0.1:{}/ws", self.http_port)
    }

    /// The client-to-server TCP port on 127.0.0.1 (plain, no TLS).
    pub fn c2s_port(&self) -> u16 {
        self.c2s_port
    }

    /// The HTTP port on 127.0.0.1 (BOSH, websocket, uploads, admin API).
    pub fn http_port(&self) -> u16 {
        self.http_port
    }

    /// The data dir (Mnesia database, uploads, logs, the rendered config).
    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// The rendered config file inside the data dir.
    pub fn config_path(&self) -> &Path {
        &self.config
    }

    /// The Erlang VM's process id (`beam.smp`).
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// True while the ejabberd process is running.
    pub fn is_running(&self) -> bool {
        self.process.exit_status().is_none()
    }
}

/// Finds `ejabberd-<version>/ebin/ejabberd.app` under the library roots (Debian puts it in the
/// multiarch dir, e.g. `/usr/lib/x86_64-linux-gnu`), newest version first.
fn find_installation() -> Result<Installation, EjabberdError> {
    let mut found: Vec<Installation> = Vec::new();
    for root in LIB_ROOTS {
        let Ok(entries) = std::fs::read_dir(root) else { continue };
        // The roots themselves, and their subdirs (multiarch), may hold applications.
        let mut dirs = vec![PathBuf::from(root)];
        dirs.extend(entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()));
        for libs in dirs {
            let Ok(apps) = std::fs::read_dir(&libs) else { continue };
            for app in apps.flatten() {
                if !app.file_name().to_string_lossy().starts_with("ejabberd-") {
                    continue;
                }
                if let Ok(text) = std::fs::read_to_string(app.path().join("ebin/ejabberd.app")) {
                    if let Some(version) = app_version(&text) {
                        found.push(Installation { libs: libs.clone(), version });
                    }
                }
            }
        }
    }
    found.sort_by_key(|i| std::cmp::Reverse(major(&i.version)));
    let newest = found.into_iter().next().ok_or(EjabberdError::NotInstalled)?;
    if major(&newest.version) < MIN_MAJOR {
        return Err(EjabberdError::Unsupported(newest.version));
    }
    Ok(newest)
}

/// The `vsn` of an Erlang `.app` file: `{vsn,"24.12-3~bpo12+1"}`.
fn app_version(app: &str) -> Option<String> {
    let after = &app[app.find("{vsn,")? + "{vsn,".len()..];
    let start = after.find('"')? + 1;
    let len = after[start..].find('"')?;
    Some(after[start..start + len].to_owned())
}

/// The major version: 24 for `24.12-3~bpo12+1` (0 when unreadable).
fn major(version: &str) -> u32 {
    version.split('.').next().and_then(|m| m.parse().ok()).unwrap_or(0)
}

/// The template with its placeholders filled in; Prosody's `warn` is ejabberd's `warning`.
fn render(data_dir: &Path, c2s_port: u16, http_port: u16, log_level: &str) -> String {
    let log_level = if log_level == "warn" { "warning" } else { log_level };
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
        let text = render(Path::new("/tmp/x"), 1111, 2222, "warn");
        assert!(!text.contains("@@"), "a placeholder is left");
        assert!(text.contains("port: 1111"));
        assert!(text.contains("port: 2222"));
        assert!(text.contains("put_url: \"http://127.0.0.1:2222/upload\""));
        assert!(text.contains("docroot: \"/tmp/x/upload\""));
        assert!(text.contains("loglevel: warning"));
    }

    #[test]
    fn versions_are_read_from_the_app_file() {
        let app = "{application,ejabberd,[{description,\"ejabberd\"},{vsn,\"24.12-3~bpo12+1\"},{modules,[]}]}.";
        assert_eq!(app_version(app).as_deref(), Some("24.12-3~bpo12+1"));
        assert_eq!(app_version("{application,ejabberd,[]}."), None);
        assert_eq!((major("24.12-3~bpo12+1"), major("23.01"), major("garbage")), (24, 23, 0));
    }
}
