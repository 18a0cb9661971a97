//! DOB comparison: the side-by-side check of what a client types on the
//! portal's invite page against the date of birth (DOB) on file.
//!
//! The portal accepts only `MM/DD/YYYY` (2/2/4 ASCII digits forming a real
//! calendar date). [`check_dob`] says whether the text would pass, which date
//! the client most plausibly means, and why the two differ, in words staff
//! can use on a call.
//!
//! # Decisions where the rules leave room
//!
//! * **`matches_on_file` is about the date the client means** (the most
//!   plausible lenient reading), not the date the portal would see. So
//!   `05/03/1990` for 1990-03-05 gives `matches_on_file: true`,
//!   `would_pass: false`, `day_month_swapped` and `suggested_entry:
//!   "03/05/1990"`: the date is right, the way it is typed is not.
//!   `suggested_entry` is present exactly when `matches_on_file` is true and
//!   `would_pass` is false. `fields` describe the same reading, so a pure
//!   swap shows every field as a match.
//! * **Several readings** are tried in this order: month first (the portal's
//!   order), day first, year first then month, year first then day. The
//!   first reading equal to the DOB on file wins; otherwise the first real
//!   calendar date (US month-first when that is one); otherwise, when no
//!   reading is a real date, the one with the most in-range fields, reported
//!   as `impossible_date`.
//! * **Two-digit years** take the century that makes the year equal to the
//!   one on file when the last two digits agree, otherwise the most recent
//!   year not after `ctx.today`'s year. Typo codes on a two-digit year
//!   compare the two typed digits with the last two digits on file.
//! * **No separators:** a run of digits is split every sensible way: 8 as
//!   `MMDDYYYY` or `YYYYMMDD`; 7 as `M DD YYYY`, `MM D YYYY` or year first;
//!   6 as `MMDDYY` or `M D YYYY`; 5 as `M DD YY` or `MM D YY`; 4 as `MMDD`
//!   (no year) or a year alone. The readings compete as above, so `1121990`
//!   is January 12 unless November 2 is the date on file.
//! * **Separators** read leniently are `/ - . , \`, en and em dashes and any
//!   whitespace; the word "of" and ordinal suffixes (`3rd`) go with month
//!   names. Whitespace around the reported text is ignored (staff transcribe
//!   it); [`portal_accepts`] itself is strict.
//! * **Non-ASCII digits** (full-width, Arabic-Indic, ...) are not read: the
//!   entry is `unparseable`, with a message saying the keyboard produced
//!   digits the portal does not accept. [`portal_accepts`] rejects them too.
//! * **Month names:** only `month_as_word` (plus `two_digit_year` and
//!   `year_first` when they apply) is reported, not padding or separators:
//!   the whole entry has to be retyped anyway.
//! * **`day_month_swapped`** is raised when the chosen reading puts the day
//!   before the month in a numeric entry and either that reading agrees with
//!   the DOB on file or no month-first reading is a real date (`21/12/1985`).
//! * **Typo codes** compare the chosen reading with the DOB on file as
//!   `MMDDYYYY` digits. `1991` for `1990` raises both `year_off_by_one` and
//!   `single_digit_typo`, as both apply. Transpositions and single typos need
//!   every other digit to agree, so a genuinely different date is only
//!   `mismatch`. On an impossible date the typo codes are checked on the
//!   typed numbers (`02/30` for February 3 is transposed); `mismatch` is not.
//! * **Extra code `incomplete`:** a date-like entry missing a field (`03/15`,
//!   `March 1990`, a three-digit year) is neither unparseable nor a date.
//! * **Totality:** text longer than [`MAX_REPORTED_LEN`] bytes after trimming
//!   is `unparseable` without being read; nothing indexes a string by byte.
//! * **PHI:** messages never contain digits, so they can never carry a date;
//!   the only value in a [`DobCheck`] is `suggested_entry`.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// Longest reported text, in bytes after trimming, that the lenient reader
/// looks at; anything longer is `unparseable`.
pub const MAX_REPORTED_LEN: usize = 64;

