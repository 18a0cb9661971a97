//! The configuration (`config.example.toml` documents every key).
//!
//! The file is looked up at `--config`, then `PORTALDESK_CONFIG`, then the
//! platform config directory. A missing file at the default place is not an
//! error; a named file that is missing, or any file that does not parse,
//! has an unknown key or a value out of range, is an error that names the
//! file, the line and the key. `PORTALDESK_<KEY>` environment variables
//! (`PORTALDESK_THEME=light`, `PORTALDESK_KEY_RESEND=s`) override the file.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use serde::de::IntoDeserializer;

use crate::diagnose::replies::{self, Replies};
use crate::diagnose::troubleshoot::FindingCode;
use crate::portal::model::Role;
use crate::timezone::StaffZone;

/// The file's contents, as written (every key optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The portal to talk to; the embedded sandbox when absent.
    pub portal_url: Option<String>,
    /// Which accounts a search shows at first.
    pub role: Option<RoleFilter>,
    /// Minutes without a key before the screen locks.
    pub idle_lock_minutes: Option<u64>,
    /// Seconds without a key before the screen locks, for tests (a real
    /// minute is long to wait); wins over `idle_lock_minutes`.
    pub idle_lock_seconds: Option<u64>,
    /// Seconds a revealed DOB and email stay shown.
    pub reveal_seconds: Option<u64>,
    /// Minutes after a resend of an account during which another resend of
    /// it needs an explicit second confirm (the collision guard).
    pub resend_guard_minutes: Option<u64>,
    pub theme: Option<ThemeName>,
    /// `local`, `UTC` or an IANA name.
    pub time_zone: Option<String>,
    /// The zone times in replies to clients are written in: `UTC` or an
    /// IANA name (`time_zone` when absent).
    pub practice_time_zone: Option<String>,
    pub log_level: Option<LogLevel>,
    /// Unlocking the idle lock asks for the API token again.
    pub lock_requires_login: Option<bool>,
    /// Read-only: every changing action is hidden and refused.
    pub readonly: Option<bool>,
    /// Opening an unclaimed ticket claims it (off by default: the first
    /// change made on it does).
    pub claim_on_open: Option<bool>,
    /// The portal is a sandbox on this machine whose simulated clock is
    /// followed however far off (`--sandbox-clock`).
    pub sandbox_clock: Option<bool>,
    /// Action name to key, e.g. `resend = "s"`.
    #[serde(default)]
    pub keys: BTreeMap<String, String>,
}

/// Which accounts a search shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RoleFilter {
    #[default]
    All,
    Client,
    Staff,
}

impl RoleFilter {
    /// The role searched for, `None` for all.
    pub fn role(self) -> Option<Role> {
        match self {
            RoleFilter::All => None,
            RoleFilter::Client => Some(Role::Client),
            RoleFilter::Staff => Some(Role::Staff),
        }
    }
}

/// The colour themes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ThemeName {
    #[default]
    Dark,
    Light,
    HighContrast,
}

/// How much the log says.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    Off,
    Error,
    Warn,
    #[default]
    Info,
    Debug,
    Trace,
}

/// The settings in force: the file, then the environment, then defaults,
/// checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub portal_url: Option<String>,
    pub role: RoleFilter,
    pub idle_lock: Duration,
    pub reveal_for: Duration,
    /// A resend within this long of another resend of the same account
    /// needs an explicit second confirm (`resend_guard_minutes`).
    pub resend_guard: Duration,
    pub theme: ThemeName,
    pub time_zone: StaffZone,
    /// The practice's zone, for times in replies (`practice_time_zone`).
    pub practice_time_zone: StaffZone,
    pub log_level: LogLevel,
    /// Unlocking the idle lock asks for the API token again, checked with
    /// the portal (`lock_requires_login`).
    pub lock_requires_login: bool,
    /// Read-only (`readonly`, `PORTALDESK_READONLY`, `--readonly`): every
    /// changing action is hidden in the console and refused everywhere.
    pub readonly: bool,
    /// Opening an unclaimed ticket in the console claims it
    /// (`claim_on_open`, off by default: the first change made on the
    /// ticket claims it; never in read-only mode).
    pub claim_on_open: bool,
    /// The portal named is a sandbox on this machine: its simulated clock
    /// (`x-sandbox-clock`) is followed however far off (`sandbox_clock`,
    /// `PORTALDESK_SANDBOX_CLOCK`, `--sandbox-clock`). Never for an address
    /// off this machine; the embedded sandbox always is.
    pub sandbox_clock: bool,
    /// Key overrides, action name to key (checked by the console's keymap).
    pub keys: BTreeMap<String, String>,
    /// The file read, if any (for messages about it).
    pub file: Option<PathBuf>,
    /// Where the practice's own canned replies live.
    pub replies_dir: Option<PathBuf>,
    /// The practice's own replies, read from `replies_dir` once.
    pub replies: Vec<ReplyOverride>,
    /// Where each key set was set (`theme`, `keys.resend`): the file's
    /// line, or the environment variable; for messages about a value.
    pub origins: BTreeMap<String, Origin>,
}

/// A practice's own reply: `<replies_dir>/<finding>.md` for both roles, or
/// `<finding>.client.md` / `<finding>.staff.md` for one (which wins over
/// the file for both).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyOverride {
    pub code: FindingCode,
    /// The role it is for; `None` for both.
    pub role: Option<crate::portal::model::Role>,
    /// The file it was read from (for messages about it).
    pub file: PathBuf,
    pub text: String,
}

/// Where a key's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The config file, on this line.
    File { line: usize },
    /// This environment variable.
    Env { name: String },
}

/// The idle lock's default: 5 minutes.
pub const IDLE_LOCK_MINUTES: u64 = 5;
/// How long a revealed DOB stays shown by default.
pub const REVEAL_SECONDS: u64 = 30;
const IDLE_LOCK_RANGE: std::ops::RangeInclusive<u64> = 1..=60;
const IDLE_LOCK_SECONDS_RANGE: std::ops::RangeInclusive<u64> = 1..=3600;
const REVEAL_RANGE: std::ops::RangeInclusive<u64> = 5..=600;
/// The collision guard's default window: 5 minutes.
pub const RESEND_GUARD_MINUTES: u64 = 5;
const RESEND_GUARD_RANGE: std::ops::RangeInclusive<u64> = 1..=1440;

