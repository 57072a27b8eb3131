//! The chat icon: `<div id="exotel-chat-icon">`, a child of `<body>`, drawing a themed round button
//! in an open shadow root. A placeholder until the widget lands; pages that select the icon by id
//! keep working.
//!
//! Styles go through a constructable stylesheet, so a strict CSP (`style-src` without
//! `'unsafe-inline'`) and Trusted Types do not block them; no `innerHTML`, no `style` attribute.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CssStyleSheet, Document, HtmlElement, ShadowRootInit, ShadowRootMode};

use super::handles::EventListener;

/// The id the page can select the icon by.
pub(crate) const ICON_ID: &str = "exotel-chat-icon";

const SVG_NS: &str = "http://www.w3.org/2000/svg";
/// A speech bubble, 24×24.
const BUBBLE_PATH: &str = "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z";

/// The injected icon. Dropping it removes the element (and a pending `DOMContentLoaded` listener).
pub(crate) struct ChatIcon {
    host: HtmlElement,
    _waiting_for_body: Option<EventListener>,
}

impl ChatIcon {
    /// Builds the icon in `theme_color` (already checked to be a plain CSS color) and appends it to
    /// `<body>`, or on `DOMContentLoaded` when the body does not exist yet. Hidden when `visible` is
    /// false.
    pub(crate) fn inject(document: &Document, theme_color: &str, visible: bool) -> Result<ChatIcon, JsValue> {
        let host: HtmlElement = document.create_element("div")?.dyn_into()?;
        host.set_id(ICON_ID);
        host.set_hidden(!visible);
        let shadow = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?;
        let css = stylesheet_text(theme_color);
        match CssStyleSheet::new() {
            Ok(sheet) => {
                sheet.replace_sync(&css)?;
                shadow.set_adopted_style_sheets(&js_sys::Array::of1(&sheet));
            }
            // Browsers without constructable stylesheets (Safari < 16.4) get a <style> element.
            Err(_) => {
                let style = document.create_element("style")?;
                style.set_text_content(Some(&css));
                shadow.append_child(&style)?;
            }
        }
        let button = button(document)?;
        shadow.append_child(&button)?;

        let waiting_for_body = match document.body() {
            Some(body) => {
                body.append_child(&host)?;
                None
            }
            None => {
                let (doc, node) = (document.clone(), host.clone());
                Some(EventListener::once(document, "DOMContentLoaded", move |_| {
                    if let Some(body) = doc.body() {
                        let _ = body.append_child(&node);
                    }
                }))
            }
        };
        Ok(ChatIcon { host, _waiting_for_body: waiting_for_body })
    }
}

impl Drop for ChatIcon {
    fn drop(&mut self) {
        self.host.remove();
    }
}

fn button(document: &Document) -> Result<web_sys::Element, JsValue> {
    let button = document.create_element("button")?;
    button.set_attribute("type", "button")?;
    button.set_attribute("part", "button")?;
    button.set_attribute("aria-label", "Open chat")?;
    let svg = document.create_element_ns(Some(SVG_NS), "svg")?;
    svg.set_attribute("viewBox", "0 0 24 24")?;
    svg.set_attribute("aria-hidden", "true")?;
    let path = document.create_element_ns(Some(SVG_NS), "path")?;
    path.set_attribute("d", BUBBLE_PATH)?;
    svg.append_child(&path)?;
    button.append_child(&svg)?;
    Ok(button)
}

/// The icon's stylesheet; `theme_color` passed [`crate::core::config::is_css_color`], so it
/// cannot end the declaration.
fn stylesheet_text(theme_color: &str) -> String {
    format!(
        ":host{{all:initial;position:fixed;right:20px;bottom:20px;z-index:2147483000;--exochat-theme:{theme_color}}}\
         :host([hidden]){{display:none}}\
         button{{display:flex;align-items:center;justify-content:center;width:56px;height:56px;padding:0;border:0;\
         border-radius:50%;background:var(--exochat-theme);color:#fff;cursor:pointer;box-shadow:0 2px 10px rgba(0,0,0,.3)}}\
         button:focus-visible{{outline:3px solid #fff;outline-offset:2px}}\
         svg{{width:28px;height:28px;fill:currentColor}}"
    )
}
