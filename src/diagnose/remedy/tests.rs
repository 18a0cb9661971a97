use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::*;
use crate::portal::model::{DeliveryEvent, DeliveryEventKind, Role};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-25T09:00:00Z").unwrap().to_utc()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn account(email: &str, dob: NaiveDate) -> Account {
    Account {
        id: "acc_1".into(),
        role: Role::Client,
        first_name: "Sam".into(),
        last_name: "Okafor".into(),
        email: email.into(),
        emails: vec![AccountEmail { address: email.into(), is_default: true }],
        phone: "(555) 555-0101".into(),
        dob: Phi::new(dob),
        created_at: now() - Duration::days(100),
        updated_at: now() - Duration::days(100),
    }
}

fn invite(sent_ago: Duration, status: InviteStatus) -> Invite {
    let sent_at = now() - sent_ago;
    Invite {
        id: "inv_1".into(),
        account_id: "acc_1".into(),
        sent_to: "sam.okafor@gmail.com".into(),
        sent_at,
        expires_at: sent_at + Role::Client.invite_lifetime(),
        status,
        accepted_at: None,
        link_opens: 0,
        dob_failures: 0,
        delivery: vec![DeliveryEvent { at: sent_at, event: DeliveryEventKind::Delivered, detail: None }],
        revoked: None,
        visits: Vec::new(),
        token_sha256: None,
    }
}

fn words(dobs: &[&str], emails: &[&str]) -> ClientWords {
    let written = |(n, text): (usize, &&str)| troubleshoot::Written {
        cites: troubleshoot::Citation { message_id: format!("msg_{n}").as_str().into(), start: 0, end: text.len() },
        at: now() - Duration::hours(1),
        text: Phi::new((*text).to_owned()),
        reading: Phi::new((*text).to_owned()),
    };
    ClientWords {
        dobs: dobs.iter().enumerate().map(written).collect(),
        emails: emails.iter().enumerate().map(written).collect(),
        ..ClientWords::default()
    }
}

fn plan_of(account: &Account, invites: &[Invite], words: &ClientWords) -> Plan {
    let case = Case::new(account, invites, now());
    let replies = Replies::builtin();
    let findings = troubleshoot::troubleshoot(&case, &replies);
    let ticket: TicketId = "T-1001".into();
    plan(&case, &findings, words, Some(&ticket), &replies).unwrap()
}

fn reply(plan: &Plan) -> (String, ReplyStatus) {
    let (body, status) = plan.reply().unwrap();
    (body.expose().clone(), status)
}

#[test]
fn no_invite_is_a_resend_then_the_reply_that_says_it_was_sent() {
    let p = plan_of(&account("sam.okafor@gmail.com", date(1985, 12, 21)), &[], &ClientWords::default());
    assert_eq!((p.finding, p.kind), (FindingCode::NoInvite, RemedyKind::Resend));
    assert_eq!(p.steps.len(), 2);
    assert_eq!(p.steps[0], Step::Resend);
    let (body, status) = reply(&p);
    // In full (it is sent), with the new invite's own deadline, never a
    // countdown.
    assert!(body.contains("We have just sent") && body.contains("sam.okafor@gmail.com"), "{body}");
    assert!(body.contains("Nov 27, 09:00 UTC") && !body.contains("from now"), "{body}");
    assert_eq!(status, ReplyStatus::Solved);
    assert!(matches!(p.steps.last(), Some(Step::Reply { .. })));
}

#[test]
fn a_typo_is_corrected_to_the_address_the_client_wrote_with_one_reason() {
    let a = account("sam.okafor@gmail.cmo", date(1985, 12, 21));
    let i = invite(Duration::hours(5), InviteStatus::Pending);
    let p = plan_of(&a, &[i], &words(&[], &["sam.okafor@gmail.com"]));
    assert_eq!((p.finding, p.kind), (FindingCode::EmailTypo, RemedyKind::CorrectAddress));
    let to = Phi::new("sam.okafor@gmail.com".to_owned());
    assert_eq!(
        p.steps[..4],
        [
            Step::AddEmail { address: to.clone() },
            Step::MakeDefault { address: to },
            Step::RemoveEmail { address: Phi::new("sam.okafor@gmail.cmo".to_owned()) },
            Step::Resend,
        ]
    );
    let (body, status) = reply(&p);
    // The reply names the corrected address, not the mistyped one.
    assert!(body.contains("sam.okafor@gmail.com") && !body.contains(".cmo"), "{body}");
    assert!(!body.contains("***"), "never masked: {body}");
    assert_eq!(status, ReplyStatus::Solved);
    assert!(p.reason.contains("T-1001") && !p.reason.contains("okafor"), "{}", p.reason);
}

