//! The collision guard of every change (resend, DOB edit, addresses,
//! revoke, fix): another agent (a second client with another staff token)
//! changes the account between the dialog opening and its confirm; the
//! confirm shows what changed and who inside the dialog and sends nothing;
//! the next confirm sends, once. Against the real sandbox.

use crate::common;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use common::{Harness, ch, key, t0, two_agents};
use crossterm::event::KeyCode;
use futures::StreamExt;
use portaldesk::phi::Phi;
use portaldesk::portal::events::{FollowOptions, Live};
use portaldesk::portal::model::{AccountId, AccountPatch, AuditAction, EventType, InviteStatus, ResendRequest};
use portaldesk::portal::{IdempotencyKey, PortalClient, PortalError};
use portaldesk::sandbox::seed::SeedCase;
use portaldesk::tui::action::{Effect, Msg, Request};
use portaldesk::tui::app::App;
use portaldesk::tui::live::Guard;

/// A live console on the account of `case`'s ticket, everything read.
async fn console_on(h: &Harness, case: SeedCase) -> (App, AccountId) {
    console_as(h, &h.client, case).await
}

/// [`console_on`] as the staff member of `client`.
async fn console_as(h: &Harness, client: &PortalClient, case: SeedCase) -> (App, AccountId) {
    let (mut app, effects) = App::new(true, (160, 48));
    common::settle_as(&mut app, client, effects, t0()).await;
    let effects = app.update(Msg::Live(Live::Connected), t0());
    common::settle_as(&mut app, client, effects, t0()).await;
    let seeded = h.ticket(case).clone();
    let effects = app.open_ticket(seeded.account_id.clone(), seeded.ticket_id.clone());
    common::settle_as(&mut app, client, effects, t0()).await;
    (app, seeded.account_id)
}

/// A console with the fix dialog open on the expired invite's ticket.
async fn fix_open(h: &Harness) -> (App, AccountId) {
    let (mut app, id) = console_on(h, SeedCase::ExpiredClientInvite).await;
    let effects = app.update(ch('f'), t0());
    common::settle(&mut app, h, effects, t0()).await;
    assert_eq!(app.screen(), portaldesk::tui::keymap::ScreenKind::Fix, "{:?}", app.banner);
    (app, id)
}

/// Agent Rivera adds an address to the account (at its current version).
async fn adds_address(h: &Harness, rivera: &PortalClient, id: &AccountId, address: &str) {
    let theirs = h.client.account(id).await.unwrap();
    let patch = AccountPatch {
        add_email: Some(Phi::new(address.to_owned())),
        reason: "another desk".into(),
        ..AccountPatch::default()
    };
    rivera.update_account(id, &theirs.etag, &patch, &IdempotencyKey::new()).await.unwrap();
}

fn screen_at(app: &App, now: DateTime<Utc>) -> String {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 48)).unwrap();
    terminal.draw(|frame| portaldesk::tui::app::render(app, frame, now)).unwrap();
    terminal.backend().to_string()
}

fn typed(app: &mut App, text: &str, now: DateTime<Utc>) {
    for c in text.chars() {
        app.update(ch(c), now);
    }
}

fn sent(effects: &[Effect]) -> bool {
    effects.iter().any(|e| {
        matches!(
            e,
            Effect::Portal(
                _,
                Request::Resend { .. } | Request::SaveAccount { .. } | Request::Revoke { .. } | Request::Fix { .. }
            )
        )
    })
}

/// Enter once: the guard reads again, shows `what` (inside the dialog, with
/// who) and sends nothing; returns the screen.
async fn held_back(app: &mut App, h: &Harness, now: DateTime<Utc>, what: &str) -> String {
    let effects = app.update(key(KeyCode::Enter), now);
    let ran = common::settle(app, h, effects, now).await;
    assert!(!sent(&ran), "sent on top of another agent's change: {ran:?}");
    assert!(matches!(&app.live.guard, Guard::Shown(text) if text.contains(what)), "{:?}", app.live.guard);
    let shown = screen_at(app, now);
    assert!(shown.contains("Changed since you read it"), "{shown}");
    assert!(shown.contains(what), "{shown}");
    shown
}