impl Default for Settings {
    fn default() -> Self {
        Self {
            portal_url: None,
            role: RoleFilter::All,
            idle_lock: Duration::from_secs(IDLE_LOCK_MINUTES * 60),
            reveal_for: Duration::from_secs(REVEAL_SECONDS),
            resend_guard: Duration::from_secs(RESEND_GUARD_MINUTES * 60),
            theme: ThemeName::Dark,
            time_zone: StaffZone::Utc,
            practice_time_zone: StaffZone::Utc,
            log_level: LogLevel::Info,
            lock_requires_login: false,
            readonly: false,
            claim_on_open: false,
            sandbox_clock: false,
            keys: BTreeMap::new(),
            file: None,
            replies_dir: None,
            replies: Vec::new(),
            origins: BTreeMap::new(),
        }
    }
}

/// A configuration that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("config file {}: {message}", path.display())]
    Parse { path: PathBuf, message: String },
    #[error("environment variable {message}")]
    Env { message: String },
    #[error("configuration: {message}")]
    Invalid { message: String },
    /// A reply file (the message names it).
    #[error("{message}")]
    Replies { message: String },
}

impl Settings {
    /// An error about the value of `key` (`theme`, `keys.resend`) that
    /// names where it was set: the environment variable, or the file, the
    /// line and the key.
    pub fn error_at(&self, key: &str, message: &str) -> ConfigError {
        locate(self.file.as_deref(), &self.origins, key, message)
    }

    /// Checks the settings once, for every command and the console: the
    /// ranges, the `[keys]` overrides and the practice's replies. An error
    /// names where the value was set (file and line, or variable), or the
    /// reply file.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let out_of_range = |key: &str, value: u64, range: std::ops::RangeInclusive<u64>| {
            let message = format!("{value} is out of range {}..={}", range.start(), range.end());
            Err(self.error_at(key, &message))
        };
        let idle = self.idle_lock.as_secs();
        if self.origins.contains_key("idle_lock_seconds") {
            if !IDLE_LOCK_SECONDS_RANGE.contains(&idle) {
                return out_of_range("idle_lock_seconds", idle, IDLE_LOCK_SECONDS_RANGE);
            }
        } else if !idle.is_multiple_of(60) || !IDLE_LOCK_RANGE.contains(&(idle / 60)) {
            return out_of_range("idle_lock_minutes", idle / 60, IDLE_LOCK_RANGE);
        }
        let reveal = self.reveal_for.as_secs();
        if !REVEAL_RANGE.contains(&reveal) {
            return out_of_range("reveal_seconds", reveal, REVEAL_RANGE);
        }
        let guard = self.resend_guard.as_secs();
        if !guard.is_multiple_of(60) || !RESEND_GUARD_RANGE.contains(&(guard / 60)) {
            return out_of_range("resend_guard_minutes", guard / 60, RESEND_GUARD_RANGE);
        }
        if let Err(e) = crate::keys::Overrides::from_config(&self.keys) {
            return Err(self.error_at(&e.key(), &e.problem));
        }
        for reply in &self.replies {
            replies::check_template(&reply.text)
                .map_err(|e| ConfigError::Replies { message: format!("{}: {e}", reply.file.display()) })?;
        }
        Ok(())
    }

    /// The canned replies in force: the built-in ones with the practice's
    /// own, times in findings in the staff member's zone and in replies in
    /// the practice's.
    pub fn replies(&self) -> Replies {
        let mut replies = Replies::builtin().with_zone(self.time_zone).with_practice_zone(self.practice_time_zone);
        // The files for both roles first: a role's own file wins.
        let (both, one): (Vec<_>, Vec<_>) = self.replies.iter().partition(|r| r.role.is_none());
        for reply in both.into_iter().chain(one) {
            replies.set_for(reply.code, reply.role, reply.text.as_str());
        }
        replies
    }
}

/// Reads the practice's own replies from `dir`: `<finding>.md` replaces the
/// built-in reply of that finding. A missing directory is no error; a file
/// named after no finding, or one that cannot be read, is, and names the
/// file. (The texts are checked by [`Settings::validate`].)
fn read_replies(dir: &Path) -> Result<Vec<ReplyOverride>, String> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot read the replies directory {}: {e}", dir.display())),
    };
    let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    paths
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|file| {
            let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
            let (stem, role) = match stem.rsplit_once('.') {
                Some((code, "client")) => (code, Some(crate::portal::model::Role::Client)),
                Some((code, "staff")) => (code, Some(crate::portal::model::Role::Staff)),
                _ => (stem, None),
            };
            let code = stem.parse::<FindingCode>().map_err(|_| {
                let names: Vec<&str> = FindingCode::all().map(FindingCode::as_str).collect();
                format!(
                    "{}: no finding is called {stem:?}; replies can be: {} (each as <finding>.md for both roles, or <finding>.client.md / <finding>.staff.md for one)",
                    file.display(),
                    names.join(", ")
                )
            })?;
            let text = std::fs::read_to_string(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            Ok(ReplyOverride { code, role, file, text })
        })
        .collect()
}

/// See [`Settings::error_at`]. A dotted key not found by itself is looked
/// up by its table (`keys = { ... }` written inline).
fn locate(file: Option<&Path>, origins: &BTreeMap<String, Origin>, key: &str, message: &str) -> ConfigError {
    let origin = origins.get(key).or_else(|| key.split_once('.').and_then(|(table, _)| origins.get(table)));
    match (origin, file) {
        (Some(Origin::Env { name }), _) => ConfigError::Env { message: format!("{name}: {message}") },
        (Some(Origin::File { line }), Some(path)) => {
            ConfigError::Parse { path: path.to_path_buf(), message: format!("line {line}: {key}: {message}") }
        }
        (_, Some(path)) => ConfigError::Parse { path: path.to_path_buf(), message: format!("{key}: {message}") },
        (_, None) => ConfigError::Invalid { message: format!("{key}: {message}") },
    }
}

/// The platform's config directory for portaldesk.
pub fn config_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("dev", "portaldesk", "portaldesk").map(|d| d.config_dir().to_path_buf())
}

/// Where the configuration file is looked for when none is named.
pub fn default_path() -> Option<PathBuf> {
    config_dir().map(|d| d.join("config.toml"))
}

/// Loads the file only: `explicit` (from `--config` or `PORTALDESK_CONFIG`)
/// must exist; the default place may be empty.
pub fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
    read_file(explicit).map(|(config, _)| config)
}

