//! The default run: the console on the embedded sandbox, or on a portal.

use std::path::PathBuf;

use super::Failure;
use crate::config;
use crate::portal::{ApiToken, ClientOptions, PortalClient};
use crate::sandbox::{self, SandboxOptions};
use crate::tui;

pub async fn run(portal: Option<String>, config_path: Option<PathBuf>, options: tui::Options) -> Result<(), Failure> {
    // Everything that can fail before the terminal is touched fails here,
    // with the terminal untouched.
    let config = config::load(config_path.as_deref()).map_err(|e| Failure::new(2, e.to_string()))?;
    match portal.or(config.portal_url) {
        Some(url) => {
            let token = std::env::var("PORTALDESK_TOKEN")
                .map_err(|_| Failure::new(2, "set PORTALDESK_TOKEN to the portal's API token"))?;
            let client = PortalClient::new(&url, ApiToken::new(token), ClientOptions::default())?;
            console(client, options).await
        }
        None => {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .map_err(|e| Failure::new(1, format!("cannot start the embedded sandbox: {e}")))?;
            let sandbox_options = SandboxOptions::default();
            let token = ApiToken::new(sandbox_options.token.clone());
            let embedded =
                sandbox::start(listener, sandbox_options).await.map_err(|e| Failure::new(1, e.to_string()))?;
            let client = PortalClient::new(&embedded.url(), token, ClientOptions::default())?;
            let outcome = console(client, options).await;
            let _ = embedded.stop().await;
            outcome
        }
    }
}

async fn console(client: PortalClient, options: tui::Options) -> Result<(), Failure> {
    tui::run(client, options).await.map_err(|e| Failure::new(1, format!("the console failed: {e}")))
}
