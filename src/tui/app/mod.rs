//! The console's state and its update function: messages in, state changes
//! and effects out. Never awaits, never touches the terminal or the network.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent, MouseEventKind};

mod answers;

use super::action::{Action, Effect, Msg, ReqId, Request, Terminal};
pub use super::dialog::Overlay;
use super::keymap::{Keymap, ScreenKind};
use super::screens::account::{AccountState, REVEAL_FOR};
use super::screens::addresses::AddressesState;
use super::screens::dob_compare::DobCompareState;
use super::screens::edit_dob::EditDobState;
use super::screens::help::HelpState;
use super::screens::note::NoteState;
use super::screens::palette::PaletteState;
use super::screens::queue::QueueState;
use super::screens::resend::ResendState;
use super::screens::revoke::RevokeState;
use super::screens::search::SearchState;
use super::screens::timeline::TimelineState;
use super::screens::{self, layout};
use super::theme::Theme;
use crate::config::Settings;
use crate::diagnose::replies::Replies;
use crate::phi::Phi;
use crate::portal::model::{InviteStatus, ResendRequest};
use crate::portal::{IdempotencyKey, PortalError};
use crate::timezone::StaffZone;

/// Data that comes from the portal: the last good value (kept while a
/// refresh is under way), the request in flight, and the last error.
#[derive(Debug, Clone)]
pub struct Remote<T> {
    pub data: Option<T>,
    pub pending: Option<ReqId>,
    pub error: Option<PortalError>,
}

impl<T> Default for Remote<T> {
    fn default() -> Self {
        Self { data: None, pending: None, error: None }
    }
}

impl<T> Remote<T> {
    /// Marks request `req` as the one whose answer counts.
    pub fn start(&mut self, req: ReqId) {
        self.pending = Some(req);
    }

    /// Takes the answer to `req` if it is the one awaited; an answer to an
    /// older request (arriving late or out of order) is dropped. Returns
    /// whether it was taken.
    pub fn finish(&mut self, req: ReqId, result: Result<T, PortalError>) -> bool {
        if self.pending != Some(req) {
            return false;
        }
        self.pending = None;
        match result {
            Ok(data) => {
                self.data = Some(data);
                self.error = None;
            }
            Err(error) => self.error = Some(error),
        }
        true
    }

    pub fn is_loading(&self) -> bool {
        self.pending.is_some()
    }
}

/// The full-screen views, stacked: Esc goes back one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Queue,
    Search,
    Account,
}

/// A line across the top for what just happened or failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Banner {
    pub text: String,
    pub error: bool,
}

/// The idle lock's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    /// Locked; a key asks for confirmation.
    Locked,
    /// A key was pressed; Enter unlocks, anything else stays locked.
    Confirming,
}

/// The portal cannot be reached: since when, and the probe that asks
/// whether it answers again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offline {
    pub since: DateTime<Utc>,
    /// Probes that failed so far (the wait grows with them).
    pub attempts: u32,
    pub probe: Option<ReqId>,
}

/// The whole console state.
pub struct App {
    pub views: Vec<View>,
    pub overlay: Option<Overlay>,
    pub queue: QueueState,
    pub search: SearchState,
    pub account: Option<AccountState>,
    pub banner: Option<Banner>,
    pub theme: Theme,
    pub replies: Replies,
    pub mouse: bool,
    /// The terminal size, for mapping mouse clicks to rows.
    pub size: (u16, u16),
    pub quit: bool,
    /// Locked after a spell without input (automatic logoff): the screen
    /// shows no PHI until unlocked.
    pub lock: Option<Lock>,
    /// The keys in force (the config file may rebind them).
    pub keymap: Keymap,
    /// The staff member's time zone, for absolute times.
    pub zone: StaffZone,
    /// Absolute times shown beside relative ones (`t`).
    pub absolute_times: bool,
    /// How long a revealed email and DOB stay shown.
    pub reveal_for: std::time::Duration,
    /// Set while the portal cannot be reached.
    pub offline: Option<Offline>,
    /// Resends sent whose success was never seen, by account id: the
    /// resend dialog reopened on the account sends with the same
    /// Idempotency-Key, so a resend whose answer was lost cannot make a
    /// second invite.
    pub unconfirmed_resends: HashMap<String, UnconfirmedResend>,
    next_req: ReqId,
}

