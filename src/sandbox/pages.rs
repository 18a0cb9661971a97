//! The pages a client sees when they open an invite link.
//!
//! Plain HTML with no scripts. Nothing from the request is echoed back.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::portal::model::InvalidReason;

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <meta name=\"viewport\" content=\"width=device-width\"></head>\
         <body><main><h1>{title}</h1>{body}</main></body></html>"
    );
    (status, Html(html)).into_response()
}

const FORM: &str = "<form method=\"post\"><label for=\"dob\">Date of birth (MM / DD / YYYY)</label> \
    <input id=\"dob\" name=\"dob\" inputmode=\"numeric\" maxlength=\"10\" placeholder=\"MM/DD/YYYY\" \
    pattern=\"[0-9]{2}/[0-9]{2}/[0-9]{4}\" required autocomplete=\"bday\"> \
    <button type=\"submit\">Continue</button></form>";

/// The DOB prompt of a working link.
pub fn dob_prompt() -> Response {
    page(
        StatusCode::OK,
        "Set up your client portal account",
        &format!("<p>To confirm it is you, enter your date of birth as MM/DD/YYYY, for example 04/09/1987.</p>{FORM}"),
    )
}

/// The DOB prompt again, after a refused date.
pub fn dob_refused() -> Response {
    page(
        StatusCode::UNPROCESSABLE_ENTITY,
        "Set up your client portal account",
        &format!(
            "<p role=\"alert\">That date of birth does not match our records. Enter it as MM/DD/YYYY: \
             two digits for the month, two for the day and four for the year, for example 04/09/1987.</p>{FORM}"
        ),
    )
}

/// The DOB prompt again, after a POST with no date in it.
pub fn dob_missing() -> Response {
    page(
        StatusCode::UNPROCESSABLE_ENTITY,
        "Set up your client portal account",
        &format!("<p role=\"alert\">Enter your date of birth as MM/DD/YYYY, for example 04/09/1987.</p>{FORM}"),
    )
}

/// The page after a correct DOB.
pub fn accepted() -> Response {
    page(
        StatusCode::OK,
        "Create your username and password",
        "<p>Thank you. Your date of birth is confirmed; choose a username and password to finish.</p>",
    )
}

/// Why a link does not work, in words a client understands. The reason is
/// also named in `data-reason` (`expired`, `superseded`, `revoked`,
/// `already_used`, `not_found`) for tests and support tooling.
pub fn invalid_link(reason: Option<InvalidReason>) -> Response {
    let words = match reason {
        Some(InvalidReason::Expired) => {
            "This invitation link has expired. Links work for a limited time; ask your practice to send a new one."
        }
        Some(InvalidReason::Superseded) => {
            "A newer invitation was sent after this one, so this link no longer works. Use the link in the most recent email."
        }
        Some(InvalidReason::Revoked) => {
            "Your practice cancelled this invitation, so the link no longer works. Contact them for a new one."
        }
        Some(InvalidReason::AlreadyUsed) => {
            "This invitation has already been used to set up your account. Log in with your username and password instead."
        }
        None => {
            "We could not find this invitation. Copy the whole link from your email and paste it into your browser's address bar."
        }
    };
    let code = if reason.is_some() { StatusCode::GONE } else { StatusCode::NOT_FOUND };
    let name = reason.map(InvalidReason::as_str).unwrap_or("not_found");
    page(code, "Invalid link", &format!("<p data-reason=\"{name}\">{words}</p>"))
}
