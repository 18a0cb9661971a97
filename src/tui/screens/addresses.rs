//! Addresses (`a`): every email address of the account, the default (where
//! invites go) marked. Add one, make another the default, or remove one
//! that is not the default: each change needs a reason, is confirmed, and
//! goes out with If-Match (a 412 is shown, never overwritten) and its own
//! Idempotency-Key (a retry cannot apply it twice).

use crate::tui::keymap::{confirm, screen_spec};
use crossterm::event::{Event, KeyCode};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use tui_input::Input;

use super::submission::{ChangeId, Submission, Unconfirmed, Wording, collision_rows, lately_lines};
use super::{FIELD_MAX, REASON_MAX, Ui, cursor_column, dialog, moved, row_line, type_into, wrap_line};
use crate::diagnose::email;
use crate::phi::{Phi, mask_email};
use crate::portal::model::{Account, AccountPatch, TicketId};
use crate::portal::{PortalError, Versioned};
use crate::tui::action::{Action, Answer, Effect, ReqId, Request};
use crate::tui::component::{Component, Cx, Outcome, Shared, Then};
use crate::tui::keymap::{PREV_FIELD, ScreenKind, ctrl, special};
use crate::tui::live::Guarded;
use crate::tui::view_model::{Cell, Meaning, Row, ViewModel};

/// What has the focus: the list of addresses (where `j` `k` move, as the
/// arrows always do) or one of the two text fields (where every letter is
/// typed). Tab goes list → new address → reason → list; Shift-Tab back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    List,
    NewAddress,
    Reason,
}

impl Field {
    fn next(self) -> Self {
        match self {
            Field::List => Field::NewAddress,
            Field::NewAddress => Field::Reason,
            Field::Reason => Field::List,
        }
    }

    fn prev(self) -> Self {
        match self {
            Field::List => Field::Reason,
            Field::NewAddress => Field::List,
            Field::Reason => Field::NewAddress,
        }
    }
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
            focus: Field::List,
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

/// The dialog's title.
const TITLE: &str = "Email addresses · invites go to the default";

impl AddressesState {
    /// What the check of the new address typed finds: `⚠ why`, each.
    fn warnings(&self) -> Vec<String> {
        if self.new_address.value().trim().is_empty() {
            return Vec::new();
        }
        let findings = email::check_email(self.new_address.value()).findings;
        findings.iter().map(|f| format!("⚠ {}", super::shown(&f.message))).collect()
    }

    /// The change staged, as a question (its address masked until
    /// revealed).
    fn question(&self, revealed: bool) -> Option<String> {
        match &self.staged {
            Some(Change::Add(a)) => Some(format!("Add {}?", shown(a, revealed))),
            Some(Change::MakeDefault(a)) => {
                Some(format!("Make {} the default? The next invite goes there.", shown(a, revealed)))
            }
            Some(Change::Remove(a)) => Some(format!("Remove {}?", shown(a, revealed))),
            None => None,
        }
    }

    /// What shows under the fields while nothing is in flight: the staged
    /// change's question and what Enter does (or the collision guard),
    /// else the keys.
    fn idle_rows(&self, under: &Shared<'_>, ui: &Ui<'_>) -> Vec<Row> {
        match self.question(under.revealed) {
            Some(question) => {
                let mut rows = vec![Row::one(Cell::new(question, Meaning::Warning).must()).id("question")];
                match under.collision {
                    Some(text) => rows.extend(collision_rows(text, "confirms it")),
                    None => rows.push(Row::one(Cell::muted("Enter confirms · Esc goes back")).id("keys")),
                }
                rows
            }
            None => vec![
                Row::one(Cell::muted(format!(
                    "j k / ↑ ↓ pick · Ctrl-D makes it the default · Ctrl-X removes it · Enter adds the new address · \
                     Tab: list / new address / reason · {}: reveal / mask",
                    ui.keys.key_of(ScreenKind::Addresses, Action::Reveal)
                )))
                .id("keys"),
            ],
        }
    }
}

/// An address as shown: in full only while the account is revealed.
fn shown(address: &str, revealed: bool) -> String {
    if revealed { address.to_owned() } else { mask_email(address) }
}

/// How the addresses dialog names its change.
const WORDING: Wording = Wording::new("Saving…", "Not saved", "too many changes", "sends it").bare();

screen_spec!(
    AddressesState,
    "Email addresses",
    [
        confirm("add the new address / confirm", "add/confirm"),
        ctrl('d', Action::MakeDefault, "make the selected address the default", "default"),
        ctrl('x', Action::RemoveAddress, "remove the selected address", "remove"),
        special(KeyCode::Tab, Action::NextField, "list / new address / reason", "field"),
        PREV_FIELD,
        special(KeyCode::Down, Action::Down, "next address (j in the list)", ""),
        special(KeyCode::Up, Action::Up, "previous address (k in the list)", ""),
        special(KeyCode::Esc, Action::Back, "back / close", "close")
    ],
    text,
    phi,
    changes
);

impl Component for AddressesState {
    fn screen(&self) -> ScreenKind {
        ScreenKind::Addresses
    }