fn read_file(explicit: Option<&Path>) -> Result<(Config, Option<(PathBuf, String)>), ConfigError> {
    let (path, required) = match explicit {
        Some(path) => (path.to_path_buf(), true),
        None => match default_path() {
            Some(path) => (path, false),
            None => return Ok((Config::default(), None)),
        },
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => return Ok((Config::default(), None)),
        Err(source) => return Err(ConfigError::Read { path, source }),
    };
    match parse(&text) {
        Ok(config) => Ok((config, Some((path, text)))),
        Err(message) => Err(ConfigError::Parse { path, message }),
    }
}

/// The settings in force: the file, overridden by `PORTALDESK_*` variables
/// of the process environment.
///
/// Only our own variables are read, as OS strings: another variable that
/// is not UTF-8 is none of ours (`std::env::vars()` would panic on it);
/// one of ours that is not UTF-8 is an error naming it.
pub fn settings(explicit: Option<&Path>) -> Result<Settings, ConfigError> {
    settings_in(explicit, |name| std::env::var_os(name), || std::env::vars_os().collect())
}

/// Checks that each of `names` (variables of ours read elsewhere as text)
/// is UTF-8 when set: the error names the first one that is not.
pub fn check_text_variables(names: &[&str], var: impl Fn(&str) -> Option<OsString>) -> Result<(), ConfigError> {
    for name in names {
        if let Some(value) = var(name) {
            utf8(name, value).map_err(|message| ConfigError::Env { message })?;
        }
    }
    Ok(())
}

/// [`settings`] with the environment given as the process has it (OS
/// strings, any bytes): one variable by name, and all of them (listed only
/// to find the `PORTALDESK_KEY_*` ones).
pub fn settings_in(
    explicit: Option<&Path>,
    var: impl Fn(&str) -> Option<OsString>,
    vars: impl FnOnce() -> Vec<(OsString, OsString)>,
) -> Result<Settings, ConfigError> {
    settings_from_os(read_file(explicit)?, var, vars)
}

/// [`settings`] with the environment given as text (for tests).
pub fn settings_with(
    explicit: Option<&Path>,
    var: impl Fn(&str) -> Option<String>,
    vars: impl FnOnce() -> Vec<(String, String)>,
) -> Result<Settings, ConfigError> {
    settings_from(read_file(explicit)?, var, vars)
}

/// [`settings_with`] over a file already read (`None`: no file).
fn settings_from(
    source: (Config, Option<(PathBuf, String)>),
    var: impl Fn(&str) -> Option<String>,
    vars: impl FnOnce() -> Vec<(String, String)>,
) -> Result<Settings, ConfigError> {
    // A text environment as OS strings.
    let var = move |name: &str| var(name).map(OsString::from);
    let vars = move || vars().into_iter().map(|(name, value)| (name.into(), value.into())).collect();
    settings_from_os(source, var, vars)
}

fn settings_from_os(
    source: (Config, Option<(PathBuf, String)>),
    var: impl Fn(&str) -> Option<OsString>,
    vars: impl FnOnce() -> Vec<(OsString, OsString)>,
) -> Result<Settings, ConfigError> {
    let settings = unchecked_os(source, var, vars)?;
    settings.validate()?;
    Ok(settings)
}

/// The settings a file and the environment ask for, with the practice's
/// replies read, before [`Settings::validate`].
#[cfg(test)]
fn unchecked(
    source: (Config, Option<(PathBuf, String)>),
    var: impl Fn(&str) -> Option<String>,
    vars: impl FnOnce() -> Vec<(String, String)>,
) -> Result<Settings, ConfigError> {
    let var = move |name: &str| var(name).map(OsString::from);
    let vars = move || vars().into_iter().map(|(name, value)| (name.into(), value.into())).collect();
    unchecked_os(source, var, vars)
}

fn unchecked_os(
    (config, source): (Config, Option<(PathBuf, String)>),
    var: impl Fn(&str) -> Option<OsString>,
    vars: impl FnOnce() -> Vec<(OsString, OsString)>,
) -> Result<Settings, ConfigError> {
    let (path, text) = source.unzip();
    let mut origins: BTreeMap<String, Origin> = text
        .as_deref()
        .map(key_lines)
        .unwrap_or_default()
        .into_iter()
        .map(|(key, line)| (key, Origin::File { line }))
        .collect();
    let (config, from_env) = apply_env(config, &var, vars()).map_err(|message| ConfigError::Env { message })?;
    origins.extend(from_env.into_iter().map(|(key, name)| (key, Origin::Env { name })));
    let settings =
        resolve(config, path.as_deref()).map_err(|(key, message)| locate(path.as_deref(), &origins, &key, &message))?;
    let replies = match &settings.replies_dir {
        Some(dir) => read_replies(dir).map_err(|message| ConfigError::Replies { message })?,
        None => Vec::new(),
    };
    Ok(Settings { origins, replies, ..settings })
}

/// Parses configuration text; the error gives the line and the key.
pub fn parse(text: &str) -> Result<Config, String> {
    let deserializer = toml::Deserializer::parse(text).map_err(|e| describe(text, &e, None))?;
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let key = e.path().to_string();
        describe(text, e.inner(), Some(key))
    })
}

/// `line 3: theme: unknown variant ...`: the line from the error's span,
/// the key from the path serde followed or else from that line.
fn describe(text: &str, error: &toml::de::Error, path: Option<String>) -> String {
    let line = error.span().map(|span| line_of(text, span.start));
    let key = path.filter(|p| !p.is_empty() && p != ".").or_else(|| line.and_then(|line| key_on_line(text, line)));
    let message = error.message().trim();
    match (line, key) {
        (Some(line), Some(key)) => format!("line {line}: {key}: {message}"),
        (Some(line), None) => format!("line {line}: {message}"),
        (None, Some(key)) => format!("{key}: {message}"),
        (None, None) => message.to_owned(),
    }
}

/// The variable that overrides a key.
pub fn env_name(key: &str) -> String {
    format!("PORTALDESK_{}", key.to_ascii_uppercase())
}

/// The variables that override a key binding: `PORTALDESK_KEY_<ACTION>`.
const KEY_PREFIX: &str = "PORTALDESK_KEY_";

