//! The one backoff: every wait before trying again (a read, a change's
//! retry with its key, the event stream's and the console's reconnects).

use std::time::Duration;

/// Exponential backoff: `base` doubled per attempt, up to `max`; with
/// `jitter`, a uniformly random part of that ("full jitter", so clients
/// that failed together do not retry together).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
    pub jitter: bool,
}

impl Backoff {
    /// The wait before attempt `attempt` (0-based) is tried again.
    pub fn delay(self, attempt: u32) -> Duration {
        let ceiling = self.base.saturating_mul(1 << attempt.min(16)).min(self.max);
        if self.jitter { ceiling.mul_f64(fastrand::f64()) } else { ceiling }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_ceiling_and_jitter_stays_under_it() {
        let plain = Backoff { base: Duration::from_secs(1), max: Duration::from_secs(30), jitter: false };
        let waits: Vec<u64> = (0..8).map(|n| plain.delay(n).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 30, 30, 30]);
        assert_eq!(plain.delay(u32::MAX), Duration::from_secs(30));
        let jittered = Backoff { jitter: true, ..plain };
        assert!((0..100).all(|n| jittered.delay(n % 8) <= plain.delay(n % 8)));
    }
}
