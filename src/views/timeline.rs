//! The timeline: incidents per month (stacked by kind or attribution) above a strip with
//! every incident as a marker (height = deaths on a log scale). Dragging brushes a period
//! that becomes the filter's date range; the x axes of both plots are linked.

use chrono::{Datelike as _, NaiveDate};
use egui::Color32;
use egui_plot::{Bar, BarChart, GridInput, GridMark, Line, Plot, PlotPoint, Points, Span, VLine};

use crate::model::aggregate::{Category, month_of_index};
use crate::model::date::{date_from_day_number, day_number, last_day_of_month};
use crate::model::{DatePrecision, Hover, Incident};
use crate::state::Command;

use super::ViewContext;
use super::style::{self, MarkerShape};

/// State that lives across frames: the brush being dragged.
#[derive(Debug, Default)]
pub struct TimelineState {
    /// Day where the current drag started, while brushing.
    brush_start: Option<f64>,
}

/// Where an incident sits on the marker strip, in plot coordinates.
struct Mark {
    index: usize,
    /// Inside the filter's period (drawn in full colour) or only context (dimmed).
    in_period: bool,
    first: f64,
    last: f64,
    y: f64,
}

/// The most incidents marked one by one on the timeline: the scan lists the timeline's set
/// only up to this many.
pub const MAX_MARKERS: usize = crate::model::columns::TIMELINE_LIST_LIMIT;

/// Height of incidents with an unknown toll: a band below zero labelled "?".
const UNKNOWN_Y: f64 = -0.35;

/// Row of a category in lane mode: the first category on top.
fn lane_y(category: Category) -> f64 {
    -(category.ordinal() as f64)
}

/// First word of a label, for the narrow lane axis ("Counter-operation", "Claimed").
fn short_label(label: &str) -> String {
    label.split([' ', '/']).next().unwrap_or(label).to_owned()
}

fn killed_y(incident: &Incident) -> f64 {
    incident
        .killed
        .max()
        .map_or(UNKNOWN_Y, |killed| (1.0 + f64::from(killed)).log10())
}

/// One marker per incident of the timeline's set. Past [`MAX_MARKERS`], one marker per
/// incident is unreadable and slow, and the scan lists no incidents (only counts them): then
/// there are none, and the histogram counts.
fn marks(view: &ViewContext<'_>) -> Vec<Mark> {
    let lanes = view.state.timeline_lanes;
    let marked: &[usize] = view.derived.timeline.as_deref().unwrap_or(&[]);
    // In the period: in the filtered set the scan gave (both lists ascending), rather than
    // the whole filter tested again on every marker every frame.
    let filtered = &view.derived.filtered;
    marked
        .iter()
        .map(|&index| {
            let incident = view.incident(index);
            let (first, last) = incident.date.span();
            Mark {
                index,
                in_period: filtered.binary_search(&index).is_ok(),
                first: f64::from(first),
                last: f64::from(last) + 1.0,
                y: if lanes {
                    lane_y(Category::of(view.state.stack_by, incident))
                } else {
                    killed_y(incident)
                },
            }
        })
        .collect()
}

