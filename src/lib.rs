//! exochat: the Exotel live-chat SDK in Rust and WebAssembly.
//!
//! [`core`] is the protocol, sans-IO: XML, JIDs, BOSH, SASL, MUC, the XEPs, the Exotel REST
//! bodies and the message object. It never reads a clock and never performs I/O; time and I/O
//! results are inputs, requests, events and deadlines are outputs. It is tested natively.
//!
//! `web` (wasm32 only) is the thin browser adapter: fetch, timers, the exported `exoChat` API,
//! event callbacks and the widget.

pub mod core;

#[cfg(target_arch = "wasm32")]
mod web;
