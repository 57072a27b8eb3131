//! A child process owned by the stack: its output goes to the [`Log`], and it is stopped by its
//! PID (SIGTERM, then SIGKILL after a grace period) when the owner drops it.

use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::log::{LineObserver, Log};
use crate::util::wait_until;

/// A running child; dropping it stops it. Methods take `&self` so owners can share it.
pub struct ChildProcess {
    name: String,
    pid: u32,
    log: Log,
    inner: Mutex<Inner>,
}

struct Inner {
    child: Child,
    // Held open so a child that watches its stdin (the agent) exits when we vanish.
    stdin: Option<ChildStdin>,
    forwarders: Vec<JoinHandle<()>>,
    exited: Option<ExitStatus>,
}

impl Inner {
    fn poll(&mut self) -> Option<ExitStatus> {
        if self.exited.is_none() {
            self.exited = self.child.try_wait().ok().flatten();
        }
        self.exited
    }
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
        let pid = child.id();
        log.line("stack", &format!("started {name} (pid {pid})"));
        let inner = Inner { child, stdin, forwarders, exited: None };
        Ok(ChildProcess { name: name.to_owned(), pid, log: log.clone(), inner: Mutex::new(inner) })
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        // A poisoned lock only means a panic elsewhere; the child handle is still valid.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The exit status if the child has exited (it is reaped then), else `None`.
    pub fn exit_status(&self) -> Option<ExitStatus> {
        self.inner().poll()
    }

    /// Stops the child: SIGTERM, up to `grace` for it to exit, then SIGKILL; reaps it and waits
    /// for its last output lines. Idempotent.
    pub fn stop(&self, grace: Duration) {
        let mut inner = self.inner();
        if inner.poll().is_none() {
            inner.stdin = None;
            signal(self.pid, libc::SIGTERM);
            if !wait_until(grace, Duration::from_millis(10), || inner.poll().is_some()) {
                self.log.line("stack", &format!("{} did not stop in {grace:?}: killing it", self.name));
                let _ = inner.child.kill();
                inner.exited = inner.child.wait().ok();
            }
            self.log.line("stack", &format!("stopped {} (pid {})", self.name, self.pid));
        }
        for forwarder in inner.forwarders.drain(..) {
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

/// True when a process with this PID exists and is not a zombie.
pub fn pid_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state letter follows the command name in parentheses, which may contain spaces.
        Ok(stat) => stat.rsplit_once(')').is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}
