//! The queue: open tickets, oldest first, with each account's latest invite
//! and its countdown. The first screen.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, TableState};

use super::{Ui, invite_badge, layout, moved, short_age, shown, truncate};
use crate::portal::model::{AccountId, Ticket, TicketId};
use crate::tui::action::Action;
use crate::tui::remote::Remote;

/// The queue's state.
#[derive(Debug, Default)]
pub struct QueueState {
    pub tickets: Remote<Vec<Ticket>>,
    pub selected: usize,
}

impl QueueState {
    fn list(&self) -> &[Ticket] {
        self.tickets.data.as_deref().unwrap_or_default()
    }

    /// The ticket under the cursor.
    pub fn selected_ticket(&self) -> Option<&Ticket> {
        self.list().get(self.selected)
    }

    /// Moves the cursor.
    pub fn navigate(&mut self, action: Action) {
        self.selected = moved(self.selected, self.list().len(), action);
    }

    /// Keeps the cursor on a row after the list changed.
    pub fn clamp(&mut self) {
        self.selected = self.selected.min(self.list().len().saturating_sub(1));
    }

    /// `n`: the cursor to the next unclaimed ticket after it (wrapping).
    pub fn select_next_unclaimed(&mut self) {
        let list = self.list();
        let n = list.len();
        if let Some(i) = (1..=n).map(|k| (self.selected + k) % n).find(|&i| list[i].assignee.is_none()) {
            self.selected = i;
        }
    }

    /// The next unclaimed ticket after `ticket_id` (wrapping), as
    /// (account id, ticket id); the first unclaimed one when `None`.
    pub fn next_unclaimed_after(&self, ticket_id: Option<&TicketId>) -> Option<(AccountId, TicketId)> {
        let list = self.list();
        let start = ticket_id.and_then(|id| list.iter().position(|t| t.id == *id));
        let n = list.len();
        let order: Vec<usize> = match start {
            Some(s) => (1..n).map(|k| (s + k) % n).collect(),
            None => (0..n).collect(),
        };
        order.into_iter().map(|i| &list[i]).find(|t| t.assignee.is_none()).map(|t| (t.account_id.clone(), t.id.clone()))
    }

    /// Whether any row shows a running countdown.
    pub fn has_countdown(&self) -> bool {
        self.list().iter().any(|t| {
            t.account
                .as_ref()
                .and_then(|a| a.latest_invite.as_ref())
                .is_some_and(|i| i.status == crate::portal::model::InviteStatus::Pending)
        })
    }
}

/// Rows of the table above the first ticket (border and header).
const TOP: u16 = 2;

/// The ticket row at a screen position, for mouse clicks.
pub fn row_at(body: Rect, state: &QueueState, column: u16, row: u16) -> Option<usize> {
    layout::table_row_at(body, TOP, state.selected, state.list().len(), column, row)
}

/// Draws the queue.
pub fn render(state: &QueueState, frame: &mut Frame<'_>, area: Rect, ui: &Ui<'_>) {
    let (theme, now) = (ui.theme, ui.now);
    let list = state.list();
    let title = format!(" Open tickets ({}) · oldest first ", list.len());
    let block = Block::bordered().title(Span::styled(title, theme.title));
    if list.is_empty() {
        let text = match (&state.tickets.error, state.tickets.is_loading()) {
            (Some(error), _) => Line::styled(
                format!(
                    "Could not load the queue: {error}. Press {} to retry.",
                    ui.keys.key_of(crate::tui::keymap::ScreenKind::Queue, crate::tui::action::Action::Refresh)
                ),
                theme.danger,
            ),
            (None, true) => Line::styled("Loading the queue…", theme.muted),
            (None, false) => Line::styled("No open tickets.", theme.muted),
        };
        frame.render_widget(Paragraph::new(text).block(block), area);
        return;
    }
    let wide = area.width >= 120;
    let rows = list.iter().map(|ticket| {
        let (name, role, badge) = match &ticket.account {
            Some(account) => (
                super::full_name(account.first_name.expose(), account.last_name.expose()),
                account.role.as_str(),
                match &account.latest_invite {
                    Some(latest) => invite_badge(latest.status, latest.expires_at, account.role, now, theme),
                    None => Line::styled("– no invite", theme.muted),
                },
            ),
            None => (ticket.account_id.to_string(), "", Line::styled("–", theme.muted)),
        };
        let claim = match &ticket.assignee {
            Some(who) => Span::styled(truncate(who, 14), theme.muted),
            None => Span::styled("unclaimed", theme.warn),
        };
        // With `t` the age also shows when the ticket was opened.
        let age = short_age(now - ticket.opened_at);
        let age = if ui.absolute_times { format!("{age:<4}{}", ui.zone.short(ticket.opened_at)) } else { age };
        let mut cells = vec![
            Cell::from(age),
            Cell::from(ticket.id.as_str()),
            Cell::from(shown(&ticket.subject)),
            Cell::from(name),
            Cell::from(role),
            Cell::from(badge),
        ];
        if wide {
            cells.push(Cell::from(claim));
        }
        Row::new(cells)
    });
    let mut widths = vec![
        Constraint::Length(if ui.absolute_times { 4 + 17 } else { 4 }),
        Constraint::Length(6),
        Constraint::Fill(2),
        Constraint::Fill(1),
        Constraint::Length(6),
        Constraint::Length(21),
    ];
    let mut header = vec!["Age", "Ticket", "Subject", "Account", "Role", "Invite"];
    if wide {
        widths.push(Constraint::Length(14));
        header.push("Claimed");
    }
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.muted))
        .block(block)
        .row_highlight_style(theme.selected)
        .highlight_symbol("▶ ");
    let mut table_state = TableState::default().with_selected(Some(state.selected));
    frame.render_stateful_widget(table, area, &mut table_state);
}