/// Enter again: it goes out, knowingly.
async fn sent_knowingly(app: &mut App, h: &Harness, now: DateTime<Utc>) {
    let effects = app.update(key(KeyCode::Enter), now);
    assert!(sent(&effects), "{effects:?}");
    common::settle(app, h, effects, now).await;
    assert!(app.overlay.is_none(), "done: {:?}", app.banner);
}

/// The resend guard, on the live path: agent_rivera resends, her event
/// reaches the console at the same instant, and the console's confirm
/// reads again and says who resent.
#[tokio::test]
async fn a_resend_on_top_of_another_agents_shows_who_and_sends_once_confirmed_again() {
    let (h, rivera) = two_agents().await;
    let (mut app, id) = console_on(&h, SeedCase::ExpiredClientInvite).await;
    let before = h.client.invites(&id).await.unwrap().len();
    let stream = h.client.follow(None, &[EventType::InviteSent], FollowOptions::default());
    futures::pin_mut!(stream);
    assert_eq!(stream.next().await, Some(Live::Connected));

    app.update(ch('r'), t0());
    rivera.resend(&id, &ResendRequest::default(), &IdempotencyKey::new()).await.unwrap();
    let Some(Live::Event(event)) = stream.next().await else { panic!("no event") };
    assert_eq!(event.actor.as_deref(), Some("agent_rivera"));
    app.update(Msg::Live(Live::Event(event)), t0());
    let shown = held_back(&mut app, &h, t0() + Duration::seconds(40), "agent_rivera resent the invite 40s ago").await;
    assert!(shown.contains("Enter again sends it anyway"), "{shown}");
    assert_eq!(h.client.invites(&id).await.unwrap().len(), before + 1, "only hers");

    sent_knowingly(&mut app, &h, t0() + Duration::seconds(41)).await;
    assert_eq!(h.client.invites(&id).await.unwrap().len(), before + 2, "one more, once");
}

/// The guard's banner belongs to its dialog (issue 27: it stayed up for a
/// minute, through the reply editor and `R`): Esc takes both away, and the
/// dialog opened again starts unwarned.
#[tokio::test]
async fn the_guards_banner_goes_with_its_dialog() {
    let (h, rivera) = two_agents().await;
    let (mut app, id) = console_on(&h, SeedCase::ExpiredClientInvite).await;
    app.update(ch('r'), t0());
    rivera.resend(&id, &ResendRequest::default(), &IdempotencyKey::new()).await.unwrap();
    held_back(&mut app, &h, t0() + Duration::seconds(40), "agent_rivera resent the invite").await;
    assert!(app.banner.as_ref().is_some_and(|b| b.text.contains("Enter again sends anyway")));
    app.update(key(KeyCode::Esc), t0() + Duration::seconds(41));
    assert!(app.overlay.is_none());
    assert!(app.banner.is_none(), "{:?}", app.banner);
    assert_eq!(app.live.guard, Guard::Idle);
    assert!(!screen_at(&app, t0() + Duration::seconds(42)).contains("Enter again sends anyway"));
}

#[tokio::test]
async fn a_dob_edit_on_top_of_another_agents_shows_who_and_saves_once_confirmed_again() {
    let (h, rivera) = two_agents().await;
    let (mut app, id) = console_on(&h, SeedCase::DobOnFileWrong).await;
    app.update(ch('e'), t0());
    typed(&mut app, "04/05/1990", t0());
    app.update(key(KeyCode::Tab), t0());
    typed(&mut app, "client read it from her ID", t0());
    app.update(key(KeyCode::Enter), t0());
    // Agent Rivera corrects the DOB meanwhile.
    let theirs = h.client.account(&id).await.unwrap();
    let patch = AccountPatch {
        dob: Some(Phi::new(NaiveDate::from_ymd_opt(1991, 6, 7).unwrap())),
        reason: "from the intake form".into(),
        ..AccountPatch::default()
    };
    rivera.update_account(&id, &theirs.etag, &patch, &IdempotencyKey::new()).await.unwrap();

    let later = t0() + Duration::minutes(2);
    held_back(&mut app, &h, later, "agent_rivera changed the DOB on file 2m ago").await;
    let on_file = *h.client.account(&id).await.unwrap().value.dob.expose();
    assert_eq!(on_file, NaiveDate::from_ymd_opt(1991, 6, 7).unwrap(), "hers stands: nothing overwritten");

    sent_knowingly(&mut app, &h, later).await;
    let on_file = *h.client.account(&id).await.unwrap().value.dob.expose();
    assert_eq!(on_file, NaiveDate::from_ymd_opt(1990, 4, 5).unwrap());
    let audit = h.client.audit(Some(&id), None).await.unwrap();
    let ours = audit.iter().filter(|e| e.actor == "agent_sandbox" && e.action == AuditAction::AccountUpdated);
    assert_eq!(ours.count(), 1, "saved once");
}

