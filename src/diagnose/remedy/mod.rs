//! Remedies: what fixes the top finding, as an ordered [`Plan`] of steps
//! that ends with the reply it sends and the ticket's status.
//!
//! Pure: from the findings of an account, the account and its invites, and
//! what the client wrote in the ticket ([`ClientWords`], read by the
//! troubleshooting engine). The steps are run by `crate::fix`, for the
//! console and the CLI alike.

use chrono::NaiveDate;
use serde::Serialize;

use super::dob::{self, DobContext};
use super::email;
use super::invite::{self, InviteState};
use super::replies::Replies;
use super::troubleshoot::{self, Case, Finding, FindingCode};
use crate::phi::{Phi, mask_email};
use crate::portal::model::{Account, AccountEmail, Invite, InviteId, InviteStatus, ReplyStatus, TicketId};

/// What kind of remedy a plan is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, strum::Display, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum RemedyKind {
    /// Send a new invite.
    Resend,
    /// Correct the address (add, make default, remove the mistyped one),
    /// then resend.
    CorrectAddress,
    /// Set the DOB on file to the one the client confirmed.
    SetDob,
    /// Revoke the live invite and send a new one.
    RevokeAndResend,
    /// Nothing to change: only the reply.
    ReplyOnly,
}

/// One change a plan makes, in order. (`Debug` shows no PHI: the values are
/// wrapped.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    AddEmail { address: Phi<String> },
    MakeDefault { address: Phi<String> },
    RemoveEmail { address: Phi<String> },
    SetDob { dob: Phi<NaiveDate> },
    Revoke { invite_id: InviteId },
    Resend,
    Reply { body: Phi<String>, status: ReplyStatus },
}

impl Step {
    /// What the step does, for the confirmation: addresses masked unless
    /// `reveal`, a DOB shown only when revealed, the reply by its length.
    pub fn describe(&self, reveal: bool) -> String {
        let address = |a: &Phi<String>| if reveal { a.expose().clone() } else { mask_email(a.expose()) };
        match self {
            Step::AddEmail { address: a } => format!("Add the address {}", address(a)),
            Step::MakeDefault { address: a } => format!("Make {} the default address", address(a)),
            Step::RemoveEmail { address: a } => format!("Remove the address {}", address(a)),
            Step::SetDob { dob } if reveal => format!("Set the DOB on file to {}", dob::format_entry(*dob.expose())),
            Step::SetDob { .. } => "Set the DOB on file to the one the client wrote".to_owned(),
            Step::Revoke { invite_id } => format!("Revoke invite {}", invite_id.as_str()),
            Step::Resend => "Resend the invite".to_owned(),
            Step::Reply { body, status } => format!(
                "Reply to the client ({} characters) and set the ticket {}",
                body.expose().chars().count(),
                status.as_str()
            ),
        }
    }
}

/// The remedy of one finding: its steps in order, the last one the reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub finding: FindingCode,
    pub kind: RemedyKind,
    /// The one reason given for every change (kept in the audit trail).
    /// Never holds PHI.
    pub reason: String,
    pub ticket_id: Option<TicketId>,
    pub steps: Vec<Step>,
}

impl Plan {
    /// The reply the plan ends with.
    pub fn reply(&self) -> Option<(&Phi<String>, ReplyStatus)> {
        self.steps.iter().find_map(|s| match s {
            Step::Reply { body, status } => Some((body, *status)),
            _ => None,
        })
    }
}

pub use super::troubleshoot::ClientWords;

/// The remedy of the top finding (the first), if there is one.
pub fn plan(
    case: &Case<'_>,
    findings: &[Finding],
    words: &ClientWords,
    ticket_id: Option<&TicketId>,
    replies: &Replies,
) -> Option<Plan> {
    findings.first().map(|top| plan_for(case, top, words, ticket_id, replies))
}

/// The remedy of one finding.
pub fn plan_for(
    case: &Case<'_>,
    finding: &Finding,
    words: &ClientWords,
    ticket_id: Option<&TicketId>,
    replies: &Replies,
) -> Plan {
    let account = case.account;
    let code = finding.code;
    let changes = match code {
        FindingCode::EmailTypo => address_to_use(account, words, true).map(|to| correct_address(account, to)),
        FindingCode::Bounced => address_to_use(account, words, false).map(|to| correct_address(account, to)),
        FindingCode::ProfileDobSuspect => confirmed_dob(case, words, true).map(set_dob),
        FindingCode::DobFailures | FindingCode::DobInMessage => confirmed_dob(case, words, false).map(set_dob),
        FindingCode::EmailInMessage => {
            finding.suggested_email.as_ref().map(|to| correct_address(account, to.expose().clone()))
        }
        FindingCode::NoInvite | FindingCode::InviteExpired => Some((RemedyKind::Resend, vec![Step::Resend])),
        FindingCode::LinkInvalid if !latest_live(case) => Some((RemedyKind::Resend, vec![Step::Resend])),
        FindingCode::LinkOpenedRepeatedly => live_invite(case)
            .map(|id| (RemedyKind::RevokeAndResend, vec![Step::Revoke { invite_id: id.clone() }, Step::Resend])),
        _ => None,
    };
    let (kind, mut steps) = changes.unwrap_or((RemedyKind::ReplyOnly, Vec::new()));
    let body = match kind {
        RemedyKind::ReplyOnly => finding.reply.clone(),
        _ => reply_after_fix(case, code, kind, &steps, replies),
    };
    let status = match kind {
        RemedyKind::ReplyOnly if code != FindingCode::AlreadyAccepted => ReplyStatus::Pending,
        _ => ReplyStatus::Solved,
    };
    steps.push(Step::Reply { body, status });
    let reason = match ticket_id {
        Some(t) => format!("One-key fix for ticket {}: {} ({kind})", t.as_str(), code.as_str()),
        None => format!("One-key fix: {} ({kind})", code.as_str()),
    };
    Plan { finding: code, kind, reason, ticket_id: ticket_id.cloned(), steps }
}

