//! Reading a reported DOB leniently: lexing the text into parts, the
//! possible readings of those parts, and choosing among them.

// ------------------------------------------------------------------ lexing

/// A run of ASCII digits (values 0..=9), with an ordinal suffix flag.
use super::*;

#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Digits {
    pub(super) buf: [u8; MAX_RUN],
    pub(super) len: usize,
    pub(super) ordinal: bool,
}

impl Digits {
    pub(super) fn push(&mut self, c: char) -> Option<()> {
        *self.buf.get_mut(self.len)? = u8::try_from(c.to_digit(10)?).ok()?;
        self.len += 1;
        Some(())
    }

    /// The digits `from..to` as a number with its digit count.
    pub(super) fn part(&self, from: usize, to: usize) -> Part {
        let digits = self.buf.get(from..to.min(self.len)).unwrap_or_default();
        let value = digits.iter().fold(0, |acc, &d| acc * 10 + u32::from(d));
        Part { value, len: digits.len() }
    }

    pub(super) fn whole(&self) -> Part {
        self.part(0, self.len)
    }
}

/// A number as typed: its value and how many digits it had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Part {
    pub(super) value: u32,
    pub(super) len: usize,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Item {
    Num(Digits),
    Month(u32),
}

/// Splits text into numbers and month words, noting whether the gaps between
/// them are exactly one slash each.
pub(super) struct Lexer {
    pub(super) items: Vec<Item>,
    pub(super) slashes_only: bool,
    pub(super) gap_len: usize,
    pub(super) gap_slash: bool,
}

impl Lexer {
    pub(super) fn separator(&mut self, c: char) {
        self.gap_len += 1;
        self.gap_slash &= c == '/';
    }

    pub(super) fn item(&mut self, item: Item) {
        let first = self.items.is_empty();
        self.slashes_only &= if first { self.gap_len == 0 } else { self.gap_len == 1 && self.gap_slash };
        (self.gap_len, self.gap_slash) = (0, true);
        self.items.push(item);
    }

    /// `None` when the text holds anything else: an unknown word, a symbol,
    /// a non-ASCII digit.
    pub(super) fn run(text: &str) -> Option<Self> {
        let mut lexer = Self { items: Vec::new(), slashes_only: true, gap_len: 0, gap_slash: true };
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c.is_ascii_digit() {
                let mut digits = Digits::default();
                digits.push(c)?;
                while let Some(d) = chars.next_if(char::is_ascii_digit) {
                    digits.push(d)?;
                }
                lexer.item(Item::Num(digits));
            } else if c.is_alphabetic() {
                let mut word = String::from(c);
                while let Some(l) = chars.next_if(|l| l.is_alphabetic()) {
                    (word.len() < MAX_WORD).then_some(())?;
                    word.push(l);
                }
                lexer.word(&word.to_ascii_lowercase())?;
            } else if matches!(c, '/' | '-' | '.' | ',' | '\\' | '\u{2013}' | '\u{2014}') || c.is_whitespace() {
                lexer.separator(c);
            } else {
                return None;
            }
        }
        lexer.slashes_only &= lexer.gap_len == 0;
        Some(lexer)
    }

    pub(super) fn word(&mut self, word: &str) -> Option<()> {
        match word {
            "st" | "nd" | "rd" | "th" => match self.items.last_mut() {
                Some(Item::Num(d)) if self.gap_len == 0 && !d.ordinal => d.ordinal = true,
                _ => return None,
            },
            "of" => self.separator(' '),
            "sept" => self.item(Item::Month(9)),
            _ => {
                let full = |name: &&str| *name == word || (word.len() == 3 && name.starts_with(word));
                let month = MONTHS.split_whitespace().zip(1..).find(|(name, _)| full(name))?.1;
                self.item(Item::Month(month));
            }
        }
        Some(())
    }
}

// ----------------------------------------------------------------- reading

/// One way to read the text, before a two-digit year gets its century.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Raw {
    pub(super) month: Option<u32>,
    pub(super) day: Option<u32>,
    pub(super) year: Option<Part>,
    pub(super) day_first: bool,
    pub(super) year_first: bool,
    /// A numeric month or day was typed with one digit.
    pub(super) short: bool,
}

impl Raw {
    pub(super) fn md(month: Part, day: Part, year: Option<Part>) -> Self {
        let short = month.len == 1 || day.len == 1;
        Self { month: Some(month.value), day: Some(day.value), year, short, ..Self::default() }
    }

    pub(super) fn month_year(month: Part, year: Part, year_first: bool) -> Self {
        let (month, short) = (Some(month.value), month.len == 1);
        Self { month, year: Some(year), year_first, short, ..Self::default() }
    }

