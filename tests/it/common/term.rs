//! The one terminal harness for every real-binary test: a shell (plain
//! bash, no rc files, no history) in a pseudo-terminal of its own, whose
//! output a `vt100` parser turns into the screen a person would see.
//!
//! Nothing here sleeps: a reader thread sends what the terminal prints over
//! a channel, and a wait takes from that channel until the screen shows
//! what it waits for and then holds still (no new output for a moment: the
//! same frame twice), or its time is up.

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

/// How long the screen must stay unchanged to count as still.
const STILL: Duration = Duration::from_millis(120);

/// The longest a wait lasts unless told otherwise.
pub const WAIT: Duration = Duration::from_secs(30);

/// A shell in a pseudo-terminal; killed on drop.
pub struct Term {
    parser: vt100::Parser,
    /// Every byte the terminal printed, in order.
    transcript: Vec<u8>,
    output: Receiver<Vec<u8>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    // Kept open for the terminal's life: dropping it hangs the shell up.
    _master: Box<dyn MasterPty + Send>,
}

impl Term {
    /// A `width` x `height` terminal running bash with `env` set on top of
    /// this process's environment (minus anything that would point the
    /// binary at a user's portal, config or tmux).
    pub fn start<K: AsRef<OsStr>, V: AsRef<OsStr>>(width: u16, height: u16, env: &[(K, V)]) -> Self {
        let pair = native_pty_system()
            .openpty(PtySize { rows: height, cols: width, pixel_width: 0, pixel_height: 0 })
            .expect("a pseudo-terminal");
        let mut command = CommandBuilder::new("bash");
        command.args(["--norc", "--noprofile"]);
        for name in ["PORTALDESK_PORTAL", "PORTALDESK_CONFIG", "PORTALDESK_TOKEN", "TMUX", "TMUX_PANE"] {
            command.env_remove(name);
        }
        command.env("PS1", "$ ");
        command.env("TERM", "xterm-256color");
        // The session may type a token: bash must not write it anywhere.
        command.env("HISTFILE", "/dev/null");
        for (name, value) in env {
            command.env(name, value);
        }
        let child = pair.slave.spawn_command(command).expect("bash in the pseudo-terminal");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("the terminal's output");
        let writer = pair.master.take_writer().expect("the terminal's input");
        let (tx, output) = channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if tx.send(buf[..n].to_vec()).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        let mut term = Self {
            parser: vt100::Parser::new(height, width, 0),
            transcript: Vec::new(),
            output,
            writer,
            child,
            _master: pair.master,
        };
        term.wait_for("$");
        term
    }

    /// A 120x40 terminal whose shell keeps its config, state and data in
    /// `home` (no user's settings can leak in), with `env` on top.
    pub fn in_home(home: &std::path::Path, env: &[(&str, &str)]) -> Self {
        let mut all: Vec<(&str, std::ffi::OsString)> = vec![
            ("HOME", home.into()),
            ("XDG_CONFIG_HOME", home.join(".config").into()),
            ("XDG_STATE_HOME", home.join(".local/state").into()),
            ("XDG_DATA_HOME", home.join(".local/share").into()),
        ];
        all.extend(env.iter().map(|(k, v)| (*k, (*v).into())));
        Self::start(120, 40, &all)
    }

    /// Types `text` as is.
    pub fn type_text(&mut self, text: &str) {
        self.writer.write_all(text.as_bytes()).expect("typing into the terminal");
        self.writer.flush().expect("typing into the terminal");
    }

    /// Types `text` and Enter.
    pub fn type_line(&mut self, text: &str) {
        self.type_text(text);
        self.key(Key::Enter);
    }

