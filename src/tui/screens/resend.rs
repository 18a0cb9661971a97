//! Resend (`r`): confirm where the invite goes, the expiry it gets, and that
//! earlier links stop working. One Idempotency-Key per dialog: a retry after
//! a failure reuses it, so it can never make two invites.

use crate::tui::keymap::{CANCEL, confirm, screen_spec};

use super::account::AccountState;
use super::second_look::SecondLook;
use super::submission::{ChangeId, NOT_KNOWN, Submission, Wording, answer_lost, collision_rows, enter_hint_row};
use super::{LOADING, Ui};
use crate::diagnose::{email, invite};
use crate::portal::PortalError;
use crate::portal::model::{Account, DeliveryEventKind, Invite, InviteStatus, ResendRequest};
use crate::tui::action::{Action, Answer, Effect, ReqId, Request};
use crate::tui::component::{Component, Cx, Outcome, Shared, Then};
use crate::tui::keymap::{ScreenKind, key};
use crate::tui::live::Guarded;
use crate::tui::view_model::{Cell, Form, Meaning, Row, ViewModel};
use chrono::{DateTime, Utc};

/// The resend dialog.
#[derive(Debug, Default)]
pub struct ResendState {
    /// Its key is made when the dialog opens, reused by every retry from it
    /// (or the key of the same resend whose outcome was never seen).
    pub submission: Submission<PortalError>,
    /// The answer was lost: the invites are being read again to see
    /// whether the invite was made.
    pub checking: bool,
    /// A resend with a risk (see [`risks`]) needs a second Enter.
    pub second_look: SecondLook,
}

/// What makes a resend to `account` risky, in words, the worst first;
/// empty when nothing does: the address it goes to bounced before or looks
/// mistyped (the diagnosis' email check), or the account already accepted
/// an invite (the client should log in; a new link does not help).
pub fn risks(account: &Account, invites: &[Invite]) -> Vec<&'static str> {
    let address = account.email.expose();
    let mut out = Vec::new();
    let bounced = invites.iter().any(|i| {
        i.sent_to.expose().trim().eq_ignore_ascii_case(address.trim())
            && i.delivery.iter().any(|e| e.event == DeliveryEventKind::Bounced)
    });
    if bounced {
        out.push("mail to this address bounced before; the new invite will likely bounce too");
    }
    if !email::check_email(address).findings.is_empty() {
        out.push("the address looks mistyped; correct it first (a) or the invite goes astray");
    }
    if invites.iter().any(|i| i.status == InviteStatus::Accepted || i.accepted_at.is_some()) {
        out.push("the account already accepted an invite; the client should log in, not use a new link");
    }
    out
}

/// The banner once the invites show a resend whose answer was lost.
pub const SHOWN_SENT: &str = "Invite sent (its answer was lost, the portal shows it)";

impl ResendState {
    /// Enter or `y`: send (again, with the same key, after a failure);
    /// nothing while sending or while a 429's wait runs. What goes out is
    /// remembered until its outcome is seen: an answer, or a new invite
    /// among the account's invites read again.
    fn confirm(&mut self, cx: &mut Cx<'_>) -> Vec<Effect> {
        let Some(account) = cx.account else { return Vec::new() };
        if self.submission.holds(cx.now) {
            return Vec::new();
        }
        let req = cx.req();
        self.checking = false;
        let request = request(account);
        let change = ChangeId::new("resend", account.id.as_str(), &request);
        let before = account.invites.data.as_ref().map(|l| l.iter().map(|i| i.id.clone()).collect());
        let key = self.submission.send_seen_by(req, change, before, cx.unconfirmed);
        vec![Effect::Portal(req, Request::Resend { account_id: account.id.clone(), request, key })]
    }
}

/// The resend of `account`: for its ticket, and only if the newest invite
/// read is still the newest (else the portal refuses it, 412: someone
/// resent meanwhile, and two agents confirming at once make one invite).
pub fn request(account: &AccountState) -> ResendRequest {
    let newest_seen = account.invites.data.as_ref().and_then(|list| list.first()).map(|i| i.id.clone());
    ResendRequest { ticket_id: account.ticket_id.clone(), newest_seen }
}

