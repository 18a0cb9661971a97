//! The console: turns terminal events into messages, messages into state
//! changes and effects, and state into frames.
//!
//! The loop redraws only after something happened (a key, an answer, a
//! resize) and ticks once a second only while a countdown is on screen, so
//! an idle console is idle. Each frame is drawn inside a synchronized
//! update so slow links do not flicker.

pub mod action;
pub mod app;
pub mod clipboard;
pub mod component;
pub mod effects;
pub mod keymap;
pub mod live;
pub mod plain;
pub mod remote;
pub mod screens;
pub mod stack;
pub mod terminal;
pub mod theme;
pub mod view_model;

use std::io;
use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyEventKind, MouseEventKind};
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use futures::StreamExt;
use tokio::sync::mpsc;

use self::action::{Due, Effect, Msg, Terminal};
use self::app::App;
use self::clipboard::ClipboardEnv;
use self::effects::Runner;
use self::terminal::TerminalGuard;
use crate::config::Settings;
use crate::portal::PortalClient;
use crate::portal::events::Live;

/// How the console starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Capture the mouse (off lets the terminal select text).
    pub mouse: bool,
    /// Read the screens out as lines for a screen reader (`--plain`):
    /// no full-screen mode, no cursor addressing.
    pub plain: bool,
    /// Quit as soon as the queue has been drawn with its tickets (for the
    /// start-up benchmark).
    pub exit_after_first_frame: bool,
    /// Lock the screen after this long without a key (automatic logoff).
    pub idle_lock: Duration,
}

/// The default idle lock: 5 minutes.
pub const IDLE_LOCK: Duration = Duration::from_secs(5 * 60);

impl Default for Options {
    fn default() -> Self {
        Self { mouse: true, plain: false, exit_after_first_frame: false, idle_lock: IDLE_LOCK }
    }
}

/// How the console ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// The user quit.
    Quit,
    /// A signal (its number) ended it: SIGTERM, SIGHUP or SIGINT.
    Signal(i32),
}

impl Ended {
    /// The exit status shells expect: 0 on quit, 128 + the signal's number.
    pub fn exit_code(self) -> u8 {
        match self {
            Ended::Quit => 0,
            Ended::Signal(number) => u8::try_from(128 + number.clamp(0, 127)).unwrap_or(u8::MAX),
        }
    }
}

/// Runs the console until the user quits or a signal ends it. The terminal
/// is restored on every way out.
pub async fn run(client: PortalClient, options: Options, settings: &Settings) -> io::Result<Ended> {
    tracing::info!(portal = %client.base_url(), "console started");
    let mut guard = if options.plain { TerminalGuard::enter_plain()? } else { TerminalGuard::enter(options.mouse)? };
    let clipboard = ClipboardEnv::from_env();
    let outcome = event_loop(&mut guard, client, options, settings, &clipboard).await;
    drop(guard);
    // A DOB or reply copied into tmux's paste buffer does not outlive us.
    clipboard::forget(&clipboard);
    match &outcome {
        Ok(ended) => tracing::info!(?ended, "console ended"),
        // The kind only: an error's text may carry what caused it.
        Err(error) => tracing::error!(kind = %error.kind(), "console failed"),
    }
    outcome
}

/// Whether the settings work for the console (key bindings, reply files),
/// checked before the terminal is touched.
pub fn check_settings(settings: &Settings) -> Result<(), String> {
    App::new(true, (80, 24)).0.configure(settings, false)
}

async fn event_loop(
    guard: &mut TerminalGuard,
    client: PortalClient,
    options: Options,
    settings: &Settings,
    clipboard: &ClipboardEnv,
) -> io::Result<Ended> {
    let size = guard.terminal.size()?;
    let (mut app, effects) = App::new(options.mouse, (size.width, size.height));
    app.configure(settings, theme::no_color()).map_err(io::Error::other)?;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let runner = Runner::new(client.clone(), tx.clone());
    for effect in effects {
        runner.spawn(effect);
    }
    // The portal's events, kept open (reconnecting, resuming) until the
    // console ends; each becomes a message.
    let follow = tokio::spawn(live::forward(client.clone(), tx));
    let ended = run_loop(guard, &client, &runner, options, &mut app, &mut rx, clipboard).await;
    follow.abort();
    // Leave the ticket at once rather than letting presence lapse.
    if let Some(ticket_id) = app.live.leaving() {
        let leave = crate::request::perform(&client, crate::request::Request::LeavePresence { ticket_id });
        let _ = tokio::time::timeout(Duration::from_secs(1), leave).await;
    }
    ended
}

