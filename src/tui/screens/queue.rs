//! The queue: tickets, oldest first, with each account's latest invite and
//! its countdown. The first screen.
//!
//! **Filters.** Whose tickets (all, mine, unclaimed), their status and the
//! text typed after `/` go to the portal (`assignee`, `status`, `q` of
//! `GET /api/v1/tickets`). "Expiring soon" and "SLA breached" are decided
//! here, on the rows read, since the portal has no such filter; under them
//! pages are read until the rows shown fill the screen or the queue ends.
//!
//! **Thousands of tickets.** The queue is read a page at a time (`limit`,
//! `cursor`): the next page is asked for when the cursor comes within
//! [`AHEAD`] rows of the last row read. Only the rows on screen are drawn,
//! so a frame costs the same with 200 rows read or 10,000.

use chrono::{DateTime, Duration, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use tui_input::Input;

use super::{FIELD_MAX, Typing, Ui, invite_cell, layout, moved, short_age, shown, truncate};
use crate::portal::model::{AccountId, InviteStatus, Page, Ticket, TicketId, TicketStatus};
use crate::portal::{Assignee, Pager, PagingLimits, PortalError, TicketQuery};
use crate::tui::action::Answer;
use crate::tui::action::{Action, Effect, ReqId, Request};
use crate::tui::component::Banner;
use crate::tui::component::{Component, Cx, Outcome, Shared, Then};
use crate::tui::keymap::{ARROW_DOWN, ARROW_UP, ScreenKind, ScreenSpec, special};
use crate::tui::remote::Remote;
use crate::tui::view_model::{self, Meaning, Section, ViewModel};
use crossterm::event::KeyCode;

/// Tickets asked for per page.
pub const PAGE: u32 = 200;
/// The most a page may hold (the portal's limit): a re-read asks for as
/// many rows as were read, up to this, so the cursor keeps its place.
pub const MAX_PAGE: u32 = 500;
/// The next page is read when the cursor is this close to the last row.
pub const AHEAD: usize = 50;
/// "Expiring soon": the account's latest invite is pending and expires
/// within this (so every pending staff invite, which lasts 1 hour, counts).
pub const EXPIRING_WITHIN: Duration = Duration::hours(2);

/// Whose tickets the queue shows (the portal's `assignee`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Who {
    #[default]
    All,
    /// Claimed by the staff member at the console.
    Mine,
    Unclaimed,
}

/// A filter decided on the rows read (the portal has none like it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Only {
    /// The latest invite is pending and expires within [`EXPIRING_WITHIN`].
    ExpiringSoon,
    /// The first reply was due and has not been sent.
    SlaBreached,
}

impl Only {
    /// Whether `ticket` passes, at `now`.
    pub fn keeps(self, ticket: &Ticket, now: DateTime<Utc>) -> bool {
        match self {
            Only::ExpiringSoon => ticket.account.as_ref().and_then(|a| a.latest_invite.as_ref()).is_some_and(|i| {
                i.status == InviteStatus::Pending && i.expires_at > now && i.expires_at - now <= EXPIRING_WITHIN
            }),
            Only::SlaBreached => ticket.first_response_at.is_none() && ticket.due_at.is_some_and(|due| due <= now),
        }
    }

    fn words(self) -> &'static str {
        match self {
            Only::ExpiringSoon => "invite expiring within 2h",
            Only::SlaBreached => "SLA breached",
        }
    }
}

/// What the queue shows. (No `Debug` derive: the text may be a name.)
#[derive(Clone, PartialEq, Eq)]
pub struct QueueFilter {
    pub who: Who,
    /// `None`: every status.
    pub status: Option<TicketStatus>,
    pub only: Option<Only>,
    /// The text typed after `/`, as sent (`q`); empty for none.
    pub text: String,
}

impl Default for QueueFilter {
    fn default() -> Self {
        Self { who: Who::All, status: Some(TicketStatus::Open), only: None, text: String::new() }
    }
}

impl std::fmt::Debug for QueueFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueueFilter")
            .field("who", &self.who)
            .field("status", &self.status)
            .field("only", &self.only)
            .field("text", &format_args!("<{} chars>", self.text.chars().count()))
            .finish()
    }
}

