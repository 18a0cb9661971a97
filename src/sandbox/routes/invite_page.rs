//! `/invite/{token}`: the page a client lands on from the invite email.
//!
//! Every request is kept in the invite's visit log. Only a POST of the DOB
//! form can accept the invite; GET and HEAD (a person, a refresh, or a mail
//! scanner) change nothing but the log and the opening count.

use axum::Router;
use axum::routing::get;
use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{Extensions, HeaderMap, HeaderValue, Method, header};
use axum::response::Response;
use chrono::NaiveDate;

use super::AppState;
use crate::phi::Phi;
use crate::portal::model::InvalidReason;
use crate::sandbox::extract::ApiPath;
use crate::sandbox::problem::ApiError;
use crate::sandbox::store::{accounts, invites};
use crate::sandbox::visits::{self, Visitor};
use crate::sandbox::{actions, pages};

/// Its route, at the server's root.
pub fn router() -> Router<AppState> {
    Router::new().route("/invite/{token}", get(show).post(submit))
}

fn visitor(method: &Method, headers: &HeaderMap, extensions: &Extensions) -> Result<Visitor, ApiError> {
    let peer = extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    Visitor::read(method, headers, peer).ok_or_else(ApiError::method_not_allowed)
}

/// Sets the page's cookie, so a later visit from the same browser shows it.
fn with_cookie(mut response: Response) -> Response {
    response.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_static(visits::SET_COOKIE));
    response
}

/// Shows the DOB prompt of a working link, or why it does not work. Every
/// request is logged and every GET or HEAD counted as an opening.
pub async fn show(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    extensions: Extensions,
    ApiPath(token): ApiPath<String>,
) -> Result<Response, ApiError> {
    let visitor = visitor(&method, &headers, &extensions)?;
    let shown = state
        .write(move |tx, now| {
            let Some(stored) = invites::by_token(tx, &token, now)? else {
                return Ok(None);
            };
            Ok(Some(visits::show_page(tx, &stored, &visitor, now)?))
        })
        .await?;
    Ok(match shown {
        Some(None) => with_cookie(pages::dob_prompt()),
        Some(Some(reason)) => with_cookie(pages::invalid_link(Some(reason))),
        None => pages::invalid_link(None),
    })
}

/// Checks a submitted DOB: exactly MM/DD/YYYY and equal to the date on
/// file accepts the invite; anything else is refused and counted. A POST
/// with no `dob` field shows the prompt again and changes nothing but the
/// visit log.
pub async fn submit(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    extensions: Extensions,
    ApiPath(token): ApiPath<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let visitor = visitor(&method, &headers, &extensions)?;
    // axum's own rejection is plain text; every error is problem+json.
    let body = body.map_err(|_| ApiError::payload_too_large())?;
    let typed = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
        .ok()
        .and_then(|fields| fields.into_iter().find(|(k, _)| k == "dob").map(|(_, v)| v));
    let response = state
        .write(move |tx, now| {
            let Some(stored) = invites::by_token(tx, &token, now)? else {
                return Ok(pages::invalid_link(None));
            };
            if let Some(reason) = InvalidReason::of_status(stored.invite.status) {
                visits::show_page(tx, &stored, &visitor, now)?;
                return Ok(with_cookie(pages::invalid_link(Some(reason))));
            }
            let Some(typed) = typed else {
                visits::show_page(tx, &stored, &visitor, now)?;
                return Ok(with_cookie(pages::dob_missing()));
            };
            let account = accounts::by_rowid(tx, stored.account_rowid)?.ok_or_else(ApiError::internal)?;
            let accepted = portal_reads_dob(&typed) == Some(*account.account.dob.expose());
            let outcome = actions::dob_attempt(tx, &stored, accepted, now)?;
            let mut visit = visitor.visit(now, outcome, None);
            // What a refused visitor typed, for staff guiding them on the
            // call (the staff API only; the event carries ids only).
            if !accepted {
                visit.typed_dob = Some(Phi::new(typed.chars().filter(|c| !c.is_control()).take(TYPED_MAX).collect()));
            }
            invites::record_visit(tx, stored.rowid, &visit)?;
            Ok(with_cookie(if accepted { pages::accepted() } else { pages::dob_refused() }))
        })
        .await?;
    Ok(response)
}

/// A refused DOB is kept to this many characters.
const TYPED_MAX: usize = 64;

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
