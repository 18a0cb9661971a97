//! `portaldesk fix ACCOUNT|TICKET`: the top finding's remedy, shown, then
//! done step by step by the shared executor (`crate::fix`). The reply it
//! sends is written after the steps, from what the portal then shows.

use clap::Args;
use serde::Serialize;

use super::Failure;
use super::guard::{confirmation, go_ahead, nothing_sent};
use super::out::{self, OutputArgs, Privacy};
use crate::diagnose::remedy::{self, ClientWords, Plan, RemedyKind};
use crate::diagnose::replies::Replies;
use crate::diagnose::troubleshoot::{self, Case};
use crate::fix::{self, Progress, StepState, Stop};
use crate::portal::model::{AccountId, TicketId, TicketStatus};
use crate::portal::{PortalClient, TicketQuery};
use crate::request::calls;

/// The exit code of a ticket whose only channel is dead: call the client.
pub const EXIT_CALL: u8 = 7;

#[derive(Debug, Args)]
pub struct FixArgs {
    /// An account id, or a ticket id (T-1021).
    pub target: String,
    /// Show the plan and stop.
    #[arg(long)]
    pub dry_run: bool,
    /// Do it without asking (needed when stdin is not a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Do it again on a ticket already answered since the client last
    /// wrote (otherwise it says what was done and sends nothing).
    #[arg(long)]
    pub again: bool,
    /// Take over a ticket someone else has claimed (otherwise exit 4).
    #[arg(long)]
    pub take_over: bool,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Serialize)]
struct FixJson<'a> {
    account_id: &'a AccountId,
    plan: &'a Plan,
    states: &'a [StepState],
    done: bool,
    /// What was done, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<String>,
    /// The reply as approved: written from the expected outcome.
    #[serde(skip_serializing_if = "Option::is_none")]
    approved_body: Option<&'a str>,
    /// The reply as sent: written from what the portal showed after the
    /// steps.
    #[serde(skip_serializing_if = "Option::is_none")]
    sent_body: Option<&'a str>,
}

/// `portaldesk fix`.
pub async fn fix(
    args: &FixArgs,
    connect: impl FnOnce() -> Result<PortalClient, Failure>,
    replies: &Replies,
) -> Result<(), Failure> {
    let confirm = if args.dry_run { None } else { Some(confirmation(args.yes, "fix")?) };
    let client = connect()?;
    let unread = |e| nothing_sent(e, "nothing was fixed");
    let (account_id, ticket_id) = if args.target.to_ascii_uppercase().starts_with("T-") {
        let ticket = calls::read_ticket(&client, TicketId::from(args.target.as_str())).await.map_err(unread)?.value;
        (ticket.account_id, Some(ticket.id))
    } else {
        let account_id = AccountId::from(args.target.as_str());
        // The account's own tickets only, under the paging guard.
        let query = TicketQuery { account_id: Some(account_id.clone()), ..TicketQuery::default() };
        let tickets = calls::all_tickets(&client, query).await.map_err(unread)?;
        let open = tickets.into_iter().find(|t| t.account_id == account_id && t.status != TicketStatus::Solved);
        (account_id, open.map(|t| t.id))
    };
    // What the plan is made from, and what the steps then start from.
    let fix::Standing { account, invites, audit, ticket, me } =
        *calls::standing(&client, account_id.clone(), ticket_id.clone()).await.map_err(unread)?;
    let account_version = account.clone();
    let account = account.value;
    let now = out::server_now(&client);
    let (messages, owner) = match &ticket {
        Some((t, m)) => (m.as_slice(), t.value.assignee.clone().filter(|a| *a != me)),
        None => (&[][..], None),
    };
    let words = ClientWords::of(messages, now.date_naive());
    // Once: a ticket answered since the client last wrote is not answered
    // again unless asked.
    if let Some(t) = &ticket_id
        && !args.again
        && let Some(answered) = remedy::answered_since_client(messages, &audit, t)
    {
        let text = format!(
            "{} was answered since the client last wrote: {}. Nothing was sent; --again does the fix again.",
            out::field(t.as_str()),
            answered.words(replies.zone())
        );
        return out::text_out(&format!("{text}\n"));
    }
    // Whose ticket it is: someone else's is not touched without --take-over.
    if let Some(owner) = &owner
        && !args.take_over
        && !args.dry_run
    {
        return Err(Failure::new(
            4,
            format!(
                "the ticket is {}'s (claimed): nothing was done; --take-over takes it over and fixes it",
                out::field(owner)
            ),
        ));
    }
    // The plan is written for the client: in full. The readable output
    // masks as every command does.
    let case = Case::new(&account, &invites, now).with_words(&words).with_audit(&audit).revealed(true);
    let findings = troubleshoot::troubleshoot(&case, replies);
    let plan = remedy::plan(&case, &findings, &words, ticket_id.as_ref(), replies)
        .ok_or_else(|| Failure::new(1, "the diagnosis has no finding to fix"))?;
    let mut progress = Progress::new(&plan);
    progress.take_over = args.take_over;
    progress.since = audit.iter().map(|e| e.seq).max();
    let approved = plan.reply().map(|(body, _)| body.expose().clone());
    // The JSON of a fix that did not finish: the plan, how far it got.
    let unfinished = |progress: &Progress, approved: Option<&str>| {
        if !args.out.json {
            return Ok(());
        }
        out::json(&FixJson {
            account_id: &account_id,
            plan: &plan,
            states: &progress.states,
            done: false,
            summary: None,
            approved_body: approved,
            sent_body: None,
        })
    };
    if plan.kind == RemedyKind::CallClient {
        unfinished(&progress, None)?;
        let script = plan.call_script.as_ref().map(|s| s.expose().as_str()).unwrap_or_default();
        return Err(Failure::new(
            EXIT_CALL,
            format!(
                "the address on file bounced: email would not be read, so nothing was sent. Call the client:\n{}\n\
                 Then record the call (a note) and set the ticket pending: `portaldesk note` / the console's f.",
                if args.out.json { String::new() } else { out::field(script) }
            ),
        ));
    }
    let show = |privacy: Privacy| describe(&plan, &progress.states, None, privacy);
    let Some(confirm) = confirm else {
        return finish(args, &account_id, &plan, &progress, approved.as_deref(), &show(args.out.privacy()));
    };
    go_ahead(confirm, show, args.out.privacy(), "Do it all?", "nothing was fixed")?;
    // Approved as shown, or with --yes: the reply written after the steps
    // goes (and is printed).
    progress.confirm_reply = false;
    // What was just read to plan is what the steps start from: no second
    // read before the first step.
    let read = fix::Standing { account: account_version, invites, audit, ticket, me };
    let outcome = fix::run_from(&client, &account_id, &plan, replies, &mut progress, Some(read), |_, _| {}).await;
    let sent = progress.sent_reply.as_ref().map(|b| b.expose().clone());
    let report = describe(&plan, &progress.states, sent.as_deref(), args.out.privacy());
    match outcome {
        Ok(()) => finish(args, &account_id, &plan, &progress, approved.as_deref(), &report),
        Err(stopped) => {
            unfinished(&progress, approved.as_deref())?;
            let code = match &stopped.stop {
                Stop::Failed(e) => u8::try_from(e.exit_code()).unwrap_or(1),
                Stop::ClaimedBy(_) => 4,
                Stop::Undeliverable => EXIT_CALL,
                Stop::ReplyChanged => 1,
            };
            Err(Failure::new(
                code,
                format!(
                    "step {} stopped: {}; done so far: {}. Running fix again does only what is left.\n{}",
                    stopped.step + 1,
                    stopped.stop,
                    progress.done_count(),
                    describe(&plan, &progress.states, None, Privacy::MASKED)
                ),
            ))
        }
    }
}

