//! One rule per finding code: each reads the [`Facts`] and returns its
//! finding, or nothing. The link-forensics rules live in `links.rs`.

use chrono::{DateTime, Utc};

use super::facts::Facts;
use super::links;
use super::{FindingCode, Pending, REPEATED_OPENS};
use crate::diagnose::dob::{self, DobContext};
use crate::diagnose::email;
use crate::diagnose::invite::{self, InviteState};
use crate::diagnose::replies::SENDER;
use crate::phi::mask_email;
use crate::portal::model::{DeliveryEventKind, Invite, InviteStatus, Role};

/// A rule: its finding about the facts, or nothing.
pub(super) type Rule = fn(&Facts<'_>) -> Option<Pending>;

/// Every rule, in report order (`InviteWorking`, said only when no rule
/// found anything, is [`nothing_wrong`]).
pub(super) const RULES: [(FindingCode, Rule); 15] = [
    (FindingCode::EmailTypo, email_typo),
    (FindingCode::Bounced, bounced),
    (FindingCode::ProfileDobSuspect, profile_dob_suspect),
    (FindingCode::AlreadyAccepted, already_accepted),
    (FindingCode::NoInvite, no_invite),
    (FindingCode::WrongAddress, links::wrong_address),
    (FindingCode::SupersededLinkUsed, superseded_link_used),
    (FindingCode::InviteExpired, invite_expired),
    (FindingCode::LinkInvalid, links::link_invalid),
    (FindingCode::DobFailures, dob_failures),
    (FindingCode::LinkRewritten, links::link_rewritten),
    (FindingCode::LinkPreOpened, links::link_pre_opened),
    (FindingCode::LinkOpenedRepeatedly, link_opened_repeatedly),
    (FindingCode::NotOpened, not_opened),
    (FindingCode::StaffInviteExpiring, staff_invite_expiring),
];

fn email_typo(facts: &Facts<'_>) -> Option<Pending> {
    let email_check = email::check_email(facts.account.email.expose());
    if email_check.findings.is_empty() {
        return None;
    }
    let what: Vec<&str> = email_check.findings.iter().map(|f| f.message.as_str()).collect();
    let suggested: Vec<String> = email_check.suggestions.iter().map(|s| mask_email(s)).collect();
    let suggested =
        if suggested.is_empty() { String::new() } else { format!(" Likely meant: {}.", suggested.join(" or ")) };
    Some(Pending::new(
        FindingCode::EmailTypo,
        format!("The email address on file looks mistyped: {}{suggested}", what.join(" ")),
        "Confirm the exact address with the client, correct it on the account, then resend the invite.".into(),
    ))
}

fn bounced(facts: &Facts<'_>) -> Option<Pending> {
    let bounce = facts.latest?.delivery.iter().find(|e| e.event == DeliveryEventKind::Bounced)?;
    Some(Pending::new(
        FindingCode::Bounced,
        format!(
            "The latest invite email bounced {} ({}).",
            invite::ago(facts.now - bounce.at),
            bounce.detail.as_deref().unwrap_or("no reason given")
        ),
        "Confirm the exact email address with the client, correct it if needed, then resend the invite.".into(),
    ))
}

fn profile_dob_suspect(facts: &Facts<'_>) -> Option<Pending> {
    let account = facts.account;
    let context = DobContext { today: facts.now.date_naive(), account_created: Some(account.created_at.date_naive()) };
    dob::profile_dob_suspect(*account.dob.expose(), &context).then(|| Pending::new(
        FindingCode::ProfileDobSuspect,
        "The date of birth on file looks wrong (a placeholder date, after the account was created, or in the future), so the client's real DOB will be refused.".into(),
        "Verify the DOB with the client over secure communication and edit the DOB on the account; then have them retry the same (or a new) invite link.".into(),
    ))
}

fn already_accepted(facts: &Facts<'_>) -> Option<Pending> {
    let accepted = facts.invites.iter().find(|i| i.status == InviteStatus::Accepted)?;
    let when = accepted.accepted_at.map(|at| invite::ago(facts.now - at)).unwrap_or_else(|| "earlier".into());
    Some(Pending::new(
        FindingCode::AlreadyAccepted,
        format!("An invite was already accepted {when}: the account is set up."),
        "Tell the client to log in with their username and password (or use Forgot password); a new invite is not needed.".into(),
    ))
}

fn no_invite(facts: &Facts<'_>) -> Option<Pending> {
    facts.invites.is_empty().then(|| {
        Pending::new(
            FindingCode::NoInvite,
            "No portal invite was ever sent to this account.".into(),
            format!("Send an invite; the link will work for {}.", facts.window),
        )
    })
}

fn superseded_link_used(facts: &Facts<'_>) -> Option<Pending> {
    let opened = superseded_link_opened(facts)?;
    Some(Pending::new(
        FindingCode::SupersededLinkUsed,
        format!(
            "The client opened an old invite link {} after a newer invite replaced it; old links stop working when a new one is sent.",
            invite::ago(facts.now - opened)
        ),
        "Have the client use the link in the newest email only; resend if they cannot find it.".into(),
    ))
}

/// When the client last opened a superseded link after its replacement was
/// sent, if they did: from the visit log, counting every visit but a mail
/// scanner's (a scanner re-checking an old link is not the client); for a
/// portal that keeps no visits of an invite, from its `opened` events.
fn superseded_link_opened(facts: &Facts<'_>) -> Option<DateTime<Utc>> {
    let invites = facts.invites;
    facts
        .invites_with_forensics()
        .filter(|(i, _)| i.status == InviteStatus::Superseded)
        .filter_map(|(old, forensics)| {
            let replaced_at = invites.iter().filter(|n| n.sent_at > old.sent_at).map(|n| n.sent_at).min()?;
            if old.visits.is_empty() {
                old.delivery
                    .iter()
                    .filter(|e| e.event == DeliveryEventKind::Opened && e.at >= replaced_at)
                    .map(|e| e.at)
                    .max()
            } else {
                forensics.not_by_scanners.iter().filter(|v| v.at >= replaced_at).map(|v| v.at).max()
            }
        })
        .max()
}

fn invite_expired(facts: &Facts<'_>) -> Option<Pending> {
    let latest = facts.latest.filter(|_| facts.latest_state == Some(InviteState::Expired))?;
    let window = facts.window;
    Some(Pending::new(
        FindingCode::InviteExpired,
        format!(
            "The latest invite {}: {} invites last {window}.",
            invite::countdown(latest, facts.role, facts.now),
            if facts.role == Role::Staff { "staff" } else { "client" }
        ),
        format!("Resend the invite; the new link works for {window} and earlier links stop working."),
    ))
}

fn dob_failures(facts: &Facts<'_>) -> Option<Pending> {
    let latest = facts.latest.filter(|l| l.dob_failures > 0 && l.status != InviteStatus::Accepted)?;
    Some(Pending::new(
        FindingCode::DobFailures,
        format!("The invite page refused the date of birth {} time(s).", latest.dob_failures),
        "Ask the client exactly what they type and compare it with the DOB on file (MM/DD/YYYY, 2/2/4 digits); if the DOB on file is wrong, edit it.".into(),
    ))
}

fn link_opened_repeatedly(facts: &Facts<'_>) -> Option<Pending> {
    let person_opens = facts.person_opens;
    facts.latest.filter(|l| facts.live && person_opens >= REPEATED_OPENS && l.dob_failures == 0)?;
    Some(Pending::new(
        FindingCode::LinkOpenedRepeatedly,
        format!(
            "The link was opened {person_opens} times with no date of birth entered: an email provider may be rewriting the link, or the page was refreshed too many times.",
        ),
        "Have the client right-click the link in the email, copy it, open a new browser window, paste it into the address bar and press Enter; resend if it still shows invalid.".into(),
    ))
}

fn not_opened(facts: &Facts<'_>) -> Option<Pending> {
    let delivered = |l: &&Invite| l.delivery.iter().any(|e| e.event == DeliveryEventKind::Delivered);
    let latest = facts.latest.filter(|l| facts.live && facts.person_opens == 0 && delivered(l))?;
    let scanner_only = if facts.forensics.scanner_visits.is_empty() {
        ""
    } else {
        " by the client (only a mail scanner opened the link)"
    };
    Some(Pending::new(
        FindingCode::NotOpened,
        format!(
            "The invite was delivered {} but never opened{scanner_only}: it is likely in Spam or Trash.",
            invite::ago(facts.now - latest.sent_at)
        ),
        format!(
            "Have the client search their inbox for an email from {SENDER}, including Spam and Trash, and click the link within {}.",
            facts.window
        ),
    ))
}

fn staff_invite_expiring(facts: &Facts<'_>) -> Option<Pending> {
    let expiring = facts.role == Role::Staff && facts.latest_state == Some(InviteState::ExpiringSoon);
    let latest = facts.latest.filter(|_| expiring)?;
    Some(Pending::new(
        FindingCode::StaffInviteExpiring,
        format!(
            "The staff invite expires in {} (staff links last 1 hour).",
            invite::countdown(latest, facts.role, facts.now)
        ),
        "Have the staff member finish now; resend as soon as it runs out.".into(),
    ))
}

/// When no rule found anything: the latest link works (`InviteWorking`),
/// or there is no working link at all (`InviteExpired`).
pub(super) fn nothing_wrong(facts: &Facts<'_>) -> Pending {
    match facts.latest {
        Some(latest) if facts.live => Pending::new(
            FindingCode::InviteWorking,
            format!("The latest invite works for another {}.", invite::countdown(latest, facts.role, facts.now)),
            "Have the client use the link in the newest email; if it fails, ask what the page says.".into(),
        ),
        _ => Pending::new(
            FindingCode::InviteExpired,
            "No working invite link: the latest one no longer works.".into(),
            format!("Resend the invite; the new link works for {}.", facts.window),
        ),
    }
}
