//! What enters the state machine ([`Msg`]) and what leaves it ([`Effect`]).

use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, MouseEvent};

use super::clipboard::Copied;
pub use super::live::Due;
pub use crate::keys::Action;
use crate::phi::Phi;
use crate::portal::events::Live;
pub use crate::request::{Answer, Request};

/// Tags a request so its answer can be matched to it (and stale answers
/// dropped).
pub type ReqId = u64;

/// Everything the state machine reacts to. (`Debug` is written out below:
/// what was typed or pasted, and what the portal answered, never shows.)
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Paste(String),
    Resize,
    /// A second passed while a countdown is on screen.
    Tick,
    /// The debounce of search request `ReqId` ran out.
    SearchDue(ReqId),
    /// No input for the idle-lock time: hide everything.
    IdleLock,
    /// Reveal `ReqId` has been shown for the reveal time: mask again.
    RevealOver(ReqId),
    /// A copy was made (or not): where it went, for the banner.
    Copied {
        what: &'static str,
        result: Result<Copied, String>,
    },
    /// The offline probe's wait `ReqId` is over: time to ask.
    ReconnectDue(ReqId),
    /// The portal's answer to request `ReqId`.
    Answer(ReqId, Answer),
    /// From the portal's event stream (ids only).
    Live(Live),
    /// A timer asked for with [`Effect::After`] is over.
    Due(Due),
    /// The terminal gained (true) or lost the focus.
    Focus(bool),
}

impl fmt::Debug for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // A typed character may be part of a name or an address.
            Msg::Key(key) => match key.code {
                KeyCode::Char(_) => write!(f, "Key(Char(<typed>), {:?}, {:?})", key.modifiers, key.kind),
                code => write!(f, "Key({code:?}, {:?}, {:?})", key.modifiers, key.kind),
            },
            Msg::Mouse(mouse) => f.debug_tuple("Mouse").field(mouse).finish(),
            Msg::Paste(text) => write!(f, "Paste(<{} chars>)", text.chars().count()),
            Msg::Resize => f.write_str("Resize"),
            Msg::Tick => f.write_str("Tick"),
            Msg::SearchDue(req) => f.debug_tuple("SearchDue").field(req).finish(),
            Msg::IdleLock => f.write_str("IdleLock"),
            Msg::RevealOver(reveal) => f.debug_tuple("RevealOver").field(reveal).finish(),
            Msg::Copied { what, result } => {
                let result = result.as_ref().map_err(|e| format!("<{} chars>", e.chars().count()));
                f.debug_struct("Copied").field("what", what).field("result", &result).finish()
            }
            Msg::ReconnectDue(req) => f.debug_tuple("ReconnectDue").field(req).finish(),
            Msg::Answer(req, answer) => write!(f, "Answer({req}, {answer:?})"),
            // Events carry ids only; an error's kind is enough.
            Msg::Live(Live::Lost(error)) => write!(f, "Live(Lost({}))", error.kind()),
            Msg::Live(live) => f.debug_tuple("Live").field(live).finish(),
            Msg::Due(due) => f.debug_tuple("Due").field(due).finish(),
            Msg::Focus(focused) => f.debug_tuple("Focus").field(focused).finish(),
        }
    }
}

/// What the state machine asks the outside world to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// A call to the portal, tagged so its answer (`Msg::Answer`) can be
    /// matched to it.
    Portal(ReqId, Request),
    /// Send `SearchDue(req)` after the debounce delay.
    DebounceSearch(ReqId),
    /// Offline: send `ReconnectDue(req)` after a wait, then the probe goes.
    Reconnect { req: ReqId, after: std::time::Duration },
    /// Send `RevealOver(reveal)` after `after`, on the monotonic clock
    /// (not the server-corrected one, which a `Date` header can move).
    MaskAfter { reveal: ReqId, after: std::time::Duration },
    /// Send `Due(due)` after `after` (the live debounce, presence).
    After { due: Due, after: std::time::Duration },
    /// Something only the event loop can do to the terminal.
    Terminal(Terminal),
}

/// Effects on the terminal itself, run by the event loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Terminal {
    /// Put text on the clipboard; `what` names it for the banner.
    Copy {
        what: &'static str,
        text: Phi<String>,
    },
    SetMouse(bool),
    /// At lock: remove what a copy left in tmux's paste buffer, and close
    /// the idle connections to the portal (their read buffers hold the
    /// answers read before).
    ForgetCopy,
    Suspend,
    Quit,
}

impl Effect {
    /// What it does, for the log (no values).
    pub fn kind(&self) -> &'static str {
        match self {
            Effect::Portal(_, request) => request.kind(),
            Effect::DebounceSearch(_) => "debounce search",
            Effect::Reconnect { .. } => "reconnect",
            Effect::MaskAfter { .. } => "mask timer",
            Effect::After { due: Due::Live(_), .. } => "live debounce",
            Effect::After { due: Due::Presence(_), .. } => "presence timer",
            Effect::Terminal(Terminal::Copy { .. }) => "copy",
            Effect::Terminal(Terminal::SetMouse(_)) => "mouse",
            Effect::Terminal(Terminal::ForgetCopy) => "forget copy",
            Effect::Terminal(Terminal::Suspend) => "suspend",
            Effect::Terminal(Terminal::Quit) => "quit",
        }
    }
}
