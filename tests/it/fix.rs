//! One-key fixes on the real sandbox: the fix walk over every seeded
//! ticket through the shared executor, the `fix` command, and the same fix
//! under `--faults` happening exactly once.

use crate::common;

use common::Harness;
use portaldesk::diagnose::remedy::Step;
use portaldesk::diagnose::remedy::{self, ClientWords, Plan, RemedyKind};
use portaldesk::diagnose::replies::Replies;
use portaldesk::diagnose::troubleshoot::{self, Case};
use portaldesk::fix::{self, Progress};
use portaldesk::portal::PortalClient;
use portaldesk::portal::model::{AccountId, AuditAction, TicketId, TicketStatus};
use portaldesk::sandbox::faults::Faults;
use portaldesk::sandbox::seed::SeedCase;

/// The plan for a ticket, as the console and the CLI make it.
pub(crate) async fn plan_for(client: &PortalClient, ticket_id: &TicketId) -> (AccountId, Plan) {
    let ticket = client.ticket(ticket_id).await.unwrap().value;
    let account = client.account(&ticket.account_id).await.unwrap().value;
    let invites = client.invites(&account.id).await.unwrap();
    let now = client.clock().now();
    let words = ClientWords::of(&client.messages(ticket_id).await.unwrap(), now.date_naive());
    let case = Case::new(&account, &invites, now).with_words(&words);
    let replies = Replies::builtin();
    let findings = troubleshoot::troubleshoot(&case, &replies);
    (account.id.clone(), remedy::plan(&case, &findings, &words, Some(ticket_id), &replies).unwrap())
}

#[tokio::test]
async fn the_fix_walk_fixes_the_top_cause_of_the_seeded_tickets_once_each() {
    let h = Harness::start().await;
    let tickets = h.sandbox.seeded.tickets.clone();
    assert_eq!(tickets.len(), 29);
    let mut table = vec![format!("{:<8} {:<24} {:<18} {}", "ticket", "top finding", "remedy", "result")];
    let mut fixed = 0;
    let mut changed = 0;
    for seeded in &tickets {
        let (account_id, plan) = plan_for(&h.client, &seeded.ticket_id).await;
        let mut progress = Progress::new(&plan);
        progress.confirm_reply = false;
        let outcome = fix::run(&h.client, &account_id, &plan, &Replies::builtin(), &mut progress, |_, _| {}).await;
        let result = match &outcome {
            Ok(()) => "fixed".to_owned(),
            Err(stopped) => format!("step {} failed: {}", stopped.step + 1, stopped.stop),
        };
        table.push(format!("{:<8} {:<24} {:<18} {result}", seeded.ticket_id, plan.finding.as_str(), plan.kind));
        if outcome.is_err() {
            continue;
        }
        let outbox = h.client.sandbox_reply_outbox(Some(&seeded.ticket_id)).await.unwrap();
        let ticket = h.client.ticket(&seeded.ticket_id).await.unwrap().value;
        if plan.kind == RemedyKind::CallClient {
            // The address bounced: nothing is emailed; the call is noted
            // and the ticket waits on the client.
            assert!(outbox.is_empty(), "{}: nothing to a dead address", seeded.ticket_id);
            assert_eq!(ticket.status, TicketStatus::Pending, "{}", seeded.ticket_id);
            let notes = h.client.notes(&seeded.ticket_id).await.unwrap();
            assert!(notes.iter().any(|n| n.body.starts_with("Called the client")), "{}", seeded.ticket_id);
        } else {
            assert_eq!(outbox.len(), 1, "{}: the reply is emailed once", seeded.ticket_id);
            let (_, status) = plan.reply().unwrap();
            assert_eq!(ticket.status, TicketStatus::from(status), "{}", seeded.ticket_id);
            // What went is what the executor wrote after the steps.
            let sent = progress.sent_reply.as_ref().unwrap().expose().trim().to_owned();
            assert_eq!(outbox[0].body.expose().trim(), sent, "{}", seeded.ticket_id);
        }
        // A re-run repeats nothing: every step is done.
        fix::run(&h.client, &account_id, &plan, &Replies::builtin(), &mut progress, |_, _| {
            panic!("a done step ran again")
        })
        .await
        .unwrap();
        fixed += 1;
        if plan.kind != RemedyKind::ReplyOnly {
            changed += 1;
        }
    }
    println!("{}\nfixed {fixed} of {}, {changed} with a change", table.join("\n"), tickets.len());
    assert!(fixed >= 20, "{}", table.join("\n"));
    assert!(changed >= 10, "{}", table.join("\n"));
}

