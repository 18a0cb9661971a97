//! A hostile portal and a snooping proxy: escape sequences in names and
//! errors, answers of any size, lost answers, a far-off `Date`, and a proxy
//! that must never see a loopback portal's traffic.
//!
//! The hostile portal is a small HTTP server answering canned bytes, not a
//! model of the portal's rules.

use crate::common;

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use common::{Harness, Run};
use portaldesk::phi::Phi;
use portaldesk::portal::model::{Account, Invite, InviteStatus, Role};
use portaldesk::portal::{ApiToken, ClientOptions, PortalClient, PortalError};
use portaldesk::sandbox::SandboxOptions;
use portaldesk::sandbox::faults::Faults;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A name that retitles, clears, sets the clipboard (OSC 52), starts an
/// 8-bit CSI and reverses the text, if it reaches a terminal raw.
const HOSTILE: &str = "Sam\u{1b}]52;c;cm0gLXJmIH4=\u{7}\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\u{202e}rafokO";

/// One request as the hostile portal saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    idempotency_key: Option<String>,
}

/// What the hostile portal answers: the raw bytes for the `n`th request
/// (from 0), given the request; `None` writes an endless body.
type Answer = dyn Fn(usize, &Seen) -> Reply + Send + Sync;

enum Reply {
    Bytes(Vec<u8>),
    /// Headers, then body bytes for ever (until the client hangs up).
    Endless(Vec<u8>),
}

/// A hostile portal on 127.0.0.1:0; returns its URL and what it saw.
async fn hostile(answer: impl Fn(usize, &Seen) -> Reply + Send + Sync + 'static) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let answer: Arc<Answer> = Arc::new(answer);
    let log = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (answer, log) = (Arc::clone(&answer), Arc::clone(&log));
            tokio::spawn(async move { serve(stream, &*answer, &log).await });
        }
    });
    (url, seen)
}

/// Serves the requests of one connection (keep-alive) until it closes.
async fn serve(mut stream: TcpStream, answer: &Answer, log: &Mutex<Vec<Seen>>) {
    let mut buffer = Vec::new();
    loop {
        let head_end = loop {
            if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
        let header = |name: &str| {
            head.lines().find_map(|line| {
                let (key, value) = line.split_once(':')?;
                key.trim().eq_ignore_ascii_case(name).then(|| value.trim().to_owned())
            })
        };
        let length: usize = header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
        while buffer.len() < head_end + length {
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        }
        buffer.drain(..head_end + length);
        let mut words = head.split_whitespace();
        let seen = Seen {
            method: words.next().unwrap_or_default().to_owned(),
            path: words.next().unwrap_or_default().to_owned(),
            idempotency_key: header("idempotency-key"),
        };
        let n = {
            let mut log = log.lock().unwrap();
            log.push(seen.clone());
            log.len() - 1
        };
        match answer(n, &seen) {
            Reply::Bytes(bytes) => {
                if stream.write_all(&bytes).await.is_err() {
                    return;
                }
            }
            Reply::Endless(head) => {
                if stream.write_all(&head).await.is_err() {
                    return;
                }
                let filler = vec![b' '; 64 * 1024];
                while stream.write_all(&filler).await.is_ok() {}
                return;
            }
        }
    }
}

/// A whole answer: status line, JSON body, and any extra header lines.
fn answer(status: &str, body: &str, extra: &str) -> Reply {
    Reply::Bytes(
        format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{extra}\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
}

fn problem(status: u16, title: &str, detail: &str) -> String {
    serde_json::json!({ "type": "about:blank", "title": title, "status": status, "detail": detail }).to_string()
}

fn account(id: &str, first: &str) -> Account {
    let at = DateTime::parse_from_rfc3339("2026-01-05T09:00:00Z").unwrap().to_utc();
    Account {
        id: id.into(),
        role: Role::Client,
        first_name: first.to_owned().into(),
        last_name: format!("Oka\u{1b}[8mfor{HOSTILE}").into(),
        email: "sam.okafor@example.org".into(),
        emails: Vec::new(),
        phone: format!("(555) 555-0101\u{9b}2J{HOSTILE}").into(),
        dob: Phi::new(NaiveDate::from_ymd_opt(1985, 12, 21).unwrap()),
        created_at: at,
        updated_at: at,
    }
}

fn account_json(id: &str, first: &str) -> String {
    serde_json::to_string(&account(id, first)).unwrap()
}

/// Runs `portaldesk ARGS --portal URL` with a token, no terminal, and the
/// given environment (no proxy unless given).
async fn run(url: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut all = args.to_vec();
    all.extend(["--portal", url]);
    let mut env = env.to_vec();
    env.push(("PORTALDESK_TOKEN", "sandbox"));
    common::run_binary(&all, &env).await
}

/// The control characters in `text` other than newline: C0, DEL, C1, and
/// the bidi overrides and isolates.
fn controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        })
        .collect()
}

