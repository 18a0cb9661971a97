//! The views on screen, stacked, and the protocol they share.
//!
//! The queue is the bottom of the stack and always there; search and the
//! account (with its ticket pane) go above it, and Esc goes back one. Each
//! view's state lives in its own entry: the app holds no per-screen field.
//! A view is one file in `screens/` whose state implements
//! `component::Component`, the protocol dialogs implement too, plus its
//! registration line in `component.rs`, which makes it a variant of
//! [`Shown`] and of [`View`].

use super::component::Component;
pub use super::component::{Shown, View};
use super::screens::account::AccountState;
use super::screens::queue::QueueState;
use super::screens::search::SearchState;
use super::screens::ticket::TicketPane;

/// The views on screen: the queue, and what is above it.
pub struct Stack {
    /// The bottom of the stack, always there (live events keep it current
    /// while other views are in front).
    pub queue: QueueState,
    above: Vec<Shown>,
}

impl Default for Stack {
    fn default() -> Self {
        Self::new(QueueState::default())
    }
}

impl Stack {
    pub fn new(queue: QueueState) -> Self {
        Self { queue, above: Vec::new() }
    }

    /// The view in front.
    pub fn front(&self) -> View {
        self.above.last().map_or(View::Queue, Shown::kind)
    }

    /// The view in front, as a component.
    pub fn front_component(&self) -> &dyn Component {
        self.above.last().map_or(&self.queue as &dyn Component, Shown::component)
    }

    pub fn front_component_mut(&mut self) -> &mut dyn Component {
        match self.above.last_mut() {
            Some(shown) => shown.component_mut(),
            None => &mut self.queue,
        }
    }

    /// The views above the queue, the one in front last.
    pub fn above_mut(&mut self) -> impl Iterator<Item = &mut dyn Component> {
        self.above.iter_mut().map(Shown::component_mut)
    }

    /// Every view, the queue first.
    pub fn components_mut(&mut self) -> impl Iterator<Item = &mut dyn Component> {
        std::iter::once(&mut self.queue as &mut dyn Component).chain(self.above.iter_mut().map(Shown::component_mut))
    }

    /// Puts a view in front.
    pub fn push(&mut self, shown: impl Into<Shown>) {
        self.above.push(shown.into());
    }

    /// Goes back one; the queue stays.
    pub fn pop(&mut self) -> Option<Shown> {
        self.above.pop()
    }

    /// How many views are stacked, the queue included.
    pub fn depth(&self) -> usize {
        self.above.len() + 1
    }

    /// The account search in front, if it is.
    pub fn search(&self) -> Option<&SearchState> {
        match self.above.last() {
            Some(Shown::Search(search)) => Some(search),
            _ => None,
        }
    }

    pub fn search_mut(&mut self) -> Option<&mut SearchState> {
        match self.above.last_mut() {
            Some(Shown::Search(search)) => Some(search),
            _ => None,
        }
    }

    /// The open account (there is at most one), wherever it is.
    pub fn account(&self) -> Option<&AccountState> {
        self.above.iter().find_map(|shown| match shown {
            Shown::Account(account) => Some(account.as_ref()),
            _ => None,
        })
    }

    pub fn account_mut(&mut self) -> Option<&mut AccountState> {
        self.above.iter_mut().find_map(|shown| match shown {
            Shown::Account(account) => Some(account.as_mut()),
            _ => None,
        })
    }

    /// The open account's ticket pane, if it was opened from a ticket.
    pub fn ticket(&self) -> Option<&TicketPane> {
        self.account().and_then(|a| a.ticket.as_ref())
    }

    pub fn ticket_mut(&mut self) -> Option<&mut TicketPane> {
        self.account_mut().and_then(|a| a.ticket.as_mut())
    }

    /// Opens an account in place of any open one (and of what was above
    /// it); a search in front gives way to it.
    pub fn open_account(&mut self, account: AccountState) {
        if let Some(at) = self.above.iter().position(|s| matches!(s, Shown::Account(_))) {
            self.above.truncate(at);
        }
        if matches!(self.above.last(), Some(Shown::Search(_))) {
            self.above.pop();
        }
        self.push(account);
    }
}
