//! The sandbox's SQLite database: schema, time and audit helpers, and the
//! idempotency record. One connection behind a mutex serialises every
//! request, so each mutation is one transaction with nothing interleaved.

pub mod accounts;
pub mod audit;
pub mod events;
pub mod grams;
pub mod invites;
pub mod messages;
pub mod tickets;

use std::str::FromStr;

use chrono::{DateTime, Utc};
use rusqlite::config::DbConfig;
use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row, params};

pub use self::audit::record as record_audit;
use crate::portal::model::{AccountId, InviteId, MessageId, NoteId, StaffId, TicketId};

/// Ids are TEXT columns, read and written as their string: the store
/// converts at its edge, and its own lookups take `&str`.
macro_rules! text_column {
    ($($id:ty),*) => {$(
        impl rusqlite::types::ToSql for $id {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(rusqlite::types::ToSqlOutput::from(self.as_str()))
            }
        }

        impl rusqlite::types::FromSql for $id {
            fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                String::column_result(value).map(Self::from)
            }
        }
    )*};
}

text_column!(AccountId, InviteId, TicketId, NoteId, MessageId, StaffId);

/// The schema. Times are whole seconds since the Unix epoch, UTC.
const SCHEMA: &str = "
PRAGMA foreign_keys = ON;
CREATE TABLE IF NOT EXISTS accounts (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT NOT NULL,
    dob TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS account_emails (
    rowid INTEGER PRIMARY KEY,
    account_rowid INTEGER NOT NULL REFERENCES accounts(rowid),
    address TEXT NOT NULL,
    is_default INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS account_emails_by_account ON account_emails(account_rowid);
CREATE VIRTUAL TABLE IF NOT EXISTS accounts_fts USING fts5(
    id, first_name, last_name, email, phone, phone_digits,
    content = '', contentless_delete = 1, tokenize = 'trigram'
);
INSERT INTO accounts_fts (accounts_fts, rank) VALUES ('hashsize', 16777216);
CREATE TABLE IF NOT EXISTS invites (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    account_rowid INTEGER NOT NULL REFERENCES accounts(rowid),
    token TEXT NOT NULL UNIQUE,
    sent_to TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    status TEXT NOT NULL,
    status_at INTEGER,
    accepted_at INTEGER,
    link_opens INTEGER NOT NULL DEFAULT 0,
    dob_failures INTEGER NOT NULL DEFAULT 0,
    ticket_id TEXT,
    revoked_by TEXT,
    revoke_reason TEXT,
    revoke_ticket_id TEXT
);
CREATE INDEX IF NOT EXISTS invites_by_account ON invites(account_rowid, rowid);
CREATE TABLE IF NOT EXISTS delivery_events (
    invite_rowid INTEGER NOT NULL REFERENCES invites(rowid),
    at INTEGER NOT NULL,
    event TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX IF NOT EXISTS delivery_by_invite ON delivery_events(invite_rowid, at);
CREATE TABLE IF NOT EXISTS link_visits (
    rowid INTEGER PRIMARY KEY,
    invite_rowid INTEGER NOT NULL REFERENCES invites(rowid),
    at INTEGER NOT NULL,
    method TEXT NOT NULL,
    user_agent TEXT,
    remote TEXT NOT NULL,
    network TEXT,
    referrer TEXT,
    cookies INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    invalid_reason TEXT,
    typed_dob TEXT
);
CREATE INDEX IF NOT EXISTS visits_by_invite ON link_visits(invite_rowid, rowid);
CREATE TABLE IF NOT EXISTS outbox (
    rowid INTEGER PRIMARY KEY,
    invite_rowid INTEGER NOT NULL REFERENCES invites(rowid),
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    link TEXT NOT NULL,
    sent_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS tickets (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    subject TEXT NOT NULL,
    account_rowid INTEGER NOT NULL REFERENCES accounts(rowid),
    status TEXT NOT NULL,
    channel TEXT NOT NULL,
    opened_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    assignee TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    first_response_at INTEGER,
    due_at INTEGER
);
CREATE TABLE IF NOT EXISTS notes (
    rowid INTEGER PRIMARY KEY,
    ticket_rowid INTEGER NOT NULL REFERENCES tickets(rowid),
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    at INTEGER NOT NULL,
    channel TEXT NOT NULL DEFAULT 'portal'
);
CREATE TABLE IF NOT EXISTS audit (
    rowid INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    account_id TEXT,
    ticket_id TEXT,
    summary TEXT NOT NULL,
    prev_hash TEXT NOT NULL DEFAULT '',
    hash TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS audit_by_account ON audit(account_id, rowid);
CREATE TABLE IF NOT EXISTS idempotency (
    actor TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    etag TEXT,
    location TEXT,
    body TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (actor, key)
);
";

/// The journal and sync settings of a sandbox database: write-ahead
/// logging where the database can have it (an in-memory one cannot, and
/// keeps its own), and NORMAL sync.
pub fn tune(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL").ok();
    conn.pragma_update(None, "synchronous", "NORMAL")
}

/// Opens (and creates) the schema on a connection, bringing a database
/// made by an earlier version up to date (revoke columns, every account's
/// address in `account_emails`).
pub fn open(conn: &Connection) -> rusqlite::Result<()> {
    // Every statement is prepared once and cached; the default cache (16)
    // is smaller than the number of distinct statements seeding runs.
    conn.set_prepared_statement_cache_capacity(64);
    // Plan each statement once. Without the query planner stability
    // guarantee, SQLite (built with STAT4) re-prepares a cached statement
    // whenever a new value is bound to a parameter the plan might depend
    // on: a third of seeding went to parsing the same SELECTs again.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    conn.execute_batch(SCHEMA)?;
    let has_revoke: bool =
        conn.query_row("SELECT count(*) > 0 FROM pragma_table_info('invites') WHERE name = 'revoked_by'", [], |r| {
            r.get(0)
        })?;
    if !has_revoke {
        conn.execute_batch(
            "ALTER TABLE invites ADD COLUMN revoked_by TEXT;
             ALTER TABLE invites ADD COLUMN revoke_reason TEXT;
             ALTER TABLE invites ADD COLUMN revoke_ticket_id TEXT;",
        )?;
    }
    // The DOB a refused visitor typed (staff API only), since the
    // contract reports it.
    let has_typed: bool = conn.query_row(
        "SELECT count(*) > 0 FROM pragma_table_info('link_visits') WHERE name = 'typed_dob'",
        [],
        |r| r.get(0),
    )?;
    if !has_typed {
        conn.execute_batch("ALTER TABLE link_visits ADD COLUMN typed_dob TEXT;")?;
    }
    conn.execute(
        "INSERT INTO account_emails (account_rowid, address, is_default)
         SELECT rowid, email, 1 FROM accounts a
         WHERE NOT EXISTS (SELECT 1 FROM account_emails e WHERE e.account_rowid = a.rowid)",
        [],
    )?;
    audit::migrate(conn)?;
    messages::create(conn)?;
    events::create(conn)?;
    grams::create(conn)?;
    // How far the search indexes go (see `accounts::index_pending`): a
    // database made before this table existed had every row indexed.
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS search_index (through INTEGER NOT NULL);
         INSERT INTO search_index (through)
         SELECT COALESCE(max(rowid), 0) FROM accounts WHERE NOT EXISTS (SELECT 1 FROM search_index);",
    )
}

/// Seconds since the epoch.
pub fn secs(at: DateTime<Utc>) -> i64 {
    at.timestamp()
}

/// The instant of a stored time. Stored times are always in range; an
/// impossible one reads as the epoch rather than failing the request.
pub fn instant(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or(DateTime::UNIX_EPOCH)
}

/// A stored value this version does not know (a corrupt row). It names the
/// column only: the value may be PHI.
#[derive(Debug, thiserror::Error)]
#[error("unknown value in column {column}")]
pub struct UnknownValue {
    pub column: String,
}

impl UnknownValue {
    /// The column named by `error`, when it is an unknown stored value.
    pub fn column_of(error: &rusqlite::Error) -> Option<&str> {
        match error {
            rusqlite::Error::FromSqlConversionFailure(_, _, inner) => {
                inner.downcast_ref::<UnknownValue>().map(|u| u.column.as_str())
            }
            _ => None,
        }
    }
}

/// The wire enum stored by name in `column`: a name it does not know is an
/// error (naming the column), never a guess.
pub fn wire<T: FromStr>(row: &Row<'_>, column: &str) -> rusqlite::Result<T> {
    wire_opt(row, column)?.ok_or_else(|| unknown(row, column))
}

/// Like [`wire`], for a nullable column.
pub fn wire_opt<T: FromStr>(row: &Row<'_>, column: &str) -> rusqlite::Result<Option<T>> {
    match row.get::<_, Option<String>>(column)? {
        None => Ok(None),
        Some(text) => text.parse().map(Some).map_err(|_| unknown(row, column)),
    }
}

fn unknown(row: &Row<'_>, column: &str) -> rusqlite::Error {
    let index = row.as_ref().column_index(column).unwrap_or_default();
    rusqlite::Error::FromSqlConversionFailure(index, Type::Text, Box::new(UnknownValue { column: column.to_owned() }))
}

/// A stored answer to a mutation made with an Idempotency-Key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    pub fingerprint: String,
    pub status: u16,
    pub etag: Option<String>,
    pub location: Option<String>,
    pub body: String,
}

/// The answer first given for `key`, if any.
pub fn idempotent_answer(conn: &Connection, actor: &str, key: &str) -> rusqlite::Result<Option<StoredAnswer>> {
    conn.prepare_cached(
        "SELECT fingerprint, status, etag, location, body FROM idempotency WHERE actor = ?1 AND key = ?2",
    )?
    .query_row(params![actor, key], |row| {
        Ok(StoredAnswer {
            fingerprint: row.get(0)?,
            status: row.get(1)?,
            etag: row.get(2)?,
            location: row.get(3)?,
            body: row.get(4)?,
        })
    })
    .optional()
}

/// Keeps the answer given for `key` so a retry replays it.
pub fn remember_answer(
    conn: &Connection,
    actor: &str,
    key: &str,
    answer: &StoredAnswer,
    at: DateTime<Utc>,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO idempotency (actor, key, fingerprint, status, etag, location, body, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        actor,
        key,
        answer.fingerprint,
        answer.status,
        answer.etag,
        answer.location,
        answer.body,
        secs(at)
    ])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What marks SQL, or a call that runs it, in a source line.
    const SQL_MARKS: &[&str] = &[
        "\"SELECT",
        "\"INSERT",
        "\"UPDATE",
        "\"DELETE",
        "\"CREATE",
        "\"PRAGMA",
        "execute(",
        "prepare",
        "execute_batch",
        "query_row",
        "query_map",
        "pragma_",
    ];

    /// The lines of `.rs` files under `dir` (skipping `skip`) that hold SQL.
    fn sql_lines(dir: &std::path::Path, skip: &std::path::Path, found: &mut Vec<String>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for path in entries {
            if path == skip {
                continue;
            }
            if path.is_dir() {
                sql_lines(&path, skip, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for (n, line) in text.lines().enumerate() {
                    if SQL_MARKS.iter().any(|mark| line.contains(mark)) {
                        found.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                    }
                }
            }
        }
    }

    #[test]
    fn sql_lives_only_in_the_store() {
        let sandbox = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sandbox");
        let store = sandbox.join("store");
        assert!(store.join("mod.rs").is_file(), "the store is at {}", store.display());
        let mut found = Vec::new();
        sql_lines(&sandbox, &store, &mut found);
        assert!(found.is_empty(), "SQL outside src/sandbox/store:\n{}", found.join("\n"));
        // The check itself finds SQL where there is some.
        let mut in_store = Vec::new();
        sql_lines(&store, std::path::Path::new(""), &mut in_store);
        assert!(in_store.iter().any(|l| l.contains("tickets.rs")), "the check finds nothing at all");
    }

    #[test]
    fn statements_are_planned_once() {
        let conn = Connection::open_in_memory().unwrap();
        open(&conn).unwrap();
        assert!(conn.db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG).unwrap());
    }

    #[test]
    fn a_database_from_before_addresses_and_revokes_is_brought_up_to_date() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE accounts (
                 rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, role TEXT NOT NULL,
                 first_name TEXT NOT NULL, last_name TEXT NOT NULL, email TEXT NOT NULL,
                 phone TEXT NOT NULL, dob TEXT NOT NULL, created_at INTEGER NOT NULL,
                 updated_at INTEGER NOT NULL, version INTEGER NOT NULL DEFAULT 1);
             CREATE TABLE invites (
                 rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, account_rowid INTEGER NOT NULL,
                 token TEXT NOT NULL UNIQUE, sent_to TEXT NOT NULL, sent_at INTEGER NOT NULL,
                 expires_at INTEGER NOT NULL, status TEXT NOT NULL, status_at INTEGER,
                 accepted_at INTEGER, link_opens INTEGER NOT NULL DEFAULT 0,
                 dob_failures INTEGER NOT NULL DEFAULT 0, ticket_id TEXT);
             INSERT INTO accounts VALUES (1, 'acc_1', 'client', 'A', 'B', 'a@b.co', '1', '1980-01-01', 0, 0, 1);",
        )
        .unwrap();
        open(&conn).unwrap();
        // Twice is harmless.
        open(&conn).unwrap();
        let stored = accounts::by_id(&conn, "acc_1").unwrap().unwrap();
        assert_eq!(stored.account.emails.len(), 1);
        assert!(stored.account.emails[0].is_default);
        let columns: i64 = conn
            .query_row(
                "SELECT count(*) FROM pragma_table_info('invites')
                 WHERE name IN ('revoked_by', 'revoke_reason', 'revoke_ticket_id')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(columns, 3);
    }
}
