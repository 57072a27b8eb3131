//! The chat widget customers see: the icon (`#exotel-chat-icon`), the panel, media, the rating
//! form; in a shadow root, so the page's CSS cannot break it and its CSS cannot leak.
//!
//! The SDK drives it with [`Widget::handle`] and learns what the customer does through
//! [`WidgetActions`]. `handle` never calls an action itself: what it decides to report (a
//! `displayed` message) goes out from a microtask, so the SDK may call `handle` while it holds its
//! own state. Actions that answer a DOM event run after the widget's state is released, so an
//! action may call `handle` synchronously.
//!
//! Everything that comes from the network (bodies, nicks, file names, URLs) enters the DOM as text
//! or as an attribute value; only `http(s)` URLs are used in `src`/`href`. The pure decisions
//! (strings, palette, links, order and grouping, statuses, typing throttle) live in
//! [`crate::core::ui`].

mod input;
mod list;
#[cfg(test)]
mod tests;
mod view;

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, Event, File, ShadowRoot};

use super::handles::{EventListener, Timeout};
use super::js::{console, construct, global};
use crate::core::config::ConfigError;
use crate::core::message::MessageObject;
use crate::core::ui::color::{self, Rgb};
use crate::core::ui::compose::Typing;
use crate::core::ui::text::{self, fill, Strings};
use crate::core::ui::timeline::Timeline;
use view::{attr, call, call0, call_str, find, flag, is, make, prop, say, set, set_text, View};

/// The id pages select the icon by.
pub(crate) const ICON_ID: &str = "exotel-chat-icon";
/// How long an agent's `composing` shows without news (they may have left without `paused`).
const TYPING_STALE_MS: u64 = 30_000;
/// The drop overlay hides this long after the last `dragover` (the drag left or ended).
const DRAG_LINGER_MS: u64 = 200;

/// What the widget is configured with (from the validated `initialize` config).
pub(crate) struct WidgetOptions {
    /// `theme_color`, a CSS colour.
    pub theme_color: String,
    /// Whether the icon shows at once (else after `showConverseChat`).
    pub show_controlbox_by_default: bool,
    /// `""`/`"overlayed"`, `"fullscreen"` or `"embedded"`.
    pub view_mode: String,
    /// `locale`: strings and `Intl` formats.
    pub locale: String,
    /// Embedded mode: a CSS selector of the element the panel fills.
    pub container: Option<String>,
}

