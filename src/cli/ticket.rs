//! Working a ticket: `ticket show`, `notes`, `reply`, `claim` and `solve`.
//!
//! The changes go through the same guard as `resend` and `dob set`: a
//! confirmation on a terminal or `--yes`, one Idempotency-Key per
//! invocation kept across retries (a reply is emailed once), and If-Match
//! with the ETag just read for claim and solve (exit 4 when someone else
//! changed the ticket in between).

use chrono::{DateTime, Utc};
use clap::{ArgGroup, Args, Subcommand, ValueEnum};
use serde::Serialize;

use super::Failure;
use super::guard::{confirmation, go_ahead, not_done, nothing_sent};
use super::out::{self, OutputArgs, Privacy};
use super::read::masked_note;
use crate::diagnose::replies::Replies;
use crate::diagnose::troubleshoot::{self, Case, ClientWords};
use crate::portal::model::{
    AuthorKind, ETag, MAX_REPLY_CHARS, NewReply, ReplyStatus, Ticket, TicketId, TicketMessage, TicketNote, TicketPatch,
    TicketStatus, Visibility,
};
use crate::portal::{IdempotencyKey, PortalClient, PortalError, Versioned};
use crate::request::calls;
use crate::timezone::StaffZone;

#[derive(Debug, Subcommand)]
pub enum TicketCommand {
    /// Show a ticket with its conversation, oldest first: the client's
    /// messages, the replies and the internal notes.
    ///
    /// --json: {"ticket": Ticket, "etag": string, "messages": [TicketMessage]}.
    Show(TicketArgs),
}

#[derive(Debug, Args)]
pub struct TicketArgs {
    /// The ticket id (as `tickets` shows it), e.g. T-1021.
    pub ticket: TicketId,
    #[command(flatten)]
    pub out: OutputArgs,
}

/// A status a reply may set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReplyStatusArg {
    Pending,
    Solved,
}

impl From<ReplyStatusArg> for ReplyStatus {
    fn from(status: ReplyStatusArg) -> Self {
        match status {
            ReplyStatusArg::Pending => ReplyStatus::Pending,
            ReplyStatusArg::Solved => ReplyStatus::Solved,
        }
    }
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("what").required(true).args(["text", "finding"])))]
pub struct ReplyArgs {
    /// The ticket id.
    pub ticket: TicketId,
    /// The reply (1 to 10,000 characters).
    #[arg(long, value_name = "TEXT")]
    pub text: Option<String>,
    /// Send the reply of the top finding of the diagnosis of the ticket's
    /// account (as `diagnose` shows it).
    #[arg(long)]
    pub finding: bool,
    /// Set the ticket to pending or solved with the reply. Without it an
    /// open or pending ticket keeps its status, and a solved one is
    /// reopened as pending.
    #[arg(long, value_enum)]
    pub status: Option<ReplyStatusArg>,
    /// Do it without asking (needed when stdin is not a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Send it even though the same reply went to this ticket within the
    /// last 10 minutes (otherwise exit 4).
    #[arg(long)]
    pub again: bool,
    /// Reply on a ticket someone else has claimed, taking it over
    /// (otherwise exit 4).
    #[arg(long)]
    pub take_over: bool,
    /// Show the reply that would be sent, and where, and send nothing
    /// (`--json`: {"dry_run": true, "ticket_id", "to", "body", "status"},
    /// the body in full; readable: masked unless --reveal).
    #[arg(long, conflicts_with = "yes")]
    pub dry_run: bool,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Serialize)]
struct ReplyDryRunJson<'a> {
    dry_run: bool,
    ticket_id: &'a TicketId,
    to: Option<&'a str>,
    body: &'a str,
    status: TicketStatus,
}

#[derive(Debug, Args)]
pub struct TicketChangeArgs {
    /// The ticket id.
    pub ticket: TicketId,
    /// Do it without asking (needed when stdin is not a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Act on a ticket someone else has claimed (otherwise exit 4, naming
    /// them); `claim` takes it over.
    #[arg(long)]
    pub take_over: bool,
    #[command(flatten)]
    pub out: OutputArgs,
}

