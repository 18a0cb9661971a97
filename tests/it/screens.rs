//! Every screen rendered into a TestBackend at 80x24 and 160x48, from seeded
//! sandbox data and a fixed clock, snapshotted with insta so layout changes
//! show in review.

use crate::common;

use common::{Harness, ch, t0};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use portaldesk::sandbox::seed::SeedCase;
use portaldesk::tui::action::Msg;
use portaldesk::tui::app::App;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];
/// The queue, the ticket screen and help are also checked at 100x30.
const THREE: [(u16, u16); 3] = [(80, 24), (100, 30), (160, 48)];

fn draw(app: &App, size: (u16, u16)) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(size.0, size.1)).unwrap();
    terminal.draw(|frame| portaldesk::tui::app::render(app, frame, t0())).unwrap();
    terminal
}

fn snapshot(name: &str, app: &App) {
    snapshot_at(name, app, &SIZES);
}

fn snapshot_at(name: &str, app: &App, sizes: &[(u16, u16)]) {
    for &size in sizes {
        let terminal = draw(app, size);
        // The snapshots keep the names and folder they had when this file was
        // its own test binary (`tests/snapshots/screens__*.snap`).
        insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(format!("screens__{name}_{}x{}", size.0, size.1), terminal.backend());
        });
    }
}

async fn console(h: &Harness) -> App {
    let (mut app, effects) = App::new(true, (160, 48));
    common::settle(&mut app, h, effects, t0()).await;
    app
}

async fn on_account(h: &Harness, case: SeedCase) -> App {
    let mut app = console(h).await;
    let seeded = h.ticket(case).clone();
    let effects = app.open_account(seeded.account_id, Some(seeded.ticket_id));
    common::settle(&mut app, h, effects, t0()).await;
    app
}

#[tokio::test]
async fn queue() {
    let h = Harness::start().await;
    snapshot_at("queue", &console(&h).await, &THREE);
}

#[tokio::test]
async fn search() {
    let h = Harness::start().await;
    let mut app = console(&h).await;
    app.update(ch('A'), t0());
    let mut effects = Vec::new();
    for c in "gmail.cmo".chars() {
        effects = app.update(ch(c), t0());
    }
    common::settle(&mut app, &h, effects, t0()).await;
    snapshot("search", &app);
}

#[tokio::test]
async fn account_with_a_typo_address() {
    let h = Harness::start().await;
    snapshot("account_email_typo", &on_account(&h, SeedCase::EmailTypo).await);
}

#[tokio::test]
async fn account_with_a_superseded_link() {
    let h = Harness::start().await;
    snapshot("account_superseded", &on_account(&h, SeedCase::SupersededLink).await);
}

#[tokio::test]
async fn dob_compare() {
    let h = Harness::start().await;
    let mut app = on_account(&h, SeedCase::DobDayMonthSwapped).await;
    app.update(ch('d'), t0());
    let dob = *app.account.as_ref().unwrap().account.data.as_ref().unwrap().value.dob.expose();
    app.update(Msg::Paste(dob.format("%-d/%-m/%y").to_string()), t0());
    snapshot("dob_compare", &app);
}

/// A date that reads two ways: on file April 3, 1959, the client types
/// 03/04/1959. The compare never says a bare "yes": it says which reading
/// the portal takes (March 4), that only day-first is the DOB on file, and
/// to ask the client; masked until revealed.
#[tokio::test]
async fn dob_compare_of_a_date_that_reads_two_ways() {
    use portaldesk::portal::model::AccountPatch;
    let h = Harness::start().await;
    let seeded = h.ticket(SeedCase::NoInvite).clone();
    let dob = chrono::NaiveDate::from_ymd_opt(1959, 4, 3).unwrap();
    let patch = AccountPatch {
        dob: Some(portaldesk::phi::Phi::new(dob)),
        reason: "client confirmed on the call".into(),
        ..AccountPatch::default()
    };
    h.change_behind(&seeded.account_id, &patch).await;
    let mut app = on_account(&h, SeedCase::NoInvite).await;
    app.update(ch('d'), t0());
    app.update(Msg::Paste("03/04/1959".into()), t0());
    snapshot("dob_compare_two_ways", &app);
    let flowing = |app: &App| {
        let text = draw(app, (160, 48)).backend().to_string();
        let text = text.replace(['│', '┌', '┐', '└', '┘', '─', '"'], " ");
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let shown = flowing(&app);
    assert!(shown.contains("Same date: if read day-first"), "{shown}");
    assert!(!shown.contains("Same date: yes"), "{shown}");
    assert!(shown.contains("Read day-first: Month ✓ same"), "{shown}");
    assert!(
        shown.contains(
            "••/••/••••: the portal reads ••/••/•••• (differs from the DOB on file). Read day-first it is ••/••/•••• \
             (the DOB on file): ask the client which they mean."
        ),
        "{shown}"
    );
    assert!(shown.contains("reads_two_ways"), "{shown}");
    assert!(!shown.contains("March 4") && !shown.contains("April 1959"), "masked until revealed: {shown}");
    app.update(Msg::Key(KeyEvent::new(KeyCode::F(2), KeyModifiers::NONE)), t0());
    let shown = flowing(&app);
    assert!(
        shown.contains(
            "03/04/1959: the portal reads March 4, 1959 (differs from the DOB on file). Read day-first it is 3 April \
             1959 (the DOB on file): ask the client which they mean."
        ),
        "{shown}"
    );
    assert!(shown.contains("Then type: 04/03/1959"), "{shown}");
}

#[tokio::test]
async fn resend_dialog() {
    let h = Harness::start().await;
    let mut app = on_account(&h, SeedCase::ExpiredStaffInvite).await;
    app.update(ch('r'), t0());
    snapshot("resend", &app);
}

#[tokio::test]
async fn edit_dob_dialog() {
    let h = Harness::start().await;
    let mut app = on_account(&h, SeedCase::DobOnFileWrong).await;
    app.update(ch('e'), t0());
    app.update(Msg::Paste("02/30/1990".into()), t0());
    snapshot("edit_dob", &app);
}

#[tokio::test]
async fn help() {
    let h = Harness::start().await;
    let mut app = on_account(&h, SeedCase::NoInvite).await;
    app.update(ch('?'), t0());
    snapshot_at("help_account", &app, &THREE);
}

#[tokio::test]
async fn ticket_screen() {
    let h = Harness::start().await;
    let mut app = console(&h).await;
    let seeded = h.ticket(SeedCase::WrongAddress).clone();
    let effects = app.open_ticket(seeded.account_id, seeded.ticket_id);
    common::settle(&mut app, &h, effects, t0()).await;
    assert!(app.ticket.as_ref().is_some_and(|p| p.messages.data.is_some()), "the conversation is read");
    snapshot_at("ticket_wrong_address", &app, &THREE);
    app.update(ch('?'), t0());
    snapshot_at("help_ticket", &app, &THREE);
}

#[tokio::test]
async fn status_is_told_by_symbol_and_colour() {
    let h = Harness::start().await;
    let app = console(&h).await;
    let terminal = draw(&app, (160, 48));
    let buffer = terminal.backend().buffer();
    let mut expired = 0;
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            let cell = &buffer[(x, y)];
            if cell.symbol() == "✕" {
                expired += 1;
                assert_eq!(cell.fg, Color::Red, "expired at {x},{y} is not red");
            }
            if cell.symbol() == "◐" {
                assert_eq!(cell.fg, Color::Yellow, "expiring soon at {x},{y} is not yellow");
            }
        }
    }
    assert!(expired >= 2, "the seeded queue has expired invites");
}

