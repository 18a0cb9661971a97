//! What the read and action commands share: `--json` and `--reveal`, PHI
//! masking in readable output, times in words, and writing to stdout.
//!
//! Readable output masks email addresses (`j***@g***.com`) and dates of
//! birth (`••/••/••••`) unless `--reveal` is given. `--json` output is for
//! scripts and carries the values as the portal sends them. Neither ever
//! goes to stderr: errors name what failed, never a value.
//!
//! Every string from the portal goes through [`crate::sanitize`] before it
//! is printed: each field on its own ([`field`]), and the whole readable text
//! once more on its way out, so no escape sequence reaches the terminal.

use std::io::Write;

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use clap::Args;
use serde::Serialize;

use super::Failure;
use crate::diagnose::invite::{self, InviteState};
use crate::diagnose::{dob, message};
use crate::phi::{DOB_MASK, Phi, mask_email};
use crate::portal::PortalClient;
use crate::portal::model::Role;
use crate::sanitize;
use crate::timezone::StaffZone;
use crate::width;

/// How a command prints its answer.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct OutputArgs {
    /// Print one JSON document on stdout, for scripts. It carries email
    /// addresses and dates of birth unmasked.
    #[arg(long)]
    pub json: bool,
    /// Show email addresses and dates of birth in the readable output
    /// (masked by default).
    #[arg(long)]
    pub reveal: bool,
}

impl OutputArgs {
    /// How PHI is shown in the readable output.
    pub fn privacy(&self) -> Privacy {
        Privacy { reveal: self.reveal, names: true }
    }
}

/// Whether readable output shows PHI or masks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Privacy {
    /// Email addresses and dates of birth shown (`--reveal`).
    pub reveal: bool,
    /// Names shown (on stdout always; never on stderr).
    pub names: bool,
}

impl Privacy {
    /// No PHI at all: for text that goes to stderr.
    pub const MASKED: Privacy = Privacy { reveal: false, names: false };
    /// Everything shown (`--reveal` on stdout).
    pub const REVEALED: Privacy = Privacy { reveal: true, names: true };

    /// Who an account is: `acc_12 (Sam Okafor, client)`, or `acc_12 (client)`
    /// where names may not be shown.
    pub fn who(self, id: &str, first: &Phi<String>, last: &Phi<String>, role: Role) -> String {
        if self.names {
            format!("{} ({} {}, {})", field(id), field(first.expose()), field(last.expose()), role.as_str())
        } else {
            format!("{} ({})", field(id), role.as_str())
        }
    }

    /// An email address: masked unless revealed.
    pub fn email(self, address: &Phi<String>) -> String {
        if self.reveal { field(address.expose()) } else { field(mask_email(address.expose())) }
    }

    /// A date of birth as the portal wants it typed (MM/DD/YYYY), or the mask.
    pub fn dob(self, date: &Phi<NaiveDate>) -> String {
        if self.reveal { dob::format_entry(*date.expose()) } else { DOB_MASK.to_owned() }
    }

    /// A date in words ("February 7, 1976"), masked unless revealed.
    pub fn dob_words(self, date: NaiveDate) -> String {
        if self.reveal { date.format("%B %-d, %Y").to_string() } else { "(masked)".to_owned() }
    }
}

/// Now on the portal's clock, to the second (as read from the answers the
/// client has had so far).
pub fn server_now(client: &PortalClient) -> DateTime<Utc> {
    client.clock().now().trunc_subsecs(0)
}

/// One string from the portal as printed: capped, every control visible.
pub fn field(text: impl AsRef<str>) -> String {
    sanitize::field(text.as_ref())
}

/// `1 ticket`, `25 tickets`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

/// An invite's state and countdown in words: `pending, 47h 12m left`,
/// `expired 3h ago`, `superseded`.
pub fn invite_words(state: InviteState, countdown: &str) -> String {
    if state.is_live() { format!("{}, {countdown} left", state.label()) } else { countdown.to_owned() }
}

