//! The read and action commands from outside: the real binary against a real
//! sandbox on 127.0.0.1:0, its JSON, its readable output and its exit codes.

use crate::common;

use common::{Harness, Run, t0};
use portaldesk::diagnose::dob::format_entry;
use portaldesk::phi::{Phi, mask_email};
use portaldesk::portal::IdempotencyKey;
use portaldesk::portal::model::{AccountPatch, AuditAction, ResendRequest, Role};
use portaldesk::sandbox::seed::SeedCase;
use serde_json::Value;

impl Run {
    /// The one JSON document on stdout of a successful run.
    fn json(&self) -> Value {
        assert_eq!(self.code, 0, "stderr: {}", self.err);
        assert_eq!(self.out.lines().count(), 1, "one JSON document on one line: {}", self.out);
        serde_json::from_str(&self.out).unwrap()
    }

    fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "stderr: {}", self.err);
        &self.out
    }
}

/// Runs `portaldesk ARGS --portal <sandbox>` with the sandbox token and no
/// terminal on stdin, the sandbox named as one (its frozen clock is
/// followed).
async fn run(h: &Harness, args: &[&str]) -> Run {
    run_as(h, args, "sandbox").await
}

/// [`run`] with another staff member's token.
async fn run_as(h: &Harness, args: &[&str], token: &str) -> Run {
    let url = h.sandbox.url();
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--portal", url.as_str(), "--sandbox-clock"]);
    run_with(&all, &[("PORTALDESK_TOKEN", token)]).await
}

/// The binary on the test's own sandbox, named as one: its frozen clock
/// is followed (`PORTALDESK_SANDBOX_CLOCK`).
async fn run_with(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut env = env.to_vec();
    env.push(("PORTALDESK_SANDBOX_CLOCK", "true"));
    common::run_binary(args, &env).await
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("{key} is not a string in {v}"))
}

#[tokio::test]
async fn tickets_json_lists_the_29_open_tickets_oldest_first() {
    let h = Harness::start().await;
    let v = run(&h, &["tickets", "--json"]).await.json();
    assert_eq!(v["status"], "open");
    let tickets = v["tickets"].as_array().unwrap();
    assert_eq!(tickets.len(), 29);
    let opened: Vec<&str> = tickets.iter().map(|t| str_of(t, "opened_at")).collect();
    let mut sorted = opened.clone();
    sorted.sort();
    assert_eq!(opened, sorted, "oldest first");
    let seeded: Vec<&str> = h.sandbox.seeded.tickets.iter().map(|t| t.ticket_id.as_str()).collect();
    for t in tickets {
        assert_eq!(t["status"], "open");
        assert!(seeded.contains(&str_of(t, "id")), "{t}");
        assert_eq!(t["account"]["id"], t["account_id"], "the ticket carries its account");
        assert!(str_of(&t["account"], "email").contains('@'), "JSON carries the address unmasked");
    }
    let typo = h.ticket(SeedCase::EmailTypo);
    let first_typo = tickets.iter().find(|t| t["id"] == typo.ticket_id.as_str()).unwrap();
    assert_eq!(first_typo["account_id"], typo.account_id.as_str());

    assert_eq!(
        run(&h, &["tickets", "--status", "pending", "--json"]).await.json()["tickets"].as_array().unwrap().len(),
        1
    );
    let solved = run(&h, &["tickets", "--status", "solved", "--json"]).await.json();
    assert_eq!((solved["status"].as_str(), solved["tickets"].as_array().unwrap().len()), (Some("solved"), 2));
    assert_eq!(run(&h, &["tickets", "--status", "closed"]).await.code, 2);
}

#[tokio::test]
async fn tickets_readable_is_a_table_of_the_queue() {
    let h = Harness::start().await;
    let run = run(&h, &["tickets"]).await;
    let out = run.ok();
    assert!(out.starts_with("29 open tickets, oldest first\nTICKET"), "{out}");
    assert_eq!(out.lines().count(), 31, "{out}");
    let typo = h.ticket(SeedCase::EmailTypo);
    let row = out.lines().find(|l| l.starts_with(typo.ticket_id.as_str())).unwrap();
    assert!(row.contains(typo.account_id.as_str()), "{row}");
    assert!(!out.contains('@'), "no address in the queue: {out}");
    assert!(run.err.is_empty(), "{}", run.err);
}

