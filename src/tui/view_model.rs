//! What a screen says, as data, between a component's state and a frame.
//!
//! A view or dialog describes itself as a [`ViewModel`]: titled sections of
//! rows, each row a list of cells, each cell its text, its [`Meaning`] and
//! its priority when space is short. Renderers decide how it looks: the
//! ratatui renderer ([`render`]) styles cells by meaning and drops the
//! least needed cells first when a row does not fit; the plain renderer
//! (`tui::plain`, `--plain`) reads the same model out as lines for screen
//! readers. Neither knows any screen.
//!
//! Cells hold the text as the screen shows it: masked values are masked
//! here already (the component decides what is revealed), so no renderer
//! can unmask one.

use std::cell::RefCell;
use std::fmt;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use ratatui::widgets::{Block, Paragraph};

use super::theme::Theme;
use crate::diagnose::invite::InviteState;

/// What a cell's text is, for the renderers: the ratatui renderer styles
/// by it, the plain renderer words by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Meaning {
    /// Ordinary text.
    #[default]
    Text,
    /// A label or an aside.
    Muted,
    /// A key to press.
    Key,
    /// Who or what something is from (the client's own words).
    Info,
    /// Something that went well or is fine.
    Ok,
    /// Something to watch.
    Warning,
    /// Something wrong or refused.
    Danger,
    /// An invite's state.
    State(InviteState),
    /// A time counting down or up (`in 47h 12m`, `3m ago`): it changes
    /// every second, so the plain renderer does not announce its changes.
    Countdown,
    /// A value hidden until revealed (`•••`).
    Masked,
    /// A text field being typed into.
    Input,
    /// A name or heading on screen (the account holder's name).
    Heading,
    /// A value that is revealed (an address or DOB shown in full): drawn
    /// to stand out, read out as it is.
    Revealed,
}

/// How much a cell is needed when space is short: the renderer drops
/// [`Priority::Low`] cells first, then [`Priority::Normal`] ones; a
/// [`Priority::Must`] cell is never dropped (it may be cut).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Priority {
    Must,
    #[default]
    Normal,
    Low,
}

/// One piece of a row.
#[derive(Clone, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    pub meaning: Meaning,
    pub priority: Priority,
    /// Drawn led by its meaning's symbol (`✓`, `⚠`, `✕`), as a badge whose
    /// state must not be colour alone. An invite's state always is.
    pub badge: bool,
    /// How it is set off from the cell before it on screen.
    pub join: Join,
    /// A shorter form (`593d ago` for `593 days ago`), drawn before the
    /// cell would be dropped for want of space.
    pub short: Option<String>,
    /// The fewest columns it takes on screen (padded with spaces), so a
    /// column of rows lines up.
    pub width: u16,
    /// Padded on the left (right-aligned) rather than on the right.
    pub right: bool,
    /// Drawn bold.
    pub strong: bool,
    /// A glyph or word that only marks its row on screen (`→`, `!`,
    /// `Say:`): the plain renderer leaves it out (the row's label says it).
    pub mark: bool,
    /// A block of text (a message body): on screen its lines are kept,
    /// each under the row's `hang` and wrapped at words, every wrapped
    /// line under its own leading spaces and quote marker (`> `). It starts
    /// a line of its own and takes the rest of its row.
    pub block: bool,
}

/// What goes between a cell and the one before it on screen (the plain
/// renderer reads cells as a list whatever their join).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Join {
    /// A space.
    #[default]
    Space,
    /// ` · `: it goes on from the cell before it
    /// (`On the invite page now · typed ••/••/••••`).
    Dot,
    /// Two spaces, setting it apart (an id after a countdown).
    Gap,
    /// A new line on screen, indented by the row's `hang`: a row of
    /// several lines (an invite: its state, where it went, who opened it).
    Line,
}

impl Join {
    /// The columns it takes.
    fn width(self) -> usize {
        match self {
            Join::Space => 1,
            Join::Dot => 3,
            Join::Gap => 2,
            Join::Line => 0,
        }
    }

    /// What it draws.
    pub fn text(self) -> &'static str {
        match self {
            Join::Space => " ",
            Join::Dot => " · ",
            Join::Gap => "  ",
            Join::Line => "",
        }
    }
}

impl fmt::Debug for Cell {
    /// Lengths only: a cell may hold PHI.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cell({:?}, {:?}, <{} chars>)", self.meaning, self.priority, self.text.chars().count())
    }
}

impl Cell {
    pub fn new(text: impl Into<String>, meaning: Meaning) -> Self {
        Self {
            text: text.into(),
            meaning,
            priority: Priority::Normal,
            badge: false,
            join: Join::Space,
            short: None,
            width: 0,
            right: false,
            strong: false,
            mark: false,
            block: false,
        }
    }

    /// Ordinary text.
    pub fn text(text: impl Into<String>) -> Self {
        Self::new(text, Meaning::Text)
    }

    /// A label or an aside.
    pub fn muted(text: impl Into<String>) -> Self {
        Self::new(text, Meaning::Muted)
    }

    /// The cell is never dropped.
    pub fn must(self) -> Self {
        Self { priority: Priority::Must, ..self }
    }

    /// How much it is needed when space is short.
    pub fn priority(self, priority: Priority) -> Self {
        Self { priority, ..self }
    }

    /// The cell goes first when space is short.
    pub fn low(self) -> Self {
        Self { priority: Priority::Low, ..self }
    }

    /// Drawn led by its meaning's symbol.
    pub fn badge(self) -> Self {
        Self { badge: true, ..self }
    }

    /// Goes on from the cell before it (after ` · `).
    pub fn continues(self) -> Self {
        self.join(Join::Dot)
    }

    /// Set off from the cell before it by `join`.
    pub fn join(self, join: Join) -> Self {
        Self { join, ..self }
    }

    /// Starts a new line of its row on screen.
    pub fn next_line(self) -> Self {
        self.join(Join::Line)
    }

    /// Its shorter form, drawn where the whole does not fit.
    pub fn or_short(self, short: impl Into<String>) -> Self {
        Self { short: Some(short.into()), ..self }
    }

    /// Takes at least `width` columns on screen.
    pub fn width(self, width: u16) -> Self {
        Self { width, ..self }
    }

    /// Takes at least `width` columns on screen, right-aligned.
    pub fn right(self, width: u16) -> Self {
        Self { width, right: true, ..self }
    }

    /// Drawn bold.
    pub fn strong(self) -> Self {
        Self { strong: true, ..self }
    }

    /// It only marks its row on screen (not read out).
    pub fn mark(self) -> Self {
        Self { mark: true, ..self }
    }

    /// A block of text, its lines kept (a message body).
    pub fn block(self) -> Self {
        Self { block: true, join: Join::Line, ..self }
    }

    /// The symbol it is drawn led by, if any: an invite state's own, or a
    /// badge's (`✓` fine, `⚠` to watch, `✕` wrong).
    pub fn symbol(&self) -> Option<&'static str> {
        match self.meaning {
            Meaning::State(state) => Some(super::screens::state_symbol(state)),
            Meaning::Ok if self.badge => Some("✓"),
            Meaning::Warning if self.badge => Some("⚠"),
            Meaning::Danger if self.badge => Some("✕"),
            _ => None,
        }
    }
}

/// The columns of a field's label ([`Row::field`]), so values line up.
pub const LABEL: u16 = 8;

/// One line of a section: a list, a field, a sentence.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Row {
    /// What stays the same about the row while its text changes (a ticket
    /// id, a message's place): the plain renderer tells a new row from a
    /// changed one by it. Empty: the row's place in its section.
    pub id: String,
    /// Its name when read out alone (`Ticket 3 of 29`); not drawn.
    pub label: Option<String>,
    pub cells: Vec<Cell>,
    /// The cursor is on it.
    pub selected: bool,
    /// Columns before it on screen (a selected row's `▶ ` goes there).
    pub indent: u16,
    /// Columns before each of its later lines on screen (after a
    /// [`Join::Line`] or a wrap).
    pub hang: u16,
    /// It wraps at word boundaries on screen instead of dropping cells by
    /// priority (a paragraph: a finding, an audit entry).
    pub wrap: bool,
}

