//! What every dialog that sends a change keeps about it, written once: the
//! request in flight, why the last try failed, the wait a 429 asked for,
//! and the Idempotency-Key, kept until an answer shows the outcome so a
//! retry can never make the change twice.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::account::AccountState;
use super::retry_wait::{self, RetryWait};
use crate::portal::model::InviteId;
use crate::portal::{IdempotencyKey, PortalError};
use crate::tui::action::ReqId;
use crate::tui::view_model::ViewModel;
use crate::tui::view_model::{Cell, Meaning, Row};

/// A change and its tries. `E` is how the dialog keeps its error: the
/// portal's (`PortalError`) or its own words (`String`).
#[derive(Debug, Clone)]
pub struct Submission<E = String> {
    /// The request in flight, if any: keys that would change what is sent
    /// do nothing meanwhile.
    pub pending: Option<ReqId>,
    /// Why the last try did not go through (shown in the dialog).
    pub error: Option<E>,
    /// The wait a 429 asked for: Enter sends nothing until it is over.
    pub wait: Option<RetryWait>,
    /// The portal's own reason for that 429 (its problem `detail`),
    /// sanitised, if it gave one.
    pub limit_reason: Option<String>,
    /// The key sent with every try of the same change.
    pub key: IdempotencyKey,
    /// The change sent last, while its outcome is not known.
    pub change: Option<ChangeId>,
}

/// One change as the memory of unconfirmed changes knows it: its kind, what
/// it changes (an account, invite or ticket id) and a digest of what it
/// sends (never the values themselves).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChangeId {
    kind: &'static str,
    target: String,
    digest: u64,
}

impl ChangeId {
    pub fn new(kind: &'static str, target: &str, sends: &impl serde::Serialize) -> Self {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        serde_json::to_vec(sends).unwrap_or_default().hash(&mut hasher);
        Self { kind, target: target.to_owned(), digest: hasher.finish() }
    }
}

/// Changes sent whose outcome was never seen (their answer was lost), with
/// their Idempotency-Keys, kept by the console across dialogs: the same
/// change sent again, even from a dialog closed and opened again, goes with
/// the same key, so the portal cannot make it twice. One record for every
/// change (resend, DOB, addresses, revoke, note); an answer that comes
/// forgets its change, and so does a read that shows a lost resend made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unconfirmed(HashMap<ChangeId, Sent>);

/// What is kept of one change sent.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Sent {
    key: IdempotencyKey,
    /// For a change whose outcome shows as a new invite (a resend): the
    /// account's invites when it went out, if they were known. An invite
    /// beyond them, read back later, shows the outcome.
    invites_before: Option<Vec<InviteId>>,
}

impl Unconfirmed {
    /// Whether `change` was sent and its outcome never seen (a retry of it
    /// goes with its kept key).
    pub fn holds(&self, change: &ChangeId) -> bool {
        self.0.contains_key(change)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The invites of `account` were read: whether an invite it did not
    /// have when a resend of it went out shows that resend was made (`None`
    /// when no resend of it awaits its outcome). A resend that shows is
    /// forgotten; until then its key is kept for a retry.
    pub fn invites_read(&mut self, account: &AccountState) -> Option<bool> {
        let list = account.invites.data.as_ref()?;
        let mut awaited = false;
        let mut shows = false;
        self.0.retain(|change, sent| {
            let Some(before) = sent.invites_before.as_ref().filter(|_| change.target == account.id.as_str()) else {
                return true;
            };
            awaited = true;
            let made = list.iter().any(|i| !before.contains(&i.id));
            shows |= made;
            !made
        });
        awaited.then_some(shows)
    }
}

/// A new change: nothing sent yet, and a fresh key.
impl<E> Default for Submission<E> {
    fn default() -> Self {
        Self { pending: None, error: None, wait: None, limit_reason: None, key: IdempotencyKey::new(), change: None }
    }
}

impl<E> Submission<E> {
    /// Whether a request is in flight.
    pub fn is_sending(&self) -> bool {
        self.pending.is_some()
    }

    /// Whether Enter must send nothing at `now`: a request is in flight, or
    /// a 429's wait still runs.
    pub fn holds(&self, now: DateTime<Utc>) -> bool {
        self.is_sending() || retry_wait::holds(self.wait, now)
    }

    /// The trimmed text of a required field, to send at `now`; `None` when
    /// nothing may go: a request is in flight, a 429's wait still runs, or
    /// the field is blank (then `missing` is the error shown).
    pub fn required(&mut self, now: DateTime<Utc>, field: &tui_input::Input, missing: impl Into<E>) -> Option<String> {
        if self.holds(now) {
            return None;
        }
        let text = field.value().trim().to_owned();
        if text.is_empty() {
            self.error = Some(missing.into());
            return None;
        }
        Some(text)
    }

