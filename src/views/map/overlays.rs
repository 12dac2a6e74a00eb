//! Widgets drawn over the map: view and layer controls, the legend, and the credits.

use egui::{Rect, Shape, Vec2};

use crate::basemap::CREDITS;
use crate::model::{Attribution, Category, StackBy};
use crate::state::Command;
use crate::views::ViewContext;
use crate::views::style::{self, MarkerShape};

use super::offline_basemap::{class_breaks, class_colour};
use crate::model::Measure;
use crate::state::{BasemapRequest, MapOverlays};
use crate::tiles::{BasemapSettings, TileBasemap};

fn overlay_frame(ui: &egui::Ui) -> egui::Frame {
    egui::Frame::popup(ui.style())
        .inner_margin(6.0)
        .fill(ui.visuals().panel_fill.gamma_multiply(0.92))
}

/// What the control row asked for that only the map itself can do.
#[derive(Default)]
pub(super) struct ControlActions {
    pub zoom_in: bool,
    pub zoom_out: bool,
    pub toggle_measure: bool,
    /// Start drawing an area of this shape (`Some(None)`: stop drawing).
    pub draw: Option<Option<super::area_tool::DrawMode>>,
    pub toggle_editing: bool,
}

/// The map tools switched on, and the filter's areas the Area menu lists.
#[derive(Clone, Copy)]
pub(super) struct ActiveTools<'a> {
    pub measuring: bool,
    pub drawing: Option<super::area_tool::DrawMode>,
    /// The filter's areas show handles to drag.
    pub editing: bool,
    pub filter: &'a crate::model::Filter,
}

pub(super) fn controls(
    ui: &mut egui::Ui,
    rect: Rect,
    layers: &MapOverlays,
    basemap: &BasemapSettings,
    tiles: Option<&TileBasemap>,
    tools: ActiveTools<'_>,
    commands: &mut Vec<Command>,
) -> ControlActions {
    let ActiveTools {
        measuring,
        drawing,
        editing,
        filter,
    } = tools;
    let mut actions = ControlActions::default();
    let area_rect = Rect::from_min_size(rect.min + Vec2::splat(10.0), Vec2::new(760.0, 40.0));
    ui.scope_builder(egui::UiBuilder::new().max_rect(area_rect), |ui| {
        overlay_frame(ui).show(ui, |ui| {
            ui.horizontal(|ui| {
                use crate::state::UiCommand;
                let ctx = ui.ctx().clone();
                if ui
                    .button("Khorasan region")
                    .on_hover_text(UiCommand::FrameRegion.tooltip(&ctx))
                    .clicked()
                {
                    commands.push(Command::Ui(UiCommand::FrameRegion));
                }
                if ui
                    .button("Fit filtered")
                    .on_hover_text(UiCommand::FitMap.tooltip(&ctx))
                    .clicked()
                {
                    commands.push(Command::Ui(UiCommand::FitMap));
                }
                actions.zoom_in = ui.button("+").on_hover_text("Zoom in (+)").clicked();
                actions.zoom_out = ui
                    .button("\u{2212}")
                    .on_hover_text("Zoom out (\u{2212})")
                    .clicked();
                crate::views::form_menu(ui, "Overlays", |ui| overlay_menu(ui, layers, commands))
                    .on_hover_text("Symbols, clusters, heatmap, province choropleth, labels");
                crate::views::form_menu(ui, "Basemap", |ui| {
                    basemap_menu(ui, basemap, tiles, commands)
                })
                .on_hover_text("Offline basemap, opt-in online tiles, or a PMTiles/MBTiles file");
                actions.toggle_measure = ui
                    .selectable_label(measuring, "Measure")
                    .on_hover_text(
                        "Click two points on the map to measure the distance between them",
                    )
                    .clicked();
                let label = if drawing.is_some() {
                    "Drawing area\u{2026}"
                } else {
                    "Area"
                };
                crate::views::form_menu(ui, label, |ui| {
                    for mode in super::area_tool::DrawMode::ALL {
                        if ui
                            .selectable_label(drawing == Some(mode), mode.label())
                            .clicked()
                        {
                            actions.draw = Some(Some(mode));
                            ui.close();
                        }
                    }
                    if drawing.is_some() && ui.button("Stop drawing (Esc)").clicked() {
                        actions.draw = Some(None);
                        ui.close();
                    }
                    if !filter.areas.is_empty() {
                        ui.separator();
                        if ui
                            .selectable_label(editing, "Edit the areas: drag their handles")
                            .on_hover_text(
                                "A circle by its centre and its edge, a box by its corners, a \
                                 polygon by its corners",
                            )
                            .clicked()
                        {
                            actions.toggle_editing = true;
                            ui.close();
                        }
                        let mut kept = filter.areas.clone();
                        let mut removed = None;
                        for (index, area) in filter.areas.iter().enumerate() {
                            ui.horizontal(|ui| {
                                if ui.small_button("\u{d7}").on_hover_text("Remove").clicked() {
                                    removed = Some(index);
                                }
                                ui.label(area.words());
                            });
                        }
                        if let Some(index) = removed {
                            kept.remove(index);
                            commands.push(Command::SetFilter(crate::model::Filter {
                                areas: kept,
                                ..filter.clone()
                            }));
                        }
                    }
                    ui.label(
                        egui::RichText::new(
                            "Draw an area to filter by it; areas add up (inside any).\n\
                             Remove them in the filter panel, under Area.",
                        )
                        .small()
                        .weak(),
                    );
                })
                .on_hover_text("Filter to an area drawn on the map: a circle, a box or a polygon");
            });
        });
    });
    actions
}

