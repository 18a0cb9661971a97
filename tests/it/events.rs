//! Contract tests of the event stream and presence, against the real
//! sandbox: order, resume, reset beyond the window, 401, the types filter,
//! keep-alive, events from time (delivery, expiry, lapsed presence), a
//! dropped connection under --faults with no gap and no duplicate, and no
//! PHI in any event.

use crate::common;

use std::time::Duration;

use chrono::NaiveDate;
use common::{Harness, fast_options, t0};
use futures::{Stream, StreamExt};
use portaldesk::phi::Phi;
use portaldesk::portal::model::{
    AccountPatch, EventId, EventType, PortalEvent, PresenceMode, ResendRequest, TicketId, TicketPatch, TicketStatus,
};
use portaldesk::portal::{ApiToken, FollowOptions, IdempotencyKey, Live, PortalClient, PortalError};
use portaldesk::sandbox::SandboxOptions;
use portaldesk::sandbox::faults::Faults;
use portaldesk::sandbox::store::events::Window;

/// Reads events until `n` arrived (each with a generous deadline, so a
/// missing event fails the test rather than hanging it).
async fn take<S>(events: &mut S, n: usize) -> Vec<PortalEvent>
where
    S: Stream<Item = Result<PortalEvent, PortalError>> + Unpin,
{
    let mut got = Vec::new();
    while got.len() < n {
        let next = tokio::time::timeout(Duration::from_secs(10), events.next()).await;
        match next {
            Ok(Some(Ok(event))) => got.push(event),
            Ok(Some(Err(e))) => panic!("stream error {e:?} after {got:?}"),
            Ok(None) => panic!("stream ended after {got:?}"),
            Err(_) => panic!("no event within 10 s; had {got:?}"),
        }
    }
    got
}

fn kinds(events: &[PortalEvent]) -> Vec<EventType> {
    events.iter().map(|e| e.kind).collect()
}

async fn presence(h: &Harness, ticket: &TicketId, mode: Option<PresenceMode>) -> reqwest::StatusCode {
    try_presence(h, ticket.as_str(), mode).await.unwrap()
}

/// A presence heartbeat (or, without a mode, a leave); `Err` when the
/// connection failed.
async fn try_presence(h: &Harness, ticket: &str, mode: Option<PresenceMode>) -> reqwest::Result<reqwest::StatusCode> {
    let url = h.url(&format!("/api/v1/tickets/{ticket}/presence"));
    let request = match mode {
        Some(mode) => h.raw().put(url).json(&serde_json::json!({ "mode": mode })),
        None => h.raw().delete(url),
    };
    Ok(request.bearer_auth("sandbox").send().await?.status())
}

async fn advance(h: &Harness, seconds: i64) {
    h.client.sandbox_advance_clock(seconds).await.unwrap();
}

