//! The local chat services for the browser tests: `exochat-service stack` on free ports, one per
//! XMPP server (Prosody, ejabberd), started together once for the whole browser tier; node finds
//! each through the state file named by its environment variable (`EXOCHAT_STACK`,
//! `EXOCHAT_STACK_EJABBERD`). Dropping a handle stops that stack with SIGTERM (the service then
//! stops its XMPP server and the agent and removes its files).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{check, cmd, root, Result};

/// How long a stack may take to write its state file.
const START_TIMEOUT: Duration = Duration::from_secs(90);
/// How long it may take to stop after SIGTERM before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(20);

/// The XMPP server a stack runs (`exochat-service stack --xmpp NAME`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Xmpp {
    /// Prosody 0.12, the default server of the service and of the browser tests.
    Prosody,
    /// ejabberd 24.12, the second implementation integrators may run.
    Ejabberd,
}

impl Xmpp {
    /// The service's name for it (`--xmpp`), also used in file names.
    pub fn name(self) -> &'static str {
        match self {
            Xmpp::Prosody => "prosody",
            Xmpp::Ejabberd => "ejabberd",
        }
    }

    /// The environment variable naming its stack's state file for node (`tests/browser/stack.mjs`).
    pub fn env_var(self) -> &'static str {
        match self {
            Xmpp::Prosody => "EXOCHAT_STACK",
            Xmpp::Ejabberd => "EXOCHAT_STACK_EJABBERD",
        }
    }
}

/// A running stack.
pub struct LocalStack {
    child: Child,
    /// Its XMPP server.
    pub xmpp: Xmpp,
    /// The JSON the stack wrote when ready (URLs, token, ids).
    pub state_file: PathBuf,
    /// Where its output goes (`target/xtask-test/stack-<xmpp>.log`).
    pub log_path: PathBuf,
}

impl LocalStack {
    /// Builds the service binary once, starts one stack per server in `servers` (agent delay
    /// 50 ms, so tests stay fast) and waits for them together, so the slowest start is all it
    /// costs. One result per server, in order; a stack that failed has been stopped.
    pub fn start_all(servers: &[Xmpp]) -> Vec<Result<LocalStack>> {
        if let Err(e) = check(&mut cmd("cargo", &["build", "--quiet", "-p", "exochat-service"])) {
            return servers.iter().map(|_| Err(e.clone())).collect();
        }
        let spawned: Vec<Result<LocalStack>> = servers.iter().map(|&xmpp| LocalStack::spawn(xmpp)).collect();
        let started = Instant::now();
        spawned.into_iter().map(|stack| stack.and_then(|mut s| s.wait_ready(started).map(|()| s))).collect()
    }

    /// Starts the service without waiting for it.
    fn spawn(xmpp: Xmpp) -> Result<LocalStack> {
        let dir = root().join("target/xtask-test");
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let state_file = dir.join(format!("stack-{}.json", xmpp.name()));
        let _ = std::fs::remove_file(&state_file);
        let log_path = dir.join(format!("stack-{}.log", xmpp.name()));
        let log = std::fs::File::create(&log_path).map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
        let stdout = log.try_clone().map_err(|e| format!("cannot share the stack log: {e}"))?;
        let child = Command::new(root().join("target/debug/exochat-service"))
            .args(["stack", "--xmpp", xmpp.name(), "--ports", "free", "--agent-delay-ms", "50", "--state-file"])
            .arg(&state_file)
            .current_dir(root())
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start exochat-service: {e}"))?;
        Ok(LocalStack { child, xmpp, state_file, log_path })
    }

    /// Returns once the state file exists; an error if the service exits first or `START_TIMEOUT`
    /// after `started` passes (the handle is then dropped, which stops it).
    fn wait_ready(&mut self, started: Instant) -> Result<()> {
        let what = format!("exochat-service stack --xmpp {}", self.xmpp.name());
        loop {
            if std::fs::metadata(&self.state_file).is_ok_and(|m| m.len() > 0) {
                return Ok(());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("{what} exited ({status}) before it was ready; see {}", self.log_path.display()));
            }
            if started.elapsed() > START_TIMEOUT {
                return Err(format!("{what} not ready after {START_TIMEOUT:?}; see {}", self.log_path.display()));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for LocalStack {
    fn drop(&mut self) {
        // SIGTERM lets the service stop its XMPP server and the agent; std only offers SIGKILL.
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
