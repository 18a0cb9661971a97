//! Credentials from outside: login, resolve, logout and the prompt through
//! the public API, over `keyring_core::mock::Store` (one store per test, so
//! tests share no global state and run in parallel), and the real OS store
//! on a machine with no Secret Service (a child process whose D-Bus session
//! address leads nowhere).

use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use keyring_core::mock;
use portaldesk::credentials::{CredentialError, CredentialStore, Token, TokenSource, read_token};
use portaldesk::portal::ApiToken;

const PORTAL: &str = "https://portal.example.org";
const OTHER: &str = "https://other-practice.example.com/portal";
const SECRET: &str = "tok_live_7Hq2xZ9pLm";

fn mock_store() -> (CredentialStore, Arc<mock::Store>) {
    let store = mock::Store::new().unwrap();
    (CredentialStore::new(Ok(Arc::clone(&store))), store)
}

fn token(text: &str) -> Token {
    Token::new(text).unwrap()
}

fn api(token: Token) -> ApiToken {
    ApiToken::from(token)
}

/// The mock credential behind a portal's entry, to inject errors or bytes.
fn mock_entry(store: &Arc<mock::Store>, account: &str) -> keyring_core::Entry {
    let store: Arc<keyring_core::CredentialStore> = store.clone();
    keyring_core::Entry::new_in_store(&store, "portaldesk", account).unwrap()
}

fn inject(store: &Arc<mock::Store>, account: &str, err: keyring_core::Error) {
    let entry = mock_entry(store, account);
    let cred: &mock::Cred = entry.as_any().downcast_ref().unwrap();
    cred.set_error(err);
}

fn assert_no_secret(err: &CredentialError, secret: &str) {
    assert!(!err.to_string().contains(secret), "Display shows the token: {err}");
    assert!(!format!("{err:?}").contains(secret), "Debug shows the token: {err:?}");
}

#[test]
fn login_then_resolve_gives_the_token_from_the_keyring() {
    let (store, _) = mock_store();
    assert!(matches!(store.resolve(PORTAL, None), Err(CredentialError::NotLoggedIn { .. })));
    store.login(PORTAL, &token(SECRET)).unwrap();
    let resolved = store.resolve(PORTAL, None).unwrap();
    assert_eq!(resolved.source(), TokenSource::Keyring);
    assert_eq!(api(resolved), ApiToken::new(SECRET));
}

#[test]
fn login_is_kept_under_the_portaldesk_service_and_the_normalised_url() {
    let (store, mock) = mock_store();
    store.login("HTTPS://Portal.Example.ORG:443/", &token(SECRET)).unwrap();
    assert_eq!(mock_entry(&mock, PORTAL).get_password().unwrap(), SECRET);
    assert_eq!(api(store.resolve("https://portal.example.org/", None).unwrap()), ApiToken::new(SECRET));
}

#[test]
fn login_again_replaces_the_token() {
    let (store, _) = mock_store();
    store.login(PORTAL, &token("first-token")).unwrap();
    store.login(PORTAL, &token("second-token")).unwrap();
    assert_eq!(api(store.resolve(PORTAL, None).unwrap()), ApiToken::new("second-token"));
}

#[test]
fn portaldesk_token_overrides_the_keyring() {
    let (store, _) = mock_store();
    store.login(PORTAL, &token("keyring-token")).unwrap();
    let resolved = store.resolve(PORTAL, Some(" env-token\n".into())).unwrap();
    assert_eq!(resolved.source(), TokenSource::Environment);
    assert_eq!(api(resolved), ApiToken::new("env-token"));
}

#[test]
fn portaldesk_token_works_where_there_is_no_keyring_at_all() {
    let store = CredentialStore::new::<mock::Store>(Err(keyring_core::Error::NoDefaultStore));
    let resolved = store.resolve(PORTAL, Some("env-token".into())).unwrap();
    assert_eq!(api(resolved), ApiToken::new("env-token"));
}

#[test]
fn a_blank_portaldesk_token_counts_as_unset() {
    let (store, _) = mock_store();
    store.login(PORTAL, &token("keyring-token")).unwrap();
    let resolved = store.resolve(PORTAL, Some("  ".into())).unwrap();
    assert_eq!(resolved.source(), TokenSource::Keyring);
    assert_eq!(api(resolved), ApiToken::new("keyring-token"));
}

#[test]
fn a_malformed_portaldesk_token_is_refused_without_showing_it() {
    let (store, _) = mock_store();
    let err = store.resolve(PORTAL, Some("tok live".into())).unwrap_err();
    assert!(matches!(err, CredentialError::MalformedToken { origin: TokenSource::Environment }), "{err:?}");
    assert!(err.to_string().contains("PORTALDESK_TOKEN"), "{err}");
    assert_no_secret(&err, "tok live");
}

