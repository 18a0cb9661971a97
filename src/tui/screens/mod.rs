//! Rendering: a pure function of the state and the instant. One screen or
//! dialog, one file, each depending only on its own state and [`Ui`]; the
//! frame around them (header, banner, footer) is drawn by `app::view`.

pub mod account;
pub mod addresses;
pub mod dob_compare;
pub mod edit_dob;
pub mod fix;
pub mod help;
pub mod note;
pub mod palette;
pub mod queue;
pub mod reply;
pub mod resend;
pub mod retry_wait;
pub mod revoke;
pub mod search;
pub mod second_look;
pub mod submission;
pub mod ticket;
pub mod ticket_picker;
pub mod timeline;

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear};

use super::keymap::Keymap;
use super::theme::Theme;
use super::view_model::{Cell, Meaning};
use crate::diagnose::invite::{self, InviteState};
use crate::portal::model::{InviteStatus, Role};
use crate::timezone::StaffZone;

/// Where things go on screen: pure functions of the terminal size, shared
/// by rendering and by mouse hit-testing.
pub mod layout {
    use ratatui::layout::Rect;

    /// The header line.
    pub fn header(size: (u16, u16)) -> Rect {
        Rect::new(0, 0, size.0, 1.min(size.1))
    }

    /// The banner line under the header.
    pub fn banner(size: (u16, u16)) -> Rect {
        Rect::new(0, 1.min(size.1), size.0, u16::from(size.1 > 2))
    }

    /// The screen's own area.
    pub fn body(size: (u16, u16)) -> Rect {
        Rect::new(0, 2.min(size.1), size.0, size.1.saturating_sub(3))
    }

    /// The footer line of key hints.
    pub fn footer(size: (u16, u16)) -> Rect {
        Rect::new(0, size.1.saturating_sub(1), size.0, u16::from(size.1 > 0))
    }

    /// A dialog of at most `width` x `height`, centred in `area`.
    pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
        let w = width.min(area.width);
        let h = height.min(area.height);
        Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h)
    }

    /// The first row of a list shown in `rows` lines with `selected`
    /// selected: the list scrolls just enough to keep it in view.
    pub fn scroll_offset(selected: usize, rows: usize) -> usize {
        if rows == 0 { selected } else { selected.saturating_sub(rows - 1) }
    }

    /// The row of a bordered table in `area` at a screen position: `top`
    /// lines above the first row (border, header), one border line below.
    pub fn table_row_at(area: Rect, top: u16, selected: usize, len: usize, column: u16, row: u16) -> Option<usize> {
        let inside =
            column >= area.x && column < area.right() && row >= area.y + top && row < area.bottom().saturating_sub(1);
        if !inside {
            return None;
        }
        let visible = area.height.saturating_sub(top + 1) as usize;
        let index = scroll_offset(selected, visible) + (row - area.y - top) as usize;
        (index < len).then_some(index)
    }
}

/// A cursor moved by a navigation action in a list of `len` rows.
pub fn moved(selected: usize, len: usize, action: crate::tui::action::Action) -> usize {
    use crate::tui::action::Action;
    let last = len.saturating_sub(1);
    match action {
        Action::Down => (selected + 1).min(last),
        Action::Up => selected.saturating_sub(1),
        Action::Top => 0,
        Action::Bottom => last,
        _ => selected,
    }
}

/// What every screen draws with: the styles, the keys in force, the
/// staff member's time zone and the instant.
pub struct Ui<'a> {
    pub theme: &'a Theme,
    pub keys: &'a Keymap,
    pub zone: StaffZone,
    /// Absolute times shown beside relative ones (`t`).
    pub absolute_times: bool,
    pub now: DateTime<Utc>,
}

impl Ui<'_> {
    /// `in 47h 12m`, and with `t` also the date and time in the staff
    /// member's zone.
    pub fn when(&self, relative: String, at: DateTime<Utc>) -> String {
        if self.absolute_times { format!("{relative} ({})", self.zone.short(at)) } else { relative }
    }
}

