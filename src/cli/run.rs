//! The default run: the console on the embedded sandbox, or on a portal.

use super::{Failure, portal};
use crate::config::Settings;
use crate::portal::{ApiToken, ClientOptions, PortalClient};
use crate::sandbox::{self, SandboxOptions};
use crate::tui;

pub async fn run(portal: Option<String>, settings: &Settings, options: tui::Options) -> Result<(), Failure> {
    // Everything that can fail before the terminal is touched fails here,
    // with the terminal untouched.
    tui::check_settings(settings).map_err(|e| Failure::new(2, e))?;
    match portal::configured(portal, settings)? {
        Some(client) => console(client, options, settings).await,
        None => {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .map_err(|e| Failure::new(1, format!("cannot start the embedded sandbox: {e}")))?;
            let sandbox_options = SandboxOptions::default();
            let token = ApiToken::new(sandbox_options.token.clone());
            let embedded =
                sandbox::start(listener, sandbox_options).await.map_err(|e| Failure::new(1, e.to_string()))?;
            let client = PortalClient::new(&embedded.url(), token, ClientOptions::default())?;
            let outcome = console(client, options, settings).await;
            let _ = embedded.stop().await;
            outcome
        }
    }
}

async fn console(client: PortalClient, options: tui::Options, settings: &Settings) -> Result<(), Failure> {
    tui::run(client, options, settings).await.map_err(|e| Failure::new(1, format!("the console failed: {e}")))
}