impl QueueFilter {
    /// The portal's part of the filter, for one page.
    pub fn query(&self, limit: u32, cursor: Option<String>) -> TicketQuery {
        let assignee = match self.who {
            Who::All => None,
            Who::Mine => Some(Assignee::Me),
            Who::Unclaimed => Some(Assignee::Nobody),
        };
        let text = self.text.trim();
        TicketQuery {
            status: self.status,
            q: (!text.is_empty()).then(|| text.to_owned()),
            assignee,
            account_id: None,
            limit: Some(limit),
            cursor,
        }
    }

    /// The filter in words, after the status (empty for the default).
    fn words(&self) -> String {
        let mut words = String::new();
        match self.who {
            Who::All => {}
            Who::Mine => words.push_str(" · mine"),
            Who::Unclaimed => words.push_str(" · unclaimed"),
        }
        if let Some(only) = self.only {
            words.push_str(" · ");
            words.push_str(only.words());
        }
        let text = self.text.trim();
        if !text.is_empty() {
            words.push_str(&format!(" · “{}”", truncate(&shown(text), 24)));
        }
        words
    }
}

/// The status cycle of `s`: open, pending, solved, any.
fn next_status(status: Option<TicketStatus>) -> Option<TicketStatus> {
    match status {
        Some(TicketStatus::Open) => Some(TicketStatus::Pending),
        Some(TicketStatus::Pending) => Some(TicketStatus::Solved),
        Some(TicketStatus::Solved) => None,
        None => Some(TicketStatus::Open),
    }
}

/// A ticket id typed (`T-1021`, `t-1021`, ` T-1021 `), as the portal
/// writes it; `None` for anything else.
pub fn typed_ticket_id(text: &str) -> Option<TicketId> {
    let text = text.trim();
    let digits = text.strip_prefix(['T', 't'])?.strip_prefix('-')?;
    let ok = !digits.is_empty() && digits.len() <= 18 && digits.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| TicketId::new(format!("T-{digits}")))
}

/// What became of a page's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taken {
    /// Not a page the queue awaits.
    Stale,
    /// The first page (a fresh read).
    First,
    /// A further page, added below.
    More,
}

/// The queue's state. (No `Debug`: the filter text may be a name.)
#[derive(Default)]
pub struct QueueState {
    /// The rows read so far, in the queue's order.
    pub tickets: Remote<Vec<Ticket>>,
    /// The cursor, among the rows shown.
    pub selected: usize,
    pub filter: QueueFilter,
    /// Where the next page starts; `None` once the last one is read.
    pub next_cursor: Option<String>,
    /// The next page's request in flight.
    pub more: Option<ReqId>,
    /// Under a local filter ([`Only`]), the rows shown (indices into the
    /// rows read); `None` shows them all.
    shown: Option<Vec<usize>>,
    /// The `/` line.
    pub input: Input,
    /// Keys go into the `/` line.
    pub editing: bool,
    /// The newest text typed; only its debounce reads the queue.
    pub latest: ReqId,
    /// The first page changes the filter: the cursor goes to the top
    /// (otherwise it stays on its ticket).
    refiltered: bool,
    /// The ticket under the cursor when a re-read was asked for.
    keep: Option<TicketId>,
    /// A `T-1021` jump in flight: its request and the ticket asked for.
    pub jump: Option<(ReqId, TicketId)>,
    /// Tickets per page (a test may ask for fewer).
    pub page: Option<u32>,
    /// The paging guard of the read from the top in progress: a portal
    /// that keeps paging (a cursor sent before, too many pages or bytes)
    /// stops it, with the error shown.
    pager: Option<Pager>,
    /// The guard's limits (a test may ask for fewer).
    pub paging: Option<PagingLimits>,
}

impl QueueState {
    /// The keys of its `/` line, where typed text narrows the queue.
    pub const FILTER: ScreenSpec = ScreenSpec::new(
        "Queue",
        &[
            special(KeyCode::Enter, Action::Open, "done typing (a ticket id: open that ticket)", "done"),
            ARROW_DOWN,
            ARROW_UP,
            special(KeyCode::Tab, Action::SearchAccounts, "search accounts for the same text", "search accounts"),
            special(KeyCode::Esc, Action::Back, "clear the filter", "clear"),
        ],
    )
    .text();

    fn list(&self) -> &[Ticket] {
        self.tickets.data.as_deref().unwrap_or_default()
    }

    /// How many rows are shown.
    pub fn len(&self) -> usize {
        match &self.shown {
            Some(shown) => shown.len(),
            None => self.list().len(),
        }
    }

