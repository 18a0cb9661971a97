//! The API contract, checked through the typed client against a real
//! sandbox on 127.0.0.1:0 (no mocks of the portal).

use crate::common;

use chrono::{Duration, NaiveDate};
use common::{Harness, t0};
use portaldesk::phi::Phi;
use portaldesk::portal::client::AuditFilter;
use portaldesk::portal::model::{
    AccountId, AccountPatch, AuditAction, InvalidReason, InviteStatus, NewNote, ResendRequest, RevokeRequest, Role,
    ScannerProfile, TicketId, TicketPatch, TicketStatus, VisitMethod, VisitOutcome,
};
use portaldesk::portal::{AccountQuery, ApiToken, IdempotencyKey, PortalClient, PortalError};
use portaldesk::sandbox::seed::SeedCase;
use reqwest::StatusCode;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn dob_patch(dob: NaiveDate, reason: &str) -> AccountPatch {
    AccountPatch { dob: Some(Phi::new(dob)), reason: reason.into(), ..AccountPatch::default() }
}

#[tokio::test]
async fn me_answers_with_the_token_owner_and_wrong_tokens_get_401() {
    let h = Harness::start().await;
    assert_eq!(h.client.me().await.unwrap().id, "agent_sandbox");
    let stranger = PortalClient::new(&h.sandbox.url(), ApiToken::new("wrong"), common::fast_options()).unwrap();
    assert_eq!(stranger.me().await.unwrap_err(), PortalError::Unauthorized);
    let answer = h.raw().get(h.url("/api/v1/tickets")).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(answer.headers()["content-type"], "application/problem+json");
}

#[tokio::test]
async fn search_matches_names_emails_phones_and_ids_case_insensitively() {
    let h = Harness::start().await;
    let account = h.client.account(&"acc_42".into()).await.unwrap().value;
    let first = account.first_name.expose().to_uppercase();
    let email = account.email.expose().clone();
    let phone_tail: String =
        account.phone.expose().chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    // The full name, either way round (issue 27: "Rosa Novak" found nothing).
    let last = account.last_name.expose().clone();
    let full = format!("{} {last}", account.first_name.expose());
    let reversed = format!("{} {}", last.to_lowercase(), account.first_name.expose().to_lowercase());
    for q in [first.as_str(), &email, &email.to_uppercase(), &phone_tail, "acc_42", &full, &reversed] {
        let page = h
            .client
            .search_accounts(&AccountQuery { q: Some(q.to_owned()), limit: Some(100), ..Default::default() })
            .await
            .unwrap();
        assert!(page.items.iter().any(|a| a.id == "acc_42"), "query {q:?} missed acc_42");
    }
    // Two-character queries take the scan path and still match.
    let two: String = account.last_name.expose().chars().take(2).collect();
    let page = h
        .client
        .search_accounts(&AccountQuery { q: Some(two.to_lowercase()), limit: Some(100), ..Default::default() })
        .await
        .unwrap();
    assert!(!page.items.is_empty());
    assert!(page.items.iter().all(|a| {
        let hay = format!("{} {} {}", a.first_name.expose(), a.last_name.expose(), a.email.expose()).to_lowercase();
        hay.contains(&two.to_lowercase()) || a.id.as_str().contains(&two)
    }));
}

#[tokio::test]
async fn search_filters_by_role_and_pages_with_a_cursor() {
    let h = Harness::start().await;
    let staff = h
        .client
        .search_accounts(&AccountQuery { role: Some(Role::Staff), limit: Some(100), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(staff.items.len(), 20);
    assert!(staff.items.iter().all(|a| a.role == Role::Staff));
    assert_eq!(staff.next_cursor, None);

    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page =
            h.client.search_accounts(&AccountQuery { limit: Some(70), cursor, ..Default::default() }).await.unwrap();
        seen.extend(page.items.into_iter().map(|a| a.id));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen.len(), 220);
    let unique: std::collections::HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), 220, "pages overlap");
}

#[tokio::test]
async fn an_account_has_an_etag_and_unknown_ids_are_404() {
    let h = Harness::start().await;
    let read = h.client.account(&"acc_5".into()).await.unwrap();
    assert_eq!(read.value.id, "acc_5");
    assert!(read.etag.as_str().starts_with('"') && read.etag.as_str().ends_with('"'), "{}", read.etag);
    assert!(matches!(h.client.account(&"acc_999999".into()).await, Err(PortalError::NotFound { .. })));
    assert!(matches!(h.client.invites(&"nobody".into()).await, Err(PortalError::NotFound { .. })));
}