#[tokio::test]
async fn an_address_change_on_top_of_another_agents_shows_who_and_saves_once_confirmed_again() {
    let (h, rivera) = two_agents().await;
    let (mut app, id) = console_on(&h, SeedCase::WrongAddress).await;
    app.update(ch('a'), t0());
    app.update(key(KeyCode::Tab), t0());
    typed(&mut app, "second@example.org", t0());
    app.update(key(KeyCode::Tab), t0());
    typed(&mut app, "client asked", t0());
    app.update(key(KeyCode::Enter), t0());
    adds_address(&h, &rivera, &id, "work@example.org").await;

    let later = t0() + Duration::seconds(30);
    let shown = held_back(&mut app, &h, later, "agent_rivera changed the email addresses 30s ago").await;
    assert!(shown.contains("Add "), "the question stays: {shown}");
    let emails = |a: &portaldesk::portal::model::Account| a.emails.len();
    let count = emails(&h.client.account(&id).await.unwrap().value);

    sent_knowingly(&mut app, &h, later).await;
    let now_on_file = h.client.account(&id).await.unwrap().value;
    assert_eq!(emails(&now_on_file), count + 1, "added once, against her version (no 412)");
    assert!(now_on_file.emails.iter().any(|e| e.address.expose() == "second@example.org"));
}

#[tokio::test]
async fn a_revoke_on_top_of_another_agents_change_shows_who_and_revokes_once_confirmed_again() {
    let (h, rivera) = two_agents().await;
    let (mut app, id) = console_on(&h, SeedCase::DeliveredNotOpened).await;
    let invite_id = app.stack.account().unwrap().selected().unwrap().id.clone();
    app.update(ch('x'), t0());
    typed(&mut app, "sent to an old address", t0());
    app.update(key(KeyCode::Enter), t0());
    // Agent Rivera revokes... no: she changes the account (a note on the
    // ticket would do too); the revoke must not go out unseen.
    adds_address(&h, &rivera, &id, "home@example.org").await;

    let later = t0() + Duration::seconds(5);
    held_back(&mut app, &h, later, "agent_rivera changed the email addresses 5s ago").await;
    let status = |invites: Vec<portaldesk::portal::model::Invite>| {
        invites.into_iter().find(|i| i.id == invite_id).map(|i| i.status)
    };
    assert_eq!(status(h.client.invites(&id).await.unwrap()), Some(InviteStatus::Pending));

    sent_knowingly(&mut app, &h, later).await;
    assert_eq!(status(h.client.invites(&id).await.unwrap()), Some(InviteStatus::Revoked));
    let audit = h.client.audit(Some(&id), None).await.unwrap();
    assert_eq!(audit.iter().filter(|e| e.action == AuditAction::InviteRevoked).count(), 1);
}

#[tokio::test]
async fn a_fix_on_top_of_another_agents_resend_shows_who_and_runs_once_confirmed_again() {
    let (h, rivera) = two_agents().await;
    let (mut app, id) = fix_open(&h).await;
    rivera.resend(&id, &ResendRequest::default(), &IdempotencyKey::new()).await.unwrap();
    let before = h.client.invites(&id).await.unwrap().len();

    let later = t0() + Duration::seconds(3);
    held_back(&mut app, &h, later, "agent_rivera resent the invite just now").await;
    assert_eq!(h.client.invites(&id).await.unwrap().len(), before, "no step ran");

    sent_knowingly(&mut app, &h, later).await;
    let audit = h.client.audit(Some(&id), None).await.unwrap();
    let ours = audit.iter().filter(|e| e.actor == "agent_sandbox" && e.action == AuditAction::InviteSent).count();
    assert_eq!(ours, 1, "the plan's resend ran once");
}

