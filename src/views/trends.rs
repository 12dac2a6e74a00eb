//! Trend views: the four charts of the CTC Sentinel article, from the filtered data. Every
//! number comes from `group_totals`, the function behind `khorasan-atlas stats --by`.
//! Clicking a bar or point narrows the filter; hovering highlights its incidents everywhere.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use egui::Color32;
use egui_plot::{Bar, BarChart, Line, Plot, PlotPoint, Points};

use crate::model::aggregate::{GroupBy, GroupKey, GroupTotal, group_totals};
use crate::model::caption::capitalise;
use crate::model::date::last_day_of_month;
use crate::model::{Hover, Incident, Kind, Measure, ProvinceKey};
use crate::state::{Command, TrendSettings};

use super::ViewContext;

/// Colours for up to eight stacked groups (ColorBrewer Set2 + grey for "other").
const GROUP_COLOURS: [Color32; 8] = [
    Color32::from_rgb(0x66, 0xc2, 0xa5),
    Color32::from_rgb(0xfc, 0x8d, 0x62),
    Color32::from_rgb(0x8d, 0xa0, 0xcb),
    Color32::from_rgb(0xe7, 0x8a, 0xc3),
    Color32::from_rgb(0xa6, 0xd8, 0x54),
    Color32::from_rgb(0xff, 0xd9, 0x2f),
    Color32::from_rgb(0xe5, 0xc4, 0x94),
    Color32::from_rgb(0x99, 0x99, 0x99),
];

const ATTACKS_COLOUR: Color32 = Color32::from_rgb(0xD5, 0x5E, 0x00);
const LOSSES_COLOUR: Color32 = Color32::from_rgb(0x00, 0x9E, 0x73);
/// The highlighted year of the seasonal profile; the others are grey context.
const HIGHLIGHT_COLOUR: Color32 = Color32::from_rgb(0xD5, 0x5E, 0x00);

/// "12", or "12.5" for a fraction.
fn format_value(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

/// What the user pointed at in a chart.
enum ChartPick {
    Year(i32),
    Month(i32, u32),
    Province(ProvinceKey),
}

impl ChartPick {
    fn matches(&self, incident: &Incident) -> bool {
        match self {
            Self::Year(year) => incident.date.year_value() == *year,
            Self::Month(year, month) => {
                incident.date.year_value() == *year && incident.date.month_value() == Some(*month)
            }
            Self::Province(province) => {
                incident.location.country_code == province.country_code
                    && incident.location.admin1 == province.name
            }
        }
    }

    fn narrow(&self, view: &ViewContext<'_>) -> Command {
        match self {
            Self::Year(year) => Command::SetTimeRange(
                NaiveDate::from_ymd_opt(*year, 1, 1),
                NaiveDate::from_ymd_opt(*year, 12, 31),
            ),
            Self::Month(year, month) => Command::SetTimeRange(
                NaiveDate::from_ymd_opt(*year, *month, 1),
                Some(last_day_of_month(*year, *month)),
            ),
            Self::Province(province) => {
                let mut filter = view.state.filter.clone();
                filter.provinces = [province.name.clone()].into();
                Command::SetFilter(filter)
            }
        }
    }
}

/// Which filtered incidents a total is over.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Subset {
    All,
    Year(i32),
    Kinds(Vec<Kind>),
}

/// Group totals already computed for the current filter: with a million incidents, grouping
/// them again every frame would not fit in a frame.
#[derive(Debug, Default)]
pub struct TrendsCache {
    generation: Option<u64>,
    totals: std::collections::HashMap<(GroupBy, Subset), BTreeMap<GroupKey, GroupTotal>>,
}

