//! Runs a remedy [`Plan`] through the portal, step by step: the one
//! executor the console and the CLI share. Knows nothing of screens. Every
//! call goes through [`crate::request::perform`] (its typed
//! [`crate::request::calls`]), so a step whose answer was lost is retried
//! with its key there, as every change is.
//!
//! Each step carries its own Idempotency-Key, kept in [`Progress`] with
//! whether the step is done, so running the same progress again repeats
//! nothing that succeeded: a done step is skipped, and a step whose answer
//! was lost is sent again with its key (the portal answers it by what it did
//! the first time).
//!
//! Round trips: one read of everything the steps start from (the account,
//! its invites and audit trail, who is asking, the ticket and its
//! conversation, in parallel), then one call per step, each conditional on
//! what the one before answered (If-Match with the ETag it returned, a
//! resend with the newest invite seen); before the reply, one read back
//! (in parallel) of what the portal now shows, from which the reply is
//! written. A plan of `n` steps takes at most `n + 2` round trips (`n + 1`
//! from a [`Standing`] the caller has just read, with [`run_from`]).

use serde::Serialize;

use crate::diagnose::remedy::{self, Plan, Step};
use crate::diagnose::replies::Replies;
use crate::diagnose::troubleshoot::{Case, ClientWords};
use crate::phi::Phi;
use crate::portal::model::{
    Account, AccountId, AccountPatch, AuditEntry, Invite, InviteStatus, NewNote, NewReply, ResendRequest,
    RevokeRequest, Ticket, TicketMessage, TicketPatch, TicketStatus,
};
use crate::portal::{IdempotencyKey, PortalClient, PortalError, Versioned};
use crate::request::calls;

/// How a step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    NotDone,
    Done,
    /// Nothing needed doing: the portal already was as the step wants.
    AlreadyDone,
    Failed,
}

impl StepState {
    pub fn is_done(self) -> bool {
        matches!(self, StepState::Done | StepState::AlreadyDone)
    }
}

/// What has been done of one plan, with each step's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    keys: Vec<IdempotencyKey>,
    pub states: Vec<StepState>,
    /// The collision guard: the newest entry of the account's audit trail
    /// the agent had read (its `seq`). An entry after it by someone else
    /// stops the run before its next step ([`PortalError::Stale`]), so what
    /// changed is shown first. `None`: the trail read when the run starts
    /// is the one compared against before the reply.
    pub since: Option<i64>,
    /// The reply written after the steps must be the one approved (the
    /// plan's): when it differs, the run stops before sending it
    /// ([`Stop::ReplyChanged`]) and the new one is in `changed_reply`.
    /// `false` (the CLI's `--yes`): what is written after the steps goes.
    pub confirm_reply: bool,
    /// The reply written after the steps that differed from the approved.
    pub changed_reply: Option<Phi<String>>,
    /// The reply as sent (kept from its first try, so a retry sends the
    /// same body with the same key).
    pub sent_reply: Option<Phi<String>>,
    /// The agent knowingly takes over a ticket someone else has claimed.
    pub take_over: bool,
    /// The agent knowingly sends a reply the ticket already had
    /// (`"repeat": true`).
    pub repeat: bool,
}

impl Progress {
    /// Nothing done yet; a fresh key per step.
    pub fn new(plan: &Plan) -> Self {
        Self {
            keys: plan.steps.iter().map(|_| IdempotencyKey::new()).collect(),
            states: vec![StepState::NotDone; plan.steps.len()],
            since: None,
            confirm_reply: true,
            changed_reply: None,
            sent_reply: None,
            take_over: false,
            repeat: false,
        }
    }

    pub fn finished(&self) -> bool {
        self.states.iter().all(|s| s.is_done())
    }

    /// `2 of 4 steps`.
    pub fn done_count(&self) -> String {
        format!("{} of {} steps", self.states.iter().filter(|s| s.is_done()).count(), self.states.len())
    }
}

