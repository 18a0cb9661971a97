//! The reply composer (`w` on a ticket): a public reply to the client,
//! emailed by the portal. It opens prefilled with the top finding's reply
//! (the very text `y` copies), in a multi-line editor (`ratatui-textarea`
//! edits; this file draws it, wrapping long lines between words on screen
//! only: what is sent is what was typed);
//! Tab picks the status to set with it (none, pending, solved), Ctrl-S
//! sends, Esc cancels (asking first when the draft was edited).
//!
//! Exactly once: the Idempotency-Key lives in its [`Submission`] until an
//! answer, or a read of the conversation after a lost one, shows the
//! outcome; a retry goes with the same key, so the portal cannot email it
//! twice.
//!
//! The collision guard: before it sends, it reads the ticket again. A
//! message, or a status or assignee change, that arrived since the agent
//! opened it ("agent_rivera replied 40s ago"), or a ticket someone else
//! has, is shown with the draft kept; a second Ctrl-S sends knowingly.

use chrono::{DateTime, Utc};
use crossterm::event::{Event, KeyCode, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui_textarea::{CursorMove, TextArea, WrapMode};

use super::account::AccountState;
use super::submission::{ChangeId, Submission, Wording, answer_lost, with_lately};
use super::ticket::TicketPane;
use super::{Ui, dialog};
use crate::diagnose::replies::Replies;
use crate::portal::IdempotencyKey;
use crate::portal::model::{
    AuthorKind, MAX_REPLY_CHARS, MessageId, NewReply, ReplyStatus, TicketId, TicketMessage, TicketStatus, Visibility,
};
use crate::request::Conversation;
use crate::tui::action::{Action, Answer, Effect, ReqId, Request};
use crate::tui::component::{Banner, Component, Cx, Outcome, Shared, Then};
use crate::tui::keymap::{ScreenKind, ctrl, screen_spec, special};
use crate::tui::live;
use crate::tui::view_model::{self, Cell, Join, Meaning, Row as VRow, ViewModel};

/// The most characters the editor takes: twice what may be sent, so a
/// long paste is not cut silently (the dialog says it is too long).
const EDITOR_MAX: usize = 2 * MAX_REPLY_CHARS;

/// Most lines of "what changed" the guard lists.
const CHANGES_SHOWN: usize = 4;

/// What the agent saw of the ticket: its messages, status and assignee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    messages: Vec<MessageId>,
    status: TicketStatus,
    assignee: Option<String>,
}

impl Seen {
    pub fn of(ticket_status: TicketStatus, assignee: Option<&str>, messages: &[TicketMessage]) -> Self {
        Self {
            messages: messages.iter().map(|m| m.id.clone()).collect(),
            status: ticket_status,
            assignee: assignee.map(str::to_owned),
        }
    }

    pub fn read(conversation: &Conversation) -> Self {
        let ticket = &conversation.ticket.value;
        Self::of(ticket.status, ticket.assignee.as_deref(), &conversation.messages)
    }

    /// What changed in `now` since, in words, each with who and when:
    /// "agent_rivera replied 40s ago", "the client wrote 2m ago",
    /// "agent_chen set the ticket solved 1m ago".
    pub fn changes(&self, now: &Conversation, at: DateTime<Utc>) -> Vec<String> {
        let me = now.me.as_str();
        let new: Vec<&TicketMessage> = now.messages.iter().filter(|m| !self.messages.contains(&m.id)).collect();
        let mut out: Vec<String> = new
            .iter()
            .take(CHANGES_SHOWN)
            .map(|m| {
                let did = match (m.author.kind, m.visibility) {
                    (_, Visibility::Internal) => "added an internal note",
                    (AuthorKind::Client, _) => "wrote",
                    (AuthorKind::Staff, _) => "replied",
                    (AuthorKind::System, _) => "sent a message",
                };
                format!("{} {did} {}", author(m, me), ago(at, m.at))
            })
            .collect();
        if new.len() > CHANGES_SHOWN {
            out.push(format!("and {} more messages", new.len() - CHANGES_SHOWN));
        }
        let ticket = &now.ticket.value;
        let change = now.last_change.as_ref();
        let by = live::who(change.map(|c| c.actor.as_str()), Some(me));
        let when = change.map(|c| format!(" {}", ago(at, c.at))).unwrap_or_default();
        if ticket.status != self.status {
            out.push(format!("{by} set the ticket {}{when}", ticket.status.as_str()));
        }
        // Claimed by this staff member (the first change made on it claims
        // it, from any console): no collision.
        if ticket.assignee.as_deref() != self.assignee.as_deref() && ticket.assignee.as_deref() != Some(me) {
            out.push(match ticket.assignee.as_deref() {
                Some(who) => format!("{} claimed the ticket{when}", live::who(Some(who), Some(me))),
                None => format!("{by} released the ticket{when}"),
            });
        }
        out
    }
}

/// Who wrote a message, in words: the staff id (a staff member's own name
/// for the desk), "the client", or "the portal".
fn author(message: &TicketMessage, me: &str) -> String {
    match message.author.kind {
        AuthorKind::Client => "the client".to_owned(),
        AuthorKind::System => "the portal".to_owned(),
        AuthorKind::Staff => live::who(Some(&message.author.id), Some(me)),
    }
}

