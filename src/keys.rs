//! Key names and the views' keys, as data: every action and its name, a
//! key as written in the config file's `[keys]`, and the keys of the three
//! views whose letter keys `[keys]` may move. `config` checks `[keys]` with
//! it (once, for every command and the console) and `tui::keymap` binds
//! from it; it depends on neither.

use crate::portal::model::PresenceMode;
use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyModifiers};

/// A user intent, bound to keys by the keymap. Its name (in the config
/// file's `[keys]` and in the palette) is the variant's in snake_case
/// (`dob_compare`), derived; the variants are in the order the command
/// palette lists them.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::Display,
    strum::VariantArray,
)]
#[strum(serialize_all = "snake_case")]
pub enum Action {
    Open,
    /// Fix the top finding: its remedy's steps and reply, confirmed once.
    Fix,
    /// Write a public reply to the client on the ticket (the composer).
    Reply,
    /// Claim the ticket (assign it to oneself).
    Claim,
    /// Release the ticket (unclaim it).
    Release,
    /// Set the ticket pending (waiting on the client).
    Pending,
    /// Solve the ticket.
    Solve,
    /// Scroll the conversation down.
    ConversationDown,
    /// Scroll the conversation up.
    ConversationUp,
    Resend,
    /// Revoke the selected invite.
    Revoke,
    /// Manage the account's email addresses.
    Addresses,
    /// Make the selected address the default.
    MakeDefault,
    /// Remove the selected address.
    RemoveAddress,
    DobCompare,
    EditDob,
    Reveal,
    /// Show the account's audit trail in place of the findings (or back).
    Audit,
    /// Copy the reply to send (or, comparing DOBs, the entry to type).
    Copy,
    /// Write an internal note on the ticket.
    Note,
    NextTicket,
    /// The queue: every ticket of the status (no other filter).
    FilterAll,
    /// The queue: tickets claimed by me (again: all).
    FilterMine,
    /// The queue: unclaimed tickets (again: all).
    FilterUnclaimed,
    /// The queue: the next status (open, pending, solved, any).
    FilterStatus,
    /// The queue: tickets whose latest invite expires soon (again: off).
    FilterExpiring,
    /// The queue: tickets past their first-response target (again: off).
    FilterBreached,
    Search,
    /// Account search from the queue (where `/` filters the queue).
    SearchAccounts,
    /// Search all accounts, clients only or staff only.
    CycleRole,
    Refresh,
    /// Show absolute times (in the staff member's zone) beside relative ones.
    AbsoluteTimes,
    ToggleMouse,
    Help,
    /// Run any action by name.
    Palette,
    /// Lock the screen at once (as the idle lock does).
    Lock,
    Back,
    Quit,
    Up,
    Down,
    Top,
    Bottom,
    /// Scroll the findings down a page.
    PageDown,
    /// Scroll the findings up a page.
    PageUp,
    Confirm,
    NextField,
    PrevField,
}

impl Action {
    /// Every action, in the order the command palette lists them.
    pub const ALL: &'static [Action] = <Action as strum::VariantArray>::VARIANTS;

    /// Its name in the config file's `[keys]` and in the palette.
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// Whether it changes something in the portal (or opens a dialog that
    /// does): hidden and refused in read-only mode.
    pub fn changes(self) -> bool {
        matches!(
            self,
            Action::Resend
                | Action::EditDob
                | Action::Revoke
                | Action::Addresses
                | Action::MakeDefault
                | Action::RemoveAddress
                | Action::Note
                | Action::Claim
                | Action::Release
                | Action::Pending
                | Action::Solve
                | Action::Fix
                | Action::Reply
        )
    }

    /// The action of a name.
    pub fn from_name(name: &str) -> Option<Action> {
        name.parse().ok()
    }
}

/// What a screen declares of itself: its title, its keys in the order the
/// help lists them, whether the list-moving keys (`j` `k` `g` `G` and the
/// arrows) follow them, and whether typed characters go into a text field
/// (so letter keys are not commands there). The queue's, the account's
/// and the ticket's are below (the config file's `[keys]` may move their
/// letter keys); every other screen declares its own in its file (`SPEC`).
#[derive(Debug, Clone, Copy)]
pub struct ScreenSpec {
    pub title: &'static str,
    pub keys: &'static [Binding],
    pub moves: bool,
    pub takes_text: bool,
    /// It shows the account's addresses or DOB: the reveal key works in
    /// it, and a reveal lasts while it is open.
    pub shows_phi: bool,
    /// What others see this console doing while it is open (a heartbeat's
    /// mode): viewing, replying (a reply or a note) or changing (a change
    /// the collision guard checks first). A replying or changing dialog
    /// says, as it opens, what others did to the account lately.
    pub presence: PresenceMode,
}