/// Longest run of digits the reader keeps (`MMDDYYYY`).
pub(super) const MAX_RUN: usize = 8;

/// Longest word the reader keeps ("september").
pub(super) const MAX_WORD: usize = 12;

/// Month names, January first.
pub(super) const MONTHS: &str = "january february march april may june july august september october \
                      november december";

/// What the check knows besides the two dates. The clock is an argument: the
/// check never reads the wall clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DobContext {
    /// Today's date, from the server-corrected clock.
    pub today: NaiveDate,
    /// The date the client's account was created, when known.
    pub account_created: Option<NaiveDate>,
}

/// The outcome of comparing a reported DOB with the DOB on file. Its
/// `Debug` leaves out the suggested entry (a date of birth: PHI).
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct DobCheck {
    /// The text, typed exactly so (surrounding whitespace aside), is accepted
    /// by the portal and equals the DOB on file.
    pub would_pass: bool,
    /// The date the client most plausibly means equals the DOB on file, even
    /// if the portal would not accept the way it is typed.
    pub matches_on_file: bool,
    /// The most plausible reading, field by field, against the DOB on file.
    pub fields: DobFields,
    /// The DOB on file as `MM/DD/YYYY` when the date matches but the typed
    /// format would not pass: what the client should type.
    pub suggested_entry: Option<String>,
    /// Every finding that applies, the most actionable first.
    pub findings: Vec<DobFinding>,
    /// The whole, real dates the entry reads as: one, or two when its
    /// month and day are both 12 or less and differ (the portal's month
    /// first reading first). See [`readings`].
    pub readings: Vec<DobReading>,
}

impl std::fmt::Debug for DobCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DobCheck")
            .field("would_pass", &self.would_pass)
            .field("matches_on_file", &self.matches_on_file)
            .field("fields", &self.fields)
            .field("suggested_entry", &self.suggested_entry.as_ref().map(|_| "<redacted>"))
            .field("findings", &self.findings)
            .field("readings", &self.readings)
            .finish()
    }
}

impl DobCheck {
    /// Whether a finding with `code` was raised.
    pub fn has(&self, code: DobCode) -> bool {
        self.findings.iter().any(|f| f.code == code)
    }

    /// The reading `matches_on_file` and `fields` speak of: the one that is
    /// the DOB on file, else the first.
    pub fn chosen_reading(&self) -> Option<&DobReading> {
        self.readings.iter().find(|r| r.matches_on_file == Some(true)).or(self.readings.first())
    }

    /// The entry reads two ways and only the reading the portal does not
    /// take is the DOB on file: whether the client means it is a question
    /// for them, not a match (`reads_two_ways`).
    pub fn unsettled(&self) -> bool {
        self.has(DobCode::ReadsTwoWays)
    }
}

/// The order in which a reading takes the typed numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadingOrder {
    /// Month, day, year: the portal's order (`MMDDYYYY` without separators).
    MonthFirst,
    /// Day, month, year (`DDMMYYYY` without separators).
    DayFirst,
    /// Year, month, day, as ISO 8601 writes it (`YYYYMMDD`).
    YearMonthDay,
    /// Year, day, month (`YYYYDDMM`).
    YearDayMonth,
    /// The month written as a word: it reads one way only.
    MonthNamed,
}

impl ReadingOrder {
    /// In words, after "read": "day-first".
    pub fn words(self) -> &'static str {
        match self {
            ReadingOrder::MonthFirst => "month-first",
            ReadingOrder::DayFirst => "day-first",
            ReadingOrder::YearMonthDay => "year-month-day",
            ReadingOrder::YearDayMonth => "year-day-month",
            ReadingOrder::MonthNamed => "with the month named",
        }
    }

    /// As a layout of digits, for an entry typed without separators.
    fn layout(self) -> &'static str {
        match self {
            ReadingOrder::MonthFirst => "MMDDYYYY",
            ReadingOrder::DayFirst => "DDMMYYYY",
            ReadingOrder::YearMonthDay => "YYYYMMDD",
            ReadingOrder::YearDayMonth => "YYYYDDMM",
            ReadingOrder::MonthNamed => "a named month",
        }
    }

    /// Whether the day comes before the month.
    fn day_before_month(self) -> bool {
        matches!(self, ReadingOrder::DayFirst | ReadingOrder::YearDayMonth)
    }
}

