//! The link-forensics rules: what the invite's visit log and the account's
//! addresses say about why a link "does not work". Pure, like the rest of
//! `diagnose/`: the instant is in the facts.

use super::Claimed;
use super::facts::Facts;
use super::{FindingCode, Pending};
use crate::diagnose::claims::ClaimKind;
use crate::diagnose::invite::{self, InviteState};
use crate::portal::model::{DeliveryEventKind, InvalidReason, Invite, InviteStatus, Role, VisitOutcome};

/// The latest invite still works and went to one address while the
/// account has others (or the default changed since), it was delivered,
/// and no person opened it: the client is likely looking in another inbox.
/// So too with one address, once the client wrote they looked in Spam
/// after it was sent: it is not where they look.
pub(super) fn wrong_address(facts: &Facts<'_>) -> Option<Pending> {
    if let Some(found) = not_where_they_look(facts) {
        return Some(found);
    }
    let (account, latest) = (facts.account, facts.latest?);
    let sent_to = latest.sent_to.expose();
    let others: Vec<String> = account
        .emails
        .iter()
        .map(|e| e.address.expose())
        .filter(|a| !a.eq_ignore_ascii_case(sent_to))
        .map(|a| facts.shown(a))
        .collect();
    let default_moved = !account.email.expose().eq_ignore_ascii_case(sent_to);
    let delivered = latest.delivery.iter().any(|e| e.event == DeliveryEventKind::Delivered);
    let bounced = latest.delivery.iter().any(|e| e.event == DeliveryEventKind::Bounced);
    if others.is_empty() && !default_moved || !delivered || bounced || facts.person_opens > 0 || !facts.live {
        return None;
    }
    let went_to = facts.shown(sent_to);
    let who = facts.who;
    let explanation = if default_moved {
        format!(
            "The latest invite went to {went_to}, but the account's default address is now {}: {who} is likely looking in that inbox, and no one has opened the link.",
            facts.shown(account.email.expose())
        )
    } else {
        format!(
            "The latest invite went to {went_to} (the default address) and was delivered, but no one has opened it; the account also has {}: {who} is likely looking in the other inbox.",
            others.join(" and ")
        )
    };
    let next_step = if default_moved {
        format!("Ask which inbox {who} is checking, then resend the invite: it goes to the default address.")
    } else {
        format!(
            "Ask which inbox {who} is checking. If it is not {went_to}, make that address the default on the account and resend the invite; otherwise have them search {went_to}, including Spam."
        )
    };
    // A client who wrote an address is not asked for one, nor one who
    // looked in Spam to look there again.
    let reply_as = if !facts.words.emails.is_empty() {
        FindingCode::EmailInMessage
    } else if facts.words.claimed(ClaimKind::SearchedSpam).is_some() {
        FindingCode::InviteWorking
    } else {
        FindingCode::WrongAddress
    };
    Some(Pending {
        reply_email: Some(sent_to.clone()),
        reply_as,
        ..Pending::new(FindingCode::WrongAddress, explanation, next_step)
    })
}

