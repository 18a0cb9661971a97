//! Which network a visitor's address belongs to, for the visit log.
//!
//! A production portal would look the address up in an IP-to-ASN database.
//! The sandbox carries a small table of address ranges that the networks
//! below publish (or are registered for); the ranges are real, but the table
//! is far from complete, and an address outside it has no label. Since the
//! sandbox listens on loopback, every real visitor is `127.0.0.1`: a test or
//! demo states the address it stands for in the sandbox-only
//! `X-Sandbox-Visitor-Addr` header (see [`VISITOR_HEADER`]), honoured only
//! on a connection from the loopback interface, and the label is then
//! derived from that address by this table, never taken from the request.

use std::net::{IpAddr, Ipv4Addr};

/// The sandbox-only request header naming the visitor's address.
pub const VISITOR_HEADER: &str = "x-sandbox-visitor-addr";

/// `(first address, prefix length, label)`.
const RANGES: &[([u8; 4], u8, &str)] = &[
    // Exchange Online Protection / Defender for Office 365 (Safe Links).
    ([40, 92, 0, 0], 15, "Microsoft (AS8075)"),
    ([40, 94, 0, 0], 16, "Microsoft (AS8075)"),
    ([40, 107, 0, 0], 16, "Microsoft (AS8075)"),
    ([52, 100, 0, 0], 14, "Microsoft (AS8075)"),
    ([104, 47, 0, 0], 17, "Microsoft (AS8075)"),
    // Proofpoint (URL Defense).
    ([148, 163, 128, 0], 19, "Proofpoint (AS22843)"),
    ([67, 231, 144, 0], 20, "Proofpoint (AS26211)"),
    // Mimecast.
    ([205, 139, 110, 0], 24, "Mimecast (AS30031)"),
    ([207, 211, 30, 0], 24, "Mimecast (AS30031)"),
    // Barracuda.
    ([64, 235, 144, 0], 20, "Barracuda (AS15324)"),
    ([209, 222, 80, 0], 21, "Barracuda (AS15324)"),
    // Google (Gmail's link checks).
    ([66, 249, 64, 0], 19, "Google (AS15169)"),
    ([209, 85, 128, 0], 17, "Google (AS15169)"),
    ([74, 125, 0, 0], 16, "Google (AS15169)"),
    // Ordinary access networks, so people's visits have labels too.
    ([73, 0, 0, 0], 8, "Comcast (AS7922)"),
    ([172, 32, 0, 0], 11, "T-Mobile USA (AS21928)"),
    ([174, 192, 0, 0], 10, "Verizon Wireless (AS6167)"),
];

/// The label of the network `addr` is in, if the table knows it.
pub fn label(addr: IpAddr) -> Option<&'static str> {
    let IpAddr::V4(v4) = addr else {
        return None;
    };
    let bits = u32::from(v4);
    RANGES.iter().find_map(|(first, prefix, label)| {
        let mask = u32::MAX.checked_shl(32 - u32::from(*prefix)).unwrap_or(0);
        (bits & mask == u32::from(Ipv4Addr::from(*first)) & mask).then_some(*label)
    })
}

/// The visitor's address: the `X-Sandbox-Visitor-Addr` header when it holds
/// an IP address and the request came from the loopback interface (the
/// header is a test hook: a test or demo on the same machine states the
/// address a visit stands for), else the connection's peer. From any other
/// peer the header is ignored, so a visitor cannot pick its own network
/// label. A malformed header is ignored too (the landing page never fails a
/// client over it).
pub fn visitor(header: Option<&str>, peer: Option<IpAddr>) -> IpAddr {
    let trusted = peer.is_some_and(|p| p.to_canonical().is_loopback());
    header
        .filter(|_| trusted)
        .and_then(|h| h.trim().parse::<IpAddr>().ok())
        .or(peer)
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn known_ranges_have_labels() {
        assert_eq!(label(ip("40.94.88.17")), Some("Microsoft (AS8075)"));
        assert_eq!(label(ip("40.93.255.255")), Some("Microsoft (AS8075)"));
        assert_eq!(label(ip("148.163.150.12")), Some("Proofpoint (AS22843)"));
        assert_eq!(label(ip("66.249.66.1")), Some("Google (AS15169)"));
        assert_eq!(label(ip("172.58.10.20")), Some("T-Mobile USA (AS21928)"));
        assert_eq!(label(ip("127.0.0.1")), None);
        assert_eq!(label(ip("40.91.255.255")), None);
        assert_eq!(label(ip("::1")), None);
    }

    #[test]
    fn the_header_names_the_visitor_only_when_it_is_an_address() {
        let peer = Some(ip("127.0.0.1"));
        assert_eq!(visitor(Some(" 40.94.1.2 "), peer), ip("40.94.1.2"));
        assert_eq!(visitor(Some("not an address"), peer), ip("127.0.0.1"));
        assert_eq!(visitor(None, None), ip("127.0.0.1"));
        assert_eq!(visitor(Some("40.94.1.2"), Some(ip("::1"))), ip("40.94.1.2"));
        assert_eq!(visitor(Some("40.94.1.2"), Some(ip("::ffff:127.0.0.1"))), ip("40.94.1.2"));
    }

    #[test]
    fn the_header_is_honoured_only_from_the_loopback_interface() {
        // A visitor on the network cannot claim Microsoft's address.
        for peer in ["203.0.113.5", "10.0.0.7", "192.168.1.20", "2001:db8::1"] {
            assert_eq!(visitor(Some("40.94.1.2"), Some(ip(peer))), ip(peer), "{peer}");
        }
        // With no peer known, nothing vouches for the header.
        assert_eq!(visitor(Some("40.94.1.2"), None), ip("127.0.0.1"));
    }
}
