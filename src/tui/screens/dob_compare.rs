//! DOB compare (`d`): the DOB on file and what the client reports, side by
//! side, field by field, checked as the staff member types. It opens with
//! what the staff member typed last on this account, or else with the DOB
//! the client wrote last in the ticket, so the comparison shows at once.

use crate::tui::keymap::{CLOSE, screen_spec};
use chrono::{DateTime, Utc};
use tui_input::Input;

use super::{FIELD_MAX, LOADING};
use crate::diagnose::dob::{self, DobCheck, DobContext, FieldStatus};
use crate::phi::{DOB_MASK, Phi};
use crate::tui::action::{Action, Effect, Terminal};
use crate::tui::component::{Banner, Component, Cx, Outcome, Shared};
use crate::tui::keymap::{ScreenKind, ctrl};
use crate::tui::screens::account::AccountState;
use crate::tui::view_model::{Caret, Cell, Form, Join, Meaning, Row, ViewModel};

/// The reported DOB being typed. (No `Debug`: it is PHI.)
#[derive(Default)]
pub struct DobCompareState {
    pub input: Input,
    /// The DOB the client wrote in the ticket, when the field opened with
    /// it: masked like the DOB on file until revealed, while unedited.
    pub from_message: Option<String>,
}

impl DobCompareState {
    /// Opens on `account`: what was typed before on it is there again;
    /// else the DOB the client wrote last in the ticket, to edit.
    pub fn open(account: &AccountState) -> Self {
        if !account.dob_draft.is_empty() {
            return Self { input: Input::new(account.dob_draft.clone()), from_message: None };
        }
        match account.words.latest_dob() {
            Some(written) => {
                let text = written.text.expose().clone();
                Self { input: Input::new(text.clone()), from_message: Some(text) }
            }
            None => Self::default(),
        }
    }

    /// The field as shown: the client's words masked until revealed, while
    /// unedited; what the staff member typed as typed.
    fn shown_input(&self, revealed: bool) -> &str {
        let typed = self.input.value();
        match &self.from_message {
            Some(written) if !revealed && written == typed => DOB_MASK,
            _ => typed,
        }
    }
}

/// A field's mark: `✓ same`, `✕ differs`, `? missing`.
fn status_cell(status: FieldStatus) -> Cell {
    match status {
        FieldStatus::Match => Cell::new("✓ same", Meaning::Ok),
        FieldStatus::Mismatch => Cell::new("✕ differs", Meaning::Danger),
        FieldStatus::Missing => Cell::new("? missing", Meaning::Warning),
    }
}

/// The columns of its labels (`Client says`), so the two dates line up.
const LABEL: u16 = 11;

/// The dialog's title.
const TITLE: &str = "DOB compare · the portal wants MM/DD/YYYY";
/// What it says while nothing is typed.
const TYPE_HINT: &str = "Type what the client enters on the invite page, exactly as they say it.";

/// `yes` or `no`, and how it reads.
fn yes_no(ok: bool) -> (String, Meaning) {
    if ok { ("yes".into(), Meaning::Ok) } else { ("no".into(), Meaning::Danger) }
}

/// What the check says under the fields: whether the portal accepts it,
/// whether it is the same date (never a bare "yes" for a date the portal
/// reads otherwise), and the entry to type (masked until revealed): label
/// and value pairs.
fn verdict_cells(check: &DobCheck, revealed: bool) -> Vec<(&'static str, Cell)> {
    let read_as = check.chosen_reading().filter(|_| check.unsettled()).map(|r| r.order);
    let (pass, pass_meaning) = yes_no(check.would_pass);
    let (same, same_meaning) = match read_as {
        Some(order) => (format!("if read {}", order.words()), Meaning::Warning),
        None => yes_no(check.matches_on_file),
    };
    let mut out = vec![
        ("Portal accepts it:", Cell::new(pass, pass_meaning).must()),
        ("Same date:", Cell::new(same, same_meaning).must()),
    ];
    if let Some(entry) = &check.suggested_entry {
        let entry =
            if revealed { Cell::new(entry.clone(), Meaning::Key) } else { Cell::new(DOB_MASK, Meaning::Masked) };
        let label = if read_as.is_some() { "Then type:" } else { "Type exactly:" };
        out.push((label, entry.must()));
    }
    out
}

/// How the portal reads what is typed and how else it reads, for a date
/// that reads two ways or one typed without slashes (masked until revealed).
fn readings_said(typed: &str, check: &DobCheck, revealed: bool) -> Option<String> {
    let undivided = typed.trim().bytes().all(|b| b.is_ascii_digit());
    let hide = (!revealed).then_some(DOB_MASK);
    (check.readings.len() == 2 || undivided).then(|| dob::explain_readings(typed, &check.readings, hide)).flatten()
}

/// The check of what is typed so far, or `None` while nothing is typed.
pub fn current_check(state: &DobCompareState, account: &AccountState, now: DateTime<Utc>) -> Option<DobCheck> {
    let on_file = account.account.data.as_ref().map(|a| *a.value.dob.expose())?;
    let created = account.account.data.as_ref().map(|a| a.value.created_at.date_naive());
    let typed = state.input.value();
    (!typed.trim().is_empty())
        .then(|| dob::check_dob(on_file, typed, &DobContext { today: now.date_naive(), account_created: created }))
}

