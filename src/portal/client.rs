//! The typed async client of the portal API.
//!
//! - connect and request timeouts;
//! - GETs retried with exponential backoff and full jitter on transient
//!   failures (5xx, timeouts, dropped connections, unreadable bodies), and
//!   after a 429 when `Retry-After` is short;
//! - mutations are never retried here: each carries an [`IdempotencyKey`]
//!   made once per user action, which the caller reuses when it retries the
//!   action, so a retry can never make a second invite;
//! - ETags from reads go back in `If-Match`;
//! - problem+json answers become typed [`PortalError`]s;
//! - the server's `Date` header corrects the workstation clock
//!   ([`ServerClock`]), within a day at most: a clock further off is not
//!   trusted, and [`ServerClock::distrusted`] says by how much it differs;
//! - an answer is read as it arrives and refused past
//!   [`ClientOptions::max_answer_bytes`], so a hostile portal cannot make
//!   the console grow without bound;
//! - plain `http://` is refused for any host but this machine, and this
//!   machine is always reached directly, never through a proxy (which would
//!   see the token in clear text); an https portal may go through the
//!   environment's proxy, which can only tunnel it (CONNECT).

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::PortalError;
use super::model::{
    Account, AccountId, AccountPatch, AccountSummary, AuditEntry, AuditHead, ETag, Invite, InviteId, Items, NewNote,
    NewReply, OutboxMessage, OutboxReply, Page, PresenceMode, PresenceRequest, Problem, ResendRequest, RevokeRequest,
    Role, SandboxClock, ScannerProfile, ScannerVisitRequest, StaffMember, Ticket, TicketId, TicketMessage, TicketNote,
    TicketPatch, TicketStatus,
};
use super::paging::{Pager, PagingLimits};

/// An API token. Its `Debug` is redacted so it never reaches a log.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken(String);

impl ApiToken {
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    fn bearer(&self) -> Result<HeaderValue, PortalError> {
        let mut value = HeaderValue::from_str(&format!("Bearer {}", self.0)).map_err(|_| PortalError::Unauthorized)?;
        value.set_sensitive(true);
        Ok(value)
    }
}

impl std::fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiToken(<redacted>)")
    }
}

/// The key that makes a mutation happen at most once. Make one per user
/// action ("resend this invite") and reuse it for every retry of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// A fresh random key.
    pub fn new() -> Self {
        Self(uuid::Uuid::new_v4().to_string())
    }

    /// The key's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for IdempotencyKey {
    fn default() -> Self {
        Self::new()
    }
}

/// A resource with the ETag of the version read, for `If-Match`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versioned<T> {
    pub value: T,
    pub etag: ETag,
}

/// The server's clock as seen from here: the workstation clock corrected by
/// the offset read from each answer's `Date` header, so countdowns are right
/// even when the workstation clock is off.
#[derive(Debug, Default)]
pub struct ServerClock {
    offset_ms: AtomicI64,
    /// The last offset refused as too far off (0: none).
    distrusted_ms: AtomicI64,
    /// That refused answer said its clock was a sandbox's simulated one,
    /// from a portal not named as a sandbox (`--sandbox-clock`).
    claimed_simulated: std::sync::atomic::AtomicBool,
}

/// The header with which the sandbox says its clock is simulated (frozen,
/// or moved by `POST /sandbox/clock`). Heeded only from a sandbox this
/// client was told to trust ([`ClientOptions::sandbox_clock`]: the embedded
/// sandbox, or one named with `--sandbox-clock`), and only on this
/// machine: any other portal's, loopback or not, is bounded by
/// [`MAX_CLOCK_OFFSET`].
pub const SIMULATED_CLOCK: &str = "x-sandbox-clock";

/// The furthest the portal's clock is trusted to be from this machine's.
pub const MAX_CLOCK_OFFSET: TimeDelta = TimeDelta::hours(24);

impl ServerClock {
    /// Now on the server, estimated.
    pub fn now(&self) -> DateTime<Utc> {
        self.at(Utc::now())
    }

