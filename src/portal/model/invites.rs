//! Invites, their delivery, the visits to their links, resends and revocations.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{AccountId, InviteId, StaffId, TicketId};
use crate::phi::Phi;

wire_enum! {
    "snake_case",
    /// The state the server reports for an invite.
    pub enum InviteStatus {
        Pending,
        Accepted,
        Expired,
        Superseded,
        Revoked,
    }
}

/// The latest invite of an account, as shown in lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteSummary {
    pub status: InviteStatus,
    pub expires_at: DateTime<Utc>,
}

wire_enum! {
    "snake_case",
    /// What happened to an invite's email on its way to the recipient.
    pub enum DeliveryEventKind {
        Queued,
        Delivered,
        Deferred,
        Bounced,
        Opened,
        SpamComplaint,
    }
}

/// One delivery event of an invite email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryEvent {
    pub at: DateTime<Utc>,
    pub event: DeliveryEventKind,
    pub detail: Option<String>,
}

wire_enum! {
    "UPPERCASE",
    /// The HTTP method of a visit to an invite link.
    #[strum(ascii_case_insensitive)]
    pub enum VisitMethod {
        Get,
        Head,
        Post,
    }
}

wire_enum! {
    "snake_case",
    /// What the landing page did on a visit.
    pub enum VisitOutcome {
        /// The DOB prompt of a working link.
        PageShown,
        /// A submitted DOB was refused.
        DobRefused,
        /// A submitted DOB matched: the invite was accepted.
        Accepted,
        /// The invalid-link page (see `invalid_reason`).
        InvalidLink,
    }
}

wire_enum! {
    "snake_case",
    /// Why the landing page showed the invalid-link page.
    pub enum InvalidReason {
        Expired,
        Superseded,
        Revoked,
        AlreadyUsed,
    }
}

impl InvalidReason {
    /// Why a link of this status does not work; `None` while it works.
    pub fn of_status(status: InviteStatus) -> Option<Self> {
        match status {
            InviteStatus::Pending => None,
            InviteStatus::Expired => Some(InvalidReason::Expired),
            InviteStatus::Superseded => Some(InvalidReason::Superseded),
            InviteStatus::Revoked => Some(InvalidReason::Revoked),
            InviteStatus::Accepted => Some(InvalidReason::AlreadyUsed),
        }
    }
}

/// One request to an invite's landing page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkVisit {
    pub at: DateTime<Utc>,
    pub method: VisitMethod,
    /// The `User-Agent` sent, if any. Never logged.
    pub user_agent: Option<String>,
    /// The visitor's IP address (an identifier under HIPAA).
    pub remote: Phi<String>,
    /// A label for a known network (`Microsoft (AS8075)`), or `None`.
    pub network: Option<String>,
    /// The `Referer` sent, if any (a rewritten link's URL may hold the
    /// recipient's address).
    pub referrer: Option<Phi<String>>,
    /// Whether the request carried the page's cookie.
    pub cookies: bool,
    pub outcome: VisitOutcome,
    /// Set when `outcome` is `invalid_link`.
    #[serde(default)]
    pub invalid_reason: Option<InvalidReason>,
    /// What the visitor typed for their DOB, when `outcome` is
    /// `dob_refused` and the portal reports it (staff API only: never in an
    /// event). PHI: shown masked until revealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typed_dob: Option<Phi<String>>,
}

/// Who revoked an invite, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocation {
    pub at: DateTime<Utc>,
    /// The staff id that revoked it.
    pub by: StaffId,
    pub reason: String,
    pub ticket_id: Option<TicketId>,
}

/// One portal invite (`GET /api/v1/accounts/{id}/invites`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invite {
    pub id: InviteId,
    pub account_id: AccountId,
    pub sent_to: Phi<String>,
    pub sent_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub status: InviteStatus,
    pub accepted_at: Option<DateTime<Utc>>,
    pub link_opens: u32,
    pub dob_failures: u32,
    pub delivery: Vec<DeliveryEvent>,
    /// Set when the invite was revoked (boxed: most invites never are, and
    /// an `Invite` travels inside the console's messages).
    #[serde(default)]
    pub revoked: Option<Box<Revocation>>,
    /// Every request to the link's landing page, oldest first (newest last).
    #[serde(default)]
    pub visits: Vec<LinkVisit>,
    /// The lowercase hex SHA-256 of the link's token ([`token_digest`]): a
    /// pasted link is matched to its invite by it, so no staff tool holds
    /// the credential itself. `None` from a portal that does not send it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_sha256: Option<String>,
}

/// The digest of an invite token as `token_sha256` carries it: lowercase
/// hex SHA-256 of its UTF-8 bytes.
pub fn token_digest(token: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

impl Invite {
    /// When the email reached the recipient's mail server, if it did.
    pub fn delivered_at(&self) -> Option<DateTime<Utc>> {
        self.delivery.iter().find(|e| e.event == DeliveryEventKind::Delivered).map(|e| e.at)
    }
}

/// The body of a revoke (`POST /api/v1/accounts/{id}/invites/{invite_id}/revoke`).
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokeRequest {
    /// Why the invite is revoked; required, kept in the audit trail.
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_id: Option<TicketId>,
}

/// A reason may name the client: its text is never shown by `Debug`.
impl std::fmt::Debug for RevokeRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RevokeRequest")
            .field("reason", &format_args!("<{} chars>", self.reason.chars().count()))
            .field("ticket_id", &self.ticket_id)
            .finish()
    }
}

/// The body of a resend (`POST /api/v1/accounts/{id}/invites`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResendRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_id: Option<TicketId>,
    /// The newest invite of the account the sender saw: when another is
    /// newer (someone resent meanwhile), the resend is refused with 412 and
    /// nothing is sent. Absent, the resend is not conditional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub newest_seen: Option<InviteId>,
}