fn finish(
    args: &FixArgs,
    account_id: &AccountId,
    plan: &Plan,
    progress: &Progress,
    approved: Option<&str>,
    text: &str,
) -> Result<(), Failure> {
    let done = progress.finished();
    let summary = (done && !args.dry_run).then(|| plan.done_words());
    if args.out.json {
        let sent_body = progress.sent_reply.as_ref().map(|b| b.expose().as_str());
        return out::json(&FixJson {
            account_id,
            plan,
            states: &progress.states,
            done,
            summary,
            approved_body: approved,
            sent_body,
        });
    }
    match summary {
        Some(summary) => out::text_out(&format!("{text}{summary}.\n")),
        None => out::text_out(text),
    }
}

/// The plan, one line per step with its state, then the reply: the one
/// sent when `sent` is given, else the one expected (to approve).
pub fn describe(plan: &Plan, states: &[StepState], sent: Option<&str>, privacy: Privacy) -> String {
    let mut text = format!("Fix {}: {}\n", plan.finding.as_str(), plan.kind.words());
    for (n, step) in plan.steps.iter().enumerate() {
        let mark = match states.get(n) {
            Some(StepState::Done) => "done",
            Some(StepState::AlreadyDone) => "already so",
            Some(StepState::Failed) => "FAILED",
            _ => "to do",
        };
        text.push_str(&format!("  {}. [{mark}] {}\n", n + 1, step.describe(privacy.reveal)));
    }
    let body = sent.or_else(|| plan.reply().map(|(b, _)| b.expose().as_str()));
    if privacy.names
        && let Some(body) = body
    {
        text.push_str(if sent.is_some() {
            "   The reply sent:\n"
        } else {
            "   The reply, as the portal is expected to show it after the steps:\n"
        });
        // The reply goes in full; the readable output masks its addresses
        // unless --reveal, as it masks every address.
        let body = if privacy.reveal { body.to_owned() } else { crate::phi::mask_emails_in(body) };
        for line in out::field(&body).lines() {
            text.push_str(&format!("     │ {line}\n"));
        }
    }
    text
}
