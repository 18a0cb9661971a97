//! The portal API: wire types and the typed client. Knows nothing of screens.

pub mod backoff;
pub mod client;
pub mod error;
pub mod events;
pub mod model;
pub mod paging;

pub use backoff::Backoff;
pub use client::{
    AccountQuery, ApiToken, Assignee, ClientOptions, IdempotencyKey, MAX_ANSWER_BYTES, MAX_CLOCK_OFFSET, PortalClient,
    SIMULATED_CLOCK, ServerClock, TicketQuery, Versioned,
};
pub use error::{PagingStop, PortalError};
pub use events::{FollowOptions, Live};
pub use paging::{Pager, PagingLimits};
