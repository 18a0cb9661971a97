//! `fix` from outside, on every seeded ticket (issue 23): the reply sent is
//! in full, states the invite's own deadline in the practice's zone and no
//! countdown, never goes to a bounced address, and goes once; someone
//! else's ticket is not touched without `--take-over`.

use crate::common;

use common::{Harness, Run};
use portaldesk::diagnose::remedy;
use portaldesk::diagnose::troubleshoot::Case;
use portaldesk::portal::model::{InviteStatus, StaffId, TicketId};
use portaldesk::sandbox::seed::SeedCase;
use portaldesk::timezone::StaffZone;
use serde_json::Value;

const PRACTICE_ZONE: &str = "America/New_York";

async fn run(h: &Harness, args: &[&str]) -> Run {
    let url = h.sandbox.url();
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--portal", url.as_str(), "--sandbox-clock"]);
    common::run_binary(&all, &[("PORTALDESK_TOKEN", "sandbox"), ("PORTALDESK_PRACTICE_TIME_ZONE", PRACTICE_ZONE)]).await
}

/// Whether a text holds a countdown (`47h 59m`, `58m 25s`, "from now").
pub(crate) fn has_countdown(text: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    let unit = |w: &str, u: char| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        w.len() > 1 && w.ends_with(u) && w[..w.len() - 1].chars().all(|c| c.is_ascii_digit())
    };
    text.contains("from now")
        || words.windows(2).any(|p| (unit(p[0], 'h') && unit(p[1], 'm')) || (unit(p[0], 'm') && unit(p[1], 's')))
}

#[test]
fn the_countdown_check_sees_countdowns() {
    assert!(has_countdown("works (47h 59m from now)."));
    assert!(has_countdown("in 58m 25s"));
    assert!(!has_countdown("until Dec 9, 12:06 AM EST, for 48 hours"));
}

#[tokio::test]
async fn every_seeded_tickets_fix_sends_a_true_reply_once() {
    let h = Harness::start().await;
    let zone = StaffZone::parse(PRACTICE_ZONE).unwrap();
    let mut table = vec![format!("{:<8} {:<24} {:<16} {}", "ticket", "finding", "remedy", "sent")];
    let mut sent_count = 0;
    for seeded in h.sandbox.seeded.tickets.clone() {
        let id = seeded.ticket_id.as_str();
        let first = run(&h, &["fix", id, "--yes", "--json", "--take-over"]).await;
        let outbox = h.client.sandbox_reply_outbox(Some(&seeded.ticket_id)).await.unwrap();
        let account = h.client.account(&seeded.account_id).await.unwrap().value;
        let invites = h.client.invites(&seeded.account_id).await.unwrap();
        if first.code == 7 {
            // The address bounced: nothing was emailed; the script was
            // printed.
            assert!(outbox.is_empty(), "{id}: a reply to a bounced address");
            assert!(first.err.contains("Call the client"), "{id}: {}", first.err);
            table.push(format!("{id:<8} {:<24} {:<16} call", "", ""));
            continue;
        }
        assert_eq!(first.code, 0, "{id}: {}", first.err);
        let v: Value = serde_json::from_str(first.out.trim()).unwrap();
        let (finding, kind) = (v["plan"]["finding"].as_str().unwrap(), v["plan"]["kind"].as_str().unwrap());
        table.push(format!("{id:<8} {finding:<24} {kind:<16} {}", outbox.len()));
        if outbox.is_empty() {
            // Answered since the client last wrote (a seeded reply): the
            // command says so and sends nothing.
            continue;
        }
        assert_eq!(outbox.len(), 1, "{id}: one reply");
        sent_count += 1;
        let body = outbox[0].body.expose().clone();
        assert_eq!(v["sent_body"].as_str().map(str::trim), Some(body.trim()), "{id}: sent_body is what went");
        assert!(v["approved_body"].is_string(), "{id}");
        // In full: nothing masked.
        assert!(!body.contains("***") && !body.contains('•'), "{id}: masked text: {body}");
        assert!(body.contains(account.first_name.expose().as_str()), "{id}: {body}");
        // No countdown.
        assert!(!has_countdown(&body), "{id}: a countdown: {body}");
        // It went to an address that did not bounce.
        let case = Case::new(&account, &invites, h.client.clock().now());
        assert!(remedy::dead_address(&case).is_none(), "{id}: replied to a bounced address");
        // Every time in it is the newest invite's own, in the practice zone.
        let mut rest = body.clone();
        if let Some(latest) = invites.iter().max_by_key(|i| (i.sent_at, i.id.clone())) {
            for at in [latest.expires_at, latest.sent_at] {
                rest = rest.replace(&zone.in_email(at), "");
            }
            if latest.status != InviteStatus::Pending {
                assert!(!body.contains(&zone.in_email(latest.expires_at)), "{id}: a dead link's deadline");
            }
        }
        for abbreviation in [" EST", " EDT", " UTC"] {
            assert!(!rest.contains(abbreviation), "{id}: a time that is not the invite's own: {body}");
        }
        // The second time: nothing.
        let second = run(&h, &["fix", id, "--yes", "--take-over"]).await;
        assert_eq!(second.code, 0, "{id}: {}", second.err);
        assert!(second.out.contains("was answered since the client last wrote"), "{id}: {}", second.out);
        assert_eq!(h.client.sandbox_reply_outbox(Some(&seeded.ticket_id)).await.unwrap().len(), 1, "{id}: twice");
    }
    println!("{}", table.join("\n"));
    assert!(sent_count >= 20, "{}", table.join("\n"));
}