/// Two agents confirm one resend at the same moment, both having read the
/// same invites: the portal makes one invite (the second is conditional on
/// the newest invite read, `newest_seen`), and the second console shows who
/// resent, in its dialog.
#[tokio::test]
async fn two_agents_confirming_one_resend_at_once_make_one_invite_and_the_second_is_told_who() {
    let (h, rivera) = two_agents().await;
    let (mut a, id) = console_on(&h, SeedCase::ExpiredClientInvite).await;
    let (mut b, _) = console_as(&h, &rivera, SeedCase::ExpiredClientInvite).await;
    let before = h.client.invites(&id).await.unwrap().len();
    a.update(ch('r'), t0());
    b.update(ch('r'), t0());
    // Both guards pass (nothing changed yet); both resends go out.
    let from_a = a.update(key(KeyCode::Enter), t0());
    let from_b = b.update(key(KeyCode::Enter), t0());
    assert!(sent(&from_a) && sent(&from_b), "{from_a:?} {from_b:?}");
    common::settle(&mut a, &h, from_a, t0()).await;
    common::settle_as(&mut b, &rivera, from_b, t0()).await;
    assert_eq!(h.client.invites(&id).await.unwrap().len(), before + 1, "exactly one new invite");
    assert!(matches!(&b.live.guard, Guard::Shown(text) if text.contains("agent_sandbox resent the invite")));
    let shown = screen_at(&b, t0());
    assert!(shown.contains("Changed since you read it") && shown.contains("Resend the portal invite?"), "{shown}");
}

/// The contract: a resend carrying `newest_seen` that is no longer the
/// newest invite is refused with 412, and nothing is sent.
#[tokio::test]
async fn a_resend_whose_newest_seen_is_not_the_newest_is_412_and_sends_nothing() {
    let (h, rivera) = two_agents().await;
    let id = h.ticket(SeedCase::ExpiredClientInvite).account_id.clone();
    let newest = h.client.invites(&id).await.unwrap()[0].id.clone();
    let mine = ResendRequest { newest_seen: Some(newest.clone()), ..ResendRequest::default() };
    rivera.resend(&id, &ResendRequest::default(), &IdempotencyKey::new()).await.unwrap();
    let count = h.client.invites(&id).await.unwrap().len();
    let refused = h.client.resend(&id, &mine, &IdempotencyKey::new()).await.unwrap_err();
    assert_eq!(refused, PortalError::Stale);
    assert_eq!(h.client.invites(&id).await.unwrap().len(), count);
    // Against the newest, it goes.
    let newest = h.client.invites(&id).await.unwrap()[0].id.clone();
    let mine = ResendRequest { newest_seen: Some(newest), ..ResendRequest::default() };
    h.client.resend(&id, &mine, &IdempotencyKey::new()).await.unwrap();
    assert_eq!(h.client.invites(&id).await.unwrap().len(), count + 1);
    // Her audit entry is hers.
    let audit = h.client.audit(Some(&id), None).await.unwrap();
    assert!(audit.iter().any(|e| e.actor == "agent_rivera" && e.action == AuditAction::InviteSent));
    assert_eq!(rivera.me().await.unwrap().id, "agent_rivera");
}

