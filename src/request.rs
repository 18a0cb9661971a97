//! Every portal call, declared once: its [`Request`], its [`Answer`] and
//! how [`perform`] makes it. The console's runner, the tests' `settle`,
//! the remedy runner (`crate::fix`) and every CLI command call [`perform`]
//! (the CLI and `fix` through the typed functions of [`calls`]), so there
//! is one request path and one retry policy:
//!
//! - a read is retried by the client ([`PortalClient`]'s GETs, with
//!   backoff), never again here;
//! - a change ([`Class::Change`]) whose answer may have been lost
//!   ([`may_retry`]) is sent again with the same Idempotency-Key (the key is
//!   a field of the request, which is cloned), at most [`RETRIES`] more
//!   times, after 300 ms then 600 ms: the portal answers a repeat by what it
//!   did the first time, so it is done once;
//! - a probe is not retried (it is asked again on its own schedule).
//!
//! Adding a call is one entry in the `portal_calls!` list below (and, for
//! a change, its log line in [`Request::log`]).

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;

use crate::diagnose::remedy::Plan;
use crate::diagnose::replies::Replies;
use crate::fix::{Progress, Standing, Stopped};
use crate::portal::client::AuditFilter;
use crate::portal::model::{
    Account, AccountId, AccountPatch, AccountSummary, AuditAction, AuditEntry, ETag, Invite, InviteId, NewNote,
    NewReply, Page, PresenceMode, ResendRequest, RevokeRequest, StaffMember, Ticket, TicketId, TicketMessage,
    TicketNote, TicketPatch,
};
use crate::portal::{
    AccountQuery, ApiToken, Backoff, ClientOptions, IdempotencyKey, PortalClient, PortalError, TicketQuery, Versioned,
};

/// Extra tries of a change that may not have reached the portal, or whose
/// answer was lost (each with the change's own key).
pub const RETRIES: u32 = 2;

/// The wait before a change is tried again with its key: 300 ms, then
/// 600 ms.
pub const RETRY_BACKOFF: Backoff =
    Backoff { base: Duration::from_millis(300), max: Duration::from_millis(600), jitter: false };

/// Whether a change that failed so may be tried again with its key: it may
/// not have reached the portal, or its answer was lost.
pub fn may_retry(error: &PortalError) -> bool {
    matches!(
        error,
        PortalError::Timeout
            | PortalError::Dropped
            | PortalError::Unreachable
            | PortalError::Server { .. }
            | PortalError::Decode { .. }
    )
}

/// What kind of call a request is: a failed read says so across the top, a
/// failed change in its dialog, and a probe only moves the offline state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Read,
    Change,
    Probe,
}

