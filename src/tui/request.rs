//! Every portal call the console makes, declared once: its [`Request`], its
//! [`Answer`] and how [`perform`] makes it. The console's runner and the
//! tests' `settle` both call [`perform`], so there is one request path.
//!
//! Adding a call is one entry in the `portal_calls!` list below (and, for
//! a change, its log line in [`Request::log`]).

use std::fmt;

use crate::diagnose::remedy::Plan;
use crate::diagnose::replies::Replies;
use crate::fix::{Progress, Stopped};
use crate::portal::model::{
    Account, AccountId, AccountPatch, AccountSummary, AuditAction, AuditEntry, ETag, Invite, InviteId, NewNote,
    NewReply, Page, PresenceMode, ResendRequest, RevokeRequest, StaffMember, Ticket, TicketId, TicketMessage,
    TicketNote, TicketPatch,
};
use crate::portal::{
    AccountQuery, ApiToken, ClientOptions, IdempotencyKey, PortalClient, PortalError, TicketQuery, Versioned,
};
use crate::tui::live::GuardRead;

/// What kind of call a request is: a failed read says so across the top, a
/// failed change in its dialog, and a probe only moves the offline state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Read,
    Change,
    Probe,
}

/// Declares the calls: for each, its fields, the type of its answer, its
/// class, its name for the log, and the client call that makes it.
macro_rules! portal_calls {
    ($(
        $(#[$meta:meta])*
        $name:ident { $($(#[$fmeta:meta])* $field:ident : $ty:ty),* $(,)? } -> $answer:ty, $class:ident, $kind:literal,
            |$client:ident| $call:expr;
    )*) => {
        /// A call to the portal. (`Debug` is derived: every field that may
        /// hold client data has its own redacted `Debug`.)
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Request {
            $( $(#[$meta])* $name { $($(#[$fmeta])* $field: $ty),* }, )*
        }

        /// The answer to a [`Request`], under the same name. (`Debug` shows
        /// which answer and whether it failed and how, never the values.)
        pub enum Answer {
            $( $name(Result<$answer, PortalError>), )*
        }

        /// Makes one call and returns its answer. Never panics: every
        /// failure is in the answer.
        pub async fn perform(client: &PortalClient, request: Request) -> Answer {
            match request {
                $( Request::$name { $($field),* } => {
                    let $client = client;
                    Answer::$name($call)
                } )*
            }
        }

        impl Request {
            /// What it does, for the log (no values).
            pub fn kind(&self) -> &'static str {
                match self { $( Request::$name { .. } => $kind, )* }
            }
        }

        impl Answer {
            /// What answered, for the log.
            pub fn kind(&self) -> &'static str {
                match self { $( Answer::$name(_) => $kind, )* }
            }

            pub fn class(&self) -> Class {
                match self { $( Answer::$name(_) => Class::$class, )* }
            }

            /// The error, if the request failed.
            pub fn error(&self) -> Option<&PortalError> {
                match self { $( Answer::$name(result) => result.as_ref().err(), )* }
            }
        }
    };
}

portal_calls! {
    /// One page of tickets: the queue's (under its filter), or an
    /// account's (to attach an account opened from search to its ticket).
    Tickets { query: TicketQuery } -> Page<Ticket>, Read, "tickets", |c| c.ticket_page(&query).await;
    Search { query: AccountQuery } -> Page<AccountSummary>, Read, "search", |c| c.search_accounts(&query).await;
    Account { account_id: AccountId } -> Versioned<Account>, Read, "account", |c| c.account(&account_id).await;
    Invites { account_id: AccountId } -> Vec<Invite>, Read, "invites", |c| c.invites(&account_id).await;
    Audit { account_id: AccountId } -> Vec<AuditEntry>, Read, "audit", |c| c.audit(Some(&account_id), None).await;
    Resend { account_id: AccountId, request: ResendRequest, key: IdempotencyKey } -> Invite, Change, "resend",
        |c| c.resend(&account_id, &request, &key).await;
    SaveAccount { account_id: AccountId, etag: ETag, patch: AccountPatch, key: IdempotencyKey }
        -> Versioned<Account>, Change, "account change",
        |c| c.update_account(&account_id, &etag, &patch, &key).await;
    /// Revokes an invite; the answer carries the account's new ETag. Its
    /// three ids are three types: filled in the wrong order, it does not
    /// compile.
    Revoke {
        account_id: AccountId,
        invite_id: InviteId,
        /// The account's ETag (If-Match).
        etag: ETag,
        request: RevokeRequest,
        key: IdempotencyKey,
    } -> Versioned<Invite>, Change, "revoke",
        |c| c.revoke_invite(&account_id, &invite_id, &etag, &request, &key).await;
    AddNote { ticket_id: TicketId, note: NewNote, key: IdempotencyKey } -> (), Change, "note",
        |c| c.add_note(&ticket_id, &note, &key).await.map(|_| ());
    /// A ticket's notes and who asks: the note dialog's read after a lost
    /// answer (whether the note was stored). Its answer goes to the dialog.
    Notes { ticket_id: TicketId } -> Box<NotesRead>, Read, "notes", |c| notes_read(c, &ticket_id).await;
    /// One ticket with its ETag, and the staff id of the one asking (to
    /// tell a ticket of one's own from one claimed by someone else).
    Ticket { ticket_id: TicketId } -> Box<(Versioned<Ticket>, String)>, Read, "ticket",
        |c| ticket_for_me(c, &ticket_id).await;
    /// A ticket's conversation, oldest first.
    Messages { ticket_id: TicketId } -> Vec<TicketMessage>, Read, "messages", |c| c.messages(&ticket_id).await;
    /// Claims, releases or moves a ticket, if it is still at `etag`.
    UpdateTicket { ticket_id: TicketId, etag: ETag, patch: TicketPatch, key: IdempotencyKey }
        -> Box<Versioned<Ticket>>, Change, "ticket change",
        |c| c.update_ticket(&ticket_id, &etag, &patch, &key).await.map(Box::new);
    /// A public reply to the client, emailed once per key.
    Reply { ticket_id: TicketId, reply: NewReply, key: IdempotencyKey } -> TicketMessage, Change, "reply",
        |c| c.reply(&ticket_id, &reply, &key).await;
    /// The reply composer's own read of a ticket: when it opens (what the
    /// agent saw), before it sends (the collision guard) and after a lost
    /// answer (whether the reply went). Its answer goes to the dialog.
    Conversation { ticket_id: TicketId } -> Box<Conversation>, Read, "conversation",
        |c| conversation(c, &ticket_id).await;
    /// Runs a remedy plan's steps not yet done (`crate::fix::run`); the
    /// answer is the progress, with where it stopped if it did.
    Fix { account_id: AccountId, plan: Box<Plan>, progress: Progress, replies: Box<Replies> } -> Box<FixRun>, Change, "fix",
        |c| Ok(run_fix(c, &account_id, &plan, &replies, progress).await);
    /// While offline: does the portal answer again?
    Probe {} -> (), Probe, "reconnect", |c| c.me().await.map(|_| ());
    /// The lock screen's token (`lock_requires_login`): whether the portal
    /// takes it and it is the same staff member's as the console's own.
    Unlock { token: ApiToken } -> bool, Probe, "unlock", |c| same_staff(c, token).await;
    /// Who this console is (its own presence is left out of the viewers).
    Me {} -> StaffMember, Probe, "me", |c| c.me().await;
    /// This console is on a ticket (a heartbeat).
    Presence { ticket_id: TicketId, mode: PresenceMode } -> (), Probe, "presence",
        |c| c.presence(&ticket_id, mode).await;
    /// The client's details were revealed on a ticket's screen (audited
    /// once per ticket opened).
    RevealAudit { ticket_id: TicketId } -> (), Probe, "reveal audit", |c| c.revealed(&ticket_id).await;
    /// This console left a ticket.
    LeavePresence { ticket_id: TicketId } -> (), Probe, "leave presence", |c| c.leave_presence(&ticket_id).await;
    /// The collision guard's read of an account before a change: the
    /// account, its invites and audit trail, and who this console is.
    GuardRead { account_id: AccountId } -> Box<GuardRead>, Probe, "guard read",
        |c| crate::tui::live::guard_read(c, &account_id).await;
}

/// What a run of a plan did: each step's state, and the step it stopped
/// at (with why), if it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixRun {
    pub progress: Progress,
    pub stopped: Option<Stopped>,
}

/// Runs what is left of a plan; a failure part-way is in the answer, with
/// the progress made (never lost: a retry reuses its keys).
async fn run_fix(
    client: &PortalClient,
    account_id: &AccountId,
    plan: &Plan,
    replies: &Replies,
    mut progress: Progress,
) -> Box<FixRun> {
    let stopped = crate::fix::run(client, account_id, plan, replies, &mut progress, |_, _| {}).await.err();
    Box::new(FixRun { progress, stopped })
}

/// A ticket as the reply composer reads it: the ticket, the staff id of
/// the one asking, its conversation, and its audit trail's latest ticket
/// change or reply (who last set its status or assignee), if any. (No `Debug`: the
/// conversation is PHI.)
pub struct Conversation {
    pub ticket: Versioned<Ticket>,
    pub me: String,
    pub messages: Vec<TicketMessage>,
    pub last_change: Option<AuditEntry>,
}

/// Reads a [`Conversation`] (its four reads at once).
async fn conversation(client: &PortalClient, id: &TicketId) -> Result<Box<Conversation>, PortalError> {
    let (ticket, me, messages, audit) =
        futures::try_join!(client.ticket(id), client.me(), client.messages(id), client.audit(None, Some(id)))?;
    // A status is set by a ticket change or by a reply that sets it.
    let last_change =
        audit.into_iter().find(|e| matches!(e.action, AuditAction::TicketUpdated | AuditAction::ReplySent));
    Ok(Box::new(Conversation { ticket, me: me.id, messages, last_change }))
}

/// A ticket's notes, oldest first, and the staff id of the one asking.
/// (No `Debug`: a note may name the client.)
pub struct NotesRead {
    pub notes: Vec<TicketNote>,
    pub me: String,
}

/// Reads a [`NotesRead`] (its two reads at once).
async fn notes_read(client: &PortalClient, id: &TicketId) -> Result<Box<NotesRead>, PortalError> {
    let (notes, me) = futures::try_join!(client.notes(id), client.me())?;
    Ok(Box::new(NotesRead { notes, me: me.id }))
}

/// A ticket and the staff id of the one asking.
async fn ticket_for_me(client: &PortalClient, id: &TicketId) -> Result<Box<(Versioned<Ticket>, String)>, PortalError> {
    let ticket = client.ticket(id).await?;
    let me = client.me().await?;
    Ok(Box::new((ticket, me.id)))
}

/// Whether the portal accepts `token` (`me` with it) and it names the same
/// staff member as the console's own token. The token is used for these two
/// calls only: kept in memory, never written or logged (its `Debug` is
/// redacted).
async fn same_staff(client: &PortalClient, token: ApiToken) -> Result<bool, PortalError> {
    let checker = PortalClient::new(client.base_url().as_str(), token, ClientOptions::default())?;
    let typed = checker.me().await?;
    let own = client.me().await?;
    Ok(typed.id == own.id)
}

impl Request {
    /// One line per request: changes at info with the ids they touch (never
    /// a value), reads at debug.
    pub fn log(&self) {
        match self {
            Request::Resend { account_id, request, .. } => {
                tracing::info!(
                    account_id = account_id.as_str(),
                    ticket_id = ticket(&request.ticket_id),
                    "resend requested"
                );
            }
            Request::SaveAccount { account_id, patch, .. } => {
                tracing::info!(
                    account_id = account_id.as_str(),
                    ticket_id = ticket(&patch.ticket_id),
                    "DOB change requested"
                );
            }
            Request::AddNote { ticket_id, .. } => tracing::info!(ticket_id = ticket_id.as_str(), "note requested"),
            Request::UpdateTicket { ticket_id, patch, .. } => tracing::info!(
                ticket_id = ticket_id.as_str(),
                status = ?patch.status,
                assign = patch.assignee.is_some(),
                "ticket change requested"
            ),
            Request::Reply { ticket_id, reply, .. } => {
                tracing::info!(ticket_id = ticket_id.as_str(), status = ?reply.status, "reply requested")
            }
            Request::Revoke { account_id, invite_id, request, .. } => {
                tracing::info!(
                    account_id = account_id.as_str(),
                    invite_id = invite_id.as_str(),
                    ticket_id = ticket(&request.ticket_id),
                    "revoke requested"
                );
            }
            Request::Fix { account_id, plan, progress, .. } => tracing::info!(
                account_id = account_id.as_str(),
                ticket_id = ticket(&plan.ticket_id),
                finding = plan.finding.as_str(),
                steps = plan.steps.len(),
                done = progress.states.iter().filter(|s| s.is_done()).count(),
                "fix requested"
            ),
            other => tracing::debug!(effect = other.kind(), "request"),
        }
    }
}

/// An optional ticket id as a log field.
fn ticket(id: &Option<TicketId>) -> Option<&str> {
    id.as_ref().map(TicketId::as_str)
}

impl Answer {
    /// The error of a failed read (a failed change is shown in its dialog).
    pub fn read_error(&self) -> Option<&PortalError> {
        self.error().filter(|_| self.class() == Class::Read)
    }

    /// One line per answer: which request, and whether it failed and how.
    /// The kind and status only: the portal's own words (title, detail) may
    /// echo what was sent.
    pub fn log(&self) {
        match self.error() {
            Some(error) => {
                tracing::warn!(answer = self.kind(), error = error.kind(), status = error.status(), "request failed")
            }
            None => tracing::debug!(answer = self.kind(), "answer"),
        }
    }

    /// `Ok(<redacted>)`, or the error's kind and status.
    fn outcome(&self) -> String {
        match self.error() {
            None => "Ok(<redacted>)".to_owned(),
            Some(error) => match error.status() {
                Some(status) => format!("Err({}, {status})", error.kind()),
                None => format!("Err({})", error.kind()),
            },
        }
    }
}

impl fmt::Debug for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.kind(), self.outcome())
    }
}
