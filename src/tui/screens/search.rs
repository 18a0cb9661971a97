//! Search: `/` from anywhere. Incremental as you type (debounced), by name,
//! email, phone or id. Answers that arrive out of order never overwrite
//! newer results.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use tui_input::Input;

use super::queue::typed_ticket_id;
use super::{FIELD_MAX, Typing, Ui, layout, moved};
use crate::phi::mask_email;
use crate::portal::model::{AccountId, AccountSummary, Page, Role};
use crate::portal::{AccountQuery, PortalError};
use crate::tui::action::Answer;
use crate::tui::action::{Action, Effect, ReqId, Request};
use crate::tui::component::{Component, Cx, Outcome, Shared, Then};
use crate::tui::keymap::{ARROW_DOWN, ARROW_UP, ScreenKind, screen_spec, special};
use crate::tui::remote::Remote;
use crate::tui::view_model::{Caret, Cell as VCell, Meaning, Row as VRow, Section, ViewModel};
use crossterm::event::KeyCode;

/// How many results a search asks for.
pub const RESULT_LIMIT: u32 = 50;

/// The search screen's state. (No `Debug`: the query may be PHI.)
#[derive(Default)]
pub struct SearchState {
    pub input: Input,
    pub results: Remote<Page<AccountSummary>>,
    /// The newest query typed; only its debounce may fire a request.
    pub latest: ReqId,
    pub selected: usize,
    /// Only clients, only staff, or everyone (`None`); Tab switches.
    pub role: Option<Role>,
    /// The read of the open account's tickets (to tie it to its open
    /// ticket), in flight.
    pub attach: Option<ReqId>,
}

screen_spec!(
    SearchState,
    "Search",
    [
        special(KeyCode::Enter, Action::Open, "open the account (a ticket id: that ticket)", "open"),
        ARROW_DOWN,
        ARROW_UP,
        special(KeyCode::Tab, Action::CycleRole, "all accounts / clients / staff", "role"),
        special(KeyCode::Esc, Action::Back, "back", "back"),
    ],
    text
);

impl SearchState {
    fn list(&self) -> &[AccountSummary] {
        self.results.data.as_ref().map(|p| p.items.as_slice()).unwrap_or_default()
    }

    /// A key or a paste for the query field; a changed query restarts the
    /// debounce.
    pub fn typed(&mut self, typing: Typing<'_>, req: ReqId) -> Vec<Effect> {
        if typing.into_field(&mut self.input, FIELD_MAX) { self.query_changed(req) } else { Vec::new() }
    }

    fn query_changed(&mut self, req: ReqId) -> Vec<Effect> {
        self.latest = req;
        self.selected = 0;
        if self.input.value().trim().is_empty() {
            self.results = Remote::default();
            return Vec::new();
        }
        vec![Effect::DebounceSearch(req)]
    }

    /// The debounce of `req` ran out: search, if it is still the newest.
    pub fn due(&mut self, req: ReqId) -> Vec<Effect> {
        let q = self.input.value().trim().to_owned();
        if req != self.latest || q.is_empty() {
            return Vec::new();
        }
        self.results.start(req);
        let query = AccountQuery { q: Some(q), role: self.role, limit: Some(RESULT_LIMIT), ..AccountQuery::default() };
        vec![Effect::Portal(req, Request::Search { query })]
    }

    /// Sends the current query again (after coming back online).
    pub fn rerun(&mut self, req: ReqId) -> Vec<Effect> {
        if self.input.value().trim().is_empty() {
            return Vec::new();
        }
        self.latest = req;
        self.due(req)
    }

    /// Tab: everyone, then clients, then staff; the search runs again.
    pub fn cycle_role(&mut self, req: ReqId) -> Vec<Effect> {
        self.role = match self.role {
            None => Some(Role::Client),
            Some(Role::Client) => Some(Role::Staff),
            Some(Role::Staff) => None,
        };
        self.latest = req;
        self.selected = 0;
        self.due(req)
    }

    /// An answer: taken only if it answers the newest search sent.
    pub fn finish(&mut self, req: ReqId, result: Result<Page<AccountSummary>, PortalError>) -> bool {
        let taken = self.results.finish(req, result);
        if taken {
            self.selected = 0;
        }
        taken
    }

    pub fn navigate(&mut self, action: Action) {
        self.selected = moved(self.selected, self.list().len(), action);
    }

    /// The account id under the cursor.
    pub fn selected_account(&self) -> Option<AccountId> {
        self.list().get(self.selected).map(|a| a.id.clone())
    }
}

/// Lines above the first result: the query box (3) and the table's border
/// and header (2).
const TOP: u16 = 5;

/// The result row at a screen position, for mouse clicks.
pub fn row_at(body: Rect, state: &SearchState, column: u16, row: u16) -> Option<usize> {
    layout::table_row_at(body, TOP, state.selected, state.list().len(), column, row)
}

