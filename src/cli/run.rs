//! The default run: the console on the embedded sandbox, or on a portal.
//!
//! Until the console lands, this starts the sandbox (or connects to the
//! portal), checks the connection and shows how to reach it.

use std::path::PathBuf;

use super::Failure;
use super::sandbox::shutdown_signal;
use crate::config;
use crate::portal::model::TicketStatus;
use crate::portal::{ApiToken, ClientOptions, PortalClient};
use crate::sandbox::{self, SandboxOptions};

pub async fn run(portal: Option<String>, config_path: Option<PathBuf>) -> Result<(), Failure> {
    let config = config::load(config_path.as_deref()).map_err(|e| Failure::new(2, e.to_string()))?;
    match portal.or(config.portal_url) {
        Some(url) => {
            let token = std::env::var("PORTALDESK_TOKEN")
                .map_err(|_| Failure::new(2, "set PORTALDESK_TOKEN to the portal's API token"))?;
            let client = PortalClient::new(&url, ApiToken::new(token), ClientOptions::default())?;
            greet(&client).await
        }
        None => {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .map_err(|e| Failure::new(1, format!("cannot start the embedded sandbox: {e}")))?;
            let options = SandboxOptions::default();
            let token = options.token.clone();
            let embedded = sandbox::start(listener, options).await.map_err(|e| Failure::new(1, e.to_string()))?;
            let client = PortalClient::new(&embedded.url(), ApiToken::new(token.clone()), ClientOptions::default())?;
            greet(&client).await?;
            println!("embedded sandbox portal: {} (token: {token}); Ctrl-C stops it", embedded.url());
            shutdown_signal().await;
            embedded.stop().await.map_err(|e| Failure::new(1, e.to_string()))
        }
    }
}

async fn greet(client: &PortalClient) -> Result<(), Failure> {
    let me = client.me().await?;
    let open = client.tickets(Some(TicketStatus::Open)).await?;
    println!("connected to {} as {}; {} open tickets", client.base_url(), me.id, open.len());
    Ok(())
}
