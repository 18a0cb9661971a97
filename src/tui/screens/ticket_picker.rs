//! The ticket picker: an account opened from search that has several open
//! tickets asks which one is being worked. Enter attaches the one selected
//! (the ticket pane shows, as if it had been opened from the queue); Esc
//! leaves the account alone, with no ticket.

use crate::tui::keymap::{ARROW_DOWN, ARROW_UP};
use crate::tui::keymap::{confirm, screen_spec};
use crossterm::event::KeyCode;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{dialog, layout, moved, short_age, shown, truncate};
use crate::portal::model::Ticket;
use crate::tui::action::Action;
use crate::tui::component::{Component, Cx, Outcome, ScreenKind, Shared, Then};
use crate::tui::keymap::{key, special};
use crate::tui::view_model::{Cell, Row, ViewModel};

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
                    Cell::text(ticket.id.to_string()).must(),
                    Cell::muted(ticket.status.as_str()),
                    Cell::muted(short_age(ui.now - ticket.opened_at)).low(),
                    Cell::muted(claim(ticket)).low(),
                    Cell::text(truncate(&shown(&ticket.subject), 36)).must(),
                ])
                .id(ticket.id.to_string())
                .label(format!("Ticket {} of {count}", n + 1))
                .selected(n == self.selected)
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

    fn render(&self, frame: &mut Frame<'_>, area: Rect, shared: &Shared<'_>) {
        let (_under, ui) = (shared, shared.ui);
        let theme = ui.theme;
        let rows = u16::try_from(self.tickets.len()).unwrap_or(u16::MAX).saturating_add(4);
        let inner = dialog(frame, area, (76, rows.min(18)), TITLE, theme);
        let mut lines = Vec::new();
        let fit = usize::from(inner.height.saturating_sub(2));
        let first = layout::scroll_offset(self.selected, fit);
        for (n, ticket) in self.tickets.iter().enumerate().skip(first).take(fit) {
            let selected = n == self.selected;
            let style = if selected { theme.selected } else { theme.text };
            let claim = claim(ticket);
            lines.push(Line::from(vec![
                Span::styled(if selected { "▶ " } else { "  " }, theme.key),
                Span::styled(format!("{:<8}", ticket.id.to_string()), style),
                Span::styled(format!("{:<8}", ticket.status.as_str()), theme.muted),
                Span::styled(format!("{:>4}  ", short_age(ui.now - ticket.opened_at)), theme.muted),
                Span::styled(format!("{:<14}  ", claim), theme.muted),
                Span::styled(truncate(&shown(&ticket.subject), 36), style),
            ]));
        }
        lines.push(Line::default());
        lines.push(Line::styled(HINT, theme.muted));
        frame.render_widget(Paragraph::new(lines), inner);
    }
}
