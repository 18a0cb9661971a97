//! Who opened an invite link: a mail scanner (or a link preview, or some
//! other prefetch) or a person.
//!
//! Mail security services (Microsoft Defender Safe Links, Proofpoint URL
//! Defense, Mimecast, Barracuda, Gmail's link checks) and link previews open
//! every link of an arriving message, seconds after delivery. Their visits
//! make an unread email look opened. The classifier reads what the portal
//! keeps of a visit and says which it was, and why.
//!
//! - Decisive alone: a HEAD request, a scanner's, preview's, headless
//!   browser's or HTTP library's user agent.
//! - A known scanner network (Microsoft AS8075, Google AS15169, Proofpoint,
//!   ...) is decisive only together with a non-browser agent, a HEAD or a
//!   visit within 30 s of delivery: people browse from those networks too
//!   (Windows 365, Azure Virtual Desktop, Google's VPN). Otherwise it is
//!   only suggestive.
//! - Suggestive (two make a scanner): within 30 s of delivery, a burst (3 or
//!   more visits within 2 s from the same agent, or, for programs and
//!   missing agents, from the same network), no cookie while a later visit
//!   from another agent carried it, a referrer from a link-rewriting service
//!   on a visit that is not an ordinary browser's, no user agent at all.
//! - An ordinary browser (Chrome, Safari, Firefox, Edge, Samsung Internet,
//!   an in-app mail browser) with at most one suggestive sign is a person;
//!   so is anyone who submitted the DOB form, and an ordinary browser that
//!   sends back the page's own cookie (a person refreshing the page, however
//!   fast: scanners keep no cookie), short of a decisive sign. A rewritten-link referrer on
//!   an ordinary browser is a person clicking through the rewriter (the
//!   scanner behind the rewriter makes its own, separate requests).
//!
//! Pure: no I/O, no clock; every time is in the facts.

use std::collections::{HashMap, HashSet};

use chrono::Duration;
use serde::{Serialize, Serializer};

use crate::portal::model::{Invite, LinkVisit, VisitMethod};

/// A visit this soon after delivery looks automatic.
pub const SCANNER_WINDOW_SECONDS: i64 = 30;
/// Visits this close together form a burst...
pub const BURST_WINDOW_SECONDS: i64 = 2;
/// ...when there are at least this many.
pub const BURST_VISITS: usize = 3;

/// What the classifier makes of a visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum VisitKind {
    /// A mail scanner, link preview or other prefetch.
    Scanner,
    /// A person in a browser.
    Person,
    /// Not enough to tell.
    Unknown,
}

