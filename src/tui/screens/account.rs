//! The account: profile on the left, invite history on the right, and
//! below them the troubleshooting findings with the next step and the
//! canned reply. Email and DOB stay masked until revealed (`v`).

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use std::cell::Cell;

use super::{Typing, Ui, field, moved, state_symbol, truncate, wrap_indented};
use crate::diagnose::invite;
use crate::diagnose::link_invite::{self, MatchCode, PastedLink};
use crate::diagnose::replies::Replies;
use crate::diagnose::troubleshoot::{self, Case, ClientWords};
use crate::phi::{DOB_MASK, mask_email};
use crate::portal::PortalError;
use crate::portal::Versioned;
use crate::portal::model::{
    Account, AccountId, AuditEntry, Invite, InviteStatus, Page, Role, Ticket, TicketId, TicketStatus,
};
use crate::tui::action::{Action, ReqId};
use crate::tui::action::{Answer, Effect, Terminal};
use crate::tui::component::{Banner, Overlay};
use crate::tui::component::{Component, Cx, Outcome, Shared, Then};
use crate::tui::keymap::ScreenKind;
use crate::tui::remote::Remote;
use crate::tui::screens::addresses::AddressesState;
use crate::tui::screens::dob_compare::DobCompareState;
use crate::tui::screens::edit_dob::EditDobState;
use crate::tui::screens::resend::ResendState;
use crate::tui::screens::ticket::{ChangeOutcome, TicketChange, TicketPane};
use crate::tui::screens::ticket_picker::TicketPickerState;
use crate::tui::screens::timeline::TimelineState;

/// Lines a conversation scrolls by (J, K).
const SCROLL_STEP: i32 = 5;
use crate::tui::theme::Theme;
use crate::tui::view_model::{self, Meaning, Row as VRow, ViewModel};

/// How long a revealed email and DOB stay shown unless configured.
pub const REVEAL_FOR: std::time::Duration = std::time::Duration::from_secs(30);

/// An open account. (No `Debug`: it holds PHI.)
pub struct AccountState {
    pub id: AccountId,
    /// The ticket the account is worked for: every action carries it.
    pub ticket_id: Option<TicketId>,
    pub account: Remote<Versioned<Account>>,
    pub invites: Remote<Vec<Invite>>,
    pub audit: Remote<Vec<AuditEntry>>,
    /// Email and DOB shown in full, here and in every dialog over it.
    pub revealed: bool,
    /// The reveal's time ran out while a dialog showing PHI was in use: it
    /// masks when that dialog closes, never mid-dialog.
    pub reveal_expired: bool,
    /// What was typed in the DOB compare, kept when it closes so reopening
    /// it on this account finds it (dropped with the account, and at lock).
    pub dob_draft: String,
    /// What the client wrote in the ticket the account is worked for, read
    /// once each time its conversation is read: the findings cite it.
    pub words: ClientWords,
    /// The reveal in force: its timer (monotonic, so a change of the
    /// server's clock cannot stretch it) masks them again after the
    /// configured time ([`REVEAL_FOR`] by default).
    pub reveal: Option<ReqId>,
    pub selected_invite: usize,
    /// The audit trail shown in place of the findings (`u`); at 140
    /// columns and more both show side by side unless it is set.
    pub show_audit: bool,
    /// How far the findings are scrolled (PageDown, PageUp, the wheel).
    pub findings_scroll: u16,
    /// The furthest the findings can scroll, as last drawn.
    pub findings_max: Cell<u16>,
    /// A link the client pasted (pasted on this screen), matched to the
    /// invites when the findings are drawn. Holds no token.
    pub pasted: Option<PastedLink>,
    /// The client's visits to the invite page and the DOBs it refused, from
    /// the live events: the findings read them (the refusals of the last
    /// minute come first).
    pub on_page: troubleshoot::OnPage,
    /// The ticket pane, when the account was opened from a ticket (the
    /// ticket screen).
    pub ticket: Option<TicketPane>,
    /// Opened from search: the read of its tickets (to tie it to its open
    /// ticket), in flight.
    pub attach: Option<ReqId>,
}

impl AccountState {
    pub fn new(id: AccountId, ticket_id: Option<TicketId>) -> Self {
        Self {
            id,
            ticket_id,
            account: Remote::default(),
            invites: Remote::default(),
            audit: Remote::default(),
            revealed: false,
            reveal_expired: false,
            dob_draft: String::new(),
            words: ClientWords::default(),
            reveal: None,
            selected_invite: 0,
            show_audit: false,
            findings_scroll: 0,
            findings_max: Cell::new(0),
            pasted: None,
            on_page: troubleshoot::OnPage::default(),
            ticket: None,
            attach: None,
        }
    }

    /// Reads the ticket pane's ticket and conversation again.
    fn load_ticket(&mut self, cx: &mut Cx<'_>) -> Vec<Effect> {
        let (t, m) = (cx.req(), cx.req());
        self.ticket.as_mut().map(|pane| pane.load(t, m)).unwrap_or_default()
    }

    /// The tickets of an account opened from search: one open → attached
    /// (the pane shows, read once the account is); several → the agent
    /// picks; none → the account alone.
    fn attach_found(&mut self, result: Result<Page<Ticket>, PortalError>, cx: &mut Cx<'_>) -> Outcome {
        if self.ticket_id.is_some() || self.ticket.is_some() || !cx.in_front {
            return Outcome::none();
        }
        let page = match result {
            Ok(page) => page,
            Err(error) => {
                return Outcome::banner(Banner::error(format!("Could not read the account's tickets: {error}")));
            }
        };
        let open: Vec<Ticket> =
            page.items.into_iter().filter(|t| t.account_id == self.id && t.status != TicketStatus::Solved).collect();
        match open.as_slice() {
            [] => Outcome::none(),
            [one] => Outcome::then(Then::AttachTicket(one.id.clone())),
            _ => Outcome::then(Then::Open(TicketPickerState::new(open).into())),
        }
    }

    /// Opens a dialog that changes the account as read (made from it and
    /// its ticket), or says it is still loading.
    fn open_on_account(&self, open: impl FnOnce(Versioned<Account>, Option<TicketId>) -> Overlay) -> Outcome {
        match &self.account.data {
            Some(base) => Outcome::then(Then::Open(open(base.clone(), self.ticket_id.clone()))),
            None => Outcome::banner(Banner::error("The account is still loading")),
        }
    }

