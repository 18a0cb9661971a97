//! Issue 14, walked as a new user would on the seeded tickets, through the
//! console's state machine against a real sandbox: after each fix the
//! findings are computed from what the portal shows, the reply is right for
//! the account's role, and a reveal shows what the agent needs.

use crate::common;

use chrono::{DateTime, Utc};
use common::{Harness, ch, ctrl, key, press, t0};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use portaldesk::diagnose::email::check_email;
use portaldesk::diagnose::troubleshoot::{Finding, FindingCode};
use portaldesk::phi::mask_email;
use portaldesk::portal::model::Account;
use portaldesk::sandbox::seed::SeedCase;
use portaldesk::tui::action::{Effect, Msg, Terminal};
use portaldesk::tui::app::App;
use portaldesk::tui::keymap::ScreenKind;

fn now() -> DateTime<Utc> {
    t0()
}

/// The console on the account of the first seeded ticket of `case`, loaded.
async fn on_ticket(h: &Harness, case: SeedCase) -> App {
    let (mut app, effects) = App::new(true, (160, 48));
    common::settle(&mut app, h, effects, now()).await;
    common::open_ticket(&mut app, h, case).await;
    app
}

async fn type_text(app: &mut App, h: &Harness, text: &str) {
    for c in text.chars() {
        press(app, h, ch(c)).await;
    }
}

fn f2() -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::F(2), KeyModifiers::NONE))
}

fn findings(app: &App) -> Vec<Finding> {
    app.stack.account().unwrap().findings(&app.replies, now()).expect("loaded")
}

fn codes(app: &App) -> Vec<FindingCode> {
    findings(app).iter().map(|f| f.code).collect()
}

fn account(app: &App) -> Account {
    app.stack.account().unwrap().account.data.clone().unwrap().value
}

fn screen(app: &App) -> String {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 48)).unwrap();
    terminal.draw(|frame| portaldesk::tui::app::render(app, frame, now())).unwrap();
    terminal.backend().buffer().content().iter().map(|c| c.symbol()).collect()
}

/// The text `y` would copy.
fn copied(app: &mut App) -> String {
    let effects = app.update(ch('y'), now());
    match effects.as_slice() {
        [Effect::Terminal(Terminal::Copy { text, .. })] => text.expose().clone(),
        other => panic!("{other:?}"),
    }
}

/// The console on T-1001 (a mistyped address on file), with that address
/// and the one it likely meant.
async fn on_typo(h: &Harness) -> (App, String, String) {
    let app = on_ticket(h, SeedCase::EmailTypo).await;
    let typo = account(&app).email.expose().clone();
    let fixed = check_email(&typo).suggestions.first().cloned().expect("a suggestion");
    (app, typo, fixed)
}

/// Adds `address` to the open account in the addresses dialog (`a`, Tab
/// from the list to the new address, the address, a reason, Enter to
/// stage, Enter to confirm).
async fn add_address(app: &mut App, h: &Harness, address: &str) {
    press(app, h, ch('a')).await;
    press(app, h, key(KeyCode::Tab)).await;
    type_text(app, h, address).await;
    press(app, h, key(KeyCode::Tab)).await;
    type_text(app, h, "typo").await;
    press(app, h, key(KeyCode::Enter)).await;
    press(app, h, key(KeyCode::Enter)).await;
}

