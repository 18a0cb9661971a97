//! The help desk's habits in the console: settings from the config file,
//! the command palette, ticket notes, copying, absolute times and the
//! search's role filter. Against the real sandbox, without a terminal.

use crate::common;

use std::collections::BTreeMap;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use common::{Harness, ch, key, t0};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use portaldesk::config::{RoleFilter, Settings, ThemeName};
use portaldesk::portal::PortalError;
use portaldesk::portal::model::Role;
use portaldesk::sandbox::seed::SeedCase;
use portaldesk::timezone::StaffZone;
use portaldesk::tui::action::{Answer, Effect, Msg, Request, Terminal as Term};
use portaldesk::tui::app::{App, Overlay};
use portaldesk::tui::clipboard::Copied;
use portaldesk::tui::keymap::ScreenKind;
use portaldesk::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn now() -> DateTime<Utc> {
    t0()
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(ch(c), now());
    }
}

/// A console on the account of `case`'s ticket, loaded.
async fn on_account(h: &Harness, case: SeedCase, settings: &Settings) -> App {
    let (mut app, effects) = App::new(true, (160, 48));
    app.configure(settings, false).unwrap();
    common::settle(&mut app, h, effects, now()).await;
    let seeded = h.ticket(case).clone();
    let effects = app.open_account(seeded.account_id, Some(seeded.ticket_id));
    common::settle(&mut app, h, effects, now()).await;
    app
}

fn screen_text(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    terminal.draw(|frame| portaldesk::tui::app::render(app, frame, now())).unwrap();
    let buffer = terminal.backend().buffer();
    buffer.content().chunks(160).map(|row| row.iter().map(|c| c.symbol()).collect::<String>() + "\n").collect()
}

#[tokio::test]
async fn settings_rebind_keys_and_set_theme_reveal_time_and_search_role() {
    let h = Harness::start().await;
    let settings = Settings {
        keys: BTreeMap::from([("resend".to_owned(), "s".to_owned())]),
        theme: ThemeName::Light,
        reveal_for: StdDuration::from_secs(10),
        role: RoleFilter::Staff,
        ..Settings::default()
    };
    let mut app = on_account(&h, SeedCase::ExpiredClientInvite, &settings).await;
    assert_eq!(app.theme, Theme::light());
    // r no longer resends; s does, and the footer says so.
    app.update(ch('r'), now());
    assert!(app.overlay.is_none());
    app.update(ch('s'), now());
    assert_eq!(app.screen(), ScreenKind::Resend);
    app.update(key(KeyCode::Esc), now());
    assert!(screen_text(&app).contains(" s resend "));

    // Revealed for 10 seconds, not 30.
    let timer = app.update(ch('v'), now());
    let [Effect::MaskAfter { reveal, after }] = timer.as_slice() else { panic!("{timer:?}") };
    assert_eq!(*after, StdDuration::from_secs(10));
    assert!(app.stack.account().unwrap().revealed);
    app.update(Msg::RevealOver(*reveal), now() + Duration::seconds(10));
    assert!(!app.stack.account().unwrap().revealed);

    // The search starts on staff only; Tab goes on to everyone.
    app.update(ch('/'), now());
    typed(&mut app, "ab");
    let effects = app.update(key(KeyCode::Tab), now());
    let Some(Effect::Portal(_, Request::Search { query })) = effects.first() else { panic!("{effects:?}") };
    assert_eq!(query.role, None, "staff, then all");
    let effects = app.update(key(KeyCode::Tab), now());
    let Some(Effect::Portal(_, Request::Search { query })) = effects.first() else { panic!("{effects:?}") };
    assert_eq!(query.role, Some(Role::Client));
    let found = common::settle(&mut app, &h, effects, now()).await;
    assert!(!found.is_empty());
    let results = app.stack.search().expect("search in front").results.data.as_ref().unwrap();
    assert!(results.items.iter().all(|a| a.role == Role::Client), "the sandbox filtered by role");

    // NO_COLOR wins over the theme.
    app.configure(&settings, true).unwrap();
    assert_eq!(app.theme, Theme::plain());
}

