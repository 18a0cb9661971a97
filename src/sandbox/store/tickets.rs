//! Tickets and their internal notes.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{accounts, instant, secs, wire};
use crate::portal::model::{NoteId, Ticket, TicketChannel, TicketId, TicketNote, TicketStatus};

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
}

/// Inserts a ticket; returns its id.
pub fn insert(conn: &Connection, new: &NewTicket<'_>) -> rusqlite::Result<TicketId> {
    conn.prepare_cached(
        "INSERT INTO tickets (id, subject, account_rowid, status, channel, opened_at, updated_at, assignee)
         VALUES ('', ?1, ?2, ?3, ?4, ?5, ?5, ?6)",
    )?
    .execute(params![
        new.subject,
        new.account_rowid,
        new.status.as_str(),
        new.channel.as_str(),
        secs(new.opened_at),
        new.assignee
    ])?;
    let rowid = conn.last_insert_rowid();
    let id = TicketId::new(format!("T-{}", 1000 + rowid));
    conn.prepare_cached("UPDATE tickets SET id = ?1 WHERE rowid = ?2")?.execute(params![id, rowid])?;
    Ok(id)
}

const TICKET_COLUMNS: &str = "t.rowid AS rowid, t.id AS id, t.subject AS subject, a.id AS account_id,
     t.status AS status, t.channel AS channel, t.opened_at AS opened_at, t.updated_at AS updated_at,
     t.assignee AS assignee, t.version AS version, t.account_rowid AS account_rowid";

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

/// Tickets, oldest first, optionally of one status.
pub fn list(conn: &Connection, status: Option<TicketStatus>, now: DateTime<Utc>) -> rusqlite::Result<Vec<Ticket>> {
    let rows: Vec<(StoredTicket, i64)> = conn
        .prepare_cached(&format!(
            "SELECT {TICKET_COLUMNS} FROM tickets t JOIN accounts a ON a.rowid = t.account_rowid
             WHERE ?1 IS NULL OR t.status = ?1 ORDER BY t.opened_at, t.rowid"
        ))?
        .query_map([status.map(TicketStatus::as_str)], read_ticket)?
        .collect::<Result<_, _>>()?;
    rows.into_iter().map(|row| with_account(conn, row, now).map(|s| s.ticket)).collect()
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
        author: author.to_owned(),
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