/// Whether the resend the dialog would send now is risky.
fn risky(cx: &Cx<'_>) -> bool {
    let Some(account) = cx.account else { return false };
    let invites = account.invites.data.as_deref().unwrap_or_default();
    account.account.data.as_ref().is_some_and(|a| !risks(&a.value, invites).is_empty())
}

/// The dialog's title: the first invite is sent, a later one resent.
fn title(first: bool) -> &'static str {
    if first { "Send the portal invite?" } else { "Resend the portal invite?" }
}

/// What becomes of the earlier links: `The earlier link will stop working.`
fn superseded(invites: &[Invite], first: bool, now: DateTime<Utc>) -> String {
    let live = invites.iter().filter(|i| i.status == InviteStatus::Pending && i.expires_at > now).count();
    match live {
        0 if first => "This is the account's first invite.".to_owned(),
        0 => "No earlier link is still working.".to_owned(),
        1 => "The earlier link will stop working.".to_owned(),
        n => format!("{n} earlier links will stop working."),
    }
}

/// When the new invite expires, beside its countdown: `(Nov 27 09:00 CET,
/// client links last 48 hours)`.
fn expiry_words(ui: &Ui<'_>, account: &Account) -> String {
    let role = account.role;
    let expires = ui.now + role.invite_lifetime();
    format!("({}, {} links last {})", ui.zone.short(expires), role.as_str(), invite::window_words(role))
}

/// What a retry after a failure says.
const RETRY: &str = "Enter tries again (it cannot make a second invite); Esc cancels.";
/// The keys that send, and what they do.
const SENDS: [&str; 2] = ["Enter", "y"];
const DOES: &str = "sends it";
/// The risky resend's second look: its choice and what Enter does then.
const ANYWAY: (&str, &str) = ("Send anyway", "sends it anyway");

/// How the resend dialog names its change.
const WORDING: Wording = Wording::new("Sending…", "Not sent", "5 invites an hour at most", "sends it");

screen_spec!(
    ResendState,
    "Resend invite",
    [
        confirm("send it", "send"),
        key('y', Action::Confirm, "send it", ""),
        CANCEL,
        key('n', Action::Back, "cancel", "")
    ],
    phi,
    changes
);

impl Component for ResendState {
    fn screen(&self) -> ScreenKind {
        ScreenKind::Resend
    }

    /// Where the invite goes (masked until revealed), its findings, when it
    /// expires (a countdown), what becomes of the earlier links, the ticket,
    /// the risks; then the status: what Enter does, the second look, the
    /// collision guard, `Sending…`, an error or a 429's wait.
    fn model(&self, shared: &Shared<'_>) -> ViewModel {
        let (under, ui) = (shared, shared.ui);
        let Some(account) = under.account else { return ViewModel::new(ScreenKind::Resend.title()) };
        let now = ui.now;
        let first = account.invites.data.as_ref().is_some_and(Vec::is_empty);
        let model = ViewModel::new(title(first));
        let Some(data) = account.account.data.as_ref().map(|a| &a.value) else {
            return model.rows("", vec![Row::one(Cell::muted(LOADING))]);
        };
        let invites = account.invites.data.as_deref().unwrap_or_default();
        let risks = risks(data, invites);
        let address = data.email.expose();
        let meaning = if account.revealed { Meaning::Text } else { Meaning::Masked };
        let mut to = Row::field("To", Cell::new(account.shown_email(address), meaning).must()).id("to");
        if !account.revealed {
            let key = ui.keys.key_of(ScreenKind::Resend, Action::Reveal);
            to.cells.push(Cell::muted(format!("({key} reveals)")).low());
        }
        let mut rows = vec![to];
        for finding in &email::check_email(address).findings {
            rows.push(
                Row::one(Cell::new(super::shown(&finding.message), Meaning::Warning).badge().must()).indent(2, 4),
            );
        }
        let expires = now + data.role.invite_lifetime();
        let mut expiry = Row::field(
            "Expires",
            Cell::new(format!("in {}", invite::remaining(expires - now)), Meaning::Countdown).must(),
        );
        expiry.cells.push(Cell::text(expiry_words(ui, data)).low());
        rows.push(expiry);
        rows.push(Row::field("Earlier", Cell::new(superseded(invites, first, now), Meaning::Warning).must()));
        if let Some(ticket) = &account.ticket_id {
            rows.push(Row::field("Ticket", Cell::text(ticket.as_str())));
        }
        for risk in &risks {
            let mut row = Row::field("Risk", Cell::new(*risk, Meaning::Warning).must());
            row.cells[0].meaning = Meaning::Danger;
            rows.push(row);
        }
        let retry = Row::one(Cell::muted(RETRY)).id("retry");
        let idle = match (risks.first(), self.second_look.armed) {
            _ if let Some(text) = under.collision => collision_rows(text, DOES),
            (None, _) => vec![enter_hint_row(&SENDS, DOES)],
            (Some(_), false) => vec![SecondLook::first_hint_row(DOES)],
            (Some(risk), true) => SecondLook::rows(ANYWAY.0, risk, ANYWAY.1),
        };
        let status = if self.checking && !self.submission.is_sending() {
            vec![Row::one(Cell::new(NOT_KNOWN, Meaning::Warning).must()).id("status")]
        } else {
            self.submission.status_rows(&WORDING, Some(retry), idle, now)
        };
        model.rows("", rows).rows("", status)
    }

