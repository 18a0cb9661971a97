//! The idle lock that really locks (issue 17, point 7) and the read-only
//! mode (point 8): the console's state machine against the real sandbox,
//! and the CLI through the binary.

use crate::common;

use chrono::{DateTime, Utc};
use common::{Harness, ch, key, t0};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use portaldesk::config::Settings;
use portaldesk::sandbox::seed::SeedCase;
use portaldesk::tui::action::{Action, Effect, Msg, Request, Terminal};
use portaldesk::tui::app::{App, Lock, Overlay, View};
use portaldesk::tui::keymap::ScreenKind;
use portaldesk::tui::screens::{Ui, help, palette};

fn now() -> DateTime<Utc> {
    t0()
}

async fn started(h: &Harness, settings: &Settings) -> App {
    let (mut app, effects) = App::new(true, (160, 48));
    app.configure(settings, false).unwrap();
    common::settle(&mut app, h, effects, now()).await;
    app
}

/// The console on a loaded account worked from a ticket.
async fn on_account(h: &Harness, settings: &Settings) -> App {
    let mut app = started(h, settings).await;
    let seeded = h.ticket(SeedCase::DeliveredNotOpened).clone();
    let effects = app.open_account(seeded.account_id, Some(seeded.ticket_id));
    common::settle(&mut app, h, effects, now()).await;
    assert!(app.stack.account().unwrap().account.data.is_some());
    app
}

fn screen_text(app: &App) -> String {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 48)).unwrap();
    terminal.draw(|frame| portaldesk::tui::app::render(app, frame, now())).unwrap();
    terminal.backend().to_string()
}

fn type_text(app: &mut App, text: &str) -> Vec<Effect> {
    text.chars().flat_map(|c| app.update(ch(c), now())).collect()
}

/// Every client detail the console holds, as far as the state shows it.
fn holds_phi(app: &App) -> Vec<&'static str> {
    let mut held = Vec::new();
    if app.stack.queue.tickets.data.is_some() {
        held.push("the queue's tickets");
    }
    if app.stack.search().is_some_and(|s| s.results.data.is_some() || !s.input.value().is_empty()) {
        held.push("the search");
    }
    if let Some(account) = app.stack.account() {
        if account.account.data.is_some() {
            held.push("the account");
        }
        if account.invites.data.is_some() {
            held.push("the invites");
        }
        if account.audit.data.is_some() {
            held.push("the audit trail");
        }
    }
    if app.overlay.is_some() {
        held.push("a dialog");
    }
    if app.banner.is_some() {
        held.push("the banner");
    }
    held
}

