//! One list of user commands: it drives the buttons' labels and tooltips, the keyboard
//! shortcuts and the help overlay, so they cannot disagree.

use egui::{Key, KeyboardShortcut, Modifiers};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UiCommand {
    PlayPause,
    StepBack,
    StepForward,
    ClearSelection,
    FocusSearch,
    FitMap,
    FrameRegion,
    ToggleTrends,
    ToggleTheme,
    ResetFilters,
    TogglePresentation,
    ToggleHelp,
}

impl UiCommand {
    pub const ALL: [Self; 12] = [
        Self::PlayPause,
        Self::StepBack,
        Self::StepForward,
        Self::ClearSelection,
        Self::FocusSearch,
        Self::FitMap,
        Self::FrameRegion,
        Self::ToggleTrends,
        Self::ToggleTheme,
        Self::ResetFilters,
        Self::TogglePresentation,
        Self::ToggleHelp,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::PlayPause => "Play / pause",
            Self::StepBack => "Step back one month",
            Self::StepForward => "Step forward one month",
            Self::ClearSelection => "Clear the selection and the measure",
            Self::FocusSearch => "Search",
            Self::FitMap => "Fit the map to the filtered incidents",
            Self::FrameRegion => "Frame the Khorasan region",
            Self::ToggleTrends => "Switch between map and trends",
            Self::ToggleTheme => "Switch dark / light theme",
            Self::ResetFilters => "Reset all filters",
            Self::TogglePresentation => "Presentation mode on / off",
            Self::ToggleHelp => "Show or hide this help",
        }
    }

    pub fn shortcut(self) -> KeyboardShortcut {
        let plain = |key| KeyboardShortcut::new(Modifiers::NONE, key);
        match self {
            Self::PlayPause => plain(Key::Space),
            Self::StepBack => plain(Key::ArrowLeft),
            Self::StepForward => plain(Key::ArrowRight),
            Self::ClearSelection => plain(Key::Escape),
            Self::FocusSearch => KeyboardShortcut::new(Modifiers::COMMAND, Key::F),
            Self::FitMap => plain(Key::F),
            Self::FrameRegion => plain(Key::R),
            Self::ToggleTrends => plain(Key::T),
            Self::ToggleTheme => plain(Key::L),
            Self::ResetFilters => KeyboardShortcut::new(Modifiers::COMMAND, Key::Backspace),
            Self::TogglePresentation => plain(Key::P),
            Self::ToggleHelp => plain(Key::F1),
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
            Self::ClearSelection | Self::FocusSearch | Self::ToggleHelp
        )
    }

    /// The commands whose shortcut was pressed this frame (consumed from the input).
    pub fn pressed(ctx: &egui::Context) -> Vec<Self> {
        let typing = ctx.egui_wants_keyboard_input();
        Self::ALL
            .into_iter()
            .filter(|command| !typing || command.works_while_typing())
            .filter(|command| ctx.input_mut(|input| input.consume_shortcut(&command.shortcut())))
            .collect()
    }
}