impl VisitKind {
    /// The wire name (serde and strum both derive it).
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// One thing the classifier noticed about a visit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Signal {
    /// HEAD: a program checking the link, never a click.
    HeadRequest,
    /// The user agent of a scanner, preview, headless browser or HTTP
    /// library; the words name which.
    ScannerAgent(&'static str),
    /// A network mail scanners run from (`Microsoft (AS8075)`), with a
    /// non-browser agent, a HEAD or right after delivery.
    ScannerNetwork(String),
    /// A network mail scanners run from, but an ordinary browser well after
    /// delivery: cloud desktops and VPNs share those networks.
    SharedNetwork(String),
    /// This many seconds after delivery (only when within the window).
    SoonAfterDelivery(i64),
    /// This many visits within 2 s from the same agent (or network).
    Burst(usize),
    /// No cookie, while a later visit from another agent carried it.
    CookieLaterElsewhere,
    /// The referrer is a link-rewriting service, and the agent is not an
    /// ordinary browser.
    RewrittenReferrer(&'static str),
    /// An ordinary browser that came through a link-rewriting service: a
    /// person clicking the rewritten link.
    ClickedThroughRewriter(&'static str),
    /// A later visit from the same agent carried the page's cookie: a
    /// browser that keeps cookies.
    CookieKeptLater,
    /// No user agent at all.
    NoUserAgent,
    /// An ordinary browser; the words name it.
    Browser(&'static str),
    /// Submitted the page's form.
    SubmittedForm,
    /// Carried the page's cookie (a browser that kept it).
    CarriedCookie,
    /// Opened this long after delivery (outside the scanner window).
    LaterThanDelivery(i64),
    /// A user agent that is neither a known browser nor a known program.
    UnrecognisedAgent,
}

impl Signal {
    /// Whether the signal alone makes a scanner.
    pub fn is_decisive(&self) -> bool {
        matches!(self, Signal::HeadRequest | Signal::ScannerAgent(_) | Signal::ScannerNetwork(_))
    }

    /// Whether the signal points to a scanner at all.
    pub fn is_suggestive(&self) -> bool {
        matches!(
            self,
            Signal::SoonAfterDelivery(_)
                | Signal::Burst(_)
                | Signal::CookieLaterElsewhere
                | Signal::RewrittenReferrer(_)
                | Signal::NoUserAgent
                | Signal::SharedNetwork(_)
        )
    }

    /// The signal in words, for staff.
    pub fn describe(&self) -> String {
        match self {
            Signal::HeadRequest => "HEAD request: a program checking the link, not a click".into(),
            Signal::ScannerAgent(what) => format!("user agent of {what}"),
            Signal::ScannerNetwork(network) => format!("from {network}, a network mail scanners run from"),
            Signal::SharedNetwork(network) => {
                format!("from {network}: mail scanners run there, but so do cloud desktops and VPNs")
            }
            Signal::SoonAfterDelivery(s) => format!("{s}s after the email was delivered"),
            Signal::Burst(n) => format!("{n} visits within {BURST_WINDOW_SECONDS}s"),
            Signal::CookieLaterElsewhere => {
                "no cookie, while a later visit from another browser carried the page's cookie".into()
            }
            Signal::RewrittenReferrer(service) => format!("came through a rewritten link ({service})"),
            Signal::ClickedThroughRewriter(service) => {
                format!("a browser that came through a rewritten link ({service}): a person clicking it")
            }
            Signal::CookieKeptLater => "the same browser came back carrying the page's cookie".into(),
            Signal::NoUserAgent => "no user agent".into(),
            Signal::Browser(name) => format!("an ordinary browser ({name})"),
            Signal::SubmittedForm => "submitted the date-of-birth form".into(),
            Signal::CarriedCookie => "carried the page's cookie from an earlier visit".into(),
            Signal::LaterThanDelivery(s) => format!("opened {} after delivery", span(*s)),
            Signal::UnrecognisedAgent => "user agent is neither a known browser nor a known program".into(),
        }
    }
}

impl Serialize for Signal {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.describe())
    }
}

/// The classifier's answer: the kind and what it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub kind: VisitKind,
    pub reasons: Vec<Signal>,
}

/// What is known of one visit.
#[derive(Debug, Clone, Copy, Default)]
pub struct VisitFacts<'a> {
    pub method: Option<VisitMethod>,
    pub user_agent: Option<&'a str>,
    /// Seconds from delivery to the visit, when delivery is known.
    pub seconds_after_delivery: Option<i64>,
    pub network: Option<&'a str>,
    pub referrer: Option<&'a str>,
    /// Whether it carried the page's cookie, when known.
    pub cookies: Option<bool>,
    /// Visits within 2 s of this one from the same agent (for programs and
    /// missing agents: from the same network), itself included (0 when
    /// unknown).
    pub burst: usize,
    /// No cookie here, while a later visit from another agent carried it.
    pub cookie_later_elsewhere: bool,
    /// A later visit from the same agent carried the page's cookie.
    pub cookie_kept_later: bool,
}

