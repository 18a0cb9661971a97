//! One protocol for everything on screen: the views (the queue, account
//! search, the account with its ticket pane) and the dialogs over them.
//!
//! A view or dialog is one file in `screens/` whose state implements
//! [`Component`]: what it is (its screen and keys through `screen_spec!`,
//! whether it shows PHI, its presence mode and whether its change is
//! guarded, all in its `SPEC`; its countdown), its keys, its answers, its
//! typing, what it drops on the lock, and what it shows, as a view model
//! (`view_model`) and as a frame. It reads the console through a [`Cx`]
//! while it acts and a [`Shared`] while it draws, and answers with an
//! [`Outcome`], which the app applies in one place.
//!
//! The `components!` list at the bottom is each one's one registration
//! line: it makes a view a variant of [`Shown`] and [`View`], a dialog a
//! variant of [`Overlay`], each of their screens a [`ScreenKind`] with its
//! keys, and routes the console's generic calls to them.

use std::fmt;

use chrono::{DateTime, Utc};
use crossterm::event::Event;
use ratatui::Frame;
use ratatui::layout::Rect;
use tui_input::Input;

use super::action::{Action, Answer, Effect, ReqId};
use super::keymap::{Keymap, ScreenSpec};
use super::live::Guarded;
use super::view_model::{Drawn, Form, Panel, Section, ViewModel};
use crate::diagnose::replies::Replies;
use crate::portal::Versioned;
use crate::portal::model::{Account, AccountId, ETag, Invite, TicketId};

use super::screens::account::AccountState;
use super::screens::addresses::AddressesState;
use super::screens::dob_compare::DobCompareState;
use super::screens::edit_dob::EditDobState;
use super::screens::fix::FixState;
use super::screens::help::HelpState;
use super::screens::note::NoteState;
use super::screens::palette::PaletteState;
use super::screens::queue::QueueState;
use super::screens::reply::ReplyState;
use super::screens::resend::ResendState;
use super::screens::revoke::RevokeState;
use super::screens::search::SearchState;
use super::screens::submission::Unconfirmed;
use super::screens::ticket_picker::TicketPickerState;
use super::screens::timeline::TimelineState;
use super::screens::{Typing, Ui, paste_into_max, type_into};

/// A line across the top for what just happened or failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Banner {
    pub text: String,
    pub error: bool,
}

impl Banner {
    /// A banner saying something went well.
    pub fn ok(text: impl Into<String>) -> Self {
        Self { text: text.into(), error: false }
    }

    /// A banner saying something failed or cannot be done.
    pub fn error(text: impl Into<String>) -> Self {
        Self { text: text.into(), error: true }
    }
}

/// What a component may read of the console when it draws or says itself.
pub struct Shared<'a> {
    pub ui: &'a Ui<'a>,
    /// The practice's replies (the findings quote them).
    pub replies: &'a Replies,
    /// The open account, if any (a dialog shows it; the account view is it).
    pub account: Option<&'a AccountState>,
    /// Whether the account's email and DOB are revealed: dialogs show them
    /// only then, so they mask again with it.
    pub revealed: bool,
    /// The screen of the view in front (under a dialog).
    pub screen: ScreenKind,
    /// What others changed since the agent read the account, when the
    /// collision guard holds the change back (shown in the dialog).
    pub collision: Option<&'a str>,
    /// What others did to the account or its ticket lately, said as the
    /// dialog opens (until the guard shows what changed since).
    pub lately: Option<&'a str>,
    /// Panels as last drawn, to copy where unchanged (`None`: draw all).
    pub drawn: Option<&'a Drawn>,
}

impl<'a> Shared<'a> {
    /// What a component sees with no account open, over `screen`.
    pub fn new(ui: &'a Ui<'a>, replies: &'a Replies, screen: ScreenKind) -> Self {
        Self { ui, replies, account: None, revealed: false, screen, collision: None, lately: None, drawn: None }
    }

    /// Draws `section` as the panel `name`, copied from the last frame
    /// where it is the same there (see `view_model::Drawn`).
    pub fn panel(&self, name: &'static str, section: &Section, frame: &mut Frame<'_>, area: Rect, how: Panel) -> u16 {
        match self.drawn {
            Some(drawn) => drawn.panel(name, section, frame, area, self.ui.theme, how),
            None => super::view_model::panel(section, frame, area, self.ui.theme, how),
        }
    }
}

