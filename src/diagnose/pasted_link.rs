//! The link a client pastes: often not our invite link but a mail security
//! service's wrapper around it, sometimes several nested (a forwarded mail).
//! Each layer is unwrapped where its scheme can be decoded offline, named
//! and marked opaque where it cannot (Mimecast, click-tracking redirects),
//! and never guessed through.
//!
//! Pure: no network, no clock. Total: any text gives an answer.

use base64::Engine;
use percent_encoding::percent_decode_str;
use serde::Serialize;
use url::Url;

/// The most layers unwrapped (a forwarded mail nests a few; a loop of
/// wrappers must end).
pub const MAX_LAYERS: usize = 8;

/// The characters of an invite token the portal sends (32 hex digits).
pub const TOKEN_LEN: usize = 32;

/// A wrapper a link came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, strum::IntoStaticStr, strum::Display)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Wrapper {
    /// Microsoft Defender for Office 365 Safe Links.
    MicrosoftSafeLinks,
    /// Proofpoint URL Defense, version 1 (`/v1/url?u=`, percent-encoded).
    ProofpointV1,
    /// Proofpoint URL Defense, version 2 (`/v2/url?u=`, `-XX` escapes and
    /// `_` for `/`).
    ProofpointV2,
    /// Proofpoint URL Defense, version 3 (`/v3/__…__;…!`, characters
    /// replaced by `*` and carried base64url-encoded).
    ProofpointV3,
    /// Barracuda Link Protection (`linkprotect.cudasvc.com/url?a=`).
    BarracudaLinkProtect,
    /// Cisco Secure Email (`secure-web.cisco.com/<opaque>/<encoded url>`).
    CiscoSecureWeb,
    /// A Google redirect (`google.com/url?q=`).
    GoogleRedirect,
    /// Amazon SES click tracking (`*.awstrack.me/L0/<encoded url>/…`).
    AmazonSesTracking,
    /// Mimecast URL Protect: the target is kept by Mimecast, not in the link.
    MimecastUrlProtect,
    /// A mail service's click-tracking redirect: the target is kept by the
    /// service.
    ClickTracking,
}

impl Wrapper {
    /// Its name for people.
    pub fn label(self) -> &'static str {
        match self {
            Wrapper::MicrosoftSafeLinks => "Microsoft Safe Links",
            Wrapper::ProofpointV1 => "Proofpoint URL Defense (v1)",
            Wrapper::ProofpointV2 => "Proofpoint URL Defense (v2)",
            Wrapper::ProofpointV3 => "Proofpoint URL Defense (v3)",
            Wrapper::BarracudaLinkProtect => "Barracuda Link Protection",
            Wrapper::CiscoSecureWeb => "Cisco Secure Email",
            Wrapper::GoogleRedirect => "a Google redirect",
            Wrapper::AmazonSesTracking => "Amazon SES click tracking",
            Wrapper::MimecastUrlProtect => "Mimecast URL Protect",
            Wrapper::ClickTracking => "a mail service's click tracking",
        }
    }
}

/// One layer peeled off (or recognised and left shut).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Layer {
    pub wrapper: Wrapper,
    /// The wrapping service's host.
    pub host: String,
    /// True when the link inside cannot be decoded offline.
    pub opaque: bool,
}

/// What a pasted link unwraps to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unwrapped {
    /// The innermost link, or `None` when a layer cannot be decoded offline
    /// (or the text is not a link at all).
    pub decoded: Option<String>,
    /// Every layer unwrapped or recognised, outermost first.
    pub layers: Vec<Layer>,
    /// The invite token of the innermost link, if it is an invite link.
    pub token: Option<String>,
    /// The text is no URL at all (a word, a fragment, nothing).
    #[serde(skip)]
    pub not_a_link: bool,
}

/// What a finding about a pasted link is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum LinkFindingCode {
    /// The text is no web link.
    NotALink,
    /// A mail service wrapped the link; the wrapper was decoded.
    Wrapped,
    /// A layer keeps its target elsewhere: it cannot be read offline.
    Opaque,
    /// The innermost link is no invite link.
    NotAnInviteLink,
    /// The token is not as long as a real one: cut or mangled in the copy.
    TokenLength,
    /// The link is an invite link with a whole token.
    InviteLink,
}

