//! The console's `f`: the top finding's remedy in one confirm dialog, run
//! against the real sandbox (no terminal).

mod common;

use common::{Harness, ch, key, t0};
use crossterm::event::KeyCode;
use portaldesk::portal::model::{Ticket, TicketStatus};
use portaldesk::sandbox::seed::SeedCase;
use portaldesk::tui::action::{Effect, Msg, Request};
use portaldesk::tui::app::{App, View};
use portaldesk::tui::keymap::{Keymap, ScreenKind};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

async fn started(h: &Harness) -> App {
    let (mut app, effects) = App::new(true, (160, 48));
    common::settle(&mut app, h, effects, t0()).await;
    app
}

async fn press(app: &mut App, h: &Harness, msg: Msg) -> Vec<Effect> {
    let effects = app.update(msg, t0());
    common::settle(app, h, effects, t0()).await
}

fn screen(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    terminal.draw(|frame| portaldesk::tui::app::render(app, frame, t0())).unwrap();
    terminal.backend().to_string()
}

/// Opens a ticket from the queue (Enter on its row).
async fn open_from_queue(app: &mut App, h: &Harness, pick: impl Fn(&Ticket) -> bool) -> Ticket {
    let tickets = app.queue.tickets.data.clone().unwrap();
    let index = tickets.iter().position(pick).expect("a seeded ticket to pick");
    app.queue.selected = index;
    press(app, h, key(KeyCode::Enter)).await;
    assert_eq!(app.screen(), ScreenKind::Ticket);
    tickets[index].clone()
}

#[tokio::test]
async fn f_then_enter_on_the_typo_ticket_corrects_the_address_replies_once_and_solves_it() {
    let h = Harness::start().await;
    let seeded = h.ticket(SeedCase::EmailTypo).clone();
    let mut app = started(&h).await;
    let ticket = open_from_queue(&mut app, &h, |t| t.id == seeded.ticket_id).await;
    let before = h.client.account(&ticket.account_id).await.unwrap().value;
    assert!(before.email.expose().ends_with(".cmo"), "the seeded typo");

    press(&mut app, &h, ch('f')).await;
    assert_eq!(app.screen(), ScreenKind::Fix, "{:?}", app.banner);
    let shown = screen(&app);
    assert!(shown.contains("Fix email_typo (correct_address)?"), "{shown}");
    assert!(shown.contains("[not done] Make"), "{shown}");
    assert!(!shown.contains(before.email.expose()), "the address shows masked before reveal");
    assert!(shown.contains("The reply shows once revealed"), "{shown}");

    let ran = press(&mut app, &h, key(KeyCode::Enter)).await;
    let fixes = ran.iter().filter(|e| matches!(e, Effect::Portal(_, Request::Fix { .. }))).count();
    assert_eq!(fixes, 1, "one run of the plan");
    assert!(app.overlay.is_none(), "done: the dialog closed");
    let banner = app.banner.clone().unwrap();
    assert!(!banner.error && banner.text.starts_with("Fixed email_typo"), "{banner:?}");
    assert!(ran.iter().any(|e| matches!(e, Effect::Portal(_, Request::Tickets {}))), "the queue is read again");
    assert!(ran.iter().any(|e| matches!(e, Effect::Portal(_, Request::Invites { .. }))), "the invites too");

    let outbox = h.client.sandbox_reply_outbox(Some(&ticket.id)).await.unwrap();
    assert_eq!(outbox.len(), 1, "the reply is emailed exactly once");
    assert_eq!(h.client.ticket(&ticket.id).await.unwrap().value.status, TicketStatus::Solved);
    let after = h.client.account(&ticket.account_id).await.unwrap().value;
    assert!(!after.email.expose().ends_with(".cmo"), "the default address is corrected");
    assert_eq!(app.ticket.as_ref().unwrap().ticket().unwrap().status, TicketStatus::Solved, "the ticket read again");
    let shown_account = app.account.as_ref().unwrap().account.data.as_ref().unwrap();
    assert_eq!(shown_account.value.email.expose(), after.email.expose(), "the account read again");
    assert_eq!(app.view(), View::Account);
}

#[tokio::test]
async fn read_only_refuses_f_and_hides_it() {
    let h = Harness::start().await;
    let seeded = h.ticket(SeedCase::EmailTypo).clone();
    let mut app = started(&h).await;
    open_from_queue(&mut app, &h, |t| t.id == seeded.ticket_id).await;
    app.keymap = Keymap::default().read_only(true);
    let effects = app.update(ch('f'), t0());
    assert!(effects.is_empty());
    assert!(app.overlay.is_none());
    let banner = app.banner.clone().unwrap();
    assert!(banner.error && banner.text.contains("read-only"), "{banner:?}");
    assert!(!app.keymap.footer(ScreenKind::Ticket).iter().any(|(_, hint)| *hint == "fix"));
    assert!(Keymap::default().footer(ScreenKind::Ticket).iter().any(|(_, hint)| *hint == "fix"));
}
