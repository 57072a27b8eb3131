//! Measures the BOSH round trips and the time from session creation to room joined, natively,
//! against a local Prosody where an agent already waits in the room (as in production).
//!
//! ```text
//! cargo run --example roundtrips [runs]
//! ```

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant as Clock};

use exochat::core::chat::ChatEvent;
use exochat::core::connection::{ConnectionConfig, Randomness};
use exochat::core::jid::Jid;
use exochat::core::muc::HistoryRequest;
use exochat::core::sasl::Mechanism;
use exochat::core::session::{Session, SessionEvent};
use exochat_service::prosody::Prosody;
use support::Driver;

const TIMEOUT: Duration = Duration::from_secs(10);

fn session(prosody: &Prosody, user: &str, mechanism: Mechanism, pipelining: bool) -> Driver<Session> {
    prosody.register(user, "secret").expect("prosodyctl register");
    let jid = Jid::parse(&format!("{user}@{}", prosody.host())).expect("a valid JID");
    let mut config = ConnectionConfig::new(&prosody.bosh_url(), jid, "secret");
    config.mechanisms = vec![mechanism];
    config.pipelining = pipelining;
    let t = support::now().0;
    let randomness = Randomness { client_nonce: format!("{t:016x}{user}"), initial_rid: t };
    Driver::new(Session::new(config, randomness, format!("{user}-{t:x}")))
}

/// One customer: join queued, start, wait for the room; returns (round trips, elapsed).
fn join_once(prosody: &Prosody, room: &Jid, user: &str, mechanism: Mechanism, pipelining: bool) -> (usize, Duration) {
    let mut driver = session(prosody, user, mechanism, pipelining);
    let started = Clock::now();
    driver.act(|s, now| {
        s.chat_mut().join(now, room, user, HistoryRequest::none()).expect("a valid room and nick");
        s.start(now);
    });
    let (index, _) = driver.wait_for_indexed("room joined", TIMEOUT, |e| matches!(e, SessionEvent::Chat(ChatEvent::RoomJoined { .. })));
    let elapsed = started.elapsed();
    driver.act(|s, now| s.stop(now));
    driver.wait_for("disconnected", TIMEOUT, |e| matches!(e, SessionEvent::Disconnected(_)));
    (driver.requests_before[index], elapsed)
}

fn main() {
    let runs: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(10);
    let prosody = Prosody::start().expect("Prosody starts (apt-get install prosody)");
    let room = Jid::parse(&format!("support@{}", prosody.muc_host())).expect("a valid room JID");
    let mut agent = session(&prosody, "agent", Mechanism::Plain, false);
    agent.act(|s, now| {
        s.chat_mut().join(now, &room, "Agent", HistoryRequest::none()).expect("a valid room");
        s.start(now);
    });
    agent.wait_for("the agent in the room", TIMEOUT, |e| matches!(e, SessionEvent::Chat(ChatEvent::RoomJoined { .. })));

    println!("session creation → room joined, {runs} runs each, Prosody on loopback");
    let modes = [
        ("PLAIN", Mechanism::Plain, false),
        ("SCRAM-SHA-1", Mechanism::ScramSha1, false),
        ("PLAIN, pipelined restart", Mechanism::Plain, true),
        ("SCRAM-SHA-1, pipelined restart", Mechanism::ScramSha1, true),
    ];
    for (i, (name, mechanism, pipelining)) in modes.into_iter().enumerate() {
        let mut times = Vec::new();
        let mut trips = Vec::new();
        for run in 0..runs {
            let (t, elapsed) = join_once(&prosody, &room, &format!("c{i}x{run}"), mechanism, pipelining);
            trips.push(t);
            times.push(elapsed.as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        trips.sort_unstable();
        trips.dedup();
        println!(
            "{name:32} round trips {trips:?}  ms min {:.1} / median {:.1} / max {:.1}",
            times[0],
            times[times.len() / 2],
            times[times.len() - 1]
        );
    }
}