/// What the SDK tells the widget.
pub(crate) enum WidgetEvent<'a> {
    /// `connecting`, `online`, `reconnecting` or `offline`, with a reason for `offline`.
    Connection { status: &'a str, reason: Option<&'a str> },
    /// The customer is in the room under `nick`.
    RoomJoined { room: &'a str, nick: &'a str },
    /// A message to list (agent's, own, archived); seen `msgid`s are ignored.
    Message(&'a MessageObject),
    /// An own message's status: `pending`, `sent`, `delivered`, `displayed`, `failed`.
    MessageStatus { msgid: &'a str, status: &'a str },
    /// An agent's chat state.
    Typing { nick: &'a str, state: &'a str },
    /// Someone other than the customer entered the room.
    AgentJoined { nick: &'a str },
    /// Someone other than the customer left the room.
    AgentLeft { nick: &'a str },
    /// The chat is over: banner, input disabled.
    ChatEnded,
    /// Show the built-in rating form.
    FeedbackForm,
    /// Link the chat-ended banner to the feedback page `url` (already checked to be http(s)).
    FeedbackLink { url: &'a str },
    /// The rating was sent (`ok`) or could not be.
    FeedbackSubmitted { ok: bool },
    /// Bytes of a file upload so far.
    UploadProgress { name: &'a str, loaded: f64, total: f64 },
    /// A file upload finished, or was refused or failed (`reason` says why).
    UploadDone { name: &'a str, ok: bool, reason: Option<&'a str> },
}

/// What the customer does in the widget, for the SDK to carry out.
pub(crate) enum Action {
    /// The pre-chat form was submitted: full name, email, phone.
    Start(String, String, String),
    /// Send a text message.
    Send(String),
    /// The customer's chat state (`composing`, `paused`), already throttled.
    State(&'static str),
    /// Upload these files and send them.
    Files(Vec<File>),
    /// Stop the upload in progress.
    Cancel,
    /// The agent's message `msgid` was shown in the open, visible panel (once per `msgid`).
    Displayed(String),
    /// The customer ended the chat.
    End,
    /// The rating form was submitted: the rating and the comment.
    Feedback(u8, String),
}

/// Carries out what the customer does in the widget. One method taking an [`Action`] rather than
/// one per action: a single entry point in the SDK instead of one upgrade-and-dispatch each.
pub(crate) trait WidgetActions {
    /// Carries out `action`.
    fn act(&self, action: Action);
}

/// The mounted widget. Dropping it removes everything it added to the page.
pub(crate) struct Widget {
    inner: Rc<RefCell<Inner>>,
    /// `#exotel-chat-icon`, a child of `<body>` (in embedded mode an empty, hidden placeholder).
    icon_host: Element,
    /// The element holding the shadow root: the icon host, or in embedded mode the panel's host
    /// inside the page's container.
    host: Element,
    _listeners: Vec<EventListener>,
    /// Waits for `DOMContentLoaded` when mounted before the page was parsed.
    _attach: Option<EventListener>,
}

impl Widget {
    /// Builds the widget and puts it into the page (at once, or on `DOMContentLoaded` while the
    /// page is loading). In embedded mode, a `container` that matches nothing in a loaded page is
    /// a config error naming the key.
    // Runs once: inlined into the SDK's method dispatcher it only made the module compress worse
    // (measured: 0.7 KB of gzip).
    #[inline(never)]
    pub(crate) fn mount(document: &Document, options: WidgetOptions, actions: Rc<dyn WidgetActions>) -> Result<Widget, JsValue> {
        let t = text::strings(&options.locale);
        let container = options.container.filter(|_| options.view_mode == "embedded");
        let mode = match (options.view_mode.as_str(), &container) {
            (_, Some(_)) => "e",
            ("fullscreen", _) => "f",
            _ => "o",
        };
        let icon_host = make(document, "div");
        set(&icon_host, "id", ICON_ID);
        let host = if container.is_some() {
            flag(&icon_host, "hidden", true);
            let host = make(document, "div");
            set(&host, "class", "exotel-chat-embedded");
            host
        } else {
            icon_host.clone()
        };
        set(&host, "data-m", mode);
        flag(&host, "hidden", !options.show_controlbox_by_default);
        // A fresh `<div>` takes a shadow root.
        let shadow: ShadowRoot = call(&host, "attachShadow", &super::object(&[("mode", "open".into())]), &JsValue::UNDEFINED).unchecked_into();
        view::adopt_styles(document, &shadow, &color::palette(theme_rgb(document, &options.theme_color)));
        let view = View::build(document, &shadow, t, mode);

        // Listeners hold the widget weakly, so they are made before it exists, while the view is
        // still at hand (no borrow of the widget's state, which could fail).
        let mut listeners = Vec::new();
        let inner = Rc::new_cyclic(|me| {
            let root: &JsValue = &view.root;
            // A loop of pushes, which the listeners below need anyway, rather than a `collect`.
            for (name, on) in [
                ("click", On::Click),
                ("submit", On::Submit),
                ("keydown", On::Keydown),
                ("input", On::Input),
                ("change", On::Change),
                ("dragover", On::Dragover),
                ("drop", On::Drop),
                ("paste", On::Paste),
            ] {
                listeners.push(listen(root, name, on, me));
            }
            listeners.push(listen(&view.log, "scroll", On::Scroll, me));
            listeners.push(listen(document, "visibilitychange", On::Visibility, me));
            listeners.push(listen(&global(), "resize", On::Resize, me));
            RefCell::new(Inner {
                me: me.clone(),
                doc: document.clone(),
                t,
                locale: text::intl_locale(&options.locale),
                embedded: mode == "e",
                open: mode == "e",
                v: view,
                actions,
                started: false,
                waiting: false,
                ended: false,
                agent: None,
                room: String::new(),
                nick: String::new(),
                unread: 0,
                rating: 0,
                timeline: Timeline::default(),
                statuses: Vec::new(),
                stick: true,
                unseen: Vec::new(),
                flush_scheduled: false,
                typing: Typing::default(),
                pause_timer: None,
                typing_timer: None,
                drop_timer: None,
                sizes: Vec::new(),
            })
        });

        let place = {
            let (doc, icon_host, host) = (document.clone(), icon_host.clone(), host.clone());
            move || -> Result<(), JsValue> {
                let body = prop(&doc, "body");
                if !body.is_object() {
                    return Err(JsValue::from_str("exoChat: the page has no <body>"));
                }
                // Find the container first: a refused mount leaves nothing in the page.
                let target = match &container {
                    Some(selector) => Some(find(&doc, selector).ok_or(ConfigError::BadValue("container", "a CSS selector of an element in the page"))?),
                    None => None,
                };
                // Appending a fresh element to an element cannot fail.
                view::append(&body, &icon_host);
                if let Some(target) = target {
                    view::append(&target, &host);
                }
                Ok(())
            }
        };
        let loading = prop(document, "readyState").as_string().as_deref() == Some("loading");
        let attach = if loading {
            // `DOMContentLoaded` fires once; the listener goes with the widget.
            Some(EventListener::new(document, "DOMContentLoaded", move |_| {
                if let Err(e) = place() {
                    console("error", &e, &JsValue::UNDEFINED);
                }
            }))
        } else {
            place()?;
            None
        };
        Ok(Widget { inner, icon_host, host, _listeners: listeners, _attach: attach })
    }

    /// Shows the widget (the icon too, when `show_controlbox_by_default` hid it) with its panel
    /// open.
    pub(crate) fn show(&self) {
        flag(&self.host, "hidden", false);
        if let Ok(mut s) = self.inner.try_borrow_mut() {
            s.set_open(true, false);
        }
    }

    /// Closes the panel (the icon stays); in embedded mode hides the panel.
    pub(crate) fn hide(&self) {
        if let Ok(mut s) = self.inner.try_borrow_mut() {
            if s.embedded {
                flag(&self.host, "hidden", true);
            }
            s.set_open(false, false);
        }
    }

    /// Updates the widget with what happened in the chat. Never calls [`WidgetActions`] before
    /// returning.
    pub(crate) fn handle(&self, event: WidgetEvent<'_>) {
        match self.inner.try_borrow_mut() {
            Ok(mut s) => s.handle(event),
            // Only a bug could get here (the widget calls out with its state released).
            Err(_) => console("error", &"exoChat widget: event dropped (re-entrant call)".into(), &JsValue::UNDEFINED),
        }
    }
}

impl Drop for Widget {
    fn drop(&mut self) {
        call0(&self.icon_host, "remove");
        call0(&self.host, "remove");
    }
}

/// The theme colour as RGB: parsed here when it is a hex, `rgb()` or `hsl()` colour, else (a
/// named colour) resolved by the browser through a canvas's `fillStyle`; the default theme when
/// the browser does not know the name either.
fn theme_rgb(document: &Document, theme: &str) -> Rgb {
    if let Some(rgb) = color::parse(theme) {
        return rgb;
    }
    let ctx = call_str(&make(document, "canvas"), "getContext", "2d");
    // An unknown name leaves fillStyle as it was: start from a value no name resolves to. (Without
    // a context, the writes do nothing and the read gives no string.)
    view::put(&ctx, "fillStyle", &"#010203".into());
    view::put(&ctx, "fillStyle", &theme.into());
    let resolved = prop(&ctx, "fillStyle").as_string().filter(|c| c != "#010203");
    resolved.and_then(|c| color::parse(&c)).unwrap_or(color::DEFAULT_THEME)
}

/// A listener that hands `event` to [`on_event`] as `on`.
fn listen(target: &JsValue, event: &'static str, on: On, inner: &Weak<RefCell<Inner>>) -> EventListener {
    let weak = inner.clone();
    EventListener::new(target, event, move |e| on_event(&weak, Cue::Dom(on, e.unchecked_into())))
}

/// The DOM events the widget listens to, each known by its listener (no `event.type` to read
/// and compare).
#[derive(Clone, Copy)]
enum On {
    Click,
    Submit,
    Keydown,
    Input,
    Change,
    Dragover,
    Drop,
    Paste,
    /// The message list scrolled.
    Scroll,
    /// The window was resized.
    Resize,
    /// The page came to the front or went to the back (`visibilitychange`).
    Visibility,
}

/// What wakes the widget up: a DOM event or one of its timers.
enum Cue {
    /// An event of the widget's DOM, the page or the window.
    Dom(On, Event),
    /// A timer of the widget fired.
    Tick(Tick),
}

/// What a widget timer does when it fires.
#[derive(Clone, Copy)]
enum Tick {
    /// Sends `paused` once the customer stopped typing.
    Pause,
    /// Clears a stale agent typing line.
    Typing,
    /// Hides the drop overlay once the drag has left.
    Drop,
}

/// Runs a DOM event or a timer through the widget, then the action it asks for with the state
/// released.
fn on_event(weak: &Weak<RefCell<Inner>>, cue: Cue) {
    let Some(inner) = weak.upgrade() else { return };
    // A DOM event the widget itself caused while busy (focus, a programmatic click) is ignored.
    let Ok(mut s) = inner.try_borrow_mut() else { return };
    let call = match cue {
        Cue::Dom(on, event) => s.event(on, &event),
        Cue::Tick(tick) => s.tick(tick),
    };
    let actions = s.actions.clone();
    drop(s);
    if let Some(action) = call {
        actions.act(action);
    }
}

/// The widget's state, behind one `RefCell`.
struct Inner {
    /// This state, for timers and tasks to find it again.
    me: Weak<RefCell<Inner>>,
    doc: Document,
    t: &'static Strings,
    /// A tag `Intl` accepts.
    locale: String,
    embedded: bool,
    open: bool,
    v: View,
    actions: Rc<dyn WidgetActions>,
    /// A chat exists (the page started one, or the pre-chat form did): the chat view shows.
    started: bool,
    /// The pre-chat form started a chat that has not joined its room yet.
    waiting: bool,
    ended: bool,
    /// The agent named in the header.
    agent: Option<String>,
    /// The room the chat is in and the customer's nick there (empty before the join).
    room: String,
    nick: String,
    unread: u32,
    /// The rating picked in the form, 0 for none.
    rating: u8,
    /// The message list: entries in order, each with its row.
    timeline: Timeline<list::Row>,
    /// Statuses of own messages not listed yet (a status may overtake its message).
    statuses: Vec<(String, usize)>,
    /// The list is kept at its end (the customer has not scrolled up).
    stick: bool,
    /// Agent messages listed but not yet reported as displayed.
    unseen: Vec<String>,
    flush_scheduled: bool,
    typing: Typing,
    /// Sends `paused` after the customer stops typing.
    pause_timer: Option<Timeout>,
    /// Clears a stale agent typing line.
    typing_timer: Option<Timeout>,
    /// Hides the drop overlay once the drag has left.
    drop_timer: Option<Timeout>,
    /// Sizes of files uploaded in this page, by name, for their chips.
    sizes: Vec<(String, f64)>,
}

/// `Date.now()`.
fn now() -> u64 {
    js_sys::Date::now() as u64
}

fn focus(e: &Element) {
    call0(e, "focus");
}

/// The files of `holder.files` (a file input's, a drag's or a paste's `DataTransfer`'s); none when
/// `holder` is not an object.
fn files_of(holder: &JsValue) -> Vec<File> {
    let list = prop(holder, "files");
    let mut files = Vec::new();
    loop {
        // `item` past the end gives `null`; a holder without a list gives `undefined`.
        let file = call(&list, "item", &(files.len() as u32).into(), &JsValue::UNDEFINED);
        if !file.is_object() {
            return files;
        }
        files.push(file.unchecked_into());
    }
}

impl Inner {
    fn handle(&mut self, event: WidgetEvent<'_>) {
        let t = self.t;
        match event {
            WidgetEvent::Connection { status, reason } => {
                let Some(i) = ["connecting", "online", "reconnecting", "offline"].iter().position(|s| *s == status) else { return };
                set_text(&self.v.status, t.status[i]);
                set(&self.v.status, "data-s", status);
                if status != "offline" {
                    self.set_started(true);
                } else if self.waiting {
                    // The pre-chat form's chat never got going: back to the form, saying why.
                    self.waiting = false;
                    flag(&self.v.root, "data-wait", false);
                    self.set_started(false);
                    say(&self.v.pre_msg, &format!("{} {}", t.start_failed, reason.unwrap_or(t.status[3])), true);
                }
            }
            WidgetEvent::RoomJoined { room, nick } => {
                room.clone_into(&mut self.room);
                nick.clone_into(&mut self.nick);
                let was_waiting = self.waiting;
                self.waiting = false;
                flag(&self.v.root, "data-wait", false);
                self.set_started(true);
                if was_waiting && self.open {
                    focus(&self.v.input);
                }
            }
            WidgetEvent::Message(m) => self.add_message(m),
            WidgetEvent::MessageStatus { msgid, status } => self.set_status(msgid, status),
            WidgetEvent::Typing { nick, state } => {
                if state == "composing" {
                    set_text(&self.v.typing, &fill(t.typing, nick));
                    self.typing_timer = self.timer(TYPING_STALE_MS, Tick::Typing);
                } else {
                    self.clear_typing();
                }
            }
            WidgetEvent::AgentJoined { nick } => {
                self.agent = Some(nick.to_owned());
                set_text(&self.v.title, nick);
                self.add_system(&fill(t.joined, nick));
            }
            WidgetEvent::AgentLeft { nick } => {
                if self.agent.as_deref() == Some(nick) {
                    self.agent = None;
                    set_text(&self.v.title, t.title);
                }
                self.clear_typing();
                self.add_system(&fill(t.left, nick));
            }
            WidgetEvent::ChatEnded => {
                self.ended = true;
                self.set_started(true);
                self.clear_typing();
                self.pause_timer = None;
                flag(&self.v.ended, "hidden", false);
                flag(&self.v.confirm, "hidden", true);
                flag(&self.v.end, "hidden", true);
                // A keyboard user in the composer is not left on a disabled control: the list
                // (with the goodbye) takes the focus.
                let in_composer = self.focus_adrift();
                for e in [&self.v.input as &Element, &self.v.attach, &self.v.send] {
                    flag(e, "disabled", true);
                }
                if self.open && in_composer {
                    focus(&self.v.log);
                }
            }
            WidgetEvent::FeedbackForm => {
                flag(&self.v.feedback, "hidden", false);
                set_text(&self.v.fb_msg, "");
                // The form is where a customer whose focus the chat end moved goes next.
                if self.open && (self.focus_adrift() || is(&self.focused(), &self.v.log)) {
                    if let Some(first) = find(&self.v.stars, "input") {
                        focus(&first);
                    }
                }
            }
            WidgetEvent::FeedbackLink { url } => {
                view::link(&self.v.fb_link, url);
                flag(&self.v.fb_link, "hidden", false);
            }
            WidgetEvent::FeedbackSubmitted { ok } => {
                flag(&self.v.fb_submit, "disabled", false);
                flag(&self.v.feedback, "data-done", ok);
                say(&self.v.fb_msg, if ok { t.thanks } else { t.feedback_error }, !ok);
            }
            WidgetEvent::UploadProgress { name, loaded, total } => {
                flag(&self.v.upload, "hidden", false);
                let label = format!("{} · {} / {}", fill(t.uploading, name), self.size(loaded), self.size(total));
                set_text(&self.v.upload_name, &label);
                // As numbers: the properties reflect into the attributes.
                let total = total.max(1.0).trunc();
                view::put(&self.v.upload_bar, "max", &total.into());
                view::put(&self.v.upload_bar, "value", &loaded.clamp(0.0, total).trunc().into());
                set(&self.v.upload_bar, "aria-label", &fill(t.uploading, name));
                match self.sizes.iter_mut().find(|(n, _)| n == name) {
                    Some(entry) => entry.1 = total,
                    None => self.sizes.push((name.to_owned(), total)),
                }
            }
            WidgetEvent::UploadDone { name, ok, reason } => {
                flag(&self.v.upload, "hidden", true);
                if !ok {
                    let mut line = fill(t.upload_failed, name);
                    if let Some(reason) = reason.filter(|r| !r.is_empty()) {
                        line = format!("{line}: {reason}");
                    }
                    set_text(&self.v.error, &line);
                }
            }
        }
    }

    /// The element focused in the widget, `null` when focus is not in it.
    fn focused(&self) -> JsValue {
        prop(&self.v.shadow, "activeElement")
    }

    /// Whether focus is nowhere useful: on `<body>` (a focused control was disabled), or on the
    /// composer, which a chat end disables. (On `null`, the attribute and `closest` reads give
    /// nothing.)
    fn focus_adrift(&self) -> bool {
        let active = prop(&self.doc, "activeElement");
        let on_body = active.is_null() || active == prop(&self.doc, "body");
        let focused = self.focused();
        on_body || attr(&focused, "disabled").is_some() || call_str(&focused, "closest", ".cp").is_object()
    }

    /// Switches between the pre-chat form and the chat.
    fn set_started(&mut self, started: bool) {
        self.started = started;
        set(&self.v.panel, "data-v", if started { "chat" } else { "pre" });
    }

    /// Runs `tick` after `ms` (one closure type for all the widget's timers).
    fn timer(&self, ms: u64, tick: Tick) -> Option<Timeout> {
        let weak = self.me.clone();
        Some(Timeout::new(ms, move || on_event(&weak, Cue::Tick(tick))))
    }

    fn clear_typing(&mut self) {
        self.typing_timer = None;
        set_text(&self.v.typing, "");
    }

    /// Opens or closes the panel; `user`: the customer did it, so focus follows.
    fn set_open(&mut self, open: bool, user: bool) {
        if self.embedded {
            return;
        }
        self.open = open;
        flag(&self.v.panel, "hidden", !open);
        flag(&self.v.root, "data-open", open);
        set(&self.v.icon, "aria-expanded", if open { "true" } else { "false" });
        if !open {
            if user {
                focus(&self.v.icon);
            }
            return;
        }
        self.unread = 0;
        self.show_unread();
        self.scroll_to_bottom();
        self.schedule_flush();
        if user {
            let target: &Element = match (self.started, self.ended) {
                (false, _) => &self.v.pre_name,
                (true, false) => &self.v.input,
                (true, true) => &self.v.log,
            };
            focus(target);
        }
    }

    /// Reports the agent messages the customer can now see, from a microtask (never from
    /// inside `handle`).
    fn schedule_flush(&mut self) {
        if self.flush_scheduled || self.unseen.is_empty() {
            return;
        }
        self.flush_scheduled = true;
        let weak = self.me.clone();
        crate::web::task::later(Box::new(move || {
            let Some(inner) = weak.upgrade() else { return };
            let Ok(mut s) = inner.try_borrow_mut() else { return };
            s.flush_scheduled = false;
            // Shown means: the panel is open, the page is in front, the list is at its end.
            if !s.open || prop(&s.doc, "hidden").is_truthy() || !s.at_bottom() {
                return;
            }
            let seen = std::mem::take(&mut s.unseen);
            let actions = s.actions.clone();
            drop(s);
            for msgid in seen {
                actions.act(Action::Displayed(msgid));
            }
        }));
    }

    /// A byte count as the locale writes it (`1.5 MB`).
    fn size(&self, bytes: f64) -> String {
        let (value, unit) = text::file_size(bytes);
        let value = self.number((value * 10.0).round() / 10.0);
        format!("{} {}", value, self.t.units.get(unit).copied().unwrap_or(""))
    }

    /// `n` as the locale writes it (`Number.prototype.toLocaleString`).
    fn number(&self, n: f64) -> String {
        let n = construct("Number", &n.into()).unwrap_or_default();
        call_str(&n, "toLocaleString", &self.locale).as_string().unwrap_or_default()
    }

    fn show_unread(&self) {
        let count = self.number(self.unread.into());
        set_text(&self.v.badge, &count);
        flag(&self.v.badge, "hidden", self.unread == 0);
        let label = if self.unread == 0 { self.t.open_chat.to_owned() } else { format!("{}, {}", self.t.open_chat, fill(self.t.unread, &count)) };
        set(&self.v.icon, "aria-label", &label);
    }
}
