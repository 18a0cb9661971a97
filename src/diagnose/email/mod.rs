//! Email address check: is the address on file (or the one the client says)
//! well formed, and does it look like a typo of a big mail provider?
//!
//! # Codes and decisions
//!
//! * `invalid_syntax`: the practical check fails (exactly one `@`; a local
//!   part of 1 to 64 characters from RFC 5322's `atext` plus dots, not
//!   starting or ending with a dot and without `..`; a domain of at least two
//!   dot-separated labels of `[A-Za-z0-9-]`, none starting or ending with
//!   `-`; a top-level domain (TLD) of at least two letters; at most 254
//!   characters). Non-ASCII addresses fail it; one message per address,
//!   naming the first problem.
//! * `whitespace` (extra code): the address contains whitespace, usually
//!   pasted before or after it. It makes `valid_syntax` false but is reported
//!   on its own; the rest of the check runs on the address with the
//!   whitespace removed, and that address is suggested when it is valid.
//! * `tld_typo`: the TLD is a typo of a common one. For an unknown domain,
//!   only endings that are not real TLDs count (`.cmo`, `.con`, `.cpm`,
//!   `.vom`, `.comm`, `.nte`, `.ogr` ...), so `mycompany.co` raises nothing.
//!   For a big provider, real look-alikes count too (`gmail.co`,
//!   `hotmail.om`), and a provider name with no TLD (`jane@gmail`) is
//!   reported here as well.
//! * `provider_tld`: a big provider's name with a real TLD it does not use
//!   (`gmail.net`, `hotmail.co`). Providers with country domains (Yahoo,
//!   Hotmail, Outlook, Live, AOL, GMX, Mail.com, Yandex, Zoho) accept any
//!   country ending (`hotmail.co.uk`, `outlook.fr`, `gmx.de`) except the
//!   typo look-alikes `.co`, `.cm`, `.om`, `.ne`, `.et`. ISPs also accept
//!   `.com` (`att.com` is real). Names shorter than five letters (`me`,
//!   `aol`, `att`) are too common to raise `provider_tld` or a look-alike
//!   `tld_typo`.
//! * `domain_typo`: the provider *name* is misspelled (`gmial`, `hotmial`),
//!   by restricted Damerau-Levenshtein distance: names of up to four letters
//!   are never matched fuzzily, five to seven letters allow one edit, longer
//!   names two. Names of up to seven letters must also keep an ending that
//!   provider uses, or a typo of it, and a few real near neighbors (`cloud`,
//!   `chapter`, `carter` ...) are left alone. A typo only in the ending
//!   (`gmail.co`) is reported as `tld_typo`/`provider_tld`, not here, so each
//!   code names the part that is wrong; the suggestion is the same. Equally
//!   close providers are all suggested (at most three, most used first).
//!   Domains with subdomains (`mail.example.com`) are never matched.
//!
//! All codes that apply are listed once each. Suggestions are whole
//! corrected addresses: the local part as typed, the domain lowercased; they
//! are deduplicated and each one passes this check with no findings.
//! Messages never contain the address or any part of it.

use serde::Serialize;

/// Longest input looked at; anything longer is `invalid_syntax` at once.
pub const MAX_INPUT_LEN: usize = 1024;

/// Longest valid address (RFC 5321 path limit less the angle brackets).
const MAX_ADDRESS_LEN: usize = 254;

/// The outcome of checking one address. Its `Debug` leaves out the
/// suggested addresses (PHI).
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct EmailCheck {
    /// The address, exactly as given, passes the practical syntax check.
    pub valid_syntax: bool,
    /// Every finding that applies, one per code.
    pub findings: Vec<EmailFinding>,
    /// Whole corrected addresses, deduplicated, most likely first.
    pub suggestions: Vec<String>,
}

impl std::fmt::Debug for EmailCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailCheck")
            .field("valid_syntax", &self.valid_syntax)
            .field("findings", &self.findings)
            .field("suggestions", &self.suggestions.len())
            .finish()
    }
}

impl EmailCheck {
    /// Whether a finding with `code` was raised.
    pub fn has(&self, code: EmailCode) -> bool {
        self.findings.iter().any(|f| f.code == code)
    }
}

