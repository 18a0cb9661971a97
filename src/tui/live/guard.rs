//! The collision guard: what the agent read when a changing dialog opened
//! ([`Seen`]), what others changed since ([`changes_since`]) or lately
//! ([`lately`]), in words, and the confirm it holds back until seen.

use super::*;

/// Invites read this recently are taken as current by the collision guard
/// (unless an event said otherwise); older ones are read again first.
pub const GUARD_FRESH: chrono::Duration = chrono::Duration::seconds(2);
/// What the agent had read of the open account when a changing dialog
/// opened (or when the guard last showed what changed since): the
/// baseline the collision guard compares the account with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen {
    pub etag: Option<ETag>,
    pub invites: Option<Vec<InviteId>>,
    /// The newest entry of the account's audit trail read (its `seq`).
    pub audit_seq: Option<i64>,
}

impl Seen {
    /// What the console holds of `account` now.
    pub fn of(account: &AccountState) -> Self {
        Self {
            etag: account.account.data.as_ref().map(|a| a.etag.clone()),
            invites: account.invites.data.as_ref().map(|list| list.iter().map(|i| i.id.clone()).collect()),
            audit_seq: account.audit.data.as_ref().map(|trail| trail.iter().map(|e| e.seq).max().unwrap_or(0)),
        }
    }
}

/// What a change about to be sent is, for the collision guard: a resend
/// also meets the resend window (`resend_guard_minutes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guarded {
    Resend,
    Change,
}

/// The collision guard of the open changing dialog.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Guard {
    /// Not checked yet.
    #[default]
    Idle,
    /// The account is being read again (this request); `resume` sends the
    /// change when nothing changed (a confirm), else it waits (a 412).
    Checking { req: ReqId, resume: bool },
    /// What changed was shown: the next confirm sends knowingly.
    Shown(String),
    /// Checked (or acknowledged): confirming sends.
    Cleared,
}

pub use crate::request::GuardRead;

/// The account as it stands now, for [`changes_since`].
#[derive(Debug, Clone, Copy)]
pub struct Standing<'a> {
    pub etag: Option<&'a ETag>,
    pub invites: &'a [Invite],
    pub audit: &'a [AuditEntry],
}

impl<'a> Standing<'a> {
    pub fn of(account: &'a AccountState) -> Self {
        Self {
            etag: account.account.data.as_ref().map(|a| &a.etag),
            invites: account.invites.data.as_deref().unwrap_or_default(),
            audit: account.audit.data.as_deref().unwrap_or_default(),
        }
    }
}

/// Who asks, and when, for [`changes_since`].
#[derive(Debug, Clone, Copy)]
pub struct Asking<'a> {
    /// This console's staff id, if known: its own entries are no change.
    pub me: Option<&'a str>,
    /// Invites this console's own resends made.
    pub own: &'a [InviteId],
    /// For a resend, the resend window: an invite sent within it needs a
    /// second confirm, even one sent before the account was read.
    pub resend_window: Option<Duration>,
    pub now: DateTime<Utc>,
}

/// How many changes are named one by one; more are counted.
const NAMED: usize = 3;

/// What others changed on the account since the agent read it (`seen`),
/// in words, with who and how long ago ("agent_rivera resent the invite
/// 40s ago; agent_chen changed the DOB on file 2m ago."), from its
/// audit trail, its invites and its version; for a resend, also an invite
/// sent within the resend window. `None` when nothing did. Pure: the
/// instant is given. Never a value (no DOB, no address, no reason).
pub fn changes_since(seen: &Seen, standing: Standing<'_>, asking: Asking<'_>) -> Option<String> {
    let Asking { me, own, resend_window, now } = asking;
    let mut newer: Vec<&AuditEntry> = standing
        .audit
        .iter()
        .filter(|e| seen.audit_seq.is_some_and(|s| e.seq > s) && Some(e.actor.as_str()) != me && e.action.is_change())
        .collect();
    let mut said = named(&mut newer, me, now);
    let mut resent = newer.iter().any(|e| e.action == AuditAction::InviteSent);
    // Who sent an invite, from the trail (the entry made with it).
    let sender = |invite: &Invite| crate::diagnose::invite::sender(invite, standing.audit);
    let others: Vec<&Invite> = standing.invites.iter().filter(|i| !own.contains(&i.id)).collect();
    // An invite not read before (sent by this staff member from another
    // console, or the trail was not read).
    if !resent
        && let Some(seen_invites) = &seen.invites
        && let Some(new) = others.iter().filter(|i| !seen_invites.contains(&i.id)).max_by_key(|i| i.sent_at)
    {
        said.push(format!("{} sent a new invite {}", who(sender(new), me), ago(now - new.sent_at)));
        resent = true;
    }
    if said.is_empty() && seen.etag.is_some() && standing.etag.is_some() && seen.etag.as_ref() != standing.etag {
        said.push("the account changed since you read it".to_owned());
    }
    // The resend window counts every invite, this console's own too (a
    // resend whose answer was lost, then `r` Enter again moments later).
    if !resent
        && let Some(window) = resend_window.and_then(|w| chrono::Duration::from_std(w).ok())
        && let Some((latest, by)) =
            crate::diagnose::invite::within_resend_window(standing.invites, standing.audit, window, now)
    {
        let by = if own.contains(&latest.id) { "you".to_owned() } else { who(by, me) };
        said.push(format!("{by} resent the invite {}; another now stops that link working", ago(now - latest.sent_at)));
    }
    (!said.is_empty()).then(|| format!("{}.", said.join("; ")))
}