#[tokio::test]
async fn after_a_resend_the_first_finding_says_what_went_where_and_asks_no_second_resend() {
    let h = Harness::start().await;
    // T-1003 (client) and T-1006 (staff): an expired link the holder opened.
    for (case, window, who) in
        [(SeedCase::ExpiredClientInvite, "48 hours", "client"), (SeedCase::ExpiredStaffInvite, "1 hour", "staff")]
    {
        let mut app = on_ticket(&h, case).await;
        let before = codes(&app);
        assert!(before.contains(&FindingCode::LinkInvalid), "{case:?}: {before:?}");
        press(&mut app, &h, ch('r')).await;
        assert_eq!(app.screen(), ScreenKind::Resend);
        press(&mut app, &h, key(KeyCode::Enter)).await;
        assert_eq!(app.screen(), ScreenKind::Account, "{case:?}: sent and closed");

        let after = findings(&app);
        let got: Vec<_> = after.iter().map(|f| f.code).collect();
        assert_eq!(got[0], FindingCode::InviteJustSent, "{case:?}: {got:?}");
        assert!(!got.contains(&FindingCode::LinkInvalid) && !got.contains(&FindingCode::InviteExpired), "{got:?}");
        let first = &after[0];
        let address = mask_email(account(&app).email.expose());
        for words in [address.as_str(), "at Nov 25, 09:00 UTC", window, "earlier link no longer works"] {
            assert!(first.explanation.contains(words), "{case:?} {words}: {}", first.explanation);
        }
        for f in &after {
            assert!(!f.next_step.contains("Resend the invite"), "{case:?}: {}", f.next_step);
        }
        if who == "staff" {
            for f in &after {
                let text = format!("{} {} {}", f.explanation, f.next_step, f.reply.expose());
                assert!(!text.contains("client"), "{case:?}: {text}");
            }
            assert!(first.reply.expose().contains("staff portal invitation"), "{}", first.reply.expose());
        }
        let shown = screen(&app);
        assert!(shown.contains("invite_just_sent A new link went to"), "{shown}");
    }
}

#[tokio::test]
async fn after_the_dob_edit_the_reply_says_retry_the_same_link() {
    let h = Harness::start().await;
    // T-1011: a placeholder DOB on file; "we are fixing it".
    let mut app = on_ticket(&h, SeedCase::DobOnFileWrong).await;
    assert_eq!(codes(&app)[0], FindingCode::ProfileDobSuspect);
    assert!(copied(&mut app).contains("We are fixing it"));

    press(&mut app, &h, ch('e')).await;
    type_text(&mut app, &h, "03/05/1988").await;
    press(&mut app, &h, key(KeyCode::Tab)).await;
    type_text(&mut app, &h, "placeholder on file").await;
    press(&mut app, &h, key(KeyCode::Enter)).await;
    press(&mut app, &h, key(KeyCode::Enter)).await;
    assert_eq!(app.screen(), ScreenKind::Account);
    assert_eq!(account(&app).dob.expose().to_string(), "1988-03-05", "read back");

    let got = codes(&app);
    assert_eq!(got[0], FindingCode::DobCorrected, "{got:?}");
    assert!(!got.contains(&FindingCode::DobFailures) && !got.contains(&FindingCode::ProfileDobSuspect), "{got:?}");
    let reply = copied(&mut app);
    assert!(!reply.contains("what you are typing"), "{reply}");
    assert!(reply.contains("corrected") && reply.contains("invitation link in our most recent email"), "{reply}");
}

#[tokio::test]
async fn after_correcting_the_address_the_bounce_is_told_where_it_happened() {
    let h = Harness::start().await;
    // T-1001: a `.cmo` address on file, the invite bounced there.
    let (mut app, typo, fixed) = on_typo(&h).await;
    assert_eq!(codes(&app)[0], FindingCode::EmailTypo);

    // Add the right one, make it the default, remove the typo.
    add_address(&mut app, &h, &fixed).await;
    assert_eq!(app.screen(), ScreenKind::Account);
    for (change, pick) in [('d', 1), ('x', 1)] {
        press(&mut app, &h, ch('a')).await;
        // From the list, past the new address, to the reason.
        press(&mut app, &h, key(KeyCode::Tab)).await;
        press(&mut app, &h, key(KeyCode::Tab)).await;
        type_text(&mut app, &h, "typo").await;
        for _ in 0..pick {
            press(&mut app, &h, key(KeyCode::Down)).await;
        }
        press(&mut app, &h, ctrl(change)).await;
        press(&mut app, &h, key(KeyCode::Enter)).await;
        assert_eq!(app.screen(), ScreenKind::Account, "{change}");
    }
    assert_eq!(account(&app).email.expose(), &fixed);
    assert_eq!(account(&app).emails.len(), 1);

    let after = findings(&app);
    assert_eq!(after[0].code, FindingCode::Bounced, "{:?}", after);
    let (typo_masked, fixed_masked) = (mask_email(&typo), mask_email(&fixed));
    assert!(after[0].explanation.contains(&format!("sent to {typo_masked}")), "{}", after[0].explanation);
    assert!(after[0].explanation.contains(&format!("now {fixed_masked}")), "{}", after[0].explanation);
    // The reply names where it bounced, in full when copied.
    assert!(after[0].reply.expose().contains(&typo_masked), "{}", after[0].reply.expose());
    let reply = copied(&mut app);
    assert!(reply.contains(&typo) && !reply.contains(&fixed), "{reply}");

    // The audit trail, revealed, names the addresses in full.
    let state = app.stack.account().unwrap();
    let summaries: Vec<String> = state.audit.data.as_ref().unwrap().iter().map(|e| e.summary.clone()).collect();
    assert!(summaries.iter().all(|s| !s.contains(&typo) && !s.contains(&fixed)), "the portal masks: {summaries:?}");
    assert_eq!(state.unmasked(&summaries[0]), summaries[0], "masked until revealed");
    press(&mut app, &h, ch('v')).await;
    let state = app.stack.account().unwrap();
    let shown: Vec<String> = summaries.iter().map(|s| state.unmasked(s)).collect();
    assert!(shown.iter().any(|s| s.contains(&format!("address {fixed} added"))), "{shown:?}");
    assert!(shown.iter().any(|s| s.contains(&format!("address {typo} removed"))), "{shown:?}");
    assert!(screen(&app).contains(&format!("{typo} removed")), "the audit panel shows it so");

    // Then the resend: it went to the corrected address.
    press(&mut app, &h, ch('v')).await;
    press(&mut app, &h, ch('r')).await;
    press(&mut app, &h, key(KeyCode::Enter)).await;
    let after = findings(&app);
    assert_eq!(after[0].code, FindingCode::InviteJustSent);
    assert!(after[0].explanation.contains(&fixed_masked), "{}", after[0].explanation);
    assert!(!after.iter().any(|f| f.code == FindingCode::Bounced), "{after:?}");
}

