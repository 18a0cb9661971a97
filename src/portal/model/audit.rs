//! The audit trail.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{AccountId, TicketId};

wire_enum! {
    "snake_case",
    /// What a mutation did, as kept in the audit trail.
    pub enum AuditAction {
        AccountUpdated,
        InviteSent,
        TicketUpdated,
        NoteAdded,
        InviteRevoked,
        ReplySent,
    }
}

/// One entry of the audit trail (`GET /api/v1/audit`). The summary never
/// holds a date of birth; email addresses in it are masked.
///
/// The trail is a hash chain: each entry carries the hash of the one before
/// it (`prev_hash`, [`GENESIS`] for the first) and its own `hash`, the
/// SHA-256 of its canonical JSON ([`AuditEntry::chain_hash`]), so an edited,
/// removed or inserted entry breaks the chain from there on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// The entry's place in the trail, from 1 (0 from a portal without
    /// a chain).
    #[serde(default)]
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: AuditAction,
    pub account_id: Option<AccountId>,
    pub ticket_id: Option<TicketId>,
    pub summary: String,
    /// The `hash` of the entry before (`GENESIS` for the first).
    #[serde(default)]
    pub prev_hash: String,
    /// SHA-256 of this entry's canonical JSON, lowercase hex.
    #[serde(default)]
    pub hash: String,
}

/// The `prev_hash` of the first entry of a trail.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an entry's hash covers, in this order: every field but `hash`.
#[derive(Serialize)]
struct Canonical<'a> {
    seq: i64,
    at: String,
    actor: &'a str,
    action: AuditAction,
    account_id: Option<&'a str>,
    ticket_id: Option<&'a str>,
    summary: &'a str,
    prev_hash: &'a str,
}

impl AuditEntry {
    /// The entry's canonical JSON: one object, keys in the order `seq`,
    /// `at` (RFC 3339 UTC with `Z`), `actor`, `action`, `account_id`,
    /// `ticket_id`, `summary`, `prev_hash`; no whitespace.
    pub fn canonical_json(&self) -> String {
        let canonical = Canonical {
            seq: self.seq,
            at: self.at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
            actor: &self.actor,
            action: self.action,
            account_id: self.account_id.as_ref().map(AccountId::as_str),
            ticket_id: self.ticket_id.as_ref().map(TicketId::as_str),
            summary: &self.summary,
            prev_hash: &self.prev_hash,
        };
        // Strings, numbers and a unit enum: serialising cannot fail.
        serde_json::to_string(&canonical).unwrap_or_default()
    }

    /// The hash this entry should carry: SHA-256 over its canonical JSON,
    /// lowercase hex.
    pub fn chain_hash(&self) -> String {
        let digest = Sha256::digest(self.canonical_json().as_bytes());
        digest.iter().map(|byte| format!("{byte:02x}")).collect()
    }
}

/// Why a trail does not verify: the first entry (oldest first) that breaks
/// the chain, and how.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("entry {seq} was altered: its hash does not match its content")]
    Altered { seq: i64 },
    #[error("entry {seq} does not follow the entry before it (an entry was removed, inserted or reordered)")]
    Unlinked { seq: i64 },
}

/// Checks a whole trail, oldest first: each entry's hash matches its
/// content, and its `prev_hash` is the hash of the entry before it.
pub fn verify_chain(oldest_first: &[AuditEntry]) -> Result<(), ChainBreak> {
    let mut prev = GENESIS;
    let mut expected_seq = 1;
    for entry in oldest_first {
        if entry.prev_hash != prev || entry.seq != expected_seq {
            return Err(ChainBreak::Unlinked { seq: entry.seq });
        }
        if entry.hash != entry.chain_hash() {
            return Err(ChainBreak::Altered { seq: entry.seq });
        }
        prev = &entry.hash;
        expected_seq = entry.seq.saturating_add(1);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trail(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let mut entry = AuditEntry {
                    seq,
                    at: DateTime::UNIX_EPOCH,
                    actor: "agent_sandbox".into(),
                    action: AuditAction::NoteAdded,
                    account_id: Some(format!("acc_{seq}").into()),
                    ticket_id: None,
                    summary: "note added".into(),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                entry.hash = entry.chain_hash();
                prev = entry.hash.clone();
                entry
            })
            .collect()
    }

    #[test]
    fn an_intact_trail_verifies() {
        assert_eq!(verify_chain(&trail(5)), Ok(()));
        assert_eq!(verify_chain(&[]), Ok(()));
    }

    #[test]
    fn the_first_broken_entry_is_named() {
        let mut edited = trail(5);
        edited[2].summary = "nothing happened".into();
        assert_eq!(verify_chain(&edited), Err(ChainBreak::Altered { seq: 3 }));
        let mut removed = trail(5);
        removed.remove(1);
        assert_eq!(verify_chain(&removed), Err(ChainBreak::Unlinked { seq: 3 }));
        // Rehashing an edited entry does not help: the next one no longer follows it.
        let mut rehashed = trail(5);
        rehashed[2].summary = "nothing happened".into();
        rehashed[2].hash = rehashed[2].chain_hash();
        assert_eq!(verify_chain(&rehashed), Err(ChainBreak::Unlinked { seq: 4 }));
    }

    #[test]
    fn the_canonical_json_is_fixed() {
        let entry = &trail(1)[0];
        assert_eq!(
            entry.canonical_json(),
            format!(
                r#"{{"seq":1,"at":"1970-01-01T00:00:00Z","actor":"agent_sandbox","action":"note_added","account_id":"acc_1","ticket_id":null,"summary":"note added","prev_hash":"{GENESIS}"}}"#
            )
        );
    }
}
