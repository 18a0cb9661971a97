//! Answers from the portal: each is taken only if it answers the request
//! awaited (stale ones are dropped), and lands in the state it belongs to.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{App, Banner, Offline, Overlay};
use crate::portal::model::Invite;
use crate::portal::{PortalError, Versioned};
use crate::tui::action::{Answer, Effect, ReqId, Request};

/// The longest wait between two reconnect attempts.
const RECONNECT_MAX: Duration = Duration::from_secs(30);

/// The wait before reconnect attempt `attempt` (0-based): 1, 2, 4, 8, 16,
/// then 30 seconds.
pub fn reconnect_after(attempt: u32) -> Duration {
    Duration::from_secs(1u64 << attempt.min(5)).min(RECONNECT_MAX)
}

impl App {
    /// Takes an answer, and follows whether the portal can be reached: an
    /// answer that never arrived takes the console offline (with a probe
    /// that retries by itself); any answer that did brings it back, and
    /// what is on screen is read again.
    pub(super) fn on_answer(&mut self, req: ReqId, answer: Answer, now: DateTime<Utc>) -> Vec<Effect> {
        let unreachable = answer.error().is_some_and(PortalError::is_unreachable);
        let (taken, mut effects) = match answer {
            Answer::Probe(result) => return self.on_reconnected(req, result, now),
            other => self.take(req, other, now),
        };
        // Stale answers say nothing, about the data or the connection.
        if taken && unreachable {
            effects.extend(self.go_offline(now));
        } else if taken && self.offline.is_some() {
            effects.extend(self.back_online());
        }
        effects
    }

    fn go_offline(&mut self, now: DateTime<Utc>) -> Vec<Effect> {
        let req = self.req();
        if self.offline.is_none() {
            self.banner = Some(Banner {
                text: "The portal cannot be reached. Nothing is lost: the console reconnects by itself and reloads."
                    .into(),
                error: true,
            });
        }
        let offline = self.offline.get_or_insert(Offline { since: now, attempts: 0, probe: None });
        if offline.probe.is_some() {
            return Vec::new();
        }
        offline.probe = Some(req);
        vec![Effect::Reconnect { req, after: reconnect_after(offline.attempts) }]
    }

    /// The probe's wait is over: ask, if it is still the probe awaited.
    pub(super) fn reconnect_due(&mut self, req: ReqId) -> Vec<Effect> {
        match self.offline {
            Some(offline) if offline.probe == Some(req) => vec![Effect::Portal(req, Request::Probe {})],
            _ => Vec::new(),
        }
    }

    fn on_reconnected(&mut self, req: ReqId, result: Result<(), PortalError>, now: DateTime<Utc>) -> Vec<Effect> {
        let Some(offline) = self.offline.as_mut().filter(|o| o.probe == Some(req)) else {
            return Vec::new();
        };
        offline.probe = None;
        match result {
            Ok(()) => self.back_online(),
            Err(_) => {
                offline.attempts += 1;
                self.go_offline(now)
            }
        }
    }

    /// The portal answers again: say so and read again what is on screen.
    fn back_online(&mut self) -> Vec<Effect> {
        self.offline = None;
        // The answer that brought it back may have said something better.
        if self.banner.as_ref().is_none_or(|b| b.error) {
            self.banner = Some(Banner { text: "Back online: the portal answers again".into(), error: false });
        }
        let req = self.req();
        self.queue.tickets.start(req);
        let mut effects = vec![Effect::Portal(req, Request::Tickets {})];
        if self.account.is_some() {
            effects.extend(self.load_account());
        }
        let req = self.req();
        effects.extend(self.search.rerun(req));
        effects
    }

    /// Puts an answer where it belongs; returns whether it was awaited
    /// (changes always count) and what to do next.
    fn take(&mut self, req: ReqId, answer: Answer, now: DateTime<Utc>) -> (bool, Vec<Effect>) {
        let error = answer.read_error().cloned();
        let taken = match answer {
            Answer::Tickets(result) => {
                let taken = self.queue.tickets.finish(req, result);
                self.queue.clamp();
                taken
            }
            Answer::Search(result) => self.search.finish(req, result),
            Answer::Account(result) => match self.account.as_mut() {
                Some(account) => {
                    let taken = account.account.finish(req, result);
                    if taken
                        && let (Some(Overlay::EditDob(edit)), Some(theirs)) =
                            (self.overlay.as_mut(), &account.account.data)
                    {
                        edit.theirs_loaded(theirs.clone());
                    }
                    if taken
                        && let (Some(Overlay::Addresses(addresses)), Some(theirs)) =
                            (self.overlay.as_mut(), &account.account.data)
                    {
                        addresses.reloaded(theirs.clone());
                    }
                    taken
                }
                None => false,
            },
            Answer::Invites(result) => self.account.as_mut().is_some_and(|account| {
                let taken = account.invites.finish(req, result);
                account.clamp();
                // An invite the account did not have when a resend went out
                // shows its outcome: its key is no longer needed.
                if taken
                    && let (Some(list), Some(sent)) = (&account.invites.data, self.unconfirmed_resends.get(&account.id))
                    && let Some(known) = &sent.known
                    && list.iter().any(|i| !known.contains(&i.id))
                {
                    self.unconfirmed_resends.remove(&account.id);
                }
                taken
            }),
            Answer::Audit(result) => self.account.as_mut().is_some_and(|a| a.audit.finish(req, result)),
            Answer::Resend(result) => return (true, self.on_resent(req, result, now)),
            Answer::SaveAccount(result) => return (true, self.on_account_saved(req, result, now)),
            Answer::Probe(_) | Answer::Unlock(_) => return (false, Vec::new()),
            Answer::Revoke(result) => return (true, self.on_revoked(req, result, now)),
            Answer::AddNote(result) => {
                if let Some(Overlay::Note(state)) = self.overlay.as_mut()
                    && state.finished(req, result, now) == Some(true)
                {
                    let ticket = state.ticket_id.clone();
                    self.overlay = None;
                    self.banner = Some(Banner { text: format!("Note posted to ticket {ticket}"), error: false });
                }
                return (true, Vec::new());
            }
        };
        // A failed read that still counts says so across the top; stale
        // answers are dropped silently.
        if taken && let Some(error) = error.filter(|e| !e.is_unreachable()) {
            self.banner = Some(Banner { text: format!("{error} (R retries)"), error: true });
        }
        (taken, Vec::new())
    }

