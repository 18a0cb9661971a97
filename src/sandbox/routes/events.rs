//! `/api/v1/events` (the live event stream, Server-Sent Events) and
//! `/api/v1/tickets/{id}/presence` (who is on a ticket).

use std::collections::{HashSet, VecDeque};
use std::convert::Infallible;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures::Stream;
use serde::Deserialize;
use tokio::sync::broadcast;

use super::AppState;
use crate::portal::model::{EventId, EventType, PortalEvent, PresenceRequest};
use crate::sandbox::extract::{ApiJson, ApiPath, ApiQuery, RequestBody};
use crate::sandbox::problem::ApiError;
use crate::sandbox::store::events::{self as log, StoredEvent};
use crate::sandbox::store::tickets;

impl RequestBody for PresenceRequest {}

/// Its routes, under `/api/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/events", get(stream))
        .route("/tickets/{id}/presence", axum::routing::put(present).delete(leave))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    types: Option<String>,
}

/// How many events a stream reads from the log at a time.
const PAGE: u32 = 500;

/// The `?types=` filter: comma-separated type names; an unknown one is 400.
fn types(text: Option<&str>) -> Result<Option<HashSet<EventType>>, ApiError> {
    let Some(text) = text else {
        return Ok(None);
    };
    let mut wanted = HashSet::new();
    for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let kind = name.parse::<EventType>().ok().filter(|k| *k != EventType::Reset).ok_or_else(|| {
            ApiError::bad_request("types names an unknown event type (see EventType in the API description)")
        })?;
        wanted.insert(kind);
    }
    if wanted.is_empty() {
        return Err(ApiError::bad_request("types must name at least one event type"));
    }
    Ok(Some(wanted))
}

/// The `Last-Event-ID` header: absent, or a decimal id (else 400).
fn last_event_id(headers: &HeaderMap) -> Result<Option<EventId>, ApiError> {
    let Some(value) = headers.get("last-event-id") else {
        return Ok(None);
    };
    let text = value.to_str().map_err(|_| ApiError::bad_request("Last-Event-ID must be an id this stream sent"))?;
    if text.trim().is_empty() {
        return Ok(None);
    }
    text.parse::<EventId>().map(Some).map_err(|_| ApiError::bad_request("Last-Event-ID must be an id this stream sent"))
}

/// Where a new stream starts.
enum Start {
    /// After this id (resuming, or the newest event for a new stream).
    After(EventId),
    /// With one `reset`, then after this id.
    Reset(EventId),
}

pub async fn stream(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<EventsQuery>,
) -> Result<Response, ApiError> {
    let wanted = types(query.types.as_deref())?;
    let since = last_event_id(&headers)?;
    // Subscribe before reading the log: an event committed in between is
    // in both, and the id check drops the second copy.
    let receiver = state.0.events.subscribe();
    let start = state
        .read(move |conn, _| {
            Ok(match since {
                None => Start::After(log::latest(conn)?),
                Some(id) if log::can_resume(conn, id)? => Start::After(id),
                Some(_) => Start::Reset(log::latest(conn)?),
            })
        })
        .await?;
    let cursor = match start {
        Start::After(id) => Cursor::new(state.clone(), receiver, wanted, id, None),
        Start::Reset(id) => Cursor::new(state.clone(), receiver, wanted, id, Some(id)),
    };
    let events = futures::stream::unfold(cursor, |mut cursor| async move {
        cursor.next().await.map(|event| (Ok::<_, Infallible>(event), cursor))
    });
    let keep_alive = KeepAlive::new().interval(state.0.events.keep_alive).text("keep-alive");
    let mut response = sse_response(events, keep_alive);
    response.headers_mut().insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}

fn sse_response<S>(events: S, keep_alive: KeepAlive) -> Response
where
    S: Stream<Item = Result<Event, Infallible>> + Send + 'static,
{
    Sse::new(events).keep_alive(keep_alive).into_response()
}

/// One stream's place: the last id it passed, what it still has to send,
/// and whether it reads the log (at the start, and after lagging) or the
/// channel.
struct Cursor {
    state: AppState,
    receiver: broadcast::Receiver<Arc<StoredEvent>>,
    wanted: Option<HashSet<EventType>>,
    last: EventId,
    queue: VecDeque<Arc<StoredEvent>>,
    reading_log: bool,
    reset: Option<EventId>,
}