#[tokio::test]
async fn one_reveal_key_works_in_every_dialog_and_lasts_while_it_is_in_use() {
    let h = Harness::start().await;
    let (mut app, address, suggested) = on_typo(&h).await;

    // Masked, the suggestion is masked; revealed, in full.
    assert!(!screen(&app).contains(&suggested));
    press(&mut app, &h, ch('v')).await;
    assert!(screen(&app).contains(&format!("Likely meant: {suggested}")), "{}", screen(&app));
    assert!(screen(&app).contains(" v hide "), "the footer says the key hides");
    press(&mut app, &h, ch('v')).await;

    // The resend dialog: F2 reveals its To line, and says so.
    press(&mut app, &h, ch('r')).await;
    assert!(screen(&app).contains("F2 reveals") && !screen(&app).contains(&address));
    let timer = press(&mut app, &h, f2()).await;
    assert!(timer.iter().any(|e| matches!(e, Effect::MaskAfter { .. })), "{timer:?}");
    assert_eq!(app.screen(), ScreenKind::Resend, "the dialog stays");
    assert!(screen(&app).contains(&address));
    press(&mut app, &h, f2()).await;
    press(&mut app, &h, key(KeyCode::Esc)).await;

    // The DOB compare: F2 is not typed into the field, the reveal lasts
    // past its time while the dialog is in use, and the entry survives Esc.
    press(&mut app, &h, ch('d')).await;
    type_text(&mut app, &h, "3/5/88").await;
    let timer = app.update(f2(), now());
    let [Effect::MaskAfter { reveal, .. }] = timer.as_slice() else { panic!("{timer:?}") };
    assert!(app.stack.account().unwrap().revealed);
    app.update(Msg::RevealOver(*reveal), now());
    assert!(app.stack.account().unwrap().revealed, "no expiry mid-dialog");
    press(&mut app, &h, key(KeyCode::Esc)).await;
    assert!(!app.stack.account().unwrap().revealed, "masked once the dialog closed");
    press(&mut app, &h, ch('d')).await;
    let Some(portaldesk::tui::app::Overlay::DobCompare(compare)) = &app.overlay else { panic!() };
    assert_eq!(compare.input.value(), "3/5/88", "the entry survives Esc and reopening");
    assert!(screen(&app).contains("masked until revealed (F2)"));
    press(&mut app, &h, key(KeyCode::Esc)).await;

    // Another account does not get it.
    let other = h.ticket(SeedCase::NoInvite).clone();
    let effects = app.open_account(other.account_id, None);
    common::settle(&mut app, &h, effects, now()).await;
    press(&mut app, &h, ch('d')).await;
    let Some(portaldesk::tui::app::Overlay::DobCompare(compare)) = &app.overlay else { panic!() };
    assert_eq!(compare.input.value(), "");
}

