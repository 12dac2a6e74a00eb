//! The Data menu (open files, layers, export), the loading bar, the field-mapping dialog and
//! the import report.

use crate::io::ExportFormat;
use crate::io::import::mapping::Role;
use crate::io::import::{Detected, FieldMapping, Format};
use crate::loading::{LoadJob, LoadRequest};
use crate::state::Command;
use crate::views::path_field::{PathFieldSpec, path_field};

use super::ViewContext;

/// Text fields and windows of the Data menu that live between frames.
#[derive(Debug, Default)]
pub struct DataUiState {
    /// The layer whose import report window is open.
    pub report_layer: Option<usize>,
    /// The mapping a remapped layer was loaded with, to start the dialog from.
    pub remap_from: Option<FieldMapping>,
    /// Bytes the cache of loaded files holds (`None`: the cache is off), measured when it can
    /// have changed (at start, after a load, after clearing), not every frame.
    pub cache_bytes: Option<u64>,
}

impl DataUiState {
    pub fn measure_cache(&mut self) {
        self.cache_bytes = crate::io::cache::cache_dir().map(|dir| crate::io::cache::size(&dir));
    }
}

/// A CSV or GeoJSON file waiting for the user to confirm which columns mean what.
pub struct MappingDialog {
    pub request: LoadRequest,
    pub detected: Detected,
    pub mapping: FieldMapping,
    /// The role given one more, not yet chosen, column ("+ another column").
    adding: Option<Role>,
}

impl MappingDialog {
    pub fn new(request: LoadRequest, detected: Detected, mapping: FieldMapping) -> Self {
        Self {
            request,
            detected,
            mapping,
            adding: None,
        }
    }

    /// GeoJSON features carry their point; CSV rows need coordinate columns.
    pub fn has_geometry(&self) -> bool {
        self.detected.format == Format::GeoJson
    }
}

/// The Data menu: open a file, the layers, export of the filtered set.
pub fn data_menu(ui: &mut egui::Ui, view: &ViewContext<'_>, commands: &mut Vec<Command>) {
    ui.set_min_width(420.0);
    ui.label(egui::RichText::new("Open a file as a data layer").strong());
    ui.label(
        egui::RichText::new(
            "ACLED, GTD or UCDP GED CSV, Parquet or Arrow, any CSV or GeoJSON (you map the \
             columns), or a Khorasan Atlas RON file; or a folder of Parquet files partitioned \
             as year=2024/month=03 (Spark, Trino, DuckDB). Dropping a file on the window does \
             the same.",
        )
        .small()
        .weak(),
    );
    ui.horizontal(|ui| {
        let path = path_field(
            ui,
            "File:",
            &PathFieldSpec {
                id: "open data",
                hint: "/path/to/acled_export.csv",
                save: false,
                title: "Open a file as a data layer",
                filter: Some((
                    "ACLED, GTD, UCDP, CSV, Parquet, Arrow, GeoJSON or RON",
                    &[
                        "csv", "tsv", "txt", "parquet", "arrow", "feather", "ipc", "geojson",
                        "json", "ron",
                    ],
                )),
            },
            commands,
        );
        if ui
            .button("Folder\u{2026}")
            .on_hover_text("Choose a folder of Parquet files (a partitioned dataset)")
            .clicked()
        {
            commands.push(Command::Browse(crate::state::FileDialogRequest {
                field: super::path_field::field_id(ui, "open data"),
                save: false,
                folder: true,
                title: "Open a folder of Parquet files as a data layer".to_owned(),
                filter: None,
                start: None,
            }));
        }
        let field = super::path_field::field_id(ui, "open data").with("edit");
        let enter =
            ui.memory(|m| m.has_focus(field)) && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (ui.button("Open").clicked() || enter) && !path.trim().is_empty() {
            commands.push(Command::OpenData(path.trim().into()));
            ui.close();
        }
    });
    ui.separator();
    ui.label(egui::RichText::new("Data layers").strong());
    layer_list(ui, view, commands);
    if let (Some(held), Some(dir)) = (view.cache_bytes, crate::io::cache::cache_dir())
        && ui
            .add_enabled(
                held > 0,
                egui::Button::new(format!(
                    "Clear the cache of loaded files ({:.0} MB)",
                    held as f64 / 1e6
                )),
            )
            .on_hover_text(format!(
                "Files of 16 MB or more are kept in {} once loaded, so that opening them \
                 again unchanged is quick; a changed file is always read afresh.",
                dir.display()
            ))
            .clicked()
    {
        commands.push(Command::ClearLayerCache);
    }
    ui.separator();
    super::event_matches::section(ui, view, commands);
    ui.separator();
    ui.label(egui::RichText::new("Export the filtered incidents").strong());
    ui.label(
        egui::RichText::new(format!(
            "{} incidents; the same columns as the export command.",
            view.derived.filtered.len()
        ))
        .small()
        .weak(),
    );
    ui.horizontal(|ui| {
        let path = path_field(
            ui,
            "File:",
            &PathFieldSpec {
                id: "export data",
                hint: "/path/to/incidents.csv",
                save: true,
                title: "Export the filtered incidents",
                filter: Some(("CSV or GeoJSON", &["csv", "geojson"])),
            },
            commands,
        );
        let path = path.trim().to_owned();
        for (label, hover, format, extension) in [
            (
                "CSV",
                "Write the filtered incidents as CSV",
                ExportFormat::Csv,
                "csv",
            ),
            (
                "GeoJSON",
                "Write the filtered incidents as a GeoJSON FeatureCollection",
                ExportFormat::Geojson,
                "geojson",
            ),
        ] {
            if ui
                .add_enabled(!path.is_empty(), egui::Button::new(label))
                .on_hover_text(hover)
                .clicked()
            {
                commands.push(Command::ExportData(
                    format,
                    with_extension(&path, extension),
                ));
                ui.close();
            }
        }
    });
}

