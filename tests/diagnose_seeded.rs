//! The troubleshooting engine names the case each seeded ticket was made to
//! show, reading the account and invites through the client, as the console
//! does.

mod common;

use common::Harness;
use portaldesk::diagnose::replies::Replies;
use portaldesk::diagnose::troubleshoot::{Case, FindingCode, troubleshoot};
use portaldesk::sandbox::seed::SeedCase;

fn expected(case: SeedCase) -> FindingCode {
    match case {
        SeedCase::EmailTypo => FindingCode::EmailTypo,
        SeedCase::Bounced => FindingCode::Bounced,
        SeedCase::DeliveredNotOpened => FindingCode::NotOpened,
        SeedCase::ExpiredClientInvite | SeedCase::ExpiredStaffInvite => FindingCode::InviteExpired,
        SeedCase::SupersededLink => FindingCode::SupersededLinkUsed,
        SeedCase::OpenedManyTimes => FindingCode::LinkOpenedRepeatedly,
        SeedCase::DobWrongFormat | SeedCase::DobDayMonthSwapped => FindingCode::DobFailures,
        SeedCase::DobOnFileWrong => FindingCode::ProfileDobSuspect,
        SeedCase::NoInvite => FindingCode::NoInvite,
        SeedCase::AlreadyAccepted => FindingCode::AlreadyAccepted,
        SeedCase::StaffInviteExpiringSoon => FindingCode::StaffInviteExpiring,
    }
}

#[tokio::test]
async fn every_seeded_ticket_is_diagnosed_as_its_case() {
    let h = Harness::start().await;
    let replies = Replies::builtin();
    assert_eq!(h.sandbox.seeded.tickets.len(), 25);
    let mut seen = std::collections::HashSet::new();
    for seeded in &h.sandbox.seeded.tickets {
        let account = h.client.account(&seeded.account_id).await.unwrap().value;
        let invites = h.client.invites(&seeded.account_id).await.unwrap();
        let now = h.client.clock().now();
        let findings = troubleshoot(&Case { account: &account, invites: &invites, now }, &replies);
        let codes: Vec<_> = findings.iter().map(|f| f.code).collect();
        assert_eq!(codes.first(), Some(&expected(seeded.case)), "{} ({:?}): {codes:?}", seeded.ticket_id, seeded.case);
        seen.insert(seeded.case);
        for finding in &findings {
            assert!(!finding.explanation.is_empty() && !finding.next_step.is_empty());
            assert!(finding.reply.expose().contains(account.first_name.expose().as_str()));
        }
    }
    // The queue covers every case of the support article.
    assert_eq!(seen.len(), 13, "{seen:?}");
}

#[tokio::test]
async fn expired_invites_name_the_window_that_applied() {
    let h = Harness::start().await;
    for (case, window) in [(SeedCase::ExpiredClientInvite, "48 hours"), (SeedCase::ExpiredStaffInvite, "1 hour")] {
        let seeded = h.ticket(case);
        let account = h.client.account(&seeded.account_id).await.unwrap().value;
        let invites = h.client.invites(&seeded.account_id).await.unwrap();
        let findings =
            troubleshoot(&Case { account: &account, invites: &invites, now: h.sandbox.now() }, &Replies::builtin());
        assert!(findings[0].explanation.contains(window), "{case:?}: {}", findings[0].explanation);
    }
}
