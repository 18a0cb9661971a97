//! What the lock leaves in memory (issue 25, point 9): the real binary in a
//! real terminal, on a sandbox process of its own, opens a ticket's
//! account, reveals the client's email, DOB and message, then locks (`L`).
//! Once the lock screen is drawn, the console's own memory is read through
//! `/proc/PID/maps` and `/proc/PID/mem` (Linux only: elsewhere the test
//! says so and passes) and searched for each revealed value.

use crate::common;

use common::Server;
use common::term::{Key, Term, WAIT};

const BIN: &str = env!("CARGO_BIN_EXE_portaldesk");

/// How many times each of `needles` occurs in the readable memory of
/// process `pid`, or `None` when it cannot be read (not Linux, or not
/// allowed).
fn copies_in_memory(pid: i32, needles: &[&[u8]]) -> Option<Vec<usize>> {
    use std::os::unix::fs::FileExt;
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).ok()?;
    let mem = std::fs::File::open(format!("/proc/{pid}/mem")).ok()?;
    let finders: Vec<memchr::memmem::Finder<'_>> = needles.iter().map(memchr::memmem::Finder::new).collect();
    let longest = needles.iter().map(|n| n.len()).max().unwrap_or(0);
    let mut counts = vec![0; needles.len()];
    let mut read_any = false;
    for line in maps.lines() {
        let mut fields = line.split_whitespace();
        let (Some(range), Some(perms)) = (fields.next(), fields.next()) else { continue };
        let name = fields.nth(3).unwrap_or("");
        // Memory the process can have written: its heap, stacks and other
        // writable pages. Read-only pages are the program's and libraries'
        // own image (the sandbox's seed phrases are in it), and the
        // kernel's pages are not its.
        if !perms.starts_with("rw") || name == "[vvar]" || name == "[vsyscall]" || name == "[vvar_vclock]" {
            continue;
        }
        let Some((start, end)) = range.split_once('-') else { continue };
        let (Ok(start), Ok(end)) = (u64::from_str_radix(start, 16), u64::from_str_radix(end, 16)) else { continue };
        // In pieces, each overlapping the last by a needle's length, so a
        // value across a piece's edge is still found, once.
        const PIECE: u64 = 4 << 20;
        let mut at = start;
        let mut buffer = vec![0u8; PIECE as usize + longest];
        while at < end {
            let len = (end - at).min(PIECE + longest as u64) as usize;
            let Ok(n) = mem.read_at(&mut buffer[..len], at) else { break };
            read_any = true;
            let piece = &buffer[..n];
            for (count, finder) in counts.iter_mut().zip(&finders) {
                // Only matches that start inside this piece's own part.
                *count += finder.find_iter(piece).filter(|&i| (i as u64) < PIECE.min(n as u64)).count();
            }
            if n < len {
                break;
            }
            at += PIECE;
        }
    }
    read_any.then_some(counts)
}

/// The console's process: the child of the shell running in the terminal.
fn console_pid(pidfile: &std::path::Path) -> i32 {
    std::fs::read_to_string(pidfile).unwrap().trim().parse().unwrap()
}

#[test]
fn the_lock_leaves_no_copy_of_the_revealed_email_dob_or_message_in_memory() {
    if !cfg!(target_os = "linux") || !std::path::Path::new("/proc/self/mem").exists() {
        eprintln!("skipped: reading a process's memory needs Linux's /proc/PID/mem");
        return;
    }
    let server = Server::start("sandbox", &[]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let client = portaldesk::portal::PortalClient::new(
        &server.url,
        portaldesk::portal::ApiToken::new("sandbox"),
        portaldesk::portal::ClientOptions::default(),
    )
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let pidfile = home.path().join("pid");
    let mut term = Term::in_home(home.path(), &[("PORTALDESK_TOKEN", "sandbox")]);
    term.clear();
    term.type_line(&format!(
        "sh -c 'echo $$ > {}; exec {BIN} --portal {}'; echo code=$?",
        pidfile.display(),
        server.url
    ));
    term.wait_for("Open tickets");
    let pid = console_pid(&pidfile);
    term.key(Key::Enter);
    let profile = term.wait_for("Profile");
    // The account and ticket the console opened (the first of its queue):
    // what it will show once revealed.
    let word_after = |label: &str| {
        let at = profile.find(label).unwrap_or_else(|| panic!("no {label:?} on\n{profile}")) + label.len();
        profile[at..].trim_start().split(|c: char| c.is_whitespace() || c == '│').next().unwrap().to_owned()
    };
    let account_id = word_after("Id ");
    let ticket_id = format!("T-{}", word_after("┌ T-"));
    let account = runtime.block_on(client.account(&account_id.as_str().into())).unwrap().value;
    let messages = runtime.block_on(client.messages(&ticket_id.as_str().into())).unwrap();
    let email = account.email.expose().clone();
    let dob = *account.dob.expose();
    // The longest line of the client's first message (up to 64
    // characters): long enough to be theirs.
    let body = messages.first().expect("a message").body.expose().clone();
    let message: String = body.lines().max_by_key(|l| l.len()).unwrap_or_default().chars().take(64).collect();
    assert!(message.len() >= 24, "{message:?}");
    let shown_dob = dob.format("%m/%d/%Y").to_string();
    let wire_dob = dob.format("%Y-%m-%d").to_string();
    let names = ["email", "DOB as shown", "DOB as sent", "message"];
    let needles: [&[u8]; 4] = [email.as_bytes(), shown_dob.as_bytes(), wire_dob.as_bytes(), message.as_bytes()];
    term.key(Key::Char('v'));
    let revealed = term.wait_until("the revealed DOB", WAIT, |screen| {
        (screen.contains(&shown_dob) && screen.contains("v: mask")).then(|| screen.to_owned())
    });
    assert!(revealed.contains(&message[..16]), "the message shows: {message:?}\n{revealed}");

    let Some(before) = copies_in_memory(pid, &needles) else {
        eprintln!("skipped: /proc/{pid}/mem cannot be read here (ptrace not allowed)");
        return;
    };
    // The scan finds what is there: the email and the message are held
    // as text while shown (the DOB is held as a date, its text only made
    // for a frame).
    assert!(before[0] > 0 && before[3] > 0, "the scan found nothing while revealed: {before:?}");

    term.key(Key::Char('L'));
    term.wait_for("portaldesk is locked");
    let after = copies_in_memory(pid, &needles).expect("its memory could be read a moment ago");
    let report: Vec<String> = names
        .iter()
        .zip(before.iter().zip(&after))
        .map(|(n, (b, a))| format!("{n}: {b} before the lock, {a} after"))
        .collect();
    eprintln!("copies in the console's memory: {}", report.join("; "));
    assert_eq!(after, vec![0; needles.len()], "copies left after the lock: {}", report.join("; "));

    term.key(Key::CtrlC);
    let (code, screen) = term.exit_code("code");
    assert_eq!(code, 0, "{screen}");
}
