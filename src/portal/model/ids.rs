//! Typed ids and ETags.
//!
//! On the wire every id is a string, and so was every id here once: a call
//! such as `revoke_invite(account_id, invite_id, etag, ..)` took three
//! `&str`s, and nothing but care kept them in order. Each kind of id is now
//! its own type, so `Request::Revoke { account_id, invite_id, etag, .. }` or
//! `client.revoke_invite(&invite_id, &account_id, ..)` filled in the wrong
//! order does not compile. They serialise as the bare string
//! (`#[serde(transparent)]`), so the wire format is unchanged.
//!
//! Ids are not PHI: `Debug` and `Display` show them (`Debug` exactly as the
//! string's, quoted).

use std::borrow::Borrow;
use std::fmt;

use serde::{Deserialize, Serialize};

/// Declares string newtypes, once for all of them.
macro_rules! string_id {
    ($($(#[$meta:meta])* $name:ident;)*) => {$(
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a string read from the portal, a command line or a row.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The id as on the wire.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id's string, unwrapped.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        }

        /// The id for people (a screen, an error, a banner): through the
        /// one sanitiser, as every string from the portal. The wire form is
        /// [`Self::as_str`].
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&crate::sanitize::line(&self.0))
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }

        impl From<&String> for $name {
            fn from(id: &String) -> Self {
                Self(id.clone())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        /// Hashes and compares as its string, so a map keyed by the id can
        /// be looked up with a `&str`.
        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }
    )*};
}

string_id! {
    /// An account's id (`acc_…`), client or staff.
    AccountId;
    /// An invite's id (`inv_…`).
    InviteId;
    /// A help-desk ticket's id (`T-…`).
    TicketId;
    /// An internal note's id.
    NoteId;
    /// A help-desk staff member's id (`agent_rivera`): who claimed a
    /// ticket, is on it, wrote a note, or did what the audit trail says.
    StaffId;
    /// A message's id in a ticket's conversation (`msg_…`, or `note_…` for
    /// an internal note).
    MessageId;
    /// The version of a resource as read (`ETag`), sent back in `If-Match`
    /// so a change is refused when someone else changed it since.
    ETag;
}

/// A staff id reads as its string wherever a `&str` is wanted (shown,
/// compared, passed to the sanitiser): it is made only from the portal's
/// answers or this console's own sign-in, so reading it as text cannot mix
/// it up with another kind of id, while a `&str` or another id cannot be
/// passed where a staff id is wanted.
impl std::ops::Deref for StaffId {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn an_id_shown_to_people_carries_no_control_but_its_wire_form_is_kept() {
        let id: TicketId = serde_json::from_str("\"T-1\\u001b[2J\\u202e9\"").unwrap();
        let shown = id.to_string();
        assert!(!shown.chars().any(crate::sanitize::is_unsafe), "{shown:?}");
        assert!(shown.starts_with("T-1"));
        assert_eq!(id.as_str(), "T-1\u{1b}[2J\u{202e}9");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"T-1\\u001b[2J\u{202e}9\"");
    }

    #[test]
    fn ids_are_their_string_on_the_wire_and_in_debug() {
        let id = AccountId::from("acc_1");
        assert_eq!(serde_json::to_string(&id).unwrap(), r#""acc_1""#);
        assert_eq!(serde_json::from_str::<AccountId>(r#""acc_1""#).unwrap(), id);
        assert!(serde_json::from_str::<AccountId>("1").is_err());
        assert_eq!(format!("{id:?}"), format!("{:?}", "acc_1"));
        assert_eq!(id.to_string(), "acc_1");
        assert_eq!(id.as_str(), "acc_1");
    }

    #[test]
    fn a_staff_id_is_its_string_on_the_wire_in_every_type_that_carries_one() {
        let id = StaffId::from("agent_rivera");
        assert_eq!(serde_json::to_string(&id).unwrap(), r#""agent_rivera""#);
        assert_eq!(&*id, "agent_rivera");
        let viewer: super::super::Viewer =
            serde_json::from_str(r#"{"staff_id":"agent_rivera","mode":"viewing","since":"2026-11-25T09:00:00Z"}"#)
                .unwrap();
        assert_eq!(viewer.staff_id, id);
        let json = serde_json::to_value(&viewer).unwrap();
        assert_eq!(json["staff_id"], "agent_rivera");
        let patch: super::super::TicketPatch = serde_json::from_str(r#"{"assignee":"agent_rivera"}"#).unwrap();
        assert_eq!(patch.assignee, Some(Some(id.clone())));
        assert_eq!(serde_json::to_string(&patch).unwrap(), r#"{"assignee":"agent_rivera"}"#);
        assert!(serde_json::from_str::<StaffId>("7").is_err());
    }

    #[test]
    fn a_map_of_ids_is_read_with_a_str() {
        let map = HashMap::from([(TicketId::from("T-1"), 1)]);
        assert_eq!(map.get("T-1"), Some(&1));
        assert_eq!(map.get("T-2"), None);
    }
}
