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
