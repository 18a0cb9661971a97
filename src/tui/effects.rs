//! Runs effects: each portal call on its own tokio task, its answer sent
//! back to the event loop as a message. The loop never awaits the network.

use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;

use super::action::{Effect, Loaded, Msg};
use crate::portal::PortalClient;

/// How long typing must pause before a search goes out.
pub const SEARCH_DEBOUNCE: Duration = Duration::from_millis(200);

/// Spawns portal calls and reports their answers.
#[derive(Clone)]
pub struct Runner {
    client: PortalClient,
    tx: UnboundedSender<Msg>,
}

impl Runner {
    pub fn new(client: PortalClient, tx: UnboundedSender<Msg>) -> Self {
        Self { client, tx }
    }

    /// Starts an effect that talks to the portal (or waits). Effects on the
    /// terminal itself (quit, suspend, mouse) belong to the event loop and
    /// are ignored here.
    pub fn spawn(&self, effect: Effect) {
        let client = self.client.clone();
        let tx = self.tx.clone();
        match &effect {
            Effect::Resend { account_id, request, .. } => {
                tracing::info!(account_id, ticket_id = request.ticket_id.as_deref(), "resend requested");
            }
            Effect::SaveAccount { account_id, patch, .. } => {
                tracing::info!(account_id, ticket_id = patch.ticket_id.as_deref(), "DOB change requested");
            }
            Effect::AddNote { ticket_id, .. } => tracing::info!(ticket_id, "note requested"),
            Effect::Revoke { account_id, invite_id, request, .. } => {
                tracing::info!(account_id, invite_id, ticket_id = request.ticket_id.as_deref(), "revoke requested");
            }
            other => tracing::debug!(effect = other.kind(), "request"),
        }
        tokio::spawn(async move {
            let msg = match effect {
                Effect::LoadTickets(req) => Msg::Loaded(Loaded::Tickets(
                    req,
                    client.tickets(Some(crate::portal::model::TicketStatus::Open)).await,
                )),
                Effect::DebounceSearch(req) => {
                    tokio::time::sleep(SEARCH_DEBOUNCE).await;
                    Msg::SearchDue(req)
                }
                Effect::Search(req, query) => Msg::Loaded(Loaded::Search(req, client.search_accounts(&query).await)),
                Effect::LoadAccount(req, id) => Msg::Loaded(Loaded::Account(req, client.account(&id).await)),
                Effect::LoadInvites(req, id) => Msg::Loaded(Loaded::Invites(req, client.invites(&id).await)),
                Effect::LoadAudit(req, id) => Msg::Loaded(Loaded::Audit(req, client.audit(Some(&id), None).await)),
                Effect::Resend { req, account_id, request, key } => {
                    Msg::Loaded(Loaded::Resent(req, client.resend(&account_id, &request, &key).await))
                }
                Effect::SaveAccount { req, account_id, etag, patch, key } => Msg::Loaded(Loaded::AccountSaved(
                    req,
                    client.update_account(&account_id, &etag, &patch, &key).await,
                )),
                Effect::AddNote { req, ticket_id, note, key } => {
                    Msg::Loaded(Loaded::NoteAdded(req, client.add_note(&ticket_id, &note, &key).await.map(|_| ())))
                }
                Effect::Revoke { req, account_id, invite_id, etag, request, key } => Msg::Loaded(Loaded::Revoked(
                    req,
                    client.revoke_invite(&account_id, &invite_id, &etag, &request, &key).await,
                )),
                Effect::MaskAfter { reveal, after } => {
                    tokio::time::sleep(after).await;
                    Msg::RevealOver(reveal)
                }
                Effect::Reconnect { req, after } => {
                    tokio::time::sleep(after).await;
                    Msg::Loaded(Loaded::Reconnected(req, client.me().await.map(|_| ())))
                }
                Effect::Copy { .. } | Effect::SetMouse(_) | Effect::Suspend | Effect::Quit => return,
            };
            log_outcome(&msg);
            // The loop may have ended; then nobody needs the answer.
            let _ = tx.send(msg);
        });
    }
}

/// One line per answer: which request, and whether it failed and how. No
/// values: errors name what failed, never what was sent.
fn log_outcome(msg: &Msg) {
    if let Msg::Loaded(loaded) = msg {
        match loaded.error() {
            // The kind and status only: the portal's own words (title,
            // detail) may echo what was sent.
            Some(error) => {
                tracing::warn!(answer = loaded.kind(), error = error.kind(), status = error.status(), "request failed")
            }
            None => tracing::debug!(answer = loaded.kind(), "answer"),
        }
    }
}