#[tokio::test]
async fn the_lock_drops_every_client_detail_and_unlocking_reads_them_again() {
    let h = Harness::start().await;
    let mut app = on_account(&h, &Settings::default()).await;
    // A DOB typed into an open dialog.
    app.update(ch('d'), now());
    type_text(&mut app, "01/05/1990");
    assert!(matches!(app.overlay, Some(Overlay::DobCompare(_))));
    // A refresh in flight when the lock falls: its answers must not bring
    // the data back while locked.
    app.overlay = None;
    let in_flight = app.update(ch('R'), now());
    app.update(ch('d'), now());
    type_text(&mut app, "01/05/1990");
    assert!(holds_phi(&app).len() >= 5, "{:?}", holds_phi(&app));

    let effects = app.update(Msg::IdleLock, now());
    assert!(effects.contains(&Effect::Terminal(Terminal::ForgetCopy)), "the tmux copy goes: {effects:?}");
    assert!(holds_phi(&app).is_empty(), "still held after lock: {:?}", holds_phi(&app));
    common::settle(&mut app, &h, in_flight, now()).await;
    assert!(holds_phi(&app).is_empty(), "an answer brought back: {:?}", holds_phi(&app));
    // Only the ids to read again are kept.
    let seeded = h.ticket(SeedCase::DeliveredNotOpened);
    let account = app.stack.account().unwrap();
    assert_eq!((&account.id, account.ticket_id.as_ref()), (&seeded.account_id, Some(&seeded.ticket_id)));
    assert_eq!(app.view(), View::Account);

    // A key, then Enter: unlocked, and everything on screen read again.
    assert!(app.update(ch('x'), now()).is_empty());
    let effects = app.update(key(KeyCode::Enter), now());
    assert_eq!(app.lock, None);
    let mut asked: Vec<&str> = effects
        .iter()
        .map(|e| match e {
            Effect::Portal(_, Request::Tickets { .. }) => "tickets",
            Effect::Portal(_, Request::Account { account_id }) if *account_id == seeded.account_id => "account",
            Effect::Portal(_, Request::Invites { account_id }) if *account_id == seeded.account_id => "invites",
            Effect::Portal(_, Request::Audit { account_id }) if *account_id == seeded.account_id => "audit",
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    asked.sort_unstable();
    assert_eq!(asked, ["account", "audit", "invites", "tickets"]);
    common::settle(&mut app, &h, effects, now()).await;
    let account = app.stack.account().unwrap();
    assert!(account.account.data.is_some() && account.invites.data.is_some() && account.audit.data.is_some());
    assert!(app.stack.queue.tickets.data.is_some());
}

#[tokio::test]
async fn the_lock_drops_a_search_typed_over_the_account() {
    let h = Harness::start().await;
    let mut app = on_account(&h, &Settings::default()).await;
    app.update(ch('/'), now());
    assert_eq!(app.view(), View::Search);
    type_text(&mut app, "Delacroix");
    assert!(holds_phi(&app).contains(&"the search"), "{:?}", holds_phi(&app));
    app.update(Msg::IdleLock, now());
    assert!(holds_phi(&app).is_empty(), "still held after lock: {:?}", holds_phi(&app));
    // Still on the search, over the account (its id kept to read again).
    assert_eq!(app.view(), View::Search);
    assert!(app.stack.account().is_some_and(|a| a.account.data.is_none()));
}

#[tokio::test]
async fn l_locks_at_once_and_is_in_the_help_and_the_palette() {
    let h = Harness::start().await;
    let mut app = on_account(&h, &Settings::default()).await;
    let effects = app.update(ch('L'), now());
    assert_eq!(app.lock, Some(Lock::Locked));
    assert_eq!(effects, vec![Effect::Terminal(Terminal::ForgetCopy)]);
    assert!(holds_phi(&app).is_empty(), "{:?}", holds_phi(&app));
    assert!(screen_text(&app).contains("portaldesk is locked"));

    let theme = portaldesk::tui::theme::Theme::dark();
    let ui = Ui { theme: &theme, keys: &app.keymap, zone: app.zone, absolute_times: false, now: now() };
    for screen in [ScreenKind::Queue, ScreenKind::Account] {
        assert_eq!(app.keymap.key_of(screen, Action::Lock), "L", "{screen:?}");
        let entries = help::entries(&ui, screen);
        assert!(entries.iter().any(|(k, h)| k == "L" && h.contains("lock")), "{screen:?}: {entries:?}");
        let commands = palette::commands(&app.keymap, screen, "lock");
        assert!(commands.iter().any(|c| c.action == Action::Lock), "{screen:?}");
    }
}

fn requiring_login() -> Settings {
    Settings { lock_requires_login: true, ..Settings::default() }
}

#[tokio::test]
async fn lock_requires_login_unlocks_only_with_a_token_the_portal_accepts() {
    let h = Harness::start().await;
    let mut app = on_account(&h, &requiring_login()).await;
    app.update(Msg::IdleLock, now());
    // A key and Enter no longer unlock: the token is asked for.
    app.update(ch('x'), now());
    assert!(matches!(app.lock, Some(Lock::Token(_))), "{:?}", app.lock);
    assert!(app.update(key(KeyCode::Enter), now()).is_empty(), "nothing typed, nothing checked");
    assert!(app.lock.is_some());

    // A wrong token: checked with the portal, refused, still locked.
    type_text(&mut app, "not-the-token");
    assert!(screen_text(&app).contains("Token: •••••••••••••"), "{}", screen_text(&app));
    let effects = app.update(key(KeyCode::Enter), now());
    assert!(matches!(effects.as_slice(), [Effect::Portal(_, Request::Unlock { .. })]), "{effects:?}");
    assert!(!format!("{effects:?} {:?}", app.lock).contains("not-the-token"), "the token shows in Debug");
    common::settle(&mut app, &h, effects, now()).await;
    let Some(Lock::Token(prompt)) = &app.lock else { panic!("unlocked by a wrong token: {:?}", app.lock) };
    assert!(prompt.error.as_deref().is_some_and(|e| e.contains("did not accept")), "{prompt:?}");
    assert!(prompt.typed.is_empty(), "the token is not kept once sent");
    assert!(screen_text(&app).contains("did not accept that token"));
    assert!(holds_phi(&app).is_empty());

    // The right one (pasted, as tokens are): unlocked and read again.
    app.update(Msg::Paste("sandbox\n".into()), now());
    let effects = app.update(key(KeyCode::Enter), now());
    common::settle(&mut app, &h, effects, now()).await;
    assert_eq!(app.lock, None);
    assert!(app.stack.account().unwrap().account.data.is_some());
    assert!(app.stack.queue.tickets.data.is_some());

    // Esc clears what was typed; Ctrl-C still quits.
    app.update(Msg::IdleLock, now());
    app.update(ch('x'), now());
    type_text(&mut app, "abc");
    app.update(key(KeyCode::Esc), now());
    assert!(matches!(&app.lock, Some(Lock::Token(p)) if p.typed.is_empty()));
    let quit = app.update(Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)), now());
    assert_eq!(quit, vec![Effect::Terminal(Terminal::Quit)]);
}