#[tokio::test]
async fn the_412_conflict_shows_the_changed_address_in_full_when_revealed() {
    let h = Harness::start().await;
    let mut app = on_ticket(&h, SeedCase::DobWrongFormat).await;
    let before = account(&app);
    press(&mut app, &h, ch('e')).await;
    // Someone else changes the address meanwhile.
    let patch = portaldesk::portal::model::AccountPatch {
        email: Some("moved.elsewhere@example.org".into()),
        reason: "the client moved".into(),
        ..Default::default()
    };
    h.change_behind(&before.id, &patch).await;
    type_text(&mut app, &h, "03/05/1988").await;
    press(&mut app, &h, key(KeyCode::Tab)).await;
    type_text(&mut app, &h, "wrong").await;
    press(&mut app, &h, key(KeyCode::Enter)).await;
    press(&mut app, &h, key(KeyCode::Enter)).await;
    assert!(screen(&app).contains("Someone else changed this account"), "{}", screen(&app));
    assert!(!screen(&app).contains("moved.elsewhere@example.org"));
    press(&mut app, &h, f2()).await;
    let shown = screen(&app);
    assert!(shown.contains(&format!("email: {} → moved.elsewhere@example.org", before.email.expose())), "{shown}");
}

#[tokio::test]
async fn diagnose_json_is_unmasked_with_the_suggestion_as_a_field_and_text_follows_reveal() {
    let h = Harness::start().await;
    let typo = h.ticket(SeedCase::EmailTypo).clone();
    let address = h.client.account(&typo.account_id).await.unwrap().value.email.expose().clone();
    let suggested = check_email(&address).suggestions.first().cloned().unwrap();
    let url = h.sandbox.url();
    let run = |args: Vec<&'static str>| {
        let mut all: Vec<String> = vec![
            "diagnose".into(),
            typo.account_id.to_string(),
            "--portal".into(),
            url.clone(),
            "--sandbox-clock".into(),
        ];
        all.extend(args.into_iter().map(str::to_owned));
        async move {
            let refs: Vec<&str> = all.iter().map(String::as_str).collect();
            common::run_binary(&refs, &[("PORTALDESK_TOKEN", "sandbox")]).await
        }
    };
    let json = run(vec!["--json"]).await;
    assert_eq!(json.code, 0, "{}", json.err);
    let v: serde_json::Value = serde_json::from_str(&json.out).unwrap();
    let first = &v["findings"][0];
    assert_eq!(first["code"], "email_typo");
    assert_eq!(first["suggested_email"], suggested.as_str(), "{v}");
    assert!(first["explanation"].as_str().unwrap().contains(&suggested), "{v}");
    assert!(first["reply"].as_str().unwrap().contains(&address), "{v}");

    let revealed = run(vec!["--reveal"]).await;
    assert!(revealed.out.contains(&format!("Likely meant: {suggested}")), "{}", revealed.out);
    let masked = run(vec![]).await;
    assert!(!masked.out.contains(&suggested) && !masked.out.contains(&address), "{}", masked.out);
    assert!(masked.out.contains(&mask_email(&suggested)), "{}", masked.out);
    // Nothing of it on stderr (the log's place).
    for run in [&json, &revealed, &masked] {
        assert!(!run.err.contains(&address) && !run.err.contains(&suggested), "{}", run.err);
    }
}

#[test]
fn a_revealed_finding_keeps_its_texts_out_of_debug() {
    let account = Account {
        id: "acc_1".into(),
        role: portaldesk::portal::model::Role::Client,
        first_name: "Sam".into(),
        last_name: "Okafor".into(),
        email: "sam.okafor@gmail.cmo".into(),
        emails: Vec::new(),
        phone: "(555) 555-0101".into(),
        dob: portaldesk::phi::Phi::new(chrono::NaiveDate::from_ymd_opt(1985, 12, 21).unwrap()),
        created_at: now() - chrono::Duration::days(100),
        updated_at: now() - chrono::Duration::days(100),
    };
    let case = portaldesk::diagnose::troubleshoot::Case::new(&account, &[], now()).revealed(true);
    let found = portaldesk::diagnose::troubleshoot::troubleshoot(&case, &Default::default());
    assert!(found[0].explanation.contains("sam.okafor@gmail.com"), "revealed: {}", found[0].explanation);
    let debug = format!("{found:?}");
    assert!(!debug.contains("okafor") && debug.contains("EmailTypo"), "{debug}");
}