    /// The ticket pane's own keys; `None` when the action is not one.
    fn on_ticket_action(&mut self, action: Action, cx: &mut Cx<'_>) -> Option<Outcome> {
        let pane = self.ticket.as_mut()?;
        if let Some(change) = pane.confirm.take() {
            return Some(match action {
                Action::Open | Action::Confirm => self.send_ticket_change(change, true, cx.req()),
                _ => Outcome::banner(Banner::ok(format!("Left as it is: not {}", change.verb()))),
            });
        }
        let change = match action {
            Action::Claim => TicketChange::Claim,
            Action::Release => TicketChange::Release,
            Action::Pending => TicketChange::Pending,
            Action::Solve => TicketChange::Solve,
            Action::ConversationDown | Action::ConversationUp => {
                pane.scroll_by(if action == Action::ConversationDown { SCROLL_STEP } else { -SCROLL_STEP });
                return Some(Outcome::none());
            }
            _ => return None,
        };
        Some(self.send_ticket_change(change, false, cx.req()))
    }

    /// Sends a change to the ticket (as request `req`); on a ticket someone
    /// else has, or to solve it, asks first unless `anyway`.
    pub fn send_ticket_change(&mut self, change: TicketChange, anyway: bool, req: ReqId) -> Outcome {
        let Some(pane) = self.ticket.as_mut() else {
            return Outcome::none();
        };
        if pane.sent.is_some() {
            return Outcome::banner(Banner::error("A change to the ticket is under way"));
        }
        // Solving asks first on any ticket (it leaves the queue); every
        // change on someone else's ticket does.
        if !anyway && (pane.claimed_by_other().is_some() || change == TicketChange::Solve) {
            pane.confirm = Some(change);
            return Outcome::none();
        }
        match pane.send(change, req) {
            Some(effect) => Outcome::effects(vec![effect]),
            None => Outcome::banner(Banner::error("The ticket is still loading")),
        }
    }

    /// Where the account and its ticket pane go on `body`: side by side
    /// when wide; when narrow, the pane below, as tall as its conversation
    /// needs up to half the screen, so the findings get what the pane does
    /// not use. Without a pane, the account takes it all.
    pub fn areas(&self, body: Rect) -> (Rect, Option<Rect>) {
        use ratatui::layout::{Constraint, Layout};
        let Some(pane) = &self.ticket else {
            return (body, None);
        };
        let [a, b] = if body.width >= 120 {
            // The pane reads well at 48 columns and more; past that the width
            // goes to the account, so its invite lines keep their expiry whole.
            let pane = (body.width * 7 / 20).clamp(48, body.width / 2);
            Layout::horizontal([Constraint::Fill(1), Constraint::Length(pane)]).areas(body)
        } else {
            let wanted =
                super::ticket::wanted_height(pane, self.revealed, body.width.saturating_sub(2)).saturating_add(2);
            let height = wanted.clamp(6.min(body.height / 2), body.height / 2);
            Layout::vertical([Constraint::Fill(1), Constraint::Length(height)]).areas(body)
        };
        (a, Some(b))
    }

    /// Scrolls the findings `by` lines down (or up), within what they hold.
    pub fn scroll_findings(&mut self, down: bool, by: u16) {
        let max = self.findings_max.get();
        self.findings_scroll = match down {
            true => self.findings_scroll.saturating_add(by).min(max),
            false => self.findings_scroll.min(max).saturating_sub(by),
        };
    }

    /// A link the client pasted: it shows first among the findings.
    pub fn paste_link(&mut self, text: &str) {
        self.pasted = Some(link_invite::read_pasted(text));
        self.findings_scroll = 0;
    }

    fn invite_list(&self) -> &[Invite] {
        self.invites.data.as_deref().unwrap_or_default()
    }

    /// The invite under the cursor.
    pub fn selected(&self) -> Option<&Invite> {
        self.invite_list().get(self.selected_invite)
    }

    pub fn role(&self) -> Option<Role> {
        self.account.data.as_ref().map(|a| a.value.role)
    }

    pub fn navigate(&mut self, action: Action) {
        self.selected_invite = moved(self.selected_invite, self.invite_list().len(), action);
    }

    pub fn clamp(&mut self) {
        self.selected_invite = self.selected_invite.min(self.invite_list().len().saturating_sub(1));
    }

    pub fn has_countdown(&self) -> bool {
        self.invite_list().iter().any(|i| i.status == InviteStatus::Pending)
    }

    /// A resend succeeded: the new invite goes on top at once, and earlier
    /// pending ones read as superseded until the history is read back.
    pub fn insert_new_invite(&mut self, invite: Invite) {
        let list = self.invites.data.get_or_insert_with(Vec::new);
        for earlier in list.iter_mut().filter(|i| i.status == InviteStatus::Pending && i.expires_at > invite.sent_at) {
            earlier.status = InviteStatus::Superseded;
        }
        list.retain(|i| i.id != invite.id);
        list.insert(0, invite);
        self.selected_invite = 0;
    }

    /// `v`: reveal (as reveal `id`) or mask again. Returns whether they
    /// are now shown.
    pub fn toggle_reveal(&mut self, id: ReqId) -> bool {
        self.revealed = !self.revealed;
        self.reveal = self.revealed.then_some(id);
        self.reveal_expired = false;
        self.revealed
    }

    /// Masks email and DOB again.
    pub fn mask(&mut self) {
        self.revealed = false;
        self.reveal = None;
        self.reveal_expired = false;
    }

    /// The time of reveal `id` is over while a dialog showing PHI is in
    /// use: it masks when the dialog closes ([`AccountState::mask_if_expired`]).
    pub fn reveal_over_later(&mut self, id: ReqId) {
        if self.reveal == Some(id) {
            self.reveal_expired = true;
        }
    }

    /// Masks if the reveal's time ran out meanwhile.
    pub fn mask_if_expired(&mut self) {
        if self.reveal_expired {
            self.mask();
        }
    }

    /// The time of reveal `id` is over: mask again, unless that reveal was
    /// already ended (masked by hand, then perhaps revealed anew). Returns
    /// whether it masked.
    pub fn reveal_over(&mut self, id: ReqId) -> bool {
        let due = self.reveal == Some(id);
        if due {
            self.mask();
        }
        due
    }