    /// Draws the addresses dialog; `revealed` is the account screen's reveal,
    /// so addresses mask again with it.
    /// The addresses (masked until revealed), the default starred and the
    /// selected one marked; the new address and the reason (the focused
    /// one is the field typed into) with the new address' warnings; then
    /// the staged change's question, the keys, or the submission's status.
    fn model(&self, shared: &Shared<'_>) -> ViewModel {
        let (under, ui) = (shared, shared.ui);
        let revealed = under.revealed;
        let meaning = if revealed { Meaning::Text } else { Meaning::Masked };
        let list = self
            .addresses()
            .iter()
            .enumerate()
            .map(|(n, (address, default))| {
                let mut row = Row::one(Cell::new(shown(address, revealed), meaning).must());
                if *default {
                    row.cells.push(Cell::new("★ default", Meaning::Ok));
                }
                row.id(n.to_string()).selected(n == self.selected && self.focus == Field::List)
            })
            .collect();
        let field = |focus: Field, label: &str, input: &Input| {
            let meaning = if self.focus == focus { Meaning::Input } else { Meaning::Text };
            Row::field(label, Cell::new(input.value(), meaning).must()).id(label).selected(self.focus == focus)
        };
        let mut fields = vec![field(Field::NewAddress, "New address", &self.new_address)];
        fields.extend(
            self.warnings()
                .into_iter()
                .enumerate()
                .map(|(n, w)| Row::one(Cell::new(w, Meaning::Warning)).id(format!("warning {n}"))),
        );
        fields.push(field(Field::Reason, "Reason", &self.reason));
        let status = self.submission.status_rows(&WORDING, None, self.idle_rows(under, ui), ui.now);
        ViewModel::new(TITLE).rows("", list).rows("", fields).rows("", status)
    }

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
            Action::NextField => self.focus = self.focus.next(),
            Action::PrevField => self.focus = self.focus.prev(),
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
        self.rebase(account);
        None
    }
    /// Enter on a staged change sends it.
    fn guarded(&self, cx: &Cx<'_>) -> Option<Guarded> {
        (self.staged.is_some() && !self.submission.holds(cx.now)).then_some(Guarded::Change)
    }
    fn rebase(&mut self, account: &Versioned<Account>) {
        self.base = account.clone();
        self.selected = self.selected.min(self.addresses().len().saturating_sub(1));
    }
    fn field(&mut self) -> Option<(&mut Input, usize)> {
        if self.submission.is_sending() || self.staged.is_some() {
            return None;
        }
        match self.focus {
            Field::List => None,
            Field::NewAddress => Some((&mut self.new_address, FIELD_MAX)),
            Field::Reason => Some((&mut self.reason, REASON_MAX)),
        }
    }
    /// A paste while the list has the focus is an address: it goes into the
    /// new address field.
    fn paste(&mut self, text: &str) {
        if self.focus == Field::List && self.staged.is_none() {
            self.focus = Field::NewAddress;
        }
        if let Some((input, max)) = self.field() {
            super::paste_into_max(input, text, max);
        }
    }
    /// In the list, `j` `k` `g` `G` move (they are not typed anywhere);
    /// in a field every key edits it.
    fn edit(&mut self, event: &Event) {
        if self.focus == Field::List {
            if self.submission.pending.is_some() || self.staged.is_some() {
                return;
            }
            let Event::Key(key) = event else { return };
            let action = match key.code {
                KeyCode::Char('j') => Action::Down,
                KeyCode::Char('k') => Action::Up,
                KeyCode::Char('g') => Action::Top,
                KeyCode::Char('G') => Action::Bottom,
                _ => return,
            };
            self.selected = moved(self.selected, self.addresses().len(), action);
        } else if let Some((input, max)) = self.field() {
            type_into(input, event, max);
        }
    }
    fn countdown(&self) -> Option<bool> {
        Some(self.submission.wait.is_some())
    }

