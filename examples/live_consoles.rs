//! Headless consoles following the event stream (issue #16, "Speed"), on a
//! sandbox started in this process (127.0.0.1:0).
//!
//! Each of `--consoles` (50) consoles is the console loop without its
//! terminal, one tokio task each: the real [`App`] state machine, fed by the
//! real event client ([`tui::live::forward`] over `PortalClient::follow`),
//! its effects run by the real runner ([`Runner`]: portal calls, the live
//! debounce's timer), every message through [`tui::step`], the loop's redraw
//! decision. Nothing is drawn by default (the decision is counted, and 50
//! consoles rendering on 2 shared cores would measure the renders of the
//! other 49); `--draw` renders each frame on a ratatui `TestBackend`
//! (160x48) as well. The 1 Hz countdown tick of the real loop is left out:
//! it redraws on a clock, not because of events.
//!
//! 1. **Published → applied**: `--samples` (100) changes of one ticket's
//!    assignee (another agent claims it, then releases it), one at a time,
//!    4 a second. Each is timed from the moment its PATCH is sent (the
//!    sandbox publishes the event before it answers, so this is an upper
//!    bound) until every console's queue holds the new assignee, read
//!    again from the portal.
//! 2. **A burst**: `--burst` (1,000) presence changes published as fast as
//!    the sandbox takes them (16 at a time); each console's draws are
//!    counted from before the first until it has every event and nothing
//!    left to read again.
//!
//! Prints `key=value` lines for `bench/run.sh`: `consoles`, `applied_p50_ms`,
//! `applied_p95_ms`, `applied_max_ms`, `applied_all` (every console applied
//! every change), `burst_events`, `burst_ms` (how long publishing took),
//! `redraws_max`, `redraws_mean`, `burst_settled`.
//!
//! ```sh
//! cargo run --release --example live_consoles -- [--consoles 50] [--samples 100] [--burst 1000] [--draw]
//! ```

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use portaldesk::portal::model::{PresenceMode, StaffId, TicketId, TicketPatch, TicketStatus};
use portaldesk::portal::{ApiToken, ClientOptions, IdempotencyKey, PortalClient};
use portaldesk::sandbox::{self, SandboxOptions};
use portaldesk::tui::action::Msg;
use portaldesk::tui::app::{self, App};
use portaldesk::tui::effects::Runner;
use portaldesk::tui::{self, Step};
use portaldesk::{portal::events::Live, tui::live};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::{ms, percentile};
use tokio::sync::mpsc;

/// The agent who claims and releases the ticket (another than the
/// consoles' own staff member).
const OTHER_AGENT: &str = "agent_rivera";

/// What a console shows the driver.
#[derive(Default)]
struct Probe {
    /// Its event stream is open.
    connected: AtomicBool,
    /// The id of the last event it took.
    last_event: AtomicU64,
    /// No re-read waiting or in flight.
    settled: AtomicBool,
    /// Frames drawn (or, without `--draw`, that the loop would draw).
    draws: AtomicU64,
}

/// A new assignee of the ticket held by console `n`, and when.
type Applied = (usize, Option<StaffId>, Instant);