/// Classifies one visit.
pub fn classify(facts: &VisitFacts<'_>) -> Verdict {
    let mut signals = Vec::new();
    let head = facts.method == Some(VisitMethod::Head);
    if head {
        signals.push(Signal::HeadRequest);
    }
    let agent = facts.user_agent.map(str::trim).filter(|a| !a.is_empty());
    let browser = agent.and_then(browser_name);
    match agent {
        None => signals.push(Signal::NoUserAgent),
        Some(agent) => {
            if let Some(what) = scanner_agent(agent) {
                signals.push(Signal::ScannerAgent(what));
            }
        }
    }
    let soon = facts.seconds_after_delivery.filter(|s| (0..=SCANNER_WINDOW_SECONDS).contains(s));
    if let Some(network) = facts.network.filter(|n| is_scanner_network(n)) {
        // People use cloud desktops and VPNs on these networks: the network
        // decides only with another sign of a program.
        if browser.is_none() || head || soon.is_some() {
            signals.push(Signal::ScannerNetwork(network.to_owned()));
        } else {
            signals.push(Signal::SharedNetwork(network.to_owned()));
        }
    }
    if let Some(s) = soon {
        signals.push(Signal::SoonAfterDelivery(s));
    }
    if facts.burst >= BURST_VISITS {
        signals.push(Signal::Burst(facts.burst));
    }
    if facts.cookie_later_elsewhere {
        signals.push(Signal::CookieLaterElsewhere);
    }
    let rewritten = facts.referrer.and_then(rewriting_service);
    if let Some(service) = rewritten
        && browser.is_none()
    {
        signals.push(Signal::RewrittenReferrer(service));
    }

    let decisive = signals.iter().any(Signal::is_decisive);
    let suggestive = signals.iter().filter(|s| s.is_suggestive()).count();
    // An ordinary browser sending back the page's own cookie was on the
    // page before and kept it: a person refreshing, however fast (scanners
    // keep no cookie), unless a decisive sign says otherwise.
    let kept_ours = facts.cookies == Some(true) && browser.is_some();
    if decisive || suggestive >= 2 && !kept_ours {
        return Verdict { kind: VisitKind::Scanner, reasons: signals };
    }
    let mut reasons = Vec::new();
    let form = facts.method == Some(VisitMethod::Post);
    if form {
        reasons.push(Signal::SubmittedForm);
    }
    match browser {
        Some(name) => reasons.push(Signal::Browser(name)),
        None if agent.is_some() => reasons.push(Signal::UnrecognisedAgent),
        None => {}
    }
    if let Some(service) = rewritten
        && browser.is_some()
    {
        reasons.push(Signal::ClickedThroughRewriter(service));
    }
    if facts.cookies == Some(true) {
        reasons.push(Signal::CarriedCookie);
    } else if facts.cookie_kept_later && browser.is_some() {
        reasons.push(Signal::CookieKeptLater);
    }
    if let Some(s) = facts.seconds_after_delivery.filter(|s| *s > SCANNER_WINDOW_SECONDS) {
        reasons.push(Signal::LaterThanDelivery(s));
    }
    reasons.extend(signals);
    let kind = if form || browser.is_some() { VisitKind::Person } else { VisitKind::Unknown };
    Verdict { kind, reasons }
}

/// Visits are told apart in bursts by this: the user agent of an ordinary
/// browser, else (programs, missing agents) the network when it is known,
/// else the agent as sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum BurstKey<'a> {
    Agent(Option<&'a str>),
    Network(&'a str),
}

fn burst_key(visit: &LinkVisit) -> BurstKey<'_> {
    let agent = visit.user_agent.as_deref().map(str::trim).filter(|a| !a.is_empty());
    match (agent.and_then(browser_name), visit.network.as_deref()) {
        (None, Some(network)) => BurstKey::Network(network),
        _ => BurstKey::Agent(agent),
    }
}

