//! Keys as data. The footer hints and the `?` help read this same table, so
//! help cannot drift from the keys.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;

/// The screens (and dialogs) that have keys of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScreenKind {
    Queue,
    Search,
    Account,
    DobCompare,
    Resend,
    EditDob,
    Help,
}

impl ScreenKind {
    pub fn title(self) -> &'static str {
        match self {
            ScreenKind::Queue => "Queue",
            ScreenKind::Search => "Search",
            ScreenKind::Account => "Account",
            ScreenKind::DobCompare => "DOB compare",
            ScreenKind::Resend => "Resend invite",
            ScreenKind::EditDob => "Edit DOB",
            ScreenKind::Help => "Help",
        }
    }

    /// Whether typed characters go into a text field on this screen (so
    /// letter keys are not commands there).
    pub fn takes_text(self) -> bool {
        matches!(self, ScreenKind::Search | ScreenKind::DobCompare | ScreenKind::EditDob)
    }
}

/// One key binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
    pub action: Action,
    /// What it does, for the help.
    pub help: &'static str,
    /// Its short name in the footer; empty when it is not shown there.
    pub hint: &'static str,
}

const fn key(c: char, action: Action, help: &'static str, hint: &'static str) -> Binding {
    Binding { code: KeyCode::Char(c), modifiers: KeyModifiers::NONE, action, help, hint }
}

const fn special(code: KeyCode, action: Action, help: &'static str, hint: &'static str) -> Binding {
    Binding { code, modifiers: KeyModifiers::NONE, action, help, hint }
}

const MOVE: [Binding; 6] = [
    key('j', Action::Down, "move down", ""),
    special(KeyCode::Down, Action::Down, "move down", ""),
    key('k', Action::Up, "move up", ""),
    special(KeyCode::Up, Action::Up, "move up", ""),
    key('g', Action::Top, "go to the top", ""),
    key('G', Action::Bottom, "go to the bottom", ""),
];

const QUEUE: &[Binding] = &[
    special(KeyCode::Enter, Action::Open, "open the ticket's account", "open"),
    key('n', Action::NextTicket, "next unclaimed ticket", "next unclaimed"),
    key('/', Action::Search, "search accounts", "search"),
    key('R', Action::Refresh, "refresh", "refresh"),
    key('M', Action::ToggleMouse, "mouse capture on/off (off: select text)", ""),
    key('?', Action::Help, "help", "help"),
    key('q', Action::Quit, "quit", "quit"),
];

const SEARCH: &[Binding] = &[
    special(KeyCode::Enter, Action::Open, "open the account", "open"),
    special(KeyCode::Down, Action::Down, "move down", ""),
    special(KeyCode::Up, Action::Up, "move up", ""),
    special(KeyCode::Esc, Action::Back, "back", "back"),
];

const ACCOUNT: &[Binding] = &[
    key('r', Action::Resend, "resend the invite", "resend"),
    key('d', Action::DobCompare, "compare a reported DOB", "DOB compare"),
    key('e', Action::EditDob, "edit the DOB on file", "edit DOB"),
    key('v', Action::Reveal, "reveal / mask email and DOB", "reveal"),
    key('/', Action::Search, "search accounts", ""),
    key('n', Action::NextTicket, "next unclaimed ticket", ""),
    key('R', Action::Refresh, "refresh", ""),
    key('M', Action::ToggleMouse, "mouse capture on/off (off: select text)", ""),
    special(KeyCode::Esc, Action::Back, "back", "back"),
    key('?', Action::Help, "help", "help"),
    key('q', Action::Quit, "quit", ""),
];

const DOB_COMPARE: &[Binding] = &[special(KeyCode::Esc, Action::Back, "close", "close")];

const RESEND: &[Binding] = &[
    special(KeyCode::Enter, Action::Confirm, "send it", "send"),
    key('y', Action::Confirm, "send it", ""),
    special(KeyCode::Esc, Action::Back, "cancel", "cancel"),
    key('n', Action::Back, "cancel", ""),
];

const EDIT_DOB: &[Binding] = &[
    special(KeyCode::Tab, Action::NextField, "next field", "next field"),
    special(KeyCode::BackTab, Action::PrevField, "previous field", ""),
    special(KeyCode::Enter, Action::Confirm, "continue / save", "continue"),
    special(KeyCode::Esc, Action::Back, "cancel", "cancel"),
];

