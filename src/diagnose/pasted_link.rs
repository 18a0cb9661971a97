//! The link a client pastes: often not our invite link but a mail security
//! service's wrapper around it, sometimes several nested (a forwarded mail).
//!
//! Each layer whose query, path or fragment carries a URL is unwrapped,
//! whatever its host: the URL may be plain, percent-encoded (once or
//! several times) or base64 (URL-safe or standard, padded or not). A
//! wrapper this module knows is named by name (Safe Links, Proofpoint,
//! Mimecast, ...); any other is "redirect via <host>". A layer that
//! carries no URL keeps its target on its own servers: it is marked opaque
//! and never guessed through, and then nothing is `decoded`.
//!
//! What decides, layer by layer, outermost first:
//! 1. A known wrapper's own scheme (Proofpoint's `-XX` escapes and starred
//!    characters), else the first URL carried in its query (the usual
//!    names first: `url`, `u`, `q`, `target`, `redirect`, ...), its path
//!    (a segment, or a plain `http…` tail) or its fragment.
//! 2. No URL carried: the portal's invite link (`/invite/<token>`) is the
//!    answer; a known wrapper, or a link shaped like a click tracker
//!    (tracking words in its host or path, an opaque id in its path or a
//!    redirect parameter without a URL), is opaque; any other link is the
//!    answer as it is (no invite link: the findings say so).
//!
//! A link pasted with a sentence around it is picked out of it, and the
//! sentence's punctuation after it (`.`, `,`, `)`, `!`, `?`, `;`, `:`,
//! quotes, `>`) is no part of it, but a `)` that closes a `(` in the link is.
//!
//! Pure: no network, no clock. Total: any text gives an answer.

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use percent_encoding::percent_decode_str;
use serde::Serialize;
use url::Url;

/// The most layers unwrapped (a forwarded mail nests a few; a loop of
/// wrappers must end).
pub const MAX_LAYERS: usize = 8;

/// The characters of an invite token the portal sends (32 hex digits).
pub const TOKEN_LEN: usize = 32;

/// The most decoding steps tried on one carried value (percent-encoded
/// several times, base64 inside percent-encoding, ...).
const MAX_DECODES: usize = 8;

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
    /// Trend Micro Email Security's click-time protection
    /// (`*.trendmicro.com/wis/clicktime/v1/query?url=`).
    TrendMicroClickTime,
    /// Sophos Email's time-of-click check (`*.protection.sophos.com/?u=`,
    /// the URL in base64).
    SophosTimeOfClick,
    /// Symantec (Broadcom) click-time URL protection
    /// (`clicktime.symantec.com/…?u=`).
    SymantecClickTime,
    /// Trellix (FireEye) Email Security (`protect2.fireeye.com/v1/url?u=`).
    TrellixEmailSecurity,
    /// Facebook's link shim (`l.facebook.com/l.php?u=`).
    FacebookLinkShim,
    /// LinkedIn's redirect (`linkedin.com/redir/redirect?url=`).
    LinkedInRedirect,
    /// Slack's redirect (`slack-redir.net/link?url=`).
    SlackRedirect,
    /// SendGrid click tracking (`*.sendgrid.net/ls/click`): the target is
    /// kept by the service.
    SendGridClickTracking,
    /// Mailchimp click tracking (`*.list-manage.com/track/click`).
    MailchimpClickTracking,
    /// Mandrill click tracking (`mandrillapp.com/track/click`).
    MandrillClickTracking,
    /// HubSpot click tracking (`*.hubspotlinks.com`).
    HubSpotClickTracking,
    /// Mailgun click tracking (`email.<domain>/c/…`).
    MailgunClickTracking,
    /// A redirect this module does not know by name: "redirect via <host>".
    Redirect,
}

impl Wrapper {
    /// Its name for people; a [`Wrapper::Redirect`] is named with its host
    /// by [`Layer`]'s `name`.
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
            Wrapper::TrendMicroClickTime => "Trend Micro click-time protection",
            Wrapper::SophosTimeOfClick => "Sophos time-of-click protection",
            Wrapper::SymantecClickTime => "Symantec click-time protection",
            Wrapper::TrellixEmailSecurity => "Trellix (FireEye) Email Security",
            Wrapper::FacebookLinkShim => "Facebook's link shim",
            Wrapper::LinkedInRedirect => "a LinkedIn redirect",
            Wrapper::SlackRedirect => "a Slack redirect",
            Wrapper::SendGridClickTracking => "SendGrid click tracking",
            Wrapper::MailchimpClickTracking => "Mailchimp click tracking",
            Wrapper::MandrillClickTracking => "Mandrill click tracking",
            Wrapper::HubSpotClickTracking => "HubSpot click tracking",
            Wrapper::MailgunClickTracking => "Mailgun click tracking",
            Wrapper::Redirect => "a redirect",
        }
    }
}

