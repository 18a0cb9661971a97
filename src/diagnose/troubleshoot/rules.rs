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
use crate::portal::model::{DeliveryEventKind, Invite, InviteStatus, Role};

/// A rule: its finding about the facts, or nothing.
pub(super) type Rule = fn(&Facts<'_>) -> Option<Pending>;

/// Every rule, in report order (`InviteWorking`, said only when no rule
/// found anything, is [`nothing_wrong`]).
pub(super) const RULES: [(FindingCode, Rule); 17] = [
    (FindingCode::InviteJustSent, invite_just_sent),
    (FindingCode::DobCorrected, dob_corrected),
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

/// What was just done, said first: a new invite went out moments ago (and
/// nobody has opened it yet): where, when, until when it works, and that
/// earlier links no longer do. Read from the invites as they are now, so
/// it holds after a reload and ends by itself.
fn invite_just_sent(facts: &Facts<'_>) -> Option<Pending> {
    let latest = facts.latest.filter(|l| facts.live && facts.now - l.sent_at <= super::JUST_SENT)?;
    if facts.person_opens > 0 {
        return None;
    }
    let earlier = facts.invites.iter().filter(|i| i.sent_at < latest.sent_at).count();
    let earlier = match earlier {
        0 => "it is the first invite of this account".to_owned(),
        1 => "the earlier link no longer works".to_owned(),
        n => format!("the {n} earlier links no longer work"),
    };
    let (zone, window) = (facts.zone, facts.window);
    let deadline =
        format!("{} (in {})", zone.long(latest.expires_at), invite::remaining(latest.expires_at - facts.now));
    Some(Pending {
        reply_email: Some(latest.sent_to.expose().clone()),
        ..Pending::new(
            FindingCode::InviteJustSent,
            format!(
                "A new link went to {} at {} ({}); it works for {window}, until {deadline}; {earlier}.",
                facts.shown(latest.sent_to.expose()),
                zone.long(latest.sent_at),
                invite::ago(facts.now - latest.sent_at),
            ),
            format!(
                "Tell {} to open the newest email from {SENDER} (Spam and Junk too) and use its link before {deadline}; links in earlier emails no longer work.",
                facts.who
            ),
        )
    })
}

/// What was just done, said first: the DOB on file was changed (audit
/// trail) after the invite page last refused the entries typed, and it no
/// longer looks wrong: the account holder can retry.
fn dob_corrected(facts: &Facts<'_>) -> Option<Pending> {
    let changed = facts.dob_changed_at?;
    let latest = facts.latest.filter(|l| l.dob_failures > 0 && l.status != InviteStatus::Accepted)?;
    if Facts::last_refusal(latest) > changed || dob_suspect(facts) {
        return None;
    }
    let (zone, who) = (facts.zone, facts.who);
    let when = format!("{} ({})", zone.long(changed), invite::ago(facts.now - changed));
    let (now_words, next_step) = if facts.live {
        let deadline =
            format!("{} (in {})", zone.long(latest.expires_at), invite::remaining(latest.expires_at - facts.now));
        (
            format!("the same link still works, until {deadline}"),
            format!(
                "Tell {who} to open the same link again and type their date of birth as MM/DD/YYYY before {deadline}; if it is refused again, compare what they type."
            ),
        )
    } else {
        (
            "but the link no longer works".to_owned(),
            format!("Resend the invite; the new link works for {}.", facts.window),
        )
    };
    Some(Pending {
        reply_as: if facts.live { FindingCode::DobCorrected } else { FindingCode::InviteExpired },
        ..Pending::new(
            FindingCode::DobCorrected,
            format!(
                "The DOB on file was corrected at {when}, after the invite page refused {} entr{}: {now_words}.",
                latest.dob_failures,
                if latest.dob_failures == 1 { "y" } else { "ies" }
            ),
            next_step,
        )
    })
}

/// Whether the DOB on file looks wrong.
fn dob_suspect(facts: &Facts<'_>) -> bool {
    let account = facts.account;
    let context = DobContext { today: facts.now.date_naive(), account_created: Some(account.created_at.date_naive()) };
    dob::profile_dob_suspect(*account.dob.expose(), &context)
}

fn email_typo(facts: &Facts<'_>) -> Option<Pending> {
    let email_check = email::check_email(facts.account.email.expose());
    if email_check.findings.is_empty() {
        return None;
    }
    let what: Vec<&str> = email_check.findings.iter().map(|f| f.message.as_str()).collect();
    let suggested: Vec<String> = email_check.suggestions.iter().map(|s| facts.shown(s)).collect();
    let suggested =
        if suggested.is_empty() { String::new() } else { format!(" Likely meant: {}.", suggested.join(" or ")) };
    Some(Pending {
        suggested_email: email_check.suggestions.first().cloned(),
        ..Pending::new(
            FindingCode::EmailTypo,
            format!("The email address on file looks mistyped: {}{suggested}", what.join(" ")),
            format!("Confirm the exact address with {}, correct it on the account, then resend the invite.", facts.who),
        )
    })
}

/// The latest invite bounced: at the address it was sent to, which may no
/// longer be the default.
fn bounced(facts: &Facts<'_>) -> Option<Pending> {
    let latest = facts.latest?;
    let bounce = latest.delivery.iter().find(|e| e.event == DeliveryEventKind::Bounced)?;
    let sent_to = latest.sent_to.expose();
    let default = facts.account.email.expose();
    let moved = !sent_to.eq_ignore_ascii_case(default);
    let explanation = format!(
        "The latest invite email, sent to {}, bounced {} ({}).{}",
        facts.shown(sent_to),
        invite::ago(facts.now - bounce.at),
        bounce.detail.as_deref().unwrap_or("no reason given"),
        if moved {
            format!(" The default address is now {} (changed since).", facts.shown(default))
        } else {
            String::new()
        }
    );
    let next_step = if moved {
        format!("Resend the invite: it goes to {}, the default now.", facts.shown(default))
    } else {
        format!("Confirm the exact email address with {}, correct it if needed, then resend the invite.", facts.who)
    };
    Some(Pending { reply_email: Some(sent_to.clone()), ..Pending::new(FindingCode::Bounced, explanation, next_step) })
}

fn profile_dob_suspect(facts: &Facts<'_>) -> Option<Pending> {
    let who = facts.who;
    dob_suspect(facts).then(|| Pending::new(
        FindingCode::ProfileDobSuspect,
        format!("The date of birth on file looks wrong (a placeholder date, after the account was created, or in the future), so {who}'s real DOB will be refused."),
        format!("Verify the DOB with {who} over secure communication and edit the DOB on file; then have them retry the same (or a new) invite link."),
    ))
}

fn already_accepted(facts: &Facts<'_>) -> Option<Pending> {
    let accepted = facts.invites.iter().find(|i| i.status == InviteStatus::Accepted)?;
    let when = accepted.accepted_at.map(|at| invite::ago(facts.now - at)).unwrap_or_else(|| "earlier".into());
    Some(Pending::new(
        FindingCode::AlreadyAccepted,
        format!("An invite was already accepted {when}: the account is set up."),
        format!(
            "Tell {} to log in with their username and password (or use Forgot password); a new invite is not needed.",
            facts.who
        ),
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
            "{} opened an old invite link {} after a newer invite replaced it; old links stop working when a new one is sent.",
            capitalised(facts.who),
            invite::ago(facts.now - opened)
        ),
        format!("Have {} use the link in the newest email only; resend if they cannot find it.", facts.who),
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

/// The invite page refused the DOB typed, and the DOB on file has not been
/// corrected since (then [`dob_corrected`] speaks instead).
fn dob_failures(facts: &Facts<'_>) -> Option<Pending> {
    let latest = facts.latest.filter(|l| l.dob_failures > 0 && l.status != InviteStatus::Accepted)?;
    if facts.dob_changed_at.is_some_and(|changed| changed >= Facts::last_refusal(latest)) {
        return None;
    }
    Some(Pending::new(
        FindingCode::DobFailures,
        format!("The invite page refused the date of birth {} time(s).", latest.dob_failures),
        format!(
            "Ask {} exactly what they type and compare it with the DOB on file (MM/DD/YYYY, 2/2/4 digits); if it is wrong, edit the DOB on file.",
            facts.who
        ),
    ))
}

/// The link was opened many times and no DOB was entered. Whether it
/// worked each time is the timeline's reading: when every visit saw the
/// DOB page, the finding says the link works.
fn link_opened_repeatedly(facts: &Facts<'_>) -> Option<Pending> {
    let person_opens = facts.person_opens;
    let latest = facts.latest.filter(|l| facts.live && person_opens >= REPEATED_OPENS && l.dob_failures == 0)?;
    let reading = facts.reading?;
    let deadline =
        format!("{} (in {})", facts.zone.long(latest.expires_at), invite::remaining(latest.expires_at - facts.now));
    let who = facts.who;
    let (explanation, next_step) = if reading.shown_invalid == 0 && reading.page_shown > 0 {
        (
            format!(
                "The link was opened {person_opens} times and each time the DOB page showed: the link works until {deadline}, but no date of birth was entered."
            ),
            format!(
                "Ask {who} what they see after the DOB page shows: have them type their date of birth as MM/DD/YYYY and submit it before {deadline}."
            ),
        )
    } else {
        (
            format!(
                "The link was opened {person_opens} times with no date of birth entered: an email provider may be rewriting the link, or the page was refreshed too many times."
            ),
            format!(
                "Have {who} right-click the link in the email, copy it, open a new browser window, paste it into the address bar and press Enter; resend if it still shows invalid."
            ),
        )
    };
    Some(Pending::new(FindingCode::LinkOpenedRepeatedly, explanation, next_step))
}

/// `The client` from `the client`.
pub(super) fn capitalised(words: &str) -> String {
    let mut chars = words.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn not_opened(facts: &Facts<'_>) -> Option<Pending> {
    let delivered = |l: &&Invite| l.delivery.iter().any(|e| e.event == DeliveryEventKind::Delivered);
    let latest = facts.latest.filter(|l| facts.live && facts.person_opens == 0 && delivered(l))?;
    // Sent moments ago: `invite_just_sent` says where to look.
    if facts.now - latest.sent_at <= super::JUST_SENT {
        return None;
    }
    let scanner_only = if facts.forensics.scanner_visits.is_empty() {
        String::new()
    } else {
        format!(" by {} (only a mail scanner opened the link)", facts.who)
    };
    Some(Pending::new(
        FindingCode::NotOpened,
        format!(
            "The invite was delivered {} but never opened{scanner_only}: it is likely in Spam or Trash.",
            invite::ago(facts.now - latest.sent_at)
        ),
        format!(
            "Have {} search their inbox for an email from {SENDER}, including Spam and Trash, and click the link before {} (in {}).",
            facts.who,
            facts.zone.long(latest.expires_at),
            invite::remaining(latest.expires_at - facts.now)
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
            format!("Have {} use the link in the newest email; if it fails, ask what the page says.", facts.who),
        ),
        _ => Pending::new(
            FindingCode::InviteExpired,
            "No working invite link: the latest one no longer works.".into(),
            format!("Resend the invite; the new link works for {}.", facts.window),
        ),
    }
}
