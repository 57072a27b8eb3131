//! `cargo xtask test`: `setup`, then every tier, each runner's summary, and one final line
//! `N passed, N failed` over all tiers. A tier that fails to run (a compile error) counts as one
//! failure. Every tier runs even after a failure, so one run shows everything that is broken.
//!
//! Each runner's full output goes to `target/xtask-test/<tier>.log`; the summary lines are printed,
//! and the end of the log too when the tier failed.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::build::{self, SIZE_BUDGET_GZIP, SIZE_TARGET_GZIP};
use crate::setup;
use crate::stack::{LocalStack, Xmpp};
use crate::util::{cmd, describe, root, Result};

/// Passed and failed test counts.
#[derive(Default, Clone, Copy)]
struct Tally {
    passed: u64,
    failed: u64,
}

/// The `test` command.
pub fn run() -> Result<()> {
    setup::run_all()?;
    let started = Instant::now();
    let mut total = Tally::default();

    // --no-fail-fast: a failing test binary must not hide the results of the others.
    let mut native = cmd("cargo", &["test", "--workspace", "--no-fail-fast"]);
    total = add(total, tier("native (cargo test --workspace --no-fail-fast)", &mut native, cargo_summary));

    // wasm-bindgen-test-runner drives chromedriver and starts Chromium headless with --no-sandbox
    // (needed as root). `--lib`: the wasm tests live in src/web; tests/ holds native-only tests.
    let mut wasm = cmd("cargo", &["test", "--target", "wasm32-unknown-unknown", "-p", "exochat", "--lib"]);
    wasm.env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", "wasm-bindgen-test-runner")
        .env("CHROMEDRIVER", "/usr/bin/chromedriver")
        .env("WASM_BINDGEN_TEST_TIMEOUT", "60");
    total = add(total, tier("headless Chromium (wasm-bindgen-test)", &mut wasm, cargo_summary));

    println!("\n== release build (cargo xtask build)");
    match build::run() {
        Ok(report) => {
            let in_budget = report.script_tag_gzip <= SIZE_BUDGET_GZIP;
            println!(
                "{} size budget: {} bytes gzip -9 <= {SIZE_BUDGET_GZIP} (target {SIZE_TARGET_GZIP})",
                if in_budget { "ok  " } else { "FAIL" },
                report.script_tag_gzip
            );
            let no_env = report.env_imports.is_empty();
            println!("{} no imports from module `env`", if no_env { "ok  " } else { "FAIL" });
            let passed = u64::from(in_budget) + u64::from(no_env);
            total = add(total, Tally { passed, failed: 2 - passed });

            // One local chat service per XMPP server (real Prosody / ejabberd, REST, agent) for
            // every browser test file, started together.
            println!("\n== local chat services (exochat-service stack --xmpp prosody|ejabberd)");
            let mut node = cmd("node", &["--test", "--test-reporter=tap", "tests/browser/"]);
            node.env("EXOCHAT_DIST", root().join("dist"));
            let mut stacks = Vec::new();
            for stack in LocalStack::start_all(&[Xmpp::Prosody, Xmpp::Ejabberd]) {
                match stack {
                    Ok(stack) => {
                        println!("ok   {} started; state file {}", stack.xmpp.name(), stack.state_file.display());
                        node.env(stack.xmpp.env_var(), &stack.state_file);
                        stacks.push(stack);
                    }
                    Err(e) => {
                        println!("FAIL {e}");
                        total = add(total, Tally { passed: 0, failed: 1 });
                    }
                }
            }
            total = add(total, tier("release bundle in a page (node --test tests/browser/)", &mut node, node_summary));
            drop(stacks);
        }
        Err(e) => {
            println!("FAIL build: {e} (the release bundle tests cannot run)");
            total = add(total, Tally { passed: 0, failed: 1 });
        }
    }

    println!("\ntook {:.0} s", started.elapsed().as_secs_f64());
    println!("{} passed, {} failed", total.passed, total.failed);
    if total.failed == 0 {
        Ok(())
    } else {
        Err(String::new())
    }
}

