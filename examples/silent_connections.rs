//! Silent connections against a running sandbox: `--silent N` connections
//! that never send a byte, each opened again as soon as the server closes
//! it (so N stay in the server's backlog or slots for the whole run), while
//! `--requests M` ordinary requests (`GET /api/v1/me`, each on a new
//! connection) are timed from connect to the end of the answer. Prints
//! `key=value` for `bench/run.sh`:
//!
//! ```sh
//! cargo run --release --example silent_connections -- URL [--silent 500] [--requests 20] [--token sandbox]
//! ```
//!
//! `answered` counts the 200 answers; a request not answered within 10 s
//! counts as not answered (and 10 s as its time).

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use support::{ms, percentile};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The longest an ordinary request is waited for.
const PATIENCE: Duration = Duration::from_secs(10);

#[tokio::main]
async fn main() {
    let url = support::url();
    let silent: usize = support::arg("--silent", 500);
    let requests: usize = support::arg("--requests", 20);
    let token: String = support::arg("--token", "sandbox".to_owned());
    let Some(addr) = url.strip_prefix("http://").and_then(|a| a.trim_end_matches('/').parse().ok()) else {
        eprintln!("expected http://127.0.0.1:PORT, got {url}");
        std::process::exit(2);
    };
    let addr: std::net::SocketAddr = addr;

    // The silent ones, each reopened when the server closes it.
    let opened = Arc::new(AtomicUsize::new(0));
    let closed_by_server = Arc::new(AtomicUsize::new(0));
    let mut silent_tasks = Vec::with_capacity(silent);
    for _ in 0..silent {
        let (opened, closed) = (Arc::clone(&opened), Arc::clone(&closed_by_server));
        silent_tasks.push(tokio::spawn(async move {
            loop {
                let Ok(mut stream) = TcpStream::connect(addr).await else {
                    tokio::task::yield_now().await;
                    continue;
                };
                opened.fetch_add(1, Ordering::Relaxed);
                let mut sink = [0u8; 64];
                // Sends nothing; waits for the server to close it.
                while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
                closed.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    // Every silent connection is open (or in the backlog) before timing.
    while opened.load(Ordering::Relaxed) < silent {
        tokio::task::yield_now().await;
    }

    let request = format!(
        "GET /api/v1/me HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    );
    let mut times = Vec::with_capacity(requests);
    let mut answered = 0;
    for _ in 0..requests {
        let begun = Instant::now();
        let outcome = tokio::time::timeout(PATIENCE, async {
            let mut stream = TcpStream::connect(addr).await.ok()?;
            stream.write_all(request.as_bytes()).await.ok()?;
            let mut answer = Vec::new();
            stream.read_to_end(&mut answer).await.ok()?;
            Some(answer.starts_with(b"HTTP/1.1 200"))
        })
        .await;
        times.push(begun.elapsed());
        if matches!(outcome, Ok(Some(true))) {
            answered += 1;
        }
    }
    for task in &silent_tasks {
        task.abort();
    }
    let max = times.iter().max().copied().unwrap_or(Duration::ZERO);
    println!(
        "silent={silent} requests={requests} answered={answered} p50_ms={} max_ms={} silent_opened={} \
         silent_closed_by_server={}",
        ms(percentile(&mut times, 50.0)),
        ms(max),
        opened.load(Ordering::Relaxed),
        closed_by_server.load(Ordering::Relaxed),
    );
}
