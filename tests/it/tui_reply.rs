//! The reply composer (`w`): the console's state machine against the real
//! sandbox (no terminal), its collision guard, exactly-once sending, and
//! its screen at 80x24 and 160x48.

use crate::common;

use chrono::{DateTime, Duration, Utc};
use common::{Harness, ch, ctrl, key, t0};
use common::{press_at_t0 as press, screen_wide as screen, started_wide as started};
use crossterm::event::KeyCode;
use portaldesk::portal::model::{
    AuthorKind, NewReply, ReplyStatus, Ticket, TicketId, TicketPatch, TicketStatus, Visibility,
};
use portaldesk::portal::{IdempotencyKey, PortalError};
use portaldesk::request::perform;
use portaldesk::sandbox::seed::SeedCase;
use portaldesk::tui::action::{Answer, Effect, Msg, Request};
use portaldesk::tui::app::{App, Overlay, View};
use portaldesk::tui::keymap::{Keymap, ScreenKind};
use portaldesk::tui::screens::palette::commands;
use portaldesk::tui::screens::reply::{ReplyState, Seen};

/// Opens the first seeded ticket of `case` from the queue (Enter on its
/// row: the account with its ticket pane, claimed).
async fn on_ticket(h: &Harness, case: SeedCase) -> (App, Ticket) {
    let seeded = h.ticket(case).clone();
    let mut app = started(h).await;
    let tickets = app.stack.queue.tickets.data.clone().unwrap();
    let index = tickets.iter().position(|t| t.id == seeded.ticket_id).expect("the seeded ticket in the queue");
    app.stack.queue.selected = index;
    press(&mut app, h, key(KeyCode::Enter)).await;
    assert_eq!(app.screen(), ScreenKind::Ticket);
    (app, tickets[index].clone())
}

/// The composer open on the expired-invite ticket (opened from the
/// queue), with `text` typed after the prefilled reply.
async fn composing(h: &Harness, text: &str) -> (App, Ticket) {
    let (mut app, ticket) = on_ticket(h, SeedCase::ExpiredClientInvite).await;
    compose(&mut app, h, text).await;
    (app, ticket)
}

/// `w`, then `text` typed after the prefilled reply.
async fn compose(app: &mut App, h: &Harness, text: &str) {
    press(app, h, ch('w')).await;
    type_text(app, text);
}

/// The open composer.
fn composer(app: &App) -> &ReplyState {
    match &app.overlay {
        Some(Overlay::Reply(state)) => state,
        _ => panic!("the composer is not open: {:?}", app.banner),
    }
}

/// Every key of `text` typed into the console (Enter for a newline).
fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        let msg = if c == '\n' { key(KeyCode::Enter) } else { ch(c) };
        assert!(app.update(msg, t0()).is_empty(), "typing sends nothing");
    }
}

/// The reply requests among `effects`.
fn replies_sent(effects: &[Effect]) -> Vec<(NewReply, IdempotencyKey)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Portal(_, Request::Reply { reply, key, .. }) => Some((reply.clone(), key.clone())),
            _ => None,
        })
        .collect()
}

/// Runs every effect but the reply itself, which is returned (with its
/// request id) to be answered as the test says.
async fn settle_until_reply(
    app: &mut App,
    h: &Harness,
    mut effects: Vec<Effect>,
    now: DateTime<Utc>,
) -> Option<(u64, Request)> {
    let mut held = None;
    while let Some(effect) = effects.pop() {
        match effect {
            Effect::Portal(req, request @ Request::Reply { .. }) => held = Some((req, request)),
            Effect::Portal(req, request) => {
                let answer = perform(&h.client, request).await;
                effects.extend(app.update(Msg::Answer(req, answer), now));
            }
            _ => {}
        }
    }
    held
}

async fn outbox(h: &Harness, ticket: &TicketId) -> usize {
    h.client.sandbox_reply_outbox(Some(ticket)).await.unwrap().len()
}