    pub(super) fn day_first(self) -> Self {
        Self { day_first: true, ..self }
    }

    pub(super) fn year_first(self, year_first: bool) -> Self {
        Self { year_first, ..self }
    }
}

/// Every plausible reading of the text, in priority order.
pub(super) struct Layout {
    pub(super) raws: Vec<Raw>,
    pub(super) month_word: bool,
    pub(super) slashes_only: bool,
    pub(super) no_separators: bool,
}

pub(super) fn read(text: &str) -> Option<Layout> {
    let lexer = Lexer::run(text)?;
    let words = lexer.items.iter().filter(|item| matches!(item, Item::Month(_))).count();
    let mut raws = Vec::new();
    match words {
        0 => numeric(&lexer.items, &mut raws)?,
        1 => worded(&lexer.items, &mut raws)?,
        _ => return None,
    }
    let no_separators = words == 0 && lexer.items.len() == 1;
    let (month_word, slashes_only) = (words == 1, lexer.slashes_only);
    (!raws.is_empty()).then_some(Layout { raws, month_word, slashes_only, no_separators })
}

pub(super) fn small(part: Part) -> bool {
    (1..=2).contains(&part.len)
}

pub(super) fn numeric(items: &[Item], out: &mut Vec<Raw>) -> Option<()> {
    let mut runs = Vec::with_capacity(3);
    for item in items {
        match item {
            Item::Num(d) if !d.ordinal => runs.push(*d),
            _ => return None,
        }
    }
    match runs.as_slice() {
        [run] => split_run(run, out),
        [a, b] => two_parts(a.whole(), b.whole(), out),
        [a, b, c] => three_parts(a.whole(), b.whole(), c.whole(), out),
        _ => return None,
    }
    // Month first, then day first, then year first: the priority order.
    out.sort_by_key(|raw| (raw.year_first, raw.day_first));
    Some(())
}

pub(super) fn three_parts(a: Part, b: Part, c: Part, out: &mut Vec<Raw>) {
    if a.len == 4 && small(b) && small(c) {
        out.push(Raw::md(b, c, Some(a)).year_first(true));
        out.push(Raw::md(c, b, Some(a)).year_first(true).day_first());
    } else if small(a) && small(b) {
        let year = matches!(c.len, 2 | 4).then_some(c);
        out.push(Raw::md(a, b, year));
        out.push(Raw::md(b, a, year).day_first());
    }
}

pub(super) fn two_parts(a: Part, b: Part, out: &mut Vec<Raw>) {
    if a.len == 4 && small(b) {
        out.push(Raw::month_year(b, a, true));
    } else if small(a) && b.len == 4 {
        out.push(Raw::month_year(a, b, false));
    } else if small(a) && small(b) {
        out.push(Raw::md(a, b, None));
        // Month and two-digit year only when the number cannot be a day.
        if b.len == 2 && b.value > 31 {
            out.push(Raw::month_year(a, b, false));
        }
        out.push(Raw::md(b, a, None).day_first());
    }
}

/// Splits a separator-less run of digits every sensible way.
pub(super) fn split_run(run: &Digits, out: &mut Vec<Raw>) {
    let part = |from: usize, len: usize| run.part(from, from + len);
    let month_day: &[(usize, usize)] = match run.len {
        8 => &[(2, 2)],
        7 | 5 => &[(1, 2), (2, 1)],
        6 => &[(2, 2), (1, 1)],
        _ => &[],
    };
    for &(m, d) in month_day {
        three_parts(part(0, m), part(m, d), part(m + d, MAX_RUN), out);
    }
    let year = part(0, 4);
    match run.len {
        // `MMDD` without a year, or a year alone.
        4 => {
            two_parts(part(0, 2), part(2, 2), out);
            if year.value >= 1000 {
                out.push(Raw { year: Some(year), ..Raw::default() });
            }
        }
        6..=8 if year.value >= 1000 => {
            for (m, d) in [(1, 1), (1, 2), (2, 1), (2, 2)] {
                if 4 + m + d == run.len {
                    three_parts(year, part(4, m), part(4 + m, d), out);
                }
            }
        }
        _ => {}
    }
}

