//! A real portal in miniature: axum over SQLite, implementing the whole API
//! contract (`assets/openapi.yaml`) and its rules. Served by
//! `portaldesk sandbox serve`, embedded by the default run, and started on
//! `127.0.0.1:0` by the tests. It knows nothing of the console or the client.

pub mod actions;
pub mod clock;
pub mod events;
pub mod extract;
pub mod faults;
pub mod mail;
pub mod networks;
pub mod pages;
pub mod problem;
pub mod rng;
mod routes;
pub mod rules;
pub mod seed;
pub mod server;
pub mod simulate;
pub mod store;
pub mod visits;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use self::clock::Clock;
use self::faults::{FaultInjector, Faults};
use self::routes::{AppState, Shared};
use self::seed::Seeded;
use crate::phi::Phi;
use crate::portal::model::StaffMember;

/// How to run a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    /// The API token it accepts.
    pub token: String,
    /// A database file; in memory when `None`. An existing file with data is
    /// served as it is, not seeded again.
    pub db: Option<PathBuf>,
    /// How many accounts to seed (staff are about one in eleven, at most 20).
    pub accounts: usize,
    /// The seed of the demo data.
    pub seed: u64,
    pub faults: Faults,
    /// Freeze the clock at this instant (deterministic tests and pictures).
    pub frozen_at: Option<DateTime<Utc>>,
    /// How long a connection may stay silent or idle, or take to send a
    /// body, and how many are served at once (see [`server`]).
    pub limits: server::Limits,
    /// Extra open tickets to seed beyond the seeded cases (`--tickets N`),
    /// for a large queue.
    pub tickets: usize,
    /// A new ticket's first reply is due this long after it opened
    /// (`due_at`); 4 hours by default.
    pub first_response_target: chrono::Duration,
    /// How much of the event log a resume can reach.
    pub event_window: store::events::Window,
    /// How often an idle event stream gets a comment line.
    pub keep_alive: std::time::Duration,
    /// Play a living desk (other agents, new tickets, clients on the invite
    /// page, bounces) on the sandbox clock.
    pub simulate: Option<simulate::Simulation>,
    /// Other staff tokens it accepts: (token, staff id of the help desk),
    /// so two consoles can be two agents.
    pub staff_tokens: Vec<(String, String)>,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        Self {
            token: "sandbox".into(),
            db: None,
            accounts: 220,
            seed: 1,
            faults: Faults::default(),
            frozen_at: None,
            limits: server::Limits::default(),
            tickets: 0,
            first_response_target: rules::FIRST_RESPONSE_TARGET,
            event_window: store::events::Window::default(),
            keep_alive: events::KEEP_ALIVE,
            simulate: None,
            staff_tokens: Vec::new(),
        }
    }
}

/// A running sandbox.
pub struct Sandbox {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// What the seed made (empty when an existing database was opened).
    pub seeded: Seeded,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
    /// The clock's ticks (and the simulation): ended with the sandbox.
    background: Vec<JoinHandle<()>>,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        for task in &self.background {
            task.abort();
        }
    }
}

impl Sandbox {
    /// The base URL (`http://127.0.0.1:PORT`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Now, as the sandbox sees it.
    pub fn now(&self) -> DateTime<Utc> {
        self.shared.clock.now()
    }

    /// Stops serving and waits for the server task to end.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        (&mut self.task).await.map_err(std::io::Error::other)?
    }

    /// Waits until search answers from a complete index (it is built after
    /// the server starts); false if building it failed.
    pub async fn searchable(&self) -> bool {
        self.shared.searchable().await
    }

    /// Waits until the server ends (it ends on its own only on error).
    pub async fn wait(mut self) -> std::io::Result<()> {
        (&mut self.task).await.map_err(std::io::Error::other)?
    }
}

/// Errors starting a sandbox.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot open the sandbox database: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("cannot listen: {0}")]
    Listen(#[from] std::io::Error),
    #[error("the seeding task failed")]
    Seed,
}

