//! The actions: `resend` and `dob set`.
//!
//! - On a terminal they show what will happen and ask; without one they need
//!   `--yes` (exit 2 otherwise, before anything is read or sent).
//! - One Idempotency-Key per invocation: a try that timed out or dropped is
//!   retried with the same key, so it can never make a second invite or
//!   apply a change twice.
//! - `dob set` reads the account first and sends its ETag in If-Match; with
//!   `--expect-etag` it fails (exit 4) instead of overwriting a change made
//!   since the script read the account.

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Subcommand};
use serde::Serialize;

use super::Failure;
use super::guard::{self, Confirm, ask, confirmation, not_done, nothing_sent, quoted};
use super::out::{self, OutputArgs, Privacy};
use crate::diagnose::{dob, email, invite};
use crate::phi::Phi;
use crate::portal::model::{Account, AccountId, AccountPatch, ETag, Invite, InviteStatus, ResendRequest, TicketId};
use crate::portal::{IdempotencyKey, PortalClient, PortalError};
use crate::request::calls;
use crate::timezone::StaffZone;

#[derive(Debug, Args)]
pub struct ResendArgs {
    /// The account id.
    pub account: AccountId,
    /// The ticket this is for (kept in the audit trail).
    #[arg(long, value_name = "TICKET")]
    pub ticket: Option<TicketId>,
    /// Do it without asking (needed when stdin is not a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Send it even though an invite went out within the resend window
    /// (`resend_guard_minutes`, 5 by default), whoever sent it: without
    /// this, such a resend is refused (exit 4) saying who resent and when.
    #[arg(long)]
    pub again: bool,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum DobCommand {
    /// Change the DOB on file of an account.
    ///
    /// Reads the account first and sends its version (ETag) in If-Match, so
    /// a change made by someone else in between is not overwritten (exit 4).
    ///
    /// --json: {"changed": bool, "dob_before": "YYYY-MM-DD", "account":
    /// Account, "etag": "<new ETag>"}. "changed" is false when the DOB on
    /// file already was that date (nothing is sent then).
    Set(DobSetArgs),
}

#[derive(Debug, Args)]
pub struct DobSetArgs {
    /// The account id.
    pub account: AccountId,
    /// The new DOB, month first as the console's DOB edit reads it:
    /// MM/DD/YYYY, 2/7/1976, 02-07-1976 or February 7, 1976 (a four-digit
    /// year; never read day first). How it was read is shown before asking.
    #[arg(value_name = "DATE", allow_hyphen_values = true)]
    pub dob: String,
    /// Why it is changed (kept in the audit trail; 1 to 500 characters).
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// The ticket this is for (kept in the audit trail).
    #[arg(long, value_name = "TICKET")]
    pub ticket: Option<TicketId>,
    /// Fail (exit 4) instead of changing anything if the account is no
    /// longer at this version (the "etag" of `show --json`): for scripts
    /// that read the account, decide, then change it.
    #[arg(long, value_name = "ETAG")]
    pub expect_etag: Option<String>,
    /// Do it without asking (needed when stdin is not a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Serialize)]
struct ResendJson<'a> {
    invite: &'a Invite,
}

/// `portaldesk resend ACCOUNT`: a new invite; earlier links stop working.
pub async fn resend(
    args: &ResendArgs,
    connect: impl FnOnce() -> Result<PortalClient, Failure>,
    zone: StaffZone,
    window: std::time::Duration,
) -> Result<(), Failure> {
    let confirm = confirmation(args.yes, "resend")?;
    let client = connect()?;
    let not_sent = |e: PortalError| not_done(e, "no invite was sent", "invites", args.account.as_str());
    let unread = |e| nothing_sent(e, "no invite was sent");
    // The resend window, as in the console: an invite that went out within
    // it (anyone's, this staff member's own too) stops this one, unless
    // `--again`.
    let invites = calls::invites(&client, args.account.clone()).await.map_err(unread)?;
    if !args.again {
        within_window(&client, &args.account, &invites, window).await?;
    }
    if confirm == Confirm::Ask {
        let account = calls::account(&client, args.account.clone()).await.map_err(unread)?.value;
        let now = out::server_now(&client);
        let plan =
            |privacy| resend_plan(&account, &invites, args.ticket.as_ref().map(TicketId::as_str), now, zone, privacy);
        if !ask(plan, args.out.privacy(), "Send it?")? {
            return Err(Failure::new(1, "cancelled: no invite was sent"));
        }
    }
    let key = IdempotencyKey::new();
    // Conditional on the newest invite read: one sent meanwhile is a 412
    // (exit 4), not a second invite on top of it.
    // (The portal lists them newest first, as the console reads them.)
    let newest_seen = invites.first().map(|i| i.id.clone());
    let request = ResendRequest { ticket_id: args.ticket.clone(), newest_seen };
    let sent = calls::resend(&client, args.account.clone(), request, key).await.map_err(not_sent)?;
    if args.out.json {
        return out::json(&ResendJson { invite: &sent });
    }
    let now = out::server_now(&client);
    let hours = (sent.expires_at - sent.sent_at).num_hours();
    let window = if hours == 1 { "1 hour".to_owned() } else { format!("{hours} hours") };
    out::text_out(&format!(
        "Invite {} sent to {}.\nThe link works for {window}: it expires {}. Any earlier link no longer works.",
        out::field(&sent.id),
        args.out.privacy().email(&sent.sent_to),
        out::relative_and_absolute(sent.expires_at, now, zone),
    ))
}

/// Exit 4 when the newest of `invites` went out within `window`: who
/// resent (from the audit trail; "you" for the staff member of this
/// token) and how long ago. Nothing is sent.
async fn within_window(
    client: &PortalClient,
    account: &AccountId,
    invites: &[Invite],
    window: std::time::Duration,
) -> Result<(), Failure> {
    let unread = |e| nothing_sent(e, "no invite was sent");
    let now = out::server_now(client);
    let window = chrono::Duration::from_std(window).unwrap_or(chrono::Duration::MAX);
    if crate::diagnose::invite::within_resend_window(invites, &[], window, now).is_none() {
        return Ok(());
    }
    let (audit, me) = tokio::try_join!(calls::audit(client, account.clone()), calls::me(client)).map_err(unread)?;
    let Some((latest, by)) = crate::diagnose::invite::within_resend_window(invites, &audit, window, now) else {
        return Ok(());
    };
    let who = match by {
        Some(actor) if actor == me.id => format!("you ({})", out::field(actor)),
        Some(actor) => out::field(actor),
        None => "someone".to_owned(),
    };
    Err(Failure::new(
        4,
        format!(
            "{who} resent the invite {} (invite {}), within the {}-minute resend window (resend_guard_minutes); \
             another now stops that link working. Nothing was sent: add --again to send it anyway",
            invite::ago(now - latest.sent_at),
            out::field(&latest.id),
            window.num_minutes()
        ),
    ))
}

/// What a resend will do, for the confirmation.
pub fn resend_plan(
    account: &Account,
    invites: &[Invite],
    ticket: Option<&str>,
    now: DateTime<Utc>,
    zone: StaffZone,
    privacy: Privacy,
) -> String {
    let role = account.role;
    let mut plan = format!(
        "Resend the portal invite to {}?\n  To       {}\n",
        privacy.who(account.id.as_str(), &account.first_name, &account.last_name, role),
        privacy.email(&account.email)
    );
    for finding in email::check_email(account.email.expose()).findings {
        plan.push_str(&format!("  ⚠        {}\n", finding.message));
    }
    plan.push_str(&format!(
        "  Expires  {}: {} links last {}\n",
        out::relative_and_absolute(now + role.invite_lifetime(), now, zone),
        role.as_str(),
        invite::window_words(role)
    ));
    let live = invites.iter().filter(|i| i.status == InviteStatus::Pending && i.expires_at > now).count();
    let earlier = match live {
        0 => "No earlier link is still working.".to_owned(),
        1 => "The earlier link will stop working.".to_owned(),
        n => format!("{n} earlier links will stop working."),
    };
    plan.push_str(&format!("  Earlier  {earlier}\n"));
    if let Some(ticket) = ticket {
        plan.push_str(&format!("  Ticket   {ticket}\n"));
    }
    plan
}

#[derive(Serialize)]
struct DobJson<'a> {
    changed: bool,
    dob_before: &'a Phi<NaiveDate>,
    account: &'a Account,
    etag: &'a ETag,
}