impl Row {
    pub fn new(cells: Vec<Cell>) -> Self {
        Self { cells, ..Self::default() }
    }

    /// A row of one cell.
    pub fn one(cell: Cell) -> Self {
        Self::new(vec![cell])
    }

    /// A label and a value (`Email  a•••@…`).
    /// The label takes a column of [`LABEL`] (or its own width, when
    /// wider); the value's later lines go under the value.
    pub fn field(label: &str, value: Cell) -> Self {
        Self::field_in(LABEL, label, value)
    }

    /// [`Row::field`] with its label in a column of `width`.
    pub fn field_in(width: u16, label: &str, value: Cell) -> Self {
        let hang = crate::width::of(label).max(usize::from(width)) + 1;
        Self::new(vec![Cell::muted(label).width(width), value]).indent(0, u16::try_from(hang).unwrap_or(u16::MAX))
    }

    pub fn id(self, id: impl Into<String>) -> Self {
        Self { id: id.into(), ..self }
    }

    pub fn label(self, label: impl Into<String>) -> Self {
        Self { label: Some(label.into()), ..self }
    }

    pub fn selected(self, selected: bool) -> Self {
        Self { selected, ..self }
    }

    /// Drawn `indent` columns in, its later lines `hang` columns in.
    pub fn indent(self, indent: u16, hang: u16) -> Self {
        Self { indent, hang, ..self }
    }

    /// Wraps on screen, its later lines `hang` columns in.
    pub fn wrapped(self, indent: u16, hang: u16) -> Self {
        Self { wrap: true, ..self.indent(indent, hang) }
    }
}

/// A titled group of rows (a panel on screen, a heading read out).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Section {
    pub title: String,
    /// What its title says (a list's count, or that it is loading or
    /// failed), for its style.
    pub meaning: Meaning,
    pub rows: Vec<Row>,
    /// A list moved through with the cursor (the queue, search results):
    /// read out a row at a time, not whole.
    pub list: bool,
    /// A hint drawn at the right of its title on screen (`u: audit trail`).
    pub aside: Option<String>,
}

impl Section {
    pub fn new(title: impl Into<String>, rows: Vec<Row>) -> Self {
        Self { title: title.into(), meaning: Meaning::Text, rows, list: false, aside: None }
    }

    /// A list moved through with the cursor.
    pub fn list(title: impl Into<String>, rows: Vec<Row>) -> Self {
        Self { list: true, ..Self::new(title, rows) }
    }

    /// Its title means `meaning`.
    pub fn meaning(self, meaning: Meaning) -> Self {
        Self { meaning, ..self }
    }

    /// A hint at the right of its title on screen.
    pub fn aside(self, aside: impl Into<String>) -> Self {
        Self { aside: Some(aside.into()), ..self }
    }
}

/// What one view or dialog says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ViewModel {
    pub title: String,
    pub sections: Vec<Section>,
}

impl ViewModel {
    pub fn new(title: impl Into<String>) -> Self {
        Self { title: title.into(), sections: Vec::new() }
    }

    /// Adds a section.
    pub fn section(mut self, section: Section) -> Self {
        self.sections.push(section);
        self
    }

    /// Adds a section of `rows` titled `title`.
    pub fn rows(self, title: impl Into<String>, rows: Vec<Row>) -> Self {
        self.section(Section::new(title, rows))
    }

    /// Every cell's text, for tests and searches.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for section in &self.sections {
            out.push_str(&section.title);
            out.push('\n');
            for row in &section.rows {
                let cells: Vec<&str> = row.cells.iter().map(|c| c.text.as_str()).collect();
                out.push_str(&cells.join(" "));
                out.push('\n');
            }
        }
        out
    }
}

/// The whole screen as data: where the console is, what just happened,
/// the views shown (the view, its ticket pane, the dialog over them, in
/// order) and the keys of the screen in front.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Screen {
    /// `Queue`, `Account · ticket T-1003 · READ-ONLY`, `⚠ OFFLINE since 14:02`.
    pub header: Vec<Cell>,
    /// What just happened: its text and whether it is an error.
    pub banner: Option<(String, bool)>,
    pub views: Vec<ViewModel>,
    /// The keys of the screen in front: key and what it does.
    pub keys: Vec<(String, &'static str)>,
}

/// The style of a meaning.
pub fn style(theme: &Theme, meaning: Meaning) -> Style {
    match meaning {
        Meaning::Text | Meaning::Countdown => theme.text,
        Meaning::Input => theme.input,
        Meaning::Muted | Meaning::Masked => theme.muted,
        Meaning::Key => theme.key,
        Meaning::Info => theme.info,
        Meaning::Ok => theme.ok,
        Meaning::Warning => theme.warn,
        Meaning::Danger => theme.danger,
        Meaning::State(state) => theme.invite(state),
        Meaning::Heading => theme.title,
        Meaning::Revealed => theme.warn,
    }
}

/// A cell as drawn with `text` (its own or its short form): styled by its
/// meaning, an invite's state or a badge led by its symbol (status is
/// never colour alone), padded to its width.
fn drawn<'a>(cell: &Cell, text: &str, theme: &Theme) -> Span<'a> {
    let mut style = style(theme, cell.meaning);
    if cell.strong {
        style = style.add_modifier(Modifier::BOLD);
    }
    let text = match cell.symbol() {
        Some(symbol) => format!("{symbol} {text}"),
        None => text.to_owned(),
    };
    let pad = " ".repeat(usize::from(cell.width).saturating_sub(crate::width::of(&text)));
    let text = if pad.is_empty() {
        text
    } else if cell.right {
        pad + &text
    } else {
        text + &pad
    };
    Span::styled(text, style)
}

/// A cell as drawn.
pub fn span<'a>(cell: &Cell, theme: &Theme) -> Span<'a> {
    drawn(cell, &cell.text, theme)
}

/// The columns a cell drawn with `text` takes (its symbol and padding
/// included).
fn width_with(cell: &Cell, text: &str) -> usize {
    let symbol = cell.symbol().map_or(0, |s| crate::width::of(s) + 1);
    (crate::width::of(text) + symbol).max(usize::from(cell.width))
}

/// The columns a cell takes when drawn (its symbol included).
pub fn drawn_width(cell: &Cell) -> usize {
    width_with(cell, &cell.text)
}

/// A cell that fits, with the text it is drawn with (its own or its short
/// form).
#[derive(Debug, Clone, Copy)]
pub struct Fitted<'a> {
    pub cell: &'a Cell,
    pub text: &'a str,
}

/// The cells of `row` that fit in `width` columns (each after its
/// [`Join`]): first the cells with a shorter form take it, the
/// lowest-priority ones first; then the lowest-priority cells go, the last
/// ones first among equals, a mark with the cell after it; what is left
/// keeps its order. A row whose
/// needed cells alone do not fit is cut by the frame.
pub fn fitting(row: &Row, width: usize) -> Vec<Fitted<'_>> {
    let cells: Vec<&Cell> = row.cells.iter().collect();
    fit(&cells, width)
}

