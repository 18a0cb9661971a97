//! Copy (`y`): the reply to send, or the DOB entry to type, onto the
//! clipboard, and an honest word about where it went.
//!
//! Three ways, tried together:
//! - inside tmux, `tmux load-buffer -b portaldesk -w -` fills our own named
//!   paste buffer (removed again at lock and at exit by [`forget`]), which
//!   tmux passes on to the outer terminal's clipboard (OSC 52, over SSH too)
//!   when its `set-clipboard` option is on; an older tmux without `-w` gets
//!   the buffer filled and an OSC 52 sequence wrapped for passthrough, which
//!   reaches the terminal only when `allow-passthrough` is on;
//! - elsewhere, an OSC 52 sequence written to the terminal, which most
//!   terminals (and SSH, which passes it through) put on the clipboard;
//! - on a machine with its own display, the system clipboard program
//!   (`wl-copy`, `xclip`, `xsel`, `pbcopy`).
//!
//! A terminal never confirms OSC 52, so when that is the only way, the
//! console says the text was *sent* to the terminal's clipboard, never that
//! it was copied. It says "copied" only when a program confirmed it.

use std::ffi::OsString;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;

/// What is known of the surroundings, read once (and set by hand in tests).
#[derive(Debug, Clone, Default)]
pub struct ClipboardEnv {
    /// Inside tmux (`TMUX` set).
    pub tmux: bool,
    /// Logged in over SSH: the system clipboard here is not the user's.
    pub ssh: bool,
    /// A Wayland display (`WAYLAND_DISPLAY`).
    pub wayland: bool,
    /// An X display (`DISPLAY`).
    pub x11: bool,
    /// macOS, where `pbcopy` is the clipboard.
    pub macos: bool,
    /// The `PATH` programs are looked up in (the process's when `None`).
    pub path: Option<OsString>,
    /// The tmux server's socket (`tmux -S`), for tests; the one `TMUX`
    /// names when `None`.
    pub tmux_socket: Option<std::path::PathBuf>,
}

impl ClipboardEnv {
    /// The process's own environment.
    pub fn from_env() -> Self {
        let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
        Self {
            tmux: set("TMUX"),
            ssh: set("SSH_CONNECTION") || set("SSH_TTY"),
            wayland: set("WAYLAND_DISPLAY"),
            x11: set("DISPLAY"),
            macos: cfg!(target_os = "macos"),
            path: None,
            tmux_socket: None,
        }
    }
}

/// The name of our tmux paste buffer: only this one is ever touched.
pub const TMUX_BUFFER: &str = "portaldesk";

/// Where a copy went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Copied {
    /// The system clipboard, confirmed by the program that took it.
    System { program: &'static str },
    /// tmux's paste buffer, confirmed by tmux, asked (`load-buffer -w`) to
    /// hand it to the terminal's clipboard, which it does when its
    /// `set-clipboard` option is on.
    Tmux,
    /// An older tmux (no `-w`): its paste buffer, confirmed, plus OSC 52
    /// wrapped for passthrough, which tmux forwards only with
    /// `allow-passthrough` on.
    TmuxBufferOnly,
    /// Only written to the terminal as OSC 52: nothing can confirm it.
    SentToTerminal,
}

impl Copied {
    /// What the banner says, for `what` ("the reply").
    pub fn message(&self, what: &str) -> String {
        match self {
            Copied::System { .. } => format!("Copied {what} to the clipboard"),
            Copied::Tmux => format!(
                "Copied {what} to tmux's paste buffer; tmux passes it to your terminal's clipboard when its \
                 set-clipboard option is on"
            ),
            Copied::TmuxBufferOnly => format!(
                "Copied {what} to tmux's paste buffer; this tmux cannot pass it on itself, so it was also sent \
                 to your terminal's clipboard (OSC 52), which arrives only if tmux's allow-passthrough is on"
            ),
            Copied::SentToTerminal => format!(
                "Sent {what} to your terminal's clipboard (OSC 52); if it does not paste, allow clipboard access in \
                 the terminal's settings"
            ),
        }
    }
}

/// The OSC 52 sequence that asks the terminal to put `text` on its
/// clipboard.
pub fn osc52(text: &str) -> String {
    format!("\x1b]52;c;{}\x07", base64::engine::general_purpose::STANDARD.encode(text))
}