fn overlay_menu(ui: &mut egui::Ui, layers: &MapOverlays, commands: &mut Vec<Command>) {
    let mut edited = layers.clone();
    ui.checkbox(&mut edited.symbols, "Incident symbols");
    ui.add_enabled_ui(edited.symbols, |ui| {
        ui.indent("clusters", |ui| {
            ui.checkbox(&mut edited.clusters, "Merge crowded symbols into clusters");
        });
    });
    ui.checkbox(&mut edited.heatmap, "Heatmap");
    ui.add_enabled_ui(edited.heatmap, |ui| {
        ui.indent("heatmap_weight", |ui| {
            ui.horizontal(|ui| {
                ui.label("Weight:");
                ui.radio_value(&mut edited.heatmap_weight, Measure::Incidents, "incidents");
                ui.radio_value(&mut edited.heatmap_weight, Measure::Killed, "deaths");
            });
        });
    });
    ui.checkbox(
        &mut edited.choropleth,
        "Province choropleth (Afghanistan, Pakistan)",
    );
    ui.add_enabled_ui(edited.choropleth, |ui| {
        ui.indent("choropleth_measure", |ui| {
            ui.horizontal(|ui| {
                ui.label("Colour by:");
                ui.radio_value(
                    &mut edited.choropleth_measure,
                    Measure::Incidents,
                    "incidents",
                );
                ui.radio_value(&mut edited.choropleth_measure, Measure::Killed, "deaths");
            });
            ui.checkbox(
                &mut edited.choropleth_change,
                "Colour by change instead (the Change view's months against its baseline)",
            );
        });
    });
    ui.checkbox(&mut edited.labels, "City and province labels");
    if edited != *layers {
        commands.push(Command::SetMapOverlays(edited));
    }
}

fn basemap_menu(
    ui: &mut egui::Ui,
    settings: &BasemapSettings,
    tiles: Option<&TileBasemap>,
    commands: &mut Vec<Command>,
) {
    let online = tiles.is_some_and(TileBasemap::is_online);
    let from_file = tiles.is_some() && !online;
    if ui
        .radio(tiles.is_none(), "Offline basemap (embedded, no network)")
        .clicked()
    {
        commands.push(Command::SetBasemap(BasemapRequest::Offline));
    }
    if ui
        .radio(online, "Online tiles (uses the network)")
        .on_hover_text(
            "Downloads map tiles from the server below and caches them on disk. \
             The tile server learns which area you are looking at.",
        )
        .clicked()
        && !online
    {
        commands.push(Command::SetBasemap(BasemapRequest::Online));
    }
    ui.indent("tile_url", |ui| {
        let mut template = settings.url_template.clone();
        let label = ui.label("Tile URL");
        let response = ui
            .add(egui::TextEdit::singleline(&mut template).desired_width(320.0))
            .labelled_by(label.id)
            .on_hover_text("{z}, {x} and {y} are replaced by the tile numbers");
        if response.changed() {
            let mut settings = settings.clone();
            settings.url_template = template;
            commands.push(Command::SetBasemapSettings(settings));
        }
        if let Some(dir) = crate::tiles::cache_dir() {
            ui.label(
                egui::RichText::new(format!("Cache: {}", dir.display()))
                    .small()
                    .weak(),
            );
        }
    });
    ui.separator();
    ui.label(if from_file {
        "Tiles from a file (PMTiles or MBTiles):"
    } else {
        "Open a PMTiles or MBTiles file (or drop it on the window):"
    });
    // The field starts from the file opened last (kept in the settings).
    let path_id = crate::views::path_field::field_id(ui, "basemap file");
    if ui.data(|data| data.get_temp::<String>(path_id).is_none())
        && let Some(file) = &settings.file
    {
        ui.data_mut(|data| data.insert_temp(path_id, file.display().to_string()));
    }
    ui.horizontal(|ui| {
        let path = crate::views::path_field::path_field(
            ui,
            "File",
            &crate::views::path_field::PathFieldSpec {
                id: "basemap file",
                hint: "/path/to/basemap.pmtiles",
                save: false,
                title: "Open a basemap file",
                filter: Some(("PMTiles or MBTiles", &["pmtiles", "mbtiles"])),
            },
            commands,
        );
        if ui
            .add_enabled(!path.trim().is_empty(), egui::Button::new("Open"))
            .clicked()
        {
            commands.push(Command::SetBasemap(BasemapRequest::File(
                path.trim().into(),
            )));
            ui.close();
        }
    });
}