#[tokio::test]
async fn search_json_and_readable() {
    let h = Harness::start().await;
    let typo = h.ticket(SeedCase::EmailTypo);
    let account = h.client.account(&typo.account_id).await.unwrap().value;
    let last = account.last_name.expose().clone();
    let v = run(&h, &["search", &last, "--json"]).await.json();
    let accounts = v["accounts"].as_array().unwrap();
    let found = accounts.iter().find(|a| a["id"] == account.id.as_str()).unwrap_or_else(|| panic!("{v}"));
    assert_eq!(found["email"], account.email.expose().as_str());
    assert_eq!(found["role"], "client");
    assert!(found["latest_invite"]["status"].is_string(), "{found}");
    assert!(v.get("next_cursor").is_some(), "{v}");

    let v = run(&h, &["search", "a", "--role", "staff", "--limit", "2", "--json"]).await.json();
    let accounts = v["accounts"].as_array().unwrap();
    assert!(!accounts.is_empty() && accounts.len() <= 2, "{v}");
    assert!(accounts.iter().all(|a| a["role"] == "staff"), "{v}");
    assert!(v["next_cursor"].is_string(), "more staff than 2 match 'a': {v}");

    let out = run(&h, &["search", account.id.as_str()]).await;
    let text = out.ok();
    assert!(text.contains(account.id.as_str()) && text.contains(&mask_email(account.email.expose())), "{text}");
    assert!(!text.contains(account.email.expose().as_str()), "{text}");
    let revealed = run(&h, &["search", account.id.as_str(), "--reveal"]).await;
    assert!(revealed.ok().contains(account.email.expose().as_str()), "{}", revealed.out);

    assert_eq!(run(&h, &["search", "x", "--limit", "0"]).await.code, 2);
    assert_eq!(run(&h, &["search", "x", "--limit", "101"]).await.code, 2);
    assert_eq!(run(&h, &["search", "x", "--role", "admin"]).await.code, 2);
}

#[tokio::test]
async fn show_json_is_the_account_and_its_version() {
    let h = Harness::start().await;
    let typo = h.ticket(SeedCase::EmailTypo);
    let read = h.client.account(&typo.account_id).await.unwrap();
    let v = run(&h, &["show", typo.account_id.as_str(), "--json"]).await.json();
    assert_eq!(v["etag"], read.etag.as_str());
    assert_eq!(v["account"], serde_json::to_value(&read.value).unwrap());
    assert_eq!(v["account"]["dob"], read.value.dob.expose().format("%Y-%m-%d").to_string());
}

#[tokio::test]
async fn readable_output_masks_email_and_dob_unless_revealed() {
    let h = Harness::start().await;
    let typo = h.ticket(SeedCase::EmailTypo);
    let read = h.client.account(&typo.account_id).await.unwrap();
    let email = read.value.email.expose().clone();
    let dob = *read.value.dob.expose();
    let dob_texts = [dob.format("%Y-%m-%d").to_string(), format_entry(dob)];

    for command in ["show", "invites", "diagnose"] {
        let masked = run(&h, &[command, typo.account_id.as_str()]).await;
        let text = masked.ok();
        assert!(!text.contains(&email), "{command}: {text}");
        for d in &dob_texts {
            assert!(!text.contains(d.as_str()), "{command}: {text}");
        }
        assert!(text.contains(&mask_email(&email)), "{command}: {text}");
        assert!(masked.err.is_empty(), "{command}: nothing on stderr: {}", masked.err);
    }
    let shown = run(&h, &["show", typo.account_id.as_str()]).await;
    assert!(shown.ok().contains("DOB      ••/••/••••"), "{}", shown.out);
    assert!(shown.out.contains("--reveal"), "{}", shown.out);

    let revealed = run(&h, &["show", typo.account_id.as_str(), "--reveal"]).await;
    let text = revealed.ok();
    assert!(text.contains(&email) && text.contains(&format_entry(dob)), "{text}");
    assert!(text.contains(read.etag.as_str()), "{text}");
}

#[tokio::test]
async fn invites_json_carries_state_and_countdown() {
    let h = Harness::start().await;
    let expired = h.ticket(SeedCase::ExpiredClientInvite);
    let invites = h.client.invites(&expired.account_id).await.unwrap();
    let v = run(&h, &["invites", expired.account_id.as_str(), "--json"]).await.json();
    assert_eq!(v["account_id"], expired.account_id.as_str());
    assert_eq!(v["role"], "client");
    assert_eq!(v["now"], serde_json::to_value(t0()).unwrap());
    let items = v["invites"].as_array().unwrap();
    assert_eq!(items.len(), invites.len());
    for (item, invite) in items.iter().zip(&invites) {
        assert_eq!(item["id"], invite.id.as_str(), "newest first, as the portal gives them");
        assert_eq!(item["sent_to"], invite.sent_to.expose().as_str());
        assert!(item["delivery"].is_array() && item["countdown"].is_string(), "{item}");
    }
    assert_eq!(items[0]["state"], "expired");
    assert!(str_of(&items[0], "countdown").starts_with("expired "), "{}", items[0]);

    let staff = h.ticket(SeedCase::StaffInviteExpiringSoon);
    let v = run(&h, &["invites", staff.account_id.as_str(), "--json"]).await.json();
    assert_eq!((v["role"].as_str(), v["invites"][0]["state"].as_str()), (Some("staff"), Some("expiring_soon")));

    let none = h.ticket(SeedCase::NoInvite);
    let v = run(&h, &["invites", none.account_id.as_str(), "--json"]).await.json();
    assert_eq!(v["invites"], serde_json::json!([]));
    let text = run(&h, &["invites", none.account_id.as_str()]).await;
    assert!(text.ok().starts_with("0 invites for"), "{}", text.out);
}

