//! The email check on arbitrary text: it must answer, never panic, and
//! every suggestion it makes must itself check clean.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portaldesk::diagnose::email::check_email;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for suggestion in check_email(text).suggestions {
        assert!(check_email(&suggestion).valid_syntax);
    }
});
