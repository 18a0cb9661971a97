//! The plain renderer (`--plain`, `PORTALDESK_PLAIN=1`): the same view
//! models the console draws, read out as lines for a screen reader.
//!
//! No alternate screen, no cursor addressing, no box drawing: only text and
//! line breaks, so a screen reader (or a braille display) reads everything
//! as it arrives, and the terminal's scrollback keeps it all.
//!
//! - A new screen or dialog prints whole: its title, each section's title
//!   and rows, then its keys.
//! - On the same screen, only what changed prints, as new lines: the row
//!   the cursor moved to, a row that is new ("New in Conversation: …") or
//!   whose words changed, a banner, the header's state. A countdown
//!   ticking is not a change.
//! - Typing into a field echoes the characters typed; any other edit reads
//!   the field out again.
//!
//! Masked values are read as "hidden"; a revealed value is read out.

use std::collections::HashMap;

use super::view_model::{Cell, Meaning, Row, Screen, ViewModel};
use crate::diagnose::invite::InviteState;

/// A row's place: its view, its section's title, its id.
type RowKey = (usize, String, String);

/// What was last read out, to say only what changed.
#[derive(Default)]
pub struct Plain {
    /// The titles of the views shown (a different stack is a new screen).
    titles: Vec<String>,
    /// Every row read, by view, section and id: its words (countdowns
    /// left out) and whether the cursor was on it.
    rows: HashMap<RowKey, (String, bool)>,
    /// Every section read, by view and title (counts left out), and
    /// whether it held rows with ids (a list read, not one loading).
    sections: HashMap<(usize, String), bool>,
    header: String,
    banner: Option<(String, bool)>,
    /// The field being typed into and what it holds.
    typing: Option<(RowKey, String)>,
    /// The last thing written was an echo: its line is still open.
    open: bool,
}

impl Plain {
    pub fn new() -> Self {
        Self::default()
    }

    /// Forget what was read: the next screen prints whole (after `fg`).
    pub fn reset(&mut self) {
        *self = Self::default();
    }

    /// The text to write for `screen`: lines ending in `\n` (the console
    /// writes `\r\n` in raw mode), or the characters just typed into a
    /// field; empty when nothing worth saying changed.
    pub fn frame(&mut self, screen: &Screen) -> String {
        let mut out = Out::new(self.open);
        let header = header_text(&screen.header);
        let titles: Vec<String> = screen.views.iter().map(|v| v.title.clone()).collect();
        let whole = titles != self.titles;
        if header != self.header {
            out.line(&header);
        }
        if screen.banner != self.banner
            && let Some((text, error)) = &screen.banner
        {
            out.line(&if *error { format!("Error: {text}") } else { text.clone() });
        }
        let mut rows = HashMap::new();
        let mut sections = HashMap::new();
        // The field being typed into (the first on screen): characters
        // typed next echo after it.
        let mut typing = None;
        for (v, view) in screen.views.iter().enumerate() {
            let new_view = self.titles.get(v) != Some(&view.title);
            if new_view {
                read_whole(view, &mut out);
            } else if whole && v + 1 == screen.views.len() {
                // A dialog over it closed.
                out.line(&format!("Back to {}.", view.title));
            }
            for section in &view.sections {
                let place = (v, section_key(&section.title));
                let identified = section.rows.iter().any(|r| !r.id.is_empty());
                // Rows read for the first time (a list that was loading):
                // the section is read whole, not row by row as new.
                let first_read = !new_view && identified && !self.sections.get(&place).copied().unwrap_or(false);
                if first_read {
                    read_section(section, &mut out);
                }
                sections.insert(place.clone(), identified);
                let mut ids = std::collections::HashSet::new();
                for (r, row) in section.rows.iter().enumerate() {
                    let id = if row.id.is_empty() { r.to_string() } else { row.id.clone() };
                    // Two rows under one id stay two rows.
                    let id = if ids.insert(id.clone()) { id } else { format!("{id}#{r}") };
                    let key = (v, place.1.clone(), id);
                    let words = row_words(row, false);
                    if !new_view && !first_read {
                        match self.rows.get(&key) {
                            None => out.line(&format!("New in {}: {}", or_view(&section.title, view), row_text(row))),
                            Some((before, _)) if *before != words => {
                                match (&self.typing, row.cells.iter().find(|c| c.meaning == Meaning::Input)) {
                                    (Some((at, typed)), Some(field))
                                        if *at == key && field.text.starts_with(typed.as_str()) =>
                                    {
                                        out.echo(&field.text[typed.len()..]);
                                    }
                                    _ => out.line(&row_text(row)),
                                }
                            }
                            Some((_, was_selected)) if row.selected && !was_selected => out.line(&row_text(row)),
                            Some(_) => {}
                        }
                    }
                    if typing.is_none()
                        && let Some(field) = row.cells.iter().find(|c| c.meaning == Meaning::Input)
                    {
                        typing = Some((key.clone(), field.text.clone()));
                    }
                    rows.insert(key, (words, row.selected));
                }
            }
        }
        if whole && !screen.keys.is_empty() {
            let keys: Vec<String> = screen.keys.iter().map(|(key, help)| format!("{key} {help}")).collect();
            out.line(&format!("Keys: {}.", keys.join(", ")));
        }
        self.titles = titles;
        self.rows = rows;
        self.sections = sections;
        self.header = header;
        self.banner.clone_from(&screen.banner);
        self.open = out.open;
        self.typing = typing;
        out.text
    }
}