/// One headless console, until the driver ends.
async fn console(n: usize, url: String, target: TicketId, probe: Arc<Probe>, tx: mpsc::UnboundedSender<Applied>) {
    let client = match PortalClient::new(&url, ApiToken::new("sandbox"), ClientOptions::default()) {
        Ok(client) => client,
        Err(error) => return eprintln!("console {n}: {}", error.kind()),
    };
    let clock = client.clock();
    let (msgs, mut rx) = mpsc::unbounded_channel();
    let runner = Runner::new(client.clone(), msgs.clone());
    let (mut app, effects) = App::new(false, (160, 48));
    effects.into_iter().for_each(|e| runner.spawn(e));
    let follow = tokio::spawn(live::forward(client.clone(), msgs));
    let mut terminal = if support::flag("--draw") { Terminal::new(TestBackend::new(160, 48)).ok() } else { None };
    let mut held: Option<Option<StaffId>> = None;
    while let Some(msg) = rx.recv().await {
        match &msg {
            Msg::Live(Live::Connected) => probe.connected.store(true, Ordering::SeqCst),
            Msg::Live(Live::Event(event)) => probe.last_event.store(event.id.0, Ordering::SeqCst),
            _ => {}
        }
        let Step { effects, redraw } = tui::step(&mut app, msg, clock.now());
        if redraw {
            probe.draws.fetch_add(1, Ordering::SeqCst);
            if let Some(terminal) = terminal.as_mut() {
                let _ = terminal.draw(|frame| app::frame(&app, frame, clock.now()));
            }
        }
        // The loop keeps the terminal's own effects; none come from events.
        effects.into_iter().for_each(|e| runner.spawn(e));
        let now = app.stack.queue.tickets.data.as_deref().and_then(|t| t.iter().find(|t| t.id == target));
        let now = now.map(|t| t.assignee.clone());
        if now != held {
            if let Some(assignee) = &now
                && tx.send((n, assignee.clone(), Instant::now())).is_err()
            {
                break;
            }
            held = now;
        }
        probe.settled.store(app.live.debounce.is_none() && !app.is_loading(), Ordering::SeqCst);
    }
    follow.abort();
}

