//! The command line: parse arguments, call the layers, print.

mod account;
mod audit;
mod check;
pub mod exit;
mod fix;
mod guard;
mod login;
mod mutate;
mod out;
mod portal;
mod read;
mod run;
mod sandbox;
mod ticket;
mod watch;

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
    /// API token comes from PORTALDESK_TOKEN, else the system keyring
    /// (portaldesk login).
    #[arg(long, global = true, env = "PORTALDESK_PORTAL", value_name = "URL")]
    pub portal: Option<String>,
    /// The configuration file.
    #[arg(long, global = true, env = "PORTALDESK_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Read-only, for trainees and auditors: every changing action is hidden
    /// in the console and refused by the commands (exit 2). Also the config
    /// key `readonly` and PORTALDESK_READONLY=1.
    #[arg(long, global = true)]
    pub readonly: bool,
    /// The portal given is a sandbox on this machine (`sandbox serve`):
    /// follow its simulated clock (frozen, or moved) however far it is from
    /// this machine's. Without it, any portal's clock, loopback or not, is
    /// trusted within 24 hours only. Also the config key `sandbox_clock`.
    #[arg(long, global = true)]
    pub sandbox_clock: bool,
    /// Start without mouse capture, so the terminal can select text (M
    /// toggles it in the console).
    #[arg(long)]
    pub no_mouse: bool,
    /// Plain text for screen readers: the same screens read out as lines,
    /// with no full-screen mode, cursor addressing or box drawing; a change
    /// is said as a new line. The keys are the same. Also PORTALDESK_PLAIN=1.
    #[arg(long, env = "PORTALDESK_PLAIN", value_parser = clap::builder::FalseyValueParser::new())]
    pub plain: bool,
    /// Quit once the queue is drawn (for the start-up benchmark).
    #[arg(long, hide = true)]
    pub exit_after_first_frame: bool,
    /// Seed this many extra open tickets in the embedded sandbox (a large
    /// queue, for the queue benchmark); not with a portal.
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=1_000_000))]
    pub tickets: u64,
    /// Keep the embedded sandbox quiet. By default it plays a living desk
    /// (as `sandbox serve --simulate`): other agents claim tickets, resend
    /// invites and write notes, new tickets arrive, clients open links and
    /// fail or pass the DOB, so one person trying the console sees a team
    /// at work, live. (Ignored with a portal.)
    #[arg(long)]
    pub no_simulate: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What `--help` adds after the options.
const MORE_HELP: &str = "\
Which portal:
  --portal URL (or PORTALDESK_PORTAL), else portal_url in the config file (or
  PORTALDESK_PORTAL_URL); the API token comes from PORTALDESK_TOKEN, else the
  keyring (portaldesk login). With no portal named, the console runs on the embedded
  sandbox; the read and action commands refuse (exit 2) instead, since the embedded
  sandbox's changes would vanish on exit.

Output:
  Readable by default, with email addresses and dates of birth masked (--reveal shows
  them). --json prints one JSON document on stdout, for scripts: it carries the values
  unmasked. Errors on stderr never carry a name, email address or date of birth.