impl ScreenSpec {
    /// A screen titled `title` with `keys`, no list-moving keys, no text,
    /// no PHI, viewing.
    pub const fn new(title: &'static str, keys: &'static [Binding]) -> Self {
        Self { title, keys, moves: false, takes_text: false, shows_phi: false, presence: PresenceMode::Viewing }
    }

    /// It shows the account's addresses or DOB.
    pub const fn phi(self) -> Self {
        Self { shows_phi: true, ..self }
    }

    /// It sends a change the collision guard checks first.
    pub const fn changes(self) -> Self {
        Self { presence: PresenceMode::Changing, ..self }
    }

    /// It writes to the ticket (a reply, a note).
    pub const fn replies(self) -> Self {
        Self { presence: PresenceMode::Replying, ..self }
    }

    /// Whether the collision guard checks its change first.
    pub fn guarded(&self) -> bool {
        self.presence == PresenceMode::Changing
    }

    /// The list-moving keys follow its own.
    pub const fn moves(self) -> Self {
        Self { moves: true, ..self }
    }

    /// Typed characters go into a text field.
    pub const fn text(self) -> Self {
        Self { takes_text: true, ..self }
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

impl Binding {
    /// How the key is written in help and footer.
    pub fn label(&self) -> String {
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            format!("Ctrl-{}", key_label(self.code).to_uppercase())
        } else {
            key_label(self.code)
        }
    }
}

pub const fn key(c: char, action: Action, help: &'static str, hint: &'static str) -> Binding {
    Binding { code: KeyCode::Char(c), modifiers: KeyModifiers::NONE, action, help, hint }
}

pub const fn ctrl(c: char, action: Action, help: &'static str, hint: &'static str) -> Binding {
    Binding { code: KeyCode::Char(c), modifiers: KeyModifiers::CONTROL, action, help, hint }
}

pub const fn special(code: KeyCode, action: Action, help: &'static str, hint: &'static str) -> Binding {
    Binding { code, modifiers: KeyModifiers::NONE, action, help, hint }
}

/// The list-moving keys.
pub const MOVE: [Binding; 6] = [
    key('j', Action::Down, "move down", ""),
    special(KeyCode::Down, Action::Down, "move down", ""),
    key('k', Action::Up, "move up", ""),
    special(KeyCode::Up, Action::Up, "move up", ""),
    key('g', Action::Top, "go to the top", ""),
    key('G', Action::Bottom, "go to the bottom", ""),
];

pub const QUEUE: ScreenSpec = ScreenSpec {
    title: "Queue",
    moves: true,
    takes_text: false,
    shows_phi: false,
    presence: PresenceMode::Viewing,
    keys: &[
        special(KeyCode::Enter, Action::Open, "open the ticket's account", "open"),
        key('n', Action::NextTicket, "open the next unclaimed ticket", "next unclaimed"),
        // On the queue `/` searches the queue; account search is `A` (or Tab
        // in the `/` line).
        key(
            '/',
            Action::Search,
            "filter the queue: ticket id, subject, name or email (a ticket id and Enter opens that ticket)",
            "filter",
        ),
        key('m', Action::Note, "internal note on the ticket", "note"),
        key(':', Action::Palette, "run a command by name", "commands"),
        key('A', Action::SearchAccounts, "search accounts (Tab in the / filter does too)", ""),
        key('a', Action::FilterAll, "filter: all tickets of the status", ""),
        key('i', Action::FilterMine, "filter: mine (claimed by me; again: all)", ""),
        key('u', Action::FilterUnclaimed, "filter: unclaimed (again: all)", ""),
        key('s', Action::FilterStatus, "filter: status open, pending, solved, any", ""),
        key('e', Action::FilterExpiring, "filter: latest invite expiring within 2h", ""),
        key('b', Action::FilterBreached, "filter: SLA breached (first reply overdue)", ""),
        special(KeyCode::PageDown, Action::PageDown, "a page down (more tickets are read as you go)", ""),
        special(KeyCode::PageUp, Action::PageUp, "a page up", ""),
        key('t', Action::AbsoluteTimes, "times as dates (your zone)", ""),
        key('R', Action::Refresh, "refresh", "refresh"),
        key('M', Action::ToggleMouse, "mouse on/off (select text)", ""),
        key('?', Action::Help, "help", "help"),
        key('q', Action::Quit, "quit", "quit"),
        key('L', Action::Lock, "lock the screen now", ""),
    ],
};

pub const ACCOUNT: ScreenSpec = ScreenSpec {
    title: "Account",
    moves: true,
    takes_text: false,
    shows_phi: false,
    presence: PresenceMode::Viewing,
    keys: &[
        special(KeyCode::Enter, Action::Open, "the selected invite's timeline", "timeline"),
        key('r', Action::Resend, "resend the invite", "resend"),
        key('d', Action::DobCompare, "compare a reported DOB", "compare"),
        key('e', Action::EditDob, "edit the DOB on file", "edit DOB"),
        key('v', Action::Reveal, "reveal / mask email and DOB", "reveal"),
        key('y', Action::Copy, "copy the reply to send", "copy"),
        // In the footer when it is wide enough (not at 80 columns).
        key('x', Action::Revoke, "revoke the selected invite", "revoke"),
        key('a', Action::Addresses, "email addresses (add, default)", "addresses"),
        key('u', Action::Audit, "audit trail / findings", ""),
        special(KeyCode::PageDown, Action::PageDown, "scroll the findings down (wheel too)", ""),
        special(KeyCode::PageUp, Action::PageUp, "scroll the findings up", ""),
        key('m', Action::Note, "internal note on the ticket", ""),
        key(':', Action::Palette, "run a command by name", ""),
        key('t', Action::AbsoluteTimes, "times as dates (your zone)", ""),
        key('/', Action::Search, "search accounts", ""),
        key('n', Action::NextTicket, "next unclaimed ticket", ""),
        key('R', Action::Refresh, "refresh", ""),
        key('M', Action::ToggleMouse, "mouse on/off (select text)", ""),
        special(KeyCode::Esc, Action::Back, "back", ""),
        key('?', Action::Help, "help", "help"),
        key('q', Action::Quit, "quit", ""),
        key('L', Action::Lock, "lock the screen now", ""),
    ],
};

/// The account with its ticket pane: the ticket's own keys, then every
/// key of the account.
pub const TICKET: ScreenSpec = ScreenSpec {
    title: "Ticket",
    moves: true,
    takes_text: false,
    shows_phi: false,
    presence: PresenceMode::Viewing,
    keys: &[
        key('c', Action::Claim, "claim the ticket", "claim"),
        key('C', Action::Release, "release the ticket", ""),
        key('p', Action::Pending, "set the ticket pending", ""),
        key('S', Action::Solve, "solve the ticket", "solve"),
        // Before `f`: the palette lists the first match of `:reply` first.
        key('w', Action::Reply, "write a reply to the client (prefilled, editable)", "reply"),
        key('f', Action::Fix, "fix the top finding and reply (one key)", "fix"),
        key('J', Action::ConversationDown, "scroll the conversation down", ""),
        key('K', Action::ConversationUp, "scroll the conversation up", ""),
    ],
};

/// The full-screen views, whose letter keys the config file's `[keys]` may
/// move (dialogs keep theirs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Queue,
    Account,
    Ticket,
}

