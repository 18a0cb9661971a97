//! Edit DOB (`e`): the new DOB typed as MM/DD/YYYY and checked as typed, a
//! required reason, the ticket id prefilled; a confirm with old and new side
//! by side. A 412 (someone else changed the account) shows what changed and
//! asks again: nothing is overwritten silently.

use crate::tui::keymap::{CANCEL, confirm, screen_spec};
use chrono::{Datelike, NaiveDate};
use crossterm::event::{Event, KeyCode};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use tui_input::Input;

use super::submission::{ChangeId, NOT_KNOWN, Submission, answer_lost, collision_lines, lately_lines};
use super::{FIELD_MAX, REASON_MAX, Ui, cursor_column, dialog, paste_into_max, type_into};
use crate::diagnose::dob;
use crate::phi::{DOB_MASK, Phi, mask_email};
use crate::portal::model::{Account, AccountPatch, TicketId};
use crate::portal::{IdempotencyKey, PortalError, Versioned};
use crate::tui::action::{Action, Answer, Effect, ReqId, Request};
use crate::tui::dialog::{Cx, Dialog, Outcome, Then, Under};
use crate::tui::keymap::{PREV_FIELD, ScreenKind, special};
use crate::tui::live::Guarded;

/// The banner once the account shows a DOB edit whose answer was lost.
pub const SHOWN_SAVED: &str = "DOB on file updated (its answer was lost, the portal shows it)";

/// Which field has the cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Dob,
    Reason,
    Ticket,
}

/// Where the edit stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Form,
    Confirm,
    Saving,
    /// The portal answered 412: someone else changed the account.
    Conflict,
}

/// The edit dialog. (No `Debug`: it holds PHI.)
pub struct EditDobState {
    pub dob: Input,
    pub reason: Input,
    pub ticket: Input,
    pub focus: Focus,
    pub stage: Stage,
    /// The version of the account this edit is based on (its ETag goes in
    /// If-Match).
    pub base: Versioned<Account>,
    /// The current version, read after a 412.
    pub theirs: Option<Versioned<Account>>,
    /// Its key is renewed when the change is reviewed again after a 412.
    pub submission: Submission,
    /// The answer to the save was lost: the account is being read again to
    /// see whether the DOB was saved.
    pub checking: bool,
}

impl EditDobState {
    pub fn new(base: Versioned<Account>, ticket_id: Option<TicketId>) -> Self {
        Self {
            dob: Input::default(),
            reason: Input::default(),
            ticket: Input::new(ticket_id.map(TicketId::into_string).unwrap_or_default()),
            focus: Focus::Dob,
            stage: Stage::Form,
            base,
            theirs: None,
            submission: Submission::default(),
            checking: false,
        }
    }

    /// The focused field and the most characters it holds.
    fn focused(&mut self) -> (&mut Input, usize) {
        match self.focus {
            Focus::Dob => (&mut self.dob, FIELD_MAX),
            Focus::Reason => (&mut self.reason, REASON_MAX),
            Focus::Ticket => (&mut self.ticket, FIELD_MAX),
        }
    }

    /// A key for the focused field (only while filling the form).
    pub fn edit(&mut self, event: &Event) {
        if self.stage != Stage::Form {
            return;
        }
        let (input, max) = self.focused();
        if type_into(input, event, max).is_some() {
            self.submission.error = None;
        }
    }

    pub fn paste(&mut self, text: &str) {
        if self.stage == Stage::Form {
            let (input, max) = self.focused();
            paste_into_max(input, text, max);
        }
    }

