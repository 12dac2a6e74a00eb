//! One list of user commands: it drives the buttons' labels and tooltips, the keyboard
//! shortcuts and the help overlay, so they cannot disagree.

use egui::{Key, KeyboardShortcut, Modifiers};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UiCommand {
    PlayPause,
    StepBack,
    StepForward,
    /// Esc: close what is open on top (palette, help, a dialog, a map tool), else clear the
    /// selection.
    CloseOrClear,
    FocusSearch,
    FitMap,
    FrameRegion,
    ToggleTrends,
    ToggleTheme,
    ResetFilters,
    TogglePresentation,
    ToggleHelp,
    OpenPalette,
    DrawArea,
    ClearAreas,
    ToggleFilters,
    ToggleTimeline,
    ToggleDetails,
    ShowChange,
}

impl UiCommand {
    pub const ALL: [Self; 19] = [
        Self::OpenPalette,
        Self::PlayPause,
        Self::StepBack,
        Self::StepForward,
        Self::CloseOrClear,
        Self::FocusSearch,
        Self::FitMap,
        Self::FrameRegion,
        Self::ToggleTrends,
        Self::ToggleTheme,
        Self::ResetFilters,
        Self::TogglePresentation,
        Self::ToggleHelp,
        Self::DrawArea,
        Self::ClearAreas,
        Self::ToggleFilters,
        Self::ToggleTimeline,
        Self::ToggleDetails,
        Self::ShowChange,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::PlayPause => "Play / pause",
            Self::StepBack => "Step back one month",
            Self::StepForward => "Step forward one month",
            Self::CloseOrClear => {
                "Close the palette, help or dialog on top, else clear the selection and the map tools"
            }
            Self::FocusSearch => "Search",
            Self::FitMap => "Fit the map to the filtered incidents",
            Self::FrameRegion => "Frame the Khorasan region",
            Self::ToggleTrends => "Switch between map and trends",
            Self::ToggleTheme => "Switch dark / light theme",
            Self::ResetFilters => "Reset all filters",
            Self::TogglePresentation => "Presentation mode on / off",
            Self::ToggleHelp => "Show or hide the keyboard and mouse help",
            Self::OpenPalette => "Command palette: find and run any command",
            Self::DrawArea => "Draw an area on the map to filter by (a circle)",
            Self::ClearAreas => "Remove every area from the filter",
            Self::ToggleFilters => "Show or hide the filter panel",
            Self::ToggleTimeline => "Show or hide the timeline",
            Self::ToggleDetails => "Show or hide the details panel",
            Self::ShowChange => "Show what changed: the last months against a baseline, surges",
        }
    }

    pub fn shortcut(self) -> KeyboardShortcut {
        let plain = |key| KeyboardShortcut::new(Modifiers::NONE, key);
        match self {
            Self::PlayPause => plain(Key::Space),
            Self::StepBack => plain(Key::ArrowLeft),
            Self::StepForward => plain(Key::ArrowRight),
            Self::CloseOrClear => plain(Key::Escape),
            Self::FocusSearch => KeyboardShortcut::new(Modifiers::COMMAND, Key::F),
            Self::FitMap => plain(Key::F),
            Self::FrameRegion => plain(Key::R),
            Self::ToggleTrends => plain(Key::T),
            Self::ToggleTheme => plain(Key::L),
            Self::ResetFilters => KeyboardShortcut::new(Modifiers::COMMAND, Key::Backspace),
            Self::TogglePresentation => plain(Key::P),
            Self::ToggleHelp => plain(Key::F1),
            Self::OpenPalette => KeyboardShortcut::new(Modifiers::COMMAND, Key::K),
            Self::DrawArea => plain(Key::A),
            Self::ClearAreas => KeyboardShortcut::new(Modifiers::SHIFT, Key::A),
            Self::ToggleFilters => {
                KeyboardShortcut::new(Modifiers::COMMAND | Modifiers::SHIFT, Key::F)
            }
            Self::ToggleTimeline => {
                KeyboardShortcut::new(Modifiers::COMMAND | Modifiers::SHIFT, Key::T)
            }
            Self::ToggleDetails => {
                KeyboardShortcut::new(Modifiers::COMMAND | Modifiers::SHIFT, Key::D)
            }
            Self::ShowChange => plain(Key::C),
        }
    }

    /// Shortcut in words for tooltips and the help overlay.
    pub fn shortcut_text(self, ctx: &egui::Context) -> String {
        ctx.format_shortcut(&self.shortcut())
    }

    /// "Play / pause (Space)" for a tooltip.
    pub fn tooltip(self, ctx: &egui::Context) -> String {
        format!("{} ({})", self.label(), self.shortcut_text(ctx))
    }

    /// Plain keys must not fire while the user types in a text field.
    fn works_while_typing(self) -> bool {
        matches!(
            self,
            Self::CloseOrClear | Self::FocusSearch | Self::ToggleHelp | Self::OpenPalette
        )
    }

    /// The commands whose shortcut was pressed this frame (consumed from the input).
    pub fn pressed(ctx: &egui::Context) -> Vec<Self> {
        let typing = ctx.egui_wants_keyboard_input();
        // egui lets a shortcut match with Shift held too: the ones with more modifiers are
        // asked first, so that Ctrl+Shift+F is not taken for Ctrl+F, nor Shift+A for A.
        let mut all = Self::ALL;
        all.sort_by_key(|command| {
            let modifiers = command.shortcut().modifiers;
            std::cmp::Reverse(
                u8::from(modifiers.shift) + u8::from(modifiers.command || modifiers.ctrl),
            )
        });
        all.into_iter()
            .filter(|command| !typing || command.works_while_typing())
            .filter(|command| ctx.input_mut(|input| input.consume_shortcut(&command.shortcut())))
            .collect()
    }
}
