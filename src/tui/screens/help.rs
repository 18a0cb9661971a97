//! Help (`?`): every key of the screen under it, from the keymap itself.
//! Keys that do the same are listed on one line (`j ↓  move down`), and the
//! list goes into two columns when one does not fit.

use crate::tui::keymap::{CLOSE, screen_spec};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Ui, dialog};
use crate::tui::action::Action;
use crate::tui::dialog::{Dialog, Under};
use crate::tui::keymap::{ScreenKind, key};
use crate::tui::view_model::{Cell, Meaning, Row, ViewModel};

/// The help's lines: the keys of an action together, then the keys that
/// work everywhere.
pub fn entries(ui: &Ui<'_>, screen: ScreenKind) -> Vec<(String, &'static str)> {
    let mut entries: Vec<(String, &'static str)> = Vec::new();
    let mut actions = Vec::new();
    for b in ui.keys.bindings(screen) {
        match actions.iter().position(|(action, help)| *action == b.action && *help == b.help) {
            Some(i) => entries[i].0 = format!("{} {}", entries[i].0, b.label()),
            None => {
                actions.push((b.action, b.help));
                entries.push((b.label(), b.help));
            }
        }
    }
    entries.push(("Ctrl-C".into(), "quit, from anywhere"));
    entries.push(("Ctrl-Z".into(), "suspend (fg returns)"));
    entries
}

/// The help dialog (it has no state: it lists the keys of the screen under it).
#[derive(Debug, Default, Clone, Copy)]
pub struct HelpState;

screen_spec!(
    HelpState,
    "Help",
    [CLOSE, key('?', Action::Back, "close", ""), key('q', Action::Back, "close", "")],
    moves
);

impl Dialog for HelpState {
    /// Every key of the screen under it, one row each.
    fn view(&self, under: &Under<'_>, ui: &Ui<'_>) -> ViewModel {
        let rows = entries(ui, under.screen)
            .into_iter()
            .map(|(keys, help)| Row::new(vec![Cell::new(keys, Meaning::Key).must(), Cell::text(help).must()]))
            .collect();
        ViewModel::new(format!("Keys · {}", under.screen.title())).rows("", rows)
    }

    /// Draws the help for `screen`.
    fn render(&self, under: &Under<'_>, frame: &mut Frame<'_>, area: Rect, ui: &Ui<'_>) {
        let screen = under.screen;
        let theme = ui.theme;
        let entries = entries(ui, screen);
        let fits = entries.len() as u16 + 2 <= area.height;
        let (width, rows) = if fits { (64, entries.len()) } else { (area.width.min(120), entries.len().div_ceil(2)) };
        let inner = dialog(frame, area, (width, rows as u16 + 2), &format!("Keys · {}", screen.title()), theme);
        let line = |(keys, help): &(String, &'static str)| {
            Line::from(vec![Span::styled(format!("{keys:>7}  "), theme.key), Span::styled(*help, theme.text)])
        };
        if fits {
            frame.render_widget(Paragraph::new(entries.iter().map(line).collect::<Vec<_>>()), inner);
        } else {
            let [left, right] = Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(inner);
            let (first, second) = entries.split_at(rows);
            frame.render_widget(Paragraph::new(first.iter().map(line).collect::<Vec<_>>()), left);
            frame.render_widget(Paragraph::new(second.iter().map(line).collect::<Vec<_>>()), right);
        }
    }
}
