//! The client on the invite page, now: a DOB refused on the invite page
//! shows on the open account within a second, through the live event path
//! (the event, the debounce, the re-read), with what the client typed
//! (the staff API reports it; the event never does), masked until
//! revealed, and the DOB check's word on it. It goes a minute after.

use crate::common;

use std::time::Duration;

use chrono::Duration as Span;
use common::{Harness, ch, t0};
use futures::StreamExt;
use portaldesk::portal::IdempotencyKey;
use portaldesk::portal::events::{FollowOptions, Live};
use portaldesk::portal::model::{EventType, ResendRequest, VisitOutcome};
use portaldesk::sandbox::seed::SeedCase;
use portaldesk::tui::action::{Due, Effect, Msg};
use portaldesk::tui::app::App;

fn screen_at(app: &App, now: chrono::DateTime<chrono::Utc>) -> String {
    screen_sized(app, now, (160, 48))
}

fn screen_sized(app: &App, now: chrono::DateTime<chrono::Utc>, (w, h): (u16, u16)) -> String {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
    terminal.draw(|frame| portaldesk::tui::app::render(app, frame, now)).unwrap();
    terminal.backend().to_string()
}

#[tokio::test]
async fn a_dob_refused_on_the_invite_page_shows_on_the_open_account_within_a_second_masked_and_explained() {
    let h = Harness::start().await;
    let seeded = h.ticket(SeedCase::NoInvite).clone();
    let id = seeded.account_id.clone();
    h.client.resend(&id, &ResendRequest::default(), &IdempotencyKey::new()).await.unwrap();
    let link = h.client.sandbox_outbox(Some(&id)).await.unwrap()[0].link.clone();
    let dob = *h.client.account(&id).await.unwrap().value.dob.expose();
    let day_first = dob.format("%d/%m/%Y").to_string();
    assert_ne!(day_first, dob.format("%m/%d/%Y").to_string(), "the seeded DOB reads the same both ways");

    let (mut app, effects) = App::new(true, (160, 48));
    common::settle(&mut app, &h, effects, t0()).await;
    let effects = app.update(Msg::Live(Live::Connected), t0());
    common::settle(&mut app, &h, effects, t0()).await;
    let effects = app.open_ticket(id.clone(), seeded.ticket_id.clone());
    common::settle(&mut app, &h, effects, t0()).await;
    assert!(!screen_at(&app, t0()).contains("On the invite page now"));

    let stream = h.client.follow(None, &[EventType::InviteDobRefused], FollowOptions::default());
    futures::pin_mut!(stream);
    assert_eq!(stream.next().await, Some(Live::Connected));
    let refused = h.raw().post(&link).form(&[("dob", day_first.as_str())]).send().await.unwrap();
    assert_eq!(refused.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);

    // The event: the line shows at once (count only), and the re-read that
    // brings what was typed is due within the debounce, well under a second.
    let Some(Live::Event(event)) = stream.next().await else { panic!("no event") };
    let effects = app.update(Msg::Live(Live::Event(event)), t0());
    assert!(app.live.take_redraw(), "the line shows at once");
    let due = effects
        .iter()
        .find_map(|e| match e {
            Effect::After { due: due @ Due::Live(_), after } => Some((*due, *after)),
            _ => None,
        })
        .expect("a re-read is due");
    assert!(due.1 < Duration::from_secs(1), "{:?}", due.1);
    let line = "On the invite page now · DOB refused 1× in the last minute";
    assert!(screen_at(&app, t0()).contains(line));
    let reads = app.update(Msg::Due(due.0), t0());
    common::settle(&mut app, &h, reads, t0()).await;
    let shown = screen_at(&app, t0());
    assert!(
        shown.contains(&format!("{line} · typed ••/••/•••• · day-first: the portal wants the month first")),
        "{shown}"
    );
    assert!(!shown.contains(&day_first), "the typed DOB shows before it is revealed");

    // Revealed: what they typed, and what to type instead.
    app.update(ch('v'), t0());
    let shown = screen_at(&app, t0());
    let entry = dob.format("%m/%d/%Y").to_string();
    assert!(shown.contains(&format!("typed \"{day_first}\" · day-first")), "{shown}");
    assert!(shown.contains(&format!("→ {entry}")), "{shown}");
    // At 80 columns the line is never cut mid-word: what does not fit (the
    // entry typed, which the findings also say) goes whole.
    let narrow = screen_sized(&app, t0(), (80, 24));
    assert!(narrow.contains(line), "{narrow}");
    assert!(!narrow.contains("typed \"") || narrow.contains(&format!("typed \"{day_first}\" ·")), "{narrow}");

    // A minute without visits on the injected clock: the line is gone.
    assert!(screen_at(&app, t0() + Span::seconds(60)).contains(line));
    let later = screen_at(&app, t0() + Span::seconds(61));
    assert!(!later.contains("On the invite page now") && !later.contains("typed"), "{later}");
}

