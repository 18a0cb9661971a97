//! The portal API: wire types and the typed client. Knows nothing of screens.

pub mod client;
pub mod error;
pub mod model;

pub use client::{AccountQuery, ApiToken, ClientOptions, IdempotencyKey, PortalClient, ServerClock, Versioned};
pub use error::PortalError;
