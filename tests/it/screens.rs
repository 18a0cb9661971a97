//! Every screen rendered into a TestBackend at 80x24 and 160x48, from seeded
//! sandbox data and a fixed clock, snapshotted with insta so layout changes
//! show in review.

use crate::common;

use common::{Harness, ch, key, t0};
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
    let dob = *app.stack.account().unwrap().account.data.as_ref().unwrap().value.dob.expose();
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

/// On a screen too short for the whole dialog, what Enter does stays in
/// view at its foot; what is above is cut, from the bottom.
#[tokio::test]
async fn a_dialog_too_tall_for_the_screen_keeps_what_enter_does_in_view() {
    let h = Harness::start().await;
    let mut app = on_account(&h, SeedCase::ExpiredStaffInvite).await;
    app.update(ch('r'), t0());
    let text = draw(&app, (80, 10)).backend().to_string();
    assert!(text.contains("Enter or y sends it · Esc cancels"), "{text}");
    assert!(text.contains("To       a***@"), "{text}");
    // With room, it reads as before, the keys after a blank line.
    let text = draw(&app, (80, 24)).backend().to_string();
    assert!(text.contains("Enter or y sends it · Esc cancels"), "{text}");
}

#[tokio::test]
async fn edit_dob_dialog() {
    let h = Harness::start().await;
    let app = typed_into(on_account(&h, SeedCase::DobOnFileWrong).await, 'e', "02/30/1990");
    snapshot("edit_dob", &app);
}

#[tokio::test]
async fn note_dialog() {
    let h = Harness::start().await;
    let app = typed_into(
        on_ticket(&h, SeedCase::WrongAddress).await,
        'm',
        "Called back; resent to the address she spelled out.",
    );
    snapshot("note", &app);
    let line = cursor_after(&app, "spelled out.");
    assert!(line.contains("Note     Called back;"), "{line}");
}

/// `app` after `key` opens a dialog and `text` is pasted into its field.
fn typed_into(mut app: App, key: char, text: &str) -> App {
    app.update(ch(key), t0());
    app.update(Msg::Paste(text.into()), t0());
    app
}

/// Asserts that the cursor, at 80x24, is right after `typed` on its line;
/// answers that line.
fn cursor_after(app: &App, typed: &str) -> String {
    let mut terminal = draw(app, (80, 24));
    let cursor = terminal.get_cursor_position().unwrap();
    let line: String = (0..80).map(|x| terminal.backend().buffer()[(x, cursor.y)].symbol().to_owned()).collect();
    let end = line.find(typed).unwrap_or_else(|| panic!("{typed:?} is not on the cursor's line: {line}")) + typed.len();
    assert_eq!(usize::from(cursor.x), line[..end].chars().count(), "{line}");
    line
}

