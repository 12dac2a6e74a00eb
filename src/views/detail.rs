//! The detail panel: the selected incident's full record above the incident table, or a
//! summary of the filtered set above it when nothing is selected.

use crate::model::{Category, Incident, Location, Source, SourceLink, StackBy};
use crate::state::Command;

use super::ViewContext;
use super::style::{self, MarkerShape};
use super::table::{self, TableState};

pub fn show(
    ui: &mut egui::Ui,
    view: &ViewContext<'_>,
    table_state: &mut TableState,
    commands: &mut Vec<Command>,
) {
    match view.selected {
        Some(index) if index < view.dataset.incidents.len() => {
            // The record above, the table below it with the incident's row in view: where
            // it sits among the others stays one glance away.
            record(ui, view, index, commands);
            ui.separator();
            table::show(ui, view, table_state, commands);
        }
        _ => {
            summary(ui, view);
            ui.separator();
            table::show(ui, view, table_state, commands);
        }
    }
}

fn record(ui: &mut egui::Ui, view: &ViewContext<'_>, index: usize, commands: &mut Vec<Command>) {
    let incident = view.incident(index);
    ui.horizontal(|ui| {
        if ui
            .button("\u{23f4} All incidents")
            .on_hover_text("Back to the summary and table (Esc)")
            .clicked()
        {
            commands.push(Command::Select(None));
        }
        if ui
            .button("Centre map")
            .on_hover_text("Centre the map on this incident")
            .clicked()
        {
            commands.push(Command::SelectAndCenter(index));
        }
    });
    if !view.state.filter.matches(incident) {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            "This incident is outside the current filter.",
        );
    }
    ui.add_space(4.0);
    let height = (ui.available_height() * 0.62).max(160.0);
    egui::ScrollArea::vertical()
        .id_salt("record")
        .max_height(height)
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.heading(incident.location.place.as_str());
            ui.label(
                egui::RichText::new(format!(
                    "{} \u{b7} {}",
                    incident.date.display_long(),
                    incident.kind.label()
                ))
                .strong(),
            );
            ui.add_space(4.0);
            fields(ui, view, index, incident);
            ui.add_space(6.0);
            ui.label(egui::RichText::new("Summary").strong());
            ui.label(&incident.summary);

            if !incident.discrepancies.is_empty() {
                ui.add_space(6.0);
                ui.label(
                    egui::RichText::new("Sources disagree")
                        .strong()
                        .color(ui.visuals().warn_fg_color),
                );
                for discrepancy in &incident.discrepancies {
                    ui.label(format!("\u{26a0} {}", discrepancy.note));
                    let names: Vec<String> = discrepancy
                        .sources
                        .iter()
                        .map(|id| {
                            view.dataset
                                .source(id)
                                .map_or_else(|| id.to_string(), |s| s.publisher.clone())
                        })
                        .collect();
                    ui.label(
                        egui::RichText::new(format!("Sources: {}", names.join("; ")))
                            .small()
                            .weak(),
                    );
                }
            }

            ui.add_space(6.0);
            ui.label(egui::RichText::new(format!("Sources ({})", incident.sources.len())).strong());
            for id in &incident.sources {
                match view.dataset.source(id) {
                    Some(source) => source_entry(ui, source),
                    None => {
                        ui.colored_label(
                            ui.visuals().error_fg_color,
                            format!("Unknown source {id}"),
                        );
                    }
                }
            }
            ui.add_space(4.0);
            ui.label(
                egui::RichText::new(format!("Record id: {}", incident.id))
                    .small()
                    .weak(),
            );
        });
}

fn fields(ui: &mut egui::Ui, view: &ViewContext<'_>, index: usize, incident: &Incident) {
    let location = &incident.location;
    egui::Grid::new("incident_fields")
        .num_columns(2)
        .spacing([10.0, 3.0])
        .striped(true)
        .show(ui, |ui| {
            let row = |ui: &mut egui::Ui, name: &str, value: String| {
                ui.label(egui::RichText::new(name).weak());
                ui.add(egui::Label::new(value).wrap());
                ui.end_row();
            };
            row(
                ui,
                "Date",
                format!(
                    "{} (known to the {})",
                    incident.date,
                    incident.date.precision().label()
                ),
            );
            row(ui, "Place", location.place.to_string());
            row(
                ui,
                "Province",
                match (&location.admin1_as_written, location.admin1.is_empty()) {
                    (_, true) => "unknown".into(),
                    (None, false) => location.admin1.to_string(),
                    (Some(written), false) => {
                        format!(
                            "{} (the data writes \u{201c}{written}\u{201d})",
                            location.admin1
                        )
                    }
                },
            );
            row(
                ui,
                "Country",
                format!("{} ({})", location.country, location.country_code),
            );
            row(ui, "Coordinates", coordinates_text(location));
            ui.label(egui::RichText::new("Kind").weak());
            ui.horizontal(|ui| {
                let colour = colour_for(view, Category::Kind(incident.kind), ui);
                style::legend_swatch(ui, MarkerShape::Circle, colour);
                ui.label(incident.kind.label());
            });
            ui.end_row();
            ui.label(egui::RichText::new("Attribution").weak());
            ui.horizontal(|ui| {
                let colour = colour_for(view, Category::Attribution(incident.attribution), ui);
                style::legend_swatch(ui, MarkerShape::of(incident.attribution), colour);
                ui.label(incident.attribution.label());
            });
            ui.end_row();
            row(ui, "Method", incident.method.label().into());
            row(ui, "Target", incident.target.label().into());
            row(ui, "Killed", incident.killed.in_words());
            row(ui, "Injured", incident.injured.in_words());
            if incident.actors.is_empty() {
                if let Some(perpetrator) = &incident.perpetrator {
                    row(ui, "Actor (as the data names it)", perpetrator.to_string());
                }
            } else {
                // Every actor the row names, with its role, as the data names them.
                let actors: Vec<String> = incident
                    .actors
                    .iter()
                    .map(|actor| format!("{} ({})", actor.name, actor.role.label().to_lowercase()))
                    .collect();
                row(ui, "Actors (as the data names them)", actors.join("\n"));
            }
            if let Some(also) = super::event_matches::also_in(view, index) {
                row(ui, "Also in (the same event)", also);
            }
            if let Some(layer) = view.layer_of(index)
                && !layer.is_embedded()
            {
                let format = layer
                    .report
                    .as_ref()
                    .map_or("", |report| report.format.label());
                row(ui, "Data layer", format!("{} ({format})", layer.name));
            }
        });
}

