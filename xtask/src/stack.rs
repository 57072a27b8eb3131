//! The local chat service for the browser tests: `exochat-service stack` on free ports, started
//! once for the whole browser tier; node finds it through the state file named by
//! `EXOCHAT_STACK`. Dropping the handle stops it with SIGTERM (the service then stops Prosody
//! and the agent and removes its files).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{check, cmd, root, Result};

/// How long the stack may take to write its state file.
const START_TIMEOUT: Duration = Duration::from_secs(90);
/// How long it may take to stop after SIGTERM before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(20);

/// A running stack.
pub struct LocalStack {
    child: Child,
    /// The JSON the stack wrote when ready (URLs, token, ids).
    pub state_file: PathBuf,
}

impl LocalStack {
    /// Builds the service binary and starts the stack (agent delay 50 ms, so tests stay fast);
    /// returns once its state file exists. Its log goes to `target/xtask-test/stack.log`.
    pub fn start() -> Result<LocalStack> {
        check(&mut cmd("cargo", &["build", "--quiet", "-p", "exochat-service"]))?;
        let dir = root().join("target/xtask-test");
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let state_file = dir.join("stack.json");
        let _ = std::fs::remove_file(&state_file);
        let log_path = dir.join("stack.log");
        let log = std::fs::File::create(&log_path).map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
        let stdout = log.try_clone().map_err(|e| format!("cannot share the stack log: {e}"))?;
        let child = Command::new(root().join("target/debug/exochat-service"))
            .args(["stack", "--ports", "free", "--agent-delay-ms", "50", "--state-file"])
            .arg(&state_file)
            .current_dir(root())
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start exochat-service: {e}"))?;
        let mut stack = LocalStack { child, state_file };
        let started = Instant::now();
        loop {
            if std::fs::metadata(&stack.state_file).is_ok_and(|m| m.len() > 0) {
                return Ok(stack);
            }
            if let Ok(Some(status)) = stack.child.try_wait() {
                return Err(format!("exochat-service stack exited ({status}) before it was ready; see {}", log_path.display()));
            }
            if started.elapsed() > START_TIMEOUT {
                return Err(format!("exochat-service stack not ready after {START_TIMEOUT:?}; see {}", log_path.display()));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for LocalStack {
    fn drop(&mut self) {
        // SIGTERM lets the service stop Prosody and the agent; std only offers SIGKILL.
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
