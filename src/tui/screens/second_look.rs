//! A second look before a risky change (a resend to an address that
//! bounced or looks mistyped, a resend on an account that already accepted
//! an invite, a revoke): the first Enter only shows the risk on a
//! highlighted `▶` line, a second Enter on it goes ahead, Esc goes back.
//! One rule for every dialog that has such a change.

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

    /// The highlighted line, `▶ {choice}: {risk}`, the cursor on it; then
    /// what the keys do now.
    pub fn rows(choice: &str, risk: &str, does: &str) -> Vec<Row> {
        vec![
            Row::new(vec![Cell::text(format!("{choice}:")).strong().must(), Cell::new(risk, Meaning::Warning).must()])
                .id("second-look")
                .selected(true)
                .indent(0, 2),
            Row::new(vec![
                Cell::new("Enter", Meaning::Key),
                Cell::muted(format!("again {does} ·")),
                Cell::new("Esc", Meaning::Key),
                Cell::muted("goes back"),
            ])
            .id("keys"),
        ]
    }

    /// What Enter does before the second look: `Enter asks once more, a
    /// second Enter {does} · Esc cancels`.
    pub fn first_hint_row(does: &str) -> Row {
        Row::new(vec![
            Cell::new("Enter", Meaning::Key),
            Cell::muted(format!("asks once more, a second Enter {does} ·")),
            Cell::new("Esc", Meaning::Key),
            Cell::muted("cancels"),
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
    fn its_line_marks_the_choice_and_says_the_risk_then_the_keys() {
        let theme = crate::tui::theme::Theme::dark();
        let rows = SecondLook::rows("Send anyway", "it bounced", "sends it anyway");
        assert!(rows[0].selected, "the cursor is on the risky choice");
        let drawn = |row: &crate::tui::view_model::Row| crate::tui::view_model::line(row, 80, &theme).to_string();
        assert_eq!(drawn(&rows[0]), "▶ Send anyway: it bounced");
        assert_eq!(drawn(&rows[1]), "Enter again sends it anyway · Esc goes back");
        assert_eq!(
            drawn(&SecondLook::first_hint_row("sends it")),
            "Enter asks once more, a second Enter sends it · Esc cancels"
        );
    }
}
