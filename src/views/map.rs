//! The map (walkers): an offline basemap drawn from embedded data, then the filtered
//! incidents on top. No tiles are fetched: `Map::new` gets no tile source at all.

use egui::{Color32, Mesh, Pos2, Rect, Shape, Stroke, Vec2, epaint::Vertex};
use walkers::{Map, MapMemory, Projector, lat_lon};

use crate::app::Command;
use crate::basemap::{Area, Basemap, CREDITS, Mercator};
use crate::model::selection::Highlight;
use crate::model::{Category, LocationPrecision};

use super::ViewContext;
use super::style::{self, MarkerShape};

/// The Khorasan region: Afghanistan, Pakistan, eastern Iran and Central Asia. (lat, lon)
pub const REGION_CENTER: (f64, f64) = (34.5, 66.5);
pub const REGION_ZOOM: f64 = 4.6;
/// Corners (lat, lon) that "Khorasan region" fits into the map, whatever its size.
const REGION_CORNERS: [(f64, f64); 2] = [(24.0, 50.0), (43.0, 78.0)];
/// Zoom from which province names are drawn.
const PROVINCE_LABEL_ZOOM: f64 = 5.6;

pub struct MapView {
    basemap: Basemap,
    memory: MapMemory,
    /// Size of the map on screen last frame, to fit a set of points into it.
    last_size: Vec2,
    /// Frame the region once the map's size is known (first start, no saved view).
    fit_region_when_shown: bool,
}

/// Web Mercator to screen, as an affine map for this frame (walkers uses the same projection).
#[derive(Clone, Copy)]
struct ScreenTransform {
    origin: Pos2,
    scale: f64,
}

impl ScreenTransform {
    fn new(projector: &Projector<'_>) -> Self {
        let center = projector.project(lat_lon(0.0, 0.0)).to_pos2();
        let east = projector.project(lat_lon(0.0, 90.0)).to_pos2();
        Self {
            origin: center,
            scale: f64::from(east.x - center.x) / 0.25,
        }
    }

    fn apply(self, p: Mercator) -> Pos2 {
        Pos2::new(
            self.origin.x + ((p.x - 0.5) * self.scale) as f32,
            self.origin.y + ((p.y - 0.5) * self.scale) as f32,
        )
    }

    fn invert(self, p: Pos2) -> Mercator {
        Mercator {
            x: f64::from(p.x - self.origin.x) / self.scale + 0.5,
            y: f64::from(p.y - self.origin.y) / self.scale + 0.5,
        }
    }

    fn visible(self, area: &Area, rect: Rect) -> bool {
        let min = self.apply(area.bbox.min);
        let max = self.apply(area.bbox.max);
        Rect::from_two_pos(min, max).intersects(rect)
    }
}

/// Basemap colours for the current theme.
struct Palette {
    sea: Color32,
    land: Color32,
    focus_land: Color32,
    border: Color32,
    province: Color32,
    label: Color32,
    label_halo: Color32,
    city: Color32,
}

impl Palette {
    fn new(dark: bool) -> Self {
        if dark {
            Self {
                sea: Color32::from_rgb(0x1b, 0x26, 0x33),
                land: Color32::from_rgb(0x2c, 0x30, 0x36),
                focus_land: Color32::from_rgb(0x3a, 0x3f, 0x46),
                border: Color32::from_rgb(0x8a, 0x90, 0x99),
                province: Color32::from_rgb(0x5c, 0x63, 0x6d),
                label: Color32::from_rgb(0xdd, 0xe1, 0xe6),
                label_halo: Color32::from_black_alpha(170),
                city: Color32::from_rgb(0xc8, 0xcc, 0xd2),
            }
        } else {
            Self {
                sea: Color32::from_rgb(0xd4, 0xe3, 0xee),
                land: Color32::from_rgb(0xee, 0xec, 0xe6),
                focus_land: Color32::from_rgb(0xfb, 0xfa, 0xf6),
                border: Color32::from_rgb(0x6d, 0x6a, 0x64),
                province: Color32::from_rgb(0xa9, 0xa5, 0x9c),
                label: Color32::from_rgb(0x25, 0x25, 0x25),
                label_halo: Color32::from_white_alpha(190),
                city: Color32::from_rgb(0x40, 0x40, 0x40),
            }
        }
    }
}