/// One finding about a pasted link. Holds no PHI (no token, no address).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkFinding {
    pub code: LinkFindingCode,
    pub message: String,
}

/// The whole answer about a pasted link (`portaldesk check link --json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkCheck {
    #[serde(flatten)]
    pub unwrapped: Unwrapped,
    pub findings: Vec<LinkFinding>,
}

/// Unwraps a pasted link and says what it found.
pub fn check_link(input: &str) -> LinkCheck {
    let unwrapped = unwrap_link(input);
    let findings = link_findings(&unwrapped);
    LinkCheck { unwrapped, findings }
}

/// What there is to say about an unwrapped link, on its own (without the
/// account's invites).
pub fn link_findings(u: &Unwrapped) -> Vec<LinkFinding> {
    let mut out = Vec::new();
    let mut add = |code, message: String| out.push(LinkFinding { code, message });
    if u.not_a_link {
        add(LinkFindingCode::NotALink, "This is not a web link: ask the client to copy the whole link again".into());
        return out;
    }
    let decoded: Vec<&str> = u.layers.iter().filter(|l| !l.opaque).map(|l| l.wrapper.label()).collect();
    if !decoded.is_empty() {
        add(
            LinkFindingCode::Wrapped,
            format!(
                "The client's mail service wrapped the link ({}); the link inside was read from it",
                decoded.join(" inside ")
            ),
        );
    }
    if let Some(layer) = u.layers.iter().find(|l| l.opaque) {
        add(
            LinkFindingCode::Opaque,
            format!(
                "{} keeps the real link on its own servers, so it cannot be read here: ask the client to forward \
                 the invite email, or resend it",
                layer.wrapper.label()
            ),
        );
        return out;
    }
    match &u.token {
        None => add(
            LinkFindingCode::NotAnInviteLink,
            "The link inside is not a portal invite link (no /invite/ token)".into(),
        ),
        Some(token) if token.chars().count() != TOKEN_LEN => add(
            LinkFindingCode::TokenLength,
            format!(
                "The invite token has {} characters where a real one has {TOKEN_LEN}: the link was cut or \
                 changed when it was copied; ask the client to click the link in the email instead",
                token.chars().count()
            ),
        ),
        Some(_) => add(LinkFindingCode::InviteLink, "An invite link with a whole token".into()),
    }
    out
}

/// Unwraps a pasted link. Surrounding whitespace, angle brackets and quotes
/// are ignored.
pub fn unwrap_link(input: &str) -> Unwrapped {
    let mut text = trim_pasted(input).to_owned();
    let Some(mut url) = parse(&text) else {
        return Unwrapped { decoded: None, layers: Vec::new(), token: None, not_a_link: true };
    };
    let mut layers = Vec::new();
    while layers.len() < MAX_LAYERS {
        match peel(&url) {
            Peeled::Plain => break,
            Peeled::Opaque(wrapper) => {
                layers.push(Layer { wrapper, host: host(&url), opaque: true });
                return Unwrapped { decoded: None, layers, token: None, not_a_link: false };
            }
            Peeled::Inner(wrapper, inner) => {
                layers.push(Layer { wrapper, host: host(&url), opaque: false });
                text = trim_pasted(&inner).to_owned();
                match parse(&text) {
                    Some(next) => url = next,
                    // The wrapper held something that is no link: say what
                    // it held, as the innermost text, with no token.
                    None => return Unwrapped { decoded: Some(text), layers, token: None, not_a_link: false },
                }
            }
        }
    }
    // The innermost link as it was written, not as a URL parser would
    // normalise it (a default port, a trailing slash).
    let token = invite_token(&url);
    Unwrapped { decoded: Some(text), layers, token, not_a_link: false }
}

/// The text without what mail clients and people put around a link.
fn trim_pasted(text: &str) -> &str {
    text.trim().trim_matches(|c: char| matches!(c, '<' | '>' | '"' | '\'' | '(' | ')' | '[' | ']') || c.is_whitespace())
}

/// A URL, with `www.` links given their scheme. Only http and https count.
fn parse(text: &str) -> Option<Url> {
    let url = match Url::parse(text) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) if !text.contains(char::is_whitespace) && text.contains('.') => {
            Url::parse(&format!("https://{text}")).ok()?
        }
        Err(_) => return None,
    };
    matches!(url.scheme(), "http" | "https").then_some(url)
}

