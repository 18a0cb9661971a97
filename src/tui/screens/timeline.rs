//! An invite's timeline (Enter on an invite): one line on whether its link
//! works or exactly why it shows invalid, then every event in order, with
//! each visit to the link marked as a mail scanner's or the client's.

use crate::tui::keymap::{CLOSE, screen_spec};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Ui, dialog, truncate, wrap_indented};
use crate::diagnose::invite;
use crate::diagnose::timeline::{self, Actor};
use crate::portal::model::InviteId;
use crate::tui::action::Action;
use crate::tui::dialog::{Cx, Dialog, Outcome, Under};
use crate::tui::keymap::key;
use crate::tui::screens::revoke;

/// The timeline dialog: which invite, and how far it is scrolled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineState {
    pub invite_id: InviteId,
    pub scroll: u16,
}

impl TimelineState {
    pub fn new(invite_id: InviteId) -> Self {
        Self { invite_id, scroll: 0 }
    }

    pub fn navigate(&mut self, action: Action) {
        self.scroll = match action {
            Action::Down => self.scroll.saturating_add(1),
            Action::Up => self.scroll.saturating_sub(1),
            Action::Top => 0,
            _ => self.scroll,
        };
    }
}

screen_spec!(
    TimelineState,
    "Invite timeline",
    [CLOSE, key('x', Action::Revoke, "revoke this invite", "revoke"), key('q', Action::Back, "close", "")],
    moves
);

impl Dialog for TimelineState {
    /// `x` opens the revoke dialog for this invite (if it is pending).
    fn on_action(&mut self, action: Action, cx: &mut Cx<'_>) -> Outcome {
        match action {
            Action::Revoke => {
                let id = self.invite_id.clone();
                let status =
                    cx.account.and_then(|a| a.invites.data.as_ref()?.iter().find(|i| i.id == id).map(|i| i.status));
                revoke::open(status.map(|s| (id, s)))
            }
            Action::Back => Outcome::close(),
            other => {
                self.navigate(other);
                Outcome::none()
            }
        }
    }
    fn countdown(&self) -> Option<bool> {
        Some(true)
    }
    /// Draws the timeline of the invite over the account screen.
    fn render(&self, under: &Under<'_>, frame: &mut Frame<'_>, area: Rect, ui: &Ui<'_>) {
        let Some(account) = under.account else { return };
        let theme = ui.theme;
        let inner = dialog(frame, area, (140, area.height), &format!("Invite {} · timeline", self.invite_id), theme);
        let invites = account.invites.data.as_deref().unwrap_or_default();
        let (Some(invite), Some(role)) = (invites.iter().find(|i| i.id == self.invite_id), account.role()) else {
            frame.render_widget(Paragraph::new(Line::styled("The invite is not loaded.", theme.muted)), inner);
            return;
        };
        let t = timeline::timeline(invite, invites, role, ui.now, ui.zone, account.revealed);
        let (symbol, style) = if t.works { ("✓ ", theme.ok) } else { ("✕ ", theme.danger) };
        // The headline is one line: cut with an ellipsis rather than wrapped.
        let headline =
            truncate(&super::shown(&t.headline), usize::from(inner.width).saturating_sub(symbol.chars().count()));
        let mut lines =
            vec![Line::from(vec![Span::styled(symbol, style), Span::styled(headline, style)]), Line::default()];
        // The time column is as wide as its widest entry (with `t` the
        // dates make it wider), so the columns after it align; wrapped
        // lines continue under the event's words.
        let whens: Vec<String> = t.entries.iter().map(|e| ui.when(invite::ago(ui.now - e.at), e.at)).collect();
        let when_width = whens.iter().map(|w| w.chars().count()).max().unwrap_or(0).max(12);
        let indent = when_width + 2 + 10;
        let width = usize::from(inner.width);
        for (entry, when) in t.entries.iter().zip(&whens) {
            let (mark, style) = match entry.actor {
                Actor::System => ("·", theme.text),
                Actor::Scanner => ("⚙ scanner", theme.warn),
                Actor::Person => ("☺ client ", theme.ok),
                Actor::Unknown => ("? unknown", theme.muted),
            };
            lines.extend(wrap_indented(
                vec![
                    Span::styled(format!("{when:>when_width$}  "), theme.muted),
                    Span::styled(format!("{mark:<10}"), style),
                    Span::styled(entry.what.clone(), theme.text),
                ],
                width,
                indent,
            ));
            if let Some(why) = &entry.why {
                lines.extend(wrap_indented(
                    vec![Span::raw(" ".repeat(indent)), Span::styled(format!("why: {why}"), theme.muted)],
                    width,
                    indent + 5,
                ));
            }
        }
        if invite.visits.is_empty() {
            lines.push(Line::default());
            lines.push(Line::styled("Nobody has opened the link yet.", theme.muted));
        }
        frame.render_widget(Paragraph::new(lines).scroll((self.scroll, 0)), inner);
    }
}
