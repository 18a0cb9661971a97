//! The floor for the start-up benchmark: a bare ratatui program that enters
//! the terminal as the console does (raw mode, alternate screen), draws one
//! frame and exits. `bench/run.sh` times it beside
//! `portaldesk --exit-after-first-frame` in the same terminal.

use ratatui::widgets::{Block, Paragraph};

fn main() -> std::io::Result<()> {
    let mut terminal = ratatui::init();
    let drawn = terminal
        .draw(|frame| {
            let block = Block::bordered().title("Open tickets");
            frame.render_widget(Paragraph::new("one frame").block(block), frame.area());
        })
        .map(|_| ());
    ratatui::restore();
    drawn
}
