//! ejabberd (Debian's 24.12 from bookworm-backports) as the stack's XMPP server: what it does its
//! own way. Its config is rendered from the committed template `service/ejabberd/ejabberd.yml`, and
//! accounts are made through its admin REST API (`mod_http_api`, loopback only); the lifecycle is
//! [`XmppServer`]'s (start it with [`XmppKind::Ejabberd`](crate::xmpp::XmppKind)).
//!
//! The Erlang VM is started directly, as the current user, with what `ejabberdctl foreground`
//! would pass it, but without an Erlang node name: `ejabberdctl` runs the VM under `su` (so the
//! PID we would hold is a shell's, not the server's) and with distribution on (an `epmd` that
//! outlives the server, a cookie in `$HOME`). Started this way, the child's PID is `beam.smp`
//! itself, SIGTERM stops it cleanly, and nothing runs or stays after it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use crate::log::LineObserver;
use crate::xmpp::{render, Implementation, Profile, XmppError, XmppKind, XmppServer};

/// The committed configuration template (see its header for the placeholders).
const TEMPLATE: &str = include_str!("../ejabberd/ejabberd.yml");
/// Where Debian puts Erlang applications: `<dir>/ejabberd-<version>/ebin/ejabberd.app`.
const LIB_ROOTS: [&str; 2] = ["/usr/lib", "/usr/lib/erlang/lib"];
/// The oldest major version the template suits (`mod_muc_occupantid` appeared in 24.x).
const MIN_MAJOR: u32 = 24;
/// How to install a version that suits.
const INSTALL: &str = "apt-get install -t bookworm-backports ejabberd, or cargo xtask setup";
/// Lines every start prints at `warning` that say nothing about this run.
const NOISE: [&str; 3] = [
    "Mnesia backend for mod_mam is not recommended",
    "captcha_cmd is not configured",
    "memory supervisor port (memsup): Erlang has closed",
];

/// ejabberd's facts.
pub(crate) const PROFILE: Profile = Profile {
    name: "ejabberd",
    install: INSTALL,
    bosh_path: "/bosh",
    websocket_path: "/ws",
    port_taken: "eaddrinuse",
    // It answers BOSH ~1 s after start here.
    start_timeout: Duration::from_secs(20),
    log_env: "EXOCHAT_EJABBERD_LOG",
    find,
};

/// The installed ejabberd: where its Erlang applications are, its version, and a client for its
/// admin API.
struct Ejabberd {
    /// The `ERL_LIBS` dir holding `ejabberd-<version>/`.
    libs: PathBuf,
    /// The application's `vsn`, e.g. `24.12-3~bpo12+1`.
    version: String,
    http: ureq::Agent,
}

impl Implementation for Ejabberd {
    fn version(&self) -> Option<&str> {
        Some(&self.version)
    }

    fn write_config(&self, dir: &Path, c2s_port: u16, http_port: u16, log_level: &str) -> std::io::Result<PathBuf> {
        std::fs::create_dir_all(dir.join("upload"))?;
        let config = dir.join("ejabberd.yml");
        std::fs::write(&config, render(TEMPLATE, dir, c2s_port, http_port, log_level_name(log_level)))?;
        Ok(config)
    }

    fn command(&self, dir: &Path, config: &Path) -> Command {
        let mut command = Command::new("erl");
        // `-mnesia dir` takes an Erlang string: the quotes are part of the argument.
        command
            .args(["-noinput", "-mnesia", "dir"])
            .arg(format!("\"{}\"", dir.join("db").display()))
            .args(["-s", "ejabberd"])
            .env("EJABBERD_CONFIG_PATH", config)
            .env("EJABBERD_LOG_PATH", dir.join("ejabberd.log"))
            .env("ERL_LIBS", &self.libs)
            .env("ERL_CRASH_DUMP_BYTES", "0")
            // The VM reads `$HOME/.erlang` at start: keep the user's settings out of our server.
            .env("HOME", dir)
            .current_dir(dir);
        command
    }

    fn output_filter(&self) -> LineObserver {
        Arc::new(|line: &str| !NOISE.iter().any(|noise| line.contains(noise)))
    }

    /// Through the admin API; an existing account gets the new password (as `prosodyctl register`).
    fn register(&self, server: &XmppServer, user: &str, password: &str) -> Result<(), String> {
        let host = server.host();
        match self.api(server, "register", &json!({ "user": user, "host": host, "password": password })) {
            Err(detail) if detail.contains("already registered") => {
                self.api(server, "change_password", &json!({ "user": user, "host": host, "newpass": password }))
            }
            registered => registered,
        }
    }
}

impl Ejabberd {
    /// Calls one admin API command; `Err` carries the status and body of a refusal.
    fn api(&self, server: &XmppServer, command: &str, arguments: &serde_json::Value) -> Result<(), String> {
        let url = format!("http://127.0.0.1:{}/api/{command}", server.http_port());
        // The API runs for the virtual host the Host header names: ours, not `127.0.0.1`.
        let request = self.http.post(&url).header("Host", format!("{}:{}", server.host(), server.http_port()));
        let mut response = request.send_json(arguments).map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let body = response.body_mut().read_to_string().unwrap_or_default();
        match status {
            200 => Ok(()),
            _ => Err(format!("HTTP {status}: {body}")),
        }
    }
}

/// Finds `ejabberd-<version>/ebin/ejabberd.app` under the library roots (Debian puts it in the
/// multiarch dir, e.g. `/usr/lib/x86_64-linux-gnu`), newest version first.
fn find() -> Result<Arc<dyn Implementation>, XmppError> {
    let mut found: Vec<(PathBuf, String)> = Vec::new();
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
                        found.push((libs.clone(), version));
                    }
                }
            }
        }
    }
    found.sort_by_key(|(_, version)| std::cmp::Reverse(major(version)));
    let not_installed = |detail: String| XmppError::NotInstalled(XmppKind::Ejabberd, detail);
    let (libs, version) = found.into_iter().next().ok_or_else(|| not_installed(format!("not installed ({INSTALL})")))?;
    if major(&version) < MIN_MAJOR {
        return Err(not_installed(format!("{version} is installed; the template needs {MIN_MAJOR}.x or newer ({INSTALL})")));
    }
    let http = ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(5))).http_status_as_error(false).build();
    Ok(Arc::new(Ejabberd { libs, version, http: http.into() }))
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

/// The template's log level: Prosody's `warn` is ejabberd's `warning`.
fn log_level_name(log_level: &str) -> &str {
    if log_level == "warn" {
        "warning"
    } else {
        log_level
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_takes_every_placeholder() {
        let text = render(TEMPLATE, Path::new("/tmp/x"), 1111, 2222, log_level_name("warn"));
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