    /// Whether no row is shown.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The row shown at `index`.
    pub fn row(&self, index: usize) -> Option<&Ticket> {
        match &self.shown {
            Some(shown) => self.list().get(*shown.get(index)?),
            None => self.list().get(index),
        }
    }

    /// The ticket under the cursor.
    pub fn selected_ticket(&self) -> Option<&Ticket> {
        self.row(self.selected)
    }

    /// Whether every page has been read.
    pub fn complete(&self) -> bool {
        self.tickets.data.is_some() && self.next_cursor.is_none()
    }

    fn page_size(&self) -> u32 {
        let page = self.page.unwrap_or(PAGE).clamp(1, MAX_PAGE);
        // Under a local filter few rows of a page may show: read more at once.
        if self.filter.only.is_some() { MAX_PAGE.max(page) } else { page }
    }

    /// Reads the queue again from the top (`req`), as many rows as were
    /// read (at most [`MAX_PAGE`]), keeping the cursor on its ticket.
    pub fn reload(&mut self, req: ReqId) -> Effect {
        self.keep = self.selected_ticket().map(|t| t.id.clone());
        let read = u32::try_from(self.list().len()).unwrap_or(MAX_PAGE);
        let limit = read.clamp(self.page_size(), MAX_PAGE.max(self.page_size()));
        self.first_page(req, limit)
    }

    /// Reads the queue from the top under a changed filter: the cursor
    /// goes to the first row.
    fn restart(&mut self, req: ReqId) -> Effect {
        self.refiltered = true;
        self.keep = None;
        let limit = self.page_size();
        self.first_page(req, limit)
    }

    fn first_page(&mut self, req: ReqId, limit: u32) -> Effect {
        self.tickets.start(req);
        self.pager = Some(Pager::new(self.paging.unwrap_or_default()));
        // A page of the old read would not follow the new one.
        self.more = None;
        Effect::Portal(req, Request::Tickets { query: self.filter.query(limit, None) })
    }

    /// Whether the next page should be read now: the cursor is near the
    /// last row shown, there is one, and nothing is being read.
    pub fn wants_more(&self) -> bool {
        self.next_cursor.is_some()
            && self.more.is_none()
            && !self.tickets.is_loading()
            && self.tickets.error.is_none()
            && self.selected + AHEAD >= self.len()
    }

    /// Reads the next page (`req`), if [`Self::wants_more`].
    pub fn read_more(&mut self, req: ReqId) -> Option<Effect> {
        if !self.wants_more() {
            return None;
        }
        self.more = Some(req);
        let query = self.filter.query(self.page_size(), self.next_cursor.clone());
        Some(Effect::Portal(req, Request::Tickets { query }))
    }

    /// A page's answer, at `now` (for the local filters).
    pub fn take(&mut self, req: ReqId, result: Result<Page<Ticket>, PortalError>, now: DateTime<Utc>) -> Taken {
        if self.tickets.pending == Some(req) {
            let mut stopped = None;
            let result = result.map(|page| {
                (self.next_cursor, stopped) = self.next_page(page.bytes, page.next_cursor);
                page.items
            });
            self.tickets.finish(req, result);
            if stopped.is_some() {
                self.tickets.error = stopped;
            }
            self.refilter(now);
            let keep = self.keep.take();
            if std::mem::take(&mut self.refiltered) {
                self.selected = 0;
            } else if let Some(at) = keep.and_then(|id| self.position(&id)) {
                self.selected = at;
            }
            self.clamp();
            return Taken::First;
        }
        if self.more != Some(req) {
            return Taken::Stale;
        }
        self.more = None;
        match result {
            Ok(page) => {
                let stopped;
                (self.next_cursor, stopped) = self.next_page(page.bytes, page.next_cursor);
                let list = self.tickets.data.get_or_insert_with(Vec::new);
                let known: std::collections::HashSet<TicketId> = list.iter().map(|t| t.id.clone()).collect();
                list.extend(page.items.into_iter().filter(|t| !known.contains(&t.id)));
                self.tickets.error = stopped;
                let keep = self.selected_ticket().map(|t| t.id.clone());
                self.refilter(now);
                if let Some(at) = keep.and_then(|id| self.position(&id)) {
                    self.selected = at;
                }
            }
            Err(error) => self.tickets.error = Some(error),
        }
        Taken::More
    }

