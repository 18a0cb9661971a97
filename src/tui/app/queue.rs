//! The queue's work in the console: its filters and `/` line, its pages,
//! `T-1021` jumps (from the `/` line or account search), and tying an
//! account opened from search to its open ticket(s).

use tui_input::Input;

use super::{App, Banner};
use crate::portal::TicketQuery;
use crate::portal::model::{AccountId, TicketId};
use crate::tui::action::{Effect, ReqId, Request};
use crate::tui::screens::ticket::TicketPane;

/// The most tickets of one account read to attach it (open ones are few).
const ACCOUNT_TICKETS: u32 = 50;

impl App {
    /// Reads the queue again from the top, keeping the cursor's place
    /// (after a change from a ticket, a refresh, an unlock, back online).
    pub fn load_queue(&mut self) -> Vec<Effect> {
        let req = self.req();
        vec![self.stack.queue.reload(req)]
    }

    /// A debounce ran out: the queue's `/` line's, or account search's.
    pub(super) fn search_due(&mut self, req: ReqId) -> Vec<Effect> {
        self.stack.components_mut().find_map(|view| view.on_debounce(req)).unwrap_or_default()
    }

    /// Account search, from the queue: with the text of its `/` line when
    /// that is where it was asked for (Tab).
    pub(super) fn search_from_queue(&mut self) -> Vec<Effect> {
        if !self.stack.queue.editing {
            return Vec::new();
        }
        self.stack.queue.editing = false;
        let text = self.stack.queue.input.value().to_owned();
        if text.trim().is_empty() {
            return Vec::new();
        }
        let req = self.req();
        let Some(search) = self.stack.search_mut() else {
            return Vec::new();
        };
        search.input = Input::new(text);
        search.selected = 0;
        search.rerun(req)
    }

    /// Opens the ticket `id` typed (`T-1021`): it is read, then its account
    /// opens with the ticket pane; an unknown id is said so.
    pub(super) fn jump_to(&mut self, id: TicketId) -> Vec<Effect> {
        let req = self.req();
        self.stack.queue.jump = Some((req, id.clone()));
        self.banner = Some(Banner::ok(format!("Opening {id}…")));
        vec![Effect::Portal(req, Request::Ticket { ticket_id: id })]
    }

    /// An account found by search opens, and its open tickets are read to
    /// tie it to them.
    pub(super) fn open_found(&mut self, account_id: AccountId) -> Vec<Effect> {
        let mut effects = self.open_account(account_id.clone(), None);
        effects.push(self.read_account_tickets(account_id));
        effects
    }

    /// Reads the tickets of an account (to attach it).
    fn read_account_tickets(&mut self, account_id: AccountId) -> Effect {
        let req = self.req();
        if let Some(account) = self.stack.account_mut() {
            account.attach = Some(req);
        }
        let query =
            TicketQuery { account_id: Some(account_id), limit: Some(ACCOUNT_TICKETS), ..TicketQuery::default() };
        Effect::Portal(req, Request::Tickets { query })
    }

    /// Ties the open account to ticket `id`, as if it had been opened from
    /// the queue: the pane shows and the ticket is read (and claimed, with
    /// `claim_on_open`) once the account is.
    pub(super) fn attach_ticket(&mut self, id: TicketId) -> Vec<Effect> {
        let Some(account) = self.stack.account_mut() else {
            return Vec::new();
        };
        account.ticket_id = Some(id.clone());
        let read = account.account.data.is_some();
        account.ticket = Some(TicketPane::new(id));
        // Before the account is read, its answer reads the ticket.
        if read { self.load_ticket() } else { Vec::new() }
    }
}