pub fn show(
    ui: &mut egui::Ui,
    view: &ViewContext<'_>,
    cache: &mut TrendsCache,
    commands: &mut Vec<Command>,
) {
    let settings = &view.state.trends;
    if cache.generation != Some(view.derived.generation) {
        cache.totals.clear();
        cache.generation = Some(view.derived.generation);
    }
    if view.presenting {
        // The slide's header carries the caption and its footer the source; the controls
        // are for the app.
        ui.label(
            egui::RichText::new(
                "Incidents known only to the year are left out of the monthly and seasonal \
                 charts.",
            )
            .small()
            .weak(),
        );
    } else {
        controls(ui, view, settings, commands);
    }

    let mut chart = Chart {
        view,
        cache,
        settings,
        hovered: None,
        clicked: None,
        edited: None,
    };
    // Four cells of exactly half the width and height left: each chart's title and legend
    // wrap inside its cell and its plot takes the rest, so no chart spills under the detail
    // panel or the timeline. Where two rows would be too short, one row of four (wide
    // slides); where that is too narrow too, the cells keep their least size and scroll.
    let gap = egui::vec2(12.0, 8.0);
    let available = ui.available_size_before_wrap();
    let cell_for = |columns: f32| {
        let rows = 4.0 / columns;
        egui::vec2(
            (available.x - (columns - 1.0) * gap.x) / columns,
            (available.y - (rows - 1.0) * gap.y) / rows,
        )
    };
    let fits = |cell: egui::Vec2| cell.x >= MIN_CELL.x && cell.y >= MIN_CELL.y;
    if fits(cell_for(2.0)) {
        chart_grid(ui, &mut chart, 2, cell_for(2.0), gap);
    } else if fits(cell_for(4.0)) {
        chart_grid(ui, &mut chart, 4, cell_for(4.0), gap);
    } else {
        egui::ScrollArea::vertical()
            .id_salt("trend_scroll")
            .show(ui, |ui| {
                let width = cell_for(2.0).x - ui.spacing().scroll.bar_width / 2.0;
                let cell = egui::vec2(width.max(MIN_CELL.x), MIN_CELL.y);
                chart_grid(ui, &mut chart, 2, cell, gap);
            });
    }

    // Lighting up a group elsewhere is skipped when it would be too many to mark.
    if let Some(target) = chart
        .hovered
        .filter(|_| view.derived.filtered.len() <= super::map::MAX_SYMBOLS)
    {
        let group: Vec<usize> = view
            .filtered_incidents()
            .filter(|(_, incident)| target.matches(incident))
            .map(|(index, _)| index)
            .collect();
        commands.push(Command::Hover(Hover::group(group)));
    }
    if let Some(target) = chart.clicked {
        commands.push(target.narrow(view));
    }
    if let Some(edited) = chart.edited {
        commands.push(Command::SetTrends(edited));
    }
}

/// The least size of a chart's cell: its title, legend and a plot whose axis labels fit.
const MIN_CELL: egui::Vec2 = egui::vec2(180.0, 180.0);

/// The measure and grouping chosen for the charts, and what they are drawn from.
fn controls(
    ui: &mut egui::Ui,
    view: &ViewContext<'_>,
    settings: &TrendSettings,
    commands: &mut Vec<Command>,
) {
    ui.horizontal_wrapped(|ui| {
        ui.heading("Trends");
        ui.label(egui::RichText::new(view.filter_caption()).weak());
        ui.separator();
        let mut edited = settings.clone();
        ui.label("Count:");
        ui.selectable_value(&mut edited.measure, Measure::Incidents, "incidents");
        ui.selectable_value(&mut edited.measure, Measure::Killed, "deaths");
        ui.separator();
        ui.label("Years stacked by:");
        ui.selectable_value(&mut edited.by_province, true, "province");
        ui.selectable_value(&mut edited.by_province, false, "country");
        if edited != *settings {
            commands.push(Command::SetTrends(edited));
        }
    });
    ui.label(
        egui::RichText::new(
            "From the incidents in this dataset (a curated set, not a complete count). \
             Click a bar or point to narrow the filter. Incidents known only to the year are \
             left out of the monthly and seasonal charts; `khorasan-atlas stats --by` prints \
             these numbers.",
        )
        .small()
        .weak(),
    );
}