/// Delivered, never opened by a person, the link still works, and the
/// client wrote after it was sent that they looked in Spam too: the mail
/// is in an inbox they do not check, or the address is not theirs. The
/// next step is to confirm the address and resend, never "check Spam".
fn not_where_they_look(facts: &Facts<'_>) -> Option<Pending> {
    let latest = facts.latest?;
    let looked = facts.claimed_since_latest(ClaimKind::SearchedSpam)?;
    let delivered = latest.delivery.iter().find(|e| e.event == DeliveryEventKind::Delivered)?;
    let bounced = latest.delivery.iter().any(|e| e.event == DeliveryEventKind::Bounced);
    if bounced || facts.person_opens > 0 || !facts.live {
        return None;
    }
    let (who, went_to) = (facts.who, facts.shown(latest.sent_to.expose()));
    let others: Vec<String> = facts
        .account
        .emails
        .iter()
        .map(|e| e.address.expose())
        .filter(|a| !a.eq_ignore_ascii_case(latest.sent_to.expose()))
        .map(|a| facts.shown(a))
        .collect();
    let also =
        if others.is_empty() { String::new() } else { format!(" (the account also has {})", others.join(" and ")) };
    Some(Pending {
        reply_email: Some(latest.sent_to.expose().clone()),
        cites: Some(looked.cites.clone()),
        // The fix resends: the reply says where it went, and nothing of Spam.
        reply_as: if facts.words.emails.is_empty() { FindingCode::NoInvite } else { FindingCode::EmailInMessage },
        ..Pending::new(
            FindingCode::WrongAddress,
            format!(
                "The latest invite was delivered to {went_to}{also} {} and no one has opened it, yet {}: it is not in the inbox {who} checks, or the address is not theirs.",
                invite::ago(facts.now - delivered.at),
                facts.quote(looked)
            ),
            format!(
                "Confirm the address with {who} letter by letter (it is {went_to}); correct it on the account if it differs, then resend the invite. Do not ask them to look in Spam again."
            ),
        )
    })
}

/// The exact reason the link shows the invalid-link page: the most recent
/// visit that was not a mail scanner's saw it, or the latest invite was
/// revoked. A visit made before the newest invite was sent is old news:
/// that resend answered it.
pub(super) fn link_invalid(facts: &Facts<'_>) -> Option<Pending> {
    let (role, invites, window, zone, who) = (facts.role, facts.invites, facts.window, facts.zone, facts.who);
    let since = facts.latest.map(|l| l.sent_at);
    let seen = facts
        .invites_with_forensics()
        .filter_map(|(i, forensics)| {
            let last = forensics.not_by_scanners.last().cloned()?;
            (last.outcome == VisitOutcome::InvalidLink).then_some((i, last.at, last.invalid_reason))
        })
        .filter(|(_, at, _)| since.is_none_or(|since| *at >= since))
        .max_by_key(|(_, at, _)| *at);
    // What the client wrote of it (after the newest invite was sent).
    let said = facts.claimed_since_latest(ClaimKind::LinkInvalid);
    let (target, opened_at, reason) = match (seen, facts.latest) {
        (Some((i, at, reason)), _) => (i, Some(at), reason.or(InvalidReason::of_status(i.status))),
        (None, Some(latest)) if latest.status == InviteStatus::Revoked => (latest, None, Some(InvalidReason::Revoked)),
        // Opened again and again: `link_opened_repeatedly` says what the
        // visits showed.
        (None, Some(latest)) if facts.person_opens < super::REPEATED_OPENS => {
            let said = said?;
            let reason = InvalidReason::of_status(latest.status).or(match facts.latest_state {
                Some(InviteState::Expired) => Some(InvalidReason::Expired),
                _ => None,
            });
            match reason {
                Some(reason) => (latest, None, Some(reason)),
                None => return Some(invalid_yet_working(facts, latest, said)),
            }
        }
        _ => return None,
    };
    let reason = reason?;
    let wrote = said.map(|c| format!(" ({})", facts.quote(c))).unwrap_or_default();
    let opened = match (opened_at, said) {
        (Some(at), _) => {
            format!("The link {who} opened {} shows the invalid-link page{wrote}", invite::ago(facts.now - at))
        }
        (None, Some(_)) => format!("The latest invite's link ({}) shows the invalid-link page{wrote}", target.id),
        (None, None) => format!("The latest invite's link ({}) shows the invalid-link page", target.id),
    };
    let newer = invites.iter().filter(|n| n.sent_at > target.sent_at).min_by_key(|n| n.sent_at);
    let (why, next_step, reply_as) = match reason {
        InvalidReason::Expired => (
            format!(
                "it expired at {}, {} after it was sent ({} invites last {})",
                zone.long(target.expires_at),
                window,
                if role == Role::Staff { "staff" } else { "client" },
                window
            ),
            format!("Resend the invite; the new link works for {window}."),
            FindingCode::InviteExpired,
        ),
        InvalidReason::Superseded => (
            match newer {
                Some(newer) => format!(
                    "it was superseded by the resend at {} ({}): only the newest link works",
                    zone.long(newer.sent_at),
                    newer.id
                ),
                None => "a newer invite replaced it: only the newest link works".to_owned(),
            },
            format!("Have {who} use the link in the newest email only; resend if they cannot find it."),
            FindingCode::SupersededLinkUsed,
        ),
        InvalidReason::Revoked => (
            match &target.revoked {
                Some(r) => format!("it was revoked by {} at {} for: {}", r.by, zone.long(r.at), r.reason),
                None => "it was revoked by the practice".to_owned(),
            },
            format!(
                "If {who} should still get access, resend the invite (a new link); otherwise tell them the invitation was cancelled."
            ),
            FindingCode::LinkInvalid,
        ),
        InvalidReason::AlreadyUsed => (
            match target.accepted_at {
                Some(at) => format!("it was already used at {} to set up the account", zone.long(at)),
                None => "it was already used to set up the account".to_owned(),
            },
            format!("Tell {who} to log in with their username and password (or use Forgot password)."),
            FindingCode::AlreadyAccepted,
        ),
    };
    let explanation = format!("{opened} because {why}.");
    Some(Pending {
        reply_as,
        cites: said.map(|c| c.cites.clone()),
        ..Pending::new(FindingCode::LinkInvalid, explanation, next_step)
    })
}