impl TimelineState {
    pub fn show(&mut self, ui: &mut egui::Ui, view: &ViewContext<'_>, commands: &mut Vec<Command>) {
        header(ui, view, commands);

        let lanes = view.state.timeline_lanes;
        let too_many = view.derived.timeline.is_none();
        let marks = marks(view);

        let (x_min, x_max) = data_extent(view);
        let link = egui::Id::unique("timeline_x");
        let available = ui.available_height();
        let histogram_height = (available * 0.55).max(60.0);
        let hint = "Drag to select a period \u{b7} scroll to pan \u{b7} Ctrl+scroll to zoom \u{b7} double-click to reset";

        let histogram_response = time_plot("histogram", link, (x_min, x_max))
            .height(histogram_height)
            .include_y(0.0)
            .show_x(false)
            .y_axis_label("per month")
            .y_axis_min_width(52.0)
            .x_grid_spacer(date_grid)
            .custom_x_axes(date_axis())
            .label_formatter(|hover| {
                let (egui_plot::HoverPosition::NearDataPoint { position, .. }
                | egui_plot::HoverPosition::Elsewhere { position }) = hover;
                Some(format_day(position.x))
            })
            .show(ui, |plot_ui| {
                for chart in stacked_bars(view) {
                    plot_ui.bar_chart(chart);
                }
                super::notes::timeline_note_lines(plot_ui, view);
                self.brush(plot_ui, view, commands);
            });

        if let Some(series) = view
            .state
            .reported_series
            .as_deref()
            .and_then(|id| view.dataset.reported_series.iter().find(|s| s.id == id))
        {
            reported_plot(ui, view, series, link, (x_min, x_max));
        }

        super::notes::timeline_note_labels(ui, view, &histogram_response.transform);

        let mut hovered = None;
        let stack_by = view.state.stack_by;
        let lane_count = Category::all(stack_by).len() as f64;
        let markers = time_plot("markers", link, (x_min, x_max))
            .height(ui.available_height().max(60.0))
            .show_x(false)
            .show_y(false)
            .y_axis_min_width(52.0)
            .x_grid_spacer(date_grid);
        // Lanes: one row per category instead of height by deaths.
        let markers = if lanes {
            markers
                .include_y(0.5)
                .include_y(-lane_count + 0.5)
                .y_axis_label("lanes")
                .y_grid_spacer(move |_| {
                    (0..lane_count as i32)
                        .map(|lane| GridMark {
                            value: -f64::from(lane),
                            step_size: 1.0,
                        })
                        .collect()
                })
                .y_axis_formatter(move |mark, _| {
                    let lane = (-mark.value).round() as usize;
                    Category::all(stack_by)
                        .get(lane)
                        .map(|category| short_label(category.label()))
                        .unwrap_or_default()
                })
        } else {
            markers
                .include_y(UNKNOWN_Y - 0.3)
                .include_y(2.8)
                .y_axis_label("killed (log)")
                .y_grid_spacer(killed_grid)
                .y_axis_formatter(|mark, _| format_killed_mark(mark.value))
        };
        let marker_response = markers.custom_x_axes(date_axis()).show(ui, |plot_ui| {
            draw_marks(plot_ui, view, &marks);
            self.brush(plot_ui, view, commands);
            hovered = nearest_mark(plot_ui, &marks);
        });
        let response = marker_response.response;
        if too_many {
            ui.painter().text(
                response.rect.center(),
                egui::Align2::CENTER_CENTER,
                format!(
                    "{} incidents: too many to mark one by one (over {}).\nThe histogram above counts them all; narrow the filter to see markers.",
                    view.derived.timeline_count,
                    MAX_MARKERS
                ),
                egui::FontId::proportional(13.0),
                ui.visuals().weak_text_color(),
            );
        }
        let response = response.on_hover_text_at_pointer(hint);
        let _ = histogram_response.response.on_hover_text_at_pointer(hint);

        if let Some(index) = hovered {
            commands.push(Command::Hover(Hover::One(index)));
            let incident = view.incident(index);
            response
                .clone()
                .on_hover_ui_at_pointer(|ui| incident_tooltip(ui, incident));
            if response.clicked() {
                commands.push(Command::Select(Some(index)));
            }
        }
    }