Confirmation:
  resend, dob set, reply, claim, solve, email and revoke show what will happen and
  ask when stdin is a terminal (on stdout when it is the terminal too, else on
  stderr without names, addresses, dates of birth or the reply's text); without a
  terminal they need --yes.
";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List tickets, oldest first (open ones by default).
    ///
    /// --json: {"status": "open", "tickets": [Ticket]}, each Ticket as the
    /// portal sends it (with its account summary).
    Tickets(read::TicketsArgs),
    /// Find accounts by name, email, phone or id.
    ///
    /// --json: {"accounts": [AccountSummary], "next_cursor": string|null}.
    Search(read::SearchArgs),
    /// Show an account.
    ///
    /// --json: {"account": Account, "etag": "<version, for dob set --expect-etag>"}.
    Show(read::AccountArgs),
    /// List the invites of an account, newest first, with their state now.
    ///
    /// --json: {"account_id", "role", "now", "invites": [Invite + "state"
    /// (pending, expiring_soon, expired, superseded, accepted, revoked) +
    /// "countdown"]}.
    Invites(read::AccountArgs),
    /// Why the client cannot get in: the findings, most decisive first, each
    /// with the next step and the reply to send.
    ///
    /// --json (unmasked): {"account_id", "role", "now", "findings": [{"code",
    /// "explanation", "next_step", "reply", "suggested_email" (email_typo
    /// only: the address likely meant)}]}.
    Diagnose(read::AccountArgs),
    /// Resend the portal invite: a new link (staff 1 hour, clients 48 hours);
    /// earlier links stop working.
    ///
    /// --json: {"invite": Invite}.
    Resend(mutate::ResendArgs),
    /// The audit trail of a period, oldest first (--json, --csv), `audit
    /// verify` to check its hash chain, or `audit head` for its head.
    Audit(audit::AuditArgs),
    /// Change the DOB on file.
    Dob {
        #[command(subcommand)]
        command: mutate::DobCommand,
    },
    /// A ticket: `ticket show T` shows it with its conversation.
    Ticket {
        #[command(subcommand)]
        command: ticket::TicketCommand,
    },
    /// The internal notes of a ticket, oldest first.
    ///
    /// --json: {"ticket_id", "notes": [TicketNote]}.
    Notes(ticket::TicketArgs),
    /// Send a public reply to the client (emailed to the account's default
    /// address, once), optionally setting the ticket pending or solved.
    ///
    /// --json: {"message": TicketMessage, "ticket": Ticket}.
    Reply(ticket::ReplyArgs),
    /// Claim a ticket: assign it to yourself (If-Match: exit 4 when someone
    /// changed it since it was read).
    ///
    /// --json: {"changed": bool, "ticket": Ticket, "etag"}.
    Claim(ticket::TicketChangeArgs),
    /// Mark a ticket solved.
    ///
    /// --json: {"changed": bool, "ticket": Ticket, "etag"}.
    Solve(ticket::TicketChangeArgs),
    /// Add an address to an account, make one the default, or remove one.
    Email {
        #[command(subcommand)]
        command: account::EmailCommand,
    },
    /// Revoke a pending invite: its link then shows the invalid-link page.
    ///
    /// --json: {"invite": Invite, "etag": "<the account's new ETag>"}.
    Revoke(account::RevokeArgs),
    /// The top finding's remedy, step by step, ending with the reply and the
    /// ticket's status: shown, confirmed, then done (--dry-run shows only).
    /// A re-run after a part-way failure does only what is left.
    ///
    /// --json: {"account_id", "plan": Plan, "states": [state per step], "done": bool}.
    Fix(fix::FixArgs),
    /// Print a shell completion script (e.g. `portaldesk completions bash >
    /// ~/.local/share/bash-completion/completions/portaldesk`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Keep the portal's API token in the system keyring (asked for without
    /// echo, or read from stdin when it is not a terminal).
    Login,
    /// Remove the portal's API token from the system keyring.
    Logout,
    /// Check a reported DOB, an email address or a visit to an invite link
    /// (the diagnosis core).
    Check {
        #[command(subcommand)]
        command: check::CheckCommand,
    },
    /// Print the portal's events as they arrive (tickets, invites, the
    /// invite page, accounts, presence), ids only; reconnects and resumes by
    /// itself. Ctrl-C stops it.
    ///
    /// --json: one object per line, {"id", "type", "at", "ticket_id"?,
    /// "account_id"?, "invite_id"?, "actor"?}.
    Watch(watch::WatchArgs),
    /// Run the sandbox portal (a real HTTP server on SQLite with demo data).
    Sandbox {
        #[command(subcommand)]
        command: SandboxCommand,
    },
}