/// Where the output goes: whole lines, or an echo continuing a line.
struct Out {
    text: String,
    /// The last thing written was an echo: the line is still open.
    open: bool,
}

impl Out {
    fn new(open: bool) -> Self {
        Self { text: String::new(), open }
    }

    fn line(&mut self, text: &str) {
        if self.open {
            self.text.push('\n');
            self.open = false;
        }
        self.text.push_str(text);
        self.text.push('\n');
    }

    fn echo(&mut self, typed: &str) {
        self.text.push_str(typed);
        self.open = true;
    }
}

fn or_view<'a>(section: &'a str, view: &'a ViewModel) -> &'a str {
    if section.is_empty() { &view.title } else { section }
}

/// A view read out whole.
fn read_whole(view: &ViewModel, out: &mut Out) {
    out.line(&format!("== {} ==", view.title));
    for section in &view.sections {
        read_section(section, out);
    }
}

/// A section read out whole: its title, then its rows; a list, which is
/// moved through, its size and the row the cursor is on.
fn read_section(section: &super::view_model::Section, out: &mut Out) {
    if !section.title.is_empty() {
        out.line(&format!("{}:", section.title));
    }
    if section.list {
        let count = crate::wording::count(u64::try_from(section.rows.len()).unwrap_or(u64::MAX), "row", "rows");
        match section.rows.iter().find(|r| r.selected) {
            Some(row) => out.line(&format!("{count}; {} (current)", row_text(row))),
            None => out.line(&count),
        }
        return;
    }
    for row in &section.rows {
        let text = row_text(row);
        // A spacer on screen says nothing.
        if text.is_empty() {
            continue;
        }
        if row.selected { out.line(&format!("{text} (current)")) } else { out.line(&text) }
    }
}

/// A section's title without its counts (`Open tickets () · oldest
/// first`): the same section while its rows come and go.
fn section_key(title: &str) -> String {
    title.chars().filter(|c| !c.is_ascii_digit()).collect()
}

fn header_text(cells: &[Cell]) -> String {
    cells.iter().filter(|c| !c.mark).map(cell_words).filter(|t| !t.is_empty()).collect::<Vec<_>>().join(", ")
}

/// A row as read out: its label, then its cells.
fn row_text(row: &Row) -> String {
    let words = row_words(row, true);
    match &row.label {
        Some(label) if words.is_empty() => label.clone(),
        Some(label) => format!("{label}: {words}"),
        None => words,
    }
}

/// A row's cells as words; `countdowns` false leaves out the times that
/// change by themselves (for telling a change from a tick): countdown
/// cells, and relative times inside any text (`25s ago`, `in 47h 59m`,
/// `3 days ago`).
fn row_words(row: &Row, countdowns: bool) -> String {
    row.cells
        .iter()
        // A mark is for the eye: the row's label says it.
        .filter(|c| !c.mark)
        .filter(|c| countdowns || c.meaning != Meaning::Countdown)
        .map(|c| match c.meaning {
            Meaning::State(state) if !countdowns => state_word(state).to_owned(),
            _ if !countdowns => steady(&cell_words(c)),
            _ => cell_words(c),
        })
        .filter(|t| !t.is_empty())
        .fold(String::new(), |mut said, words| {
            // A label ending in `:` (`Lately:`) runs on into what it names.
            if !said.is_empty() {
                said.push_str(if said.ends_with(':') { " " } else { ", " });
            }
            said.push_str(&words);
            said
        })
}

