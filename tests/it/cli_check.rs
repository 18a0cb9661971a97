//! `portaldesk check dob|email` from outside: the real binary, its JSON and
//! its exit codes.

use std::process::Command;

use serde_json::Value;

fn portaldesk(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_portaldesk")).args(args).output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn json(args: &[&str]) -> Value {
    let (code, out, err) = portaldesk(args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 1, "one JSON object on one line: {out}");
    serde_json::from_str(&out).unwrap()
}

fn codes(value: &Value) -> Vec<String> {
    value["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn check_dob_json_has_the_documented_shape() {
    let v = json(&[
        "check",
        "dob",
        "--on-file",
        "1985-12-21",
        "--reported",
        "21/12/1985",
        "--today",
        "2026-11-25",
        "--json",
    ]);
    assert_eq!(v["would_pass"], false);
    assert_eq!(v["matches_on_file"], true);
    assert_eq!(v["fields"]["month"], "match");
    assert_eq!(v["fields"]["day"], "match");
    assert_eq!(v["fields"]["year"], "match");
    assert_eq!(v["suggested_entry"], "12/21/1985");
    assert_eq!(codes(&v), ["day_month_swapped"]);
    for finding in v["findings"].as_array().unwrap() {
        assert!(!finding["message"].as_str().unwrap().is_empty());
    }
}

#[test]
fn check_dob_exact_entry_passes_and_a_different_date_is_only_a_mismatch() {
    let v = json(&["check", "dob", "--on-file", "1990-03-05", "--reported", "03/05/1990", "--json"]);
    assert_eq!((v["would_pass"].as_bool(), v["suggested_entry"].is_null()), (Some(true), true));
    assert_eq!(codes(&v), ["exact_match"]);
    let v = json(&["check", "dob", "--on-file", "1990-03-05", "--reported", "07/22/1964", "--json"]);
    assert_eq!(codes(&v), ["mismatch"]);
    assert_eq!(v["fields"]["month"], "mismatch");
}

#[test]
fn check_dob_flags_a_dob_on_file_after_the_account_was_created() {
    let v = json(&[
        "check",
        "dob",
        "--on-file",
        "2024-05-01",
        "--reported",
        "05/01/2024",
        "--created-at",
        "2023-01-10T00:00:00Z",
        "--today",
        "2026-11-25",
        "--json",
    ]);
    assert!(codes(&v).contains(&"profile_dob_suspect".to_owned()), "{v}");
}

#[test]
fn check_dob_answers_any_text() {
    for text in ["", "🎂🎂🎂", "-1", "--", "ＡＢＣ", &"9".repeat(10_000)] {
        let v = json(&["check", "dob", "--on-file", "1990-03-05", "--reported", text, "--json"]);
        assert_eq!(v["would_pass"], false, "{text:?}");
    }
}

#[test]
fn check_email_json_and_report() {
    let v = json(&["check", "email", "Pat.Lee@Gmail.CMO", "--json"]);
    assert_eq!(v["valid_syntax"], true);
    assert_eq!(codes(&v), ["tld_typo"]);
    assert_eq!(v["suggestions"], serde_json::json!(["Pat.Lee@gmail.com"]));
    let v = json(&["check", "email", "pat@comcast.net", "--json"]);
    assert_eq!((codes(&v).len(), v["suggestions"].as_array().unwrap().len()), (0, 0));
    let (code, out, _) = portaldesk(&["check", "email", "pat@gmial.com"]);
    assert_eq!(code, 0);
    assert!(out.contains("domain_typo") && out.contains("pat@gmail.com"), "{out}");
}

#[test]
fn usage_errors_exit_2() {
    let (code, _, err) = portaldesk(&["check", "dob", "--on-file", "1990-02-30", "--reported", "x"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, _) = portaldesk(&["check", "dob", "--reported", "x"]);
    assert_eq!(code, 2);
}

#[test]
fn the_sandbox_keeps_serving_after_its_stdout_is_closed() {
    // A free port, then the pipe's read end closed before the sandbox
    // writes a byte: its whole banner meets a closed pipe.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_portaldesk"))
        .args(["sandbox", "serve", "--addr", &format!("127.0.0.1:{port}")])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let client = portaldesk::portal::PortalClient::new(
        &format!("http://127.0.0.1:{port}"),
        portaldesk::portal::ApiToken::new("sandbox"),
        portaldesk::portal::ClientOptions::default(),
    )
    .unwrap();
    // Wait for it to listen (bounded), then it must keep answering.
    let mut answered = false;
    for _ in 0..200 {
        if runtime.block_on(client.me()).is_ok() {
            answered = true;
            break;
        }
        assert!(child.try_wait().unwrap().is_none(), "the sandbox exited");
    }
    assert!(answered, "the sandbox never answered");
    // The banner is written right after the sandbox starts answering; a
    // sandbox that dies of the closed pipe is gone well within these
    // requests (each a real round trip).
    for _ in 0..300 {
        assert!(child.try_wait().unwrap().is_none(), "the sandbox exited");
        let tickets = runtime.block_on(client.tickets(None));
        assert!(tickets.is_ok_and(|t| t.len() >= 25), "the sandbox stopped answering");
    }
    child.kill().unwrap();
    let _ = child.wait();
}

#[test]
fn check_visit_tells_a_scanner_from_a_person() {
    let headless = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                    HeadlessChrome/120.0.6099.71 Safari/537.36";
    let v = json(&[
        "check",
        "visit",
        "--user-agent",
        headless,
        "--method",
        "head",
        "--seconds-after-delivery",
        "3",
        "--network",
        "Microsoft (AS8075)",
        "--json",
    ]);
    assert_eq!(v["kind"], "scanner");
    let reasons: Vec<&str> = v["reasons"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    assert_eq!(reasons.len(), 4, "{reasons:?}");
    assert!(reasons[0].starts_with("HEAD request"), "{reasons:?}");
    assert!(reasons.iter().any(|r| r.contains("headless browser")), "{reasons:?}");

    let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) \
                  Version/17.5 Mobile/15E148 Safari/604.1";
    let v = json(&[
        "check",
        "visit",
        "--user-agent",
        safari,
        "--seconds-after-delivery",
        "10800",
        "--referrer",
        "https://nam12.safelinks.protection.outlook.com/?url=x",
        "--json",
    ]);
    assert_eq!(v["kind"], "person", "{v}");
    assert!(v["reasons"].to_string().contains("Safe Links"), "{v}");

    let v = json(&["check", "visit", "--user-agent", "SomeApp/1.0", "--json"]);
    assert_eq!(v["kind"], "unknown");

    let (code, out, _) = portaldesk(&["check", "visit", "--user-agent", "curl/8.4.0", "--method", "GET"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("kind: scanner\nreasons:\n  - user agent of an HTTP library"), "{out}");
    let (code, _, err) = portaldesk(&["check", "visit", "--user-agent", "x", "--method", "PUT"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn check_link_json_unwraps_nested_wrappers_and_names_opaque_ones() {
    let invite = "https://portal.example.com/invite/0123456789abcdef0123456789abcdef";
    let safe = format!(
        "https://nam12.safelinks.protection.outlook.com/?url={}&data=05",
        invite.replace(':', "%3A").replace('/', "%2F")
    );
    let wrapped = format!(" <https://www.google.com/url?q={}&sa=D> ", safe.replace('%', "%25").replace('&', "%26"));
    let v = json(&["check", "link", &wrapped, "--json"]);
    assert_eq!(v["decoded"], invite);
    assert_eq!(v["token"], "0123456789abcdef0123456789abcdef");
    let layers: Vec<&str> = v["layers"].as_array().unwrap().iter().map(|l| l["wrapper"].as_str().unwrap()).collect();
    assert_eq!(layers, ["google_redirect", "microsoft_safe_links"]);
    assert_eq!(codes(&v), ["wrapped", "invite_link"]);

    let v = json(&["check", "link", "https://protect-eu.mimecast.com/s/AbCdEf?domain=portal.example.com", "--json"]);
    assert_eq!(v["decoded"], Value::Null);
    assert_eq!(v["token"], Value::Null);
    assert_eq!(v["layers"][0]["wrapper"], "mimecast_url_protect");
    assert_eq!(v["layers"][0]["opaque"], true);
    assert_eq!(codes(&v), ["opaque"]);

    // A cut copy: the token is shorter than a real one.
    let v = json(&["check", "link", &invite[..invite.len() - 4], "--json"]);
    assert_eq!(codes(&v), ["token_length"]);

    // Anything at all gets an answer, and the readable report never
    // writes a control character decoded from the link.
    let (code, out, _) = portaldesk(&["check", "link", "https://x.example/invite/%1B%5D52%3Bc%3BZXZpbA%3D%3D%07"]);
    assert_eq!(code, 0);
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
    let (code, out, _) = portaldesk(&["check", "link", "not a link"]);
    assert_eq!(code, 0);
    assert!(out.contains("not_a_link"), "{out}");
}

/// `portaldesk check message ARGS` with `body` on stdin.
fn message(args: &[&str], body: &str) -> Value {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_portaldesk"))
        .args(["check", "message", "--today", "2026-12-01", "--json"])
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(body.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn check_message_json_finds_the_clients_dob_and_address_with_checks() {
    let body = "Hi, the page keeps saying invalid. I'm typing 03/02/1990 (DOB).\n\
                My email is jane.doe@gmail.com, call me at 9:14 or (254) 555-0150.\n\n\
                On Nov 30, 2026, at 9:14 AM, Portal <no-reply@therapyappointment.com> wrote:\n\
                > Your invite link: born 01/01/1980\n";
    let v = message(&["--on-file", "1990-02-03", "--email-on-file", "jane.doe@gmail.cmo"], body);
    let dobs = v["dobs"].as_array().unwrap();
    assert_eq!(dobs.len(), 1, "{v}");
    assert_eq!(dobs[0]["text"], "03/02/1990");
    let (start, end) = (dobs[0]["start"].as_u64().unwrap() as usize, dobs[0]["end"].as_u64().unwrap() as usize);
    assert_eq!(body.chars().skip(start).take(end - start).collect::<String>(), "03/02/1990");
    assert_eq!(dobs[0]["check"]["matches_on_file"], true);
    assert_eq!(dobs[0]["check"]["suggested_entry"], "02/03/1990");
    let emails = v["emails"].as_array().unwrap();
    assert_eq!(emails.len(), 1, "{v}");
    assert_eq!(emails[0]["text"], "jane.doe@gmail.com");
    assert_eq!(emails[0]["corrects_on_file"], true);
    assert!(emails[0]["check"]["valid_syntax"].as_bool().unwrap());

    // Without --on-file, DOBs come without a check; bad UTF-8 and noise still
    // give an answer.
    let v = message(&[], "born March 2nd, 1990 \u{1b}[2J");
    assert_eq!(v["dobs"][0]["text"], "March 2nd, 1990");
    assert!(v["dobs"][0].get("check").is_none());
    let v = message(&[], "");
    assert_eq!(v["dobs"].as_array().unwrap().len() + v["emails"].as_array().unwrap().len(), 0);
}

// --------------------------------------------- dates that read two ways

#[test]
fn check_dob_of_a_date_that_reads_two_ways_gives_both_readings() {
    let args = ["check", "dob", "--on-file", "1959-04-03", "--reported", "03/04/1959", "--today", "2026-11-25"];
    let v = json(&[&args[..], &["--json"]].concat());
    assert_eq!(
        v["readings"],
        serde_json::json!([
            {"order": "month_first", "date": "1959-03-04", "portal_takes": true, "matches_on_file": false},
            {"order": "day_first", "date": "1959-04-03", "portal_takes": false, "matches_on_file": true},
        ]),
        "{v}"
    );
    assert!(codes(&v).contains(&"reads_two_ways".to_owned()), "{v}");
    assert_eq!(v["would_pass"], false);
    let (code, out, _) = portaldesk(&args);
    assert_eq!(code, 0);
    assert!(
        out.contains(
            "03/04/1959: the portal reads March 4, 1959 (differs from the DOB on file). Read day-first it is 3 April \
             1959 (the DOB on file): ask the client which they mean."
        ),
        "{out}"
    );
    assert!(out.contains("same date as on file:    only if read day-first"), "{out}");
    assert!(!out.contains("same date as on file:    yes"), "{out}");

    // The portal's own reading is the DOB on file: both shown, no question.
    let v = json(&["check", "dob", "--on-file", "1959-03-04", "--reported", "03/04/1959", "--json"]);
    assert_eq!(v["readings"].as_array().unwrap().len(), 2);
    assert_eq!(codes(&v), ["exact_match"]);
    // One way only: one reading.
    let v = json(&["check", "dob", "--on-file", "1985-12-21", "--reported", "21/12/1985", "--json"]);
    assert_eq!(
        v["readings"],
        serde_json::json!([{"order": "day_first", "date": "1985-12-21", "portal_takes": false, "matches_on_file": true}])
    );
}

#[test]
fn check_dob_of_eight_digits_says_the_portal_refuses_them_and_how_they_read() {
    let v = json(&["check", "dob", "--on-file", "1990-03-15", "--reported", "03151990", "--json"]);
    assert_eq!(v["readings"][0]["order"], "month_first");
    assert_eq!(v["readings"][0]["date"], "1990-03-15");
    assert_eq!(v["would_pass"], false);
    assert!(codes(&v).contains(&"wrong_separator".to_owned()), "{v}");
    let (_, out, _) = portaldesk(&["check", "dob", "--on-file", "1990-03-15", "--reported", "19900315"]);
    assert!(
        out.contains(
            "19900315 has no slashes, so the invite page refuses it as typed: it needs MM/DD/YYYY. Read as YYYYMMDD \
             it is March 15, 1990 (the DOB on file)."
        ),
        "{out}"
    );
    assert!(out.contains("client should type:      03/15/1990"), "{out}");
}

#[test]
fn check_message_gives_the_readings_of_each_dob_and_reads_eight_digits_only_by_a_cue() {
    let v = message(&["--on-file", "1990-02-03"], "Hi, I keep typing 3/2/90 as my DOB and it says invalid.");
    let dob = &v["dobs"][0];
    assert_eq!(dob["text"], "3/2/90");
    assert_eq!(
        dob["readings"],
        serde_json::json!([
            {"order": "month_first", "date": "1990-03-02", "portal_takes": true, "matches_on_file": false},
            {"order": "day_first", "date": "1990-02-03", "portal_takes": false, "matches_on_file": true},
        ]),
        "{v}"
    );
    assert!(dob["check"]["findings"].to_string().contains("reads_two_ways"), "{v}");
    // Without the DOB on file: the readings, not whether they match.
    let v = message(&[], "born 3/2/90");
    assert_eq!(v["dobs"][0]["readings"][0]["matches_on_file"], Value::Null);
    assert_eq!(v["dobs"][0]["readings"].as_array().unwrap().len(), 2);

    // Eight digits next to a cue, in English and Spanish.
    for (body, text, date) in [
        ("My DOB: 03151990, thanks", "03151990", "1990-03-15"),
        ("I was born on 19900315.", "19900315", "1990-03-15"),
        ("date of birth is 12251985", "12251985", "1985-12-25"),
        ("fecha de nacimiento: 15031990", "15031990", "1990-03-15"),
        ("Hola, nací el 19900315 y no puedo entrar", "19900315", "1990-03-15"),
        ("12251985 is my birthday", "12251985", "1985-12-25"),
    ] {
        let v = message(&[], body);
        assert_eq!(v["dobs"].as_array().unwrap().len(), 1, "{body}: {v}");
        assert_eq!(v["dobs"][0]["text"], text, "{body}");
        assert_eq!(v["dobs"][0]["readings"][0]["date"], date, "{body}: {v}");
    }
    // Without a cue, or with another number's name between: never a DOB.
    for body in [
        "Order 03151990 has not arrived",
        "my phone is 55501234, call me",
        "ticket 12251985 from last year",
        "call me at 19900315",
        "DOB is right. Order 03151990 is something else",
        "my DOB, order number 12251985",
        "DOB 12345678",
        "fecha de nacimiento, pedido 03151990",
    ] {
        let v = message(&[], body);
        assert!(v["dobs"].as_array().unwrap().is_empty(), "{body}: {v}");
    }
}

#[test]
fn check_link_json_unwraps_wrappers_it_has_never_seen_and_names_them() {
    use base64::Engine;
    let invite = "https://portal.example.com/invite/0123456789abcdef0123456789abcdef";
    let token = "0123456789abcdef0123456789abcdef";
    let enc = |s: &str| percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string();
    let layers = |v: &Value| -> Vec<(String, String, bool)> {
        v["layers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["wrapper"].as_str().unwrap().into(),
                    l["name"].as_str().unwrap().into(),
                    l["opaque"].as_bool().unwrap(),
                )
            })
            .collect()
    };
    // A click tracker with the link in base64 in its path, inside Safe Links,
    // pasted at the end of a sentence.
    let tracker = format!(
        "https://click.news-example.org/ls/click/{}/9f8e",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(invite)
    );
    let safe = format!("https://nam02.safelinks.protection.outlook.com/?url={}&data=05%7C02", enc(&tracker));
    let v = json(&["check", "link", &format!("Is this safe? {safe}."), "--json"]);
    assert_eq!(v["decoded"], invite, "{v}");
    assert_eq!(v["token"], token);
    assert_eq!(
        layers(&v),
        [
            ("microsoft_safe_links".into(), "Microsoft Safe Links".into(), false),
            ("redirect".into(), "redirect via click.news-example.org".into(), false),
        ]
    );
    assert_eq!(codes(&v), ["wrapped", "invite_link"]);

    // `?target=` percent-encoded twice, standard base64 in `?redirect=`.
    let twice = format!("https://jump.example.com/go?target={}&src=mail", enc(&enc(invite)));
    let v = json(&["check", "link", &twice, "--json"]);
    assert_eq!((v["token"].as_str(), layers(&v)[0].1.as_str()), (Some(token), "redirect via jump.example.com"));
    let b64 = base64::engine::general_purpose::STANDARD.encode(invite);
    let v = json(&["check", "link", &format!("https://x.example.net/?redirect={b64}"), "--json"]);
    assert_eq!(v["token"], token, "{v}");

    // A click-time id carries no URL: opaque, never decoded as the wrapper.
    let v =
        json(&["check", "link", "https://clicktime.mailguard.example/v1/9f8e7d6c5b4a39281706f5e4d3c2b1a0", "--json"]);
    assert_eq!(v["decoded"], Value::Null, "{v}");
    assert_eq!(v["token"], Value::Null);
    assert_eq!(layers(&v), [("redirect".into(), "redirect via clicktime.mailguard.example".into(), true)]);
    assert_eq!(codes(&v), ["opaque"]);
    let (_, out, _) =
        portaldesk(&["check", "link", "https://clicktime.mailguard.example/v1/9f8e7d6c5b4a39281706f5e4d3c2b1a0"]);
    assert!(
        out.contains("layer 1: redirect via clicktime.mailguard.example (clicktime.mailguard.example), opaque"),
        "{out}"
    );
    assert!(out.contains("decoded: (unknown)"), "{out}");
}

/// `portaldesk ARGS` with `env` added as OS strings (any bytes).
fn portaldesk_in(args: &[&str], env: &[(&str, std::ffi::OsString)]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_portaldesk"))
        .args(args)
        .env_remove("PORTALDESK_CONFIG")
        .envs(env.iter().map(|(name, value)| (name, value)))
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_non_utf8_variable_of_someone_else_is_ignored_and_one_of_ours_is_a_config_error() {
    use std::os::unix::ffi::OsStringExt;
    let bad = || std::ffi::OsString::from_vec(vec![0xff]);
    // `env FOO=$'\xff' portaldesk check email a@b.com`: none of ours.
    let (code, out, err) = portaldesk_in(&["check", "email", "a@b.com"], &[("FOO", bad())]);
    assert_eq!(code, 0, "{err}");
    assert!(err.is_empty(), "{err}");
    assert!(out.contains("valid syntax: yes"), "{out}");
    // One of ours: exit 2, naming it.
    for name in ["PORTALDESK_THEME", "PORTALDESK_KEY_RESEND", "PORTALDESK_READONLY", "PORTALDESK_PORTAL"] {
        let (code, out, err) = portaldesk_in(&["check", "email", "a@b.com"], &[(name, bad())]);
        assert_eq!(code, 2, "{name}: {err}");
        assert_eq!(err.trim(), format!("portaldesk: environment variable {name}: the value is not valid UTF-8"));
        assert!(out.is_empty(), "{out}");
    }
    // The token is read only by the commands that need a portal.
    let (code, out, err) = portaldesk_in(&["check", "email", "a@b.com"], &[("PORTALDESK_TOKEN", bad())]);
    assert_eq!((code, out.is_empty()), (0, false), "{err}");
    let (code, _, err) = portaldesk_in(&["tickets", "--portal", "http://127.0.0.1:9"], &[("PORTALDESK_TOKEN", bad())]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("PORTALDESK_TOKEN") && !err.contains("panicked"), "{err}");
}

/// `--on-file` takes the forms `check dob` itself reads (issue 27:
/// `02/03/1990` was "input contains invalid characters").
#[test]
fn on_file_takes_iso_or_month_first_dates() {
    for on_file in ["1990-02-03", "02/03/1990", "2/3/1990", "February 3, 1990"] {
        let v = json(&["check", "dob", "--on-file", on_file, "--reported", "02/03/1990", "--json"]);
        assert_eq!(v["matches_on_file"], true, "{on_file}: {v}");
        assert_eq!(v["would_pass"], true, "{on_file}");
    }
    // Day first or no date: a usage error that does not echo the value.
    for bad in ["13/02/1990", "02/30/1990", "soon"] {
        let (code, _, err) = portaldesk(&["check", "dob", "--on-file", bad, "--reported", "02/03/1990"]);
        assert_eq!(code, 2, "{bad}: {err}");
        assert!(err.contains("YYYY-MM-DD") && !err.contains(bad), "{err}");
    }
}
