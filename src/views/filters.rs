//! The filter panel: every filter field, each value with its count, "N of M", reset.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use crate::model::area::{self, Area};
use crate::model::{Attribution, Category, Filter, Kind, Method, StackBy, Target, date};
use crate::state::Command;

use super::ViewContext;
use super::style::{self, MarkerShape};

/// Text being typed into the date fields, kept until it parses.
#[derive(Debug, Default)]
pub struct FiltersState {
    from_text: String,
    to_text: String,
    /// The range the texts were last synchronised with; a brush on the timeline replaces them.
    synced: Option<(Option<NaiveDate>, Option<NaiveDate>)>,
    /// The radius "Within … km of" adds.
    within_km: f64,
    /// The city typed for "Within … km of a city", and why it was not found.
    city: String,
    city_problem: Option<String>,
}

/// The search field's id, so Ctrl+F can focus it.
pub fn search_id() -> egui::Id {
    egui::Id::unique("filter_search")
}

pub fn show(
    ui: &mut egui::Ui,
    view: &ViewContext<'_>,
    state: &mut FiltersState,
    commands: &mut Vec<Command>,
) {
    let current = &view.state.filter;
    let mut filter = current.clone();

    ui.horizontal(|ui| {
        ui.heading("Filters");
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui
                .add_enabled(!current.is_empty(), egui::Button::new("Reset all"))
                .on_hover_text("Clear every filter and show all incidents")
                .clicked()
            {
                commands.push(Command::ResetFilter);
            }
        });
    });
    ui.label(egui::RichText::new(view.shown_caption()).strong());
    ui.separator();

    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            let label = ui.label("Search");
            ui.add(
                egui::TextEdit::singleline(&mut filter.text)
                    .id(search_id())
                    .hint_text("place, province, summary, notes")
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);

            period(ui, current, state, commands);

            ui.horizontal(|ui| {
                let label = ui.label("Killed at least");
                ui.add(egui::DragValue::new(&mut filter.min_killed).range(0..=1000))
                    .labelled_by(label.id)
                    .on_hover_text(
                        "Keeps incidents whose highest reported toll reaches this number; \
                         unknown tolls are hidden when it is above 0",
                    );
            });
            ui.add_space(4.0);

            let facets = &view.derived.facets;
            section(ui, "Country", filter.countries.len(), |ui| {
                for (code, name, count) in &facets.countries {
                    toggle(
                        ui,
                        &mut filter.countries,
                        code.clone(),
                        &format!("{name} ({count})"),
                    );
                }
            });
            section(ui, "Province", filter.provinces.len(), |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("provinces")
                    .max_height(180.0)
                    .show(ui, |ui| {
                        for (province, count) in &facets.provinces {
                            toggle(
                                ui,
                                &mut filter.provinces,
                                province.name.clone(),
                                &format!("{}, {} ({count})", province.name, province.country_code),
                            );
                        }
                    });
            });
            // Folded until used: areas are mostly drawn on the map, and the facets below
            // keep their place at 1280x800.
            let areas = filter.areas.len();
            section_opened(ui, "Area", areas, areas > 0, |ui| {
                area_section(ui, view, state, &mut filter)
            });
            section(ui, "Kind", filter.kinds.len(), |ui| {
                for &kind in Kind::ALL {
                    let count = facets.kinds.get(&kind).copied().unwrap_or(0);
                    ui.horizontal(|ui| {
                        let colour = if view.state.stack_by == StackBy::Kind {
                            style::category_colour(Category::Kind(kind))
                        } else {
                            ui.visuals().weak_text_color()
                        };
                        style::legend_swatch(ui, MarkerShape::Circle, colour);
                        toggle(
                            ui,
                            &mut filter.kinds,
                            kind,
                            &format!("{} ({count})", kind.label()),
                        );
                    });
                }
            });
            section(ui, "Attribution", filter.attributions.len(), |ui| {
                for &attribution in Attribution::ALL {
                    let count = facets.attributions.get(&attribution).copied().unwrap_or(0);
                    // The grades of imported data appear once some is loaded.
                    let imported_grade =
                        matches!(attribution, Attribution::NamedInData | Attribution::NotIsk);
                    if imported_grade && count == 0 && !filter.attributions.contains(&attribution) {
                        continue;
                    }
                    ui.horizontal(|ui| {
                        let colour = if view.state.stack_by == StackBy::Attribution {
                            style::category_colour(Category::Attribution(attribution))
                        } else {
                            ui.visuals().text_color()
                        };
                        style::legend_swatch(ui, MarkerShape::of(attribution), colour);
                        toggle(
                            ui,
                            &mut filter.attributions,
                            attribution,
                            &format!("{} ({count})", attribution.label()),
                        );
                    });
                }
            });
            let actor_active = usize::from(filter.isk_only)
                + filter.actors.len()
                + usize::from(!filter.actor_text.trim().is_empty());
            section(ui, "Actor", actor_active, |ui| {
                actor_section(ui, view, &mut filter)
            });
            section(ui, "Method", filter.methods.len(), |ui| {
                for &method in Method::ALL {
                    let count = facets.methods.get(&method).copied().unwrap_or(0);
                    if count > 0 || filter.methods.contains(&method) {
                        toggle(
                            ui,
                            &mut filter.methods,
                            method,
                            &format!("{} ({count})", method.label()),
                        );
                    }
                }
            });
            section(ui, "Target", filter.targets.len(), |ui| {
                for &target in Target::ALL {
                    let count = facets.targets.get(&target).copied().unwrap_or(0);
                    if count > 0 || filter.targets.contains(&target) {
                        toggle(
                            ui,
                            &mut filter.targets,
                            target,
                            &format!("{} ({count})", target.label()),
                        );
                    }
                }
            });
            ui.add_space(6.0);
            ui.label(
                egui::RichText::new(
                    "Counts beside each value: incidents matching all the other filters. \
                     An incident known only to a month or a year matches any period \
                     overlapping it.",
                )
                .small()
                .weak(),
            );
        });

    if filter != *current {
        commands.push(Command::SetFilter(filter));
    }
}