// ---- 1. escapes --------------------------------------------------------

#[tokio::test]
async fn show_prints_no_control_from_a_hostile_account() {
    let (url, _) = hostile(|_, seen| match seen.path.as_str() {
        "/api/v1/accounts/acc_1" => answer("200 OK", &account_json("acc_1", HOSTILE), "etag: \"v1\"\r\n"),
        _ => answer("404 Not Found", &problem(404, "not found", "no such route"), ""),
    })
    .await;
    let shown = run(&url, &["show", "acc_1", "--reveal"], &[]).await;
    assert_eq!(shown.code, 0, "{}", shown.err);
    assert_eq!(controls(&shown.out), Vec::<char>::new(), "{:?}", shown.out);
    assert_eq!(controls(&shown.err), Vec::<char>::new(), "{:?}", shown.err);
    assert!(shown.out.contains("Sam␛]52;c;cm0gLXJmIH4=␇"), "made visible, not dropped: {}", shown.out);
    assert!(shown.out.contains("⟨U+009B⟩") && shown.out.contains("⟨U+202E⟩"), "{}", shown.out);

    // --json: C1 and bidi escaped as well as C0, and the value intact.
    let json = run(&url, &["show", "acc_1", "--json"], &[]).await;
    assert_eq!(json.code, 0, "{}", json.err);
    assert_eq!(controls(&json.out), Vec::<char>::new(), "{:?}", json.out);
    assert!(json.out.contains("\\u009b") && json.out.contains("\\u202e"), "{}", json.out);
    let value: serde_json::Value = serde_json::from_str(&json.out).unwrap();
    assert_eq!(value["account"]["first_name"], HOSTILE);
}

#[tokio::test]
async fn errors_carry_no_control_from_the_portal() {
    let (url, _) = hostile(|_, seen| match seen.path.as_str() {
        "/api/v1/accounts/acc_404" => answer("404 Not Found", &problem(404, "not found", HOSTILE), ""),
        "/api/v1/accounts/acc_422" => answer("422 Unprocessable Entity", &problem(422, "invalid", HOSTILE), ""),
        _ => answer("500 Internal Server Error", &problem(500, HOSTILE, HOSTILE), ""),
    })
    .await;
    for (account, code) in [("acc_404", 3), ("acc_422", 1), ("acc_500", 1)] {
        let failed = run(&url, &["show", account], &[]).await;
        assert_eq!(failed.code, code, "{account}: {}", failed.err);
        assert_eq!(controls(&failed.err), Vec::<char>::new(), "{account}: {:?}", failed.err);
        assert!(failed.err.contains("␛]52"), "{account}: the portal's words shown, made visible: {}", failed.err);
        assert!(failed.out.is_empty());
    }
}

// ---- 2. proxies --------------------------------------------------------

