//! The live console as a state machine against the real sandbox: events
//! from the portal's stream coalesce into one re-read, presence follows the
//! open ticket, and the collision guard stops a double resend.

use crate::common;

use chrono::{DateTime, Duration, Utc};
use common::{Harness, ch, key, t0};
use crossterm::event::KeyCode;
use futures::StreamExt;
use portaldesk::portal::events::{FollowOptions, Live};
use portaldesk::portal::model::{AccountId, EventType, PortalEvent, PresenceMode};
use portaldesk::sandbox::seed::SeedCase;
use portaldesk::tui::action::{Due, Effect, Msg, Request};
use portaldesk::tui::app::{App, Overlay};
use portaldesk::tui::live::Guard;

fn now() -> DateTime<Utc> {
    t0()
}

/// A console on the account of `case`'s ticket, all loaded, live.
async fn live_on_ticket(h: &Harness, case: SeedCase, at: DateTime<Utc>) -> (App, AccountId) {
    let (mut app, effects) = App::new(true, (160, 48));
    common::settle(&mut app, h, effects, at).await;
    let effects = app.update(Msg::Live(Live::Connected), at);
    common::settle(&mut app, h, effects, at).await;
    let seeded = h.ticket(case).clone();
    let effects = app.open_account(seeded.account_id.clone(), Some(seeded.ticket_id.clone()));
    common::settle(&mut app, h, effects, at).await;
    (app, seeded.account_id)
}

fn event(kind: EventType, account: Option<&AccountId>) -> PortalEvent {
    let mut event = PortalEvent::new(kind, now());
    event.account_id = account.cloned();
    event
}

fn live_due(effects: &[Effect]) -> Vec<Due> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::After { due: due @ Due::Live(_), .. } => Some(*due),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_burst_of_500_events_is_one_debounce_one_read_per_resource_and_no_redraw_until_then() {
    let h = Harness::start().await;
    let (mut app, id) = live_on_ticket(&h, SeedCase::ExpiredClientInvite, now()).await;
    app.live.take_redraw();
    let mut dues = Vec::new();
    for n in 0..500 {
        let kind = if n % 2 == 0 { EventType::TicketUpdated } else { EventType::InviteDelivery };
        let effects = app.update(Msg::Live(Live::Event(event(kind, Some(&id)))), now());
        assert!(effects.iter().all(|e| matches!(e, Effect::After { .. })), "{effects:?}");
        dues.extend(live_due(&effects));
        assert!(!app.live.take_redraw(), "an event alone redraws nothing");
    }
    assert_eq!(dues.len(), 1, "one debounce for the burst");
    let reads = app.update(Msg::Due(dues[0]), now());
    let kinds: Vec<&str> = reads.iter().map(Effect::kind).collect();
    assert_eq!(kinds, ["tickets", "invites", "audit"], "one read per stale resource");
    // The debounce is spent: firing it again reads nothing.
    assert!(app.update(Msg::Due(dues[0]), now()).is_empty());
    common::settle(&mut app, &h, reads, now()).await;
    assert!(app.stack.queue.tickets.data.is_some() && !app.stack.queue.tickets.is_loading());

    // An account change re-reads the account too; a reset re-reads all.
    let effects = app.update(Msg::Live(Live::Event(event(EventType::AccountChanged, Some(&id)))), now());
    let kinds: Vec<&str> = app.update(Msg::Due(live_due(&effects)[0]), now()).iter().map(Effect::kind).collect();
    assert_eq!(kinds, ["tickets", "account", "invites", "audit"], "its ticket is in the queue");
    let effects = app.update(Msg::Live(Live::Event(event(EventType::Reset, None))), now());
    let kinds: Vec<&str> = app.update(Msg::Due(live_due(&effects)[0]), now()).iter().map(Effect::kind).collect();
    assert_eq!(kinds, ["tickets", "account", "invites", "audit"]);
    // An event about another account, not in the queue, reads nothing.
    let other = AccountId::from("acc_no_such");
    assert!(app.update(Msg::Live(Live::Event(event(EventType::InviteSent, Some(&other)))), now()).is_empty());
}

