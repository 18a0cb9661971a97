//! The ticket commands from outside (`ticket show`, `notes`, `reply`,
//! `claim`, `solve`, `email`, `revoke`, `sandbox serve --tickets`): the real
//! binary against a real sandbox on 127.0.0.1:0, its JSON, its readable
//! output, what reached the portal, and its exit codes.

use crate::common;

use common::{Harness, Run};
use portaldesk::phi::mask_email;
use portaldesk::portal::IdempotencyKey;
use portaldesk::portal::model::{AuditAction, InviteStatus, NewNote, TicketStatus};
use portaldesk::sandbox::seed::{SeedCase, dob_as_typed};
use serde_json::Value;

async fn run(h: &Harness, args: &[&str]) -> Run {
    let url = h.sandbox.url();
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--portal", url.as_str(), "--sandbox-clock"]);
    common::run_binary(&all, &[("PORTALDESK_TOKEN", "sandbox")]).await
}

fn json(run: &Run) -> Value {
    assert_eq!(run.code, 0, "stderr: {}", run.err);
    assert_eq!(run.out.lines().count(), 1, "{}", run.out);
    serde_json::from_str(&run.out).unwrap()
}

fn ok(run: &Run) -> &str {
    assert_eq!(run.code, 0, "stderr: {}", run.err);
    &run.out
}

#[tokio::test]
async fn ticket_show_has_the_conversation_masked_unless_revealed() {
    let h = Harness::start().await;
    let seeded = h.ticket(SeedCase::DobDayMonthSwapped).clone();
    let account = h.client.account(&seeded.account_id).await.unwrap().value;
    let typed = dob_as_typed(*account.dob.expose());

    let v = json(&run(&h, &["ticket", "show", seeded.ticket_id.as_str(), "--json"]).await);
    assert_eq!(v["ticket"]["id"], seeded.ticket_id.as_str());
    assert!(v["ticket"]["due_at"].is_string() && v["etag"].as_str().unwrap().starts_with('"'));
    let messages = v["messages"].as_array().unwrap();
    assert!(!messages.is_empty());
    assert_eq!(messages[0]["author"]["kind"], "client");
    assert!(messages[0]["body"].as_str().unwrap().contains(&typed), "JSON carries the body as written");

    let out = run(&h, &["ticket", "show", seeded.ticket_id.as_str()]).await;
    let text = ok(&out);
    assert!(text.contains(&format!("Ticket   {}  open", seeded.ticket_id)), "{text}");
    assert!(text.contains("Conversation: 1 message, oldest first"), "{text}");
    assert!(text.contains("Reply    first reply overdue by 4h 56m"), "{text}");
    assert!(!text.contains(&typed) && text.contains("••/••/••••"), "the DOB in the body is masked: {text}");
    let shown = run(&h, &["ticket", "show", seeded.ticket_id.as_str(), "--reveal"]).await;
    assert!(ok(&shown).contains(&typed), "{}", shown.out);

    // The typo ticket: the address the client wrote is masked too.
    let typo = h.ticket(SeedCase::EmailTypo);
    let text = run(&h, &["ticket", "show", typo.ticket_id.as_str()]).await;
    assert!(!ok(&text).contains("@gmail") && !text.out.contains("@yahoo") && text.out.contains("***@"), "{}", text.out);

    let missing = run(&h, &["ticket", "show", "T-9999"]).await;
    assert_eq!(missing.code, 3, "{}", missing.err);
}

#[tokio::test]
async fn reply_sends_once_with_the_status_asked_for() {
    let h = Harness::start().await;
    let seeded = h.ticket(SeedCase::ExpiredClientInvite).clone();
    let ticket_id = seeded.ticket_id.clone();
    let id = ticket_id.as_str();

    // Without --yes and without a terminal: refused before anything is sent.
    let refused = run(&h, &["reply", id, "--text", "Hello"]).await;
    assert_eq!(refused.code, 2, "{}", refused.err);
    assert!(refused.err.contains("--yes"), "{}", refused.err);
    let blank = run(&h, &["reply", id, "--text", "  ", "--yes"]).await;
    assert_eq!(blank.code, 2, "{}", blank.err);
    let neither = run(&h, &["reply", id, "--yes"]).await;
    assert_eq!(neither.code, 2, "{}", neither.err);
    let readonly = run(&h, &["reply", id, "--text", "Hello", "--yes", "--readonly"]).await;
    assert_eq!(readonly.code, 2, "{}", readonly.err);
    assert!(h.client.sandbox_reply_outbox(Some(&ticket_id)).await.unwrap().is_empty());

    let sent = run(&h, &["reply", id, "--text", "We resent it.", "--status", "pending", "--yes"]).await;
    let text = ok(&sent);
    assert!(text.contains(&format!("Reply sent on {id} to ")) && text.contains("The ticket is pending."), "{text}");
    let account = h.client.account(&seeded.account_id).await.unwrap().value;
    assert!(text.contains(&mask_email(account.email.expose())) && !text.contains(account.email.expose().as_str()));
    let outbox = h.client.sandbox_reply_outbox(Some(&ticket_id)).await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].body.expose(), "We resent it.");
    assert_eq!(h.client.ticket(&ticket_id).await.unwrap().value.status, TicketStatus::Pending);

    let solved = json(&run(&h, &["reply", id, "--text", "All set.", "--status", "solved", "--yes", "--json"]).await);
    assert_eq!(solved["message"]["body"], "All set.");
    assert_eq!(solved["ticket"]["status"], "solved");
    assert_eq!(h.client.sandbox_reply_outbox(Some(&ticket_id)).await.unwrap().len(), 2);
}