/// The address the client should have: one they wrote that corrects the
/// one on file or is a clean address other than it; for a typo also the
/// email check's only suggestion.
fn address_to_use(account: &Account, words: &ClientWords, typo: bool) -> Option<String> {
    let on_file = account.email.expose();
    let suggested = email::check_email(on_file).suggestions;
    let written =
        || words.emails.iter().map(|w| w.reading.expose()).filter(|address| !address.eq_ignore_ascii_case(on_file));
    let correcting = written().find(|address| suggested.iter().any(|s| s.eq_ignore_ascii_case(address)));
    let clean = || written().find(|address| email::check_email(address).findings.is_empty());
    let from_client = correcting.or_else(clean).cloned();
    match (from_client, typo) {
        (Some(address), _) => Some(address),
        (None, true) if suggested.len() == 1 => suggested.into_iter().next(),
        _ => None,
    }
}

fn correct_address(account: &Account, to: String) -> (RemedyKind, Vec<Step>) {
    let old = account.email.expose().clone();
    // Already the default (corrected, not yet resent): only the resend.
    if old.eq_ignore_ascii_case(&to) {
        return (RemedyKind::Resend, vec![Step::Resend]);
    }
    let has = |a: &AccountEmail| a.address.expose().eq_ignore_ascii_case(&to);
    let mut steps = Vec::new();
    if !account.emails.iter().any(has) {
        steps.push(Step::AddEmail { address: Phi::new(to.clone()) });
    }
    steps.push(Step::MakeDefault { address: Phi::new(to) });
    steps.push(Step::RemoveEmail { address: Phi::new(old) });
    steps.push(Step::Resend);
    (RemedyKind::CorrectAddress, steps)
}

/// The DOB the client wrote, as a date, when it differs from the one on
/// file and is itself believable; for a suspect DOB on file any believable
/// date counts, else only one that does not match the DOB on file.
fn confirmed_dob(case: &Case<'_>, words: &ClientWords, suspect: bool) -> Option<NaiveDate> {
    let on_file = *case.account.dob.expose();
    let today = case.now.date_naive();
    let context = DobContext { today, account_created: Some(case.account.created_at.date_naive()) };
    let dates = words.dobs.iter().filter_map(|w| dob::reading(on_file, w.reading.expose(), today));
    let mut believable = dates.filter(|d| *d != on_file && !dob::profile_dob_suspect(*d, &context));
    // When not suspect, a client who wrote several dates has not confirmed one.
    let first = believable.next()?;
    (suspect || believable.all(|d| d == first)).then_some(first)
}

fn set_dob(date: NaiveDate) -> (RemedyKind, Vec<Step>) {
    (RemedyKind::SetDob, vec![Step::SetDob { dob: Phi::new(date) }])
}

fn latest<'a>(case: &Case<'a>) -> Option<&'a Invite> {
    case.invites.iter().max_by_key(|i| (i.sent_at, i.id.clone()))
}

fn latest_live(case: &Case<'_>) -> bool {
    latest(case).is_some_and(|l| invite::state(l, case.account.role, case.now).is_live())
}

/// The newest invite, when it is pending and its link still works.
fn live_invite<'a>(case: &Case<'a>) -> Option<&'a InviteId> {
    let l = latest(case)?;
    let state = invite::state(l, case.account.role, case.now);
    (l.status == InviteStatus::Pending && matches!(state, InviteState::Pending | InviteState::ExpiringSoon))
        .then_some(&l.id)
}

/// The reply once the changes are made: the account as it will be, and the
/// words that say what was done.
fn reply_after_fix(
    case: &Case<'_>,
    code: FindingCode,
    kind: RemedyKind,
    steps: &[Step],
    replies: &Replies,
) -> Phi<String> {
    let mut after = case.account.clone();
    for step in steps {
        match step {
            Step::MakeDefault { address } => after.email = address.clone(),
            Step::SetDob { dob } => after.dob = *dob,
            _ => {}
        }
    }
    let template = match kind {
        RemedyKind::SetDob => FindingCode::ProfileDobSuspect,
        RemedyKind::Resend if code == FindingCode::InviteExpired => FindingCode::InviteExpired,
        RemedyKind::RevokeAndResend => code,
        _ => FindingCode::NoInvite,
    };
    let resent = steps.contains(&Step::Resend);
    let case = Case { account: &after, ..*case };
    troubleshoot::reply_after(&case, template, resent, replies)
}

#[cfg(test)]
mod tests;
