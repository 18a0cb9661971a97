//! DOB compare (`d`): the DOB on file and what the client reports, side by
//! side, field by field, checked as the staff member types.

use chrono::{DateTime, Utc};
use crossterm::event::Event;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use tui_input::Input;
use tui_input::backend::crossterm::to_input_request;

use super::{Ui, dialog, layout, paste_into};
use crate::diagnose::dob::{self, DobCheck, DobContext, FieldStatus};
use crate::tui::screens::account::AccountState;
use crate::tui::theme::Theme;

/// The reported DOB being typed. (No `Debug`: it is PHI.)
#[derive(Default)]
pub struct DobCompareState {
    pub input: Input,
}

impl DobCompareState {
    pub fn edit(&mut self, event: &Event) {
        if let Some(request) = to_input_request(event) {
            self.input.handle(request);
        }
    }

    pub fn paste(&mut self, text: &str) {
        paste_into(&mut self.input, text);
    }
}

fn status_span(status: FieldStatus, theme: &Theme) -> Span<'static> {
    match status {
        FieldStatus::Match => Span::styled(" ✓ same ", theme.ok),
        FieldStatus::Mismatch => Span::styled(" ✕ differs ", theme.danger),
        FieldStatus::Missing => Span::styled(" ? missing ", theme.warn),
    }
}

/// The check of what is typed so far, or `None` while nothing is typed.
pub fn current_check(state: &DobCompareState, account: &AccountState, now: DateTime<Utc>) -> Option<DobCheck> {
    let on_file = account.account.data.as_ref().map(|a| *a.value.dob.expose())?;
    let created = account.account.data.as_ref().map(|a| a.value.created_at.date_naive());
    let typed = state.input.value();
    (!typed.trim().is_empty())
        .then(|| dob::check_dob(on_file, typed, &DobContext { today: now.date_naive(), account_created: created }))
}

/// Draws the DOB compare dialog.
pub fn render(state: &DobCompareState, account: &AccountState, frame: &mut Frame<'_>, area: Rect, ui: &Ui<'_>) {
    let (theme, now) = (ui.theme, ui.now);
    let popup = layout::centered(area, 78, 20);
    let inner = dialog(frame, popup, "DOB compare · the portal wants MM/DD/YYYY", theme);
    let Some(on_file) = account.account.data.as_ref().map(|a| *a.value.dob.expose()) else {
        frame.render_widget(Paragraph::new("The account is still loading."), inner);
        return;
    };
    let [head, input_row, fields_row, verdict, findings] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(2),
        Constraint::Length(2),
        Constraint::Length(2),
        Constraint::Fill(1),
    ])
    .areas(inner);
    let header = Line::from(vec![
        Span::styled("On file    ", theme.muted),
        Span::styled(format!(" {} ", dob::format_entry(on_file)), theme.title),
        Span::styled("   (MM / DD / YYYY)", theme.muted),
    ]);
    frame.render_widget(Paragraph::new(header), head);

    let typed = state.input.value();
    let input_line =
        Line::from(vec![Span::styled("Client says ", theme.muted), Span::styled(format!(" {typed} "), theme.input)]);
    frame.render_widget(Paragraph::new(input_line), input_row);
    let cursor = input_row.x + 13 + state.input.visual_cursor() as u16;
    frame.set_cursor_position(Position::new(cursor.min(input_row.right().saturating_sub(1)), input_row.y));

    let Some(check) = current_check(state, account, now) else {
        let hint = Line::styled("Type what the client enters on the invite page, exactly as they say it.", theme.muted);
        frame.render_widget(Paragraph::new(hint), fields_row);
        return;
    };
    let fields = Line::from(vec![
        Span::styled("Month", theme.muted),
        status_span(check.fields.month, theme),
        Span::styled("  Day", theme.muted),
        status_span(check.fields.day, theme),
        Span::styled("  Year", theme.muted),
        status_span(check.fields.year, theme),
    ]);
    frame.render_widget(Paragraph::new(fields), fields_row);

    let yes_no =
        |ok: bool| -> (String, Style) { if ok { ("yes".into(), theme.ok) } else { ("no".into(), theme.danger) } };
    let (pass, pass_style) = yes_no(check.would_pass);
    let (same, same_style) = yes_no(check.matches_on_file);
    let mut verdict_line = vec![
        Span::styled("Portal accepts it: ", theme.muted),
        Span::styled(pass, pass_style),
        Span::styled("   Same date: ", theme.muted),
        Span::styled(same, same_style),
    ];
    if let Some(entry) = &check.suggested_entry {
        verdict_line.push(Span::styled("   Type exactly: ", theme.muted));
        verdict_line.push(Span::styled(entry.clone(), theme.key));
    }
    frame.render_widget(Paragraph::new(Line::from(verdict_line)), verdict);

    let lines: Vec<Line<'_>> = check
        .findings
        .iter()
        .map(|f| {
            Line::from(vec![
                Span::styled(format!("• {} ", f.code.as_str()), theme.warn),
                Span::styled(f.message.as_str(), theme.text),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), findings);
}
