use chrono::{Duration, NaiveDate};

use super::*;
use crate::phi::Phi;
use crate::portal::model::{
    AccountEmail, DeliveryEvent, DeliveryEventKind, InvalidReason, InviteStatus, LinkVisit, Revocation, Role,
    VisitMethod, VisitOutcome,
};
use crate::timezone::StaffZone;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-25T09:00:00Z").unwrap().to_utc()
}

fn account(role: Role, email: &str, dob: NaiveDate) -> Account {
    Account {
        id: "acc_1".into(),
        role,
        first_name: "Sam".into(),
        last_name: "Okafor".into(),
        email: email.into(),
        emails: Vec::new(),
        phone: "(555) 555-0101".into(),
        dob: Phi::new(dob),
        created_at: now() - Duration::days(100),
        updated_at: now() - Duration::days(100),
    }
}

fn client() -> Account {
    account(Role::Client, "sam.okafor@gmail.com", NaiveDate::from_ymd_opt(1985, 12, 21).unwrap())
}

fn invite(id: &str, role: Role, sent_ago: Duration, status: InviteStatus) -> Invite {
    let sent_at = now() - sent_ago;
    Invite {
        id: id.into(),
        account_id: "acc_1".into(),
        sent_to: "sam.okafor@gmail.com".into(),
        sent_at,
        expires_at: sent_at + role.invite_lifetime(),
        status,
        accepted_at: None,
        link_opens: 0,
        dob_failures: 0,
        delivery: vec![
            DeliveryEvent { at: sent_at, event: DeliveryEventKind::Queued, detail: None },
            DeliveryEvent { at: sent_at + Duration::seconds(2), event: DeliveryEventKind::Delivered, detail: None },
        ],
        revoked: None,
        visits: Vec::new(),
        token_sha256: None,
    }
}

fn codes(account: &Account, invites: &[Invite]) -> Vec<FindingCode> {
    troubleshoot(&Case::new(account, invites, now()), &Replies::builtin()).iter().map(|f| f.code).collect()
}

use FindingCode::*;

#[test]
fn no_invite_ever_sent() {
    assert_eq!(codes(&client(), &[]), [NoInvite]);
}

#[test]
fn a_fresh_delivered_unopened_invite_points_to_spam() {
    let i = invite("inv_1", Role::Client, Duration::hours(5), InviteStatus::Pending);
    assert_eq!(codes(&client(), &[i]), [NotOpened]);
}

#[test]
fn an_opened_working_invite_is_fine() {
    let mut i = invite("inv_1", Role::Client, Duration::hours(5), InviteStatus::Pending);
    i.link_opens = 1;
    assert_eq!(codes(&client(), &[i]), [InviteWorking]);
}

#[test]
fn expiry_names_the_window_that_applied() {
    let c = invite("inv_1", Role::Client, Duration::hours(50), InviteStatus::Pending);
    let findings = troubleshoot(&Case::new(&client(), &[c], now()), &Replies::builtin());
    assert_eq!(findings[0].code, InviteExpired);
    assert!(findings[0].explanation.contains("expired 2h ago"), "{}", findings[0].explanation);
    assert!(findings[0].explanation.contains("client invites last 48 hours"));

    let staff =
        account(Role::Staff, "sam.okafor@brightpathcounseling.org", NaiveDate::from_ymd_opt(1980, 1, 2).unwrap());
    let s = invite("inv_2", Role::Staff, Duration::minutes(61), InviteStatus::Pending);
    let findings = troubleshoot(&Case::new(&staff, &[s], now()), &Replies::builtin());
    assert_eq!(findings[0].code, InviteExpired);
    assert!(findings[0].explanation.contains("staff invites last 1 hour"), "{}", findings[0].explanation);
}

#[test]
fn staff_invite_near_its_hour() {
    let staff =
        account(Role::Staff, "sam.okafor@brightpathcounseling.org", NaiveDate::from_ymd_opt(1980, 1, 2).unwrap());
    let mut s = invite("inv_2", Role::Staff, Duration::minutes(55), InviteStatus::Pending);
    s.link_opens = 1;
    assert_eq!(codes(&staff, &[s.clone()]), [StaffInviteExpiring]);
    // A client invite 55 minutes old is nowhere near its end.
    let mut c = invite("inv_3", Role::Client, Duration::minutes(55), InviteStatus::Pending);
    c.link_opens = 1;
    assert_eq!(codes(&client(), &[c]), [InviteWorking]);
}

#[test]
fn an_old_link_opened_after_a_resend() {
    let mut old = invite("inv_1", Role::Client, Duration::hours(30), InviteStatus::Superseded);
    let mut new = invite("inv_2", Role::Client, Duration::hours(5), InviteStatus::Pending);
    new.link_opens = 0;
    old.link_opens = 2;
    old.delivery.push(DeliveryEvent {
        at: now() - Duration::minutes(50),
        event: DeliveryEventKind::Opened,
        detail: None,
    });
    let got = codes(&client(), &[new.clone(), old.clone()]);
    assert_eq!(got[0], SupersededLinkUsed, "{got:?}");
    // Opened before it was replaced: not a finding.
    old.delivery.last_mut().unwrap().at = now() - Duration::hours(29);
    assert!(!codes(&client(), &[new, old]).contains(&SupersededLinkUsed));
}

#[test]
fn repeated_opens_without_a_dob_and_dob_failures_are_told_apart() {
    let mut i = invite("inv_1", Role::Client, Duration::hours(5), InviteStatus::Pending);
    i.link_opens = 8;
    assert_eq!(codes(&client(), &[i.clone()]), [LinkOpenedRepeatedly]);
    i.dob_failures = 3;
    assert_eq!(codes(&client(), &[i.clone()]), [DobFailures]);
    i.link_opens = 2;
    i.dob_failures = 1;
    assert_eq!(codes(&client(), &[i]), [DobFailures]);
}

#[test]
fn a_placeholder_dob_on_file_comes_before_coaching() {
    let placeholder = account(Role::Client, "sam.okafor@gmail.com", NaiveDate::from_ymd_opt(1900, 1, 1).unwrap());
    let mut i = invite("inv_1", Role::Client, Duration::hours(5), InviteStatus::Pending);
    i.link_opens = 2;
    i.dob_failures = 4;
    assert_eq!(codes(&placeholder, &[i]), [ProfileDobSuspect, DobFailures]);
}

#[test]
fn a_typo_address_and_its_bounce() {
    let typo = account(Role::Client, "sam.okafor@gmail.cmo", NaiveDate::from_ymd_opt(1985, 12, 21).unwrap());
    let mut i = invite("inv_1", Role::Client, Duration::hours(5), InviteStatus::Pending);
    i.delivery[1] = DeliveryEvent {
        at: i.sent_at + Duration::seconds(3),
        event: DeliveryEventKind::Bounced,
        detail: Some("550 5.1.2 domain has no mail server".into()),
    };
    let findings = troubleshoot(&Case::new(&typo, &[i], now()), &Replies::builtin());
    let got: Vec<_> = findings.iter().map(|f| f.code).collect();
    assert_eq!(got, [EmailTypo, Bounced]);
    // Nothing of the address leaks into what staff-facing text holds.
    for f in &findings {
        assert!(!f.explanation.contains("okafor") && !f.next_step.contains("okafor"), "{f:?}");
    }
    assert!(findings[1].explanation.contains("550 5.1.2"));
}

#[test]
fn already_accepted_means_log_in() {
    let mut i = invite("inv_1", Role::Client, Duration::days(10), InviteStatus::Accepted);
    i.accepted_at = Some(i.sent_at + Duration::minutes(30));
    let findings = troubleshoot(&Case::new(&client(), &[i], now()), &Replies::builtin());
    assert_eq!(findings[0].code, AlreadyAccepted);
    assert!(findings[0].reply.expose().contains("log in"));
    assert!(findings[0].reply.expose().starts_with("Hi Sam,"));
}

#[test]
fn replies_quote_the_new_expiry_after_a_resend() {
    let c = invite("inv_1", Role::Client, Duration::hours(50), InviteStatus::Pending);
    let findings = troubleshoot(&Case::new(&client(), &[c], now()), &Replies::builtin());
    assert!(findings[0].reply.expose().contains("Nov 27, 09:00 UTC"), "{}", findings[0].reply.expose());
    assert!(findings[0].reply.expose().contains("s***@g***.com"));
}