/// One finding: a stable code and one sentence for staff. The message never
/// contains the address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmailFinding {
    /// Stable machine-readable code.
    pub code: EmailCode,
    /// One sentence for staff.
    pub message: String,
}

/// Stable codes of email findings; serialized in snake_case (serde and
/// strum both derive the names).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    strum::Display,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum EmailCode {
    /// The address is not well formed.
    InvalidSyntax,
    /// The top-level domain looks like a typo (`.cmo` for `.com`).
    TldTypo,
    /// The domain looks like a misspelled big provider (`gmial.com`).
    DomainTypo,
    /// A big provider with a top-level domain it does not use (`gmail.net`).
    ProviderTld,
    /// The address contains whitespace (usually around it).
    Whitespace,
}

impl EmailCode {
    /// Every code, in declaration order.
    pub const ALL: &'static [Self] = <Self as strum::VariantArray>::VARIANTS;

    /// The stable snake_case code, as serialized.
    pub fn as_str(&self) -> &'static str {
        (*self).into()
    }
}

/// Checks one address. Total: any text gives an answer and never a panic.
pub fn check_email(address: &str) -> EmailCheck {
    let mut report = Report::default();
    if address.len() > MAX_INPUT_LEN {
        report.add(EmailCode::InvalidSyntax, SyntaxError::TooLong.message());
        return report.finish(false);
    }
    let compact: String = address.chars().filter(|c| !c.is_whitespace()).collect();
    let has_whitespace = compact.len() != address.len();
    if has_whitespace {
        let inside = address.trim().chars().any(char::is_whitespace);
        report.add(
            EmailCode::Whitespace,
            if inside {
                "The address contains spaces, which email addresses cannot have; remove them."
            } else {
                "The address has extra spaces before or after it; remove them."
            },
        );
    }
    let syntax = syntax_error(&compact);
    if let Some(error) = syntax {
        report.add(EmailCode::InvalidSyntax, error.message());
    }
    if let Some((local, domain)) = compact.split_once('@')
        && !domain.contains('@')
        && domain.is_ascii()
    {
        let domain = domain.to_ascii_lowercase();
        let repaired = domain.replace(',', ".");
        let repaired = repaired.trim_matches('.');
        let fixes = analyse_domain(repaired);
        if fixes.is_empty() && (repaired != domain || has_whitespace) {
            report.suggest(local, repaired);
        }
        for fix in fixes {
            report.add(fix.code, fix.message);
            report.suggest(local, &fix.domain);
        }
    }
    report.finish(!has_whitespace && syntax.is_none())
}

// ------------------------------------------------------------------ report

#[derive(Default)]
struct Report {
    findings: Vec<EmailFinding>,
    suggestions: Vec<String>,
}

impl Report {
    fn add(&mut self, code: EmailCode, message: &str) {
        if !self.findings.iter().any(|f| f.code == code) {
            self.findings.push(EmailFinding { code, message: message.to_owned() });
        }
    }

    /// Keeps a suggestion only if it is a valid address not yet suggested.
    fn suggest(&mut self, local: &str, domain: &str) {
        let address = format!("{local}@{domain}");
        if syntax_error(&address).is_none() && !self.suggestions.contains(&address) {
            self.suggestions.push(address);
        }
    }

    fn finish(self, valid_syntax: bool) -> EmailCheck {
        EmailCheck { valid_syntax, findings: self.findings, suggestions: self.suggestions }
    }
}

// ------------------------------------------------------------------ syntax

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SyntaxError {
    Empty,
    TooLong,
    NoAt,
    ManyAt,
    EmptyLocal,
    BadLocal,
    EmptyDomain,
    NoDot,
    BadDomain,
    Hyphen,
    BadTld,
}

impl SyntaxError {
    fn message(self) -> &'static str {
        match self {
            Self::Empty => "No address was entered.",
            Self::TooLong => "The address is longer than an email address can be.",
            Self::NoAt => "The address has no at sign, so it is missing the part that says where mail goes.",
            Self::ManyAt => "The address has more than one at sign; an address has exactly one.",
            Self::EmptyLocal => "Nothing comes before the at sign; the client's mailbox name is missing.",
            Self::BadLocal => {
                "The part before the at sign has characters or dots in places that email \
                 addresses do not allow."
            }
            Self::EmptyDomain => "Nothing comes after the at sign; the provider or domain is missing.",
            Self::NoDot => {
                "The part after the at sign has no dot, so it is missing its ending such as com \
                 or net."
            }
            Self::BadDomain => {
                "The part after the at sign has characters that domains do not allow, or an empty \
                 part between dots."
            }
            Self::Hyphen => "A part of the domain starts or ends with a hyphen, which domains do not allow.",
            Self::BadTld => "The ending after the last dot must be at least two letters and letters only.",
        }
    }
}