/// The same, wrapped so tmux passes it through unchanged to the terminal
/// outside it (needs tmux's `allow-passthrough`).
pub fn osc52_through_tmux(text: &str) -> String {
    format!("\x1bPtmux;{}\x1b\\", osc52(text).replace('\x1b', "\x1b\x1b"))
}

/// Copies `text` every way the surroundings allow; `terminal` is where
/// escape sequences go (the console's stdout). The best confirmed way is
/// reported; an error only when no way could even be tried.
///
/// The text may come from the portal (a reply quotes the client's name), so
/// it goes through [`crate::sanitize::for_copy`] first: its newlines kept as
/// plain LF, no other control, nothing a terminal or a paste would act on.
pub fn copy(text: &str, env: &ClipboardEnv, terminal: &mut impl Write) -> Result<Copied, String> {
    let clean = crate::sanitize::for_copy(text);
    let text = clean.as_str();
    let mut best: Option<Copied> = None;
    if env.tmux {
        if tmux(env, &["load-buffer", "-b", TMUX_BUFFER, "-w", "-"], text) {
            best = Some(Copied::Tmux);
        } else {
            // An older tmux has no -w: fill its buffer, and pass OSC 52
            // through to the terminal outside.
            if tmux(env, &["load-buffer", "-b", TMUX_BUFFER, "-"], text) {
                best = Some(Copied::TmuxBufferOnly);
            }
            write_sequence(terminal, &osc52_through_tmux(text)).ok();
        }
    } else if write_sequence(terminal, &osc52(text)).is_ok() {
        best = Some(Copied::SentToTerminal);
    }
    // The system clipboard of this machine is the user's only when they sit
    // at it, not over SSH.
    if !env.ssh {
        let candidates: &[(&'static str, &[&str], bool)] = &[
            ("pbcopy", &[], env.macos),
            ("wl-copy", &[], env.wayland),
            ("xclip", &["-selection", "clipboard"], env.x11),
            ("xsel", &["--clipboard", "--input"], env.x11),
        ];
        if let Some((program, _, _)) =
            candidates.iter().find(|(program, args, usable)| *usable && run(env, program, args, text))
        {
            return Ok(Copied::System { program });
        }
    }
    best.ok_or_else(|| "no clipboard could be reached from here".to_owned())
}

/// Removes what a copy left in our tmux paste buffer (a DOB entry, a
/// reply), at lock and at exit; other buffers are left alone. Whether a
/// buffer was removed (false outside tmux, or when there was none).
pub fn forget(env: &ClipboardEnv) -> bool {
    env.tmux && tmux(env, &["delete-buffer", "-b", TMUX_BUFFER], "")
}

/// Runs tmux (on the test's socket, if one is set).
fn tmux(env: &ClipboardEnv, args: &[&str], text: &str) -> bool {
    match &env.tmux_socket {
        Some(socket) => {
            let socket = socket.to_string_lossy();
            let mut all = vec!["-S", socket.as_ref()];
            all.extend_from_slice(args);
            run(env, "tmux", &all, text)
        }
        None => run(env, "tmux", args, text),
    }
}

fn write_sequence(terminal: &mut impl Write, sequence: &str) -> std::io::Result<()> {
    terminal.write_all(sequence.as_bytes())?;
    terminal.flush()
}

/// Runs a clipboard program with `text` on its stdin; whether it said yes
/// (exit 0) within two seconds.
fn run(env: &ClipboardEnv, program: &str, args: &[&str], text: &str) -> bool {
    let mut command = Command::new(program);
    command.args(args).stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::null());
    if let Some(path) = &env.path {
        command.env("PATH", path);
    }
    let Ok(mut child) = command.spawn() else {
        return false;
    };
    let written = child.stdin.take().is_some_and(|mut stdin| stdin.write_all(text.as_bytes()).is_ok());
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return written && status.success(),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;
    use std::path::Path;

    use super::*;

    /// A directory holding fake clipboard programs that keep what they are
    /// given in `<name>.out` (or fail, for `exit`).
    fn fake_programs(dir: &Path, programs: &[(&str, i32)]) -> OsString {
        for (name, exit) in programs {
            let out = dir.join(format!("{name}.out"));
            let script = format!(
                "#!/bin/sh\necho \"$@\" > '{}.args'\n/bin/cat > '{}'\nexit {exit}\n",
                out.display(),
                out.display()
            );
            let path = dir.join(name);
            std::fs::write(&path, script).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        dir.as_os_str().to_owned()
    }

    #[test]
    fn osc52_alone_is_sent_not_claimed_as_copied() {
        let dir = tempfile::tempdir().unwrap();
        let env = ClipboardEnv {
            ssh: true,
            x11: true,
            path: Some(fake_programs(dir.path(), &[("xclip", 0)])),
            ..Default::default()
        };
        let mut terminal = Vec::new();
        let copied = copy("01/05/1990", &env, &mut terminal).unwrap();
        assert_eq!(copied, Copied::SentToTerminal);
        assert_eq!(String::from_utf8(terminal).unwrap(), "\x1b]52;c;MDEvMDUvMTk5MA==\x07");
        assert!(!copied.message("the entry").contains("Copied"), "{}", copied.message("the entry"));
        // Over SSH the local clipboard program is not the user's: not used.
        assert!(!dir.path().join("xclip.out").exists());
    }

    #[test]
    fn a_confirmed_system_clipboard_says_copied() {
        let dir = tempfile::tempdir().unwrap();
        let path = fake_programs(dir.path(), &[("xclip", 0)]);
        let env = ClipboardEnv { x11: true, path: Some(path), ..Default::default() };
        let mut terminal = Vec::new();
        let copied = copy("Hi Sam, é", &env, &mut terminal).unwrap();
        assert_eq!(copied, Copied::System { program: "xclip" });
        assert_eq!(std::fs::read_to_string(dir.path().join("xclip.out")).unwrap(), "Hi Sam, é");
        assert!(copied.message("the reply").starts_with("Copied the reply"));
        assert!(!terminal.is_empty(), "OSC 52 goes out as well");
    }

    #[test]
    fn a_copied_reply_keeps_plain_newlines_and_no_other_control() {
        let dir = tempfile::tempdir().unwrap();
        let path = fake_programs(dir.path(), &[("xclip", 0)]);
        let env = ClipboardEnv { x11: true, path: Some(path), ..Default::default() };
        let mut terminal = Vec::new();
        let reply = "Hi Sam\u{1b}]52;c;aGFjaw==\u{7},\r\n\r\nThe link\u{9b}2J works\u{202e}.\rBye";
        copy(reply, &env, &mut terminal).unwrap();
        let copied = std::fs::read_to_string(dir.path().join("xclip.out")).unwrap();
        assert_eq!(copied, "Hi Sam]52;c;aGFjaw==,\n\nThe link2J works.\nBye");
        // The OSC 52 sent to the terminal carries the same clean text.
        let sent = String::from_utf8(terminal).unwrap();
        let encoded = base64::engine::general_purpose::STANDARD.encode(&copied);
        assert_eq!(sent, format!("\x1b]52;c;{encoded}\x07"));
    }

    #[test]
    fn a_failing_clipboard_program_is_not_success() {
        let dir = tempfile::tempdir().unwrap();
        let path = fake_programs(dir.path(), &[("xclip", 1), ("xsel", 1)]);
        let env = ClipboardEnv { x11: true, path: Some(path), ..Default::default() };
        let copied = copy("x", &env, &mut Vec::new()).unwrap();
        assert_eq!(copied, Copied::SentToTerminal);
    }

    #[test]
    fn inside_tmux_the_buffer_is_filled_through_tmux() {
        let dir = tempfile::tempdir().unwrap();
        let path = fake_programs(dir.path(), &[("tmux", 0)]);
        let env = ClipboardEnv { tmux: true, ssh: true, path: Some(path), ..Default::default() };
        let mut terminal = Vec::new();
        let copied = copy("reply text", &env, &mut terminal).unwrap();
        assert_eq!(copied, Copied::Tmux);
        assert_eq!(std::fs::read_to_string(dir.path().join("tmux.out")).unwrap(), "reply text");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("tmux.out.args")).unwrap().trim(),
            "load-buffer -b portaldesk -w -"
        );
        // At lock and exit, our buffer (and only ours) is deleted.
        assert!(forget(&env));
        assert_eq!(
            std::fs::read_to_string(dir.path().join("tmux.out.args")).unwrap().trim(),
            "delete-buffer -b portaldesk"
        );
        assert!(!forget(&ClipboardEnv { tmux: false, ..env.clone() }), "outside tmux there is nothing to forget");
        assert!(terminal.is_empty(), "tmux passes it on itself");
        // The banner claims the buffer, and the terminal only as tmux's
        // set-clipboard allows.
        let said = copied.message("the reply");
        assert!(said.starts_with("Copied the reply to tmux's paste buffer"), "{said}");
        assert!(said.contains("when its set-clipboard option is on"), "{said}");
        assert!(!said.contains("and sent it"), "{said}");
    }

    #[test]
    fn an_older_tmux_gets_its_buffer_and_a_passthrough_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        // A tmux that refuses -w (before 3.2) and takes a plain load-buffer.
        let out = dir.path().join("tmux.out");
        let script = format!(
            "#!/bin/sh\nfor a in \"$@\"; do [ \"$a\" = -w ] && exit 1; done\n/bin/cat > '{}'\nexit 0\n",
            out.display()
        );
        let program = dir.path().join("tmux");
        std::fs::write(&program, script).unwrap();
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
        let env =
            ClipboardEnv { tmux: true, ssh: true, path: Some(dir.path().as_os_str().to_owned()), ..Default::default() };
        let mut terminal = Vec::new();
        let copied = copy("reply text", &env, &mut terminal).unwrap();
        assert_eq!(copied, Copied::TmuxBufferOnly);
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "reply text");
        assert_eq!(String::from_utf8(terminal).unwrap(), osc52_through_tmux("reply text"));
        let said = copied.message("the reply");
        assert!(said.starts_with("Copied the reply to tmux's paste buffer"), "{said}");
        assert!(said.contains("allow-passthrough"), "{said}");
        assert_ne!(said, Copied::Tmux.message("the reply"));
    }

    #[test]
    fn nowhere_to_copy_is_an_error() {
        struct Closed;
        impl Write for Closed {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let env = ClipboardEnv { ssh: true, path: Some(dir.path().as_os_str().to_owned()), ..Default::default() };
        assert!(copy("x", &env, &mut Closed).is_err());
    }

    /// A real tmux server on a socket of its own: the copy lands in our
    /// named buffer, and `forget` removes it and no other buffer.
    #[test]
    fn a_real_tmux_keeps_the_copy_in_our_buffer_until_forget() {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("tmux.sock");
        let tmux = |args: &[&str]| {
            Command::new("tmux")
                .arg("-S")
                .arg(&socket)
                .args(["-f", "/dev/null"])
                .args(args)
                .stdin(Stdio::null())
                .output()
        };
        let Ok(started) = tmux(&["new-session", "-d", "-s", "lock", "sleep 60"]) else {
            eprintln!("no tmux here: skipped");
            return;
        };
        assert!(started.status.success(), "{}", String::from_utf8_lossy(&started.stderr));
        let shown = |name: &str| {
            let out = tmux(&["show-buffer", "-b", name]).unwrap();
            out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
        };
        assert!(tmux(&["set-buffer", "-b", "theirs", "not ours"]).unwrap().status.success());
        let env = ClipboardEnv {
            tmux: true,
            ssh: true,
            tmux_socket: Some(socket.clone()),
            path: std::env::var_os("PATH"),
            ..Default::default()
        };
        let copied = copy("01/05/1990", &env, &mut Vec::new());
        let in_buffer = shown(TMUX_BUFFER);
        let forgot = forget(&env);
        let after = (shown(TMUX_BUFFER), shown("theirs"));
        let _ = tmux(&["kill-server"]);
        assert!(matches!(copied, Ok(Copied::Tmux | Copied::TmuxBufferOnly)), "{copied:?}");
        assert_eq!(in_buffer.as_deref(), Some("01/05/1990"));
        assert!(forgot);
        assert_eq!(after, (None, Some("not ours".to_owned())), "ours gone, theirs kept");
    }

    #[test]
    fn the_tmux_wrapping_doubles_escapes() {
        let wrapped = osc52_through_tmux("a");
        assert_eq!(wrapped, "\x1bPtmux;\x1b\x1b]52;c;YQ==\x07\x1b\\");
    }
}
