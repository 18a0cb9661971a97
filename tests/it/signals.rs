//! Signals through the real binary in a real terminal (`common::term`): the
//! console on the embedded sandbox ends with 128+signal as shells expect,
//! gives the terminal back as it was, and a console stopped with Ctrl-Z
//! and ended with `kill %1` ends at once instead of staying stopped.

use crate::common;

use std::path::Path;

use common::term::{Term, WAIT};

const BIN: &str = env!("CARGO_BIN_EXE_portaldesk");

/// Starts the console in the foreground, its pid written to `pidfile`;
/// waits for the queue; returns the pid.
fn start_console(term: &mut Term, pidfile: &Path) -> i32 {
    term.clear();
    term.type_line(&format!("sh -c 'echo $$ > {}; exec {BIN}'; echo code=$?", pidfile.display()));
    term.wait_for("Open tickets");
    std::fs::read_to_string(pidfile).unwrap().trim().parse().unwrap()
}

fn assert_restored(term: &Term, screen: &str) {
    assert!(!screen.contains("Open tickets"), "the console's screen was left behind:\n{screen}");
    let vt = term.vt();
    assert!(!vt.alternate_screen(), "left in the alternate screen");
    assert!(!vt.hide_cursor(), "the cursor was left hidden");
    assert_eq!(vt.mouse_protocol_mode(), vt100::MouseProtocolMode::None, "mouse capture left on");
}

#[test]
fn sigterm_and_sighup_end_the_console_with_128_plus_the_signal() {
    let home = tempfile::tempdir().unwrap();
    let mut term = Term::in_home(home.path(), &[]);
    let pidfile = home.path().join("pid");
    for (signal, code) in [(libc::SIGTERM, 143), (libc::SIGHUP, 129)] {
        let pid = start_console(&mut term, &pidfile);
        // From outside, as a session manager would.
        // SAFETY: a signal to a process this test started; no memory is
        // passed.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0, "no console process to signal");
        let (exit, screen) = term.exit_code("code");
        assert_eq!(exit, code, "signal {signal}:\n{screen}");
        assert_restored(&term, &screen);
    }
}

/// Waits, without polling, until process `pid` has ended (a pidfd becomes
/// readable when it does); false after `limit`.
fn wait_for_exit(pid: i32, limit: std::time::Duration) -> bool {
    // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor
    // (or -1); poll reads one pollfd we own; the descriptor is closed once.
    unsafe {
        let fd = libc::syscall(libc::SYS_pidfd_open, pid, 0) as libc::c_int;
        if fd < 0 {
            // Already gone (ESRCH).
            return std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH);
        }
        let mut poll = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
        let ready = libc::poll(&mut poll, 1, i32::try_from(limit.as_millis()).unwrap_or(i32::MAX));
        libc::close(fd);
        ready == 1
    }
}

#[test]
fn a_console_stopped_with_ctrl_z_ends_on_kill_without_fg() {
    let home = tempfile::tempdir().unwrap();
    let mut term = Term::in_home(home.path(), &[]);
    let pidfile = home.path().join("pid");
    term.clear();
    term.type_line(&format!("sh -c 'echo $$ > {}; exec {BIN}'", pidfile.display()));
    term.wait_for("Open tickets");
    let pid: i32 = std::fs::read_to_string(&pidfile).unwrap().trim().parse().unwrap();
    // Ctrl-Z: the console gives the terminal back and stops.
    term.type_text("\u{1a}");
    let stopped = term.wait_for("Stopped");
    assert_restored(&term, &stopped);
    // `kill %1` sends SIGTERM, then SIGCONT to a stopped job: the console
    // must end, not stay stopped until `fg`.
    term.clear();
    term.type_line("kill %1");
    assert!(wait_for_exit(pid, std::time::Duration::from_secs(20)), "the console stayed stopped");
    // The shell reports how the job ended at its next prompt, once, then
    // forgets the job (so `wait %1` raced that report): read the report.
    // "Exit 143" is the console ending itself on the signal, terminal
    // restored; "Terminated" would be the signal killing it.
    term.type_line("true");
    let report = term.wait_until("the shell's report of job 1", WAIT, |screen| {
        let ended = |line: &&str| ["Exit", "Done", "Terminated", "Killed", "Hangup"].iter().any(|w| line.contains(w));
        screen.lines().filter(|l| l.starts_with("[1]")).find(ended).map(str::to_owned)
    });
    assert!(report.contains("Exit 143"), "{report}");
}

/// Started from a wrapper script (the script waits for the console), Ctrl-Z
/// stops the whole job, script included, as a shell expects: the shell
/// says it stopped and takes the terminal back, `fg` brings the console
/// back, and quitting lets the script carry on.
#[test]
fn ctrl_z_under_a_wrapper_script_stops_the_whole_job_and_fg_resumes_it() {
    let home = tempfile::tempdir().unwrap();
    let script = home.path().join("wrapper.sh");
    // Two commands, so sh cannot exec the console: it stays its parent.
    std::fs::write(&script, format!("#!/bin/sh\n{BIN}\necho wrapper-after=$?\n")).unwrap();
    let mut term = Term::in_home(home.path(), &[]);
    term.clear();
    term.type_line(&format!("sh {}", script.display()));
    term.wait_for("Open tickets");
    term.type_text("\u{1a}");
    // With only the console stopped, the script would wait on it and the
    // shell on the script: no "Stopped", no prompt.
    let stopped = term.wait_for("Stopped");
    assert_restored(&term, &stopped);
    term.clear();
    term.type_line("fg");
    term.wait_for("Open tickets");
    term.type_text("q");
    let (code, screen) = term.exit_code("wrapper-after");
    assert_eq!(code, 0, "{screen}");
}