fn read_only() -> Settings {
    Settings { readonly: true, ..Settings::default() }
}

const CHANGES: [Action; 7] = [
    Action::Resend,
    Action::EditDob,
    Action::Revoke,
    Action::Addresses,
    Action::MakeDefault,
    Action::RemoveAddress,
    Action::Note,
];

#[tokio::test]
async fn read_only_hides_every_change_from_footer_help_and_palette_and_refuses_its_key() {
    let h = Harness::start().await;
    // Today's console, for contrast: r opens the resend dialog.
    let mut normal = on_account(&h, &Settings::default()).await;
    normal.update(ch('r'), now());
    assert!(matches!(normal.overlay, Some(Overlay::Resend(_))));
    assert!(!screen_text(&normal).contains("READ-ONLY"));

    let mut app = on_account(&h, &read_only()).await;
    assert!(app.readonly());
    let theme = portaldesk::tui::theme::Theme::dark();
    let ui = Ui { theme: &theme, keys: &app.keymap, zone: app.zone, absolute_times: false, now: now() };
    // The screens a read-only console can reach (the changing dialogs
    // cannot be opened: see the keys below).
    let reachable =
        [ScreenKind::Queue, ScreenKind::Search, ScreenKind::Account, ScreenKind::Timeline, ScreenKind::DobCompare];
    for screen in reachable {
        let footer: Vec<&str> = app.keymap.footer(screen).into_iter().map(|(_, hint)| hint).collect();
        let help: Vec<&str> = help::entries(&ui, screen).into_iter().map(|(_, help)| help).collect();
        for action in app.keymap.bindings(screen).into_iter().map(|b| b.action) {
            assert!(!action.changes(), "{screen:?} binds {action:?}");
        }
        for words in ["resend", "edit the DOB", "revoke", "email addresses", "note", "remove the", "default"] {
            assert!(!help.iter().any(|h| h.contains(words)), "{screen:?} help: {help:?}");
        }
        for hint in ["resend", "edit DOB", "revoke", "addresses", "note", "default", "remove"] {
            assert!(!footer.contains(&hint), "{screen:?} footer: {footer:?}");
        }
        let commands = palette::commands(&app.keymap, screen, "");
        assert!(!commands.iter().any(|c| CHANGES.contains(&c.action)), "{screen:?} palette");
    }
    // Reading stays: reveal, compare, copy, audit, lock.
    for action in [Action::Reveal, Action::DobCompare, Action::Copy, Action::Audit, Action::Lock] {
        assert!(app.keymap.bindings(ScreenKind::Account).iter().any(|b| b.action == action), "{action:?}");
    }

    // The keys do nothing but say why.
    for (c, name) in [('r', "resend"), ('e', "edit dob"), ('x', "revoke"), ('a', "addresses"), ('m', "note")] {
        let effects = app.update(ch(c), now());
        assert!(effects.is_empty(), "{c}: {effects:?}");
        assert!(app.overlay.is_none(), "{c} opened a dialog");
        let banner = app.banner.as_ref().map(|b| b.text.as_str()).unwrap_or_default();
        assert!(banner.starts_with("read-only: ") && banner.contains(name), "{c}: {banner}");
    }
    let screen = screen_text(&app);
    assert!(screen.lines().next().unwrap().contains("READ-ONLY"), "{screen}");
    assert!(screen.contains("read-only: note"), "{screen}");
    // Nothing changed in the portal.
    let seeded = h.ticket(SeedCase::DeliveredNotOpened);
    let before = app.stack.account().unwrap().invites.data.as_ref().unwrap().len();
    assert_eq!(h.client.invites(&seeded.account_id).await.unwrap().len(), before);
}

