//! What the rules look at, computed once per account.

use chrono::{DateTime, Utc};

use super::{Case, ClientWords};
use crate::diagnose::invite::{InviteState, window_words};
use crate::diagnose::timeline::{self, LinkReading};
use crate::diagnose::visit::LinkForensics;
use crate::phi::{DOB_MASK, mask_email};
use crate::portal::model::{Account, AuditAction, AuditEntry, Invite, Role, VisitOutcome};
use crate::timezone::StaffZone;

/// The facts of one account at one instant: every rule reads these, none
/// recomputes them. What the client wrote in the ticket (read once per
/// conversation) and what was just done join here, filled from the
/// [`Case`].
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
    /// Whether the newest invite's link still works (the timeline's
    /// reading, [`timeline::reading`]).
    pub live: bool,
    /// The timeline's reading of the newest invite's link.
    pub reading: Option<LinkReading>,
    /// `the client` or `the staff member`: who the account is, in
    /// findings.
    pub who: &'static str,
    /// Addresses shown in full.
    pub reveal: bool,
    /// When the DOB on file was last changed, from the audit trail.
    pub dob_changed_at: Option<DateTime<Utc>>,
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
    /// What the client wrote in the ticket (nothing without a ticket).
    pub words: &'a ClientWords,
}

impl<'a> Facts<'a> {
    /// Each invite with what its visit log says.
    pub fn invites_with_forensics(&self) -> impl Iterator<Item = (&'a Invite, &LinkForensics)> {
        self.invites.iter().zip(&self.each_forensics)
    }

    /// An address as the case shows it: in full when revealed, else masked.
    pub fn shown(&self, address: &str) -> String {
        if self.reveal { address.to_owned() } else { mask_email(address) }
    }

    /// A date of birth (as written, or as an entry) as the case shows it:
    /// in full when revealed, else masked.
    pub fn shown_dob(&self, text: &str) -> String {
        if self.reveal { text.to_owned() } else { DOB_MASK.to_owned() }
    }

    /// When the invite page last refused a DOB on `invite`: the visit log's
    /// last refusal, or, from a portal that keeps no visits, its sending.
    pub fn last_refusal(invite: &Invite) -> DateTime<Utc> {
        invite
            .visits
            .iter()
            .filter(|v| v.outcome == VisitOutcome::DobRefused)
            .map(|v| v.at)
            .max()
            .unwrap_or(invite.sent_at)
    }

    /// Reads a case once; times are written in `zone`.
    pub fn of(case: &Case<'a>, zone: StaffZone) -> Self {
        let account = case.account;
        let role = account.role;
        let now = case.now;
        let each_forensics: Vec<LinkForensics> = case.invites.iter().map(LinkForensics::of).collect();
        let newest = case.invites.iter().enumerate().max_by_key(|(_, i)| (i.sent_at, i.id.clone()));
        let latest = newest.map(|(_, i)| i);
        let reading = latest.map(|i| timeline::reading(i, role, now));
        let latest_state = reading.map(|r| r.state);
        let dob_changed_at =
            case.audit.iter().filter(|e| e.action == AuditAction::AccountUpdated && dob_changed(e)).map(|e| e.at).max();
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
            live: reading.is_some_and(|r| r.works),
            reading,
            who: match role {
                Role::Client => "the client",
                Role::Staff => "the staff member",
            },
            reveal: case.reveal,
            dob_changed_at,
            each_forensics,
            forensics,
            person_opens,
            now,
            zone,
            words: case.words,
        }
    }
}

/// Whether an audit entry records a change of the DOB on file (the
/// portal's summary names it and never shows the date).
fn dob_changed(entry: &AuditEntry) -> bool {
    entry.summary.split(';').next().is_some_and(|what| what.contains("date of birth changed"))
}