#[tokio::test]
async fn w_opens_the_composer_prefilled_with_the_reply_y_copies() {
    let h = Harness::start().await;
    let (mut app, _) = on_ticket(&h, SeedCase::ExpiredClientInvite).await;
    assert!(!screen(&app).contains("Reply to the client"), "the dialog shows before w");
    let expected = app.stack.account().unwrap().main_reply(&app.replies, t0()).unwrap().into_inner();

    press(&mut app, &h, ch('w')).await;
    assert_eq!(app.screen(), ScreenKind::Reply);
    let state = composer(&app);
    assert_eq!(state.text(), expected.trim_end(), "the same text as y copies");
    assert!(!state.edited());
    let shown = screen(&app);
    assert!(shown.contains("Reply to the client · ticket"), "{shown}");
    assert!(shown.contains("◉ leave as is"), "{shown}");
    let first = expected.lines().next().unwrap();
    assert!(shown.contains(first.split_whitespace().next().unwrap()), "{shown}");

    // The key is in the footer, the help and the palette (`:reply`).
    let keys = Keymap::default();
    assert!(keys.footer(ScreenKind::Ticket).iter().any(|(k, hint)| k == "w" && *hint == "reply"));
    let found = commands(&keys, ScreenKind::Ticket, "reply");
    assert_eq!(found.first().map(|c| c.key.as_str()), Some("w"), "{found:?}");
    assert!(keys.footer(ScreenKind::Reply).iter().any(|(k, hint)| k == "Ctrl-S" && *hint == "send"));
}

#[tokio::test]
async fn the_palette_opens_it_and_read_only_refuses_it() {
    let h = Harness::start().await;
    let (mut app, _) = on_ticket(&h, SeedCase::ExpiredClientInvite).await;
    press(&mut app, &h, ch(':')).await;
    for c in "reply".chars() {
        app.update(ch(c), t0());
    }
    press(&mut app, &h, key(KeyCode::Enter)).await;
    assert_eq!(app.screen(), ScreenKind::Reply);
    press(&mut app, &h, key(KeyCode::Esc)).await;
    assert!(app.overlay.is_none(), "an unedited draft closes at once");

    app.keymap = Keymap::default().read_only(true);
    assert!(app.update(ch('w'), t0()).is_empty());
    assert!(app.overlay.is_none());
    assert!(app.banner.as_ref().is_some_and(|b| b.error && b.text.contains("read-only")), "{:?}", app.banner);
    assert!(!app.keymap.footer(ScreenKind::Ticket).iter().any(|(_, hint)| *hint == "reply"));
}

#[tokio::test]
async fn editing_and_esc_asks_before_an_edited_draft_is_discarded() {
    let h = Harness::start().await;
    let (mut app, ticket) = composing(&h, "").await;
    let before = composer(&app).text();
    // Ctrl-E goes to the end of the line, Alt-> to the end of the text.
    type_text(&mut app, "\nP.S. call us");
    app.update(key(KeyCode::Backspace), t0());
    app.update(key(KeyCode::Backspace), t0());
    type_text(&mut app, "me");
    let after = composer(&app).text();
    assert_eq!(after, format!("{before}\nP.S. call me"));
    assert!(composer(&app).edited());

    // Tab cycles the status: pending, solved, none.
    app.update(key(KeyCode::Tab), t0());
    assert_eq!(composer(&app).status, Some(ReplyStatus::Pending));
    assert!(screen(&app).contains("◉ pending"));
    app.update(key(KeyCode::Tab), t0());
    assert_eq!(composer(&app).status, Some(ReplyStatus::Solved));
    app.update(key(KeyCode::Tab), t0());
    assert_eq!(composer(&app).status, None);

    // Esc asks; a key keeps the draft; Esc twice discards it.
    assert!(app.update(key(KeyCode::Esc), t0()).is_empty());
    assert!(composer(&app).discarding);
    assert!(screen(&app).contains("again discards the edited reply"), "{}", screen(&app));
    app.update(key(KeyCode::Right), t0());
    assert!(!composer(&app).discarding, "another key keeps it");
    assert_eq!(composer(&app).text(), after);
    app.update(key(KeyCode::Esc), t0());
    app.update(key(KeyCode::Esc), t0());
    assert!(app.overlay.is_none(), "discarded");
    assert_eq!(app.view(), View::Account);
    assert_eq!(outbox(&h, &ticket.id).await, 0, "nothing was sent");
}

