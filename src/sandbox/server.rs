//! Serving the sandbox's router on a listener, so that connections that
//! send nothing, or too little, cannot hold it:
//!
//! - a new connection's first request must arrive (its headers whole)
//!   within [`Limits::first_request`], or the connection is closed;
//! - a later request's headers within [`Limits::keep_alive`] of the answer
//!   before (hyper's own header-read timeout), so an idle keep-alive
//!   connection is closed then;
//! - a request's body must arrive whole within [`Limits::body`] of its
//!   headers, or the request is answered `408` and the connection closed;
//! - on Linux a connection is handed over by the kernel only once its
//!   first bytes arrived (`TCP_DEFER_ACCEPT`, up to the first-request
//!   time): a silent one holds no descriptor here meanwhile;
//! - at most [`Limits::max_connections`] are served at once. Past that,
//!   for each new connection the oldest *idle* one (no request of it in
//!   progress: silent since it opened, between requests, or still sending
//!   headers) is closed; only when every connection has a request in
//!   progress does a new one wait (and the listen backlog behind it). So
//!   silent clients cannot take the slots, and the server's descriptors
//!   stay bounded (the slots and one connection waiting).
//!
//! HTTP/1.1 only (hyper's server): the sandbox is reached over plain http
//! on loopback, where clients speak HTTP/1.1.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, Incoming};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Notify, oneshot, watch};
use tokio::task::JoinSet;
use tokio::time::Sleep;
use tower::ServiceExt;

/// How long and how many connections the sandbox keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// A new connection's first request (its headers, whole) must arrive
    /// within this of its opening.
    pub first_request: Duration,
    /// A later request's headers must arrive within this of the end of
    /// the answer before: an idle keep-alive connection is closed then.
    pub keep_alive: Duration,
    /// A request's body must arrive whole within this of its headers.
    pub body: Duration,
    /// Connections served at once (see the module's notes).
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            first_request: Duration::from_secs(10),
            keep_alive: Duration::from_secs(60),
            body: Duration::from_secs(10),
            max_connections: 128,
        }
    }
}

/// The error of a request body that did not arrive within
/// [`Limits::body`]: the extractors answer it `408`.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the request body did not arrive in time")]
pub struct BodyTimeout;

/// Whether `error`, or an error it wraps, is a [`BodyTimeout`].
pub fn is_body_timeout(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(error) = next {
        if error.is::<BodyTimeout>() {
            return true;
        }
        next = error.source();
    }
    false
}

/// A request body with a deadline for the whole of it.
struct DeadlineBody<B> {
    body: B,
    deadline: Pin<Box<Sleep>>,
}

impl<B> Body for DeadlineBody<B>
where
    B: Body + Unpin,
    B::Error: Into<axum::BoxError>,
{
    type Data = B::Data;
    type Error = axum::BoxError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<B::Data>, Self::Error>>> {
        if let Poll::Ready(frame) = Pin::new(&mut self.body).poll_frame(cx) {
            return Poll::Ready(frame.map(|frame| frame.map_err(Into::into)));
        }
        match self.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(BodyTimeout.into()))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.body.size_hint()
    }
}

/// One connection as the limit sees it.
#[derive(Default)]
struct Conn {
    /// Requests in progress: from their headers to the end of their
    /// answer's body.
    active: AtomicUsize,
    /// Whether a request ever arrived.
    served: AtomicBool,
    /// Told to close, to make room.
    evicted: AtomicBool,
    evict: Notify,
}

/// The connections served, oldest first, and a bell rung whenever one
/// ends or becomes idle.
#[derive(Default)]
struct Slots {
    open: Mutex<BTreeMap<u64, Arc<Conn>>>,
    changed: Notify,
}

impl Slots {
    fn len(&self) -> usize {
        self.open.lock().map_or(0, |open| open.len())
    }

    fn insert(&self, id: u64) -> Arc<Conn> {
        let conn = Arc::new(Conn::default());
        if let Ok(mut open) = self.open.lock() {
            open.insert(id, Arc::clone(&conn));
        }
        conn
    }

    fn remove(&self, id: u64) {
        if let Ok(mut open) = self.open.lock() {
            open.remove(&id);
        }
        self.changed.notify_one();
    }

    /// Tells the oldest idle connection to close; false when none is idle
    /// (true also when one told is still closing).
    fn evict_oldest_idle(&self) -> bool {
        let Ok(open) = self.open.lock() else {
            return false;
        };
        // One told and idle is about to close: its end makes the room.
        if open.values().any(|c| c.evicted.load(Ordering::SeqCst) && c.active.load(Ordering::SeqCst) == 0) {
            return true;
        }
        let idle = open.values().find(|c| c.active.load(Ordering::SeqCst) == 0 && !c.evicted.load(Ordering::SeqCst));
        match idle {
            Some(conn) => {
                conn.evicted.store(true, Ordering::SeqCst);
                conn.evict.notify_one();
                true
            }
            None => false,
        }
    }
}

/// A connection's place among the slots, given back when dropped.
struct Slot {
    id: u64,
    slots: Arc<Slots>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.slots.remove(self.id);
    }
}

/// A request in progress on a connection: counted from its headers until
/// its answer's body is done (or dropped).
struct Busy {
    conn: Arc<Conn>,
    slots: Arc<Slots>,
}