/// One way to read a reported date as a whole, real date. Its `Debug`
/// leaves out the date (PHI).
#[derive(Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DobReading {
    /// The order the numbers are taken in.
    pub order: ReadingOrder,
    /// The date so read (`YYYY-MM-DD` in JSON).
    pub date: NaiveDate,
    /// The portal takes the numbers in this order (month first): what the
    /// invite page makes of them once typed as MM/DD/YYYY.
    pub portal_takes: bool,
    /// Whether the date is the DOB on file; `None` when it is not known.
    pub matches_on_file: Option<bool>,
}

impl std::fmt::Debug for DobReading {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DobReading")
            .field("order", &self.order)
            .field("portal_takes", &self.portal_takes)
            .field("matches_on_file", &self.matches_on_file)
            .finish_non_exhaustive()
    }
}

impl DobReading {
    /// The date in words, in the reading's own order: "March 4, 1959"
    /// month first, "3 April 1959" day first.
    pub fn words(&self) -> String {
        if self.order.day_before_month() {
            self.date.format("%-d %B %Y").to_string()
        } else {
            self.date.format("%B %-d, %Y").to_string()
        }
    }
}

/// How one field of the reading compares with the DOB on file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldStatus {
    /// The field equals the one on file.
    Match,
    /// The field was read but differs from the one on file.
    Mismatch,
    /// The field could not be read from the text.
    Missing,
}

/// Per-field status of the reading, for the side-by-side highlight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct DobFields {
    /// The month.
    pub month: FieldStatus,
    /// The day of the month.
    pub day: FieldStatus,
    /// The year (a two-digit year after its century is chosen).
    pub year: FieldStatus,
}

impl DobFields {
    /// All three fields with the same status.
    pub const fn all(status: FieldStatus) -> Self {
        Self { month: status, day: status, year: status }
    }
}

/// One finding: a stable code and one sentence for staff. The message never
/// contains the DOB or any digit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DobFinding {
    /// Stable machine-readable code.
    pub code: DobCode,
    /// One sentence for staff, in the help desk's words.
    pub message: String,
}

/// Declares [`DobCode`] from one table: variant, stable name, usual message.
macro_rules! dob_codes {
    ($($(#[doc = $doc:literal])* $code:ident = $name:literal, $message:literal;)*) => {
        /// Stable codes of DOB findings; serialized in snake_case.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum DobCode {
            $($(#[doc = $doc])* $code,)*
        }

        impl DobCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$code),*];

            /// The stable snake_case code, as serialized.
            pub fn as_str(&self) -> &'static str {
                match self {
                    $(Self::$code => $name,)*
                }
            }

            /// The usual sentence for staff; some findings get a more specific one.
            fn message(self) -> &'static str {
                match self {
                    $(Self::$code => $message,)*
                }
            }
        }
    };
}

