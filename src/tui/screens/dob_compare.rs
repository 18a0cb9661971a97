//! DOB compare (`d`): the DOB on file and what the client reports, side by
//! side, field by field, checked as the staff member types. It opens with
//! what the staff member typed last on this account, or else with the DOB
//! the client wrote last in the ticket, so the comparison shows at once.

use crate::tui::keymap::{CLOSE, screen_spec};
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use tui_input::Input;

use super::{FIELD_MAX, Ui, cursor_column, dialog};
use crate::diagnose::dob::{self, DobCheck, DobContext, FieldStatus};
use crate::phi::{DOB_MASK, Phi};
use crate::tui::action::{Action, Effect, Terminal};
use crate::tui::dialog::{Banner, Cx, Dialog, Outcome, Under};
use crate::tui::keymap::{ScreenKind, ctrl};
use crate::tui::screens::account::AccountState;
use crate::tui::theme::Theme;

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

screen_spec!(
    DobCompareState,
    "DOB compare",
    [ctrl('y', Action::Copy, "copy the entry to type on the invite page", "copy entry"), CLOSE],
    text
);

impl Dialog for DobCompareState {
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
    /// Draws the DOB compare dialog. The DOB on file, and the entry to type
    /// (it is the DOB on file), show only while the account is revealed; the
    /// field-by-field marks always show.
    fn render(&self, under: &Under<'_>, frame: &mut Frame<'_>, area: Rect, ui: &Ui<'_>) {
        let Some(account) = under.account else { return };
        let (theme, now) = (ui.theme, ui.now);
        let inner = dialog(frame, area, (78, 20), "DOB compare · the portal wants MM/DD/YYYY", theme);
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
        let shown =
            |date: chrono::NaiveDate| if account.revealed { dob::format_entry(date) } else { DOB_MASK.to_owned() };
        let mut header = vec![
            Span::styled("On file    ", theme.muted),
            Span::styled(format!(" {} ", shown(on_file)), theme.title),
            Span::styled("   (MM / DD / YYYY)", theme.muted),
        ];
        if !account.revealed {
            let key = ui.keys.key_of(ScreenKind::DobCompare, Action::Reveal);
            header.push(Span::styled(format!("  masked until revealed ({key})"), theme.muted));
        }
        let header = Line::from(header);
        frame.render_widget(Paragraph::new(header), head);

        let typed = self.shown_input(account.revealed);
        let mut input_line =
            vec![Span::styled("Client says ", theme.muted), Span::styled(format!(" {typed} "), theme.input)];
        if self.from_message.as_deref() == Some(self.input.value()) {
            input_line.push(Span::styled(" (their message)", theme.muted));
        }
        let input_line = Line::from(input_line);
        frame.render_widget(Paragraph::new(input_line), input_row);
        let cursor = if typed == self.input.value() { self.input.visual_cursor() } else { typed.chars().count() };
        frame.set_cursor_position(Position::new(cursor_column(input_row, 13, cursor), input_row.y));

        let Some(check) = current_check(self, account, now) else {
            let hint =
                Line::styled("Type what the client enters on the invite page, exactly as they say it.", theme.muted);
            frame.render_widget(Paragraph::new(hint), fields_row);
            return;
        };
        // A date that reads two ways is compared as read the way that is
        // the DOB on file, and says so.
        let read_as = check.chosen_reading().filter(|_| check.unsettled()).map(|r| r.order);
        let mut fields = Vec::new();
        if let Some(order) = read_as {
            fields.push(Span::styled(format!("Read {}: ", order.words()), theme.warn));
        }
        fields.extend([
            Span::styled("Month", theme.muted),
            status_span(check.fields.month, theme),
            Span::styled("  Day", theme.muted),
            status_span(check.fields.day, theme),
            Span::styled("  Year", theme.muted),
            status_span(check.fields.year, theme),
        ]);
        frame.render_widget(Paragraph::new(Line::from(fields)), fields_row);

        let yes_no =
            |ok: bool| -> (String, Style) { if ok { ("yes".into(), theme.ok) } else { ("no".into(), theme.danger) } };
        let (pass, pass_style) = yes_no(check.would_pass);
        // Never a bare "yes" for a date the portal reads otherwise.
        let (same, same_style) = match read_as {
            Some(order) => (format!("if read {}", order.words()), theme.warn),
            None => yes_no(check.matches_on_file),
        };
        let mut verdict_line = vec![
            Span::styled("Portal accepts it: ", theme.muted),
            Span::styled(pass, pass_style),
            Span::styled("   Same date: ", theme.muted),
            Span::styled(same, same_style),
        ];
        if let Some(entry) = &check.suggested_entry {
            let entry = if account.revealed { entry.clone() } else { DOB_MASK.to_owned() };
            let label = if read_as.is_some() { "   Then type: " } else { "   Type exactly: " };
            verdict_line.push(Span::styled(label, theme.muted));
            verdict_line.push(Span::styled(entry, theme.key));
        }
        frame.render_widget(Paragraph::new(Line::from(verdict_line)).wrap(Wrap { trim: true }), verdict);

        // How the portal reads it and how else it reads, first: for a date
        // that reads two ways, or one typed without slashes.
        let typed = self.input.value();
        let undivided = typed.trim().bytes().all(|b| b.is_ascii_digit());
        let hide = (!account.revealed).then_some(DOB_MASK);
        let said = (check.readings.len() == 2 || undivided)
            .then(|| dob::explain_readings(typed, &check.readings, hide))
            .flatten();
        let mut lines: Vec<Line<'_>> = Vec::new();
        if let Some(said) = said {
            let style = if read_as.is_some() { theme.warn } else { theme.text };
            lines.push(Line::from(vec![Span::styled("» ", style), Span::styled(said, style)]));
        }
        lines.extend(check.findings.iter().map(|f| {
            Line::from(vec![
                Span::styled(format!("• {} ", f.code.as_str()), theme.warn),
                Span::styled(super::account::console_words(&f.message, ui.keys), theme.text),
            ])
        }));
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), findings);
    }
}
