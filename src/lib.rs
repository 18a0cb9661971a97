//! portaldesk: a terminal console for help-desk staff of a therapy-practice
//! client portal, and the sandbox portal it runs against.
//!
//! Layers (see `ARCHITECTURE.md` in the shared folder): [`diagnose`] is pure
//! domain logic; [`portal`] is the typed HTTP client and the wire types;
//! [`sandbox`] is a real portal in miniature; [`cli`] is the thin command line.

// No `unwrap`/`expect` outside tests: an error is returned, or a fallback
// is chosen and said why. Unit tests (`#[cfg(test)]`) and the `tests/`,
// `examples/` and `benches/` targets (their own crates) may unwrap.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod cli;
pub mod config;
pub mod credentials;
pub mod diagnose;
pub mod fix;
pub mod keys;
pub mod logging;
pub mod phi;
pub mod portal;
pub mod request;
pub mod sandbox;
pub mod sanitize;
pub mod timezone;
pub mod tui;
pub mod width;
pub mod wording;
pub mod zeroing;
