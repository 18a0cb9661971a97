//! The queue at scale: its filters (each on a key and in the palette), the
//! `/` line, `T-1021` jumps, an account opened from search tied to its open
//! ticket(s), pages read as the cursor goes down, and the queue read again
//! after every action taken from a ticket. State-machine tests against the
//! real sandbox.

use crate::common;

use std::collections::HashSet;

use common::{Harness, ch, key, press, t0};
use crossterm::event::KeyCode;
use portaldesk::portal::model::{InviteStatus, Ticket, TicketId, TicketPatch, TicketStatus};
use portaldesk::portal::{Assignee, IdempotencyKey, TicketQuery};
use portaldesk::sandbox::SandboxOptions;
use portaldesk::sandbox::seed::SeedCase;
use portaldesk::tui::action::{Effect, Msg, Request};
use portaldesk::tui::app::{App, Overlay, View};
use portaldesk::tui::keymap::ScreenKind;
use portaldesk::tui::screens::queue::{EXPIRING_WITHIN, Only};

/// The rows the queue shows, in order.
fn shown(app: &App) -> Vec<Ticket> {
    (0..app.stack.queue.len()).filter_map(|i| app.stack.queue.row(i).cloned()).collect()
}

/// The queries of the queue's reads among `effects` (not an account's).
fn queue_reads(effects: &[Effect]) -> Vec<TicketQuery> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Portal(_, Request::Tickets { query }) if query.account_id.is_none() => Some(query.clone()),
            _ => None,
        })
        .collect()
}

/// Types `text` (each key's effects settled).
async fn typed(app: &mut App, h: &Harness, text: &str) -> Vec<Effect> {
    let mut ran = Vec::new();
    for c in text.chars() {
        ran.extend(press(app, h, ch(c)).await);
    }
    ran
}

/// Every open ticket, straight from the portal.
async fn all_open(h: &Harness) -> Vec<Ticket> {
    h.client.tickets(Some(TicketStatus::Open)).await.unwrap()
}

#[tokio::test]
async fn mine_and_unclaimed_go_to_the_portal_and_show_only_theirs_and_again_shows_all() {
    let h = Harness::start().await;
    let mut app = common::started_wide(&h).await;
    let me = h.client.me().await.unwrap().id;
    // Claim two tickets as the console's staff member.
    for seeded in &h.sandbox.seeded.tickets[..2] {
        let read = h.client.ticket(&seeded.ticket_id).await.unwrap();
        let patch = TicketPatch { assignee: Some(Some(me.clone().into())), ..TicketPatch::default() };
        h.client.update_ticket(&seeded.ticket_id, &read.etag, &patch, &IdempotencyKey::new()).await.unwrap();
    }
    let all = all_open(&h).await;

    let ran = press(&mut app, &h, ch('i')).await;
    assert_eq!(queue_reads(&ran).last().and_then(|q| q.assignee.clone()), Some(Assignee::Me));
    let mine = shown(&app);
    assert_eq!(mine.len(), 2);
    assert!(mine.iter().all(|t| t.assignee.as_deref() == Some(me.as_str())));
    assert!(common::screen_wide(&app).contains("Open tickets · mine (2)"), "{}", common::screen_wide(&app));

    let ran = press(&mut app, &h, ch('u')).await;
    assert_eq!(queue_reads(&ran).last().and_then(|q| q.assignee.clone()), Some(Assignee::Nobody));
    let unclaimed = shown(&app);
    assert_eq!(unclaimed.len(), all.iter().filter(|t| t.assignee.is_none()).count());
    assert!(!unclaimed.is_empty() && unclaimed.iter().all(|t| t.assignee.is_none()));
    assert!(common::screen_wide(&app).contains("· unclaimed ("));

    // Again: all.
    press(&mut app, &h, ch('u')).await;
    assert_eq!(shown(&app).len(), all.len());
    press(&mut app, &h, ch('i')).await;
    press(&mut app, &h, ch('a')).await;
    assert_eq!(shown(&app).len(), all.len());
    assert!(common::screen_wide(&app).contains(&format!("Open tickets ({}) · oldest first", all.len())));
}