#[tokio::test]
async fn a_loopback_portal_never_goes_through_the_proxy() {
    let (url, seen) = hostile(|_, seen| match seen.path.as_str() {
        "/api/v1/accounts/acc_1" => answer("200 OK", &account_json("acc_1", "Sam"), "etag: \"v1\"\r\n"),
        _ => answer("404 Not Found", &problem(404, "not found", "no such route"), ""),
    })
    .await;
    // The proxy accepts connections and answers nothing; whether anything
    // connected is read from its backlog after the run.
    let proxy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    proxy.set_nonblocking(true).unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    let env = [
        ("HTTP_PROXY", proxy_url.as_str()),
        ("http_proxy", proxy_url.as_str()),
        ("HTTPS_PROXY", proxy_url.as_str()),
        ("ALL_PROXY", proxy_url.as_str()),
    ];
    let shown = run(&url, &["show", "acc_1", "--reveal"], &env).await;
    assert_eq!(shown.code, 0, "{}", shown.err);
    assert!(shown.out.contains("sam.okafor@example.org"), "{}", shown.out);
    assert_eq!(seen.lock().unwrap().len(), 1, "the portal itself was asked");
    match proxy.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("the proxy saw a connection: {other:?}"),
    }
}

#[test]
fn an_https_portal_may_only_tunnel_and_plain_http_elsewhere_stays_refused() {
    // Plain http to another machine is refused whatever the proxy.
    let refused = PortalClient::new("http://portal.example.org", ApiToken::new("t"), ClientOptions::default());
    assert!(matches!(refused, Err(PortalError::InsecureUrl { .. })));
    // A loopback portal says it uses no proxy.
    let local = PortalClient::new("http://127.0.0.1:9", ApiToken::new("t"), ClientOptions::default()).unwrap();
    assert_eq!(local.proxy(), None);
}

// ---- 3. answers of any size ---------------------------------------------

fn small_cap() -> ClientOptions {
    ClientOptions { max_answer_bytes: 64 * 1024, read_retries: 0, ..common::fast_options() }
}

