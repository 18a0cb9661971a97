//! `/api/v1/me`, `/api/v1/audit` and `/api/v1/audit/head`.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{Answer, AppState};
use crate::portal::model::Items;
use crate::sandbox::extract::ApiQuery;
use crate::sandbox::problem::ApiError;
use crate::sandbox::store::audit;

/// Its routes, under `/api/v1`.
pub fn router() -> Router<AppState> {
    Router::new().route("/me", get(me)).route("/audit", get(audit)).route("/audit/head", get(audit_head))
}

pub async fn me(State(state): State<AppState>) -> Result<Response, ApiError> {
    Ok(Answer::json(StatusCode::OK, &state.me())?.into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    account_id: Option<String>,
    ticket_id: Option<String>,
    actor: Option<String>,
    since: Option<String>,
    until: Option<String>,
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
    let query = audit::AuditQuery {
        since: instant("since", query.since.as_deref())?,
        until: instant("until", query.until.as_deref())?,
        account_id: query.account_id,
        ticket_id: query.ticket_id,
        actor: query.actor,
        before: query.before,
        limit,
    };
    let items = state.read(move |conn, _| Ok(audit::list(conn, &query)?)).await?;
    Ok(Answer::json(StatusCode::OK, &Items { items })?.into_response())
}

/// The trail's head, for a monitor to keep outside the portal.
pub async fn audit_head(State(state): State<AppState>) -> Result<Response, ApiError> {
    let head = state.read(|conn, _| Ok(audit::head(conn)?)).await?;
    Ok(Answer::json(StatusCode::OK, &head)?.into_response())
}

/// An instant of the query (`since`, `until`): RFC 3339, or 400.
fn instant(name: &str, text: Option<&str>) -> Result<Option<DateTime<Utc>>, ApiError> {
    text.map(|text| {
        DateTime::parse_from_rfc3339(text)
            .map(|at| at.to_utc())
            .map_err(|_| ApiError::bad_request(format!("{name} must be an RFC 3339 instant (2026-11-25T09:00:00Z)")))
    })
    .transpose()
}
