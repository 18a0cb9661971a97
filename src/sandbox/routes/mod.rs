//! The sandbox's HTTP routes: the portal API under `/api/v1`, sandbox-only
//! routes under `/sandbox`, and the invite landing page under `/invite`.

mod accounts;
mod conversation;
mod events;
mod invite_page;
mod misc;
mod sandbox_only;
mod tickets;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, Transaction};

use super::clock::Clock;
use super::events::EventHub;
use super::extract::BODY_LIMIT;
use super::faults::{self, FaultInjector};
use super::problem::ApiError;
use super::store::{self, StoredAnswer};
use crate::portal::model::StaffMember;

/// Everything the handlers share.
pub struct Shared {
    pub db: Mutex<Connection>,
    pub clock: Clock,
    pub token: String,
    /// The staff member of `token`.
    pub me: StaffMember,
    /// Other staff tokens the sandbox accepts, each another help-desk
    /// member (so two consoles can be two agents).
    pub staff: Vec<(String, StaffMember)>,
    /// Staff ids a ticket may be assigned to.
    pub agents: Vec<String>,
    /// Where invite links point (`http://127.0.0.1:PORT`).
    pub link_base: String,
    /// The event stream's channel and settings.
    pub events: EventHub,
    /// Whether the search indexes hold every account yet (they are built
    /// after the sandbox starts serving; see [`index_accounts`]).
    pub search: tokio::sync::watch::Sender<SearchIndex>,
    /// A search waits for the indexes: building them starts at once,
    /// without the grace [`index_accounts`] otherwise gives the first reads.
    pub search_wanted: tokio::sync::Notify,
}

/// How long building the search indexes waits for the first reads, unless
/// a search asks for them sooner.
pub const INDEX_GRACE: std::time::Duration = std::time::Duration::from_millis(100);

/// The state of the search indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchIndex {
    Building,
    Ready,
    Failed,
}

/// Indexes the accounts the search indexes do not hold yet, a batch at a
/// time so other requests (the queue) are answered in between, then says
/// the indexes are ready. Started with the server: seeding leaves the
/// indexes to this, so the first answers do not wait for them. It begins
/// after [`INDEX_GRACE`], so a console's first reads (queue, event stream,
/// who am I), already waiting when the server starts, do not wait behind a
/// batch; a search that comes first starts it at once.
pub async fn index_accounts(shared: Arc<Shared>) {
    const BATCH: u32 = 4096;
    tokio::select! {
        () = tokio::time::sleep(INDEX_GRACE) => {}
        () = shared.search_wanted.notified() => {}
    }
    loop {
        let batch = Arc::clone(&shared);
        let done = tokio::task::spawn_blocking(move || -> rusqlite::Result<bool> {
            let mut conn = batch.db.lock().unwrap_or_else(|p| p.into_inner());
            let tx = conn.transaction()?;
            let done = store::accounts::index_pending(&tx, BATCH)?;
            tx.commit()?;
            Ok(done)
        })
        .await;
        match done {
            Ok(Ok(false)) => continue,
            Ok(Ok(true)) => {
                shared.search.send_replace(SearchIndex::Ready);
                return;
            }
            Ok(Err(e)) => tracing::error!(error = %e, "indexing accounts for search failed"),
            Err(_) => tracing::error!("the indexing task failed"),
        }
        shared.search.send_replace(SearchIndex::Failed);
        return;
    }
}

impl Shared {
    /// Waits until the search indexes hold every account, starting to
    /// build them now if they wait out their grace; false if building them
    /// failed.
    pub async fn searchable(&self) -> bool {
        self.search_wanted.notify_one();
        let mut state = self.search.subscribe();
        matches!(state.wait_for(|s| *s != SearchIndex::Building).await.map(|s| *s), Ok(SearchIndex::Ready))
    }

    /// Runs a change in one transaction, committed only when `f` succeeds,
    /// then publishes the events it appended. Blocking: call it off the
    /// async threads.
    pub fn transact<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&Transaction<'_>, DateTime<Utc>) -> Result<T, ApiError>,
    {
        let mut conn = self.db.lock().unwrap_or_else(|p| p.into_inner());
        let tx = conn.transaction()?;
        let value = f(&tx, self.clock.now())?;
        tx.commit()?;
        if let Err(error) = self.events.publish(&conn) {
            // The events are in the log; a stream that missed them reads
            // them from there when it resumes.
            tracing::warn!(%error, "publishing events failed");
        }
        Ok(value)
    }