/// One layer peeled off (or recognised and left shut).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Layer {
    pub wrapper: Wrapper,
    /// Its name for people: the wrapper's, or "redirect via <host>".
    pub name: String,
    /// The wrapping service's host.
    pub host: String,
    /// True when the layer carries no URL: its target is kept elsewhere.
    pub opaque: bool,
}

impl Layer {
    fn new(wrapper: Wrapper, url: &Url, opaque: bool) -> Self {
        let host = host(url);
        let name = match wrapper {
            Wrapper::Redirect => format!("redirect via {host}"),
            known => known.label().to_owned(),
        };
        Self { wrapper, name, host, opaque }
    }
}

/// What a pasted link unwraps to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unwrapped {
    /// The innermost link, or `None` when a layer carries no URL (or the
    /// text is not a link at all).
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
    let decoded: Vec<&str> = u.layers.iter().filter(|l| !l.opaque).map(|l| l.name.as_str()).collect();
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
                capital(&layer.name)
            ),
        );
        return out;
    }
    match &u.token {
        None if u.decoded.is_none() => add(
            LinkFindingCode::Opaque,
            "The link is wrapped more times than are read here: ask the client to forward the invite email, \
             or resend it"
                .into(),
        ),
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

fn capital(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Unwraps a pasted link: the link in the text (the text itself, or the
/// first link in a sentence), without what people and mail clients put
/// around it.
pub fn unwrap_link(input: &str) -> Unwrapped {
    let not_a_link = Unwrapped { decoded: None, layers: Vec::new(), token: None, not_a_link: true };
    let Some((mut text, mut url)) = pick_link(input) else {
        return not_a_link;
    };
    let mut layers = Vec::new();
    loop {
        match peel(&url) {
            Peeled::Plain => break,
            Peeled::Opaque(wrapper) => {
                layers.push(Layer::new(wrapper, &url, true));
                return Unwrapped { decoded: None, layers, token: None, not_a_link: false };
            }
            Peeled::Inner(wrapper, inner, next) => {
                if layers.len() == MAX_LAYERS {
                    // Still wrapped after as many layers as are read: what
                    // it holds is not known.
                    return Unwrapped { decoded: None, layers, token: None, not_a_link: false };
                }
                layers.push(Layer::new(wrapper, &url, false));
                (text, url) = (inner, next);
            }
        }
    }
    // The innermost link as it was written, not as a URL parser would
    // normalise it (a default port, a trailing slash).
    let token = invite_token(&url);
    Unwrapped { decoded: Some(text), layers, token, not_a_link: false }
}

/// The link in what was pasted: the whole text when it is one, else the
/// first word of it that is one. Its text and its parse.
fn pick_link(input: &str) -> Option<(String, Url)> {
    let whole = trim_pasted(input);
    if let Some(url) = parse(whole).filter(|_| !whole.contains(char::is_whitespace)) {
        return Some((whole.to_owned(), url));
    }
    input.split_whitespace().map(trim_pasted).filter(|word| looks_absolute(word)).find_map(|word| {
        let url = parse(word)?;
        Some((word.to_owned(), url))
    })
}

/// Starts as a web link does (`http://`, `https://`, `www.`).
fn looks_absolute(text: &str) -> bool {
    let starts = |prefix: &str| text.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix));
    starts("http://") || starts("https://") || starts("www.")
}

/// The text without what mail clients and people put around a link:
/// whitespace, angle brackets, brackets and quotes before it; after it,
/// those and a sentence's punctuation, but a `)` or `]` that closes one
/// opened inside the link.
fn trim_pasted(text: &str) -> &str {
    const QUOTES: &[char] = &['"', '\'', '\u{2018}', '\u{2019}', '\u{201c}', '\u{201d}', '\u{ab}', '\u{bb}', '`'];
    let mut text =
        text.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '<' | '(' | '[') || QUOTES.contains(&c));
    loop {
        text = text.trim_end();
        let Some(last) = text.chars().next_back() else {
            return text;
        };
        let closes =
            |open: char, close: char| last == close && text.matches(open).count() >= text.matches(close).count();
        let strip = match last {
            ')' => !closes('(', ')'),
            ']' => !closes('[', ']'),
            '.' | ',' | '!' | '?' | ';' | ':' | '>' => true,
            c => QUOTES.contains(&c),
        };
        if !strip {
            return text;
        }
        text = &text[..text.len() - last.len_utf8()];
    }
}

