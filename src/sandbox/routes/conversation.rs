//! A ticket's conversation: `GET /api/v1/tickets/{id}/messages` and
//! `POST /api/v1/tickets/{id}/replies`, and the reply outbox the sandbox
//! keeps (`GET /sandbox/outbox/replies`).

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::{Answer, AppState, idempotency_key};
use crate::portal::model::{AuditAction, AuthorKind, EventType, Items, NewReply, TicketChannel};
use crate::sandbox::extract::{ApiJson, ApiPath, ApiQuery};
use crate::sandbox::problem::ApiError;
use crate::sandbox::rules;
use crate::sandbox::store::messages::{self, NewMessage};
use crate::sandbox::store::{self, accounts, events, tickets};

/// Its routes, under `/api/v1`.
pub fn router() -> Router<AppState> {
    Router::new().route("/tickets/{id}/messages", get(conversation)).route("/tickets/{id}/replies", post(reply))
}

/// Its sandbox-only routes, under `/sandbox`.
pub fn sandbox_router() -> Router<AppState> {
    Router::new().route("/outbox/replies", get(reply_outbox))
}

pub async fn conversation(State(state): State<AppState>, ApiPath(id): ApiPath<String>) -> Result<Response, ApiError> {
    let items = state
        .read(move |conn, now| {
            let stored = tickets::by_id(conn, &id, now)?.ok_or_else(|| ApiError::not_found("ticket"))?;
            Ok(messages::conversation(conn, &stored)?)
        })
        .await?;
    Ok(Answer::json(StatusCode::OK, &Items { items })?.into_response())
}

/// A public reply, emailed to the account's default address once per
/// Idempotency-Key. The same body to the same ticket within 10 minutes is
/// refused (409 `duplicate-reply`) unless the request says `"repeat":
/// true`. Without `status`, an open or pending ticket keeps its
/// status and a solved one is reopened as pending.
pub async fn reply(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    body: ApiJson<NewReply>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?.ok_or_else(|| {
        ApiError::bad_request("Idempotency-Key is required: make one per reply and reuse it on retry")
    })?;
    let fingerprint = format!("POST /tickets/{id}/replies {}", body.canonical);
    let reply = body.value;
    let me = state.me();
    state
        .mutate(Some(key), fingerprint, move |tx, now| {
            let stored = tickets::by_id(tx, &id, now)?.ok_or_else(|| ApiError::not_found("ticket"))?;
            let text = rules::reply_body(&reply)?;
            if !reply.repeat
                && messages::replied_same_since(tx, stored.rowid, text, now - rules::DUPLICATE_REPLY_WINDOW)?
            {
                return Err(ApiError::duplicate_reply());
            }
            super::claim_on_change(tx, stored.ticket.id.as_str(), &me.id, now)?;
            let account_rowid = tickets::account_rowid(tx, stored.rowid)?;
            let (to, _) = accounts::invite_target(tx, account_rowid)?.ok_or_else(ApiError::internal)?;
            let message_rowid = messages::insert(
                tx,
                &NewMessage {
                    ticket_rowid: stored.rowid,
                    at: now,
                    kind: AuthorKind::Staff,
                    author_id: &me.id,
                    author_name: me.name.expose(),
                    channel: TicketChannel::Email,
                    body: text,
                },
            )?;
            messages::send_reply(tx, message_rowid, &to, &format!("Re: {}", stored.ticket.subject), now)?;
            let status = rules::status_after_reply(&reply, stored.ticket.status);
            tickets::replied(tx, stored.rowid, status, now)?;
            store::record_audit(
                tx,
                now,
                &me.id,
                AuditAction::ReplySent,
                Some(&stored.ticket.account_id),
                Some(&stored.ticket.id),
                &rules::reply_summary(stored.ticket.id.as_str(), &to, status),
            )?;
            // Those following the desk hear of the reply, and of the status
            // it set when that changed.
            let updated = tickets::by_id(tx, stored.ticket.id.as_str(), now)?.ok_or_else(ApiError::internal)?;
            events::ticket_event(tx, EventType::TicketMessage, &updated.ticket, Some(&me.id), now)?;
            if status != stored.ticket.status {
                events::ticket_event(tx, EventType::TicketUpdated, &updated.ticket, Some(&me.id), now)?;
            }
            let message = messages::message(tx, &stored, message_rowid)?;
            let mut answer = Answer::json(StatusCode::CREATED, &message)?;
            answer.location = Some(format!("/api/v1/tickets/{}/messages", stored.ticket.id));
            Ok(answer)
        })
        .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyOutboxQuery {
    ticket_id: Option<String>,
    account_id: Option<String>,
    limit: Option<u32>,
}

pub async fn reply_outbox(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ReplyOutboxQuery>,
) -> Result<Response, ApiError> {
    let limit = query.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::bad_request("limit must be between 1 and 500"));
    }
    let items = state
        .read(move |conn, _| {
            Ok(messages::reply_outbox(conn, query.ticket_id.as_deref(), query.account_id.as_deref(), limit)?)
        })
        .await?;
    Ok(Answer::json(StatusCode::OK, &Items { items })?.into_response())
}