/// Audit entries in words, newest first, with who and how long ago
/// ("agent_rivera resent the invite 40s ago"): the first few named, the
/// rest counted. The one wording of the guard and of [`lately`].
fn named(entries: &mut [&AuditEntry], me: Option<&str>, now: DateTime<Utc>) -> Vec<String> {
    entries.sort_by_key(|e| std::cmp::Reverse(e.seq));
    let mut said: Vec<String> = entries
        .iter()
        .take(NAMED)
        .map(|e| format!("{} {} {}", who(Some(e.actor.as_str()), me), what(e), ago(now - e.at)))
        .collect();
    if entries.len() > NAMED {
        said.push(format!("{} more changes", entries.len() - NAMED));
    }
    said
}

/// What others (any actor but `me`) did to the account or its ticket
/// within `window` before `now`, from its audit trail, in the guard's
/// words: "agent_rivera resent the invite 4m ago; agent_chen changed the
/// DOB on file 2m ago." Said as a changing dialog opens, before any
/// confirm; `None` when nobody else did anything lately. Pure; never a
/// value (no DOB, no address, no reason).
pub fn lately(audit: &[AuditEntry], me: Option<&str>, window: Duration, now: DateTime<Utc>) -> Option<String> {
    let window = chrono::Duration::from_std(window).ok()?;
    let mut recent: Vec<&AuditEntry> =
        audit.iter().filter(|e| Some(e.actor.as_str()) != me && now - e.at <= window && e.action.is_change()).collect();
    let said = named(&mut recent, me, now);
    (!said.is_empty()).then(|| format!("{}.", said.join("; ")))
}

/// What an audit entry did, in the help desk's words (never its summary's
/// values: the kind of change only).
fn what(entry: &AuditEntry) -> &'static str {
    let summary = entry.summary.as_str();
    match entry.action {
        AuditAction::InviteSent => "resent the invite",
        AuditAction::InviteRevoked => "revoked an invite",
        AuditAction::AccountUpdated => {
            let dob = summary.contains("date of birth");
            let addresses = summary.contains("address") || summary.contains("email");
            match (dob, addresses) {
                (true, true) => "changed the DOB on file and the email addresses",
                (true, false) => "changed the DOB on file",
                (false, true) => "changed the email addresses",
                (false, false) => "changed the account",
            }
        }
        AuditAction::TicketUpdated if summary.ends_with(&format!("assigned to {}", entry.actor)) => {
            "claimed the ticket"
        }
        AuditAction::TicketUpdated => "changed the ticket",
        AuditAction::NoteAdded => "added a note to the ticket",
        AuditAction::ReplySent => "replied to the client",
        AuditAction::DetailsRevealed => "revealed the client's details",
    }
}

/// Who, for the collision texts: the staff id (this console's own, from
/// another console, says so), or "someone" when the portal did not say.
pub(crate) fn who(actor: Option<&str>, me: Option<&str>) -> String {
    match actor {
        Some(actor) => {
            let shown = crate::sanitize::field(actor);
            if Some(actor) == me { format!("{shown} (you, in another console)") } else { shown }
        }
        None => "someone".to_owned(),
    }
}

impl App {
    /// An event about the open account or its ticket: a change by someone
    /// else (or by this staff member from another console) means the next
    /// confirm checks again, even one already cleared or shown.
    pub(super) fn changed_under_guard(&mut self, event: &PortalEvent) {
        let by_other = event.actor.as_deref().is_some_and(|actor| self.live.me.as_deref() != Some(actor));
        let not_own = event.kind == EventType::InviteSent
            && event.invite_id.as_ref().is_some_and(|id| !self.live.own.contains(id));
        let change = matches!(
            event.kind,
            EventType::InviteSent
                | EventType::InviteRevoked
                | EventType::AccountChanged
                | EventType::TicketUpdated
                | EventType::TicketMessage
        );
        if change && (by_other || not_own) && !matches!(self.live.guard, Guard::Checking { .. }) {
            self.live.guard = Guard::Idle;
        }
    }

