//! Colours and text styles. Status is never told by colour alone: every
//! state also has a symbol and a word (see `screens::invite_badge`).

use std::ffi::OsString;

use ratatui::style::{Color, Modifier, Style};

use crate::config::ThemeName;
use crate::diagnose::invite::InviteState;

/// Whether `NO_COLOR` asks for no colour (set and not empty).
pub fn no_color() -> bool {
    no_color_in(std::env::var_os("NO_COLOR"))
}

/// Whether a value of `NO_COLOR` asks for no colour: any value but an
/// empty one (no-color.org), `0` included.
pub fn no_color_in(value: Option<OsString>) -> bool {
    value.is_some_and(|value| !value.is_empty())
}

/// The styles the screens use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub text: Style,
    pub muted: Style,
    pub title: Style,
    pub selected: Style,
    pub key: Style,
    pub ok: Style,
    pub warn: Style,
    pub danger: Style,
    pub info: Style,
    pub input: Style,
}

impl Theme {
    /// Colours for a dark terminal.
    pub fn dark() -> Self {
        Self {
            text: Style::new(),
            muted: Style::new().fg(Color::DarkGray),
            title: Style::new().add_modifier(Modifier::BOLD),
            selected: Style::new().bg(Color::Rgb(40, 60, 90)).add_modifier(Modifier::BOLD),
            key: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            ok: Style::new().fg(Color::Green),
            warn: Style::new().fg(Color::Yellow),
            danger: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            info: Style::new().fg(Color::Blue),
            input: Style::new().add_modifier(Modifier::UNDERLINED),
        }
    }

    /// Colours for a light terminal: darker hues that read on white, and
    /// no dark grey that would vanish.
    pub fn light() -> Self {
        Self {
            text: Style::new(),
            muted: Style::new().fg(Color::Rgb(96, 96, 96)),
            title: Style::new().add_modifier(Modifier::BOLD),
            selected: Style::new().bg(Color::Rgb(200, 220, 245)).fg(Color::Black).add_modifier(Modifier::BOLD),
            key: Style::new().fg(Color::Rgb(0, 95, 135)).add_modifier(Modifier::BOLD),
            ok: Style::new().fg(Color::Rgb(0, 120, 0)),
            warn: Style::new().fg(Color::Rgb(150, 90, 0)).add_modifier(Modifier::BOLD),
            danger: Style::new().fg(Color::Rgb(175, 0, 0)).add_modifier(Modifier::BOLD),
            info: Style::new().fg(Color::Rgb(0, 60, 160)),
            input: Style::new().add_modifier(Modifier::UNDERLINED),
        }
    }

    /// Maximum contrast on any background: the terminal's own foreground
    /// for text (nothing dimmed), bold bright colours for states, reverse
    /// video for the selection.
    pub fn high_contrast() -> Self {
        Self {
            text: Style::new(),
            muted: Style::new(),
            title: Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            selected: Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            key: Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            ok: Style::new().fg(Color::LightGreen).add_modifier(Modifier::BOLD),
            warn: Style::new().fg(Color::LightYellow).add_modifier(Modifier::BOLD),
            danger: Style::new().fg(Color::LightRed).add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            info: Style::new().add_modifier(Modifier::BOLD),
            input: Style::new().add_modifier(Modifier::UNDERLINED | Modifier::BOLD),
        }
    }

    /// No colour at all (`NO_COLOR`): only bold, reverse and underline.
    pub fn plain() -> Self {
        Self {
            text: Style::new(),
            muted: Style::new(),
            title: Style::new().add_modifier(Modifier::BOLD),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            key: Style::new().add_modifier(Modifier::BOLD),
            ok: Style::new(),
            warn: Style::new().add_modifier(Modifier::BOLD),
            danger: Style::new().add_modifier(Modifier::BOLD),
            info: Style::new(),
            input: Style::new().add_modifier(Modifier::UNDERLINED),
        }
    }