#[tokio::test]
async fn the_status_key_cycles_open_pending_solved_any_and_each_shows_only_its_own() {
    let h = Harness::start().await;
    let mut app = common::started_wide(&h).await;
    let moved = [(0, TicketStatus::Pending), (1, TicketStatus::Solved), (2, TicketStatus::Pending)];
    for (n, status) in moved {
        let id = &h.sandbox.seeded.tickets[n].ticket_id;
        let read = h.client.ticket(id).await.unwrap();
        let patch = TicketPatch { status: Some(status), ..TicketPatch::default() };
        h.client.update_ticket(id, &read.etag, &patch, &IdempotencyKey::new()).await.unwrap();
    }
    let count_of = |status: Option<TicketStatus>| {
        let client = h.client.clone();
        async move { client.tickets(status).await.unwrap().len() }
    };
    let open = count_of(Some(TicketStatus::Open)).await;
    let (pending, solved) = (count_of(Some(TicketStatus::Pending)).await, count_of(Some(TicketStatus::Solved)).await);
    assert!(pending >= 2 && solved >= 1);
    for (status, count, word) in [
        (Some(TicketStatus::Pending), pending, "Pending tickets"),
        (Some(TicketStatus::Solved), solved, "Solved tickets"),
        (None, open + pending + solved, "All tickets"),
        (Some(TicketStatus::Open), open, "Open tickets"),
    ] {
        let ran = press(&mut app, &h, ch('s')).await;
        assert_eq!(queue_reads(&ran).last().map(|q| q.status), Some(status));
        let rows = shown(&app);
        assert_eq!(rows.len(), count, "{status:?}");
        assert!(rows.iter().all(|t| status.is_none_or(|s| t.status == s)), "{status:?}");
        assert!(common::screen_wide(&app).contains(&format!("{word} ({count})")), "{word}");
    }
}

#[tokio::test]
async fn expiring_soon_and_sla_breached_are_decided_on_the_rows_read_without_a_request() {
    let h = Harness::start().await;
    let mut app = common::started_wide(&h).await;
    let all = all_open(&h).await;
    let now = t0();

    // Decided on the rows read: the whole queue is read already, so no request.
    let ran = press(&mut app, &h, ch('e')).await;
    assert!(ran.is_empty(), "{ran:?}");
    let expiring: Vec<&Ticket> = all
        .iter()
        .filter(|t| {
            t.account.as_ref().and_then(|a| a.latest_invite.as_ref()).is_some_and(|i| {
                i.status == InviteStatus::Pending && i.expires_at > now && i.expires_at - now <= EXPIRING_WITHIN
            })
        })
        .collect();
    assert!(!expiring.is_empty(), "the seed has an invite expiring soon");
    let rows = shown(&app);
    assert_eq!(rows.iter().map(|t| &t.id).collect::<Vec<_>>(), expiring.iter().map(|t| &t.id).collect::<Vec<_>>());
    let screen = common::screen_wide(&app);
    assert!(
        screen.contains(&format!("invite expiring within 2h ({} shown of {} read)", rows.len(), all.len())),
        "{screen}"
    );

    press(&mut app, &h, ch('b')).await;
    let breached: Vec<&TicketId> = all
        .iter()
        .filter(|t| t.first_response_at.is_none() && t.due_at.is_some_and(|d| d <= now))
        .map(|t| &t.id)
        .collect();
    assert!(!breached.is_empty() && breached.len() < all.len(), "some breached, not all");
    assert_eq!(shown(&app).iter().map(|t| &t.id).collect::<Vec<_>>(), breached);
    assert!(shown(&app).iter().all(|t| Only::SlaBreached.keeps(t, now)));
    assert!(common::screen_wide(&app).contains("SLA breached ("));

    // A reply is a first response: the ticket leaves the breached ones once read again.
    let first = breached[0].clone();
    let reply =
        portaldesk::portal::model::NewReply { body: "We are on it.".into(), status: None, ..Default::default() };
    h.client.reply(&first, &reply, &IdempotencyKey::new()).await.unwrap();
    press(&mut app, &h, ch('R')).await;
    assert!(!shown(&app).iter().any(|t| t.id == first));
    // Again: off.
    press(&mut app, &h, ch('b')).await;
    assert_eq!(shown(&app).len(), all.len());
}

