//! The message list: rows for messages and system lines, placed by the core's [`Timeline`]
//! (time order, grouping, date separators), bubbles with links and media, delivery ticks,
//! auto-scroll that leaves a customer reading older messages alone, and the "new messages" pill.
//!
//! [`Timeline`]: crate::core::ui::timeline::Timeline

use wasm_bindgen::JsValue;
use web_sys::Element;

use super::view::{append, call, el, find, flag, icon, link, make, prop, put, set, set_text, text, ICON_FILE};
use super::{now, Inner};
use crate::web::js::{construct, num};
use crate::core::config::is_http_url;
use crate::core::datetime::parse_iso;
use crate::core::media::{self, MediaKind};
use crate::core::message::{FileRef, MessageObject, Sender};
use crate::core::ui::linkify::{self, Segment};
use crate::core::ui::text::fill;
use crate::core::ui::timeline::{self, local_day, status_advances, status_index, Item, Who};

/// The list counts as scrolled to its end within this many pixels.
const AT_BOTTOM_PX: f64 = 40.0;

/// One row of the list, kept with its entry in the timeline.
pub(super) struct Row {
    el: Element,
    /// The date separator inside the row, shown when the row starts a day.
    day: Element,
    /// The delivery ticks of an own message.
    tick: Option<Element>,
    status: Option<usize>,
}

/// `new Date(time_ms)[method](a, b)`.
fn date(time_ms: u64, method: &str, a: &JsValue, b: &JsValue) -> JsValue {
    call(&construct("Date", &(time_ms as f64).into()).unwrap_or_default(), method, a, b)
}

/// The browser's UTC offset at `time_ms` (minutes, as `getTimezoneOffset`).
fn tz_offset(time_ms: u64) -> i32 {
    date(time_ms, "getTimezoneOffset", &JsValue::UNDEFINED, &JsValue::UNDEFINED).as_f64().unwrap_or(0.0) as i32
}

/// `time_ms` as the locale writes it with `Intl` options `json` (static JSON), via
/// `Date.prototype[method]`.
fn date_text(time_ms: u64, method: &str, locale: &str, json: &str) -> String {
    date(time_ms, method, &locale.into(), &js_sys::JSON::parse(json).unwrap_or_default()).as_string().unwrap_or_default()
}

fn day_of(time_ms: u64) -> i64 {
    local_day(time_ms, tz_offset(time_ms))
}

