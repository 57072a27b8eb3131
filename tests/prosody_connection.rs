//! The connection against a real Prosody (the Debian package, run by `exochat_service`): login
//! with each mechanism, typed failures (SASL, stream conflict), clean logout.

mod support;

use std::time::Duration;

use exochat::core::connection::{Connection, ConnectionConfig, ConnectionError, ConnectionEvent, Randomness, StreamCondition};
use exochat::core::jid::Jid;
use exochat::core::ns;
use exochat::core::sasl::{Mechanism, SaslCondition, SaslError};
use exochat::core::xml::Element;
use exochat_service::prosody::Prosody;
use support::Driver;

const TIMEOUT: Duration = Duration::from_secs(10);

fn connection(prosody: &Prosody, user: &str, password: &str, mechanisms: &[Mechanism], pipelining: bool) -> Driver<Connection> {
    let jid = Jid::parse(&format!("{user}@{}", prosody.host())).unwrap();
    let mut config = ConnectionConfig::new(&prosody.bosh_url(), jid, password);
    config.resource = Some("web".into());
    config.mechanisms = mechanisms.to_vec();
    config.pipelining = pipelining;
    let t = support::now().0;
    let randomness = Randomness { client_nonce: format!("{t:016x}{:08x}", std::process::id()), initial_rid: t * 7919 };
    let mut driver = Driver::new(Connection::new(config, randomness));
    driver.act(|c, now| c.start(now));
    driver
}

fn wait_online(driver: &mut Driver<Connection>) -> Jid {
    match driver.wait_for("online or disconnected", TIMEOUT, |e| !matches!(e, ConnectionEvent::Stanza(_))) {
        ConnectionEvent::Online { jid } => jid,
        other => panic!("expected online, got {other:?}"),
    }
}

fn auth_mechanism(driver: &Driver<Connection>) -> Option<String> {
    driver.sent.iter().find_map(|r| {
        let body = Element::parse(&r.body).ok()?;
        body.find("auth", ns::SASL).and_then(|a| a.get_attr("mechanism")).map(str::to_owned)
    })
}

fn stop(driver: &mut Driver<Connection>) {
    driver.act(|c, now| c.stop(now));
    let end = driver.wait_for("disconnected", TIMEOUT, |e| matches!(e, ConnectionEvent::Disconnected(_)));
    assert_eq!(end, ConnectionEvent::Disconnected(None), "a clean logout");
    driver.wait_idle(TIMEOUT);
}

#[test]
fn plain_and_scram_sha1_logins_bind_the_requested_resource() {
    let prosody = Prosody::start().unwrap();
    prosody.register("alice", "secret").unwrap();
    for (mechanisms, expected) in [(&[Mechanism::Plain][..], "PLAIN"), (&Mechanism::PREFERENCE[..], "SCRAM-SHA-1")] {
        let mut driver = connection(&prosody, "alice", "secret", mechanisms, false);
        assert_eq!(wait_online(&mut driver).to_string(), "alice@localhost/web");
        assert_eq!(auth_mechanism(&driver).as_deref(), Some(expected));
        stop(&mut driver);
    }
}

#[test]
fn wrong_password_is_not_authorized() {
    let prosody = Prosody::start().unwrap();
    prosody.register("bob", "right").unwrap();
    for mechanisms in [&[Mechanism::Plain][..], &[Mechanism::ScramSha1][..]] {
        let mut driver = connection(&prosody, "bob", "wrong", mechanisms, false);
        let end = driver.wait_for("disconnected", TIMEOUT, |e| matches!(e, ConnectionEvent::Disconnected(_)));
        let ConnectionEvent::Disconnected(Some(ConnectionError::Sasl(SaslError::Failure { condition, .. }))) = end else {
            panic!("expected a SASL failure, got {end:?}")
        };
        assert_eq!(condition, SaslCondition::NotAuthorized);
    }
}

#[test]
fn a_second_login_with_the_same_resource_replaces_the_first_with_a_conflict() {
    let prosody = Prosody::start().unwrap();
    prosody.register("carol", "secret").unwrap();
    let mut first = connection(&prosody, "carol", "secret", &[Mechanism::Plain], false);
    wait_online(&mut first);
    let mut second = connection(&prosody, "carol", "secret", &[Mechanism::Plain], false);
    wait_online(&mut second);
    let end = first.wait_for("disconnected", TIMEOUT, |e| matches!(e, ConnectionEvent::Disconnected(_)));
    let ConnectionEvent::Disconnected(Some(ConnectionError::Stream(error))) = end else {
        panic!("expected a stream error, got {end:?}")
    };
    assert_eq!(error.condition, StreamCondition::Conflict);
    stop(&mut second);
}
