//! Keys as data. The footer hints and the `?` help read this same table, so
//! help cannot drift from the keys.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;
pub use crate::keys::{ACCOUNT, Binding, KeysError, QUEUE, ScreenSpec, TICKET, ctrl, key, key_label, special};
use crate::keys::{MOVE, Overrides, View};

pub use super::component::ScreenKind;

impl ScreenKind {
    pub fn title(self) -> &'static str {
        self.spec().title
    }

    /// Whether typed characters go into a text field on this screen (so
    /// letter keys are not commands there).
    pub fn takes_text(self) -> bool {
        self.spec().takes_text
    }

    /// Whether this dialog shows the account's addresses or DOB (its
    /// spec says so, in its file): the reveal key works in it, and a
    /// reveal lasts while it is open.
    pub fn shows_phi(self) -> bool {
        self.spec().shows_phi
    }

    /// The view whose letter keys the config file's `[keys]` may rebind,
    /// if this screen is one (dialogs keep theirs).
    fn view(self) -> Option<View> {
        match self {
            ScreenKind::Queue => Some(View::Queue),
            ScreenKind::Account => Some(View::Account),
            ScreenKind::Ticket => Some(View::Ticket),
            _ => None,
        }
    }
}

/// The reveal key of every dialog that shows an address or a DOB: a
/// function key, since text fields take letters.
pub const REVEAL: Binding = special(KeyCode::F(2), Action::Reveal, "reveal / mask email and DOB", "reveal");

/// Shift-Tab in a dialog of several fields: back one (listed in the help
/// only).
pub const PREV_FIELD: Binding = special(KeyCode::BackTab, Action::PrevField, "previous field", "");
/// Esc cancels a dialog that would change something.
pub const CANCEL: Binding = special(KeyCode::Esc, Action::Back, "cancel", "cancel");
/// The arrows move through a dialog's list.
pub const ARROW_DOWN: Binding = special(KeyCode::Down, Action::Down, "move down", "");
pub const ARROW_UP: Binding = special(KeyCode::Up, Action::Up, "move up", "");
/// Esc closes a dialog that only shows.
pub const CLOSE: Binding = special(KeyCode::Esc, Action::Back, "close", "close");

/// Enter confirms: `help` for `?`, `hint` for the footer.
pub const fn confirm(help: &'static str, hint: &'static str) -> Binding {
    special(KeyCode::Enter, Action::Confirm, help, hint)
}

/// Declares a dialog's `SPEC`: its title and keys (its rows of the keymap),
/// then `moves` (the list-moving keys follow its own) or `text` (it takes
/// text), as [`ScreenSpec`] says.
macro_rules! screen_spec {
    ($state:ty, $title:literal, [$($binding:expr),+ $(,)?] $(, $flag:ident)*) => {
        impl $state {
            /// Its title and keys (its rows of the keymap).
            pub const SPEC: $crate::tui::keymap::ScreenSpec =
                $crate::tui::keymap::ScreenSpec::new($title, &[$($binding),+])$(.$flag())*;
        }
    };
}
pub(crate) use screen_spec;

/// The built-in keys of a screen, in the order the help lists them.
fn builtin(screen: ScreenKind) -> Vec<Binding> {
    let mut all = match screen.view() {
        Some(view) => view.builtin(),
        None => {
            let spec = screen.spec();
            let mut all = spec.keys.to_vec();
            if spec.moves {
                all.extend(MOVE);
            }
            all
        }
    };
    // The account's own is `v` (which `[keys]` may move); a dialog's text
    // field takes `v`, so dialogs showing PHI share this one.
    if screen.shows_phi() {
        all.push(REVEAL);
    }
    all
}

/// The keys in force: the built-in table with the config file's overrides
/// (`[keys] resend = "s"`) applied to the queue's and account's letter keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keymap {
    overrides: Overrides,
    /// Read-only: no changing action is bound, listed or offered.
    readonly: bool,
}

impl Keymap {
    /// Reads `[keys]`: action name to a single character (or `Space`, `F1`
    /// to `F12`). An unknown action, a key that cannot be read, or a key
    /// that clashes with another on the same screen is an error naming the
    /// entry of `[keys]` at fault.
    pub fn from_config(keys: &std::collections::BTreeMap<String, String>) -> Result<Self, KeysError> {
        Ok(Self { overrides: Overrides::from_config(keys)?, readonly: false })
    }

    /// The same keys in read-only mode: every changing action left out of
    /// the footer, the help and the palette.
    pub fn read_only(self, readonly: bool) -> Self {
        Self { readonly, ..self }
    }

    /// Whether changing actions are left out.
    pub fn is_read_only(&self) -> bool {
        self.readonly
    }

    /// The keys of a screen, in the order the help lists them (in
    /// read-only mode, without the changing actions).
    pub fn bindings(&self, screen: ScreenKind) -> Vec<Binding> {
        let mut all = self.all_bindings(screen);
        if self.readonly {
            all.retain(|b| !b.action.changes());
        }
        all
    }

