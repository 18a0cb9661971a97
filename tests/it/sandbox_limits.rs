//! The sandbox closes connections that send nothing, never finish their
//! headers or body, or sit idle, and gives a slot to a new connection by
//! closing the oldest idle one, so silent sockets cannot hold it (or its
//! descriptors), embedded or served by `portaldesk sandbox serve`.

use crate::common;

use std::time::Duration;

use common::{Harness, t0};
use portaldesk::sandbox::SandboxOptions;
use portaldesk::sandbox::server::Limits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A bound on waiting for the server's close or answer, far above the
/// timeouts used: the tests wait for the event itself, this only keeps a
/// regression from hanging the suite.
const GUARD: Duration = Duration::from_secs(20);

/// Far longer than any test: a close within a test is not a timeout's.
const NEVER: Duration = Duration::from_secs(3600);

/// Timeouts that never fire within a test, and `max_connections` slots.
fn slots_only(max_connections: usize) -> Limits {
    Limits { first_request: NEVER, keep_alive: NEVER, body: NEVER, max_connections }
}

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

/// Whether the server still holds the connection open, having sent
/// nothing on it.
fn still_open(stream: &TcpStream) -> bool {
    let mut probe = [0u8; 1];
    matches!(stream.try_read(&mut probe), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
}

const REQUEST: &str = "GET /api/v1/me HTTP/1.1\r\nHost: sandbox\r\nAuthorization: Bearer sandbox\r\n\r\n";
const CLOSING: &str =
    "GET /api/v1/me HTTP/1.1\r\nHost: sandbox\r\nAuthorization: Bearer sandbox\r\nConnection: close\r\n\r\n";

/// A whole request on a new connection, answered and closed.
async fn asked(addr: std::net::SocketAddr) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(CLOSING.as_bytes()).await.unwrap();
    until_closed(&mut stream).await
}

/// `n` connections that send nothing.
async fn silent(addr: std::net::SocketAddr, n: usize) -> Vec<TcpStream> {
    let mut streams = Vec::with_capacity(n);
    for _ in 0..n {
        streams.push(TcpStream::connect(addr).await.unwrap());
    }
    streams
}

#[tokio::test]
async fn a_silent_connection_is_closed_after_the_first_request_timeout() {
    let limits = Limits { first_request: Duration::from_millis(300), ..slots_only(128) };
    let h = with_limits(limits).await;
    let mut stream = TcpStream::connect(h.sandbox.addr).await.unwrap();
    assert_eq!(until_closed(&mut stream).await, "", "closed without a word");
}

#[tokio::test]
async fn a_connection_that_never_finishes_its_headers_is_closed() {
    let limits = Limits { first_request: Duration::from_millis(300), ..slots_only(128) };
    let h = with_limits(limits).await;
    let mut stream = TcpStream::connect(h.sandbox.addr).await.unwrap();
    stream.write_all(b"GET /api/v1/me HTTP/1.1\r\nHost: sand").await.unwrap();
    let answer = until_closed(&mut stream).await;
    assert!(!answer.contains("200 OK"), "{answer}");
}

#[tokio::test]
async fn a_keep_alive_connection_left_idle_is_closed_after_its_answer() {
    let limits = Limits { keep_alive: Duration::from_millis(300), ..slots_only(128) };
    let h = with_limits(limits).await;
    let mut stream = TcpStream::connect(h.sandbox.addr).await.unwrap();
    stream.write_all(REQUEST.as_bytes()).await.unwrap();
    let answer = until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
}

