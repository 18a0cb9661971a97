//! Two consoles against one sandbox: the real binary twice, each in a
//! terminal of its own (`common::term`), as two agents (two staff tokens)
//! of one help desk. What one does shows on the other within a second,
//! without `R`; two resends confirmed at once make one invite, and the
//! second console shows who resent; two claims of one ticket, one winner.
//! No sleeps: every wait is on the screen, with a deadline.

use crate::common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::Server;
use common::term::{Key, Term};
use portaldesk::portal::model::{AccountId, TicketId};
use portaldesk::portal::{ApiToken, ClientOptions, PortalClient};

const BIN: &str = env!("CARGO_BIN_EXE_portaldesk");

/// The client account (seed 7) with a pending invite, on no ticket.
const ACCOUNT: &str = "acc_150";

/// One agent: a console in a terminal of its own, on the sandbox at `url`.
struct Agent {
    term: Term,
    staff: &'static str,
    _home: PathBuf,
}

impl Agent {
    fn start(server: &Server, name: &str, token: &str, staff: &'static str, config: &str) -> Self {
        // A home of its own per console: the tests of this file run at once
        // in one process, each with its own config.
        static CONSOLES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = CONSOLES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let home = std::env::temp_dir().join(format!("portaldesk-two-{name}{n}-{}", std::process::id()));
        std::fs::create_dir_all(home.join(".config/portaldesk")).unwrap();
        std::fs::write(home.join(".config/portaldesk/config.toml"), format!("idle_lock_seconds = 3600\n{config}"))
            .unwrap();
        let mut term = Term::in_home(&home, &[("PORTALDESK_TOKEN", token)]);
        term.type_line(&format!("{BIN} --portal {}; echo exit=$?", server.url));
        term.wait_for("Open tickets");
        Self { term, staff, _home: home }
    }

    /// Opens an account by its id from search.
    fn open(&mut self, id: &str) {
        self.term.key(Key::Char('A'));
        self.term.wait_for("Search by name, email, phone or id");
        self.term.type_text(id);
        self.term.wait_for("1 found");
        self.term.key(Key::Enter);
        let profile = self.term.wait_for("Profile");
        assert!(profile.contains(id), "{profile}");
    }

    /// Waits until the screen shows one of `texts`; returns which.
    fn either(&mut self, texts: &[&str]) -> (usize, String) {
        self.term.wait_until(&texts.join(" or "), common::term::WAIT, |screen| {
            texts.iter().position(|t| screen.contains(t)).map(|n| (n, screen.to_owned()))
        })
    }

    fn quit(mut self) {
        self.term.key(Key::Char('q'));
        let (code, screen) = self.term.exit_code("exit");
        assert_eq!(code, 0, "{screen}");
    }
}

/// A sandbox taking two agents' tokens, the client of the first.
fn desk() -> (Server, PortalClient, tokio::runtime::Runtime) {
    let server = Server::start("desk-sandbox", &["--staff-token", "desk-rivera=agent_rivera"]);
    let client =
        PortalClient::new(&server.url, ApiToken::new("desk-sandbox".to_owned()), ClientOptions::default()).unwrap();
    (server, client, tokio::runtime::Runtime::new().unwrap())
}

fn two_agents(server: &Server, config: &str) -> (Agent, Agent) {
    let a = Agent::start(server, "a", "desk-sandbox", "agent_sandbox", config);
    let b = Agent::start(server, "b", "desk-rivera", "agent_rivera", config);
    (a, b)
}

/// Both agents with [`ACCOUNT`] open; its id and how many invites it has.
fn both_on_account(
    client: &PortalClient,
    rt: &tokio::runtime::Runtime,
    server: &Server,
) -> (AccountId, usize, Agent, Agent) {
    let id = AccountId::from(ACCOUNT);
    let before = rt.block_on(client.invites(&id)).unwrap().len();
    let (mut a, mut b) = two_agents(server, "");
    a.open(ACCOUNT);
    b.open(ACCOUNT);
    (id, before, a, b)
}

