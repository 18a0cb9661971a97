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

use std::fmt;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

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
    /// Goes on from the cell before it: drawn after ` · ` instead of a
    /// space (`On the invite page now · typed ••/••/••••`).
    pub continues: bool,
}

impl fmt::Debug for Cell {
    /// Lengths only: a cell may hold PHI.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cell({:?}, {:?}, <{} chars>)", self.meaning, self.priority, self.text.chars().count())
    }
}

impl Cell {
    pub fn new(text: impl Into<String>, meaning: Meaning) -> Self {
        Self { text: text.into(), meaning, priority: Priority::Normal, badge: false, continues: false }
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
        Self { continues: true, ..self }
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
    pub fn field(label: &str, value: Cell) -> Self {
        Self::new(vec![Cell::muted(label), value])
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
}

impl Section {
    pub fn new(title: impl Into<String>, rows: Vec<Row>) -> Self {
        Self { title: title.into(), meaning: Meaning::Text, rows, list: false }
    }

    /// A list moved through with the cursor.
    pub fn list(title: impl Into<String>, rows: Vec<Row>) -> Self {
        Self { list: true, ..Self::new(title, rows) }
    }

    /// Its title means `meaning`.
    pub fn meaning(self, meaning: Meaning) -> Self {
        Self { meaning, ..self }
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
        Meaning::Text | Meaning::Input | Meaning::Countdown => theme.text,
        Meaning::Muted | Meaning::Masked => theme.muted,
        Meaning::Key => theme.key,
        Meaning::Info => theme.info,
        Meaning::Ok => theme.ok,
        Meaning::Warning => theme.warn,
        Meaning::Danger => theme.danger,
        Meaning::State(state) => theme.invite(state),
    }
}

/// A cell as drawn: styled by its meaning, an invite's state or a badge
/// led by its symbol (status is never colour alone).
pub fn span<'a>(cell: &Cell, theme: &Theme) -> Span<'a> {
    let style = style(theme, cell.meaning);
    match cell.symbol() {
        Some(symbol) => Span::styled(format!("{symbol} {}", cell.text), style),
        None => Span::styled(cell.text.clone(), style),
    }
}

/// The columns a cell takes when drawn (its symbol included).
pub fn drawn_width(cell: &Cell) -> usize {
    let symbol = cell.symbol().map_or(0, |s| crate::width::of(s) + 1);
    crate::width::of(&cell.text) + symbol
}

/// What goes between a cell and the one before it.
fn separator(cell: &Cell) -> &'static str {
    if cell.continues { " · " } else { " " }
}

/// The cells of `row` that fit in `width` columns (a space between two,
/// ` · ` before a cell that continues the one before):
/// the lowest-priority cells go first, the last ones first among equals;
/// what is left keeps its order. A row whose needed cells alone do not fit
/// is cut by the frame.
pub fn fitting(row: &Row, width: usize) -> Vec<&Cell> {
    let mut kept: Vec<bool> = vec![true; row.cells.len()];
    let used = |kept: &[bool]| -> usize {
        let cells = row.cells.iter().zip(kept).filter(|(_, k)| **k).map(|(c, _)| c);
        cells.enumerate().map(|(i, c)| drawn_width(c) + if i > 0 { crate::width::of(separator(c)) } else { 0 }).sum()
    };
    for priority in [Priority::Low, Priority::Normal] {
        for i in (0..row.cells.len()).rev() {
            if used(&kept) <= width {
                break;
            }
            if row.cells[i].priority == priority {
                kept[i] = false;
            }
        }
    }
    row.cells.iter().zip(kept).filter(|(_, k)| *k).map(|(c, _)| c).collect()
}

/// One row as a styled line of `width` columns (cells by priority).
pub fn line(row: &Row, width: usize, theme: &Theme) -> Line<'static> {
    let mut spans = Vec::new();
    if row.selected {
        spans.push(Span::styled("▶ ", theme.selected));
    }
    let width = if row.selected { width.saturating_sub(2) } else { width };
    for (i, cell) in fitting(row, width).into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(separator(cell)));
        }
        spans.push(span(cell, theme));
    }
    Line::from(spans)
}

/// Draws a view model into `area` (already inside a dialog's border or a
/// panel): each section's title (when it has one) then its rows, wrapped
/// rows kept whole by priority. Rows past the bottom are not drawn.
pub fn render(model: &ViewModel, frame: &mut Frame<'_>, area: Rect, theme: &Theme) {
    let width = usize::from(area.width);
    let mut lines: Vec<Line<'_>> = Vec::new();
    for (i, section) in model.sections.iter().enumerate() {
        if i > 0 && !lines.is_empty() {
            lines.push(Line::default());
        }
        if !section.title.is_empty() {
            lines.push(Line::styled(section.title.as_str(), theme.title));
        }
        for row in &section.rows {
            if lines.len() >= usize::from(area.height) {
                break;
            }
            lines.push(line(row, width, theme));
        }
    }
    lines.truncate(usize::from(area.height));
    frame.render_widget(Paragraph::new(lines), area);
}

/// A list section drawn as a bordered table: its title on the border
/// (styled by its meaning), a header naming `columns`, one table row per
/// row (each cell styled by its meaning and led by its symbol), the
/// selected row marked `▶`. The columns take the widths given, in order.
pub fn table(
    section: &Section,
    columns: &[(&str, ratatui::layout::Constraint)],
    frame: &mut Frame<'_>,
    area: Rect,
    theme: &Theme,
) {
    use ratatui::widgets::{Block, Row as TableRow, Table, TableState};
    let title = Span::styled(format!(" {} ", section.title), style(theme, section.meaning));
    let rows = section.rows.iter().map(|row| {
        TableRow::new(
            row.cells.iter().take(columns.len()).map(|cell| Line::from(span(cell, theme))).collect::<Vec<_>>(),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(row: &Row, width: usize) -> Vec<&str> {
        fitting(row, width).into_iter().map(|c| c.text.as_str()).collect()
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
    fn a_cell_prints_no_text_in_debug() {
        let cell = Cell::text("ingrid.brennan21@gmail.com");
        assert!(!format!("{cell:?}").contains("ingrid"));
        assert!(!format!("{:?}", Row::one(cell)).contains("ingrid"));
    }
}