/// A badge that cannot be missed while the app uses the network for tiles.
pub(super) fn online_badge(ui: &mut egui::Ui, rect: Rect, template: &str) {
    let host = template
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or(template);
    let text = format!("ONLINE \u{b7} map tiles from {host}");
    let galley =
        ui.painter()
            .layout_no_wrap(text, egui::FontId::proportional(12.5), egui::Color32::WHITE);
    // Bottom right, above the credits: the controls along the top (the Basemap menu that turns
    // online tiles off among them) stay visible on a narrow map.
    let badge = egui::Align2::RIGHT_BOTTOM
        .anchor_size(rect.right_bottom() + Vec2::new(-10.0, -70.0), galley.size())
        .expand(5.0);
    let painter = ui.painter().with_clip_rect(rect);
    painter.rect_filled(badge, 4.0, egui::Color32::from_rgb(0xc0, 0x39, 0x2b));
    painter.galley(badge.min + Vec2::splat(5.0), galley, egui::Color32::WHITE);
}

/// The legend, top left under the controls: laid out first, its background painted under it.
/// The map's legend, top left under the controls. It lists only what the filtered set holds
/// (a slide of attacks does not explain arrests), and in the app it folds away to its title
/// so that it does not hide the places under it.
pub(super) fn legend(
    ui: &mut egui::Ui,
    rect: Rect,
    at: egui::Pos2,
    view: &ViewContext<'_>,
    showing_bins: bool,
    collapsed: &mut bool,
) -> Vec2 {
    let layers = &view.state.map_overlays;
    let margin = LEGEND_MARGIN;
    let legend_rect = Rect::from_min_max(
        at,
        egui::pos2((at.x + 424.0).min(rect.max.x), rect.max.y - 30.0),
    );
    let background = ui.painter().add(Shape::Noop);
    let foldable = !view.presenting;
    let content = ui.scope_builder(egui::UiBuilder::new().max_rect(legend_rect), |ui| {
        ui.spacing_mut().item_spacing = Vec2::new(4.0, 1.0);
        if foldable {
            let (text, hint) = if *collapsed {
                ("Show legend", "Show what the colours, shapes and sizes mean")
            } else {
                ("Hide legend", "Fold the legend away to see the map under it")
            };
            let toggle = ui
                .add(egui::Button::new(egui::RichText::new(text).small()).frame(false))
                .on_hover_text(hint);
            if toggle.clicked() {
                *collapsed = !*collapsed;
            }
            if *collapsed {
                return;
            }
        }
        ui.horizontal_top(|ui| {
            if layers.symbols && showing_bins {
                ui.label(
                    egui::RichText::new(format!(
                        "Squares: incidents per area\n(over {} in view: zoom in\nor filter to see symbols)",
                        super::incident_symbols::MAX_SYMBOLS
                    ))
                    .small()
                    .strong(),
                );
            } else if layers.symbols {
                symbol_legend(ui, view);
                if view.several_layers() {
                    ui.add_space(8.0);
                    layer_legend(ui, view);
                }
            }
            if layers.choropleth {
                ui.add_space(8.0);
                match view.change.filter(|_| layers.choropleth_change) {
                    Some(change) => change_legend(ui, change),
                    None => choropleth_legend(ui, layers.choropleth_measure),
                }
            }
        });
        if !view.state.filter.areas.is_empty() {
            ui.label(
                egui::RichText::new(
                    "Outlined: the filter's area. An incident counts when its footprint (its\n\
                     point, widened for a place known only to its town, district, province\n\
                     or country) meets it",
                )
                .small()
                .strong(),
            );
        }
        if layers.heatmap {
            let what = layers.heatmap_weight.label();
            ui.label(
                egui::RichText::new(format!("Heatmap: density of {what}, relative"))
                    .small()
                    .strong(),
            );
        }
    });
    let used = content.response.rect;
    if used.width() > 1.0 {
        ui.painter().set(
            background,
            Shape::rect_filled(
                used.expand(margin),
                4.0,
                ui.visuals().panel_fill.gamma_multiply(0.9),
            ),
        );
    }
    used.size()
}

