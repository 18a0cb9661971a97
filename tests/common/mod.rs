//! Shared test setup: a real sandbox on 127.0.0.1:0 and a client for it.
#![allow(dead_code)]

use chrono::{DateTime, Utc};
use portaldesk::portal::{ApiToken, ClientOptions, PortalClient};
use portaldesk::sandbox::faults::Faults;
use portaldesk::sandbox::seed::{SeedCase, SeededTicket};
use portaldesk::sandbox::{self, Sandbox, SandboxOptions};

/// The instant the test sandboxes are frozen at.
pub fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-25T09:00:00Z").unwrap().to_utc()
}

pub struct Harness {
    pub sandbox: Sandbox,
    pub client: PortalClient,
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
        Self { sandbox, client }
    }

    /// The first seeded ticket of a case.
    pub fn ticket(&self, case: SeedCase) -> &SeededTicket {
        self.sandbox.seeded.tickets.iter().find(|t| t.case == case).unwrap_or_else(|| panic!("no {case:?} ticket"))
    }

    /// A plain HTTP client for requests the typed client would never send.
    pub fn raw(&self) -> reqwest::Client {
        reqwest::Client::new()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.url())
    }
}

/// Client options with short backoffs, so retries do not slow the tests.
pub fn fast_options() -> ClientOptions {
    ClientOptions {
        backoff: std::time::Duration::from_millis(5),
        max_backoff: std::time::Duration::from_millis(20),
        ..ClientOptions::default()
    }
}