    /// Enter sends; on a risky resend the first Enter only shows the risk,
    /// a second one sends anyway, and Esc goes back from it.
    fn on_action(&mut self, action: Action, cx: &mut Cx<'_>) -> Outcome {
        let sending = self.submission.is_sending();
        match action {
            Action::Back if !sending && self.second_look.back() => Outcome::none(),
            Action::Confirm if !self.submission.holds(cx.now) && !self.second_look.go(risky(cx)) => Outcome::none(),
            _ => Outcome::sends(action, sending, || self.confirm(cx)),
        }
    }
    /// The answer to the resend: sent, the dialog closes, the new invite
    /// shows and the history is read back; a failure is shown (a 429 starts
    /// its wait) and Enter retries with the same key.
    fn on_answer(&mut self, req: ReqId, answer: Answer, cx: &mut Cx<'_>) -> Option<Outcome> {
        let Answer::Resend(result) = answer else { return None };
        Some(match self.submission.take_change(req, result, cx.unconfirmed)? {
            Ok(invite) => {
                let first = cx.account.is_some_and(|a| a.invites.data.as_ref().is_some_and(Vec::is_empty));
                let said = if first { "Invite sent" } else { "Invite sent; earlier links no longer work" };
                // Read everything back so the findings are the server's.
                Outcome::done(said, vec![Then::AddInvite(invite), Then::ReloadAccount])
            }
            // The invite may exist: read the invites again before saying.
            // Someone resent meanwhile: nothing was sent; the guard reads
            // again and shows who (a new key: this resend is another one).
            Err(PortalError::Stale) => {
                self.submission.renew();
                Outcome::then(Then::CheckAgain)
            }
            Err(error) if answer_lost(&error) => {
                self.submission.fail(&error, cx.now, error.clone());
                self.checking = true;
                Outcome::then(Then::ReloadHistory)
            }
            Err(error) => {
                self.submission.fail(&error, cx.now, error.clone());
                Outcome::none()
            }
        })
    }
    /// Enter sends now unless it only arms the second look, a request is in
    /// flight or a 429's wait runs, or it retries a resend already made.
    fn guarded(&self, cx: &Cx<'_>) -> Option<Guarded> {
        let account = cx.account?;
        if self.submission.holds(cx.now) || self.checking || (risky(cx) && !self.second_look.armed) {
            return None;
        }
        let change = ChangeId::new("resend", account.id.as_str(), &request(account));
        (!cx.unconfirmed.holds(&change)).then_some(Guarded::Resend)
    }
    /// The invites read again after a lost answer: the invite shows (sent:
    /// close and say so) or it does not (not sent; Enter retries with the
    /// same key).
    fn invites_read(&mut self, shows: bool) -> Option<Outcome> {
        if !std::mem::take(&mut self.checking) {
            return None;
        }
        Some(if shows { Outcome::done(SHOWN_SENT, Vec::new()) } else { Outcome::none() })
    }
    fn countdown(&self) -> Option<bool> {
        Some(true)
    }
    fn form(&self) -> Form {
        Form::new(76, 12).pinned()
    }
}
