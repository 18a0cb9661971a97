//! The ticket pane: the ticket an account is worked for (subject, channel,
//! status, who has it, age and first-response badge) and its conversation,
//! newest message first, scrollable. Client messages, replies and internal notes are told apart;
//! names and bodies stay masked until the account is revealed (`v`).

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::{Ui, short_age, shown};
use crate::portal::model::{AuthorKind, Role, Ticket, TicketId, TicketMessage, TicketPatch, TicketStatus, Visibility};
use crate::portal::{IdempotencyKey, PortalError, Versioned};
use crate::tui::action::{Effect, ReqId, Request};
use crate::tui::remote::Remote;
use crate::tui::view_model::{Cell, Meaning, Row as VRow, ViewModel};

/// A change to the ticket (claim, release, pending, solve).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketChange {
    Claim,
    Release,
    Pending,
    Solve,
}

impl TicketChange {
    /// What it does, for banners and the confirm line.
    pub fn verb(self) -> &'static str {
        match self {
            TicketChange::Claim => "claim",
            TicketChange::Release => "release",
            TicketChange::Pending => "set pending",
            TicketChange::Solve => "solve",
        }
    }

    fn patch(self, me: &str) -> TicketPatch {
        match self {
            TicketChange::Claim => TicketPatch { assignee: Some(Some(me.into())), ..TicketPatch::default() },
            TicketChange::Release => TicketPatch { assignee: Some(None), ..TicketPatch::default() },
            TicketChange::Pending => TicketPatch { status: Some(TicketStatus::Pending), ..TicketPatch::default() },
            TicketChange::Solve => TicketPatch { status: Some(TicketStatus::Solved), ..TicketPatch::default() },
        }
    }

    fn done(self) -> &'static str {
        match self {
            TicketChange::Claim => "Claimed: the ticket is yours",
            TicketChange::Release => "Released: the ticket is unclaimed",
            TicketChange::Pending => "The ticket is pending (waiting on the client)",
            TicketChange::Solve => "Solved",
        }
    }
}

/// A ticket change sent, with its key (kept until an answer shows the
/// outcome, so a retry cannot act twice).
#[derive(Debug, Clone)]
pub struct SentChange {
    pub req: ReqId,
    pub change: TicketChange,
    pub key: IdempotencyKey,
}

/// The pane's state. (No `Debug`: the conversation is PHI.)
pub struct TicketPane {
    pub id: TicketId,
    /// The ticket with its ETag, and the staff id of the one at the console.
    pub ticket: Remote<(Versioned<Ticket>, String)>,
    pub messages: Remote<Vec<TicketMessage>>,
    /// Lines scrolled past at the top of the conversation.
    pub scroll: u16,
    /// Claiming on open was tried (once per opening).
    pub claimed_on_open: bool,
    /// The change in flight, if any.
    pub sent: Option<SentChange>,
    /// A change asked for on a ticket someone else has: Enter acts anyway,
    /// Esc leaves it.
    pub confirm: Option<TicketChange>,
    /// A reveal on it went in the audit trail (once while it stays open;
    /// leaving it forgets).
    pub reveal_audited: bool,
}

/// What the app does after a ticket change's answer.
pub enum ChangeOutcome {
    /// Say this; read the ticket (and the queue) again when `reload`.
    Said { text: String, error: bool, reload: bool },
}

impl TicketPane {
    pub fn new(id: TicketId) -> Self {
        Self {
            id,
            ticket: Remote::default(),
            messages: Remote::default(),
            scroll: 0,
            claimed_on_open: false,
            sent: None,
            confirm: None,
            reveal_audited: false,
        }
    }

    /// Reads the ticket and its conversation (`t` and `m` the request ids).
    pub fn load(&mut self, t: ReqId, m: ReqId) -> Vec<Effect> {
        self.ticket.start(t);
        self.messages.start(m);
        vec![
            Effect::Portal(t, Request::Ticket { ticket_id: self.id.clone() }),
            Effect::Portal(m, Request::Messages { ticket_id: self.id.clone() }),
        ]
    }

