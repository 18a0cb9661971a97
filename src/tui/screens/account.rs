//! The account: profile on the left, invite history on the right, and
//! below them the troubleshooting findings with the next step and the
//! canned reply. Email and DOB stay masked until revealed (`v`).

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use std::cell::Cell;

use super::{Typing, Ui, moved};
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
use crate::tui::view_model::{Cell as VCell, Join, Meaning, Panel, Priority, Row as VRow, Section, ViewModel};

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

/// The account screen's panels, as data: what the drawn console and
/// `--plain` both say, masked as drawn.
struct Panels {
    profile: Section,
    invites: Section,
    /// Why they cannot get in, what to do, what to say.
    findings: Section,
    audit: Section,
}

/// The title of the findings' panel.
const FINDINGS: &str = "Why they cannot get in · what to do · what to say";

/// A label in the profile's column of labels.
fn label(text: &str) -> VCell {
    VCell::muted(text).width(8).must()
}

/// The account's panels (its data is loaded).
fn panels(state: &AccountState, account: &Account, replies: &Replies, ui: &Ui<'_>) -> Panels {
    Panels {
        profile: Section::new("Profile", profile_rows(state, account, ui)),
        invites: invites_section(state, account, ui, ..),
        findings: Section::new(FINDINGS, finding_rows(state, account, replies, ui)),
        audit: Section::new("Audit trail", audit_rows(state, ui)),
    }
}

/// The invites' panel: how many, and how long the role's links last; the
/// invites in `shown` (the console builds only those in view).
fn invites_section(
    state: &AccountState,
    account: &Account,
    ui: &Ui<'_>,
    shown: impl std::ops::RangeBounds<usize>,
) -> Section {
    let title = format!(
        "Invites ({}) · {} links last {}",
        state.invite_list().len(),
        account.role.as_str(),
        invite::window_words(account.role)
    );
    Section::new(title, invite_rows(state, account.role, ui, shown))
}

/// What the screen says while the account is not read: loading, or why
/// it could not be read and how to retry.
fn unread_row(state: &AccountState, ui: &Ui<'_>) -> VRow {
    let cell = match &state.account.error {
        Some(error) => VCell::new(
            format!(
                "Could not load {}: {error}. Press {} to retry, Esc to go back.",
                state.id,
                ui.keys.key_of(ScreenKind::Account, Action::Refresh)
            ),
            Meaning::Danger,
        ),
        None => VCell::muted(format!("Loading {}…", state.id)),
    };
    VRow::one(cell).id("unread").wrapped(0, 0)
}

/// Name, role, every address (the default, where invites go, first and
/// marked), phone, DOB, created, id, and how to reveal or mask.
fn profile_rows(state: &AccountState, account: &Account, ui: &Ui<'_>) -> Vec<VRow> {
    let now = ui.now;
    let hidden = if state.revealed { Meaning::Revealed } else { Meaning::Masked };
    let value = |text: String| VCell::new(text, hidden).must();
    let others: Vec<&str> = account.other_emails().map(|e| e.expose().as_str()).collect();
    let mut email = vec![label("Email"), value(state.shown_email(account.email.expose()))];
    if !others.is_empty() {
        email.extend([VCell::new("★", hidden).mark().low(), VCell::new("default", hidden).low()]);
    }
    let mut rows = vec![
        VRow::new(vec![
            label("Name"),
            VCell::new(super::full_name(account.first_name.expose(), account.last_name.expose()), Meaning::Heading)
                .must(),
        ]),
        VRow::new(vec![label("Role"), VCell::text(account.role.as_str()).must()]),
        VRow::new(email),
    ];
    rows.extend(
        others
            .into_iter()
            .map(|other| VRow::new(vec![label(""), value(state.shown_email(other))]).label("Other email")),
    );
    let dob = if state.revealed { account.dob.expose().format("%m/%d/%Y").to_string() } else { DOB_MASK.to_owned() };
    let created = account.created_at.format("%Y-%m-%d");
    let age = now - account.created_at;
    let reveal = ui.keys.key_of(ScreenKind::Account, Action::Reveal);
    rows.extend([
        VRow::new(vec![label("Phone"), VCell::text(super::shown(account.phone.expose())).must()]),
        VRow::new(vec![label("DOB"), value(dob)]),
        VRow::new(vec![
            label("Created"),
            VCell::text(format!("{created} ({})", invite::ago(age)))
                .or_short(format!("{created} ({} ago)", super::short_age(age)))
                .must(),
        ]),
        VRow::new(vec![label("Id"), VCell::muted(account.id.as_str()).must()]),
        VRow::default(),
        VRow::one(VCell::muted(if state.revealed {
            format!("{reveal}: mask email and DOB")
        } else {
            format!("{reveal}: reveal email and DOB")
        })),
    ]);
    rows
}