#[test]
fn one_console_resends_and_the_other_shows_the_new_invite_within_a_second_without_r() {
    let (server, client, rt) = desk();
    let (id, before, mut a, mut b) = both_on_account(&client, &rt, &server);

    a.term.key(Key::Char('r'));
    a.term.wait_for("Resend the portal invite?");
    a.term.key(Key::Enter);
    let sent = Instant::now();
    a.term.wait_for("Invite sent");
    let invites = rt.block_on(client.invites(&id)).unwrap();
    assert_eq!(invites.len(), before + 1);
    let new = invites[0].id.as_str().to_owned();
    // B never pressed a key: the event, the debounce and the re-read bring
    // it (the deadline adds the harness's own wait for a still screen).
    let left = (sent + Duration::from_millis(1000 + 200)).saturating_duration_since(Instant::now());
    let shown = b.term.wait_within(&new, left.max(Duration::from_millis(1)));
    assert!(shown.contains("Profile"), "{shown}");
    a.quit();
    b.quit();
}

#[test]
fn two_resends_confirmed_in_the_same_second_make_one_invite_and_the_second_console_shows_who() {
    let (server, client, rt) = desk();
    let (id, before, mut a, mut b) = both_on_account(&client, &rt, &server);
    for agent in [&mut a, &mut b] {
        agent.term.key(Key::Char('r'));
        agent.term.wait_for("Resend the portal invite?");
    }
    // Both confirm, one right after the other.
    a.term.key(Key::Enter);
    b.term.key(Key::Enter);
    let outcomes = ["Invite sent", "Changed since you read it"];
    let (from_a, screen_a) = a.either(&outcomes);
    let (from_b, screen_b) = b.either(&outcomes);
    assert_ne!(from_a, from_b, "one sends, the other is told:\n{screen_a}\n{screen_b}");
    let (winner, loser, told) = if from_a == 0 { (&a, &mut b, screen_b) } else { (&b, &mut a, screen_a) };
    assert!(told.contains(&format!("{} resent the invite", winner.staff)), "{told}");
    assert!(told.contains("Resend the portal invite?"), "the dialog stays open:\n{told}");
    assert_eq!(rt.block_on(client.invites(&id)).unwrap().len(), before + 1, "exactly one new invite");
    // The second console cancels (Esc) and leaves it at that.
    loser.term.key(Key::Escape);
    loser.term.wait_for("Profile");
    assert_eq!(rt.block_on(client.invites(&id)).unwrap().len(), before + 1);
    a.quit();
    b.quit();
}

/// The ticket id in the pane of a console on a ticket (` T-1003 · `).
fn ticket_on(screen: &str) -> TicketId {
    let at = screen.find(" T-").expect("a ticket on screen") + 1;
    let digits: String = screen[at + 2..].chars().take_while(char::is_ascii_digit).collect();
    TicketId::from(format!("T-{digits}").as_str())
}

#[test]
fn two_agents_claiming_one_ticket_make_one_winner_and_the_other_sees_who_has_it() {
    let (server, client, rt) = desk();
    // Opening a ticket does not claim it here: both claim with `c`.
    let (mut a, mut b) = two_agents(&server, "claim_on_open = false\n");
    // `n` picks the first unclaimed ticket of the queue (the same for
    // both); back on the queue, Enter opens it with its ticket pane.
    for agent in [&mut a, &mut b] {
        agent.term.key(Key::Char('n'));
        agent.term.wait_for("Profile");
        agent.term.key(Key::Escape);
        agent.term.wait_for("Open tickets");
        agent.term.key(Key::Enter);
        agent.term.wait_for("unclaimed");
    }
    let ticket = ticket_on(&a.term.screen());
    assert_eq!(ticket_on(&b.term.screen()), ticket, "both on the same ticket");
    a.term.key(Key::Char('c'));
    b.term.key(Key::Char('c'));
    let outcomes = ["Claimed: the ticket is yours", "claimed by agent_"];
    let (from_a, screen_a) = a.either(&outcomes);
    let (from_b, screen_b) = b.either(&outcomes);
    assert_ne!(from_a, from_b, "one winner:\n{screen_a}\n{screen_b}");
    let (winner, told) = if from_a == 0 { (&a, screen_b) } else { (&b, screen_a) };
    assert!(told.contains(&format!("claimed by {}", winner.staff)), "{told}");
    let assignee = rt.block_on(client.ticket(&ticket)).unwrap().value.assignee;
    assert_eq!(assignee.as_deref(), Some(winner.staff));
    a.quit();
    b.quit();
}