fn fit<'a>(cells: &[&'a Cell], width: usize) -> Vec<Fitted<'a>> {
    // Each cell's columns, whole and short, and its join's, measured once.
    let whole: Vec<usize> = cells.iter().map(|c| width_with(c, &c.text)).collect();
    let shorter: Vec<Option<usize>> = cells.iter().map(|c| c.short.as_deref().map(|s| width_with(c, s))).collect();
    let joins: Vec<usize> = cells.iter().map(|c| c.join.width()).collect();
    let mut kept = vec![true; cells.len()];
    let mut short = vec![false; cells.len()];
    let used = |kept: &[bool], short: &[bool]| -> usize {
        let mut total = 0;
        let mut first = true;
        for i in (0..cells.len()).filter(|&i| kept[i]) {
            let own = if short[i] { shorter[i].unwrap_or(whole[i]) } else { whole[i] };
            total += own + if first { 0 } else { joins[i] };
            first = false;
        }
        total
    };
    for priority in [Priority::Low, Priority::Normal, Priority::Must] {
        for i in (0..cells.len()).rev() {
            if used(&kept, &short) <= width {
                break;
            }
            if cells[i].priority == priority && shorter[i].is_some() {
                short[i] = true;
            }
        }
    }
    for priority in [Priority::Low, Priority::Normal] {
        for i in (0..cells.len()).rev() {
            if used(&kept, &short) <= width {
                break;
            }
            if cells[i].priority == priority {
                kept[i] = false;
                // A mark goes with the cell it marks (`★ default`).
                if let Some(before) = i.checked_sub(1).filter(|&b| cells[b].mark) {
                    kept[before] = false;
                }
            }
        }
    }
    let text = |i: usize| -> &'a str {
        let cell: &'a Cell = cells[i];
        match (&cell.short, short[i]) {
            (Some(shorter), true) => shorter.as_str(),
            _ => cell.text.as_str(),
        }
    };
    (0..cells.len()).filter(|&i| kept[i]).map(|i| Fitted { cell: cells[i], text: text(i) }).collect()
}

/// One row as a styled line of `width` columns (cells by priority): its
/// first line, for a row of one.
pub fn line(row: &Row, width: usize, theme: &Theme) -> Line<'static> {
    lines(row, width, theme).into_iter().next().unwrap_or_default()
}

/// A row as drawn in `width` columns: `indent` columns in (a selected row's
/// `▶ ` there), a line per [`Join::Line`], its later lines `hang` columns
/// in; each line's cells by priority, or, for a row that wraps, its words
/// wrapped at `width`.
pub fn lines(row: &Row, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let indent = usize::from(row.indent);
    let lead: Vec<Span<'static>> = match (row.selected, indent) {
        (true, 0 | 1) => vec![Span::styled("▶ ", theme.selected)],
        (true, n) => vec![Span::styled("▶ ", theme.key), Span::raw(" ".repeat(n - 2))],
        (false, 0) => Vec::new(),
        (false, n) => vec![Span::raw(" ".repeat(n))],
    };
    let hang = usize::from(row.hang);
    if row.wrap {
        let mut pieces = lead;
        for (i, cell) in row.cells.iter().enumerate() {
            if i > 0 {
                pieces.push(Span::raw(cell.join.text()));
            }
            pieces.push(span(cell, theme));
        }
        return wrap_indented(pieces, width, hang);
    }
    let mut out = Vec::new();
    let mut segment: Vec<&Cell> = Vec::new();
    let mut lead = Some(lead);
    let mut flush = |segment: &mut Vec<&Cell>, lead: &mut Option<Vec<Span<'static>>>| {
        let mut spans = lead.take().unwrap_or_else(|| vec![Span::raw(" ".repeat(hang))]);
        let used: usize = spans.iter().map(Span::width).sum();
        for (i, fitted) in fit(segment, width.saturating_sub(used)).into_iter().enumerate() {
            if i > 0 {
                spans.push(Span::raw(fitted.cell.join.text()));
            }
            spans.push(drawn(fitted.cell, fitted.text, theme));
        }
        segment.clear();
        out.push(Line::from(spans));
    };
    let mut block = None;
    for cell in &row.cells {
        if cell.block {
            block = Some(cell);
            break;
        }
        if cell.join == Join::Line && !segment.is_empty() {
            flush(&mut segment, &mut lead);
        }
        segment.push(cell);
    }
    if !segment.is_empty() || block.is_none() {
        flush(&mut segment, &mut lead);
    }
    if let Some(block) = block {
        let style = style(theme, block.meaning);
        for line in block.text.lines() {
            out.extend(block_lines(&crate::sanitize::line(line), width, hang, style));
        }
    }
    out
}

/// One line of a block of text `hang` columns in, word-wrapped at `width`:
/// every wrapped line starts with the line's own leading spaces and quote
/// marker (`> `, `>> `), so a quoted or indented line still reads as one.
/// A marker without its space gets one.
fn block_lines(line: &str, width: usize, hang: usize, style: Style) -> Vec<Line<'static>> {
    let whole = format!("{}{line}", " ".repeat(hang));
    if crate::width::of(&whole) <= width {
        return vec![Line::styled(whole, style)];
    }
    let lead = line.find(|c: char| c != ' ' && c != '>').unwrap_or(line.len());
    let (marker, text) = line.split_at(lead);
    let marker = if marker.ends_with('>') { format!("{marker} ") } else { marker.to_owned() };
    let prefix = format!("{}{marker}", " ".repeat(hang));
    // A marker too wide for the pane is dropped from the continuations
    // rather than leave no room for the text.
    let (prefix, room) = match width.checked_sub(crate::width::of(&prefix)) {
        Some(room) if room >= 8 => (prefix, room),
        _ => (" ".repeat(hang), width.saturating_sub(hang).max(1)),
    };
    wrap_indented(vec![Span::styled(text.to_owned(), style)], room, 0)
        .into_iter()
        .map(|row| {
            let mut spans = vec![Span::styled(prefix.clone(), style)];
            spans.extend(row.spans);
            Line::from(spans)
        })
        .collect()
}

/// Rows of a list drawn into `area` (inside a dialog), scrolled so the
/// selected one is in view: a line each, cells by priority.
pub fn list(rows: &[Row], frame: &mut Frame<'_>, area: Rect, theme: &Theme) {
    let height = usize::from(area.height);
    let selected = rows.iter().position(|r| r.selected).unwrap_or(0);
    let first = super::screens::layout::scroll_offset(selected, height);
    let lines: Vec<Line<'static>> =
        rows.iter().skip(first).take(height).map(|row| line(row, usize::from(area.width), theme)).collect();
    frame.render_widget(Paragraph::new(lines), area);
}

/// How a panel is drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Panel {
    /// The lines scrolled past at its top.
    pub scroll: u16,
    /// Says on its bottom border what is above and below (`↓ 8 more`).
    pub more: bool,
    /// Columns kept free at its right, inside the border.
    pub margin: u16,
}

/// Panels as last drawn, copied into the next frame where they say the
/// same thing in the same place and style: most keys change one panel, and
/// laying text out is most of a frame's cost. What a panel says is
/// compared whole (its words, meanings, widths), so a countdown that
/// ticks draws it again. Cleared on the lock: it holds what was shown.
///
/// A panel the terminal still shows, whole, from the frame just before is
/// not even copied: its cells are marked for ratatui's diff to skip, so
/// neither copying them nor comparing them costs. That needs to know the
/// frames follow each other on one screen ([`Drawn::begin`]: the frame
/// count goes up by one and the size is the same; a new terminal or a
/// resize starts over) and what is drawn over the panels after them
/// ([`Drawn::cover`]: the status line, a dialog). A panel not known to be
/// on screen whole is copied, as before.
#[derive(Default)]
pub struct Drawn {
    panels: RefCell<Vec<Kept>>,
    /// The frame being drawn: its count and size (see [`Drawn::begin`]).
    frame: std::cell::Cell<Option<(usize, Rect)>>,
}

