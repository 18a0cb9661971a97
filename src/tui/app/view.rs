//! The whole frame: header, banner, the view, the dialog over it, footer.
//! Screens and dialogs draw themselves from their own state and a `Ui`;
//! this file is the only one that reads the whole `App`.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{App, Lock, View};
use crate::tui::dialog::Under;
use crate::tui::screens::{Ui, account, dialog, layout, queue, search, ticket};
use crate::tui::theme::Theme;

/// Draws the whole console.
pub fn render(app: &App, frame: &mut Frame<'_>, now: DateTime<Utc>) {
    let area = frame.area();
    let ui = Ui { theme: &app.theme, keys: &app.keymap, zone: app.zone, absolute_times: app.absolute_times, now };
    if let Some(lock) = &app.lock {
        render_lock(lock, frame, area, &app.theme);
        return;
    }
    let size = (area.width, area.height);
    let theme = &app.theme;
    render_header(app, frame, layout::header(size), theme);
    if let Some(banner) = &app.banner {
        let style = if banner.error { theme.danger } else { theme.ok };
        let symbol = if banner.error { "✕ " } else { "✓ " };
        frame.render_widget(
            Paragraph::new(Line::from(vec![Span::styled(symbol, style), Span::styled(banner.text.as_str(), style)])),
            layout::banner(size),
        );
    } else if let Some(warning) = &app.clock_warning {
        // The clock's warning stays while nothing newer is said.
        frame.render_widget(Paragraph::new(Line::styled(format!("⚠ {warning}"), theme.warn)), layout::banner(size));
    }
    let body = layout::body(size);
    match app.view() {
        View::Queue => queue::render(&app.queue, frame, body, &ui),
        View::Search => search::render(&app.search, frame, body, &ui),
        View::Account => match &app.account {
            Some(account) => match &app.ticket {
                Some(pane) => {
                    let (left, right) = ticket_areas(body);
                    account::render(account, &app.replies, frame, left, &ui);
                    ticket::render(pane, account.revealed, frame, right, &ui);
                }
                None => account::render(account, &app.replies, frame, body, &ui),
            },
            None => frame.render_widget(Paragraph::new("No account open"), body),
        },
    }
    crate::tui::live::render_status(app, frame, body, now);
    // Dialogs show email and DOB only while the account is revealed, so
    // they mask again with it.
    let revealed = app.account.as_ref().is_some_and(|a| a.revealed);
    if let Some(overlay) = &app.overlay {
        let collision = match &app.live.guard {
            crate::tui::live::Guard::Shown(text) => Some(text.as_str()),
            _ => None,
        };
        let lately = app.live.lately.as_deref().filter(|_| collision.is_none());
        let under = Under { account: app.account.as_ref(), revealed, screen: app.view_screen(), collision, lately };
        overlay.dialog().render(&under, frame, body, &ui);
    }
    render_footer(app, frame, layout::footer(size), theme);
}

/// Where the account and its ticket pane go: side by side when wide,
/// the pane below when narrow.
fn ticket_areas(body: Rect) -> (Rect, Rect) {
    use ratatui::layout::{Constraint, Layout};
    let [a, b] = if body.width >= 120 {
        Layout::horizontal([Constraint::Fill(3), Constraint::Fill(2)]).areas(body)
    } else {
        Layout::vertical([Constraint::Fill(1), Constraint::Fill(1)]).areas(body)
    };
    (a, b)
}

/// The lock screen: nothing from the portal, only how to unlock.
fn render_lock(lock: &Lock, frame: &mut Frame<'_>, area: Rect, theme: &Theme) {
    let inner = dialog(frame, area, (64, 8), "portaldesk is locked", theme);
    let mut lines = vec![
        Line::styled("Locked after a while without a key, so no client details show.", theme.text),
        Line::default(),
    ];
    match lock {
        Lock::Locked => lines.push(Line::styled("Press any key to unlock.", theme.key)),
        Lock::Confirming => lines.push(Line::styled("Press Enter to unlock (Ctrl-C quits).", theme.key)),
        Lock::Token(prompt) => {
            lines.push(Line::styled("Type your API token and press Enter to unlock (Ctrl-C quits).", theme.key));
            // One dot a character, at most a line of them.
            let dots = "•".repeat(prompt.typed.chars().count().min(40));
            lines.push(Line::from(vec![Span::styled("Token: ", theme.muted), Span::styled(dots, theme.text)]));
            if prompt.checking.is_some() {
                lines.push(Line::styled("Checking with the portal…", theme.warn));
            } else if let Some(error) = &prompt.error {
                lines.push(Line::styled(format!("✕ {error}"), theme.danger));
            }
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The header: where the console is, then its state. Where it does not
/// fit, the state's words get shorter (the offline warning last of all).
fn render_header(app: &App, frame: &mut Frame<'_>, area: Rect, theme: &Theme) {
    let width = usize::from(area.width);
    for brevity in 0..4 {
        let line = header_line(app, theme, brevity);
        if line.width() <= width || brevity == 3 {
            frame.render_widget(Paragraph::new(line), area);
            return;
        }
    }
}

/// The header at a `brevity` from 0 (every word) to 3 (the fewest).
fn header_line<'a>(app: &'a App, theme: &Theme, brevity: u8) -> Line<'a> {
    let mut spans = Vec::new();
    if brevity < 2 {
        spans.extend([Span::styled("portaldesk", theme.title), Span::styled(" · ", theme.muted)]);
    }
    spans.push(Span::styled(app.screen().title(), theme.title));
    if app.readonly() {
        spans.push(Span::styled(" · READ-ONLY", theme.warn));
    }
    if let Some(ticket) = app
        .account
        .as_ref()
        .and_then(|a| a.ticket_id.as_ref())
        .filter(|_| app.view() == View::Account && (brevity < 3 || app.offline.is_none()))
    {
        spans.push(Span::styled(format!(" · ticket {ticket}"), theme.muted));
    }
    if let Some(offline) = app.offline {
        let since = ui_zone_time(app, offline.since);
        let text = match brevity {
            0 => format!("  ⚠ OFFLINE since {since} · reconnecting by itself"),
            1 => format!("  ⚠ OFFLINE since {since} · retrying"),
            _ => format!("  ⚠ OFFLINE since {since}"),
        };
        spans.push(Span::styled(text, theme.danger));
    } else if app.is_loading() {
        spans.push(Span::styled("  ⟳ loading…", theme.warn));
    }
    if app.clock_warning.is_some() {
        spans.push(Span::styled(if brevity < 3 { "  ⚠ portal clock ignored" } else { "  ⚠ clock" }, theme.warn));
    }
    if !app.mouse && brevity < 3 {
        spans.push(Span::styled("  mouse off", theme.muted));
    }
    Line::from(spans)
}

fn ui_zone_time(app: &App, at: DateTime<Utc>) -> String {
    app.zone.short(at).split_whitespace().skip(2).collect::<Vec<_>>().join(" ")
}

fn render_footer(app: &App, frame: &mut Frame<'_>, area: Rect, theme: &Theme) {
    let mut spans = Vec::new();
    // ` key hint `: a space each side of the key, one after the hint.
    let cell = |key: &str, hint: &str| key.chars().count() + hint.chars().count() + 3;
    let revealed = app.account.as_ref().is_some_and(|a| a.revealed);
    for (key, help) in app.keymap.footer_fitting(app.screen(), usize::from(area.width), cell) {
        // While revealed, the reveal key hides.
        let help = if revealed && help == "reveal" { "hide" } else { help };
        spans.push(Span::styled(format!(" {key} "), theme.key));
        spans.push(Span::styled(format!("{help} "), theme.muted));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