    /// Request `req` goes out: the last error and wait are over.
    pub fn start(&mut self, req: ReqId) {
        self.pending = Some(req);
        self.error = None;
        self.wait = None;
        self.limit_reason = None;
    }

    /// Takes the answer to `req` if it is the one awaited; returns whether
    /// it was.
    pub fn finish(&mut self, req: ReqId) -> bool {
        if self.pending != Some(req) {
            return false;
        }
        self.pending = None;
        true
    }

    /// Request `req` goes out with `change`: with the key of the same change
    /// whose outcome was never seen, if there is one, else with its own;
    /// returns the key to send.
    pub fn send(&mut self, req: ReqId, change: ChangeId, memory: &mut Unconfirmed) -> IdempotencyKey {
        self.send_seen_by(req, change, None, memory)
    }

    /// [`Submission::send`] for a change whose outcome shows as an invite
    /// not among `invites_before` (a resend; see [`Unconfirmed::invites_read`]).
    pub fn send_seen_by(
        &mut self,
        req: ReqId,
        change: ChangeId,
        invites_before: Option<Vec<InviteId>>,
        memory: &mut Unconfirmed,
    ) -> IdempotencyKey {
        self.start(req);
        // A different change from the one still unconfirmed: a new key.
        if self.change.as_ref().is_some_and(|sent| *sent != change) {
            self.key = IdempotencyKey::new();
        }
        let sent =
            memory.0.entry(change.clone()).or_insert_with(|| Sent { key: self.key.clone(), invites_before: None });
        sent.invites_before = invites_before;
        self.key = sent.key.clone();
        self.change = Some(change);
        self.key.clone()
    }

    /// `result`, if it answers `req` (sent with [`Submission::send`]): an
    /// answer that came says the outcome, so the change's key is forgotten;
    /// a lost one keeps it for a retry.
    pub fn take_change<T>(
        &mut self,
        req: ReqId,
        result: Result<T, PortalError>,
        memory: &mut Unconfirmed,
    ) -> Option<Result<T, PortalError>> {
        let result = self.take(req, result)?;
        if !result.as_ref().err().is_some_and(answer_lost)
            && let Some(change) = self.change.take()
        {
            memory.0.remove(&change);
        }
        Some(result)
    }

    /// A read shows the outcome of the change sent last (its answer was
    /// lost): its key is forgotten, as an answer would have it.
    pub fn shown(&mut self, memory: &mut Unconfirmed) {
        if let Some(change) = self.change.take() {
            memory.0.remove(&change);
        }
        self.error = None;
    }

    /// `result`, if it answers `req`, the request awaited.
    pub fn take<T>(&mut self, req: ReqId, result: T) -> Option<T> {
        self.finish(req).then_some(result)
    }

    /// The try failed with `error` at `now`, shown as `shown`; a 429 starts
    /// its wait.
    pub fn fail(&mut self, error: &PortalError, now: DateTime<Utc>, shown: E) {
        self.wait = RetryWait::after(error, now);
        self.limit_reason = match error {
            PortalError::RateLimited { detail: Some(detail), .. } => Some(crate::sanitize::line(detail).into_owned()),
            _ => None,
        };
        self.error = Some(shown);
    }

    /// A new change: a new key, and no error.
    pub fn renew(&mut self) {
        self.key = IdempotencyKey::new();
        self.error = None;
    }
}

/// Whether `error` means the answer was lost: the request may have reached
/// the portal and made the change (the connection dropped after it was
/// sent, no answer in time, or an answer that could not be read). The
/// outcome is then not known until the account is read again.
pub fn answer_lost(error: &PortalError) -> bool {
    matches!(error, PortalError::Dropped | PortalError::Timeout | PortalError::Decode { .. })
}

/// What a dialog says while it reads the account again after a lost answer.
pub const NOT_KNOWN: &str = "… Not known yet: the answer was lost; reading the account again…";

/// How a dialog names its change on its status line.
pub struct Wording {
    /// While in flight: `Posting…`.
    pub doing: &'static str,
    /// What did not happen: `Not posted`.
    pub not_done: &'static str,
    /// Why a 429 came: `too many requests`.
    pub limit: &'static str,
    /// What Enter does once the wait is over: `posts it`.
    pub enter_does: &'static str,
    /// Whether an error reads `✕ Not posted: why` (or `✕ why` alone).
    pub names_failure: bool,
}

impl Wording {
    /// Its words; an error reads `✕ Not posted: why`.
    pub const fn new(
        doing: &'static str,
        not_done: &'static str,
        limit: &'static str,
        enter_does: &'static str,
    ) -> Self {
        Self { doing, not_done, limit, enter_does, names_failure: true }
    }

