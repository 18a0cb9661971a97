//! One sanitiser for every string that comes from the portal, before it
//! reaches a terminal, a clipboard or a script.
//!
//! A portal (or anyone who can write a client's name into it) must not be
//! able to retitle the agent's terminal, clear it, or set their clipboard
//! through OSC 52. So, wherever portal text is shown:
//! - C0 controls (and DEL) become their visible Control Pictures
//!   (`ESC` -> `␛`, `BEL` -> `␇`, newline -> `␤`);
//! - C1 controls (U+0080..U+009F, e.g. the 8-bit CSI U+009B) and the bidi
//!   overrides, embeddings, isolates and marks become a visible `⟨U+009B⟩`;
//! - [`multiline`] keeps the newlines of a message body (CRLF and CR become
//!   LF), [`line`] makes them visible too;
//! - [`field`] also caps a field for display ([`FIELD_CAP`] characters and
//!   `…`), so a 50 MB first name costs no more to show than a long one;
//! - [`for_copy`] is what a copy puts on a clipboard: newlines as plain LF,
//!   every other control removed;
//! - [`json`] writes JSON whose strings escape C1 and bidi controls as
//!   `\u00XX` as well as the C0 ones `serde_json` escapes.

use std::borrow::Cow;
use std::fmt::Write as _;

/// The most characters of one portal field shown.
pub const FIELD_CAP: usize = 1_000;

/// Whether `c` must not reach a terminal as it is.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi(c)
}

/// The bidi formatting characters: marks, embeddings, overrides, isolates.
fn is_bidi(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// How an unsafe character is shown.
fn push_visible(out: &mut String, c: char) {
    match c {
        // U+2400..U+241F are the pictures of 0x00..0x1F, in order.
        '\0'..='\u{1f}' => out.push(char::from_u32(0x2400 + u32::from(c)).unwrap_or('\u{FFFD}')),
        '\u{7f}' => out.push('␡'),
        _ => {
            let _ = write!(out, "⟨U+{:04X}⟩", u32::from(c));
        }
    }
}

/// One line of portal text, every control made visible (newlines too).
pub fn line(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) { push_visible(&mut out, c) } else { out.push(c) }
    }
    Cow::Owned(out)
}

/// A message body: its newlines kept (CRLF and a lone CR become LF), every
/// other control made visible.
pub fn multiline(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && is_unsafe(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => out.push('\n'),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push('\n');
                }
            }
            c if is_unsafe(c) => push_visible(&mut out, c),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// At most `max` characters, the cut marked with `…`.
pub fn capped(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => Cow::Borrowed(text),
        Some((end, _)) => {
            let mut out = String::with_capacity(end + 3);
            out.push_str(&text[..end]);
            out.push('…');
            Cow::Owned(out)
        }
    }
}

/// One field from the portal as shown: capped, then every control visible.
pub fn field(text: &str) -> String {
    line(&capped(text, FIELD_CAP)).into_owned()
}

/// Text for a clipboard: newlines as plain LF, no other control at all.
pub fn for_copy(text: &str) -> String {
    let normalised = text.replace("\r\n", "\n").replace('\r', "\n");
    normalised.chars().filter(|&c| c == '\n' || !is_unsafe(c)).collect()
}

/// Escapes, in JSON text written by `serde_json`, the characters it leaves
/// raw but a terminal would act on: C1 controls, DEL and the bidi controls.
/// They can only occur inside strings, where `\uXXXX` means the same.
pub fn escape_json(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe(c) {
            // Every such character is in the Basic Multilingual Plane.
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One JSON document on one line, with every control escaped.
pub fn json(value: &impl serde::Serialize) -> Result<String, serde_json::Error> {
    let text = serde_json::to_string(value)?;
    Ok(escape_json(&text).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const OSC52: &str = "Sam\u{1b}]52;c;aGFjaw==\u{7}\u{1b}[2J\u{9b}31m\u{202e}rekafO";

    #[test]
    fn a_line_shows_every_control() {
        let shown = line(OSC52);
        assert_eq!(shown, "Sam␛]52;c;aGFjaw==␇␛[2J⟨U+009B⟩31m⟨U+202E⟩rekafO");
        assert!(!shown.chars().any(is_unsafe));
        assert_eq!(line("a\nb\tc\r"), "a␊b␉c␍");
        assert!(matches!(line("Sam Okafor — ñ 漢字"), Cow::Borrowed(_)));
        assert_eq!(line("\u{7f}\u{85}\u{2066}"), "␡⟨U+0085⟩⟨U+2066⟩");
    }

    #[test]
    fn a_body_keeps_its_newlines_only() {
        assert_eq!(multiline("one\r\ntwo\rthree\nfour\u{1b}[2J"), "one\ntwo\nthree\nfour␛[2J");
        assert!(matches!(multiline("one\ntwo"), Cow::Borrowed(_)));
    }

    #[test]
    fn fields_are_capped_for_display() {
        let long = "é".repeat(FIELD_CAP + 5);
        let shown = field(&long);
        assert_eq!(shown.chars().count(), FIELD_CAP + 1);
        assert!(shown.ends_with("é…"));
        assert_eq!(field(&"x".repeat(FIELD_CAP)), "x".repeat(FIELD_CAP));
        assert_eq!(capped("abc", 2), "ab…");
        assert_eq!(capped("abc", 0), "…");
        assert_eq!(capped("", 0), "");
        assert_eq!(capped("ab", 2), "ab");
    }

    #[test]
    fn a_copy_keeps_plain_newlines_and_nothing_else() {
        assert_eq!(for_copy("Hi Sam,\r\n\r\nline\u{1b}]52;c;x\u{7}\ttwo\u{9b}\u{202e}"), "Hi Sam,\n\nline]52;c;xtwo");
    }

    #[test]
    fn json_escapes_c1_as_well_as_c0() {
        let text = json(&serde_json::json!({ "name": OSC52 })).unwrap();
        assert!(!text.chars().any(is_unsafe), "{text}");
        assert!(text.contains("\\u009b") && text.contains("\\u202e") && text.contains("\\u001b"), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["name"], OSC52);
    }
}