const HELP: &[Binding] = &[
    special(KeyCode::Esc, Action::Back, "close", "close"),
    key('?', Action::Back, "close", ""),
    key('q', Action::Back, "close", ""),
];

/// The keys of a screen, in the order the help lists them.
pub fn bindings(screen: ScreenKind) -> Vec<Binding> {
    let own: &[Binding] = match screen {
        ScreenKind::Queue => QUEUE,
        ScreenKind::Search => SEARCH,
        ScreenKind::Account => ACCOUNT,
        ScreenKind::DobCompare => DOB_COMPARE,
        ScreenKind::Resend => RESEND,
        ScreenKind::EditDob => EDIT_DOB,
        ScreenKind::Help => HELP,
    };
    let mut all = own.to_vec();
    if matches!(screen, ScreenKind::Queue | ScreenKind::Account | ScreenKind::Help) {
        all.extend(MOVE);
    }
    if screen == ScreenKind::Queue {
        all.push(special(KeyCode::Esc, Action::Back, "back", ""));
    }
    all
}

/// The action a key does on a screen. Ctrl-C quits everywhere.
pub fn action_for(screen: ScreenKind, event: &KeyEvent) -> Option<Action> {
    if event.modifiers.contains(KeyModifiers::CONTROL) && event.code == KeyCode::Char('c') {
        return Some(Action::Quit);
    }
    // Shifted letters arrive as the capital with SHIFT set.
    let modifiers = event.modifiers - KeyModifiers::SHIFT;
    bindings(screen).into_iter().find(|b| b.code == event.code && b.modifiers == modifiers).map(|b| b.action)
}

/// How a key is written in help and footer.
pub fn key_label(code: KeyCode) -> String {
    match code {
        KeyCode::Char(' ') => "Space".into(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "Shift-Tab".into(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        other => format!("{other:?}"),
    }
}

/// The footer hints of a screen: `key action` pairs.
pub fn footer(screen: ScreenKind) -> Vec<(String, &'static str)> {
    bindings(screen).into_iter().filter(|b| !b.hint.is_empty()).map(|b| (key_label(b.code), b.hint)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn vim_keys_and_arrows_both_move() {
        for screen in [ScreenKind::Queue, ScreenKind::Account] {
            assert_eq!(action_for(screen, &press(KeyCode::Char('j'))), Some(Action::Down));
            assert_eq!(action_for(screen, &press(KeyCode::Down)), Some(Action::Down));
            assert_eq!(action_for(screen, &press(KeyCode::Char('k'))), Some(Action::Up));
            assert_eq!(action_for(screen, &press(KeyCode::Up)), Some(Action::Up));
        }
    }

    #[test]
    fn ctrl_c_quits_everywhere_and_shift_letters_match() {
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        for screen in [ScreenKind::Queue, ScreenKind::Search, ScreenKind::EditDob, ScreenKind::Help] {
            assert_eq!(action_for(screen, &ctrl_c), Some(Action::Quit));
        }
        let shift_r = KeyEvent::new(KeyCode::Char('R'), KeyModifiers::SHIFT);
        assert_eq!(action_for(ScreenKind::Queue, &shift_r), Some(Action::Refresh));
    }

    #[test]
    fn text_screens_bind_no_plain_letters() {
        for screen in [ScreenKind::Search, ScreenKind::DobCompare, ScreenKind::EditDob] {
            assert!(screen.takes_text());
            for binding in bindings(screen) {
                assert!(!matches!(binding.code, KeyCode::Char(_)), "{screen:?} binds {:?}", binding.code);
            }
        }
    }

    #[test]
    fn no_key_is_bound_twice_on_a_screen() {
        for screen in [
            ScreenKind::Queue,
            ScreenKind::Search,
            ScreenKind::Account,
            ScreenKind::DobCompare,
            ScreenKind::Resend,
            ScreenKind::EditDob,
            ScreenKind::Help,
        ] {
            let all = bindings(screen);
            for (i, a) in all.iter().enumerate() {
                for b in &all[i + 1..] {
                    assert!(!(a.code == b.code && a.modifiers == b.modifiers), "{screen:?}: {:?} twice", a.code);
                }
            }
            assert!(!footer(screen).is_empty());
        }
    }
}