/// A live console (its event stream open) on the account of a ticket, with
/// `settings`; returns it and every effect it ran.
async fn live_on_ticket(h: &Harness, settings: &Settings) -> (App, Vec<Effect>) {
    let (mut app, effects) = App::new(true, (160, 48));
    app.configure(settings, false).unwrap();
    let mut ran = common::settle(&mut app, h, effects, now()).await;
    let effects = app.update(Msg::Live(portaldesk::portal::events::Live::Connected), now());
    ran.extend(common::settle(&mut app, h, effects, now()).await);
    let seeded = h.ticket(SeedCase::DeliveredNotOpened).clone();
    let effects = app.open_account(seeded.account_id, Some(seeded.ticket_id));
    ran.extend(common::settle(&mut app, h, effects, now()).await);
    (app, ran)
}

/// Read-only, the console writes nothing to the portal, presence
/// heartbeats included: on a ticket it states no presence (the portal
/// shows nobody on it) and its heartbeat timer never runs; a normal
/// console, for contrast, is shown on it.
#[tokio::test]
async fn read_only_sends_no_presence_heartbeat() {
    use portaldesk::tui::live::Due;
    let presence = |ran: &[Effect]| {
        ran.iter().any(|e| matches!(e, Effect::Portal(_, Request::Presence { .. } | Request::LeavePresence { .. })))
    };
    async fn viewers(h: &Harness) -> usize {
        let ticket = h.ticket(SeedCase::DeliveredNotOpened).ticket_id.clone();
        let tickets = h.client.tickets(None).await.unwrap();
        tickets.into_iter().find(|t| t.id == ticket).map(|t| t.viewers.len()).unwrap_or_default()
    }

    let h = Harness::start().await;
    let (mut app, ran) = live_on_ticket(&h, &read_only()).await;
    assert!(app.live.started && app.readonly());
    assert!(!presence(&ran), "read-only stated presence: {ran:?}");
    assert_eq!(app.live.presence, None);
    assert_eq!(viewers(&h).await, 0, "the portal shows it on the ticket");
    // No heartbeat timer runs, and any old one is dropped.
    assert!(!ran.iter().any(|e| matches!(e, Effect::After { due: Due::Presence(_), .. })), "{ran:?}");
    assert!(app.update(Msg::Due(Due::Presence(1)), now()).is_empty());
    // Leaving the ticket says nothing either.
    let left = app.update(key(KeyCode::Esc), now());
    assert!(!presence(&left), "{left:?}");

    // Today's console, for contrast: on the ticket, and shown there.
    let h = Harness::start().await;
    let (app, ran) = live_on_ticket(&h, &Settings::default()).await;
    assert!(presence(&ran) && app.live.presence.is_some(), "{ran:?}");
    assert_eq!(viewers(&h).await, 1);
}