    /// The server's time when the local clock shows `local`.
    pub fn at(&self, local: DateTime<Utc>) -> DateTime<Utc> {
        local + TimeDelta::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    /// The current offset (server minus local).
    pub fn offset(&self) -> TimeDelta {
        TimeDelta::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Takes a `Date` header seen at local time `local`. The header has
    /// one-second resolution, so the server's time lies in [date, date+1s);
    /// the midpoint is used, and the offset only moves when the new estimate
    /// is more than a second from the current one (no flicker between
    /// neighbouring seconds). A date more than [`MAX_CLOCK_OFFSET`] away
    /// is not taken: it is remembered for [`ServerClock::distrusted`].
    pub fn observe(&self, date_header: &str, local: DateTime<Utc>) {
        self.observe_date(date_header, local, Trust::Bounded);
    }

    /// The same; [`Trust::Simulated`] takes any offset (a trusted sandbox
    /// on this machine, whose clock is simulated: frozen or moved on
    /// purpose), and the clock is then no longer said to be ignored.
    fn observe_date(&self, date_header: &str, local: DateTime<Utc>, trust: Trust) {
        let Ok(date) = DateTime::parse_from_rfc2822(date_header) else {
            return;
        };
        let estimate = (date.to_utc() + TimeDelta::milliseconds(500) - local).num_milliseconds();
        if trust != Trust::Simulated && estimate.abs() > MAX_CLOCK_OFFSET.num_milliseconds() {
            // Never 0, which means "none".
            self.distrusted_ms.store(if estimate == 0 { 1 } else { estimate }, Ordering::Relaxed);
            self.claimed_simulated.store(trust == Trust::ClaimedSimulated, Ordering::Relaxed);
            return;
        }
        if trust == Trust::Simulated {
            // Its time is used: nothing may say it is ignored.
            self.distrusted_ms.store(0, Ordering::Relaxed);
        }
        let current = self.offset_ms.load(Ordering::Relaxed);
        if (estimate - current).abs() > 1_000 {
            self.offset_ms.store(estimate, Ordering::Relaxed);
        }
    }

    /// How far the portal's clock was from this machine's when a `Date` was
    /// refused as too far off (portal minus local), if one was.
    pub fn distrusted(&self) -> Option<TimeDelta> {
        let ms = self.distrusted_ms.load(Ordering::Relaxed);
        (ms != 0).then(|| TimeDelta::milliseconds(ms))
    }

    /// The warning to show when the portal's clock was not trusted.
    pub fn warning(&self) -> Option<String> {
        let off = self.distrusted()?;
        let (amount, ahead) = (off.abs(), if off > TimeDelta::zero() { "ahead of" } else { "behind" });
        let words = if amount >= TimeDelta::days(2) {
            format!("{} days", amount.num_days())
        } else {
            format!("{} hours", amount.num_hours())
        };
        let hint = if self.claimed_simulated.load(Ordering::Relaxed) {
            " (it says it is a sandbox with a simulated clock: only a sandbox named with --sandbox-clock, or \
             sandbox_clock = true in the config, is trusted with one)"
        } else {
            ""
        };
        Some(format!(
            "the portal's clock and this machine's differ by {words} (the portal is {ahead} this machine); \
             its time is ignored and this machine's clock is used{hint}"
        ))
    }
}

/// How far a `Date` is trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trust {
    /// Within [`MAX_CLOCK_OFFSET`] only.
    Bounded,
    /// Bounded, though the answer said its clock is simulated: a portal not
    /// named as a sandbox (it may be anything listening on loopback).
    ClaimedSimulated,
    /// Any offset: a sandbox this client was told to trust said its clock
    /// is simulated.
    Simulated,
}

/// How the client behaves on the network.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    /// Extra attempts for a GET after the first.
    pub read_retries: u32,
    /// The first backoff; doubled each attempt, with full jitter.
    pub backoff: Duration,
    /// The longest backoff.
    pub max_backoff: Duration,
    /// A 429 on a GET is waited out when `Retry-After` is at most this.
    pub max_rate_limit_wait: Duration,
    /// The largest answer read; a larger one fails with
    /// [`PortalError::TooLarge`] (a page of the API never needs more).
    pub max_answer_bytes: usize,
    /// The most one paged read may take (pages, bytes kept).
    pub paging: PagingLimits,
    /// The portal is a sandbox on this machine whose simulated clock
    /// (`x-sandbox-clock: simulated`) is followed however far off: the
    /// embedded sandbox, or one named with `--sandbox-clock` (or
    /// `sandbox_clock = true`). Off, and for any address not on loopback,
    /// a `Date` is trusted within [`MAX_CLOCK_OFFSET`] only.
    pub sandbox_clock: bool,
}

/// The default largest answer: 8 MiB.
pub const MAX_ANSWER_BYTES: usize = 8 << 20;

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(15),
            read_retries: 3,
            backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(2),
            max_rate_limit_wait: Duration::from_secs(3),
            max_answer_bytes: MAX_ANSWER_BYTES,
            paging: PagingLimits::default(),
            sandbox_clock: false,
        }
    }
}

impl ClientOptions {
    /// The options for the sandbox this process runs (the console's
    /// embedded sandbox): its simulated clock is followed however far off.
    pub fn embedded_sandbox() -> Self {
        Self { sandbox_clock: true, ..Self::default() }
    }
}

/// What to search for (`GET /api/v1/accounts`).
#[derive(Clone, Default, PartialEq, Eq, Serialize)]
pub struct AccountQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// The search text may be a name or an address: never shown in full.
impl std::fmt::Debug for AccountQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountQuery")
            .field("q", &self.q.as_ref().map(|q| format!("<{} chars>", q.chars().count())))
            .field("role", &self.role)
            .field("limit", &self.limit)
            .field("cursor", &self.cursor)
            .finish()
    }
}

/// Whose tickets to list (`assignee` of `GET /api/v1/tickets`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assignee {
    /// The staff member the token belongs to.
    Me,
    /// Unclaimed tickets.
    Nobody,
    /// Tickets claimed by this staff id.
    Staff(String),
}

impl Assignee {
    /// The query parameter's value: `me`, `none` or the staff id.
    pub fn as_param(&self) -> &str {
        match self {
            Assignee::Me => "me",
            Assignee::Nobody => "none",
            Assignee::Staff(id) => id,
        }
    }
}

impl Serialize for Assignee {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_param())
    }
}

