//! Keys, mouse and actions: what each does on the screen it is pressed on.
//! Never awaits: what must happen outside comes back as effects.

use super::{App, Banner, Overlay, UnconfirmedResend, View};
use crate::phi::Phi;
use crate::portal::model::InviteStatus;
use crate::tui::action::{Action, Effect, Request, Terminal};
use crate::tui::screens::account::AccountState;
use crate::tui::screens::addresses::AddressesState;
use crate::tui::screens::dob_compare::DobCompareState;
use crate::tui::screens::edit_dob::EditDobState;
use crate::tui::screens::help::HelpState;
use crate::tui::screens::note::NoteState;
use crate::tui::screens::palette::PaletteState;
use crate::tui::screens::resend::ResendState;
use crate::tui::screens::revoke::RevokeState;
use crate::tui::screens::timeline::TimelineState;
use crate::tui::screens::{self, layout};
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
            None if screen.takes_text() => self.on_text_key(key),
            None => Vec::new(),
        }
    }

    /// Keys that edit the focused text field.
    pub(super) fn on_text_key(&mut self, key: KeyEvent) -> Vec<Effect> {
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

    pub(super) fn on_paste(&mut self, text: &str) -> Vec<Effect> {
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

    pub(super) fn on_queue_action(&mut self, action: Action) -> Vec<Effect> {
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

    pub(super) fn on_search_action(&mut self, action: Action) -> Vec<Effect> {
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

    pub(super) fn on_account_action(&mut self, action: Action, now: DateTime<Utc>) -> Vec<Effect> {
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

    pub(super) fn on_overlay_action(&mut self, action: Action, now: DateTime<Utc>) -> Vec<Effect> {
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
    pub(super) fn open_revoke(&mut self, invite: Option<(String, InviteStatus)>) -> Vec<Effect> {
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
    pub(super) fn open_note(&mut self, ticket: Option<String>) -> Vec<Effect> {
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

    pub(super) fn on_mouse(&mut self, mouse: MouseEvent) -> Vec<Effect> {
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