/// `40s ago`, `3m ago`, `2h ago` (the one wording).
fn ago(now: DateTime<Utc>, at: DateTime<Utc>) -> String {
    crate::wording::ago(now - at)
}

/// Someone other than the one asking has the ticket: who.
fn claimed_by_other(conversation: &Conversation) -> Option<&str> {
    conversation.ticket.value.assignee.as_deref().filter(|who| *who != conversation.me)
}

/// What a read of the conversation is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// What the agent sees as the composer opens (no ticket pane had it).
    Opening,
    /// The collision guard, before sending.
    Guard,
    /// After a lost answer: whether the reply went.
    Lost,
}

/// After a lost answer, what the conversation said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lost {
    /// Nothing lost (or not yet read).
    No,
    /// Read: the reply is not in it.
    NotShown,
    /// It could not be read: not known.
    Unknown,
}

/// The reply composer. (No `Debug`: the draft names the client.)
pub struct ReplyState {
    pub ticket_id: TicketId,
    editor: TextArea<'static>,
    /// The text it opened with: a draft that differs asks before Esc
    /// discards it.
    prefill: String,
    /// The status to set with the reply (`None`: left as it is).
    pub status: Option<ReplyStatus>,
    pub submission: Submission<String>,
    /// What the agent saw when it opened (`None` until read).
    seen: Option<Seen>,
    /// The ticket's subject, once known.
    subject: Option<String>,
    /// The read in flight, and what for.
    reading: Option<(ReqId, Reading)>,
    /// What the guard found (changes since, a claim by someone else): the
    /// next Ctrl-S sends knowingly, Esc goes back to the draft.
    pub warning: Vec<String>,
    /// Why the draft cannot go as it is (empty, too long), or why the guard
    /// could not read; said before anything is sent.
    pub problem: Option<String>,
    /// Esc was pressed on an edited draft: a second Esc discards it.
    pub discarding: bool,
    /// The reply sent last (its outcome is matched in the conversation
    /// after a lost answer) and its change.
    sent: Option<(NewReply, ChangeId)>,
    lost: Lost,
    /// The editor's first row on screen, and its width, as last drawn
    /// (the rows follow the cursor; Up and Down move by rows on screen).
    view: std::cell::Cell<(usize, u16)>,
}

/// Opens the composer on the loaded account's ticket, prefilled with the
/// top finding's reply, or says why not. `req` reads the conversation when
/// the ticket pane has not (what the agent saw, for the guard).
pub fn open(
    account: Option<&AccountState>,
    pane: Option<&TicketPane>,
    replies: &Replies,
    now: DateTime<Utc>,
    req: ReqId,
) -> Outcome {
    let Some(account) = account.filter(|a| a.account.data.is_some() && a.invites.data.is_some()) else {
        return Outcome::banner(Banner::error("The account is still loading"));
    };
    let Some(ticket_id) = account.ticket_id.clone() else {
        return Outcome::banner(Banner::error("No ticket to reply on: open the account from a ticket in the queue"));
    };
    let prefill = account.main_reply(replies, now).map(|r| r.into_inner()).unwrap_or_default();
    let mut state = ReplyState::new(ticket_id, &prefill);
    let pane = pane.filter(|p| p.id == state.ticket_id);
    if let Some(((ticket, _), messages)) = pane.and_then(|p| Some((p.ticket.data.as_ref()?, p.messages.data.as_ref()?)))
    {
        state.seen = Some(Seen::of(ticket.value.status, ticket.value.assignee.as_deref(), messages));
        state.subject = Some(ticket.value.subject.clone());
        return Outcome::then(Then::Open(state.into()));
    }
    let read = state.read(req, Reading::Opening);
    Outcome { effects: vec![read], then: vec![Then::Open(state.into())], ..Outcome::none() }
}

/// How the composer names its change.
const WORDING: Wording = Wording::new("Sending…", "Not sent", "too many requests", "sends it");

impl ReplyState {
    fn title(&self) -> String {
        format!("Reply to the client · ticket {}", self.ticket_id)
    }

    /// The line over the editor: the subject, and that it is public.
    fn about(&self) -> String {
        match &self.subject {
            Some(subject) => {
                format!("Re: {} · public: emailed to the client", super::shown(&crate::sanitize::line(subject)))
            }
            None => "Public: emailed to the client".to_owned(),
        }
    }

    /// A composer on `ticket_id` holding `prefill`.
    pub fn new(ticket_id: TicketId, prefill: &str) -> Self {
        let prefill = clean(prefill, EDITOR_MAX);
        let mut editor = TextArea::new(prefill.lines().map(str::to_owned).collect());
        editor.set_wrap_mode(WrapMode::WordOrGlyph);
        editor.set_cursor_line_style(Style::default());
        editor.set_placeholder_text("Write the reply to the client");
        // Ready to add to what is there.
        editor.move_cursor(CursorMove::Bottom);
        editor.move_cursor(CursorMove::End);
        Self {
            ticket_id,
            editor,
            prefill: prefill.trim_end().to_owned(),
            status: None,
            submission: Submission::default(),
            seen: None,
            subject: None,
            reading: None,
            warning: Vec::new(),
            problem: None,
            discarding: false,
            sent: None,
            lost: Lost::No,
            view: std::cell::Cell::new((0, 0)),
        }
    }

