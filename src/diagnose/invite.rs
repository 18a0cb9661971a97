//! The invite lifecycle: an invite's effective state at an instant, and its
//! countdown in words a person reads at a glance.
//!
//! Staff invites last 1 hour (enhanced security for PHI access), client
//! invites 48 hours. Every function takes the instant as an argument (the
//! server-corrected clock); nothing here reads the wall clock.

use chrono::{DateTime, Duration, Utc};

use crate::portal::model::{AuditAction, AuditEntry, Invite, InviteStatus, Role};

/// What an invite's link does right now. Its JSON name (`expiring_soon`)
/// is derived: `<&str>::from(state)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum InviteState {
    /// The link works.
    Pending,
    /// The link works but not for long: under 10 minutes for staff, under
    /// 6 hours for clients.
    ExpiringSoon,
    Expired,
    /// A newer invite replaced it.
    Superseded,
    Accepted,
    Revoked,
}

impl InviteState {
    /// A word for the state (status is never told by colour alone).
    pub fn label(self) -> &'static str {
        match self {
            InviteState::Pending => "pending",
            InviteState::ExpiringSoon => "expiring soon",
            InviteState::Expired => "expired",
            InviteState::Superseded => "superseded",
            InviteState::Accepted => "accepted",
            InviteState::Revoked => "revoked",
        }
    }

    /// Whether the link can still be used.
    pub fn is_live(self) -> bool {
        matches!(self, InviteState::Pending | InviteState::ExpiringSoon)
    }
}

/// Below this much time left, an invite is "expiring soon".
pub fn expiring_soon_threshold(role: Role) -> Duration {
    match role {
        Role::Staff => Duration::minutes(10),
        Role::Client => Duration::hours(6),
    }
}

/// The state of an invite at `now`, from the server's status and expiry
/// (a `pending` invite read a while ago may have expired since).
pub fn state_at(status: InviteStatus, expires_at: DateTime<Utc>, role: Role, now: DateTime<Utc>) -> InviteState {
    match status {
        InviteStatus::Pending if now >= expires_at => InviteState::Expired,
        InviteStatus::Pending if expires_at - now < expiring_soon_threshold(role) => InviteState::ExpiringSoon,
        InviteStatus::Pending => InviteState::Pending,
        InviteStatus::Expired => InviteState::Expired,
        InviteStatus::Superseded => InviteState::Superseded,
        InviteStatus::Accepted => InviteState::Accepted,
        InviteStatus::Revoked => InviteState::Revoked,
    }
}

/// The state of an invite at `now`.
pub fn state(invite: &Invite, role: Role, now: DateTime<Utc>) -> InviteState {
    state_at(invite.status, invite.expires_at, role, now)
}

/// The countdown shown beside an invite: `47h 12m`, `59m 58s`,
/// `expired 3h ago`, `accepted 2 days ago`, `superseded`, `revoked`.
pub fn countdown(invite: &Invite, role: Role, now: DateTime<Utc>) -> String {
    countdown_at(invite.status, invite.expires_at, invite.accepted_at, role, now)
}

/// [`countdown`] from the fields a list row carries.
pub fn countdown_at(
    status: InviteStatus,
    expires_at: DateTime<Utc>,
    accepted_at: Option<DateTime<Utc>>,
    role: Role,
    now: DateTime<Utc>,
) -> String {
    match state_at(status, expires_at, role, now) {
        InviteState::Pending | InviteState::ExpiringSoon => remaining(expires_at - now),
        InviteState::Expired => format!("expired {}", ago(now - expires_at)),
        InviteState::Accepted => match accepted_at {
            Some(at) => format!("accepted {}", ago(now - at)),
            None => "accepted".to_owned(),
        },
        InviteState::Superseded => "superseded".to_owned(),
        InviteState::Revoked => "revoked".to_owned(),
    }
}

/// Time left (`47h 12m`, `59m 58s`) and time since (`just now`, `45s ago`,
/// `12m ago`): the one wording.
pub use crate::wording::{ago, remaining};

/// The window that applied to an invite, in words (`1 hour`, `48 hours`).
pub fn window_words(role: Role) -> &'static str {
    match role {
        Role::Staff => "1 hour",
        Role::Client => "48 hours",
    }
}

/// The newest invite of an account if it went out less than `window` before
/// `now` (the resend guard's window, `resend_guard_minutes`), with who sent
/// it as the audit trail says (the newest "invite sent" entry made at or
/// before it), if the trail says. Every invite counts, whoever sent it:
/// this staff member's own too. Pure: the instant is given.
pub fn within_resend_window<'a>(
    invites: &'a [Invite],
    audit: &'a [AuditEntry],
    window: Duration,
    now: DateTime<Utc>,
) -> Option<(&'a Invite, Option<&'a str>)> {
    let latest = invites.iter().max_by_key(|i| i.sent_at)?;
    if now - latest.sent_at >= window {
        return None;
    }
    Some((latest, sender(latest, audit)))
}

