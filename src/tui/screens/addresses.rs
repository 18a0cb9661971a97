//! Addresses (`a`): every email address of the account, the default (where
//! invites go) marked. Add one, make another the default, or remove one
//! that is not the default: each change needs a reason, is confirmed, and
//! goes out with If-Match (a 412 is shown, never overwritten) and its own
//! Idempotency-Key (a retry cannot apply it twice).

use crossterm::event::KeyCode;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use tui_input::Input;

use super::submission::{ChangeId, Submission, Unconfirmed, Wording};
use super::{FIELD_MAX, REASON_MAX, Ui, cursor_column, dialog, layout, moved};
use crate::diagnose::email;
use crate::phi::{Phi, mask_email};
use crate::portal::model::{Account, AccountPatch, TicketId};
use crate::portal::{PortalError, Versioned};
use crate::tui::action::{Action, Answer, Effect, ReqId, Request};
use crate::tui::dialog::{Cx, Dialog, Outcome, Then, Under};
use crate::tui::keymap::{PREV_FIELD, ScreenKind, ScreenSpec, ctrl, special};

/// Which field has the cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    NewAddress,
    Reason,
}

/// A change waiting for Enter to confirm it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Add(String),
    MakeDefault(String),
    Remove(String),
}

/// The addresses dialog. (No `Debug`: it holds addresses.)
pub struct AddressesState {
    /// The account as read (its ETag goes in If-Match).
    pub base: Versioned<Account>,
    pub ticket_id: Option<TicketId>,
    pub selected: usize,
    pub new_address: Input,
    pub reason: Input,
    pub focus: Field,
    pub staged: Option<Change>,
    /// Its key is the staged change's, reused by its retries.
    pub submission: Submission,
}

impl AddressesState {
    pub fn new(base: Versioned<Account>, ticket_id: Option<TicketId>) -> Self {
        Self {
            base,
            ticket_id,
            selected: 0,
            new_address: Input::default(),
            reason: Input::default(),
            focus: Field::NewAddress,
            staged: None,
            submission: Submission::default(),
        }
    }

    /// The addresses, the default first.
    pub fn addresses(&self) -> Vec<(String, bool)> {
        let account = &self.base.value;
        let mut all: Vec<(String, bool)> =
            account.emails.iter().map(|e| (e.address.expose().clone(), e.is_default)).collect();
        if all.is_empty() {
            all.push((account.email.expose().clone(), true));
        }
        all.sort_by_key(|(_, default)| !default);
        all
    }

    fn stage(&mut self, change: Change) {
        if self.reason.value().trim().is_empty() {
            self.submission.error = Some("write the reason first (Tab goes to it); it goes in the audit trail".into());
            self.focus = Field::Reason;
            return;
        }
        self.submission.renew();
        self.staged = Some(change);
    }

    fn send(&mut self, change: Change, req: ReqId, unconfirmed: &mut Unconfirmed) -> Vec<Effect> {
        let mut patch = AccountPatch {
            reason: self.reason.value().trim().to_owned(),
            ticket_id: self.ticket_id.clone(),
            ..AccountPatch::default()
        };
        match change {
            Change::Add(a) => patch.add_email = Some(Phi::new(a)),
            Change::MakeDefault(a) => patch.default_email = Some(Phi::new(a)),
            Change::Remove(a) => patch.remove_email = Some(Phi::new(a)),
        }
        let account_id = self.base.value.id.clone();
        let key = self.submission.send(req, ChangeId::new("addresses", account_id.as_str(), &patch), unconfirmed);
        vec![Effect::Portal(req, Request::SaveAccount { account_id, etag: self.base.etag.clone(), patch, key })]
    }
}

/// An address as shown: in full only while the account is revealed.
fn shown(address: &str, revealed: bool) -> String {
    if revealed { address.to_owned() } else { mask_email(address) }
}

/// How the addresses dialog names its change.
const WORDING: Wording = Wording::new("Saving…", "Not saved", "too many changes", "sends it").bare();

impl AddressesState {
    /// Its title and keys (its rows of the keymap).
    pub const SPEC: ScreenSpec = ScreenSpec::new(
        "Email addresses",
        &[
            special(KeyCode::Enter, Action::Confirm, "add the new address / confirm", "add/confirm"),
            ctrl('d', Action::MakeDefault, "make the selected address the default", "default"),
            ctrl('x', Action::RemoveAddress, "remove the selected address", "remove"),
            special(KeyCode::Tab, Action::NextField, "next field", "field"),
            PREV_FIELD,
            special(KeyCode::Down, Action::Down, "next address", ""),
            special(KeyCode::Up, Action::Up, "previous address", ""),
            special(KeyCode::Esc, Action::Back, "back / close", "close"),
        ],
    )
    .text();
}