#[tokio::test]
async fn revoke_dialog() {
    let h = Harness::start().await;
    let mut app = typed_into(on_account(&h, SeedCase::WrongAddress).await, 'x', "sent to a mistyped address");
    assert_eq!(app.screen(), portaldesk::tui::keymap::ScreenKind::Revoke);
    snapshot("revoke", &app);
    // The first Enter shows the risk on the highlighted line.
    app.update(key(KeyCode::Enter), t0());
    snapshot_at("revoke_second_look", &app, &[(80, 24)]);
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
    assert!(app.stack.ticket().is_some_and(|p| p.messages.data.is_some()), "the conversation is read");
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
    let account = app.stack.account().unwrap().account.data.clone().unwrap().value;
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
    assert!(!app.stack.account().unwrap().audit.data.as_ref().unwrap().is_empty());
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

/// What the dialog open in `app` says, as the plain renderer reads it (the
/// view model, masked as the dialog draws it).
fn dialog_view(app: &App) -> portaldesk::tui::view_model::ViewModel {
    use portaldesk::tui::screens::Ui;
    let overlay = app.overlay.as_ref().expect("a dialog is open");
    let ui = Ui { theme: &app.theme, keys: &app.keymap, zone: app.zone, absolute_times: app.absolute_times, now: t0() };
    overlay.component().view(&portaldesk::tui::app::shared(app, &ui)).remove(0)
}

/// The texts of the view's cells that mean `meaning`.
fn cells_meaning(
    model: &portaldesk::tui::view_model::ViewModel,
    meaning: portaldesk::tui::view_model::Meaning,
) -> Vec<String> {
    let rows = model.sections.iter().flat_map(|s| &s.rows);
    rows.flat_map(|r| &r.cells).filter(|c| c.meaning == meaning).map(|c| c.text.clone()).collect()
}

fn reveal(app: &mut App) {
    app.update(Msg::Key(KeyEvent::new(KeyCode::F(2), KeyModifiers::NONE)), t0());
}

/// The seeded ticket of `case` opened from the queue (Enter on its row:
/// the account with its ticket pane, claimed).
async fn on_ticket(h: &Harness, case: SeedCase) -> App {
    let seeded = h.ticket(case).clone();
    let mut app = console(h).await;
    let tickets = app.stack.queue.tickets.data.clone().unwrap();
    app.stack.queue.selected = tickets.iter().position(|t| t.id == seeded.ticket_id).expect("the seeded ticket");
    common::press_at_t0(&mut app, h, key(KeyCode::Enter)).await;
    assert_eq!(app.screen(), portaldesk::tui::keymap::ScreenKind::Ticket);
    app
}

/// The account open in `app`, as read.
fn account_of(app: &App) -> portaldesk::portal::model::Account {
    app.stack.account().unwrap().account.data.clone().unwrap().value
}

#[tokio::test]
async fn resend_view_says_where_it_goes_masked_until_revealed() {
    use portaldesk::tui::view_model::Meaning;
    let h = Harness::start().await;
    let mut app = on_account(&h, SeedCase::ExpiredStaffInvite).await;
    app.update(ch('r'), t0());
    let email = account_of(&app).email.expose().clone();
    let model = dialog_view(&app);
    let text = model.text();
    assert!(model.title.contains("portal invite?"), "{}", model.title);
    assert!(text.contains("To") && text.contains("Expires") && text.contains("Earlier"), "{text}");
    assert!(text.contains("sends it"), "what Enter does: {text}");
    assert!(!text.contains(email.as_str()), "the address masked: {text}");
    assert_eq!(cells_meaning(&model, Meaning::Masked).len(), 1, "the address is a masked cell");
    assert_eq!(cells_meaning(&model, Meaning::Countdown).len(), 1, "the expiry counts down in its own cell");
    reveal(&mut app);
    let model = dialog_view(&app);
    assert!(model.text().contains(email.as_str()), "revealed: {}", model.text());
    assert!(cells_meaning(&model, Meaning::Masked).is_empty());
}

#[tokio::test]
async fn edit_dob_view_has_the_field_typed_and_the_dob_on_file_masked() {
    use portaldesk::tui::view_model::Meaning;
    let h = Harness::start().await;
    let mut app = on_account(&h, SeedCase::DobOnFileWrong).await;
    app.update(ch('e'), t0());
    app.update(Msg::Paste("02/30/1990".into()), t0());
    let on_file = account_of(&app).dob.expose().format("%m/%d/%Y").to_string();
    let model = dialog_view(&app);
    let text = model.text();
    assert_eq!(cells_meaning(&model, Meaning::Input), ["02/30/1990"], "the focused field, as typed");
    assert!(text.contains("New DOB") && text.contains("Reason") && text.contains("Ticket"), "{text}");
    assert!(text.contains("✕ "), "the DOB typed is no date: {text}");
    assert!(text.contains("Tab: next field"), "{text}");
    assert!(!text.contains(on_file.as_str()), "the DOB on file masked: {text}");
    assert_eq!(cells_meaning(&model, Meaning::Masked), [portaldesk::phi::DOB_MASK]);
    reveal(&mut app);
    let model = dialog_view(&app);
    assert!(model.text().contains(on_file.as_str()), "revealed: {}", model.text());
}

#[tokio::test]
async fn addresses_view_masks_the_list_and_has_the_field_typed() {
    use portaldesk::tui::view_model::Meaning;
    let h = Harness::start().await;
    let mut app = on_account(&h, SeedCase::WrongAddress).await;
    app.update(ch('a'), t0());
    assert_eq!(app.screen(), portaldesk::tui::keymap::ScreenKind::Addresses);
    let email = account_of(&app).email.expose().clone();
    let model = dialog_view(&app);
    assert!(model.sections[0].rows.iter().any(|r| r.selected), "the address selected is marked");
    assert!(!model.text().contains(email.as_str()), "masked: {}", model.text());
    assert!(!cells_meaning(&model, Meaning::Masked).is_empty());
    snapshot_at("addresses", &app, &[(80, 24)]);
    app.update(key(KeyCode::Tab), t0());
    app.update(Msg::Paste("new.address@gmial.com".into()), t0());
    // The field focused and typed into, its warning under it, the cursor
    // at the end of what is typed.
    snapshot_at("addresses_typed", &app, &[(80, 24)]);
    cursor_after(&app, "gmial.com");
    let model = dialog_view(&app);
    assert_eq!(cells_meaning(&model, Meaning::Input), ["new.address@gmial.com"], "the focused field");
    assert!(model.text().contains("Reason") && model.text().contains("Ctrl-D"), "{}", model.text());
    reveal(&mut app);
    let model = dialog_view(&app);
    assert!(model.text().contains(email.as_str()), "revealed: {}", model.text());
}

#[tokio::test]
async fn fix_view_says_the_steps_and_the_reply_masked_until_revealed() {
    use portaldesk::tui::view_model::Meaning;
    let h = Harness::start().await;
    let seeded = h.ticket(SeedCase::EmailTypo).clone();
    let mut app = on_ticket(&h, SeedCase::EmailTypo).await;
    common::press_at_t0(&mut app, &h, ch('f')).await;
    assert_eq!(app.screen(), portaldesk::tui::keymap::ScreenKind::Fix, "{:?}", app.banner);
    let email = h.client.account(&seeded.account_id).await.unwrap().value.email.expose().clone();
    let model = dialog_view(&app);
    let text = model.text();
    assert!(model.title.starts_with("Fix email_typo"), "{}", model.title);
    snapshot_at("fix", &app, &[(100, 30)]);
    assert!(text.contains("[to do]") && text.contains("Enter does it all"), "{text}");
    assert!(text.contains("The reply"), "{text}");
    // The seeded typo (`….cmo`) and the address it is corrected to.
    let corrected = format!("{}.com", email.trim_end_matches(".cmo"));
    assert!(!text.contains(email.as_str()) && !text.contains(corrected.as_str()), "masked: {text}");
    assert!(!cells_meaning(&model, Meaning::Masked).is_empty(), "the reply's lines are masked");
    reveal(&mut app);
    let model = dialog_view(&app);
    assert!(cells_meaning(&model, Meaning::Masked).is_empty(), "revealed");
    assert!(model.text().contains(corrected.as_str()), "revealed: {}", model.text());
}

#[tokio::test]
async fn reply_view_has_the_whole_text_typed_and_the_status_choices() {
    use portaldesk::tui::view_model::Meaning;
    let h = Harness::start().await;
    let mut app = on_ticket(&h, SeedCase::ExpiredClientInvite).await;
    common::press_at_t0(&mut app, &h, ch('w')).await;
    assert_eq!(app.screen(), portaldesk::tui::keymap::ScreenKind::Reply, "{:?}", app.banner);
    app.update(Msg::Paste("Second line typed".into()), t0());
    let model = dialog_view(&app);
    let typed = cells_meaning(&model, Meaning::Input);
    assert_eq!(typed.len(), 1, "one field: the whole reply");
    assert!(typed[0].contains("Second line typed"), "{}", typed[0]);
    let text = model.text();
    assert!(text.contains("Status with it") && text.contains("leave as is") && text.contains("solved"), "{text}");
    assert!(text.contains("characters") && text.contains("sends"), "{text}");
    assert!(text.contains("emailed to the client"), "{text}");
}
