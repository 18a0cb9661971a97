//! Table tests of the visit classifier over realistic user agents and
//! timings, including the visits that must stay `person`.

use chrono::{DateTime, Duration, Utc};

use super::*;
use crate::phi::Phi;
use crate::portal::model::{DeliveryEvent, DeliveryEventKind, InviteStatus, VisitOutcome};

const CHROME_WIN: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const SAFARI_MAC: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) \
                          Version/17.5 Safari/605.1.15";
const SAFARI_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 \
                             (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const FIREFOX: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
const EDGE: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                    Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86";
const SAMSUNG: &str = "Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) \
                       SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36";
const CHROME_ANDROID_CUBOT: &str = "Mozilla/5.0 (Linux; Android 11; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) \
                                    Chrome/120.0.0.0 Mobile Safari/537.36";
const CHROME_IOS: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 \
                          (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1";
const GMAIL_IOS_WEBVIEW: &str =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148";
const GOOGLE_APP: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 \
                          (KHTML, like Gecko) GSA/343.0.695551749 Mobile/15E148 Safari/604.1";
const ANDROID_WEBVIEW: &str = "Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230901.001; wv) AppleWebKit/537.36 \
                               (KHTML, like Gecko) Version/4.0 Chrome/120.0.6099.210 Mobile Safari/537.36";
const FACEBOOK_IN_APP: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 \
                               (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/450.0.0.38.108]";

const SAFE_LINKS: &str = "https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F%2Fportal&data=05";
const URL_DEFENSE: &str = "https://urldefense.com/v3/__https://portal.example/invite/abc__;!!x";

const HEADLESS: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                        HeadlessChrome/120.0.6099.71 Safari/537.36";
const OLD_IE: &str = "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko";

struct Row {
    ua: Option<&'static str>,
    method: VisitMethod,
    after: Option<i64>,
    network: Option<&'static str>,
    referrer: Option<&'static str>,
    cookies: Option<bool>,
    burst: usize,
    later: bool,
    kept: bool,
}

fn row(ua: &'static str, after: i64) -> Row {
    Row {
        ua: Some(ua),
        method: VisitMethod::Get,
        after: Some(after),
        network: None,
        referrer: None,
        cookies: Some(false),
        burst: 1,
        later: false,
        kept: false,
    }
}

fn verdict(r: &Row) -> Verdict {
    classify(&VisitFacts {
        method: Some(r.method),
        user_agent: r.ua,
        seconds_after_delivery: r.after,
        network: r.network,
        referrer: r.referrer,
        cookies: r.cookies,
        burst: r.burst,
        cookie_later_elsewhere: r.later,
        cookie_kept_later: r.kept,
    })
}

const MINUTES: i64 = 60;
const HOURS: i64 = 3600;

#[test]
fn ordinary_browsers_minutes_or_hours_later_are_people() {
    let people = [
        row(CHROME_WIN, 7 * MINUTES),
        row(SAFARI_MAC, 3 * HOURS),
        row(SAFARI_IPHONE, 5 * HOURS),
        row(FIREFOX, 45 * MINUTES),
        row(EDGE, 2 * HOURS),
        row(SAMSUNG, 26 * HOURS),
        row(CHROME_ANDROID_CUBOT, 90 * MINUTES),
        row(CHROME_IOS, 10 * MINUTES),
        row(GMAIL_IOS_WEBVIEW, 4 * MINUTES),
        row(GOOGLE_APP, 6 * HOURS),
        row(ANDROID_WEBVIEW, 2 * MINUTES),
        row(FACEBOOK_IN_APP, 40 * HOURS),
        // From home and mobile networks, with the cookie of an earlier visit.
        Row { network: Some("Comcast (AS7922)"), cookies: Some(true), ..row(CHROME_WIN, 3 * HOURS) },
        Row { network: Some("T-Mobile USA (AS21928)"), ..row(SAFARI_IPHONE, 5 * HOURS) },
        // One suggestive sign is not enough: a quick reader, a double click,
        // a link that came through Safe Links, a refresh after another device.
        row(CHROME_WIN, 12),
        Row { burst: 2, ..row(SAFARI_IPHONE, 20 * MINUTES) },
        Row {
            referrer: Some("https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F%2Fportal"),
            ..row(EDGE, 2 * HOURS)
        },
        Row { later: true, ..row(SAFARI_IPHONE, 3 * HOURS) },
        // A person clicking a Safe Links / URL Defense rewritten link: the
        // referrer is the rewriter's, the browser an ordinary one; even right
        // after delivery, or with another sign besides.
        Row { referrer: Some(URL_DEFENSE), ..row(CHROME_WIN, 2 * HOURS) },
        Row { referrer: Some(SAFE_LINKS), ..row(EDGE, 20) },
        Row { referrer: Some(SAFE_LINKS), later: true, ..row(SAFARI_IPHONE, 5 * MINUTES) },
        // Windows 365, Azure Virtual Desktop, Google's VPN: a scanner network,
        // an ordinary browser, well after delivery.
        Row { network: Some("Microsoft (AS8075)"), ..row(EDGE, 2 * HOURS) },
        Row { network: Some("Microsoft (AS8075)"), cookies: Some(true), ..row(CHROME_WIN, 40 * MINUTES) },
        Row { network: Some("Google (AS15169)"), ..row(CHROME_ANDROID_CUBOT, 6 * HOURS) },
        // On the phone with staff: clicked within 30 s of delivery in an
        // ordinary browser, which came back with the page's cookie.
        Row { kept: true, ..row(CHROME_WIN, 12) },
        Row { kept: true, referrer: Some(SAFE_LINKS), ..row(SAFARI_IPHONE, 25) },
        Row { kept: true, burst: 2, ..row(SAMSUNG, 9) },
        // Anyone who typed a DOB.
        Row { method: VisitMethod::Post, ..row("Mozilla/5.0 SomethingNew/1.0", 3 * HOURS) },
    ];
    for r in &people {
        let v = verdict(r);
        assert_eq!(v.kind, VisitKind::Person, "{:?} {:?}: {:?}", r.ua, r.after, v.reasons);
        assert!(!v.reasons.iter().any(Signal::is_decisive), "{:?}", v.reasons);
    }
    let v = verdict(&Row { referrer: Some(SAFE_LINKS), ..row(EDGE, 20) });
    assert!(v.reasons.contains(&Signal::ClickedThroughRewriter("Microsoft Safe Links")), "{:?}", v.reasons);
    assert!(!v.reasons.iter().any(|s| matches!(s, Signal::RewrittenReferrer(_))), "{:?}", v.reasons);
    let v = verdict(&Row { network: Some("Microsoft (AS8075)"), ..row(EDGE, 2 * HOURS) });
    assert!(v.reasons.contains(&Signal::SharedNetwork("Microsoft (AS8075)".into())), "{:?}", v.reasons);
    let v = verdict(&Row { kept: true, ..row(CHROME_WIN, 12) });
    assert!(v.reasons.contains(&Signal::CookieKeptLater), "{:?}", v.reasons);
    let v = verdict(&Row { cookies: Some(true), ..row(SAMSUNG, 3 * HOURS) });
    assert_eq!(v.reasons[0], Signal::Browser("Samsung Internet"));
    assert!(v.reasons.contains(&Signal::CarriedCookie) && v.reasons.contains(&Signal::LaterThanDelivery(3 * HOURS)));
}

#[test]
fn a_browser_sending_back_the_pages_cookie_is_a_person_however_fast() {
    // Issue 24: a person refreshing the new link six times within seconds
    // of its delivery: timing and the burst alone would say scanner.
    let v = verdict(&Row { cookies: Some(true), burst: 6, ..row(CHROME_WIN, 1) });
    assert_eq!(v.kind, VisitKind::Person, "{:?}", v.reasons);
    assert!(v.reasons.contains(&Signal::CarriedCookie), "{:?}", v.reasons);
    // Without the cookie, or with a decisive sign, it is still a scanner.
    assert_eq!(verdict(&Row { burst: 6, ..row(CHROME_WIN, 1) }).kind, VisitKind::Scanner);
    let headless = verdict(&Row { cookies: Some(true), burst: 3, ..row(HEADLESS, 1) });
    assert_eq!(headless.kind, VisitKind::Scanner);
}

#[test]
fn scanners_previews_and_programs_are_scanners() {
    let scanners = [
        // Safe Links: HEAD and a headless browser from Microsoft, seconds after delivery.
        Row { method: VisitMethod::Head, ua: None, ..row("", 3) },
        Row { network: Some("Microsoft (AS8075)"), burst: 3, ..row(HEADLESS, 4) },
        // A browser-like agent, but from Microsoft's or Proofpoint's network.
        Row { network: Some("Microsoft (AS8075)"), ..row(CHROME_WIN, 2) },
        Row { network: Some("Proofpoint (AS22843)"), ..row(OLD_IE, 9) },
        // Nothing but timing: right after delivery, and a burst.
        Row { burst: 3, ..row(CHROME_WIN, 1) },
        // Right after delivery, and a browser kept the cookie later.
        Row { later: true, ..row(CHROME_WIN, 8) },
        // No agent at all, right after delivery.
        Row { ua: None, ..row("", 5) },
        // Programs, whenever they come.
        row("python-requests/2.31.0", 3 * HOURS),
        row("curl/8.4.0", 10),
        row("Go-http-client/1.1", 2),
        row("Mozilla/5.0 (compatible; Google-Safety; +http://www.google.com/bot.html)", 1),
        row("Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17029; Pro)", 30),
        row("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", 5 * HOURS),
        row("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) BingPreview/1.0b", 20),
        row("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", 2 * HOURS),
        row("WhatsApp/2.23.20.0", 3 * MINUTES),
        // Gmail's image proxy and content sampling, from public write-ups.
        row("Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)", 4 * HOURS),
        row("Mozilla/5.0 (compatible; Gmail-content-sampling)", 2 * HOURS),
        // Link unfurlers in chat tools.
        row("Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5", 3 * HOURS),
        row("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", 10 * MINUTES),
        // A scanner network decides with a program's agent, a HEAD, or
        // timing right after delivery.
        Row { network: Some("Google (AS15169)"), ..row("SomeMailApp/4.2 (iOS)", 3 * HOURS) },
        Row { network: Some("Microsoft (AS8075)"), method: VisitMethod::Head, ..row(EDGE, 2 * HOURS) },
        Row { network: Some("Microsoft (AS8075)"), ..row(EDGE, 20) },
        // A scanner network and a burst of the same browser agent.
        Row { network: Some("Microsoft (AS8075)"), burst: 3, ..row(EDGE, 2 * HOURS) },
        // A rewritten link fetched with no agent at all.
        Row { ua: None, referrer: Some(URL_DEFENSE), ..row("", 3 * HOURS) },
    ];
    for r in &scanners {
        let v = verdict(r);
        assert_eq!(v.kind, VisitKind::Scanner, "{:?} {:?}: {:?}", r.ua, r.after, v.reasons);
        assert!(!v.reasons.is_empty());
    }
    let safe_links =
        verdict(&Row { method: VisitMethod::Head, network: Some("Microsoft (AS8075)"), ..row(HEADLESS, 3) });
    assert_eq!(
        safe_links.reasons,
        [
            Signal::HeadRequest,
            Signal::ScannerAgent("a headless browser"),
            Signal::ScannerNetwork("Microsoft (AS8075)".into()),
            Signal::SoonAfterDelivery(3),
        ]
    );
}

#[test]
fn too_little_to_tell_is_unknown() {
    for r in [
        row("SomeMailApp/4.2 (iOS)", 3 * HOURS),
        Row { ua: None, ..row("", 2 * HOURS) },
        row(OLD_IE, 5 * HOURS),
        Row { ua: None, after: None, cookies: None, burst: 0, ..row("", 0) },
    ] {
        assert_eq!(verdict(&r).kind, VisitKind::Unknown, "{:?}", r.ua);
    }
}

#[test]
fn rewriting_services_are_told_from_their_referrers() {
    let cases = [
        ("https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F%2Fx&data=05", Some("Microsoft Safe Links")),
        ("https://urldefense.com/v3/__https://portal.example/invite/abc__;!!x", Some("Proofpoint URL Defense")),
        ("https://urldefense.proofpoint.com/v2/url?u=https-3A__x", Some("Proofpoint URL Defense")),
        ("https://protect-us.mimecast.com/s/abc?domain=portal.example", Some("Mimecast URL Protect")),
        ("https://linkprotect.cudasvc.com/url?a=https%3a%2f%2fx", Some("Barracuda Link Protection")),
        ("https://secure-web.cisco.com/1abc/https%3A%2F%2Fportal.example%2Finvite%2Fx", Some("Cisco Secure Email")),
        ("https://protect-eu.mimecast.com/s/abc", Some("Mimecast URL Protect")),
        ("https://urldefense.proofpoint.com/v1/url?u=https%3A%2F%2Fx", Some("Proofpoint URL Defense")),
        ("https://www.google.com/url?q=https://portal.example/invite/x", Some("Google's link redirect")),
        ("https://user@EVIL.safelinks.protection.outlook.com:443/x", Some("Microsoft Safe Links")),
        ("https://safelinks.protection.outlook.com.evil.example/", None),
        ("https://www.google.com/search?q=portal", None),
        ("https://mail.google.com/mail/u/0/", None),
        ("not a url", None),
        ("", None),
        ("://", None),
        ("https://", None),
        ("é://ü", None),
    ];
    for (referrer, want) in cases {
        assert_eq!(rewriting_service(referrer), want, "{referrer}");
    }
}

#[test]
fn scanner_networks_are_told_from_their_labels() {
    for label in ["Microsoft (AS8075)", "Proofpoint (AS22843)", "Mimecast (AS30031)", "Google (AS15169)", "AS15324"] {
        assert!(is_scanner_network(label), "{label}");
    }
    for label in ["Comcast (AS7922)", "T-Mobile USA (AS21928)", "Verizon Wireless (AS6167)", ""] {
        assert!(!is_scanner_network(label), "{label}");
    }
}

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-25T09:00:00Z").unwrap().to_utc()
}

fn visit(after: i64, method: VisitMethod, ua: &str, network: Option<&str>, cookies: bool) -> LinkVisit {
    LinkVisit {
        at: t0() + Duration::seconds(2 + after),
        method,
        user_agent: Some(ua.to_owned()),
        remote: Phi::new("203.0.113.7".into()),
        network: network.map(str::to_owned),
        referrer: None,
        cookies,
        outcome: VisitOutcome::PageShown,
        invalid_reason: None,
        typed_dob: None,
    }
}

fn invite(visits: Vec<LinkVisit>) -> Invite {
    Invite {
        id: "inv_1".into(),
        account_id: "acc_1".into(),
        sent_to: "sam@example.org".into(),
        sent_at: t0(),
        expires_at: t0() + Duration::hours(48),
        status: InviteStatus::Pending,
        accepted_at: None,
        link_opens: visits.len() as u32,
        dob_failures: 0,
        delivery: vec![
            DeliveryEvent { at: t0(), event: DeliveryEventKind::Queued, detail: None },
            DeliveryEvent { at: t0() + Duration::seconds(2), event: DeliveryEventKind::Delivered, detail: None },
        ],
        revoked: None,
        visits,
        token_sha256: None,
    }
}

#[test]
fn an_invites_log_is_read_with_bursts_timing_and_cookies() {
    // A scanner that looks like a browser: three GETs in the same second,
    // 4 s after delivery, no cookie; then the client on a phone hours later,
    // first without, then (a refresh) with the cookie.
    let log = invite(vec![
        visit(4, VisitMethod::Get, CHROME_WIN, None, false),
        visit(4, VisitMethod::Get, CHROME_WIN, None, false),
        visit(5, VisitMethod::Get, CHROME_WIN, None, false),
        visit(3 * HOURS, VisitMethod::Get, SAFARI_IPHONE, Some("T-Mobile USA (AS21928)"), false),
        visit(3 * HOURS + 50, VisitMethod::Get, SAFARI_IPHONE, Some("T-Mobile USA (AS21928)"), true),
    ]);
    let kinds: Vec<VisitKind> = classify_invite(&log).iter().map(|v| v.kind).collect();
    use VisitKind::{Person, Scanner};
    assert_eq!(kinds, [Scanner, Scanner, Scanner, Person, Person]);
    let first = &classify_invite(&log)[0];
    assert!(first.reasons.contains(&Signal::Burst(3)) && first.reasons.contains(&Signal::SoonAfterDelivery(4)));
    assert!(first.reasons.contains(&Signal::CookieLaterElsewhere));

    let forensics = LinkForensics::of(&log);
    assert_eq!((forensics.scanner_visits.len(), forensics.person_visits.len()), (3, 2));
    assert!(forensics.scanner_networks.is_empty() && forensics.rewritten_by.is_none());

    // Safe Links replayed, then nobody: every visit is the scanner's.
    let log = invite(vec![
        visit(3, VisitMethod::Head, HEADLESS, Some("Microsoft (AS8075)"), false),
        visit(3, VisitMethod::Get, HEADLESS, Some("Microsoft (AS8075)"), false),
    ]);
    let forensics = LinkForensics::of(&log);
    assert_eq!((forensics.scanner_visits.len(), forensics.person_visits.len()), (2, 0));
    assert_eq!(forensics.scanner_networks, ["Microsoft (AS8075)"]);

    // A person who refreshes a few times, 40 s apart, is still a person.
    let refreshes: Vec<_> = (0..6).map(|n| visit(2 * HOURS + 40 * n, VisitMethod::Get, FIREFOX, None, n > 0)).collect();
    assert!(classify_invite(&invite(refreshes)).iter().all(|v| v.kind == Person));
}

#[test]
fn a_click_through_a_rewriter_is_not_counted_in_the_scanners_burst() {
    use VisitKind::{Person, Scanner};
    // Hours after delivery the client clicks the Safe Links URL: Microsoft's
    // scanner checks the target (a HEAD and two GETs) and, in the same
    // second, the client's own browser arrives with the rewriter as referrer.
    let at = 3 * HOURS;
    let mut client = visit(at, VisitMethod::Get, EDGE, None, false);
    client.referrer = Some(Phi::new(SAFE_LINKS.into()));
    let log = invite(vec![
        visit(at, VisitMethod::Head, HEADLESS, Some("Microsoft (AS8075)"), false),
        visit(at, VisitMethod::Get, HEADLESS, Some("Microsoft (AS8075)"), false),
        client,
        visit(at + 1, VisitMethod::Get, HEADLESS, Some("Microsoft (AS8075)"), false),
    ]);
    let verdicts = classify_invite(&log);
    let kinds: Vec<VisitKind> = verdicts.iter().map(|v| v.kind).collect();
    assert_eq!(kinds, [Scanner, Scanner, Person, Scanner], "{verdicts:?}");
    assert!(verdicts[0].reasons.contains(&Signal::Burst(3)), "{:?}", verdicts[0].reasons);
    assert!(verdicts[2].reasons.contains(&Signal::ClickedThroughRewriter("Microsoft Safe Links")));
    assert!(!verdicts[2].reasons.iter().any(|s| matches!(s, Signal::Burst(_))), "{:?}", verdicts[2].reasons);
    let forensics = LinkForensics::of(&log);
    assert_eq!((forensics.scanner_visits.len(), forensics.person_visits.len()), (3, 1));
    assert_eq!(forensics.rewritten_by, Some("Microsoft Safe Links"));
}

#[test]
fn a_client_on_the_phone_clicking_right_after_delivery_stays_a_person() {
    use VisitKind::{Person, Scanner};
    // Staff resends while on the phone; Defender checks the link 3 s after
    // delivery and the client clicks a second later, then reloads with the
    // page's cookie.
    let log = invite(vec![
        visit(3, VisitMethod::Head, HEADLESS, Some("Microsoft (AS8075)"), false),
        visit(3, VisitMethod::Get, HEADLESS, Some("Microsoft (AS8075)"), false),
        visit(4, VisitMethod::Get, SAFARI_IPHONE, Some("T-Mobile USA (AS21928)"), false),
        visit(40, VisitMethod::Get, SAFARI_IPHONE, Some("T-Mobile USA (AS21928)"), true),
    ]);
    let verdicts = classify_invite(&log);
    let kinds: Vec<VisitKind> = verdicts.iter().map(|v| v.kind).collect();
    assert_eq!(kinds, [Scanner, Scanner, Person, Person], "{verdicts:?}");
    assert!(verdicts[2].reasons.contains(&Signal::CookieKeptLater), "{:?}", verdicts[2].reasons);
    assert!(verdicts[2].reasons.contains(&Signal::SoonAfterDelivery(4)), "{:?}", verdicts[2].reasons);
}

#[test]
fn two_hundred_visits_classify_correctly() {
    use VisitKind::{Person, Scanner};
    // Safe Links at delivery, then a person who leaves the page open and
    // reloads it every 40 s for over two hours, with one link preview in
    // the middle.
    let mut visits = vec![
        visit(3, VisitMethod::Head, HEADLESS, Some("Microsoft (AS8075)"), false),
        visit(3, VisitMethod::Get, HEADLESS, Some("Microsoft (AS8075)"), false),
        visit(3, VisitMethod::Get, HEADLESS, Some("Microsoft (AS8075)"), false),
    ];
    for n in 0..197 {
        let ua = if n == 100 { "WhatsApp/2.23.20.0" } else { FIREFOX };
        visits.push(visit(HOURS + 40 * n, VisitMethod::Get, ua, Some("Comcast (AS7922)"), n > 0 && n != 100));
    }
    let log = invite(visits);
    assert_eq!(log.visits.len(), 200);
    let kinds: Vec<VisitKind> = classify_invite(&log).iter().map(|v| v.kind).collect();
    let mut want = vec![Scanner; 3];
    want.extend((0..197).map(|n| if n == 100 { Scanner } else { Person }));
    assert_eq!(kinds, want);
}

/// The burst of each visit, by the definition: visits of the same key
/// within the window, counted one pair at a time.
fn naive_bursts(visits: &[LinkVisit]) -> Vec<usize> {
    // Each visit's key once: the definition compares every pair.
    let keys: Vec<_> = visits.iter().map(burst_key).collect();
    visits
        .iter()
        .zip(&keys)
        .map(|(v, key)| {
            visits
                .iter()
                .zip(&keys)
                .filter(|(o, other)| *other == key && (o.at - v.at).abs() <= Duration::seconds(BURST_WINDOW_SECONDS))
                .count()
        })
        .collect()
}

#[test]
fn bursts_count_one_agent_or_one_network_at_a_time() {
    let visits = vec![
        visit(0, VisitMethod::Get, CHROME_WIN, None, false),
        visit(1, VisitMethod::Get, CHROME_WIN, None, false),
        visit(1, VisitMethod::Get, HEADLESS, Some("Microsoft (AS8075)"), false),
        visit(2, VisitMethod::Head, "curl/8.4.0", Some("Microsoft (AS8075)"), false),
        visit(2, VisitMethod::Get, CHROME_WIN, Some("Microsoft (AS8075)"), false),
        visit(3, VisitMethod::Get, CHROME_WIN, None, false),
        visit(10, VisitMethod::Get, CHROME_WIN, None, false),
    ];
    // Chrome counts with Chrome (whatever its network); the programs from
    // Microsoft's network count together.
    assert_eq!(bursts(&visits), [3, 4, 2, 2, 4, 3, 1]);
    assert_eq!(bursts(&visits), naive_bursts(&visits));
    assert!(bursts(&[]).is_empty());
}

#[test]
fn verdicts_serialize_as_kind_and_reasons_in_words() {
    let v = verdict(&Row { method: VisitMethod::Head, ..row(HEADLESS, 3) });
    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(json["kind"], "scanner");
    assert_eq!(json["reasons"][0], "HEAD request: a program checking the link, not a click");
}

proptest::proptest! {
    /// Total: any user agent and referrer give a verdict, never a panic.
    #[test]
    fn any_input_gives_a_verdict(ua in "\\PC{0,200}", referrer in "\\PC{0,200}", after in proptest::option::of(-1_000_000i64..1_000_000)) {
        let v = classify(&VisitFacts {
            method: Some(VisitMethod::Get),
            user_agent: Some(&ua),
            seconds_after_delivery: after,
            network: Some(&ua),
            referrer: Some(&referrer),
            cookies: None,
            burst: 1,
            cookie_later_elsewhere: false,
            cookie_kept_later: true,
        });
        proptest::prop_assert!(v.kind == VisitKind::Unknown || !v.reasons.is_empty());
    }
}

proptest::proptest! {
    /// The sliding window counts what the definition counts, in any order.
    #[test]
    fn bursts_match_their_definition(raw in proptest::collection::vec((0i64..30, 0usize..4, 0usize..3), 0..40)) {
        const AGENTS: [&str; 4] = [CHROME_WIN, SAFARI_IPHONE, HEADLESS, "curl/8.4.0"];
        const NETWORKS: [Option<&str>; 3] = [None, Some("Microsoft (AS8075)"), Some("Comcast (AS7922)")];
        let visits: Vec<LinkVisit> =
            raw.iter().map(|&(at, a, n)| visit(at, VisitMethod::Get, AGENTS[a], NETWORKS[n], false)).collect();
        proptest::prop_assert_eq!(bursts(&visits), naive_bursts(&visits));
    }
}

#[test]
fn kind_names_are_the_serialized_ones() {
    for (kind, name) in
        [(VisitKind::Scanner, "scanner"), (VisitKind::Person, "person"), (VisitKind::Unknown, "unknown")]
    {
        assert_eq!(kind.as_str(), name);
        assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{name}\""));
    }
}