#[test]
fn logout_removes_the_token_and_resolve_then_says_how_to_log_in() {
    let (store, mock) = mock_store();
    store.login(PORTAL, &token(SECRET)).unwrap();
    assert!(store.logout(PORTAL).unwrap(), "a token was removed");
    assert!(matches!(mock_entry(&mock, PORTAL).get_password(), Err(keyring_core::Error::NoEntry)));

    let err = store.resolve(PORTAL, None).unwrap_err();
    assert!(matches!(err, CredentialError::NotLoggedIn { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("run `portaldesk login --portal https://portal.example.org`"), "{text}");
    assert!(text.contains("or set PORTALDESK_TOKEN"), "{text}");
    assert_no_secret(&err, SECRET);

    assert!(!store.logout(PORTAL).unwrap(), "nothing left to remove");
}

#[test]
fn two_portals_keep_separate_tokens() {
    let (store, _) = mock_store();
    store.login(PORTAL, &token("token-for-portal")).unwrap();
    store.login(OTHER, &token("token-for-other")).unwrap();
    assert_eq!(api(store.resolve(PORTAL, None).unwrap()), ApiToken::new("token-for-portal"));
    assert_eq!(api(store.resolve(OTHER, None).unwrap()), ApiToken::new("token-for-other"));

    assert!(store.logout(OTHER).unwrap());
    assert!(matches!(store.resolve(OTHER, None), Err(CredentialError::NotLoggedIn { .. })));
    assert_eq!(api(store.resolve(PORTAL, None).unwrap()), ApiToken::new("token-for-portal"));
}

#[test]
fn a_keyring_that_cannot_be_opened_says_no_keyring_service_and_names_portaldesk_token() {
    // What the Secret Service store's constructor returns on a headless box.
    let opened: keyring_core::Result<Arc<mock::Store>> =
        Err(keyring_core::Error::PlatformFailure("no secret service provider or dbus session found".into()));
    let store = CredentialStore::new(opened);

    let errors = [
        store.ensure_available().unwrap_err(),
        store.resolve(PORTAL, None).unwrap_err(),
        store.login(PORTAL, &token(SECRET)).unwrap_err(),
        store.logout(PORTAL).unwrap_err(),
    ];
    for err in &errors {
        assert!(matches!(err, CredentialError::NoKeyringService { .. }), "{err:?}");
        let text = err.to_string();
        assert!(text.contains("no keyring service is available"), "{text}");
        assert!(text.contains("no secret service provider or dbus session found"), "{text}");
        assert!(text.contains("Set PORTALDESK_TOKEN"), "{text}");
        assert!(text.contains("never keeps the token in a plain file"), "{text}");
        assert_no_secret(err, SECRET);
    }
}

#[test]
fn keyring_failures_while_working_are_typed_and_name_portaldesk_token() {
    let (store, mock) = mock_store();
    store.login(PORTAL, &token(SECRET)).unwrap();

    inject(&mock, PORTAL, keyring_core::Error::PlatformFailure("org.freedesktop.DBus.Error.ServiceUnknown".into()));
    let err = store.resolve(PORTAL, None).unwrap_err();
    assert!(matches!(err, CredentialError::Keyring { .. }), "{err:?}");
    assert!(err.to_string().contains("ServiceUnknown") && err.to_string().contains("PORTALDESK_TOKEN"), "{err}");
    assert_no_secret(&err, SECRET);

    inject(&mock, PORTAL, keyring_core::Error::NoStorageAccess("the collection is locked".into()));
    let err = store.logout(PORTAL).unwrap_err();
    assert!(matches!(err, CredentialError::KeyringLocked { .. }), "{err:?}");
    assert!(err.to_string().contains("unlock it") && err.to_string().contains("PORTALDESK_TOKEN"), "{err}");

    // The injected errors did not lose the token: the store works again.
    assert_eq!(api(store.resolve(PORTAL, None).unwrap()), ApiToken::new(SECRET));
}

#[test]
fn an_unreadable_entry_is_reported_without_its_bytes() {
    let (store, mock) = mock_store();
    mock_entry(&mock, PORTAL).set_secret(format!("{SECRET}\u{0}").as_bytes()).unwrap();
    let err = store.resolve(PORTAL, None).unwrap_err();
    assert!(matches!(err, CredentialError::UnusableEntry { .. }), "{err:?}");
    assert!(err.to_string().contains("portaldesk logout --portal https://portal.example.org"), "{err}");
    assert_no_secret(&err, SECRET);

    mock_entry(&mock, PORTAL).set_secret(b"tok_\xff\xfe_not_utf8").unwrap();
    let err = store.resolve(PORTAL, None).unwrap_err();
    assert!(matches!(err, CredentialError::UnusableEntry { .. }), "{err:?}");
    assert_no_secret(&err, "not_utf8");
}

#[test]
fn a_plain_http_portal_gets_no_token_stored() {
    let (store, mock) = mock_store();
    let err = store.login("http://portal.example.org", &token(SECRET)).unwrap_err();
    assert!(matches!(err, CredentialError::InvalidPortalUrl { .. }), "{err:?}");
    assert!(err.to_string().contains("use https://"), "{err}");
    assert!(matches!(mock_entry(&mock, "http://portal.example.org").get_password(), Err(keyring_core::Error::NoEntry)));
}

#[test]
fn debug_of_tokens_stores_and_errors_never_shows_the_token() {
    let (store, mock) = mock_store();
    let entered = token(SECRET);
    assert_eq!(format!("{entered:?}"), "Token(<redacted>, Entered)");
    assert!(!format!("{entered:#?}").contains(SECRET));
    store.login(PORTAL, &entered).unwrap();

    let resolved = store.resolve(PORTAL, None).unwrap();
    assert!(!format!("{resolved:?}").contains(SECRET), "{resolved:?}");
    assert!(!format!("{store:?}").contains(SECRET), "{store:?}");
    assert!(!format!("{:?}", api(resolved)).contains(SECRET));

    let mut errors = vec![
        store.resolve(OTHER, None).unwrap_err(),
        store.login(&format!("https://{SECRET}:x@portal.example.org"), &entered).unwrap_err(),
        store.login(SECRET, &entered).unwrap_err(),
        Token::new(format!("{SECRET} {SECRET}")).unwrap_err(),
    ];
    inject(&mock, PORTAL, keyring_core::Error::BadEncoding(SECRET.as_bytes().to_vec()));
    errors.push(store.resolve(PORTAL, None).unwrap_err());
    for err in &errors {
        assert_no_secret(err, SECRET);
    }
}

/// A writer the test can read back after handing a clone to `read_token`.
#[derive(Clone, Default)]
struct Screen(Arc<Mutex<Vec<u8>>>);

impl Write for Screen {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Screen {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

#[test]
fn the_prompt_reads_a_line_and_writes_only_the_prompt() {
    let screen = Screen::default();
    let input = io::Cursor::new(format!("{SECRET}\nsecond line\n"));
    let read = read_token("API token for https://portal.example.org: ", input, screen.clone()).unwrap();
    assert_eq!(read.source(), TokenSource::Entered);
    assert_eq!(api(read), ApiToken::new(SECRET));
    assert_eq!(screen.text(), "API token for https://portal.example.org: ");
}

#[test]
fn the_prompt_edits_like_a_terminal_line() {
    // Backspace (DEL) drops a character; Ctrl-U clears the line; CR ends it.
    let read = read_token("token: ", io::Cursor::new("wrongX\x7f\x15tok_\x7f_ok\r"), io::sink()).unwrap();
    assert_eq!(api(read), ApiToken::new("tok_ok"));
}

#[test]
fn the_prompt_with_nothing_entered_stores_nothing() {
    let screen = Screen::default();
    let err = read_token("token: ", io::Cursor::new("\n"), screen.clone()).unwrap_err();
    assert!(matches!(err, CredentialError::NoTokenEntered), "{err:?}");
    let err = read_token("token: ", io::Cursor::new(""), io::sink()).unwrap_err();
    assert!(matches!(err, CredentialError::NoTokenEntered), "{err:?}");
    assert_eq!(screen.text(), "token: ");
}

/// The real OS store on a machine with no Secret Service: this test binary
/// runs `headless_child` again in a child whose D-Bus session address leads
/// nowhere, so the outcome does not depend on the machine running the tests.
#[cfg(target_os = "linux")]
#[test]
fn the_os_keyring_on_a_headless_linux_box_says_so_and_names_portaldesk_token() {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "credentials::headless_child", "--nocapture", "--test-threads=1"])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/portaldesk-test/bus")
        .env("PORTALDESK_HEADLESS_CHILD", "1")
        .env_remove("PORTALDESK_TOKEN")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "child failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("HEADLESS-CHILD-CHECKED"), "the child did not run its checks:\n{stdout}\n{stderr}");
}

/// The child half of the test above: it does its checks only in the child
/// process (with the session bus pointed nowhere); the parent asserts that
/// they ran, so they cannot be skipped silently.
#[test]
fn headless_child() {
    if std::env::var_os("PORTALDESK_HEADLESS_CHILD").is_none() {
        return;
    }
    let store = CredentialStore::os();
    let err = store.ensure_available().unwrap_err();
    assert!(matches!(err, CredentialError::NoKeyringService { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("no keyring service is available"), "{text}");
    assert!(text.contains("Secret Service"), "{text}");
    assert!(text.contains("Set PORTALDESK_TOKEN"), "{text}");
    let err = portaldesk::credentials::login(PORTAL, &token(SECRET)).unwrap_err();
    assert!(matches!(err, CredentialError::NoKeyringService { .. }), "{err:?}");
    let err = portaldesk::credentials::resolve_token(PORTAL).unwrap_err();
    assert!(matches!(err, CredentialError::NoKeyringService { .. }), "{err:?}");
    // PORTALDESK_TOKEN still works with the same (absent) keyring.
    assert_eq!(api(store.resolve(PORTAL, Some("env-token".into())).unwrap()), ApiToken::new("env-token"));
    println!("{text}");
    println!("HEADLESS-CHILD-CHECKED");
}
