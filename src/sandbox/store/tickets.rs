//! Tickets and their internal notes.

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};

use super::{accounts, instant, secs, wire};
use crate::portal::model::{NoteId, Page, StaffId, Ticket, TicketChannel, TicketId, TicketNote, TicketStatus};

/// A stored ticket with its row id and version (the ETag's source).
#[derive(Debug, Clone)]
pub struct StoredTicket {
    pub rowid: i64,
    pub version: i64,
    pub ticket: Ticket,
}

impl StoredTicket {
    /// The strong ETag of this version of the ticket.
    pub fn etag(&self) -> String {
        format!("\"t{}v{}\"", self.rowid, self.version)
    }
}

/// A new ticket to insert (seed data).
pub struct NewTicket<'a> {
    pub subject: &'a str,
    pub account_rowid: i64,
    pub status: TicketStatus,
    pub channel: TicketChannel,
    pub opened_at: DateTime<Utc>,
    pub assignee: Option<&'a str>,
    /// When the first reply is due (opened plus the first-response target).
    pub due_at: DateTime<Utc>,
}

/// Inserts a ticket; returns its id.
pub fn insert(conn: &Connection, new: &NewTicket<'_>) -> rusqlite::Result<TicketId> {
    conn.prepare_cached(
        "INSERT INTO tickets (id, subject, account_rowid, status, channel, opened_at, updated_at, assignee, due_at)
         VALUES ('', ?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7)",
    )?
    .execute(params![
        new.subject,
        new.account_rowid,
        new.status.as_str(),
        new.channel.as_str(),
        secs(new.opened_at),
        new.assignee,
        secs(new.due_at)
    ])?;
    let rowid = conn.last_insert_rowid();
    let id = TicketId::new(format!("T-{}", 1000 + rowid));
    conn.prepare_cached("UPDATE tickets SET id = ?1 WHERE rowid = ?2")?.execute(params![id, rowid])?;
    Ok(id)
}

const TICKET_COLUMNS: &str = "t.rowid AS rowid, t.id AS id, t.subject AS subject, a.id AS account_id,
     t.status AS status, t.channel AS channel, t.opened_at AS opened_at, t.updated_at AS updated_at,
     t.assignee AS assignee, t.version AS version, t.account_rowid AS account_rowid,
     t.first_response_at AS first_response_at, t.due_at AS due_at";

fn read_ticket(row: &Row<'_>) -> rusqlite::Result<(StoredTicket, i64)> {
    Ok((
        StoredTicket {
            rowid: row.get("rowid")?,
            version: row.get("version")?,
            ticket: Ticket {
                id: row.get("id")?,
                subject: row.get("subject")?,
                account_id: row.get("account_id")?,
                status: wire(row, "status")?,
                channel: wire(row, "channel")?,
                opened_at: instant(row.get("opened_at")?),
                updated_at: instant(row.get("updated_at")?),
                assignee: row.get("assignee")?,
                account: None,
                first_response_at: row.get::<_, Option<i64>>("first_response_at")?.map(instant),
                due_at: row.get::<_, Option<i64>>("due_at")?.map(instant),
                viewers: Vec::new(),
            },
        },
        row.get("account_rowid")?,
    ))
}

fn with_account(
    conn: &Connection,
    (mut stored, account_rowid): (StoredTicket, i64),
    now: DateTime<Utc>,
) -> rusqlite::Result<StoredTicket> {
    stored.ticket.account = accounts::summary(conn, account_rowid, now)?;
    Ok(stored)
}

/// Which tickets to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub status: Option<TicketStatus>,
    /// Part of the ticket id or subject, or of the account's name or any of
    /// its addresses; case-insensitive.
    pub q: Option<String>,
    /// `Some(None)`: unclaimed only; `Some(Some(id))`: claimed by `id`.
    pub assignee: Option<Option<String>>,
    /// Only the tickets of this account (by its id).
    pub account_id: Option<String>,
    /// Only tickets after this one in the queue's order.
    pub after: Option<Cursor>,
    pub limit: u32,
}

/// A place in the queue's order (opened, then row id): a cursor. The order
/// is stable, since a ticket's opening time never changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub opened_at: i64,
    pub rowid: i64,
}

impl Cursor {
    /// The cursor as sent: `OPENED.ROWID`.
    pub fn text(self) -> String {
        format!("{}.{}", self.opened_at, self.rowid)
    }