async fn run_loop(
    guard: &mut TerminalGuard,
    client: &PortalClient,
    runner: &Runner,
    options: Options,
    app: &mut App,
    rx: &mut mpsc::UnboundedReceiver<Msg>,
    clipboard: &ClipboardEnv,
) -> io::Result<Ended> {
    let clock = client.clock();
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut signals = Signals::new()?;
    let mut dirty = true;
    let mut plain = options.plain.then(plain::Plain::new);
    // The idle lock is one timer reset by input, not a polling tick.
    let mut last_input = tokio::time::Instant::now();
    loop {
        if dirty {
            app.clock_warning = clock.warning();
            match plain.as_mut() {
                Some(plain) => say(plain, app, clock.now())?,
                None => draw(guard, app, clock.now())?,
            }
            dirty = false;
            if options.exit_after_first_frame && app.stack.queue.tickets.data.is_some() {
                return Ok(Ended::Quit);
            }
        }
        let msg = tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => match to_msg(event) {
                    Some(msg) => msg,
                    None => continue,
                },
                Some(Err(error)) => return Err(error),
                None => return Ok(Ended::Quit),
            },
            Some(msg) = rx.recv() => msg,
            _ = tick.tick(), if app.shows_countdown() => Msg::Tick,
            _ = tokio::time::sleep_until(last_input + options.idle_lock), if app.lock.is_none() => Msg::IdleLock,
            signal = signals.any() => return Ok(Ended::Signal(signal)),
        };
        if matches!(msg, Msg::Key(_) | Msg::Mouse(_) | Msg::Paste(_)) {
            last_input = tokio::time::Instant::now();
        }
        if matches!(msg, Msg::Resize) && plain.is_none() {
            guard.terminal.autoresize()?;
            let size = guard.terminal.size()?;
            app.size = (size.width, size.height);
        }
        let Step { effects, redraw } = step(app, msg, clock.now());
        dirty = redraw;
        for effect in effects {
            match effect {
                Effect::Terminal(Terminal::Quit) => return Ok(Ended::Quit),
                Effect::Terminal(Terminal::Suspend) => {
                    if !guard.suspend()? {
                        // Continued but not in the foreground (`kill %1`
                        // sends SIGTERM then SIGCONT): the terminal is not
                        // ours, so stay off it until a signal ends us or
                        // `fg` gives it back.
                        tokio::select! {
                            signal = signals.any() => return Ok(Ended::Signal(signal)),
                            () = terminal::until_foreground() => guard.resume()?,
                        }
                    }
                    // Back from `fg`: read the screen out whole again.
                    if let Some(plain) = plain.as_mut() {
                        plain.reset();
                    }
                    dirty = true;
                }
                Effect::Terminal(Terminal::SetMouse(on)) => guard.set_mouse(on)?,
                Effect::Terminal(Terminal::ForgetCopy) => {
                    if clipboard::forget(clipboard) {
                        tracing::info!("tmux paste buffer cleared at lock");
                    }
                    // The answers read before the lock must not stay in
                    // the idle connections' read buffers either.
                    client.forget_connections();
                }
                Effect::Terminal(Terminal::Copy { what, text }) => {
                    let result = clipboard::copy(text.expose(), clipboard, &mut io::stdout());
                    match &result {
                        Ok(copied) => tracing::info!(what, ?copied, "copied"),
                        Err(error) => tracing::warn!(what, %error, "copy failed"),
                    }
                    // The banner says where it went; drawn with the next frame.
                    let _ = app.update(Msg::Copied { what, result }, clock.now());
                }
                other => runner.spawn(other),
            }
        }
    }
}

/// What one message did: the effects to run, and whether the screen must
/// be drawn again.
#[derive(Debug)]
pub struct Step {
    pub effects: Vec<Effect>,
    pub redraw: bool,
}

