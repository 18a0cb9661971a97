//! The client against a sandbox injecting faults: reads retry, mutations
//! retried with their Idempotency-Key happen exactly once.

use crate::common;

use common::Harness;
use portaldesk::portal::model::{AccountId, ResendRequest};
use portaldesk::portal::{IdempotencyKey, PortalError};
use portaldesk::sandbox::faults::Faults;

#[tokio::test]
async fn a_resend_retried_after_dropped_connections_makes_exactly_one_invite() {
    let h = Harness::with_faults(Faults::parse("drop_rate=0.9").unwrap()).await;
    let account = &AccountId::from("acc_120");
    let before = loop {
        if let Ok(invites) = h.client.invites(account).await {
            break invites.len();
        }
    };
    let key = IdempotencyKey::new();
    let mut failures = Vec::new();
    let invite = loop {
        match h.client.resend(account, &ResendRequest::default(), &key).await {
            Ok(invite) => break invite,
            Err(e) => {
                assert!(matches!(e, PortalError::Dropped | PortalError::Server { .. }), "{e:?}");
                failures.push(e);
                assert!(failures.len() < 500, "never got through");
            }
        }
    };
    let after = loop {
        if let Ok(invites) = h.client.invites(account).await {
            break invites;
        }
    };
    assert!(!failures.is_empty(), "the faults never fired");
    assert_eq!(after.len(), before + 1, "{} attempts failed first", failures.len());
    assert_eq!(after[0].id, invite.id);
}

#[tokio::test]
async fn reads_retry_through_errors_drops_and_malformed_bodies() {
    let h = Harness::with_faults(Faults::parse("error_rate=0.3,malformed_rate=0.2,drop_rate=0.1").unwrap()).await;
    let mut ok = 0;
    let mut failed = 0;
    for _ in 0..40 {
        match h.client.account(&"acc_7".into()).await {
            Ok(read) => {
                assert_eq!(read.value.id, "acc_7");
                ok += 1;
            }
            Err(e) => {
                assert!(e.is_transient(), "{e:?}");
                failed += 1;
            }
        }
    }
    // Each read gets 4 attempts; with ~50% of attempts failing, nearly all
    // reads must come through.
    assert!(ok >= 30, "ok {ok}, failed {failed}");
}

#[tokio::test]
async fn a_slow_body_still_arrives_whole() {
    let h = Harness::with_faults(Faults::parse("slow_body=200ms").unwrap()).await;
    let page = h.client.tickets(None).await.unwrap();
    assert!(page.len() >= 25);
}

/// The console over a slow portal: `update` answers keys at once while a
/// read is in flight (it never awaits), and the answer comes back as a
/// message once the portal's 2 s latency is over. Paused time: the 2 s
/// pass without sleeping.
#[tokio::test(start_paused = true)]
async fn the_console_answers_keys_while_a_slow_read_is_in_flight() {
    use common::{ch, t0};
    use portaldesk::tui::action::Msg;
    use portaldesk::tui::app::{App, View};
    use portaldesk::tui::effects::Runner;
    let h = Harness::with_faults(Faults::parse("latency=2s").unwrap()).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let runner = Runner::new(h.client.clone(), tx);
    let (mut app, effects) = App::new(true, (80, 24));
    let started = tokio::time::Instant::now();
    for effect in effects {
        runner.spawn(effect);
    }
    tokio::task::yield_now().await;
    assert!(app.stack.queue.tickets.is_loading());

    // Keys while the queue is on its way: each answered within a frame.
    for msg in [ch('A'), ch('a'), ch('c'), ch('c')] {
        let wall = std::time::Instant::now();
        app.update(msg, t0());
        assert!(wall.elapsed() < std::time::Duration::from_millis(100), "a key took {:?}", wall.elapsed());
    }
    assert_eq!(app.view(), View::Search);
    assert_eq!(app.stack.search().expect("search in front").input.value(), "acc");
    assert!(rx.try_recv().is_err(), "the queue cannot have come before the portal's 2 s");
    assert!(app.stack.queue.tickets.is_loading());

    let answer = rx.recv().await.expect("the queue's answer");
    assert!(started.elapsed() >= std::time::Duration::from_secs(2));
    assert!(matches!(answer, Msg::Answer(..)), "{answer:?}");
    app.update(answer, t0());
    assert!(app.stack.queue.tickets.data.as_ref().is_some_and(|t| !t.is_empty()));
}

/// A portal answering every request 503 (after 1 s each): a read is tried
/// four times, with a growing, jittered wait between tries, then the
/// console shows the failure across the top. The attempts are counted by
/// the time they take on a paused clock: each costs exactly the latency.
#[tokio::test(start_paused = true)]
async fn a_failing_read_is_retried_with_backoff_then_the_banner_says_503() {
    use common::t0;
    use portaldesk::portal::{ApiToken, ClientOptions, PortalClient};
    use portaldesk::sandbox::SandboxOptions;
    use portaldesk::tui::action::{Answer, Msg};
    use portaldesk::tui::app::App;
    use portaldesk::tui::effects::Runner;
    let h = Harness::with_faults(Faults::parse("latency=1s,error_rate=1").unwrap()).await;
    let options = ClientOptions {
        backoff: std::time::Duration::from_millis(100),
        max_backoff: std::time::Duration::from_millis(400),
        ..ClientOptions::default()
    };
    assert_eq!(options.read_retries, 3);
    let token = ApiToken::new(SandboxOptions::default().token);
    let client = PortalClient::new(&h.sandbox.url(), token, options).unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let runner = Runner::new(client, tx);
    let (mut app, effects) = App::new(true, (80, 24));
    let started = tokio::time::Instant::now();
    for effect in effects {
        runner.spawn(effect);
    }
    let answer = rx.recv().await.expect("an answer");
    let took = started.elapsed();
    // 4 attempts x 1 s, plus waits of at most 100 + 200 + 400 ms (full
    // jitter: somewhere below each ceiling, so above zero in all).
    assert!(took > std::time::Duration::from_secs(4), "fewer than 4 attempts, or no wait between: {took:?}");
    assert!(took < std::time::Duration::from_millis(4700), "more than 4 attempts, or waits too long: {took:?}");
    let Msg::Answer(_, Answer::Tickets(Err(PortalError::Server { status: 503, .. }))) = &answer else {
        panic!("{answer:?}")
    };
    app.update(answer, t0());
    let banner = app.banner.clone().expect("a banner");
    assert!(banner.error && banner.text.contains("503"), "{banner:?}");
    assert!(app.offline.is_none(), "a 503 is an answer: the portal is reachable");
}