#[tokio::test]
async fn an_endless_answer_fails_clearly_at_the_cap() {
    let (url, seen) = hostile(|_, _| {
        // No length: the body runs until the connection closes, which it
        // never does by itself.
        Reply::Endless(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{\"items\": [".to_vec(),
        )
    })
    .await;
    let client = PortalClient::new(&url, ApiToken::new("t"), small_cap()).unwrap();
    let error = client.tickets(None).await.unwrap_err();
    assert_eq!(error, PortalError::TooLarge { limit_bytes: 64 * 1024 });
    let said = error.to_string();
    assert!(said.contains("larger than 64 KiB"), "{said}");
    assert!(!error.is_transient(), "not read again and again");
    assert_eq!(seen.lock().unwrap().len(), 1, "asked once");
}

#[tokio::test]
async fn an_announced_huge_answer_is_refused_before_it_is_read() {
    let (url, _) = hostile(|_, _| {
        Reply::Endless(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 400000000\r\n\r\n{\"items\": ["
                .to_vec(),
        )
    })
    .await;
    let client = PortalClient::new(&url, ApiToken::new("t"), small_cap()).unwrap();
    assert_eq!(client.account(&"acc_1".into()).await.unwrap_err(), PortalError::TooLarge { limit_bytes: 64 * 1024 });
    // Under the cap, an answer is read whole.
    let (url, _) =
        hostile(|_, _| answer("200 OK", &account_json("acc_1", &"é".repeat(20_000)), "etag: \"v\"\r\n")).await;
    let client = PortalClient::new(&url, ApiToken::new("t"), small_cap()).unwrap();
    assert_eq!(client.account(&"acc_1".into()).await.unwrap().value.first_name.expose().chars().count(), 20_000);
}

// ---- 4. lost answers ----------------------------------------------------

fn invite_json(id: &str, sent_at: DateTime<Utc>) -> String {
    let invite = Invite {
        id: id.into(),
        account_id: "acc_1".into(),
        sent_to: "sam.okafor@example.org".into(),
        sent_at,
        expires_at: sent_at + Duration::hours(48),
        status: InviteStatus::Pending,
        accepted_at: None,
        link_opens: 0,
        dob_failures: 0,
        delivery: vec![],
        revoked: None,
        visits: Vec::new(),
        token_sha256: None,
    };
    serde_json::to_string(&invite).unwrap()
}

#[tokio::test]
async fn a_resend_whose_answer_is_unreadable_is_retried_with_the_same_key() {
    let (url, seen) = hostile(|n, seen| match (n, seen.method.as_str()) {
        // No invite yet: the resend window is clear.
        (0, "GET") => answer("200 OK", "{\"items\": []}", ""),
        // The invite is made, but its answer arrives cut short.
        (1, "POST") => answer("200 OK", "{\"id\": \"inv_", ""),
        (_, "POST") => answer("201 Created", &invite_json("inv_9", Utc::now()), ""),
        _ => answer("404 Not Found", &problem(404, "not found", "no such route"), ""),
    })
    .await;
    let sent = run(&url, &["resend", "acc_1", "--yes"], &[]).await;
    assert_eq!(sent.code, 0, "{}", sent.err);
    assert!(sent.out.contains("Invite inv_9 sent to"), "{}", sent.out);
    assert!(!sent.err.contains("may or may not"), "{}", sent.err);
    let seen = seen.lock().unwrap();
    // The invites read for the resend window, then the two tries.
    assert_eq!(seen.len(), 3, "{seen:?}");
    let keys: Vec<_> = seen.iter().filter(|s| s.method == "POST").map(|s| s.idempotency_key.clone()).collect();
    assert!(keys.len() == 2 && keys[0].is_some() && keys[0] == keys[1], "one key for both tries: {keys:?}");
}

#[tokio::test]
async fn resends_whose_answers_are_lost_make_exactly_one_invite_each() {
    // Drops before and after the change, and answers cut short, on the
    // real sandbox; every resend ends in one invite and a success message.
    let faults = Faults::parse("drop_rate=0.15,malformed_rate=0.15").unwrap();
    let h =
        Harness::with(SandboxOptions { frozen_at: Some(common::t0()), faults, seed: 7, ..SandboxOptions::default() })
            .await;
    let count = |account: &'static str| {
        let client = h.client.clone();
        async move {
            loop {
                if let Ok(invites) = client.invites(&account.into()).await {
                    break invites.len();
                }
            }
        }
    };
    for account in ["acc_101", "acc_102", "acc_103", "acc_104"] {
        let before = count(account).await;
        let sent = run(&h.sandbox.url(), &["resend", account, "--yes"], &[]).await;
        assert_eq!(sent.code, 0, "{account}: {}", sent.err);
        assert!(sent.out.contains(" sent to "), "{account}: {}", sent.out);
        assert_eq!(count(account).await, before + 1, "{account}: exactly one invite");
    }
}

#[tokio::test]
async fn a_dob_set_whose_first_read_fails_says_nothing_was_sent() {
    let h = Harness::with_faults(Faults::parse("error_rate=1").unwrap()).await;
    let failed =
        run(&h.sandbox.url(), &["dob", "set", "acc_7", "03/05/1990", "--reason", "client called", "--yes"], &[]).await;
    assert_eq!(failed.code, 1, "{}", failed.err);
    assert!(failed.err.contains("nothing was sent"), "{}", failed.err);
    assert!(!failed.err.contains("may or may not"), "{}", failed.err);
}

// ---- 5. the portal's clock ----------------------------------------------

#[tokio::test]
async fn a_far_off_date_is_ignored_and_warned_about_once() {
    let sent_at = Utc::now() - Duration::hours(1);
    let date = "date: Fri, 31 Dec 9999 23:59:59 GMT\r\n";
    let (url, _) = hostile(move |_, seen| match seen.path.as_str() {
        "/api/v1/accounts/acc_1" => answer("200 OK", &account_json("acc_1", "Sam"), &format!("etag: \"v\"\r\n{date}")),
        "/api/v1/accounts/acc_1/invites" => {
            answer("200 OK", &format!("{{\"items\": [{}]}}", invite_json("inv_1", sent_at)), date)
        }
        _ => answer("404 Not Found", &problem(404, "not found", "no such route"), date),
    })
    .await;
    let listed = run(&url, &["invites", "acc_1"], &[]).await;
    assert_eq!(listed.code, 0, "{}", listed.err);
    assert!(listed.out.contains("inv_1  pending, 4"), "the invite is still live: {}", listed.out);
    assert!(!listed.out.contains("expired"), "{}", listed.out);
    assert_eq!(listed.err.matches("the portal's clock and this machine's differ by").count(), 1, "{}", listed.err);
    assert!(listed.err.contains("2912"), "{}", listed.err);

    // A portal within a day is followed, with no warning.
    let client = PortalClient::new(&url, ApiToken::new("t"), ClientOptions::default()).unwrap();
    client.clock().observe(&(Utc::now() + Duration::hours(3)).to_rfc2822(), Utc::now());
    assert!(client.clock().offset() > Duration::minutes(179));
    assert_eq!(client.clock().warning(), None);
}

/// Any program listening on loopback can say its clock is a sandbox's
/// (`x-sandbox-clock: simulated`): unless the portal was named as a
/// sandbox (`--sandbox-clock`), a far `Date` is still not trusted, and the
/// warning says so and why.
#[tokio::test]
async fn a_loopback_portal_claiming_a_simulated_clock_is_not_trusted_unless_named() {
    let sent_at = Utc::now() - Duration::hours(1);
    let date = "date: Fri, 31 Dec 9999 23:59:59 GMT\r\nx-sandbox-clock: simulated\r\n";
    let (url, _) = hostile(move |_, seen| match seen.path.as_str() {
        "/api/v1/accounts/acc_1" => answer("200 OK", &account_json("acc_1", "Sam"), &format!("etag: \"v\"\r\n{date}")),
        "/api/v1/accounts/acc_1/invites" => {
            answer("200 OK", &format!("{{\"items\": [{}]}}", invite_json("inv_1", sent_at)), date)
        }
        _ => answer("404 Not Found", &problem(404, "not found", "no such route"), date),
    })
    .await;
    let listed = run(&url, &["invites", "acc_1"], &[]).await;
    assert_eq!(listed.code, 0, "{}", listed.err);
    assert!(listed.out.contains("inv_1  pending, 4"), "its year 9999 was not used: {}", listed.out);
    assert!(listed.err.contains("its time is ignored") && listed.err.contains("--sandbox-clock"), "{}", listed.err);
    let client = PortalClient::new(&url, ApiToken::new("t"), ClientOptions::default()).unwrap();
    assert!(client.invites(&"acc_1".into()).await.is_ok());
    assert_eq!(client.clock().offset(), Duration::zero(), "not trusted through the library either");

    // Named as a sandbox, it is followed (the operator said so), and
    // nothing says its time is ignored.
    let named = run(&url, &["invites", "acc_1", "--sandbox-clock"], &[]).await;
    assert_eq!(named.code, 0, "{}", named.err);
    assert!(named.out.contains("expired"), "its clock was followed: {}", named.out);
    assert!(!named.err.contains("ignored"), "{}", named.err);
    let by_config = run(&url, &["invites", "acc_1"], &[("PORTALDESK_SANDBOX_CLOCK", "true")]).await;
    assert!(by_config.out.contains("expired") && !by_config.err.contains("ignored"), "{}", by_config.out);
}

/// The embedded sandbox's clock and a sandbox named with `--sandbox-clock`
/// are followed however far off (the test sandboxes are frozen days before
/// today): a client told so follows it, one not told does not.
#[tokio::test]
async fn the_sandbox_clock_is_followed_only_when_the_sandbox_is_named() {
    let h = Harness::start().await;
    let token = || ApiToken::new(SandboxOptions::default().token);
    let frozen = common::t0() - Utc::now();
    let named = ClientOptions { sandbox_clock: true, ..ClientOptions::default() };
    for options in [ClientOptions::embedded_sandbox(), named] {
        let client = PortalClient::new(&h.sandbox.url(), token(), options).unwrap();
        client.me().await.unwrap();
        assert!((client.clock().offset() - frozen).num_seconds().abs() <= 2, "{:?}", client.clock().offset());
        assert_eq!(client.clock().warning(), None);
    }
    if frozen.num_hours().abs() > 24 {
        let unnamed = PortalClient::new(&h.sandbox.url(), token(), ClientOptions::default()).unwrap();
        unnamed.me().await.unwrap();
        assert_eq!(unnamed.clock().offset(), Duration::zero());
        assert!(unnamed.clock().warning().is_some_and(|w| w.contains("--sandbox-clock")));
    }
}

// ---- the console -------------------------------------------------------

#[test]
fn the_console_draws_no_control_from_a_span() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::text::Line;
    use ratatui::widgets::Paragraph;
    let mut terminal = Terminal::new(TestBackend::new(120, 3)).unwrap();
    terminal
        .draw(|frame| {
            frame.render_widget(Paragraph::new(Line::from(HOSTILE)), frame.area());
            // ratatui itself drops control graphemes from a Span; a cell
            // written directly would still carry them, were it not for the
            // pass every frame gets.
            frame.buffer_mut()[(0, 1)].set_symbol("\u{1b}]52;c;eA==\u{7}");
            frame.buffer_mut()[(20, 1)].set_symbol("\u{9b}");
            frame.buffer_mut()[(30, 1)].set_symbol("\u{202e}");
            portaldesk::tui::terminal::clean_buffer(frame.buffer_mut());
        })
        .unwrap();
    let drawn: String = terminal.backend().buffer().content().iter().map(|cell| cell.symbol()).collect();
    assert_eq!(controls(&drawn), Vec::<char>::new(), "{drawn:?}");
    assert!(drawn.contains("]52;c;"), "the rest is drawn: {drawn:?}");
    assert!(drawn.contains("␛]52;c;eA==␇"), "made visible: {drawn:?}");
    assert_eq!(drawn.matches('\u{FFFD}').count(), 2, "C1 and bidi replaced: {drawn:?}");
}

