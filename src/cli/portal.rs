//! Which portal a command talks to, in one place: `--portal URL` (or
//! `PORTALDESK_PORTAL`), else the config file's `portal_url`; the API token
//! from `PORTALDESK_TOKEN`, else the system keyring (`portaldesk login`). The console falls back to the embedded sandbox
//! when neither names a portal; the read and action commands do not (the
//! embedded sandbox's data would vanish when the command exits).

use super::Failure;
use crate::config::Settings;
use crate::credentials;
use crate::portal::{ClientOptions, PortalClient, PortalError};

/// What the help desk is told when a command needs a portal and none is set.
pub const NO_PORTAL: &str = "no portal given: pass --portal URL (or set PORTALDESK_PORTAL, or portal_url in the \
     config file) and log in to it (portaldesk login --portal URL) or set PORTALDESK_TOKEN to its API token. These commands never start the embedded sandbox, \
     whose changes would vanish on exit; to try them on the sandbox, run `portaldesk sandbox serve` in another \
     terminal and pass --portal http://127.0.0.1:8088 with PORTALDESK_TOKEN=sandbox";

/// A client for the portal named by `--portal` or the config file, or
/// `None` when neither names one.
pub fn configured(portal: Option<String>, settings: &Settings) -> Result<Option<PortalClient>, Failure> {
    let Some(url) = portal.or_else(|| settings.portal_url.clone()) else {
        return Ok(None);
    };
    let token = credentials::resolve_token(&url).map_err(|e| Failure::new(2, e.to_string()))?;
    let options = ClientOptions { sandbox_clock: settings.sandbox_clock, ..ClientOptions::default() };
    let client = PortalClient::new(&url, token.into(), options).map_err(|e| match e {
        // A portal address that cannot be used is a usage error.
        PortalError::InvalidUrl | PortalError::InsecureUrl { .. } => Failure::new(2, e.to_string()),
        other => Failure::from(other),
    })?;
    Ok(Some(client))
}

/// A client for the configured portal; exit 2 when none is configured.
pub fn required(portal: Option<String>, settings: &Settings) -> Result<PortalClient, Failure> {
    configured(portal, settings)?.ok_or_else(|| Failure::new(2, NO_PORTAL))
}