dob_codes! {
    /// Typed exactly as the portal needs and equal to the DOB on file.
    ExactMatch = "exact_match",
        "The entry matches the date of birth on file and is typed exactly as the portal \
         needs it.";
    /// A numeric month or day has one digit.
    NotZeroPadded = "not_zero_padded",
        "The month or day has only one digit; the portal needs two digits for each, with a \
         leading zero.";
    /// The year has two digits.
    TwoDigitYear = "two_digit_year",
        "The client typed a two-digit year; the portal needs all four digits of the year.";
    /// Separators other than single slashes, or none at all.
    WrongSeparator = "wrong_separator",
        "The client used something other than a single slash between the parts of the date; \
         the portal needs MM/DD/YYYY.";
    /// The year comes first.
    YearFirst = "year_first",
        "The client typed the year first; the portal needs month, then day, then year.";
    /// The month is written as a word.
    MonthAsWord = "month_as_word",
        "The client wrote the month as a word; the portal needs the date in digits only, as \
         MM/DD/YYYY.";
    /// The day comes before the month.
    DayMonthSwapped = "day_month_swapped",
        "The client typed the day before the month; the portal needs month first.";
    /// Month and day are both 12 or less and differ, and only the reading
    /// the portal does not take is the DOB on file: ask which they mean.
    ReadsTwoWays = "reads_two_ways",
        "The month and day are both twelve or less, so the entry reads two ways: the portal reads \
         it month first, which is not the date of birth on file, and only read day first is it \
         the date of birth on file; ask the client which date they mean.";
    /// Month and day agree; the year differs by exactly one.
    YearOffByOne = "year_off_by_one",
        "The year is one year off from the date of birth on file; confirm the year with the \
         client.";
    /// Two adjacent digits within one field are swapped.
    DigitsTransposed = "digits_transposed",
        "Two neighboring digits are swapped compared with the date of birth on file; confirm \
         the date with the client.";
    /// Exactly one digit differs.
    SingleDigitTypo = "single_digit_typo",
        "One digit differs from the date of birth on file, which looks like a typo; confirm \
         the date with the client.";
    /// No reading is a real calendar date.
    ImpossibleDate = "impossible_date",
        "The entry is not a real calendar date (such as a thirteenth month, the thirtieth of \
         February, or the twenty-ninth of February outside a leap year), so the portal \
         rejects it.";
    /// The date read is after today.
    FutureDate = "future_date",
        "The entry is a date in the future; ask the client to check the year.";
    /// Nothing date-like could be read.
    Unparseable = "unparseable",
        "The entry could not be read as a date; ask the client to type it as MM/DD/YYYY.";
    /// A real date that differs, and no pattern explains it.
    Mismatch = "mismatch",
        "The entry is a real date that does not match the date of birth on file and no common \
         typo explains it; confirm the date with the client and check the DOB on file.";
    /// Date-like, but the month, day or year is missing or unreadable.
    Incomplete = "incomplete",
        "The entry is missing part of the date; the portal needs month, day and a four-digit \
         year.";
    /// The DOB on file itself looks wrong: fix the profile, not the client.
    ProfileDobSuspect = "profile_dob_suspect",
        "The date of birth on file looks like a placeholder; confirm the real date with the \
         client and edit the DOB on the profile instead of coaching the client.";
}

