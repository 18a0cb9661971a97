//! What the rules look at, computed once per account.

use chrono::{DateTime, Utc};

use super::Case;
use crate::diagnose::invite::{self, InviteState, window_words};
use crate::diagnose::visit::LinkForensics;
use crate::portal::model::{Account, Invite, Role};
use crate::timezone::StaffZone;

/// The facts of one account at one instant: every rule reads these, none
/// recomputes them. The ticket's messages and what was just done (issue 14)
/// join here as fields, filled from the [`Case`].
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    pub account: &'a Account,
    pub role: Role,
    /// `48 hours` or `1 hour`: how long the role's links last.
    pub window: &'static str,
    /// The account's invites, in any order.
    pub invites: &'a [Invite],
    /// The newest invite (by sending time, then id).
    pub latest: Option<&'a Invite>,
    /// The newest invite's state now.
    pub latest_state: Option<InviteState>,
    /// Whether the newest invite's link still works.
    pub live: bool,
    /// What each invite's visit log says, in the order of `invites`.
    pub each_forensics: Vec<LinkForensics>,
    /// What the newest invite's visit log says.
    pub forensics: LinkForensics,
    /// Openings of the newest link by anyone but a mail scanner: from the
    /// visit log when the portal keeps one, else every opening counts.
    pub person_opens: u32,
    /// Now, on the server's clock.
    pub now: DateTime<Utc>,
    /// The staff member's zone, for times written in findings.
    pub zone: StaffZone,
}

impl<'a> Facts<'a> {
    /// Each invite with what its visit log says.
    pub fn invites_with_forensics(&self) -> impl Iterator<Item = (&'a Invite, &LinkForensics)> {
        self.invites.iter().zip(&self.each_forensics)
    }

    /// Reads a case once; times are written in `zone`.
    pub fn of(case: &Case<'a>, zone: StaffZone) -> Self {
        let account = case.account;
        let role = account.role;
        let now = case.now;
        let each_forensics: Vec<LinkForensics> = case.invites.iter().map(LinkForensics::of).collect();
        let newest = case.invites.iter().enumerate().max_by_key(|(_, i)| (i.sent_at, i.id.clone()));
        let latest = newest.map(|(_, i)| i);
        let latest_state = latest.map(|i| invite::state(i, role, now));
        let forensics = newest.and_then(|(n, _)| each_forensics.get(n)).cloned().unwrap_or_default();
        let person_opens = match latest {
            Some(latest) if !latest.visits.is_empty() => forensics.openings_not_by_scanners(),
            Some(latest) => latest.link_opens,
            None => 0,
        };
        Self {
            account,
            role,
            window: window_words(role),
            invites: case.invites,
            latest,
            latest_state,
            live: latest_state.is_some_and(InviteState::is_live),
            each_forensics,
            forensics,
            person_opens,
            now,
            zone,
        }
    }
}