/// Each invite, newest first, on three lines: its state and countdown;
/// where it went, when, and when it expires; who opened it and what the
/// mail system said. Or why there are none.
fn invite_rows(state: &AccountState, role: Role, ui: &Ui<'_>, shown: impl std::ops::RangeBounds<usize>) -> Vec<VRow> {
    let now = ui.now;
    let list = state.invite_list();
    if list.is_empty() {
        let cell = match (&state.invites.error, state.invites.is_loading()) {
            (Some(error), _) => VCell::new(format!("Could not load invites: {error}"), Meaning::Danger),
            (None, true) => VCell::muted("Loading invites…"),
            (None, false) => VCell::new(
                format!(
                    "No invite was ever sent. Press {} to send one.",
                    ui.keys.key_of(ScreenKind::Account, Action::Resend)
                ),
                Meaning::Warning,
            ),
        };
        return vec![VRow::one(cell.must())];
    }
    list.iter()
        .enumerate()
        .filter(|(n, _)| shown.contains(n))
        .map(|(n, i)| {
            let state_now = invite::state(i, role, now);
            // The state's word is said once (`✕ expired  3 days ago`, not
            // `✕ expired expired 3 days ago`).
            let countdown = invite::countdown(i, role, now);
            let countdown =
                countdown.strip_prefix(state_now.label()).map_or(countdown.as_str(), str::trim_start).to_owned();
            let sent = invite::ago(now - i.sent_at);
            let expires = ui.zone.short(i.expires_at);
            let without_zone = expires.rsplit_once(' ').map_or(expires.as_str(), |(head, _)| head).to_owned();
            let failures = if i.dob_failures > 0 { Meaning::Danger } else { Meaning::Text };
            // Failed DOB entries are why a link may be locked: never dropped.
            let priority = if i.dob_failures > 0 { Priority::Must } else { Priority::Normal };
            let mut cells = vec![
                // Wide enough for the longest state, so countdowns line up.
                VCell::new(state_now.label(), Meaning::State(state_now)).must().width(15),
                VCell::new(countdown, Meaning::Countdown).must(),
                VCell::muted(i.id.as_str()).join(Join::Gap).low(),
                VCell::text(format!("to {}", state.shown_email(i.sent_to.expose()))).must().next_line(),
                VCell::text(format!("sent {}", ui.when(sent.clone(), i.sent_at)))
                    .or_short(format!("sent {sent}"))
                    .continues(),
                VCell::text(format!("expires {expires}")).or_short(format!("expires {without_zone}")).continues().low(),
                VCell::text(format!("opens {}{}", i.link_opens, scanner_note(i))).must().next_line(),
                VCell::new(format!("DOB failures {}", i.dob_failures), failures)
                    .or_short(format!("DOB fails {}", i.dob_failures))
                    .priority(priority)
                    .continues(),
            ];
            // What the mail system said: all of it, or the latest.
            let events: Vec<String> =
                i.delivery.iter().map(|e| format!("{} {}", e.event.as_str(), invite::ago(now - e.at))).collect();
            if let Some(latest) = events.last() {
                cells.push(VCell::muted(events.join(", ")).or_short(latest.clone()).continues().low());
            }
            VRow::new(cells)
                .id(i.id.as_str())
                .label(format!("Invite {} of {}", n + 1, list.len()))
                .selected(n == state.selected_invite)
                .indent(2, 3)
        })
        .collect()
}