/// The path as typed, with `extension` added when it has none.
fn with_extension(path: &str, extension: &str) -> std::path::PathBuf {
    let path = std::path::PathBuf::from(path);
    if path.extension().is_none() {
        path.with_extension(extension)
    } else {
        path
    }
}

fn layer_list(ui: &mut egui::Ui, view: &ViewContext<'_>, commands: &mut Vec<Command>) {
    egui::Grid::new("layers")
        .num_columns(4)
        .spacing([8.0, 4.0])
        .show(ui, |ui| {
            for (index, layer) in view.layers.iter().enumerate() {
                let mut visible = layer.spec.visible;
                if ui
                    .checkbox(&mut visible, &layer.name)
                    .on_hover_text(layer_tooltip(layer))
                    .changed()
                {
                    commands.push(Command::SetLayerVisible(index, visible));
                }
                let mut colour = layer.spec.colour;
                if ui
                    .color_edit_button_srgb(&mut colour)
                    .on_hover_text("Ring colour of this layer's incidents on the map")
                    .changed()
                {
                    commands.push(Command::SetLayerColour(index, colour));
                }
                ui.label(format!("{} incidents", layer.count));
                ui.horizontal(|ui| {
                    if let Some(report) = &layer.report {
                        let label = if report.skipped() > 0 {
                            format!("Report ({} skipped)", report.skipped())
                        } else {
                            "Report".to_owned()
                        };
                        if ui.small_button(label).clicked() {
                            commands.push(Command::ShowReport(Some(index)));
                        }
                        if report.format.needs_mapping()
                            && ui
                                .small_button("Mapping")
                                .on_hover_text("Change which columns mean what, and reload")
                                .clicked()
                        {
                            commands.push(Command::RemapLayer(index));
                        }
                    }
                    if !layer.is_embedded()
                        && ui
                            .small_button("Remove")
                            .on_hover_text("Remove this data layer (the file is not touched)")
                            .clicked()
                    {
                        commands.push(Command::RemoveLayer(index));
                    }
                });
                ui.end_row();
            }
        });
}

