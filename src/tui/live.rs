//! The console live: the portal's event stream becomes [`Msg::Live`], which
//! marks what is stale; one re-read per stale resource goes out after a
//! short debounce ([`Due::Live`]), through the one request path. Presence
//! heartbeats ([`Due::Presence`]) say which ticket this console is on, and
//! the collision guard ([`App::guard_resend`]) stops a resend made on top
//! of another one.
//!
//! Events carry ids only: nothing here holds or logs a client's details.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::action::{Effect, Msg, ReqId, Request};
use super::app::{App, Banner, Overlay, View};
use crate::portal::PortalError;
use crate::portal::events::Live;
use crate::portal::model::{
    AccountId, EventType, Invite, InviteId, PortalEvent, PresenceMode, StaffMember, TicketId, Viewer,
};

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
}

impl Stale {
    fn any(self) -> bool {
        self.queue || self.account || self.history
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

/// A change another staff member made to the open account, from the
/// events, since its invites were last read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub kind: EventType,
    pub actor: String,
    pub at: DateTime<Utc>,
    pub invite_id: Option<InviteId>,
}

/// The collision guard of the open resend dialog.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Guard {
    /// Not checked yet.
    #[default]
    Idle,
    /// The invites are being read again (this request).
    Checking(ReqId),
    /// A collision was shown: the next confirm sends knowingly.
    Shown(String),
    /// Checked (or acknowledged): confirming sends.
    Cleared,
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
    /// Others' changes to the open account since its invites were read.
    pub changes: Vec<Change>,
    pub guard: Guard,
    /// The terminal has the focus (redraws and timers slow down without).
    pub focused: bool,
    /// The collision guard's window (`resend_guard_minutes`).
    pub resend_guard: Duration,
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
            changes: Vec::new(),
            guard: Guard::Idle,
            focused: true,
            resend_guard: Duration::from_secs(crate::config::RESEND_GUARD_MINUTES * 60),
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
    match mode {
        PresenceMode::Viewing => "viewing",
        PresenceMode::Replying => "replying",
        PresenceMode::Changing => "changing",
    }
}

/// "40 s", "3 min", "2 h".
fn ago(span: chrono::Duration) -> String {
    let seconds = span.num_seconds().max(0);
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3600 => format!("{} min", seconds / 60),
        _ => format!("{} h", seconds / 3600),
    }
}

/// Who, for the collision text.
fn who(actor: Option<&str>, me: Option<&str>) -> String {
    match actor {
        Some(actor) if Some(actor) == me => "you (from another console)".to_owned(),
        Some(actor) => crate::sanitize::line(actor).into_owned(),
        None => "someone".to_owned(),
    }
}