impl Cursor {
    fn new(
        state: AppState,
        receiver: broadcast::Receiver<Arc<StoredEvent>>,
        wanted: Option<HashSet<EventType>>,
        last: EventId,
        reset: Option<EventId>,
    ) -> Self {
        Self { state, receiver, wanted, last, queue: VecDeque::new(), reading_log: true, reset }
    }

    /// The next frame to send; `None` ends the stream.
    async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(id) = self.reset.take() {
                self.last = id;
                self.queue.clear();
                return Some(reset_frame(id, &self.state));
            }
            if let Some(event) = self.queue.pop_front() {
                if event.id <= self.last {
                    continue;
                }
                self.last = event.id;
                if self.wanted.as_ref().is_some_and(|w| !w.contains(&event.kind)) {
                    continue;
                }
                return Some(frame(&event));
            }
            if self.reading_log {
                let last = self.last;
                let page = self
                    .state
                    .read(move |conn, _| {
                        if !log::can_resume(conn, last)? {
                            return Ok(Err(log::latest(conn)?));
                        }
                        Ok(Ok(log::after(conn, last, PAGE)?))
                    })
                    .await
                    .ok()?;
                match page {
                    Err(latest) => self.reset = Some(latest),
                    Ok(page) if page.is_empty() => self.reading_log = false,
                    Ok(page) => self.queue.extend(page.into_iter().map(Arc::new)),
                }
                continue;
            }
            match self.receiver.recv().await {
                Ok(event) => self.queue.push_back(event),
                // Too slow for the channel: read the log from where it stands.
                Err(broadcast::error::RecvError::Lagged(_)) => self.reading_log = true,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }
}

fn frame(event: &StoredEvent) -> Event {
    Event::default().id(event.id.to_string()).event(event.kind.as_str()).data(&event.data)
}

fn reset_frame(id: EventId, state: &AppState) -> Event {
    let event = PortalEvent::new(EventType::Reset, state.0.clock.now());
    let data = serde_json::to_string(&event).unwrap_or_else(|_| "{\"type\":\"reset\"}".to_owned());
    Event::default().id(id.to_string()).event(EventType::Reset.as_str()).data(data)
}

/// A presence heartbeat: the caller is on the ticket in `mode`. Answers
/// the ticket's viewers.
pub async fn present(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    body: ApiJson<PresenceRequest>,
) -> Result<Response, ApiError> {
    let mode = body.value.mode;
    let staff = state.me().id;
    state
        .write(move |tx, now| {
            let stored = tickets::by_id(tx, &id, now)?.ok_or_else(|| ApiError::not_found("ticket"))?;
            log::heartbeat(tx, stored.ticket.id.as_str(), &staff, mode, now)?;
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The caller left the ticket (at once, without waiting for the lapse).
pub async fn leave(State(state): State<AppState>, ApiPath(id): ApiPath<String>) -> Result<Response, ApiError> {
    let staff = state.me().id;
    state
        .write(move |tx, now| {
            let stored = tickets::by_id(tx, &id, now)?.ok_or_else(|| ApiError::not_found("ticket"))?;
            log::leave(tx, stored.ticket.id.as_str(), &staff, now)?;
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_types_filter_refuses_what_it_does_not_know() {
        assert_eq!(types(None).unwrap(), None);
        let wanted = types(Some("ticket.created, invite.sent")).unwrap().unwrap();
        assert_eq!(wanted, HashSet::from([EventType::TicketCreated, EventType::InviteSent]));
        assert!(types(Some("ticket.created,ticket.deleted")).is_err());
        assert!(types(Some("reset")).is_err());
        assert!(types(Some(",")).is_err());
    }

    #[test]
    fn last_event_id_is_a_number_or_nothing() {
        let mut headers = HeaderMap::new();
        assert_eq!(last_event_id(&headers).unwrap(), None);
        headers.insert("last-event-id", HeaderValue::from_static("42"));
        assert_eq!(last_event_id(&headers).unwrap(), Some(EventId(42)));
        headers.insert("last-event-id", HeaderValue::from_static("abc"));
        assert!(last_event_id(&headers).is_err());
    }
}
