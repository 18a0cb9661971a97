//! The reads: `tickets`, `search`, `show`, `invites` and `diagnose`.
//!
//! `--json` prints one document whose parts are the portal's own wire types
//! (`assets/openapi.yaml`), plus what the console would compute from them
//! (invite state and countdown, findings) at the portal's clock.

use chrono::{DateTime, Utc};
use clap::{Args, ValueEnum};
use serde::Serialize;

use super::Failure;
use super::out::{self, OutputArgs, Privacy};
use crate::diagnose::invite::{self, InviteState};
use crate::diagnose::replies::Replies;
use crate::diagnose::troubleshoot::{self, Case, Finding};
use crate::diagnose::visit::{self, VisitKind};
use crate::portal::model::{
    Account, AccountId, AccountSummary, ETag, Invite, InviteSummary, Role, Ticket, TicketStatus,
};
use crate::portal::{AccountQuery, PortalClient, TicketQuery};
use crate::request::calls;
use crate::timezone::StaffZone;

/// A ticket status on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    Open,
    Pending,
    Solved,
}

impl From<StatusArg> for TicketStatus {
    fn from(status: StatusArg) -> Self {
        match status {
            StatusArg::Open => TicketStatus::Open,
            StatusArg::Pending => TicketStatus::Pending,
            StatusArg::Solved => TicketStatus::Solved,
        }
    }
}

/// An account role on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    Client,
    Staff,
}

impl From<RoleArg> for Role {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Client => Role::Client,
            RoleArg::Staff => Role::Staff,
        }
    }
}

#[derive(Debug, Args)]
pub struct TicketsArgs {
    /// Which tickets to list.
    #[arg(long, value_enum, default_value_t = StatusArg::Open)]
    pub status: StatusArg,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// A name, email address, phone number or account id (or part of one).
    pub query: String,
    /// Only client or only staff accounts.
    #[arg(long, value_enum)]
    pub role: Option<RoleArg>,
    /// At most this many accounts (1 to 100).
    #[arg(long, default_value_t = 25, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub limit: u32,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct AccountArgs {
    /// The account id (as `tickets` and `search` show it).
    pub account: AccountId,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Serialize)]
struct TicketsJson<'a> {
    status: &'static str,
    tickets: &'a [Ticket],
}

/// `portaldesk tickets`: the queue, oldest first.
pub async fn tickets(client: &PortalClient, args: &TicketsArgs) -> Result<(), Failure> {
    let status = TicketStatus::from(args.status);
    let query = TicketQuery { status: Some(status), ..TicketQuery::default() };
    let tickets = calls::all_tickets(client, query).await?;
    if args.out.json {
        return out::json(&TicketsJson { status: status.as_str(), tickets: &tickets });
    }
    let now = out::server_now(client);
    let rows: Vec<Vec<String>> = tickets
        .iter()
        .map(|t| {
            let (who, latest) = match &t.account {
                Some(a) => (who(a), latest_invite(a.latest_invite.as_ref(), a.role, now)),
                None => (String::new(), String::new()),
            };
            vec![
                out::field(&t.id),
                out::relative(t.opened_at, now),
                out::field(&t.account_id),
                who,
                latest,
                out::field(&t.subject),
            ]
        })
        .collect();
    let noun = format!("{} ticket", status.as_str());
    let mut text = format!("{}, oldest first\n", out::count(tickets.len(), &noun, &format!("{noun}s")));
    if !rows.is_empty() {
        text.push_str(&out::table(&["TICKET", "OPENED", "ACCOUNT", "WHO", "LATEST INVITE", "SUBJECT"], &rows));
    }
    out::text_out(&text)
}

#[derive(Serialize)]
struct SearchJson<'a> {
    accounts: &'a [AccountSummary],
    next_cursor: Option<&'a str>,
}