/// A resend that went out and whose success was never seen (its answer was
/// lost, or failed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnconfirmedResend {
    pub request: ResendRequest,
    pub key: IdempotencyKey,
    /// The invites of the account when it went out, if they were known: an
    /// invite beyond them, read back later, shows the outcome.
    pub known: Option<Vec<String>>,
}

impl App {
    /// A new console on the queue; returns the effects that load it.
    pub fn new(mouse: bool, size: (u16, u16)) -> (Self, Vec<Effect>) {
        let mut app = Self {
            views: vec![View::Queue],
            overlay: None,
            queue: QueueState::default(),
            search: SearchState::default(),
            account: None,
            banner: None,
            theme: Theme::dark(),
            replies: Replies::builtin(),
            mouse,
            size,
            quit: false,
            lock: None,
            keymap: Keymap::default(),
            zone: StaffZone::Utc,
            absolute_times: false,
            reveal_for: REVEAL_FOR,
            offline: None,
            unconfirmed_resends: HashMap::new(),
            next_req: 0,
        };
        let req = app.req();
        app.queue.tickets.start(req);
        (app, vec![Effect::Portal(req, Request::Tickets {})])
    }

    /// Applies the settings in force: keys, theme, time zone, reveal time,
    /// search role and the practice's own replies. An error (a bad key
    /// binding or reply file) is for the user before the console starts.
    pub fn configure(&mut self, settings: &Settings, no_color: bool) -> Result<(), String> {
        let file = settings.file.as_ref().map_or_else(|| "config".to_owned(), |f| f.display().to_string());
        self.keymap = Keymap::from_config(&settings.keys).map_err(|e| format!("{file}: {e}"))?;
        self.theme = Theme::named(settings.theme, no_color);
        self.zone = settings.time_zone;
        self.reveal_for = settings.reveal_for;
        self.search.role = settings.role.role();
        let mut replies = Replies::builtin().with_zone(settings.time_zone);
        if let Some(dir) = &settings.replies_dir {
            replies.load_overrides(dir)?;
        }
        self.replies = replies;
        Ok(())
    }

    /// A fresh request id.
    pub fn req(&mut self) -> ReqId {
        self.next_req += 1;
        self.next_req
    }

    /// The view on top.
    pub fn view(&self) -> View {
        self.views.last().copied().unwrap_or(View::Queue)
    }

    /// The screen whose keys apply now.
    pub fn screen(&self) -> ScreenKind {
        match &self.overlay {
            Some(overlay) => overlay.dialog().kind(),
            None => self.view_screen(),
        }
    }

    /// The screen of the view under any dialog.
    pub fn view_screen(&self) -> ScreenKind {
        match self.view() {
            View::Queue => ScreenKind::Queue,
            View::Search => ScreenKind::Search,
            View::Account => ScreenKind::Account,
        }
    }

    /// Whether any request is in flight (the header says so).
    pub fn is_loading(&self) -> bool {
        self.queue.tickets.is_loading()
            || self.search.results.is_loading()
            || self.account.as_ref().is_some_and(|a| a.account.is_loading() || a.invites.is_loading())
    }

    /// Whether a countdown is on screen (the 1 Hz tick runs only then).
    pub fn shows_countdown(&self) -> bool {
        if self.lock.is_some() {
            return false;
        }
        if let Some(shown) = self.overlay.as_ref().and_then(|o| o.dialog().countdown()) {
            return shown;
        }
        match self.view() {
            View::Queue => self.queue.has_countdown(),
            View::Account => self.account.as_ref().is_some_and(AccountState::has_countdown),
            View::Search => false,
        }
    }