/// Readings of an entry with a month name and up to two numbers.
pub(super) fn worded(items: &[Item], out: &mut Vec<Raw>) -> Option<()> {
    let (mut month, mut month_at) = (0, 0);
    let mut nums: Vec<(usize, Digits)> = Vec::with_capacity(2);
    for (at, item) in items.iter().enumerate() {
        match item {
            Item::Month(m) => (month, month_at) = (*m, at),
            Item::Num(d) => nums.push((at, *d)),
        }
    }
    let base = Raw { month: Some(month), ..Raw::default() };
    match *nums.as_slice() {
        [] => out.push(base),
        [(at, n)] => {
            let p = n.whole();
            if p.len <= 2 {
                out.push(Raw { day: Some(p.value), ..base });
            }
            if !n.ordinal && matches!(p.len, 2 | 4) {
                out.push(Raw { year: Some(p), ..base }.year_first(at < month_at));
            }
        }
        [(i, a), (j, b)] => {
            for (day, day_at, year, year_at) in [(a, i, b, j), (b, j, a, i)] {
                let (d, y) = (day.whole(), year.whole());
                if !year.ordinal && d.len <= 2 && matches!(y.len, 2 | 4) {
                    let first = year_at < day_at && year_at < month_at;
                    out.push(Raw { day: Some(d.value), year: Some(y), ..base }.year_first(first));
                }
            }
        }
        _ => return None,
    }
    Some(())
}

// --------------------------------------------------------------- selection

/// A reading with its year resolved and how it relates to the DOB on file.
#[derive(Debug, Clone, Copy)]
pub(super) struct Candidate {
    pub(super) raw: Raw,
    pub(super) year: Option<i32>,
    pub(super) date: Option<NaiveDate>,
    /// Month, day and year were all read.
    pub(super) complete: bool,
    /// A real date, or for an incomplete reading, fields in range.
    pub(super) plausible: bool,
    /// Every field read equals the DOB on file.
    pub(super) agrees: bool,
}

impl Candidate {
    /// Without a DOB on file (a message read on its own), nothing agrees
    /// and a two-digit year takes the most recent century.
    pub(super) fn new(raw: Raw, on_file: Option<NaiveDate>, today: NaiveDate) -> Self {
        let year = raw.year.map(|p| resolve_year(p, on_file, today));
        let (date, complete) = match (raw.month, raw.day, year) {
            (Some(m), Some(d), Some(y)) => (NaiveDate::from_ymd_opt(y, m, d), true),
            _ => (None, false),
        };
        let max_day = match raw.month {
            Some(2) => 29,
            Some(4 | 6 | 9 | 11) => 30,
            _ => 31,
        };
        let in_range =
            raw.month.is_none_or(|m| (1..=12).contains(&m)) && raw.day.is_none_or(|d| (1..=max_day).contains(&d));
        let agrees = on_file.is_some_and(|on_file| {
            raw.month.is_none_or(|m| m == on_file.month())
                && raw.day.is_none_or(|d| d == on_file.day())
                && year.is_none_or(|y| y == on_file.year())
        });
        let plausible = if complete { date.is_some() } else { in_range };
        Self { raw, year, date, complete, plausible, agrees }
    }

    /// How many of month and day are in range, for ranking impossible dates.
    pub(super) fn in_range(&self) -> u8 {
        u8::from(self.raw.month.is_some_and(|m| (1..=12).contains(&m)))
            + u8::from(self.raw.day.is_some_and(|d| (1..=31).contains(&d)))
    }

    pub(super) fn fields(&self, on_file: NaiveDate) -> DobFields {
        fn status<T: PartialEq>(read: Option<T>, on_file: T) -> FieldStatus {
            match read {
                None => FieldStatus::Missing,
                Some(value) if value == on_file => FieldStatus::Match,
                Some(_) => FieldStatus::Mismatch,
            }
        }
        DobFields {
            month: status(self.raw.month, on_file.month()),
            day: status(self.raw.day, on_file.day()),
            year: status(self.year, on_file.year()),
        }
    }
}

/// Two-digit years: the century of the DOB on file when the last two digits
/// agree, else the most recent year not after today's year.
pub(super) fn resolve_year(part: Part, on_file: Option<NaiveDate>, today: NaiveDate) -> i32 {
    let value = i32::try_from(part.value).unwrap_or(i32::MAX);
    if part.len != 2 {
        value
    } else if let Some(on_file) = on_file.filter(|d| d.year().rem_euclid(100) == value) {
        on_file.year()
    } else {
        today.year() - (today.year() - value).rem_euclid(100)
    }
}

/// The most plausible reading: the first plausible one agreeing with the DOB
/// on file, else the first plausible one, else the most in range.
pub(super) fn choose(candidates: &[Candidate]) -> Option<&Candidate> {
    candidates
        .iter()
        .find(|c| c.plausible && c.agrees)
        .or_else(|| candidates.iter().find(|c| c.plausible))
        .or_else(|| candidates.iter().rev().max_by_key(|c| c.in_range()))
}