    /// The ticket as read.
    pub fn ticket(&self) -> Option<&Ticket> {
        self.ticket.data.as_ref().map(|(t, _)| &t.value)
    }

    /// Who has the ticket when it is someone else.
    pub fn claimed_by_other(&self) -> Option<&str> {
        let (ticket, me) = self.ticket.data.as_ref()?;
        ticket.value.assignee.as_deref().filter(|who| *who != me.as_str())
    }

    /// Whether the ticket is read and nobody has it.
    pub fn unclaimed(&self) -> bool {
        self.ticket().is_some_and(|t| t.assignee.is_none())
    }

    /// Sends `change` (as request `req`), reusing the key of the same change
    /// whose outcome was never seen. `None` while the ticket is not read.
    pub fn send(&mut self, change: TicketChange, req: ReqId) -> Option<Effect> {
        let (ticket, me) = self.ticket.data.as_ref()?;
        let key = match self.sent.take() {
            Some(sent) if sent.change == change => sent.key,
            _ => IdempotencyKey::new(),
        };
        let request = Request::UpdateTicket {
            ticket_id: self.id.clone(),
            etag: ticket.etag.clone(),
            patch: change.patch(me),
            key: key.clone(),
        };
        self.sent = Some(SentChange { req, change, key });
        Some(Effect::Portal(req, request))
    }

    /// The answer to a change; `None` when it is not the one awaited.
    pub fn changed(&mut self, req: ReqId, result: Result<Versioned<Ticket>, PortalError>) -> Option<ChangeOutcome> {
        let sent = self.sent.as_ref().filter(|s| s.req == req)?.clone();
        let outcome = match result {
            Ok(ticket) => {
                self.sent = None;
                if let Some((old, _)) = self.ticket.data.as_mut() {
                    *old = ticket;
                }
                ChangeOutcome::Said { text: sent.change.done().to_owned(), error: false, reload: true }
            }
            Err(PortalError::Stale) => {
                self.sent = None;
                let text = match sent.change {
                    TicketChange::Claim => "Someone else just claimed this ticket: read again to see who".to_owned(),
                    other => format!("The ticket changed since it was read: not {}; read again", other.verb()),
                };
                ChangeOutcome::Said { text, error: true, reload: true }
            }
            Err(error) => {
                // The key stays while the outcome is unknown (a retry of the
                // same change reuses it).
                if !error.is_unreachable() && error.status().is_some() {
                    self.sent = None;
                }
                let text = format!("Could not {} the ticket: {error}", sent.change.verb());
                ChangeOutcome::Said { text, error: true, reload: false }
            }
        };
        Some(outcome)
    }

    /// Scrolls the conversation by `by` lines.
    pub fn scroll_by(&mut self, by: i32) {
        let to = i32::from(self.scroll).saturating_add(by).clamp(0, i32::from(u16::MAX));
        self.scroll = u16::try_from(to).unwrap_or(0);
    }
}

/// The first-response state: answered, due in, or breached since.
pub fn sla_cell(ticket: &Ticket, now: DateTime<Utc>) -> Cell {
    let cell = match (ticket.first_response_at, ticket.due_at) {
        (Some(_), _) => Cell::new("answered", Meaning::Ok),
        (None, Some(due)) if due <= now => {
            Cell::new(format!("SLA breached {}", crate::wording::ago(now - due)), Meaning::Danger)
        }
        (None, Some(due)) if due - now <= chrono::Duration::hours(1) => {
            Cell::new(format!("reply due in {}", short_age(due - now)), Meaning::Warning)
        }
        (None, Some(due)) => Cell::muted(format!("reply due in {}", short_age(due - now))),
        (None, None) => Cell::muted("no target"),
    };
    cell.badge()
}

/// Who a message is from, as the pane says it: drawn as its mark and word
/// (`◀ Client`), read out as a phrase (`From the client`). The person
/// asking is named by their role: a staff account's holder is a staff
/// member, not a client.
struct Byline {
    mark: &'static str,
    drawn: &'static str,
    said: &'static str,
    meaning: Meaning,
}

