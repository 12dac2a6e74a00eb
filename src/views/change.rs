//! The Change view: per province and per country, incidents and deaths in the last months
//! against a baseline, with the surge flag, in a sortable table (the numbers of `stats
//! --change`, from [`crate::model::change`]). The map's choropleth can colour provinces by
//! the same change ([`change_colour`]).

use egui_extras::{Column, TableBuilder};

use crate::model::aggregate::CountTotal;
use crate::model::change::{Baseline, Change, ChangeRow, ChangeSettings, Flag, Level};
use crate::state::Command;

use super::ViewContext;

/// The change, computed again only when the filter, the data or the settings change; the
/// Change view and the map's change choropleth read the same one.
#[derive(Default)]
pub struct ChangeCache {
    change: Option<Change>,
    computed_for: Option<(u64, u64, ChangeSettings)>,
}

impl ChangeCache {
    /// The change of `dataset` (version `dataset_version`) under `filter`, whose scan is
    /// `generation`.
    pub fn get(
        &mut self,
        dataset: &crate::model::Dataset,
        dataset_version: u64,
        generation: u64,
        filter: &crate::model::Filter,
        settings: ChangeSettings,
    ) -> &Change {
        let key = (generation, dataset_version, settings);
        if self.computed_for != Some(key) || self.change.is_none() {
            self.change = Some(Change::compute(dataset, filter, settings));
            self.computed_for = Some(key);
        }
        self.change.get_or_insert_default()
    }
}