    /// The keys of a screen, changing actions included.
    fn all_bindings(&self, screen: ScreenKind) -> Vec<Binding> {
        let mut all = builtin(screen);
        if screen.view().is_some() {
            self.overrides.apply(&mut all);
        }
        all
    }

    /// The action a key does on a screen. Ctrl-C quits everywhere.
    pub fn action_for(&self, screen: ScreenKind, event: &KeyEvent) -> Option<Action> {
        if event.modifiers.contains(KeyModifiers::CONTROL) && event.code == KeyCode::Char('c') {
            return Some(Action::Quit);
        }
        // Shifted letters arrive as the capital with SHIFT set.
        let modifiers = event.modifiers - KeyModifiers::SHIFT;
        // Changing actions too, even read-only: the console refuses them
        // with a word rather than let the key do nothing silently.
        self.all_bindings(screen)
            .into_iter()
            .find(|b| b.code == event.code && b.modifiers == modifiers)
            .map(|b| b.action)
    }

    /// The footer hints of a screen: `key action` pairs.
    pub fn footer(&self, screen: ScreenKind) -> Vec<(String, &'static str)> {
        self.bindings(screen).into_iter().filter(|b| !b.hint.is_empty()).map(|b| (b.label(), b.hint)).collect()
    }

    /// The footer hints that fit in `width` columns, `cell` giving the
    /// width one takes: the help key always, then the others in the table's
    /// order while they fit, so the keys that matter most stay and the
    /// help lists the rest.
    pub fn footer_fitting(
        &self,
        screen: ScreenKind,
        width: usize,
        cell: impl Fn(&str, &str) -> usize,
    ) -> Vec<(String, &'static str)> {
        let bindings: Vec<Binding> = self.bindings(screen).into_iter().filter(|b| !b.hint.is_empty()).collect();
        let mut used: usize =
            bindings.iter().filter(|b| b.action == Action::Help).map(|b| cell(&b.label(), b.hint)).sum();
        bindings
            .into_iter()
            .filter(|b| {
                if b.action == Action::Help {
                    return true;
                }
                let w = cell(&b.label(), b.hint);
                let fits = used + w <= width;
                if fits {
                    used += w;
                }
                fits
            })
            .map(|b| (b.label(), b.hint))
            .collect()
    }

