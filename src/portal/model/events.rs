//! The live event stream (`GET /api/v1/events`) and ticket presence
//! (`PUT /api/v1/tickets/{id}/presence`).
//!
//! An event names what changed by its ids only, never by a name, address,
//! DOB or text: a console reads again what it shows.

use super::{AccountId, InviteId, StaffId, TicketId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The position of an event in the portal's stream: strictly increasing,
/// and what `Last-Event-ID` names on resume.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EventId(pub u64);

impl std::fmt::Display for EventId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::str::FromStr for EventId {
    type Err = std::num::ParseIntError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        text.trim().parse().map(EventId)
    }
}

/// Declares the event types once: variant, wire name.
macro_rules! event_types {
    ($($(#[$meta:meta])* $variant:ident = $name:literal,)*) => {
        /// What happened. The wire name is dotted (`ticket.created`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum EventType {
            $($(#[$meta])* #[serde(rename = $name)] $variant,)*
        }

        impl EventType {
            /// Every type, in the contract's order.
            pub const ALL: &[EventType] = &[$(EventType::$variant,)*];

            /// The wire name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(EventType::$variant => $name,)*
                }
            }
        }

        impl std::str::FromStr for EventType {
            type Err = UnknownEventType;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                match text {
                    $($name => Ok(EventType::$variant),)*
                    _ => Err(UnknownEventType),
                }
            }
        }
    };
}

event_types! {
    /// A new ticket reached the queue.
    TicketCreated = "ticket.created",
    /// A ticket's status or assignee changed.
    TicketUpdated = "ticket.updated",
    /// A reply or an internal note was added to a ticket.
    TicketMessage = "ticket.message",
    /// An invite was sent (earlier pending ones of the account are superseded).
    InviteSent = "invite.sent",
    /// The mail system reported on an invite's email (queued, delivered, bounced...).
    InviteDelivery = "invite.delivery",
    /// Someone (a person or a mail scanner) requested the invite's link.
    InviteVisit = "invite.visit",
    /// The invite page refused a DOB (the value typed is not in the event).
    InviteDobRefused = "invite.dob_refused",
    /// The client passed the DOB check: the invite is used.
    InviteAccepted = "invite.accepted",
    /// A pending invite passed its expiry.
    InviteExpired = "invite.expired",
    /// A pending invite was revoked.
    InviteRevoked = "invite.revoked",
    /// An account's DOB or email addresses changed.
    AccountChanged = "account.changed",
    /// Who is on a ticket changed (arrived, left, lapsed, or changed mode).
    PresenceChanged = "presence.changed",
    /// The stream cannot resume where asked (too old, or not an id of this
    /// portal): read everything again.
    Reset = "reset",
}

impl std::fmt::Display for EventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An event type this version does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown event type")]
pub struct UnknownEventType;

/// One event, as the `data:` line carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalEvent {
    /// The stream position (the `id:` line; not in the JSON).
    #[serde(skip)]
    pub id: EventId,
    #[serde(rename = "type")]
    pub kind: EventType,
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_id: Option<TicketId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<AccountId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite_id: Option<InviteId>,
    /// The staff id that caused it, when a staff member did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<StaffId>,
}

impl PortalEvent {
    /// An event with no ids yet.
    pub fn new(kind: EventType, at: DateTime<Utc>) -> Self {
        Self { id: EventId(0), kind, at, ticket_id: None, account_id: None, invite_id: None, actor: None }
    }
}

wire_enum! {
    "snake_case",
    /// What a staff member is doing on a ticket.
    pub enum PresenceMode {
        /// Reading it.
        Viewing,
        /// Writing a reply or a note.
        Replying,
        /// In a changing dialog (resend, DOB edit, address, revoke).
        Changing,
    }
}

/// A staff member on a ticket now (`viewers` of a ticket).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub staff_id: StaffId,
    pub mode: PresenceMode,
    /// Since when they are in this mode.
    pub since: DateTime<Utc>,
}

/// The body of a presence heartbeat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresenceRequest {
    pub mode: PresenceMode,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_type_names_agree_both_ways() {
        for &kind in EventType::ALL {
            let name = kind.as_str();
            assert_eq!(serde_json::to_value(kind).unwrap(), serde_json::Value::from(name));
            assert_eq!(serde_json::from_value::<EventType>(serde_json::Value::from(name)).unwrap(), kind);
            assert_eq!(name.parse::<EventType>(), Ok(kind));
        }
        assert!("ticket.deleted".parse::<EventType>().is_err());
        assert!("TICKET.CREATED".parse::<EventType>().is_err());
    }

    #[test]
    fn an_event_serializes_ids_only() {
        let mut event = PortalEvent::new(EventType::InviteSent, DateTime::UNIX_EPOCH);
        event.account_id = Some("acc_1".into());
        let json = serde_json::to_string(&event).unwrap();
        assert_eq!(json, r#"{"type":"invite.sent","at":"1970-01-01T00:00:00Z","account_id":"acc_1"}"#);
    }
}