    /// The reply of the main finding, to copy (`y`); `None` until the
    /// account and its invites have loaded.
    /// It is written to the client, so it names their address in full,
    /// whatever the screen shows.
    pub fn main_reply(&self, replies: &Replies, now: DateTime<Utc>) -> Option<crate::phi::Phi<String>> {
        let case = self.case(now)?.revealed(true);
        troubleshoot::troubleshoot(&case, replies).into_iter().next().map(|f| f.reply)
    }

    /// What the findings are computed from: the account, its invites and
    /// audit trail as last read, what the client wrote in the ticket,
    /// addresses as the screen shows them.
    pub fn case(&self, now: DateTime<Utc>) -> Option<Case<'_>> {
        let account = &self.account.data.as_ref()?.value;
        let invites = self.invites.data.as_deref()?;
        let audit = self.audit.data.as_deref().unwrap_or_default();
        let case = Case::new(account, invites, now).with_audit(audit).with_words(&self.words);
        Some(case.with_on_page(&self.on_page).revealed(self.revealed))
    }

    /// The ticket pane's conversation was read: what the client wrote in
    /// it is read once, for the findings.
    pub fn read_ticket_words(&mut self, now: DateTime<Utc>) {
        if let Some(messages) = self.ticket.as_ref().and_then(|p| p.messages.data.as_deref()) {
            self.words = ClientWords::of(messages, now.date_naive());
        }
    }

    /// The findings on screen; `None` until the account and its invites
    /// have loaded.
    pub fn findings(&self, replies: &Replies, now: DateTime<Utc>) -> Option<Vec<troubleshoot::Finding>> {
        Some(troubleshoot::troubleshoot(&self.case(now)?, replies))
    }

    /// Every address the account has or had (its invites went to), for
    /// showing masked audit summaries in full when revealed.
    fn known_addresses(&self) -> Vec<&str> {
        let mut all: Vec<&str> = Vec::new();
        if let Some(account) = self.account.data.as_ref().map(|a| &a.value) {
            all.push(account.email.expose());
            all.extend(account.emails.iter().map(|e| e.address.expose().as_str()));
        }
        all.extend(self.invite_list().iter().map(|i| i.sent_to.expose().as_str()));
        all.sort_unstable();
        all.dedup();
        all
    }

    /// A text from the portal with masked addresses (an audit summary) as
    /// shown: while revealed, each mask that stands for exactly one address
    /// the account has or had is written in full.
    pub fn unmasked(&self, text: &str) -> String {
        if !self.revealed {
            return text.to_owned();
        }
        let known = self.known_addresses();
        let mut out = text.to_owned();
        for address in &known {
            let mask = mask_email(address);
            if known.iter().filter(|a| mask_email(a) == mask).count() == 1 {
                out = out.replace(&mask, address);
            }
        }
        out
    }

    /// The email as shown: masked unless revealed.
    pub fn shown_email(&self, email: &str) -> String {
        let email = super::shown(email);
        if self.revealed { email.into_owned() } else { mask_email(&email) }
    }
}

/// Where the account screen's panels go in its body area.
struct Areas {
    profile: Rect,
    invites: Rect,
    /// The findings, unless the trail shows in their place (`u`).
    findings: Option<Rect>,
    /// The audit trail, where it has room (or `u` asked for it).
    audit: Option<Rect>,
}

/// Lines the profile shows besides its addresses (name, role, phone, DOB,
/// created, id, a gap and the reveal hint), plus its borders.
const PROFILE_LINES: u16 = 8 + 2;

fn areas(body: Rect, state: &AccountState) -> Areas {
    let account = state.account.data.as_ref().map(|a| &a.value);
    let addresses = account.map_or(1, |a| 1 + a.other_emails().count());
    let addresses = u16::try_from(addresses).unwrap_or(u16::MAX);
    let invites = u16::try_from(state.invite_list().len().max(1) * INVITE_LINES).unwrap_or(u16::MAX);
    // The top panels take what their content needs, up to a share of the
    // screen; the findings get the rest.
    let wanted = PROFILE_LINES.saturating_add(addresses).max(invites.saturating_add(2));
    let cap = match body.height {
        40.. => body.height * 11 / 20,
        20.. => body.height / 2,
        // Small terminals: the findings and the reply come first.
        _ => body.height * 2 / 5,
    };
    let top_height = wanted.min(cap).max(3.min(body.height));
    let [top, bottom] = Layout::vertical([Constraint::Length(top_height), Constraint::Fill(1)]).areas(body);
    let profile_width = if body.width >= 120 {
        // Wide enough for the longest address in full (as when revealed)
        // with its `★ default` mark, within a third of the screen.
        let longest = account.map_or(0, |a| {
            std::iter::once(a.email.expose().chars().count())
                .chain(a.other_emails().map(|e| e.expose().chars().count()))
                .max()
                .unwrap_or(0)
        });
        let needed = u16::try_from(longest.min(super::SHOWN_MAX) + 9 + 10 + 2).unwrap_or(u16::MAX);
        needed.clamp(44, (body.width / 3).max(44))
    } else if body.width >= 90 {
        // Beside a ticket pane: room for the addresses as they show now
        // (masked or revealed), within two fifths, and the invites the rest
        // (their expiry with its zone).
        let longest = account.map_or(0, |a| {
            std::iter::once(state.shown_email(a.email.expose()).chars().count())
                .chain(a.other_emails().map(|e| state.shown_email(e.expose()).chars().count()))
                .max()
                .unwrap_or(0)
        });
        let needed = u16::try_from(longest.min(super::SHOWN_MAX) + 9 + 10 + 2).unwrap_or(u16::MAX);
        needed.clamp(32, (body.width * 2 / 5).max(32))
    } else if body.width >= 70 {
        32
    } else {
        body.width * 2 / 5
    };
    let [profile, invites] = Layout::horizontal([Constraint::Length(profile_width), Constraint::Fill(1)]).areas(top);
    let (findings, audit) = if state.show_audit {
        (None, Some(bottom))
    } else if body.width >= 140 {
        let [findings, audit] = Layout::horizontal([Constraint::Fill(2), Constraint::Fill(1)]).areas(bottom);
        (Some(findings), Some(audit))
    } else if bottom.height >= 24 {
        // Tall but narrow (beside a ticket pane): the trail goes under the
        // findings rather than leaving their panel half empty.
        let [findings, audit] = Layout::vertical([Constraint::Fill(2), Constraint::Fill(1)]).areas(bottom);
        (Some(findings), Some(audit))
    } else {
        (Some(bottom), None)
    };
    Areas { profile, invites, findings, audit }
}

