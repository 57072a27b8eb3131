//! A child process owned by the stack: its output goes to the [`Log`], and it is stopped by its
//! PID (SIGTERM, then SIGKILL after a grace period) when the owner drops it.

use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::log::{LineObserver, Log};
use crate::util::wait_until;

/// A running child; dropping it stops it.
pub struct ChildProcess {
    name: String,
    child: Child,
    // Held open so a child that watches its stdin (the agent) exits when we vanish.
    stdin: Option<ChildStdin>,
    forwarders: Vec<JoinHandle<()>>,
    log: Log,
    exited: Option<ExitStatus>,
}

impl ChildProcess {
    /// Starts `cmd` with stdin piped and stdout/stderr forwarded to `log` as `name`; `observer`
    /// sees every output line first.
    pub fn spawn(name: &str, mut cmd: Command, log: &Log, observer: Option<LineObserver>) -> std::io::Result<Self> {
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn()?;
        let mut forwarders = Vec::new();
        if let Some(out) = child.stdout.take() {
            forwarders.push(log.forward(name, out, observer.clone()));
        }
        if let Some(err) = child.stderr.take() {
            forwarders.push(log.forward(name, err, observer));
        }
        let stdin = child.stdin.take();
        log.line("stack", &format!("started {name} (pid {})", child.id()));
        Ok(ChildProcess { name: name.to_owned(), child, stdin, forwarders, log: log.clone(), exited: None })
    }

    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The exit status if the child has exited (it is reaped then), else `None`.
    pub fn exit_status(&mut self) -> Option<ExitStatus> {
        if self.exited.is_none() {
            self.exited = self.child.try_wait().ok().flatten();
        }
        self.exited
    }

    /// Stops the child: SIGTERM, up to `grace` for it to exit, then SIGKILL; reaps it and waits
    /// for its last output lines. Idempotent.
    pub fn stop(&mut self, grace: Duration) {
        if self.exit_status().is_none() {
            self.stdin = None;
            signal(self.child.id(), libc::SIGTERM);
            if !wait_until(grace, Duration::from_millis(10), || self.exit_status().is_some()) {
                self.log.line("stack", &format!("{} did not stop in {grace:?}: killing it", self.name));
                let _ = self.child.kill();
                self.exited = self.child.wait().ok();
            }
            self.log.line("stack", &format!("stopped {} (pid {})", self.name, self.child.id()));
        }
        for forwarder in self.forwarders.drain(..) {
            let _ = forwarder.join();
        }
    }
}

impl Drop for ChildProcess {
    fn drop(&mut self) {
        self.stop(Duration::from_secs(3));
    }
}

/// Sends `sig` to process `pid` (which we started and have not reaped, so the PID is still ours).
fn signal(pid: u32, sig: libc::c_int) {
    if let Ok(pid) = libc::pid_t::try_from(pid) {
        // SAFETY: kill(2) has no memory-safety preconditions.
        unsafe {
            libc::kill(pid, sig);
        }
    }
}

/// True when a process with this PID exists (a zombie counts until reaped).
pub fn pid_alive(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}
