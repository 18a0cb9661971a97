//! One protocol for every dialog over a view. A dialog is one file in
//! `screens/` whose state implements [`Dialog`]; the `dialogs!` list below
//! is its one registration line, which makes it a variant of [`Overlay`]
//! and routes the console's generic calls (its screen, text keys, pastes,
//! countdown and drawing) to it. What a dialog does on an action or an
//! answer reads and changes the rest of the console, so the app's
//! dispatch (`app/keys.rs`, `app/answers.rs`) takes those.

use crossterm::event::Event;
use ratatui::Frame;
use ratatui::layout::Rect;

use super::keymap::ScreenKind;
use tui_input::Input;

use super::screens::account::AccountState;
use super::screens::addresses::AddressesState;
use super::screens::dob_compare::DobCompareState;
use super::screens::edit_dob::EditDobState;
use super::screens::help::HelpState;
use super::screens::note::NoteState;
use super::screens::palette::PaletteState;
use super::screens::resend::ResendState;
use super::screens::revoke::RevokeState;
use super::screens::timeline::TimelineState;
use super::screens::{Ui, paste_into_max, type_into};

/// What a dialog sees of the console under it when it draws.
pub struct Under<'a> {
    /// The open account, if any.
    pub account: Option<&'a AccountState>,
    /// Whether the account's email and DOB are revealed: dialogs show them
    /// only then, so they mask again with it.
    pub revealed: bool,
    /// The screen of the view under the dialog.
    pub screen: ScreenKind,
}

/// A dialog over a view.
pub trait Dialog {
    /// The screen whose keys apply while it is open (its title, its rows in
    /// the keymap, whether it takes text).
    fn kind(&self) -> ScreenKind;

    /// The text field keys and pastes go into now, with the most
    /// characters it holds; `None` while it takes none (a request in flight).
    fn field(&mut self) -> Option<(&mut Input, usize)> {
        None
    }

    /// A key for its focused text field (only on screens that take text).
    fn edit(&mut self, event: &Event) {
        if let Some((input, max)) = self.field() {
            type_into(input, event, max);
        }
    }

    /// Pasted text, for its focused field: control characters dropped, cut
    /// where the field is full.
    fn paste(&mut self, text: &str) {
        if let Some((input, max)) = self.field() {
            paste_into_max(input, text, max);
        }
    }

    /// Whether a countdown shows in it (the 1 Hz tick runs only then);
    /// `None` leaves it to the view under it.
    fn countdown(&self) -> Option<bool> {
        Some(false)
    }

    /// Draws it over `area`.
    fn render(&self, under: &Under<'_>, frame: &mut Frame<'_>, area: Rect, ui: &Ui<'_>);
}

impl<D: Dialog + ?Sized> Dialog for Box<D> {
    fn kind(&self) -> ScreenKind {
        (**self).kind()
    }
    fn field(&mut self) -> Option<(&mut Input, usize)> {
        (**self).field()
    }
    fn edit(&mut self, event: &Event) {
        (**self).edit(event);
    }
    fn paste(&mut self, text: &str) {
        (**self).paste(text);
    }
    fn countdown(&self) -> Option<bool> {
        (**self).countdown()
    }
    fn render(&self, under: &Under<'_>, frame: &mut Frame<'_>, area: Rect, ui: &Ui<'_>) {
        (**self).render(under, frame, area, ui);
    }
}

/// Declares [`Overlay`], one variant per dialog, and its dispatch.
macro_rules! dialogs {
    ($( $(#[$meta:meta])* $variant:ident($state:ty), )*) => {
        /// The dialog over the current view, if any.
        pub enum Overlay {
            $( $(#[$meta])* $variant($state), )*
        }

        impl Overlay {
            /// The dialog itself.
            pub fn dialog(&self) -> &dyn Dialog {
                match self { $( Overlay::$variant(state) => state, )* }
            }

            pub fn dialog_mut(&mut self) -> &mut dyn Dialog {
                match self { $( Overlay::$variant(state) => state, )* }
            }
        }
    };
}

dialogs! {
    Help(HelpState),
    DobCompare(DobCompareState),
    Resend(ResendState),
    EditDob(Box<EditDobState>),
    Palette(PaletteState),
    Note(Box<NoteState>),
    Timeline(TimelineState),
    Revoke(Box<RevokeState>),
    Addresses(Box<AddressesState>),
}