#[tokio::test]
async fn nothing_unrevealed_shows_email_or_dob() {
    let h = Harness::start().await;
    let app = on_account(&h, SeedCase::DeliveredNotOpened).await;
    let account = app.account.as_ref().unwrap().account.data.clone().unwrap().value;
    for size in SIZES {
        let text = draw(&app, size).backend().to_string();
        assert!(!text.contains(account.email.expose().as_str()), "email shown at {size:?}");
        assert!(!text.contains(&account.dob.expose().format("%m/%d/%Y").to_string()), "DOB shown at {size:?}");
    }
}

#[tokio::test]
async fn invite_timeline_of_a_link_pre_opened_by_a_scanner() {
    let h = Harness::start().await;
    let mut app = on_account(&h, SeedCase::ScannerPreOpened).await;
    app.update(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)), t0());
    snapshot("timeline_scanner", &app);
}

#[tokio::test]
async fn account_with_a_link_pre_opened_by_a_scanner() {
    let h = Harness::start().await;
    snapshot("account_scanner", &on_account(&h, SeedCase::ScannerPreOpened).await);
}

#[tokio::test]
async fn account_with_two_addresses() {
    let h = Harness::start().await;
    snapshot("account_wrong_address", &on_account(&h, SeedCase::WrongAddress).await);
}

/// The audit trail with real entries: a DOB edit made through the console
/// against the sandbox, then `u` shows the trail in place of the findings
/// (at 80 columns it has no room beside them).
#[tokio::test]
async fn account_audit_trail_after_a_dob_edit() {
    let h = Harness::start().await;
    let mut app = on_account(&h, SeedCase::DobOnFileWrong).await;
    app.update(ch('e'), t0());
    app.update(Msg::Paste("03/05/1990".into()), t0());
    app.update(Msg::Key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE)), t0());
    app.update(Msg::Paste("client read it from her ID on the call".into()), t0());
    app.update(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)), t0());
    let save = app.update(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)), t0());
    common::settle(&mut app, &h, save, t0()).await;
    assert!(app.overlay.is_none(), "the edit was saved");
    assert!(!app.account.as_ref().unwrap().audit.data.as_ref().unwrap().is_empty());
    let wide = draw(&app, (160, 48)).backend().to_string();
    assert!(wide.contains("date of birth changed"), "beside the findings at 160 columns:\n{wide}");
    app.update(ch('u'), t0());
    snapshot("account_audit", &app);
    app.update(ch('u'), t0());
    assert!(!draw(&app, (80, 24)).backend().to_string().contains("Audit trail"), "u goes back to the findings");
}

/// While the trail loads, and after a failed read, the panel says so
/// rather than "No changes recorded."
#[tokio::test]
async fn the_audit_trail_says_when_it_is_loading_or_failed() {
    use portaldesk::portal::PortalError;
    use portaldesk::tui::action::{Answer, Effect, Request};
    let h = Harness::start().await;
    let mut app = on_account(&h, SeedCase::NoInvite).await;
    app.update(ch('u'), t0());
    let reload = app.update(ch('R'), t0());
    let shown = draw(&app, (80, 24)).backend().to_string();
    assert!(shown.contains("Loading the audit trail…"), "{shown}");
    let req = reload
        .iter()
        .find_map(|e| if let Effect::Portal(req, Request::Audit { .. }) = e { Some(*req) } else { None })
        .unwrap();
    let failed = PortalError::Server { status: 503, title: "Service Unavailable".into() };
    app.update(Msg::Answer(req, Answer::Audit(Err(failed))), t0());
    let shown = draw(&app, (80, 24)).backend().to_string();
    assert!(shown.contains("Could not load the audit trail") && shown.contains("503"), "{shown}");
    assert!(!shown.contains("No changes recorded"), "{shown}");
}