/// For each visit, how many visits with the same burst key lie within
/// `BURST_WINDOW_SECONDS` of it (itself included). A sliding window over
/// each key's visits in time order: O(n log n), not O(n²).
fn bursts(visits: &[LinkVisit]) -> Vec<usize> {
    let mut groups: HashMap<BurstKey<'_>, Vec<usize>> = HashMap::new();
    for (n, visit) in visits.iter().enumerate() {
        groups.entry(burst_key(visit)).or_default().push(n);
    }
    let window = Duration::seconds(BURST_WINDOW_SECONDS);
    let mut out = vec![0; visits.len()];
    for mut group in groups.into_values() {
        // The log is oldest first; a stable sort keeps it total if it is not.
        group.sort_by_key(|&n| visits[n].at);
        let (mut low, mut high) = (0, 0);
        for (i, &n) in group.iter().enumerate() {
            let at = visits[n].at;
            while at - visits[group[low]].at > window {
                low += 1;
            }
            high = high.max(i);
            while high + 1 < group.len() && visits[group[high + 1]].at - at <= window {
                high += 1;
            }
            out[n] = high - low + 1;
        }
    }
    out
}

/// For each visit: whether a later visit carried the page's cookie from
/// another agent, and from the same agent. One pass from the end.
fn later_cookies(visits: &[LinkVisit]) -> Vec<(bool, bool)> {
    // Up to two distinct agents among the later cookie-carrying visits are
    // enough to tell whether one of them differs from a given agent.
    let mut cookie_agents: Vec<Option<&str>> = Vec::with_capacity(2);
    let mut same: HashSet<Option<&str>> = HashSet::new();
    let mut out = vec![(false, false); visits.len()];
    for (n, visit) in visits.iter().enumerate().rev() {
        let agent = visit.user_agent.as_deref();
        if !visit.cookies {
            let elsewhere = cookie_agents.iter().any(|a| *a != agent);
            out[n] = (elsewhere, same.contains(&agent));
        }
        if visit.cookies {
            if cookie_agents.len() < 2 && !cookie_agents.contains(&agent) {
                cookie_agents.push(agent);
            }
            same.insert(agent);
        }
    }
    out
}

/// Classifies every visit of an invite, in the order of `invite.visits`,
/// from the visit log: timing against delivery (or, before a delivery is
/// reported, the sending), bursts, and cookies seen later. Linear-ish in
/// the length of the log (it is sorted once per burst key).
pub fn classify_invite(invite: &Invite) -> Vec<Verdict> {
    let delivered = invite.delivered_at().unwrap_or(invite.sent_at);
    let visits = &invite.visits;
    let bursts = bursts(visits);
    let later = later_cookies(visits);
    visits
        .iter()
        .zip(bursts)
        .zip(later)
        .map(|((visit, burst), (cookie_later_elsewhere, cookie_kept_later))| {
            classify(&VisitFacts {
                method: Some(visit.method),
                user_agent: visit.user_agent.as_deref(),
                seconds_after_delivery: Some((visit.at - delivered).num_seconds()),
                network: visit.network.as_deref(),
                referrer: visit.referrer.as_ref().map(|r| r.expose().as_str()),
                cookies: Some(visit.cookies),
                burst,
                cookie_later_elsewhere,
                cookie_kept_later,
            })
        })
        .collect()
}

/// What the visit log of one invite says, for the troubleshooting engine.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LinkForensics {
    /// Visits classified as a scanner or prefetch.
    pub scanner_visits: Vec<LinkVisit>,
    /// Visits classified as a person.
    pub person_visits: Vec<LinkVisit>,
    /// Visits that could not be told.
    pub unknown_visits: usize,
    /// Every visit but the scanners', in order (people and unknowns).
    pub not_by_scanners: Vec<LinkVisit>,
    /// The scanners' networks, as labelled, first seen first.
    pub scanner_networks: Vec<String>,
    /// The link-rewriting service a visit came through, if any.
    pub rewritten_by: Option<&'static str>,
}

impl LinkForensics {
    /// Openings (GET or HEAD) by anyone but a mail scanner.
    pub fn openings_not_by_scanners(&self) -> u32 {
        let openings = self.not_by_scanners.iter().filter(|v| v.method != VisitMethod::Post).count();
        u32::try_from(openings).unwrap_or(u32::MAX)
    }

