//! The console live: the portal's event stream becomes [`Msg::Live`], which
//! marks what is stale; one re-read per stale resource goes out after a
//! short debounce ([`Due::Live`]), through the one request path. Presence
//! heartbeats ([`Due::Presence`]) say which ticket this console is on, and
//! the collision guard ([`App::guard_confirm`]) stops any change (resend,
//! DOB, addresses, revoke, fix) made on top of another agent's: one
//! function, [`changes_since`], says what changed and who, for every
//! dialog.
//!
//! Events carry ids only: nothing here holds or logs a client's details.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::wording::ago;

use super::action::{Effect, Msg, ReqId, Request};
use super::app::{App, Banner, Overlay, View};
use super::screens::account::AccountState;
use crate::portal::events::Live;
use crate::portal::model::{
    Account, AccountId, AuditAction, AuditEntry, ETag, EventType, Invite, InviteId, PortalEvent, PresenceMode,
    StaffMember, TicketId, Viewer, VisitOutcome,
};
use crate::portal::{PortalClient, PortalError, Versioned};

/// How long events are gathered before what they made stale is read again,
/// after a quiet spell: what another agent does shows at once (issue #16:
/// publish to applied, p95 ≤ 100 ms), and the few events one change makes
/// are one read.
pub const LIVE_FIRST: Duration = Duration::from_millis(25);
/// While events keep coming (the last wait gathered more than one, and the
/// next comes within this of its end), each wait is twice the last, up to
/// this: a
/// burst of 1,000 events in a second is half a dozen reads (and redraws),
/// and what it changed still shows within a second.
pub const LIVE_DEBOUNCE: Duration = Duration::from_millis(400);
/// The same while the terminal does not have the focus: fewer redraws.
pub const UNFOCUSED_DEBOUNCE: Duration = Duration::from_secs(2);
/// How often presence is said again while on a ticket (it lapses after
/// 45 s without).
pub const PRESENCE_EVERY: Duration = Duration::from_secs(20);
/// Invites read this recently are taken as current by the collision guard
/// (unless an event said otherwise); older ones are read again first.
pub const GUARD_FRESH: chrono::Duration = chrono::Duration::seconds(2);
/// How far back visits and DOB refusals count as "on the invite page now".
pub const ON_PAGE_FOR: chrono::Duration = chrono::Duration::seconds(60);

/// A timer the state machine asked for, back as [`Msg::Due`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// The live debounce: read again what events made stale.
    Live(ReqId),
    /// Say presence again.
    Presence(ReqId),
}

/// What events made stale since the last re-read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stale {
    pub queue: bool,
    /// The open account itself (and so its history too).
    pub account: bool,
    /// The open account's invites and audit trail.
    pub history: bool,
    /// The open ticket pane's ticket and conversation (its messages, SLA
    /// badge, claim and status follow the events as the queue does).
    pub ticket: bool,
}

impl Stale {
    fn any(self) -> bool {
        self.queue || self.account || self.history || self.ticket
    }
}

/// The presence this console states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presence {
    pub ticket_id: TicketId,
    pub mode: PresenceMode,
    /// The heartbeat timer in force (older ones are dropped).
    pub timer: ReqId,
}

/// What the agent had read of the open account when a changing dialog
/// opened (or when the guard last showed what changed since): the
/// baseline the collision guard compares the account with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen {
    pub etag: Option<ETag>,
    pub invites: Option<Vec<InviteId>>,
    /// The newest entry of the account's audit trail read (its `seq`).
    pub audit_seq: Option<i64>,
}

impl Seen {
    /// What the console holds of `account` now.
    pub fn of(account: &AccountState) -> Self {
        Self {
            etag: account.account.data.as_ref().map(|a| a.etag.clone()),
            invites: account.invites.data.as_ref().map(|list| list.iter().map(|i| i.id.clone()).collect()),
            audit_seq: account.audit.data.as_ref().map(|trail| trail.iter().map(|e| e.seq).max().unwrap_or(0)),
        }
    }
}

/// What a change about to be sent is, for the collision guard: a resend
/// also meets the resend window (`resend_guard_minutes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guarded {
    Resend,
    Change,
}

/// The collision guard of the open changing dialog.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Guard {
    /// Not checked yet.
    #[default]
    Idle,
    /// The account is being read again (this request); `resume` sends the
    /// change when nothing changed (a confirm), else it waits (a 412).
    Checking { req: ReqId, resume: bool },
    /// What changed was shown: the next confirm sends knowingly.
    Shown(String),
    /// Checked (or acknowledged): confirming sends.
    Cleared,
}

/// The guard's read of an account before a change: the account, its
/// invites and audit trail, and who this console is. (No `Debug` of the
/// values: the account holds PHI.)
pub struct GuardRead {
    pub account: Versioned<Account>,
    pub invites: Vec<Invite>,
    pub audit: Vec<AuditEntry>,
    pub me: String,
}

impl std::fmt::Debug for GuardRead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GuardRead").field("invites", &self.invites.len()).field("audit", &self.audit.len()).finish()
    }
}