fn is_local_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c)
}

/// The first problem the practical syntax check finds, if any.
fn syntax_error(address: &str) -> Option<SyntaxError> {
    if address.is_empty() {
        return Some(SyntaxError::Empty);
    }
    if address.len() > MAX_ADDRESS_LEN {
        return Some(SyntaxError::TooLong);
    }
    let Some((local, domain)) = address.split_once('@') else {
        return Some(SyntaxError::NoAt);
    };
    if domain.contains('@') {
        return Some(SyntaxError::ManyAt);
    }
    if local.is_empty() {
        return Some(SyntaxError::EmptyLocal);
    }
    if local.len() > 64
        || !local.chars().all(is_local_char)
        || local.starts_with('.')
        || local.ends_with('.')
        || local.contains("..")
    {
        return Some(SyntaxError::BadLocal);
    }
    if domain.is_empty() {
        return Some(SyntaxError::EmptyDomain);
    }
    if !domain.contains('.') {
        return Some(SyntaxError::NoDot);
    }
    let labels_ok = domain
        .split('.')
        .all(|label| (1..=63).contains(&label.len()) && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    if !labels_ok {
        return Some(SyntaxError::BadDomain);
    }
    if domain.split('.').any(|label| label.starts_with('-') || label.ends_with('-')) {
        return Some(SyntaxError::Hyphen);
    }
    let tld = domain.rsplit('.').next().unwrap_or_default();
    if tld.len() < 2 || !tld.chars().all(|c| c.is_ascii_alphabetic()) {
        return Some(SyntaxError::BadTld);
    }
    None
}

// --------------------------------------------------------------- providers

/// A big mail provider: its name label, its usual ending, other endings it
/// really uses, and whether it has country domains.
struct Provider {
    name: &'static str,
    home: &'static str,
    also: &'static [&'static str],
    countries: bool,
}

const fn provider(name: &'static str, home: &'static str, also: &'static [&'static str], countries: bool) -> Provider {
    Provider { name, home, also, countries }
}

/// Big providers, most used first (ties in fuzzy matching go to the first).
const PROVIDERS: &[Provider] = &[
    provider("gmail", "com", &[], false),
    provider("yahoo", "com", &[], true),
    provider("hotmail", "com", &[], true),
    provider("outlook", "com", &[], true),
    provider("icloud", "com", &[], false),
    provider("aol", "com", &[], true),
    provider("comcast", "net", &["com"], false),
    provider("live", "com", &[], true),
    provider("msn", "com", &[], false),
    provider("me", "com", &[], false),
    provider("mac", "com", &[], false),
    provider("verizon", "net", &["com"], false),
    provider("att", "net", &["com"], false),
    provider("sbcglobal", "net", &[], false),
    provider("bellsouth", "net", &[], false),
    provider("cox", "net", &["com"], false),
    provider("charter", "net", &["com"], false),
    provider("earthlink", "net", &["com"], false),
    provider("optonline", "net", &[], false),
    provider("protonmail", "com", &["ch"], false),
    provider("proton", "me", &[], false),
    provider("pm", "me", &[], false),
    provider("ymail", "com", &[], false),
    provider("rocketmail", "com", &[], false),
    provider("googlemail", "com", &[], false),
    provider("gmx", "com", &["net"], true),
    provider("mail", "com", &[], true),
    provider("email", "com", &[], false),
    provider("zoho", "com", &[], true),
    provider("yandex", "com", &[], true),
    provider("fastmail", "com", &["fm"], false),
    provider("frontier", "com", &[], false),
    provider("windstream", "net", &[], false),
    provider("juno", "com", &[], false),
    provider("netzero", "net", &["com"], false),
    provider("centurylink", "net", &[], false),
];

/// Real domain names one edit from a provider's name; never "corrected".
const REAL_NEIGHBORS: &[&str] = &["cloud", "carter", "chapter", "charger", "charted"];

