//! `portaldesk login` and `logout`: the API token in the system keyring.
//!
//! The token is read without echo (or from stdin when it is not a
//! terminal), checked against the portal before it is kept, and never
//! written to a file, a log or the screen. Where no keyring service exists
//! (a headless Linux box), the error says so and names PORTALDESK_TOKEN.

use std::io::IsTerminal;
use std::path::Path;

use super::Failure;
use crate::config;
use crate::credentials::{self, CredentialError, CredentialStore};
use crate::portal::{ClientOptions, PortalClient};

fn usage(error: CredentialError) -> Failure {
    Failure::new(2, error.to_string())
}

/// The portal a login is for: `--portal`, else the config file's.
fn portal_url(portal: Option<String>, config_path: Option<&Path>) -> Result<String, Failure> {
    let config = config::load(config_path).map_err(|e| Failure::new(2, e.to_string()))?;
    let url = portal
        .or(config.portal_url)
        .ok_or_else(|| Failure::new(2, "name the portal: portaldesk login --portal https://portal.example.org"))?;
    credentials::normalize_portal_url(&url).map_err(usage)
}

/// `portaldesk login`: asks for the token, checks it, keeps it.
pub async fn login(portal: Option<String>, config_path: Option<&Path>) -> Result<(), Failure> {
    let url = portal_url(portal, config_path)?;
    let store = CredentialStore::os();
    // Fail before the user pastes a token when there is nowhere to keep it.
    store.ensure_available().map_err(usage)?;
    if std::env::var_os(credentials::TOKEN_ENV).is_some() {
        eprintln!("note: PORTALDESK_TOKEN is set and overrides the keyring while it is");
    }
    let token = if std::io::stdin().is_terminal() {
        credentials::prompt_token(&format!("API token for {url} (input hidden): ")).map_err(usage)?
    } else {
        credentials::read_token("", std::io::stdin(), std::io::sink()).map_err(usage)?
    };
    // A mistyped token is caught here rather than at the next start.
    let client = PortalClient::new(&url, token.clone().into(), ClientOptions::default())?;
    let me = client.me().await?;
    store.login(&url, &token).map_err(usage)?;
    println!("Logged in to {url} as {}; the token is in the system keyring.", me.id);
    Ok(())
}

/// `portaldesk logout`: removes the token.
pub fn logout(portal: Option<String>, config_path: Option<&Path>) -> Result<(), Failure> {
    let url = portal_url(portal, config_path)?;
    if credentials::logout(&url).map_err(usage)? {
        println!("Removed the API token for {url} from the system keyring.");
    } else {
        println!("No token was kept for {url}.");
    }
    Ok(())
}