#[tokio::test]
async fn reply_with_finding_sends_the_top_finding_s_reply() {
    let h = Harness::start().await;
    let seeded = h.ticket(SeedCase::ExpiredClientInvite).clone();
    let diagnosis = json(&run(&h, &["diagnose", seeded.account_id.as_str(), "--json"]).await);
    let expected = diagnosis["findings"][0]["reply"].as_str().unwrap().to_owned();
    let v = json(&run(&h, &["reply", seeded.ticket_id.as_str(), "--finding", "--yes", "--json"]).await);
    assert_eq!(v["message"]["body"], expected.trim());
    let outbox = h.client.sandbox_reply_outbox(Some(&seeded.ticket_id)).await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].body.expose(), expected.trim());
    let both = run(&h, &["reply", seeded.ticket_id.as_str(), "--finding", "--text", "x", "--yes"]).await;
    assert_eq!(both.code, 2, "{}", both.err);
}

/// `reply --dry-run` (issue 27) shows what would go, in full in JSON and
/// masked in the readable form, and sends nothing.
#[tokio::test]
async fn reply_dry_run_shows_the_reply_and_sends_nothing() {
    let h = Harness::start().await;
    let seeded = h.ticket(SeedCase::ExpiredClientInvite).clone();
    let ticket = seeded.ticket_id.as_str();
    let account = h.client.account(&seeded.account_id).await.unwrap().value;
    let v = json(&run(&h, &["reply", ticket, "--finding", "--dry-run", "--status", "solved", "--json"]).await);
    assert_eq!((v["dry_run"].as_bool(), v["status"].as_str()), (Some(true), Some("solved")));
    assert_eq!(v["to"].as_str(), Some(account.email.expose().as_str()));
    let body = v["body"].as_str().unwrap();
    assert!(body.contains(account.first_name.expose().as_str()) && !body.contains('•'), "{body}");
    let readable = run(&h, &["reply", ticket, "--text", "We have resent it.", "--dry-run"]).await;
    assert_eq!(readable.code, 0, "{}", readable.err);
    assert!(readable.out.starts_with(&format!("Would send this reply on {ticket}:")), "{}", readable.out);
    assert!(readable.out.contains("Nothing was sent (--dry-run)."), "{}", readable.out);
    assert!(!readable.out.contains(account.email.expose().as_str()), "masked: {}", readable.out);
    assert!(h.client.sandbox_reply_outbox(Some(&seeded.ticket_id)).await.unwrap().is_empty(), "nothing sent");
    let both = run(&h, &["reply", ticket, "--text", "x", "--dry-run", "--yes"]).await;
    assert_eq!(both.code, 2, "--dry-run with --yes is a usage error: {}", both.err);
}

#[tokio::test]
async fn claim_and_solve_change_the_ticket_once() {
    let h = Harness::start().await;
    let ticket_id = h.sandbox.seeded.tickets[0].ticket_id.clone();
    let unclaimed = ticket_id.to_string();
    let claimed = json(&run(&h, &["claim", &unclaimed, "--yes", "--json"]).await);
    assert_eq!(
        (claimed["changed"].as_bool(), claimed["ticket"]["assignee"].as_str()),
        (Some(true), Some("agent_sandbox"))
    );
    let again = json(&run(&h, &["claim", &unclaimed, "--yes", "--json"]).await);
    assert_eq!(again["changed"], false);
    assert!(ok(&run(&h, &["claim", &unclaimed, "--yes"]).await).contains("already yours"));
    let refused = run(&h, &["claim", &unclaimed]).await;
    assert_eq!(refused.code, 2);

    let text = run(&h, &["solve", &unclaimed, "--yes"]).await;
    assert!(ok(&text).contains(&format!("{unclaimed} is solved.")), "{}", text.out);
    let ticket = h.client.ticket(&ticket_id).await.unwrap().value;
    assert_eq!((ticket.status, ticket.assignee.as_deref()), (TicketStatus::Solved, Some("agent_sandbox")));
    assert_eq!(json(&run(&h, &["solve", &unclaimed, "--yes", "--json"]).await)["changed"], false);
    let audit = h.client.audit(None, Some(&ticket_id)).await.unwrap();
    assert_eq!(audit.iter().filter(|e| e.action == AuditAction::TicketUpdated).count(), 2);

    assert_eq!(run(&h, &["claim", "T-9999", "--yes"]).await.code, 3);
    assert_eq!(run(&h, &["solve", &unclaimed, "--yes", "--readonly"]).await.code, 2);
}

