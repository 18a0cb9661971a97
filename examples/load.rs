//! A bounded loopback load on a running sandbox: a fixed number of search
//! or resend requests from a fixed number of concurrent workers, through
//! the portal client (no retries). Prints requests per second, p50 and p99
//! latency, and the answers by kind (`key=value` lines for `bench/run.sh`).
//!
//! ```sh
//! cargo run --release --example load -- URL --kind search|resend --accounts N \
//!     [--requests 2000] [--concurrency 8] [--seed 11]
//! ```
//!
//! Resends follow the contract: each carries its own Idempotency-Key and
//! goes to a different account (the sandbox allows 5 resends per account
//! per hour; more are answered 429, which is counted apart, never as a
//! success). A resend needs no If-Match and no ticket, so none is sent.
//! Searches use the mix of `search_rtt` (queries built from real accounts;
//! never printed).

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use portaldesk::portal::model::{AccountId, ResendRequest};
use portaldesk::portal::{IdempotencyKey, PortalError};
use support::{client, ms, percentile, search_query};

#[derive(Default)]
struct Tally {
    times: Vec<Duration>,
    ok: usize,
    rate_limited: usize,
    failed: usize,
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let url = support::url();
    let kind: String = support::arg("--kind", "search".to_owned());
    let accounts: u64 = support::arg("--accounts", 220);
    let requests: usize = support::arg("--requests", 2000);
    let concurrency: usize = support::arg("--concurrency", 8).max(1);
    let seed: u64 = support::arg("--seed", 11);
    let token: String = support::arg("--token", "sandbox".to_owned());
    let client = client(&url, &token);

    let work: Arc<Vec<String>> = Arc::new(match kind.as_str() {
        "search" => {
            let queries = support::queries(&client, accounts, 200.min(requests), seed).await;
            (0..requests).map(|n| queries[n % queries.len()].1.clone()).collect()
        }
        "resend" => {
            // Distinct accounts while there are enough of them; beyond
            // that, each account again, so any 429 shows.
            let mut ids: Vec<u64> = (1..=accounts).collect();
            fastrand::Rng::with_seed(seed).shuffle(&mut ids);
            (0..requests).map(|n| format!("acc_{}", ids[n % ids.len()])).collect()
        }
        other => {
            eprintln!("--kind must be search or resend, not {other}");
            std::process::exit(2);
        }
    });
    let resend = kind == "resend";

    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (client, work, next) = (client.clone(), Arc::clone(&work), Arc::clone(&next));
        workers.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = work.get(n) else { break };
                let begun = Instant::now();
                let outcome = if resend {
                    let request = ResendRequest::default();
                    client.resend(&AccountId::from(item), &request, &IdempotencyKey::new()).await.map(|_| ())
                } else {
                    client.search_accounts(&search_query(item)).await.map(|_| ())
                };
                tally.times.push(begun.elapsed());
                match outcome {
                    Ok(()) => tally.ok += 1,
                    Err(PortalError::RateLimited { .. }) => tally.rate_limited += 1,
                    Err(_) => tally.failed += 1,
                }
            }
            tally
        }));
    }
    let mut all = Tally::default();
    for worker in workers {
        if let Ok(tally) = worker.await {
            all.times.extend(tally.times);
            all.ok += tally.ok;
            all.rate_limited += tally.rate_limited;
            all.failed += tally.failed;
        }
    }
    let elapsed = started.elapsed();
    println!(
        "kind={kind} requests={} concurrency={concurrency} seconds={:.3} ok={} rate_limited_429={} failed={}",
        all.times.len(),
        elapsed.as_secs_f64(),
        all.ok,
        all.rate_limited,
        all.failed
    );
    println!(
        "ok_per_second={:.0} p50_ms={} p99_ms={}",
        all.ok as f64 / elapsed.as_secs_f64(),
        ms(percentile(&mut all.times, 50.0)),
        ms(percentile(&mut all.times, 99.0))
    );
}
