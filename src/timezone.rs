//! The staff member's time zone, for absolute times on screen and in
//! replies. Relative times (`in 47h 12m`) need no zone; absolute ones are
//! shown in this zone with its abbreviation, so nobody has to convert.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// A time zone absolute times are written in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StaffZone {
    /// Coordinated Universal Time.
    #[default]
    Utc,
    /// A zone of the IANA database, such as `America/Chicago`.
    Named(Tz),
}

impl StaffZone {
    /// Reads `local`, `UTC` or an IANA name. `local` asks the system which
    /// zone it is in (and is UTC where it cannot tell).
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("local") {
            return Ok(Self::local());
        }
        if text.eq_ignore_ascii_case("utc") || text.eq_ignore_ascii_case("z") {
            return Ok(Self::Utc);
        }
        text.parse::<Tz>().map(Self::Named).map_err(|_| {
            format!("unknown time zone {text:?}: use \"local\", \"UTC\" or an IANA name such as \"America/Chicago\"")
        })
    }

    /// The system's own zone.
    pub fn local() -> Self {
        iana_time_zone::get_timezone().ok().and_then(|name| name.parse::<Tz>().ok()).map_or(Self::Utc, Self::Named)
    }

    /// The zone's name as configured.
    pub fn name(&self) -> &str {
        match self {
            Self::Utc => "UTC",
            Self::Named(tz) => tz.name(),
        }
    }

    /// `Nov 27 09:00 CST`: a date and time in this zone, with its
    /// abbreviation.
    pub fn short(&self, at: DateTime<Utc>) -> String {
        self.format(at, "%b %-d %H:%M %Z")
    }

    /// `Nov 27, 09:00 CST`: the form used in replies to clients.
    pub fn long(&self, at: DateTime<Utc>) -> String {
        self.format(at, "%b %-d, %H:%M %Z")
    }

    fn format(&self, at: DateTime<Utc>, pattern: &str) -> String {
        match self {
            Self::Utc => at.format(pattern).to_string(),
            Self::Named(tz) => at.with_timezone(tz).format(pattern).to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn writes_times_in_the_named_zone_with_its_abbreviation() {
        let at = Utc.with_ymd_and_hms(2026, 11, 27, 15, 0, 0).unwrap();
        assert_eq!(StaffZone::Utc.short(at), "Nov 27 15:00 UTC");
        let chicago = StaffZone::parse("America/Chicago").unwrap();
        assert_eq!(chicago.short(at), "Nov 27 09:00 CST");
        assert_eq!(chicago.long(at), "Nov 27, 09:00 CST");
        // Daylight saving time is the zone's business, not ours.
        let july = Utc.with_ymd_and_hms(2026, 7, 1, 15, 0, 0).unwrap();
        assert_eq!(chicago.short(july), "Jul 1 10:00 CDT");
    }

    #[test]
    fn reads_local_utc_and_names_and_refuses_the_rest() {
        assert_eq!(StaffZone::parse("utc").unwrap(), StaffZone::Utc);
        assert_eq!(StaffZone::parse(" Europe/Berlin ").unwrap().name(), "Europe/Berlin");
        assert!(StaffZone::parse("local").is_ok());
        let err = StaffZone::parse("Mars/Olympus").unwrap_err();
        assert!(err.contains("Mars/Olympus") && err.contains("IANA"), "{err}");
        assert!(StaffZone::parse("").is_err());
    }
}