#[tokio::test]
async fn ctrl_s_sends_once_sets_the_status_and_the_reply_shows_in_the_conversation() {
    let h = Harness::start().await;
    let (mut app, ticket) = composing(&h, "\nThank you for your patience.").await;
    app.update(key(KeyCode::Tab), t0());
    app.update(key(KeyCode::Tab), t0());
    let body = composer(&app).text();

    let ran = press(&mut app, &h, ctrl('s')).await;
    let sent = replies_sent(&ran);
    assert_eq!(sent.len(), 1, "one reply request");
    assert_eq!(sent[0].0.status, Some(ReplyStatus::Solved));
    let guard = ran.iter().position(|e| matches!(e, Effect::Portal(_, Request::Conversation { .. })));
    let reply = ran.iter().position(|e| matches!(e, Effect::Portal(_, Request::Reply { .. })));
    assert!(guard < reply, "the conversation is read again before sending");
    assert!(app.overlay.is_none(), "sent: the composer closed");
    let banner = app.banner.clone().unwrap();
    assert_eq!(banner.text, format!("Reply sent on {}; the ticket is solved", ticket.id));
    assert!(!banner.error);

    let outbox = h.client.sandbox_reply_outbox(Some(&ticket.id)).await.unwrap();
    assert_eq!(outbox.len(), 1, "emailed exactly once");
    assert_eq!(outbox[0].body.expose(), &body);
    assert_eq!(h.client.ticket(&ticket.id).await.unwrap().value.status, TicketStatus::Solved);
    // Read again: the pane shows the reply and the status, the queue too.
    let pane = app.stack.ticket().unwrap();
    assert_eq!(pane.ticket().unwrap().status, TicketStatus::Solved);
    let last = pane.messages.data.as_ref().unwrap().last().unwrap();
    assert_eq!((last.author.kind, last.visibility), (AuthorKind::Staff, Visibility::Public));
    assert_eq!(last.body.expose(), &body);
    assert!(ran.iter().any(|e| matches!(e, Effect::Portal(_, Request::Tickets { .. }))), "the queue is read again");
    assert!(ran.iter().any(|e| matches!(e, Effect::Portal(_, Request::Messages { .. }))));
}

#[tokio::test]
async fn an_empty_or_too_long_reply_is_refused_before_sending_and_a_422_keeps_the_draft() {
    let h = Harness::start().await;
    let (mut app, ticket) = composing(&h, "").await;
    // Empty it: Backspace over every character (the cursor is at the end).
    let chars = composer(&app).text().chars().count();
    for _ in 0..chars {
        app.update(key(KeyCode::Backspace), t0());
    }
    assert_eq!(composer(&app).text(), "");
    assert!(app.update(ctrl('s'), t0()).is_empty(), "nothing goes out");
    assert!(composer(&app).problem.as_deref().is_some_and(|p| p.contains("empty")));
    assert!(screen(&app).contains("The reply is empty"), "{}", screen(&app));

    app.update(Msg::Paste("x".repeat(10_001)), t0());
    assert!(app.update(ctrl('s'), t0()).is_empty(), "nothing goes out");
    let shown = screen(&app);
    assert!(shown.contains("10001/10000 characters") && shown.contains("at most 10000 can go"), "{shown}");

    // Within the limit it goes; the portal's 422 is shown, the draft kept.
    app.update(key(KeyCode::Backspace), t0());
    let effects = app.update(ctrl('s'), t0());
    let (req, _) = settle_until_reply(&mut app, &h, effects, t0()).await.expect("the reply request");
    let detail = "body is required (1 to 10000 characters, not blank)".to_owned();
    let refused = Answer::Reply(Err(PortalError::Invalid { status: 422, detail }));
    app.update(Msg::Answer(req, refused), t0());
    assert_eq!(composer(&app).text(), "x".repeat(10_000), "the draft is kept");
    let shown = screen(&app);
    assert!(shown.contains("Not sent: the portal refused the request: body is required"), "{shown}");
    assert_eq!(outbox(&h, &ticket.id).await, 0);
}