impl MapView {
    pub fn new(basemap: Basemap, center: (f64, f64), zoom: f64) -> Self {
        let mut memory = MapMemory::default();
        memory.center_at(lat_lon(center.0, center.1));
        let _ = memory.set_zoom(zoom);
        Self {
            basemap,
            memory,
            last_size: Vec2::new(800.0, 500.0),
            fit_region_when_shown: center == REGION_CENTER && zoom == REGION_ZOOM,
        }
    }

    /// (lat, lon, zoom) of the current view.
    pub fn center_and_zoom(&self) -> (f64, f64, f64) {
        let center = self
            .memory
            .detached()
            .unwrap_or_else(|| lat_lon(REGION_CENTER.0, REGION_CENTER.1));
        (center.y(), center.x(), self.memory.zoom())
    }

    pub fn center_on(&mut self, lat: f64, lon: f64) {
        self.memory.center_at(lat_lon(lat, lon));
    }

    pub fn frame_region(&mut self) {
        self.fit(&REGION_CORNERS);
    }

    /// Centre and zoom so every point fits, with a margin.
    pub fn fit(&mut self, points: &[(f64, f64)]) {
        let mercators: Vec<Mercator> = points
            .iter()
            .map(|&(lat, lon)| Mercator::from_lon_lat(lon, lat))
            .collect();
        let Some(first) = mercators.first() else {
            return;
        };
        let (mut min, mut max) = (*first, *first);
        for p in &mercators {
            min.x = min.x.min(p.x);
            min.y = min.y.min(p.y);
            max.x = max.x.max(p.x);
            max.y = max.y.max(p.y);
        }
        let center = Mercator {
            x: (min.x + max.x) / 2.0,
            y: (min.y + max.y) / 2.0,
        };
        let (lon, lat) = center.to_lon_lat();
        self.memory.center_at(lat_lon(lat, lon));
        let width = (max.x - min.x).max(1e-4) * 256.0;
        let height = (max.y - min.y).max(1e-4) * 256.0;
        let usable = (self.last_size - Vec2::splat(80.0)).max(Vec2::splat(100.0));
        let zoom = (f64::from(usable.x) / width)
            .min(f64::from(usable.y) / height)
            .log2();
        let _ = self.memory.set_zoom(zoom.clamp(2.0, 11.0));
    }

    pub fn show(&mut self, ui: &mut egui::Ui, view: &ViewContext<'_>, commands: &mut Vec<Command>) {
        let dark = ui.visuals().dark_mode;
        let palette = Palette::new(dark);
        let my_position = lat_lon(REGION_CENTER.0, REGION_CENTER.1);
        let basemap = &self.basemap;
        let typing = ui.ctx().egui_wants_keyboard_input();
        let keyboard_zoom = ui.input(|input| {
            if typing {
                0
            } else if input.key_pressed(egui::Key::Plus) || input.key_pressed(egui::Key::Equals) {
                1
            } else if input.key_pressed(egui::Key::Minus) {
                -1
            } else {
                0
            }
        });
        match keyboard_zoom {
            1 => {
                let _ = self.memory.zoom_in();
            }
            -1 => {
                let _ = self.memory.zoom_out();
            }
            _ => {}
        }

        let map = Map::new(None, &mut self.memory, my_position)
            .zoom_with_ctrl(false)
            .double_click_to_zoom(true);
        let inner = map.show(ui, |ui, response, projector, memory| {
            let rect = response.rect;
            let painter = ui.painter().with_clip_rect(rect);
            let transform = ScreenTransform::new(projector);
            painter.rect_filled(rect, 0.0, palette.sea);
            draw_basemap(&painter, basemap, transform, rect, &palette);
            let hovered = draw_incidents(&painter, view, projector, transform, response, dark);
            // Labels last, on a halo, so a city under a cluster of incidents stays named.
            labels(&painter, basemap, transform, rect, memory.zoom(), &palette);
            (rect, hovered)
        });
        let (rect, hovered) = inner.inner;
        let response = inner.response;
        self.last_size = rect.size();
        if std::mem::take(&mut self.fit_region_when_shown) {
            self.frame_region();
            ui.ctx().request_repaint();
        }

        if let Some(index) = hovered {
            commands.push(Command::Hover(index));
            let incident = view.incident(index);
            response
                .clone()
                .on_hover_ui_at_pointer(|ui| super::timeline::incident_tooltip(ui, view, incident));
            if response.clicked() && !response.dragged() {
                commands.push(Command::Select(Some(index)));
            }
        }

        overlay_controls(ui, rect, self, commands);
        overlay_legend(ui, rect, view);
        overlay_credits(ui, rect);
    }
}