fn layer_tooltip(layer: &crate::layers::Layer) -> String {
    match (&layer.spec.path, &layer.report) {
        (Some(path), Some(report)) => format!("{}\n{}", path.display(), report.summary()),
        _ => "The dataset compiled into the app: sourced ISK incidents".to_owned(),
    }
}

/// Progress of a load, with a cancel button; the rest of the UI keeps working.
pub fn loading_bar(ui: &mut egui::Ui, job: &LoadJob, commands: &mut Vec<Command>) {
    let name = job.request.path.file_name().map_or_else(
        || job.request.path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    ui.add(
        egui::ProgressBar::new(job.progress.fraction())
            .desired_width(160.0)
            .show_percentage()
            .text(format!("Loading {name}")),
    );
    if ui.small_button("Cancel").clicked() {
        commands.push(Command::CancelLoad);
    }
}

/// The mapping dialog: the guessed mapping, correctable, with a preview of the first rows.
pub fn mapping_window(
    ctx: &egui::Context,
    dialog: &mut MappingDialog,
    commands: &mut Vec<Command>,
) {
    let mut open = true;
    let title = format!(
        "Map the columns of {}",
        dialog
            .request
            .path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    );
    egui::Window::new(title)
        .id(egui::Id::unique("mapping_dialog"))
        .open(&mut open)
        .collapsible(false)
        .default_width(560.0)
        .show(ctx, |ui| {
            ui.label(format!(
                "A {} file with {} columns. The columns below were guessed from their names and \
                 values; correct them before loading. Killed and injured can add up several \
                 columns, and the actor keep several (\"+ another column\"). The mapping is \
                 remembered for files with the same columns.",
                dialog.detected.format.label(),
                dialog.detected.columns.len()
            ));
            if dialog.has_geometry() {
                ui.label(
                    egui::RichText::new(
                        "Coordinates come from each feature's point unless you pick latitude and \
                         longitude properties.",
                    )
                    .weak(),
                );
            }
            ui.add_space(4.0);
            egui::Grid::new("mapping_grid")
                .num_columns(3)
                .striped(true)
                .show(ui, |ui| {
                    for &role in Role::ALL {
                        let label = ui.label(role.label());
                        let columns = &dialog.detected.columns;
                        let mut chosen: Vec<Option<String>> = dialog
                            .mapping
                            .columns_of(role)
                            .into_iter()
                            .map(|column| Some(column.to_owned()))
                            .collect();
                        let adding = dialog.adding == Some(role);
                        if chosen.is_empty() || adding {
                            chosen.push(None);
                        }
                        ui.vertical(|ui| {
                            for (index, slot) in chosen.iter_mut().enumerate() {
                                column_choice(ui, (role, index), slot, columns)
                                    .labelled_by(label.id);
                            }
                            // Killed, injured and actor can take several columns: the counts
                            // are summed, every actor kept.
                            if role.takes_several()
                                && chosen[0].is_some()
                                && ui
                                    .small_button("+ another column")
                                    .on_hover_text(match role {
                                        Role::Actor => "Keep the actor of another column too",
                                        _ => "Add another column's count to this one",
                                    })
                                    .clicked()
                            {
                                // An empty choice under the others until a column is picked.
                                dialog.adding = Some(role);
                            }
                        });
                        if adding && chosen.last().is_some_and(Option::is_some) {
                            dialog.adding = None;
                        }
                        let kept: Vec<String> = chosen.into_iter().flatten().collect();
                        dialog.mapping.set_columns(role, &kept);
                        let sample = dialog
                            .mapping
                            .columns_of(role)
                            .iter()
                            .filter_map(|column| {
                                let position = columns.iter().position(|c| c == column)?;
                                dialog.detected.samples.iter().find_map(|row| {
                                    row.get(position).filter(|v| !v.is_empty()).cloned()
                                })
                            })
                            .collect::<Vec<_>>()
                            .join(" + ");
                        ui.label(
                            egui::RichText::new(crate::io::import::shorten(&sample, 40)).weak(),
                        )
                        .on_hover_text("The first value in the file");
                        ui.end_row();
                    }
                });
            let missing = dialog.mapping.missing(dialog.has_geometry());
            ui.add_space(4.0);
            if !missing.is_empty() {
                let names: Vec<&str> = missing.iter().map(|role| role.label()).collect();
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    format!("Choose a column for: {}.", names.join(", ")),
                );
            }
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(missing.is_empty(), egui::Button::new("Load"))
                    .clicked()
                {
                    commands.push(Command::ConfirmMapping(dialog.mapping.clone()));
                }
                if ui.button("Cancel").clicked() {
                    commands.push(Command::CloseMappingDialog);
                }
            });
        });
    if !open {
        commands.push(Command::CloseMappingDialog);
    }
}