/// One panel as drawn.
struct Kept {
    name: &'static str,
    section: Section,
    area: Rect,
    how: Panel,
    theme: Theme,
    max: u16,
    cells: Buffer,
    /// The frame at whose end the terminal showed it whole, as far as
    /// known: set when it is drawn, unset when something covers it.
    whole: Option<usize>,
    /// Left for the terminal to keep (skipped) in the frame being drawn.
    skipped: bool,
}

impl Drawn {
    /// Forgets every panel (the lock: nothing shown stays in memory).
    pub fn clear(&self) {
        self.panels.borrow_mut().clear();
    }

    /// A frame starts. Only where it follows the last one on the same
    /// screen (its count one more, its size the same) can a panel be left
    /// as the terminal shows it; otherwise no panel is known to be there.
    pub fn begin(&self, frame: &Frame<'_>) {
        let now = (frame.count(), frame.area());
        let follows = self.frame.get().is_some_and(|(count, area)| count.wrapping_add(1) == now.0 && area == now.1);
        for kept in self.panels.borrow_mut().iter_mut() {
            // Left to the terminal in an earlier frame says nothing of this
            // one: a panel not drawn in it must not be copied in by `cover`.
            kept.skipped = false;
            if !follows {
                kept.whole = None;
            }
        }
        self.frame.set(Some(now));
    }

    /// Something is drawn over `area` after the panels, in this frame: a
    /// panel under it that was left to the terminal is copied in after all
    /// (the diff then writes what is not covered), and none under it is
    /// whole on screen at this frame's end.
    pub fn cover(&self, frame: &mut Frame<'_>, area: Rect) {
        for kept in self.panels.borrow_mut().iter_mut().filter(|kept| kept.area.intersects(area)) {
            if std::mem::take(&mut kept.skipped) {
                copy(&kept.cells, frame.buffer_mut());
            }
            kept.whole = None;
        }
    }

    /// Draws `section` as the panel `name` (see [`panel`]), or copies it
    /// from the last frame when it is the same there, or leaves it to the
    /// terminal when it is there whole.
    pub fn panel(
        &self,
        name: &'static str,
        section: &Section,
        frame: &mut Frame<'_>,
        area: Rect,
        theme: &Theme,
        how: Panel,
    ) -> u16 {
        let area = area.intersection(frame.area());
        // The frame being drawn, where `begin` was told of it.
        let this = self.frame.get().filter(|(count, at)| *count == frame.count() && *at == frame.area()).map(|f| f.0);
        let mut panels = self.panels.borrow_mut();
        let at = panels.iter().position(|kept| kept.name == name);
        // The same panel in the same place: copied, or left to the
        // terminal; where only some rows changed (the cursor moved through
        // a list), those are drawn again in place and only they reach the
        // frame.
        if let Some(kept) = at.map(|at| &mut panels[at])
            && kept.area == area
            && kept.how == how
            && kept.theme == *theme
            && let Some(changed) =
                if kept.section == *section { Some(Vec::new()) } else { changed_rows(&kept.section, section) }
        {
            let on_screen = this.is_some_and(|count| kept.whole == Some(count.wrapping_sub(1)));
            let redrawn = kept.redraw_rows(section, &changed);
            if on_screen {
                skip(area, frame.buffer_mut());
                for y in redrawn {
                    copy_part(&kept.cells, frame.buffer_mut(), Rect { y, height: 1, ..area });
                }
            } else {
                copy(&kept.cells, frame.buffer_mut());
            }
            (kept.whole, kept.skipped) = (this, on_screen);
            return kept.max;
        }
        // The panel's last cells are drawn over where it stays in place.
        let mut cells = match at.map(|at| panels.swap_remove(at)) {
            Some(Kept { mut cells, area: was, .. }) if was == area => {
                cells.reset();
                cells
            }
            _ => Buffer::empty(area),
        };
        let max = panel_into(section, &mut cells, area, theme, how);
        copy(&cells, frame.buffer_mut());
        panels.push(Kept {
            name,
            section: section.clone(),
            area,
            how,
            theme: *theme,
            max,
            cells,
            whole: this,
            skipped: false,
        });
        max
    }
}

impl Kept {
    /// Draws the rows of `section` whose indexes are in `changed` again
    /// where they are (see [`changed_rows`]), and keeps them. Answers the
    /// screen rows drawn.
    fn redraw_rows(&mut self, section: &Section, changed: &[usize]) -> Vec<u16> {
        if changed.is_empty() {
            return Vec::new();
        }
        let inside = Rect {
            x: self.area.x.saturating_add(1),
            y: self.area.y.saturating_add(1),
            width: self.area.width.saturating_sub(2),
            height: self.area.height.saturating_sub(2),
        };
        let width = usize::from(inside.width.saturating_sub(self.how.margin));
        let top = usize::from(self.how.scroll.min(self.max));
        // Where each row's first line is.
        let firsts: Vec<usize> = self
            .section
            .rows
            .iter()
            .scan(0, |at, row| {
                let first = *at;
                *at += fixed_lines(row).unwrap_or(1);
                Some(first)
            })
            .collect();
        let mut redrawn = Vec::new();
        for &index in changed {
            let first = firsts[index];
            let row = &section.rows[index];
            let count = fixed_lines(row).unwrap_or(1);
            if first.saturating_add(count) > top && first < top + usize::from(inside.height) {
                for (k, line) in lines(row, width, &self.theme).iter().enumerate() {
                    let Some(y) = (first + k).checked_sub(top).filter(|y| *y < usize::from(inside.height)) else {
                        continue;
                    };
                    let y = inside.y + u16::try_from(y).unwrap_or(u16::MAX);
                    let line_area = Rect { y, height: 1, ..inside };
                    row_mut(&mut self.cells, line_area, y)
                        .unwrap_or_default()
                        .iter_mut()
                        .for_each(ratatui::buffer::Cell::reset);
                    put_lines(std::slice::from_ref(line), line_area, &mut self.cells);
                    redrawn.push(y);
                }
            }
            self.section.rows[index] = row.clone();
        }
        redrawn
    }
}

/// The lines a row takes where that is known without laying it out: one,
/// and one more for each cell that starts a line. `None` for a row that
/// wraps or holds a block of text.
fn fixed_lines(row: &Row) -> Option<usize> {
    if row.wrap || row.cells.iter().any(|c| c.block) {
        return None;
    }
    Some(1 + row.cells.iter().skip(1).filter(|c| c.join == Join::Line).count())
}

/// Which rows of `now` differ from `was`, where only that differs and
/// each row takes the lines it took (so every other row stays where it
/// is): the same title, meaning and aside, as many rows, each of a known
/// number of lines.
fn changed_rows(was: &Section, now: &Section) -> Option<Vec<usize>> {
    let same_frame = was.title == now.title
        && was.meaning == now.meaning
        && was.list == now.list
        && was.aside == now.aside
        && was.rows.len() == now.rows.len();
    if !same_frame {
        return None;
    }
    let mut changed = Vec::new();
    for (index, (a, b)) in was.rows.iter().zip(&now.rows).enumerate() {
        let lines = fixed_lines(a)?;
        if a != b {
            if fixed_lines(b)? != lines {
                return None;
            }
            changed.push(index);
        }
    }
    Some(changed)
}

/// Marks `area`'s cells for the diff to skip: the terminal keeps what it
/// shows there.
fn skip(area: Rect, buffer: &mut Buffer) {
    let area = area.intersection(buffer.area);
    for y in area.top()..area.bottom() {
        for cell in row_mut(buffer, area, y).unwrap_or_default() {
            cell.diff_option = ratatui::buffer::CellDiffOption::Skip;
        }
    }
}

/// Copies `from` (a part of the screen) into `to` in place.
fn copy(from: &Buffer, to: &mut Buffer) {
    copy_part(from, to, from.area);
}