/// `portaldesk dob set ACCOUNT MM/DD/YYYY --reason TEXT`.
pub async fn dob_set(
    args: &DobSetArgs,
    connect: impl FnOnce() -> Result<PortalClient, Failure>,
) -> Result<(), Failure> {
    // Usage errors first, before anything is read or sent. The value is never
    // echoed: a DOB is PHI, and errors go to stderr.
    // Read as the console's DOB edit reads it: month first (or the month
    // named) with a four-digit year; never a day-first guess.
    let Some(new_dob) = dob::read_entry(&args.dob) else {
        return Err(Failure::new(
            2,
            "the new DOB must be a real date, month first, with a four-digit year: MM/DD/YYYY (03/05/1990),              3/5/1990, 03-05-1990 or March 5, 1990; nothing was changed",
        ));
    };
    // Not typed exactly MM/DD/YYYY: the confirmation says how it was read.
    let loose = dob::portal_accepts(&args.dob).is_none();
    let reason = guard::reason(&args.reason)?;
    let confirm = confirmation(args.yes, "dob set")?;
    let client = connect()?;
    let not_changed = |e: PortalError| not_done(e, "the DOB was not changed", "show", args.account.as_str());
    // Nothing is sent before this read succeeds.
    let current =
        calls::account(&client, args.account.clone()).await.map_err(|e| nothing_sent(e, "the DOB was not changed"))?;
    // The version the change must apply to: the one the script expects, else
    // the one just read. The portal answers 412 (exit 4) if it moved on.
    let etag = args.expect_etag.as_deref().map(|etag| ETag::from(quoted(etag))).unwrap_or_else(|| current.etag.clone());
    let stale = etag != current.etag;
    if stale && confirm == Confirm::Ask {
        // No point asking: the portal would refuse it.
        return Err(not_changed(PortalError::Stale));
    }
    let before = current.value.dob;
    if !stale && *before.expose() == new_dob {
        if args.out.json {
            let json = DobJson { changed: false, dob_before: &before, account: &current.value, etag: &current.etag };
            return out::json(&json);
        }
        return out::text_out("No change: the DOB on file already is that date. Nothing was sent.");
    }
    let privacy = args.out.privacy();
    if confirm == Confirm::Ask {
        let plan = |privacy| {
            let mut plan =
                dob_plan(&current.value, new_dob, reason, args.ticket.as_ref().map(TicketId::as_str), privacy);
            if loose {
                plan.push_str(&format!("  Read month first: {}\n", privacy.dob_words(new_dob)));
            }
            plan
        };
        if !ask(plan, privacy, "Change it?")? {
            return Err(Failure::new(1, "cancelled: the DOB was not changed"));
        }
    }
    let key = IdempotencyKey::new();
    let patch = AccountPatch {
        dob: Some(Phi::new(new_dob)),
        email: None,
        reason: reason.to_owned(),
        ticket_id: args.ticket.clone(),
        ..AccountPatch::default()
    };
    let id = &current.value.id;
    let shown_id = out::field(id);
    let updated = calls::save_account(&client, id.clone(), etag, patch, key).await.map_err(not_changed)?;
    if args.out.json {
        let json = DobJson { changed: true, dob_before: &before, account: &updated.value, etag: &updated.etag };
        return out::json(&json);
    }
    let mut text = format!(
        "DOB on file changed for {shown_id}: {} → {}.\nKept in the audit trail with the reason",
        privacy.dob(&before),
        privacy.dob(&updated.value.dob)
    );
    match &args.ticket {
        Some(ticket) => text.push_str(&format!(" and ticket {ticket}.\n")),
        None => text.push_str(".\n"),
    }
    text.push_str("The client can now retry the same invite link (or a new one).\n");
    if !privacy.reveal {
        text.push_str("\nDates of birth are masked: --reveal shows them.\n");
    }
    out::text_out(&text)
}

