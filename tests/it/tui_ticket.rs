//! The ticket pane, claim and solve: the console's state machine against
//! the real sandbox (no terminal).

use crate::common;

use common::{Harness, ch, key, t0};
use common::{press_at_t0 as press, screen_wide as screen, started_wide as started};
use crossterm::event::KeyCode;
use portaldesk::portal::IdempotencyKey;
use portaldesk::portal::model::{AuditAction, Ticket, TicketPatch, TicketStatus};
use portaldesk::tui::action::{Effect, Msg, Request};
use portaldesk::tui::app::{App, View};
use portaldesk::tui::keymap::ScreenKind;

/// Puts the queue's cursor on the first ticket `pick` chooses.
fn select(app: &mut App, pick: impl Fn(&Ticket) -> bool) -> Ticket {
    let tickets = app.stack.queue.tickets.data.clone().unwrap();
    let index = tickets.iter().position(pick).expect("a seeded ticket to pick");
    app.stack.queue.selected = index;
    tickets[index].clone()
}

#[tokio::test]
async fn with_claim_on_open_opening_an_unclaimed_ticket_claims_it_and_masks_the_conversation() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    // The old behaviour, kept behind `claim_on_open = true`.
    app.claim_on_open = true;
    let ticket = select(&mut app, |t| t.assignee.is_none());
    let me = h.client.me().await.unwrap().id;

    let ran = press(&mut app, &h, key(KeyCode::Enter)).await;
    assert_eq!(app.view(), View::Account);
    assert_eq!(app.screen(), ScreenKind::Ticket);
    let claims = ran.iter().filter(|e| matches!(e, Effect::Portal(_, Request::UpdateTicket { .. }))).count();
    assert_eq!(claims, 1, "claimed once on opening");
    let pane = app.stack.ticket().unwrap();
    assert_eq!(pane.ticket().unwrap().assignee.as_deref(), Some(me.as_str()));
    let on_portal = h.client.ticket(&ticket.id).await.unwrap().value;
    assert_eq!(on_portal.assignee.as_deref(), Some(me.as_str()), "the portal has the claim");
    let messages = pane.messages.data.clone().unwrap();
    assert!(!messages.is_empty(), "every seeded ticket has a conversation");
    let queued = app.stack.queue.tickets.data.as_ref().unwrap().iter().find(|t| t.id == ticket.id).unwrap().clone();
    assert_eq!(queued.assignee.as_deref(), Some(me.as_str()), "the queue was read again after the claim");

    // Masked: no body, no name shows until `v`.
    let first = messages[0].body.expose().lines().find(|l| l.trim().len() > 8).unwrap().trim().to_owned();
    let shown = screen(&app);
    assert!(shown.contains(ticket.id.as_str()) && shown.contains("yours"), "{shown}");
    assert!(!shown.contains(&first), "a body shows before reveal");
    assert!(shown.contains("characters (v reveals)"));
    press(&mut app, &h, ch('v')).await;
    let revealed = screen(&app);
    let start: String = first.chars().take(20).collect();
    assert!(revealed.contains(&start), "the body shows once revealed:\n{revealed}");

    // Reopening after release does not claim twice on the same opening.
    let ran = press(&mut app, &h, ch('C')).await;
    assert!(ran.iter().any(|e| matches!(e, Effect::Portal(_, Request::UpdateTicket { .. }))));
    assert!(app.stack.ticket().unwrap().unclaimed(), "released");
    assert!(!app.banner.as_ref().unwrap().error);
}

#[tokio::test]
async fn claim_on_open_off_leaves_the_ticket_unclaimed() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    app.claim_on_open = false;
    let ticket = select(&mut app, |t| t.assignee.is_none());
    let ran = press(&mut app, &h, key(KeyCode::Enter)).await;
    assert!(!ran.iter().any(|e| matches!(e, Effect::Portal(_, Request::UpdateTicket { .. }))));
    assert!(h.client.ticket(&ticket.id).await.unwrap().value.assignee.is_none());
    assert!(screen(&app).contains("unclaimed"));
    // The first change made on it claims it: an internal note.
    for msg in [ch('m'), Msg::Paste("called back".into()), key(KeyCode::Enter)] {
        press(&mut app, &h, msg).await;
    }
    assert!(app.overlay.is_none(), "{:?}", app.banner);
    let me = h.client.me().await.unwrap().id;
    assert_eq!(h.client.ticket(&ticket.id).await.unwrap().value.assignee.as_deref(), Some(me.as_str()));
}