    fn render(&self, frame: &mut Frame<'_>, area: Rect, shared: &Shared<'_>) {
        let (under, ui) = (shared, shared.ui);
        let (state, revealed) = (self, under.revealed);
        let theme = ui.theme;
        let addresses = state.addresses();
        let listed = u16::try_from(addresses.len()).unwrap_or(u16::MAX);
        // The selected address is marked `▶` while the list has the focus
        // (`›` while a field has it); the focused field is marked `▶` too.
        let list_focused = state.focus == Field::List;
        let mut lines: Vec<Line<'_>> = addresses
            .iter()
            .enumerate()
            .map(|(n, (address, default))| {
                let selected = n == state.selected;
                let style = if selected && list_focused { theme.selected } else { theme.text };
                let marker = match (selected, list_focused) {
                    (true, true) => "▶ ",
                    (true, false) => "› ",
                    (false, _) => "  ",
                };
                Line::from(vec![
                    Span::styled(marker, theme.key),
                    Span::styled(shown(address, revealed), style),
                    Span::styled(if *default { "  ★ default" } else { "" }, theme.ok),
                ])
            })
            .collect();
        let width = usize::from(area.width.min(80).saturating_sub(2));
        let lately: Vec<Line<'_>> = lately_lines(under.lately, width, theme);
        lines.splice(0..0, lately);
        lines.push(Line::default());
        let marker = |f: Field| Span::styled(if state.focus == f { "▶ " } else { "  " }, theme.key);
        let focus = |f: Field| if state.focus == f { theme.input } else { theme.text };
        let address_row = lines.len();
        lines.push(Line::from(vec![
            marker(Field::NewAddress),
            Span::styled("New address ", theme.muted),
            Span::styled(format!("{} ", state.new_address.value()), focus(Field::NewAddress)),
        ]));
        let mut warnings = Vec::new();
        for warning in state.warnings() {
            warnings.push(lines.len());
            lines.push(Line::styled(format!("    {warning}"), theme.warn));
        }
        let reason_row = lines.len();
        lines.push(Line::from(vec![
            marker(Field::Reason),
            Span::styled("Reason      ", theme.muted),
            Span::styled(format!("{} ", state.reason.value()), focus(Field::Reason)),
        ]));
        lines.push(Line::default());
        let idle = state.idle_rows(under, ui).iter().map(|row| row_line(row, theme)).collect();
        lines.extend(state.submission.status(&WORDING, None, idle, ui.now, theme));
        // Wrapped here (warnings indented under their mark), so the rows of
        // the fields are known for the cursor.
        let mut shown_lines = Vec::new();
        let mut rows = Vec::new();
        for (n, line) in lines.into_iter().enumerate() {
            rows.push(shown_lines.len());
            shown_lines.extend(wrap_line(line, width, if warnings.contains(&n) { 6 } else { 0 }));
        }
        let row_of = |logical: usize| rows.get(logical).copied().unwrap_or(logical);
        let (address_row, reason_row) = (row_of(address_row), row_of(reason_row));
        let height = u16::try_from(shown_lines.len() + 2).unwrap_or(u16::MAX).max(listed.saturating_add(12));
        let inner = dialog(frame, area, (80, height), TITLE, theme);
        frame.render_widget(Paragraph::new(shown_lines), inner);
        // The cursor goes on the focused field's own row, however many
        // warnings show above it; none while the list has the focus or a
        // change awaits its confirm.
        let (row, input) = match state.focus {
            Field::List => return,
            Field::NewAddress => (address_row, &state.new_address),
            Field::Reason => (reason_row, &state.reason),
        };
        if state.staged.is_some() || state.submission.is_sending() {
            return;
        }
        let row = u16::try_from(row).unwrap_or(u16::MAX);
        if row >= inner.height {
            return;
        }
        let cursor = cursor_column(inner, 14, input.visual_cursor());
        frame.set_cursor_position(Position::new(cursor, inner.y.saturating_add(row)));
    }
}