/// Someone else's ticket is not touched without `--take-over`: exit 4,
/// naming them.
fn someone_elses(ticket: &Ticket, me: &str, take_over: bool, nothing: &str) -> Result<(), Failure> {
    match ticket.assignee.as_deref() {
        Some(owner) if owner != me && !take_over => Err(Failure::new(
            4,
            format!(
                "{} is {}'s ticket (claimed): {nothing}; --take-over acts on it anyway",
                out::field(&ticket.id),
                out::field(owner)
            ),
        )),
        _ => Ok(()),
    }
}

#[derive(Serialize)]
struct ShowJson<'a> {
    ticket: &'a Ticket,
    etag: &'a ETag,
    messages: &'a [TicketMessage],
}

/// `portaldesk ticket show T`.
pub async fn show(client: &PortalClient, args: &TicketArgs, zone: StaffZone) -> Result<(), Failure> {
    let ticket = calls::read_ticket(client, args.ticket.clone()).await?;
    let messages = calls::messages(client, ticket.value.id.clone()).await?;
    if args.out.json {
        return out::json(&ShowJson { ticket: &ticket.value, etag: &ticket.etag, messages: &messages });
    }
    let now = out::server_now(client);
    let privacy = args.out.privacy();
    let mut text = header(&ticket, now, zone, privacy);
    text.push_str(&format!("\nConversation: {}, oldest first\n", out::count(messages.len(), "message", "messages")));
    for message in &messages {
        text.push_str(&message_text(message, now, zone, privacy));
    }
    text.push_str(masked_note(privacy));
    out::text_out(&text)
}

/// The ticket's facts, one per line.
fn header(ticket: &Versioned<Ticket>, now: DateTime<Utc>, zone: StaffZone, privacy: Privacy) -> String {
    let t = &ticket.value;
    let who = match &t.account {
        Some(a) => privacy.who(a.id.as_str(), &a.first_name, &a.last_name, a.role),
        None => out::field(&t.account_id),
    };
    let claimed = match &t.assignee {
        Some(agent) => format!("claimed by {}", out::field(agent)),
        None => "unclaimed".to_owned(),
    };
    let mut text = format!(
        "Ticket   {}  {} · {} · {claimed}\nSubject  {}\nAccount  {who}\nOpened   {}\n",
        out::field(&t.id),
        t.status.as_str(),
        t.channel.as_str(),
        out::field(&t.subject),
        out::relative_and_absolute(t.opened_at, now, zone),
    );
    text.push_str(&format!("Reply    {}\n", first_response(t, now)));
    text.push_str(&format!("Version  {}  (claim and solve send it in If-Match)\n", out::field(&ticket.etag)));
    text
}

/// The first-response target in words: `sent 2h ago`, `due in 1h 10m`,
/// `overdue by 35m`.
fn first_response(ticket: &Ticket, now: DateTime<Utc>) -> String {
    match (ticket.first_response_at, ticket.due_at) {
        (Some(at), _) => format!("first reply sent {}", out::relative(at, now)),
        (None, Some(due)) if due > now => format!("first reply due {}", out::relative(due, now)),
        (None, Some(due)) => format!("first reply overdue by {}", crate::diagnose::invite::remaining(now - due)),
        (None, None) => "no first reply yet".to_owned(),
    }
}

/// One message: who, when, how, and its body indented.
fn message_text(message: &TicketMessage, now: DateTime<Utc>, zone: StaffZone, privacy: Privacy) -> String {
    let kind = match message.author.kind {
        AuthorKind::Client => "client",
        AuthorKind::Staff => "staff",
        AuthorKind::System => "portal",
    };
    let name = if privacy.names { out::field(message.author.name.expose()) } else { out::field(&message.author.id) };
    let what = match message.visibility {
        Visibility::Public => message.channel.as_str().to_owned(),
        Visibility::Internal => format!("internal note · {}", message.channel.as_str()),
    };
    let body = out::body(&message.body, privacy, now.date_naive());
    let body: Vec<String> = body.lines().map(|l| format!("    {l}")).collect();
    format!(
        "\n── {} · {name} ({kind}) · {what}\n{}\n",
        out::relative_and_absolute(message.at, now, zone),
        body.join("\n")
    )
}

