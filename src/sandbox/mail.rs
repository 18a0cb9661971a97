//! The sandbox's pretend mail system: which addresses it can deliver to, and
//! the email address syntax the portal accepts.

use chrono::Duration;

use crate::portal::model::DeliveryEventKind;

/// Domains that do not exist (common typos of real providers): mail to
/// them bounces.
const DEAD_DOMAINS: &[&str] = &["gmial.com", "gmai.com", "hotmial.com", "yaho.com", "outlok.com", "iclod.com"];

/// Top-level domains the sandbox's mail system knows; anything else
/// (`.cmo`, `.con`) has no mail server and bounces.
const LIVE_TLDS: &[&str] =
    &["com", "net", "org", "edu", "gov", "us", "io", "me", "co", "uk", "ca", "de", "fr", "info", "biz", "health"];

/// What happens to an invite email sent to `address`, as offsets from the
/// moment it is sent.
pub fn delivery_plan(address: &str) -> Vec<(Duration, DeliveryEventKind, Option<&'static str>)> {
    let domain = address.rsplit_once('@').map(|(_, d)| d.to_ascii_lowercase()).unwrap_or_default();
    let tld = domain.rsplit_once('.').map(|(_, t)| t).unwrap_or("");
    let queued = (Duration::zero(), DeliveryEventKind::Queued, None);
    if !LIVE_TLDS.contains(&tld) {
        vec![queued, (Duration::seconds(3), DeliveryEventKind::Bounced, Some("550 5.1.2 domain has no mail server"))]
    } else if DEAD_DOMAINS.contains(&domain.as_str()) {
        vec![queued, (Duration::seconds(3), DeliveryEventKind::Bounced, Some("550 5.1.1 recipient domain not found"))]
    } else {
        vec![queued, (Duration::seconds(2), DeliveryEventKind::Delivered, Some("250 2.0.0 accepted"))]
    }
}

/// Whether the portal accepts `text` as an email address: one `@`, a local
/// part of printable characters, a domain of dot-separated labels of letters,
/// digits and hyphens, and a top-level domain of two or more letters.
pub fn is_address(text: &str) -> bool {
    if text.len() > 254 || text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    if local.is_empty() || local.len() > 64 || domain.contains('@') || !local.is_ascii() {
        return false;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    let tld_ok = labels.last().is_some_and(|t| t.len() >= 2 && t.chars().all(|c| c.is_ascii_alphabetic()));
    labels.len() >= 2 && labels.iter().all(label_ok) && tld_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_bounce_and_real_domains_deliver() {
        let last = |a: &str| delivery_plan(a).last().map(|e| e.1);
        assert_eq!(last("pat@gmail.cmo"), Some(DeliveryEventKind::Bounced));
        assert_eq!(last("pat@yahoo.con"), Some(DeliveryEventKind::Bounced));
        assert_eq!(last("pat@gmial.com"), Some(DeliveryEventKind::Bounced));
        assert_eq!(last("pat@GMAIL.com"), Some(DeliveryEventKind::Delivered));
        assert_eq!(last("pat@comcast.net"), Some(DeliveryEventKind::Delivered));
        assert_eq!(last("garbage"), Some(DeliveryEventKind::Bounced));
    }

    #[test]
    fn address_syntax() {
        for good in ["a@b.co", "jo.smith+portal@mail.example.org", "x@sub-domain.health"] {
            assert!(is_address(good), "{good}");
        }
        for bad in ["", "a", "a@b", "@b.com", "a@b.c", "a b@c.com", "a@@b.com", "a@-b.com", "a@b..com", "a@b.c0m"] {
            assert!(!is_address(bad), "{bad}");
        }
    }
}
