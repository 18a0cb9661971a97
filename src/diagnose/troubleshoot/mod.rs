//! The troubleshooting engine: given an account, its invites and now, why
//! the client cannot get in, what to do next (from the support article) and
//! what to tell them.
//!
//! [`Facts`] are computed once per account; then one rule per
//! [`FindingCode`] (in `rules.rs` and `links.rs`) looks at them
//! and returns its finding or nothing. What the client wrote in the ticket
//! ([`ClientWords`], read once per conversation: DOBs, addresses and
//! claims) comes in with the [`Case`]; the findings that cite it say which
//! message and where. So do the client's live visits to the invite page
//! ([`OnPage`], from the console's event stream). [`troubleshoot`] runs the
//! rules, puts their findings in order (one function, `rules::order`) and
//! fills in the replies.

mod facts;
mod links;
mod rules;
mod words;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use self::facts::Facts;
pub use self::words::{Citation, Claimed, ClientWords, Written};
use super::invite::window_words;
use super::replies::{Replies, ReplyContext};
use crate::phi::Phi;
use crate::portal::model::{Account, AuditEntry, Invite};

/// What a finding is about. The order of the variants is the order findings
/// are reported in: the most decisive first. The snake_case names
/// (`email_typo`) are the stable codes, also the reply templates' file
/// names; serde and strum both take them from here.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum FindingCode {
    /// A new invite went out moments ago: where, until when, and that
    /// earlier links no longer work (said first after a resend).
    InviteJustSent,
    /// The DOB on file was changed after the invite page refused the
    /// client's entries: they can retry (said first after a DOB edit).
    DobCorrected,
    /// The address on file looks mistyped (`.cmo`, `gmial.com`).
    EmailTypo,
    /// The latest invite email bounced.
    Bounced,
    /// The DOB on file looks wrong (a placeholder, after the account was
    /// made, or in the future): the client cannot pass the DOB check.
    ProfileDobSuspect,
    /// An invite was already accepted: the client should log in.
    AlreadyAccepted,
    /// No invite was ever sent.
    NoInvite,
    /// The invite went to one address of the account; the client is likely
    /// looking in another.
    WrongAddress,
    /// An address the client wrote in the ticket is not where the invite
    /// went: the one meant, another address, or mistyped itself.
    EmailInMessage,
    /// The client opened a link after a newer invite replaced it.
    SupersededLinkUsed,
    /// The latest invite expired.
    InviteExpired,
    /// The exact reason the link shows the invalid-link page right now
    /// (expired, superseded, revoked, already used).
    LinkInvalid,
    /// A DOB the client wrote in the ticket, checked against the DOB on
    /// file: how to type it, or that the DOB on file may be wrong.
    DobInMessage,
    /// The invite page refused the DOB the client typed.
    DobFailures,
    /// The client's mail service rewrote the link (Safe Links, URL Defense).
    LinkRewritten,
    /// A mail scanner opened the link before the client did.
    LinkPreOpened,
    /// The link was opened many times with no DOB entered.
    LinkOpenedRepeatedly,
    /// Delivered but never opened: likely in Spam or Trash.
    NotOpened,
    /// A staff invite close to its 1-hour limit.
    StaffInviteExpiring,
    /// Nothing wrong was found: the latest link works.
    InviteWorking,
}

impl FindingCode {
    /// Every code, in report order.
    pub fn all() -> impl Iterator<Item = FindingCode> {
        <Self as strum::IntoEnumIterator>::iter()
    }

    /// The stable code (`email_typo`, ...), also the template's file name.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// One finding: what is wrong, what to do, what to say. (`Debug` shows its
/// code alone: revealed, its texts hold addresses.)
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: FindingCode,
    /// What happened, for staff. Addresses in it are masked unless the
    /// case was [revealed](Case::revealed); it holds no other PHI.
    pub explanation: String,
    /// The next step, from the support article; addresses as in
    /// `explanation`.
    pub next_step: String,
    /// The canned message for the account holder (holds their first name;
    /// their address masked unless the case was revealed).
    pub reply: Phi<String>,
    /// The address the one on file likely meant (`email_typo`), or the
    /// one the client wrote (`email_in_message`), in full: shown only where
    /// the case is revealed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggested_email: Option<Phi<String>>,
    /// The message and the characters in it the finding cites, when it
    /// cites what the client wrote.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cites: Option<Citation>,
}

impl std::fmt::Debug for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Finding").field("code", &self.code).finish_non_exhaustive()
    }
}

/// What the engine looks at.
#[derive(Debug, Clone, Copy)]
pub struct Case<'a> {
    pub account: &'a Account,
    /// The account's invites, in any order.
    pub invites: &'a [Invite],
    /// Now, on the server's clock.
    pub now: DateTime<Utc>,
    /// The account's audit trail, when it was read: what was just done to
    /// it (a DOB corrected) shows in the findings.
    pub audit: &'a [AuditEntry],
    /// Addresses in findings and replies in full (revealed, or a reply
    /// copied to send), else masked.
    pub reveal: bool,
    /// What the client wrote in the ticket, when the account is looked at
    /// for one.
    pub words: &'a ClientWords,
    /// The client on the invite page, as the console's live events tell it
    /// (the console passes it in; nothing here reads it).
    pub on_page: Option<&'a OnPage>,
}

/// The client on the invite page, from the portal's live events: when
/// they visited it and when it refused a DOB. What they typed is in the
/// invites' visit log, read again after the event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OnPage {
    pub visits: Vec<DateTime<Utc>>,
    pub refusals: Vec<DateTime<Utc>>,
}

/// The client counts as on the invite page for this long after a visit.
pub const ON_PAGE_FOR: chrono::Duration = chrono::Duration::seconds(60);

