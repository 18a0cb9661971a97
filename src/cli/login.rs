//! `portaldesk login` and `logout`: the API token in the system keyring.
//!
//! The token is read without echo (or from stdin when it is not a
//! terminal), checked against the portal (`GET /me`) before it is kept, and
//! never written to a file, a log or the screen. Where no keyring service
//! exists (a headless Linux box), the error says so and names
//! PORTALDESK_TOKEN.
//!
//! The flow takes the credential store and the token reader as values
//! ([`login_with`], [`logout_with`]), so tests run it against a real sandbox
//! with `keyring_core::mock::Store`.

use std::io::IsTerminal;

use super::Failure;
use crate::config::Settings;
use crate::credentials::{self, CredentialError, CredentialStore, Token};
use crate::portal::{ClientOptions, PortalClient, PortalError};

fn usage(error: CredentialError) -> Failure {
    Failure::new(2, error.to_string())
}

/// The portal a login is for: `--portal` (or `PORTALDESK_PORTAL`), else
/// the settings' `portal_url` (the config file, or `PORTALDESK_PORTAL_URL`).
pub fn portal_url(portal: Option<String>, settings: &Settings) -> Result<String, Failure> {
    let url = portal
        .or_else(|| settings.portal_url.clone())
        .ok_or_else(|| Failure::new(2, "name the portal: portaldesk login --portal https://portal.example.org"))?;
    credentials::normalize_portal_url(&url).map_err(usage)
}

/// `portaldesk login`: asks for the token, checks it, keeps it.
pub async fn login(portal: Option<String>, settings: &Settings) -> Result<(), Failure> {
    let url = portal_url(portal, settings)?;
    if std::env::var_os(credentials::TOKEN_ENV).is_some() {
        eprintln!("note: PORTALDESK_TOKEN is set and overrides the keyring while it is");
    }
    let read = |prompt: &str| {
        if std::io::stdin().is_terminal() {
            credentials::prompt_token(prompt)
        } else {
            credentials::read_token("", std::io::stdin(), std::io::sink())
        }
    };
    let said = login_with(&url, &CredentialStore::os(), read, ClientOptions::default()).await?;
    super::out::text_out(&said)
}

/// The login flow over a given store and token reader (called with the
/// prompt): fails before reading when the store cannot be opened, checks
/// the token with `GET /me`, and stores it only when the portal took it.
/// Returns what to tell the user.
pub async fn login_with(
    url: &str,
    store: &CredentialStore,
    read_token: impl FnOnce(&str) -> Result<Token, CredentialError>,
    options: ClientOptions,
) -> Result<String, Failure> {
    let url = credentials::normalize_portal_url(url).map_err(usage)?;
    // Fail before the user pastes a token when there is nowhere to keep it.
    store.ensure_available().map_err(usage)?;
    let token = read_token(&format!("API token for {url} (input hidden): ")).map_err(usage)?;
    // A mistyped token is caught here rather than at the next start.
    let client = PortalClient::new(&url, token.clone().into(), options)?;
    let me = crate::request::calls::me(&client).await.map_err(|e| match e {
        PortalError::Unauthorized => Failure::new(1, "the portal refused this token; nothing was stored"),
        other => Failure::new(
            u8::try_from(other.exit_code()).unwrap_or(1),
            format!("{other}; the token was not checked, so nothing was stored"),
        ),
    })?;
    store.login(&url, &token).map_err(usage)?;
    Ok(format!("Logged in to {url} as {}; the token is in the system keyring.", me.id))
}

/// `portaldesk logout`: removes the token.
pub fn logout(portal: Option<String>, settings: &Settings) -> Result<(), Failure> {
    let url = portal_url(portal, settings)?;
    super::out::text_out(&logout_with(&url, &CredentialStore::os())?)
}

/// The logout flow over a given store; returns what to tell the user.
pub fn logout_with(url: &str, store: &CredentialStore) -> Result<String, Failure> {
    let url = credentials::normalize_portal_url(url).map_err(usage)?;
    Ok(if store.logout(&url).map_err(usage)? {
        format!("Removed the API token for {url} from the system keyring.")
    } else {
        format!("No token was kept for {url}.")
    })
}

#[cfg(test)]
mod tests {
    use std::cell::{Cell, RefCell};

    use keyring_core::mock;

    use super::*;
    use crate::portal::ApiToken;
    use crate::sandbox::{self, Sandbox, SandboxOptions};

    /// The token the test sandboxes take (not a word of any message).
    const TOKEN: &str = "tok_login_test_7Hq2xZ9p";

