//! Frames drawn one over another on one terminal, as the console draws
//! them: a panel the terminal still shows whole from the frame before is
//! left to it (`view_model::Drawn`), not drawn again. After every step the
//! screen must be, cell for cell and style for style, the same state drawn
//! fresh on a new terminal.

use crate::common::{self, Harness, ch, key, t0};
use chrono::Duration;
use crossterm::event::KeyCode;
use portaldesk::sandbox::seed::SeedCase;
use portaldesk::tui::action::Msg;
use portaldesk::tui::app::{App, render};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::{Buffer, CellDiffOption};

/// The state drawn on a new terminal with nothing kept from earlier frames.
fn fresh(app: &mut App, now: chrono::DateTime<chrono::Utc>) -> Buffer {
    let kept = std::mem::take(&mut app.drawn);
    let mut terminal = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    terminal.draw(|frame| render(app, frame, now)).unwrap();
    app.drawn = kept;
    terminal.backend().buffer().clone()
}

/// The first row where two screens differ, as text, for the failure.
fn first_difference(shown: &Buffer, fresh: &Buffer) -> String {
    let width = usize::from(shown.area.width);
    let rows = |b: &Buffer| -> Vec<String> {
        b.content.chunks(width).map(|row| row.iter().map(|c| c.symbol()).collect::<String>()).collect()
    };
    let (a, b) = (rows(shown), rows(fresh));
    match a.iter().zip(&b).position(|(x, y)| x != y) {
        Some(y) => format!("row {y}:\n shown: {}\n fresh: {}", a[y], b[y]),
        None => "the same text; a style differs".to_owned(),
    }
}

/// A console at 160x48 on the ticket of a superseded link (several
/// invites to move through).
async fn on_ticket(h: &Harness) -> App {
    let (mut app, effects) = App::new(true, (160, 48));
    common::settle(&mut app, h, effects, t0()).await;
    common::open_ticket(&mut app, h, SeedCase::SupersededLink).await;
    app
}

#[tokio::test]
async fn every_frame_drawn_over_the_last_shows_what_a_fresh_frame_shows() {
    let h = Harness::start().await;
    let mut app = on_ticket(&h).await;
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    let mut now = t0();
    // Moves through the invites, reveals, opens and closes dialogs and
    // help over the panels, swaps the findings for the audit trail and
    // back, scrolls, and lets the clock run (countdowns tick).
    let steps = [
        ch('j'),
        ch('k'),
        ch('j'),
        ch('v'),
        ch('j'),
        ch('?'),
        key(KeyCode::Esc),
        ch('k'),
        ch('r'),
        key(KeyCode::Esc),
        ch('d'),
        key(KeyCode::Esc),
        key(KeyCode::Enter),
        key(KeyCode::Esc),
        ch('u'),
        ch('j'),
        ch('u'),
        key(KeyCode::PageDown),
        key(KeyCode::PageUp),
        Msg::Tick,
        ch('v'),
        ch('k'),
    ];
    let mut left = 0;
    for (n, msg) in steps.into_iter().enumerate() {
        if matches!(msg, Msg::Tick) {
            now += Duration::minutes(61);
        }
        let effects = app.update(msg, now);
        common::settle(&mut app, &h, effects, now).await;
        for _ in 0..2 {
            let done = terminal.draw(|frame| render(&app, frame, now)).unwrap();
            left += done.buffer.content.iter().filter(|c| c.diff_option == CellDiffOption::Skip).count();
            let (shown, fresh) = (terminal.backend().buffer().clone(), fresh(&mut app, now));
            assert!(shown == fresh, "step {n}: {}", first_difference(&shown, &fresh));
        }
    }
    // Panels were left to the terminal, so the steps tested that.
    assert!(left > 0, "no panel was left to the terminal");
}

#[tokio::test]
async fn a_new_terminal_gets_every_panel_drawn() {
    let h = Harness::start().await;
    let app = on_ticket(&h).await;
    let mut first = Terminal::new(TestBackend::new(160, 48)).unwrap();
    for _ in 0..2 {
        first.draw(|frame| render(&app, frame, t0())).unwrap();
    }
    // The console after Ctrl-Z and fg: a new terminal, the same panels.
    let mut second = Terminal::new(TestBackend::new(160, 48)).unwrap();
    let done = second.draw(|frame| render(&app, frame, t0())).unwrap();
    assert!(!done.buffer.content.iter().any(|c| c.diff_option == CellDiffOption::Skip));
    assert!(second.backend().buffer() == first.backend().buffer());
    // A new size is a new screen too.
    let mut wider = Terminal::new(TestBackend::new(160, 48)).unwrap();
    wider.draw(|frame| render(&app, frame, t0())).unwrap();
    wider.backend_mut().resize(170, 48);
    let done = wider.draw(|frame| render(&app, frame, t0())).unwrap();
    assert!(!done.buffer.content.iter().any(|c| c.diff_option == CellDiffOption::Skip));
}