/// Reads what the guard compares, in one go.
pub async fn guard_read(client: &PortalClient, account_id: &AccountId) -> Result<Box<GuardRead>, PortalError> {
    let (account, invites, audit, me) = tokio::try_join!(
        client.account(account_id),
        client.invites(account_id),
        client.audit(Some(account_id), None),
        client.me(),
    )?;
    Ok(Box::new(GuardRead { account, invites, audit, me: me.id }))
}

/// The account as it stands now, for [`changes_since`].
#[derive(Debug, Clone, Copy)]
pub struct Standing<'a> {
    pub etag: Option<&'a ETag>,
    pub invites: &'a [Invite],
    pub audit: &'a [AuditEntry],
}

impl<'a> Standing<'a> {
    pub fn of(account: &'a AccountState) -> Self {
        Self {
            etag: account.account.data.as_ref().map(|a| &a.etag),
            invites: account.invites.data.as_deref().unwrap_or_default(),
            audit: account.audit.data.as_deref().unwrap_or_default(),
        }
    }
}

/// Who asks, and when, for [`changes_since`].
#[derive(Debug, Clone, Copy)]
pub struct Asking<'a> {
    /// This console's staff id, if known: its own entries are no change.
    pub me: Option<&'a str>,
    /// Invites this console's own resends made.
    pub own: &'a [InviteId],
    /// For a resend, the resend window: an invite sent within it needs a
    /// second confirm, even one sent before the account was read.
    pub resend_window: Option<Duration>,
    pub now: DateTime<Utc>,
}

/// How many changes are named one by one; more are counted.
const NAMED: usize = 3;

/// What others changed on the account since the agent read it (`seen`),
/// in words, with who and how long ago ("agent_rivera resent the invite
/// 40s ago; agent_chen changed the DOB on file 2m ago."), from its
/// audit trail, its invites and its version; for a resend, also an invite
/// sent within the resend window. `None` when nothing did. Pure: the
/// instant is given. Never a value (no DOB, no address, no reason).
pub fn changes_since(seen: &Seen, standing: Standing<'_>, asking: Asking<'_>) -> Option<String> {
    let Asking { me, own, resend_window, now } = asking;
    let mut newer: Vec<&AuditEntry> = standing
        .audit
        .iter()
        .filter(|e| seen.audit_seq.is_some_and(|s| e.seq > s) && Some(e.actor.as_str()) != me)
        .collect();
    newer.sort_by_key(|e| std::cmp::Reverse(e.seq));
    let mut said: Vec<String> = newer
        .iter()
        .take(NAMED)
        .map(|e| format!("{} {} {}", who(Some(e.actor.as_str()), me), what(e), ago(now - e.at)))
        .collect();
    if newer.len() > NAMED {
        said.push(format!("{} more changes", newer.len() - NAMED));
    }
    let mut resent = newer.iter().any(|e| e.action == AuditAction::InviteSent);
    // Who sent an invite, from the trail (the entry made with it).
    let sender = |invite: &Invite| crate::diagnose::invite::sender(invite, standing.audit);
    let others: Vec<&Invite> = standing.invites.iter().filter(|i| !own.contains(&i.id)).collect();
    // An invite not read before (sent by this staff member from another
    // console, or the trail was not read).
    if !resent
        && let Some(seen_invites) = &seen.invites
        && let Some(new) = others.iter().filter(|i| !seen_invites.contains(&i.id)).max_by_key(|i| i.sent_at)
    {
        said.push(format!("{} sent a new invite {}", who(sender(new), me), ago(now - new.sent_at)));
        resent = true;
    }
    if said.is_empty() && seen.etag.is_some() && standing.etag.is_some() && seen.etag.as_ref() != standing.etag {
        said.push("the account changed since you read it".to_owned());
    }
    // The resend window counts every invite, this console's own too (a
    // resend whose answer was lost, then `r` Enter again moments later).
    if !resent
        && let Some(window) = resend_window.and_then(|w| chrono::Duration::from_std(w).ok())
        && let Some((latest, by)) =
            crate::diagnose::invite::within_resend_window(standing.invites, standing.audit, window, now)
    {
        let by = if own.contains(&latest.id) { "you".to_owned() } else { who(by, me) };
        said.push(format!("{by} resent the invite {}; another now stops that link working", ago(now - latest.sent_at)));
    }
    (!said.is_empty()).then(|| format!("{}.", said.join("; ")))
}

/// What an audit entry did, in the help desk's words (never its summary's
/// values: the kind of change only).
fn what(entry: &AuditEntry) -> &'static str {
    let summary = entry.summary.as_str();
    match entry.action {
        AuditAction::InviteSent => "resent the invite",
        AuditAction::InviteRevoked => "revoked an invite",
        AuditAction::AccountUpdated => {
            let dob = summary.contains("date of birth");
            let addresses = summary.contains("address") || summary.contains("email");
            match (dob, addresses) {
                (true, true) => "changed the DOB on file and the email addresses",
                (true, false) => "changed the DOB on file",
                (false, true) => "changed the email addresses",
                (false, false) => "changed the account",
            }
        }
        AuditAction::TicketUpdated if summary.ends_with(&format!("assigned to {}", entry.actor)) => {
            "claimed the ticket"
        }
        AuditAction::TicketUpdated => "changed the ticket",
        AuditAction::NoteAdded => "added a note to the ticket",
        AuditAction::ReplySent => "replied to the client",
    }
}