#[tokio::test]
async fn presence_follows_the_open_ticket_and_is_left_on_leaving_and_at_the_lock() {
    let h = Harness::start().await;
    let (mut app, _) = live_on_ticket(&h, SeedCase::ExpiredClientInvite, now()).await;
    let ticket = h.ticket(SeedCase::ExpiredClientInvite).ticket_id.clone();
    let presence = app.live.presence.clone().expect("on the ticket");
    assert_eq!((&presence.ticket_id, presence.mode), (&ticket, PresenceMode::Viewing));
    let on_ticket = |tickets: &[portaldesk::portal::model::Ticket]| {
        tickets.iter().find(|t| t.id == ticket).map(|t| t.viewers.clone()).unwrap_or_default()
    };
    let viewers = on_ticket(&h.client.tickets(None).await.unwrap());
    assert_eq!(viewers.len(), 1, "the portal shows the console on the ticket");
    // Its own presence is not shown to itself.
    assert!(app.live.me.is_some());
    assert_eq!(app.live.viewers_line(&viewers), None);

    // The heartbeat says it again, on its timer only.
    let beat = app.update(Msg::Due(Due::Presence(presence.timer)), now());
    assert!(matches!(beat.first(), Some(Effect::Portal(_, Request::Presence { mode: PresenceMode::Viewing, .. }))));
    assert!(app.update(Msg::Due(Due::Presence(presence.timer)), now()).is_empty(), "an old timer is dropped");

    // A changing dialog says so.
    let effects = app.update(ch('r'), now());
    assert!(matches!(effects.first(), Some(Effect::Portal(_, Request::Presence { mode: PresenceMode::Changing, .. }))));
    app.update(key(KeyCode::Esc), now());

    // Leaving the account leaves the ticket.
    let effects = app.update(key(KeyCode::Esc), now());
    let Some(Effect::Portal(_, Request::LeavePresence { ticket_id })) = effects.first().cloned() else {
        panic!("{effects:?}")
    };
    assert_eq!(ticket_id, ticket);
    common::settle(&mut app, &h, effects, now()).await;
    assert!(on_ticket(&h.client.tickets(None).await.unwrap()).is_empty());
    assert_eq!(app.live.leaving(), None);

    // Back on it, then the idle lock: left too.
    let seeded = h.ticket(SeedCase::ExpiredClientInvite).clone();
    let effects = app.open_account(seeded.account_id, Some(seeded.ticket_id));
    let effects = [effects, app.update(Msg::Resize, now())].concat();
    common::settle(&mut app, &h, effects, now()).await;
    assert_eq!(on_ticket(&h.client.tickets(None).await.unwrap()).len(), 1);
    let effects = app.update(Msg::IdleLock, now());
    assert!(effects.iter().any(|e| matches!(e, Effect::Portal(_, Request::LeavePresence { .. }))), "{effects:?}");
}

#[tokio::test]
async fn others_on_a_ticket_and_the_client_on_the_invite_page_show() {
    let h = Harness::start().await;
    let (mut app, id) = live_on_ticket(&h, SeedCase::ExpiredClientInvite, now()).await;
    let viewers = vec![portaldesk::portal::model::Viewer {
        staff_id: "agent_rivera".into(),
        mode: PresenceMode::Replying,
        since: now(),
    }];
    assert_eq!(app.live.viewers_line(&viewers).as_deref(), Some("👁 agent_rivera · replying"));

    for kind in [EventType::InviteVisit, EventType::InviteDobRefused, EventType::InviteDobRefused] {
        app.update(Msg::Live(Live::Event(event(kind, Some(&id)))), now());
    }
    assert!(app.live.take_redraw(), "the line shows at once");
    assert_eq!(
        app.live.on_page.line(now() + Duration::seconds(10)).as_deref(),
        Some("On the invite page now · DOB refused 2× in the last minute")
    );
    assert_eq!(app.live.on_page.line(now() + Duration::minutes(2)), None, "a minute later it is gone");
}