fn apply_env(
    mut config: Config,
    var: &impl Fn(&str) -> Option<OsString>,
    vars: Vec<(OsString, OsString)>,
) -> Result<(Config, Vec<(String, String)>), String> {
    fn value<T: for<'de> Deserialize<'de>>(name: &str, text: &str) -> Result<T, String> {
        let deserializer: serde::de::value::StrDeserializer<'_, serde::de::value::Error> =
            text.trim().into_deserializer();
        T::deserialize(deserializer).map_err(|e| format!("{name}: {e}"))
    }
    fn number(name: &str, text: &str) -> Result<u64, String> {
        text.trim().parse().map_err(|_| format!("{name}: expected a whole number, got {text:?}"))
    }
    fn flag(name: &str, text: &str) -> Result<bool, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Ok(true),
            "false" | "0" | "no" | "off" => Ok(false),
            _ => Err(format!("{name}: expected true or false, got {text:?}")),
        }
    }
    let mut set = Vec::new();
    let mut get = |key: &str| -> Result<Option<(String, String)>, String> {
        let name = env_name(key);
        let Some(value) = var(&name).filter(|v| !v.is_empty()) else {
            return Ok(None);
        };
        let value = utf8(&name, value)?;
        set.push((key.to_owned(), name.clone()));
        Ok(Some((name, value)))
    };
    if let Some((_, v)) = get("portal_url")? {
        config.portal_url = Some(v);
    }
    if let Some((name, v)) = get("role")? {
        config.role = Some(value(&name, &v)?);
    }
    if let Some((name, v)) = get("idle_lock_minutes")? {
        config.idle_lock_minutes = Some(number(&name, &v)?);
    }
    if let Some((name, v)) = get("idle_lock_seconds")? {
        config.idle_lock_seconds = Some(number(&name, &v)?);
    }
    if let Some((name, v)) = get("reveal_seconds")? {
        config.reveal_seconds = Some(number(&name, &v)?);
    }
    if let Some((name, v)) = get("resend_guard_minutes")? {
        config.resend_guard_minutes = Some(number(&name, &v)?);
    }
    if let Some((name, v)) = get("theme")? {
        config.theme = Some(value(&name, &v)?);
    }
    if let Some((_, v)) = get("time_zone")? {
        config.time_zone = Some(v);
    }
    if let Some((_, v)) = get("practice_time_zone")? {
        config.practice_time_zone = Some(v);
    }
    if let Some((name, v)) = get("log_level")? {
        config.log_level = Some(value(&name, &v)?);
    }
    if let Some((name, v)) = get("lock_requires_login")? {
        config.lock_requires_login = Some(flag(&name, &v)?);
    }
    if let Some((name, v)) = get("readonly")? {
        config.readonly = Some(flag(&name, &v)?);
    }
    if let Some((name, v)) = get("claim_on_open")? {
        config.claim_on_open = Some(flag(&name, &v)?);
    }
    if let Some((name, v)) = get("sandbox_clock")? {
        config.sandbox_clock = Some(flag(&name, &v)?);
    }
    for (name, v) in vars {
        // Ours by its first bytes; any other variable is left unread.
        if !name.as_encoded_bytes().starts_with(KEY_PREFIX.as_bytes()) || v.is_empty() {
            continue;
        }
        let name =
            name.into_string().map_err(|name| format!("{}: the name is not valid UTF-8", name.to_string_lossy()))?;
        let v = utf8(&name, v)?;
        let action = name[KEY_PREFIX.len()..].to_ascii_lowercase();
        set.push((format!("keys.{action}"), name.clone()));
        config.keys.insert(action, v);
    }
    Ok((config, set))
}

/// One of our variables' value as text; the error names the variable (its
/// value is not shown: it may be anything).
fn utf8(name: &str, value: OsString) -> Result<String, String> {
    value.into_string().map_err(|_| format!("{name}: the value is not valid UTF-8"))
}

/// The settings a configuration asks for, with the defaults; an error (a
/// time zone not known) names the key. Ranges are checked by
/// [`Settings::validate`].
fn resolve(config: Config, file: Option<&Path>) -> Result<Settings, (String, String)> {
    let idle = match config.idle_lock_seconds {
        Some(seconds) => seconds,
        None => config.idle_lock_minutes.unwrap_or(IDLE_LOCK_MINUTES).saturating_mul(60),
    };
    let reveal = config.reveal_seconds.unwrap_or(REVEAL_SECONDS);
    let time_zone = match config.time_zone.as_deref() {
        Some(text) => StaffZone::parse(text).map_err(|e| ("time_zone".to_owned(), e))?,
        None => StaffZone::local(),
    };
    let practice_time_zone = match config.practice_time_zone.as_deref() {
        Some(text) if text.trim().eq_ignore_ascii_case("local") => {
            return Err((
                "practice_time_zone".to_owned(),
                "\"local\" is this machine's zone, not the practice's: use \"UTC\" or an IANA name such as \"America/New_York\"".to_owned(),
            ));
        }
        Some(text) => StaffZone::parse(text).map_err(|e| ("practice_time_zone".to_owned(), e))?,
        None => time_zone,
    };
    Ok(Settings {
        portal_url: config.portal_url,
        role: config.role.unwrap_or_default(),
        idle_lock: Duration::from_secs(idle),
        reveal_for: Duration::from_secs(reveal),
        resend_guard: Duration::from_secs(
            config.resend_guard_minutes.unwrap_or(RESEND_GUARD_MINUTES).min(u64::MAX / 60) * 60,
        ),
        theme: config.theme.unwrap_or_default(),
        time_zone,
        practice_time_zone,
        log_level: config.log_level.unwrap_or_default(),
        lock_requires_login: config.lock_requires_login.unwrap_or(false),
        readonly: config.readonly.unwrap_or(false),
        claim_on_open: config.claim_on_open.unwrap_or(false),
        sandbox_clock: config.sandbox_clock.unwrap_or(false),
        keys: config.keys,
        file: file.map(Path::to_path_buf),
        replies_dir: file.and_then(Path::parent).or(config_dir().as_deref()).map(|d| d.join("replies")),
        replies: Vec::new(),
        origins: BTreeMap::new(),
    })
}

/// The line each key is written on, as `theme`, `keys` or `keys.resend`
/// (tables and keys alike), first writing wins: from the TOML parser's
/// spans, best effort on a text that does not parse (it serves messages).
/// Linear in the text (with a log for each key): a `[keys]` table of tens
/// of thousands of entries answers at once.
fn key_lines(text: &str) -> BTreeMap<String, usize> {
    fn walk(lines_of: &LineIndex, prefix: &str, table: &toml::de::DeTable<'_>, lines: &mut BTreeMap<String, usize>) {
        for (key, value) in table.iter() {
            let name =
                if prefix.is_empty() { key.get_ref().to_string() } else { format!("{prefix}.{}", key.get_ref()) };
            if let toml::de::DeValue::Table(inner) = value.get_ref() {
                walk(lines_of, &name, inner, lines);
            }
            let line = lines_of.line(key.span().start);
            lines.entry(name).and_modify(|l| *l = (*l).min(line)).or_insert(line);
        }
    }
    let (table, _) = toml::de::DeTable::parse_recoverable(text);
    let mut lines = BTreeMap::new();
    walk(&LineIndex::new(text), "", table.get_ref(), &mut lines);
    lines
}

