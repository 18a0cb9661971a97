//! The wire types of the portal API (`assets/openapi.yaml` is the contract).
//!
//! Timestamps are RFC 3339 in UTC, dates of birth `YYYY-MM-DD`. Response types
//! accept unknown fields (the contract grows additively); request bodies are
//! strict (`deny_unknown_fields`), so a misspelt field is refused rather than
//! silently ignored. Every name, email, phone and DOB is wrapped in [`Phi`].

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use crate::phi::Phi;

/// Whether an account belongs to a client of the practice or to its staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Client,
    Staff,
}

impl Role {
    /// How long an invite for this role stays valid: staff 1 hour (enhanced
    /// security for PHI access), clients 48 hours.
    pub fn invite_lifetime(self) -> Duration {
        match self {
            Role::Staff => Duration::hours(1),
            Role::Client => Duration::hours(48),
        }
    }

    /// The wire name (`client`, `staff`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Client => "client",
            Role::Staff => "staff",
        }
    }

    /// Parses the wire name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "client" => Some(Role::Client),
            "staff" => Some(Role::Staff),
            _ => None,
        }
    }
}

/// The staff member a token belongs to (`GET /api/v1/me`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub id: String,
    pub name: Phi<String>,
    pub email: Phi<String>,
}

/// The state the server reports for an invite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InviteStatus {
    Pending,
    Accepted,
    Expired,
    Superseded,
    Revoked,
}

impl InviteStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            InviteStatus::Pending => "pending",
            InviteStatus::Accepted => "accepted",
            InviteStatus::Expired => "expired",
            InviteStatus::Superseded => "superseded",
            InviteStatus::Revoked => "revoked",
        }
    }

    /// Parses the wire name.
    pub fn parse(text: &str) -> Option<Self> {
        [
            InviteStatus::Pending,
            InviteStatus::Accepted,
            InviteStatus::Expired,
            InviteStatus::Superseded,
            InviteStatus::Revoked,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// The latest invite of an account, as shown in lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteSummary {
    pub status: InviteStatus,
    pub expires_at: DateTime<Utc>,
}

/// One account in a search result or ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSummary {
    pub id: String,
    pub role: Role,
    pub first_name: Phi<String>,
    pub last_name: Phi<String>,
    pub email: Phi<String>,
    pub latest_invite: Option<InviteSummary>,
}

/// A page of a list answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// A list answer that is not paged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Items<T> {
    pub items: Vec<T>,
}

/// A whole account (`GET /api/v1/accounts/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    pub role: Role,
    pub first_name: Phi<String>,
    pub last_name: Phi<String>,
    pub email: Phi<String>,
    pub phone: Phi<String>,
    pub dob: Phi<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A change to an account (`PATCH /api/v1/accounts/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dob: Option<Phi<NaiveDate>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Phi<String>>,
    /// Why the change is made; required, and kept in the audit trail.
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_id: Option<String>,
}

/// What happened to an invite's email on its way to the recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryEventKind {
    Queued,
    Delivered,
    Deferred,
    Bounced,
    Opened,
    SpamComplaint,
}

impl DeliveryEventKind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryEventKind::Queued => "queued",
            DeliveryEventKind::Delivered => "delivered",
            DeliveryEventKind::Deferred => "deferred",
            DeliveryEventKind::Bounced => "bounced",
            DeliveryEventKind::Opened => "opened",
            DeliveryEventKind::SpamComplaint => "spam_complaint",
        }
    }

    /// Parses the wire name.
    pub fn parse(text: &str) -> Option<Self> {
        [
            DeliveryEventKind::Queued,
            DeliveryEventKind::Delivered,
            DeliveryEventKind::Deferred,
            DeliveryEventKind::Bounced,
            DeliveryEventKind::Opened,
            DeliveryEventKind::SpamComplaint,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

/// One delivery event of an invite email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryEvent {
    pub at: DateTime<Utc>,
    pub event: DeliveryEventKind,
    pub detail: Option<String>,
}

/// One portal invite (`GET /api/v1/accounts/{id}/invites`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invite {
    pub id: String,
    pub account_id: String,
    pub sent_to: Phi<String>,
    pub sent_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub status: InviteStatus,
    pub accepted_at: Option<DateTime<Utc>>,
    pub link_opens: u32,
    pub dob_failures: u32,
    pub delivery: Vec<DeliveryEvent>,
}

/// The body of a resend (`POST /api/v1/accounts/{id}/invites`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResendRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_id: Option<String>,
}

/// Where a ticket stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    Open,
    Pending,
    Solved,
}

impl TicketStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            TicketStatus::Open => "open",
            TicketStatus::Pending => "pending",
            TicketStatus::Solved => "solved",
        }
    }

    /// Parses the wire name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "open" => Some(TicketStatus::Open),
            "pending" => Some(TicketStatus::Pending),
            "solved" => Some(TicketStatus::Solved),
            _ => None,
        }
    }
}

/// How a ticket reached the help desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketChannel {
    Phone,
    Email,
    Chat,
    Portal,
}

/// A help-desk ticket (`GET /api/v1/tickets`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: String,
    pub subject: String,
    pub account_id: String,
    pub status: TicketStatus,
    pub channel: TicketChannel,
    pub opened_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The staff member id working the ticket; `None` while unclaimed.
    pub assignee: Option<String>,
    /// The ticket's account as in a search result, so the queue can show who
    /// and how their latest invite stands without a request per row.
    #[serde(default)]
    pub account: Option<AccountSummary>,
}

/// A change to a ticket (`PATCH /api/v1/tickets/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TicketStatus>,
    /// Absent: unchanged; `null`: unassign; a staff id: assign.
    #[serde(default, deserialize_with = "present_or_null", skip_serializing_if = "Option::is_none")]
    pub assignee: Option<Option<String>>,
}

