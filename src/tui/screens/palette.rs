//! The command palette (`:`): every action of the screen under it, by
//! name, filtered as you type; Enter runs the one selected. The list comes
//! from the keymap, so it names the same actions and keys as the help.

use crate::tui::keymap::{ARROW_DOWN, ARROW_UP};
use crate::tui::keymap::{CLOSE, confirm, screen_spec};
use crossterm::event::Event;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use tui_input::Input;

use super::{FIELD_MAX, cursor_column, dialog, moved, paste_into, type_into};
use crate::tui::action::Action;
use crate::tui::component::{Component, Cx, Outcome, Shared, Then};
use crate::tui::keymap::{Keymap, ScreenKind};
use crate::tui::view_model::{self, Cell, Join, Meaning, Row, ViewModel};

/// The palette's title.
fn title(screen: ScreenKind) -> String {
    format!("Commands · {}", screen.title())
}

/// What the list says when nothing matches.
const NO_MATCH: &str = "No command matches.";

/// The palette's state: what is typed and which command is selected.
#[derive(Debug, Default)]
pub struct PaletteState {
    pub input: Input,
    pub selected: usize,
}

/// A command the palette offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub action: Action,
    /// The action's name with spaces (`edit dob`).
    pub name: String,
    pub help: &'static str,
    /// The key that does the same, as written.
    pub key: String,
}

/// The commands of `screen` whose name or description contains every word
/// typed (case does not matter), in the keymap's order, one per action.
pub fn commands(keys: &Keymap, screen: ScreenKind, typed: &str) -> Vec<Command> {
    let words: Vec<String> = typed.split_whitespace().map(str::to_lowercase).collect();
    let mut out: Vec<Command> = Vec::new();
    for binding in keys.bindings(screen) {
        // Moving the cursor and the palette itself are not commands.
        let skip = matches!(binding.action, Action::Up | Action::Down | Action::Top | Action::Bottom | Action::Palette);
        if skip || out.iter().any(|c| c.action == binding.action) {
            continue;
        }
        let name = binding.action.name().replace('_', " ");
        let haystack = format!("{name} {}", binding.help).to_lowercase();
        if words.iter().all(|w| haystack.contains(w.as_str())) {
            out.push(Command { action: binding.action, name, help: binding.help, key: binding.label() });
        }
    }
    out
}

impl PaletteState {
    /// A key for the filter field.
    pub fn edit(&mut self, event: &Event) {
        if type_into(&mut self.input, event, FIELD_MAX).is_some_and(|c| c.value) {
            self.selected = 0;
        }
    }

    pub fn paste(&mut self, text: &str) {
        if paste_into(&mut self.input, text) {
            self.selected = 0;
        }
    }

    pub fn navigate(&mut self, action: Action, count: usize) {
        self.selected = moved(self.selected, count, action);
    }

    /// The command Enter would run.
    pub fn chosen(&self, keys: &Keymap, screen: ScreenKind) -> Option<Action> {
        commands(keys, screen, self.input.value()).get(self.selected).map(|c| c.action)
    }
}

screen_spec!(PaletteState, "Commands", [confirm("run the command", "run"), ARROW_DOWN, ARROW_UP, CLOSE], text);

impl Component for PaletteState {
    fn screen(&self) -> ScreenKind {
        ScreenKind::Palette
    }

    /// Draws the palette over the screen `under`.
    /// The filter typed (the field), then the commands that match, the
    /// selected one marked: name, key, what it does.
    fn model(&self, shared: &Shared<'_>) -> ViewModel {
        let (under, ui) = (shared, shared.ui);
        let list = commands(ui.keys, under.screen, self.input.value());
        let field = Row::new(vec![Cell::new(":", Meaning::Key), Cell::new(self.input.value(), Meaning::Input).must()])
            .id("field")
            .label("Filter");
        let rows = if list.is_empty() {
            vec![Row::one(Cell::muted(NO_MATCH)).id("none")]
        } else {
            list.iter()
                .enumerate()
                .map(|(n, c)| {
                    Row::new(vec![
                        Cell::text(&c.name).must().width(15),
                        Cell::new(&c.key, Meaning::Key).right(7),
                        Cell::muted(c.help).low().join(Join::Gap),
                    ])
                    .id(&c.name)
                    .selected(n == self.selected)
                    .indent(2, 2)
                })
                .collect()
        };
        ViewModel::new(title(under.screen)).rows("", vec![field]).rows("", rows)
    }

