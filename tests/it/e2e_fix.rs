//! End to end, issue 15: the real binary in a real terminal against a
//! sandbox process (`portaldesk sandbox serve`), worked as an agent would:
//! open a seeded ticket from the queue whose top cause has a fix, read the
//! client's message in the ticket pane, press `f` then Enter, quit. Then
//! the API must show the reply emailed exactly once, the ticket solved and
//! the DOB the client wrote on file.

use crate::common::Server;
use crate::e2e::BIN;
use crate::fix::plan_for;

use common::term::{Key, Term};
use portaldesk::diagnose::remedy::{RemedyKind, Step};
use portaldesk::portal::model::{AuthorKind, TicketStatus};
use portaldesk::portal::{ApiToken, ClientOptions, PortalClient};

use crate::common;

#[test]
fn from_the_queue_f_then_enter_fixes_the_ticket_replies_once_and_solves_it() {
    let token = format!("e2e-fix-{}", std::process::id());
    let server = Server::start(&token, &[]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let client = PortalClient::new(&server.url, ApiToken::new(token.clone()), ClientOptions::default()).unwrap();

    // The first open ticket whose fix sets the DOB the client wrote in it.
    let queue = runtime.block_on(client.tickets(Some(TicketStatus::Open))).unwrap();
    let (ticket, plan) = queue
        .iter()
        .find_map(|t| {
            let (_, plan) = runtime.block_on(plan_for(&client, &t.id));
            (plan.kind == RemedyKind::SetDob).then_some((t.clone(), plan))
        })
        .expect("a seeded ticket whose fix sets the DOB the client wrote");
    let Some(Step::SetDob { dob }) = plan.steps.first() else { panic!("{:?}", plan.steps) };
    let messages = runtime.block_on(client.messages(&ticket.id)).unwrap();
    let said = messages.iter().find(|m| m.author.kind == AuthorKind::Client).expect("the client's message");
    let first_words: String = said.body.expose().lines().next().unwrap_or_default().chars().take(24).collect();
    assert!(first_words.len() >= 12, "{first_words:?}");

    let dir = std::env::temp_dir().join(format!("portaldesk-e2e-fix-{}", std::process::id()));
    let home = dir.join("home");
    std::fs::create_dir_all(home.join(".config/portaldesk")).unwrap();
    std::fs::write(home.join(".config/portaldesk/config.toml"), "idle_lock_seconds = 3600\n").unwrap();
    let mut term = Term::in_home(&home, &[("PORTALDESK_TOKEN", token.as_str())]);
    term.type_line(&format!("{BIN} --portal {url}; echo exit=$?", url = server.url));
    term.wait_for("Open tickets");

    // Down to its row (the one marked ▶), and open it: the ticket pane
    // with the conversation, masked until revealed.
    let selected = |screen: &str| screen.lines().find(|l| l.contains("▶ ")).map(str::to_owned).unwrap_or_default();
    for _ in 0..queue.len() {
        let row = term.wait_until("a still queue", common::term::WAIT, |screen| Some(selected(screen)));
        if row.contains(ticket.id.as_str()) {
            break;
        }
        term.key(Key::Char('j'));
    }
    term.key(Key::Enter);
    let opened = term.wait_for("characters (v reveals)");
    assert!(opened.contains(ticket.id.as_str()), "the ticket opened is {}:\n{opened}", ticket.id);
    assert!(!opened.contains(&first_words), "the message shows before reveal:\n{opened}");
    term.key(Key::Char('v'));
    let revealed = term.wait_for(&first_words);
    assert!(revealed.contains("dob_in_message"), "the findings cite what the client wrote:\n{revealed}");

    // f: one confirm of the whole remedy; Enter does it all.
    term.key(Key::Char('f'));
    let confirm = term.wait_for("set the DOB on file, reply?");
    assert!(confirm.contains("Set the DOB on file to"), "{confirm}");
    term.key(Key::Enter);
    let done = term.wait_for("Set the DOB on file, replied and solved");
    assert!(!done.contains("reply_only"), "{done}");
    term.key(Key::Char('q'));
    let (code, after) = term.exit_code("exit");
    assert_eq!(code, 0, "{after}");

    // The API: one reply in the outbox, the ticket solved, the DOB set.
    let outbox = runtime.block_on(client.sandbox_reply_outbox(Some(&ticket.id))).unwrap();
    assert_eq!(outbox.len(), 1, "the reply is emailed exactly once");
    let (reply, _) = plan.reply().unwrap();
    assert_eq!(outbox[0].body.expose().trim(), reply.expose().trim());
    let solved = runtime.block_on(client.ticket(&ticket.id)).unwrap().value;
    assert_eq!(solved.status, TicketStatus::Solved);
    let account = runtime.block_on(client.account(&ticket.account_id)).unwrap().value;
    assert_eq!(account.dob.expose(), dob.expose(), "the DOB the client wrote is on file");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue 23, end to end: `f` Enter on the typo ticket emails one reply that
/// names the corrected address in full and the new invite's exact deadline
/// in the practice's zone; a second `f` shows what was done and Esc sends
/// nothing.
#[test]
fn the_typo_fix_emails_the_corrected_address_and_the_real_deadline_once() {
    use portaldesk::timezone::StaffZone;
    let token = format!("e2e-typo-{}", std::process::id());
    let server = Server::start(&token, &[]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let client = PortalClient::new(&server.url, ApiToken::new(token.clone()), ClientOptions::default()).unwrap();
    let queue = runtime.block_on(client.tickets(Some(TicketStatus::Open))).unwrap();
    let (ticket, plan) = queue
        .iter()
        .filter(|t| t.assignee.is_none())
        .find_map(|t| {
            let (_, plan) = runtime.block_on(plan_for(&client, &t.id));
            (plan.kind == RemedyKind::CorrectAddress).then_some((t.clone(), plan))
        })
        .expect("an unclaimed seeded ticket whose fix corrects the address");
    let Some(Step::MakeDefault { address }) = plan.steps.iter().find(|s| matches!(s, Step::MakeDefault { .. })) else {
        panic!("{:?}", plan.steps)
    };
    let corrected = address.expose().clone();

    let dir = std::env::temp_dir().join(format!("portaldesk-e2e-typo-{}", std::process::id()));
    let home = dir.join("home");
    std::fs::create_dir_all(home.join(".config/portaldesk")).unwrap();
    std::fs::write(
        home.join(".config/portaldesk/config.toml"),
        "idle_lock_seconds = 3600\ntime_zone = \"UTC\"\npractice_time_zone = \"America/New_York\"\n",
    )
    .unwrap();
    let mut term = Term::in_home(&home, &[("PORTALDESK_TOKEN", token.as_str())]);
    term.type_line(&format!("{BIN} --portal {url}; echo exit=$?", url = server.url));
    term.wait_for("Open tickets");
    // The `/` line: the ticket id and Enter opens it.
    term.key(Key::Char('/'));
    for c in ticket.id.as_str().chars() {
        term.key(Key::Char(c));
    }
    term.key(Key::Enter);
    term.wait_for("characters (v reveals)");
    term.key(Key::Char('f'));
    let confirm = term.wait_for("correct the address, resend, reply?");
    assert!(!confirm.contains(&corrected), "masked on screen until revealed:\n{confirm}");
    term.key(Key::Enter);
    term.wait_for("Corrected the address and resent the invite, replied and solved");
    // Again: what was done shows, and Esc leaves it.
    term.key(Key::Char('f'));
    let again = term.wait_for("Answered since the client last wrote");
    assert!(again.contains("agent_sandbox replied") && again.contains("changed the account"), "{again}");
    term.key(Key::Escape);
    term.key(Key::Char('q'));
    let (code, after) = term.exit_code("exit");
    assert_eq!(code, 0, "{after}");

    let outbox = runtime.block_on(client.sandbox_reply_outbox(Some(&ticket.id))).unwrap();
    assert_eq!(outbox.len(), 1, "one reply, once");
    let body = outbox[0].body.expose();
    assert!(body.contains(&corrected), "the corrected address in full: {body}");
    assert!(!body.contains("***") && !body.contains("from now"), "{body}");
    let invites = runtime.block_on(client.invites(&ticket.account_id)).unwrap();
    let newest = invites.iter().max_by_key(|i| i.sent_at).unwrap();
    assert_eq!(newest.sent_to.expose(), &corrected);
    let deadline = StaffZone::parse("America/New_York").unwrap().in_email(newest.expires_at);
    assert!(body.contains(&deadline), "the new invite's own deadline ({deadline}): {body}");
    let _ = std::fs::remove_dir_all(&dir);
}
