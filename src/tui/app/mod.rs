//! The console's state and its update function: messages in, state changes
//! and effects out. Never awaits, never touches the terminal or the network.

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEventKind, KeyModifiers};

/// The console's services for a component's [`Cx`], borrowed field by
/// field so the stack or the dialog can be borrowed beside them.
macro_rules! services {
    ($app:expr, $now:expr) => {
        $crate::tui::component::Services {
            now: $now,
            body: $crate::tui::screens::layout::body($app.size),
            replies: &$app.replies,
            keys: &$app.keymap,
            unconfirmed: &mut $app.unconfirmed,
            next_req: &mut $app.next_req,
        }
    };
}
pub(in crate::tui) use services;

mod answers;
mod keys;
mod queue;
mod view;

pub use view::{frame, render, screen, shared};

use super::action::{Answer, Effect, Msg, ReqId, Request, Terminal};
pub use super::component::{Banner, Overlay};
use super::component::{Component, Cx};
use super::keymap::{Keymap, ScreenKind};
use super::live::LiveState;
pub use super::remote::Remote;
use super::screens::account::REVEAL_FOR;
use super::screens::submission::Unconfirmed;
use super::stack::Stack;
pub use super::stack::View;
use super::theme::Theme;
use super::view_model::Drawn;
use crate::config::Settings;
use crate::diagnose::replies::Replies;
use crate::portal::{ApiToken, PortalError};
use crate::timezone::StaffZone;

/// The idle lock's state. Locking drops every client detail held (see
/// [`App::lock_now`]); unlocking reads them again from the portal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lock {
    /// Locked; a key asks for confirmation (or, with
    /// `lock_requires_login`, for the API token).
    Locked,
    /// A key was pressed; Enter unlocks, anything else stays locked.
    Confirming,
    /// `lock_requires_login`: the API token is asked for again.
    Token(TokenPrompt),
}

/// The longest token taken at the lock screen.
const TOKEN_MAX: usize = 1024;

/// The lock screen's token field: typed masked, checked with the portal,
/// never written anywhere.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TokenPrompt {
    /// What was typed so far (shown as one dot a character).
    pub typed: String,
    /// The check in flight, if any.
    pub checking: Option<ReqId>,
    /// Why the last token did not unlock.
    pub error: Option<String>,
}

impl std::fmt::Debug for TokenPrompt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenPrompt")
            .field("typed", &format_args!("<{} chars>", self.typed.chars().count()))
            .field("checking", &self.checking)
            .field("error", &self.error)
            .finish()
    }
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
    /// The views on screen: the queue, then what was opened over it.
    pub stack: Stack,
    /// The dialog over the view in front, if any.
    pub overlay: Option<Overlay>,
    /// The role account search starts with (`role` in the settings).
    pub search_role: Option<crate::portal::model::Role>,
    /// Opening an unclaimed ticket claims it (`claim_on_open`).
    pub claim_on_open: bool,
    pub banner: Option<Banner>,
    pub theme: Theme,
    pub replies: Replies,
    pub mouse: bool,
    /// The terminal size, for mapping mouse clicks to rows.
    pub size: (u16, u16),
    pub quit: bool,
    /// Locked after a spell without input, or by `L` (automatic logoff):
    /// no PHI is held until unlocked.
    pub lock: Option<Lock>,
    /// Unlocking asks for the API token again (`lock_requires_login`).
    pub lock_requires_login: bool,
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
    /// The portal's clock differs from this machine's beyond trust
    /// (`ServerClock::warning`): shown in the header and, while no other
    /// banner shows, across the top.
    pub clock_warning: Option<String>,
    /// The changes sent whose outcome was never seen (resend, DOB,
    /// addresses, revoke, note), with their keys, kept across dialogs.
    pub unconfirmed: Unconfirmed,
    /// The event stream, presence and the collision guard.
    pub live: LiveState,
    /// Panels as last drawn, copied into the next frame when unchanged.
    pub drawn: Drawn,
    next_req: ReqId,
}

