//! Entering and leaving the terminal's full-screen mode, and making sure we
//! always leave it: on quit, on an error return (the guard's `Drop`), on
//! panic (the hook), on signals (the event loop quits), and around Ctrl-Z.

use std::io::{self, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{
    DisableBracketedPaste, DisableFocusChange, DisableMouseCapture, EnableBracketedPaste, EnableFocusChange,
    EnableMouseCapture,
};
use crossterm::terminal::{self, EnterAlternateScreen, LeaveAlternateScreen};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// Whether the terminal is in our mode now (restore only once).
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// Whether the console reads out plain text (`--plain`): no alternate
/// screen, no cursor, no mouse; restore then only leaves raw mode.
static PLAIN: AtomicBool = AtomicBool::new(false);
/// Whether mouse capture was turned on (so restore turns it off).
static MOUSE: AtomicBool = AtomicBool::new(false);
/// Whether mouse capture was on when the console was suspended.
static SUSPENDED_MOUSE: AtomicBool = AtomicBool::new(false);

pub type Tty = Terminal<CrosstermBackend<Stdout>>;

/// Puts the terminal into full-screen raw mode; restores it when dropped.
pub struct TerminalGuard {
    pub terminal: Tty,
}

impl TerminalGuard {
    /// Enters full-screen mode, with mouse capture when `mouse` is true.
    pub fn enter(mouse: bool) -> io::Result<Self> {
        install_panic_hook();
        // No guard exists yet: a failure from here on restores by hand, or
        // an early `?` would leave the terminal raw (ratatui#2087).
        let entered = enter_mode(mouse).and_then(|()| fresh_terminal());
        if entered.is_err() {
            restore();
        }
        Ok(Self { terminal: entered? })
    }

    /// Raw mode only, for `--plain`: keys arrive one at a time, and nothing
    /// else is asked of the terminal (no alternate screen, no clearing, no
    /// cursor addressing), so what is written stays in its scrollback for
    /// a screen reader.
    pub fn enter_plain() -> io::Result<Self> {
        PLAIN.store(true, Ordering::SeqCst);
        install_panic_hook();
        let entered = enter_mode(false).and_then(|()| Terminal::new(CrosstermBackend::new(io::stdout())));
        if entered.is_err() {
            restore();
        }
        Ok(Self { terminal: entered? })
    }

    /// Turns mouse capture on or off (off lets the terminal select text).
    pub fn set_mouse(&mut self, on: bool) -> io::Result<()> {
        let mut out = io::stdout();
        if on {
            execute!(out, EnableMouseCapture)?;
        } else {
            execute!(out, DisableMouseCapture)?;
        }
        MOUSE.store(on, Ordering::SeqCst);
        Ok(())
    }

    /// Ctrl-Z: give the terminal back, stop until `fg`, then take it again
    /// and redraw everything. Answers false, with the terminal left alone,
    /// when we were continued without being put in the foreground (`kill
    /// %1` sends SIGTERM then SIGCONT): taking the terminal then would stop
    /// us again (SIGTTOU) before the SIGTERM could end us.
    pub fn suspend(&mut self) -> io::Result<bool> {
        let mouse = MOUSE.load(Ordering::SeqCst);
        SUSPENDED_MOUSE.store(mouse, Ordering::SeqCst);
        restore();
        #[cfg(unix)]
        // SAFETY: sending a signal has no memory effects. To our whole
        // process group (pid 0), as a shell job expects: started from a
        // wrapper script, the script stops with us, so the shell sees its
        // job stopped and takes the terminal back (raising it on ourselves
        // alone would leave the script waiting and the shell blocked).
        // SIGTSTP's default action stops each of us until SIGCONT (`fg`).
        unsafe {
            libc::kill(0, libc::SIGTSTP);
        }
        if !in_foreground() {
            return Ok(false);
        }
        self.resume()?;
        Ok(true)
    }

    /// Takes the terminal again after a suspension, and redraws everything.
    pub fn resume(&mut self) -> io::Result<()> {
        enter_mode(SUSPENDED_MOUSE.load(Ordering::SeqCst))?;
        if PLAIN.load(Ordering::SeqCst) {
            return Ok(());
        }
        self.terminal = fresh_terminal()?;
        Ok(())
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// A terminal on a cleared screen whose next draw paints every cell.
/// (`Terminal::clear` would do, but it first asks the terminal where its
/// cursor is and waits up to two seconds for an answer that a terminal
/// without cursor reports never sends; the alternate screen needs no
/// cursor kept.)
fn fresh_terminal() -> io::Result<Tty> {
    execute!(io::stdout(), terminal::Clear(terminal::ClearType::All))?;
    Terminal::new(CrosstermBackend::new(io::stdout()))
}

/// Makes sure no control character of a frame reaches the terminal, however
/// a screen drew it: a cell holding one gets its visible picture (`␛`); a
/// C1 or bidi control alone in a cell becomes the replacement character,
/// and one that ratatui joined to the character before or after it (it
/// takes no column) is dropped from that cell, so it can neither act on
/// the terminal nor push the next character out. Run on every frame,
/// after the screens drew it, so no screen has to remember to. It is the
/// last line of defence only: the screens show portal text through
/// [`crate::tui::screens::shown`], which makes each control visible as
/// the CLI does (`⟨U+202E⟩`) before ratatui sees it.
pub fn clean_buffer(buffer: &mut ratatui::buffer::Buffer) {
    use crate::sanitize::is_unsafe;
    for cell in buffer.content.iter_mut() {
        // Most cells hold one printable ASCII character: nothing to check;
        // a cell the terminal keeps from the last frame was checked then.
        if cell.diff_option == ratatui::buffer::CellDiffOption::Skip
            || matches!(cell.symbol().as_bytes(), [b' '..=b'~'])
            || !cell.symbol().chars().any(is_unsafe)
        {
            continue;
        }
        let alone = cell.symbol().chars().all(|c| is_unsafe(c) && !c.is_ascii_control());
        let clean: String = cell
            .symbol()
            .chars()
            .filter_map(|c| match c {
                '\0'..='\u{1f}' => Some(char::from_u32(0x2400 + u32::from(c)).unwrap_or('\u{FFFD}')),
                '\u{7f}' => Some('␡'),
                c if is_unsafe(c) && alone => Some('\u{FFFD}'),
                c if is_unsafe(c) => None,
                c => Some(c),
            })
            .collect();
        cell.set_symbol(&clean);
    }
}

/// Whether our process group has the terminal (true when there is no
/// terminal to ask about).
pub fn in_foreground() -> bool {
    #[cfg(unix)]
    {
        // SAFETY: plain queries of the process group and of the terminal's
        // foreground group; no memory is passed.
        let (ours, foreground) = unsafe { (libc::getpgrp(), libc::tcgetpgrp(libc::STDOUT_FILENO)) };
        foreground < 0 || foreground == ours
    }
    #[cfg(not(unix))]
    {
        true
    }
}

/// Waits until our process group has the terminal again (`fg`).
pub async fn until_foreground() {
    let mut check = tokio::time::interval(std::time::Duration::from_millis(200));
    while !in_foreground() {
        check.tick().await;
    }
}

fn enter_mode(mouse: bool) -> io::Result<()> {
    terminal::enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let mut out = io::stdout();
    if PLAIN.load(Ordering::SeqCst) {
        // Pastes still arrive whole; nothing else is asked of the terminal.
        return execute!(out, EnableBracketedPaste);
    }
    execute!(out, EnterAlternateScreen, EnableBracketedPaste, EnableFocusChange, cursor::Hide)?;
    if mouse {
        execute!(out, EnableMouseCapture)?;
    }
    MOUSE.store(mouse, Ordering::SeqCst);
    Ok(())
}

/// Leaves full-screen mode if we are in it. Safe to call more than once,
/// from any thread, including the panic hook.
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = io::stdout();
    if PLAIN.load(Ordering::SeqCst) {
        let _ = execute!(out, DisableBracketedPaste);
        let _ = terminal::disable_raw_mode();
        let _ = out.flush();
        return;
    }
    if MOUSE.swap(false, Ordering::SeqCst) {
        let _ = execute!(out, DisableMouseCapture);
    }
    let _ = execute!(out, DisableFocusChange, DisableBracketedPaste, LeaveAlternateScreen, cursor::Show);
    let _ = terminal::disable_raw_mode();
    let _ = out.flush();
}

fn install_panic_hook() {
    static INSTALLED: AtomicBool = AtomicBool::new(false);
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}
