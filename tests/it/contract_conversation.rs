//! The ticket contract of issue #15, checked through the typed client (and a
//! plain HTTP client for what the typed one never sends) against a real
//! sandbox on 127.0.0.1:0: the conversation, replies, the queue's search,
//! assignee filter and paging, the first-response target, and the claim
//! race.

use crate::common;

use chrono::Duration;
use common::{Harness, t0};
use portaldesk::portal::model::{
    AuditAction, AuthorKind, NewNote, NewReply, ReplyStatus, Ticket, TicketId, TicketPatch, TicketStatus, Visibility,
};
use portaldesk::portal::{Assignee, IdempotencyKey, PortalError, TicketQuery};
use portaldesk::sandbox::SandboxOptions;
use portaldesk::sandbox::seed::SeedCase;
use reqwest::StatusCode;

fn reply(body: &str, status: Option<ReplyStatus>) -> NewReply {
    NewReply { body: body.into(), status, ..Default::default() }
}

#[tokio::test]
async fn every_seeded_ticket_has_a_conversation_oldest_first_with_notes_as_internal() {
    let h = Harness::start().await;
    let all = h.client.tickets(None).await.unwrap();
    assert_eq!(all.len(), 32);
    let mut internal = 0;
    for ticket in &all {
        let conversation = h.client.messages(&ticket.id).await.unwrap();
        assert!((1..=4).contains(&conversation.len()), "{}: {}", ticket.id, conversation.len());
        assert!(conversation.windows(2).all(|w| w[0].at <= w[1].at), "{}", ticket.id);
        assert!(conversation.iter().all(|m| m.ticket_id == ticket.id && m.at <= t0()));
        // The ticket starts with the client's own words.
        let first = &conversation[0];
        assert_eq!((first.author.kind, first.visibility), (AuthorKind::Client, Visibility::Public));
        assert_eq!(first.author.id, ticket.account_id.as_str());
        assert!(!first.body.expose().is_empty());
        let staff_replies: Vec<_> = conversation
            .iter()
            .filter(|m| m.author.kind == AuthorKind::Staff && m.visibility == Visibility::Public)
            .collect();
        assert_eq!(ticket.first_response_at, staff_replies.first().map(|m| m.at), "{}", ticket.id);
        assert_eq!(ticket.due_at, Some(ticket.opened_at + Duration::hours(4)), "{}", ticket.id);
        for note in conversation.iter().filter(|m| m.visibility == Visibility::Internal) {
            internal += 1;
            assert_eq!(note.author.kind, AuthorKind::Staff);
            assert!(note.id.as_str().starts_with("note_"));
        }
        // Bodies and names never show in Debug.
        let shown = format!("{conversation:?}");
        assert!(!shown.contains(first.body.expose().as_str()), "{shown}");
    }
    assert!(internal >= 3, "some tickets carry a staff note of a phone call");

    // A note written now is the last message, internal, and still a note.
    let id = &h.ticket(SeedCase::NoInvite).ticket_id;
    let note = NewNote { body: "Called the client; sending the invite.".into() };
    let written = h.client.add_note(id, &note, &IdempotencyKey::new()).await.unwrap();
    let conversation = h.client.messages(id).await.unwrap();
    let last = conversation.last().unwrap();
    assert_eq!((last.id.as_str(), last.visibility), (written.id.as_str(), Visibility::Internal));
    assert_eq!(last.author.id, "agent_sandbox");
    assert_eq!(last.author.name.expose(), "Sandbox Agent");
    assert_eq!(last.body.expose(), &note.body);
    assert_eq!(h.client.notes(id).await.unwrap(), vec![written]);
    let e = h.client.messages(&TicketId::from("T-nowhere")).await.unwrap_err();
    assert!(matches!(e, PortalError::NotFound { .. }), "{e:?}");
}

