//! End to end: the real binary in a real terminal (tmux), against a sandbox
//! started with `portaldesk sandbox serve`, used as a new user would: search
//! an account by email, open it, compare a DOB given day-first, resend the
//! invite, quit. Then the API must show exactly one new invite with the
//! right expiry, and the terminal must be as it was.
//!
//! `.ci/run` installs tmux on a fresh machine.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Duration as Span;
use portaldesk::portal::model::Role;
use portaldesk::portal::{ApiToken, ClientOptions, PortalClient};

const BIN: &str = env!("CARGO_BIN_EXE_portaldesk");

/// A sandbox process, killed on drop.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start() -> Self {
        let mut child = Command::new(BIN)
            .args(["sandbox", "serve", "--addr", "127.0.0.1:0", "--seed", "7"])
            .env(
                "PORTALDESK_LOG",
                std::env::temp_dir().join(format!("portaldesk-e2e-server-{}.log", std::process::id())),
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut first = String::new();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        out.read_line(&mut first).unwrap();
        // Keep reading what it prints, as a terminal would.
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        let url = first.trim().rsplit(' ').next().unwrap().to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "{first}");
        Self { child, url }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A tmux server of our own (its own socket), killed on drop.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(width: u16, height: u16) -> Self {
        let socket = format!("portaldesk-e2e-{}", std::process::id());
        let status = Command::new("tmux")
            .args(["-L", &socket, "-f", "/dev/null", "new-session", "-d", "-s", "e2e"])
            .args(["-x", &width.to_string(), "-y", &height.to_string(), "env PS1='$ ' bash --norc --noprofile"])
            .status()
            .expect("tmux must be installed (.ci/run installs it)");
        assert!(status.success());
        Self { socket }
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux").arg("-L").arg(&self.socket).args(args).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn type_text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "e2e", "-l", text]);
    }

    fn key(&self, key: &str) {
        self.tmux(&["send-keys", "-t", "e2e", key]);
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "e2e"])
    }

    /// Waits until the screen shows `text` and holds still (two identical
    /// captures in a row); fails with the last screen after 20 s.
    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut last = String::new();
        loop {
            let now = self.screen();
            if now.contains(text) && now == last {
                return now;
            }
            assert!(Instant::now() < deadline, "waited for {text:?}; the screen is:\n{now}");
            last = now;
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.tmux(&["kill-server"]);
    }
}

fn scratch_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("portaldesk-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

#[test]
fn a_new_user_finds_an_account_compares_a_dob_resends_and_quits_cleanly() {
    let server = Server::start();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let client = PortalClient::new(&server.url, ApiToken::new("sandbox"), ClientOptions::default()).unwrap();
    // A client account with a pending invite (not on a ticket).
    let account = runtime.block_on(client.account("acc_150")).unwrap().value;
    assert_eq!(account.role, Role::Client);
    let invites_before = runtime.block_on(client.invites(&account.id)).unwrap();

    let dir = scratch_dir();
    let tmux = Tmux::start(120, 40);
    tmux.wait_for("$");
    let line = format!(
        "stty -g > {dir}/before; PORTALDESK_LOG={dir}/console.log PORTALDESK_LOG_LEVEL=trace PORTALDESK_TOKEN=sandbox \
         {BIN} --portal {url}; echo exit=$?; stty -g > {dir}/after",
        dir = dir.display(),
        url = server.url
    );
    tmux.type_text(&line);
    tmux.key("Enter");
    tmux.wait_for("Open tickets");

    // Search by email.
    tmux.key("/");
    tmux.wait_for("Search by name, email, phone or id");
    tmux.type_text(account.email.expose());
    let results = tmux.wait_for("1 found");
    assert!(results.contains(account.last_name.expose().as_str()), "{results}");
    // The list shows the address masked (the query box shows what was typed).
    assert!(results.contains(&portaldesk::phi::mask_email(account.email.expose())), "{results}");
    tmux.key("Enter");
    let profile = tmux.wait_for("Profile");
    assert!(profile.contains(&account.id), "{profile}");

    // Compare a DOB given day-first.
    tmux.key("d");
    tmux.wait_for("DOB compare");
    let dob = *account.dob.expose();
    tmux.type_text(&dob.format("%d/%m/%Y").to_string());
    let compare = tmux.wait_for("Type exactly");
    assert!(compare.contains("day_month_swapped"), "{compare}");
    assert!(compare.contains(&dob.format("%m/%d/%Y").to_string()), "{compare}");
    tmux.key("Escape");

    // Resend, confirm.
    tmux.key("r");
    let dialog = tmux.wait_for("Resend the portal invite?");
    assert!(dialog.contains("48h 00m") || dialog.contains("47h 59m"), "{dialog}");
    tmux.key("Enter");
    tmux.wait_for("Invite sent");

    // Quit: the shell gets the terminal back as it was.
    tmux.key("q");
    let after = tmux.wait_for("exit=0");
    assert!(!after.contains("Open tickets"), "the console's screen was left behind:\n{after}");
    let deadline = Instant::now() + Duration::from_secs(5);
    while read(&dir.join("after")).is_empty() {
        assert!(Instant::now() < deadline, "stty never ran after the console");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(read(&dir.join("before")), read(&dir.join("after")), "terminal modes were not restored");

    // Exactly one new invite, with the client expiry.
    let invites_after = runtime.block_on(client.invites(&account.id)).unwrap();
    assert_eq!(invites_after.len(), invites_before.len() + 1);
    let newest = &invites_after[0];
    assert_eq!(newest.expires_at - newest.sent_at, Span::hours(48));
    assert!(!invites_before.iter().any(|i| i.id == newest.id));

    // The console logged the session, with no PHI of the account it touched.
    let log = read(&dir.join("console.log"));
    assert!(log.contains("console started") && log.contains("resend requested"), "{log}");
    assert!(log.contains(&account.id), "the log names accounts by id");
    let dob = *account.dob.expose();
    let phi = [
        account.first_name.expose().clone(),
        account.last_name.expose().clone(),
        account.email.expose().clone(),
        account.phone.expose().clone(),
        dob.format("%m/%d/%Y").to_string(),
        dob.format("%d/%m/%Y").to_string(),
        dob.format("%Y-%m-%d").to_string(),
    ];
    for value in &phi {
        assert!(!log.contains(value.as_str()), "the log holds PHI ({} chars)", value.len());
    }
    let _ = std::fs::remove_dir_all(&dir);
}