/// Which tickets to list (`GET /api/v1/tickets`), one page at a time,
/// oldest first.
#[derive(Clone, Default, PartialEq, Eq, Serialize)]
pub struct TicketQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<TicketStatus>,
    /// Part of the ticket id or subject, or of the account's name or address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee: Option<Assignee>,
    /// Only the tickets of this account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<AccountId>,
    /// Tickets per page (1 to 500; the portal's default is 100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// The `next_cursor` of the page before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// The search text may be a name or an address: never shown in full.
impl std::fmt::Debug for TicketQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TicketQuery")
            .field("status", &self.status)
            .field("q", &self.q.as_ref().map(|q| format!("<{} chars>", q.chars().count())))
            .field("assignee", &self.assignee)
            .field("account_id", &self.account_id)
            .field("limit", &self.limit)
            .field("cursor", &self.cursor)
            .finish()
    }
}

/// The portal client. Cheap to clone; clones share connections and clock.
#[derive(Debug, Clone)]
pub struct PortalClient {
    /// The HTTP client and its pool of connections, shared by every clone;
    /// [`PortalClient::forget_connections`] replaces it.
    http: Arc<std::sync::RwLock<reqwest::Client>>,
    base: Url,
    token: ApiToken,
    clock: Arc<ServerClock>,
    options: ClientOptions,
    proxy: Option<String>,
}

/// Checks a portal address: https anywhere, plain http only for loopback.
pub fn check_portal_url(text: &str) -> Result<Url, PortalError> {
    let url = Url::parse(text).map_err(|_| PortalError::InvalidUrl)?;
    let host = url.host_str().ok_or(PortalError::InvalidUrl)?.to_owned();
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&host) => Ok(url),
        "http" => Err(PortalError::InsecureUrl { host }),
        _ => Err(PortalError::InvalidUrl),
    }
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl PortalClient {
    /// A client for the portal at `base_url` (https, or http on loopback).
    pub fn new(base_url: &str, token: ApiToken, options: ClientOptions) -> Result<Self, PortalError> {
        let mut base = check_portal_url(base_url)?;
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let (http, proxy) = http_client(&base, &options)?;
        match &proxy {
            Some(proxy) => tracing::info!(%proxy, "the portal is reached through a proxy (CONNECT tunnel)"),
            None => tracing::info!("the portal is reached directly, through no proxy"),
        }
        let http = Arc::new(std::sync::RwLock::new(http));
        Ok(Self { http, base, token, clock: Arc::new(ServerClock::default()), options, proxy })
    }

    /// The HTTP client in force.
    fn http(&self) -> reqwest::Client {
        self.http.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Closes the idle connections kept for reuse, for every clone of this
    /// client: the next request opens a new one. The console's lock calls
    /// it, so the answers read before it (client details) do not stay in
    /// their read buffers; a request in flight finishes on its own.
    pub fn forget_connections(&self) {
        match http_client(&self.base, &self.options) {
            Ok((fresh, _)) => *self.http.write().unwrap_or_else(std::sync::PoisonError::into_inner) = fresh,
            Err(error) => tracing::warn!(error = error.kind(), "could not renew the HTTP client"),
        }
    }
}

/// The HTTP client for `base`, and the proxy it goes through, if any.
fn http_client(base: &Url, options: &ClientOptions) -> Result<(reqwest::Client, Option<String>), PortalError> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(options.connect_timeout)
        .timeout(options.request_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("portaldesk/", env!("CARGO_PKG_VERSION")));
    let proxy = if is_loopback(base.host_str().unwrap_or_default()) {
        // This machine is always reached directly: a proxy would see
        // the token and the answers.
        builder = builder.no_proxy();
        None
    } else {
        // Only https reaches here, which reqwest sends through an
        // environment proxy as a CONNECT tunnel: the proxy sees the
        // host name, never the token or the answers.
        environment_proxy()
    };
    if base.scheme() == "http" {
        // Plain http is only ever this machine, and every request goes
        // to the base, so this client makes no TLS connection: it skips
        // loading the system's root certificates (a fifth of the
        // instructions of starting the console on the embedded sandbox).
        builder = builder.tls_certs_only(std::iter::empty::<reqwest::Certificate>());
    }
    let http = builder.build().map_err(|_| PortalError::InvalidUrl)?;
    Ok((http, proxy))
}

impl PortalClient {
    /// The proxy the portal is reached through (its address without any
    /// credentials), or `None` when it is reached directly.
    pub fn proxy(&self) -> Option<&str> {
        self.proxy.as_deref()
    }

    /// The server clock this client keeps.
    pub fn clock(&self) -> Arc<ServerClock> {
        Arc::clone(&self.clock)
    }

    /// The portal's base URL.
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    // ---- reads -------------------------------------------------------

    /// The staff member the token belongs to.
    pub async fn me(&self) -> Result<StaffMember, PortalError> {
        self.get_json("api/v1/me", &()).await.map(|v| v.value)
    }

    /// One page of accounts.
    pub async fn search_accounts(&self, query: &AccountQuery) -> Result<Page<AccountSummary>, PortalError> {
        let (answer, bytes) = self.get_json_sized::<Page<AccountSummary>>("api/v1/accounts", query).await?;
        Ok(Page { bytes, ..answer.value })
    }

