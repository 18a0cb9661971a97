//! Search round trip against a running sandbox: the console's search call
//! (`PortalClient::search_accounts`, request to decoded page) beside plain
//! curl on the same queries, in the same run.
//!
//! ```sh
//! cargo run --release --example search_rtt -- URL --accounts N [--queries 200] [--rounds 2] [--seed 7]
//! ```
//!
//! The queries are built from random accounts of the sandbox (name
//! prefixes of 2 and of 3-6 letters, whole emails, phone fragments), so
//! they are PHI: only their count and kinds are printed. curl gets every
//! URL in one invocation (one process, one kept-alive connection, as the
//! client has) and reports `%{time_total}` per transfer, so process start
//! is not counted. Rounds alternate curl and the client, after one warm-up
//! pass. Prints `key=value` lines for `bench/run.sh`.

mod support;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{Kind, client, ms, percentile, search_query};

/// Two letters that appear in no seeded name or address: the worst case
/// for a short query before it had an index (it read every row).
const RARE_PAIRS: [&str; 10] = ["qz", "zq", "xj", "jx", "vq", "qv", "zx", "xz", "wq", "qw"];

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let url = support::url();
    let accounts: u64 = support::arg("--accounts", 220);
    let count: usize = support::arg("--queries", 200);
    let rounds: usize = support::arg("--rounds", 2);
    let seed: u64 = support::arg("--seed", 7);
    let token: String = support::arg("--token", "sandbox".to_owned());
    let client = client(&url, &token);

    let queries = support::queries(&client, accounts, count, seed).await;
    let urls: Vec<String> = queries.iter().map(|(_, q)| search_url(&url, q)).collect();
    println!("queries={} kinds={}", queries.len(), support::kinds(&queries));

    // Warm-up: connections, prepared statements, the database's pages.
    for (_, q) in &queries {
        let _ = client.search_accounts(&search_query(q)).await;
    }
    let _ = curl(&urls, &token);

    let mut with_client = Vec::new();
    let mut with_curl = Vec::new();
    let mut short = Vec::new();
    let mut errors = 0;
    for _ in 0..rounds {
        match curl(&urls, &token) {
            Ok(times) => with_curl.extend(times),
            Err(e) => {
                eprintln!("curl failed: {e}");
                std::process::exit(1);
            }
        }
        for (kind, q) in &queries {
            let started = Instant::now();
            let answer = client.search_accounts(&search_query(q)).await;
            let took = started.elapsed();
            match answer {
                Ok(_) => {
                    with_client.push(took);
                    if *kind == Kind::NameTwoLetters {
                        short.push(took);
                    }
                }
                Err(_) => errors += 1,
            }
        }
    }
    let mut rare = Vec::new();
    for _ in 0..rounds {
        for q in RARE_PAIRS {
            let started = Instant::now();
            if client.search_accounts(&search_query(q)).await.is_ok() {
                rare.push(started.elapsed());
            }
        }
    }

    let (c50, c95) = (percentile(&mut with_client, 50.0), percentile(&mut with_client, 95.0));
    let (u50, u95) = (percentile(&mut with_curl, 50.0), percentile(&mut with_curl, 95.0));
    println!(
        "client_p50_ms={} client_p95_ms={} client_samples={} errors={errors}",
        ms(c50),
        ms(c95),
        with_client.len()
    );
    println!("curl_p50_ms={} curl_p95_ms={} curl_samples={}", ms(u50), ms(u95), with_curl.len());
    println!(
        "client_minus_curl_p50_ms={} client_over_curl_p50={:.2}",
        ms(c50.saturating_sub(u50)),
        c50.as_secs_f64() / u50.as_secs_f64().max(1e-9)
    );
    println!("short_p50_ms={} short_p95_ms={}", ms(percentile(&mut short, 50.0)), ms(percentile(&mut short, 95.0)));
    println!(
        "rare_pair_p50_ms={} rare_pair_max_ms={}",
        ms(percentile(&mut rare, 50.0)),
        ms(percentile(&mut rare, 100.0))
    );
    if errors > 0 {
        std::process::exit(1);
    }
}

/// The URL the client requests for `q` (same path, same encoding).
fn search_url(base: &str, q: &str) -> String {
    let mut url = match reqwest::Url::parse(base).and_then(|u| u.join("/api/v1/accounts")) {
        Ok(url) => url,
        Err(e) => {
            eprintln!("bad portal URL: {e}");
            std::process::exit(2);
        }
    };
    let limit = portaldesk::tui::screens::search::RESULT_LIMIT.to_string();
    url.query_pairs_mut().append_pair("q", q).append_pair("limit", &limit);
    url.to_string()
}

/// One curl process fetching every URL in turn on one connection; the
/// config (with the URLs) goes in on stdin so no query reaches a file or
/// the process list.
fn curl(urls: &[String], token: &str) -> std::io::Result<Vec<Duration>> {
    let mut config = format!(
        "silent\nshow-error\nfail\nheader = \"Authorization: Bearer {token}\"\nwrite-out = \"%{{time_total}}\\n\"\n"
    );
    for url in urls {
        config.push_str(&format!("url = \"{url}\"\noutput = \"/dev/null\"\n"));
    }
    let mut child = Command::new("curl").args(["-K", "-"]).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(config.as_bytes())?;
    }
    let output = child.wait_with_output()?;
    if !output.status.success() {
        return Err(std::io::Error::other(format!("curl exited with {}", output.status)));
    }
    let times: Vec<Duration> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.trim().parse::<f64>().ok())
        .map(Duration::from_secs_f64)
        .collect();
    if times.len() != urls.len() {
        return Err(std::io::Error::other("curl reported fewer transfers than URLs"));
    }
    Ok(times)
}
