//! The local Exotel-compatible chat service: a real Prosody (or ejabberd), the Exotel REST/CMS
//! API, a simulated agent, and the demo's static pages, started together by [`stack::Stack`] or by
//! the binary (`cargo run -p exochat-service -- stack`). See `service/README.md`.

pub mod agent;
pub mod cms;
mod ejabberd;
pub mod feedback;
pub mod http;
pub mod log;
pub mod process;
mod prosody;
pub mod rest;
pub mod stack;
pub mod util;
pub mod web;
pub mod xmpp;
