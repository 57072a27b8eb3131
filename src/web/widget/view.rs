//! The widget's DOM: a few helpers that create elements (text only ever enters through
//! `textContent` or attribute values, never markup), the static skeleton, and the stylesheet.
//!
//! The skeleton is built once; state shows through attributes the stylesheet reads (`data-v` on
//! the panel: pre-chat form or chat; `data-open`, `data-wait` on the root), so most updates are
//! one attribute. The widget reaches the DOM through the shared helpers of `web::js` (plain
//! `Reflect` property reads, writes and method calls) rather than web-sys's typed methods. A DOM
//! call that throws (none of the widget's can, short of a broken page) gives `undefined`, never a
//! Rust panic.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, Node, ShadowRoot};

pub(super) use crate::web::js::{call, call0, call_str, prop, put};
use crate::web::js::construct;

use crate::core::ui::color::Palette;
use crate::core::ui::text::{fill, Strings};

/// The stylesheet, with the palette prepended as custom properties by [`adopt_styles`]: `--t`
/// (theme), `--o` (text on the theme), `--a` (accent on light surfaces). The page's CSS cannot
/// reach into the shadow root; the host element's own box is pinned with `!important`, which wins
/// over the page's `!important` for a shadow host. Thumbnails and players have a fixed box, so
/// nothing moves when they load and the list stays at its end. (These notes live here, not as CSS
/// comments, because the stylesheet ships verbatim in the module.)
const CSS: &str = include_str!("widget.css");
const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// Icons, 24×24 stroked paths.
pub(super) const ICON_CHAT: &str = "M4 5h16v11H9l-5 4z";
const ICON_MIN: &str = "M6 9l6 6 6-6";
const ICON_END: &str = "M12 3v8M6.3 6.3a8 8 0 1 0 11.4 0";
const ICON_ATTACH: &str = "M20 11l-8 8a5 5 0 0 1-7-7l8.5-8.5a3.5 3.5 0 0 1 5 5L10 17a2 2 0 0 1-3-3l7.5-7.5";
const ICON_SEND: &str = "M21 3L10 14M21 3l-7 18-4-7-7-4z";
/// A document with a folded corner.
pub(super) const ICON_FILE: &str = "M14 3H6v18h12V7zM14 3v4h4";
const ICON_STAR: &str = "M12 3l2.8 5.7 6.2.9-4.5 4.4 1 6.2-5.5-2.9-5.5 2.9 1-6.2L3 9.6l6.2-.9z";

/// Whether `a` and `b` are the same JS value (`===`; DOM nodes by identity).
pub(super) fn is(a: &JsValue, b: &JsValue) -> bool {
    a == b
}

/// The first element matching `selector` in `root` (an element, shadow root or document).
pub(super) fn find(root: &JsValue, selector: &str) -> Option<Element> {
    // `querySelector` gives an element or `null`: no `instanceof Element` check needed.
    let found = call_str(root, "querySelector", selector);
    found.is_object().then(|| found.unchecked_into())
}

/// Appends `child` to `parent`.
pub(super) fn append(parent: &JsValue, child: &JsValue) {
    call(parent, "append", child, &JsValue::UNDEFINED);
}

/// A new `tag` element, not yet in the page.
pub(super) fn make(doc: &Document, tag: &str) -> Element {
    call_str(doc, "createElement", tag).unchecked_into()
}

/// Creates `tag` with `class` (none when empty) as the last child of `parent`.
pub(super) fn el(doc: &Document, parent: &Node, tag: &str, class: &str) -> Element {
    let e = make(doc, tag);
    if !class.is_empty() {
        set(&e, "class", class);
    }
    append(parent, &e);
    e
}

/// [`el`] holding `text` as its text content.
pub(super) fn text(doc: &Document, parent: &Node, tag: &str, class: &str, text: &str) -> Element {
    let e = el(doc, parent, tag, class);
    set_text(&e, text);
    e
}

