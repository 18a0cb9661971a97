//! Issue 14, points 5 and 7-10 on the console: risky actions need a second
//! look, a pasted link is matched to the account's invites, the layout at
//! small and large sizes, the address dialog's focus, the DOB edit's
//! reading and `n` on the queue. State through the real sandbox; frames
//! through a `TestBackend`.

use crate::common;

use chrono::{DateTime, Utc};
use common::{Harness, ch, key, t0};
use crossterm::event::KeyCode;
use portaldesk::sandbox::seed::SeedCase;
use portaldesk::tui::action::{Effect, Msg, Request};
use portaldesk::tui::app::{App, Overlay, View};
use portaldesk::tui::keymap::ScreenKind;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn now() -> DateTime<Utc> {
    t0()
}

async fn started(h: &Harness, size: (u16, u16)) -> App {
    let (mut app, effects) = App::new(true, size);
    common::settle(&mut app, h, effects, now()).await;
    app
}

async fn on_ticket(h: &Harness, case: SeedCase, size: (u16, u16)) -> App {
    let mut app = started(h, size).await;
    common::open_ticket(&mut app, h, case).await;
    app
}

async fn press(app: &mut App, h: &Harness, msg: Msg) -> Vec<Effect> {
    common::press(app, h, msg).await
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(ch(c), now());
    }
}

/// The frame at `size`, as text lines.
fn screen(app: &App, size: (u16, u16)) -> Vec<String> {
    let mut terminal = Terminal::new(TestBackend::new(size.0, size.1)).unwrap();
    terminal.draw(|frame| portaldesk::tui::app::render(app, frame, now())).unwrap();
    let buffer = terminal.backend().buffer().clone();
    (0..size.1).map(|y| (0..size.0).map(|x| buffer[(x, y)].symbol().to_owned()).collect::<String>()).collect()
}

/// The frame at `size`, cell by cell.
fn cells(app: &App, size: (u16, u16)) -> Vec<Vec<String>> {
    let mut terminal = Terminal::new(TestBackend::new(size.0, size.1)).unwrap();
    terminal.draw(|frame| portaldesk::tui::app::render(app, frame, now())).unwrap();
    let buffer = terminal.backend().buffer().clone();
    (0..size.1).map(|y| (0..size.0).map(|x| buffer[(x, y)].symbol().to_owned()).collect()).collect()
}

fn joined(lines: &[String]) -> String {
    lines.join("\n")
}

// ------------------------------------------------------------ point 10

#[tokio::test]
async fn the_dob_edit_reads_3_5_1988_and_shows_it_normalised_before_saving() {
    let h = Harness::start().await;
    let mut app = on_ticket(&h, SeedCase::DobOnFileWrong, (80, 24)).await;
    app.update(ch('e'), now());
    typed(&mut app, "3/5/1988");
    let form = joined(&screen(&app, (80, 24)));
    assert!(form.contains("✓ 03/05/1988"), "the normalised entry shows as typed:\n{form}");
    app.update(key(KeyCode::Tab), now());
    typed(&mut app, "client read it from her ID");
    app.update(key(KeyCode::Enter), now());
    let Some(Overlay::EditDob(_)) = &app.overlay else { panic!("the dialog closed") };
    let review = joined(&screen(&app, (80, 24)));
    assert!(review.contains("→  New 03/05/1988"), "the review shows the normalised DOB:\n{review}");
    let save = app.update(key(KeyCode::Enter), now());
    let Some(Effect::Portal(_, Request::SaveAccount { patch, .. })) = save.first() else { panic!("{save:?}") };
    assert_eq!(patch.dob.as_ref().map(|d| d.expose().to_string()).as_deref(), Some("1988-03-05"));
}

#[tokio::test]
async fn n_on_the_queue_opens_the_next_unclaimed_ticket() {
    let h = Harness::start().await;
    let mut app = started(&h, (160, 48)).await;
    let tickets = app.stack.queue.tickets.data.clone().unwrap();
    app.stack.queue.selected = 2;
    let effects = press(&mut app, &h, ch('n')).await;
    let expected = (3..tickets.len()).find(|&i| tickets[i].assignee.is_none()).unwrap();
    assert_eq!(app.view(), View::Account, "n opens the ticket, as on the account screen");
    let account = app.stack.account().unwrap();
    assert_eq!(account.ticket_id.as_ref(), Some(&tickets[expected].id));
    assert_eq!(account.id, tickets[expected].account_id);
    assert!(effects.iter().any(|e| matches!(e, Effect::Portal(_, Request::Account { .. }))));
    // The same ticket screen as Enter (issue 27), not a cut-down account.
    assert_eq!(app.screen(), ScreenKind::Ticket);
}

