//! Answers from the portal: each is taken only if it answers the request
//! awaited (stale ones are dropped), and lands in the state it belongs to.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{App, Banner, Offline};
use crate::portal::model::Account;
use crate::portal::{PortalError, Versioned};
use crate::request::Class;
use crate::tui::action::{Answer, Effect, ReqId, Request};
use crate::tui::component::{Cx, Then};
use crate::tui::screens::ticket::TicketChange;

/// The longest wait between two reconnect attempts.
const RECONNECT_MAX: Duration = Duration::from_secs(30);

/// The wait before reconnect attempt `attempt` (0-based): 1, 2, 4, 8, 16,
/// then 30 seconds.
pub fn reconnect_after(attempt: u32) -> Duration {
    crate::portal::Backoff { base: Duration::from_secs(1), max: RECONNECT_MAX, jitter: false }.delay(attempt)
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
            Answer::Me(result) => return self.on_me(result),
            Answer::Presence(result) | Answer::LeavePresence(result) => return Self::presence_answered(result),
            Answer::GuardRead(result) => return self.guard_answer(req, result, now),
            Answer::RevealAudit(result) => return self.reveal_recorded(result),
            other => self.take(req, other, now),
        };
        // Stale answers say nothing, about the data or the connection.
        if taken && unreachable {
            effects.extend(self.go_offline(now));
        } else if taken && self.offline.is_some() {
            effects.extend(self.back_online(now));
        }
        effects
    }

    pub(in crate::tui) fn go_offline(&mut self, now: DateTime<Utc>) -> Vec<Effect> {
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
            Ok(()) => self.back_online(now),
            Err(_) => {
                offline.attempts += 1;
                self.go_offline(now)
            }
        }
    }

    /// The portal answers again: say so and read again what is on screen.
    pub(in crate::tui) fn back_online(&mut self, now: DateTime<Utc>) -> Vec<Effect> {
        self.offline = None;
        // The answer that brought it back may have said something better.
        if self.banner.as_ref().is_none_or(|b| b.error) {
            self.banner = Some(Banner { text: "Back online: the portal answers again".into(), error: false });
        }
        let mut effects = self.load_queue();
        if self.stack.account().is_some() {
            effects.extend(self.load_account());
        }
        let under = self.view_screen();
        let mut cx = Cx::new(super::services!(self, now), None, under);
        for view in self.stack.above_mut() {
            effects.extend(view.on_reconnect(&mut cx));
        }
        effects
    }

    /// Puts an answer where it belongs; returns whether it was awaited
    /// (changes always count) and what to do next.
    fn take(&mut self, req: ReqId, answer: Answer, now: DateTime<Utc>) -> (bool, Vec<Effect>) {
        let mut error = answer.read_error().cloned();
        let mut effects = Vec::new();
        // A view's own answer goes to it.
        let under = self.view_screen();
        let mut cx = Cx::new(super::services!(self, now), None, under);
        let front = self.stack.depth() - 1;
        let owner = self.stack.components_mut().enumerate().find(|(_, view)| view.owns(req, &answer));
        let taken = match owner {
            Some((at, view)) => {
                cx.in_front = at == front;
                let outcome = view.on_answer(req, answer, &mut cx);
                let taken = outcome.is_some();
                let outcome = outcome.unwrap_or_default();
                // A view that said something of its own is not overruled.
                if outcome.banner.is_some() {
                    error = None;
                }
                effects.extend(self.apply_view(outcome, now));
                taken
            }
            None => match answer {
                // Another page of the queue's, no longer awaited.
                Answer::Tickets(_) => false,
                // The account's reads, no longer awaited.
                Answer::Account(_) | Answer::Invites(_) => false,
                // The account's audit trail, its ticket pane's reads and
                // changes, no longer awaited.
                Answer::Audit(_) | Answer::Ticket(_) | Answer::Messages(_) | Answer::UpdateTicket(_) => false,
                Answer::Probe(_)
                | Answer::Unlock(_)
                | Answer::Me(_)
                | Answer::Presence(_)
                | Answer::LeavePresence(_)
                | Answer::RevealAudit(_)
                | Answer::GuardRead(_) => return (false, Vec::new()),
                // A change's answer is its dialog's (changes always count).
                change => return (true, self.answer_dialog(req, change, now)),
            },
        };
        // A failed read that still counts says so across the top; stale
        // answers are dropped silently.
        if taken && let Some(error) = error.filter(|e| !e.is_unreachable()) {
            self.banner = Some(Banner { text: format!("{error} (R retries)"), error: true });
        }
        (taken, effects)
    }

    /// The pane's ticket was read: claim it if nobody has it and
    /// `claim_on_open` is on (once per opening, never read-only).
    pub(super) fn claim_on_open(&mut self, now: DateTime<Utc>) -> Vec<Effect> {
        let wanted = self.claim_on_open && !self.readonly();
        let Some(pane) = self.stack.ticket_mut() else {
            return Vec::new();
        };
        if pane.claimed_on_open || pane.ticket.data.is_none() {
            return Vec::new();
        }
        pane.claimed_on_open = true;
        if wanted && pane.unclaimed() { self.send_ticket_change(TicketChange::Claim, false, now) } else { Vec::new() }
    }

    /// The open account was read again: the dialog over it may have
    /// something to do about it (after a 412, its current version; after
    /// a lost answer, whether the change is there).
    pub(super) fn account_was_read(&mut self, account: &Versioned<Account>, now: DateTime<Utc>) -> Vec<Effect> {
        let outcome = self.with_dialog(now, |dialog, _| dialog.account_read(account)).flatten();
        outcome.map(|o| self.apply(o, now)).unwrap_or_default()
    }

    /// The open account's invites were read again: the live guard notes
    /// when; a resend whose answer was never seen is looked for among them
    /// (it is this console's own), and the dialog that sent it told.
    pub(super) fn invites_were_read_again(&mut self, now: DateTime<Utc>) -> Vec<Effect> {
        self.invites_were_read(now);
        let Some(account) = self.stack.account() else { return Vec::new() };
        let Some(shows) = self.unconfirmed.invites_read(account) else { return Vec::new() };
        if shows && let Some(newest) = account.invites.data.as_deref().and_then(<[_]>::first) {
            self.live.own.push(newest.id.clone());
        }
        match self.with_dialog(now, |dialog, _| dialog.invites_read(shows)).flatten() {
            Some(outcome) => self.apply(outcome, now),
            // The dialog was closed before the outcome was known.
            None if shows => {
                self.banner = Some(Banner::ok(crate::tui::screens::resend::SHOWN_SENT));
                Vec::new()
            }
            None => Vec::new(),
        }
    }

    /// Hands an answer to the dialog, which takes it if it awaits it. A
    /// change that went through also has the queue read again, so it never
    /// shows a state the agent has just changed.
    fn answer_dialog(&mut self, req: ReqId, answer: Answer, now: DateTime<Utc>) -> Vec<Effect> {
        let changed = answer.error().is_none() && answer.class() == Class::Change;
        match self.with_dialog(now, |dialog, cx| dialog.on_answer(req, answer, cx)).flatten() {
            Some(mut outcome) => {
                if changed && !outcome.then.iter().any(|t| matches!(t, Then::ReloadQueue)) {
                    outcome.then.push(Then::ReloadQueue);
                }
                self.apply(outcome, now)
            }
            None => Vec::new(),
        }
    }
}