impl Command {
    /// The name of a command that changes the portal, if this is one
    /// (refused in read-only mode).
    fn change(&self) -> Option<&'static str> {
        match self {
            Command::Resend(_) => Some("resend"),
            Command::Dob { command: mutate::DobCommand::Set(_) } => Some("dob set"),
            Command::Reply(_) => Some("reply"),
            Command::Claim(_) => Some("claim"),
            Command::Solve(_) => Some("solve"),
            Command::Email { .. } => Some("email"),
            Command::Revoke(_) => Some("revoke"),
            Command::Fix(args) if !args.dry_run => Some("fix"),
            _ => None,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// Serve the sandbox portal until interrupted.
    Serve(ServeArgs),
}

/// Runs the command line; returns the process exit code.
pub fn main() -> ExitCode {
    // Panic reports first (the console's terminal-restoring hook wraps
    // them), then the log.
    let _ = color_eyre::install();
    // The argument parser reads PORTALDESK_PORTAL as text: one that is not
    // UTF-8 is named here, as every variable of ours is (exit 2).
    if let Err(e) = crate::config::check_text_variables(&["PORTALDESK_PORTAL"], |name| std::env::var_os(name)) {
        eprintln!("portaldesk: {}", crate::sanitize::multiline(&e.to_string()));
        return ExitCode::from(2);
    }
    // `--help` ends with the exit codes, from their one table.
    let command = <Cli as clap::CommandFactory>::command()
        .after_long_help(format!("{MORE_HELP}\n{}", exit::help_text().trim_end()));
    let cli = match <Cli as clap::FromArgMatches>::from_arg_matches(&command.get_matches()) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    // A configuration that cannot be used stops everything, before the
    // log or the terminal is touched.
    // Read and checked once (ranges, keys, the practice's replies), here,
    // for every command; what follows gets the settings passed down.
    let mut settings = match crate::config::settings(cli.config.as_deref()) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("portaldesk: {}", crate::sanitize::multiline(&e.to_string()));
            return ExitCode::from(2);
        }
    };
    settings.readonly |= cli.readonly;
    settings.sandbox_clock |= cli.sandbox_clock;
    crate::logging::init(settings.log_level);
    if settings.readonly
        && let Some(change) = cli.command.as_ref().and_then(Command::change)
    {
        eprintln!(
            "portaldesk: read-only: {change} changes the portal and is refused (--readonly, PORTALDESK_READONLY or \
             readonly in the config); nothing was sent"
        );
        return ExitCode::from(2);
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("portaldesk: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    // The read and action commands need a portal; they never start the
    // embedded sandbox.
    // The client is kept, to warn once at the end about the portal's clock.
    let used = std::cell::OnceCell::new();
    let connect = || {
        let client = portal::required(cli.portal.clone(), &settings)?;
        let _ = used.set(client.clone());
        Ok::<_, Failure>(client)
    };
    let outcome = runtime.block_on(async {
        match cli.command {
            Some(Command::Tickets(args)) => read::tickets(&connect()?, &args).await,
            Some(Command::Search(args)) => read::search(&connect()?, &args).await,
            Some(Command::Show(args)) => read::show(&connect()?, &args, settings.time_zone).await,
            Some(Command::Invites(args)) => read::invites(&connect()?, &args, settings.time_zone).await,
            Some(Command::Diagnose(args)) => read::diagnose(&connect()?, &args, &settings.replies()).await,
            Some(Command::Audit(args)) => audit::run(&connect()?, &args).await,
            Some(Command::Watch(args)) => watch::watch(&connect()?, &args).await,
            Some(Command::Resend(args)) => {
                mutate::resend(&args, connect, settings.time_zone, settings.resend_guard).await
            }
            Some(Command::Dob { command: mutate::DobCommand::Set(args) }) => mutate::dob_set(&args, connect).await,
            Some(Command::Ticket { command: ticket::TicketCommand::Show(args) }) => {
                ticket::show(&connect()?, &args, settings.time_zone).await
            }
            Some(Command::Notes(args)) => ticket::notes(&connect()?, &args, settings.time_zone).await,
            Some(Command::Reply(args)) => ticket::reply(&args, connect, &settings.replies()).await,
            Some(Command::Claim(args)) => ticket::claim(&args, connect).await,
            Some(Command::Solve(args)) => ticket::solve(&args, connect).await,
            Some(Command::Email { command }) => account::email(&command, connect).await,
            Some(Command::Revoke(args)) => account::revoke(&args, connect).await,
            Some(Command::Fix(args)) => fix::fix(&args, connect, &settings.replies()).await,
            Some(Command::Login) => login::login(cli.portal.clone(), &settings).await,
            Some(Command::Logout) => login::logout(cli.portal.clone(), &settings),
            Some(Command::Check { command }) => check::run(command),
            Some(Command::Sandbox { command: SandboxCommand::Serve(args) }) => sandbox::serve(args).await,
            Some(Command::Completions { shell }) => completions(shell),
            None => {
                let options = crate::tui::Options {
                    mouse: !cli.no_mouse && !cli.plain,
                    plain: cli.plain,
                    exit_after_first_frame: cli.exit_after_first_frame,
                    idle_lock: settings.idle_lock,
                };
                let embedded = run::Embedded {
                    tickets: usize::try_from(cli.tickets).unwrap_or(usize::MAX),
                    simulate: !cli.no_simulate,
                };
                run::run(cli.portal.clone(), &settings, options, embedded).await
            }
        }
    });
    if let Some(warning) = used.get().and_then(|client: &crate::portal::PortalClient| client.clock().warning()) {
        eprintln!("portaldesk: warning: {warning}");
    }
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            // The message may quote the portal: no control reaches stderr.
            // A console ended by a signal says nothing, as shells expect.
            if !failure.message.is_empty() {
                eprintln!("portaldesk: {}", crate::sanitize::multiline(&failure.message));
            }
            ExitCode::from(failure.code)
        }
    }
}

/// `portaldesk completions SHELL`: generated from the same definition as
/// the parser, so completions cannot drift from the real options.
fn completions(shell: clap_complete::Shell) -> Result<(), Failure> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut <Cli as clap::CommandFactory>::command(), "portaldesk", &mut script);
    out::text_out(&String::from_utf8_lossy(&script))
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
