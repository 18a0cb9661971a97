//! The console's state machine without a terminal: keys and answers in,
//! state and effects (the requests it would make) out.

use crate::common;

use chrono::{DateTime, Duration, Utc};
use common::{Harness, ch, key, t0};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use portaldesk::portal::model::{Account, AccountId, Invite, InviteStatus};
use portaldesk::portal::{PortalError, Versioned};
use portaldesk::sandbox::seed::SeedCase;
use portaldesk::tui::action::{Answer, Effect, Msg, Request, Terminal};
use portaldesk::tui::app::{App, Overlay, View};
use portaldesk::tui::keymap::ScreenKind;
use portaldesk::tui::screens::account::AccountState;
use portaldesk::tui::screens::edit_dob::Stage;

fn now() -> DateTime<Utc> {
    t0()
}

async fn started(h: &Harness) -> App {
    let (mut app, effects) = App::new(true, (160, 48));
    common::settle(&mut app, h, effects, now()).await;
    app
}

/// The console on the account of the first seeded ticket of `case`, all
/// loaded; with the account's id.
async fn on_ticket(h: &Harness, case: SeedCase) -> (App, AccountId) {
    let mut app = started(h).await;
    let seeded = h.ticket(case).clone();
    let effects = app.open_account(seeded.account_id.clone(), Some(seeded.ticket_id.clone()));
    common::settle(&mut app, h, effects, now()).await;
    (app, seeded.account_id)
}

async fn press(app: &mut App, h: &Harness, msg: Msg) -> Vec<Effect> {
    let effects = app.update(msg, now());
    common::settle(app, h, effects, now()).await
}

#[tokio::test]
async fn the_queue_loads_first_and_enter_opens_the_ticket_account_with_its_ticket() {
    let h = Harness::start().await;
    let (app, effects) = App::new(true, (160, 48));
    assert!(matches!(effects.as_slice(), [Effect::Portal(_, Request::Tickets { .. })]));
    assert_eq!(app.screen(), ScreenKind::Queue);
    let mut app = started(&h).await;
    assert_eq!(app.stack.queue.tickets.data.as_ref().map(Vec::len), Some(29));

    let effects = app.update(ch('j'), now());
    assert!(effects.is_empty());
    assert_eq!(app.stack.queue.selected, 1);
    let effects = app.update(key(KeyCode::Up), now());
    assert!(effects.is_empty());
    assert_eq!(app.stack.queue.selected, 0);

    let ticket = app.stack.queue.tickets.data.as_ref().unwrap()[0].clone();
    let effects = app.update(key(KeyCode::Enter), now());
    let ids: Vec<_> = effects
        .iter()
        .map(|e| match e {
            Effect::Portal(_, Request::Account { account_id: id })
            | Effect::Portal(_, Request::Invites { account_id: id })
            | Effect::Portal(_, Request::Audit { account_id: id }) => id.clone(),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(ids, vec![ticket.account_id.clone(); 3]);
    assert_eq!(app.view(), View::Account);
    assert_eq!(app.stack.account().unwrap().ticket_id.as_ref(), Some(&ticket.id));
    common::settle(&mut app, &h, effects, now()).await;
    assert!(app.stack.account().unwrap().account.data.is_some());

    // Esc goes back to the queue.
    press(&mut app, &h, key(KeyCode::Esc)).await;
    assert_eq!(app.view(), View::Queue);
}

#[tokio::test]
async fn n_jumps_to_the_next_unclaimed_ticket() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    let tickets = app.stack.queue.tickets.data.clone().unwrap();
    app.stack.queue.selected = 2;
    app.update(ch('n'), now());
    let expected = (3..tickets.len()).find(|&i| tickets[i].assignee.is_none()).unwrap();
    assert!(tickets[3].assignee.is_some(), "the seed claims the fourth ticket");
    assert_eq!(app.stack.queue.selected, expected);
}

#[tokio::test]
async fn search_is_debounced_and_old_answers_never_overwrite_new_ones() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    app.update(ch('A'), now());
    assert_eq!(app.screen(), ScreenKind::Search);

    // Typing issues only debounces; a stale debounce does nothing.
    let first: Vec<_> = "acc_4".chars().flat_map(|c| app.update(ch(c), now())).collect();
    assert!(first.iter().all(|e| matches!(e, Effect::DebounceSearch(_))));
    let Effect::DebounceSearch(stale) = first[0].clone() else { unreachable!() };
    assert!(app.update(Msg::SearchDue(stale), now()).is_empty(), "an outdated debounce must not search");
    let Effect::DebounceSearch(latest) = first.last().cloned().unwrap() else { unreachable!() };
    let search_a = app.update(Msg::SearchDue(latest), now());
    let Some(Effect::Portal(req_a, Request::Search { query: query_a })) = search_a.first().cloned() else {
        panic!("{search_a:?}")
    };
    assert_eq!(query_a.q.as_deref(), Some("acc_4"));

    // The user types on; a second search goes out.
    let more = app.update(ch('2'), now());
    let Some(Effect::DebounceSearch(due_b)) = more.first().cloned() else { panic!() };
    let Some(Effect::Portal(req_b, Request::Search { query: query_b })) =
        app.update(Msg::SearchDue(due_b), now()).first().cloned()
    else {
        panic!()
    };
    assert_eq!(query_b.q.as_deref(), Some("acc_42"));

    // B answers first, then A arrives late: A is dropped.
    let answer_b = h.client.search_accounts(&query_b).await;
    let answer_a = h.client.search_accounts(&query_a).await;
    app.update(Msg::Answer(req_b, Answer::Search(answer_b)), now());
    app.update(Msg::Answer(req_a, Answer::Search(answer_a)), now());
    let shown: Vec<_> = common::found(&app).iter().map(|a| a.id.clone()).collect();
    assert!(!shown.is_empty(), "B's answer shows");
    assert!(shown.iter().all(|id| id.as_str().contains("acc_42")), "{shown:?}");

    // Enter opens the selected account, without a ticket.
    let effects = app.update(key(KeyCode::Enter), now());
    assert!(matches!(effects.first(), Some(Effect::Portal(_, Request::Account { account_id: id })) if id == "acc_42"));
    assert_eq!(app.view(), View::Account);
    assert_eq!(app.stack.account().unwrap().ticket_id, None);
    // Back goes to where search was opened from, not to search.
    app.update(key(KeyCode::Esc), now());
    assert_eq!(app.view(), View::Queue);
}

#[tokio::test]
async fn resend_confirms_carries_the_ticket_and_reuses_its_key_on_retry() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    let seeded = h.ticket(SeedCase::ExpiredClientInvite).clone();
    let effects = app.open_account(seeded.account_id.clone(), Some(seeded.ticket_id.clone()));
    common::settle(&mut app, &h, effects, now()).await;
    let before = app.stack.account().unwrap().invites.data.as_ref().unwrap().len();

    assert!(app.update(ch('r'), now()).is_empty());
    assert_eq!(app.screen(), ScreenKind::Resend);
    // Esc cancels without a request.
    assert!(app.update(key(KeyCode::Esc), now()).is_empty());
    assert!(app.overlay.is_none());

    app.update(ch('r'), now());
    let first = app.update(key(KeyCode::Enter), now());
    let Some(Effect::Portal(req, Request::Resend { account_id, request, key: first_key })) = first.first().cloned()
    else {
        panic!("{first:?}")
    };
    assert_eq!(account_id, seeded.account_id);
    assert_eq!(request.ticket_id.as_ref(), Some(&seeded.ticket_id));
    // Keys while sending do nothing.
    assert!(app.update(key(KeyCode::Enter), now()).is_empty());
    // The connection drops: the dialog stays, showing the error.
    app.update(Msg::Answer(req, Answer::Resend(Err(PortalError::Dropped))), now());
    let Some(Overlay::Resend(state)) = &app.overlay else { panic!("dialog closed") };
    assert_eq!(state.submission.error, Some(PortalError::Dropped));
    // Retry: the same key.
    let retry = app.update(ch('y'), now());
    let Some(Effect::Portal(_, Request::Resend { key: retry_key, .. })) = retry.first().cloned() else {
        panic!("{retry:?}")
    };
    assert_eq!(retry_key, first_key);
    common::settle(&mut app, &h, retry, now()).await;

    assert!(app.overlay.is_none());
    let invites = app.stack.account().unwrap().invites.data.clone().unwrap();
    assert_eq!(invites.len(), before + 1);
    assert_eq!(invites[0].status, InviteStatus::Pending);
    assert_eq!(invites[0].expires_at - invites[0].sent_at, Duration::hours(48));
    assert!(app.banner.as_ref().is_some_and(|b| !b.error));
}

