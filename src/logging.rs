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

/// Opens the log for appending, readable and writable by its owner only
/// (0600 on unix): it names accounts and tickets. A log left with wider
/// permissions (by an older version, or by hand) is tightened. A symbolic
/// link is refused (opened with `O_NOFOLLOW`): following it would write to,
/// and change the permissions of, whatever file it points at.
fn open(path: &PathBuf) -> std::io::Result<File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    let file = options.open(path).map_err(|e| {
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            std::io::Error::other("it is a symbolic link, which is refused: name the file itself")
        } else {
            e
        }
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if file.metadata()?.permissions().mode() & 0o077 != 0 {
            file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(file)
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

    #[cfg(unix)]
    #[test]
    fn the_log_is_for_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mode = |p: &PathBuf| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        // A new log, in a directory made for it.
        let new = dir.path().join("state/portaldesk.log");
        open(&new).unwrap();
        assert_eq!(mode(&new), 0o600);
        // A log that was readable by others is tightened, and kept.
        let old = dir.path().join("old.log");
        std::fs::write(&old, "earlier line\n").unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
        open(&old).unwrap();
        assert_eq!(mode(&old), 0o600);
        assert_eq!(std::fs::read_to_string(&old).unwrap(), "earlier line\n");
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_is_refused_and_its_target_left_alone() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("someone-elses.txt");
        std::fs::write(&target, "theirs\n").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
        let link = dir.path().join("portaldesk.log");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let error = open(&link).unwrap_err();
        assert!(error.to_string().contains("symbolic link"), "{error}");
        let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644, "the target's permissions are unchanged");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "theirs\n");
    }
}