/// The one retry policy (`portaldesk::request`): a change made through
/// `perform` whose first answer is lost (the change made, the connection
/// then dropped) is sent again with the same Idempotency-Key after 300 ms,
/// and the portal does it once: one invite, the one the retry answered.
#[tokio::test]
async fn a_change_through_perform_whose_first_answer_is_lost_is_retried_with_its_key_and_done_once() {
    use portaldesk::request::{Answer, Request, calls, perform};
    let h = Harness::with_faults(Faults::parse("lost_answers=1").unwrap()).await;
    let account = AccountId::from("acc_120");
    let before = h.client.invites(&account).await.unwrap();
    let emails = h.client.sandbox_outbox(Some(&account)).await.unwrap().len();
    let key = IdempotencyKey::new();
    let request = Request::Resend { account_id: account.clone(), request: ResendRequest::default(), key: key.clone() };
    let started = std::time::Instant::now();
    let answer = perform(&h.client, request).await;
    assert!(started.elapsed() >= std::time::Duration::from_millis(300), "the first answer was lost, then retried");
    let Answer::Resend(Ok(invite)) = answer else { panic!("{answer:?}") };
    let after = h.client.invites(&account).await.unwrap();
    assert_eq!(after.len(), before.len() + 1, "exactly one invite: the retry went with the first try's key");
    assert_eq!(after[0].id, invite.id);
    assert_eq!(h.client.sandbox_outbox(Some(&account)).await.unwrap().len(), emails + 1, "one email");
    // The typed call is the same path: the same key again is the same invite.
    let again = calls::resend(&h.client, account.clone(), ResendRequest::default(), key).await.unwrap();
    assert_eq!(again.id, invite.id);
    assert_eq!(h.client.invites(&account).await.unwrap().len(), before.len() + 1);
}

/// A lost answer that outlasts the retries (three tries, all lost): the
/// change fails as `Dropped` (not known whether it was made), and was
/// made once.
#[tokio::test]
async fn a_change_whose_answers_stay_lost_fails_after_two_retries_and_was_done_once() {
    use portaldesk::request::calls;
    let h = Harness::with_faults(Faults::parse("lost_answers=3").unwrap()).await;
    let account = AccountId::from("acc_120");
    let before = h.client.invites(&account).await.unwrap().len();
    let started = std::time::Instant::now();
    let failed = calls::resend(&h.client, account.clone(), ResendRequest::default(), IdempotencyKey::new()).await;
    assert_eq!(failed.unwrap_err(), PortalError::Dropped);
    assert!(started.elapsed() >= std::time::Duration::from_millis(900), "300 ms, then 600 ms");
    assert_eq!(h.client.invites(&account).await.unwrap().len(), before + 1);
    // The fault is spent: the next change answers.
    calls::resend(&h.client, account.clone(), ResendRequest::default(), IdempotencyKey::new()).await.unwrap();
}

/// The CLI's resend goes through the same path: its first answer lost, it
/// says the invite was sent (no "may or may not"), and made one.
#[tokio::test]
async fn the_clis_resend_whose_first_answer_is_lost_sends_one_invite() {
    let h = Harness::with_faults(Faults::parse("lost_answers=1").unwrap()).await;
    let account = AccountId::from("acc_102");
    let before = h.client.invites(&account).await.unwrap().len();
    let url = h.sandbox.url();
    let args = ["resend", account.as_str(), "--yes", "--again", "--portal", url.as_str()];
    let sent = common::run_binary(&args, &[("PORTALDESK_TOKEN", "sandbox")]).await;
    assert_eq!(sent.code, 0, "{}", sent.err);
    assert!(sent.out.contains(" sent to "), "{}", sent.out);
    assert!(!sent.err.contains("may or may not"), "{}", sent.err);
    assert_eq!(h.client.invites(&account).await.unwrap().len(), before + 1, "exactly one invite");
}

/// The CLI's resend whose answers stay lost through the retries: its
/// words are as before (the portal may or may not have done it; how to
/// check), and the portal did it once.
#[tokio::test]
async fn the_clis_resend_whose_answers_stay_lost_says_how_to_check() {
    let h = Harness::with_faults(Faults::parse("lost_answers=3").unwrap()).await;
    let account = AccountId::from("acc_103");
    let before = h.client.invites(&account).await.unwrap().len();
    let url = h.sandbox.url();
    let args = ["resend", account.as_str(), "--yes", "--again", "--portal", url.as_str()];
    let failed = common::run_binary(&args, &[("PORTALDESK_TOKEN", "sandbox")]).await;
    assert_eq!(failed.code, 1, "{}", failed.err);
    assert!(failed.err.contains("the portal may or may not have done it"), "{}", failed.err);
    assert!(failed.err.contains("portaldesk invites acc_103"), "{}", failed.err);
    assert_eq!(h.client.invites(&account).await.unwrap().len(), before + 1);
}