#[tokio::test]
async fn a_lost_answer_ends_as_sent_once_and_a_retry_reuses_the_key() {
    let h = Harness::start().await;
    let (mut app, ticket) = on_ticket(&h, SeedCase::ExpiredClientInvite).await;

    // 1. Made, answer lost: the conversation shows it; the dialog closes.
    compose(&mut app, &h, "\nFirst.").await;
    let effects = app.update(ctrl('s'), t0());
    let (req, request) = settle_until_reply(&mut app, &h, effects, t0()).await.unwrap();
    assert!(perform(&h.client, request).await.error().is_none(), "the portal made it");
    let reread = app.update(Msg::Answer(req, Answer::Reply(Err(PortalError::Dropped))), t0());
    assert!(screen(&app).contains("Not known yet: the answer was lost"), "{}", screen(&app));
    assert!(!screen(&app).contains("Not sent"));
    common::settle(&mut app, &h, reread, t0()).await;
    assert!(app.overlay.is_none(), "the conversation shows it: closed");
    let banner = app.banner.clone().unwrap();
    assert!(!banner.error && banner.text.contains("its answer was lost, the conversation shows it"), "{banner:?}");
    assert_eq!(outbox(&h, &ticket.id).await, 1);
    assert!(app.unconfirmed.is_empty(), "its key is forgotten once the outcome shows");

    // 2. Made, answer lost, and the conversation cannot be read: not
    // known; Ctrl-S retries with the same key and the portal replays it.
    compose(&mut app, &h, "\nSecond.").await;
    let effects = app.update(ctrl('s'), t0());
    let (req, request) = settle_until_reply(&mut app, &h, effects, t0()).await.unwrap();
    let Request::Reply { key: first, .. } = request.clone() else { unreachable!() };
    assert!(perform(&h.client, request).await.error().is_none());
    let reread = app.update(Msg::Answer(req, Answer::Reply(Err(PortalError::Timeout))), t0());
    let Some(Effect::Portal(check, Request::Conversation { .. })) = reread.first().cloned() else {
        panic!("{reread:?}")
    };
    app.update(Msg::Answer(check, Answer::Conversation(Err(PortalError::Unreachable))), t0());
    assert!(screen(&app).contains("Not known whether it went"), "{}", screen(&app));
    let again = press(&mut app, &h, ctrl('s')).await;
    let retried = replies_sent(&again);
    assert_eq!(retried.len(), 1);
    assert_eq!(retried[0].1, first, "the retry went with the same key");
    assert!(!again.iter().any(|e| matches!(e, Effect::Portal(_, Request::Conversation { .. }))), "no guard on a retry");
    assert!(app.overlay.is_none(), "the replayed answer closes it");
    assert_eq!(outbox(&h, &ticket.id).await, 2, "one email per reply, never two");

    // 3. Lost before it reached the portal: not sent, Ctrl-S sends it once.
    compose(&mut app, &h, "\nThird.").await;
    let effects = app.update(ctrl('s'), t0());
    let (req, request) = settle_until_reply(&mut app, &h, effects, t0()).await.unwrap();
    let Request::Reply { key: first, .. } = request else { unreachable!() };
    let reread = app.update(Msg::Answer(req, Answer::Reply(Err(PortalError::Dropped))), t0());
    common::settle(&mut app, &h, reread, t0()).await;
    let shown = screen(&app);
    assert!(shown.contains("The conversation does not show it"), "{shown}");
    assert_eq!(outbox(&h, &ticket.id).await, 2);
    let again = press(&mut app, &h, ctrl('s')).await;
    assert_eq!(replies_sent(&again)[0].1, first, "the same key again");
    assert!(app.overlay.is_none());
    assert_eq!(outbox(&h, &ticket.id).await, 3);
}

#[tokio::test]
async fn a_reply_from_another_console_meanwhile_is_shown_and_a_second_ctrl_s_sends_knowingly() {
    let h = Harness::start().await;
    let (mut app, ticket) = composing(&h, "\nMine.").await;

    // Another console replies, and sets the ticket pending, meanwhile.
    let theirs = NewReply { body: "We are on it.".into(), status: Some(ReplyStatus::Pending), ..Default::default() };
    h.client.reply(&ticket.id, &theirs, &IdempotencyKey::new()).await.unwrap();

    let later = t0() + Duration::seconds(40);
    let effects = app.update(ctrl('s'), later);
    assert!(settle_until_reply(&mut app, &h, effects, later).await.is_none(), "held back");
    let warning = composer(&app).warning.clone();
    assert_eq!(warning[0], "agent_sandbox (you, in another console) replied 40s ago", "{warning:?}");
    assert_eq!(warning[1], "agent_sandbox (you, in another console) set the ticket pending 40s ago", "{warning:?}");
    assert_eq!(warning.len(), 2, "the ticket is still this console's: {warning:?}");
    let shown = screen(&app);
    assert!(shown.contains("replied 40s ago") && shown.contains("again sends anyway"), "{shown}");
    assert!(composer(&app).text().ends_with("Mine."), "the draft is kept");
    assert_eq!(outbox(&h, &ticket.id).await, 1, "only theirs");

    let ran = press(&mut app, &h, ctrl('s')).await;
    assert_eq!(replies_sent(&ran).len(), 1, "sent knowingly");
    assert!(app.overlay.is_none());
    assert_eq!(outbox(&h, &ticket.id).await, 2);
}