    /// Brush a period by dragging: a live span while dragging, the filter range once released.
    fn brush(
        &mut self,
        plot_ui: &mut egui_plot::PlotUi<'_>,
        view: &ViewContext<'_>,
        commands: &mut Vec<Command>,
    ) {
        let response = plot_ui.response().clone();
        let pointer_x = plot_ui.pointer_coordinate().map(|p| p.x);
        if response.drag_started_by(egui::PointerButton::Primary) {
            self.brush_start = pointer_x;
        }
        if let (Some(start), Some(x)) = (self.brush_start, pointer_x) {
            plot_ui.span(
                Span::new("brush", start.min(x)..=start.max(x))
                    .fill(Color32::from_rgba_unmultiplied(120, 160, 255, 50))
                    .border_color(Color32::from_rgb(120, 160, 255)),
            );
            if response.drag_stopped() {
                self.brush_start = None;
                let (a, b) = (start.min(x), start.max(x));
                if b - a >= 1.0 {
                    commands.push(Command::SetTimeRange(
                        date_from_day_number(a.floor() as i32),
                        date_from_day_number(b.floor() as i32),
                    ));
                }
            }
        } else if !response.dragged() {
            self.brush_start = None;
        }
        let filter = &view.state.filter;
        if filter.from.is_some() || filter.to.is_some() {
            let (from, to) = filter.day_range();
            let (x_min, x_max) = data_extent(view);
            let from = from.map_or(x_min, f64::from);
            let to = to.map_or(x_max, |t| f64::from(t) + 1.0);
            plot_ui.span(
                Span::new("Selected period", from..=to)
                    .fill(Color32::from_rgba_unmultiplied(255, 200, 60, 28))
                    .border_color(Color32::from_rgb(230, 170, 40))
                    .border_width(1.5),
            );
        }
        if let Some(index) = view.selected
            && index < view.dataset.incidents.len()
        {
            let (first, last) = view.incident(index).date.span();
            let middle = (f64::from(first) + f64::from(last) + 1.0) / 2.0;
            plot_ui.vline(
                VLine::new("Selected incident", middle)
                    .color(plot_ui_text_colour(plot_ui))
                    .style(egui_plot::LineStyle::dashed_loose())
                    .width(1.0),
            );
        }
    }
}

/// Play, step, speed, window, loop and "go to": the campaign unfolding month by month.
fn playback_controls(ui: &mut egui::Ui, view: &ViewContext<'_>, commands: &mut Vec<Command>) {
    use crate::model::playback::PlaybackWindow;
    use crate::state::PlaybackAction;
    use crate::state::UiCommand;
    let playback = &view.state.playback;
    let ctx = ui.ctx().clone();
    if ui
        .button("\u{23f4}")
        .on_hover_text(UiCommand::StepBack.tooltip(&ctx))
        .clicked()
    {
        commands.push(Command::Ui(UiCommand::StepBack));
    }
    let play_label = if playback.playing { "Pause" } else { "Play" };
    if ui
        .button(play_label)
        .on_hover_text(UiCommand::PlayPause.tooltip(&ctx))
        .clicked()
    {
        commands.push(Command::Ui(UiCommand::PlayPause));
    }
    if ui
        .button("\u{23f5}")
        .on_hover_text(UiCommand::StepForward.tooltip(&ctx))
        .clicked()
    {
        commands.push(Command::Ui(UiCommand::StepForward));
    }
    let speeds = [
        (0.25, "1 month / 4 s"),
        (0.5, "1 month / 2 s"),
        (1.0, "1 month / s"),
        (2.0, "2 months / s"),
        (4.0, "4 months / s"),
        (12.0, "1 year / s"),
    ];
    let speed_label = speeds
        .iter()
        .find(|(speed, _)| (*speed - playback.months_per_second).abs() < 1e-9)
        .map_or("custom", |(_, label)| label);
    egui::ComboBox::from_id_salt("playback_speed")
        .selected_text(speed_label)
        .width(104.0)
        .show_ui(ui, |ui| {
            for (speed, label) in speeds {
                if ui
                    .selectable_label((speed - playback.months_per_second).abs() < 1e-9, label)
                    .clicked()
                {
                    commands.push(Command::Playback(PlaybackAction::SetSpeed(speed)));
                }
            }
        })
        .response
        .on_hover_text("Playback speed");
    let windows = [
        PlaybackWindow::Moving { months: 1 },
        PlaybackWindow::Moving { months: 3 },
        PlaybackWindow::Moving { months: 6 },
        PlaybackWindow::Moving { months: 12 },
        PlaybackWindow::Cumulative,
    ];
    egui::ComboBox::from_id_salt("playback_window")
        .selected_text(playback.window.label())
        .width(110.0)
        .show_ui(ui, |ui| {
            for window in windows {
                if ui
                    .selectable_label(window == playback.window, window.label())
                    .clicked()
                {
                    commands.push(Command::Playback(PlaybackAction::SetWindow(window)));
                }
            }
        })
        .response
        .on_hover_text("The period shown while playing: a moving window or everything so far");
    let mut looping = playback.looping;
    if ui.checkbox(&mut looping, "Loop").changed() {
        commands.push(Command::Playback(PlaybackAction::SetLooping(looping)));
    }
    // "Go to" a month: typed as YYYY-MM, applied on Enter.
    let id = ui.make_persistent_id("playback_jump");
    let mut text: String = ui.data_mut(|data| data.get_temp(id).unwrap_or_default());
    let label = ui.label("Go to");
    let response = ui
        .add(
            egui::TextEdit::singleline(&mut text)
                .hint_text("YYYY-MM")
                .desired_width(62.0),
        )
        .labelled_by(label.id);
    if response.lost_focus() && ui.input(|input| input.key_pressed(egui::Key::Enter)) {
        match text.trim().parse::<crate::model::IncidentDate>() {
            Ok(date) => commands.push(Command::Playback(PlaybackAction::JumpTo(
                date.year_value(),
                date.month_value().unwrap_or(1),
            ))),
            Err(_) => {
                response.on_hover_text("Type a month as YYYY-MM, e.g. 2021-08");
            }
        }
    }
    ui.data_mut(|data| data.insert_temp(id, text));
}