/// Waits until `done` holds, polling, at most `limit`; whether it did.
async fn until(limit: Duration, done: impl Fn() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while !done() {
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    true
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let consoles: usize = support::arg("--consoles", 50);
    let samples: usize = support::arg("--samples", 100);
    let burst: u64 = support::arg("--burst", 1000);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("listen");
    // The sandbox's clock follows the system's, as a portal's does: a
    // frozen one would have each console's clock (set from the portal's
    // `Date`) step back a second at a time.
    // Each console holds its stream and a connection or two for its reads:
    // more than the sandbox's default 128 at once, which a portal serving
    // 50 consoles does not limit itself to.
    let limits = sandbox::server::Limits { max_connections: 1024, ..Default::default() };
    let started =
        sandbox::start(listener, SandboxOptions { limits, ..SandboxOptions::default() }).await.expect("sandbox");
    let url = started.url();
    let client = support::client(&url, "sandbox");
    let tickets: Vec<TicketId> = started.seeded.tickets.iter().map(|t| t.ticket_id.clone()).collect();
    let open = client.tickets(Some(TicketStatus::Open)).await.expect("the queue");
    let target = open.first().map(|t| t.id.clone()).expect("an open ticket");

    let probes: Vec<Arc<Probe>> = (0..consoles).map(|_| Arc::default()).collect();
    let (tx, mut applied) = mpsc::unbounded_channel();
    for (n, probe) in probes.iter().enumerate() {
        tokio::spawn(console(n, url.clone(), target.clone(), Arc::clone(probe), tx.clone()));
    }
    drop(tx);
    let ready = until(Duration::from_secs(30), || {
        probes.iter().all(|p| p.connected.load(Ordering::SeqCst) && p.settled.load(Ordering::SeqCst))
    })
    .await;
    // Each console has the ticket as seeded.
    let mut first = vec![false; consoles];
    while first.iter().any(|f| !f) {
        match tokio::time::timeout(Duration::from_secs(10), applied.recv()).await {
            Ok(Some((n, _, _))) => first[n] = true,
            _ => break,
        }
    }
    if !ready || first.iter().any(|f| !f) {
        eprintln!("live_consoles: the consoles did not all start");
        std::process::exit(1);
    }

    // 1. Published → applied, one change at a time.
    let mut etag = client.ticket(&target).await.expect("the ticket").etag;
    let mut latencies = Vec::with_capacity(samples * consoles);
    let mut applied_all = true;
    let mut every = tokio::time::interval(Duration::from_millis(250));
    for s in 0..samples {
        every.tick().await;
        let assignee = (s % 2 == 0).then(|| StaffId::from(OTHER_AGENT));
        let patch = TicketPatch { status: None, assignee: Some(assignee.clone()) };
        let sent = Instant::now();
        match client.update_ticket(&target, &etag, &patch, &IdempotencyKey::new()).await {
            Ok(changed) => etag = changed.etag,
            Err(error) => {
                eprintln!("live_consoles: the change was refused ({})", error.kind());
                std::process::exit(1);
            }
        }
        let mut got = vec![false; consoles];
        while got.iter().any(|g| !g) {
            match tokio::time::timeout(Duration::from_secs(5), applied.recv()).await {
                Ok(Some((n, held, at))) if held == assignee && !got[n] => {
                    got[n] = true;
                    latencies.push(at - sent);
                }
                Ok(Some(_)) => {}
                _ => {
                    applied_all = false;
                    break;
                }
            }
        }
    }
    println!("consoles={consoles}");
    println!("samples={samples}");
    println!("applied_all={applied_all}");
    println!("applied_p50_ms={}", ms(percentile(&mut latencies, 50.0)));
    println!("applied_p95_ms={}", ms(percentile(&mut latencies, 95.0)));
    println!("applied_max_ms={}", ms(percentile(&mut latencies, 100.0)));

    // 2. A burst, published as fast as the sandbox takes it.
    let quiet = until(Duration::from_secs(10), || probes.iter().all(|p| p.settled.load(Ordering::SeqCst))).await;
    let last = probes.iter().map(|p| p.last_event.load(Ordering::SeqCst)).max().unwrap_or(0);
    let before: Vec<u64> = probes.iter().map(|p| p.draws.load(Ordering::SeqCst)).collect();
    let http = reqwest::Client::new();
    // Each change moves one ticket's presence to the other mode: one event
    // each, and changes in flight at once are on different tickets.
    let put = |n: u64| {
        let ticket = &tickets[n as usize % tickets.len()];
        let mode =
            if (n as usize / tickets.len()).is_multiple_of(2) { PresenceMode::Replying } else { PresenceMode::Viewing };
        http.put(format!("{url}/api/v1/tickets/{ticket}/presence"))
            .bearer_auth("sandbox")
            .json(&serde_json::json!({ "mode": mode }))
            .send()
    };
    let began = Instant::now();
    let mut failed = 0u64;
    let mut inflight = futures::stream::FuturesUnordered::new();
    for n in 0..burst {
        inflight.push(put(n));
        while inflight.len() >= 16 {
            if let Some(Err(_)) = inflight.next().await {
                failed += 1;
            }
        }
    }
    while let Some(result) = inflight.next().await {
        failed += u64::from(result.is_err());
    }
    let burst_took = began.elapsed();
    // Settled: every console has every event of the burst and nothing left
    // to read again, and stays so past the longest debounce (an event of
    // the sandbox's own, such as a delivery falling due, would show).
    let all_in = || {
        probes.iter().all(|p| p.last_event.load(Ordering::SeqCst) >= last + burst && p.settled.load(Ordering::SeqCst))
    };
    let mut settled = quiet && failed == 0;
    let deadline = Instant::now() + Duration::from_secs(30);
    while settled {
        settled = until(deadline.saturating_duration_since(Instant::now()), all_in).await;
        let seen: Vec<u64> = probes.iter().map(|p| p.last_event.load(Ordering::SeqCst)).collect();
        tokio::time::sleep(live::LIVE_DEBOUNCE * 2).await;
        if all_in() && probes.iter().zip(&seen).all(|(p, seen)| p.last_event.load(Ordering::SeqCst) == *seen) {
            break;
        }
    }
    let redraws: Vec<u64> =
        probes.iter().zip(&before).map(|(p, before)| p.draws.load(Ordering::SeqCst) - before).collect();
    println!("burst_events={burst}");
    println!("burst_ms={:.0}", burst_took.as_secs_f64() * 1e3);
    println!("burst_settled={settled}");
    println!("redraws_max={}", redraws.iter().max().copied().unwrap_or(0));
    println!("redraws_mean={:.1}", redraws.iter().sum::<u64>() as f64 / redraws.len().max(1) as f64);
    let _ = tokio::time::timeout(Duration::from_secs(3), started.stop()).await;
}