#[tokio::test]
async fn dob_edit_validates_asks_for_a_reason_confirms_and_handles_412() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    let seeded = h.ticket(SeedCase::DobOnFileWrong).clone();
    let effects = app.open_account(seeded.account_id.clone(), Some(seeded.ticket_id.clone()));
    common::settle(&mut app, &h, effects, now()).await;
    app.update(ch('e'), now());
    assert_eq!(app.screen(), ScreenKind::EditDob);

    // Letters go into the field, not to commands.
    for c in "3/5/1990".chars() {
        assert!(app.update(ch(c), now()).is_empty());
    }
    app.update(key(KeyCode::Enter), now());
    let Some(Overlay::EditDob(edit)) = &app.overlay else { panic!() };
    // 3/5/1990 is read as the diagnosis reads it (March 5); the reason is
    // what is missing.
    assert_eq!(edit.stage, Stage::Form);
    assert_eq!(edit.new_dob(now().date_naive()).map(|d| d.to_string()).ok().as_deref(), Some("1990-03-05"));
    assert_eq!(edit.submission.error.as_deref(), Some("a reason is required"));
    for _ in 0..3 {
        app.update(ch('x'), now());
    }
    app.update(key(KeyCode::Enter), now());
    let Some(Overlay::EditDob(edit)) = &app.overlay else { panic!() };
    assert!(edit.submission.error.as_deref().unwrap().contains("month/day/year"));
    for _ in 0..3 {
        app.update(key(KeyCode::Backspace), now());
    }

    for _ in 0..8 {
        app.update(key(KeyCode::Backspace), now());
    }
    "03/05/1990".chars().for_each(|c| {
        app.update(ch(c), now());
    });
    app.update(key(KeyCode::Enter), now());
    let Some(Overlay::EditDob(edit)) = &app.overlay else { panic!() };
    assert_eq!(edit.submission.error.as_deref(), Some("a reason is required"));
    app.update(key(KeyCode::Tab), now());
    "client confirmed on call".chars().for_each(|c| {
        app.update(ch(c), now());
    });
    assert!(app.update(key(KeyCode::Enter), now()).is_empty(), "Enter reviews first");
    let Some(Overlay::EditDob(edit)) = &app.overlay else { panic!() };
    assert_eq!(edit.stage, Stage::Confirm);

    // Someone else changes the account meanwhile.
    let other = portaldesk::portal::model::AccountPatch {
        dob: Some(portaldesk::phi::Phi::new(chrono::NaiveDate::from_ymd_opt(1991, 4, 4).unwrap())),
        reason: "a colleague".into(),
        ..Default::default()
    };
    let theirs = h.change_behind(&seeded.account_id, &other).await;

    let save = app.update(key(KeyCode::Enter), now());
    let Some(Effect::Portal(_, Request::SaveAccount { etag, patch, .. })) = save.first().cloned() else {
        panic!("{save:?}")
    };
    assert_eq!(etag, theirs.etag);
    assert_eq!(patch.ticket_id.as_ref(), Some(&seeded.ticket_id));
    common::settle(&mut app, &h, save, now()).await;
    let Some(Overlay::EditDob(edit)) = &app.overlay else { panic!("a 412 must keep the dialog open") };
    assert_eq!(edit.stage, Stage::Conflict);
    let current = edit.theirs.as_ref().expect("the current version was read");
    assert_eq!(current.value.dob.expose().to_string(), "1991-04-04");
    // Nothing was overwritten.
    assert_eq!(h.client.account(&seeded.account_id).await.unwrap().value.dob.expose().to_string(), "1991-04-04");

    // Enter reviews against the current version, Enter again saves.
    assert!(app.update(key(KeyCode::Enter), now()).is_empty());
    let save = app.update(key(KeyCode::Enter), now());
    common::settle(&mut app, &h, save, now()).await;
    assert!(app.overlay.is_none());
    assert_eq!(h.client.account(&seeded.account_id).await.unwrap().value.dob.expose().to_string(), "1990-03-05");
    let audit = h.client.audit(Some(&seeded.account_id), None).await.unwrap();
    assert_eq!(audit[0].ticket_id.as_ref(), Some(&seeded.ticket_id));
}

#[tokio::test]
async fn dob_compare_reads_what_is_typed_and_help_lists_the_screen_keys() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    let seeded = h.ticket(SeedCase::DobDayMonthSwapped).clone();
    let effects = app.open_account(seeded.account_id.clone(), None);
    common::settle(&mut app, &h, effects, now()).await;
    app.update(ch('d'), now());
    let dob = *app.stack.account().unwrap().account.data.as_ref().unwrap().value.dob.expose();
    let day_first = dob.format("%d/%m/%Y").to_string();
    app.update(Msg::Paste(day_first), now());
    let Some(Overlay::DobCompare(state)) = &app.overlay else { panic!() };
    let check =
        portaldesk::tui::screens::dob_compare::current_check(state, app.stack.account().unwrap(), now()).unwrap();
    assert!(check.findings.iter().any(|f| f.code.as_str() == "day_month_swapped"));
    assert_eq!(check.suggested_entry, Some(dob.format("%m/%d/%Y").to_string()));
    app.update(key(KeyCode::Esc), now());
    app.update(ch('?'), now());
    assert_eq!(app.screen(), ScreenKind::Help);
    app.update(key(KeyCode::Esc), now());
    assert_eq!(app.screen(), ScreenKind::Account);
}

#[tokio::test]
async fn quit_keys_and_ctrl_z() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    assert_eq!(
        app.update(Msg::Key(KeyEvent::new(KeyCode::Char('z'), KeyModifiers::CONTROL)), now()),
        vec![Effect::Terminal(Terminal::Suspend)]
    );
    app.update(ch('/'), now());
    // q types into the search field; Ctrl-C quits from anywhere.
    assert!(!app.update(ch('q'), now()).contains(&Effect::Terminal(Terminal::Quit)));
    assert_eq!(
        app.update(Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)), now()),
        vec![Effect::Terminal(Terminal::Quit)]
    );
    assert!(app.quit);
}

#[tokio::test]
async fn mouse_clicks_select_rows_and_the_wheel_scrolls() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    // The body starts at row 2; the table's border and header take two rows.
    let click = |row| {
        Msg::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: 10,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    app.update(click(2 + 2 + 4), now());
    assert_eq!(app.stack.queue.selected, 4);
    app.update(
        Msg::Mouse(MouseEvent { kind: MouseEventKind::ScrollDown, column: 0, row: 0, modifiers: KeyModifiers::NONE }),
        now(),
    );
    assert_eq!(app.stack.queue.selected, 5);
    let effects = app.update(ch('M'), now());
    assert_eq!(effects, vec![Effect::Terminal(Terminal::SetMouse(false))]);
}

#[tokio::test]
async fn idle_needs_no_tick_unless_a_countdown_shows() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    assert!(app.shows_countdown(), "the queue shows pending invites");
    app.update(ch('A'), now());
    assert!(!app.shows_countdown(), "search shows no countdown");
    app.update(key(KeyCode::Esc), now());
    app.update(ch('?'), now());
    assert!(!app.shows_countdown(), "help hides the countdowns");
}