/// A bordered dialog box of `width` × `height`, centred in `area` (cut to
/// it) and cleared underneath; answers the area inside its border.
pub fn dialog(frame: &mut Frame<'_>, area: Rect, (width, height): (u16, u16), title: &str, theme: &Theme) -> Rect {
    let area = layout::centered(area, width, height);
    frame.render_widget(Clear, area);
    let block = Block::bordered().title(Span::styled(format!(" {title} "), theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

/// A dialog drawn from its view model as `form` says: a box `form.width`
/// wide (cut to `area`), as tall as what it says and at least
/// `form.least`, titled by the model; what others did lately first, then
/// the model laid out ([`view_model::form`](super::view_model::form)),
/// scrolled, the cursor at its caret. Where it does not all fit and the
/// form is pinned, its last section (the status and the keys) stays at
/// the foot and the rest is cut or scrolls above it, so what Enter does
/// always shows.
pub fn form_dialog(
    model: &super::view_model::ViewModel,
    frame: &mut Frame<'_>,
    area: Rect,
    shared: &super::component::Shared<'_>,
    form: &super::view_model::Form,
) {
    use super::view_model::{self, ViewModel};
    let theme = shared.ui.theme;
    let mut body = submission::with_lately(model.clone(), shared.lately);
    let inside = usize::from(form.width.min(area.width).saturating_sub(2));
    let (whole, cursor) = view_model::form(&body, inside, theme, form.caret.as_ref());
    let height = u16::try_from(whole.len() + 2).unwrap_or(u16::MAX).max(form.least);
    let inner = dialog(frame, area, (form.width, height), &model.title, theme);
    // The status is kept in view only where something above it is left
    // (and the field typed into is not in it).
    let fits = whole.len() <= usize::from(inner.height);
    let typed_in = |last: &view_model::Section| {
        form.caret.as_ref().is_some_and(|caret| last.rows.iter().any(|row| row.id == caret.row))
    };
    let pin = form.pinned && !fits && body.sections.len() > 1 && body.sections.last().is_some_and(|l| !typed_in(l));
    let (lines, foot) = match body.sections.pop() {
        Some(last) if pin => {
            let foot = ViewModel { title: String::new(), sections: vec![last] };
            (view_model::form(&body, inside, theme, None).0, view_model::form(&foot, inside, theme, None).0)
        }
        _ => (whole, Vec::new()),
    };
    let foot_height = u16::try_from(foot.len()).unwrap_or(u16::MAX).min(inner.height / 2);
    let above = Rect { height: inner.height - foot_height, ..inner };
    frame.render_widget(ratatui::widgets::Paragraph::new(lines).scroll((form.scroll, 0)), above);
    if foot_height > 0 {
        let at = Rect { y: above.bottom(), height: foot_height, ..inner };
        frame.render_widget(ratatui::widgets::Paragraph::new(foot), at);
    }
    if let Some((column, line)) = cursor
        && let Some(line) = u16::try_from(line).ok().and_then(|line| line.checked_sub(form.scroll))
        && line < above.height
    {
        frame.set_cursor_position(ratatui::layout::Position::new(cursor_column(inner, column, 0), inner.y + line));
    }
}

/// The symbol of an invite state (status is never colour alone).
pub fn state_symbol(state: InviteState) -> &'static str {
    match state {
        InviteState::Pending => "●",
        InviteState::ExpiringSoon => "◐",
        InviteState::Expired => "✕",
        InviteState::Superseded => "↻",
        InviteState::Accepted => "✓",
        InviteState::Revoked => "⊘",
    }
}

/// The words of a latest invite's badge (`pending 47h 12m`, `expired 3
/// days ago`: the state's word once) and its state.
pub fn invite_badge_words(
    status: InviteStatus,
    expires_at: DateTime<Utc>,
    role: Role,
    now: DateTime<Utc>,
) -> (InviteState, String) {
    let state = invite::state_at(status, expires_at, role, now);
    let countdown = invite::countdown_at(status, expires_at, None, role, now);
    let text = if state.is_live() {
        let word = if state == InviteState::ExpiringSoon { "expiring" } else { state.label() };
        format!("{word} {countdown}")
    } else {
        countdown
    };
    (state, text)
}

/// A latest invite's badge as a view model's cell (never dropped).
pub fn invite_cell(status: InviteStatus, expires_at: DateTime<Utc>, role: Role, now: DateTime<Utc>) -> Cell {
    let (state, text) = invite_badge_words(status, expires_at, role, now);
    Cell::new(text, Meaning::State(state)).must()
}

/// `● pending 47h 12m`, styled, for a latest invite in a list.
pub fn invite_badge<'a>(
    status: InviteStatus,
    expires_at: DateTime<Utc>,
    role: Role,
    now: DateTime<Utc>,
    theme: &Theme,
) -> Line<'a> {
    Line::from(crate::tui::view_model::span(&invite_cell(status, expires_at, role, now), theme))
}

/// What a dialog about the open account says while it is read.
pub const LOADING: &str = "The account is still loading.";

/// A label and a value on one line.
pub fn field<'a>(label: &'a str, value: impl Into<String>, theme: &Theme, style: Style) -> Line<'a> {
    Line::from(vec![Span::styled(format!("{label:<9}"), theme.muted), Span::styled(value.into(), style)])
}