/// `portaldesk ARGS --portal <sandbox>` with the sandbox token.
async fn cli(h: &Harness, args: &[&str], env: &[(&str, &str)]) -> common::Run {
    let url = h.sandbox.url();
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--portal", url.as_str(), "--sandbox-clock"]);
    let mut env = env.to_vec();
    env.push(("PORTALDESK_TOKEN", "sandbox"));
    common::run_binary(&all, &env).await
}

/// Environment variables for a run.
type Env<'a> = Vec<(&'a str, &'a str)>;

#[tokio::test]
async fn the_cli_refuses_changes_read_only_with_exit_2_and_the_portal_shows_none() {
    let h = Harness::start().await;
    let none = h.ticket(SeedCase::NoInvite).clone();
    let account = h.client.account(&none.account_id).await.unwrap();
    let dob = account.value.dob.expose().format("%m/%d/%Y").to_string();
    let other = if dob == "01/02/1990" { "01/03/1990" } else { "01/02/1990" };
    let config = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(config.path(), "readonly = true\n").unwrap();
    let config_path = config.path().to_str().unwrap();
    let ways: [(Vec<&str>, Env); 3] = [
        (vec!["--readonly"], vec![]),
        (vec![], vec![("PORTALDESK_READONLY", "1")]),
        (vec!["--config", config_path], vec![]),
    ];
    for (flags, env) in &ways {
        let resend = [flags.as_slice(), &["resend", none.account_id.as_str(), "--yes"]].concat();
        let out = cli(&h, &resend, env).await;
        assert_eq!(out.code, 2, "{flags:?} {env:?}: {}", out.err);
        assert!(out.err.contains("read-only") && out.err.contains("resend"), "{}", out.err);
        assert!(out.out.is_empty(), "{}", out.out);
        let set =
            [flags.as_slice(), &["dob", "set", none.account_id.as_str(), other, "--reason", "typo", "--yes", "--json"]]
                .concat();
        let out = cli(&h, &set, env).await;
        assert_eq!(out.code, 2, "{flags:?} {env:?}: {}", out.err);
        assert!(out.err.contains("read-only") && out.err.contains("dob set"), "{}", out.err);
        // Reading works as ever.
        let show = [flags.as_slice(), &["show", none.account_id.as_str(), "--json"]].concat();
        assert_eq!(cli(&h, &show, env).await.code, 0);
        let audit = [flags.as_slice(), &["audit", "--account", none.account_id.as_str(), "--json"]].concat();
        let out = cli(&h, &audit, env).await;
        assert_eq!(out.code, 0, "{}", out.err);
    }
    assert!(h.client.invites(&none.account_id).await.unwrap().is_empty());
    assert!(h.client.sandbox_outbox(Some(&none.account_id)).await.unwrap().is_empty());
    let after = h.client.account(&none.account_id).await.unwrap();
    assert_eq!(after.value.dob, account.value.dob);
    assert_eq!(after.etag, account.etag);

    // Without read-only the same resend goes through (the refusal above is
    // the mode's, not something else).
    let out = cli(&h, &["resend", none.account_id.as_str(), "--yes"], &[]).await;
    assert_eq!(out.code, 0, "{}", out.err);
    assert_eq!(h.client.invites(&none.account_id).await.unwrap().len(), 1);
}
