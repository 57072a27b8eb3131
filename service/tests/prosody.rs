//! The real Prosody starts on its own ports, registers users, serves BOSH with PLAIN auth, and
//! leaves no process and no file behind.

mod common;

use common::BoshCustomer;
use exochat_service::process::pid_alive;
use exochat_service::xmpp::{XmppKind, XmppServer};

#[test]
fn prosody_starts_registers_authenticates_and_cleans_up() {
    let prosody = XmppServer::start(XmppKind::Prosody).unwrap();
    let (pid, dir) = (prosody.pid(), prosody.data_dir().to_path_buf());
    assert_eq!(prosody.host(), "localhost");
    assert_eq!(prosody.muc_host(), "conference.localhost");
    assert_eq!(prosody.upload_host(), "upload.localhost");
    assert!(prosody.bosh_url().starts_with("http://127.0.0.1:") && prosody.bosh_url().ends_with("/http-bind"));
    assert!(pid_alive(pid));

    prosody.register("alice", "s3cret").unwrap();
    assert!(dir.join("localhost/accounts/alice.dat").exists());

    // Create a BOSH session and authenticate with PLAIN: proves the user and the config work.
    let (_, features, auth) = BoshCustomer::authenticate(&prosody.bosh_url(), "alice@localhost", "s3cret");
    assert!(features.contains("PLAIN"), "PLAIN not offered: {features}");
    assert!(auth.contains("<success"), "PLAIN auth failed: {auth}");

    drop(prosody);
    assert!(!pid_alive(pid), "Prosody still running");
    assert!(!dir.exists(), "data dir left behind");
}

#[test]
fn two_prosodies_run_side_by_side() {
    let a = XmppServer::start(XmppKind::Prosody).unwrap();
    let b = XmppServer::start(XmppKind::Prosody).unwrap();
    assert_ne!(a.http_port(), b.http_port());
    assert_ne!(a.c2s_port(), b.c2s_port());
    assert_ne!(a.data_dir(), b.data_dir());
}

#[test]
fn register_reports_a_failure() {
    let prosody = XmppServer::start(XmppKind::Prosody).unwrap();
    // A space is not allowed in a JID's local part: prosodyctl refuses it, and we say so.
    let err = prosody.register("bad user", "x").unwrap_err().to_string();
    assert!(err.contains("bad user") && err.contains("invalid"), "{err}");
}
