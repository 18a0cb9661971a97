//! Reading the client's own words: every date they give as their DOB,
//! every email address they write and what they say they did, saw or want
//! (their [claims](super::claims)), each as its exact text and position.
//!
//! What is left out: times, phone numbers, ticket ids and amounts (none is
//! date-shaped once the shapes below are required), the conversation's own
//! dates (recent dates, unless labelled as a DOB), anything quoted from an
//! earlier mail (`>` lines, and all below an "On … wrote:" header or an
//! "Original Message" line) and the portal's own sender addresses.
//!
//! A date counts as a DOB when it is labelled (DOB, date of birth, born,
//! birthday, and the same words in Spanish, French, German, Portuguese,
//! Italian and Dutch) on its line, or when it is a full date whose year
//! could be a birth year (at least two years back, at most 120).
//!
//! Eight digits without separators are a DOB only right next to such a
//! label (`DOB: 03151990`, `nací el 15031990`, `19900315 is my birthday`),
//! with nothing but a few words between and no other number, and only as a
//! real date with a birth year: `MMDDYYYY` (or `DDMMYYYY` when only that is
//! a date), or `YYYYMMDD` when a 19xx or 20xx year comes first. Without
//! the label they are order numbers, phones and ids, never a DOB.
//!
//! Pure and total, and linear in the text's length: each character is
//! lexed once, and each candidate looks at a bounded window around it.
//! Positions are in characters (Unicode scalar values), end exclusive.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::claims::{self, Claim};
use super::dob::{self, DobCheck, DobContext, DobReading};
use super::email::{self, EmailCheck};

/// What a reading knows besides the text.
#[derive(Debug, Clone, Copy)]
pub struct MessageContext<'a> {
    /// Today, on the server's clock (recent dates are the conversation's).
    pub today: NaiveDate,
    /// The portal's own sender addresses, never the client's.
    pub own_addresses: &'a [&'a str],
}

/// A date the client gives as their DOB.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct DobMention {
    /// Exactly as written.
    pub text: String,
    pub start: usize,
    pub end: usize,
    /// Labelled as a DOB on its line.
    pub labelled: bool,
    /// The same date as the DOB reader reads it (month names in other
    /// languages put in English), for the DOB check.
    #[serde(skip)]
    pub reading: String,
}

/// An email address the client writes.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct EmailMention {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

impl std::fmt::Debug for DobMention {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DobMention({}..{}, labelled: {})", self.start, self.end, self.labelled)
    }
}

impl std::fmt::Debug for EmailMention {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EmailMention({}..{})", self.start, self.end)
    }
}

/// What one message holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Mentions {
    pub dobs: Vec<DobMention>,
    pub emails: Vec<EmailMention>,
    /// What the client says they did, saw or want ([`claims`]).
    pub claims: Vec<Claim>,
}

/// A DOB mention with its check against the DOB on file, if known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckedDob {
    #[serde(flatten)]
    pub mention: DobMention,
    /// The dates it reads as: two when month and day are both 12 or less
    /// and differ, the portal's (month first) first; each says whether it
    /// is the DOB on file when that is known.
    pub readings: Vec<DobReading>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<DobCheck>,
}

/// An email mention with its check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckedEmail {
    #[serde(flatten)]
    pub mention: EmailMention,
    pub check: EmailCheck,
    /// When the address on file is known: whether this is it (letter case
    /// aside).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matches_on_file: Option<bool>,
    /// When the address on file is known: whether this is what the email
    /// check suggests for the address on file (the one on file is the typo).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corrects_on_file: Option<bool>,
}

/// The whole reading, checked (`portaldesk check message --json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckedMessage {
    pub dobs: Vec<CheckedDob>,
    pub emails: Vec<CheckedEmail>,
    pub claims: Vec<Claim>,
}

/// Reads a message and runs the DOB check (when the DOB on file is known)
/// and the email check on what it found.
pub fn check_message(
    body: &str,
    ctx: &MessageContext<'_>,
    on_file: Option<NaiveDate>,
    email_on_file: Option<&str>,
) -> CheckedMessage {
    let mentions = read_message(body, ctx);
    let on_file_suggestions = email_on_file.map(|address| email::check_email(address).suggestions);
    let dob_ctx = DobContext { today: ctx.today, account_created: None };
    CheckedMessage {
        dobs: mentions
            .dobs
            .into_iter()
            .map(|mention| {
                let check = on_file.map(|on_file| dob::check_dob(on_file, &mention.reading, &dob_ctx));
                let readings = dob::readings(&mention.reading, on_file, ctx.today);
                CheckedDob { mention, readings, check }
            })
            .collect(),
        emails: mentions
            .emails
            .into_iter()
            .map(|mention| {
                let check = email::check_email(&mention.text);
                let matches_on_file = email_on_file.map(|address| address.eq_ignore_ascii_case(&mention.text));
                let corrects_on_file = on_file_suggestions
                    .as_ref()
                    .map(|suggested| suggested.iter().any(|s| s.eq_ignore_ascii_case(&mention.text)));
                CheckedEmail { mention, check, matches_on_file, corrects_on_file }
            })
            .collect(),
        claims: mentions.claims,
    }
}

