//! Runs effects: each portal call on its own tokio task, its answer sent
//! back to the event loop as a message. The loop never awaits the network.

use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;

use super::action::{Effect, Msg};
use crate::portal::PortalClient;
use crate::request::perform;

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
    /// terminal itself (quit, suspend, mouse, copy) belong to the event loop
    /// and are ignored here.
    pub fn spawn(&self, effect: Effect) {
        let client = self.client.clone();
        let tx = self.tx.clone();
        if let Effect::Portal(_, request) = &effect {
            request.log();
        }
        tokio::spawn(async move {
            let msg = match effect {
                Effect::Portal(req, request) => {
                    let answer = perform(&client, request).await;
                    answer.log();
                    Msg::Answer(req, answer)
                }
                Effect::DebounceSearch(req) => {
                    tokio::time::sleep(SEARCH_DEBOUNCE).await;
                    Msg::SearchDue(req)
                }
                Effect::MaskAfter { reveal, after } => {
                    tokio::time::sleep(after).await;
                    Msg::RevealOver(reveal)
                }
                Effect::After { due, after } => {
                    tokio::time::sleep(after).await;
                    Msg::Due(due)
                }
                Effect::Reconnect { req, after } => {
                    tokio::time::sleep(after).await;
                    Msg::ReconnectDue(req)
                }
                Effect::Terminal(_) => return,
            };
            // The loop may have ended; then nobody needs the answer.
            let _ = tx.send(msg);
        });
    }
}
