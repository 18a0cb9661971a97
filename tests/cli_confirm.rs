//! The confirmation of `resend` and `dob set` on a real terminal: the
//! binary runs in tmux (a server of its own, no user config) against a
//! sandbox on 127.0.0.1:0 in this test; `n` cancels with exit code 1 and
//! changes nothing, `y` does it exactly once.
//!
//! `.ci/run` installs tmux on a fresh machine.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::Harness;
use portaldesk::sandbox::seed::SeedCase;

const BIN: &str = env!("CARGO_BIN_EXE_portaldesk");

/// A tmux server of our own (its own socket and no config file), running a
/// plain bash with `HOME` in a temporary directory and the sandbox's token
/// in the environment; killed on drop.
struct Tmux {
    socket: String,
    /// The socket's file, removed on drop (tmux leaves it behind).
    socket_path: String,
}

impl Tmux {
    fn start(name: &str, home: &Path) -> Self {
        let socket = format!("portaldesk-confirm-{}-{name}", std::process::id());
        let status = Command::new("tmux")
            .args(["-L", &socket, "-f", "/dev/null", "new-session", "-d", "-s", "confirm", "-x", "120", "-y", "40"])
            .arg("env PS1='$ ' bash --norc --noprofile")
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_STATE_HOME", home.join(".local/state"))
            .env("HISTFILE", "/dev/null")
            .env("PORTALDESK_TOKEN", "sandbox")
            .env_remove("PORTALDESK_PORTAL")
            .env_remove("PORTALDESK_CONFIG")
            .env_remove("TMUX")
            .status()
            .expect("tmux must be installed (.ci/run installs it)");
        assert!(status.success());
        let mut tmux = Self { socket, socket_path: String::new() };
        tmux.socket_path = tmux.tmux(&["display-message", "-p", "#{socket_path}"]).trim().to_owned();
        tmux
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux").arg("-L").arg(&self.socket).args(args).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn type_line(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "confirm", "-l", text]);
        self.tmux(&["send-keys", "-t", "confirm", "Enter"]);
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "confirm"])
    }

    /// Polls the screen until `found` picks something out of it; fails with
    /// the last screen after 30 s.
    fn wait<T>(&self, what: &str, found: impl Fn(&str) -> Option<T>) -> T {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.screen();
            if let Some(value) = found(&screen) {
                return value;
            }
            assert!(Instant::now() < deadline, "waited for {what}; the screen is:\n{screen}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn wait_for(&self, text: &str) -> String {
        self.wait(text, |screen| screen.contains(text).then(|| screen.to_owned()))
    }

    /// Runs `command` in the shell; answers `answer` when it asks
    /// `question`; returns its exit code and the screen.
    fn run_and_answer(&self, marker: &str, command: &str, question: &str, answer: &str) -> (i32, String) {
        self.type_line("clear");
        self.wait("a clear screen", |screen| (screen.trim() == "$").then_some(()));
        self.type_line(&format!("{command}; echo {marker}=$?"));
        let asked = self.wait_for(&format!("{question} [y/N]"));
        assert!(!asked.lines().any(|l| l.starts_with(&format!("{marker}="))), "it did not wait:\n{asked}");
        self.type_line(answer);
        let prefix = format!("{marker}=");
        self.wait(&prefix, |screen| {
            let code = screen.lines().find_map(|line| line.trim().strip_prefix(&prefix)?.parse().ok())?;
            Some((code, screen.to_owned()))
        })
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.tmux(&["kill-server"]);
        if self.socket_path.contains(&self.socket) {
            let _ = std::fs::remove_file(&self.socket_path);
        }
    }
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
    let tmux = Tmux::start("resend", home.path());
    tmux.wait_for("$");
    let command = format!("{BIN} resend {} --ticket {} --portal {}", none.account_id, none.ticket_id, h.sandbox.url());

    let (code, screen) = tmux.run_and_answer("declined", &command, "Send it?", "n");
    assert_eq!(code, 1, "declining is exit 1 (README: cancelled at the prompt):\n{screen}");
    assert!(screen.contains("cancelled: no invite was sent"), "{screen}");
    assert!(invites().is_empty(), "declined, yet an invite was made");
    assert!(rt.block_on(h.client.sandbox_outbox(Some(&none.account_id))).unwrap().is_empty());

    let (code, screen) = tmux.run_and_answer("accepted", &command, "Send it?", "y");
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
    let tmux = Tmux::start("dob", home.path());
    tmux.wait_for("$");
    let command = format!(
        "{BIN} dob set {} 03/05/1990 --reason 'read from her ID on the call' --ticket {} --portal {}",
        wrong.account_id,
        wrong.ticket_id,
        h.sandbox.url()
    );

    let (code, screen) = tmux.run_and_answer("declined", &command, "Change it?", "n");
    assert_eq!(code, 1, "{screen}");
    assert!(screen.contains("cancelled: the DOB was not changed"), "{screen}");
    assert_eq!(account(), before, "declined, yet the account changed");
    assert!(audit().is_empty());

    let (code, screen) = tmux.run_and_answer("accepted", &command, "Change it?", "y");
    assert_eq!(code, 0, "{screen}");
    let after = account();
    assert_eq!(after.value.dob.expose().format("%m/%d/%Y").to_string(), "03/05/1990");
    assert_eq!(audit().len(), 1, "changed exactly once");
    let old_dob = before.value.dob.expose().format("%m/%d/%Y").to_string();
    assert!(!screen.contains(&old_dob), "the DOB on file is masked without --reveal:\n{screen}");
}
