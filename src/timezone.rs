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

    /// The system's own zone: the one `TZ` names when it names one (as the
    /// C library does), else the system's setting, else UTC.
    pub fn local() -> Self {
        let tz = std::env::var_os("TZ");
        Self::from_tz_var(tz.as_ref().and_then(|value| value.to_str())).unwrap_or_else(|| {
            iana_time_zone::get_timezone().ok().and_then(|name| name.parse::<Tz>().ok()).map_or(Self::Utc, Self::Named)
        })
    }

    /// The zone a `TZ` value names: an IANA name (`America/Chicago`), the
    /// same after a `:` (`:Europe/Berlin`), or a file of a zoneinfo
    /// directory (`:/usr/share/zoneinfo/Asia/Tokyo`). `None` when it is
    /// unset, empty or names no zone known here (a POSIX rule such as
    /// `CET-1CEST,M3.5.0,M10.5.0/3`, `/etc/localtime`), so the system's
    /// setting is asked instead.
    pub fn from_tz_var(value: Option<&str>) -> Option<Self> {
        let value = value?.trim();
        let name = value.strip_prefix(':').unwrap_or(value);
        let name = match name.rsplit_once("zoneinfo/") {
            Some((_, inside)) => inside.trim_start_matches("posix/").trim_start_matches("right/"),
            None => name,
        };
        if name.is_empty() {
            return None;
        }
        if name.eq_ignore_ascii_case("utc") {
            return Some(Self::Utc);
        }
        name.parse::<Tz>().ok().map(Self::Named)
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

    /// `Dec 9, 12:06 AM EST` (`Dec 9, 05:06 UTC` in UTC): a time as an
    /// email to a client states it, to the minute (seconds are dropped, so
    /// a deadline is never later than the real one), with the zone's
    /// abbreviation.
    pub fn in_email(&self, at: DateTime<Utc>) -> String {
        match self {
            // `Etc/UTC` and the like are UTC too, written the same way.
            Self::Named(tz) if at.with_timezone(tz).format("%Z").to_string() != "UTC" => {
                self.format(at, "%b %-d, %-I:%M %p %Z")
            }
            _ => at.format("%b %-d, %H:%M UTC").to_string(),
        }
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
        // In an email: 12-hour clock in a named zone, the minute as it
        // stands (05:06:59 is 05:06), the zone named.
        let due = Utc.with_ymd_and_hms(2026, 12, 9, 5, 6, 59).unwrap();
        assert_eq!(StaffZone::parse("America/New_York").unwrap().in_email(due), "Dec 9, 12:06 AM EST");
        assert_eq!(StaffZone::Utc.in_email(due), "Dec 9, 05:06 UTC");
        assert_eq!(chicago.in_email(at), "Nov 27, 9:00 AM CST");
        assert_eq!(StaffZone::parse("Etc/UTC").unwrap().in_email(due), "Dec 9, 05:06 UTC");
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

    #[test]
    fn tz_names_a_zone_in_its_usual_forms_and_leaves_the_rest_to_the_system() {
        let named = |value: &str| StaffZone::from_tz_var(Some(value)).map(|zone| zone.name().to_owned());
        assert_eq!(named("America/Chicago").as_deref(), Some("America/Chicago"));
        assert_eq!(named(":Europe/Berlin").as_deref(), Some("Europe/Berlin"));
        assert_eq!(named(":/usr/share/zoneinfo/Asia/Tokyo").as_deref(), Some("Asia/Tokyo"));
        assert_eq!(named("/usr/share/zoneinfo/posix/Australia/Perth").as_deref(), Some("Australia/Perth"));
        assert_eq!(StaffZone::from_tz_var(Some("UTC")), Some(StaffZone::Utc));
        for unknown in ["", " ", ":", "/etc/localtime", ":/etc/localtime", "CET-1CEST,M3.5.0,M10.5.0/3", "Mars/Olympus"]
        {
            assert_eq!(StaffZone::from_tz_var(Some(unknown)), None, "{unknown:?}");
        }
        assert_eq!(StaffZone::from_tz_var(None), None);
    }
}