impl Byline {
    fn of(message: &TicketMessage, staff_account: bool) -> Self {
        let (mark, drawn, said, meaning) = match (message.visibility, message.author.kind) {
            (Visibility::Internal, _) => ("■", "Note", "Note", Meaning::Warning),
            (Visibility::Public, AuthorKind::Client) if staff_account => {
                ("◀", "Staff member", "From the staff member", Meaning::Info)
            }
            (Visibility::Public, AuthorKind::Client) => ("◀", "Client", "From the client", Meaning::Info),
            (Visibility::Public, AuthorKind::Staff) => ("▶", "Reply", "Reply", Meaning::Ok),
            (Visibility::Public, AuthorKind::System) => ("·", "Portal", "From the portal", Meaning::Muted),
        };
        Self { mark, drawn, said, meaning }
    }
}

/// A message's author as shown: agents' names are no PHI and show in
/// full; the person asking is masked (first letter) until revealed.
fn author_name(message: &TicketMessage, revealed: bool) -> Cell {
    let name = message.author.name.expose();
    match message.author.kind {
        AuthorKind::Client if !revealed => Cell::new(shown_name(name, false), Meaning::Masked),
        _ => Cell::text(shown(name).into_owned()),
    }
}

/// What the ticket is, in rows of the view model: where it came from, its
/// status, who has it, its age and its first-response target; then the
/// question asked before a change on someone else's ticket, or the change
/// under way.
fn about(pane: &TicketPane, now: DateTime<Utc>) -> Vec<VRow> {
    let mut about = Vec::new();
    match pane.ticket() {
        Some(t) => {
            let claim = match (&t.assignee, pane.claimed_by_other()) {
                (None, _) => Cell::new("unclaimed", Meaning::Warning),
                (Some(_), Some(other)) => Cell::new(format!("claimed by {}", shown(other)), Meaning::Danger),
                (Some(_), None) => Cell::new("yours", Meaning::Ok),
            };
            about.push(VRow::new(vec![
                Cell::text(t.channel.as_str()).low(),
                Cell::text(t.status.as_str()).must().continues(),
                claim.must().continues(),
                Cell::new(format!("{} old", short_age(now - t.opened_at)), Meaning::Countdown).low().continues(),
                sla_cell(t, now).continues(),
            ]));
        }
        None if pane.ticket.error.is_some() => {
            about.push(VRow::one(Cell::new("Could not read the ticket (R retries)", Meaning::Danger)))
        }
        None => about.push(VRow::one(Cell::muted("Reading the ticket…"))),
    }
    if let Some(change) = pane.confirm {
        let asked = match pane.claimed_by_other() {
            Some(who) => format!("Claimed by {}: {} anyway? Enter acts, Esc leaves it", shown(who), change.verb()),
            None => format!("{}? Enter does it, Esc leaves it", capitalised(change.verb())),
        };
        about.push(VRow::one(Cell::new(asked, Meaning::Warning).must()).id("asked"));
    } else if pane.sent.is_some() {
        about.push(VRow::one(Cell::new("Changing the ticket…", Meaning::Warning)).id("asked"));
    }
    about
}

/// The most characters of one message shown (a reply is at most 10,000).
const BODY_MAX: usize = 20_000;

/// A name as shown: masked (its first letter) unless revealed.
fn shown_name(name: &str, revealed: bool) -> String {
    if revealed {
        return shown(name).into_owned();
    }
    match name.chars().next() {
        Some(first) if !crate::sanitize::is_unsafe(first) => format!("{first}•••"),
        _ => "•••".to_owned(),
    }
}