/// Whether a screen position is on the findings panel (the wheel scrolls
/// them there).
pub fn on_findings(body: Rect, state: &AccountState, column: u16, row: u16) -> bool {
    let Some(area) = areas(body, state).findings else { return false };
    column >= area.x && column < area.right() && row >= area.y && row < area.bottom()
}

/// The lines a page of the findings scrolls by, for a terminal of `size`.
pub fn findings_page(body: Rect, state: &AccountState) -> u16 {
    areas(body, state).findings.map_or(1, |a| a.height.saturating_sub(3).max(1))
}

/// Lines each invite takes in the history.
const INVITE_LINES: usize = 3;

/// The first history line shown, so the selected invite is in view.
fn invites_scroll(selected: usize, visible: usize) -> usize {
    if visible < INVITE_LINES {
        // Too small for a whole invite: its first line (state, countdown).
        return selected * INVITE_LINES;
    }
    (selected * INVITE_LINES + INVITE_LINES).saturating_sub(visible)
}

/// The invite at a screen position, for mouse clicks.
pub fn invite_at(body: Rect, state: &AccountState, column: u16, row: u16) -> Option<usize> {
    let area = areas(body, state).invites;
    let inside = column > area.x && column < area.right() && row > area.y && row < area.bottom().saturating_sub(1);
    if !inside {
        return None;
    }
    let visible = area.height.saturating_sub(2) as usize;
    let line = (row - area.y - 1) as usize + invites_scroll(state.selected_invite, visible);
    let index = line / INVITE_LINES;
    (index < state.invite_list().len()).then_some(index)
}

/// Draws the account screen.
pub fn render(state: &AccountState, replies: &Replies, frame: &mut Frame<'_>, area: Rect, ui: &Ui<'_>) {
    let (theme, now) = (ui.theme, ui.now);
    let Some(account) = state.account.data.as_ref().map(|a| &a.value) else {
        let text = match &state.account.error {
            Some(error) => Line::styled(
                format!(
                    "Could not load {}: {error}. Press {} to retry, Esc to go back.",
                    state.id,
                    ui.keys.key_of(ScreenKind::Account, Action::Refresh)
                ),
                theme.danger,
            ),
            None => Line::styled(format!("Loading {}…", state.id), theme.muted),
        };
        frame.render_widget(Paragraph::new(text).block(Block::bordered()), area);
        return;
    };
    let areas = areas(area, state);
    render_profile(state, account, frame, areas.profile, theme, now);
    render_invites(state, account.role, frame, areas.invites, ui);
    if let Some(findings) = areas.findings {
        render_findings(state, account, replies, frame, findings, ui);
    }
    match (areas.audit, areas.findings) {
        (Some(audit), _) => render_audit(state, frame, audit, ui),
        (None, Some(findings)) => render_audit_hint(frame, findings, ui),
        (None, None) => {}
    }
}

/// `u: audit trail` on the findings' top border, where the trail has no
/// room beside them.
fn render_audit_hint(frame: &mut Frame<'_>, area: Rect, ui: &Ui<'_>) {
    let hint = format!(" {}: audit trail ", ui.keys.key_of(ScreenKind::Account, Action::Audit));
    let line = Rect::new(area.x.saturating_add(1), area.y, area.width.saturating_sub(3), area.height.min(1));
    frame.render_widget(Paragraph::new(Line::styled(hint, ui.theme.muted).right_aligned()), line);
}

fn render_profile(
    state: &AccountState,
    account: &Account,
    frame: &mut Frame<'_>,
    area: Rect,
    theme: &Theme,
    now: DateTime<Utc>,
) {
    let dob = if state.revealed { account.dob.expose().format("%m/%d/%Y").to_string() } else { DOB_MASK.to_owned() };
    let hidden = if state.revealed { theme.warn } else { theme.muted };
    let mut lines = vec![
        field("Name", super::full_name(account.first_name.expose(), account.last_name.expose()), theme, theme.title),
        field("Role", account.role.as_str(), theme, theme.text),
    ];
    // Every address, the default (where invites go) first and marked.
    let others: Vec<&str> = account.other_emails().map(|e| e.expose().as_str()).collect();
    let default_mark = if others.is_empty() { "" } else { " ★ default" };
    lines.push(field("Email", format!("{}{default_mark}", state.shown_email(account.email.expose())), theme, hidden));
    for other in others {
        lines.push(field("", state.shown_email(other), theme, hidden));
    }
    lines.extend([
        field("Phone", super::shown(account.phone.expose()).into_owned(), theme, theme.text),
        field("DOB", dob, theme, hidden),
        field("Created", created_words(account.created_at, now, area.width.saturating_sub(2)), theme, theme.text),
        field("Id", account.id.clone(), theme, theme.muted),
        Line::default(),
        Line::styled(if state.revealed { "v: mask email and DOB" } else { "v: reveal email and DOB" }, theme.muted),
    ]);
    let title = Span::styled(" Profile ", theme.title);
    frame.render_widget(Paragraph::new(lines).block(Block::bordered().title(title)), area);
}

fn render_invites(state: &AccountState, role: Role, frame: &mut Frame<'_>, area: Rect, ui: &Ui<'_>) {
    let (theme, now) = (ui.theme, ui.now);
    let list = state.invite_list();
    let title = format!(" Invites ({}) · {} links last {} ", list.len(), role.as_str(), invite::window_words(role));
    let block = Block::bordered().title(Span::styled(title, theme.title));
    if list.is_empty() {
        let text = match (&state.invites.error, state.invites.is_loading()) {
            (Some(error), _) => Line::styled(format!("Could not load invites: {error}"), theme.danger),
            (None, true) => Line::styled("Loading invites…", theme.muted),
            (None, false) => Line::styled(
                format!(
                    "No invite was ever sent. Press {} to send one.",
                    ui.keys.key_of(ScreenKind::Account, Action::Resend)
                ),
                theme.warn,
            ),
        };
        frame.render_widget(Paragraph::new(text).block(block), area);
        return;
    }
    let inner_width = area.width.saturating_sub(4) as usize;
    let mut lines: Vec<Line<'_>> = Vec::new();
    for (n, i) in list.iter().enumerate() {
        let state_now = invite::state(i, role, now);
        let style = theme.invite(state_now);
        let marker = if n == state.selected_invite { "▶ " } else { "  " };
        // The state's word is said once (`✕ expired  3 days ago`, not
        // `✕ expired expired 3 days ago`).
        let countdown = invite::countdown(i, role, now);
        let countdown =
            countdown.strip_prefix(state_now.label()).map_or(countdown.as_str(), str::trim_start).to_owned();
        // The state's word and its countdown always have a space between
        // them (`◐ expiring soon 1m 11s`).
        lines.push(Line::from(vec![
            Span::styled(marker, theme.key),
            Span::styled(format!("{} {:<14}", state_symbol(state_now), state_now.label()), style),
            Span::styled(countdown, style),
            Span::styled(format!("  {}", i.id), theme.muted),
        ]));
        lines.push(Line::styled(sent_line(state, i, inner_width, ui), theme.text));
        lines.push(opens_line(i, inner_width, now, theme));
    }
    let scroll = invites_scroll(state.selected_invite, area.height.saturating_sub(2) as usize);
    frame.render_widget(Paragraph::new(lines).scroll((scroll as u16, 0)).block(block), area);
}