// ---- 6. paging that never ends ------------------------------------------------

/// The value of `name` in the query of a request path.
fn query_value(path: &str, name: &str) -> Option<String> {
    let query = path.split_once('?')?.1;
    query.split('&').find_map(|pair| pair.strip_prefix(&format!("{name}=")).map(str::to_owned))
}

/// A page of no tickets naming `next` as the next cursor, padded with
/// `padding` bytes of JSON whitespace.
fn empty_page(next: &str, padding: usize) -> Reply {
    let body = format!("{{\"items\": [], \"next_cursor\": \"{next}\"}}{}", " ".repeat(padding));
    answer("200 OK", &body, "")
}

/// A portal whose tickets' `next_cursor` alternates between two values.
async fn alternating() -> (String, Arc<Mutex<Vec<Seen>>>) {
    hostile(|_, seen| {
        if !seen.path.starts_with("/api/v1/tickets") {
            return answer("404 Not Found", &problem(404, "not found", "no such route"), "");
        }
        match query_value(&seen.path, "cursor").as_deref() {
            Some("a") => empty_page("b", 0),
            _ => empty_page("a", 0),
        }
    })
    .await
}

fn tickets_asked(seen: &Mutex<Vec<Seen>>) -> usize {
    seen.lock().unwrap().iter().filter(|s| s.path.starts_with("/api/v1/tickets")).count()
}