/// Another agent (her own token) replies and solves the ticket while the
/// composer is open: the guard names her and when.
#[tokio::test]
async fn another_agent_replying_meanwhile_is_named_with_when() {
    let (h, rivera) = common::two_agents().await;
    let (mut app, ticket) = on_ticket(&h, SeedCase::ExpiredClientInvite).await;
    compose(&mut app, &h, "\nMine.").await;
    let theirs =
        NewReply { body: "Solved on the phone.".into(), status: Some(ReplyStatus::Solved), ..Default::default() };
    rivera.reply(&ticket.id, &theirs, &IdempotencyKey::new()).await.unwrap();

    let later = t0() + Duration::seconds(40);
    let effects = app.update(ctrl('s'), later);
    assert!(settle_until_reply(&mut app, &h, effects, later).await.is_none(), "held back");
    let warning = composer(&app).warning.clone();
    assert_eq!(
        warning,
        [
            "agent_rivera replied 40s ago",
            "agent_rivera set the ticket solved 40s ago",
            // Her reply was the first change on the unclaimed ticket: it
            // is hers now, and replying on it asks first.
            "agent_rivera claimed the ticket 40s ago",
            "Claimed by agent_rivera: reply anyway?"
        ],
        "{warning:?}"
    );
    let shown = screen(&app);
    assert!(shown.contains("⚠ agent_rivera replied 40s ago"), "{shown}");
    assert_eq!(outbox(&h, &ticket.id).await, 1, "only hers");
}

/// Opened before the pane had read the conversation, the composer reads it
/// itself: what arrives after that is still caught by the guard.
#[tokio::test]
async fn opened_before_the_pane_read_the_conversation_it_reads_it_itself() {
    let h = Harness::start().await;
    let (mut app, ticket) = on_ticket(&h, SeedCase::ExpiredClientInvite).await;
    app.stack.ticket_mut().unwrap().messages.data = None;
    let ran = press(&mut app, &h, ch('w')).await;
    assert!(ran.iter().any(|e| matches!(e, Effect::Portal(_, Request::Conversation { .. }))), "{ran:?}");
    assert_eq!(app.screen(), ScreenKind::Reply);
    assert!(screen(&app).contains("Re: "), "the subject, from its own read");

    let theirs = NewReply { body: "We are on it.".into(), status: None, ..Default::default() };
    h.client.reply(&ticket.id, &theirs, &IdempotencyKey::new()).await.unwrap();
    let effects = app.update(ctrl('s'), t0());
    assert!(settle_until_reply(&mut app, &h, effects, t0()).await.is_none(), "held back");
    assert_eq!(composer(&app).warning, ["agent_sandbox (you, in another console) replied just now".to_owned()]);
}

#[tokio::test]
async fn a_claim_by_someone_else_meanwhile_asks_before_the_reply_goes() {
    let h = Harness::start().await;
    let (mut app, ticket) = composing(&h, "").await;

    let current = h.client.ticket(&ticket.id).await.unwrap();
    let patch = TicketPatch { assignee: Some(Some("agent_rivera".into())), ..TicketPatch::default() };
    h.client.update_ticket(&ticket.id, &current.etag, &patch, &IdempotencyKey::new()).await.unwrap();

    let effects = app.update(ctrl('s'), t0());
    assert!(settle_until_reply(&mut app, &h, effects, t0()).await.is_none(), "held back");
    let warning = composer(&app).warning.clone();
    assert!(warning.iter().any(|w| w.starts_with("agent_rivera claimed the ticket")), "{warning:?}");
    assert!(warning.iter().any(|w| w == "Claimed by agent_rivera: reply anyway?"), "{warning:?}");

    // Esc goes back to the draft (nothing sent); Ctrl-S then asks again
    // only about the claim (the change was seen).
    press(&mut app, &h, key(KeyCode::Esc)).await;
    assert!(composer(&app).warning.is_empty());
    let effects = app.update(ctrl('s'), t0());
    assert!(settle_until_reply(&mut app, &h, effects, t0()).await.is_none());
    assert_eq!(composer(&app).warning, ["Claimed by agent_rivera: reply anyway?".to_owned()]);
    press(&mut app, &h, ctrl('s')).await;
    assert!(app.overlay.is_none());
    assert_eq!(outbox(&h, &ticket.id).await, 1);
}