    /// Reads a cursor this server gave; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        let (opened_at, rowid) = text.split_once('.')?;
        let digits = |t: &str| !t.is_empty() && t.len() <= 18 && t.bytes().all(|b| b.is_ascii_digit());
        if !digits(opened_at) || !digits(rowid) {
            return None;
        }
        Some(Self { opened_at: opened_at.parse().ok()?, rowid: rowid.parse().ok()? })
    }
}

/// One page of the queue, oldest first (ties by row id).
pub fn list(conn: &Connection, filter: &Filter, now: DateTime<Utc>) -> rusqlite::Result<Page<Ticket>> {
    let mut clauses: Vec<String> = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    if let Some(status) = filter.status {
        clauses.push("t.status = ?".into());
        args.push(Value::Text(status.as_str().into()));
    }
    match &filter.assignee {
        None => {}
        Some(None) => clauses.push("t.assignee IS NULL".into()),
        Some(Some(id)) => {
            clauses.push("t.assignee = ?".into());
            args.push(Value::Text(id.clone()));
        }
    }
    if let Some(account_id) = &filter.account_id {
        clauses.push("a.id = ?".into());
        args.push(Value::Text(account_id.clone()));
    }
    if let Some(q) = &filter.q {
        let pattern = format!("%{}%", accounts::escape_like(&q.to_lowercase()));
        clauses.push(
            "(lower(t.id) LIKE ? ESCAPE '\\' OR lower(t.subject) LIKE ? ESCAPE '\\'
              OR lower(a.first_name || ' ' || a.last_name) LIKE ? ESCAPE '\\'
              OR EXISTS (SELECT 1 FROM account_emails e WHERE e.account_rowid = a.rowid
                         AND lower(e.address) LIKE ? ESCAPE '\\'))"
                .into(),
        );
        args.extend(std::iter::repeat_n(Value::Text(pattern), 4));
    }
    if let Some(after) = filter.after {
        clauses.push("(t.opened_at, t.rowid) > (?, ?)".into());
        args.push(Value::Integer(after.opened_at));
        args.push(Value::Integer(after.rowid));
    }
    let mut sql = format!("SELECT {TICKET_COLUMNS} FROM tickets t JOIN accounts a ON a.rowid = t.account_rowid");
    if !clauses.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&clauses.join(" AND "));
    }
    sql.push_str(" ORDER BY t.opened_at, t.rowid LIMIT ?");
    args.push(Value::Integer(i64::from(filter.limit) + 1));
    let mut rows: Vec<(StoredTicket, i64)> =
        conn.prepare_cached(&sql)?.query_map(params_from_iter(args), read_ticket)?.collect::<Result<_, _>>()?;
    let more = rows.len() > filter.limit as usize;
    rows.truncate(filter.limit as usize);
    let next_cursor = if more {
        rows.last().map(|(s, _)| Cursor { opened_at: secs(s.ticket.opened_at), rowid: s.rowid }.text())
    } else {
        None
    };
    let items = rows.into_iter().map(|row| with_account(conn, row, now).map(|s| s.ticket)).collect::<Result<_, _>>()?;
    Ok(Page::new(items, next_cursor))
}

/// The ticket with this id.
pub fn by_id(conn: &Connection, id: &str, now: DateTime<Utc>) -> rusqlite::Result<Option<StoredTicket>> {
    let row = conn
        .prepare_cached(&format!(
            "SELECT {TICKET_COLUMNS} FROM tickets t JOIN accounts a ON a.rowid = t.account_rowid WHERE t.id = ?1"
        ))?
        .query_row([id], read_ticket)
        .optional()?;
    row.map(|row| with_account(conn, row, now)).transpose()
}

/// Writes a ticket's status and assignee and bumps its version.
pub fn update(
    conn: &Connection,
    rowid: i64,
    status: TicketStatus,
    assignee: Option<&str>,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE tickets SET status = ?1, assignee = ?2, updated_at = ?3, version = version + 1 WHERE rowid = ?4",
        params![status.as_str(), assignee, secs(now), rowid],
    )?;
    Ok(())
}

/// A reply went out: the ticket takes `status`, its first response is
/// now unless it had one, and its version moves on.
pub fn replied(conn: &Connection, rowid: i64, status: TicketStatus, now: DateTime<Utc>) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE tickets SET status = ?1, updated_at = ?2, first_response_at = coalesce(first_response_at, ?2),
         version = version + 1 WHERE rowid = ?3",
        params![status.as_str(), secs(now), rowid],
    )?;
    Ok(())
}