#[derive(Serialize)]
struct NotesJson<'a> {
    ticket_id: &'a TicketId,
    notes: &'a [TicketNote],
}

/// `portaldesk notes T`: the internal notes, oldest first.
pub async fn notes(client: &PortalClient, args: &TicketArgs, zone: StaffZone) -> Result<(), Failure> {
    let notes = calls::ticket_notes(client, args.ticket.clone()).await?;
    if args.out.json {
        return out::json(&NotesJson { ticket_id: &args.ticket, notes: &notes });
    }
    let now = out::server_now(client);
    let privacy = args.out.privacy();
    let mut text = format!(
        "{} on {}, oldest first\n",
        out::count(notes.len(), "internal note", "internal notes"),
        out::field(&args.ticket)
    );
    for note in &notes {
        let body = out::body(&crate::phi::Phi::new(note.body.clone()), privacy, now.date_naive());
        let body: Vec<String> = body.lines().map(|l| format!("    {l}")).collect();
        text.push_str(&format!(
            "\n── {} · {}\n{}\n",
            out::relative_and_absolute(note.at, now, zone),
            out::field(&note.author),
            body.join("\n")
        ));
    }
    text.push_str(masked_note(privacy));
    out::text_out(&text)
}

#[derive(Serialize)]
struct ReplyJson<'a> {
    message: &'a TicketMessage,
    ticket: &'a Ticket,
}

/// `portaldesk reply T (--text TEXT | --finding) [--status pending|solved]`.
pub async fn reply(
    args: &ReplyArgs,
    connect: impl FnOnce() -> Result<PortalClient, Failure>,
    replies: &Replies,
) -> Result<(), Failure> {
    if let Some(text) = &args.text {
        check_reply(text)?;
    }
    let confirm = if args.dry_run { None } else { Some(confirmation(args.yes, "reply")?) };
    let client = connect()?;
    let unread = |e| nothing_sent(e, "no reply was sent");
    let (ticket, me) =
        tokio::try_join!(calls::read_ticket(&client, args.ticket.clone()), calls::me(&client)).map_err(unread)?;
    let ticket = ticket.value;
    if !args.dry_run {
        someone_elses(&ticket, &me.id, args.take_over, "no reply was sent")?;
    }
    // Nothing goes to an address that bounced.
    let account = calls::account(&client, ticket.account_id.clone()).await.map_err(unread)?.value;
    let invites = calls::invites(&client, account.id.clone()).await.map_err(unread)?;
    let now = out::server_now(&client);
    if crate::diagnose::remedy::dead_address(&Case::new(&account, &invites, now)).is_some() {
        return Err(Failure::new(
            crate::cli::fix::EXIT_CALL,
            "the address on file bounced: a reply there would not be read, so none was sent. Call the client (fix shows what to say)",
        ));
    }
    let body = match &args.text {
        Some(text) => text.trim().to_owned(),
        None => finding_reply(&client, &ticket, replies).await?,
    };
    let request = NewReply { body, status: args.status.map(ReplyStatus::from), repeat: args.again };
    let plan = |privacy| reply_plan(&ticket, &request, privacy);
    let Some(confirm) = confirm else {
        // --dry-run: what would be sent, and nothing sent.
        if args.out.json {
            let status = match (request.status, ticket.status) {
                (Some(status), _) => TicketStatus::from(status),
                (None, TicketStatus::Solved) => TicketStatus::Pending,
                (None, status) => status,
            };
            let to = ticket.account.as_ref().map(|a| a.email.expose().as_str());
            let json = ReplyDryRunJson { dry_run: true, ticket_id: &ticket.id, to, body: &request.body, status };
            return out::json(&json);
        }
        let shown = plan(args.out.privacy())
            .replacen("Send this reply on", "Would send this reply on", 1)
            .replacen("?\n", ":\n", 1);
        return out::text_out(&format!("{shown}\nNothing was sent (--dry-run).\n"));
    };
    go_ahead(confirm, plan, args.out.privacy(), "Send it?", "no reply was sent")?;
    let key = IdempotencyKey::new();
    let not_sent = |e: PortalError| not_done(e, "no reply was sent", "ticket show", ticket.id.as_str());
    let sent = calls::reply(&client, ticket.id.clone(), request.clone(), key).await.map_err(|e| match e {
        PortalError::Invalid { status: 409, .. } => Failure::new(
            4,
            "the same reply went to this ticket within the last 10 minutes: none was sent; --again sends it again",
        ),
        e => not_sent(e),
    })?;
    // What the reply made of the ticket (a read; the reply is sent anyway).
    let after = calls::read_ticket(&client, ticket.id.clone()).await.map(|t| t.value).unwrap_or(ticket.clone());
    if args.out.json {
        return out::json(&ReplyJson { message: &sent, ticket: &after });
    }
    let to = match &ticket.account {
        Some(a) => format!(" to {}", args.out.privacy().email(&a.email)),
        None => String::new(),
    };
    out::text_out(&format!(
        "Reply sent on {}{to} (\"Re: {}\").\nThe ticket is {}.",
        out::field(&ticket.id),
        out::field(&ticket.subject),
        after.status.as_str()
    ))
}

