//! The whole frame: header, banner, the view, the dialog over it, footer.
//! Screens and dialogs draw themselves from their own state and a `Ui`;
//! this file is the only one that reads the whole `App`.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{App, Lock, View};
use crate::tui::component::Shared;
use crate::tui::screens::{Ui, dialog, layout};
use crate::tui::theme::Theme;
use crate::tui::view_model::{Cell, Join, Meaning, Row, Screen, Section, ViewModel};

/// The console's frame: the screens drawn, then cleaned of any control
/// character before it reaches the terminal (what the benchmarks time).
pub fn frame(app: &App, frame: &mut Frame<'_>, now: DateTime<Utc>) {
    render(app, frame, now);
    crate::tui::terminal::clean_buffer(frame.buffer_mut());
}

/// Draws the whole console.
pub fn render(app: &App, frame: &mut Frame<'_>, now: DateTime<Utc>) {
    let area = frame.area();
    app.drawn.begin(frame);
    let ui = Ui { theme: &app.theme, keys: &app.keymap, zone: app.zone, absolute_times: app.absolute_times, now };
    if let Some(lock) = &app.lock {
        render_lock(lock, frame, area, &app.theme);
        return;
    }
    let size = (area.width, area.height);
    let theme = &app.theme;
    render_header(app, frame, layout::header(size), theme);
    if let Some(said) = banner(app) {
        let line = crate::tui::view_model::line(&Row::one(said), usize::from(size.0), theme);
        crate::tui::view_model::put_line(&line, frame, layout::banner(size));
    }
    let body = layout::body(size);
    let shared = shared(app, &ui);
    app.stack.front_component().render(frame, body, &shared);
    render_status(app, frame, body, now);
    if let Some(overlay) = &app.overlay {
        app.drawn.cover(frame, body);
        overlay.component().render(frame, body, &shared);
    }
    render_footer(app, frame, layout::footer(size), theme);
}

/// What a component sees of the console when it draws. Dialogs show email
/// and DOB only while the account is revealed, so they mask again with it.
pub fn shared<'a>(app: &'a App, ui: &'a Ui<'a>) -> Shared<'a> {
    let revealed = app.stack.account().is_some_and(|a| a.revealed);
    let collision = match &app.live.guard {
        crate::tui::live::Guard::Shown(text) => Some(text.as_str()),
        _ => None,
    };
    let lately = app.live.lately.as_deref().filter(|_| collision.is_none());
    Shared {
        ui,
        replies: &app.replies,
        account: app.stack.account(),
        revealed,
        screen: app.view_screen(),
        collision,
        lately,
        drawn: Some(&app.drawn),
    }
}

/// What just happened (`✓ Invite sent`, `✕ …`), or while nothing newer is
/// said, the warning about the portal's clock: drawn under the header and
/// read out once.
fn banner(app: &App) -> Option<Cell> {
    match (&app.banner, &app.clock_warning) {
        (Some(banner), _) => {
            let meaning = if banner.error { Meaning::Danger } else { Meaning::Ok };
            Some(Cell::new(banner.text.clone(), meaning).badge().must())
        }
        (None, Some(warning)) => Some(Cell::new(warning.clone(), Meaning::Warning).badge().must()),
        (None, None) => None,
    }
}

/// The lock screen: nothing from the portal, only how to unlock.
fn render_lock(lock: &Lock, frame: &mut Frame<'_>, area: Rect, theme: &Theme) {
    let model = lock_model(lock);
    let inner = dialog(frame, area, (64, 8), &model.title, theme);
    let (lines, _) = crate::tui::view_model::form(&model, usize::from(inner.width), theme, None);
    frame.render_widget(Paragraph::new(lines), inner);
}

