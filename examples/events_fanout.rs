//! The event stream under load, on a sandbox started in this process
//! (127.0.0.1:0): `--subscribers` streams (50) follow it while events are
//! published at `--rate` per second (1,000) for `--seconds` (10), then a
//! paced run measures publish-to-receive latency across every subscriber.
//! Prints `key=value` lines for `bench/run.sh`:
//!
//! - `sustained_per_second`: events published per second, all delivered;
//! - `delivered_all`: whether every subscriber got every event, in order;
//! - `rss_growth_mib`: resident memory after the run minus before it;
//! - `p50_ms`, `p95_ms`: from sending the change to each subscriber having
//!   its event.
//!
//! ```sh
//! cargo run --release --example events_fanout -- [--subscribers 50] [--rate 1000] [--seconds 10]
//! ```

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use portaldesk::portal::model::{EventId, PresenceMode};
use portaldesk::sandbox::{self, SandboxOptions};
use support::{ms, percentile};
use tokio::sync::mpsc;

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

/// Starts `n` subscribers after `since`; each sends (id, when) per event.
fn subscribe(
    client: &portaldesk::portal::PortalClient,
    n: usize,
    since: EventId,
) -> mpsc::UnboundedReceiver<(usize, u64, Instant)> {
    let (tx, rx) = mpsc::unbounded_channel();
    for s in 0..n {
        let mut events = Box::pin(client.events(Some(since), &[]));
        let tx = tx.clone();
        tokio::spawn(async move {
            while let Some(Ok(event)) = events.next().await {
                if tx.send((s, event.id.0, Instant::now())).is_err() {
                    return;
                }
            }
        });
    }
    rx
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let subscribers: usize = support::arg("--subscribers", 50);
    let rate: u64 = support::arg("--rate", 1000);
    let seconds: u64 = support::arg("--seconds", 10);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("listen");
    let started = sandbox::start(
        listener,
        SandboxOptions {
            accounts: 100,
            // A still clock: no presence lapses in the middle of the count.
            frozen_at: Some(chrono::Utc::now()),
            ..SandboxOptions::default()
        },
    )
    .await
    .expect("sandbox");
    let client = support::client(&started.url(), "sandbox");
    let tickets: Vec<String> = started.seeded.tickets.iter().map(|t| t.ticket_id.to_string()).collect();
    let http = reqwest::Client::new();
    // Each change moves one ticket's presence to the other mode: one event
    // each, and changes in flight at once are on different tickets.
    let put = |n: u64| {
        let ticket = &tickets[n as usize % tickets.len()];
        let mode =
            if (n as usize / tickets.len()).is_multiple_of(2) { PresenceMode::Viewing } else { PresenceMode::Replying };
        http.put(format!("{}/api/v1/tickets/{ticket}/presence", started.url()))
            .bearer_auth("sandbox")
            .json(&serde_json::json!({ "mode": mode }))
            .send()
    };

    // 1. Sustained: `rate` a second for `seconds`, 8 publishers.
    let mut rx = subscribe(&client, subscribers, EventId(0));
    let before = rss_mib();
    let total = rate * seconds;
    let began = Instant::now();
    let mut every = tokio::time::interval(Duration::from_micros(1_000_000 / rate.max(1)));
    let mut inflight = futures::stream::FuturesUnordered::new();
    for n in 0..total {
        every.tick().await;
        inflight.push(put(n));
        while inflight.len() >= 8 {
            inflight.next().await;
        }
    }
    while inflight.next().await.is_some() {}
    let published_in = began.elapsed();
    let mut last = vec![0u64; subscribers];
    let mut in_order = true;
    let deadline = Instant::now() + Duration::from_secs(30);
    while last.iter().any(|l| *l < total) && Instant::now() < deadline {
        let Ok(Some((s, id, _))) = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await else { break };
        in_order &= id == last[s] + 1;
        last[s] = id;
    }
    let delivered_all = in_order && last.iter().all(|l| *l == total);
    let growth = rss_mib() - before;
    println!("sustained_per_second={:.0}", total as f64 / published_in.as_secs_f64());
    println!("delivered_all={delivered_all}");
    println!("rss_growth_mib={growth:.1}");

    // 2. Latency: one change at a time, 50 a second, each timed until
    // every subscriber has it.
    let samples = 200u64;
    let mut rx = subscribe(&client, subscribers, EventId(total));
    let sent: Arc<std::sync::Mutex<Vec<Instant>>> = Arc::default();
    let mut every = tokio::time::interval(Duration::from_millis(20));
    let mut latencies = Vec::new();
    for n in 0..samples {
        every.tick().await;
        let at = Instant::now();
        sent.lock().expect("lock").push(at);
        put(total + n).await.expect("put");
        let mut got = 0;
        while got < subscribers {
            let Ok(Some((_, id, when))) = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await else { break };
            if id == total + n + 1 {
                got += 1;
                latencies.push(when - at);
            }
        }
    }
    println!("p50_ms={}", ms(percentile(&mut latencies, 50.0)));
    println!("p95_ms={}", ms(percentile(&mut latencies, 95.0)));
    let _ = started.stop().await;
}