/// Declares the calls: for each, its name (and its typed function's in
/// [`calls`]), its fields, the type of its answer, its class, its name for
/// the log, and the client call that makes it.
macro_rules! portal_calls {
    ($(
        $(#[$meta:meta])*
        $name:ident($fname:ident) { $($(#[$fmeta:meta])* $field:ident : $ty:ty),* $(,)? } -> $answer:ty, $class:ident, $kind:literal,
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

        /// Makes one call once (no retry of its own: [`perform`] retries).
        async fn attempt(client: &PortalClient, request: Request) -> Answer {
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

            pub fn class(&self) -> Class {
                match self { $( Request::$name { .. } => Class::$class, )* }
            }
        }

        /// Each call as a typed function: it builds the [`Request`], makes
        /// it through [`perform`] (so with its retry policy) and answers
        /// what the call answers. Never panics: an answer of another kind
        /// (which [`perform`] does not give) is a [`PortalError::Decode`].
        pub mod calls {
            use super::*;
            $(
                #[doc = concat!("[`Request::", stringify!($name), "`] through [`perform`].")]
                pub async fn $fname(client: &PortalClient, $($field: $ty),*) -> Result<$answer, PortalError> {
                    match perform(client, Request::$name { $($field),* }).await {
                        Answer::$name(result) => result,
                        #[allow(unreachable_patterns)]
                        other => Err(wrong_answer(stringify!($name), &other)),
                    }
                }
            )*
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
    Tickets(tickets) { query: TicketQuery } -> Page<Ticket>, Read, "tickets", |c| c.ticket_page(&query).await;
    Search(search) { query: AccountQuery } -> Page<AccountSummary>, Read, "search", |c| c.search_accounts(&query).await;
    Account(account) { account_id: AccountId } -> Versioned<Account>, Read, "account", |c| c.account(&account_id).await;
    Invites(invites) { account_id: AccountId } -> Vec<Invite>, Read, "invites", |c| c.invites(&account_id).await;
    Audit(audit) { account_id: AccountId } -> Vec<AuditEntry>, Read, "audit", |c| c.audit(Some(&account_id), None).await;
    Resend(resend) { account_id: AccountId, request: ResendRequest, key: IdempotencyKey } -> Invite, Change, "resend",
        |c| c.resend(&account_id, &request, &key).await;
    SaveAccount(save_account) { account_id: AccountId, etag: ETag, patch: AccountPatch, key: IdempotencyKey }
        -> Versioned<Account>, Change, "account change",
        |c| c.update_account(&account_id, &etag, &patch, &key).await;
    /// Revokes an invite; the answer carries the account's new ETag. Its
    /// three ids are three types: filled in the wrong order, it does not
    /// compile.
    Revoke(revoke) {
        account_id: AccountId,
        invite_id: InviteId,
        /// The account's ETag (If-Match).
        etag: ETag,
        request: RevokeRequest,
        key: IdempotencyKey,
    } -> Versioned<Invite>, Change, "revoke",
        |c| c.revoke_invite(&account_id, &invite_id, &etag, &request, &key).await;
    AddNote(add_note) { ticket_id: TicketId, note: NewNote, key: IdempotencyKey } -> (), Change, "note",
        |c| c.add_note(&ticket_id, &note, &key).await.map(|_| ());
    /// A ticket's notes and who asks: the note dialog's read after a lost
    /// answer (whether the note was stored). Its answer goes to the dialog.
    Notes(notes) { ticket_id: TicketId } -> Box<NotesRead>, Read, "notes", |c| notes_read(c, &ticket_id).await;
    /// One ticket with its ETag, and the staff id of the one asking (to
    /// tell a ticket of one's own from one claimed by someone else).
    Ticket(ticket) { ticket_id: TicketId } -> Box<(Versioned<Ticket>, String)>, Read, "ticket",
        |c| ticket_for_me(c, &ticket_id).await;
    /// A ticket's conversation, oldest first.
    Messages(messages) { ticket_id: TicketId } -> Vec<TicketMessage>, Read, "messages", |c| c.messages(&ticket_id).await;
    /// Claims, releases or moves a ticket, if it is still at `etag`.
    UpdateTicket(update_ticket) { ticket_id: TicketId, etag: ETag, patch: TicketPatch, key: IdempotencyKey }
        -> Box<Versioned<Ticket>>, Change, "ticket change",
        |c| c.update_ticket(&ticket_id, &etag, &patch, &key).await.map(Box::new);
    /// A public reply to the client, emailed once per key.
    Reply(reply) { ticket_id: TicketId, reply: NewReply, key: IdempotencyKey } -> TicketMessage, Change, "reply",
        |c| c.reply(&ticket_id, &reply, &key).await;
    /// The reply composer's own read of a ticket: when it opens (what the
    /// agent saw), before it sends (the collision guard) and after a lost
    /// answer (whether the reply went). Its answer goes to the dialog.
    Conversation(conversation) { ticket_id: TicketId } -> Box<Conversation>, Read, "conversation",
        |c| conversation(c, &ticket_id).await;
    /// Runs a remedy plan's steps not yet done (`crate::fix::run`); the
    /// answer is the progress, with where it stopped if it did.
    /// (A fix's own answer carries no error: each of its steps is a change
    /// of its own, retried by [`perform`].)
    Fix(fix) { account_id: AccountId, plan: Box<Plan>, progress: Progress, replies: Box<Replies> } -> Box<FixRun>, Change, "fix",
        |c| Ok(run_fix(c, &account_id, &plan, &replies, progress).await);
    /// While offline: does the portal answer again?
    Probe(probe) {} -> (), Probe, "reconnect", |c| c.me().await.map(|_| ());
    /// The lock screen's token (`lock_requires_login`): whether the portal
    /// takes it and it is the same staff member's as the console's own.
    Unlock(unlock) { token: ApiToken } -> bool, Probe, "unlock", |c| same_staff(c, token).await;
    /// Who this console is (its own presence is left out of the viewers).
    Me(me) {} -> StaffMember, Probe, "me", |c| c.me().await;
    /// This console is on a ticket (a heartbeat).
    Presence(presence) { ticket_id: TicketId, mode: PresenceMode } -> (), Probe, "presence",
        |c| c.presence(&ticket_id, mode).await;
    /// The client's details were revealed on a ticket's screen (audited
    /// once per ticket opened).
    RevealAudit(reveal_audit) { ticket_id: TicketId } -> (), Probe, "reveal audit", |c| c.revealed(&ticket_id).await;
    /// This console left a ticket.
    LeavePresence(leave_presence) { ticket_id: TicketId } -> (), Probe, "leave presence", |c| c.leave_presence(&ticket_id).await;
    /// The collision guard's read of an account before a change: the
    /// account, its invites and audit trail, and who this console is.
    GuardRead(guard_read) { account_id: AccountId } -> Box<GuardRead>, Probe, "guard read",
        |c| guard_read(c, &account_id).await;
    /// Every ticket a query finds (its cursor and limit aside), oldest
    /// first, page after page under the paging guard (the CLI's lists).
    AllTickets(all_tickets) { query: TicketQuery } -> Vec<Ticket>, Read, "all tickets", |c| c.tickets_where(query).await;
    /// One ticket with its ETag, alone.
    ReadTicket(read_ticket) { ticket_id: TicketId } -> Box<Versioned<Ticket>>, Read, "ticket alone",
        |c| c.ticket(&ticket_id).await.map(Box::new);
    /// A ticket's internal notes, oldest first, alone.
    TicketNotes(ticket_notes) { ticket_id: TicketId } -> Vec<TicketNote>, Read, "ticket notes",
        |c| c.notes(&ticket_id).await;
    /// One page of the audit trail, newest first, with the size of the
    /// answer (for the paging guard).
    AuditPage(audit_page) { query: AuditPageQuery } -> (Vec<AuditEntry>, usize), Read, "audit page",
        |c| c.audit_page(&query.filter(), query.before, query.limit).await;
    /// What a remedy's steps start from: the account, its invites and
    /// audit trail, who is asking, and the ticket with its conversation.
    Standing(standing) { account_id: AccountId, ticket_id: Option<TicketId> } -> Box<Standing>, Read, "standing",
        |c| read_standing(c, &account_id, ticket_id.as_ref()).await;
}

/// Makes one call and returns its answer, under the one retry policy (see
/// the module's head): a change whose answer may have been lost is sent
/// again with its key. Never panics: every failure is in the answer.
pub async fn perform(client: &PortalClient, request: Request) -> Answer {
    if !request.retried() {
        return attempt(client, request).await;
    }
    let mut tries = 0;
    loop {
        if tries >= RETRIES {
            return attempt(client, request).await;
        }
        let answer = attempt(client, request.clone()).await;
        match answer.error() {
            Some(error) if may_retry(error) => {
                tracing::info!(
                    request = request.kind(),
                    error = error.kind(),
                    retry = tries + 1,
                    "change retried with its key"
                );
                tokio::time::sleep(RETRY_BACKOFF.delay(tries)).await;
                tries += 1;
            }
            _ => return answer,
        }
    }
}

impl Request {
    /// Whether [`perform`] tries it again with its key: a change, but not
    /// a fix (each of its steps is retried on its own; its answer carries
    /// no error).
    fn retried(&self) -> bool {
        self.class() == Class::Change && !matches!(self, Request::Fix { .. })
    }
}

/// The error of a typed call answered by another kind of answer (which
/// [`perform`] never gives).
fn wrong_answer(asked: &'static str, answer: &Answer) -> PortalError {
    PortalError::Decode { what: format!("the answer to {asked} came as the answer to {}", answer.kind()) }
}

/// What a run of a plan did: each step's state, and the step it stopped
/// at (with why), if it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixRun {
    pub progress: Progress,
    pub stopped: Option<Stopped>,
}

/// Runs what is left of a plan; a failure part-way is in the answer, with
/// the progress made (never lost: a retry reuses its keys). (Boxed: the
/// run makes its steps through [`perform`], which makes this.)
fn run_fix<'a>(
    client: &'a PortalClient,
    account_id: &'a AccountId,
    plan: &'a Plan,
    replies: &'a Replies,
    mut progress: Progress,
) -> BoxFuture<'a, Box<FixRun>> {
    Box::pin(async move {
        let stopped = crate::fix::run(client, account_id, plan, replies, &mut progress, |_, _| {}).await.err();
        Box::new(FixRun { progress, stopped })
    })
}

/// Which page of the audit trail to read: its filter (owned, to be part of
/// a [`Request`]), the entry to read back from (`before`, exclusive) and
/// how many entries at most.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditPageQuery {
    /// Only entries about this account.
    pub account_id: Option<AccountId>,
    /// Only entries made by this staff id.
    pub actor: Option<String>,
    /// Only entries at or after this instant.
    pub since: Option<DateTime<Utc>>,
    /// Only entries before this instant.
    pub until: Option<DateTime<Utc>>,
    pub before: Option<i64>,
    pub limit: u32,
}

impl AuditPageQuery {
    fn filter(&self) -> AuditFilter<'_> {
        AuditFilter {
            account_id: self.account_id.as_ref(),
            actor: self.actor.as_deref(),
            since: self.since,
            until: self.until,
        }
    }
}

/// Reads a remedy's [`Standing`] (its reads at once; the ticket's only
/// when there is one).
async fn read_standing(
    client: &PortalClient,
    account_id: &AccountId,
    ticket_id: Option<&TicketId>,
) -> Result<Box<Standing>, PortalError> {
    let ticket = async {
        match ticket_id {
            Some(id) => futures::try_join!(client.ticket(id), client.messages(id)).map(Some),
            None => Ok(None),
        }
    };
    let (account, invites, audit, ticket, me) = futures::try_join!(
        client.account(account_id),
        client.invites(account_id),
        client.audit(Some(account_id), None),
        ticket,
        client.me(),
    )?;
    Ok(Box::new(Standing { account, invites, audit, ticket, me: me.id }))
}

/// The collision guard's read of an account before a change: the account,
/// its invites and audit trail, and who this console is. (No `Debug` of
/// the values: the account holds PHI.)
pub struct GuardRead {
    pub account: Versioned<Account>,
    pub invites: Vec<Invite>,
    pub audit: Vec<AuditEntry>,
    pub me: String,
}

impl fmt::Debug for GuardRead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GuardRead").field("invites", &self.invites.len()).field("audit", &self.audit.len()).finish()
    }
}