/// The most characters of one value from the portal (a name, a phone, an
/// address) the console shows: whatever the portal sends, a frame costs
/// the same (issue 17: a 50 MB first name made each key take 5 s).
pub const SHOWN_MAX: usize = 200;

/// A value from the portal as the console shows it: cut to [`SHOWN_MAX`]
/// characters, then every control character made visible as the CLI shows
/// it (`␛`, `⟨U+202E⟩`), so none is dropped by the renderer or swallows
/// its neighbour.
pub fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    match crate::sanitize::capped(text, SHOWN_MAX) {
        std::borrow::Cow::Borrowed(text) => crate::sanitize::line(text),
        std::borrow::Cow::Owned(text) => std::borrow::Cow::Owned(crate::sanitize::line(&text).into_owned()),
    }
}

/// A block of portal text (a message body, a reply) as shown: its lines
/// kept, every other control visible, cut to `max` characters.
pub fn shown_block(text: &str, max: usize) -> String {
    crate::sanitize::multiline(&crate::sanitize::capped(text, max)).into_owned()
}

/// A person's name for display, each part cut to [`SHOWN_MAX`].
pub fn full_name(first: &str, last: &str) -> String {
    format!("{} {}", shown(first), shown(last))
}

/// The most characters a one-line field holds (a search, a DOB, an
/// address, a ticket id).
pub const FIELD_MAX: usize = 200;

/// The most characters a reason holds (the audit trail keeps it whole).
pub const REASON_MAX: usize = 500;

/// Inserts pasted text into a field of at most [`FIELD_MAX`] characters:
/// control characters dropped, any other Unicode kept. Returns whether the
/// value changed.
pub fn paste_into(input: &mut tui_input::Input, text: &str) -> bool {
    paste_into_max(input, text, FIELD_MAX)
}

/// Inserts pasted text into a field of at most `max` characters: control
/// characters dropped, the rest cut where the field is full, however long
/// the paste. Returns whether the value changed.
pub fn paste_into_max(input: &mut tui_input::Input, text: &str, max: usize) -> bool {
    let room = max.saturating_sub(input.value().chars().count());
    let before = input.value().len();
    for ch in text.chars().filter(|c| !c.is_control()).take(room) {
        input.handle(tui_input::InputRequest::InsertChar(ch));
    }
    input.value().len() != before
}

/// A key for a field of at most `max` characters: typing stops when it is
/// full; moving and deleting always work. Returns what changed, if anything.
pub fn type_into(
    input: &mut tui_input::Input,
    event: &crossterm::event::Event,
    max: usize,
) -> Option<tui_input::StateChanged> {
    let request = tui_input::backend::crossterm::to_input_request(event)?;
    let full = input.value().chars().count() >= max;
    if full && matches!(request, tui_input::InputRequest::InsertChar(_)) {
        return None;
    }
    input.handle(request)
}

/// A key or a paste for a text field.
#[derive(Debug, Clone, Copy)]
pub enum Typing<'a> {
    Key(&'a crossterm::event::Event),
    Paste(&'a str),
}

impl Typing<'_> {
    /// Puts it into `input`, a field of at most `max` characters (see
    /// [`type_into`] and [`paste_into_max`]); true when its text changed.
    pub fn into_field(self, input: &mut tui_input::Input, max: usize) -> bool {
        match self {
            Typing::Key(event) => type_into(input, event, max).is_some_and(|change| change.value),
            Typing::Paste(text) => paste_into_max(input, text, max),
        }
    }
}

/// The column of a text cursor drawn `offset` columns into `area`, kept
/// inside `area` whatever the field holds: the sum saturates, so no value
/// can overflow it.
pub fn cursor_column(area: Rect, offset: u16, visual_cursor: usize) -> u16 {
    let cursor = u16::try_from(visual_cursor).unwrap_or(u16::MAX);
    area.x.saturating_add(offset).saturating_add(cursor).min(area.right().saturating_sub(1))
}

/// Cuts text to `width` columns, with an ellipsis when cut (a wide
/// character is never split): [`crate::width::truncate`].
pub fn truncate(text: &str, width: usize) -> String {
    crate::width::truncate(text, width)
}

/// A short age: `3m`, `5h`, `2d` (the one wording).
pub use crate::wording::short as short_age;

#[cfg(test)]
mod shown_tests {
    #[test]
    fn values_of_any_length_are_cut_for_display() {
        let long = "é".repeat(5_000_000);
        let name = super::full_name(&long, "Lee");
        assert_eq!(name.chars().count(), super::SHOWN_MAX + 1 + 1 + 3, "capped first name, …, space, last name");
        assert_eq!(super::shown("Ann"), "Ann");
    }
}