    fn on_resent(
        &mut self,
        req: ReqId,
        result: Result<crate::portal::model::Invite, PortalError>,
        now: DateTime<Utc>,
    ) -> Vec<Effect> {
        let Some(Overlay::Resend(state)) = self.overlay.as_mut() else {
            return Vec::new();
        };
        if state.submission.pending != Some(req) {
            return Vec::new();
        }
        state.submission.pending = None;
        match result {
            Ok(invite) => {
                self.overlay = None;
                self.unconfirmed_resends.remove(&invite.account_id);
                if let Some(account) = self.account.as_mut() {
                    account.insert_new_invite(invite);
                }
                self.banner = Some(Banner { text: "Invite sent; earlier links no longer work".into(), error: false });
                // Read the history back so every status is the server's.
                self.load_history()
            }
            Err(error) => {
                state.failed(error, now);
                Vec::new()
            }
        }
    }

    fn on_account_saved(
        &mut self,
        req: ReqId,
        result: Result<crate::portal::Versioned<crate::portal::model::Account>, PortalError>,
        now: DateTime<Utc>,
    ) -> Vec<Effect> {
        let (outcome, done) = match self.overlay.as_mut() {
            Some(Overlay::EditDob(state)) if state.submission.pending == Some(req) => {
                (state.saved(result, now), "DOB on file updated; the client can retry the same link")
            }
            Some(Overlay::Addresses(state)) if state.submission.pending == Some(req) => {
                (state.saved(result, now), "Addresses updated; the next invite goes to the default")
            }
            _ => return Vec::new(),
        };
        match outcome {
            Ok(updated) => {
                self.overlay = None;
                if let Some(account) = self.account.as_mut() {
                    account.account.data = Some(updated);
                }
                self.banner = Some(Banner { text: done.into(), error: false });
                self.load_history()
            }
            Err(needs_reload) if needs_reload => {
                // Someone else changed the account: read their version.
                let req = self.req();
                match self.account.as_mut() {
                    Some(account) => {
                        account.account.start(req);
                        vec![Effect::Portal(req, Request::Account { account_id: account.id.clone() })]
                    }
                    None => Vec::new(),
                }
            }
            Err(_) => Vec::new(),
        }
    }

    fn on_revoked(
        &mut self,
        req: ReqId,
        result: Result<Versioned<Invite>, PortalError>,
        now: DateTime<Utc>,
    ) -> Vec<Effect> {
        let Some(Overlay::Revoke(state)) = self.overlay.as_mut() else {
            return Vec::new();
        };
        match result {
            Ok(revoked) if state.submission.pending == Some(req) => {
                self.overlay = None;
                if let Some(account) = self.account.as_mut()
                    && let Some(data) = account.account.data.as_mut()
                {
                    // The revoke moved the account's version: keep its new
                    // ETag, or the next change would be refused (412).
                    data.etag = revoked.etag;
                }
                self.banner = Some(Banner {
                    text: format!("Invite {} revoked: its link shows the invalid-link page", revoked.value.id),
                    error: false,
                });
                self.load_history()
            }
            Ok(_) => Vec::new(),
            Err(error) => {
                if !state.failed(req, &error, now) {
                    return Vec::new();
                }
                if error == PortalError::Stale {
                    // Someone else changed the account: read it again.
                    return self.load_account();
                }
                Vec::new()
            }
        }
    }

    /// Reloads the invites and the audit trail of the open account.
    fn load_history(&mut self) -> Vec<Effect> {
        let (i, t) = (self.req(), self.req());
        let Some(account) = self.account.as_mut() else {
            return Vec::new();
        };
        account.invites.start(i);
        account.audit.start(t);
        vec![
            Effect::Portal(i, Request::Invites { account_id: account.id.clone() }),
            Effect::Portal(t, Request::Audit { account_id: account.id.clone() }),
        ]
    }
}