#[tokio::test]
async fn a_failed_read_shows_a_banner_but_a_stale_failure_does_not() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    let refresh = app.update(ch('R'), now());
    let Some(Effect::Portal(req, Request::Tickets { .. })) = refresh.first().cloned() else { panic!("{refresh:?}") };
    // An answer to an older request is dropped, error or not.
    app.update(Msg::Answer(req - 1, Answer::Tickets(Err(PortalError::Timeout))), now());
    assert_eq!(app.banner, None);
    assert!(app.offline.is_none(), "a stale failure says nothing about the connection either");
    app.update(Msg::Answer(req, Answer::Tickets(Err(PortalError::Server { status: 503, title: "x".into() }))), now());
    let banner = app.banner.clone().expect("a banner");
    assert!(banner.error && banner.text.contains("503"), "{banner:?}");
    // Unreachable is more than an error: the console goes offline.
    let refresh = app.update(ch('R'), now());
    let Some(Effect::Portal(req, Request::Tickets { .. })) = refresh.first().cloned() else { panic!("{refresh:?}") };
    app.update(Msg::Answer(req, Answer::Tickets(Err(PortalError::Unreachable))), now());
    let banner = app.banner.clone().expect("a banner");
    assert!(banner.error && banner.text.contains("cannot be reached"), "{banner:?}");
    assert!(app.offline.is_some());
    // The last good queue stays on screen.
    assert_eq!(app.stack.queue.tickets.data.as_ref().map(Vec::len), Some(29));
}

#[tokio::test]
async fn clicking_an_invite_selects_it() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    let seeded = h.ticket(SeedCase::SupersededLink).clone();
    let effects = app.open_account(seeded.account_id, None);
    common::settle(&mut app, &h, effects, now()).await;
    assert_eq!(app.stack.account().unwrap().selected_invite, 0);
    // At 160x48 the history starts at row 2 (body) + 1 (border); each
    // invite takes three lines, so the second starts three rows lower.
    let click = Msg::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 60,
        row: 2 + 1 + 3,
        modifiers: KeyModifiers::NONE,
    });
    app.update(click, now());
    assert_eq!(app.stack.account().unwrap().selected_invite, 1);
}

#[tokio::test]
async fn a_revealed_dob_masks_itself_again_after_30_seconds() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    let seeded = h.ticket(SeedCase::NoInvite).clone();
    let effects = app.open_account(seeded.account_id, None);
    common::settle(&mut app, &h, effects, now()).await;
    assert!(!app.stack.account().unwrap().revealed);
    // v reveals, and starts a 30 s timer on the monotonic clock.
    let timer = app.update(ch('v'), now());
    let [Effect::MaskAfter { reveal, after }] = timer.as_slice() else { panic!("{timer:?}") };
    assert_eq!(*after, std::time::Duration::from_secs(30));
    assert!(app.stack.account().unwrap().revealed);
    // The server's time passing (or jumping) does not end it: only the timer.
    app.update(Msg::Tick, now() + Duration::seconds(3600));
    assert!(app.stack.account().unwrap().revealed);
    app.update(Msg::RevealOver(*reveal), now());
    assert!(!app.stack.account().unwrap().revealed, "still revealed after its time");
    // v masks at once too; a new reveal gets a new timer, and the old
    // one's end does not cut it short.
    let first = app.update(ch('v'), now());
    let [Effect::MaskAfter { reveal: old, .. }] = first.as_slice() else { panic!("{first:?}") };
    assert!(app.update(ch('v'), now()).is_empty());
    assert!(!app.stack.account().unwrap().revealed);
    let second = app.update(ch('v'), now());
    let [Effect::MaskAfter { reveal: new, .. }] = second.as_slice() else { panic!("{second:?}") };
    app.update(Msg::RevealOver(*old), now());
    assert!(app.stack.account().unwrap().revealed, "an ended reveal's timer masked a newer one");
    app.update(Msg::RevealOver(*new), now());
    assert!(!app.stack.account().unwrap().revealed);
}

/// The reveal timer is tokio's (monotonic) clock, not the server-corrected
/// one: a server `Date` far off changes nothing, and it fires on time.
#[tokio::test(start_paused = true)]
async fn the_reveal_timer_runs_on_the_monotonic_clock() {
    use portaldesk::portal::{ApiToken, ClientOptions, PortalClient};
    // No request goes out: the client only carries the server clock.
    let client = PortalClient::new("http://127.0.0.1:9", ApiToken::new("t"), ClientOptions::default()).unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let runner = portaldesk::tui::effects::Runner::new(client.clone(), tx);
    runner.spawn(Effect::MaskAfter { reveal: 7, after: std::time::Duration::from_secs(30) });
    tokio::task::yield_now().await;
    // The server says it is an hour earlier than this machine thinks.
    let behind = chrono::Utc::now() - Duration::hours(1);
    client.clock().observe(&behind.to_rfc2822(), chrono::Utc::now());
    assert!(client.clock().offset() < -Duration::minutes(59));
    tokio::time::advance(std::time::Duration::from_secs(29)).await;
    tokio::task::yield_now().await;
    assert!(rx.try_recv().is_err(), "masked early");
    tokio::time::advance(std::time::Duration::from_secs(1)).await;
    assert!(matches!(rx.recv().await, Some(Msg::RevealOver(7))));
}

/// With each dialog open over a revealed account, the reveal's time runs
/// out. A dialog that shows PHI keeps it shown while it is in use (issue
/// 14: no expiry mid-call) and the account masks as soon as it closes; a
/// dialog that shows none masks at once. After that, nothing on screen
/// shows the DOB or an address of the account (the dialogs read the
/// account's reveal, not a copy of it).
#[tokio::test]
async fn every_dialog_masks_again_when_the_reveal_time_is_over() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    let seeded = h.ticket(SeedCase::WrongAddress).clone();
    let effects = app.open_account(seeded.account_id.clone(), Some(seeded.ticket_id.clone()));
    common::settle(&mut app, &h, effects, now()).await;
    let account = app.stack.account().unwrap().account.data.clone().unwrap().value;
    let dob = *account.dob.expose();
    let dates = [dob.format("%m/%d/%Y").to_string(), dob.format("%Y-%m-%d").to_string()];
    let emails: Vec<String> = account.emails.iter().map(|e| e.address.expose().clone()).collect();
    assert_eq!(emails.len(), 2, "the seed gives this account two addresses");
    let screen = |app: &App, size: (u16, u16)| {
        let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(size.0, size.1)).unwrap();
        terminal.draw(|frame| portaldesk::tui::app::render(app, frame, now())).unwrap();
        terminal.backend().buffer().content().iter().map(|c| c.symbol()).collect::<String>()
    };
    let dialogs = [
        (ch('d'), ScreenKind::DobCompare),
        (ch('e'), ScreenKind::EditDob),
        (ch('a'), ScreenKind::Addresses),
        (ch('r'), ScreenKind::Resend),
        (ch('x'), ScreenKind::Revoke),
        (key(KeyCode::Enter), ScreenKind::Timeline),
        (ch('m'), ScreenKind::Note),
    ];
    for (open, dialog) in dialogs {
        assert_eq!(app.screen(), ScreenKind::Account);
        let timer = app.update(ch('v'), now());
        let [Effect::MaskAfter { reveal, .. }] = timer.as_slice() else { panic!("{timer:?}") };
        let Msg::Key(open) = open else { unreachable!() };
        app.update(Msg::Key(open), now());
        assert_eq!(app.screen(), dialog);
        if dialog == ScreenKind::DobCompare {
            // Day first and a short year: the dialog suggests the entry.
            app.update(Msg::Paste(dob.format("%-d/%-m/%y").to_string()), now());
        }
        let shown = screen(&app, (160, 48));
        assert!(dates.iter().chain(&emails).any(|s| shown.contains(s.as_str())), "{dialog:?}: revealed, nothing shows");
        if matches!(dialog, ScreenKind::DobCompare | ScreenKind::EditDob) {
            let dialog_only = screen(&app, (80, 24));
            assert!(dialog_only.contains(&dates[0]), "{dialog:?}: the dialog itself shows the DOB on file");
        }
        // A tick past the reveal time, and the reveal's timer ends it.
        app.update(Msg::Tick, now() + Duration::seconds(31));
        app.update(Msg::RevealOver(*reveal), now() + Duration::seconds(31));
        assert_eq!(app.screen(), dialog, "the dialog stays open");
        if dialog.shows_phi() {
            assert!(app.stack.account().unwrap().revealed, "{dialog:?}: masked mid-dialog");
            let shown = screen(&app, (160, 48));
            assert!(dates.iter().chain(&emails).any(|s| shown.contains(s.as_str())), "{dialog:?}: masked mid-dialog");
            // Closing it ends the reveal; the dialog opened again is masked.
            app.update(key(KeyCode::Esc), now());
            assert!(!app.stack.account().unwrap().revealed, "{dialog:?}: still revealed after closing");
            app.update(Msg::Key(open), now());
            assert_eq!(app.screen(), dialog);
        }
        for size in [(80, 24), (160, 48)] {
            let shown = screen(&app, size);
            for secret in dates.iter().chain(&emails) {
                assert!(!shown.contains(secret.as_str()), "{dialog:?} at {size:?} still shows {secret}");
            }
            if dialog == ScreenKind::DobCompare {
                assert!(shown.contains("Type exactly") && shown.contains(portaldesk::phi::DOB_MASK), "{shown}");
            }
        }
        app.update(key(KeyCode::Esc), now());
    }
    assert_eq!(app.screen(), ScreenKind::Account);
}