/// A link the client pasted, matched to the invites (first: it is what
/// the call is about); then each finding with what to do, and for the main
/// one what to say.
fn finding_rows(state: &AccountState, account: &Account, replies: &Replies, ui: &Ui<'_>) -> Vec<VRow> {
    let now = ui.now;
    let Some(invites) = state.invites.data.as_deref() else {
        return vec![VRow::one(VCell::muted("Waiting for the invite history…"))];
    };
    let mut rows = Vec::new();
    if let Some(pasted) = &state.pasted {
        let found = link_invite::match_invites(pasted, invites, account.role, now, ui.zone);
        let meaning = if found.code == MatchCode::NewestWorks { Meaning::Ok } else { Meaning::Warning };
        rows.push(
            VRow::new(vec![VCell::new("⇲ pasted link", meaning).strong().mark(), VCell::text(found.message).must()])
                .label("Pasted link")
                .id("pasted")
                .wrapped(0, 2),
        );
        let wrapped = pasted.link.iter().filter(|f| f.code == crate::diagnose::pasted_link::LinkFindingCode::Wrapped);
        rows.extend(wrapped.map(|w| VRow::one(VCell::muted(w.message.clone())).id("pasted-wrapped").wrapped(2, 4)));
    }
    for (n, finding) in state.findings(replies, now).unwrap_or_default().into_iter().enumerate() {
        let code = finding.code.as_str();
        let symbol = if finding.code == troubleshoot::FindingCode::InviteWorking { "✓" } else { "!" };
        let meaning = if n == 0 { Meaning::Warning } else { Meaning::Text };
        rows.push(
            VRow::new(vec![
                VCell::new(symbol, meaning).strong().mark(),
                VCell::new(code, meaning).strong().must(),
                VCell::text(console_words(&finding.explanation, ui.keys)).must(),
            ])
            .id(code)
            .label(if n == 0 { "Finding" } else { "Also" })
            .wrapped(0, 2),
        );
        rows.push(
            VRow::new(vec![
                VCell::new("→", Meaning::Key).mark(),
                VCell::text(console_words(&finding.next_step, ui.keys)).must(),
            ])
            .id(format!("{code}-do"))
            .label("Do")
            .wrapped(2, 4),
        );
        if n == 0 {
            rows.push(
                VRow::new(vec![
                    VCell::muted("Say:").mark(),
                    VCell::new(finding.reply.expose().clone(), Meaning::Info).must(),
                ])
                .id(format!("{code}-say"))
                .label("Say")
                .wrapped(2, 7),
            );
        }
    }
    rows
}

/// Every change to the account, newest first; while it loads or after a
/// failed read it says so (the last entries read stay shown).
fn audit_rows(state: &AccountState, ui: &Ui<'_>) -> Vec<VRow> {
    let mut rows = Vec::new();
    if let Some(error) = &state.audit.error {
        let retry = ui.keys.key_of(ScreenKind::Account, Action::Refresh);
        rows.push(
            VRow::one(VCell::new(
                format!("Could not load the audit trail: {error} ({retry} retries)"),
                Meaning::Danger,
            ))
            .wrapped(0, 0),
        );
    }
    match (state.audit.data.as_deref(), state.audit.is_loading()) {
        (None | Some([]), true) => rows.push(VRow::one(VCell::muted("Loading the audit trail…")).wrapped(0, 0)),
        (Some([]), false) if state.audit.error.is_none() => {
            rows.push(VRow::one(VCell::muted("No changes recorded.")).wrapped(0, 0));
        }
        (None | Some([]), false) => {}
        (Some(entries), _) => rows.extend(entries.iter().map(|e| {
            VRow::new(vec![
                VCell::new(ui.when(invite::ago(ui.now - e.at), e.at), Meaning::Countdown).right(9),
                VCell::new(super::shown(&e.actor), Meaning::Key),
                VCell::text(super::shown(&state.unmasked(&e.summary))),
            ])
            .id(format!("audit {}", e.seq))
            .wrapped(0, 0)
        })),
    }
    rows
}

