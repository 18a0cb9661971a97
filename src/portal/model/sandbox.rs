//! Sandbox-only resources: the scanner replay, the clock and the outbox.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{AccountId, InviteId, MessageId, TicketId};
use crate::phi::Phi;

wire_enum! {
    "snake_case",
    /// Which mail scanner the sandbox imitates (`POST /sandbox/invites/{id}/scanner-visit`).
    #[derive(Default)]
    pub enum ScannerProfile {
        /// Microsoft Defender Safe Links: HEAD then GETs from Microsoft's network.
        #[default]
        SafeLinks,
        /// Proofpoint URL Defense.
        UrlDefense,
        /// Gmail's link checks.
        Gmail,
        /// A link-preview fetcher (Outlook, chat apps).
        LinkPreview,
    }
}

/// The body of a sandbox scanner replay.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScannerVisitRequest {
    #[serde(default)]
    pub scanner: ScannerProfile,
}

/// The answer of `POST /sandbox/clock` (sandbox only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxClock {
    pub now: DateTime<Utc>,
}

/// One email the sandbox "sent" (`GET /sandbox/outbox`, sandbox only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    pub invite_id: InviteId,
    pub to: Phi<String>,
    pub subject: String,
    pub link: String,
    pub sent_at: DateTime<Utc>,
}

/// One reply email the sandbox "sent" (`GET /sandbox/outbox/replies`,
/// sandbox only): exactly one per reply, whatever the retries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxReply {
    /// The reply, as in the ticket's conversation.
    pub message_id: MessageId,
    pub ticket_id: TicketId,
    pub account_id: AccountId,
    /// The account's default address when the reply was sent.
    pub to: Phi<String>,
    /// `Re: ` and the ticket's subject.
    pub subject: String,
    pub body: Phi<String>,
    pub sent_at: DateTime<Utc>,
}