/// `portaldesk search QUERY`: accounts by name, email, phone or id.
pub async fn search(client: &PortalClient, args: &SearchArgs) -> Result<(), Failure> {
    let query = AccountQuery {
        q: Some(args.query.clone()),
        role: args.role.map(Role::from),
        limit: Some(args.limit),
        cursor: None,
    };
    let page = calls::search(client, query).await?;
    if args.out.json {
        return out::json(&SearchJson { accounts: &page.items, next_cursor: page.next_cursor.as_deref() });
    }
    let now = out::server_now(client);
    let privacy = args.out.privacy();
    let rows: Vec<Vec<String>> = page
        .items
        .iter()
        .map(|a| {
            vec![
                out::field(&a.id),
                a.role.as_str().to_owned(),
                format!("{} {}", out::field(a.first_name.expose()), out::field(a.last_name.expose())),
                privacy.email(&a.email),
                latest_invite(a.latest_invite.as_ref(), a.role, now),
            ]
        })
        .collect();
    let mut text = match rows.len() {
        0 => "No accounts match.\n".to_owned(),
        n => format!(
            "{}\n{}\n",
            out::count(n, "account", "accounts"),
            out::table(&["ACCOUNT", "ROLE", "NAME", "EMAIL", "LATEST INVITE"], &rows)
        ),
    };
    if page.next_cursor.is_some() {
        text.push_str("More accounts match: narrow the search or raise --limit (up to 100).\n");
    }
    text.push_str(masked_note(privacy));
    out::text_out(&text)
}

#[derive(Serialize)]
struct ShowJson<'a> {
    account: &'a Account,
    etag: &'a ETag,
}

/// `portaldesk show ACCOUNT`: the whole account.
pub async fn show(client: &PortalClient, args: &AccountArgs, zone: StaffZone) -> Result<(), Failure> {
    let account = calls::account(client, args.account.clone()).await?;
    if args.out.json {
        return out::json(&ShowJson { account: &account.value, etag: &account.etag });
    }
    let now = out::server_now(client);
    let a = &account.value;
    let privacy = args.out.privacy();
    let text = format!(
        "Account  {} ({})\nName     {} {}\nEmail    {}\nPhone    {}\nDOB      {}\nCreated  {}\nUpdated  {}\nVersion  {}  (for dob set --expect-etag)\n{}",
        out::field(&a.id),
        a.role.as_str(),
        out::field(a.first_name.expose()),
        out::field(a.last_name.expose()),
        privacy.email(&a.email),
        out::field(a.phone.expose()),
        privacy.dob(&a.dob),
        out::relative_and_absolute(a.created_at, now, zone),
        out::relative_and_absolute(a.updated_at, now, zone),
        out::field(&account.etag),
        masked_note(privacy),
    );
    out::text_out(&text)
}

/// An invite with what it means now.
#[derive(Serialize)]
struct InviteJson<'a> {
    #[serde(flatten)]
    invite: &'a Invite,
    /// `pending`, `expiring_soon`, `expired`, `superseded`, `accepted`, `revoked`.
    state: &'static str,
    countdown: String,
}

#[derive(Serialize)]
struct InvitesJson<'a> {
    account_id: &'a AccountId,
    role: Role,
    now: DateTime<Utc>,
    invites: Vec<InviteJson<'a>>,
}

/// `portaldesk invites ACCOUNT`: every invite, newest first.
pub async fn invites(client: &PortalClient, args: &AccountArgs, zone: StaffZone) -> Result<(), Failure> {
    let account = calls::account(client, args.account.clone()).await?.value;
    let invites = calls::invites(client, account.id.clone()).await?;
    let now = out::server_now(client);
    let role = account.role;
    if args.out.json {
        let invites = invites
            .iter()
            .map(|i| InviteJson {
                invite: i,
                state: state_code(invite::state(i, role, now)),
                countdown: invite::countdown(i, role, now),
            })
            .collect();
        return out::json(&InvitesJson { account_id: &account.id, role, now, invites });
    }
    let privacy = args.out.privacy();
    let mut text = format!(
        "{} for {} ({} links last {}), newest first\n",
        out::count(invites.len(), "invite", "invites"),
        out::field(&account.id),
        role.as_str(),
        invite::window_words(role)
    );
    for i in &invites {
        let state = invite::state(i, role, now);
        text.push_str(&format!(
            "\n{}  {}\n",
            out::field(&i.id),
            out::invite_words(state, &invite::countdown(i, role, now))
        ));
        text.push_str(&format!(
            "  sent        {} to {}\n",
            out::relative_and_absolute(i.sent_at, now, zone),
            privacy.email(&i.sent_to)
        ));
        text.push_str(&format!("  expires     {}\n", out::relative_and_absolute(i.expires_at, now, zone)));
        let refused = crate::wording::times(u64::from(i.dob_failures));
        text.push_str(&format!("  link opens  {} · DOB refused {refused}\n", i.link_opens));
        let delivery: Vec<String> = i
            .delivery
            .iter()
            .map(|e| match &e.detail {
                Some(detail) => format!(
                    "{} {} ({})",
                    e.event.as_str(),
                    out::relative(e.at, now),
                    out::scrub_emails(detail, privacy)
                ),
                None => format!("{} {}", e.event.as_str(), out::relative(e.at, now)),
            })
            .collect();
        if !delivery.is_empty() {
            text.push_str(&format!("  delivery    {}\n", delivery.join(" · ")));
        }
        if !i.visits.is_empty() {
            let verdicts = visit::classify_invite(i);
            let count = |kind| verdicts.iter().filter(|v| v.kind == kind).count();
            text.push_str(&format!(
                "  visits      {} · by a mail scanner {} · by a person {} · unknown {}  (last {})\n",
                i.visits.len(),
                count(VisitKind::Scanner),
                count(VisitKind::Person),
                count(VisitKind::Unknown),
                i.visits.last().map(|v| out::relative(v.at, now)).unwrap_or_default(),
            ));
        }
    }
    if invites.is_empty() {
        text.push_str("No invite was ever sent: `portaldesk resend` sends one.\n");
    }
    text.push_str(masked_note(privacy));
    out::text_out(&text)
}