    /// The draft as it stands.
    pub fn text(&self) -> String {
        self.editor.lines().join("\n")
    }

    /// Whether the draft differs from what it opened with.
    pub fn edited(&self) -> bool {
        self.text().trim_end() != self.prefill
    }

    /// Whether keys that would change what is sent do nothing now: a
    /// request in flight, or the guard's or the lost answer's read.
    fn busy(&self) -> bool {
        self.submission.is_sending() || matches!(self.reading, Some((_, Reading::Guard | Reading::Lost)))
    }

    /// Reads the conversation (as request `req`) for `why`.
    fn read(&mut self, req: ReqId, why: Reading) -> Effect {
        self.reading = Some((req, why));
        Effect::Portal(req, Request::Conversation { ticket_id: self.ticket_id.clone() })
    }

    /// The reply to send, or why it cannot go (said in the dialog).
    fn checked(&mut self) -> Option<NewReply> {
        let text = self.text();
        let body = text.trim();
        let count = body.chars().count();
        self.problem = if body.is_empty() {
            Some("The reply is empty: write it first".to_owned())
        } else if count > MAX_REPLY_CHARS {
            Some(format!("The reply is {count} characters: at most {MAX_REPLY_CHARS} can go. Shorten it first"))
        } else {
            None
        };
        self.problem.is_none().then(|| NewReply { body: body.to_owned(), status: self.status, ..Default::default() })
    }

    /// Ctrl-S: checks the draft, then reads the ticket again (the guard)
    /// unless this is a retry of a reply whose outcome was never seen, or
    /// the guard's warning was shown (then it sends knowingly).
    fn send_pressed(&mut self, cx: &mut Cx<'_>) -> Outcome {
        if self.submission.holds(cx.now) || self.busy() {
            return Outcome::none();
        }
        let Some(reply) = self.checked() else { return Outcome::none() };
        let change = ChangeId::new("reply", self.ticket_id.as_str(), &reply);
        if cx.unconfirmed.holds(&change) || !self.warning.is_empty() {
            return self.send(reply, change, cx);
        }
        if matches!(self.reading, Some((_, Reading::Opening))) {
            self.problem = Some("Still reading the conversation: Ctrl-S again in a moment".to_owned());
            return Outcome::none();
        }
        let req = cx.req();
        Outcome::effects(vec![self.read(req, Reading::Guard)])
    }

    /// Sends `reply`: with the key of the same reply whose outcome was never
    /// seen, else with the dialog's own (a new one for a reply other than
    /// the one sent last).
    fn send(&mut self, reply: NewReply, change: ChangeId, cx: &mut Cx<'_>) -> Outcome {
        if self.sent.as_ref().is_some_and(|(_, last)| *last != change) {
            self.submission.key = IdempotencyKey::new();
        }
        self.warning.clear();
        self.problem = None;
        self.lost = Lost::No;
        let req = cx.req();
        let key = self.submission.send(req, change.clone(), cx.unconfirmed);
        self.sent = Some((reply.clone(), change));
        let request = Request::Reply { ticket_id: self.ticket_id.clone(), reply, key };
        Outcome::effects(vec![Effect::Portal(req, request)])
    }

    /// The guard's read: what changed since the agent opened the composer,
    /// and whether someone else has the ticket. Nothing: it sends.
    fn guarded(&mut self, result: Result<Box<Conversation>, crate::portal::PortalError>, cx: &mut Cx<'_>) -> Outcome {
        let conversation = match result {
            Ok(conversation) => conversation,
            Err(error) => {
                self.problem = Some(format!("Could not read the conversation first: {error}. Ctrl-S tries again"));
                return Outcome::none();
            }
        };
        let mut warning = self.seen.as_ref().map(|s| s.changes(&conversation, cx.now)).unwrap_or_default();
        if let Some(who) = claimed_by_other(&conversation) {
            warning.push(format!("Claimed by {}: reply anyway?", crate::sanitize::field(who)));
        }
        // What the agent is shown now is what the next guard compares with.
        self.seen = Some(Seen::read(&conversation));
        self.subject = Some(conversation.ticket.value.subject.clone());
        if !warning.is_empty() {
            tracing::info!(
                ticket_id = self.ticket_id.as_str(),
                "reply held back: the ticket changed or is someone else's"
            );
            self.warning = warning;
            return Outcome::none();
        }
        match self.checked() {
            Some(reply) => {
                let change = ChangeId::new("reply", self.ticket_id.as_str(), &reply);
                self.send(reply, change, cx)
            }
            None => Outcome::none(),
        }
    }

