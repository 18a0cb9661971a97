//! Shared by the benchmark examples: arguments, a client without retries,
//! the query mix, and percentiles. Queries are built from real accounts of
//! the sandbox, so they are PHI: they are sent, never printed.

#![allow(dead_code)]

use std::time::Duration;

use portaldesk::portal::model::AccountId;
use portaldesk::portal::{AccountQuery, ApiToken, ClientOptions, PortalClient};

/// `--name value` from the command line, or `default`.
pub fn arg<T: std::str::FromStr>(name: &str, default: T) -> T {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|n| args.get(n + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Whether `--name` is on the command line.
pub fn flag(name: &str) -> bool {
    std::env::args().any(|a| a == name)
}

/// The first argument that is not an option or an option's value.
pub fn url() -> String {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut n = 0;
    while n < args.len() {
        if args[n].starts_with("--") {
            n += 2;
        } else {
            return args[n].clone();
        }
    }
    eprintln!("usage: {} URL [--options]", std::env::args().next().unwrap_or_default());
    std::process::exit(2);
}

/// A client that never retries or waits out a 429, so every answer counts.
pub fn client(url: &str, token: &str) -> PortalClient {
    let options = ClientOptions { read_retries: 0, max_rate_limit_wait: Duration::ZERO, ..ClientOptions::default() };
    match PortalClient::new(url, ApiToken::new(token), options) {
        Ok(client) => client,
        Err(e) => {
            eprintln!("bad portal URL: {e}");
            std::process::exit(2);
        }
    }
}

/// What staff type into the search box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The first two letters of a first or last name.
    NameTwoLetters,
    /// The first 3 to 6 letters of a first or last name.
    NamePrefix,
    /// A whole email address.
    Email,
    /// The last four digits of the phone number, or its `555-0107` part.
    PhoneFragment,
    /// The whole name, first then last or last then first (several words:
    /// each must match).
    FullName,
}

impl Kind {
    pub const ALL: [Kind; 5] =
        [Kind::NameTwoLetters, Kind::NamePrefix, Kind::Email, Kind::PhoneFragment, Kind::FullName];

    pub fn label(self) -> &'static str {
        match self {
            Kind::NameTwoLetters => "name_2_letters",
            Kind::NamePrefix => "name_prefix",
            Kind::Email => "email",
            Kind::PhoneFragment => "phone_fragment",
            Kind::FullName => "full_name",
        }
    }
}

/// `count` queries, the kinds in turn, each from a random account among
/// `acc_1` ..= `acc_{accounts}`.
pub async fn queries(client: &PortalClient, accounts: u64, count: usize, seed: u64) -> Vec<(Kind, String)> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        let kind = Kind::ALL[out.len() % Kind::ALL.len()];
        let id = AccountId::new(format!("acc_{}", rng.u64(1..=accounts)));
        let account = match client.account(&id).await {
            Ok(account) => account.value,
            Err(e) => {
                eprintln!("cannot read an account to build queries from: {e}");
                std::process::exit(1);
            }
        };
        let name = if rng.bool() { account.first_name.expose() } else { account.last_name.expose() };
        let prefix = |n: usize| name.chars().take(n).collect::<String>();
        let phone = account.phone.expose();
        let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        let q = match kind {
            Kind::NameTwoLetters => prefix(2),
            Kind::NamePrefix => prefix(rng.usize(3..=6)),
            Kind::Email => account.email.expose().clone(),
            Kind::PhoneFragment if rng.bool() => digits[digits.len().saturating_sub(4)..].to_owned(),
            Kind::PhoneFragment => phone.chars().rev().take(8).collect::<Vec<_>>().into_iter().rev().collect(),
            Kind::FullName if rng.bool() => format!("{} {}", account.first_name.expose(), account.last_name.expose()),
            Kind::FullName => format!("{} {}", account.last_name.expose(), account.first_name.expose()),
        };
        out.push((kind, q));
    }
    out
}

/// How many queries of each kind, e.g. `name_2_letters:50,email:50`.
pub fn kinds(queries: &[(Kind, String)]) -> String {
    Kind::ALL
        .iter()
        .map(|k| format!("{}:{}", k.label(), queries.iter().filter(|(q, _)| q == k).count()))
        .collect::<Vec<_>>()
        .join(",")
}

/// The search the console sends for `q` (its page size).
pub fn search_query(q: &str) -> AccountQuery {
    AccountQuery {
        q: Some(q.to_owned()),
        limit: Some(portaldesk::tui::screens::search::RESULT_LIMIT),
        ..AccountQuery::default()
    }
}

/// The `p`th percentile (0..=100) of `samples`, nearest rank.
pub fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    samples.sort_unstable();
    let rank = ((p / 100.0) * samples.len() as f64).ceil() as usize;
    samples[rank.clamp(1, samples.len()) - 1]
}

/// Milliseconds with three decimals.
pub fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1e3)
}