/// A checkbox and a chooser for the published totals drawn under the histogram.
fn reported_switch(ui: &mut egui::Ui, view: &ViewContext<'_>, commands: &mut Vec<Command>) {
    let all = &view.dataset.reported_series;
    if all.is_empty() {
        return;
    }
    let current = view.state.reported_series.clone();
    let mut shown = current.is_some();
    if ui
        .checkbox(&mut shown, "Reported totals")
        .on_hover_text(
            "Totals published by a source (e.g. ISK-claimed attacks per year). \
             They are not counts of the incidents in this dataset.",
        )
        .changed()
    {
        commands.push(Command::ShowReportedSeries(
            shown.then(|| all[0].id.clone()),
        ));
    }
    if let Some(id) = current {
        let label = all
            .iter()
            .find(|s| s.id == id)
            .map_or("choose a series", |s| s.label.as_str());
        egui::ComboBox::from_id_salt("reported_series")
            .selected_text(label)
            .width(260.0)
            .show_ui(ui, |ui| {
                for series in all {
                    if ui
                        .selectable_label(series.id == id, &series.label)
                        .clicked()
                    {
                        commands.push(Command::ShowReportedSeries(Some(series.id.clone())));
                    }
                }
            });
    }
}

/// The chosen reported series as bars spanning their periods, on their own scale, with a
/// caption saying plainly that they are published totals, not this dataset's counts.
fn reported_plot(
    ui: &mut egui::Ui,
    view: &ViewContext<'_>,
    series: &crate::model::ReportedSeries,
    link: egui::Id,
    (x_min, x_max): (f64, f64),
) {
    let source = view
        .dataset
        .source(&series.source)
        .map_or_else(|| series.source.to_string(), |s| s.publisher.clone());
    ui.label(
        egui::RichText::new(format!(
            "Reported totals, {} per period, from {source}: published figures, not counts of the incidents in this dataset",
            series.unit
        ))
        .small()
        .color(ui.visuals().warn_fg_color),
    );
    let colour = ui.visuals().text_color().gamma_multiply(0.6);
    let bars: Vec<Bar> = series
        .points
        .iter()
        .map(|point| {
            let (first, last) = point.period.span();
            let (start, end) = (f64::from(first), f64::from(last) + 1.0);
            Bar::new((start + end) / 2.0, point.value)
                .width((end - start) * 0.96)
                .name(format!("{}: {} {}", point.period, point.value, series.unit))
        })
        .collect();
    time_plot("reported", link, (x_min, x_max))
        .height(70.0)
        .include_y(0.0)
        .y_axis_min_width(52.0)
        .x_grid_spacer(date_grid)
        .custom_x_axes(date_axis())
        .show(ui, |plot_ui| {
            plot_ui.bar_chart(
                BarChart::new(series.label.clone(), bars)
                    .color(colour)
                    .element_formatter(Box::new(|bar, _| bar.name.clone())),
            );
        });
}