#[tokio::test]
async fn the_guard_names_another_agent_and_when() {
    let h = Harness::start().await;
    // A seeded ticket with a staff member's note: as if it came after.
    let mut found = None;
    for seeded in &h.sandbox.seeded.tickets {
        let answer = perform(&h.client, Request::Conversation { ticket_id: seeded.ticket_id.clone() }).await;
        let Answer::Conversation(Ok(conversation)) = answer else { panic!("{answer:?}") };
        if conversation.messages.iter().any(|m| m.author.kind == AuthorKind::Staff && m.author.id != conversation.me) {
            found = Some(conversation);
            break;
        }
    }
    let conversation = found.expect("a seeded note by another agent");
    let me = conversation.me.clone();
    let note =
        conversation.messages.iter().find(|m| m.author.kind == AuthorKind::Staff && m.author.id != me).unwrap().clone();
    let before: Vec<_> = conversation.messages.iter().filter(|m| m.id != note.id).cloned().collect();
    let ticket = &conversation.ticket.value;
    let other = if ticket.status == TicketStatus::Pending { TicketStatus::Open } else { TicketStatus::Pending };
    let seen = Seen::of(other, ticket.assignee.as_deref(), &before);
    let changes = seen.changes(&conversation, note.at + Duration::seconds(40));
    let did = if note.visibility == Visibility::Internal { "added an internal note" } else { "replied" };
    assert_eq!(changes[0], format!("{} {did} 40s ago", note.author.id));
    assert!(changes.iter().any(|c| c.contains(&format!("set the ticket {}", ticket.status.as_str()))), "{changes:?}");
    // Nothing new: nothing to say.
    let unchanged = Seen::read(&conversation);
    assert!(unchanged.changes(&conversation, note.at).is_empty());
}

#[tokio::test]
async fn the_draft_never_reaches_the_log_or_debug_output() {
    let (logged, _guard) = common::Logged::capture();

    let h = Harness::start().await;
    let (mut app, ticket) = on_ticket(&h, SeedCase::ExpiredClientInvite).await;
    let account = h.client.account(&ticket.account_id).await.unwrap().value;
    press(&mut app, &h, ch('w')).await;
    let secret = "Secret-Draft-Words 03/14/1988";
    type_text(&mut app, &format!("\n{secret}"));
    let draft = composer(&app).text();
    let mut seen = Vec::new();
    // Lost once, then the read shows it went.
    let effects = app.update(ctrl('s'), t0());
    seen.extend(effects.iter().map(|e| format!("{e:?}")));
    let (req, request) = settle_until_reply(&mut app, &h, effects, t0()).await.unwrap();
    seen.push(format!("{request:?}"));
    let answer = perform(&h.client, request).await;
    seen.push(format!("{answer:?}"));
    let msg = Msg::Answer(req, Answer::Reply(Err(PortalError::Dropped)));
    seen.push(format!("{msg:?}"));
    let reread = app.update(msg, t0());
    seen.extend(common::settle(&mut app, &h, reread, t0()).await.iter().map(|e| format!("{e:?}")));
    seen.push(format!("{:?}", app.banner));
    assert_eq!(outbox(&h, &ticket.id).await, 1);

    tracing::info!("end of the session");
    let text = logged.text();
    assert!(text.contains("end of the session"), "the log was captured: {text}");
    let seen = seen.join("\n");
    for phi in [secret, "03/14/1988", account.first_name.expose(), account.last_name.expose(), account.email.expose()] {
        assert!(!text.contains(phi), "the log holds {phi:?}");
        assert!(!seen.contains(phi), "debug output holds {phi:?}: {seen}");
    }
    for line in draft.lines().filter(|l| l.len() > 12) {
        assert!(!text.contains(line) && !seen.contains(line), "the draft leaked: {line:?}");
    }
}

#[tokio::test]
async fn the_composer_at_80x24_and_160x48() {
    let h = Harness::start().await;
    let (mut app, _) = composing(&h, "").await;
    app.update(key(KeyCode::Tab), t0());
    for size in [(80u16, 24u16), (160, 48)] {
        let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(size.0, size.1)).unwrap();
        terminal.draw(|frame| portaldesk::tui::app::render(&app, frame, t0())).unwrap();
        insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(format!("reply__composer_{}x{}", size.0, size.1), terminal.backend());
        });
    }
}
