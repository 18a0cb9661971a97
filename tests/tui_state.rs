//! The console's state machine without a terminal: keys and answers in,
//! state and effects (the requests it would make) out.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{Harness, ch, key, t0};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use portaldesk::portal::PortalError;
use portaldesk::portal::model::InviteStatus;
use portaldesk::sandbox::seed::SeedCase;
use portaldesk::tui::action::{Effect, Loaded, Msg};
use portaldesk::tui::app::{App, Overlay, View};
use portaldesk::tui::keymap::ScreenKind;
use portaldesk::tui::screens::edit_dob::Stage;

fn now() -> DateTime<Utc> {
    t0()
}

async fn started(h: &Harness) -> App {
    let (mut app, effects) = App::new(true, (160, 48));
    common::settle(&mut app, h, effects, now()).await;
    app
}

async fn press(app: &mut App, h: &Harness, msg: Msg) -> Vec<Effect> {
    let effects = app.update(msg, now());
    common::settle(app, h, effects, now()).await
}

#[tokio::test]
async fn the_queue_loads_first_and_enter_opens_the_ticket_account_with_its_ticket() {
    let h = Harness::start().await;
    let (app, effects) = App::new(true, (160, 48));
    assert!(matches!(effects.as_slice(), [Effect::LoadTickets(_)]));
    assert_eq!(app.screen(), ScreenKind::Queue);
    let mut app = started(&h).await;
    assert_eq!(app.queue.tickets.data.as_ref().map(Vec::len), Some(29));

    let effects = app.update(ch('j'), now());
    assert!(effects.is_empty());
    assert_eq!(app.queue.selected, 1);
    let effects = app.update(key(KeyCode::Up), now());
    assert!(effects.is_empty());
    assert_eq!(app.queue.selected, 0);

    let ticket = app.queue.tickets.data.as_ref().unwrap()[0].clone();
    let effects = app.update(key(KeyCode::Enter), now());
    let ids: Vec<_> = effects
        .iter()
        .map(|e| match e {
            Effect::LoadAccount(_, id) | Effect::LoadInvites(_, id) | Effect::LoadAudit(_, id) => id.clone(),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(ids, vec![ticket.account_id.clone(); 3]);
    assert_eq!(app.view(), View::Account);
    assert_eq!(app.account.as_ref().unwrap().ticket_id.as_deref(), Some(ticket.id.as_str()));
    common::settle(&mut app, &h, effects, now()).await;
    assert!(app.account.as_ref().unwrap().account.data.is_some());

    // Esc goes back to the queue.
    press(&mut app, &h, key(KeyCode::Esc)).await;
    assert_eq!(app.view(), View::Queue);
}

#[tokio::test]
async fn n_jumps_to_the_next_unclaimed_ticket() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    let tickets = app.queue.tickets.data.clone().unwrap();
    app.queue.selected = 2;
    app.update(ch('n'), now());
    let expected = (3..tickets.len()).find(|&i| tickets[i].assignee.is_none()).unwrap();
    assert!(tickets[3].assignee.is_some(), "the seed claims the fourth ticket");
    assert_eq!(app.queue.selected, expected);
}

#[tokio::test]
async fn search_is_debounced_and_old_answers_never_overwrite_new_ones() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    app.update(ch('/'), now());
    assert_eq!(app.screen(), ScreenKind::Search);

    // Typing issues only debounces; a stale debounce does nothing.
    let first: Vec<_> = "acc_4".chars().flat_map(|c| app.update(ch(c), now())).collect();
    assert!(first.iter().all(|e| matches!(e, Effect::DebounceSearch(_))));
    let Effect::DebounceSearch(stale) = first[0].clone() else { unreachable!() };
    assert!(app.update(Msg::SearchDue(stale), now()).is_empty(), "an outdated debounce must not search");
    let Effect::DebounceSearch(latest) = first.last().cloned().unwrap() else { unreachable!() };
    let search_a = app.update(Msg::SearchDue(latest), now());
    let Some(Effect::Search(req_a, query_a)) = search_a.first().cloned() else { panic!("{search_a:?}") };
    assert_eq!(query_a.q.as_deref(), Some("acc_4"));

    // The user types on; a second search goes out.
    let more = app.update(ch('2'), now());
    let Some(Effect::DebounceSearch(due_b)) = more.first().cloned() else { panic!() };
    let Some(Effect::Search(req_b, query_b)) = app.update(Msg::SearchDue(due_b), now()).first().cloned() else {
        panic!()
    };
    assert_eq!(query_b.q.as_deref(), Some("acc_42"));

    // B answers first, then A arrives late: A is dropped.
    let answer_b = h.client.search_accounts(&query_b).await;
    let answer_a = h.client.search_accounts(&query_a).await;
    app.update(Msg::Loaded(Loaded::Search(req_b, answer_b)), now());
    app.update(Msg::Loaded(Loaded::Search(req_a, answer_a)), now());
    let shown: Vec<_> = app.search.results.data.as_ref().unwrap().items.iter().map(|a| a.id.clone()).collect();
    assert!(shown.iter().all(|id| id.contains("acc_42")), "{shown:?}");

    // Enter opens the selected account, without a ticket.
    let effects = app.update(key(KeyCode::Enter), now());
    assert!(matches!(effects.first(), Some(Effect::LoadAccount(_, id)) if id == "acc_42"));
    assert_eq!(app.view(), View::Account);
    assert_eq!(app.account.as_ref().unwrap().ticket_id, None);
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
    let before = app.account.as_ref().unwrap().invites.data.as_ref().unwrap().len();

    assert!(app.update(ch('r'), now()).is_empty());
    assert_eq!(app.screen(), ScreenKind::Resend);
    // Esc cancels without a request.
    assert!(app.update(key(KeyCode::Esc), now()).is_empty());
    assert!(app.overlay.is_none());

    app.update(ch('r'), now());
    let first = app.update(key(KeyCode::Enter), now());
    let Some(Effect::Resend { req, account_id, request, key: first_key }) = first.first().cloned() else {
        panic!("{first:?}")
    };
    assert_eq!(account_id, seeded.account_id);
    assert_eq!(request.ticket_id.as_deref(), Some(seeded.ticket_id.as_str()));
    // Keys while sending do nothing.
    assert!(app.update(key(KeyCode::Enter), now()).is_empty());
    // The connection drops: the dialog stays, showing the error.
    app.update(Msg::Loaded(Loaded::Resent(req, Err(PortalError::Dropped))), now());
    let Some(Overlay::Resend(state)) = &app.overlay else { panic!("dialog closed") };
    assert_eq!(state.error, Some(PortalError::Dropped));
    // Retry: the same key.
    let retry = app.update(ch('y'), now());
    let Some(Effect::Resend { key: retry_key, .. }) = retry.first().cloned() else { panic!("{retry:?}") };
    assert_eq!(retry_key, first_key);
    common::settle(&mut app, &h, retry, now()).await;

    assert!(app.overlay.is_none());
    let invites = app.account.as_ref().unwrap().invites.data.clone().unwrap();
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
    assert_eq!(edit.stage, Stage::Form, "3/5/1990 is not MM/DD/YYYY");
    assert!(edit.error.as_deref().unwrap().contains("MM/DD/YYYY"));

    for _ in 0..8 {
        app.update(key(KeyCode::Backspace), now());
    }
    "03/05/1990".chars().for_each(|c| {
        app.update(ch(c), now());
    });
    app.update(key(KeyCode::Enter), now());
    let Some(Overlay::EditDob(edit)) = &app.overlay else { panic!() };
    assert_eq!(edit.error.as_deref(), Some("a reason is required"));
    app.update(key(KeyCode::Tab), now());
    "client confirmed on call".chars().for_each(|c| {
        app.update(ch(c), now());
    });
    assert!(app.update(key(KeyCode::Enter), now()).is_empty(), "Enter reviews first");
    let Some(Overlay::EditDob(edit)) = &app.overlay else { panic!() };
    assert_eq!(edit.stage, Stage::Confirm);

    // Someone else changes the account meanwhile.
    let theirs = h.client.account(&seeded.account_id).await.unwrap();
    let other = portaldesk::portal::model::AccountPatch {
        dob: Some(portaldesk::phi::Phi::new(chrono::NaiveDate::from_ymd_opt(1991, 4, 4).unwrap())),
        reason: "a colleague".into(),
        ..Default::default()
    };
    h.client
        .update_account(&seeded.account_id, &theirs.etag, &other, &portaldesk::portal::IdempotencyKey::new())
        .await
        .unwrap();

    let save = app.update(key(KeyCode::Enter), now());
    let Some(Effect::SaveAccount { etag, patch, .. }) = save.first().cloned() else { panic!("{save:?}") };
    assert_eq!(etag, theirs.etag);
    assert_eq!(patch.ticket_id.as_deref(), Some(seeded.ticket_id.as_str()));
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
    assert_eq!(audit[0].ticket_id.as_deref(), Some(seeded.ticket_id.as_str()));
}