    /// A whole account, with its ETag.
    pub async fn account(&self, id: &AccountId) -> Result<Versioned<Account>, PortalError> {
        self.get_json(&format!("api/v1/accounts/{}", segment(id.as_str())), &()).await
    }

    /// The invites of an account, newest first.
    pub async fn invites(&self, account_id: &AccountId) -> Result<Vec<Invite>, PortalError> {
        let path = format!("api/v1/accounts/{}/invites", segment(account_id.as_str()));
        self.get_json::<Items<Invite>>(&path, &()).await.map(|v| v.value.items)
    }

    /// Every ticket, oldest first, optionally of one status: page after
    /// page (a portal without paging answers them all at once).
    pub async fn tickets(&self, status: Option<TicketStatus>) -> Result<Vec<Ticket>, PortalError> {
        self.tickets_where(TicketQuery { status, ..TicketQuery::default() }).await
    }

    /// Every ticket `query` finds (its cursor and limit aside), oldest
    /// first, page after page, under the paging guard: a portal that keeps
    /// paging is stopped ([`PortalError::KeptPaging`]).
    pub async fn tickets_where(&self, query: TicketQuery) -> Result<Vec<Ticket>, PortalError> {
        let mut query = TicketQuery { limit: Some(500), cursor: None, ..query };
        let mut pager = self.pager();
        let mut all = Vec::new();
        loop {
            let page = self.ticket_page(&query).await?;
            all.extend(page.items);
            match pager.next(page.bytes, page.next_cursor)? {
                Some(cursor) => query.cursor = Some(cursor),
                None => return Ok(all),
            }
        }
    }

    /// A guard for one paged read, with this client's limits.
    pub fn pager(&self) -> Pager {
        Pager::new(self.options.paging)
    }

    /// One page of tickets, oldest first.
    pub async fn ticket_page(&self, query: &TicketQuery) -> Result<Page<Ticket>, PortalError> {
        #[derive(serde::Deserialize)]
        struct Answer {
            items: Vec<Ticket>,
            #[serde(default)]
            next_cursor: Option<String>,
        }
        let (answer, bytes) = self.get_json_sized::<Answer>("api/v1/tickets", query).await?;
        Ok(Page { items: answer.value.items, next_cursor: answer.value.next_cursor, bytes })
    }

    /// A ticket's conversation, oldest first: the client's messages, the
    /// help desk's replies and the internal notes.
    pub async fn messages(&self, ticket_id: &TicketId) -> Result<Vec<TicketMessage>, PortalError> {
        let path = format!("api/v1/tickets/{}/messages", segment(ticket_id.as_str()));
        self.get_json::<Items<TicketMessage>>(&path, &()).await.map(|v| v.value.items)
    }

    /// One ticket, with its ETag.
    pub async fn ticket(&self, id: &TicketId) -> Result<Versioned<Ticket>, PortalError> {
        self.get_json(&format!("api/v1/tickets/{}", segment(id.as_str())), &()).await
    }

    /// The internal notes of a ticket.
    pub async fn notes(&self, ticket_id: &TicketId) -> Result<Vec<TicketNote>, PortalError> {
        let path = format!("api/v1/tickets/{}/notes", segment(ticket_id.as_str()));
        self.get_json::<Items<TicketNote>>(&path, &()).await.map(|v| v.value.items)
    }

    /// The audit trail, newest first, of an account and/or a ticket.
    pub async fn audit(
        &self,
        account_id: Option<&AccountId>,
        ticket_id: Option<&TicketId>,
    ) -> Result<Vec<AuditEntry>, PortalError> {
        let (account_id, ticket_id) = (account_id.map(AccountId::as_str), ticket_id.map(TicketId::as_str));
        self.audit_query(&AuditQuery { account_id, ticket_id, ..AuditQuery::default() }).await
    }

    /// One page of the audit trail's entries that pass `filter`, newest
    /// first: at most `limit` entries before entry `before` (with the size
    /// of the answer, for the paging guard).
    pub async fn audit_page(
        &self,
        filter: &AuditFilter<'_>,
        before: Option<i64>,
        limit: u32,
    ) -> Result<(Vec<AuditEntry>, usize), PortalError> {
        let instant = |at: Option<DateTime<Utc>>| at.map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        let query = AuditQuery {
            account_id: filter.account_id.map(AccountId::as_str),
            actor: filter.actor,
            since: instant(filter.since),
            until: instant(filter.until),
            before,
            limit: Some(limit),
            ..AuditQuery::default()
        };
        let (answer, bytes) = self.get_json_sized::<Items<AuditEntry>>("api/v1/audit", &query).await?;
        Ok((answer.value.items, bytes))
    }

    /// The head of the audit trail as the portal states it: how many
    /// entries, and the newest one's hash.
    pub async fn audit_head(&self) -> Result<AuditHead, PortalError> {
        self.get_json("api/v1/audit/head", &()).await.map(|v| v.value)
    }

    async fn audit_query(&self, query: &AuditQuery<'_>) -> Result<Vec<AuditEntry>, PortalError> {
        self.get_json::<Items<AuditEntry>>("api/v1/audit", query).await.map(|v| v.value.items)
    }

    // ---- mutations (never retried here) ------------------------------

