//! Soak: 500 mixed actions (searches, opens, resends, DOB edits) through
//! the client against a sandbox injecting 20% faults (5xx, dropped
//! connections before and after the change, truncated JSON). At the end the
//! server must hold exactly one invite per resend that succeeded, none from
//! a retry, and every DOB edit applied once or reported failed.
//!
//! Actions are retried the way the console retries them: reads by the
//! client itself, changes by the caller with the same Idempotency-Key.
//! Changes whose outcome stayed unknown (every attempt failed) are settled
//! at the end by replaying their key until the portal answers.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use common::{Harness, t0};
use portaldesk::phi::Phi;
use portaldesk::portal::model::{AccountId, AccountPatch, ETag, InviteId, ResendRequest};
use portaldesk::portal::{AccountQuery, IdempotencyKey, PortalClient, PortalError};
use portaldesk::sandbox::faults::Faults;

const ACTIONS: usize = 500;
/// Attempts per change, all with the same key.
const ATTEMPTS: usize = 3;

#[derive(Default, Debug)]
struct Tally {
    searches: usize,
    opens: usize,
    resends: usize,
    edits: usize,
    failed_reads: usize,
    change_attempts: usize,
    faults_seen: usize,
    unknown_outcomes: usize,
}

/// Retries a read until it answers (the client already retried it).
async fn read<T, F, Fut>(tally: &mut Tally, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, PortalError>>,
{
    for _ in 0..50 {
        match f().await {
            Ok(value) => return value,
            Err(e) => {
                assert!(e.is_transient(), "a read failed for good: {e:?}");
                tally.faults_seen += 1;
            }
        }
    }
    panic!("a read never came through");
}

/// Sends a change up to ATTEMPTS times with one key. `None`: the outcome
/// is unknown (every attempt hit a fault).
async fn change<T, F, Fut>(tally: &mut Tally, mut f: F) -> Option<Result<T, PortalError>>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, PortalError>>,
{
    for _ in 0..ATTEMPTS {
        tally.change_attempts += 1;
        match f().await {
            Err(e) if e.is_transient() => tally.faults_seen += 1,
            done => return Some(done),
        }
    }
    tally.unknown_outcomes += 1;
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_actions_under_20_percent_faults_lose_and_duplicate_nothing() {
    let faults = Faults::parse("error_rate=0.08,drop_rate=0.08,malformed_rate=0.04").unwrap();
    let h = Harness::with_faults(faults).await;
    let client: &PortalClient = &h.client;
    let mut rng = fastrand::Rng::with_seed(20261125);
    let mut tally = Tally::default();

    // Resends go to 100 client accounts, edits each to an account of their own.
    let resend_pool: Vec<AccountId> = (121..221).map(|n| AccountId::new(format!("acc_{n}"))).collect();
    let mut edit_pool: Vec<AccountId> = (30..120).map(|n| AccountId::new(format!("acc_{n}"))).collect();
    let mut resends: Vec<(AccountId, IdempotencyKey, Option<InviteId>)> = Vec::new(); // account, key, invite id if known
    let mut edits: Vec<(AccountId, IdempotencyKey, ETag, AccountPatch, Option<bool>, NaiveDate)> = Vec::new();

    for n in 0..ACTIONS {
        if n % 100 == 99 {
            // Keep well inside the 5-an-hour resend limit.
            client.sandbox_advance_clock(3600).await.unwrap();
        }
        match rng.u32(0..10) {
            0..=3 => {
                tally.searches += 1;
                let q = ["an", "Okafor", "gmail", "555-0", "acc_1", "ri"][rng.usize(0..6)];
                let query = AccountQuery { q: Some(q.into()), limit: Some(20), ..Default::default() };
                if client.search_accounts(&query).await.is_err() {
                    tally.failed_reads += 1;
                }
            }
            4..=5 => {
                tally.opens += 1;
                let id = AccountId::new(format!("acc_{}", rng.u32(1..221)));
                if client.account(&id).await.is_err() || client.invites(&id).await.is_err() {
                    tally.failed_reads += 1;
                }
            }
            6..=8 => {
                tally.resends += 1;
                let account = resend_pool[rng.usize(0..resend_pool.len())].clone();
                let key = IdempotencyKey::new();
                let request = ResendRequest::default();
                let outcome = change(&mut tally, || client.resend(&account, &request, &key)).await;
                let invite = match outcome {
                    Some(Ok(invite)) => Some(invite.id),
                    Some(Err(e)) => panic!("a resend was refused: {e:?}"),
                    None => None,
                };
                resends.push((account, key, invite));
            }
            _ => {
                let Some(account) = edit_pool.pop() else { continue };
                tally.edits += 1;
                let read_back = read(&mut tally, || client.account(&account)).await;
                let before = *read_back.value.dob.expose();
                let new = NaiveDate::from_ymd_opt(1960 + rng.i32(0..40), rng.u32(1..13), rng.u32(1..29)).unwrap();
                let patch = AccountPatch { dob: Some(Phi::new(new)), reason: "soak".into(), ..Default::default() };
                let key = IdempotencyKey::new();
                let etag = read_back.etag.clone();
                let outcome = change(&mut tally, || client.update_account(&account, &etag, &patch, &key)).await;
                let applied = match outcome {
                    Some(Ok(_)) => Some(true),
                    Some(Err(e)) => {
                        assert_eq!(e, PortalError::Stale, "an edit was refused: {e:?}");
                        Some(false)
                    }
                    None => None,
                };
                edits.push((account, key, etag, patch, applied, before));
            }
        }
    }

    // Settle the unknown outcomes by replaying their keys.
    let request = ResendRequest::default();
    for (account, key, invite) in resends.iter_mut().filter(|r| r.2.is_none()) {
        let replay = read(&mut tally, || client.resend(account, &request, key)).await;
        *invite = Some(replay.id);
    }
    for (account, key, etag, patch, applied, _) in edits.iter_mut().filter(|e| e.4.is_none()) {
        let mut outcome = None;
        for _ in 0..50 {
            match client.update_account(account, etag, patch, key).await {
                Ok(_) => outcome = Some(true),
                Err(PortalError::Stale) => outcome = Some(false),
                Err(e) if e.is_transient() => continue,
                Err(e) => panic!("{e:?}"),
            }
            break;
        }
        *applied = outcome;
    }

    // Exactly one invite per resend: the soak's invites (sent at or after
    // t0) are exactly the ones the resends answered with.
    let mut expected: BTreeMap<AccountId, BTreeSet<InviteId>> = BTreeMap::new();
    for (account, _, invite) in &resends {
        let id = invite.clone().expect("settled");
        assert!(expected.entry(account.clone()).or_default().insert(id), "two resends answered the same invite");
    }
    let mut invites_created = 0;
    for account in &resend_pool {
        let invites = read(&mut tally, || client.invites(account)).await;
        let made: BTreeSet<InviteId> = invites.iter().filter(|i| i.sent_at >= t0()).map(|i| i.id.clone()).collect();
        invites_created += made.len();
        assert_eq!(made, expected.remove(account).unwrap_or_default(), "invites of {account}");
    }
    // Every edit applied exactly once, or reported failed and not applied.
    let mut edits_applied = 0;
    for (account, _, _, patch, applied, before) in &edits {
        let now = read(&mut tally, || client.account(account)).await.value;
        let audit = read(&mut tally, || client.audit(Some(account), None)).await;
        let changes = audit.iter().filter(|e| e.summary.contains("date of birth changed")).count();
        match applied {
            Some(true) => {
                edits_applied += 1;
                assert_eq!(now.dob, *patch.dob.as_ref().unwrap(), "{account}");
                assert_eq!(changes, 1, "{account} changed {changes} times");
            }
            Some(false) => {
                assert_eq!(*now.dob.expose(), *before, "{account}");
                assert_eq!(changes, 0);
            }
            None => panic!("an edit stayed unsettled"),
        }
    }

    println!(
        "soak: {ACTIONS} actions ({} searches, {} opens, {} resends, {} DOB edits); \
         {} change attempts, {} faults seen by the caller, {} reads failed after the client's retries, \
         {} outcomes unknown until replayed; server: {invites_created} invites for {} resends, \
         {edits_applied} of {} edits applied",
        tally.searches,
        tally.opens,
        tally.resends,
        tally.edits,
        tally.change_attempts,
        tally.faults_seen,
        tally.failed_reads,
        tally.unknown_outcomes,
        resends.len(),
        edits.len(),
    );
    assert_eq!(invites_created, resends.len());
    assert!(tally.faults_seen > 0, "the faults never fired");
}
