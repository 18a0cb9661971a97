//! Ticket note (`m`): an internal note posted to the ticket, seen by staff
//! only. A retry of the same text reuses its Idempotency-Key, so a note
//! whose answer was lost is never posted twice; changed text is a new note.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use tui_input::Input;

use super::retry_wait::RetryWait;
use super::submission::Submission;
use super::{Ui, cursor_column, dialog, layout};
use crate::portal::model::NewNote;
use crate::portal::{IdempotencyKey, PortalError};

use crate::tui::action::{Effect, ReqId, Request};
use crate::tui::dialog::{Dialog, Under};
use crate::tui::keymap::ScreenKind;

/// The longest note the field takes, in characters.
pub const NOTE_MAX: usize = 2000;

/// The note dialog. (No `Debug`: a note may name the client.)
pub struct NoteState {
    pub ticket_id: String,
    pub input: Input,
    pub submission: Submission,
    /// The text last sent: sending the same text again reuses the key.
    sent: Option<String>,
}

impl NoteState {
    pub fn new(ticket_id: String) -> Self {
        Self { ticket_id, input: Input::default(), submission: Submission::default(), sent: None }
    }

    /// Enter: post the note (again, with the same key if the text is the
    /// same). A blank note is refused here, before it costs a request;
    /// nothing goes while a 429's wait runs.
    pub fn confirm(&mut self, req: ReqId, now: DateTime<Utc>) -> Vec<Effect> {
        if self.submission.holds(now) {
            return Vec::new();
        }
        let body = self.input.value().trim().to_owned();
        if body.is_empty() {
            self.submission.error = Some("write the note first".into());
            return Vec::new();
        }
        if self.sent.as_ref() != Some(&body) {
            self.submission.key = IdempotencyKey::new();
        }
        self.sent = Some(body.clone());
        self.submission.start(req);
        let key = self.submission.key.clone();
        vec![Effect::Portal(req, Request::AddNote { ticket_id: self.ticket_id.clone(), note: NewNote { body }, key })]
    }

    /// The answer to `req`: `true` when the note was posted (the dialog
    /// closes), else the error stays shown and Enter retries.
    pub fn finished(&mut self, req: ReqId, result: Result<(), PortalError>, now: DateTime<Utc>) -> Option<bool> {
        if !self.submission.finish(req) {
            return None;
        }
        match result {
            Ok(()) => Some(true),
            Err(error) => {
                self.submission.fail(&error, now, error.to_string());
                Some(false)
            }
        }
    }
}

impl Dialog for NoteState {
    fn kind(&self) -> ScreenKind {
        ScreenKind::Note
    }
    fn field(&mut self) -> Option<(&mut Input, usize)> {
        if self.submission.is_sending() { None } else { Some((&mut self.input, NOTE_MAX)) }
    }
    fn countdown(&self) -> Option<bool> {
        Some(self.submission.wait.is_some())
    }
    /// Draws the note dialog.
    fn render(&self, _under: &Under<'_>, frame: &mut Frame<'_>, area: Rect, ui: &Ui<'_>) {
        let state = self;
        let theme = ui.theme;
        let popup = layout::centered(area, 76, 10);
        let inner = dialog(frame, popup, &format!("Internal note on ticket {}", state.ticket_id), theme);
        let width = inner.width.saturating_sub(1) as usize;
        let scroll = state.input.visual_scroll(width);
        let mut lines = vec![
            Line::styled("Staff only; the client never sees it.", theme.muted),
            Line::default(),
            Line::from(Span::styled(
                state.input.value().chars().skip(scroll).take(width).collect::<String>(),
                theme.input,
            )),
            Line::default(),
        ];
        match (&state.submission.error, state.submission.pending) {
            (_, Some(_)) => lines.push(Line::styled("Posting…", theme.warn)),
            (Some(_), None) if state.submission.wait.is_some() => {
                let wait = state.submission.wait.unwrap_or(RetryWait { until: ui.now });
                lines.push(wait.line(ui.now, "Not posted", "too many requests", "posts it", theme));
            }
            (Some(error), None) => lines.push(Line::styled(format!("✕ Not posted: {error}"), theme.danger)),
            (None, None) => lines.push(Line::from(vec![
                Span::styled("Enter", theme.key),
                Span::styled(" posts it · ", theme.muted),
                Span::styled("Esc", theme.key),
                Span::styled(" cancels", theme.muted),
            ])),
        }
        let count = state.input.value().chars().count();
        lines.push(Line::styled(format!("{count}/{NOTE_MAX} characters"), theme.muted));
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        let cursor = cursor_column(inner, 0, state.input.visual_cursor().saturating_sub(scroll));
        frame.set_cursor_position(Position::new(cursor, inner.y.saturating_add(2)));
    }
}