#[tokio::test]
async fn a_cursor_that_comes_back_stops_the_read_at_once() {
    let (url, seen) = alternating().await;
    let client = PortalClient::new(&url, ApiToken::new("t"), common::fast_options()).unwrap();
    let error = client.tickets(None).await.unwrap_err();
    assert!(matches!(error, PortalError::KeptPaging { pages: 3, why: portaldesk::portal::PagingStop::Repeated }));
    // No cursor a, cursor a, cursor b: then a again, not asked for.
    assert_eq!(tickets_asked(&seen), 3);

    // The command says so, exit 1.
    let (url, seen) = alternating().await;
    let listed = run(&url, &["tickets"], &[]).await;
    assert_eq!(listed.code, 1, "{}", listed.err);
    assert!(
        listed.err.contains("the portal kept paging: it sent a cursor it had already sent (page 3)"),
        "{}",
        listed.err
    );
    assert!(listed.out.is_empty(), "{}", listed.out);
    assert_eq!(tickets_asked(&seen), 3);

    // `fix ACCOUNT` reads the account's tickets the same way.
    let fixed = run(&url, &["fix", "acc_1", "--dry-run"], &[]).await;
    assert_eq!(fixed.code, 1, "{}", fixed.err);
    assert!(fixed.err.contains("the portal kept paging"), "{}", fixed.err);
    assert_eq!(tickets_asked(&seen), 6);
}

