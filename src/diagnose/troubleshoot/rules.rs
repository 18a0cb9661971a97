//! One rule per finding code: each reads the [`Facts`] and returns its
//! finding, or nothing. The link-forensics rules live in `links.rs`.

use chrono::{DateTime, Utc};

use super::facts::Facts;
use super::links;
use super::words::Written;
use super::{FindingCode, Pending, REPEATED_OPENS};
use crate::diagnose::claims::ClaimKind;
use crate::diagnose::dob::{self, DobCode, DobContext};
use crate::diagnose::email::{self, EmailCheck};
use crate::diagnose::invite::{self, InviteState};
use crate::diagnose::replies::SENDER;
use crate::portal::model::{DeliveryEventKind, Invite, InviteStatus, Role};

/// A rule: its finding about the facts, or nothing.
pub(super) type Rule = fn(&Facts<'_>) -> Option<Pending>;

/// Every rule, in report order (`InviteWorking`, said only when no rule
/// found anything, is [`nothing_wrong`]).
pub(super) const RULES: [(FindingCode, Rule); 19] = [
    (FindingCode::InviteJustSent, invite_just_sent),
    (FindingCode::DobCorrected, dob_corrected),
    (FindingCode::EmailTypo, email_typo),
    (FindingCode::Bounced, bounced),
    (FindingCode::ProfileDobSuspect, profile_dob_suspect),
    (FindingCode::AlreadyAccepted, already_accepted),
    (FindingCode::NoInvite, no_invite),
    (FindingCode::WrongAddress, links::wrong_address),
    (FindingCode::EmailInMessage, email_in_message),
    (FindingCode::SupersededLinkUsed, superseded_link_used),
    (FindingCode::InviteExpired, invite_expired),
    (FindingCode::LinkInvalid, links::link_invalid),
    (FindingCode::DobInMessage, dob_in_message),
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
    let by = facts.sent_by.map(|actor| format!(" (sent by {})", crate::sanitize::field(actor))).unwrap_or_default();
    // They already looked in Spam: neither the step nor the reply asks again.
    let looked = facts.words.claimed(ClaimKind::SearchedSpam).is_some();
    let spam = if looked { "" } else { " (Spam and Junk too)" };
    Some(Pending {
        reply_email: Some(latest.sent_to.expose().clone()),
        reply_as: if looked { FindingCode::NoInvite } else { FindingCode::InviteJustSent },
        ..Pending::new(
            FindingCode::InviteJustSent,
            format!(
                "A new link went to {} at {} ({}){by}; it works for {window}, until {deadline}; {earlier}.",
                facts.shown(latest.sent_to.expose()),
                zone.long(latest.sent_at),
                invite::ago(facts.now - latest.sent_at),
            ),
            format!(
                "Tell {} to open the newest email from {SENDER}{spam} and use its link before {deadline}; links in earlier emails no longer work.",
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
    let by = facts.dob_changed_by.map(|actor| format!(" by {}", crate::sanitize::field(actor))).unwrap_or_default();
    let when = format!("{} ({}){by}", zone.long(changed), invite::ago(facts.now - changed));
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
    let suggested = likely_meant(facts, &email_check);
    Some(Pending {
        suggested_email: email_check.suggestions.first().cloned(),
        // A client who wrote their address is not asked to spell it out.
        reply_as: if wrote_an_address(facts) { FindingCode::EmailInMessage } else { FindingCode::EmailTypo },
        ..Pending::new(
            FindingCode::EmailTypo,
            format!("The email address on file looks mistyped: {}{suggested}", what.join(" ")),
            format!("Confirm the exact address with {}, correct it on the account, then resend the invite.", facts.who),
        )
    })
}

/// Whether the client wrote an email address in the ticket.
fn wrote_an_address(facts: &Facts<'_>) -> bool {
    !facts.words.emails.is_empty()
}

/// What the client wrote is no longer to act on once an invite was
/// accepted: they are in.
fn accepted(facts: &Facts<'_>) -> bool {
    facts.invites.iter().any(|i| i.status == InviteStatus::Accepted)
}

/// `03/02/1990` as the case shows it, and when it was written.
fn cited_dob(facts: &Facts<'_>, written: &Written) -> (String, String) {
    (facts.shown_dob(written.text.expose()), facts.zone.long(written.at))
}

/// The DOB the client wrote last, checked against the DOB on file with
/// the DOB check: the same date typed another way (what to type instead),
/// or another date (the DOB on file may be wrong). Says nothing when they
/// wrote it exactly right and the invite page refused nothing, once the
/// DOB on file was changed after they wrote it and now matches it, or once
/// an invite was accepted.
fn dob_in_message(facts: &Facts<'_>) -> Option<Pending> {
    let written = facts.words.latest_dob()?;
    if accepted(facts) {
        return None;
    }
    let account = facts.account;
    let on_file = *account.dob.expose();
    let context = DobContext { today: facts.now.date_naive(), account_created: Some(account.created_at.date_naive()) };
    let check = dob::check_dob(on_file, written.reading.expose(), &context);
    let refused = facts.latest.is_some_and(|l| l.dob_failures > 0);
    let corrected_since = facts.dob_changed_at.is_some_and(|changed| changed >= written.at);
    if check.matches_on_file && ((check.would_pass && !refused) || corrected_since) {
        return None;
    }
    let (text, when) = cited_dob(facts, written);
    let who = facts.who;
    let unreadable = [DobCode::Incomplete, DobCode::Unparseable, DobCode::ImpossibleDate];
    let (explanation, next_step) = if check.matches_on_file {
        let entry = facts.shown_dob(&check.suggested_entry.clone().unwrap_or_else(|| dob::format_entry(on_file)));
        let problems = dob_format_words(&check.findings.iter().map(|f| f.code).collect::<Vec<_>>());
        match problems.is_empty() {
            true => (
                format!(
                    "At {when} {who} wrote {text}: the same date as the DOB on file, typed as the portal needs, yet the invite page refused an entry."
                ),
                format!("Ask {who} exactly what they type on the invite page: it must be {entry}, exactly so."),
            ),
            false => (
                format!(
                    "At {when} {who} wrote {text}: the same date as the DOB on file, but {}; they should type {entry}.",
                    problems.join(", ")
                ),
                format!(
                    "Tell {who} to type {entry} on the invite page, exactly so (MM/DD/YYYY: month first, two digits each, four for the year)."
                ),
            ),
        }
    } else if let Some(code) = unreadable.into_iter().find(|code| check.has(*code)) {
        let what = match code {
            DobCode::Incomplete => "part of the date is missing",
            DobCode::ImpossibleDate => "it is not a real date",
            _ => "it cannot be read as a date",
        };
        (
            format!("At {when} {who} wrote {text} as their date of birth, but {what}."),
            format!("Ask {who} for their full date of birth as MM/DD/YYYY and compare it with the DOB on file."),
        )
    } else {
        let why = dob_differs_words(&check.findings.iter().map(|f| f.code).collect::<Vec<_>>());
        (
            format!(
                "At {when} {who} wrote {text}, a different date than the DOB on file{why}: the DOB on file may be wrong: confirm it on the call."
            ),
            format!(
                "Confirm the date of birth with {who} on the call; if theirs is right, set the DOB on file to the confirmed value (the fix does it), then have them retry the link."
            ),
        )
    };
    Some(Pending {
        cites: Some(written.cites.clone()),
        ..Pending::new(FindingCode::DobInMessage, explanation, next_step)
    })
}

/// How a date written as the DOB on file is typed otherwise than the
/// portal needs, in a few words each.
fn dob_format_words(codes: &[DobCode]) -> Vec<&'static str> {
    codes
        .iter()
        .filter_map(|code| match code {
            DobCode::DayMonthSwapped => Some("day before month"),
            DobCode::YearFirst => Some("year first"),
            DobCode::MonthAsWord => Some("the month as a word"),
            DobCode::NotZeroPadded => Some("no leading zeros"),
            DobCode::TwoDigitYear => Some("a 2-digit year"),
            DobCode::WrongSeparator => Some("no slashes between the parts"),
            _ => None,
        })
        .collect()
}

/// What a typo explains of a date other than the DOB on file, if anything.
fn dob_differs_words(codes: &[DobCode]) -> String {
    let words: Vec<&str> = codes
        .iter()
        .filter_map(|code| match code {
            DobCode::YearOffByOne => Some("the year one off"),
            DobCode::DigitsTransposed => Some("two digits swapped"),
            DobCode::SingleDigitTypo => Some("one digit different"),
            DobCode::FutureDate => Some("a date in the future"),
            _ => None,
        })
        .collect();
    if words.is_empty() { String::new() } else { format!(" ({})", words.join(", ")) }
}

/// The addresses the client wrote, checked against where the invite went
/// (or, with no invite, the address on file): the address meant by a
/// mistyped one, another address, a mistyped one of their own, or the
/// mistyped address in use spelled as they gave it. The newest message
/// speaks first. Says nothing when they write the address in use and it is
/// spelled right, when the one in use is what theirs was meant to be, or
/// once an invite was accepted.
fn email_in_message(facts: &Facts<'_>) -> Option<Pending> {
    if accepted(facts) || facts.words.emails.is_empty() {
        return None;
    }
    let account = facts.account;
    let (target, went) = match facts.latest {
        Some(latest) => (latest.sent_to.expose().as_str(), "the invite went to"),
        None => (account.email.expose().as_str(), "the address on file is"),
    };
    let in_use = |address: &str| address.eq_ignore_ascii_case(target);
    let target_check = email::check_email(target);
    let mut newest_first: Vec<&Written> = facts.words.emails.iter().collect();
    newest_first.sort_by_key(|w| std::cmp::Reverse((w.at, w.cites.start)));
    if target_check.findings.is_empty() && newest_first.iter().any(|w| in_use(w.reading.expose())) {
        return None;
    }
    let (who, target_shown) = (facts.who, facts.shown(target));
    for written in newest_first {
        let address = written.reading.expose();
        let (shown, when) = (facts.shown(address), facts.zone.long(written.at));
        let check = email::check_email(address);
        let pending = |explanation: String, next_step: String, suggested: Option<String>| Pending {
            cites: Some(written.cites.clone()),
            reply_email: Some(target.to_owned()),
            suggested_email: suggested,
            ..Pending::new(FindingCode::EmailInMessage, explanation, next_step)
        };
        if in_use(address) {
            // Spelled as on file, and that is mistyped.
            let suggested = (target_check.suggestions.len() == 1).then(|| target_check.suggestions[0].clone());
            return Some(pending(
                format!(
                    "At {when} {who} wrote {shown} themselves, the address in use: it looks mistyped ({}).{}",
                    check_words(&target_check),
                    likely_meant(facts, &target_check),
                ),
                format!("Confirm the spelling with {who} on the call, correct the address, then resend the invite."),
                suggested,
            ));
        }
        if check.suggestions.iter().any(|s| in_use(s)) {
            // The address in use is what theirs was meant to be.
            continue;
        }
        let is_default = address.eq_ignore_ascii_case(account.email.expose());
        let resend = if is_default {
            "It is the default address now: resend the invite so it goes there.".to_owned()
        } else {
            "Correct the address to the one the client wrote (add it, make it the default, remove the other), then resend the invite; the fix does it all.".to_owned()
        };
        if target_check.suggestions.iter().any(|s| s.eq_ignore_ascii_case(address)) {
            return Some(pending(
                format!(
                    "The client wrote {shown}; {went} {target_shown}. Their message of {when} spells the address meant."
                ),
                resend,
                Some(address.clone()),
            ));
        }
        if !check.findings.is_empty() {
            return Some(pending(
                format!(
                    "At {when} {who} wrote {shown}, which looks mistyped itself ({}); {went} {target_shown}.",
                    check_words(&check)
                ),
                format!(
                    "Ask {who} to spell their address on the call; correct it on the account if needed, then resend the invite."
                ),
                None,
            ));
        }
        let theirs = if account.emails.iter().any(|e| e.address.expose().eq_ignore_ascii_case(address)) {
            " (another address of this account)"
        } else {
            ""
        };
        // They asked for it there ("send it to …", "my email is …").
        let wish = facts.words.claims.iter().find(|c| {
            c.kind == ClaimKind::WantsAddress
                && c.cites.message_id == written.cites.message_id
                && c.cites.start <= written.cites.start
                && c.cites.end >= written.cites.end
        });
        if let Some(wish) = wish {
            return Some(Pending {
                asked_for: true,
                ..pending(
                    format!(
                        "{} wants the invite at {shown}{theirs}: {}; {went} {target_shown}.",
                        capitalised(who),
                        facts.quote(wish)
                    ),
                    resend,
                    Some(address.clone()),
                )
            });
        }
        return Some(pending(
            format!(
                "{} writes with another address, {shown}{theirs}, at {when}; {went} {target_shown}: confirm which one to use.",
                capitalised(who)
            ),
            format!("Confirm with {who} on the call which address to use. {resend}"),
            Some(address.clone()),
        ));
    }
    None
}

/// An email check's findings, in its own words, without the full stop.
fn check_words(check: &EmailCheck) -> String {
    let words: Vec<&str> = check.findings.iter().map(|f| f.message.trim_end_matches('.')).collect();
    words.join("; ")
}

/// ` Likely meant: x.` from an email check's suggestions, as shown.
fn likely_meant(facts: &Facts<'_>, check: &EmailCheck) -> String {
    let suggested: Vec<String> = check.suggestions.iter().map(|s| facts.shown(s)).collect();
    if suggested.is_empty() { String::new() } else { format!(" Likely meant: {}.", suggested.join(" or ")) }
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
    // The client wrote another address: the reply does not ask for one.
    let other = facts.words.emails.iter().any(|w| !w.reading.expose().eq_ignore_ascii_case(sent_to));
    Some(Pending {
        reply_email: Some(sent_to.clone()),
        reply_as: if other { FindingCode::EmailInMessage } else { FindingCode::Bounced },
        ..Pending::new(FindingCode::Bounced, explanation, next_step)
    })
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
    let newest =
        facts.latest.map(|l| format!(" (the newest one came at {})", facts.zone.long(l.sent_at))).unwrap_or_default();
    Some(Pending::new(
        FindingCode::SupersededLinkUsed,
        format!(
            "{} opened an old invite link {} after a newer invite replaced it: they are using an older email{newest}; old links stop working when a new one is sent.",
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
/// corrected since (then [`dob_corrected`] speaks instead). While the
/// client is on the page, the live refusals speak ([`dob_refused_now`]).
fn dob_failures(facts: &Facts<'_>) -> Option<Pending> {
    if let Some(now) = dob_refused_now(facts) {
        return Some(now);
    }
    let latest = facts.latest.filter(|l| l.dob_failures > 0 && l.status != InviteStatus::Accepted)?;
    if facts.dob_changed_at.is_some_and(|changed| changed >= Facts::last_refusal(latest)) {
        return None;
    }
    Some(Pending::new(
        FindingCode::DobFailures,
        format!("The invite page refused the date of birth {}.", crate::wording::times(latest.dob_failures)),
        format!(
            "Ask {} exactly what they type and compare it with the DOB on file (MM/DD/YYYY, 2/2/4 digits); if it is wrong, edit the DOB on file.",
            facts.who
        ),
    ))
}

/// The client is on the invite page now and it refused their DOB in the
/// last minute (the console's live events; what they typed from the visit
/// log): how the portal reads what they typed, and the exact text to type.
/// "The client is on the page now and typed ••/••/•••• twice: day-first;
/// have them type ••/••/••••." Said first of all.
fn dob_refused_now(facts: &Facts<'_>) -> Option<Pending> {
    let (times, typed) = facts.refused_now()?;
    let count = match times {
        1 => "once".to_owned(),
        2 => "twice".to_owned(),
        n => format!("{n} times"),
    };
    let account = facts.account;
    let on_file = *account.dob.expose();
    let entry = facts.shown_dob(&dob::format_entry(on_file));
    let (who, holder) = (facts.who, capitalised(facts.who));
    let context = DobContext { today: facts.now.date_naive(), account_created: Some(account.created_at.date_naive()) };
    let type_it = vec![format!("Please type your date of birth exactly as {entry} (month first: MM/DD/YYYY).")];
    let (explanation, next_step, reply_extra) = match typed {
        Some(typed) => {
            let check = dob::check_dob(on_file, typed, &context);
            let codes: Vec<DobCode> = check.findings.iter().map(|f| f.code).collect();
            let shown = facts.shown_dob(&crate::sanitize::field(typed));
            if check.matches_on_file {
                let how: Vec<&str> = dob_format_words(&codes)
                    .into_iter()
                    .map(|w| if w == "day before month" { "day-first" } else { w })
                    .collect();
                let how =
                    if how.is_empty() { "the DOB on file, as the portal wants it".to_owned() } else { how.join(", ") };
                (
                    format!("{holder} is on the page now and typed {shown} {count}: {how}; have them type {entry}."),
                    format!(
                        "Stay with {who} while they type {entry}, exactly so (MM/DD/YYYY: month first, two digits each, four for the year)."
                    ),
                    type_it,
                )
            } else {
                (
                    format!(
                        "{holder} is on the page now and typed {shown} {count}: another date than the DOB on file{}; the page wants {entry}.",
                        dob_differs_words(&codes)
                    ),
                    format!(
                        "Confirm the date of birth with {who} now: if theirs is right, set the DOB on file to it (they can retry at once); if it is a typo, have them type {entry}."
                    ),
                    Vec::new(),
                )
            }
        }
        None => (
            format!(
                "{holder} is on the page now and it refused their date of birth {count} in the last minute; it wants {entry}."
            ),
            format!("Ask {who} what they type, now: it must be {entry}, exactly so (MM/DD/YYYY)."),
            type_it,
        ),
    };
    Some(Pending { now_on_page: true, reply_extra, ..Pending::new(FindingCode::DobFailures, explanation, next_step) })
}

/// The order findings are reported in, the most decisive first. One rule,
/// in three parts:
///
/// 1. The client on the invite page now, the page refusing their DOB
///    (`now_on_page`): first, whatever else is true; it is what the call is
///    about.
/// 2. Then the report order of the codes ([`FindingCode`]'s order), except
///    that what was just done, `invite_just_sent`, never outranks a cause
///    the new invite does not cure: the address it went to is mistyped or
///    bounced (`email_typo`, `bounced`), the client wrote another address
///    (`email_in_message`) or, by their own words, looks in another inbox (`wrong_address` citing them), the
///    DOB on file is wrong (`profile_dob_suspect`), or a person opened an
///    older link after it was sent (`superseded_link_used`, and the
///    `link_invalid` of that visit). It comes right after the last of them.
///    (A person's visit to the new link ends `invite_just_sent` itself: the
///    link has been opened, and the visit's findings speak.)
///    Likewise what the client asked for (`asked_for`: the invite at an
///    address they wrote) comes before the guess that they look in another
///    inbox (`wrong_address`).
/// 3. A cause the client has ruled out in the ticket (`ruled_out`: they
///    looked in Spam, they write of opening the link): after all others.
pub(super) fn order(found: &mut [Pending]) {
    let position = |code: FindingCode| FindingCode::all().position(|c| c == code).unwrap_or(usize::MAX);
    let uncured = found.iter().filter(|p| !p.ruled_out && not_cured_by_a_resend(p)).map(|p| position(p.code)).max();
    found.sort_by_key(|p| {
        let at = position(p.code);
        if p.now_on_page {
            (0, at, 1)
        } else if p.ruled_out {
            (2, at, 1)
        } else if p.code == FindingCode::InviteJustSent {
            (1, uncured.map_or(at, |u| u.max(at)), 2)
        } else if p.asked_for {
            (1, at.min(position(FindingCode::WrongAddress)), 0)
        } else {
            (1, at, 1)
        }
    });
}

/// The causes a new invite does not cure (see [`order`]).
fn not_cured_by_a_resend(p: &Pending) -> bool {
    use FindingCode::*;
    matches!(p.code, EmailTypo | Bounced | EmailInMessage | ProfileDobSuspect | SupersededLinkUsed)
        // Another inbox is a cause once the client wrote they looked (in
        // Spam) after the resend; a guess alone is not.
        || p.code == WrongAddress && p.cites.is_some()
        || p.code == LinkInvalid && p.reply_as == SupersededLinkUsed
}

/// The client says they already have an account, yet no invite of this
/// one was accepted: the first finding says so (they may have signed up
/// under another address).
pub(super) fn registered_elsewhere(facts: &Facts<'_>, found: &mut [Pending]) {
    let Some(claim) = facts.words.claimed(ClaimKind::AlreadyRegistered) else {
        return;
    };
    if accepted(facts) {
        return;
    }
    if let Some(first) = found.first_mut() {
        first.explanation.push_str(&format!(
            " Note: {}, but no invite of this account was accepted: they may have an account under another address; search for it before sending more invites.",
            facts.quote(claim)
        ));
    }
}

/// The sentences every reply ends with, answering what the client asked:
/// whether the email and its link are safe (`asks_safe`), in the practice's
/// voice, with how to recognise them.
pub(super) fn answers(facts: &Facts<'_>) -> Vec<String> {
    let mut out = Vec::new();
    if facts.words.claimed(ClaimKind::AsksSafe).is_some() {
        let domain = SENDER.rsplit_once('@').map_or(SENDER, |(_, domain)| domain);
        out.push(format!(
            "About your question: yes, this invitation is ours and safe to use. It comes from {SENDER}, and its link leads to our client portal at {domain} (your email service may show it inside a longer address that leads there). The page asks only for your date of birth, then lets you create your own username and password; we will never ask you for an existing password or for any payment by email."
        ));
    }
    out
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

/// Delivered, and no person opened the link: likely in Spam or Trash.
/// Unless the client ruled that out in the ticket, after this invite was
/// sent: they looked in Spam (then the address may not be the inbox they
/// check: `wrong_address` says so), or they write of opening the link (then
/// they are opening another email's link: `link_invalid` says so); the
/// finding then says what they wrote, asks them for nothing they did, and
/// comes after every other.
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
    let who = facts.who;
    let ago = invite::ago(facts.now - latest.sent_at);
    if let Some(looked) = facts.claimed_since_latest(ClaimKind::SearchedSpam) {
        return Some(Pending {
            ruled_out: true,
            cites: Some(looked.cites.clone()),
            reply_as: FindingCode::NoInvite,
            ..Pending::new(
                FindingCode::NotOpened,
                format!(
                    "The invite was delivered {ago} but never opened{scanner_only}; not in Spam: {}.",
                    facts.quote(looked)
                ),
                format!(
                    "Do not send {who} to Spam again: confirm the address with them letter by letter, correct it if needed, then resend the invite."
                ),
            )
        });
    }
    let has_it = [ClaimKind::LinkInvalid, ClaimKind::OpenedRepeatedly, ClaimKind::OnPhone]
        .into_iter()
        .find_map(|kind| facts.claimed_since_latest(kind));
    if let Some(opened) = has_it {
        return Some(Pending {
            ruled_out: true,
            cites: Some(opened.cites.clone()),
            reply_as: FindingCode::InviteWorking,
            ..Pending::new(
                FindingCode::NotOpened,
                format!(
                    "The newest link was delivered {ago} and never opened, yet {}: {who} is opening another link than the newest email's.",
                    facts.quote(opened)
                ),
                format!("Ask {who} which email they click; have them use the newest one from {SENDER}."),
            )
        });
    }
    // They looked in Spam before this invite came: the reply does not ask
    // them to again; the step says when they looked.
    let (folders, reply_as) = match facts.words.claimed(ClaimKind::SearchedSpam) {
        Some(looked) => (
            format!(" (they looked in Spam before this invite came: {})", facts.quote(looked)),
            FindingCode::InviteWorking,
        ),
        None => (", including Spam and Trash,".to_owned(), FindingCode::NotOpened),
    };
    Some(Pending {
        reply_as,
        ..Pending::new(
            FindingCode::NotOpened,
            format!(
                "The invite was delivered {} but never opened{scanner_only}: it is likely in Spam or Trash.",
                invite::ago(facts.now - latest.sent_at)
            ),
            format!(
                "Have {} search their inbox for an email from {SENDER}{folders} and click the link before {} (in {}).",
                facts.who,
                facts.zone.long(latest.expires_at),
                invite::remaining(latest.expires_at - facts.now)
            ),
        )
    })
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
