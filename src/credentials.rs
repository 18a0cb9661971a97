//! The portal API token: kept per portal in the operating system's keyring,
//! or given by `PORTALDESK_TOKEN` for headless use.
//!
//! - The keyring entry has service [`SERVICE`] and, as its user, the portal
//!   URL normalised by [`normalize_portal_url`], so equivalent spellings of
//!   one portal share one entry and two portals never share one.
//! - [`resolve_token`]: `PORTALDESK_TOKEN` when set (the keyring is then not
//!   touched, so it works where there is none), else the keyring, else a
//!   [`CredentialError::NotLoggedIn`] that says what to run.
//! - Where there is no keyring service (a Linux box with no Secret Service on
//!   D-Bus, a plain SSH session) the error says so and names
//!   `PORTALDESK_TOKEN`. There is no fallback to a file, ever.
//! - A [`Token`] has a redacted `Debug` and no `Display`; its text leaves
//!   this module only into the keyring or as a [`ApiToken`] for the client.
//!   No error carries a token or the bytes of a keyring entry.
//! - The store is a value ([`CredentialStore`]): [`CredentialStore::os`] for
//!   the real keyring, [`CredentialStore::new`] over any `keyring-core` store
//!   (tests use `keyring_core::mock::Store`), so tests share no global state.

use std::fmt;
use std::io::{self, ErrorKind, Read, Write};
use std::sync::Arc;

use keyring_core::api::CredentialStoreApi;

use crate::portal::ApiToken;
use crate::portal::PortalError;
use crate::portal::client::check_portal_url;

/// The keyring service under which tokens are kept.
pub const SERVICE: &str = "portaldesk";

/// The environment variable that overrides the keyring.
pub const TOKEN_ENV: &str = "PORTALDESK_TOKEN";

/// An API token. `Debug` is redacted and there is no `Display`, so it cannot
/// reach a log or the screen by accident; convert it into an [`ApiToken`] to
/// use it.
///
/// ```compile_fail,E0277
/// let token = portaldesk::credentials::Token::new("s3cret").unwrap();
/// println!("{token}"); // no Display
/// ```
#[derive(Clone)]
pub struct Token {
    secret: String,
    origin: TokenSource,
}

/// Where a [`Token`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSource {
    /// `PORTALDESK_TOKEN`.
    Environment,
    /// The operating system's keyring.
    Keyring,
    /// Typed or pasted by the user, or given by the program.
    Entered,
}

impl Token {
    /// A token from its text (surrounding whitespace is dropped). Refuses
    /// an empty text and one with spaces or control characters inside, which
    /// no bearer token has.
    pub fn new(text: impl Into<String>) -> Result<Self, CredentialError> {
        Self::parse(text.into(), TokenSource::Entered)
    }

    fn parse(text: String, origin: TokenSource) -> Result<Self, CredentialError> {
        let secret = text.trim();
        if secret.is_empty() {
            return Err(CredentialError::NoTokenEntered);
        }
        if !secret.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(CredentialError::MalformedToken { origin });
        }
        Ok(Self { secret: secret.to_owned(), origin })
    }

    /// Where this token came from.
    pub fn source(&self) -> TokenSource {
        self.origin
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token(<redacted>, {:?})", self.origin)
    }
}

impl From<Token> for ApiToken {
    fn from(token: Token) -> Self {
        ApiToken::new(token.secret)
    }
}

/// What went wrong finding, storing or reading a token. Messages say what to
/// do next, and never contain a token.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    #[error("no API token for {portal}: run `portaldesk login --portal {portal}`, or set {TOKEN_ENV}")]
    NotLoggedIn { portal: String },
    #[error(
        "no keyring service is available on this machine ({detail}). {hint} Set {TOKEN_ENV} to the API token \
         instead; portaldesk never keeps the token in a plain file",
        hint = KEYRING_HINT
    )]
    NoKeyringService { detail: String },
    #[error("the keyring refused access ({detail}): unlock it or accept its prompt and try again, or set {TOKEN_ENV}")]
    KeyringLocked { detail: String },
    #[error(
        "the keyring failed ({detail}). If this machine has no keyring service, set {TOKEN_ENV} instead; \
         portaldesk never keeps the token in a plain file"
    )]
    Keyring { detail: String },
    #[error(
        "the keyring entry for {portal} is unusable ({reason}): run `portaldesk logout --portal {portal}`, \
         then `portaldesk login --portal {portal}`"
    )]
    UnusableEntry { portal: String, reason: &'static str },
    #[error(
        "not a usable portal address: {reason} (expected https://host[/path], or http:// on this machine, \
         with no user name, password, query or fragment)"
    )]
    InvalidPortalUrl { reason: String },
    #[error("no token was entered; nothing was stored")]
    NoTokenEntered,
    #[error("{} contains spaces or control characters, which an API token cannot have", origin_text(*.origin))]
    MalformedToken { origin: TokenSource },
    #[error("there is no terminal to ask for the token on: run this in a terminal, or set {TOKEN_ENV}")]
    NoTerminal,
    #[error("cancelled; nothing was stored")]
    Cancelled,
    #[error("could not read the token from the terminal: {0}")]
    Terminal(#[source] io::Error),
}