impl Busy {
    fn new(conn: &Arc<Conn>, slots: &Arc<Slots>) -> Self {
        conn.served.store(true, Ordering::SeqCst);
        conn.active.fetch_add(1, Ordering::SeqCst);
        Self { conn: Arc::clone(conn), slots: Arc::clone(slots) }
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.conn.active.fetch_sub(1, Ordering::SeqCst);
        self.slots.changed.notify_one();
    }
}

/// Serves `app` until `stopped` fires, then lets open connections finish
/// (for a bounded time).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    mut stopped: oneshot::Receiver<()>,
) -> std::io::Result<()> {
    defer_accept(&listener, limits.first_request);
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.keep_alive);
    let max = limits.max_connections.max(1);
    let slots = Arc::new(Slots::default());
    let (stopping, stop_signal) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let mut next_id: u64 = 0;
    'serving: loop {
        while tasks.try_join_next().is_some() {}
        let (stream, remote) = tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of descriptors or a connection reset before accept:
                // keep serving the others.
                Err(error) => {
                    tracing::warn!(kind = ?error.kind(), "sandbox accept failed");
                    // Not at once again (out of descriptors would spin):
                    // when a connection ends, or shortly.
                    tokio::select! {
                        () = slots.changed.notified() => {}
                        () = tokio::time::sleep(ACCEPT_BACKOFF) => {}
                    }
                    continue;
                }
            },
        };
        // Room for it: the oldest idle connection is closed; when every
        // one has a request in progress, it waits (and the backlog behind
        // it) until one ends or becomes idle.
        while slots.len() >= max {
            let changed = slots.changed.notified();
            slots.evict_oldest_idle();
            tokio::select! {
                _ = &mut stopped => break 'serving,
                () = changed => {}
            }
        }
        let id = next_id;
        next_id += 1;
        let conn = slots.insert(id);
        let app = app.clone();
        let (service_conn, service_slots) = (Arc::clone(&conn), Arc::clone(&slots));
        let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let busy = Busy::new(&service_conn, &service_slots);
            let deadline = Box::pin(tokio::time::sleep(limits.body));
            let mut request = request.map(|body| axum::body::Body::new(DeadlineBody { body, deadline }));
            request.extensions_mut().insert(ConnectInfo::<SocketAddr>(remote));
            let answer = app.clone().oneshot(request);
            async move {
                let response = answer.await?;
                // The request stays in progress until its answer is sent.
                Ok::<_, std::convert::Infallible>(response.map(|body| {
                    axum::body::Body::new(body.map_frame(move |frame| {
                        let _in_progress = &busy;
                        frame
                    }))
                }))
            }
        });
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let (slots, mut stop_signal) = (Arc::clone(&slots), stop_signal.clone());
        let first_request = limits.first_request;
        tasks.spawn(async move {
            // Its slot is given back however the task ends (a panic too).
            let _slot = Slot { id, slots };
            tokio::pin!(connection);
            let first = tokio::time::sleep(first_request);
            tokio::pin!(first);
            loop {
                let served = conn.served.load(Ordering::SeqCst);
                tokio::select! {
                    biased;
                    // A timed-out or reset connection is the client's business.
                    _ = connection.as_mut() => break,
                    () = conn.evict.notified() => {
                        if !conn.served.load(Ordering::SeqCst) {
                            break;
                        }
                        // Closes it at once when idle; a request in
                        // progress is finished first.
                        connection.as_mut().graceful_shutdown();
                    }
                    () = &mut first, if !served => {
                        if !conn.served.load(Ordering::SeqCst) {
                            break;
                        }
                    }
                    Ok(()) = stop_signal.changed() => {
                        if !conn.served.load(Ordering::SeqCst) {
                            break;
                        }
                        connection.as_mut().graceful_shutdown();
                    }
                }
            }
        });
    }
    drop(listener);
    let _ = stopping.send(true);
    // An open event stream never ends by itself: connections get a bounded
    // time to finish, then they are dropped with the server.
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, async { while tasks.join_next().await.is_some() {} }).await;
    Ok(())
}

/// Asks the kernel to hand over a new connection only once its first bytes
/// arrived (Linux's `TCP_DEFER_ACCEPT`, as nginx's `deferred`), for up to
/// `first_request` (whole seconds, at least one): a client that connects and
/// says nothing then waits in the kernel, holding neither a descriptor nor
/// a slot here, and a request behind a crowd of silent connections is
/// accepted as soon as it is sent. Past that time the kernel hands it over
/// anyway, and the first-request timeout closes it. Elsewhere nothing is
/// asked; the slots' eviction still holds.
fn defer_accept(listener: &TcpListener, first_request: Duration) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let seconds = libc::c_int::try_from(first_request.as_secs().max(1)).unwrap_or(libc::c_int::MAX);
        let size = libc::socklen_t::try_from(std::mem::size_of::<libc::c_int>()).unwrap_or(4);
        // SAFETY: the descriptor is the listener's own, open for the call;
        // the option value is a c_int read for `size` bytes.
        let done = unsafe {
            libc::setsockopt(
                listener.as_raw_fd(),
                libc::IPPROTO_TCP,
                libc::TCP_DEFER_ACCEPT,
                (&raw const seconds).cast(),
                size,
            )
        };
        if done != 0 {
            tracing::warn!(error = %std::io::Error::last_os_error(), "TCP_DEFER_ACCEPT not set");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (listener, first_request);
}

/// How long a stopping server waits for open connections to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);
/// The longest wait after a failed accept.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);