impl std::fmt::Display for DobCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The portal's own strict rule: exactly `MM/DD/YYYY` with ASCII digits and
/// slashes, forming a real calendar date. No trimming, no other digits.
pub fn portal_accepts(text: &str) -> Option<NaiveDate> {
    let [m1, m2, b'/', d1, d2, b'/', y1, y2, y3, y4] = *text.as_bytes() else {
        return None;
    };
    let digit = |b: u8| b.is_ascii_digit().then(|| u32::from(b - b'0'));
    let month = digit(m1)? * 10 + digit(m2)?;
    let day = digit(d1)? * 10 + digit(d2)?;
    let year = digit(y1)? * 1000 + digit(y2)? * 100 + digit(y3)? * 10 + digit(y4)?;
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

/// A DOB typed by staff for the DOB on file, read as leniently as the
/// diagnosis reads a client's entry (`3/5/1988`, `03-05-1988`,
/// `March 5, 1988`) but without guessing: month first, or a month named,
/// and a four-digit year; a day-first or year-first reading is no reading
/// here. `None` when the text is no such real date.
pub fn read_entry(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    if text.len() > MAX_REPORTED_LEN {
        return None;
    }
    let layout = read::read(text)?;
    layout.raws.iter().find_map(|raw| {
        let ordered = layout.month_word || (!raw.day_first && !raw.year_first);
        let year = raw.year.filter(|y| y.len == 4 && ordered)?;
        NaiveDate::from_ymd_opt(i32::try_from(year.value).ok()?, raw.month?, raw.day?)
    })
}

/// Formats a date as the portal wants it typed, `MM/DD/YYYY`. Years outside
/// `0..=9999` cannot be typed into the portal and come out otherwise.
pub fn format_entry(date: NaiveDate) -> String {
    format!("{:02}/{:02}/{:04}", date.month(), date.day(), date.year())
}

/// Whether the DOB on file itself looks wrong: a placeholder (before 1900,
/// or January 1 of 1900, 1901, 1970 or 2000), after the account was created,
/// or after today. A DOB on the creation day itself is not flagged.
pub fn profile_dob_suspect(on_file: NaiveDate, ctx: &DobContext) -> bool {
    suspect_message(on_file, ctx).is_some()
}

/// The full date the client most plausibly means by `reported` (read
/// against `on_file` for two-digit years and ambiguous orders), if it is a
/// complete, real date. Total.
pub fn reading(on_file: NaiveDate, reported: &str, today: NaiveDate) -> Option<NaiveDate> {
    let (_, candidates) = read_candidates(reported, Some(on_file), today)?;
    choose(&candidates).filter(|c| c.complete).and_then(|c| c.date)
}

/// The whole, real dates `reported` reads as, for a date the client
/// typed or wrote. Total.
///
/// * One reading for most entries: the most plausible one (as
///   [`check_dob`] chooses it).
/// * Two when the month and day are both 12 or less and differ: month
///   first then day first (or, year first, year-month-day then
///   year-day-month), each with whether the portal takes that order and
///   whether it is the DOB on file. A month written as a word reads one way.
/// * None when the entry is no whole, real date.
///
/// Without a DOB on file (`None`), `matches_on_file` is `None` and a
/// two-digit year takes the most recent century.
pub fn readings(reported: &str, on_file: Option<NaiveDate>, today: NaiveDate) -> Vec<DobReading> {
    let Some((layout, candidates)) = read_candidates(reported, on_file, today) else {
        return Vec::new();
    };
    choose(&candidates).map_or_else(Vec::new, |chosen| readings_of(&layout, chosen, &candidates, on_file))
}

/// The text read, and every reading of it against `on_file`; `None` when
/// it cannot be read.
fn read_candidates(reported: &str, on_file: Option<NaiveDate>, today: NaiveDate) -> Option<(Layout, Vec<Candidate>)> {
    let text = reported.trim();
    let layout = if text.len() <= MAX_REPORTED_LEN { read(text) } else { None }?;
    let candidates = layout.raws.iter().map(|raw| Candidate::new(*raw, on_file, today)).collect();
    Some((layout, candidates))
}

/// The chosen reading, and the same two numbers the other way round when
/// that is another real date.
fn readings_of(layout: &Layout, chosen: &Candidate, all: &[Candidate], on_file: Option<NaiveDate>) -> Vec<DobReading> {
    let Some(date) = chosen.date.filter(|_| chosen.complete) else {
        return Vec::new();
    };
    let reading = |raw: &Raw, date: NaiveDate| {
        let order = match (layout.month_word, raw.year_first, raw.day_first) {
            (true, _, _) => ReadingOrder::MonthNamed,
            (false, false, false) => ReadingOrder::MonthFirst,
            (false, false, true) => ReadingOrder::DayFirst,
            (false, true, false) => ReadingOrder::YearMonthDay,
            (false, true, true) => ReadingOrder::YearDayMonth,
        };
        let portal_takes = order == ReadingOrder::MonthFirst;
        DobReading { order, date, portal_takes, matches_on_file: on_file.map(|on_file| on_file == date) }
    };
    let raw = &chosen.raw;
    let swapped = all.iter().filter(|_| !layout.month_word).find_map(|c| {
        let other = &c.raw;
        let swap = other.month == raw.day
            && other.day == raw.month
            && other.year == raw.year
            && other.year_first == raw.year_first
            && other.day_first != raw.day_first;
        c.date.filter(|d| swap && c.complete && *d != date).map(|d| reading(other, d))
    });
    let mut out = vec![reading(raw, date)];
    out.extend(swapped);
    out.sort_by_key(|r| r.order);
    out
}

/// The readings of an entry in one or two sentences for staff: how the
/// portal reads it, how else it reads, which is the DOB on file, and
/// whether to ask the client which they mean ("03/04/1959: the portal reads
/// March 4, 1959 (differs from the DOB on file). Read day-first it is 3
/// April 1959 (the DOB on file): ask the client which they mean."). An
/// entry typed without separators is said to be refused as it is.
///
/// `hide`, when given, stands for the typed text and every date (a screen
/// masking DOBs); what is masked is the caller's choice. `None` when there
/// is no reading.
pub fn explain_readings(typed: &str, readings: &[DobReading], hide: Option<&str>) -> Option<String> {
    let typed = typed.trim();
    let first = readings.first()?;
    let undivided = typed.bytes().all(|b| b.is_ascii_digit());
    let shown = hide.unwrap_or(typed);
    let piece = |r: &DobReading| {
        let date = hide.map_or_else(|| r.words(), str::to_owned);
        let about = match r.matches_on_file {
            Some(true) => " (the DOB on file)",
            Some(false) => " (differs from the DOB on file)",
            None => "",
        };
        if undivided {
            format!("read as {} it is {date}{about}", r.order.layout())
        } else if r.portal_takes {
            format!("the portal reads {date}{about}")
        } else {
            format!("read {} it is {date}{about}", r.order.words())
        }
    };
    let mut out = if undivided {
        format!(
            "{shown} has no slashes, so the invite page refuses it as typed: it needs MM/DD/YYYY. {}",
            capital(&piece(first))
        )
    } else {
        format!("{shown}: {}", piece(first))
    };
    match readings.get(1) {
        Some(second) => {
            out.push_str(&format!(". {}", capital(&piece(second))));
            if first.matches_on_file == Some(true) {
                out.push('.');
            } else {
                out.push_str(": ask the client which they mean.");
            }
        }
        None => out.push_str(match first.order {
            _ if undivided || first.portal_takes => ".",
            ReadingOrder::DayFirst => "; the portal reads the month first, so it does not take it.",
            ReadingOrder::MonthNamed => "; the portal needs the date in digits, as MM/DD/YYYY.",
            _ => "; the portal needs the month first, as MM/DD/YYYY.",
        }),
    }
    if readings.len() > 1 && !first.portal_takes && !undivided {
        out.push_str(" The portal needs the month first, as MM/DD/YYYY.");
    }
    Some(out)
}

fn capital(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Compares the reported text with the DOB on file. Total: any text gives an
/// answer and never a panic. See the module docs for the reading rules.
pub fn check_dob(on_file: NaiveDate, reported: &str, ctx: &DobContext) -> DobCheck {
    let text = reported.trim();
    let would_pass = portal_accepts(text) == Some(on_file);
    let mut out = Findings::default();
    if let Some(message) = suspect_message(on_file, ctx) {
        out.say(DobCode::ProfileDobSuspect, message);
    }
    if would_pass {
        out.push(DobCode::ExactMatch);
    }
    let read = read_candidates(text, Some(on_file), ctx.today);
    let Some(((layout, candidates), chosen)) = read.as_ref().and_then(|read| Some((read, choose(&read.1)?))) else {
        out.say(DobCode::Unparseable, unparseable_message(text));
        let fields = DobFields::all(FieldStatus::Missing);
        let (suggested_entry, readings) = (None, Vec::new());
        return DobCheck { would_pass, matches_on_file: false, fields, suggested_entry, findings: out.0, readings };
    };
    let readings = readings_of(layout, chosen, candidates, Some(on_file));
    format_findings(layout, chosen, candidates, &mut out);
    two_way_findings(&readings, &mut out);
    date_findings(chosen, on_file, ctx.today, &mut out);
    let matches_on_file = chosen.date == Some(on_file);
    let entry = format_entry(on_file);
    let typeable = portal_accepts(&entry) == Some(on_file);
    DobCheck {
        would_pass,
        matches_on_file,
        fields: chosen.fields(on_file),
        suggested_entry: (matches_on_file && !would_pass && typeable).then_some(entry),
        findings: out.0,
        readings,
    }
}

// ---------------------------------------------------------------- findings

/// Findings in the order they are raised.
#[derive(Default)]
struct Findings(Vec<DobFinding>);

impl Findings {
    fn push(&mut self, code: DobCode) {
        self.say(code, code.message());
    }

    fn say(&mut self, code: DobCode, message: impl Into<String>) {
        let message = message.into();
        self.0.push(DobFinding { code, message });
    }
}

fn unparseable_message(text: &str) -> &'static str {
    if text.is_empty() {
        "Nothing was entered; ask the client what they type in the date of birth box."
    } else if text.len() > MAX_REPORTED_LEN {
        "The entry is far too long to be a date; ask the client to type only the date, as \
         MM/DD/YYYY."
    } else if text.chars().any(|c| c.is_numeric() && !c.is_ascii_digit()) {
        "The entry uses digits the portal does not accept (such as full-width digits from a phone \
         or foreign keyboard); ask the client to type plain digits as MM/DD/YYYY."
    } else {
        DobCode::Unparseable.message()
    }
}

fn suspect_message(on_file: NaiveDate, ctx: &DobContext) -> Option<&'static str> {
    let new_year = on_file.month() == 1 && on_file.day() == 1;
    if on_file.year() < 1900 || (new_year && matches!(on_file.year(), 1900 | 1901 | 1970 | 2000)) {
        Some(DobCode::ProfileDobSuspect.message())
    } else if on_file > ctx.today {
        Some(
            "The date of birth on file is in the future, so it is wrong; edit the DOB on the profile \
             instead of coaching the client.",
        )
    } else if ctx.account_created.is_some_and(|created| on_file > created) {
        Some(
            "The date of birth on file is later than the day the account was created, so it is \
             likely wrong; edit the DOB on the profile instead of coaching the client.",
        )
    } else {
        None
    }
}

