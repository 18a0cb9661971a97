//! `portaldesk fix ACCOUNT|TICKET`: the top finding's remedy, shown, then
//! done step by step by the shared executor (`crate::fix`).

use clap::Args;
use serde::Serialize;

use super::Failure;
use super::guard::{confirmation, go_ahead, nothing_sent};
use super::out::{self, OutputArgs, Privacy};
use crate::diagnose::remedy::{self, ClientWords, Plan};
use crate::diagnose::replies::Replies;
use crate::diagnose::troubleshoot::{self, Case};
use crate::fix::{self, Progress, StepState};
use crate::portal::PortalClient;
use crate::portal::model::{AccountId, TicketId, TicketStatus};

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
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Serialize)]
struct FixJson<'a> {
    account_id: &'a AccountId,
    plan: &'a Plan,
    states: &'a [StepState],
    done: bool,
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
        let ticket = client.ticket(&TicketId::from(args.target.as_str())).await.map_err(unread)?.value;
        (ticket.account_id, Some(ticket.id))
    } else {
        let account_id = AccountId::from(args.target.as_str());
        let tickets = client.tickets(None).await.map_err(unread)?;
        let open = tickets.into_iter().find(|t| t.account_id == account_id && t.status != TicketStatus::Solved);
        (account_id, open.map(|t| t.id))
    };
    let account = client.account(&account_id).await.map_err(unread)?.value;
    let invites = client.invites(&account_id).await.map_err(unread)?;
    let now = out::server_now(&client);
    let words = match &ticket_id {
        Some(t) => ClientWords::of(&client.messages(t).await.map_err(unread)?, now.date_naive()),
        None => ClientWords::default(),
    };
    let case = Case::new(&account, &invites, now).with_words(&words);
    let findings = troubleshoot::troubleshoot(&case, replies);
    let plan = remedy::plan(&case, &findings, &words, ticket_id.as_ref(), replies)
        .ok_or_else(|| Failure::new(1, "the diagnosis has no finding to fix"))?;
    let mut progress = Progress::new(&plan);
    let show = |privacy: Privacy| describe(&plan, &progress.states, privacy);
    let Some(confirm) = confirm else {
        return finish(args, &account_id, &plan, &progress, &show(args.out.privacy()));
    };
    go_ahead(confirm, show, args.out.privacy(), "Do it all?", "nothing was fixed")?;
    let outcome = fix::run(&client, &account_id, &plan, &mut progress, |_, _| {}).await;
    let report = describe(&plan, &progress.states, args.out.privacy());
    match outcome {
        Ok(()) => finish(args, &account_id, &plan, &progress, &report),
        Err(stopped) => {
            let code = u8::try_from(stopped.error.exit_code()).unwrap_or(1);
            if args.out.json {
                out::json(&FixJson { account_id: &account_id, plan: &plan, states: &progress.states, done: false })?;
            }
            Err(Failure::new(
                code,
                format!(
                    "step {} failed: {}; done so far: {}. Running fix again does only what is left.\n{}",
                    stopped.step + 1,
                    stopped.error,
                    done_count(&progress.states),
                    describe(&plan, &progress.states, Privacy::MASKED)
                ),
            ))
        }
    }
}

fn done_count(states: &[StepState]) -> String {
    format!("{} of {} steps", states.iter().filter(|s| s.is_done()).count(), states.len())
}

fn finish(args: &FixArgs, account_id: &AccountId, plan: &Plan, progress: &Progress, text: &str) -> Result<(), Failure> {
    if args.out.json {
        let done = progress.finished();
        return out::json(&FixJson { account_id, plan, states: &progress.states, done });
    }
    out::text_out(text)
}

/// The plan, one line per step with its state.
pub fn describe(plan: &Plan, states: &[StepState], privacy: Privacy) -> String {
    let mut text = format!("Fix {} ({}):\n", plan.finding.as_str(), plan.kind);
    for (n, step) in plan.steps.iter().enumerate() {
        let mark = match states.get(n) {
            Some(StepState::Done) => "done",
            Some(StepState::AlreadyDone) => "already so",
            Some(StepState::Failed) => "FAILED",
            _ => "to do",
        };
        text.push_str(&format!("  {}. [{mark}] {}\n", n + 1, step.describe(privacy.reveal)));
    }
    if privacy.names
        && let Some((body, _)) = plan.reply()
    {
        for line in out::field(body.expose()).lines() {
            text.push_str(&format!("     │ {line}\n"));
        }
    }
    text
}
