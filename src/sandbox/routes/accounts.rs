//! `/api/v1/accounts`: search, read, change, invites and resend.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::{Answer, AppState, check_if_match, idempotency_key, json_with_etag, require_if_match};
use crate::phi::mask_email;
use crate::portal::model::{AccountPatch, AuditAction, InviteStatus, Items, ResendRequest, RevokeRequest, Role};
use crate::sandbox::extract::{ApiJson, ApiPath, ApiQuery};
use crate::sandbox::mail;
use crate::sandbox::problem::ApiError;
use crate::sandbox::store::{self, accounts, invites, tickets};

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
    if let Some(q) = query.q.as_deref() {
        if q.chars().count() > 200 {
            return Err(ApiError::bad_request("q is limited to 200 characters"));
        }
        // SQLite reads search text only up to a NUL; no name, email or
        // phone holds a control character, so none is searched for.
        if q.chars().any(char::is_control) {
            return Err(ApiError::bad_request("q must not contain control characters"));
        }
    }
    let q = query.q.map(|q| q.trim().to_owned()).filter(|q| !q.is_empty());
    let search = accounts::Search { q, role, after, through: None, limit };
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
    let actor = state.0.me.id.clone();
    state
        .mutate(key, fingerprint, move |tx, now| {
            let stored = accounts::by_id(tx, &id)?.ok_or_else(|| ApiError::not_found("account"))?;
            check_if_match(&headers, &stored.etag())?;
            let reason = patch.reason.trim();
            if reason.is_empty() || reason.chars().count() > 500 {
                return Err(ApiError::unprocessable("reason is required (1 to 500 characters)"));
            }
            let address = |e: &Option<crate::phi::Phi<String>>| e.as_ref().map(|e| e.expose().trim().to_owned());
            let (email, add, make_default, remove) = (
                address(&patch.email),
                address(&patch.add_email),
                address(&patch.default_email),
                address(&patch.remove_email),
            );
            if patch.dob.is_none() && email.is_none() && add.is_none() && make_default.is_none() && remove.is_none() {
                return Err(ApiError::unprocessable(
                    "nothing to change: send dob, email, add_email, default_email or remove_email",
                ));
            }
            let dob = patch.dob.map(|d| *d.expose());
            if let Some(dob) = dob {
                let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default();
                if dob < earliest || dob > now.date_naive() {
                    return Err(ApiError::unprocessable(format!(
                        "dob must be a real date from 1900-01-01 to today ({})",
                        now.year()
                    )));
                }
            }
            for (name, value) in [("email", &email), ("add_email", &add)] {
                if value.as_deref().is_some_and(|e| !mail::is_address(e)) {
                    return Err(ApiError::unprocessable(format!("{name} is not an address")));
                }
            }
            if let Some(ticket_id) = patch.ticket_id.as_deref() {
                tickets::by_id(tx, ticket_id, now)?
                    .ok_or_else(|| ApiError::unprocessable("ticket_id names no ticket"))?;
            }
            let changes_addresses = email.is_some() || add.is_some() || make_default.is_some() || remove.is_some();
            let emails = if changes_addresses {
                let list = change_addresses(
                    accounts::email_pairs(&stored.account),
                    email.as_deref(),
                    add.as_deref(),
                    make_default.as_deref(),
                    remove.as_deref(),
                )?;
                Some(list)
            } else {
                None
            };
            accounts::update_with_emails(tx, &stored, dob, emails.as_deref(), now)?;
            let mut changes = Vec::new();
            if dob.is_some() {
                changes.push("date of birth changed".to_owned());
            }
            if let Some(email) = email.as_deref() {
                changes.push(format!("email changed to {}", mask_email(email)));
            }
            if let Some(add) = add.as_deref() {
                changes.push(format!("address {} added", mask_email(add)));
            }
            if let Some(make_default) = make_default.as_deref() {
                changes.push(format!("default address now {}", mask_email(make_default)));
            }
            if let Some(remove) = remove.as_deref() {
                changes.push(format!("address {} removed", mask_email(remove)));
            }
            let summary = format!("{}; reason: {reason}", changes.join(", "));
            store::record_audit(
                tx,
                now,
                &actor,
                AuditAction::AccountUpdated,
                Some(&stored.account.id),
                patch.ticket_id.as_deref(),
                &summary,
            )?;
            let updated = accounts::by_rowid(tx, stored.rowid)?.ok_or_else(ApiError::internal)?;
            let mut answer = Answer::json(StatusCode::OK, &updated.account)?;
            answer.etag = Some(updated.etag());
            Ok(answer)
        })
        .await
}

/// The most addresses an account may have.
pub const MAX_EMAILS: usize = 10;

