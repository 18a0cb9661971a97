//! Words shared by every screen, command and finding: a count with its
//! noun in the right number, how long ago. (Pure: no terminal, no clock.)

use chrono::Duration;

/// Time since, the one way every screen, command and finding says it:
/// `just now`, `45s ago`, `12m ago`, `3h ago`, `2 days ago`.
pub fn ago(since: Duration) -> String {
    let seconds = since.num_seconds();
    match seconds {
        i64::MIN..=4 => "just now".to_owned(),
        5..=59 => format!("{seconds}s ago"),
        60..=3599 => format!("{}m ago", seconds / 60),
        3600..=172_799 => format!("{}h ago", seconds / 3600),
        _ => format!("{} days ago", seconds / 86_400),
    }
}

/// Time left before a deadline, the one way it is said: `47h 12m` from an
/// hour up, `59m 58s` under an hour (never below zero).
pub fn remaining(left: Duration) -> String {
    let seconds = left.num_seconds().max(0);
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    if h > 0 { format!("{h}h {m:02}m") } else { format!("{m}m {s:02}s") }
}

/// A short span, where a column is narrow: `3m`, `5h`, `2d`.
pub fn short(span: Duration) -> String {
    let s = span.num_seconds().max(0);
    match s {
        0..=3599 => format!("{}m", s / 60),
        3600..=172_799 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

/// `n` and the noun for it: "1 invite", "3 invites", "0 invites".
pub fn count(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// How many times: "once", "twice", "3 times" ("0 times").
pub fn times(n: impl Into<u64>) -> String {
    match n.into() {
        1 => "once".to_owned(),
        2 => "twice".to_owned(),
        n => format!("{n} times"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_the_same_everywhere() {
        assert_eq!(remaining(Duration::seconds(47 * 3600 + 12 * 60 + 5)), "47h 12m");
        assert_eq!(remaining(Duration::seconds(59 * 60 + 58)), "59m 58s");
        assert_eq!(remaining(Duration::seconds(-5)), "0m 00s");
        assert_eq!(short(Duration::seconds(200)), "3m");
        assert_eq!(short(Duration::hours(5)), "5h");
        assert_eq!(short(Duration::days(2)), "2d");
        assert_eq!(ago(Duration::seconds(45)), "45s ago");
    }

    #[test]
    fn nouns_follow_the_count() {
        assert_eq!(count(1u32, "invite", "invites"), "1 invite");
        assert_eq!(count(0u32, "invite", "invites"), "0 invites");
        assert_eq!(count(3u32, "earlier link", "earlier links"), "3 earlier links");
        assert_eq!(
            (times(1u32), times(2u32), times(5u32), times(0u32)),
            ("once".into(), "twice".into(), "5 times".into(), "0 times".into())
        );
    }
}
