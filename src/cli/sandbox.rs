//! `portaldesk sandbox serve`.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::Args;

use super::Failure;
use crate::sandbox::faults::Faults;
use crate::sandbox::simulate::Simulation;
use crate::sandbox::{self, SandboxOptions};

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// The address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8088")]
    pub addr: SocketAddr,
    /// A SQLite database file; in memory when absent. An existing database
    /// is served as it is.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// The API token the sandbox accepts.
    #[arg(long, default_value = "sandbox")]
    pub token: String,
    /// How many accounts to seed (about one in eleven are staff, at most 20).
    #[arg(long, default_value_t = 220, value_parser = clap::value_parser!(u64).range(100..=5_000_000))]
    pub accounts: u64,
    /// The seed of the demo data: the same seed gives the same data.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Faults to inject on the API, e.g. latency=300ms,error_rate=0.2,drop_rate=0.05
    /// (also lost_answer_rate=R, lost_answers=N, malformed_rate=R and slow_body=DURATION).
    #[arg(long, value_parser = Faults::parse)]
    pub faults: Option<Faults>,
    /// Freeze the sandbox clock at this RFC 3339 instant (for repeatable pictures).
    #[arg(long, value_name = "RFC3339")]
    pub frozen_at: Option<DateTime<Utc>>,
    /// Seed this many extra open tickets besides the demo cases (a large
    /// queue, e.g. 10000 for the queue benchmark).
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=1_000_000))]
    pub tickets: u64,
    /// Play a living desk: other agents claim tickets, write notes and resend
    /// invites, new tickets arrive, clients open links and fail or pass the
    /// DOB, mail bounces; a move every 3 seconds, the same moves for the same
    /// --seed.
    #[arg(long)]
    pub simulate: bool,
    /// Another staff token it accepts, as TOKEN=STAFF_ID (a help-desk member:
    /// agent_rivera, agent_chen), so two consoles can be two agents.
    /// Repeatable.
    #[arg(long = "staff-token", value_name = "TOKEN=STAFF_ID", value_parser = staff_token)]
    pub staff_tokens: Vec<(String, String)>,
}

/// `TOKEN=STAFF_ID`, the staff id one of the help desk's.
fn staff_token(text: &str) -> Result<(String, String), String> {
    let (token, id) = text.split_once('=').ok_or("expected TOKEN=STAFF_ID")?;
    if token.is_empty() {
        return Err("the token is empty".into());
    }
    if !crate::sandbox::rules::HELP_DESK.iter().any(|(known, _)| *known == id) {
        return Err("the staff id is not one of the help desk's (agent_sandbox, agent_rivera, agent_chen)".into());
    }
    Ok((token.to_owned(), id.to_owned()))
}

impl ServeArgs {
    pub fn options(&self) -> SandboxOptions {
        SandboxOptions {
            token: self.token.clone(),
            db: self.db.clone(),
            accounts: usize::try_from(self.accounts).unwrap_or(usize::MAX),
            seed: self.seed,
            faults: self.faults.clone().unwrap_or_default(),
            frozen_at: self.frozen_at,
            tickets: usize::try_from(self.tickets).unwrap_or(usize::MAX),
            simulate: self.simulate.then(|| Simulation::new(self.seed)),
            staff_tokens: self.staff_tokens.clone(),
            ..SandboxOptions::default()
        }
    }
}

pub async fn serve(args: ServeArgs) -> Result<(), Failure> {
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(|e| Failure::new(1, format!("cannot listen on {}: {e}", args.addr)))?;
    let started = sandbox::start(listener, args.options()).await.map_err(|e| Failure::new(1, e.to_string()))?;
    // A standalone sandbox says it is listening once search is complete
    // too, so what is started next (a benchmark, a test) sees every account.
    if !started.searchable().await {
        return Err(Failure::new(1, "the sandbox could not index its accounts for search"));
    }
    // Written so that a closed stdout (`| head -1`) never stops the server.
    let banner = format!(
        "sandbox portal listening on {url}\n  API:    {url}/api/v1   (Authorization: Bearer {token})\n  \
         outbox: {url}/sandbox/outbox (replies: {url}/sandbox/outbox/replies)\n  \
         events: {url}/api/v1/events (text/event-stream)\n  seeded: {} accounts, {} open tickets{}\n",
        started.seeded.accounts,
        started.seeded.tickets.len() + started.seeded.extra_tickets,
        if args.simulate { "\n  simulating other agents and clients (--simulate)" } else { "" },
        url = started.url(),
        token = args.token,
    );
    let mut stdout = std::io::stdout();
    let _ = stdout.write_all(banner.as_bytes()).and_then(|()| stdout.flush());
    tokio::select! {
        outcome = started.wait() => outcome.map_err(|e| Failure::new(1, format!("the sandbox stopped: {e}"))),
        _ = shutdown_signal() => Ok(()),
    }
}

/// Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(term) => term,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
