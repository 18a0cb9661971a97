//! The sandbox-only routes, under `/sandbox`: the outbox, the clock and the
//! scanner replay.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::{Answer, AppState};
use crate::portal::model::{Items, SandboxClock, ScannerVisitRequest};
use crate::sandbox::extract::{ApiJson, ApiPath, ApiQuery, RequestBody};
use crate::sandbox::problem::ApiError;
use crate::sandbox::store::invites;
use crate::sandbox::visits;

/// Its routes, under `/sandbox`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/outbox", get(outbox))
        .route("/clock", get(clock).post(advance_clock))
        .route("/invites/{invite_id}/scanner-visit", post(scanner_visit))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboxQuery {
    account_id: Option<String>,
    limit: Option<u32>,
}

pub async fn outbox(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<OutboxQuery>,
) -> Result<Response, ApiError> {
    let limit = query.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::bad_request("limit must be between 1 and 500"));
    }
    let items = state.read(move |conn, _| Ok(invites::outbox(conn, query.account_id.as_deref(), limit)?)).await?;
    Ok(Answer::json(StatusCode::OK, &Items { items })?.into_response())
}

pub async fn clock(State(state): State<AppState>) -> Result<Response, ApiError> {
    Ok(Answer::json(StatusCode::OK, &SandboxClock { now: state.0.clock.now() })?.into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Advance {
    advance_seconds: i64,
}

impl RequestBody for Advance {}

/// Ten years: far enough for any expiry, near enough to stay in range.
const MAX_ADVANCE: i64 = 10 * 366 * 24 * 3600;

pub async fn advance_clock(State(state): State<AppState>, body: ApiJson<Advance>) -> Result<Response, ApiError> {
    let seconds = body.value.advance_seconds;
    if !(0..=MAX_ADVANCE).contains(&seconds) {
        return Err(ApiError::unprocessable("advance_seconds must be from 0 to 316224000 (ten years)"));
    }
    let now = state.0.clock.advance(seconds);
    // What the new time made due is announced before this answers.
    let shared = std::sync::Arc::clone(&state.0);
    tokio::task::spawn_blocking(move || shared.catch_up()).await.map_err(|_| ApiError::internal())??;
    Ok(Answer::json(StatusCode::OK, &SandboxClock { now })?.into_response())
}

/// Replays the requests a mail scanner makes when a message arrives against
/// an invite's link (sandbox only), through the landing page's own rules:
/// logged, counted, and never spending the link. Answers the invite.
pub async fn scanner_visit(
    State(state): State<AppState>,
    ApiPath(invite_id): ApiPath<String>,
    body: ApiJson<ScannerVisitRequest>,
) -> Result<Response, ApiError> {
    let profile = body.value.scanner;
    let invite = state
        .write(move |tx, now| {
            let stored = invites::by_id(tx, &invite_id, now)?.ok_or_else(|| ApiError::not_found("invite"))?;
            for visitor in visits::scanner(profile) {
                // Read again: the opening count decides the delivery event.
                let current = invites::by_id(tx, &invite_id, now)?.ok_or_else(ApiError::internal)?;
                visits::show_page(tx, &current, &visitor, now)?;
            }
            invites::by_rowid(tx, stored.rowid, now)?.ok_or_else(ApiError::internal)
        })
        .await?;
    Ok(Answer::json(StatusCode::OK, &invite)?.into_response())
}
