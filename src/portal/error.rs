//! Errors of the portal client, each with a message a person can act on.
//!
//! Messages never carry PHI: they name what failed, not the values sent.
//! Problem details from the server are shown as given (the contract says
//! they name fields and rules, never values), through the one sanitiser:
//! capped, with every control made visible, so a hostile portal cannot
//! reach the terminal through an error message.

use std::time::Duration;

/// What went wrong talking to the portal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortalError {
    #[error("the portal address is not a valid URL")]
    InvalidUrl,
    #[error(
        "refusing plain http:// to {}: use https:// (plain http is allowed only for this machine)",
        crate::sanitize::field(host)
    )]
    InsecureUrl { host: String },
    #[error("the portal refused the API token: log in again (portaldesk login) or check PORTALDESK_TOKEN")]
    Unauthorized,
    #[error("not found: {}", crate::sanitize::field(detail))]
    NotFound { detail: String },
    #[error("the portal needs the version you read (If-Match); reload and try again")]
    PreconditionRequired,
    #[error("someone else changed this since you opened it; review the current values and try again")]
    Stale,
    #[error("the portal refused the request: {}", crate::sanitize::field(detail))]
    Invalid { status: u16, detail: String },
    #[error("too many requests: try again in {}s", retry_after.as_secs().max(1))]
    RateLimited {
        retry_after: Duration,
        /// The portal's own reason (its problem `detail`), if it gave one:
        /// shown through the sanitiser.
        detail: Option<String>,
    },
    #[error("the portal failed ({status} {}); try again shortly", crate::sanitize::field(title))]
    Server { status: u16, title: String },
    #[error("the portal did not answer in time")]
    Timeout,
    #[error("cannot reach the portal: check the network or the portal address")]
    Unreachable,
    #[error("the connection to the portal dropped before the answer arrived")]
    Dropped,
    #[error("the portal's answer is larger than {}, the most this client reads; refused it", size_words(*limit_bytes))]
    TooLarge { limit_bytes: u64 },
    #[error("the portal's answer could not be read ({})", crate::sanitize::field(what))]
    Decode { what: String },
    /// A paged read the portal would not end (see `portal::paging`).
    #[error("the portal kept paging: {why} (page {pages}); stopped reading")]
    KeptPaging { pages: usize, why: PagingStop },
}

/// Why a paged read was stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PagingStop {
    #[error("it sent a cursor it had already sent")]
    Repeated,
    #[error("it went past {limit} pages")]
    Pages { limit: usize },
    #[error("its answers went past {}", size_words(*limit as u64))]
    Bytes { limit: usize },
}

/// A size in words: `8 MiB`, `64 KiB`, `900 bytes`.
fn size_words(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{} MiB", b.div_ceil(1 << 20)),
        b if b >= 1 << 10 => format!("{} KiB", b.div_ceil(1 << 10)),
        b => format!("{b} bytes"),
    }
}

impl PortalError {
    /// Whether the portal could not be reached at all (no answer, or the
    /// connection broke): the console goes offline until it answers again.
    pub fn is_unreachable(&self) -> bool {
        matches!(self, PortalError::Timeout | PortalError::Unreachable | PortalError::Dropped)
    }

    /// What kind of failure this is, in a word or two and without any text
    /// from the portal (a portal's detail may echo what was sent): for logs.
    pub fn kind(&self) -> &'static str {
        match self {
            PortalError::InvalidUrl => "invalid url",
            PortalError::InsecureUrl { .. } => "insecure url",
            PortalError::Unauthorized => "unauthorized",
            PortalError::NotFound { .. } => "not found",
            PortalError::PreconditionRequired => "precondition required",
            PortalError::Stale => "stale",
            PortalError::Invalid { .. } => "refused",
            PortalError::RateLimited { .. } => "rate limited",
            PortalError::Server { .. } => "server error",
            PortalError::Timeout => "timeout",
            PortalError::Unreachable => "unreachable",
            PortalError::Dropped => "dropped",
            PortalError::TooLarge { .. } => "answer too large",
            PortalError::Decode { .. } => "undecodable answer",
            PortalError::KeptPaging { .. } => "kept paging",
        }
    }

    /// The HTTP status the portal answered with, where one is known.
    pub fn status(&self) -> Option<u16> {
        match self {
            PortalError::NotFound { .. } => Some(404),
            PortalError::PreconditionRequired => Some(428),
            PortalError::Stale => Some(412),
            PortalError::Invalid { status, .. } | PortalError::Server { status, .. } => Some(*status),
            PortalError::RateLimited { .. } => Some(429),
            _ => None,
        }
    }

    /// Whether a GET failing this way may succeed if tried again.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            PortalError::Server { .. }
                | PortalError::Timeout
                | PortalError::Unreachable
                | PortalError::Dropped
                | PortalError::Decode { .. }
        )
    }

    /// The process exit code for this error (documented in the README):
    /// 3 not found, 4 conflict, 5 rate limited, 1 anything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            PortalError::NotFound { .. } => 3,
            PortalError::Stale | PortalError::PreconditionRequired => 4,
            PortalError::RateLimited { .. } => 5,
            _ => 1,
        }
    }

    pub(crate) fn from_reqwest(error: &reqwest::Error) -> Self {
        if error.is_timeout() {
            PortalError::Timeout
        } else if error.is_connect() {
            PortalError::Unreachable
        } else if error.is_decode() {
            PortalError::Decode { what: "the body ended early or is not JSON".into() }
        } else {
            PortalError::Dropped
        }
    }
}