/// The filter's areas, each editable (a circle's radius) and removable, and "within N km of
/// the selected incident"; drawing is on the map's Area menu.
fn area_section(
    ui: &mut egui::Ui,
    view: &ViewContext<'_>,
    state: &mut FiltersState,
    filter: &mut Filter,
) {
    let mut remove = None;
    for (index, area) in filter.areas.iter_mut().enumerate() {
        ui.horizontal(|ui| {
            if ui
                .small_button("\u{d7}")
                .on_hover_text("Remove this area")
                .clicked()
            {
                remove = Some(index);
            }
            if let Area::Within { km, .. } = area {
                ui.add(
                    egui::DragValue::new(km)
                        .range(1.0..=area::MAX_RADIUS_KM)
                        .speed(1.0)
                        .suffix(" km"),
                )
                .on_hover_text("The radius: drag or type");
            }
            ui.label(area.words());
        });
    }
    if let Some(index) = remove {
        filter.areas.remove(index);
    }
    if state.within_km <= 0.0 {
        state.within_km = 50.0;
    }
    let selected = view.selected.map(|index| view.incident(index));
    ui.horizontal(|ui| {
        let add = ui
            .add_enabled(selected.is_some(), egui::Button::new("Within"))
            .on_hover_text("Add an area around the selected incident")
            .on_disabled_hover_text("Select an incident on the map, the timeline or the table");
        ui.add(
            egui::DragValue::new(&mut state.within_km)
                .range(1.0..=area::MAX_RADIUS_KM)
                .speed(1.0)
                .suffix(" km"),
        );
        ui.label("of the selected incident");
        if add.clicked()
            && let Some(incident) = selected
        {
            filter.areas.push(Area::Within {
                lat: incident.location.lat,
                lon: incident.location.lon,
                km: state.within_km,
                label: Some(incident.location.place.to_string()),
            });
        }
    });
    ui.horizontal(|ui| {
        let label = ui.label("or of the city");
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut state.city)
                    .hint_text("Jalalabad")
                    .desired_width(110.0),
            )
            .labelled_by(label.id);
        let entered = field.lost_focus() && ui.input(|input| input.key_pressed(egui::Key::Enter));
        if (ui.button("Add").clicked() || entered) && !state.city.trim().is_empty() {
            match find_city(&state.city) {
                Some(city) => {
                    filter.areas.push(Area::Within {
                        lat: city.lat,
                        lon: city.lon,
                        km: state.within_km,
                        label: Some(city.english.clone()),
                    });
                    state.city.clear();
                    state.city_problem = None;
                }
                None => {
                    state.city_problem = Some(format!(
                        "No city \u{201c}{}\u{201d} in the offline basemap's list",
                        state.city.trim()
                    ));
                }
            }
        }
    });
    if let Some(problem) = &state.city_problem {
        ui.colored_label(ui.visuals().warn_fg_color, problem);
    }
    ui.label(
        egui::RichText::new(
            "Draw one with the map's Area menu. Several areas: inside any. An incident \
             counts when its footprint (its point, widened for a place known only to its \
             town, district, province or country) meets the area.",
        )
        .small()
        .weak(),
    );
}

/// A city of the offline basemap by its English or GeoNames name, whole (any case), else the
/// most populous one whose name starts with the text.
fn find_city(text: &str) -> Option<&'static crate::basemap::City> {
    let wanted = text.trim().to_lowercase();
    let cities = &crate::basemap::Basemap::shared()?.cities;
    let named = |city: &&crate::basemap::City| {
        city.english.to_lowercase() == wanted || city.name.to_lowercase() == wanted
    };
    cities.iter().find(named).or_else(|| {
        cities
            .iter()
            .filter(|city| city.english.to_lowercase().starts_with(&wanted))
            .max_by_key(|city| city.population)
    })
}