/// The guard between the fix's steps: agent_rivera changes the account
/// after the confirm but before the first step goes out: the run stops
/// there with nothing done, the dialog shows what changed and who, and
/// Enter then does the steps knowingly.
#[tokio::test]
async fn a_change_between_the_fix_confirm_and_its_steps_holds_the_steps_back_until_confirmed_again() {
    let (h, rivera) = two_agents().await;
    let (mut app, id) = fix_open(&h).await;
    let run = app.update(key(KeyCode::Enter), t0());
    assert!(sent(&run), "just read: the guard lets it go: {run:?}");
    adds_address(&h, &rivera, &id, "home@example.org").await;
    let before = h.client.invites(&id).await.unwrap().len();

    common::settle(&mut app, &h, run, t0()).await;
    assert_eq!(h.client.invites(&id).await.unwrap().len(), before, "no step ran");
    assert!(
        matches!(&app.live.guard, Guard::Shown(text) if text.contains("agent_rivera changed the email addresses")),
        "{:?}",
        app.live.guard
    );
    let shown = screen_at(&app, t0());
    assert!(shown.contains("Held back before step 1") && shown.contains("Changed since you read it"), "{shown}");

    sent_knowingly(&mut app, &h, t0()).await;
    let audit = h.client.audit(Some(&id), None).await.unwrap();
    let ours = audit.iter().filter(|e| e.actor == "agent_sandbox" && e.action == AuditAction::InviteSent).count();
    assert_eq!(ours, 1, "the plan's resend ran once");
}

/// The resend window counts this console's own resends too (issue 25,
/// point 4): a resend whose answer is lost (the sandbox's fault injection
/// makes the invite, then drops the answer) ends as sent once the invites
/// are read back; `r` Enter 12 s later sends nothing and says "you resent
/// the invite 12s ago"; only a second Enter sends, knowingly.
#[tokio::test]
async fn a_second_resend_of_ones_own_within_the_window_after_a_lost_answer_needs_a_second_enter() {
    let faults = portaldesk::sandbox::faults::Faults::parse("lost_answer_rate=1").unwrap();
    let h = Harness::with_faults(faults).await;
    let (mut app, id) = console_on(&h, SeedCase::ExpiredClientInvite).await;
    let before = h.client.invites(&id).await.unwrap().len();

    app.update(ch('r'), t0());
    let first = app.update(key(KeyCode::Enter), t0());
    assert!(sent(&first), "the newest invite is old: the first resend goes at once: {first:?}");
    let ran = common::settle(&mut app, &h, first, t0()).await;
    let lost = ran.iter().any(|e| matches!(e, Effect::Portal(_, Request::Invites { .. })));
    assert!(lost, "the answer was lost: the invites were read back: {ran:?}");
    assert!(app.overlay.is_none(), "{:?}", app.banner);
    let banner = app.banner.clone().unwrap();
    assert!(!banner.error && banner.text.contains("its answer was lost, the portal shows it"), "{banner:?}");
    assert_eq!(h.client.invites(&id).await.unwrap().len(), before + 1);

    let later = t0() + Duration::seconds(12);
    app.update(ch('r'), later);
    let shown = held_back(&mut app, &h, later, "you resent the invite 12s ago").await;
    assert!(shown.contains("another now stops that link working"), "{shown}");
    assert_eq!(h.client.invites(&id).await.unwrap().len(), before + 1, "one Enter sent nothing");

    let effects = app.update(key(KeyCode::Enter), later);
    assert!(sent(&effects), "the second Enter sends: {effects:?}");
    common::settle(&mut app, &h, effects, later).await;
    assert_eq!(h.client.invites(&id).await.unwrap().len(), before + 2, "sent knowingly, once");
}

/// A colleague's resend within the window is named as hers, not "you".
#[tokio::test]
async fn a_resend_within_the_window_of_a_colleagues_names_her() {
    let (h, rivera) = two_agents().await;
    let id = h.ticket(SeedCase::ExpiredClientInvite).account_id.clone();
    rivera.resend(&id, &ResendRequest::default(), &IdempotencyKey::new()).await.unwrap();
    // Opened after her resend: nothing changed since it was read, but the
    // window still holds the resend back.
    let (mut app, _) = console_on(&h, SeedCase::ExpiredClientInvite).await;
    let later = t0() + Duration::seconds(90);
    app.update(ch('r'), later);
    let shown = held_back(&mut app, &h, later, "agent_rivera resent the invite 1m ago").await;
    assert!(!shown.contains("you resent"), "{shown}");
}

