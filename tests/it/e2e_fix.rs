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
