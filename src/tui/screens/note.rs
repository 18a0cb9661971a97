//! Ticket note (`m`): an internal note posted to the ticket, seen by staff
//! only. A retry of the same text reuses its Idempotency-Key, so a note
//! whose answer was lost is never posted twice; changed text is a new note.

use crate::tui::keymap::{CANCEL, confirm, screen_spec};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use tui_input::Input;

use super::submission::{ChangeId, Submission, Wording, enter_hint};
use super::{Ui, cursor_column, dialog};
use crate::portal::IdempotencyKey;
use crate::portal::model::{NewNote, TicketId};
use crate::tui::action::{Action, Answer, Effect, ReqId, Request};
use crate::tui::dialog::{Banner, Cx, Dialog, Outcome, Then, Under};

/// The longest note the field takes, in characters.
pub const NOTE_MAX: usize = 2000;

/// The note dialog. (No `Debug`: a note may name the client.)
pub struct NoteState {
    pub ticket_id: TicketId,
    pub input: Input,
    pub submission: Submission,
    /// The text last sent: sending the same text again reuses the key.
    sent: Option<String>,
}

impl NoteState {
    pub fn new(ticket_id: TicketId) -> Self {
        Self { ticket_id, input: Input::default(), submission: Submission::default(), sent: None }
    }

    /// Enter: post the note (again, with the same key if the text is the
    /// same). A blank note is refused here, before it costs a request;
    /// nothing goes while a 429's wait runs.
    fn confirm(&mut self, cx: &mut Cx<'_>) -> Vec<Effect> {
        let Some(body) = self.submission.required(cx.now, &self.input, "write the note first") else {
            return Vec::new();
        };
        if self.sent.as_ref() != Some(&body) {
            self.submission.key = IdempotencyKey::new();
        }
        self.sent = Some(body.clone());
        let req = cx.req();
        let note = NewNote { body };
        let key = self.submission.send(req, ChangeId::new("note", self.ticket_id.as_str(), &note), cx.unconfirmed);
        vec![Effect::Portal(req, Request::AddNote { ticket_id: self.ticket_id.clone(), note, key })]
    }
}

/// Opens the note dialog for a ticket, or says why not.
pub fn open(ticket: Option<TicketId>) -> Outcome {
    match ticket {
        Some(ticket_id) => Outcome::then(Then::Open(NoteState::new(ticket_id).into())),
        None => Outcome::banner(Banner::error("No ticket to note: open the account from a ticket in the queue")),
    }
}

/// How the note dialog names its change.
const WORDING: Wording = Wording::new("Posting…", "Not posted", "too many requests", "posts it");

screen_spec!(NoteState, "Ticket note", [confirm("post the note", "post"), CANCEL], text);

impl Dialog for NoteState {
    fn on_action(&mut self, action: Action, cx: &mut Cx<'_>) -> Outcome {
        Outcome::sends(action, self.submission.is_sending(), || self.confirm(cx))
    }
    /// The answer to the post: posted, the dialog closes; else the error
    /// stays shown and Enter retries.
    fn on_answer(&mut self, req: ReqId, answer: Answer, cx: &mut Cx<'_>) -> Option<Outcome> {
        let Answer::AddNote(result) = answer else { return None };
        Some(match self.submission.take_change(req, result, cx.unconfirmed)? {
            Ok(()) => Outcome::done(format!("Note posted to ticket {}", self.ticket_id), Vec::new()),
            Err(error) => {
                self.submission.fail(&error, cx.now, error.to_string());
                Outcome::none()
            }
        })
    }
    fn field(&mut self) -> Option<(&mut Input, usize)> {
        if self.submission.is_sending() { None } else { Some((&mut self.input, NOTE_MAX)) }
    }
    fn countdown(&self) -> Option<bool> {
        Some(self.submission.wait.is_some())
    }
    /// Draws the note dialog.
    fn render(&self, _under: &Under<'_>, frame: &mut Frame<'_>, area: Rect, ui: &Ui<'_>) {
        let theme = ui.theme;
        let inner = dialog(frame, area, (76, 10), &format!("Internal note on ticket {}", self.ticket_id), theme);
        let width = inner.width.saturating_sub(1) as usize;
        let scroll = self.input.visual_scroll(width);
        let mut lines = vec![
            Line::styled("Staff only; the client never sees it.", theme.muted),
            Line::default(),
            Line::from(Span::styled(
                self.input.value().chars().skip(scroll).take(width).collect::<String>(),
                theme.input,
            )),
            Line::default(),
        ];
        let idle = vec![enter_hint(&["Enter"], "posts it", theme)];
        lines.extend(self.submission.status(&WORDING, None, idle, ui.now, theme));
        let count = self.input.value().chars().count();
        lines.push(Line::styled(format!("{count}/{NOTE_MAX} characters"), theme.muted));
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        let cursor = cursor_column(inner, 0, self.input.visual_cursor().saturating_sub(scroll));
        frame.set_cursor_position(Position::new(cursor, inner.y.saturating_add(2)));
    }
}
