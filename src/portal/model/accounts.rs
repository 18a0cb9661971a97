//! Accounts: clients and staff, their addresses, and changes to them.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{AccountId, InviteSummary, TicketId};
use crate::phi::Phi;

wire_enum! {
    "snake_case",
    /// Whether an account belongs to a client of the practice or to its staff.
    pub enum Role {
        Client,
        Staff,
    }
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
}

/// The staff member a token belongs to (`GET /api/v1/me`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub id: String,
    pub name: Phi<String>,
    pub email: Phi<String>,
}

/// One account in a search result or ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSummary {
    pub id: AccountId,
    pub role: Role,
    pub first_name: Phi<String>,
    pub last_name: Phi<String>,
    pub email: Phi<String>,
    pub latest_invite: Option<InviteSummary>,
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
    pub id: AccountId,
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
    pub ticket_id: Option<TicketId>,
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