// ------------------------------------------------------------- point 9

/// The frame at `size` and where the cursor is drawn.
fn screen_and_cursor(app: &App, size: (u16, u16)) -> (Vec<String>, (u16, u16)) {
    use ratatui::backend::Backend;
    let mut terminal = Terminal::new(TestBackend::new(size.0, size.1)).unwrap();
    terminal.draw(|frame| portaldesk::tui::app::render(app, frame, now())).unwrap();
    let cursor = terminal.backend_mut().get_cursor_position().unwrap();
    let buffer = terminal.backend().buffer().clone();
    let lines =
        (0..size.1).map(|y| (0..size.0).map(|x| buffer[(x, y)].symbol().to_owned()).collect::<String>()).collect();
    (lines, (cursor.x, cursor.y))
}

#[tokio::test]
async fn the_address_dialog_moves_with_j_k_in_its_list_and_marks_and_shows_the_focused_field() {
    let h = Harness::start().await;
    let mut app = on_ticket(&h, SeedCase::WrongAddress, (80, 24)).await;
    app.update(ch('a'), now());
    assert_eq!(app.screen(), ScreenKind::Addresses);
    // The list has the focus: j and k move, nothing is typed.
    app.update(ch('j'), now());
    let Some(Overlay::Addresses(state)) = &app.overlay else { panic!() };
    assert_eq!(state.selected, 1, "j moves down the list");
    assert_eq!(state.new_address.value(), "", "j is not typed");
    app.update(ch('k'), now());
    let Some(Overlay::Addresses(state)) = &app.overlay else { panic!() };
    assert_eq!(state.selected, 0, "k moves up");

    // Tab: the empty new address field shows its focus, with the cursor.
    app.update(key(KeyCode::Tab), now());
    let (lines, cursor) = screen_and_cursor(&app, (80, 24));
    let row = lines.iter().position(|l| l.contains("▶ New address")).expect("the focused field is marked ▶");
    assert_eq!(usize::from(cursor.1), row, "the cursor is on the empty focused field:\n{}", joined(&lines));

    // A mistyped address brings warnings; the Reason field's cursor is
    // still on its own row.
    typed(&mut app, "jo@gmial.cmo");
    let Some(Overlay::Addresses(state)) = &app.overlay else { panic!() };
    assert_eq!(state.new_address.value(), "jo@gmial.cmo", "in a field, j is typed");
    app.update(key(KeyCode::Tab), now());
    let (lines, cursor) = screen_and_cursor(&app, (80, 24));
    assert!(lines.iter().any(|l| l.contains("⚠")), "warnings show:\n{}", joined(&lines));
    let row = lines.iter().position(|l| l.contains("▶ Reason")).expect("the Reason field is marked ▶");
    assert_eq!(usize::from(cursor.1), row, "the cursor is on the Reason field:\n{}", joined(&lines));
    assert!(!lines.iter().any(|l| l.contains("▶ New address")), "one field marked at a time");
}

// ------------------------------------------------------------- point 5

fn sends_resend(effects: &[Effect]) -> bool {
    effects.iter().any(|e| matches!(e, Effect::Portal(_, Request::Resend { .. })))
}

#[tokio::test]
async fn a_risky_resend_names_its_risk_and_needs_a_second_enter() {
    let h = Harness::start().await;
    for (case, risk) in [
        (SeedCase::EmailTypo, "looks mistyped"),
        (SeedCase::Bounced, "bounced before"),
        (SeedCase::AlreadyAccepted, "already accepted an invite"),
    ] {
        let mut app = on_ticket(&h, case, (80, 24)).await;
        app.update(ch('r'), now());
        assert_eq!(app.screen(), ScreenKind::Resend);
        let shown = joined(&screen(&app, (80, 24)));
        assert!(shown.contains(risk), "{case:?}: the dialog names the risk:\n{shown}");
        assert!(!sends_resend(&app.update(key(KeyCode::Enter), now())), "{case:?}: one Enter sent it");
        let armed = joined(&screen(&app, (80, 24)));
        assert!(armed.contains("▶ Send anyway"), "{case:?}: the second look is highlighted:\n{armed}");
        assert!(armed.contains("Enter again sends it anyway"), "{case:?}: its keys show too:\n{armed}");
        // Esc goes back from it, and the next Enter asks again.
        app.update(key(KeyCode::Esc), now());
        assert_eq!(app.screen(), ScreenKind::Resend, "{case:?}");
        assert!(!sends_resend(&app.update(ch('y'), now())), "{case:?}: y after Esc sent it");
        assert!(sends_resend(&app.update(key(KeyCode::Enter), now())), "{case:?}: the second Enter sends");
    }
    // Nothing risky: one Enter sends, as ever.
    let mut app = on_ticket(&h, SeedCase::ExpiredClientInvite, (80, 24)).await;
    app.update(ch('r'), now());
    assert!(!joined(&screen(&app, (80, 24))).contains("Risk"));
    assert!(sends_resend(&app.update(key(KeyCode::Enter), now())));
}

