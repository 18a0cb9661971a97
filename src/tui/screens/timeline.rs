//! An invite's timeline (Enter on an invite): one line on whether its link
//! works or exactly why it shows invalid, then every event in order, with
//! each visit to the link marked as a mail scanner's or the client's.

use crate::tui::keymap::{CLOSE, screen_spec};

use crate::diagnose::invite;
use crate::diagnose::timeline::{self, Actor};
use crate::portal::model::InviteId;
use crate::tui::action::Action;
use crate::tui::component::{Component, Cx, Outcome, ScreenKind, Shared};
use crate::tui::keymap::key;
use crate::tui::screens::revoke;
use crate::tui::view_model::{Cell, Form, Join, Meaning, Row, ViewModel};

/// What the dialog says when the invite is not among those read.
const NOT_LOADED: &str = "The invite is not loaded.";
/// What it says when no visit shows.
const NOBODY: &str = "Nobody has opened the link yet.";
/// The headline's mark: the link works, or not.
const WORKS: (&str, &str) = ("✓ ", "✕ ");

/// Who did an event: its mark (padded as drawn) and how it reads.
/// The columns of the who column (`⚙ scanner`).
const MARK: u16 = 9;

fn actor_mark(actor: Actor) -> (&'static str, Meaning) {
    match actor {
        Actor::System => ("·", Meaning::Text),
        Actor::Scanner => ("⚙ scanner", Meaning::Warning),
        Actor::Person => ("☺ client ", Meaning::Ok),
        Actor::Unknown => ("? unknown", Meaning::Muted),
    }
}

impl TimelineState {
    fn title(&self) -> String {
        format!("Invite {} · timeline", self.invite_id)
    }
}

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
    moves,
    phi
);

impl Component for TimelineState {
    fn screen(&self) -> ScreenKind {
        ScreenKind::Timeline
    }

    /// Whether the link works and why not (the headline), then every event:
    /// when (a relative time that ticks), who, what, and why.
    fn model(&self, shared: &Shared<'_>) -> ViewModel {
        let (under, ui) = (shared, shared.ui);
        let model = ViewModel::new(self.title());
        let Some(account) = under.account else { return model };
        let invites = account.invites.data.as_deref().unwrap_or_default();
        let (Some(invite), Some(role)) = (invites.iter().find(|i| i.id == self.invite_id), account.role()) else {
            return model.rows("", vec![Row::one(Cell::muted(NOT_LOADED))]);
        };
        let t = timeline::timeline(invite, invites, role, ui.now, ui.zone, account.revealed);
        let (symbol, meaning) = if t.works { (WORKS.0, Meaning::Ok) } else { (WORKS.1, Meaning::Danger) };
        let headline =
            Row::one(Cell::new(format!("{symbol}{}", super::shown(&t.headline)), meaning).must()).indent(0, 2);
        // The time column is as wide as its widest entry (with `t` the
        // dates make it wider), so the columns after it align; wrapped
        // lines go on under the event's words, its reason under them.
        let whens: Vec<String> = t.entries.iter().map(|e| ui.when(invite::ago(ui.now - e.at), e.at)).collect();
        let when_width = whens.iter().map(|w| crate::width::of(w)).max().unwrap_or(0).max(12);
        let words = u16::try_from(when_width + 2).unwrap_or(u16::MAX).saturating_add(MARK + 1);
        let mut rows = Vec::new();
        for (n, (entry, when)) in t.entries.iter().zip(whens).enumerate() {
            let (mark, meaning) = actor_mark(entry.actor);
            let when = Cell::new(when, Meaning::Countdown).right(u16::try_from(when_width).unwrap_or(u16::MAX));
            rows.push(
                Row::new(vec![
                    when,
                    Cell::new(mark.trim_end(), meaning).width(MARK).join(Join::Gap),
                    Cell::text(entry.what.clone()).must(),
                ])
                .id(n.to_string())
                .indent(0, words),
            );
            if let Some(why) = &entry.why {
                rows.push(Row::one(Cell::muted(format!("why: {why}"))).id(format!("{n} why")).indent(words, words + 5));
            }
        }
        if invite.visits.is_empty() {
            rows.push(Row::default());
            rows.push(Row::one(Cell::muted(NOBODY)).id("nobody"));
        }
        model.rows("", vec![headline.id("headline")]).rows("", rows)
    }

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
    /// As tall as the screen, scrolled.
    fn form(&self) -> Form {
        Form::new(140, u16::MAX).scroll(self.scroll)
    }
}
