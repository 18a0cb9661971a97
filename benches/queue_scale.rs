//! The queue and the ticket pane at scale (issue #15's speed rows). Prints
//! one line per figure, read by `bench/run.sh`:
//!
//! - `ticket_pane p50_us= p99_us= n=`: key (j k J K) → update → full
//!   render at 160x48, the account with its ticket pane holding a
//!   200-message conversation, revealed (every body drawn). Target p99 < 3 ms.
//! - `queue_open median_ms= p95_ms= n=`: a console on a sandbox of 10,000
//!   open tickets (`--tickets 10000`, in this process, seeded beforehand):
//!   `App::new` → its first page read over HTTP → the first frame with
//!   tickets. Target < 300 ms.
//! - `queue_scroll p50_us= p99_us= n= read=`: `j` from the first ticket to
//!   the 10,000th, key → update → render (the pages read on the way are
//!   answered outside the timing; `read` is how many rows were read at the
//!   end). Target p99 < 3 ms.
//! - `queue_page_answer p99_us= max_us= n=`: a page's answer → update →
//!   render (what a page read on the way costs the frame after it).
//! - `queue_filter p50_us= p99_us= n=`: the filter keys (expiring, SLA
//!   breached, mine, unclaimed, status, all) and typing in `/`, key →
//!   update → render, with 10,000 rows read at first. Target p99 < 3 ms.
//!
//! `QUEUE_SCALE_TICKETS` (default 10000) and `QUEUE_SCALE_SAMPLES` (default
//! 5000) make it smaller (`bench/run.sh --smoke`).

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::Duration as Span;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use portaldesk::phi::Phi;
use portaldesk::portal::model::{
    AuthorKind, MessageAuthor, Ticket, TicketChannel, TicketMessage, TicketStatus, Visibility,
};
use portaldesk::portal::{ApiToken, ClientOptions, PortalClient, Versioned};
use portaldesk::request::perform;
use portaldesk::sandbox::{self, SandboxOptions};
use portaldesk::tui::action::{Answer, Effect, Msg, Request};
use portaldesk::tui::app::App;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use common::{account, now};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn press(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

/// The `p`th percentile, nearest rank, in microseconds.
fn percentile(times: &mut [Duration], p: usize) -> f64 {
    if times.is_empty() {
        return 0.0;
    }
    times.sort_unstable();
    times[(times.len() * p).div_ceil(100).clamp(1, times.len()) - 1].as_secs_f64() * 1e6
}

/// One message to the console and the frame after it, timed.
fn timed(app: &mut App, terminal: &mut Terminal<TestBackend>, msg: Msg) -> (Duration, Vec<Effect>) {
    let started = Instant::now();
    let effects = black_box(app.update(msg, now()));
    let _ = terminal.draw(|frame| portaldesk::tui::app::frame(app, frame, now()));
    (started.elapsed(), effects)
}

fn ticket() -> Ticket {
    Ticket {
        id: "T-1001".into(),
        subject: "Portal link says invalid".into(),
        account_id: "acc_7".into(),
        status: TicketStatus::Open,
        channel: TicketChannel::Email,
        opened_at: now() - Span::days(2),
        updated_at: now() - Span::hours(1),
        assignee: Some("agent_sandbox".into()),
        account: None,
        first_response_at: None,
        due_at: Some(now() - Span::days(2) + Span::hours(4)),
        viewers: Vec::new(),
    }
}

/// A conversation of `n` messages: the client, replies and notes in turn,
/// a few lines each.
fn conversation(n: usize) -> Vec<TicketMessage> {
    (0..n)
        .map(|i| {
            let (kind, visibility) = match i % 3 {
                0 => (AuthorKind::Client, Visibility::Public),
                1 => (AuthorKind::Staff, Visibility::Public),
                _ => (AuthorKind::Staff, Visibility::Internal),
            };
            let body = format!(
                "Message {i}: I tried the link again this morning and it still says invalid.\n\
                 My date of birth is 12/21/1985 and I typed it as the page asks.\n\
                 On Nov 30, 2026, at 9:14 AM, the portal wrote: please use the newest link."
            );
            TicketMessage {
                id: format!("msg_{i}").as_str().into(),
                ticket_id: "T-1001".into(),
                at: now() - Span::days(2) + Span::minutes(i as i64 * 10),
                author: MessageAuthor { kind, id: "acc_7".into(), name: Phi::new("Marisol Quintero".into()) },
                visibility,
                channel: TicketChannel::Email,
                body: Phi::new(body),
            }
        })
        .collect()
}

/// The account with its ticket pane and a conversation of 200 messages,
/// revealed.
fn ticket_pane() -> App {
    let (mut app, _) = App::new(true, (160, 48));
    let mut effects = app.open_ticket("acc_7".into(), "T-1001".into());
    while let Some(effect) = effects.pop() {
        let Effect::Portal(req, request) = effect else { continue };
        let answer = match request {
            Request::Account { .. } => Answer::Account(Ok(Versioned { value: account(), etag: "\"a7v1\"".into() })),
            Request::Invites { .. } => Answer::Invites(Ok(Vec::new())),
            Request::Audit { .. } => Answer::Audit(Ok(Vec::new())),
            Request::Ticket { .. } => Answer::Ticket(Ok(Box::new((
                Versioned { value: ticket(), etag: "\"t1v1\"".into() },
                "agent_sandbox".to_owned(),
            )))),
            Request::Messages { .. } => Answer::Messages(Ok(conversation(200))),
            _ => continue,
        };
        effects.extend(app.update(Msg::Answer(req, answer), now()));
    }
    app.update(press('v'), now());
    app
}

fn bench_ticket_pane(samples: usize) {
    let mut app = ticket_pane();
    let Ok(mut terminal) = Terminal::new(TestBackend::new(160, 48));
    let keys = ['J', 'J', 'K', 'j', 'k', 'J', 'K', 'K'];
    for n in 0..samples / 10 {
        timed(&mut app, &mut terminal, press(keys[n % keys.len()]));
    }
    let mut times: Vec<Duration> =
        (0..samples).map(|n| timed(&mut app, &mut terminal, press(keys[n % keys.len()])).0).collect();
    let shown = app.stack.ticket().and_then(|p| p.messages.data.as_ref()).map_or(0, Vec::len);
    println!(
        "ticket_pane p50_us={:.1} p99_us={:.1} n={samples} messages={shown}",
        percentile(&mut times, 50),
        percentile(&mut times, 99)
    );
}

/// Answers the portal calls among `effects` (and those they lead to),
/// each answer and its frame timed into `answers`.
fn run_effects(
    rt: &tokio::runtime::Runtime,
    client: &PortalClient,
    app: &mut App,
    terminal: &mut Terminal<TestBackend>,
    mut effects: Vec<Effect>,
    answers: &mut Vec<Duration>,
) {
    while let Some(effect) = effects.pop() {
        let msg = match effect {
            Effect::Portal(req, request) => Msg::Answer(req, rt.block_on(perform(client, request))),
            Effect::DebounceSearch(req) => Msg::SearchDue(req),
            _ => continue,
        };
        let (took, more) = timed(app, terminal, msg);
        answers.push(took);
        effects.extend(more);
    }
}

fn bench_queue(tickets: usize, samples: usize) {
    let Ok(rt) = tokio::runtime::Runtime::new() else { return };
    let seeding = Instant::now();
    let started = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.ok()?;
        let options = SandboxOptions { frozen_at: Some(now()), tickets, ..SandboxOptions::default() };
        sandbox::start(listener, options).await.ok()
    });
    let Some(server) = started else {
        eprintln!("queue_scale: the sandbox did not start");
        return;
    };
    let seeded_s = seeding.elapsed().as_secs_f64();
    let Ok(client) = PortalClient::new(&server.url(), ApiToken::new("sandbox".to_owned()), ClientOptions::default())
    else {
        return;
    };
    let Ok(mut terminal) = Terminal::new(TestBackend::new(160, 48));

    // Opening: App::new → first page → first frame with tickets.
    let mut opens = Vec::new();
    let mut app = None;
    for _ in 0..12 {
        let begun = Instant::now();
        let (mut fresh, effects) = App::new(true, (160, 48));
        for effect in effects {
            if let Effect::Portal(req, request) = effect {
                let answer = rt.block_on(perform(&client, request));
                fresh.update(Msg::Answer(req, answer), now());
            }
        }
        let _ = terminal.draw(|frame| portaldesk::tui::app::frame(&fresh, frame, now()));
        opens.push(begun.elapsed());
        app = Some(fresh);
    }
    let Some(mut app) = app else { return };
    let open_p95 = percentile(&mut opens[2..].to_vec(), 95) / 1000.0;
    let open_median = percentile(&mut opens[2..], 50) / 1000.0;
    println!(
        "queue_open median_ms={open_median:.1} p95_ms={open_p95:.1} n=10 first_page={} tickets={} seeded_s={seeded_s:.1}",
        app.stack.queue.len(),
        tickets + 29
    );

    // Scrolling down the whole queue.
    let mut scroll = Vec::new();
    let mut answers = Vec::new();
    while app.stack.queue.selected + 1 < app.stack.queue.len() || !app.stack.queue.complete() {
        let (took, effects) = timed(&mut app, &mut terminal, press('j'));
        scroll.push(took);
        run_effects(&rt, &client, &mut app, &mut terminal, effects, &mut answers);
        if scroll.len() > tickets + 1000 {
            break;
        }
    }
    let read = app.stack.queue.len();
    println!(
        "queue_scroll p50_us={:.1} p99_us={:.1} n={} read={read}",
        percentile(&mut scroll, 50),
        percentile(&mut scroll, 99),
        scroll.len()
    );

    // The filter keys, the rows read first; then `/` typing.
    let mut filter = Vec::new();
    let keys = ['e', 'e', 'b', 'b', 'i', 'i', 'u', 'u', 's', 's', 's', 's', 'b', 'e', 'a'];
    let rounds = (samples / keys.len()).max(1);
    for _ in 0..rounds {
        for &c in &keys {
            let (took, effects) = timed(&mut app, &mut terminal, press(c));
            filter.push(took);
            run_effects(&rt, &client, &mut app, &mut terminal, effects, &mut answers);
        }
        for msg in [press('/'), press('k'), press('i'), press('m')] {
            let (took, effects) = timed(&mut app, &mut terminal, msg);
            filter.push(took);
            run_effects(&rt, &client, &mut app, &mut terminal, effects, &mut answers);
        }
        let esc = Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
        let (took, effects) = timed(&mut app, &mut terminal, esc);
        filter.push(took);
        run_effects(&rt, &client, &mut app, &mut terminal, effects, &mut answers);
    }
    println!(
        "queue_filter p50_us={:.1} p99_us={:.1} n={}",
        percentile(&mut filter, 50),
        percentile(&mut filter, 99),
        filter.len()
    );
    let max = answers.iter().max().map_or(0.0, |d| d.as_secs_f64() * 1e6);
    println!("queue_page_answer p99_us={:.1} max_us={max:.1} n={}", percentile(&mut answers, 99), answers.len());
    let _ = rt.block_on(server.stop());
}

fn main() {
    // `cargo test --benches` runs each bench once: nothing to measure.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let samples = env("QUEUE_SCALE_SAMPLES", 5000);
    let tickets = env("QUEUE_SCALE_TICKETS", 10_000);
    bench_ticket_pane(samples);
    bench_queue(tickets, samples / 10);
}
