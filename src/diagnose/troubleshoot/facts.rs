//! What the rules look at, computed once per account.

use chrono::{DateTime, Utc};

use super::{Case, Claimed, ClientWords, ON_PAGE_FOR, OnPage};
use crate::diagnose::claims::ClaimKind;
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
    /// The client's live visits to the invite page, when the console
    /// follows them.
    pub on_page: Option<&'a OnPage>,
    /// Who sent the newest invite, from the audit trail (any agent's
    /// resend counts, not only this console's).
    pub sent_by: Option<&'a str>,
    /// Who last changed the DOB on file, from the audit trail.
    pub dob_changed_by: Option<&'a str>,
}

impl<'a> Facts<'a> {
    /// Each invite with what its visit log says.
    pub fn invites_with_forensics(&self) -> impl Iterator<Item = (&'a Invite, &LinkForensics)> {
        self.invites.iter().zip(&self.each_forensics)
    }

    /// The newest claim of `kind` the client wrote after the newest invite
    /// was sent (or at any time, when none was): what they say of "the
    /// email" is about the emails they had when they wrote.
    pub fn claimed_since_latest(&self, kind: ClaimKind) -> Option<&'a Claimed> {
        match self.latest {
            Some(latest) => self.words.claimed_since(kind, latest.sent_at),
            None => self.words.claimed(kind),
        }
    }

    /// `at Nov 25, 10:42 UTC the client wrote: "not even in Spam"`, the
    /// words masked unless revealed (like any message text).
    pub fn quote(&self, claim: &Claimed) -> String {
        let words = if self.reveal {
            let text = crate::sanitize::line(claim.text.expose());
            crate::sanitize::capped(&text, 120).into_owned()
        } else {
            crate::phi::TEXT_MASK.to_owned()
        };
        format!("at {} {} wrote: \"{words}\"", self.zone.long(claim.at), self.who)
    }

    /// The DOB refusals on the invite page in the last minute, from the
    /// live events: how many, and what was typed in the newest (from the
    /// visit log, when the portal reports it).
    pub fn refused_now(&self) -> Option<(usize, Option<&'a str>)> {
        let on_page = self.on_page?;
        let recent = |at: &&DateTime<Utc>| self.now - **at <= ON_PAGE_FOR && **at <= self.now;
        let refusals = on_page.refusals.iter().filter(recent).count();
        if refusals == 0 {
            return None;
        }
        let typed = self
            .invites
            .iter()
            .flat_map(|i| &i.visits)
            .filter(|v| v.outcome == VisitOutcome::DobRefused && self.now - v.at <= ON_PAGE_FOR)
            .filter_map(|v| Some((v.at, v.typed_dob.as_ref()?.expose().as_str())))
            .max_by_key(|(at, _)| *at)
            .map(|(_, typed)| typed);
        Some((refusals, typed))
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
        let dob_change = case
            .audit
            .iter()
            .filter(|e| e.action == AuditAction::AccountUpdated && dob_changed(e))
            .max_by_key(|e| (e.at, e.seq));
        let dob_changed_at = dob_change.map(|e| e.at);
        let dob_changed_by = dob_change.map(|e| e.actor.as_str());
        // The audit entry of the newest invite's sending: the nearest
        // `invite_sent` within a minute of it, whoever made it.
        let sent_by = latest.and_then(|l| {
            case.audit
                .iter()
                .filter(|e| {
                    e.action == AuditAction::InviteSent && (e.at - l.sent_at).abs() <= chrono::Duration::minutes(1)
                })
                .min_by_key(|e| (e.at - l.sent_at).abs())
                .map(|e| e.actor.as_str())
        });
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
            on_page: case.on_page,
            sent_by,
            dob_changed_by,
        }
    }
}

/// Whether an audit entry records a change of the DOB on file (the
/// portal's summary names it and never shows the date).
fn dob_changed(entry: &AuditEntry) -> bool {
    entry.summary.split(';').next().is_some_and(|what| what.contains("date of birth changed"))
}