impl Dialog for AddressesState {
    fn on_action(&mut self, action: Action, cx: &mut Cx<'_>) -> Outcome {
        if self.submission.pending.is_some() {
            return Outcome::none();
        }
        let addresses = self.addresses();
        let selected = addresses.get(self.selected).cloned();
        match action {
            Action::Back if self.staged.is_some() => self.staged = None,
            Action::Back => return Outcome::close(),
            Action::Up | Action::Down => self.selected = moved(self.selected, addresses.len(), action),
            Action::NextField | Action::PrevField => {
                self.focus = if self.focus == Field::NewAddress { Field::Reason } else { Field::NewAddress };
            }
            Action::MakeDefault => match selected {
                Some((_, true)) => self.submission.error = Some("that address already is the default".into()),
                Some((address, false)) => self.stage(Change::MakeDefault(address)),
                None => {}
            },
            Action::RemoveAddress => match selected {
                Some((_, true)) => {
                    self.submission.error = Some("the default cannot be removed: make another the default first".into())
                }
                Some((address, false)) => self.stage(Change::Remove(address)),
                None => {}
            },
            Action::Confirm if self.submission.holds(cx.now) => {}
            Action::Confirm => match self.staged.clone() {
                Some(change) => {
                    let req = cx.req();
                    return Outcome::effects(self.send(change, req, cx.unconfirmed));
                }
                None => {
                    let typed = self.new_address.value().trim().to_owned();
                    if typed.is_empty() {
                        self.submission.error =
                            Some("type a new address, or pick one with ↑ ↓ and press Ctrl-D or Ctrl-X".into());
                    } else if !email::check_email(&typed).valid_syntax {
                        self.submission.error = Some("that is not an email address".into());
                    } else if addresses.iter().any(|(a, _)| a.eq_ignore_ascii_case(&typed)) {
                        self.submission.error = Some("the account already has that address".into());
                    } else {
                        self.stage(Change::Add(typed));
                    }
                }
            },
            _ => {}
        }
        Outcome::none()
    }

    /// The answer to the change: saved, the dialog closes and the account
    /// is the saved one; an error stays shown; a 412 reads the account
    /// again (someone else changed it).
    fn on_answer(&mut self, req: ReqId, answer: Answer, cx: &mut Cx<'_>) -> Option<Outcome> {
        let Answer::SaveAccount(result) = answer else { return None };
        Some(match self.submission.take_change(req, result, cx.unconfirmed)? {
            Ok(account) => Outcome::saved("Addresses updated; the next invite goes to the default", account),
            Err(PortalError::Stale) => {
                self.staged = None;
                self.submission.error = Some(
                    "someone else changed the account meanwhile: it was read again; check the addresses and retry"
                        .into(),
                );
                Outcome::then(Then::ReadAccount)
            }
            Err(error) => {
                self.submission.fail(&error, cx.now, error.to_string());
                Outcome::none()
            }
        })
    }

    /// The account was read again (after a 412): changes now go against it.
    fn account_read(&mut self, account: &Versioned<Account>) -> Option<Outcome> {
        self.base = account.clone();
        self.selected = self.selected.min(self.addresses().len().saturating_sub(1));
        None
    }
    fn field(&mut self) -> Option<(&mut Input, usize)> {
        if self.submission.is_sending() || self.staged.is_some() {
            return None;
        }
        Some(match self.focus {
            Field::NewAddress => (&mut self.new_address, FIELD_MAX),
            Field::Reason => (&mut self.reason, REASON_MAX),
        })
    }
    fn countdown(&self) -> Option<bool> {
        Some(self.submission.wait.is_some())
    }
    /// Draws the addresses dialog; `revealed` is the account screen's reveal,
    /// so addresses mask again with it.
    fn render(&self, under: &Under<'_>, frame: &mut Frame<'_>, area: Rect, ui: &Ui<'_>) {
        let (state, revealed) = (self, under.revealed);
        let theme = ui.theme;
        let addresses = state.addresses();
        let listed = u16::try_from(addresses.len()).unwrap_or(u16::MAX);
        let popup = layout::centered(area, 80, listed.saturating_add(12));
        let inner = dialog(frame, popup, "Email addresses · invites go to the default", theme);
        let mut lines: Vec<Line<'_>> = addresses
            .iter()
            .enumerate()
            .map(|(n, (address, default))| {
                let style = if n == state.selected { theme.selected } else { theme.text };
                Line::from(vec![
                    Span::styled(if n == state.selected { "▶ " } else { "  " }, theme.key),
                    Span::styled(shown(address, revealed), style),
                    Span::styled(if *default { "  ★ default" } else { "" }, theme.ok),
                ])
            })
            .collect();
        lines.push(Line::default());
        let focus = |f: Field| if state.focus == f { theme.input } else { theme.text };
        lines.push(Line::from(vec![
            Span::styled("New address ", theme.muted),
            Span::styled(state.new_address.value(), focus(Field::NewAddress)),
        ]));
        for finding in &email::check_email(state.new_address.value()).findings {
            if !state.new_address.value().trim().is_empty() {
                lines.push(Line::styled(format!("  ⚠ {}", finding.message), theme.warn));
            }
        }
        lines.push(Line::from(vec![
            Span::styled("Reason      ", theme.muted),
            Span::styled(state.reason.value(), focus(Field::Reason)),
        ]));
        lines.push(Line::default());
        let confirm = match &state.staged {
            Some(Change::Add(a)) => Some(format!("Add {}?", shown(a, revealed))),
            Some(Change::MakeDefault(a)) => {
                Some(format!("Make {} the default? The next invite goes there.", shown(a, revealed)))
            }
            Some(Change::Remove(a)) => Some(format!("Remove {}?", shown(a, revealed))),
            None => None,
        };
        let idle = match confirm {
            Some(question) => {
                vec![Line::styled(question, theme.warn), Line::styled("Enter confirms · Esc goes back", theme.muted)]
            }
            None => vec![Line::styled(
                format!(
                    "Enter adds the new address · Ctrl-D makes the selected one the default · Ctrl-X removes it · Tab: field · {}: reveal / mask",
                    ui.keys.key_of(ScreenKind::Addresses, Action::Reveal)
                ),
                theme.muted,
            )],
        };
        lines.extend(state.submission.status(&WORDING, None, idle, ui.now, theme));
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        let (row, input) = match state.focus {
            Field::NewAddress => (listed.saturating_add(1), &state.new_address),
            Field::Reason => (listed.saturating_add(2), &state.reason),
        };
        let cursor = cursor_column(inner, 12, input.visual_cursor());
        frame.set_cursor_position(Position::new(cursor, inner.y.saturating_add(row)));
    }
}