fn draw_basemap(
    painter: &egui::Painter,
    basemap: &Basemap,
    transform: ScreenTransform,
    rect: Rect,
    palette: &Palette,
) {
    let focus = |code: &str| matches!(code, "AF" | "PK");
    for area in &basemap.countries {
        if transform.visible(area, rect) {
            let fill = if focus(&area.country_code) {
                palette.focus_land
            } else {
                palette.land
            };
            painter.add(fill_mesh(area, transform, fill));
        }
    }
    let province_stroke = Stroke::new(0.6, palette.province);
    for area in &basemap.provinces {
        if transform.visible(area, rect) {
            outline(painter, area, transform, province_stroke);
        }
    }
    let border_stroke = Stroke::new(1.1, palette.border);
    for area in &basemap.countries {
        if transform.visible(area, rect) {
            outline(painter, area, transform, border_stroke);
        }
    }
}

fn fill_mesh(area: &Area, transform: ScreenTransform, fill: Color32) -> Shape {
    let mesh = Mesh {
        vertices: area
            .vertices
            .iter()
            .map(|&p| Vertex {
                pos: transform.apply(p),
                uv: egui::epaint::WHITE_UV,
                color: fill,
            })
            .collect(),
        indices: area.triangles.clone(),
        ..Mesh::default()
    };
    Shape::mesh(mesh)
}

fn outline(painter: &egui::Painter, area: &Area, transform: ScreenTransform, stroke: Stroke) {
    for ring in &area.rings {
        let points: Vec<Pos2> = ring.iter().map(|&p| transform.apply(p)).collect();
        painter.add(Shape::closed_line(points, stroke));
    }
}

/// Province names at mid zoom, then city names by population, never overlapping.
fn labels(
    painter: &egui::Painter,
    basemap: &Basemap,
    transform: ScreenTransform,
    rect: Rect,
    zoom: f64,
    palette: &Palette,
) {
    let mut placed: Vec<Rect> = Vec::new();
    let mut place =
        |text: &str, at: Pos2, font: egui::FontId, colour: Color32, anchor: egui::Align2| {
            let galley = painter.layout_no_wrap(text.to_owned(), font, colour);
            let label_rect = anchor.anchor_size(at, galley.size()).expand(2.0);
            if !rect.contains_rect(label_rect) || placed.iter().any(|r| r.intersects(label_rect)) {
                return false;
            }
            placed.push(label_rect);
            painter.rect_filled(label_rect, 2.0, palette.label_halo.gamma_multiply(0.55));
            painter.galley(label_rect.min + Vec2::splat(2.0), galley, colour);
            true
        };
    let min_population = if zoom < 4.0 {
        3_000_000
    } else if zoom < 5.0 {
        1_000_000
    } else if zoom < 6.0 {
        300_000
    } else if zoom < 7.0 {
        100_000
    } else {
        0
    };
    let mut city_labels = 0;
    for city in &basemap.cities {
        if city_labels >= 40 {
            break;
        }
        if city.population < min_population && !(city.capital && zoom >= 4.0) {
            continue;
        }
        let at = transform.apply(city.at);
        if !rect.contains(at) {
            continue;
        }
        let size = if city.capital { 13.0 } else { 12.0 };
        if place(
            &city.name,
            at + Vec2::new(5.0, 0.0),
            egui::FontId::proportional(size),
            palette.label,
            egui::Align2::LEFT_CENTER,
        ) {
            painter.circle_filled(at, if city.capital { 3.0 } else { 2.2 }, palette.city);
            city_labels += 1;
        }
    }
    if zoom >= PROVINCE_LABEL_ZOOM {
        for area in &basemap.provinces {
            let at = transform.apply(area.label_at);
            place(
                &area.name.to_uppercase(),
                at,
                egui::FontId::proportional(10.5),
                palette.label.gamma_multiply(0.75),
                egui::Align2::CENTER_CENTER,
            );
        }
    }
}