    /// The key that does `action` on `screen`, as written, for texts such
    /// as "press R to retry".
    pub fn key_of(&self, screen: ScreenKind, action: Action) -> String {
        self.bindings(screen).into_iter().find(|b| b.action == action).map(|b| b.label()).unwrap_or_else(|| ":".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_binding_reads_the_same_from_config_as_from_the_keymap() {
        let keys = |pairs: &[(&str, &str)]| -> std::collections::BTreeMap<String, String> {
            pairs.iter().map(|(a, k)| ((*a).to_owned(), (*k).to_owned())).collect()
        };
        for bad in [
            &[("resnd", "s")][..],
            &[("resend", "ctrl+s")],
            &[("resend", "d")],
            &[("confirm", "x")],
            &[("reveal", "z"), ("copy", "z")],
        ] {
            let from_keys = crate::keys::Overrides::from_config(&keys(bad)).unwrap_err();
            let from_keymap = Keymap::from_config(&keys(bad)).unwrap_err();
            assert_eq!(from_keys, from_keymap);
        }
    }

    /// The keys the README's key table lists: every backticked key in its
    /// first column.
    fn readme_keys() -> Vec<String> {
        let readme = include_str!("../../README.md");
        let table = readme.split("| key | where | does |").nth(1).unwrap_or_default();
        let mut keys = Vec::new();
        for row in table.lines().skip(2).take_while(|line| line.starts_with('|')) {
            let first = row.split('|').nth(1).unwrap_or_default();
            for (n, piece) in first.split('`').enumerate() {
                if n % 2 == 1 {
                    keys.push(piece.to_owned());
                }
            }
        }
        keys
    }

    /// Every key of the queue, account and ticket screens is in the README's
    /// key table (issue 27: `f`, `c`, `C`, `S`, `p`, `J` and `K` were not).
    #[test]
    fn the_readme_key_table_lists_every_key_of_the_screens() {
        let listed = readme_keys();
        assert!(listed.len() > 20, "the key table was not found: {listed:?}");
        let keymap = Keymap::default();
        let mut missing = Vec::new();
        for screen in [ScreenKind::Queue, ScreenKind::Account, ScreenKind::Ticket] {
            for binding in keymap.bindings(screen) {
                let label = binding.label();
                if !listed.contains(&label) && !missing.contains(&label) {
                    missing.push(label);
                }
            }
        }
        assert!(missing.is_empty(), "keys not in the README's key table: {missing:?}");
    }

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn action_for(screen: ScreenKind, event: &KeyEvent) -> Option<Action> {
        Keymap::default().action_for(screen, event)
    }

    fn bindings(screen: ScreenKind) -> Vec<Binding> {
        Keymap::default().bindings(screen)
    }

    fn keys(pairs: &[(&str, &str)]) -> std::collections::BTreeMap<String, String> {
        pairs.iter().map(|(a, k)| (a.to_string(), k.to_string())).collect()
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
        for screen in ScreenKind::ALL.iter().copied().filter(|s| s.takes_text()) {
            for binding in bindings(screen) {
                let plain = binding.modifiers == KeyModifiers::NONE;
                assert!(!(plain && matches!(binding.code, KeyCode::Char(_))), "{screen:?} binds {:?}", binding.code);
            }
        }
    }

    #[test]
    fn no_key_is_bound_twice_on_a_screen() {
        for &screen in ScreenKind::ALL {
            let all = bindings(screen);
            for (i, a) in all.iter().enumerate() {
                for b in &all[i + 1..] {
                    assert!(!(a.code == b.code && a.modifiers == b.modifiers), "{screen:?}: {:?} twice", a.code);
                }
            }
            assert!(!Keymap::default().footer(screen).is_empty());
        }
    }

    #[test]
    fn the_footer_keeps_help_and_what_fits_in_order() {
        let keymap = Keymap::default();
        let cell = |key: &str, hint: &str| key.len() + hint.len() + 3;
        let hints = |width| -> Vec<&'static str> {
            keymap.footer_fitting(ScreenKind::Account, width, cell).into_iter().map(|(_, h)| h).collect()
        };
        // 80 columns: revoke and addresses do not fit; the help key stays.
        assert_eq!(hints(80), ["timeline", "resend", "compare", "edit DOB", "reveal", "copy", "help"]);
        assert_eq!(
            hints(160),
            ["timeline", "resend", "compare", "edit DOB", "reveal", "copy", "revoke", "addresses", "help"]
        );
        // However narrow, help is there.
        assert_eq!(hints(10), ["help"]);
        let total: usize = keymap.footer(ScreenKind::Queue).iter().map(|(k, h)| cell(k, h)).sum();
        assert_eq!(keymap.footer_fitting(ScreenKind::Queue, total, cell), keymap.footer(ScreenKind::Queue));
    }

    #[test]
    fn overrides_rebind_the_views_and_show_in_footer_and_help() {
        let keymap = Keymap::from_config(&keys(&[("resend", "s"), ("copy", "F2")])).unwrap();
        let s = press(KeyCode::Char('s'));
        assert_eq!(keymap.action_for(ScreenKind::Account, &s), Some(Action::Resend));
        assert_eq!(keymap.action_for(ScreenKind::Account, &press(KeyCode::Char('r'))), None);
        assert_eq!(keymap.action_for(ScreenKind::Account, &press(KeyCode::F(2))), Some(Action::Copy));
        assert!(keymap.footer(ScreenKind::Account).contains(&("s".to_owned(), "resend")));
        assert_eq!(keymap.key_of(ScreenKind::Account, Action::Resend), "s");
        // Dialogs keep their keys: y still confirms a resend.
        assert_eq!(keymap.action_for(ScreenKind::Resend, &press(KeyCode::Char('y'))), Some(Action::Confirm));
    }

    #[test]
    fn bad_overrides_are_errors_that_name_them() {
        let err = Keymap::from_config(&keys(&[("resnd", "s")])).unwrap_err();
        assert_eq!(err.key(), "keys.resnd");
        let err = err.to_string();
        assert!(err.starts_with("keys.resnd: ") && err.contains("resend"), "{err}");
        let err = Keymap::from_config(&keys(&[("resend", "ctrl+s")])).unwrap_err();
        assert_eq!(err.key(), "keys.resend");
        let err = Keymap::from_config(&keys(&[("resend", "d")])).unwrap_err();
        assert_eq!(err.key(), "keys.resend", "the moved key is named, not the built-in one");
        let err = err.to_string();
        assert!(err.contains("resend") && err.contains("dob_compare") && err.contains("account"), "{err}");
        // Two moved onto one key: one of them is named.
        let err = Keymap::from_config(&keys(&[("reveal", "z"), ("copy", "z")])).unwrap_err();
        assert!(["keys.reveal", "keys.copy"].contains(&err.key().as_str()), "{err}");
        // Confirm is a dialog's key, not one to rebind.
        assert!(Keymap::from_config(&keys(&[("confirm", "x")])).is_err());
    }

    #[test]
    fn the_example_config_keys_are_the_defaults() {
        let example = include_str!("../../config.example.toml");
        let section = example.split("# [keys]").nth(1).expect("the example has a [keys] section");
        let pairs: Vec<(String, String)> = section
            .lines()
            .filter_map(|l| l.strip_prefix("# ")?.split_once(" = "))
            .map(|(a, k)| (a.trim().to_owned(), k.trim().trim_matches('"').to_owned()))
            .collect();
        assert!(pairs.len() >= 10, "{pairs:?}");
        let map = pairs.iter().cloned().collect();
        let keymap = Keymap::from_config(&map).unwrap();
        for &screen in ScreenKind::ALL {
            assert_eq!(keymap.bindings(screen), Keymap::default().bindings(screen), "{screen:?}");
        }
    }
}