#[test]
fn a_typo_the_client_did_not_spell_takes_the_only_suggestion() {
    let a = account("sam.okafor@gmail.cmo", date(1985, 12, 21));
    let p = plan_of(&a, &[invite(Duration::hours(5), InviteStatus::Pending)], &ClientWords::default());
    assert_eq!(p.kind, RemedyKind::CorrectAddress);
    assert_eq!(p.steps[1], Step::MakeDefault { address: Phi::new("sam.okafor@gmail.com".to_owned()) });
}

#[test]
fn a_suspect_dob_is_set_to_the_one_the_client_wrote() {
    let a = account("sam.okafor@gmail.com", date(1900, 1, 1));
    let i = invite(Duration::hours(5), InviteStatus::Pending);
    let p = plan_of(&a, &[i], &words(&["7 March 1975"], &[]));
    assert_eq!((p.finding, p.kind), (FindingCode::ProfileDobSuspect, RemedyKind::SetDob));
    assert_eq!(p.steps[0], Step::SetDob { dob: Phi::new(date(1975, 3, 7)) });
    assert_eq!(p.steps.len(), 2);
    assert!(!p.steps[0].describe(false).contains("1975"));
    assert!(p.steps[0].describe(true).contains("03/07/1975"));
}

#[test]
fn a_suspect_dob_without_the_clients_word_is_only_a_reply() {
    let a = account("sam.okafor@gmail.com", date(1900, 1, 1));
    let p = plan_of(&a, &[invite(Duration::hours(5), InviteStatus::Pending)], &ClientWords::default());
    assert_eq!(p.kind, RemedyKind::ReplyOnly);
    assert_eq!(reply(&p).1, ReplyStatus::Pending);
}

#[test]
fn a_link_opened_repeatedly_is_revoked_and_resent() {
    let mut i = invite(Duration::hours(5), InviteStatus::Pending);
    i.link_opens = 5;
    let p = plan_of(&account("sam.okafor@gmail.com", date(1985, 12, 21)), &[i], &ClientWords::default());
    assert_eq!((p.finding, p.kind), (FindingCode::LinkOpenedRepeatedly, RemedyKind::RevokeAndResend));
    assert_eq!(p.steps[..2], [Step::Revoke { invite_id: "inv_1".into() }, Step::Resend]);
}

#[test]
fn not_opened_is_only_the_findings_reply() {
    let a = account("sam.okafor@gmail.com", date(1985, 12, 21));
    let case_invites = [invite(Duration::hours(5), InviteStatus::Pending)];
    let p = plan_of(&a, &case_invites, &ClientWords::default());
    assert_eq!((p.finding, p.kind), (FindingCode::NotOpened, RemedyKind::ReplyOnly));
    assert_eq!(p.steps.len(), 1);
    // The finding's reply, as sent: in full (the screen masks it).
    let case = Case::new(&a, &case_invites, now()).revealed(true);
    let finding = &troubleshoot::troubleshoot(&case, &Replies::builtin())[0];
    assert_eq!(reply(&p), (finding.reply.expose().clone(), ReplyStatus::Pending));
    assert!(reply(&p).0.contains("sam.okafor@gmail.com"));
}

#[test]
fn the_clients_words_come_from_their_public_messages_only() {
    use crate::portal::model::{AuthorKind, MessageAuthor, TicketChannel, TicketMessage, Visibility};
    let message = |kind, visibility, body: &str| TicketMessage {
        id: "m_1".into(),
        ticket_id: "T-1001".into(),
        at: now(),
        author: MessageAuthor { kind, id: "x".into(), name: "X".into() },
        visibility,
        channel: TicketChannel::Email,
        body: body.into(),
    };
    let messages = [
        message(AuthorKind::Client, Visibility::Public, "my email is sam@gmail.com, DOB 3/7/1975"),
        message(AuthorKind::Staff, Visibility::Internal, "called, she said dob 01/02/1960, sam2@gmail.com"),
    ];
    let w = ClientWords::of(&messages, now().date_naive());
    let emails: Vec<&str> = w.emails.iter().map(|e| e.reading.expose().as_str()).collect();
    assert_eq!(emails, ["sam@gmail.com"]);
    assert_eq!(w.dobs.len(), 1);
}
