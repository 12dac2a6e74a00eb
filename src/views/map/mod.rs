//! The map (walkers): an offline basemap drawn from embedded data, then the layers driven by
//! the filter and selection: province choropleth, heatmap, incident symbols and clusters.
//! No tiles are fetched: `Map::new` gets no tile source at all.

mod heatmap;
mod incident_symbols;
mod offline_basemap;
mod overlays;
mod tools;

pub use incident_symbols::{CLUSTER_MAX_ZOOM, MAX_SYMBOLS};
pub use tools::DistanceTool;

mod area_tool;
pub use area_tool::{AreaDraft, DrawMode};

use egui::{Pos2, Rect, Vec2};
use walkers::{Map, MapMemory, Projector, lat_lon};

use crate::basemap::{Area, Basemap, Mercator};
use crate::model::Hover;
use crate::state::settings::{REGION_CENTER, REGION_ZOOM};
use crate::state::{BasemapRequest, Command, Notice};
use crate::tiles::{BasemapSettings, TileBasemap};

use super::ViewContext;
use incident_symbols::SymbolHit;
use offline_basemap::Palette;

/// Corners (lat, lon) that "Khorasan region" fits into the map, whatever its size.
const REGION_CORNERS: [(f64, f64); 2] = [(24.0, 50.0), (43.0, 78.0)];
/// Points the arrow keys move the map by.
const KEY_PAN: f32 = 120.0;

pub struct MapView {
    basemap: Basemap,
    memory: MapMemory,
    /// Size of the map on screen last frame, to fit a set of points into it.
    last_size: Vec2,
    /// Frame the region once the map's size is known (first start, no saved view).
    fit_region_when_shown: bool,
    heatmap: heatmap::Heatmap,
    /// Density bins drawn instead of symbols when many incidents are shown.
    density: incident_symbols::Density,
    /// Whether last frame drew density bins (the legend says so).
    showing_bins: bool,
    /// The legend folded away to its title (in the app; slides always show it).
    legend_collapsed: bool,
    /// The legend's size last frame, to choose the corner it hides least in.
    legend_size: Vec2,
    /// The distance tool, while it is switched on.
    measure: Option<DistanceTool>,
    /// The area being drawn, when the area tool is on.
    drawing: Option<AreaDraft>,
    /// The filter's areas show handles to drag.
    editing_areas: bool,
    /// Tiles drawn over the offline basemap: online (opt-in) or a local file.
    tiles: Option<TileBasemap>,
    /// The reachability check of the online tile server, until it answers.
    probe: Option<std::sync::mpsc::Receiver<Result<(), String>>>,
    /// A basemap change asked for, done at the start of the next frame (it needs the context).
    pending: Option<BasemapRequest>,
}

/// Web Mercator to screen, as an affine map for this frame (walkers uses the same projection).
#[derive(Clone, Copy, Debug)]
pub struct ScreenTransform {
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

    /// The transform for a map of `rect` centred on `center` at `zoom` (256-point tiles).
    fn centred(rect: Rect, center: Mercator, zoom: f64) -> Self {
        let scale = 256.0 * 2f64.powf(zoom);
        let origin = rect.center()
            + Vec2::new(
                ((0.5 - center.x) * scale) as f32,
                ((0.5 - center.y) * scale) as f32,
            );
        Self { origin, scale }
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

/// "1,234,567".
fn group_thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What the pointer is over, found while drawing and acted on after.
enum MapHit {
    Symbol(SymbolHit),
    Bin(incident_symbols::Bin),
    Province(crate::model::ProvinceKey),
    /// A city's label (its tooltip gives the name as GeoNames writes it).
    City(usize),
}

struct FrameOutput {
    rect: Rect,
    hit: Option<MapHit>,
    pointer: Option<(f64, f64)>,
    transform: ScreenTransform,
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
            heatmap: heatmap::Heatmap::default(),
            density: Default::default(),
            showing_bins: false,
            legend_collapsed: false,
            legend_size: Vec2::ZERO,
            measure: None,
            drawing: None,
            editing_areas: false,
            tiles: None,
            probe: None,
            pending: None,
        }
    }