#[tokio::test]
async fn every_filter_is_in_the_palette_and_runs_from_it() {
    let h = Harness::start().await;
    let mut app = common::started_wide(&h).await;
    let names: Vec<String> = portaldesk::tui::screens::palette::commands(&app.keymap, ScreenKind::Queue, "")
        .into_iter()
        .map(|c| c.name)
        .collect();
    for name in [
        "search",
        "search accounts",
        "filter all",
        "filter mine",
        "filter unclaimed",
        "filter status",
        "filter expiring",
        "filter breached",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} not in {names:?}");
    }
    press(&mut app, &h, ch(':')).await;
    for c in "filter unclaimed".chars() {
        app.update(ch(c), t0());
    }
    let ran = press(&mut app, &h, key(KeyCode::Enter)).await;
    assert_eq!(queue_reads(&ran).last().and_then(|q| q.assignee.clone()), Some(Assignee::Nobody));
    assert!(shown(&app).iter().all(|t| t.assignee.is_none()));
}

#[tokio::test]
async fn slash_narrows_the_queue_through_q_debounced_and_esc_clears_it() {
    let h = Harness::start().await;
    let mut app = common::started_wide(&h).await;
    let all = all_open(&h).await;
    press(&mut app, &h, ch('/')).await;
    assert_eq!(app.screen(), ScreenKind::QueueFilter);
    // Its hint names no example ticket (issue 27: "Enter on T-1021 opens it").
    let drawn = common::screen_wide(&app);
    assert!(drawn.contains("a ticket id and Enter opens it") && !drawn.contains("Enter on T-1021"), "{drawn}");
    // Letters type: `q` does not quit, `a` is no filter key here.
    let effects: Vec<Effect> = "t-100".chars().flat_map(|c| app.update(ch(c), t0())).collect();
    assert!(effects.iter().all(|e| matches!(e, Effect::DebounceSearch(_))), "{effects:?}");
    let Some(Effect::DebounceSearch(stale)) = effects.first().cloned() else { panic!() };
    assert!(app.update(Msg::SearchDue(stale), t0()).is_empty(), "an outdated debounce reads nothing");
    let Some(Effect::DebounceSearch(latest)) = effects.last().cloned() else { panic!() };
    let ran = press(&mut app, &h, Msg::SearchDue(latest)).await;
    assert_eq!(queue_reads(&ran).last().and_then(|q| q.q.clone()).as_deref(), Some("t-100"));
    let ids: Vec<String> = shown(&app).iter().map(|t| t.id.to_string()).collect();
    assert_eq!(ids, (1001..=1009).map(|n| format!("T-{n}")).collect::<Vec<_>>());
    let screen = common::screen_wide(&app);
    assert!(screen.contains("Filter the queue") && screen.contains("Tab search accounts"), "{screen}");

    // By the account's name.
    let named = all[5].account.clone().unwrap();
    for _ in 0..5 {
        app.update(key(KeyCode::Backspace), t0());
    }
    typed(&mut app, &h, named.last_name.expose()).await;
    assert!(
        !shown(&app).is_empty()
            && shown(&app)
                .iter()
                .all(|t| { t.account.as_ref().is_some_and(|a| a.last_name.expose() == named.last_name.expose()) })
    );

    // Enter: done typing, the filter stays and the keys are the queue's.
    press(&mut app, &h, key(KeyCode::Enter)).await;
    assert_eq!(app.screen(), ScreenKind::Queue);
    assert!(shown(&app).len() < all.len());
    // Esc in the line clears it.
    press(&mut app, &h, ch('/')).await;
    press(&mut app, &h, key(KeyCode::Esc)).await;
    assert_eq!(app.screen(), ScreenKind::Queue);
    assert_eq!(shown(&app).len(), all.len());
}

