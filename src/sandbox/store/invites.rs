//! Invites, their delivery events and the outbox.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{instant, secs, wire, wire_opt};
use crate::phi::Phi;
use crate::portal::model::{
    DeliveryEvent, DeliveryEventKind, InvalidReason, Invite, InviteStatus, LinkVisit, OutboxMessage, Revocation, Role,
    StaffId, TicketId, token_digest,
};

/// The status an invite has at `now`: a stored `pending` past its expiry is
/// `expired`; every other stored status is final.
pub fn effective_status(stored: InviteStatus, expires_at: i64, now: DateTime<Utc>) -> InviteStatus {
    match stored {
        InviteStatus::Pending if expires_at <= secs(now) => InviteStatus::Expired,
        status => status,
    }
}

/// A stored invite with what only the server knows.
#[derive(Debug, Clone)]
pub struct StoredInvite {
    pub rowid: i64,
    pub account_rowid: i64,
    pub token: String,
    /// When the stored status last changed (superseded or accepted).
    pub status_at: Option<DateTime<Utc>>,
    pub invite: Invite,
}

const INVITE_COLUMNS: &str = "i.rowid AS rowid, i.id AS id, a.id AS account_id, i.sent_to AS sent_to,
     i.sent_at AS sent_at, i.expires_at AS expires_at, i.status AS status, i.accepted_at AS accepted_at,
     i.link_opens AS link_opens, i.dob_failures AS dob_failures, i.token AS token,
     i.account_rowid AS account_rowid, i.status_at AS status_at, i.revoked_by AS revoked_by,
     i.revoke_reason AS revoke_reason, i.revoke_ticket_id AS revoke_ticket_id";

fn read_invite(row: &Row<'_>, now: DateTime<Utc>) -> rusqlite::Result<StoredInvite> {
    let status: InviteStatus = wire(row, "status")?;
    let expires_at: i64 = row.get("expires_at")?;
    let status_at = row.get::<_, Option<i64>>("status_at")?.map(instant);
    let revoked = match (status, row.get::<_, Option<String>>("revoked_by")?) {
        (InviteStatus::Revoked, Some(by)) => Some(Box::new(Revocation {
            at: status_at.unwrap_or(DateTime::UNIX_EPOCH),
            by: StaffId::from(by),
            reason: row.get::<_, Option<String>>("revoke_reason")?.unwrap_or_default(),
            ticket_id: row.get("revoke_ticket_id")?,
        })),
        _ => None,
    };
    let token: String = row.get("token")?;
    let token_sha256 = Some(token_digest(&token));
    Ok(StoredInvite {
        rowid: row.get("rowid")?,
        account_rowid: row.get("account_rowid")?,
        token,
        status_at,
        invite: Invite {
            id: row.get("id")?,
            account_id: row.get("account_id")?,
            sent_to: Phi::new(row.get("sent_to")?),
            sent_at: instant(row.get("sent_at")?),
            expires_at: instant(expires_at),
            status: effective_status(status, expires_at, now),
            accepted_at: row.get::<_, Option<i64>>("accepted_at")?.map(instant),
            link_opens: row.get("link_opens")?,
            dob_failures: row.get("dob_failures")?,
            delivery: Vec::new(),
            revoked,
            visits: Vec::new(),
            token_sha256,
        },
    })
}

/// At most this many visits of an invite are answered: the newest, oldest
/// first. A link left open in a tab that reloads, or hammered by a scanner,
/// would otherwise grow every read of the account without bound.
pub const MAX_VISITS: u32 = 200;