/// A reply's text must be 1 to 10,000 characters: a usage error otherwise.
fn check_reply(text: &str) -> Result<(), Failure> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_REPLY_CHARS {
        return Err(Failure::new(2, "--text must be 1 to 10000 characters; no reply was sent"));
    }
    Ok(())
}

/// The reply of the top finding of the diagnosis of the ticket's account.
async fn finding_reply(client: &PortalClient, ticket: &Ticket, replies: &Replies) -> Result<String, Failure> {
    let unread = |e| nothing_sent(e, "no reply was sent");
    let account = calls::account(client, ticket.account_id.clone()).await.map_err(unread)?.value;
    let invites = calls::invites(client, account.id.clone()).await.map_err(unread)?;
    // What was just done (a DOB corrected) is in the audit trail; a portal
    // that cannot give it still gets its reply.
    let audit = calls::audit(client, account.id.clone()).await.unwrap_or_default();
    let now = out::server_now(client);
    // The findings cite what the client wrote in the ticket.
    let messages = calls::messages(client, ticket.id.clone()).await.map_err(unread)?;
    let words = ClientWords::of(&messages, now.date_naive());
    // The reply is sent to the client: their own address in full.
    let case = Case::new(&account, &invites, now).with_audit(&audit).with_words(&words).revealed(true);
    let findings = troubleshoot::troubleshoot(&case, replies);
    let top = findings.first().ok_or_else(|| Failure::new(1, "the diagnosis has no finding to reply with"))?;
    Ok(top.reply.expose().clone())
}

/// What a reply will do, for the confirmation. Masked (on stderr) it says
/// only how long the reply is.
pub fn reply_plan(ticket: &Ticket, reply: &NewReply, privacy: Privacy) -> String {
    let to = match &ticket.account {
        Some(a) => privacy.email(&a.email),
        None => "the account's default address".to_owned(),
    };
    let status = match (reply.status, ticket.status) {
        (Some(status), _) => TicketStatus::from(status),
        (None, TicketStatus::Solved) => TicketStatus::Pending,
        (None, status) => status,
    };
    let mut plan = format!(
        "Send this reply on {}?\n  To       {to}\n  Subject  Re: {}\n  Ticket   {} → {}\n",
        out::field(&ticket.id),
        out::field(&ticket.subject),
        ticket.status.as_str(),
        status.as_str()
    );
    if privacy.names {
        for line in out::body(&crate::phi::Phi::new(reply.body.clone()), privacy, Utc::now().date_naive()).lines() {
            plan.push_str(&format!("  │ {line}\n"));
        }
    } else {
        plan.push_str(&format!(
            "  Reply    {} characters (shown when stdout is the terminal)\n",
            reply.body.chars().count()
        ));
    }
    plan
}

