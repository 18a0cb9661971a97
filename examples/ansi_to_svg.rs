//! Turns a terminal capture (`tmux capture-pane -e -p`, text with SGR
//! colour escapes) into an SVG picture, for the README's screenshots.
//! `scripts/screenshots.sh` drives the real console in tmux and calls this.
//!
//!     cargo run --example ansi_to_svg -- COLS ROWS < capture.ans > shot.svg

use std::fmt::Write as _;
use std::io::Read;

const CELL_W: f32 = 8.4;
const CELL_H: f32 = 17.0;
const FONT: f32 = 14.0;
const BG: &str = "#1e1e24";
const FG: &str = "#d8d8d8";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (cols, rows) = match (args.get(1).and_then(|a| a.parse().ok()), args.get(2).and_then(|a| a.parse().ok())) {
        (Some(c), Some(r)) => (c, r),
        _ => {
            eprintln!("usage: ansi_to_svg COLS ROWS < capture > out.svg");
            std::process::exit(2);
        }
    };
    let mut input = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut input) {
        eprintln!("ansi_to_svg: cannot read the capture: {e}");
        std::process::exit(1);
    }
    // tmux ends capture lines with a bare newline; the parser wants CRLF,
    // and a newline after the last row would scroll the first one away.
    while input.last() == Some(&b'\n') {
        input.pop();
    }
    let mut bytes = Vec::with_capacity(input.len() + rows as usize);
    for &b in &input {
        if b == b'\n' {
            bytes.push(b'\r');
        }
        bytes.push(b);
    }
    let mut parser = vt100::Parser::new(rows, cols, 0);
    parser.process(&bytes);
    print!("{}", svg(parser.screen(), cols, rows));
}

fn colour(c: vt100::Color, default: &str) -> String {
    const ANSI: [&str; 16] = [
        "#1e1e24", "#e06c75", "#98c379", "#e5c07b", "#61afef", "#c678dd", "#56b6c2", "#d8d8d8", "#6b6b76", "#ff7b86",
        "#b5e890", "#ffd68a", "#8cc8ff", "#e0a0ff", "#7ee0eb", "#ffffff",
    ];
    match c {
        vt100::Color::Default => default.to_owned(),
        vt100::Color::Idx(i) if i < 16 => ANSI[i as usize].to_owned(),
        vt100::Color::Idx(i) => {
            // The 6x6x6 cube and the grey ramp.
            if i >= 232 {
                let v = 8 + (i - 232) * 10;
                format!("#{v:02x}{v:02x}{v:02x}")
            } else {
                let i = i - 16;
                let level = |n: u8| if n == 0 { 0 } else { 55 + n * 40 };
                format!("#{:02x}{:02x}{:02x}", level(i / 36), level((i / 6) % 6), level(i % 6))
            }
        }
        vt100::Color::Rgb(r, g, b) => format!("#{r:02x}{g:02x}{b:02x}"),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn svg(screen: &vt100::Screen, cols: u16, rows: u16) -> String {
    let (width, height) = (cols as f32 * CELL_W + 16.0, rows as f32 * CELL_H + 16.0);
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}">"#
    );
    let _ = writeln!(out, r#"<rect width="100%" height="100%" rx="6" fill="{BG}"/>"#);
    let _ = writeln!(
        out,
        r#"<g font-family="'DejaVu Sans Mono','Menlo','Consolas',monospace" font-size="{FONT}" xml:space="preserve">"#
    );
    for row in 0..rows {
        let y = 8.0 + row as f32 * CELL_H;
        let mut col = 0;
        while col < cols {
            let Some(cell) = screen.cell(row, col) else { break };
            let inverse = cell.inverse();
            let (mut fg, mut bg) = (colour(cell.fgcolor(), FG), colour(cell.bgcolor(), BG));
            if inverse {
                std::mem::swap(&mut fg, &mut bg);
            }
            let (bold, underline) = (cell.bold(), cell.underline());
            // A run of cells with the same look.
            let start = col;
            let mut text = String::new();
            while col < cols {
                let Some(c) = screen.cell(row, col) else { break };
                let (mut f, mut b) = (colour(c.fgcolor(), FG), colour(c.bgcolor(), BG));
                if c.inverse() {
                    std::mem::swap(&mut f, &mut b);
                }
                if f != fg || b != bg || c.bold() != bold || c.underline() != underline {
                    break;
                }
                let contents = c.contents();
                text.push_str(if contents.is_empty() { " " } else { contents });
                col += 1;
            }
            let x = 8.0 + start as f32 * CELL_W;
            let w = (col - start) as f32 * CELL_W;
            if bg != BG {
                let _ = writeln!(out, r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{CELL_H}" fill="{bg}"/>"#);
            }
            if !text.trim().is_empty() {
                let weight = if bold { r#" font-weight="bold""# } else { "" };
                let deco = if underline { r#" text-decoration="underline""# } else { "" };
                let _ = writeln!(
                    out,
                    r#"<text x="{x:.1}" y="{:.1}" fill="{fg}" textLength="{w:.1}" lengthAdjust="spacingAndGlyphs"{weight}{deco}>{}</text>"#,
                    y + CELL_H * 0.78,
                    escape(&text)
                );
            }
        }
    }
    out.push_str("</g>\n</svg>\n");
    out
}