fn host(url: &Url) -> String {
    url.host_str().unwrap_or_default().to_ascii_lowercase()
}

enum Peeled {
    /// No wrapper this module knows.
    Plain,
    /// A wrapper whose target is not in the link.
    Opaque(Wrapper),
    /// A wrapper and the link it held.
    Inner(Wrapper, String),
}

fn query(url: &Url, name: &str) -> Option<String> {
    url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

fn is_host(host: &str, domain: &str) -> bool {
    host == domain || host.strip_suffix(domain).is_some_and(|rest| rest.ends_with('.'))
}

fn peel(url: &Url) -> Peeled {
    let host = host(url);
    let path = url.path();
    if is_host(&host, "safelinks.protection.outlook.com") {
        return inner_or_plain(Wrapper::MicrosoftSafeLinks, query(url, "url"));
    }
    if is_host(&host, "urldefense.proofpoint.com") || is_host(&host, "urldefense.com") {
        if path.starts_with("/v3/") {
            return inner_or_plain(Wrapper::ProofpointV3, proofpoint_v3(url.as_str()));
        }
        if path.starts_with("/v2/") {
            return inner_or_plain(Wrapper::ProofpointV2, query(url, "u").map(|u| proofpoint_v2(&u)));
        }
        if path.starts_with("/v1/") {
            return inner_or_plain(Wrapper::ProofpointV1, query(url, "u"));
        }
    }
    if is_host(&host, "linkprotect.cudasvc.com") {
        return inner_or_plain(Wrapper::BarracudaLinkProtect, query(url, "a"));
    }
    if is_host(&host, "secure-web.cisco.com") {
        return inner_or_plain(Wrapper::CiscoSecureWeb, cisco(path));
    }
    if is_google(&host) && path == "/url" {
        return inner_or_plain(Wrapper::GoogleRedirect, query(url, "q").or_else(|| query(url, "url")));
    }
    if is_host(&host, "awstrack.me")
        && let Some(inner) = aws_tracked(path)
    {
        return Peeled::Inner(Wrapper::AmazonSesTracking, inner);
    }
    if is_host(&host, "mimecast.com") && host.starts_with("protect") {
        return Peeled::Opaque(Wrapper::MimecastUrlProtect);
    }
    if is_click_tracking(&host, path) {
        return Peeled::Opaque(Wrapper::ClickTracking);
    }
    Peeled::Plain
}

fn inner_or_plain(wrapper: Wrapper, inner: Option<String>) -> Peeled {
    match inner {
        Some(inner) if !inner.trim().is_empty() => Peeled::Inner(wrapper, inner),
        // A wrapper's host with nothing inside: it cannot be decoded.
        _ => Peeled::Opaque(wrapper),
    }
}

fn is_google(host: &str) -> bool {
    let bare = host.strip_prefix("www.").unwrap_or(host);
    bare.strip_prefix("google.").is_some_and(|tld| !tld.is_empty() && tld.split('.').all(|p| p.len() <= 3))
}

/// Click-tracking redirects of common mail services: the target is looked
/// up by the service when clicked.
fn is_click_tracking(host: &str, path: &str) -> bool {
    (is_host(host, "sendgrid.net") && path.starts_with("/ls/click"))
        || (is_host(host, "list-manage.com") && path.starts_with("/track/click"))
        || (host.starts_with("email.") && path.starts_with("/c/"))
        || (is_host(host, "mandrillapp.com") && path.starts_with("/track/click"))
        || is_host(host, "hubspotlinks.com")
        || (is_host(host, "awstrack.me") && aws_tracked(path).is_none())
}

/// Amazon SES click tracking keeps the target in the path:
/// `/L0/<percent-encoded url>/<n>/<id>`.
fn aws_tracked(path: &str) -> Option<String> {
    let encoded = path.strip_prefix("/L0/")?.split('/').next()?;
    let inner = percent_decode_str(encoded).decode_utf8_lossy().into_owned();
    inner.starts_with("http").then_some(inner)
}

/// Proofpoint v2: `-XX` is the escape of byte XX, `_` is `/`.
fn proofpoint_v2(u: &str) -> String {
    let text: String = u.chars().map(|c| if c == '_' { '/' } else { c }).collect();
    let escaped = text.replace('-', "%");
    percent_decode_str(&escaped).decode_utf8_lossy().into_owned()
}

/// Cisco Secure Email: the path is `/<opaque>/<percent-encoded url>`.
fn cisco(path: &str) -> Option<String> {
    let rest = path.strip_prefix('/')?;
    let (_, encoded) = rest.split_once('/')?;
    Some(percent_decode_str(encoded).decode_utf8_lossy().into_owned())
}

/// Proofpoint v3: `https://urldefense.com/v3/__<url>__;<base64url>!!…$`.
/// Each `*` in the url stands for the next character of the decoded bytes;
/// `**X` for a run of them, its length given by X (A = 2, B = 3, …), as in
/// Proofpoint's own published decoder.
fn proofpoint_v3(link: &str) -> Option<String> {
    let after = link.split_once("/v3/__")?.1;
    let (url, rest) = after.split_once("__;")?;
    let encoded = rest.split('!').next().unwrap_or_default();
    let url = percent_decode_str(url).decode_utf8_lossy().into_owned();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(encoded.trim_end_matches('=')).ok()?;
    let replacements: Vec<char> = String::from_utf8(bytes).ok()?.chars().collect();
    const RUNS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut next = replacements.into_iter();
    let mut out = String::with_capacity(url.len());
    let mut chars = url.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '*' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'*') {
            chars.next();
            let length = chars.next().and_then(|code| RUNS.find(code)).map(|i| i + 2)?;
            for _ in 0..length {
                out.push(next.next()?);
            }
        } else {
            out.push(next.next()?);
        }
    }
    Some(out)
}