    /// The cursor of the page after one of `bytes` that named `next`, as
    /// the paging guard allows it: `None` at the end, or when the portal
    /// keeps paging (then with the error to show; no more is read).
    fn next_page(&mut self, bytes: usize, next: Option<String>) -> (Option<String>, Option<PortalError>) {
        let limits = self.paging.unwrap_or_default();
        match self.pager.get_or_insert_with(|| Pager::new(limits)).next(bytes, next) {
            Ok(next) => (next, None),
            Err(stopped) => (None, Some(stopped)),
        }
    }

    /// Reads the next page if the cursor came near the last row.
    fn more_if_wanted(&mut self, cx: &mut Cx<'_>) -> Outcome {
        if !self.wants_more() {
            return Outcome::none();
        }
        Outcome::effects(self.read_more(cx.req()).into_iter().collect())
    }

    /// Enter: the ticket under the cursor opens, with its account.
    fn open_selected(&self) -> Outcome {
        match self.selected_ticket() {
            Some(ticket) => Outcome::then(Then::OpenTicket(ticket.account_id.clone(), ticket.id.clone())),
            None => Outcome::none(),
        }
    }

    /// Keys bound in the `/` line (typing goes to its field).
    fn on_line_action(&mut self, action: Action, cx: &mut Cx<'_>) -> Outcome {
        match action {
            Action::Open => {
                if let Some(id) = typed_ticket_id(self.input.value()) {
                    // The id was a way to the ticket, not a filter.
                    let mut outcome = Outcome::effects(self.clear_text(cx.req()));
                    outcome.then.push(Then::JumpTo(id));
                    return outcome;
                }
                // Done typing: what is typed applies now, without waiting.
                self.editing = false;
                self.latest = 0;
                Outcome::effects(self.apply_text(cx.req()))
            }
            Action::Back => Outcome::effects(self.clear_text(cx.req())),
            Action::Up | Action::Down => {
                self.navigate(action);
                self.more_if_wanted(cx)
            }
            _ => Outcome::none(),
        }
    }

    /// The ticket of a `T-1021` jump was read (or not): its account opens
    /// with the ticket pane, or the banner says why not.
    fn jumped(&mut self, result: Result<Ticket, PortalError>) -> Outcome {
        let Some((_, id)) = self.jump.take() else {
            return Outcome::none();
        };
        match result {
            Ok(ticket) => Outcome::then(Then::OpenTicket(ticket.account_id, ticket.id)),
            Err(PortalError::NotFound { .. }) => {
                Outcome::banner(Banner::error(format!("No ticket {id}: check the number (T- then digits)")))
            }
            Err(error) => Outcome::banner(Banner::error(format!("Could not open {id}: {error}"))),
        }
    }

    /// Where a ticket is among the rows shown.
    fn position(&self, id: &TicketId) -> Option<usize> {
        (0..self.len()).find(|&i| self.row(i).is_some_and(|t| t.id == *id))
    }

    /// Decides the local filter again at `now`, the cursor staying on its
    /// ticket when it still shows.
    pub fn refilter(&mut self, now: DateTime<Utc>) {
        let keep = self.selected_ticket().map(|t| t.id.clone());
        self.shown = self
            .filter
            .only
            .map(|only| self.list().iter().enumerate().filter(|(_, t)| only.keeps(t, now)).map(|(i, _)| i).collect());
        if let Some(at) = keep.and_then(|id| self.position(&id)) {
            self.selected = at;
        }
        self.clamp();
    }

    /// Moves the cursor (`page` rows for PageDown and PageUp).
    pub fn navigate(&mut self, action: Action) {
        self.navigate_by(action, 10);
    }

    /// Moves the cursor, a page being `page` rows.
    pub fn navigate_by(&mut self, action: Action, page: usize) {
        let last = self.len().saturating_sub(1);
        self.selected = match action {
            Action::PageDown => (self.selected + page.max(1)).min(last),
            Action::PageUp => self.selected.saturating_sub(page.max(1)),
            other => moved(self.selected, self.len(), other),
        };
    }

    /// Keeps the cursor on a row after the list changed.
    pub fn clamp(&mut self) {
        self.selected = self.selected.min(self.len().saturating_sub(1));
    }

    /// `n`: the cursor to the next unclaimed ticket after it (wrapping).
    pub fn select_next_unclaimed(&mut self) {
        let n = self.len();
        if let Some(i) =
            (1..=n).map(|k| (self.selected + k) % n).find(|&i| self.row(i).is_some_and(|t| t.assignee.is_none()))
        {
            self.selected = i;
        }
    }