fn format_findings(layout: &Layout, chosen: &Candidate, all: &[Candidate], out: &mut Findings) {
    let raw = &chosen.raw;
    let fields = [raw.month.is_some(), raw.day.is_some(), raw.year.is_some()];
    if layout.month_word {
        out.push(DobCode::MonthAsWord);
    } else if fields.iter().filter(|present| **present).count() >= 2 {
        if raw.short {
            out.push(DobCode::NotZeroPadded);
        }
        if layout.no_separators {
            out.say(
                DobCode::WrongSeparator,
                "The client typed the date without slashes; the portal needs slashes, as in \
                 MM/DD/YYYY.",
            );
        } else if !layout.slashes_only {
            out.push(DobCode::WrongSeparator);
        }
    }
    if raw.year.is_some_and(|year| year.len == 2) {
        out.push(DobCode::TwoDigitYear);
    }
    if raw.year_first {
        out.push(DobCode::YearFirst);
    }
    let no_month_first = !all.iter().any(|c| !c.raw.day_first && c.plausible);
    if raw.day_first && ((chosen.plausible && chosen.agrees) || no_month_first) {
        out.push(DobCode::DayMonthSwapped);
    }
}

/// `reads_two_ways` when only the reading the portal does not take is the
/// DOB on file; `day_month_swapped` then says "if".
fn two_way_findings(readings: &[DobReading], out: &mut Findings) {
    let [usual, other] = readings else {
        return;
    };
    if other.matches_on_file != Some(true) || usual.matches_on_file == Some(true) {
        return;
    }
    if usual.portal_takes {
        out.push(DobCode::ReadsTwoWays);
    } else {
        out.say(
            DobCode::ReadsTwoWays,
            "The entry puts the year first and its month and day are both twelve or less, so it \
             reads two ways: only read as year, day, month is it the date of birth on file; ask the \
             client which date they mean.",
        );
    }
    if let Some(swapped) = out.0.iter_mut().find(|f| f.code == DobCode::DayMonthSwapped) {
        swapped.message = "Read with the day first, the entry is the date of birth on file: if that is the \
                           date the client means, they typed the day before the month; the portal needs \
                           month first."
            .into();
    }
}