fn add(a: Tally, b: Tally) -> Tally {
    Tally { passed: a.passed + b.passed, failed: a.failed + b.failed }
}

/// Runs one tier, logging its output, printing its summary lines; the counts it reported.
fn tier(name: &str, c: &mut Command, summary: fn(&str) -> Option<Tally>) -> Tally {
    println!("\n== {name}");
    let log_dir = root().join("target/xtask-test");
    let _ = std::fs::create_dir_all(&log_dir);
    let slug: String = name.chars().take_while(|c| *c != ' ').collect();
    let log_path = log_dir.join(format!("{slug}.log"));
    let (status, lines) = match run_logged(c, &log_path) {
        Ok(v) => v,
        Err(e) => {
            println!("FAIL cannot run `{}`: {e}", describe(c));
            return Tally { passed: 0, failed: 1 };
        }
    };
    let mut tally = Tally::default();
    for line in &lines {
        if let Some(t) = summary(line) {
            println!("{}", line.trim());
            tally = add(tally, t);
        }
    }
    if !status {
        if tally.failed == 0 {
            // It exited non-zero without failing a test: it did not build or did not start.
            tally.failed = 1;
        }
        println!("--- end of {}:", log_path.display());
        for line in lines.iter().skip(lines.len().saturating_sub(80)) {
            println!("  {line}");
        }
    }
    println!("{name}: {} passed, {} failed", tally.passed, tally.failed);
    tally
}

/// Runs `c` with stdout and stderr merged into the log file; whether it succeeded, and its lines.
fn run_logged(c: &mut Command, log_path: &std::path::Path) -> std::io::Result<(bool, Vec<String>)> {
    let mut log = std::fs::File::create(log_path)?;
    // One pipe for both streams keeps their lines in order.
    let (reader, writer) = std::io::pipe()?;
    let mut child = c.stdout(writer.try_clone()?).stderr(writer).stdin(Stdio::null()).spawn()?;
    // Drop the Command's copies of the pipe's write end, or the read below never ends.
    c.stdout(Stdio::null()).stderr(Stdio::null());
    let mut lines = Vec::new();
    for line in BufReader::new(reader).lines() {
        let line = line?;
        writeln!(log, "{line}")?;
        lines.push(line);
    }
    Ok((child.wait()?.success(), lines))
}

/// `test result: ok. 12 passed; 0 failed; ...` (cargo test and wasm-bindgen-test-runner).
fn cargo_summary(line: &str) -> Option<Tally> {
    let rest = line.trim().strip_prefix("test result: ")?;
    let count = |word: &str| -> Option<u64> {
        rest.split(';').find_map(|part| part.trim().trim_start_matches("ok. ").trim_start_matches("FAILED. ").strip_suffix(word)?.trim().parse().ok())
    };
    Some(Tally { passed: count(" passed")?, failed: count(" failed")? })
}

/// `# pass 5` / `# fail 0` (node's TAP reporter); each line carries one of the two counts.
fn node_summary(line: &str) -> Option<Tally> {
    let line = line.trim();
    if let Some(n) = line.strip_prefix("# pass ") {
        return n.trim().parse().ok().map(|passed| Tally { passed, failed: 0 });
    }
    line.strip_prefix("# fail ").and_then(|n| n.trim().parse().ok()).map(|failed| Tally { passed: 0, failed })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cargo_and_node_summaries() {
        let t = cargo_summary("test result: ok. 34 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s").unwrap();
        assert_eq!((t.passed, t.failed), (34, 0));
        let t = cargo_summary("test result: FAILED. 3 passed; 2 failed; 0 ignored").unwrap();
        assert_eq!((t.passed, t.failed), (3, 2));
        assert!(cargo_summary("running 3 tests").is_none());
        assert_eq!(node_summary("# pass 6").map(|t| t.passed), Some(6));
        assert_eq!(node_summary("# fail 1").map(|t| t.failed), Some(1));
        assert!(node_summary("# tests 7").is_none());
    }
}
