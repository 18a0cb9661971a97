//! A ticket's conversation: the public messages (what the client wrote and
//! the help desk's replies) and, merged in, the internal notes, which stay
//! in their own table (`notes`, one source of truth for them). Replies are
//! also kept in the reply outbox, once each.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, Row, params};

use super::tickets::StoredTicket;
use super::{instant, secs, wire};
use crate::phi::Phi;
use crate::portal::model::{AuthorKind, MessageAuthor, MessageId, OutboxReply, TicketChannel, TicketId, TicketMessage};
use crate::sandbox::rules;

/// The conversation's tables, and the columns tickets and notes gained for
/// it (added to a database made by an earlier version).
pub fn create(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS messages (
             rowid INTEGER PRIMARY KEY,
             ticket_rowid INTEGER NOT NULL REFERENCES tickets(rowid),
             at INTEGER NOT NULL,
             author_kind TEXT NOT NULL,
             author_id TEXT NOT NULL,
             author_name TEXT NOT NULL,
             channel TEXT NOT NULL,
             body TEXT NOT NULL
         );
         CREATE INDEX IF NOT EXISTS messages_by_ticket ON messages(ticket_rowid, at);
         CREATE INDEX IF NOT EXISTS notes_by_ticket ON notes(ticket_rowid);
         CREATE TABLE IF NOT EXISTS reply_outbox (
             rowid INTEGER PRIMARY KEY,
             message_rowid INTEGER NOT NULL UNIQUE REFERENCES messages(rowid),
             recipient TEXT NOT NULL,
             subject TEXT NOT NULL,
             sent_at INTEGER NOT NULL
         );",
    )?;
    let has = |table: &str, column: &str| -> rusqlite::Result<bool> {
        conn.query_row("SELECT count(*) > 0 FROM pragma_table_info(?1) WHERE name = ?2", params![table, column], |r| {
            r.get(0)
        })
    };
    if !has("notes", "channel")? {
        conn.execute_batch("ALTER TABLE notes ADD COLUMN channel TEXT NOT NULL DEFAULT 'portal';")?;
    }
    if !has("tickets", "first_response_at")? {
        conn.execute_batch("ALTER TABLE tickets ADD COLUMN first_response_at INTEGER;")?;
    }
    if !has("tickets", "due_at")? {
        conn.execute_batch("ALTER TABLE tickets ADD COLUMN due_at INTEGER;")?;
        conn.execute(
            "UPDATE tickets SET due_at = opened_at + ?1 WHERE due_at IS NULL",
            [rules::FIRST_RESPONSE_TARGET.num_seconds()],
        )?;
    }
    Ok(())
}

/// A public message to add to a conversation.
pub struct NewMessage<'a> {
    pub ticket_rowid: i64,
    pub at: DateTime<Utc>,
    pub kind: AuthorKind,
    pub author_id: &'a str,
    pub author_name: &'a str,
    pub channel: TicketChannel,
    pub body: &'a str,
}

/// Adds a public message; returns its row id.
pub fn insert(conn: &Connection, new: &NewMessage<'_>) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO messages (ticket_rowid, at, author_kind, author_id, author_name, channel, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        new.ticket_rowid,
        secs(new.at),
        new.kind.as_str(),
        new.author_id,
        new.author_name,
        new.channel.as_str(),
        new.body
    ])?;
    Ok(conn.last_insert_rowid())
}

/// Whether a staff reply with exactly `body` went to the ticket at or
/// after `since`.
pub fn replied_same_since(
    conn: &Connection,
    ticket_rowid: i64,
    body: &str,
    since: DateTime<Utc>,
) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT count(*) > 0 FROM messages
         WHERE ticket_rowid = ?1 AND author_kind = 'staff' AND at >= ?2 AND body = ?3",
    )?
    .query_row(params![ticket_rowid, secs(since), body], |r| r.get(0))
}

/// Adds an internal note written by staff `author` over `channel` (seed
/// data: a phone call's note).
pub fn insert_note(
    conn: &Connection,
    ticket_rowid: i64,
    author: &str,
    channel: TicketChannel,
    body: &str,
    at: DateTime<Utc>,
) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT INTO notes (ticket_rowid, author, body, at, channel) VALUES (?1, ?2, ?3, ?4, ?5)")?
        .execute(params![ticket_rowid, author, body, secs(at), channel.as_str()])?;
    Ok(())
}

/// Keeps the email of a reply in the reply outbox.
pub fn send_reply(
    conn: &Connection,
    message_rowid: i64,
    recipient: &str,
    subject: &str,
    at: DateTime<Utc>,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO reply_outbox (message_rowid, recipient, subject, sent_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![message_rowid, recipient, subject, secs(at)])?;
    Ok(())
}

