//! Revoke (`x`): cancel a pending invite so its link shows the invalid-link
//! page, with a required reason and the ticket. One Idempotency-Key per
//! dialog (a retry cannot revoke twice) and If-Match on the account.

use crate::tui::keymap::{CANCEL, confirm, screen_spec};
use tui_input::Input;

use super::REASON_MAX;
use super::second_look::SecondLook;
use super::submission::{ChangeId, Submission, Wording, collision_rows};
use crate::portal::PortalError;
use crate::portal::model::{InviteId, InviteStatus, RevokeRequest};
use crate::tui::action::{Action, Answer, Effect, ReqId, Request};
use crate::tui::component::{Banner, Component, Cx, Outcome, ScreenKind, Shared, Then};
use crate::tui::live::Guarded;
use crate::tui::view_model::{Caret, Cell, Form, Meaning, Row, ViewModel};

/// What a revoke does to the link.
const CONSEQUENCE: &str = "Its link will show the invalid-link page (\"revoked\"). The client needs a new invite.";
/// The risk its second look shows.
const RISK: &str = "its link stops working at once; the client needs a new invite";

impl RevokeState {
    fn title(&self) -> String {
        format!("Revoke invite {}?", self.invite_id)
    }

    /// The choice its second look highlights.
    fn choice(&self) -> String {
        format!("Revoke {}", self.invite_id)
    }
}

/// The revoke dialog. (No `Debug`: the reason may name the client.)
pub struct RevokeState {
    pub invite_id: InviteId,
    pub reason: Input,
    /// One key per dialog: a retry cannot revoke twice.
    pub submission: Submission,
    /// A revoke always needs a second Enter on its highlighted line.
    pub second_look: SecondLook,
}

impl RevokeState {
    pub fn new(invite_id: InviteId) -> Self {
        Self {
            invite_id,
            reason: Input::default(),
            submission: Submission::default(),
            second_look: SecondLook::default(),
        }
    }

    /// Enter: with a reason, the first shows what the revoke does on a
    /// highlighted line, the second revokes (again with the same key after
    /// a failure); nothing while a 429's wait runs.
    fn confirm(&mut self, cx: &mut Cx<'_>) -> Vec<Effect> {
        let Some(account) = cx.account else { return Vec::new() };
        let missing = "write why it is revoked (it goes in the audit trail)";
        let Some(reason) = self.submission.required(cx.now, &self.reason, missing) else {
            return Vec::new();
        };
        if !self.second_look.go(true) {
            self.submission.error = None;
            return Vec::new();
        }
        let Some(etag) = account.account.data.as_ref().map(|a| a.etag.clone()) else {
            self.submission.error = Some("the account is still loading".into());
            return Vec::new();
        };
        let (account_id, ticket_id) = (account.id.clone(), account.ticket_id.clone());
        let req = cx.req();
        let request = RevokeRequest { reason, ticket_id };
        let key = self.submission.send(req, ChangeId::new("revoke", self.invite_id.as_str(), &request), cx.unconfirmed);
        let invite_id = self.invite_id.clone();
        vec![Effect::Portal(req, Request::Revoke { account_id, invite_id, etag, request, key })]
    }
}

/// Opens the revoke dialog for a pending invite, or says why not.
pub fn open(invite: Option<(InviteId, InviteStatus)>) -> Outcome {
    match invite {
        Some((id, InviteStatus::Pending)) => Outcome::then(Then::Open(RevokeState::new(id).into())),
        Some((id, status)) => {
            Outcome::banner(Banner::error(format!("Only a pending invite can be revoked; {id} is {}", status.as_str())))
        }
        None => Outcome::banner(Banner::error("No invite to revoke")),
    }
}

/// How the revoke dialog names its change.
const WORDING: Wording = Wording::new("Revoking…", "Not revoked", "too many requests", "revokes it");

screen_spec!(RevokeState, "Revoke invite", [confirm("revoke it", "revoke"), CANCEL], text, changes);

impl Component for RevokeState {
    fn screen(&self) -> ScreenKind {
        ScreenKind::Revoke
    }

    /// What revoking does, the reason (the field), the ticket; then the
    /// second look, the collision guard, or the submission's status.
    fn model(&self, shared: &Shared<'_>) -> ViewModel {
        let (under, ui) = (shared, shared.ui);
        let mut rows = vec![
            Row::one(Cell::new(CONSEQUENCE, Meaning::Warning).must()).id("consequence"),
            Row::default(),
            Row::field("Reason", Cell::new(self.reason.value(), Meaning::Input).must()).id("field"),
        ];
        if let Some(ticket) = under.account.and_then(|a| a.ticket_id.as_ref()) {
            rows.push(Row::field("Ticket", Cell::text(ticket.as_str())).id("ticket"));
        }
        let idle = if let Some(text) = under.collision {
            collision_rows(text, WORDING.enter_does)
        } else if self.second_look.armed {
            SecondLook::rows(&self.choice(), RISK, WORDING.enter_does)
        } else {
            vec![SecondLook::first_hint_row(WORDING.enter_does)]
        };
        let status = self.submission.status_rows(&WORDING, None, idle, ui.now);
        ViewModel::new(self.title()).rows("", rows).rows("", status)
    }

    fn on_action(&mut self, action: Action, cx: &mut Cx<'_>) -> Outcome {
        let sending = self.submission.is_sending();
        if action == Action::Back && !sending && self.second_look.back() {
            return Outcome::none();
        }
        Outcome::sends(action, sending, || self.confirm(cx))
    }
    /// The answer to the revoke: done, the dialog closes and the history is
    /// read back; a failure is shown and Enter retries (after a 429's
    /// wait); a 412 reads the account again.
    fn on_answer(&mut self, req: ReqId, answer: Answer, cx: &mut Cx<'_>) -> Option<Outcome> {
        let Answer::Revoke(result) = answer else { return None };
        Some(match self.submission.take_change(req, result, cx.unconfirmed)? {
            // The revoke moved the account's version: keep its new ETag,
            // or the next change would be refused (412).
            Ok(revoked) => Outcome::done(
                format!("Invite {} revoked: its link shows the invalid-link page", revoked.value.id),
                vec![Then::StoreEtag(revoked.etag), Then::ReloadAccount],
            ),
            Err(error) => {
                let shown = match error {
                    PortalError::Stale => {
                        "someone else changed the account meanwhile; it was read again, check the invite and retry"
                            .into()
                    }
                    ref other => other.to_string(),
                };
                self.submission.fail(&error, cx.now, shown);
                // Someone else changed the account: read it again.
                if error == PortalError::Stale { Outcome::then(Then::ReloadAccount) } else { Outcome::none() }
            }
        })
    }
    /// The second Enter, on the highlighted line, revokes.
    fn guarded(&self, cx: &Cx<'_>) -> Option<Guarded> {
        let sends = self.second_look.armed && !self.submission.holds(cx.now);
        (sends && !self.reason.value().trim().is_empty()).then_some(Guarded::Change)
    }
    fn field(&mut self) -> Option<(&mut Input, usize)> {
        if self.submission.is_sending() || self.second_look.armed { None } else { Some((&mut self.reason, REASON_MAX)) }
    }
    fn countdown(&self) -> Option<bool> {
        Some(self.submission.wait.is_some())
    }
    fn form(&self) -> Form {
        Form::new(76, 9).pinned().caret(self.caret())
    }
}

impl RevokeState {
    /// In the reason, until the second look or while sending.
    fn caret(&self) -> Option<Caret> {
        let typing = !self.second_look.armed && !self.submission.is_sending();
        typing.then(|| Caret::new("field", self.reason.visual_cursor()))
    }
}