/// Draws the search screen from its view model: the query's box, then
/// the accounts found.
pub fn render(state: &SearchState, frame: &mut Frame<'_>, area: Rect, ui: &Ui<'_>) {
    let theme = ui.theme;
    let [query_area, results_area] = Layout::vertical([Constraint::Length(3), Constraint::Fill(1)]).areas(area);
    let model = view(state, ui);
    let caret = Caret::new("field", state.input.visual_cursor());
    for section in &model.sections {
        if section.list {
            let columns = [
                ("Role", Constraint::Length(6)),
                ("Name", Constraint::Fill(2)),
                ("Email", Constraint::Fill(2)),
                ("Id", Constraint::Length(11)),
                ("Invite", Constraint::Length(21)),
            ];
            crate::tui::view_model::table(section, &columns, frame, results_area, theme);
        } else {
            crate::tui::view_model::boxed(section, frame, query_area, theme, Some(&caret));
        }
    }
}

/// What the search says, as data: the query field, then the accounts
/// found (a list, read out a row at a time; emails masked as drawn).
pub fn view(state: &SearchState, ui: &Ui<'_>) -> ViewModel {
    let among = match state.role {
        None => "all accounts",
        Some(Role::Client) => "clients only",
        Some(Role::Staff) => "staff only",
    };
    let list = state.list();
    let status = match (&state.results.error, state.results.is_loading()) {
        (Some(error), _) => (format!("search failed: {error}"), Meaning::Danger),
        (None, true) => ("searching…".to_owned(), Meaning::Warning),
        (None, false) => (format!("{} found", list.len()), Meaning::Muted),
    };
    let rows = list
        .iter()
        .enumerate()
        .map(|(n, a)| {
            let badge = match &a.latest_invite {
                Some(latest) => super::invite_cell(latest.status, latest.expires_at, a.role, ui.now),
                None => VCell::muted("– no invite"),
            };
            VRow::new(vec![
                VCell::text(a.role.as_str()),
                VCell::text(super::full_name(a.first_name.expose(), a.last_name.expose())).must(),
                VCell::new(mask_email(&super::shown(a.email.expose())), Meaning::Masked),
                VCell::muted(a.id.as_str()).low(),
                badge,
            ])
            .id(a.id.as_str())
            .label(format!("Account {} of {}", n + 1, list.len()))
            .selected(n == state.selected)
        })
        .collect();
    ViewModel::new("Search")
        .rows(
            format!("Search by name, email, phone or id, {among} (Tab)"),
            vec![VRow::one(VCell::new(state.input.value(), Meaning::Input)).id("field").label("Search")],
        )
        .section(Section::list(status.0, rows).meaning(status.1))
}

impl Component for SearchState {
    fn screen(&self) -> ScreenKind {
        ScreenKind::Search
    }

    fn loading(&self) -> bool {
        self.results.is_loading()
    }

    /// The query and what it found go; the role chosen stays.
    fn lock(&mut self) {
        *self = SearchState { role: self.role, ..SearchState::default() };
    }

    fn wheel(&mut self, action: Action, _column: u16, _row: u16, _cx: &mut Cx<'_>) -> Outcome {
        self.navigate(action);
        Outcome::none()
    }

    fn click(&mut self, body: Rect, column: u16, row: u16) {
        if let Some(row) = row_at(body, self, column, row) {
            self.selected = row;
        }
    }

    /// Enter opens the ticket whose id was typed (`T-1021`), else the
    /// account under the cursor; Tab cycles the role searched.
    fn on_action(&mut self, action: Action, cx: &mut Cx<'_>) -> Outcome {
        match action {
            Action::Back => Outcome::close(),
            Action::Open => match typed_ticket_id(self.input.value()) {
                Some(id) => Outcome::then(Then::JumpTo(id)),
                None => self.selected_account().map_or_else(Outcome::none, |id| Outcome::then(Then::OpenFound(id))),
            },
            Action::CycleRole => Outcome::effects(self.cycle_role(cx.req())),
            other => {
                self.navigate(other);
                Outcome::none()
            }
        }
    }

    fn owns(&self, _req: ReqId, answer: &Answer) -> bool {
        matches!(answer, Answer::Search(_))
    }

    fn on_answer(&mut self, req: ReqId, answer: Answer, _cx: &mut Cx<'_>) -> Option<Outcome> {
        match answer {
            Answer::Search(result) => self.finish(req, result).then(Outcome::none),
            _ => None,
        }
    }

    fn on_typing(&mut self, typing: Typing<'_>, cx: &mut Cx<'_>) -> Option<Vec<Effect>> {
        Some(self.typed(typing, cx.req()))
    }

    fn on_debounce(&mut self, req: ReqId) -> Option<Vec<Effect>> {
        (req == self.latest).then(|| self.due(req))
    }

    fn on_reconnect(&mut self, cx: &mut Cx<'_>) -> Vec<Effect> {
        self.rerun(cx.req())
    }

    fn render(&self, frame: &mut Frame<'_>, body: Rect, shared: &Shared<'_>) {
        render(self, frame, body, shared.ui);
    }

    fn model(&self, shared: &Shared<'_>) -> ViewModel {
        view(self, shared.ui)
    }
}