/// The contract: the staff API's visit carries what was typed; the event
/// stream never does.
#[tokio::test]
async fn the_typed_dob_is_on_the_staff_api_and_never_in_an_event() {
    let h = Harness::start().await;
    let id = h.ticket(SeedCase::NoInvite).account_id.clone();
    h.client.resend(&id, &ResendRequest::default(), &IdempotencyKey::new()).await.unwrap();
    let link = h.client.sandbox_outbox(Some(&id)).await.unwrap()[0].link.clone();
    let typed = "7/4/19\u{1b}[2J85";
    h.raw().post(&link).form(&[("dob", typed)]).send().await.unwrap();
    h.raw().get(&link).send().await.unwrap();
    let visits = h.client.invites(&id).await.unwrap()[0].visits.clone();
    let refused: Vec<_> = visits.iter().filter(|v| v.outcome == VisitOutcome::DobRefused).collect();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].typed_dob.as_ref().map(|t| t.expose().as_str()), Some("7/4/19[2J85"), "no control codes");
    assert!(visits.iter().filter(|v| v.outcome != VisitOutcome::DobRefused).all(|v| v.typed_dob.is_none()));

    // Every event so far, raw, from the start of the log.
    let mut answer =
        h.raw().get(h.url("/api/v1/events")).bearer_auth("sandbox").header("Last-Event-ID", "0").send().await.unwrap();
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !text.contains("invite.visit") {
        let chunk = tokio::time::timeout_at(deadline, answer.chunk()).await.expect("the events in time");
        text.push_str(&String::from_utf8_lossy(&chunk.unwrap().expect("the stream goes on")));
    }
    assert!(text.contains("invite.dob_refused"), "{text}");
    assert!(!text.contains("7/4/19") && !text.contains("typed"), "{text}");
}

/// Issue 24: while the client is on the invite page, the live refusal is
/// the top finding (state machine and screen), with how the portal reads
/// what they typed and the exact text to type, masked until revealed; a
/// minute later the usual order is back.
#[tokio::test]
async fn the_live_refusal_is_the_top_finding_with_what_to_type() {
    use portaldesk::diagnose::troubleshoot::FindingCode;
    let h = Harness::start().await;
    let seeded = h.ticket(SeedCase::NoInvite).clone();
    let id = seeded.account_id.clone();
    h.client.resend(&id, &ResendRequest::default(), &IdempotencyKey::new()).await.unwrap();
    let link = h.client.sandbox_outbox(Some(&id)).await.unwrap()[0].link.clone();
    let dob = *h.client.account(&id).await.unwrap().value.dob.expose();
    let day_first = dob.format("%d/%m/%Y").to_string();
    let entry = dob.format("%m/%d/%Y").to_string();

    let (mut app, effects) = App::new(true, (160, 48));
    common::settle(&mut app, &h, effects, t0()).await;
    let effects = app.update(Msg::Live(Live::Connected), t0());
    common::settle(&mut app, &h, effects, t0()).await;
    let effects = app.open_ticket(id.clone(), seeded.ticket_id.clone());
    common::settle(&mut app, &h, effects, t0()).await;
    let top = |app: &App, at| app.stack.account().unwrap().findings(&app.replies, at).unwrap().remove(0);
    assert_eq!(top(&app, t0()).code, FindingCode::InviteJustSent);

    let stream = h.client.follow(None, &[EventType::InviteDobRefused], FollowOptions::default());
    futures::pin_mut!(stream);
    assert_eq!(stream.next().await, Some(Live::Connected));
    // Two refusals; the debounced re-read then brings what was typed.
    let mut dues = Vec::new();
    for _ in 0..2 {
        h.raw().post(&link).form(&[("dob", day_first.as_str())]).send().await.unwrap();
        let Some(Live::Event(event)) = stream.next().await else { panic!("no event") };
        let effects = app.update(Msg::Live(Live::Event(event)), t0());
        dues.extend(effects.iter().filter_map(|e| match e {
            Effect::After { due: due @ Due::Live(_), .. } => Some(*due),
            _ => None,
        }));
    }
    assert_eq!(dues.len(), 1, "one re-read for the two refusals");
    for due in dues {
        let reads = app.update(Msg::Due(due), t0());
        common::settle(&mut app, &h, reads, t0()).await;
    }
    let first = top(&app, t0());
    assert_eq!(first.code, FindingCode::DobFailures);
    assert_eq!(
        first.explanation,
        "The client is on the page now and typed ••/••/•••• twice: day-first; have them type ••/••/••••."
    );
    let shown = screen_at(&app, t0());
    assert!(shown.contains("dob_failures The client is on the page now and typed ••/••/•••• twice"), "{shown}");
    assert!(!shown.contains(&day_first) && !shown.contains(&entry), "masked until revealed");

    app.update(ch('v'), t0());
    let first = top(&app, t0());
    assert_eq!(
        first.explanation,
        format!("The client is on the page now and typed {day_first} twice: day-first; have them type {entry}.")
    );
    assert!(first.reply.expose().contains(&format!("exactly as {entry}")), "{}", first.reply.expose());

    // They left the page a minute ago: the live finding is gone.
    let later = top(&app, t0() + Span::seconds(61));
    assert!(!later.explanation.contains("on the page now"), "{}", later.explanation);
}