#[tokio::test]
async fn tab_in_the_slash_line_and_a_search_accounts_with_the_same_text() {
    let h = Harness::start().await;
    let mut app = common::started_wide(&h).await;
    press(&mut app, &h, ch('/')).await;
    typed(&mut app, &h, "acc_4").await;
    let ran = press(&mut app, &h, key(KeyCode::Tab)).await;
    assert_eq!(app.view(), View::Search);
    assert_eq!(app.stack.search().expect("search in front").input.value(), "acc_4");
    assert!(
        ran.iter()
            .any(|e| matches!(e, Effect::Portal(_, Request::Search { query }) if query.q.as_deref() == Some("acc_4")))
    );
    assert!(app.stack.search().expect("search in front").results.data.as_ref().is_some_and(|p| !p.items.is_empty()));
    // Back on the queue, A goes to account search too; the help says so.
    press(&mut app, &h, key(KeyCode::Esc)).await;
    assert_eq!(app.view(), View::Queue);
    press(&mut app, &h, ch('A')).await;
    assert_eq!(app.view(), View::Search);
    press(&mut app, &h, key(KeyCode::Esc)).await;
    press(&mut app, &h, ch('?')).await;
    let help = common::screen_wide(&app);
    assert!(help.contains("search accounts") && help.contains("filter the queue"), "{help}");
}

#[tokio::test]
async fn a_ticket_id_typed_in_the_queue_line_or_account_search_opens_that_ticket() {
    let h = Harness::start().await;
    let mut app = common::started_wide(&h).await;
    let target = h.sandbox.seeded.tickets[9].clone();

    // From the queue's `/` line, in lower case.
    press(&mut app, &h, ch('/')).await;
    typed(&mut app, &h, &target.ticket_id.to_string().to_lowercase()).await;
    press(&mut app, &h, key(KeyCode::Enter)).await;
    assert_eq!(app.view(), View::Account);
    assert_eq!(app.screen(), ScreenKind::Ticket);
    assert_eq!(app.stack.ticket().map(|p| &p.id), Some(&target.ticket_id));
    assert_eq!(app.stack.account().map(|a| &a.id), Some(&target.account_id));
    assert!(app.stack.ticket().unwrap().ticket.data.is_some(), "the pane is read");

    // From account search (reached from the account).
    press(&mut app, &h, key(KeyCode::Esc)).await;
    assert_eq!(app.view(), View::Queue);
    let other = h.sandbox.seeded.tickets[3].clone();
    press(&mut app, &h, ch('A')).await;
    typed(&mut app, &h, &format!(" {} ", other.ticket_id)).await;
    press(&mut app, &h, key(KeyCode::Enter)).await;
    assert_eq!(app.view(), View::Account);
    assert_eq!(app.stack.ticket().map(|p| &p.id), Some(&other.ticket_id));
    assert_eq!(app.stack.depth(), 2, "one account over the queue");

    // An unknown id: a clear word, and nothing opens.
    press(&mut app, &h, key(KeyCode::Esc)).await;
    press(&mut app, &h, ch('/')).await;
    typed(&mut app, &h, "T-9999").await;
    press(&mut app, &h, key(KeyCode::Enter)).await;
    assert_eq!(app.view(), View::Queue);
    let banner = app.banner.clone().unwrap_or_else(|| panic!("no banner: {}", common::screen_wide(&app)));
    assert!(banner.error && banner.text.contains("No ticket T-9999"), "{banner:?}");
    press(&mut app, &h, ch('A')).await;
    // The search keeps what was typed last: start afresh.
    app.stack.search_mut().expect("search in front").input = tui_input::Input::default();
    typed(&mut app, &h, "t-123456").await;
    press(&mut app, &h, key(KeyCode::Enter)).await;
    assert_eq!(app.view(), View::Search);
    assert!(app.banner.as_ref().is_some_and(|b| b.error && b.text.contains("No ticket T-123456")));
}

