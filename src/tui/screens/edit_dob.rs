//! Edit DOB (`e`): the new DOB typed as MM/DD/YYYY and checked as typed, a
//! required reason, the ticket id prefilled; a confirm with old and new side
//! by side. A 412 (someone else changed the account) shows what changed and
//! asks again: nothing is overwritten silently.

use crate::tui::keymap::{CANCEL, confirm, screen_spec};
use chrono::{Datelike, NaiveDate};
use crossterm::event::{Event, KeyCode};
use tui_input::Input;

use super::submission::{ChangeId, NOT_KNOWN, Submission, answer_lost, collision_rows};
use super::{FIELD_MAX, REASON_MAX, Ui, paste_into_max, type_into};
use crate::diagnose::dob;
use crate::phi::{DOB_MASK, Phi, mask_email};
use crate::portal::model::{Account, AccountPatch, TicketId};
use crate::portal::{IdempotencyKey, PortalError, Versioned};
use crate::tui::action::{Action, Answer, Effect, ReqId, Request};
use crate::tui::component::{Component, Cx, Outcome, Shared, Then};
use crate::tui::keymap::{PREV_FIELD, ScreenKind, special};
use crate::tui::live::Guarded;
use crate::tui::view_model::{Caret, Cell, Form, Join, LABEL, Meaning, Row, ViewModel};

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
/// The dialog's title.
const TITLE: &str = "Edit the DOB on file";

/// The form's hint line.
fn form_hint(ui: &Ui<'_>) -> String {
    let reveal = ui.keys.key_of(ScreenKind::EditDob, Action::Reveal);
    format!("Tab: next field · Enter: review · Esc: cancel · {reveal}: reveal / mask")
}

/// The words of the confirm and the conflict stages.
const NOT_SAVED: &str = "Not saved";
const LIMIT: &str = "too many changes";
const SAVES: &str = "saves it";
const SAVING: &str = "Saving…";
const CONFIRM_HINT: &str = "Enter: save this change · Esc: back to the form";
const CONFLICT: &str = "Someone else changed this account after you opened it. Nothing was saved.";
const READING: &str = "Reading the current version…";
const CONFLICT_HINT: &str = "Enter: review your change against the current version · Esc: back";

