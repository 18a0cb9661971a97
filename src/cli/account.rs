//! Account actions besides the DOB: `email add|default|remove` and
//! `revoke`. Each reads the account first and sends its ETag in If-Match
//! (exit 4 when it changed in between), asks on a terminal or needs
//! `--yes`, and keeps one Idempotency-Key across retries.

use clap::{Args, Subcommand};
use serde::Serialize;

use super::Failure;
use super::guard::{self, confirmation, go_ahead, not_done, nothing_sent};
use super::out::{self, OutputArgs, Privacy};
use crate::phi::Phi;
use crate::portal::model::{Account, AccountId, AccountPatch, ETag, Invite, InviteId, RevokeRequest, TicketId};
use crate::portal::{IdempotencyKey, PortalClient, PortalError};
use crate::request::calls;

#[derive(Debug, Subcommand)]
pub enum EmailCommand {
    /// Add an address to an account (not the default).
    ///
    /// --json: {"account": Account, "etag": string}.
    Add(EmailArgs),
    /// Make an address of the account the default: invites go there.
    ///
    /// --json: {"account": Account, "etag": string}.
    Default(EmailArgs),
    /// Remove an address that is not the default.
    ///
    /// --json: {"account": Account, "etag": string}.
    Remove(EmailArgs),
}

impl EmailCommand {
    fn args(&self) -> &EmailArgs {
        match self {
            EmailCommand::Add(args) | EmailCommand::Default(args) | EmailCommand::Remove(args) => args,
        }
    }
}

#[derive(Debug, Args)]
pub struct EmailArgs {
    /// The account id.
    pub account: AccountId,
    /// The email address.
    #[arg(value_name = "ADDR")]
    pub address: String,
    #[command(flatten)]
    pub change: ChangeArgs,
}

#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// The account id.
    pub account: AccountId,
    /// The invite id (as `invites` shows it).
    pub invite: InviteId,
    #[command(flatten)]
    pub change: ChangeArgs,
}

/// What every account change takes besides its object.
#[derive(Debug, Args)]
pub struct ChangeArgs {
    /// Why (kept in the audit trail; 1 to 500 characters).
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// The ticket this is for (kept in the audit trail).
    #[arg(long, value_name = "TICKET")]
    pub ticket: Option<TicketId>,
    /// Do it without asking (needed when stdin is not a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
    #[command(flatten)]
    pub out: OutputArgs,
}

impl ChangeArgs {
    /// The confirmation's lines for the reason and the ticket.
    fn plan_tail(&self, reason: &str) -> String {
        let mut tail = format!("  Reason  {reason}\n");
        if let Some(ticket) = &self.ticket {
            tail.push_str(&format!("  Ticket  {}\n", out::field(ticket)));
        }
        tail
    }
}

#[derive(Serialize)]
struct AccountJson<'a> {
    account: &'a Account,
    etag: &'a ETag,
}

/// `portaldesk email add|default|remove ACCOUNT ADDR --reason R`.
pub async fn email(
    command: &EmailCommand,
    connect: impl FnOnce() -> Result<PortalClient, Failure>,
) -> Result<(), Failure> {
    let args = command.args();
    let change = &args.change;
    let reason = guard::reason(&change.reason)?;
    let address = args.address.trim().to_owned();
    if address.is_empty() {
        return Err(Failure::new(2, "ADDR must be an email address; nothing was changed"));
    }
    let (verb, nothing) = match command {
        EmailCommand::Add(_) => ("Add", "the address was not added"),
        EmailCommand::Default(_) => ("Make the default", "the default address was not changed"),
        EmailCommand::Remove(_) => ("Remove", "the address was not removed"),
    };
    let confirm = confirmation(change.yes, "email")?;
    let client = connect()?;
    let current = calls::account(&client, args.account.clone()).await.map_err(|e| nothing_sent(e, nothing))?;
    let address = Phi::new(address);
    let mut patch =
        AccountPatch { reason: reason.to_owned(), ticket_id: change.ticket.clone(), ..AccountPatch::default() };
    match command {
        EmailCommand::Add(_) => patch.add_email = Some(address.clone()),
        EmailCommand::Default(_) => patch.default_email = Some(address.clone()),
        EmailCommand::Remove(_) => patch.remove_email = Some(address.clone()),
    }
    let plan = |privacy: Privacy| {
        let a = &current.value;
        format!(
            "{verb} {} for {}?\n  Now     {}\n{}",
            privacy.email(&address),
            privacy.who(a.id.as_str(), &a.first_name, &a.last_name, a.role),
            addresses(a, privacy),
            change.plan_tail(reason)
        )
    };
    go_ahead(confirm, plan, change.out.privacy(), "Change it?", nothing)?;
    let key = IdempotencyKey::new();
    let id = &current.value.id;
    let not_changed = |e: PortalError| not_done(e, nothing, "show", id.as_str());
    let updated =
        calls::save_account(&client, id.clone(), current.etag.clone(), patch, key).await.map_err(not_changed)?;
    if change.out.json {
        return out::json(&AccountJson { account: &updated.value, etag: &updated.etag });
    }
    let privacy = change.out.privacy();
    let mut text = format!(
        "Addresses of {} now: {}\nKept in the audit trail with the reason.\n",
        out::field(id),
        addresses(&updated.value, privacy)
    );
    if !privacy.reveal {
        text.push_str("\nEmail addresses are masked: --reveal shows them.\n");
    }
    out::text_out(&text)
}

/// Every address of an account, the default marked.
fn addresses(account: &Account, privacy: Privacy) -> String {
    account
        .emails
        .iter()
        .map(
            |e| {
                if e.is_default {
                    format!("{} (default)", privacy.email(&e.address))
                } else {
                    privacy.email(&e.address)
                }
            },
        )
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Serialize)]
struct RevokeJson<'a> {
    invite: &'a Invite,
    etag: &'a ETag,
}

/// `portaldesk revoke ACCOUNT INVITE --reason R`: the invite's link then
/// shows the invalid-link page.
pub async fn revoke(args: &RevokeArgs, connect: impl FnOnce() -> Result<PortalClient, Failure>) -> Result<(), Failure> {
    let change = &args.change;
    let reason = guard::reason(&change.reason)?;
    let confirm = confirmation(change.yes, "revoke")?;
    let client = connect()?;
    let nothing = "the invite was not revoked";
    let current = calls::account(&client, args.account.clone()).await.map_err(|e| nothing_sent(e, nothing))?;
    let plan = |privacy: Privacy| {
        let a = &current.value;
        format!(
            "Revoke invite {} of {}?\n  Its link will show the invalid-link page.\n{}",
            out::field(&args.invite),
            privacy.who(a.id.as_str(), &a.first_name, &a.last_name, a.role),
            change.plan_tail(reason)
        )
    };
    go_ahead(confirm, plan, change.out.privacy(), "Revoke it?", nothing)?;
    let key = IdempotencyKey::new();
    let request = RevokeRequest { reason: reason.to_owned(), ticket_id: change.ticket.clone() };
    let id = &current.value.id;
    let revoked = calls::revoke(&client, id.clone(), args.invite.clone(), current.etag.clone(), request, key)
        .await
        .map_err(|e| not_done(e, nothing, "invites", id.as_str()))?;
    if change.out.json {
        return out::json(&RevokeJson { invite: &revoked.value, etag: &revoked.etag });
    }
    out::text_out(&format!(
        "Invite {} of {} revoked: its link now shows the invalid-link page.\nKept in the audit trail with the reason.",
        out::field(&revoked.value.id),
        out::field(id)
    ))
}