/// The client on the invite page: visits and DOB refusals of the open
/// account's invites, from the events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OnPage {
    pub account_id: Option<AccountId>,
    pub visits: Vec<DateTime<Utc>>,
    pub refusals: Vec<DateTime<Utc>>,
}

impl OnPage {
    /// The line for the account screen, if the client was on the page in
    /// the last minute: "On the invite page now · DOB refused 2× in the
    /// last minute".
    pub fn line(&self, now: DateTime<Utc>) -> Option<String> {
        let recent = |times: &[DateTime<Utc>]| times.iter().filter(|&&t| now - t <= ON_PAGE_FOR).count();
        let (visits, refusals) = (recent(&self.visits), recent(&self.refusals));
        match (visits, refusals) {
            (0, 0) => None,
            (_, 0) => Some("On the invite page now".to_owned()),
            (_, n) => Some(format!("On the invite page now · DOB refused {n}× in the last minute")),
        }
    }

    fn note(&mut self, account_id: &AccountId, kind: EventType, at: DateTime<Utc>) {
        if self.account_id.as_ref() != Some(account_id) {
            *self = OnPage { account_id: Some(account_id.clone()), ..OnPage::default() };
        }
        let times = if kind == EventType::InviteDobRefused { &mut self.refusals } else { &mut self.visits };
        times.retain(|&t| at - t <= ON_PAGE_FOR);
        // A refusal is a visit too.
        times.push(at);
        if kind == EventType::InviteDobRefused {
            self.visits.push(at);
        }
    }
}

/// What the client typed in their newest DOB refused on the invite page in
/// the last minute, as the portal reports it (its staff API, read again
/// after the event): masked like every DOB until the account is revealed,
/// with the DOB check's word on it against the DOB on file, and, revealed,
/// the entry to type: "typed ••/••/•••• · day-first: the portal wants the
/// month first". `None` when the portal reported no such value.
pub fn refused_entry(account: &AccountState, now: DateTime<Utc>) -> Option<String> {
    use crate::diagnose::dob::{self, DobContext};
    let invites = account.invites.data.as_deref()?;
    let (_, typed) = invites
        .iter()
        .flat_map(|i| &i.visits)
        .filter(|v| v.outcome == VisitOutcome::DobRefused && now - v.at <= ON_PAGE_FOR)
        .filter_map(|v| Some((v.at, v.typed_dob.as_ref()?)))
        .max_by_key(|(at, _)| *at)?;
    let data = &account.account.data.as_ref()?.value;
    let ctx = DobContext { today: now.date_naive(), account_created: Some(data.created_at.date_naive()) };
    let check = dob::check_dob(*data.dob.expose(), typed.expose(), &ctx);
    let why = check.findings.first().map_or("check it against the DOB on file", |f| dob_word(f.code));
    if !account.revealed {
        return Some(format!("typed {} · {why}", crate::phi::DOB_MASK));
    }
    let mut line = format!("typed \"{}\" · {why}", crate::sanitize::line(typed.expose()));
    if let Some(entry) = check.suggested_entry {
        line.push_str(&format!(" → {entry}"));
    }
    Some(line)
}

/// The DOB check's finding in a few words, for the line on the page.
fn dob_word(code: crate::diagnose::dob::DobCode) -> &'static str {
    use crate::diagnose::dob::DobCode;
    match code {
        DobCode::DayMonthSwapped => "day-first: the portal wants the month first",
        DobCode::ReadsTwoWays => "reads two ways: ask which date they mean",
        DobCode::NotZeroPadded => "no leading zeros: two digits for month and day",
        DobCode::TwoDigitYear => "2-digit year: the portal wants all four",
        DobCode::WrongSeparator => "not slashes: the portal wants MM/DD/YYYY",
        DobCode::YearFirst => "year first: the portal wants month, day, year",
        DobCode::MonthAsWord => "month as a word: digits only, MM/DD/YYYY",
        DobCode::YearOffByOne => "the year is one off from the DOB on file",
        DobCode::DigitsTransposed => "two digits swapped against the DOB on file",
        DobCode::SingleDigitTypo => "one digit off the DOB on file",
        DobCode::ImpossibleDate => "not a real date",
        DobCode::FutureDate => "a date in the future",
        DobCode::Unparseable => "not readable as a date",
        DobCode::Incomplete => "part of the date is missing",
        DobCode::Mismatch => "another date than the DOB on file",
        DobCode::ProfileDobSuspect => "the DOB on file itself looks wrong",
        DobCode::ExactMatch => "the DOB on file, typed as the portal wants it",
    }
}