/// An account with two addresses and a pending invite, read once from a
/// real sandbox, for the paste tests (proptest runs its cases without
/// async).
fn seeded_account() -> &'static (Versioned<Account>, Vec<Invite>) {
    static SEEDED: std::sync::OnceLock<(Versioned<Account>, Vec<Invite>)> = std::sync::OnceLock::new();
    SEEDED.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let h = Harness::start().await;
            let id = h.ticket(SeedCase::WrongAddress).account_id.clone();
            let account = h.client.account(&id).await.unwrap();
            let invites = h.client.invites(&id).await.unwrap();
            h.sandbox.stop().await.unwrap();
            (account, invites)
        })
    })
}

/// The values of the text fields of the dialog (or search) on top.
fn field_values(app: &App) -> Vec<String> {
    let values: Vec<&str> = match &app.overlay {
        Some(Overlay::DobCompare(s)) => vec![s.input.value()],
        Some(Overlay::EditDob(s)) => vec![s.dob.value(), s.reason.value(), s.ticket.value()],
        Some(Overlay::Note(s)) => vec![s.input.value()],
        Some(Overlay::Revoke(s)) => vec![s.reason.value()],
        Some(Overlay::Addresses(s)) => vec![s.new_address.value(), s.reason.value()],
        Some(Overlay::Palette(s)) => vec![s.input.value()],
        None if app.view() == View::Search => vec![app.stack.search().expect("search in front").input.value()],
        _ => Vec::new(),
    };
    values.into_iter().map(str::to_owned).collect()
}

/// Renders the console at a usual size, a wide one and a tiny one (into
/// terminals kept per test thread: thousands of renders, no allocations).
fn renders_at_every_size(app: &App) {
    type Terminals = Vec<ratatui::Terminal<ratatui::backend::TestBackend>>;
    thread_local! {
        static TERMINALS: std::cell::RefCell<Terminals> = std::cell::RefCell::new(
            [(80, 24), (160, 48), (20, 5), (1, 1)]
                .into_iter()
                .map(|(w, h)| ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap())
                .collect(),
        );
    }
    TERMINALS.with_borrow_mut(|terminals| {
        for terminal in terminals {
            terminal.draw(|frame| portaldesk::tui::app::render(app, frame, now())).unwrap();
        }
    });
}

/// Opens search and every dialog that has a text field, each from the
/// account view, checks it really is open, pastes `pasted` into each of
/// its fields (Tab between them), renders, and checks every field holds at
/// most its limit and no control character.
fn paste_into_every_field(pasted: &str) {
    use portaldesk::tui::screens::{FIELD_MAX, REASON_MAX, note::NOTE_MAX};
    let (account, invites) = seeded_account().clone();
    assert_eq!(invites[0].status, InviteStatus::Pending, "x needs a pending invite");
    let (mut app, _) = App::new(true, (80, 24));
    let mut state = AccountState::new(account.value.id.clone(), Some("T-1".into()));
    state.account.data = Some(account);
    state.invites.data = Some(invites);
    state.audit.data = Some(Vec::new());
    app.stack.open_account(state);
    // Each field's limit, in the order Tab visits them.
    let dialogs: [(char, ScreenKind, &[usize]); 7] = [
        ('/', ScreenKind::Search, &[FIELD_MAX]),
        ('d', ScreenKind::DobCompare, &[FIELD_MAX]),
        ('e', ScreenKind::EditDob, &[FIELD_MAX, REASON_MAX, FIELD_MAX]),
        ('m', ScreenKind::Note, &[NOTE_MAX]),
        ('x', ScreenKind::Revoke, &[REASON_MAX]),
        ('a', ScreenKind::Addresses, &[FIELD_MAX, REASON_MAX]),
        (':', ScreenKind::Palette, &[FIELD_MAX]),
    ];
    let printable = pasted.chars().filter(|c| !c.is_control()).count();
    for (open, screen, limits) in dialogs {
        let fields = limits.len();
        assert_eq!(app.screen(), ScreenKind::Account);
        app.update(ch(open), now());
        assert_eq!(app.screen(), screen, "{open} did not open {screen:?}");
        for field in 0..fields {
            app.update(Msg::Paste(pasted.to_owned()), now());
            renders_at_every_size(&app);
            if field + 1 < fields {
                let tabbed = app.update(key(KeyCode::Tab), now());
                assert!(tabbed.is_empty());
            }
        }
        let values = field_values(&app);
        assert_eq!(values.len(), fields, "{screen:?}");
        for (value, &limit) in values.iter().zip(limits) {
            let count = value.chars().count();
            assert!(!value.chars().any(char::is_control), "{screen:?} took a control character");
            assert!(count <= limit, "{screen:?} holds {count} characters");
            // The ticket field starts filled; the others hold the paste.
            if printable >= limit {
                assert_eq!(count, limit, "{screen:?}: a long paste fills the field to its limit");
            }
        }
        // Every field got the paste (Tab really moved on): a paste with
        // something printable leaves no field empty.
        if pasted.chars().any(|c| !c.is_control()) {
            assert!(values.iter().all(|v| !v.is_empty()), "{screen:?}: a field was skipped");
        }
        app.update(key(KeyCode::Enter), now());
        renders_at_every_size(&app);
        // Whatever Enter did (a request, a command from the palette),
        // start the next dialog from the account again.
        app.overlay = None;
        while app.view() != View::Account {
            app.stack.pop();
        }
        app.quit = false;
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// Any Unicode pasted into any text field is taken without a panic, and
    /// every screen still renders, at any size.
    #[test]
    fn any_paste_into_any_field_is_safe(text in "\\PC{0,300}", control in "[\\x00-\\x1f\\u{7f}]{0,5}") {
        paste_into_every_field(&format!("{text}{control}"));
    }
}

#[test]
fn a_70000_character_paste_is_cut_at_each_fields_limit() {
    use portaldesk::tui::screens::{FIELD_MAX, REASON_MAX};
    // Wide characters, so the cursor column would pass u16::MAX unchecked.
    let huge: String = "界".repeat(70_000);
    paste_into_every_field(&huge);
    // Pasting again or typing on into a full field adds nothing.
    let (mut app, _) = App::new(true, (80, 24));
    app.update(ch('A'), now());
    app.update(Msg::Paste(huge.clone()), now());
    app.update(Msg::Paste(huge.clone()), now());
    assert!(app.update(ch('z'), now()).is_empty(), "a full field takes no key");
    assert_eq!(app.stack.search().expect("search in front").input.value().chars().count(), FIELD_MAX);
    assert!(!app.stack.search().expect("search in front").input.value().contains('z'));
    renders_at_every_size(&app);
    // Typed keys stop at the limit too, and deleting still works.
    let (account, _) = seeded_account().clone();
    let mut edit = portaldesk::tui::screens::edit_dob::EditDobState::new(account, None);
    edit.focus = portaldesk::tui::screens::edit_dob::Focus::Reason;
    let typed = |c: char| crossterm::event::Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    for _ in 0..REASON_MAX + 10 {
        edit.edit(&typed('r'));
    }
    assert_eq!(edit.reason.value().chars().count(), REASON_MAX);
    edit.edit(&crossterm::event::Event::Key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE)));
    assert_eq!(edit.reason.value().chars().count(), REASON_MAX - 1);
}