/// A read through dropped answers: tried until it comes.
async fn read<T, F, Fut>(mut attempt: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, portaldesk::portal::PortalError>>,
{
    for _ in 0..50 {
        if let Ok(value) = attempt().await {
            return value;
        }
    }
    panic!("a read never came through");
}

/// How many audit entries of the account (and its ticket) each action has.
async fn audit_counts(client: &PortalClient, account_id: &AccountId) -> [usize; 3] {
    let audit = read(|| client.audit(Some(account_id), None)).await;
    let count = |action| audit.iter().filter(|e| e.action == action).count();
    [count(AuditAction::AccountUpdated), count(AuditAction::InviteSent), count(AuditAction::ReplySent)]
}

/// Runs `plan` through the executor against a sandbox dropping answers:
/// dropped answers are retried with each step's key, and a step that runs
/// out of tries is run again with the same progress. Returns the runs.
async fn run_under_faults(client: &PortalClient, account_id: &AccountId, plan: &Plan) -> usize {
    let mut progress = Progress::new(plan);
    progress.confirm_reply = false;
    for runs in 1..=30 {
        if fix::run(client, account_id, plan, &Replies::builtin(), &mut progress, |_, _| {}).await.is_ok() {
            assert!(progress.finished());
            return runs;
        }
    }
    panic!("the fix never finished");
}

#[tokio::test]
async fn the_typo_fix_corrects_the_address_resends_and_replies_once_under_faults() {
    let h = Harness::with_faults(Faults::parse("drop_rate=0.5").unwrap()).await;
    let seeded = h.ticket(SeedCase::EmailTypo).clone();
    let (account_id, plan) = read_plan(&h, &seeded.ticket_id).await;
    assert_eq!(plan.kind, RemedyKind::CorrectAddress);
    let before = read(|| h.client.invites(&account_id)).await.len();
    let audit_before = audit_counts(&h.client, &account_id).await;
    let runs = run_under_faults(&h.client, &account_id, &plan).await;
    let invites = read(|| h.client.invites(&account_id)).await;
    assert_eq!(invites.len(), before + 1, "exactly one new invite ({runs} runs)");
    let outbox = read(|| h.client.sandbox_reply_outbox(Some(&seeded.ticket_id))).await;
    assert_eq!(outbox.len(), 1, "the reply is emailed exactly once");
    let account = read(|| h.client.account(&account_id)).await.value;
    assert!(!account.email.expose().ends_with(".cmo"));
    // Each change once: an account change per address step, one invite,
    // one reply.
    let changes = plan
        .steps
        .iter()
        .filter(|s| matches!(s, Step::AddEmail { .. } | Step::MakeDefault { .. } | Step::RemoveEmail { .. }))
        .count();
    let after = audit_counts(&h.client, &account_id).await;
    assert_eq!(after, [audit_before[0] + changes, audit_before[1] + 1, audit_before[2] + 1], "{runs} runs");
    let ticket = read(|| h.client.ticket(&seeded.ticket_id)).await.value;
    assert_eq!(ticket.status, TicketStatus::Solved);
}

/// The DOB the client wrote, set on file under faults: the one change, and
/// the reply, once each.
#[tokio::test]
async fn the_dob_fix_from_the_clients_words_sets_it_and_replies_once_under_faults() {
    let h = Harness::with_faults(Faults::parse("drop_rate=0.5").unwrap()).await;
    let seeded = h.ticket(SeedCase::DobOnFileWrong).clone();
    let (account_id, plan) = read_plan(&h, &seeded.ticket_id).await;
    assert_eq!(plan.kind, RemedyKind::SetDob);
    let Some(Step::SetDob { dob }) = plan.steps.first() else { panic!("{:?}", plan.steps) };
    let before = read(|| h.client.invites(&account_id)).await.len();
    let audit_before = audit_counts(&h.client, &account_id).await;
    let runs = run_under_faults(&h.client, &account_id, &plan).await;
    let account = read(|| h.client.account(&account_id)).await.value;
    assert_eq!(account.dob.expose(), dob.expose(), "the DOB the client wrote is on file");
    assert_eq!(read(|| h.client.invites(&account_id)).await.len(), before, "no invite");
    let after = audit_counts(&h.client, &account_id).await;
    assert_eq!(after, [audit_before[0] + 1, audit_before[1], audit_before[2] + 1], "{runs} runs");
    let outbox = read(|| h.client.sandbox_reply_outbox(Some(&seeded.ticket_id))).await;
    assert_eq!(outbox.len(), 1, "the reply is emailed exactly once");
}

/// [`plan_for`] through dropped answers.
async fn read_plan(h: &Harness, ticket_id: &TicketId) -> (AccountId, Plan) {
    for _ in 0..50 {
        let attempt = tokio::spawn({
            let client = h.client.clone();
            let ticket_id = ticket_id.clone();
            async move { plan_for(&client, &ticket_id).await }
        });
        if let Ok(planned) = attempt.await {
            return planned;
        }
    }
    panic!("the plan's reads never came through");
}
