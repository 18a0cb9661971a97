//! Addresses (`a`): every email address of the account, the default (where
//! invites go) marked. Add one, make another the default, or remove one
//! that is not the default: each change needs a reason, is confirmed, and
//! goes out with If-Match (a 412 is shown, never overwritten) and its own
//! Idempotency-Key (a retry cannot apply it twice).

use crate::tui::keymap::{confirm, screen_spec};
use crossterm::event::{Event, KeyCode};
use tui_input::Input;

use super::submission::{ChangeId, Submission, Unconfirmed, Wording, collision_rows};
use super::{FIELD_MAX, REASON_MAX, Ui, moved, type_into};
use crate::diagnose::email;
use crate::phi::{Phi, mask_email};
use crate::portal::model::{Account, AccountPatch, TicketId};
use crate::portal::{PortalError, Versioned};
use crate::tui::action::{Action, Answer, Effect, ReqId, Request};
use crate::tui::component::{Component, Cx, Outcome, Shared, Then};
use crate::tui::keymap::{PREV_FIELD, ScreenKind, ctrl, special};
use crate::tui::live::Guarded;
use crate::tui::view_model::{Caret, Cell, Form, Join, Meaning, Row, ViewModel};

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

/// The fields' labels (and their rows' ids).
const NEW_ADDRESS: &str = "New address";
const REASON: &str = "Reason";

/// The dialog's title.
const TITLE: &str = "Email addresses · invites go to the default";

impl AddressesState {
    /// What the check of the new address typed finds, each.
    fn warnings(&self) -> Vec<String> {
        if self.new_address.value().trim().is_empty() {
            return Vec::new();
        }
        let findings = email::check_email(self.new_address.value()).findings;
        findings.iter().map(|f| super::shown(&f.message).into_owned()).collect()
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

    /// The addresses (masked until revealed), the default starred and the
    /// selected one marked; the new address and the reason (the focused
    /// one is the field typed into) with the new address' warnings; then
    /// the staged change's question, the keys, or the submission's status.
    fn model(&self, shared: &Shared<'_>) -> ViewModel {
        let (under, ui) = (shared, shared.ui);
        let revealed = under.revealed;
        let meaning = if revealed { Meaning::Text } else { Meaning::Masked };
        // The selected address is marked `▶` while the list has the focus
        // (`›` while a field has it); the focused field is marked `▶` too.
        let list_focused = self.focus == Field::List;
        let list = self
            .addresses()
            .iter()
            .enumerate()
            .map(|(n, (address, default))| {
                let selected = n == self.selected;
                let mut row = Row::one(Cell::new(shown(address, revealed), meaning).must()).indent(2, 2);
                if selected && !list_focused {
                    row.cells.insert(0, Cell::new("›", Meaning::Key).mark());
                    row.indent = 0;
                }
                if *default {
                    row.cells.push(Cell::new("★ default", Meaning::Ok).join(Join::Gap));
                }
                row.id(n.to_string()).selected(selected && list_focused)
            })
            .collect();
        let field = |focus: Field, label: &str, input: &Input| {
            let meaning = if self.focus == focus { Meaning::Input } else { Meaning::Text };
            Row::field_in(11, label, Cell::new(input.value(), meaning).must())
                .id(label)
                .selected(self.focus == focus)
                .indent(2, 14)
        };
        let mut fields = vec![field(Field::NewAddress, NEW_ADDRESS, &self.new_address)];
        fields.extend(
            self.warnings()
                .into_iter()
                .enumerate()
                .map(|(n, w)| Row::one(Cell::new(w, Meaning::Warning).badge()).id(format!("warning {n}")).indent(4, 6)),
        );
        fields.push(field(Field::Reason, REASON, &self.reason));
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
    /// As tall as its list needs; the cursor in the focused field, none
    /// while the list has the focus or a change awaits its confirm.
    fn form(&self) -> Form {
        let listed = u16::try_from(self.addresses().len()).unwrap_or(u16::MAX);
        let typing = self.staged.is_none() && !self.submission.is_sending();
        let caret = match self.focus {
            Field::List => None,
            Field::NewAddress => Some(Caret::new(NEW_ADDRESS, self.new_address.visual_cursor())),
            Field::Reason => Some(Caret::new(REASON, self.reason.visual_cursor())),
        };
        Form::new(80, listed.saturating_add(12)).caret(caret.filter(|_| typing)).pinned()
    }
}