#[tokio::test]
async fn changes_arrive_in_order_with_ids_only() {
    let h = Harness::start().await;
    // A new sandbox's log is empty (the seed is history, not news): from
    // id 0 is from the start.
    let mut events = Box::pin(h.client.events(Some(EventId(0)), &[]));
    let ticket = h.sandbox.seeded.tickets[0].clone();
    let read = h.client.ticket(&ticket.ticket_id).await.unwrap();
    let patch = TicketPatch { assignee: Some(Some("agent_chen".into())), ..TicketPatch::default() };
    h.client.update_ticket(&ticket.ticket_id, &read.etag, &patch, &IdempotencyKey::new()).await.unwrap();
    let invite = h.client.resend(&ticket.account_id, &ResendRequest::default(), &IdempotencyKey::new()).await.unwrap();
    let account = h.client.account(&ticket.account_id).await.unwrap();
    let dob = AccountPatch {
        dob: Some(Phi::new(NaiveDate::from_ymd_opt(1980, 1, 2).unwrap())),
        reason: "client confirmed on call".into(),
        ..AccountPatch::default()
    };
    h.client.update_account(&ticket.account_id, &account.etag, &dob, &IdempotencyKey::new()).await.unwrap();
    let link = h.client.sandbox_outbox(Some(&ticket.account_id)).await.unwrap().remove(0).link;
    h.raw().get(&link).send().await.unwrap();
    h.raw().post(&link).form(&[("dob", "02/01/1980")]).send().await.unwrap();
    h.raw().post(&link).form(&[("dob", "01/02/1980")]).send().await.unwrap();

    let got = take(&mut events, 7).await;
    assert_eq!(
        kinds(&got),
        [
            EventType::TicketUpdated,
            EventType::InviteSent,
            // The mail system's `queued`, at once; the delivery comes as the
            // sandbox clock passes it.
            EventType::InviteDelivery,
            EventType::AccountChanged,
            EventType::InviteVisit,
            EventType::InviteDobRefused,
            EventType::InviteAccepted,
        ]
    );
    assert_eq!(got[0].id, EventId(1));
    assert!(got.windows(2).all(|w| w[0].id < w[1].id), "ids rise: {got:?}");
    assert_eq!(got[0].ticket_id.as_ref().map(|id| id.as_str()), Some(ticket.ticket_id.as_str()));
    assert_eq!(got[0].actor.as_deref(), Some("agent_sandbox"));
    assert_eq!(got[1].invite_id.as_ref().map(|id| id.as_str()), Some(invite.id.as_str()));
    assert_eq!(got[5].account_id.as_ref().map(|id| id.as_str()), Some(ticket.account_id.as_str()));
    assert!(got.iter().all(|e| e.at == t0()), "the sandbox clock stands still");
}

#[tokio::test]
async fn a_resume_sends_everything_after_the_id_once_and_a_stale_one_gets_reset() {
    let h = Harness::with(SandboxOptions {
        frozen_at: Some(t0()),
        event_window: Window { max_age: chrono::Duration::zero(), max_events: 4 },
        ..SandboxOptions::default()
    })
    .await;
    let ticket = &h.sandbox.seeded.tickets[0].ticket_id;
    for mode in [PresenceMode::Viewing, PresenceMode::Replying, PresenceMode::Changing, PresenceMode::Viewing] {
        assert_eq!(presence(&h, ticket, Some(mode)).await, reqwest::StatusCode::NO_CONTENT);
    }
    // Four events: 1..=4. Resuming after 2 sends 3 and 4, then what comes.
    let mut resumed = Box::pin(h.client.events(Some(EventId(2)), &[]));
    let got = take(&mut resumed, 2).await;
    assert_eq!(got.iter().map(|e| e.id.0).collect::<Vec<_>>(), [3, 4]);
    presence(&h, ticket, Some(PresenceMode::Replying)).await;
    assert_eq!(take(&mut resumed, 1).await[0].id, EventId(5));

    // Two more (6, 7), and the window keeps four: 4..=7. Event 3 is gone.
    presence(&h, ticket, Some(PresenceMode::Changing)).await;
    presence(&h, ticket, None).await;
    advance(&h, 0).await;
    let mut stale = Box::pin(h.client.events(Some(EventId(2)), &[]));
    let got = take(&mut stale, 1).await;
    assert_eq!(got[0].kind, EventType::Reset);
    assert_eq!(got[0].id, EventId(7), "a reset resumes after the newest event");
    presence(&h, ticket, Some(PresenceMode::Viewing)).await;
    assert_eq!(take(&mut stale, 1).await[0].id, EventId(8));
    let mut kept = Box::pin(h.client.events(Some(EventId(3)), &[]));
    assert_eq!(take(&mut kept, 1).await[0].id, EventId(4), "3 is the last id the window can resume after");
    // An id this sandbox never gave is a reset too.
    let mut foreign = Box::pin(h.client.events(Some(EventId(999)), &[]));
    assert_eq!(take(&mut foreign, 1).await[0].kind, EventType::Reset);
}