/// Draws the filtered incidents and returns the one under the pointer, if any.
fn draw_incidents(
    painter: &egui::Painter,
    view: &ViewContext<'_>,
    projector: &Projector<'_>,
    transform: ScreenTransform,
    response: &egui::Response,
    dark: bool,
) -> Option<usize> {
    let rect = response.rect;
    let stack_by = view.state.stack_by;
    let outline_colour = if dark {
        Color32::from_black_alpha(200)
    } else {
        Color32::from_white_alpha(230)
    };
    // Gather, then draw: biggest first so small symbols stay visible on top.
    let mut symbols: Vec<(usize, Pos2, f32, f32)> = view
        .filtered_incidents()
        .filter_map(|(index, incident)| {
            let location = &incident.location;
            let at = transform.apply(Mercator::from_lon_lat(location.lon, location.lat));
            let radius = style::marker_radius(incident.killed.max());
            let uncertainty_px = (location.precision.uncertainty_km()
                * 1000.0
                * f64::from(projector.scale_pixel_per_meter(lat_lon(location.lat, location.lon))))
                as f32;
            rect.expand(radius.max(uncertainty_px))
                .contains(at)
                .then_some((index, at, radius, uncertainty_px))
        })
        .collect();
    symbols.sort_by(|a, b| b.2.total_cmp(&a.2));

    // Imprecise places are drawn as a faint area of their uncertainty, not a pinpoint.
    for &(index, at, radius, uncertainty) in &symbols {
        let incident = view.incident(index);
        let precision = incident.location.precision;
        if uncertainty <= radius + 2.0
            || matches!(
                precision,
                LocationPrecision::Exact | LocationPrecision::Town
            )
        {
            continue;
        }
        let colour = style::category_colour(Category::of(stack_by, incident));
        let fill = if precision == LocationPrecision::Country {
            Color32::TRANSPARENT
        } else {
            colour.gamma_multiply(0.07)
        };
        painter.circle(
            at,
            uncertainty,
            fill,
            Stroke::new(1.0, colour.gamma_multiply(0.35)),
        );
    }
    for &(index, at, radius, _) in &symbols {
        let incident = view.incident(index);
        let colour = style::category_colour(Category::of(stack_by, incident));
        let shape = MarkerShape::of(incident.attribution);
        painter.add(shape.shape(at, radius + 1.2, outline_colour, Stroke::NONE));
        let fill = if incident.location.precision == LocationPrecision::Province
            || incident.location.precision == LocationPrecision::Country
        {
            // Hollow-ish: the place is not known to this point.
            colour.gamma_multiply(0.55)
        } else {
            colour
        };
        painter.add(shape.shape(at, radius, fill, Stroke::NONE));
    }
    for &(index, at, radius, _) in &symbols {
        let highlight = view.selection.highlight(index);
        if highlight > Highlight::None {
            let incident = view.incident(index);
            let shape = MarkerShape::of(incident.attribution);
            let selected = highlight == Highlight::Selected;
            painter.add(shape.outline(at, radius + 3.0, style::highlight_stroke(dark, selected)));
        }
    }

    let pointer = response.hover_pos()?;
    let _ = transform.invert(pointer);
    symbols
        .iter()
        .filter_map(|&(index, at, radius, _)| {
            let distance = at.distance(pointer);
            (distance <= radius + 4.0).then_some((distance, index))
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, index)| index)
}