#[tokio::test]
async fn notes_lists_the_internal_notes_masked() {
    let h = Harness::start().await;
    let ticket_id = h.ticket(SeedCase::NoInvite).ticket_id.clone();
    let id = ticket_id.to_string();
    let note = NewNote { body: "Client called from pat.lee@gmail.com, born 3 May 81.".into() };
    h.client.add_note(&ticket_id, &note, &IdempotencyKey::new()).await.unwrap();
    let v = json(&run(&h, &["notes", &id, "--json"]).await);
    assert_eq!(v["notes"].as_array().unwrap().len(), 1);
    assert_eq!(v["notes"][0]["body"], note.body.as_str());
    let out = run(&h, &["notes", &id]).await;
    let text = ok(&out);
    assert!(text.starts_with(&format!("1 internal note on {id}")), "{text}");
    assert!(text.contains("p***@g***.com") && text.contains("born ••/••/••••"), "{text}");
    assert!(!text.contains("pat.lee") && !text.contains("3 May 81"), "{text}");
}

#[tokio::test]
async fn email_add_default_and_remove_go_through_if_match() {
    let h = Harness::start().await;
    let seeded = h.ticket(SeedCase::EmailTypo).clone();
    let account_id = seeded.account_id.clone();
    let account = account_id.as_str();
    let wrong = h.client.account(&account_id).await.unwrap().value.email.expose().clone();
    let right = "fixed.address@gmail.com";
    let reason = "client confirmed by phone";
    let add = json(&run(&h, &["email", "add", account, right, "--reason", reason, "--yes", "--json"]).await);
    assert_eq!(add["account"]["emails"].as_array().unwrap().len(), 2);
    let made = run(
        &h,
        &["email", "default", account, right, "--reason", reason, "--ticket", seeded.ticket_id.as_str(), "--yes"],
    )
    .await;
    assert!(ok(&made).contains("f***@g***.com (default)"), "{}", made.out);
    let removed = run(&h, &["email", "remove", account, &wrong, "--reason", reason, "--yes"]).await;
    ok(&removed);
    let now = h.client.account(&account_id).await.unwrap().value;
    assert_eq!(now.email.expose(), right);
    assert_eq!(now.emails.len(), 1);
    // Refused by the portal (the default cannot be removed): exit 1, named.
    let refused = run(&h, &["email", "remove", account, right, "--reason", reason, "--yes"]).await;
    assert_eq!(refused.code, 1, "{}", refused.err);
    assert!(!refused.err.contains(right), "no address on stderr: {}", refused.err);
    assert_eq!(run(&h, &["email", "add", account, right, "--reason", " ", "--yes"]).await.code, 2);
    assert_eq!(run(&h, &["email", "add", "acc_nowhere", right, "--reason", reason, "--yes"]).await.code, 3);
    assert_eq!(run(&h, &["email", "add", account, "x@y.org", "--reason", reason]).await.code, 2);
}

#[tokio::test]
async fn revoke_kills_a_pending_invite() {
    let h = Harness::start().await;
    let seeded = h.ticket(SeedCase::DeliveredNotOpened).clone();
    let invite = h.client.invites(&seeded.account_id).await.unwrap().remove(0);
    assert_eq!(invite.status, InviteStatus::Pending);
    let args =
        ["revoke", seeded.account_id.as_str(), invite.id.as_str(), "--reason", "wrong person", "--yes", "--json"];
    let v = json(&run(&h, &args).await);
    assert_eq!(v["invite"]["status"], "revoked");
    assert_eq!(h.client.invites(&seeded.account_id).await.unwrap()[0].status, InviteStatus::Revoked);
    let again =
        run(&h, &["revoke", seeded.account_id.as_str(), invite.id.as_str(), "--reason", "again", "--yes"]).await;
    assert!(ok(&again).contains("revoked"), "revoking a revoked invite answers it as it is");
    assert_eq!(run(&h, &["revoke", seeded.account_id.as_str(), "inv_nowhere", "--reason", "x", "--yes"]).await.code, 3);
}

#[tokio::test]
async fn sandbox_serve_seeds_extra_tickets() {
    use tokio::io::AsyncBufReadExt;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_portaldesk"))
        .args(["sandbox", "serve", "--addr", "127.0.0.1:0", "--tickets", "40"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut banner = String::new();
    while let Some(line) = lines.next_line().await.unwrap() {
        banner.push_str(&line);
        banner.push('\n');
        if line.contains("seeded:") {
            break;
        }
    }
    assert!(banner.contains("seeded: 220 accounts, 69 open tickets"), "{banner}");
    child.kill().await.unwrap();
}