/// By default reading tickets claims none: opening two and going back
/// leaves "mine" as it was.
#[tokio::test]
async fn reading_tickets_claims_none_by_default() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    assert!(!app.claim_on_open, "off by default");
    let me = h.client.me().await.unwrap().id;
    let mine =
        |tickets: Vec<Ticket>| tickets.into_iter().filter(|t| t.assignee.as_deref() == Some(me.as_str())).count();
    let before = mine(h.client.tickets(None).await.unwrap());
    for _ in 0..2 {
        select(&mut app, |t| t.assignee.is_none());
        let ran = press(&mut app, &h, key(KeyCode::Enter)).await;
        assert!(!ran.iter().any(|e| matches!(e, Effect::Portal(_, Request::UpdateTicket { .. }))));
        press(&mut app, &h, key(KeyCode::Esc)).await;
    }
    assert_eq!(mine(h.client.tickets(None).await.unwrap()), before);
}

#[tokio::test]
async fn a_ticket_claimed_by_someone_else_shows_who_and_asks_before_any_change() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    let ticket = select(&mut app, |t| t.assignee.as_deref() == Some("agent_rivera"));
    let ran = press(&mut app, &h, key(KeyCode::Enter)).await;
    assert!(!ran.iter().any(|e| matches!(e, Effect::Portal(_, Request::UpdateTicket { .. }))), "never claimed away");
    assert!(screen(&app).contains("claimed by agent_rivera"));

    // `S` asks first; Esc leaves it as it is (and stays on the account).
    let effects = app.update(ch('S'), t0());
    assert!(effects.is_empty());
    assert!(screen(&app).contains("Claimed by agent_rivera: solve anyway?"));
    press(&mut app, &h, key(KeyCode::Esc)).await;
    assert_eq!(app.view(), View::Account);
    assert_eq!(h.client.ticket(&ticket.id).await.unwrap().value.status, TicketStatus::Open);

    // `S` then Enter solves it.
    app.update(ch('S'), t0());
    press(&mut app, &h, key(KeyCode::Enter)).await;
    assert_eq!(h.client.ticket(&ticket.id).await.unwrap().value.status, TicketStatus::Solved);
    assert_eq!(app.banner.as_ref().unwrap().text, "Solved");
    assert_eq!(app.stack.ticket().unwrap().ticket().unwrap().status, TicketStatus::Solved);
}

/// `n` on the queue opens the next unclaimed ticket on the same ticket
/// screen as Enter: its conversation and its keys (issue 27: a cut-down
/// "Account · ticket" screen without `c` `S` `w` `f`).
#[tokio::test]
async fn n_opens_the_same_ticket_screen_as_enter() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    press(&mut app, &h, ch('n')).await;
    assert_eq!(app.screen(), portaldesk::tui::keymap::ScreenKind::Ticket, "{}", screen(&app));
    let pane = app.stack.ticket().expect("the ticket pane");
    assert!(pane.ticket().is_some_and(|t| t.assignee.is_none()), "an unclaimed ticket");
    let shown = screen(&app);
    for hint in ["reply", "fix", "claim"] {
        assert!(shown.contains(hint), "{hint}: {shown}");
    }
}

/// `S` on one's own (or an unclaimed) ticket asks first too: solving takes
/// it off the queue (issue 27: it solved on one key).
#[tokio::test]
async fn solve_asks_first_on_any_ticket() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    let ticket = select(&mut app, |t| t.assignee.is_none());
    press(&mut app, &h, key(KeyCode::Enter)).await;
    assert!(app.update(ch('S'), t0()).is_empty(), "nothing sent on one key");
    assert!(screen(&app).contains("Solve? Enter does it, Esc leaves it"), "{}", screen(&app));
    press(&mut app, &h, key(KeyCode::Esc)).await;
    assert_eq!(app.banner.as_ref().unwrap().text, "Left as it is: not solve");
    assert_eq!(h.client.ticket(&ticket.id).await.unwrap().value.status, TicketStatus::Open);
    app.update(ch('S'), t0());
    press(&mut app, &h, key(KeyCode::Enter)).await;
    assert_eq!(h.client.ticket(&ticket.id).await.unwrap().value.status, TicketStatus::Solved);
    assert_eq!(app.banner.as_ref().unwrap().text, "Solved");
}

