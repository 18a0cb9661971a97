//! Ticket note (`m`): an internal note posted to the ticket, seen by staff
//! only. A retry of the same text reuses its Idempotency-Key, so a note
//! whose answer was lost is never posted twice; changed text is a new note.
//! A lost answer is not taken for a failure: the notes are read again, and
//! the dialog says what they show (posted, or not, or still not known).

use crate::tui::keymap::{CANCEL, confirm, screen_spec};
use tui_input::Input;

use super::submission::{ChangeId, Submission, Wording, answer_lost, enter_hint_row};
use crate::portal::IdempotencyKey;
use crate::tui::view_model::{Caret, Cell, Form, Meaning, Row, ViewModel};
use chrono::{DateTime, Utc};

use crate::portal::model::{NewNote, TicketId};
use crate::request::NotesRead;
use crate::tui::action::{Action, Answer, Effect, ReqId, Request};
use crate::tui::component::{Banner, Component, Cx, Outcome, ScreenKind, Shared, Then};

/// The longest note the field takes, in characters.
pub const NOTE_MAX: usize = 2000;

/// Who sees a note.
const STAFF_ONLY: &str = "Staff only; the client never sees it.";
/// The key that posts, and what it does.
const POSTS: ([&str; 1], &str) = (["Enter"], "posts it");

impl NoteState {
    fn title(&self) -> String {
        format!("Internal note on ticket {}", self.ticket_id)
    }

    /// `12/2000 characters`.
    fn count(&self) -> String {
        format!("{}/{NOTE_MAX} characters", self.input.value().chars().count())
    }

    /// What the dialog says after a lost answer, while nothing is sent;
    /// `None` leaves it to the submission's status. Never "Not posted" for
    /// a note that may have been stored.
    fn lost_rows(&self) -> Option<Vec<Row>> {
        if self.submission.is_sending() {
            return None;
        }
        let said = |text: &'static str, meaning: Meaning| Row::one(Cell::new(text, meaning).must()).id("status");
        let hint = |text: &'static str| Row::one(Cell::muted(text)).id("keys");
        match self.lost {
            Lost::Reading(_) => {
                Some(vec![said("… Not known yet: the answer was lost; reading the notes again…", Meaning::Warning)])
            }
            Lost::Unknown => Some(vec![
                said(
                    "? Not known whether it was posted (the answer was lost, the notes could not be read)",
                    Meaning::Warning,
                ),
                hint("Enter posts it again with the same key: never twice."),
            ]),
            Lost::NotShown => Some(vec![
                said("✕ Not posted: the answer was lost and the notes do not show it", Meaning::Danger),
                hint("Enter posts it (it cannot be posted twice)."),
            ]),
            Lost::No => None,
        }
    }
}

/// The note dialog. (No `Debug`: a note may name the client.)
pub struct NoteState {
    pub ticket_id: TicketId,
    pub input: Input,
    pub submission: Submission,
    /// The text last sent: sending the same text again reuses the key.
    sent: Option<String>,
    /// When it was last sent (the console's estimate of the portal's time).
    sent_at: Option<DateTime<Utc>>,
    /// After a lost answer: what the notes read again say.
    pub lost: Lost,
}

/// After a lost answer, what the notes said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lost {
    /// Nothing lost.
    No,
    /// The notes are being read again (this request).
    Reading(ReqId),
    /// Read: the note is not among them (not posted).
    NotShown,
    /// They could not be read: not known.
    Unknown,
}

/// How long before it was sent a note may be dated and still be the one
/// sent (the portal's clock and the console's estimate of it differ by a
/// second or so; a note with the same text by the same staff member any
/// earlier is another one).
const SENT_SLACK: chrono::Duration = chrono::Duration::seconds(60);

impl NoteState {
    pub fn new(ticket_id: TicketId) -> Self {
        Self {
            ticket_id,
            input: Input::default(),
            submission: Submission::default(),
            sent: None,
            sent_at: None,
            lost: Lost::No,
        }
    }