    /// Ask for another basemap; it is switched at the start of the next frame.
    pub fn request_basemap(&mut self, request: BasemapRequest) {
        self.pending = Some(request);
    }

    /// True while online tiles are switched on (the only state in which the app uses the network).
    pub fn is_online(&self) -> bool {
        self.tiles.as_ref().is_some_and(TileBasemap::is_online)
    }

    pub fn tile_credit(&self) -> Option<String> {
        self.tiles.as_ref().map(TileBasemap::credit)
    }

    /// Keep the camera as set, instead of framing the region when the map is first shown
    /// (which a map that starts on the region's default camera does).
    pub fn keep_camera(&mut self) {
        self.fit_region_when_shown = false;
    }

    /// Switch the distance tool off (Esc).
    /// Whether the measure or an area tool is on.
    pub fn tool_active(&self) -> bool {
        self.measure.is_some() || self.drawing.is_some() || self.editing_areas
    }

    /// The measure and the area tools off.
    pub fn stop_tools(&mut self) {
        self.measure = None;
        self.drawing = None;
        self.editing_areas = false;
    }

    /// The filter's areas' handles, each a small square dragged to reshape its area (over the
    /// map, so a drag on one does not pan it).
    fn area_handles(
        &self,
        ui: &egui::Ui,
        view: &ViewContext<'_>,
        transform: ScreenTransform,
        commands: &mut Vec<Command>,
    ) {
        let areas = &view.state.filter.areas;
        let colour = if ui.visuals().dark_mode {
            egui::Color32::from_rgb(120, 220, 255)
        } else {
            egui::Color32::from_rgb(0, 90, 200)
        };
        for (area_index, area) in areas.iter().enumerate() {
            for (handle, (lat, lon)) in area_tool::handles(area).into_iter().enumerate() {
                let at = transform.apply(Mercator::from_lon_lat(lon, lat));
                let rect = egui::Rect::from_center_size(at, egui::vec2(12.0, 12.0));
                let id = egui::Id::unique("area_handle").with((area_index, handle));
                let what = match (area, handle) {
                    (crate::model::Area::Within { .. }, 0) => "Move".to_owned(),
                    (crate::model::Area::Within { .. }, _) => "Radius".to_owned(),
                    _ => format!("Corner {}", handle + 1),
                };
                let name = format!("{what}: {}", area.words());
                let response = ui
                    .interact(rect, id, egui::Sense::drag())
                    .on_hover_cursor(egui::CursorIcon::Grab);
                response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &name));
                let fill = if response.hovered() || response.dragged() {
                    colour
                } else {
                    egui::Color32::WHITE
                };
                ui.painter().rect(
                    rect.shrink(1.0),
                    2.0,
                    fill,
                    egui::Stroke::new(1.5, colour),
                    egui::StrokeKind::Inside,
                );
                if response.dragged()
                    && let Some(pointer) = response.interact_pointer_pos()
                {
                    let (lon, lat) = transform.invert(pointer).to_lon_lat();
                    if let Some(reshaped) = area_tool::moved(area, handle, lat, lon) {
                        let mut filter = view.state.filter.clone();
                        filter.areas[area_index] = reshaped;
                        commands.push(Command::SetFilter(filter));
                    }
                }
            }
        }
    }

    /// The area tool on, for a new area of this shape.
    pub fn start_drawing(&mut self, mode: DrawMode) {
        self.measure = None;
        self.editing_areas = false;
        self.drawing = Some(AreaDraft::new(mode));
    }

    fn apply_basemap_request(
        &mut self,
        ctx: &egui::Context,
        settings: &BasemapSettings,
        commands: &mut Vec<Command>,
    ) {
        let Some(request) = self.pending.take() else {
            return;
        };
        match request {
            BasemapRequest::Offline => {
                // Dropping the tiles stops every fetch.
                self.tiles = None;
                self.probe = None;
            }
            BasemapRequest::Online => match TileBasemap::online(&settings.url_template, ctx) {
                Ok(tiles) => {
                    self.probe = Some(crate::tiles::probe(&settings.url_template));
                    self.tiles = Some(tiles);
                }
                Err(error) => commands.push(Command::Notify(Notice::warning(error.to_string()))),
            },
            BasemapRequest::File(path) => match TileBasemap::open_file(&path, ctx) {
                Ok(tiles) => {
                    self.tiles = Some(tiles);
                    self.probe = None;
                }
                Err(error) => commands.push(Command::Notify(Notice::warning(format!(
                    "{error}. The offline basemap stays."
                )))),
            },
        }
    }

    /// A failed or absent network: one quiet notice, back to the offline basemap.
    fn poll_probe(&mut self, commands: &mut Vec<Command>) {
        let Some(answer) = self.probe.as_ref().and_then(|probe| probe.try_recv().ok()) else {
            return;
        };
        self.probe = None;
        if let Err(error) = answer {
            self.tiles = None;
            commands.push(Command::Notify(Notice::warning(format!(
                "Online tiles unavailable ({error}); showing the offline basemap."
            ))));
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

    pub fn set_zoom(&mut self, zoom: f64) {
        let _ = self.memory.set_zoom(zoom.clamp(2.0, 16.0));
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
        self.set_zoom(zoom.clamp(2.0, 11.0));
    }

    /// Move the view by a number of screen points (keyboard panning).
    fn pan_by(&mut self, delta: Vec2) {
        let (lat, lon, zoom) = self.center_and_zoom();
        let world_points = 256.0 * 2f64.powf(zoom);
        let mut center = Mercator::from_lon_lat(lon, lat);
        center.x += f64::from(delta.x) / world_points;
        center.y += f64::from(delta.y) / world_points;
        let (lon, lat) = center.to_lon_lat();
        self.center_on(lat, lon);
    }

    fn keyboard(&mut self, ui: &egui::Ui) {
        if ui.ctx().egui_wants_keyboard_input() {
            return;
        }

        // Arrow keys pan the map while the pointer is over it; elsewhere they step playback.
        let over_map = ui.rect_contains_pointer(ui.available_rect_before_wrap());
        let (zoom_in, zoom_out, pan) = ui.ctx().input_mut(|input| {
            let mut pan = Vec2::ZERO;
            for (key, direction) in [
                (egui::Key::ArrowLeft, Vec2::new(-1.0, 0.0)),
                (egui::Key::ArrowRight, Vec2::new(1.0, 0.0)),
                (egui::Key::ArrowUp, Vec2::new(0.0, -1.0)),
                (egui::Key::ArrowDown, Vec2::new(0.0, 1.0)),
            ] {
                if over_map && input.consume_key(egui::Modifiers::NONE, key) {
                    pan += direction * KEY_PAN;
                }
            }
            (
                input.key_pressed(egui::Key::Plus) || input.key_pressed(egui::Key::Equals),
                input.key_pressed(egui::Key::Minus),
                pan,
            )
        });
        if zoom_in {
            let _ = self.memory.zoom_in();
        }
        if zoom_out {
            let _ = self.memory.zoom_out();
        }
        if pan != Vec2::ZERO {
            self.pan_by(pan);
        }
    }

    pub fn show(&mut self, ui: &mut egui::Ui, view: &ViewContext<'_>, commands: &mut Vec<Command>) {
        self.apply_basemap_request(ui.ctx(), &view.state.basemap, commands);
        self.poll_probe(commands);
        if self.probe.is_some() {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(200));
        }
        self.keyboard(ui);
        let dark = ui.visuals().dark_mode;
        let palette = Palette::new(dark);
        let layers = view.state.map_overlays.clone();
        let my_position = lat_lon(REGION_CENTER.0, REGION_CENTER.1);
        let basemap = &self.basemap;
        let heatmap = &mut self.heatmap;
        let density = &mut self.density;
        let showing_bins = &mut self.showing_bins;
        let measure = self.measure.as_ref();
        let drawing = self.drawing.as_ref();
        let ctx = ui.ctx().clone();
        let with_tiles = self.tiles.is_some();
        if with_tiles {
            // Under the tiles, so that the offline basemap shows wherever a tile is missing.
            // Drawn with this frame's view before the map handles input: at most one frame
            // behind while dragging, and hidden by the tiles once they are there.
            let rect = ui.available_rect_before_wrap();
            let (lat, lon, zoom) = {
                let center = self
                    .memory
                    .detached()
                    .unwrap_or_else(|| lat_lon(REGION_CENTER.0, REGION_CENTER.1));
                (center.y(), center.x(), self.memory.zoom())
            };
            let transform = ScreenTransform::centred(rect, Mercator::from_lon_lat(lon, lat), zoom);
            let painter = ui.painter().with_clip_rect(rect);
            painter.rect_filled(rect, 0.0, palette.sea);
            offline_basemap::draw_land(&painter, basemap, transform, rect, &palette);
        }

        let map = Map::new(
            self.tiles.as_mut().map(|tiles| tiles.tiles()),
            &mut self.memory,
            my_position,
        )
        .zoom_with_ctrl(false)
        // A double click closes a polygon being drawn.
        .double_click_to_zoom(drawing.is_none());
        let inner = map.show(ui, |ui, response, projector, memory| {
            let rect = response.rect;
            let painter = ui.painter().with_clip_rect(rect);
            let transform = ScreenTransform::new(projector);
            let zoom = memory.zoom();
            if !with_tiles {
                painter.rect_filled(rect, 0.0, palette.sea);
                offline_basemap::draw_land(&painter, basemap, transform, rect, &palette);
            }
            let totals = layers.choropleth.then_some(&view.derived.provinces);
            let change = view
                .change
                .filter(|_| layers.choropleth && layers.choropleth_change);
            if let Some(change) = change {
                offline_basemap::draw_change(&painter, basemap, change, transform, rect);
            } else if let Some(totals) = totals {
                offline_basemap::draw_choropleth(
                    &painter,
                    basemap,
                    totals,
                    layers.choropleth_measure,
                    transform,
                    rect,
                );
            }
            offline_basemap::draw_borders(&painter, basemap, transform, rect, &palette);
            if layers.heatmap {
                let key = heatmap::HeatmapKey {
                    generation: view.derived.generation,
                    weight: layers.heatmap_weight,
                    rect,
                    anchor: transform.apply(Mercator { x: 0.5, y: 0.5 }),
                    zoom_bits: zoom.to_bits(),
                };
                let points = density.points(view);
                heatmap.show(&ctx, &painter, key, || {
                    view.filtered_incidents()
                        .map(|(index, incident)| {
                            (
                                transform.apply(points[index]),
                                heatmap::weight_of(layers.heatmap_weight, incident),
                            )
                        })
                        .collect()
                });
            }
            // Many incidents in view: density bins, cached until the filter or the view moves.
            let bins = (layers.symbols
                && view.derived.filtered.len() > incident_symbols::MAX_SYMBOLS)
                .then(|| density.bins(view, transform, rect))
                .filter(|bins| bins.in_view > incident_symbols::MAX_SYMBOLS);
            if let Some(bins) = &bins {
                bins.draw(&painter, dark);
            }
            let batch = (layers.symbols && bins.is_none()).then(|| {
                let cluster = layers.clusters && zoom < CLUSTER_MAX_ZOOM;
                let points = density.points(view);
                incident_symbols::gather(view, points, projector, transform, rect, cluster)
            });
            *showing_bins = bins.is_some();
            if let Some(batch) = &batch {
                incident_symbols::draw(&painter, view, batch, dark);
            }
            if let Some(batch) = &batch {
                incident_symbols::draw_clusters(&painter, view, batch, dark);
            }
            let mut city_labels = Vec::new();
            // Tile basemaps carry their own place names.
            if layers.labels && !with_tiles {
                // Over the symbols and clusters, moved clear of them where a side of the dot
                // is free: a city under a cluster stays named.
                let avoid = batch.as_ref().map(|b| b.footprints()).unwrap_or_default();
                city_labels = offline_basemap::labels(
                    &painter, basemap, transform, rect, zoom, &palette, &avoid,
                );
            }
            let pointer = response.hover_pos();
            let area_colour = if dark {
                egui::Color32::from_rgb(120, 220, 255)
            } else {
                egui::Color32::from_rgb(0, 90, 200)
            };
            for area in &view.state.filter.areas {
                area_tool::draw(&painter, area, transform, area_colour, false);
            }
            if let Some(draft) = drawing {
                let at = pointer.map(|p| {
                    let (lon, lat) = transform.invert(p).to_lon_lat();
                    (lat, lon)
                });
                if let Some(preview) = draft.preview(at) {
                    area_tool::draw(&painter, &preview, transform, area_colour, true);
                }
                let screen =
                    |&(lat, lon): &(f64, f64)| transform.apply(Mercator::from_lon_lat(lon, lat));
                let trail: Vec<egui::Pos2> = draft.trail(at).iter().map(screen).collect();
                if trail.len() >= 2 {
                    painter.add(egui::Shape::dashed_line(
                        &trail,
                        egui::Stroke::new(2.0, area_colour),
                        8.0,
                        4.0,
                    ));
                }
                for point in draft.points.iter().map(screen) {
                    painter.circle(
                        point,
                        4.0,
                        area_colour,
                        egui::Stroke::new(1.0, egui::Color32::BLACK),
                    );
                }
                if let Some(pointer) = pointer {
                    // On a dark box, as the map's other labels: readable over land, sea and
                    // names alike.
                    let galley = painter.layout_no_wrap(
                        draft.hint().to_owned(),
                        egui::FontId::proportional(12.0),
                        egui::Color32::WHITE,
                    );
                    let at = pointer + egui::vec2(16.0, 16.0);
                    let background = egui::Rect::from_min_size(at, galley.size()).expand(3.0);
                    painter.rect_filled(background, 3.0, egui::Color32::from_black_alpha(200));
                    painter.galley(at, galley, egui::Color32::WHITE);
                }
            }
            if let Some(measure) = measure {
                measure.draw(
                    &painter,
                    transform,
                    pointer,
                    egui::Color32::from_rgb(255, 210, 0),
                );
            }
            let km_per_point =
                1.0 / f64::from(
                    projector.scale_pixel_per_meter(projector.unproject(rect.center().to_vec2())),
                ) / 1000.0;
            let pointer_lat_lon = pointer.filter(|_| !view.presenting).map(|p| {
                let (lon, lat) = transform.invert(p).to_lon_lat();
                (lat, lon)
            });
            tools::scale_bar(
                &painter,
                rect,
                km_per_point,
                pointer_lat_lon,
                measure.and_then(DistanceTool::distance_km),
                ui.visuals().text_color(),
                ui.visuals().panel_fill.gamma_multiply(0.85),
            );
            let hit = pointer.and_then(|pointer| {
                if measure.is_some() || drawing.is_some() {
                    return None;
                }
                if let Some(hit) = batch
                    .as_ref()
                    .and_then(|b| incident_symbols::hit(b, pointer))
                {
                    return Some(MapHit::Symbol(hit));
                }
                if let Some(bin) = bins.as_ref().and_then(|bins| bins.hit(pointer)) {
                    return Some(MapHit::Bin(bin.clone()));
                }
                if let Some(&(_, city)) = city_labels.iter().find(|(r, _)| r.contains(pointer)) {
                    return Some(MapHit::City(city));
                }
                let totals = totals?;
                let area = basemap.province_at(transform.invert(pointer))?;
                let key = area.key();
                totals.contains_key(&key).then_some(MapHit::Province(key))
            });
            FrameOutput {
                rect,
                hit,
                pointer: pointer_lat_lon,
                transform,
            }
        });
        let output = inner.inner;
        let response = inner.response;
        let rect = output.rect;
        self.last_size = rect.size();
        if std::mem::take(&mut self.fit_region_when_shown) {
            self.frame_region();
            ui.ctx().request_repaint();
        }
        // A click is a press and release without a drag (dragging pans the map).
        let clicked = response.clicked() && !response.dragged();

        if let (Some(measure), Some((lat, lon))) = (&mut self.measure, output.pointer)
            && clicked
        {
            measure.click(lat, lon);
        }
        if let Some(draft) = &mut self.drawing {
            let finished = match (output.pointer, response.hover_pos()) {
                // The double click's first click placed its last corner.
                _ if response.double_clicked() && draft.mode == DrawMode::Polygon => draft.finish(),
                (Some((lat, lon)), Some(at)) if clicked => {
                    let first = draft.points.first().map(|&(lat, lon)| {
                        output.transform.apply(Mercator::from_lon_lat(lon, lat))
                    });
                    draft.click(
                        lat,
                        lon,
                        first.is_some_and(|first| first.distance(at) < 8.0),
                    )
                }
                _ => None,
            };
            if let Some(area) = finished {
                let mut filter = view.state.filter.clone();
                filter.areas.push(area);
                commands.push(Command::SetFilter(filter));
            }
            ui.ctx().request_repaint();
        }
        match output.hit {
            Some(MapHit::Symbol(SymbolHit::Incident(index))) => {
                commands.push(Command::Hover(Hover::One(index)));
                let incident = view.incident(index);
                response
                    .clone()
                    .on_hover_ui_at_pointer(|ui| super::timeline::incident_tooltip(ui, incident));
                if clicked {
                    commands.push(Command::Select(Some(index)));
                }
            }
            Some(MapHit::Symbol(SymbolHit::Cluster(cluster))) => {
                response.clone().on_hover_ui_at_pointer(|ui| {
                    ui.label(egui::RichText::new("Cluster").strong());
                    ui.label(incident_symbols::describe_total(&cluster.total));
                    ui.label(
                        egui::RichText::new("Click to zoom in and split it")
                            .small()
                            .weak(),
                    );
                });
                if clicked {
                    let (lon, lat) = output.transform.invert(cluster.at).to_lon_lat();
                    self.center_on(lat, lon);
                    let zoom = self.memory.zoom();
                    self.set_zoom(zoom + 2.0);
                }
                commands.push(Command::Hover(Hover::group(cluster.members)));
            }
            Some(MapHit::Bin(bin)) => {
                response.clone().on_hover_ui_at_pointer(|ui| {
                    ui.label(egui::RichText::new("Area").strong());
                    ui.label(incident_symbols::describe_total(&bin.total));
                    ui.label(
                        egui::RichText::new(format!(
                            "Over {} incidents are shown as counts per area; click to zoom in",
                            incident_symbols::MAX_SYMBOLS
                        ))
                        .small()
                        .weak(),
                    );
                });
                if clicked {
                    let (lon, lat) = output.transform.invert(bin.rect.center()).to_lon_lat();
                    self.center_on(lat, lon);
                    let zoom = self.memory.zoom();
                    self.set_zoom(zoom + 2.0);
                }
            }
            Some(MapHit::Province(key)) => {
                let total = view
                    .derived
                    .provinces
                    .get(&key)
                    .copied()
                    .unwrap_or_default();
                let crate::model::ProvinceKey { country_code, name } = key;
                let already = view.state.filter.provinces.contains(&name);
                response.clone().on_hover_ui_at_pointer(|ui| {
                    ui.label(egui::RichText::new(format!("{name}, {country_code}")).strong());
                    ui.label(incident_symbols::describe_total(&total));
                    ui.label(
                        egui::RichText::new(if already {
                            "Click to remove this province from the filter"
                        } else {
                            "Click to filter to this province"
                        })
                        .small()
                        .weak(),
                    );
                });
                // Its incidents light up on the timeline and in the table (not when they are
                // too many to mark one by one).
                if view.derived.filtered.len() <= incident_symbols::MAX_SYMBOLS {
                    commands.push(Command::Hover(Hover::group(
                        view.filtered_incidents()
                            .filter(|(_, incident)| {
                                incident.location.admin1 == name
                                    && incident.location.country_code == country_code
                            })
                            .map(|(index, _)| index)
                            .collect(),
                    )));
                }
                if clicked {
                    let mut filter = view.state.filter.clone();
                    if !filter.provinces.remove(&name) {
                        filter.provinces = [name].into();
                    }
                    commands.push(Command::SetFilter(filter));
                }
            }
            Some(MapHit::City(index)) => {
                if let Some(city) = self.basemap.cities.get(index) {
                    response.clone().on_hover_ui_at_pointer(|ui| {
                        ui.label(egui::RichText::new(&city.english).strong());
                        ui.label(format!(
                            "GeoNames: {} ({}) \u{b7} population {}",
                            city.name,
                            city.country_code,
                            group_thousands(city.population)
                        ));
                    });
                }
            }
            None => {}
        }

        let transform = output.transform;
        if self.editing_areas && !view.presenting {
            self.area_handles(ui, view, transform, commands);
        }
        super::notes::map_notes(
            ui,
            view,
            rect,
            |lat, lon| transform.apply(Mercator::from_lon_lat(lon, lat)),
            |pos| {
                let (lon, lat) = transform.invert(pos).to_lon_lat();
                (lat, lon)
            },
            commands,
        );
        // Slides show the map, its legend and credits, not the controls.
        let actions = if view.presenting {
            overlays::ControlActions::default()
        } else {
            overlays::controls(
                ui,
                rect,
                &layers,
                &view.state.basemap,
                self.tiles.as_ref(),
                overlays::ActiveTools {
                    measuring: self.measure.is_some(),
                    drawing: self.drawing.as_ref().map(|draft| draft.mode),
                    editing: self.editing_areas,
                    filter: &view.state.filter,
                },
                commands,
            )
        };
        if self.is_online() {
            overlays::online_badge(ui, rect, &view.state.basemap.url_template);
        }
        if actions.zoom_in {
            let _ = self.memory.zoom_in();
        }
        if actions.zoom_out {
            let _ = self.memory.zoom_out();
        }
        if let Some(mode) = actions.draw {
            self.drawing = mode.map(AreaDraft::new);
            self.measure = None;
            self.editing_areas = false;
        }
        if actions.toggle_editing {
            self.editing_areas = !self.editing_areas;
            self.drawing = None;
            self.measure = None;
        }
        if actions.toggle_measure {
            self.measure = match self.measure {
                Some(_) => None,
                None => Some(DistanceTool::default()),
            };
        }
        // Under the controls in the app; slides have none.
        let top = if view.presenting { 16.0 } else { 62.0 };
        let at = overlays::legend_corner(view, rect, top, self.legend_size, |lat, lon| {
            transform.apply(Mercator::from_lon_lat(lon, lat))
        });
        self.legend_size = overlays::legend(
            ui,
            rect,
            at,
            view,
            self.showing_bins,
            &mut self.legend_collapsed,
        );
        // In presentation mode the source line under the slide carries the credits.
        if !view.presenting {
            overlays::credits(ui, rect, self.tile_credit().as_deref());
        }
    }
}