/// Actors as the data names them: the ISK preset, a name search and the list.
fn actor_section(ui: &mut egui::Ui, view: &ViewContext<'_>, filter: &mut Filter) {
    ui.checkbox(&mut filter.isk_only, "ISK, under any name")
        .on_hover_text(format!(
            "Keep incidents whose actor is ISK as ACLED, GTD, UCDP and other sources name it:\n{}\n\nThe embedded dataset's incidents all count as ISK.",
            crate::model::actor::ISK_NAMES.join("\n")
        ));
    ui.add(
        egui::TextEdit::singleline(&mut filter.actor_text)
            .hint_text("name contains\u{2026}")
            .desired_width(f32::INFINITY),
    );
    const SHOWN: usize = 12;
    let actors = &view.derived.facets.actors;
    for (name, count) in actors.iter().take(SHOWN) {
        toggle(
            ui,
            &mut filter.actors,
            name.clone(),
            &format!("{name} ({count})"),
        );
    }
    // Ticked names stay visible even when they fall out of the top of the list, with their
    // own count (0 only when no incident matching the other filters names them).
    let ticked: Vec<(String, usize)> = filter
        .actors
        .iter()
        .filter(|name| !actors.iter().take(SHOWN).any(|(shown, _)| shown == *name))
        .map(|name| {
            let count = actors
                .iter()
                .find(|(actor, _)| actor == name)
                .map_or(0, |(_, count)| *count);
            (name.clone(), count)
        })
        .collect();
    for (name, count) in ticked {
        toggle(
            ui,
            &mut filter.actors,
            name.clone(),
            &format!("{name} ({count})"),
        );
    }
    if actors.len() > SHOWN {
        ui.label(
            egui::RichText::new(format!(
                "{} more actors: type part of a name above.",
                actors.len() - SHOWN
            ))
            .small()
            .weak(),
        );
    }
}

/// The date range as two editable fields; a typo shows a message and changes nothing.
fn period(
    ui: &mut egui::Ui,
    filter: &Filter,
    state: &mut FiltersState,
    commands: &mut Vec<Command>,
) {
    let range = (filter.from, filter.to);
    if state.synced != Some(range) {
        state.from_text = filter.from.map(|d| d.to_string()).unwrap_or_default();
        state.to_text = filter.to.map(|d| d.to_string()).unwrap_or_default();
        state.synced = Some(range);
    }
    let mut error = None;
    let mut edited = false;
    egui::Grid::new("period").num_columns(2).show(ui, |ui| {
        for (name, text) in [("From", &mut state.from_text), ("To", &mut state.to_text)] {
            let label = ui.label(name);
            let response = ui
                .add(
                    egui::TextEdit::singleline(text)
                        .hint_text("YYYY-MM-DD")
                        .desired_width(110.0),
                )
                .labelled_by(label.id);
            edited |= response.lost_focus() || (response.changed() && text.is_empty());
            ui.end_row();
        }
    });
    let parse = |text: &str| -> Result<Option<NaiveDate>, String> {
        if text.trim().is_empty() {
            Ok(None)
        } else {
            date::parse_day(text).map(Some).map_err(|e| e.to_string())
        }
    };
    match (parse(&state.from_text), parse(&state.to_text)) {
        (Ok(from), Ok(to)) => {
            if let (Some(f), Some(t)) = (from, to)
                && f > t
            {
                error = Some("\u{201c}From\u{201d} is after \u{201c}To\u{201d}".to_owned());
            } else if edited && (from, to) != range {
                commands.push(Command::SetTimeRange(from, to));
            }
        }
        (Err(e), _) | (_, Err(e)) => error = Some(e),
    }
    if let Some(error) = error {
        ui.colored_label(ui.visuals().error_fg_color, error);
    }
    if (filter.from.is_some() || filter.to.is_some())
        && ui
            .small_button("Clear period")
            .on_hover_text("Show all dates (Esc on the timeline does the same)")
            .clicked()
    {
        commands.push(Command::SetTimeRange(None, None));
    }
}

fn section(ui: &mut egui::Ui, title: &str, active: usize, body: impl FnOnce(&mut egui::Ui)) {
    section_opened(ui, title, active, true, body);
}

/// A section open at first only when `open` (it keeps its state after that).
fn section_opened(
    ui: &mut egui::Ui,
    title: &str,
    active: usize,
    open: bool,
    body: impl FnOnce(&mut egui::Ui),
) {
    let heading = if active > 0 {
        format!("{title} \u{2022} {active} selected")
    } else {
        title.to_owned()
    };
    egui::CollapsingHeader::new(heading)
        .id_salt(title)
        .default_open(open)
        .show(ui, body);
}

fn toggle<T: Ord>(ui: &mut egui::Ui, set: &mut BTreeSet<T>, value: T, label: &str) {
    let mut checked = set.contains(&value);
    if ui.checkbox(&mut checked, label).changed() {
        if checked {
            set.insert(value);
        } else {
            set.remove(&value);
        }
    }
}