/// Reads what the guard compares, in one go.
async fn guard_read(client: &PortalClient, account_id: &AccountId) -> Result<Box<GuardRead>, PortalError> {
    let (account, invites, audit, me) = futures::try_join!(
        client.account(account_id),
        client.invites(account_id),
        client.audit(Some(account_id), None),
        client.me(),
    )?;
    Ok(Box::new(GuardRead { account, invites, audit, me: me.id }))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changes_are_retried_here_and_only_when_the_answer_may_be_lost() {
        let account_id = AccountId::from("acc_1");
        let key = IdempotencyKey::new();
        let resend = Request::Resend { account_id: account_id.clone(), request: ResendRequest::default(), key };
        assert!(resend.retried(), "a change is retried with its key");
        assert!(!Request::Account { account_id }.retried(), "a read is retried by the client, not twice");
        assert!(!Request::Probe {}.retried(), "a probe is not retried");
        for lost in [PortalError::Timeout, PortalError::Dropped, PortalError::Unreachable] {
            assert!(may_retry(&lost), "{lost:?}");
        }
        assert!(may_retry(&PortalError::Server { status: 503, title: "x".into() }));
        assert!(may_retry(&PortalError::Decode { what: "x".into() }));
        assert!(!may_retry(&PortalError::Stale) && !may_retry(&PortalError::Unauthorized));
        assert!(!may_retry(&PortalError::Invalid { status: 409, detail: "x".into() }));
        let waits: Vec<_> = (0..RETRIES).map(|n| RETRY_BACKOFF.delay(n).as_millis()).collect();
        assert_eq!(waits, [300, 600]);
    }

    #[test]
    fn a_typed_call_answered_by_another_kind_is_an_error_not_a_panic() {
        let error = wrong_answer("Resend", &Answer::Probe(Ok(())));
        assert!(matches!(error, PortalError::Decode { .. }), "{error:?}");
    }
}
