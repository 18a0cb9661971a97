//! The message reader over every seeded conversation: it finds, in the
//! client's own public words, the DOB and the address each ticket was
//! written to hold, and nothing from quoted emails, staff replies, notes,
//! the portal's own sender, times, phone numbers or ticket ids.

use crate::common;

use common::Harness;
use portaldesk::diagnose::message::{MessageContext, check_message};
use portaldesk::diagnose::replies::SENDER;
use portaldesk::portal::model::{AuthorKind, Visibility};
use portaldesk::sandbox::seed::{SeedCase, dob_as_typed, meant_address};

/// What the reader must find in one ticket's client messages.
#[derive(Debug, PartialEq, Eq)]
struct Found {
    dobs: Vec<String>,
    emails: Vec<String>,
}

#[tokio::test]
async fn the_reader_finds_the_intended_dob_and_address_in_every_seeded_conversation() {
    let h = Harness::start().await;
    let today = h.sandbox.now().date_naive();
    let ctx = MessageContext { today, own_addresses: &[SENDER] };
    let mut quoted = 0;
    let (mut typo_spelled, mut typo_meant) = (0, 0);
    for seeded in &h.sandbox.seeded.tickets {
        let account = h.client.account(&seeded.account_id).await.unwrap().value;
        let on_file = *account.dob.expose();
        let conversation = h.client.messages(&seeded.ticket_id).await.unwrap();
        let mut found = Found { dobs: Vec::new(), emails: Vec::new() };
        let mut checks = Vec::new();
        for message in &conversation {
            let body = message.body.expose();
            quoted += usize::from(body.contains(" wrote:\n> "));
            let checked = check_message(body, &ctx, Some(on_file), Some(account.email.expose()));
            let public_client = message.author.kind == AuthorKind::Client && message.visibility == Visibility::Public;
            if !public_client {
                // Staff words are never the client's DOB or address.
                assert!(checked.dobs.is_empty(), "{}: {} in staff words", seeded.ticket_id, message.id);
                continue;
            }
            for dob in checked.dobs {
                found.dobs.push(dob.mention.text.clone());
                checks.push(dob);
            }
            for email in checked.emails {
                found.emails.push(email.mention.text.clone());
                assert!(email.matches_on_file.is_some());
            }
        }
        let email = account.email.expose().clone();
        // The client may spell the address as on file, typo included.
        let spelled_as_on_file = found.emails == [email.clone()];
        let expected = match seeded.case {
            SeedCase::EmailTypo if spelled_as_on_file => Found { dobs: vec![], emails: vec![email.clone()] },
            SeedCase::EmailTypo => Found { dobs: vec![], emails: vec![meant_address(&email)] },
            SeedCase::Bounced => Found { dobs: vec![], emails: vec![email.clone()] },
            SeedCase::WrongAddress => {
                let other = account.emails.iter().find(|e| !e.is_default).unwrap().address.expose().clone();
                Found { dobs: vec![], emails: vec![other] }
            }
            SeedCase::DobWrongFormat | SeedCase::DobDayMonthSwapped => {
                Found { dobs: vec![dob_as_typed(on_file)], emails: vec![] }
            }
            // The client's real DOB, not the placeholder on file.
            SeedCase::DobOnFileWrong => Found { dobs: found.dobs.clone(), emails: vec![] },
            _ => Found { dobs: vec![], emails: vec![] },
        };
        assert_eq!(found, expected, "{} ({:?})", seeded.ticket_id, seeded.case);
        match seeded.case {
            SeedCase::DobWrongFormat | SeedCase::DobDayMonthSwapped => {
                let check = checks[0].check.as_ref().unwrap();
                assert!(checks[0].mention.labelled, "{}", seeded.ticket_id);
                assert!(check.matches_on_file && !check.would_pass, "{}: {check:?}", seeded.ticket_id);
            }
            SeedCase::DobOnFileWrong => {
                assert_eq!(checks.len(), 1, "{}", seeded.ticket_id);
                let check = checks[0].check.as_ref().unwrap();
                assert!(!check.matches_on_file, "{}: {check:?}", seeded.ticket_id);
            }
            SeedCase::EmailTypo => {
                let checked = check_message(conversation[0].body.expose(), &ctx, None, Some(&email));
                let written = &checked.emails[0];
                if spelled_as_on_file {
                    // The address they spelled has the typo: the check says so.
                    assert_eq!(written.matches_on_file, Some(true), "{}", seeded.ticket_id);
                    assert!(written.check.suggestions.contains(&meant_address(&email)), "{}", seeded.ticket_id);
                    typo_spelled += 1;
                } else {
                    // What the client wrote is what the typo on file should be.
                    assert_eq!(written.corrects_on_file, Some(true), "{}", seeded.ticket_id);
                    typo_meant += 1;
                }
            }
            SeedCase::Bounced => {
                let checked = check_message(conversation[0].body.expose(), &ctx, None, Some(&email));
                assert_eq!(checked.emails[0].matches_on_file, Some(true), "{}", seeded.ticket_id);
            }
            _ => {}
        }
    }
    assert!(quoted >= 2, "some client messages quote our email");
    assert_eq!((typo_spelled, typo_meant), (1, 2), "typo tickets: spelled as on file, or the address meant");
}

#[test]
fn dobs_are_written_as_clients_type_them() {
    let date = chrono::NaiveDate::from_ymd_opt(1975, 3, 7).unwrap();
    assert_eq!(dob_as_typed(date), "7 March 75");
    let date = chrono::NaiveDate::from_ymd_opt(2004, 11, 21).unwrap();
    assert_eq!(dob_as_typed(date), "21 November 04");
    assert_eq!(meant_address("a.b3@gmail.cmo"), "a.b3@gmail.com");
    assert_eq!(meant_address("a@hotmial.com"), "a@hotmail.com");
}