    /// Changes an account's DOB and/or email, if it is still at `etag`.
    pub async fn update_account(
        &self,
        id: &AccountId,
        etag: &ETag,
        patch: &AccountPatch,
        key: &IdempotencyKey,
    ) -> Result<Versioned<Account>, PortalError> {
        let path = format!("api/v1/accounts/{}", segment(id.as_str()));
        self.send_json(Method::PATCH, &path, patch, Some(etag), Some(key)).await
    }

    /// Sends a new invite (superseding earlier pending ones).
    pub async fn resend(
        &self,
        account_id: &AccountId,
        request: &ResendRequest,
        key: &IdempotencyKey,
    ) -> Result<Invite, PortalError> {
        let path = format!("api/v1/accounts/{}/invites", segment(account_id.as_str()));
        self.send_json(Method::POST, &path, request, None, Some(key)).await.map(|v| v.value)
    }

    /// Revokes a pending invite, if the account is still at `etag` (the
    /// account's ETag: a revoke changes the account's version). Answers the
    /// revoked invite and the account's new ETag.
    pub async fn revoke_invite(
        &self,
        account_id: &AccountId,
        invite_id: &InviteId,
        etag: &ETag,
        request: &RevokeRequest,
        key: &IdempotencyKey,
    ) -> Result<Versioned<Invite>, PortalError> {
        let path =
            format!("api/v1/accounts/{}/invites/{}/revoke", segment(account_id.as_str()), segment(invite_id.as_str()));
        self.send_json(Method::POST, &path, request, Some(etag), Some(key)).await
    }

    /// Changes a ticket's status or assignee, if it is still at `etag`.
    pub async fn update_ticket(
        &self,
        id: &TicketId,
        etag: &ETag,
        patch: &TicketPatch,
        key: &IdempotencyKey,
    ) -> Result<Versioned<Ticket>, PortalError> {
        let path = format!("api/v1/tickets/{}", segment(id.as_str()));
        self.send_json(Method::PATCH, &path, patch, Some(etag), Some(key)).await
    }

    /// Adds an internal note to a ticket.
    pub async fn add_note(
        &self,
        ticket_id: &TicketId,
        note: &NewNote,
        key: &IdempotencyKey,
    ) -> Result<TicketNote, PortalError> {
        let path = format!("api/v1/tickets/{}/notes", segment(ticket_id.as_str()));
        self.send_json(Method::POST, &path, note, None, Some(key)).await.map(|v| v.value)
    }

    /// Sends a public reply to the client (emailed once per key),
    /// optionally setting the ticket's status. Answers the new message.
    pub async fn reply(
        &self,
        ticket_id: &TicketId,
        reply: &NewReply,
        key: &IdempotencyKey,
    ) -> Result<TicketMessage, PortalError> {
        let path = format!("api/v1/tickets/{}/replies", segment(ticket_id.as_str()));
        self.send_json(Method::POST, &path, reply, None, Some(key)).await.map(|v| v.value)
    }

    /// Says this staff member is on a ticket in `mode` (a heartbeat: it
    /// lapses about 45 s after the last one).
    pub async fn presence(&self, ticket_id: &TicketId, mode: PresenceMode) -> Result<(), PortalError> {
        let path = format!("api/v1/tickets/{}/presence", segment(ticket_id.as_str()));
        let request = self.http().put(self.url(&path)?).header(header::AUTHORIZATION, self.token.bearer()?);
        self.open(request.json(&PresenceRequest { mode })).await.map(|_| ())
    }

    /// Records in the audit trail that this staff member revealed the
    /// client's details on a ticket's screen.
    pub async fn revealed(&self, ticket_id: &TicketId) -> Result<(), PortalError> {
        let path = format!("api/v1/tickets/{}/reveals", segment(ticket_id.as_str()));
        let request = self.http().post(self.url(&path)?).header(header::AUTHORIZATION, self.token.bearer()?);
        self.open(request).await.map(|_| ())
    }

    /// Says this staff member left a ticket (at once, without the lapse).
    pub async fn leave_presence(&self, ticket_id: &TicketId) -> Result<(), PortalError> {
        let path = format!("api/v1/tickets/{}/presence", segment(ticket_id.as_str()));
        let request = self.http().delete(self.url(&path)?).header(header::AUTHORIZATION, self.token.bearer()?);
        self.open(request).await.map(|_| ())
    }

    // ---- sandbox only ------------------------------------------------

    /// The reply emails the sandbox "sent", newest first, optionally of one
    /// ticket (sandbox only).
    pub async fn sandbox_reply_outbox(&self, ticket_id: Option<&TicketId>) -> Result<Vec<OutboxReply>, PortalError> {
        let query = ticket_id.map(|id| [("ticket_id", id.as_str())]);
        self.get_json::<Items<OutboxReply>>("sandbox/outbox/replies", &query).await.map(|v| v.value.items)
    }

    /// The emails the sandbox "sent", newest first (sandbox only).
    pub async fn sandbox_outbox(&self, account_id: Option<&AccountId>) -> Result<Vec<OutboxMessage>, PortalError> {
        let query = account_id.map(|id| [("account_id", id.as_str())]);
        self.get_json::<Items<OutboxMessage>>("sandbox/outbox", &query).await.map(|v| v.value.items)
    }

