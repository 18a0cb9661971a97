//! Key press -> state update -> full render (the console's frame,
//! `app::frame`: drawn, then cleaned of control characters) into a TestBackend, on the
//! account screen at 160x48 with 20 invites. Targets: median under 1 ms,
//! p99 under 3 ms.
//!
//! Criterion gives the median (of its samples); it does not give a p99, so
//! after it this bench times single key presses one by one and prints
//! `key_to_frame_percentiles p50_us=... p99_us=... n=...` (read by
//! `bench/run.sh`). `KEY_TO_FRAME_SAMPLES` sets how many (default 20000).

mod common;

use std::hint::black_box;
use std::time::Instant;

use chrono::Duration;
use criterion::{Criterion, criterion_group};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use portaldesk::portal::Versioned;
use portaldesk::portal::model::{DeliveryEvent, DeliveryEventKind, Invite, InviteStatus};
use portaldesk::tui::action::{Answer, Effect, Msg, Request};
use portaldesk::tui::app::App;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use common::{account, now};

fn invites() -> Vec<Invite> {
    (0..20)
        .map(|n| {
            let sent_at = now() - Duration::hours(3 * n + 1);
            Invite {
                id: format!("inv_{}", 100 - n).into(),
                account_id: "acc_7".into(),
                sent_to: "marisol.quintero7@gmail.com".into(),
                sent_at,
                expires_at: sent_at + Duration::hours(48),
                status: if n == 0 { InviteStatus::Pending } else { InviteStatus::Superseded },
                accepted_at: None,
                link_opens: (n % 4) as u32,
                dob_failures: (n % 3) as u32,
                delivery: vec![
                    DeliveryEvent { at: sent_at, event: DeliveryEventKind::Queued, detail: None },
                    DeliveryEvent {
                        at: sent_at + Duration::seconds(2),
                        event: DeliveryEventKind::Delivered,
                        detail: None,
                    },
                ],
                revoked: None,
                visits: Vec::new(),
                token_sha256: None,
            }
        })
        .collect()
}

fn account_screen() -> App {
    let (mut app, _) = App::new(true, (160, 48));
    for effect in app.open_account("acc_7".into(), Some("T-1001".into())) {
        let msg = match effect {
            Effect::Portal(req, Request::Account { .. }) => {
                Msg::Answer(req, Answer::Account(Ok(Versioned { value: account(), etag: "\"a7v1\"".into() })))
            }
            Effect::Portal(req, Request::Invites { .. }) => Msg::Answer(req, Answer::Invites(Ok(invites()))),
            Effect::Portal(req, Request::Audit { .. }) => Msg::Answer(req, Answer::Audit(Ok(Vec::new()))),
            _ => continue,
        };
        app.update(msg, now());
    }
    app
}

fn key_to_frame(c: &mut Criterion) {
    let mut app = account_screen();
    let mut terminal = match Terminal::new(TestBackend::new(160, 48)) {
        Ok(terminal) => terminal,
        Err(_) => return,
    };
    let keys = [KeyCode::Char('j'), KeyCode::Char('k')];
    let mut n = 0;
    c.bench_function("key_to_frame/account_160x48_20_invites", |b| {
        b.iter(|| {
            n += 1;
            let key = KeyEvent::new(keys[n % 2], KeyModifiers::NONE);
            black_box(app.update(Msg::Key(key), now()));
            let _ = terminal.draw(|frame| portaldesk::tui::app::frame(&app, frame, now()));
        })
    });
}

/// Times `samples` single key presses (after a warm-up) and prints p50/p99
/// of the wall time, and the p99 of the thread's CPU time: on a machine
/// shared with other work the wall-time tail is mostly the scheduler giving
/// the core to someone else, which the CPU time leaves out.
fn percentiles(samples: usize) {
    let mut app = account_screen();
    let Ok(mut terminal) = Terminal::new(TestBackend::new(160, 48));
    let keys = [KeyCode::Char('j'), KeyCode::Char('k')];
    let mut one = |n: usize| {
        let (started, cpu) = (Instant::now(), thread_cpu());
        let key = KeyEvent::new(keys[n % 2], KeyModifiers::NONE);
        black_box(app.update(Msg::Key(key), now()));
        let _ = terminal.draw(|frame| portaldesk::tui::app::frame(&app, frame, now()));
        (started.elapsed(), thread_cpu().saturating_sub(cpu))
    };
    for n in 0..samples / 10 {
        one(n);
    }
    let (mut wall, mut cpu): (Vec<_>, Vec<_>) = (0..samples).map(&mut one).unzip();
    let p50 = percentile(&mut wall, 50);
    let (p99, cpu_p99) = (percentile(&mut wall, 99), percentile(&mut cpu, 99));
    println!("key_to_frame_percentiles p50_us={p50:.1} p99_us={p99:.1} cpu_p99_us={cpu_p99:.1} n={samples}");
}

/// The `p`th percentile, nearest rank, in microseconds.
fn percentile(times: &mut [std::time::Duration], p: usize) -> f64 {
    times.sort_unstable();
    times[(times.len() * p).div_ceil(100).clamp(1, times.len()) - 1].as_secs_f64() * 1e6
}

/// CPU time this thread has used.
fn thread_cpu() -> std::time::Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec through a valid pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    std::time::Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

criterion_group!(benches, key_to_frame);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    // Only when benchmarking (`cargo bench`), not when `cargo test --benches`
    // runs each bench once.
    if std::env::args().any(|a| a == "--bench") {
        let samples = std::env::var("KEY_TO_FRAME_SAMPLES").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
        percentiles(samples);
    }
}