/// The four charts in cells of the given size, `columns` to a row, from the cursor.
fn chart_grid(
    ui: &mut egui::Ui,
    chart: &mut Chart<'_>,
    columns: usize,
    cell: egui::Vec2,
    gap: egui::Vec2,
) {
    let origin = ui.cursor().min;
    let charts: [fn(&mut egui::Ui, &mut Chart<'_>); 4] = [
        yearly_stacked,
        province_totals,
        monthly_series,
        seasonal_profile,
    ];
    for (index, draw) in charts.into_iter().enumerate() {
        let min = origin
            + egui::vec2(
                (index % columns) as f32 * (cell.x + gap.x),
                (index / columns) as f32 * (cell.y + gap.y),
            );
        let rect = egui::Rect::from_min_size(min, cell);
        ui.scope_builder(
            egui::UiBuilder::new()
                .max_rect(rect)
                .layout(egui::Layout::top_down(egui::Align::Min))
                .id_salt(("trend_cell", index)),
            |ui| {
                // An axis label centred on the plot's edge may spill into the gap.
                ui.set_clip_rect(rect.expand2(gap / 2.0).intersect(ui.clip_rect()));
                draw(ui, chart);
            },
        );
    }
    let rows = 4_usize.div_ceil(columns);
    let size = egui::vec2(
        columns as f32 * cell.x + (columns - 1) as f32 * gap.x,
        rows as f32 * cell.y + (rows - 1) as f32 * gap.y,
    );
    ui.allocate_rect(
        egui::Rect::from_min_size(origin, size),
        egui::Sense::hover(),
    );
}

/// What every chart reads, and where it reports what the pointer did.
struct Chart<'a> {
    /// The filtered incidents are read only when the cache lacks a total.
    view: &'a ViewContext<'a>,
    cache: &'a mut TrendsCache,
    settings: &'a TrendSettings,
    hovered: Option<ChartPick>,
    clicked: Option<ChartPick>,
    /// Settings a chart's own control changed this frame.
    edited: Option<TrendSettings>,
}

impl Chart<'_> {
    /// Totals per group over a subset of the filtered incidents, computed once per filter.
    fn totals(&mut self, group_by: GroupBy, subset: Subset) -> BTreeMap<GroupKey, GroupTotal> {
        let view = self.view;
        self.cache
            .totals
            .entry((group_by, subset.clone()))
            .or_insert_with(|| {
                let chosen = view
                    .filtered_incidents()
                    .map(|(_, i)| i)
                    .filter(|i| match &subset {
                        Subset::All => true,
                        Subset::Year(year) => i.date.year_value() == *year,
                        Subset::Kinds(kinds) => kinds.contains(&i.kind),
                    });
                group_totals(group_by, chosen)
            })
            .clone()
    }
}

/// The height left in a chart's cell for its plot, once its title and legend are placed.
fn plot_height(ui: &egui::Ui) -> f32 {
    ui.available_height().max(80.0)
}

/// A chart that neither pans nor zooms: its axes are categories or a fixed range; it fills
/// what is left of its cell.
fn fixed_plot(id: &str, ui: &egui::Ui) -> Plot<'static> {
    Plot::new(id)
        .height(plot_height(ui))
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
}

fn chart_title(ui: &mut egui::Ui, title: &str) {
    ui.label(egui::RichText::new(title).strong());
}

/// A chart's legend as a row of swatches above it, so that it never covers the data. Each
/// entry is placed whole (its text wrapped within the row when longer than the row), so that
/// the row wraps between entries and never widens the chart's cell.
fn legend_row(ui: &mut egui::Ui, entries: &[(String, Color32)]) {
    ui.scope(|ui| {
        // Rows as tall as the small text, not as a button.
        ui.spacing_mut().item_spacing = egui::vec2(10.0, 2.0);
        ui.spacing_mut().interact_size.y = 14.0;
        ui.horizontal_wrapped(|ui| legend_entries(ui, entries));
    });
}

/// One legend entry per swatch and label, placed whole.
fn legend_entries(ui: &mut egui::Ui, entries: &[(String, Color32)]) {
    for (label, colour) in entries {
        super::style::legend_entry(ui, super::style::Swatch::Square, *colour, label);
    }
}

fn bar_interaction(
    response: &egui_plot::PlotResponse<Option<usize>>,
    targets: Vec<ChartPick>,
    hovered: &mut Option<ChartPick>,
    clicked: &mut Option<ChartPick>,
) {
    let Some(index) = response.inner else {
        return;
    };
    let mut targets = targets;
    if index >= targets.len() {
        return;
    }
    let target = targets.swap_remove(index);
    if response.response.clicked() {
        *clicked = Some(target);
    } else {
        *hovered = Some(target);
    }
}

