//! A second look before a risky change (a resend to an address that
//! bounced or looks mistyped, a resend on an account that already accepted
//! an invite, a revoke): the first Enter only shows the risk on a
//! highlighted `▶` line, a second Enter on it goes ahead, Esc goes back.
//! One rule for every dialog that has such a change.

use ratatui::text::{Line, Span};

use super::cells_line;
use crate::tui::theme::Theme;
use crate::tui::view_model::{Cell, Meaning, Row};

/// Whether the risky change was looked at once already.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SecondLook {
    /// The first Enter was pressed: the next one goes ahead.
    pub armed: bool,
}

impl SecondLook {
    /// Enter on a change (`risky` or not): whether it goes ahead now. The
    /// first Enter on a risky change only arms it.
    pub fn go(&mut self, risky: bool) -> bool {
        if risky && !self.armed {
            self.armed = true;
            return false;
        }
        true
    }

    /// Esc: back from the highlighted line; whether it was shown (then Esc
    /// does nothing else).
    pub fn back(&mut self) -> bool {
        std::mem::take(&mut self.armed)
    }

    /// The highlighted line, `▶ {choice}: {risk}`, and what the keys do now.
    pub fn lines(choice: &str, risk: &str, does: &str, theme: &Theme) -> Vec<Line<'static>> {
        let rows = Self::rows(choice, risk, does);
        let mut lines: Vec<Line<'static>> = Vec::new();
        if let Some([choice, risk]) = rows.first().map(|r| r.cells.as_slice()) {
            lines.push(Line::from(vec![
                Span::styled(format!("▶ {}", choice.text), theme.selected),
                Span::styled(format!(": {}", risk.text), theme.warn),
            ]));
        }
        lines.extend(rows.iter().skip(1).map(|row| cells_line(&row.cells, theme)));
        lines
    }

    /// [`SecondLook::lines`] as a view model's rows: the risky choice, the
    /// cursor on it, and its risk; then what the keys do now.
    pub fn rows(choice: &str, risk: &str, does: &str) -> Vec<Row> {
        vec![
            Row::new(vec![Cell::text(choice).must(), Cell::new(risk, Meaning::Warning).must()])
                .id("second-look")
                .selected(true),
            Row::new(vec![
                Cell::new("Enter", Meaning::Key),
                Cell::muted(format!(" again {does} · ")),
                Cell::new("Esc", Meaning::Key),
                Cell::muted(" goes back"),
            ])
            .id("keys"),
        ]
    }

    /// What Enter does before the second look: `Enter shows the risk, a
    /// second Enter {does} · Esc cancels`.
    pub fn first_hint(does: &str, theme: &Theme) -> Line<'static> {
        cells_line(&Self::first_hint_row(does).cells, theme)
    }

    /// [`SecondLook::first_hint`] as a view model's row.
    pub fn first_hint_row(does: &str) -> Row {
        Row::new(vec![
            Cell::new("Enter", Meaning::Key),
            Cell::muted(format!(" asks once more, a second Enter {does} · ")),
            Cell::new("Esc", Meaning::Key),
            Cell::muted(" cancels"),
        ])
        .id("keys")
    }
}

#[cfg(test)]
mod tests {
    use super::SecondLook;

    #[test]
    fn a_risky_change_needs_two_enters_and_esc_goes_back() {
        let mut look = SecondLook::default();
        assert!(look.go(false), "nothing risky: one Enter goes");
        assert!(!look.go(true), "the first Enter on a risk only shows it");
        assert!(look.back(), "Esc goes back from it");
        assert!(!look.go(true), "and the risk is shown again");
        assert!(look.go(true), "the second Enter goes");
    }

    #[test]
    fn its_rows_say_what_its_lines_say_the_choice_marked() {
        let theme = crate::tui::theme::Theme::dark();
        let rows = SecondLook::rows("Send anyway", "it bounced", "sends it anyway");
        assert!(rows[0].selected, "the cursor is on the risky choice");
        let said = |row: &crate::tui::view_model::Row| row.cells.iter().map(|c| c.text.as_str()).collect::<String>();
        let lines = SecondLook::lines("Send anyway", "it bounced", "sends it anyway", &theme);
        assert_eq!(lines[0].to_string(), "▶ Send anyway: it bounced");
        assert_eq!(said(&rows[1]), lines[1].to_string());
        assert_eq!(
            said(&SecondLook::first_hint_row("sends it")),
            SecondLook::first_hint("sends it", &theme).to_string()
        );
    }
}