const KEYRING_HINT: &str = if cfg!(target_os = "linux") || cfg!(target_os = "freebsd") || cfg!(target_os = "openbsd") {
    "On Linux the keyring is a Secret Service (GNOME Keyring, KWallet, KeePassXC) on the D-Bus session bus, \
     which headless machines and plain SSH sessions usually lack."
} else {
    "The operating system's credential store could not be opened."
};

fn origin_text(origin: TokenSource) -> &'static str {
    match origin {
        TokenSource::Environment => TOKEN_ENV,
        TokenSource::Keyring => "the keyring entry",
        TokenSource::Entered => "the token",
    }
}

/// The keyring account for a portal: its URL checked like the client checks
/// it (https, or plain http on loopback only), then normalised: scheme and
/// host lower-case, default port and trailing slashes dropped. The input is
/// never echoed in the error (a token pasted into `--portal` stays hidden).
pub fn normalize_portal_url(portal_url: &str) -> Result<String, CredentialError> {
    let invalid = |reason: &str| CredentialError::InvalidPortalUrl { reason: reason.to_owned() };
    let url = check_portal_url(portal_url.trim()).map_err(|err| match err {
        PortalError::InsecureUrl { .. } => invalid(&err.to_string()),
        _ => invalid("it is not an absolute http(s) URL"),
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("it carries a user name or password"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("it carries a query or fragment"));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// Where tokens are kept: the operating system's keyring, or any
/// `keyring-core` store (tests give `keyring_core::mock::Store`).
///
/// A store that cannot be opened is still a value: each use of it then
/// fails with [`CredentialError::NoKeyringService`], while `PORTALDESK_TOKEN`
/// keeps working.
#[derive(Clone)]
pub struct CredentialStore {
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    /// The `keyring` crate's platform store, opened on first use.
    Os,
    Ready(Arc<keyring_core::CredentialStore>),
    Unavailable(String),
}

impl fmt::Debug for CredentialStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.backend {
            Backend::Os => f.write_str("CredentialStore(os keyring)"),
            Backend::Ready(store) => write!(f, "CredentialStore({})", store.vendor()),
            Backend::Unavailable(detail) => write!(f, "CredentialStore(unavailable: {detail})"),
        }
    }
}

impl CredentialStore {
    /// The operating system's keyring (Keychain on macOS, Credential Manager
    /// on Windows, the Secret Service over D-Bus on Linux and the BSDs), as
    /// chosen by the `keyring` crate. Nothing is opened until first use, so
    /// this never fails and costs nothing when `PORTALDESK_TOKEN` is set.
    ///
    /// The `keyring` crate installs its store as `keyring-core`'s
    /// process-wide default store; this uses whatever that default is then.
    pub fn os() -> Self {
        Self { backend: Backend::Os }
    }

    /// Over a `keyring-core` store, as its constructors return it:
    /// `CredentialStore::new(keyring_core::mock::Store::new())`. A failed
    /// construction makes a store that reports no keyring service.
    pub fn new<S>(store: keyring_core::Result<Arc<S>>) -> Self
    where
        S: CredentialStoreApi + Send + Sync + 'static,
    {
        let backend = match store {
            Ok(store) => Backend::Ready(store),
            Err(err) => Backend::Unavailable(err.to_string()),
        };
        Self { backend }
    }

    /// Over a store already shared as a trait object.
    pub fn from_shared(store: Arc<keyring_core::CredentialStore>) -> Self {
        Self { backend: Backend::Ready(store) }
    }

    /// Checks that the keyring can be opened, without touching any entry:
    /// `portaldesk login` calls this before asking for the token.
    pub fn ensure_available(&self) -> Result<(), CredentialError> {
        self.store().map(drop)
    }

    fn store(&self) -> Result<Arc<keyring_core::CredentialStore>, CredentialError> {
        match &self.backend {
            Backend::Ready(store) => Ok(Arc::clone(store)),
            Backend::Unavailable(detail) => Err(CredentialError::NoKeyringService { detail: detail.clone() }),
            Backend::Os => match keyring::Entry::store_status() {
                Err(err) => Err(CredentialError::NoKeyringService { detail: err.to_string() }),
                Ok(()) => keyring_core::get_default_store()
                    .ok_or_else(|| CredentialError::NoKeyringService { detail: "no keyring store is set".into() }),
            },
        }
    }

    fn entry(&self, portal: &str) -> Result<keyring_core::Entry, CredentialError> {
        let store = self.store()?;
        keyring_core::Entry::new_in_store(&store, SERVICE, portal).map_err(|err| keyring_error(err, portal))
    }

    /// Stores `token` for the portal, replacing any token it had.
    pub fn login(&self, portal_url: &str, token: &Token) -> Result<(), CredentialError> {
        let portal = normalize_portal_url(portal_url)?;
        let entry = self.entry(&portal)?;
        entry.set_password(&token.secret).map_err(|err| keyring_error(err, &portal))
    }

    /// Removes the portal's token; `Ok(false)` when there was none.
    pub fn logout(&self, portal_url: &str) -> Result<bool, CredentialError> {
        let portal = normalize_portal_url(portal_url)?;
        let entry = self.entry(&portal)?;
        match entry.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring_core::Error::NoEntry) => Ok(false),
            Err(err) => Err(keyring_error(err, &portal)),
        }
    }

    /// The token the keyring holds for the portal (ignores the environment).
    pub fn stored_token(&self, portal_url: &str) -> Result<Token, CredentialError> {
        let portal = normalize_portal_url(portal_url)?;
        let entry = self.entry(&portal)?;
        let text = entry.get_password().map_err(|err| keyring_error(err, &portal))?;
        Token::parse(text, TokenSource::Keyring)
            .map_err(|_| CredentialError::UnusableEntry { portal, reason: "it does not hold a token" })
    }

    /// The token to use for the portal: `env_token` (the value of
    /// `PORTALDESK_TOKEN`, blank counting as unset) when given, without
    /// touching the keyring; else the keyring's.
    pub fn resolve(&self, portal_url: &str, env_token: Option<String>) -> Result<Token, CredentialError> {
        let portal = normalize_portal_url(portal_url)?;
        match env_token.filter(|value| !value.trim().is_empty()) {
            Some(value) => Token::parse(value, TokenSource::Environment),
            None => self.stored_token(&portal),
        }
    }
}