screen_spec!(
    DobCompareState,
    "DOB compare",
    [ctrl('y', Action::Copy, "copy the entry to type on the invite page", "copy entry"), CLOSE],
    text,
    phi
);

impl Component for DobCompareState {
    fn screen(&self) -> ScreenKind {
        ScreenKind::DobCompare
    }

    /// The DOB on file (masked until revealed), the field with what the
    /// client says (masked while it holds their message unrevealed), then
    /// the check: field by field, the verdict and the entry to type, how
    /// the portal reads it, the findings.
    fn model(&self, shared: &Shared<'_>) -> ViewModel {
        let (under, ui) = (shared, shared.ui);
        let model = ViewModel::new(TITLE);
        let Some(account) = under.account else { return model };
        let Some(on_file) = account.account.data.as_ref().map(|a| *a.value.dob.expose()) else {
            return model.rows("", vec![Row::one(Cell::muted(LOADING))]);
        };
        let revealed = account.revealed;
        let (shown, meaning) =
            if revealed { (dob::format_entry(on_file), Meaning::Text) } else { (DOB_MASK.to_owned(), Meaning::Masked) };
        let mut on_file = Row::field_in(LABEL, "On file", Cell::new(shown, meaning).must()).id("on-file");
        on_file.cells.push(Cell::muted("(MM / DD / YYYY)").low().join(Join::Gap));
        if !revealed {
            let key = ui.keys.key_of(ScreenKind::DobCompare, Action::Reveal);
            on_file.cells.push(Cell::muted(format!("masked until revealed ({key})")).low().join(Join::Gap));
        }
        let typed = self.shown_input(revealed);
        // Never the client's words unmasked: a masked field is no field
        // to echo.
        let meaning = if typed == self.input.value() { Meaning::Input } else { Meaning::Masked };
        let mut field = Row::field_in(LABEL, "Client says", Cell::new(typed, meaning).must()).id("field");
        if self.from_message.as_deref() == Some(self.input.value()) {
            field.cells.push(Cell::muted("(their message)").low());
        }
        let mut rows = vec![on_file, Row::default(), field, Row::default()];
        let Some(check) = current_check(self, account, ui.now) else {
            rows.push(Row::one(Cell::muted(TYPE_HINT)).id("check"));
            return model.rows("", rows);
        };
        let read_as = check.chosen_reading().filter(|_| check.unsettled()).map(|r| r.order);
        let mut fields = Vec::new();
        if let Some(order) = read_as {
            fields.push(Cell::new(format!("Read {}:", order.words()), Meaning::Warning).must());
        }
        for (label, status) in [("Month", check.fields.month), ("Day", check.fields.day), ("Year", check.fields.year)] {
            let label = Cell::muted(label);
            fields.push(if label.text == "Month" { label } else { label.join(Join::Gap) });
            fields.push(status_cell(status).must());
        }
        rows.push(Row::new(fields).id("fields"));
        rows.push(Row::default());
        let verdict = verdict_cells(&check, revealed).into_iter().enumerate().flat_map(|(n, (label, cell))| {
            [Cell::muted(label).join(if n == 0 { Join::Space } else { Join::Gap }), cell]
        });
        rows.push(Row::new(verdict.collect()).id("verdict").indent(0, 2));
        let mut findings = Vec::new();
        if let Some(said) = readings_said(self.input.value(), &check, revealed) {
            let meaning = if read_as.is_some() { Meaning::Warning } else { Meaning::Text };
            findings.push(Row::one(Cell::new(format!("» {said}"), meaning).must()).id("readings").indent(0, 2));
        }
        findings.extend(check.findings.iter().map(|f| {
            Row::new(vec![
                Cell::new(format!("• {}", f.code.as_str()), Meaning::Warning).must(),
                Cell::text(super::account::console_words(&f.message, ui.keys)).must(),
            ])
            .id(f.code.as_str())
            .indent(0, 2)
        }));
        model.rows("", rows).rows("", findings)
    }

    /// Ctrl-Y copies the entry to type on the invite page.
    fn on_action(&mut self, action: Action, cx: &mut Cx<'_>) -> Outcome {
        if action != Action::Copy {
            return Outcome::back(action, false);
        }
        let entry =
            cx.account.and_then(|account| current_check(self, account, cx.now)).and_then(|check| check.suggested_entry);
        match entry {
            Some(entry) => Outcome::effects(vec![Effect::Terminal(Terminal::Copy {
                what: "the entry to type",
                text: Phi::new(entry),
            })]),
            None => Outcome::banner(Banner::error("Nothing to copy: type the DOB the client reports first")),
        }
    }
    fn field(&mut self) -> Option<(&mut Input, usize)> {
        Some((&mut self.input, FIELD_MAX))
    }
    fn countdown(&self) -> Option<bool> {
        None
    }
    fn form(&self) -> Form {
        Form::new(78, 14).caret(self.caret())
    }
}

impl DobCompareState {
    /// In the field; after the dots while it holds the client's words masked.
    fn caret(&self) -> Option<Caret> {
        let at = match &self.from_message {
            Some(written) if written == self.input.value() => {
                crate::width::of(DOB_MASK).max(self.input.visual_cursor())
            }
            _ => self.input.visual_cursor(),
        };
        Some(Caret::new("field", at))
    }
}