/// What a component may read or use of the console while it takes an
/// action, an answer, a key or a paste.
pub struct Cx<'a> {
    pub now: DateTime<Utc>,
    /// Where the views are drawn (for paging by a screenful, the wheel).
    pub body: Rect,
    /// The practice's replies (the findings and the reply composer use them).
    pub replies: &'a Replies,
    /// The keys in force.
    pub keys: &'a Keymap,
    /// The open account, for a dialog over it; `None` for a view (a view
    /// holds its own state).
    pub account: Option<&'a AccountState>,
    /// The screen of the view in front (under a dialog).
    pub under: ScreenKind,
    /// The component is in front (an answer may reach a view behind
    /// another).
    pub in_front: bool,
    /// Changes whose outcome was never seen, with their keys (kept
    /// across dialogs).
    pub unconfirmed: &'a mut Unconfirmed,
    next_req: &'a mut ReqId,
}

/// What every [`Cx`] is made of: the console's services.
pub struct Services<'a> {
    pub now: DateTime<Utc>,
    pub body: Rect,
    pub replies: &'a Replies,
    pub keys: &'a Keymap,
    pub unconfirmed: &'a mut Unconfirmed,
    pub next_req: &'a mut ReqId,
}

impl<'a> Cx<'a> {
    /// The context of a component in front of the screen `under`, over
    /// `account` (a dialog's).
    pub fn new(services: Services<'a>, account: Option<&'a AccountState>, under: ScreenKind) -> Self {
        let Services { now, body, replies, keys, unconfirmed, next_req } = services;
        Self { now, body, replies, keys, account, under, in_front: true, unconfirmed, next_req }
    }

    /// A fresh request id, for a request the component sends.
    pub fn req(&mut self) -> ReqId {
        *self.next_req += 1;
        *self.next_req
    }
}

/// What the app does after a component took an action or an answer, beyond
/// running effects (what lies beyond the component itself).
pub enum Then {
    /// Read the open account, its invites and its audit trail again.
    ReloadAccount,
    /// Read the open account's invites and audit trail again.
    ReloadHistory,
    /// Read the queue again (a ticket changed).
    ReloadQueue,
    /// Read the open account alone again (its current version, after a 412).
    ReadAccount,
    /// The account as saved: it is now the open one.
    StoreAccount(Versioned<Account>),
    /// The account's new ETag (a change to one of its invites moved it).
    StoreEtag(ETag),
    /// An invite just made, shown before the history is read back.
    AddInvite(Invite),
    /// Run an action on the view under (the palette's choice).
    Run(Action),
    /// Open another dialog in place of this one.
    Open(Overlay),
    /// The portal refused the change because the account moved under it:
    /// the collision guard reads it again and shows what changed.
    CheckAgain,
    /// Tie the open account to this ticket: the ticket pane shows.
    AttachTicket(TicketId),
    /// Open the ticket typed (`T-1021`): it is read, then its account
    /// opens with the ticket pane.
    JumpTo(TicketId),
    /// Open an account found by search; its open tickets are read to tie
    /// it to one.
    OpenFound(AccountId),
    /// Open a ticket: its account, with the ticket pane.
    OpenTicket(AccountId, TicketId),
    /// Open the queue's next unclaimed ticket after this one, or say there
    /// is none.
    NextTicket(Option<TicketId>),
    /// The open ticket was read: claim it if nobody has it and
    /// `claim_on_open` is on.
    ClaimOnOpen,
    /// The open account was read (this version): the dialog over it is
    /// told.
    AccountRead(Versioned<Account>),
    /// The open account's invites were read: the dialog over it and the
    /// live guard are told.
    InvitesRead,
}

impl fmt::Debug for Then {
    /// Kinds only: an account or invite holds PHI.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Then::ReloadAccount => f.write_str("ReloadAccount"),
            Then::ReloadHistory => f.write_str("ReloadHistory"),
            Then::ReloadQueue => f.write_str("ReloadQueue"),
            Then::ReadAccount => f.write_str("ReadAccount"),
            Then::StoreAccount(_) => f.write_str("StoreAccount(..)"),
            Then::StoreEtag(_) => f.write_str("StoreEtag(..)"),
            Then::AddInvite(_) => f.write_str("AddInvite(..)"),
            Then::Run(action) => f.debug_tuple("Run").field(action).finish(),
            Then::Open(overlay) => f.debug_tuple("Open").field(&overlay.kind()).finish(),
            Then::CheckAgain => f.write_str("CheckAgain"),
            Then::AttachTicket(id) => f.debug_tuple("AttachTicket").field(id).finish(),
            Then::JumpTo(id) => f.debug_tuple("JumpTo").field(id).finish(),
            Then::OpenFound(id) => f.debug_tuple("OpenFound").field(id).finish(),
            Then::OpenTicket(account, ticket) => f.debug_tuple("OpenTicket").field(account).field(ticket).finish(),
            Then::NextTicket(after) => f.debug_tuple("NextTicket").field(after).finish(),
            Then::ClaimOnOpen => f.write_str("ClaimOnOpen"),
            Then::AccountRead(_) => f.write_str("AccountRead(..)"),
            Then::InvitesRead => f.write_str("InvitesRead"),
        }
    }
}

