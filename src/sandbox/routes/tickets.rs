//! `/api/v1/tickets`: the queue, a ticket, changes and internal notes.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::{Answer, AppState, check_if_match, idempotency_key, json_with_etag, require_if_match};
use crate::portal::model::{AuditAction, EventType, Items, NewNote, TicketPatch, TicketStatus};
use crate::sandbox::extract::{ApiJson, ApiPath, ApiQuery};
use crate::sandbox::problem::ApiError;
use crate::sandbox::rules;
use crate::sandbox::store::{self, events, tickets};

/// Its routes, under `/api/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tickets", get(list))
        .route("/tickets/{id}", get(show).patch(change))
        .route("/tickets/{id}/notes", get(notes).post(add_note))
        .route("/tickets/{id}/reveals", axum::routing::post(reveal))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    status: Option<String>,
    q: Option<String>,
    assignee: Option<String>,
    account_id: Option<String>,
    limit: Option<u32>,
    cursor: Option<String>,
}

/// A page of the queue: the most tickets it holds by default, and at most.
const DEFAULT_PAGE: u32 = 100;
const MAX_PAGE: u32 = 500;
/// The longest `account_id` filter taken.
const ACCOUNT_ID_MAX: usize = 64;

pub async fn list(State(state): State<AppState>, ApiQuery(query): ApiQuery<ListQuery>) -> Result<Response, ApiError> {
    let status = match query.status.as_deref() {
        None => None,
        Some(text) => Some(
            text.parse::<TicketStatus>()
                .map_err(|_| ApiError::bad_request("status must be open, pending or solved"))?,
        ),
    };
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::bad_request("limit must be between 1 and 500"));
    }
    let after = match query.cursor.as_deref() {
        None => None,
        Some(text) => Some(
            tickets::Cursor::parse(text).ok_or_else(|| ApiError::bad_request("cursor is not one this server gave"))?,
        ),
    };
    let assignee = match query.assignee.as_deref() {
        None => None,
        Some("none") => Some(None),
        Some("me") => Some(Some(state.me().id)),
        Some(id) if state.0.agents.iter().any(|a| a == id) => Some(Some(id.to_owned())),
        Some(_) => return Err(ApiError::bad_request("assignee must be me, none or a help-desk staff id")),
    };
    let q = super::search_text(query.q)?;
    let account_id = match query.account_id {
        Some(id) if id.is_empty() || id.chars().count() > ACCOUNT_ID_MAX => {
            return Err(ApiError::bad_request("account_id must be 1 to 64 characters"));
        }
        other => other,
    };
    let filter = tickets::Filter { status, q, assignee, account_id, after, limit };
    let page = state
        .read(move |conn, now| {
            let mut page = tickets::list(conn, &filter, now)?;
            events::attach_viewers(conn, &mut page.items, now)?;
            Ok(page)
        })
        .await?;
    Ok(Answer::json(StatusCode::OK, &page)?.into_response())
}

pub async fn show(State(state): State<AppState>, ApiPath(id): ApiPath<String>) -> Result<Response, ApiError> {
    let stored = state
        .read(move |conn, now| {
            let mut stored = tickets::by_id(conn, &id, now)?.ok_or_else(|| ApiError::not_found("ticket"))?;
            events::attach_viewers(conn, std::slice::from_mut(&mut stored.ticket), now)?;
            Ok(stored)
        })
        .await?;
    json_with_etag(&stored.ticket, &stored.etag())
}

pub async fn change(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    body: ApiJson<TicketPatch>,
) -> Result<Response, ApiError> {
    require_if_match(&headers)?;
    let key = idempotency_key(&headers)?;
    let fingerprint = format!("PATCH /tickets/{id} {}", body.canonical);
    let patch = body.value;
    let actor = state.me().id;
    let agents = state.0.agents.clone();
    state
        .mutate(key, fingerprint, move |tx, now| {
            let stored = tickets::by_id(tx, &id, now)?.ok_or_else(|| ApiError::not_found("ticket"))?;
            check_if_match(&headers, &stored.etag())?;
            let ticket = &stored.ticket;
            let change = rules::ticket_change(&patch, ticket.status, ticket.assignee.as_deref(), &agents)?;
            tickets::update(tx, stored.rowid, change.status, change.assignee.as_deref(), now)?;
            let summary = change.audit_summary(ticket.id.as_str());
            store::record_audit(
                tx,
                now,
                &actor,
                AuditAction::TicketUpdated,
                Some(&stored.ticket.account_id),
                Some(&stored.ticket.id),
                &summary,
            )?;
            let mut updated = tickets::by_id(tx, stored.ticket.id.as_str(), now)?.ok_or_else(ApiError::internal)?;
            events::ticket_event(tx, EventType::TicketUpdated, &updated.ticket, Some(&actor), now)?;
            events::attach_viewers(tx, std::slice::from_mut(&mut updated.ticket), now)?;
            let mut answer = Answer::json(StatusCode::OK, &updated.ticket)?;
            answer.etag = Some(updated.etag());
            Ok(answer)
        })
        .await
}

pub async fn notes(State(state): State<AppState>, ApiPath(id): ApiPath<String>) -> Result<Response, ApiError> {
    let items = state
        .read(move |conn, now| {
            let stored = tickets::by_id(conn, &id, now)?.ok_or_else(|| ApiError::not_found("ticket"))?;
            Ok(tickets::notes(conn, &stored)?)
        })
        .await?;
    Ok(Answer::json(StatusCode::OK, &Items { items })?.into_response())
}

/// `POST /tickets/{id}/reveals`: the caller revealed the client's details
/// on the ticket's screen: one audit entry (`details_revealed`), naming
/// the ticket, never a value. Nothing changes and no event goes out.
pub async fn reveal(State(state): State<AppState>, ApiPath(id): ApiPath<String>) -> Result<Response, ApiError> {
    let actor = state.me().id;
    state
        .write(move |tx, now| {
            let stored = tickets::by_id(tx, &id, now)?.ok_or_else(|| ApiError::not_found("ticket"))?;
            let summary = format!("client details revealed on ticket {}", stored.ticket.id);
            store::record_audit(
                tx,
                now,
                &actor,
                AuditAction::DetailsRevealed,
                Some(&stored.ticket.account_id),
                Some(&stored.ticket.id),
                &summary,
            )?;
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn add_note(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    body: ApiJson<NewNote>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?
        .ok_or_else(|| ApiError::bad_request("Idempotency-Key is required: make one per note and reuse it on retry"))?;
    let fingerprint = format!("POST /tickets/{id}/notes {}", body.canonical);
    let note = body.value;
    let actor = state.me().id;
    state
        .mutate(Some(key), fingerprint, move |tx, now| {
            let stored = tickets::by_id(tx, &id, now)?.ok_or_else(|| ApiError::not_found("ticket"))?;
            let text = rules::note_body(&note)?;
            super::claim_on_change(tx, stored.ticket.id.as_str(), &actor, now)?;
            let created = tickets::add_note(tx, &stored, &actor, text, now)?;
            store::record_audit(
                tx,
                now,
                &actor,
                AuditAction::NoteAdded,
                Some(&stored.ticket.account_id),
                Some(&stored.ticket.id),
                rules::NOTE_SUMMARY,
            )?;
            events::ticket_event(tx, EventType::TicketMessage, &stored.ticket, Some(&actor), now)?;
            let mut answer = Answer::json(StatusCode::CREATED, &created)?;
            answer.location = Some(format!("/api/v1/tickets/{}/notes", stored.ticket.id));
            Ok(answer)
        })
        .await
}