/// Accounts of the sandbox by how many open tickets each has.
async fn by_open_tickets(
    h: &Harness,
) -> (Vec<portaldesk::portal::model::AccountId>, Vec<portaldesk::portal::model::AccountId>) {
    let all = all_open(h).await;
    let mut counts = std::collections::BTreeMap::new();
    for t in &all {
        *counts.entry(t.account_id.clone()).or_insert(0) += 1;
    }
    let one = counts.iter().filter(|(_, n)| **n == 1).map(|(id, _)| id.clone()).collect();
    let several = counts.iter().filter(|(_, n)| **n >= 2).map(|(id, _)| id.clone()).collect();
    (one, several)
}

/// Searches an account by its id and opens it.
async fn open_from_search(app: &mut App, h: &Harness, id: &str) {
    press(app, h, ch('A')).await;
    app.stack.search_mut().expect("search in front").input = tui_input::Input::default();
    typed(app, h, id).await;
    let found = common::found(app).iter().position(|a| a.id.as_str() == id);
    let index = found.unwrap_or_else(|| panic!("{id} not found: {}", common::screen_wide(app)));
    for _ in 0..index {
        app.update(key(KeyCode::Down), t0());
    }
    press(app, h, key(KeyCode::Enter)).await;
}

#[tokio::test]
async fn an_account_opened_from_search_is_tied_to_its_one_open_ticket_and_f_fixes_it() {
    let h = Harness::start().await;
    let mut app = common::started_wide(&h).await;
    let seeded = h.ticket(SeedCase::EmailTypo).clone();
    let (one, _) = by_open_tickets(&h).await;
    assert!(one.contains(&seeded.account_id));
    open_from_search(&mut app, &h, seeded.account_id.as_str()).await;
    assert_eq!(app.view(), View::Account);
    assert_eq!(app.screen(), ScreenKind::Ticket, "attached: the ticket pane shows");
    assert_eq!(app.stack.account().unwrap().ticket_id.as_ref(), Some(&seeded.ticket_id));
    let pane = app.stack.ticket().unwrap();
    assert!(pane.ticket.data.is_some() && pane.messages.data.is_some());
    assert!(pane.claimed_on_open, "as if opened from the queue");
    // Reading does not claim it (claim_on_open is off).
    assert_eq!(h.client.ticket(&seeded.ticket_id).await.unwrap().value.assignee, None);
    assert!(common::screen_wide(&app).contains(&format!("ticket {}", seeded.ticket_id)));

    // `f` works on it: the fix dialog opens with the ticket's reply.
    press(&mut app, &h, ch('f')).await;
    let Some(Overlay::Fix(fix)) = &app.overlay else { panic!("no fix dialog: {:?}", app.banner) };
    assert_eq!(fix.plan.ticket_id.as_ref(), Some(&seeded.ticket_id));
}