#[tokio::test]
async fn diagnose_json_gives_the_findings_most_decisive_first() {
    let h = Harness::start().await;
    let typo = h.ticket(SeedCase::EmailTypo);
    let v = run(&h, &["diagnose", typo.account_id.as_str(), "--json"]).await.json();
    assert_eq!(v["account_id"], typo.account_id.as_str());
    assert_eq!(v["role"], "client");
    assert_eq!(v["now"], serde_json::to_value(t0()).unwrap());
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings[0]["code"], "email_typo", "{v}");
    for f in findings {
        for key in ["code", "explanation", "next_step", "reply"] {
            assert!(!str_of(f, key).is_empty(), "{key} in {f}");
        }
    }
    let account = h.client.account(&typo.account_id).await.unwrap().value;
    assert!(str_of(&findings[0], "reply").contains(account.first_name.expose().as_str()));

    let none = h.ticket(SeedCase::NoInvite);
    let v = run(&h, &["diagnose", none.account_id.as_str(), "--json"]).await.json();
    assert_eq!(v["findings"][0]["code"], "no_invite", "{v}");

    let text = run(&h, &["diagnose", typo.account_id.as_str()]).await;
    let text = text.ok();
    assert!(text.contains("1. email_typo") && text.contains("next step") && text.contains("reply"), "{text}");
}

#[tokio::test]
async fn resend_with_yes_makes_exactly_one_invite_with_the_role_s_expiry() {
    let h = Harness::start().await;
    let client = h.sandbox.seeded.tickets.iter().find(|t| t.case == SeedCase::NoInvite).unwrap();
    assert!(h.client.invites(&client.account_id).await.unwrap().is_empty());
    let v = run(&h, &["resend", client.account_id.as_str(), "--ticket", client.ticket_id.as_str(), "--yes", "--json"])
        .await
        .json();
    let invites = h.client.invites(&client.account_id).await.unwrap();
    assert_eq!(invites.len(), 1, "exactly one invite");
    assert_eq!(v["invite"]["id"], invites[0].id.as_str());
    assert_eq!(v["invite"]["status"], "pending");
    assert_eq!(v["invite"]["expires_at"], serde_json::to_value(t0() + Role::Client.invite_lifetime()).unwrap());
    let audit = h.client.audit(Some(&client.account_id), None).await.unwrap();
    assert_eq!(audit[0].action, AuditAction::InviteSent);
    assert_eq!(audit[0].ticket_id.as_ref(), Some(&client.ticket_id));

    let staff = h.sandbox.seeded.tickets.iter().rev().find(|t| t.case == SeedCase::NoInvite).unwrap();
    assert_ne!(staff.account_id, client.account_id);
    let out = run(&h, &["resend", staff.account_id.as_str(), "-y"]).await;
    let text = out.ok();
    assert!(text.contains("The link works for 1 hour: it expires in 1h 00m"), "{text}");
    let sent_to = h.client.invites(&staff.account_id).await.unwrap()[0].sent_to.expose().clone();
    assert!(text.contains(&mask_email(&sent_to)) && !text.contains(&sent_to), "{text}");
}

#[tokio::test]
async fn resend_without_yes_and_without_a_terminal_exits_2_and_sends_nothing() {
    let h = Harness::start().await;
    let none = h.ticket(SeedCase::NoInvite);
    for json in [false, true] {
        let args: &[&str] =
            if json { &["resend", none.account_id.as_str(), "--json"] } else { &["resend", none.account_id.as_str()] };
        let out = run(&h, args).await;
        assert_eq!(out.code, 2, "{}", out.err);
        assert!(out.err.contains("--yes") && out.err.contains("terminal"), "{}", out.err);
        assert!(out.out.is_empty(), "{}", out.out);
    }
    assert!(h.client.invites(&none.account_id).await.unwrap().is_empty());
    assert!(h.client.sandbox_outbox(Some(&none.account_id)).await.unwrap().is_empty());
}