#[tokio::test]
async fn a_revoke_shows_what_it_does_and_needs_a_second_enter() {
    let h = Harness::start().await;
    let mut app = on_ticket(&h, SeedCase::DeliveredNotOpened, (80, 24)).await;
    let invite = app.stack.account().unwrap().selected().unwrap().id.clone();
    app.update(ch('x'), now());
    app.update(Msg::Paste("sent to an old address".into()), now());
    let first = app.update(key(KeyCode::Enter), now());
    assert!(!first.iter().any(|e| matches!(e, Effect::Portal(_, Request::Revoke { .. }))), "one Enter revoked");
    let armed = joined(&screen(&app, (80, 24)));
    assert!(armed.contains(&format!("▶ Revoke {invite}")), "{armed}");
    assert!(armed.contains("stops working at once"), "{armed}");
    // Typing does not change the reason meanwhile; Esc goes back to it.
    app.update(ch('z'), now());
    app.update(key(KeyCode::Esc), now());
    let Some(Overlay::Revoke(state)) = &app.overlay else { panic!("Esc closed the dialog") };
    assert_eq!(state.reason.value(), "sent to an old address");
    app.update(key(KeyCode::Enter), now());
    let effects = press(&mut app, &h, key(KeyCode::Enter)).await;
    assert!(effects.iter().any(|e| matches!(e, Effect::Portal(_, Request::Revoke { .. }))), "{effects:?}");
    assert!(app.overlay.is_none(), "revoked");
}

// ------------------------------------------------------- point 7 (console)

