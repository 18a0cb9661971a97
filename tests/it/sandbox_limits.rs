//! The sandbox closes connections that never finish their headers or sit
//! idle, and serves at most so many connections at once, so idle sockets
//! cannot hold it (or its descriptors) forever.

use crate::common;

use std::time::Duration;

use common::{Harness, t0};
use portaldesk::sandbox::SandboxOptions;
use portaldesk::sandbox::server::Limits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A bound on waiting for the server's close, far above the timeouts used:
/// the tests wait for the close itself, this only keeps a regression from
/// hanging the suite.
const GUARD: Duration = Duration::from_secs(20);

async fn with_limits(limits: Limits) -> Harness {
    Harness::with(SandboxOptions { frozen_at: Some(t0()), accounts: 30, limits, ..SandboxOptions::default() }).await
}

/// Reads until the server closes the connection; what it sent before.
async fn until_closed(stream: &mut TcpStream) -> String {
    let mut seen = Vec::new();
    let read = tokio::time::timeout(GUARD, stream.read_to_end(&mut seen)).await;
    assert!(read.is_ok(), "the server kept the connection open; it sent {:?}", String::from_utf8_lossy(&seen));
    String::from_utf8_lossy(&seen).into_owned()
}

const REQUEST: &str = "GET /api/v1/me HTTP/1.1\r\nHost: sandbox\r\nAuthorization: Bearer sandbox\r\n\r\n";

#[tokio::test]
async fn a_connection_that_never_finishes_its_headers_is_closed() {
    let h = with_limits(Limits { header_read_timeout: Duration::from_millis(300), ..Limits::default() }).await;
    let mut stream = TcpStream::connect(h.sandbox.addr).await.unwrap();
    stream.write_all(b"GET /api/v1/me HTTP/1.1\r\nHost: sand").await.unwrap();
    let answer = until_closed(&mut stream).await;
    assert!(!answer.contains("200 OK"), "{answer}");
}

#[tokio::test]
async fn a_keep_alive_connection_left_idle_is_closed_after_its_answer() {
    let h = with_limits(Limits { header_read_timeout: Duration::from_millis(300), ..Limits::default() }).await;
    let mut stream = TcpStream::connect(h.sandbox.addr).await.unwrap();
    stream.write_all(REQUEST.as_bytes()).await.unwrap();
    let answer = until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
}

#[tokio::test]
async fn past_the_connection_limit_idle_sockets_do_not_starve_a_real_request() {
    let limits = Limits { header_read_timeout: Duration::from_millis(500), max_connections: 4 };
    let h = with_limits(limits).await;
    // Twice the limit of connections that send half a request and wait.
    let mut idle = Vec::new();
    for _ in 0..8 {
        let mut stream = TcpStream::connect(h.sandbox.addr).await.unwrap();
        stream.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
        idle.push(stream);
    }
    // A real request behind them is answered: the idle ones are cut at the
    // header timeout and their slots go to the waiting connections.
    let me = tokio::time::timeout(GUARD, h.client.me()).await;
    assert!(matches!(me, Ok(Ok(_))), "{me:?}");
    for stream in &mut idle {
        until_closed(stream).await;
    }
}

/// Reads one answer (headers and a `content-length` body) off a kept-alive
/// connection.
async fn one_answer(stream: &mut TcpStream) -> String {
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    while !seen.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).await.unwrap();
        seen.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&seen).into_owned();
    let length: usize = head
        .lines()
        .find_map(|line| line.to_ascii_lowercase().strip_prefix("content-length: ").map(str::to_owned))
        .and_then(|n| n.trim().parse().ok())
        .unwrap();
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).await.unwrap();
    head + &String::from_utf8_lossy(&body)
}

#[tokio::test]
async fn the_limit_holds_connections_back_until_a_slot_frees() {
    // One slot, and a header timeout far longer than the test.
    let limits = Limits { header_read_timeout: Duration::from_secs(60), max_connections: 1 };
    let h = with_limits(limits).await;
    let mut first = TcpStream::connect(h.sandbox.addr).await.unwrap();
    first.write_all(REQUEST.as_bytes()).await.unwrap();
    assert!(one_answer(&mut first).await.starts_with("HTTP/1.1 200 OK"));
    // The first connection stays open (keep-alive) and holds the slot: a
    // second one's request waits, while the first is still served.
    let mut second = TcpStream::connect(h.sandbox.addr).await.unwrap();
    second.write_all(REQUEST.replace("HTTP/1.1\r\n", "HTTP/1.1\r\nConnection: close\r\n").as_bytes()).await.unwrap();
    first.write_all(REQUEST.as_bytes()).await.unwrap();
    assert!(one_answer(&mut first).await.starts_with("HTTP/1.1 200 OK"));
    let mut probe = [0u8; 1];
    let early = second.try_read(&mut probe);
    assert!(
        matches!(&early, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "the second connection was served while the only slot was taken: {early:?}"
    );
    // Once the first is gone, the second is answered.
    drop(first);
    let answer = until_closed(&mut second).await;
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
}