/// An internal note on a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketNote {
    pub id: String,
    pub ticket_id: String,
    pub author: String,
    pub body: String,
    pub at: DateTime<Utc>,
}

/// The body of a new note (`POST /api/v1/tickets/{id}/notes`).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewNote {
    pub body: String,
}

/// A note may name the client: its text is never shown by `Debug`.
impl std::fmt::Debug for NewNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NewNote {{ body: <{} chars> }}", self.body.chars().count())
    }
}

/// What a mutation did, as kept in the audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    AccountUpdated,
    InviteSent,
    TicketUpdated,
    NoteAdded,
}

impl AuditAction {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::AccountUpdated => "account_updated",
            AuditAction::InviteSent => "invite_sent",
            AuditAction::TicketUpdated => "ticket_updated",
            AuditAction::NoteAdded => "note_added",
        }
    }

    /// Parses the wire name.
    pub fn parse(text: &str) -> Option<Self> {
        [AuditAction::AccountUpdated, AuditAction::InviteSent, AuditAction::TicketUpdated, AuditAction::NoteAdded]
            .into_iter()
            .find(|a| a.as_str() == text)
    }
}

/// One entry of the audit trail (`GET /api/v1/audit`). The summary never
/// holds a date of birth; email addresses in it are masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: AuditAction,
    pub account_id: Option<String>,
    pub ticket_id: Option<String>,
    pub summary: String,
}

/// An RFC 9457 problem document, the body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The answer of `POST /sandbox/clock` (sandbox only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxClock {
    pub now: DateTime<Utc>,
}

/// One email the sandbox "sent" (`GET /sandbox/outbox`, sandbox only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    pub invite_id: String,
    pub to: Phi<String>,
    pub subject: String,
    pub link: String,
    pub sent_at: DateTime<Utc>,
}

/// Distinguishes an absent field (outer `None`) from an explicit `null`
/// (`Some(None)`).
fn present_or_null<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invite_lifetimes_follow_the_article() {
        assert_eq!(Role::Staff.invite_lifetime(), Duration::hours(1));
        assert_eq!(Role::Client.invite_lifetime(), Duration::hours(48));
    }

    #[test]
    fn account_debug_carries_no_phi() {
        let account = Account {
            id: "acc_1".into(),
            role: Role::Client,
            first_name: "Marisol".into(),
            last_name: "Quintero".into(),
            email: "marisol@example.com".into(),
            phone: "555-0100".into(),
            dob: Phi::new(NaiveDate::from_ymd_opt(1985, 12, 21).unwrap()),
            created_at: DateTime::UNIX_EPOCH,
            updated_at: DateTime::UNIX_EPOCH,
        };
        let shown = format!("{account:?}");
        for phi in ["Marisol", "Quintero", "marisol@", "555-0100", "1985"] {
            assert!(!shown.contains(phi), "{phi} leaked into {shown}");
        }
        assert!(shown.contains("acc_1"));
    }

    #[test]
    fn ticket_patch_tells_null_from_absent() {
        let absent: TicketPatch = serde_json::from_str("{}").unwrap();
        assert_eq!(absent.assignee, None);
        let null: TicketPatch = serde_json::from_str(r#"{"assignee":null}"#).unwrap();
        assert_eq!(null.assignee, Some(None));
        let set: TicketPatch = serde_json::from_str(r#"{"assignee":"stf_1"}"#).unwrap();
        assert_eq!(set.assignee, Some(Some("stf_1".into())));
    }

    #[test]
    fn requests_refuse_unknown_fields() {
        let err = serde_json::from_str::<AccountPatch>(r#"{"reason":"x","dbo":"2000-01-01"}"#);
        assert!(err.is_err());
        let err = serde_json::from_str::<ResendRequest>(r#"{"ticket":"T-1"}"#);
        assert!(err.is_err());
    }

    #[test]
    fn wire_names_round_trip() {
        for s in ["pending", "accepted", "expired", "superseded", "revoked"] {
            assert_eq!(InviteStatus::parse(s).map(InviteStatus::as_str), Some(s));
        }
        for s in ["queued", "delivered", "deferred", "bounced", "opened", "spam_complaint"] {
            assert_eq!(DeliveryEventKind::parse(s).map(DeliveryEventKind::as_str), Some(s));
        }
        assert_eq!(InviteStatus::parse("Pending"), None);
    }
}
