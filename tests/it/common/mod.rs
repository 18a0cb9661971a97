//! Shared test setup: a real sandbox on 127.0.0.1:0 and a client for it.
#![allow(dead_code)]

pub mod term;

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use portaldesk::portal::{ApiToken, ClientOptions, PortalClient};
use portaldesk::request::perform;
use portaldesk::sandbox::faults::Faults;
use portaldesk::sandbox::seed::{SeedCase, SeededTicket};
use portaldesk::sandbox::{self, Sandbox, SandboxOptions};
use portaldesk::tui::action::{Effect, Msg};
use portaldesk::tui::app::App;

/// The instant the test sandboxes are frozen at.
pub fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-25T09:00:00Z").unwrap().to_utc()
}

pub struct Harness {
    pub sandbox: Sandbox,
    pub client: PortalClient,
    /// Made once, when first wanted: a client loads the platform's root
    /// certificates, which costs milliseconds of CPU in a debug build.
    pub raw: std::sync::OnceLock<reqwest::Client>,
}

impl Harness {
    pub async fn start() -> Self {
        Self::with(SandboxOptions { frozen_at: Some(t0()), ..SandboxOptions::default() }).await
    }

    pub async fn with_faults(faults: Faults) -> Self {
        Self::with(SandboxOptions { frozen_at: Some(t0()), faults, ..SandboxOptions::default() }).await
    }

    pub async fn with(options: SandboxOptions) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let token = options.token.clone();
        let sandbox = sandbox::start(listener, options).await.unwrap();
        let client = PortalClient::new(&sandbox.url(), ApiToken::new(token), fast_options()).unwrap();
        Self { sandbox, client, raw: std::sync::OnceLock::new() }
    }

    /// The first seeded ticket of a case.
    pub fn ticket(&self, case: SeedCase) -> &SeededTicket {
        self.sandbox.seeded.tickets.iter().find(|t| t.case == case).unwrap_or_else(|| panic!("no {case:?} ticket"))
    }

    /// Someone else changes an account (at its current version): what a
    /// console holding an older version then meets as a 412. Returns the
    /// version it changed.
    pub async fn change_behind(
        &self,
        account_id: &portaldesk::portal::model::AccountId,
        patch: &portaldesk::portal::model::AccountPatch,
    ) -> portaldesk::portal::Versioned<portaldesk::portal::model::Account> {
        let theirs = self.client.account(account_id).await.unwrap();
        let key = portaldesk::portal::IdempotencyKey::new();
        self.client.update_account(account_id, &theirs.etag, patch, &key).await.unwrap();
        theirs
    }

    /// A plain HTTP client for requests the typed client would never send.
    pub fn raw(&self) -> reqwest::Client {
        self.raw.get_or_init(reqwest::Client::new).clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.url())
    }
}

/// agent_rivera's API token in [`two_agents`]' sandbox.
pub const RIVERA: &str = "rivera-token";

/// A sandbox that also takes agent_rivera's token, and her client.
pub async fn two_agents() -> (Harness, PortalClient) {
    let options = SandboxOptions {
        frozen_at: Some(t0()),
        staff_tokens: vec![(RIVERA.into(), "agent_rivera".into())],
        ..SandboxOptions::default()
    };
    let h = Harness::with(options).await;
    let rivera = PortalClient::new(&h.sandbox.url(), ApiToken::new(RIVERA), fast_options()).unwrap();
    (h, rivera)
}

/// Client options with short backoffs, so retries do not slow the tests,
/// for the test's own sandbox (named as one: its frozen clock is followed).
pub fn fast_options() -> ClientOptions {
    ClientOptions {
        backoff: std::time::Duration::from_millis(5),
        max_backoff: std::time::Duration::from_millis(20),
        sandbox_clock: true,
        ..ClientOptions::default()
    }
}

/// Runs a console's effects against the real sandbox, feeding every answer
/// back at instant `now`, until nothing is left to do (debounces fire at
/// once). Returns the effects that ran.
pub async fn settle(app: &mut App, h: &Harness, effects: Vec<Effect>, now: DateTime<Utc>) -> Vec<Effect> {
    settle_as(app, &h.client, effects, now).await
}

/// [`settle`] with another client (another staff member's token).
pub async fn settle_as(
    app: &mut App,
    client: &PortalClient,
    mut effects: Vec<Effect>,
    now: DateTime<Utc>,
) -> Vec<Effect> {
    let mut seen = Vec::new();
    while let Some(effect) = effects.pop() {
        seen.push(effect.clone());
        let msg = match effect {
            Effect::Portal(req, request) => Msg::Answer(req, perform(client, request).await),
            Effect::DebounceSearch(req) => Msg::SearchDue(req),
            // The wait is the test's to skip: ask at once.
            Effect::Reconnect { req, .. } => Msg::ReconnectDue(req),
            // When a reveal's time is over is the test's to say
            // (`Msg::RevealOver`).
            Effect::MaskAfter { .. } => continue,
            // Live debounces and presence heartbeats are the test's to
            // drive (`Msg::Due`).
            Effect::After { .. } => continue,
            Effect::Terminal(_) => continue,
        };
        effects.extend(app.update(msg, now));
    }
    seen
}