/// Maps a keyring error to one a person can act on. Payloads that may hold
/// secret bytes (`BadEncoding`, `BadDataFormat`, `Ambiguous`) are dropped.
fn keyring_error(err: keyring_core::Error, portal: &str) -> CredentialError {
    use keyring_core::Error as E;
    let portal = portal.to_owned();
    match err {
        E::NoEntry => CredentialError::NotLoggedIn { portal },
        E::NoDefaultStore => CredentialError::NoKeyringService { detail: "no keyring store is set".into() },
        E::NoStorageAccess(detail) => CredentialError::KeyringLocked { detail: detail.to_string() },
        E::PlatformFailure(detail) => CredentialError::Keyring { detail: detail.to_string() },
        E::BadEncoding(_) | E::BadDataFormat(..) => {
            CredentialError::UnusableEntry { portal, reason: "it does not hold a readable token" }
        }
        E::Ambiguous(_) => CredentialError::UnusableEntry { portal, reason: "more than one entry matches it" },
        E::BadStoreFormat(detail) | E::NotSupportedByStore(detail) => CredentialError::Keyring { detail },
        E::Invalid(what, why) => CredentialError::Keyring { detail: format!("{what}: {why}") },
        E::TooLong(what, limit) => {
            CredentialError::Keyring { detail: format!("{what} is longer than the keyring's limit of {limit}") }
        }
        _ => CredentialError::Keyring { detail: "an unexpected keyring error".into() },
    }
}

/// `PORTALDESK_TOKEN` as set in this process (`None` when unset).
pub fn env_token() -> Result<Option<String>, CredentialError> {
    match std::env::var_os(TOKEN_ENV) {
        None => Ok(None),
        Some(value) => value
            .into_string()
            .map(Some)
            .map_err(|_| CredentialError::MalformedToken { origin: TokenSource::Environment }),
    }
}

/// The token for the portal: `PORTALDESK_TOKEN`, else the OS keyring.
pub fn resolve_token(portal_url: &str) -> Result<Token, CredentialError> {
    CredentialStore::os().resolve(portal_url, env_token()?)
}

/// Stores the portal's token in the OS keyring.
pub fn login(portal_url: &str, token: &Token) -> Result<(), CredentialError> {
    CredentialStore::os().login(portal_url, token)
}

/// Removes the portal's token from the OS keyring; `Ok(false)` when there was none.
pub fn logout(portal_url: &str) -> Result<bool, CredentialError> {
    CredentialStore::os().logout(portal_url)
}

/// Asks for the token on the controlling terminal (`/dev/tty`, the console
/// on Windows) with echo off, even when standard input is redirected.
pub fn prompt_token(prompt: &str) -> Result<Token, CredentialError> {
    let text = rpassword::prompt_password(prompt).map_err(|err| match err.kind() {
        ErrorKind::NotFound | ErrorKind::PermissionDenied => CredentialError::NoTerminal,
        _ if err.raw_os_error() == Some(libc::ENXIO) => CredentialError::NoTerminal,
        _ => prompt_error(err),
    })?;
    Token::parse(text, TokenSource::Entered)
}