#[tokio::test]
async fn the_idle_lock_hides_everything_until_a_key_and_enter() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    let seeded = h.ticket(SeedCase::DeliveredNotOpened).clone();
    let effects = app.open_account(seeded.account_id.clone(), Some(seeded.ticket_id));
    common::settle(&mut app, &h, effects, now()).await;
    app.update(ch('v'), now());
    let account = app.stack.account().unwrap().account.data.clone().unwrap().value;

    app.update(Msg::IdleLock, now());
    assert!(!app.shows_countdown(), "a locked console does not tick");
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 48)).unwrap();
    terminal.draw(|frame| portaldesk::tui::app::render(&app, frame, now())).unwrap();
    let screen = terminal.backend().to_string();
    assert!(screen.contains("locked"));
    for phi in [account.first_name.expose(), account.last_name.expose(), account.email.expose()] {
        assert!(!screen.contains(phi.as_str()), "{phi} shows on the lock screen");
    }
    assert!(!screen.contains(seeded.account_id.as_str()));

    // Keys do nothing but ask for confirmation; only Enter after one unlocks.
    assert!(app.update(ch('r'), now()).is_empty());
    assert!(app.overlay.is_none(), "a key while locked must not act");
    app.update(key(KeyCode::Enter), now());
    assert_eq!(app.lock, None);
    assert!(!app.stack.account().unwrap().revealed, "unlocking does not reveal again");
    assert_eq!(app.view(), View::Account, "back where the user was");

    // Ctrl-C quits even while locked.
    app.update(Msg::IdleLock, now());
    assert_eq!(
        app.update(Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)), now()),
        vec![Effect::Terminal(Terminal::Quit)]
    );
}

#[tokio::test]
async fn a_429_shows_the_wait_as_a_countdown_and_keeps_the_dialog_usable() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    let seeded = h.ticket(SeedCase::DeliveredNotOpened).clone();
    let effects = app.open_account(seeded.account_id, None);
    common::settle(&mut app, &h, effects, now()).await;
    app.update(ch('r'), now());
    let sent = app.update(key(KeyCode::Enter), now());
    let Some(Effect::Portal(req, Request::Resend { .. })) = sent.first().cloned() else { panic!("{sent:?}") };
    let wait = std::time::Duration::from_secs(55 * 60);
    app.update(
        Msg::Answer(req, Answer::Resend(Err(PortalError::RateLimited { retry_after: wait, detail: None }))),
        now(),
    );
    assert!(app.shows_countdown(), "the wait ticks");
    let screen = |at| {
        let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 48)).unwrap();
        terminal.draw(|frame| portaldesk::tui::app::render(&app, frame, at)).unwrap();
        terminal.backend().to_string()
    };
    let shown = screen(now() + Duration::seconds(60));
    assert!(shown.contains("try again in 54m 00s"), "{shown}");
    assert!(screen(now() + Duration::seconds(61)).contains("try again in 53m 59s"));
    assert!(screen(now() + Duration::minutes(55)).contains("The wait is over"));
    // Esc still closes it; the rest of the console works.
    app.update(key(KeyCode::Esc), now());
    assert!(app.overlay.is_none());
}

/// The request a change effect sends, if it is one.
fn change_sent(effects: &[Effect]) -> Option<portaldesk::tui::action::ReqId> {
    effects.iter().find_map(|e| match e {
        Effect::Portal(req, Request::Resend { .. })
        | Effect::Portal(req, Request::SaveAccount { .. })
        | Effect::Portal(req, Request::Revoke { .. })
        | Effect::Portal(req, Request::AddNote { .. }) => Some(*req),
        _ => None,
    })
}

/// After a 429 in any dialog that sends a change, Enter sends nothing
/// until the wait from Retry-After is over (the dialog counts it down),
/// then sends again.
#[tokio::test]
async fn a_429_holds_back_every_change_until_its_wait_is_over() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    let seeded = h.ticket(SeedCase::WrongAddress).clone();
    let effects = app.open_account(seeded.account_id.clone(), Some(seeded.ticket_id.clone()));
    common::settle(&mut app, &h, effects, now()).await;
    let paste = |text: &str| Msg::Paste(text.to_owned());
    let (enter, tab) = (|| key(KeyCode::Enter), || key(KeyCode::Tab));
    type Reply = fn(portaldesk::tui::action::ReqId, PortalError) -> Msg;
    let cases: Vec<(ScreenKind, Vec<Msg>, Reply)> = vec![
        (ScreenKind::Resend, vec![ch('r'), enter()], |req, e| Msg::Answer(req, Answer::Resend(Err(e)))),
        (
            ScreenKind::EditDob,
            vec![ch('e'), paste("03/05/1990"), tab(), paste("confirmed on the call"), enter(), enter()],
            |req, e| Msg::Answer(req, Answer::SaveAccount(Err(e))),
        ),
        (ScreenKind::Revoke, vec![ch('x'), paste("sent to the old address"), enter(), enter()], |req, e| {
            Msg::Answer(req, Answer::Revoke(Err(e)))
        }),
        (ScreenKind::Note, vec![ch('m'), paste("called back"), enter()], |req, e| {
            Msg::Answer(req, Answer::AddNote(Err(e)))
        }),
        (
            ScreenKind::Addresses,
            vec![ch('a'), paste("new.address@example.org"), tab(), paste("client asked"), enter(), enter()],
            |req, e| Msg::Answer(req, Answer::SaveAccount(Err(e))),
        ),
    ];
    let screen = |app: &App, at| {
        let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 48)).unwrap();
        terminal.draw(|frame| portaldesk::tui::app::render(app, frame, at)).unwrap();
        terminal.backend().to_string()
    };
    let limited = PortalError::RateLimited { retry_after: std::time::Duration::from_secs(90), detail: None };
    for (dialog, steps, answer) in cases {
        assert_eq!(app.screen(), ScreenKind::Account);
        let mut sent = None;
        for msg in steps {
            sent = sent.or(change_sent(&app.update(msg, now())));
        }
        assert_eq!(app.screen(), dialog);
        let req = sent.unwrap_or_else(|| panic!("{dialog:?} sent nothing"));
        app.update(answer(req, limited.clone()), now());
        assert!(app.shows_countdown(), "{dialog:?}: the wait ticks");
        let during = now() + Duration::seconds(30);
        assert!(app.update(key(KeyCode::Enter), during).is_empty(), "{dialog:?}: Enter sent during the wait");
        let shown = screen(&app, during);
        assert!(shown.contains("try again in 1m 00s"), "{dialog:?}:\n{shown}");
        let after = now() + Duration::seconds(90);
        assert!(screen(&app, after).contains("The wait is over"), "{dialog:?}");
        let again = app.update(key(KeyCode::Enter), after);
        assert!(change_sent(&again).is_some(), "{dialog:?}: Enter sends again after the wait: {again:?}");
        app.overlay = None;
    }
}

/// Enter in the resend dialog moments after a resend: the guard names this
/// console's own resend and sends nothing; a second Enter sends knowingly.
fn resend_knowingly(app: &mut App) -> Vec<Effect> {
    assert!(app.update(key(KeyCode::Enter), now()).is_empty(), "the guard asks first");
    let banner = app.banner.as_ref().map(|b| b.text.clone()).unwrap_or_default();
    assert!(banner.contains("you resent the invite") && banner.contains("Enter again sends anyway"), "{banner}");
    app.update(key(KeyCode::Enter), now())
}