#[tokio::test]
async fn the_seeded_tickets_read_right_for_their_role_and_their_link() {
    let h = Harness::start().await;
    // T-1007: the findings take the timeline's word that the link works.
    let app = on_ticket(&h, SeedCase::OpenedManyTimes).await;
    let state = app.stack.account().unwrap();
    let latest = state.invites.data.as_ref().unwrap()[0].clone();
    let role = account(&app).role;
    let t =
        portaldesk::diagnose::timeline::timeline(&latest, std::slice::from_ref(&latest), role, now(), app.zone, false);
    assert!(t.works, "{}", t.headline);
    let found = findings(&app);
    assert_eq!(found[0].code, FindingCode::LinkOpenedRepeatedly);
    assert!(found[0].explanation.contains("the link works"), "{}", found[0].explanation);
    for f in &found {
        let text = format!("{} {} {}", f.explanation, f.next_step, f.reply.expose());
        assert!(!text.contains("shows invalid") && !text.contains("rewriting"), "{text}");
    }

    // T-1025: a staff member with no invite is never told of a client portal.
    let staff = h
        .sandbox
        .seeded
        .tickets
        .iter()
        .find(|t| t.case == SeedCase::NoInvite && t.ticket_id == "T-1025")
        .cloned()
        .expect("T-1025");
    let (mut app, effects) = App::new(true, (160, 48));
    common::settle(&mut app, &h, effects, now()).await;
    let effects = app.open_account(staff.account_id, Some(staff.ticket_id));
    common::settle(&mut app, &h, effects, now()).await;
    assert_eq!(account(&app).role, portaldesk::portal::model::Role::Staff);
    let reply = copied(&mut app);
    assert!(!reply.contains("client portal") && reply.contains("staff portal") && reply.contains("1 hour"), "{reply}");
    // Its first invite: "Send", and no earlier links to speak of.
    press(&mut app, &h, ch('r')).await;
    let shown = screen(&app);
    assert!(shown.contains("Send the portal invite?") && shown.contains("first invite"), "{shown}");
    press(&mut app, &h, key(KeyCode::Enter)).await;
    let banner = app.banner.clone().unwrap();
    assert_eq!(banner.text, "Invite sent");
}

#[tokio::test]
async fn revealing_copying_and_fixing_log_nothing_of_the_client() {
    let (logged, _guard) = common::Logged::capture();

    let h = Harness::start().await;
    let (mut app, typo, fixed) = on_typo(&h).await;
    let holder = account(&app);
    press(&mut app, &h, ch('v')).await;
    copied(&mut app);
    add_address(&mut app, &h, &fixed).await;
    press(&mut app, &h, ch('r')).await;
    press(&mut app, &h, f2()).await;
    // A resend to the mistyped default is risky: a second Enter sends it.
    press(&mut app, &h, key(KeyCode::Enter)).await;
    press(&mut app, &h, key(KeyCode::Enter)).await;
    assert_eq!(app.screen(), ScreenKind::Account, "sent");
    press(&mut app, &h, ch('d')).await;
    type_text(&mut app, &h, &holder.dob.expose().format("%d/%m/%Y").to_string()).await;
    press(&mut app, &h, f2()).await;
    press(&mut app, &h, key(KeyCode::Esc)).await;
    copied(&mut app);
    assert!(!findings(&app).is_empty());

    tracing::info!("end of the session");
    let text = logged.text();
    assert!(text.contains("end of the session"), "the log was captured: {text}");
    let dob = holder.dob.expose();
    for secret in [
        typo.clone(),
        fixed.clone(),
        holder.last_name.expose().clone(),
        dob.format("%m/%d/%Y").to_string(),
        dob.format("%d/%m/%Y").to_string(),
        dob.to_string(),
    ] {
        assert!(!text.contains(&secret), "the log holds {secret}:\n{text}");
    }
}