fn plot_ui_text_colour(plot_ui: &egui_plot::PlotUi<'_>) -> Color32 {
    plot_ui.ctx().global_style().visuals.text_color()
}

fn header(ui: &mut egui::Ui, view: &ViewContext<'_>, commands: &mut Vec<Command>) {
    if view.presenting {
        // On a slide: the legend only.
        ui.horizontal_wrapped(|ui| legend(ui, view));
        return;
    }
    // Two wrapped rows: an unwrapped row would widen the panel and push the plots under the
    // side panel. First the time controls, then the display options and the legend.
    ui.horizontal_wrapped(|ui| {
        let year_only = view.derived.histogram.year_only;
        ui.label(egui::RichText::new("Timeline").strong())
            .on_hover_text(format!(
                "Top: incidents per month. Bottom: each incident, height = deaths (log scale), \
                 ? = unknown toll. Incidents known only to a month or a year span it. \
                 {year_only} incident(s) known only to the year are not in the monthly bars."
            ));
        playback_controls(ui, view, commands);
        ui.separator();
        let filter = &view.state.filter;
        if filter.from.is_some() || filter.to.is_some() {
            let show = |d: Option<NaiveDate>| {
                d.map_or_else(
                    || "\u{2026}".to_owned(),
                    |d| d.format("%-d %b %Y").to_string(),
                )
            };
            ui.label(format!(
                "{} \u{2013} {}",
                show(filter.from),
                show(filter.to)
            ));
            if ui.small_button("Clear period").clicked() {
                commands.push(Command::SetTimeRange(None, None));
            }
        }
    });
    ui.horizontal_wrapped(|ui| {
        let mut lanes = view.state.timeline_lanes;
        if ui
            .checkbox(&mut lanes, "Lanes")
            .on_hover_text("One row per category instead of height by deaths")
            .changed()
        {
            commands.push(Command::SetTimelineLanes(lanes));
        }
        reported_switch(ui, view, commands);
        ui.separator();
        legend(ui, view);
    });
}

/// Colour legend of the active category; shapes are explained in the map legend.
pub fn legend(ui: &mut egui::Ui, view: &ViewContext<'_>) {
    ui.spacing_mut().item_spacing.x = 3.0;
    for category in Category::all(view.state.stack_by) {
        if !view.legend_lists(category) {
            continue;
        }
        let shape = match category {
            Category::Attribution(a) => MarkerShape::of(a),
            Category::Kind(_) => MarkerShape::Circle,
        };
        // Swatch and label move to the next row together ("Other / milestone").
        style::legend_entry(
            ui,
            style::Swatch::Marker(shape),
            style::category_colour(category),
            category.label(),
        );
        ui.add_space(4.0);
    }
}

fn stacked_bars(view: &ViewContext<'_>) -> Vec<BarChart> {
    let histogram = &view.derived.histogram;
    let (from, to) = view.state.filter.day_range();
    let in_period = |start: f64, end: f64| {
        from.is_none_or(|from| end > f64::from(from)) && to.is_none_or(|to| start <= f64::from(to))
    };
    let mut charts: Vec<BarChart> = Vec::new();
    for category in Category::all(histogram.stack_by) {
        // Every chart has one bar per month in the same order: egui_plot stacks bar i of a
        // chart on bar i of the charts below it.
        let bars: Vec<Bar> = histogram
            .bins
            .iter()
            .filter_map(|(&month, counts)| {
                let count = counts.get(&category).copied().unwrap_or(0);
                let (year, month_number) = month_of_index(month);
                let first = NaiveDate::from_ymd_opt(year, month_number, 1)?;
                let last = last_day_of_month(year, month_number);
                let start = f64::from(day_number(first));
                let end = f64::from(day_number(last)) + 1.0;
                let colour = style::category_colour(category);
                Some(
                    Bar::new((start + end) / 2.0, f64::from(count))
                        .width((end - start) * 0.9)
                        .fill(if in_period(start, end) {
                            colour
                        } else {
                            colour.gamma_multiply(0.3)
                        })
                        .stroke(egui::Stroke::NONE)
                        .name(format!("{} {}", first.format("%b %Y"), category.label())),
                )
            })
            .collect();
        if bars.iter().all(|bar| bar.value == 0.0) {
            continue;
        }
        let colour = style::category_colour(category);
        let label = category.label();
        let chart = BarChart::new(label, bars)
            .color(colour)
            .element_formatter(Box::new(move |bar, _| {
                format!("{}: {}", bar.name, bar.value)
            }));
        let below: Vec<&BarChart> = charts.iter().collect();
        let chart = chart.stack_on(&below);
        charts.push(chart);
    }
    charts
}

