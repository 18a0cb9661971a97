//! Colours and text styles. Status is never told by colour alone: every
//! state also has a symbol and a word (see `screens::invite_badge`).

use ratatui::style::{Color, Modifier, Style};

use crate::config::ThemeName;
use crate::diagnose::invite::InviteState;

/// Whether `NO_COLOR` asks for no colour (set and not empty).
pub fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty())
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