impl View {
    /// In the order the console lists its screens: a clash is reported on
    /// the first.
    pub const ALL: [View; 3] = [View::Queue, View::Account, View::Ticket];

    /// What the view declares: title, keys.
    pub fn spec(self) -> ScreenSpec {
        match self {
            View::Queue => QUEUE,
            View::Account => ACCOUNT,
            View::Ticket => TICKET,
        }
    }

    /// Its built-in keys, in the order the help lists them.
    pub fn builtin(self) -> Vec<Binding> {
        let spec = self.spec();
        let mut all = spec.keys.to_vec();
        if self == View::Ticket {
            all.extend(ACCOUNT.keys);
        }
        if spec.moves {
            all.extend(MOVE);
        }
        if self == View::Queue {
            all.push(special(KeyCode::Esc, Action::Back, "back", ""));
        }
        all
    }
}

/// The config file's `[keys]`, read and checked: which action moves to
/// which key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides(Vec<(Action, KeyCode)>);

impl Overrides {
    /// Reads `[keys]`: action name to a single character (or `Space`, `F1`
    /// to `F12`). An unknown action, a key that cannot be read, or a key
    /// that clashes with another on the same screen is an error naming the
    /// entry of `[keys]` at fault.
    pub fn from_config(keys: &BTreeMap<String, String>) -> Result<Self, KeysError> {
        let rebindable: Vec<Action> = View::ALL
            .into_iter()
            .flat_map(View::builtin)
            .filter(|b| b.modifiers == KeyModifiers::NONE && matches!(b.code, KeyCode::Char(_)))
            .map(|b| b.action)
            .collect();
        let mut overrides = Vec::new();
        for (name, text) in keys {
            let action = Action::from_name(name).filter(|a| rebindable.contains(a)).ok_or_else(|| {
                let mut names: Vec<&str> = rebindable.iter().map(|a| a.name()).collect();
                names.sort_unstable();
                names.dedup();
                KeysError {
                    action: name.clone(),
                    problem: format!("no such action to bind; these can be: {}", names.join(", ")),
                }
            })?;
            let code = parse_key(text).ok_or_else(|| KeysError {
                action: name.clone(),
                problem: format!("{text:?} is not a key: write one character, or Space, or F1 to F12"),
            })?;
            overrides.push((action, code));
        }
        let overrides = Self(overrides);
        // Only the views' keys move, so only they can clash.
        for view in View::ALL {
            let mut all = view.builtin();
            overrides.apply(&mut all);
            for (i, a) in all.iter().enumerate() {
                if let Some(b) =
                    all[i + 1..].iter().find(|b| a.code == b.code && a.modifiers == b.modifiers && a.action != b.action)
                {
                    // The built-in table has no clash, so one of the two
                    // was moved by `[keys]`.
                    let moved = [a.action, b.action]
                        .into_iter()
                        .find(|action| keys.contains_key(action.name()))
                        .unwrap_or(a.action);
                    return Err(KeysError {
                        action: moved.name().to_owned(),
                        problem: format!(
                            "{} is bound to both {} and {} on the {} screen",
                            a.label(),
                            a.action.name(),
                            b.action.name(),
                            view.spec().title.to_lowercase()
                        ),
                    });
                }
            }
        }
        Ok(overrides)
    }