#[tokio::test]
async fn several_open_tickets_ask_which_and_none_leaves_the_account_alone() {
    let h = Harness::with(SandboxOptions { frozen_at: Some(t0()), tickets: 300, ..SandboxOptions::default() }).await;
    let mut app = common::started_wide(&h).await;
    let (_, several) = by_open_tickets(&h).await;
    let account = several.first().expect("an account with several open tickets").clone();
    let theirs: Vec<TicketId> =
        all_open(&h).await.into_iter().filter(|t| t.account_id == account).map(|t| t.id).collect();

    open_from_search(&mut app, &h, account.as_str()).await;
    assert_eq!(app.screen(), ScreenKind::TicketPicker);
    assert!(app.stack.ticket().is_none());
    let Some(Overlay::TicketPicker(picker)) = &app.overlay else { panic!() };
    assert_eq!(picker.tickets.iter().map(|t| t.id.clone()).collect::<Vec<_>>(), theirs);
    let screen = common::screen_wide(&app);
    assert!(screen.contains("several open tickets") && screen.contains(theirs[1].as_str()), "{screen}");
    // The first is selected, its status and who has it beside its id; the
    // keys under the list.
    let first = screen.lines().find(|l| l.contains(&format!("▶ {}", theirs[0]))).expect("the selected ticket");
    assert!(first.contains("open") || first.contains("pending"), "{first}");
    assert!(screen.contains("Enter works the ticket selected"), "{screen}");
    // The second one.
    press(&mut app, &h, ch('j')).await;
    press(&mut app, &h, key(KeyCode::Enter)).await;
    assert!(app.overlay.is_none());
    assert_eq!(app.screen(), ScreenKind::Ticket);
    assert_eq!(app.stack.ticket().map(|p| &p.id), Some(&theirs[1]));
    assert_eq!(app.stack.account().unwrap().ticket_id.as_ref(), Some(&theirs[1]));
    assert!(app.stack.ticket().unwrap().ticket.data.is_some());

    // Esc in the picker: the account alone.
    press(&mut app, &h, key(KeyCode::Esc)).await;
    open_from_search(&mut app, &h, account.as_str()).await;
    press(&mut app, &h, key(KeyCode::Esc)).await;
    assert!(app.overlay.is_none() && app.stack.ticket().is_none());
    assert_eq!(app.screen(), ScreenKind::Account);

    // An account with no ticket: the plain account, as before.
    press(&mut app, &h, key(KeyCode::Esc)).await;
    let open: HashSet<_> = all_open(&h).await.into_iter().map(|t| t.account_id).collect();
    let lonely = (1..=220).map(|n| format!("acc_{n}")).find(|id| !open.iter().any(|a| a.as_str() == id)).unwrap();
    open_from_search(&mut app, &h, &lonely).await;
    assert_eq!(app.screen(), ScreenKind::Account);
    assert!(app.overlay.is_none() && app.stack.ticket().is_none() && app.stack.account().unwrap().ticket_id.is_none());
}

#[tokio::test]
async fn paging_through_329_tickets_reaches_every_one_once() {
    let h = Harness::with(SandboxOptions { frozen_at: Some(t0()), tickets: 300, ..SandboxOptions::default() }).await;
    let expected: Vec<TicketId> = all_open(&h).await.into_iter().map(|t| t.id).collect();
    assert_eq!(expected.len(), 329);
    for page in [None, Some(40)] {
        let (mut app, _) = App::new(true, (160, 48));
        app.stack.queue.page = page;
        let effects = app.load_queue();
        let ran = common::settle(&mut app, &h, effects, t0()).await;
        // A page of 40 is read on at once: the cursor is within 50 rows of its end.
        let first = page.map_or(200, |p| p as usize * 2);
        assert_eq!(app.stack.queue.len(), first, "the first page(s)");
        assert!(common::screen_wide(&app).contains(&format!("Open tickets ({first}+)")));
        let mut seen = vec![app.stack.queue.selected_ticket().unwrap().id.clone()];
        let mut reads = queue_reads(&ran).len();
        while app.stack.queue.selected + 1 < app.stack.queue.len() {
            let ran = press(&mut app, &h, ch('j')).await;
            reads += queue_reads(&ran).len();
            seen.push(app.stack.queue.selected_ticket().unwrap().id.clone());
        }
        assert!(app.stack.queue.complete(), "the last page was read");
        assert_eq!(seen, expected, "every ticket once, in order, none twice");
        let pages = 329usize.div_ceil(page.map_or(200, |p| p as usize));
        assert_eq!(reads, pages, "one read per page");
        assert!(common::screen_wide(&app).contains("Open tickets (329)"));
        // A re-read keeps the cursor's ticket (as many rows as read, up to 500).
        let last = app.stack.queue.selected_ticket().unwrap().id.clone();
        press(&mut app, &h, ch('R')).await;
        assert_eq!(app.stack.queue.selected_ticket().map(|t| &t.id), Some(&last));
    }
}

