//! Link forensics end to end: real requests to the sandbox's landing page
//! (a scanner's HEAD and headless GET seconds after delivery, a person's
//! browser hours later), then the visit log and the diagnosis read through
//! the client, as the console and `portaldesk diagnose` do.

use crate::common;

use chrono::Duration;
use common::{CHROME, Harness, t0};
use portaldesk::diagnose::replies::Replies;
use portaldesk::diagnose::troubleshoot::{Case, Finding, FindingCode, troubleshoot};
use portaldesk::diagnose::visit::{VisitKind, classify_invite};
use portaldesk::phi::Phi;
use portaldesk::portal::IdempotencyKey;
use portaldesk::portal::model::{AccountId, AccountPatch, InviteStatus, ResendRequest, RevokeRequest, VisitMethod};
use portaldesk::sandbox::seed::SeedCase;
use reqwest::StatusCode;

async fn diagnose(h: &Harness, account_id: &AccountId) -> Vec<Finding> {
    let account = h.client.account(account_id).await.unwrap().value;
    let invites = h.client.invites(account_id).await.unwrap();
    troubleshoot(&Case::new(&account, &invites, h.sandbox.now()), &Replies::builtin())
}

fn codes(findings: &[Finding]) -> Vec<FindingCode> {
    findings.iter().map(|f| f.code).collect()
}

/// A fresh invite for an account that never had one; its link.
async fn invite(h: &Harness) -> (AccountId, String) {
    let account_id = h.ticket(SeedCase::NoInvite).account_id.clone();
    h.client.resend(&account_id, &ResendRequest::default(), &IdempotencyKey::new()).await.unwrap();
    let link = h.client.sandbox_outbox(Some(&account_id)).await.unwrap().remove(0).link;
    (account_id, link)
}

#[tokio::test]
async fn a_scanner_seconds_after_delivery_and_a_person_hours_later_are_told_apart() {
    let h = Harness::start().await;
    let (account_id, link) = invite(&h).await;
    // Delivered 2 s after sending; the scanner comes 3 s after that.
    h.client.sandbox_advance_clock(5).await.unwrap();
    h.scanner_visit(&link).await;
    let invites = h.client.invites(&account_id).await.unwrap();
    assert_eq!(invites[0].link_opens, 2);
    assert_eq!(invites[0].visits.iter().map(|v| v.method).collect::<Vec<_>>(), [VisitMethod::Head, VisitMethod::Get]);
    let verdicts = classify_invite(&invites[0]);
    assert!(verdicts.iter().all(|v| v.kind == VisitKind::Scanner), "{verdicts:?}");
    // Seconds after the resend, that comes first (issue 14); the scanner
    // is named.
    let findings = diagnose(&h, &account_id).await;
    assert_eq!(codes(&findings), [FindingCode::InviteJustSent, FindingCode::LinkPreOpened]);
    assert!(findings[1].explanation.contains("twice from Microsoft (AS8075), 3s after delivery"), "{findings:?}");
    // Once it is no longer just sent: opened twice, yet unread: the scanner
    // is named, and so is the unread email.
    let account = h.client.account(&account_id).await.unwrap().value;
    let later = h.sandbox.now() + Duration::minutes(16);
    let findings = troubleshoot(&Case::new(&account, &invites, later), &Replies::builtin());
    assert_eq!(codes(&findings), [FindingCode::LinkPreOpened, FindingCode::NotOpened]);
    assert!(findings[0].explanation.contains("twice from Microsoft (AS8075), 3s after delivery"), "{findings:?}");

    // The client, three hours later, in Chrome; a refresh sends the cookie back.
    h.client.sandbox_advance_clock(3 * 3600).await.unwrap();
    let first = h.raw().get(&link).header("User-Agent", CHROME).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let cookie = first.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    h.client.sandbox_advance_clock(40).await.unwrap();
    let refresh = h.raw().get(&link).header("User-Agent", CHROME).header("Cookie", &cookie).send().await.unwrap();
    assert_eq!(refresh.status(), StatusCode::OK);

    let invites = h.client.invites(&account_id).await.unwrap();
    let log = &invites[0].visits;
    assert_eq!(log.iter().map(|v| v.cookies).collect::<Vec<_>>(), [false, false, false, true]);
    assert_eq!(log[2].at, t0() + Duration::seconds(5 + 3 * 3600));
    let kinds: Vec<_> = classify_invite(&invites[0]).into_iter().map(|v| v.kind).collect();
    assert_eq!(kinds, [VisitKind::Scanner, VisitKind::Scanner, VisitKind::Person, VisitKind::Person]);
    let findings = diagnose(&h, &account_id).await;
    assert_eq!(codes(&findings), [FindingCode::LinkPreOpened], "{findings:?}");
    assert!(findings[0].explanation.contains("the client opened it themselves"), "{}", findings[0].explanation);

    // Nothing was spent: the client's DOB still accepts the invite.
    let account = h.client.account(&account_id).await.unwrap().value;
    let dob = account.dob.expose().format("%m/%d/%Y").to_string();
    let answer = h.raw().post(&link).header("Cookie", &cookie).form(&[("dob", dob.as_str())]).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(h.client.invites(&account_id).await.unwrap()[0].status, InviteStatus::Accepted);
    assert_eq!(codes(&diagnose(&h, &account_id).await)[0], FindingCode::AlreadyAccepted);
}