#[tokio::test]
async fn dob_compare_reads_what_is_typed_and_help_lists_the_screen_keys() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    let seeded = h.ticket(SeedCase::DobDayMonthSwapped).clone();
    let effects = app.open_account(seeded.account_id.clone(), None);
    common::settle(&mut app, &h, effects, now()).await;
    app.update(ch('d'), now());
    let dob = *app.account.as_ref().unwrap().account.data.as_ref().unwrap().value.dob.expose();
    let day_first = dob.format("%d/%m/%Y").to_string();
    app.update(Msg::Paste(day_first), now());
    let Some(Overlay::DobCompare(state)) = &app.overlay else { panic!() };
    let check =
        portaldesk::tui::screens::dob_compare::current_check(state, app.account.as_ref().unwrap(), now()).unwrap();
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
        vec![Effect::Suspend]
    );
    app.update(ch('/'), now());
    // q types into the search field; Ctrl-C quits from anywhere.
    assert!(!app.update(ch('q'), now()).contains(&Effect::Quit));
    assert_eq!(
        app.update(Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)), now()),
        vec![Effect::Quit]
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
    assert_eq!(app.queue.selected, 4);
    app.update(
        Msg::Mouse(MouseEvent { kind: MouseEventKind::ScrollDown, column: 0, row: 0, modifiers: KeyModifiers::NONE }),
        now(),
    );
    assert_eq!(app.queue.selected, 5);
    let effects = app.update(ch('M'), now());
    assert_eq!(effects, vec![Effect::SetMouse(false)]);
}

