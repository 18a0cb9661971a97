//! The event log behind `GET /api/v1/events`, and who is on which ticket.
//!
//! An event is appended in the same transaction as the change it tells of,
//! so a stream never shows a change that was rolled back, nor misses one
//! that was made. Changes that happen by the passing of time (a delivery
//! the mail system reports later, an invite's expiry, a presence that
//! lapses) are announced by [`catch_up`], run on every tick of the sandbox
//! and on every move of its clock: it announces what became due in the
//! interval since it last ran, once each.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{instant, secs, wire};
use crate::portal::model::{
    AccountId, EventId, EventType, InviteId, PortalEvent, PresenceMode, StaffId, Ticket, Viewer,
};

/// The events' and presence's tables.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    type TEXT NOT NULL,
    at INTEGER NOT NULL,
    ticket_id TEXT,
    account_id TEXT,
    invite_id TEXT,
    actor TEXT,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS event_log (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    announced_through INTEGER,
    pruned_through INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS presence (
    ticket_id TEXT NOT NULL,
    staff_id TEXT NOT NULL,
    mode TEXT NOT NULL,
    since INTEGER NOT NULL,
    seen INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, staff_id)
);
";

/// A presence is gone this long after its last heartbeat.
pub const PRESENCE_LAPSE: Duration = Duration::seconds(45);

/// How much of the log a resume can reach: an event is kept while it is
/// younger than `max_age` or among the newest `max_events`, whichever
/// keeps more. Older than that, a resume gets `reset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub max_age: Duration,
    pub max_events: u64,
}

impl Default for Window {
    fn default() -> Self {
        Self { max_age: Duration::hours(24), max_events: 100_000 }
    }
}

/// Creates the tables. The first [`catch_up`] starts the interval it
/// announces, so what happened before (the seed) is not announced.
pub fn create(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(SCHEMA)?;
    conn.execute("INSERT OR IGNORE INTO event_log (one, announced_through, pruned_through) VALUES (1, NULL, 0)", [])?;
    Ok(())
}

/// Forgets the events a fresh seed made (its visits): the seed is
/// history, not news, and a new log starts at id 1.
pub fn forget_seeded(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch("DELETE FROM events; DELETE FROM sqlite_sequence WHERE name = 'events';")
}

/// An event as stored: its id and its JSON, serialized once for every
/// subscriber.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub id: EventId,
    pub kind: EventType,
    pub data: String,
}

/// Appends an event; answers its id.
pub fn append(conn: &Connection, event: &PortalEvent) -> rusqlite::Result<EventId> {
    let data = serde_json::to_string(event).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    conn.prepare_cached(
        "INSERT INTO events (type, at, ticket_id, account_id, invite_id, actor, data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        event.kind.as_str(),
        secs(event.at),
        event.ticket_id,
        event.account_id,
        event.invite_id,
        event.actor,
        data
    ])?;
    Ok(EventId(conn.last_insert_rowid().max(0) as u64))
}

/// Appends an event about an invite (with its account).
pub fn invite_event(
    conn: &Connection,
    kind: EventType,
    invite_id: &InviteId,
    account_id: &AccountId,
    actor: Option<&str>,
    at: DateTime<Utc>,
) -> rusqlite::Result<EventId> {
    let mut event = PortalEvent::new(kind, at);
    event.invite_id = Some(invite_id.clone());
    event.account_id = Some(account_id.clone());
    event.actor = actor.map(StaffId::from);
    append(conn, &event)
}

/// Appends an event about a ticket (with its account).
pub fn ticket_event(
    conn: &Connection,
    kind: EventType,
    ticket: &Ticket,
    actor: Option<&str>,
    at: DateTime<Utc>,
) -> rusqlite::Result<EventId> {
    let mut event = PortalEvent::new(kind, at);
    event.ticket_id = Some(ticket.id.clone());
    event.account_id = Some(ticket.account_id.clone());
    event.actor = actor.map(StaffId::from);
    append(conn, &event)
}