    /// Applies one message; returns what to do outside.
    pub fn update(&mut self, msg: Msg, now: DateTime<Utc>) -> Vec<Effect> {
        if self.lock.is_some() {
            return self.update_locked(msg, now);
        }
        match msg {
            Msg::Key(key) if key.kind == KeyEventKind::Press => self.on_key(key, now),
            Msg::Tick => Vec::new(),
            Msg::RevealOver(reveal) => {
                if let Some(account) = self.account.as_mut() {
                    account.reveal_over(reveal);
                }
                Vec::new()
            }
            Msg::Copied { what, result } => {
                self.banner = Some(match result {
                    Ok(copied) => Banner { text: copied.message(what), error: false },
                    Err(error) => Banner { text: format!("Not copied: {error}"), error: true },
                });
                Vec::new()
            }
            Msg::Key(_) => Vec::new(),
            Msg::Mouse(mouse) => self.on_mouse(mouse),
            Msg::Paste(text) => self.on_paste(&text),
            Msg::Resize => Vec::new(),
            Msg::SearchDue(req) => self.search.due(req),
            Msg::IdleLock => {
                self.lock = Some(Lock::Locked);
                if let Some(account) = self.account.as_mut() {
                    account.mask();
                }
                Vec::new()
            }
            Msg::ReconnectDue(req) => self.reconnect_due(req),
            Msg::Answer(req, answer) => self.on_answer(req, answer, now),
        }
    }