/// Why a run stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// The portal refused or did not answer ([`PortalError::Stale`]: someone
    /// else changed the account or ticket meanwhile).
    Failed(PortalError),
    /// The reply written from what the portal now shows is not the one
    /// approved: it is in [`Progress::changed_reply`], to approve again.
    ReplyChanged,
    /// Someone else has the ticket (their staff id): nothing is done
    /// without [`Progress::take_over`].
    ClaimedBy(String),
    /// The address on file bounced: a reply would not be read.
    Undeliverable,
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stop::Failed(e) => write!(f, "{e}"),
            Stop::ReplyChanged => {
                f.write_str("the reply written from what the portal now shows differs from the one approved")
            }
            Stop::ClaimedBy(who) => write!(f, "the ticket is {}'s", crate::sanitize::field(who)),
            Stop::Undeliverable => f.write_str("the address on file bounced: a reply there would not be read"),
        }
    }
}

/// Where a run stopped: the step and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stopped {
    pub step: usize,
    pub stop: Stop,
}

impl Stopped {
    /// The portal error, when the portal refused.
    pub fn error(&self) -> Option<&PortalError> {
        match &self.stop {
            Stop::Failed(e) => Some(e),
            _ => None,
        }
    }
}

/// What the portal shows of the account (and its ticket): read in one go.
/// A caller that has just read it all to plan (the CLI's `fix`) hands it
/// to [`run_from`], which then reads nothing before the first step.
pub struct Standing {
    pub account: Versioned<Account>,
    pub invites: Vec<Invite>,
    pub audit: Vec<AuditEntry>,
    pub ticket: Option<(Versioned<Ticket>, Vec<TicketMessage>)>,
    /// Who is asking (the staff id).
    pub me: String,
}

/// Reads the [`Standing`] a plan's steps start from.
async fn read_standing(client: &PortalClient, account_id: &AccountId, plan: &Plan) -> Result<Standing, PortalError> {
    calls::standing(client, account_id.clone(), plan.ticket_id.clone()).await.map(|standing| *standing)
}

/// Runs the steps not yet done, in order, calling `each` after every step
/// with its index and new state. Stops at the first failure, before a
/// change by someone else, on a ticket someone else has, and before a
/// reply that is not the one approved.
pub async fn run(
    client: &PortalClient,
    account_id: &AccountId,
    plan: &Plan,
    replies: &Replies,
    progress: &mut Progress,
    each: impl FnMut(usize, StepState),
) -> Result<(), Stopped> {
    run_from(client, account_id, plan, replies, progress, None, each).await
}

/// [`run`], starting from `read` when the caller has just read everything
/// (then no read comes before the first step; `None` reads it first).
pub async fn run_from(
    client: &PortalClient,
    account_id: &AccountId,
    plan: &Plan,
    replies: &Replies,
    progress: &mut Progress,
    read: Option<Standing>,
    mut each: impl FnMut(usize, StepState),
) -> Result<(), Stopped> {
    let Some(first) = progress.states.iter().position(|s| !s.is_done()) else {
        return Ok(());
    };
    let stop_at = |step: usize| move |error: PortalError| Stopped { step, stop: Stop::Failed(error) };
    let standing = match read {
        Some(read) => read,
        None => read_standing(client, account_id, plan).await.map_err(stop_at(first))?,
    };
    let me = standing.me.clone();
    let by_other = |trail: &[AuditEntry], since: i64| trail.iter().any(|e| e.seq > since && e.actor != me);
    if progress.since.is_some_and(|since| by_other(&standing.audit, since)) {
        return Err(Stopped { step: first, stop: Stop::Failed(PortalError::Stale) });
    }
    let since = standing.audit.iter().map(|e| e.seq).max().unwrap_or(0).max(progress.since.unwrap_or(0));
    if let Some((ticket, _)) = &standing.ticket
        && let Some(owner) = ticket.value.assignee.as_deref().filter(|owner| *owner != me)
    {
        {
            if !progress.take_over {
                return Err(Stopped { step: first, stop: Stop::ClaimedBy(owner.to_owned()) });
            }
            // Taken over knowingly: the ticket is ours before anything is
            // done on it.
            let patch = TicketPatch { assignee: Some(Some(me.clone().into())), ..TicketPatch::default() };
            let key = IdempotencyKey::new();
            calls::update_ticket(client, ticket.value.id.clone(), ticket.etag.clone(), patch, key)
                .await
                .map_err(stop_at(first))?;
        }
    }
    let mut run = Run { client, account_id, plan, replies, me: &me, since, standing, changed: false };
    for n in first..plan.steps.len() {
        if progress.states.get(n).is_some_and(|s| s.is_done()) {
            continue;
        }
        let Some(step) = plan.steps.get(n) else { break };
        let outcome = run.step(n, step, progress).await;
        let state = match &outcome {
            Ok(true) => StepState::Done,
            Ok(false) => StepState::AlreadyDone,
            Err(Stop::Failed(_)) => StepState::Failed,
            Err(_) => StepState::NotDone,
        };
        if let Some(s) = progress.states.get_mut(n) {
            *s = state;
        }
        each(n, state);
        if let Err(stop) = outcome {
            return Err(Stopped { step: n, stop });
        }
    }
    Ok(())
}

