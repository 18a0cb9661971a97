//! The audit trail.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{AccountId, StaffId, TicketId};

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
    pub actor: StaffId,
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

/// Where a trail stood: how many entries it had, and the newest one's
/// hash ([`GENESIS`] for none). Written `COUNT:HASH`. A chain proves only
/// that its entries follow one another; a head kept outside the portal
/// (a write-once log) is what shows that none were cut from its end, or
/// all removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditHead {
    pub count: i64,
    pub hash: String,
}

impl AuditHead {
    /// The head of an empty trail.
    pub fn empty() -> Self {
        Self { count: 0, hash: GENESIS.to_owned() }
    }

    /// Reads `COUNT:HASH`: a count from 0, and 64 lowercase hex digits
    /// (the genesis hash for a count of 0).
    pub fn parse(text: &str) -> Result<Self, String> {
        let (count, hash) = text.trim().split_once(':').ok_or("expected COUNT:HASH, as `audit head` prints it")?;
        let count: i64 = count.parse().ok().filter(|n| *n >= 0).ok_or("the count is not a whole number from 0")?;
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return Err("the hash is not 64 lowercase hex digits".into());
        }
        if count == 0 && hash != GENESIS {
            return Err("a head of 0 entries has the genesis hash (64 zeros)".into());
        }
        Ok(Self { count, hash: hash.to_owned() })
    }
}

impl std::fmt::Display for AuditHead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.count, self.hash)
    }
}

/// Why a trail does not reach a head recorded before.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeadMismatch {
    #[error(
        "the trail has {found} entries, fewer than the {expected} of the head recorded: entries were cut from its end"
    )]
    Shorter { expected: i64, found: i64 },
    #[error("entry {seq} is not the one of the head recorded (its hash differs): the trail was rewritten")]
    Diverged { seq: i64 },
}

/// Checks a trail newest entry first, as it is paged, keeping nothing but
/// the entry before: the same verdict as [`verify_chain`] (the oldest
/// break), and whether the trail extends a head recorded before.
#[derive(Debug, Clone, Default)]
pub struct ChainCheck {
    /// The newest entry's head.
    head: Option<AuditHead>,
    /// The entry fed last (the next newer one): its seq and `prev_hash`.
    newer: Option<(i64, String)>,
    /// The oldest break found so far.
    broken: Option<ChainBreak>,
    expect: Option<AuditHead>,
    /// Whether the expected head's entry was met, and matched.
    anchor: Option<bool>,
}

impl ChainCheck {
    /// A check that the trail also extends `expect`, when given.
    pub fn new(expect: Option<AuditHead>) -> Self {
        Self { expect, ..Self::default() }
    }

    /// The next entry, each older than the one before.
    pub fn feed(&mut self, entry: &AuditEntry) {
        if self.head.is_none() {
            self.head = Some(AuditHead { count: entry.seq, hash: entry.hash.clone() });
        }
        // The link of the newer entry to this one is the newer one's
        // break; this entry's own is older, so it is recorded after.
        if let Some((seq, prev_hash)) = &self.newer
            && (*prev_hash != entry.hash || *seq != entry.seq.saturating_add(1))
        {
            self.broken = Some(ChainBreak::Unlinked { seq: *seq });
        }
        if entry.hash != entry.chain_hash() {
            self.broken = Some(ChainBreak::Altered { seq: entry.seq });
        }
        if let Some(expect) = &self.expect
            && expect.count == entry.seq
        {
            self.anchor = Some(expect.hash == entry.hash);
        }
        self.newer = Some((entry.seq, entry.prev_hash.clone()));
    }

    /// The verdict once every entry was fed: the trail's head, or its
    /// oldest break; then whether it extends the expected head.
    pub fn finish(mut self) -> Result<(AuditHead, Result<(), HeadMismatch>), ChainBreak> {
        if let Some((seq, prev_hash)) = &self.newer
            && (*seq != 1 || prev_hash != GENESIS)
        {
            self.broken = Some(ChainBreak::Unlinked { seq: *seq });
        }
        if let Some(broken) = self.broken {
            return Err(broken);
        }
        let head = self.head.unwrap_or_else(AuditHead::empty);
        let anchored = match &self.expect {
            None => Ok(()),
            Some(expect) if head.count < expect.count => {
                Err(HeadMismatch::Shorter { expected: expect.count, found: head.count })
            }
            Some(expect) if expect.count == 0 => Ok(()),
            Some(expect) => match self.anchor {
                Some(true) => Ok(()),
                _ => Err(HeadMismatch::Diverged { seq: expect.count }),
            },
        };
        Ok((head, anchored))
    }
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