    /// The next unclaimed ticket after `ticket_id` (wrapping), as
    /// (account id, ticket id); the first unclaimed one when `None`.
    pub fn next_unclaimed_after(&self, ticket_id: Option<&TicketId>) -> Option<(AccountId, TicketId)> {
        let n = self.len();
        let start = ticket_id.and_then(|id| self.position(id));
        let order: Vec<usize> = match start {
            Some(s) => (1..n).map(|k| (s + k) % n).collect(),
            None => (0..n).collect(),
        };
        order
            .into_iter()
            .filter_map(|i| self.row(i))
            .find(|t| t.assignee.is_none())
            .map(|t| (t.account_id.clone(), t.id.clone()))
    }

    /// Whether any row shows a running countdown.
    pub fn has_countdown(&self) -> bool {
        self.list().iter().any(|t| {
            t.account
                .as_ref()
                .and_then(|a| a.latest_invite.as_ref())
                .is_some_and(|i| i.status == crate::portal::model::InviteStatus::Pending)
        })
    }

    /// A filter key: the filter changes and the queue is read from the top
    /// (`req`) when the portal's part changed; a local filter alone is
    /// decided on the rows read (and more are read if few show).
    pub fn set_filter(&mut self, action: Action, req: ReqId, now: DateTime<Utc>) -> Vec<Effect> {
        let before = self.filter.clone();
        let filter = &mut self.filter;
        match action {
            Action::FilterAll => {
                filter.who = Who::All;
                filter.only = None;
                filter.text.clear();
            }
            Action::FilterMine => filter.who = if filter.who == Who::Mine { Who::All } else { Who::Mine },
            Action::FilterUnclaimed => {
                filter.who = if filter.who == Who::Unclaimed { Who::All } else { Who::Unclaimed }
            }
            Action::FilterStatus => filter.status = next_status(filter.status),
            Action::FilterExpiring => filter.only = toggled(filter.only, Only::ExpiringSoon),
            Action::FilterBreached => filter.only = toggled(filter.only, Only::SlaBreached),
            _ => return Vec::new(),
        }
        if action == Action::FilterAll {
            self.input = Input::default();
            self.latest = 0;
        }
        let server = |f: &QueueFilter| (f.who, f.status, f.text.clone());
        if server(&before) != server(&self.filter) {
            return vec![self.restart(req)];
        }
        // A local filter alone: decided on the rows read (the pages read
        // from now on are larger while it is on).
        self.refilter(now);
        self.selected = 0;
        self.read_more(req).into_iter().collect()
    }

    /// What the lock keeps: the cursor and the filter, but no ticket and
    /// not the text typed (it may be a name).
    pub fn locked(&self) -> Self {
        let filter = QueueFilter { text: String::new(), ..self.filter.clone() };
        Self { selected: self.selected, filter, page: self.page, ..Self::default() }
    }

    /// `/`: keys go into the filter line.
    pub fn start_editing(&mut self) {
        self.editing = true;
    }

    /// A key or a paste for the `/` line; a changed text restarts the
    /// debounce.
    pub fn typed(&mut self, typing: Typing<'_>, req: ReqId) -> Vec<Effect> {
        if !typing.into_field(&mut self.input, FIELD_MAX) {
            return Vec::new();
        }
        self.latest = req;
        vec![Effect::DebounceSearch(req)]
    }

    /// The debounce of `req` ran out: the queue is read with the text
    /// typed, if `req` is the newest; `None` when it is not the queue's.
    pub fn due(&mut self, req: ReqId) -> Option<Vec<Effect>> {
        if req != self.latest || req == 0 {
            return None;
        }
        Some(self.apply_text(req))
    }

    /// Reads the queue with the text in the `/` line, if it changed.
    pub fn apply_text(&mut self, req: ReqId) -> Vec<Effect> {
        let text = self.input.value().trim().to_owned();
        if text == self.filter.text {
            return Vec::new();
        }
        self.filter.text = text;
        vec![self.restart(req)]
    }

    /// Esc in the `/` line: the text goes and the queue is read without it.
    pub fn clear_text(&mut self, req: ReqId) -> Vec<Effect> {
        self.editing = false;
        self.input = Input::default();
        self.latest = 0;
        self.apply_text(req)
    }
}

fn toggled(only: Option<Only>, this: Only) -> Option<Only> {
    if only == Some(this) { None } else { Some(this) }
}

/// Rows of the table above the first ticket (border and header).
const TOP: u16 = 2;
/// Lines of the `/` box, when it shows.
const FILTER_BOX: u16 = 3;