/// Hover or click on a (year, month) point, encoded by the charts as `year * 100 + month`.
fn month_interaction(
    response: &egui_plot::PlotResponse<Option<usize>>,
    hovered: &mut Option<ChartPick>,
    clicked: &mut Option<ChartPick>,
) {
    if let Some(code) = response.inner {
        let target = ChartPick::Month((code / 100) as i32, (code % 100) as u32);
        if response.response.clicked() {
            *clicked = Some(target);
        } else {
            *hovered = Some(target);
        }
    }
}

/// Index of the bar under the pointer (bars at x = 0, 1, 2, ... or y for horizontal charts).
fn bar_under_pointer(
    plot_ui: &egui_plot::PlotUi<'_>,
    count: usize,
    horizontal: bool,
    heights: &[f64],
) -> Option<usize> {
    let pointer = plot_ui.pointer_coordinate()?;
    let (along, across) = if horizontal {
        (pointer.y, pointer.x)
    } else {
        (pointer.x, pointer.y)
    };
    let index = along.round();
    if index < 0.0 || (along - index).abs() > 0.4 {
        return None;
    }
    let index = index as usize;
    (index < count && across >= 0.0 && across <= heights[index].max(0.5)).then_some(index)
}

/// (a) Incidents or deaths per year, stacked by the biggest provinces or countries.
fn yearly_stacked(ui: &mut egui::Ui, chart: &mut Chart<'_>) {
    let settings = chart.settings;
    let group_by = if settings.by_province {
        GroupBy::Province
    } else {
        GroupBy::Country
    };
    chart_title(
        ui,
        &format!(
            "{} per year, by {}",
            capitalise(settings.measure.label()),
            group_by.label()
        ),
    );
    let years: Vec<i32> = chart
        .totals(GroupBy::Year, Subset::All)
        .into_keys()
        .filter_map(|key| match key {
            GroupKey::Year(year) => Some(year),
            _ => None,
        })
        .collect();
    // The five biggest groups keep their colour; the rest are "other".
    let mut overall: Vec<(GroupKey, f64)> = chart
        .totals(group_by, Subset::All)
        .into_iter()
        .map(|(key, total)| (key, settings.measure.of(&total) as f64))
        .collect();
    overall.sort_by(|a, b| b.1.total_cmp(&a.1));
    let named: Vec<GroupKey> = overall.iter().take(5).map(|(key, _)| key.clone()).collect();
    let mut per_year: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    for (year_index, year) in years.iter().enumerate() {
        for (key, total) in chart.totals(group_by, Subset::Year(*year)) {
            let slot = named.iter().position(|n| *n == key).unwrap_or(named.len());
            *per_year.entry((slot, year_index)).or_default() += settings.measure.of(&total) as f64;
        }
    }
    let mut totals = vec![0.0; years.len()];
    for ((_, year_index), value) in &per_year {
        totals[*year_index] += value;
    }
    let labels: Vec<String> = named
        .iter()
        .map(GroupKey::label)
        .chain(std::iter::once("Other".to_owned()))
        .collect();
    let year_labels = years.clone();
    let entries: Vec<(String, Color32)> = labels
        .iter()
        .enumerate()
        .filter(|(slot, _)| per_year.keys().any(|(s, _)| s == slot))
        .map(|(slot, label)| {
            (
                label.clone(),
                GROUP_COLOURS[slot.min(GROUP_COLOURS.len() - 1)],
            )
        })
        .collect();
    legend_row(ui, &entries);
    let response = fixed_plot("trend_yearly", ui)
        .include_y(0.0)
        .x_grid_spacer(egui_plot::uniform_grid_spacer(|_| [1.0, 5.0, 10.0]))
        .custom_x_axes(vec![
            egui_plot::AxisHints::new_x()
                .label_spacing(24.0..=30.0)
                .formatter(move |mark, _| {
                    let index = mark.value.round();
                    if (mark.value - index).abs() < 1e-6 && index >= 0.0 {
                        year_labels
                            .get(index as usize)
                            .map(ToString::to_string)
                            .unwrap_or_default()
                    } else {
                        String::new()
                    }
                }),
        ])
        .show(ui, |plot_ui| {
            let mut charts: Vec<BarChart> = Vec::new();
            for (slot, label) in labels.iter().enumerate() {
                let bars: Vec<Bar> = (0..years.len())
                    .map(|year_index| {
                        Bar::new(
                            year_index as f64,
                            per_year.get(&(slot, year_index)).copied().unwrap_or(0.0),
                        )
                        .width(0.7)
                        .name(format!("{} {label}", years[year_index]))
                    })
                    .collect();
                if bars.iter().all(|bar| bar.value == 0.0) {
                    continue;
                }
                let colour = GROUP_COLOURS[slot.min(GROUP_COLOURS.len() - 1)];
                let bars = bars
                    .into_iter()
                    .map(|bar| bar.fill(colour).stroke(egui::Stroke::NONE))
                    .collect();
                let below: Vec<&BarChart> = charts.iter().collect();
                let chart = BarChart::new(label.clone(), bars)
                    .color(colour)
                    .stack_on(&below);
                charts.push(chart);
            }
            for chart in charts {
                plot_ui.bar_chart(chart);
            }
            bar_under_pointer(plot_ui, years.len(), false, &totals)
        });
    let targets = years.iter().map(|&year| ChartPick::Year(year)).collect();
    bar_interaction(&response, targets, &mut chart.hovered, &mut chart.clicked);
}