    /// The notes read again after a lost answer: a note by this staff
    /// member with the text sent, dated from just before it was sent,
    /// shows it was posted (its key is then forgotten and the dialog
    /// closes); none shows it was not (Enter posts it, with the same key).
    fn notes_read(&mut self, result: Result<Box<NotesRead>, crate::portal::PortalError>, cx: &mut Cx<'_>) -> Outcome {
        let read = match result {
            Ok(read) => read,
            Err(_) => {
                self.lost = Lost::Unknown;
                return Outcome::none();
            }
        };
        let (Some(body), Some(at)) = (self.sent.as_deref(), self.sent_at) else {
            self.lost = Lost::Unknown;
            return Outcome::none();
        };
        let shows = read.notes.iter().any(|n| n.author == read.me && n.body == body && n.at >= at - SENT_SLACK);
        if !shows {
            self.lost = Lost::NotShown;
            return Outcome::none();
        }
        self.lost = Lost::No;
        self.submission.shown(cx.unconfirmed);
        Outcome::done(
            format!("Note posted to ticket {} (its answer was lost, the notes show it)", self.ticket_id),
            Vec::new(),
        )
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
        self.sent_at = Some(cx.now);
        self.lost = Lost::No;
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

screen_spec!(NoteState, "Ticket note", [confirm("post the note", "post"), CANCEL], text, replies);

impl Component for NoteState {
    fn screen(&self) -> ScreenKind {
        ScreenKind::Note
    }

    /// What the note dialog says: who sees it, the note typed (the field), the status, the count.
    fn model(&self, shared: &Shared<'_>) -> ViewModel {
        let (_under, ui) = (shared, shared.ui);
        let mut rows = vec![
            Row::one(Cell::muted(STAFF_ONLY)).id("aside"),
            Row::default(),
            Row::field("Note", Cell::new(self.input.value(), Meaning::Input).must()).id("field"),
            Row::default(),
        ];
        match self.lost_rows() {
            Some(lost) => rows.extend(lost),
            None => rows.extend(self.submission.status_rows(
                &WORDING,
                None,
                vec![enter_hint_row(&POSTS.0, POSTS.1)],
                ui.now,
            )),
        }
        rows.push(Row::one(Cell::muted(self.count()).low()).id("count"));
        ViewModel::new(self.title()).rows("", rows)
    }

    fn on_action(&mut self, action: Action, cx: &mut Cx<'_>) -> Outcome {
        Outcome::sends(action, self.submission.is_sending(), || self.confirm(cx))
    }
    /// The answer to the post: posted, the dialog closes; lost, the notes
    /// are read again to see; else the error stays shown and Enter retries.
    fn on_answer(&mut self, req: ReqId, answer: Answer, cx: &mut Cx<'_>) -> Option<Outcome> {
        match answer {
            Answer::AddNote(result) => Some(match self.submission.take_change(req, result, cx.unconfirmed)? {
                Ok(()) => Outcome::done(format!("Note posted to ticket {}", self.ticket_id), Vec::new()),
                Err(error) if answer_lost(&error) => {
                    self.submission.fail(&error, cx.now, error.to_string());
                    let req = cx.req();
                    self.lost = Lost::Reading(req);
                    Outcome::effects(vec![Effect::Portal(req, Request::Notes { ticket_id: self.ticket_id.clone() })])
                }
                Err(error) => {
                    self.submission.fail(&error, cx.now, error.to_string());
                    Outcome::none()
                }
            }),
            Answer::Notes(result) if self.lost == Lost::Reading(req) => Some(self.notes_read(result, cx)),
            _ => None,
        }
    }
    fn field(&mut self) -> Option<(&mut Input, usize)> {
        if self.submission.is_sending() { None } else { Some((&mut self.input, NOTE_MAX)) }
    }
    fn countdown(&self) -> Option<bool> {
        Some(self.submission.wait.is_some())
    }
    fn form(&self) -> Form {
        Form::new(76, 8).caret(self.caret())
    }
}

impl NoteState {
    /// Where the text cursor is.
    fn caret(&self) -> Option<Caret> {
        Some(Caret::new("field", self.input.visual_cursor()))
    }
}
