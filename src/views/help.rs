//! The help overlay: every command of the shared list with its shortcut, plus the mouse
//! gestures.

use crate::state::UiCommand;

/// The help overlay: every command with its shortcut, plus the mouse gestures.
pub fn help_window(ctx: &egui::Context, open: &mut bool) {
    egui::Window::new("Keyboard and mouse")
        .open(open)
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ctx, |ui| {
            egui::Grid::new("shortcuts")
                .num_columns(2)
                .striped(true)
                .show(ui, |ui| {
                    for command in UiCommand::ALL {
                        ui.label(egui::RichText::new(command.shortcut_text(ctx)).monospace());
                        ui.label(command.label());
                        ui.end_row();
                    }
                    for (keys, what) in [
                        ("+ / -", "Zoom the map"),
                        ("Arrow keys over the map", "Pan the map"),
                        ("Drag on the timeline", "Select a period"),
                        ("Scroll / Ctrl+scroll", "Pan / zoom the timeline"),
                        ("Double-click", "Zoom the map in / reset the timeline"),
                    ] {
                        ui.label(egui::RichText::new(keys).monospace());
                        ui.label(what);
                        ui.end_row();
                    }
                });
        });
}