#[tokio::test]
async fn a_bad_token_is_401_problem_json_before_any_stream() {
    let h = Harness::start().await;
    let answer = h.raw().get(h.url("/api/v1/events")).bearer_auth("wrong").send().await.unwrap();
    assert_eq!(answer.status(), 401);
    let kind = answer.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(kind.starts_with("application/problem+json"), "{kind}");
    let wrong = PortalClient::new(&h.sandbox.url(), ApiToken::new("wrong"), fast_options()).unwrap();
    let mut events = Box::pin(wrong.events(None, &[]));
    assert_eq!(events.next().await, Some(Err(PortalError::Unauthorized)));
    assert_eq!(events.next().await, None);
    // The reconnecting reader gives up: a retry cannot mend a token.
    let followed: Vec<Live> = wrong.follow(None, &[], FollowOptions::default()).collect().await;
    assert_eq!(followed, [Live::Lost(PortalError::Unauthorized)]);
}

#[tokio::test]
async fn the_types_filter_passes_only_what_was_asked_and_refuses_unknown_types() {
    let h = Harness::start().await;
    let answer = h.raw().get(h.url("/api/v1/events?types=ticket.deleted")).bearer_auth("sandbox").send().await.unwrap();
    assert_eq!(answer.status(), 400);
    let ticket = h.sandbox.seeded.tickets[1].clone();
    let mut sent_only = Box::pin(h.client.events(Some(EventId(0)), &[EventType::InviteSent]));
    presence(&h, &ticket.ticket_id, Some(PresenceMode::Viewing)).await;
    h.client.resend(&ticket.account_id, &ResendRequest::default(), &IdempotencyKey::new()).await.unwrap();
    let got = take(&mut sent_only, 1).await;
    assert_eq!(got[0].kind, EventType::InviteSent);
    assert_eq!(got[0].id, EventId(2), "the presence (1) was passed over");
}