    /// The read after a lost answer: the reply shows (sent: close and say
    /// so) or it does not (not sent; Ctrl-S retries with the same key).
    fn lost_read(&mut self, result: Result<Box<Conversation>, crate::portal::PortalError>, cx: &mut Cx<'_>) -> Outcome {
        let Ok(conversation) = result else {
            self.lost = Lost::Unknown;
            return Outcome::none();
        };
        let Some((reply, _)) = self.sent.as_ref() else { return Outcome::none() };
        let seen = self.seen.as_ref().map(|s| s.messages.as_slice()).unwrap_or_default();
        let shows = conversation.messages.iter().any(|m| {
            m.author.kind == AuthorKind::Staff
                && m.visibility == Visibility::Public
                && m.author.id == conversation.me
                && !seen.contains(&m.id)
                && m.body.expose() == &reply.body
        });
        if !shows {
            self.lost = Lost::NotShown;
            return Outcome::none();
        }
        self.submission.shown(cx.unconfirmed);
        Outcome::done(format!("{} (its answer was lost, the conversation shows it)", self.sent_text()), reloads())
    }

    /// The banner once sent: the ticket, and the status set with it.
    fn sent_text(&self) -> String {
        let status = self.sent.as_ref().and_then(|(reply, _)| reply.status);
        match status {
            None => format!("Reply sent on {}", self.ticket_id),
            Some(status) => format!("Reply sent on {}; the ticket is {}", self.ticket_id, status.as_str()),
        }
    }

    /// Esc: stops the guard's read, leaves a warning for the draft, asks
    /// once before an edited draft is discarded, else closes; never while
    /// the reply is under way.
    fn back(&mut self) -> Outcome {
        if self.submission.is_sending() {
            return Outcome::none();
        }
        if matches!(self.reading, Some((_, Reading::Guard))) {
            self.reading = None;
            return Outcome::none();
        }
        if !self.warning.is_empty() {
            self.warning.clear();
            return Outcome::none();
        }
        if self.edited() && !std::mem::replace(&mut self.discarding, true) {
            return Outcome::none();
        }
        Outcome::close()
    }

    /// The status after `status`: none, pending, solved, none again.
    fn next_status(status: Option<ReplyStatus>) -> Option<ReplyStatus> {
        match status {
            None => Some(ReplyStatus::Pending),
            Some(ReplyStatus::Pending) => Some(ReplyStatus::Solved),
            Some(ReplyStatus::Solved) => None,
        }
    }
}

// Enter is a new line; Ctrl-S sends.
screen_spec!(
    ReplyState,
    "Reply",
    [
        ctrl('s', Action::Confirm, "send the reply (again: send anyway)", "send"),
        special(KeyCode::Tab, Action::NextField, "status to set: none / pending / solved", "status"),
        special(KeyCode::Esc, Action::Back, "cancel (asks first if edited)", "cancel"),
    ],
    text,
    phi,
    replies
);

/// What is read again after the reply went: the account with its ticket
/// and conversation, then the queue.
fn reloads() -> Vec<Then> {
    vec![Then::ReloadAccount, Then::ReloadQueue]
}

/// Text for the editor: newlines kept, tabs as spaces, every other
/// control dropped, at most `max` characters.
fn clean(text: &str, max: usize) -> String {
    let text = text.replace("\r\n", "\n");
    text.chars()
        .map(|c| if c == '\t' || c == '\r' { ' ' } else { c })
        .filter(|c| *c == '\n' || !c.is_control())
        .take(max)
        .collect()
}

impl Component for ReplyState {
    fn screen(&self) -> ScreenKind {
        ScreenKind::Reply
    }

    /// Draws the composer: what it is, the editor, the status to set, the
    /// count, then what the keys do now (or what went wrong).
    /// Whom it goes to (the subject), the reply typed (the field: its whole
    /// text), then what shows under the editor: the status it sets (the
    /// choice taken marked), the count, a problem, what changed since it
    /// was opened, or the submission's status and keys.
    fn model(&self, shared: &Shared<'_>) -> ViewModel {
        let (_under, ui) = (shared, shared.ui);
        let head = vec![
            VRow::one(Cell::muted(self.about())).id("about"),
            VRow::field("Reply", Cell::new(self.text(), Meaning::Input).must()).id("field"),
        ];
        ViewModel::new(self.title()).rows("", head).rows("", self.bottom_rows(ui))
    }

    fn edit(&mut self, event: &Event) {
        let Event::Key(key) = event else { return };
        self.discarding = false;
        if self.busy() {
            return;
        }
        let inserts = matches!(key.code, KeyCode::Char(_) | KeyCode::Enter | KeyCode::Tab)
            && !key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        if inserts && self.text().chars().count() >= EDITOR_MAX {
            return;
        }
        if self.row_moved(key) {
            return;
        }
        if self.editor.input(*key) {
            self.problem = None;
        }
    }

    fn paste(&mut self, text: &str) {
        self.discarding = false;
        if self.busy() {
            return;
        }
        let room = EDITOR_MAX.saturating_sub(self.text().chars().count());
        if self.editor.insert_str(clean(text, room)) {
            self.problem = None;
        }
    }