    /// The theme of a name; plain whatever the name when `no_color`.
    pub fn named(name: ThemeName, no_color: bool) -> Self {
        match (no_color, name) {
            (true, _) => Self::plain(),
            (false, ThemeName::Dark) => Self::dark(),
            (false, ThemeName::Light) => Self::light(),
            (false, ThemeName::HighContrast) => Self::high_contrast(),
        }
    }

    /// The style of an invite state.
    pub fn invite(&self, state: InviteState) -> Style {
        match state {
            InviteState::Pending => self.ok,
            InviteState::ExpiringSoon => self.warn,
            InviteState::Expired | InviteState::Revoked => self.danger,
            InviteState::Superseded => self.muted,
            InviteState::Accepted => self.info,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Duration, Utc};

    use super::*;
    use crate::diagnose::invite::state_at;
    use crate::portal::model::{InviteStatus, Role};
    use crate::tui::screens::{invite_badge, state_symbol};

    #[test]
    fn no_color_is_any_value_but_an_empty_one() {
        assert!(!no_color_in(None));
        assert!(!no_color_in(Some(OsString::new())));
        assert!(no_color_in(Some("1".into())));
        assert!(no_color_in(Some("0".into())), "any value, even 0");
        for name in [ThemeName::Dark, ThemeName::Light, ThemeName::HighContrast] {
            assert_eq!(Theme::named(name, no_color_in(Some("1".into()))), Theme::plain(), "{name:?}");
        }
    }

    #[test]
    fn high_contrast_is_its_own_theme() {
        let high = Theme::named(ThemeName::HighContrast, false);
        assert_eq!(high, Theme::high_contrast());
        assert_ne!(high, Theme::named(ThemeName::Dark, false));
        assert_ne!(high, Theme::named(ThemeName::Light, false));
        assert_ne!(high, Theme::plain());
        // Nothing dimmed, and the selection does not rest on colour.
        assert_eq!(high.muted, high.text);
        assert!(high.selected.add_modifier.contains(Modifier::REVERSED));
    }

    /// The word a badge must carry for a state (a match, so a new state
    /// does not compile until it has one).
    fn word(state: InviteState) -> &'static str {
        match state {
            InviteState::Pending => "pending",
            InviteState::ExpiringSoon => "expiring",
            InviteState::Expired => "expired",
            InviteState::Superseded => "superseded",
            InviteState::Accepted => "accepted",
            InviteState::Revoked => "revoked",
        }
    }

    #[test]
    fn every_invite_state_has_a_symbol_and_a_word_without_colour() {
        let now: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-11-25T09:00:00Z").unwrap().to_utc();
        let cases = [
            (InviteStatus::Pending, Duration::hours(40), InviteState::Pending),
            (InviteStatus::Pending, Duration::hours(2), InviteState::ExpiringSoon),
            (InviteStatus::Pending, Duration::hours(-3), InviteState::Expired),
            (InviteStatus::Superseded, Duration::hours(5), InviteState::Superseded),
            (InviteStatus::Accepted, Duration::hours(5), InviteState::Accepted),
            (InviteStatus::Revoked, Duration::hours(5), InviteState::Revoked),
        ];
        let mut symbols = Vec::new();
        for (status, left, expected) in cases {
            let state = state_at(status, now + left, Role::Client, now);
            assert_eq!(state, expected);
            let badge = invite_badge(status, now + left, Role::Client, now, &Theme::plain());
            let text: String = badge.spans.iter().map(|span| span.content.as_ref()).collect();
            let symbol = state_symbol(state);
            assert!(text.starts_with(&format!("{symbol} ")), "{state:?}: {text}");
            assert!(text.contains(word(state)), "{state:?}: {text}");
            assert!(!symbol.trim().is_empty());
            symbols.push(symbol);
        }
        symbols.sort_unstable();
        symbols.dedup();
        assert_eq!(symbols.len(), cases.len(), "each state its own symbol");
    }
}