/// Every invite of an account, newest first, with the delivery events that
/// have happened by `now` and the newest [`MAX_VISITS`] visits.
pub fn of_account(conn: &Connection, account_rowid: i64, now: DateTime<Utc>) -> rusqlite::Result<Vec<Invite>> {
    let mut invites: Vec<StoredInvite> = conn
        .prepare_cached(&format!(
            "SELECT {INVITE_COLUMNS} FROM invites i JOIN accounts a ON a.rowid = i.account_rowid
             WHERE i.account_rowid = ?1 ORDER BY i.rowid DESC"
        ))?
        .query_map([account_rowid], |row| read_invite(row, now))?
        .collect::<Result<_, _>>()?;
    let mut events: HashMap<i64, Vec<DeliveryEvent>> = HashMap::new();
    let mut statement = conn.prepare_cached(
        "SELECT e.invite_rowid, e.at, e.event, e.detail FROM delivery_events e
         JOIN invites i ON i.rowid = e.invite_rowid
         WHERE i.account_rowid = ?1 AND e.at <= ?2 ORDER BY e.at, e.rowid",
    )?;
    let rows = statement.query_map(params![account_rowid, secs(now)], |row| {
        Ok((
            row.get::<_, i64>("invite_rowid")?,
            DeliveryEvent { at: instant(row.get("at")?), event: wire(row, "event")?, detail: row.get("detail")? },
        ))
    })?;
    for row in rows {
        let (invite_rowid, event) = row?;
        events.entry(invite_rowid).or_default().push(event);
    }
    let mut visits: HashMap<i64, Vec<LinkVisit>> = HashMap::new();
    let mut statement = conn.prepare_cached(
        "SELECT invite_rowid, at, method, user_agent, remote, network, referrer, cookies, outcome, invalid_reason,
                typed_dob
         FROM (SELECT v.rowid AS visit_rowid, v.invite_rowid AS invite_rowid, v.at AS at, v.method AS method,
                      v.user_agent AS user_agent, v.remote AS remote, v.network AS network,
                      v.referrer AS referrer, v.cookies AS cookies, v.outcome AS outcome,
                      v.invalid_reason AS invalid_reason, v.typed_dob AS typed_dob,
                      row_number() OVER (PARTITION BY v.invite_rowid ORDER BY v.rowid DESC) AS newest
               FROM link_visits v JOIN invites i ON i.rowid = v.invite_rowid
               WHERE i.account_rowid = ?1)
         WHERE newest <= ?2 ORDER BY visit_rowid",
    )?;
    let rows = statement.query_map(params![account_rowid, MAX_VISITS], |row| {
        Ok((row.get::<_, i64>("invite_rowid")?, read_visit(row)?))
    })?;
    for row in rows {
        let (invite_rowid, visit) = row?;
        visits.entry(invite_rowid).or_default().push(visit);
    }
    for stored in &mut invites {
        stored.invite.delivery = events.remove(&stored.rowid).unwrap_or_default();
        stored.invite.visits = visits.remove(&stored.rowid).unwrap_or_default();
    }
    Ok(invites.into_iter().map(|s| s.invite).collect())
}

fn read_visit(row: &Row<'_>) -> rusqlite::Result<LinkVisit> {
    Ok(LinkVisit {
        at: instant(row.get("at")?),
        method: wire(row, "method")?,
        user_agent: row.get("user_agent")?,
        remote: Phi::new(row.get("remote")?),
        network: row.get("network")?,
        referrer: row.get::<_, Option<String>>("referrer")?.map(Phi::new),
        cookies: row.get("cookies")?,
        outcome: wire(row, "outcome")?,
        invalid_reason: wire_opt(row, "invalid_reason")?,
        typed_dob: row.get::<_, Option<String>>("typed_dob")?.map(Phi::new),
    })
}

/// Appends a visit to an invite's landing page to its visit log.
pub fn record_visit(conn: &Connection, invite_rowid: i64, visit: &LinkVisit) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO link_visits (invite_rowid, at, method, user_agent, remote, network, referrer, cookies,
                                  outcome, invalid_reason, typed_dob)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        invite_rowid,
        secs(visit.at),
        visit.method.as_str(),
        visit.user_agent,
        visit.remote.expose(),
        visit.network,
        visit.referrer.as_ref().map(|r| r.expose()),
        visit.cookies,
        visit.outcome.as_str(),
        visit.invalid_reason.map(InvalidReason::as_str),
        visit.typed_dob.as_ref().map(|t| t.expose()),
    ])?;
    Ok(())
}

