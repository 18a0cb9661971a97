//! The ticket pane: the ticket an account is worked for (subject, channel,
//! status, who has it, age and first-response badge) and its conversation,
//! scrollable. Client messages, replies and internal notes are told apart;
//! names and bodies stay masked until the account is revealed (`v`).

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::{Ui, short_age, shown};
use crate::portal::model::{AuthorKind, Role, Ticket, TicketId, TicketMessage, TicketPatch, TicketStatus, Visibility};
use crate::portal::{IdempotencyKey, PortalError, Versioned};
use crate::tui::action::{Effect, ReqId, Request};
use crate::tui::remote::Remote;
use crate::tui::theme::Theme;

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

/// The first-response badge: answered, due in, or breached since.
pub fn sla_badge<'a>(ticket: &Ticket, now: DateTime<Utc>, theme: &Theme) -> Span<'a> {
    match (ticket.first_response_at, ticket.due_at) {
        (Some(_), _) => Span::styled("✓ answered", theme.ok),
        (None, Some(due)) if due <= now => {
            Span::styled(format!("✕ SLA breached {}", crate::wording::ago(now - due)), theme.danger)
        }
        (None, Some(due)) if due - now <= chrono::Duration::hours(1) => {
            Span::styled(format!("⚠ reply due in {}", short_age(due - now)), theme.warn)
        }
        (None, Some(due)) => Span::styled(format!("reply due in {}", short_age(due - now)), theme.muted),
        (None, None) => Span::styled("no target", theme.muted),
    }
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

/// Draws the pane; `revealed` shows names and bodies.
pub fn render(pane: &TicketPane, revealed: bool, frame: &mut Frame<'_>, area: Rect, ui: &Ui<'_>) {
    let (theme, now) = (ui.theme, ui.now);
    let title = match pane.ticket() {
        Some(t) => format!(" {} · {} ", t.id, shown(&t.subject)),
        None => format!(" {} ", pane.id),
    };
    let block = Block::bordered().title(Span::styled(title, theme.title));
    let mut lines: Vec<Line<'_>> = Vec::new();
    match pane.ticket() {
        Some(t) => {
            let claim = match (&t.assignee, pane.claimed_by_other()) {
                (None, _) => Span::styled("unclaimed", theme.warn),
                (Some(_), Some(other)) => Span::styled(format!("claimed by {}", shown(other)), theme.danger),
                (Some(_), None) => Span::styled("yours", theme.ok),
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{} · {} · ", t.channel.as_str(), t.status.as_str()), theme.text),
                claim,
                Span::styled(format!(" · {} old · ", short_age(now - t.opened_at)), theme.muted),
                sla_badge(t, now, theme),
            ]));
        }
        None if pane.ticket.error.is_some() => {
            lines.push(Line::styled("Could not read the ticket (R retries)", theme.danger))
        }
        None => lines.push(Line::styled("Reading the ticket…", theme.muted)),
    }
    if let Some(change) = pane.confirm {
        let asked = match pane.claimed_by_other() {
            Some(who) => format!("Claimed by {}: {} anyway? Enter acts, Esc leaves it", shown(who), change.verb()),
            None => format!("{}? Enter does it, Esc leaves it", capitalised(change.verb())),
        };
        lines.push(Line::styled(asked, theme.warn));
    } else if pane.sent.is_some() {
        lines.push(Line::styled("Changing the ticket…", theme.warn));
    }
    lines.push(Line::default());
    match pane.messages.data.as_deref() {
        Some([]) => lines.push(Line::styled("No messages yet.", theme.muted)),
        Some(messages) => {
            // The person asking is labelled by their role: a staff account's
            // holder is a staff member, not a client.
            let staff_account = pane.ticket().and_then(|t| t.account.as_ref()).is_some_and(|a| a.role == Role::Staff);
            let requester = if staff_account { "◀ Staff member" } else { "◀ Client" };
            for message in messages {
                let (label, style) = match (message.visibility, message.author.kind) {
                    (Visibility::Internal, _) => ("■ Note", theme.warn),
                    (Visibility::Public, AuthorKind::Client) => (requester, theme.info),
                    (Visibility::Public, AuthorKind::Staff) => ("▶ Reply", theme.ok),
                    (Visibility::Public, AuthorKind::System) => ("· Portal", theme.muted),
                };
                // Agents' names are no PHI: in full; the person asking is
                // masked until revealed.
                let name = message.author.name.expose();
                let name = match message.author.kind {
                    AuthorKind::Client => shown_name(name, revealed),
                    AuthorKind::Staff | AuthorKind::System => shown(name).into_owned(),
                };
                let at = ui.when(crate::wording::ago(now - message.at), message.at);
                lines.push(Line::from(vec![
                    Span::styled(label, style),
                    Span::styled(format!(" {name} · {at} · {}", message.channel.as_str()), theme.muted),
                ]));
                if revealed {
                    for line in crate::sanitize::capped(message.body.expose(), BODY_MAX).lines() {
                        lines.push(Line::styled(format!("  {}", crate::sanitize::line(line)), theme.text));
                    }
                } else {
                    let chars = message.body.expose().chars().count();
                    lines.push(Line::styled(format!("  ••• {chars} characters (v reveals)"), theme.muted));
                }
            }
        }
        None if pane.messages.error.is_some() => {
            lines.push(Line::styled("Could not read the conversation (R retries)", theme.danger))
        }
        None => lines.push(Line::styled("Reading the conversation…", theme.muted)),
    }
    let paragraph = Paragraph::new(lines).block(block).wrap(Wrap { trim: false }).scroll((pane.scroll, 0));
    frame.render_widget(paragraph, area);
}

/// `verb` with its first letter in capitals ("Solve").
fn capitalised(verb: &str) -> String {
    let mut chars = verb.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