/// What a component wants after an action or an answer: whether it closes
/// (a view: goes back one), effects to run, a banner, and what the app does
/// next, in order.
#[derive(Default)]
pub struct Outcome {
    pub close: bool,
    pub effects: Vec<Effect>,
    pub banner: Option<Banner>,
    pub then: Vec<Then>,
}

impl Outcome {
    /// Nothing to do.
    pub fn none() -> Self {
        Self::default()
    }

    /// The dialog closes.
    pub fn close() -> Self {
        Self { close: true, ..Self::default() }
    }

    /// Effects to run; the dialog stays.
    pub fn effects(effects: Vec<Effect>) -> Self {
        Self { effects, ..Self::default() }
    }

    /// A banner; the dialog stays.
    pub fn banner(banner: Banner) -> Self {
        Self { banner: Some(banner), ..Self::default() }
    }

    /// The change went through: the dialog closes, says so, and the app
    /// does `then`.
    pub fn done(text: impl Into<String>, then: Vec<Then>) -> Self {
        Self { close: true, banner: Some(Banner::ok(text)), then, ..Self::default() }
    }

    /// The app does `then`; the dialog stays.
    pub fn then(then: Then) -> Self {
        Self { then: vec![then], ..Self::default() }
    }

    /// A change was saved to the account: the dialog closes, says so, and
    /// the account is the saved one until the account, its invites and its
    /// audit trail are read back (the findings are computed from those).
    pub fn saved(text: &str, account: Versioned<Account>) -> Self {
        Self::done(text, vec![Then::StoreAccount(account), Then::ReloadAccount])
    }

    /// A dialog that sends one change: Confirm sends it (`confirm`), Back
    /// closes it unless the request is in flight.
    pub fn sends(action: Action, sending: bool, confirm: impl FnOnce() -> Vec<Effect>) -> Self {
        match action {
            Action::Confirm => Self::effects(confirm()),
            other => Self::back(other, sending),
        }
    }

    /// Closes on Back unless a request is in flight (a change under way
    /// cannot be abandoned).
    pub fn back(action: Action, sending: bool) -> Self {
        if action == Action::Back && !sending { Self::close() } else { Self::none() }
    }
}

impl fmt::Debug for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Outcome")
            .field("close", &self.close)
            .field("effects", &self.effects.iter().map(Effect::kind).collect::<Vec<_>>())
            .field("banner", &self.banner.as_ref().map(|b| b.error))
            .field("then", &self.then)
            .finish()
    }
}

/// A view or a dialog: what it is, what it does with its keys, its typing
/// and its answers, and what it shows. Every method but what it is and
/// what it shows has a default, so each says only what it does.
pub trait Component {
    /// The screen whose keys apply while it is in front (its `SPEC` says
    /// its title, keys, PHI, presence mode and guard).
    fn screen(&self) -> ScreenKind;

    /// Whether a countdown shows in it (the 1 Hz tick runs only then);
    /// `None` leaves it to the view under it (a dialog's).
    fn countdown(&self) -> Option<bool> {
        Some(false)
    }

    /// Whether one of its reads is in flight (the header says so).
    fn loading(&self) -> bool {
        false
    }

    /// The lock: drops every client detail held, keeping only the ids that
    /// read them again on unlocking. A dialog closes on the lock, so it
    /// keeps this default.
    fn lock(&mut self) {}

    /// An action bound to one of its keys. By default Back closes it (a
    /// view goes back one).
    fn on_action(&mut self, action: Action, _cx: &mut Cx<'_>) -> Outcome {
        Outcome::back(action, false)
    }

    /// Whether the answer to request `req` is this view's to take (a view
    /// claims its answers before the app; a dialog is asked last).
    fn owns(&self, _req: ReqId, _answer: &Answer) -> bool {
        false
    }

