//! The confirmation of `resend` and `dob set` on a real terminal: the
//! binary runs in a pseudo-terminal (`common::term`, no user config) against a
//! sandbox on 127.0.0.1:0 in this test; `n` cancels with exit code 1 and
//! changes nothing, `y` does it exactly once.

use crate::common;

use std::path::Path;

use common::Harness;
use common::term::Term;
use portaldesk::sandbox::seed::SeedCase;

const BIN: &str = env!("CARGO_BIN_EXE_portaldesk");

/// A terminal whose shell has `HOME` in `home` and the sandbox's token in
/// its environment.
fn terminal(home: &Path) -> Term {
    Term::in_home(home, &[("PORTALDESK_TOKEN", "sandbox")])
}

/// Runs `command` in the shell; answers `answer` when it asks `question`;
/// returns its exit code and the screen.
fn run_and_answer(term: &mut Term, marker: &str, command: &str, question: &str, answer: &str) -> (i32, String) {
    term.clear();
    term.type_line(&format!("{command}; echo {marker}=$?"));
    let asked = term.wait_for(&format!("{question} [y/N]"));
    assert!(!asked.lines().any(|l| l.starts_with(&format!("{marker}="))), "it did not wait:\n{asked}");
    term.type_line(answer);
    term.exit_code(marker)
}

/// A runtime whose worker threads serve the sandbox while the test's own
/// thread drives tmux.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

#[test]
fn resend_on_a_terminal_asks_and_n_sends_nothing_y_sends_one() {
    let rt = runtime();
    let h = rt.block_on(Harness::start());
    let none = h.ticket(SeedCase::NoInvite).clone();
    let invites = || rt.block_on(h.client.invites(&none.account_id)).unwrap();
    assert!(invites().is_empty());
    let home = tempfile::tempdir().unwrap();
    let mut term = terminal(home.path());
    let command = format!("{BIN} resend {} --ticket {} --portal {}", none.account_id, none.ticket_id, h.sandbox.url());

    let (code, screen) = run_and_answer(&mut term, "declined", &command, "Send it?", "n");
    assert_eq!(code, 1, "declining is exit 1 (README: cancelled at the prompt):\n{screen}");
    assert!(screen.contains("cancelled: no invite was sent"), "{screen}");
    assert!(invites().is_empty(), "declined, yet an invite was made");
    assert!(rt.block_on(h.client.sandbox_outbox(Some(&none.account_id))).unwrap().is_empty());

    let (code, screen) = run_and_answer(&mut term, "accepted", &command, "Send it?", "y");
    assert_eq!(code, 0, "{screen}");
    let after = invites();
    assert_eq!(after.len(), 1, "exactly one invite");
    assert!(screen.contains(&format!("Invite {} sent to", after[0].id)), "{screen}");
    assert!(!screen.contains(after[0].sent_to.expose().as_str()), "the address is masked on screen:\n{screen}");
}

#[test]
fn dob_set_on_a_terminal_asks_and_n_changes_nothing_y_changes_it() {
    let rt = runtime();
    let h = rt.block_on(Harness::start());
    let wrong = h.ticket(SeedCase::DobOnFileWrong).clone();
    let account = || rt.block_on(h.client.account(&wrong.account_id)).unwrap();
    let audit = || rt.block_on(h.client.audit(Some(&wrong.account_id), None)).unwrap();
    let before = account();
    let home = tempfile::tempdir().unwrap();
    let mut term = terminal(home.path());
    let command = format!(
        "{BIN} dob set {} 03/05/1990 --reason 'read from her ID on the call' --ticket {} --portal {}",
        wrong.account_id,
        wrong.ticket_id,
        h.sandbox.url()
    );

    let (code, screen) = run_and_answer(&mut term, "declined", &command, "Change it?", "n");
    assert_eq!(code, 1, "{screen}");
    assert!(screen.contains("cancelled: the DOB was not changed"), "{screen}");
    assert_eq!(account(), before, "declined, yet the account changed");
    assert!(audit().is_empty());

    let (code, screen) = run_and_answer(&mut term, "accepted", &command, "Change it?", "y");
    assert_eq!(code, 0, "{screen}");
    let after = account();
    assert_eq!(after.value.dob.expose().format("%m/%d/%Y").to_string(), "03/05/1990");
    assert_eq!(audit().len(), 1, "changed exactly once");
    let old_dob = before.value.dob.expose().format("%m/%d/%Y").to_string();
    assert!(!screen.contains(&old_dob), "the DOB on file is masked without --reveal:\n{screen}");
}