/// A URL, with `www.` links given their scheme. Only http and https count.
fn parse(text: &str) -> Option<Url> {
    let url = match Url::parse(text) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase)
            if !text.contains(char::is_whitespace) && text.contains('.') && !text.starts_with(['/', '.']) =>
        {
            Url::parse(&format!("https://{text}")).ok()?
        }
        Err(_) => return None,
    };
    (matches!(url.scheme(), "http" | "https") && url.host_str().is_some_and(|h| !h.is_empty())).then_some(url)
}

fn host(url: &Url) -> String {
    url.host_str().unwrap_or_default().to_ascii_lowercase()
}

enum Peeled {
    /// The link itself: no URL inside, not a redirect.
    Plain,
    /// A wrapper whose target is not in the link.
    Opaque(Wrapper),
    /// A wrapper and the link it carried: its text and its parse.
    Inner(Wrapper, String, Url),
}

fn is_host(host: &str, domain: &str) -> bool {
    host == domain || host.strip_suffix(domain).is_some_and(|rest| rest.ends_with('.'))
}

/// The wrapper this module knows the link to be, by host and path.
fn known(url: &Url) -> Option<Wrapper> {
    let host = host(url);
    let path = url.path();
    let on = |domain: &str| is_host(&host, domain);
    let proofpoint = on("urldefense.proofpoint.com") || on("urldefense.com");
    let wrapper = if on("safelinks.protection.outlook.com") {
        Wrapper::MicrosoftSafeLinks
    } else if proofpoint && path.starts_with("/v3/") {
        Wrapper::ProofpointV3
    } else if proofpoint && path.starts_with("/v2/") {
        Wrapper::ProofpointV2
    } else if proofpoint && path.starts_with("/v1/") {
        Wrapper::ProofpointV1
    } else if on("linkprotect.cudasvc.com") {
        Wrapper::BarracudaLinkProtect
    } else if on("secure-web.cisco.com") {
        Wrapper::CiscoSecureWeb
    } else if is_google(&host) && path == "/url" {
        Wrapper::GoogleRedirect
    } else if on("awstrack.me") {
        Wrapper::AmazonSesTracking
    } else if on("mimecast.com") && host.starts_with("protect") {
        Wrapper::MimecastUrlProtect
    } else if on("trendmicro.com") && path.contains("/clicktime/") {
        Wrapper::TrendMicroClickTime
    } else if on("protection.sophos.com") {
        Wrapper::SophosTimeOfClick
    } else if on("clicktime.symantec.com") {
        Wrapper::SymantecClickTime
    } else if on("fireeye.com") && host.starts_with("protect") {
        Wrapper::TrellixEmailSecurity
    } else if on("l.facebook.com") || on("lm.facebook.com") {
        Wrapper::FacebookLinkShim
    } else if on("linkedin.com") && path.starts_with("/redir/") {
        Wrapper::LinkedInRedirect
    } else if on("slack-redir.net") {
        Wrapper::SlackRedirect
    } else if on("sendgrid.net") && path.starts_with("/ls/click") {
        Wrapper::SendGridClickTracking
    } else if on("list-manage.com") && path.starts_with("/track/click") {
        Wrapper::MailchimpClickTracking
    } else if on("mandrillapp.com") && path.starts_with("/track/click") {
        Wrapper::MandrillClickTracking
    } else if on("hubspotlinks.com") {
        Wrapper::HubSpotClickTracking
    } else if host.starts_with("email.") && path.starts_with("/c/") {
        Wrapper::MailgunClickTracking
    } else {
        return None;
    };
    Some(wrapper)
}

fn peel(url: &Url) -> Peeled {
    let wrapper = known(url);
    let own = match wrapper {
        Some(Wrapper::ProofpointV3) => proofpoint_v3(url.as_str()),
        Some(Wrapper::ProofpointV2) => raw_query(url).find(|(k, _)| *k == "u").map(|(_, u)| proofpoint_v2(u)),
        _ => None,
    };
    let inner = own.and_then(|text| as_link(&text)).or_else(|| carried(url));
    match (wrapper, inner) {
        (wrapper, Some((text, next))) => Peeled::Inner(wrapper.unwrap_or(Wrapper::Redirect), text, next),
        (Some(wrapper), None) => Peeled::Opaque(wrapper),
        (None, None) if invite_token(url).is_some() => Peeled::Plain,
        (None, None) if looks_like_redirect(url) => Peeled::Opaque(Wrapper::Redirect),
        (None, None) => Peeled::Plain,
    }
}

