//! `--plain`, for screen readers, end to end: the real binary in a real
//! terminal against a sandbox process, a whole ticket worked in plain text
//! (open it by its id, read the conversation, reveal it, fix it with its
//! reply, quit). Everything it printed must be lines of text: no alternate
//! screen, no cursor addressing, no box drawing; a change is a new line.

use crate::common::Server;
use crate::e2e::BIN;
use crate::fix::plan_for;

use common::term::{Key, Term};
use portaldesk::diagnose::remedy::RemedyKind;
use portaldesk::portal::model::{AuthorKind, TicketStatus};
use portaldesk::portal::{ApiToken, ClientOptions, PortalClient};

use crate::common;

/// The escape sequences a plain transcript must not hold: cursor movement
/// and addressing (CSI A B C D E F G H d f), erasing (J K), scrolling
/// regions (r), saved cursors (ESC 7/8, CSI s/u), and the alternate screen.
fn addressing(transcript: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(transcript);
    let mut found = Vec::new();
    let mut rest = text.as_ref();
    while let Some(at) = rest.find('\x1b') {
        let seq = &rest[at + 1..];
        let shown: String = seq.chars().take(12).collect();
        if seq.starts_with('7') || seq.starts_with('8') {
            found.push(format!("ESC {shown}"));
        } else if let Some(csi) = seq.strip_prefix('[') {
            let end = csi.find(|c: char| c.is_ascii_alphabetic() || c == '~' || c == '@').unwrap_or(csi.len());
            let (params, last) = csi.split_at(end);
            let last = last.chars().next().unwrap_or(' ');
            let alternate = params.starts_with('?')
                && ["1049", "1047", "47"].iter().any(|m| params[1..].split(';').any(|p| p == *m));
            if "ABCDEFGHdfJKrsu".contains(last) && !params.starts_with('?') || alternate {
                found.push(format!("CSI {shown}"));
            }
        }
        rest = &rest[at + 1..];
    }
    found
}