/// What changed under a resend about to go out, if anything: invites sent
/// since the agent read them (`shown`), others' changes seen in the events,
/// or a resend of the account within `window`. Pure: the instant is given.
pub fn collision(
    shown: &[InviteId],
    invites: &[Invite],
    changes: &[Change],
    me: Option<&str>,
    now: DateTime<Utc>,
    window: Duration,
) -> Option<String> {
    let actor_of = |id: &InviteId| {
        changes
            .iter()
            .find(|c| c.kind == EventType::InviteSent && c.invite_id.as_ref() == Some(id))
            .map(|c| c.actor.as_str())
    };
    let mut said = Vec::new();
    if let Some(new) = invites.iter().filter(|i| !shown.contains(&i.id)).max_by_key(|i| i.sent_at) {
        said.push(format!(
            "{} sent a new invite {} ago, since you read this account.",
            who(actor_of(&new.id), me),
            ago(now - new.sent_at)
        ));
    } else if let Some(latest) = invites.iter().max_by_key(|i| i.sent_at)
        && chrono::Duration::from_std(window).is_ok_and(|w| now - latest.sent_at < w)
    {
        said.push(format!(
            "An invite went out {} ago (by {}); another now stops that link working.",
            ago(now - latest.sent_at),
            who(actor_of(&latest.id), me)
        ));
    }
    let recent = |c: &&Change| chrono::Duration::from_std(window).is_ok_and(|w| now - c.at < w);
    for change in changes.iter().filter(recent) {
        let what = match change.kind {
            EventType::AccountChanged => "changed the account",
            EventType::InviteRevoked => "revoked an invite",
            _ => continue,
        };
        said.push(format!("{} {what} {} ago.", who(Some(&change.actor), me), ago(now - change.at)));
    }
    (!said.is_empty()).then(|| said.join(" "))
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
                self.live.stale = Stale { queue: true, account: open.is_some(), history: open.is_some() };
            }
            EventType::TicketCreated
            | EventType::TicketUpdated
            | EventType::TicketMessage
            | EventType::PresenceChanged => self.live.stale.queue = true,
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
                    if let Some(actor) = &event.actor
                        && matches!(
                            event.kind,
                            EventType::InviteSent | EventType::InviteRevoked | EventType::AccountChanged
                        )
                        && self.live.me.as_deref() != Some(actor.as_str())
                    {
                        self.live.changes.push(Change {
                            kind: event.kind,
                            actor: actor.clone(),
                            at: event.at,
                            invite_id: event.invite_id.clone(),
                        });
                    }
                    if let (EventType::InviteVisit | EventType::InviteDobRefused, Some(account_id)) =
                        (event.kind, &event.account_id)
                    {
                        self.live.on_page.note(account_id, event.kind, event.at);
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
                    self.queue.tickets.start(req);
                    effects.push(Effect::Portal(req, Request::Tickets {}));
                }
                if self.account.is_some() {
                    if stale.account {
                        effects.extend(self.load_account());
                    } else if stale.history {
                        effects.extend(self.load_history());
                    }
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
    /// unlocked; changing in a changing dialog, replying in a note.
    fn wanted_presence(&self) -> Option<(TicketId, PresenceMode)> {
        if !self.live.started || self.lock.is_some() || self.view() != View::Account {
            return None;
        }
        let ticket = self.account.as_ref()?.ticket_id.clone()?;
        let mode = match &self.overlay {
            Some(Overlay::Note(_)) => PresenceMode::Replying,
            Some(Overlay::Resend(_) | Overlay::EditDob(_) | Overlay::Revoke(_) | Overlay::Addresses(_)) => {
                PresenceMode::Changing
            }
            _ => PresenceMode::Viewing,
        };
        Some((ticket, mode))
    }

    /// After each message: states presence when it changed (leaving the
    /// old ticket), and forgets the guard when its dialog closed.
    pub(super) fn after_update(&mut self) -> Vec<Effect> {
        if !matches!(self.overlay, Some(Overlay::Resend(_))) {
            self.live.guard = Guard::Idle;
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

    /// Confirm in the resend dialog: `Some` when the guard takes it (a
    /// check first, or a collision to show), `None` to send.
    pub(super) fn guard_resend(&mut self, now: DateTime<Utc>) -> Option<Vec<Effect>> {
        let Some(Overlay::Resend(state)) = &self.overlay else { return None };
        // A retry of a resend already made (its key kept) is no new one.
        if state.submission.holds(now) || state.submission.error.is_some() || state.checking {
            return None;
        }
        let account = self.account.as_ref()?;
        let request = crate::portal::model::ResendRequest { ticket_id: account.ticket_id.clone() };
        let change = super::screens::submission::ChangeId::new("resend", account.id.as_str(), &request);
        if self.unconfirmed.holds(&change) {
            return None;
        }
        match std::mem::take(&mut self.live.guard) {
            Guard::Cleared | Guard::Shown(_) => {
                self.live.guard = Guard::Cleared;
                None
            }
            Guard::Checking(req) => {
                self.live.guard = Guard::Checking(req);
                Some(Vec::new())
            }
            Guard::Idle => {
                let account = self.account.as_ref()?;
                let fresh = self.live.invites_read_at.is_some_and(|at| now - at <= GUARD_FRESH)
                    && !self.live.stale.history
                    && !account.invites.is_loading();
                if fresh {
                    let invites = account.invites.data.clone().unwrap_or_default();
                    let shown: Vec<InviteId> = invites.iter().map(|i| i.id.clone()).collect();
                    return self.guard_verdict(&shown, &invites, now);
                }
                let account_id = account.id.clone();
                let req = self.req();
                self.live.guard = Guard::Checking(req);
                Some(vec![Effect::Portal(req, Request::GuardInvites { account_id })])
            }
        }
    }

    /// Shows a collision (`Some`) or clears the guard (`None`: send).
    fn guard_verdict(&mut self, shown: &[InviteId], invites: &[Invite], now: DateTime<Utc>) -> Option<Vec<Effect>> {
        let me = self.live.me.as_deref();
        // This console's own resends are no collision with itself.
        let others: Vec<Invite> = invites.iter().filter(|i| !self.live.own.contains(&i.id)).cloned().collect();
        match collision(shown, &others, &self.live.changes, me, now, self.live.resend_guard) {
            Some(text) => {
                tracing::info!("resend held back: the account changed or was resent recently");
                self.banner = Some(Banner::error(format!("{text} Enter again sends anyway; Esc cancels.")));
                self.live.guard = Guard::Shown(text);
                Some(Vec::new())
            }
            None => {
                self.live.guard = Guard::Cleared;
                None
            }
        }
    }

    /// The guard's re-read of the invites: shows a collision, or sends.
    pub(super) fn guard_read(
        &mut self,
        req: ReqId,
        result: Result<Vec<Invite>, PortalError>,
        now: DateTime<Utc>,
    ) -> Vec<Effect> {
        if self.live.guard != Guard::Checking(req) {
            return Vec::new();
        }
        self.live.guard = Guard::Idle;
        let invites = match result {
            Ok(invites) => invites,
            Err(error) => {
                self.banner = Some(Banner::error(format!(
                    "Could not check for others' changes first ({}); Enter tries again.",
                    error.kind()
                )));
                return if error.is_unreachable() { self.go_offline(now) } else { Vec::new() };
            }
        };
        let Some(account) = self.account.as_mut() else { return Vec::new() };
        let shown: Vec<InviteId> =
            account.invites.data.as_deref().unwrap_or_default().iter().map(|i| i.id.clone()).collect();
        // What the dialog shows is what was just read.
        account.invites.data = Some(invites.clone());
        account.clamp();
        self.live.invites_read_at = Some(now);
        match self.guard_verdict(&shown, &invites, now) {
            Some(effects) => effects,
            None => self.on_overlay_action(super::action::Action::Confirm, now),
        }
    }
}

impl LiveState {
    /// Another account was opened: what was known of the last one goes.
    pub fn opened_account(&mut self) {
        self.changes.clear();
        self.on_page = OnPage::default();
        self.invites_read_at = None;
        self.guard = Guard::Idle;
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