/// What the lock screen says, drawn and read out.
fn lock_model(lock: &Lock) -> ViewModel {
    let said = |text: &str, meaning: Meaning| Row::one(Cell::new(text, meaning));
    let mut rows = vec![said("Locked after a while without a key, so no client details show.", Meaning::Text)];
    let how = match lock {
        Lock::Locked => "Press any key to unlock.",
        Lock::Confirming => "Press Enter to unlock (Ctrl-C quits).",
        Lock::Token(_) => "Type your API token and press Enter to unlock (Ctrl-C quits).",
    };
    let mut how = vec![said(how, Meaning::Key)];
    if let Lock::Token(prompt) = lock {
        // One dot a character typed, at most a line of them: the token is
        // never shown nor read out.
        how.push(Row::new(vec![
            Cell::muted("Token:"),
            Cell::new("•".repeat(prompt.typed.chars().count().min(40)), Meaning::Masked),
        ]));
        if prompt.checking.is_some() {
            how.push(said("Checking with the portal…", Meaning::Warning));
        } else if let Some(error) = &prompt.error {
            how.push(said(&format!("✕ {error}"), Meaning::Danger));
        }
    }
    rows.push(Row::default());
    rows.extend(how);
    ViewModel::new("portaldesk is locked").rows("", rows)
}

/// The header: where the console is, then its state. Where it does not
/// fit, the view model's trimming decides (the state's words get shorter,
/// then the name and the mouse note go, the offline warning last of all).
fn render_header(app: &App, frame: &mut Frame<'_>, area: Rect, theme: &Theme) {
    let line = crate::tui::view_model::line(&Row::new(header_cells(app)), usize::from(area.width), theme);
    crate::tui::view_model::put_line(&line, frame, area);
}

/// What the header says, drawn and read out: the console, where it is,
/// its state (read-only, the ticket open, offline, loading, the portal's
/// clock ignored, the mouse off).
fn header_cells(app: &App) -> Vec<Cell> {
    let heading = |text: &str| Cell::new(text, Meaning::Heading);
    let mut cells = vec![heading("portaldesk").low(), heading(app.screen().title()).continues().must()];
    if app.readonly() {
        cells.push(Cell::new("READ-ONLY", Meaning::Warning).continues().must());
    }
    if let Some(ticket) = app.stack.account().and_then(|a| a.ticket_id.as_ref()).filter(|_| app.view() == View::Account)
    {
        cells.push(Cell::muted(format!("ticket {ticket}")).continues());
    }
    let mark = |text: &'static str, meaning: Meaning| Cell::new(text, meaning).mark().join(Join::Gap);
    if let Some(offline) = app.offline {
        let since = ui_zone_time(app, offline.since);
        cells.push(mark("⚠", Meaning::Danger).must());
        cells.push(
            Cell::new(format!("OFFLINE since {since} · reconnecting by itself"), Meaning::Danger)
                .or_short(format!("OFFLINE since {since}"))
                .must(),
        );
    } else if app.is_loading() {
        cells.push(mark("⟳", Meaning::Warning));
        cells.push(Cell::new("loading…", Meaning::Warning));
    }
    if app.clock_warning.is_some() {
        cells.push(mark("⚠", Meaning::Warning).must());
        cells.push(Cell::new("portal clock ignored", Meaning::Warning).or_short("clock").must());
    }
    if !app.mouse {
        cells.push(Cell::muted("mouse off").low().join(Join::Gap));
    }
    cells
}

fn ui_zone_time(app: &App, at: DateTime<Utc>) -> String {
    app.zone.short(at).split_whitespace().skip(2).collect::<Vec<_>>().join(" ")
}

fn render_footer(app: &App, frame: &mut Frame<'_>, area: Rect, theme: &Theme) {
    let mut spans = Vec::new();
    // ` key hint `: a space each side of the key, one after the hint.
    let cell = |key: &str, hint: &str| crate::width::of(key) + crate::width::of(hint) + 3;
    let revealed = app.stack.account().is_some_and(|a| a.revealed);
    for (key, help) in app.keymap.footer_fitting(app.screen(), usize::from(area.width), cell) {
        // While revealed, the reveal key hides.
        let help = if revealed && help == "reveal" { "hide" } else { help };
        spans.push(Span::styled(format!(" {key} "), theme.key));
        spans.push(Span::styled(format!("{help} "), theme.muted));
    }
    crate::tui::view_model::put_line(&Line::from(spans), frame, area);
}

