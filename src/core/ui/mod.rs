//! The pure logic of the chat widget (`src/web/widget`): what it shows and decides, without a DOM.
//!
//! Everything here is plain data in, plain data out, so `cargo test` covers it natively: the
//! strings of each locale, the contrast-corrected palette derived from `theme_color`, links found
//! in message text, the order, grouping and date separators of the message list, delivery-status
//! precedence, and the throttle of the customer's chat states. The widget only turns these
//! answers into DOM nodes and calls.

pub mod color;
pub mod compose;
pub mod linkify;
pub mod text;
pub mod timeline;

/// Whether `bytes` start with `prefix`, ignoring ASCII case (`rgb(`, `https://`): no lower-case
/// copy of the input.
fn starts_with_ignore_case(bytes: &[u8], prefix: &str) -> bool {
    bytes.get(..prefix.len()).is_some_and(|b| b.eq_ignore_ascii_case(prefix.as_bytes()))
}