#[tokio::test]
async fn a_body_that_never_arrives_whole_is_answered_408_and_closed() {
    let limits = Limits { body: Duration::from_millis(300), ..slots_only(128) };
    // Seeded in full: it has tickets to write a note on.
    let h = Harness::with(SandboxOptions { frozen_at: Some(t0()), limits, ..SandboxOptions::default() }).await;
    let ticket = h.ticket(portaldesk::sandbox::seed::SeedCase::NoInvite).ticket_id.clone();
    let mut stream = TcpStream::connect(h.sandbox.addr).await.unwrap();
    let head = format!(
        "POST /api/v1/tickets/{ticket}/notes HTTP/1.1\r\nHost: sandbox\r\nAuthorization: Bearer sandbox\r\n\
         Idempotency-Key: k1\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{{\"body\": \"ca"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let answer = until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 408 Request Timeout"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    // Nothing was stored.
    assert!(h.client.notes(&ticket).await.unwrap().is_empty());
}

#[tokio::test]
async fn more_silent_connections_than_slots_do_not_starve_a_request_embedded() {
    // No timeout can fire here: only giving the slots of the oldest
    // silent connections to new ones lets the request through.
    let h = with_limits(slots_only(8)).await;
    let mut streams = silent(h.sandbox.addr, 40).await;
    let answer = tokio::time::timeout(GUARD, asked(h.sandbox.addr)).await.expect("the request was answered");
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    // On Linux the kernel holds silent connections until they send
    // (TCP_DEFER_ACCEPT): they took no slot. Elsewhere the oldest silent
    // ones were closed to make room, without a word.
    if cfg!(target_os = "linux") {
        assert!(still_open(&streams[0]), "a silent connection was taken and closed");
    } else {
        assert_eq!(until_closed(&mut streams[0]).await, "");
    }
    // Through the portal client as well.
    let me = tokio::time::timeout(GUARD, h.client.me()).await;
    assert!(matches!(me, Ok(Ok(_))), "{me:?}");
}

#[tokio::test]
async fn an_idle_keep_alive_connection_gives_its_slot_to_a_new_one() {
    let h = with_limits(slots_only(1)).await;
    let mut first = TcpStream::connect(h.sandbox.addr).await.unwrap();
    first.write_all(REQUEST.as_bytes()).await.unwrap();
    let mut seen = [0u8; 12];
    first.read_exact(&mut seen).await.unwrap();
    assert_eq!(&seen, b"HTTP/1.1 200");
    // The only slot is held by an idle keep-alive connection: a new one
    // is answered, and the idle one closed.
    assert!(asked(h.sandbox.addr).await.starts_with("HTTP/1.1 200 OK"));
    until_closed(&mut first).await;
}

#[tokio::test]
async fn a_request_in_progress_keeps_its_slot_and_new_connections_wait() {
    // One slot, taken by an event stream (a request in progress for as
    // long as it is open), which comments every 20 ms while idle.
    let options = SandboxOptions {
        frozen_at: Some(t0()),
        accounts: 30,
        limits: slots_only(1),
        keep_alive: Duration::from_millis(20),
        ..SandboxOptions::default()
    };
    let h = Harness::with(options).await;
    let mut stream = TcpStream::connect(h.sandbox.addr).await.unwrap();
    let events = "GET /api/v1/events HTTP/1.1\r\nHost: sandbox\r\nAuthorization: Bearer sandbox\r\n\r\n";
    stream.write_all(events.as_bytes()).await.unwrap();
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).await.unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");
    let mut second = TcpStream::connect(h.sandbox.addr).await.unwrap();
    second.write_all(CLOSING.as_bytes()).await.unwrap();
    // The stream goes on (more comments arrive after the second asked)...
    let mut seen = Vec::new();
    let mut chunk = vec![0u8; 4096];
    while String::from_utf8_lossy(&seen).matches(": keep-alive").count() < 3 {
        let n = tokio::time::timeout(GUARD, stream.read(&mut chunk)).await.unwrap().unwrap();
        assert!(n > 0, "the event stream was cut to make room");
        seen.extend_from_slice(&chunk[..n]);
    }
    // ... and the second waits for the slot.
    assert!(still_open(&second), "the second connection was served while the only slot was taken");
    drop(stream);
    let answer = until_closed(&mut second).await;
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
}

#[tokio::test]
async fn more_silent_connections_than_slots_do_not_starve_sandbox_serve() {
    // The real binary, its 128 slots and default timeouts (10 s for a
    // first request): 200 silent connections, then a request.
    let server = common::Server::start("sandbox", &[]);
    let addr: std::net::SocketAddr = server.url.trim_start_matches("http://").parse().unwrap();
    let mut streams = silent(addr, 200).await;
    let answer = tokio::time::timeout(GUARD, asked(addr)).await.expect("the request was answered");
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    if cfg!(target_os = "linux") {
        // The kernel holds them until they send (TCP_DEFER_ACCEPT): none
        // took a slot, none was closed.
        assert!(still_open(&streams[0]) && still_open(&streams[199]));
    } else {
        // Room was made by closing the oldest silent connections...
        assert_eq!(until_closed(&mut streams[0]).await, "");
        // ... not by a timeout: the newest are still held.
        assert!(still_open(&streams[199]), "the newest silent connection was closed too");
    }
}