/// The invite with this id.
pub fn by_id(conn: &Connection, id: &str, now: DateTime<Utc>) -> rusqlite::Result<Option<StoredInvite>> {
    conn.prepare_cached(&format!(
        "SELECT {INVITE_COLUMNS} FROM invites i JOIN accounts a ON a.rowid = i.account_rowid WHERE i.id = ?1"
    ))?
    .query_row([id], |row| read_invite(row, now))
    .optional()
}

/// Marks an invite revoked, by whom and why.
pub fn revoke(
    conn: &Connection,
    invite_rowid: i64,
    now: DateTime<Utc>,
    by: &str,
    reason: &str,
    ticket_id: Option<&TicketId>,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE invites SET status = 'revoked', status_at = ?2, revoked_by = ?3, revoke_reason = ?4,
                            revoke_ticket_id = ?5
         WHERE rowid = ?1",
        params![invite_rowid, secs(now), by, reason, ticket_id],
    )?;
    Ok(())
}

/// The invite a link token belongs to.
pub fn by_token(conn: &Connection, token: &str, now: DateTime<Utc>) -> rusqlite::Result<Option<StoredInvite>> {
    conn.prepare_cached(&format!(
        "SELECT {INVITE_COLUMNS} FROM invites i JOIN accounts a ON a.rowid = i.account_rowid WHERE i.token = ?1"
    ))?
    .query_row([token], |row| read_invite(row, now))
    .optional()
}

/// When the oldest invite of the last hour was sent, and how many there were.
pub fn sent_in_last_hour(
    conn: &Connection,
    account_rowid: i64,
    now: DateTime<Utc>,
) -> rusqlite::Result<(u32, Option<DateTime<Utc>>)> {
    let since = secs(now - Duration::hours(1));
    conn.query_row(
        "SELECT count(*), min(sent_at) FROM invites WHERE account_rowid = ?1 AND sent_at > ?2",
        params![account_rowid, since],
        |row| Ok((row.get(0)?, row.get::<_, Option<i64>>(1)?.map(instant))),
    )
}

/// A new invite to insert.
pub struct NewInvite<'a> {
    pub account_rowid: i64,
    pub role: Role,
    pub sent_to: &'a str,
    pub sent_at: DateTime<Utc>,
    pub ticket_id: Option<&'a TicketId>,
    /// Delivery events, as offsets from `sent_at`.
    pub delivery: &'a [(Duration, DeliveryEventKind, Option<&'a str>)],
    /// The address the link points at (`http://host:port`).
    pub link_base: &'a str,
}

/// Marks every pending, unexpired invite of the account superseded.
pub fn supersede_pending(conn: &Connection, account_rowid: i64, now: DateTime<Utc>) -> rusqlite::Result<usize> {
    conn.prepare_cached(
        "UPDATE invites SET status = 'superseded', status_at = ?2
         WHERE account_rowid = ?1 AND status = 'pending' AND expires_at > ?2",
    )?
    .execute(params![account_rowid, secs(now)])
}

/// Inserts an invite (expiry from the role), its delivery events and its
/// outbox message; returns its row id.
pub fn insert(conn: &Connection, new: &NewInvite<'_>, token: &str) -> rusqlite::Result<i64> {
    let expires_at = new.sent_at + new.role.invite_lifetime();
    conn.prepare_cached(
        "INSERT INTO invites (id, account_rowid, token, sent_to, sent_at, expires_at, status, ticket_id)
         VALUES ('', ?1, ?2, ?3, ?4, ?5, 'pending', ?6)",
    )?
    .execute(params![
        new.account_rowid,
        token,
        new.sent_to,
        secs(new.sent_at),
        secs(expires_at),
        new.ticket_id
    ])?;
    let rowid = conn.last_insert_rowid();
    conn.prepare_cached("UPDATE invites SET id = ?1 WHERE rowid = ?2")?
        .execute(params![format!("inv_{rowid}"), rowid])?;
    for (offset, kind, detail) in new.delivery {
        add_event(conn, rowid, new.sent_at + *offset, *kind, *detail)?;
    }
    conn.prepare_cached(
        "INSERT INTO outbox (invite_rowid, recipient, subject, link, sent_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        rowid,
        new.sent_to,
        "Your client portal invitation",
        format!("{}/invite/{token}", new.link_base),
        secs(new.sent_at)
    ])?;
    Ok(rowid)
}

