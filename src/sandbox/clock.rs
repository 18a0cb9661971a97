//! The sandbox clock: real time (or a frozen instant) plus an offset that
//! `POST /sandbox/clock` moves forward, so expiry can be tested without waiting.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, SubsecRound, Utc};

/// The sandbox's notion of now, in whole seconds.
#[derive(Debug)]
pub struct Clock {
    frozen_at: Option<DateTime<Utc>>,
    offset_seconds: AtomicI64,
}

impl Clock {
    /// A clock that follows the system clock.
    pub fn system() -> Self {
        Self { frozen_at: None, offset_seconds: AtomicI64::new(0) }
    }

    /// A clock that stands still at `at` until advanced (deterministic tests
    /// and screenshots).
    pub fn frozen(at: DateTime<Utc>) -> Self {
        Self { frozen_at: Some(at.trunc_subsecs(0)), offset_seconds: AtomicI64::new(0) }
    }

    /// Now, as the sandbox sees it.
    pub fn now(&self) -> DateTime<Utc> {
        let base = self.frozen_at.unwrap_or_else(|| Utc::now().trunc_subsecs(0));
        base + Duration::seconds(self.offset_seconds.load(Ordering::SeqCst))
    }

    /// Moves the clock forward by `seconds` and returns the new now.
    pub fn advance(&self, seconds: i64) -> DateTime<Utc> {
        self.offset_seconds.fetch_add(seconds, Ordering::SeqCst);
        self.now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frozen_clock_moves_only_when_advanced() {
        let start = DateTime::parse_from_rfc3339("2026-11-25T09:00:00.750Z").unwrap().to_utc();
        let clock = Clock::frozen(start);
        assert_eq!(clock.now().to_rfc3339(), "2026-11-25T09:00:00+00:00");
        assert_eq!(clock.now(), clock.now());
        let later = clock.advance(48 * 3600);
        assert_eq!(later - clock.frozen_at.unwrap(), Duration::hours(48));
        assert_eq!(clock.now(), later);
    }
}
