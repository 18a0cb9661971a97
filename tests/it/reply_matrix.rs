//! Issue 23's matrix: after each remedy has run on the sandbox (resend,
//! revoke and resend, address corrected, DOB set, reply only), for a client
//! and a staff account, every reply template (each finding's) is written
//! from what the portal then shows and checked against it: in full, no
//! countdown, the invite's own deadline in the practice's zone, the
//! addresses the account has now, the role's own words.

use crate::cli_fix_once::has_countdown;
use crate::common;

use chrono::Duration;
use common::Harness;
use portaldesk::diagnose::remedy::{Plan, RemedyKind, Step};
use portaldesk::diagnose::replies::{Replies, SENDER};
use portaldesk::diagnose::troubleshoot::{self, Case, FindingCode};
use portaldesk::fix::{self, Progress};
use portaldesk::phi::Phi;
use portaldesk::portal::model::{AccountId, Invite, InviteStatus, Role};
use portaldesk::sandbox::seed::SeedCase;
use portaldesk::timezone::StaffZone;

const PRACTICE_ZONE: &str = "America/New_York";

/// The seeded ticket's account for each role and remedy (staff tickets are
/// few: one account takes "reply only", then "revoke and resend").
async fn accounts(h: &Harness) -> Vec<(Role, RemedyKind, AccountId)> {
    let of = |case: SeedCase, nth: usize| {
        h.sandbox.seeded.tickets.iter().filter(|t| t.case == case).nth(nth).map(|t| t.account_id.clone())
    };
    use RemedyKind::*;
    let wanted = [
        (Role::Client, ReplyOnly, SeedCase::DeliveredNotOpened, 0),
        (Role::Client, Resend, SeedCase::ExpiredClientInvite, 0),
        (Role::Client, RevokeAndResend, SeedCase::OpenedManyTimes, 0),
        (Role::Client, CorrectAddress, SeedCase::EmailTypo, 0),
        (Role::Client, SetDob, SeedCase::DobOnFileWrong, 0),
        (Role::Staff, ReplyOnly, SeedCase::StaffInviteExpiringSoon, 0),
        (Role::Staff, RevokeAndResend, SeedCase::StaffInviteExpiringSoon, 0),
        (Role::Staff, Resend, SeedCase::ExpiredStaffInvite, 0),
        (Role::Staff, SetDob, SeedCase::ExpiredStaffInvite, 1),
    ];
    let mut out: Vec<_> = wanted
        .into_iter()
        .map(|(role, kind, case, nth)| (role, kind, of(case, nth).unwrap_or_else(|| panic!("no {case:?} #{nth}"))))
        .collect();
    // A staff account with no invite yet: its address corrected.
    for seeded in h.sandbox.seeded.tickets.iter().filter(|t| t.case == SeedCase::NoInvite) {
        if h.client.account(&seeded.account_id).await.unwrap().value.role == Role::Staff {
            out.push((Role::Staff, CorrectAddress, seeded.account_id.clone()));
            return out;
        }
    }
    panic!("no staff account with a NoInvite ticket")
}

/// The steps of `kind` for an account as the portal shows it now.
fn steps(
    kind: RemedyKind,
    account: &portaldesk::portal::model::Account,
    invites: &[Invite],
    n: usize,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<Step> {
    let pending = invites.iter().filter(|i| i.status == InviteStatus::Pending).max_by_key(|i| i.sent_at);
    match kind {
        RemedyKind::ReplyOnly => Vec::new(),
        RemedyKind::Resend => vec![Step::Resend],
        RemedyKind::RevokeAndResend => {
            let revoke = pending.map(|i| Step::Revoke { invite_id: i.id.clone() });
            revoke.into_iter().chain([Step::Resend]).collect()
        }
        RemedyKind::CorrectAddress => {
            let new = Phi::new(format!("matrix.{n}@example.org"));
            vec![
                Step::AddEmail { address: new.clone() },
                Step::MakeDefault { address: new },
                Step::RemoveEmail { address: account.email.clone() },
                Step::Resend,
            ]
        }
        RemedyKind::SetDob => {
            let live = pending.is_some_and(|i| i.expires_at > now);
            // A real DOB other than the one on file (the seeded "wrong on
            // file" one may be no birth date at all).
            let dob = chrono::NaiveDate::from_ymd_opt(1980, 5, 17).unwrap();
            let dob = if *account.dob.expose() == dob { dob + Duration::days(1) } else { dob };
            let mut steps = vec![Step::SetDob { dob: Phi::new(dob) }];
            if !live {
                steps.push(Step::Resend);
            }
            steps
        }
        RemedyKind::CallClient => Vec::new(),
    }
}

/// The email addresses written in `text`.
fn addresses(text: &str) -> Vec<String> {
    text.split_whitespace()
        .filter(|w| w.contains('@'))
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_owned())
        .collect()
}