/// Makes `a` open `href` (already checked to be `http(s)`) in a new tab, without giving the
/// opened page a handle on this one.
pub(super) fn link(a: &Element, href: &str) {
    set(a, "href", href);
    set(a, "target", "_blank");
    set(a, "rel", "noopener noreferrer");
}

/// Sets the text content of `e` (empty text: no child).
pub(super) fn set_text(e: &Element, text: &str) {
    put(e, "textContent", &text.into());
}

/// Sets an attribute (names are literals and values are text: it cannot fail).
pub(super) fn set(e: &Element, name: &str, value: &str) {
    call(e, "setAttribute", &name.into(), &value.into());
}

/// An attribute's value, `None` when it is absent.
pub(super) fn attr(e: &JsValue, name: &str) -> Option<String> {
    call_str(e, "getAttribute", name).as_string()
}

/// Sets or removes a boolean attribute.
pub(super) fn flag(e: &Element, name: &str, on: bool) {
    call(e, "toggleAttribute", &name.into(), &on.into());
}

/// The `value` of a form control (input or textarea).
pub(super) fn value(e: &Element) -> String {
    prop(e, "value").as_string().unwrap_or_default()
}

/// Sets the `value` of a form control.
pub(super) fn set_value(e: &Element, value: &str) {
    put(e, "value", &value.into());
}

/// Shows `text` in a form's result line (`.msg`), as a problem when `bad`.
pub(super) fn say(e: &Element, text: &str, bad: bool) {
    set_text(e, text);
    set(e, "class", if bad { "msg bad" } else { "msg" });
}

/// A decorative icon (hidden from assistive technology) as the last child of `parent`.
pub(super) fn icon(doc: &Document, parent: &Node, path: &str) {
    let ns = JsValue::from(SVG_NS);
    let svg: Element = call(doc, "createElementNS", &ns, &"svg".into()).unchecked_into();
    set(&svg, "viewBox", "0 0 24 24");
    set(&svg, "aria-hidden", "true");
    let p: Element = call(doc, "createElementNS", &ns, &"path".into()).unchecked_into();
    set(&p, "d", path);
    append(&svg, &p);
    append(parent, &svg);
}

/// A `type=button` with an action name (`data-a`), a label, and an icon or text.
fn button(doc: &Document, parent: &Node, class: &str, action: &str, label: &str, path: Option<&str>) -> Element {
    let b = el(doc, parent, "button", class);
    set(&b, "type", "button");
    set(&b, "data-a", action);
    match path {
        Some(path) => {
            set(&b, "aria-label", label);
            icon(doc, &b, path);
        }
        None => set_text(&b, label),
    }
    b
}

/// A labelled field of a form: `<label for=id>` then the control.
fn field(doc: &Document, form: &Node, tag: &str, id: &str, label: &str) -> Element {
    set(&text(doc, form, "label", "", label), "for", id);
    let input = el(doc, form, tag, "");
    set(&input, "id", id);
    input
}

/// Installs the stylesheet and the palette in `root`: a constructable stylesheet, which a
/// strict `style-src` allows; a `<style>` element where the browser lacks them.
pub(super) fn adopt_styles(doc: &Document, root: &ShadowRoot, palette: &Palette) {
    let css = format!(
        ":host{{--t:{};--o:{};--a:{}}}{CSS}",
        palette.theme.hex(),
        palette.on_theme.hex(),
        palette.accent.hex()
    );
    match construct("CSSStyleSheet", &JsValue::UNDEFINED) {
        Ok(sheet) => {
            call_str(&sheet, "replaceSync", &css);
            put(root, "adoptedStyleSheets", &js_sys::Array::of1(&sheet));
        }
        Err(_) => {
            text(doc, root, "style", "", &css);
        }
    }
}

