//! Measures the BOSH round trips and the time from session creation to room joined, natively,
//! against a local Prosody where an agent already waits in the room (as in production).
//!
//! ```text
//! cargo run --example roundtrips [runs]
//! ```

#[path = "../tests/support/mod.rs"]
mod support;

use exochat::core::sasl::Mechanism;
use exochat_service::xmpp::{XmppKind, XmppServer};
use support::server::{customer_joins, join, new_room, started};

fn main() {
    let runs: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(10);
    let prosody = XmppServer::start(XmppKind::Prosody).expect("Prosody starts (apt-get install prosody)");
    let room = new_room(&prosody, "support");
    let mut agent = started(&prosody, "agent", &[Mechanism::Plain]);
    join(&mut agent, &room, "Agent");

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
            let (t, elapsed) = customer_joins(&prosody, &room, &format!("c{i}x{run}"), mechanism, pipelining);
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