#[tokio::test]
async fn dob_set_refuses_a_date_that_is_no_month_first_date_and_changes_nothing() {
    let h = Harness::start().await;
    let wrong = h.ticket(SeedCase::DobOnFileWrong);
    let before = h.client.account(&wrong.account_id).await.unwrap();
    // Day first, not a date, year first, a two-digit year: refused.
    for bad in ["13/01/1990", "02/30/1990", "1990-03-05", "3/5/90", "", "--1"] {
        let out = run(&h, &["dob", "set", wrong.account_id.as_str(), bad, "--reason", "typo", "--yes"]).await;
        assert_eq!(out.code, 2, "{bad:?}: {}", out.err);
        assert!(out.err.contains("MM/DD/YYYY"), "{}", out.err);
        if bad.len() > 3 {
            assert!(!out.err.contains(bad.trim()), "the value is not echoed: {}", out.err);
        }
    }
    let out = run(&h, &["dob", "set", wrong.account_id.as_str(), "03/05/1990", "--reason", "  ", "--yes"]).await;
    assert_eq!(out.code, 2, "{}", out.err);
    let out = run(&h, &["dob", "set", wrong.account_id.as_str(), "03/05/1990", "--reason", "x"]).await;
    assert_eq!(out.code, 2, "no --yes, no terminal: {}", out.err);
    let after = h.client.account(&wrong.account_id).await.unwrap();
    assert_eq!(after, before, "nothing changed");
    assert!(h.client.audit(Some(&wrong.account_id), None).await.unwrap().is_empty());
}

/// What the console's DOB edit accepts, `dob set` accepts (issue 27):
/// month first in any of its written forms, read and said so.
#[tokio::test]
async fn dob_set_reads_the_forms_the_console_reads_month_first() {
    let h = Harness::start().await;
    let wrong = h.ticket(SeedCase::DobOnFileWrong);
    let id = wrong.account_id.as_str();
    for (typed, date) in [("2/7/1976", (1976, 2, 7)), (" 04-06-1991", (1991, 4, 6)), ("March 5, 1988", (1988, 3, 5))] {
        let out = run(&h, &["dob", "set", id, typed, "--reason", "client confirmed by phone", "--yes", "--json"]).await;
        let v = out.json();
        assert_eq!(v["changed"], true, "{typed}");
        let want = chrono::NaiveDate::from_ymd_opt(date.0, date.1, date.2).unwrap();
        assert_eq!(*h.client.account(&wrong.account_id).await.unwrap().value.dob.expose(), want, "{typed}");
    }
}

#[tokio::test]
async fn dob_set_changes_the_dob_and_keeps_the_ticket_in_the_audit_trail() {
    let h = Harness::start().await;
    let wrong = h.ticket(SeedCase::DobOnFileWrong);
    let before = h.client.account(&wrong.account_id).await.unwrap();
    let reason = "client confirmed DOB by phone";
    let (account, ticket) = (wrong.account_id.as_str(), wrong.ticket_id.as_str());
    let args = ["dob", "set", account, "03/05/1990", "--reason", reason, "--ticket", ticket];
    let v = run(&h, &[&args[..], &["--yes", "--json"]].concat()).await.json();
    assert_eq!(v["changed"], true);
    assert_eq!(v["dob_before"], before.value.dob.expose().format("%Y-%m-%d").to_string());
    assert_eq!(v["account"]["dob"], "1990-03-05");
    let after = h.client.account(&wrong.account_id).await.unwrap();
    assert_eq!(after.value.dob.expose().format("%Y-%m-%d").to_string(), "1990-03-05");
    assert_eq!(v["etag"], after.etag.as_str());
    assert_ne!(after.etag, before.etag);
    let audit = h.client.audit(Some(&wrong.account_id), None).await.unwrap();
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0].action, AuditAction::AccountUpdated);
    assert_eq!(audit[0].ticket_id.as_ref(), Some(&wrong.ticket_id));
    assert!(audit[0].summary.contains(reason) && !audit[0].summary.contains("1990"), "{}", audit[0].summary);

    // The same date again: nothing to send.
    let v = run(&h, &[&args[..], &["--yes", "--json"]].concat()).await.json();
    assert_eq!(v["changed"], false);
    assert_eq!(h.client.audit(Some(&wrong.account_id), None).await.unwrap().len(), 1);

    // Readable: masked unless revealed.
    let out = run(&h, &["dob", "set", wrong.account_id.as_str(), "04/06/1991", "--reason", reason, "--yes"]).await;
    let text = out.ok();
    assert!(text.contains("••/••/•••• → ••/••/••••") && !text.contains("1991") && !text.contains("1990"), "{text}");
    let out =
        run(&h, &["dob", "set", wrong.account_id.as_str(), "05/07/1992", "--reason", reason, "--yes", "--reveal"])
            .await;
    assert!(out.ok().contains("04/06/1991 → 05/07/1992"), "{}", out.out);
    assert!(!out.err.contains("1992"), "{}", out.err);

    // A date the portal refuses (in the future): its refusal, exit 1.
    let out = run(&h, &["dob", "set", wrong.account_id.as_str(), "01/01/2099", "--reason", reason, "--yes"]).await;
    assert_eq!(out.code, 1, "{}", out.err);
    assert!(out.err.contains("not changed") && !out.err.contains("2099-01-01"), "{}", out.err);
}

