//! The command line: parse arguments, call the layers, print.

mod check;
mod run;
mod sandbox;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use self::sandbox::ServeArgs;

/// A terminal console for help-desk staff of the therapy-practice client
/// portal. With no command it opens the console on the embedded sandbox
/// portal, or on the portal given by --portal or the config file.
#[derive(Debug, Parser)]
#[command(name = "portaldesk", version, about, long_about = None)]
pub struct Cli {
    /// The portal to talk to (https://..., or http:// on this machine). The
    /// API token comes from PORTALDESK_TOKEN.
    #[arg(long, global = true, env = "PORTALDESK_PORTAL", value_name = "URL")]
    pub portal: Option<String>,
    /// The configuration file.
    #[arg(long, global = true, env = "PORTALDESK_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Start without mouse capture, so the terminal can select text (M
    /// toggles it in the console).
    #[arg(long)]
    pub no_mouse: bool,
    /// Quit once the queue is drawn (for the start-up benchmark).
    #[arg(long, hide = true)]
    pub exit_after_first_frame: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a reported DOB or an email address (the diagnosis core).
    Check {
        #[command(subcommand)]
        command: check::CheckCommand,
    },
    /// Run the sandbox portal (a real HTTP server on SQLite with demo data).
    Sandbox {
        #[command(subcommand)]
        command: SandboxCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// Serve the sandbox portal until interrupted.
    Serve(ServeArgs),
}

/// Runs the command line; returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("portaldesk: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let outcome = runtime.block_on(async {
        match cli.command {
            Some(Command::Check { command }) => check::run(command),
            Some(Command::Sandbox { command: SandboxCommand::Serve(args) }) => sandbox::serve(args).await,
            None => {
                let options =
                    crate::tui::Options { mouse: !cli.no_mouse, exit_after_first_frame: cli.exit_after_first_frame };
                run::run(cli.portal, cli.config, options).await
            }
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("portaldesk: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

/// A command that failed: what to tell the user and the exit code.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub code: u8,
}

impl Failure {
    pub fn new(code: u8, message: impl Into<String>) -> Self {
        Self { message: message.into(), code }
    }
}

impl From<crate::portal::PortalError> for Failure {
    fn from(error: crate::portal::PortalError) -> Self {
        let code = u8::try_from(error.exit_code()).unwrap_or(1);
        Self::new(code, error.to_string())
    }
}