#[tokio::test]
async fn idle_needs_no_tick_unless_a_countdown_shows() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    assert!(app.shows_countdown(), "the queue shows pending invites");
    app.update(ch('/'), now());
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
    let Some(Effect::LoadTickets(req)) = refresh.first().cloned() else { panic!("{refresh:?}") };
    // An answer to an older request is dropped, error or not.
    app.update(Msg::Loaded(Loaded::Tickets(req - 1, Err(PortalError::Timeout))), now());
    assert_eq!(app.banner, None);
    assert!(app.offline.is_none(), "a stale failure says nothing about the connection either");
    app.update(Msg::Loaded(Loaded::Tickets(req, Err(PortalError::Server { status: 503, title: "x".into() }))), now());
    let banner = app.banner.clone().expect("a banner");
    assert!(banner.error && banner.text.contains("503"), "{banner:?}");
    // Unreachable is more than an error: the console goes offline.
    let refresh = app.update(ch('R'), now());
    let Some(Effect::LoadTickets(req)) = refresh.first().cloned() else { panic!("{refresh:?}") };
    app.update(Msg::Loaded(Loaded::Tickets(req, Err(PortalError::Unreachable))), now());
    let banner = app.banner.clone().expect("a banner");
    assert!(banner.error && banner.text.contains("cannot be reached"), "{banner:?}");
    assert!(app.offline.is_some());
    // The last good queue stays on screen.
    assert_eq!(app.queue.tickets.data.as_ref().map(Vec::len), Some(29));
}

#[tokio::test]
async fn clicking_an_invite_selects_it() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    let seeded = h.ticket(SeedCase::SupersededLink).clone();
    let effects = app.open_account(seeded.account_id, None);
    common::settle(&mut app, &h, effects, now()).await;
    assert_eq!(app.account.as_ref().unwrap().selected_invite, 0);
    // At 160x48 the history starts at row 2 (body) + 1 (border); each
    // invite takes three lines, so the second starts three rows lower.
    let click = Msg::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 60,
        row: 2 + 1 + 3,
        modifiers: KeyModifiers::NONE,
    });
    app.update(click, now());
    assert_eq!(app.account.as_ref().unwrap().selected_invite, 1);
}

