//! Fix (`f`): the top finding's remedy in one confirm dialog. It lists the
//! plan's steps in order and the reply it sends, written from the outcome
//! the steps are expected to leave, in full (wrapped, `PgDn` `PgUp`
//! scroll it; addresses masked until revealed: `F2`). Enter runs the steps
//! through the shared executor (`crate::fix`), which writes the reply again
//! from what the portal shows after them: when that differs from the one
//! approved, the dialog shows how and asks again. A failure part-way shows
//! each step done or not, and Enter again does only what is left, with the
//! same keys (nothing is done twice).
//!
//! It asks before doing anything on a ticket answered since the client
//! last wrote (what was done, when and by whom; Enter does it again), and
//! on a ticket someone else has claimed (Enter takes it over). When the
//! address on file bounced, the remedy is a call: the dialog shows the
//! number and what to say, and Enter records the call.

use chrono::{DateTime, Utc};

use super::account::AccountState;
use crate::diagnose::remedy::{self, Plan, RemedyKind};
use crate::diagnose::replies::Replies;
use crate::diagnose::troubleshoot;
use crate::fix::{Progress, StepState, Stop};
use crate::phi::{Phi, mask_emails_in};
use crate::portal::PortalError;
use crate::portal::model::{AccountId, TicketMessage};
use crate::request::FixRun;
use crate::sanitize::multiline as whole;
use crate::tui::action::{Action, Answer, Effect, ReqId, Request};
use crate::tui::component::{Banner, Component, Cx, Outcome, ScreenKind, Shared, Then};
use crate::tui::keymap::{CANCEL, confirm, screen_spec, special};
use crate::tui::live::Guarded;

use super::submission::{Submission, collision_rows};
use crate::tui::view_model::{Cell, Form, Meaning, Row, ViewModel};

/// What the dialog waits for the agent to acknowledge before Enter runs
/// the steps.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ask {
    /// The ticket was answered since the client last wrote (in words):
    /// Enter does it again.
    Answered(String),
    /// Someone else has the ticket: Enter takes it over.
    ClaimedBy(String),
    /// The reply written after the steps differs from the approved one:
    /// Enter sends the new one.
    Changed { approved: String },
}

/// The fix dialog. (No `Debug`: the plan's reply names the client.)
pub struct FixState {
    pub account_id: AccountId,
    pub plan: Plan,
    /// Each step's state and key, kept across retries (each step sends
    /// with its own key, so the submission's is not used).
    pub progress: Progress,
    /// The run in flight, and where the last run stopped, in words (no
    /// values).
    pub submission: Submission,
    /// The templates, to write the reply from the expected outcome as the
    /// dialog draws and as Enter approves it.
    replies: Replies,
    ask: Option<Ask>,
    /// How far the reply is scrolled.
    scroll: u16,
}

impl FixState {
    pub fn new(account_id: AccountId, plan: Plan, replies: Replies) -> Self {
        let progress = Progress::new(&plan);
        Self { account_id, plan, progress, submission: Submission::default(), replies, ask: None, scroll: 0 }
    }

    /// The reply as the portal is expected to show things after the steps,
    /// written now: what the agent reads, and what Enter approves.
    fn expected_reply(&self, account: Option<&AccountState>, now: DateTime<Utc>) -> Option<Phi<String>> {
        if self.progress.changed_reply.is_some() {
            return self.progress.changed_reply.clone();
        }
        self.plan.reply()?;
        let case = account?.case(now)?.revealed(true);
        let (account, invites) = remedy::expected(&case, &self.plan);
        let after = troubleshoot::Case { account: &account, invites: &invites, ..case };
        Some(remedy::reply_for(&self.plan, &after, &self.replies))
    }

