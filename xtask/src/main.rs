//! The project's commands: `cargo xtask setup | build | test | demo`.
//!
//! - `setup` installs what is missing (Debian packages, the wasm32 target, wasm-bindgen-cli at the
//!   Cargo.lock version, the npm tools, the agent's Python venv) and says what it did or skipped.
//! - `build` writes the release SDK into `dist/` and prints each file's raw, gzip -9 and brotli size.
//! - `test` runs `setup`, then every tier (native, headless Chromium, the release bundle in a page)
//!   and ends with one line `N passed, N failed`; non-zero exit on any failure.
//! - `demo` builds and serves the demo page on 127.0.0.1; Ctrl-C stops what it started.
//!
//! Plain std, no dependencies: it must compile in seconds on a fresh clone.

mod build;
mod demo;
mod order;
mod setup;
mod stack;
mod test;
mod util;
mod wasm;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <setup|build|test|demo>
  setup  install what is missing (apt packages, wasm32 target, wasm-bindgen-cli, npm tools, venv)
  build  release SDK into dist/, with sizes
  test   setup, then every test tier; prints `N passed, N failed`
  demo   build, start the local chat service and serve www/ on 127.0.0.1";

fn main() -> ExitCode {
    let arg = std::env::args().nth(1).unwrap_or_default();
    let result = match arg.as_str() {
        "setup" => setup::run(),
        "build" => build::run().map(|_| ()),
        "test" => test::run(),
        "demo" => demo::run(),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // `test` has already printed its verdict as its last line.
            if !e.is_empty() {
                eprintln!("xtask {arg}: {e}");
            }
            ExitCode::FAILURE
        }
    }
}
