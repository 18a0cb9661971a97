//! `/invite/{token}`: the page a client lands on from the invite email.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::response::Response;
use chrono::NaiveDate;

use super::AppState;
use crate::portal::model::InviteStatus;
use crate::sandbox::extract::ApiPath;
use crate::sandbox::pages;
use crate::sandbox::problem::ApiError;
use crate::sandbox::store::{accounts, invites};

/// Shows the DOB prompt of a working link, or why it does not work. Every
/// opening is counted.
pub async fn show(State(state): State<AppState>, ApiPath(token): ApiPath<String>) -> Result<Response, ApiError> {
    let status = state
        .write(move |tx, now| {
            let Some(stored) = invites::by_token(tx, &token, now)? else {
                return Ok(None);
            };
            invites::record_open(tx, &stored, now)?;
            Ok(Some(stored.invite.status))
        })
        .await?;
    Ok(match status {
        Some(InviteStatus::Pending) => pages::dob_prompt(),
        other => pages::invalid_link(other),
    })
}

/// Checks a submitted DOB: exactly MM/DD/YYYY and equal to the date on
/// file accepts the invite; anything else is refused and counted.
pub async fn submit(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    // axum's own rejection is plain text; every error is problem+json.
    let body = body.map_err(|_| ApiError::payload_too_large())?;
    let typed = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
        .ok()
        .and_then(|fields| fields.into_iter().find(|(k, _)| k == "dob").map(|(_, v)| v));
    state
        .write(move |tx, now| {
            let Some(stored) = invites::by_token(tx, &token, now)? else {
                return Ok(pages::invalid_link(None));
            };
            if stored.invite.status != InviteStatus::Pending {
                return Ok(pages::invalid_link(Some(stored.invite.status)));
            }
            let account = accounts::by_rowid(tx, stored.account_rowid)?.ok_or_else(ApiError::internal)?;
            let accepted = typed.as_deref().and_then(portal_reads_dob) == Some(*account.account.dob.expose());
            if accepted {
                invites::accept(tx, stored.rowid, now)?;
                Ok(pages::accepted())
            } else {
                invites::record_dob_failure(tx, stored.rowid)?;
                Ok(pages::dob_refused())
            }
        })
        .await
}

/// The portal's rule for a typed DOB: two ASCII digits, `/`, two digits,
/// `/`, four digits, and a real calendar date. Nothing else is read.
pub fn portal_reads_dob(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    let shape = bytes.len() == 10
        && bytes[2] == b'/'
        && bytes[5] == b'/'
        && bytes.iter().enumerate().all(|(i, b)| i == 2 || i == 5 || b.is_ascii_digit());
    if !shape {
        return None;
    }
    let month = text.get(0..2)?.parse().ok()?;
    let day = text.get(3..5)?.parse().ok()?;
    let year = text.get(6..10)?.parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

#[cfg(test)]
mod tests {
    use super::portal_reads_dob;
    use chrono::NaiveDate;

    #[test]
    fn only_mm_dd_yyyy_is_read() {
        assert_eq!(portal_reads_dob("03/05/1990"), NaiveDate::from_ymd_opt(1990, 3, 5));
        for refused in
            ["3/5/1990", "03-05-1990", "1990/03/05", "03/05/90", "02/30/1990", "13/01/1990", "", "０3/05/1990"]
        {
            assert_eq!(portal_reads_dob(refused), None, "{refused}");
        }
    }
}