    /// Enter: runs the steps not yet done (all of them the first time),
    /// or acknowledges what the dialog asked.
    fn confirm(&mut self, cx: &mut Cx<'_>) -> Vec<Effect> {
        if self.submission.is_sending() || self.progress.finished() {
            return Vec::new();
        }
        match self.ask.take() {
            Some(Ask::Answered(_)) => self.progress.repeat = true,
            Some(Ask::ClaimedBy(_)) => self.progress.take_over = true,
            Some(Ask::Changed { .. }) => {
                if let Some(new) = self.progress.changed_reply.take() {
                    self.plan.set_reply(new);
                }
            }
            None => {
                // What the agent sees is what is approved: written again at
                // this instant.
                if self.progress.states.iter().all(|s| !s.is_done())
                    && let Some(body) = self.expected_reply(cx.account, cx.now)
                {
                    self.plan.set_reply(body);
                }
            }
        }
        let req = cx.req();
        self.submission.start(req);
        // What the agent read: a change by someone else after it stops the
        // run before the next step (the collision guard between steps).
        self.progress.since =
            cx.account.and_then(|a| a.audit.data.as_ref()).map(|trail| trail.iter().map(|e| e.seq).max().unwrap_or(0));
        let request = Request::Fix {
            account_id: self.account_id.clone(),
            plan: Box::new(self.plan.clone()),
            progress: self.progress.clone(),
            replies: Box::new(self.replies.clone()),
        };
        vec![Effect::Portal(req, request)]
    }

    fn scroll_by(&mut self, lines: i32) {
        self.scroll = u16::try_from((i32::from(self.scroll) + lines).max(0)).unwrap_or(u16::MAX);
    }
}

/// Opens the fix dialog for the loaded account (with what the client wrote
/// in the ticket, when its conversation is loaded), or says why not.
/// `conversation` is the ticket's, when read: a ticket answered since the
/// client last wrote asks first.
/// What the fix dialog says, beside what it asks and the steps.
const BOUNCED: &str = "Email to this client bounced: call them.";
const SCRIPT_HIDDEN: &str = "The number and what to say show once revealed (F2)";
const CALL_DONE: &str = "Enter once the call is done: a note records it, the ticket is set pending";
const REPLY_HEAD: &str = "The reply (as the portal is expected to show things after the steps):";
const FIXING: &str = "Fixing…";
const FIX_HINT: &str = "Enter does it all · PgDn PgUp scroll · F2 reveal · Esc cancels";

/// A line of what is said or sent, set off on screen by a bar (`│ `) that
/// is not read out.
fn quoted(line: Cell) -> Row {
    Row::new(vec![Cell::muted("│").mark(), line.must()]).indent(0, 2)
}

/// A reply's sentences, to tell what changed between two.
fn sentences(text: &str) -> Vec<String> {
    text.split_inclusive(". ").map(str::to_owned).collect()
}

impl Ask {
    /// What is asked, and the choice the cursor is on (its keys), if any.
    fn words(&self) -> (String, Option<&'static str>) {
        match self {
            Ask::Answered(words) => (
                format!("Answered since the client last wrote: {words}. Nothing is sent unless you do it again."),
                Some("Enter: do it again · Esc: leave it"),
            ),
            Ask::ClaimedBy(owner) => {
                (format!("{owner}'s ticket: take it over and do the fix?"), Some("Enter: take it over · Esc: leave it"))
            }
            Ask::Changed { .. } => (
                "The reply written from what the portal now shows differs from the one you approved (− before, + now). Enter sends the new one; Esc cancels.".to_owned(),
                None,
            ),
        }
    }
}

impl FixState {
    fn title(&self) -> String {
        format!("Fix {}: {}?", self.plan.finding.as_str(), self.plan.kind.words())
    }

    /// The call script's lines (shown only while revealed).
    fn script_lines(&self) -> impl Iterator<Item = String> {
        let script = self.plan.call_script.as_ref().map(|s| s.expose().as_str()).unwrap_or_default();
        whole(script).lines().map(str::to_owned).collect::<Vec<_>>().into_iter()
    }

    /// Step `n`: `2. [done] Resend the invite to a•••@…`, and how it went.
    fn step_words(&self, n: usize, step: &remedy::Step, revealed: bool) -> (String, Meaning) {
        let (mark, meaning) = match self.progress.states.get(n) {
            Some(StepState::Done) => ("done", Meaning::Ok),
            Some(StepState::AlreadyDone) => ("already so", Meaning::Ok),
            Some(StepState::Failed) => ("FAILED", Meaning::Danger),
            _ => ("to do", Meaning::Muted),
        };
        (format!("{}. [{mark}] {}", n + 1, step.describe(revealed)), meaning)
    }
}