    /// Moves the sandbox clock forward (sandbox only).
    pub async fn sandbox_advance_clock(&self, seconds: i64) -> Result<DateTime<Utc>, PortalError> {
        #[derive(Serialize)]
        struct Advance {
            advance_seconds: i64,
        }
        let body = Advance { advance_seconds: seconds };
        let answer: Versioned<SandboxClock> = self.send_json(Method::POST, "sandbox/clock", &body, None, None).await?;
        Ok(answer.value.now)
    }

    /// Replays a mail scanner's visits against an invite's link (sandbox
    /// only); answers the invite with its visit log.
    pub async fn sandbox_scanner_visit(
        &self,
        invite_id: &InviteId,
        scanner: ScannerProfile,
    ) -> Result<Invite, PortalError> {
        let path = format!("sandbox/invites/{}/scanner-visit", segment(invite_id.as_str()));
        let body = ScannerVisitRequest { scanner };
        self.send_json(Method::POST, &path, &body, None, None).await.map(|v| v.value)
    }

    // ---- plumbing ----------------------------------------------------

    fn url(&self, path: &str) -> Result<Url, PortalError> {
        self.base.join(path).map_err(|_| PortalError::InvalidUrl)
    }

    async fn get_json<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &(impl Serialize + ?Sized),
    ) -> Result<Versioned<T>, PortalError> {
        self.get_json_sized(path, query).await.map(|(value, _)| value)
    }

    /// [`Self::get_json`], with the size of the answer in bytes.
    async fn get_json_sized<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &(impl Serialize + ?Sized),
    ) -> Result<(Versioned<T>, usize), PortalError> {
        let url = self.url(path)?;
        let mut attempt = 0;
        loop {
            let request = self.http().get(url.clone()).header(header::AUTHORIZATION, self.token.bearer()?).query(query);
            let outcome = self.exchange_sized(request).await;
            let error = match outcome {
                Ok(value) => return Ok(value),
                Err(error) => error,
            };
            let wait = match &error {
                PortalError::RateLimited { retry_after, .. } if *retry_after <= self.options.max_rate_limit_wait => {
                    Some(*retry_after)
                }
                e if e.is_transient() => Some(self.backoff(attempt)),
                _ => None,
            };
            match wait {
                Some(wait) if attempt < self.options.read_retries => {
                    tracing::debug!(path, attempt, error = %error, "retrying a read");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                _ => return Err(error),
            }
        }
    }

    async fn send_json<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: &impl Serialize,
        etag: Option<&ETag>,
        key: Option<&IdempotencyKey>,
    ) -> Result<Versioned<T>, PortalError> {
        let mut request =
            self.http().request(method, self.url(path)?).header(header::AUTHORIZATION, self.token.bearer()?);
        if let Some(etag) = etag {
            let value = HeaderValue::from_str(etag.as_str()).map_err(|_| PortalError::PreconditionRequired)?;
            request = request.header(header::IF_MATCH, value);
        }
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key.as_str());
        }
        self.exchange(request.json(body)).await
    }

    /// A GET of `path` with the token.
    pub(crate) fn get_request(&self, path: &str) -> Result<reqwest::RequestBuilder, PortalError> {
        Ok(self.http().get(self.url(path)?).header(header::AUTHORIZATION, self.token.bearer()?))
    }

    /// Sends a request whose answer is read as it arrives (the event
    /// stream): a failure status is read (capped) into its typed error.
    pub(crate) async fn open(&self, request: reqwest::RequestBuilder) -> Result<reqwest::Response, PortalError> {
        let response = request.send().await.map_err(|e| PortalError::from_reqwest(&e))?;
        self.observe_clock(&response);
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let headers = response.headers().clone();
        let bytes = read_capped(response, 64 << 10).await?;
        Err(error_from(status, &headers, &bytes))
    }

    fn observe_clock(&self, response: &reqwest::Response) {
        if let Some(date) = response.headers().get(header::DATE).and_then(|v| v.to_str().ok()) {
            // Only a sandbox on this machine that this client was told to
            // trust may have a clock far off (and it says so): any other
            // portal's, loopback or not, is trusted within a day.
            let claimed = response.headers().get(SIMULATED_CLOCK).is_some_and(|v| v.as_bytes() == b"simulated");
            let named = self.options.sandbox_clock && is_loopback(self.base.host_str().unwrap_or_default());
            let trust = match (claimed, named) {
                (true, true) => Trust::Simulated,
                (true, false) => Trust::ClaimedSimulated,
                (false, _) => Trust::Bounded,
            };
            self.clock.observe_date(date, Utc::now(), trust);
        }
    }

    /// Sends one request and reads its answer.
    async fn exchange<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<Versioned<T>, PortalError> {
        self.exchange_sized(request).await.map(|(value, _)| value)
    }

    /// [`Self::exchange`], with the size of the answer in bytes.
    async fn exchange_sized<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<(Versioned<T>, usize), PortalError> {
        let response = request.send().await.map_err(|e| PortalError::from_reqwest(&e))?;
        self.observe_clock(&response);
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = read_capped(response, self.options.max_answer_bytes).await?;
        if status.is_success() {
            let value = decode::<T>(&bytes)?;
            let etag = headers.get(header::ETAG).and_then(|v| v.to_str().ok()).unwrap_or_default().into();
            Ok((Versioned { value, etag }, bytes.len()))
        } else {
            Err(error_from(status, &headers, &bytes))
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        super::Backoff { base: self.options.backoff, max: self.options.max_backoff, jitter: true }.delay(attempt)
    }
}

