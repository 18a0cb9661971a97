//! Link forensics in the console: the invite timeline tells a mail
//! scanner's visit from the client's, `x` revokes, and the profile lists
//! every address. Against the real sandbox, driven by real HTTP visits to
//! the invite link.

use crate::common;

use chrono::{DateTime, Duration, Utc};
use common::{CHROME, Harness, ch, ctrl, key, t0};
use crossterm::event::KeyCode;
use portaldesk::portal::PortalError;
use portaldesk::portal::model::InviteStatus;
use portaldesk::sandbox::seed::SeedCase;
use portaldesk::tui::action::{Answer, Effect, Msg, Request};
use portaldesk::tui::app::{App, Overlay};
use portaldesk::tui::keymap::ScreenKind;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn text(app: &App, now: DateTime<Utc>) -> String {
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    terminal.draw(|frame| portaldesk::tui::app::render(app, frame, now)).unwrap();
    terminal
        .backend()
        .buffer()
        .content()
        .chunks(160)
        .map(|r| r.iter().map(|c| c.symbol()).collect::<String>() + "\n")
        .collect()
}

async fn on_account(h: &Harness, case: SeedCase, now: DateTime<Utc>) -> App {
    let (mut app, effects) = App::new(true, (160, 48));
    common::settle(&mut app, h, effects, now).await;
    let seeded = h.ticket(case).clone();
    let effects = app.open_account(seeded.account_id, Some(seeded.ticket_id));
    common::settle(&mut app, h, effects, now).await;
    app
}

#[tokio::test]
async fn a_fresh_invite_visited_by_a_scanner_then_the_client_shows_both_told_apart() {
    let h = Harness::start().await;
    let mut app = on_account(&h, SeedCase::NoInvite, t0()).await;
    let account_id = app.stack.account().unwrap().id.clone();
    // The console resends.
    app.update(ch('r'), t0());
    let effects = app.update(key(KeyCode::Enter), t0());
    common::settle(&mut app, &h, effects, t0()).await;
    let link = h.client.sandbox_outbox(Some(&account_id)).await.unwrap().remove(0).link;
    // A scanner from Microsoft's network 5 s later: HEAD, then a headless GET.
    h.client.sandbox_advance_clock(5).await.unwrap();
    h.scanner_visit(&link).await;
    // The client, three hours later, in Chrome.
    h.client.sandbox_advance_clock(3 * 3600).await.unwrap();
    let answer = h.raw().get(&link).header("User-Agent", CHROME).send().await.unwrap();
    assert!(answer.status().is_success());

    let now = t0() + Duration::seconds(5 + 3 * 3600 + 60);
    let effects = app.update(ch('R'), now);
    common::settle(&mut app, &h, effects, now).await;
    let account_screen = text(&app, now);
    assert!(account_screen.contains("opens 3 (2 by a mail scanner)"), "{account_screen}");
    assert!(account_screen.contains("link_pre_opened"), "the finding shows: {account_screen}");

    app.update(key(KeyCode::Enter), now);
    assert_eq!(app.screen(), ScreenKind::Timeline);
    let timeline = text(&app, now);
    assert!(timeline.contains("✓ The link works"), "{timeline}");
    let scanner_lines: Vec<&str> = timeline.lines().filter(|l| l.contains("⚙ scanner")).collect();
    let client_lines: Vec<&str> = timeline.lines().filter(|l| l.contains("☺ client")).collect();
    assert_eq!(scanner_lines.len(), 2, "{timeline}");
    assert!(scanner_lines.iter().all(|l| l.contains("Microsoft")), "{timeline}");
    assert_eq!(client_lines.len(), 1, "{timeline}");
    assert!(client_lines[0].contains("opened the link"), "{timeline}");
    assert!(timeline.contains("why: HEAD request"), "the reason shows: {timeline}");
    // Time order: sent, queued, delivered, scanner, scanner, client.
    let at = |needle: &str| timeline.find(needle).unwrap_or_else(|| panic!("{needle} missing: {timeline}"));
    assert!(at("sent to") < at("⚙ scanner") && at("⚙ scanner") < at("☺ client"));
    app.update(key(KeyCode::Esc), now);
    assert_eq!(app.screen(), ScreenKind::Account);
}