/// Real TLDs that are one edit from a common one; a typo only for providers.
const REAL_LOOKALIKES: &[&str] =
    &["co", "cm", "om", "cam", "mom", "ne", "et", "new", "bet", "pet", "vet", "get", "nec", "ntt", "ong", "eu"];

/// Look-alikes a country-domain provider does not use.
const PROVIDER_LOOKALIKES: &[&str] = &["co", "cm", "om", "ne", "et"];

/// Second-level labels of country endings such as `co.uk` and `com.au`.
const SECOND_LEVEL: &[&str] = &["co", "com", "net", "org", "ne", "or", "ac"];

/// Common TLDs whose typos are caught on any domain.
const COMMON_TLDS: &[&str] = &["com", "net", "org", "edu"];

/// Most equally close providers suggested for one misspelled name.
const MAX_TIES: usize = 3;

/// Provider names up to this long are only matched fuzzily when the ending
/// is one the provider uses, or a typo of it.
const NEEDS_FITTING_ENDING: usize = 7;

/// Names of at least this many letters are distinctive enough for
/// `provider_tld` and look-alike `tld_typo`.
const DISTINCTIVE: usize = 5;

impl Provider {
    fn uses(&self, ending: &str) -> bool {
        ending == self.home
            || self.also.contains(&ending)
            || (self.countries && is_country_ending(ending) && !PROVIDER_LOOKALIKES.contains(&ending))
    }

    /// The ending this provider uses that `ending` is a typo (one edit) or a
    /// truncation of, if any.
    fn typo_target(&self, ending: &str) -> Option<&'static str> {
        std::iter::once(self.home).chain(self.also.iter().copied()).find(|real| {
            osa_distance(ending.as_bytes(), real.as_bytes()) == 1
                || (!ending.is_empty() && real.starts_with(ending) && *real != ending)
        })
    }

    fn fuzzy_limit(&self) -> usize {
        match self.name.len() {
            0..=4 => 0,
            5..=7 => 1,
            _ => 2,
        }
    }
}

fn is_country_ending(ending: &str) -> bool {
    let two_letters = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_lowercase());
    match ending.split_once('.') {
        None => two_letters(ending),
        Some((second, country)) => SECOND_LEVEL.contains(&second) && two_letters(country),
    }
}

// ---------------------------------------------------------------- analysis

/// One typo finding with the corrected domain.
struct Fix {
    code: EmailCode,
    message: &'static str,
    domain: String,
}

const TLD_TYPO: &str = "The ending after the last dot looks like a typo of a common ending; \
                        check the suggested address with the client.";
const NO_TLD: &str = "The domain names a big mail provider but has no ending after it; check \
                      the suggested address with the client.";
const PROVIDER_TLD: &str = "The domain is a big mail provider's name with an ending that \
                            provider does not use; check the suggested address with the client.";
const DOMAIN_TYPO: &str = "The domain looks like a misspelling of a big mail provider; check \
                           the suggested address with the client.";

/// Splits a lowercase domain into (labels before the name, name, ending),
/// treating `co.uk`-style country endings as one ending.
fn split_domain(domain: &str) -> Option<(&str, &str, &str)> {
    let (rest, tld) = domain.rsplit_once('.')?;
    if let Some((head, second)) = rest.rsplit_once('.')
        && SECOND_LEVEL.contains(&second)
        && tld.len() == 2
    {
        let ending = domain.get(head.len() + 1..)?;
        let (sub, name) = head.rsplit_once('.').unwrap_or(("", head));
        return Some((sub, name, ending));
    }
    let (sub, name) = rest.rsplit_once('.').unwrap_or(("", rest));
    Some((sub, name, tld))
}