fn read_event(row: &Row<'_>) -> rusqlite::Result<StoredEvent> {
    Ok(StoredEvent {
        id: EventId(row.get::<_, i64>("seq")?.max(0) as u64),
        kind: wire(row, "type")?,
        data: row.get("data")?,
    })
}

/// At most `limit` events after `after`, oldest first.
pub fn after(conn: &Connection, after: EventId, limit: u32) -> rusqlite::Result<Vec<StoredEvent>> {
    let after = i64::try_from(after.0).unwrap_or(i64::MAX);
    conn.prepare_cached("SELECT seq, type, data FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2")?
        .query_map(params![after, limit], read_event)?
        .collect()
}

/// The newest event's id (0 when none was ever appended).
pub fn latest(conn: &Connection) -> rusqlite::Result<EventId> {
    let newest: Option<i64> =
        conn.query_row("SELECT seq FROM sqlite_sequence WHERE name = 'events'", [], |r| r.get(0)).optional()?;
    Ok(EventId(newest.unwrap_or(0).max(0) as u64))
}

/// Whether a stream can resume after `id` with nothing missing: the id is
/// one this log gave, and nothing after it has been pruned.
pub fn can_resume(conn: &Connection, id: EventId) -> rusqlite::Result<bool> {
    let pruned: i64 = conn.query_row("SELECT pruned_through FROM event_log WHERE one = 1", [], |r| r.get(0))?;
    Ok(id.0 >= pruned.max(0) as u64 && id <= latest(conn)?)
}

/// Drops the events the window no longer keeps.
pub fn prune(conn: &Connection, window: Window, now: DateTime<Utc>) -> rusqlite::Result<()> {
    let newest = i64::try_from(latest(conn)?.0).unwrap_or(i64::MAX);
    let by_count = newest.saturating_sub(i64::try_from(window.max_events).unwrap_or(i64::MAX));
    if by_count <= 0 {
        return Ok(());
    }
    let cutoff = secs(now - window.max_age);
    let by_age: Option<i64> =
        conn.query_row("SELECT max(seq) FROM events WHERE seq <= ?1 AND at <= ?2", params![by_count, cutoff], |r| {
            r.get(0)
        })?;
    let Some(through) = by_age else {
        return Ok(());
    };
    conn.prepare_cached("DELETE FROM events WHERE seq <= ?1")?.execute([through])?;
    conn.prepare_cached("UPDATE event_log SET pruned_through = max(pruned_through, ?1) WHERE one = 1")?
        .execute([through])?;
    Ok(())
}

