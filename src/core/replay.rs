//! `fetchArchivedMessages`: which entries of the REST archive to replay through
//! `messageReceived`, so that a page never sees the same message twice.
//!
//! [`Shown`] remembers every message delivered to the page (live, injected with
//! `receiveMessage`, or replayed). [`Shown::replay`] takes the archive's message objects and keeps
//! the ones not shown yet, in time order. An archived entry counts as shown when its `msgid` was
//! shown, or, since the archive shape carries no ids, when it matches a shown message by the
//! rule of [`decisions::same_message`]. Each shown message absorbs at most one archived entry, so
//! two identical messages sent a second apart both survive when only one was shown.

use super::datetime::parse_iso;
use super::decisions;
use super::message::MessageObject;
use super::queue::Ring;

/// Messages remembered; older ones are forgotten first.
const MEMORY: usize = 4096;

/// What identifies a shown message for [`decisions::same_message`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownMessage {
    /// The bare room JID (`from_muc`).
    pub room: String,
    /// The sender's nick.
    pub nick: String,
    /// The text.
    pub body: String,
    /// The message time, ms since the Unix epoch (`None` when its `time` does not parse).
    pub time_ms: Option<u64>,
}

impl ShownMessage {
    /// The identifying fields of `msg`.
    pub fn of(msg: &MessageObject) -> ShownMessage {
        ShownMessage {
            room: msg.from_muc.clone(),
            nick: msg.nick.clone(),
            body: msg.body.clone(),
            time_ms: parse_iso(&msg.time),
        }
    }
}

/// The memory of messages delivered to the page.
#[derive(Debug)]
pub struct Shown {
    /// `room\nmsgid` of shown messages that had a msgid, sorted: a plain `Vec<String>` searched
    /// like the config's unknown keys shares that code (a `VecMap<String, ()>` was its own copy).
    msgids: Vec<String>,
    /// Shown messages, oldest first.
    messages: Ring<ShownMessage>,
}

impl Default for Shown {
    fn default() -> Self {
        Shown::new()
    }
}

impl Shown {
    /// An empty memory.
    pub fn new() -> Shown {
        Shown { msgids: Vec::new(), messages: Ring::new(MEMORY) }
    }

    /// Remembers a message that `messageReceived` delivered.
    pub fn remember(&mut self, msg: &MessageObject) {
        if !msg.msgid.is_empty() {
            let key = msgid_key(msg);
            if let Err(at) = self.msgids.binary_search(&key) {
                self.msgids.insert(at, key);
            }
        }
        self.messages.push(ShownMessage::of(msg));
    }

    /// The archived messages not shown yet, sorted by time (stable: entries whose time does not
    /// parse keep their place relative to each other at the end). They are remembered as shown.
    #[allow(clippy::same_item_push, reason = "pushing in a loop links no `vec![x; n]` (`from_elem`) for `bool`")]
    pub fn replay(&mut self, archived: Vec<MessageObject>) -> Vec<MessageObject> {
        let archived = by_time(archived);
        // Matched against what was shown before this call only, each shown message at most once.
        let mut used = Vec::with_capacity(self.messages.len());
        for _ in 0..self.messages.len() {
            used.push(false);
        }
        let mut fresh = Vec::new();
        for msg in archived {
            if !msg.msgid.is_empty() && self.msgids.binary_search(&msgid_key(&msg)).is_ok() {
                continue;
            }
            let entry = ShownMessage::of(&msg);
            let mut twin = false;
            for (seen, used) in self.messages.iter().zip(&mut used) {
                if !*used && decisions::same_message(seen, &entry) {
                    (*used, twin) = (true, true);
                    break;
                }
            }
            if !twin {
                fresh.push(msg);
            }
        }
        for msg in &fresh {
            self.remember(msg);
        }
        fresh
    }
}

/// `messages` sorted by time, stably, unparsable times last. A binary insertion sort: archives
/// come (nearly) in time order, so each entry lands at the end, and it adds a few hundred bytes
/// to the module where the standard sorts add several KB per element type.
fn by_time(messages: Vec<MessageObject>) -> Vec<MessageObject> {
    // The times in a list of their own, kept in step: no `(time, message)` element type whose
    // vector code, iterator and drop would be instantiated for this one use.
    let mut times: Vec<u64> = Vec::with_capacity(messages.len());
    let mut sorted: Vec<MessageObject> = Vec::with_capacity(messages.len());
    for msg in messages {
        let time = parse_iso(&msg.time).unwrap_or(u64::MAX);
        // After every entry of the same time: stable.
        let at = times.partition_point(|t| *t <= time);
        times.insert(at, time);
        sorted.insert(at, msg);
    }
    sorted
}