    /// Reads an invite's visit log.
    pub fn of(invite: &Invite) -> Self {
        let mut out = Self::default();
        for (visit, verdict) in invite.visits.iter().zip(classify_invite(invite)) {
            if out.rewritten_by.is_none() {
                out.rewritten_by = visit.referrer.as_ref().and_then(|r| rewriting_service(r.expose()));
            }
            match verdict.kind {
                VisitKind::Scanner => {
                    if let Some(network) = &visit.network
                        && !out.scanner_networks.contains(network)
                    {
                        out.scanner_networks.push(network.clone());
                    }
                    out.scanner_visits.push(visit.clone());
                }
                VisitKind::Person => {
                    out.person_visits.push(visit.clone());
                    out.not_by_scanners.push(visit.clone());
                }
                VisitKind::Unknown => {
                    out.unknown_visits += 1;
                    out.not_by_scanners.push(visit.clone());
                }
            }
        }
        out
    }
}

/// The name of an ordinary browser, if the user agent is one.
pub fn browser_name(agent: &str) -> Option<&'static str> {
    let lower = agent.to_ascii_lowercase();
    if !lower.starts_with("mozilla/5.0") || scanner_agent(agent).is_some() {
        return None;
    }
    let has = |needle: &str| lower.contains(needle);
    let name = if has("samsungbrowser/") {
        "Samsung Internet"
    } else if has("edg/") || has("edga/") || has("edgios/") {
        "Edge"
    } else if has("opr/") {
        "Opera"
    } else if has("firefox/") || has("fxios/") {
        "Firefox"
    } else if has("fban") || has("fbav") || has("instagram") {
        "an in-app browser"
    } else if has("gsa/") || has("gmail") || has("outlook") || has("ymail") {
        "an in-app mail browser"
    } else if has("crios/") || has("chrome/") {
        "Chrome"
    } else if has("safari/") {
        "Safari"
    } else if has("applewebkit/") && has("mobile/") {
        "an in-app mail browser"
    } else {
        return None;
    };
    Some(name)
}

/// What kind of program a user agent belongs to, if it is a scanner,
/// preview, headless browser, HTTP library or crawler.
pub fn scanner_agent(agent: &str) -> Option<&'static str> {
    const MARKERS: &[(&str, &str)] = &[
        ("headlesschrome", "a headless browser"),
        ("headless", "a headless browser"),
        ("phantomjs", "a headless browser"),
        ("puppeteer", "a headless browser"),
        ("playwright", "a headless browser"),
        ("selenium", "a headless browser"),
        ("python-requests", "an HTTP library"),
        ("python-urllib", "an HTTP library"),
        ("python-httpx", "an HTTP library"),
        ("aiohttp", "an HTTP library"),
        ("curl/", "an HTTP library"),
        ("wget/", "an HTTP library"),
        ("go-http-client", "an HTTP library"),
        ("java/", "an HTTP library"),
        ("okhttp", "an HTTP library"),
        ("apache-httpclient", "an HTTP library"),
        ("libwww-perl", "an HTTP library"),
        ("node-fetch", "an HTTP library"),
        ("axios/", "an HTTP library"),
        ("undici", "an HTTP library"),
        ("winhttp", "an HTTP library"),
        ("powershell", "an HTTP library"),
        ("scrapy", "an HTTP library"),
        ("google-safety", "a mail security scanner (Google)"),
        ("gmail-content-sampling", "a mail security scanner (Google)"),
        ("googleimageproxy", "Gmail's image proxy (Google)"),
        ("ggpht.com", "Gmail's image proxy (Google)"),
        ("safelinks", "a mail security scanner (Microsoft)"),
        ("proofpoint", "a mail security scanner (Proofpoint)"),
        ("urldefense", "a mail security scanner (Proofpoint)"),
        ("mimecast", "a mail security scanner (Mimecast)"),
        ("barracuda", "a mail security scanner (Barracuda)"),
        ("ironport", "a mail security scanner (Cisco)"),
        ("trend micro", "a mail security scanner (Trend Micro)"),
        ("symantec", "a mail security scanner (Symantec)"),
        ("forcepoint", "a mail security scanner (Forcepoint)"),
        ("fireeye", "a mail security scanner (FireEye)"),
        ("linkexpanding", "a link unfurler (Slack)"),
        ("skypeuripreview", "a link-preview fetcher (Skype, Teams)"),
        ("preview", "a link-preview fetcher"),
        ("microsoft office", "a link-preview fetcher (Microsoft Office)"),
        ("ms-office", "a link-preview fetcher (Microsoft Office)"),
        ("msoffice", "a link-preview fetcher (Microsoft Office)"),
        ("facebookexternalhit", "a link-preview fetcher"),
        ("whatsapp/", "a link-preview fetcher"),
        ("iframely", "a link-preview fetcher"),
        ("embedly", "a link-preview fetcher"),
        ("crawler", "a crawler"),
        ("spider", "a crawler"),
    ];
    let lower = agent.to_ascii_lowercase();
    if let Some((_, what)) = MARKERS.iter().find(|(marker, _)| lower.contains(marker)) {
        return Some(what);
    }
    // Googlebot, bingbot, Slackbot, ...: a word ending in "bot". Short words
    // are left alone (CUBOT is a phone maker).
    let bot = lower.split(|c: char| !c.is_ascii_alphanumeric()).any(|word| word.len() >= 6 && word.ends_with("bot"));
    bot.then_some("a crawler or bot")
}