    fn on_action(&mut self, action: Action, cx: &mut Cx<'_>) -> Outcome {
        if action != Action::Back {
            self.discarding = false;
        }
        match action {
            Action::Confirm => self.send_pressed(cx),
            Action::NextField if !self.busy() => {
                self.status = Self::next_status(self.status);
                Outcome::none()
            }
            Action::Back => self.back(),
            _ => Outcome::none(),
        }
    }

    /// The reply's answer (sent: close, read the conversation and the
    /// queue again; lost: read the conversation to see; else the error
    /// stays shown with the draft), and the composer's own reads.
    fn on_answer(&mut self, req: ReqId, answer: Answer, cx: &mut Cx<'_>) -> Option<Outcome> {
        match answer {
            Answer::Reply(result) => Some(match self.submission.take_change(req, result, cx.unconfirmed)? {
                Ok(_) => Outcome::done(self.sent_text(), reloads()),
                Err(error) if answer_lost(&error) => {
                    self.submission.fail(&error, cx.now, error.to_string());
                    let req = cx.req();
                    Outcome::effects(vec![self.read(req, Reading::Lost)])
                }
                Err(error) => {
                    self.submission.fail(&error, cx.now, error.to_string());
                    Outcome::none()
                }
            }),
            Answer::Conversation(result) => {
                let (_, why) = self.reading.filter(|(awaited, _)| *awaited == req)?;
                self.reading = None;
                Some(match why {
                    Reading::Opening => {
                        if let Ok(conversation) = result {
                            self.seen = Some(Seen::read(&conversation));
                            self.subject = Some(conversation.ticket.value.subject.clone());
                        }
                        Outcome::none()
                    }
                    Reading::Guard => self.guarded(result, cx),
                    Reading::Lost => self.lost_read(result, cx),
                })
            }
            _ => None,
        }
    }

    fn countdown(&self) -> Option<bool> {
        Some(self.submission.wait.is_some())
    }

    /// Draws the composer from its view model: what it is, the editor in
    /// place of the field, then what shows under it.
    fn render(&self, frame: &mut Frame<'_>, area: Rect, shared: &Shared<'_>) {
        let theme = shared.ui.theme;
        let mut model = with_lately(self.model(shared), shared.lately);
        let bottom = ViewModel { title: String::new(), sections: model.sections.pop().into_iter().collect() };
        // The head without the field: the editor draws it.
        for section in &mut model.sections {
            section.rows.retain(|row| row.id != "field");
        }
        let inner = dialog(frame, area, (100, 32), &model.title, theme);
        let width = usize::from(inner.width);
        let (head, _) = view_model::form(&model, width, theme, None);
        let (bottom, _) = view_model::form(&bottom, width, theme, None);
        let [head_area, editor, _, foot] = Layout::vertical([
            Constraint::Length(u16::try_from(head.len()).unwrap_or(1)),
            Constraint::Min(1),
            Constraint::Length(1),
            Constraint::Length(u16::try_from(bottom.len()).unwrap_or(u16::MAX)),
        ])
        .areas(inner);
        frame.render_widget(Paragraph::new(head), head_area);
        self.render_editor(frame, editor);
        frame.render_widget(Paragraph::new(bottom), foot);
    }
}

/// The style of selected text (the editor's own default).
const SELECTED: Style = Style::new().bg(ratatui::style::Color::LightBlue);

/// One row of the editor on screen: the typed line it shows part of, and
/// that part's characters (`start..end`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Row {
    line: usize,
    start: usize,
    end: usize,
    /// The last row of its line (the cursor may sit at its end).
    last: bool,
}

/// Columns a character takes on screen.
fn char_width(c: char) -> usize {
    let mut buf = [0u8; 4];
    Span::raw(&*c.encode_utf8(&mut buf)).width()
}

/// Where a typed line breaks on screen, `width` columns wide, as character
/// ranges: after a run of spaces (they end the row they follow, even past
/// its edge, and never start the next), never inside a word nor between a
/// word and its punctuation ("UTC)." stays whole); only a word wider than
/// the row is cut. Screen only: the text keeps no break that was not typed.
fn word_rows(line: &[char], width: usize) -> Vec<(usize, usize)> {
    let width = width.max(1);
    let mut rows = Vec::new();
    let (mut start, mut used, mut i) = (0, 0, 0);
    while i < line.len() {
        let space = line[i] == ' ';
        let end = line[i..].iter().position(|c| (*c == ' ') != space).map_or(line.len(), |n| i + n);
        let token: usize = line[i..end].iter().map(|c| char_width(*c)).sum();
        if space || used + token <= width {
            used += token;
            i = end;
        } else if i > start {
            rows.push((start, i));
            (start, used) = (i, 0);
        } else {
            // A word wider than a row: cut where the row is full.
            let mut taken = 0;
            let mut cut = i;
            while cut < end && (cut == i || taken + char_width(line[cut]) <= width) {
                taken += char_width(line[cut]);
                cut += 1;
            }
            rows.push((start, cut));
            (start, used, i) = (cut, 0, cut);
        }
    }
    if start < line.len() || rows.is_empty() {
        rows.push((start, line.len()));
    }
    rows
}

