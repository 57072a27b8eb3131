//! Starting and stopping leaves no process and no file behind: through the library, and through
//! the binary stopped by SIGTERM as `cargo xtask demo` or a terminal's Ctrl-C would.

mod common;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;
use exochat_service::process::pid_alive;
use exochat_service::util::TempDir;
use serde_json::Value;

#[test]
fn dropping_the_stack_stops_every_process_and_removes_every_file() {
    let stack = stack();
    provision(stack.info(), "Asha"); // accounts, a room, an archive: files to clean up
    let pids = stack.pids();
    let dirs = stack.info().data_dirs.clone();
    assert!(pids.iter().all(|p| pid_alive(*p)));
    assert!(dirs.iter().all(|d| d.exists()));
    assert!(dirs[1].join("localhost/accounts/agent.dat").exists());
    stop_and_check_cleanup(stack);
}

#[test]
fn the_binary_serves_the_pages_writes_its_state_and_cleans_up_on_sigterm() {
    let scratch = TempDir::new("exochat-bin-test-").unwrap();
    let (www, dist) = (scratch.path().join("www"), scratch.path().join("dist"));
    std::fs::create_dir_all(&www).unwrap();
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(www.join("index.html"), "<p>demo</p>").unwrap();
    std::fs::write(www.join("exotel-chat-sdk.js"), "old").unwrap();
    std::fs::write(dist.join("exotel-chat-sdk.js"), "built").unwrap();
    let state_file = scratch.path().join("state.json");

    let mut child = Command::new(env!("CARGO_BIN_EXE_exochat-service"))
        .args(["stack", "--ports", "free", "--agent-delay-ms", "50"])
        .arg("--static")
        .arg(&www)
        .arg("--static")
        .arg(&dist)
        .arg("--state-file")
        .arg(&state_file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let state: Value = wait_for(30, "the state file", || {
        std::fs::read(&state_file).ok().and_then(|b| serde_json::from_slice(&b).ok())
    });
    let web = state["web_url"].as_str().unwrap();
    let page = |path: &str| http().get(format!("{web}{path}")).call().unwrap().body_mut().read_to_string().unwrap();
    assert_eq!(page("/"), "<p>demo</p>");
    assert_eq!(page("/exotel-chat-sdk.js"), "built", "the later --static dir must win");
    assert!(page("/demo-config.js").contains(state["rest_url"].as_str().unwrap()));
    assert_eq!(state["auth_token"], "RestrictedToken exochat-local-token");
    assert!(state["contactCenterId"].is_i64());

    let pids: Vec<u32> = ["xmpp_pid", "agent_pid"].iter().map(|k| state[k].as_u64().unwrap() as u32).collect();
    let dirs: Vec<PathBuf> = state["data_dirs"].as_array().unwrap().iter().map(|d| d.as_str().unwrap().into()).collect();
    assert!(pids.iter().all(|p| pid_alive(*p)));

    // SAFETY: kill(2) on our own child's PID.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    let status = wait_for(15, "the binary to exit", || child.try_wait().unwrap());
    assert!(status.success(), "{status}");
    for pid in pids {
        assert!(!pid_alive(pid), "pid {pid} still running");
    }
    for dir in dirs {
        assert!(!dir.exists(), "{} left behind", dir.display());
    }
    assert!(!state_file.exists(), "state file left behind");
    // Every web origin port is closed again.
    assert!(http().get(format!("{web}/")).config().timeout_global(Some(Duration::from_secs(2))).build().call().is_err());
}
