//! `cargo xtask demo`: builds the SDK, then runs the local stack (Prosody, the Exotel-compatible
//! REST service, the simulated agent) serving `www/` and `dist/` on 127.0.0.1. The stack prints
//! the URLs and stops its children on Ctrl-C. Until the service has its `stack` command, the demo
//! serves the pages alone with the browser tests' static server.

use crate::util::{check, cmd, root, Result};
use crate::{build, setup};

/// The `demo` command.
pub fn run() -> Result<()> {
    setup::run_all()?;
    build::run()?;
    let root = root();
    if root.join("service/src/main.rs").exists() {
        println!("demo: cargo run -p exochat-service -- stack --static www --static dist");
        return check(&mut cmd("cargo", &["run", "--quiet", "-p", "exochat-service", "--", "stack", "--static", "www", "--static", "dist"]));
    }
    println!("demo: the chat service has no `stack` command yet; serving the pages only");
    let mut serve = cmd("node", &["tests/browser/serve.mjs", "--port", "8080", "www", "dist"]);
    if !root.join("www/index.html").exists() {
        serve.arg("tests/browser/pages");
    }
    check(&mut serve)
}
