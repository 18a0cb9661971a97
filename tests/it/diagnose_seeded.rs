//! The troubleshooting engine names the case each seeded ticket was made to
//! show, reading the account and invites through the client, as the console
//! does.

use crate::common;

use common::Harness;
use portaldesk::diagnose::replies::Replies;
use portaldesk::diagnose::troubleshoot::{Case, Finding, FindingCode, troubleshoot};
use portaldesk::diagnose::visit::{VisitKind, classify_invite};
use portaldesk::portal::model::{Account, Invite, InviteStatus};
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
        SeedCase::ScannerPreOpened => FindingCode::LinkPreOpened,
        SeedCase::RewrittenLink => FindingCode::LinkRewritten,
        SeedCase::OpenedOnPhoneLater => FindingCode::InviteWorking,
        SeedCase::WrongAddress => FindingCode::WrongAddress,
    }
}

#[tokio::test]
async fn every_seeded_ticket_is_diagnosed_as_its_case() {
    let h = Harness::start().await;
    let replies = Replies::builtin();
    assert_eq!(h.sandbox.seeded.tickets.len(), 29);
    let mut seen = std::collections::HashSet::new();
    for seeded in &h.sandbox.seeded.tickets {
        let account = h.client.account(&seeded.account_id).await.unwrap().value;
        let invites = h.client.invites(&seeded.account_id).await.unwrap();
        let now = h.client.clock().now();
        let findings = troubleshoot(&Case::new(&account, &invites, now), &replies);
        let codes: Vec<_> = findings.iter().map(|f| f.code).collect();
        assert_eq!(codes.first(), Some(&expected(seeded.case)), "{} ({:?}): {codes:?}", seeded.ticket_id, seeded.case);
        seen.insert(seeded.case);
        for finding in &findings {
            assert!(!finding.explanation.is_empty() && !finding.next_step.is_empty());
            assert!(finding.reply.expose().contains(account.first_name.expose().as_str()));
        }
    }
    // The queue covers every case of the support article.
    assert_eq!(seen.len(), 17, "{seen:?}");
}

#[tokio::test]
async fn expired_invites_name_the_window_that_applied() {
    let h = Harness::start().await;
    for (case, window) in [(SeedCase::ExpiredClientInvite, "48 hours"), (SeedCase::ExpiredStaffInvite, "1 hour")] {
        let seeded = h.ticket(case);
        let account = h.client.account(&seeded.account_id).await.unwrap().value;
        let invites = h.client.invites(&seeded.account_id).await.unwrap();
        let findings = troubleshoot(&Case::new(&account, &invites, h.sandbox.now()), &Replies::builtin());
        assert!(findings[0].explanation.contains(window), "{case:?}: {}", findings[0].explanation);
    }
}

async fn diagnosed(h: &Harness, case: SeedCase) -> (Account, Vec<Invite>, Vec<Finding>) {
    let seeded = h.ticket(case);
    let account = h.client.account(&seeded.account_id).await.unwrap().value;
    let invites = h.client.invites(&seeded.account_id).await.unwrap();
    let findings = troubleshoot(&Case::new(&account, &invites, h.sandbox.now()), &Replies::builtin());
    (account, invites, findings)
}

fn kinds(invite: &Invite) -> Vec<VisitKind> {
    classify_invite(invite).into_iter().map(|v| v.kind).collect()
}

#[tokio::test]
async fn the_seeded_scanner_rewritten_phone_and_wrong_address_tickets_read_as_such() {
    use VisitKind::{Person, Scanner};
    let h = Harness::start().await;

    // Safe Links pre-opened the link: three visits in one second, all the
    // scanner's; it did not spend the link, and nobody has opened it since.
    let (_, invites, findings) = diagnosed(&h, SeedCase::ScannerPreOpened).await;
    assert_eq!(kinds(&invites[0]), [Scanner, Scanner, Scanner]);
    assert_eq!(invites[0].status, InviteStatus::Pending);
    let codes: Vec<_> = findings.iter().map(|f| f.code).collect();
    assert_eq!(codes, [FindingCode::LinkPreOpened, FindingCode::NotOpened]);
    let pre = &findings[0].explanation;
    assert!(pre.contains("Microsoft (AS8075)") && pre.contains("did not use the link up"), "{pre}");

    // The rewritten link: Proofpoint's scanner first, then the client through urldefense.com.
    let (_, invites, findings) = diagnosed(&h, SeedCase::RewrittenLink).await;
    assert_eq!(kinds(&invites[0]), [Scanner, Scanner, Person, Person]);
    assert!(findings[0].explanation.contains("Proofpoint URL Defense"), "{}", findings[0].explanation);
    assert!(findings.iter().any(|f| f.code == FindingCode::LinkPreOpened));

    // The phone hours later is a person: no alarm at all.
    let (_, invites, findings) = diagnosed(&h, SeedCase::OpenedOnPhoneLater).await;
    assert_eq!(kinds(&invites[0]), [Person, Person]);
    assert_eq!(invites[0].visits[0].network.as_deref(), Some("T-Mobile USA (AS21928)"));
    assert_eq!(findings.iter().map(|f| f.code).collect::<Vec<_>>(), [FindingCode::InviteWorking]);

    // Two addresses: the invite went to the work one; both named, masked.
    let (account, invites, findings) = diagnosed(&h, SeedCase::WrongAddress).await;
    assert_eq!(account.emails.len(), 2);
    assert_eq!(invites[0].sent_to, account.email);
    let wrong = &findings[0].explanation;
    assert!(wrong.contains("@h***.org") && wrong.contains("@g***.com"), "{wrong}");
    assert!(!wrong.contains("harborview") && !wrong.contains("gmail"), "{wrong}");

    // No other seeded ticket takes a person for a scanner.
    for seeded in &h.sandbox.seeded.tickets {
        if matches!(seeded.case, SeedCase::ScannerPreOpened | SeedCase::RewrittenLink) {
            continue;
        }
        let invites = h.client.invites(&seeded.account_id).await.unwrap();
        for invite in &invites {
            assert!(!kinds(invite).contains(&Scanner), "{:?} {}: {:?}", seeded.case, invite.id, kinds(invite));
        }
    }
}