/// The console's live state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveState {
    /// The event stream is open.
    pub connected: bool,
    /// The event stream opened once: the console is live (presence is
    /// stated from then on).
    pub started: bool,
    /// Invites this console's own resends made (not a collision).
    pub own: Vec<InviteId>,
    /// This console's staff id, left out of the viewers shown.
    pub me: Option<String>,
    pub stale: Stale,
    /// The debounce running, if any.
    pub debounce: Option<ReqId>,
    /// When the last debounce started, and its wait (a burst doubles it).
    pub last_wait: Option<(DateTime<Utc>, Duration)>,
    /// Events that made something stale since the last debounce started.
    pub gathered: u32,
    /// The requests of the live re-read out, unanswered: the screen is
    /// drawn again once, when the last answers.
    pub reading: Vec<ReqId>,
    pub presence: Option<Presence>,
    pub on_page: OnPage,
    /// When the open account's invites were last read.
    pub invites_read_at: Option<DateTime<Utc>>,
    /// The collision guard of the open changing dialog, and what it
    /// compares with.
    pub guard: Guard,
    pub seen: Option<Seen>,
    /// The dialog the guard is for (another dialog starts a new one).
    pub guard_for: Option<super::keymap::ScreenKind>,
    /// The terminal has the focus (redraws and timers slow down without).
    pub focused: bool,
    /// The collision guard's window (`resend_guard_minutes`).
    pub resend_guard: Duration,
    /// The guard showed that someone else has the ticket: the confirm that
    /// sends anyway also takes the ticket over.
    pub take_over: bool,
    /// Something shown changed without a re-read (a line on the page).
    redraw: bool,
}

impl Default for LiveState {
    fn default() -> Self {
        Self {
            connected: false,
            started: false,
            own: Vec::new(),
            me: None,
            stale: Stale::default(),
            debounce: None,
            last_wait: None,
            gathered: 0,
            reading: Vec::new(),
            presence: None,
            on_page: OnPage::default(),
            invites_read_at: None,
            guard: Guard::Idle,
            seen: None,
            guard_for: None,
            focused: true,
            resend_guard: Duration::from_secs(crate::config::RESEND_GUARD_MINUTES * 60),
            take_over: false,
            redraw: false,
        }
    }
}

impl LiveState {
    /// Whether the last message changed what is shown (an event alone
    /// does not, until its re-read answers); clears it.
    pub fn take_redraw(&mut self) -> bool {
        std::mem::take(&mut self.redraw)
    }

    /// Whether the answer to `req` leaves the screen as it is for now: it
    /// is one of the live re-read's, and others are still out (the last
    /// one redraws, so a re-read is one redraw).
    pub fn answer_waits(&mut self, req: ReqId) -> bool {
        let before = self.reading.len();
        self.reading.retain(|r| *r != req);
        self.reading.len() < before && !self.reading.is_empty()
    }

    /// The ticket to leave at quit, if this console is on one.
    pub fn leaving(&self) -> Option<TicketId> {
        self.presence.as_ref().map(|p| p.ticket_id.clone())
    }

    /// The others on a ticket (this console's staff member left out).
    pub fn others<'a>(&'a self, viewers: &'a [Viewer]) -> impl Iterator<Item = &'a Viewer> + 'a {
        viewers.iter().filter(move |v| self.me.as_deref() != Some(v.staff_id.as_str()))
    }

    /// "👁 agent_rivera · replying" for the others on a ticket, if any.
    pub fn viewers_line(&self, viewers: &[Viewer]) -> Option<String> {
        let shown: Vec<String> = self
            .others(viewers)
            .map(|v| format!("👁 {} · {}", crate::sanitize::line(&v.staff_id), mode_word(v.mode)))
            .collect();
        (!shown.is_empty()).then(|| shown.join("  "))
    }
}

/// The word for a presence mode.
pub fn mode_word(mode: PresenceMode) -> &'static str {
    mode.as_str()
}

/// Who, for the collision texts: the staff id (this console's own, from
/// another console, says so), or "someone" when the portal did not say.
pub(crate) fn who(actor: Option<&str>, me: Option<&str>) -> String {
    match actor {
        Some(actor) => {
            let shown = crate::sanitize::field(actor);
            if Some(actor) == me { format!("{shown} (you, in another console)") } else { shown }
        }
        None => "someone".to_owned(),
    }
}

impl App {
    /// Applies the settings the live console reads.
    pub fn configure_live(&mut self, resend_guard: Duration) {
        self.live.resend_guard = resend_guard;
    }

    /// A message from the event stream.
    pub(super) fn on_live(&mut self, live: Live, now: DateTime<Utc>) -> Vec<Effect> {
        match live {
            Live::Connected => {
                self.live.connected = true;
                self.live.started = true;
                let mut effects = Vec::new();
                if self.live.me.is_none() {
                    let req = self.req();
                    effects.push(Effect::Portal(req, Request::Me {}));
                }
                if self.offline.is_some() && self.lock.is_none() {
                    self.live.redraw = true;
                    effects.extend(self.back_online());
                }
                effects
            }
            Live::Lost(error) => {
                self.live.connected = false;
                if error.is_unreachable() && self.offline.is_none() {
                    self.live.redraw = true;
                    return self.go_offline(now);
                }
                Vec::new()
            }
            Live::Event(event) => self.on_event(event, now),
        }
    }

