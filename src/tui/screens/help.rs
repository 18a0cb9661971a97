//! Help (`?`): every key of the screen under it, from the keymap itself.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{dialog, layout};
use crate::tui::keymap::{self, ScreenKind};
use crate::tui::theme::Theme;

/// Draws the help for `screen`.
pub fn render(screen: ScreenKind, frame: &mut Frame<'_>, area: Rect, theme: &Theme) {
    let bindings = keymap::bindings(screen);
    let popup = layout::centered(area, 64, bindings.len() as u16 + 6);
    let inner = dialog(frame, popup, &format!("Keys · {}", screen.title()), theme);
    let mut lines: Vec<Line<'_>> = bindings
        .iter()
        .map(|b| {
            Line::from(vec![
                Span::styled(format!("{:>10}  ", keymap::key_label(b.code)), theme.key),
                Span::styled(b.help, theme.text),
            ])
        })
        .collect();
    lines.push(Line::from(vec![
        Span::styled(format!("{:>10}  ", "Ctrl-C"), theme.key),
        Span::styled("quit, from anywhere", theme.text),
    ]));
    lines.push(Line::from(vec![
        Span::styled(format!("{:>10}  ", "Ctrl-Z"), theme.key),
        Span::styled("suspend to the shell (fg returns)", theme.text),
    ]));
    frame.render_widget(Paragraph::new(lines), inner);
}