fn is_google(host: &str) -> bool {
    let bare = host.strip_prefix("www.").unwrap_or(host);
    bare.strip_prefix("google.").is_some_and(|tld| !tld.is_empty() && tld.split('.').all(|p| p.len() <= 3))
}

// ------------------------------------------------------- carried links

/// Query parameters that carry a redirect's target, the usual first.
const TARGET_KEYS: &[&str] = &[
    "url",
    "u",
    "q",
    "target",
    "redirect",
    "redirect_url",
    "redirect_uri",
    "redirecturl",
    "dest",
    "destination",
    "link",
    "goto",
    "to",
    "r",
    "href",
    "l",
    "next",
    "continue",
    "return",
    "returnurl",
    "return_url",
    "out",
    "a",
    "d",
    "data",
];

/// Query parameters that name a redirect's target for sure: a link with
/// one of them and no URL in it is a redirect keeping its target (`q` is
/// left out: a search's words).
const SURE_TARGET_KEYS: &[&str] = &[
    "url",
    "u",
    "target",
    "redirect",
    "redirect_url",
    "redirect_uri",
    "redirecturl",
    "dest",
    "destination",
    "link",
    "goto",
];

/// A query's pairs as written (nothing decoded: a `+` may be base64's).
fn raw_query(url: &Url) -> impl Iterator<Item = (&str, &str)> {
    url.query().unwrap_or_default().split('&').filter_map(|pair| pair.split_once('='))
}

/// The first URL the link carries: in a query parameter (the usual names
/// first), in its path (a segment, or a plain `http…` tail), or in its
/// fragment.
fn carried(url: &Url) -> Option<(String, Url)> {
    let rank = |key: &str| TARGET_KEYS.iter().position(|k| k.eq_ignore_ascii_case(key)).unwrap_or(TARGET_KEYS.len());
    let mut query: Vec<(&str, &str)> = raw_query(url).collect();
    query.sort_by_key(|(key, _)| rank(key));
    // A query's value is percent-encoded once as a query component (a `+`
    // is left alone: it may be base64's); what it then holds is decoded
    // by `as_link` as often as it takes.
    let component = |value: &str| as_link(&percent_decode_str(value).decode_utf8_lossy());
    let in_query = query.into_iter().find_map(|(_, value)| component(value));
    in_query.or_else(|| in_path(url)).or_else(|| {
        let fragment = url.fragment()?;
        fragment.split('&').filter_map(|pair| pair.split_once('=').map(|(_, v)| v)).find_map(component)
    })
}

/// A URL in the path: a plain `http…` tail (the query after it is its
/// own), else a segment that decodes to one.
fn in_path(url: &Url) -> Option<(String, Url)> {
    let path = url.path();
    let lower = path.to_ascii_lowercase();
    let tail = ["/http:/", "/https:/"].iter().filter_map(|p| lower.find(p)).min().map(|at| at + 1);
    if let Some(at) = tail {
        let mut text = path.get(at..).unwrap_or_default().to_owned();
        // `https:/x` (a path's slashes merged) is put right.
        for scheme in ["https:/", "http:/"] {
            if let Some(rest) = text.strip_prefix(scheme).filter(|r| !r.starts_with('/')) {
                text = format!("{scheme}/{rest}");
                break;
            }
        }
        if let Some(query) = url.query() {
            text = format!("{text}?{query}");
        }
        if let Some(found) = as_link(&text) {
            return Some(found);
        }
    }
    path.split('/').filter(|segment| segment.len() >= 8).find_map(as_link)
}

/// The URL a carried value is, decoded as often as it takes: percent
/// escapes (once or several times) and base64 (either alphabet, padded or
/// not). `None` when it decodes to no web link.
fn as_link(value: &str) -> Option<(String, Url)> {
    let mut text = value.trim().to_owned();
    for _ in 0..MAX_DECODES {
        if looks_absolute(&text) {
            break;
        }
        let next = if text.contains('%') {
            percent_decode_str(&text).decode_utf8_lossy().into_owned()
        } else {
            from_base64(&text)?
        };
        if next == text {
            return None;
        }
        text = next.trim().to_owned();
    }
    let trimmed = trim_pasted(&text);
    looks_absolute(trimmed).then(|| parse(trimmed).map(|url| (trimmed.to_owned(), url)))?
}