    /// One event: mark what it makes stale, and start the debounce.
    fn on_event(&mut self, event: PortalEvent, now: DateTime<Utc>) -> Vec<Effect> {
        let open = self.account.as_ref().map(|a| a.id.clone());
        let for_open = event.account_id.is_some() && event.account_id == open;
        let in_queue = |id: &AccountId| {
            self.queue.tickets.data.as_deref().is_some_and(|tickets| tickets.iter().any(|t| &t.account_id == id))
        };
        match event.kind {
            EventType::Reset => {
                self.live.stale = Stale {
                    queue: true,
                    account: open.is_some(),
                    history: open.is_some(),
                    ticket: self.ticket.is_some(),
                };
            }
            EventType::TicketCreated
            | EventType::TicketUpdated
            | EventType::TicketMessage
            | EventType::PresenceChanged => {
                self.live.stale.queue = true;
                let on_pane = self.ticket.as_ref().is_some_and(|pane| event.ticket_id.as_ref() == Some(&pane.id));
                if on_pane && event.kind != EventType::PresenceChanged {
                    self.live.stale.ticket = true;
                }
                if for_open {
                    self.changed_under_guard(&event);
                }
            }
            EventType::AccountChanged
            | EventType::InviteSent
            | EventType::InviteDelivery
            | EventType::InviteVisit
            | EventType::InviteDobRefused
            | EventType::InviteAccepted
            | EventType::InviteExpired
            | EventType::InviteRevoked => {
                if event.account_id.as_ref().is_some_and(in_queue) {
                    self.live.stale.queue = true;
                }
                if for_open {
                    self.live.stale.history = true;
                    self.live.stale.account |= event.kind == EventType::AccountChanged;
                    self.changed_under_guard(&event);
                    if let (EventType::InviteVisit | EventType::InviteDobRefused, Some(account_id)) =
                        (event.kind, &event.account_id)
                    {
                        self.live.on_page.note(account_id, event.kind, event.at);
                        // The findings read the same visits, as facts passed in.
                        if let Some(account) = self.account.as_mut().filter(|a| &a.id == account_id) {
                            account.on_page.visits.clone_from(&self.live.on_page.visits);
                            account.on_page.refusals.clone_from(&self.live.on_page.refusals);
                        }
                        self.live.redraw = true;
                    }
                }
            }
        }
        self.debounce(now)
    }

    /// Starts the debounce if something is stale and none runs: short after
    /// a quiet spell or a lone event, twice the last wait while a burst goes
    /// on.
    fn debounce(&mut self, now: DateTime<Utc>) -> Vec<Effect> {
        if !self.live.stale.any() {
            return Vec::new();
        }
        self.live.gathered = self.live.gathered.saturating_add(1);
        if self.live.debounce.is_some() {
            return Vec::new();
        }
        let req = self.req();
        self.live.debounce = Some(req);
        // This event, and those the last wait gathered.
        let gathered = std::mem::replace(&mut self.live.gathered, 1);
        let after = match self.live.last_wait {
            _ if !self.live.focused => UNFOCUSED_DEBOUNCE,
            Some((at, wait))
                if gathered > 2
                    && chrono::Duration::from_std(wait + LIVE_DEBOUNCE)
                        .is_ok_and(|burst| now >= at && now - at < burst) =>
            {
                (wait * 2).clamp(LIVE_FIRST, LIVE_DEBOUNCE)
            }
            _ => LIVE_FIRST,
        };
        self.live.last_wait = Some((now, after));
        vec![Effect::After { due: Due::Live(req), after }]
    }

    /// A timer is over.
    pub(super) fn on_due(&mut self, due: Due) -> Vec<Effect> {
        match due {
            Due::Live(req) if self.live.debounce == Some(req) => {
                self.live.debounce = None;
                let stale = std::mem::take(&mut self.live.stale);
                // Locked, nothing is held; unlocking reads everything.
                if self.lock.is_some() {
                    return Vec::new();
                }
                let mut effects = Vec::new();
                if stale.queue {
                    let req = self.req();
                    effects.push(self.queue.reload(req));
                }
                if self.account.is_some() {
                    if stale.account {
                        effects.extend(self.load_account());
                    } else if stale.history {
                        effects.extend(self.load_history());
                    }
                }
                if stale.ticket && self.ticket.is_some() {
                    effects.extend(self.load_ticket());
                }
                self.live.reading = effects
                    .iter()
                    .filter_map(|e| if let Effect::Portal(req, _) = e { Some(*req) } else { None })
                    .collect();
                effects
            }
            Due::Presence(req) => {
                let Some((ticket_id, mode)) =
                    self.live.presence.as_ref().filter(|p| p.timer == req).map(|p| (p.ticket_id.clone(), p.mode))
                else {
                    return Vec::new();
                };
                let (call, timer) = (self.req(), self.req());
                if let Some(presence) = self.live.presence.as_mut() {
                    presence.timer = timer;
                }
                vec![
                    Effect::Portal(call, Request::Presence { ticket_id, mode }),
                    Effect::After { due: Due::Presence(timer), after: PRESENCE_EVERY },
                ]
            }
            Due::Live(_) => Vec::new(),
        }
    }