/// Opens the account of the first seeded ticket of `case`, with that
/// ticket, and reads it all (at [`t0`]).
pub async fn open_ticket(app: &mut App, h: &Harness, case: SeedCase) {
    let seeded = h.ticket(case).clone();
    let effects = app.open_account(seeded.account_id, Some(seeded.ticket_id));
    settle(app, h, effects, t0()).await;
}

/// A message to the console at [`t0`], and everything it leads to run
/// against the sandbox; returns the effects that ran.
pub async fn press(app: &mut App, h: &Harness, msg: Msg) -> Vec<Effect> {
    let effects = app.update(msg, t0());
    settle(app, h, effects, t0()).await
}

/// A key press.
pub fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// A character typed.
pub fn ch(c: char) -> Msg {
    key(KeyCode::Char(c))
}

/// A console at 160x48 with the mouse on, its first reads settled.
pub async fn started_wide(h: &Harness) -> App {
    let (mut app, effects) = App::new(true, (160, 48));
    settle(&mut app, h, effects, t0()).await;
    app
}

/// One message to the console at [`t0`], its effects settled.
pub async fn press_at_t0(app: &mut App, h: &Harness, msg: Msg) -> Vec<Effect> {
    let effects = app.update(msg, t0());
    settle(app, h, effects, t0()).await
}

/// The console drawn at 160x48, as text.
/// The accounts the search in front found (none when it found nothing
/// yet).
pub fn found(app: &App) -> &[portaldesk::portal::model::AccountSummary] {
    let search = app.stack.search().expect("search in front");
    search.results.data.as_ref().map(|page| page.items.as_slice()).unwrap_or_default()
}

pub fn screen_wide(app: &App) -> String {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 48)).unwrap();
    terminal.draw(|frame| portaldesk::tui::app::render(app, frame, t0())).unwrap();
    terminal.backend().to_string()
}

/// A character with Ctrl held.
pub fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// A headless browser, as mail scanners send.
pub const HEADLESS: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                            HeadlessChrome/120.0.6099.71 Safari/537.36";
/// A person's desktop Chrome.
pub const CHROME: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

impl Harness {
    /// A mail scanner's visit to an invite link, as Safe Links makes it: a
    /// HEAD then a headless GET from Microsoft's network.
    pub async fn scanner_visit(&self, link: &str) {
        for method in [reqwest::Method::HEAD, reqwest::Method::GET] {
            let answer = self
                .raw()
                .request(method, link)
                .header("User-Agent", HEADLESS)
                .header("X-Sandbox-Visitor-Addr", "40.94.88.17")
                .send()
                .await
                .unwrap();
            assert_eq!(answer.status(), reqwest::StatusCode::OK);
        }
    }
}

/// What a run of the binary gave.
pub struct Run {
    pub code: i32,
    pub out: String,
    pub err: String,
}

/// Runs the real `portaldesk ARGS` with no terminal on stdin, none of the
/// caller's portal, token, config or no-proxy settings, and `env` added.
pub async fn run_binary(args: &[&str], env: &[(&str, &str)]) -> Run {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_portaldesk"))
        .args(args)
        .env_remove("PORTALDESK_TOKEN")
        .env_remove("PORTALDESK_PORTAL")
        .env_remove("PORTALDESK_CONFIG")
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&output.stdout).into_owned(),
        err: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A sandbox process (`portaldesk sandbox serve --seed 7` on a free
/// loopback port, `extra` arguments added), killed on drop.
pub struct Server {
    child: std::process::Child,
    pub url: String,
}

impl Server {
    pub fn start(token: &str, extra: &[&str]) -> Self {
        use std::io::{BufRead, BufReader};
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_portaldesk"))
            .args(["sandbox", "serve", "--addr", "127.0.0.1:0", "--seed", "7", "--token", token])
            .args(extra)
            .env(
                "PORTALDESK_LOG",
                std::env::temp_dir().join(format!("portaldesk-e2e-server-{}.log", std::process::id())),
            )
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
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

/// Everything logged on this thread, at every level, while its guard lives
/// ([`Logged::capture`]): for tests that the log holds no PHI.
#[derive(Clone, Default)]
pub struct Logged(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Logged {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logged {
    /// Captures this thread's log, every level, until the guard drops.
    pub fn capture() -> (Self, tracing::subscriber::DefaultGuard) {
        let logged = Logged::default();
        let writer = logged.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        (logged, tracing::subscriber::set_default(subscriber))
    }

    /// What was logged so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}
