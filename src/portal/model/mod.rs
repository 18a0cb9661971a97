//! The wire types of the portal API (`assets/openapi.yaml` is the contract).
//!
//! Timestamps are RFC 3339 in UTC, dates of birth `YYYY-MM-DD`. Response types
//! accept unknown fields (the contract grows additively); request bodies are
//! strict (`deny_unknown_fields`), so a misspelt field is refused rather than
//! silently ignored. Every name, email, phone and DOB is wrapped in [`Phi`].

/// A wire enum: its names are declared once, in `$case`, for serde
/// (`rename_all`) and strum (`serialize_all`: `Display`, `FromStr`,
/// `as_str()`); `wire_names_agree` checks every variant. Parse with
/// `str::parse`.
macro_rules! wire_enum {
    ($case:literal, $(#[$meta:meta])* pub enum $name:ident { $($body:tt)* }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[derive(strum::Display, strum::EnumString, strum::IntoStaticStr, strum::VariantArray)]
        #[serde(rename_all = $case)]
        #[strum(serialize_all = $case)]
        $(#[$meta])*
        pub enum $name { $($body)* }

        impl $name {
            /// The wire name.
            pub fn as_str(self) -> &'static str {
                self.into()
            }
        }
    };
}

mod accounts;
mod audit;
mod events;
mod ids;
mod invites;
mod sandbox;
mod tickets;

use serde::{Deserialize, Serialize};

pub use self::accounts::*;
pub use self::audit::*;
pub use self::events::*;
pub use self::ids::*;
pub use self::invites::*;
pub use self::sandbox::*;
pub use self::tickets::*;

/// A page of a list answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
    /// The size of the answer it was read from, in bytes (0 when it was
    /// not read from one): for the paging guard's memory bound. Not on the
    /// wire.
    #[serde(skip)]
    pub bytes: usize,
}

impl<T> Page<T> {
    /// A page not read from an answer.
    pub fn new(items: Vec<T>, next_cursor: Option<String>) -> Self {
        Self { items, next_cursor, bytes: 0 }
    }
}

/// A list answer that is not paged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Items<T> {
    pub items: Vec<T>,
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

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Duration, NaiveDate};
    use serde::de::DeserializeOwned;
    use strum::VariantArray;

    use super::*;
    use crate::phi::Phi;

    /// serde's and strum's names agree for every variant, both ways.
    fn agree<T>()
    where
        T: VariantArray + Serialize + DeserializeOwned + std::str::FromStr + Into<&'static str> + Copy + PartialEq,
        T: std::fmt::Debug + std::fmt::Display,
    {
        for &variant in T::VARIANTS {
            let name: &'static str = variant.into();
            assert_eq!(serde_json::to_value(variant).unwrap(), serde_json::Value::from(name), "{variant:?}");
            assert_eq!(serde_json::from_value::<T>(serde_json::Value::from(name)).unwrap(), variant);
            assert_eq!(name.parse::<T>().ok(), Some(variant));
            assert_eq!(variant.to_string(), name);
        }
    }

    #[test]
    fn wire_names_agree() {
        agree::<Role>();
        agree::<InviteStatus>();
        agree::<DeliveryEventKind>();
        agree::<VisitMethod>();
        agree::<VisitOutcome>();
        agree::<InvalidReason>();
        agree::<TicketStatus>();
        agree::<TicketChannel>();
        agree::<AuditAction>();
        agree::<ScannerProfile>();
        agree::<AuthorKind>();
        agree::<Visibility>();
        agree::<ReplyStatus>();
        agree::<PresenceMode>();
    }

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
            assert_eq!(s.parse::<InviteStatus>().ok().map(InviteStatus::as_str), Some(s));
        }
        for s in ["queued", "delivered", "deferred", "bounced", "opened", "spam_complaint"] {
            assert_eq!(s.parse::<DeliveryEventKind>().ok().map(DeliveryEventKind::as_str), Some(s));
        }
        assert!("Pending".parse::<InviteStatus>().is_err());
        for s in ["page_shown", "dob_refused", "accepted", "invalid_link"] {
            assert_eq!(s.parse::<VisitOutcome>().ok().map(VisitOutcome::as_str), Some(s));
        }
        for s in ["expired", "superseded", "revoked", "already_used"] {
            assert_eq!(s.parse::<InvalidReason>().ok().map(InvalidReason::as_str), Some(s));
        }
        assert_eq!("head".parse::<VisitMethod>().ok(), Some(VisitMethod::Head));
        assert!("PUT".parse::<VisitMethod>().is_err());
        assert_eq!(serde_json::to_string(&VisitMethod::Head).unwrap(), "\"HEAD\"");
        assert_eq!("invite_revoked".parse::<AuditAction>().ok(), Some(AuditAction::InviteRevoked));
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
            typed_dob: None,
        };
        let shown = format!("{visit:?}");
        assert!(!shown.contains("203.0.113.9") && !shown.contains("sam@"), "{shown}");
    }
}