    /// The presence this console should state now: on a ticket's account,
    /// unlocked; changing in a changing dialog, replying in a note. None
    /// read-only: a heartbeat is a write to the portal, and a read-only
    /// console writes nothing.
    fn wanted_presence(&self) -> Option<(TicketId, PresenceMode)> {
        if !self.live.started || self.lock.is_some() || self.readonly() || self.view() != View::Account {
            return None;
        }
        let ticket = self.account.as_ref()?.ticket_id.clone()?;
        let mode = match &self.overlay {
            Some(Overlay::Note(_) | Overlay::Reply(_)) => PresenceMode::Replying,
            Some(
                Overlay::Resend(_) | Overlay::EditDob(_) | Overlay::Revoke(_) | Overlay::Addresses(_) | Overlay::Fix(_),
            ) => PresenceMode::Changing,
            _ => PresenceMode::Viewing,
        };
        Some((ticket, mode))
    }

    /// After each message: states presence when it changed (leaving the
    /// old ticket), and forgets the guard when its dialog closed.
    pub(super) fn after_update(&mut self) -> Vec<Effect> {
        // A changing dialog opened: what the agent read is the guard's
        // baseline until it shows what changed since.
        let changing = self.overlay.as_ref().map(Overlay::kind).filter(|kind| guarded_kind(*kind));
        if changing != self.live.guard_for {
            self.live.guard_for = changing;
            self.live.guard = Guard::Idle;
            self.live.seen = changing.and(self.account.as_ref()).map(Seen::of);
        }
        let wanted = self.wanted_presence();
        let current = self.live.presence.as_ref().map(|p| (p.ticket_id.clone(), p.mode));
        if wanted == current {
            return Vec::new();
        }
        let mut effects = Vec::new();
        if let Some((old, _)) = &current
            && wanted.as_ref().is_none_or(|(new, _)| new != old)
        {
            let req = self.req();
            effects.push(Effect::Portal(req, Request::LeavePresence { ticket_id: old.clone() }));
        }
        self.live.presence = None;
        if let Some((ticket_id, mode)) = wanted {
            let (req, timer) = (self.req(), self.req());
            effects.push(Effect::Portal(req, Request::Presence { ticket_id: ticket_id.clone(), mode }));
            effects.push(Effect::After { due: Due::Presence(timer), after: PRESENCE_EVERY });
            self.live.presence = Some(Presence { ticket_id, mode, timer });
        }
        effects
    }

    /// The terminal gained or lost the focus.
    pub(super) fn on_focus(&mut self, focused: bool) -> Vec<Effect> {
        self.live.focused = focused;
        Vec::new()
    }

    /// Who this console is.
    pub(super) fn on_me(&mut self, result: Result<StaffMember, PortalError>) -> Vec<Effect> {
        if let Ok(StaffMember { id, .. }) = result {
            self.live.me = Some(id);
            self.live.redraw = true;
        }
        Vec::new()
    }

    /// A presence call answered: nothing to show either way.
    pub(super) fn presence_answered(result: Result<(), PortalError>) -> Vec<Effect> {
        if let Err(error) = result {
            tracing::debug!(error = error.kind(), "presence not stated");
        }
        Vec::new()
    }

    /// Notes that the open account's invites were read (the guard's
    /// freshness).
    pub(super) fn invites_were_read(&mut self, now: DateTime<Utc>) {
        self.live.invites_read_at = Some(now);
    }

    /// An event about the open account or its ticket: a change by someone
    /// else (or by this staff member from another console) means the next
    /// confirm checks again, even one already cleared or shown.
    fn changed_under_guard(&mut self, event: &PortalEvent) {
        let by_other = event.actor.as_deref().is_some_and(|actor| self.live.me.as_deref() != Some(actor));
        let not_own = event.kind == EventType::InviteSent
            && event.invite_id.as_ref().is_some_and(|id| !self.live.own.contains(id));
        let change = matches!(
            event.kind,
            EventType::InviteSent
                | EventType::InviteRevoked
                | EventType::AccountChanged
                | EventType::TicketUpdated
                | EventType::TicketMessage
        );
        if change && (by_other || not_own) && !matches!(self.live.guard, Guard::Checking { .. }) {
            self.live.guard = Guard::Idle;
        }
    }

    /// Confirm in a changing dialog: `Some` when the guard takes it (a
    /// read first, or what changed to show), `None` to let the dialog send.
    /// One guard for every dialog: each says, through
    /// [`Dialog::guarded`](super::dialog::Dialog::guarded), whether its
    /// confirm sends a change now.
    pub(super) fn guard_confirm(&mut self, now: DateTime<Utc>) -> Option<Vec<Effect>> {
        let guarded = self.with_dialog(now, |dialog, cx| dialog.guarded(cx)).flatten()?;
        match std::mem::take(&mut self.live.guard) {
            Guard::Cleared | Guard::Shown(_) => {
                self.live.guard = Guard::Cleared;
                None
            }
            checking @ Guard::Checking { .. } => {
                self.live.guard = checking;
                Some(Vec::new())
            }
            Guard::Idle => {
                let account = self.account.as_ref()?;
                let fresh = self.live.invites_read_at.is_some_and(|at| now - at <= GUARD_FRESH)
                    && !self.live.stale.any()
                    && !account.account.is_loading()
                    && !account.invites.is_loading()
                    && !account.audit.is_loading();
                if fresh {
                    return self.guard_verdict(guarded, now);
                }
                Some(self.guard_check(true))
            }
        }
    }

