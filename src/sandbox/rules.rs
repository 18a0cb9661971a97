//! The sandbox's rules for changes: what a valid change is, and the audit
//! trail's wording of it. Errors name the field or rule, never the value
//! (values may be PHI); summaries mask every email address and never hold
//! a date of birth.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

use super::mail;
use super::problem::ApiError;
use crate::phi::{Phi, mask_email};
use crate::portal::model::{
    AccountPatch, InviteId, InviteStatus, MAX_REPLY_CHARS, NewNote, NewReply, Role, StaffId, TicketPatch, TicketStatus,
};

/// The reason every change carries: trimmed, 1 to 500 characters.
pub fn reason(text: &str) -> Result<&str, ApiError> {
    let reason = text.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(ApiError::unprocessable("reason is required (1 to 500 characters)"));
    }
    Ok(reason)
}

/// A checked account change (`PATCH /api/v1/accounts/{id}`), addresses trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountChange {
    pub reason: String,
    pub dob: Option<NaiveDate>,
    pub email: Option<String>,
    pub add: Option<String>,
    pub make_default: Option<String>,
    pub remove: Option<String>,
}

/// Checks a PATCH: a reason of 1 to 500 characters, something to change, a
/// DOB from 1900-01-01 to today, and addresses that are addresses.
pub fn account_change(patch: &AccountPatch, now: DateTime<Utc>) -> Result<AccountChange, ApiError> {
    let reason = reason(&patch.reason)?;
    let address = |e: &Option<Phi<String>>| e.as_ref().map(|e| e.expose().trim().to_owned());
    let change = AccountChange {
        reason: reason.to_owned(),
        dob: patch.dob.as_ref().map(|d| *d.expose()),
        email: address(&patch.email),
        add: address(&patch.add_email),
        make_default: address(&patch.default_email),
        remove: address(&patch.remove_email),
    };
    if change.dob.is_none() && !change.changes_addresses() {
        return Err(ApiError::unprocessable(
            "nothing to change: send dob, email, add_email, default_email or remove_email",
        ));
    }
    if let Some(dob) = change.dob {
        let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default();
        if dob < earliest || dob > now.date_naive() {
            return Err(ApiError::unprocessable(format!(
                "dob must be a real date from 1900-01-01 to today ({})",
                now.year()
            )));
        }
    }
    for (name, value) in [("email", &change.email), ("add_email", &change.add)] {
        if value.as_deref().is_some_and(|e| !mail::is_address(e)) {
            return Err(ApiError::unprocessable(format!("{name} is not an address")));
        }
    }
    Ok(change)
}

impl AccountChange {
    /// Whether any address changes.
    pub fn changes_addresses(&self) -> bool {
        self.email.is_some() || self.add.is_some() || self.make_default.is_some() || self.remove.is_some()
    }

    /// The audit trail's words for this change: what changed (addresses
    /// masked, the DOB never shown), then the reason.
    pub fn audit_summary(&self) -> String {
        let mut changes = Vec::new();
        if self.dob.is_some() {
            changes.push("date of birth changed".to_owned());
        }
        if let Some(email) = self.email.as_deref() {
            changes.push(format!("email changed to {}", mask_email(email)));
        }
        if let Some(add) = self.add.as_deref() {
            changes.push(format!("address {} added", mask_email(add)));
        }
        if let Some(make_default) = self.make_default.as_deref() {
            changes.push(format!("default address now {}", mask_email(make_default)));
        }
        if let Some(remove) = self.remove.as_deref() {
            changes.push(format!("address {} removed", mask_email(remove)));
        }
        format!("{}; reason: {}", changes.join(", "), self.reason)
    }
}

/// Only a pending invite can be revoked (one already revoked is answered
/// as it is, before this rule).
pub fn revocable(status: InviteStatus) -> Result<(), ApiError> {
    match status {
        InviteStatus::Pending => Ok(()),
        other => Err(ApiError::unprocessable(format!(
            "only a pending invite can be revoked; this one is {}",
            other.as_str()
        ))),
    }
}

/// The audit trail's words for a revoke.
pub fn revoke_summary(invite_id: &InviteId, reason: &str) -> String {
    format!("invite {invite_id} revoked; reason: {reason}")
}

/// The most invites an account may be sent in a rolling hour.
pub const INVITES_PER_HOUR: u32 = 5;