/// Copies the part `area` of `from` into `to`.
fn copy_part(from: &Buffer, to: &mut Buffer, area: Rect) {
    let area = area.intersection(from.area).intersection(to.area);
    for y in area.top()..area.bottom() {
        if let (Some(source), Some(target)) = (row(from, area, y), row_mut(to, area, y)) {
            target.clone_from_slice(source);
        }
    }
}

/// Where row `y` of `area` (inside the buffer) is in its cells.
fn row_range(buffer: &Buffer, area: Rect, y: u16) -> std::ops::Range<usize> {
    let start = usize::from(y.saturating_sub(buffer.area.y)) * usize::from(buffer.area.width)
        + usize::from(area.x.saturating_sub(buffer.area.x));
    start..start + usize::from(area.width)
}

/// The cells of row `y` of `area`.
fn row(buffer: &Buffer, area: Rect, y: u16) -> Option<&[ratatui::buffer::Cell]> {
    buffer.content.get(row_range(buffer, area, y))
}

/// The cells of row `y` of `area`, to change.
fn row_mut(buffer: &mut Buffer, area: Rect, y: u16) -> Option<&mut [ratatui::buffer::Cell]> {
    let range = row_range(buffer, area, y);
    buffer.content.get_mut(range)
}

/// A section drawn as a bordered panel: its title (and aside) on the top
/// border, its rows' lines inside, scrolled as `how` says. Answers the
/// most it can scroll (its lines past the bottom).
pub fn panel(section: &Section, frame: &mut Frame<'_>, area: Rect, theme: &Theme, how: Panel) -> u16 {
    panel_into(section, frame.buffer_mut(), area, theme, how)
}

fn panel_into(section: &Section, buffer: &mut Buffer, area: Rect, theme: &Theme, how: Panel) -> u16 {
    let width = usize::from(area.width.saturating_sub(2).saturating_sub(how.margin));
    let visible = area.height.saturating_sub(2);
    // Each row's lines: a paragraph is wrapped to count them, any other row
    // counts its own; only the rows in view are laid out.
    let rows: Vec<(usize, Option<Vec<Line<'static>>>)> = section
        .rows
        .iter()
        .map(|row| {
            fixed_lines(row).map_or_else(
                || {
                    let wrapped = lines(row, width, theme);
                    (wrapped.len(), Some(wrapped))
                },
                |count| (count, None),
            )
        })
        .collect();
    let total = u16::try_from(rows.iter().map(|(n, _)| n).sum::<usize>()).unwrap_or(u16::MAX);
    let max = total.saturating_sub(visible);
    let scroll = how.scroll.min(max);
    let (top, bottom) = (usize::from(scroll), usize::from(scroll) + usize::from(visible));
    let mut shown: Vec<Line<'static>> = Vec::new();
    let mut at = 0;
    for (row, (count, wrapped)) in section.rows.iter().zip(rows) {
        if at >= bottom {
            break;
        }
        if at + count > top {
            let laid = wrapped.unwrap_or_else(|| lines(row, width, theme));
            shown.extend(
                laid.into_iter().enumerate().filter(|(k, _)| (top..bottom).contains(&(at + k))).map(|(_, l)| l),
            );
        }
        at += count;
    }
    let mut block = Block::bordered();
    if !section.title.is_empty() {
        block = block.title(Span::styled(format!(" {} ", section.title), title_style(section, theme)));
    }
    if let Some(aside) = &section.aside {
        block = block.title(Line::styled(format!(" {aside} "), theme.muted).right_aligned());
    }
    if how.more && max > 0 {
        let below = total.saturating_sub(scroll.saturating_add(visible));
        let more = match (scroll > 0, below > 0) {
            (true, true) => format!(" ↑↓ {below} more · PgUp PgDn "),
            (false, _) => format!(" ↓ {below} more · PgDn "),
            (true, false) => " ↑ PgUp ".to_owned(),
        };
        block = block.title_bottom(Line::styled(more, theme.muted).right_aligned());
    }
    let inside = block.inner(area);
    block.render(area, buffer);
    put_lines(&shown, inside, buffer);
    max
}

/// Draws a line already laid out to fit into `area` (its first row).
pub fn put_line(line: &Line<'_>, frame: &mut Frame<'_>, area: Rect) {
    put_lines(std::slice::from_ref(line), area, frame.buffer_mut());
}

/// Writes lines already laid out to fit into `area`, one per row from its
/// top, each cut at its width. Does what a `Paragraph` without wrapping
/// does, for a fraction of the cost: a frame's text is mostly ASCII, whose
/// every byte is one cell wide, so only other text is split into
/// graphemes.
fn put_lines(lines: &[Line<'_>], area: Rect, buffer: &mut Buffer) {
    for (line, y) in lines.iter().zip(area.top()..area.bottom()) {
        let (mut x, right) = (area.x, area.right().min(buffer.area.right()));
        for span in &line.spans {
            let (text, style) = (span.content.as_ref(), line.style.patch(span.style));
            if !text.is_ascii() {
                x = buffer.set_stringn(x, y, text, usize::from(right.saturating_sub(x)), style).0;
                continue;
            }
            for (at, byte) in text.bytes().enumerate() {
                if x >= right {
                    break;
                }
                // A control character takes no cell (as in a Paragraph).
                if byte.is_ascii_control() {
                    continue;
                }
                if let Some(cell) = buffer.cell_mut((x, y)) {
                    cell.set_symbol(&text[at..=at]).set_style(style);
                }
                x += 1;
            }
        }
    }
}

/// Where a text field's cursor is: the row (by id) that holds the field
/// (its first [`Meaning::Input`] cell), and the cursor's column in the
/// field's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caret {
    pub row: String,
    pub at: usize,
}

impl Caret {
    pub fn new(row: impl Into<String>, at: usize) -> Self {
        Self { row: row.into(), at }
    }
}

/// How a dialog is drawn from its view model: its box's width and least
/// height (it grows to what it says), the text cursor, the lines scrolled
/// past at its top.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub width: u16,
    pub least: u16,
    pub caret: Option<Caret>,
    pub scroll: u16,
    /// Its last section is its status (what is under way, what Enter
    /// does): where the box cannot show everything, that stays at its foot
    /// and the rest is cut or scrolls above it.
    pub pinned: bool,
}

impl Form {
    /// A box `width` wide and at least `least` tall.
    pub fn new(width: u16, least: u16) -> Self {
        Self { width, least, caret: None, scroll: 0, pinned: false }
    }

    /// Its last section is its status, kept in view.
    pub fn pinned(self) -> Self {
        Self { pinned: true, ..self }
    }

    /// The text cursor, in a dialog typed into.
    pub fn caret(self, caret: Option<Caret>) -> Self {
        Self { caret, ..self }
    }

    /// Scrolled `scroll` lines down.
    pub fn scroll(self, scroll: u16) -> Self {
        Self { scroll, ..self }
    }
}

/// A dialog's body, laid out `width` columns wide: each section's title
/// (when it has one) then its rows, a blank line between sections, a row
/// of no cells a blank line. A row wraps at words under its `hang`, every
/// cell kept, unless it has lines of its own ([`Join::Line`], a block) or
/// holds the field the `caret` is in: that one is a line whose field is
/// scrolled so the cursor shows. Answers the lines and, when the caret's
/// row is there, where the cursor goes (its column, its line).
pub fn form(
    model: &ViewModel,
    width: usize,
    theme: &Theme,
    caret: Option<&Caret>,
) -> (Vec<Line<'static>>, Option<(u16, usize)>) {
    let mut out: Vec<Line<'static>> = Vec::new();
    let mut cursor = None;
    for section in &model.sections {
        if !out.is_empty() && !section.rows.is_empty() {
            out.push(Line::default());
        }
        if !section.title.is_empty() {
            let title = if section.meaning == Meaning::Text { theme.title } else { style(theme, section.meaning) };
            out.push(Line::styled(section.title.clone(), title));
        }
        for row in &section.rows {
            if row.cells.is_empty() {
                out.push(Line::default());
                continue;
            }
            if let Some(caret) = caret.filter(|c| c.row == row.id)
                && let Some((scrolled, column)) = scrolled(row, width, caret.at)
            {
                cursor = Some((column, out.len()));
                out.push(line(&scrolled, width, theme));
                continue;
            }
            let own_lines = row.cells.iter().any(|c| c.block || c.join == Join::Line);
            if own_lines || row.wrap {
                out.extend(lines(row, width, theme));
            } else {
                out.extend(lines(&Row { wrap: true, ..row.clone() }, width, theme));
            }
        }
    }
    (out, cursor)
}