#[derive(Serialize)]
struct DiagnoseJson<'a> {
    account_id: &'a AccountId,
    role: Role,
    now: DateTime<Utc>,
    findings: &'a [Finding],
}

/// `portaldesk diagnose ACCOUNT`: why the client cannot get in, most
/// decisive finding first, with the next step and the reply to send.
pub async fn diagnose(client: &PortalClient, args: &AccountArgs, replies: &Replies) -> Result<(), Failure> {
    let account = calls::account(client, args.account.clone()).await?.value;
    let invites = calls::invites(client, account.id.clone()).await?;
    // The audit trail says what was just done (a DOB corrected); a portal
    // that cannot give it still gets its findings.
    let audit = calls::audit(client, account.id.clone()).await.unwrap_or_default();
    let now = out::server_now(client);
    // `--json` is unmasked, as its help says; text masks unless `--reveal`.
    let reveal = args.out.json || args.out.privacy().reveal;
    let case = Case::new(&account, &invites, now).with_audit(&audit).revealed(reveal);
    let findings = troubleshoot::troubleshoot(&case, replies);
    if args.out.json {
        return out::json(&DiagnoseJson { account_id: &account.id, role: account.role, now, findings: &findings });
    }
    let who = args.out.privacy().who(account.id.as_str(), &account.first_name, &account.last_name, account.role);
    let mut text = format!("{} for {who}, most decisive first\n", out::count(findings.len(), "finding", "findings"));
    for (n, finding) in findings.iter().enumerate() {
        text.push_str(&format!("\n{}. {}\n", n + 1, finding.code.as_str()));
        text.push_str(&format!("   what happened  {}\n", finding.explanation));
        text.push_str(&format!("   next step      {}\n", finding.next_step));
        let reply = finding.reply.expose().lines().collect::<Vec<_>>().join("\n                  ");
        text.push_str(&format!("   reply          {reply}\n"));
    }
    out::text_out(&text)
}

/// `Sam Okafor (client)`.
fn who(account: &AccountSummary) -> String {
    let (first, last) = (out::field(account.first_name.expose()), out::field(account.last_name.expose()));
    format!("{first} {last} ({})", account.role.as_str())
}

/// The latest invite of a list row in words: `pending, 47h 12m left`.
fn latest_invite(latest: Option<&InviteSummary>, role: Role, now: DateTime<Utc>) -> String {
    let Some(latest) = latest else {
        return "none sent".to_owned();
    };
    let state = invite::state_at(latest.status, latest.expires_at, role, now);
    out::invite_words(state, &invite::countdown_at(latest.status, latest.expires_at, None, role, now))
}

/// The JSON name of an invite state.
fn state_code(state: InviteState) -> &'static str {
    state.into()
}

/// The line that says PHI is masked, when it is.
pub(super) fn masked_note(privacy: Privacy) -> &'static str {
    if privacy.reveal { "" } else { "\nEmail addresses and dates of birth are masked: --reveal shows them.\n" }
}