/// Who sent `invite`, from the audit trail: the newest "invite sent" entry
/// made at or before it.
pub fn sender<'a>(invite: &Invite, audit: &'a [AuditEntry]) -> Option<&'a str> {
    audit
        .iter()
        .filter(|e| e.action == AuditAction::InviteSent && e.at <= invite.sent_at)
        .max_by_key(|e| (e.at, e.seq))
        .map(|e| e.actor.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    #[test]
    fn state_names_are_snake_case() {
        let names: Vec<&str> = [
            InviteState::Pending,
            InviteState::ExpiringSoon,
            InviteState::Expired,
            InviteState::Superseded,
            InviteState::Accepted,
            InviteState::Revoked,
        ]
        .into_iter()
        .map(<&str>::from)
        .collect();
        assert_eq!(names, ["pending", "expiring_soon", "expired", "superseded", "accepted", "revoked"]);
    }

    #[test]
    fn states_follow_the_clock_and_the_role() {
        let expires = at("2026-11-25T10:00:00Z");
        let pending = InviteStatus::Pending;
        let cases = [
            (Role::Client, "2026-11-23T10:00:00Z", InviteState::Pending),
            (Role::Client, "2026-11-25T03:59:59Z", InviteState::Pending),
            (Role::Client, "2026-11-25T04:00:01Z", InviteState::ExpiringSoon),
            (Role::Client, "2026-11-25T09:59:59Z", InviteState::ExpiringSoon),
            (Role::Client, "2026-11-25T10:00:00Z", InviteState::Expired),
            (Role::Staff, "2026-11-25T09:00:00Z", InviteState::Pending),
            (Role::Staff, "2026-11-25T09:50:00Z", InviteState::Pending),
            (Role::Staff, "2026-11-25T09:50:01Z", InviteState::ExpiringSoon),
            (Role::Staff, "2026-11-25T10:00:01Z", InviteState::Expired),
        ];
        for (role, now, want) in cases {
            assert_eq!(state_at(pending, expires, role, at(now)), want, "{role:?} at {now}");
        }
        // Final statuses ignore the clock.
        let early = at("2026-11-25T09:00:00Z");
        assert_eq!(state_at(InviteStatus::Superseded, expires, Role::Client, early), InviteState::Superseded);
        assert_eq!(state_at(InviteStatus::Accepted, expires, Role::Client, early), InviteState::Accepted);
        assert_eq!(state_at(InviteStatus::Revoked, expires, Role::Staff, early), InviteState::Revoked);
        assert_eq!(state_at(InviteStatus::Expired, expires, Role::Staff, early), InviteState::Expired);
    }

    #[test]
    fn countdowns_read_like_the_issue_says() {
        let expires = at("2026-11-27T09:00:00Z");
        let c = |now: &str| countdown_at(InviteStatus::Pending, expires, None, Role::Client, at(now));
        assert_eq!(c("2026-11-25T09:48:00Z"), "47h 12m");
        assert_eq!(c("2026-11-27T08:00:02Z"), "59m 58s");
        assert_eq!(c("2026-11-27T08:59:59Z"), "0m 01s");
        assert_eq!(c("2026-11-27T12:00:00Z"), "expired 3h ago");
        assert_eq!(c("2026-11-27T09:00:00Z"), "expired just now");
        assert_eq!(c("2026-11-30T09:00:00Z"), "expired 3 days ago");
        let accepted = countdown_at(
            InviteStatus::Accepted,
            expires,
            Some(at("2026-11-23T09:00:00Z")),
            Role::Client,
            at("2026-11-25T09:00:00Z"),
        );
        assert_eq!(accepted, "accepted 2 days ago");
        assert_eq!(
            countdown_at(InviteStatus::Superseded, expires, None, Role::Client, at("2026-11-25T00:00:00Z")),
            "superseded"
        );
    }

    #[test]
    fn relative_times() {
        assert_eq!(ago(Duration::seconds(-3)), "just now");
        assert_eq!(ago(Duration::seconds(45)), "45s ago");
        assert_eq!(ago(Duration::minutes(12)), "12m ago");
        assert_eq!(ago(Duration::hours(47)), "47h ago");
        assert_eq!(ago(Duration::hours(48)), "2 days ago");
        assert_eq!(remaining(Duration::seconds(-5)), "0m 00s");
        assert_eq!(remaining(Duration::hours(1)), "1h 00m");
    }
}