    /// Reads the account again for the guard; `resume` sends the change
    /// once nothing changed.
    fn guard_check(&mut self, resume: bool) -> Vec<Effect> {
        let Some(account_id) = self.account.as_ref().map(|a| a.id.clone()) else { return Vec::new() };
        let req = self.req();
        self.live.guard = Guard::Checking { req, resume };
        vec![Effect::Portal(req, Request::GuardRead { account_id })]
    }

    /// Shows what changed (`Some`) or clears the guard (`None`: send).
    fn guard_verdict(&mut self, guarded: Guarded, now: DateTime<Utc>) -> Option<Vec<Effect>> {
        let account = self.account.as_ref()?;
        let seen = self.live.seen.clone().unwrap_or_else(|| Seen::of(account));
        let asking = Asking {
            me: self.live.me.as_deref(),
            own: &self.live.own,
            resend_window: (guarded == Guarded::Resend).then_some(self.live.resend_guard),
            now,
        };
        // Someone else's ticket: named, and asked (the fix dialog asks it
        // itself).
        let owner = self
            .ticket
            .as_ref()
            .filter(|pane| account.ticket_id.as_ref() == Some(&pane.id))
            .and_then(|pane| pane.claimed_by_other())
            .filter(|_| self.overlay.as_ref().map(Overlay::kind) != Some(super::keymap::ScreenKind::Fix))
            .map(|owner| format!("{}'s ticket: Enter again takes it over and does it.", crate::sanitize::field(owner)));
        self.live.take_over = owner.is_some();
        let changes = changes_since(&seen, Standing::of(account), asking);
        let said = match (changes, owner) {
            (Some(changes), Some(owner)) => Some(format!("{changes} {owner}")),
            (changes, owner) => changes.or(owner),
        };
        match said {
            Some(text) => {
                tracing::info!("change held back: the account changed since it was read");
                self.banner = Some(Banner::error(format!("{text} Enter again sends anyway; Esc cancels.")));
                // What the dialog shows is what was just read: the next
                // confirm goes against it, knowingly.
                self.live.seen = Some(Seen::of(account));
                if let Some(current) = account.account.data.clone() {
                    self.with_dialog(now, |dialog, _| dialog.rebase(&current));
                }
                self.live.guard = Guard::Shown(text);
                Some(Vec::new())
            }
            None => {
                self.live.guard = Guard::Cleared;
                None
            }
        }
    }

    /// Whether the confirm about to be taken sends a change the guard
    /// showed to be on someone else's ticket: it then takes the ticket
    /// over too (once).
    pub(super) fn takes_over(&mut self) -> bool {
        let taking = matches!(self.live.guard, Guard::Shown(_)) && self.live.take_over;
        if taking {
            self.live.take_over = false;
        }
        taking
    }

    /// A change was refused because the account moved under it (a 412, or
    /// a resend whose `newest_seen` is no longer the newest): read again
    /// and show what changed; the next confirm sends knowingly.
    pub(super) fn guard_refused(&mut self) -> Vec<Effect> {
        self.guard_check(false)
    }

    /// The guard's read: shows what changed, or sends.
    pub(super) fn guard_answer(
        &mut self,
        req: ReqId,
        result: Result<Box<GuardRead>, PortalError>,
        now: DateTime<Utc>,
    ) -> Vec<Effect> {
        let Guard::Checking { req: awaited, resume } = self.live.guard else { return Vec::new() };
        if awaited != req {
            return Vec::new();
        }
        self.live.guard = Guard::Idle;
        let read = match result {
            Ok(read) => read,
            Err(error) => {
                self.banner = Some(Banner::error(format!(
                    "Could not check for others' changes first ({}); Enter tries again.",
                    error.kind()
                )));
                return if error.is_unreachable() { self.go_offline(now) } else { Vec::new() };
            }
        };
        let GuardRead { account: current, invites, audit, me } = *read;
        self.live.me = Some(me);
        let Some(account) = self.account.as_mut() else { return Vec::new() };
        // What the dialog and the screen show is what was just read.
        account.account.data = Some(current);
        account.invites.data = Some(invites);
        account.audit.data = Some(audit);
        account.clamp();
        self.live.invites_read_at = Some(now);
        let Some(guarded) = self.with_dialog(now, |dialog, cx| dialog.guarded(cx)).flatten() else {
            return Vec::new();
        };
        match self.guard_verdict(guarded, now) {
            Some(effects) => effects,
            None if resume => self.on_overlay_action(super::action::Action::Confirm, now),
            None => Vec::new(),
        }
    }
}

/// Whether a dialog of this kind sends changes the guard checks.
fn guarded_kind(kind: super::keymap::ScreenKind) -> bool {
    use super::keymap::ScreenKind;
    matches!(
        kind,
        ScreenKind::Resend | ScreenKind::EditDob | ScreenKind::Addresses | ScreenKind::Revoke | ScreenKind::Fix
    )
}