/// One message as a row of the view model: who it is from (drawn as its
/// mark and word, read as a phrase), their name, when and how, then its
/// body as a block of its own lines (while masked, how long it is).
fn message_row(n: usize, message: &TicketMessage, staff_account: bool, revealed: bool, ui: &Ui<'_>) -> VRow {
    let from = Byline::of(message, staff_account);
    let body = if revealed {
        Cell::text(crate::sanitize::capped(message.body.expose(), BODY_MAX).into_owned()).block()
    } else {
        let chars = message.body.expose().chars().count();
        Cell::new(format!("••• {chars} characters (v reveals)"), Meaning::Masked).next_line()
    };
    VRow::new(vec![
        Cell::new(format!("{} {}", from.mark, from.drawn), from.meaning).mark().must(),
        author_name(message, revealed).must(),
        Cell::new(ui.when(crate::wording::ago(ui.now - message.at), message.at), Meaning::Countdown).continues(),
        Cell::muted(message.channel.as_str()).low().continues(),
        body.must(),
    ])
    .id(n.to_string())
    .label(from.said)
    .indent(0, 2)
}

/// What the conversation says while it has no message to show: none
/// yet, reading it, or that it could not be read.
fn conversation_said(pane: &TicketPane) -> Option<VRow> {
    let (text, meaning) = match pane.messages.data.as_deref() {
        Some([]) => ("No messages yet.", Meaning::Muted),
        Some(_) => return None,
        None if pane.messages.error.is_some() => ("Could not read the conversation (R retries)", Meaning::Danger),
        None => ("Reading the conversation…", Meaning::Muted),
    };
    Some(VRow::one(Cell::new(text, meaning)).id("conversation").wrapped(0, 0))
}

/// Draws the pane; `revealed` shows names and bodies.
pub fn render(pane: &TicketPane, revealed: bool, frame: &mut Frame<'_>, area: Rect, ui: &Ui<'_>) {
    let (theme, now) = (ui.theme, ui.now);
    let title = match pane.ticket() {
        Some(t) => format!(" {} · {} ", t.id, shown(&t.subject)),
        None => format!(" {} ", pane.id),
    };
    let block = Block::bordered().title(Span::styled(title, theme.title));
    // Only the rows in view are laid out (wrapped here, each continuation
    // keeping its body line's indent and quote marker); nothing past the
    // pane's bottom is built at all.
    let inner = block.inner(area);
    let mut lines = Rows::new(usize::from(pane.scroll), usize::from(inner.height), usize::from(inner.width));
    // What the ticket is, as the view model says it: a row too long for
    // the pane drops its least needed cells first (its age, then where it
    // came from), never its status, who has it or its reply target.
    for row in about(pane, now) {
        lines.take([crate::tui::view_model::line(&row, lines.width, theme)]);
    }
    lines.take([Line::default()]);
    match pane.messages.data.as_deref() {
        Some(messages) if !messages.is_empty() => {
            // The person asking is labelled by their role: a staff account's
            // holder is a staff member, not a client.
            let staff_account = pane.ticket().and_then(|t| t.account.as_ref()).is_some_and(|a| a.role == Role::Staff);
            // Newest first: the latest message is what the agent answers,
            // so it is never the one cut off on a small terminal.
            for (n, message) in messages.iter().enumerate().rev() {
                if lines.full() {
                    break;
                }
                let row = message_row(n, message, staff_account, revealed, ui);
                lines.take(crate::tui::view_model::lines(&row, lines.width, theme));
            }
        }
        _ => {
            if let Some(row) = conversation_said(pane) {
                lines.take(crate::tui::view_model::lines(&row, lines.width, theme));
            }
        }
    }
    frame.render_widget(Paragraph::new(lines.shown).block(block), area);
}

/// The pane's rows as laid out for a window of `height` rows from row
/// `top`: rows above it are counted, rows in it kept, and nothing after it
/// is laid out ([`Rows::full`]).
struct Rows {
    top: usize,
    bottom: usize,
    width: usize,
    /// Rows laid out so far (shown or scrolled past).
    row: usize,
    shown: Vec<Line<'static>>,
}

impl Rows {
    fn new(top: usize, height: usize, width: usize) -> Self {
        Self { top, bottom: top + height, width: width.max(1), row: 0, shown: Vec::new() }
    }