/// A row whose field (its first [`Meaning::Input`] cell, or else its first
/// masked one) shows only what
/// fits after the cells before it, scrolled so the cursor (`at` columns
/// into the field) shows, with a column kept for the cursor at its end;
/// and the cursor's column in the row. `None`: the row has no field.
fn scrolled(row: &Row, width: usize, at: usize) -> Option<(Row, u16)> {
    // A field shown masked (the client's own words, unrevealed) is not
    // scrolled: the cursor goes after its dots.
    let field = row
        .cells
        .iter()
        .position(|c| c.meaning == Meaning::Input)
        .or_else(|| row.cells.iter().position(|c| c.meaning == Meaning::Masked))?;
    // A selected row's `▶ ` takes at least two columns.
    let lead = if row.selected { usize::from(row.indent).max(2) } else { usize::from(row.indent) };
    let before: usize = lead
        + row.cells[..=field]
            .iter()
            .enumerate()
            .map(|(i, c)| if i == field { 0 } else { drawn_width(c) } + if i == 0 { 0 } else { c.join.width() })
            .sum::<usize>();
    let room = width.saturating_sub(before).saturating_sub(1).max(1);
    let skip = at.max(room) - room;
    let text = &row.cells[field].text;
    let (mut skipped, mut shown, mut used) = (0, String::new(), 0);
    for ch in text.chars() {
        let w = crate::width::of_char(ch);
        if skipped < skip {
            skipped += w;
            continue;
        }
        if used + w > room {
            break;
        }
        used += w;
        shown.push(ch);
    }
    let mut row = row.clone();
    row.wrap = false;
    row.cells[field].text = shown;
    row.cells[field].priority = Priority::Must;
    let column = before + at.saturating_sub(skipped);
    Some((row, u16::try_from(column.min(width.saturating_sub(1))).unwrap_or(u16::MAX)))
}

/// A section's title on its border: styled by its meaning (plain text
/// as a title).
fn title_style(section: &Section, theme: &Theme) -> Style {
    if section.meaning == Meaning::Text { theme.title } else { style(theme, section.meaning) }
}

/// A section drawn as a bordered box of its rows, laid out as in a dialog
/// ([`form`]): its title on the top border, its aside at the right, the
/// cursor at `caret` (a one-line field: the search, the queue's `/` line).
pub fn boxed(section: &Section, frame: &mut Frame<'_>, area: Rect, theme: &Theme, caret: Option<&Caret>) {
    let mut block = Block::bordered().title(Span::styled(format!(" {} ", section.title), title_style(section, theme)));
    if let Some(aside) = &section.aside {
        block = block.title(Line::styled(format!(" {aside} "), theme.muted).right_aligned());
    }
    let inner = block.inner(area);
    let rows = ViewModel { title: String::new(), sections: vec![Section { title: String::new(), ..section.clone() }] };
    let (lines, cursor) = form(&rows, usize::from(inner.width), theme, caret);
    frame.render_widget(Paragraph::new(lines).block(block), area);
    if let Some((column, line)) = cursor
        && let Ok(line) = u16::try_from(line)
        && line < inner.height
    {
        let x = inner.x.saturating_add(column).min(inner.right().saturating_sub(1));
        frame.set_cursor_position(ratatui::layout::Position::new(x, inner.y + line));
    }
}

/// A list section drawn as a bordered table: its title on the border
/// (styled by its meaning), a header naming `columns`, one table row per
/// row (each cell styled by its meaning and led by its symbol, cut with an
/// ellipsis where its column is of a fixed width), the selected row
/// marked `▶`. The columns take the widths given, in order.
pub fn table(
    section: &Section,
    columns: &[(&str, ratatui::layout::Constraint)],
    frame: &mut Frame<'_>,
    area: Rect,
    theme: &Theme,
) {
    use ratatui::layout::Constraint;
    use ratatui::widgets::{Row as TableRow, Table, TableState};
    let title = Span::styled(format!(" {} ", section.title), title_style(section, theme));
    let rows = section.rows.iter().map(|row| {
        TableRow::new(
            row.cells
                .iter()
                .zip(columns)
                .map(|(cell, (_, width))| {
                    let span = span(cell, theme);
                    match width {
                        Constraint::Length(n) if span.width() > usize::from(*n) => {
                            Line::from(Span::styled(crate::width::truncate(&span.content, usize::from(*n)), span.style))
                        }
                        _ => Line::from(span),
                    }
                })
                .collect::<Vec<_>>(),
        )
    });
    let header = TableRow::new(columns.iter().map(|(name, _)| *name).collect::<Vec<_>>()).style(theme.muted);
    let table = Table::new(rows, columns.iter().map(|(_, width)| *width))
        .header(header)
        .block(Block::bordered().title(title))
        .row_highlight_style(theme.selected)
        .highlight_symbol("▶ ");
    let mut state = TableState::default().with_selected(section.rows.iter().position(|r| r.selected));
    frame.render_stateful_widget(table, area, &mut state);
}

/// Word-wraps one line of styled pieces to `width` columns; every line
/// after the first starts with `indent` spaces, so a wrapped finding or
/// timeline entry reads as one block. A word longer than a line is cut
/// across lines. Always at least one line.
pub(crate) fn wrap_indented(pieces: Vec<Span<'_>>, width: usize, indent: usize) -> Vec<Line<'static>> {
    let width = width.max(1);
    let indent = if indent + 8 > width { 0 } else { indent };
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut line: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    let mut fresh = false;
    let mut flush = |line: &mut Vec<Span<'static>>, used: &mut usize, fresh: &mut bool| {
        lines.push(Line::from(std::mem::take(line)));
        line.push(Span::raw(" ".repeat(indent)));
        *used = indent;
        *fresh = true;
    };
    for piece in pieces {
        let style = piece.style;
        // Text from the portal inside a paragraph: a line break or tab is
        // a place to wrap, any other control shows as the CLI shows it.
        let spaced: String =
            piece.content.chars().map(|c| if matches!(c, '\n' | '\r' | '\t') { ' ' } else { c }).collect();
        let text = crate::sanitize::line(&spaced).into_owned();
        let mut rest = text.as_str();
        while !rest.is_empty() {
            let space = rest.starts_with(' ');
            let end = rest.find(|c: char| (c == ' ') != space).unwrap_or(rest.len());
            let (token, after) = rest.split_at(end);
            rest = after;
            let token_width = Span::raw(token).width();
            if space {
                if fresh {
                    continue;
                }
                if used + token_width > width {
                    flush(&mut line, &mut used, &mut fresh);
                    continue;
                }
            } else if used + token_width > width && !fresh && used > 0 {
                flush(&mut line, &mut used, &mut fresh);
            }
            // A word longer than the room left on a fresh line is cut.
            let mut token = token.to_owned();
            while used + Span::raw(token.as_str()).width() > width && !space {
                let room = width.saturating_sub(used).max(1);
                let (head, tail) = crate::width::split_at(&token, room);
                let (head, tail) = (head.to_owned(), tail.to_owned());
                line.push(Span::styled(head, style));
                flush(&mut line, &mut used, &mut fresh);
                token = tail;
            }
            if !token.is_empty() {
                used += Span::raw(token.as_str()).width();
                line.push(Span::styled(token, style));
                fresh = false;
            }
        }
    }
    lines.push(Line::from(line));
    lines
}