/// The frame's words as one flowing text: borders gone, wrapped lines
/// joined, runs of spaces one space.
fn findings_text(app: &App, size: (u16, u16)) -> String {
    let lines = screen(app, size).join(" ").replace(['│', '┌', '┐', '└', '┘', '─'], " ");
    lines.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn a_pasted_link_is_matched_to_its_invite_and_said_why_it_does_not_work() {
    let h = Harness::start().await;
    let mut app = on_ticket(&h, SeedCase::SupersededLink, (160, 48)).await;
    let account_id = app.stack.account().unwrap().id.clone();
    let invites = app.stack.account().unwrap().invites.data.clone().unwrap();
    let outbox = h.client.sandbox_outbox(Some(&account_id)).await.unwrap();
    let superseded = invites
        .iter()
        .find(|i| i.status == portaldesk::portal::model::InviteStatus::Superseded)
        .expect("the seed supersedes a link");
    let old_link = outbox.iter().find(|m| m.invite_id == superseded.id).expect("its email").link.clone();
    let token = old_link.rsplit('/').next().unwrap().to_owned();

    // Pasted as the client copied it from Outlook: wrapped by Safe Links.
    let wrapped = format!(
        "https://nam12.safelinks.protection.outlook.com/?url={}&data=05%7C02",
        percent_encoding::utf8_percent_encode(&old_link, percent_encoding::NON_ALPHANUMERIC)
    );
    press(&mut app, &h, Msg::Paste(format!("  <{wrapped}>\n"))).await;
    let shown = findings_text(&app, (120, 40));
    assert!(shown.contains("⇲ pasted link This is the link of"), "{shown}");
    assert!(shown.contains(&format!("({})", superseded.id)), "which invite:\n{shown}");
    assert!(shown.contains("superseded by the resend at"), "why it does not work:\n{shown}");
    assert!(shown.contains("use the newest email"), "{shown}");
    assert!(shown.contains("Microsoft Safe Links"), "the wrapper is named:\n{shown}");
    assert!(!shown.contains(&token), "the token never shows");
    // It comes first among the findings.
    let rows = screen(&app, (160, 48));
    let pasted_row = rows.iter().position(|l| l.contains("⇲ pasted link")).unwrap();
    let finding_row = rows.iter().position(|l| l.contains("│! ") || l.contains("│✓ ")).unwrap();
    assert!(pasted_row < finding_row, "{shown}");

    // The newest link works.
    let newest = invites.iter().max_by_key(|i| i.sent_at).unwrap();
    let new_link = outbox.iter().find(|m| m.invite_id == newest.id).unwrap().link.clone();
    press(&mut app, &h, Msg::Paste(new_link)).await;
    let shown = findings_text(&app, (120, 40));
    assert!(shown.contains(&format!("({}), the newest invite: it works", newest.id)), "{shown}");

    // A copy cut short matches no invite, and its length says why.
    let cut = &old_link[..old_link.len() - 12];
    press(&mut app, &h, Msg::Paste(cut.to_owned())).await;
    let shown = findings_text(&app, (120, 40));
    assert!(shown.contains("matches none of this account's invites"), "{shown}");
    assert!(shown.contains("has 20 characters where a real one has 32"), "{shown}");
}

// ------------------------------------------------------------- point 8

async fn on_ticket_id(h: &Harness, ticket: &str, size: (u16, u16)) -> App {
    let seeded = h.sandbox.seeded.tickets.iter().find(|t| t.ticket_id == ticket).unwrap().clone();
    let mut app = started(h, size).await;
    let effects = app.open_account(seeded.account_id, Some(seeded.ticket_id));
    common::settle(&mut app, h, effects, now()).await;
    app
}

/// The finding codes on screen (`! code` or `✓ code` at a panel's edge).
fn codes_shown(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter_map(|l| {
            let at = l.find("│! ").or_else(|| l.find("│✓ "))?;
            let rest = &l[at + "│! ".len()..];
            Some(rest.split_whitespace().next()?.to_owned())
        })
        .collect()
}

#[tokio::test]
async fn at_80x24_the_findings_scroll_with_page_keys_and_the_wheel_so_every_finding_is_reachable() {
    use crossterm::event::{KeyModifiers, MouseEvent, MouseEventKind};
    let h = Harness::start().await;
    let size = (80, 24);
    let mut app = on_ticket_id(&h, "T-1005", size).await;
    let account = app.stack.account().unwrap();
    let all = portaldesk::diagnose::troubleshoot::troubleshoot(
        &portaldesk::diagnose::troubleshoot::Case::new(
            &account.account.data.as_ref().unwrap().value,
            account.invites.data.as_deref().unwrap(),
            now(),
        ),
        &app.replies,
    );
    assert!(all.len() >= 3, "T-1005 has three findings");
    let mut seen = codes_shown(&screen(&app, size));
    assert!(seen.len() < all.len(), "not all fit at once at 80x24");
    for _ in 0..6 {
        app.update(key(KeyCode::PageDown), now());
        seen.extend(codes_shown(&screen(&app, size)));
    }
    for finding in &all {
        assert!(seen.iter().any(|c| c == finding.code.as_str()), "{} never showed", finding.code.as_str());
    }
    assert!(app.stack.account().unwrap().findings_scroll > 0);
    for _ in 0..6 {
        app.update(key(KeyCode::PageUp), now());
    }
    assert_eq!(app.stack.account().unwrap().findings_scroll, 0, "PageUp goes back to the top");
    // The wheel over the findings scrolls them (not the invites).
    let wheel = |kind| Msg::Mouse(MouseEvent { kind, column: 10, row: 18, modifiers: KeyModifiers::NONE });
    app.update(wheel(MouseEventKind::ScrollDown), now());
    assert_eq!(app.stack.account().unwrap().findings_scroll, 3);
    assert_eq!(app.stack.account().unwrap().selected_invite, 0);
    app.update(wheel(MouseEventKind::ScrollUp), now());
    assert_eq!(app.stack.account().unwrap().findings_scroll, 0);
}

#[tokio::test]
async fn wrapped_findings_and_timelines_are_indented_and_invite_lines_are_not_cut_mid_word() {
    let h = Harness::start().await;
    for size in [(80, 24), (60, 15), (160, 48)] {
        let mut app = on_ticket(&h, SeedCase::EmailTypo, size).await;
        let lines = screen(&app, size);
        // Inside the findings panel, every line that continues a wrapped
        // one starts indented.
        let top = lines.iter().position(|l| l.contains("Why they cannot get in")).unwrap();
        for line in lines.iter().skip(top + 1) {
            let Some(inner) = line.strip_prefix('│') else { continue };
            if inner.trim().is_empty() {
                continue;
            }
            assert!(
                inner.starts_with("! ") || inner.starts_with("✓ ") || inner.starts_with(' '),
                "a continuation line starts at column 0 at {size:?}: {line:?}\n{}",
                joined(&lines)
            );
        }
        assert!(!joined(&lines).contains("expire…"), "an invite line is cut at {size:?}:\n{}", joined(&lines));
        assert!(!joined(&lines).contains("expires…"), "an invite line is cut at {size:?}:\n{}", joined(&lines));
        // The timeline too: inside its box, every line starts with a space
        // (entries and their continuations) or the headline's mark.
        app.update(key(KeyCode::Enter), now());
        let rows = cells(&app, size);
        let title = rows.iter().position(|r| r.concat().contains("· timeline")).unwrap();
        let at = rows[title].iter().position(|c| c == "I").unwrap();
        let left = rows[title][..at].iter().rposition(|c| c == "┌").unwrap();
        for row in &rows[title + 1..] {
            if row[left] != "│" {
                break;
            }
            let first = row[left + 1].as_str();
            if row.concat().contains("Nobody has opened the link yet") {
                continue;
            }
            assert!(
                [" ", "✓", "✕"].contains(&first),
                "a timeline line starts at its box's edge at {size:?}: {:?}",
                row.concat()
            );
        }
    }
}

#[tokio::test]
async fn at_60x15_the_reply_shows_and_the_offline_header_fits() {
    let h = Harness::start().await;
    let size = (60, 15);
    let mut app = on_ticket(&h, SeedCase::EmailTypo, size).await;
    let shown = joined(&screen(&app, size));
    assert!(shown.contains("Say:"), "the reply is visible at 60x15:\n{shown}");
    assert!(shown.contains("▶ ● pending"), "the selected invite's state line shows:\n{shown}");
    // The portal goes away: the header still says so, whole, at 80 and 60
    // columns.
    let Harness { sandbox, client, .. } = h;
    sandbox.stop().await.unwrap();
    for effect in app.update(ch('R'), now()) {
        if let Effect::Portal(req, request) = effect {
            let answer = portaldesk::request::perform(&client, request).await;
            app.update(Msg::Answer(req, answer), now());
        }
    }
    assert!(app.offline.is_some());
    for size in [(80, 24), (60, 15)] {
        let header = screen(&app, size).remove(0);
        assert!(header.contains("⚠ OFFLINE since"), "{header:?}");
        assert!(header.trim_end().chars().count() < usize::from(size.0), "cut at {size:?}: {header:?}");
    }
}

#[tokio::test]
async fn at_160x48_the_profile_shows_the_whole_address_and_the_findings_get_the_room() {
    let h = Harness::start().await;
    let size = (160, 48);
    let mut app = on_ticket(&h, SeedCase::WrongAddress, size).await;
    app.update(ch('v'), now());
    let account = app.stack.account().unwrap().account.data.clone().unwrap().value;
    let lines = screen(&app, size);
    let text = joined(&lines);
    assert!(text.contains(&format!("{} ★ default", account.email.expose())), "{text}");
    // The invites panel takes what it needs; the findings start higher.
    let findings_row = lines.iter().position(|l| l.contains("Why they cannot get in")).unwrap();
    assert!(findings_row < 20, "the findings start at row {findings_row}:\n{text}");
}

#[tokio::test]
async fn an_expiring_invite_has_a_space_before_its_countdown_and_t_aligns_the_timeline() {
    let h = Harness::start().await;
    let size = (160, 48);
    let app = on_ticket(&h, SeedCase::StaffInviteExpiringSoon, size).await;
    let text = joined(&screen(&app, size));
    assert!(text.contains("◐ expiring soon "), "{text}");
    assert!(!text.contains("expiring soon1") && !text.contains("expiring soon2") && !text.contains("expiring soon5"));
    // With `t` the timeline's columns still align: every event's mark
    // starts in the same column.
    let mut app = on_ticket(&h, SeedCase::ScannerPreOpened, size).await;
    app.update(ch('t'), now());
    app.update(key(KeyCode::Enter), now());
    let lines = screen(&app, size);
    let columns: Vec<usize> = lines
        .iter()
        .filter_map(|l| {
            ["  ⚙ scanner", "  ☺ client", "  ·  "]
                .iter()
                .filter_map(|m| l.find(m).map(|b| l[..b].chars().count()))
                .min()
        })
        .filter(|&c| c > 20)
        .collect();
    assert!(columns.len() >= 3, "{}", joined(&lines));
    assert!(columns.windows(2).all(|w| w[0] == w[1]), "marks at columns {columns:?}:\n{}", joined(&lines));
}

#[tokio::test]
async fn t_on_the_queue_shows_when_each_ticket_was_opened() {
    let h = Harness::start().await;
    let size = (160, 48);
    let mut app = started(&h, size).await;
    let before = joined(&screen(&app, size));
    app.update(ch('t'), now());
    let after = joined(&screen(&app, size));
    assert_ne!(before, after, "t changes the queue's times");
    let opened = app.stack.queue.tickets.data.as_ref().unwrap()[0].opened_at;
    assert!(after.contains(&app.zone.short(opened)), "{after}");
}