/// Whether the `/` box shows: while typing, or while a text filters.
fn shows_box(state: &QueueState) -> bool {
    state.editing || !state.filter.text.is_empty()
}

/// The ticket row at a screen position, for mouse clicks.
pub fn row_at(body: Rect, state: &QueueState, column: u16, row: u16) -> Option<usize> {
    let top = if shows_box(state) { TOP + FILTER_BOX } else { TOP };
    layout::table_row_at(body, top, state.selected, state.len(), column, row)
}

/// The table's title: the status, the filter, the count.
fn title(state: &QueueState) -> String {
    let status = match state.filter.status {
        Some(TicketStatus::Open) => "Open",
        Some(TicketStatus::Pending) => "Pending",
        Some(TicketStatus::Solved) => "Solved",
        None => "All",
    };
    let read = state.list().len();
    let more = if state.next_cursor.is_some() { "+" } else { "" };
    let count = match &state.shown {
        Some(shown) => format!("{} shown of {read}{more} read", shown.len()),
        None => format!("{read}{more}"),
    };
    let words = state.filter.words();
    if words.is_empty() {
        format!(" {status} tickets ({count}) · oldest first ")
    } else {
        format!(" {status} tickets{words} ({count}) · oldest first ")
    }
}

/// What the queue says when no row shows, and what that is.
fn empty_words(state: &QueueState, ui: &Ui<'_>) -> (String, Meaning) {
    match (&state.tickets.error, state.tickets.is_loading() || state.more.is_some()) {
        (Some(error), _) => (
            format!(
                "Could not load the queue: {error}. Press {} to retry.",
                ui.keys.key_of(ScreenKind::Queue, Action::Refresh)
            ),
            Meaning::Danger,
        ),
        (None, true) => ("Loading the queue…".to_owned(), Meaning::Muted),
        (None, false) if state.filter == QueueFilter::default() => ("No open tickets.".to_owned(), Meaning::Muted),
        (None, false) => (
            format!("No ticket matches. {} shows them all.", ui.keys.key_of(ScreenKind::Queue, Action::FilterAll)),
            Meaning::Muted,
        ),
    }
}

/// A ticket's cells, in the table's order: age, id, subject, account,
/// role, latest invite, who has it.
fn ticket_cells(ticket: &Ticket, ui: &Ui<'_>) -> Vec<view_model::Cell> {
    let now = ui.now;
    let (name, role, badge) = match &ticket.account {
        Some(account) => (
            super::full_name(account.first_name.expose(), account.last_name.expose()),
            account.role.as_str(),
            match &account.latest_invite {
                Some(latest) => invite_cell(latest.status, latest.expires_at, account.role, now),
                None => view_model::Cell::muted("– no invite"),
            },
        ),
        None => (ticket.account_id.to_string(), "", view_model::Cell::muted("–")),
    };
    let claim = match &ticket.assignee {
        Some(who) => view_model::Cell::muted(shown(who)),
        None => view_model::Cell::new("unclaimed", Meaning::Warning),
    };
    // With `t` the age also shows when the ticket was opened.
    let age = short_age(now - ticket.opened_at);
    let age = if ui.absolute_times { format!("{age:<4}{}", ui.zone.short(ticket.opened_at)) } else { age };
    vec![
        view_model::Cell::new(age, Meaning::Countdown).low(),
        view_model::Cell::text(shown(ticket.id.as_str())).must(),
        view_model::Cell::text(shown(&ticket.subject)),
        view_model::Cell::text(name),
        view_model::Cell::text(role).low(),
        badge,
        claim,
    ]
}

/// What the queue says, as data: the `/` line when it shows, then every
/// row read (a list: read out one row at a time).
pub fn view(state: &QueueState, ui: &Ui<'_>) -> ViewModel {
    view_of(state, ui, 0..state.len())
}