impl LiveState {
    /// Another account was opened: what was known of the last one goes.
    pub fn opened_account(&mut self) {
        self.on_page = OnPage::default();
        self.invites_read_at = None;
        self.guard = Guard::Idle;
        self.seen = None;
        self.guard_for = None;
    }
}

/// Follows the portal's events from now on and hands each on as a message,
/// until the console ends (the receiver is gone) or the stream does (a
/// refused token).
pub async fn forward(client: crate::portal::PortalClient, tx: tokio::sync::mpsc::UnboundedSender<Msg>) {
    use futures::StreamExt;
    let stream = client.follow(None, &[], crate::portal::events::FollowOptions::default());
    futures::pin_mut!(stream);
    while let Some(live) = stream.next().await {
        if let Live::Lost(error) = &live {
            tracing::info!(error = error.kind(), "event stream lost; it reconnects by itself");
        }
        if tx.send(Msg::Live(live)).is_err() {
            return;
        }
    }
    tracing::warn!("event stream ended: live updates are off until restart");
}

/// The live lines, drawn on the bottom border of the view (only when there
/// is something to say, so a quiet desk looks as it always did): on the
/// queue, who else is on which ticket; on an account, who else is on its
/// ticket and whether the client is on the invite page now.
pub fn render_status(app: &App, frame: &mut ratatui::Frame<'_>, body: ratatui::layout::Rect, now: DateTime<Utc>) {
    use ratatui::text::{Line, Span};
    let tickets = app.queue.tickets.data.as_deref().unwrap_or_default();
    let mut parts: Vec<Span<'_>> = Vec::new();
    match app.view() {
        View::Queue => {
            for ticket in tickets {
                if let Some(line) = app.live.viewers_line(&ticket.viewers) {
                    parts.push(Span::styled(format!(" {} {line} ", ticket.id.as_str()), app.theme.warn));
                }
            }
        }
        View::Account => {
            let Some(account) = app.account.as_ref() else { return };
            if let Some(ticket_id) = &account.ticket_id
                && let Some(ticket) = tickets.iter().find(|t| &t.id == ticket_id)
                && let Some(line) = app.live.viewers_line(&ticket.viewers)
            {
                parts.push(Span::styled(format!(" {line} "), app.theme.warn));
            }
            if app.live.on_page.account_id.as_ref() == Some(&account.id)
                && let Some(line) = app.live.on_page.line(now)
            {
                parts.push(Span::styled(format!(" {line} "), app.theme.ok));
                if let Some(entry) = refused_entry(account, now) {
                    parts.push(Span::styled(format!("· {entry} "), app.theme.warn));
                }
            }
        }
        View::Search => {}
    }
    if parts.is_empty() || body.height < 3 || body.width < 6 {
        return;
    }
    let area = ratatui::layout::Rect { x: body.x + 2, y: body.bottom() - 1, width: body.width - 4, height: 1 };
    frame.render_widget(ratatui::widgets::Paragraph::new(Line::from(parts)), area);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::portal::model::AuditAction;

    fn entry(seq: i64, actor: &str, action: AuditAction, summary: &str, at: DateTime<Utc>) -> AuditEntry {
        AuditEntry {
            seq,
            at,
            actor: actor.into(),
            action,
            account_id: None,
            ticket_id: None,
            summary: summary.into(),
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    #[test]
    fn changes_since_names_what_and_who_from_the_trail_never_values_and_not_ones_own() {
        let now = DateTime::UNIX_EPOCH + chrono::Duration::days(1);
        let trail = vec![
            entry(1, "agent_chen", AuditAction::NoteAdded, "internal note added", now),
            entry(
                2,
                "agent_rivera",
                AuditAction::InviteSent,
                "invite sent to s***@e***.org",
                now - Duration::from_secs(40),
            ),
            entry(
                3,
                "agent_chen",
                AuditAction::AccountUpdated,
                "date of birth changed; reason: 03/05/1990",
                now - Duration::from_secs(120),
            ),
            entry(4, "agent_sandbox", AuditAction::AccountUpdated, "address a***@b***.org added; reason: x", now),
        ];
        let seen = Seen { etag: None, invites: None, audit_seq: Some(1) };
        let standing = Standing { etag: None, invites: &[], audit: &trail };
        let asking = Asking { me: Some("agent_sandbox"), own: &[], resend_window: None, now };
        assert_eq!(
            changes_since(&seen, standing, asking).as_deref(),
            Some("agent_chen changed the DOB on file 2m ago; agent_rivera resent the invite 40s ago.")
        );
        // Nothing after what was read: nothing to say.
        let seen = Seen { audit_seq: Some(4), ..seen };
        assert_eq!(changes_since(&seen, standing, asking), None);
        // A claim is named as one.
        let claim =
            [entry(5, "agent_rivera", AuditAction::TicketUpdated, "ticket T-1 is open, assigned to agent_rivera", now)];
        let standing = Standing { audit: &claim, ..standing };
        assert_eq!(
            changes_since(&seen, standing, asking).as_deref(),
            Some("agent_rivera claimed the ticket just now.")
        );
    }
}
