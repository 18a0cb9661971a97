//! The audit trail: a hash chain (see [`AuditEntry`]). Appending reads the
//! last entry's hash; nothing ever updates or deletes an entry.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{instant, secs, wire};
use crate::portal::model::{AccountId, AuditAction, AuditEntry, AuditHead, GENESIS, StaffId, TicketId};

/// Adds the chain's columns to a trail made by an earlier version and
/// chains its entries, oldest first.
pub(super) fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    let chained: bool =
        conn.query_row("SELECT count(*) > 0 FROM pragma_table_info('audit') WHERE name = 'hash'", [], |r| r.get(0))?;
    if chained {
        return Ok(());
    }
    conn.execute_batch(
        "ALTER TABLE audit ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
         ALTER TABLE audit ADD COLUMN hash TEXT NOT NULL DEFAULT '';",
    )?;
    let entries = list(conn, &AuditQuery { limit: u32::MAX, ..AuditQuery::default() })?;
    let mut prev = GENESIS.to_owned();
    for mut entry in entries.into_iter().rev() {
        entry.prev_hash = prev;
        entry.hash = entry.chain_hash();
        conn.execute(
            "UPDATE audit SET prev_hash = ?1, hash = ?2 WHERE rowid = ?3",
            params![entry.prev_hash, entry.hash, entry.seq],
        )?;
        prev = entry.hash;
    }
    Ok(())
}

/// Appends to the audit trail, chained to the entry before.
pub fn record(
    conn: &Connection,
    at: DateTime<Utc>,
    actor: &str,
    action: AuditAction,
    account_id: Option<&AccountId>,
    ticket_id: Option<&TicketId>,
    summary: &str,
) -> rusqlite::Result<()> {
    let last: Option<(i64, String)> = conn
        .prepare_cached("SELECT rowid, hash FROM audit ORDER BY rowid DESC LIMIT 1")?
        .query_row([], |row| Ok((row.get("rowid")?, row.get("hash")?)))
        .optional()?;
    let (seq, prev_hash) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_owned()),
    };
    let mut entry = AuditEntry {
        seq,
        at: instant(secs(at)),
        actor: StaffId::from(actor),
        action,
        account_id: account_id.cloned(),
        ticket_id: ticket_id.cloned(),
        summary: summary.to_owned(),
        prev_hash,
        hash: String::new(),
    };
    entry.hash = entry.chain_hash();
    conn.prepare_cached(
        "INSERT INTO audit (rowid, at, actor, action, account_id, ticket_id, summary, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        entry.seq,
        secs(at),
        entry.actor,
        action.as_str(),
        entry.account_id,
        entry.ticket_id,
        entry.summary,
        entry.prev_hash,
        entry.hash
    ])?;
    Ok(())
}

/// The trail's head: its newest entry's place and hash (0 and the
/// genesis hash when it is empty).
pub fn head(conn: &Connection) -> rusqlite::Result<AuditHead> {
    let last: Option<(i64, String)> = conn
        .prepare_cached("SELECT rowid, hash FROM audit ORDER BY rowid DESC LIMIT 1")?
        .query_row([], |row| Ok((row.get("rowid")?, row.get("hash")?)))
        .optional()?;
    Ok(last.map_or_else(AuditHead::empty, |(count, hash)| AuditHead { count, hash }))
}

/// Which entries to read.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub account_id: Option<String>,
    pub ticket_id: Option<String>,
    /// Only entries made by this staff id.
    pub actor: Option<String>,
    /// Only entries at or after this instant.
    pub since: Option<DateTime<Utc>>,
    /// Only entries before this instant.
    pub until: Option<DateTime<Utc>>,
    /// Only entries before this one (`seq`), for paging back.
    pub before: Option<i64>,
    pub limit: u32,
}

/// Entries, newest first.
pub fn list(conn: &Connection, query: &AuditQuery) -> rusqlite::Result<Vec<AuditEntry>> {
    let mut statement = conn.prepare_cached(
        "SELECT rowid, at, actor, action, account_id, ticket_id, summary, prev_hash, hash FROM audit
         WHERE (?1 IS NULL OR account_id = ?1) AND (?2 IS NULL OR ticket_id = ?2) AND (?3 IS NULL OR rowid < ?3)
           AND (?5 IS NULL OR actor = ?5) AND (?6 IS NULL OR at >= ?6) AND (?7 IS NULL OR at < ?7)
         ORDER BY rowid DESC LIMIT ?4",
    )?;
    let rows = statement.query_map(
        params![
            query.account_id,
            query.ticket_id,
            query.before,
            query.limit,
            query.actor,
            query.since.map(secs),
            query.until.map(secs)
        ],
        read_entry,
    )?;
    rows.collect()
}

fn read_entry(row: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        seq: row.get("rowid")?,
        at: instant(row.get("at")?),
        actor: row.get("actor")?,
        action: wire(row, "action")?,
        account_id: row.get("account_id")?,
        ticket_id: row.get("ticket_id")?,
        summary: row.get("summary")?,
        prev_hash: row.get("prev_hash")?,
        hash: row.get("hash")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::portal::model::verify_chain;

    #[test]
    fn appended_entries_form_a_chain_and_an_old_trail_is_chained_on_open() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE audit (rowid INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT NOT NULL,
                 action TEXT NOT NULL, account_id TEXT, ticket_id TEXT, summary TEXT NOT NULL);
             INSERT INTO audit (at, actor, action, account_id, ticket_id, summary)
             VALUES (10, 'agent_chen', 'note_added', NULL, 'T-1001', 'note added'),
                    (20, 'agent_chen', 'invite_sent', 'acc_1', NULL, 'invite sent');",
        )
        .unwrap();
        super::super::open(&conn).unwrap();
        record(&conn, instant(30), "agent_sandbox", AuditAction::TicketUpdated, None, Some(&"T-1001".into()), "solved")
            .unwrap();
        let all = list(&conn, &AuditQuery { limit: 10, ..AuditQuery::default() }).unwrap();
        assert_eq!(all.iter().map(|e| e.seq).collect::<Vec<_>>(), [3, 2, 1]);
        let oldest_first: Vec<_> = all.into_iter().rev().collect();
        assert_eq!(verify_chain(&oldest_first), Ok(()));
        let page = list(&conn, &AuditQuery { before: Some(3), limit: 1, ..AuditQuery::default() }).unwrap();
        assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), [2]);
        let seqs = |query: AuditQuery| -> Vec<i64> {
            list(&conn, &AuditQuery { limit: 10, ..query }).unwrap().iter().map(|e| e.seq).collect()
        };
        assert_eq!(seqs(AuditQuery { actor: Some("agent_chen".into()), ..AuditQuery::default() }), [2, 1]);
        assert_eq!(seqs(AuditQuery { since: Some(instant(20)), ..AuditQuery::default() }), [3, 2]);
        assert_eq!(seqs(AuditQuery { until: Some(instant(20)), ..AuditQuery::default() }), [1]);
    }
}
