//! The console's `f`: the top finding's remedy in one confirm dialog, run
//! against the real sandbox (no terminal).

use crate::common;

use common::{Harness, ch, key, t0};
use common::{press_at_t0 as press, screen_wide as screen, started_wide as started};
use crossterm::event::KeyCode;
use portaldesk::portal::model::{Ticket, TicketStatus};
use portaldesk::sandbox::seed::SeedCase;
use portaldesk::tui::action::{Effect, Request};
use portaldesk::tui::app::{App, View};
use portaldesk::tui::keymap::{Keymap, ScreenKind};

/// Opens a ticket from the queue (Enter on its row).
async fn open_from_queue(app: &mut App, h: &Harness, pick: impl Fn(&Ticket) -> bool) -> Ticket {
    let tickets = app.stack.queue.tickets.data.clone().unwrap();
    let index = tickets.iter().position(pick).expect("a seeded ticket to pick");
    app.stack.queue.selected = index;
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
    assert!(shown.contains("Fix email_typo: correct the address, resend, reply?"), "{shown}");
    assert!(shown.contains("[to do] Make"), "{shown}");
    assert!(!shown.contains(before.email.expose()), "the address shows masked before reveal");
    // The reply is readable before it goes: its addresses masked on screen,
    // nothing of it cut.
    assert!(shown.contains("│ Hi ") && shown.contains("@g***.com"), "{shown}");
    assert!(shown.contains("asked.") || shown.contains("when asked"), "the reply's end shows: {shown}");

    let ran = press(&mut app, &h, key(KeyCode::Enter)).await;
    let fixes = ran.iter().filter(|e| matches!(e, Effect::Portal(_, Request::Fix { .. }))).count();
    assert_eq!(fixes, 1, "one run of the plan");
    assert!(app.overlay.is_none(), "done: the dialog closed");
    let banner = app.banner.clone().unwrap();
    assert_eq!(banner.text, "Corrected the address and resent the invite, replied and solved", "{banner:?}");
    assert!(ran.iter().any(|e| matches!(e, Effect::Portal(_, Request::Tickets { .. }))), "the queue is read again");
    assert!(ran.iter().any(|e| matches!(e, Effect::Portal(_, Request::Invites { .. }))), "the invites too");

    let outbox = h.client.sandbox_reply_outbox(Some(&ticket.id)).await.unwrap();
    assert_eq!(outbox.len(), 1, "the reply is emailed exactly once");
    assert_eq!(h.client.ticket(&ticket.id).await.unwrap().value.status, TicketStatus::Solved);
    let after = h.client.account(&ticket.account_id).await.unwrap().value;
    assert!(!after.email.expose().ends_with(".cmo"), "the default address is corrected");
    assert_eq!(app.stack.ticket().unwrap().ticket().unwrap().status, TicketStatus::Solved, "the ticket read again");
    let shown_account = app.stack.account().unwrap().account.data.as_ref().unwrap();
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

/// The keys it takes, from the queue, to fix each seeded ticket: moving to
/// its row, Enter, `f`, Enter (again while a step failed), Esc back.
#[tokio::test]
async fn key_counting_walk_over_the_seeded_tickets() {
    let h = Harness::start().await;
    let seeded = h.sandbox.seeded.tickets.clone();
    assert_eq!(seeded.len(), 29);
    let mut app = started(&h).await;
    let mut table = vec![format!("{:<8} {:>4}  result", "ticket", "keys")];
    let mut fixed = 0;
    for s in &seeded {
        let tickets = app.stack.queue.tickets.data.clone().unwrap_or_default();
        let Some(index) = tickets.iter().position(|t| t.id == s.ticket_id) else {
            table.push(format!("{:<8} {:>4}  not in the queue", s.ticket_id, 0));
            continue;
        };
        let mut keys = 0;
        while app.stack.queue.selected != index {
            let step = if app.stack.queue.selected < index { 'j' } else { 'k' };
            press(&mut app, &h, ch(step)).await;
            keys += 1;
        }
        press(&mut app, &h, key(KeyCode::Enter)).await;
        press(&mut app, &h, ch('f')).await;
        keys += 2;
        let mut result = match app.screen() {
            ScreenKind::Fix => "not done".to_owned(),
            _ => format!("no dialog: {}", app.banner.as_ref().map_or("", |b| b.text.as_str())),
        };
        for _ in 0..3 {
            if app.screen() != ScreenKind::Fix {
                break;
            }
            press(&mut app, &h, key(KeyCode::Enter)).await;
            keys += 1;
            result = match app.overlay.is_none() {
                true => app.banner.clone().map(|b| b.text).unwrap_or_default(),
                false => "stopped part-way".to_owned(),
            };
        }
        if app.overlay.is_none() && app.banner.as_ref().is_some_and(|b| !b.error) {
            fixed += 1;
            let outbox = h.client.sandbox_reply_outbox(Some(&s.ticket_id)).await.unwrap();
            // A call sends nothing; every other fix emails its reply once.
            let expected = usize::from(!result.starts_with("Recorded the call"));
            assert_eq!(outbox.len(), expected, "{}: {result}", s.ticket_id);
        }
        while app.view() != View::Queue {
            press(&mut app, &h, key(KeyCode::Esc)).await;
            keys += 1;
        }
        table.push(format!("{:<8} {keys:>4}  {result}", s.ticket_id));
    }
    println!("{}\nfixed {fixed} of {}", table.join("\n"), seeded.len());
    assert!(fixed >= 15, "{}", table.join("\n"));
}

/// `f` Enter on a ticket just fixed sends nothing: it says what was done,
/// when and by whom, and only Enter on "do it again" repeats it.
#[tokio::test]
async fn a_second_f_shows_what_was_done_and_sends_nothing_unless_again() {
    let h = Harness::start().await;
    let seeded = h.ticket(SeedCase::ExpiredClientInvite).clone();
    let mut app = started(&h).await;
    let ticket = open_from_queue(&mut app, &h, |t| t.id == seeded.ticket_id).await;
    press(&mut app, &h, ch('f')).await;
    press(&mut app, &h, key(KeyCode::Enter)).await;
    assert!(app.overlay.is_none(), "{:?}", app.banner);
    assert_eq!(app.banner.as_ref().unwrap().text, "Resent the invite, replied and solved");
    assert_eq!(h.client.sandbox_reply_outbox(Some(&ticket.id)).await.unwrap().len(), 1);

    press(&mut app, &h, ch('f')).await;
    assert_eq!(app.screen(), ScreenKind::Fix);
    let shown = screen(&app);
    assert!(shown.contains("Answered since the client last wrote"), "{shown}");
    assert!(
        shown.contains("agent_sandbox resent the invite at") && shown.contains("agent_sandbox replied at"),
        "{shown}"
    );
    press(&mut app, &h, key(KeyCode::Esc)).await;
    assert_eq!(h.client.sandbox_reply_outbox(Some(&ticket.id)).await.unwrap().len(), 1, "Esc sent nothing");

    // Do it again, knowingly: one more reply.
    press(&mut app, &h, ch('f')).await;
    press(&mut app, &h, key(KeyCode::Enter)).await;
    assert!(app.overlay.is_none(), "{:?}", app.banner);
    assert_eq!(h.client.sandbox_reply_outbox(Some(&ticket.id)).await.unwrap().len(), 2);
}

/// A bounced address: the fix is a call (the script once revealed), and
/// Enter records it in a note and sets the ticket pending; nothing emailed.
#[tokio::test]
async fn a_bounced_ticket_offers_a_call_and_emails_nothing() {
    let h = Harness::start().await;
    let seeded = h.ticket(SeedCase::Bounced).clone();
    let mut app = started(&h).await;
    let ticket = open_from_queue(&mut app, &h, |t| t.id == seeded.ticket_id).await;
    press(&mut app, &h, ch('f')).await;
    assert_eq!(app.screen(), ScreenKind::Fix);
    let account = h.client.account(&ticket.account_id).await.unwrap().value;
    let shown = screen(&app);
    assert!(shown.contains("call them") && shown.contains("show once revealed (F2)"), "masked: {shown}");
    let call = format!("Call {}", account.first_name.expose());
    assert!(!shown.contains(&call), "the script shows once revealed: {shown}");
    assert!(shown.contains("agent_rivera's ticket: take it over"), "{shown}");
    press(&mut app, &h, key(KeyCode::F(2))).await;
    let shown = screen(&app);
    assert!(shown.contains(&call) && shown.contains("could not be delivered"), "revealed: {shown}");
    // Nothing of it is cut: its last words show.
    assert!(shown.contains("and resend (r)."), "the whole script: {shown}");
    // Someone else's (seeded) ticket asks first: take it over, then the call.
    for _ in 0..3 {
        if app.screen() != ScreenKind::Fix {
            break;
        }
        press(&mut app, &h, key(KeyCode::Enter)).await;
    }
    assert!(app.overlay.is_none(), "{:?}", app.banner);
    assert_eq!(app.banner.as_ref().unwrap().text, "Recorded the call in a note and set the ticket pending");
    assert!(h.client.sandbox_reply_outbox(Some(&ticket.id)).await.unwrap().is_empty());
    assert_eq!(h.client.ticket(&ticket.id).await.unwrap().value.status, TicketStatus::Pending);
    let notes = h.client.notes(&ticket.id).await.unwrap();
    assert!(notes.iter().any(|n| n.body.starts_with("Called the client")));
}
