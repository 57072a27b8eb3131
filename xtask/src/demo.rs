//! `cargo xtask demo`: builds the SDK, then runs the local stack (Prosody, the Exotel-compatible
//! REST service, the simulated agent) serving `www/` and `dist/` on 127.0.0.1. The stack prints
//! the URLs and stops every child it started on Ctrl-C or SIGTERM.
//!
//! On Unix the command replaces itself with the stack (`exec`; `cargo run` execs the binary in
//! turn), so the demo's PID is the stack's: a signal sent to the demo command alone, not only the
//! terminal's Ctrl-C to the whole group, reaches the stack and never leaves it orphaned.

use crate::util::{cmd, describe, Result};
use crate::{build, setup};

/// The `demo` command.
pub fn run() -> Result<()> {
    setup::run_all()?;
    build::run()?;
    let mut stack = cmd("cargo", &["run", "--quiet", "-p", "exochat-service", "--", "stack", "--static", "www", "--static", "dist"]);
    println!("demo: {}", describe(&stack));
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // `exec` only returns on failure.
        let error = stack.exec();
        Err(format!("cannot run `{}`: {error}", describe(&stack)))
    }
    #[cfg(not(unix))]
    crate::util::check(&mut stack)
}