/// Writes `prompt` to `output`, then reads one line from `input` with the
/// same line editing as [`prompt_token`] (backspace, Ctrl-U); nothing typed
/// is written to `output`. For tests, and for a token piped on standard
/// input.
pub fn read_token(
    prompt: &str,
    input: impl Read + 'static,
    output: impl Write + 'static,
) -> Result<Token, CredentialError> {
    let config = rpassword::ConfigBuilder::new().input_reader(input).output_writer(output).build();
    let text = rpassword::prompt_password_with_config(prompt, config).map_err(prompt_error)?;
    Token::parse(text, TokenSource::Entered)
}

fn prompt_error(err: io::Error) -> CredentialError {
    match err.kind() {
        ErrorKind::Interrupted | ErrorKind::UnexpectedEof => CredentialError::Cancelled,
        _ => CredentialError::Terminal(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equivalent_spellings_of_a_portal_normalise_to_one_account() {
        for spelling in
            ["https://portal.example.org", "HTTPS://Portal.Example.ORG:443/", " https://portal.example.org// "]
        {
            assert_eq!(normalize_portal_url(spelling).unwrap(), "https://portal.example.org", "{spelling}");
        }
        assert_eq!(normalize_portal_url("https://example.org/portal/").unwrap(), "https://example.org/portal");
        assert_eq!(normalize_portal_url("http://127.0.0.1:8080/").unwrap(), "http://127.0.0.1:8080");
        assert_ne!(normalize_portal_url("https://example.org:8443").unwrap(), "https://example.org");
    }

    #[test]
    fn unusable_portal_addresses_are_refused_without_echoing_them() {
        for (input, why) in [
            ("portal.example.org", "absolute"),
            ("ftp://portal.example.org", "absolute"),
            ("http://portal.example.org", "plain http"),
            ("https://staff:hunter2@portal.example.org", "user name or password"),
            ("https://portal.example.org/?token=abc", "query or fragment"),
            ("tok_live_8f3a", "absolute"),
        ] {
            let err = normalize_portal_url(input).unwrap_err();
            let text = err.to_string();
            assert!(matches!(err, CredentialError::InvalidPortalUrl { .. }), "{input}: {err:?}");
            assert!(text.contains(why), "{input}: {text}");
            for secret in ["hunter2", "token=abc", "tok_live_8f3a"] {
                assert!(!text.contains(secret) && !format!("{err:?}").contains(secret), "{text}");
            }
        }
    }

    #[test]
    fn tokens_are_trimmed_and_checked() {
        let token = Token::new("  abc.DEF-123_~+/=\n").unwrap();
        assert_eq!(token.secret, "abc.DEF-123_~+/=");
        assert!(matches!(Token::new(" \t\n"), Err(CredentialError::NoTokenEntered)));
        let err = Token::new("abc def").unwrap_err();
        assert!(matches!(err, CredentialError::MalformedToken { origin: TokenSource::Entered }));
        assert!(!err.to_string().contains("abc"));
        assert!(matches!(Token::new("abc\u{7f}"), Err(CredentialError::MalformedToken { .. })));
    }

    #[test]
    fn keyring_errors_map_to_actionable_ones_without_secret_bytes() {
        let portal = "https://portal.example.org";
        let cases: Vec<(keyring_core::Error, &str)> = vec![
            (keyring_core::Error::NoEntry, "portaldesk login --portal https://portal.example.org"),
            (keyring_core::Error::NoDefaultStore, "no keyring service"),
            (keyring_core::Error::NoStorageAccess("collection is locked".into()), "unlock it"),
            (keyring_core::Error::PlatformFailure("dbus went away".into()), "dbus went away"),
            (keyring_core::Error::BadEncoding(b"SECRET\xff".to_vec()), "portaldesk logout --portal"),
            (keyring_core::Error::BadDataFormat(b"SECRET".to_vec(), "bad".into()), "portaldesk logout --portal"),
            (keyring_core::Error::NotSupportedByStore("no delete".into()), "no delete"),
            (keyring_core::Error::TooLong("user".into(), 255), "limit of 255"),
        ];
        for (err, expected) in cases {
            let mapped = keyring_error(err, portal);
            let text = mapped.to_string();
            assert!(text.contains(expected), "{text}");
            assert!(!text.contains("SECRET") && !format!("{mapped:?}").contains("SECRET"), "{mapped:?}");
            if !matches!(mapped, CredentialError::UnusableEntry { .. }) {
                assert!(text.contains(TOKEN_ENV), "{text}");
            }
        }
    }
}