    /// Whether the window is full: what comes next is not shown.
    fn full(&self) -> bool {
        self.row >= self.bottom
    }

    /// Takes rows already wrapped, keeping those in the window.
    fn take(&mut self, rows: impl IntoIterator<Item = Line<'static>>) {
        for row in rows {
            if self.full() {
                return;
            }
            if self.row >= self.top {
                self.shown.push(row);
            }
            self.row += 1;
        }
    }
}

/// The lines the pane's content takes at `width` columns (without its
/// border): the ticket's line, a question or change under way, a gap, and
/// each message's heading and body (one line while masked).
pub fn wanted_height(pane: &TicketPane, revealed: bool, width: u16) -> u16 {
    let width = usize::from(width.max(1));
    let about = 1 + usize::from(pane.confirm.is_some() || pane.sent.is_some()) + 1;
    let messages: usize = match pane.messages.data.as_deref() {
        Some(messages) if !messages.is_empty() => messages
            .iter()
            .map(|m| {
                let body = if revealed {
                    crate::sanitize::capped(m.body.expose(), BODY_MAX)
                        .lines()
                        .map(|l| (l.chars().count() + 2).div_ceil(width).max(1))
                        .sum()
                } else {
                    1
                };
                1 + body
            })
            .sum(),
        _ => 1,
    };
    u16::try_from(about + messages).unwrap_or(u16::MAX)
}

