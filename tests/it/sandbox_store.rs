//! The sandbox's store fails loudly on a stored value it does not know: a
//! corrupt row is a 500 problem answer naming no value, never a guess.

use crate::common;

use common::{Harness, t0};
use portaldesk::portal::IdempotencyKey;
use portaldesk::portal::model::NewNote;
use portaldesk::sandbox::SandboxOptions;
use portaldesk::sandbox::seed::SeedCase;

async fn on_file() -> (Harness, tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sandbox.db");
    let options = SandboxOptions { frozen_at: Some(t0()), db: Some(db.clone()), ..SandboxOptions::default() };
    (Harness::with(options).await, dir, db)
}

/// Writes to the sandbox's SQLite file behind its back, as a corrupting
/// tool or a hand edit would.
fn corrupt(db: &std::path::Path, sql: &str, id: &str) {
    let conn = rusqlite::Connection::open(db).unwrap();
    assert_eq!(conn.execute(sql, [id]).unwrap(), 1);
}

async fn assert_internal(h: &Harness, path: &str, phi: &[&str]) {
    let answer = h.raw().get(h.url(path)).bearer_auth("sandbox").send().await.unwrap();
    assert_eq!(answer.status(), 500, "{path}");
    assert_eq!(answer.headers()["content-type"], "application/problem+json");
    let body = answer.text().await.unwrap();
    for value in phi {
        assert!(!body.contains(value), "{value} leaked into {body}");
    }
}

#[tokio::test]
async fn an_unknown_role_is_an_error_not_a_client() {
    let (h, _dir, db) = on_file().await;
    let ticket = h.ticket(SeedCase::NoInvite).clone();
    let account = h.client.account(&ticket.account_id).await.unwrap().value;
    corrupt(&db, "UPDATE accounts SET role = 'Janet Doe' WHERE id = ?1", ticket.account_id.as_str());
    let path = format!("/api/v1/accounts/{}", ticket.account_id);
    assert_internal(&h, &path, &["Janet", account.first_name.expose()]).await;
    // The search that lists it fails too, rather than calling it a client.
    assert_internal(&h, &format!("/api/v1/accounts?q={}", ticket.account_id), &["Janet"]).await;
}

#[tokio::test]
async fn an_unknown_invite_status_is_an_error_not_revoked() {
    let (h, _dir, db) = on_file().await;
    let ticket = h.ticket(SeedCase::ExpiredClientInvite).clone();
    let invites = h.client.invites(&ticket.account_id).await.unwrap();
    let invite = invites.first().unwrap();
    corrupt(&db, "UPDATE invites SET status = 'lost' WHERE id = ?1", invite.id.as_str());
    assert_internal(&h, &format!("/api/v1/accounts/{}/invites", ticket.account_id), &["lost"]).await;
}

#[tokio::test]
async fn an_unknown_audit_action_is_an_error() {
    let (h, _dir, db) = on_file().await;
    let ticket = h.ticket(SeedCase::NoInvite).clone();
    let note = NewNote { body: "called back".into() };
    h.client.add_note(&ticket.ticket_id, &note, &IdempotencyKey::new()).await.unwrap();
    corrupt(&db, "UPDATE audit SET action = 'shredded' WHERE ticket_id = ?1", ticket.ticket_id.as_str());
    assert_internal(&h, "/api/v1/audit", &["shredded"]).await;
}