#[tokio::test]
async fn an_idle_stream_gets_a_comment_line() {
    let h = Harness::with(SandboxOptions {
        frozen_at: Some(t0()),
        keep_alive: Duration::from_millis(50),
        ..SandboxOptions::default()
    })
    .await;
    let mut answer = h.raw().get(h.url("/api/v1/events")).bearer_auth("sandbox").send().await.unwrap();
    assert_eq!(answer.status(), 200);
    assert!(answer.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let chunk = tokio::time::timeout(Duration::from_secs(10), answer.chunk()).await.unwrap().unwrap().unwrap();
    assert_eq!(&chunk[..], b": keep-alive\n\n");
}

#[tokio::test]
async fn time_brings_deliveries_expiries_and_lapsed_presence() {
    let h = Harness::start().await;
    let ticket = h.sandbox.seeded.tickets[2].clone();
    let mut events = Box::pin(h.client.events(Some(EventId(0)), &[]));
    let invite = h.client.resend(&ticket.account_id, &ResendRequest::default(), &IdempotencyKey::new()).await.unwrap();
    assert_eq!(kinds(&take(&mut events, 2).await), [EventType::InviteSent, EventType::InviteDelivery]);
    advance(&h, 5).await;
    let delivered = take(&mut events, 1).await;
    assert_eq!(delivered[0].kind, EventType::InviteDelivery);
    assert!(delivered[0].at > t0() && delivered[0].at <= t0() + chrono::Duration::seconds(5));
    advance(&h, 48 * 3600).await;
    // Seeded invites expire too; ours is among them, once.
    let mut expiries = 0;
    loop {
        let event = take(&mut events, 1).await.remove(0);
        assert_eq!(event.kind, EventType::InviteExpired, "{event:?}");
        if event.invite_id.as_ref().map(|id| id.as_str()) == Some(invite.id.as_str()) {
            expiries += 1;
            break;
        }
    }
    assert_eq!(expiries, 1);
    // Everything due was announced before the advance answered: the next
    // event is the presence below.

    // Presence: there while heartbeats come, gone 45 s after the last one.
    assert_eq!(presence(&h, &ticket.ticket_id, Some(PresenceMode::Replying)).await, 204);
    assert_eq!(take(&mut events, 1).await[0].kind, EventType::PresenceChanged);
    let viewers = h.client.ticket(&ticket.ticket_id).await.unwrap().value.viewers;
    assert_eq!(viewers.len(), 1);
    assert_eq!((viewers[0].staff_id.as_str(), viewers[0].mode), ("agent_sandbox", PresenceMode::Replying));
    let queue = h.client.tickets(None).await.unwrap();
    let row = queue.iter().find(|t| t.id == ticket.ticket_id).unwrap();
    assert_eq!(row.viewers, viewers, "the queue carries viewers too");
    advance(&h, 44).await;
    assert_eq!(h.client.ticket(&ticket.ticket_id).await.unwrap().value.viewers.len(), 1);
    advance(&h, 1).await;
    assert!(h.client.ticket(&ticket.ticket_id).await.unwrap().value.viewers.is_empty());
    let lapsed = take(&mut events, 1).await;
    assert_eq!((lapsed[0].kind, lapsed[0].actor.as_deref()), (EventType::PresenceChanged, Some("agent_sandbox")));
    // A DELETE is at once; a DELETE of nobody is no news.
    presence(&h, &ticket.ticket_id, Some(PresenceMode::Viewing)).await;
    presence(&h, &ticket.ticket_id, None).await;
    presence(&h, &ticket.ticket_id, None).await;
    assert!(h.client.ticket(&ticket.ticket_id).await.unwrap().value.viewers.is_empty());
    assert_eq!(kinds(&take(&mut events, 2).await), [EventType::PresenceChanged; 2]);
    assert_eq!(presence(&h, &"T-1".into(), Some(PresenceMode::Viewing)).await, 404);
}

#[tokio::test]
async fn a_stream_cut_by_faults_resumes_with_no_gap_and_no_duplicate() {
    let h = Harness::with_faults(Faults::parse("drop_rate=0.15").unwrap()).await;
    let ticket = h.sandbox.seeded.tickets[0].ticket_id.clone();
    let options = FollowOptions {
        backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(10),
        ..FollowOptions::default()
    };
    let mut live = Box::pin(h.client.follow(Some(EventId(0)), &[], options));
    // 120 presence changes (retried through the faults; a lost answer
    // may have made its change, so the count is the log's to say).
    let modes = [PresenceMode::Viewing, PresenceMode::Replying];
    for n in 0..120 {
        while !try_presence(&h, ticket.as_str(), Some(modes[n % 2])).await.is_ok_and(|s| s == 204) {}
    }
    // The marker: one ticket change, made once whatever the faults do.
    let key = IdempotencyKey::new();
    let patch = TicketPatch { status: Some(TicketStatus::Pending), ..TicketPatch::default() };
    loop {
        let Ok(read) = h.client.ticket(&ticket).await else { continue };
        match h.client.update_ticket(&ticket, &read.etag, &patch, &key).await {
            Ok(_) => break,
            Err(PortalError::Stale) => break,
            Err(_) => {}
        }
    }
    let mut ids = Vec::new();
    let mut drops = 0;
    loop {
        match tokio::time::timeout(Duration::from_secs(20), live.next()).await.unwrap().unwrap() {
            Live::Connected => {}
            Live::Lost(e) => {
                assert!(e.is_unreachable() || e.is_transient(), "{e:?}");
                drops += 1;
            }
            Live::Event(event) => {
                ids.push(event.id.0);
                if event.kind == EventType::TicketUpdated {
                    break;
                }
            }
        }
    }
    assert!(drops > 0, "the faults never cut the stream");
    let expected: Vec<u64> = (1..=ids.len() as u64).collect();
    assert_eq!(ids, expected, "every event once, in order, across {drops} drops");
    assert!(ids.len() > 120);
}

/// Every seeded account's name, email and DOB (as the portal keeps it and
/// as people type it).
async fn seeded_phi(h: &Harness) -> Vec<String> {
    let mut phi = Vec::new();
    for n in 1..=h.sandbox.seeded.accounts {
        let account = h.client.account(&format!("acc_{n}").into()).await.unwrap().value;
        phi.push(account.first_name.expose().clone());
        phi.push(account.last_name.expose().clone());
        for email in &account.emails {
            phi.push(email.address.expose().to_lowercase());
        }
        let dob = account.dob.expose();
        phi.push(dob.format("%Y-%m-%d").to_string());
        phi.push(dob.format("%m/%d/%Y").to_string());
    }
    phi
}

#[tokio::test]
async fn no_event_of_a_busy_run_carries_phi() {
    let h = Harness::with(SandboxOptions { frozen_at: Some(t0()), accounts: 100, ..SandboxOptions::default() }).await;
    let tickets = h.sandbox.seeded.tickets.clone();
    for ticket in tickets.iter().take(8) {
        presence(&h, &ticket.ticket_id, Some(PresenceMode::Viewing)).await;
        let read = h.client.ticket(&ticket.ticket_id).await.unwrap();
        let patch = TicketPatch { assignee: Some(Some("agent_rivera".into())), ..TicketPatch::default() };
        h.client.update_ticket(&ticket.ticket_id, &read.etag, &patch, &IdempotencyKey::new()).await.unwrap();
        let note = portaldesk::portal::model::NewNote { body: "Called back, left a voicemail".into() };
        h.client.add_note(&ticket.ticket_id, &note, &IdempotencyKey::new()).await.unwrap();
        let Ok(invite) = h.client.resend(&ticket.account_id, &ResendRequest::default(), &IdempotencyKey::new()).await
        else {
            continue;
        };
        let account = h.client.account(&ticket.account_id).await.unwrap();
        let dob = *account.value.dob.expose();
        // What a client types: day first, and the right date.
        let link = h.client.sandbox_outbox(Some(&ticket.account_id)).await.unwrap().remove(0).link;
        h.raw().get(&link).send().await.unwrap();
        h.raw().post(&link).form(&[("dob", dob.format("%d/%m/%Y").to_string())]).send().await.unwrap();
        h.client.sandbox_scanner_visit(&invite.id, Default::default()).await.unwrap();
        let patch = AccountPatch { dob: Some(Phi::new(dob)), reason: "confirmed".into(), ..AccountPatch::default() };
        let _ = h.client.update_account(&ticket.account_id, &account.etag, &patch, &IdempotencyKey::new()).await;
        h.raw().post(&link).form(&[("dob", dob.format("%m/%d/%Y").to_string())]).send().await.unwrap();
    }
    advance(&h, 49 * 3600).await;
    // The marker, last: a ticket solved.
    let marker = &tickets[9].ticket_id;
    let read = h.client.ticket(marker).await.unwrap();
    let solved = TicketPatch { status: Some(TicketStatus::Solved), ..TicketPatch::default() };
    h.client.update_ticket(marker, &read.etag, &solved, &IdempotencyKey::new()).await.unwrap();

    // Every event of the run, as the wire carries it.
    let mut answer =
        h.raw().get(h.url("/api/v1/events")).bearer_auth("sandbox").header("Last-Event-ID", "0").send().await.unwrap();
    let mut wire = String::new();
    let end = format!("\"ticket_id\":\"{marker}\"");
    while !wire.contains(&end) {
        let chunk = tokio::time::timeout(Duration::from_secs(10), answer.chunk()).await.unwrap().unwrap().unwrap();
        wire.push_str(&String::from_utf8_lossy(&chunk));
    }
    let count = wire.matches("\nevent: ").count() + usize::from(wire.starts_with("event: "));
    assert!(count > 60, "a busy run: {count} events");
    for kind in ["invite.visit", "invite.dob_refused", "invite.accepted", "invite.delivery", "account.changed"] {
        assert!(wire.contains(&format!("event: {kind}\n")), "no {kind} in the run");
    }
    let lowered = wire.to_lowercase();
    for value in seeded_phi(&h).await {
        let found = if value.contains('@') { lowered.contains(&value) } else { wire.contains(&value) };
        assert!(!found, "PHI in the event stream: a seeded value of {} chars", value.len());
    }
}
