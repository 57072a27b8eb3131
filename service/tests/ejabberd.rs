//! The real ejabberd starts on its own ports, registers users through its admin API, serves BOSH
//! with CORS, and leaves no process (no epmd, no helper) and no file behind.

mod common;

use common::BoshCustomer;
use exochat_service::process::pid_alive;
use exochat_service::xmpp::{XmppError, XmppKind, XmppOptions, XmppServer};

/// A PLAIN login as `alice` with `password`, after checking that every mechanism the SDK uses is
/// offered: the server's answer to `<auth/>`.
fn plain_login(ejabberd: &XmppServer, password: &str) -> String {
    let (_, features, auth) = BoshCustomer::authenticate(&ejabberd.bosh_url(), "alice@localhost", password);
    for mechanism in ["<mechanism>PLAIN</mechanism>", "SCRAM-SHA-1", "SCRAM-SHA-256"] {
        assert!(features.contains(mechanism), "{mechanism} not offered: {features}");
    }
    auth
}

/// The PIDs of the processes whose parent is `pid`.
fn children(pid: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|child| {
            let stat = std::fs::read_to_string(format!("/proc/{child}/stat")).unwrap_or_default();
            // Fields after the command name: state, then the parent's PID.
            let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
            after.split_whitespace().nth(1) == Some(pid.to_string().as_str())
        })
        .collect()
}

#[test]
fn ejabberd_starts_registers_authenticates_and_cleans_up() {
    let ejabberd = XmppServer::start(XmppKind::Ejabberd).unwrap();
    let (pid, dir) = (ejabberd.pid(), ejabberd.data_dir().to_path_buf());
    assert_eq!((ejabberd.host(), ejabberd.muc_host(), ejabberd.upload_host()), ("localhost", "conference.localhost", "upload.localhost"));
    assert!(ejabberd.bosh_url().starts_with("http://127.0.0.1:") && ejabberd.bosh_url().ends_with("/bosh"));
    let version = ejabberd.version().unwrap();
    assert!(version.starts_with("24."), "{version}");
    assert!(pid_alive(pid));
    // The PID held is the Erlang VM itself, started without a node name: no distribution, so no
    // epmd is started and no cookie is written.
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap();
    let args: Vec<String> = cmdline.split(|b| *b == 0).map(|a| String::from_utf8_lossy(a).into_owned()).collect();
    assert!(args[0].ends_with("beam.smp"), "{args:?}");
    assert!(!args.iter().any(|a| a == "-sname" || a == "-name"), "{args:?}");
    let helpers = children(pid);

    ejabberd.register("alice", "s3cret").unwrap();
    assert!(plain_login(&ejabberd, "s3cret").contains("<success"));
    // Registering again sets the password, as `prosodyctl register` does.
    ejabberd.register("alice", "n3w").unwrap();
    assert!(plain_login(&ejabberd, "n3w").contains("<success"));
    assert!(plain_login(&ejabberd, "s3cret").contains("not-authorized"));

    // Pages on other origins may preflight BOSH.
    let preflight = ureq::http::Request::options(ejabberd.bosh_url())
        .header("Origin", "http://127.0.0.1:9")
        .header("Access-Control-Request-Method", "POST")
        .body(())
        .unwrap();
    let answer = ureq::run(preflight).unwrap();
    assert_eq!(answer.headers().get("Access-Control-Allow-Origin").and_then(|v| v.to_str().ok()), Some("*"));

    drop(ejabberd);
    assert!(!pid_alive(pid), "ejabberd still running");
    for helper in helpers {
        assert!(!pid_alive(helper), "helper {helper} of ejabberd still running");
    }
    assert!(!dir.exists(), "data dir left behind");
}

#[test]
fn register_reports_a_refusal() {
    let ejabberd = XmppServer::start(XmppKind::Ejabberd).unwrap();
    let err = ejabberd.register("bad user", "x").unwrap_err();
    assert!(matches!(&err, XmppError::Register { server: XmppKind::Ejabberd, user, .. } if user == "bad user"), "{err}");
}

#[test]
fn a_fixed_port_already_taken_is_reported() {
    let taken = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = taken.local_addr().unwrap().port();
    let free = exochat_service::util::free_port().unwrap();
    let options = XmppOptions { c2s_port: Some(free), http_port: Some(port), ..XmppOptions::default() };
    let err = XmppServer::start_with(XmppKind::Ejabberd, options).err().expect("the port is taken");
    assert!(matches!(err, XmppError::PortTaken(XmppKind::Ejabberd)), "{err}");
}
