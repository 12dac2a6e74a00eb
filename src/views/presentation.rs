//! Briefing: the presentation header and source line, and the View menu (title, layout,
//! saved views, PNG export).

use crate::basemap::CREDITS;
use crate::state::Command;

use super::ViewContext;
use crate::state::{PresentationLayout, UiCommand};
use crate::views::path_field::{PathFieldSpec, path_field};

/// The source line of every presentation and export.
pub fn source_line(view: &ViewContext<'_>, tiles: Option<&str>) -> String {
    let dataset = &view.dataset.metadata;
    let data = if dataset.title.is_empty() {
        view.dataset_name.to_owned()
    } else {
        format!("{} {}", dataset.title, dataset.version)
    };
    let coverage = dataset.coverage_line();
    let coverage = if coverage.is_empty() {
        String::new()
    } else {
        format!(", {coverage}")
    };
    let mut line = format!(
        "Data: {data} ({} curated, sourced incidents{coverage}; not a complete count). {}",
        view.dataset.incidents.len(),
        CREDITS
    );
    if let Some(tiles) = tiles {
        line.push_str(&format!(" \u{b7} {tiles}"));
    }
    line
}

/// Title, subtitle and the filter in one sentence, large.
pub fn header(ui: &mut egui::Ui, view: &ViewContext<'_>, commands: &mut Vec<Command>) {
    let settings = &view.state.presentation;
    let response = egui::Panel::top("presentation_header")
        .show(ui, |ui| {
            ui.add_space(4.0);
            ui.label(
                egui::RichText::new(settings.title_or_default())
                    .size(26.0)
                    .strong(),
            );
            if !settings.subtitle.trim().is_empty() {
                ui.label(egui::RichText::new(&settings.subtitle).size(17.0));
            }
            ui.label(
                egui::RichText::new(view.filter_caption())
                    .size(15.0)
                    .strong(),
            );
            ui.add_space(2.0);
        })
        .response;
    // The way out appears only while the pointer is on the header, so slides stay clean.
    if response.contains_pointer() {
        let rect = response.rect;
        let button_rect = egui::Rect::from_min_size(
            egui::pos2(rect.max.x - 190.0, rect.min.y + 6.0),
            egui::vec2(180.0, 24.0),
        );
        let ctx = ui.ctx().clone();
        if ui
            .put(button_rect, egui::Button::new("Leave presentation"))
            .on_hover_text(UiCommand::TogglePresentation.tooltip(&ctx))
            .clicked()
        {
            commands.push(Command::Ui(UiCommand::TogglePresentation));
        }
    }
}

pub fn footer(ui: &mut egui::Ui, view: &ViewContext<'_>, tiles: Option<&str>) {
    egui::Panel::bottom("presentation_footer").show(ui, |ui| {
        ui.add(egui::Label::new(egui::RichText::new(source_line(view, tiles)).size(11.0)).wrap());
    });
}

/// The View menu: presentation, title, layout, saved views and PNG export.
pub fn view_menu(ui: &mut egui::Ui, view: &ViewContext<'_>, commands: &mut Vec<Command>) {
    let ctx = ui.ctx().clone();
    if ui
        .button("Presentation mode")
        .on_hover_text(UiCommand::TogglePresentation.tooltip(&ctx))
        .clicked()
    {
        commands.push(Command::Ui(UiCommand::TogglePresentation));
        ui.close();
    }
    let mut settings = view.state.presentation.clone();
    egui::Grid::new("presentation_settings")
        .num_columns(2)
        .show(ui, |ui| {
            let label = ui.label("Title");
            ui.add(
                egui::TextEdit::singleline(&mut settings.title)
                    .hint_text("Islamic State Khorasan incidents")
                    .desired_width(280.0),
            )
            .labelled_by(label.id);
            ui.end_row();
            let label = ui.label("Subtitle");
            ui.add(egui::TextEdit::singleline(&mut settings.subtitle).desired_width(280.0))
                .labelled_by(label.id);
            ui.end_row();
        });
    ui.label("Presentation layout:");
    for layout in PresentationLayout::ALL {
        ui.radio_value(&mut settings.layout, layout, layout.label());
    }
    if settings != view.state.presentation {
        commands.push(Command::SetPresentation(settings));
    }
    ui.separator();
    const VIEW_FILES: (&str, &[&str]) = ("Khorasan Atlas view", &["ron"]);
    file_action(
        ui,
        PathFieldSpec {
            id: "save view",
            hint: "views/briefing.view.ron",
            save: true,
            title: "Save the view",
            filter: Some(VIEW_FILES),
        },
        "Save view",
        commands,
        |path, commands| commands.push(Command::SaveView(path)),
    );
    file_action(
        ui,
        PathFieldSpec {
            id: "open view",
            hint: "views/briefing.view.ron",
            save: false,
            title: "Open a view",
            filter: Some(VIEW_FILES),
        },
        "Open view",
        commands,
        |path, commands| commands.push(Command::OpenView(path)),
    );
    ui.separator();
    super::notes::notes_menu(ui, view, commands);
    ui.separator();
    export_controls(ui, view, commands);
}