/// Announces what became due by `now` since the last catch-up: delivery
/// reports (bounces, deliveries), expiries of pending invites, and
/// presences that lapsed. Each is announced once.
pub fn catch_up(conn: &Connection, now: DateTime<Utc>) -> rusqlite::Result<()> {
    let from: Option<i64> =
        conn.query_row("SELECT announced_through FROM event_log WHERE one = 1", [], |r| r.get(0))?;
    let to = secs(now);
    let from = from.unwrap_or(to);
    if to > from {
        // Deliveries the pretend mail system made, and pending invites
        // whose expiry passed, in the window: (at, invite id, account id).
        let due = [
            (
                EventType::InviteDelivery,
                "SELECT e.at, i.id, a.id FROM delivery_events e
                 JOIN invites i ON i.rowid = e.invite_rowid JOIN accounts a ON a.rowid = i.account_rowid
                 WHERE e.at > ?1 AND e.at <= ?2 ORDER BY e.at, e.rowid",
            ),
            (
                EventType::InviteExpired,
                "SELECT i.expires_at, i.id, a.id FROM invites i JOIN accounts a ON a.rowid = i.account_rowid
                 WHERE i.status = 'pending' AND i.expires_at > ?1 AND i.expires_at <= ?2
                 ORDER BY i.expires_at, i.rowid",
            ),
        ];
        for (kind, sql) in due {
            let rows: Vec<(i64, String, String)> = conn
                .prepare_cached(sql)?
                .query_map(params![from, to], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<Result<_, _>>()?;
            for (at, invite_id, account_id) in rows {
                let (invite_id, account_id) = (InviteId::from(invite_id), AccountId::from(account_id));
                invite_event(conn, kind, &invite_id, &account_id, None, instant(at))?;
            }
        }
    }
    if to >= from {
        conn.prepare_cached("UPDATE event_log SET announced_through = ?1 WHERE one = 1")?.execute([to])?;
    }
    let lapsed: Vec<(String, String)> = conn
        .prepare_cached("DELETE FROM presence WHERE seen <= ?1 RETURNING ticket_id, staff_id")?
        .query_map([secs(now - PRESENCE_LAPSE)], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (ticket_id, staff_id) in lapsed {
        presence_event(conn, &ticket_id, &staff_id, now)?;
    }
    Ok(())
}

/// Announces the delivery reports of an invite that are already due (the
/// `queued` of an invite sent just now); later ones come from [`catch_up`].
pub fn announce_due_deliveries(conn: &Connection, invite_rowid: i64, now: DateTime<Utc>) -> rusqlite::Result<()> {
    let due: Vec<(i64, String, String)> = conn
        .prepare_cached(
            "SELECT e.at, i.id, a.id FROM delivery_events e
             JOIN invites i ON i.rowid = e.invite_rowid JOIN accounts a ON a.rowid = i.account_rowid
             WHERE e.invite_rowid = ?1 AND e.at <= ?2 ORDER BY e.at, e.rowid",
        )?
        .query_map(params![invite_rowid, secs(now)], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    for (at, invite_id, account_id) in due {
        invite_event(
            conn,
            EventType::InviteDelivery,
            &InviteId::from(invite_id),
            &AccountId::from(account_id),
            None,
            instant(at),
        )?;
    }
    Ok(())
}

fn presence_event(conn: &Connection, ticket_id: &str, staff_id: &str, now: DateTime<Utc>) -> rusqlite::Result<()> {
    let mut event = PortalEvent::new(EventType::PresenceChanged, now);
    event.ticket_id = Some(ticket_id.into());
    event.actor = Some(StaffId::from(staff_id));
    append(conn, &event).map(drop)
}

/// A heartbeat: `staff_id` is on the ticket in `mode` as of `now`.
/// Announces `presence.changed` when they arrived or changed mode (a
/// repeated heartbeat changes nothing others see).
pub fn heartbeat(
    conn: &Connection,
    ticket_id: &str,
    staff_id: &str,
    mode: PresenceMode,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    let current: Option<String> = conn
        .prepare_cached("SELECT mode FROM presence WHERE ticket_id = ?1 AND staff_id = ?2 AND seen > ?3")?
        .query_row(params![ticket_id, staff_id, secs(now - PRESENCE_LAPSE)], |r| r.get(0))
        .optional()?;
    if current.as_deref() == Some(mode.as_str()) {
        conn.prepare_cached("UPDATE presence SET seen = ?3 WHERE ticket_id = ?1 AND staff_id = ?2")?
            .execute(params![ticket_id, staff_id, secs(now)])?;
        return Ok(());
    }
    conn.prepare_cached(
        "INSERT INTO presence (ticket_id, staff_id, mode, since, seen) VALUES (?1, ?2, ?3, ?4, ?4)
         ON CONFLICT (ticket_id, staff_id) DO UPDATE SET mode = ?3, since = ?4, seen = ?4",
    )?
    .execute(params![ticket_id, staff_id, mode.as_str(), secs(now)])?;
    presence_event(conn, ticket_id, staff_id, now)
}

/// `staff_id` left the ticket; announced when they were on it.
pub fn leave(conn: &Connection, ticket_id: &str, staff_id: &str, now: DateTime<Utc>) -> rusqlite::Result<()> {
    let removed = conn
        .prepare_cached("DELETE FROM presence WHERE ticket_id = ?1 AND staff_id = ?2 AND seen > ?3")?
        .execute(params![ticket_id, staff_id, secs(now - PRESENCE_LAPSE)])?;
    conn.prepare_cached("DELETE FROM presence WHERE ticket_id = ?1 AND staff_id = ?2")?
        .execute(params![ticket_id, staff_id])?;
    if removed > 0 { presence_event(conn, ticket_id, staff_id, now) } else { Ok(()) }
}

/// Fills in `viewers` of each ticket: who is on it at `now`, longest
/// there first.
pub fn attach_viewers(conn: &Connection, tickets: &mut [Ticket], now: DateTime<Utc>) -> rusqlite::Result<()> {
    let mut by_ticket: HashMap<String, Vec<Viewer>> = HashMap::new();
    let mut statement = conn.prepare_cached(
        "SELECT ticket_id, staff_id, mode, since FROM presence WHERE seen > ?1 ORDER BY since, staff_id",
    )?;
    let rows = statement.query_map([secs(now - PRESENCE_LAPSE)], |row| {
        Ok((
            row.get::<_, String>("ticket_id")?,
            Viewer { staff_id: row.get("staff_id")?, mode: wire(row, "mode")?, since: instant(row.get("since")?) },
        ))
    })?;
    for row in rows {
        let (ticket_id, viewer) = row?;
        by_ticket.entry(ticket_id).or_default().push(viewer);
    }
    for ticket in tickets {
        ticket.viewers = by_ticket.remove(ticket.id.as_str()).unwrap_or_default();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        super::super::open(&conn).unwrap();
        conn
    }

    #[test]
    fn ids_are_monotonic_and_resume_is_gapless_within_the_window() {
        let conn = log();
        let at = instant(1_000);
        let ids: Vec<EventId> =
            (0..10).map(|_| append(&conn, &PortalEvent::new(EventType::TicketUpdated, at)).unwrap()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(after(&conn, ids[3], 100).unwrap().len(), 6);
        assert!(can_resume(&conn, EventId(0)).unwrap());
        // Keep 4 events, and none for its age alone.
        prune(&conn, Window { max_age: Duration::zero(), max_events: 4 }, at).unwrap();
        assert!(!can_resume(&conn, ids[4]).unwrap(), "event 6 is gone");
        assert!(can_resume(&conn, ids[5]).unwrap());
        assert_eq!(after(&conn, ids[5], 100).unwrap().len(), 4);
        assert!(!can_resume(&conn, EventId(99)).unwrap(), "an id this log never gave");
    }

    #[test]
    fn young_events_are_kept_past_the_count() {
        let conn = log();
        for n in 0..10 {
            append(&conn, &PortalEvent::new(EventType::TicketUpdated, instant(1_000 + n))).unwrap();
        }
        prune(&conn, Window { max_age: Duration::seconds(5), max_events: 2 }, instant(1_010)).unwrap();
        // Events at 1006..=1009 are younger than 5 s at 1010: kept.
        assert_eq!(after(&conn, EventId(0), 100).unwrap().len(), 4);
    }

    #[test]
    fn a_presence_lapses_once() {
        let conn = log();
        let t0 = instant(2_000);
        catch_up(&conn, t0).unwrap();
        heartbeat(&conn, "T-1", "agent_chen", PresenceMode::Viewing, t0).unwrap();
        heartbeat(&conn, "T-1", "agent_chen", PresenceMode::Viewing, t0 + Duration::seconds(10)).unwrap();
        assert_eq!(after(&conn, EventId(0), 100).unwrap().len(), 1, "a repeated heartbeat is not news");
        catch_up(&conn, t0 + Duration::seconds(54)).unwrap();
        assert_eq!(after(&conn, EventId(0), 100).unwrap().len(), 1);
        catch_up(&conn, t0 + Duration::seconds(55)).unwrap();
        catch_up(&conn, t0 + Duration::seconds(56)).unwrap();
        let events = after(&conn, EventId(0), 100).unwrap();
        assert_eq!(events.iter().filter(|e| e.kind == EventType::PresenceChanged).count(), 2);
    }
}