/// Every changing dialog on someone else's ticket names them and asks;
/// the confirm that goes anyway takes the ticket over.
#[tokio::test]
async fn a_change_on_someone_elses_ticket_names_them_and_takes_it_over_only_knowingly() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    let ticket = select(&mut app, |t| t.assignee.as_deref() == Some("agent_rivera"));
    press(&mut app, &h, key(KeyCode::Enter)).await;
    let invites = h.client.invites(&ticket.account_id).await.unwrap().len();

    // `r` Enter: held back, the owner named; nothing sent.
    press(&mut app, &h, ch('r')).await;
    assert_eq!(app.screen(), ScreenKind::Resend);
    press(&mut app, &h, key(KeyCode::Enter)).await;
    let banner = app.banner.clone().unwrap();
    assert!(banner.error && banner.text.contains("agent_rivera's ticket"), "{banner:?}");
    assert_eq!(h.client.invites(&ticket.account_id).await.unwrap().len(), invites, "nothing sent");
    // Esc: nothing done, still hers.
    press(&mut app, &h, key(KeyCode::Esc)).await;
    assert_eq!(h.client.ticket(&ticket.id).await.unwrap().value.assignee.as_deref(), Some("agent_rivera"));

    // `f`: the fix dialog asks first; Esc leaves it.
    press(&mut app, &h, ch('f')).await;
    assert_eq!(app.screen(), ScreenKind::Fix);
    assert!(screen(&app).contains("agent_rivera's ticket: take it over"), "{}", screen(&app));
    press(&mut app, &h, key(KeyCode::Esc)).await;
    assert!(h.client.sandbox_reply_outbox(Some(&ticket.id)).await.unwrap().is_empty());

    // `r` Enter Enter: sent knowingly, and the ticket is taken over.
    press(&mut app, &h, ch('r')).await;
    press(&mut app, &h, key(KeyCode::Enter)).await;
    press(&mut app, &h, key(KeyCode::Enter)).await;
    if app.screen() == ScreenKind::Resend {
        // A risky resend asks once more on its highlighted line.
        press(&mut app, &h, key(KeyCode::Enter)).await;
    }
    assert_eq!(h.client.invites(&ticket.account_id).await.unwrap().len(), invites + 1, "{:?}", app.banner);
    let me = h.client.me().await.unwrap().id;
    assert_eq!(h.client.ticket(&ticket.id).await.unwrap().value.assignee.as_deref(), Some(me.as_str()));
}

#[tokio::test]
async fn a_412_on_claim_says_someone_else_just_claimed_it() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    app.claim_on_open = false;
    let ticket = select(&mut app, |t| t.assignee.is_none());
    press(&mut app, &h, key(KeyCode::Enter)).await;

    // Another agent claims it after the console read it.
    let current = h.client.ticket(&ticket.id).await.unwrap();
    let patch = TicketPatch { assignee: Some(Some("agent_chen".into())), ..TicketPatch::default() };
    h.client.update_ticket(&ticket.id, &current.etag, &patch, &IdempotencyKey::new()).await.unwrap();

    press(&mut app, &h, ch('c')).await;
    let banner = app.banner.clone().unwrap();
    assert!(banner.error && banner.text.starts_with("Someone else just claimed this ticket"), "{banner:?}");
    // Read again: the pane now shows who has it.
    assert!(screen(&app).contains("claimed by agent_chen"));
    assert_eq!(h.client.ticket(&ticket.id).await.unwrap().value.assignee.as_deref(), Some("agent_chen"));
}

#[tokio::test]
async fn shift_j_scrolls_the_conversation_and_the_palette_offers_claim_and_solve() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    select(&mut app, |t| t.assignee.is_none());
    press(&mut app, &h, key(KeyCode::Enter)).await;
    press(&mut app, &h, ch('J')).await;
    assert_eq!(app.stack.ticket().unwrap().scroll, 5);
    press(&mut app, &h, ch('K')).await;
    press(&mut app, &h, ch('K')).await;
    assert_eq!(app.stack.ticket().unwrap().scroll, 0);
    let names: Vec<String> = portaldesk::tui::screens::palette::commands(&app.keymap, app.screen(), "")
        .into_iter()
        .map(|c| c.name)
        .collect();
    for wanted in ["claim", "release", "pending", "solve", "resend"] {
        assert!(names.iter().any(|n| n == wanted), "{wanted} missing from {names:?}");
    }
}

/// Staff names are no PHI (issue 27): an agent's reply shows its author in
/// full before any reveal, while the person asking stays masked; on a
/// staff account that person is labelled a staff member, not a client.
#[tokio::test]
async fn agents_are_named_in_full_and_the_person_asking_is_labelled_by_role() {
    use portaldesk::portal::model::{NewReply, Role};
    let h = Harness::start().await;
    let staff_ticket = h.ticket(portaldesk::sandbox::seed::SeedCase::ExpiredStaffInvite).clone();
    let reply = NewReply { body: "We are looking into it.".into(), status: None, repeat: false };
    h.client.reply(&staff_ticket.ticket_id, &reply, &IdempotencyKey::new()).await.unwrap();
    let me = h.client.me().await.unwrap();
    let mut app = started(&h).await;
    let ticket = select(&mut app, |t| t.id == staff_ticket.ticket_id);
    assert_eq!(ticket.account.as_ref().map(|a| a.role), Some(Role::Staff));
    press(&mut app, &h, key(KeyCode::Enter)).await;
    let shown = screen(&app);
    assert!(shown.contains("◀ Staff member") && !shown.contains("◀ Client"), "{shown}");
    let messages = h.client.messages(&staff_ticket.ticket_id).await.unwrap();
    let ours = messages.iter().find(|m| m.body.expose() == "We are looking into it.").expect("the reply");
    let name = ours.author.name.expose();
    assert!(shown.contains(&format!("▶ Reply {name} ·")), "{name}: {shown}");
    assert!(!me.id.is_empty());
    // The person asking: masked in the conversation until revealed.
    let theirs = messages.iter().find(|m| m.author.kind == portaldesk::portal::model::AuthorKind::Client).unwrap();
    let initial = theirs.author.name.expose().chars().next().unwrap();
    assert!(shown.contains(&format!("◀ Staff member {initial}••• ·")), "{shown}");
}