/// Every DOB and email address the client writes in `body`.
pub fn read_message(body: &str, ctx: &MessageContext<'_>) -> Mentions {
    let chars: Vec<char> = body.chars().collect();
    let quoted = quoted_lines(&chars);
    let tokens = lex(&chars);
    let mut out = Mentions::default();
    let mut i = 0;
    while i < tokens.len() {
        if quoted[tokens[i].start] {
            i += 1;
            continue;
        }
        match date_at(&tokens, &chars, i) {
            Some(found) => {
                let (start, end) = (tokens[i].start, tokens[found.last].end);
                let labelled = labelled(&chars, start, end);
                let undivided = matches!(tokens[i].kind, Kind::Num(_, 8));
                let dob = if undivided {
                    found.could_be_birth(ctx.today) && cue_next_to(&chars, start, end)
                } else {
                    labelled || found.could_be_birth(ctx.today)
                };
                if dob {
                    out.dobs.push(DobMention {
                        text: chars[start..end].iter().collect(),
                        start,
                        end,
                        labelled: labelled || undivided,
                        reading: found.reading(&chars[start..end]),
                    });
                }
                i = found.last + 1;
            }
            None => i += 1,
        }
    }
    out.emails = emails(&chars, &quoted, ctx);
    let email_spans: Vec<(usize, usize)> = out.emails.iter().map(|e| (e.start, e.end)).collect();
    let dob_spans: Vec<(usize, usize)> = out.dobs.iter().map(|d| (d.start, d.end)).collect();
    out.claims = claims::read_claims(body, &chars, &quoted, &email_spans, &dob_spans);
    out
}

// ------------------------------------------------------------ quoted text

/// For each character, whether it is in quoted text: a line starting with
/// `>`, or anything after a reply header.
fn quoted_lines(chars: &[char]) -> Vec<bool> {
    let mut out = vec![false; chars.len() + 1];
    let mut below_header = false;
    let mut start = 0;
    while start < chars.len() {
        let end = chars[start..].iter().position(|&c| c == '\n').map_or(chars.len(), |n| start + n);
        // The line's first 400 characters; only a line that ends with `:`
        // or holds a dash can be a reply header, so only such a line is
        // copied and lowered (a 1 MB message has tens of thousands of lines).
        let head = &chars[start..end.min(start + 400)];
        let first = head.iter().find(|c| !c.is_whitespace());
        let last = head.iter().rev().find(|c| !c.is_whitespace());
        if last == Some(&':') || head.contains(&'-') {
            let line: String = head.iter().collect();
            if is_reply_header(line.trim()) {
                below_header = true;
            }
        }
        if below_header || first == Some(&'>') {
            out[start..=end].iter_mut().for_each(|q| *q = true);
        }
        start = end + 1;
    }
    out
}

fn is_reply_header(line: &str) -> bool {
    let lower = line.to_lowercase();
    let opens = ["on ", "el ", "le ", "am ", "em ", "il ", "op "].iter().any(|w| lower.starts_with(w));
    let closes = ["wrote:", "escribió:", "a écrit :", "a écrit:", "schrieb:", "escreveu:", "ha scritto:", "schreef:"]
        .iter()
        .any(|w| lower.ends_with(w));
    (opens && closes)
        || lower.contains("-----original message-----")
        || lower.starts_with("-----") && lower.contains("forwarded message")
}

// ----------------------------------------------------------------- lexing

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Digits: their value (saturating) and count (saturating at 255; a
    /// date's numbers have 1 to 4). Small, as a 1 MB message has hundreds
    /// of thousands of tokens.
    Num(u32, u8),
    /// Letters.
    Word,
    Space,
    Newline,
    /// Any other single character.
    Sym(char),
}

#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
}

fn lex(chars: &[char]) -> Vec<Token> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let kind = if c.is_ascii_digit() {
            let mut value: u32 = 0;
            while i < chars.len() && chars[i].is_ascii_digit() {
                value = value.saturating_mul(10).saturating_add(chars[i].to_digit(10).unwrap_or(0));
                i += 1;
            }
            out.push(Token { kind: Kind::Num(value, u8::try_from(i - start).unwrap_or(u8::MAX)), start, end: i });
            continue;
        } else if c.is_alphabetic() {
            while i < chars.len() && chars[i].is_alphabetic() {
                i += 1;
            }
            out.push(Token { kind: Kind::Word, start, end: i });
            continue;
        } else if c == '\n' {
            Kind::Newline
        } else if c.is_whitespace() {
            while i + 1 < chars.len() && chars[i + 1].is_whitespace() && chars[i + 1] != '\n' {
                i += 1;
            }
            Kind::Space
        } else {
            Kind::Sym(c)
        };
        i += 1;
        out.push(Token { kind, start, end: i });
    }
    out
}