/// [`view`] with only the rows in `shown` (what fits on screen: a frame
/// lays out only those).
fn view_of(state: &QueueState, ui: &Ui<'_>, shown: std::ops::Range<usize>) -> ViewModel {
    let mut model = ViewModel::new("Queue");
    if shows_box(state) {
        let meaning = if state.editing { Meaning::Input } else { Meaning::Text };
        let field =
            view_model::Row::one(view_model::Cell::new(state.input.value(), meaning)).id("field").label("Filter");
        let keys = ui.keys;
        let hint = format!(
            "{} search accounts · a ticket id and Enter opens it · {} clears",
            keys.key_of(ScreenKind::QueueFilter, Action::SearchAccounts),
            keys.key_of(ScreenKind::QueueFilter, Action::Back),
        );
        let title = if state.editing { Meaning::Text } else { Meaning::Muted };
        model = model.section(
            Section::new("Filter the queue: ticket id, subject, name or email", vec![field]).meaning(title).aside(hint),
        );
    }
    let title = title(state).trim().to_owned();
    if state.is_empty() {
        let (text, meaning) = empty_words(state, ui);
        return model.rows(title, vec![view_model::Row::one(view_model::Cell::new(text, meaning))]);
    }
    let len = state.len();
    let rows = shown
        .filter_map(|i| state.row(i).map(|t| (i, t)))
        .map(|(i, ticket)| {
            view_model::Row::new(ticket_cells(ticket, ui))
                .id(ticket.id.as_str())
                .label(format!("Ticket {} of {len}", i + 1))
                .selected(i == state.selected)
        })
        .collect();
    model.section(Section::list(title, rows))
}

/// Draws the queue from its view model, with only the rows that fit: the
/// `/` box when it shows, then the table (or what it says when empty).
pub fn render(state: &QueueState, frame: &mut Frame<'_>, area: Rect, ui: &Ui<'_>) {
    let (top, area) = if shows_box(state) {
        let [top, rest] = Layout::vertical([Constraint::Length(FILTER_BOX), Constraint::Fill(1)]).areas(area);
        (top, rest)
    } else {
        (Rect::default(), area)
    };
    // The rows that fit: the table scrolls just enough to keep the cursor
    // in view, as ratatui's own scrolling does.
    let fit = usize::from(area.height.saturating_sub(TOP + 1));
    let first = layout::scroll_offset(state.selected, fit);
    let model = view_of(state, ui, first..state.len().min(first + fit.max(1)));
    let theme = ui.theme;
    let caret = state.editing.then(|| view_model::Caret::new("field", state.input.visual_cursor()));
    // Who has a ticket always shows (the team works one queue); narrow, in
    // fewer columns.
    let claimed: u16 = if area.width >= 120 { 14 } else { 9 };
    let columns = [
        ("Age", Constraint::Length(if ui.absolute_times { 4 + 17 } else { 4 })),
        ("Ticket", Constraint::Length(6)),
        ("Subject", Constraint::Fill(2)),
        ("Account", Constraint::Fill(1)),
        ("Role", Constraint::Length(6)),
        ("Invite", Constraint::Length(20)),
        ("Claimed", Constraint::Length(claimed)),
    ];
    let mut sections = model.sections.iter();
    if shows_box(state)
        && let Some(filter) = sections.next()
    {
        view_model::boxed(filter, frame, top, theme, caret.as_ref());
    }
    match sections.next() {
        Some(list) if list.list => view_model::table(list, &columns, frame, area, theme),
        Some(said) => {
            view_model::panel(said, frame, area, theme, view_model::Panel::default());
        }
        None => {}
    }
}

impl Component for QueueState {
    fn screen(&self) -> ScreenKind {
        if self.editing { ScreenKind::QueueFilter } else { ScreenKind::Queue }
    }

    fn countdown(&self) -> Option<bool> {
        Some(self.has_countdown())
    }

    fn loading(&self) -> bool {
        self.tickets.is_loading() || self.more.is_some()
    }

    fn lock(&mut self) {
        *self = self.locked();
    }

    /// The wheel moves the cursor; the next page is read as the end
    /// comes into view.
    fn wheel(&mut self, action: Action, _column: u16, _row: u16, cx: &mut Cx<'_>) -> Outcome {
        self.navigate(action);
        self.more_if_wanted(cx)
    }

    /// Typing goes to its `/` line while it is open.
    fn on_typing(&mut self, typing: Typing<'_>, cx: &mut Cx<'_>) -> Option<Vec<Effect>> {
        if self.editing { Some(self.typed(typing, cx.req())) } else { None }
    }

    fn on_debounce(&mut self, req: ReqId) -> Option<Vec<Effect>> {
        self.due(req)
    }