impl App {
    /// A new console on the queue; returns the effects that load it.
    pub fn new(mouse: bool, size: (u16, u16)) -> (Self, Vec<Effect>) {
        let mut app = Self {
            stack: Stack::default(),
            overlay: None,
            search_role: None,
            claim_on_open: false,
            banner: None,
            theme: Theme::dark(),
            replies: Replies::builtin(),
            mouse,
            size,
            quit: false,
            lock: None,
            lock_requires_login: false,
            keymap: Keymap::default(),
            zone: StaffZone::Utc,
            absolute_times: false,
            reveal_for: REVEAL_FOR,
            offline: None,
            clock_warning: None,
            unconfirmed: Unconfirmed::default(),
            live: LiveState::default(),
            drawn: Drawn::default(),
            next_req: 0,
        };
        let effects = app.load_queue();
        (app, effects)
    }

    /// Applies the settings in force: keys, theme, time zone, reveal time,
    /// search role and the practice's own replies. An error (a bad key
    /// binding or reply file) is for the user before the console starts.
    pub fn configure(&mut self, settings: &Settings, no_color: bool) -> Result<(), String> {
        // Checked by `Settings::validate` when the settings were read; a
        // hand-built value still gets its error here.
        self.keymap = Keymap::from_config(&settings.keys).map_err(|e| e.to_string())?.read_only(settings.readonly);
        self.lock_requires_login = settings.lock_requires_login;
        self.claim_on_open = settings.claim_on_open;
        self.theme = Theme::named(settings.theme, no_color);
        self.zone = settings.time_zone;
        self.reveal_for = settings.reveal_for;
        self.search_role = settings.role.role();
        self.replies = settings.replies();
        self.configure_live(settings.resend_guard);
        Ok(())
    }

    /// A fresh request id.
    pub fn req(&mut self) -> ReqId {
        self.next_req += 1;
        self.next_req
    }