fn overlay_frame(ui: &egui::Ui) -> egui::Frame {
    egui::Frame::popup(ui.style())
        .inner_margin(6.0)
        .fill(ui.visuals().panel_fill.gamma_multiply(0.92))
}

fn overlay_controls(ui: &mut egui::Ui, rect: Rect, map: &mut MapView, commands: &mut Vec<Command>) {
    let area_rect = Rect::from_min_size(rect.min + Vec2::splat(10.0), Vec2::new(420.0, 40.0));
    ui.scope_builder(egui::UiBuilder::new().max_rect(area_rect), |ui| {
        overlay_frame(ui).show(ui, |ui| {
            ui.horizontal(|ui| {
                if ui
                    .button("Khorasan region")
                    .on_hover_text("Frame Afghanistan, Pakistan, eastern Iran and Central Asia")
                    .clicked()
                {
                    commands.push(Command::FrameRegion);
                }
                if ui
                    .button("Fit to filtered incidents")
                    .on_hover_text("Zoom to show every incident that passes the filter")
                    .clicked()
                {
                    commands.push(Command::FitMapToFiltered);
                }
                if ui.button("+").on_hover_text("Zoom in (+)").clicked() {
                    let _ = map.memory.zoom_in();
                }
                if ui
                    .button("\u{2212}")
                    .on_hover_text("Zoom out (\u{2212})")
                    .clicked()
                {
                    let _ = map.memory.zoom_out();
                }
            });
        });
    });
}

fn overlay_legend(ui: &mut egui::Ui, rect: Rect, view: &ViewContext<'_>) {
    // Laid out first, then its background is painted underneath at the size it took.
    let margin = 6.0;
    let legend_rect = Rect::from_min_max(
        rect.min + Vec2::new(10.0 + margin, 56.0 + margin),
        egui::pos2((rect.min.x + 420.0).min(rect.max.x), rect.max.y - 30.0),
    );
    let background = ui.painter().add(Shape::Noop);
    let content = ui.scope_builder(egui::UiBuilder::new().max_rect(legend_rect), |ui| {
        ui.spacing_mut().item_spacing = Vec2::new(4.0, 1.0);
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                let title = match view.state.stack_by {
                    crate::model::StackBy::Kind => "Colour: kind",
                    crate::model::StackBy::Attribution => "Colour: attribution",
                };
                ui.label(egui::RichText::new(title).small().strong());
                for category in Category::all(view.state.stack_by) {
                    ui.horizontal(|ui| {
                        style::legend_swatch(
                            ui,
                            MarkerShape::Circle,
                            style::category_colour(category),
                        );
                        ui.label(egui::RichText::new(category.label()).small());
                    });
                }
            });
            ui.add_space(8.0);
            ui.vertical(|ui| {
                ui.label(egui::RichText::new("Shape: attribution").small().strong());
                let colour = ui.visuals().text_color();
                for &attribution in crate::model::Attribution::ALL {
                    ui.horizontal(|ui| {
                        style::legend_swatch(ui, MarkerShape::of(attribution), colour);
                        ui.label(egui::RichText::new(attribution.label()).small());
                    });
                }
                ui.label(egui::RichText::new("Size: deaths").small().weak());
                ui.label(
                    egui::RichText::new("Faint disc: place known only roughly")
                        .small()
                        .weak(),
                );
            });
        });
    });
    let used = content.response.rect.expand(margin);
    ui.painter().set(
        background,
        Shape::rect_filled(used, 4.0, ui.visuals().panel_fill.gamma_multiply(0.9)),
    );
}

fn overlay_credits(ui: &mut egui::Ui, rect: Rect) {
    // A real label (not painted text) so it is part of the accessibility tree and testable.
    let width = (rect.width() - 20.0).clamp(50.0, 640.0);
    let credits_rect = Rect::from_min_max(
        egui::pos2(rect.max.x - width - 4.0, rect.max.y - 40.0),
        rect.max - Vec2::new(4.0, 4.0),
    );
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
                    ui.add(egui::Label::new(egui::RichText::new(CREDITS).size(10.5)).wrap());
                });
        },
    );
}