/// A word token, lowered, kept on the stack: the date grammar compares
/// many words and keeps none (a 1 MB message has some 150,000), so none
/// is allocated.
struct Lowered {
    buf: [u8; 48],
    len: usize,
}

impl Lowered {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

/// The word at `t`, lowered; empty when it is longer than any month name
/// or connector (so it matches none).
fn word(chars: &[char], t: &Token) -> Lowered {
    let mut out = Lowered { buf: [0; 48], len: 0 };
    if t.end - t.start > 12 {
        return out;
    }
    for c in chars[t.start..t.end].iter().flat_map(|c| c.to_lowercase()) {
        let end = out.len + c.len_utf8();
        let Some(slot) = out.buf.get_mut(out.len..end) else {
            out.len = 0;
            return out;
        };
        c.encode_utf8(slot);
        out.len = end;
    }
    out
}

// ------------------------------------------------------------------ dates

/// Month names and abbreviations in the languages the labels cover.
const MONTHS: [&[&str]; 12] = [
    &["january", "jan", "enero", "janvier", "januar", "janeiro", "gennaio", "januari", "ene"],
    &["february", "feb", "febrero", "février", "fevrier", "februar", "fevereiro", "febbraio", "februari", "fev", "fév"],
    &["march", "mar", "marzo", "mars", "märz", "maerz", "março", "marco", "maart", "mrt"],
    &["april", "apr", "abril", "avril", "aprile", "abr", "avr"],
    &["may", "mayo", "mai", "maio", "maggio", "mei"],
    &["june", "jun", "junio", "juin", "juni", "junho", "giugno"],
    &["july", "jul", "julio", "juillet", "juli", "julho", "luglio", "juil"],
    // ("ago", "set" and "out" are abbreviations too, but English words first.)
    &["august", "aug", "agosto", "août", "aout"],
    &["september", "sep", "sept", "septiembre", "setiembre", "septembre", "setembro", "settembre"],
    &["october", "oct", "octubre", "octobre", "oktober", "outubro", "ottobre", "okt"],
    &["november", "nov", "noviembre", "novembre", "novembro"],
    &["december", "dec", "diciembre", "décembre", "decembre", "dezember", "dezembro", "dicembre", "dez", "dic", "déc"],
];

const ENGLISH_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn month_of(name: &str) -> Option<u32> {
    let name = name.strip_suffix('.').unwrap_or(name);
    MONTHS.iter().zip(1..).find(|(names, _)| names.contains(&name)).map(|(_, m)| m)
}

/// Words that may stand between a day, a month and a year.
fn is_connector(word: &str) -> bool {
    matches!(word, "of" | "the" | "de" | "del" | "di" | "do" | "da")
}

fn is_ordinal(word: &str) -> bool {
    matches!(word, "st" | "nd" | "rd" | "th" | "er" | "e" | "o" | "a" | "º" | "ª")
}

/// A date found: its last token and what it says.
#[derive(Debug, Clone, Copy)]
struct FoundDate {
    last: usize,
    /// The year as written: value and digit count (none for a partial date).
    year: Option<(u32, usize)>,
    /// The month, when written as a word.
    month_word: Option<u32>,
    /// The two numbers besides the year, in the order written, when numeric.
    numbers: Option<(u32, u32)>,
}

impl FoundDate {
    /// A full date whose year could be a birth year.
    fn could_be_birth(&self, today: NaiveDate) -> bool {
        let Some((value, digits)) = self.year else {
            return false;
        };
        let latest = today.year() - 2;
        let year = match digits {
            4 => value as i32,
            // A two-digit year that would be recent is the conversation's.
            2 => {
                let recent = 2000 + value as i32;
                if recent > latest && recent <= today.year() + 1 {
                    return false;
                }
                if recent <= latest { recent } else { 1900 + value as i32 }
            }
            _ => return false,
        };
        if year > latest || year < today.year() - 120 {
            return false;
        }
        // It must be a date in some order.
        match (self.month_word, self.numbers) {
            (Some(_), _) => true,
            (None, Some((a, b))) => valid_day_month(a, b) || valid_day_month(b, a),
            (None, None) => false,
        }
    }