/// Opens the database, seeds it when empty, and serves on `listener`.
pub async fn start(listener: TcpListener, options: SandboxOptions) -> Result<Sandbox, StartError> {
    let addr = listener.local_addr()?;
    let clock = match options.frozen_at {
        Some(at) => Clock::frozen(at),
        None => Clock::system(),
    };
    let now = clock.now();
    let link_base = format!("http://{addr}");
    let seed_options = options.clone();
    let seed_base = link_base.clone();
    let (conn, seeded, latest) = tokio::task::spawn_blocking(move || -> Result<_, StartError> {
        let conn = match &seed_options.db {
            Some(path) => Connection::open(path)?,
            None => Connection::open_in_memory()?,
        };
        store::tune(&conn)?;
        store::open(&conn)?;
        let empty = store::accounts::count(&conn)?;
        let seeded = if empty == 0 {
            let plan = seed::SeedPlan {
                seed: seed_options.seed,
                accounts: seed_options.accounts,
                extra_tickets: seed_options.tickets,
                first_response: seed_options.first_response_target,
            };
            let seeded = seed::seed(&conn, &plan, now, &seed_base)?;
            store::events::forget_seeded(&conn)?;
            seeded
        } else {
            Seeded::default()
        };
        // What the seed made is history, not news: announce from now on.
        store::events::catch_up(&conn, now)?;
        let latest = store::events::latest(&conn)?;
        Ok((conn, seeded, latest))
    })
    .await
    .map_err(|_| StartError::Seed)??;

    let shared = Arc::new(Shared {
        db: Mutex::new(conn),
        clock,
        token: options.token.clone(),
        me: StaffMember {
            id: "agent_sandbox".into(),
            name: Phi::from("Sandbox Agent"),
            email: Phi::from("helpdesk@brightpathcounseling.org"),
        },
        staff: options
            .staff_tokens
            .iter()
            .map(|(token, id)| {
                let member = StaffMember {
                    id: id.clone(),
                    name: Phi::new(rules::staff_name(id).to_owned()),
                    email: Phi::from("helpdesk@brightpathcounseling.org"),
                };
                (token.clone(), member)
            })
            .collect(),
        agents: rules::HELP_DESK.iter().map(|(id, _)| (*id).to_owned()).collect(),
        link_base,
        events: events::EventHub::new(latest, options.event_window, options.keep_alive),
        search: tokio::sync::watch::Sender::new(routes::SearchIndex::Building),
        search_wanted: tokio::sync::Notify::new(),
    });
    let injector = FaultInjector {
        faults: Arc::new(options.faults.clone()),
        dice: Arc::new(Mutex::new(rng::Rng::new(options.seed ^ 0xFA17))),
        lost: Arc::default(),
    };
    let app = routes::router(AppState(Arc::clone(&shared)), injector);
    let (shutdown, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(server::serve(listener, app, options.limits, stopped));
    tokio::spawn(routes::index_accounts(Arc::clone(&shared)));
    let mut background = vec![tokio::spawn(tick(Arc::clone(&shared)))];
    if let Some(simulation) = options.simulate {
        background.push(tokio::spawn(simulate::run(AppState(Arc::clone(&shared)), simulation)));
    }
    Ok(Sandbox { addr, seeded, shared, shutdown: Some(shutdown), task, background })
}

/// Once a second, announces what the passing of time made due (deliveries,
/// expiries, lapsed presence) and prunes the event log.
async fn tick(shared: Arc<Shared>) {
    // The first tick a second from now: the catch-up at start ran with the
    // seed, and the first reads are not to wait behind another.
    let period = std::time::Duration::from_secs(1);
    let mut every = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        every.tick().await;
        let shared = Arc::clone(&shared);
        if let Ok(Err(error)) = tokio::task::spawn_blocking(move || shared.catch_up()).await {
            tracing::warn!(status = error.status.as_u16(), "the event catch-up failed");
        }
    }
}