/// The editor's rows on screen for `lines`, `width` columns wide.
fn screen_rows(lines: &[Vec<char>], width: usize) -> Vec<Row> {
    let mut rows = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        let wrapped = word_rows(line, width);
        let count = wrapped.len();
        rows.extend(wrapped.into_iter().enumerate().map(|(k, (start, end))| Row {
            line: n,
            start,
            end,
            last: k + 1 == count,
        }));
    }
    rows
}

/// The row of `rows` the cursor (`line`, `col`) is on.
fn cursor_row(rows: &[Row], (line, col): (usize, usize)) -> usize {
    rows.iter().position(|r| r.line == line && r.start <= col && (col < r.end || (r.last && col == r.end))).unwrap_or(0)
}

impl ReplyState {
    /// The typed lines, as characters.
    fn chars(&self) -> Vec<Vec<char>> {
        self.editor.lines().iter().map(|l| l.chars().collect()).collect()
    }

    /// Up or Down: the cursor moves one row on screen (a long line wraps
    /// on several), to the column nearest the one it was at. `false` for
    /// any other key, or before the editor was drawn.
    fn row_moved(&mut self, key: &crossterm::event::KeyEvent) -> bool {
        let (_, width) = self.view.get();
        let up = match key.code {
            KeyCode::Up => true,
            KeyCode::Down => false,
            _ => return false,
        };
        if width == 0 || !key.modifiers.is_empty() {
            return false;
        }
        let lines = self.chars();
        let rows = screen_rows(&lines, usize::from(width));
        let cursor = self.editor.cursor();
        let at = cursor_row(&rows, (cursor.0, cursor.1));
        let row = rows[at];
        let x: usize =
            lines[row.line][row.start..cursor.1.clamp(row.start, row.end)].iter().map(|c| char_width(*c)).sum();
        let target = if up { at.checked_sub(1) } else { Some(at + 1).filter(|n| *n < rows.len()) };
        let Some(to) = target.map(|n| rows[n]) else { return true };
        // The column at `x` in the row moved to (its end at most; a row
        // that wraps on ends before its last character's successor).
        let line = &lines[to.line];
        let (mut col, mut used) = (to.start, 0);
        let stop = if to.last { to.end } else { to.end.saturating_sub(1).max(to.start) };
        while col < stop && used + char_width(line[col]) <= x {
            used += char_width(line[col]);
            col += 1;
        }
        let clamp = |n: usize| u16::try_from(n).unwrap_or(u16::MAX);
        self.editor.move_cursor(CursorMove::Jump(clamp(to.line), clamp(col)));
        true
    }

    /// Draws the editor in `area`: the typed text wrapped at word
    /// boundaries (on screen only), the cursor as a reversed cell, the
    /// rows scrolled just enough to keep the cursor in view.
    fn render_editor(&self, frame: &mut Frame<'_>, area: Rect) {
        let (width, height) = (usize::from(area.width), usize::from(area.height));
        if width == 0 || height == 0 {
            return;
        }
        let cursor_style = self.editor.cursor_style();
        if self.editor.is_empty() {
            self.view.set((0, area.width));
            let mut placeholder = self.editor.placeholder().clone();
            let cursor = Span::styled(" ", cursor_style);
            match placeholder.lines.first_mut() {
                Some(first) => first.spans.insert(0, cursor),
                None => placeholder.lines.push(Line::from(vec![cursor])),
            }
            frame.render_widget(Paragraph::new(placeholder), area);
            return;
        }
        let lines = self.chars();
        let rows = screen_rows(&lines, width);
        let cursor = self.editor.cursor();
        let at = cursor_row(&rows, (cursor.0, cursor.1));
        let (top, _) = self.view.get();
        let top = if at < top {
            at
        } else if at >= top + height {
            at + 1 - height
        } else {
            top
        };
        let top = top.min(rows.len().saturating_sub(1));
        self.view.set((top, area.width));
        let selection = self.editor.selection_range();
        let selected =
            |line: usize, col: usize| selection.is_some_and(|(from, to)| from <= (line, col) && (line, col) < to);
        let style = self.editor.style();
        let shown: Vec<Line<'_>> = (top..rows.len().min(top + height))
            .map(|n| {
                let row = rows[n];
                let line = &lines[row.line];
                let mut spans: Vec<Span<'_>> = Vec::new();
                let mut push = |text: char, cell: Style| match spans.last_mut() {
                    Some(last) if last.style == cell => last.content.to_mut().push(text),
                    _ => spans.push(Span::styled(text.to_string(), cell)),
                };
                let (mut used, mut drawn) = (0, false);
                for (col, &c) in line.iter().enumerate().take(row.end).skip(row.start) {
                    let w = char_width(c);
                    if used + w > width {
                        // Spaces past the edge end the row unseen.
                        break;
                    }
                    used += w;
                    let on_cursor = n == at && col == cursor.1;
                    drawn |= on_cursor;
                    let cell = if on_cursor {
                        cursor_style
                    } else if selected(row.line, col) {
                        SELECTED
                    } else {
                        style
                    };
                    push(c, cell);
                }
                // The cursor after the row's last character (or among its
                // spaces past the edge): a reversed cell after it, or on
                // its last cell when the row is full.
                if n == at && !drawn {
                    if used < width {
                        push(' ', cursor_style);
                    } else if let Some(last) = spans.last_mut() {
                        let content = last.content.to_mut();
                        if let Some(c) = content.pop() {
                            let rest = last.content.is_empty();
                            if rest {
                                spans.pop();
                            }
                            spans.push(Span::styled(c.to_string(), cursor_style));
                        }
                    }
                }
                Line::from(spans)
            })
            .collect();
        frame.render_widget(Paragraph::new(shown).style(style), area);
    }