/// (b) Totals per province, largest first (horizontal bars).
fn province_totals(ui: &mut egui::Ui, chart: &mut Chart<'_>) {
    let settings = chart.settings;
    // As many bars as can each carry a readable label (at most 15) in the height left once
    // the title and the note above the plot are placed.
    let text_row = ui.text_style_height(&egui::TextStyle::Body) + ui.spacing().item_spacing.y;
    let shown = (((ui.available_height() - 2.5 * text_row) / 22.0).floor() as usize).clamp(5, 15);
    chart_title(
        ui,
        &format!(
            "{} per province (top {shown})",
            capitalise(settings.measure.label())
        ),
    );
    ui.label(
        egui::RichText::new("Each bar: province, country, value")
            .small()
            .weak(),
    );
    let mut rows: Vec<(ProvinceKey, f64)> = chart
        .totals(GroupBy::Province, Subset::All)
        .into_iter()
        .filter_map(|(key, total)| match key {
            GroupKey::Province(province) => Some((province, settings.measure.of(&total) as f64)),
            _ => None,
        })
        .collect();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1));
    rows.truncate(shown);
    rows.reverse(); // largest at the top
    let heights: Vec<f64> = rows.iter().map(|row| row.1).collect();
    let largest = heights.iter().copied().fold(1.0, f64::max);
    let text_colour = ui.visuals().text_color();
    let response = fixed_plot("trend_provinces", ui)
        .include_x(0.0)
        // Room to the right of the longest bar for its label.
        .include_x(largest * 1.6)
        .include_y(-0.6)
        .include_y(rows.len() as f64 - 0.4)
        .show_grid([true, false])
        .show_axes([true, false])
        .show_y(false)
        .show(ui, |plot_ui| {
            let bars: Vec<Bar> = rows
                .iter()
                .enumerate()
                .map(|(index, (province, value))| {
                    Bar::new(index as f64, *value)
                        .width(0.7)
                        .name(format!("{}, {}", province.name, province.country_code))
                })
                .collect();
            let colour = Color32::from_rgb(0xfd, 0x8d, 0x3c);
            let bars = bars
                .into_iter()
                .map(|bar| bar.fill(colour).stroke(egui::Stroke::NONE))
                .collect();
            plot_ui.bar_chart(BarChart::new("provinces", bars).horizontal().color(colour));
            // Every bar carries its label, just past its end: none is left to the axis to
            // thin out.
            for (index, (province, value)) in rows.iter().enumerate() {
                let label = format!(
                    "{}, {}  {}",
                    province.name,
                    province.country_code,
                    format_value(*value)
                );
                plot_ui.text(
                    egui_plot::Text::new(
                        "province label",
                        PlotPoint::new(*value + largest * 0.02, index as f64),
                        egui::RichText::new(label).size(11.5).color(text_colour),
                    )
                    .anchor(egui::Align2::LEFT_CENTER),
                );
            }
            bar_under_pointer(plot_ui, heights.len(), true, &heights)
        });
    let targets = rows
        .iter()
        .map(|(province, _)| ChartPick::Province(province.clone()))
        .collect();
    bar_interaction(&response, targets, &mut chart.hovered, &mut chart.clicked);
}