#[tokio::test]
async fn cursors_that_never_repeat_stop_at_the_page_limit_and_the_byte_limit() {
    let (url, seen) = hostile(|n, _| empty_page(&format!("c{n}"), 0)).await;
    let options = ClientOptions {
        paging: portaldesk::portal::PagingLimits { max_pages: 25, max_bytes: usize::MAX },
        ..common::fast_options()
    };
    let client = PortalClient::new(&url, ApiToken::new("t"), options).unwrap();
    let error = client.tickets(None).await.unwrap_err();
    assert!(matches!(
        error,
        PortalError::KeptPaging { pages: 25, why: portaldesk::portal::PagingStop::Pages { limit: 25 } }
    ));
    assert_eq!(tickets_asked(&seen), 25);

    // The binary's own limits: pages of 1 MiB that never end stop once
    // 64 MiB were kept, not when memory runs out.
    let (url, seen) = hostile(|n, _| empty_page(&format!("c{n}"), 1 << 20)).await;
    let listed = run(&url, &["tickets"], &[]).await;
    assert_eq!(listed.code, 1, "{}", listed.err);
    assert!(listed.err.contains("the portal kept paging: its answers went past 64 MiB (page 64)"), "{}", listed.err);
    assert_eq!(tickets_asked(&seen), 64);
}

#[tokio::test]
async fn an_audit_trail_that_pages_back_to_the_same_place_is_stopped() {
    // Every page is the same 500 entries, whatever `before` asks.
    let entries: Vec<String> = (0..500)
        .map(|k| {
            format!(
                "{{\"seq\": {}, \"at\": \"2026-11-25T09:00:00Z\", \"actor\": \"agent_sandbox\", \"action\": \"note_added\", \
                 \"account_id\": null, \"ticket_id\": null, \"summary\": \"note added\", \"prev_hash\": \"\", \"hash\": \"\"}}",
                1000 - k
            )
        })
        .collect();
    let page = format!("{{\"items\": [{}]}}", entries.join(","));
    let (url, seen) = hostile(move |_, _| answer("200 OK", &page, "")).await;
    for args in [&["audit", "--json"][..], &["audit", "verify"], &["audit", "head"]] {
        let before = seen.lock().unwrap().len();
        let read = run(&url, args, &[]).await;
        assert_eq!(read.code, 1, "{args:?}: {}", read.err);
        assert!(
            read.err.contains("the portal kept paging: it sent a cursor it had already sent (page 2)"),
            "{}",
            read.err
        );
        assert_eq!(seen.lock().unwrap().len() - before, 2, "{args:?}");
    }
}

