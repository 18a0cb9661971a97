//! End to end: the real binary in a real terminal (a pseudo-terminal read
//! by `vt100`, see `common::term`), against a sandbox
//! started with `portaldesk sandbox serve`, used as a new user would: a bad
//! config file first, then search an account by email, open it, reveal,
//! compare a DOB given day-first, correct the DOB, resend the invite, quit.
//! Beside it, a second session opens the same account and lets the idle
//! lock fall, then unlocks and quits. Then the API must show exactly one new
//! invite and one DOB change, the terminal must be as it was, and no file
//! the session could write may hold the token or the client's PHI.

use crate::common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::Server;
use common::term::{Key, Term};

use chrono::Duration as Span;
use portaldesk::portal::model::Role;
use portaldesk::portal::{ApiToken, ClientOptions, PortalClient};

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_portaldesk");

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("portaldesk-e2e-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// Every file under `dir`, with its bytes.
fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                out.push((path, bytes));
            }
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn a_new_user_session_works_restores_the_terminal_and_leaves_no_token_or_phi_on_disk() {
    let token = format!("e2e-secret-{}", std::process::id());
    let server = Server::start(&token, &[]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let client = PortalClient::new(&server.url, ApiToken::new(token.clone()), ClientOptions::default()).unwrap();
    // A client account with a pending invite (not on a ticket).
    let account = runtime.block_on(client.account(&"acc_150".into())).unwrap().value;
    assert_eq!(account.role, Role::Client);
    let invites_before = runtime.block_on(client.invites(&account.id)).unwrap();

    // A home of its own: config, state (the log), data, cache and temp
    // files all land under `dir`, which is searched at the end.
    let dir = scratch_dir("session");
    let home = dir.join("home");
    std::fs::create_dir_all(home.join(".config/portaldesk")).unwrap();
    std::fs::create_dir_all(dir.join("tmp")).unwrap();
    std::fs::create_dir_all(dir.join("work")).unwrap();
    // No idle lock in this session (it has a test of its own, below, that
    // runs beside this one).
    std::fs::write(home.join(".config/portaldesk/config.toml"), "idle_lock_seconds = 3600\n").unwrap();
    std::fs::write(dir.join("bad.toml"), "theme = \"dark\"\nidle_lock_minute = 3\n").unwrap();

    let no_env: [(&str, &str); 0] = [];
    let mut term = Term::start(120, 40, &no_env);
    let env = format!(
        "cd {dir}/work; export HOME={home} XDG_CONFIG_HOME={home}/.config XDG_STATE_HOME={home}/.local/state \
         XDG_DATA_HOME={home}/.local/share XDG_CACHE_HOME={home}/.cache TMPDIR={dir}/tmp \
         PORTALDESK_LOG_LEVEL=trace PORTALDESK_TOKEN={token}; clear",
        dir = dir.display(),
        home = home.display(),
    );
    term.type_text(&env);
    term.key(Key::Enter);

    // A malformed config file: a clear error naming file, line and key, and
    // the terminal is never touched (nothing at all written to stdout).
    term.type_text(&format!(
        "stty -g > ../bad-before; {BIN} --config ../bad.toml > ../bad-out 2> ../bad-err; code=$?; \
         stty -g > ../bad-after; echo bad=$code"
    ));
    term.key(Key::Enter);
    term.wait_for("bad=2");
    let err = read(&dir.join("bad-err"));
    assert!(err.contains("bad.toml") && err.contains("line 2") && err.contains("idle_lock_minute"), "{err}");
    assert_eq!(read(&dir.join("bad-out")), "", "the console wrote to the terminal");
    assert_eq!(read(&dir.join("bad-before")), read(&dir.join("bad-after")));
    term.clear();

    let line = format!(
        "stty -g > ../before; {BIN} --portal {url}; code=$?; stty -g > ../after; echo exit=$code",
        url = server.url
    );
    term.type_text(&line);
    term.key(Key::Enter);
    term.wait_for("Open tickets");

    // Search by email.
    term.key(Key::Char('/'));
    term.wait_for("Search by name, email, phone or id");
    term.type_text(account.email.expose());
    let results = term.wait_for("1 found");
    assert!(results.contains(account.last_name.expose().as_str()), "{results}");
    // The list shows the address masked (the query box shows what was typed).
    assert!(results.contains(&portaldesk::phi::mask_email(account.email.expose())), "{results}");
    term.key(Key::Enter);
    let profile = term.wait_for("Profile");
    assert!(profile.contains(account.id.as_str()), "{profile}");
    let dob = *account.dob.expose();
    assert!(!profile.contains(&dob.format("%m/%d/%Y").to_string()), "the DOB shows before it is revealed");

    // Reveal, then mask again.
    term.key(Key::Char('v'));
    let revealed = term.wait_for("v: mask email and DOB");
    assert!(revealed.contains(&dob.format("%m/%d/%Y").to_string()), "{revealed}");
    term.key(Key::Char('v'));
    term.wait_for("v: reveal email and DOB");

    // Compare a DOB given day-first: masked, the marks show but not the
    // DOB on file nor the entry made from it... (The entry typed stays for
    // reopening the compare on this account: typed once.)
    let compare_day_first = |term: &mut Term, typed: bool| {
        term.key(Key::Char('d'));
        term.wait_for("DOB compare");
        if typed {
            term.type_text(&dob.format("%d/%m/%Y").to_string());
        }
        let compare = term.wait_for("Type exactly");
        term.key(Key::Escape);
        compare
    };
    let compare = compare_day_first(&mut term, true);
    assert!(compare.contains("day_month_swapped"), "{compare}");
    assert!(!compare.contains(&dob.format("%m/%d/%Y").to_string()), "{compare}");
    // ...revealed, both show.
    term.key(Key::Char('v'));
    term.wait_for("v: mask email and DOB");
    let compare = compare_day_first(&mut term, false);
    assert!(compare.contains(&dob.format("%m/%d/%Y").to_string()), "{compare}");
    term.key(Key::Char('v'));
    term.wait_for("v: reveal email and DOB");

    // Correct the DOB on file: new date, a reason, confirm, save.
    let corrected = dob + Span::days(1);
    term.key(Key::Char('e'));
    term.wait_for("Edit DOB");
    term.type_text(&corrected.format("%m/%d/%Y").to_string());
    term.key(Key::Tab);
    term.type_text("client read it from her ID on the call");
    term.key(Key::Enter);
    term.wait_for("Enter: save this change");
    term.key(Key::Enter);
    term.wait_for("DOB on file updated");

    // Resend, confirm.
    term.key(Key::Char('r'));
    let dialog = term.wait_for("Resend the portal invite?");
    assert!(dialog.contains("48h 00m") || dialog.contains("47h 59m"), "{dialog}");
    term.key(Key::Enter);
    term.wait_for("Invite sent");

    // Quit: the shell gets the terminal back as it was: the stty modes, and
    // every mode the console turned on (alternate screen, hidden cursor,
    // mouse capture) turned off again. (Bracketed paste is bash's own again
    // once its prompt is back.)
    term.key(Key::Char('q'));
    let (code, after) = term.exit_code("exit");
    assert_eq!(code, 0, "{after}");
    assert!(!after.contains("Open tickets"), "the console's screen was left behind:\n{after}");
    let vt = term.vt();
    assert!(!vt.alternate_screen(), "left in the alternate screen");
    assert!(!vt.hide_cursor(), "the cursor was left hidden");
    assert_eq!(vt.mouse_protocol_mode(), vt100::MouseProtocolMode::None);
    // `stty -g > ../after` ran before the exit code was printed.
    assert_eq!(read(&dir.join("before")), read(&dir.join("after")), "terminal modes were not restored");

    // Exactly one new invite, with the client expiry; the DOB changed once.
    let invites_after = runtime.block_on(client.invites(&account.id)).unwrap();
    assert_eq!(invites_after.len(), invites_before.len() + 1);
    let newest = &invites_after[0];
    assert_eq!(newest.expires_at - newest.sent_at, Span::hours(48));
    assert!(!invites_before.iter().any(|i| i.id == newest.id));
    let now_on_file = runtime.block_on(client.account(&account.id)).unwrap().value;
    assert_eq!(*now_on_file.dob.expose(), corrected);

    // The console logged the session to the state directory...
    let log = read(&home.join(".local/state/portaldesk/portaldesk.log"));
    assert!(log.contains("console started") && log.contains("resend requested"), "{log}");
    assert!(log.contains("DOB change requested") && log.contains(account.id.as_str()), "the log names accounts by id");
    // ...and nothing anywhere under the session's home, temp or working
    // directories holds the token or the PHI of the account it touched.
    let mut secrets = vec![
        token.clone(),
        account.first_name.expose().clone(),
        account.last_name.expose().clone(),
        account.email.expose().clone(),
        account.phone.expose().clone(),
    ];
    for date in [dob, corrected] {
        secrets.extend([
            date.format("%m/%d/%Y").to_string(),
            date.format("%d/%m/%Y").to_string(),
            date.format("%Y-%m-%d").to_string(),
        ]);
    }
    let files = files_under(&dir);
    assert!(files.len() >= 5, "the session wrote {} files", files.len());
    for (path, bytes) in &files {
        for (n, secret) in secrets.iter().enumerate() {
            assert!(!contains(bytes, secret), "{} holds secret #{n} ({} chars)", path.display(), secret.len());
        }
    }
    // The shell the session typed the token into keeps no history: it
    // exits, and the real home's .bash_history has no token.
    assert!(term.exit(Duration::from_secs(10)), "the shell did not exit");
    if let Some(real_home) = std::env::var_os("HOME") {
        let history = std::fs::read(Path::new(&real_home).join(".bash_history")).unwrap_or_default();
        assert!(!contains(&history, &token), "the token reached ~/.bash_history");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_idle_console_locks_and_the_lock_screen_shows_no_client_details() {
    let token = format!("e2e-lock-{}", std::process::id());
    let server = Server::start(&token, &[]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let client = PortalClient::new(&server.url, ApiToken::new(token.clone()), ClientOptions::default()).unwrap();
    let account = runtime.block_on(client.account(&"acc_150".into())).unwrap().value;

    let dir = scratch_dir("lock");
    let home = dir.join("home");
    std::fs::create_dir_all(home.join(".config/portaldesk")).unwrap();
    // The idle lock after 3 s (the setting in seconds is for tests): this
    // session only opens an account, then waits for it.
    std::fs::write(home.join(".config/portaldesk/config.toml"), "idle_lock_seconds = 3\n").unwrap();
    let mut term = Term::in_home(&home, &[("PORTALDESK_TOKEN", token.as_str())]);
    term.type_line(&format!("{BIN} --portal {url}; echo exit=$?", url = server.url));
    term.wait_for("Open tickets");
    term.key(Key::Char('/'));
    term.wait_for("Search by name, email, phone or id");
    term.type_text(account.id.as_str());
    term.wait_for("1 found");
    term.key(Key::Enter);
    let profile = term.wait_for("Profile");
    assert!(profile.contains(account.id.as_str()), "{profile}");

    // A spell without a key locks the screen: nothing of the client shows.
    let locked = term.wait_within("portaldesk is locked", Duration::from_secs(90));
    let masked = portaldesk::phi::mask_email(account.email.expose());
    for value in [account.last_name.expose().as_str(), account.id.as_str(), masked.as_str()] {
        assert!(!locked.contains(value), "the lock screen shows client details:\n{locked}");
    }
    term.key(Key::Char('x'));
    term.wait_for("Press Enter to unlock");
    term.key(Key::Enter);
    term.wait_for("Profile");
    term.key(Key::Char('q'));
    let (code, after) = term.exit_code("exit");
    assert_eq!(code, 0, "{after}");
    let _ = std::fs::remove_dir_all(&dir);
}