/// Adds an internal note; returns it.
pub fn add_note(
    conn: &Connection,
    ticket: &StoredTicket,
    author: &str,
    body: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<TicketNote> {
    conn.execute(
        "INSERT INTO notes (ticket_rowid, author, body, at) VALUES (?1, ?2, ?3, ?4)",
        params![ticket.rowid, author, body, secs(now)],
    )?;
    conn.execute("UPDATE tickets SET updated_at = ?1 WHERE rowid = ?2", params![secs(now), ticket.rowid])?;
    Ok(TicketNote {
        id: NoteId::new(format!("note_{}", conn.last_insert_rowid())),
        ticket_id: ticket.ticket.id.clone(),
        author: StaffId::from(author),
        body: body.to_owned(),
        at: now,
    })
}

/// The notes of a ticket, oldest first.
pub fn notes(conn: &Connection, ticket: &StoredTicket) -> rusqlite::Result<Vec<TicketNote>> {
    let mut statement =
        conn.prepare_cached("SELECT rowid, author, body, at FROM notes WHERE ticket_rowid = ?1 ORDER BY rowid")?;
    let rows = statement.query_map([ticket.rowid], |row| {
        Ok(TicketNote {
            id: NoteId::new(format!("note_{}", row.get::<_, i64>("rowid")?)),
            ticket_id: ticket.ticket.id.clone(),
            author: row.get("author")?,
            body: row.get("body")?,
            at: instant(row.get("at")?),
        })
    })?;
    rows.collect()
}

/// The account a ticket is about (its row id).
pub fn account_rowid(conn: &Connection, rowid: i64) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT account_rowid FROM tickets WHERE rowid = ?1")?.query_row([rowid], |r| r.get(0))
}

/// The row id of the ticket with this id.
pub fn rowid_of(conn: &Connection, id: &TicketId) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT rowid FROM tickets WHERE id = ?1")?.query_row([id], |r| r.get(0))
}

/// Sets when a ticket was first answered (seed data).
pub fn set_first_response(conn: &Connection, rowid: i64, at: DateTime<Utc>) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE tickets SET first_response_at = ?1 WHERE rowid = ?2")?
        .execute(params![secs(at), rowid])?;
    Ok(())
}

/// What the seed needs of a ticket to give it a conversation.
#[derive(Debug, Clone)]
pub struct SeedRow {
    pub rowid: i64,
    pub id: TicketId,
    pub account_rowid: i64,
    pub opened_at: DateTime<Utc>,
    pub channel: TicketChannel,
}

/// Every ticket, oldest row first, as the seed reads them back.
pub fn seed_rows(conn: &Connection) -> rusqlite::Result<Vec<SeedRow>> {
    let mut statement =
        conn.prepare_cached("SELECT rowid, id, account_rowid, opened_at, channel FROM tickets ORDER BY rowid")?;
    let rows = statement.query_map([], |row| {
        Ok(SeedRow {
            rowid: row.get("rowid")?,
            id: TicketId::new(row.get::<_, String>("id")?),
            account_rowid: row.get("account_rowid")?,
            opened_at: instant(row.get("opened_at")?),
            channel: wire(row, "channel")?,
        })
    })?;
    rows.collect()
}

/// Ids of the first `limit` open tickets nobody has claimed, oldest row first.
pub fn unclaimed_open_ids(conn: &Connection, limit: u32) -> rusqlite::Result<Vec<String>> {
    conn.prepare_cached("SELECT id FROM tickets WHERE status = 'open' AND assignee IS NULL ORDER BY rowid LIMIT ?1")?
        .query_map([limit], |r| r.get(0))?
        .collect()
}

/// Ids of the first `limit` unsolved tickets `assignee` holds, oldest row first.
pub fn unsolved_ids_of(conn: &Connection, assignee: &str, limit: u32) -> rusqlite::Result<Vec<String>> {
    conn.prepare_cached("SELECT id FROM tickets WHERE status != 'solved' AND assignee = ?1 ORDER BY rowid LIMIT ?2")?
        .query_map(params![assignee, limit], |r| r.get(0))?
        .collect()
}

/// Ids of the first `limit` unsolved tickets, oldest row first.
pub fn unsolved_ids(conn: &Connection, limit: u32) -> rusqlite::Result<Vec<String>> {
    conn.prepare_cached("SELECT id FROM tickets WHERE status != 'solved' ORDER BY rowid LIMIT ?1")?
        .query_map([limit], |r| r.get(0))?
        .collect()
}