    /// Moves the letter keys among `bindings` that `[keys]` rebinds.
    pub fn apply(&self, bindings: &mut [Binding]) {
        for binding in bindings {
            let letter = binding.modifiers == KeyModifiers::NONE && matches!(binding.code, KeyCode::Char(_));
            if let Some((_, code)) = self.0.iter().find(|(action, _)| *action == binding.action)
                && letter
            {
                binding.code = *code;
            }
        }
    }
}

/// An entry of `[keys]` that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeysError {
    /// The entry's name (the action), as written.
    pub action: String,
    /// What is wrong with it.
    pub problem: String,
}

impl KeysError {
    /// The entry as a config key: `keys.resend`.
    pub fn key(&self) -> String {
        format!("keys.{}", self.action)
    }
}

impl std::fmt::Display for KeysError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.key(), self.problem)
    }
}

impl std::error::Error for KeysError {}

/// A key as written in `[keys]`.
fn parse_key(text: &str) -> Option<KeyCode> {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if !c.is_control() && !c.is_whitespace() => Some(KeyCode::Char(c)),
        _ if text.eq_ignore_ascii_case("space") => Some(KeyCode::Char(' ')),
        _ => {
            let n: u8 = text.strip_prefix(['F', 'f'])?.parse().ok()?;
            (1..=12).contains(&n).then_some(KeyCode::F(n))
        }
    }
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
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::F(n) => format!("F{n}"),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names (config files and the README use them) and the palette's
    /// order, as they were written out by hand before being derived.
    #[test]
    fn names_and_palette_order_are_kept() {
        let names: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
        let expected = [
            "open",
            "fix",
            "reply",
            "claim",
            "release",
            "pending",
            "solve",
            "conversation_down",
            "conversation_up",
            "resend",
            "revoke",
            "addresses",
            "make_default",
            "remove_address",
            "dob_compare",
            "edit_dob",
            "reveal",
            "audit",
            "copy",
            "note",
            "next_ticket",
            "filter_all",
            "filter_mine",
            "filter_unclaimed",
            "filter_status",
            "filter_expiring",
            "filter_breached",
            "search",
            "search_accounts",
            "cycle_role",
            "refresh",
            "absolute_times",
            "toggle_mouse",
            "help",
            "palette",
            "lock",
            "back",
            "quit",
            "up",
            "down",
            "top",
            "bottom",
            "page_down",
            "page_up",
            "confirm",
            "next_field",
            "prev_field",
        ];
        assert_eq!(names, expected);
        for &action in Action::ALL {
            assert_eq!(Action::from_name(action.name()), Some(action));
            assert_eq!(action.to_string(), action.name());
        }
        assert_eq!(Action::from_name("DobCompare"), None, "names are snake_case only");
        assert_eq!(Action::from_name("dob compare"), None);
    }
}

#[cfg(test)]
mod layering_tests {
    /// `config` checks `[keys]` through this module: neither reaches up
    /// into the console (which would tie them into a cycle with all of it).
    #[test]
    fn config_and_keys_do_not_use_the_console() {
        let console = concat!("crate", "::", "tui");
        for file in ["src/config.rs", "src/keys.rs"] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(!text.contains(console), "{file} uses {console}");
        }
    }
}
