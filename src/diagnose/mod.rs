//! Pure domain logic: why a client cannot get in, and what to tell them.
//! No I/O, no terminal, no HTTP, no clock reads: the instant is an argument.

pub mod claims;
pub mod dob;
pub mod email;
pub mod invite;
pub mod link_invite;
pub mod message;
pub mod pasted_link;
pub mod remedy;
pub mod replies;
pub mod timeline;
pub mod troubleshoot;
pub mod visit;