/// `verb` with its first letter in capitals ("Solve").
fn capitalised(verb: &str) -> String {
    let mut chars = verb.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// What the ticket pane says, as data: the ticket's state, a question or
/// a change under way, then the conversation, a row a message (names and
/// bodies masked unless `revealed`, as drawn).
pub fn view(pane: &TicketPane, revealed: bool, ui: &Ui<'_>) -> ViewModel {
    let now = ui.now;
    let title = match pane.ticket() {
        Some(t) => format!("{} · {}", t.id, shown(&t.subject)),
        None => pane.id.to_string(),
    };
    let about = about(pane, now);
    let mut conversation = Vec::new();
    match pane.messages.data.as_deref() {
        Some(messages) if !messages.is_empty() => {
            let staff_account = pane.ticket().and_then(|t| t.account.as_ref()).is_some_and(|a| a.role == Role::Staff);
            conversation.extend(
                messages.iter().enumerate().map(|(n, message)| message_row(n, message, staff_account, revealed, ui)),
            );
        }
        _ => conversation.extend(conversation_said(pane)),
    }
    ViewModel::new(format!("Ticket {title}")).rows("", about).rows("Conversation", conversation)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phi::Phi;
    use crate::portal::model::{MessageAuthor, TicketChannel};
    use crate::tui::keymap::Keymap;
    use crate::tui::theme::Theme;

    fn message(n: usize, body: &str, at: DateTime<Utc>) -> TicketMessage {
        TicketMessage {
            id: format!("msg_{n}").as_str().into(),
            ticket_id: "T-1".into(),
            at,
            author: MessageAuthor { kind: AuthorKind::Client, id: "acc_1".into(), name: Phi::new("Rosa Novak".into()) },
            visibility: Visibility::Public,
            channel: TicketChannel::Email,
            body: Phi::new(body.to_owned()),
        }
    }

    /// The pane, revealed, drawn on a `width` x `height` TestBackend from
    /// row `scroll`, as rows of text (trailing blanks cut).
    fn drawn(bodies: &[&str], width: u16, height: u16, scroll: u16) -> Vec<String> {
        let now = DateTime::parse_from_rfc3339("2026-11-25T09:00:00Z").unwrap().to_utc();
        let mut pane = TicketPane::new("T-1".into());
        pane.messages.data = Some(bodies.iter().enumerate().map(|(n, b)| message(n, b, now)).collect());
        pane.scroll = scroll;
        let (theme, keys) = (Theme::plain(), Keymap::default());
        let ui = Ui { theme: &theme, keys: &keys, zone: crate::timezone::StaffZone::Utc, absolute_times: false, now };
        let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height)).unwrap();
        terminal.draw(|frame| render(&pane, true, frame, frame.area(), &ui)).unwrap();
        let buffer = terminal.backend().buffer();
        (0..height)
            .map(|y| {
                let row: String = (0..width).map(|x| buffer[(x, y)].symbol().to_owned()).collect();
                row.trim_end().to_owned()
            })
            .collect()
    }

    /// Issue 27: a wrapped conversation line keeps the body's indent and
    /// its "> " quote marker on every continuation; an indented line keeps
    /// its indent; short lines are drawn as before; no word is lost.
    #[test]
    fn wrapped_quoted_and_indented_lines_keep_their_marker_and_indent() {
        let quoted = format!("> {}", "word ".repeat(40).trim_end());
        assert_eq!(quoted.chars().count(), 2 + 199);
        let indented = format!("    - {}", "item ".repeat(20).trim_end());
        let body = format!("Short line.\n{quoted}\n{indented}\n>>nested quote {}", "deep ".repeat(12));
        let rows = drawn(&[&body], 42, 40, 0);
        let inside: Vec<&str> = rows.iter().map(|r| r.trim_start_matches('│').trim_end_matches('│')).collect();
        let start = inside.iter().position(|r| r.trim_end() == "  Short line.").expect("the short line as before");
        let quote_rows: Vec<&str> = inside[start + 1..].iter().copied().take_while(|r| r.starts_with("  > ")).collect();
        assert!(quote_rows.len() >= 5, "the quote wraps, marker on every row: {rows:#?}");
        let words: Vec<&str> = quote_rows.iter().flat_map(|r| r["  > ".len()..].split_whitespace()).collect();
        assert_eq!(words.len(), 40, "no word lost or cut: {rows:#?}");
        assert!(words.iter().all(|w| *w == "word"), "{words:?}");
        let after = start + 1 + quote_rows.len();
        assert!(inside[after].starts_with("      - item"), "{rows:#?}");
        let item_rows: Vec<&str> =
            inside[after + 1..].iter().copied().take_while(|r| r.starts_with("      item")).collect();
        assert!(!item_rows.is_empty(), "continuations under the indent: {rows:#?}");
        let nested = after + 1 + item_rows.len();
        assert!(inside[nested].starts_with("  >> nested"), "{rows:#?}");
        assert!(inside[nested + 1].starts_with("  >> deep"), "{rows:#?}");
        // None wider than the pane (the border is drawn on every row).
        assert!(rows[1..rows.len() - 1].iter().all(|r| r.ends_with('│') || r.is_empty()), "{rows:#?}");
    }

    /// Newest first: on a pane too small for the whole conversation, the
    /// latest message is the one that shows.
    #[test]
    fn the_newest_message_comes_first_and_is_never_the_one_cut() {
        let rows = drawn(&["the first message", "the second message", "the latest message"], 60, 7, 0);
        let at = |text: &str| rows.iter().position(|r| r.contains(text));
        assert!(at("the latest message").is_some(), "{rows:#?}");
        assert!(at("the first message").is_none(), "the oldest gives way: {rows:#?}");
        let all = drawn(&["the first message", "the second message", "the latest message"], 60, 20, 0);
        let at = |text: &str| all.iter().position(|r| r.contains(text)).unwrap();
        assert!(
            at("the latest message") < at("the second message") && at("the second message") < at("the first message")
        );
    }

    /// Scrolled, the window shows the same rows as the whole laid out,
    /// from the row scrolled to.
    #[test]
    fn a_scrolled_pane_shows_the_rows_from_where_it_is_scrolled() {
        let quoted = format!("> {}", "word ".repeat(40).trim_end());
        let body = format!("{quoted}\n{quoted}");
        let whole = drawn(&[&body, &body], 42, 60, 0);
        let scrolled = drawn(&[&body, &body], 42, 12, 5);
        assert_eq!(&scrolled[1..11], &whole[6..16], "{scrolled:#?}");
    }
}
