//! `cargo xtask demo`: builds the SDK, then runs the local stack (Prosody, the Exotel-compatible
//! REST service, the simulated agent) serving `www/` and `dist/` on 127.0.0.1. The stack prints
//! the URLs and stops every child it started on Ctrl-C (the terminal sends SIGINT to the whole
//! foreground group; this command just waits for it).

use crate::util::{check, cmd, Result};
use crate::{build, setup};

/// The `demo` command.
pub fn run() -> Result<()> {
    setup::run_all()?;
    build::run()?;
    println!("demo: cargo run -p exochat-service -- stack --static www --static dist");
    check(&mut cmd("cargo", &["run", "--quiet", "-p", "exochat-service", "--", "stack", "--static", "www", "--static", "dist"]))
}
