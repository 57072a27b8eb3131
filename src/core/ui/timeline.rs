//! The message list as data: entries kept in time order (history replayed late lands where it
//! belongs), duplicates refused, and for each entry whether a date separator precedes it and
//! whether it starts a group of messages from the same sender. Also the precedence of delivery
//! statuses, which may arrive out of order.

use crate::core::message::FileRef;

/// Who an entry comes from, for grouping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// The customer (this browser, or this account in history).
    Me,
    /// Someone else in the room, by nick.
    Nick(String),
    /// The widget itself (joins, leaves); never grouped.
    System,
}

/// One entry of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Message time, ms since the Unix epoch.
    pub time: u64,
    /// The local calendar day of `time` ([`local_day`]).
    pub day: i64,
    /// The sender.
    pub who: Who,
    /// The message's `msgid`; empty when it has none (history from REST, system entries).
    pub msgid: String,
    /// The text, to recognise a message without `msgid` seen twice.
    pub body: String,
    /// Replayed from the archive.
    pub archived: bool,
}

/// How an entry is drawn relative to the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// A date separator precedes the entry (first entry, or a new local day).
    pub day_break: bool,
    /// The entry starts a group (its sender's name shows): another sender, a new day, a system
    /// entry, or more than [`GROUP_GAP_MS`] after the previous message.
    pub group_start: bool,
}

/// Messages from one sender further apart than this start a new group.
pub const GROUP_GAP_MS: u64 = 5 * 60_000;
/// How far apart an archived copy and a live copy of one message (same sender and text, no
/// common `msgid`) may be stamped: server stamps and local receive times differ.
pub const ARCHIVE_MATCH_MS: u64 = 10 * 60_000;

/// Own-message statuses, in order of progress; `failed` last.
pub const STATUSES: [&str; 5] = ["pending", "sent", "delivered", "displayed", "failed"];
const FAILED: usize = 4;

/// The list's entries, each with what the caller keeps for it (the widget: its row's elements),
/// so one list in one order holds both.
#[derive(Debug)]
pub struct Timeline<T = ()> {
    items: Vec<(Item, T)>,
}

impl<T> Default for Timeline<T> {
    fn default() -> Self {
        Timeline { items: Vec::new() }
    }
}

impl<T> Timeline<T> {
    /// Adds `item`, with `value`, after every entry not later than it; returns its index, or
    /// `None` (dropping `value`) when it is a message already listed (same `msgid`; without one,
    /// same sender and text at the same time, or within [`ARCHIVE_MATCH_MS`] when one copy is
    /// archived).
    pub fn insert(&mut self, item: Item, value: T) -> Option<usize> {
        if item.who != Who::System && self.items.iter().any(|(old, _)| same_message(old, &item)) {
            return None;
        }
        let index = self.items.partition_point(|(old, _)| old.time <= item.time);
        self.items.insert(index, (item, value));
        Some(index)
    }

    /// The layout of entry `index` (the first entry's when out of range).
    pub fn layout(&self, index: usize) -> Layout {
        let (Some((item, _)), Some((prev, _))) = (self.items.get(index), index.checked_sub(1).and_then(|p| self.items.get(p))) else {
            return Layout { day_break: true, group_start: true };
        };
        let day_break = item.day != prev.day;
        let group_start = day_break
            || item.who == Who::System
            || item.who != prev.who
            || item.time.saturating_sub(prev.time) > GROUP_GAP_MS;
        Layout { day_break, group_start }
    }

    /// The index of the entry with `msgid` (non-empty).
    pub fn position(&self, msgid: &str) -> Option<usize> {
        if msgid.is_empty() {
            return None;
        }
        self.items.iter().position(|(i, _)| i.msgid == msgid)
    }

    /// Entry `index` and its value.
    pub fn get(&self, index: usize) -> Option<&(Item, T)> {
        self.items.get(index)
    }

    /// The value of entry `index`, to change.
    pub fn value_mut(&mut self, index: usize) -> Option<&mut T> {
        self.items.get_mut(index).map(|(_, value)| value)
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

fn same_message(a: &Item, b: &Item) -> bool {
    if !a.msgid.is_empty() && !b.msgid.is_empty() {
        return a.msgid == b.msgid;
    }
    let window = if a.archived || b.archived { ARCHIVE_MATCH_MS } else { 0 };
    a.who == b.who && a.body == b.body && a.time.abs_diff(b.time) <= window
}

/// The text to show for a message: its body, or nothing when the body only repeats the URL of
/// one of its files (a media message carries its first URL as the body).
pub fn visible_body<'a>(body: &'a str, files: &[FileRef]) -> &'a str {
    let trimmed = body.trim();
    if files.iter().any(|f| f.url.trim() == trimmed) {
        ""
    } else {
        body
    }
}

/// The local calendar day (days since 1970-01-01 in local time) of `time_ms`, given the
/// browser's `Date#getTimezoneOffset()` for that instant (minutes, UTC minus local).
pub fn local_day(time_ms: u64, tz_offset_min: i32) -> i64 {
    let local = i64::try_from(time_ms).unwrap_or(i64::MAX) - i64::from(tz_offset_min) * 60_000;
    local.div_euclid(86_400_000)
}

/// The index of a status in [`STATUSES`].
pub fn status_index(status: &str) -> Option<usize> {
    STATUSES.iter().position(|s| *s == status)
}