#[cfg(test)]
mod wrap_tests {
    use super::wrap_indented;
    use ratatui::text::Span;

    fn texts(pieces: Vec<Span<'_>>, width: usize, indent: usize) -> Vec<String> {
        wrap_indented(pieces, width, indent).iter().map(|l| l.to_string().trim_end().to_owned()).collect()
    }

    #[test]
    fn a_long_wide_word_is_cut_by_columns() {
        for width in 3..=12 {
            let out = texts(vec![Span::raw("招待リンクが無効です🙂🙂 山田太郎")], width, 0);
            assert!(out.iter().all(|l| crate::width::of(l) <= width), "{width}: {out:?}");
            assert_eq!(out.concat().replace(' ', ""), "招待リンクが無効です🙂🙂山田太郎");
        }
    }

    #[test]
    fn continuation_lines_are_indented_and_fit() {
        let out = texts(vec![Span::raw("! code "), Span::raw("one two three four five six seven")], 16, 2);
        assert_eq!(out, ["! code one two", "  three four", "  five six seven"]);
        for line in &out {
            assert!(line.chars().count() <= 16, "{line}");
        }
    }

    #[test]
    fn a_long_word_is_cut_and_nothing_is_lost() {
        let out = texts(vec![Span::raw("x abcdefghijklmnopqrstuvwxyz")], 10, 2);
        assert_eq!(out.concat().replace(' ', ""), "xabcdefghijklmnopqrstuvwxyz");
        assert!(out.iter().all(|l| l.chars().count() <= 10), "{out:?}");
        assert_eq!(texts(vec![Span::raw("")], 10, 2), [""]);
        assert_eq!(texts(vec![Span::raw("abc")], 0, 4), ["a", "b", "c"]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(row: &Row, width: usize) -> Vec<&str> {
        fitting(row, width).into_iter().map(|c| c.text).collect()
    }

    #[test]
    fn space_goes_to_the_needed_cells_first() {
        let row = Row::new(vec![
            Cell::text("T-1003").must(),
            Cell::text("Portal link says invalid"),
            Cell::muted("unclaimed").low(),
            Cell::new("expired 3 days ago", Meaning::State(InviteState::Expired)).must(),
        ]);
        assert_eq!(texts(&row, 200).len(), 4);
        // 6 + 1 + 24 + 1 + 20 = 52: the low cell goes first.
        assert_eq!(texts(&row, 52), ["T-1003", "Portal link says invalid", "expired 3 days ago"]);
        assert_eq!(texts(&row, 51), ["T-1003", "expired 3 days ago"]);
        assert_eq!(texts(&row, 30), ["T-1003", "expired 3 days ago"]);
        // Needed cells stay even when they do not fit.
        assert_eq!(texts(&row, 5), ["T-1003", "expired 3 days ago"]);
    }

    #[test]
    fn width_is_display_width() {
        let row = Row::new(vec![Cell::text("山田太郎").must(), Cell::text("x")]);
        // 8 columns + 1 + 1.
        assert_eq!(texts(&row, 10).len(), 2);
        assert_eq!(texts(&row, 9).len(), 1);
    }

    #[test]
    fn badges_lead_with_their_symbol_and_continuations_follow_a_dot() {
        let theme = Theme::dark();
        let text = |row: &Row, width: usize| -> String {
            line(row, width, &theme).spans.iter().map(|s| s.content.as_ref()).collect()
        };
        let row = Row::new(vec![
            Cell::new("On the invite page now", Meaning::Ok).must(),
            Cell::new("typed ••/••/••••", Meaning::Warning).low().continues(),
        ]);
        assert_eq!(text(&row, 80), "On the invite page now · typed ••/••/••••");
        // 22 + 3 + 16 = 41 columns: one less and the continuation goes.
        assert_eq!(text(&row, 41).chars().count(), 41);
        assert_eq!(text(&row, 40), "On the invite page now");
        let badge = Row::new(vec![Cell::new("SLA breached 2h ago", Meaning::Danger).badge(), Cell::muted("x")]);
        assert_eq!(text(&badge, 80), "✕ SLA breached 2h ago x");
        assert_eq!(drawn_width(&badge.cells[0]), 21);
        // Without `badge`, a warning is its words alone.
        assert_eq!(text(&Row::one(Cell::new("late", Meaning::Warning)), 80), "late");
    }

    #[test]
    fn a_cell_takes_its_short_form_before_it_is_dropped_and_a_mark_goes_with_its_cell() {
        let row = Row::new(vec![
            Cell::muted("Created").width(8).must(),
            Cell::text("2025-04-11 (593 days ago)").or_short("2025-04-11 (593d ago)").must(),
            Cell::muted("★").mark().low(),
            Cell::muted("default").low(),
        ]);
        assert_eq!(texts(&row, 80), ["Created", "2025-04-11 (593 days ago)", "★", "default"]);
        // 8 + 1 + 25 + 1 + 1 + 1 + 7 = 44: one less and the low cells go
        // together (after the short forms were tried).
        assert_eq!(texts(&row, 44).len(), 4);
        assert_eq!(texts(&row, 43), ["Created", "2025-04-11 (593d ago)", "★", "default"]);
        assert_eq!(texts(&row, 39), ["Created", "2025-04-11 (593d ago)"]);
        // Padded to its width: the next cell lines up.
        let theme = Theme::dark();
        let drawn: String = line(&row, 80, &theme).spans.iter().map(|s| s.content.as_ref()).collect();
        assert!(drawn.starts_with("Created  2025-04-11"), "{drawn}");
        let right = Row::new(vec![Cell::muted("3m ago").right(9), Cell::text("x")]);
        let drawn: String = line(&right, 80, &theme).spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(drawn, "   3m ago x");
    }

    #[test]
    fn a_row_of_several_lines_hangs_its_later_lines_and_a_paragraph_wraps() {
        let theme = Theme::dark();
        let text = |lines: Vec<Line<'_>>| -> Vec<String> {
            lines.iter().map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect()).collect()
        };
        let invite = Row::new(vec![
            Cell::text("pending").must(),
            Cell::muted("inv_1").join(Join::Gap).low(),
            Cell::text("to a@b.c").must().next_line(),
            Cell::text("expires Nov 27 03:00 UTC").or_short("expires Nov 27 03:00").continues().low(),
        ])
        .indent(2, 3)
        .selected(true);
        assert_eq!(text(lines(&invite, 80, &theme)), ["▶ pending  inv_1", "   to a@b.c · expires Nov 27 03:00 UTC"]);
        // Each line fits on its own: the expiry loses its zone, then goes.
        assert_eq!(text(lines(&invite, 35, &theme))[1], "   to a@b.c · expires Nov 27 03:00");
        assert_eq!(text(lines(&invite, 20, &theme))[1], "   to a@b.c");
        let paragraph =
            Row::new(vec![Cell::muted("Say:").mark(), Cell::text("one two three four five six")]).wrapped(2, 7);
        assert_eq!(text(lines(&paragraph, 20, &theme)), ["  Say: one two three", "       four five six"]);
    }

