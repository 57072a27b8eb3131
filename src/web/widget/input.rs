//! The customer's side: DOM events (clicks, forms, keys, typing, files dragged, dropped or
//! pasted, scrolling, the page coming to the front) turned into widget updates, and the [`Action`]
//! each asks for, made by the caller once the widget's state is released.

use web_sys::{Event, File};

use super::view::{attr, call0, call_str, find, flag, is, prop, say, set, set_text, set_value, value};
use super::{files_of, focus, now, Action, Inner, On, Tick, DRAG_LINGER_MS};

/// `event.preventDefault()`.
fn prevent(event: &Event) {
    call0(event, "preventDefault");
}

impl Inner {
    /// Handles a DOM event; the action to run once the state is released.
    pub(super) fn event(&mut self, on: On, event: &Event) -> Option<Action> {
        // The window and the document (`resize`, `visibilitychange`) have no `closest`: no action.
        let target = prop(event, "target");
        let action = attr(&call_str(&target, "closest", "[data-a]"), "data-a");
        let in_input = is(&target, &self.v.input);
        match on {
            On::Click => self.click(action.as_deref().unwrap_or("")),
            On::Submit => {
                prevent(event);
                self.submit(action.as_deref().unwrap_or(""))
            }
            On::Keydown => {
                let held = |key: &str| prop(event, key).is_truthy();
                match prop(event, "key").as_string().unwrap_or_default().as_str() {
                    "Enter" if in_input && !held("shiftKey") && !held("isComposing") => {
                        prevent(event);
                        self.send_text()
                    }
                    "Escape" if self.open && !self.embedded => {
                        self.set_open(false, true);
                        None
                    }
                    _ => None,
                }
            }
            On::Input if in_input && self.can_send() => {
                let state = self.typing.input(now(), value(&self.v.input).trim().is_empty());
                self.arm_pause_timer();
                state.map(Action::State)
            }
            On::Change if is(&target, &self.v.files) => {
                let files = files_of(&self.v.files);
                set_value(&self.v.files, "");
                self.files(files)
            }
            On::Change if attr(&target, "name").as_deref() == Some("r") => {
                let value = attr(&target, "value").unwrap_or_default();
                self.rating = value.parse().unwrap_or(0);
                set(&self.v.stars, "data-r", &value);
                None
            }
            On::Dragover if self.can_send() => {
                prevent(event);
                flag(&self.v.drop, "hidden", false);
                self.drop_timer = self.timer(DRAG_LINGER_MS, Tick::Drop);
                None
            }
            On::Drop => {
                prevent(event);
                flag(&self.v.drop, "hidden", true);
                let files = files_of(&prop(event, "dataTransfer"));
                self.files(files)
            }
            On::Paste => {
                let files = files_of(&prop(event, "clipboardData"));
                if !files.is_empty() {
                    prevent(event);
                }
                self.files(files)
            }
            On::Scroll => {
                self.stick = self.at_bottom();
                if self.stick {
                    flag(&self.v.pill, "hidden", true);
                    self.schedule_flush();
                }
                None
            }
            // A phone turned, a window resized: a customer at the end stays there.
            On::Resize if self.stick => {
                self.scroll_to_bottom();
                None
            }
            On::Visibility => {
                self.schedule_flush();
                None
            }
            _ => None,
        }
    }

    fn click(&mut self, action: &str) -> Option<Action> {
        match action {
            "tog" => self.set_open(!self.open, true),
            "min" => self.set_open(false, true),
            "end" => {
                flag(&self.v.confirm, "hidden", false);
                if let Some(yes) = find(&self.v.confirm, "button") {
                    focus(&yes);
                }
            }
            "no" => {
                flag(&self.v.confirm, "hidden", true);
                focus(&self.v.end);
            }
            "yes" => {
                flag(&self.v.confirm, "hidden", true);
                return Some(Action::End);
            }
            // The picker's own `click` reaches the widget while it is busy here, so it is ignored.
            "att" if self.can_send() => drop(call0(&self.v.files, "click")),
            "pill" => {
                self.scroll_to_bottom();
                self.schedule_flush();
                focus(&self.v.input);
            }
            "cancel" => return Some(Action::Cancel),
            _ => {}
        }
        None
    }

    fn submit(&mut self, form: &str) -> Option<Action> {
        match form {
            "pre" => {
                self.waiting = true;
                say(&self.v.pre_msg, self.t.connecting, false);
                flag(&self.v.root, "data-wait", true);
                Some(Action::Start(value(&self.v.pre_name), value(&self.v.pre_email), value(&self.v.pre_phone)))
            }
            "send" => self.send_text(),
            "fb" if self.rating == 0 => {
                say(&self.v.fb_msg, self.t.pick_rating, true);
                None
            }
            "fb" => {
                flag(&self.v.fb_submit, "disabled", true);
                set_text(&self.v.fb_msg, "");
                Some(Action::Feedback(self.rating, value(&self.v.comment).trim().to_owned()))
            }
            _ => None,
        }
    }

    fn can_send(&self) -> bool {
        self.started && !self.ended
    }

    /// The composer's text as a message, if there is one to send.
    fn send_text(&mut self) -> Option<Action> {
        let body = value(&self.v.input).trim().to_owned();
        if body.is_empty() || !self.can_send() {
            return None;
        }
        set_value(&self.v.input, "");
        self.typing.sent();
        self.pause_timer = None;
        set_text(&self.v.error, "");
        Some(Action::Send(body))
    }

    fn files(&mut self, files: Vec<File>) -> Option<Action> {
        if files.is_empty() || !self.can_send() {
            return None;
        }
        set_text(&self.v.error, "");
        Some(Action::Files(files))
    }

    /// (Re)arms the timer that sends `paused` once the customer stops typing.
    fn arm_pause_timer(&mut self) {
        let Some(due) = self.typing.deadline() else {
            self.pause_timer = None;
            return;
        };
        self.pause_timer = self.timer(due.saturating_sub(now()), Tick::Pause);
    }

    /// A timer of the widget fired.
    pub(super) fn tick(&mut self, tick: Tick) -> Option<Action> {
        match tick {
            Tick::Pause => return self.typing.timeout(now()).map(Action::State),
            Tick::Typing => set_text(&self.v.typing, ""),
            Tick::Drop => flag(&self.v.drop, "hidden", true),
        }
        None
    }
}