/// Reads an answer's body as it arrives, and stops as soon as it is larger
/// than `limit` bytes: no more than `limit` plus one chunk is ever held.
async fn read_capped(mut response: reqwest::Response, limit: usize) -> Result<Vec<u8>, PortalError> {
    let too_large = PortalError::TooLarge { limit_bytes: limit as u64 };
    if response.content_length().is_some_and(|length| length > limit as u64) {
        return Err(too_large);
    }
    let mut body = Vec::with_capacity(response.content_length().map_or(0, |n| n as usize).min(limit));
    while let Some(chunk) = response.chunk().await.map_err(|e| PortalError::from_reqwest(&e))? {
        if body.len() + chunk.len() > limit {
            return Err(too_large);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The proxy an https portal would go through, from the environment
/// (`HTTPS_PROXY`, `ALL_PROXY`, either case), shown without credentials.
fn environment_proxy() -> Option<String> {
    ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"].iter().find_map(|name| {
        let text = std::env::var(name).ok().filter(|v| !v.trim().is_empty())?;
        match Url::parse(text.trim()) {
            Ok(url) => {
                Some(format!("{}://{}:{}", url.scheme(), url.host_str()?, url.port_or_known_default().unwrap_or(0)))
            }
            Err(_) => Some("(unreadable proxy setting)".to_owned()),
        }
    })
}

/// Decodes a JSON answer; the error names where it failed, never the value.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, PortalError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        let what = match e.inner().classify() {
            serde_json::error::Category::Data if path != "." => format!("unexpected value at {path}"),
            serde_json::error::Category::Data => "unexpected shape".to_owned(),
            serde_json::error::Category::Eof => "the answer ended early".to_owned(),
            _ => "the answer is not JSON".to_owned(),
        };
        PortalError::Decode { what }
    })
}

/// Turns an error answer into a typed error.
fn error_from(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> PortalError {
    let problem: Option<Problem> = serde_json::from_slice(body).ok();
    let detail = problem
        .as_ref()
        .and_then(|p| p.detail.clone().or_else(|| Some(p.title.clone())))
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_owned());
    match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => PortalError::Unauthorized,
        StatusCode::NOT_FOUND => PortalError::NotFound { detail },
        StatusCode::PRECONDITION_REQUIRED => PortalError::PreconditionRequired,
        StatusCode::PRECONDITION_FAILED => PortalError::Stale,
        StatusCode::TOO_MANY_REQUESTS => {
            PortalError::RateLimited { retry_after: retry_after(headers), detail: problem.and_then(|p| p.detail) }
        }
        s if s.is_client_error() => PortalError::Invalid { status: s.as_u16(), detail },
        s => PortalError::Server {
            status: s.as_u16(),
            title: problem.map(|p| p.title).unwrap_or_else(|| s.canonical_reason().unwrap_or("error").to_owned()),
        },
    }
}

/// `Retry-After` as seconds or an HTTP date; 1 s when absent or unreadable.
fn retry_after(headers: &HeaderMap) -> Duration {
    let Some(text) = headers.get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()) else {
        return Duration::from_secs(1);
    };
    if let Ok(seconds) = text.trim().parse::<u64>() {
        return Duration::from_secs(seconds.min(24 * 3600));
    }
    DateTime::parse_from_rfc2822(text)
        .ok()
        .and_then(|at| (at.to_utc() - Utc::now()).to_std().ok())
        .unwrap_or(Duration::from_secs(1))
}

/// A path segment with everything but letters, digits, `-`, `_` and `~`
/// escaped (dots too, so `..` cannot climb), so an id can never reach
/// another route.
fn segment(id: &str) -> String {
    // Everything but RFC 3986's unreserved characters is escaped.
    const ESCAPED: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'~');
    percent_encoding::utf8_percent_encode(id, ESCAPED).to_string()
}

/// Which audit entries to read: each `None` lets every entry through.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuditFilter<'a> {
    /// Only entries about this account.
    pub account_id: Option<&'a AccountId>,
    /// Only entries made by this staff id.
    pub actor: Option<&'a str>,
    /// Only entries at or after this instant.
    pub since: Option<DateTime<Utc>>,
    /// Only entries before this instant.
    pub until: Option<DateTime<Utc>>,
}