    /// The lines under the editor.
    fn bottom_rows(&self, ui: &Ui<'_>) -> Vec<VRow> {
        let send = ui.keys.key_of(ScreenKind::Reply, Action::Confirm);
        let said = |text: String, meaning: Meaning, id: &str| VRow::one(Cell::new(text, meaning).must()).id(id);
        let mut rows = vec![self.status_row()];
        let count = self.text().trim().chars().count();
        let meaning = if count > MAX_REPLY_CHARS || count == 0 { Meaning::Danger } else { Meaning::Muted };
        rows.push(VRow::one(Cell::new(format!("{count}/{MAX_REPLY_CHARS} characters"), meaning)).id("count"));
        if let Some(problem) = &self.problem {
            rows.push(said(format!("✕ {problem}"), Meaning::Danger, "problem"));
            return rows;
        }
        if !self.warning.is_empty() {
            rows.push(said("Since you opened the reply:".to_owned(), Meaning::Warning, "since"));
            rows.extend(self.warning.iter().enumerate().map(|(n, w)| {
                VRow::one(Cell::new(w.clone(), Meaning::Warning).badge().must()).id(format!("since {n}")).indent(0, 2)
            }));
            rows.push(keys_row(&[(&send, "again sends anyway"), ("Esc", "goes back to the draft")]));
            return rows;
        }
        if self.discarding {
            rows.push(keys_row(&[("Esc", "again discards the edited reply"), ("any other key", "keeps it")]));
            return rows;
        }
        match self.reading {
            Some((_, Reading::Guard)) => {
                rows.push(said(
                    "Checking the conversation for anything new first…".to_owned(),
                    Meaning::Warning,
                    "status",
                ));
                return rows;
            }
            Some((_, Reading::Lost)) => {
                rows.push(said(
                    "… Not known yet: the answer was lost; reading the conversation again…".to_owned(),
                    Meaning::Warning,
                    "status",
                ));
                return rows;
            }
            _ => {}
        }
        let retry = match self.lost {
            Lost::NotShown => format!("The conversation does not show it: {send} sends it again (it cannot go twice)"),
            Lost::Unknown => format!("Not known whether it went: {send} sends again with the same key (never twice)"),
            Lost::No => format!("{send} tries again (it cannot go twice); Esc keeps nothing"),
        };
        let idle = vec![keys_row(&[(&send, "sends"), ("Tab", "status"), ("Enter", "new line"), ("Esc", "cancels")])];
        let retry = VRow::one(Cell::muted(retry)).id("retry");
        rows.extend(self.submission.status_rows(&WORDING, Some(retry), idle, ui.now));
        rows
    }

    /// `Status with it  ◉ leave as is  ○ pending  ○ solved  (Tab)`.
    fn status_row(&self) -> VRow {
        let mut cells = vec![Cell::muted("Status with it")];
        for (choice, word) in
            [(None, "leave as is"), (Some(ReplyStatus::Pending), "pending"), (Some(ReplyStatus::Solved), "solved")]
        {
            let cell = if self.status == choice {
                Cell::new(format!("◉ {word}"), Meaning::Key).strong()
            } else {
                Cell::text(format!("○ {word}"))
            };
            cells.push(cell.join(Join::Gap));
        }
        cells.push(Cell::muted("(Tab)").join(Join::Gap));
        VRow::new(cells).id("status with it")
    }
}

