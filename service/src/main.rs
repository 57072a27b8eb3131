//! `exochat-service stack [options]`: runs the local chat service until Ctrl-C or SIGTERM.
//! See `service/README.md` (or `--help`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;

use exochat_service::log::Log;
use exochat_service::stack::{Ports, Stack, StackOptions};
use exochat_service::util::repo_root;

const USAGE: &str = "\
usage: exochat-service stack [options]

Starts an XMPP server, the Exotel REST/CMS API, the simulated agent and the web pages on 127.0.0.1,
prints their URLs, and runs until Ctrl-C or SIGTERM, then stops everything it started.

options:
  --static DIR            serve DIR on the web origin (repeatable; later dirs win for the same
                          path). Default: <repo>/www and <repo>/dist
  --state-file FILE       when ready, write the URLs, token and ids there as JSON (removed on stop)
  --ports fixed|free      fixed: REST 4440, CMS 4433, BOSH 4442, agent 4450, web 4480, c2s 4452;
                          free (default): any free ports, so several stacks can run at once
  --log-file FILE         also append every log line to FILE
  --auth-token TOKEN      the Authorization value to accept (default: RestrictedToken exochat-local-token)
  --contact-center-id N   the contactCenterId to accept (default: 101)
  --agent-delay-ms N      pause between the agent script's steps (default: 600)
  --xmpp prosody|ejabberd the XMPP server (default: prosody; ejabberd 24.12 from bookworm-backports)
  --xmpp-log LEVEL        the XMPP server's log level: debug, info, warn (default) or error
";

struct Args {
    options: StackOptions,
    state_file: Option<PathBuf>,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    match args.next().as_deref() {
        Some("stack") => {}
        Some("-h" | "--help") | None => return Err(String::new()),
        Some(other) => return Err(format!("unknown command {other:?}")),
    }
    let mut options = StackOptions { agent_delay_ms: 600, ..StackOptions::default() };
    let (mut state_file, mut log_file, mut dirs) = (None, None, Vec::new());
    while let Some(flag) = args.next() {
        if flag == "-h" || flag == "--help" {
            return Err(String::new());
        }
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = |v: &str| v.parse::<i64>().map_err(|_| format!("{flag} needs a number, not {v:?}"));
        match flag.as_str() {
            "--static" => dirs.push(PathBuf::from(value)),
            "--state-file" => state_file = Some(PathBuf::from(value)),
            "--log-file" => log_file = Some(PathBuf::from(value)),
            "--ports" => {
                options.ports = match value.as_str() {
                    "fixed" => Ports::Fixed,
                    "free" => Ports::Free,
                    _ => return Err(format!("--ports is fixed or free, not {value:?}")),
                }
            }
            "--auth-token" => options.auth_token = value,
            "--contact-center-id" => options.contact_center_id = number(&value)?,
            "--agent-delay-ms" => options.agent_delay_ms = number(&value)?.max(0) as u64,
            "--xmpp" => options.xmpp = value.parse()?,
            "--xmpp-log" => options.xmpp_log_level = Some(value),
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    if dirs.is_empty() {
        let root = repo_root();
        dirs = [root.join("www"), root.join("dist")].into_iter().filter(|d| d.is_dir()).collect();
    }
    options.static_dirs = dirs;
    options.log = Log::for_process(log_file.as_deref())
        .map_err(|e| format!("--log-file {}: {e}", log_file.unwrap_or_default().display()))?;
    Ok(Args { options, state_file })
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) if message.is_empty() => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("exochat-service: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let log = args.options.log.clone();

    // Set before starting, so a Ctrl-C during startup still stops whatever was started.
    let (stop_tx, stop_rx) = mpsc::channel();
    if let Err(e) = ctrlc::set_handler(move || {
        let _ = stop_tx.send(());
    }) {
        log.line("stack", &format!("cannot handle Ctrl-C: {e}"));
        return ExitCode::FAILURE;
    }

    let stack = match Stack::start(args.options) {
        Ok(stack) => stack,
        Err(e) => {
            log.line("stack", &format!("could not start: {e}"));
            return ExitCode::FAILURE;
        }
    };
    if let Some(path) = &args.state_file {
        if let Err(e) = stack.info().write_to(path) {
            log.line("stack", &format!("could not write the state file {}: {e}", path.display()));
            return ExitCode::FAILURE;
        }
        log.line("stack", &format!("state file written: {}", path.display()));
    }
    log.line("stack", "press Ctrl-C to stop");

    let code = loop {
        match stop_rx.recv_timeout(Duration::from_millis(500)) {
            Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => break ExitCode::SUCCESS,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if let Err(e) = stack.check() {
                    log.line("stack", &e.to_string());
                    break ExitCode::FAILURE;
                }
            }
        }
    };
    drop(stack);
    if let Some(path) = &args.state_file {
        let _ = std::fs::remove_file(path);
    }
    log.line("stack", "stopped; nothing left behind");
    code
}