/// The resend rate limit: `recent` invites sent in the last hour, the
/// oldest of them at `oldest`. Past the limit, a 429 whose Retry-After is
/// when the oldest leaves the hour.
pub fn resend_allowed(recent: u32, oldest: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Result<(), ApiError> {
    if recent < INVITES_PER_HOUR {
        return Ok(());
    }
    let free_at = oldest.unwrap_or(now) + Duration::hours(1);
    Err(ApiError::rate_limited((free_at - now).num_seconds().max(1) as u64))
}

/// The audit trail's words for an invite sent (the address masked).
pub fn invite_sent_summary(sent_to: &str, role: Role, superseded: usize) -> String {
    let lifetime = match role {
        Role::Staff => "1 hour",
        Role::Client => "48 hours",
    };
    let superseded = crate::wording::count(superseded as u64, "earlier link", "earlier links");
    format!("invite sent to {}, valid {lifetime}; {superseded} superseded", mask_email(sent_to))
}

/// A checked ticket change: the status and assignee the ticket will have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketChange {
    pub status: TicketStatus,
    pub assignee: Option<StaffId>,
}

/// Checks a ticket PATCH against the ticket as it is: something to change,
/// and an assignee who is one of `agents` (or nobody).
pub fn ticket_change(
    patch: &TicketPatch,
    status: TicketStatus,
    assignee: Option<&str>,
    agents: &[String],
) -> Result<TicketChange, ApiError> {
    if patch.status.is_none() && patch.assignee.is_none() {
        return Err(ApiError::unprocessable("nothing to change: send status or assignee"));
    }
    if let Some(Some(agent)) = &patch.assignee
        && !agents.iter().any(|a| *agent == *a)
    {
        return Err(ApiError::unprocessable("assignee names no staff member of the help desk"));
    }
    let assignee = match &patch.assignee {
        Some(choice) => choice.clone(),
        None => assignee.map(StaffId::from),
    };
    Ok(TicketChange { status: patch.status.unwrap_or(status), assignee })
}

impl TicketChange {
    /// The audit trail's words for this change of ticket `ticket_id`.
    pub fn audit_summary(&self, ticket_id: &str) -> String {
        format!(
            "ticket {ticket_id} is {}, assigned to {}",
            self.status.as_str(),
            self.assignee.as_deref().unwrap_or("nobody")
        )
    }
}

/// A note's body: trimmed, 1 to 5000 characters.
pub fn note_body(note: &NewNote) -> Result<&str, ApiError> {
    let text = note.body.trim();
    if text.is_empty() || text.chars().count() > 5000 {
        return Err(ApiError::unprocessable("body is required (1 to 5000 characters)"));
    }
    Ok(text)
}

/// The audit trail's words for a note (never its body).
pub const NOTE_SUMMARY: &str = "internal note added";

/// The help desk's staff: id and name. Tickets may be assigned to them.
pub const HELP_DESK: &[(&str, &str)] =
    &[("agent_sandbox", "Sandbox Agent"), ("agent_rivera", "Dana Rivera"), ("agent_chen", "Wei Chen")];

/// A staff member's name (the id itself when the help desk does not know it).
pub fn staff_name(id: &str) -> &str {
    HELP_DESK.iter().find(|(known, _)| *known == id).map_or(id, |(_, name)| name)
}

/// The first-response target of a new ticket, by default: its `due_at` is
/// this long after it was opened.
pub const FIRST_RESPONSE_TARGET: Duration = Duration::hours(4);

/// A reply's body: trimmed, not blank, at most 10,000 characters.
pub fn reply_body(reply: &NewReply) -> Result<&str, ApiError> {
    let text = reply.body.trim();
    if text.is_empty() || text.chars().count() > MAX_REPLY_CHARS {
        return Err(ApiError::unprocessable("body is required (1 to 10000 characters, not blank)"));
    }
    Ok(text)
}

/// The status a ticket has after a reply: the one the reply sets, else the
/// one it has, except that a reply reopens a solved ticket as pending (the
/// conversation goes on; the client is expected to answer).
pub fn status_after_reply(reply: &NewReply, current: TicketStatus) -> TicketStatus {
    match (reply.status, current) {
        (Some(status), _) => status.into(),
        (None, TicketStatus::Solved) => TicketStatus::Pending,
        (None, status) => status,
    }
}

/// The audit trail's words for a reply (the address masked, never the body).
/// A reply with the same body to the same ticket within this long is a
/// double unless it says `repeat`.
pub const DUPLICATE_REPLY_WINDOW: chrono::Duration = chrono::Duration::minutes(10);