#[tokio::test]
async fn the_palette_runs_an_action_by_name() {
    let h = Harness::start().await;
    let mut app = on_account(&h, SeedCase::ExpiredClientInvite, &Settings::default()).await;
    app.update(ch(':'), now());
    assert_eq!(app.screen(), ScreenKind::Palette);
    // Letters are the filter, not commands: r does not resend here.
    typed(&mut app, "edit");
    assert_eq!(app.screen(), ScreenKind::Palette);
    assert!(screen_text(&app).contains("edit dob"));
    app.update(key(KeyCode::Enter), now());
    assert_eq!(app.screen(), ScreenKind::EditDob);
    app.update(key(KeyCode::Esc), now());

    // Arrows choose among several; Esc closes without running anything.
    app.update(ch(':'), now());
    app.update(key(KeyCode::Down), now());
    app.update(key(KeyCode::Esc), now());
    assert_eq!(app.screen(), ScreenKind::Account);
    // Nothing matching: Enter does nothing.
    app.update(ch(':'), now());
    typed(&mut app, "zzz");
    assert!(app.update(key(KeyCode::Enter), now()).is_empty());
    assert_eq!(app.screen(), ScreenKind::Palette);
}

/// A note whose answer is lost after the portal stored it (the sandbox's
/// fault injection: `lost_answer_rate=1` makes every change, then drops
/// its answer) is never called "Not posted": the dialog reads the notes
/// again, finds it, closes and says it was posted, with one note stored.
#[tokio::test]
async fn a_note_whose_answer_was_lost_after_it_was_stored_says_posted() {
    let faults = portaldesk::sandbox::faults::Faults::parse("lost_answer_rate=1").unwrap();
    let h = Harness::with_faults(faults).await;
    let mut app = on_account(&h, SeedCase::DeliveredNotOpened, &Settings::default()).await;
    let ticket = app.stack.account().unwrap().ticket_id.clone().unwrap();
    let before = h.client.notes(&ticket).await.unwrap().len();
    app.update(ch('m'), now());
    typed(&mut app, "Client called back; will check Spam");
    let sent = app.update(key(KeyCode::Enter), now());
    let Some(Effect::Portal(req, request @ Request::AddNote { .. })) = sent.first().cloned() else {
        panic!("{sent:?}")
    };
    let answer = portaldesk::request::perform(&h.client, request).await;
    let lost = answer.error().is_some_and(portaldesk::tui::screens::submission::answer_lost);
    assert!(lost, "the fault drops the answer: {answer:?}");
    assert_eq!(h.client.notes(&ticket).await.unwrap().len(), before + 1, "stored all the same");

    let reread = app.update(Msg::Answer(req, answer), now());
    let shown = screen_text(&app);
    assert!(shown.contains("Not known yet: the answer was lost; reading the notes again"), "{shown}");
    assert!(!shown.contains("Not posted"), "{shown}");
    assert!(matches!(reread.first(), Some(Effect::Portal(_, Request::Notes { .. }))), "{reread:?}");
    common::settle(&mut app, &h, reread, now()).await;
    assert!(app.overlay.is_none(), "the notes show it: closed");
    let banner = app.banner.clone().unwrap();
    assert!(!banner.error && banner.text.contains("its answer was lost, the notes show it"), "{banner:?}");
    assert!(app.unconfirmed.is_empty(), "its key is forgotten once the outcome shows");
    assert_eq!(h.client.notes(&ticket).await.unwrap().len(), before + 1, "one note");
}