/// The elements the widget updates after building them.
pub(super) struct View {
    /// The shadow root (whose `activeElement` is the focus inside the widget).
    pub shadow: ShadowRoot,
    /// The root inside the shadow root: `data-m` (mode), `data-open`, `data-wait`, `lang`.
    pub root: Element,
    /// The round icon button and its unread badge (hidden in embedded mode by the stylesheet).
    pub icon: Element,
    pub badge: Element,
    /// The panel: `data-v` is `pre` (pre-chat form) or `chat`.
    pub panel: Element,
    pub title: Element,
    pub status: Element,
    pub end: Element,
    /// The "end this chat?" bar.
    pub confirm: Element,
    pub pre_name: Element,
    pub pre_email: Element,
    pub pre_phone: Element,
    pub pre_msg: Element,
    /// The message list (`role=log`), the "new messages" pill and the typing line.
    pub log: Element,
    pub pill: Element,
    pub typing: Element,
    /// The chat-ended banner and its link to the feedback page; the rating form, its star group,
    /// comment and result line.
    pub ended: Element,
    pub fb_link: Element,
    pub feedback: Element,
    pub stars: Element,
    pub comment: Element,
    pub fb_submit: Element,
    pub fb_msg: Element,
    /// The upload line: name, progress bar.
    pub upload: Element,
    pub upload_name: Element,
    pub upload_bar: Element,
    /// Errors about files (`role=alert`).
    pub error: Element,
    /// The composer.
    pub input: Element,
    pub attach: Element,
    pub send: Element,
    pub files: Element,
    /// The overlay shown while files are dragged over the panel.
    pub drop: Element,
}

