//! Revoke (`x`): cancel a pending invite so its link shows the invalid-link
//! page, with a required reason and the ticket. One Idempotency-Key per
//! dialog (a retry cannot revoke twice) and If-Match on the account.

use chrono::{DateTime, Utc};
use crossterm::event::Event;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use tui_input::Input;

use super::retry_wait::{self, RetryWait};
use super::{REASON_MAX, Ui, cursor_column, dialog, layout, paste_into_max, type_into};
use crate::portal::model::RevokeRequest;
use crate::portal::{IdempotencyKey, PortalError};
use crate::tui::action::{Effect, ReqId, Request};
use crate::tui::screens::account::AccountState;

/// The revoke dialog. (No `Debug`: the reason may name the client.)
pub struct RevokeState {
    pub invite_id: String,
    pub reason: Input,
    pub key: IdempotencyKey,
    pub pending: Option<ReqId>,
    pub error: Option<String>,
    /// The wait a 429 asked for: Enter revokes nothing until it is over.
    pub wait: Option<RetryWait>,
}

impl RevokeState {
    pub fn new(invite_id: String) -> Self {
        Self { invite_id, reason: Input::default(), key: IdempotencyKey::new(), pending: None, error: None, wait: None }
    }

    pub fn edit(&mut self, event: &Event) {
        if self.pending.is_none() {
            type_into(&mut self.reason, event, REASON_MAX);
        }
    }

    pub fn paste(&mut self, text: &str) {
        if self.pending.is_none() {
            paste_into_max(&mut self.reason, text, REASON_MAX);
        }
    }

    /// Enter: revoke, if there is a reason (again with the same key after a
    /// failure); nothing while a 429's wait runs.
    pub fn confirm(&mut self, req: ReqId, account: &AccountState, now: DateTime<Utc>) -> Vec<Effect> {
        if self.pending.is_some() || retry_wait::holds(self.wait, now) {
            return Vec::new();
        }
        let reason = self.reason.value().trim().to_owned();
        if reason.is_empty() {
            self.error = Some("write why it is revoked (it goes in the audit trail)".into());
            return Vec::new();
        }
        let Some(etag) = account.account.data.as_ref().map(|a| a.etag.clone()) else {
            self.error = Some("the account is still loading".into());
            return Vec::new();
        };
        self.pending = Some(req);
        self.error = None;
        self.wait = None;
        vec![Effect::Portal(
            req,
            Request::Revoke {
                account_id: account.id.clone(),
                invite_id: self.invite_id.clone(),
                etag,
                request: RevokeRequest { reason, ticket_id: account.ticket_id.clone() },
                key: self.key.clone(),
            },
        )]
    }

    /// A failed answer to `req` at `now`: shown, and Enter retries (after
    /// a 429's wait).
    pub fn failed(&mut self, req: ReqId, error: &PortalError, now: DateTime<Utc>) -> bool {
        if self.pending != Some(req) {
            return false;
        }
        self.pending = None;
        self.wait = RetryWait::after(error, now);
        self.error = Some(match error {
            PortalError::Stale => {
                "someone else changed the account meanwhile; it was read again, check the invite and retry".into()
            }
            other => other.to_string(),
        });
        true
    }
}

/// Draws the revoke dialog.
pub fn render(state: &RevokeState, account: &AccountState, frame: &mut Frame<'_>, area: Rect, ui: &Ui<'_>) {
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
        lines.push(Line::from(vec![Span::styled("Ticket   ", theme.muted), Span::styled(ticket.as_str(), theme.text)]));
    }
    lines.push(Line::default());
    match (&state.error, state.pending) {
        (_, Some(_)) => lines.push(Line::styled("Revoking…", theme.warn)),
        (Some(_), None) if state.wait.is_some() => {
            let wait = state.wait.unwrap_or(RetryWait { until: ui.now });
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