    #[test]
    fn a_panel_is_copied_from_the_last_frame_only_while_it_says_the_same() {
        let theme = Theme::dark();
        let drawn = Drawn::default();
        let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(30, 5)).unwrap();
        let section = |words: &str| Section::new("Invites", vec![Row::one(Cell::text(words))]);
        let mut frame = |section: &Section| -> String {
            let completed = terminal
                .draw(|frame| {
                    drawn.panel("invites", section, frame, frame.area(), &theme, Panel::default());
                })
                .unwrap();
            completed.buffer.content().iter().map(|c| c.symbol()).collect()
        };
        let first = frame(&section("pending in 47h"));
        assert!(first.contains("pending in 47h") && first.contains("Invites"), "{first}");
        // Unchanged: the same cells, copied.
        assert_eq!(frame(&section("pending in 47h")), first);
        assert_eq!(drawn.panels.borrow().len(), 1);
        // Changed (a countdown ticked): drawn again.
        let ticked = frame(&section("pending in 46h"));
        assert!(ticked.contains("pending in 46h") && !ticked.contains("47h"), "{ticked}");
        // The lock forgets what was shown.
        drawn.clear();
        assert!(drawn.panels.borrow().is_empty());
        assert_eq!(frame(&section("pending in 46h")), ticked);
    }

    #[test]
    fn a_panel_left_to_the_terminal_is_left_only_while_it_is_there_whole() {
        let theme = Theme::dark();
        let drawn = Drawn::default();
        let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(30, 6)).unwrap();
        let section = Section::new("Invites", vec![Row::one(Cell::text("pending in 47h"))]);
        let panel_area = Rect::new(0, 0, 30, 3);
        // What the frame itself holds, and how many cells it leaves alone.
        let mut frame = |draw_panel: bool, covered: Option<Rect>| -> (String, usize) {
            let completed = terminal
                .draw(|frame| {
                    drawn.begin(frame);
                    if draw_panel {
                        drawn.panel("invites", &section, frame, panel_area, &theme, Panel::default());
                    }
                    if let Some(area) = covered {
                        drawn.cover(frame, area);
                    }
                })
                .unwrap();
            let skip = ratatui::buffer::CellDiffOption::Skip;
            let skipped = completed.buffer.content.iter().filter(|c| c.diff_option == skip).count();
            (completed.buffer.content.iter().map(|c| c.symbol()).collect(), skipped)
        };
        let (first, skipped) = frame(true, None);
        assert!(first.contains("pending in 47h") && skipped == 0, "{first}");
        // The terminal shows it whole: the next frame leaves all of it.
        let (second, skipped) = frame(true, None);
        assert_eq!(skipped, 90);
        assert!(!second.contains("pending"), "{second}");
        // Covered after it is drawn: copied in after all, and not left next.
        let (third, skipped) = frame(true, Some(Rect::new(0, 2, 30, 1)));
        assert!(third.contains("pending in 47h") && skipped == 0, "{third}");
        let (fourth, skipped) = frame(true, None);
        assert!(fourth.contains("pending in 47h") && skipped == 0, "{fourth}");
        frame(true, None);
        // A frame without the panel (another screen) that covers where it
        // was: nothing of the panel is put back.
        let (other, skipped) = frame(false, Some(panel_area));
        assert!(!other.contains("pending") && skipped == 0, "{other}");
        // And the frame after draws it again.
        let (back, skipped) = frame(true, None);
        assert!(back.contains("pending in 47h") && skipped == 0, "{back}");
    }

    #[test]
    fn a_scrolled_panel_shows_the_lines_in_view_and_says_what_is_below() {
        let theme = Theme::dark();
        let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(40, 5)).unwrap();
        let rows = (1..=6)
            .map(|n| Row::new(vec![Cell::text(format!("head {n}")), Cell::text(format!("tail {n}")).next_line()]))
            .collect();
        let section = Section::new("Invites", rows);
        let mut max = 0;
        let completed = terminal
            .draw(|frame| {
                let how = Panel { scroll: 3, more: true, ..Panel::default() };
                max = panel(&section, frame, frame.area(), &theme, how);
            })
            .unwrap();
        let text: Vec<String> =
            (0..5).map(|y| (0..40).map(|x| completed.buffer[(x, y)].symbol().to_owned()).collect::<String>()).collect();
        // 12 lines, 3 in view from the fourth: `tail 2`, `head 3`, `tail 3`.
        assert_eq!(max, 9);
        assert!(text[1].contains("tail 2") && text[2].contains("head 3") && text[3].contains("tail 3"), "{text:?}");
        assert!(text[4].contains("↑↓ 6 more"), "{text:?}");
    }

    #[test]
    fn a_join_measures_what_it_draws() {
        for join in [Join::Space, Join::Dot, Join::Gap, Join::Line] {
            assert_eq!(join.width(), crate::width::of(join.text()), "{join:?}");
        }
    }

    #[test]
    fn a_cell_prints_no_text_in_debug() {
        let cell = Cell::text("ingrid.brennan21@gmail.com");
        assert!(!format!("{cell:?}").contains("ingrid"));
        assert!(!format!("{:?}", Row::one(cell)).contains("ingrid"));
    }

    fn form_text(model: &ViewModel, width: usize, caret: Option<&Caret>) -> (Vec<String>, Option<(u16, usize)>) {
        let (lines, cursor) = form(model, width, &Theme::dark(), caret);
        (lines.iter().map(|l| l.to_string().trim_end().to_owned()).collect(), cursor)
    }

    #[test]
    fn a_form_keeps_every_word_wrapping_under_the_value_with_blank_lines_where_asked() {
        let model = ViewModel::new("Resend")
            .rows(
                "",
                vec![
                    Row::field("Risk", Cell::new("the address bounced twice last week", Meaning::Warning)),
                    Row::default(),
                    Row::one(Cell::muted("after a blank line")),
                ],
            )
            .rows("Steps", vec![Row::one(Cell::text("1. resend"))]);
        let (lines, cursor) = form_text(&model, 30, None);
        assert_eq!(
            lines,
            [
                "Risk     the address bounced",
                "         twice last week",
                "",
                "after a blank line",
                "",
                "Steps",
                "1. resend"
            ]
        );
        assert_eq!(cursor, None);
    }

    #[test]
    fn a_field_scrolls_to_its_cursor_and_the_cursor_is_placed_on_its_row() {
        let typed = "0123456789abcdefghij";
        let model = ViewModel::new("Note").rows(
            "",
            vec![Row::one(Cell::muted("Staff only")), Row::field("Note", Cell::new(typed, Meaning::Input)).id("field")],
        );
        // 9 columns of label, 10 for the field and one kept for the
        // cursor after its end: the last 10 characters show.
        let (lines, cursor) = form_text(&model, 20, Some(&Caret::new("field", 20)));
        assert_eq!(lines[1], "Note     abcdefghij");
        assert_eq!(cursor, Some((19, 1)));
        // The cursor at the start: the field from its start.
        let (lines, cursor) = form_text(&model, 20, Some(&Caret::new("field", 0)));
        assert_eq!(lines[1], "Note     0123456789");
        assert_eq!(cursor, Some((9, 1)));
        // Wide characters are measured in columns, never split.
        let wide = ViewModel::new("Note")
            .rows("", vec![Row::field("Note", Cell::new("日本語のメモです", Meaning::Input)).id("field")]);
        let (lines, cursor) = form_text(&wide, 20, Some(&Caret::new("field", 16)));
        assert_eq!(lines[0], "Note     のメモです");
        assert_eq!(cursor, Some((19, 0)));
        // A selected field's `▶ ` is counted before it.
        let selected = ViewModel::new("Edit")
            .rows("", vec![Row::field("Reason", Cell::new("typo", Meaning::Input)).id("field").selected(true)]);
        let (lines, cursor) = form_text(&selected, 30, Some(&Caret::new("field", 4)));
        assert_eq!(lines[0], "▶ Reason   typo");
        assert_eq!(cursor, Some((15, 0)));
        // No caret row: no cursor.
        assert_eq!(form_text(&model, 20, Some(&Caret::new("elsewhere", 3))).1, None);
    }
}
