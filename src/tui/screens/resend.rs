//! Resend (`r`): confirm where the invite goes, the expiry it gets, and that
//! earlier links stop working. One Idempotency-Key per dialog: a retry after
//! a failure reuses it, so it can never make two invites.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::retry_wait::RetryWait;
use super::submission::Submission;
use super::{Ui, dialog, layout};
use crate::diagnose::{email, invite};
use crate::portal::model::{InviteStatus, ResendRequest};
use crate::portal::{IdempotencyKey, PortalError};
use crate::tui::action::{Effect, ReqId, Request};
use crate::tui::dialog::{Dialog, Under};
use crate::tui::keymap::ScreenKind;

/// The resend dialog.
#[derive(Debug, Default)]
pub struct ResendState {
    /// Its key is made when the dialog opens, reused by every retry from it.
    pub submission: Submission<PortalError>,
}

impl ResendState {
    /// A dialog that sends with `key` (a new one, or the one of a resend
    /// whose answer never came).
    pub fn with_key(key: IdempotencyKey) -> Self {
        Self { submission: Submission::with_key(key) }
    }

    /// Enter or `y`: send (again, with the same key, after a failure);
    /// nothing while sending or while a 429's wait runs.
    pub fn confirm(
        &mut self,
        req: ReqId,
        account_id: &str,
        ticket_id: Option<String>,
        now: DateTime<Utc>,
    ) -> Vec<Effect> {
        if self.submission.holds(now) {
            return Vec::new();
        }
        self.submission.start(req);
        vec![Effect::Portal(
            req,
            Request::Resend {
                account_id: account_id.to_owned(),
                request: ResendRequest { ticket_id },
                key: self.submission.key.clone(),
            },
        )]
    }

    /// The failed answer at `now`: shown, and a 429 starts its wait.
    pub fn failed(&mut self, error: PortalError, now: DateTime<Utc>) {
        self.submission.fail(&error, now, error.clone());
    }
}

impl Dialog for ResendState {
    fn kind(&self) -> ScreenKind {
        ScreenKind::Resend
    }
    fn countdown(&self) -> Option<bool> {
        Some(true)
    }
    /// Draws the resend dialog.
    fn render(&self, under: &Under<'_>, frame: &mut Frame<'_>, area: Rect, ui: &Ui<'_>) {
        let Some(account) = under.account else { return };
        let state = self;
        let (theme, now) = (ui.theme, ui.now);
        let popup = layout::centered(area, 76, 12);
        let inner = dialog(frame, popup, "Resend the portal invite?", theme);
        let Some(data) = account.account.data.as_ref().map(|a| &a.value) else {
            frame.render_widget(Paragraph::new("The account is still loading."), inner);
            return;
        };
        let role = data.role;
        let address = data.email.expose();
        let expires = now + role.invite_lifetime();
        let live = account
            .invites
            .data
            .as_deref()
            .unwrap_or_default()
            .iter()
            .filter(|i| i.status == InviteStatus::Pending && i.expires_at > now)
            .count();
        let mut lines = vec![Line::from(vec![
            Span::styled("To       ", theme.muted),
            Span::styled(account.shown_email(address), theme.title),
        ])];
        let check = email::check_email(address);
        for finding in &check.findings {
            lines.push(Line::from(vec![
                Span::styled("  ⚠ ", theme.warn),
                Span::styled(finding.message.as_str(), theme.warn),
            ]));
        }
        lines.push(Line::from(vec![
            Span::styled("Expires  ", theme.muted),
            Span::styled(format!("in {} ", invite::remaining(expires - now)), theme.ok),
            Span::styled(
                format!("({}, {} links last {})", ui.zone.short(expires), role.as_str(), invite::window_words(role)),
                theme.text,
            ),
        ]));
        let superseded = match live {
            0 => "No earlier link is still working.".to_owned(),
            1 => "The earlier link will stop working.".to_owned(),
            n => format!("{n} earlier links will stop working."),
        };
        lines.push(Line::from(vec![Span::styled("Earlier  ", theme.muted), Span::styled(superseded, theme.warn)]));
        if let Some(ticket) = &account.ticket_id {
            lines.push(Line::from(vec![
                Span::styled("Ticket   ", theme.muted),
                Span::styled(ticket.as_str(), theme.text),
            ]));
        }
        lines.push(Line::default());
        match (&state.submission.error, state.submission.pending) {
            (_, Some(_)) => lines.push(Line::styled("Sending…", theme.warn)),
            (Some(PortalError::RateLimited { .. }), None) if state.submission.wait.is_some() => {
                let wait = state.submission.wait.unwrap_or(RetryWait { until: now });
                lines.push(wait.line(now, "Not sent", "5 invites an hour at most", "sends it", theme));
            }
            (Some(error), None) => {
                lines.push(Line::styled(format!("✕ Not sent: {error}"), theme.danger));
                lines.push(Line::styled(
                    "Enter tries again (it cannot make a second invite); Esc cancels.",
                    theme.muted,
                ));
            }
            (None, None) => lines.push(Line::from(vec![
                Span::styled("Enter", theme.key),
                Span::styled(" or ", theme.muted),
                Span::styled("y", theme.key),
                Span::styled(" sends it · ", theme.muted),
                Span::styled("Esc", theme.key),
                Span::styled(" cancels", theme.muted),
            ])),
        }
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    }
}