impl View {
    /// Builds the skeleton into `root` for `mode` (`o` overlayed, `f` fullscreen, `e` embedded).
    pub(super) fn build(doc: &Document, shadow: &ShadowRoot, t: &Strings, mode: &str) -> View {
        let root = el(doc, shadow, "div", "w");
        set(&root, "data-m", mode);
        set(&root, "lang", t.lang);

        let icon_btn = button(doc, &root, "ic", "tog", t.open_chat, Some(ICON_CHAT));
        set(&icon_btn, "aria-expanded", "false");
        set(&icon_btn, "aria-controls", "p");
        let badge = el(doc, &icon_btn, "span", "bd");
        set(&badge, "aria-hidden", "true");
        flag(&badge, "hidden", true);

        let panel = el(doc, &root, "section", "p");
        set(&panel, "id", "p");
        set(&panel, "aria-labelledby", "ti");
        set(&panel, "data-v", "pre");
        flag(&panel, "hidden", mode != "e");

        let header = el(doc, &panel, "header", "hd");
        let hx = el(doc, &header, "div", "hx");
        let title = text(doc, &hx, "h2", "", t.title);
        set(&title, "id", "ti");
        // Empty (and hidden) until the SDK reports the connection.
        let status = el(doc, &hx, "p", "st");
        set(&status, "role", "status");
        let end = button(doc, &header, "hb", "end", t.end_chat, Some(ICON_END));
        button(doc, &header, "hb", "min", t.minimise, Some(ICON_MIN));

        let confirm = el(doc, &panel, "div", "cf");
        flag(&confirm, "hidden", true);
        text(doc, &confirm, "span", "", t.end_confirm);
        button(doc, &confirm, "bt", "yes", t.end_yes, None);
        button(doc, &confirm, "bt q", "no", t.cancel, None);

        let pre = el(doc, &panel, "form", "pre");
        set(&pre, "data-a", "pre");
        text(doc, &pre, "p", "", t.prechat);
        let input = |id: &str, label: &str, kind: &str, auto: &str| -> Element {
            let i = field(doc, &pre, "input", id, label);
            if !kind.is_empty() {
                set(&i, "type", kind);
            }
            set(&i, "autocomplete", auto);
            flag(&i, "required", true);
            i
        };
        let pre_name = input("fn", t.name, "", "name");
        let pre_email = input("fe", t.email, "email", "email");
        let pre_phone = input("fp", t.phone, "tel", "tel");
        let start = text(doc, &pre, "button", "bt", t.start);
        set(&start, "type", "submit");
        let pre_msg = el(doc, &pre, "p", "msg");
        set(&pre_msg, "role", "status");

        let body = el(doc, &panel, "div", "bdy");
        let log = el(doc, &body, "div", "log");
        set(&log, "role", "log");
        set(&log, "tabindex", "0");
        set(&log, "aria-label", t.messages);
        let pill = button(doc, &body, "pill", "pill", t.new_messages, None);
        flag(&pill, "hidden", true);
        let typing = el(doc, &body, "p", "ty");
        set(&typing, "role", "status");

        let ended = text(doc, &panel, "div", "end", t.ended);
        set(&ended, "role", "status");
        flag(&ended, "hidden", true);
        let fb_link = text(doc, &ended, "a", "", t.feedback_link);
        flag(&fb_link, "hidden", true);

        let feedback = el(doc, &panel, "form", "fb");
        set(&feedback, "data-a", "fb");
        flag(&feedback, "hidden", true);
        let fieldset = el(doc, &feedback, "fieldset", "");
        text(doc, &fieldset, "legend", "", t.feedback_title);
        let stars = el(doc, &fieldset, "div", "stars");
        for id in ["r1", "r2", "r3", "r4", "r5"] {
            let n = &id[1..];
            let radio = el(doc, &stars, "input", "sr");
            set(&radio, "type", "radio");
            set(&radio, "name", "r");
            set(&radio, "value", n);
            set(&radio, "id", id);
            let label = el(doc, &stars, "label", "");
            set(&label, "for", id);
            icon(doc, &label, ICON_STAR);
            text(doc, &label, "span", "sr", &fill(t.stars, n));
        }
        let comment = field(doc, &feedback, "textarea", "fc", t.comment);
        set(&comment, "rows", "3");
        let fb_submit = text(doc, &feedback, "button", "bt", t.submit);
        set(&fb_submit, "type", "submit");
        let fb_msg = el(doc, &feedback, "p", "msg");
        set(&fb_msg, "role", "status");

        let upload = el(doc, &panel, "div", "up");
        flag(&upload, "hidden", true);
        let upload_name = el(doc, &upload, "span", "");
        let upload_bar = el(doc, &upload, "progress", "");
        button(doc, &upload, "", "cancel", t.cancel, None);
        let error = el(doc, &panel, "p", "er");
        set(&error, "role", "alert");

        let composer = el(doc, &panel, "form", "cp");
        set(&composer, "data-a", "send");
        let attach = button(doc, &composer, "ib", "att", t.attach, Some(ICON_ATTACH));
        let files = el(doc, &composer, "input", "");
        set(&files, "type", "file");
        flag(&files, "multiple", true);
        flag(&files, "hidden", true);
        set(&files, "tabindex", "-1");
        let input = el(doc, &composer, "textarea", "");
        set(&input, "rows", "1");
        set(&input, "aria-label", t.placeholder);
        set(&input, "placeholder", t.placeholder);
        let send = el(doc, &composer, "button", "ib sd");
        set(&send, "type", "submit");
        set(&send, "aria-label", t.send);
        icon(doc, &send, ICON_SEND);

        let drop = text(doc, &panel, "div", "dz", t.drop_here);
        flag(&drop, "hidden", true);

        View {
            shadow: shadow.clone(),
            root,
            icon: icon_btn,
            badge,
            panel,
            title,
            status,
            end,
            confirm,
            pre_name,
            pre_email,
            pre_phone,
            pre_msg,
            log,
            pill,
            typing,
            ended,
            fb_link,
            feedback,
            stars,
            comment,
            fb_submit,
            fb_msg,
            upload,
            upload_name,
            upload_bar,
            error,
            input,
            attach,
            send,
            files,
            drop,
        }
    }
}
