//! Help-desk tickets and their internal notes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use super::{AccountId, AccountSummary, MessageId, NoteId, StaffId, TicketId, Viewer};
use crate::phi::Phi;

wire_enum! {
    "snake_case",
    /// Where a ticket stands.
    pub enum TicketStatus {
        Open,
        Pending,
        Solved,
    }
}

wire_enum! {
    "snake_case",
    /// How a ticket reached the help desk.
    pub enum TicketChannel {
        Phone,
        Email,
        Chat,
        Portal,
    }
}

/// A help-desk ticket (`GET /api/v1/tickets`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: TicketId,
    pub subject: String,
    pub account_id: AccountId,
    pub status: TicketStatus,
    pub channel: TicketChannel,
    pub opened_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The staff member id working the ticket; `None` while unclaimed.
    pub assignee: Option<StaffId>,
    /// The ticket's account as in a search result, so the queue can show who
    /// and how their latest invite stands without a request per row.
    #[serde(default)]
    pub account: Option<AccountSummary>,
    /// When the help desk first replied to the client; `None` until then.
    #[serde(default)]
    pub first_response_at: Option<DateTime<Utc>>,
    /// When the first reply is due (opened plus the portal's first-response
    /// target, 4 hours by default); `None` from a portal without targets.
    #[serde(default)]
    pub due_at: Option<DateTime<Utc>>,
    /// The staff members on the ticket now (every one, this console's own
    /// staff member too: the console leaves itself out).
    #[serde(default)]
    pub viewers: Vec<Viewer>,
}

/// A change to a ticket (`PATCH /api/v1/tickets/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TicketStatus>,
    /// Absent: unchanged; `null`: unassign; a staff id: assign.
    #[serde(default, deserialize_with = "present_or_null", skip_serializing_if = "Option::is_none")]
    pub assignee: Option<Option<StaffId>>,
}

/// An internal note on a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketNote {
    pub id: NoteId,
    pub ticket_id: TicketId,
    pub author: StaffId,
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

wire_enum! {
    "snake_case",
    /// Who wrote a message of a ticket's conversation.
    pub enum AuthorKind {
        /// The client (or staff member) the ticket is about.
        Client,
        /// Help-desk staff.
        Staff,
        /// The portal itself (automatic messages).
        System,
    }
}

wire_enum! {
    "snake_case",
    /// Who sees a message: the client too, or staff only (internal notes).
    pub enum Visibility {
        Public,
        Internal,
    }
}

wire_enum! {
    "snake_case",
    /// The status a reply may set (`POST /api/v1/tickets/{id}/replies`).
    pub enum ReplyStatus {
        Pending,
        Solved,
    }
}

impl From<ReplyStatus> for TicketStatus {
    fn from(status: ReplyStatus) -> Self {
        match status {
            ReplyStatus::Pending => TicketStatus::Pending,
            ReplyStatus::Solved => TicketStatus::Solved,
        }
    }
}

/// The author of a message. A name is PHI (a client's), wrapped like every
/// other name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageAuthor {
    pub kind: AuthorKind,
    /// The account id (client), the staff id (staff) or `portal` (system).
    pub id: String,
    pub name: Phi<String>,
}

/// One message of a ticket's conversation (`GET
/// /api/v1/tickets/{id}/messages`): what the client wrote, the help desk's
/// replies, and internal notes (`visibility: internal`). The body is PHI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketMessage {
    pub id: MessageId,
    pub ticket_id: TicketId,
    pub at: DateTime<Utc>,
    pub author: MessageAuthor,
    pub visibility: Visibility,
    /// How it came or went: the same names as a ticket's channel.
    pub channel: TicketChannel,
    pub body: Phi<String>,
}

/// A public reply to the client (`POST /api/v1/tickets/{id}/replies`):
/// emailed to the account's default address. `status` sets the ticket's
/// status with it; without it an open or pending ticket keeps its status
/// and a solved one is reopened as pending.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewReply {
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ReplyStatus>,
    /// The same body was sent to the same ticket within 10 minutes and it
    /// goes again knowingly: without it, the portal refuses such a reply
    /// (409 `duplicate-reply`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub repeat: bool,
}

/// A reply names the client: its text is never shown by `Debug`.
impl std::fmt::Debug for NewReply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NewReply {{ body: <{} chars>, status: {:?} }}", self.body.chars().count(), self.status)
    }
}

/// The most characters a reply may have.
pub const MAX_REPLY_CHARS: usize = 10_000;

/// Distinguishes an absent field (outer `None`) from an explicit `null`
/// (`Some(None)`).
fn present_or_null<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}