fn date_findings(chosen: &Candidate, on_file: NaiveDate, today: NaiveDate, out: &mut Findings) {
    if !chosen.complete {
        let missing: Vec<&str> = [(chosen.raw.month, "month"), (chosen.raw.day, "day")]
            .into_iter()
            .filter_map(|(value, name)| value.is_none().then_some(name))
            .chain(chosen.year.is_none().then_some("year"))
            .collect();
        out.say(
            DobCode::Incomplete,
            format!(
                "The entry has no readable {}; the portal needs month, day and a four-digit year.",
                missing.join(" or ")
            ),
        );
        if !chosen.plausible {
            out.push(DobCode::ImpossibleDate);
        } else if !chosen.agrees {
            out.say(
                DobCode::Mismatch,
                "The part of the date that was entered does not match the date of birth on \
                 file; confirm the date with the client.",
            );
        }
        return;
    }
    if !chosen.plausible {
        out.push(DobCode::ImpossibleDate);
    }
    if chosen.date.is_some_and(|date| date > today) {
        out.push(DobCode::FutureDate);
    }
    if !chosen.agrees && !typo_findings(chosen, on_file, out) && chosen.plausible {
        out.push(DobCode::Mismatch);
    }
}

/// Raises the typo codes that explain how a complete reading differs from
/// the DOB on file; returns whether any did.
fn typo_findings(chosen: &Candidate, on_file: NaiveDate, out: &mut Findings) -> bool {
    let raw = &chosen.raw;
    let (Some(month), Some(day), Some(typed_year), Some(year)) = (raw.month, raw.day, raw.year, chosen.year) else {
        return false;
    };
    let same_day = month == on_file.month() && day == on_file.day();
    let off_by_one = same_day && year.abs_diff(on_file.year()) == 1;
    if off_by_one {
        out.push(DobCode::YearOffByOne);
    }
    // Two typed year digits are compared with the last two on file.
    let (width, file_year) = if typed_year.len == 2 {
        (2, u32::try_from(on_file.year().rem_euclid(100)).ok())
    } else {
        (4, u32::try_from(on_file.year()).ok().filter(|y| *y <= 9999))
    };
    let Some(file_year) = file_year else {
        return off_by_one;
    };
    let typed = digits_of(month, day, typed_year.value, width);
    let file = digits_of(on_file.month(), on_file.day(), file_year, width);
    let diffs: Vec<usize> = (0..typed.len()).filter(|&at| typed.get(at) != file.get(at)).collect();
    let field = |at: usize| match at {
        0 | 1 => "month",
        2 | 3 => "day",
        _ => "year",
    };
    match *diffs.as_slice() {
        [at] => {
            let name = field(at);
            out.say(
                DobCode::SingleDigitTypo,
                format!(
                    "One digit of the {name} differs from the date of birth on file, which \
                     looks like a typo; confirm the {name} with the client."
                ),
            );
            true
        }
        [i, j] if j == i + 1 && field(i) == field(j) && typed.get(i) == file.get(j) && typed.get(j) == file.get(i) => {
            let name = field(i);
            out.say(
                DobCode::DigitsTransposed,
                format!(
                    "Two neighboring digits of the {name} are swapped compared with the date \
                     of birth on file; confirm the {name} with the client."
                ),
            );
            true
        }
        _ => off_by_one,
    }
}

/// `MMDD` then the year in `width` digits, as digit values.
fn digits_of(month: u32, day: u32, year: u32, width: u32) -> Vec<u32> {
    [(month, 2), (day, 2), (year, width)]
        .into_iter()
        .flat_map(|(value, width)| (0..width).rev().map(move |k| value / 10u32.pow(k) % 10))
        .collect()
}

mod read;
#[cfg(test)]
mod tests;

use read::*;
