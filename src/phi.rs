//! Protected health information (PHI) kept out of logs, panics and errors.
//!
//! Names, email addresses, phone numbers and dates of birth travel through the
//! program wrapped in [`Phi`]. The wrapper serializes transparently (the wire
//! format is unchanged) but its `Debug` prints a placeholder and it has no
//! `Display`, so a `{:?}` in a log line, a panic message or an error chain can
//! never carry the value. Code that really means to show the value (a screen
//! after the staff member revealed it, a JSON answer) calls [`Phi::expose`].

use std::fmt;

use serde::{Deserialize, Serialize};

/// A value that is protected health information.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Phi<T>(T);

impl<T> Phi<T> {
    /// Wraps a value.
    pub const fn new(value: T) -> Self {
        Self(value)
    }

    /// The value itself. Call it only where the value is meant to be shown or
    /// sent (a revealed screen field, a request body), never to log it.
    pub fn expose(&self) -> &T {
        &self.0
    }

    /// Unwraps the value.
    pub fn into_inner(self) -> T {
        self.0
    }

    /// Applies `f` to the protected value, keeping the result protected.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Phi<U> {
        Phi(f(self.0))
    }
}

impl<T> From<T> for Phi<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl From<&str> for Phi<String> {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl<T> fmt::Debug for Phi<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Phi(<redacted>)")
    }
}

/// Masks an email address for lists and canned replies: the first letter of
/// the local part and of the domain stay, plus the top-level domain
/// (`j***@g***.com`). Total: any text gives a mask, never a panic.
pub fn mask_email(address: &str) -> String {
    let Some((local, domain)) = address.rsplit_once('@') else {
        return "***".to_owned();
    };
    let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
    let (host, tld) = match domain.rsplit_once('.') {
        Some((host, tld)) if !tld.is_empty() => (host, format!(".{tld}")),
        _ => (domain, String::new()),
    };
    format!("{}***@{}***{}", first(local), first(host), tld)
}

/// A text with every email address in it masked ([`mask_email`]): how a
/// screen shows a reply that is sent in full. An address is a run of
/// letters, digits and `._%+-` around one `@`; a trailing `.` (the end of
/// a sentence) stays outside it.
pub fn mask_emails_in(text: &str) -> String {
    let part = |c: char| c.is_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-' | '@');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(part) {
        out.push_str(&rest[..start]);
        let run = &rest[start..];
        let len = run.find(|c: char| !part(c)).unwrap_or(run.len());
        let word = &run[..len];
        let trimmed = word.trim_end_matches('.');
        if trimmed.contains('@') {
            out.push_str(&mask_email(trimmed));
            out.push_str(&word[trimmed.len()..]);
        } else {
            out.push_str(word);
        }
        rest = &run[len..];
    }
    out.push_str(rest);
    out
}

/// A date of birth masked completely, keeping its MM/DD/YYYY shape.
pub const DOB_MASK: &str = "••/••/••••";

/// The client's own words (a message, a claim quoted in a finding), masked.
pub const TEXT_MASK: &str = "•••";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_address_in_a_text_is_masked_and_nothing_else_changes() {
        let text = "Hi Sam, we sent it to sam.okafor@gmail.com. Also (ok@x.org), é.";
        assert_eq!(mask_emails_in(text), "Hi Sam, we sent it to s***@g***.com. Also (o***@x***.org), é.");
        assert_eq!(mask_emails_in("no address here 3.5"), "no address here 3.5");
        for odd in ["", "@", "a@", "@@.", "é@ü.ç", "..@.."] {
            let _ = mask_emails_in(odd);
        }
    }

    #[test]
    fn debug_never_shows_the_value() {
        let name = Phi::new("Jordan Alvarez".to_owned());
        let shown = format!("{name:?} {:?}", Some(&name));
        assert!(!shown.contains("Jordan"), "{shown}");
        assert!(shown.contains("redacted"));
    }

    #[test]
    fn serializes_transparently() {
        let email = Phi::new("a@b.com".to_owned());
        assert_eq!(serde_json::to_string(&email).unwrap(), "\"a@b.com\"");
        let back: Phi<String> = serde_json::from_str("\"a@b.com\"").unwrap();
        assert_eq!(back, email);
    }

    #[test]
    fn masks_emails() {
        assert_eq!(mask_email("jordan.alvarez@gmail.com"), "j***@g***.com");
        assert_eq!(mask_email("x@localhost"), "x***@l***");
        assert_eq!(mask_email("no-at-sign"), "***");
        assert_eq!(mask_email("@"), "***@***");
        assert_eq!(mask_email("é@ü.ß"), "é***@ü***.ß");
        let masked = mask_email("jordan.alvarez@gmail.com");
        assert!(!masked.contains("jordan") && !masked.contains("gmail"));
    }
}
