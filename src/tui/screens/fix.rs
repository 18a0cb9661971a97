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
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::account::AccountState;
use super::{Ui, dialog};
use crate::diagnose::remedy::{self, Plan, RemedyKind};
use crate::diagnose::replies::Replies;
use crate::diagnose::troubleshoot;
use crate::fix::{Progress, StepState, Stop};
use crate::phi::{Phi, mask_emails_in};
use crate::portal::PortalError;
use crate::portal::model::{AccountId, TicketMessage};
use crate::sanitize::multiline as whole;
use crate::tui::action::{Action, Answer, Effect, ReqId, Request};
use crate::tui::dialog::{Banner, Cx, Dialog, Outcome, Then, Under};
use crate::tui::keymap::{CANCEL, confirm, screen_spec, special};
use crate::tui::live::Guarded;
use crate::tui::request::FixRun;

use super::submission::{Submission, collision_lines, lately_lines};

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
    ]
);

impl Dialog for FixState {
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

    /// Draws the fix dialog.
    fn render(&self, under: &Under<'_>, frame: &mut Frame<'_>, area: Rect, ui: &Ui<'_>) {
        let theme = ui.theme;
        let title = format!("Fix {}: {}?", self.plan.finding.as_str(), self.plan.kind.words());
        let inner = dialog(frame, area, (96, 30), &title, theme);
        let screen = |text: &str| if under.revealed { text.to_owned() } else { mask_emails_in(text) };
        let mut lines: Vec<Line<'_>> = lately_lines(under.lately, usize::from(inner.width), theme);
        match &self.ask {
            Some(Ask::Answered(words)) => {
                lines.push(Line::styled(
                    format!("Answered since the client last wrote: {words}. Nothing is sent unless you do it again."),
                    theme.danger,
                ));
                lines.push(Line::styled("▶ Enter: do it again · Esc: leave it", theme.selected));
            }
            Some(Ask::ClaimedBy(owner)) => {
                lines.push(Line::styled(format!("{owner}'s ticket: take it over and do the fix?"), theme.danger));
                lines.push(Line::styled("▶ Enter: take it over · Esc: leave it", theme.selected));
            }
            Some(Ask::Changed { .. }) => lines.push(Line::styled(
                "The reply written from what the portal now shows differs from the one you approved (− before, + now). Enter sends the new one; Esc cancels.",
                theme.danger,
            )),
            None => {}
        }
        if self.plan.kind == RemedyKind::CallClient {
            lines.push(Line::styled("Email to this client bounced: call them.", theme.danger));
            let script = self.plan.call_script.as_ref().map(|s| s.expose().as_str()).unwrap_or_default();
            if under.revealed {
                lines.extend(whole(script).lines().map(|l| Line::styled(format!("│ {l}"), theme.text)));
            } else {
                lines.push(Line::styled("The number and what to say show once revealed (F2)", theme.muted));
            }
            lines.push(Line::styled(
                "Enter once the call is done: a note records it, the ticket is set pending",
                theme.muted,
            ));
        }
        for (n, step) in self.plan.steps.iter().enumerate() {
            let (mark, style) = match self.progress.states.get(n) {
                Some(StepState::Done) => ("done", theme.ok),
                Some(StepState::AlreadyDone) => ("already so", theme.ok),
                Some(StepState::Failed) => ("FAILED", theme.danger),
                _ => ("to do", theme.muted),
            };
            lines.push(Line::styled(format!("{}. [{mark}] {}", n + 1, step.describe(under.revealed)), style));
        }
        if let Some(Ask::Changed { approved }) = &self.ask {
            let new = self.progress.changed_reply.as_ref().map(|b| b.expose().as_str()).unwrap_or_default();
            let sentences = |t: &str| t.split_inclusive(". ").map(str::to_owned).collect::<Vec<_>>();
            let (old, now) = (sentences(approved), sentences(new));
            for s in old.iter().filter(|s| !now.contains(s)) {
                lines.push(Line::styled(format!("− {}", whole(&screen(s))), theme.danger));
            }
            for s in now.iter().filter(|s| !old.contains(s)) {
                lines.push(Line::styled(format!("+ {}", whole(&screen(s))), theme.ok));
            }
        } else if let Some(body) = self.expected_reply(under.account, ui.now) {
            lines.push(Line::styled(
                "The reply (as the portal is expected to show things after the steps):",
                theme.muted,
            ));
            lines.extend(whole(&screen(body.expose())).lines().map(|l| Line::styled(format!("│ {l}"), theme.text)));
        }
        let mut foot = Vec::new();
        let status = match (&self.submission.pending, &self.submission.error) {
            (Some(_), _) => Line::styled("Fixing…", theme.muted),
            (None, error) if let Some(text) = under.collision => {
                if let Some(error) = error {
                    foot.push(Line::styled(error.clone(), theme.danger));
                }
                foot.extend(collision_lines(text, "does it", theme));
                Line::default()
            }
            (None, Some(error)) => Line::styled(error.clone(), theme.danger),
            (None, None) if self.ask.is_some() => Line::default(),
            (None, None) => Line::styled("Enter does it all · PgDn PgUp scroll · F2 reveal · Esc cancels", theme.muted),
        };
        foot.push(status);
        // The head and the foot stay; the reply between them scrolls.
        let [body_area, foot_area] = ratatui::layout::Layout::vertical([
            ratatui::layout::Constraint::Min(1),
            ratatui::layout::Constraint::Length(u16::try_from(foot.len()).unwrap_or(1).min(inner.height / 2)),
        ])
        .areas(inner);
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).scroll((self.scroll, 0)), body_area);
        frame.render_widget(Paragraph::new(foot).wrap(Wrap { trim: false }), foot_area);
    }
}