/// A note whose request never reached the portal (its answer lost all the
/// same): the notes read again do not show it, the dialog says it was not
/// posted, and Enter posts it once, with the same key.
#[tokio::test]
async fn a_note_lost_before_it_was_stored_says_not_posted_and_enter_posts_it_once() {
    let h = Harness::start().await;
    let mut app = on_account(&h, SeedCase::DeliveredNotOpened, &Settings::default()).await;
    let ticket = app.stack.account().unwrap().ticket_id.clone().unwrap();
    let before = h.client.notes(&ticket).await.unwrap().len();
    app.update(ch('m'), now());
    typed(&mut app, "Left a voicemail");
    let sent = app.update(key(KeyCode::Enter), now());
    let Some(Effect::Portal(req, Request::AddNote { key: first, .. })) = sent.first().cloned() else { panic!() };
    let reread = app.update(Msg::Answer(req, Answer::AddNote(Err(PortalError::Dropped))), now());
    common::settle(&mut app, &h, reread, now()).await;
    let shown = screen_text(&app);
    assert!(shown.contains("Not posted: the answer was lost and the notes do not show it"), "{shown}");
    let again = app.update(key(KeyCode::Enter), now());
    let Some(Effect::Portal(_, Request::AddNote { key: second, .. })) = again.first().cloned() else { panic!() };
    assert_eq!(second, first, "the same key");
    common::settle(&mut app, &h, again, now()).await;
    assert!(app.overlay.is_none());
    assert_eq!(h.client.notes(&ticket).await.unwrap().len(), before + 1);
}

#[tokio::test]
async fn a_ticket_note_is_posted_once_even_when_retried() {
    let h = Harness::start().await;
    let mut app = on_account(&h, SeedCase::DeliveredNotOpened, &Settings::default()).await;
    let ticket = app.stack.account().unwrap().ticket_id.clone().unwrap();
    let before = h.client.notes(&ticket).await.unwrap().len();
    app.update(ch('m'), now());
    assert_eq!(app.screen(), ScreenKind::Note);
    // A blank note costs no request.
    assert!(app.update(key(KeyCode::Enter), now()).is_empty());
    typed(&mut app, "Client will check Spam; resent? no");
    let first = app.update(key(KeyCode::Enter), now());
    let Some(Effect::Portal(req, Request::AddNote { key: first_key, ticket_id, .. })) = first.first().cloned() else {
        panic!("{first:?}")
    };
    assert_eq!(ticket_id, ticket);
    // Posted, but the answer is lost: the retry carries the same key.
    let Some(Effect::Portal(_, Request::AddNote { key: posted_key, note, .. })) = first.first().cloned() else {
        panic!()
    };
    h.client.add_note(&ticket, &note, &posted_key).await.unwrap();
    app.update(Msg::Answer(req, Answer::AddNote(Err(PortalError::Dropped))), now());
    assert_eq!(app.screen(), ScreenKind::Note, "the dialog stays with the error");
    let retry = app.update(key(KeyCode::Enter), now());
    let Some(Effect::Portal(_, Request::AddNote { key: retry_key, .. })) = retry.first().cloned() else {
        panic!("{retry:?}")
    };
    assert_eq!(retry_key, first_key);
    common::settle(&mut app, &h, retry, now()).await;
    assert!(app.overlay.is_none());
    assert!(app.banner.as_ref().is_some_and(|b| !b.error && b.text.contains(ticket.as_str())));
    let notes = h.client.notes(&ticket).await.unwrap();
    assert_eq!(notes.len(), before + 1, "one note, not two");
    assert_eq!(notes.last().unwrap().body, "Client will check Spam; resent? no");

    // From the queue, m notes the selected ticket; an account opened from
    // search has no ticket and says so.
    app.update(key(KeyCode::Esc), now());
    app.update(ch('m'), now());
    let Some(Overlay::Note(state)) = &app.overlay else { panic!("no note dialog") };
    assert_eq!(Some(&state.ticket_id), app.stack.queue.selected_ticket().map(|t| &t.id));
    app.update(key(KeyCode::Esc), now());
    let seeded = h.ticket(SeedCase::DeliveredNotOpened).clone();
    let effects = app.open_account(seeded.account_id, None);
    common::settle(&mut app, &h, effects, now()).await;
    app.update(ch('m'), now());
    assert!(app.overlay.is_none());
    assert!(app.banner.as_ref().is_some_and(|b| b.error));
}