/// The key of a shown message's msgid in [`Shown`]: msgids are unique per room.
fn msgid_key(msg: &MessageObject) -> String {
    format!("{}\n{}", msg.from_muc, msg.msgid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::datetime::format_iso;

    const ROOM: &str = "room1@conference.example.com";
    const T0: u64 = 1_800_000_000_000;

    fn msg(nick: &str, body: &str, time_ms: u64, msgid: &str) -> MessageObject {
        MessageObject {
            from_muc: ROOM.into(),
            from: format!("{ROOM}/{nick}"),
            nick: nick.into(),
            body: body.into(),
            message: body.into(),
            time: format_iso(time_ms),
            msgid: msgid.into(),
            id: msgid.into(),
            ..MessageObject::default()
        }
    }

    fn archived(nick: &str, body: &str, time_ms: u64) -> MessageObject {
        MessageObject { archived: true, ..msg(nick, body, time_ms, "") }
    }

    fn bodies(list: &[MessageObject]) -> Vec<&str> {
        list.iter().map(|m| m.body.as_str()).collect()
    }

    #[test]
    fn sorts_by_time_stably_with_unparsable_times_last() {
        let mut bad = archived("Agent", "bad-1", T0);
        bad.time = "yesterday".into();
        let mut bad2 = bad.clone();
        bad2.body = "bad-2".into();
        let out = Shown::new().replay(vec![
            bad,
            archived("Agent", "same-1", T0 + 5_000),
            archived("Agent", "first", T0),
            bad2,
            archived("Agent", "same-2", T0 + 5_000),
        ]);
        assert_eq!(bodies(&out), vec!["first", "same-1", "same-2", "bad-1", "bad-2"]);
    }

    #[test]
    fn skips_what_was_shown_live_within_the_window_and_sorts_the_rest() {
        let mut shown = Shown::new();
        // Seen live: the local receive time is a little after the server's archive stamp.
        shown.remember(&msg("Agent", "Hello", T0 + 800, "a1"));
        shown.remember(&msg("Jane", "Hi", T0 + 2_000, "c1"));
        let out = shown.replay(vec![
            archived("Agent", "Later", T0 + 60_000),
            archived("Jane", "Hi", T0 + 1_900),
            archived("Agent", "Earlier", T0 - 60_000),
            archived("Agent", "Hello", T0),
        ]);
        assert_eq!(bodies(&out), vec!["Earlier", "Later"]);
        assert!(out.iter().all(|m| m.archived));
    }

    #[test]
    fn different_nick_room_body_or_time_is_a_different_message() {
        let mut shown = Shown::new();
        shown.remember(&msg("Agent", "Hello", T0, "a1"));
        let other_room = MessageObject { from_muc: "other@conference.example.com".into(), ..archived("Agent", "Hello", T0) };
        let out = shown.replay(vec![
            archived("Bot", "Hello", T0),
            archived("Agent", "Hello!", T0),
            archived("Agent", "Hello", T0 + decisions::ARCHIVE_MATCH_WINDOW_MS + 1),
            other_room,
        ]);
        assert_eq!(out.len(), 4);
    }

    #[test]
    fn each_shown_message_absorbs_one_entry_and_a_second_fetch_replays_nothing() {
        let mut shown = Shown::new();
        shown.remember(&msg("Jane", "ok", T0, "c1"));
        let archive = vec![archived("Jane", "ok", T0), archived("Jane", "ok", T0 + 1_000)];
        let out = shown.replay(archive.clone());
        assert_eq!(out.len(), 1, "the second identical message was never shown");
        assert_eq!(out[0].time, format_iso(T0 + 1_000));
        assert!(shown.replay(archive).is_empty());
    }

    #[test]
    fn a_shown_msgid_skips_the_entry_whatever_its_time() {
        let mut shown = Shown::new();
        shown.remember(&msg("Agent", "Hello", T0, "a1"));
        let out = shown.replay(vec![msg("Agent", "Hello (edited)", T0 + 600_000, "a1"), msg("Agent", "Other", T0, "a2")]);
        assert_eq!(bodies(&out), vec!["Other"]);
    }

    #[test]
    fn unparsable_times_keep_their_order_at_the_end_and_never_match() {
        let mut shown = Shown::new();
        shown.remember(&MessageObject { time: "garbage".into(), ..msg("Agent", "x", 0, "") });
        let bad = |body: &str| MessageObject { time: "??".into(), ..archived("Agent", body, 0) };
        let out = shown.replay(vec![bad("x"), archived("Agent", "first", T0), bad("y")]);
        assert_eq!(bodies(&out), vec!["first", "x", "y"]);
    }

    #[test]
    fn memory_is_bounded() {
        let mut shown = Shown::new();
        for i in 0..(MEMORY as u64 + 10) {
            shown.remember(&msg("Agent", &i.to_string(), T0 + i, ""));
        }
        assert_eq!(shown.messages.len(), MEMORY);
        assert_eq!(shown.replay(vec![archived("Agent", "0", T0)]).len(), 1, "the oldest was forgotten");
    }
}
