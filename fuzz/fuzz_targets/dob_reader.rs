//! The DOB reader on arbitrary bytes: it must answer, never panic, and keep
//! its own promises (a suggestion always passes the portal and equals the
//! date on file). Run: `cargo fuzz run dob_reader` (nightly).
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use portaldesk::diagnose::dob::{DobContext, check_dob, portal_accepts};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let on_file = NaiveDate::from_ymd_opt(1985, 12, 21).unwrap_or_default();
    let context = DobContext {
        today: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default(),
        account_created: NaiveDate::from_ymd_opt(2024, 1, 10),
    };
    let check = check_dob(on_file, text, &context);
    if let Some(entry) = &check.suggested_entry {
        assert_eq!(portal_accepts(entry), Some(on_file));
    }
    assert_eq!(check.would_pass, portal_accepts(text.trim()) == Some(on_file));
});