#[tokio::test]
async fn patch_needs_if_match_a_reason_and_valid_values() {
    let h = Harness::start().await;
    let read = h.client.account(&"acc_30".into()).await.unwrap();
    let key = IdempotencyKey::new;

    // 428 without If-Match.
    let answer = h
        .raw()
        .patch(h.url("/api/v1/accounts/acc_30"))
        .bearer_auth("sandbox")
        .json(&serde_json::json!({"dob": "1980-01-02", "reason": "typo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::PRECONDITION_REQUIRED);
    assert_eq!(answer.headers()["content-type"], "application/problem+json");

    // 422 for a missing reason, impossible, future or pre-1900 dates, a bad email, nothing to change.
    let missing_reason = h
        .raw()
        .patch(h.url("/api/v1/accounts/acc_30"))
        .bearer_auth("sandbox")
        .header("If-Match", read.etag.as_str())
        .json(&serde_json::json!({"dob": "1980-01-02"}))
        .send()
        .await
        .unwrap();
    assert_eq!(missing_reason.status(), StatusCode::UNPROCESSABLE_ENTITY);
    for body in [
        serde_json::json!({"dob": "1980-02-30", "reason": "x"}),
        serde_json::json!({"dob": "1980-13-01", "reason": "x"}),
        serde_json::json!({"dob": "02/03/1980", "reason": "x"}),
        serde_json::json!({"reason": "   "}),
    ] {
        let answer = h
            .raw()
            .patch(h.url("/api/v1/accounts/acc_30"))
            .bearer_auth("sandbox")
            .header("If-Match", read.etag.as_str())
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
    let future = dob_patch((t0() + Duration::days(2)).date_naive(), "typo");
    let old = dob_patch(date(1899, 12, 31), "typo");
    let bad_email = AccountPatch { email: Some("jo@@x".into()), reason: "typo".into(), ..Default::default() };
    let nothing = AccountPatch { reason: "typo".into(), ..Default::default() };
    for patch in [future, old, bad_email, nothing] {
        let e = h.client.update_account(&"acc_30".into(), &read.etag, &patch, &key()).await.unwrap_err();
        assert!(matches!(e, PortalError::Invalid { status: 422, .. }), "{e:?}");
    }
    // Nothing of that changed the account.
    assert_eq!(h.client.account(&"acc_30".into()).await.unwrap(), read);

    // A good change: 200, new values, new ETag, audited without the DOB.
    let changed = h
        .client
        .update_account(&"acc_30".into(), &read.etag, &dob_patch(date(1980, 1, 2), "client confirmed on call"), &key())
        .await
        .unwrap();
    assert_eq!(*changed.value.dob.expose(), date(1980, 1, 2));
    assert_ne!(changed.etag, read.etag);
    assert_eq!(h.client.account(&"acc_30".into()).await.unwrap().etag, changed.etag);
    let audit = h.client.audit(Some(&"acc_30".into()), None).await.unwrap();
    assert_eq!(audit[0].action, AuditAction::AccountUpdated);
    assert!(audit[0].summary.contains("date of birth changed"));
    assert!(!audit[0].summary.contains("1980"), "DOB leaked into the audit: {}", audit[0].summary);

    // The old ETag is now stale: 412, and nothing changes.
    let stale = h.client.update_account(&"acc_30".into(), &read.etag, &dob_patch(date(1970, 5, 5), "x"), &key()).await;
    assert_eq!(stale.unwrap_err(), PortalError::Stale);
    assert_eq!(*h.client.account(&"acc_30".into()).await.unwrap().value.dob.expose(), date(1980, 1, 2));
}

#[tokio::test]
async fn email_changes_are_masked_in_the_audit_and_searchable() {
    let h = Harness::start().await;
    let read = h.client.account(&"acc_31".into()).await.unwrap();
    let patch = AccountPatch {
        email: Some("corrected.address@example.org".into()),
        reason: "typo .cmo".into(),
        ticket_id: Some(h.ticket(SeedCase::EmailTypo).ticket_id.clone()),
        ..Default::default()
    };
    h.client.update_account(&"acc_31".into(), &read.etag, &patch, &IdempotencyKey::new()).await.unwrap();
    let page = h
        .client
        .search_accounts(&AccountQuery { q: Some("corrected.address".into()), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(page.items.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), ["acc_31"]);
    let audit = h.client.audit(Some(&"acc_31".into()), None).await.unwrap();
    assert_eq!(audit[0].ticket_id, patch.ticket_id);
    assert!(audit[0].summary.contains("c***@e***.org"), "{}", audit[0].summary);
    assert!(!audit[0].summary.contains("corrected"), "{}", audit[0].summary);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_patches_with_the_same_etag_exactly_one_wins() {
    let h = Harness::start().await;
    let read = h.client.account(&"acc_33".into()).await.unwrap();
    let (a, b) = (h.client.clone(), h.client.clone());
    let (etag_a, etag_b) = (read.etag.clone(), read.etag.clone());
    let first = tokio::spawn(async move {
        a.update_account(&"acc_33".into(), &etag_a, &dob_patch(date(1981, 1, 1), "a"), &IdempotencyKey::new()).await
    });
    let second = tokio::spawn(async move {
        b.update_account(&"acc_33".into(), &etag_b, &dob_patch(date(1982, 2, 2), "b"), &IdempotencyKey::new()).await
    });
    let outcomes = [first.await.unwrap(), second.await.unwrap()];
    let winners: Vec<_> = outcomes.iter().filter_map(|o| o.as_ref().ok()).collect();
    assert_eq!(winners.len(), 1, "{outcomes:?}");
    assert!(outcomes.iter().any(|o| o.as_ref().err() == Some(&PortalError::Stale)));
    let now = h.client.account(&"acc_33".into()).await.unwrap();
    assert_eq!(now.value.dob, winners[0].value.dob);
}

#[tokio::test]
async fn a_patch_retried_with_its_key_replays_instead_of_failing_412() {
    let h = Harness::start().await;
    let read = h.client.account(&"acc_34".into()).await.unwrap();
    let key = IdempotencyKey::new();
    let patch = dob_patch(date(1975, 7, 7), "retry");
    let first = h.client.update_account(&"acc_34".into(), &read.etag, &patch, &key).await.unwrap();
    let again = h.client.update_account(&"acc_34".into(), &read.etag, &patch, &key).await.unwrap();
    assert_eq!(first, again);
}

#[tokio::test]
async fn resend_needs_an_idempotency_key_and_replays_on_retry() {
    let h = Harness::start().await;
    let account = &h.ticket(SeedCase::NoInvite).account_id.clone();
    assert!(h.client.invites(account).await.unwrap().is_empty());

    let answer = h
        .raw()
        .post(h.url(&format!("/api/v1/accounts/{account}/invites")))
        .bearer_auth("sandbox")
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    assert_eq!(answer.headers()["content-type"], "application/problem+json");
    assert!(h.client.invites(account).await.unwrap().is_empty());

    let key = IdempotencyKey::new();
    let request =
        ResendRequest { ticket_id: Some(h.ticket(SeedCase::NoInvite).ticket_id.clone()), ..ResendRequest::default() };
    let first = h.client.resend(account, &request, &key).await.unwrap();
    let replay = h.client.resend(account, &request, &key).await.unwrap();
    assert_eq!(first, replay, "a replay must answer the same invite");
    assert_eq!(h.client.invites(account).await.unwrap().len(), 1);

    // Same key, another body: 422, and still one invite.
    let other = h.client.resend(account, &ResendRequest::default(), &key).await.unwrap_err();
    assert!(matches!(other, PortalError::Invalid { status: 422, .. }), "{other:?}");
    assert_eq!(h.client.invites(account).await.unwrap().len(), 1);

    let audit = h.client.audit(Some(account), None).await.unwrap();
    assert_eq!(audit.iter().filter(|e| e.action == AuditAction::InviteSent).count(), 1);
    assert_eq!(audit[0].ticket_id, request.ticket_id);
}

#[tokio::test]
async fn resend_supersedes_earlier_pending_invites_and_sets_expiry_by_role() {
    let h = Harness::start().await;
    let client_account = h.ticket(SeedCase::DeliveredNotOpened).account_id.clone();
    let before = h.client.invites(&client_account).await.unwrap();
    assert_eq!(before[0].status, InviteStatus::Pending);

    let fresh = h.client.resend(&client_account, &ResendRequest::default(), &IdempotencyKey::new()).await.unwrap();
    assert_eq!(fresh.sent_at, t0());
    assert_eq!(fresh.expires_at - fresh.sent_at, Duration::hours(48));
    assert_eq!(fresh.status, InviteStatus::Pending);
    let after = h.client.invites(&client_account).await.unwrap();
    assert_eq!(after[0].id, fresh.id, "newest first");
    assert_eq!(after[1].id, before[0].id);
    assert_eq!(after[1].status, InviteStatus::Superseded);
    assert!(after.iter().skip(1).all(|i| i.status != InviteStatus::Pending));

    let staff_account = h.ticket(SeedCase::ExpiredStaffInvite).account_id.clone();
    let staff_invite =
        h.client.resend(&staff_account, &ResendRequest::default(), &IdempotencyKey::new()).await.unwrap();
    assert_eq!(staff_invite.expires_at - staff_invite.sent_at, Duration::hours(1));
    // The expired one stays expired (not superseded): it was no longer pending.
    let staff_invites = h.client.invites(&staff_account).await.unwrap();
    assert_eq!(staff_invites[1].status, InviteStatus::Expired);
}

#[tokio::test]
async fn invites_expire_after_1_hour_for_staff_and_48_hours_for_clients() {
    let h = Harness::start().await;
    // The seed has a client and a staff account that never had an invite.
    let mut client_id = None;
    let mut staff_id = None;
    for t in h.sandbox.seeded.tickets.iter().filter(|t| t.case == SeedCase::NoInvite) {
        match h.client.account(&t.account_id).await.unwrap().value.role {
            Role::Client => client_id = Some(t.account_id.clone()),
            Role::Staff => staff_id = Some(t.account_id.clone()),
        }
    }
    let (client_id, staff_id) = (client_id.unwrap(), staff_id.unwrap());
    assert_eq!(h.client.account(&staff_id).await.unwrap().value.role, Role::Staff);
    let c = h.client.resend(&client_id, &ResendRequest::default(), &IdempotencyKey::new()).await.unwrap();
    let s = h.client.resend(&staff_id, &ResendRequest::default(), &IdempotencyKey::new()).await.unwrap();
    let status = |id: &AccountId| {
        let client = h.client.clone();
        let id = id.clone();
        async move { client.invites(&id).await.unwrap()[0].status }
    };

    h.client.sandbox_advance_clock(3599).await.unwrap();
    assert_eq!(status(&staff_id).await, InviteStatus::Pending);
    h.client.sandbox_advance_clock(1).await.unwrap();
    assert_eq!(status(&staff_id).await, InviteStatus::Expired);
    assert_eq!(status(&client_id).await, InviteStatus::Pending);

    h.client.sandbox_advance_clock(47 * 3600 - 1).await.unwrap();
    assert_eq!(status(&client_id).await, InviteStatus::Pending);
    h.client.sandbox_advance_clock(1).await.unwrap();
    assert_eq!(status(&client_id).await, InviteStatus::Expired);
    assert_eq!(h.sandbox.now(), c.sent_at + Duration::hours(48));
    assert_eq!(s.expires_at, s.sent_at + Duration::hours(1));

    // The list shows the same effective state.
    let page =
        h.client.search_accounts(&AccountQuery { q: Some(client_id.to_string()), ..Default::default() }).await.unwrap();
    let row = page.items.iter().find(|a| a.id == client_id).unwrap();
    assert_eq!(row.latest_invite.as_ref().map(|i| i.status), Some(InviteStatus::Expired));
}

#[tokio::test]
async fn the_sixth_resend_in_an_hour_is_429_with_retry_after() {
    let h = Harness::start().await;
    let account = &AccountId::from("acc_150");
    for n in 0..5 {
        h.client.resend(account, &ResendRequest::default(), &IdempotencyKey::new()).await.unwrap();
        h.client.sandbox_advance_clock(60).await.unwrap();
        assert_eq!(
            h.client.invites(account).await.unwrap().iter().filter(|i| i.status == InviteStatus::Pending).count(),
            1,
            "after resend {n}"
        );
    }
    let sixth = h.client.resend(account, &ResendRequest::default(), &IdempotencyKey::new()).await.unwrap_err();
    // The first of the five was sent 5 minutes ago: the window frees in 55 minutes.
    let detail = Some("at most 5 invites per account in a rolling hour".to_owned());
    assert_eq!(sixth, PortalError::RateLimited { retry_after: std::time::Duration::from_secs(55 * 60), detail });
    assert_eq!(sixth.exit_code(), 5);
    let answer = h
        .raw()
        .post(h.url(&format!("/api/v1/accounts/{account}/invites")))
        .bearer_auth("sandbox")
        .header("Idempotency-Key", "k-429")
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(answer.headers()["retry-after"], "3300");
    h.client.sandbox_advance_clock(55 * 60).await.unwrap();
    h.client.resend(account, &ResendRequest::default(), &IdempotencyKey::new()).await.unwrap();
}

#[tokio::test]
async fn tickets_are_the_queue_oldest_first_with_their_account() {
    let h = Harness::start().await;
    let open = h.client.tickets(Some(TicketStatus::Open)).await.unwrap();
    assert_eq!(open.len(), h.sandbox.seeded.tickets.len());
    assert!(open.len() >= 25);
    assert!(open.windows(2).all(|w| w[0].opened_at <= w[1].opened_at));
    assert!(open.iter().all(|t| t.account.as_ref().is_some_and(|a| a.id == t.account_id)));
    let all = h.client.tickets(None).await.unwrap();
    assert!(all.len() > open.len());
    assert!(all.iter().any(|t| t.status == TicketStatus::Solved));
}

#[tokio::test]
async fn tickets_change_under_if_match_and_take_notes() {
    let h = Harness::start().await;
    let id = h.sandbox.seeded.tickets[0].ticket_id.clone();
    let read = h.client.ticket(&id).await.unwrap();
    let claim = TicketPatch { assignee: Some(Some("agent_sandbox".into())), ..Default::default() };
    let claimed = h.client.update_ticket(&id, &read.etag, &claim, &IdempotencyKey::new()).await.unwrap();
    assert_eq!(claimed.value.assignee.as_deref(), Some("agent_sandbox"));
    let stale = h.client.update_ticket(&id, &read.etag, &claim, &IdempotencyKey::new()).await.unwrap_err();
    assert_eq!(stale, PortalError::Stale);
    let unknown = TicketPatch { assignee: Some(Some("agent_nobody".into())), ..Default::default() };
    let e = h.client.update_ticket(&id, &claimed.etag, &unknown, &IdempotencyKey::new()).await.unwrap_err();
    assert!(matches!(e, PortalError::Invalid { status: 422, .. }));
    let solve = TicketPatch { status: Some(TicketStatus::Solved), assignee: Some(None) };
    let solved = h.client.update_ticket(&id, &claimed.etag, &solve, &IdempotencyKey::new()).await.unwrap();
    assert_eq!((solved.value.status, solved.value.assignee), (TicketStatus::Solved, None));

    let key = IdempotencyKey::new();
    let note = NewNote { body: "Resent invite; client will check Spam.".into() };
    let first = h.client.add_note(&id, &note, &key).await.unwrap();
    let again = h.client.add_note(&id, &note, &key).await.unwrap();
    assert_eq!(first, again);
    assert_eq!(h.client.notes(&id).await.unwrap(), vec![first]);
    let audit = h.client.audit(None, Some(&id)).await.unwrap();
    assert_eq!(
        audit.iter().map(|e| e.action).collect::<Vec<_>>(),
        [AuditAction::NoteAdded, AuditAction::TicketUpdated, AuditAction::TicketUpdated]
    );
}

#[tokio::test]
async fn bad_input_gets_problem_json_never_a_500() {
    let h = Harness::start().await;
    let etag = h.client.account(&"acc_60".into()).await.unwrap().etag;
    let patch = |body: reqwest::Body, content_type: &str| {
        h.raw()
            .patch(h.url("/api/v1/accounts/acc_60"))
            .bearer_auth("sandbox")
            .header("If-Match", etag.as_str())
            .header("Content-Type", content_type)
            .body(body)
    };
    let huge = format!("{{\"reason\": \"{}\"}}", "x".repeat(200_000));
    let cases: Vec<(reqwest::RequestBuilder, StatusCode)> = vec![
        (patch("{\"reason\": ".into(), "application/json"), StatusCode::BAD_REQUEST),
        (patch("not json at all".into(), "application/json"), StatusCode::BAD_REQUEST),
        (patch(r#"{"reason":"x","dbo":"1990-01-01"}"#.into(), "application/json"), StatusCode::UNPROCESSABLE_ENTITY),
        (patch(r#"{"reason":42}"#.into(), "application/json"), StatusCode::UNPROCESSABLE_ENTITY),
        (patch(huge.into(), "application/json"), StatusCode::PAYLOAD_TOO_LARGE),
        (patch(r#"{"reason":"x"}"#.into(), "text/plain"), StatusCode::UNSUPPORTED_MEDIA_TYPE),
        (h.raw().get(h.url("/api/v1/accounts?limit=ten")).bearer_auth("sandbox"), StatusCode::BAD_REQUEST),
        (h.raw().get(h.url("/api/v1/accounts?limit=0")).bearer_auth("sandbox"), StatusCode::BAD_REQUEST),
        (h.raw().get(h.url("/api/v1/accounts?limit=-1")).bearer_auth("sandbox"), StatusCode::BAD_REQUEST),
        (h.raw().get(h.url("/api/v1/accounts?cursor=zzz")).bearer_auth("sandbox"), StatusCode::BAD_REQUEST),
        (h.raw().get(h.url("/api/v1/accounts?role=admin")).bearer_auth("sandbox"), StatusCode::BAD_REQUEST),
        (h.raw().get(h.url("/api/v1/accounts?nope=1")).bearer_auth("sandbox"), StatusCode::BAD_REQUEST),
        (h.raw().get(h.url("/api/v1/tickets?status=closed")).bearer_auth("sandbox"), StatusCode::BAD_REQUEST),
        (h.raw().get(h.url("/api/v1/nowhere")).bearer_auth("sandbox"), StatusCode::NOT_FOUND),
        (h.raw().delete(h.url("/api/v1/accounts/acc_60")).bearer_auth("sandbox"), StatusCode::METHOD_NOT_ALLOWED),
        (
            h.raw()
                .post(h.url("/api/v1/accounts/acc_60/invites"))
                .bearer_auth("sandbox")
                .header("Idempotency-Key", "")
                .json(&serde_json::json!({})),
            StatusCode::BAD_REQUEST,
        ),
        (
            h.raw()
                .post(h.url("/api/v1/accounts/acc_60/invites"))
                .bearer_auth("sandbox")
                .header("Idempotency-Key", "k1")
                .json(&serde_json::json!({"ticket_id": "T-none"})),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (n, (request, expected)) in cases.into_iter().enumerate() {
        let answer = request.send().await.unwrap();
        assert_eq!(answer.status(), expected, "case {n}");
        assert_eq!(answer.headers()["content-type"], "application/problem+json", "case {n}");
        let problem: portaldesk::portal::model::Problem = answer.json().await.unwrap();
        assert_eq!(problem.status, expected.as_u16(), "case {n}");
        assert!(!problem.title.is_empty());
    }
    // And the account is untouched.
    assert_eq!(h.client.account(&"acc_60".into()).await.unwrap().etag, etag);
}

#[tokio::test]
async fn the_invite_page_checks_the_dob_strictly_and_explains_dead_links() {
    let h = Harness::start().await;
    let account_id = h.ticket(SeedCase::NoInvite).account_id.clone();
    let account = h.client.account(&account_id).await.unwrap().value;
    let invite = h.client.resend(&account_id, &ResendRequest::default(), &IdempotencyKey::new()).await.unwrap();
    let outbox = h.client.sandbox_outbox(Some(&account_id)).await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].invite_id, invite.id);
    assert_eq!(outbox[0].to, account.email);
    let link = outbox[0].link.clone();
    assert!(link.starts_with(&h.sandbox.url()));

    let page = h.raw().get(&link).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("MM/DD/YYYY"));

    let dob = *account.dob.expose();
    let day_first = dob.format("%d/%m/%Y").to_string();
    let unpadded = format!("{}/{}/{}", dob.format("%-m"), dob.format("%-d"), dob.format("%Y"));
    for wrong in [day_first.as_str(), unpadded.as_str(), "not a date"] {
        if wrong == dob.format("%m/%d/%Y").to_string() {
            continue;
        }
        let answer = h.raw().post(&link).form(&[("dob", wrong)]).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY, "{wrong}");
    }
    let after_failures = &h.client.invites(&account_id).await.unwrap()[0];
    assert!(after_failures.dob_failures >= 2);
    assert_eq!(after_failures.link_opens, 1);
    assert_eq!(after_failures.status, InviteStatus::Pending);

    let right = dob.format("%m/%d/%Y").to_string();
    let answer = h.raw().post(&link).form(&[("dob", right.as_str())]).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let accepted = &h.client.invites(&account_id).await.unwrap()[0];
    assert_eq!(accepted.status, InviteStatus::Accepted);
    assert_eq!(accepted.accepted_at, Some(t0()));

    // Used, superseded, expired and unknown links each say why.
    let used = h.raw().get(&link).send().await.unwrap();
    assert_eq!(used.status(), StatusCode::GONE);
    assert!(used.text().await.unwrap().contains("already been used"));
    let superseded_case = h.ticket(SeedCase::SupersededLink).account_id.clone();
    let old = h.client.sandbox_outbox(Some(&superseded_case)).await.unwrap().pop().unwrap();
    let answer = h.raw().get(&old.link).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::GONE);
    assert!(answer.text().await.unwrap().contains("newer invitation"));
    let expired_case = h.ticket(SeedCase::ExpiredClientInvite).account_id.clone();
    let expired = h.client.sandbox_outbox(Some(&expired_case)).await.unwrap().remove(0);
    let answer = h.raw().post(&expired.link).form(&[("dob", right.as_str())]).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::GONE);
    assert!(answer.text().await.unwrap().contains("expired"));
    let unknown = h.raw().get(h.url("/invite/nope")).send().await.unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_client_clock_follows_the_server_clock() {
    let h = Harness::start().await;
    h.client.me().await.unwrap();
    // The sandbox is frozen at t0, hours away from the real clock: the
    // client's estimate of server time lands within a second of it.
    let error = (h.client.clock().now() - t0()).num_milliseconds().abs();
    assert!(error <= 1_500, "off by {error} ms");
    h.client.sandbox_advance_clock(7200).await.unwrap();
    h.client.me().await.unwrap();
    let error = (h.client.clock().now() - (t0() + Duration::hours(2))).num_milliseconds().abs();
    assert!(error <= 1_500, "off by {error} ms");
}

fn address(text: &str) -> Option<Phi<String>> {
    Some(Phi::new(text.to_owned()))
}

#[tokio::test]
async fn an_account_carries_every_address_and_patch_adds_defaults_and_removes_them() {
    let h = Harness::start().await;
    let read = h.client.account(&"acc_40".into()).await.unwrap();
    let first = read.value.email.expose().clone();
    assert_eq!(read.value.emails.len(), 1);
    assert!(read.value.emails[0].is_default);
    assert_eq!(read.value.emails[0].address, read.value.email);
    let key = IdempotencyKey::new;

    // Add a second address: the default stays, the ETag moves.
    let add = AccountPatch {
        add_email: address("second.mailbox@example.org"),
        reason: "client reads this one too".into(),
        ..Default::default()
    };
    let added = h.client.update_account(&"acc_40".into(), &read.etag, &add, &key()).await.unwrap();
    assert_eq!(added.value.email.expose(), &first);
    let addresses: Vec<(&str, bool)> =
        added.value.emails.iter().map(|e| (e.address.expose().as_str(), e.is_default)).collect();
    assert_eq!(addresses, [(first.as_str(), true), ("second.mailbox@example.org", false)]);
    assert_ne!(added.etag, read.etag);
    // Every address is searchable.
    let page = h
        .client
        .search_accounts(&AccountQuery { q: Some("second.mailbox".into()), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(page.items.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), ["acc_40"]);

    // 422: the same address again (in another case), removing the default,
    // naming an address the account does not have, a bad address.
    let refused = [
        AccountPatch { add_email: address("SECOND.mailbox@example.org"), ..Default::default() },
        AccountPatch { remove_email: address(&first), ..Default::default() },
        AccountPatch { default_email: address("nobody@example.org"), ..Default::default() },
        AccountPatch { remove_email: address("nobody@example.org"), ..Default::default() },
        AccountPatch { add_email: address("not an address"), ..Default::default() },
        AccountPatch { email: address("second.mailbox@example.org"), ..Default::default() },
    ];
    for mut patch in refused {
        patch.reason = "x".into();
        let e = h.client.update_account(&"acc_40".into(), &added.etag, &patch, &key()).await.unwrap_err();
        let PortalError::Invalid { status: 422, detail } = e else { panic!("{e:?}") };
        assert!(!detail.contains("mailbox") && !detail.contains('@'), "the address leaked: {detail}");
    }
    assert_eq!(h.client.account(&"acc_40".into()).await.unwrap(), added);

    // 412 on the ETag read before the address was added; 428 without If-Match.
    let stale = AccountPatch { default_email: address("second.mailbox@example.org"), ..Default::default() };
    let stale = AccountPatch { reason: "x".into(), ..stale };
    assert_eq!(
        h.client.update_account(&"acc_40".into(), &read.etag, &stale, &key()).await.unwrap_err(),
        PortalError::Stale
    );
    let answer = h
        .raw()
        .patch(h.url("/api/v1/accounts/acc_40"))
        .bearer_auth("sandbox")
        .json(&serde_json::json!({"default_email": "second.mailbox@example.org", "reason": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::PRECONDITION_REQUIRED);

    // Make the second the default and drop the first in one change.
    let swap = AccountPatch {
        default_email: address("second.mailbox@example.org"),
        remove_email: address(&first),
        reason: "client closed the old mailbox".into(),
        ..Default::default()
    };
    let swapped = h.client.update_account(&"acc_40".into(), &added.etag, &swap, &key()).await.unwrap();
    assert_eq!(swapped.value.email.expose(), "second.mailbox@example.org");
    assert_eq!(swapped.value.emails.len(), 1);
    assert!(swapped.value.emails[0].is_default);
    let audit = h.client.audit(Some(&"acc_40".into()), None).await.unwrap();
    assert!(audit[0].summary.contains("default address now s***@e***.org"), "{}", audit[0].summary);
    assert!(audit[0].summary.contains("removed"), "{}", audit[0].summary);
    assert!(!audit[0].summary.contains("second.mailbox"), "{}", audit[0].summary);

    // Invites go to the default and say so.
    let invite = h.client.resend(&"acc_40".into(), &ResendRequest::default(), &key()).await.unwrap();
    assert_eq!(invite.sent_to.expose(), "second.mailbox@example.org");
}

#[tokio::test]
async fn revoke_is_conditional_idempotent_audited_and_kills_the_link() {
    let h = Harness::start().await;
    let account_id = h.ticket(SeedCase::NoInvite).account_id.clone();
    let invite = h.client.resend(&account_id, &ResendRequest::default(), &IdempotencyKey::new()).await.unwrap();
    let link = h.client.sandbox_outbox(Some(&account_id)).await.unwrap().remove(0).link;
    let read = h.client.account(&account_id).await.unwrap();
    let path = format!("/api/v1/accounts/{account_id}/invites/{}/revoke", invite.id);
    let body = serde_json::json!({"reason": "sent to the wrong mailbox"});

    // 428 without If-Match; 400 without an Idempotency-Key.
    let answer = h.raw().post(h.url(&path)).bearer_auth("sandbox").json(&body).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::PRECONDITION_REQUIRED);
    let answer = h
        .raw()
        .post(h.url(&path))
        .bearer_auth("sandbox")
        .header("If-Match", read.etag.as_str())
        .json(&body)
        .send()
        .await;
    assert_eq!(answer.unwrap().status(), StatusCode::BAD_REQUEST);

    // 422: a blank reason, a ticket that does not exist.
    let revoke = |reason: &str, ticket: Option<&str>| RevokeRequest {
        reason: reason.into(),
        ticket_id: ticket.map(TicketId::from),
    };
    for request in [revoke("  ", None), revoke("x", Some("T-999999"))] {
        let e = h.client.revoke_invite(&account_id, &invite.id, &read.etag, &request, &IdempotencyKey::new()).await;
        assert!(matches!(e, Err(PortalError::Invalid { status: 422, .. })), "{e:?}");
    }
    // 404: an invite of another account.
    let other = h.ticket(SeedCase::DeliveredNotOpened).account_id.clone();
    let other_read = h.client.account(&other).await.unwrap();
    let e =
        h.client.revoke_invite(&other, &invite.id, &other_read.etag, &revoke("x", None), &IdempotencyKey::new()).await;
    assert!(matches!(e, Err(PortalError::NotFound { .. })), "{e:?}");
    assert_eq!(h.client.invites(&account_id).await.unwrap()[0].status, InviteStatus::Pending);

    // The revoke: the invite says who, when and why; the account's ETag moves.
    let ticket = h.ticket(SeedCase::NoInvite).ticket_id.clone();
    let request = revoke("sent to the wrong mailbox", Some(ticket.as_str()));
    let key = IdempotencyKey::new();
    let revoked = h.client.revoke_invite(&account_id, &invite.id, &read.etag, &request, &key).await.unwrap();
    assert_eq!(revoked.value.status, InviteStatus::Revoked);
    let revocation = revoked.value.revoked.clone().unwrap();
    assert_eq!((revocation.by.as_str(), revocation.at), ("agent_sandbox", t0()));
    assert_eq!(revocation.reason, "sent to the wrong mailbox");
    assert_eq!(revocation.ticket_id.as_ref(), Some(&ticket));
    assert_ne!(revoked.etag, read.etag);
    assert_eq!(h.client.account(&account_id).await.unwrap().etag, revoked.etag);

    // A retry with the same key replays the answer, even on the old ETag.
    let again = h.client.revoke_invite(&account_id, &invite.id, &read.etag, &request, &key).await.unwrap();
    assert_eq!(again, revoked);
    // Revoking it again with a new key, on the new ETag or the old one (a
    // retry whose answer was lost), answers the invite as it is: the first
    // revoke's who and why, the current ETag, and no second change.
    h.client.sandbox_advance_clock(60).await.unwrap();
    let other_request = revoke("another reason", None);
    for etag in [&revoked.etag, &read.etag] {
        let again = h
            .client
            .revoke_invite(&account_id, &invite.id, etag, &other_request, &IdempotencyKey::new())
            .await
            .unwrap();
        // (Its delivery has moved on with the clock; the revoke has not.)
        assert_eq!((&again.value.id, again.value.status), (&invite.id, InviteStatus::Revoked));
        assert_eq!(again.value.revoked, revoked.value.revoked);
        assert_eq!(again.etag, revoked.etag);
    }
    assert_eq!(h.client.account(&account_id).await.unwrap().etag, revoked.etag, "no new version");
    // Still 428 without If-Match, and 422 for a blank reason.
    let answer = h.raw().post(h.url(&path)).bearer_auth("sandbox").json(&body).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::PRECONDITION_REQUIRED);
    let blank = revoke(" ", None);
    let e = h.client.revoke_invite(&account_id, &invite.id, &revoked.etag, &blank, &IdempotencyKey::new()).await;
    assert!(matches!(e, Err(PortalError::Invalid { status: 422, .. })), "{e:?}");
    // An invite that is not pending and not revoked cannot be revoked: 422.
    let superseded = h.ticket(SeedCase::SupersededLink).account_id.clone();
    let old = h.client.invites(&superseded).await.unwrap();
    let old = old.iter().find(|i| i.status == InviteStatus::Superseded).unwrap();
    let etag = h.client.account(&superseded).await.unwrap().etag;
    let e = h.client.revoke_invite(&superseded, &old.id, &etag, &revoke("x", None), &IdempotencyKey::new()).await;
    assert!(matches!(e, Err(PortalError::Invalid { status: 422, .. })), "{e:?}");
    assert_eq!(h.client.account(&superseded).await.unwrap().etag, etag);

    let audit = h.client.audit(Some(&account_id), None).await.unwrap();
    assert_eq!(audit[0].action, AuditAction::InviteRevoked);
    assert_eq!(audit[0].ticket_id.as_ref(), Some(&ticket));
    assert_eq!(audit.iter().filter(|a| a.action == AuditAction::InviteRevoked).count(), 1);

    // The link now shows the invalid-link page, saying why, and the visit is logged.
    let page = h.raw().get(&link).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::GONE);
    let text = page.text().await.unwrap();
    assert!(text.contains("data-reason=\"revoked\"") && text.contains("cancelled"), "{text}");
    let visits = h.client.invites(&account_id).await.unwrap().remove(0).visits;
    assert_eq!(visits.len(), 1);
    assert_eq!(visits[0].outcome, VisitOutcome::InvalidLink);
    assert_eq!(visits[0].invalid_reason, Some(InvalidReason::Revoked));
}

const HEADLESS: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                        HeadlessChrome/120.0.6099.71 Safari/537.36";
const CHROME: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

#[tokio::test]
async fn the_landing_page_logs_every_visit_and_never_spends_the_link_on_get() {
    let h = Harness::start().await;
    let account_id = h.ticket(SeedCase::NoInvite).account_id.clone();
    h.client.resend(&account_id, &ResendRequest::default(), &IdempotencyKey::new()).await.unwrap();
    let link = h.client.sandbox_outbox(Some(&account_id)).await.unwrap().remove(0).link;
    h.client.sandbox_advance_clock(5).await.unwrap();

    // A scanner: HEAD then GET, headless, from Microsoft's network, no cookie.
    for method in [reqwest::Method::HEAD, reqwest::Method::GET] {
        let answer = h
            .raw()
            .request(method.clone(), &link)
            .header("User-Agent", HEADLESS)
            .header("X-Sandbox-Visitor-Addr", "40.94.88.17")
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::OK, "{method}");
        assert!(answer.headers()["set-cookie"].to_str().unwrap().starts_with("portal_visit="));
    }
    // A person, later, whose browser kept the cookie; a referrer; a POST without a DOB.
    h.client.sandbox_advance_clock(3 * 3600).await.unwrap();
    let answer = h
        .raw()
        .get(&link)
        .header("User-Agent", CHROME)
        .header("Cookie", "portal_visit=1")
        .header("Referer", "https://mail.example.org/")
        .header("X-Sandbox-Visitor-Addr", "not an address")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let answer = h.raw().post(&link).header("User-Agent", CHROME).form(&[("other", "1")]).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let invite = h.client.invites(&account_id).await.unwrap().remove(0);
    assert_eq!(invite.status, InviteStatus::Pending, "a GET, HEAD or empty POST never spends the link");
    assert_eq!((invite.link_opens, invite.dob_failures), (3, 0));
    let seen: Vec<_> = invite
        .visits
        .iter()
        .map(|v| (v.method, v.network.as_deref(), v.cookies, v.outcome, v.remote.expose().as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            (VisitMethod::Head, Some("Microsoft (AS8075)"), false, VisitOutcome::PageShown, "40.94.88.17"),
            (VisitMethod::Get, Some("Microsoft (AS8075)"), false, VisitOutcome::PageShown, "40.94.88.17"),
            (VisitMethod::Get, None, true, VisitOutcome::PageShown, "127.0.0.1"),
            (VisitMethod::Post, None, false, VisitOutcome::PageShown, "127.0.0.1"),
        ]
    );
    assert_eq!(invite.visits[0].at, t0() + Duration::seconds(5));
    assert_eq!(invite.visits[0].user_agent.as_deref(), Some(HEADLESS));
    assert_eq!(invite.visits[2].referrer.as_ref().map(|r| r.expose().as_str()), Some("https://mail.example.org/"));

    // The sandbox replays a scanner on demand, through the same rules.
    let replayed = h.client.sandbox_scanner_visit(&invite.id, ScannerProfile::UrlDefense).await.unwrap();
    assert_eq!(replayed.status, InviteStatus::Pending);
    assert_eq!(replayed.visits.len(), 6);
    assert!(replayed.visits[4..].iter().all(|v| v.network.as_deref() == Some("Proofpoint (AS22843)") && !v.cookies));
    let e = h.client.sandbox_scanner_visit(&"inv_999999".into(), ScannerProfile::SafeLinks).await.unwrap_err();
    assert!(matches!(e, PortalError::NotFound { .. }), "{e:?}");

    // The right DOB still works after all that.
    let account = h.client.account(&account_id).await.unwrap().value;
    let right = account.dob.expose().format("%m/%d/%Y").to_string();
    let answer = h.raw().post(&link).form(&[("dob", right.as_str())]).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let invite = h.client.invites(&account_id).await.unwrap().remove(0);
    assert_eq!(invite.status, InviteStatus::Accepted);
    assert_eq!(invite.visits.last().map(|v| v.outcome), Some(VisitOutcome::Accepted));
}

#[tokio::test]
async fn the_audit_trail_is_a_hash_chain_paged_back_by_seq() {
    let h = Harness::start().await;
    let ticket = h.ticket(SeedCase::NoInvite).ticket_id.clone();
    for n in 0..3 {
        let note = NewNote { body: format!("call {n}") };
        h.client.add_note(&ticket, &note, &IdempotencyKey::new()).await.unwrap();
    }
    let (newest_first, _) = h.client.audit_page(&AuditFilter::default(), None, 500).await.unwrap();
    assert_eq!(newest_first.iter().map(|e| e.seq).collect::<Vec<_>>(), [3, 2, 1]);
    let oldest_first: Vec<_> = newest_first.iter().rev().cloned().collect();
    assert_eq!(portaldesk::portal::model::verify_chain(&oldest_first), Ok(()));
    assert_eq!(oldest_first[0].prev_hash, portaldesk::portal::model::GENESIS);
    let (page, _) = h.client.audit_page(&AuditFilter::default(), Some(3), 1).await.unwrap();
    assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), [2]);
    let zero = h.raw().get(h.url("/api/v1/audit?before=0")).bearer_auth("sandbox").send().await.unwrap();
    assert_eq!(zero.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_audit_head_is_the_newest_entry_and_needs_the_token() {
    let h = Harness::start().await;
    let head = h.raw().get(h.url("/api/v1/audit/head")).bearer_auth("sandbox").send().await.unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    let body: serde_json::Value = head.json().await.unwrap();
    assert_eq!(body, serde_json::json!({ "count": 0, "hash": portaldesk::portal::model::GENESIS }));
    let ticket = h.ticket(SeedCase::NoInvite).ticket_id.clone();
    for n in 0..3 {
        let note = NewNote { body: format!("call {n}") };
        h.client.add_note(&ticket, &note, &IdempotencyKey::new()).await.unwrap();
    }
    let (newest_first, _) = h.client.audit_page(&AuditFilter::default(), None, 500).await.unwrap();
    let head = h.client.audit_head().await.unwrap();
    assert_eq!((head.count, head.hash.as_str()), (3, newest_first[0].hash.as_str()));
    for token in [None, Some("wrong")] {
        let mut request = h.raw().get(h.url("/api/v1/audit/head"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let answer = request.send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::UNAUTHORIZED, "{token:?}");
        assert_eq!(answer.headers()["content-type"], "application/problem+json");
    }
    let post = h.raw().post(h.url("/api/v1/audit/head")).bearer_auth("sandbox").send().await.unwrap();
    assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn the_audit_trail_filters_by_actor_and_period_on_the_server() {
    let h = Harness::start().await;
    let ticket = h.ticket(SeedCase::NoInvite).ticket_id.clone();
    // Notes at t0, t0 + 1h and t0 + 2h.
    for n in 0..3 {
        if n > 0 {
            h.client.sandbox_advance_clock(3600).await.unwrap();
        }
        let note = NewNote { body: format!("call {n}") };
        h.client.add_note(&ticket, &note, &IdempotencyKey::new()).await.unwrap();
    }
    let seqs = |filter: AuditFilter<'static>| {
        let client = h.client.clone();
        async move {
            let (page, _) = client.audit_page(&filter, None, 500).await.unwrap();
            page.iter().map(|e| e.seq).collect::<Vec<_>>()
        }
    };
    let all = AuditFilter::default();
    assert_eq!(seqs(all).await, [3, 2, 1]);
    assert_eq!(seqs(AuditFilter { actor: Some("agent_sandbox"), ..all }).await, [3, 2, 1]);
    assert_eq!(seqs(AuditFilter { actor: Some("agent_chen"), ..all }).await, Vec::<i64>::new());
    let hour = Duration::hours(1);
    assert_eq!(seqs(AuditFilter { since: Some(t0() + hour), ..all }).await, [3, 2], "since is inclusive");
    assert_eq!(seqs(AuditFilter { until: Some(t0() + hour), ..all }).await, [1], "until is exclusive");
    let middle = AuditFilter { since: Some(t0() + hour), until: Some(t0() + hour * 2), ..all };
    assert_eq!(seqs(middle).await, [2]);

    // Any RFC 3339 offset is read; anything else is a 400 problem.
    let offset = h.url("/api/v1/audit?since=2026-11-25T11:00:00%2B01:00");
    let answer = h.raw().get(offset).bearer_auth("sandbox").send().await.unwrap();
    let body: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(body["items"].as_array().map(Vec::len), Some(2));
    for bad in ["since=yesterday", "until=2026-11-25", "since=2026-13-01T00:00:00Z"] {
        let answer = h.raw().get(h.url(&format!("/api/v1/audit?{bad}"))).bearer_auth("sandbox").send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(answer.headers()["content-type"], "application/problem+json");
        let problem: serde_json::Value = answer.json().await.unwrap();
        let name = bad.split('=').next().unwrap();
        assert_eq!(problem["detail"], format!("{name} must be an RFC 3339 instant (2026-11-25T09:00:00Z)"));
    }
}

#[tokio::test]
async fn a_phone_search_ignores_spaces_and_punctuation() {
    let h = Harness::start().await;
    let account = h.client.account(&"acc_42".into()).await.unwrap().value;
    let phone = account.phone.expose().clone();
    // Seeded phones read `(AAA) 555-NNNN`.
    let area = &phone[1..4];
    let line = &phone[10..12];
    let finds = |q: String| {
        let client = h.client.clone();
        async move {
            let query = AccountQuery { q: Some(q.clone()), limit: Some(100), ..Default::default() };
            let mut cursor = None;
            loop {
                let page =
                    client.search_accounts(&AccountQuery { cursor: cursor.clone(), ..query.clone() }).await.unwrap();
                if page.items.iter().any(|a| a.id == "acc_42") {
                    return true;
                }
                match page.next_cursor {
                    Some(next) => cursor = Some(next),
                    None => return false,
                }
            }
        }
    };
    for q in [
        format!("{area} 555"),
        format!("({area}) 555-{line}"),
        format!("{area}.555"),
        format!("{area}-555-{line}"),
        format!(" {area} 555 "),
        phone.clone(),
    ] {
        assert!(finds(q.clone()).await, "query {q:?} missed acc_42 ({phone})");
    }
    // Digits still have to follow each other: no phone has 555 before its area code.
    let page = h
        .client
        .search_accounts(&AccountQuery { q: Some(format!("555 {area}")), limit: Some(100), ..Default::default() })
        .await
        .unwrap();
    assert!(page.items.iter().all(|a| a.id != "acc_42"));
}