    /// Confirm in a changing dialog: `Some` when the guard takes it (a
    /// read first, or what changed to show), `None` to let the dialog send.
    /// One guard for every dialog: each says, through
    /// [`Component::guarded`](crate::tui::component::Component::guarded), whether its
    /// confirm sends a change now.
    pub(in crate::tui) fn guard_confirm(&mut self, now: DateTime<Utc>) -> Option<Vec<Effect>> {
        let guarded = self.with_dialog(now, |dialog, cx| dialog.guarded(cx)).flatten()?;
        match std::mem::take(&mut self.live.guard) {
            Guard::Cleared | Guard::Shown(_) => {
                self.live.guard = Guard::Cleared;
                None
            }
            checking @ Guard::Checking { .. } => {
                self.live.guard = checking;
                Some(Vec::new())
            }
            Guard::Idle => {
                let account = self.stack.account()?;
                let fresh = self.live.invites_read_at.is_some_and(|at| now - at <= GUARD_FRESH)
                    && !self.live.stale.any()
                    && !account.account.is_loading()
                    && !account.invites.is_loading()
                    && !account.audit.is_loading();
                if fresh {
                    return self.guard_verdict(guarded, now);
                }
                Some(self.guard_check(true))
            }
        }
    }

    /// Reads the account again for the guard; `resume` sends the change
    /// once nothing changed.
    fn guard_check(&mut self, resume: bool) -> Vec<Effect> {
        let Some(account_id) = self.stack.account().map(|a| a.id.clone()) else { return Vec::new() };
        let req = self.req();
        self.live.guard = Guard::Checking { req, resume };
        vec![Effect::Portal(req, Request::GuardRead { account_id })]
    }

    /// Shows what changed (`Some`) or clears the guard (`None`: send).
    fn guard_verdict(&mut self, guarded: Guarded, now: DateTime<Utc>) -> Option<Vec<Effect>> {
        let account = self.stack.account()?;
        let seen = self.live.seen.clone().unwrap_or_else(|| Seen::of(account));
        let asking = Asking {
            me: self.live.me.as_deref(),
            own: &self.live.own,
            resend_window: (guarded == Guarded::Resend).then_some(self.live.resend_guard),
            now,
        };
        // Someone else's ticket: named, and asked (the fix dialog asks it
        // itself).
        let owner = self
            .stack
            .ticket()
            .filter(|pane| account.ticket_id.as_ref() == Some(&pane.id))
            .and_then(|pane| pane.claimed_by_other())
            .filter(|_| self.overlay.as_ref().map(Overlay::kind) != Some(crate::tui::keymap::ScreenKind::Fix))
            .map(|owner| format!("{}'s ticket: Enter again takes it over and does it.", crate::sanitize::field(owner)));
        self.live.take_over = owner.is_some();
        let changes = changes_since(&seen, Standing::of(account), asking);
        let said = match (changes, owner) {
            (Some(changes), Some(owner)) => Some(format!("{changes} {owner}")),
            (changes, owner) => changes.or(owner),
        };
        match said {
            Some(text) => {
                tracing::info!("change held back: the account changed since it was read");
                self.banner = Some(Banner::error(format!("{text} Enter again sends anyway; Esc cancels.")));
                // What the dialog shows is what was just read: the next
                // confirm goes against it, knowingly.
                self.live.seen = Some(Seen::of(account));
                if let Some(current) = account.account.data.clone() {
                    self.with_dialog(now, |dialog, _| dialog.rebase(&current));
                }
                self.live.guard = Guard::Shown(text);
                Some(Vec::new())
            }
            None => {
                self.live.guard = Guard::Cleared;
                None
            }
        }
    }

    /// Whether the confirm about to be taken sends a change the guard
    /// showed to be on someone else's ticket: it then takes the ticket
    /// over too (once).
    pub(in crate::tui) fn takes_over(&mut self) -> bool {
        let taking = matches!(self.live.guard, Guard::Shown(_)) && self.live.take_over;
        if taking {
            self.live.take_over = false;
        }
        taking
    }

    /// A change was refused because the account moved under it (a 412, or
    /// a resend whose `newest_seen` is no longer the newest): read again
    /// and show what changed; the next confirm sends knowingly.
    pub(in crate::tui) fn guard_refused(&mut self) -> Vec<Effect> {
        self.guard_check(false)
    }

