//! The log: `tracing` to a file in the platform state directory, never to
//! the terminal (it would tear the console's screen), and never with PHI.
//!
//! What is logged names routes, request ids, account and ticket ids (not
//! PHI), statuses and error kinds; values go through [`crate::phi::Phi`],
//! whose `Debug` is redacted, so a stray `?value` cannot leak one.
//!
//! `PORTALDESK_LOG` names another file; `PORTALDESK_LOG_LEVEL` sets the
//! level (error, warn, info, debug, trace; default info).

use std::fs::{File, OpenOptions};
use std::path::PathBuf;
use std::sync::Mutex;

use tracing_subscriber::filter::LevelFilter;

/// Where the log goes when `PORTALDESK_LOG` does not say.
pub fn default_path() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("dev", "portaldesk", "portaldesk")?;
    let dir = dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir());
    Some(dir.join("portaldesk.log"))
}

fn level(text: Option<&str>) -> LevelFilter {
    match text.map(str::to_ascii_lowercase).as_deref() {
        Some("off") => LevelFilter::OFF,
        Some("error") => LevelFilter::ERROR,
        Some("warn") => LevelFilter::WARN,
        Some("debug") => LevelFilter::DEBUG,
        Some("trace") => LevelFilter::TRACE,
        _ => LevelFilter::INFO,
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
pub fn init() {
    let path = std::env::var_os("PORTALDESK_LOG").map(PathBuf::from).or_else(default_path);
    let Some(path) = path else { return };
    let file = match open(&path) {
        Ok(file) => file,
        Err(e) => {
            eprintln!("portaldesk: no log ({}: {e})", path.display());
            return;
        }
    };
    let level = level(std::env::var("PORTALDESK_LOG_LEVEL").ok().as_deref());
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
    fn levels_read_leniently_and_default_to_info() {
        assert_eq!(level(Some("DEBUG")), LevelFilter::DEBUG);
        assert_eq!(level(Some("off")), LevelFilter::OFF);
        assert_eq!(level(Some("nonsense")), LevelFilter::INFO);
        assert_eq!(level(None), LevelFilter::INFO);
    }
}
