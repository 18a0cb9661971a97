//! `/api/v1/accounts`: search, read, change, invites and resend.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::Deserialize;

use super::{Answer, AppState, check_if_match, idempotency_key, json_with_etag, require_if_match};
use crate::portal::model::{
    AccountPatch, AuditAction, EventType, InviteStatus, Items, PortalEvent, ResendRequest, RevokeRequest, Role,
    TicketId,
};
use crate::sandbox::extract::{ApiJson, ApiPath, ApiQuery};
use crate::sandbox::problem::ApiError;
use crate::sandbox::store::{self, accounts, events, invites, tickets};
use crate::sandbox::{actions, rules};

/// Its routes, under `/api/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/accounts", get(search))
        .route("/accounts/{id}", get(show).patch(change))
        .route("/accounts/{id}/invites", get(invites).post(resend))
        .route("/accounts/{id}/invites/{invite_id}/revoke", post(revoke))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    q: Option<String>,
    role: Option<String>,
    limit: Option<u32>,
    cursor: Option<String>,
}

pub async fn search(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> Result<Response, ApiError> {
    let role = match query.role.as_deref() {
        None => None,
        Some(text) => Some(text.parse::<Role>().map_err(|_| ApiError::bad_request("role must be client or staff"))?),
    };
    let limit = query.limit.unwrap_or(25);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::bad_request("limit must be between 1 and 100"));
    }
    let after = match query.cursor.as_deref() {
        None => 0,
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| ApiError::bad_request("cursor is not one this server gave"))?,
    };
    let q = super::search_text(query.q)?;
    let search = accounts::Search { q, role, after, through: None, limit };
    state.searchable().await?;
    let page = state.read(move |conn, now| Ok(accounts::search(conn, &search, now)?)).await?;
    Ok(Answer::json(StatusCode::OK, &page)?.into_response())
}

pub async fn show(State(state): State<AppState>, ApiPath(id): ApiPath<String>) -> Result<Response, ApiError> {
    let stored =
        state.read(move |conn, _| accounts::by_id(conn, &id)?.ok_or_else(|| ApiError::not_found("account"))).await?;
    json_with_etag(&stored.account, &stored.etag())
}

pub async fn change(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    body: ApiJson<AccountPatch>,
) -> Result<Response, ApiError> {
    require_if_match(&headers)?;
    let key = idempotency_key(&headers)?;
    let fingerprint = format!("PATCH /accounts/{id} {}", body.canonical);
    let patch = body.value;
    let actor = state.me().id;
    state
        .mutate(key, fingerprint, move |tx, now| {
            let stored = accounts::by_id(tx, &id)?.ok_or_else(|| ApiError::not_found("account"))?;
            check_if_match(&headers, &stored.etag())?;
            let change = rules::account_change(&patch, now)?;
            named_ticket(tx, patch.ticket_id.as_ref(), &actor, now)?;
            let emails = match change.changes_addresses() {
                true => Some(rules::change_addresses(accounts::email_pairs(&stored.account), &change)?),
                false => None,
            };
            accounts::update_with_emails(tx, &stored, change.dob, emails.as_deref(), now)?;
            store::record_audit(
                tx,
                now,
                &actor,
                AuditAction::AccountUpdated,
                Some(&stored.account.id),
                patch.ticket_id.as_ref(),
                &change.audit_summary(),
            )?;
            let mut event = PortalEvent::new(EventType::AccountChanged, now);
            event.account_id = Some(stored.account.id.clone());
            event.ticket_id = patch.ticket_id.clone();
            event.actor = Some(actor.clone().into());
            events::append(tx, &event)?;
            let updated = accounts::by_rowid(tx, stored.rowid)?.ok_or_else(ApiError::internal)?;
            let mut answer = Answer::json(StatusCode::OK, &updated.account)?;
            answer.etag = Some(updated.etag());
            Ok(answer)
        })
        .await
}