/// A finding's text in the console's words: the DOB is edited with the
/// console's key, not a button of the web portal.
pub fn console_words(text: &str, keys: &crate::tui::keymap::Keymap) -> String {
    let key = keys.key_of(ScreenKind::Account, Action::EditDob);
    let mut out = text.to_owned();
    for edit in ["edit the DOB on file", "edit the DOB on the profile"] {
        if out.contains(edit) {
            out = out.replace(edit, &format!("{edit} ({key})"));
        }
    }
    out
}

fn render_findings(
    state: &AccountState,
    account: &Account,
    replies: &Replies,
    frame: &mut Frame<'_>,
    area: Rect,
    ui: &Ui<'_>,
) {
    let (theme, now) = (ui.theme, ui.now);
    let title = Span::styled(" Why they cannot get in · what to do · what to say ", theme.title);
    let Some(invites) = state.invites.data.as_deref() else {
        let waiting = Line::styled("Waiting for the invite history…", theme.muted);
        frame.render_widget(Paragraph::new(waiting).block(Block::bordered().title(title)), area);
        return;
    };
    let width = usize::from(area.width.saturating_sub(2));
    let visible = area.height.saturating_sub(2);
    let findings = state.findings(replies, now).unwrap_or_default();
    let mut lines: Vec<Line<'static>> = Vec::new();
    // A link the client pasted comes first: it is what the call is about.
    if let Some(pasted) = &state.pasted {
        let found = link_invite::match_invites(pasted, invites, account.role, now, ui.zone);
        let style = if found.code == MatchCode::NewestWorks { theme.ok } else { theme.warn };
        lines.extend(wrap_indented(
            vec![
                Span::styled("⇲ pasted link ", style.add_modifier(ratatui::style::Modifier::BOLD)),
                Span::styled(found.message, theme.text),
            ],
            width,
            2,
        ));
        for wrapped in pasted.link.iter().filter(|f| f.code == crate::diagnose::pasted_link::LinkFindingCode::Wrapped) {
            lines.extend(wrap_indented(
                vec![Span::styled("  ", theme.muted), Span::styled(wrapped.message.clone(), theme.muted)],
                width,
                4,
            ));
        }
    }
    // Where the main finding would not fit whole, its reply comes before
    // its next step, so a small terminal still shows what to say.
    let compact = visible < 8;
    for (n, finding) in findings.iter().enumerate() {
        let symbol = if finding.code == troubleshoot::FindingCode::InviteWorking { "✓" } else { "!" };
        let style = if n == 0 { theme.warn } else { theme.text };
        let head = wrap_indented(
            vec![
                Span::styled(
                    format!("{symbol} {} ", finding.code.as_str()),
                    style.add_modifier(ratatui::style::Modifier::BOLD),
                ),
                Span::styled(console_words(&finding.explanation, ui.keys), theme.text),
            ],
            width,
            2,
        );
        let next = wrap_indented(
            vec![Span::styled("  → ", theme.key), Span::styled(console_words(&finding.next_step, ui.keys), theme.text)],
            width,
            4,
        );
        // The reply for the main finding comes right under it, so it shows
        // even on a small terminal.
        let say = (n == 0).then(|| {
            wrap_indented(
                vec![Span::styled("  Say: ", theme.muted), Span::styled(finding.reply.expose().clone(), theme.info)],
                width,
                7,
            )
        });
        lines.extend(head);
        match say {
            Some(say) if compact => {
                lines.extend(say);
                lines.extend(next);
            }
            say => {
                lines.extend(next);
                lines.extend(say.into_iter().flatten());
            }
        }
    }
    let total = u16::try_from(lines.len()).unwrap_or(u16::MAX);
    let max = total.saturating_sub(visible);
    state.findings_max.set(max);
    let scroll = state.findings_scroll.min(max);
    let mut block = Block::bordered().title(title);
    if max > 0 {
        let below = total.saturating_sub(scroll.saturating_add(visible));
        let more = match (scroll > 0, below > 0) {
            (true, true) => format!(" ↑↓ {below} more · PgUp PgDn "),
            (false, _) => format!(" ↓ {below} more · PgDn "),
            (true, false) => " ↑ PgUp ".to_owned(),
        };
        block = block.title_bottom(Line::styled(more, theme.muted).right_aligned());
    }
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)).block(block), area);
}

/// The account's audit trail: every change, newest first. While it loads
/// or after a failed read it says so (the last entries read stay shown).
fn render_audit(state: &AccountState, frame: &mut Frame<'_>, area: Rect, ui: &Ui<'_>) {
    let (theme, now) = (ui.theme, ui.now);
    let toggle = ui.keys.key_of(ScreenKind::Account, Action::Audit);
    let back = if state.show_audit { format!(" {toggle}: back to the findings ") } else { String::new() };
    let block = Block::bordered()
        .title(Span::styled(" Audit trail ", theme.title))
        .title(Line::from(Span::styled(back, theme.muted)).right_aligned());
    let mut lines: Vec<Line<'_>> = Vec::new();
    if let Some(error) = &state.audit.error {
        let retry = ui.keys.key_of(ScreenKind::Account, Action::Refresh);
        lines.push(Line::styled(format!("Could not load the audit trail: {error} ({retry} retries)"), theme.danger));
    }
    match (state.audit.data.as_deref(), state.audit.is_loading()) {
        (None | Some([]), true) => lines.push(Line::styled("Loading the audit trail…", theme.muted)),
        (Some([]), false) if state.audit.error.is_none() => {
            lines.push(Line::styled("No changes recorded.", theme.muted));
        }
        (None | Some([]), false) => {}
        (Some(entries), _) => lines.extend(entries.iter().map(|e| {
            Line::from(vec![
                Span::styled(format!("{:>9} ", ui.when(invite::ago(now - e.at), e.at)), theme.muted),
                Span::styled(format!("{} ", super::shown(&e.actor)), theme.key),
                Span::styled(super::shown(&state.unmasked(&e.summary)).into_owned(), theme.text),
            ])
        })),
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }).block(block), area);
}

