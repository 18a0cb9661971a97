//! The client's decoders on arbitrary bytes: any answer a portal could send
//! gives a value or a `Decode` error, never a panic, and the error never
//! repeats what was sent. Run: `cargo fuzz run api_decoders` (nightly).
#![no_main]

use libfuzzer_sys::fuzz_target;
use portaldesk::portal::PortalError;
use portaldesk::portal::client::decode;
use portaldesk::portal::model::{
    Account, AccountSummary, AuditEntry, Invite, Items, LinkVisit, Page, Problem, StaffMember, Ticket, TicketNote,
};

fn check<T: serde::de::DeserializeOwned>(data: &[u8]) {
    if let Err(error) = decode::<T>(data) {
        assert!(matches!(error, PortalError::Decode { .. }));
        let text = error.to_string();
        // Long enough to be a value, not a field name: never echoed.
        if let Ok(input) = std::str::from_utf8(data) {
            for word in input.split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() >= 12) {
                assert!(!text.contains(word), "decode error repeats input: {text}");
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    check::<Account>(data);
    check::<Page<AccountSummary>>(data);
    check::<Items<Invite>>(data);
    check::<Invite>(data);
    check::<LinkVisit>(data);
    check::<Items<Ticket>>(data);
    check::<Items<TicketNote>>(data);
    check::<Items<AuditEntry>>(data);
    check::<StaffMember>(data);
    check::<Problem>(data);
});
