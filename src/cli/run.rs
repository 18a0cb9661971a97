//! The default run: the console on the embedded sandbox, or on a portal.

use std::path::PathBuf;

use super::{Failure, portal};
use crate::portal::{ApiToken, ClientOptions, PortalClient};
use crate::sandbox::{self, SandboxOptions};
use crate::tui;

pub async fn run(portal: Option<String>, config_path: Option<PathBuf>, options: tui::Options) -> Result<(), Failure> {
    // Everything that can fail before the terminal is touched fails here,
    // with the terminal untouched.
    match portal::configured(portal, config_path.as_deref())? {
        Some(client) => console(client, options).await,
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
