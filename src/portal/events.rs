//! The portal's live event stream (`GET /api/v1/events`, Server-Sent
//! Events), read with the `sse-stream` crate for the framing.
//!
//! - [`PortalClient::events`] is one connection: a stream of events that
//!   ends when the connection does. A malformed event, an event (or a line,
//!   or a comment) longer than [`MAX_EVENT_BYTES`], or a connection silent
//!   for longer than [`IDLE_TIMEOUT`] (three missed keep-alives) is an
//!   error, never a panic and never unbounded memory.
//! - [`PortalClient::follow`] keeps one open: it reconnects with backoff
//!   and full jitter, resumes from the last id it passed on
//!   (`Last-Event-ID`), drops what it already passed on, and hands `reset`
//!   to its reader (who must read everything again).
//!
//! An event of a type this version does not know is skipped: the contract
//! grows additively.

use std::time::Duration;

use bytes::Bytes;
use futures::{Stream, StreamExt};
use reqwest::header;
use sse_stream::{Sse, SseByteStream};

use super::client::PortalClient;
use super::error::PortalError;
use super::model::{EventId, EventType, PortalEvent};

/// The longest event (or line, or comment) read: a longer one is an error.
pub const MAX_EVENT_BYTES: usize = 64 << 10;

/// A connection that sends nothing (not even a keep-alive comment, sent
/// every 15 s) for this long is taken for dead.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(45);

/// How [`PortalClient::follow`] reconnects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowOptions {
    /// The first wait before reconnecting; doubled each failed attempt,
    /// with full jitter.
    pub backoff: Duration,
    /// The longest wait.
    pub max_backoff: Duration,
    /// See [`IDLE_TIMEOUT`].
    pub idle_timeout: Duration,
}

impl Default for FollowOptions {
    fn default() -> Self {
        Self { backoff: Duration::from_millis(250), max_backoff: Duration::from_secs(30), idle_timeout: IDLE_TIMEOUT }
    }
}

/// What [`PortalClient::follow`] hands on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Live {
    /// A connection is open (first, or again after [`Live::Lost`]).
    Connected,
    /// An event, each once and in order. A [`EventType::Reset`] means:
    /// events were missed, read everything again.
    Event(PortalEvent),
    /// The connection failed or dropped; it is tried again after a backoff,
    /// unless the error is one a retry cannot mend (a refused token, a
    /// refused request), which ends the stream.
    Lost(PortalError),
}

/// Whether trying again can mend this failure.
fn worth_retrying(error: &PortalError) -> bool {
    !matches!(
        error,
        PortalError::Unauthorized
            | PortalError::NotFound { .. }
            | PortalError::Invalid { .. }
            | PortalError::InvalidUrl
            | PortalError::InsecureUrl { .. }
    )
}