fn draw_marks(plot_ui: &mut egui_plot::PlotUi<'_>, view: &ViewContext<'_>, marks: &[Mark]) {
    let stack_by = view.state.stack_by;
    let dark = plot_ui.ctx().global_style().visuals.dark_mode;
    // Marks outside the filter's period are context: drawn, but faint.
    let colour_of = |in_period: bool, category: Category| {
        let colour = style::category_colour(category);
        if in_period {
            colour
        } else {
            colour.gamma_multiply(0.3)
        }
    };
    // Spans first, so markers sit on top of them.
    for mark in marks {
        let incident = view.incident(mark.index);
        if incident.date.precision() == DatePrecision::Day {
            continue;
        }
        let colour = colour_of(mark.in_period, Category::of(stack_by, incident));
        plot_ui.line(
            Line::new("", vec![[mark.first, mark.y], [mark.last, mark.y]])
                .color(colour.gamma_multiply(0.8))
                .width(3.0)
                .allow_hover(false),
        );
    }
    // One Points item per colour, shape and size keeps the number of plot items small.
    type Group = (Category, MarkerShape, u32, bool);
    let mut groups: std::collections::BTreeMap<Group, Vec<[f64; 2]>> = Default::default();
    for mark in marks {
        let incident = view.incident(mark.index);
        let radius_tenths = (style::marker_radius(incident.killed.max()) * 8.0) as u32;
        groups
            .entry((
                Category::of(stack_by, incident),
                MarkerShape::of(incident.attribution),
                radius_tenths,
                mark.in_period,
            ))
            .or_default()
            .push([(mark.first + mark.last) / 2.0, mark.y]);
    }
    for ((category, shape, radius_tenths, in_period), points) in groups {
        plot_ui.points(
            Points::new(category.label(), points)
                .color(colour_of(in_period, category))
                .shape(shape.plot_shape())
                .radius(radius_tenths as f32 / 10.0)
                .filled(true)
                .allow_hover(false),
        );
    }
    // Highlights: hovered (in any view, or in a hovered map cluster) and selected.
    for mark in marks {
        let highlight = view.highlight(mark.index);
        if highlight == crate::model::selection::Highlight::None {
            continue;
        }
        let selected = highlight == crate::model::selection::Highlight::Selected;
        let incident = view.incident(mark.index);
        plot_ui.points(
            Points::new("highlight", vec![[(mark.first + mark.last) / 2.0, mark.y]])
                .color(style::highlight_stroke(dark, selected).color)
                .shape(MarkerShape::of(incident.attribution).plot_shape())
                .radius(style::marker_radius(incident.killed.max()) + 3.0)
                .filled(false)
                .allow_hover(false),
        );
    }
}

/// The incident whose marker (or date span) is nearest the pointer, within a few points.
fn nearest_mark(plot_ui: &egui_plot::PlotUi<'_>, marks: &[Mark]) -> Option<usize> {
    let pointer = plot_ui.response().hover_pos()?;
    let transform = plot_ui.transform();
    marks
        .iter()
        .filter_map(|mark| {
            let left = transform.position_from_point(&PlotPoint::new(mark.first, mark.y));
            let right = transform.position_from_point(&PlotPoint::new(mark.last, mark.y));
            let x = pointer
                .x
                .clamp(left.x.min(right.x - 0.1), right.x.max(left.x + 0.1));
            let distance = pointer.distance(egui::pos2(x, left.y));
            (distance <= 8.0).then_some((distance, mark.index))
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, index)| index)
}