#[tokio::test]
async fn a_revealed_dob_masks_itself_again_after_30_seconds() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    let seeded = h.ticket(SeedCase::NoInvite).clone();
    let effects = app.open_account(seeded.account_id, None);
    common::settle(&mut app, &h, effects, now()).await;
    assert!(!app.account.as_ref().unwrap().revealed);
    app.update(ch('v'), now());
    assert!(app.account.as_ref().unwrap().revealed);
    assert!(app.shows_countdown(), "the tick must run while PHI is revealed");
    app.update(Msg::Tick, now() + Duration::seconds(29));
    assert!(app.account.as_ref().unwrap().revealed);
    app.update(Msg::Tick, now() + Duration::seconds(30));
    assert!(!app.account.as_ref().unwrap().revealed, "still revealed after 30 s");
    // v masks at once too.
    app.update(ch('v'), now());
    app.update(ch('v'), now());
    assert!(!app.account.as_ref().unwrap().revealed);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// Any Unicode pasted into any text field is taken without a panic, and
    /// every screen still renders.
    #[test]
    fn any_paste_into_any_field_is_safe(text in "\\PC{0,300}", control in "[\\x00-\\x1f\\u{7f}]{0,5}") {
        use portaldesk::portal::Versioned;
        use portaldesk::phi::Phi;
        let pasted = format!("{text}{control}");
        let (mut app, _) = App::new(true, (80, 24));
        app.update(ch('/'), now());
        app.update(Msg::Paste(pasted.clone()), now());
        proptest::prop_assert!(!app.search.input.value().chars().any(char::is_control));
        proptest::prop_assert!(app.search.input.value().chars().count() <= 200);
        let mut account = portaldesk::tui::screens::account::AccountState::new("acc_1".into(), Some("T-1".into()));
        account.account.data = Some(Versioned {
            value: portaldesk::portal::model::Account {
                id: "acc_1".into(),
                role: portaldesk::portal::model::Role::Client,
                first_name: "Sam".into(),
                last_name: "Okafor".into(),
                email: "sam@example.org".into(),
                emails: Vec::new(),
                phone: "(555) 555-0101".into(),
                dob: Phi::new(chrono::NaiveDate::from_ymd_opt(1985, 12, 21).unwrap()),
                created_at: now() - Duration::days(10),
                updated_at: now() - Duration::days(10),
            },
            etag: "\"a1v1\"".into(),
        });
        account.invites.data = Some(Vec::new());
        app.account = Some(account);
        app.views.push(View::Account);
        for dialog in ['d', 'e', ':', 'm'] {
            app.update(key(KeyCode::Esc), now());
            app.update(ch(dialog), now());
            app.update(Msg::Paste(pasted.clone()), now());
            app.update(key(KeyCode::Enter), now());
            for size in [(80, 24), (160, 48)] {
                let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(size.0, size.1)).unwrap();
                terminal.draw(|frame| portaldesk::tui::screens::render(&app, frame, now())).unwrap();
            }
        }
    }
}

#[tokio::test]
async fn the_idle_lock_hides_everything_until_a_key_and_enter() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    let seeded = h.ticket(SeedCase::DeliveredNotOpened).clone();
    let effects = app.open_account(seeded.account_id.clone(), Some(seeded.ticket_id));
    common::settle(&mut app, &h, effects, now()).await;
    app.update(ch('v'), now());
    let account = app.account.as_ref().unwrap().account.data.clone().unwrap().value;

    app.update(Msg::IdleLock, now());
    assert!(!app.shows_countdown(), "a locked console does not tick");
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 48)).unwrap();
    terminal.draw(|frame| portaldesk::tui::screens::render(&app, frame, now())).unwrap();
    let screen = terminal.backend().to_string();
    assert!(screen.contains("locked"));
    for phi in [account.first_name.expose(), account.last_name.expose(), account.email.expose()] {
        assert!(!screen.contains(phi.as_str()), "{phi} shows on the lock screen");
    }
    assert!(!screen.contains(&seeded.account_id));

    // Keys do nothing but ask for confirmation; only Enter after one unlocks.
    assert!(app.update(ch('r'), now()).is_empty());
    assert!(app.overlay.is_none(), "a key while locked must not act");
    app.update(key(KeyCode::Enter), now());
    assert_eq!(app.lock, None);
    assert!(!app.account.as_ref().unwrap().revealed, "unlocking does not reveal again");
    assert_eq!(app.view(), View::Account, "back where the user was");

    // Ctrl-C quits even while locked.
    app.update(Msg::IdleLock, now());
    assert_eq!(
        app.update(Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)), now()),
        vec![Effect::Quit]
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
    let Some(Effect::Resend { req, .. }) = sent.first().cloned() else { panic!("{sent:?}") };
    let wait = std::time::Duration::from_secs(55 * 60);
    app.update(Msg::Loaded(Loaded::Resent(req, Err(PortalError::RateLimited { retry_after: wait }))), now());
    assert!(app.shows_countdown(), "the wait ticks");
    let screen = |at| {
        let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 48)).unwrap();
        terminal.draw(|frame| portaldesk::tui::screens::render(&app, frame, at)).unwrap();
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