/// Whether a network label names a network mail scanners run from.
pub fn is_scanner_network(label: &str) -> bool {
    const NETWORKS: &[&str] = &[
        "microsoft",
        "as8075",
        "proofpoint",
        "as22843",
        "as26211",
        "mimecast",
        "as30031",
        "barracuda",
        "as15324",
        "google",
        "as15169",
        "cisco",
        "ironport",
    ];
    let lower = label.to_ascii_lowercase();
    NETWORKS.iter().any(|n| lower.contains(n))
}

/// The link-rewriting service a referrer belongs to, if any.
pub fn rewriting_service(referrer: &str) -> Option<&'static str> {
    let (host, path) = host_and_path(referrer)?;
    let is = |domain: &str| host == domain || host.ends_with(&format!(".{domain}"));
    if is("safelinks.protection.outlook.com") {
        Some("Microsoft Safe Links")
    } else if is("urldefense.com") || is("urldefense.proofpoint.com") {
        Some("Proofpoint URL Defense")
    } else if is("mimecast.com") && host.starts_with("protect") {
        Some("Mimecast URL Protect")
    } else if is("cudasvc.com") {
        Some("Barracuda Link Protection")
    } else if is("secure-web.cisco.com") {
        Some("Cisco Secure Email")
    } else if is("clicktime.symantec.com") {
        Some("Symantec Click-time protection")
    } else if (host == "www.google.com" || host == "google.com") && path.starts_with("/url") {
        Some("Google's link redirect")
    } else {
        None
    }
}

/// The host (lowercase, without user info or port) and path of a URL.
/// Total: any text gives an answer or `None`.
fn host_and_path(url: &str) -> Option<(String, &str)> {
    let rest = url.trim().split_once("://").map(|(_, rest)| rest)?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    let host = authority.rsplit_once('@').map(|(_, h)| h).unwrap_or(authority);
    let host = host.split(':').next().unwrap_or("").trim_end_matches('.').to_ascii_lowercase();
    (!host.is_empty()).then_some((host, path))
}

/// `12s`, `5m`, `3h`, `2 days`.
fn span(seconds: i64) -> String {
    match seconds {
        i64::MIN..=59 => format!("{seconds}s"),
        60..=3599 => format!("{}m", seconds / 60),
        3600..=172_799 => format!("{}h", seconds / 3600),
        _ => format!("{} days", seconds / 86_400),
    }
}

#[cfg(test)]
mod tests;