/// `to … · sent 11h ago · expires Nov 26 13:00 UTC`, shorter where it
/// would not fit in `width`: the expiry without its zone, then without the
/// expiry (the countdown above says it), rather than cut mid-word.
fn sent_line(state: &AccountState, i: &Invite, width: usize, ui: &Ui<'_>) -> String {
    let to = format!(
        "   to {} · sent {}",
        state.shown_email(i.sent_to.expose()),
        ui.when(invite::ago(ui.now - i.sent_at), i.sent_at)
    );
    let expires = ui.zone.short(i.expires_at);
    let without_zone = expires.rsplit_once(' ').map_or(expires.as_str(), |(head, _)| head);
    [format!("{to} · expires {expires}"), format!("{to} · expires {without_zone}"), to]
        .into_iter()
        .find(|line| line.chars().count() <= width)
        .unwrap_or_else(|| {
            let short =
                format!("   to {} · sent {}", state.shown_email(i.sent_to.expose()), invite::ago(ui.now - i.sent_at));
            truncate(&short, width)
        })
}

/// `opens 2 · DOB failures 0 · queued 11h ago, delivered 11h ago` in
/// `width` columns; where it does not fit, the latest delivery event alone
/// (`· bounced 11h ago`), then `DOB fails`, rather than cut mid-word.
fn opens_line(i: &Invite, width: usize, now: DateTime<Utc>, theme: &Theme) -> Line<'static> {
    let failures = if i.dob_failures > 0 { theme.danger } else { theme.text };
    let opens = format!("   opens {}{} · ", i.link_opens, scanner_note(i));
    let events: Vec<String> =
        i.delivery.iter().map(|e| format!("{} {}", e.event.as_str(), invite::ago(now - e.at))).collect();
    let all = if events.is_empty() { String::new() } else { format!(" · {}", events.join(", ")) };
    let latest = events.last().map(|e| format!(" · {e}")).unwrap_or_default();
    let long = format!("DOB failures {}", i.dob_failures);
    let short = format!("DOB fails {}", i.dob_failures);
    let fits = |dob: &str, events: &str| opens.chars().count() + dob.chars().count() + events.chars().count() <= width;
    let (dob, events) = [(&long, &all), (&long, &latest), (&short, &latest)]
        .into_iter()
        .find(|(dob, events)| fits(dob, events))
        .map_or_else(
            || {
                let room = width.saturating_sub(opens.chars().count() + short.chars().count());
                (short.clone(), truncate(&latest, room))
            },
            |(dob, events)| (dob.clone(), events.clone()),
        );
    Line::from(vec![Span::styled(opens, theme.text), Span::styled(dob, failures), Span::styled(events, theme.muted)])
}

/// ` (2 by a mail scanner)` when scanners opened the link.
fn scanner_note(invite: &Invite) -> String {
    let scanners = crate::diagnose::visit::classify_invite(invite)
        .iter()
        .filter(|v| v.kind == crate::diagnose::visit::VisitKind::Scanner)
        .count();
    if scanners == 0 { String::new() } else { format!(" ({scanners} by a mail scanner)") }
}

/// `2025-10-31 (389 days ago)`, or where that does not fit in `width`
/// columns after its label, `2025-10-31 (389d ago)`.
fn created_words(created: DateTime<Utc>, now: DateTime<Utc>, width: u16) -> String {
    let long = format!("{} ({})", created.format("%Y-%m-%d"), invite::ago(now - created));
    if long.chars().count() + 9 <= usize::from(width) {
        long
    } else {
        format!("{} ({} ago)", created.format("%Y-%m-%d"), super::short_age(now - created))
    }
}

/// A masked or revealed value as a view model's cell.
fn phi_cell(text: String, revealed: bool) -> view_model::Cell {
    view_model::Cell::new(text, if revealed { Meaning::Text } else { Meaning::Masked }).must()
}