/// One run's state between steps: what the portal last answered.
struct Run<'a> {
    client: &'a PortalClient,
    account_id: &'a AccountId,
    plan: &'a Plan,
    replies: &'a Replies,
    me: &'a str,
    /// The newest audit entry known at the start: one after it by someone
    /// else stops the run before the reply.
    since: i64,
    standing: Standing,
    /// A step changed something in this run (the standing is then read
    /// back before the reply).
    changed: bool,
}

impl Run<'_> {
    /// Does one step; `false` when it had nothing to do.
    async fn step(&mut self, n: usize, step: &Step, progress: &mut Progress) -> Result<bool, Stop> {
        let key = progress.keys.get(n).cloned().unwrap_or_default();
        let done = match step {
            Step::Reply { body, status } => return self.reply(body, *status, &key, progress).await,
            Step::Note { body } => self.note(body, &key).await?,
            Step::SetPending => self.set_pending(&key).await?,
            _ => self.change_account(step, &key).await?,
        };
        self.changed |= done;
        Ok(done)
    }

    async fn change_account(&mut self, step: &Step, key: &IdempotencyKey) -> Result<bool, Stop> {
        let (client, id) = (self.client, self.account_id);
        let plan = self.plan;
        let patch = |f: &dyn Fn(&mut AccountPatch)| {
            let mut p = AccountPatch {
                reason: plan.reason.clone(),
                ticket_id: plan.ticket_id.clone(),
                ..AccountPatch::default()
            };
            f(&mut p);
            p
        };
        let account = &self.standing.account;
        let has = |address: &Phi<String>| {
            account.value.emails.iter().find(|e| e.address.expose().eq_ignore_ascii_case(address.expose()))
        };
        let p = match step {
            Step::AddEmail { address } if has(address).is_none() => patch(&|p| p.add_email = Some(address.clone())),
            Step::MakeDefault { address } if !has(address).is_some_and(|e| e.is_default) => {
                patch(&|p| p.default_email = Some(address.clone()))
            }
            Step::RemoveEmail { address } if has(address).is_some() => {
                patch(&|p| p.remove_email = Some(address.clone()))
            }
            Step::SetDob { dob } if account.value.dob.expose() != dob.expose() => patch(&|p| p.dob = Some(*dob)),
            Step::Revoke { invite_id } => {
                let pending =
                    self.standing.invites.iter().any(|i| &i.id == invite_id && i.status == InviteStatus::Pending);
                if !pending {
                    return Ok(false);
                }
                let request = RevokeRequest { reason: plan.reason.clone(), ticket_id: plan.ticket_id.clone() };
                let etag = account.etag.clone();
                let revoked = calls::revoke(client, id.clone(), invite_id.clone(), etag, request, key.clone())
                    .await
                    .map_err(Stop::Failed)?;
                self.standing.account.etag = revoked.etag;
                if let Some(i) = self.standing.invites.iter_mut().find(|i| &i.id == invite_id) {
                    *i = revoked.value;
                }
                return Ok(true);
            }
            Step::Resend => {
                let newest_seen =
                    self.standing.invites.iter().max_by_key(|i| (i.sent_at, i.id.clone())).map(|i| i.id.clone());
                let request = ResendRequest { ticket_id: plan.ticket_id.clone(), newest_seen };
                let sent = calls::resend(client, id.clone(), request, key.clone()).await.map_err(Stop::Failed)?;
                self.standing.invites.push(sent);
                return Ok(true);
            }
            _ => return Ok(false),
        };
        let etag = account.etag.clone();
        self.standing.account =
            calls::save_account(client, id.clone(), etag, p, key.clone()).await.map_err(Stop::Failed)?;
        Ok(true)
    }

    /// Writes the reply from what the portal shows now and sends it (the
    /// same body on every retry of this key).
    async fn reply(
        &mut self,
        approved: &Phi<String>,
        status: crate::portal::model::ReplyStatus,
        key: &IdempotencyKey,
        progress: &mut Progress,
    ) -> Result<bool, Stop> {
        let Some(ticket_id) = &self.plan.ticket_id else {
            return Ok(false);
        };
        if progress.sent_reply.is_none() {
            if self.changed {
                self.standing = read_standing(self.client, self.account_id, self.plan).await.map_err(Stop::Failed)?;
            }
            let standing = &self.standing;
            if standing.audit.iter().any(|e| e.seq > self.since && e.actor != self.me) {
                return Err(Stop::Failed(PortalError::Stale));
            }
            let now = self.client.clock().now();
            let messages = standing.ticket.as_ref().map(|(_, m)| m.as_slice()).unwrap_or_default();
            let words = ClientWords::of(messages, now.date_naive());
            let case = Case::new(&standing.account.value, &standing.invites, now)
                .with_audit(&standing.audit)
                .with_words(&words)
                .revealed(true);
            if remedy::dead_address(&case).is_some() {
                return Err(Stop::Undeliverable);
            }
            let body = remedy::reply_for(self.plan, &case, self.replies);
            if progress.confirm_reply && body.expose() != approved.expose() {
                progress.changed_reply = Some(body);
                return Err(Stop::ReplyChanged);
            }
            progress.changed_reply = None;
            progress.sent_reply = Some(body);
        }
        let body = progress.sent_reply.as_ref().map(|b| b.expose().clone()).unwrap_or_default();
        let reply = NewReply { body, status: Some(status), repeat: progress.repeat };
        calls::reply(self.client, ticket_id.clone(), reply, key.clone()).await.map_err(Stop::Failed)?;
        Ok(true)
    }

    async fn note(&mut self, body: &Phi<String>, key: &IdempotencyKey) -> Result<bool, Stop> {
        let Some(ticket_id) = &self.plan.ticket_id else {
            return Ok(false);
        };
        let note = NewNote { body: body.expose().clone() };
        calls::add_note(self.client, ticket_id.clone(), note, key.clone()).await.map_err(Stop::Failed)?;
        Ok(true)
    }

    async fn set_pending(&mut self, key: &IdempotencyKey) -> Result<bool, Stop> {
        let Some(ticket_id) = &self.plan.ticket_id else {
            return Ok(false);
        };
        // A note moves the ticket's version: its ETag is read again.
        let ticket = calls::read_ticket(self.client, ticket_id.clone()).await.map_err(Stop::Failed)?;
        if ticket.value.status == TicketStatus::Pending {
            return Ok(false);
        }
        let patch = TicketPatch { status: Some(TicketStatus::Pending), ..TicketPatch::default() };
        calls::update_ticket(self.client, ticket_id.clone(), ticket.etag, patch, key.clone())
            .await
            .map_err(Stop::Failed)?;
        Ok(true)
    }
}