    /// The guard's read: shows what changed, or sends.
    pub(in crate::tui) fn guard_answer(
        &mut self,
        req: ReqId,
        result: Result<Box<GuardRead>, PortalError>,
        now: DateTime<Utc>,
    ) -> Vec<Effect> {
        let Guard::Checking { req: awaited, resume } = self.live.guard else { return Vec::new() };
        if awaited != req {
            return Vec::new();
        }
        self.live.guard = Guard::Idle;
        let read = match result {
            Ok(read) => read,
            Err(error) => {
                self.banner = Some(Banner::error(format!(
                    "Could not check for others' changes first ({}); Enter tries again.",
                    error.kind()
                )));
                return if error.is_unreachable() { self.go_offline(now) } else { Vec::new() };
            }
        };
        let GuardRead { account: current, invites, audit, me } = *read;
        self.live.me = Some(me);
        let Some(account) = self.stack.account_mut() else { return Vec::new() };
        // What the dialog and the screen show is what was just read.
        account.account.data = Some(current);
        account.invites.data = Some(invites);
        account.audit.data = Some(audit);
        account.clamp();
        self.live.invites_read_at = Some(now);
        let Some(guarded) = self.with_dialog(now, |dialog, cx| dialog.guarded(cx)).flatten() else {
            return Vec::new();
        };
        match self.guard_verdict(guarded, now) {
            Some(effects) => effects,
            None if resume => self.on_overlay_action(crate::tui::action::Action::Confirm, now),
            None => Vec::new(),
        }
    }
}

/// Whether a dialog of this kind sends changes the guard checks.
pub(super) fn guarded_kind(kind: crate::tui::keymap::ScreenKind) -> bool {
    kind.spec().guarded()
}

/// Whether a dialog of this kind says, as it opens, what others did to the
/// account or its ticket lately: the changing ones, a reply and a note.
pub(super) fn noticed_kind(kind: crate::tui::keymap::ScreenKind) -> bool {
    kind.spec().presence != crate::portal::model::PresenceMode::Viewing
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::portal::model::AuditAction;

    fn entry(seq: i64, actor: &str, action: AuditAction, summary: &str, at: DateTime<Utc>) -> AuditEntry {
        AuditEntry {
            seq,
            at,
            actor: actor.into(),
            action,
            account_id: None,
            ticket_id: None,
            summary: summary.into(),
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    #[test]
    fn changes_since_names_what_and_who_from_the_trail_never_values_and_not_ones_own() {
        let now = DateTime::UNIX_EPOCH + chrono::Duration::days(1);
        let trail = vec![
            entry(1, "agent_chen", AuditAction::NoteAdded, "internal note added", now),
            entry(
                2,
                "agent_rivera",
                AuditAction::InviteSent,
                "invite sent to s***@e***.org",
                now - Duration::from_secs(40),
            ),
            entry(
                3,
                "agent_chen",
                AuditAction::AccountUpdated,
                "date of birth changed; reason: 03/05/1990",
                now - Duration::from_secs(120),
            ),
            entry(4, "agent_sandbox", AuditAction::AccountUpdated, "address a***@b***.org added; reason: x", now),
        ];
        let seen = Seen { etag: None, invites: None, audit_seq: Some(1) };
        let standing = Standing { etag: None, invites: &[], audit: &trail };
        let asking = Asking { me: Some("agent_sandbox"), own: &[], resend_window: None, now };
        assert_eq!(
            changes_since(&seen, standing, asking).as_deref(),
            Some("agent_chen changed the DOB on file 2m ago; agent_rivera resent the invite 40s ago.")
        );
        // Nothing after what was read: nothing to say.
        let seen = Seen { audit_seq: Some(4), ..seen };
        assert_eq!(changes_since(&seen, standing, asking), None);
        // A claim is named as one.
        let claim =
            [entry(5, "agent_rivera", AuditAction::TicketUpdated, "ticket T-1 is open, assigned to agent_rivera", now)];
        let standing = Standing { audit: &claim, ..standing };
        assert_eq!(
            changes_since(&seen, standing, asking).as_deref(),
            Some("agent_rivera claimed the ticket just now.")
        );
    }

    #[test]
    fn lately_names_others_within_the_window_newest_first_never_ones_own_nor_older() {
        let now = DateTime::UNIX_EPOCH + chrono::Duration::days(1);
        let minutes = |m: u64| Duration::from_secs(m * 60);
        let trail = vec![
            entry(1, "agent_chen", AuditAction::NoteAdded, "internal note added", now - minutes(9)),
            entry(2, "agent_rivera", AuditAction::InviteSent, "invite sent to s***@e***.org", now - minutes(4)),
            entry(3, "agent_sandbox", AuditAction::AccountUpdated, "date of birth changed", now - minutes(1)),
            entry(4, "agent_chen", AuditAction::AccountUpdated, "date of birth changed; reason: x", now - minutes(2)),
        ];
        assert_eq!(
            lately(&trail, Some("agent_sandbox"), minutes(5), now).as_deref(),
            Some("agent_chen changed the DOB on file 2m ago; agent_rivera resent the invite 4m ago.")
        );
        assert_eq!(lately(&trail, Some("agent_sandbox"), minutes(1), now), None);
        assert_eq!(lately(&[], Some("agent_sandbox"), minutes(5), now), None);
    }
}