/// Space between the legend's text and the edge of its background.
const LEGEND_MARGIN: f32 = 6.0;
/// Up to this many shown incidents the legend looks for the corner that hides fewest.
const LEGEND_PLACING_LIMIT: usize = 20_000;

/// Where the legend goes: top left under the controls, top right, or bottom left above the
/// scale bar, whichever covers the fewest of the shown incidents (top left when they tie), so
/// that it does not hide the data on a slide. `size` is the legend's size last frame.
pub(super) fn legend_corner(
    view: &ViewContext<'_>,
    rect: Rect,
    top: f32,
    size: Vec2,
    project: impl Fn(f64, f64) -> egui::Pos2,
) -> egui::Pos2 {
    let inset = 10.0 + LEGEND_MARGIN;
    let corners = [
        rect.min + Vec2::new(inset, top),
        egui::pos2(rect.max.x - size.x - inset, rect.min.y + top),
        egui::pos2(rect.min.x + inset, rect.max.y - size.y - 30.0 - inset),
    ];
    if size.x <= 1.0 || view.derived.filtered.len() > LEGEND_PLACING_LIMIT {
        return corners[0];
    }
    let points: Vec<egui::Pos2> = view
        .filtered_incidents()
        .map(|(_, incident)| project(incident.location.lat, incident.location.lon))
        .filter(|point| rect.contains(*point))
        .collect();
    let covered = |corner: egui::Pos2| {
        let area = Rect::from_min_size(corner, size).expand(LEGEND_MARGIN + 4.0);
        points.iter().filter(|point| area.contains(**point)).count()
    };
    let mut best = corners[0];
    let mut fewest = covered(best);
    for corner in corners.into_iter().skip(1) {
        let inside = corner.x >= rect.min.x && corner.y >= rect.min.y + top - 1.0;
        let count = covered(corner);
        if inside && count < fewest {
            (best, fewest) = (corner, count);
        }
    }
    best
}

fn symbol_legend(ui: &mut egui::Ui, view: &ViewContext<'_>) {
    ui.vertical(|ui| {
        let title = match view.state.stack_by {
            StackBy::Kind => "Colour: kind",
            StackBy::Attribution => "Colour: attribution",
        };
        ui.label(egui::RichText::new(title).small().strong());
        for category in Category::all(view.state.stack_by) {
            if !view.legend_lists(category) {
                continue;
            }
            ui.horizontal(|ui| {
                style::legend_swatch(ui, MarkerShape::Circle, style::category_colour(category));
                ui.label(egui::RichText::new(category.label()).small());
            });
        }
    });
    ui.add_space(8.0);
    ui.vertical(|ui| {
        ui.label(egui::RichText::new("Shape: attribution").small().strong());
        let colour = ui.visuals().text_color();
        for &attribution in Attribution::ALL {
            if !view.legend_lists(Category::Attribution(attribution)) {
                continue;
            }
            ui.horizontal(|ui| {
                style::legend_swatch(ui, MarkerShape::of(attribution), colour);
                ui.label(egui::RichText::new(attribution.label()).small());
            });
        }
        ui.label(
            egui::RichText::new("Size: deaths \u{b7} numbered disc: cluster")
                .small()
                .weak(),
        );
        ui.label(
            egui::RichText::new("Faint disc: place known only roughly")
                .small()
                .weak(),
        );
    });
}