pub fn incident_tooltip(ui: &mut egui::Ui, incident: &Incident) {
    ui.label(egui::RichText::new(incident.location.place.as_str()).strong());
    ui.label(format!(
        "{} \u{b7} {}, {}",
        incident.date.display_long(),
        if incident.location.admin1.is_empty() {
            "province unknown"
        } else {
            &incident.location.admin1
        },
        incident.location.country
    ));
    ui.label(format!(
        "{} \u{b7} {}",
        incident.kind.label(),
        incident.attribution.label()
    ));
    ui.label(format!(
        "Killed: {} \u{b7} injured: {}",
        incident.killed.display(),
        incident.injured.display()
    ));
    if !incident.discrepancies.is_empty() {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            "Sources disagree: see the detail panel",
        );
    }
    ui.label(
        egui::RichText::new("Click to read the full record")
            .small()
            .weak(),
    );
}

/// The x range to show: the months the data covers, with a little margin.
fn data_extent(view: &ViewContext<'_>) -> (f64, f64) {
    let (first, last) = view.month_span;
    let day_of = |month| {
        let (year, month) = month_of_index(month);
        NaiveDate::from_ymd_opt(year, month, 1).map_or(0.0, |date| f64::from(day_number(date)))
    };
    (day_of(first) - 30.0, day_of(last + 1) + 30.0)
}

/// Grid lines on calendar boundaries: years, and months when zoomed in far enough.
fn date_grid(input: GridInput) -> Vec<GridMark> {
    let (min, max) = input.bounds;
    let (Some(first), Some(last)) = (
        date_from_day_number(min.floor() as i32),
        date_from_day_number(max.ceil() as i32),
    ) else {
        return Vec::new();
    };
    let years = f64::from(last.year() - first.year() + 1);
    let mut marks = Vec::new();
    let month_step: u32 = if years <= 3.0 {
        1
    } else if years <= 8.0 {
        3
    } else {
        12
    };
    let mut year = first.year();
    let mut month = 1;
    while let Some(date) = NaiveDate::from_ymd_opt(year, month, 1) {
        if date > last {
            break;
        }
        if date >= first {
            let step = if month == 1 {
                365.0
            } else {
                30.0 * f64::from(month_step)
            };
            marks.push(GridMark {
                value: f64::from(day_number(date)),
                step_size: step,
            });
        }
        month += month_step;
        if month > 12 {
            month = 1;
            year += 1;
        }
    }
    marks
}

/// A plot on the shared, linked date axis: dragging brushes (no pan), scrolling pans and
/// Ctrl+scroll zooms along time only.
fn time_plot(id: &str, link: egui::Id, (x_min, x_max): (f64, f64)) -> Plot<'static> {
    Plot::new(id)
        .link_axis(link, [true, false])
        .link_cursor(link, [true, false])
        .allow_drag(false)
        .allow_boxed_zoom(false)
        .allow_zoom([true, false])
        .allow_scroll([true, false])
        .include_x(x_min)
        .include_x(x_max)
}

/// A date axis whose year labels still show when years are only ~30 points apart.
fn date_axis() -> Vec<egui_plot::AxisHints<'static>> {
    vec![
        egui_plot::AxisHints::new_x()
            .label_spacing(30.0..=45.0)
            .formatter(|mark, _| format_date_mark(mark)),
    ]
}

fn format_date_mark(mark: GridMark) -> String {
    match date_from_day_number(mark.value.round() as i32) {
        Some(date) if date.month() == 1 => date.format("%Y").to_string(),
        Some(date) => date.format("%b").to_string(),
        None => String::new(),
    }
}

fn format_day(x: f64) -> String {
    date_from_day_number(x.floor() as i32)
        .map(|d| d.format("%-d %b %Y").to_string())
        .unwrap_or_default()
}

fn killed_grid(_input: GridInput) -> Vec<GridMark> {
    [0.0_f64, 1.0, 10.0, 100.0, 1000.0]
        .into_iter()
        .map(|killed| GridMark {
            value: (1.0 + killed).log10(),
            step_size: 1.0,
        })
        .chain(std::iter::once(GridMark {
            value: UNKNOWN_Y,
            step_size: 1.0,
        }))
        .collect()
}