/// Text without its relative times: `sent 25s ago` and `sent 26s ago`
/// read the same, `DOB failures 0` and `DOB failures 1` do not.
fn steady(text: &str) -> String {
    const UNITS: [&str; 8] = ["second", "seconds", "minute", "minutes", "hour", "hours", "day", "days"];
    let bare = |t: &str| t.trim_matches(|c: char| matches!(c, '(' | ')' | ',' | ';' | '.' | ':')).to_owned();
    let tokens: Vec<String> = text.split_whitespace().map(bare).collect();
    let span = |t: &str| {
        let digits = t.trim_end_matches(['s', 'm', 'h', 'd']);
        !digits.is_empty() && digits.len() < t.len() && digits.bytes().all(|b| b.is_ascii_digit())
    };
    let number = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let mut out = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let next = tokens.get(i + 1).map(String::as_str).unwrap_or_default();
        if span(token) || number(token) && UNITS.contains(&next) {
            continue;
        }
        out.push(token.as_str());
    }
    out.join(" ")
}

fn cell_words(cell: &Cell) -> String {
    match cell.meaning {
        Meaning::Masked => "hidden".to_owned(),
        Meaning::Danger if !cell.text.is_empty() => cell.text.trim().to_owned(),
        _ => cell.text.trim().to_owned(),
    }
}

fn state_word(state: InviteState) -> &'static str {
    state.label()
}