    /// The new DOB as typed, checked: read month first as the diagnosis
    /// reads a client's entry (`3/5/1988` is March 5), a real date, not
    /// before 1900 nor after today.
    pub fn new_dob(&self, today: NaiveDate) -> Result<NaiveDate, &'static str> {
        let typed = self.dob.value().trim();
        if typed.is_empty() {
            return Err("type the new DOB as MM/DD/YYYY");
        }
        let date = dob::read_entry(typed).ok_or("not a real date as month/day/year with a 4-digit year")?;
        if date.year() < 1900 {
            return Err("before 1900");
        }
        if date > today {
            return Err("in the future");
        }
        Ok(date)
    }

    /// The change to send, or what is missing.
    pub fn patch(&self, today: NaiveDate) -> Result<AccountPatch, &'static str> {
        let dob = self.new_dob(today)?;
        let reason = self.reason.value().trim();
        if reason.is_empty() {
            return Err("a reason is required");
        }
        if reason.chars().count() > 500 {
            return Err("the reason is limited to 500 characters");
        }
        let ticket = self.ticket.value().trim();
        Ok(AccountPatch {
            dob: Some(Phi::new(dob)),
            email: None,
            reason: reason.to_owned(),
            ticket_id: (!ticket.is_empty()).then(|| ticket.into()),
            ..AccountPatch::default()
        })
    }
}

/// A DOB as shown: in full only while the account is revealed.
fn shown_dob(date: NaiveDate, revealed: bool) -> String {
    if revealed { dob::format_entry(date) } else { DOB_MASK.to_owned() }
}

/// What changed between two versions of an account, in words; the DOBs
/// only while the account is revealed.
pub fn changes(before: &Account, after: &Account, revealed: bool) -> Vec<String> {
    let mut out = Vec::new();
    if before.dob != after.dob {
        out.push(format!(
            "DOB on file: {} → {}",
            shown_dob(*before.dob.expose(), revealed),
            shown_dob(*after.dob.expose(), revealed)
        ));
    }
    if before.email != after.email {
        let shown = |a: &str| if revealed { a.to_owned() } else { mask_email(a) };
        out.push(format!("email: {} → {}", shown(before.email.expose()), shown(after.email.expose())));
    }
    if out.is_empty() && before.updated_at != after.updated_at {
        out.push("other details of the account".to_owned());
    }
    out
}

screen_spec!(
    EditDobState,
    "Edit DOB",
    [
        special(KeyCode::Tab, Action::NextField, "next field", "next field"),
        PREV_FIELD,
        confirm("continue / save", "continue"),
        CANCEL
    ],
    text
);

impl Dialog for EditDobState {
    fn on_action(&mut self, action: Action, cx: &mut Cx<'_>) -> Outcome {
        let now = cx.now;
        let today = now.date_naive();
        let mut outcome = Outcome::default();
        match (self.stage, action) {
            (Stage::Saving, _) => {}
            (Stage::Form, Action::Back) => outcome.close = true,
            (_, Action::Back) => {
                self.stage = Stage::Form;
                self.submission.error = None;
            }
            (Stage::Form, Action::NextField) => {
                self.focus = match self.focus {
                    Focus::Dob => Focus::Reason,
                    Focus::Reason => Focus::Ticket,
                    Focus::Ticket => Focus::Dob,
                };
            }
            (Stage::Form, Action::PrevField) => {
                self.focus = match self.focus {
                    Focus::Dob => Focus::Ticket,
                    Focus::Reason => Focus::Dob,
                    Focus::Ticket => Focus::Reason,
                };
            }
            (Stage::Form, Action::Confirm) => match self.patch(today) {
                Ok(_) => self.stage = Stage::Confirm,
                Err(problem) => self.submission.error = Some(problem.to_owned()),
            },
            (Stage::Confirm, Action::Confirm) if self.submission.holds(now) => {}
            (Stage::Confirm, Action::Confirm) => match self.patch(today) {
                Ok(patch) => {
                    self.stage = Stage::Saving;
                    let req = cx.req();
                    self.checking = false;
                    let account_id = self.base.value.id.clone();
                    let change = ChangeId::new("dob", account_id.as_str(), &patch);
                    let key = self.submission.send(req, change, cx.unconfirmed);
                    let etag = self.base.etag.clone();
                    let save = Request::SaveAccount { account_id, etag, patch, key };
                    outcome.effects.push(Effect::Portal(req, save));
                }
                Err(problem) => {
                    self.stage = Stage::Form;
                    self.submission.error = Some(problem.to_owned());
                }
            },
            (Stage::Conflict, Action::Confirm) => {
                if let Some(theirs) = self.theirs.take() {
                    // Review the change again, against the current version.
                    self.base = theirs;
                    self.submission.key = IdempotencyKey::new();
                    self.stage = Stage::Confirm;
                }
            }
            _ => {}
        }
        outcome
    }