fn format_killed_mark(value: f64) -> String {
    if value < -0.1 {
        "?".to_owned()
    } else {
        format!("{:.0}", 10f64.powf(value) - 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_grid_marks_years_over_a_decade() {
        let min = f64::from(day_number(NaiveDate::from_ymd_opt(2015, 1, 1).unwrap()));
        let max = f64::from(day_number(NaiveDate::from_ymd_opt(2024, 12, 31).unwrap()));
        let marks = date_grid(GridInput {
            bounds: (min, max),
            base_step_size: 1.0,
        });
        assert_eq!(marks.len(), 10);
        assert_eq!(format_date_mark(marks[0]), "2015");
    }

    #[test]
    fn killed_axis_labels_undo_the_log() {
        assert_eq!(format_killed_mark((1.0f64 + 100.0).log10()), "100");
        assert_eq!(format_killed_mark(UNKNOWN_Y), "?");
    }

    /// The timeline panel alone, on a hand-built view context.
    mod panel {
        use super::super::super::test_context::TestView;
        use super::*;
        use crate::state::PersistedState;
        use egui_kittest::Harness;
        use egui_kittest::kittest::Queryable as _;

        #[test]
        fn markers_are_dimmed_outside_the_period_and_stack_in_lanes() {
            let mut state = PersistedState::default();
            state.filter.from = NaiveDate::from_ymd_opt(2021, 1, 1);
            state.filter.to = NaiveDate::from_ymd_opt(2021, 12, 31);
            let mut test = TestView::embedded(state);
            let by_toll = marks(&test.context());
            // Every incident of the timeline's set is marked, those of 2021 in full colour.
            let listed = test.derived.timeline.clone().expect("few enough to list");
            assert_eq!(by_toll.len(), listed.len());
            assert!(by_toll.len() > test.derived.filtered.len());
            for mark in &by_toll {
                let incident = &test.dataset.incidents[mark.index];
                assert_eq!(mark.in_period, test.state.filter.matches(incident));
                assert_eq!(mark.y, killed_y(incident));
            }
            assert_eq!(
                by_toll.iter().filter(|m| m.in_period).count(),
                test.derived.filtered.len()
            );
            // Lanes: one row per category of the colour, the first on top.
            test.state.timeline_lanes = true;
            let in_lanes = marks(&test.context());
            let categories = Category::all(test.state.stack_by);
            for mark in &in_lanes {
                let incident = &test.dataset.incidents[mark.index];
                let category = Category::of(test.state.stack_by, incident);
                let lane = categories.iter().position(|c| *c == category).unwrap();
                assert_eq!(mark.y, -(lane as f64));
            }
            assert!(
                in_lanes.iter().any(|m| m.y < -0.5),
                "more than one lane used"
            );
        }

        #[test]
        fn dragging_across_the_markers_asks_for_that_period() {
            let test = TestView::embedded(PersistedState::default());
            let mut timeline = TimelineState::default();
            let mut commands = Vec::new();
            let mut harness = Harness::builder()
                .with_size(egui::vec2(1000.0, 260.0))
                .build_ui(|ui| timeline.show(ui, &test.context(), &mut commands));
            harness.run();
            // On the histogram, below the header.
            let header = harness.get_by_label("Lanes").rect();
            let start = egui::pos2(300.0, header.max.y + 60.0);
            harness.drag_at(start);
            harness.run();
            for step in 1..=4 {
                harness.hover_at(start + egui::vec2(50.0 * step as f32, 0.0));
                harness.run();
            }
            harness.drop_at(start + egui::vec2(200.0, 0.0));
            harness.run();
            drop(harness);
            let Some(Command::SetTimeRange(Some(from), Some(to))) = commands
                .iter()
                .find(|command| matches!(command, Command::SetTimeRange(..)))
                .cloned()
            else {
                panic!("a drag sets the period: {commands:?}")
            };
            assert!(from < to, "{from} .. {to}");
        }
    }
}