    fn on_action(&mut self, action: Action, cx: &mut Cx<'_>) -> Outcome {
        if self.editing {
            return self.on_line_action(action, cx);
        }
        match action {
            Action::FilterAll
            | Action::FilterMine
            | Action::FilterUnclaimed
            | Action::FilterStatus
            | Action::FilterExpiring
            | Action::FilterBreached => Outcome::effects(self.set_filter(action, cx.req(), cx.now)),
            Action::PageDown | Action::PageUp => {
                let page = usize::from(cx.body.height.saturating_sub(3)).max(1);
                self.navigate_by(action, page);
                self.more_if_wanted(cx)
            }
            Action::Open => self.open_selected(),
            // As on the account screen: the next unclaimed ticket opens, on
            // the same ticket screen as Enter (its conversation and keys).
            Action::NextTicket => {
                self.select_next_unclaimed();
                if self.selected_ticket().is_some_and(|t| t.assignee.is_none()) {
                    self.open_selected()
                } else {
                    Outcome::banner(Banner::ok("No unclaimed ticket"))
                }
            }
            Action::Note => crate::tui::screens::note::open(self.selected_ticket().map(|t| t.id.clone())),
            Action::Refresh => Outcome::effects(vec![self.reload(cx.req())]),
            other => {
                self.navigate(other);
                self.more_if_wanted(cx)
            }
        }
    }

    /// Its pages, and the ticket of a `T-1021` jump.
    fn owns(&self, req: ReqId, answer: &Answer) -> bool {
        match answer {
            Answer::Tickets(_) => self.tickets.pending == Some(req) || self.more == Some(req),
            Answer::Ticket(_) => self.jump.as_ref().is_some_and(|(r, _)| *r == req),
            _ => false,
        }
    }

    fn on_answer(&mut self, req: ReqId, answer: Answer, cx: &mut Cx<'_>) -> Option<Outcome> {
        match answer {
            Answer::Tickets(result) => {
                if self.take(req, result, cx.now) == Taken::Stale {
                    return None;
                }
                let mut outcome = self.more_if_wanted(cx);
                // A portal that keeps paging was stopped: said like a
                // failed read.
                if let Some(stopped @ PortalError::KeptPaging { .. }) = &self.tickets.error {
                    outcome.banner = Some(Banner::error(format!("{stopped} (R retries)")));
                }
                Some(outcome)
            }
            Answer::Ticket(result) => Some(self.jumped(result.map(|read| read.0.value))),
            _ => None,
        }
    }

    fn click(&mut self, body: Rect, column: u16, row: u16) {
        if let Some(row) = row_at(body, self, column, row) {
            self.selected = row;
        }
    }

    fn render(&self, frame: &mut Frame<'_>, body: Rect, shared: &Shared<'_>) {
        render(self, frame, body, shared.ui);
    }

    fn model(&self, shared: &Shared<'_>) -> ViewModel {
        view(self, shared.ui)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_ids_are_read_whatever_the_case_and_nothing_else_is() {
        assert_eq!(typed_ticket_id("T-1021"), Some(TicketId::new("T-1021".to_owned())));
        assert_eq!(typed_ticket_id(" t-7 "), Some(TicketId::new("T-7".to_owned())));
        for not in ["T1021", "T-", "T-10a", "TT-1", "ticket 1021", "", "T-1021 x", "T-١٢", "T-1234567890123456789"] {
            assert_eq!(typed_ticket_id(not), None, "{not:?}");
        }
    }

    #[test]
    fn the_status_cycles_through_every_one_and_any() {
        let mut status = Some(TicketStatus::Open);
        let mut seen = Vec::new();
        for _ in 0..4 {
            status = next_status(status);
            seen.push(status);
        }
        assert_eq!(seen, [Some(TicketStatus::Pending), Some(TicketStatus::Solved), None, Some(TicketStatus::Open)]);
    }

    #[test]
    fn the_portals_part_of_the_filter_is_its_query() {
        let filter = QueueFilter { who: Who::Mine, text: "  kim ".into(), ..QueueFilter::default() };
        let query = filter.query(50, Some("1.2".into()));
        assert_eq!(query.assignee, Some(Assignee::Me));
        assert_eq!(query.q.as_deref(), Some("kim"));
        assert_eq!(query.status, Some(TicketStatus::Open));
        assert_eq!((query.limit, query.cursor.as_deref()), (Some(50), Some("1.2")));
        let unclaimed = QueueFilter { who: Who::Unclaimed, status: None, ..QueueFilter::default() }.query(1, None);
        assert_eq!((unclaimed.assignee, unclaimed.status, unclaimed.q), (Some(Assignee::Nobody), None, None));
        assert!(!format!("{filter:?}").contains("kim"), "the text may be a name");
    }
}