/// With several layers shown, each layer's halo colour.
fn layer_legend(ui: &mut egui::Ui, view: &ViewContext<'_>) {
    ui.vertical(|ui| {
        ui.label(egui::RichText::new("Halo: data layer").small().strong());
        for layer in view.layers.iter().filter(|l| l.spec.visible) {
            ui.horizontal(|ui| {
                let [r, g, b] = layer.spec.colour;
                let (swatch, _) = ui.allocate_exact_size(Vec2::splat(14.0), egui::Sense::hover());
                if !ui.visuals().dark_mode {
                    // The same edge as the halos on the light basemap.
                    let edge = super::incident_symbols::LAYER_HALO_EDGE_LIGHT;
                    ui.painter().circle_stroke(swatch.center(), 6.25, edge);
                    ui.painter().circle_stroke(swatch.center(), 3.75, edge);
                }
                ui.painter().circle_stroke(
                    swatch.center(),
                    5.0,
                    egui::Stroke::new(2.5, egui::Color32::from_rgb(r, g, b)),
                );
                ui.label(egui::RichText::new(&layer.name).small());
            });
        }
    });
}

fn choropleth_legend(ui: &mut egui::Ui, measure: Measure) {
    ui.vertical(|ui| {
        let title = match measure {
            Measure::Incidents => "Incidents per province",
            Measure::Killed => "Deaths per province (upper)",
        };
        ui.label(egui::RichText::new(title).small().strong());
        let breaks = class_breaks(measure);
        for (i, &lowest) in breaks.iter().enumerate() {
            let label = match breaks.get(i + 1) {
                Some(&next) if next - 1 == lowest => lowest.to_string(),
                Some(&next) => format!("{lowest}\u{2013}{}", next - 1),
                None => format!("{lowest} or more"),
            };
            ui.horizontal(|ui| {
                let (swatch, _) =
                    ui.allocate_exact_size(Vec2::new(14.0, 10.0), egui::Sense::hover());
                if let Some(colour) = class_colour(measure, lowest) {
                    ui.painter().rect_filled(swatch, 1.0, colour);
                }
                ui.label(egui::RichText::new(label).small());
            });
        }
        ui.label(
            egui::RichText::new("Incidents known only to the country are not counted")
                .small()
                .weak(),
        );
    });
}

/// The diverging legend of the change choropleth: fewer incidents in blue, more in red,
/// strength by the share of the baseline.
fn change_legend(ui: &mut egui::Ui, change: &crate::model::change::Change) {
    use crate::views::change::change_colour;
    ui.vertical(|ui| {
        ui.label(
            egui::RichText::new("Change in incidents per province")
                .small()
                .strong(),
        );
        ui.label(egui::RichText::new(change.describe()).small());
        for (difference, ratio, label) in [
            (1, None, "new (none before)"),
            (1, Some(1.0), "+100% or more"),
            (1, Some(0.5), "+50%"),
            (0, Some(0.0), "no change"),
            (-1, Some(-0.5), "\u{2212}50%"),
            (-1, Some(-1.0), "\u{2212}100% (none now)"),
        ] {
            ui.horizontal(|ui| {
                let (swatch, _) =
                    ui.allocate_exact_size(Vec2::new(14.0, 10.0), egui::Sense::hover());
                ui.painter()
                    .rect_filled(swatch, 1.0, change_colour(difference, ratio));
                ui.label(egui::RichText::new(label).small());
            });
        }
        ui.label(
            egui::RichText::new("Uncoloured: no incident in either period")
                .small()
                .weak(),
        );
    });
}

/// Credits, bottom right: a real label so it is in the accessibility tree and testable.
pub(super) fn credits(ui: &mut egui::Ui, rect: Rect, tiles: Option<&str>) {
    // Leaves the bottom left to the scale bar and the pointer's coordinates.
    let width = (rect.width() - 230.0).clamp(120.0, 640.0);
    let credits_rect = Rect::from_min_max(
        egui::pos2(rect.max.x - width - 4.0, rect.max.y - 60.0),
        rect.max - Vec2::new(4.0, 4.0),
    );
    let text = match tiles {
        Some(tiles) => format!("{tiles} \u{b7} {CREDITS}"),
        None => CREDITS.to_owned(),
    };
    ui.scope_builder(
        egui::UiBuilder::new()
            .max_rect(credits_rect)
            .layout(egui::Layout::bottom_up(egui::Align::Max)),
        |ui| {
            egui::Frame::new()
                .fill(ui.visuals().panel_fill.gamma_multiply(0.85))
                .inner_margin(3.0)
                .corner_radius(2.0)
                .show(ui, |ui| {
                    ui.add(egui::Label::new(egui::RichText::new(text).size(10.5)).wrap());
                });
        },
    );
}