/// Records a delivery event.
pub fn add_event(
    conn: &Connection,
    invite_rowid: i64,
    at: DateTime<Utc>,
    kind: DeliveryEventKind,
    detail: Option<&str>,
) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT INTO delivery_events (invite_rowid, at, event, detail) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![invite_rowid, secs(at), kind.as_str(), detail])?;
    Ok(())
}

/// Counts one opening of the invite link. Nothing else: who opened it, and
/// what the page showed, is the visit log's to keep. (An `opened` delivery
/// event is the mail service's word that the email was read; a mail
/// scanner fetching the link must not write one.)
pub fn record_open(conn: &Connection, stored: &StoredInvite) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE invites SET link_opens = link_opens + 1 WHERE rowid = ?1")?.execute([stored.rowid])?;
    Ok(())
}

/// Counts a refused DOB.
pub fn record_dob_failure(conn: &Connection, invite_rowid: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE invites SET dob_failures = dob_failures + 1 WHERE rowid = ?1")?
        .execute([invite_rowid])?;
    Ok(())
}

/// Marks the invite accepted.
pub fn accept(conn: &Connection, invite_rowid: i64, now: DateTime<Utc>) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE invites SET status = 'accepted', accepted_at = ?2, status_at = ?2 WHERE rowid = ?1")?
        .execute(params![invite_rowid, secs(now)])?;
    Ok(())
}

/// The invite a row id names, as the API shows it.
pub fn by_rowid(conn: &Connection, invite_rowid: i64, now: DateTime<Utc>) -> rusqlite::Result<Option<Invite>> {
    let account_rowid: Option<i64> = conn
        .query_row("SELECT account_rowid FROM invites WHERE rowid = ?1", [invite_rowid], |r| r.get(0))
        .optional()?;
    let Some(account_rowid) = account_rowid else {
        return Ok(None);
    };
    let id = format!("inv_{invite_rowid}");
    Ok(of_account(conn, account_rowid, now)?.into_iter().find(|i| i.id == id))
}

/// The outbox, newest first, optionally for one account.
pub fn outbox(conn: &Connection, account_id: Option<&str>, limit: u32) -> rusqlite::Result<Vec<OutboxMessage>> {
    let mut statement = conn.prepare_cached(
        "SELECT i.id, o.recipient, o.subject, o.link, o.sent_at FROM outbox o
         JOIN invites i ON i.rowid = o.invite_rowid JOIN accounts a ON a.rowid = i.account_rowid
         WHERE ?1 IS NULL OR a.id = ?1 ORDER BY o.rowid DESC LIMIT ?2",
    )?;
    let rows = statement.query_map(params![account_id, limit], |row| {
        Ok(OutboxMessage {
            invite_id: row.get("id")?,
            to: Phi::new(row.get("recipient")?),
            subject: row.get("subject")?,
            link: row.get("link")?,
            sent_at: instant(row.get("sent_at")?),
        })
    })?;
    rows.collect()
}

/// The invite in this row.
pub fn stored_by_rowid(
    conn: &Connection,
    invite_rowid: i64,
    now: DateTime<Utc>,
) -> rusqlite::Result<Option<StoredInvite>> {
    conn.prepare_cached(&format!(
        "SELECT {INVITE_COLUMNS} FROM invites i JOIN accounts a ON a.rowid = i.account_rowid WHERE i.rowid = ?1"
    ))?
    .query_row([invite_rowid], |row| read_invite(row, now))
    .optional()
}

/// Forgets every invite of an account, with its delivery events and
/// outbox mail (the seed reshaping an account's history).
pub fn forget_account_invites(conn: &Connection, account_rowid: i64) -> rusqlite::Result<()> {
    for sql in [
        "DELETE FROM delivery_events WHERE invite_rowid IN (SELECT rowid FROM invites WHERE account_rowid = ?1)",
        "DELETE FROM outbox WHERE invite_rowid IN (SELECT rowid FROM invites WHERE account_rowid = ?1)",
        "DELETE FROM invites WHERE account_rowid = ?1",
    ] {
        conn.prepare_cached(sql)?.execute([account_rowid])?;
    }
    Ok(())
}