    /// Announces what time made due (deliveries, expiries, lapsed
    /// presence) and drops what the log's window no longer keeps.
    pub fn catch_up(&self) -> Result<(), ApiError> {
        let window = self.events.window;
        self.transact(move |tx, now| {
            store::events::catch_up(tx, now)?;
            store::events::prune(tx, window, now)?;
            Ok(())
        })
    }
}

/// The handlers' state.
#[derive(Clone)]
pub struct AppState(pub Arc<Shared>);

impl AppState {
    /// The staff member making the request being answered (the sandbox's
    /// own outside a request).
    pub fn me(&self) -> StaffMember {
        STAFF.try_with(StaffMember::clone).unwrap_or_else(|_| self.0.me.clone())
    }

    /// Waits until the search indexes hold every account.
    pub async fn searchable(&self) -> Result<(), ApiError> {
        if self.0.searchable().await { Ok(()) } else { Err(ApiError::internal()) }
    }

    /// Runs a read on the database off the async threads.
    pub async fn read<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, DateTime<Utc>) -> Result<T, ApiError> + Send + 'static,
    {
        let shared = Arc::clone(&self.0);
        tokio::task::spawn_blocking(move || {
            let conn = shared.db.lock().unwrap_or_else(|p| p.into_inner());
            f(&conn, shared.clock.now())
        })
        .await
        .map_err(|_| ApiError::internal())?
    }

    /// Runs a change in one transaction, committed only when `f` succeeds.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>, DateTime<Utc>) -> Result<T, ApiError> + Send + 'static,
    {
        let shared = Arc::clone(&self.0);
        tokio::task::spawn_blocking(move || shared.transact(f)).await.map_err(|_| ApiError::internal())?
    }

    /// Runs a mutation at most once per Idempotency-Key: a retry with the
    /// same key and the same request replays the first answer; the same key
    /// with another request is 422. Without a key the mutation just runs.
    pub async fn mutate<F>(&self, key: Option<String>, fingerprint: String, f: F) -> Result<Response, ApiError>
    where
        F: FnOnce(&Transaction<'_>, DateTime<Utc>) -> Result<Answer, ApiError> + Send + 'static,
    {
        let actor = self.me().id;
        let (answer, replayed) = self
            .write(move |tx, now| {
                if let Some(key) = key.as_deref()
                    && let Some(stored) = store::idempotent_answer(tx, &actor, key)?
                {
                    if stored.fingerprint != fingerprint {
                        return Err(ApiError::idempotency_key_reused());
                    }
                    return Ok((Answer::from(stored), true));
                }
                let answer = f(tx, now)?;
                if let Some(key) = key.as_deref() {
                    store::remember_answer(tx, &actor, key, &answer.stored(fingerprint), now)?;
                }
                Ok((answer, false))
            })
            .await?;
        let mut response = answer.into_response();
        if replayed {
            response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
        }
        Ok(response)
    }
}

/// A successful JSON answer to a mutation, storable for idempotent replay.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: StatusCode,
    pub etag: Option<String>,
    pub location: Option<String>,
    pub body: String,
}

impl Answer {
    /// A JSON answer.
    pub fn json<T: serde::Serialize>(status: StatusCode, value: &T) -> Result<Self, ApiError> {
        let body = serde_json::to_string(value).map_err(|_| ApiError::internal())?;
        Ok(Self { status, etag: None, location: None, body })
    }

    fn stored(&self, fingerprint: String) -> StoredAnswer {
        StoredAnswer {
            fingerprint,
            status: self.status.as_u16(),
            etag: self.etag.clone(),
            location: self.location.clone(),
            body: self.body.clone(),
        }
    }
}

impl From<StoredAnswer> for Answer {
    fn from(stored: StoredAnswer) -> Self {
        Self {
            status: StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK),
            etag: stored.etag,
            location: stored.location,
            body: stored.body,
        }
    }
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        for (name, value) in [(header::ETAG, self.etag), (header::LOCATION, self.location)] {
            if let Some(value) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
                headers.insert(name, value);
            }
        }
        response
    }
}

/// A JSON answer with an ETag (reads of versioned resources).
pub fn json_with_etag<T: serde::Serialize>(value: &T, etag: &str) -> Result<Response, ApiError> {
    let mut answer = Answer::json(StatusCode::OK, value)?;
    answer.etag = Some(etag.to_owned());
    Ok(answer.into_response())
}

/// The `Idempotency-Key` header: `None` when absent, 400 when unusable.
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 255 && k.chars().all(|c| c.is_ascii_graphic()))
        .ok_or_else(|| ApiError::bad_request("Idempotency-Key must be 1 to 255 visible ASCII characters"))?;
    Ok(Some(key.to_owned()))
}

