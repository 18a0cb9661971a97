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

/// One email address of an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountEmail {
    pub address: Phi<String>,
    /// Whether invites go to this address; exactly one address of an
    /// account is the default.
    pub is_default: bool,
}

/// A whole account (`GET /api/v1/accounts/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    pub role: Role,
    pub first_name: Phi<String>,
    pub last_name: Phi<String>,
    /// The default address (the one invites go to).
    pub email: Phi<String>,
    /// Every address of the account, the default among them. Empty only
    /// from a portal older than this field.
    #[serde(default)]
    pub emails: Vec<AccountEmail>,
    pub phone: Phi<String>,
    pub dob: Phi<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Account {
    /// The addresses that are not the default.
    pub fn other_emails(&self) -> impl Iterator<Item = &Phi<String>> {
        self.emails.iter().filter(|e| !e.is_default).map(|e| &e.address)
    }
}

/// A change to an account (`PATCH /api/v1/accounts/{id}`). The address
/// changes apply in this order: `email`, `add_email`, `default_email`,
/// `remove_email`. (`Debug` shows the values as redacted and the reason's
/// length only: a reason may name the client.)
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dob: Option<Phi<NaiveDate>>,
    /// Replaces the default address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Phi<String>>,
    /// Adds an address (not the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub add_email: Option<Phi<String>>,
    /// Makes an address of the account the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_email: Option<Phi<String>>,
    /// Removes an address that is not the default (after `default_email`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remove_email: Option<Phi<String>>,
    /// Why the change is made; required, and kept in the audit trail.
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_id: Option<String>,
}

impl std::fmt::Debug for AccountPatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountPatch")
            .field("dob", &self.dob)
            .field("email", &self.email)
            .field("add_email", &self.add_email)
            .field("default_email", &self.default_email)
            .field("remove_email", &self.remove_email)
            .field("reason", &format_args!("<{} chars>", self.reason.chars().count()))
            .field("ticket_id", &self.ticket_id)
            .finish()
    }
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

/// The HTTP method of a visit to an invite link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum VisitMethod {
    Get,
    Head,
    Post,
}

impl VisitMethod {
    /// The wire name (`GET`, `HEAD`, `POST`).
    pub fn as_str(self) -> &'static str {
        match self {
            VisitMethod::Get => "GET",
            VisitMethod::Head => "HEAD",
            VisitMethod::Post => "POST",
        }
    }

    /// Parses the wire name, in any case.
    pub fn parse(text: &str) -> Option<Self> {
        [VisitMethod::Get, VisitMethod::Head, VisitMethod::Post]
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(text))
    }
}

/// What the landing page did on a visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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

impl VisitOutcome {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            VisitOutcome::PageShown => "page_shown",
            VisitOutcome::DobRefused => "dob_refused",
            VisitOutcome::Accepted => "accepted",
            VisitOutcome::InvalidLink => "invalid_link",
        }
    }

    /// Parses the wire name.
    pub fn parse(text: &str) -> Option<Self> {
        [VisitOutcome::PageShown, VisitOutcome::DobRefused, VisitOutcome::Accepted, VisitOutcome::InvalidLink]
            .into_iter()
            .find(|o| o.as_str() == text)
    }
}

/// Why the landing page showed the invalid-link page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvalidReason {
    Expired,
    Superseded,
    Revoked,
    AlreadyUsed,
}

impl InvalidReason {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            InvalidReason::Expired => "expired",
            InvalidReason::Superseded => "superseded",
            InvalidReason::Revoked => "revoked",
            InvalidReason::AlreadyUsed => "already_used",
        }
    }

    /// Parses the wire name.
    pub fn parse(text: &str) -> Option<Self> {
        [InvalidReason::Expired, InvalidReason::Superseded, InvalidReason::Revoked, InvalidReason::AlreadyUsed]
            .into_iter()
            .find(|r| r.as_str() == text)
    }

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
}

/// Who revoked an invite, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocation {
    pub at: DateTime<Utc>,
    /// The staff id that revoked it.
    pub by: String,
    pub reason: String,
    pub ticket_id: Option<String>,
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
    /// Set when the invite was revoked (boxed: most invites never are, and
    /// an `Invite` travels inside the console's messages).
    #[serde(default)]
    pub revoked: Option<Box<Revocation>>,
    /// Every request to the link's landing page, oldest first (newest last).
    #[serde(default)]
    pub visits: Vec<LinkVisit>,
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
    pub ticket_id: Option<String>,
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

/// Which mail scanner the sandbox imitates (`POST /sandbox/invites/{id}/scanner-visit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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

/// The body of a sandbox scanner replay.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScannerVisitRequest {
    #[serde(default)]
    pub scanner: ScannerProfile,
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
    InviteRevoked,
}

impl AuditAction {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::AccountUpdated => "account_updated",
            AuditAction::InviteSent => "invite_sent",
            AuditAction::TicketUpdated => "ticket_updated",
            AuditAction::NoteAdded => "note_added",
            AuditAction::InviteRevoked => "invite_revoked",
        }
    }

    /// Parses the wire name.
    pub fn parse(text: &str) -> Option<Self> {
        [
            AuditAction::AccountUpdated,
            AuditAction::InviteSent,
            AuditAction::TicketUpdated,
            AuditAction::NoteAdded,
            AuditAction::InviteRevoked,
        ]
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
            emails: vec![AccountEmail { address: "marisol@example.com".into(), is_default: true }],
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
        for s in ["page_shown", "dob_refused", "accepted", "invalid_link"] {
            assert_eq!(VisitOutcome::parse(s).map(VisitOutcome::as_str), Some(s));
        }
        for s in ["expired", "superseded", "revoked", "already_used"] {
            assert_eq!(InvalidReason::parse(s).map(InvalidReason::as_str), Some(s));
        }
        assert_eq!(VisitMethod::parse("head"), Some(VisitMethod::Head));
        assert_eq!(VisitMethod::parse("PUT"), None);
        assert_eq!(serde_json::to_string(&VisitMethod::Head).unwrap(), "\"HEAD\"");
        assert_eq!(AuditAction::parse("invite_revoked"), Some(AuditAction::InviteRevoked));
    }

    #[test]
    fn an_invite_from_an_older_portal_has_no_visits_and_no_revocation() {
        let old = r#"{"id":"inv_1","account_id":"acc_1","sent_to":"a@b.co","sent_at":"2026-11-24T17:15:03Z",
            "expires_at":"2026-11-26T17:15:03Z","status":"pending","accepted_at":null,"link_opens":0,
            "dob_failures":0,"delivery":[]}"#;
        let invite: Invite = serde_json::from_str(old).unwrap();
        assert!(invite.visits.is_empty() && invite.revoked.is_none());
        let visit = LinkVisit {
            at: DateTime::UNIX_EPOCH,
            method: VisitMethod::Get,
            user_agent: None,
            remote: "203.0.113.9".into(),
            network: None,
            referrer: Some("https://x.example/?u=sam@example.org".into()),
            cookies: false,
            outcome: VisitOutcome::PageShown,
            invalid_reason: None,
        };
        let shown = format!("{visit:?}");
        assert!(!shown.contains("203.0.113.9") && !shown.contains("sam@"), "{shown}");
    }
}