    /// The text for the DOB reader: as written, with a month name in
    /// another language put in English.
    fn reading(&self, text: &[char]) -> String {
        let written: String = text.iter().collect();
        let Some(month) = self.month_word else {
            return written;
        };
        let english = ENGLISH_MONTHS[(month - 1) as usize];
        // Replace the month word, keep the numbers in their order.
        let mut out = String::new();
        let mut word_buf = String::new();
        let flush = |out: &mut String, word_buf: &mut String| {
            if !word_buf.is_empty() {
                let lower = word_buf.to_lowercase();
                if month_of(&lower) == Some(month) {
                    out.push_str(english);
                } else if !is_connector(&lower) {
                    out.push_str(word_buf);
                }
                word_buf.clear();
            }
        };
        for &c in text {
            if c.is_alphabetic() {
                word_buf.push(c);
            } else {
                flush(&mut out, &mut word_buf);
                out.push(c);
            }
        }
        flush(&mut out, &mut word_buf);
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

fn valid_day_month(month: u32, day: u32) -> bool {
    NaiveDate::from_ymd_opt(2000, month, day).is_some()
}

/// The date that starts at token `i`, if one does.
fn date_at(tokens: &[Token], chars: &[char], i: usize) -> Option<FoundDate> {
    // Not the tail of a longer run (`1.2.3.4`, `T-12/03/1990`).
    if i > 0 {
        match tokens[i - 1].kind {
            Kind::Word | Kind::Num(..) => return None,
            // `DOB:03151990`.
            Kind::Sym(':') if matches!(tokens[i].kind, Kind::Num(_, 8)) => {}
            Kind::Sym('/' | '-' | '.' | ':' | '+' | '$' | '#')
                if i >= 2 && !matches!(tokens[i - 2].kind, Kind::Space | Kind::Newline) =>
            {
                return None;
            }
            _ => {}
        }
    }
    match tokens[i].kind {
        Kind::Num(_, 8) => undivided_date(tokens, chars, i),
        Kind::Num(..) => numeric_date(tokens, i).or_else(|| day_month_year(tokens, chars, i)),
        Kind::Word => month_day_year(tokens, chars, i),
        _ => None,
    }
}

/// `03/02/1990`, `3-2-90`, `02.03.1990`, `1990-03-02`.
fn numeric_date(tokens: &[Token], i: usize) -> Option<FoundDate> {
    let t = |k: usize| tokens.get(i + k).map(|t| t.kind);
    let (
        Some(Kind::Num(a, la)),
        Some(Kind::Sym(s1)),
        Some(Kind::Num(b, lb)),
        Some(Kind::Sym(s2)),
        Some(Kind::Num(c, lc)),
    ) = (t(0), t(1), t(2), t(3), t(4))
    else {
        return None;
    };
    if s1 != s2 || !matches!(s1, '/' | '-' | '.') {
        return None;
    }
    // Not followed by more of the same (an address, a version, a phone).
    if let (Some(Kind::Sym(s3)), Some(Kind::Num(..))) = (t(5), t(6))
        && s3 == s1
    {
        return None;
    }
    if matches!(t(5), Some(Kind::Num(..) | Kind::Word)) {
        return None;
    }
    let last = i + 4;
    if (1..=2).contains(&la) && (1..=2).contains(&lb) && matches!(lc, 2 | 4) {
        return Some(FoundDate { last, year: Some((c, usize::from(lc))), month_word: None, numbers: Some((a, b)) });
    }
    if la == 4 && (1..=2).contains(&lb) && (1..=2).contains(&lc) && s1 != '.' {
        // Year first: the numbers are month then day.
        return Some(FoundDate { last, year: Some((a, 4)), month_word: None, numbers: Some((b, c)) });
    }
    None
}

/// Eight digits without separators (`03151990`, `19900315`): `YYYYMMDD`
/// when a 19xx or 20xx year comes first and the rest is a month and day,
/// else `MMDDYYYY` (either order of the first two numbers, as written).
/// Whether it is a DOB is the caller's: only next to a DOB label.
fn undivided_date(tokens: &[Token], chars: &[char], i: usize) -> Option<FoundDate> {
    let t = |k: usize| tokens.get(i + k).map(|t| t.kind);
    // Not part of something longer (`12345678-90`, `12345678.5`).
    match (t(1), t(2)) {
        (Some(Kind::Num(..) | Kind::Word), _) => return None,
        (Some(Kind::Sym('/' | '-' | '.' | ':' | ',' | '+')), Some(Kind::Num(..))) => return None,
        _ => {}
    }
    let token = tokens.get(i)?;
    let digits: Vec<u32> = chars.get(token.start..token.end)?.iter().filter_map(|c| c.to_digit(10)).collect();
    let number = |from: usize, len: usize| digits.iter().skip(from).take(len).fold(0, |acc, d| acc * 10 + d);
    let lead = number(0, 4);
    let (month, day) = (number(4, 2), number(6, 2));
    let year_first = (1900..=2099).contains(&lead) && (valid_day_month(month, day) || valid_day_month(day, month));
    let (year, numbers) = if year_first { (lead, (month, day)) } else { (number(4, 4), (number(0, 2), number(2, 2))) };
    Some(FoundDate { last: i, year: Some((year, 4)), month_word: None, numbers: Some(numbers) })
}

/// Skips filler (spaces, `,` `.` `-` `/`, connectors, an ordinal suffix
/// right after a number) from token `k`, at most a few tokens, on one line.
fn skip_filler(tokens: &[Token], chars: &[char], mut k: usize) -> usize {
    for _ in 0..6 {
        match tokens.get(k).map(|t| t.kind) {
            Some(Kind::Space | Kind::Sym(',' | '.' | '-' | '/')) => k += 1,
            Some(Kind::Word) if is_connector(word(chars, &tokens[k]).as_str()) => k += 1,
            _ => break,
        }
    }
    k
}

/// A day number (1-2 digits, with any ordinal suffix) at `k`: the day and
/// the last token.
fn day_at(tokens: &[Token], chars: &[char], k: usize) -> Option<(u32, usize)> {
    let Some(Kind::Num(day, len)) = tokens.get(k).map(|t| t.kind) else {
        return None;
    };
    if !(1..=2).contains(&len) {
        return None;
    }
    match tokens.get(k + 1) {
        Some(t) if t.kind == Kind::Word && is_ordinal(word(chars, t).as_str()) => Some((day, k + 1)),
        Some(t) if matches!(t.kind, Kind::Word | Kind::Num(..)) => None,
        _ => Some((day, k)),
    }
}

/// A year (2 or 4 digits) at `k`, standing alone.
fn year_at(tokens: &[Token], k: usize) -> Option<(u32, usize)> {
    let Some(Kind::Num(year, len)) = tokens.get(k).map(|t| t.kind) else {
        return None;
    };
    let alone = !matches!(tokens.get(k + 1).map(|t| t.kind), Some(Kind::Num(..) | Kind::Word | Kind::Sym(':')));
    (matches!(len, 2 | 4) && alone).then_some((year, usize::from(len)))
}

fn month_at(tokens: &[Token], chars: &[char], k: usize) -> Option<u32> {
    let t = tokens.get(k)?;
    // Month names and abbreviations are 3 to 10 letters: most words are
    // told apart by their length alone, without lowering them.
    (t.kind == Kind::Word && (3..=10).contains(&(t.end - t.start))).then(|| month_of(word(chars, t).as_str()))?
}

/// `March 2, 1990`, `Mar. 2nd 1990`, `March 2`.
fn month_day_year(tokens: &[Token], chars: &[char], i: usize) -> Option<FoundDate> {
    let month = month_at(tokens, chars, i)?;
    let (day, last) = day_at(tokens, chars, skip_filler(tokens, chars, i + 1))?;
    let full = year_at(tokens, skip_filler(tokens, chars, last + 1)).filter(|_| valid_day_month(month, day));
    let found = |last, year| FoundDate { last, year, month_word: Some(month), numbers: None };
    match full {
        Some(year) => Some(found(skip_filler(tokens, chars, last + 1), Some(year))),
        None => valid_day_month(month, day).then(|| found(last, None)),
    }
}

/// `2 March 1990`, `2nd of March, 1990`, `02-Mar-1990`, `2 de marzo de 1990`.
fn day_month_year(tokens: &[Token], chars: &[char], i: usize) -> Option<FoundDate> {
    let (day, last) = day_at(tokens, chars, i)?;
    let m = skip_filler(tokens, chars, last + 1);
    let month = month_at(tokens, chars, m)?;
    if !valid_day_month(month, day) {
        return None;
    }
    let y = skip_filler(tokens, chars, m + 1);
    let found = |last, year| FoundDate { last, year, month_word: Some(month), numbers: None };
    Some(match year_at(tokens, y) {
        Some(year) => found(y, Some(year)),
        None => found(m, None),
    })
}

// ----------------------------------------------------------------- labels

/// Words that label a date as a date of birth.
const LABELS: &[&str] = &[
    "dob",
    "d.o.b",
    "date of birth",
    "birth date",
    "birthdate",
    "birthday",
    "bday",
    "b-day",
    "born",
    "fecha de nacimiento",
    "nacimiento",
    "nací",
    "naci",
    "nacido",
    "nacida",
    "cumpleaños",
    "date de naissance",
    "naissance",
    "né le",
    "née le",
    "anniversaire",
    "geburtsdatum",
    "geboren",
    "geburtstag",
    "data de nascimento",
    "nascimento",
    "nasci",
    "nascido",
    "nascida",
    "aniversário",
    "data di nascita",
    "nascita",
    "nato il",
    "nata il",
    "compleanno",
    "geboortedatum",
    "verjaardag",
];

/// Whether a DOB label stands on the date's line, shortly before it or
/// just after it.
fn labelled(chars: &[char], start: usize, end: usize) -> bool {
    // Bounded windows, so a long line costs no more than a short one.
    let from = start.saturating_sub(48);
    let line_start = chars[from..start].iter().rposition(|&c| c == '\n').map_or(from, |n| from + n + 1);
    let to = (end + 32).min(chars.len());
    let line_end = chars[end..to].iter().position(|&c| c == '\n').map_or(to, |n| end + n);
    let before: String = chars[line_start..start].iter().collect();
    let after: String = chars[end..line_end].iter().collect();
    let has_label = |text: &str| {
        let lower = text.to_lowercase();
        LABELS.iter().any(|label| {
            lower.match_indices(label).any(|(at, _)| {
                // Whole words only ("dob" not in "adobe").
                let before_ok = lower[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
                let after_ok = lower[at + label.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric());
                before_ok && after_ok
            })
        })
    };
    has_label(&before) || has_label(&after)
}

/// Words that say a number is something else than a date.
const NOT_A_DATE: &[&str] = &[
    "order",
    "phone",
    "tel",
    "cell",
    "mobile",
    "fax",
    "number",
    "no",
    "account",
    "acct",
    "id",
    "ref",
    "reference",
    "invoice",
    "confirmation",
    "code",
    "zip",
    "member",
    "policy",
    "case",
    "ticket",
    "pedido",
    "orden",
    "teléfono",
    "telefono",
    "celular",
    "número",
    "numero",
    "cuenta",
    "código",
    "codigo",
    "factura",
    "referencia",
];

/// Whether a DOB label is right next to `start..end`: on its line, at most
/// 24 characters before it or 12 after, with nothing between but a few
/// words and `:`, `-`, `=`, `(` or `,` (no digit, no sentence's end, no
/// word naming another kind of number).
fn cue_next_to(chars: &[char], start: usize, end: usize) -> bool {
    let window = |from: usize, to: usize| -> String { chars[from..to].iter().collect::<String>().to_lowercase() };
    let gap_ok = |gap: &str| {
        gap.chars()
            .all(|c| c.is_alphabetic() || c == ' ' || c == '\'' || matches!(c, ':' | '-' | '=' | '(' | ')' | ','))
            && gap.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()).count() <= 4
            && !gap.split(|c: char| !c.is_alphabetic()).any(|w| NOT_A_DATE.contains(&w))
    };
    let whole_word = |text: &str, at: usize, len: usize| {
        text[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric())
            && text[at + len..].chars().next().is_none_or(|c| !c.is_alphanumeric())
    };
    let from = start.saturating_sub(40);
    let from = chars[from..start].iter().rposition(|&c| c == '\n').map_or(from, |n| from + n + 1);
    let before = window(from, start);
    let to = (end + 24).min(chars.len());
    let to = chars[end..to].iter().position(|&c| c == '\n').map_or(to, |n| end + n);
    let after = window(end, to);
    LABELS.iter().any(|label| {
        let cue_before = before.match_indices(label).any(|(at, _)| {
            let gap = &before[at + label.len()..];
            whole_word(&before, at, label.len()) && gap.chars().count() <= 24 && gap_ok(gap)
        });
        let cue_after = after.match_indices(label).any(|(at, _)| {
            let gap = &after[..at];
            whole_word(&after, at, label.len()) && gap.chars().count() <= 12 && gap_ok(gap)
        });
        cue_before || cue_after
    })
}

// ----------------------------------------------------------------- emails

fn is_local(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-' | '\'')
}

fn is_domain(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '-')
}

/// Every address outside quoted text, but the portal's own.
fn emails(chars: &[char], quoted: &[bool], ctx: &MessageContext<'_>) -> Vec<EmailMention> {
    let mut out = Vec::new();
    let mut floor = 0;
    for at in 0..chars.len() {
        if chars[at] != '@' || at < floor || quoted[at] {
            continue;
        }
        let mut start = at;
        while start > floor && is_local(chars[start - 1]) {
            start -= 1;
        }
        // Not a sentence's dots or quotes around the address.
        while start < at && matches!(chars[start], '.' | '\'' | '-') {
            start += 1;
        }
        let mut end = at + 1;
        while end < chars.len() && is_domain(chars[end]) {
            end += 1;
        }
        while end > at + 1 && matches!(chars[end - 1], '.' | '-') {
            end -= 1;
        }
        floor = end;
        if start == at || end == at + 1 {
            continue;
        }
        let text: String = chars[start..end].iter().collect();
        let lower = text.to_lowercase();
        if ctx.own_addresses.iter().any(|own| own.eq_ignore_ascii_case(&lower)) {
            continue;
        }
        out.push(EmailMention { text, start, end });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> MessageContext<'static> {
        MessageContext {
            today: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            own_addresses: &["no-reply@therapyappointment.com"],
        }
    }

    fn dobs(body: &str) -> Vec<String> {
        let m = read_message(body, &ctx());
        for d in &m.dobs {
            let slice: String = body.chars().skip(d.start).take(d.end - d.start).collect();
            assert_eq!(slice, d.text, "positions are character offsets");
        }
        m.dobs.into_iter().map(|d| d.text).collect()
    }

    fn emails_in(body: &str) -> Vec<String> {
        read_message(body, &ctx()).emails.into_iter().map(|e| e.text).collect()
    }

    #[test]
    fn dates_as_clients_write_them() {
        assert_eq!(dobs("my DOB is 03/02/1990 thanks"), ["03/02/1990"]);
        assert_eq!(dobs("I typed 3/2/1990 and it said invalid"), ["3/2/1990"]);
        assert_eq!(dobs("born 2/3/90"), ["2/3/90"]);
        assert_eq!(dobs("It's March 2, 1990."), ["March 2, 1990"]);
        assert_eq!(dobs("birthday: 2nd of March 1990"), ["2nd of March 1990"]);
        assert_eq!(dobs("dob 02-Mar-1990"), ["02-Mar-1990"]);
        assert_eq!(dobs("1990-03-02 is my date of birth"), ["1990-03-02"]);
        assert_eq!(dobs("fecha de nacimiento: 2 de marzo de 1990"), ["2 de marzo de 1990"]);
        assert_eq!(dobs("date de naissance 02.03.1990"), ["02.03.1990"]);
        assert_eq!(dobs("Geburtsdatum 2. März 1990"), ["2. März 1990"]);
        // A partial date counts when labelled.
        assert_eq!(dobs("my birthday is March 2"), ["March 2"]);
        assert!(dobs("see you March 2").is_empty());
    }

    #[test]
    fn eight_digits_next_to_a_dob_cue_are_a_dob() {
        assert_eq!(dobs("DOB: 03151990"), ["03151990"]);
        assert_eq!(dobs("DOB:03151990"), ["03151990"]);
        assert_eq!(dobs("my date of birth is 03151990, thanks"), ["03151990"]);
        assert_eq!(dobs("I was born on 19900315."), ["19900315"]);
        assert_eq!(dobs("Birthday - 12251985"), ["12251985"]);
        assert_eq!(dobs("03151990 is my DOB"), ["03151990"]);
        assert_eq!(dobs("I type 03151990 (DOB) and it fails"), ["03151990"]);
        // Spanish, day first when only that is a date.
        assert_eq!(dobs("fecha de nacimiento: 15031990"), ["15031990"]);
        assert_eq!(dobs("Nací el 19900315, gracias"), ["19900315"]);
        assert_eq!(dobs("mi nacimiento fue 03151990"), ["03151990"]);
        // Read as MMDDYYYY, or YYYYMMDD when a 19xx/20xx year is in front.
        let m = check_message("DOB 19900315; born 03151990", &ctx(), NaiveDate::from_ymd_opt(1990, 3, 15), None);
        assert_eq!(m.dobs.len(), 2);
        for dob in &m.dobs {
            assert_eq!(dob.readings.len(), 1, "{:?}", dob.readings);
            assert_eq!(dob.readings[0].matches_on_file, Some(true));
            assert!(dob.check.as_ref().is_some_and(|c| c.matches_on_file && !c.would_pass));
        }
        assert_eq!(m.dobs[0].readings[0].order, dob::ReadingOrder::YearMonthDay);
        assert_eq!(m.dobs[1].readings[0].order, dob::ReadingOrder::MonthFirst);
    }

    #[test]
    fn eight_digits_without_a_cue_are_never_a_dob() {
        for body in [
            "03151990",
            "Order 03151990 has not arrived",
            "order number 19900315",
            "my phone is 55501234, or 12251985",
            "call me at 19900315 after 5",
            "ticket 12251985 from last year",
            "ref: 20010203",
            // A cue, but not next to it: another sentence, another number's
            // name between, too far, another line.
            "My DOB is right. Order 03151990 is something else",
            "my DOB, order number 12251985",
            "fecha de nacimiento, pedido 03151990",
            "DOB is the one on file, but the code they sent me is 03151990",
            "DOB\n03151990",
            // Next to a cue but no birth date: not a real date, a future or
            // ancient year, part of a longer run.
            "DOB 12345678",
            "DOB 99999999",
            "born 12312030",
            "born 01011850",
            "DOB 03151990-12",
            "DOB 03151990.5",
            "DOB 031519901",
            "DOB +03151990",
        ] {
            assert!(dobs(body).is_empty(), "{body}: {:?}", dobs(body));
        }
    }

    #[test]
    fn each_dob_carries_its_readings_two_when_month_and_day_are_both_twelve_or_less() {
        use dob::ReadingOrder::*;
        let on_file = NaiveDate::from_ymd_opt(1990, 2, 3);
        let m = check_message("my DOB is 3/2/90", &ctx(), on_file, None);
        let orders: Vec<_> = m.dobs[0].readings.iter().map(|r| (r.order, r.portal_takes, r.matches_on_file)).collect();
        assert_eq!(orders, [(MonthFirst, true, Some(false)), (DayFirst, false, Some(true))]);
        assert!(m.dobs[0].check.as_ref().is_some_and(|c| c.has(dob::DobCode::ReadsTwoWays)));
        // Without the DOB on file: the readings, and no match either way.
        let m = check_message("my DOB is 3/2/90", &ctx(), None, None);
        assert_eq!(m.dobs[0].readings.len(), 2);
        assert!(m.dobs[0].readings.iter().all(|r| r.matches_on_file.is_none()));
        // A month named reads one way.
        let m = check_message("born March 2, 1990", &ctx(), None, None);
        assert_eq!(m.dobs[0].readings.iter().map(|r| r.order).collect::<Vec<_>>(), [MonthNamed]);
    }

    #[test]
    fn the_reading_puts_a_foreign_month_in_english() {
        let m = read_message("fecha de nacimiento: 2 de marzo de 1990", &ctx());
        assert_eq!(m.dobs[0].reading, "2 March 1990");
    }

    #[test]
    fn times_phones_ids_amounts_and_recent_dates_are_not_dobs() {
        for body in [
            "call me at 9:14 AM or 10:42",
            "my phone is (254) 555-0150 or 254-555-0150 or 254.555.0150",
            "ticket T-1021 about invoice #12/03",
            "I paid $45.00 on 11/29/2026",
            "I got the email on Nov 30, 2026 and again on 11/30/26",
            "version 1.2.3.4 of the app, ip 10.12.90.1",
            "I have been trying since 12/01/2025",
        ] {
            assert!(dobs(body).is_empty(), "{body}: {:?}", dobs(body));
        }
    }

    #[test]
    fn quoted_mail_is_not_the_clients_words() {
        let body = "My DOB is 03/02/1990, email jane.doe@gmail.com\n\n\
                    On Nov 30, 2026, at 9:14 AM, Portal <no-reply@therapyappointment.com> wrote:\n\
                    > Your DOB 01/01/1980 and pat@example.com\n";
        assert_eq!(dobs(body), ["03/02/1990"]);
        assert_eq!(emails_in(body), ["jane.doe@gmail.com"]);
        assert!(emails_in("> quoted jane@x.com").is_empty());
    }

    #[test]
    fn addresses_as_clients_spell_them() {
        assert_eq!(emails_in("it's jane.doe@gmail.cmo, not the other."), ["jane.doe@gmail.cmo"]);
        assert_eq!(emails_in("(mail: <j_o+tag@hotmial.com>)"), ["j_o+tag@hotmial.com"]);
        assert_eq!(emails_in("write to no-reply@therapyappointment.com"), Vec::<String>::new());
        assert!(emails_in("@home and me@ and @").is_empty());
    }

    #[test]
    fn checks_run_on_what_was_found() {
        let on_file = NaiveDate::from_ymd_opt(1990, 2, 3);
        let m = check_message("DOB 03/02/1990, mail jane@gmail.cmo", &ctx(), on_file, None);
        let dob = m.dobs[0].check.as_ref().unwrap();
        assert!(dob.matches_on_file && !dob.would_pass);
        assert_eq!(dob.suggested_entry.as_deref(), Some("02/03/1990"));
        assert!(!m.emails[0].check.suggestions.is_empty());
        assert_eq!(m.emails[0].matches_on_file, None);
        // The client writes it right; the one on file is the typo.
        let m = check_message("it is jane@gmail.com", &ctx(), None, Some("jane@gmail.cmo"));
        assert_eq!((m.emails[0].matches_on_file, m.emails[0].corrects_on_file), (Some(false), Some(true)));
    }

    #[test]
    fn debug_shows_no_text() {
        let m = read_message("DOB 03/02/1990 jane@gmail.com", &ctx());
        let debug = format!("{m:?}");
        assert!(!debug.contains("1990") && !debug.contains("jane"), "{debug}");
    }

    proptest::proptest! {
        #[test]
        fn any_text_gives_an_answer_with_true_positions(body in "\\PC{0,400}") {
            let chars: Vec<char> = body.chars().collect();
            let m = read_message(&body, &ctx());
            for (text, start, end) in m.dobs.iter().map(|d| (&d.text, d.start, d.end))
                .chain(m.emails.iter().map(|e| (&e.text, e.start, e.end)))
            {
                proptest::prop_assert!(start < end && end <= chars.len());
                proptest::prop_assert_eq!(&chars[start..end].iter().collect::<String>(), text);
            }
        }

        #[test]
        fn date_shaped_text_gives_an_answer(body in "([0-9]{1,4}[/.\\- ]|[a-z]{2,6} |DOB |\\n|> |@){0,60}") {
            let _ = check_message(&body, &ctx(), NaiveDate::from_ymd_opt(1990, 1, 1), Some("a@b.c"));
        }
    }
}
