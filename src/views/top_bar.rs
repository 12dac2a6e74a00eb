//! The title bar: what is shown, how it is coloured, and the panel and theme switches.

use crate::model::StackBy;
use crate::state::{Command, Notice, NoticeLevel, PersistedState};

use super::ViewContext;

/// What the top bar reads besides the view context: the notices and the load under way.
pub struct TopBarState<'a> {
    pub notices: &'a [Notice],
    pub loading: Option<&'a crate::loading::LoadJob>,
}

pub fn show(
    ui: &mut egui::Ui,
    view: &ViewContext<'_>,
    state: TopBarState<'_>,
    commands: &mut Vec<Command>,
) {
    let TopBarState { notices, loading } = state;
    egui::Panel::top("top_bar").show(ui, |ui| {
        ui.horizontal_wrapped(|ui| {
            ui.heading(egui::RichText::new("Khorasan Atlas").strong())
                .on_hover_text("Islamic State Khorasan (ISK, ISKP, IS-K) incidents");
            ui.separator();
            ui.label(egui::RichText::new(view.shown_caption()).strong());
            if view.deriving {
                ui.spinner()
                    .on_hover_text("Applying the filter to every incident; the views follow.");
            }
            ui.separator();
            let mut central = view.state.central;
            ui.selectable_value(&mut central, crate::state::CentralView::Map, "Map")
                .on_hover_text("The map of incidents");
            ui.selectable_value(&mut central, crate::state::CentralView::Trends, "Trends")
                .on_hover_text("Per year, per province, per month and seasonal charts");
            ui.selectable_value(&mut central, crate::state::CentralView::Change, "Change")
                .on_hover_text(
                    "What changed: incidents per province in the last months against a \
                     baseline, with surges",
                );
            if central != view.state.central {
                commands.push(Command::ShowCentral(central));
            }
            ui.separator();
            ui.label("Colour by:");
            let mut stack_by = view.state.stack_by;
            ui.selectable_value(&mut stack_by, StackBy::Kind, "kind")
                .on_hover_text("Colour the timeline and map by kind of incident");
            ui.selectable_value(&mut stack_by, StackBy::Attribution, "attribution")
                .on_hover_text("Colour the timeline and map by attribution grade");
            if stack_by != view.state.stack_by {
                commands.push(Command::SetStackBy(stack_by));
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                use crate::state::UiCommand;
                let ctx = ui.ctx().clone();
                super::form_menu(ui, "View", |ui| {
                    crate::views::presentation::view_menu(ui, view, commands)
                })
                .on_hover_text("Presentation mode, title, layout, saved views, PNG export");
                super::form_menu(ui, "Data", |ui| {
                    super::data_menu::data_menu(ui, view, commands)
                })
                .on_hover_text("Open ACLED, GTD, UCDP, CSV or GeoJSON files as data layers; export the filtered incidents");
                if let Some(job) = loading {
                    super::data_menu::loading_bar(ui, job, commands);
                }
                if let Some(progress) = view.export_progress {
                    super::presentation::export_bar(ui, progress, commands);
                }
                if ui
                    .button("Help")
                    .on_hover_text(UiCommand::ToggleHelp.tooltip(&ctx))
                    .clicked()
                {
                    commands.push(Command::Ui(UiCommand::ToggleHelp));
                }
                let dark = view.state.dark_mode;
                if ui
                    .button(if dark { "Light theme" } else { "Dark theme" })
                    .on_hover_text(UiCommand::ToggleTheme.tooltip(&ctx))
                    .clicked()
                {
                    commands.push(Command::SetDarkMode(!dark));
                }
                panel_toggles(ui, view.state, commands);
            });
        });
        ui.label(
            egui::RichText::new(format!(
                "Islamic State Khorasan incidents \u{b7} {}{} \u{b7} {}",
                view.dataset_name,
                view.embedded_coverage()
                    .map(|coverage| format!(" ({coverage})"))
                    .unwrap_or_default(),
                view.filter_caption()
            ))
            .small(),
        );
        for (index, notice) in notices.iter().enumerate() {
            ui.horizontal_wrapped(|ui| {
                ui.colored_label(notice_colour(ui.visuals(), notice.level), &notice.text);
                if ui.small_button("Dismiss").clicked() {
                    commands.push(Command::DismissNotice(index));
                }
            });
        }
    });
}

/// Warnings in the theme's warning colour, successes in green, the rest as body text.
fn notice_colour(visuals: &egui::Visuals, level: NoticeLevel) -> egui::Color32 {
    match level {
        NoticeLevel::Warning => visuals.warn_fg_color,
        NoticeLevel::Success if visuals.dark_mode => egui::Color32::from_rgb(0x8c, 0xd9, 0x8c),
        NoticeLevel::Success => egui::Color32::from_rgb(0x1e, 0x7b, 0x34),
        NoticeLevel::Info => visuals.text_color(),
    }
}

/// Picks one of the panel visibility flags out of the state.
type LayoutFlag = fn(&mut PersistedState) -> &mut bool;

fn panel_toggles(ui: &mut egui::Ui, state: &PersistedState, commands: &mut Vec<Command>) {
    let toggles: [(&str, bool, LayoutFlag); 3] = [
        ("Details", state.show_detail, |s| &mut s.show_detail),
        ("Timeline", state.show_timeline, |s| &mut s.show_timeline),
        ("Filters", state.show_filters, |s| &mut s.show_filters),
    ];
    for (label, shown, field) in toggles {
        if ui
            .selectable_label(shown, label)
            .on_hover_text(format!("Show or hide the {} panel", label.to_lowercase()))
            .clicked()
        {
            let mut layout = state.clone();
            *field(&mut layout) = !shown;
            commands.push(Command::SetLayout {
                show_filters: layout.show_filters,
                show_detail: layout.show_detail,
                show_timeline: layout.show_timeline,
            });
        }
    }
}