/// How the change table is sorted and what it lists.
#[derive(Debug, Default)]
pub struct ChangeTable {
    sort: ChangeSort,
    /// Smallest first; the default is the largest rise first.
    ascending: bool,
    /// Provinces (the default) or countries.
    countries: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum ChangeSort {
    Place,
    Now,
    Before,
    #[default]
    Difference,
    Percent,
}

/// A diverging colour for a change: blue for fewer incidents, red for more, grey for none;
/// the strength grows with the share of the baseline (full at +-100%).
pub fn change_colour(difference: i64, ratio: Option<f64>) -> egui::Color32 {
    let strength = match ratio {
        Some(ratio) => ratio.abs().min(1.0) as f32,
        None if difference > 0 => 1.0,
        None => 0.0,
    };
    let (r, g, b) = if difference > 0 {
        (202, 0, 32)
    } else if difference < 0 {
        (5, 113, 176)
    } else {
        (150, 150, 150)
    };
    let mix = |c: u8| (247.0 + (f32::from(c) - 247.0) * (0.25 + 0.75 * strength)) as u8;
    egui::Color32::from_rgb(mix(r), mix(g), mix(b))
}

pub fn show(
    ui: &mut egui::Ui,
    view: &ViewContext<'_>,
    cache: &mut ChangeTable,
    commands: &mut Vec<Command>,
) {
    let mut settings = view.state.change;
    ui.horizontal_wrapped(|ui| {
        ui.heading("What changed");
        ui.add_space(12.0);
        ui.label("Last");
        ui.add(
            egui::DragValue::new(&mut settings.months)
                .range(1..=36)
                .suffix(" month(s)"),
        );
        ui.label("against");
        for baseline in [Baseline::Previous, Baseline::YearEarlier] {
            ui.radio_value(&mut settings.baseline, baseline, baseline.label());
        }
        ui.add_space(12.0);
        ui.selectable_value(&mut cache.countries, false, "Provinces");
        ui.selectable_value(&mut cache.countries, true, "Countries");
    });
    if settings != view.state.change {
        commands.push(Command::SetChange(settings));
    }
    let (sort, descending, countries) = (cache.sort, !cache.ascending, cache.countries);
    let Some(change) = view.change else {
        return;
    };
    let months = change.settings.months;
    ui.label(egui::RichText::new(change.describe()).strong());
    ui.label(
        egui::RichText::new(format!(
            "Incidents the filter keeps, its period aside (the window ends in the month of its \
             last day, else the latest month with data). Day and month dates count in their \
             month; {} known only to their year are left out. Surge: a baseline average of at \
             least 1 a month and at least twice its incidents (after ACLED's Surge Tracker); \
             new: none in the baseline.",
            change.year_only
        ))
        .small()
        .weak(),
    );
    ui.separator();
    let level = if countries {
        Level::Country
    } else {
        Level::Province
    };
    let mut rows: Vec<ChangeRow<'_>> = change
        .rows()
        .into_iter()
        .filter(|row| row.level == level)
        .collect();
    sort_rows(&mut rows, sort, descending);
    if rows.is_empty() {
        ui.label("No incident in the window or the baseline.");
        return;
    }
    let mut clicked = None;
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
    TableBuilder::new(ui)
        .id_salt("change_table")
        .striped(true)
        .resizable(true)
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::initial(150.0).at_least(80.0).clip(true))
        .column(Column::initial(28.0))
        .column(Column::initial(44.0))
        .column(Column::initial(50.0))
        .column(Column::initial(56.0))
        .column(Column::initial(56.0))
        .column(Column::initial(80.0).clip(true))
        .column(Column::initial(80.0).clip(true))
        .column(Column::remainder().at_least(40.0))
        .auto_shrink([false, false])
        .header(row_height + 2.0, |mut header| {
            let titles = [
                (Some(ChangeSort::Place), "Place"),
                (None, "CC"),
                (Some(ChangeSort::Now), "Now"),
                (Some(ChangeSort::Before), "Before"),
                (Some(ChangeSort::Difference), "Change"),
                (Some(ChangeSort::Percent), "%"),
                (None, "Killed now"),
                (None, "Killed before"),
                (None, "Flag"),
            ];
            for (column, title) in titles {
                header.col(|ui| {
                    let arrow = match (column == Some(sort), descending) {
                        (true, false) => " \u{23f6}",
                        (true, true) => " \u{23f7}",
                        _ => "",
                    };
                    let text = egui::RichText::new(format!("{title}{arrow}")).strong();
                    match column {
                        Some(column) => {
                            if ui
                                .add(egui::Button::new(text).frame(false))
                                .on_hover_text(format!("Sort by {}", title.to_lowercase()))
                                .clicked()
                            {
                                clicked = Some(column);
                            }
                        }
                        None => {
                            ui.label(text);
                        }
                    }
                });
            }
        })
        .body(|body| {
            body.rows(row_height, rows.len(), |mut table_row| {
                let row = rows[table_row.index()];
                let place = row.place;
                table_row.col(|ui| {
                    let colour = change_colour(place.difference(), place.ratio());
                    let (rect, _) =
                        ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
                    ui.painter().rect_filled(rect, 2.0, colour);
                    ui.label(row.name);
                });
                table_row.col(|ui| {
                    ui.label(row.country_code);
                });
                table_row.col(|ui| {
                    ui.label(place.now.count.to_string());
                });
                table_row.col(|ui| {
                    ui.label(place.before.count.to_string());
                });
                table_row.col(|ui| {
                    ui.label(format!("{:+}", place.difference()));
                });
                table_row.col(|ui| {
                    ui.label(row.percent_words());
                });
                table_row.col(|ui| {
                    killed_label(ui, &place.now.killed);
                });
                table_row.col(|ui| {
                    killed_label(ui, &place.before.killed);
                });
                table_row.col(|ui| match place.flag(months) {
                    Some(Flag::Surge) => {
                        ui.label(
                            egui::RichText::new("surge")
                                .strong()
                                .color(egui::Color32::from_rgb(202, 0, 32)),
                        );
                    }
                    Some(Flag::New) => {
                        ui.label(egui::RichText::new("new").strong());
                    }
                    None => {}
                });
            });
        });
    if let Some(column) = clicked {
        if cache.sort == column {
            cache.ascending = !cache.ascending;
        } else {
            cache.sort = column;
            cache.ascending = column == ChangeSort::Place;
        }
    }
}

fn killed_label(ui: &mut egui::Ui, killed: &CountTotal) {
    let response = ui.label(killed.short_display());
    if killed.unknown > 0 {
        response.on_hover_text(killed.display());
    }
}

fn sort_rows(rows: &mut [ChangeRow<'_>], sort: ChangeSort, descending: bool) {
    rows.sort_by(|a, b| {
        let ordering = match sort {
            ChangeSort::Place => a.name.cmp(b.name),
            ChangeSort::Now => a.place.now.count.cmp(&b.place.now.count),
            ChangeSort::Before => a.place.before.count.cmp(&b.place.before.count),
            ChangeSort::Difference => a.place.difference().cmp(&b.place.difference()),
            // No baseline sorts above any share (a new place is the largest rise).
            ChangeSort::Percent => {
                let share = |row: &ChangeRow<'_>| row.place.ratio().unwrap_or(f64::INFINITY);
                share(a).total_cmp(&share(b))
            }
        };
        let ordering = if descending {
            ordering.reverse()
        } else {
            ordering
        };
        ordering.then_with(|| a.name.cmp(b.name))
    });
}
