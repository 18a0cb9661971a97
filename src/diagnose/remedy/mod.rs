//! Remedies: what fixes the top finding, as an ordered [`Plan`] of steps
//! that ends with the reply it sends and the ticket's status.
//!
//! Pure: from the findings of an account, the account and its invites, and
//! what the client wrote in the ticket ([`ClientWords`], read by the
//! troubleshooting engine). The steps are run by `crate::fix`, for the
//! console and the CLI alike.
//!
//! A plan's reply is never what the plan expected: [`reply_for`] writes it
//! from a [`Case`] of the account as it stands. Before the steps, that is
//! the [`expected`] outcome (what the agent approves); after them, the
//! account, invites, audit trail and conversation read back from the
//! portal (what is sent). Both are written in full (never masked: masking
//! is a screen's business) with absolute times in the practice's zone.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::dob::{self, DobContext};
use super::email;
use super::invite::{self, InviteState};
use super::replies::Replies;
use super::troubleshoot::{self, Case, Finding, FindingCode};
use crate::phi::{Phi, mask_email};
use crate::portal::model::{
    Account, AccountEmail, AuditAction, AuditEntry, AuthorKind, DeliveryEventKind, Invite, InviteId, InviteStatus,
    ReplyStatus, StaffId, TicketId, TicketMessage, Visibility,
};

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
    /// The only channel is dead (the address on file bounced, and the
    /// client gave no other): call the client. Once the call is marked
    /// done, an internal note records it and the ticket is set pending;
    /// nothing is emailed.
    CallClient,
}

impl RemedyKind {
    /// What a kind of remedy does, in words.
    pub fn words(self) -> &'static str {
        match self {
            RemedyKind::Resend => "resend the invite, reply",
            RemedyKind::CorrectAddress => "correct the address, resend, reply",
            RemedyKind::SetDob => "set the DOB on file, reply",
            RemedyKind::RevokeAndResend => "revoke the link, resend, reply",
            RemedyKind::ReplyOnly => "no change needed: reply",
            RemedyKind::CallClient => "the address bounced: call the client",
        }
    }

    /// What a finished plan did, in words, for the banner and the CLI
    /// ("Resent the invite, replied and solved").
    pub fn done_words(self, status: Option<ReplyStatus>) -> String {
        let change = match self {
            RemedyKind::Resend => Some("Resent the invite"),
            RemedyKind::CorrectAddress => Some("Corrected the address and resent the invite"),
            RemedyKind::SetDob => Some("Set the DOB on file"),
            RemedyKind::RevokeAndResend => Some("Revoked the link and resent the invite"),
            RemedyKind::ReplyOnly => None,
            RemedyKind::CallClient => return "Recorded the call in a note and set the ticket pending".to_owned(),
        };
        let status = match status {
            Some(ReplyStatus::Solved) => "solved",
            Some(ReplyStatus::Pending) => "set pending",
            _ => "left the status",
        };
        match change {
            Some(change) => format!("{change}, replied and {status}"),
            None => format!("Replied (no change needed) and {status}"),
        }
    }
}

/// One change a plan makes, in order. (`Debug` shows no PHI: the values are
/// wrapped.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    AddEmail {
        address: Phi<String>,
    },
    MakeDefault {
        address: Phi<String>,
    },
    RemoveEmail {
        address: Phi<String>,
    },
    SetDob {
        dob: Phi<NaiveDate>,
    },
    Revoke {
        invite_id: InviteId,
    },
    Resend,
    /// The public reply. `body` is the one approved (written from the
    /// expected outcome); what is sent is written again after the steps.
    Reply {
        body: Phi<String>,
        status: ReplyStatus,
    },
    /// An internal note (a call made).
    Note {
        body: Phi<String>,
    },
    /// Sets the ticket pending (after a call: waiting on the client).
    SetPending,
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
            Step::Reply { status, .. } => {
                format!(
                    "Reply to the client (below, written again from what the portal shows) and set the ticket {}",
                    status.as_str()
                )
            }
            Step::Note { .. } => "Record the call in an internal note".to_owned(),
            Step::SetPending => "Set the ticket pending".to_owned(),
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
    /// Whose template the reply is written with.
    pub reply_as: FindingCode,
    /// For a call: what to say (the client's name, number and address in
    /// full: a screen masks it until revealed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call_script: Option<Phi<String>>,
}

