//! The command palette (Ctrl+K, as in Rerun's viewer): every command of the one list that
//! drives the buttons, the shortcuts and the help, found by fuzzy search (nucleo-matcher,
//! Helix's matcher), each with its shortcut. Up and Down choose, Enter or a click runs, Esc
//! closes.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher};

use crate::state::{Command, UiCommand};

/// Whether the palette is open, what is typed and which line is chosen.
#[derive(Debug, Default)]
pub struct PaletteState {
    pub open: bool,
    query: String,
    chosen: usize,
    /// Give the search field the keyboard on the first frame it is shown.
    focus: bool,
}

impl PaletteState {
    pub fn open(&mut self) {
        *self = Self {
            open: true,
            focus: true,
            ..Self::default()
        };
    }

    pub fn close(&mut self) {
        self.open = false;
    }
}

/// A command found by its words.
struct Entry(UiCommand);

impl AsRef<str> for Entry {
    fn as_ref(&self) -> &str {
        self.0.label()
    }
}

/// The commands whose words match `query`, best first; every command, in list order, for an
/// empty query. The palette does not list itself.
pub fn matching(query: &str) -> Vec<UiCommand> {
    let all = UiCommand::ALL
        .into_iter()
        .filter(|command| *command != UiCommand::OpenPalette);
    if query.trim().is_empty() {
        return all.collect();
    }
    let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
    let mut matcher = Matcher::new(Config::DEFAULT);
    // Sorted by score, ties in list order (the sort is stable).
    pattern
        .match_list(all.map(Entry), &mut matcher)
        .into_iter()
        .map(|(entry, _)| entry.0)
        .collect()
}

/// The palette, when open: a search field over the matching commands.
pub fn palette_window(ctx: &egui::Context, state: &mut PaletteState, commands: &mut Vec<Command>) {
    if !state.open {
        return;
    }
    let found = matching(&state.query);
    state.chosen = state.chosen.min(found.len().saturating_sub(1));
    let (down, up, enter, escape) = ctx.input_mut(|input| {
        (
            input.consume_key(egui::Modifiers::NONE, egui::Key::ArrowDown),
            input.consume_key(egui::Modifiers::NONE, egui::Key::ArrowUp),
            input.consume_key(egui::Modifiers::NONE, egui::Key::Enter),
            input.consume_key(egui::Modifiers::NONE, egui::Key::Escape),
        )
    });
    if escape {
        state.close();
        return;
    }
    if down && state.chosen + 1 < found.len() {
        state.chosen += 1;
    }
    if up {
        state.chosen = state.chosen.saturating_sub(1);
    }
    let mut run = enter.then(|| found.get(state.chosen).copied()).flatten();
    egui::Window::new("Commands")
        .collapsible(false)
        .resizable(false)
        .title_bar(false)
        .anchor(egui::Align2::CENTER_TOP, egui::vec2(0.0, 80.0))
        .fixed_size(egui::vec2(440.0, 0.0))
        .show(ctx, |ui| {
            let field = ui.add(
                egui::TextEdit::singleline(&mut state.query)
                    .hint_text("Type a command\u{2026}")
                    .desired_width(f32::INFINITY),
            );
            if std::mem::take(&mut state.focus) {
                field.request_focus();
            }
            if field.changed() {
                state.chosen = 0;
            }
            ui.separator();
            if found.is_empty() {
                ui.label(egui::RichText::new("No command matches").weak());
            }
            for (line, command) in found.iter().enumerate() {
                ui.horizontal(|ui| {
                    let row = ui.selectable_label(line == state.chosen, command.label());
                    if row.clicked() {
                        run = Some(*command);
                    }
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        ui.label(
                            egui::RichText::new(command.shortcut_text(ui.ctx()))
                                .monospace()
                                .weak(),
                        );
                    });
                });
            }
            ui.label(
                egui::RichText::new("Up and Down choose \u{b7} Enter runs \u{b7} Esc closes")
                    .small()
                    .weak(),
            );
        });
    if let Some(command) = run {
        state.close();
        commands.push(Command::Ui(command));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_few_letters_find_the_command() {
        assert_eq!(matching("theme").first(), Some(&UiCommand::ToggleTheme));
        assert_eq!(matching("fit map").first(), Some(&UiCommand::FitMap));
        assert_eq!(
            matching("prsnt").first(),
            Some(&UiCommand::TogglePresentation)
        );
        assert!(matching("zzzz").is_empty());
        let all = matching("");
        assert_eq!(all.len(), UiCommand::ALL.len() - 1);
        assert!(!all.contains(&UiCommand::OpenPalette));
    }
}