/// The whole console as data (`view_model::Screen`): the header's state,
/// the banner, the view (with its ticket pane), the team's status under
/// it, the dialog over it, and the keys in force. What `--plain` reads out.
pub fn screen(app: &App, now: DateTime<Utc>) -> Screen {
    let ui = Ui { theme: &app.theme, keys: &app.keymap, zone: app.zone, absolute_times: app.absolute_times, now };
    if let Some(lock) = &app.lock {
        return Screen {
            header: vec![Cell::text("portaldesk is locked")],
            views: vec![lock_model(lock)],
            ..Screen::default()
        };
    }
    let header = header_cells(app);
    let banner = banner(app).map(|said| (said.text, said.meaning != Meaning::Ok));
    let shared = shared(app, &ui);
    let mut views = app.stack.front_component().view(&shared);
    let team = status_cells(app, now);
    if !team.is_empty()
        && let Some(view) = views.last_mut()
    {
        view.sections.push(Section::new("Now", team.into_iter().map(Row::one).collect()));
    }
    let revealed = app.stack.account().is_some_and(|a| a.revealed);
    if let Some(overlay) = &app.overlay {
        let mut models = overlay.component().view(&shared).into_iter();
        // What others did lately, said first as the dialog opens.
        views.extend(models.next().map(|model| crate::tui::screens::submission::with_lately(model, shared.lately)));
        views.extend(models);
    }
    let keys = app
        .keymap
        .footer(app.screen())
        .into_iter()
        .map(|(key, help)| (key, if revealed && help == "reveal" { "hide" } else { help }))
        .collect();
    Screen { header, banner, views, keys }
}

/// The live lines, drawn on the bottom border of the view (only when there
/// is something to say, so a quiet desk looks as it always did): on the
/// queue, who else is on which ticket; on an account, who else is on its
/// ticket and whether the client is on the invite page now.
fn render_status(app: &App, frame: &mut Frame<'_>, body: Rect, now: DateTime<Utc>) {
    let cells = status_cells(app, now);
    if cells.is_empty() || body.height < 3 || body.width < 8 {
        return;
    }
    // What does not fit goes, the least needed first (the DOB typed, which
    // the findings also say, before the client being on the page).
    let area = Rect { x: body.x + 3, y: body.bottom() - 1, width: body.width - 6, height: 1 };
    app.drawn.cover(frame, area);
    let line = crate::tui::view_model::line(&Row::new(cells), usize::from(area.width), &app.theme);
    crate::tui::view_model::put_line(&line, frame, area);
}

/// What the team and the client are doing now, as said under the view:
/// who else has a ticket open, the client on the invite page.
fn status_cells(app: &App, now: DateTime<Utc>) -> Vec<Cell> {
    use crate::tui::live::refused_entry;
    let tickets = app.stack.queue.tickets.data.as_deref().unwrap_or_default();
    let mut cells = Vec::new();
    match app.view() {
        View::Queue => {
            for ticket in tickets {
                if let Some(line) = app.live.viewers_line(&ticket.viewers) {
                    cells.push(Cell::new(format!("{} {line}", ticket.id.as_str()), Meaning::Warning));
                }
            }
        }
        View::Account => {
            let Some(account) = app.stack.account() else { return cells };
            if let Some(ticket_id) = &account.ticket_id
                && let Some(ticket) = tickets.iter().find(|t| &t.id == ticket_id)
                && let Some(line) = app.live.viewers_line(&ticket.viewers)
            {
                cells.push(Cell::new(line, Meaning::Warning));
            }
            if app.live.on_page.account_id.as_ref() == Some(&account.id)
                && let Some(line) = app.live.on_page.line(now)
            {
                cells.push(Cell::new(line, Meaning::Ok).must());
                if let Some(entry) = refused_entry(account, now) {
                    cells.push(Cell::new(entry, Meaning::Warning).low().continues());
                }
            }
        }
        View::Search => {}
    }
    cells
}