pub fn open(
    account: &AccountState,
    conversation: Option<&[TicketMessage]>,
    claimed_by: Option<&str>,
    replies: &Replies,
    now: DateTime<Utc>,
) -> Outcome {
    // The reply goes to the client: addresses in full (the dialog masks
    // them on screen until revealed).
    let Some(case) = account.case(now).map(|c| c.revealed(true)) else {
        return Outcome::banner(Banner::error("The account is still loading"));
    };
    let findings = troubleshoot::troubleshoot(&case, replies);
    let Some(plan) = remedy::plan(&case, &findings, &account.words, account.ticket_id.as_ref(), replies) else {
        return Outcome::banner(Banner::error("Nothing to fix: the diagnosis has no finding with a remedy"));
    };
    let mut state = FixState::new(account.id.clone(), plan, replies.clone());
    if let (Some(ticket), Some(messages)) = (&account.ticket_id, conversation)
        && let Some(answered) = remedy::answered_since_client(messages, case.audit, ticket)
    {
        state.ask = Some(Ask::Answered(answered.words(replies.zone())));
    } else if let Some(owner) = claimed_by {
        state.ask = Some(Ask::ClaimedBy(crate::sanitize::field(owner)));
    }
    Outcome::then(Then::Open(state.into()))
}

screen_spec!(
    FixState,
    "Fix",
    [
        confirm("do it all (again: only what is left)", "do it"),
        special(crossterm::event::KeyCode::PageDown, Action::PageDown, "scroll the reply down", ""),
        special(crossterm::event::KeyCode::PageUp, Action::PageUp, "scroll the reply up", ""),
        CANCEL
    ],
    phi,
    changes
);

impl Component for FixState {
    fn screen(&self) -> ScreenKind {
        ScreenKind::Fix
    }

    /// What is asked first (answered meanwhile, claimed by someone, a
    /// changed reply), the call to make, every step and how it went, the
    /// reply (masked as drawn) or its changes; then the status.
    fn model(&self, shared: &Shared<'_>) -> ViewModel {
        let (under, ui) = (shared, shared.ui);
        let mut rows = Vec::new();
        if let Some(ask) = &self.ask {
            let (said, choice) = ask.words();
            rows.push(Row::one(Cell::new(said, Meaning::Danger).must()).id("ask"));
            if let Some(choice) = choice {
                rows.push(Row::one(Cell::text(choice).must()).id("choice").selected(true));
            }
        }
        if self.plan.kind == RemedyKind::CallClient {
            rows.push(Row::one(Cell::new(BOUNCED, Meaning::Danger).must()).id("call"));
            if under.revealed {
                rows.extend(
                    self.script_lines().enumerate().map(|(n, l)| quoted(Cell::text(l)).id(format!("script {n}"))),
                );
            } else {
                rows.push(Row::one(Cell::muted(SCRIPT_HIDDEN)).id("script"));
            }
            rows.push(Row::one(Cell::muted(CALL_DONE)).id("call done"));
        }
        let steps = self.plan.steps.iter().enumerate().map(|(n, step)| {
            let (said, meaning) = self.step_words(n, step, under.revealed);
            Row::one(Cell::new(said, meaning).must()).id(format!("step {}", n + 1)).indent(0, 3)
        });
        let mut reply = Vec::new();
        let screen = |text: &str| if under.revealed { text.to_owned() } else { mask_emails_in(text) };
        let body_meaning = if under.revealed { Meaning::Text } else { Meaning::Masked };
        if let Some(Ask::Changed { approved }) = &self.ask {
            let new = self.progress.changed_reply.as_ref().map(|b| b.expose().as_str()).unwrap_or_default();
            let (old, now) = (sentences(approved), sentences(new));
            for s in old.iter().filter(|s| !now.contains(s)) {
                reply
                    .push(Row::one(Cell::new(format!("− {}", whole(&screen(s))), Meaning::Danger).must()).indent(0, 2));
            }
            for s in now.iter().filter(|s| !old.contains(s)) {
                reply.push(Row::one(Cell::new(format!("+ {}", whole(&screen(s))), Meaning::Ok).must()).indent(0, 2));
            }
            reply = reply.into_iter().enumerate().map(|(n, row)| row.id(format!("diff {n}"))).collect();
        } else if let Some(body) = self.expected_reply(under.account, ui.now) {
            reply.push(Row::one(Cell::muted(REPLY_HEAD)).id("reply"));
            let body = whole(&screen(body.expose())).into_owned();
            let lines = body.lines().enumerate();
            reply.extend(lines.map(|(n, l)| quoted(Cell::new(l, body_meaning)).id(format!("line {n}"))));
        }
        let mut foot = Vec::new();
        match (&self.submission.pending, &self.submission.error) {
            (Some(_), _) => foot.push(Row::one(Cell::muted(FIXING)).id("status")),
            (None, error) if let Some(text) = under.collision => {
                foot.extend(error.iter().map(|e| Row::one(Cell::new(e.clone(), Meaning::Danger).must()).id("error")));
                foot.extend(collision_rows(text, "does it"));
            }
            (None, Some(error)) => foot.push(Row::one(Cell::new(error.clone(), Meaning::Danger).must()).id("error")),
            (None, None) if self.ask.is_some() => {}
            (None, None) => foot.push(Row::one(Cell::muted(FIX_HINT)).id("keys")),
        }
        ViewModel::new(self.title()).rows("", rows).rows("Steps", steps.collect()).rows("", reply).rows("", foot)
    }