#[tokio::test]
async fn y_copies_the_reply_and_ctrl_y_the_dob_entry_and_the_banner_is_honest() {
    let h = Harness::start().await;
    let mut app = on_account(&h, SeedCase::DobDayMonthSwapped, &Settings::default()).await;
    let effects = app.update(ch('y'), now());
    let Some(Effect::Terminal(Term::Copy { what, text })) = effects.first() else { panic!("{effects:?}") };
    assert_eq!(*what, "the reply");
    let shown = app.stack.account().unwrap().main_reply(&app.replies, now()).unwrap();
    assert_eq!(text.expose(), shown.expose());
    assert!(text.expose().starts_with("Hi "));

    // Only sent to the terminal: the banner must not claim a copy.
    app.update(Msg::Copied { what: "the reply", result: Ok(Copied::SentToTerminal) }, now());
    let banner = app.banner.clone().unwrap();
    assert!(!banner.error && !banner.text.contains("Copied") && banner.text.starts_with("Sent the reply"));
    app.update(Msg::Copied { what: "the reply", result: Ok(Copied::System { program: "xclip" }) }, now());
    assert!(app.banner.as_ref().unwrap().text.starts_with("Copied the reply"));
    app.update(Msg::Copied { what: "the reply", result: Err("no clipboard".into()) }, now());
    assert!(app.banner.as_ref().unwrap().error);

    // In the DOB compare, Ctrl-Y copies the entry to type, once there is one.
    app.update(ch('d'), now());
    let ctrl_y = Msg::Key(KeyEvent::new(KeyCode::Char('y'), KeyModifiers::CONTROL));
    assert!(app.update(ctrl_y, now()).is_empty());
    assert!(app.banner.as_ref().unwrap().error);
    let dob = *app.stack.account().unwrap().account.data.as_ref().unwrap().value.dob.expose();
    app.update(Msg::Paste(dob.format("%-d/%-m/%Y").to_string()), now());
    let ctrl_y = Msg::Key(KeyEvent::new(KeyCode::Char('y'), KeyModifiers::CONTROL));
    let effects = app.update(ctrl_y, now());
    let Some(Effect::Terminal(Term::Copy { text, .. })) = effects.first() else { panic!("{effects:?}") };
    assert_eq!(text.expose(), &dob.format("%m/%d/%Y").to_string());
    // A plain y is typed into the field, not a copy.
    assert!(app.update(ch('y'), now()).is_empty());
}

#[tokio::test]
async fn t_shows_absolute_times_in_the_staff_zone() {
    let h = Harness::start().await;
    let chicago = StaffZone::parse("America/Chicago").unwrap();
    let settings = Settings { time_zone: chicago, practice_time_zone: chicago, ..Settings::default() };
    let mut app = on_account(&h, SeedCase::ExpiredClientInvite, &settings).await;
    let text = screen_text(&app);
    // Expiry dates are always absolute, now in the staff member's zone.
    assert!(text.contains(" CST"), "{text}");
    assert!(!text.contains(" UTC"));
    let sent_ago = text.lines().find(|l| l.contains("· sent ")).unwrap().to_owned();
    assert!(!sent_ago.contains("CST ·"), "relative only at first: {sent_ago}");
    app.update(ch('t'), now());
    let text = screen_text(&app);
    let sent = text.lines().find(|l| l.contains("· sent ")).unwrap();
    assert!(sent.contains("CST) ·"), "{sent}");
    assert!(app.banner.as_ref().unwrap().text.contains("America/Chicago"));
    // The reply quotes times in the same zone.
    let reply = app.stack.account().unwrap().main_reply(&app.replies, now()).unwrap();
    assert!(!reply.expose().contains("UTC"), "{}", reply.expose());
}