#[tokio::test]
async fn again_repeats_knowingly_and_a_bounced_ticket_exits_7() {
    let h = Harness::start().await;
    let seeded = h.ticket(SeedCase::ExpiredClientInvite).clone();
    let id = seeded.ticket_id.as_str();
    assert_eq!(run(&h, &["fix", id, "--yes"]).await.code, 0);
    assert_eq!(run(&h, &["fix", id, "--yes"]).await.code, 0);
    assert_eq!(h.client.sandbox_reply_outbox(Some(&seeded.ticket_id)).await.unwrap().len(), 1);
    let again = run(&h, &["fix", id, "--yes", "--again"]).await;
    assert_eq!(again.code, 0, "{}", again.err);
    assert_eq!(h.client.sandbox_reply_outbox(Some(&seeded.ticket_id)).await.unwrap().len(), 2, "--again");

    let bounced = h.ticket(SeedCase::Bounced).clone();
    let b = bounced.ticket_id.as_str();
    let dry = run(&h, &["fix", b, "--dry-run"]).await;
    assert_eq!(dry.code, 7, "{}", dry.err);
    let call = run(&h, &["fix", b, "--yes", "--take-over"]).await;
    assert_eq!(call.code, 7, "{}", call.err);
    assert!(call.err.contains("Call ") && call.err.contains("Say:"), "{}", call.err);
    let reply = run(&h, &["reply", b, "--text", "Hello", "--yes", "--take-over"]).await;
    assert_eq!(reply.code, 7, "a reply to the bounced address: {}", reply.err);
    assert!(h.client.sandbox_reply_outbox(Some(&bounced.ticket_id)).await.unwrap().is_empty());
}

#[tokio::test]
async fn someone_elses_ticket_exits_4_without_take_over() {
    let h = Harness::start().await;
    let tickets = h.client.tickets(None).await.unwrap();
    let theirs = tickets
        .iter()
        .find(|t| t.assignee.as_deref() == Some("agent_rivera"))
        .expect("a seeded ticket of agent_rivera's")
        .id
        .clone();
    let id = theirs.as_str();
    for args in [
        vec!["claim", id, "--yes"],
        vec!["fix", id, "--yes"],
        vec!["solve", id, "--yes"],
        vec!["reply", id, "--text", "Hello", "--yes"],
    ] {
        let refused = run(&h, &args).await;
        assert_eq!(refused.code, 4, "{args:?}: {}", refused.err);
        assert!(refused.err.contains("agent_rivera"), "{args:?} names the owner: {}", refused.err);
    }
    assert_eq!(owner(&h, &theirs).await.as_deref(), Some("agent_rivera"), "untouched");
    assert!(h.client.sandbox_reply_outbox(Some(&theirs)).await.unwrap().is_empty());
    let taken = run(&h, &["claim", id, "--yes", "--take-over"]).await;
    assert_eq!(taken.code, 0, "{}", taken.err);
    assert_eq!(owner(&h, &theirs).await.as_deref(), Some("agent_sandbox"));
}

async fn owner(h: &Harness, id: &TicketId) -> Option<StaffId> {
    h.client.ticket(id).await.unwrap().value.assignee
}

#[tokio::test]
async fn a_repeated_reply_is_refused_unless_again() {
    let h = Harness::start().await;
    let seeded = h.ticket(SeedCase::ExpiredClientInvite).clone();
    let id = seeded.ticket_id.as_str();
    assert_eq!(run(&h, &["reply", id, "--text", "We resent it.", "--yes"]).await.code, 0);
    let twice = run(&h, &["reply", id, "--text", "We resent it.", "--yes"]).await;
    assert_eq!(twice.code, 4, "{}", twice.err);
    assert!(twice.err.contains("--again"), "{}", twice.err);
    assert_eq!(run(&h, &["reply", id, "--text", "We resent it.", "--yes", "--again"]).await.code, 0);
    assert_eq!(h.client.sandbox_reply_outbox(Some(&seeded.ticket_id)).await.unwrap().len(), 2);
}
