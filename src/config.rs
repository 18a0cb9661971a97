//! The configuration file (`config.example.toml` documents every key).
//!
//! Looked up at `--config`, then `PORTALDESK_CONFIG`, then the platform
//! config directory. A missing file at the default place is not an error; a
//! named file that is missing, or any file that does not parse or has an
//! unknown key, is an error that names the file, the line and the key.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The settings read from the file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The portal to talk to; the embedded sandbox when absent.
    pub portal_url: Option<String>,
}

/// A configuration file that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("config file {}: {message}", path.display())]
    Parse { path: PathBuf, message: String },
}

/// Where the configuration file is looked for when none is named.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("dev", "portaldesk", "portaldesk").map(|d| d.config_dir().join("config.toml"))
}

/// Loads the configuration: `explicit` (from `--config` or
/// `PORTALDESK_CONFIG`) must exist; the default place may be empty.
pub fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
    let (path, required) = match explicit {
        Some(path) => (path.to_path_buf(), true),
        None => match default_path() {
            Some(path) => (path, false),
            None => return Ok(Config::default()),
        },
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
        Err(source) => return Err(ConfigError::Read { path, source }),
    };
    parse(&text).map_err(|message| ConfigError::Parse { path, message })
}

/// Parses configuration text; the error gives the line and the key.
pub fn parse(text: &str) -> Result<Config, String> {
    toml::from_str(text).map_err(|e| {
        let line = e.span().map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
        let message = e.message().trim().to_owned();
        match line {
            Some(line) => format!("line {line}: {message}"),
            None => message,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_portal_url() {
        let config = parse("portal_url = \"https://portal.example.org\"\n").unwrap();
        assert_eq!(config.portal_url.as_deref(), Some("https://portal.example.org"));
        assert_eq!(parse("").unwrap(), Config::default());
    }

    #[test]
    fn unknown_keys_and_bad_values_name_line_and_key() {
        let err = parse("# comment\nportal_ur = \"x\"\n").unwrap_err();
        assert!(err.starts_with("line 2:"), "{err}");
        assert!(err.contains("portal_ur"), "{err}");
        let err = parse("portal_url = 3\n").unwrap_err();
        assert!(err.starts_with("line 1:"), "{err}");
        assert!(parse("portal_url = \"x").is_err());
    }

    #[test]
    fn a_named_file_must_exist() {
        let missing = Path::new("/nonexistent/portaldesk.toml");
        assert!(matches!(load(Some(missing)), Err(ConfigError::Read { .. })));
    }
}
