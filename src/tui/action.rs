//! What enters the state machine ([`Msg`]) and what leaves it ([`Effect`]).

use crossterm::event::{KeyEvent, MouseEvent};

use crate::portal::model::{Account, AccountPatch, AccountSummary, AuditEntry, Invite, Page, ResendRequest, Ticket};
use crate::portal::{AccountQuery, IdempotencyKey, PortalError, Versioned};

/// Tags a request so its answer can be matched to it (and stale answers
/// dropped).
pub type ReqId = u64;

/// A user intent, bound to keys by the keymap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    Back,
    Up,
    Down,
    Top,
    Bottom,
    Open,
    Search,
    Resend,
    DobCompare,
    EditDob,
    NextTicket,
    Refresh,
    Help,
    Reveal,
    ToggleMouse,
    Confirm,
    NextField,
    PrevField,
}

/// Everything the state machine reacts to.
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Paste(String),
    Resize,
    /// A second passed while a countdown is on screen.
    Tick,
    /// The debounce of search request `ReqId` ran out.
    SearchDue(ReqId),
    /// No input for the idle-lock time: hide everything.
    IdleLock,
    Loaded(Loaded),
}

/// Answers from the portal.
#[derive(Debug)]
pub enum Loaded {
    Tickets(ReqId, Result<Vec<Ticket>, PortalError>),
    Search(ReqId, Result<Page<AccountSummary>, PortalError>),
    Account(ReqId, Result<Versioned<Account>, PortalError>),
    Invites(ReqId, Result<Vec<Invite>, PortalError>),
    Audit(ReqId, Result<Vec<AuditEntry>, PortalError>),
    Resent(ReqId, Result<Invite, PortalError>),
    AccountSaved(ReqId, Result<Versioned<Account>, PortalError>),
}

impl Loaded {
    /// What answered, for the log.
    pub fn kind(&self) -> &'static str {
        match self {
            Loaded::Tickets(..) => "tickets",
            Loaded::Search(..) => "search",
            Loaded::Account(..) => "account",
            Loaded::Invites(..) => "invites",
            Loaded::Audit(..) => "audit",
            Loaded::Resent(..) => "resend",
            Loaded::AccountSaved(..) => "account change",
        }
    }

    /// The error, if the request failed.
    pub fn error(&self) -> Option<&PortalError> {
        match self {
            Loaded::Resent(_, Err(e)) | Loaded::AccountSaved(_, Err(e)) => Some(e),
            other => other.read_error(),
        }
    }

    /// The error of a failed read (a failed change is shown in its dialog).
    pub fn read_error(&self) -> Option<&PortalError> {
        match self {
            Loaded::Tickets(_, Err(e)) | Loaded::Search(_, Err(e)) | Loaded::Account(_, Err(e)) => Some(e),
            Loaded::Invites(_, Err(e)) | Loaded::Audit(_, Err(e)) => Some(e),
            _ => None,
        }
    }
}

/// What the state machine asks the outside world to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    LoadTickets(ReqId),
    /// Send `SearchDue(req)` after the debounce delay.
    DebounceSearch(ReqId),
    Search(ReqId, AccountQuery),
    LoadAccount(ReqId, String),
    LoadInvites(ReqId, String),
    LoadAudit(ReqId, String),
    Resend {
        req: ReqId,
        account_id: String,
        request: ResendRequest,
        key: IdempotencyKey,
    },
    SaveAccount {
        req: ReqId,
        account_id: String,
        etag: String,
        patch: AccountPatch,
        key: IdempotencyKey,
    },
    SetMouse(bool),
    Suspend,
    Quit,
}

impl Effect {
    /// What it does, for the log (no values).
    pub fn kind(&self) -> &'static str {
        match self {
            Effect::LoadTickets(_) => "load tickets",
            Effect::DebounceSearch(_) => "debounce search",
            Effect::Search(..) => "search",
            Effect::LoadAccount(..) => "load account",
            Effect::LoadInvites(..) => "load invites",
            Effect::LoadAudit(..) => "load audit",
            Effect::Resend { .. } => "resend",
            Effect::SaveAccount { .. } => "save account",
            Effect::SetMouse(_) => "mouse",
            Effect::Suspend => "suspend",
            Effect::Quit => "quit",
        }
    }
}