impl Inner {
    /// Lists a message (unless seen before or empty).
    pub(super) fn add_message(&mut self, m: &MessageObject) {
        let files = m.files.as_deref().unwrap_or_default();
        let body = timeline::visible_body(&m.body, files);
        let blank = body.trim().is_empty();
        if blank && files.is_empty() {
            // A chat end, or a message that carried only states or markers.
            return;
        }
        if !self.room.is_empty() && !m.from_muc.is_empty() && m.from_muc != self.room {
            // Another room the page joined through the API: not this chat.
            return;
        }
        // A page-made message (`receiveMessage`) may lack `sender`; our nick tells.
        let me = m.sender == Sender::Me || (!self.nick.is_empty() && m.nick == self.nick);
        let time = parse_iso(&m.time).or(Some(m.received).filter(|r| *r > 0)).unwrap_or_else(now);
        let who = if me { Who::Me } else { Who::Nick(m.nick.clone()) };
        let item = Item { time, day: day_of(time), who, msgid: m.msgid.clone(), body: m.body.clone(), archived: m.archived };
        let Some((index, row)) = self.insert_row(item, if me { "row me" } else { "row agent" }) else { return };
        self.set_started(true);

        let t = self.t;
        let doc = &self.doc;
        let who_name = if me { t.you } else if m.nick.is_empty() { t.agent } else { &m.nick };
        text(doc, &row, "div", "who", who_name);
        let bubble = el(doc, &row, "div", "bu");
        if !blank {
            let p = el(doc, &bubble, "div", "tx");
            // By reference: no by-value iterator (and its drop) instantiated for segments.
            for segment in &linkify::split(body) {
                match segment {
                    Segment::Text(s) => append(&p, &JsValue::from_str(s)),
                    Segment::Link { text: s, href } => {
                        let a = text(doc, &p, "a", "", s);
                        link(&a, href);
                    }
                }
            }
        }
        for file in files {
            self.media(&bubble, file);
        }
        let meta = el(doc, &bubble, "div", "tm");
        let clock = date_text(time, "toLocaleTimeString", &self.locale, r#"{"hour":"numeric","minute":"2-digit"}"#);
        text(doc, &meta, "time", "", &clock);
        if me {
            let tick = el(doc, &meta, "span", "tk");
            el(doc, &tick, "i", "");
            el(doc, &tick, "i", "");
            el(doc, &tick, "span", "sr");
            if let Some(entry) = self.timeline.value_mut(index) {
                entry.tick = Some(tick);
            }
        }
        let was_at_bottom = self.at_bottom();
        self.place(index, &row);
        let early = self.statuses.iter().position(|(id, _)| !id.is_empty() && *id == m.msgid).map(|i| self.statuses.swap_remove(i).1);
        let initial = early.or_else(|| if me && m.archived { status_index("sent") } else { None });
        if let Some(status) = initial {
            self.apply_status(index, status);
        }

        if !me {
            self.clear_typing();
            if !m.archived {
                if !self.open {
                    self.unread += 1;
                    self.show_unread();
                }
                if !m.msgid.is_empty() && !m.displayed {
                    self.unseen.push(m.msgid.clone());
                }
            }
        }
        self.follow(index, me || was_at_bottom);
    }

    /// A line from the widget itself (an agent joined or left).
    pub(super) fn add_system(&mut self, line: &str) {
        let time = now();
        let item = Item { time, day: day_of(time), who: Who::System, msgid: String::new(), body: line.to_owned(), archived: false };
        if let Some((index, row)) = self.insert_row(item, "row sys") {
            text(&self.doc, &row, "div", "bu", line);
            let was_at_bottom = self.at_bottom();
            self.place(index, &row);
            self.follow(index, was_at_bottom);
        }
    }

    /// Applies an own message's status, or keeps it until the message is listed.
    pub(super) fn set_status(&mut self, msgid: &str, status: &str) {
        let Some(status) = status_index(status) else { return };
        match self.timeline.position(msgid) {
            Some(index) => self.apply_status(index, status),
            None => match self.statuses.iter_mut().find(|(id, _)| id == msgid) {
                Some(entry) if status_advances(Some(entry.1), status) => entry.1 = status,
                Some(_) => {}
                None => self.statuses.push((msgid.to_owned(), status)),
            },
        }
    }

    fn apply_status(&mut self, index: usize, status: usize) {
        let t = self.t;
        let Some(row) = self.timeline.value_mut(index) else { return };
        let Some(tick) = &row.tick else { return };
        if !status_advances(row.status, status) {
            return;
        }
        row.status = Some(status);
        set(tick, "data-s", timeline::STATUSES.get(status).copied().unwrap_or(""));
        if let Some(label) = find(tick, "span") {
            set_text(&label, t.ticks.get(status).copied().unwrap_or(""));
        }
    }

    /// Creates the row element of `item` (not yet in the DOM, its date separator as its first
    /// child) and adds both to the timeline: the index the timeline gave it and the element, or
    /// `None` for a duplicate.
    fn insert_row(&mut self, item: Item, class: &str) -> Option<(usize, Element)> {
        let row = make(&self.doc, "div");
        set(&row, "class", class);
        let day = el(&self.doc, &row, "div", "day");
        let index = self.timeline.insert(item, Row { el: row.clone(), day, tick: None, status: None })?;
        Some((index, row))
    }

    /// Puts the row at `index` (made by [`Inner::insert_row`]) into the DOM, before the next one.
    fn place(&mut self, index: usize, row: &Element) {
        let next = self.timeline.get(index + 1).map_or(JsValue::NULL, |(_, r)| r.el.clone().into());
        call(&self.v.log, "insertBefore", row, &next);
        // The next row's grouping and separator depend on this one.
        for i in [index, index + 1] {
            self.relayout(i);
        }
    }

    fn relayout(&self, index: usize) {
        let Some((item, row)) = self.timeline.get(index) else { return };
        let layout = self.timeline.layout(index);
        flag(&row.el, "data-c", !layout.group_start);
        flag(&row.day, "hidden", !layout.day_break);
        if layout.day_break {
            let (day, today) = (item.day, day_of(now()));
            let label = if day == today {
                self.t.today.to_owned()
            } else if day + 1 == today {
                self.t.yesterday.to_owned()
            } else {
                date_text(item.time, "toLocaleDateString", &self.locale, r#"{"dateStyle":"medium"}"#)
            };
            set_text(&row.day, &label);
        }
    }

    /// After the row at `index` was placed: keep the end in view when `stay` (the customer was
    /// there, or sent it), else offer the pill for a new last row.
    fn follow(&mut self, index: usize, stay: bool) {
        if stay {
            self.scroll_to_bottom();
            self.schedule_flush();
        } else if index + 1 == self.timeline.len() {
            flag(&self.v.pill, "hidden", false);
        }
    }

    /// Whether the list is scrolled to its end (true when the panel is closed: nothing to see).
    pub(super) fn at_bottom(&self) -> bool {
        let log = &self.v.log;
        num(log, "scrollHeight") - num(log, "scrollTop") - num(log, "clientHeight") <= AT_BOTTOM_PX
    }

    pub(super) fn scroll_to_bottom(&mut self) {
        self.stick = true;
        put(&self.v.log, "scrollTop", &prop(&self.v.log, "scrollHeight"));
        flag(&self.v.pill, "hidden", true);
    }

    /// One file of a message: an image thumbnail that opens in a new tab, a native audio or
    /// video player, or a file chip (name, type, size when known). A URL that is not `http(s)`
    /// is never used: the file shows as its name only.
    fn media(&self, bubble: &Element, file: &FileRef) {
        let doc = &self.doc;
        let url = file.url.trim();
        let name = if file.name.trim().is_empty() { media::file_name(url) } else { file.name.clone() };
        if !is_http_url(url) {
            let chip = el(doc, bubble, "span", "chip");
            icon(doc, &chip, ICON_FILE);
            text(doc, &chip, "b", "", &name);
            return;
        }
        match media::kind(url) {
            Some(MediaKind::Image) => {
                let a = el(doc, bubble, "a", "im");
                link(&a, url);
                set(&a, "aria-label", &fill(self.t.open_image, &name));
                let img = el(doc, &a, "img", "");
                set(&img, "src", url);
                set(&img, "alt", &name);
                set(&img, "loading", "lazy");
            }
            Some(kind @ (MediaKind::Audio | MediaKind::Video)) => {
                let player = el(doc, bubble, if kind == MediaKind::Audio { "audio" } else { "video" }, "");
                flag(&player, "controls", true);
                set(&player, "preload", "metadata");
                set(&player, "src", url);
                set(&player, "aria-label", &name);
            }
            _ => {
                let a = el(doc, bubble, "a", "chip");
                link(&a, url);
                icon(doc, &a, ICON_FILE);
                let label = el(doc, &a, "span", "");
                text(doc, &label, "b", "", &name);
                let mut detail = name.rsplit_once('.').map(|(_, ext)| ext.to_ascii_uppercase()).filter(|e| e.len() <= 5).unwrap_or_default();
                if let Some((_, bytes)) = self.sizes.iter().find(|(n, _)| *n == name) {
                    let size = self.size(*bytes);
                    detail = if detail.is_empty() { size } else { format!("{detail} · {size}") };
                }
                text(doc, &label, "small", "", &detail);
            }
        }
    }
}