/// (c) Attacks per month against counter-operations and leadership losses.
fn monthly_series(ui: &mut egui::Ui, chart: &mut Chart<'_>) {
    let settings = chart.settings;
    chart_title(
        ui,
        &format!(
            "{} per month: attacks against losses for ISK",
            capitalise(settings.measure.label())
        ),
    );
    let mut series = |kinds: &[Kind]| -> BTreeMap<(i32, u32), f64> {
        chart
            .totals(GroupBy::Month, Subset::Kinds(kinds.to_vec()))
            .into_iter()
            .filter_map(|(key, total)| match key {
                GroupKey::Month(year, month) => {
                    Some(((year, month), settings.measure.of(&total) as f64))
                }
                _ => None,
            })
            .collect()
    };
    let attacks = series(&[Kind::Attack]);
    let losses = series(&[Kind::CounterOperation, Kind::LeadershipLoss, Kind::Arrest]);
    let x_of = |(year, month): (i32, u32)| f64::from(year) + (f64::from(month) - 0.5) / 12.0;
    let to_points = |values: &BTreeMap<(i32, u32), f64>| -> Vec<[f64; 2]> {
        // Zero months drawn as zero, so the line does not bridge gaps.
        let (Some(first), Some(last)) = (values.keys().next(), values.keys().last()) else {
            return Vec::new();
        };
        let (mut year, mut month) = *first;
        let mut points = Vec::new();
        while (year, month) <= *last {
            points.push([
                x_of((year, month)),
                values.get(&(year, month)).copied().unwrap_or(0.0),
            ]);
            month += 1;
            if month > 12 {
                month = 1;
                year += 1;
            }
        }
        points
    };
    let months: Vec<(i32, u32)> = attacks.keys().chain(losses.keys()).copied().collect();
    legend_row(
        ui,
        &[
            ("Attacks".to_owned(), ATTACKS_COLOUR),
            (
                if losses.is_empty() {
                    "Losses for ISK: none in the filtered set".to_owned()
                } else {
                    "Losses for ISK (counter-operations, leadership losses, arrests)".to_owned()
                },
                LOSSES_COLOUR,
            ),
        ],
    );
    let response = Plot::new("trend_monthly")
        .height(plot_height(ui))
        .allow_drag(false)
        .allow_boxed_zoom(false)
        .include_y(0.0)
        .x_grid_spacer(egui_plot::uniform_grid_spacer(|_| [1.0 / 12.0, 1.0, 5.0]))
        .custom_x_axes(vec![
            egui_plot::AxisHints::new_x()
                .label_spacing(28.0..=36.0)
                .formatter(|mark, _| {
                    if (mark.value - mark.value.round()).abs() < 1e-6 {
                        format!("{:.0}", mark.value)
                    } else {
                        String::new()
                    }
                }),
        ])
        .show(ui, |plot_ui| {
            plot_ui.line(
                Line::new("Attacks", to_points(&attacks))
                    .color(ATTACKS_COLOUR)
                    .width(1.5),
            );
            plot_ui.line(
                Line::new("Losses for ISK", to_points(&losses))
                    .color(LOSSES_COLOUR)
                    .width(1.5),
            );
            let pointer = plot_ui.pointer_coordinate()?;
            let month_index = ((pointer.x - pointer.x.floor()) * 12.0).floor() as u32 + 1;
            let key = (pointer.x.floor() as i32, month_index.clamp(1, 12));
            months.contains(&key).then(|| {
                plot_ui.points(
                    Points::new("", vec![[x_of(key), 0.0]])
                        .radius(4.0)
                        .color(plot_ui.ctx().global_style().visuals.text_color()),
                );
                0
            })?;
            Some((key.0 as usize) * 100 + key.1 as usize)
        });
    month_interaction(&response, &mut chart.hovered, &mut chart.clicked);
}