#[tokio::test]
async fn not_found_exits_3() {
    let h = Harness::start().await;
    for args in [
        &["show", "acc_nope"][..],
        &["invites", "acc_nope", "--json"],
        &["diagnose", "acc_nope"],
        &["resend", "acc_nope", "--yes"],
        &["dob", "set", "acc_nope", "03/05/1990", "--reason", "x", "--yes"],
    ] {
        let out = run(&h, args).await;
        assert_eq!(out.code, 3, "{args:?}: {}", out.err);
        assert!(out.out.is_empty(), "{args:?}: {}", out.out);
        assert!(out.err.contains("no such account"), "{args:?}: {}", out.err);
    }
    let none = h.ticket(SeedCase::NoInvite);
    let out = run(&h, &["resend", none.account_id.as_str(), "--ticket", "T-0000", "--yes"]).await;
    assert_eq!(out.code, 1, "an unknown ticket is refused (422), not a missing account: {}", out.err);
    assert!(h.client.invites(&none.account_id).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_sixth_resend_in_an_hour_is_rate_limited_exit_5() {
    let h = Harness::start().await;
    let none = h.ticket(SeedCase::NoInvite);
    for _ in 0..5 {
        h.client.resend(&none.account_id, &ResendRequest::default(), &IdempotencyKey::new()).await.unwrap();
    }
    let out = run(&h, &["resend", none.account_id.as_str(), "--yes", "--again", "--json"]).await;
    assert_eq!(out.code, 5, "{}", out.err);
    assert!(out.out.is_empty(), "{}", out.out);
    assert!(out.err.contains("no invite was sent") && out.err.contains("try again in 1h 00m"), "{}", out.err);
    assert_eq!(h.client.invites(&none.account_id).await.unwrap().len(), 5);
}

/// The resend window (`resend_guard_minutes`) holds in the CLI too,
/// whoever resent: a second resend within it exits 4 saying who resent and
/// when, and sends nothing; `--again` sends it.
#[tokio::test]
async fn a_second_resend_within_the_window_exits_4_saying_who_and_again_sends_it() {
    let (h, rivera) = common::two_agents().await;
    let none = h.ticket(SeedCase::NoInvite);
    let id = none.account_id.as_str();
    let count = || async { h.client.invites(&none.account_id).await.unwrap().len() };
    run(&h, &["resend", id, "--yes"]).await.ok();
    assert_eq!(count().await, 1);

    let again = run(&h, &["resend", id, "--yes", "--json"]).await;
    assert_eq!(again.code, 4, "{}", again.err);
    assert!(again.out.is_empty(), "{}", again.out);
    for words in ["you (agent_sandbox) resent the invite just now", "Nothing was sent", "--again", "5-minute"] {
        assert!(again.err.contains(words), "{words}: {}", again.err);
    }
    assert_eq!(count().await, 1, "nothing was sent");

    // Hers is named as hers.
    let theirs = run_as(&h, &["resend", id, "--yes"], common::RIVERA).await;
    assert_eq!(theirs.code, 4, "{}", theirs.err);
    assert!(theirs.err.contains("agent_sandbox resent the invite"), "{}", theirs.err);
    rivera.resend(&none.account_id, &ResendRequest::default(), &IdempotencyKey::new()).await.unwrap();
    let ours = run(&h, &["resend", id, "--yes"]).await;
    assert_eq!(ours.code, 4, "{}", ours.err);
    assert!(ours.err.contains("agent_rivera resent the invite") && !ours.err.contains("you ("), "{}", ours.err);
    assert_eq!(count().await, 2);

    let forced = run(&h, &["resend", id, "--yes", "--again", "--json"]).await.json();
    assert_eq!(count().await, 3, "--again sends it");
    assert_eq!(forced["invite"]["id"], h.client.invites(&none.account_id).await.unwrap()[0].id.as_str());
}

#[tokio::test]
async fn a_change_since_the_script_read_the_account_exits_4() {
    let h = Harness::start().await;
    let wrong = h.ticket(SeedCase::DobOnFileWrong);
    let read = h.client.account(&wrong.account_id).await.unwrap();
    // Someone else changes the account after the script read it.
    let patch = AccountPatch {
        dob: Some(Phi::new(chrono::NaiveDate::from_ymd_opt(1970, 7, 8).unwrap())),
        email: None,
        reason: "colleague's fix".into(),
        ticket_id: None,
        ..AccountPatch::default()
    };
    h.client.update_account(&wrong.account_id, &read.etag, &patch, &IdempotencyKey::new()).await.unwrap();
    let old = read.etag.as_str().trim_matches('"');
    let args = ["dob", "set", wrong.account_id.as_str(), "03/05/1990", "--reason", "x", "--yes", "--expect-etag", old];
    let out = run(&h, &args).await;
    assert_eq!(out.code, 4, "{}", out.err);
    assert!(out.err.contains("not changed"), "{}", out.err);
    let now = h.client.account(&wrong.account_id).await.unwrap();
    assert_eq!(now.value.dob.expose().format("%Y-%m-%d").to_string(), "1970-07-08", "the colleague's change stands");

    // With the current version it goes through.
    let account = wrong.account_id.as_str();
    let args = ["dob", "set", account, "03/05/1990", "--reason", "x", "--yes", "--expect-etag", now.etag.as_str()];
    assert_eq!(run(&h, &[&args[..], &["--json"]].concat()).await.json()["changed"], true);
}

#[tokio::test]
async fn without_a_portal_the_commands_exit_2_and_start_no_sandbox() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "").unwrap();
    let config = config.to_str().unwrap();
    for args in [&["tickets", "--config", config][..], &["resend", "acc_1", "--yes", "--config", config]] {
        let out = run_with(args, &[("PORTALDESK_TOKEN", "sandbox")]).await;
        assert_eq!(out.code, 2, "{args:?}: {}", out.err);
        assert!(out.err.contains("--portal") && out.err.contains("PORTALDESK_TOKEN"), "{}", out.err);
        assert!(out.out.is_empty());
    }
    // The config file's portal_url is used, and the token is still needed.
    std::fs::write(dir.path().join("config.toml"), "portal_url = \"http://127.0.0.1:9\"\n").unwrap();
    let out = run_with(&["tickets", "--config", config], &[]).await;
    assert_eq!(out.code, 2, "{}", out.err);
    assert!(out.err.contains("PORTALDESK_TOKEN"), "{}", out.err);
    let out = run_with(&["tickets", "--config", config], &[("PORTALDESK_TOKEN", "x")]).await;
    assert_eq!(out.code, 1, "port 9 does not answer: {}", out.err);
    assert!(out.err.contains("cannot reach the portal"), "{}", out.err);
    // A portal address that cannot be used is a usage error.
    let out = run_with(&["show", "acc_1", "--portal", "http://portal.example.org"], &[("PORTALDESK_TOKEN", "x")]).await;
    assert_eq!(out.code, 2, "{}", out.err);
}