    /// Presses a key.
    pub fn key(&mut self, key: Key) {
        let bytes: &str = match key {
            Key::Enter => "\r",
            Key::Escape => {
                // A lone ESC followed at once by another key reads as Alt
                // and that key: let the program answer it (or stay still).
                self.type_text("\x1b");
                let deadline = Instant::now() + WAIT;
                while self.take_output(deadline) {}
                return;
            }
            Key::Tab => "\t",
            Key::CtrlC => "\x03",
            Key::Char(c) => return self.type_text(c.encode_utf8(&mut [0; 4])),
        };
        self.type_text(bytes);
    }

    /// The screen as it stands, one line per row.
    pub fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    /// Every byte printed so far, from `from` on (a length taken earlier).
    pub fn transcript(&self, from: usize) -> &[u8] {
        &self.transcript[from.min(self.transcript.len())..]
    }

    /// The terminal's own modes, as the parser tracks them.
    pub fn vt(&self) -> &vt100::Screen {
        self.parser.screen()
    }

    /// Takes what the terminal printed until `limit`, or until it has been
    /// quiet for [`STILL`]. Returns whether anything came.
    fn take_output(&mut self, limit: Instant) -> bool {
        let wait = limit.saturating_duration_since(Instant::now()).min(STILL);
        match self.output.recv_timeout(wait) {
            Ok(bytes) => {
                self.parser.process(&bytes);
                self.transcript.extend_from_slice(&bytes);
                // Take everything already waiting, without blocking.
                while let Ok(bytes) = self.output.try_recv() {
                    self.parser.process(&bytes);
                    self.transcript.extend_from_slice(&bytes);
                }
                true
            }
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => false,
        }
    }

    /// Waits until `found` picks something out of a still screen; fails
    /// with the last screen after `limit`.
    pub fn wait_until<T>(&mut self, what: &str, limit: Duration, found: impl Fn(&str) -> Option<T>) -> T {
        let deadline = Instant::now() + limit;
        loop {
            let changed = self.take_output(deadline);
            if !changed && let Some(value) = found(&self.screen()) {
                return value;
            }
            assert!(Instant::now() < deadline, "waited for {what}; the screen is:\n{}", self.screen());
        }
    }

    /// Waits until a still screen shows `text`; returns it.
    pub fn wait_for(&mut self, text: &str) -> String {
        self.wait_within(text, WAIT)
    }

    /// [`Term::wait_for`] with another time limit.
    pub fn wait_within(&mut self, text: &str, limit: Duration) -> String {
        self.wait_until(text, limit, |screen| screen.contains(text).then(|| screen.to_owned()))
    }

    /// Clears the screen and waits for the bare prompt.
    pub fn clear(&mut self) {
        self.type_line("clear");
        self.wait_until("a clear screen", WAIT, |screen| (screen.trim() == "$").then_some(()));
    }

    /// Runs `command` in the shell, then prints `marker=<exit code>`; waits
    /// for that line and returns the code and the screen.
    pub fn run(&mut self, marker: &str, command: &str) -> (i32, String) {
        self.type_line(&format!("{command}; echo {marker}=$?"));
        self.exit_code(marker)
    }

    /// Waits for the `marker=<code>` line a command's `echo` printed.
    pub fn exit_code(&mut self, marker: &str) -> (i32, String) {
        let prefix = format!("{marker}=");
        self.wait_until(&prefix, WAIT, |screen| {
            let code = screen.lines().find_map(|line| line.trim().strip_prefix(&prefix)?.parse().ok())?;
            Some((code, screen.to_owned()))
        })
    }

    /// Ends the shell (`exit`) and waits for it to go; true if it exited by
    /// itself within `limit`.
    pub fn exit(&mut self, limit: Duration) -> bool {
        self.type_line("exit");
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return true;
            }
            // The shell's last output (or its hang-up) comes over the channel.
            if !self.take_output(deadline) && matches!(self.child.try_wait(), Ok(Some(_))) {
                return true;
            }
        }
        false
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The keys the tests press besides text.
#[derive(Debug, Clone, Copy)]
pub enum Key {
    Enter,
    Escape,
    Tab,
    CtrlC,
    Char(char),
}