/// Whether status `new` replaces `current` (indexes in [`STATUSES`]): progress only moves
/// forward (a late `sent` does not undo `displayed`); `failed` only replaces `pending` and
/// `sent`, and a message shown as failed that the room later reflects is sent after all.
pub fn status_advances(current: Option<usize>, new: usize) -> bool {
    match current {
        None => new < STATUSES.len(),
        Some(FAILED) => (1..FAILED).contains(&new),
        Some(c) if new == FAILED => c < 2,
        Some(c) => new > c && new < FAILED,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: u64 = 60_000;
    const T0: u64 = 1_763_700_000_000; // 2025-11-21 04:40 UTC

    fn item(time: u64, who: Who, msgid: &str, body: &str) -> Item {
        Item { time, day: local_day(time, 0), who, msgid: msgid.into(), body: body.into(), archived: false }
    }

    fn agent() -> Who {
        Who::Nick("Agent".into())
    }

    #[test]
    fn groups_by_sender_gap_and_day() {
        let mut t = Timeline::default();
        assert_eq!(t.insert(item(T0, agent(), "a1", "hi"), ()), Some(0));
        assert_eq!(t.insert(item(T0 + MIN, agent(), "a2", "how can I help?"), ()), Some(1));
        assert_eq!(t.insert(item(T0 + 2 * MIN, Who::Me, "m1", "hello"), ()), Some(2));
        assert_eq!(t.insert(item(T0 + 9 * MIN, Who::Me, "m2", "anyone?"), ()), Some(3));
        assert_eq!(t.insert(item(T0 + 9 * MIN, Who::System, "", "Agent left"), ()), Some(4));
        assert_eq!(t.insert(item(T0 + 24 * 60 * MIN, agent(), "a3", "next day"), ()), Some(5));
        let layouts: Vec<(bool, bool)> = (0..t.len()).map(|i| (t.layout(i).day_break, t.layout(i).group_start)).collect();
        assert_eq!(layouts, [(true, true), (false, false), (false, true), (false, true), (false, true), (true, true)]);
    }

    #[test]
    fn late_history_is_placed_by_time() {
        let mut t = Timeline::default();
        t.insert(item(T0 + 10 * MIN, agent(), "a2", "later"), ());
        let mut old = item(T0, Who::Me, "", "earlier");
        old.archived = true;
        assert_eq!(t.insert(old, ()), Some(0));
        assert_eq!(t.layout(1), Layout { day_break: false, group_start: true }, "the next entry's layout changes");
        assert_eq!(t.insert(item(T0 + 10 * MIN, agent(), "a3", "same time"), ()), Some(2), "equal times keep arrival order");
        assert_eq!(t.position("a3"), Some(2));
        assert_eq!(t.position(""), None);
    }

    #[test]
    fn duplicates_are_refused() {
        let mut t = Timeline::default();
        t.insert(item(T0, agent(), "a1", "hi"), ());
        assert_eq!(t.insert(item(T0 + 5, agent(), "a1", "hi (edited)"), ()), None, "same msgid");
        t.insert(item(T0 + MIN, Who::Me, "", "ok"), ());
        assert_eq!(t.insert(item(T0 + MIN, Who::Me, "", "ok"), ()), None, "no msgid: same sender, text, time");
        assert!(t.insert(item(T0 + 2 * MIN, Who::Me, "", "ok"), ()).is_some(), "the same words later are a new message");
        let mut archived = item(T0 + 3 * MIN, agent(), "", "hi");
        archived.archived = true;
        assert_eq!(t.insert(archived.clone(), ()), None, "archived copy of a live message");
        archived.body = "something else".into();
        assert!(t.insert(archived, ()).is_some());
        assert!(t.insert(item(T0, Who::System, "", "x"), ()).is_some());
        assert!(t.insert(item(T0, Who::System, "", "x"), ()).is_some(), "system entries are never merged");
        assert_eq!(t.len(), 6);
    }

    #[test]
    fn a_media_body_that_repeats_its_url_is_not_shown() {
        let files = [FileRef { url: "https://h/up/a.png".into(), name: "a.png".into() }];
        assert_eq!(visible_body(" https://h/up/a.png\n", &files), "");
        assert_eq!(visible_body("see https://h/up/a.png", &files), "see https://h/up/a.png");
        assert_eq!(visible_body("https://h/up/a.png", &[]), "https://h/up/a.png");
    }

    #[test]
    fn local_days_follow_the_offset() {
        // 2025-11-21 20:00 UTC is already the 22nd in India (UTC+5:30, offset -330).
        let t = 1_763_755_200_000;
        assert_eq!(local_day(t, 0) + 1, local_day(t, -330));
        assert_eq!(local_day(0, 60), -1, "an hour west of UTC the epoch is still 1969-12-31");
    }

    #[test]
    fn statuses_only_move_forward() {
        let i = |s| status_index(s).unwrap();
        assert!(status_advances(None, i("pending")));
        assert!(status_advances(Some(i("pending")), i("sent")));
        assert!(status_advances(Some(i("sent")), i("displayed")), "a marker may arrive without a receipt");
        assert!(!status_advances(Some(i("displayed")), i("delivered")));
        assert!(!status_advances(Some(i("sent")), i("sent")));
        assert!(status_advances(Some(i("sent")), i("failed")));
        assert!(!status_advances(Some(i("delivered")), i("failed")));
        assert!(status_advances(Some(i("failed")), i("sent")));
        assert!(!status_advances(Some(i("failed")), i("pending")));
        assert_eq!(status_index("bogus"), None);
    }
}