impl Plan {
    /// What the finished plan did, in words.
    pub fn done_words(&self) -> String {
        self.kind.done_words(self.reply().map(|(_, status)| status))
    }

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
    let written_address = || address_to_use(account, words, false);
    // The client looked in Spam after the newest invite came.
    let spam_searched = looked_in_spam(case, words);
    let changes = match code {
        FindingCode::EmailTypo => address_to_use(account, words, true).map(|to| correct_address(account, to)),
        FindingCode::Bounced => written_address().map(|to| correct_address(account, to)),
        FindingCode::ProfileDobSuspect => confirmed_dob(case, words, true).map(|d| set_dob(case, d)),
        FindingCode::DobFailures | FindingCode::DobInMessage => {
            confirmed_dob(case, words, false).map(|d| set_dob(case, d))
        }
        // The client wrote the address they want: it becomes the default
        // and the invite goes there; nobody asks again which inbox.
        FindingCode::EmailInMessage | FindingCode::WrongAddress => finding
            .suggested_email
            .as_ref()
            .map(|to| to.expose().clone())
            .filter(|to| !to.eq_ignore_ascii_case(account.email.expose()))
            .or_else(written_address)
            .map(|to| correct_address(account, to))
            // No other address written, and they looked in Spam: the
            // address is confirmed on the call and the invite resent.
            .or_else(|| spam_searched.then(|| (RemedyKind::Resend, vec![Step::Resend]))),
        FindingCode::NoInvite | FindingCode::InviteExpired => Some((RemedyKind::Resend, vec![Step::Resend])),
        FindingCode::LinkInvalid if !latest_live(case) => Some((RemedyKind::Resend, vec![Step::Resend])),
        FindingCode::NotOpened if spam_searched => Some((RemedyKind::Resend, vec![Step::Resend])),
        FindingCode::LinkOpenedRepeatedly => live_invite(case)
            .map(|id| (RemedyKind::RevokeAndResend, vec![Step::Revoke { invite_id: id.clone() }, Step::Resend])),
        _ => None,
    };
    let (kind, mut steps) = changes.unwrap_or((RemedyKind::ReplyOnly, Vec::new()));
    let reason = match ticket_id {
        Some(t) => format!("One-key fix for ticket {}: {}", t.as_str(), code.as_str()),
        None => format!("One-key fix: {}", code.as_str()),
    };
    // Whatever the finding, a reply to a dead address is never read: when
    // the plan leaves the reply going there, the remedy is a call.
    let new_default = steps.iter().find_map(|s| match s {
        Step::MakeDefault { address } => Some(address.expose().as_str()),
        _ => None,
    });
    if new_default.is_none() && dead_address(case).is_some() {
        let script = call_script(case);
        let note = format!(
            "Called the client on the phone number on file: the invitation email to the address on file bounced ({}). Waiting for an address that works.",
            bounce_detail(case).unwrap_or("no detail")
        );
        return Plan {
            finding: code,
            kind: RemedyKind::CallClient,
            reason,
            ticket_id: ticket_id.cloned(),
            steps: vec![Step::Note { body: Phi::new(note) }, Step::SetPending],
            reply_as: code,
            call_script: Some(script),
        };
    }
    let reply_as = match kind {
        RemedyKind::ReplyOnly => finding.code,
        RemedyKind::SetDob if !steps.contains(&Step::Resend) => FindingCode::DobCorrected,
        RemedyKind::Resend if code == FindingCode::InviteExpired => FindingCode::InviteExpired,
        RemedyKind::Resend if code == FindingCode::NoInvite => FindingCode::NoInvite,
        // They looked in Spam: the reply says where it went, nothing of Spam.
        RemedyKind::Resend if spam_searched => FindingCode::NoInvite,
        _ => FindingCode::InviteJustSent,
    };
    let status = match kind {
        RemedyKind::ReplyOnly if code != FindingCode::AlreadyAccepted => ReplyStatus::Pending,
        _ => ReplyStatus::Solved,
    };
    let mut plan = Plan {
        finding: code,
        kind,
        reason,
        ticket_id: ticket_id.cloned(),
        steps: Vec::new(),
        reply_as,
        call_script: None,
    };
    steps.push(Step::Reply { body: Phi::new(String::new()), status });
    plan.steps = steps;
    let (account, invites) = expected(case, &plan);
    let after = Case { account: &account, invites: &invites, ..*case };
    let body = reply_for(&plan, &after, replies);
    plan.set_reply(body);
    plan
}

impl Plan {
    /// Replaces the reply's body (the one approved).
    pub fn set_reply(&mut self, new: Phi<String>) {
        for step in &mut self.steps {
            if let Step::Reply { body, .. } = step {
                *body = new.clone();
            }
        }
    }
}