impl PortalClient {
    /// The event stream from after `since` (from now on when `None`),
    /// only of `types` (every type when empty): one connection.
    pub fn events(
        &self,
        since: Option<EventId>,
        types: &[EventType],
    ) -> impl Stream<Item = Result<PortalEvent, PortalError>> + Send + 'static {
        let client = self.clone();
        let types = types.to_vec();
        futures::stream::once(async move { client.open_events(since, &types, IDLE_TIMEOUT).await })
            .map(|opened| match opened {
                Ok(events) => events.left_stream(),
                Err(error) => futures::stream::iter([Err(error)]).right_stream(),
            })
            .flatten()
    }

    /// The event stream, kept open: see the module's notes.
    pub fn follow(
        &self,
        since: Option<EventId>,
        types: &[EventType],
        options: FollowOptions,
    ) -> impl Stream<Item = Live> + Send + 'static {
        let follower = Follower {
            client: self.clone(),
            types: types.to_vec(),
            options,
            last: since,
            connection: None,
            failures: 0,
            ended: false,
        };
        futures::stream::unfold(follower, |mut follower| async move {
            let next = follower.next().await?;
            Some((next, follower))
        })
    }

    /// Opens one connection: the answer's status and type are checked
    /// before any event is read.
    async fn open_events(
        &self,
        since: Option<EventId>,
        types: &[EventType],
        idle_timeout: Duration,
    ) -> Result<futures::stream::BoxStream<'static, Result<PortalEvent, PortalError>>, PortalError> {
        let mut request = self
            .get_request("api/v1/events")?
            .header(header::ACCEPT, "text/event-stream")
            .header(header::CACHE_CONTROL, "no-cache")
            // The stream is meant to stay open: no overall deadline (the
            // idle timeout stands in for one).
            .timeout(Duration::from_secs(10 * 365 * 24 * 3600));
        if let Some(id) = since {
            request = request.header("Last-Event-ID", id.to_string());
        }
        if !types.is_empty() {
            let names: Vec<&str> = types.iter().map(|t| t.as_str()).collect();
            request = request.query(&[("types", names.join(","))]);
        }
        let response = self.open(request).await?;
        let is_stream = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().starts_with("text/event-stream"));
        if !is_stream {
            return Err(PortalError::Decode { what: "the answer is not an event stream".into() });
        }
        let bytes = bounded(response.bytes_stream(), MAX_EVENT_BYTES, idle_timeout);
        let events = SseByteStream::new(bytes).filter_map(|frame| async move {
            match frame {
                Ok(sse) => read_event(sse).transpose(),
                Err(sse_stream::Error::Body(inner)) => Some(Err(match inner.downcast::<PortalError>() {
                    Ok(error) => *error,
                    Err(_) => PortalError::Dropped,
                })),
                Err(_) => Some(Err(PortalError::Decode { what: "an event is not UTF-8".into() })),
            }
        });
        Ok(events.boxed())
    }
}

/// An event frame as a portal event: `None` for what is not one (a
/// frame with no data, an event type this version does not know).
fn read_event(sse: Sse) -> Result<Option<PortalEvent>, PortalError> {
    let (Some(name), Some(data)) = (sse.event.as_deref(), sse.data.as_deref()) else {
        return Ok(None);
    };
    let Ok(kind) = name.parse::<EventType>() else {
        return Ok(None);
    };
    let id = sse
        .id
        .as_deref()
        .and_then(|id| id.parse::<EventId>().ok())
        .ok_or_else(|| PortalError::Decode { what: "an event has no readable id".into() })?;
    let mut event: PortalEvent = super::client::decode(data.as_bytes())?;
    if event.kind != kind {
        return Err(PortalError::Decode { what: "an event's type and data disagree".into() });
    }
    event.id = id;
    Ok(Some(event))
}

/// The body's bytes, refused once more than `cap` bytes pass without an
/// event ending (a blank line), or when nothing arrives for `idle`.
fn bounded(
    body: impl Stream<Item = reqwest::Result<Bytes>> + Send + 'static,
    cap: usize,
    idle: Duration,
) -> impl Stream<Item = Result<Bytes, PortalError>> + Send + 'static {
    futures::stream::unfold(Some((body.boxed(), Boundary::default())), move |state| async move {
        let (mut body, mut boundary) = state?;
        let chunk = match tokio::time::timeout(idle, body.next()).await {
            Err(_) => return Some((Err(PortalError::Timeout), None)),
            Ok(None) => return None,
            Ok(Some(Err(error))) => return Some((Err(PortalError::from_reqwest(&error)), None)),
            Ok(Some(Ok(chunk))) => chunk,
        };
        if boundary.feed(&chunk) > cap {
            return Some((Err(PortalError::TooLarge { limit_bytes: cap as u64 }), None));
        }
        Some((Ok(chunk), Some((body, boundary))))
    })
}

/// Counts the bytes since the last blank line (the end of an event), with
/// CR, LF and CRLF line ends as the SSE format has them.
#[derive(Debug, Default)]
struct Boundary {
    since_blank: usize,
    line_len: usize,
    after_cr: bool,
}