/// Base64 text (either alphabet, padded or not) decoded to UTF-8 text.
fn from_base64(text: &str) -> Option<String> {
    const CONFIG: GeneralPurposeConfig = GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true);
    const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, CONFIG);
    const STANDARD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, CONFIG);
    let base64ish = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '-' | '_' | '=');
    if text.len() < 8 || !text.chars().all(base64ish) {
        return None;
    }
    let bytes = URL_SAFE.decode(text).or_else(|_| STANDARD.decode(text)).ok()?;
    String::from_utf8(bytes).ok()
}

/// A link that carries no URL but is shaped like a click tracker: tracking
/// words in its host or path, a long opaque id in its path, or a redirect
/// parameter holding no URL.
fn looks_like_redirect(url: &Url) -> bool {
    const HOST_WORDS: &[&str] = &[
        "click",
        "clicks",
        "track",
        "tracking",
        "trk",
        "redirect",
        "redir",
        "link",
        "links",
        "lnk",
        "go",
        "r",
        "t",
        "url",
        "urls",
        "safelink",
        "safelinks",
        "protect",
        "clicktime",
        "ct",
        "out",
    ];
    const PATH_WORDS: &[&str] = &[
        "c",
        "l",
        "r",
        "t",
        "ls",
        "cl",
        "ct",
        "click",
        "clicks",
        "track",
        "tracking",
        "trk",
        "redirect",
        "redir",
        "link",
        "links",
        "out",
        "go",
        "goto",
        "away",
        "url",
        "wf",
        "ss",
        "clicktime",
        "e",
        "tn.jsp",
        "l.php",
        "away.php",
        "redirect.php",
    ];
    let host = host(url);
    let first_label = host.split('.').next().unwrap_or_default();
    let host_words = host.split(['.', '-']).any(|label| HOST_WORDS.contains(&label))
        || ["click", "track", "redir", "safelink", "clicktime"].iter().any(|w| first_label.contains(w));
    let segments: Vec<String> = url
        .path_segments()
        .map(|s| s.filter(|s| !s.is_empty()).map(str::to_ascii_lowercase).collect())
        .unwrap_or_default();
    let path_words = segments.iter().any(|s| PATH_WORDS.contains(&s.as_str()));
    let opaque_id = segments.iter().any(|s| is_opaque_id(s));
    let target_key = raw_query(url)
        .any(|(key, value)| SURE_TARGET_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key)) && !value.is_empty());
    host_words || path_words || opaque_id || target_key
}

/// A path segment that is an id, not a word: long, and letters mixed with
/// digits.
fn is_opaque_id(segment: &str) -> bool {
    let idish = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '=' | '.');
    segment.len() >= 16
        && segment.chars().all(idish)
        && segment.chars().any(|c| c.is_ascii_digit())
        && segment.chars().any(|c| c.is_ascii_alphabetic())
}