#[tokio::test]
async fn a_reply_is_emailed_exactly_once_per_key_and_replays() {
    let h = Harness::start().await;
    let seeded = h.ticket(SeedCase::EmailTypo).clone();
    let before = h.client.ticket(&seeded.ticket_id).await.unwrap();
    assert_eq!(before.value.first_response_at, None);
    let account = h.client.account(&seeded.account_id).await.unwrap().value;
    let key = IdempotencyKey::new();
    let text = "Hi, we fixed your address and sent a new invitation.";
    let sent = h.client.reply(&seeded.ticket_id, &reply(text, None), &key).await.unwrap();
    assert_eq!((sent.author.kind, sent.visibility), (AuthorKind::Staff, Visibility::Public));
    assert_eq!((sent.body.expose().as_str(), sent.at), (text, t0()));
    let again = h.client.reply(&seeded.ticket_id, &reply(text, None), &key).await.unwrap();
    assert_eq!(again, sent, "the same key and body replay the first answer");

    let outbox = h.client.sandbox_reply_outbox(Some(&seeded.ticket_id)).await.unwrap();
    assert_eq!(outbox.len(), 1, "emailed once");
    assert_eq!(outbox[0].to, account.email, "to the default address");
    assert_eq!(outbox[0].subject, format!("Re: {}", before.value.subject));
    assert_eq!((outbox[0].body.expose().as_str(), outbox[0].sent_at), (text, t0()));
    assert_eq!((outbox[0].message_id.as_str(), outbox[0].account_id.as_str()), (sent.id.as_str(), account.id.as_str()));

    let conversation = h.client.messages(&seeded.ticket_id).await.unwrap();
    assert_eq!(conversation.last(), Some(&sent));
    assert_eq!(conversation.iter().filter(|m| m.id == sent.id).count(), 1);
    let after = h.client.ticket(&seeded.ticket_id).await.unwrap();
    assert_eq!(after.value.first_response_at, Some(t0()));
    assert_eq!(after.value.status, TicketStatus::Open, "no status given: an open ticket stays open");
    assert_ne!(after.etag, before.etag, "a reply is a change of the ticket");

    // The raw replay says it is one.
    let raw = h
        .raw()
        .post(h.url(&format!("/api/v1/tickets/{}/replies", seeded.ticket_id)))
        .bearer_auth("sandbox")
        .header("Idempotency-Key", key.as_str())
        .json(&serde_json::json!({"body": text}))
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), StatusCode::CREATED);
    assert_eq!(raw.headers()["idempotent-replayed"], "true");

    // The same key with another body is refused, and nothing more is sent.
    let e = h.client.reply(&seeded.ticket_id, &reply("Something else", None), &key).await.unwrap_err();
    assert!(matches!(e, PortalError::Invalid { status: 422, .. }), "{e:?}");
    let e = h.client.reply(&seeded.ticket_id, &reply(text, Some(ReplyStatus::Solved)), &key).await.unwrap_err();
    assert!(matches!(e, PortalError::Invalid { status: 422, .. }), "{e:?}");
    assert_eq!(h.client.sandbox_reply_outbox(Some(&seeded.ticket_id)).await.unwrap().len(), 1);

    // A second reply keeps the first response time and is audited, masked.
    h.client.advance_and_reply(&seeded.ticket_id).await;
    let later = h.client.ticket(&seeded.ticket_id).await.unwrap().value;
    assert_eq!(later.first_response_at, Some(t0()));
    let audit = h.client.audit(None, Some(&seeded.ticket_id)).await.unwrap();
    let replies: Vec<_> = audit.iter().filter(|e| e.action == AuditAction::ReplySent).collect();
    assert_eq!(replies.len(), 2);
    let masked = portaldesk::phi::mask_email(account.email.expose());
    assert!(replies[0].summary.contains(&masked), "{}", replies[0].summary);
    assert!(!replies[0].summary.contains(account.email.expose().as_str()) && !replies[0].summary.contains(text));
}

/// A helper on the client for the test above: a second reply, a minute on.
trait SecondReply {
    async fn advance_and_reply(&self, ticket_id: &TicketId);
}

