//! `/api/v1/me`, `/api/v1/audit` and the sandbox-only routes.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{Answer, AppState};
use crate::portal::model::{Items, SandboxClock, ScannerVisitRequest};
use crate::sandbox::extract::{ApiJson, ApiPath, ApiQuery, RequestBody};
use crate::sandbox::problem::ApiError;
use crate::sandbox::store::{audit, invites};
use crate::sandbox::visits;

pub async fn me(State(state): State<AppState>) -> Result<Response, ApiError> {
    Ok(Answer::json(StatusCode::OK, &state.0.me)?.into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    account_id: Option<String>,
    ticket_id: Option<String>,
    before: Option<i64>,
    limit: Option<u32>,
}

pub async fn audit(State(state): State<AppState>, ApiQuery(query): ApiQuery<AuditQuery>) -> Result<Response, ApiError> {
    let limit = query.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::bad_request("limit must be between 1 and 500"));
    }
    if query.before.is_some_and(|b| b < 1) {
        return Err(ApiError::bad_request("before must be at least 1"));
    }
    let query =
        audit::AuditQuery { account_id: query.account_id, ticket_id: query.ticket_id, before: query.before, limit };
    let items = state.read(move |conn, _| Ok(audit::list(conn, &query)?)).await?;
    Ok(Answer::json(StatusCode::OK, &Items { items })?.into_response())
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
