//! `portaldesk audit` and `portaldesk audit verify`, through the binary,
//! against a sandbox whose SQLite file the test can edit.

use crate::common;

use common::{Harness, Run, run_binary, t0};
use portaldesk::portal::IdempotencyKey;
use portaldesk::portal::model::{NewNote, TicketId};
use portaldesk::sandbox::SandboxOptions;
use portaldesk::sandbox::seed::SeedCase;
use serde_json::Value;

/// Runs `portaldesk ARGS` against the harness's sandbox with its token.
async fn run(h: &Harness, args: &[&str]) -> Run {
    let url = h.sandbox.url();
    let args: Vec<&str> = args.iter().copied().chain(["--portal", url.as_str()]).collect();
    run_binary(&args, &[("PORTALDESK_TOKEN", "sandbox")]).await
}

/// A sandbox on a file, with four notes on two tickets in its audit trail.
async fn with_trail() -> (Harness, tempfile::TempDir, std::path::PathBuf, Vec<TicketId>) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sandbox.db");
    let options = SandboxOptions { frozen_at: Some(t0()), db: Some(db.clone()), ..SandboxOptions::default() };
    let h = Harness::with(options).await;
    let tickets: Vec<TicketId> = [SeedCase::NoInvite, SeedCase::ExpiredClientInvite]
        .into_iter()
        .map(|case| h.ticket(case).ticket_id.clone())
        .collect();
    for (n, ticket) in tickets.iter().cycle().take(4).enumerate() {
        let note = NewNote { body: format!("call {n}") };
        h.client.add_note(ticket, &note, &IdempotencyKey::new()).await.unwrap();
    }
    (h, dir, db, tickets)
}

#[tokio::test]
async fn verify_passes_on_an_intact_trail_and_names_the_first_edited_entry() {
    let (h, _dir, db, _) = with_trail().await;
    let intact = run(&h, &["audit", "verify"]).await;
    assert_eq!(intact.code, 0, "{}", intact.err);
    assert!(intact.out.starts_with("audit trail intact: 4 entries, last hash "), "{}", intact.out);

    let conn = rusqlite::Connection::open(&db).unwrap();
    let edited = conn.execute("UPDATE audit SET summary = 'nothing to see' WHERE rowid = 2", []).unwrap();
    assert_eq!(edited, 1);
    let broken = run(&h, &["audit", "verify"]).await;
    assert_eq!(broken.code, 6, "{}", broken.out);
    assert!(broken.err.contains("entry 2 was altered"), "{}", broken.err);

    // Rehashing the edited row does not hide it: the next entry no longer follows.
    let rows: Vec<(i64, String)> = {
        let mut statement = conn.prepare("SELECT rowid, prev_hash FROM audit ORDER BY rowid").unwrap();
        statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
    };
    assert_eq!(rows.len(), 4);
    conn.execute("UPDATE audit SET hash = 'f00d' WHERE rowid = 2", []).unwrap();
    let relinked = run(&h, &["audit", "verify"]).await;
    assert_eq!(relinked.code, 6);
    assert!(relinked.err.contains("entry 2"), "{}", relinked.err);

    // A removed entry breaks the link of the one after it.
    conn.execute("DELETE FROM audit WHERE rowid = 2", []).unwrap();
    let removed = run(&h, &["audit", "verify"]).await;
    assert_eq!(removed.code, 6);
    assert!(removed.err.contains("entry 3 does not follow"), "{}", removed.err);
}

#[tokio::test]
async fn the_report_is_sorted_filtered_and_exported_as_json_and_csv() {
    let (h, _dir, _db, tickets) = with_trail().await;
    let json = run(&h, &["audit", "--json", "--actor", "agent_sandbox", "--since", "2026-11-25"]).await;
    assert_eq!(json.code, 0, "{}", json.err);
    let v: Value = serde_json::from_str(&json.out).unwrap();
    let entries = v["entries"].as_array().unwrap();
    let seqs: Vec<i64> = entries.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, [1, 2, 3, 4], "oldest first");
    assert!(entries.iter().all(|e| e["hash"].as_str().unwrap().len() == 64));
    assert_eq!(entries[1]["prev_hash"], entries[0]["hash"]);
    assert_eq!(entries[0]["ticket_id"].as_str(), Some(tickets[0].as_str()));

    let none = run(&h, &["audit", "--json", "--actor", "agent_chen"]).await;
    assert_eq!(serde_json::from_str::<Value>(&none.out).unwrap()["entries"].as_array().unwrap().len(), 0);
    let later = run(&h, &["audit", "--json", "--until", "2026-11-25"]).await;
    assert_eq!(serde_json::from_str::<Value>(&later.out).unwrap()["entries"].as_array().unwrap().len(), 0);

    let csv = run(&h, &["audit", "--csv"]).await;
    assert_eq!(csv.code, 0, "{}", csv.err);
    let lines: Vec<&str> = csv.out.lines().collect();
    assert_eq!(lines[0], "seq,at,actor,action,account_id,ticket_id,summary,prev_hash,hash");
    assert_eq!(lines.len(), 5);
    assert!(lines[1].starts_with("1,2026-11-25T09:00:00Z,agent_sandbox,note_added,"), "{}", lines[1]);

    let readable = run(&h, &["audit"]).await;
    assert_eq!(readable.code, 0, "{}", readable.err);
    assert!(readable.out.starts_with("4 audit entries\n"), "{}", readable.out);
    assert!(readable.out.contains("note_added"));
}