#[tokio::test]
async fn every_template_reads_true_after_every_remedy_for_clients_and_staff() {
    let h = Harness::start().await;
    let zone = StaffZone::parse(PRACTICE_ZONE).unwrap();
    let replies = Replies::builtin().with_practice_zone(zone);
    let mut checked = 0;
    for (n, (role, kind, account_id)) in accounts(&h).await.into_iter().enumerate() {
        let account = h.client.account(&account_id).await.unwrap().value;
        assert_eq!(account.role, role, "{kind}: the seeded account's role");
        let invites = h.client.invites(&account_id).await.unwrap();
        let plan = Plan {
            finding: FindingCode::NoInvite,
            kind,
            reason: "Issue 23's reply matrix".into(),
            ticket_id: None,
            steps: steps(kind, &account, &invites, n, h.client.clock().now()),
            reply_as: FindingCode::NoInvite,
            call_script: None,
        };
        let removed = plan.steps.iter().find_map(|s| match s {
            Step::RemoveEmail { address } => Some(address.expose().clone()),
            _ => None,
        });
        let mut progress = Progress::new(&plan);
        progress.confirm_reply = false;
        fix::run(&h.client, &account_id, &plan, &replies, &mut progress, |_, _| {})
            .await
            .unwrap_or_else(|stopped| panic!("{role:?} {kind}: step {} stopped: {}", stopped.step + 1, stopped.stop));

        // What the portal shows now.
        let after = h.client.account(&account_id).await.unwrap().value;
        let invites = h.client.invites(&account_id).await.unwrap();
        let now = h.client.clock().now();
        let latest = invites.iter().max_by_key(|i| (i.sent_at, i.id.clone())).expect("an invite");
        let live = latest.status == InviteStatus::Pending && latest.expires_at > now;
        assert!(live, "{role:?} {kind}: the newest invite works after the remedy");
        if kind != RemedyKind::ReplyOnly && kind != RemedyKind::SetDob {
            assert!(latest.sent_at >= now - Duration::minutes(1), "{role:?} {kind}: a new invite was sent");
        }
        let deadline = zone.in_email(latest.expires_at);
        let known: Vec<String> =
            after.emails.iter().map(|e| e.address.expose().to_ascii_lowercase()).chain([SENDER.to_owned()]).collect();
        let case = Case::new(&after, &invites, now).revealed(true);
        for code in FindingCode::all() {
            let body = troubleshoot::reply(&case, &replies, code).expose().clone();
            let at = format!("{role:?} {kind} {code}: {body}");
            // In full, and no countdown.
            assert!(!body.contains('•') && !body.contains("***"), "masked: {at}");
            assert!(!has_countdown(&body), "a countdown: {at}");
            assert!(body.contains(after.first_name.expose().as_str()), "the name: {at}");
            // Only addresses the account has now (never the one removed).
            for address in addresses(&body) {
                assert!(known.contains(&address.to_ascii_lowercase()), "{address} is not the account's: {at}");
                assert!(removed.as_ref().is_none_or(|r| !r.eq_ignore_ascii_case(&address)), "a removed address: {at}");
            }
            // A deadline is the newest invite's own, to the minute, in the
            // practice's zone; no other time but its sending.
            let rest = body.replace(&deadline, "").replace(&zone.in_email(latest.sent_at), "");
            for abbreviation in [" EST", " EDT", " UTC"] {
                assert!(!rest.contains(abbreviation), "a time that is not the newest invite's: {at}");
            }
            for phrase in ["until ", "before "] {
                if let Some(tail) = body.split(phrase).nth(1).filter(|t| t.contains(" EST") || t.contains(" EDT")) {
                    assert!(tail.starts_with(&deadline), "a deadline that is not the invite's: {at}");
                }
            }
            // The role's own window and words.
            match role {
                Role::Staff => assert!(!body.contains("48 hours") && !body.contains("client portal"), "{at}"),
                Role::Client => assert!(!body.contains("1 hour") && !body.contains("staff"), "{at}"),
            }
            checked += 1;
        }
    }
    assert!(checked >= 10 * 20, "{checked} replies checked");
}