fn read_message(row: &Row<'_>, ticket_id: &TicketId) -> rusqlite::Result<TicketMessage> {
    let kind: AuthorKind = wire(row, "author_kind")?;
    let author_id: String = row.get("author_id")?;
    let name = match row.get::<_, Option<String>>("author_name")? {
        Some(name) => name,
        None => rules::staff_name(&author_id).to_owned(),
    };
    Ok(TicketMessage {
        id: row.get("id")?,
        ticket_id: ticket_id.clone(),
        at: instant(row.get("at")?),
        author: MessageAuthor { kind, id: author_id, name: Phi::new(name) },
        visibility: wire(row, "visibility")?,
        channel: wire(row, "channel")?,
        body: Phi::new(row.get("body")?),
    })
}

/// The conversation of a ticket, oldest first: public messages and internal
/// notes (`internal`), a message before a note written the same second.
pub fn conversation(conn: &Connection, ticket: &StoredTicket) -> rusqlite::Result<Vec<TicketMessage>> {
    let mut statement = conn.prepare_cached(
        "SELECT 'msg_' || rowid AS id, at, author_kind, author_id, author_name, 'public' AS visibility,
                channel, body, 0 AS source, rowid AS n
         FROM messages WHERE ticket_rowid = ?1
         UNION ALL
         SELECT 'note_' || rowid, at, 'staff', author, NULL, 'internal', channel, body, 1, rowid
         FROM notes WHERE ticket_rowid = ?1
         ORDER BY at, source, n",
    )?;
    let rows = statement.query_map([ticket.rowid], |row| read_message(row, &ticket.ticket.id))?;
    rows.collect()
}

/// One message of a ticket's conversation, by row id.
pub fn message(conn: &Connection, ticket: &StoredTicket, rowid: i64) -> rusqlite::Result<TicketMessage> {
    conn.prepare_cached(
        "SELECT 'msg_' || rowid AS id, at, author_kind, author_id, author_name, 'public' AS visibility,
                channel, body
         FROM messages WHERE rowid = ?1",
    )?
    .query_row([rowid], |row| read_message(row, &ticket.ticket.id))
}

/// The reply outbox, newest first, optionally of one ticket or account.
pub fn reply_outbox(
    conn: &Connection,
    ticket_id: Option<&str>,
    account_id: Option<&str>,
    limit: u32,
) -> rusqlite::Result<Vec<OutboxReply>> {
    let mut statement = conn.prepare_cached(
        "SELECT m.rowid AS message_rowid, t.id AS ticket_id, a.id AS account_id, o.recipient, o.subject,
                m.body, o.sent_at
         FROM reply_outbox o JOIN messages m ON m.rowid = o.message_rowid
         JOIN tickets t ON t.rowid = m.ticket_rowid JOIN accounts a ON a.rowid = t.account_rowid
         WHERE (?1 IS NULL OR t.id = ?1) AND (?2 IS NULL OR a.id = ?2)
         ORDER BY o.rowid DESC LIMIT ?3",
    )?;
    let rows = statement.query_map(params![ticket_id, account_id, limit], |row| {
        Ok(OutboxReply {
            message_id: MessageId::new(format!("msg_{}", row.get::<_, i64>("message_rowid")?)),
            ticket_id: row.get("ticket_id")?,
            account_id: row.get("account_id")?,
            to: Phi::new(row.get("recipient")?),
            subject: row.get("subject")?,
            body: Phi::new(row.get("body")?),
            sent_at: instant(row.get("sent_at")?),
        })
    })?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_from_before_conversations_is_brought_up_to_date() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE tickets (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, subject TEXT NOT NULL,
                 account_rowid INTEGER NOT NULL, status TEXT NOT NULL, channel TEXT NOT NULL,
                 opened_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, assignee TEXT,
                 version INTEGER NOT NULL DEFAULT 1);
             CREATE TABLE notes (rowid INTEGER PRIMARY KEY, ticket_rowid INTEGER NOT NULL,
                 author TEXT NOT NULL, body TEXT NOT NULL, at INTEGER NOT NULL);
             INSERT INTO tickets VALUES (1, 'T-1001', 's', 1, 'open', 'email', 1000, 1000, NULL, 1);
             INSERT INTO notes VALUES (1, 1, 'agent_chen', 'called', 1001);",
        )
        .unwrap();
        create(&conn).unwrap();
        create(&conn).unwrap();
        let (due, channel): (i64, String) = conn
            .query_row("SELECT t.due_at, n.channel FROM tickets t, notes n", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        assert_eq!((due, channel.as_str()), (1000 + 4 * 3600, "portal"));
    }
}