/// Revokes a pending invite: its link shows the invalid-link page from now
/// on. Needs the account's ETag in If-Match (the revoke changes the
/// account's version) and an Idempotency-Key. Revoking an invite that is
/// already revoked answers it as it is (200, nothing changes).
pub async fn revoke(
    State(state): State<AppState>,
    ApiPath((id, invite_id)): ApiPath<(String, String)>,
    headers: HeaderMap,
    body: ApiJson<RevokeRequest>,
) -> Result<Response, ApiError> {
    require_if_match(&headers)?;
    let key = idempotency_key(&headers)?.ok_or_else(|| {
        ApiError::bad_request("Idempotency-Key is required: make one per revoke and reuse it on retry")
    })?;
    let fingerprint = format!("POST /accounts/{id}/invites/{invite_id}/revoke {}", body.canonical);
    let request = body.value;
    let actor = state.me().id;
    state
        .mutate(Some(key), fingerprint, move |tx, now| {
            let stored = accounts::by_id(tx, &id)?.ok_or_else(|| ApiError::not_found("account"))?;
            let invite = invites::by_id(tx, &invite_id, now)?
                .filter(|i| i.account_rowid == stored.rowid)
                .ok_or_else(|| ApiError::not_found("invite"))?;
            // Already revoked: what the request asks for holds. Answer the
            // invite as it is, whatever the key (a retry whose first answer
            // was lost carries a new key and the ETag from before the
            // revoke), with no change, no audit entry and no new version.
            let already = invite.invite.status == InviteStatus::Revoked;
            if !already {
                check_if_match(&headers, &stored.etag())?;
            }
            let reason = rules::reason(&request.reason)?;
            named_ticket(tx, request.ticket_id.as_ref(), &actor, now)?;
            if already {
                let current = invites::by_rowid(tx, invite.rowid, now)?.ok_or_else(ApiError::internal)?;
                let mut answer = Answer::json(StatusCode::OK, &current)?;
                answer.etag = Some(stored.etag());
                return Ok(answer);
            }
            rules::revocable(invite.invite.status)?;
            invites::revoke(tx, invite.rowid, now, &actor, reason, request.ticket_id.as_ref())?;
            accounts::touch(tx, stored.rowid, now)?;
            let summary = rules::revoke_summary(&invite.invite.id, reason);
            store::record_audit(
                tx,
                now,
                &actor,
                AuditAction::InviteRevoked,
                Some(&stored.account.id),
                request.ticket_id.as_ref(),
                &summary,
            )?;
            let invite_id = &invite.invite.id;
            events::invite_event(tx, EventType::InviteRevoked, invite_id, &stored.account.id, Some(&actor), now)?;
            let revoked = invites::by_rowid(tx, invite.rowid, now)?.ok_or_else(ApiError::internal)?;
            let updated = accounts::by_rowid(tx, stored.rowid)?.ok_or_else(ApiError::internal)?;
            let mut answer = Answer::json(StatusCode::OK, &revoked)?;
            answer.etag = Some(updated.etag());
            Ok(answer)
        })
        .await
}

pub async fn invites(State(state): State<AppState>, ApiPath(id): ApiPath<String>) -> Result<Response, ApiError> {
    let items = state
        .read(move |conn, now| {
            let stored = accounts::by_id(conn, &id)?.ok_or_else(|| ApiError::not_found("account"))?;
            Ok(invites::of_account(conn, stored.rowid, now)?)
        })
        .await?;
    Ok(Answer::json(StatusCode::OK, &Items { items })?.into_response())
}

pub async fn resend(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    body: ApiJson<ResendRequest>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?.ok_or_else(|| {
        ApiError::bad_request("Idempotency-Key is required: make one per resend and reuse it on retry")
    })?;
    let fingerprint = format!("POST /accounts/{id}/invites {}", body.canonical);
    let request = body.value;
    let actor = state.me().id;
    let link_base = state.0.link_base.clone();
    state
        .mutate(Some(key), fingerprint, move |tx, now| {
            let stored = accounts::by_id(tx, &id)?.ok_or_else(|| ApiError::not_found("account"))?;
            named_ticket(tx, request.ticket_id.as_ref(), &actor, now)?;
            // Conditional: nobody resent since the sender read the invites
            // (a 429 first: it says more, and holds either way).
            if let Some(seen) = &request.newest_seen {
                let (recent, oldest) = invites::sent_in_last_hour(tx, stored.rowid, now)?;
                rules::resend_allowed(recent, oldest, now)?;
                if invites::of_account(tx, stored.rowid, now)?.first().is_some_and(|newest| &newest.id != seen) {
                    return Err(ApiError::precondition_failed());
                }
            }
            let invite = actions::send_invite(tx, &stored, &actor, request.ticket_id.as_ref(), &link_base, now)?;
            let mut answer = Answer::json(StatusCode::CREATED, &invite)?;
            answer.location = Some(format!("/api/v1/accounts/{}/invites", stored.account.id));
            Ok(answer)
        })
        .await
}

/// A change's `ticket_id`, when given, must name a ticket (422); an
/// unclaimed one is claimed by the change.
fn named_ticket(
    conn: &Connection,
    ticket_id: Option<&TicketId>,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    match ticket_id {
        Some(id) if tickets::by_id(conn, id.as_str(), now)?.is_none() => {
            Err(ApiError::unprocessable("ticket_id names no ticket"))
        }
        Some(id) => super::claim_on_change(conn, id.as_str(), actor, now),
        None => Ok(()),
    }
}