/// The rows a load skipped, with line, column, value and reason.
pub fn report_window(
    ctx: &egui::Context,
    view: &ViewContext<'_>,
    layer_index: usize,
    commands: &mut Vec<Command>,
) {
    let Some(layer) = view.layers.get(layer_index) else {
        commands.push(Command::ShowReport(None));
        return;
    };
    let Some(report) = &layer.report else {
        commands.push(Command::ShowReport(None));
        return;
    };
    let mut open = true;
    egui::Window::new(format!("Import report: {}", layer.name))
        .id(egui::Id::unique("import_report"))
        .open(&mut open)
        .default_width(640.0)
        .default_height(360.0)
        // Lower right, clear of the title, the filters and the map's legend.
        .pivot(egui::Align2::RIGHT_BOTTOM)
        .default_pos(ctx.content_rect().right_bottom() - egui::vec2(24.0, 24.0))
        .show(ctx, |ui| {
            ui.label(egui::RichText::new(report.summary()).strong());
            for note in &report.notes {
                ui.label(note);
            }
            if report.issues.is_empty() {
                ui.label("Every row loaded.");
                return;
            }
            if ui
                .small_button("Copy as text")
                .on_hover_text("One line per skipped row: file:line: column = value: why")
                .clicked()
            {
                let text: Vec<String> = report
                    .issues
                    .iter()
                    .map(|issue| issue.describe(&report.file))
                    .collect();
                ui.ctx().copy_text(text.join("\n"));
            }
            if report.unlisted_issues > 0 {
                ui.label(format!(
                    "The first {} skipped rows are listed; {} more were skipped.",
                    report.issues.len(),
                    report.unlisted_issues
                ));
            }
            use egui_extras::{Column, TableBuilder};
            TableBuilder::new(ui)
                .striped(true)
                .column(Column::auto().at_least(40.0))
                .column(Column::auto().at_least(80.0))
                .column(Column::initial(140.0).clip(true))
                .column(Column::remainder())
                .header(18.0, |mut header| {
                    for title in ["Line", "Column", "Value", "Why it was skipped"] {
                        header.col(|ui| {
                            ui.strong(title);
                        });
                    }
                })
                .body(|body| {
                    body.rows(18.0, report.issues.len(), |mut row| {
                        let issue = &report.issues[row.index()];
                        row.col(|ui| {
                            ui.label(issue.line.to_string());
                        });
                        row.col(|ui| {
                            ui.label(&issue.column);
                        });
                        row.col(|ui| {
                            ui.label(&issue.value);
                        });
                        row.col(|ui| {
                            ui.label(&issue.why).on_hover_text(&issue.why);
                        });
                    });
                });
        });
    if !open {
        commands.push(Command::ShowReport(None));
    }
}

/// A column picked from the file's columns, or none.
fn column_choice(
    ui: &mut egui::Ui,
    salt: (Role, usize),
    slot: &mut Option<String>,
    columns: &[String],
) -> egui::Response {
    let shown = slot.clone().unwrap_or_else(|| "(none)".to_owned());
    egui::ComboBox::from_id_salt(("mapping", salt.0.label(), salt.1))
        .selected_text(shown)
        .width(200.0)
        .show_ui(ui, |ui| {
            ui.selectable_value(slot, None, "(none)");
            for column in columns {
                ui.selectable_value(slot, Some(column.clone()), column);
            }
        })
        .response
}