/// Applies the address changes of a PATCH in the contract's order (`email`,
/// `add_email`, `default_email`, `remove_email`) and checks the result:
/// exactly one default, no address twice (case-insensitively), at most
/// [`MAX_EMAILS`]. Errors name the field, never the address.
pub fn change_addresses(
    mut list: Vec<(String, bool)>,
    email: Option<&str>,
    add: Option<&str>,
    make_default: Option<&str>,
    remove: Option<&str>,
) -> Result<Vec<(String, bool)>, ApiError> {
    let position =
        |list: &[(String, bool)], address: &str| list.iter().position(|(a, _)| a.eq_ignore_ascii_case(address));
    if let Some(email) = email {
        if let Some(at) = position(&list, email)
            && !list[at].1
        {
            return Err(ApiError::unprocessable(
                "email is already another address of the account: use default_email to make it the default",
            ));
        }
        for entry in list.iter_mut().filter(|(_, d)| *d) {
            entry.0 = email.to_owned();
        }
    }
    if let Some(add) = add {
        if position(&list, add).is_some() {
            return Err(ApiError::unprocessable("add_email is already an address of the account"));
        }
        if list.len() >= MAX_EMAILS {
            return Err(ApiError::unprocessable("an account has at most 10 addresses"));
        }
        list.push((add.to_owned(), false));
    }
    if let Some(make_default) = make_default {
        let at = position(&list, make_default)
            .ok_or_else(|| ApiError::unprocessable("default_email is not an address of the account"))?;
        for (n, entry) in list.iter_mut().enumerate() {
            entry.1 = n == at;
        }
    }
    if let Some(remove) = remove {
        let at = position(&list, remove)
            .ok_or_else(|| ApiError::unprocessable("remove_email is not an address of the account"))?;
        if list[at].1 {
            return Err(ApiError::unprocessable(
                "remove_email is the default address: make another address the default first (default_email)",
            ));
        }
        list.remove(at);
    }
    Ok(list)
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
    let actor = state.0.me.id.clone();
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
            let reason = request.reason.trim();
            if reason.is_empty() || reason.chars().count() > 500 {
                return Err(ApiError::unprocessable("reason is required (1 to 500 characters)"));
            }
            if let Some(ticket_id) = request.ticket_id.as_deref() {
                tickets::by_id(tx, ticket_id, now)?
                    .ok_or_else(|| ApiError::unprocessable("ticket_id names no ticket"))?;
            }
            if already {
                let current = invites::by_rowid(tx, invite.rowid, now)?.ok_or_else(ApiError::internal)?;
                let mut answer = Answer::json(StatusCode::OK, &current)?;
                answer.etag = Some(stored.etag());
                return Ok(answer);
            }
            if invite.invite.status != InviteStatus::Pending {
                return Err(ApiError::unprocessable(format!(
                    "only a pending invite can be revoked; this one is {}",
                    invite.invite.status.as_str()
                )));
            }
            invites::revoke(tx, invite.rowid, now, &actor, reason, request.ticket_id.as_deref())?;
            accounts::touch(tx, stored.rowid, now)?;
            let summary = format!("invite {} revoked; reason: {reason}", invite.invite.id);
            store::record_audit(
                tx,
                now,
                &actor,
                AuditAction::InviteRevoked,
                Some(&stored.account.id),
                request.ticket_id.as_deref(),
                &summary,
            )?;
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
    let actor = state.0.me.id.clone();
    let link_base = state.0.link_base.clone();
    state
        .mutate(Some(key), fingerprint, move |tx, now| {
            let stored = accounts::by_id(tx, &id)?.ok_or_else(|| ApiError::not_found("account"))?;
            if let Some(ticket_id) = request.ticket_id.as_deref() {
                tickets::by_id(tx, ticket_id, now)?
                    .ok_or_else(|| ApiError::unprocessable("ticket_id names no ticket"))?;
            }
            let (recent, oldest) = invites::sent_in_last_hour(tx, stored.rowid, now)?;
            if recent >= 5 {
                let free_at = oldest.unwrap_or(now) + chrono::Duration::hours(1);
                return Err(ApiError::rate_limited((free_at - now).num_seconds().max(1) as u64));
            }
            let superseded = invites::supersede_pending(tx, stored.rowid, now)?;
            let email = stored.account.email.expose();
            let plan = mail::delivery_plan(email);
            let token = uuid::Uuid::new_v4().simple().to_string();
            let new = invites::NewInvite {
                account_rowid: stored.rowid,
                role: stored.account.role,
                sent_to: email,
                sent_at: now,
                ticket_id: request.ticket_id.as_deref(),
                delivery: &plan,
                link_base: &link_base,
            };
            let rowid = invites::insert(tx, &new, &token)?;
            let invite = invites::by_rowid(tx, rowid, now)?.ok_or_else(ApiError::internal)?;
            let lifetime = match stored.account.role {
                Role::Staff => "1 hour",
                Role::Client => "48 hours",
            };
            let summary = format!(
                "invite sent to {}, valid {lifetime}; {superseded} earlier link(s) superseded",
                mask_email(email)
            );
            store::record_audit(
                tx,
                now,
                &actor,
                AuditAction::InviteSent,
                Some(&stored.account.id),
                request.ticket_id.as_deref(),
                &summary,
            )?;
            let mut answer = Answer::json(StatusCode::CREATED, &invite)?;
            answer.location = Some(format!("/api/v1/accounts/{}/invites", stored.account.id));
            Ok(answer)
        })
        .await
}