/// "34.5553, 69.2075 — precision: town or city, within about 15 km": the radius says how far
/// the site may be from the point, which for a city's centroid is the whole city.
fn coordinates_text(location: &Location) -> String {
    let precision = location.precision.label().to_lowercase();
    let within = match location.uncertainty_km() {
        0.0 => String::new(),
        km => format!(", within about {km:.0} km"),
    };
    format!(
        "{:.4}, {:.4} \u{2014} precision: {precision}{within}",
        location.lat, location.lon
    )
}

fn colour_for(view: &ViewContext<'_>, category: Category, ui: &egui::Ui) -> egui::Color32 {
    let active = matches!(
        (view.state.stack_by, category),
        (StackBy::Kind, Category::Kind(_)) | (StackBy::Attribution, Category::Attribution(_))
    );
    if active {
        style::category_colour(category)
    } else {
        ui.visuals().text_color()
    }
}

fn source_entry(ui: &mut egui::Ui, source: &Source) {
    ui.horizontal_wrapped(|ui| {
        ui.label("\u{2022}");
        match source.link() {
            Some(SourceLink::Web(url)) => {
                ui.hyperlink_to(&source.title, url).on_hover_text(url);
            }
            Some(SourceLink::NotWeb { url, scheme }) => {
                // Shown, never opened: only web addresses open from a file's data.
                ui.label(&source.title);
                ui.label(
                    egui::RichText::new(format!("(not a web link, {scheme} not opened: {url})"))
                        .small()
                        .weak(),
                );
            }
            None => {
                ui.label(egui::RichText::new(&source.title).italics());
            }
        }
        let mut meta = source.publisher.clone();
        if let Some(date) = &source.date {
            meta.push_str(&format!(", {date}"));
        }
        ui.label(egui::RichText::new(meta).weak());
        if let Some(seed) = &source.seed {
            ui.label(
                egui::RichText::new(format!("[seed document {seed}]"))
                    .small()
                    .weak(),
            );
        }
    });
}

fn summary(ui: &mut egui::Ui, view: &ViewContext<'_>) {
    let summary = &view.derived.summary;
    ui.heading("Filtered incidents");
    ui.label(
        egui::RichText::new(format!(
            "{} incidents \u{b7} killed {} \u{b7} {} sources",
            summary.count,
            summary.killed.display(),
            summary.distinct_sources
        ))
        .strong(),
    );
    ui.label(
        egui::RichText::new(
            "Killed is a range because sources disagree on some tolls. Click a row, a map \
             symbol or a timeline marker to read the full record.",
        )
        .small()
        .weak(),
    );
    ui.add_space(4.0);
    // At the body's size: two columns, and the years as one wrapped line below them.
    ui.columns(2, |columns| {
        counts_list(
            &mut columns[0],
            "By country",
            summary
                .by_country
                .iter()
                .map(|((_, name), n)| (name.clone(), *n)),
        );
        counts_list(
            &mut columns[1],
            "By kind",
            summary
                .by_kind
                .iter()
                .map(|(k, n)| (k.label().to_owned(), *n)),
        );
    });
    ui.add_space(4.0);
    ui.label(egui::RichText::new("By year").weak());
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 10.0;
        for (year, count) in &summary.by_year {
            ui.label(format!("{year}: {count}"));
        }
    });
}

fn counts_list(ui: &mut egui::Ui, title: &str, rows: impl Iterator<Item = (String, usize)>) {
    ui.label(egui::RichText::new(title).weak());
    let mut rows: Vec<(String, usize)> = rows.collect();
    rows.sort_by_key(|row| std::cmp::Reverse(row.1));
    const MAX_ROWS: usize = 12;
    let hidden = rows.len().saturating_sub(MAX_ROWS);
    for (name, count) in rows.into_iter().take(MAX_ROWS) {
        ui.label(format!("{name}: {count}"));
    }
    if hidden > 0 {
        ui.label(egui::RichText::new(format!("+{hidden} more")).weak());
    }
}