    fn on_action(&mut self, action: Action, cx: &mut Cx<'_>) -> Outcome {
        match action {
            Action::PageDown => {
                self.scroll_by(5);
                Outcome::none()
            }
            Action::PageUp => {
                self.scroll_by(-5);
                Outcome::none()
            }
            other => Outcome::sends(other, self.submission.is_sending(), || self.confirm(cx)),
        }
    }

    /// Enter runs the steps left.
    fn guarded(&self, _cx: &Cx<'_>) -> Option<Guarded> {
        (!self.submission.is_sending() && !self.progress.finished() && self.ask.is_none()).then_some(Guarded::Change)
    }

    /// The run's answer: all done, the dialog closes and the account, its
    /// invites, the ticket and the queue are read again; stopped part-way,
    /// each step shows done or not and Enter retries what is left.
    fn on_answer(&mut self, req: ReqId, answer: Answer, _cx: &mut Cx<'_>) -> Option<Outcome> {
        let Answer::Fix(result) = answer else { return None };
        let run = match self.submission.take(req, result)? {
            Ok(run) => run,
            Err(error) => {
                self.submission.error = Some(format!("{error}; Enter tries again"));
                return Some(Outcome::none());
            }
        };
        let FixRun { progress, stopped } = *run;
        self.progress = progress;
        let reload = vec![Then::ReloadAccount, Then::ReloadQueue];
        let done = self.progress.done_count();
        Some(match stopped {
            None => Outcome::done(self.plan.done_words(), reload),
            Some(stopped) => match stopped.stop {
                // Someone changed the account between two steps: the guard
                // reads it again and shows what; Enter then does what is left.
                Stop::Failed(PortalError::Stale) => {
                    self.submission.error = Some(format!(
                        "Held back before step {}: the account or ticket changed meanwhile. {done} done",
                        stopped.step + 1,
                    ));
                    Outcome { then: vec![Then::ReloadQueue, Then::CheckAgain], ..Outcome::none() }
                }
                Stop::Failed(error) => {
                    self.submission.error = Some(format!(
                        "Step {} failed: {error}. {done} done; Enter does only what is left",
                        stopped.step + 1,
                    ));
                    // What was done shows on the account at once.
                    Outcome { then: reload, ..Outcome::none() }
                }
                Stop::ReplyChanged => {
                    let approved = self.plan.reply().map(|(b, _)| b.expose().clone()).unwrap_or_default();
                    self.ask = Some(Ask::Changed { approved });
                    self.scroll = 0;
                    Outcome { then: reload, ..Outcome::none() }
                }
                Stop::ClaimedBy(owner) => {
                    self.ask = Some(Ask::ClaimedBy(crate::sanitize::field(&owner)));
                    Outcome { then: vec![Then::ReloadQueue], ..Outcome::none() }
                }
                Stop::Undeliverable => {
                    self.submission.error = Some(format!(
                        "Not sent: the address on file bounced, so the reply would not be read. {done} done; call the client"
                    ));
                    Outcome { then: reload, ..Outcome::none() }
                }
            },
        })
    }
    /// Its status stays at the foot while the steps and the reply scroll.
    fn form(&self) -> Form {
        Form::new(96, 30).scroll(self.scroll).pinned()
    }
}
