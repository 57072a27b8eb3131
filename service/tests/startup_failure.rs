//! A stack that cannot start stops what it had already started. (Its own test binary: it sets an
//! environment variable that the other tests must not see.)

use exochat_service::agent::AgentError;
use exochat_service::log::Log;
use exochat_service::process::pid_alive;
use exochat_service::stack::{Stack, StackError, StackOptions};
use exochat_service::util::TempDir;

#[test]
fn a_missing_python_is_reported_and_prosody_is_stopped_again() {
    let scratch = TempDir::new("exochat-fail-test-").unwrap();
    let log_path = scratch.path().join("log.txt");
    std::env::set_var("EXOCHAT_PYTHON", scratch.path().join("no-such-python"));
    let options = StackOptions { log: Log::with_file(&log_path).unwrap(), ..StackOptions::default() };

    let error = Stack::start(options).err().expect("the stack must not start");
    assert!(matches!(error, StackError::Agent(AgentError::NoPython(_))), "{error}");
    assert!(error.to_string().contains("cargo xtask setup"), "{error}");

    // Prosody had started (the log names its PID); it must be gone now.
    let log = std::fs::read_to_string(&log_path).unwrap();
    let pid: u32 = log
        .split("started prosody (pid ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .and_then(|pid| pid.parse().ok())
        .unwrap_or_else(|| panic!("no Prosody PID in the log:\n{log}"));
    assert!(!pid_alive(pid), "Prosody {pid} still running");
    assert!(log.contains("stopped prosody"), "{log}");
}
