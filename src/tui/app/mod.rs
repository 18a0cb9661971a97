//! The console's state and its update function: messages in, state changes
//! and effects out. Never awaits, never touches the terminal or the network.

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEventKind, KeyModifiers};

mod answers;
mod keys;
mod view;

pub use view::render;

use super::action::{Effect, Msg, ReqId, Request, Terminal};
pub use super::dialog::{Banner, Overlay};
use super::dialog::{Cx, Dialog};
use super::keymap::{Keymap, ScreenKind};
pub use super::remote::Remote;
use super::screens::account::{AccountState, REVEAL_FOR};
use super::screens::queue::QueueState;
use super::screens::resend::UnconfirmedResends;
use super::screens::search::SearchState;
use super::theme::Theme;
use crate::config::Settings;
use crate::diagnose::replies::Replies;
use crate::timezone::StaffZone;

/// The full-screen views, stacked: Esc goes back one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Queue,
    Search,
    Account,
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
    /// Resends sent whose success was never seen (the resend dialog's
    /// memory, kept across dialogs).
    pub unconfirmed_resends: UnconfirmedResends,
    next_req: ReqId,
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
            unconfirmed_resends: UnconfirmedResends::default(),
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
        // Checked by `Settings::validate` when the settings were read; a
        // hand-built value still gets its error here.
        self.keymap = Keymap::from_config(&settings.keys).map_err(|e| e.to_string())?;
        self.theme = Theme::named(settings.theme, no_color);
        self.zone = settings.time_zone;
        self.reveal_for = settings.reveal_for;
        self.search.role = settings.role.role();
        self.replies = settings.replies();
        Ok(())
    }

    /// A fresh request id.
    pub fn req(&mut self) -> ReqId {
        self.next_req += 1;
        self.next_req
    }

    /// Calls the open dialog, if any, with what it may read or use of the
    /// console.
    fn with_dialog<T>(
        &mut self,
        now: DateTime<Utc>,
        call: impl FnOnce(&mut dyn Dialog, &mut Cx<'_>) -> T,
    ) -> Option<T> {
        let under = self.view_screen();
        let overlay = self.overlay.as_mut()?;
        let resends = &mut self.unconfirmed_resends;
        let mut cx = Cx::new(self.account.as_ref(), now, &self.keymap, under, resends, &mut self.next_req);
        Some(call(overlay.dialog_mut(), &mut cx))
    }

    /// The view on top.
    pub fn view(&self) -> View {
        self.views.last().copied().unwrap_or(View::Queue)
    }

    /// The screen whose keys apply now.
    pub fn screen(&self) -> ScreenKind {
        match &self.overlay {
            Some(overlay) => overlay.kind(),
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
}