/// The token of an invite link (`…/invite/<token>`), if this is one. A
/// token of another length is still returned: the caller compares it with
/// the invites' and says when it looks cut or mangled.
pub fn invite_token(url: &Url) -> Option<String> {
    let mut segments = url.path_segments()?;
    segments.by_ref().find(|s| *s == "invite")?;
    let token = segments.next()?.trim();
    (!token.is_empty()).then(|| token.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const INVITE: &str = "https://portal.example.com/invite/0123456789abcdef0123456789abcdef";
    const TOKEN: &str = "0123456789abcdef0123456789abcdef";

    fn wrappers(u: &Unwrapped) -> Vec<Wrapper> {
        u.layers.iter().map(|l| l.wrapper).collect()
    }

    #[test]
    fn a_plain_invite_link_has_no_layers_and_its_token() {
        let u = unwrap_link(&format!("  <{INVITE}>\n"));
        assert_eq!(u.decoded.as_deref(), Some(INVITE));
        assert!(u.layers.is_empty());
        assert_eq!(u.token.as_deref(), Some(TOKEN));
    }

    #[test]
    fn safe_links_unwrap() {
        let wrapped = format!(
            "https://nam12.safelinks.protection.outlook.com/?url={}&data=05%7C02%7C&reserved=0",
            percent_encoding::utf8_percent_encode(INVITE, percent_encoding::NON_ALPHANUMERIC)
        );
        let u = unwrap_link(&wrapped);
        assert_eq!(wrappers(&u), [Wrapper::MicrosoftSafeLinks]);
        assert_eq!(u.decoded.as_deref(), Some(INVITE));
        assert_eq!(u.token.as_deref(), Some(TOKEN));
    }

    #[test]
    fn proofpoint_v2_unwraps_its_escapes() {
        let wrapped = "https://urldefense.proofpoint.com/v2/url?u=https-3A__portal.example.com_invite_0123456789abcdef0123456789abcdef&d=DwMFaQ&c=abc&r=xyz&m=1&s=2&e=";
        let u = unwrap_link(wrapped);
        assert_eq!(wrappers(&u), [Wrapper::ProofpointV2]);
        assert_eq!(u.decoded.as_deref(), Some(INVITE));
    }

    #[test]
    fn proofpoint_v3_puts_back_the_starred_characters() {
        // Proofpoint's own published example.
        let wrapped = "https://urldefense.com/v3/__https://google.com:443/search?q=a*test&gs=ps__;Kw!-612Flbf0JvQ3kNJkRi5Jg!Ue6tQudNKaShHg93trcdjqDP8se2ySE65jyCIe2K1D_uNjZ1Lnf6YLQERujngZv9UWf66ujQIQ$";
        let u = unwrap_link(wrapped);
        assert_eq!(wrappers(&u), [Wrapper::ProofpointV3]);
        assert_eq!(u.decoded.as_deref(), Some("https://google.com:443/search?q=a+test&gs=ps"));
        // A run (`**A`: two characters).
        let wrapped = format!("https://urldefense.com/v3/__https://portal.example.com/invite/{}**A__;", &TOKEN[..30]);
        let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&TOKEN[30..]);
        let u = unwrap_link(&format!("{wrapped}{encoded}!!x$"));
        assert_eq!(u.token.as_deref(), Some(TOKEN));
    }

    #[test]
    fn barracuda_cisco_and_google_unwrap() {
        let enc = percent_encoding::utf8_percent_encode(INVITE, percent_encoding::NON_ALPHANUMERIC).to_string();
        for (wrapped, wrapper) in [
            (format!("https://linkprotect.cudasvc.com/url?a={enc}&c=E,1,abc&typo=1"), Wrapper::BarracudaLinkProtect),
            (format!("https://secure-web.cisco.com/1AbCdEf-opaque_token/{enc}"), Wrapper::CiscoSecureWeb),
            (format!("https://www.google.com/url?q={enc}&sa=D&source=hangouts"), Wrapper::GoogleRedirect),
            (format!("https://abc.r.us-east-1.awstrack.me/L0/{enc}/1/0100-abc=/XYZ=123"), Wrapper::AmazonSesTracking),
        ] {
            let u = unwrap_link(&wrapped);
            assert_eq!(wrappers(&u), [wrapper], "{wrapped}");
            assert_eq!(u.token.as_deref(), Some(TOKEN), "{wrapped}");
        }
    }

    #[test]
    fn nested_wrappers_unwrap_layer_by_layer() {
        let enc = |s: &str| percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string();
        let safe = format!("https://eur01.safelinks.protection.outlook.com/?url={}&data=1", enc(INVITE));
        let google = format!("https://www.google.com/url?q={}", enc(&safe));
        let barracuda = format!("https://linkprotect.cudasvc.com/url?a={}&c=E", enc(&google));
        let u = unwrap_link(&barracuda);
        assert_eq!(wrappers(&u), [Wrapper::BarracudaLinkProtect, Wrapper::GoogleRedirect, Wrapper::MicrosoftSafeLinks]);
        assert_eq!(u.token.as_deref(), Some(TOKEN));
    }

    #[test]
    fn opaque_layers_are_named_never_guessed() {
        let u = unwrap_link("https://protect-us.mimecast.com/s/AbCdEfGhIjKl?domain=portal.example.com");
        assert_eq!(wrappers(&u), [Wrapper::MimecastUrlProtect]);
        assert!(u.layers[0].opaque);
        assert_eq!((u.decoded, u.token), (None, None));
        let u = unwrap_link("https://u123.ct.sendgrid.net/ls/click?upn=abcdef");
        assert_eq!(wrappers(&u), [Wrapper::ClickTracking]);
        assert_eq!(u.decoded, None);
    }

    #[test]
    fn text_that_is_no_link_says_so() {
        for text in ["", "   ", "hello there", "<>", "mailto:a@b.c", "javascript:alert(1)"] {
            let u = unwrap_link(text);
            assert!(u.not_a_link, "{text:?}");
            assert_eq!(u.decoded, None);
        }
    }

    #[test]
    fn a_cut_token_is_returned_for_comparison() {
        let u = unwrap_link(&INVITE[..INVITE.len() - 5]);
        assert_eq!(u.token.as_deref().map(str::len), Some(TOKEN_LEN - 5));
    }

    proptest::proptest! {
        #[test]
        fn any_text_gives_an_answer(text in "\\PC{0,300}") {
            let u = unwrap_link(&text);
            proptest::prop_assert!(u.layers.len() <= MAX_LAYERS);
        }

        #[test]
        fn any_wrapper_shaped_text_gives_an_answer(
            prefix in proptest::sample::select(vec![
                "https://urldefense.com/v3/__", "https://urldefense.proofpoint.com/v2/url?u=",
                "https://a.safelinks.protection.outlook.com/?url=", "https://secure-web.cisco.com/x/",
                "https://linkprotect.cudasvc.com/url?a=", "https://www.google.com/url?q=",
            ]),
            rest in "[ -~]{0,200}",
        ) {
            let _ = unwrap_link(&format!("{prefix}{rest}"));
        }
    }
}