/// What the account screen says, as data: the profile, the invites, the
/// findings with what to do and say, and the audit trail. Masked as drawn.
pub fn view(state: &AccountState, replies: &Replies, ui: &Ui<'_>) -> ViewModel {
    let now = ui.now;
    let model = ViewModel::new(match &state.ticket_id {
        Some(ticket) => format!("Account · ticket {ticket}"),
        None => "Account".to_owned(),
    });
    let Some(account) = state.account.data.as_ref().map(|a| &a.value) else {
        let row = match &state.account.error {
            Some(error) => view_model::Cell::new(format!("Could not load {}: {error}", state.id), Meaning::Danger),
            None => view_model::Cell::muted(format!("Loading {}…", state.id)),
        };
        return model.rows("", vec![VRow::one(row)]);
    };
    let revealed = state.revealed;
    let mut profile = vec![
        VRow::field(
            "Name",
            view_model::Cell::text(super::full_name(account.first_name.expose(), account.last_name.expose())).must(),
        ),
        VRow::field("Role", view_model::Cell::text(account.role.as_str())),
    ];
    let others: Vec<&str> = account.other_emails().map(|e| e.expose().as_str()).collect();
    let default_mark = if others.is_empty() { "" } else { " (default)" };
    profile.push(VRow::field(
        "Email",
        phi_cell(format!("{}{default_mark}", state.shown_email(account.email.expose())), revealed),
    ));
    for other in others {
        profile.push(VRow::field("Other email", phi_cell(state.shown_email(other), revealed)));
    }
    let dob = if revealed { account.dob.expose().format("%m/%d/%Y").to_string() } else { DOB_MASK.to_owned() };
    profile.extend([
        VRow::field("Phone", view_model::Cell::text(super::shown(account.phone.expose()))),
        VRow::field("DOB", phi_cell(dob, revealed)),
        VRow::new(vec![
            view_model::Cell::muted("Created"),
            view_model::Cell::text(account.created_at.format("%Y-%m-%d").to_string()),
            view_model::Cell::new(invite::ago(now - account.created_at), Meaning::Countdown).low(),
        ]),
        VRow::field("Id", view_model::Cell::muted(account.id.as_str())),
    ]);
    let role = account.role;
    let list = state.invite_list();
    let invites_title =
        format!("Invites ({}) · {} links last {}", list.len(), role.as_str(), invite::window_words(role));
    let invites: Vec<VRow> = if list.is_empty() {
        let cell = match (&state.invites.error, state.invites.is_loading()) {
            (Some(error), _) => view_model::Cell::new(format!("Could not load invites: {error}"), Meaning::Danger),
            (None, true) => view_model::Cell::muted("Loading invites…"),
            (None, false) => view_model::Cell::new(
                format!(
                    "No invite was ever sent. Press {} to send one.",
                    ui.keys.key_of(ScreenKind::Account, Action::Resend)
                ),
                Meaning::Warning,
            ),
        };
        vec![VRow::one(cell)]
    } else {
        list.iter()
            .enumerate()
            .map(|(n, i)| {
                let state_now = invite::state(i, role, now);
                let countdown = invite::countdown(i, role, now);
                let countdown =
                    countdown.strip_prefix(state_now.label()).map_or(countdown.as_str(), str::trim_start).to_owned();
                let opens = opens_line(i, usize::MAX, now, ui.theme).to_string();
                VRow::new(vec![
                    view_model::Cell::new(state_now.label(), Meaning::State(state_now)).must(),
                    view_model::Cell::new(countdown, Meaning::Countdown).must(),
                    view_model::Cell::text(sent_line(state, i, usize::MAX, ui).trim().to_owned()),
                    view_model::Cell::text(opens.trim().to_owned()).low(),
                    view_model::Cell::muted(i.id.as_str()).low(),
                ])
                .id(i.id.as_str())
                .label(format!("Invite {} of {}", n + 1, list.len()))
                .selected(n == state.selected_invite)
            })
            .collect()
    };
    let mut findings_rows = Vec::new();
    match state.invites.data.as_deref() {
        None => findings_rows.push(VRow::one(view_model::Cell::muted("Waiting for the invite history…"))),
        Some(invites) => {
            if let Some(pasted) = &state.pasted {
                let found = link_invite::match_invites(pasted, invites, account.role, now, ui.zone);
                let meaning = if found.code == MatchCode::NewestWorks { Meaning::Ok } else { Meaning::Warning };
                findings_rows.push(VRow::new(vec![
                    view_model::Cell::new("Pasted link", meaning),
                    view_model::Cell::text(found.message).must(),
                ]));
            }
            for (n, finding) in state.findings(replies, now).unwrap_or_default().into_iter().enumerate() {
                let meaning = if n == 0 { Meaning::Warning } else { Meaning::Text };
                findings_rows.push(
                    VRow::new(vec![
                        view_model::Cell::new(finding.code.as_str(), meaning).must(),
                        view_model::Cell::text(console_words(&finding.explanation, ui.keys)).must(),
                    ])
                    .id(finding.code.as_str())
                    .label(if n == 0 { "Finding" } else { "Also" }),
                );
                findings_rows.push(
                    VRow::field("Do", view_model::Cell::text(console_words(&finding.next_step, ui.keys)).must())
                        .id(format!("{}-do", finding.code.as_str())),
                );
                if n == 0 {
                    findings_rows.push(
                        VRow::field("Say", view_model::Cell::text(finding.reply.expose().clone()).must())
                            .id(format!("{}-say", finding.code.as_str())),
                    );
                }
            }
        }
    }
    let mut audit = Vec::new();
    if let Some(error) = &state.audit.error {
        audit.push(VRow::one(view_model::Cell::new(
            format!("Could not load the audit trail: {error}"),
            Meaning::Danger,
        )));
    }
    match (state.audit.data.as_deref(), state.audit.is_loading()) {
        (None | Some([]), true) => audit.push(VRow::one(view_model::Cell::muted("Loading the audit trail…"))),
        (Some([]), false) if state.audit.error.is_none() => {
            audit.push(VRow::one(view_model::Cell::muted("No changes recorded.")));
        }
        (None | Some([]), false) => {}
        (Some(entries), _) => audit.extend(entries.iter().map(|e| {
            VRow::new(vec![
                view_model::Cell::new(ui.when(invite::ago(now - e.at), e.at), Meaning::Countdown),
                view_model::Cell::new(super::shown(&e.actor), Meaning::Key),
                view_model::Cell::text(super::shown(&state.unmasked(&e.summary))),
            ])
            .id(format!("audit {}", e.seq))
        })),
    }
    model
        .rows("Profile", profile)
        .rows(invites_title, invites)
        .rows("Why they cannot get in · what to do · what to say", findings_rows)
        .rows("Audit trail", audit)
}

impl Component for AccountState {
    fn screen(&self) -> ScreenKind {
        if self.ticket.is_some() { ScreenKind::Ticket } else { ScreenKind::Account }
    }

    fn countdown(&self) -> Option<bool> {
        Some(self.has_countdown())
    }

    fn loading(&self) -> bool {
        self.account.is_loading()
            || self.invites.is_loading()
            || self.ticket.as_ref().is_some_and(|t| t.ticket.is_loading() || t.messages.is_loading())
    }

    /// Keeps which account, ticket, invite and panel; read again on
    /// unlocking, the ticket never claimed a second time.
    fn lock(&mut self) {
        let mut account = AccountState::new(self.id.clone(), self.ticket_id.clone());
        account.selected_invite = self.selected_invite;
        account.show_audit = self.show_audit;
        account.ticket = self.ticket.as_ref().map(|old| {
            let mut pane = TicketPane::new(old.id.clone());
            pane.claimed_on_open = true;
            pane
        });
        *self = account;
    }

