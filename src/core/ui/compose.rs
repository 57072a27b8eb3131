//! The customer's chat states (XEP-0085) from their typing, throttled.
//!
//! `composing` goes out once when typing starts, and again only if typing goes on for
//! [`REPEAT_MS`] (so an agent who joined late learns it); `paused` goes out [`PAUSE_MS`] after the
//! last keystroke, or at once when the input is emptied. Sending the message ends composing
//! without a state of its own: the message itself carries `active`. Time is an input.

/// Quiet time after the last keystroke before `paused`.
pub const PAUSE_MS: u64 = 3_000;
/// How often `composing` is repeated during continuous typing.
pub const REPEAT_MS: u64 = 15_000;

/// The throttle's state.
#[derive(Debug, Default)]
pub struct Typing {
    /// When `composing` was last sent, while composing.
    composing_since: Option<u64>,
    /// The last keystroke.
    last_input: u64,
}

impl Typing {
    /// The customer changed the input at `now`; `empty` when it is now empty. The state to send.
    pub fn input(&mut self, now: u64, empty: bool) -> Option<&'static str> {
        self.last_input = now;
        match (self.composing_since, empty) {
            (Some(_), true) => {
                self.composing_since = None;
                Some("paused")
            }
            (None, true) => None,
            (Some(since), false) if now.saturating_sub(since) < REPEAT_MS => None,
            (_, false) => {
                self.composing_since = Some(now);
                Some("composing")
            }
        }
    }

    /// When [`Typing::timeout`] should run next, if a `paused` is due.
    pub fn deadline(&self) -> Option<u64> {
        self.composing_since.map(|_| self.last_input + PAUSE_MS)
    }

    /// The timer fired at `now`: `paused` when the customer stopped typing.
    pub fn timeout(&mut self, now: u64) -> Option<&'static str> {
        match self.deadline() {
            Some(due) if now >= due => {
                self.composing_since = None;
                Some("paused")
            }
            _ => None,
        }
    }

    /// The message was sent: composing is over, nothing to send.
    pub fn sent(&mut self) {
        self.composing_since = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_composing_per_burst_then_paused() {
        let mut t = Typing::default();
        assert_eq!(t.input(1_000, false), Some("composing"));
        for ms in (1_100..3_000).step_by(100) {
            assert_eq!(t.input(ms, false), None, "throttled at {ms}");
        }
        assert_eq!(t.deadline(), Some(2_900 + PAUSE_MS));
        assert_eq!(t.timeout(5_000), None, "too early");
        assert_eq!(t.timeout(5_900), Some("paused"));
        assert_eq!(t.deadline(), None);
        assert_eq!(t.timeout(9_000), None, "paused once");
        assert_eq!(t.input(10_000, false), Some("composing"));
    }

    #[test]
    fn long_typing_repeats_composing() {
        let mut t = Typing::default();
        assert_eq!(t.input(0, false), Some("composing"));
        let sent: Vec<u64> = (1..=40).map(|i| i * 1_000).filter(|ms| t.input(*ms, false).is_some()).collect();
        assert_eq!(sent, [15_000, 30_000]);
    }

    #[test]
    fn emptying_pauses_at_once_and_sending_is_silent() {
        let mut t = Typing::default();
        assert_eq!(t.input(0, true), None, "nothing typed yet");
        t.input(100, false);
        assert_eq!(t.input(200, true), Some("paused"));
        assert_eq!(t.timeout(10_000), None);
        t.input(300, false);
        t.sent();
        assert_eq!(t.timeout(10_000), None, "no paused after the message went");
        assert_eq!(t.input(400, false), Some("composing"));
    }
}