/// Two consoles on one account: A resends; B, which read the invites
/// before, confirms a resend too. B's guard reads again, shows what
/// changed, and sends nothing unless confirmed a second time.
#[tokio::test]
async fn two_consoles_resending_one_account_make_one_invite_unless_the_second_confirms_knowingly() {
    let h = Harness::start().await;
    let (mut a, id) = live_on_ticket(&h, SeedCase::ExpiredClientInvite, now()).await;
    let (mut b, _) = live_on_ticket(&h, SeedCase::ExpiredClientInvite, now()).await;
    let before = h.client.invites(&id).await.unwrap().len();

    // B follows the real stream from now on.
    let stream = h.client.follow(None, &[EventType::InviteSent], FollowOptions::default());
    futures::pin_mut!(stream);
    assert_eq!(stream.next().await, Some(Live::Connected));

    a.update(ch('r'), now());
    let sent = a.update(key(KeyCode::Enter), now());
    assert!(matches!(sent.first(), Some(Effect::Portal(_, Request::Resend { .. }))), "{sent:?}");
    common::settle(&mut a, &h, sent, now()).await;
    assert_eq!(h.client.invites(&id).await.unwrap().len(), before + 1);

    // B confirms ten seconds on, before its stream's event arrives.
    let later = now() + Duration::seconds(10);
    b.update(ch('r'), later);
    let check = b.update(key(KeyCode::Enter), later);
    assert!(matches!(check.as_slice(), [Effect::Portal(_, Request::GuardRead { .. })]), "{check:?}");
    let after_check = common::settle(&mut b, &h, check, later).await;
    assert!(!after_check.iter().any(|e| matches!(e, Effect::Portal(_, Request::Resend { .. }))));
    assert!(matches!(&b.live.guard, Guard::Shown(text) if text.contains("new invite")), "{:?}", b.live.guard);
    let banner = b.banner.clone().expect("the collision is said");
    assert!(banner.error && banner.text.contains("Enter again sends anyway"), "{banner:?}");
    assert!(matches!(b.overlay, Some(Overlay::Resend(_))), "the dialog stays");
    assert_eq!(h.client.invites(&id).await.unwrap().len(), before + 1, "no silent double");

    // The event reaches B: it marks the invites stale; Esc cancels.
    let Some(Live::Event(sent_event)) = stream.next().await else { panic!() };
    assert_eq!((sent_event.kind, sent_event.account_id.as_ref()), (EventType::InviteSent, Some(&id)));
    b.update(Msg::Live(Live::Event(sent_event)), later);
    assert!(b.live.stale.history);
    b.update(key(KeyCode::Esc), later);
    assert_eq!(b.live.guard, Guard::Idle);
    assert_eq!(h.client.invites(&id).await.unwrap().len(), before + 1);

    // Again, and this time B confirms knowingly: a second invite.
    b.update(ch('r'), later);
    let check = b.update(key(KeyCode::Enter), later);
    common::settle(&mut b, &h, check, later).await;
    assert!(matches!(b.live.guard, Guard::Shown(_)));
    let send = b.update(key(KeyCode::Enter), later);
    assert!(matches!(send.first(), Some(Effect::Portal(_, Request::Resend { .. }))), "{send:?}");
    common::settle(&mut b, &h, send, later).await;
    assert_eq!(h.client.invites(&id).await.unwrap().len(), before + 2);
}

/// The open ticket pane follows the events like the queue (issue 27: B's
/// pane never showed A's reply although `ticket.message` arrived): a reply
/// by another agent shows after the debounce's read, without `R`.
#[tokio::test]
async fn the_open_ticket_pane_follows_a_colleagues_reply() {
    use portaldesk::portal::IdempotencyKey;
    use portaldesk::portal::model::NewReply;
    let (h, rivera) = common::two_agents().await;
    let (mut app, _) = App::new(true, (160, 48));
    let seeded = h.ticket(SeedCase::DeliveredNotOpened).clone();
    let effects = app.update(Msg::Live(Live::Connected), now());
    common::settle(&mut app, &h, effects, now()).await;
    let effects = app.open_ticket(seeded.account_id.clone(), seeded.ticket_id.clone());
    common::settle(&mut app, &h, effects, now()).await;
    let count = |app: &App| app.stack.ticket().and_then(|p| p.messages.data.as_ref()).map_or(0, Vec::len);
    let before = count(&app);
    let reply = NewReply { body: "Rivera here: resent it.".into(), status: None, repeat: false };
    rivera.reply(&seeded.ticket_id, &reply, &IdempotencyKey::new()).await.unwrap();
    let mut message = event(EventType::TicketMessage, Some(&seeded.account_id));
    message.ticket_id = Some(seeded.ticket_id.clone());
    let effects = app.update(Msg::Live(Live::Event(message)), now());
    let dues = live_due(&effects);
    assert_eq!(dues.len(), 1, "one debounced read");
    let reads = app.update(Msg::Due(dues[0]), now());
    assert!(
        reads.iter().any(|e| matches!(e, Effect::Portal(_, Request::Messages { .. }))),
        "the pane's conversation is read again: {reads:?}"
    );
    common::settle(&mut app, &h, reads, now()).await;
    assert_eq!(count(&app), before + 1, "the colleague's reply shows");
}
