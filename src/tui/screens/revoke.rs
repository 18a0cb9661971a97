//! Revoke (`x`): cancel a pending invite so its link shows the invalid-link
//! page, with a required reason and the ticket. One Idempotency-Key per
//! dialog (a retry cannot revoke twice) and If-Match on the account.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use tui_input::Input;

use super::retry_wait::RetryWait;
use super::submission::Submission;
use super::{REASON_MAX, Ui, cursor_column, dialog, layout};
use crate::portal::PortalError;
use crate::portal::model::RevokeRequest;
use crate::tui::action::{Effect, ReqId, Request};
use crate::tui::dialog::{Dialog, Under};
use crate::tui::keymap::ScreenKind;
use crate::tui::screens::account::AccountState;

/// The revoke dialog. (No `Debug`: the reason may name the client.)
pub struct RevokeState {
    pub invite_id: String,
    pub reason: Input,
    /// One key per dialog: a retry cannot revoke twice.
    pub submission: Submission,
}

impl RevokeState {
    pub fn new(invite_id: String) -> Self {
        Self { invite_id, reason: Input::default(), submission: Submission::default() }
    }

    /// Enter: revoke, if there is a reason (again with the same key after a
    /// failure); nothing while a 429's wait runs.
    pub fn confirm(&mut self, req: ReqId, account: &AccountState, now: DateTime<Utc>) -> Vec<Effect> {
        if self.submission.holds(now) {
            return Vec::new();
        }
        let reason = self.reason.value().trim().to_owned();
        if reason.is_empty() {
            self.submission.error = Some("write why it is revoked (it goes in the audit trail)".into());
            return Vec::new();
        }
        let Some(etag) = account.account.data.as_ref().map(|a| a.etag.clone()) else {
            self.submission.error = Some("the account is still loading".into());
            return Vec::new();
        };
        self.submission.start(req);
        vec![Effect::Portal(
            req,
            Request::Revoke {
                account_id: account.id.clone(),
                invite_id: self.invite_id.clone(),
                etag,
                request: RevokeRequest { reason, ticket_id: account.ticket_id.clone() },
                key: self.submission.key.clone(),
            },
        )]
    }

    /// A failed answer to `req` at `now`: shown, and Enter retries (after
    /// a 429's wait).
    pub fn failed(&mut self, req: ReqId, error: &PortalError, now: DateTime<Utc>) -> bool {
        if !self.submission.finish(req) {
            return false;
        }
        let shown = match error {
            PortalError::Stale => {
                "someone else changed the account meanwhile; it was read again, check the invite and retry".into()
            }
            other => other.to_string(),
        };
        self.submission.fail(error, now, shown);
        true
    }
}

impl Dialog for RevokeState {
    fn kind(&self) -> ScreenKind {
        ScreenKind::Revoke
    }
    fn field(&mut self) -> Option<(&mut Input, usize)> {
        if self.submission.is_sending() { None } else { Some((&mut self.reason, REASON_MAX)) }
    }
    fn countdown(&self) -> Option<bool> {
        Some(self.submission.wait.is_some())
    }
    /// Draws the revoke dialog.
    fn render(&self, under: &Under<'_>, frame: &mut Frame<'_>, area: Rect, ui: &Ui<'_>) {
        let Some(account) = under.account else { return };
        let state = self;
        let theme = ui.theme;
        let popup = layout::centered(area, 76, 11);
        let inner = dialog(frame, popup, &format!("Revoke invite {}?", state.invite_id), theme);
        let mut lines = vec![
            Line::styled(
                "Its link will show the invalid-link page (\"revoked\"). The client needs a new invite.",
                theme.warn,
            ),
            Line::default(),
            Line::from(vec![Span::styled("Reason   ", theme.muted), Span::styled(state.reason.value(), theme.input)]),
        ];
        if let Some(ticket) = &account.ticket_id {
            lines.push(Line::from(vec![
                Span::styled("Ticket   ", theme.muted),
                Span::styled(ticket.as_str(), theme.text),
            ]));
        }
        lines.push(Line::default());
        match (&state.submission.error, state.submission.pending) {
            (_, Some(_)) => lines.push(Line::styled("Revoking…", theme.warn)),
            (Some(_), None) if state.submission.wait.is_some() => {
                let wait = state.submission.wait.unwrap_or(RetryWait { until: ui.now });
                lines.push(wait.line(ui.now, "Not revoked", "too many requests", "revokes it", theme));
            }
            (Some(error), None) => lines.push(Line::styled(format!("✕ Not revoked: {error}"), theme.danger)),
            (None, None) => lines.push(Line::from(vec![
                Span::styled("Enter", theme.key),
                Span::styled(" revokes it · ", theme.muted),
                Span::styled("Esc", theme.key),
                Span::styled(" cancels", theme.muted),
            ])),
        }
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        let cursor = cursor_column(inner, 9, state.reason.visual_cursor());
        frame.set_cursor_position(Position::new(cursor, inner.y.saturating_add(2)));
    }
}