    /// An error reads `✕ why` alone.
    pub const fn bare(self) -> Self {
        Self { names_failure: false, ..self }
    }
}

/// What a dialog's status lines say, before they are drawn or read out.
enum Said<'a> {
    /// The lines the dialog gave for the case.
    Given,
    /// `Posting…`.
    Doing,
    /// The 429's wait, and why it came.
    Wait(RetryWait, &'a str),
    /// `✕ Not posted: why`, then the retry lines the dialog gave.
    Failed(String),
}

impl<E: std::fmt::Display> Submission<E> {
    /// What the status lines say now (see [`Submission::status`]).
    fn said<'a>(&'a self, wording: &'a Wording) -> Said<'a> {
        let Some(error) = self.error.as_ref().filter(|_| !self.is_sending()) else {
            return if self.is_sending() { Said::Doing } else { Said::Given };
        };
        if let Some(wait) = self.wait {
            return Said::Wait(wait, self.limit_reason.as_deref().unwrap_or(wording.limit));
        }
        Said::Failed(match wording.names_failure {
            true => format!("✕ {}: {error}", wording.not_done),
            false => format!("✕ {error}"),
        })
    }

    /// The dialog's status rows: `Posting…` while in flight; after a
    /// failure, the 429's countdown or `✕ Not posted: why` (then `retry`,
    /// if any); else `idle` (what Enter does).
    pub fn status_rows(&self, wording: &Wording, retry: Option<Row>, idle: Vec<Row>, now: DateTime<Utc>) -> Vec<Row> {
        match self.said(wording) {
            Said::Given => idle,
            Said::Doing => vec![Row::one(Cell::new(wording.doing, Meaning::Warning).must()).id("status")],
            Said::Wait(wait, why) => vec![wait.row(now, wording.not_done, why, wording.enter_does)],
            Said::Failed(said) => {
                std::iter::once(Row::one(Cell::new(said, Meaning::Danger).must()).id("error")).chain(retry).collect()
            }
        }
    }
}

/// The collision guard's rows in a dialog whose change it held back:
/// what others changed since the agent read the account (who, and how long
/// ago), then that it was read again and Enter now `does` it knowingly.
pub fn collision_rows(text: &str, does: &str) -> Vec<Row> {
    vec![
        Row::new(vec![
            Cell::new("⚠ Changed since you read it:", Meaning::Danger).must(),
            Cell::new(crate::sanitize::line(text).into_owned(), Meaning::Warning).must(),
        ])
        .id("collision"),
        Row::new(vec![
            Cell::muted("Read again."),
            Cell::new("Enter", Meaning::Key),
            Cell::muted(format!("again {does} anyway ·")),
            Cell::new("Esc", Meaning::Key),
            Cell::muted("cancels"),
        ])
        .id("keys"),
    ]
}

/// What others did to the account or its ticket lately, as a changing
/// dialog opens ([`Shared::lately`](crate::tui::component::Shared)): a
/// warning, led by `⚠` on screen, that wraps ("⚠ Lately: agent_rivera
/// resent the invite 4m ago."). None when nothing is to be said.
pub fn lately_rows(lately: Option<&str>) -> Vec<Row> {
    let Some(text) = lately else { return Vec::new() };
    vec![
        Row::new(vec![
            Cell::new("Lately:", Meaning::Warning).badge().must(),
            Cell::new(crate::sanitize::line(text).into_owned(), Meaning::Warning).must(),
        ])
        .id("lately")
        .wrapped(0, 2),
    ]
}

/// A dialog's view model with what others did lately said first (as it
/// is drawn and read out).
pub fn with_lately(mut model: ViewModel, lately: Option<&str>) -> ViewModel {
    let rows = lately_rows(lately);
    if !rows.is_empty() {
        model.sections.insert(0, crate::tui::view_model::Section::new("", rows));
    }
    model
}

/// `Enter posts it · Esc cancels`: what a dialog's keys do, `keys` being
/// the keys that send (`Enter or y`).
pub fn enter_hint_row(keys: &[&'static str], does: &str) -> Row {
    let mut cells = Vec::new();
    for (n, key) in keys.iter().enumerate() {
        if n > 0 {
            cells.push(Cell::muted("or"));
        }
        cells.push(Cell::new(*key, Meaning::Key));
    }
    cells.push(Cell::muted(format!("{does} ·")));
    cells.push(Cell::new("Esc", Meaning::Key));
    cells.push(Cell::muted("cancels"));
    Row::new(cells).id("keys")
}
