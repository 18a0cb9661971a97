//! Runs a remedy [`Plan`] through the portal client, step by step: the one
//! executor the console and the CLI share. Knows nothing of screens.
//!
//! Each step carries its own Idempotency-Key, kept in [`Progress`] with
//! whether the step is done, so running the same progress again repeats
//! nothing that succeeded: a done step is skipped, and a step whose answer
//! was lost is sent again with its key (the portal answers it by what it did
//! the first time). Account changes read the account first, for a fresh
//! ETag, and are skipped when the account already is as the step wants it.

use std::time::Duration;

use serde::Serialize;

use crate::diagnose::remedy::{Plan, Step};
use crate::phi::Phi;
use crate::portal::model::{AccountId, AccountPatch, NewReply, ResendRequest, RevokeRequest};
use crate::portal::{IdempotencyKey, PortalClient, PortalError};

/// Extra tries of a step that may not have reached the portal.
const RETRIES: u32 = 2;

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
    /// The collision guard between steps: the newest entry of the
    /// account's audit trail the runner had read (its `seq`). Before each
    /// step, an entry after it by someone else stops the run there
    /// ([`PortalError::Stale`]), nothing of that step done, so what changed
    /// is shown before the rest goes out. `None`: no such check.
    pub since: Option<i64>,
}

impl Progress {
    /// Nothing done yet; a fresh key per step.
    pub fn new(plan: &Plan) -> Self {
        Self {
            keys: plan.steps.iter().map(|_| IdempotencyKey::new()).collect(),
            states: vec![StepState::NotDone; plan.steps.len()],
            since: None,
        }
    }

    pub fn finished(&self) -> bool {
        self.states.iter().all(|s| s.is_done())
    }
}

/// Where a run stopped: the step that failed and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stopped {
    pub step: usize,
    pub error: PortalError,
}

/// Runs the steps not yet done, in order, calling `each` after every step
/// with its index and new state. Stops at the first failure.
pub async fn run(
    client: &PortalClient,
    account_id: &AccountId,
    plan: &Plan,
    progress: &mut Progress,
    mut each: impl FnMut(usize, StepState),
) -> Result<(), Stopped> {
    let mut me = None;
    for (n, step) in plan.steps.iter().enumerate() {
        if progress.states.get(n).is_some_and(|s| s.is_done()) {
            continue;
        }
        if let Some(since) = progress.since {
            let stop = |error| Stopped { step: n, error };
            if me.is_none() {
                me = Some(retried(|| client.me()).await.map_err(stop)?.id);
            }
            let trail = retried(|| client.audit(Some(account_id), None)).await.map_err(stop)?;
            if trail.iter().any(|e| e.seq > since && me.as_deref() != Some(e.actor.as_str())) {
                return Err(stop(PortalError::Stale));
            }
        }
        let key = progress.keys.get(n).cloned().unwrap_or_default();
        let outcome = run_step(client, account_id, plan, step, &key).await;
        let state = match &outcome {
            Ok(true) => StepState::Done,
            Ok(false) => StepState::AlreadyDone,
            Err(_) => StepState::Failed,
        };
        if let Some(s) = progress.states.get_mut(n) {
            *s = state;
        }
        each(n, state);
        if let Err(error) = outcome {
            return Err(Stopped { step: n, error });
        }
    }
    Ok(())
}

/// Does one step; `false` when it had nothing to do.
async fn run_step(
    client: &PortalClient,
    account_id: &AccountId,
    plan: &Plan,
    step: &Step,
    key: &IdempotencyKey,
) -> Result<bool, PortalError> {
    let reason = plan.reason.clone();
    let ticket_id = plan.ticket_id.clone();
    let patch = |f: fn(&mut AccountPatch, Phi<String>), value: &Phi<String>| {
        let mut p = AccountPatch { reason: reason.clone(), ticket_id: ticket_id.clone(), ..AccountPatch::default() };
        f(&mut p, value.clone());
        p
    };
    match step {
        Step::AddEmail { address } | Step::MakeDefault { address } | Step::RemoveEmail { address } => {
            let current = retried(|| client.account(account_id)).await?;
            let has = current.value.emails.iter().find(|e| e.address.expose().eq_ignore_ascii_case(address.expose()));
            let (needed, p) = match step {
                Step::AddEmail { .. } => (has.is_none(), patch(|p, a| p.add_email = Some(a), address)),
                Step::MakeDefault { .. } => {
                    (!has.is_some_and(|e| e.is_default), patch(|p, a| p.default_email = Some(a), address))
                }
                _ => (has.is_some(), patch(|p, a| p.remove_email = Some(a), address)),
            };
            if !needed {
                return Ok(false);
            }
            retried(|| client.update_account(account_id, &current.etag, &p, key)).await.map(|_| true)
        }
        Step::SetDob { dob } => {
            let current = retried(|| client.account(account_id)).await?;
            if current.value.dob.expose() == dob.expose() {
                return Ok(false);
            }
            let p = AccountPatch { dob: Some(*dob), reason, ticket_id, ..AccountPatch::default() };
            retried(|| client.update_account(account_id, &current.etag, &p, key)).await.map(|_| true)
        }
        Step::Revoke { invite_id } => {
            let invites = retried(|| client.invites(account_id)).await?;
            let pending =
                invites.iter().any(|i| &i.id == invite_id && i.status == crate::portal::model::InviteStatus::Pending);
            if !pending {
                return Ok(false);
            }
            let current = retried(|| client.account(account_id)).await?;
            let request = RevokeRequest { reason, ticket_id };
            retried(|| client.revoke_invite(account_id, invite_id, &current.etag, &request, key)).await.map(|_| true)
        }
        Step::Resend => {
            let request = ResendRequest { ticket_id, ..ResendRequest::default() };
            retried(|| client.resend(account_id, &request, key)).await.map(|_| true)
        }
        Step::Reply { body, status } => {
            let Some(ticket_id) = &plan.ticket_id else {
                return Ok(false);
            };
            let reply = NewReply { body: body.expose().clone(), status: Some(*status) };
            retried(|| client.reply(ticket_id, &reply, key)).await.map(|_| true)
        }
    }
}

/// Tries a call again (with the same key, which the closure captures) when
/// it may not have reached the portal or its answer was lost.
pub async fn retried<T, F, Fut>(mut attempt: F) -> Result<T, PortalError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, PortalError>>,
{
    let mut tries = 0;
    loop {
        match attempt().await {
            Err(e) if tries < RETRIES && may_retry(&e) => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(300 * u64::from(tries))).await;
            }
            outcome => return outcome,
        }
    }
}

/// Whether a failure may be tried again with its key.
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