pub fn reply_summary(ticket_id: &str, sent_to: &str, status: TicketStatus) -> String {
    format!("reply on ticket {ticket_id} emailed to {}; ticket is {}", mask_email(sent_to), status.as_str())
}

/// The most addresses an account may have.
pub const MAX_EMAILS: usize = 10;

/// Applies the address changes of a PATCH in the contract's order (`email`,
/// `add_email`, `default_email`, `remove_email`) and checks the result:
/// exactly one default, no address twice (case-insensitively), at most
/// [`MAX_EMAILS`]. Errors name the field, never the address.
pub fn change_addresses(
    mut list: Vec<(String, bool)>,
    change: &AccountChange,
) -> Result<Vec<(String, bool)>, ApiError> {
    let (email, add) = (change.email.as_deref(), change.add.as_deref());
    let (make_default, remove) = (change.make_default.as_deref(), change.remove.as_deref());
    let position =
        |list: &[(String, bool)], address: &str| list.iter().position(|(a, _)| a.eq_ignore_ascii_case(address));
    if let Some(email) = email {
        if let Some(at) = position(&list, email)
            && !list[at].1
        {
            return Err(ApiError::unprocessable(
                "email is already another address of the account: use default_email to make it the default",
            ));
        }
        for entry in list.iter_mut().filter(|(_, d)| *d) {
            entry.0 = email.to_owned();
        }
    }
    if let Some(add) = add {
        if position(&list, add).is_some() {
            return Err(ApiError::unprocessable("add_email is already an address of the account"));
        }
        if list.len() >= MAX_EMAILS {
            return Err(ApiError::unprocessable("an account has at most 10 addresses"));
        }
        list.push((add.to_owned(), false));
    }
    if let Some(make_default) = make_default {
        let at = position(&list, make_default)
            .ok_or_else(|| ApiError::unprocessable("default_email is not an address of the account"))?;
        for (n, entry) in list.iter_mut().enumerate() {
            entry.1 = n == at;
        }
    }
    if let Some(remove) = remove {
        let at = position(&list, remove)
            .ok_or_else(|| ApiError::unprocessable("remove_email is not an address of the account"))?;
        if list[at].1 {
            return Err(ApiError::unprocessable(
                "remove_email is the default address: make another address the default first (default_email)",
            ));
        }
        list.remove(at);
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch(json: &str) -> AccountPatch {
        serde_json::from_str(json).unwrap()
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-25T09:00:00Z").unwrap().to_utc()
    }

    #[test]
    fn a_change_needs_a_reason_and_something_to_change() {
        assert!(account_change(&patch(r#"{"reason":"  ","dob":"1980-01-02"}"#), now()).is_err());
        let nothing = account_change(&patch(r#"{"reason":"called"}"#), now()).unwrap_err();
        assert!(nothing.detail.starts_with("nothing to change"));
        let future = account_change(&patch(r#"{"reason":"called","dob":"2027-01-01"}"#), now()).unwrap_err();
        assert!(future.detail.starts_with("dob must be a real date"), "{}", future.detail);
        let bad = account_change(&patch(r#"{"reason":"called","add_email":"not-mail"}"#), now()).unwrap_err();
        assert_eq!(bad.detail, "add_email is not an address");
    }

    #[test]
    fn the_audit_summary_masks_addresses_and_never_shows_the_dob() {
        let json = r#"{"reason":" wrong on file ","dob":"1980-01-02","email":" sam.okafor@example.org "}"#;
        let change = account_change(&patch(json), now()).unwrap();
        assert_eq!(change.email.as_deref(), Some("sam.okafor@example.org"));
        let summary = change.audit_summary();
        assert!(summary.starts_with("date of birth changed, email changed to s***@e***.org"), "{summary}");
        assert!(summary.ends_with("; reason: wrong on file"), "{summary}");
        assert!(!summary.contains("1980") && !summary.contains("okafor"), "{summary}");
    }

    #[test]
    fn addresses_change_in_the_contract_s_order() {
        let list = vec![("a@x.org".to_owned(), true), ("b@x.org".to_owned(), false)];
        let json = r#"{"reason":"r","add_email":"c@x.org","default_email":"c@x.org","remove_email":"b@x.org"}"#;
        let change = account_change(&patch(json), now()).unwrap();
        let changed = change_addresses(list.clone(), &change).unwrap();
        assert_eq!(changed, [("a@x.org".to_owned(), false), ("c@x.org".to_owned(), true)]);
        let json = r#"{"reason":"r","remove_email":"a@x.org"}"#;
        let change = account_change(&patch(json), now()).unwrap();
        assert!(change_addresses(list, &change).unwrap_err().detail.starts_with("remove_email is the default"));
    }

    #[test]
    fn a_revoke_needs_a_reason_and_a_pending_invite() {
        assert_eq!(reason("  ").unwrap_err().detail, "reason is required (1 to 500 characters)");
        assert!(reason(&"x".repeat(501)).is_err());
        assert_eq!(reason(" moved ").unwrap(), "moved");
        assert!(revocable(InviteStatus::Pending).is_ok());
        let used = revocable(InviteStatus::Accepted).unwrap_err();
        assert_eq!(used.detail, "only a pending invite can be revoked; this one is accepted");
        assert_eq!(revoke_summary(&"inv_1".into(), "moved"), "invite inv_1 revoked; reason: moved");
    }

    #[test]
    fn the_sixth_invite_in_an_hour_waits_for_the_oldest_to_leave_it() {
        assert!(resend_allowed(4, Some(now()), now()).is_ok());
        let oldest = now() - Duration::minutes(20);
        let limited = resend_allowed(5, Some(oldest), now()).unwrap_err();
        assert_eq!((limited.status.as_u16(), limited.retry_after), (429, Some(40 * 60)));
        let summary = invite_sent_summary("sam.okafor@example.org", Role::Staff, 2);
        assert_eq!(summary, "invite sent to s***@e***.org, valid 1 hour; 2 earlier links superseded");
    }

    #[test]
    fn a_ticket_change_keeps_what_it_does_not_name() {
        let agents = vec!["agent_chen".to_owned()];
        let patch: TicketPatch = serde_json::from_str(r#"{"status":"solved"}"#).unwrap();
        let change = ticket_change(&patch, TicketStatus::Open, Some("agent_chen"), &agents).unwrap();
        assert_eq!(change.audit_summary("T-1"), "ticket T-1 is solved, assigned to agent_chen");
        let patch: TicketPatch = serde_json::from_str(r#"{"assignee":"agent_x"}"#).unwrap();
        assert!(ticket_change(&patch, TicketStatus::Open, None, &agents).is_err());
        let patch: TicketPatch = serde_json::from_str(r#"{"assignee":null}"#).unwrap();
        let change = ticket_change(&patch, TicketStatus::Open, Some("agent_chen"), &agents).unwrap();
        assert_eq!(change.audit_summary("T-1"), "ticket T-1 is open, assigned to nobody");
        let empty: TicketPatch = serde_json::from_str("{}").unwrap();
        assert!(ticket_change(&empty, TicketStatus::Open, None, &agents).is_err());
        assert!(note_body(&NewNote { body: " ".into() }).is_err());
    }

    #[test]
    fn a_reply_is_1_to_10000_characters_and_reopens_a_solved_ticket() {
        use crate::portal::model::ReplyStatus;
        let reply = |body: &str, status| NewReply { body: body.to_owned(), status, ..Default::default() };
        assert!(reply_body(&reply(" \n ", None)).is_err());
        assert!(reply_body(&reply(&"é".repeat(10_000), None)).is_ok());
        assert!(reply_body(&reply(&"x".repeat(10_001), None)).is_err());
        assert_eq!(reply_body(&reply(" hi \n", None)).unwrap(), "hi");
        let plain = reply("hi", None);
        assert_eq!(status_after_reply(&plain, TicketStatus::Open), TicketStatus::Open);
        assert_eq!(status_after_reply(&plain, TicketStatus::Solved), TicketStatus::Pending);
        let solve = reply("hi", Some(ReplyStatus::Solved));
        assert_eq!(status_after_reply(&solve, TicketStatus::Solved), TicketStatus::Solved);
        assert_eq!(status_after_reply(&solve, TicketStatus::Open), TicketStatus::Solved);
        let summary = reply_summary("T-1", "sam.okafor@example.org", TicketStatus::Pending);
        assert_eq!(summary, "reply on ticket T-1 emailed to s***@e***.org; ticket is pending");
        assert_eq!(staff_name("agent_rivera"), "Dana Rivera");
        assert_eq!(staff_name("agent_x"), "agent_x");
    }
}