/// A resend whose answer was lost, then re-done from a dialog opened again
/// after Esc, goes with the same Idempotency-Key: one invite on the server.
#[tokio::test]
async fn a_resend_whose_answer_was_lost_keeps_its_key_across_esc() {
    let h = Harness::start().await;
    let (mut app, id) = on_ticket(&h, SeedCase::ExpiredClientInvite).await;
    let before = h.client.invites(&id).await.unwrap().len();

    // The resend reaches the portal (an invite is made), but its answer is
    // lost on the way back.
    app.update(ch('r'), now());
    let sent = app.update(key(KeyCode::Enter), now());
    let Some(Effect::Portal(req, Request::Resend { account_id, request, key: first })) = sent.first().cloned() else {
        panic!("{sent:?}")
    };
    h.client.resend(&account_id, &request, &first).await.unwrap();
    app.update(Msg::Answer(req, Answer::Resend(Err(PortalError::Timeout))), now());
    assert_eq!(h.client.invites(&id).await.unwrap().len(), before + 1);

    // Esc, then the dialog again: same key; the portal replays the answer.
    app.update(key(KeyCode::Esc), now());
    assert!(app.overlay.is_none());
    app.update(ch('r'), now());
    let again = app.update(key(KeyCode::Enter), now());
    let Some(Effect::Portal(_, Request::Resend { key: second, .. })) = again.first().cloned() else {
        panic!("{again:?}")
    };
    assert_eq!(second, first, "a reopened dialog minted a new key");
    common::settle(&mut app, &h, again, now()).await;
    assert!(app.overlay.is_none() && app.banner.as_ref().is_some_and(|b| !b.error), "{:?}", app.banner);
    assert_eq!(h.client.invites(&id).await.unwrap().len(), before + 1, "the retry made a second invite");
    // Seen through: the next resend is a new one.
    app.update(ch('r'), now());
    let Some(Overlay::Resend(state)) = &app.overlay else { panic!() };
    assert_ne!(state.submission.key, first);
    app.update(key(KeyCode::Esc), now());

    // Lost again, but a reload of the invites shows the new invite: the
    // outcome is known, so the next resend is a new one too (moments after
    // this console's own resend: the guard says so first, and a second
    // Enter sends it knowingly).
    app.update(ch('r'), now());
    let sent = resend_knowingly(&mut app);
    let Some(Effect::Portal(req, Request::Resend { account_id, request, key: third })) = sent.first().cloned() else {
        panic!("{sent:?}")
    };
    h.client.resend(&account_id, &request, &third).await.unwrap();
    app.update(Msg::Answer(req, Answer::Resend(Err(PortalError::Dropped))), now());
    app.update(key(KeyCode::Esc), now());
    let reload = app.update(ch('R'), now());
    common::settle(&mut app, &h, reload, now()).await;
    assert!(app.unconfirmed.is_empty(), "the reload showed the invite");
    app.update(ch('r'), now());
    let Some(Overlay::Resend(state)) = &app.overlay else { panic!() };
    assert_ne!(state.submission.key, third);
}

#[tokio::test]
async fn losing_the_portal_goes_offline_and_coming_back_resumes_without_restart() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    let seeded = h.ticket(SeedCase::DeliveredNotOpened).clone();
    let effects = app.open_account(seeded.account_id.clone(), Some(seeded.ticket_id.clone()));
    common::settle(&mut app, &h, effects, now()).await;
    let addr = h.sandbox.addr;
    let Harness { sandbox, client, .. } = h;
    sandbox.stop().await.unwrap();

    // A refresh finds nobody there: offline, with a probe, data kept.
    let effects = app.update(ch('R'), now());
    let mut probes = Vec::new();
    for effect in effects {
        let msg = match effect {
            Effect::Portal(req, Request::Account { account_id: id }) => {
                Msg::Answer(req, Answer::Account(client.account(&id).await))
            }
            Effect::Portal(req, Request::Invites { account_id: id }) => {
                Msg::Answer(req, Answer::Invites(client.invites(&id).await))
            }
            Effect::Portal(req, Request::Audit { account_id: id }) => {
                Msg::Answer(req, Answer::Audit(client.audit(Some(&id), None).await))
            }
            other => panic!("unexpected {other:?}"),
        };
        probes.extend(app.update(msg, now()));
    }
    let offline = app.offline.expect("offline");
    assert_eq!(offline.since, now());
    assert!(app.banner.as_ref().is_some_and(|b| b.error && b.text.contains("reconnects by itself")));
    assert!(app.stack.account().unwrap().account.data.is_some(), "what was shown is kept");
    let [Effect::Reconnect { req, after }] = probes.as_slice() else { panic!("one probe, not {probes:?}") };
    assert_eq!(*after, std::time::Duration::from_secs(1));

    // Still down: the next probe waits longer; keys keep working.
    let failed = client.me().await.map(|_| ());
    assert!(failed.is_err());
    let next = app.update(Msg::Answer(*req, Answer::Probe(failed)), now());
    let [Effect::Reconnect { req, after }] = next.as_slice() else { panic!("{next:?}") };
    assert_eq!(*after, std::time::Duration::from_secs(2));
    app.update(ch('v'), now());
    assert!(app.stack.account().unwrap().revealed);

    // The portal is back on the same address: the probe succeeds, the
    // banner says so, and the screen is read again.
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let options = portaldesk::sandbox::SandboxOptions { frozen_at: Some(t0()), ..Default::default() };
    let sandbox = portaldesk::sandbox::start(listener, options).await.unwrap();
    let h = Harness { sandbox, client, raw: std::sync::OnceLock::new() };
    let back = app.update(Msg::Answer(*req, Answer::Probe(h.client.me().await.map(|_| ()))), now());
    assert!(app.offline.is_none());
    assert!(app.banner.as_ref().is_some_and(|b| !b.error && b.text.contains("Back online")));
    assert!(back.iter().any(|e| matches!(e, Effect::Portal(_, Request::Tickets { .. }))));
    assert!(
        back.iter()
            .any(|e| matches!(e, Effect::Portal(_, Request::Account { account_id: id }) if *id == seeded.account_id))
    );
    common::settle(&mut app, &h, back, now()).await;
    assert!(app.offline.is_none());
    assert!(app.stack.queue.tickets.error.is_none() && app.stack.account().unwrap().account.error.is_none());
    // A stale probe answer changes nothing.
    assert!(app.update(Msg::Answer(*req, Answer::Probe(Err(PortalError::Unreachable))), now()).is_empty());
    assert!(app.offline.is_none());
}

