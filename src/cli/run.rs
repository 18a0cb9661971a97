//! The default run: the console on the embedded sandbox, or on a portal.

use super::{Failure, portal};
use crate::config::Settings;
use crate::portal::{ApiToken, ClientOptions, PortalClient};
use crate::sandbox::simulate::Simulation;
use crate::sandbox::{self, SandboxOptions};
use crate::tui;

/// What the embedded sandbox is started with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Embedded {
    /// Extra open tickets to seed (`--tickets N`).
    pub tickets: usize,
    /// Play a living desk (the default; `--no-simulate` turns it off).
    pub simulate: bool,
}

/// Runs the console; a signal that ended it is the exit status (128 + its
/// number), with nothing said.
/// `embedded.tickets` (`--tickets N`) are seeded in the embedded sandbox;
/// with a portal they are a usage error.
pub async fn run(
    portal: Option<String>,
    settings: &Settings,
    options: tui::Options,
    embedded: Embedded,
) -> Result<(), Failure> {
    // The settings were checked when read (`Settings::validate`), before
    // the terminal is touched.
    match portal::configured(portal, settings)? {
        Some(_) if embedded.tickets > 0 => {
            Err(Failure::new(2, "--tickets seeds the embedded sandbox: it cannot be used with a portal"))
        }
        Some(client) => console(client, options, settings).await,
        None => self::embedded(options, settings, embedded).await,
    }
}

/// The console on a sandbox started inside this process. The console does
/// not wait for the sandbox to seed: the listener is bound first, so its
/// address is known and the console's first read waits in the listen
/// queue while the terminal is set up and the first frame drawn, on the
/// other core, during the seed.
async fn embedded(options: tui::Options, settings: &Settings, embedded: Embedded) -> Result<(), Failure> {
    let cannot = |e: &dyn std::fmt::Display| Failure::new(1, format!("cannot start the embedded sandbox: {e}"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| cannot(&e))?;
    let url = format!("http://{}", listener.local_addr().map_err(|e| cannot(&e))?);
    let mut sandbox_options = SandboxOptions { tickets: embedded.tickets, ..SandboxOptions::default() };
    if embedded.simulate {
        sandbox_options.simulate = Some(Simulation::new(sandbox_options.seed));
    }
    // Its clock is the one this process runs: followed however far off.
    let client =
        PortalClient::new(&url, ApiToken::new(sandbox_options.token.clone()), ClientOptions::embedded_sandbox())?;
    let mut starting = tokio::spawn(sandbox::start(listener, sandbox_options));
    let console = console(client, options, settings);
    tokio::pin!(console);
    // The console runs while the sandbox starts; a sandbox that fails to
    // start ends the console (its terminal guard restores the terminal).
    let embedded = tokio::select! {
        started = &mut starting => match started {
            Ok(Ok(embedded)) => embedded,
            Ok(Err(e)) => return Err(cannot(&e)),
            Err(e) => return Err(cannot(&e)),
        },
        outcome = &mut console => {
            starting.abort();
            return outcome;
        }
    };
    let outcome = console.await;
    let _ = embedded.stop().await;
    outcome
}

async fn console(client: PortalClient, options: tui::Options, settings: &Settings) -> Result<(), Failure> {
    match tui::run(client, options, settings).await {
        Ok(tui::Ended::Quit) => Ok(()),
        Ok(ended) => Err(Failure::new(ended.exit_code(), "")),
        Err(e) => Err(Failure::new(1, format!("the console failed: {e}"))),
    }
}