impl Boundary {
    /// Takes a chunk; answers the most bytes seen since a blank line
    /// while reading it.
    fn feed(&mut self, chunk: &[u8]) -> usize {
        let mut most = self.since_blank;
        for &byte in chunk {
            let after_cr = std::mem::replace(&mut self.after_cr, byte == b'\r');
            match byte {
                b'\n' if after_cr => {}
                b'\r' | b'\n' => {
                    if self.line_len == 0 {
                        self.since_blank = 0;
                    }
                    self.line_len = 0;
                }
                _ => {
                    self.line_len += 1;
                    self.since_blank += 1;
                    most = most.max(self.since_blank);
                }
            }
        }
        most
    }
}

/// The reconnecting reader's state.
struct Follower {
    client: PortalClient,
    types: Vec<EventType>,
    options: FollowOptions,
    last: Option<EventId>,
    connection: Option<futures::stream::BoxStream<'static, Result<PortalEvent, PortalError>>>,
    failures: u32,
    ended: bool,
}

impl Follower {
    async fn next(&mut self) -> Option<Live> {
        if self.ended {
            return None;
        }
        loop {
            let Some(connection) = self.connection.as_mut() else {
                if self.failures > 0 {
                    tokio::time::sleep(self.backoff()).await;
                }
                match self.client.open_events(self.last, &self.types, self.options.idle_timeout).await {
                    Ok(connection) => {
                        self.connection = Some(connection);
                        return Some(Live::Connected);
                    }
                    Err(error) => return Some(self.lost(error)),
                }
            };
            match connection.next().await {
                Some(Ok(event)) => {
                    if event.kind != EventType::Reset && self.last.is_some_and(|last| event.id <= last) {
                        continue;
                    }
                    self.failures = 0;
                    self.last = Some(event.id);
                    return Some(Live::Event(event));
                }
                Some(Err(error)) => return Some(self.lost(error)),
                None => return Some(self.lost(PortalError::Dropped)),
            }
        }
    }

    fn lost(&mut self, error: PortalError) -> Live {
        self.connection = None;
        self.failures = self.failures.saturating_add(1);
        if !worth_retrying(&error) {
            self.ended = true;
        }
        Live::Lost(error)
    }

    fn backoff(&self) -> Duration {
        let backoff = super::Backoff { base: self.options.backoff, max: self.options.max_backoff, jitter: true };
        backoff.delay(self.failures.saturating_sub(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_boundary_counts_bytes_since_the_last_blank_line() {
        let mut b = Boundary::default();
        assert_eq!(b.feed(b"id: 1\nevent: x\n"), 13);
        assert_eq!(b.feed(b"\n"), 13, "the blank line ends the event");
        assert_eq!(b.feed(b"data: {}\r\n\r\n"), 8);
        assert_eq!(b.feed(b": keep-alive\r\r"), 12);
        assert_eq!(b.feed(b"ab"), 2);
        assert_eq!(b.feed(b"\r"), 2);
        assert_eq!(b.feed(b"\ncd"), 4, "CR then LF across chunks is one line end");
    }

    #[test]
    fn a_frame_becomes_an_event_or_an_error_never_a_panic() {
        let frame = |event: Option<&str>, id: Option<&str>, data: Option<&str>| Sse {
            event: event.map(str::to_owned),
            id: id.map(str::to_owned),
            data: data.map(str::to_owned),
            retry: None,
        };
        let good = r#"{"type":"invite.sent","at":"2026-11-25T09:00:00Z","account_id":"acc_1","extra":1}"#;
        let event = read_event(frame(Some("invite.sent"), Some("7"), Some(good))).unwrap().unwrap();
        assert_eq!((event.id, event.kind), (EventId(7), EventType::InviteSent));
        assert_eq!(read_event(frame(Some("ticket.deleted"), Some("8"), Some(good))).unwrap(), None);
        assert_eq!(read_event(frame(None, None, None)).unwrap(), None);
        assert!(read_event(frame(Some("invite.sent"), None, Some(good))).is_err());
        assert!(read_event(frame(Some("invite.sent"), Some("x"), Some(good))).is_err());
        assert!(read_event(frame(Some("ticket.created"), Some("9"), Some(good))).is_err());
        assert!(read_event(frame(Some("invite.sent"), Some("9"), Some("{\"type\":"))).is_err());
    }
}