#[tokio::test]
async fn x_revokes_with_a_reason_keeps_the_new_etag_and_shows_a_412() {
    let h = Harness::start().await;
    let mut app = on_account(&h, SeedCase::DeliveredNotOpened, t0()).await;
    let account_id = app.stack.account().unwrap().id.clone();
    let ticket = app.stack.account().unwrap().ticket_id.clone();
    let invite_id = app.stack.account().unwrap().selected().unwrap().id.clone();

    app.update(ch('x'), t0());
    assert_eq!(app.screen(), ScreenKind::Revoke);
    // A reason is required; letters are typed, not commands.
    assert!(app.update(key(KeyCode::Enter), t0()).is_empty());
    for c in "sent to an old address".chars() {
        app.update(ch(c), t0());
    }
    // The first Enter shows what a revoke does; the second revokes.
    assert!(app.update(key(KeyCode::Enter), t0()).is_empty());
    let effects = app.update(key(KeyCode::Enter), t0());
    let Some(Effect::Portal(_, Request::Revoke { invite_id: sent_id, etag, request, .. })) = effects.first().cloned()
    else {
        panic!("{effects:?}")
    };
    assert_eq!(sent_id, invite_id);
    assert_eq!(request.ticket_id, ticket);
    assert_eq!(request.reason, "sent to an old address");
    assert_eq!(Some(etag), app.stack.account().unwrap().account.data.as_ref().map(|a| a.etag.clone()));
    common::settle(&mut app, &h, effects, t0()).await;
    assert!(app.overlay.is_none());
    assert!(app.banner.as_ref().is_some_and(|b| !b.error && b.text.contains("revoked")));
    let invites = h.client.invites(&account_id).await.unwrap();
    assert_eq!(invites.iter().find(|i| i.id == invite_id).unwrap().status, InviteStatus::Revoked);
    // The console kept the account's new version: a DOB edit now would
    // carry the current ETag.
    let current = h.client.account(&account_id).await.unwrap().etag;
    assert_eq!(app.stack.account().unwrap().account.data.as_ref().unwrap().etag, current);
    // The timeline says who revoked it and why.
    app.update(key(KeyCode::Enter), t0());
    assert!(text(&app, t0()).contains("for: sent to an old address"));
    app.update(key(KeyCode::Esc), t0());
    // A revoked invite cannot be revoked again.
    app.update(ch('x'), t0());
    assert!(app.overlay.is_none());
    assert!(app.banner.as_ref().is_some_and(|b| b.error && b.text.contains("Only a pending invite")));

    // Someone else changes the account between reading and revoking: 412,
    // shown in the dialog, and the account is read again.
    let mut app = on_account(&h, SeedCase::SupersededLink, t0()).await;
    let pending = app
        .stack
        .account()
        .unwrap()
        .invites
        .data
        .as_ref()
        .unwrap()
        .iter()
        .position(|i| i.status == InviteStatus::Pending);
    app.stack.account_mut().unwrap().selected_invite = pending.expect("a pending invite");
    app.update(ch('x'), t0());
    app.update(Msg::Paste("duplicate".into()), t0());
    app.update(key(KeyCode::Enter), t0());
    let effects = app.update(key(KeyCode::Enter), t0());
    let Some(Effect::Portal(req, Request::Revoke { .. })) = effects.first().cloned() else { panic!("{effects:?}") };
    let reload = app.update(Msg::Answer(req, Answer::Revoke(Err(PortalError::Stale))), t0());
    let Some(Overlay::Revoke(state)) = &app.overlay else { panic!("dialog closed") };
    assert!(state.submission.error.as_deref().is_some_and(|e| e.contains("someone else changed")));
    assert!(reload.iter().any(|e| matches!(e, Effect::Portal(_, Request::Account { .. }))), "{reload:?}");
}

#[tokio::test]
async fn the_profile_lists_every_address_masked_with_the_default_marked() {
    let h = Harness::start().await;
    let mut app = on_account(&h, SeedCase::WrongAddress, t0()).await;
    let account = h.client.account(&app.stack.account().unwrap().id).await.unwrap().value;
    assert!(account.emails.len() >= 2);
    let screen = text(&app, t0());
    for e in &account.emails {
        assert!(screen.contains(&portaldesk::phi::mask_email(e.address.expose())), "{screen}");
        assert!(!screen.contains(e.address.expose().as_str()), "an address shows unmasked");
    }
    assert!(screen.contains("★ default"), "{screen}");
    assert!(screen.contains("wrong_address"), "{screen}");
    app.update(ch('v'), t0());
    let screen = text(&app, t0());
    for e in &account.emails {
        assert!(screen.contains(e.address.expose().as_str()), "revealed: {screen}");
    }
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(ch(c), t0());
    }
}