    /// Calls the open dialog, if any, with what it may read or use of the
    /// console.
    pub(in crate::tui) fn with_dialog<T>(
        &mut self,
        now: DateTime<Utc>,
        call: impl FnOnce(&mut dyn Component, &mut Cx<'_>) -> T,
    ) -> Option<T> {
        let under = self.view_screen();
        let overlay = self.overlay.as_mut()?;
        let mut cx = Cx::new(services!(self, now), self.stack.account(), under);
        Some(call(overlay.component_mut(), &mut cx))
    }

    /// Calls the view in front with what it may read or use of the console.
    pub(in crate::tui) fn with_view<T>(
        &mut self,
        now: DateTime<Utc>,
        call: impl FnOnce(&mut dyn Component, &mut Cx<'_>) -> T,
    ) -> T {
        let under = self.view_screen();
        let mut cx = Cx::new(services!(self, now), None, under);
        call(self.stack.front_component_mut(), &mut cx)
    }

    /// The ticket on screen (the account view with its ticket pane).
    fn open_ticket_id(&self) -> Option<crate::portal::model::TicketId> {
        self.stack.ticket().filter(|_| self.view() == View::Account).map(|pane| pane.id.clone())
    }

    /// Whether a reveal is in use and outlives its time: a dialog showing
    /// PHI is open, or the ticket screen is (the agent is reading it).
    fn reveal_in_use(&self) -> bool {
        self.overlay.as_ref().is_some_and(|o| o.kind().shows_phi()) || self.open_ticket_id().is_some()
    }

    /// The view on top.
    pub fn view(&self) -> View {
        self.stack.front()
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
        self.stack.front_component().screen()
    }

    /// Whether a request of the view in front, or of the queue under it,
    /// is in flight (the header says so).
    pub fn is_loading(&self) -> bool {
        self.stack.queue.loading() || self.stack.front_component().loading()
    }

    /// Whether a countdown is on screen (the 1 Hz tick runs only then).
    pub fn shows_countdown(&self) -> bool {
        if self.lock.is_some() {
            return false;
        }
        if let Some(shown) = self.overlay.as_ref().and_then(|o| o.component().countdown()) {
            return shown;
        }
        self.stack.front_component().countdown().unwrap_or(false)
    }

    /// Applies one message; returns what to do outside.
    pub fn update(&mut self, msg: Msg, now: DateTime<Utc>) -> Vec<Effect> {
        let ticket_before = self.open_ticket_id();
        let mut effects = if self.lock.is_some() { self.update_locked(msg, now) } else { self.update_open(msg, now) };
        // A reveal on the ticket screen lasts while that ticket stays open,
        // and ends on leaving it (the lock and the idle lock end it too);
        // its audit entry is for that opening only.
        if ticket_before.is_some()
            && ticket_before != self.open_ticket_id()
            && let Some(account) = self.stack.account_mut()
        {
            account.mask();
            if let Some(pane) = account.ticket.as_mut() {
                pane.reveal_audited = false;
            }
        }
        // A reveal whose time ran out in a dialog or on the ticket screen
        // ends once neither is in use.
        if !self.reveal_in_use()
            && let Some(account) = self.stack.account_mut()
        {
            account.mask_if_expired();
        }
        // A banner the collision guard raised belongs to its dialog: it goes
        // when the dialog does (closed, sent or cancelled).
        if self.overlay.is_none()
            && let crate::tui::live::Guard::Shown(text) = &self.live.guard
        {
            if self.banner.as_ref().is_some_and(|b| b.text.starts_with(text.as_str())) {
                self.banner = None;
            }
            self.live.guard = crate::tui::live::Guard::Idle;
        }
        effects.extend(self.after_update(now));
        effects
    }

    fn update_open(&mut self, msg: Msg, now: DateTime<Utc>) -> Vec<Effect> {
        match msg {
            Msg::Key(key) if key.kind == KeyEventKind::Press => self.on_key(key, now),
            // The queue's local filters depend on the time.
            Msg::Tick => {
                self.stack.queue.refilter(now);
                Vec::new()
            }
            Msg::RevealOver(reveal) => {
                // Never mid-dialog, never on the ticket screen: a dialog
                // showing PHI, or the open ticket, keeps it shown until it
                // closes.
                let in_use = self.reveal_in_use();
                if let Some(account) = self.stack.account_mut() {
                    if in_use {
                        account.reveal_over_later(reveal);
                    } else {
                        account.reveal_over(reveal);
                    }
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
            Msg::Mouse(mouse) => self.on_mouse(mouse, now),
            Msg::Paste(text) => self.on_paste(&text, now),
            Msg::Resize => Vec::new(),
            Msg::SearchDue(req) => self.search_due(req),
            Msg::IdleLock => self.lock_now(),
            Msg::ReconnectDue(req) => self.reconnect_due(req),
            Msg::Answer(req, answer) => self.on_answer(req, answer, now),
            Msg::Live(live) => self.on_live(live, now),
            Msg::Due(due) => self.on_due(due),
            Msg::Focus(focused) => self.on_focus(focused),
        }
    }

    /// Whether the console is read-only (`--readonly`): no changing action.
    pub fn readonly(&self) -> bool {
        self.keymap.is_read_only()
    }

    /// Locks the screen and drops every client detail held: the account's
    /// data, invites and audit trail, the queue's tickets, the search typed
    /// and its results, any dialog (typed DOBs, reasons, notes) and the
    /// banner. Only ids are kept (which view, account, ticket), to read
    /// again on unlocking. The copy left in tmux's paste buffer goes too.
    pub fn lock_now(&mut self) -> Vec<Effect> {
        self.lock = Some(Lock::Locked);
        self.overlay = None;
        self.banner = None;
        self.drawn.clear();
        // Each view keeps only the ids it reads again on unlocking.
        for view in self.stack.components_mut() {
            view.lock();
        }
        vec![Effect::Terminal(Terminal::ForgetCopy)]
    }

    /// Unlocks, and reads again what the screen shows.
    fn unlock(&mut self) -> Vec<Effect> {
        self.lock = None;
        let mut effects = self.load_queue();
        if self.stack.account().is_some() {
            effects.extend(self.load_account());
        }
        effects
    }

    /// While locked, only unlocking (a key, then Enter; or the API token
    /// with `lock_requires_login`) and quitting work; answers from the
    /// portal are still taken, but no client detail is kept (the requests
    /// they answer were forgotten at lock).
    fn update_locked(&mut self, msg: Msg, now: DateTime<Utc>) -> Vec<Effect> {
        match msg {
            Msg::Key(key) if key.kind == KeyEventKind::Press => {
                if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
                    self.quit = true;
                    return vec![Effect::Terminal(Terminal::Quit)];
                }
                match self.lock.take() {
                    Some(Lock::Token(prompt)) => self.token_key(prompt, key),
                    Some(Lock::Confirming) if key.code == KeyCode::Enter => self.unlock(),
                    _ if self.lock_requires_login => {
                        self.lock = Some(Lock::Token(TokenPrompt::default()));
                        Vec::new()
                    }
                    _ => {
                        self.lock = Some(Lock::Confirming);
                        Vec::new()
                    }
                }
            }
            Msg::Paste(text) => {
                if let Some(Lock::Token(prompt)) = self.lock.as_mut()
                    && prompt.checking.is_none()
                {
                    let room = TOKEN_MAX.saturating_sub(prompt.typed.chars().count());
                    prompt.typed.extend(text.trim().chars().filter(|c| !c.is_control()).take(room));
                }
                Vec::new()
            }
            Msg::Answer(req, Answer::Unlock(result)) => self.token_checked(req, result),
            Msg::ReconnectDue(req) => self.reconnect_due(req),
            Msg::Answer(req, answer) => self.on_answer(req, answer, now),
            Msg::SearchDue(req) => self.stack.search_mut().map(|s| s.due(req)).unwrap_or_default(),
            Msg::Live(live) => self.on_live(live, now),
            Msg::Due(due) => self.on_due(due),
            Msg::Focus(focused) => self.on_focus(focused),
            _ => Vec::new(),
        }
    }

    /// A key in the lock screen's token field.
    fn token_key(&mut self, mut prompt: TokenPrompt, key: crossterm::event::KeyEvent) -> Vec<Effect> {
        let mut effects = Vec::new();
        if prompt.checking.is_none() {
            match key.code {
                KeyCode::Enter if !prompt.typed.is_empty() => {
                    let req = self.req();
                    prompt.checking = Some(req);
                    prompt.error = None;
                    let token = ApiToken::new(std::mem::take(&mut prompt.typed));
                    effects.push(Effect::Portal(req, Request::Unlock { token }));
                }
                KeyCode::Backspace => {
                    prompt.typed.pop();
                }
                KeyCode::Esc => prompt = TokenPrompt::default(),
                KeyCode::Char(c)
                    if !key.modifiers.contains(KeyModifiers::CONTROL) && prompt.typed.chars().count() < TOKEN_MAX =>
                {
                    prompt.typed.push(c);
                }
                _ => {}
            }
        }
        self.lock = Some(Lock::Token(prompt));
        effects
    }

    /// The portal's word on the token typed at the lock screen.
    fn token_checked(&mut self, req: ReqId, result: Result<bool, PortalError>) -> Vec<Effect> {
        let Some(Lock::Token(prompt)) = self.lock.as_mut() else {
            return Vec::new();
        };
        if prompt.checking != Some(req) {
            return Vec::new();
        }
        prompt.checking = None;
        let error = match result {
            Ok(true) => return self.unlock(),
            Ok(false) => "That token is another staff member's: only the one who locked can unlock.".to_owned(),
            Err(PortalError::Unauthorized) => "The portal did not accept that token. Type it again.".to_owned(),
            Err(error) => format!("The token could not be checked ({}). Try again.", error.kind()),
        };
        tracing::warn!("unlock refused: the token did not check out");
        prompt.error = Some(error);
        Vec::new()
    }
}