/// Forgets that an invite was delivered (the seed's bounced mail).
pub fn forget_delivered(conn: &Connection, invite_rowid: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM delivery_events WHERE invite_rowid = ?1 AND event = 'delivered'")?
        .execute([invite_rowid])?;
    Ok(())
}

/// Ids of the latest `limit` pending invites that have not expired at `now`, newest first.
pub fn pending_unexpired_ids(conn: &Connection, now: DateTime<Utc>, limit: u32) -> rusqlite::Result<Vec<String>> {
    conn.prepare_cached(
        "SELECT id FROM invites WHERE status = 'pending' AND expires_at > ?1 ORDER BY rowid DESC LIMIT ?2",
    )?
    .query_map(params![secs(now), limit], |r| r.get(0))?
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::portal::model::{VisitMethod, VisitOutcome};

    #[test]
    fn pending_past_expiry_reads_expired() {
        let now = instant(1_000);
        assert_eq!(effective_status(InviteStatus::Pending, 1_001, now), InviteStatus::Pending);
        assert_eq!(effective_status(InviteStatus::Pending, 1_000, now), InviteStatus::Expired);
        assert_eq!(effective_status(InviteStatus::Superseded, 10, now), InviteStatus::Superseded);
        assert_eq!(effective_status(InviteStatus::Accepted, 10, now), InviteStatus::Accepted);
    }

    #[test]
    fn an_invite_answers_its_newest_200_visits_oldest_first() {
        use crate::sandbox::store::accounts::{self, NewAccount};
        let conn = Connection::open_in_memory().unwrap();
        super::super::open(&conn).unwrap();
        let t0 = instant(1_800_000_000);
        let account_rowid = accounts::insert(
            &conn,
            &NewAccount {
                id: "acc_1",
                role: Role::Client,
                first_name: "Sam",
                last_name: "Okafor",
                email: "sam@example.org",
                phone: "(555) 555-0101",
                dob: chrono::NaiveDate::from_ymd_opt(1985, 12, 21).unwrap(),
                created_at: t0,
            },
        )
        .unwrap();
        let new = |sent_at| NewInvite {
            account_rowid,
            role: Role::Client,
            sent_to: "sam@example.org",
            sent_at,
            ticket_id: None,
            delivery: &[],
            link_base: "http://127.0.0.1:1",
        };
        let busy = insert(&conn, &new(t0), "a".repeat(32).as_str()).unwrap();
        let quiet = insert(&conn, &new(t0 + Duration::hours(1)), "b".repeat(32).as_str()).unwrap();
        let visit = |n: i64| LinkVisit {
            at: t0 + Duration::seconds(n),
            method: VisitMethod::Get,
            user_agent: Some(format!("agent {n}")),
            remote: Phi::new("203.0.113.7".into()),
            network: None,
            referrer: None,
            cookies: false,
            outcome: VisitOutcome::PageShown,
            invalid_reason: None,
            typed_dob: None,
        };
        for n in 0..250 {
            record_visit(&conn, busy, &visit(n)).unwrap();
        }
        record_visit(&conn, quiet, &visit(7)).unwrap();
        let invites = of_account(&conn, account_rowid, t0 + Duration::days(1)).unwrap();
        let busy = invites.iter().find(|i| i.id == format!("inv_{busy}")).unwrap();
        assert_eq!(busy.visits.len(), MAX_VISITS as usize);
        let ats: Vec<i64> = busy.visits.iter().map(|v| (v.at - t0).num_seconds()).collect();
        assert_eq!(ats, (50..250).collect::<Vec<_>>(), "the newest 200, oldest first");
        let quiet = invites.iter().find(|i| i.id == format!("inv_{quiet}")).unwrap();
        assert_eq!(quiet.visits.len(), 1, "the cap is per invite");
    }
}