#[tokio::test]
async fn completions_and_help() {
    for shell in ["bash", "zsh", "fish"] {
        let out = run_with(&["completions", shell], &[]).await;
        let script = out.ok();
        assert!(script.contains("portaldesk"), "{shell}");
        assert!(script.contains("resend") && script.contains("expect-etag"), "{shell}: generated from the parser");
    }
    assert_eq!(run_with(&["completions", "tcsh"], &[]).await.code, 2);
    let help = run_with(&["--help"], &[]).await;
    let help = help.ok();
    // The exit codes' one table, as the README carries it too.
    assert!(help.contains(portaldesk::cli::exit::help_text().trim_end()), "{help}");
    for line in [
        "0      success",
        "2      usage",
        "3      not found",
        "4      conflict",
        "5      rate limited",
        "7      the client must be called",
    ] {
        assert!(help.contains(line), "{line}: {help}");
    }
    let help = run_with(&["dob", "set", "--help"], &[]).await;
    assert!(help.ok().contains("--expect-etag"), "{}", help.out);
}

#[test]
fn login_on_a_machine_without_a_keyring_says_so_and_names_portaldesk_token() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_portaldesk"))
        .args(["login", "--portal", "http://127.0.0.1:9"])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/portaldesk-test/bus")
        .env_remove("PORTALDESK_TOKEN")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no keyring service"), "{stderr}");
    assert!(stderr.contains("PORTALDESK_TOKEN"), "{stderr}");
    assert!(output.stdout.is_empty());
}

#[test]
fn without_a_token_the_commands_point_to_login() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_portaldesk"))
        .args(["tickets", "--portal", "http://127.0.0.1:9"])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/portaldesk-test/bus")
        .env_remove("PORTALDESK_TOKEN")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("PORTALDESK_TOKEN"), "{stderr}");
}