/// Proofpoint v2: `-XX` is the escape of byte XX, `_` is `/`.
fn proofpoint_v2(u: &str) -> String {
    let text: String = u.chars().map(|c| if c == '_' { '/' } else { c }).collect();
    let escaped = text.replace('-', "%");
    percent_decode_str(&escaped).decode_utf8_lossy().into_owned()
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
    use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};

    const INVITE: &str = "https://portal.example.com/invite/0123456789abcdef0123456789abcdef";
    const TOKEN: &str = "0123456789abcdef0123456789abcdef";

    fn wrappers(u: &Unwrapped) -> Vec<Wrapper> {
        u.layers.iter().map(|l| l.wrapper).collect()
    }

    fn names(u: &Unwrapped) -> Vec<&str> {
        u.layers.iter().map(|l| l.name.as_str()).collect()
    }

    fn enc(text: &str) -> String {
        percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
    }

    /// Proofpoint v2's own escaping: `-XX` for a byte, `_` for `/`.
    fn proofpoint_v2_escape(text: &str) -> String {
        text.bytes()
            .map(|b| match b {
                b'/' => "_".to_owned(),
                b if b.is_ascii_alphanumeric() || b == b'.' => char::from(b).to_string(),
                b => format!("-{b:02X}"),
            })
            .collect()
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
        let wrapped =
            format!("https://nam12.safelinks.protection.outlook.com/?url={}&data=05%7C02%7C&reserved=0", enc(INVITE));
        let u = unwrap_link(&wrapped);
        assert_eq!(wrappers(&u), [Wrapper::MicrosoftSafeLinks]);
        assert_eq!(names(&u), ["Microsoft Safe Links"]);
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
        let encoded = URL_SAFE_NO_PAD.encode(&TOKEN[30..]);
        let u = unwrap_link(&format!("{wrapped}{encoded}!!x$"));
        assert_eq!(u.token.as_deref(), Some(TOKEN));
    }

    #[test]
    fn barracuda_cisco_google_and_amazon_unwrap() {
        let enc = enc(INVITE);
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
    fn click_time_services_are_named_and_unwrapped() {
        let enc = enc(INVITE);
        let base64 = STANDARD.encode(INVITE);
        for (wrapped, wrapper) in [
            (
                format!(
                    "https://imsva91-ctp.trendmicro.com:443/wis/clicktime/v1/query?url={enc}&umid=9f8e-7d&auth=ab12"
                ),
                Wrapper::TrendMicroClickTime,
            ),
            (
                format!("https://eu-central-1.protection.sophos.com?d=example.com&u={base64}&i=NjM5&t=Zz09&h=abc&s=1"),
                Wrapper::SophosTimeOfClick,
            ),
            (format!("https://clicktime.symantec.com/15tSpAbCd9?u={enc}"), Wrapper::SymantecClickTime),
            (
                format!("https://protect2.fireeye.com/v1/url?k=31e5d2b0-6e7d&q=1&e=abc&u={enc}"),
                Wrapper::TrellixEmailSecurity,
            ),
            (format!("https://l.facebook.com/l.php?u={enc}&h=AT0x"), Wrapper::FacebookLinkShim),
            (format!("https://www.linkedin.com/redir/redirect?url={enc}&urlhash=x"), Wrapper::LinkedInRedirect),
            (format!("https://slack-redir.net/link?url={enc}"), Wrapper::SlackRedirect),
        ] {
            let u = unwrap_link(&wrapped);
            assert_eq!(wrappers(&u), [wrapper], "{wrapped}");
            assert_eq!(u.decoded.as_deref(), Some(INVITE), "{wrapped}");
            assert!(!u.layers[0].opaque);
        }
    }

    #[test]
    fn a_click_tracker_with_base64_in_its_path_is_a_redirect_via_its_host() {
        // URL-safe, unpadded: no `/` or `=` to break the path.
        let wrapped = format!("https://click.mailer-example.net/ls/click/{}/xyz", URL_SAFE_NO_PAD.encode(INVITE));
        let u = unwrap_link(&wrapped);
        assert_eq!(wrappers(&u), [Wrapper::Redirect]);
        assert_eq!(names(&u), ["redirect via click.mailer-example.net"]);
        assert_eq!(u.layers[0].host, "click.mailer-example.net");
        assert_eq!(u.token.as_deref(), Some(TOKEN));
        // Padded URL-safe base64 in a path segment, percent-encoded padding.
        let padded = URL_SAFE.encode(format!("{INVITE}?a=1"));
        assert!(padded.ends_with('='), "{padded}");
        let u = unwrap_link(&format!("https://t.example.org/r/{}", padded.replace('=', "%3D")));
        assert_eq!(names(&u), ["redirect via t.example.org"]);
        assert_eq!(u.token.as_deref(), Some(TOKEN));
    }

    #[test]
    fn an_unknown_host_with_a_target_parameter_is_unwrapped_however_it_is_encoded() {
        let inner = format!("{INVITE}?x=>>>");
        let standard = STANDARD.encode(&inner);
        assert!(standard.contains('+'), "the standard alphabet's own characters: {standard}");
        let encodings = [
            inner.clone(),
            enc(&inner),
            enc(&enc(&inner)),
            enc(&enc(&enc(&inner))),
            standard.clone(),
            standard.trim_end_matches('=').to_owned(),
            URL_SAFE.encode(&inner),
            URL_SAFE_NO_PAD.encode(&inner),
            enc(&standard),
        ];
        for key in ["url", "u", "redirect", "target", "dest", "whatever"] {
            for (n, value) in encodings.iter().enumerate() {
                let wrapped = format!("https://go.links-example.com/out?id=77&{key}={value}&sig=abc");
                let u = unwrap_link(&wrapped);
                assert_eq!(names(&u), ["redirect via go.links-example.com"], "{key} #{n}: {wrapped}");
                assert_eq!(u.token.as_deref(), Some(TOKEN), "{key} #{n}: {wrapped}");
                assert!(u.decoded.as_deref().is_some_and(|d| d.starts_with(INVITE)), "{key} #{n}: {:?}", u.decoded);
            }
        }
        // A plain URL as the path's tail.
        let u = unwrap_link(&format!("https://r.example.net/track/{INVITE}"));
        assert_eq!((names(&u), u.token.as_deref()), (vec!["redirect via r.example.net"], Some(TOKEN)));
    }

    #[test]
    fn nested_wrappers_unwrap_layer_by_layer() {
        let safe = format!("https://eur01.safelinks.protection.outlook.com/?url={}&data=1", enc(INVITE));
        let google = format!("https://www.google.com/url?q={}", enc(&safe));
        let barracuda = format!("https://linkprotect.cudasvc.com/url?a={}&c=E", enc(&google));
        let u = unwrap_link(&barracuda);
        assert_eq!(wrappers(&u), [Wrapper::BarracudaLinkProtect, Wrapper::GoogleRedirect, Wrapper::MicrosoftSafeLinks]);
        assert_eq!(u.token.as_deref(), Some(TOKEN));
    }

    #[test]
    fn safe_links_inside_proofpoint_inside_an_unknown_redirect() {
        let safe =
            format!("https://nam04.safelinks.protection.outlook.com/?url={}&data=05%7C02&sdata=x%3D", enc(INVITE));
        let v2 = format!("https://urldefense.proofpoint.com/v2/url?u={}&d=DwMF&c=x&e=", proofpoint_v2_escape(&safe));
        let u = unwrap_link(&v2);
        assert_eq!(wrappers(&u), [Wrapper::ProofpointV2, Wrapper::MicrosoftSafeLinks]);
        assert_eq!(u.decoded.as_deref(), Some(INVITE));
        let outer = format!("https://mail-redirect.example.edu/?target={}", URL_SAFE_NO_PAD.encode(&v2));
        let u = unwrap_link(&outer);
        assert_eq!(
            names(&u),
            ["redirect via mail-redirect.example.edu", "Proofpoint URL Defense (v2)", "Microsoft Safe Links"]
        );
        assert_eq!(u.token.as_deref(), Some(TOKEN));
        let findings = link_findings(&u);
        assert_eq!(findings[0].code, LinkFindingCode::Wrapped);
        assert!(findings[0].message.contains("redirect via mail-redirect.example.edu inside"), "{findings:?}");
    }

    #[test]
    fn opaque_layers_are_named_never_guessed() {
        let u = unwrap_link("https://protect-us.mimecast.com/s/AbCdEfGhIjKl?domain=portal.example.com");
        assert_eq!(wrappers(&u), [Wrapper::MimecastUrlProtect]);
        assert!(u.layers[0].opaque);
        assert_eq!((u.decoded, u.token), (None, None));
        let u = unwrap_link("https://u123.ct.sendgrid.net/ls/click?upn=abcdef");
        assert_eq!(wrappers(&u), [Wrapper::SendGridClickTracking]);
        assert_eq!(u.decoded, None);
    }

    #[test]
    fn an_unknown_wrapper_without_a_url_is_opaque_never_the_answer() {
        for wrapped in [
            // A click-time id, and nothing else.
            "https://clicktime.mailguard.example/v1/9f8e7d6c5b4a39281706f5e4d3c2b1a0",
            "https://links.newsletter-example.com/c/eJxNkMtuwzAMRL9G2q3QZ0xK",
            "https://go.example.org/?url=AbC123xyz",
            "https://r.example.com/?redirect=5f2c1e",
            "https://example.net/out?target=12345",
        ] {
            let u = unwrap_link(wrapped);
            assert_eq!(u.decoded, None, "{wrapped}");
            assert_eq!(wrappers(&u), [Wrapper::Redirect], "{wrapped}");
            assert!(u.layers[0].opaque, "{wrapped}");
            let host = Url::parse(wrapped).unwrap().host_str().unwrap().to_owned();
            assert_eq!(u.layers[0].name, format!("redirect via {host}"));
            let findings = link_findings(&u);
            assert_eq!(findings.iter().map(|f| f.code).collect::<Vec<_>>(), [LinkFindingCode::Opaque]);
            assert!(findings[0].message.starts_with(&format!("Redirect via {host} keeps the real link")));
        }
        // Inside a known wrapper too: the tracker it carried is opaque.
        let u = unwrap_link(&format!(
            "https://nam12.safelinks.protection.outlook.com/?url={}",
            enc("https://trk.example-esp.com/c/AbCdEf0123456789XyZ")
        ));
        assert_eq!(names(&u), ["Microsoft Safe Links", "redirect via trk.example-esp.com"]);
        assert_eq!((u.layers[0].opaque, u.layers[1].opaque, u.decoded), (false, true, None));
        // An ordinary page is no wrapper: it is what it is, not an invite.
        let u = unwrap_link("https://www.example.com/about");
        assert!(u.layers.is_empty());
        assert_eq!(u.decoded.as_deref(), Some("https://www.example.com/about"));
        assert_eq!(link_findings(&u)[0].code, LinkFindingCode::NotAnInviteLink);
    }

    #[test]
    fn a_sentences_punctuation_is_no_part_of_the_link() {
        for pasted in [
            format!("{INVITE}."),
            format!("{INVITE},"),
            format!("({INVITE})"),
            format!("{INVITE})."),
            format!("{INVITE}!?"),
            format!("{INVITE};"),
            format!("{INVITE}:"),
            format!("\"{INVITE}\""),
            format!("\u{201c}{INVITE}\u{201d}."),
            format!("'{INVITE}'"),
            format!("<{INVITE}>."),
            format!("Here is the link: {INVITE}. Is it safe?"),
            format!("the link ({INVITE}) says invalid"),
        ] {
            let u = unwrap_link(&pasted);
            assert_eq!(u.decoded.as_deref(), Some(INVITE), "{pasted}");
            assert_eq!(u.token.as_deref(), Some(TOKEN), "{pasted}");
        }
        // A `)` that closes a `(` in the link stays.
        let wiki = "https://en.example.org/wiki/Portal_(software)";
        assert_eq!(unwrap_link(&format!("{wiki}.")).decoded.as_deref(), Some(wiki));
        assert_eq!(unwrap_link(&format!("({wiki}).")).decoded.as_deref(), Some(wiki));
        // Inside a wrapper's target too.
        let wrapped = format!("https://go.links-example.com/?url={}", enc(&format!("{INVITE}.")));
        assert_eq!(unwrap_link(&wrapped).token.as_deref(), Some(TOKEN));
    }

    #[test]
    fn a_wrapper_loop_ends_and_is_no_answer() {
        let mut link = INVITE.to_owned();
        for n in 0..MAX_LAYERS + 2 {
            link = format!("https://r{n}.example.net/?url={link}");
        }
        let u = unwrap_link(&link);
        assert_eq!(u.layers.len(), MAX_LAYERS);
        assert_eq!((u.decoded.as_deref(), u.token.as_deref()), (None, None));
        assert_eq!(link_findings(&u).last().map(|f| f.code), Some(LinkFindingCode::Opaque));
    }

    #[test]
    fn text_that_is_no_link_says_so() {
        for text in ["", "   ", "hello there", "<>", "mailto:a@b.c", "javascript:alert(1)", "...", "(((", "http://"] {
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
            proptest::prop_assert!(!link_findings(&u).is_empty());
        }

        #[test]
        fn any_wrapper_shaped_text_gives_an_answer(
            prefix in proptest::sample::select(vec![
                "https://urldefense.com/v3/__", "https://urldefense.proofpoint.com/v2/url?u=",
                "https://a.safelinks.protection.outlook.com/?url=", "https://secure-web.cisco.com/x/",
                "https://linkprotect.cudasvc.com/url?a=", "https://www.google.com/url?q=",
                "https://r.example.com/?url=", "https://x.example/c/", "https://x.protection.sophos.com/?u=",
                "https://t.example/r/https:/", "https://t.example/?u=aHR0cHM6Ly",
            ]),
            rest in "[ -~]{0,200}",
        ) {
            let u = unwrap_link(&format!("{prefix}{rest}"));
            proptest::prop_assert!(u.layers.len() <= MAX_LAYERS);
            // Decoded text is never the link of a layer itself.
            if let Some(decoded) = &u.decoded {
                proptest::prop_assert!(u.layers.is_empty() || !decoded.starts_with(prefix));
            }
        }

        #[test]
        fn an_invite_link_encoded_any_way_under_any_host_unwraps_to_its_token(
            token in "[0-9a-f]{32}",
            host in "[a-z]{1,10}\\.(com|net|example)",
            key in proptest::sample::select(vec!["url", "u", "redirect", "target", "q", "next", "x"]),
            encoding in 0usize..6,
            times in 1usize..4,
        ) {
            let invite = format!("https://portal.example.com/invite/{token}");
            let mut value = invite.clone();
            for _ in 0..times {
                value = match encoding {
                    0 => enc(&value),
                    1 => STANDARD.encode(&value),
                    2 => URL_SAFE_NO_PAD.encode(&value),
                    3 => enc(&URL_SAFE.encode(&value)),
                    4 => STANDARD.encode(enc(&value)),
                    _ => enc(&enc(&value)),
                };
            }
            let u = unwrap_link(&format!("https://{host}/?{key}={value}&id=1"));
            proptest::prop_assert_eq!(u.token.as_deref(), Some(token.as_str()));
            proptest::prop_assert_eq!(u.layers.len(), 1);
            proptest::prop_assert_eq!(&u.layers[0].name, &format!("redirect via {host}"));
        }
    }
}