impl SecondReply for portaldesk::portal::PortalClient {
    async fn advance_and_reply(&self, ticket_id: &TicketId) {
        self.sandbox_advance_clock(60).await.unwrap();
        self.reply(ticket_id, &reply("One more thing.", None), &IdempotencyKey::new()).await.unwrap();
    }
}

#[tokio::test]
async fn replies_refuse_no_key_blank_or_long_bodies_and_unknown_statuses() {
    let h = Harness::start().await;
    let id = h.sandbox.seeded.tickets[3].ticket_id.clone();
    let post = |key: Option<&str>, body: serde_json::Value| {
        let mut request = h.raw().post(h.url(&format!("/api/v1/tickets/{id}/replies"))).bearer_auth("sandbox");
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        request.json(&body)
    };
    let cases = vec![
        (post(None, serde_json::json!({"body": "hi"})), StatusCode::BAD_REQUEST),
        (post(Some("k-blank"), serde_json::json!({"body": "  \n "})), StatusCode::UNPROCESSABLE_ENTITY),
        (post(Some("k-empty"), serde_json::json!({"body": ""})), StatusCode::UNPROCESSABLE_ENTITY),
        (post(Some("k-long"), serde_json::json!({"body": "x".repeat(10_001)})), StatusCode::UNPROCESSABLE_ENTITY),
        (post(Some("k-open"), serde_json::json!({"body": "hi", "status": "open"})), StatusCode::UNPROCESSABLE_ENTITY),
        (post(Some("k-extra"), serde_json::json!({"body": "hi", "cc": "x"})), StatusCode::UNPROCESSABLE_ENTITY),
        (post(Some("k-missing"), serde_json::json!({})), StatusCode::UNPROCESSABLE_ENTITY),
        (
            h.raw()
                .post(h.url("/api/v1/tickets/T-nowhere/replies"))
                .bearer_auth("sandbox")
                .header("Idempotency-Key", "k-404")
                .json(&serde_json::json!({"body": "hi"})),
            StatusCode::NOT_FOUND,
        ),
    ];
    for (n, (request, expected)) in cases.into_iter().enumerate() {
        let answer = request.send().await.unwrap();
        assert_eq!(answer.status(), expected, "case {n}");
        assert_eq!(answer.headers()["content-type"], "application/problem+json", "case {n}");
    }
    assert!(h.client.sandbox_reply_outbox(Some(&id)).await.unwrap().is_empty(), "nothing was sent");
    assert_eq!(h.client.ticket(&id).await.unwrap().value.first_response_at, None);
    // 10,000 characters (not bytes) is still a reply.
    let long = "é".repeat(10_000);
    let sent = h.client.reply(&id, &reply(&long, None), &IdempotencyKey::new()).await.unwrap();
    assert_eq!(sent.body.expose().chars().count(), 10_000);
}