#[tokio::test]
async fn a_revoked_link_is_explained_with_who_when_and_why() {
    let h = Harness::start().await;
    let (account_id, link) = invite(&h).await;
    let invite = h.client.invites(&account_id).await.unwrap().remove(0);
    let read = h.client.account(&account_id).await.unwrap();
    let request = RevokeRequest { reason: "client asked to use another address".into(), ticket_id: None };
    h.client.revoke_invite(&account_id, &invite.id, &read.etag, &request, &IdempotencyKey::new()).await.unwrap();
    h.client.sandbox_advance_clock(600).await.unwrap();
    let page = h.raw().get(&link).header("User-Agent", CHROME).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::GONE);
    h.client.sandbox_advance_clock(600).await.unwrap();

    let findings = diagnose(&h, &account_id).await;
    assert_eq!(codes(&findings), [FindingCode::LinkInvalid]);
    let why = &findings[0].explanation;
    assert!(why.starts_with("The link the client opened 10m ago shows the invalid-link page"), "{why}");
    assert!(why.contains("revoked by agent_sandbox at Nov 25, 09:00 UTC for: client asked to use another address"));
}

#[tokio::test]
async fn a_second_address_is_diagnosed_and_made_the_default() {
    let h = Harness::start().await;
    let account_id = h.ticket(SeedCase::NoInvite).account_id.clone();
    let read = h.client.account(&account_id).await.unwrap();
    let add = AccountPatch {
        add_email: Some(Phi::new("checks.this.one@example.org".into())),
        reason: "client's other mailbox".into(),
        ..AccountPatch::default()
    };
    let added = h.client.update_account(&account_id, &read.etag, &add, &IdempotencyKey::new()).await.unwrap();
    h.client.resend(&account_id, &ResendRequest::default(), &IdempotencyKey::new()).await.unwrap();
    h.client.sandbox_advance_clock(3600).await.unwrap();
    let findings = diagnose(&h, &account_id).await;
    assert_eq!(codes(&findings), [FindingCode::WrongAddress, FindingCode::NotOpened]);
    assert!(findings[0].explanation.contains("c***@e***.org"), "{}", findings[0].explanation);

    // Offered fix: make the other address the default and resend.
    let make_default = AccountPatch {
        default_email: Some(Phi::new("checks.this.one@example.org".into())),
        reason: "client reads this one".into(),
        ..AccountPatch::default()
    };
    h.client.update_account(&account_id, &added.etag, &make_default, &IdempotencyKey::new()).await.unwrap();
    let invite = h.client.resend(&account_id, &ResendRequest::default(), &IdempotencyKey::new()).await.unwrap();
    assert_eq!(invite.sent_to.expose(), "checks.this.one@example.org");
}