#[tokio::test]
async fn g_and_page_down_read_on_and_a_local_filter_reads_until_the_end() {
    let h = Harness::with(SandboxOptions { frozen_at: Some(t0()), tickets: 300, ..SandboxOptions::default() }).await;
    let (mut app, _) = App::new(true, (160, 48));
    app.stack.queue.page = Some(50);
    let effects = app.load_queue();
    common::settle(&mut app, &h, effects, t0()).await;
    press(&mut app, &h, key(KeyCode::PageDown)).await;
    assert!(app.stack.queue.selected > 20, "a page down moves by a screen");
    for _ in 0..10 {
        press(&mut app, &h, ch('G')).await;
    }
    assert!(app.stack.queue.complete());
    assert_eq!(app.stack.queue.selected, 328);
    // Expiring soon on a fresh read: pages are read while few rows show.
    press(&mut app, &h, ch('e')).await;
    let all = all_open(&h).await;
    let now = t0();
    let want = all.iter().filter(|t| Only::ExpiringSoon.keeps(t, now)).count();
    assert_eq!(app.stack.queue.len(), want);
    assert!(app.stack.queue.complete(), "read to the end, since fewer than a screen show");
}

/// The effects that ran read the queue again (the queue's own read, not
/// an account's tickets).
fn reads_queue(ran: &[Effect]) -> bool {
    !queue_reads(ran).is_empty()
}

#[tokio::test]
async fn the_queue_is_read_again_after_every_action_taken_from_a_ticket() {
    let h = Harness::start().await;
    let mut app = common::started_wide(&h).await;
    let seeded = h.ticket(SeedCase::EmailTypo).clone();
    let index = shown(&app).iter().position(|t| t.id == seeded.ticket_id).unwrap();
    assert!(shown(&app)[index].assignee.is_none());
    app.stack.queue.selected = index;
    // With claim_on_open, opening claims it: the queue shows it claimed.
    app.claim_on_open = true;
    let ran = press(&mut app, &h, key(KeyCode::Enter)).await;
    assert!(reads_queue(&ran), "claim on open");
    let me = h.client.me().await.unwrap().id;
    let row =
        |app: &App| app.stack.queue.tickets.data.as_ref().unwrap().iter().find(|t| t.id == seeded.ticket_id).cloned();
    assert_eq!(row(&app).unwrap().assignee.as_deref(), Some(me.as_str()));

    let paste = |text: &str| Msg::Paste(text.to_owned());
    let (enter, tab) = (|| key(KeyCode::Enter), || key(KeyCode::Tab));
    let steps: Vec<(&str, Vec<Msg>)> = vec![
        ("fix", vec![ch('f'), enter()]),
        ("note", vec![ch('m'), paste("called back"), enter()]),
        ("DOB", vec![ch('e'), paste("03/05/1990"), tab(), paste("confirmed on the call"), enter(), enter()]),
        ("address", vec![ch('a'), paste("new.address@example.org"), tab(), paste("client asked"), enter(), enter()]),
        ("resend", vec![ch('r'), enter()]),
        ("revoke", vec![ch('x'), paste("sent to the old address"), enter(), enter()]),
        ("release", vec![ch('C')]),
        ("claim", vec![ch('c')]),
        // Solving asks first: Enter solves.
        ("solve", vec![ch('S'), enter()]),
    ];
    for (what, msgs) in steps {
        app.banner = None;
        let mut ran = Vec::new();
        for msg in msgs {
            ran.extend(press(&mut app, &h, msg).await);
        }
        // A risky resend asks for a second Enter on its highlighted line.
        if app.screen() == ScreenKind::Resend {
            ran.extend(press(&mut app, &h, enter()).await);
        }
        assert!(app.overlay.is_none(), "{what}: the dialog is still open ({:?})", app.banner);
        assert!(!app.banner.as_ref().is_some_and(|b| b.error), "{what}: {:?}", app.banner);
        assert!(reads_queue(&ran), "{what}: the queue was not read again");
        let read = h.client.ticket(&seeded.ticket_id).await.unwrap().value;
        match row(&app) {
            Some(row) => assert_eq!((row.assignee, row.status), (read.assignee, read.status), "{what}"),
            None => assert_ne!(read.status, TicketStatus::Open, "{what}: gone from the open queue only when not open"),
        }
    }
    assert!(row(&app).is_none(), "solved: gone from the queue of open tickets");
}

