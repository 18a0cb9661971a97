//! Request extractors whose every rejection is a problem+json answer.
//!
//! axum's own `Json`, `Query` and `Path` answer bad input in plain text; the
//! contract promises problem+json for every error, so these wrap them.

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::problem::ApiError;
use crate::portal::model::{
    AccountPatch, NewNote, NewReply, ResendRequest, RevokeRequest, ScannerVisitRequest, TicketPatch,
};

/// The largest request body the sandbox reads.
pub const BODY_LIMIT: usize = 64 * 1024;

/// A JSON request body type.
pub trait RequestBody: DeserializeOwned {
    /// The members whose `null` means something (`assignee: null`
    /// unassigns). serde reads `null` as absent for every other optional
    /// member; the contract does not allow it there, so it is refused.
    const NULLABLE: &'static [&'static str] = &[];
}

impl RequestBody for AccountPatch {}
impl RequestBody for ResendRequest {}
impl RequestBody for RevokeRequest {}
impl RequestBody for ScannerVisitRequest {}
impl RequestBody for NewNote {}
impl RequestBody for NewReply {}
impl RequestBody for TicketPatch {
    const NULLABLE: &'static [&'static str] = &["assignee"];
}

/// A JSON body: 415 when it is not JSON, 413 when too large, 400 when it is
/// not well-formed JSON, 422 when it does not match the schema (unknown or
/// missing fields, wrong types, `null` where the contract allows none). The
/// request is kept as canonical text for idempotency.
pub struct ApiJson<T> {
    pub value: T,
    /// The request as JSON text normalised (keys sorted by serde_json's map),
    /// so two requests that differ only in spacing are the same request.
    pub canonical: String,
}

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: RequestBody,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let essence = v.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
                essence == "application/json" || essence.ends_with("+json")
            })
            .unwrap_or(false);
        if !is_json {
            return Err(ApiError::unsupported_media_type());
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if super::server::is_body_timeout(&rejection) {
                ApiError::request_timeout()
            } else {
                ApiError::payload_too_large()
            }
        })?;
        if bytes.len() > BODY_LIMIT {
            return Err(ApiError::payload_too_large());
        }
        decode_json(&bytes)
    }
}

/// Decodes a JSON body the way [`ApiJson`] does.
pub fn decode_json<T: RequestBody>(bytes: &[u8]) -> Result<ApiJson<T>, ApiError> {
    let raw: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        ApiError::bad_request(format!("body is not valid JSON (line {}, column {})", e.line(), e.column()))
    })?;
    let Some(members) = raw.as_object() else {
        return Err(ApiError::unprocessable("body must be a JSON object"));
    };
    let null = members.iter().find(|(name, value)| value.is_null() && !T::NULLABLE.contains(&name.as_str()));
    let null = null.map(|(name, _)| name.clone());
    let canonical = raw.to_string();
    let value = serde_json::from_value(raw).map_err(|e| ApiError::unprocessable(schema_detail(&e)))?;
    // Checked after serde, which refuses unknown members: the name echoed
    // here is always one of ours.
    if let Some(name) = null {
        return Err(ApiError::unprocessable(format!("{name} must not be null")));
    }
    Ok(ApiJson { value, canonical })
}

/// Path parameters: 400 when a segment cannot be read (percent-encoded
/// bytes that are not UTF-8), where axum's own `Path` answers plain text.
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(PathRejection::FailedToDeserializePathParams(_)) => {
                Err(ApiError::bad_request("a path segment is not valid UTF-8 once percent-decoded"))
            }
            Err(_) => Err(ApiError::internal()),
        }
    }
}

/// A query string decoded into `T`: 400 on any mismatch.
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        serde_urlencoded::from_str(query)
            .map(ApiQuery)
            .map_err(|e| ApiError::bad_request(format!("invalid query: {}", field_only(&e.to_string()))))
    }
}

/// A serde error message reduced to what names the field and the rule, with
/// any echoed value removed (serde quotes offending values in backticks or
/// double quotes for some errors).
fn schema_detail(error: &serde_json::Error) -> String {
    field_only(&error.to_string())
}

fn field_only(message: &str) -> String {
    // serde messages look like: unknown field `dbo`, expected one of ...
    // invalid type: string "x", expected u32 / missing field `reason`.
    // Field names are ours and safe; values in double quotes are not.
    let mut out = String::with_capacity(message.len());
    let mut in_quotes = false;
    for ch in message.chars() {
        match ch {
            '"' => {
                if !in_quotes {
                    out.push_str("<value>");
                }
                in_quotes = !in_quotes;
            }
            _ if in_quotes => {}
            _ => out.push(ch),
        }
    }
    // Drop serde_json's position suffix, which is noise in a 422.
    match out.find(" at line ") {
        Some(i) => out[..i].to_owned(),
        None => out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_json_is_400_and_schema_mismatch_is_422() {
        let err = decode_json::<AccountPatch>(b"{\"reason\":").err().unwrap();
        assert_eq!(err.status.as_u16(), 400);
        let err = decode_json::<AccountPatch>(br#"{"reason":"x","dbo":"1"}"#).err().unwrap();
        assert_eq!(err.status.as_u16(), 422);
        assert!(err.detail.contains("dbo"), "{}", err.detail);
        let err = decode_json::<AccountPatch>(br#"[1,2]"#).err().unwrap();
        assert_eq!(err.status.as_u16(), 422);
    }

    #[test]
    fn null_is_refused_unless_the_contract_allows_it() {
        let err = decode_json::<AccountPatch>(br#"{"reason":"x","dob":null,"email":"a@b.co"}"#).err().unwrap();
        assert_eq!(err.status.as_u16(), 422);
        assert!(err.detail.contains("dob"), "{}", err.detail);
        assert!(decode_json::<ResendRequest>(br#"{"ticket_id":null}"#).is_err());
        let err = decode_json::<TicketPatch>(br#"{"status":null,"assignee":"agent_chen"}"#).err().unwrap();
        assert_eq!(err.status.as_u16(), 422);
        let unassign = decode_json::<TicketPatch>(br#"{"assignee":null}"#).ok().unwrap();
        assert_eq!(unassign.value.assignee, Some(None));
        // An unknown member is named by serde's own message, null or not.
        let err = decode_json::<ResendRequest>(br#"{"ticket":null}"#).err().unwrap();
        assert!(err.detail.contains("unknown field"), "{}", err.detail);
    }

    #[test]
    fn schema_errors_never_echo_values() {
        let err = decode_json::<AccountPatch>(br#"{"reason":"x","email":42,"dob":"Marisol"}"#).err().unwrap();
        assert!(!err.detail.contains("Marisol"), "{}", err.detail);
        let err = decode_json::<AccountPatch>(br#"{"reason":"x","dob":"1985-13-45"}"#).err().unwrap();
        assert!(!err.detail.contains("1985"), "{}", err.detail);
    }
}
