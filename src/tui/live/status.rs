//! The live status line on the view's bottom border: who else is on a
//! ticket, and whether the client is on the invite page now.

use super::*;

/// How far back visits and DOB refusals count as "on the invite page now".
pub const ON_PAGE_FOR: chrono::Duration = chrono::Duration::seconds(60);

/// The client on the invite page: visits and DOB refusals of the open
/// account's invites, from the events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OnPage {
    pub account_id: Option<AccountId>,
    pub visits: Vec<DateTime<Utc>>,
    pub refusals: Vec<DateTime<Utc>>,
}

impl OnPage {
    /// The line for the account screen, if the client was on the page in
    /// the last minute: "On the invite page now · DOB refused 2× in the
    /// last minute".
    pub fn line(&self, now: DateTime<Utc>) -> Option<String> {
        let recent = |times: &[DateTime<Utc>]| times.iter().filter(|&&t| now - t <= ON_PAGE_FOR).count();
        let (visits, refusals) = (recent(&self.visits), recent(&self.refusals));
        match (visits, refusals) {
            (0, 0) => None,
            (_, 0) => Some("On the invite page now".to_owned()),
            (_, n) => Some(format!("On the invite page now · DOB refused {n}× in the last minute")),
        }
    }

    pub(super) fn note(&mut self, account_id: &AccountId, kind: EventType, at: DateTime<Utc>) {
        if self.account_id.as_ref() != Some(account_id) {
            *self = OnPage { account_id: Some(account_id.clone()), ..OnPage::default() };
        }
        let times = if kind == EventType::InviteDobRefused { &mut self.refusals } else { &mut self.visits };
        times.retain(|&t| at - t <= ON_PAGE_FOR);
        // A refusal is a visit too.
        times.push(at);
        if kind == EventType::InviteDobRefused {
            self.visits.push(at);
        }
    }
}

/// What the client typed in their newest DOB refused on the invite page in
/// the last minute, as the portal reports it (its staff API, read again
/// after the event): masked like every DOB until the account is revealed,
/// with the DOB check's word on it against the DOB on file, and, revealed,
/// the entry to type: "typed ••/••/•••• · day-first: the portal wants the
/// month first". `None` when the portal reported no such value.
pub fn refused_entry(account: &AccountState, now: DateTime<Utc>) -> Option<String> {
    use crate::diagnose::dob::{self, DobContext};
    let invites = account.invites.data.as_deref()?;
    let (_, typed) = invites
        .iter()
        .flat_map(|i| &i.visits)
        .filter(|v| v.outcome == VisitOutcome::DobRefused && now - v.at <= ON_PAGE_FOR)
        .filter_map(|v| Some((v.at, v.typed_dob.as_ref()?)))
        .max_by_key(|(at, _)| *at)?;
    let data = &account.account.data.as_ref()?.value;
    let ctx = DobContext { today: now.date_naive(), account_created: Some(data.created_at.date_naive()) };
    let check = dob::check_dob(*data.dob.expose(), typed.expose(), &ctx);
    let why = check.findings.first().map_or("check it against the DOB on file", |f| dob_word(f.code));
    if !account.revealed {
        return Some(format!("typed {} · {why}", crate::phi::DOB_MASK));
    }
    let mut line = format!("typed \"{}\" · {why}", crate::sanitize::line(typed.expose()));
    if let Some(entry) = check.suggested_entry {
        line.push_str(&format!(" → {entry}"));
    }
    Some(line)
}

/// The DOB check's finding in a few words, for the line on the page.
fn dob_word(code: crate::diagnose::dob::DobCode) -> &'static str {
    use crate::diagnose::dob::DobCode;
    match code {
        DobCode::DayMonthSwapped => "day-first: the portal wants the month first",
        DobCode::ReadsTwoWays => "reads two ways: ask which date they mean",
        DobCode::NotZeroPadded => "no leading zeros: two digits for month and day",
        DobCode::TwoDigitYear => "2-digit year: the portal wants all four",
        DobCode::WrongSeparator => "not slashes: the portal wants MM/DD/YYYY",
        DobCode::YearFirst => "year first: the portal wants month, day, year",
        DobCode::MonthAsWord => "month as a word: digits only, MM/DD/YYYY",
        DobCode::YearOffByOne => "the year is one off from the DOB on file",
        DobCode::DigitsTransposed => "two digits swapped against the DOB on file",
        DobCode::SingleDigitTypo => "one digit off the DOB on file",
        DobCode::ImpossibleDate => "not a real date",
        DobCode::FutureDate => "a date in the future",
        DobCode::Unparseable => "not readable as a date",
        DobCode::Incomplete => "part of the date is missing",
        DobCode::Mismatch => "another date than the DOB on file",
        DobCode::ProfileDobSuspect => "the DOB on file itself looks wrong",
        DobCode::ExactMatch => "the DOB on file, typed as the portal wants it",
    }
}
