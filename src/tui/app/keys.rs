//! Keys, mouse and actions: what each does on the screen it is pressed on.
//! Never awaits: what must happen outside comes back as effects.

use super::{App, Banner, Overlay, View};
use crate::portal::model::{AccountId, TicketId};
use crate::tui::action::{Action, Effect, Request, Terminal};
use crate::tui::component::{Outcome, Then};
use crate::tui::screens::account::AccountState;
use crate::tui::screens::help::HelpState;
use crate::tui::screens::palette::PaletteState;
use crate::tui::screens::search::SearchState;
use crate::tui::screens::ticket::{TicketChange, TicketPane};
use crate::tui::screens::{Typing, layout};
use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};

impl App {
    pub(super) fn on_key(&mut self, key: KeyEvent, now: DateTime<Utc>) -> Vec<Effect> {
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('z') {
            return vec![Effect::Terminal(Terminal::Suspend)];
        }
        let screen = self.screen();
        if self.banner.as_ref().is_some_and(|b| !b.error) {
            self.banner = None;
        }
        match self.keymap.action_for(screen, &key) {
            Some(action) => self.on_action(action, now),
            None if screen.takes_text() => self.on_text_key(key, now),
            None => Vec::new(),
        }
    }

    /// Keys that edit the focused text field.
    pub(super) fn on_text_key(&mut self, key: KeyEvent, now: DateTime<Utc>) -> Vec<Effect> {
        self.typed(Typing::Key(&crossterm::event::Event::Key(key)), now).unwrap_or_default()
    }

    /// A key or a paste for the focused text field: the open dialog's, the
    /// account search's or the queue's `/` line; `None` when no field
    /// takes it.
    fn typed(&mut self, typing: Typing<'_>, now: DateTime<Utc>) -> Option<Vec<Effect>> {
        // A dialog takes every key and paste, into its field or not.
        if let Some(effects) = self.with_dialog(now, |dialog, cx| dialog.on_typing(typing, cx)) {
            return Some(effects.unwrap_or_default());
        }
        self.with_view(now, |view, cx| view.on_typing(typing, cx))
    }

    pub(super) fn on_paste(&mut self, text: &str, now: DateTime<Utc>) -> Vec<Effect> {
        if let Some(effects) = self.typed(Typing::Paste(text), now) {
            return effects;
        }
        // A link the client pasted: matched to the account's invites,
        // first among the findings.
        if self.view() == View::Account
            && let Some(account) = self.stack.account_mut()
        {
            account.paste_link(text);
        }
        Vec::new()
    }