#[tokio::test]
async fn the_config_file_sets_the_time_zone_and_the_practices_own_replies() {
    let h = Harness::start().await;
    let seeded = h.ticket(SeedCase::DeliveredNotOpened).clone();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "time_zone = \"America/Chicago\"\n").unwrap();
    std::fs::create_dir(dir.path().join("replies")).unwrap();
    std::fs::write(dir.path().join("replies/not_opened.md"), "Dear {first_name}: please look in Spam.\n").unwrap();
    let config = config.to_str().unwrap();
    let url = h.sandbox.url();
    let token = ("PORTALDESK_TOKEN", "sandbox");

    let invites =
        run_with(&["invites", seeded.account_id.as_str(), "--portal", &url, "--config", config], &[token]).await;
    assert!(invites.ok().contains(" CST)") && !invites.out.contains(" UTC)"), "{}", invites.out);
    // The environment wins over the file.
    let env = [token, ("PORTALDESK_TIME_ZONE", "UTC")];
    let invites = run_with(&["invites", seeded.account_id.as_str(), "--portal", &url, "--config", config], &env).await;
    assert!(invites.ok().contains(" UTC)") && !invites.out.contains(" CST)"), "{}", invites.out);

    let diagnose =
        run_with(&["diagnose", seeded.account_id.as_str(), "--json", "--portal", &url, "--config", config], &[token])
            .await;
    let findings = diagnose.json()["findings"].clone();
    let first = &findings[0];
    assert_eq!(first["code"], "not_opened", "{findings}");
    let reply = first["reply"].as_str().unwrap();
    assert!(reply.starts_with("Dear ") && reply.ends_with(": please look in Spam."), "{reply}");

    // A reply file with a typo in a placeholder is a usage error naming it.
    std::fs::write(dir.path().join("replies/bounced.md"), "Hi {frist_name}").unwrap();
    let bad = run_with(&["diagnose", seeded.account_id.as_str(), "--portal", &url, "--config", config], &[token]).await;
    assert_eq!(bad.code, 2);
    assert!(bad.err.contains("bounced.md") && bad.err.contains("{frist_name}"), "{}", bad.err);
    // So is a config file with an unknown key, for every command.
    std::fs::write(dir.path().join("config.toml"), "\n\ntheme = \"dark\"\ntim_zone = \"UTC\"\n").unwrap();
    let bad = run_with(&["tickets", "--portal", &url, "--config", config], &[token]).await;
    assert_eq!(bad.code, 2);
    assert!(
        bad.err.contains("config.toml") && bad.err.contains("line 4") && bad.err.contains("tim_zone"),
        "{}",
        bad.err
    );
    assert!(bad.out.is_empty());
}

#[tokio::test]
async fn portaldesk_config_names_the_file_when_no_config_flag_does() {
    let h = Harness::start().await;
    let seeded = h.ticket(SeedCase::DeliveredNotOpened).clone();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("desk.toml");
    std::fs::write(&config, "time_zone = \"America/Chicago\"\n").unwrap();
    let config = config.to_str().unwrap();
    let url = h.sandbox.url();
    let env = [("PORTALDESK_TOKEN", "sandbox"), ("PORTALDESK_CONFIG", config)];
    let invites = run_with(&["invites", seeded.account_id.as_str(), "--portal", &url], &env).await;
    assert!(invites.ok().contains(" CST)") && !invites.out.contains(" UTC)"), "{}", invites.out);
    // --config wins over it.
    let other = dir.path().join("other.toml");
    std::fs::write(&other, "time_zone = \"UTC\"\n").unwrap();
    let args = ["invites", seeded.account_id.as_str(), "--portal", &url, "--config", other.to_str().unwrap()];
    let invites = run_with(&args, &env).await;
    assert!(invites.ok().contains(" UTC)") && !invites.out.contains(" CST)"), "{}", invites.out);
    // A file it names that does not parse stops every command, naming it.
    std::fs::write(config, "\ntheme = \"purple\"\n").unwrap();
    let bad = run_with(&["invites", seeded.account_id.as_str(), "--portal", &url], &env).await;
    assert_eq!(bad.code, 2, "{}", bad.err);
    assert!(bad.err.contains("desk.toml") && bad.err.contains("line 2: theme: "), "{}", bad.err);
    assert!(bad.out.is_empty());
    // A file it names that is missing, too.
    let missing = dir.path().join("nowhere.toml");
    let bad =
        run_with(&["check", "email", "pat@example.org"], &[("PORTALDESK_CONFIG", missing.to_str().unwrap())]).await;
    assert_eq!(bad.code, 2, "{}", bad.err);
    assert!(bad.err.contains("nowhere.toml"), "{}", bad.err);
}