#[derive(Serialize)]
struct TicketJson<'a> {
    changed: bool,
    ticket: &'a Ticket,
    etag: &'a ETag,
}

/// `portaldesk claim T`: assigns the ticket to the staff member the token
/// belongs to.
pub async fn claim(
    args: &TicketChangeArgs,
    connect: impl FnOnce() -> Result<PortalClient, Failure>,
) -> Result<(), Failure> {
    let confirm = confirmation(args.yes, "claim")?;
    let client = connect()?;
    let unread = |e| nothing_sent(e, "the ticket was not claimed");
    let me = calls::me(&client).await.map_err(unread)?;
    let current = calls::read_ticket(&client, args.ticket.clone()).await.map_err(unread)?;
    someone_elses(&current.value, &me.id, args.take_over, "the ticket was not claimed")?;
    if current.value.assignee.as_deref() == Some(me.id.as_str()) {
        return unchanged(&args.out, &current, "No change: the ticket is already yours. Nothing was sent.");
    }
    let now = match &current.value.assignee {
        Some(agent) => format!("claimed by {}: it will be yours instead", out::field(agent)),
        None => "unclaimed".to_owned(),
    };
    let plan = |_| format!("Claim {}?\n  Now  {now}\n", about(&current.value));
    go_ahead(confirm, plan, args.out.privacy(), "Claim it?", "the ticket was not claimed")?;
    let patch = TicketPatch { assignee: Some(Some(me.id.clone().into())), ..TicketPatch::default() };
    let updated = change(&client, &current, &patch, "the ticket was not claimed").await?;
    changed(
        &args.out,
        &updated,
        &format!("{} is now claimed by {}.", out::field(&updated.value.id), out::field(&me.id)),
    )
}

/// `portaldesk solve T`: marks the ticket solved (its assignee stays).
pub async fn solve(
    args: &TicketChangeArgs,
    connect: impl FnOnce() -> Result<PortalClient, Failure>,
) -> Result<(), Failure> {
    let confirm = confirmation(args.yes, "solve")?;
    let client = connect()?;
    let unread = |e| nothing_sent(e, "the ticket was not solved");
    let (current, me) =
        tokio::try_join!(calls::read_ticket(&client, args.ticket.clone()), calls::me(&client)).map_err(unread)?;
    someone_elses(&current.value, &me.id, args.take_over, "the ticket was not solved")?;
    if current.value.status == TicketStatus::Solved {
        return unchanged(&args.out, &current, "No change: the ticket is already solved. Nothing was sent.");
    }
    let plan = |_| format!("Mark {} solved?\n  Now  {}\n", about(&current.value), current.value.status.as_str());
    go_ahead(confirm, plan, args.out.privacy(), "Solve it?", "the ticket was not solved")?;
    let patch = TicketPatch { status: Some(TicketStatus::Solved), ..TicketPatch::default() };
    let updated = change(&client, &current, &patch, "the ticket was not solved").await?;
    changed(&args.out, &updated, &format!("{} is solved.", out::field(&updated.value.id)))
}

/// `T-1001 (No email from the portal)`.
fn about(ticket: &Ticket) -> String {
    format!("{} ({})", out::field(&ticket.id), out::field(&ticket.subject))
}