/// Masks anything that looks like an email address in free text from the
/// portal (a bounce message may quote the address).
pub fn scrub_emails(text: &str, privacy: Privacy) -> String {
    let text = field(text);
    if privacy.reveal {
        return text;
    }
    text.split(' ')
        .map(|word| {
            let bare = word.trim_matches(|c: char| matches!(c, '<' | '>' | '(' | ')' | ',' | ';' | ':' | '"' | '\''));
            if bare.contains('@') { word.replace(bare, &mask_email(bare)) } else { word.to_owned() }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A message body as printed: every control made visible (newlines kept),
/// and, unless revealed, every address masked and every date the message
/// reader takes for a DOB replaced by the mask.
pub fn body(text: &Phi<String>, privacy: Privacy, today: NaiveDate) -> String {
    let text = text.expose();
    if privacy.reveal {
        return sanitize::multiline(text).into_owned();
    }
    let ctx = message::MessageContext { today, own_addresses: &[crate::diagnose::replies::SENDER] };
    let mentions = message::read_message(text, &ctx);
    let mut masked = String::with_capacity(text.len());
    let mut dobs = mentions.dobs.iter().peekable();
    for (i, c) in text.chars().enumerate() {
        match dobs.peek() {
            Some(dob) if i == dob.start => masked.push_str(DOB_MASK),
            Some(dob) if i > dob.start && i < dob.end => {}
            _ => masked.push(c),
        }
        if dobs.peek().is_some_and(|dob| i + 1 >= dob.end) {
            dobs.next();
        }
    }
    let lines: Vec<String> = masked
        .lines()
        .map(|line| {
            line.split(' ')
                .map(|word| {
                    let bare = word.trim_matches(|c: char| {
                        matches!(c, '<' | '>' | '(' | ')' | ',' | ';' | ':' | '"' | '\'' | '.' | '!' | '?')
                    });
                    if bare.contains('@') { word.replace(bare, &mask_email(bare)) } else { word.to_owned() }
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    sanitize::multiline(&lines.join("\n")).into_owned()
}

/// An instant in words, relative first: `3h ago` or `in 47h 12m`.
pub fn relative(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    if at > now { format!("in {}", invite::remaining(at - now)) } else { invite::ago(now - at) }
}

/// An instant in words with its absolute time in the staff member's zone:
/// `in 47h 12m (Nov 27 09:00 UTC)`.
pub fn relative_and_absolute(at: DateTime<Utc>, now: DateTime<Utc>, zone: StaffZone) -> String {
    format!("{} ({})", relative(at, now), zone.short(at))
}

/// One JSON document on one line, C0 and C1 controls escaped: the text
/// every `--json` prints.
pub fn json_text(value: &impl Serialize) -> Result<String, Failure> {
    sanitize::json(value).map_err(|e| Failure::new(1, format!("cannot write JSON: {e}")))
}

/// Prints one JSON document on one line.
pub fn json(value: &impl Serialize) -> Result<(), Failure> {
    write_out(&json_text(value)?)
}

/// Prints readable text, ending it with a newline. Whatever control is
/// left in it is made visible (newlines kept). A closed pipe (`| head`) is
/// not an error.
pub fn text_out(text: &str) -> Result<(), Failure> {
    write_out(&sanitize::multiline(text))
}

fn write_out(text: &str) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    let written = stdout.write_all(text.trim_end().as_bytes()).and_then(|()| stdout.write_all(b"\n"));
    match written.and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::new(1, format!("cannot write to stdout: {e}"))),
    }
}

/// Lays rows out in columns under a header; the last column is not padded.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let columns = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| width::of(h)).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(width::of(cell));
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut out = String::new();
        for (i, cell) in cells.enumerate() {
            if i + 1 < columns {
                out.push_str(&width::pad(cell, widths[i] + 2));
            } else {
                out.push_str(cell);
            }
        }
        out.trim_end().to_owned()
    };
    let mut out = line(&mut header.iter().copied());
    for row in rows {
        out.push('\n');
        out.push_str(&line(&mut row.iter().map(String::as_str)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_columns_line_up_with_wide_characters() {
        let rows = vec![
            vec!["山田太郎".to_owned(), "pending".to_owned(), "x".to_owned()],
            vec!["Ann 🙂".to_owned(), "expired".to_owned(), "y".to_owned()],
            vec!["Bo".to_owned(), "accepted".to_owned(), "z".to_owned()],
        ];
        let text = table(&["name", "state", "last"], &rows);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        // Every line's second and third columns start at the same column.
        let column_of = |line: &str, word: &str| width::of(&line[..line.find(word).unwrap()]);
        let starts: Vec<usize> =
            ["state", "pending", "expired", "accepted"].iter().zip(&lines).map(|(w, l)| column_of(l, w)).collect();
        assert_eq!(starts, [10, 10, 10, 10], "{text}");
        let thirds: Vec<usize> = ["last", "x", "y", "z"].iter().zip(&lines).map(|(w, l)| column_of(l, w)).collect();
        assert_eq!(thirds, [20, 20, 20, 20], "{text}");
    }

    #[test]
    fn masks_unless_revealed() {
        let email = Phi::new("jordan.alvarez@gmail.com".to_owned());
        let date = Phi::new(NaiveDate::from_ymd_opt(1985, 12, 21).unwrap_or_default());
        assert_eq!(Privacy::MASKED.email(&email), "j***@g***.com");
        assert_eq!(Privacy::MASKED.dob(&date), "••/••/••••");
        let shown = Privacy::REVEALED;
        assert_eq!(shown.email(&email), "jordan.alvarez@gmail.com");
        assert_eq!(shown.dob(&date), "12/21/1985");
        let (first, last) = (Phi::new("Sam".to_owned()), Phi::new("Okafor".to_owned()));
        assert_eq!(shown.who("acc_1", &first, &last, Role::Client), "acc_1 (Sam Okafor, client)");
        assert_eq!(Privacy::MASKED.who("acc_1", &first, &last, Role::Staff), "acc_1 (staff)");
    }

    #[test]
    fn times_read_relative_first() {
        let now = DateTime::parse_from_rfc3339("2026-11-25T09:00:00Z").unwrap_or_default().to_utc();
        assert_eq!(relative(now + chrono::Duration::hours(48), now), "in 48h 00m");
        assert_eq!(relative(now - chrono::Duration::hours(3), now), "3h ago");
        assert_eq!(
            relative_and_absolute(now + chrono::Duration::hours(1), now, StaffZone::Utc),
            "in 1h 00m (Nov 25 10:00 UTC)"
        );
    }

    #[test]
    fn addresses_in_free_text_are_masked() {
        let text = "550 5.1.1 <pat.lee@gmail.com>: recipient unknown";
        assert_eq!(scrub_emails(text, Privacy::MASKED), "550 5.1.1 <p***@g***.com>: recipient unknown");
        assert_eq!(scrub_emails(text, Privacy::REVEALED), text);
        assert_eq!(scrub_emails("no address here", Privacy::MASKED), "no address here");
    }

    #[test]
    fn bodies_mask_addresses_and_dobs_unless_revealed() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
        let text = Phi::new("I was born 7 March 75, write to sam.o@gmail.com.\nCall at 9:30.".to_owned());
        let masked = body(&text, Privacy::MASKED, today);
        assert_eq!(masked, "I was born ••/••/••••, write to s***@g***.com.\nCall at 9:30.");
        assert_eq!(body(&text, Privacy::REVEALED, today), *text.expose());
        let plain = Phi::new("nothing \u{1b}[31m here".to_owned());
        assert!(!body(&plain, Privacy::MASKED, today).contains('\u{1b}'));
    }

    #[test]
    fn tables_line_up() {
        let rows = vec![vec!["a".to_owned(), "long cell".to_owned(), "x".to_owned()]];
        assert_eq!(table(&["ONE", "TWO", "THREE"], &rows), "ONE  TWO        THREE\na    long cell  x");
    }
}