impl EditDobState {
    /// The form's fields: which, their label (padded as drawn), their input.
    fn fields(&self) -> [(Focus, &'static str, &Input); 3] {
        [
            (Focus::Dob, "New DOB", &self.dob),
            (Focus::Reason, "Reason", &self.reason),
            (Focus::Ticket, "Ticket", &self.ticket),
        ]
    }

    /// The check of the DOB typed, as shown under it, and whether it is a
    /// date that can be saved.
    fn verdict(&self, today: NaiveDate) -> (String, bool) {
        match self.new_dob(today) {
            Ok(date) => (format!("✓ {} (MM/DD/YYYY)", dob::format_entry(date)), true),
            Err(problem) => (format!("✕ {problem}"), false),
        }
    }

    /// The ticket the change cites, or `none`.
    fn ticket_words(&self) -> &str {
        let ticket = self.ticket.value().trim();
        if ticket.is_empty() { "none" } else { ticket }
    }

    /// The rows of the form: the DOB on file (masked until revealed), each
    /// field with its value (the focused one the field typed into), the
    /// DOB's check, the error, the hint.
    fn form_rows(&self, revealed: bool, ui: &Ui<'_>) -> Vec<Row> {
        let on_file = shown_dob(*self.base.value.dob.expose(), revealed);
        let mut rows =
            vec![Row::field("On file", Cell::new(on_file, dob_meaning(revealed)).must()).id("on-file").indent(2, 11)];
        for (focus, label, input) in self.fields() {
            let focused = self.focus == focus;
            let meaning = if focused { Meaning::Input } else { Meaning::Text };
            rows.push(
                Row::field(label, Cell::new(input.value(), meaning).must()).id(label).selected(focused).indent(2, 11),
            );
            if focus == Focus::Dob {
                let (verdict, ok) = self.verdict(ui.now.date_naive());
                let meaning = if ok { Meaning::Ok } else { Meaning::Warning };
                rows.push(Row::one(Cell::new(verdict, meaning).must()).id("verdict").indent(11, 13));
            }
        }
        rows.push(Row::default());
        if let Some(error) = &self.submission.error {
            rows.push(Row::one(Cell::new(format!("✕ {error}"), Meaning::Danger).must()).id("error"));
        }
        rows.push(Row::one(Cell::muted(form_hint(ui))).id("keys"));
        rows
    }

    /// The rows of the confirm: old and new side by side, the reason, the
    /// ticket; then a 429's wait, an error, the collision guard or what
    /// Enter does.
    fn confirm_rows(&self, under: &Shared<'_>, ui: &Ui<'_>) -> Vec<Row> {
        let on_file = shown_dob(*self.base.value.dob.expose(), under.revealed);
        let new = self.new_dob(ui.now.date_naive()).map(dob::format_entry).unwrap_or_default();
        let mut rows = vec![
            Row::new(vec![
                Cell::muted("On file").width(LABEL),
                Cell::new(on_file, dob_meaning(under.revealed)).must(),
                Cell::muted("→").join(Join::Gap),
                Cell::muted("New").join(Join::Gap),
                Cell::new(new, Meaning::Ok).must(),
            ]),
            Row::field("Reason", Cell::text(self.reason.value().trim()).must()),
            Row::field("Ticket", Cell::text(self.ticket_words())),
            Row::default(),
        ];
        let status = match (self.submission.wait, &self.submission.error) {
            (Some(wait), _) if self.stage == Stage::Confirm => {
                let why = self.submission.limit_reason.as_deref().unwrap_or(LIMIT);
                Some(wait.row(ui.now, NOT_SAVED, why, SAVES))
            }
            _ if self.checking => Some(Row::one(Cell::new(NOT_KNOWN, Meaning::Warning).must())),
            (_, Some(error)) => Some(Row::one(Cell::new(format!("✕ {NOT_SAVED}: {error}"), Meaning::Danger).must())),
            (_, None) => None,
        };
        rows.extend(status.map(|row| row.id("status")));
        match under.collision {
            Some(text) if self.stage == Stage::Confirm => rows.extend(collision_rows(text, SAVES)),
            _ if self.stage == Stage::Saving => rows.push(Row::one(Cell::new(SAVING, Meaning::Warning)).id("keys")),
            _ => rows.push(Row::one(Cell::muted(CONFIRM_HINT)).id("keys")),
        }
        rows
    }

    /// The rows after a 412: nothing saved, then what the others changed
    /// (masked as the DOB is) once read.
    fn conflict_rows(&self, revealed: bool) -> Vec<Row> {
        let mut rows = vec![Row::one(Cell::new(CONFLICT, Meaning::Danger).must())];
        match &self.theirs {
            None => rows.push(Row::one(Cell::new(READING, Meaning::Warning))),
            Some(theirs) => {
                for (n, change) in changes(&self.base.value, &theirs.value, revealed).into_iter().enumerate() {
                    rows.push(
                        Row::new(vec![Cell::muted("changed:"), Cell::new(change, Meaning::Warning).must()])
                            .id(format!("changed {n}"))
                            .indent(2, 11),
                    );
                }
                rows.push(Row::default());
                rows.push(Row::one(Cell::muted(CONFLICT_HINT)).id("keys"));
            }
        }
        rows
    }
}

/// How a DOB shows in a cell: masked until revealed.
fn dob_meaning(revealed: bool) -> Meaning {
    if revealed { Meaning::Text } else { Meaning::Masked }
}

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
    text,
    phi,
    changes
);

impl Component for EditDobState {
    fn screen(&self) -> ScreenKind {
        ScreenKind::EditDob
    }

    /// What the stage shows: the form, the confirm, or the conflict.
    fn model(&self, shared: &Shared<'_>) -> ViewModel {
        let (under, ui) = (shared, shared.ui);
        let rows = match self.stage {
            Stage::Form => self.form_rows(under.revealed, ui),
            Stage::Confirm | Stage::Saving => self.confirm_rows(under, ui),
            Stage::Conflict => self.conflict_rows(under.revealed),
        };
        ViewModel::new(TITLE).rows("", rows)
    }

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
    fn form(&self) -> Form {
        Form::new(76, 12).caret(self.caret())
    }
}

impl EditDobState {
    /// In the focused field, while the form shows.
    fn caret(&self) -> Option<Caret> {
        let (_, label, input) = self.fields().into_iter().find(|(focus, _, _)| *focus == self.focus)?;
        (self.stage == Stage::Form).then(|| Caret::new(label, input.visual_cursor()))
    }
}