    /// Enter closes it and runs the chosen command on the view under it.
    fn on_action(&mut self, action: Action, cx: &mut Cx<'_>) -> Outcome {
        match action {
            Action::Back => Outcome::close(),
            Action::Confirm => match self.chosen(cx.keys, cx.under) {
                Some(chosen) => Outcome { close: true, then: vec![Then::Run(chosen)], ..Outcome::none() },
                None => Outcome::none(),
            },
            other => {
                let count = commands(cx.keys, cx.under, self.input.value()).len();
                self.navigate(other, count);
                Outcome::none()
            }
        }
    }
    fn edit(&mut self, event: &Event) {
        PaletteState::edit(self, event);
    }
    fn paste(&mut self, text: &str) {
        PaletteState::paste(self, text);
    }

    /// The filter typed (its cursor in it), then the commands that match.
    fn render(&self, frame: &mut Frame<'_>, area: Rect, shared: &Shared<'_>) {
        let theme = shared.ui.theme;
        let inner = dialog(frame, area, (70, 16), &title(shared.screen), theme);
        let [input_row, list_area] = Layout::vertical([Constraint::Length(2), Constraint::Fill(1)]).areas(inner);
        let model = self.model(shared);
        if let [field, commands, ..] = model.sections.as_slice() {
            view_model::list(&field.rows, frame, input_row, theme);
            view_model::list(&commands.rows, frame, list_area, theme);
        }
        frame.set_cursor_position(Position::new(cursor_column(input_row, 2, self.input.visual_cursor()), input_row.y));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_the_screens_actions_once_each_and_filters_by_words() {
        let keys = Keymap::default();
        let all = commands(&keys, ScreenKind::Account, "");
        assert!(all.iter().any(|c| c.action == Action::Resend && c.key == "r"));
        assert!(!all.iter().any(|c| matches!(c.action, Action::Down | Action::Palette)));
        let mut seen: Vec<Action> = all.iter().map(|c| c.action).collect();
        seen.dedup();
        assert_eq!(seen.len(), all.len());
        let found = commands(&keys, ScreenKind::Account, "EDIT dob");
        assert_eq!(found.iter().map(|c| c.action).collect::<Vec<_>>(), vec![Action::EditDob]);
        let found = commands(&keys, ScreenKind::Account, "invite");
        assert!(found.iter().any(|c| c.action == Action::Resend), "matches the description too");
        assert!(commands(&keys, ScreenKind::Queue, "zzz").is_empty());
    }

    /// Calls `check` with what the palette sees over the account screen.
    fn over_account(check: impl FnOnce(&Shared<'_>)) {
        let (theme, keys) = (crate::tui::theme::Theme::dark(), Keymap::default());
        let now = chrono::DateTime::UNIX_EPOCH;
        let ui = crate::tui::screens::Ui {
            theme: &theme,
            keys: &keys,
            zone: crate::timezone::StaffZone::default(),
            absolute_times: false,
            now,
        };
        let replies = crate::diagnose::replies::Replies::default();
        check(&Shared::new(&ui, &replies, ScreenKind::Account));
    }

    #[test]
    fn it_draws_the_filter_then_the_commands_in_columns() {
        let state = PaletteState { input: Input::new("dob".into()), selected: 0 };
        let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
        over_account(|shared| {
            terminal.draw(|frame| state.render(frame, frame.area(), shared)).unwrap();
        });
        let screen = terminal.backend().to_string();
        assert!(screen.contains(": dob"), "{screen}");
        // Name padded to 16, its key right-aligned in 7, then what it does.
        let selected = screen.lines().find(|l| l.contains("▶ ")).expect("a selected command");
        let at = selected.find("▶ ").unwrap();
        let row: String = selected[at..].chars().skip(2).collect();
        assert!(row.starts_with("dob compare           d  compare a reported DOB"), "{row}");
    }

    #[test]
    fn its_view_has_the_filter_typed_and_the_command_selected() {
        use crate::tui::view_model::Meaning;
        let state = PaletteState { input: Input::new("edit dob".into()), selected: 0 };
        let mut model = ViewModel::default();
        let mut none = ViewModel::default();
        over_account(|under| {
            model = state.model(under);
            none = PaletteState { input: Input::new("zzz".into()), selected: 0 }.model(under);
        });
        assert_eq!(model.title, "Commands · Account");
        let rows: Vec<_> = model.sections.iter().flat_map(|s| &s.rows).collect();
        assert!(rows.iter().any(|r| r.cells.iter().any(|c| c.meaning == Meaning::Input && c.text == "edit dob")));
        let selected: Vec<_> = rows.iter().filter(|r| r.selected).collect();
        assert_eq!(selected.len(), 1);
        assert_eq!(selected[0].cells[0].text, "edit dob");
        assert!(none.text().contains("No command matches."), "{}", none.text());
    }
}
