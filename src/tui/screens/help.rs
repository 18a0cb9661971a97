//! Help (`?`): every key of the screen under it, from the keymap itself.
//! Keys that do the same are listed on one line (`j ↓  move down`), and the
//! list goes into two columns when one does not fit.

use crate::tui::keymap::{CLOSE, screen_spec};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::{Ui, layout};
use crate::tui::action::Action;
use crate::tui::component::{Component, Cx, Outcome, Shared};
use crate::tui::keymap::{ScreenKind, key};
use crate::tui::view_model::{self, Cell, Join, Meaning, Row, ViewModel};

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

/// The help dialog: it lists the keys of the screen under it, scrolled
/// with the list-moving keys where they do not all fit.
#[derive(Debug, Default, Clone)]
pub struct HelpState {
    /// Lines scrolled past at the top.
    scroll: u16,
    /// The furthest it can scroll, as last drawn.
    max: std::cell::Cell<u16>,
}

screen_spec!(
    HelpState,
    "Help",
    [CLOSE, key('?', Action::Back, "close", ""), key('q', Action::Back, "close", "")],
    moves
);

/// Every key of `screen`, one row each: its keys right-aligned in a column
/// as wide as the widest, then what they do, wrapped under itself.
fn keys_model(screen: ScreenKind, ui: &Ui<'_>) -> ViewModel {
    let entries = entries(ui, screen);
    let keys_width = entries.iter().map(|(keys, _)| crate::width::of(keys)).max().unwrap_or(0);
    let column = u16::try_from(keys_width).unwrap_or(u16::MAX);
    let rows = entries
        .into_iter()
        .map(|(keys, help)| {
            Row::new(vec![Cell::new(keys, Meaning::Key).right(column).must(), Cell::text(help).join(Join::Gap).must()])
                .wrapped(0, column.saturating_add(2))
        })
        .collect();
    ViewModel::new(format!("Keys · {}", screen.title())).rows("", rows)
}

impl Component for HelpState {
    fn screen(&self) -> ScreenKind {
        ScreenKind::Help
    }

    /// Every key of the screen under it, one row each.
    fn model(&self, shared: &Shared<'_>) -> ViewModel {
        keys_model(shared.screen, shared.ui)
    }

    fn on_action(&mut self, action: Action, _cx: &mut Cx<'_>) -> Outcome {
        let max = self.max.get();
        self.scroll = match action {
            Action::Down | Action::PageDown => self.scroll.saturating_add(if action == Action::Down { 1 } else { 10 }),
            Action::Up | Action::PageUp => self.scroll.saturating_sub(if action == Action::Up { 1 } else { 10 }),
            Action::Top => 0,
            Action::Bottom => max,
            other => return Outcome::back(other, false),
        }
        .min(max);
        Outcome::none()
    }

    /// Draws the help for `screen`: one column where it fits, else two;
    /// every entry whole (a long one wraps under itself), scrolled with
    /// `j` `k` where they do not all fit.
    fn render(&self, frame: &mut Frame<'_>, area: Rect, shared: &Shared<'_>) {
        let ui = shared.ui;
        let theme = ui.theme;
        let model = keys_model(shared.screen, ui);
        let rows: &[Row] = model.sections.first().map_or(&[], |s| s.rows.as_slice());
        // Each entry's lines at `width`.
        let lines_in = |width: usize| -> Vec<Vec<Line<'static>>> {
            rows.iter().map(|row| view_model::lines(row, width, theme)).collect()
        };
        let height = area.height.saturating_sub(2);
        let count = |entries: &[Vec<Line<'static>>]| entries.iter().map(Vec::len).sum::<usize>();
        let two_columns = count(&lines_in(62)) > usize::from(height) && area.width >= 60;
        let width = if two_columns { area.width.min(120) } else { 64.min(area.width) };
        let (columns, inner_width) = if two_columns {
            let column = usize::from(width.saturating_sub(3)) / 2;
            let entries = lines_in(column);
            // The left column takes entries until it holds half the lines:
            // no entry is split across the two.
            let half = count(&entries).div_ceil(2);
            let mut taken = 0;
            let split = entries
                .iter()
                .position(|e| {
                    taken += e.len();
                    taken > half
                })
                .unwrap_or(entries.len());
            let (left, right) = entries.split_at(split);
            (vec![left.concat(), right.concat()], column)
        } else {
            (vec![lines_in(usize::from(width.saturating_sub(2))).concat()], usize::from(width.saturating_sub(2)))
        };
        let tallest = columns.iter().map(Vec::len).max().unwrap_or(0);
        let shown = u16::try_from(tallest).unwrap_or(u16::MAX).min(height);
        let max = u16::try_from(tallest).unwrap_or(u16::MAX).saturating_sub(height);
        self.max.set(max);
        let scroll = self.scroll.min(max);
        let box_area = layout::centered(area, width, shown + 2);
        frame.render_widget(ratatui::widgets::Clear, box_area);
        let mut block = Block::bordered().title(Span::styled(format!(" {} ", model.title), theme.title));
        if max > 0 {
            let more = if scroll < max { " ↓ j more " } else { " ↑ k " };
            block = block.title_bottom(Line::styled(more, theme.muted).right_aligned());
        }
        let inner = block.inner(box_area);
        frame.render_widget(block, box_area);
        let areas: Vec<Rect> = if columns.len() == 2 {
            Layout::horizontal([
                Constraint::Length(u16::try_from(inner_width).unwrap_or(0)),
                Constraint::Length(1),
                Constraint::Fill(1),
            ])
            .split(inner)
            .iter()
            .copied()
            .step_by(2)
            .collect()
        } else {
            vec![inner]
        };
        for (lines, column) in columns.into_iter().zip(areas) {
            frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), column);
        }
    }
}
