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
    let args: Vec<&str> = args.iter().copied().chain(["--portal", url.as_str(), "--sandbox-clock"]).collect();
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

/// Adds `n` notes (audit entries) through the API.
async fn add_notes(h: &Harness, ticket: &TicketId, n: usize) {
    for k in 0..n {
        let note = NewNote { body: format!("later call {k}") };
        h.client.add_note(ticket, &note, &IdempotencyKey::new()).await.unwrap();
    }
}

#[tokio::test]
async fn a_trail_cut_emptied_or_rewritten_fails_against_the_head_kept_and_an_extended_one_passes() {
    let (h, _dir, db, tickets) = with_trail().await;
    let head = run(&h, &["audit", "head"]).await;
    assert_eq!(head.code, 0, "{}", head.err);
    let recorded = head.out.trim().to_owned();
    assert!(recorded.starts_with("4:") && recorded.len() == 2 + 64, "{recorded}");
    // Its JSON, and the sandbox's own `GET /api/v1/audit/head`, say the same.
    let json = run(&h, &["audit", "head", "--json"]).await;
    assert_eq!(json.code, 0, "{}", json.err);
    let v: Value = serde_json::from_str(&json.out).unwrap();
    assert_eq!(format!("{}:{}", v["count"], v["hash"].as_str().unwrap()), recorded);
    assert_eq!(h.client.audit_head().await.unwrap().to_string(), recorded);

    let verify = |args: &'static [&'static str]| run(&h, args);
    let expect: Vec<&str> = vec!["audit", "verify", "--expect-head", recorded.as_str()];
    let intact = run(&h, &expect).await;
    assert_eq!(intact.code, 0, "{}", intact.err);
    assert_eq!(
        intact.out.trim(),
        format!("audit trail intact: 4 entries, last hash {}; it extends the head {recorded}", &recorded[2..])
    );

    // Extended: two more entries, the head kept still holds.
    add_notes(&h, &tickets[0], 2).await;
    let extended = run(&h, &expect).await;
    assert_eq!(extended.code, 0, "{}", extended.err);
    assert!(extended.out.starts_with("audit trail intact: 6 entries"), "{}", extended.out);

    let conn = rusqlite::Connection::open(&db).unwrap();
    // Rewritten from entry 3 on: a valid chain of 4 again, not the one kept.
    conn.execute("DELETE FROM audit WHERE rowid > 2", []).unwrap();
    add_notes(&h, &tickets[1], 2).await;
    let plain = verify(&["audit", "verify"]).await;
    assert_eq!(plain.code, 0, "the chain alone cannot tell: {}", plain.err);
    let rewritten = run(&h, &expect).await;
    assert_eq!(rewritten.code, 6, "{}", rewritten.out);
    assert!(rewritten.err.contains(&format!("does not extend the head {recorded}")), "{}", rewritten.err);
    assert!(rewritten.err.contains("entry 4 is not the one of the head recorded"), "{}", rewritten.err);

    // Cut from its end: entries 4 on deleted.
    conn.execute("DELETE FROM audit WHERE rowid > 3", []).unwrap();
    let plain = verify(&["audit", "verify"]).await;
    assert_eq!(plain.code, 0, "{}", plain.err);
    assert!(
        plain.out.contains("3 entries") && plain.out.contains("a cut from its end cannot be seen"),
        "{}",
        plain.out
    );
    let cut = run(&h, &expect).await;
    assert_eq!(cut.code, 6, "{}", cut.out);
    assert!(cut.err.contains("the trail has 3 entries, fewer than the 4 of the head recorded"), "{}", cut.err);
    assert!(cut.out.is_empty(), "{}", cut.out);

    // Emptied.
    conn.execute("DELETE FROM audit", []).unwrap();
    let plain = verify(&["audit", "verify"]).await;
    assert_eq!(plain.code, 0, "{}", plain.err);
    let emptied = run(&h, &expect).await;
    assert_eq!(emptied.code, 6, "{}", emptied.out);
    assert!(emptied.err.contains("the trail has 0 entries, fewer than the 4"), "{}", emptied.err);
    assert_eq!(h.client.audit_head().await.unwrap(), portaldesk::portal::model::AuditHead::empty());

    // A head that is not COUNT:HASH is a usage error.
    let bad = verify(&["audit", "verify", "--expect-head", "4:nothex"]).await;
    assert_eq!(bad.code, 2, "{}", bad.err);
}

#[tokio::test]
async fn audit_head_refuses_a_broken_chain() {
    let (h, _dir, db, _) = with_trail().await;
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("UPDATE audit SET summary = 'nothing to see' WHERE rowid = 3", []).unwrap();
    let head = run(&h, &["audit", "head"]).await;
    assert_eq!(head.code, 6, "{}", head.out);
    assert!(head.err.contains("entry 3 was altered"), "{}", head.err);
    assert!(head.out.is_empty(), "no head of a broken trail: {}", head.out);
}

#[tokio::test]
async fn csv_cells_a_spreadsheet_would_run_are_neutralised() {
    let (h, _dir, db, _) = with_trail().await;
    let conn = rusqlite::Connection::open(&db).unwrap();
    let formula = "=HYPERLINK(\"http://evil.example\",\"open\")";
    conn.execute("UPDATE audit SET summary = ?1 WHERE rowid = 1", [formula]).unwrap();
    conn.execute("UPDATE audit SET actor = '@admin' WHERE rowid = 2", []).unwrap();
    let csv = run(&h, &["audit", "--csv"]).await;
    assert_eq!(csv.code, 0, "{}", csv.err);
    let mut reader = csv::Reader::from_reader(csv.out.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 4);
    assert_eq!(&rows[0][6], format!("'{formula}"));
    assert_eq!(&rows[1][2], "'@admin");
    for row in &rows {
        for cell in row {
            assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{cell:?}");
        }
    }
    // --json keeps the values as they are.
    let json = run(&h, &["audit", "--json"]).await;
    let v: Value = serde_json::from_str(&json.out).unwrap();
    assert_eq!(v["entries"][0]["summary"], formula);
}