#[tokio::test]
async fn the_console_stops_paging_its_queue_and_says_so() {
    use portaldesk::tui::app::App;
    let (url, seen) = alternating().await;
    let client = PortalClient::new(&url, ApiToken::new("t"), common::fast_options()).unwrap();
    let (mut app, effects) = App::new(true, (160, 48));
    // Empty pages keep the cursor near the end: the queue asks again and
    // again by itself, until the guard stops it.
    common::settle_as(&mut app, &client, effects, common::t0()).await;
    assert_eq!(tickets_asked(&seen), 3);
    assert!(
        matches!(
            app.stack.queue.tickets.error,
            Some(PortalError::KeptPaging { why: portaldesk::portal::PagingStop::Repeated, .. })
        ),
        "{:?}",
        app.stack.queue.tickets.error
    );
    assert!(!app.stack.queue.wants_more());
    let screen = common::screen_wide(&app);
    assert!(screen.contains("the portal kept paging"), "{screen}");
}
/// Draws the console as the real loop does (the screens, then the pass
/// every frame gets) and returns every cell's text, row by row.
fn drawn(app: &portaldesk::tui::app::App) -> String {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 48)).unwrap();
    terminal
        .draw(|frame| {
            portaldesk::tui::app::render(app, frame, common::t0());
            portaldesk::tui::terminal::clean_buffer(frame.buffer_mut());
        })
        .unwrap();
    let buffer = terminal.backend().buffer();
    buffer.content().chunks(160).map(|row| row.iter().map(|c| c.symbol()).collect::<String>() + "\n").collect()
}

/// Portal strings in the console show their controls as the CLI does
/// (`␛`, `⟨U+202E⟩`) and lose no character: before, ratatui dropped a C0
/// control and a bidi override became `�` and swallowed the character
/// after it ("�vil").
#[tokio::test]
async fn the_console_shows_controls_in_portal_strings_as_the_cli_does_and_loses_no_character() {
    let h = Harness::start().await;
    let (mut app, effects) = portaldesk::tui::app::App::new(true, (160, 48));
    common::settle(&mut app, &h, effects, common::t0()).await;
    let tickets = app.stack.queue.tickets.data.as_mut().unwrap();
    tickets[0].subject = "Locked\u{7}out \u{202e}evil".into();
    let first = tickets[0].clone();
    let queue = drawn(&app);
    assert!(queue.contains("Locked␇out ⟨U+202E⟩evil"), "{queue}");

    let effects = app.open_account(first.account_id.clone(), Some(first.id.clone()));
    common::settle(&mut app, &h, effects, common::t0()).await;
    let account = app.stack.account_mut().unwrap();
    let data = &mut account.account.data.as_mut().unwrap().value;
    data.first_name = Phi::new("\u{1b}[31mSam".to_owned());
    data.last_name = Phi::new("\u{202e}evil".to_owned());
    account.show_audit = true;
    account.audit.data.as_mut().unwrap().insert(
        0,
        portaldesk::portal::model::AuditEntry {
            seq: 999,
            at: common::t0(),
            actor: "agent\u{9b}x".into(),
            action: portaldesk::portal::model::AuditAction::NoteAdded,
            account_id: None,
            ticket_id: None,
            summary: "note\u{1b}[2J added".into(),
            prev_hash: String::new(),
            hash: String::new(),
        },
    );
    let shown = drawn(&app);
    for expected in ["␛[31mSam ⟨U+202E⟩evil", "agent⟨U+009B⟩x", "note␛[2J added"] {
        assert!(shown.contains(expected), "{expected}:\n{shown}");
    }
    for screen in [&queue, &shown] {
        assert_eq!(controls(screen), Vec::<char>::new());
        assert!(!screen.contains('\u{FFFD}'), "a control became �:\n{screen}");
    }
}