#[tokio::test]
async fn a_manages_addresses_with_a_reason_a_confirm_and_if_match() {
    let h = Harness::start().await;
    let mut app = on_account(&h, SeedCase::WrongAddress, t0()).await;
    let id = app.stack.account().unwrap().id.clone();
    let before = h.client.account(&id).await.unwrap().value;
    let other = before.other_emails().next().unwrap().expose().clone();

    // Make the other address the default: a reason first, then a confirm.
    app.update(ch('a'), t0());
    assert_eq!(app.screen(), ScreenKind::Addresses);
    app.update(key(KeyCode::Down), t0());
    assert!(app.update(ctrl('d'), t0()).is_empty());
    let Some(Overlay::Addresses(state)) = &app.overlay else { panic!() };
    assert!(state.submission.error.as_deref().is_some_and(|e| e.contains("reason")) && state.staged.is_none());
    typed(&mut app, "client uses her Gmail now");
    app.update(ctrl('d'), t0());
    let effects = app.update(key(KeyCode::Enter), t0());
    let Some(Effect::Portal(_, Request::SaveAccount { etag, patch, .. })) = effects.first().cloned() else {
        panic!("{effects:?}")
    };
    assert_eq!(etag, app.stack.account().unwrap().account.data.as_ref().unwrap().etag);
    assert_eq!(patch.default_email.as_ref().map(|a| a.expose().clone()), Some(other.clone()));
    assert_eq!(patch.reason, "client uses her Gmail now");
    assert!(patch.ticket_id.is_some());
    common::settle(&mut app, &h, effects, t0()).await;
    assert!(app.overlay.is_none());
    assert_eq!(h.client.account(&id).await.unwrap().value.email.expose(), &other);

    // Add an address (typed, then a reason), confirm.
    app.update(ch('a'), t0());
    // The dialog opens on the list: Tab goes to the new address.
    app.update(key(KeyCode::Tab), t0());
    typed(&mut app, "second@example.org");
    app.update(key(KeyCode::Tab), t0());
    typed(&mut app, "client asked");
    app.update(key(KeyCode::Enter), t0());
    let effects = app.update(key(KeyCode::Enter), t0());
    common::settle(&mut app, &h, effects, t0()).await;
    let now_on_file = h.client.account(&id).await.unwrap().value;
    assert!(now_on_file.emails.iter().any(|e| e.address.expose() == "second@example.org"));

    // Someone else changes the account meanwhile: the 412 is shown, the
    // account read again, and the retry goes against the new version.
    app.update(ch('a'), t0());
    app.update(key(KeyCode::Down), t0());
    // List → new address → reason.
    app.update(key(KeyCode::Tab), t0());
    app.update(key(KeyCode::Tab), t0());
    typed(&mut app, "old address");
    app.update(ctrl('x'), t0());
    let behind = portaldesk::portal::model::AccountPatch {
        add_email: Some(portaldesk::phi::Phi::new("third@example.org".into())),
        reason: "another desk".into(),
        ..Default::default()
    };
    let current = h.client.account(&id).await.unwrap();
    h.client.update_account(&id, &current.etag, &behind, &portaldesk::portal::IdempotencyKey::new()).await.unwrap();
    let effects = app.update(key(KeyCode::Enter), t0());
    common::settle(&mut app, &h, effects, t0()).await;
    let Some(Overlay::Addresses(state)) = &app.overlay else { panic!("the dialog closed on a 412") };
    assert!(
        state.submission.error.as_deref().is_some_and(|e| e.contains("someone else changed")),
        "{:?}",
        state.submission.error
    );
    assert!(state.addresses().iter().any(|(a, _)| a == "third@example.org"), "read again");
    // The removal was not applied over their change.
    let after = h.client.account(&id).await.unwrap().value;
    assert_eq!(after.emails.len(), now_on_file.emails.len() + 1);
    // Retry against the new version: select and remove again.
    let victim = state.addresses().iter().position(|(a, _)| a == "third@example.org").unwrap();
    app.update(key(KeyCode::Up), t0());
    app.update(key(KeyCode::Up), t0());
    app.update(key(KeyCode::Up), t0());
    for _ in 0..victim {
        app.update(key(KeyCode::Down), t0());
    }
    app.update(ctrl('x'), t0());
    let effects = app.update(key(KeyCode::Enter), t0());
    common::settle(&mut app, &h, effects, t0()).await;
    assert!(app.overlay.is_none());
    let last = h.client.account(&id).await.unwrap().value;
    assert!(!last.emails.iter().any(|e| e.address.expose() == "third@example.org"));
    // The default cannot be removed, and nothing is sent trying.
    app.update(ch('a'), t0());
    app.update(key(KeyCode::Tab), t0());
    typed(&mut app, "x");
    assert!(app.update(ctrl('x'), t0()).is_empty());
    let Some(Overlay::Addresses(state)) = &app.overlay else { panic!() };
    assert!(state.submission.error.as_deref().is_some_and(|e| e.contains("default cannot be removed")));
}

#[tokio::test]
async fn the_seeded_scanner_and_rewritten_link_tickets_show_their_finding_on_the_account_screen() {
    let h = Harness::start().await;
    for (case, code, words) in [
        (SeedCase::ScannerPreOpened, "link_pre_opened", "A mail security scanner opened the link 3 times"),
        (SeedCase::RewrittenLink, "link_rewritten", "Proofpoint URL Defense"),
    ] {
        let app = on_account(&h, case, t0()).await;
        assert_eq!(app.screen(), ScreenKind::Account);
        let screen = text(&app, t0());
        let first = screen.lines().find(|l| l.contains("│! ")).unwrap_or_default();
        assert!(first.contains(code), "{case:?} first finding: {screen}");
        assert!(screen.contains(words), "{case:?}: {screen}");
        assert!(screen.contains("by a mail scanner)"), "{case:?}: the invite counts the scanner's opens: {screen}");
    }
}
