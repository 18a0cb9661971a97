//! How often a burst of events redraws the console (issue #16, "Speed": a
//! burst of 1,000 events, at most 10 redraws). A count, not a speed: the
//! console runs on a virtual timeline, its timers (the live debounce)
//! firing at their virtual instant and its portal calls made on the real
//! sandbox, answered a fixed virtual 2 ms later. Every message goes through
//! `tui::step`, the console loop's own redraw decision, and each redraw it
//! asks for is counted.

use crate::common;

use std::time::Duration;

use chrono::{DateTime, Utc};
use common::{Harness, t0};
use portaldesk::portal::events::Live;
use portaldesk::portal::model::{AccountId, EventType, PortalEvent};
use portaldesk::request::perform;
use portaldesk::sandbox::seed::SeedCase;
use portaldesk::tui::action::{Effect, Msg};
use portaldesk::tui::app::App;
use portaldesk::tui::effects::SEARCH_DEBOUNCE;
use portaldesk::tui::live::LIVE_FIRST;
use portaldesk::tui::{self, Step};

/// How long the sandbox takes to answer, on the virtual timeline.
const ANSWER_AFTER: Duration = Duration::from_millis(2);

/// A console on a virtual timeline: what is due, in order.
struct Timeline {
    /// (due at, order of arrival, message).
    due: Vec<(Duration, u64, Msg)>,
    arrivals: u64,
    /// Virtual now, since the start.
    now: Duration,
    draws: Vec<Duration>,
}

impl Timeline {
    fn at(&mut self, at: Duration, msg: Msg) {
        self.arrivals += 1;
        self.due.push((at, self.arrivals, msg));
    }

    fn instant(&self) -> DateTime<Utc> {
        t0() + chrono::Duration::from_std(self.now).unwrap()
    }

    /// Runs every message due until `end` (later ones, such as presence
    /// heartbeats, are left).
    async fn run(&mut self, app: &mut App, h: &Harness, end: Duration) {
        while let Some(next) =
            (0..self.due.len()).filter(|&i| self.due[i].0 <= end).min_by_key(|&i| (self.due[i].0, self.due[i].1))
        {
            let (at, _, msg) = self.due.swap_remove(next);
            self.now = at;
            let Step { effects, redraw } = tui::step(app, msg, self.instant());
            if redraw {
                self.draws.push(self.now);
            }
            for effect in effects {
                match effect {
                    Effect::Portal(req, request) => {
                        let answer = perform(&h.client, request).await;
                        self.at(self.now + ANSWER_AFTER, Msg::Answer(req, answer));
                    }
                    Effect::After { due, after } => self.at(self.now + after, Msg::Due(due)),
                    Effect::DebounceSearch(req) => self.at(self.now + SEARCH_DEBOUNCE, Msg::SearchDue(req)),
                    Effect::MaskAfter { reveal, after } => self.at(self.now + after, Msg::RevealOver(reveal)),
                    Effect::Reconnect { req, after } => self.at(self.now + after, Msg::ReconnectDue(req)),
                    Effect::Terminal(_) => {}
                }
            }
        }
    }
}

fn event(kind: EventType, account: &AccountId) -> PortalEvent {
    let mut event = PortalEvent::new(kind, t0());
    event.account_id = Some(account.clone());
    event
}

/// A console on the account of a seeded ticket, all read, live.
async fn on_account(h: &Harness) -> (App, AccountId) {
    let (mut app, effects) = App::new(true, (160, 48));
    common::settle(&mut app, h, effects, t0()).await;
    let effects = app.update(Msg::Live(Live::Connected), t0());
    common::settle(&mut app, h, effects, t0()).await;
    let seeded = h.ticket(SeedCase::ExpiredClientInvite).clone();
    let effects = app.open_account(seeded.account_id.clone(), Some(seeded.ticket_id.clone()));
    common::settle(&mut app, h, effects, t0()).await;
    app.live.take_redraw();
    (app, seeded.account_id)
}

fn timeline() -> Timeline {
    Timeline { due: Vec::new(), arrivals: 0, now: Duration::ZERO, draws: Vec::new() }
}

/// One change after a quiet spell is read again at once and drawn once,
/// when the last of its reads answers; so is the next, two seconds on.
#[tokio::test]
async fn a_lone_event_is_read_again_at_once_and_drawn_once() {
    let h = Harness::start().await;
    let (mut app, account) = on_account(&h).await;
    let mut timeline = timeline();
    for at in [Duration::ZERO, Duration::from_secs(2)] {
        timeline.at(at, Msg::Live(Live::Event(event(EventType::InviteDelivery, &account))));
    }
    timeline.run(&mut app, &h, Duration::from_secs(5)).await;
    // Three reads (queue, invites, audit), answered 2 ms on: one redraw.
    let first = LIVE_FIRST + ANSWER_AFTER;
    assert_eq!(timeline.draws, [first, Duration::from_secs(2) + first]);
}

/// 1,000 events in one second, about the open account and its ticket (so
/// each re-read reads the queue, the invites and the audit trail: the most
/// a burst can make a console read), on the account screen.
#[tokio::test]
async fn a_burst_of_1000_events_in_a_second_redraws_at_most_10_times() {
    let h = Harness::start().await;
    let (mut app, account) = on_account(&h).await;
    let mut timeline = timeline();
    for n in 0..1000u64 {
        let kind = if n % 2 == 0 { EventType::TicketUpdated } else { EventType::InviteDelivery };
        timeline.at(Duration::from_millis(n), Msg::Live(Live::Event(event(kind, &account))));
    }
    timeline.run(&mut app, &h, Duration::from_secs(5)).await;

    let draws = &timeline.draws;
    eprintln!("{} redraws for 1,000 events, at {draws:?}", draws.len());
    assert!(draws.len() <= 10, "{} redraws for 1,000 events, at {draws:?}", draws.len());
    // Not by dropping what changed: the first re-read shows well within a
    // second, and the last comes after the last event, with nothing left
    // stale, waiting or loading.
    assert!(draws.first().is_some_and(|at| *at < Duration::from_millis(500)), "{draws:?}");
    assert!(draws.last().is_some_and(|at| *at > Duration::from_millis(999)), "{draws:?}");
    assert_eq!(app.live.stale, Default::default());
    assert_eq!(app.live.debounce, None);
    assert!(!app.is_loading());
}
