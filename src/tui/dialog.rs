//! One protocol for every dialog over a view. A dialog is one file in
//! `screens/` whose state implements [`Dialog`] (what it does) and has a
//! `SPEC` (its title, its keys, whether it takes text); the
//! `dialogs!` list below is its one registration line, which makes it a
//! variant of [`Overlay`] and of [`ScreenKind`] and routes the console's
//! generic calls to it. A dialog reads the console through a [`Cx`] and
//! answers with an [`Outcome`], which the app applies in one place.

use std::fmt;

use chrono::{DateTime, Utc};
use crossterm::event::Event;
use ratatui::Frame;
use ratatui::layout::Rect;
use tui_input::Input;

use super::action::{Action, Answer, Effect, ReqId};
use super::keymap::{self, Keymap, ScreenSpec};
use super::live::Guarded;
use super::view_model::ViewModel;
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
use super::screens::reply::ReplyState;
use super::screens::resend::ResendState;
use super::screens::revoke::RevokeState;
use super::screens::submission::Unconfirmed;
use super::screens::ticket_picker::TicketPickerState;
use super::screens::timeline::TimelineState;
use super::screens::{Ui, paste_into_max, type_into};

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

/// What a dialog sees of the console under it when it draws.
pub struct Under<'a> {
    /// The open account, if any.
    pub account: Option<&'a AccountState>,
    /// Whether the account's email and DOB are revealed: dialogs show them
    /// only then, so they mask again with it.
    pub revealed: bool,
    /// The screen of the view under the dialog.
    pub screen: ScreenKind,
    /// What others changed since the agent read the account, when the
    /// collision guard holds the change back (shown in the dialog).
    pub collision: Option<&'a str>,
    /// What others did to the account or its ticket lately, said as the
    /// dialog opens (until the guard shows what changed since).
    pub lately: Option<&'a str>,
}

/// What a dialog may read or use of the console while it takes an action
/// or an answer.
pub struct Cx<'a> {
    /// The open account, if any.
    pub account: Option<&'a AccountState>,
    pub now: DateTime<Utc>,
    /// The keys in force.
    pub keys: &'a Keymap,
    /// The screen of the view under the dialog.
    pub under: ScreenKind,
    /// Changes whose outcome was never seen, with their keys (kept
    /// across dialogs).
    pub unconfirmed: &'a mut Unconfirmed,
    next_req: &'a mut ReqId,
}

impl<'a> Cx<'a> {
    pub fn new(
        account: Option<&'a AccountState>,
        now: DateTime<Utc>,
        keys: &'a Keymap,
        under: ScreenKind,
        unconfirmed: &'a mut Unconfirmed,
        next_req: &'a mut ReqId,
    ) -> Self {
        Self { account, now, keys, under, unconfirmed, next_req }
    }

    /// A fresh request id, for a request the dialog sends.
    pub fn req(&mut self) -> ReqId {
        *self.next_req += 1;
        *self.next_req
    }
}

/// What the app does after a dialog took an action or an answer, beyond
/// running effects.
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

/// What a dialog wants after an action or an answer: whether it closes,
/// effects to run, a banner, and what the app does next, in order.
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

/// A dialog over a view.
pub trait Dialog {
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

    /// An action bound to one of its keys. By default Back closes it.
    fn on_action(&mut self, action: Action, _cx: &mut Cx<'_>) -> Outcome {
        Outcome::back(action, false)
    }

    /// The portal's answer to request `req`; `None` when it was not the
    /// request it awaits.
    fn on_answer(&mut self, _req: ReqId, _answer: Answer, _cx: &mut Cx<'_>) -> Option<Outcome> {
        None
    }

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

    /// Whether a countdown shows in it (the 1 Hz tick runs only then);
    /// `None` leaves it to the view under it.
    fn countdown(&self) -> Option<bool> {
        Some(false)
    }

    /// Draws it over `area`.
    fn render(&self, under: &Under<'_>, frame: &mut Frame<'_>, area: Rect, ui: &Ui<'_>);

    /// What it says, as data (`view_model`): the plain renderer reads it
    /// out; masked as [`Dialog::render`] masks.
    fn view(&self, under: &Under<'_>, ui: &Ui<'_>) -> ViewModel;
}

/// Declares [`Overlay`] (one variant per dialog, boxed), [`ScreenKind`]
/// (the three views, then one per dialog) and their dispatch.
macro_rules! dialogs {
    ($( $variant:ident($state:ty), )*) => {
        /// The dialog over the current view, if any.
        pub enum Overlay {
            $( $variant(Box<$state>), )*
        }

        $(
            impl From<$state> for Overlay {
                fn from(state: $state) -> Self {
                    Overlay::$variant(Box::new(state))
                }
            }
        )*

        impl Overlay {
            /// The dialog itself.
            pub fn dialog(&self) -> &dyn Dialog {
                match self { $( Overlay::$variant(state) => state.as_ref(), )* }
            }

            pub fn dialog_mut(&mut self) -> &mut dyn Dialog {
                match self { $( Overlay::$variant(state) => state.as_mut(), )* }
            }

            /// The screen whose keys apply while it is open.
            pub fn kind(&self) -> ScreenKind {
                match self { $( Overlay::$variant(_) => ScreenKind::$variant, )* }
            }
        }

        /// The screens (views and dialogs) that have keys of their own.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ScreenKind {
            Queue,
            Search,
            Account,
            /// The account with its ticket pane.
            Ticket,
            /// The queue's `/` line.
            QueueFilter,
            $( $variant, )*
        }

        impl ScreenKind {
            /// Every screen, for checks over all of them.
            pub const ALL: &'static [ScreenKind] =
                &[
                    ScreenKind::Queue,
                    ScreenKind::Search,
                    ScreenKind::Account,
                    ScreenKind::Ticket,
                    ScreenKind::QueueFilter,
                    $( ScreenKind::$variant, )*
                ];

            /// What the screen declares: title, keys, text.
            pub fn spec(self) -> ScreenSpec {
                match self {
                    ScreenKind::Queue => keymap::QUEUE,
                    ScreenKind::Search => keymap::SEARCH,
                    ScreenKind::Account => keymap::ACCOUNT,
                    ScreenKind::Ticket => keymap::TICKET,
                    ScreenKind::QueueFilter => keymap::QUEUE_FILTER,
                    $( ScreenKind::$variant => <$state>::SPEC, )*
                }
            }
        }
    };
}

dialogs! {
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