    /// While locked, only unlocking (a key, then Enter) and quitting work;
    /// answers from the portal are still taken so nothing is lost.
    fn update_locked(&mut self, msg: Msg, now: DateTime<Utc>) -> Vec<Effect> {
        match msg {
            Msg::Key(key) if key.kind == KeyEventKind::Press => {
                if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
                    self.quit = true;
                    return vec![Effect::Terminal(Terminal::Quit)];
                }
                self.lock = match (self.lock, key.code) {
                    (Some(Lock::Confirming), KeyCode::Enter) => None,
                    _ => Some(Lock::Confirming),
                };
                Vec::new()
            }
            Msg::ReconnectDue(req) => self.reconnect_due(req),
            Msg::Answer(req, answer) => self.on_answer(req, answer, now),
            Msg::SearchDue(req) => self.search.due(req),
            _ => Vec::new(),
        }
    }

    fn on_key(&mut self, key: KeyEvent, now: DateTime<Utc>) -> Vec<Effect> {
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('z') {
            return vec![Effect::Terminal(Terminal::Suspend)];
        }
        let screen = self.screen();
        if self.banner.as_ref().is_some_and(|b| !b.error) {
            self.banner = None;
        }
        match self.keymap.action_for(screen, &key) {
            Some(action) => self.on_action(action, now),
            None if screen.takes_text() => self.on_text_key(key),
            None => Vec::new(),
        }
    }

    /// Keys that edit the focused text field.
    fn on_text_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let event = crossterm::event::Event::Key(key);
        let searching = self.view() == View::Search;
        match &mut self.overlay {
            Some(overlay) => {
                overlay.dialog_mut().edit(&event);
                Vec::new()
            }
            None if searching => {
                let req = self.req();
                self.search.edit(&event, req)
            }
            _ => Vec::new(),
        }
    }

    fn on_paste(&mut self, text: &str) -> Vec<Effect> {
        let searching = self.view() == View::Search;
        match &mut self.overlay {
            Some(overlay) => {
                overlay.dialog_mut().paste(text);
                Vec::new()
            }
            None if searching => {
                let req = self.req();
                self.search.paste(text, req)
            }
            _ => Vec::new(),
        }
    }

    fn on_action(&mut self, action: Action, now: DateTime<Utc>) -> Vec<Effect> {
        match action {
            Action::Quit => {
                self.quit = true;
                return vec![Effect::Terminal(Terminal::Quit)];
            }
            Action::Help => {
                self.overlay = Some(Overlay::Help(HelpState));
                return Vec::new();
            }
            Action::ToggleMouse => {
                self.mouse = !self.mouse;
                let state = if self.mouse { "on" } else { "off: drag to select text" };
                self.banner = Some(Banner { text: format!("Mouse capture {state}"), error: false });
                return vec![Effect::Terminal(Terminal::SetMouse(self.mouse))];
            }
            Action::Search if self.overlay.is_none() => {
                if self.view() != View::Search {
                    self.views.push(View::Search);
                }
                return Vec::new();
            }
            Action::Palette if self.overlay.is_none() => {
                self.overlay = Some(Overlay::Palette(PaletteState::default()));
                return Vec::new();
            }
            Action::AbsoluteTimes => {
                self.absolute_times = !self.absolute_times;
                let zone = self.zone.name().to_owned();
                let text = if self.absolute_times {
                    format!("Times also shown as dates ({zone})")
                } else {
                    "Relative times only".into()
                };
                self.banner = Some(Banner { text, error: false });
                return Vec::new();
            }
            _ => {}
        }
        if self.overlay.is_some() {
            return self.on_overlay_action(action, now);
        }
        match self.view() {
            View::Queue => self.on_queue_action(action),
            View::Search => self.on_search_action(action),
            View::Account => self.on_account_action(action, now),
        }
    }

    fn on_queue_action(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Open => match self.queue.selected_ticket() {
                Some(ticket) => {
                    let (account_id, ticket_id) = (ticket.account_id.clone(), ticket.id.clone());
                    self.open_account(account_id, Some(ticket_id))
                }
                None => Vec::new(),
            },
            Action::NextTicket => {
                self.queue.select_next_unclaimed();
                Vec::new()
            }
            Action::Note => {
                let ticket = self.queue.selected_ticket().map(|t| t.id.clone());
                self.open_note(ticket)
            }
            Action::Refresh => {
                let req = self.req();
                self.queue.tickets.start(req);
                vec![Effect::Portal(req, Request::Tickets {})]
            }
            other => {
                self.queue.navigate(other);
                Vec::new()
            }
        }
    }

    fn on_search_action(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Back => {
                self.views.pop();
                Vec::new()
            }
            Action::Open => match self.search.selected_account() {
                Some(id) => self.open_account(id, None),
                None => Vec::new(),
            },
            Action::CycleRole => {
                let req = self.req();
                self.search.cycle_role(req)
            }
            other => {
                self.search.navigate(other);
                Vec::new()
            }
        }
    }

    fn on_account_action(&mut self, action: Action, now: DateTime<Utc>) -> Vec<Effect> {
        let reveal = self.req();
        let Some(account) = self.account.as_mut() else {
            self.views.pop();
            return Vec::new();
        };
        match action {
            Action::Back => {
                self.views.pop();
                Vec::new()
            }
            Action::Reveal => match account.toggle_reveal(reveal) {
                // The timer runs outside, on the monotonic clock.
                true => vec![Effect::MaskAfter { reveal, after: self.reveal_for }],
                false => Vec::new(),
            },
            Action::Copy => match account.main_reply(&self.replies, now) {
                Some(reply) => vec![Effect::Terminal(Terminal::Copy { what: "the reply", text: reply })],
                None => {
                    self.banner =
                        Some(Banner { text: "Nothing to copy until the account has loaded".into(), error: true });
                    Vec::new()
                }
            },
            Action::Note => {
                let ticket = account.ticket_id.clone();
                self.open_note(ticket)
            }
            Action::Open => {
                if let Some(invite) = account.selected() {
                    self.overlay = Some(Overlay::Timeline(TimelineState::new(invite.id.clone())));
                }
                Vec::new()
            }
            Action::Revoke => {
                let invite = account.selected().map(|i| (i.id.clone(), i.status));
                self.open_revoke(invite)
            }
            Action::Addresses => match account.account.data.clone() {
                Some(base) => {
                    let state = AddressesState::new(base, account.ticket_id.clone());
                    self.overlay = Some(Overlay::Addresses(Box::new(state)));
                    Vec::new()
                }
                None => {
                    self.banner = Some(Banner { text: "The account is still loading".into(), error: true });
                    Vec::new()
                }
            },
            Action::Audit => {
                account.show_audit = !account.show_audit;
                Vec::new()
            }
            Action::Refresh => self.load_account(),
            Action::Resend => {
                // The key of a resend whose success was never seen, if it
                // was the same request; else a new one.
                let key = self
                    .unconfirmed_resends
                    .get(&account.id)
                    .filter(|u| u.request.ticket_id == account.ticket_id)
                    .map(|u| u.key.clone())
                    .unwrap_or_default();
                self.overlay = Some(Overlay::Resend(ResendState::with_key(key)));
                Vec::new()
            }
            Action::DobCompare => {
                self.overlay = Some(Overlay::DobCompare(DobCompareState::default()));
                Vec::new()
            }
            Action::EditDob => match account.account.data.clone() {
                Some(base) => {
                    self.overlay = Some(Overlay::EditDob(Box::new(EditDobState::new(base, account.ticket_id.clone()))));
                    Vec::new()
                }
                None => {
                    self.banner = Some(Banner { text: "The account is still loading".into(), error: true });
                    Vec::new()
                }
            },
            Action::NextTicket => {
                let current = account.ticket_id.clone();
                match self.queue.next_unclaimed_after(current.as_deref()) {
                    Some((account_id, ticket_id)) => {
                        self.views.pop();
                        self.open_account(account_id, Some(ticket_id))
                    }
                    None => {
                        self.banner = Some(Banner { text: "No other unclaimed ticket".into(), error: false });
                        Vec::new()
                    }
                }
            }
            other => {
                account.navigate(other);
                Vec::new()
            }
        }
    }

    fn on_overlay_action(&mut self, action: Action, now: DateTime<Utc>) -> Vec<Effect> {
        // Ids only need to be unique: one taken and not used costs nothing.
        let req = self.req();
        let under = self.view_screen();
        let Some(overlay) = self.overlay.as_mut() else {
            return Vec::new();
        };
        match overlay {
            Overlay::Help(_) => {
                if action == Action::Back {
                    self.overlay = None;
                }
                Vec::new()
            }
            Overlay::DobCompare(state) => match action {
                Action::Back => {
                    self.overlay = None;
                    Vec::new()
                }
                Action::Copy => {
                    let entry = self
                        .account
                        .as_ref()
                        .and_then(|account| screens::dob_compare::current_check(state, account, now))
                        .and_then(|check| check.suggested_entry);
                    match entry {
                        Some(entry) => {
                            vec![Effect::Terminal(Terminal::Copy { what: "the entry to type", text: Phi::new(entry) })]
                        }
                        None => {
                            self.banner = Some(Banner {
                                text: "Nothing to copy: type the DOB the client reports first".into(),
                                error: true,
                            });
                            Vec::new()
                        }
                    }
                }
                _ => Vec::new(),
            },
            Overlay::Palette(state) => {
                let count = screens::palette::commands(&self.keymap, under, state.input.value()).len();
                match action {
                    Action::Back => {
                        self.overlay = None;
                        Vec::new()
                    }
                    Action::Confirm => match state.chosen(&self.keymap, under) {
                        Some(chosen) => {
                            self.overlay = None;
                            self.on_action(chosen, now)
                        }
                        None => Vec::new(),
                    },
                    other => {
                        state.navigate(other, count);
                        Vec::new()
                    }
                }
            }
            Overlay::Timeline(state) => match action {
                Action::Back => {
                    self.overlay = None;
                    Vec::new()
                }
                Action::Revoke => {
                    let id = state.invite_id.clone();
                    let status = self
                        .account
                        .as_ref()
                        .and_then(|a| a.invites.data.as_ref()?.iter().find(|i| i.id == id).map(|i| i.status));
                    self.open_revoke(status.map(|s| (id, s)))
                }
                other => {
                    state.navigate(other);
                    Vec::new()
                }
            },
            Overlay::Addresses(state) => {
                let outcome = state.on_action(action, req, now);
                if outcome.close {
                    self.overlay = None;
                }
                outcome.effects
            }
            Overlay::Revoke(state) => match action {
                Action::Back if state.submission.pending.is_none() => {
                    self.overlay = None;
                    Vec::new()
                }
                Action::Confirm => match self.account.as_ref() {
                    Some(account) => state.confirm(req, account, now),
                    None => Vec::new(),
                },
                _ => Vec::new(),
            },
            Overlay::Note(state) => match action {
                Action::Back if state.submission.pending.is_none() => {
                    self.overlay = None;
                    Vec::new()
                }
                Action::Confirm => state.confirm(req, now),
                _ => Vec::new(),
            },
            Overlay::Resend(state) => match action {
                Action::Back if state.submission.pending.is_none() => {
                    self.overlay = None;
                    Vec::new()
                }
                Action::Confirm => {
                    let Some(account) = self.account.as_ref() else {
                        return Vec::new();
                    };
                    let effects = state.confirm(req, &account.id, account.ticket_id.clone(), now);
                    if let Some(Effect::Portal(_, Request::Resend { account_id, request, key })) = effects.first() {
                        let known = account.invites.data.as_ref().map(|l| l.iter().map(|i| i.id.clone()).collect());
                        let unconfirmed = UnconfirmedResend { request: request.clone(), key: key.clone(), known };
                        self.unconfirmed_resends.insert(account_id.clone(), unconfirmed);
                    }
                    effects
                }
                _ => Vec::new(),
            },
            Overlay::EditDob(state) => {
                let outcome = state.on_action(action, req, now);
                if outcome.close {
                    self.overlay = None;
                }
                outcome.effects
            }
        }
    }

    /// Opens the revoke dialog for a pending invite, or says why not.
    fn open_revoke(&mut self, invite: Option<(String, InviteStatus)>) -> Vec<Effect> {
        match invite {
            Some((id, InviteStatus::Pending)) => self.overlay = Some(Overlay::Revoke(Box::new(RevokeState::new(id)))),
            Some((id, status)) => {
                self.banner = Some(Banner {
                    text: format!("Only a pending invite can be revoked; {id} is {}", status.as_str()),
                    error: true,
                })
            }
            None => self.banner = Some(Banner { text: "No invite to revoke".into(), error: true }),
        }
        Vec::new()
    }

    /// Opens the note dialog for a ticket, or says why not.
    fn open_note(&mut self, ticket: Option<String>) -> Vec<Effect> {
        match ticket {
            Some(ticket_id) => self.overlay = Some(Overlay::Note(Box::new(NoteState::new(ticket_id)))),
            None => {
                self.banner = Some(Banner {
                    text: "No ticket to note: open the account from a ticket in the queue".into(),
                    error: true,
                })
            }
        }
        Vec::new()
    }

    /// Opens an account (with the ticket it is worked for, if any).
    pub fn open_account(&mut self, account_id: String, ticket_id: Option<String>) -> Vec<Effect> {
        self.account = Some(AccountState::new(account_id, ticket_id));
        if self.view() == View::Search {
            self.views.pop();
        }
        self.views.push(View::Account);
        self.load_account()
    }

    /// (Re)loads the open account, its invites and its audit trail.
    pub(super) fn load_account(&mut self) -> Vec<Effect> {
        let (a, i, t) = (self.req(), self.req(), self.req());
        let Some(account) = self.account.as_mut() else {
            return Vec::new();
        };
        account.account.start(a);
        account.invites.start(i);
        account.audit.start(t);
        let id = account.id.clone();
        vec![
            Effect::Portal(a, Request::Account { account_id: id.clone() }),
            Effect::Portal(i, Request::Invites { account_id: id.clone() }),
            Effect::Portal(t, Request::Audit { account_id: id }),
        ]
    }

    fn on_mouse(&mut self, mouse: MouseEvent) -> Vec<Effect> {
        if self.overlay.is_some() {
            return Vec::new();
        }
        let action = match mouse.kind {
            MouseEventKind::ScrollDown => Some(Action::Down),
            MouseEventKind::ScrollUp => Some(Action::Up),
            _ => None,
        };
        if let Some(action) = action {
            match self.view() {
                View::Queue => self.queue.navigate(action),
                View::Search => self.search.navigate(action),
                View::Account => {
                    if let Some(account) = self.account.as_mut() {
                        account.navigate(action);
                    }
                }
            }
            return Vec::new();
        }
        if !matches!(mouse.kind, MouseEventKind::Down(_)) {
            return Vec::new();
        }
        let body = layout::body(self.size);
        match self.view() {
            View::Queue => {
                if let Some(row) = screens::queue::row_at(body, &self.queue, mouse.column, mouse.row) {
                    self.queue.selected = row;
                }
            }
            View::Search => {
                if let Some(row) = screens::search::row_at(body, &self.search, mouse.column, mouse.row) {
                    self.search.selected = row;
                }
            }
            View::Account => {
                if let Some(account) = self.account.as_mut()
                    && let Some(index) = screens::account::invite_at(body, account, mouse.column, mouse.row)
                {
                    account.selected_invite = index;
                }
            }
        }
        Vec::new()
    }
}