#[test]
fn a_whole_ticket_in_plain_text_has_no_cursor_addressing_and_says_changes_as_new_lines() {
    let token = format!("e2e-plain-{}", std::process::id());
    let server = Server::start(&token, &[]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let client = PortalClient::new(&server.url, ApiToken::new(token.clone()), ClientOptions::default()).unwrap();

    // An open ticket whose fix resends the invite and replies.
    let queue = runtime.block_on(client.tickets(Some(TicketStatus::Open))).unwrap();
    let (ticket, _plan) = queue
        .iter()
        .find_map(|t| {
            let (_, plan) = runtime.block_on(plan_for(&client, &t.id));
            (plan.kind == RemedyKind::Resend).then_some((t.clone(), plan))
        })
        .expect("a seeded ticket whose fix resends the invite");
    let account_id = ticket.account_id.clone();
    let invites_before = runtime.block_on(client.invites(&account_id)).unwrap().len();
    let messages = runtime.block_on(client.messages(&ticket.id)).unwrap();
    let said = messages.iter().find(|m| m.author.kind == AuthorKind::Client).expect("the client's message");
    let first_words: String = said.body.expose().lines().next().unwrap_or_default().chars().take(20).collect();
    assert!(first_words.len() >= 10, "{first_words:?}");

    let dir = std::env::temp_dir().join(format!("portaldesk-e2e-plain-{}", std::process::id()));
    let home = dir.join("home");
    std::fs::create_dir_all(home.join(".config/portaldesk")).unwrap();
    std::fs::write(home.join(".config/portaldesk/config.toml"), "idle_lock_seconds = 3600\n").unwrap();
    let mut term = Term::in_home(&home, &[("PORTALDESK_TOKEN", token.as_str()), ("PORTALDESK_PLAIN", "1")]);
    let start = term.transcript(0).len();
    term.type_line(&format!("{BIN} --portal {url}; echo exit=$?", url = server.url));
    // What was said since a point, whatever has scrolled off the screen.
    let said_since = |term: &Term, from: usize| String::from_utf8_lossy(term.transcript(from)).replace("\r\n", "\n");
    term.wait_for("Keys:");
    let queue_said = said_since(&term, start);
    assert!(queue_said.contains("== Queue =="), "{queue_said}");
    assert!(queue_said.contains("(current)") && queue_said.contains("Ticket 1 of"), "{queue_said}");

    // j moves the cursor: the row it lands on is said, as a new line.
    let mark = term.transcript(0).len();
    term.key(Key::Char('j'));
    term.wait_for("Ticket 2 of");
    let moved = said_since(&term, mark);
    assert!(moved.lines().filter(|l| l.contains("Ticket 2 of")).count() == 1, "{moved}");

    // The `/` line takes the ticket's id; Enter opens it.
    term.key(Key::Char('/'));
    term.type_text(ticket.id.as_str());
    let typed = term.wait_for(ticket.id.as_str());
    assert!(typed.contains(&format!("Filter, {}", ticket.id)) || typed.contains(ticket.id.as_str()), "{typed}");
    let mark = term.transcript(0).len();
    term.key(Key::Enter);
    term.wait_for("Conversation:");
    let opened = said_since(&term, mark);
    assert!(opened.contains(&format!("== Ticket {}", ticket.id)), "{opened}");
    assert!(opened.contains("From the client") && opened.contains("hidden"), "masked until revealed:\n{opened}");
    assert!(!opened.contains(&first_words), "the message was read out before reveal:\n{opened}");

    // v reveals: the message is read out, as a new line.
    let mark = term.transcript(0).len();
    term.key(Key::Char('v'));
    term.wait_for(&first_words);
    let revealed = said_since(&term, mark);
    assert!(revealed.contains("From the client"), "{revealed}");

    // f, then Enter: resend and reply; the outcome is said.
    let mark = term.transcript(0).len();
    term.key(Key::Char('f'));
    term.wait_for("Keys: Enter do it");
    let confirm = said_since(&term, mark);
    assert!(confirm.contains("== Fix "), "{confirm}");
    term.key(Key::Enter);
    term.wait_for("Resent the invite, replied");
    term.key(Key::Char('q'));
    let (code, after) = term.exit_code("exit");
    assert_eq!(code, 0, "{after}");

    let transcript = term.transcript(start);
    let bad = addressing(transcript);
    assert!(bad.is_empty(), "cursor or screen control in plain output: {bad:?}");
    let text = String::from_utf8_lossy(transcript);
    for glyph in ['─', '│', '┌', '┐', '└', '┘'] {
        assert!(!text.contains(glyph), "box drawing {glyph:?} in plain output");
    }
    // The queue was not drawn again on each key: it was said once whole.
    assert_eq!(text.matches("== Queue ==").count(), 1, "{text}");

    // The API: one new invite, one reply emailed.
    let invites_after = runtime.block_on(client.invites(&account_id)).unwrap().len();
    assert_eq!(invites_after, invites_before + 1);
    let outbox = runtime.block_on(client.sandbox_reply_outbox(Some(&ticket.id))).unwrap();
    assert_eq!(outbox.len(), 1, "the reply is emailed exactly once");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_checker_finds_addressing_and_lets_text_and_colour_pass() {
    assert!(addressing(b"plain text\r\nnext line\r\n").is_empty());
    assert!(addressing(b"\x1b[1mbold\x1b[0m \x1b[?2004h").is_empty());
    assert_eq!(addressing(b"a\x1b[2;3Hb").len(), 1);
    assert_eq!(addressing(b"\x1b[?1049h").len(), 1);
    assert_eq!(addressing(b"\x1b[2J\x1b[K\x1b[A").len(), 3);
    assert_eq!(addressing(b"\x1b7x\x1b8").len(), 2);
}