/// The client writes that the link says invalid, yet the newest link works
/// and no visit saw the invalid-link page: they are opening an older
/// email's link (when there is one), or the link reaches the page altered
/// (a mail service rewriting it, a copy cut short) or refreshed too often.
/// The support article's remedy: copy the link from the newest email into
/// a new browser window.
fn invalid_yet_working(facts: &Facts<'_>, latest: &Invite, said: &Claimed) -> Pending {
    let (who, zone) = (facts.who, facts.zone);
    let deadline =
        format!("{} (in {})", zone.long(latest.expires_at), invite::remaining(latest.expires_at - facts.now));
    let older = facts.invites.iter().filter(|i| i.sent_at < latest.sent_at).count();
    let wrote = facts.quote(said);
    let (explanation, next_step, reply_as) = if older > 0 {
        (
            format!(
                "{} {wrote}, but the newest link works until {deadline} and no visit to it saw the invalid-link page: they are likely using an older email (the newest one came at {}); earlier links no longer work.",
                capitalised_first(&wrote),
                zone.long(latest.sent_at)
            ),
            format!(
                "Have {who} open the newest email from {} (sent {}) and use its link only; resend if they cannot find it.",
                crate::diagnose::replies::SENDER,
                zone.long(latest.sent_at)
            ),
            FindingCode::SupersededLinkUsed,
        )
    } else {
        (
            format!(
                "{} {wrote}, but the link works until {deadline} and no visit saw the invalid-link page: it likely reaches the page altered (their mail service rewriting it, or a copy cut short), or the page was refreshed too many times.",
                capitalised_first(&wrote),
            ),
            format!(
                "Have {who} right-click the link in the email, copy it, open a new browser window, paste it into the address bar and press Enter; resend if it still shows invalid."
            ),
            FindingCode::LinkRewritten,
        )
    };
    Pending {
        reply_as,
        cites: Some(said.cites.clone()),
        ..Pending::new(FindingCode::LinkInvalid, explanation, next_step)
    }
}

/// `At Nov 25 …` from `at Nov 25 …`.
fn capitalised_first(text: &str) -> String {
    super::rules::capitalised(text)
}