/// Where the lines of a text begin, to find the line of many offsets
/// without counting from the start each time.
struct LineIndex {
    /// The byte offset of every newline.
    newlines: Vec<usize>,
    len: usize,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let newlines = text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(at, _)| at).collect();
        Self { newlines, len: text.len() }
    }

    /// The line (1-based) of a byte offset (past the end: the last line).
    fn line(&self, offset: usize) -> usize {
        let offset = offset.min(self.len);
        self.newlines.partition_point(|&at| at < offset) + 1
    }
}

/// The line (1-based) of a byte offset. Bytes, not a str slice: an offset
/// inside a character cannot panic.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

/// The key written on line `number` (1-based): the innermost one when the
/// line writes several (`keys = { resend = 3 }`).
fn key_on_line(text: &str, number: usize) -> Option<String> {
    key_lines(text)
        .into_iter()
        .filter(|(_, line)| *line == number)
        .map(|(key, _)| key)
        .max_by_key(|key| key.matches('.').count())
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn file(text: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(text.as_bytes()).unwrap();
        f
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn reads_the_portal_url() {
        let config = parse("portal_url = \"https://portal.example.org\"\n").unwrap();
        assert_eq!(config.portal_url.as_deref(), Some("https://portal.example.org"));
        assert_eq!(parse("").unwrap(), Config::default());
    }

    #[test]
    fn unknown_keys_and_bad_values_name_line_and_key() {
        let err = parse("# comment\nportal_ur = \"x\"\n").unwrap_err();
        assert!(err.starts_with("line 2: portal_ur: "), "{err}");
        let err = parse("portal_url = 3\n").unwrap_err();
        assert!(err.starts_with("line 1: portal_url: "), "{err}");
        let err = parse("portal_url = \"x").unwrap_err();
        assert!(err.starts_with("line 1: portal_url: "), "{err}");
        let err = parse("\n\ntheme = \"purple\"\n").unwrap_err();
        assert!(err.starts_with("line 3: theme: ") && err.contains("purple"), "{err}");
        let err = parse("role = \"all\"\nidle_lock_minutes = \"five\"\n").unwrap_err();
        assert!(err.starts_with("line 2: idle_lock_minutes: "), "{err}");
        let err = parse("theme = \"dark\"\n\n[keys]\nresend = 3\n").unwrap_err();
        assert!(err.starts_with("line 4: keys.resend: "), "{err}");
        let err = parse("theme = \"dark\"\n[colours]\ntext = \"red\"\n").unwrap_err();
        assert!(err.starts_with("line 2: colours: "), "{err}");
    }

    #[test]
    fn a_type_error_in_the_file_names_file_line_and_key() {
        let f = file("# mine\nportal_url = 3\n");
        let err = settings_with(Some(f.path()), no_env, Vec::new).unwrap_err().to_string();
        assert!(err.contains(&f.path().display().to_string()), "{err}");
        assert!(err.contains("line 2: portal_url: "), "{err}");
    }

    #[test]
    fn key_lines_know_the_tables() {
        let lines = key_lines("theme = \"dark\"\n# [keys]\n\n[keys]\n\"resend\" = \"s\"\ntheme = \"t\"\n");
        assert_eq!(lines.get("theme"), Some(&1));
        assert_eq!(lines.get("keys.resend"), Some(&5));
        assert_eq!(lines.get("keys.theme"), Some(&6));
        assert_eq!(lines.get("keys"), Some(&4));
        assert_eq!(lines.len(), 4, "{lines:?}");
        assert_eq!(key_on_line("a = 1\n[keys]\nresend = 2\n", 3).as_deref(), Some("keys.resend"));
        assert_eq!(key_on_line("a = 1\n", 7), None);
        // Anything at all: no panic.
        for text in ["[", "=", "[]]\n=\n. = 1", "\"\" = 1", "[a.b]\n'c'.d = 2"] {
            let _ = key_lines(text);
            let _ = key_on_line(text, 1);
        }
    }

    #[test]
    fn the_line_index_agrees_with_counting() {
        for text in ["", "a", "\n", "a\nb\n\nc", "é\nü\n"] {
            let index = LineIndex::new(text);
            for offset in 0..=text.len() + 2 {
                assert_eq!(index.line(offset), line_of(text, offset), "{text:?} at {offset}");
            }
        }
    }

    #[test]
    fn a_keys_table_of_40000_entries_answers_naming_the_first_bad_one() {
        // Issue #25: `[keys]` was read in quadratic time (40k entries took
        // 3.4 s). The answer is asserted here; the time is bench/run.sh's.
        let mut text = String::from("theme = \"dark\"\n[keys]\n");
        for n in 0..40_000 {
            text.push_str(&format!("a{n:05} = \"x\"\n"));
        }
        let lines = key_lines(&text);
        assert_eq!(lines.len(), 40_002);
        assert_eq!(lines.get("keys.a39999"), Some(&40_002));
        let f = file(&text);
        let err = settings_with(Some(f.path()), no_env, Vec::new).unwrap_err().to_string();
        assert!(err.contains("line 3: keys.a00000: no such action"), "{}", &err[..err.len().min(300)]);
    }

    #[test]
    fn a_named_file_must_exist() {
        let missing = Path::new("/nonexistent/portaldesk.toml");
        assert!(matches!(load(Some(missing)), Err(ConfigError::Read { .. })));
    }

    #[test]
    fn every_key_of_the_example_file_reads_and_gives_the_defaults() {
        // The example documents the defaults: uncommented, it must give
        // exactly the settings of no file at all.
        let example = include_str!("../config.example.toml");
        let uncommented: String = example
            .lines()
            .map(|l| l.strip_prefix("# ").filter(|rest| rest.contains(" = ") || rest.starts_with('[')).unwrap_or(l))
            .filter(|l| !l.starts_with("portal_url") && !l.contains("time_zone"))
            .collect::<Vec<_>>()
            .join("\n");
        let f = file(&uncommented);
        let settings = settings_with(Some(f.path()), no_env, Vec::new).unwrap();
        assert!(!settings.keys.is_empty(), "the example lists the keys");
        let defaults = Settings {
            origins: settings.origins.clone(),
            file: settings.file.clone(),
            replies_dir: settings.replies_dir.clone(),
            replies: settings.replies.clone(),
            keys: settings.keys.clone(),
            ..Default::default()
        };
        assert_eq!(Settings { time_zone: StaffZone::Utc, practice_time_zone: StaffZone::Utc, ..settings }, defaults);
    }

    #[test]
    fn values_out_of_range_name_line_and_key() {
        let f = file("theme = \"light\"\n\nidle_lock_minutes = 0\n");
        let err = settings_with(Some(f.path()), no_env, Vec::new).unwrap_err().to_string();
        assert!(err.contains(&f.path().display().to_string()), "{err}");
        assert!(err.contains("line 3: idle_lock_minutes: 0 is out of range 1..=60"), "{err}");
        let f = file("time_zone = \"Mars/Olympus\"\n");
        let err = settings_with(Some(f.path()), no_env, Vec::new).unwrap_err().to_string();
        assert!(err.contains("line 1: time_zone") && err.contains("Mars/Olympus"), "{err}");
    }

    #[test]
    fn the_practice_zone_is_its_own_or_the_staff_members() {
        let f = file("time_zone = \"America/Chicago\"\n");
        let s = settings_with(Some(f.path()), no_env, Vec::new).unwrap();
        assert_eq!(s.practice_time_zone.name(), "America/Chicago", "time_zone's when absent");
        let f = file("time_zone = \"UTC\"\npractice_time_zone = \"America/New_York\"\n");
        let s = settings_with(Some(f.path()), no_env, Vec::new).unwrap();
        assert_eq!((s.time_zone.name(), s.practice_time_zone.name()), ("UTC", "America/New_York"));
        assert_eq!(s.replies().practice_zone().name(), "America/New_York");
        assert_eq!(s.replies().zone().name(), "UTC");
        for bad in ["Mars/Olympus", "local"] {
            let f = file(&format!("practice_time_zone = \"{bad}\"\n"));
            let err = settings_with(Some(f.path()), no_env, Vec::new).unwrap_err().to_string();
            assert!(err.contains("line 1: practice_time_zone") && err.contains(bad), "{err}");
        }
    }

    #[test]
    fn the_environment_overrides_the_file() {
        let f = file("theme = \"light\"\nreveal_seconds = 20\nrole = \"staff\"\n[keys]\nresend = \"s\"\n");
        let env = |name: &str| match name {
            "PORTALDESK_THEME" => Some("high-contrast".to_owned()),
            "PORTALDESK_IDLE_LOCK_MINUTES" => Some("15".to_owned()),
            "PORTALDESK_TIME_ZONE" => Some("America/Chicago".to_owned()),
            _ => None,
        };
        let vars = || vec![("PORTALDESK_KEY_EDIT_DOB".to_owned(), "E".to_owned())];
        let s = settings_with(Some(f.path()), env, vars).unwrap();
        assert_eq!(s.theme, ThemeName::HighContrast);
        assert_eq!(s.idle_lock, Duration::from_secs(15 * 60));
        assert_eq!(s.reveal_for, Duration::from_secs(20));
        assert_eq!(s.role, RoleFilter::Staff);
        assert_eq!(s.time_zone.name(), "America/Chicago");
        assert_eq!(s.keys.get("resend").map(String::as_str), Some("s"));
        assert_eq!(s.keys.get("edit_dob").map(String::as_str), Some("E"));
        assert_eq!(s.replies_dir, f.path().parent().map(|d| d.join("replies")));
    }

    #[test]
    fn a_bad_environment_value_names_the_variable() {
        let env = |name: &str| (name == "PORTALDESK_REVEAL_SECONDS").then(|| "soon".to_owned());
        let err = settings_with(Some(file("").path()), env, Vec::new).unwrap_err().to_string();
        assert!(err.contains("PORTALDESK_REVEAL_SECONDS") && err.contains("soon"), "{err}");
        let env = |name: &str| (name == "PORTALDESK_ROLE").then(|| "admin".to_owned());
        let err = settings_with(Some(file("").path()), env, Vec::new).unwrap_err().to_string();
        assert!(err.contains("PORTALDESK_ROLE") && err.contains("admin"), "{err}");
    }

    #[test]
    fn a_non_utf8_environment_is_read_without_panic_and_only_ours_is_refused() {
        use std::os::unix::ffi::OsStringExt;
        let bad = || OsString::from_vec(vec![b'a', 0xff, b'b']);
        // Someone else's variable, name or value not UTF-8: not read at all.
        let others = vec![
            (OsString::from("FOO"), bad()),
            (bad(), OsString::from("x")),
            (OsString::from("PORTALDESK_KEY_COPY"), OsString::from("y")),
            (OsString::from("PORTALDESK_TOKEN_NOT_OURS"), bad()),
        ];
        let theme = |name: &str| match name {
            "PORTALDESK_THEME" => Some(OsString::from("light")),
            "FOO" => Some(bad()),
            _ => None,
        };
        let s = settings_from_os((Config::default(), None), theme, || others.clone()).unwrap();
        assert_eq!(s.theme, ThemeName::Light);
        assert_eq!(s.keys.get("copy").map(String::as_str), Some("y"));

        // One of ours: an error that names it, and never its value.
        let ours = |name: &str| (name == "PORTALDESK_THEME").then(bad);
        let err = settings_from_os((Config::default(), None), ours, Vec::new).unwrap_err();
        assert!(matches!(err, ConfigError::Env { .. }), "{err:?}");
        assert_eq!(err.to_string(), "environment variable PORTALDESK_THEME: the value is not valid UTF-8");
        let key = || vec![(OsString::from("PORTALDESK_KEY_RESEND"), bad())];
        let err = settings_from_os((Config::default(), None), |_: &str| None, key).unwrap_err().to_string();
        assert_eq!(err, "environment variable PORTALDESK_KEY_RESEND: the value is not valid UTF-8");
        let mut name = b"PORTALDESK_KEY_".to_vec();
        name.push(0xfe);
        let named = || vec![(OsString::from_vec(name.clone()), OsString::from("s"))];
        let err = settings_from_os((Config::default(), None), |_: &str| None, named).unwrap_err().to_string();
        assert_eq!(err, "environment variable PORTALDESK_KEY_\u{fffd}: the name is not valid UTF-8");
        // The variables the argument parser reads as text.
        let portal = |name: &str| (name == "PORTALDESK_PORTAL").then(bad);
        let err = check_text_variables(&["PORTALDESK_PORTAL"], portal).unwrap_err().to_string();
        assert_eq!(err, "environment variable PORTALDESK_PORTAL: the value is not valid UTF-8");
        assert!(check_text_variables(&["PORTALDESK_PORTAL"], |_: &str| Some(OsString::from("http://x"))).is_ok());
        // An empty value of ours is unset, as before.
        let empty = |name: &str| (name == "PORTALDESK_THEME").then(OsString::new);
        assert!(settings_from_os((Config::default(), None), empty, Vec::new).is_ok());
    }

    #[test]
    fn an_out_of_range_environment_value_names_the_variable_not_a_file() {
        let idle_zero = |name: &str| (name == "PORTALDESK_IDLE_LOCK_MINUTES").then(|| "0".to_owned());
        // No file at all.
        let err = settings_from((Config::default(), None), idle_zero, Vec::new).unwrap_err();
        assert!(matches!(err, ConfigError::Env { .. }), "{err:?}");
        let text = err.to_string();
        assert_eq!(text, "environment variable PORTALDESK_IDLE_LOCK_MINUTES: 0 is out of range 1..=60");
        // A file that sets the key too: the variable won, so it is named.
        let f = file("theme = \"light\"\nidle_lock_minutes = 10\n");
        let text = settings_with(Some(f.path()), idle_zero, Vec::new).unwrap_err().to_string();
        assert!(text.starts_with("environment variable PORTALDESK_IDLE_LOCK_MINUTES: 0 is out of range"), "{text}");
        assert!(!text.contains("config file") && !text.contains("line "), "{text}");
        // The file's own bad value still names the file and the line.
        let f = file("theme = \"light\"\nreveal_seconds = 1\n");
        let text = settings_with(Some(f.path()), idle_zero, Vec::new).unwrap_err().to_string();
        assert!(text.contains("PORTALDESK_IDLE_LOCK_MINUTES"), "the variable is checked first: {text}");
        let text = settings_with(Some(f.path()), no_env, Vec::new).unwrap_err().to_string();
        assert!(text.contains(&f.path().display().to_string()) && text.contains("line 2: reveal_seconds: 1"), "{text}");

        let mars = |name: &str| (name == "PORTALDESK_TIME_ZONE").then(|| "Mars/Olympus".to_owned());
        let f = file("time_zone = \"UTC\"\n");
        for source in [None, Some(f.path())] {
            let err = match source {
                None => settings_from((Config::default(), None), mars, Vec::new),
                Some(path) => settings_with(Some(path), mars, Vec::new),
            }
            .unwrap_err()
            .to_string();
            assert!(err.starts_with("environment variable PORTALDESK_TIME_ZONE: unknown time zone"), "{err}");
            assert!(err.contains("Mars/Olympus") && !err.contains("config file"), "{err}");
        }
        let reveal = |name: &str| (name == "PORTALDESK_REVEAL_SECONDS").then(|| "601".to_owned());
        let err = settings_from((Config::default(), None), reveal, Vec::new).unwrap_err().to_string();
        assert_eq!(err, "environment variable PORTALDESK_REVEAL_SECONDS: 601 is out of range 5..=600");
    }

    #[test]
    fn errors_about_a_key_name_where_it_was_set() {
        let f = file("theme = \"dark\"\n\n[keys]\nresnd = \"s\"\n");
        let vars = || vec![("PORTALDESK_KEY_COPYY".to_owned(), "c".to_owned())];
        // Read but not yet checked (checking stops at the bad key).
        let s = unchecked(read_file(Some(f.path())).unwrap(), no_env, vars).unwrap();
        let err = s.error_at("keys.resnd", "no such action").to_string();
        assert_eq!(err, format!("config file {}: line 4: keys.resnd: no such action", f.path().display()));
        let err = s.error_at("keys.copyy", "no such action").to_string();
        assert_eq!(err, "environment variable PORTALDESK_KEY_COPYY: no such action");
        let s = settings_from((Config::default(), None), no_env, Vec::new).unwrap();
        assert_eq!(s.error_at("keys.x", "bad").to_string(), "configuration: keys.x: bad");
        let env = |name: &str| (name == "PORTALDESK_THEME").then(|| "light".to_owned());
        let s = unchecked(read_file(Some(f.path())).unwrap(), env, Vec::new).unwrap();
        assert_eq!(s.origins.get("theme"), Some(&Origin::Env { name: "PORTALDESK_THEME".into() }));
        assert_eq!(s.origins.get("keys.resnd"), Some(&Origin::File { line: 4 }));
        // Checking names the same place.
        let err = settings_with(Some(f.path()), no_env, Vec::new).unwrap_err().to_string();
        assert!(err.starts_with(&format!("config file {}: line 4: keys.resnd: no such action", f.path().display())));
    }

    #[test]
    fn readonly_and_lock_requires_login_come_from_the_file_or_the_environment() {
        let s = settings_with(Some(file("theme = \"dark\"\n").path()), no_env, Vec::new).unwrap();
        assert!(!s.readonly && !s.lock_requires_login, "both off by default");
        let f = file("readonly = true\nlock_requires_login = true\n");
        let s = settings_with(Some(f.path()), no_env, Vec::new).unwrap();
        assert!(s.readonly && s.lock_requires_login);
        let env = |name: &str| (name == "PORTALDESK_READONLY").then(|| "1".to_owned());
        let s = settings_with(Some(file("readonly = false\n").path()), env, Vec::new).unwrap();
        assert!(s.readonly, "the variable wins over the file");
        let bad = |name: &str| (name == "PORTALDESK_READONLY").then(|| "maybe".to_owned());
        let err = settings_with(None, bad, Vec::new).unwrap_err().to_string();
        assert!(err.contains("PORTALDESK_READONLY") && err.contains("true or false"), "{err}");
    }

    #[test]
    fn idle_lock_seconds_is_for_tests_and_wins_over_minutes() {
        let f = file("idle_lock_minutes = 10\nidle_lock_seconds = 2\n");
        let s = settings_with(Some(f.path()), no_env, Vec::new).unwrap();
        assert_eq!(s.idle_lock, Duration::from_secs(2));
        let env = |name: &str| (name == "PORTALDESK_IDLE_LOCK_SECONDS").then(|| "3".to_owned());
        let s = settings_with(Some(file("idle_lock_minutes = 10\n").path()), env, Vec::new).unwrap();
        assert_eq!(s.idle_lock, Duration::from_secs(3));
        // Minutes alone still count in minutes.
        let s = settings_with(Some(file("idle_lock_minutes = 10\n").path()), no_env, Vec::new).unwrap();
        assert_eq!(s.idle_lock, Duration::from_secs(600));
        // Out of range: named like every other key, by line or by variable.
        let f = file("theme = \"dark\"\nidle_lock_seconds = 0\n");
        let err = settings_with(Some(f.path()), no_env, Vec::new).unwrap_err().to_string();
        assert!(err.contains(&f.path().display().to_string()), "{err}");
        assert!(err.contains("line 2: idle_lock_seconds: 0 is out of range 1..=3600"), "{err}");
        let env = |name: &str| (name == "PORTALDESK_IDLE_LOCK_SECONDS").then(|| "3601".to_owned());
        let err = settings_from((Config::default(), None), env, Vec::new).unwrap_err().to_string();
        assert_eq!(err, "environment variable PORTALDESK_IDLE_LOCK_SECONDS: 3601 is out of range 1..=3600");
        let env = |name: &str| (name == "PORTALDESK_IDLE_LOCK_SECONDS").then(|| "soon".to_owned());
        let err = settings_from((Config::default(), None), env, Vec::new).unwrap_err().to_string();
        assert!(err.contains("PORTALDESK_IDLE_LOCK_SECONDS") && err.contains("soon"), "{err}");
    }

    #[test]
    fn the_practices_replies_are_read_once_and_bad_ones_name_their_file() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.toml");
        std::fs::write(&config, "time_zone = \"UTC\"\n").unwrap();
        // No replies directory: the built-in replies.
        let s = settings_with(Some(&config), no_env, Vec::new).unwrap();
        assert_eq!(s.replies_dir, Some(dir.path().join("replies")));
        assert!(s.replies.is_empty());

        let replies = dir.path().join("replies");
        std::fs::create_dir(&replies).unwrap();
        std::fs::write(replies.join("not_opened.md"), "Hello {first_name}, look in Spam.\n").unwrap();
        std::fs::write(replies.join("README.txt"), "not a reply").unwrap();
        let s = settings_with(Some(&config), no_env, Vec::new).unwrap();
        let codes: Vec<FindingCode> = s.replies.iter().map(|r| r.code).collect();
        assert_eq!(codes, [FindingCode::NotOpened]);
        assert_eq!(s.replies[0].file, replies.join("not_opened.md"));
        let context = crate::diagnose::replies::ReplyContext { first_name: "Sam".into(), ..Default::default() };
        assert_eq!(s.replies().render(FindingCode::NotOpened, &context), "Hello Sam, look in Spam.");
        assert!(s.replies().render(FindingCode::Bounced, &context).starts_with("Hi Sam,"), "others stay built in");

        std::fs::write(replies.join("not_opend.md"), "x").unwrap();
        let err = settings_with(Some(&config), no_env, Vec::new).unwrap_err().to_string();
        assert!(err.contains("not_opend.md") && err.contains("not_opened"), "{err}");
        std::fs::remove_file(replies.join("not_opend.md")).unwrap();
        std::fs::write(replies.join("bounced.md"), "Hi {frist_name}").unwrap();
        let err = settings_with(Some(&config), no_env, Vec::new).unwrap_err().to_string();
        assert!(err.contains("bounced.md") && err.contains("{frist_name}"), "{err}");
        std::fs::write(replies.join("bounced.md"), "\n").unwrap();
        let err = settings_with(Some(&config), no_env, Vec::new).unwrap_err().to_string();
        assert!(err.contains("bounced.md") && err.contains("empty"), "{err}");
    }

    #[test]
    fn a_reply_file_can_be_for_one_role_and_wins_over_the_one_for_both() {
        use crate::portal::model::Role;
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.toml");
        std::fs::write(&config, "time_zone = \"UTC\"\n").unwrap();
        let replies = dir.path().join("replies");
        std::fs::create_dir(&replies).unwrap();
        std::fs::write(replies.join("not_opened.staff.md"), "Staff {first_name}: {expires_at}.\n").unwrap();
        std::fs::write(replies.join("not_opened.md"), "Both {first_name}.\n").unwrap();
        std::fs::write(replies.join("bounced.client.md"), "Client {first_name}.\n").unwrap();
        let s = settings_with(Some(&config), no_env, Vec::new).unwrap();
        let context = crate::diagnose::replies::ReplyContext {
            first_name: "Sam".into(),
            expires_at: "Dec 9, 05:06 UTC".into(),
            ..Default::default()
        };
        let r = s.replies();
        assert_eq!(r.render_for(FindingCode::NotOpened, Role::Staff, &context), "Staff Sam: Dec 9, 05:06 UTC.");
        assert_eq!(r.render_for(FindingCode::NotOpened, Role::Client, &context), "Both Sam.");
        assert_eq!(r.render_for(FindingCode::Bounced, Role::Client, &context), "Client Sam.");
        assert!(r.render_for(FindingCode::Bounced, Role::Staff, &context).contains("staff portal"), "built in");
        std::fs::write(replies.join("bounced.nurse.md"), "x").unwrap();
        let err = settings_with(Some(&config), no_env, Vec::new).unwrap_err().to_string();
        assert!(err.contains("bounced.nurse.md") && err.contains(".staff.md"), "{err}");
    }

    #[test]
    fn validate_checks_a_hand_built_value_too() {
        assert!(Settings::default().validate().is_ok());
        let bad_key = Settings { keys: BTreeMap::from([("resnd".to_owned(), "s".to_owned())]), ..Settings::default() };
        let err = bad_key.validate().unwrap_err().to_string();
        assert!(err.starts_with("configuration: keys.resnd: no such action"), "{err}");
        let quick = Settings { reveal_for: Duration::from_secs(1), ..Settings::default() };
        assert_eq!(
            quick.validate().unwrap_err().to_string(),
            "configuration: reveal_seconds: 1 is out of range 5..=600"
        );
        assert_eq!(Settings::default().resend_guard, Duration::from_secs(5 * 60));
        let off = Settings { resend_guard: Duration::ZERO, ..Settings::default() };
        assert_eq!(
            off.validate().unwrap_err().to_string(),
            "configuration: resend_guard_minutes: 0 is out of range 1..=1440"
        );
        let reply =
            ReplyOverride { code: FindingCode::Bounced, role: None, file: "b.md".into(), text: "{nope}".into() };
        let err = Settings { replies: vec![reply], ..Settings::default() }.validate().unwrap_err().to_string();
        assert!(err.starts_with("b.md: unknown placeholder {nope}"), "{err}");
    }
}