/// One turn of the console loop without the terminal: the message through
/// [`App::update`], and the loop's redraw decision. The loop draws only when
/// `redraw` says so; the event benchmarks (`examples/live_consoles.rs`) and
/// the redraw test (`tests/it/live_redraws.rs`) drive headless consoles
/// through this same function, so what they count is what the console draws.
pub fn step(app: &mut App, msg: Msg, now: chrono::DateTime<chrono::Utc>) -> Step {
    // An event alone changes nothing shown until its re-read answers, and
    // the re-read is one redraw, when its last answer is in (a burst of
    // 1,000 events, a handful of redraws); its timer going off only sends
    // it, and a presence timer changes nothing shown.
    let quiet = match &msg {
        Msg::Live(Live::Event(_)) | Msg::Due(Due::Live(_) | Due::Presence(_)) => true,
        Msg::Answer(req, _) => app.live.answer_waits(*req),
        _ => false,
    };
    let effects = app.update(msg, now);
    Step { effects, redraw: app.live.take_redraw() || !quiet }
}

fn draw(guard: &mut TerminalGuard, app: &App, now: chrono::DateTime<chrono::Utc>) -> io::Result<()> {
    crossterm::execute!(io::stdout(), BeginSynchronizedUpdate)?;
    let drawn = guard.terminal.draw(|frame| app::frame(app, frame, now)).map(|_| ());
    crossterm::execute!(io::stdout(), EndSynchronizedUpdate)?;
    drawn
}

/// Reads out what changed since the last time (`--plain`): lines only,
/// `\r\n` as raw mode needs, every control character made visible.
fn say(plain: &mut plain::Plain, app: &App, now: chrono::DateTime<chrono::Utc>) -> io::Result<()> {
    use std::io::Write;
    let text = plain.frame(&app::screen(app, now));
    if text.is_empty() {
        return Ok(());
    }
    let mut out = io::stdout().lock();
    out.write_all(plain::for_terminal(&text).as_bytes())?;
    out.flush()
}

/// Terminal events worth a message: key presses, clicks and wheel, pastes,
/// resizes. Mouse moves and key releases change nothing and are dropped, so
/// they cause no redraw.
fn to_msg(event: Event) -> Option<Msg> {
    match event {
        Event::Key(key) if key.kind == KeyEventKind::Press => Some(Msg::Key(key)),
        Event::Mouse(mouse) if !matches!(mouse.kind, MouseEventKind::Moved | MouseEventKind::Drag(_)) => {
            Some(Msg::Mouse(mouse))
        }
        Event::Paste(text) => Some(Msg::Paste(text)),
        Event::Resize(_, _) => Some(Msg::Resize),
        Event::FocusGained => Some(Msg::Focus(true)),
        Event::FocusLost => Some(Msg::Focus(false)),
        _ => None,
    }
}

/// SIGTERM, SIGHUP (a dropped SSH link) and SIGINT end the console cleanly.
struct Signals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    hup: tokio::signal::unix::Signal,
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Self {
                term: signal(SignalKind::terminate())?,
                hup: signal(SignalKind::hangup())?,
                int: signal(SignalKind::interrupt())?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Self {})
        }
    }

    /// The next of them to arrive: its number.
    async fn any(&mut self) -> i32 {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.term.recv() => libc::SIGTERM,
                _ = self.hup.recv() => libc::SIGHUP,
                _ = self.int.recv() => libc::SIGINT,
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            2
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signal_ends_the_console_with_128_plus_its_number() {
        assert_eq!(Ended::Quit.exit_code(), 0);
        assert_eq!(Ended::Signal(libc::SIGTERM).exit_code(), 143);
        assert_eq!(Ended::Signal(libc::SIGHUP).exit_code(), 129);
        assert_eq!(Ended::Signal(libc::SIGINT).exit_code(), 130);
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn signals_are_told_apart() {
        let mut signals = Signals::new().unwrap();
        // SAFETY: raising a signal on our own process, with tokio's handler
        // for it installed just above, has no memory effects.
        unsafe {
            libc::raise(libc::SIGHUP);
        }
        assert_eq!(signals.any().await, libc::SIGHUP);
    }
}