const HEADLESS: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                        HeadlessChrome/120.0.6099.71 Safari/537.36";
const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 \
                      (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

fn visit(at: DateTime<Utc>, method: VisitMethod, ua: &str, network: Option<&str>) -> LinkVisit {
    LinkVisit {
        at,
        method,
        user_agent: Some(ua.into()),
        remote: "203.0.113.7".into(),
        network: network.map(str::to_owned),
        referrer: None,
        cookies: false,
        outcome: VisitOutcome::PageShown,
        invalid_reason: None,
        typed_dob: None,
    }
}

/// Safe Links: a HEAD and two GETs from Microsoft, 3 s after delivery.
fn scanned(i: &mut Invite) {
    let at = i.sent_at + Duration::seconds(5);
    let ms = Some("Microsoft (AS8075)");
    i.visits = vec![
        visit(at, VisitMethod::Head, HEADLESS, ms),
        visit(at, VisitMethod::Get, HEADLESS, ms),
        visit(at, VisitMethod::Get, HEADLESS, ms),
    ];
    i.link_opens = 3;
}

fn finding(account: &Account, invites: &[Invite], code: FindingCode) -> Finding {
    let findings = troubleshoot(&Case::new(account, invites, now()), &Replies::builtin());
    findings.into_iter().find(|f| f.code == code).unwrap_or_else(|| panic!("no {code:?}"))
}

#[test]
fn a_scanner_pre_opening_hides_nothing_it_is_told() {
    let mut i = invite("inv_1", Role::Client, Duration::hours(5), InviteStatus::Pending);
    scanned(&mut i);
    // Three openings, all the scanner's: not "opened repeatedly", still unread.
    assert_eq!(codes(&client(), &[i.clone()]), [LinkPreOpened, NotOpened]);
    let pre = finding(&client(), &[i.clone()], LinkPreOpened);
    for words in ["3 times from Microsoft (AS8075)", "3s after delivery", "did not use the link up", "no person"] {
        assert!(pre.explanation.contains(words), "{words}: {}", pre.explanation);
    }
    assert!(pre.reply.expose().contains("security check") && pre.reply.expose().contains("Nov 27, 04:00 UTC"));
    let not_opened = finding(&client(), &[i.clone()], NotOpened);
    assert!(not_opened.explanation.contains("only a mail scanner"), "{}", not_opened.explanation);

    // The client on a phone hours later: the pre-opening is told, nothing is missing.
    i.visits.push(visit(now() - Duration::hours(1), VisitMethod::Get, IPHONE, Some("T-Mobile USA (AS21928)")));
    assert_eq!(codes(&client(), &[i.clone()]), [LinkPreOpened]);
    assert!(finding(&client(), &[i], LinkPreOpened).explanation.contains("opened it themselves 1h ago"));
}

#[test]
fn a_pre_opening_is_told_in_the_order_it_happened_and_with_what_works_now() {
    // The client first, then the scanner (it re-checked the link later).
    let mut i = invite("inv_1", Role::Client, Duration::hours(5), InviteStatus::Pending);
    i.visits = vec![visit(i.sent_at + Duration::seconds(60), VisitMethod::Get, IPHONE, None)];
    let later = i.sent_at + Duration::minutes(30);
    i.visits.push(visit(later, VisitMethod::Head, HEADLESS, Some("Microsoft (AS8075)")));
    let pre = finding(&client(), &[i.clone()], LinkPreOpened);
    assert!(pre.explanation.contains("after the client had already opened it"), "{}", pre.explanation);
    assert!(!pre.explanation.contains("before the client did"), "{}", pre.explanation);
    assert!(pre.explanation.contains("the link still works"), "{}", pre.explanation);

    // Scanned at delivery, nobody since, and the link has expired.
    let mut expired = invite("inv_2", Role::Client, Duration::hours(50), InviteStatus::Pending);
    scanned(&mut expired);
    let got = codes(&client(), &[expired.clone()]);
    assert_eq!(got[0], InviteExpired, "{got:?}");
    let pre = finding(&client(), &[expired], LinkPreOpened);
    assert!(pre.explanation.contains("but the link has since expired"), "{}", pre.explanation);
    assert!(!pre.explanation.contains("still works") && !pre.explanation.contains("before the client"));
    assert!(pre.next_step.contains("Resend"), "{}", pre.next_step);
    assert!(!pre.reply.expose().contains("works until"), "{}", pre.reply.expose());

    // Revoked since.
    let mut revoked = invite("inv_3", Role::Client, Duration::hours(5), InviteStatus::Revoked);
    scanned(&mut revoked);
    let pre = finding(&client(), &[revoked], LinkPreOpened);
    assert!(pre.explanation.contains("has since been revoked"), "{}", pre.explanation);
    assert!(pre.reply.expose().contains("cancelled"), "{}", pre.reply.expose());

    // Accepted since: nothing to say about the scanner.
    let mut accepted = invite("inv_4", Role::Client, Duration::hours(5), InviteStatus::Accepted);
    accepted.accepted_at = Some(now() - Duration::hours(1));
    scanned(&mut accepted);
    assert!(!codes(&client(), &[accepted]).contains(&LinkPreOpened));
}

#[test]
fn a_client_on_a_phone_hours_later_raises_no_alarm() {
    let mut i = invite("inv_1", Role::Client, Duration::hours(8), InviteStatus::Pending);
    let phone = Some("T-Mobile USA (AS21928)");
    i.visits = vec![
        visit(now() - Duration::hours(2), VisitMethod::Get, IPHONE, phone),
        visit(now() - Duration::hours(2) + Duration::seconds(40), VisitMethod::Get, IPHONE, phone),
    ];
    i.visits[1].cookies = true;
    i.link_opens = 2;
    assert_eq!(codes(&client(), &[i]), [InviteWorking]);
}

#[test]
fn a_scanner_re_checking_an_old_link_is_not_the_client_opening_it() {
    let mut old = invite("inv_1", Role::Client, Duration::hours(30), InviteStatus::Superseded);
    let new = invite("inv_2", Role::Client, Duration::hours(5), InviteStatus::Pending);
    let mut scan = visit(now() - Duration::minutes(50), VisitMethod::Head, HEADLESS, Some("Microsoft (AS8075)"));
    scan.outcome = VisitOutcome::InvalidLink;
    scan.invalid_reason = Some(InvalidReason::Superseded);
    old.visits = vec![scan.clone()];
    // Even with an `opened` event at the scan: the visit log decides.
    old.delivery.push(DeliveryEvent { at: scan.at, event: DeliveryEventKind::Opened, detail: None });
    let got = codes(&client(), &[new.clone(), old.clone()]);
    assert!(!got.contains(&SupersededLinkUsed), "{got:?}");

    // The client's own browser on the old link after the resend is.
    let mut person = visit(now() - Duration::minutes(20), VisitMethod::Get, IPHONE, None);
    person.outcome = VisitOutcome::InvalidLink;
    person.invalid_reason = Some(InvalidReason::Superseded);
    old.visits.push(person.clone());
    let f = finding(&client(), &[new.clone(), old.clone()], SupersededLinkUsed);
    assert!(f.explanation.contains("old invite link 20m ago"), "{}", f.explanation);

    // Before the resend it was the current link: nothing to say.
    person.at = now() - Duration::hours(29);
    old.visits = vec![scan, person];
    assert!(!codes(&client(), &[new, old]).contains(&SupersededLinkUsed));
}

#[test]
fn a_rewritten_link_says_copy_the_original() {
    let mut i = invite("inv_1", Role::Client, Duration::hours(8), InviteStatus::Pending);
    let mut v = visit(now() - Duration::hours(2), VisitMethod::Get, IPHONE, None);
    v.referrer = Some("https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F%2Fx&data=05".into());
    i.visits = vec![v];
    i.link_opens = 1;
    assert_eq!(codes(&client(), &[i.clone()]), [LinkRewritten]);
    let f = finding(&client(), &[i], LinkRewritten);
    assert!(f.explanation.contains("Microsoft Safe Links"), "{}", f.explanation);
    assert!(f.next_step.contains("right-click") && f.next_step.contains("new browser window"));
    assert!(f.reply.expose().contains("Copy link"));
}

#[test]
fn a_second_address_points_to_the_other_inbox() {
    let mut two = client();
    two.emails = vec![
        AccountEmail { address: "sam.okafor@gmail.com".into(), is_default: true },
        AccountEmail { address: "sokafor@workplace.org".into(), is_default: false },
    ];
    let i = invite("inv_1", Role::Client, Duration::hours(6), InviteStatus::Pending);
    assert_eq!(codes(&two, std::slice::from_ref(&i)), [WrongAddress, NotOpened]);
    let f = finding(&two, std::slice::from_ref(&i), WrongAddress);
    assert!(f.explanation.contains("s***@g***.com") && f.explanation.contains("s***@w***.org"), "{}", f.explanation);
    assert!(f.next_step.contains("make that address the default") && f.next_step.contains("resend"));
    assert!(f.reply.expose().contains("s***@g***.com"));
    for text in [&f.explanation, &f.next_step, f.reply.expose()] {
        assert!(!text.contains("okafor") && !text.contains("workplace"), "{text}");
    }
    // Once the client opened it, the address was right.
    let mut opened = i.clone();
    opened.visits = vec![visit(now() - Duration::hours(1), VisitMethod::Get, IPHONE, None)];
    assert!(!codes(&two, &[opened]).contains(&WrongAddress));
    // One address, unchanged since the invite: nothing to say.
    assert_eq!(codes(&client(), std::slice::from_ref(&i)), [NotOpened]);
    // The default moved after the invite went out.
    let mut moved = client();
    moved.email = "sam.new@outlook.com".into();
    let f = finding(&moved, &[i], WrongAddress);
    assert!(f.explanation.contains("now s***@o***.com"), "{}", f.explanation);
}

#[test]
fn the_invalid_link_page_is_explained_exactly() {
    // Superseded: names the resend that replaced it.
    let mut old = invite("inv_1", Role::Client, Duration::hours(30), InviteStatus::Superseded);
    let mut new = invite("inv_2", Role::Client, Duration::hours(5), InviteStatus::Pending);
    new.visits = Vec::new();
    let mut seen = visit(now() - Duration::minutes(50), VisitMethod::Get, IPHONE, None);
    seen.outcome = VisitOutcome::InvalidLink;
    seen.invalid_reason = Some(InvalidReason::Superseded);
    old.visits = vec![seen.clone()];
    let f = finding(&client(), &[new.clone(), old.clone()], LinkInvalid);
    assert!(f.explanation.contains("opened 50m ago"), "{}", f.explanation);
    assert!(f.explanation.contains("superseded by the resend at Nov 25, 04:00 UTC (inv_2)"), "{}", f.explanation);

    // A scanner hitting the dead link is not what the client saw.
    let mut scanner_only = old.clone();
    scanner_only.visits[0].user_agent = Some(HEADLESS.into());
    assert!(!codes(&client(), &[new.clone(), scanner_only]).contains(&LinkInvalid));

    // Revoked: who, when, why, even before anyone opened it.
    let mut revoked = invite("inv_3", Role::Client, Duration::hours(3), InviteStatus::Revoked);
    revoked.revoked = Some(Box::new(Revocation {
        at: now() - Duration::hours(1),
        by: "agent_chen".into(),
        reason: "sent to the wrong address".into(),
        ticket_id: None,
    }));
    assert_eq!(codes(&client(), &[revoked.clone()]), [LinkInvalid]);
    let f = finding(&client(), &[revoked], LinkInvalid);
    assert!(
        f.explanation.contains("revoked by agent_chen at Nov 25, 08:00 UTC for: sent to the wrong address"),
        "{}",
        f.explanation
    );
    assert!(f.reply.expose().contains("cancelled"));

    // Expired and already used name their times, and reply like their own findings.
    let mut expired = invite("inv_4", Role::Staff, Duration::hours(3), InviteStatus::Expired);
    seen.invalid_reason = Some(InvalidReason::Expired);
    expired.visits = vec![seen.clone()];
    let staff =
        account(Role::Staff, "sam.okafor@brightpathcounseling.org", NaiveDate::from_ymd_opt(1980, 1, 2).unwrap());
    let f = finding(&staff, &[expired], LinkInvalid);
    assert!(f.explanation.contains("expired at Nov 25, 07:00 UTC, 1 hour after it was sent"), "{}", f.explanation);
    let mut used = invite("inv_5", Role::Client, Duration::days(3), InviteStatus::Accepted);
    used.accepted_at = Some(now() - Duration::days(2));
    seen.invalid_reason = Some(InvalidReason::AlreadyUsed);
    used.visits = vec![seen];
    let f = finding(&client(), &[used], LinkInvalid);
    assert!(f.explanation.contains("already used at Nov 23, 09:00 UTC"), "{}", f.explanation);
    assert!(f.reply.expose().contains("log in"));
}

#[test]
fn codes_round_trip() {
    for code in FindingCode::all() {
        assert_eq!(code.as_str().parse::<FindingCode>(), Ok(code));
        assert_eq!(serde_json::to_string(&code).unwrap(), format!("\"{code}\""));
    }
    assert_eq!(serde_json::to_string(&EmailTypo).unwrap(), "\"email_typo\"");
    assert_eq!(LinkOpenedRepeatedly.as_str(), "link_opened_repeatedly");
    assert!("Email_Typo".parse::<FindingCode>().is_err() && "".parse::<FindingCode>().is_err());
    assert_eq!(FindingCode::all().count(), 20);
}

#[test]
fn the_rules_run_in_report_order_one_per_code() {
    let listed: Vec<FindingCode> = super::rules::RULES.iter().map(|(code, _)| *code).collect();
    let expected: Vec<FindingCode> = FindingCode::all().filter(|c| *c != InviteWorking).collect();
    assert_eq!(listed, expected);
}

#[test]
fn each_rule_says_only_its_own_code() {
    // Cases that set off most rules; every finding a rule returns is its own.
    let typo = account(Role::Client, "sam.okafor@gmail.cmo", NaiveDate::from_ymd_opt(1900, 1, 1).unwrap());
    let mut i = invite("inv_1", Role::Client, Duration::hours(5), InviteStatus::Pending);
    scanned(&mut i);
    i.dob_failures = 2;
    let mut old = invite("inv_0", Role::Client, Duration::hours(30), InviteStatus::Superseded);
    old.delivery.push(DeliveryEvent {
        at: now() - Duration::minutes(5),
        event: DeliveryEventKind::Opened,
        detail: None,
    });
    let invites = [i, old];
    let facts = Facts::of(&Case::new(&typo, &invites, now()), StaffZone::Utc);
    let mut fired = 0;
    for (code, rule) in super::rules::RULES {
        if let Some(p) = rule(&facts) {
            assert_eq!(p.code, code);
            fired += 1;
        }
    }
    assert!(fired >= 4, "{fired}");
}

#[test]
fn a_name_of_any_length_from_the_portal_leaves_the_reply_a_message() {
    let mut huge = client();
    huge.first_name = "N".repeat(2_000_000).into();
    let findings = troubleshoot(&Case::new(&huge, &[], now()), &Replies::builtin());
    let reply = findings[0].reply.expose();
    assert!(reply.contains(&"N".repeat(200)), "the name is still there");
    assert!(reply.len() < 2_000, "a {}-byte reply", reply.len());
}

// Issue 14: findings that stay true after a fix, for clients and staff.

fn dob_change(at: DateTime<Utc>) -> crate::portal::model::AuditEntry {
    crate::portal::model::AuditEntry {
        seq: 1,
        at,
        actor: "stf_1".into(),
        action: crate::portal::model::AuditAction::AccountUpdated,
        account_id: Some("acc_1".into()),
        ticket_id: Some("T-1011".into()),
        summary: "date of birth changed; reason: placeholder on file".into(),
        prev_hash: String::new(),
        hash: String::new(),
    }
}

/// A client's expired invite whose link they opened (the invalid-link
/// page), then the resend made just now: the old one superseded.
fn after_resend(role: Role) -> Vec<Invite> {
    let lifetime = role.invite_lifetime();
    let mut old = invite("inv_1", role, lifetime + Duration::hours(3), InviteStatus::Superseded);
    let mut seen = visit(now() - Duration::hours(2), VisitMethod::Get, IPHONE, None);
    seen.outcome = VisitOutcome::InvalidLink;
    seen.invalid_reason = Some(InvalidReason::Expired);
    old.visits = vec![seen];
    old.link_opens = 1;
    let new = invite("inv_2", role, Duration::zero(), InviteStatus::Pending);
    vec![new, old]
}

#[test]
fn after_a_resend_the_first_finding_says_what_went_where_and_no_resend_is_asked_again() {
    // Before: the client opened an expired link: resend.
    let mut before = after_resend(Role::Client);
    before.remove(0);
    before[0].status = InviteStatus::Pending;
    let got = codes(&client(), &before);
    assert!(got.contains(&LinkInvalid) || got.contains(&InviteExpired), "{got:?}");

    let invites = after_resend(Role::Client);
    let findings = troubleshoot(&Case::new(&client(), &invites, now()), &Replies::builtin());
    let got: Vec<_> = findings.iter().map(|f| f.code).collect();
    assert_eq!(got[0], InviteJustSent, "{got:?}");
    assert!(!got.contains(&LinkInvalid) && !got.contains(&InviteExpired) && !got.contains(&NotOpened), "{got:?}");
    let first = &findings[0];
    for words in
        ["s***@g***.com", "at Nov 25, 09:00 UTC", "48 hours", "Nov 27, 09:00 UTC", "earlier link no longer works"]
    {
        assert!(first.explanation.contains(words), "{words}: {}", first.explanation);
    }
    assert!(!first.next_step.to_lowercase().contains("resend"), "{}", first.next_step);
    let reply = first.reply.expose();
    assert!(reply.contains("Nov 27, 09:00 UTC") && !reply.contains("48h 00m"), "no countdown: {reply}");
    assert!(reply.contains("s***@g***.com") && reply.contains("no longer work"), "{reply}");

    // Half an hour on, unopened: the usual findings take over.
    let later = troubleshoot(&Case::new(&client(), &invites, now() + Duration::minutes(30)), &Replies::builtin());
    assert_ne!(later[0].code, InviteJustSent);

    // Staff (T-1006): a 1-hour link, staff words.
    let staff =
        account(Role::Staff, "sam.okafor@brightpathcounseling.org", NaiveDate::from_ymd_opt(1980, 1, 2).unwrap());
    let invites = after_resend(Role::Staff);
    let findings = troubleshoot(&Case::new(&staff, &invites, now()), &Replies::builtin());
    assert_eq!(findings[0].code, InviteJustSent);
    assert!(!findings.iter().any(|f| f.code == LinkInvalid), "{findings:?}");
    assert!(findings[0].explanation.contains("1 hour, until Nov 25, 10:00 UTC"), "{}", findings[0].explanation);
    for f in &findings {
        assert!(!f.explanation.contains("client") && !f.next_step.contains("client"), "{f:?}");
        assert!(!f.reply.expose().contains("client"), "{}", f.reply.expose());
    }
}

#[test]
fn after_a_dob_edit_the_reply_says_retry_not_tell_us_what_you_type() {
    // T-1011: a placeholder DOB on file, four refused entries.
    let placeholder = account(Role::Client, "sam.okafor@gmail.com", NaiveDate::from_ymd_opt(1900, 1, 1).unwrap());
    let mut i = invite("inv_1", Role::Client, Duration::hours(31), InviteStatus::Pending);
    i.dob_failures = 4;
    let mut refused = visit(now() - Duration::minutes(38), VisitMethod::Post, IPHONE, None);
    refused.outcome = VisitOutcome::DobRefused;
    i.visits = vec![refused];
    let before = troubleshoot(&Case::new(&placeholder, std::slice::from_ref(&i), now()), &Replies::builtin());
    assert_eq!(before[0].code, ProfileDobSuspect);
    assert!(before[0].reply.expose().contains("We are fixing it"));

    // The DOB edited a minute ago (audit trail), the account read again.
    let fixed = client();
    let audit = [dob_change(now() - Duration::minutes(1))];
    let case = Case::new(&fixed, std::slice::from_ref(&i), now()).with_audit(&audit);
    let after = troubleshoot(&case, &Replies::builtin());
    let got: Vec<_> = after.iter().map(|f| f.code).collect();
    assert_eq!(got[0], DobCorrected, "{got:?}");
    assert!(!got.contains(&DobFailures), "{got:?}");
    assert!(after[0].explanation.contains("1m ago") && after[0].explanation.contains("17h 00m"));
    let reply = after[0].reply.expose();
    assert!(!reply.contains("what you are typing"), "{reply}");
    assert!(
        reply.contains("corrected") && reply.contains("Nov 26, 02:00 UTC") && !reply.contains("17h 00m"),
        "{reply}"
    );

    // Refused again after the edit: back to asking what they type.
    i.visits[0].at = now();
    let case = Case::new(&fixed, std::slice::from_ref(&i), now()).with_audit(&audit);
    assert_eq!(codes_of(&case).first(), Some(&DobFailures));
    assert!(!codes_of(&case).contains(&DobCorrected));
}

fn codes_of(case: &Case<'_>) -> Vec<FindingCode> {
    troubleshoot(case, &Replies::builtin()).iter().map(|f| f.code).collect()
}

#[test]
fn a_bounce_is_told_at_the_address_it_happened_not_the_corrected_default() {
    // T-1008: sent to .cmo, bounced; then .com added, made the default, .cmo removed.
    let fixed = client();
    let mut i = invite("inv_1", Role::Client, Duration::hours(5), InviteStatus::Pending);
    i.sent_to = "sam.okafor@gmail.cmo".into();
    i.delivery[1] = DeliveryEvent {
        at: i.sent_at + Duration::seconds(3),
        event: DeliveryEventKind::Bounced,
        detail: Some("550 5.1.2 domain has no mail server".into()),
    };
    let findings = troubleshoot(&Case::new(&fixed, std::slice::from_ref(&i), now()), &Replies::builtin());
    assert_eq!(findings[0].code, Bounced);
    assert!(findings[0].explanation.contains("sent to s***@g***.cmo"), "{}", findings[0].explanation);
    assert!(findings[0].explanation.contains("now s***@g***.com"), "{}", findings[0].explanation);
    assert!(findings[0].reply.expose().contains("s***@g***.cmo"), "{}", findings[0].reply.expose());
    assert!(!findings[0].reply.expose().contains("g***.com"), "{}", findings[0].reply.expose());
    // Revealed: in full.
    let revealed = troubleshoot(&Case::new(&fixed, &[i], now()).revealed(true), &Replies::builtin());
    assert!(revealed[0].reply.expose().contains("sam.okafor@gmail.cmo"));
}

#[test]
fn opened_many_times_follows_the_timelines_reading_of_the_link() {
    // T-1007: eight openings, each showed the DOB page.
    let mut i = invite("inv_1", Role::Client, Duration::hours(5), InviteStatus::Pending);
    i.visits = (0..8).map(|n| visit(now() - Duration::minutes(45 - n), VisitMethod::Get, IPHONE, None)).collect();
    i.link_opens = 8;
    let t =
        crate::diagnose::timeline::timeline(&i, std::slice::from_ref(&i), Role::Client, now(), StaffZone::Utc, false);
    assert!(t.works);
    let f = finding(&client(), std::slice::from_ref(&i), LinkOpenedRepeatedly);
    assert!(f.explanation.contains("the link works"), "{}", f.explanation);
    for text in [&f.explanation, &f.next_step] {
        assert!(!text.contains("invalid") && !text.contains("rewriting"), "{text}");
    }
    // Some openings saw the invalid-link page: then it may be rewritten.
    i.visits[7].outcome = VisitOutcome::InvalidLink;
    let f = finding(&client(), &[i], LinkOpenedRepeatedly);
    assert!(f.explanation.contains("rewriting"), "{}", f.explanation);
}

#[test]
fn a_revealed_case_names_the_suggested_address_in_full_and_as_a_field() {
    let typo = account(Role::Client, "sam.okafor@gmail.cmo", NaiveDate::from_ymd_opt(1985, 12, 21).unwrap());
    let i = invite("inv_1", Role::Client, Duration::hours(5), InviteStatus::Pending);
    let masked = finding(&typo, std::slice::from_ref(&i), EmailTypo);
    assert!(masked.explanation.contains("Likely meant: s***@g***.com"), "{}", masked.explanation);
    assert_eq!(masked.suggested_email.as_ref().map(|s| s.expose().as_str()), Some("sam.okafor@gmail.com"));
    let revealed = troubleshoot(&Case::new(&typo, &[i], now()).revealed(true), &Replies::builtin());
    assert!(revealed[0].explanation.contains("Likely meant: sam.okafor@gmail.com"), "{}", revealed[0].explanation);
    assert!(revealed[0].reply.expose().contains("(sam.okafor@gmail.cmo) may have a typo"));
    let json = serde_json::to_value(&revealed[0]).unwrap();
    assert_eq!(json["suggested_email"], "sam.okafor@gmail.com");
}

/// Every reply template, for every finding code, both roles, before and
/// after the fix (a resend moments ago), masked and revealed: the deadline
/// it names is the real one, the role's words are used, and the address
/// named is the account's (as shown).
#[test]
fn every_reply_for_every_code_role_and_moment_names_the_real_deadline_role_and_address() {
    let replies = Replies::builtin();
    for role in [Role::Client, Role::Staff] {
        let email = if role == Role::Staff { "sam.okafor@brightpathcounseling.org" } else { "sam.okafor@gmail.com" };
        let holder = account(role, email, NaiveDate::from_ymd_opt(1985, 12, 21).unwrap());
        // Before: a link with time left that is not a whole window (17 h of
        // 48; 40 min of 60). After: the resend just made.
        let left = if role == Role::Staff { Duration::minutes(40) } else { Duration::hours(17) };
        let before = vec![invite("inv_1", role, role.invite_lifetime() - left, InviteStatus::Pending)];
        let after = {
            let mut old = before[0].clone();
            old.status = InviteStatus::Superseded;
            vec![invite("inv_2", role, Duration::zero(), InviteStatus::Pending), old]
        };
        for (moment, invites) in [("before", &before), ("after", &after)] {
            let latest_expiry = invites[0].expires_at;
            for reveal in [false, true] {
                let case = Case::new(&holder, invites, now()).revealed(reveal);
                for code in FindingCode::all() {
                    let reply = super::reply(&case, &replies, code);
                    let reply = reply.expose();
                    let at = format!("{code:?} {role:?} {moment} reveal={reveal}");
                    assert!(reply.starts_with("Hi Sam,") && !reply.contains('{'), "{at}: {reply}");
                    // The deadline: the newest working link's own, whatever
                    // the template (a time computed while drawing only when
                    // no link works: a preview of the one to be sent).
                    let due = latest_expiry;
                    let template = replies.template_for(code, role);
                    if template.contains("{expires_at}") {
                        assert!(reply.contains(&StaffZone::Utc.in_email(due)), "{at}: {reply}");
                    }
                    // Never a countdown in what is sent.
                    assert!(!reply.contains("from now") && !reply.contains("{expires_in}"), "{at}: {reply}");
                    assert!(!reply.contains("within 48 hours") && !reply.contains("within 1 hour"), "{at}: {reply}");
                    // The role's words.
                    match role {
                        Role::Client => assert!(!reply.to_lowercase().contains("staff"), "{at}: {reply}"),
                        Role::Staff => {
                            assert!(!reply.contains("client") && !reply.contains("48 hours"), "{at}: {reply}");
                        }
                    }
                    // The address named is the account's, as shown.
                    let shown = if reveal { email.to_owned() } else { crate::phi::mask_email(email) };
                    if template.contains("{email}") {
                        assert!(reply.contains(&shown), "{at}: {shown} not in {reply}");
                    }
                    if !reveal {
                        assert!(!reply.contains(email), "{at}: the address in full: {reply}");
                    }
                }
            }
        }
    }
}

// Issue 15: findings that cite what the client wrote in the ticket.

/// A public message from the client, `ago` before now.
fn said(id: &str, ago: Duration, body: &str) -> crate::portal::model::TicketMessage {
    use crate::portal::model::{AuthorKind, MessageAuthor, TicketChannel, TicketMessage, Visibility};
    TicketMessage {
        id: id.into(),
        ticket_id: "T-1021".into(),
        at: now() - ago,
        author: MessageAuthor { kind: AuthorKind::Client, id: "acc_1".into(), name: "Sam Okafor".into() },
        visibility: Visibility::Public,
        channel: TicketChannel::Email,
        body: body.into(),
    }
}

fn words_of(bodies: &[&str]) -> ClientWords {
    let messages: Vec<_> = bodies
        .iter()
        .enumerate()
        .map(|(n, body)| said(&format!("msg_{n}"), Duration::minutes(18 + 60 * (bodies.len() - n) as i64), body))
        .collect();
    ClientWords::of(&messages, now().date_naive())
}

/// The findings of a case with what the client wrote, revealed or not.
fn cited(account: &Account, invites: &[Invite], words: &ClientWords, reveal: bool) -> Vec<Finding> {
    troubleshoot(&Case::new(account, invites, now()).with_words(words).revealed(reveal), &Replies::builtin())
}

fn cited_finding(account: &Account, invites: &[Invite], bodies: &[&str], code: FindingCode) -> Option<Finding> {
    cited(account, invites, &words_of(bodies), true).into_iter().find(|f| f.code == code)
}

/// A client whose DOB on file is February 3, 1990, with an invite the
/// invite page refused two entries on.
fn refused() -> (Account, Vec<Invite>) {
    let holder = account(Role::Client, "sam.okafor@gmail.com", NaiveDate::from_ymd_opt(1990, 2, 3).unwrap());
    let mut i = invite("inv_1", Role::Client, Duration::hours(5), InviteStatus::Pending);
    i.link_opens = 2;
    i.dob_failures = 2;
    (holder, vec![i])
}

#[test]
fn a_dob_written_day_first_says_what_to_type_and_where_it_was_written() {
    let (holder, invites) = refused();
    let words =
        ClientWords::of(&[said("msg_7", Duration::minutes(18), "My DOB is 03/02/1990 thanks")], now().date_naive());
    let found = cited(&holder, &invites, &words, true);
    let codes: Vec<_> = found.iter().map(|f| f.code).collect();
    assert_eq!(codes, [DobInMessage, DobFailures], "the client's own words come before the coaching");
    let f = &found[0];
    assert_eq!(
        f.explanation,
        "At Nov 25, 08:42 UTC the client wrote 03/02/1990: the same date as the DOB on file, but day before month; \
         they should type 02/03/1990."
    );
    assert!(f.next_step.contains("02/03/1990"), "{}", f.next_step);
    let cites = f.cites.as_ref().unwrap();
    assert_eq!((cites.message_id.as_str(), cites.start, cites.end), ("msg_7", 10, 20));
    let json = serde_json::to_value(f).unwrap();
    assert_eq!(json["cites"]["message_id"], "msg_7");
    assert!(f.reply.expose().starts_with("Hi Sam,") && f.reply.expose().contains("MM/DD/YYYY"));
    // Masked: neither the date written nor the entry shows.
    let masked = &cited(&holder, &invites, &words, false)[0];
    for text in [&masked.explanation, &masked.next_step] {
        assert!(!text.contains("1990") && text.contains(crate::phi::DOB_MASK), "{text}");
    }
    assert_eq!(masked.cites, f.cites);
    assert!(!format!("{masked:?}").contains("1990"));
}

#[test]
fn each_way_of_writing_the_same_date_is_named() {
    let (holder, invites) = refused();
    for (body, words) in [
        ("dob 2/3/1990", "no leading zeros"),
        ("born 02/03/90", "a 2-digit year"),
        ("my birthday is February 3, 1990", "the month as a word"),
        ("date of birth 3 Feb 90", "the month as a word, a 2-digit year"),
        ("DOB: 1990-02-03", "year first"),
    ] {
        let f = cited_finding(&holder, &invites, &[body], DobInMessage).unwrap_or_else(|| panic!("{body}"));
        assert!(f.explanation.contains("the same date as the DOB on file"), "{body}: {}", f.explanation);
        assert!(f.explanation.contains(words), "{body}: {words} not in {}", f.explanation);
        assert!(f.explanation.ends_with("they should type 02/03/1990."), "{body}: {}", f.explanation);
    }
}

#[test]
fn another_date_says_the_dob_on_file_may_be_wrong_and_names_the_remedy() {
    let (holder, invites) = refused();
    let f = cited_finding(&holder, &invites, &["my date of birth is 07/14/1986"], DobInMessage).unwrap();
    assert!(
        f.explanation.contains("wrote 07/14/1986, a different date than the DOB on file: the DOB on file may be wrong: confirm it on the call."),
        "{}",
        f.explanation
    );
    assert!(f.next_step.contains("set the DOB on file to the confirmed value"), "{}", f.next_step);
    // A typo explains it, and is said.
    let f = cited_finding(&holder, &invites, &["DOB 02/03/1991"], DobInMessage).unwrap();
    assert!(f.explanation.contains("(the year one off"), "{}", f.explanation);
    // The fix sets the DOB on file to it.
    let words = words_of(&["my date of birth is 07/14/1986"]);
    let case = Case::new(&holder, &invites, now()).with_words(&words);
    let findings = troubleshoot(&case, &Replies::builtin());
    let plan = crate::diagnose::remedy::plan(&case, &findings, &words, None, &Replies::builtin()).unwrap();
    assert_eq!((plan.finding, plan.kind), (DobInMessage, crate::diagnose::remedy::RemedyKind::SetDob));
    // A partial date asks for the whole one.
    let f = cited_finding(&holder, &invites, &["my birthday is March 2"], DobInMessage).unwrap();
    assert!(f.explanation.contains("part of the date is missing"), "{}", f.explanation);
}

#[test]
fn a_dob_written_right_or_already_corrected_gives_way() {
    let (holder, mut invites) = refused();
    // Exactly right, and nothing refused: nothing to say.
    invites[0].dob_failures = 0;
    assert!(cited_finding(&holder, &invites, &["DOB 02/03/1990"], DobInMessage).is_none());
    // Exactly right yet refused: ask what they type on the page.
    invites[0].dob_failures = 1;
    let f = cited_finding(&holder, &invites, &["DOB 02/03/1990"], DobInMessage).unwrap();
    assert!(f.explanation.contains("typed as the portal needs"), "{}", f.explanation);
    // The DOB on file set to what they wrote after they wrote it: the
    // correction speaks, not the old advice.
    let words = words_of(&["my date of birth is 07/14/1986"]);
    let mut fixed = holder.clone();
    fixed.dob = Phi::new(NaiveDate::from_ymd_opt(1986, 7, 14).unwrap());
    let audit = [dob_change(now() - Duration::minutes(5))];
    let case = Case::new(&fixed, &invites, now()).with_audit(&audit).with_words(&words);
    let got: Vec<_> = troubleshoot(&case, &Replies::builtin()).iter().map(|f| f.code).collect();
    assert!(!got.contains(&DobInMessage) && got[0] == DobCorrected, "{got:?}");
    // An accepted invite: they are in.
    invites[0].status = InviteStatus::Accepted;
    assert!(cited_finding(&holder, &invites, &["DOB 03/02/1990"], DobInMessage).is_none());
}

#[test]
fn phones_ticket_ids_quoted_dates_and_our_own_address_cite_nothing() {
    let (holder, invites) = refused();
    for body in [
        "call me at 555-0123 or (254) 555-0150, or 254.555.0150",
        "same as ticket T-1021 and T-12/03/1990",
        "Still nothing.\n\nOn Nov 24, 2026, at 9:14 AM, Bright Path Counseling <no-reply@therapyappointment.com> wrote:\n> Your DOB 01/01/1980 and pat@example.com",
        "I searched for no-reply@therapyappointment.com and found nothing.",
        "I got it on 11/24/2026 at 10:42.",
    ] {
        let found = cited(&holder, &invites, &words_of(&[body]), true);
        let codes: Vec<_> = found.iter().map(|f| f.code).collect();
        assert!(!codes.contains(&DobInMessage) && !codes.contains(&EmailInMessage), "{body}: {codes:?}");
    }
}

/// A client whose address on file, and the invite, is `on_file`.
fn addressed(on_file: &str) -> (Account, Vec<Invite>) {
    let holder = account(Role::Client, on_file, NaiveDate::from_ymd_opt(1985, 12, 21).unwrap());
    let mut i = invite("inv_1", Role::Client, Duration::hours(5), InviteStatus::Pending);
    i.sent_to = on_file.into();
    (holder, vec![i])
}

#[test]
fn the_address_meant_is_cited_with_where_the_invite_went() {
    let (holder, invites) = addressed("jane.doe@gmail.cmo");
    let words = words_of(&["I never got it. My email is jane.doe@gmail.com, please resend."]);
    let found = cited(&holder, &invites, &words, true);
    let codes: Vec<_> = found.iter().map(|f| f.code).collect();
    assert_eq!(codes[0], EmailTypo, "{codes:?}");
    let f = found.iter().find(|f| f.code == EmailInMessage).unwrap();
    assert!(
        f.explanation.starts_with("The client wrote jane.doe@gmail.com; the invite went to jane.doe@gmail.cmo."),
        "{}",
        f.explanation
    );
    assert_eq!(f.suggested_email.as_ref().map(|s| s.expose().as_str()), Some("jane.doe@gmail.com"));
    let cites = f.cites.as_ref().unwrap();
    assert_eq!((cites.start, cites.end), (28, 46));
    assert!(f.reply.expose().contains("jane.doe@gmail.cmo"), "the reply names where it went");
    // Masked, both addresses are.
    let masked = cited(&holder, &invites, &words, false).into_iter().find(|f| f.code == EmailInMessage).unwrap();
    assert!(!masked.explanation.contains("jane.doe@"), "{}", masked.explanation);
    // Its remedy corrects the address to it.
    let case = Case::new(&holder, &invites, now()).with_words(&words).revealed(true);
    let plan = crate::diagnose::remedy::plan_for(&case, f, &words, None, &Replies::builtin());
    assert_eq!(plan.kind, crate::diagnose::remedy::RemedyKind::CorrectAddress);

    // Corrected and resent: it gives way.
    let (fixed, resent) = addressed("jane.doe@gmail.com");
    let got: Vec<_> = cited(&fixed, &resent, &words, true).iter().map(|f| f.code).collect();
    assert!(!got.contains(&EmailInMessage), "{got:?}");
    // The typo itself written earlier, the right one now in use: nothing.
    let both = words_of(&["it is jane.doe@gmail.cmo", "sorry: jane.doe@gmail.com"]);
    let got: Vec<_> = cited(&fixed, &resent, &both, true).iter().map(|f| f.code).collect();
    assert!(!got.contains(&EmailInMessage), "{got:?}");
}

#[test]
fn another_address_the_same_typo_or_a_typo_of_their_own_are_told_apart() {
    let (holder, invites) = addressed("sam.okafor@gmail.com");
    let f = cited_finding(&holder, &invites, &["please use sam@okafor-family.org"], EmailInMessage).unwrap();
    assert!(
        // "please use …" asks for it there: a wish, quoted.
        f.explanation.contains("The client wants the invite at sam@okafor-family.org")
            && f.explanation.contains("the client wrote: \"use sam@okafor-family.org\"")
            && f.explanation.ends_with("the invite went to sam.okafor@gmail.com."),
        "{}",
        f.explanation
    );
    assert!(f.next_step.starts_with("Correct the address to the one the client wrote"), "{}", f.next_step);
    // Writing the address in use, spelled right: nothing to say.
    assert!(cited_finding(&holder, &invites, &["it is sam.okafor@gmail.com"], EmailInMessage).is_none());
    // A typo of their own.
    let f = cited_finding(&holder, &invites, &["it is sam.okafor@yahoo.con"], EmailInMessage).unwrap();
    assert!(f.explanation.contains("which looks mistyped itself"), "{}", f.explanation);
    assert!(f.suggested_email.is_none());
    // The mistyped address in use, as they gave it.
    let (typo, invites) = addressed("jane.doe@gmail.cmo");
    let f = cited_finding(&typo, &invites, &["I spelled it out: jane.doe@gmail.cmo"], EmailInMessage).unwrap();
    assert!(f.explanation.contains("themselves, the address in use: it looks mistyped"), "{}", f.explanation);
    assert!(f.explanation.contains("Likely meant: jane.doe@gmail.com."), "{}", f.explanation);
    // On a staff account, the staff member's words.
    let staff =
        account(Role::Staff, "sam.okafor@brightpathcounseling.org", NaiveDate::from_ymd_opt(1980, 1, 2).unwrap());
    let mut s = invite("inv_2", Role::Staff, Duration::minutes(5), InviteStatus::Pending);
    s.sent_to = "sam.okafor@brightpathcounseling.org".into();
    let f = cited_finding(&staff, &[s], &["use sam@okafor-family.org"], EmailInMessage).unwrap();
    assert!(f.explanation.starts_with("The staff member wants") && !f.next_step.contains("client"), "{f:?}");
}

#[test]
fn without_the_ticket_nothing_is_cited() {
    let (holder, invites) = refused();
    let got = codes(&holder, &invites);
    assert!(!got.contains(&DobInMessage) && !got.contains(&EmailInMessage), "{got:?}");
}

// Issue 24: findings that listen to what the client wrote, the order after
// actions, colleagues' actions and the client on the page now.

/// A public message from the client `ago` before now.
fn wrote(id: &str, ago: Duration, body: &str) -> ClientWords {
    ClientWords::of(&[said(id, ago, body)], now().date_naive())
}

fn all_replies(found: &[Finding]) -> String {
    found.iter().map(|f| f.reply.expose().clone()).collect::<Vec<_>>().join("\n")
}

#[test]
fn a_client_who_looked_in_spam_is_not_sent_there_again() {
    let i = invite("inv_1", Role::Client, Duration::hours(5), InviteStatus::Pending);
    let words = wrote(
        "msg_3",
        Duration::minutes(18),
        "I searched for no-reply@therapyappointment.com and found nothing, not even in Spam.",
    );
    let account = client();
    let case = Case::new(&account, std::slice::from_ref(&i), now()).with_words(&words);
    let found = troubleshoot(&case, &Replies::builtin());
    let got: Vec<_> = found.iter().map(|f| f.code).collect();
    // The cause they ruled out is not first: last, and it says why.
    assert_eq!(got, [WrongAddress, NotOpened], "{got:?}");
    let top = &found[0];
    assert!(top.next_step.contains("Confirm the address") && top.next_step.contains("resend"), "{}", top.next_step);
    assert!(top.explanation.contains("at Nov 25, 08:42 UTC the client wrote: \"•••\""), "{}", top.explanation);
    assert_eq!(top.cites.as_ref().map(|c| c.message_id.as_str()), Some("msg_3"));
    assert!(!found[1].explanation.contains("likely in Spam"), "{}", found[1].explanation);
    // No reply, and no next step, sends them to Spam again.
    for f in &found {
        assert!(!f.reply.expose().to_lowercase().contains("spam"), "{:?}: {}", f.code, f.reply.expose());
        assert!(!f.reply.expose().to_lowercase().contains("junk"), "{:?}: {}", f.code, f.reply.expose());
    }
    // Revealed, their words show.
    let revealed = troubleshoot(&case.revealed(true), &Replies::builtin());
    assert!(revealed[0].explanation.contains("wrote: \"not even in Spam\""), "{}", revealed[0].explanation);
    // The remedy: a resend (after the address is confirmed), not "check Spam".
    let plan = crate::diagnose::remedy::plan(&case, &found, &words, None, &Replies::builtin()).unwrap();
    assert_eq!(plan.kind, crate::diagnose::remedy::RemedyKind::Resend);
    assert!(!plan.reply().unwrap().0.expose().to_lowercase().contains("spam"));

    // Negated, it rules nothing out.
    let words = wrote("msg_3", Duration::minutes(18), "I did not check spam yet.");
    let account = client();
    let case = Case::new(&account, std::slice::from_ref(&i), now()).with_words(&words);
    assert_eq!(codes_of(&case), [NotOpened]);
    // Written before this invite was sent: about an older email.
    let words = wrote("msg_3", Duration::hours(6), "Not in my spam either.");
    let account = client();
    let case = Case::new(&account, std::slice::from_ref(&i), now()).with_words(&words);
    assert_eq!(codes_of(&case), [NotOpened]);
    // "Revisé el spam y nada": Spanish too.
    let words = wrote("msg_3", Duration::minutes(10), "Revisé el spam y nada.");
    let account = client();
    let case = Case::new(&account, std::slice::from_ref(&i), now()).with_words(&words);
    assert_eq!(codes_of(&case)[0], WrongAddress);
}

#[test]
fn a_link_said_invalid_gets_its_reason_never_spam() {
    // One live invite, delivered, no visit recorded: the link reaches the page altered.
    let i = invite("inv_1", Role::Client, Duration::hours(5), InviteStatus::Pending);
    let words = wrote("msg_1", Duration::minutes(20), "Hi, the invite link says invalid.");
    let account = client();
    let case = Case::new(&account, std::slice::from_ref(&i), now()).with_words(&words);
    let found = troubleshoot(&case, &Replies::builtin());
    assert_eq!(found[0].code, LinkInvalid, "{found:?}");
    assert!(found[0].next_step.contains("new browser window"), "{}", found[0].next_step);
    assert!(found[0].reply.expose().contains("Copy link"), "{}", found[0].reply.expose());
    assert!(!all_replies(&found).to_lowercase().contains("spam"), "{}", all_replies(&found));
    assert_eq!(found.last().map(|f| f.code), Some(NotOpened), "ruled out: they have the email");

    // An older email exists: they are using it.
    let old = invite("inv_0", Role::Client, Duration::hours(30), InviteStatus::Superseded);
    let account = client();
    let invites = [i.clone(), old];
    let case = Case::new(&account, &invites, now()).with_words(&words);
    let found = troubleshoot(&case, &Replies::builtin());
    assert_eq!(found[0].code, LinkInvalid, "{found:?}");
    assert!(
        found[0]
            .explanation
            .contains("they are likely using an older email (the newest one came at Nov 25, 04:00 UTC)"),
        "{}",
        found[0].explanation
    );
    assert!(found[0].reply.expose().contains("most recent email"), "{}", found[0].reply.expose());

    // Expired: says so.
    let expired = invite("inv_2", Role::Client, Duration::hours(50), InviteStatus::Pending);
    let words = wrote("msg_1", Duration::minutes(20), "El enlace ya no es válido");
    let account = client();
    let invites = [expired];
    let case = Case::new(&account, &invites, now()).with_words(&words);
    let f = troubleshoot(&case, &Replies::builtin()).into_iter().find(|f| f.code == LinkInvalid).unwrap();
    assert!(f.explanation.contains("because it expired"), "{}", f.explanation);
}

#[test]
fn a_client_who_wrote_their_address_is_not_asked_to_spell_it_out() {
    let (typo, invites) = addressed("jane.doe@gmail.cmo");
    let bare = troubleshoot(&Case::new(&typo, &invites, now()), &Replies::builtin());
    assert!(bare[0].reply.expose().contains("spell out"), "the template still asks when nothing was written");
    for body in
        ["I never received the invitation. My email is jane.doe@gmail.com.", "I spelled it out: jane.doe@gmail.cmo"]
    {
        let words = wrote("msg_1", Duration::minutes(20), body);
        let found = troubleshoot(&Case::new(&typo, &invites, now()).with_words(&words), &Replies::builtin());
        assert_eq!(found[0].code, EmailTypo);
        for f in &found {
            let reply = f.reply.expose().to_lowercase();
            assert!(!reply.contains("spell") && !reply.contains("confirm your"), "{body}: {:?}: {reply}", f.code);
        }
    }
}

#[test]
fn a_client_who_wants_another_address_gets_the_invite_there() {
    let mut two = client();
    two.email = "sokafor@harborviewmedical.org".into();
    two.emails = vec![
        AccountEmail { address: "sokafor@harborviewmedical.org".into(), is_default: true },
        AccountEmail { address: "sam.okafor@gmail.com".into(), is_default: false },
    ];
    let mut i = invite("inv_1", Role::Client, Duration::hours(20), InviteStatus::Pending);
    i.sent_to = "sokafor@harborviewmedical.org".into();
    let words = wrote(
        "msg_1",
        Duration::minutes(20),
        "I never got the invite at my Gmail, sam.okafor@gmail.com. Can you check?",
    );
    let case = Case::new(&two, std::slice::from_ref(&i), now()).with_words(&words).revealed(true);
    let found = troubleshoot(&case, &Replies::builtin());
    let got: Vec<_> = found.iter().map(|f| f.code).collect();
    assert_eq!(got[0], EmailInMessage, "their wish comes before the guess: {got:?}");
    assert!(found[0].explanation.contains("wants the invite at sam.okafor@gmail.com"), "{}", found[0].explanation);
    assert!(found[0].explanation.contains("my Gmail, sam.okafor@gmail.com"), "{}", found[0].explanation);
    let plan = crate::diagnose::remedy::plan(&case, &found, &words, None, &Replies::builtin()).unwrap();
    assert_eq!(plan.kind, crate::diagnose::remedy::RemedyKind::CorrectAddress);
    assert!(plan.steps.iter().any(|s| matches!(s, crate::diagnose::remedy::Step::MakeDefault { address } if address.expose() == "sam.okafor@gmail.com")));
    for f in &found {
        assert!(!f.reply.expose().contains("tell us which one"), "{:?}: {}", f.code, f.reply.expose());
    }
}

#[test]
fn asking_whether_it_is_safe_is_answered_in_every_reply() {
    let i = invite("inv_1", Role::Client, Duration::hours(4), InviteStatus::Pending);
    let words = wrote("msg_1", Duration::minutes(20), "The link goes to a strange long address. Is it safe?");
    let found =
        troubleshoot(&Case::new(&client(), std::slice::from_ref(&i), now()).with_words(&words), &Replies::builtin());
    for f in &found {
        let reply = f.reply.expose();
        for words in [
            "yes, this invitation is ours",
            "no-reply@therapyappointment.com",
            "therapyappointment.com (your",
            "never ask you for an existing password or for any payment",
        ] {
            assert!(reply.contains(words), "{:?}: {words} not in {reply}", f.code);
        }
        assert!(reply.starts_with("Hi Sam,"));
    }
    // Not asked: not answered.
    let plain = troubleshoot(&Case::new(&client(), &[i], now()), &Replies::builtin());
    assert!(!all_replies(&plain).contains("About your question"));
}

#[test]
fn a_claim_to_have_an_account_with_none_accepted_is_noted() {
    let i = invite("inv_1", Role::Client, Duration::hours(5), InviteStatus::Pending);
    let words = wrote("msg_1", Duration::minutes(20), "I already have an account, why another invite?");
    let found = troubleshoot(&Case::new(&client(), &[i], now()).with_words(&words), &Replies::builtin());
    assert!(found[0].explanation.contains("no invite of this account was accepted"), "{}", found[0].explanation);
    assert!(found[0].explanation.contains("\"•••\""), "masked: {}", found[0].explanation);
}

// The order after actions (issue 24, point 3).

/// A resend made `ago` before now, to `to`; the old invite superseded.
fn resent(ago: Duration, to: &str) -> Vec<Invite> {
    let mut old = invite("inv_1", Role::Client, Duration::hours(30), InviteStatus::Superseded);
    old.sent_to = to.into();
    let mut new = invite("inv_2", Role::Client, ago, InviteStatus::Pending);
    new.sent_to = to.into();
    vec![new, old]
}

#[test]
fn invite_just_sent_never_outranks_a_mistyped_or_bouncing_address() {
    let typo = account(Role::Client, "sam.okafor@gmail.cmo", NaiveDate::from_ymd_opt(1985, 12, 21).unwrap());
    let invites = resent(Duration::minutes(1), "sam.okafor@gmail.cmo");
    let got = codes(&typo, &invites);
    assert_eq!(&got[..2], [EmailTypo, InviteJustSent], "{got:?}");

    // The new invite bounced at once.
    let mut invites = resent(Duration::minutes(1), "sam.okafor@gmail.com");
    invites[0].delivery[1] = DeliveryEvent {
        at: invites[0].sent_at + Duration::seconds(3),
        event: DeliveryEventKind::Bounced,
        detail: Some("550 5.2.1 mailbox disabled".into()),
    };
    let got = codes(&client(), &invites);
    assert_eq!(got[0], Bounced, "{got:?}");
    if let Some(at) = got.iter().position(|c| *c == InviteJustSent) {
        assert!(at > 0, "{got:?}");
    }
    // Nothing uncured: it is first.
    assert_eq!(codes(&client(), &resent(Duration::minutes(1), "sam.okafor@gmail.com"))[0], InviteJustSent);
}

#[test]
fn a_person_opening_the_new_link_ends_invite_just_sent_and_nobody_says_it_was_not_opened() {
    let mut invites = resent(Duration::minutes(3), "sam.okafor@gmail.com");
    for n in 0..6 {
        let mut v = visit(now() - Duration::seconds(60 - 10 * n), VisitMethod::Get, IPHONE, None);
        v.cookies = n > 0;
        invites[0].visits.push(v);
    }
    invites[0].link_opens = 6;
    let found = troubleshoot(&Case::new(&client(), &invites, now()), &Replies::builtin());
    let got: Vec<_> = found.iter().map(|f| f.code).collect();
    assert!(!got.contains(&InviteJustSent), "{got:?}");
    assert_eq!(got[0], LinkOpenedRepeatedly, "{got:?}");
    for f in &found {
        let text = format!("{} {}", f.explanation, f.next_step).to_lowercase();
        for words in ["never opened", "no one has opened", "nobody", "no person has opened"] {
            assert!(!text.contains(words), "{:?}: {text}", f.code);
        }
    }
}

#[test]
fn an_older_link_opened_after_the_resend_comes_before_the_resend() {
    let mut invites = resent(Duration::minutes(6), "sam.okafor@gmail.com");
    let mut v = visit(now() - Duration::minutes(2), VisitMethod::Get, IPHONE, None);
    v.outcome = VisitOutcome::InvalidLink;
    v.invalid_reason = Some(InvalidReason::Superseded);
    invites[1].visits = vec![v];
    let found = troubleshoot(&Case::new(&client(), &invites, now()), &Replies::builtin());
    let got: Vec<_> = found.iter().map(|f| f.code).collect();
    let just_sent = got.iter().position(|c| *c == InviteJustSent).expect("still said");
    assert!(got[..just_sent].contains(&SupersededLinkUsed), "{got:?}");
    assert_eq!(got[0], SupersededLinkUsed, "{got:?}");
    assert!(
        found[0].explanation.contains("they are using an older email (the newest one came at Nov 25, 08:54 UTC)"),
        "{}",
        found[0].explanation
    );
}

#[test]
fn the_order_rule_puts_the_page_first_and_ruled_out_causes_last() {
    fn pending(code: FindingCode) -> Pending {
        Pending::new(code, String::new(), String::new())
    }
    let mut found = vec![pending(NotOpened), pending(InviteJustSent), pending(DobFailures), pending(EmailTypo)];
    found[0].ruled_out = true;
    found[2].now_on_page = true;
    super::rules::order(&mut found);
    let got: Vec<_> = found.iter().map(|p| p.code).collect();
    assert_eq!(got, [DobFailures, EmailTypo, InviteJustSent, NotOpened]);
}

// Colleagues and the page, now (issue 24, point 6).

fn sent_entry(actor: &str, at: DateTime<Utc>) -> crate::portal::model::AuditEntry {
    crate::portal::model::AuditEntry {
        seq: 7,
        at,
        actor: actor.into(),
        action: crate::portal::model::AuditAction::InviteSent,
        account_id: Some("acc_1".into()),
        ticket_id: None,
        summary: "invite sent to s***@g***.com, valid 48 hours; 1 earlier link superseded".into(),
        prev_hash: String::new(),
        hash: String::new(),
    }
}

#[test]
fn no_reply_points_to_a_link_another_agents_resend_superseded() {
    // T-1019: the page refused the client's DOB on the first link; another
    // agent resent since; the client wrote their DOB day-first.
    let holder = account(Role::Client, "sam.okafor@gmail.com", NaiveDate::from_ymd_opt(1975, 3, 17).unwrap());
    let mut old = invite("inv_1", Role::Client, Duration::hours(8), InviteStatus::Superseded);
    old.dob_failures = 3;
    let new = invite("inv_2", Role::Client, Duration::minutes(40), InviteStatus::Pending);
    let audit = [sent_entry("agent_rivera", new.sent_at)];
    let words = wrote("msg_1", Duration::hours(2), "It won't take my birthday. I was born 17 March 75.");
    let invites = [new.clone(), old.clone()];
    let case = Case::new(&holder, &invites, now()).with_words(&words).with_audit(&audit);
    let found = troubleshoot(&case, &Replies::builtin());
    assert!(found.iter().any(|f| f.code == DobInMessage), "{found:?}");
    for f in &found {
        let reply = f.reply.expose();
        assert!(!reply.contains("same invitation link") && !reply.contains("same link"), "{:?}: {reply}", f.code);
    }
    assert!(found.iter().find(|f| f.code == DobInMessage).unwrap().reply.expose().contains("most recent email"));

    // Just now, the resend is named with who made it.
    let new = invite("inv_2", Role::Client, Duration::minutes(4), InviteStatus::Pending);
    let audit = [sent_entry("agent_rivera", new.sent_at)];
    let invites = [new, old];
    let found = troubleshoot(&Case::new(&holder, &invites, now()).with_audit(&audit), &Replies::builtin());
    assert_eq!(found[0].code, InviteJustSent);
    assert!(found[0].explanation.contains("(sent by agent_rivera)"), "{}", found[0].explanation);
}

/// The refused invite of [`refused`] with the client on the page now, the
/// page having refused `typed` twice in the last minute.
fn on_the_page(typed: Option<&str>) -> (Account, Vec<Invite>, OnPage) {
    let (holder, mut invites) = refused();
    let times = [now() - Duration::seconds(40), now() - Duration::seconds(10)];
    for at in times {
        let mut v = visit(at, VisitMethod::Post, IPHONE, None);
        v.outcome = VisitOutcome::DobRefused;
        v.typed_dob = typed.map(Phi::from);
        invites[0].visits.push(v);
    }
    (holder, invites, OnPage { visits: times.to_vec(), refusals: times.to_vec() })
}

#[test]
fn the_client_on_the_page_now_comes_first_with_the_reading_and_what_to_type() {
    let (holder, invites, on_page) = on_the_page(Some("03/02/1990"));
    // The client also wrote something else: the page comes first all the same.
    let words = wrote("msg_1", Duration::minutes(30), "I checked my spam. My DOB is 02/03/1991");
    let case = Case::new(&holder, &invites, now()).with_words(&words).with_on_page(&on_page);
    let found = troubleshoot(&case, &Replies::builtin());
    assert_eq!(found[0].code, DobFailures, "{found:?}");
    assert_eq!(
        found[0].explanation,
        "The client is on the page now and typed ••/••/•••• twice: day-first; have them type ••/••/••••."
    );
    assert!(!found[0].explanation.contains("1990"));
    let revealed = troubleshoot(&case.revealed(true), &Replies::builtin());
    assert_eq!(
        revealed[0].explanation,
        "The client is on the page now and typed 03/02/1990 twice: day-first; have them type 02/03/1990."
    );
    assert!(revealed[0].reply.expose().contains("exactly as 02/03/1990"), "{}", revealed[0].reply.expose());
    assert!(!revealed[0].reply.expose().contains("what you type?"));

    // A minute on, they have left the page: the usual order.
    let later = Case::new(&holder, &invites, now() + Duration::seconds(61)).with_words(&words).with_on_page(&on_page);
    let found = troubleshoot(&later, &Replies::builtin());
    assert!(!found[0].explanation.contains("on the page now"), "{}", found[0].explanation);

    // Another date typed: the DOB on file may be wrong, said as such.
    let (holder, invites, on_page) = on_the_page(Some("07/14/1986"));
    let case = Case::new(&holder, &invites, now()).with_on_page(&on_page).revealed(true);
    let found = troubleshoot(&case, &Replies::builtin());
    assert!(
        found[0].explanation.contains("typed 07/14/1986 twice: another date than the DOB on file"),
        "{}",
        found[0].explanation
    );
    assert!(found[0].next_step.contains("set the DOB on file"), "{}", found[0].next_step);

    // The portal did not report what was typed: ask, now.
    let (holder, invites, on_page) = on_the_page(None);
    let case = Case::new(&holder, &invites, now()).with_on_page(&on_page);
    let found = troubleshoot(&case, &Replies::builtin());
    assert!(
        found[0].explanation.starts_with("The client is on the page now and it refused their date of birth twice"),
        "{}",
        found[0].explanation
    );
}