/// What a panic or crash report could carry: the `Debug` of every message
/// and effect that holds client data. None may show a name, an address, a
/// DOB, a search text or a note.
#[tokio::test]
async fn messages_and_effects_never_show_phi_in_debug_or_panics() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    let seeded = h.ticket(SeedCase::DobDayMonthSwapped).clone();
    let effects = app.open_account(seeded.account_id.clone(), Some(seeded.ticket_id.clone()));
    common::settle(&mut app, &h, effects, now()).await;
    let account = h.client.account(&seeded.account_id).await.unwrap();
    let a = &account.value;
    let dob = *a.dob.expose();
    let secrets = [
        a.first_name.expose().clone(),
        a.last_name.expose().clone(),
        a.email.expose().clone(),
        dob.format("%m/%d/%Y").to_string(),
        dob.format("%Y-%m-%d").to_string(),
        "note about the client".to_owned(),
    ];
    let mut shown = Vec::new();
    // Search by the email, copy the reply, write a note: the effects.
    app.update(ch('/'), now());
    app.update(Msg::Paste(a.email.expose().clone()), now());
    let due = app.update(Msg::SearchDue(app.stack.search().expect("search in front").latest), now());
    shown.push(format!("{due:?}"));
    app.update(key(KeyCode::Esc), now());
    shown.push(format!("{:?}", app.update(ch('y'), now())));
    app.update(ch('m'), now());
    app.update(Msg::Paste("note about the client".into()), now());
    shown.push(format!("{:?}", app.update(key(KeyCode::Enter), now())));
    // An answer carrying the account.
    shown.push(format!("{:?}", Msg::Answer(1, Answer::Account(Ok(account.clone())))));
    // Every message and effect that carries client text: what was pasted
    // or typed, answers (search hits, the audit trail with a reason naming
    // the client, a portal error echoing what was sent), and the changes
    // sent with their reasons.
    let named = format!("{} {} called", a.first_name.expose(), a.last_name.expose());
    let query = portaldesk::portal::AccountQuery { q: Some(a.email.expose().clone()), ..Default::default() };
    let found = h.client.search_accounts(&query).await;
    assert!(found.as_ref().is_ok_and(|page| !page.items.is_empty()));
    let audit = vec![portaldesk::portal::model::AuditEntry {
        at: now(),
        actor: "agent".into(),
        action: portaldesk::portal::model::AuditAction::AccountUpdated,
        account_id: Some(a.id.clone()),
        ticket_id: None,
        summary: format!("date of birth changed; reason: {named}"),
        seq: 1,
        prev_hash: String::new(),
        hash: String::new(),
    }];
    let echoed = PortalError::Invalid { status: 422, detail: format!("{} is not allowed", a.email.expose()) };
    let patch = portaldesk::portal::model::AccountPatch {
        dob: Some(portaldesk::phi::Phi::new(dob)),
        reason: named.clone(),
        ..Default::default()
    };
    let messages = [
        Msg::Paste(a.email.expose().clone()),
        ch(a.first_name.expose().chars().next().unwrap()),
        Msg::Answer(2, Answer::Search(found)),
        Msg::Answer(3, Answer::Invites(h.client.invites(&a.id).await)),
        Msg::Answer(4, Answer::Audit(Ok(audit))),
        Msg::Answer(5, Answer::Account(Err(echoed.clone()))),
        Msg::Answer(6, Answer::SaveAccount(Err(echoed))),
        Msg::Copied { what: "the reply", result: Err(format!("no clipboard for {named}")) },
    ];
    for msg in &messages {
        shown.push(format!("{msg:?}"));
    }
    assert!(shown.iter().any(|s| s.contains("Paste(<")), "{shown:?}");
    assert!(shown.iter().any(|s| s.contains("Err(refused, 422)")), "the error's kind and status show: {shown:?}");
    let effects = [
        Effect::Portal(
            7,
            Request::SaveAccount {
                account_id: a.id.clone(),
                etag: account.etag.clone(),
                patch,
                key: portaldesk::portal::IdempotencyKey::new(),
            },
        ),
        Effect::Portal(
            8,
            Request::Revoke {
                account_id: a.id.clone(),
                invite_id: "inv_1".into(),
                etag: account.etag.clone(),
                request: portaldesk::portal::model::RevokeRequest { reason: named.clone(), ticket_id: None },
                key: portaldesk::portal::IdempotencyKey::new(),
            },
        ),
    ];
    shown.push(format!("{effects:?}"));
    let secrets: Vec<String> = secrets.into_iter().chain([named]).collect();
    // A panic whose message formats the account, caught as a crash report
    // would see it.
    let panicked = std::panic::catch_unwind(|| panic!("could not draw {:?}", account)).unwrap_err();
    shown.push(panicked.downcast_ref::<String>().cloned().unwrap_or_default());
    assert!(shown.iter().any(|s| s.contains("Search")) && shown.iter().any(|s| s.contains("AddNote")));
    for text in &shown {
        for (n, secret) in secrets.iter().enumerate() {
            assert!(!text.contains(secret.as_str()), "secret #{n} shows in {text}");
        }
    }
}

/// Draws the console at `at` and returns the screen's text.
fn screen_at(app: &App, at: DateTime<Utc>) -> String {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 48)).unwrap();
    terminal.draw(|frame| portaldesk::tui::app::render(app, frame, at)).unwrap();
    terminal.backend().to_string()
}

/// The change a dialog sent reaches the real sandbox (the change is made),
/// but its answer is lost on the way back: the dialog is given `lost`.
async fn made_but_lost(app: &mut App, h: &Harness, sent: &[Effect], lost: PortalError) -> Vec<Effect> {
    let Some(Effect::Portal(req, request)) = sent.iter().find(|e| change_sent(std::slice::from_ref(e)).is_some())
    else {
        panic!("{sent:?}")
    };
    let answer = portaldesk::request::perform(&h.client, request.clone()).await;
    assert!(answer.error().is_none(), "{answer:?}");
    let lost = match answer {
        Answer::Resend(_) => Answer::Resend(Err(lost)),
        Answer::SaveAccount(_) => Answer::SaveAccount(Err(lost)),
        other => panic!("{other:?}"),
    };
    app.update(Msg::Answer(*req, lost), now())
}

/// A resend whose answer is lost after the portal made the invite is "not
/// known yet", never "not sent": the console reads the invites again and
/// then says it was sent, with exactly one invite. Closed before that read
/// came back, the console still says so; and a retry from a dialog opened
/// again before it goes with the same key, so it makes no second invite.
#[tokio::test]
async fn a_resend_whose_answer_was_lost_ends_as_sent_with_one_invite() {
    let h = Harness::start().await;
    let (mut app, id) = on_ticket(&h, SeedCase::ExpiredClientInvite).await;
    let before = h.client.invites(&id).await.unwrap().len();

    app.update(ch('r'), now());
    let sent = app.update(key(KeyCode::Enter), now());
    let reread = made_but_lost(&mut app, &h, &sent, PortalError::Dropped).await;
    let shown = screen_at(&app, now());
    assert!(shown.contains("Not known yet: the answer was lost"), "{shown}");
    assert!(!shown.contains("Not sent"), "{shown}");
    common::settle(&mut app, &h, reread, now()).await;
    assert!(app.overlay.is_none(), "the invite shows: the dialog closes");
    let banner = app.banner.clone().expect("a banner");
    assert!(!banner.error && banner.text.contains("its answer was lost, the portal shows it"), "{banner:?}");
    assert_eq!(h.client.invites(&id).await.unwrap().len(), before + 1);
    assert_eq!(app.stack.account().unwrap().invites.data.as_ref().unwrap().len(), before + 1);

    // Lost again (sent knowingly past the guard: this console resent
    // moments ago); Esc before the invites are read back, then `r` and
    // Enter: the same key, so the portal answers with the same invite, and
    // the guard does not ask for a retry that cannot make a second one.
    app.update(ch('r'), now());
    let sent = resend_knowingly(&mut app);
    let Some(Effect::Portal(_, Request::Resend { key: first, .. })) = sent.first().cloned() else { panic!() };
    let mut pending = made_but_lost(&mut app, &h, &sent, PortalError::Timeout).await;
    assert!(app.update(key(KeyCode::Esc), now()).is_empty());
    assert!(app.overlay.is_none(), "Esc closes a dialog whose outcome is not known yet");
    app.update(ch('r'), now());
    let again = app.update(key(KeyCode::Enter), now());
    let Some(Effect::Portal(_, Request::Resend { key: second, .. })) = again.first().cloned() else {
        panic!("{again:?}")
    };
    assert_eq!(second, first, "a reopened dialog minted a new key");
    pending.extend(again);
    common::settle(&mut app, &h, pending, now()).await;
    assert_eq!(h.client.invites(&id).await.unwrap().len(), before + 2, "the retry made a second invite");
    assert!(app.banner.as_ref().is_some_and(|b| !b.error), "{:?}", app.banner);
}

/// Closed before its outcome is known, a lost resend is still reported
/// once the invites are read back: the banner says it was sent.
#[tokio::test]
async fn a_lost_resend_closed_before_the_read_back_is_reported_as_sent() {
    let h = Harness::start().await;
    let (mut app, _) = on_ticket(&h, SeedCase::ExpiredClientInvite).await;
    app.update(ch('r'), now());
    let sent = app.update(key(KeyCode::Enter), now());
    let reread = made_but_lost(&mut app, &h, &sent, PortalError::Dropped).await;
    app.update(key(KeyCode::Esc), now());
    assert!(app.overlay.is_none());
    common::settle(&mut app, &h, reread, now()).await;
    let banner = app.banner.clone().expect("a banner");
    assert!(!banner.error && banner.text.contains("Invite sent"), "{banner:?}");
}

