//! The wait a 429 asks for (`Retry-After`), shared by every dialog that
//! sends a change (resend, DOB edit, revoke, note, addresses): while it
//! runs, Enter sends nothing and the dialog counts it down; once it is
//! over, Enter sends again (with the same Idempotency-Key).

use chrono::{DateTime, Utc};

use crate::diagnose::invite;
use crate::portal::PortalError;
use crate::tui::view_model::{Cell, Meaning, Row};

/// The longest wait taken from a `Retry-After` (a day).
const LONGEST: chrono::Duration = chrono::Duration::hours(24);

/// Until when the portal asked not to be sent the change again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryWait {
    pub until: DateTime<Utc>,
}

impl RetryWait {
    /// The wait a failure at `now` asks for: only a 429 asks for one.
    pub fn after(error: &PortalError, now: DateTime<Utc>) -> Option<Self> {
        match error {
            PortalError::RateLimited { retry_after, .. } => {
                let wait = chrono::Duration::from_std(*retry_after).unwrap_or(LONGEST).min(LONGEST);
                Some(Self { until: now + wait })
            }
            _ => None,
        }
    }

    /// What is left of the wait at `now`, if any.
    pub fn left(&self, now: DateTime<Utc>) -> Option<chrono::Duration> {
        let left = self.until - now;
        (left > chrono::Duration::zero()).then_some(left)
    }

    /// The dialog's row: `✕ Not sent: 5 invites an hour at most; try again
    /// in 54m 00s` (the wait left a countdown cell of its own), then `The
    /// wait is over: Enter sends it now.`
    pub fn row(&self, now: DateTime<Utc>, not_done: &str, why: &str, enter_does: &str) -> Row {
        match self.left(now) {
            Some(left) => Row::new(vec![
                Cell::new(format!("✕ {not_done}: {why}; try again in"), Meaning::Danger).must(),
                Cell::new(invite::remaining(left), Meaning::Countdown).must(),
            ]),
            None => Row::one(Cell::new(format!("The wait is over: Enter {enter_does} now."), Meaning::Warning).must()),
        }
        .id("retry-wait")
    }
}

/// Whether a dialog's wait, if it has one, still holds Enter back at `now`.
pub fn holds(wait: Option<RetryWait>, now: DateTime<Utc>) -> bool {
    wait.is_some_and(|w| w.left(now).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn only_a_429_waits_and_the_wait_ends_on_time() {
        let now = DateTime::parse_from_rfc3339("2026-11-25T09:00:00Z").unwrap().to_utc();
        assert_eq!(RetryWait::after(&PortalError::Timeout, now), None);
        let wait =
            RetryWait::after(&PortalError::RateLimited { retry_after: Duration::from_secs(90), detail: None }, now);
        assert!(holds(wait, now + chrono::Duration::seconds(89)));
        assert!(!holds(wait, now + chrono::Duration::seconds(90)));
        assert!(!holds(None, now));
        let theme = crate::tui::theme::Theme::dark();
        let drawn = |row: &Row| crate::tui::view_model::line(row, 80, &theme).to_string().trim_end().to_owned();
        let row = wait.unwrap().row(now + chrono::Duration::seconds(30), "Not sent", "too many", "sends it");
        assert_eq!(drawn(&row), "✕ Not sent: too many; try again in 1m 00s");
        // Read out, the wait left is a countdown cell of its own.
        assert_eq!(row.cells[1].meaning, Meaning::Countdown);
        let over = wait.unwrap().row(now + chrono::Duration::minutes(5), "Not sent", "too many", "sends it");
        assert_eq!(drawn(&over), "The wait is over: Enter sends it now.");
        // An absurd Retry-After is cut to a day.
        let long =
            RetryWait::after(&PortalError::RateLimited { retry_after: Duration::MAX, detail: None }, now).unwrap();
        assert_eq!(long.until, now + chrono::Duration::hours(24));
    }
}