/// On the ticket screen a reveal lasts while that ticket stays open (issue
/// 27: the conversation masked itself after 30 s while the agent read it),
/// and ends on leaving it.
#[tokio::test]
async fn a_reveal_on_the_ticket_screen_lasts_while_the_ticket_is_open_and_ends_on_leaving() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    select(&mut app, |t| t.assignee.is_none());
    press(&mut app, &h, key(KeyCode::Enter)).await;
    assert_eq!(app.screen(), ScreenKind::Ticket);
    let timer = app.update(ch('v'), t0());
    let Some(Effect::MaskAfter { reveal, .. }) = timer.first().cloned() else { panic!("{timer:?}") };
    app.update(Msg::RevealOver(reveal), t0());
    assert!(app.stack.account().unwrap().revealed, "masked while the ticket is read");
    assert!(!screen(&app).contains("characters (v reveals)"), "the conversation shows");
    press(&mut app, &h, key(KeyCode::Esc)).await;
    assert_ne!(app.view(), View::Account);
    assert!(!app.stack.account().is_some_and(|a| a.revealed), "still revealed after leaving the ticket");
}

/// The entries of `ticket`'s audit trail that record a reveal.
async fn reveals_of(h: &Harness, ticket: &portaldesk::portal::model::TicketId) -> usize {
    let audit = h.client.audit(None, Some(ticket)).await.unwrap();
    audit.iter().filter(|e| e.action == AuditAction::DetailsRevealed && e.ticket_id.as_ref() == Some(ticket)).count()
}

/// Issue 27: while one ticket stays open, reveal on, off and on again is
/// one audit entry (the sandbox's trail says so, with who); opening
/// another ticket, or the same one again after leaving it, audits again.
#[tokio::test]
async fn a_reveal_on_the_ticket_screen_is_audited_once_per_ticket_opened() {
    let h = Harness::start().await;
    let mut app = started(&h).await;
    let first = select(&mut app, |t| t.assignee.is_none());
    press(&mut app, &h, key(KeyCode::Enter)).await;
    assert_eq!(app.screen(), ScreenKind::Ticket);
    assert_eq!(reveals_of(&h, &first.id).await, 0, "nothing revealed yet");

    for _ in 0..3 {
        press(&mut app, &h, ch('v')).await;
    }
    assert!(app.stack.account().unwrap().revealed, "v, v, v: revealed");
    assert_eq!(reveals_of(&h, &first.id).await, 1, "one entry for the three toggles");
    let audit = h.client.audit(None, Some(&first.id)).await.unwrap();
    let entry = audit.iter().find(|e| e.action == AuditAction::DetailsRevealed).unwrap();
    assert_eq!(entry.actor, h.client.me().await.unwrap().id);
    assert_eq!(entry.account_id.as_ref(), Some(&first.account_id));

    // Left and opened again: audited again at the next reveal.
    press(&mut app, &h, key(KeyCode::Esc)).await;
    assert_ne!(app.view(), View::Account);
    let effects = app.open_ticket(first.account_id.clone(), first.id.clone());
    common::settle(&mut app, &h, effects, t0()).await;
    assert_eq!(app.screen(), ScreenKind::Ticket);
    press(&mut app, &h, ch('v')).await;
    assert_eq!(reveals_of(&h, &first.id).await, 2);

    // Another ticket: its own entry.
    press(&mut app, &h, key(KeyCode::Esc)).await;
    let other = select(&mut app, |t| t.id != first.id && t.account_id != first.account_id);
    press(&mut app, &h, key(KeyCode::Enter)).await;
    assert_eq!(app.screen(), ScreenKind::Ticket);
    press(&mut app, &h, ch('v')).await;
    press(&mut app, &h, ch('v')).await;
    press(&mut app, &h, ch('v')).await;
    assert_eq!(reveals_of(&h, &other.id).await, 1);
    assert_eq!(reveals_of(&h, &first.id).await, 2, "the first ticket's count stays");
}
