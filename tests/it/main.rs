//! Every integration test, in one binary: one link instead of thirty, and
//! the tests of all files run in parallel. One module per area; `common`
//! is the shared harness (sandbox, state-machine driver, terminal).

mod cited;
mod claims;
mod cli_audit;
mod cli_check;
mod cli_confirm;
mod cli_fix_once;
mod cli_portal;
mod cli_tickets;
mod common;
mod contract;
mod contract_conversation;
mod credentials;
mod diagnose_seeded;
mod e2e;
mod e2e_fix;
mod events;
mod faults;
mod findings_after_fix;
mod fix;
mod forensics_console;
mod guard;
mod habits;
mod hostile;
mod link_forensics;
mod live;
mod live_redraws;
mod lock_memory;
mod lock_readonly;
mod on_page;
mod plain;
mod queue;
mod reply_matrix;
mod sandbox_limits;
mod sandbox_store;
mod screens;
mod seeded_conversations;
mod signals;
mod soak;
mod tui_fix;
mod tui_layout;
mod tui_reply;
mod tui_state;
mod tui_ticket;
mod two_consoles;
