// No `unwrap`/`expect` outside tests (as in the library).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

use std::process::ExitCode;

/// Every heap block is zeroed as it is freed: what the lock drops leaves no
/// copy behind (see `portaldesk::zeroing`).
#[global_allocator]
static ALLOCATOR: portaldesk::zeroing::ZeroOnFree = portaldesk::zeroing::ZeroOnFree;

fn main() -> ExitCode {
    portaldesk::cli::main()
}