/// Issue 27: a changing dialog says at once, as it opens, who changed the
/// account lately (within `resend_guard_minutes`), in the dialog, before
/// any Enter; the Enter-again confirmation works as before (the first
/// Enter holds the resend back, the second sends, once).
#[tokio::test]
async fn a_resend_dialog_says_who_resent_lately_as_it_opens_and_enter_again_still_sends_once() {
    let (h, rivera) = two_agents().await;
    let id = h.ticket(SeedCase::ExpiredClientInvite).account_id.clone();
    rivera.resend(&id, &ResendRequest::default(), &IdempotencyKey::new()).await.unwrap();
    let (mut app, _) = console_on(&h, SeedCase::ExpiredClientInvite).await;
    let before = h.client.invites(&id).await.unwrap().len();
    let later = t0() + Duration::minutes(4);

    let effects = app.update(ch('r'), later);
    assert!(!sent(&effects), "opening sends nothing: {effects:?}");
    assert_eq!(app.live.lately.as_deref(), Some("agent_rivera resent the invite 4m ago."));
    assert_eq!(app.live.guard, Guard::Idle, "not confirmed yet: the guard has not acted");
    let shown = screen_at(&app, later);
    assert!(shown.contains("Resend the portal invite?"), "{shown}");
    assert!(shown.contains("⚠ Lately: agent_rivera resent the invite 4m ago."), "in the dialog, at once: {shown}");

    held_back(&mut app, &h, later, "agent_rivera resent the invite 4m ago").await;
    assert!(!screen_at(&app, later).contains("⚠ Lately:"), "the guard's words take its place");
    sent_knowingly(&mut app, &h, later).await;
    assert_eq!(h.client.invites(&id).await.unwrap().len(), before + 1, "sent once");
    assert_eq!(app.live.lately, None, "it goes with the dialog");
}

/// The same for a DOB edit and a note: what others did lately is said as
/// they open (their own changes are not; nor changes older than the
/// window), and the form still works as before.
#[tokio::test]
async fn dob_and_note_dialogs_say_what_others_did_lately_but_not_ones_own_nor_older() {
    let (h, rivera) = two_agents().await;
    let id = h.ticket(SeedCase::DobOnFileWrong).account_id.clone();
    let theirs = h.client.account(&id).await.unwrap();
    let patch = AccountPatch {
        dob: Some(Phi::new(NaiveDate::from_ymd_opt(1991, 6, 7).unwrap())),
        reason: "from the intake form".into(),
        ..AccountPatch::default()
    };
    rivera.update_account(&id, &theirs.etag, &patch, &IdempotencyKey::new()).await.unwrap();
    let (mut app, _) = console_on(&h, SeedCase::DobOnFileWrong).await;

    let later = t0() + Duration::minutes(2);
    app.update(ch('e'), later);
    assert_eq!(app.live.lately.as_deref(), Some("agent_rivera changed the DOB on file 2m ago."));
    let shown = screen_at(&app, later);
    assert!(shown.contains("⚠ Lately: agent_rivera changed the DOB on file 2m ago."), "{shown}");
    assert!(!shown.contains("1991"), "never the value: {shown}");
    app.update(key(KeyCode::Esc), later);
    assert_eq!(app.live.lately, None);

    // A note on the ticket: the same words.
    app.update(ch('m'), later);
    assert_eq!(app.screen(), portaldesk::tui::keymap::ScreenKind::Note);
    assert!(screen_at(&app, later).contains("⚠ Lately: agent_rivera changed the DOB on file 2m ago."));
    app.update(key(KeyCode::Esc), later);

    // Past the window (5 minutes by default): nothing to say.
    let past = t0() + Duration::minutes(6);
    app.update(ch('e'), past);
    assert_eq!(app.live.lately, None);
    assert!(!screen_at(&app, past).contains("⚠ Lately:"));
}

/// This staff member's own change is not someone else's.
#[tokio::test]
async fn ones_own_change_is_not_said_as_a_dialog_opens() {
    let (h, _rivera) = two_agents().await;
    let id = h.ticket(SeedCase::ExpiredClientInvite).account_id.clone();
    h.client.resend(&id, &ResendRequest::default(), &IdempotencyKey::new()).await.unwrap();
    let (mut app, _) = console_on(&h, SeedCase::ExpiredClientInvite).await;
    app.update(ch('r'), t0() + Duration::minutes(1));
    assert_eq!(app.screen(), portaldesk::tui::keymap::ScreenKind::Resend);
    assert_eq!(app.live.lately, None, "{:?}", app.live.lately);
}