/// The query of `GET /api/v1/audit`.
#[derive(Debug, Default, Serialize)]
struct AuditQuery<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    account_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ticket_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    actor: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    since: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    until: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    before: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    limit: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_on_loopback() {
        assert!(check_portal_url("http://127.0.0.1:8088").is_ok());
        assert!(check_portal_url("http://localhost:8088/").is_ok());
        assert!(check_portal_url("http://[::1]:8088/").is_ok());
        assert!(check_portal_url("https://portal.example.org").is_ok());
        assert_eq!(
            check_portal_url("http://portal.example.org").unwrap_err(),
            PortalError::InsecureUrl { host: "portal.example.org".into() }
        );
        assert!(matches!(check_portal_url("http://127.0.0.1.evil.com"), Err(PortalError::InsecureUrl { .. })));
        assert_eq!(check_portal_url("ftp://x").unwrap_err(), PortalError::InvalidUrl);
        assert_eq!(check_portal_url("not a url").unwrap_err(), PortalError::InvalidUrl);
    }

    #[test]
    fn server_clock_takes_the_date_header_with_hysteresis() {
        let clock = ServerClock::default();
        let local = DateTime::parse_from_rfc3339("2026-11-25T10:00:00Z").unwrap().to_utc();
        clock.observe("Wed, 25 Nov 2026 10:05:00 GMT", local);
        assert_eq!(clock.offset(), TimeDelta::milliseconds(300_500));
        // Within a second of the estimate: unchanged.
        clock.observe("Wed, 25 Nov 2026 10:05:01 GMT", local);
        assert_eq!(clock.offset(), TimeDelta::milliseconds(300_500));
        clock.observe("garbage", local);
        assert_eq!(clock.at(local), local + TimeDelta::milliseconds(300_500));
        assert_eq!(clock.distrusted(), None);
    }

    #[test]
    fn a_far_off_portal_clock_is_not_trusted_but_reported() {
        let clock = ServerClock::default();
        let local = DateTime::parse_from_rfc3339("2026-11-25T10:00:00Z").unwrap().to_utc();
        clock.observe("Wed, 25 Nov 2026 10:05:00 GMT", local);
        clock.observe("Fri, 31 Dec 9999 23:59:59 GMT", local);
        assert_eq!(clock.offset(), TimeDelta::milliseconds(300_500), "the far date is ignored");
        assert!(clock.distrusted().is_some_and(|d| d > TimeDelta::days(2_900_000)));
        let warning = clock.warning().unwrap();
        assert!(warning.contains("differ by 2912") && warning.contains("ahead of"), "{warning}");
        // Just within a day is still taken.
        let near = ServerClock::default();
        near.observe("Wed, 25 Nov 2026 09:30:00 GMT", local - TimeDelta::hours(23));
        assert_eq!(near.distrusted(), None);
        assert!(near.offset() > TimeDelta::hours(22));
    }

    #[test]
    fn a_simulated_clock_is_followed_only_when_trusted_and_then_not_called_ignored() {
        let local = DateTime::parse_from_rfc3339("2026-11-25T10:00:00Z").unwrap().to_utc();
        let far = "Fri, 31 Dec 9999 23:59:59 GMT";
        // Claimed by a portal not named as a sandbox: refused, and said why.
        let clock = ServerClock::default();
        clock.observe_date(far, local, Trust::ClaimedSimulated);
        assert_eq!(clock.offset(), TimeDelta::zero());
        assert!(clock.warning().unwrap().contains("--sandbox-clock"), "{:?}", clock.warning());
        // A trusted sandbox's: used, and the warning of an earlier refusal
        // goes (it would say "ignored" while the time is used).
        clock.observe_date(far, local, Trust::Simulated);
        assert!(clock.offset() > TimeDelta::days(2_900_000));
        assert_eq!(clock.warning(), None);
    }

    #[test]
    fn problems_become_typed_errors() {
        let body = br#"{"type":"x","title":"t","status":422,"detail":"reason is required"}"#;
        let e = error_from(StatusCode::UNPROCESSABLE_ENTITY, &HeaderMap::new(), body);
        assert_eq!(e, PortalError::Invalid { status: 422, detail: "reason is required".into() });
        let mut headers = HeaderMap::new();
        headers.insert(header::RETRY_AFTER, HeaderValue::from_static("120"));
        let e = error_from(StatusCode::TOO_MANY_REQUESTS, &headers, b"");
        assert_eq!(e, PortalError::RateLimited { retry_after: Duration::from_secs(120), detail: None });
        assert_eq!(error_from(StatusCode::PRECONDITION_FAILED, &HeaderMap::new(), b"<html>"), PortalError::Stale);
        let e = error_from(StatusCode::BAD_GATEWAY, &HeaderMap::new(), b"<html>");
        assert!(matches!(e, PortalError::Server { status: 502, .. }) && e.is_transient());
    }

    #[test]
    fn decode_errors_name_the_place_not_the_value() {
        let e = decode::<Items<Invite>>(br#"{"items":[{"id":"Marisol Quintero"}]}"#).unwrap_err();
        let text = e.to_string();
        assert!(!text.contains("Marisol"), "{text}");
        assert!(text.contains("items[0]"), "{text}");
        assert!(matches!(decode::<Items<Invite>>(b"{\"items\": ["), Err(PortalError::Decode { .. })));
        assert!(matches!(decode::<Items<Invite>>(b"\xff\xfe"), Err(PortalError::Decode { .. })));
    }

    #[test]
    fn ids_cannot_escape_their_segment() {
        assert_eq!(segment("acc_12"), "acc_12");
        assert_eq!(segment("../tickets?x=1"), "%2E%2E%2Ftickets%3Fx%3D1");
        assert_eq!(segment("é"), "%C3%A9");
    }

    #[test]
    fn tokens_do_not_print() {
        let token = ApiToken::new("s3cret-token");
        assert!(!format!("{token:?}").contains("s3cret"));
    }
}