    /// The backwards check of a trail given oldest first.
    fn backwards(oldest_first: &[AuditEntry], expect: Option<AuditHead>) -> ChainCheck {
        let mut check = ChainCheck::new(expect);
        for entry in oldest_first.iter().rev() {
            check.feed(entry);
        }
        check
    }

    fn head_of(trail: &[AuditEntry]) -> AuditHead {
        trail.last().map_or_else(AuditHead::empty, |e| AuditHead { count: e.seq, hash: e.hash.clone() })
    }

    #[test]
    fn the_backwards_check_names_the_same_break_as_the_chain() {
        let mut cases: Vec<Vec<AuditEntry>> = vec![trail(0), trail(1), trail(5)];
        for at in 0..5 {
            let mut edited = trail(5);
            edited[at].summary = "nothing happened".into();
            cases.push(edited.clone());
            edited[at].hash = edited[at].chain_hash();
            cases.push(edited);
            let mut removed = trail(5);
            removed.remove(at);
            cases.push(removed);
            let mut swapped = trail(5);
            swapped.swap(at, (at + 1) % 5);
            cases.push(swapped);
            let mut renumbered = trail(5);
            renumbered[at].seq += 7;
            cases.push(renumbered);
        }
        for (n, case) in cases.iter().enumerate() {
            let verdict = backwards(case, None).finish().map(|(head, _)| head);
            let expected = verify_chain(case).map(|()| head_of(case));
            assert_eq!(verdict, expected, "case {n}");
        }
    }

    #[test]
    fn a_trail_extends_a_head_only_when_it_still_holds_that_entry() {
        let full = trail(5);
        let at3 = head_of(&full[..3]);
        // Intact, the same length, or longer: extends it.
        assert_eq!(backwards(&full[..3], Some(at3.clone())).finish(), Ok((at3.clone(), Ok(()))));
        assert_eq!(backwards(&full, Some(at3.clone())).finish(), Ok((head_of(&full), Ok(()))));
        assert_eq!(backwards(&full, Some(AuditHead::empty())).finish().unwrap().1, Ok(()));
        // Cut from the end, or emptied: a valid chain, but short of the head.
        let cut = backwards(&full[..2], Some(at3.clone())).finish().unwrap();
        assert_eq!(cut, (head_of(&full[..2]), Err(HeadMismatch::Shorter { expected: 3, found: 2 })));
        let emptied = backwards(&[], Some(at3.clone())).finish().unwrap();
        assert_eq!(emptied, (AuditHead::empty(), Err(HeadMismatch::Shorter { expected: 3, found: 0 })));
        // Rebuilt from there with other entries: a valid chain that does
        // not hold the recorded entry.
        let mut other = trail(5);
        other[2].summary = "rewritten".into();
        let mut prev = other[1].hash.clone();
        for entry in &mut other[2..] {
            entry.prev_hash = prev;
            entry.hash = entry.chain_hash();
            prev = entry.hash.clone();
        }
        assert_eq!(verify_chain(&other), Ok(()));
        assert_eq!(backwards(&other, Some(at3)).finish().unwrap().1, Err(HeadMismatch::Diverged { seq: 3 }));
    }

    #[test]
    fn a_head_reads_as_it_is_written() {
        let head = head_of(&trail(4));
        assert_eq!(AuditHead::parse(&head.to_string()), Ok(head.clone()));
        assert_eq!(AuditHead::parse(&format!(" {head}\n")), Ok(head));
        assert_eq!(AuditHead::parse(&format!("0:{GENESIS}")), Ok(AuditHead::empty()));
        for bad in
            ["", "4", ":", "x:ab", "-1:ab", "4:abc", &format!("4:{}", "A".repeat(64)), &format!("0:{}", "a".repeat(64))]
        {
            assert!(AuditHead::parse(bad).is_err(), "{bad:?}");
        }
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
