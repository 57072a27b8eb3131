//! Prosody (the Debian package) as the stack's XMPP server: what it does its own way. Its config is
//! rendered from the committed template `service/prosody/prosody.cfg.lua`, it runs as
//! `prosody --config FILE -F`, and accounts are made with `prosodyctl`; the lifecycle is
//! [`XmppServer`]'s (start it with [`XmppKind::Prosody`](crate::xmpp::XmppKind)).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::log::LineObserver;
use crate::xmpp::{render, Implementation, Profile, XmppError, XmppServer};

/// The committed configuration template (see its header for the placeholders).
const TEMPLATE: &str = include_str!("../prosody/prosody.cfg.lua");

/// Prosody's facts.
pub(crate) const PROFILE: Profile = Profile {
    name: "Prosody",
    install: "apt-get install prosody",
    bosh_path: "/http-bind",
    websocket_path: "/xmpp-websocket",
    port_taken: "Failed to open server port",
    // It answers BOSH ~0.15 s after start here.
    start_timeout: Duration::from_secs(15),
    log_env: "EXOCHAT_PROSODY_LOG",
    find,
};

fn find() -> Result<Arc<dyn Implementation>, XmppError> {
    // Nothing to look up: `prosody` on PATH is run, and a missing one is a spawn error.
    Ok(Arc::new(Prosody))
}

/// Prosody's own ways.
struct Prosody;

impl Implementation for Prosody {
    fn version(&self) -> Option<&str> {
        None
    }

    fn write_config(&self, dir: &Path, c2s_port: u16, http_port: u16, log_level: &str) -> std::io::Result<PathBuf> {
        // Prosody looks for certificates next to its config: an empty folder avoids a warning.
        std::fs::create_dir_all(dir.join("certs"))?;
        let config = dir.join("prosody.cfg.lua");
        std::fs::write(&config, render(TEMPLATE, dir, c2s_port, http_port, log_level))?;
        Ok(config)
    }

    fn command(&self, dir: &Path, config: &Path) -> Command {
        let mut command = Command::new("prosody");
        command.arg("--config").arg(config).arg("-F").current_dir(dir);
        command
    }

    fn output_filter(&self) -> LineObserver {
        let in_banner = AtomicBool::new(false);
        Arc::new(move |line: &str| {
            // Debian's prosody without lua-unbound prints a 9-line banner between rows of `*`
            // at every start: harmless (the old resolver is fine on loopback), so keep it out.
            if !line.is_empty() && line.chars().all(|c| c == '*') {
                in_banner.fetch_xor(true, Ordering::SeqCst);
                return false;
            }
            !in_banner.load(Ordering::SeqCst)
        })
    }

    /// Through `prosodyctl` with the same config; works while Prosody runs.
    fn register(&self, server: &XmppServer, user: &str, password: &str) -> Result<(), String> {
        let output = Command::new("prosodyctl")
            .arg("--config")
            .arg(server.config_path())
            .args(["register", user, server.host(), password])
            .output()
            .map_err(|e| format!("running prosodyctl: {e}"))?;
        if output.status.success() {
            return Ok(());
        }
        let mut detail = format!("prosodyctl register: {}", output.status);
        for stream in [&output.stdout, &output.stderr] {
            let text = String::from_utf8_lossy(stream);
            // Drop prosodyctl's banner about the optional lua-unbound resolver.
            let text: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty() && !l.contains('*')).collect();
            if !text.is_empty() {
                detail.push_str(": ");
                detail.push_str(&text.join(" / "));
            }
        }
        Err(detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_takes_every_placeholder() {
        let text = render(TEMPLATE, Path::new("/tmp/x"), 1111, 2222, "info");
        assert!(!text.contains("@@"), "a placeholder is left");
        assert!(text.contains("c2s_ports = { 1111 }"));
        assert!(text.contains("http_ports = { 2222 }"));
        assert!(text.contains("http_external_url = \"http://127.0.0.1:2222/\""));
        assert!(text.contains("data_path = \"/tmp/x\""));
    }
}
