//! The views on screen, stacked, and the protocol they share.
//!
//! The queue is the bottom of the stack and always there; search and the
//! account (with its ticket pane) go above it, and Esc goes back one. Each
//! view's state lives in its own entry: the app holds no per-screen field.
//! A view is one file in `screens/` whose state implements [`Component`]
//! (what it is and what it shows), plus one line in the `views!` list below,
//! which makes it a variant of [`Shown`] and of [`View`] and routes the
//! console's generic calls to it. Dialogs over a view have their own
//! protocol, `dialog::Dialog`, through the same view model.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;

use super::action::{Action, Answer, Effect, ReqId};
pub use super::dialog::{Outcome, Then};
use super::keymap::ScreenKind;
use super::screens::account::AccountState;
use super::screens::queue::QueueState;
use super::screens::search::SearchState;
use super::screens::ticket::TicketPane;
use super::screens::{Typing, Ui};
use super::view_model::ViewModel;
use crate::diagnose::replies::Replies;

/// What a view may read of the console when it draws or says itself.
pub struct Shared<'a> {
    pub ui: &'a Ui<'a>,
    /// The practice's replies (the findings quote them).
    pub replies: &'a Replies,
}

/// What a view may read or use of the console while it takes an action,
/// an answer or a key.
pub struct ViewCx<'a> {
    pub now: DateTime<Utc>,
    /// Where the views are drawn (for paging by a screenful).
    pub body: Rect,
    /// The practice's replies (the findings and the reply composer use them).
    pub replies: &'a Replies,
    /// The view is in front (an answer may reach one behind another).
    pub in_front: bool,
    next_req: &'a mut ReqId,
}

impl<'a> ViewCx<'a> {
    pub fn new(now: DateTime<Utc>, body: Rect, replies: &'a Replies, next_req: &'a mut ReqId) -> Self {
        Self { now, body, replies, in_front: true, next_req }
    }

    /// A fresh request id, for a request the view sends.
    pub fn req(&mut self) -> ReqId {
        *self.next_req += 1;
        *self.next_req
    }
}

/// A full-screen view: what it is, what it does with its keys and its
/// answers, and what it shows. It answers with the dialogs' [`Outcome`]:
/// `close` goes back one view, [`Then`] asks the app for what is beyond
/// the view (opening an account or a ticket, a dialog).
pub trait Component {
    /// The screen whose keys apply while it is in front.
    fn screen(&self) -> ScreenKind;

    /// Whether a countdown shows in it (the 1 Hz tick runs only then).
    fn countdown(&self) -> bool {
        false
    }

    /// Whether one of its reads is in flight (the header says so).
    fn loading(&self) -> bool {
        false
    }

    /// The lock: drops every client detail held, keeping only the ids that
    /// read them again on unlocking.
    fn lock(&mut self);

    /// The mouse wheel at (`column`, `row`) of `cx.body`: Up or Down.
    fn wheel(&mut self, _action: Action, _column: u16, _row: u16, _cx: &mut ViewCx<'_>) -> Outcome {
        Outcome::none()
    }

    /// A click on `body` at (`column`, `row`): selects what is under it.
    fn click(&mut self, _body: Rect, _column: u16, _row: u16) {}

    /// An action bound to one of its keys. By default Back goes back one.
    fn on_action(&mut self, action: Action, _cx: &mut ViewCx<'_>) -> Outcome {
        if action == Action::Back { Outcome::close() } else { Outcome::none() }
    }

    /// Whether the answer to request `req` is this view's to take.
    fn owns(&self, _req: ReqId, _answer: &Answer) -> bool {
        false
    }

    /// The portal's answer to one of its requests ([`Component::owns`]):
    /// whether it was the one awaited (a stale answer is dropped), and
    /// what follows.
    fn on_answer(&mut self, _req: ReqId, _answer: Answer, _cx: &mut ViewCx<'_>) -> (bool, Outcome) {
        (false, Outcome::none())
    }

    /// A key or a paste for its text field; `None` when it takes none now.
    fn on_typing(&mut self, _typing: Typing<'_>, _cx: &mut ViewCx<'_>) -> Option<Vec<Effect>> {
        None
    }

    /// The debounce of request `req` ran out; `None` when it is not its.
    fn on_debounce(&mut self, _req: ReqId) -> Option<Vec<Effect>> {
        None
    }

    /// The portal answers again: what it shows is read again.
    fn on_reconnect(&mut self, _cx: &mut ViewCx<'_>) -> Vec<Effect> {
        Vec::new()
    }

    /// Draws it over `body`.
    fn render(&self, frame: &mut Frame<'_>, body: Rect, shared: &Shared<'_>);

    /// What it says, as data (`view_model`), masked as drawn: one view
    /// model per panel (the account, then its ticket pane).
    fn view(&self, shared: &Shared<'_>) -> Vec<ViewModel>;
}

/// Declares [`Shown`] (one variant per view above the queue, boxed),
/// [`View`] (the queue, then each of them) and their dispatch.
macro_rules! views {
    ($( $variant:ident($state:ty), )*) => {
        /// A view above the queue.
        pub enum Shown {
            $( $variant(Box<$state>), )*
        }

        $(
            impl From<$state> for Shown {
                fn from(state: $state) -> Self {
                    Shown::$variant(Box::new(state))
                }
            }
        )*

        /// Which view is in front.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum View {
            Queue,
            $( $variant, )*
        }

        impl Shown {
            pub fn component(&self) -> &dyn Component {
                match self { $( Shown::$variant(state) => state.as_ref(), )* }
            }

            pub fn component_mut(&mut self) -> &mut dyn Component {
                match self { $( Shown::$variant(state) => state.as_mut(), )* }
            }

            pub fn kind(&self) -> View {
                match self { $( Shown::$variant(_) => View::$variant, )* }
            }
        }
    };
}

views! {
    Search(SearchState),
    Account(AccountState),
}

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