    /// The account's keys, and its ticket pane's when it has one. Dialogs
    /// open over it (made from the account as read); what is beyond it
    /// (the next ticket, reading it again) is asked of the app.
    fn on_action(&mut self, action: Action, cx: &mut Cx<'_>) -> Outcome {
        if let Some(outcome) = self.on_ticket_action(action, cx) {
            return outcome;
        }
        let open = |dialog: Overlay| Outcome::then(Then::Open(dialog));
        match action {
            Action::Back => Outcome::close(),
            Action::Reply => super::reply::open(Some(self), self.ticket.as_ref(), cx.replies, cx.now, cx.req()),
            Action::Copy => match self.main_reply(cx.replies, cx.now) {
                Some(reply) => {
                    Outcome::effects(vec![Effect::Terminal(Terminal::Copy { what: "the reply", text: reply })])
                }
                None => Outcome::banner(Banner::error("Nothing to copy until the account has loaded")),
            },
            Action::Note => super::note::open(self.ticket_id.clone()),
            Action::Open => {
                self.selected().map_or_else(Outcome::none, |i| open(TimelineState::new(i.id.clone()).into()))
            }
            Action::Revoke => super::revoke::open(self.selected().map(|i| (i.id.clone(), i.status))),
            Action::Fix => {
                let pane = self.ticket.as_ref().filter(|p| self.ticket_id.as_ref() == Some(&p.id));
                let conversation = pane.and_then(|p| p.messages.data.as_deref());
                let claimed_by = pane.and_then(|p| p.claimed_by_other());
                super::fix::open(self, conversation, claimed_by, cx.replies, cx.now)
            }
            Action::Addresses => self.open_on_account(|base, ticket| AddressesState::new(base, ticket).into()),
            Action::EditDob => self.open_on_account(|base, ticket| EditDobState::new(base, ticket).into()),
            Action::Resend => open(ResendState::default().into()),
            Action::DobCompare => open(DobCompareState::open(self).into()),
            Action::Audit => {
                self.show_audit = !self.show_audit;
                Outcome::none()
            }
            Action::PageDown | Action::PageUp => {
                let page = findings_page(self.areas(cx.body).0, self);
                self.scroll_findings(action == Action::PageDown, page);
                Outcome::none()
            }
            Action::Refresh => Outcome::then(Then::ReloadAccount),
            Action::NextTicket => Outcome::then(Then::NextTicket(self.ticket_id.clone())),
            other => {
                self.navigate(other);
                Outcome::none()
            }
        }
    }

    /// Its reads (the account, its invites and audit trail), its ticket
    /// pane's reads and changes, and the read of its tickets when opened
    /// from search.
    fn owns(&self, req: ReqId, answer: &Answer) -> bool {
        let pane = self.ticket.as_ref();
        match answer {
            Answer::Account(_) => self.account.pending == Some(req),
            Answer::Invites(_) => self.invites.pending == Some(req),
            Answer::Tickets(_) => self.attach == Some(req),
            Answer::Audit(_) => self.audit.pending == Some(req),
            Answer::Ticket(_) => pane.is_some_and(|p| p.ticket.pending == Some(req)),
            Answer::Messages(_) => pane.is_some_and(|p| p.messages.pending == Some(req)),
            Answer::UpdateTicket(_) => pane.and_then(|p| p.sent.as_ref()).is_some_and(|s| s.req == req),
            _ => false,
        }
    }

    fn on_answer(&mut self, req: ReqId, answer: Answer, cx: &mut Cx<'_>) -> Option<Outcome> {
        match answer {
            Answer::Account(result) => {
                let taken = self.account.finish(req, result);
                let mut outcome = Outcome::none();
                // Opened from a ticket: the pane is read once the account is.
                if taken
                    && self
                        .ticket
                        .as_ref()
                        .is_some_and(|p| !p.ticket.is_loading() && p.ticket.data.is_none() && p.ticket.error.is_none())
                {
                    outcome.effects = self.load_ticket(cx);
                }
                // The dialog over it may be waiting for it.
                if let (true, Some(account)) = (taken, &self.account.data) {
                    outcome.then.push(Then::AccountRead(account.clone()));
                }
                taken.then_some(outcome)
            }
            Answer::Invites(result) => {
                let taken = self.invites.finish(req, result);
                self.clamp();
                taken.then(|| Outcome::then(Then::InvitesRead))
            }
            Answer::Tickets(result) => {
                self.attach = None;
                Some(self.attach_found(result, cx))
            }
            Answer::Audit(result) => self.audit.finish(req, result).then(Outcome::none),
            Answer::Ticket(result) => {
                let taken = self.ticket.as_mut().is_some_and(|p| p.ticket.finish(req, result.map(|read| *read)));
                taken.then(|| Outcome::then(Then::ClaimOnOpen))
            }
            Answer::Messages(result) => {
                let taken = self.ticket.as_mut().is_some_and(|p| p.messages.finish(req, result));
                // The findings cite what the client wrote: read it once here.
                if taken {
                    self.read_ticket_words(cx.now);
                }
                taken.then(Outcome::none)
            }
            Answer::UpdateTicket(result) => {
                let said = self.ticket.as_mut().and_then(|p| p.changed(req, result.map(|ticket| *ticket)));
                let Some(ChangeOutcome::Said { text, error, reload }) = said else {
                    return None;
                };
                let mut outcome = Outcome::banner(Banner { text, error });
                if reload {
                    outcome.effects = self.load_ticket(cx);
                    outcome.then.push(Then::ReloadQueue);
                }
                Some(outcome)
            }
            _ => None,
        }
    }

    /// A link the client pasted, matched to the invites.
    fn on_typing(&mut self, typing: Typing<'_>, _cx: &mut Cx<'_>) -> Option<Vec<Effect>> {
        match typing {
            Typing::Paste(text) => {
                self.paste_link(text);
                Some(Vec::new())
            }
            Typing::Key(_) => None,
        }
    }

    /// On the findings the wheel scrolls them; elsewhere it moves through
    /// the invites.
    fn wheel(&mut self, action: Action, column: u16, row: u16, cx: &mut Cx<'_>) -> Outcome {
        let body = self.areas(cx.body).0;
        if on_findings(body, self, column, row) {
            self.scroll_findings(action == Action::Down, 3);
        } else {
            self.navigate(action);
        }
        Outcome::none()
    }

    fn click(&mut self, body: Rect, column: u16, row: u16) {
        if let Some(index) = invite_at(self.areas(body).0, self, column, row) {
            self.selected_invite = index;
        }
    }

    fn render(&self, frame: &mut Frame<'_>, body: Rect, shared: &Shared<'_>) {
        let (left, right) = self.areas(body);
        render(self, shared.replies, frame, left, shared.ui);
        if let (Some(pane), Some(right)) = (&self.ticket, right) {
            super::ticket::render(pane, self.revealed, frame, right, shared.ui);
        }
    }

    fn view(&self, shared: &Shared<'_>) -> Vec<ViewModel> {
        let mut views = vec![view(self, shared.replies, shared.ui)];
        if let Some(pane) = &self.ticket {
            views.push(super::ticket::view(pane, self.revealed, shared.ui));
        }
        views
    }
}
