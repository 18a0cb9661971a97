//! Fanning the event log out to the streams that follow it.
//!
//! Every change commits its events with itself (`store::events`); right
//! after the commit, still holding the database, [`EventHub::publish`]
//! reads what was appended and sends it on a bounded broadcast channel,
//! serialized once for every subscriber. A subscriber too slow for the
//! channel is not waited for: it falls back to reading the log (and gets
//! `reset` when the log no longer holds where it stood).
//!
//! The sandbox is one process on purpose. A portal on several machines
//! would keep the same log in its database and fan it out through the
//! database's notifications (PostgreSQL `LISTEN/NOTIFY` carrying the new
//! id) or an existing broker, each server reading the log from the id it
//! was told of; nothing here is meant to grow into that.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rusqlite::Connection;
use tokio::sync::broadcast;

use super::store::events::{self, StoredEvent, Window};
use crate::portal::model::EventId;

/// How many events the broadcast channel holds for the slowest subscriber
/// before it lags.
pub const CHANNEL_CAPACITY: usize = 1024;

/// The comment line that keeps an idle stream open through proxies.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The stream settings and the broadcast channel.
pub struct EventHub {
    sender: broadcast::Sender<Arc<StoredEvent>>,
    published: AtomicU64,
    /// How much of the log a resume can reach.
    pub window: Window,
    /// How often an idle stream gets a comment line.
    pub keep_alive: Duration,
}

impl EventHub {
    /// A hub that has published everything up to `latest`.
    pub fn new(latest: EventId, window: Window, keep_alive: Duration) -> Self {
        let (sender, _) = broadcast::channel(CHANNEL_CAPACITY);
        Self { sender, published: AtomicU64::new(latest.0), window, keep_alive }
    }

    /// A new subscriber: it receives every event published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<StoredEvent>> {
        self.sender.subscribe()
    }

    /// Sends every event appended since the last publish, in order. Call it
    /// after each commit, holding the connection (so publishes never
    /// interleave).
    pub fn publish(&self, conn: &Connection) -> rusqlite::Result<()> {
        loop {
            let from = EventId(self.published.load(Ordering::SeqCst));
            let page = events::after(conn, from, 1_000)?;
            let Some(last) = page.last().map(|e| e.id) else {
                return Ok(());
            };
            for event in page {
                // No subscriber is fine: the log keeps the event.
                let _ = self.sender.send(Arc::new(event));
            }
            self.published.store(last.0, Ordering::SeqCst);
        }
    }
}
