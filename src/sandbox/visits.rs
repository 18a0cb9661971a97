//! Visits to an invite's landing page: who came (as far as a portal can
//! tell), what the page did, and the visit log every request is kept in.
//!
//! The rule the landing page keeps: no request but a POST of the DOB form
//! changes anything but the visit log (and the opening count). A mail
//! scanner that fetches the link with GET or HEAD, however often, can never
//! spend it.

use std::net::IpAddr;

use axum::http::{HeaderMap, Method, header};
use chrono::{DateTime, Utc};
use rusqlite::Connection;

use super::networks;
use super::store::events;
use super::store::invites::{self, StoredInvite};
use crate::phi::Phi;
use crate::portal::model::{EventType, InvalidReason, LinkVisit, ScannerProfile, VisitMethod, VisitOutcome};

/// The cookie the landing page sets, so a later visit from the same browser
/// shows it kept cookies (scanners mostly do not).
pub const COOKIE: &str = "portal_visit";

/// The `Set-Cookie` value of the landing page.
pub const SET_COOKIE: &str = "portal_visit=1; Path=/invite; Max-Age=172800; HttpOnly; SameSite=Lax";

/// User agents and referrers are cut to this many characters.
const MAX_HEADER_CHARS: usize = 512;

/// Who made a request to the landing page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visitor {
    pub method: VisitMethod,
    pub user_agent: Option<String>,
    pub remote: IpAddr,
    pub referrer: Option<String>,
    pub cookies: bool,
}

impl Visitor {
    /// Reads a request; `None` for a method the page does not answer.
    pub fn read(method: &Method, headers: &HeaderMap, peer: Option<IpAddr>) -> Option<Self> {
        let method = match *method {
            Method::GET => VisitMethod::Get,
            Method::HEAD => VisitMethod::Head,
            Method::POST => VisitMethod::Post,
            _ => return None,
        };
        let text = |name| {
            headers
                .get(name)
                .map(|v| {
                    String::from_utf8_lossy(v.as_bytes())
                        .chars()
                        .filter(|c| !c.is_control())
                        .take(MAX_HEADER_CHARS)
                        .collect::<String>()
                })
                .filter(|v| !v.trim().is_empty())
        };
        let visitor_header = headers.get(networks::VISITOR_HEADER).and_then(|v| v.to_str().ok());
        let cookies = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.split(';').any(|pair| pair.split_once('=').is_some_and(|(name, _)| name.trim() == COOKIE)));
        Some(Self {
            method,
            user_agent: text(header::USER_AGENT),
            remote: networks::visitor(visitor_header, peer),
            referrer: text(header::REFERER),
            cookies,
        })
    }

    /// The visit as the log keeps it.
    pub fn visit(&self, at: DateTime<Utc>, outcome: VisitOutcome, invalid_reason: Option<InvalidReason>) -> LinkVisit {
        LinkVisit {
            at,
            method: self.method,
            user_agent: self.user_agent.clone(),
            remote: Phi::new(self.remote.to_string()),
            network: networks::label(self.remote).map(str::to_owned),
            referrer: self.referrer.clone().map(Phi::new),
            cookies: self.cookies,
            outcome,
            invalid_reason,
            typed_dob: None,
        }
    }
}

/// A request that only shows the page (any method but a POST of the DOB
/// form): counts the opening, logs the visit, and says why the link does
/// not work (`None` when it does). Nothing else changes.
pub fn show_page(
    conn: &Connection,
    stored: &StoredInvite,
    visitor: &Visitor,
    now: DateTime<Utc>,
) -> rusqlite::Result<Option<InvalidReason>> {
    let reason = InvalidReason::of_status(stored.invite.status);
    if visitor.method != VisitMethod::Post {
        invites::record_open(conn, stored)?;
    }
    let outcome = if reason.is_some() { VisitOutcome::InvalidLink } else { VisitOutcome::PageShown };
    invites::record_visit(conn, stored.rowid, &visitor.visit(now, outcome, reason))?;
    let (invite_id, account_id) = (&stored.invite.id, &stored.invite.account_id);
    events::invite_event(conn, EventType::InviteVisit, invite_id, account_id, None, now)?;
    Ok(reason)
}

/// The requests a mail scanner of this kind makes when a message arrives,
/// as the sandbox replays them (`POST /sandbox/invites/{id}/scanner-visit`).
pub fn scanner(profile: ScannerProfile) -> Vec<Visitor> {
    let at = |method, ua: &str, addr: [u8; 4]| Visitor {
        method,
        user_agent: Some(ua.to_owned()),
        remote: IpAddr::from(addr),
        referrer: None,
        cookies: false,
    };
    const HEADLESS: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                            HeadlessChrome/120.0.6099.71 Safari/537.36";
    const OLD_IE: &str = "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko";
    match profile {
        ScannerProfile::SafeLinks => vec![
            at(VisitMethod::Head, HEADLESS, [40, 94, 88, 17]),
            at(VisitMethod::Get, HEADLESS, [40, 94, 88, 17]),
            at(VisitMethod::Get, HEADLESS, [40, 94, 91, 203]),
        ],
        ScannerProfile::UrlDefense => {
            vec![at(VisitMethod::Get, OLD_IE, [148, 163, 150, 12]), at(VisitMethod::Get, OLD_IE, [148, 163, 150, 13])]
        }
        ScannerProfile::Gmail => vec![at(
            VisitMethod::Get,
            "Mozilla/5.0 (compatible; Google-Safety; +http://www.google.com/bot.html)",
            [66, 249, 84, 33],
        )],
        ScannerProfile::LinkPreview => vec![at(
            VisitMethod::Get,
            "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17029; Pro)",
            [52, 100, 10, 5],
        )],
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn reads_the_request_and_only_the_pages_own_cookie() {
        let mut headers = HeaderMap::new();
        headers.insert(header::USER_AGENT, HeaderValue::from_static("Mozilla/5.0 (iPhone) Safari/604.1"));
        headers.insert(header::COOKIE, HeaderValue::from_static("other=1; portal_visit=1"));
        headers.insert(networks::VISITOR_HEADER, HeaderValue::from_static("40.94.1.2"));
        let v = Visitor::read(&Method::HEAD, &headers, Some(IpAddr::from([127, 0, 0, 1]))).unwrap();
        assert_eq!(v.method, VisitMethod::Head);
        assert!(v.cookies);
        assert_eq!(v.remote, IpAddr::from([40, 94, 1, 2]));
        assert_eq!(v.referrer, None);
        let logged = v.visit(DateTime::UNIX_EPOCH, VisitOutcome::PageShown, None);
        assert_eq!(logged.network.as_deref(), Some("Microsoft (AS8075)"));

        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("portal_visit_old=1"));
        let v = Visitor::read(&Method::GET, &headers, None).unwrap();
        assert!(!v.cookies && v.user_agent.is_none());
        // The address header is a loopback test hook: from another peer it
        // is ignored, and so is the network it would have named.
        let mut headers = HeaderMap::new();
        headers.insert(networks::VISITOR_HEADER, HeaderValue::from_static("40.94.1.2"));
        let v = Visitor::read(&Method::GET, &headers, Some(IpAddr::from([73, 14, 2, 9]))).unwrap();
        assert_eq!(v.remote, IpAddr::from([73, 14, 2, 9]));
        let logged = v.visit(DateTime::UNIX_EPOCH, VisitOutcome::PageShown, None);
        assert_eq!(logged.network.as_deref(), Some("Comcast (AS7922)"));
        assert!(Visitor::read(&Method::DELETE, &headers, None).is_none());
    }
}