/// (d) Seasonal profile: one line per year over the months of the year.
fn seasonal_profile(ui: &mut egui::Ui, chart: &mut Chart<'_>) {
    let settings = chart.settings;
    chart_title(
        ui,
        &format!(
            "Seasonal profile: {} by month of the year",
            settings.measure.label()
        ),
    );
    let years: Vec<i32> = chart
        .totals(GroupBy::Year, Subset::All)
        .into_keys()
        .filter_map(|key| match key {
            GroupKey::Year(year) => Some(year),
            _ => None,
        })
        .collect();
    // One year in colour over the others in grey: eleven coloured lines cannot be read.
    let highlight = settings
        .highlight_year
        .filter(|year| years.contains(year))
        .or_else(|| years.last().copied());
    let context = ui.visuals().weak_text_color().gamma_multiply(0.45);
    // Wrapped: a row wider than the cell would widen the plot past it.
    ui.horizontal_wrapped(|ui| {
        let (rect, _) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
        ui.painter().rect_filled(rect, 2.0, HIGHLIGHT_COLOUR);
        let label = ui.label(egui::RichText::new("Year").small());
        let mut chosen = highlight;
        egui::ComboBox::from_id_salt("seasonal_year")
            .selected_text(chosen.map_or_else(String::new, |year| year.to_string()))
            .width(70.0)
            .show_ui(ui, |ui| {
                for &year in years.iter().rev() {
                    ui.selectable_value(&mut chosen, Some(year), year.to_string());
                }
            })
            .response
            .labelled_by(label.id);
        let (rect, _) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
        ui.painter().rect_filled(rect, 2.0, context);
        ui.label(egui::RichText::new("the other years").small());
        if chosen != highlight {
            chart.edited = Some(TrendSettings {
                highlight_year: chosen,
                ..settings.clone()
            });
        }
    });
    let per_year: Vec<(i32, [f64; 12])> = years
        .iter()
        .map(|&year| {
            let mut values = [0.0; 12];
            for (key, total) in chart.totals(GroupBy::MonthOfYear, Subset::Year(year)) {
                if let GroupKey::MonthOfYear(month) = key {
                    values[month as usize - 1] = settings.measure.of(&total) as f64;
                }
            }
            (year, values)
        })
        .collect();
    let response = fixed_plot("trend_seasonal", ui)
        .include_y(0.0)
        .include_x(0.5)
        .include_x(12.5)
        .x_axis_formatter(|mark, _| {
            const MONTHS: [&str; 12] = [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ];
            let month = mark.value.round();
            if (mark.value - month).abs() < 1e-6 && (1.0..=12.0).contains(&month) {
                MONTHS[month as usize - 1].to_owned()
            } else {
                String::new()
            }
        })
        .x_grid_spacer(egui_plot::uniform_grid_spacer(|_| [1.0, 3.0, 12.0]))
        .show(ui, |plot_ui| {
            let points = |values: &[f64; 12]| -> Vec<[f64; 2]> {
                values
                    .iter()
                    .enumerate()
                    .map(|(month, value)| [month as f64 + 1.0, *value])
                    .collect()
            };
            // The context first, the highlighted year last so that it is drawn on top.
            for (year, values) in per_year.iter().filter(|(year, _)| Some(*year) != highlight) {
                plot_ui.line(
                    Line::new(year.to_string(), points(values))
                        .color(context)
                        .width(1.0),
                );
            }
            for (year, values) in per_year.iter().filter(|(year, _)| Some(*year) == highlight) {
                plot_ui.line(
                    Line::new(year.to_string(), points(values))
                        .color(HIGHLIGHT_COLOUR)
                        .width(2.5),
                );
            }
            // The nearest (year, month) point under the pointer, within a few points.
            let pointer = plot_ui.response().hover_pos()?;
            let transform = *plot_ui.transform();
            per_year
                .iter()
                .flat_map(|(year, values)| {
                    values.iter().enumerate().map(move |(month, value)| {
                        (
                            *year,
                            month as u32 + 1,
                            PlotPoint::new(month as f64 + 1.0, *value),
                        )
                    })
                })
                .map(|(year, month, point)| {
                    (
                        year,
                        month,
                        transform.position_from_point(&point).distance(pointer),
                    )
                })
                .filter(|(_, _, distance)| *distance < 6.0)
                .min_by(|a, b| a.2.total_cmp(&b.2))
                .map(|(year, month, _)| (year as usize) * 100 + month as usize)
        });
    month_interaction(&response, &mut chart.hovered, &mut chart.clicked);
}
