//! The real Prosody starts on its own ports, registers users, serves BOSH with PLAIN auth, and
//! leaves no process and no file behind.

use exochat_service::process::pid_alive;
use exochat_service::prosody::Prosody;

/// POSTs one BOSH body and returns the response text.
fn bosh(url: &str, body: &str) -> String {
    ureq::post(url)
        .header("Content-Type", "text/plain;charset=UTF-8")
        .send(body)
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap()
}

#[test]
fn prosody_starts_registers_authenticates_and_cleans_up() {
    let prosody = Prosody::start().unwrap();
    let (pid, dir) = (prosody.pid(), prosody.data_dir().to_path_buf());
    assert_eq!(prosody.host(), "localhost");
    assert_eq!(prosody.muc_host(), "conference.localhost");
    assert_eq!(prosody.upload_host(), "upload.localhost");
    assert!(prosody.bosh_url().starts_with("http://127.0.0.1:") && prosody.bosh_url().ends_with("/http-bind"));
    assert!(pid_alive(pid));

    prosody.register("alice", "s3cret").unwrap();
    assert!(dir.join("localhost/accounts/alice.dat").exists());

    // Create a BOSH session and authenticate with PLAIN: proves the user and the config work.
    let url = prosody.bosh_url();
    let created = bosh(
        &url,
        "<body xmlns='http://jabber.org/protocol/httpbind' xmlns:xmpp='urn:xmpp:xbosh' rid='1000' \
         to='localhost' wait='10' hold='1' xmpp:version='1.0'/>",
    );
    assert!(created.contains("PLAIN"), "PLAIN not offered: {created}");
    let sid = created.split("sid='").nth(1).and_then(|s| s.split('\'').next()).expect("sid").to_owned();
    let auth = bosh(
        &url,
        &format!(
            "<body xmlns='http://jabber.org/protocol/httpbind' rid='1001' sid='{sid}'>\
             <auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGFsaWNlAHMzY3JldA==</auth></body>"
        ),
    );
    assert!(auth.contains("<success"), "PLAIN auth failed: {auth}");

    drop(prosody);
    assert!(!pid_alive(pid), "Prosody still running");
    assert!(!dir.exists(), "data dir left behind");
}

#[test]
fn two_prosodies_run_side_by_side() {
    let a = Prosody::start().unwrap();
    let b = Prosody::start().unwrap();
    assert_ne!(a.http_port(), b.http_port());
    assert_ne!(a.c2s_port(), b.c2s_port());
    assert_ne!(a.data_dir(), b.data_dir());
}

#[test]
fn register_reports_a_failure() {
    let prosody = Prosody::start().unwrap();
    // A space is not allowed in a JID's local part: prosodyctl refuses it, and we say so.
    let err = prosody.register("bad user", "x").unwrap_err().to_string();
    assert!(err.contains("bad user") && err.contains("invalid"), "{err}");
}