/// Sends a ticket change with the ETag read, retried with one key.
async fn change(
    client: &PortalClient,
    current: &Versioned<Ticket>,
    patch: &TicketPatch,
    what: &str,
) -> Result<Versioned<Ticket>, Failure> {
    let key = IdempotencyKey::new();
    let id = &current.value.id;
    calls::update_ticket(client, id.clone(), current.etag.clone(), patch.clone(), key)
        .await
        .map(|updated| *updated)
        .map_err(|e| not_done(e, what, "ticket show", id.as_str()))
}

fn unchanged(out_args: &OutputArgs, ticket: &Versioned<Ticket>, words: &str) -> Result<(), Failure> {
    if out_args.json {
        return out::json(&TicketJson { changed: false, ticket: &ticket.value, etag: &ticket.etag });
    }
    out::text_out(words)
}

fn changed(out_args: &OutputArgs, ticket: &Versioned<Ticket>, words: &str) -> Result<(), Failure> {
    if out_args.json {
        return out::json(&TicketJson { changed: true, ticket: &ticket.value, etag: &ticket.etag });
    }
    out::text_out(words)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phi::Phi;
    use crate::portal::model::{AccountSummary, Role, TicketChannel};

    fn ticket(status: TicketStatus) -> Ticket {
        Ticket {
            id: "T-1001".into(),
            subject: "No email".into(),
            account_id: "acc_1".into(),
            status,
            channel: TicketChannel::Email,
            opened_at: DateTime::UNIX_EPOCH,
            updated_at: DateTime::UNIX_EPOCH,
            assignee: None,
            account: Some(AccountSummary {
                id: "acc_1".into(),
                role: Role::Client,
                first_name: Phi::from("Sam"),
                last_name: Phi::from("Okafor"),
                email: Phi::from("sam.okafor@gmail.com"),
                latest_invite: None,
            }),
            first_response_at: None,
            due_at: None,
            viewers: Vec::new(),
        }
    }

    #[test]
    fn the_reply_plan_says_where_and_what_becomes_of_the_ticket_and_hides_the_body_on_stderr() {
        let reply = NewReply { body: "Hi Sam, born 7 March 75?".into(), status: None, ..Default::default() };
        let shown = reply_plan(&ticket(TicketStatus::Solved), &reply, Privacy::REVEALED);
        assert!(shown.contains("To       sam.okafor@gmail.com"), "{shown}");
        assert!(shown.contains("Subject  Re: No email") && shown.contains("Ticket   solved → pending"), "{shown}");
        assert!(shown.contains("│ Hi Sam, born 7 March 75?"), "{shown}");
        let masked = reply_plan(&ticket(TicketStatus::Open), &reply, Privacy::MASKED);
        assert!(!masked.contains("Sam") && !masked.contains("sam.okafor") && !masked.contains("75"), "{masked}");
        assert!(masked.contains("Ticket   open → open") && masked.contains("24 characters"), "{masked}");
        let solve = NewReply { body: "x".into(), status: Some(ReplyStatus::Solved), ..Default::default() };
        assert!(reply_plan(&ticket(TicketStatus::Open), &solve, Privacy::MASKED).contains("open → solved"));
    }

    #[test]
    fn reply_text_is_checked_before_anything_is_sent() {
        assert_eq!(check_reply(" ").unwrap_err().code, 2);
        assert_eq!(check_reply(&"x".repeat(10_001)).unwrap_err().code, 2);
        assert!(check_reply("hello").is_ok());
    }

    #[test]
    fn the_first_response_reads_sent_due_or_overdue() {
        let now = DateTime::parse_from_rfc3339("2026-11-25T09:00:00Z").unwrap_or_default().to_utc();
        let mut t = ticket(TicketStatus::Open);
        t.due_at = Some(now + chrono::Duration::minutes(70));
        assert_eq!(first_response(&t, now), "first reply due in 1h 10m");
        t.due_at = Some(now - chrono::Duration::minutes(35));
        assert!(first_response(&t, now).starts_with("first reply overdue by"), "{}", first_response(&t, now));
        t.first_response_at = Some(now - chrono::Duration::hours(2));
        assert_eq!(first_response(&t, now), "first reply sent 2h ago");
    }
}
