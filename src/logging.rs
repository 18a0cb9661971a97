//! The log: `tracing` to a file in the platform state directory, never to
//! the terminal (it would tear the console's screen), and never with PHI.
//!
//! What is logged names routes, request ids, account and ticket ids (not
//! PHI), statuses and error kinds; values go through [`crate::phi::Phi`],
//! whose `Debug` is redacted, so a stray `?value` cannot leak one.
//!
//! `PORTALDESK_LOG` names another file; the level is the config's
//! `log_level` (or `PORTALDESK_LOG_LEVEL`): off, error, warn, info, debug,
//! trace; default info.

use std::fs::{File, OpenOptions};
use std::path::PathBuf;
use std::sync::Mutex;

use tracing_subscriber::filter::LevelFilter;

use crate::config::LogLevel;

/// Where the log goes when `PORTALDESK_LOG` does not say.
pub fn default_path() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("dev", "portaldesk", "portaldesk")?;
    let dir = dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir());
    Some(dir.join("portaldesk.log"))
}

fn level(level: LogLevel) -> LevelFilter {
    match level {
        LogLevel::Off => LevelFilter::OFF,
        LogLevel::Error => LevelFilter::ERROR,
        LogLevel::Warn => LevelFilter::WARN,
        LogLevel::Info => LevelFilter::INFO,
        LogLevel::Debug => LevelFilter::DEBUG,
        LogLevel::Trace => LevelFilter::TRACE,
    }
}

fn open(path: &PathBuf) -> std::io::Result<File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    OpenOptions::new().create(true).append(true).open(path)
}

/// Starts logging to the file. A log that cannot be opened is not a reason
/// to refuse to work: the console runs without one, and says why on stderr
/// before the screen is taken.
pub fn init(log_level: LogLevel) {
    let path = std::env::var_os("PORTALDESK_LOG").map(PathBuf::from).or_else(default_path);
    let Some(path) = path else { return };
    let file = match open(&path) {
        Ok(file) => file,
        Err(e) => {
            eprintln!("portaldesk: no log ({}: {e})", path.display());
            return;
        }
    };
    let level = level(log_level);
    let _ = tracing_subscriber::fmt()
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .with_target(false)
        .with_max_level(level)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_map_one_to_one_and_default_to_info() {
        assert_eq!(level(LogLevel::Debug), LevelFilter::DEBUG);
        assert_eq!(level(LogLevel::Off), LevelFilter::OFF);
        assert_eq!(level(LogLevel::default()), LevelFilter::INFO);
    }
}
