//! What the console benches share: the instant they run at and the
//! account they show.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use portaldesk::phi::Phi;
use portaldesk::portal::model::{Account, Role};

/// The instant every frame is drawn at.
pub fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-25T09:00:00Z").map(|t| t.to_utc()).unwrap_or_default()
}

/// A client account (`acc_7`).
pub fn account() -> Account {
    Account {
        id: "acc_7".into(),
        role: Role::Client,
        first_name: "Marisol".into(),
        last_name: "Quintero".into(),
        email: "marisol.quintero7@gmail.com".into(),
        emails: Vec::new(),
        phone: "(555) 555-0107".into(),
        dob: Phi::new(NaiveDate::from_ymd_opt(1985, 12, 21).unwrap_or_default()),
        created_at: now() - Duration::days(300),
        updated_at: now() - Duration::days(3),
    }
}
