//! Fix (`f`): the top finding's remedy in one confirm dialog. It lists the
//! plan's steps in order (addresses and DOB masked unless revealed) and the
//! reply; Enter runs them through the shared executor (`crate::fix`). A
//! failure part-way shows each step done or not, and Enter again does only
//! what is left, with the same keys (nothing is done twice).

use crate::tui::keymap::{CANCEL, confirm, screen_spec};
use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::account::AccountState;
use super::{Ui, dialog, shown};
use crate::diagnose::remedy::{self, Plan};
use crate::diagnose::replies::Replies;
use crate::diagnose::troubleshoot;
use crate::fix::{Progress, StepState};
use crate::portal::model::AccountId;
use crate::tui::action::{Action, Answer, Effect, ReqId, Request};
use crate::tui::dialog::{Banner, Cx, Dialog, Outcome, Then, Under};
use crate::tui::live::Guarded;
use crate::tui::request::FixRun;

use super::submission::{Submission, collision_lines};

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
}

impl FixState {
    pub fn new(account_id: AccountId, plan: Plan) -> Self {
        let progress = Progress::new(&plan);
        Self { account_id, plan, progress, submission: Submission::default() }
    }

    /// Enter: runs the steps not yet done (all of them the first time).
    fn confirm(&mut self, cx: &mut Cx<'_>) -> Vec<Effect> {
        if self.submission.is_sending() || self.progress.finished() {
            return Vec::new();
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
        };
        vec![Effect::Portal(req, request)]
    }

    /// What the banner says once every step is done.
    fn done_text(&self) -> String {
        let replied = match &self.plan.ticket_id {
            Some(ticket) => format!("; replied on {ticket}"),
            None => String::new(),
        };
        format!("Fixed {} ({}){replied}", self.plan.finding.as_str(), self.plan.kind)
    }
}

/// Opens the fix dialog for the loaded account (with what the client wrote
/// in the ticket, when its conversation is loaded), or says why not.
pub fn open(account: &AccountState, replies: &Replies, now: DateTime<Utc>) -> Outcome {
    // The reply goes to the client: addresses in full, as a copied reply.
    let Some(case) = account.case(now).map(|c| c.revealed(true)) else {
        return Outcome::banner(Banner::error("The account is still loading"));
    };
    let findings = troubleshoot::troubleshoot(&case, replies);
    match remedy::plan(&case, &findings, &account.words, account.ticket_id.as_ref(), replies) {
        Some(plan) => Outcome::then(Then::Open(FixState::new(account.id.clone(), plan).into())),
        None => Outcome::banner(Banner::error("Nothing to fix: the diagnosis has no finding with a remedy")),
    }
}

screen_spec!(FixState, "Fix", [confirm("do it all (again: only what is left)", "do it"), CANCEL]);

impl Dialog for FixState {
    fn on_action(&mut self, action: Action, cx: &mut Cx<'_>) -> Outcome {
        Outcome::sends(action, self.submission.is_sending(), || self.confirm(cx))
    }

    /// Enter runs the steps left.
    fn guarded(&self, _cx: &Cx<'_>) -> Option<Guarded> {
        (!self.submission.is_sending() && !self.progress.finished()).then_some(Guarded::Change)
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
        Some(match stopped {
            None => Outcome::done(self.done_text(), reload),
            // Someone changed the account between two steps: the guard
            // reads it again and shows what; Enter then does what is left.
            Some(stopped) if stopped.error == crate::portal::PortalError::Stale => {
                let done = self.progress.states.iter().filter(|s| s.is_done()).count();
                self.submission.error = Some(format!(
                    "Held back before step {}: the account changed meanwhile. {done} of {} done",
                    stopped.step + 1,
                    self.progress.states.len()
                ));
                Outcome { then: vec![Then::ReloadQueue, Then::CheckAgain], ..Outcome::none() }
            }
            Some(stopped) => {
                let done = self.progress.states.iter().filter(|s| s.is_done()).count();
                self.submission.error = Some(format!(
                    "Step {} failed: {}. {done} of {} done; Enter does only what is left",
                    stopped.step + 1,
                    stopped.error,
                    self.progress.states.len()
                ));
                // What was done shows on the account at once.
                Outcome { then: reload, ..Outcome::none() }
            }
        })
    }

    /// Draws the fix dialog.
    fn render(&self, under: &Under<'_>, frame: &mut Frame<'_>, area: Rect, ui: &Ui<'_>) {
        let theme = ui.theme;
        let title = format!("Fix {} ({})?", self.plan.finding.as_str(), self.plan.kind);
        let inner = dialog(frame, area, (90, 22), &title, theme);
        let mut lines = Vec::new();
        for (n, step) in self.plan.steps.iter().enumerate() {
            let (mark, style) = match self.progress.states.get(n) {
                Some(StepState::Done) => ("done", theme.ok),
                Some(StepState::AlreadyDone) => ("already so", theme.ok),
                Some(StepState::Failed) => ("FAILED", theme.danger),
                _ => ("not done", theme.muted),
            };
            lines.push(Line::styled(format!("{}. [{mark}] {}", n + 1, step.describe(under.revealed)), style));
        }
        lines.push(Line::default());
        match self.plan.reply() {
            Some((body, _)) if under.revealed => {
                lines.extend(shown(body.expose()).lines().map(|l| Line::styled(format!("│ {l}"), theme.text)));
            }
            Some(_) => lines.push(Line::styled("The reply shows once revealed (v on the account)", theme.muted)),
            None => {}
        }
        lines.push(Line::default());
        let status = match (&self.submission.pending, &self.submission.error) {
            (Some(_), _) => Line::styled("Fixing…", theme.muted),
            (None, error) if let Some(text) = under.collision => {
                if let Some(error) = error {
                    lines.push(Line::styled(error.clone(), theme.danger));
                }
                lines.extend(collision_lines(text, "does it", theme));
                Line::default()
            }
            (None, Some(error)) => Line::styled(error.clone(), theme.danger),
            (None, None) => Line::styled("Enter does it all · Esc cancels", theme.muted),
        };
        lines.push(status);
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    }
}