    /// The portal's answer to request `req`; `None` when it was not the
    /// request it awaits (a stale answer is dropped).
    fn on_answer(&mut self, _req: ReqId, _answer: Answer, _cx: &mut Cx<'_>) -> Option<Outcome> {
        None
    }

    /// The text field keys and pastes go into now, with the most
    /// characters it holds; `None` while it takes none (a request in flight).
    fn field(&mut self) -> Option<(&mut Input, usize)> {
        None
    }

    /// A key for its focused text field (only on screens that take text).
    fn edit(&mut self, event: &Event) {
        if let Some((input, max)) = self.field() {
            type_into(input, event, max);
        }
    }

    /// Pasted text, for its focused field: control characters dropped, cut
    /// where the field is full.
    fn paste(&mut self, text: &str) {
        if let Some((input, max)) = self.field() {
            paste_into_max(input, text, max);
        }
    }

    /// A key or a paste for it; `None` when it takes none now (the console
    /// may use it otherwise). By default it goes into its field.
    fn on_typing(&mut self, typing: Typing<'_>, _cx: &mut Cx<'_>) -> Option<Vec<Effect>> {
        match typing {
            Typing::Key(event) => self.edit(event),
            Typing::Paste(text) => self.paste(text),
        }
        Some(Vec::new())
    }

    /// The debounce of request `req` ran out; `None` when it is not its.
    fn on_debounce(&mut self, _req: ReqId) -> Option<Vec<Effect>> {
        None
    }

    /// The portal answers again: what it shows is read again.
    fn on_reconnect(&mut self, _cx: &mut Cx<'_>) -> Vec<Effect> {
        Vec::new()
    }

    /// The mouse wheel at (`column`, `row`) of `cx.body`: Up or Down.
    fn wheel(&mut self, _action: Action, _column: u16, _row: u16, _cx: &mut Cx<'_>) -> Outcome {
        Outcome::none()
    }

    /// A click on `body` at (`column`, `row`): selects what is under it.
    fn click(&mut self, _body: Rect, _column: u16, _row: u16) {}

    /// The open account was read again (after a 412, the current version;
    /// after a lost answer, whether the change is there). `Some` when the
    /// dialog has something to do about it.
    fn account_read(&mut self, _account: &Versioned<Account>) -> Option<Outcome> {
        None
    }

    /// The open account's invites were read again; `shows` says whether a
    /// resend whose answer was never seen shows among them.
    fn invites_read(&mut self, _shows: bool) -> Option<Outcome> {
        None
    }

    /// Whether Enter, now, sends a change the collision guard checks first
    /// (and which kind); `None` while it sends nothing (a form to fill, a
    /// first look, a request in flight) or is a retry of a change already
    /// sent.
    fn guarded(&self, _cx: &Cx<'_>) -> Option<Guarded> {
        None
    }

    /// The collision guard showed what changed and read the account again:
    /// the change now goes against this version (its ETag), knowingly.
    fn rebase(&mut self, _account: &Versioned<Account>) {}

    /// Draws it over `area` (a view: the body; a dialog: over the view).
    /// A dialog by default is its view model in a box, as
    /// [`Component::form`] says (see
    /// [`screens::form_dialog`](super::screens::form_dialog)).
    fn render(&self, frame: &mut Frame<'_>, area: Rect, shared: &Shared<'_>) {
        super::screens::form_dialog(&self.model(shared), frame, area, shared, &self.form());
    }

    /// How a dialog's box is drawn: its size, its cursor, its scroll.
    fn form(&self) -> Form {
        Form::new(76, 10)
    }