#[tokio::test]
async fn losing_the_portal_goes_offline_and_coming_back_resumes_without_restart() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    let seeded = h.ticket(SeedCase::DeliveredNotOpened).clone();
    let effects = app.open_account(seeded.account_id.clone(), Some(seeded.ticket_id.clone()));
    common::settle(&mut app, &h, effects, now()).await;
    let addr = h.sandbox.addr;
    let Harness { sandbox, client } = h;
    sandbox.stop().await.unwrap();

    // A refresh finds nobody there: offline, with a probe, data kept.
    let effects = app.update(ch('R'), now());
    let mut probes = Vec::new();
    for effect in effects {
        let msg = match effect {
            Effect::LoadAccount(req, id) => Msg::Loaded(Loaded::Account(req, client.account(&id).await)),
            Effect::LoadInvites(req, id) => Msg::Loaded(Loaded::Invites(req, client.invites(&id).await)),
            Effect::LoadAudit(req, id) => Msg::Loaded(Loaded::Audit(req, client.audit(Some(&id), None).await)),
            other => panic!("unexpected {other:?}"),
        };
        probes.extend(app.update(msg, now()));
    }
    let offline = app.offline.expect("offline");
    assert_eq!(offline.since, now());
    assert!(app.banner.as_ref().is_some_and(|b| b.error && b.text.contains("reconnects by itself")));
    assert!(app.account.as_ref().unwrap().account.data.is_some(), "what was shown is kept");
    let [Effect::Reconnect { req, after }] = probes.as_slice() else { panic!("one probe, not {probes:?}") };
    assert_eq!(*after, std::time::Duration::from_secs(1));

    // Still down: the next probe waits longer; keys keep working.
    let failed = client.me().await.map(|_| ());
    assert!(failed.is_err());
    let next = app.update(Msg::Loaded(Loaded::Reconnected(*req, failed)), now());
    let [Effect::Reconnect { req, after }] = next.as_slice() else { panic!("{next:?}") };
    assert_eq!(*after, std::time::Duration::from_secs(2));
    app.update(ch('v'), now());
    assert!(app.account.as_ref().unwrap().revealed);

    // The portal is back on the same address: the probe succeeds, the
    // banner says so, and the screen is read again.
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let options = portaldesk::sandbox::SandboxOptions { frozen_at: Some(t0()), ..Default::default() };
    let sandbox = portaldesk::sandbox::start(listener, options).await.unwrap();
    let h = Harness { sandbox, client };
    let back = app.update(Msg::Loaded(Loaded::Reconnected(*req, h.client.me().await.map(|_| ()))), now());
    assert!(app.offline.is_none());
    assert!(app.banner.as_ref().is_some_and(|b| !b.error && b.text.contains("Back online")));
    assert!(back.iter().any(|e| matches!(e, Effect::LoadTickets(_))));
    assert!(back.iter().any(|e| matches!(e, Effect::LoadAccount(_, id) if *id == seeded.account_id)));
    common::settle(&mut app, &h, back, now()).await;
    assert!(app.offline.is_none());
    assert!(app.queue.tickets.error.is_none() && app.account.as_ref().unwrap().account.error.is_none());
    // A stale probe answer changes nothing.
    assert!(app.update(Msg::Loaded(Loaded::Reconnected(*req, Err(PortalError::Unreachable))), now()).is_empty());
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
    let due = app.update(Msg::SearchDue(app.search.latest), now());
    shown.push(format!("{due:?}"));
    app.update(key(KeyCode::Esc), now());
    shown.push(format!("{:?}", app.update(ch('y'), now())));
    app.update(ch('m'), now());
    app.update(Msg::Paste("note about the client".into()), now());
    shown.push(format!("{:?}", app.update(key(KeyCode::Enter), now())));
    // An answer carrying the account.
    shown.push(format!("{:?}", Msg::Loaded(Loaded::Account(1, Ok(account.clone())))));
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