/// The reply a plan sends, written from `case`: the account as it stands
/// once the steps are done (read back, or [`expected`]). In full, never
/// masked; times absolute, in the practice's zone, the deadline the newest
/// live invite's own.
pub fn reply_for(plan: &Plan, case: &Case<'_>, replies: &Replies) -> Phi<String> {
    let case = case.revealed(true);
    if plan.kind == RemedyKind::ReplyOnly
        && let Some(finding) = troubleshoot::troubleshoot(&case, replies).into_iter().find(|f| f.code == plan.finding)
    {
        return finding.reply;
    }
    troubleshoot::reply(&case, replies, plan.reply_as)
}

/// The account and its invites as the plan's steps are expected to leave
/// them (a resend makes a pending invite sent now, lasting the role's
/// window, and supersedes the older pending ones).
pub fn expected(case: &Case<'_>, plan: &Plan) -> (Account, Vec<Invite>) {
    let mut account = case.account.clone();
    let mut invites = case.invites.to_vec();
    let same = |a: &AccountEmail, b: &Phi<String>| a.address.expose().eq_ignore_ascii_case(b.expose());
    for step in &plan.steps {
        match step {
            Step::AddEmail { address } => {
                if !account.emails.iter().any(|e| same(e, address)) {
                    account.emails.push(AccountEmail { address: address.clone(), is_default: false });
                }
            }
            Step::MakeDefault { address } => {
                for e in &mut account.emails {
                    e.is_default = same(e, address);
                }
                account.email = address.clone();
            }
            Step::RemoveEmail { address } => account.emails.retain(|e| !same(e, address)),
            Step::SetDob { dob } => account.dob = *dob,
            Step::Revoke { invite_id } => {
                for i in invites.iter_mut().filter(|i| &i.id == invite_id) {
                    i.status = InviteStatus::Revoked;
                }
            }
            Step::Resend => {
                for i in invites.iter_mut().filter(|i| i.status == InviteStatus::Pending) {
                    i.status = InviteStatus::Superseded;
                }
                invites.push(Invite {
                    id: InviteId::from("inv_expected"),
                    account_id: account.id.clone(),
                    sent_to: account.email.clone(),
                    sent_at: case.now,
                    expires_at: case.now + account.role.invite_lifetime(),
                    status: InviteStatus::Pending,
                    accepted_at: None,
                    link_opens: 0,
                    dob_failures: 0,
                    delivery: Vec::new(),
                    revoked: None,
                    visits: Vec::new(),
                    token_sha256: None,
                });
            }
            Step::Reply { .. } | Step::Note { .. } | Step::SetPending => {}
        }
    }
    (account, invites)
}

/// A ticket answered since the client last wrote: a public reply from
/// staff after the client's latest message, and what was done on the
/// ticket since then (from the audit trail), oldest first. A one-key fix
/// on it would be a second answer: it sends nothing unless asked again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answered {
    /// Who replied (a staff id) and when.
    pub by: StaffId,
    pub at: DateTime<Utc>,
    /// Each change on the ticket since the client wrote: who, what, when.
    pub done: Vec<(StaffId, AuditAction, DateTime<Utc>)>,
}

impl Answered {
    /// "agent_rivera resent the invite at Dec 7, 10:41 UTC; agent_rivera
    /// replied at Dec 7, 10:42 UTC": what was done, by whom and when
    /// (never a value).
    pub fn words(&self, zone: crate::timezone::StaffZone) -> String {
        // The same change by the same person in a row is said once, counted
        // ("changed the account 3 times"), at the last one's time.
        let mut said: Vec<(StaffId, AuditAction, DateTime<Utc>, usize)> = Vec::new();
        for (who, action, at) in self.done.iter().filter(|(_, action, _)| *action != AuditAction::ReplySent) {
            match said.last_mut() {
                Some(last) if last.0 == *who && last.1 == *action => {
                    last.2 = *at;
                    last.3 += 1;
                }
                _ => said.push((who.clone(), *action, *at, 1)),
            }
        }
        let mut words: Vec<String> = said
            .into_iter()
            .map(|(who, action, at, n)| {
                let times = if n > 1 { format!(" {n} times") } else { String::new() };
                format!("{} {}{times} at {}", crate::sanitize::field(&who), action_words(action), zone.long(at))
            })
            .collect();
        words.push(format!("{} replied at {}", crate::sanitize::field(&self.by), zone.long(self.at)));
        words.join("; ")
    }
}

fn action_words(action: AuditAction) -> &'static str {
    match action {
        AuditAction::AccountUpdated => "changed the account",
        AuditAction::InviteSent => "resent the invite",
        AuditAction::TicketUpdated => "changed the ticket",
        AuditAction::NoteAdded => "added a note",
        AuditAction::InviteRevoked => "revoked an invite",
        AuditAction::ReplySent => "replied",
        AuditAction::DetailsRevealed => "revealed the client's details",
    }
}