/// The typo findings for a lowercase domain, each with its corrected domain.
fn analyse_domain(domain: &str) -> Vec<Fix> {
    let mut fixes = Vec::new();
    if domain.len() > MAX_ADDRESS_LEN || !domain.is_ascii() {
        return fixes;
    }
    let Some((sub, name, ending)) = split_domain(domain) else {
        if let Some(p) = PROVIDERS.iter().find(|p| p.name == domain) {
            fixes.push(Fix { code: EmailCode::TldTypo, message: NO_TLD, domain: format!("{}.{}", p.name, p.home) });
        }
        return fixes;
    };
    if !sub.is_empty() || name.is_empty() {
        return fixes;
    }
    if let Some(p) = PROVIDERS.iter().find(|p| p.name == name) {
        if !p.uses(ending) {
            ending_fixes(p, ending, &mut fixes);
        }
        return fixes;
    }
    if !REAL_NEIGHBORS.contains(&name) {
        fuzzy_fixes(name, ending, &mut fixes);
    }
    if fixes.is_empty()
        && !ending.contains('.')
        && !REAL_LOOKALIKES.contains(&ending)
        && let Some(common) = COMMON_TLDS.iter().find(|tld| osa_distance(ending.as_bytes(), tld.as_bytes()) == 1)
    {
        fixes.push(Fix { code: EmailCode::TldTypo, message: TLD_TYPO, domain: format!("{name}.{common}") });
    }
    fixes
}

/// Findings for a provider's name with an ending the provider does not use.
fn ending_fixes(p: &Provider, ending: &str, fixes: &mut Vec<Fix>) {
    let distinctive = p.name.len() >= DISTINCTIVE;
    let target = p.typo_target(ending);
    let real = target.is_none() || REAL_LOOKALIKES.contains(&ending) || ending.contains('.');
    let domain = format!("{}.{}", p.name, target.unwrap_or(p.home));
    if target.is_some() && (distinctive || !real) {
        fixes.push(Fix { code: EmailCode::TldTypo, message: TLD_TYPO, domain: domain.clone() });
    }
    if real && distinctive {
        fixes.push(Fix { code: EmailCode::ProviderTld, message: PROVIDER_TLD, domain });
    }
}

/// `domain_typo` for names close to a provider's, closest first; ending
/// findings follow for the closest provider.
fn fuzzy_fixes(name: &str, ending: &str, fixes: &mut Vec<Fix>) {
    let mut best = usize::MAX;
    let mut matches: Vec<&Provider> = Vec::new();
    for p in PROVIDERS {
        let limit = p.fuzzy_limit();
        if limit == 0 || name.len().abs_diff(p.name.len()) > limit {
            continue;
        }
        let distance = osa_distance(name.as_bytes(), p.name.as_bytes());
        let ending_fits = || p.uses(ending) || p.typo_target(ending).is_some();
        if distance > limit || distance > best || (p.name.len() <= NEEDS_FITTING_ENDING && !ending_fits()) {
            continue;
        }
        if distance < best {
            matches.clear();
            best = distance;
        }
        matches.push(p);
    }
    for p in matches.iter().take(MAX_TIES) {
        let ending = if p.uses(ending) { ending } else { p.home };
        fixes.push(Fix { code: EmailCode::DomainTypo, message: DOMAIN_TYPO, domain: format!("{}.{ending}", p.name) });
    }
    if let Some(p) = matches.first()
        && !p.uses(ending)
    {
        ending_fixes(p, ending, fixes);
    }
}

/// Longest known word ([`osa_distance`]'s second argument) compared exactly.
const MAX_KNOWN: usize = 16;

/// Restricted Damerau-Levenshtein (optimal string alignment) distance from
/// typed text to a short known word: insertions, deletions, substitutions and
/// adjacent transpositions, without allocating. A known word longer than
/// [`MAX_KNOWN`] gets the upper bound `max(len, len)` instead.
fn osa_distance(typed: &[u8], known: &[u8]) -> usize {
    if known.len() > MAX_KNOWN {
        return typed.len().max(known.len());
    }
    let mut before = [0; MAX_KNOWN + 1];
    let mut previous: [usize; MAX_KNOWN + 1] = std::array::from_fn(|j| j);
    let mut current = [0; MAX_KNOWN + 1];
    for (i, &t) in typed.iter().enumerate() {
        current[0] = i + 1;
        for (j, &k) in known.iter().enumerate() {
            let substitution = previous[j] + usize::from(t != k);
            let mut cost = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
            if i > 0 && j > 0 && typed.get(i - 1) == Some(&k) && known.get(j - 1) == Some(&t) {
                cost = cost.min(before[j - 1] + 1);
            }
            current[j + 1] = cost;
        }
        (before, previous) = (previous, current);
    }
    previous[known.len()]
}

#[cfg(test)]
mod tests;
