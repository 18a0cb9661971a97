//! Presence: which ticket this console is on, said again every
//! [`PRESENCE_EVERY`], and who else is on a ticket, in words.

use super::*;

/// How often presence is said again while on a ticket (it lapses after
/// 45 s without).
pub const PRESENCE_EVERY: Duration = Duration::from_secs(20);
/// The presence this console states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presence {
    pub ticket_id: TicketId,
    pub mode: PresenceMode,
    /// The heartbeat timer in force (older ones are dropped).
    pub timer: ReqId,
}

impl LiveState {
    /// The others on a ticket (this console's staff member left out).
    pub fn others<'a>(&'a self, viewers: &'a [Viewer]) -> impl Iterator<Item = &'a Viewer> + 'a {
        viewers.iter().filter(move |v| self.me.as_deref() != Some(v.staff_id.as_str()))
    }

    /// "👁 agent_rivera · replying" for the others on a ticket, if any.
    pub fn viewers_line(&self, viewers: &[Viewer]) -> Option<String> {
        let shown: Vec<String> = self
            .others(viewers)
            .map(|v| format!("👁 {} · {}", crate::sanitize::line(&v.staff_id), mode_word(v.mode)))
            .collect();
        (!shown.is_empty()).then(|| shown.join("  "))
    }
}

/// The word for a presence mode.
pub fn mode_word(mode: PresenceMode) -> &'static str {
    mode.as_str()
}

impl App {
    /// The presence this console should state now: on a ticket's account,
    /// unlocked; changing in a changing dialog, replying in a note. None
    /// read-only: a heartbeat is a write to the portal, and a read-only
    /// console writes nothing.
    pub(super) fn wanted_presence(&self) -> Option<(TicketId, PresenceMode)> {
        if !self.live.started || self.lock.is_some() || self.readonly() || self.view() != View::Account {
            return None;
        }
        let ticket = self.stack.account()?.ticket_id.clone()?;
        // What the open dialog is, as its spec declares.
        let mode = self.overlay.as_ref().map_or(PresenceMode::Viewing, |o| o.kind().spec().presence);
        Some((ticket, mode))
    }

    /// Who this console is.
    pub(in crate::tui) fn on_me(&mut self, result: Result<StaffMember, PortalError>) -> Vec<Effect> {
        if let Ok(StaffMember { id, .. }) = result {
            self.live.me = Some(id);
            self.live.redraw = true;
        }
        Vec::new()
    }

    /// A presence call answered: nothing to show either way.
    pub(in crate::tui) fn presence_answered(result: Result<(), PortalError>) -> Vec<Effect> {
        if let Err(error) = result {
            tracing::debug!(error = error.kind(), "presence not stated");
        }
        Vec::new()
    }
}