/// A visit came through a link-rewriting service: the client's mail service
/// rewrote the link.
pub(super) fn link_rewritten(facts: &Facts<'_>) -> Option<Pending> {
    facts.latest?;
    let service = facts.forensics.rewritten_by?;
    Some(Pending::new(
        FindingCode::LinkRewritten,
        format!(
            "The client's mail service rewrote the invite link ({service}): the client reaches the page through a redirect, which can break the link or make it look invalid."
        ),
        "Have the client right-click the link in the email, choose Copy link, open a new browser window, paste it into the address bar and press Enter; resend if it still shows invalid.".to_owned(),
    ))
}

/// A mail scanner opened the latest link: say when, from where, whether a
/// person opened it before or after, whether it spent the link (never, on
/// this portal), whether the link still works, and what it hid (an unread
/// email looks opened). Nothing to say once the invite was accepted.
pub(super) fn link_pre_opened(facts: &Facts<'_>) -> Option<Pending> {
    let (latest, state, forensics) = (facts.latest?, facts.latest_state?, &facts.forensics);
    let first = forensics.scanner_visits.first()?;
    let spent = forensics.scanner_visits.iter().any(|v| v.outcome == VisitOutcome::Accepted);
    if state == InviteState::Accepted && !spent {
        return None;
    }
    let delivered = latest.delivered_at().unwrap_or(latest.sent_at);
    let after = (first.at - delivered).num_seconds().max(0);
    let from = match forensics.scanner_networks.as_slice() {
        [] => String::new(),
        networks => format!(" from {}", networks.join(", ")),
    };
    let times = forensics.scanner_visits.len();
    let person_before = forensics.person_visits.iter().any(|v| v.at < first.at);
    let person_last = forensics.person_visits.iter().map(|v| v.at).max();
    let order = match (person_before, person_last) {
        (true, _) => ", after the client had already opened it",
        (false, Some(_)) => ", before the client did",
        (false, None) => "",
    };
    let live = state.is_live();
    let (outcome, reply_as) = if spent {
        ("It used the link up: resend the invite".to_owned(), FindingCode::NoInvite)
    } else {
        let (now_words, reply_as) = match state {
            InviteState::Expired => (", but the link has since expired", FindingCode::InviteExpired),
            InviteState::Revoked => (", but the link has since been revoked", FindingCode::LinkInvalid),
            InviteState::Superseded => (", but a newer invite has since replaced it", FindingCode::SupersededLinkUsed),
            _ => (", and the link still works", FindingCode::LinkPreOpened),
        };
        (format!("That did not use the link up (the page never spends a link on a visit){now_words}"), reply_as)
    };
    let person = match person_last {
        Some(at) => format!("; the client opened it themselves {}.", invite::ago(facts.now - at)),
        None if spent => ".".to_owned(),
        None if live && facts.words.claimed(ClaimKind::SearchedSpam).is_some() => ". But it made the email look opened: no person has opened the link yet, so the email may still be unread, or in another inbox (the client wrote they looked in Spam).".to_owned(),
        None if live => ". But it made the email look opened: no person has opened the link yet, so the email may still be unread, in Spam, or in another inbox.".to_owned(),
        None => ". No person opened the link.".to_owned(),
    };
    let explanation = format!(
        "A mail security scanner opened the link {}{from}, {after}s after delivery{order}. {outcome}{person}",
        crate::wording::times(times as u64)
    );
    let next_step = match state {
        _ if spent => {
            "Resend the invite, and ask the client's IT to exempt the portal's links from link scanning.".to_owned()
        }
        InviteState::Revoked => {
            "Nothing the scanner did needs undoing. The invite was revoked: resend only if the client should still get access.".to_owned()
        }
        _ if !live => "Nothing the scanner did needs undoing. Resend the invite for a link that works.".to_owned(),
        _ => "Nothing to undo. Have the client open the newest email and click the link (or copy it into a new browser window); if they say it is invalid, ask what the page says.".to_owned(),
    };
    Some(Pending { reply_as, ..Pending::new(FindingCode::LinkPreOpened, explanation, next_step) })
}