impl<'a> Case<'a> {
    /// A case at `now`, masked, without an audit trail.
    pub fn new(account: &'a Account, invites: &'a [Invite], now: DateTime<Utc>) -> Self {
        Self { account, invites, now, audit: &[], reveal: false, words: &words::NO_WORDS, on_page: None }
    }

    /// With the client's live visits to the invite page.
    pub fn with_on_page(self, on_page: &'a OnPage) -> Self {
        Self { on_page: Some(on_page), ..self }
    }

    /// With what the client wrote in the ticket.
    pub fn with_words(self, words: &'a ClientWords) -> Self {
        Self { words, ..self }
    }

    /// With the account's audit trail.
    pub fn with_audit(self, audit: &'a [AuditEntry]) -> Self {
        Self { audit, ..self }
    }

    /// With addresses in full (`true`) or masked.
    pub fn revealed(self, reveal: bool) -> Self {
        Self { reveal, ..self }
    }
}

/// An invite sent at most this long ago was "just sent": the findings
/// start with it.
pub const JUST_SENT: chrono::Duration = chrono::Duration::minutes(15);

/// Links opened at least this often with no DOB entered look rewritten by a
/// mail provider, or refreshed too often.
pub const REPEATED_OPENS: u32 = 3;

/// The findings for a case, most decisive first. Never empty.
pub fn troubleshoot(case: &Case<'_>, replies: &Replies) -> Vec<Finding> {
    let facts = Facts::of(case, replies.zone());
    let mut found: Vec<Pending> = rules::RULES.iter().filter_map(|(_, rule)| rule(&facts)).collect();
    if found.iter().all(|p| p.ruled_out) {
        found.push(rules::nothing_wrong(&facts));
    }
    rules::order(&mut found);
    rules::registered_elsewhere(&facts, &mut found);
    // What the client asked, answered in every reply.
    let answers = rules::answers(&facts);
    found
        .into_iter()
        .map(|p| {
            let mut context = reply_context(&facts, replies.practice_zone());
            if let Some(address) = p.reply_email {
                context.email = facts.shown(&address);
            }
            let mut reply = replies.render_for(p.reply_as, facts.role, &context);
            for answer in p.reply_extra.iter().chain(&answers) {
                reply.push_str("\n\n");
                reply.push_str(answer);
            }
            Finding {
                code: p.code,
                explanation: role_words(p.explanation, facts.role),
                next_step: role_words(p.next_step, facts.role),
                reply: Phi::new(reply),
                suggested_email: p.suggested_email.map(Phi::new),
                cites: p.cites,
            }
        })
        .collect()
}

/// The reply of `code`'s template for a case, filled from its facts (the
/// deadline, the address as the case shows it, the role's template),
/// whether or not the case sets off that finding: for checks over every
/// template.
pub fn reply(case: &Case<'_>, replies: &Replies, code: FindingCode) -> Phi<String> {
    let facts = Facts::of(case, replies.zone());
    Phi::new(replies.render_for(code, facts.role, &reply_context(&facts, replies.practice_zone())))
}

/// A finding's words for the account's role: on a staff account, the
/// person is "the staff member", never "the client".
fn role_words(text: String, role: crate::portal::model::Role) -> String {
    if role == crate::portal::model::Role::Client {
        return text;
    }
    text.replace("the client", "the staff member").replace("The client", "The staff member")
}

/// A finding before its reply is filled in.
pub(super) struct Pending {
    pub code: FindingCode,
    pub explanation: String,
    pub next_step: String,
    /// Whose template the reply uses (the finding's own, unless another
    /// finding's words fit the client better).
    pub reply_as: FindingCode,
    /// The address the reply names (in full; shown as the case says),
    /// when not the default address.
    pub reply_email: Option<String>,
    /// The address the one on file likely meant, in full.
    pub suggested_email: Option<String>,
    /// What the client wrote that the finding cites.
    pub cites: Option<Citation>,
    /// The client has ruled this cause out in the ticket (they looked in
    /// Spam): it is said after every other finding.
    pub ruled_out: bool,
    /// The client is on the invite page now: said before every other
    /// finding.
    pub now_on_page: bool,
    /// Sentences the reply ends with, after its template's text.
    pub reply_extra: Vec<String>,
    /// What the client asked for in the ticket (the invite at an address
    /// they wrote): said before the causes inferred about addresses.
    pub asked_for: bool,
}

impl Pending {
    pub fn new(code: FindingCode, explanation: String, next_step: String) -> Self {
        Self {
            code,
            explanation,
            next_step,
            reply_as: code,
            reply_email: None,
            suggested_email: None,
            cites: None,
            ruled_out: false,
            now_on_page: false,
            reply_extra: Vec::new(),
            asked_for: false,
        }
    }
}

fn reply_context(facts: &Facts<'_>, practice: crate::timezone::StaffZone) -> ReplyContext {
    let account = facts.account;
    // The newest link works: its own deadline, to the minute, whatever the
    // template (after a resend, the new invite's). Else the reply speaks of
    // an invite still to be sent, and quotes the expiry a new one gets: a
    // preview only, rewritten from the real invite once it is sent.
    let expires_at = match facts.latest {
        Some(latest) if facts.live => latest.expires_at,
        _ => facts.now + account.role.invite_lifetime(),
    };
    let sent_at = facts.latest.map(|l| l.sent_at).unwrap_or(facts.now);
    ReplyContext {
        // A reply names the client; a name of any length from the portal
        // is cut so the reply stays a message.
        first_name: crate::sanitize::capped(account.first_name.expose(), 200).into_owned(),
        email: facts.shown(account.email.expose()),
        expiry_window: window_words(account.role).to_owned(),
        expires_at: practice.in_email(expires_at),
        sent_at: practice.in_email(sent_at),
    }
}

#[cfg(test)]
mod tests;