/// The animation export's progress, with Cancel (in the top bar while it runs).
pub fn export_bar(
    ui: &mut egui::Ui,
    progress: &crate::state::ExportProgress,
    commands: &mut Vec<Command>,
) {
    let (done, total) = progress.counts();
    ui.add(
        egui::ProgressBar::new(done as f32 / total.max(1) as f32)
            .desired_width(180.0)
            .text(format!("Animation: frame {done} of {total}")),
    );
    if ui.small_button("Cancel").clicked() {
        commands.push(Command::CancelExport);
    }
}

/// The playback as an animated GIF: the window at the chosen scale, one frame per month.
fn animation_controls(
    ui: &mut egui::Ui,
    view: &ViewContext<'_>,
    scale: u8,
    commands: &mut Vec<Command>,
) {
    ui.label("Export the playback as an animated GIF:");
    if let Some(progress) = view.export_progress {
        export_bar(ui, progress, commands);
        return;
    }
    file_action(
        ui,
        PathFieldSpec {
            id: "export gif",
            hint: "playback.gif",
            save: true,
            title: "Export the playback as an animated GIF",
            filter: Some(("GIF animation", &["gif"])),
        },
        "Export GIF",
        commands,
        |path, commands| {
            commands.push(Command::ExportAnimation(crate::state::AnimationRequest {
                path,
                scale,
            }))
        },
    );
    let playback = &view.state.playback;
    ui.label(
        egui::RichText::new(format!(
            "One frame per month of the period (or of all the data), each showing the {} up to \
             it, {:.2} s a frame (the playback's window and speed).",
            playback.window.label(),
            1.0 / playback.months_per_second.clamp(0.1, 12.0)
        ))
        .small()
        .weak(),
    );
}

/// Export: which part, how many pixels per point, and where (a file or the clipboard).
fn export_controls(ui: &mut egui::Ui, view: &ViewContext<'_>, commands: &mut Vec<Command>) {
    use crate::state::{PictureRequest, PictureScope};
    let target_id = ui.make_persistent_id("export_target");
    let scale_id = ui.make_persistent_id("export_scale");
    let mut target: PictureScope = ui.data_mut(|data| data.get_temp(target_id).unwrap_or_default());
    let mut scale: u8 = ui.data_mut(|data| data.get_temp(scale_id).unwrap_or(1));
    ui.label("Export a picture (PNG, or vector SVG or PDF by the file name) of:");
    ui.horizontal(|ui| {
        for option in PictureScope::ALL {
            ui.radio_value(&mut target, option, option.label());
        }
    });
    ui.horizontal(|ui| {
        ui.label("Pixels per point:");
        for option in [1u8, 2, 4] {
            ui.radio_value(&mut scale, option, format!("{option}x"));
        }
    });
    file_action(
        ui,
        PathFieldSpec {
            id: "export png",
            hint: "briefing.png (or .svg, .pdf)",
            save: true,
            title: "Export a picture (PNG, SVG or PDF)",
            filter: Some(("PNG, SVG or PDF", &["png", "svg", "pdf"])),
        },
        "Export",
        commands,
        |path, commands| {
            commands.push(Command::ExportPicture(PictureRequest {
                path: Some(path),
                scope: target,
                scale,
            }))
        },
    );
    if ui
        .button("Copy to clipboard")
        .on_hover_text("Copies the same picture to the clipboard instead of a file")
        .clicked()
    {
        commands.push(Command::ExportPicture(PictureRequest {
            path: None,
            scope: target,
            scale,
        }));
    }
    // The window's size in points (before presentation mode's larger type) times the scale.
    let ctx = ui.ctx();
    let points = ctx.content_rect().size() * ctx.zoom_factor();
    ui.label(
        egui::RichText::new(format!(
            "{} x {} pixels, the same on any screen. It is drawn again in the background: a \
             single view as a slide with title, caption, legend and sources.",
            (points.x * f32::from(scale)).round(),
            (points.y * f32::from(scale)).round()
        ))
        .small()
        .weak(),
    );
    ui.data_mut(|data| {
        data.insert_temp(target_id, target);
        data.insert_temp(scale_id, scale);
    });
    ui.separator();
    animation_controls(ui, view, scale, commands);
}

/// A path field with Browse… and a button that acts on the path.
fn file_action(
    ui: &mut egui::Ui,
    spec: PathFieldSpec<'_>,
    button: &str,
    commands: &mut Vec<Command>,
    mut run: impl FnMut(std::path::PathBuf, &mut Vec<Command>),
) {
    ui.horizontal(|ui| {
        let path = path_field(ui, &format!("{button}:"), &spec, commands);
        if ui
            .add_enabled(!path.trim().is_empty(), egui::Button::new(button))
            .clicked()
        {
            run(path.trim().into(), commands);
            // Done: the notice says how it went.
            ui.close();
        }
    });
}