    pub(super) fn on_action(&mut self, action: Action, now: DateTime<Utc>) -> Vec<Effect> {
        if action.changes() && self.readonly() {
            let text = format!("read-only: {} changes the portal, so it is off here", action.name().replace('_', " "));
            self.banner = Some(Banner { text, error: true });
            return Vec::new();
        }
        match action {
            Action::Lock => return self.lock_now(),
            Action::Quit => {
                self.quit = true;
                return vec![Effect::Terminal(Terminal::Quit)];
            }
            Action::Help => {
                self.overlay = Some(HelpState::default().into());
                return Vec::new();
            }
            Action::ToggleMouse => {
                self.mouse = !self.mouse;
                let state = if self.mouse { "on" } else { "off: drag to select text" };
                self.banner = Some(Banner { text: format!("Mouse capture {state}"), error: false });
                return vec![Effect::Terminal(Terminal::SetMouse(self.mouse))];
            }
            // On the queue, search is the queue's own `/` line.
            Action::Search if self.overlay.is_none() && self.view() == View::Queue => {
                self.stack.queue.start_editing();
                return Vec::new();
            }
            Action::Search | Action::SearchAccounts if self.overlay.is_none() => {
                if self.view() != View::Search {
                    self.stack.push(SearchState { role: self.search_role, ..SearchState::default() });
                }
                // From the queue's `/` line (Tab), with what was typed there.
                return self.search_from_queue();
            }
            Action::Palette if self.overlay.is_none() => {
                self.overlay = Some(PaletteState::default().into());
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
            // The reveal key works over every dialog too (F2: text fields
            // take `v`).
            Action::Reveal if self.overlay.is_some() || self.view() == View::Account => return self.toggle_reveal(),
            _ => {}
        }
        if self.overlay.is_some() {
            return self.on_overlay_action(action, now);
        }
        // The view in front decides; the app applies.
        let outcome = self.with_view(now, |view, cx| view.on_action(action, cx));
        self.apply_view(outcome, now)
    }

    /// Applies what the view in front wants: `close` goes back one view.
    /// A view never puts a dialog in place of one already open.
    pub(super) fn apply_view(&mut self, mut outcome: Outcome, now: DateTime<Utc>) -> Vec<Effect> {
        if outcome.close {
            self.stack.pop();
        }
        if self.overlay.is_some() {
            outcome.then.retain(|then| !matches!(then, Then::Open(_)));
        }
        self.apply(Outcome { close: false, ..outcome }, now)
    }

    /// Reveals the open account's email and DOB (with a timer that masks
    /// them again), or masks them.
    fn toggle_reveal(&mut self) -> Vec<Effect> {
        let reveal = self.req();
        match self.stack.account_mut().map(|a| a.toggle_reveal(reveal)) {
            // The timer runs outside, on the monotonic clock.
            Some(true) => {
                let mut effects = vec![Effect::MaskAfter { reveal, after: self.reveal_for }];
                effects.extend(self.audit_reveal());
                effects
            }
            _ => Vec::new(),
        }
    }

    /// A reveal on the ticket screen goes in the audit trail once while
    /// that ticket stays open (masking and revealing again writes nothing
    /// more); another ticket, or the same one opened again after leaving
    /// it, is audited again. Never read-only (it writes nothing).
    fn audit_reveal(&mut self) -> Vec<Effect> {
        let Some(ticket_id) = self.open_ticket_id() else { return Vec::new() };
        let readonly = self.readonly();
        let Some(pane) = self.stack.ticket_mut().filter(|pane| !readonly && !pane.reveal_audited) else {
            return Vec::new();
        };
        pane.reveal_audited = true;
        let req = self.req();
        vec![Effect::Portal(req, Request::RevealAudit { ticket_id })]
    }

    /// The portal's answer to a reveal's audit: a failure is said, and the
    /// next reveal tries again.
    pub(super) fn reveal_recorded(&mut self, result: Result<(), crate::portal::PortalError>) -> Vec<Effect> {
        if let Err(error) = result {
            tracing::warn!(error = error.kind(), "reveal not recorded in the audit trail");
            self.banner = Some(Banner::error(format!(
                "The reveal could not be recorded in the audit trail ({}); the next reveal tries again.",
                error.kind()
            )));
            if let Some(pane) = self.stack.ticket_mut() {
                pane.reveal_audited = false;
            }
        }
        Vec::new()
    }

    /// An action on the dialog: the dialog decides, the app applies.
    pub(in crate::tui) fn on_overlay_action(&mut self, action: Action, now: DateTime<Utc>) -> Vec<Effect> {
        let take_over = action == Action::Confirm && self.takes_over();
        if action == Action::Confirm
            && let Some(effects) = self.guard_confirm(now)
        {
            return effects;
        }
        let mut effects = match self.with_dialog(now, |dialog, cx| dialog.on_action(action, cx)) {
            Some(outcome) => self.apply(outcome, now),
            None => Vec::new(),
        };
        // Sent anyway on someone else's ticket, knowingly: it is ours now.
        if take_over && !effects.is_empty() {
            effects.extend(self.send_ticket_change(TicketChange::Claim, true, now));
        }
        effects
    }

    /// Applies what a dialog wants, in order: closing, the banner, its
    /// effects, then the app's follow-ups.
    pub(super) fn apply(&mut self, outcome: Outcome, now: DateTime<Utc>) -> Vec<Effect> {
        let Outcome { close, mut effects, banner, then } = outcome;
        if close {
            // The DOB compare's entry is kept for reopening it on this account.
            if let Some(Overlay::DobCompare(compare)) = self.overlay.take()
                && let Some(account) = self.stack.account_mut()
            {
                account.dob_draft = compare.input.value().to_owned();
            }
        }
        if banner.is_some() {
            self.banner = banner;
        }
        for then in then {
            match then {
                Then::ReloadAccount => effects.extend(self.load_account()),
                Then::ReloadHistory => effects.extend(self.load_history()),
                Then::ReloadQueue => effects.extend(self.load_queue()),
                Then::ReadAccount => effects.extend(self.read_account()),
                Then::StoreAccount(updated) => {
                    if let Some(account) = self.stack.account_mut() {
                        account.account.data = Some(updated);
                    }
                }
                Then::StoreEtag(etag) => {
                    if let Some(data) = self.stack.account_mut().and_then(|a| a.account.data.as_mut()) {
                        data.etag = etag;
                    }
                }
                Then::AddInvite(invite) => {
                    self.live.own.push(invite.id.clone());
                    if let Some(account) = self.stack.account_mut() {
                        account.insert_new_invite(invite);
                    }
                }
                Then::Run(action) => effects.extend(self.on_action(action, now)),
                Then::Open(overlay) => self.overlay = Some(overlay),
                Then::CheckAgain => effects.extend(self.guard_refused()),
                Then::AttachTicket(id) => effects.extend(self.attach_ticket(id)),
                Then::JumpTo(id) => effects.extend(self.jump_to(id)),
                Then::OpenFound(id) => effects.extend(self.open_found(id)),
                Then::OpenTicket(account_id, ticket_id) => effects.extend(self.open_ticket(account_id, ticket_id)),
                Then::ClaimOnOpen => effects.extend(self.claim_on_open(now)),
                Then::AccountRead(account) => effects.extend(self.account_was_read(&account, now)),
                Then::InvitesRead => effects.extend(self.invites_were_read_again(now)),
                Then::NextTicket(after) => match self.stack.queue.next_unclaimed_after(after.as_ref()) {
                    Some((account_id, ticket_id)) => effects.extend(self.open_ticket(account_id, ticket_id)),
                    None => self.banner = Some(Banner::ok("No other unclaimed ticket")),
                },
            }
        }
        effects
    }

    /// Opens an account (with the ticket it is worked for, if any),
    /// without the ticket pane.
    pub fn open_account(&mut self, account_id: AccountId, ticket_id: Option<TicketId>) -> Vec<Effect> {
        self.open(AccountState::new(account_id, ticket_id))
    }

    /// Puts `account` in front, in place of any open one, and reads it
    /// (its ticket pane, if any, is read once the account is).
    fn open(&mut self, account: AccountState) -> Vec<Effect> {
        // What was said before (`Opening T-1021…`) is done with.
        if self.banner.as_ref().is_some_and(|b| !b.error) {
            self.banner = None;
        }
        self.stack.open_account(account);
        self.live.opened_account();
        self.read_account_and_history()
    }

    /// Opens a ticket: its account, with the ticket pane. The ticket and
    /// its conversation are read once the account is (and an unclaimed
    /// ticket is claimed then, with `claim_on_open`).
    pub fn open_ticket(&mut self, account_id: AccountId, ticket_id: TicketId) -> Vec<Effect> {
        let mut account = AccountState::new(account_id, Some(ticket_id.clone()));
        account.ticket = Some(TicketPane::new(ticket_id));
        self.open(account)
    }

    /// Reads the ticket pane's ticket and conversation again.
    pub(crate) fn load_ticket(&mut self) -> Vec<Effect> {
        let (t, m) = (self.req(), self.req());
        self.stack.ticket_mut().map(|pane| pane.load(t, m)).unwrap_or_default()
    }

    /// Sends a change to the open ticket; on a ticket someone else has,
    /// asks first unless `anyway`.
    pub(super) fn send_ticket_change(&mut self, change: TicketChange, anyway: bool, now: DateTime<Utc>) -> Vec<Effect> {
        let req = self.req();
        let outcome = self.stack.account_mut().map(|a| a.send_ticket_change(change, anyway, req));
        outcome.map(|o| self.apply_view(o, now)).unwrap_or_default()
    }

    /// Reads the open account alone again (its current version).
    fn read_account(&mut self) -> Vec<Effect> {
        let req = self.req();
        match self.stack.account_mut() {
            Some(account) => {
                account.account.start(req);
                vec![Effect::Portal(req, Request::Account { account_id: account.id.clone() })]
            }
            None => Vec::new(),
        }
    }

    /// Reloads the invites and the audit trail of the open account.
    pub(in crate::tui) fn load_history(&mut self) -> Vec<Effect> {
        let (i, t) = (self.req(), self.req());
        let Some(account) = self.stack.account_mut() else {
            return Vec::new();
        };
        account.invites.start(i);
        account.audit.start(t);
        vec![
            Effect::Portal(i, Request::Invites { account_id: account.id.clone() }),
            Effect::Portal(t, Request::Audit { account_id: account.id.clone() }),
        ]
    }

    /// (Re)loads the open account, its invites and its audit trail.
    pub(in crate::tui) fn load_account(&mut self) -> Vec<Effect> {
        let mut effects = self.read_account_and_history();
        if self.stack.ticket().is_some() {
            effects.extend(self.load_ticket());
        }
        effects
    }

    /// Reads the open account, its invites and its audit trail.
    fn read_account_and_history(&mut self) -> Vec<Effect> {
        let (a, i, t) = (self.req(), self.req(), self.req());
        let Some(account) = self.stack.account_mut() else {
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

    pub(super) fn on_mouse(&mut self, mouse: MouseEvent, now: DateTime<Utc>) -> Vec<Effect> {
        if self.overlay.is_some() {
            return Vec::new();
        }
        let (column, row) = (mouse.column, mouse.row);
        let outcome = match mouse.kind {
            MouseEventKind::ScrollDown => self.with_view(now, |view, cx| view.wheel(Action::Down, column, row, cx)),
            MouseEventKind::ScrollUp => self.with_view(now, |view, cx| view.wheel(Action::Up, column, row, cx)),
            MouseEventKind::Down(_) => {
                let body = layout::body(self.size);
                self.stack.front_component_mut().click(body, column, row);
                return Vec::new();
            }
            _ => return Vec::new(),
        };
        self.apply_view(outcome, now)
    }
}