#[tokio::test]
async fn a_reply_sets_the_status_asked_for_and_reopens_a_solved_ticket() {
    let h = Harness::start().await;
    let id = h.sandbox.seeded.tickets[4].ticket_id.clone();
    let status = |h: &Harness, id: TicketId| {
        let client = h.client.clone();
        async move { client.ticket(&id).await.unwrap().value.status }
    };
    h.client.reply(&id, &reply("Sent.", Some(ReplyStatus::Pending)), &IdempotencyKey::new()).await.unwrap();
    assert_eq!(status(&h, id.clone()).await, TicketStatus::Pending);
    h.client.reply(&id, &reply("Done.", Some(ReplyStatus::Solved)), &IdempotencyKey::new()).await.unwrap();
    assert_eq!(status(&h, id.clone()).await, TicketStatus::Solved);
    // The client writes back, the agent answers: the ticket is reopened as pending.
    h.client.reply(&id, &reply("Following up.", None), &IdempotencyKey::new()).await.unwrap();
    assert_eq!(status(&h, id.clone()).await, TicketStatus::Pending);
    h.client.reply(&id, &reply("All set.", Some(ReplyStatus::Solved)), &IdempotencyKey::new()).await.unwrap();
    h.client.reply(&id, &reply("Closing note.", Some(ReplyStatus::Solved)), &IdempotencyKey::new()).await.unwrap();
    assert_eq!(status(&h, id.clone()).await, TicketStatus::Solved, "status=solved keeps it solved");
    assert_eq!(h.client.sandbox_reply_outbox(Some(&id)).await.unwrap().len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_agents_claiming_at_once_exactly_one_wins_the_other_gets_412() {
    let h = Harness::start().await;
    for seeded in h.sandbox.seeded.tickets.iter().take(5) {
        let read = h.client.ticket(&seeded.ticket_id).await.unwrap();
        let claim = |who: &str| TicketPatch { assignee: Some(Some(who.into())), ..Default::default() };
        let (a, b) = (h.client.clone(), h.client.clone());
        let (id_a, id_b) = (seeded.ticket_id.clone(), seeded.ticket_id.clone());
        let (etag_a, etag_b) = (read.etag.clone(), read.etag.clone());
        let (claim_a, claim_b) = (claim("agent_sandbox"), claim("agent_chen"));
        let first =
            tokio::spawn(async move { a.update_ticket(&id_a, &etag_a, &claim_a, &IdempotencyKey::new()).await });
        let second =
            tokio::spawn(async move { b.update_ticket(&id_b, &etag_b, &claim_b, &IdempotencyKey::new()).await });
        let outcomes = [first.await.unwrap(), second.await.unwrap()];
        let winners: Vec<_> = outcomes.iter().filter_map(|o| o.as_ref().ok()).collect();
        assert_eq!(winners.len(), 1, "{outcomes:?}");
        assert_eq!(outcomes.iter().filter(|o| o.as_ref().err() == Some(&PortalError::Stale)).count(), 1);
        let now = h.client.ticket(&seeded.ticket_id).await.unwrap().value;
        assert_eq!(now.assignee, winners[0].value.assignee);
    }
}

async fn all_pages(h: &Harness, mut query: TicketQuery) -> (Vec<Ticket>, usize) {
    let mut tickets = Vec::new();
    let mut pages = 0;
    loop {
        let page = h.client.ticket_page(&query).await.unwrap();
        pages += 1;
        assert!(page.items.len() <= query.limit.unwrap_or(100) as usize);
        tickets.extend(page.items);
        match page.next_cursor {
            Some(cursor) => query.cursor = Some(cursor),
            None => return (tickets, pages),
        }
    }
}

#[tokio::test]
async fn the_queue_pages_in_a_stable_order_with_a_cursor() {
    let h = Harness::start().await;
    let open = h.client.tickets(Some(TicketStatus::Open)).await.unwrap();
    let query = TicketQuery { status: Some(TicketStatus::Open), limit: Some(5), ..TicketQuery::default() };
    let (paged, pages) = all_pages(&h, query.clone()).await;
    assert_eq!(pages, open.len().div_ceil(5));
    let ids = |t: &[Ticket]| t.iter().map(|t| t.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&paged), ids(&open), "every ticket once, in the queue's order");
    assert!(paged.windows(2).all(|w| w[0].opened_at <= w[1].opened_at));

    // A change to a ticket between pages does not move it.
    let first = h.client.ticket_page(&query).await.unwrap();
    let moved = &first.items[0];
    let etag = h.client.ticket(&moved.id).await.unwrap().etag;
    let claim = TicketPatch { assignee: Some(Some("agent_chen".into())), ..Default::default() };
    h.client.update_ticket(&moved.id, &etag, &claim, &IdempotencyKey::new()).await.unwrap();
    let second = h.client.ticket_page(&TicketQuery { cursor: first.next_cursor.clone(), ..query.clone() }).await;
    assert_eq!(ids(&second.unwrap().items), ids(&open[5..10]));

    // Without a limit, a page holds up to 100; the answer keeps `items`.
    let everything = h.client.ticket_page(&TicketQuery::default()).await.unwrap();
    assert_eq!((everything.items.len(), everything.next_cursor), (32, None));

    for bad in ["limit=0", "limit=501", "limit=ten", "cursor=zzz", "cursor=1.", "cursor=-1.2", "assignee=agent_nobody"]
    {
        let answer = h.raw().get(h.url(&format!("/api/v1/tickets?{bad}"))).bearer_auth("sandbox").send().await;
        let answer = answer.unwrap();
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(answer.headers()["content-type"], "application/problem+json", "{bad}");
    }
}

#[tokio::test]
async fn q_finds_tickets_by_id_subject_and_the_account_s_name_or_any_address() {
    let h = Harness::start().await;
    let find = |q: &str| {
        let client = h.client.clone();
        let query = TicketQuery { q: Some(q.into()), ..TicketQuery::default() };
        async move { client.ticket_page(&query).await.unwrap().items.into_iter().map(|t| t.id).collect::<Vec<_>>() }
    };
    let seeded = h.ticket(SeedCase::WrongAddress).clone();
    let ticket = h.client.ticket(&seeded.ticket_id).await.unwrap().value;
    let account = h.client.account(&seeded.account_id).await.unwrap().value;
    assert_eq!(find(&ticket.id.as_str().to_lowercase()).await, std::slice::from_ref(&ticket.id));
    assert!(find("AT MY GMAIL").await.contains(&ticket.id), "subject, any case");
    let name = format!("{} {}", account.first_name.expose(), account.last_name.expose());
    assert!(find(&name).await.contains(&ticket.id), "the account's name");
    let other = account.emails.iter().find(|e| !e.is_default).unwrap().address.expose().clone();
    assert_eq!(find(&other).await, std::slice::from_ref(&ticket.id), "an address that is not the default");
    assert!(find("nothing-like-this").await.is_empty());
    assert!(find("100%_").await.is_empty(), "LIKE wildcards are literal");
    let invite = find("invite").await;
    assert!(invite.len() >= 4, "{invite:?}");
}

#[tokio::test]
async fn assignee_filters_mine_unclaimed_or_one_agent_s() {
    let h = Harness::start().await;
    let page = |assignee: Assignee| {
        let client = h.client.clone();
        let query = TicketQuery { assignee: Some(assignee), ..TicketQuery::default() };
        async move { client.ticket_page(&query).await.unwrap().items }
    };
    let all = h.client.tickets(None).await.unwrap();
    let rivera = page(Assignee::Staff("agent_rivera".into())).await;
    assert_eq!(rivera.len(), all.iter().filter(|t| t.assignee.as_deref() == Some("agent_rivera")).count());
    assert!(!rivera.is_empty() && rivera.iter().all(|t| t.assignee.as_deref() == Some("agent_rivera")));
    let nobody = page(Assignee::Nobody).await;
    assert!(!nobody.is_empty() && nobody.iter().all(|t| t.assignee.is_none()));
    let mine = page(Assignee::Me).await;
    assert_eq!(mine.len(), 3, "the worked tickets are the sandbox agent's");
    // Claiming one moves it from unclaimed to mine.
    let id = nobody[0].id.clone();
    let etag = h.client.ticket(&id).await.unwrap().etag;
    let claim = TicketPatch { assignee: Some(Some("agent_sandbox".into())), ..Default::default() };
    h.client.update_ticket(&id, &etag, &claim, &IdempotencyKey::new()).await.unwrap();
    assert!(page(Assignee::Me).await.iter().any(|t| t.id == id));
    assert!(!page(Assignee::Nobody).await.iter().any(|t| t.id == id));
    // Filters combine.
    let query =
        TicketQuery { status: Some(TicketStatus::Solved), assignee: Some(Assignee::Me), ..TicketQuery::default() };
    assert_eq!(h.client.ticket_page(&query).await.unwrap().items.len(), 2);
}

#[tokio::test]
async fn extra_tickets_are_seeded_deterministically_with_the_target_set() {
    let options = || SandboxOptions {
        frozen_at: Some(t0()),
        tickets: 120,
        first_response_target: Duration::hours(1),
        ..SandboxOptions::default()
    };
    let (a, b) = (Harness::with(options()).await, Harness::with(options()).await);
    assert_eq!(a.sandbox.seeded.extra_tickets, 120);
    let open = a.client.tickets(Some(TicketStatus::Open)).await.unwrap();
    assert_eq!(open.len(), 29 + 120);
    assert!(open.windows(2).all(|w| w[0].opened_at <= w[1].opened_at));
    assert!(open.iter().all(|t| t.due_at == Some(t.opened_at + Duration::hours(1))));
    let same = b.client.tickets(Some(TicketStatus::Open)).await.unwrap();
    let key = |t: &Ticket| (t.id.clone(), t.subject.clone(), t.account_id.clone(), t.opened_at, t.assignee.clone());
    assert_eq!(open.iter().map(key).collect::<Vec<_>>(), same.iter().map(key).collect::<Vec<_>>());
    let extra = open.iter().find(|t| !a.sandbox.seeded.tickets.iter().any(|s| s.ticket_id == t.id)).unwrap();
    let conversation = a.client.messages(&extra.id).await.unwrap();
    assert_eq!(conversation.len(), 1);
    assert_eq!(conversation[0].author.id, extra.account_id.as_str());
}

#[tokio::test]
async fn a_reply_retried_with_its_key_through_dropped_connections_is_sent_once() {
    let h = Harness::with_faults(portaldesk::sandbox::faults::Faults::parse("drop_rate=0.9").unwrap()).await;
    let id = h.sandbox.seeded.tickets[6].ticket_id.clone();
    let key = IdempotencyKey::new();
    let request = reply("We sent a new link.", Some(ReplyStatus::Pending));
    let mut failures = 0;
    let sent = loop {
        match h.client.reply(&id, &request, &key).await {
            Ok(sent) => break sent,
            Err(e) => {
                assert!(e.is_transient(), "{e:?}");
                failures += 1;
                assert!(failures < 200, "never answered");
            }
        }
    };
    // The sandbox-only outbox is outside the fault injector.
    let outbox = h.client.sandbox_reply_outbox(Some(&id)).await.unwrap();
    assert_eq!(outbox.len(), 1, "emailed once after {failures} failed tries");
    assert_eq!(outbox[0].message_id, sent.id);
}

#[tokio::test]
async fn a_reply_is_heard_on_the_event_stream_with_ids_only() {
    use futures::StreamExt;
    use portaldesk::portal::model::{EventId, EventType};
    let h = Harness::start().await;
    let mut events = Box::pin(h.client.events(Some(EventId(0)), &[]));
    let ticket = h.sandbox.seeded.tickets[8].ticket_id.clone();
    let text = "Hi, we fixed it.";
    h.client.reply(&ticket, &reply(text, None), &IdempotencyKey::new()).await.unwrap();
    h.client.reply(&ticket, &reply("Closing.", Some(ReplyStatus::Solved)), &IdempotencyKey::new()).await.unwrap();
    let mut got = Vec::new();
    while got.len() < 3 {
        let next = tokio::time::timeout(std::time::Duration::from_secs(10), events.next()).await;
        got.push(next.expect("an event within 10 s").expect("the stream goes on").expect("an event"));
    }
    let kinds: Vec<_> = got.iter().map(|e| e.kind).collect();
    // The second reply also changed the status.
    assert_eq!(kinds, [EventType::TicketMessage, EventType::TicketMessage, EventType::TicketUpdated]);
    assert!(got.iter().all(|e| e.ticket_id.as_ref() == Some(&ticket)));
    let shown = serde_json::to_string(&got[0]).unwrap();
    assert!(!shown.contains(text), "an event carries ids, never the reply: {shown}");
}