/// `Ctrl-S sends · Esc cancels`: keys and what they do.
fn keys_row(pairs: &[(&str, &str)]) -> VRow {
    let mut cells = Vec::new();
    for (n, (key, does)) in pairs.iter().enumerate() {
        let key = Cell::new(*key, Meaning::Key);
        cells.push(if n > 0 { key.join(Join::Dot) } else { key });
        cells.push(Cell::muted(*does));
    }
    VRow::new(cells).id("keys")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_editor_takes_text_without_controls() {
        assert_eq!(clean("a\r\nb\tc\u{1b}[31md\u{7}", 100), "a\nb c[31md");
        assert_eq!(clean("ééé", 2), "éé");
    }

    #[test]
    fn status_cycles_none_pending_solved() {
        let mut status = None;
        let mut seen = Vec::new();
        for _ in 0..3 {
            status = ReplyState::next_status(status);
            seen.push(status);
        }
        assert_eq!(seen, [Some(ReplyStatus::Pending), Some(ReplyStatus::Solved), None]);
    }

    #[test]
    fn a_draft_is_checked_before_it_is_sent() {
        let mut state = ReplyState::new(TicketId::from("T-1"), "  ");
        assert!(state.checked().is_none());
        assert!(state.problem.as_deref().is_some_and(|p| p.contains("empty")));
        state.paste(&"x".repeat(MAX_REPLY_CHARS + 1));
        assert!(state.checked().is_none());
        assert!(state.problem.as_deref().is_some_and(|p| p.contains("10001 characters")), "{:?}", state.problem);
        let mut state = ReplyState::new(TicketId::from("T-1"), "Hello\nthere\n");
        assert!(!state.edited());
        let reply = state.checked().unwrap();
        assert_eq!(reply.body, "Hello\nthere");
        state.paste("!");
        assert!(state.edited());
    }

    /// The editor drawn `width` x `height`, as rows of text (trailing
    /// blanks cut).
    fn editor_rows(state: &ReplyState, width: u16, height: u16) -> Vec<String> {
        let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height)).unwrap();
        terminal.draw(|frame| state.render_editor(frame, frame.area())).unwrap();
        let buffer = terminal.backend().buffer();
        (0..height)
            .map(|y| (0..width).map(|x| buffer[(x, y)].symbol().to_owned()).collect::<String>().trim_end().to_owned())
            .filter(|row| !row.is_empty())
            .collect()
    }

    /// Issue 27: a long line broke mid-text ("…05:01 UTC)" then a row
    /// starting ". It comes"), or a row started with a space. On screen it
    /// wraps between words only; what is sent is exactly what was typed,
    /// with no line break that was not typed.
    #[test]
    fn the_editor_wraps_between_words_on_screen_and_sends_exactly_what_was_typed() {
        let typed = "Your new link went out on Dec 7 and works until Dec 9 (05:01 UTC). It comes from the \
                     portal, so please look in the spam folder too if it is not in the inbox in a few minutes.";
        let mut state = ReplyState::new(TicketId::from("T-1"), "");
        state.paste(typed);
        let words: Vec<&str> = typed.split_whitespace().collect();
        for width in 12..=60 {
            let rows = editor_rows(&state, width, 40);
            assert!(rows.len() > 1, "it wraps at {width}: {rows:#?}");
            assert!(rows.iter().all(|r| !r.starts_with(' ')), "a row starts with a space at {width}: {rows:#?}");
            let shown: Vec<&str> = rows.iter().flat_map(|r| r.split_whitespace()).collect();
            assert_eq!(shown, words, "a word cut at {width}: {rows:#?}");
        }
        let sent = state.checked().unwrap().body;
        assert_eq!(sent, typed, "exactly what was typed");
        assert!(!sent.contains('\n'));
        // Lines typed are kept as typed.
        let mut state = ReplyState::new(TicketId::from("T-1"), "Hello,\n\nThe link works until 05:01 UTC.");
        editor_rows(&state, 14, 10);
        assert_eq!(state.checked().unwrap().body, "Hello,\n\nThe link works until 05:01 UTC.");
        state.paste(" More words here.");
        assert_eq!(state.text().matches('\n').count(), 2);
    }

    /// Up and Down move by rows on screen within a wrapped line.
    #[test]
    fn up_and_down_move_by_rows_on_screen() {
        let mut state = ReplyState::new(TicketId::from("T-1"), "one two three four five six seven eight nine ten");
        assert_eq!(editor_rows(&state, 14, 10), ["one two three", "four five six", "seven eight", "nine ten"]);
        let up = Event::Key(crossterm::event::KeyEvent::new(KeyCode::Up, KeyModifiers::NONE));
        let down = Event::Key(crossterm::event::KeyEvent::new(KeyCode::Down, KeyModifiers::NONE));
        let end = state.editor.cursor();
        assert_eq!((end.0, end.1), (0, 48));
        state.edit(&up);
        let at = state.editor.cursor();
        assert_eq!((at.0, at.1), (0, 36), "up one row, the same column: before the h of 'eight'");
        state.edit(&up);
        let at = state.editor.cursor();
        assert_eq!((at.0, at.1), (0, 22), "up again: the e of 'five'");
        state.edit(&down);
        state.edit(&down);
        let at = state.editor.cursor();
        assert_eq!((at.0, at.1), (0, 48));
    }

    #[test]
    fn rows_break_after_spaces_and_cut_only_words_wider_than_a_row() {
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(word_rows(&chars("ab (c). de"), 6), [(0, 3), (3, 8), (8, 10)], "'(c).' stays whole");
        assert_eq!(word_rows(&chars("abcdefghij"), 4), [(0, 4), (4, 8), (8, 10)]);
        assert_eq!(word_rows(&chars(""), 4), [(0, 0)]);
        assert_eq!(word_rows(&chars("ab      cd"), 4), [(0, 8), (8, 10)]);
    }

    #[test]
    fn ages_under_a_minute_are_in_seconds() {
        let now = DateTime::parse_from_rfc3339("2026-11-25T09:00:40Z").unwrap().to_utc();
        let at = DateTime::parse_from_rfc3339("2026-11-25T09:00:00Z").unwrap().to_utc();
        assert_eq!(ago(now, at), "40s ago");
        assert_eq!(ago(now + chrono::Duration::minutes(3), at), "3m ago");
    }
}
