//! One invite's life in order: sent (to which address), queued, delivered,
//! each visit to the link (a mail scanner's or a person's, and why), DOB
//! refused, accepted, superseded or revoked; and above it one line saying
//! whether the link works right now, or exactly why not. Pure: the instant
//! is an argument.

use chrono::{DateTime, Utc};

use super::invite::{self, InviteState, window_words};
use super::visit::{VisitKind, classify_invite};
use crate::phi::mask_email;
use crate::portal::model::{DeliveryEventKind, Invite, Role, VisitMethod, VisitOutcome};
use crate::timezone::StaffZone;

/// Who a timeline entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The portal or the mail system.
    System,
    /// A mail scanner or link preview, not the client.
    Scanner,
    /// A person (most likely the client).
    Person,
    /// A visit that could not be told either way.
    Unknown,
}

/// One line of the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub at: DateTime<Utc>,
    pub actor: Actor,
    /// What happened, in words (addresses masked unless `reveal`).
    pub what: String,
    /// Why a visit was told a scanner's or a person's.
    pub why: Option<String>,
}

/// An invite's timeline and the verdict on its link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    /// Whether the link works now.
    pub works: bool,
    /// One line: that it works (and until when), or why it shows invalid.
    pub headline: String,
    /// Oldest first.
    pub entries: Vec<Entry>,
}

/// What the visit log and the invite's state say about its link at one
/// instant: the one reading of whether a link works, used by the timeline's
/// headline and by every finding (issue 14: a finding never says a link
/// shows invalid when its timeline says it works).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkReading {
    /// The invite's state now.
    pub state: InviteState,
    /// Whether the link works now.
    pub works: bool,
    /// Visits that saw the DOB page (the link worked then).
    pub page_shown: usize,
    /// Visits that saw the invalid-link page.
    pub shown_invalid: usize,
    /// Entries the DOB page refused.
    pub refused: usize,
    /// Visits by a mail scanner.
    pub scanners: usize,
}

/// The reading of `invite`'s link at `now`.
pub fn reading(invite: &Invite, role: Role, now: DateTime<Utc>) -> LinkReading {
    let state = invite::state(invite, role, now);
    let count = |outcome: VisitOutcome| invite.visits.iter().filter(|v| v.outcome == outcome).count();
    let scanners = classify_invite(invite).iter().filter(|v| v.kind == VisitKind::Scanner).count();
    LinkReading {
        state,
        works: state.is_live(),
        page_shown: count(VisitOutcome::PageShown),
        shown_invalid: count(VisitOutcome::InvalidLink),
        refused: count(VisitOutcome::DobRefused),
        scanners,
    }
}