#[tokio::test]
async fn a_typo_in_keys_stops_every_command_naming_the_line_or_the_variable() {
    let h = Harness::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "theme = \"dark\"\n\n[keys]\nresnd = \"s\"\n").unwrap();
    let config = config.to_str().unwrap();
    let url = h.sandbox.url();
    let url = url.as_str();
    let token = ("PORTALDESK_TOKEN", "sandbox");
    for args in
        [&["tickets", "--portal", url, "--config", config][..], &["check", "email", "a@b.org", "--config", config]]
    {
        let bad = run_with(args, &[token]).await;
        assert_eq!(bad.code, 2, "{args:?}: {}", bad.err);
        assert!(
            bad.err.contains("config.toml") && bad.err.contains("line 4: keys.resnd: no such action"),
            "{args:?}: {}",
            bad.err
        );
        assert!(bad.err.contains("resend"), "the names it could be: {}", bad.err);
        assert!(bad.out.is_empty(), "{}", bad.out);
    }
    // Two actions on one key.
    std::fs::write(config, "[keys]\nreveal = \"z\"\ncopy = \"z\"\n").unwrap();
    let bad = run_with(&["tickets", "--portal", url, "--config", config], &[token]).await;
    assert_eq!(bad.code, 2, "{}", bad.err);
    assert!(bad.err.contains("line ") && bad.err.contains("bound to both"), "{}", bad.err);
    // From the environment: the variable is named.
    std::fs::write(config, "").unwrap();
    let bad =
        run_with(&["tickets", "--portal", url, "--config", config], &[token, ("PORTALDESK_KEY_RESND", "s")]).await;
    assert_eq!(bad.code, 2, "{}", bad.err);
    assert!(bad.err.contains("environment variable PORTALDESK_KEY_RESND: no such action"), "{}", bad.err);
    assert!(!bad.err.contains("config.toml"), "{}", bad.err);
    // A good override is no error.
    std::fs::write(config, "[keys]\nresend = \"s\"\n").unwrap();
    run_with(&["tickets", "--portal", url, "--config", config], &[token]).await.ok();
}

#[tokio::test]
async fn an_environment_value_out_of_range_names_the_variable_not_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "idle_lock_minutes = 10\n").unwrap();
    let env = [("PORTALDESK_IDLE_LOCK_MINUTES", "0")];
    let bad = run_with(&["check", "email", "a@b.org", "--config", config.to_str().unwrap()], &env).await;
    assert_eq!(bad.code, 2, "{}", bad.err);
    assert!(bad.err.contains("PORTALDESK_IDLE_LOCK_MINUTES: 0 is out of range 1..=60"), "{}", bad.err);
    assert!(!bad.err.contains("config file"), "{}", bad.err);
}

#[tokio::test]
async fn logout_on_a_machine_without_a_keyring_says_so_whichever_way_the_portal_is_named() {
    let no_bus = ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/portaldesk-test/bus");
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "").unwrap();
    let config = config.to_str().unwrap();
    for (args, env) in [
        (&["logout", "--portal", "http://127.0.0.1:9", "--config", config][..], vec![no_bus]),
        (&["logout", "--config", config][..], vec![no_bus, ("PORTALDESK_PORTAL", "http://127.0.0.1:9")]),
        (&["logout", "--config", config][..], vec![no_bus, ("PORTALDESK_PORTAL_URL", "http://127.0.0.1:9")]),
    ] {
        let out = run_with(args, &env).await;
        assert_eq!(out.code, 2, "{args:?} {env:?}: {}", out.err);
        assert!(out.err.contains("no keyring service"), "{args:?} {env:?}: {}", out.err);
        assert!(out.err.contains("PORTALDESK_TOKEN"), "{}", out.err);
        assert!(out.out.is_empty(), "{}", out.out);
    }
    // With no portal named anywhere, it says how to name one.
    let out = run_with(&["logout", "--config", config], &[no_bus]).await;
    assert_eq!(out.code, 2, "{}", out.err);
    assert!(out.err.contains("--portal"), "{}", out.err);
}

#[tokio::test]
async fn diagnose_names_the_seeded_scanner_rewritten_link_and_wrong_address_tickets() {
    let h = Harness::start().await;
    for (case, code, words) in [
        (SeedCase::ScannerPreOpened, "link_pre_opened", "Microsoft (AS8075)"),
        (SeedCase::RewrittenLink, "link_rewritten", "Proofpoint URL Defense"),
        (SeedCase::WrongAddress, "wrong_address", "likely looking in the other inbox"),
    ] {
        let seeded = h.ticket(case).clone();
        let out = run(&h, &["diagnose", seeded.account_id.as_str(), "--json"]).await.json();
        let first = &out["findings"][0];
        assert_eq!(first["code"], code, "{case:?}: {out}");
        let explanation = first["explanation"].as_str().unwrap();
        assert!(explanation.contains(words), "{case:?}: {explanation}");
        // The readable form names it too.
        let text = run(&h, &["diagnose", seeded.account_id.as_str()]).await;
        assert!(text.ok().contains(code), "{case:?}: {}", text.out);
    }
}
