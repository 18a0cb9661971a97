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

mod guard;
mod presence;
mod status;

pub use guard::*;
pub use presence::*;
pub use status::*;

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::wording::ago;

use super::action::{Effect, Msg, ReqId, Request};
use super::app::{App, Banner, Overlay, View};
use super::screens::account::AccountState;
use crate::portal::PortalError;
use crate::portal::events::Live;
use crate::portal::model::{
    AccountId, AuditAction, AuditEntry, ETag, EventType, Invite, InviteId, PortalEvent, PresenceMode, StaffMember,
    TicketId, Viewer, VisitOutcome,
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
    /// What others did to the open account or its ticket within the
    /// guard's window, said in the changing dialog as it opens
    /// ([`lately`]); `None` when nothing, or no such dialog is open.
    pub lately: Option<String>,
    /// The changing dialog [`Self::lately`] was said for.
    pub lately_for: Option<super::keymap::ScreenKind>,
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
            lately: None,
            lately_for: None,
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
                    effects.extend(self.back_online(now));
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
        let open = self.stack.account().map(|a| a.id.clone());
        let for_open = event.account_id.is_some() && event.account_id == open;
        let in_queue = |id: &AccountId| {
            self.stack.queue.tickets.data.as_deref().is_some_and(|tickets| tickets.iter().any(|t| &t.account_id == id))
        };
        match event.kind {
            EventType::Reset => {
                self.live.stale = Stale {
                    queue: true,
                    account: open.is_some(),
                    history: open.is_some(),
                    ticket: self.stack.ticket().is_some(),
                };
            }
            EventType::TicketCreated
            | EventType::TicketUpdated
            | EventType::TicketMessage
            | EventType::PresenceChanged => {
                self.live.stale.queue = true;
                let on_pane = self.stack.ticket().is_some_and(|pane| event.ticket_id.as_ref() == Some(&pane.id));
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
                        if let Some(account) = self.stack.account_mut().filter(|a| &a.id == account_id) {
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
                    effects.push(self.stack.queue.reload(req));
                }
                if self.stack.account().is_some() {
                    if stale.account {
                        effects.extend(self.load_account());
                    } else if stale.history {
                        effects.extend(self.load_history());
                    }
                }
                if stale.ticket && self.stack.ticket().is_some() {
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

    /// After each message: states presence when it changed (leaving the
    /// old ticket), and forgets the guard when its dialog closed.
    pub(super) fn after_update(&mut self, now: DateTime<Utc>) -> Vec<Effect> {
        // A changing dialog opened: what the agent read is the guard's
        // baseline until it shows what changed since.
        let changing = self.overlay.as_ref().map(Overlay::kind).filter(|kind| guarded_kind(*kind));
        if changing != self.live.guard_for {
            self.live.guard_for = changing;
            self.live.guard = Guard::Idle;
            self.live.seen = changing.and(self.stack.account()).map(Seen::of);
        }
        // A dialog that changes the account or its ticket (a reply and a
        // note too) says at once what others did to them lately, before
        // any confirm; it goes with the dialog.
        let noticed = self.overlay.as_ref().map(Overlay::kind).filter(|kind| noticed_kind(*kind));
        if noticed != self.live.lately_for {
            self.live.lately_for = noticed;
            self.live.lately = noticed.and(self.stack.account()).and_then(|account| {
                let audit = account.audit.data.as_deref().unwrap_or_default();
                lately(audit, self.live.me.as_deref(), self.live.resend_guard, now)
            });
            self.live.redraw |= self.live.lately.is_some();
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

    /// Notes that the open account's invites were read (the guard's
    /// freshness).
    pub(super) fn invites_were_read(&mut self, now: DateTime<Utc>) {
        self.live.invites_read_at = Some(now);
    }
}

impl LiveState {
    /// Another account was opened: what was known of the last one goes.
    pub fn opened_account(&mut self) {
        self.on_page = OnPage::default();
        self.invites_read_at = None;
        self.guard = Guard::Idle;
        self.seen = None;
        self.guard_for = None;
        self.lately = None;
        self.lately_for = None;
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