    async fn sandbox() -> Sandbox {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        sandbox::start(listener, SandboxOptions { token: TOKEN.into(), ..SandboxOptions::default() }).await.unwrap()
    }

    fn mock_store() -> CredentialStore {
        CredentialStore::new(mock::Store::new())
    }

    fn stored(store: &CredentialStore, url: &str) -> Result<ApiToken, CredentialError> {
        store.stored_token(url).map(ApiToken::from)
    }

    #[tokio::test]
    async fn login_checks_the_token_with_the_portal_then_keeps_it_and_logout_removes_it() {
        let sandbox = sandbox().await;
        let url = sandbox.url();
        let store = mock_store();
        let token = TOKEN.to_owned();
        let prompt = RefCell::new(String::new());
        let read = |p: &str| {
            *prompt.borrow_mut() = p.to_owned();
            Token::new(token.clone())
        };
        let said = login_with(&url, &store, read, ClientOptions::default()).await.unwrap();
        assert!(said.starts_with(&format!("Logged in to {url} as ")), "{said}");
        assert!(!said.contains(&token), "{said}");
        assert!(prompt.borrow().contains(&url) && prompt.borrow().contains("hidden"), "{}", prompt.borrow());
        assert_eq!(stored(&store, &url).unwrap(), ApiToken::new(token.clone()));

        let said = logout_with(&url, &store).unwrap();
        assert_eq!(said, format!("Removed the API token for {url} from the system keyring."));
        assert!(matches!(stored(&store, &url), Err(CredentialError::NotLoggedIn { .. })));
        assert_eq!(logout_with(&url, &store).unwrap(), format!("No token was kept for {url}."));
        sandbox.stop().await.unwrap();
    }

    #[tokio::test]
    async fn a_token_the_portal_refuses_is_not_kept() {
        let sandbox = sandbox().await;
        let url = sandbox.url();
        let store = mock_store();
        let read = |_: &str| Token::new("not-the-sandbox-token");
        let failure = login_with(&url, &store, read, ClientOptions::default()).await.unwrap_err();
        assert_eq!(failure.code, 1, "{}", failure.message);
        assert!(failure.message.contains("refused") && failure.message.contains("nothing was stored"));
        assert!(!failure.message.contains("not-the-sandbox-token"), "{}", failure.message);
        assert!(matches!(stored(&store, &url), Err(CredentialError::NotLoggedIn { .. })));
        // Nothing entered: nothing stored, and the portal is not asked.
        let failure = login_with(&url, &store, |_| Token::new(" "), ClientOptions::default()).await.unwrap_err();
        assert_eq!(failure.code, 2);
        assert!(failure.message.contains("no token was entered"), "{}", failure.message);
        sandbox.stop().await.unwrap();
    }

    #[tokio::test]
    async fn without_a_keyring_login_says_so_before_asking_for_the_token() {
        let store = CredentialStore::new::<mock::Store>(Err(keyring_core::Error::PlatformFailure(
            "no secret service provider or dbus session found".into(),
        )));
        let asked = Cell::new(false);
        let read = |_: &str| {
            asked.set(true);
            Token::new("x")
        };
        // No portal is running: the store is checked before anything else.
        let failure = login_with("http://127.0.0.1:9", &store, read, ClientOptions::default()).await.unwrap_err();
        assert_eq!(failure.code, 2);
        assert!(failure.message.contains("no keyring service") && failure.message.contains("PORTALDESK_TOKEN"));
        assert!(!asked.get(), "the token was asked for with nowhere to keep it");
        let failure = logout_with("http://127.0.0.1:9", &store).unwrap_err();
        assert!(failure.message.contains("no keyring service"), "{}", failure.message);
    }

    #[test]
    fn the_portal_comes_from_the_flag_else_the_settings_with_their_environment() {
        let env = |name: &str| (name == "PORTALDESK_PORTAL_URL").then(|| "HTTPS://Portal.Example.ORG/".to_owned());
        let empty = tempfile::NamedTempFile::new().unwrap();
        let settings = crate::config::settings_with(Some(empty.path()), env, Vec::new).unwrap();
        assert_eq!(portal_url(None, &settings).unwrap(), "https://portal.example.org");
        assert_eq!(
            portal_url(Some("https://other.example.org".into()), &settings).unwrap(),
            "https://other.example.org"
        );
        let failure = portal_url(None, &Settings::default()).unwrap_err();
        assert_eq!(failure.code, 2);
        assert!(failure.message.contains("--portal"), "{}", failure.message);
        assert_eq!(portal_url(Some("http://portal.example.org".into()), &settings).unwrap_err().code, 2);
    }
}