/// A DOB edit whose answer is lost after the portal saved it ends as
/// saved (the account is read again and shows the new DOB), never "Not
/// saved".
#[tokio::test]
async fn a_dob_edit_whose_answer_was_lost_ends_as_saved() {
    let h = Harness::start().await;
    let (mut app, id) = on_ticket(&h, SeedCase::DobOnFileWrong).await;
    let mut sent = Vec::new();
    for msg in [
        ch('e'),
        Msg::Paste("03/05/1990".into()),
        key(KeyCode::Tab),
        Msg::Paste("confirmed on the call".into()),
        key(KeyCode::Enter),
        key(KeyCode::Enter),
    ] {
        sent.extend(app.update(msg, now()));
    }
    let reread = made_but_lost(&mut app, &h, &sent, PortalError::Dropped).await;
    let shown = screen_at(&app, now());
    assert!(shown.contains("Not known yet: the answer was lost"), "{shown}");
    assert!(!shown.contains("Not saved"), "{shown}");
    common::settle(&mut app, &h, reread, now()).await;
    assert!(app.overlay.is_none(), "the new DOB shows: the dialog closes");
    let banner = app.banner.clone().expect("a banner");
    assert!(!banner.error && banner.text.contains("DOB on file updated"), "{banner:?}");
    let expected = chrono::NaiveDate::from_ymd_opt(1990, 3, 5).unwrap();
    assert_eq!(*h.client.account(&id).await.unwrap().value.dob.expose(), expected);
    let held = app.stack.account().unwrap().account.data.as_ref().unwrap();
    assert_eq!(*held.value.dob.expose(), expected);
}

/// A portal clock not trusted (its `Date` beyond ±24 h) is said on screen:
/// in the header, and across the top while no other banner shows.
#[tokio::test]
async fn a_distrusted_portal_clock_is_shown_in_the_header_and_across_the_top() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    assert!(!screen_at(&app, now()).contains("portal clock"));
    let warning = "the portal's clock and this machine's differ by 2912106 days (the portal is ahead of this \
                   machine); its time is ignored and this machine's clock is used";
    app.clock_warning = Some(warning.to_owned());
    let shown = screen_at(&app, now());
    assert!(shown.contains("⚠ portal clock ignored"), "{shown}");
    assert!(shown.contains("⚠ the portal's clock and this machine's differ by 2912106 days"), "{shown}");
    // A newer banner takes the line; the header still says it.
    app.banner = Some(portaldesk::tui::component::Banner::ok("Invite sent"));
    let shown = screen_at(&app, now());
    assert!(shown.contains("⚠ portal clock ignored") && !shown.contains("differ by"), "{shown}");
}

/// The resend dialog's 429 gives the portal's own reason (sanitised) and
/// its Retry-After countdown, not a fixed sentence: the sandbox's real 429
/// (a sixth resend within the hour), then a hostile reason.
#[tokio::test]
async fn the_resend_dialogs_429_shows_the_portals_reason_and_its_wait() {
    use portaldesk::portal::IdempotencyKey;
    use portaldesk::portal::model::ResendRequest;
    let h = Harness::start().await;
    let (mut app, id) = on_ticket(&h, SeedCase::DeliveredNotOpened).await;
    let mut made = 0;
    while made < 5 {
        match h.client.resend(&id, &ResendRequest::default(), &IdempotencyKey::new()).await {
            Ok(_) => made += 1,
            Err(PortalError::RateLimited { .. }) => break,
            Err(e) => panic!("{e:?}"),
        }
    }
    app.update(ch('r'), now());
    let sent = app.update(key(KeyCode::Enter), now());
    common::settle(&mut app, &h, sent, now()).await;
    let Some(Overlay::Resend(state)) = &app.overlay else { panic!("the dialog closed: {:?}", app.banner) };
    assert!(matches!(state.submission.error, Some(PortalError::RateLimited { .. })), "{:?}", state.submission.error);
    let shown = screen_at(&app, now());
    assert!(shown.contains("✕ Not sent: at most 5 invites per account in a rolling hour; try again in"), "{shown}");
    assert!(!shown.contains("5 invites an hour at most"), "{shown}");

    // A hostile reason reaches the screen only through the sanitiser.
    app.update(key(KeyCode::Esc), now());
    app.update(ch('r'), now());
    let sent = app.update(key(KeyCode::Enter), now());
    let req = change_sent(&sent).expect("a resend");
    let detail = Some("slow down\u{1b}]52;c;cHduZWQ=\u{7}".to_owned());
    let limited = PortalError::RateLimited { retry_after: std::time::Duration::from_secs(90), detail };
    app.update(Msg::Answer(req, Answer::Resend(Err(limited))), now());
    let shown = screen_at(&app, now() + Duration::seconds(30));
    assert!(shown.contains("✕ Not sent: slow down") && shown.contains("try again in 1m 00s"), "{shown}");
    assert!(!shown.contains('\u{1b}') && !shown.contains('\u{7}'), "{shown:?}");
}

/// The key sent with a change whose answer was lost is kept for the same
/// change even after its dialog is closed and opened again: a DOB edit
/// (same account, same patch) and a note (same ticket, same text) go again
/// with the same Idempotency-Key; the DOB is saved once.
#[tokio::test]
async fn a_lost_dob_edit_or_note_keeps_its_key_across_closing_the_dialog() {
    let h = Harness::start().await;
    let (mut app, id) = on_ticket(&h, SeedCase::DobOnFileWrong).await;
    let dob_edit = || {
        vec![
            ch('e'),
            Msg::Paste("03/05/1990".into()),
            key(KeyCode::Tab),
            Msg::Paste("confirmed on the call".into()),
            key(KeyCode::Enter),
            key(KeyCode::Enter),
        ]
    };
    let sent_key = |effects: &[Effect]| {
        effects.iter().find_map(|e| match e {
            Effect::Portal(req, Request::SaveAccount { key, .. } | Request::AddNote { key, .. }) => {
                Some((*req, key.clone()))
            }
            _ => None,
        })
    };
    let sent: Vec<_> = dob_edit().into_iter().flat_map(|m| app.update(m, now())).collect();
    let (req, first) = sent_key(&sent).expect("a save");
    // Lost before it reached the portal: read back, it is not saved.
    let reread = app.update(Msg::Answer(req, Answer::SaveAccount(Err(PortalError::Dropped))), now());
    common::settle(&mut app, &h, reread, now()).await;
    let shown = screen_at(&app, now());
    assert!(shown.contains("✕ Not saved"), "{shown}");
    app.update(key(KeyCode::Esc), now());
    app.update(key(KeyCode::Esc), now());
    assert!(app.overlay.is_none());
    let again: Vec<_> = dob_edit().into_iter().flat_map(|m| app.update(m, now())).collect();
    let (_, second) = sent_key(&again).expect("a save");
    assert_eq!(second, first, "a reopened DOB edit minted a new key");
    common::settle(&mut app, &h, again, now()).await;
    assert!(app.overlay.is_none() && app.banner.as_ref().is_some_and(|b| !b.error), "{:?}", app.banner);
    let expected = chrono::NaiveDate::from_ymd_opt(1990, 3, 5).unwrap();
    assert_eq!(*h.client.account(&id).await.unwrap().value.dob.expose(), expected);
    assert!(app.unconfirmed.is_empty(), "the answer came: the key is forgotten");

    // A note: the same ticket and text, the same key.
    let note = || vec![ch('m'), Msg::Paste("called back".into()), key(KeyCode::Enter)];
    let sent: Vec<_> = note().into_iter().flat_map(|m| app.update(m, now())).collect();
    let (req, first) = sent_key(&sent).expect("a note");
    app.update(Msg::Answer(req, Answer::AddNote(Err(PortalError::Timeout))), now());
    app.update(key(KeyCode::Esc), now());
    assert!(app.overlay.is_none());
    let again: Vec<_> = note().into_iter().flat_map(|m| app.update(m, now())).collect();
    assert_eq!(sent_key(&again).expect("a note").1, first, "a reopened note minted a new key");
}