/// What a DOB change will do, for the confirmation.
pub fn dob_plan(account: &Account, new: NaiveDate, reason: &str, ticket: Option<&str>, privacy: Privacy) -> String {
    let mut plan = format!(
        "Change the DOB on file of {}?\n  DOB on file  {}\n  New DOB      {}\n  Reason       {reason}\n",
        privacy.who(account.id.as_str(), &account.first_name, &account.last_name, account.role),
        privacy.dob(&account.dob),
        privacy.dob(&Phi::new(new)),
    );
    if let Some(ticket) = ticket {
        plan.push_str(&format!("  Ticket       {ticket}\n"));
    }
    if !privacy.reveal {
        plan.push_str("  (dates masked; --reveal shows them when stdout is the terminal)\n");
    }
    plan
}

#[cfg(test)]
mod tests {
    use chrono::Duration as Span;

    use super::*;
    use crate::portal::model::Role;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-25T09:00:00Z").unwrap_or_default().to_utc()
    }

    fn account(role: Role) -> Account {
        Account {
            id: "acc_1".into(),
            role,
            first_name: "Sam".into(),
            last_name: "Okafor".into(),
            email: "sam.okafor@gmail.cmo".into(),
            emails: Vec::new(),
            phone: "(555) 555-0101".into(),
            dob: Phi::new(NaiveDate::from_ymd_opt(1985, 12, 21).unwrap_or_default()),
            created_at: now() - Span::days(100),
            updated_at: now() - Span::days(100),
        }
    }

    fn pending(id: &str, sent_ago: Span, role: Role) -> Invite {
        Invite {
            id: id.into(),
            account_id: "acc_1".into(),
            sent_to: "sam.okafor@gmail.cmo".into(),
            sent_at: now() - sent_ago,
            expires_at: now() - sent_ago + role.invite_lifetime(),
            status: InviteStatus::Pending,
            accepted_at: None,
            link_opens: 0,
            dob_failures: 0,
            delivery: vec![],
            revoked: None,
            visits: Vec::new(),
            token_sha256: None,
        }
    }

    #[test]
    fn the_resend_plan_says_where_when_and_what_stops_working() {
        let invites = [pending("inv_1", Span::hours(2), Role::Client)];
        let plan = resend_plan(&account(Role::Client), &invites, Some("T-1"), now(), StaffZone::Utc, Privacy::MASKED);
        assert!(plan.contains("To       s***@g***.cmo"), "{plan}");
        assert!(!plan.contains("sam.okafor") && !plan.contains("Sam"), "no PHI where it may go to stderr: {plan}");
        assert!(plan.contains("in 48h 00m (Nov 27 09:00 UTC): client links last 48 hours"), "{plan}");
        assert!(plan.contains("The earlier link will stop working."), "{plan}");
        assert!(plan.contains("⚠"), "the typo is pointed out: {plan}");
        assert!(plan.contains("Ticket   T-1"), "{plan}");

        let staff = resend_plan(&account(Role::Staff), &[], None, now(), StaffZone::Utc, Privacy::REVEALED);
        assert!(staff.contains("in 1h 00m (Nov 25 10:00 UTC): staff links last 1 hour"), "{staff}");
        assert!(staff.contains("No earlier link is still working."), "{staff}");
        assert!(staff.contains("sam.okafor@gmail.cmo") && staff.contains("acc_1 (Sam Okafor, staff)"), "{staff}");
    }

    #[test]
    fn the_dob_plan_shows_old_and_new_only_when_revealed() {
        let new = NaiveDate::from_ymd_opt(1985, 2, 1).unwrap_or_default();
        let masked = dob_plan(&account(Role::Client), new, "client confirmed by phone", None, Privacy::MASKED);
        assert!(!masked.contains("1985"), "{masked}");
        assert!(masked.contains("DOB on file  ••/••/••••") && masked.contains("--reveal"), "{masked}");
        let shown = dob_plan(&account(Role::Client), new, "x", Some("T-9"), Privacy::REVEALED);
        assert!(shown.contains("DOB on file  12/21/1985\n  New DOB      02/01/1985"), "{shown}");
        assert!(shown.contains("Ticket       T-9"), "{shown}");
    }
}