/// Draws the account screen from its panels: the profile and the invites
/// at the top, the findings below (scrolled, saying what is above and
/// below), the audit trail beside them or in their place.
pub fn render(state: &AccountState, frame: &mut Frame<'_>, area: Rect, shared: &Shared<'_>) {
    let (ui, replies) = (shared.ui, shared.replies);
    let theme = ui.theme;
    let Some(account) = state.account.data.as_ref().map(|a| &a.value) else {
        let said = Section::new("", vec![unread_row(state, ui)]);
        crate::tui::view_model::panel(&said, frame, area, theme, Panel::default());
        return;
    };
    // Only the panels shown are built (the audit trail or the findings
    // may be off screen).
    let areas = areas(area, state);
    let profile = Section::new("Profile", profile_rows(state, account, ui));
    shared.panel("profile", &profile, frame, areas.profile, Panel::default());
    // Only the invites in view are built: each takes INVITE_LINES lines.
    let visible = usize::from(areas.invites.height.saturating_sub(2));
    let scroll = invites_scroll(state.selected_invite, visible);
    let first = scroll / INVITE_LINES;
    let shown = first..first + (scroll % INVITE_LINES + visible).div_ceil(INVITE_LINES);
    let scroll = u16::try_from(scroll % INVITE_LINES).unwrap_or(u16::MAX);
    shared.panel(
        "invites",
        &invites_section(state, account, ui, shown),
        frame,
        areas.invites,
        Panel { scroll, ..Panel::default() },
    );
    let toggle = ui.keys.key_of(ScreenKind::Account, Action::Audit);
    if let Some(area) = areas.findings {
        let mut findings = Section::new(FINDINGS, finding_rows(state, account, replies, ui));
        if areas.audit.is_none() {
            findings = findings.aside(format!("{toggle}: audit trail"));
        }
        // Where the main finding would not fit whole, its reply comes
        // before its next step, so a small terminal still shows what to say.
        if area.height.saturating_sub(2) < 8 {
            let say = findings.rows.iter().position(|r| r.id.ends_with("-say"));
            let next = findings.rows.iter().position(|r| r.id.ends_with("-do"));
            if let (Some(say), Some(next)) = (say, next) {
                let row = findings.rows.remove(say);
                findings.rows.insert(next, row);
            }
        }
        let how = Panel { scroll: state.findings_scroll, more: true, ..Panel::default() };
        state.findings_max.set(shared.panel("findings", &findings, frame, area, how));
    }
    if let Some(area) = areas.audit {
        let mut audit = Section::new("Audit trail", audit_rows(state, ui));
        if state.show_audit {
            audit = audit.aside(format!("{toggle}: back to the findings"));
        }
        shared.panel("audit", &audit, frame, area, Panel::default());
    }
}

/// ` (2 by a mail scanner)` when scanners opened the link.
fn scanner_note(invite: &Invite) -> String {
    let scanners = crate::diagnose::visit::classify_invite(invite)
        .iter()
        .filter(|v| v.kind == crate::diagnose::visit::VisitKind::Scanner)
        .count();
    if scanners == 0 { String::new() } else { format!(" ({scanners} by a mail scanner)") }
}

/// What the account screen says, as data: the profile, the invites, the
/// findings with what to do and say, and the audit trail. Masked as drawn.
pub fn view(state: &AccountState, replies: &Replies, ui: &Ui<'_>) -> ViewModel {
    let model = ViewModel::new(match &state.ticket_id {
        Some(ticket) => format!("Account · ticket {ticket}"),
        None => "Account".to_owned(),
    });
    let Some(account) = state.account.data.as_ref().map(|a| &a.value) else {
        return model.rows("", vec![unread_row(state, ui)]);
    };
    let Panels { profile, invites, findings, audit } = panels(state, account, replies, ui);
    model.section(profile).section(invites).section(findings).section(audit)
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
        render(self, frame, left, shared);
        if let (Some(pane), Some(right)) = (&self.ticket, right) {
            super::ticket::render(pane, self.revealed, frame, right, shared.ui);
        }
    }

    fn model(&self, shared: &Shared<'_>) -> ViewModel {
        view(self, shared.replies, shared.ui)
    }

    /// The account, then its ticket pane.
    fn view(&self, shared: &Shared<'_>) -> Vec<ViewModel> {
        let mut views = vec![self.model(shared)];
        if let Some(pane) = &self.ticket {
            views.push(super::ticket::view(pane, self.revealed, shared.ui));
        }
        views
    }
}