/// Text as written to a terminal in raw mode: `\r\n` for each line break,
/// every other control character made visible (`␛`), and the bidi and C1
/// controls replaced, so nothing from the portal can act on the terminal.
pub fn for_terminal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\r\n"),
            '\0'..='\u{1f}' => out.push(char::from_u32(0x2400 + u32::from(c)).unwrap_or('\u{FFFD}')),
            '\u{7f}' => out.push('␡'),
            c if crate::sanitize::is_unsafe(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::view_model::Section;

    #[test]
    fn a_mark_is_for_the_eye_and_a_spacer_says_nothing() {
        let row = Row::new(vec![Cell::new("→", Meaning::Key).mark(), Cell::text("Resend the invite")]).label("Do");
        assert_eq!(row_text(&row), "Do: Resend the invite");
        let mut out = Out::new(false);
        read_section(
            &Section::new("Profile", vec![Row::one(Cell::text("a")), Row::default(), Row::one(Cell::text("b"))]),
            &mut out,
        );
        assert_eq!(out.text, "Profile:\na\nb\n");
    }

    fn queue(selected: usize, subject: &str) -> Screen {
        let rows = (0..3)
            .map(|i| {
                Row::new(vec![
                    Cell::text(format!("T-100{i}")),
                    Cell::text(if i == 2 { subject.to_owned() } else { format!("Subject {i}") }),
                    Cell::new(format!("in {}h 0{i}m", 40 + i), Meaning::Countdown),
                ])
                .id(format!("T-100{i}"))
                .label(format!("Ticket {} of 3", i + 1))
                .selected(i == selected)
            })
            .collect();
        Screen {
            header: vec![Cell::text("Queue")],
            banner: None,
            views: vec![ViewModel::new("Queue").section(Section::new("Open tickets (3)", rows))],
            keys: vec![("j".into(), "down"), ("Enter".into(), "open")],
        }
    }

    #[test]
    fn a_new_screen_reads_whole_then_only_what_changed() {
        let mut plain = Plain::new();
        let first = plain.frame(&queue(0, "Subject 2"));
        assert!(first.contains("== Queue =="), "{first}");
        assert!(first.contains("Ticket 1 of 3: T-1000, Subject 0, in 40h 00m (current)"), "{first}");
        assert!(first.contains("Keys: j down, Enter open."), "{first}");
        // Nothing changed: nothing said.
        assert_eq!(plain.frame(&queue(0, "Subject 2")), "");
        // The cursor moved: the row it is on now.
        assert_eq!(plain.frame(&queue(1, "Subject 2")), "Ticket 2 of 3: T-1001, Subject 1, in 41h 01m\n");
        // A countdown ticking is no change.
        let mut ticked = queue(1, "Subject 2");
        ticked.views[0].sections[0].rows[0].cells[2].text = "in 39h 59m".into();
        assert_eq!(plain.frame(&ticked), "");
        // Words changed: the row again; a new row is announced.
        let mut changed = queue(1, "Reply from the client");
        changed.views[0].sections[0].rows.push(Row::one(Cell::text("T-1009")).id("T-1009").label("Ticket 4 of 4"));
        let said = plain.frame(&changed);
        assert_eq!(
            said,
            "Ticket 3 of 3: T-1002, Reply from the client, in 42h 02m\nNew in Open tickets (3): Ticket 4 of 4: T-1009\n"
        );
    }

    #[test]
    fn a_dialog_reads_whole_over_the_view_and_a_banner_is_said_once() {
        let mut plain = Plain::new();
        plain.frame(&queue(0, "x"));
        let mut with_dialog = queue(0, "x");
        with_dialog.views.push(
            ViewModel::new("Resend invite")
                .section(Section::new("", vec![Row::field("Email", Cell::new("a•••@•••", Meaning::Masked))])),
        );
        let said = plain.frame(&with_dialog);
        assert!(said.starts_with("== Resend invite ==\n"), "{said}");
        assert!(said.contains("Email, hidden"), "{said}");
        assert!(!said.contains("Ticket 1"), "the view under it is not read again: {said}");
        with_dialog.banner = Some(("Invite sent".into(), false));
        assert_eq!(plain.frame(&with_dialog), "Invite sent\n");
        assert_eq!(plain.frame(&with_dialog), "");
        with_dialog.banner = Some(("The portal refused it".into(), true));
        assert_eq!(plain.frame(&with_dialog), "Error: The portal refused it\n");
    }

    #[test]
    fn nothing_but_text_and_line_breaks_reaches_the_terminal() {
        let out = for_terminal("Ann\x1b[2J\u{202e}evil\nnext\r\t");
        assert_eq!(out, "Ann␛[2J\u{FFFD}evil\r\nnext␍␉");
    }

    #[test]
    fn relative_times_in_text_are_no_change_but_counts_are() {
        assert_eq!(steady("sent 25s ago · expires Dec 9"), steady("sent 26s ago · expires Dec 9"));
        assert_eq!(steady("until Dec 9 (in 47h 59m)"), steady("until Dec 9 (in 47h 58m)"));
        assert_eq!(steady("opened 3 days ago"), steady("opened 4 days ago"));
        assert_ne!(steady("DOB failures 0"), steady("DOB failures 1"));
        assert_ne!(steady("Invite 1 of 2"), steady("Invite 2 of 2"));
    }

    #[test]
    fn rows_that_share_an_id_stay_apart() {
        let screen = |second: &str| Screen {
            views: vec![ViewModel::new("Account").section(Section::new(
                "Audit trail",
                vec![Row::one(Cell::text("resent")).id("same"), Row::one(Cell::text(second.to_owned())).id("same")],
            ))],
            ..Screen::default()
        };
        let mut plain = Plain::new();
        plain.frame(&screen("replied"));
        assert_eq!(plain.frame(&screen("replied")), "", "nothing changed");
        assert_eq!(plain.frame(&screen("solved")), "solved\n");
    }

    #[test]
    fn typing_echoes_and_other_edits_read_the_field_again() {
        let field = |text: &str| {
            let mut screen = queue(0, "x");
            screen.views.push(ViewModel::new("Reply").section(Section::new(
                "",
                vec![Row::new(vec![Cell::muted("Reply"), Cell::new(text, Meaning::Input)])],
            )));
            screen
        };
        let mut plain = Plain::new();
        plain.frame(&field(""));
        assert_eq!(plain.frame(&field("H")), "H");
        assert_eq!(plain.frame(&field("Hi")), "i");
        // A deletion reads the field out, on a new line.
        assert_eq!(plain.frame(&field("H")), "\nReply, H\n");
        assert_eq!(plain.frame(&field("Ho")), "o");
    }
}
