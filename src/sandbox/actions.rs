//! Changes made both by the API routes and by the simulated desk
//! (`--simulate`), so the simulation goes through the same rules, audit
//! entries and events as a person using the API.

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use super::problem::ApiError;
use super::store::accounts::StoredAccount;
use super::store::invites::StoredInvite;
use super::store::{self, events, invites};
use super::{mail, rules};
use crate::portal::model::{AuditAction, EventType, Invite, TicketId, VisitOutcome};

/// Sends a new invite to an account's default address: at most five an
/// hour (429), earlier pending links superseded, the delivery planned by
/// the pretend mail system, an audit entry and `invite.sent`.
pub fn send_invite(
    conn: &Connection,
    account: &StoredAccount,
    actor: &str,
    ticket_id: Option<&TicketId>,
    link_base: &str,
    now: DateTime<Utc>,
) -> Result<Invite, ApiError> {
    let (recent, oldest) = invites::sent_in_last_hour(conn, account.rowid, now)?;
    rules::resend_allowed(recent, oldest, now)?;
    let superseded = invites::supersede_pending(conn, account.rowid, now)?;
    let email = account.account.email.expose();
    let plan = mail::delivery_plan(email);
    let token = uuid::Uuid::new_v4().simple().to_string();
    let new = invites::NewInvite {
        account_rowid: account.rowid,
        role: account.account.role,
        sent_to: email,
        sent_at: now,
        ticket_id,
        delivery: &plan,
        link_base,
    };
    let rowid = invites::insert(conn, &new, &token)?;
    let invite = invites::by_rowid(conn, rowid, now)?.ok_or_else(ApiError::internal)?;
    let summary = rules::invite_sent_summary(email, account.account.role, superseded);
    store::record_audit(conn, now, actor, AuditAction::InviteSent, Some(&account.account.id), ticket_id, &summary)?;
    events::invite_event(conn, EventType::InviteSent, &invite.id, &account.account.id, Some(actor), now)?;
    events::announce_due_deliveries(conn, rowid, now)?;
    Ok(invite)
}

/// A DOB submitted on a working invite's page: accepted when it equals
/// the DOB on file (`invite.accepted`), else counted as refused
/// (`invite.dob_refused`, which never carries the value typed).
pub fn dob_attempt(
    conn: &Connection,
    invite: &StoredInvite,
    accepted: bool,
    now: DateTime<Utc>,
) -> Result<VisitOutcome, ApiError> {
    let (outcome, kind) = if accepted {
        invites::accept(conn, invite.rowid, now)?;
        (VisitOutcome::Accepted, EventType::InviteAccepted)
    } else {
        invites::record_dob_failure(conn, invite.rowid)?;
        (VisitOutcome::DobRefused, EventType::InviteDobRefused)
    };
    events::invite_event(conn, kind, &invite.invite.id, &invite.invite.account_id, None, now)?;
    Ok(outcome)
}