/// The timeline of `invite` among all the account's `invites`.
pub fn timeline(
    invite: &Invite,
    invites: &[Invite],
    role: Role,
    now: DateTime<Utc>,
    zone: StaffZone,
    reveal: bool,
) -> Timeline {
    let address = |a: &str| if reveal { a.to_owned() } else { mask_email(a) };
    let mut entries = vec![Entry {
        at: invite.sent_at,
        actor: Actor::System,
        what: format!("sent to {} (link works for {})", address(invite.sent_to.expose()), window_words(role)),
        why: None,
    }];
    for event in &invite.delivery {
        let what = match event.event {
            DeliveryEventKind::Queued => "queued by the mail service".to_owned(),
            DeliveryEventKind::Delivered => "delivered to the client's mail server".to_owned(),
            DeliveryEventKind::Deferred => "delivery deferred; the mail service retries".to_owned(),
            DeliveryEventKind::Bounced => "bounced: the address does not receive mail".to_owned(),
            DeliveryEventKind::Opened => "email opened".to_owned(),
            DeliveryEventKind::SpamComplaint => "marked as spam by the recipient".to_owned(),
        };
        entries.push(Entry { at: event.at, actor: Actor::System, what, why: None });
    }
    let verdicts = classify_invite(invite);
    for (visit, verdict) in invite.visits.iter().zip(verdicts) {
        let actor = match verdict.kind {
            VisitKind::Scanner => Actor::Scanner,
            VisitKind::Person => Actor::Person,
            VisitKind::Unknown => Actor::Unknown,
        };
        let who = match actor {
            Actor::Scanner => "mail scanner",
            Actor::Person => "client",
            _ => "someone",
        };
        let method = match visit.method {
            VisitMethod::Head => "checked the link (HEAD)",
            VisitMethod::Get => "opened the link",
            VisitMethod::Post => "entered a DOB",
        };
        let outcome = match visit.outcome {
            VisitOutcome::PageShown => "the DOB page showed".to_owned(),
            VisitOutcome::DobRefused => "the DOB was refused".to_owned(),
            VisitOutcome::Accepted => "accepted: the account is set up".to_owned(),
            VisitOutcome::InvalidLink => match visit.invalid_reason {
                Some(reason) => format!("invalid-link page ({})", reason.as_str().replace('_', " ")),
                None => "invalid-link page".to_owned(),
            },
        };
        let network = visit.network.as_deref().map(|n| format!(" from {n}")).unwrap_or_default();
        let why = verdict.reasons.iter().map(|s| s.describe()).collect::<Vec<_>>().join("; ");
        entries.push(Entry {
            at: visit.at,
            actor,
            what: format!("{who} {method}{network}: {outcome}"),
            why: (!why.is_empty()).then_some(why),
        });
    }
    if let Some(at) = invite.accepted_at
        && !invite.visits.iter().any(|v| v.outcome == VisitOutcome::Accepted)
    {
        entries.push(Entry { at, actor: Actor::Person, what: "accepted: the account is set up".into(), why: None });
    }
    let newer = invites.iter().filter(|n| n.sent_at > invite.sent_at).min_by_key(|n| n.sent_at);
    if let Some(newer) = newer {
        entries.push(Entry {
            at: newer.sent_at,
            actor: Actor::System,
            what: format!("superseded by the resend {}: this link stops working", newer.id),
            why: None,
        });
    }
    if let Some(r) = &invite.revoked {
        entries.push(Entry {
            at: r.at,
            actor: Actor::System,
            what: format!("revoked by {} for: {}", r.by, r.reason),
            why: r.ticket_id.as_ref().map(|t| format!("ticket {t}")),
        });
    }
    if invite.expires_at <= now && invite.accepted_at.is_none() && invite.revoked.is_none() && newer.is_none() {
        entries.push(Entry { at: invite.expires_at, actor: Actor::System, what: "expired".into(), why: None });
    }
    entries.sort_by_key(|e| e.at);

    let read = reading(invite, role, now);
    let (refused, scanners) = (read.refused, read.scanners);
    let (works, headline) = match read.state {
        _ if read.works => {
            let mut line = format!(
                "The link works: it expires in {} ({}).",
                invite::countdown(invite, role, now),
                zone.short(invite.expires_at)
            );
            if scanners > 0 {
                let visits = crate::wording::count(scanners as u64, "visit", "visits");
                line.push_str(&format!(" {visits} by a mail scanner spent nothing."));
            }
            if refused > 0 {
                line.push_str(&format!(" The DOB was refused {}.", crate::wording::times(refused as u64)));
            }
            (true, line)
        }
        InviteState::Pending | InviteState::ExpiringSoon | InviteState::Expired => (
            false,
            format!(
                "Shows invalid: it expired at {}, {} after it was sent.",
                zone.short(invite.expires_at),
                window_words(role)
            ),
        ),
        InviteState::Superseded => (
            false,
            match newer {
                Some(n) => format!(
                    "Shows invalid: superseded by the resend at {} ({}); only the newest link works.",
                    zone.short(n.sent_at),
                    n.id
                ),
                None => "Shows invalid: a newer invite replaced it; only the newest link works.".into(),
            },
        ),
        InviteState::Revoked => (
            false,
            match &invite.revoked {
                Some(r) => format!("Shows invalid: revoked by {} at {} for: {}", r.by, zone.short(r.at), r.reason),
                None => "Shows invalid: revoked by the practice.".into(),
            },
        ),
        InviteState::Accepted => (
            false,
            match invite.accepted_at {
                Some(at) => {
                    format!("Already used at {} to set up the account: the client logs in instead.", zone.short(at))
                }
                None => "Already used to set up the account: the client logs in instead.".into(),
            },
        ),
    };
    Timeline { works, headline, entries }
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::Duration;

    use super::*;
    use crate::phi::Phi;
    use crate::portal::model::{DeliveryEvent, InviteStatus, LinkVisit, Revocation};

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-25T09:00:00Z").unwrap().to_utc()
    }

    pub(crate) fn invite(id: &str, sent: DateTime<Utc>, status: InviteStatus) -> Invite {
        Invite {
            id: id.into(),
            account_id: "acc_1".into(),
            sent_to: Phi::new("sam@example.org".into()),
            sent_at: sent,
            expires_at: sent + Duration::hours(48),
            status,
            accepted_at: None,
            link_opens: 0,
            dob_failures: 0,
            delivery: vec![
                DeliveryEvent { event: DeliveryEventKind::Queued, at: sent + Duration::seconds(1), detail: None },
                DeliveryEvent { event: DeliveryEventKind::Delivered, at: sent + Duration::seconds(5), detail: None },
            ],
            revoked: None,
            visits: Vec::new(),
            token_sha256: None,
        }
    }

    fn visit(at: DateTime<Utc>, method: VisitMethod, agent: &str, network: Option<&str>, cookies: bool) -> LinkVisit {
        LinkVisit {
            at,
            method,
            user_agent: Some(agent.into()),
            remote: Phi::new("203.0.113.9".into()),
            network: network.map(Into::into),
            referrer: None,
            cookies,
            outcome: VisitOutcome::PageShown,
            invalid_reason: None,
            typed_dob: None,
        }
    }

    #[test]
    fn a_scanner_and_the_client_are_told_apart_in_order() {
        let sent = t0() - Duration::hours(3);
        let mut i = invite("inv_1", sent, InviteStatus::Pending);
        i.visits = vec![
            visit(sent + Duration::seconds(8), VisitMethod::Head, "Mozilla/5.0", Some("Microsoft (AS8075)"), false),
            visit(
                sent + Duration::seconds(8),
                VisitMethod::Get,
                "Mozilla/5.0 HeadlessChrome/120.0",
                Some("Microsoft (AS8075)"),
                false,
            ),
            visit(
                sent + Duration::hours(2),
                VisitMethod::Get,
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 Version/17.1 Mobile/15E148 Safari/604.1",
                None,
                true,
            ),
        ];
        let t = timeline(&i, std::slice::from_ref(&i), Role::Client, t0(), StaffZone::Utc, false);
        assert!(t.works, "{}", t.headline);
        assert!(
            t.headline.starts_with("The link works") && t.headline.contains("2 visits by a mail scanner"),
            "{}",
            t.headline
        );
        let actors: Vec<Actor> = t.entries.iter().map(|e| e.actor).collect();
        assert_eq!(
            actors,
            [Actor::System, Actor::System, Actor::System, Actor::Scanner, Actor::Scanner, Actor::Person]
        );
        assert!(
            t.entries[0].what.contains("s***@e***.org") && !t.entries[0].what.contains("sam@"),
            "{}",
            t.entries[0].what
        );
        assert!(t.entries[3].what.contains("Microsoft") && t.entries[3].why.as_deref().unwrap().contains("HEAD"));
        assert!(t.entries[5].what.starts_with("client opened the link"), "{}", t.entries[5].what);
        let revealed = timeline(&i, std::slice::from_ref(&i), Role::Client, t0(), StaffZone::Utc, true);
        assert!(revealed.entries[0].what.contains("sam@example.org"));
    }

    #[test]
    fn the_headline_says_exactly_why_a_link_shows_invalid() {
        let old = invite("inv_1", t0() - Duration::hours(30), InviteStatus::Superseded);
        let new = invite("inv_2", t0() - Duration::hours(2), InviteStatus::Pending);
        let all = [new.clone(), old.clone()];
        let t = timeline(&old, &all, Role::Client, t0(), StaffZone::Utc, false);
        assert!(!t.works);
        assert_eq!(
            t.headline,
            "Shows invalid: superseded by the resend at Nov 25 07:00 UTC (inv_2); only the newest link works."
        );
        assert!(t.entries.iter().any(|e| e.what.starts_with("superseded by the resend inv_2")));

        let staff = invite("inv_3", t0() - Duration::hours(3), InviteStatus::Pending);
        let mut staff = Invite { expires_at: staff.sent_at + Duration::hours(1), ..staff };
        staff.status = InviteStatus::Expired;
        let t = timeline(&staff, std::slice::from_ref(&staff), Role::Staff, t0(), StaffZone::Utc, false);
        assert_eq!(t.headline, "Shows invalid: it expired at Nov 25 07:00 UTC, 1 hour after it was sent.");
        assert_eq!(t.entries.last().unwrap().what, "expired");

        let mut revoked = invite("inv_4", t0() - Duration::hours(1), InviteStatus::Revoked);
        revoked.revoked = Some(Box::new(Revocation {
            at: t0() - Duration::minutes(10),
            by: "stf_1".into(),
            reason: "sent to the wrong address".into(),
            ticket_id: Some("T-1001".into()),
        }));
        let t = timeline(&revoked, std::slice::from_ref(&revoked), Role::Client, t0(), StaffZone::Utc, false);
        assert!(
            t.headline.contains("revoked by stf_1 at Nov 25 08:50 UTC for: sent to the wrong address"),
            "{}",
            t.headline
        );
        assert_eq!(t.entries.last().unwrap().why.as_deref(), Some("ticket T-1001"));
    }
}
