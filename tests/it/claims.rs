//! Issue 24, from outside: the client's claims in `check message --json`;
//! the findings of every seeded ticket never contradict what its client
//! wrote; the order after a resend, built on the sandbox through the API;
//! another agent's resend counted.

use crate::common;

use std::process::Command;

use chrono::Duration;
use common::{CHROME, Harness, two_agents};
use portaldesk::diagnose::claims::ClaimKind;
use portaldesk::diagnose::remedy::{self, Plan, RemedyKind, Step};
use portaldesk::diagnose::replies::{Replies, SENDER};
use portaldesk::diagnose::troubleshoot::{Case, ClientWords, Finding, FindingCode, troubleshoot};
use portaldesk::portal::IdempotencyKey;
use portaldesk::portal::PortalClient;
use portaldesk::portal::model::{Account, AccountId, AuditEntry, Invite, ResendRequest, TicketId};
use portaldesk::sandbox::seed::SeedCase;
use serde_json::Value;

/// `portaldesk check message --json` with `body` on stdin.
fn check_message(body: &str) -> Value {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_portaldesk"))
        .args(["check", "message", "--today", "2026-12-01", "--json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(body.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn check_message_json_carries_the_clients_claims_with_their_spans() {
    let body = "Where is the registration email? I did not check spam at first, but now I searched and found nothing, \
                not even in Spam.\nIs it safe to click?\n\n\
                On Nov 30, 2026, at 9:14 AM, Portal <no-reply@therapyappointment.com> wrote:\n\
                > The link says invalid, I refreshed it 6 times\n";
    let v = check_message(body);
    let claims = v["claims"].as_array().unwrap();
    let kinds: Vec<&str> = claims.iter().map(|c| c["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["not_received", "searched_spam", "asks_safe"], "{v}");
    for claim in claims {
        let (start, end) = (claim["start"].as_u64().unwrap() as usize, claim["end"].as_u64().unwrap() as usize);
        let cited: String = body.chars().skip(start).take(end - start).collect();
        assert_eq!(cited, claim["text"].as_str().unwrap());
    }
    assert_eq!(claims[1]["text"], "not even in Spam");
    // Spanish, and a negation that claims nothing.
    let v = check_message("No me ha llegado el correo. No revisé spam. ¿Es seguro el enlace?");
    let kinds: Vec<&str> = v["claims"].as_array().unwrap().iter().map(|c| c["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["not_received", "asks_safe"], "{v}");
    // Nothing to say: an empty list, not a missing key.
    assert_eq!(check_message("Thanks!")["claims"], Value::Array(Vec::new()));
}

/// Everything the console reads for a ticket, as it reads it.
struct Read {
    account: Account,
    invites: Vec<Invite>,
    audit: Vec<AuditEntry>,
    words: ClientWords,
}

async fn read(client: &PortalClient, account_id: &AccountId, ticket_id: &TicketId) -> Read {
    let now = client.clock().now();
    Read {
        account: client.account(account_id).await.unwrap().value,
        invites: client.invites(account_id).await.unwrap(),
        audit: client.audit(Some(account_id), None).await.unwrap(),
        words: ClientWords::of(&client.messages(ticket_id).await.unwrap(), now.date_naive()),
    }
}

fn diagnose(r: &Read, now: chrono::DateTime<chrono::Utc>, ticket: &TicketId) -> (Vec<Finding>, Plan) {
    let replies = Replies::builtin();
    let case = Case::new(&r.account, &r.invites, now).with_audit(&r.audit).with_words(&r.words).revealed(true);
    let findings = troubleshoot(&case, &replies);
    let plan = remedy::plan(&case, &findings, &r.words, Some(ticket), &replies).expect("a plan");
    (findings, plan)
}

fn latest(invites: &[Invite]) -> Option<&Invite> {
    invites.iter().max_by_key(|i| (i.sent_at, i.id.clone()))
}

#[tokio::test]
async fn no_seeded_tickets_findings_contradict_what_its_client_wrote() {
    let h = Harness::start().await;
    let now = h.sandbox.now();
    let mut table = vec!["| ticket | claims read | top finding | remedy |".to_owned(), "|---|---|---|---|".to_owned()];
    let mut claimed_kinds = std::collections::HashSet::new();
    for seeded in &h.sandbox.seeded.tickets {
        let r = read(&h.client, &seeded.account_id, &seeded.ticket_id).await;
        let (findings, plan) = diagnose(&r, now, &seeded.ticket_id);
        let top = &findings[0];
        // What the client hears: the reply, or the call's script when the
        // address is dead.
        let sent = plan.reply().map(|(body, _)| body).or(plan.call_script.as_ref());
        let plan_reply = sent.expect("a reply or a call").expose().to_lowercase();
        let replies = [top.reply.expose().to_lowercase(), plan_reply];
        let at = format!(
            "{} ({:?}): {:?}",
            seeded.ticket_id,
            seeded.case,
            findings.iter().map(|f| f.code).collect::<Vec<_>>()
        );
        let since = latest(&r.invites).map(|l| l.sent_at);
        let said_since =
            |kind| since.map_or(r.words.claimed(kind), |since| r.words.claimed_since(kind, since)).is_some();
        for claim in &r.words.claims {
            claimed_kinds.insert(claim.kind);
        }
        // Looked in Spam: not told to look there, and the cause is not first.
        if r.words.claimed(ClaimKind::SearchedSpam).is_some() {
            for f in &findings {
                assert!(!f.reply.expose().to_lowercase().contains("spam"), "{at}: {:?} {}", f.code, f.reply.expose());
            }
            assert!(!replies[1].contains("spam"), "{at}: {}", replies[1]);
        }
        if said_since(ClaimKind::SearchedSpam) {
            assert_ne!(top.code, FindingCode::NotOpened, "{at}");
            assert_eq!(plan.kind, RemedyKind::Resend, "{at}");
        }
        // Wrote their address: not asked to spell it out.
        if !r.words.emails.is_empty() {
            for f in &findings {
                let reply = f.reply.expose().to_lowercase();
                assert!(!reply.contains("spell out") && !reply.contains("tell us which one"), "{at}: {reply}");
            }
        }
        // The link says invalid, they opened it on a phone or again and
        // again: they have the email; the reason, never Spam.
        for kind in [ClaimKind::LinkInvalid, ClaimKind::OnPhone, ClaimKind::OpenedRepeatedly] {
            if said_since(kind) {
                assert!(!matches!(top.code, FindingCode::NotOpened), "{at}: {kind}");
                assert!(!replies.iter().any(|r| r.contains("spam")), "{at}: {kind}: {replies:?}");
            }
        }
        if said_since(ClaimKind::LinkInvalid) {
            assert_ne!(top.code, FindingCode::InviteWorking, "{at}");
        }
        // Asked whether it is safe: answered.
        if r.words.claimed(ClaimKind::AsksSafe).is_some() {
            for reply in &replies {
                assert!(reply.contains("yes, this invitation is ours") && reply.contains(SENDER), "{at}: {reply}");
            }
        }
        // Wants the invite at an address they wrote: the remedy sends it there.
        if let Some(wish) = r.words.claimed(ClaimKind::WantsAddress) {
            let wanted = r.words.emails.iter().find(|e| {
                e.cites.message_id == wish.cites.message_id
                    && e.cites.start >= wish.cites.start
                    && e.cites.end <= wish.cites.end
            });
            let went = latest(&r.invites).map(|l| l.sent_to.expose().clone()).unwrap_or_default();
            if let Some(wanted) = wanted.filter(|w| !w.reading.expose().eq_ignore_ascii_case(&went)) {
                let made_default = plan.steps.iter().any(
                    |s| matches!(s, Step::MakeDefault { address } if address.expose().eq_ignore_ascii_case(wanted.reading.expose())),
                );
                assert!(made_default, "{at}: {:?}", plan.steps);
            }
        }
        // Never received it: the link is not said to be working fine.
        if said_since(ClaimKind::NotReceived) {
            assert_ne!(top.code, FindingCode::InviteWorking, "{at}");
        }
        // Says the DOB is right: the DOB on file is what the finding questions.
        if r.words.claimed(ClaimKind::DobIsRight).is_some() {
            assert!(
                matches!(
                    top.code,
                    FindingCode::ProfileDobSuspect | FindingCode::DobInMessage | FindingCode::DobCorrected
                ),
                "{at}"
            );
        }
        // Says they have an account: it is the accepted one, or the finding says none was.
        if r.words.claimed(ClaimKind::AlreadyRegistered).is_some() {
            let accepted = r.invites.iter().any(|i| i.accepted_at.is_some());
            assert!(
                accepted && top.code == FindingCode::AlreadyAccepted
                    || top.explanation.contains("no invite of this account was accepted"),
                "{at}"
            );
        }
        let mut claims: Vec<&str> = r.words.claims.iter().map(|c| c.kind.as_str()).collect();
        claims.dedup();
        let claims = if claims.is_empty() { "–".to_owned() } else { claims.join(", ") };
        table.push(format!("| {} | {claims} | {} | {} |", seeded.ticket_id, top.code, plan.kind));
    }
    println!("{}", table.join("\n"));
    // The seeded conversations exercise most kinds.
    for kind in [
        ClaimKind::SearchedSpam,
        ClaimKind::NotReceived,
        ClaimKind::LinkInvalid,
        ClaimKind::OpenedRepeatedly,
        ClaimKind::OnPhone,
        ClaimKind::DobIsRight,
        ClaimKind::WantsAddress,
        ClaimKind::AsksSafe,
        ClaimKind::AlreadyRegistered,
    ] {
        assert!(claimed_kinds.contains(&kind), "no seeded ticket claims {kind}: {claimed_kinds:?}");
    }
}

// The order after a resend (point 3), built through the API.

async fn resend(client: &PortalClient, id: &AccountId) {
    client.resend(id, &ResendRequest::default(), &IdempotencyKey::new()).await.unwrap();
}

async fn codes_now(h: &Harness, seeded: &portaldesk::sandbox::seed::SeededTicket) -> (Vec<FindingCode>, Vec<Finding>) {
    let r = read(&h.client, &seeded.account_id, &seeded.ticket_id).await;
    let (findings, _) = diagnose(&r, h.client.clock().now(), &seeded.ticket_id);
    (findings.iter().map(|f| f.code).collect(), findings)
}

/// `invite_just_sent`, if said, comes after every one of `causes` said.
fn after(codes: &[FindingCode], causes: &[FindingCode]) {
    let Some(just) = codes.iter().position(|c| *c == FindingCode::InviteJustSent) else { return };
    for cause in causes {
        if let Some(at) = codes.iter().position(|c| c == cause) {
            assert!(at < just, "{cause:?} after invite_just_sent: {codes:?}");
        }
    }
}

#[tokio::test]
async fn after_a_resend_to_a_mistyped_address_the_typo_and_the_bounce_come_first() {
    let h = Harness::start().await;
    let seeded = h.ticket(SeedCase::EmailTypo).clone();
    resend(&h.client, &seeded.account_id).await;
    h.client.sandbox_advance_clock(10).await.unwrap();
    let (codes, findings) = codes_now(&h, &seeded).await;
    assert_eq!(codes[0], FindingCode::EmailTypo, "{codes:?}");
    after(&codes, &[FindingCode::EmailTypo, FindingCode::Bounced]);
    assert!(!findings[0].explanation.contains("it works for 48 hours"), "{}", findings[0].explanation);
}

#[tokio::test]
async fn a_person_on_the_new_link_ends_invite_just_sent_and_no_finding_says_nobody_opened_it() {
    let h = Harness::start().await;
    let seeded = h.ticket(SeedCase::DeliveredNotOpened).clone();
    resend(&h.client, &seeded.account_id).await;
    let (codes, _) = codes_now(&h, &seeded).await;
    assert_eq!(codes[0], FindingCode::InviteJustSent, "{codes:?}");
    let link = h.client.sandbox_outbox(Some(&seeded.account_id)).await.unwrap()[0].link.clone();
    // Six openings at once, right after delivery, in a browser that keeps
    // the page's cookie after the first (timing and the burst alone would
    // say scanner).
    for n in 0..6 {
        let mut request = h.raw().get(&link).header("User-Agent", CHROME);
        if n > 0 {
            request = request.header("Cookie", "portal_visit=1");
        }
        assert!(request.send().await.unwrap().status().is_success());
    }
    let (codes, findings) = codes_now(&h, &seeded).await;
    assert!(!codes.contains(&FindingCode::InviteJustSent), "{codes:?}");
    assert!(codes.contains(&FindingCode::LinkOpenedRepeatedly), "{codes:?}");
    for f in &findings {
        let text = format!("{} {}", f.explanation, f.next_step).to_lowercase();
        for words in ["never opened", "no one has opened", "nobody", "no person has opened"] {
            assert!(!text.contains(words), "{:?}: {text}", f.code);
        }
    }
}

#[tokio::test]
async fn an_older_link_opened_after_the_resend_outranks_the_resend() {
    let h = Harness::start().await;
    let seeded = h.ticket(SeedCase::DeliveredNotOpened).clone();
    let old = h.client.sandbox_outbox(Some(&seeded.account_id)).await.unwrap()[0].link.clone();
    resend(&h.client, &seeded.account_id).await;
    let sent = h.client.clock().now();
    h.client.sandbox_advance_clock(120).await.unwrap();
    let answer = h.raw().get(&old).header("User-Agent", CHROME).send().await.unwrap();
    assert!(answer.status().is_client_error() || answer.status().is_success());
    h.client.sandbox_advance_clock(60).await.unwrap();
    let (codes, findings) = codes_now(&h, &seeded).await;
    assert_eq!(codes[0], FindingCode::SupersededLinkUsed, "{codes:?}");
    after(&codes, &[FindingCode::SupersededLinkUsed, FindingCode::LinkInvalid]);
    let newest = portaldesk::timezone::StaffZone::Utc.long(sent);
    assert!(
        findings[0].explanation.contains(&format!("they are using an older email (the newest one came at {newest})")),
        "{}",
        findings[0].explanation
    );
}

// Colleagues (point 6): another agent's resend counts.

#[tokio::test]
async fn another_agents_resend_is_named_and_no_reply_points_to_the_link_it_superseded() {
    let (h, rivera) = two_agents().await;
    // T-1004: the page refused the client's DOB on the link they have.
    let seeded = h.ticket(SeedCase::DobDayMonthSwapped).clone();
    rivera.resend(&seeded.account_id, &ResendRequest::default(), &IdempotencyKey::new()).await.unwrap();
    let r = read(&h.client, &seeded.account_id, &seeded.ticket_id).await;
    let (findings, _) = diagnose(&r, h.client.clock().now(), &seeded.ticket_id);
    assert_eq!(findings[0].code, FindingCode::InviteJustSent, "{findings:?}");
    assert!(findings[0].explanation.contains("(sent by agent_rivera)"), "{}", findings[0].explanation);
    // Later, when the resend is no longer news: still no reply sends them to the old link.
    h.client.sandbox_advance_clock(Duration::minutes(40).num_seconds()).await.unwrap();
    let r = read(&h.client, &seeded.account_id, &seeded.ticket_id).await;
    let (findings, plan) = diagnose(&r, h.client.clock().now(), &seeded.ticket_id);
    assert!(findings.iter().any(|f| f.code == FindingCode::DobInMessage), "{findings:?}");
    let replies = findings.iter().map(|f| f.reply.expose().clone()).chain([plan.reply().unwrap().0.expose().clone()]);
    for reply in replies {
        assert!(!reply.contains("same invitation link") && !reply.contains("same link"), "{reply}");
    }
}
