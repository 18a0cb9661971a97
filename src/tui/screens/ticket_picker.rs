//! The ticket picker: an account opened from search that has several open
//! tickets asks which one is being worked. Enter attaches the one selected
//! (the ticket pane shows, as if it had been opened from the queue); Esc
//! leaves the account alone, with no ticket.

use crate::tui::keymap::{ARROW_DOWN, ARROW_UP};
use crate::tui::keymap::{confirm, screen_spec};
use crossterm::event::KeyCode;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use super::{dialog, moved, short_age, shown, truncate};
use crate::portal::model::Ticket;
use crate::tui::action::Action;
use crate::tui::component::{Component, Cx, Outcome, ScreenKind, Shared, Then};
use crate::tui::keymap::{key, special};
use crate::tui::view_model::{self, Cell, Join, Row, ViewModel};

/// The dialog's title.
const TITLE: &str = "This account has several open tickets: which one?";
/// What its keys do.
const HINT: &str = "Enter works the ticket selected · Esc: the account alone";

/// Who claimed `ticket`, cut short, or `unclaimed`.
fn claim(ticket: &Ticket) -> String {
    match &ticket.assignee {
        Some(who) => truncate(&shown(who), 14),
        None => "unclaimed".to_owned(),
    }
}

/// The picker's state: the account's open tickets, oldest first.
#[derive(Debug, Clone)]
pub struct TicketPickerState {
    pub tickets: Vec<Ticket>,
    pub selected: usize,
}

impl TicketPickerState {
    pub fn new(tickets: Vec<Ticket>) -> Self {
        Self { tickets, selected: 0 }
    }
}

screen_spec!(
    TicketPickerState,
    "Which ticket?",
    [
        confirm("work this ticket (the ticket pane shows)", "attach"),
        ARROW_DOWN,
        ARROW_UP,
        key('j', Action::Down, "move down", ""),
        key('k', Action::Up, "move up", ""),
        special(KeyCode::Esc, Action::Back, "no ticket: the account alone", "none"),
    ]
);

impl Component for TicketPickerState {
    fn screen(&self) -> ScreenKind {
        ScreenKind::TicketPicker
    }

    /// The open tickets, the selected one marked: id, status, age, who
    /// claimed it, subject; then what the keys do.
    fn model(&self, shared: &Shared<'_>) -> ViewModel {
        let (_under, ui) = (shared, shared.ui);
        let count = self.tickets.len();
        let rows = self
            .tickets
            .iter()
            .enumerate()
            .map(|(n, ticket)| {
                Row::new(vec![
                    Cell::text(ticket.id.to_string()).must().width(7),
                    Cell::muted(ticket.status.as_str()).width(7),
                    Cell::muted(short_age(ui.now - ticket.opened_at)).low().right(4),
                    Cell::muted(claim(ticket)).low().width(14).join(Join::Gap),
                    Cell::text(truncate(&shown(&ticket.subject), 36)).must().join(Join::Gap),
                ])
                .id(ticket.id.to_string())
                .label(format!("Ticket {} of {count}", n + 1))
                .selected(n == self.selected)
                .indent(2, 2)
            })
            .collect();
        ViewModel::new(TITLE).rows("", rows).rows("", vec![Row::one(Cell::muted(HINT)).id("keys")])
    }

    fn on_action(&mut self, action: Action, _cx: &mut Cx<'_>) -> Outcome {
        match action {
            Action::Confirm => match self.tickets.get(self.selected) {
                Some(ticket) => {
                    Outcome { close: true, then: vec![Then::AttachTicket(ticket.id.clone())], ..Outcome::none() }
                }
                None => Outcome::close(),
            },
            Action::Back => Outcome::close(),
            other => {
                self.selected = moved(self.selected, self.tickets.len(), other);
                Outcome::none()
            }
        }
    }

    /// The tickets, the selected one marked, then what the keys do.
    fn render(&self, frame: &mut Frame<'_>, area: Rect, shared: &Shared<'_>) {
        let theme = shared.ui.theme;
        let rows = u16::try_from(self.tickets.len()).unwrap_or(u16::MAX).saturating_add(4);
        let inner = dialog(frame, area, (76, rows.min(18)), TITLE, theme);
        let model = self.model(shared);
        let [list, _, hint] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(1), Constraint::Length(1)]).areas(inner);
        let sections = model.sections.as_slice();
        if let [tickets, keys, ..] = sections {
            view_model::list(&tickets.rows, frame, list, theme);
            view_model::list(&keys.rows, frame, hint, theme);
        }
    }
}