/// `GET /api/v1/tickets?account_id=`: the tickets of one account, every
/// status unless one is asked for, combined with the other filters; an
/// account with none (or none such) gives an empty page, a bad id a 400.
#[tokio::test]
async fn the_contract_lists_one_accounts_tickets_by_account_id() {
    let h = Harness::with(SandboxOptions { frozen_at: Some(t0()), tickets: 300, ..SandboxOptions::default() }).await;
    let everything = {
        let mut all = Vec::new();
        for status in [TicketStatus::Open, TicketStatus::Pending, TicketStatus::Solved] {
            all.extend(h.client.tickets(Some(status)).await.unwrap());
        }
        all
    };
    let (_, several) = by_open_tickets(&h).await;
    for account in several.iter().take(3) {
        let query = TicketQuery { account_id: Some(account.clone()), ..TicketQuery::default() };
        let page = h.client.ticket_page(&query).await.unwrap();
        let mut want: Vec<&Ticket> = everything.iter().filter(|t| &t.account_id == account).collect();
        want.sort_by_key(|t| (t.opened_at, t.id.as_str()[2..].parse::<u64>().unwrap_or(0)));
        assert!(page.items.len() >= 2);
        assert_eq!(
            page.items.iter().map(|t| &t.id).collect::<Vec<_>>(),
            want.iter().map(|t| &t.id).collect::<Vec<_>>(),
            "{account}: all of its tickets, in the queue's order"
        );
        // Paged and combined with the other filters.
        let one = h.client.ticket_page(&TicketQuery { limit: Some(1), ..query.clone() }).await.unwrap();
        assert_eq!(one.items.len(), 1);
        let next = TicketQuery { limit: Some(1), cursor: one.next_cursor.clone(), ..query.clone() };
        assert_eq!(h.client.ticket_page(&next).await.unwrap().items[0].id, page.items[1].id);
        let claimed = TicketQuery { assignee: Some(Assignee::Nobody), ..query.clone() };
        let unclaimed = h.client.ticket_page(&claimed).await.unwrap().items;
        assert!(unclaimed.iter().all(|t| &t.account_id == account && t.assignee.is_none()));
    }
    // The solved ones too (the seed solved some).
    let solved = everything.iter().find(|t| t.status == TicketStatus::Solved).unwrap();
    let query = TicketQuery {
        account_id: Some(solved.account_id.clone()),
        status: Some(TicketStatus::Solved),
        ..TicketQuery::default()
    };
    assert!(h.client.ticket_page(&query).await.unwrap().items.iter().any(|t| t.id == solved.id));
    // None such: an empty page, not an error.
    let nobody = TicketQuery { account_id: Some("acc_999999".into()), ..TicketQuery::default() };
    let page = h.client.ticket_page(&nobody).await.unwrap();
    assert!(page.items.is_empty() && page.next_cursor.is_none());
    let long = "a".repeat(65);
    for bad in ["account_id=".to_owned(), format!("account_id={long}")] {
        let answer = h.raw().get(h.url(&format!("/api/v1/tickets?{bad}"))).bearer_auth("sandbox").send().await.unwrap();
        assert_eq!(answer.status(), reqwest::StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(answer.headers()["content-type"], "application/problem+json", "{bad}");
    }
}