/// The `q` of a search, trimmed (`None` when blank): 400 past 200
/// characters or with a control character.
pub fn search_text(q: Option<String>) -> Result<Option<String>, ApiError> {
    if let Some(q) = q.as_deref() {
        if q.chars().count() > 200 {
            return Err(ApiError::bad_request("q is limited to 200 characters"));
        }
        // SQLite reads search text only up to a NUL; no name, email,
        // phone or subject holds a control character, so none is searched for.
        if q.chars().any(char::is_control) {
            return Err(ApiError::bad_request("q must not contain control characters"));
        }
    }
    Ok(q.map(|q| q.trim().to_owned()).filter(|q| !q.is_empty()))
}

/// The `If-Match` header: 428 when absent, 412 unless it names `current`.
pub fn check_if_match(headers: &HeaderMap, current: &str) -> Result<(), ApiError> {
    let value = headers.get(header::IF_MATCH).ok_or_else(ApiError::precondition_required)?;
    let value = value.to_str().map_err(|_| ApiError::precondition_failed())?;
    let matches = value.split(',').map(str::trim).any(|tag| tag == current || tag == "*");
    if matches { Ok(()) } else { Err(ApiError::precondition_failed()) }
}

/// The `If-Match` header must be there (428) before anything else is read.
pub fn require_if_match(headers: &HeaderMap) -> Result<(), ApiError> {
    if headers.contains_key(header::IF_MATCH) { Ok(()) } else { Err(ApiError::precondition_required()) }
}

tokio::task_local! {
    /// The staff member whose token the request being answered carries.
    static STAFF: StaffMember;
}

/// Answers a request only with a token the sandbox knows, as the staff
/// member it belongs to (see [`AppState::me`]).
async fn require_token(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let given = request.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let bearer = |token: &str| given.strip_prefix("Bearer ").is_some_and(|t| t == token);
    let staff = if bearer(&state.0.token) {
        state.0.me.clone()
    } else if let Some((_, member)) = state.0.staff.iter().find(|(token, _)| bearer(token)) {
        member.clone()
    } else {
        return ApiError::unauthorized().into_response();
    };
    STAFF.scope(staff, next.run(request)).await
}

/// Answers carry the sandbox clock in `Date`, so clients that correct their
/// countdowns by the server's clock follow `POST /sandbox/clock` too.
async fn date_header(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let date = state.0.clock.now().format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    if let Ok(value) = HeaderValue::from_str(&date) {
        response.headers_mut().insert(header::DATE, value);
        // The client trusts a clock this far off only when told it is ours.
        response.headers_mut().insert(crate::portal::SIMULATED_CLOCK, HeaderValue::from_static("simulated"));
    }
    response
}

async fn not_found() -> ApiError {
    ApiError::not_found("route")
}

async fn method_not_allowed() -> ApiError {
    ApiError::method_not_allowed()
}

/// The whole sandbox application.
pub fn router(state: AppState, faults: FaultInjector) -> Router {
    let api = Router::new()
        .merge(misc::router())
        .merge(accounts::router())
        .merge(tickets::router())
        .merge(conversation::router())
        .merge(events::router())
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), require_token))
        .layer(middleware::from_fn_with_state(faults, faults::inject));
    let sandbox = sandbox_only::router()
        .merge(conversation::sandbox_router())
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), require_token));
    Router::new()
        .nest("/api/v1", api)
        .nest("/sandbox", sandbox)
        .merge(invite_page::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(state.clone(), date_header))
        .with_state(state)
}

/// The ticket a change names, claimed for `actor` when nobody has it: the
/// first change made on an unclaimed ticket (a resend, an account change,
/// a revoke, a reply, a note) makes it the actor's, with a
/// `ticket.updated` event (the change's own audit entry names the ticket
/// and the actor). A ticket someone else has stays theirs (the console and the
/// CLI ask before acting on it). `None`, or a ticket id that names no
/// ticket, is the caller's to judge.
pub(crate) fn claim_on_change(
    tx: &rusqlite::Connection,
    ticket_id: &str,
    actor: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), crate::sandbox::problem::ApiError> {
    use crate::portal::model::EventType;
    use crate::sandbox::store::{events, tickets};
    let Some(stored) = tickets::by_id(tx, ticket_id, now)? else { return Ok(()) };
    if stored.ticket.assignee.is_some() {
        return Ok(());
    }
    tickets::update(tx, stored.rowid, stored.ticket.status, Some(actor), now)?;
    let updated = tickets::by_id(tx, ticket_id, now)?.ok_or_else(crate::sandbox::problem::ApiError::internal)?;
    events::ticket_event(tx, EventType::TicketUpdated, &updated.ticket, Some(actor), now)?;
    Ok(())
}
