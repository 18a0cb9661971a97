//! Colours and text styles. Status is never told by colour alone: every
//! state also has a symbol and a word (see `screens::invite_badge`).

use ratatui::style::{Color, Modifier, Style};

use crate::diagnose::invite::InviteState;

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

    /// The theme for this environment: plain when `NO_COLOR` is set.
    pub fn from_env() -> Self {
        match std::env::var_os("NO_COLOR") {
            Some(value) if !value.is_empty() => Self::plain(),
            _ => Self::dark(),
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