    /// The portal's answer to the save: saved, the dialog closes and the
    /// account is the new version; a 412 shows what changed once the
    /// account is read again; another failure is shown in the dialog
    /// (Enter retries with the same key, after a 429's wait).
    fn on_answer(&mut self, req: ReqId, answer: Answer, cx: &mut Cx<'_>) -> Option<Outcome> {
        let Answer::SaveAccount(result) = answer else { return None };
        Some(match self.submission.take_change(req, result, cx.unconfirmed)? {
            Ok(updated) => Outcome::saved("DOB on file updated; the client can retry the same link", updated),
            Err(PortalError::Stale) => {
                self.stage = Stage::Conflict;
                self.theirs = None;
                Outcome::then(Then::ReadAccount)
            }
            Err(error) => {
                self.stage = Stage::Confirm;
                self.submission.fail(&error, cx.now, error.to_string());
                // It may have been saved: read the account before saying.
                self.checking = answer_lost(&error);
                if self.checking { Outcome::then(Then::ReadAccount) } else { Outcome::none() }
            }
        })
    }

    /// The current version arrived: after a 412, to compare; after a lost
    /// answer, to say whether the new DOB was saved (then it is done, as if
    /// the answer had come) or not (Enter retries with the same key).
    fn account_read(&mut self, theirs: &Versioned<Account>) -> Option<Outcome> {
        if self.stage == Stage::Conflict {
            self.theirs = Some(theirs.clone());
        }
        if !std::mem::take(&mut self.checking) {
            return None;
        }
        let sent = dob::read_entry(self.dob.value());
        let saved = sent.is_some_and(|dob| *theirs.value.dob.expose() == dob) && theirs.etag != self.base.etag;
        Some(if saved { Outcome::saved(SHOWN_SAVED, theirs.clone()) } else { Outcome::none() })
    }
    /// Enter on the confirm sends the change.
    fn guarded(&self, cx: &Cx<'_>) -> Option<Guarded> {
        let sends = self.stage == Stage::Confirm && !self.submission.holds(cx.now);
        (sends && self.patch(cx.now.date_naive()).is_ok()).then_some(Guarded::Change)
    }
    /// The change now goes against the version just read.
    fn rebase(&mut self, account: &Versioned<Account>) {
        self.base = account.clone();
    }
    fn edit(&mut self, event: &Event) {
        EditDobState::edit(self, event);
    }
    fn paste(&mut self, text: &str) {
        EditDobState::paste(self, text);
    }
    fn countdown(&self) -> Option<bool> {
        Some(self.submission.wait.is_some())
    }
    /// Draws the edit dialog; the DOB on file shows only while the account is
    /// `revealed` (what is typed always shows).
    fn render(&self, under: &Under<'_>, frame: &mut Frame<'_>, area: Rect, ui: &Ui<'_>) {
        let (state, revealed) = (self, under.revealed);
        let (theme, now) = (ui.theme, ui.now);
        let inner = dialog(frame, area, (76, 16), "Edit the DOB on file", theme);
        let today = now.date_naive();
        let on_file = shown_dob(*state.base.value.dob.expose(), revealed);
        let mut lines: Vec<Line<'_>> = lately_lines(under.lately, usize::from(inner.width), theme);
        let above = u16::try_from(lines.len()).unwrap_or(0);
        match state.stage {
            Stage::Form => {
                let fields = [
                    (Focus::Dob, "New DOB ", &state.dob),
                    (Focus::Reason, "Reason  ", &state.reason),
                    (Focus::Ticket, "Ticket  ", &state.ticket),
                ];
                lines.push(Line::from(vec![Span::styled("On file  ", theme.muted), Span::styled(on_file, theme.text)]));
                for (focus, label, input) in fields {
                    let marker = if state.focus == focus { "▶ " } else { "  " };
                    lines.push(Line::from(vec![
                        Span::styled(marker, theme.key),
                        Span::styled(label, theme.muted),
                        Span::styled(format!("{} ", input.value()), theme.input),
                    ]));
                    if focus == Focus::Dob {
                        let verdict = match state.new_dob(today) {
                            Ok(date) => {
                                Span::styled(format!("    ✓ {} (MM/DD/YYYY)", dob::format_entry(date)), theme.ok)
                            }
                            Err(problem) => Span::styled(format!("    ✕ {problem}"), theme.warn),
                        };
                        lines.push(Line::from(verdict));
                    }
                }
                lines.push(Line::default());
                if let Some(error) = &state.submission.error {
                    lines.push(Line::styled(format!("✕ {error}"), theme.danger));
                }
                let reveal = ui.keys.key_of(ScreenKind::EditDob, Action::Reveal);
                let hint = format!("Tab: next field · Enter: review · Esc: cancel · {reveal}: reveal / mask");
                lines.push(Line::styled(hint, theme.muted));
                let (row, input) = match state.focus {
                    Focus::Dob => (1, &state.dob),
                    Focus::Reason => (3, &state.reason),
                    Focus::Ticket => (4, &state.ticket),
                };
                let x = cursor_column(inner, 10, input.visual_cursor());
                frame.set_cursor_position(Position::new(x, inner.y.saturating_add(row + above)));
            }
            Stage::Confirm | Stage::Saving => {
                let new = state.new_dob(today).map(dob::format_entry).unwrap_or_default();
                lines.push(Line::from(vec![
                    Span::styled("On file  ", theme.muted),
                    Span::styled(on_file, theme.danger),
                    Span::styled("   →   New  ", theme.muted),
                    Span::styled(new, theme.ok),
                ]));
                lines.push(Line::from(vec![
                    Span::styled("Reason   ", theme.muted),
                    Span::styled(state.reason.value().trim(), theme.text),
                ]));
                let ticket = state.ticket.value().trim();
                lines.push(Line::from(vec![
                    Span::styled("Ticket   ", theme.muted),
                    Span::styled(if ticket.is_empty() { "none" } else { ticket }, theme.text),
                ]));
                lines.push(Line::default());
                match (state.submission.wait, &state.submission.error) {
                    (Some(wait), _) if state.stage == Stage::Confirm => {
                        let why = state.submission.limit_reason.as_deref().unwrap_or("too many changes");
                        lines.push(wait.line(now, "Not saved", why, "saves it", theme));
                    }
                    _ if state.checking => lines.push(Line::styled(NOT_KNOWN, theme.warn)),
                    (_, Some(error)) => lines.push(Line::styled(format!("✕ Not saved: {error}"), theme.danger)),
                    (_, None) => {}
                }
                match under.collision {
                    Some(text) if state.stage == Stage::Confirm => {
                        lines.extend(collision_lines(text, "saves it", theme));
                    }
                    _ if state.stage == Stage::Saving => lines.push(Line::styled("Saving…", theme.warn)),
                    _ => lines.push(Line::styled("Enter: save this change · Esc: back to the form", theme.muted)),
                }
            }
            Stage::Conflict => {
                lines.push(Line::styled(
                    "Someone else changed this account after you opened it. Nothing was saved.",
                    theme.danger,
                ));
                match &state.theirs {
                    None => lines.push(Line::styled("Reading the current version…", theme.warn)),
                    Some(theirs) => {
                        for change in changes(&state.base.value, &theirs.value, revealed) {
                            lines.push(Line::from(vec![
                                Span::styled("  changed: ", theme.muted),
                                Span::styled(change, theme.warn),
                            ]));
                        }
                        lines.push(Line::default());
                        lines.push(Line::styled(
                            "Enter: review your change against the current version · Esc: back",
                            theme.muted,
                        ));
                    }
                }
            }
        }
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    }
}
