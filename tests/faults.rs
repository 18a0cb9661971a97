//! The client against a sandbox injecting faults: reads retry, mutations
//! retried with their Idempotency-Key happen exactly once.

mod common;

use common::Harness;
use portaldesk::portal::model::ResendRequest;
use portaldesk::portal::{IdempotencyKey, PortalError};
use portaldesk::sandbox::faults::Faults;

#[tokio::test]
async fn a_resend_retried_after_dropped_connections_makes_exactly_one_invite() {
    let h = Harness::with_faults(Faults::parse("drop_rate=0.9").unwrap()).await;
    let account = "acc_120";
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
        match h.client.account("acc_7").await {
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