/// Whether the ticket was answered since the client last wrote (see
/// [`Answered`]). `messages` is its conversation; `audit` the account's
/// trail.
pub fn answered_since_client(messages: &[TicketMessage], audit: &[AuditEntry], ticket: &TicketId) -> Option<Answered> {
    let public = |m: &&TicketMessage| m.visibility == Visibility::Public;
    let client_at = messages.iter().filter(public).filter(|m| m.author.kind == AuthorKind::Client).map(|m| m.at).max();
    let reply = messages
        .iter()
        .filter(public)
        .filter(|m| m.author.kind == AuthorKind::Staff && client_at.is_none_or(|c| m.at >= c))
        .max_by_key(|m| (m.at, m.id.clone()))?;
    let mut done: Vec<_> = audit
        .iter()
        .filter(|e| e.ticket_id.as_ref() == Some(ticket) && client_at.is_none_or(|c| e.at >= c))
        // A reveal is no answer to the client.
        .filter(|e| e.action.is_change())
        .map(|e| (e.actor.clone(), e.action, e.at, e.seq))
        .collect();
    done.sort_by_key(|(_, _, at, seq)| (*at, *seq));
    Some(Answered {
        // A staff message's author id is a staff id.
        by: StaffId::from(&reply.author.id),
        at: reply.at,
        done: done.into_iter().map(|(who, action, at, _)| (who, action, at)).collect(),
    })
}

/// The address on file, when a reply or invite sent to it is not read:
/// the newest invite sent to it bounced.
pub fn dead_address<'a>(case: &Case<'a>) -> Option<&'a str> {
    let on_file = case.account.email.expose();
    let newest = case
        .invites
        .iter()
        .filter(|i| i.sent_to.expose().eq_ignore_ascii_case(on_file))
        .max_by_key(|i| (i.sent_at, i.id.clone()))?;
    newest.delivery.iter().any(|e| e.event == DeliveryEventKind::Bounced).then_some(on_file.as_str())
}

/// What the mail server said of the bounce (`550 5.2.1 mailbox disabled`).
fn bounce_detail<'a>(case: &Case<'a>) -> Option<&'a str> {
    let latest = latest(case)?;
    latest.delivery.iter().rev().find(|e| e.event == DeliveryEventKind::Bounced).and_then(|e| e.detail.as_deref())
}

/// What to say on the phone when email cannot reach the client: who to
/// call, on which number, and the words (in full: the screen masks them
/// until revealed).
pub fn call_script(case: &Case<'_>) -> Phi<String> {
    let account = case.account;
    let first = crate::sanitize::capped(account.first_name.expose(), 200);
    let last = crate::sanitize::capped(account.last_name.expose(), 200);
    let portal = match account.role {
        crate::portal::model::Role::Staff => "staff portal",
        crate::portal::model::Role::Client => "client portal",
    };
    Phi::new(format!(
        "Call {first} {last} on {phone}.\n\
         Say: \"Hi {first}, this is the front desk calling about your {portal} invitation. \
         Our email to {email} could not be delivered{why}. Which email address would you like us to use? \
         We will send a new invitation there right away; it comes from {sender} and its link works for {window}.\"\n\
         Then add the address they give (a on the account), make it the default, and resend (r).",
        phone = crate::sanitize::capped(account.phone.expose(), 40),
        email = account.email.expose(),
        why = bounce_detail(case)
            .map(|d| format!(" (the mail server said: {})", crate::sanitize::capped(d, 200)))
            .unwrap_or_default(),
        sender = super::replies::SENDER,
        window = super::invite::window_words(account.role),
    ))
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

/// Sets the DOB on file; when no link works any more, a new invite too
/// (the client cannot "open the same link again").
fn set_dob(case: &Case<'_>, date: NaiveDate) -> (RemedyKind, Vec<Step>) {
    let mut steps = vec![Step::SetDob { dob: Phi::new(date) }];
    if !latest_live(case) {
        steps.push(Step::Resend);
    }
    (RemedyKind::SetDob, steps)
}

fn latest<'a>(case: &Case<'a>) -> Option<&'a Invite> {
    case.invites.iter().max_by_key(|i| (i.sent_at, i.id.clone()))
}

/// The client wrote they looked in Spam after the newest invite was sent.
fn looked_in_spam(case: &Case<'_>, words: &ClientWords) -> bool {
    latest(case).is_some_and(|l| words.claimed_since(super::claims::ClaimKind::SearchedSpam, l.sent_at).is_some())
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

#[cfg(test)]
mod tests;