    /// What it says, as data (`view_model`), masked as drawn.
    fn model(&self, shared: &Shared<'_>) -> ViewModel;

    /// Every view model it shows, one per panel: by default its one
    /// [`Component::model`] (the account adds its ticket pane's).
    fn view(&self, shared: &Shared<'_>) -> Vec<ViewModel> {
        vec![self.model(shared)]
    }
}

/// Declares, from one line per component, [`Shown`] (the views above the
/// queue, boxed), [`View`] (the queue, then each of them), [`Overlay`] (the
/// dialogs, boxed), [`ScreenKind`] (every view's screens with their keys,
/// then one per dialog) and their dispatch.
macro_rules! components {
    (
        bottom $bottom:ident($bottom_state:ty) [$( $bottom_kind:ident = $bottom_spec:expr ),+ $(,)?];
        views { $( $view:ident($view_state:ty) [$( $view_kind:ident = $view_spec:expr ),+ $(,)?], )* }
        dialogs { $( $dialog:ident($dialog_state:ty), )* }
    ) => {
        /// A view above the queue.
        pub enum Shown {
            $( $view(Box<$view_state>), )*
        }

        $(
            impl From<$view_state> for Shown {
                fn from(state: $view_state) -> Self {
                    Shown::$view(Box::new(state))
                }
            }
        )*

        /// Which view is in front.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum View {
            $bottom,
            $( $view, )*
        }

        impl Shown {
            pub fn component(&self) -> &dyn Component {
                match self { $( Shown::$view(state) => state.as_ref(), )* }
            }

            pub fn component_mut(&mut self) -> &mut dyn Component {
                match self { $( Shown::$view(state) => state.as_mut(), )* }
            }

            pub fn kind(&self) -> View {
                match self { $( Shown::$view(_) => View::$view, )* }
            }
        }

        /// The dialog over the current view, if any.
        pub enum Overlay {
            $( $dialog(Box<$dialog_state>), )*
        }

        $(
            impl From<$dialog_state> for Overlay {
                fn from(state: $dialog_state) -> Self {
                    Overlay::$dialog(Box::new(state))
                }
            }
        )*

        impl Overlay {
            /// The dialog itself.
            pub fn component(&self) -> &dyn Component {
                match self { $( Overlay::$dialog(state) => state.as_ref(), )* }
            }

            pub fn component_mut(&mut self) -> &mut dyn Component {
                match self { $( Overlay::$dialog(state) => state.as_mut(), )* }
            }

            /// The screen whose keys apply while it is open.
            pub fn kind(&self) -> ScreenKind {
                self.component().screen()
            }
        }

        /// The screens (views and dialogs) that have keys of their own.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ScreenKind {
            $( $bottom_kind, )+
            $( $( $view_kind, )+ )*
            $( $dialog, )*
        }

        impl ScreenKind {
            /// Every screen, for checks over all of them.
            pub const ALL: &'static [ScreenKind] = &[
                $( ScreenKind::$bottom_kind, )+
                $( $( ScreenKind::$view_kind, )+ )*
                $( ScreenKind::$dialog, )*
            ];

            /// What the screen declares: title, keys, text, PHI, presence.
            pub fn spec(self) -> ScreenSpec {
                match self {
                    $( ScreenKind::$bottom_kind => $bottom_spec, )+
                    $( $( ScreenKind::$view_kind => $view_spec, )+ )*
                    $( ScreenKind::$dialog => <$dialog_state>::SPEC, )*
                }
            }
        }
    };
}

// The one registration line of each view (with its screens and their
// keys) and of each dialog (its screen is its name, its keys its `SPEC`).
components! {
    bottom Queue(QueueState) [Queue = crate::keys::QUEUE, QueueFilter = QueueState::FILTER];
    views {
        Search(SearchState) [Search = SearchState::SPEC],
        Account(AccountState) [Account = crate::keys::ACCOUNT, Ticket = crate::keys::TICKET],
    }
    dialogs {
        Help(HelpState),
        DobCompare(DobCompareState),
        Resend(ResendState),
        EditDob(EditDobState),
        Palette(PaletteState),
        Note(NoteState),
        Timeline(TimelineState),
        Revoke(RevokeState),
        Addresses(AddressesState),
        Fix(FixState),
        TicketPicker(TicketPickerState),
        Reply(ReplyState),
    }
}

#[cfg(test)]
mod what_each_dialog_is {
    use super::ScreenKind;
    use crate::portal::model::PresenceMode;

    /// Each dialog declares in its own file (its `SPEC`) whether it shows
    /// PHI and what others see it doing; nothing else lists them.
    #[test]
    fn each_dialog_declares_phi_and_presence_in_its_spec() {
        use ScreenKind::*;
        let phi: Vec<ScreenKind> = ScreenKind::ALL.iter().copied().filter(|k| k.shows_phi()).collect();
        assert_eq!(phi, [DobCompare, Resend, EditDob, Timeline, Addresses, Fix, Reply]);
        let of = |mode| ScreenKind::ALL.iter().copied().filter(|k| k.spec().presence == mode).collect::<Vec<_>>();
        assert_eq!(of(PresenceMode::Changing), [Resend, EditDob, Revoke, Addresses, Fix]);
        assert_eq!(of(PresenceMode::Replying), [Note, Reply]);
        assert!(of(PresenceMode::Changing).iter().all(|k| k.spec().guarded()));
    }
}
