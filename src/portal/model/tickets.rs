//! Help-desk tickets and their internal notes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use super::{AccountId, AccountSummary, NoteId, TicketId, Viewer};

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
    pub assignee: Option<String>,
    /// The ticket's account as in a search result, so the queue can show who
    /// and how their latest invite stands without a request per row.
    #[serde(default)]
    pub account: Option<AccountSummary>,
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
    pub assignee: Option<Option<String>>,
}

/// An internal note on a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketNote {
    pub id: NoteId,
    pub ticket_id: TicketId,
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

/// Distinguishes an absent field (outer `None`) from an explicit `null`
/// (`Some(None)`).
fn present_or_null<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}
