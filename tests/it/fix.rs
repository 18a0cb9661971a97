//! One-key fixes on the real sandbox: the fix walk over every seeded
//! ticket through the shared executor, the `fix` command, and the same fix
//! under `--faults` happening exactly once.

use crate::common;

use common::Harness;
use portaldesk::diagnose::remedy::{self, ClientWords, Plan, RemedyKind};
use portaldesk::diagnose::replies::Replies;
use portaldesk::diagnose::troubleshoot::{self, Case};
use portaldesk::fix::{self, Progress};
use portaldesk::portal::PortalClient;
use portaldesk::portal::model::{TicketId, TicketStatus};
use portaldesk::sandbox::faults::Faults;
use portaldesk::sandbox::seed::SeedCase;

/// The plan for a ticket, as the console and the CLI make it.
async fn plan_for(client: &PortalClient, ticket_id: &TicketId) -> (portaldesk::portal::model::AccountId, Plan) {
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
        let outcome = fix::run(&h.client, &account_id, &plan, &mut progress, |_, _| {}).await;
        let result = match &outcome {
            Ok(()) => "fixed".to_owned(),
            Err(stopped) => format!("step {} failed: {}", stopped.step + 1, stopped.error),
        };
        table.push(format!("{:<8} {:<24} {:<18} {result}", seeded.ticket_id, plan.finding.as_str(), plan.kind));
        if outcome.is_err() {
            continue;
        }
        let outbox = h.client.sandbox_reply_outbox(Some(&seeded.ticket_id)).await.unwrap();
        assert_eq!(outbox.len(), 1, "{}: the reply is emailed once", seeded.ticket_id);
        let (_, status) = plan.reply().unwrap();
        let ticket = h.client.ticket(&seeded.ticket_id).await.unwrap().value;
        assert_eq!(ticket.status, TicketStatus::from(status), "{}", seeded.ticket_id);
        // A re-run repeats nothing: every step is done.
        fix::run(&h.client, &account_id, &plan, &mut progress, |_, _| panic!("a done step ran again")).await.unwrap();
        fixed += 1;
        if plan.kind != RemedyKind::ReplyOnly {
            changed += 1;
        }
    }
    println!("{}\nfixed {fixed} of {}, {changed} with a change", table.join("\n"), tickets.len());
    assert!(fixed >= 20, "{}", table.join("\n"));
    assert!(changed >= 10, "{}", table.join("\n"));
}

#[tokio::test]
async fn the_typo_fix_corrects_the_address_resends_and_replies_once_under_faults() {
    let h = Harness::with_faults(Faults::parse("drop_rate=0.5").unwrap()).await;
    let seeded = h.ticket(SeedCase::EmailTypo).clone();
    let (account_id, plan) = plan_for(&h.client, &seeded.ticket_id).await;
    assert_eq!(plan.kind, RemedyKind::CorrectAddress);
    let before = h.client.invites(&account_id).await.unwrap().len();
    let mut progress = Progress::new(&plan);
    // Dropped answers are retried with each step's key; a step that runs
    // out of tries is run again with the same progress.
    for _ in 0..10 {
        if fix::run(&h.client, &account_id, &plan, &mut progress, |_, _| {}).await.is_ok() {
            break;
        }
    }
    assert!(progress.finished());
    let invites = h.client.invites(&account_id).await.unwrap();
    assert_eq!(invites.len(), before + 1, "exactly one new invite");
    assert_eq!(h.client.sandbox_reply_outbox(Some(&seeded.ticket_id)).await.unwrap().len(), 1);
    let account = h.client.account(&account_id).await.unwrap().value;
    assert!(!account.email.expose().ends_with(".cmo"));
}
