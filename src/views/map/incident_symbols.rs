//! Incident symbols and clusters: gather the visible incidents into a plain batch of screen
//! positions and sizes, merge crowded ones into clusters, then draw and hit-test the batch.

use std::collections::HashMap;

use egui::{Color32, Pos2, Rect, Stroke};
use walkers::{Projector, lat_lon};

use crate::basemap::Mercator;
use crate::model::aggregate::GroupTotal;
use crate::model::columns::split_work;
use crate::model::selection::Highlight;
use crate::model::{Category, LocationPrecision};

use super::ScreenTransform;
use crate::views::ViewContext;
use crate::views::style::{self, MarkerShape};

/// Distance, in points, within which crowded symbols merge into one cluster.
const CLUSTER_RADIUS: f32 = 34.0;
/// From this zoom on, clusters always split into their incidents.
pub const CLUSTER_MAX_ZOOM: f64 = 9.0;

/// One incident, placed on screen.
#[derive(Clone, Copy, Debug)]
pub(super) struct Symbol {
    pub index: usize,
    pub at: Pos2,
    pub radius: f32,
    /// Radius of the area the place may lie in, in points (0 for an exact site).
    pub uncertainty: f32,
}

/// Several incidents too close to tell apart at this zoom.
#[derive(Clone, Debug)]
pub(super) struct Cluster {
    pub members: Vec<usize>,
    pub at: Pos2,
    pub total: GroupTotal,
    pub dominant: Category,
}

impl Cluster {
    pub(super) fn radius(&self) -> f32 {
        (9.0 + 2.5 * (self.members.len() as f32).sqrt()).min(26.0)
    }
}

/// What the pointer is over on the incident layer.
#[derive(Clone, Debug)]
pub(super) enum SymbolHit {
    Incident(usize),
    Cluster(Cluster),
}

/// The filtered incidents on screen: singles and clusters.
pub(super) struct Batch {
    pub singles: Vec<Symbol>,
    pub clusters: Vec<Cluster>,
}

impl Batch {
    /// Where the symbols and cluster discs lie on screen, for labels to keep clear of.
    pub(super) fn footprints(&self) -> Vec<Rect> {
        let disc =
            |at: Pos2, radius: f32| Rect::from_center_size(at, egui::Vec2::splat(2.0 * radius));
        self.clusters
            .iter()
            .map(|cluster| disc(cluster.at, cluster.radius() + 1.5))
            .chain(
                self.singles
                    .iter()
                    .map(|symbol| disc(symbol.at, symbol.radius + 1.0)),
            )
            .collect()
    }
}

pub(super) fn gather(
    view: &ViewContext<'_>,
    points: &[Mercator],
    projector: &Projector<'_>,
    transform: ScreenTransform,
    rect: Rect,
    cluster: bool,
) -> Batch {
    // Far off screen is skipped before anything is read from the incident.
    let margin = rect.expand(rect.width().max(rect.height()));
    let mut singles: Vec<Symbol> = view
        .derived
        .filtered
        .iter()
        .filter(|&&index| margin.contains(transform.apply(points[index])))
        .map(|&index| (index, view.incident(index)))
        .filter_map(|(index, incident)| {
            let location = &incident.location;
            let at = transform.apply(points[index]);
            let radius = style::marker_radius(incident.killed.max());
            let metres_to_points =
                projector.scale_pixel_per_meter(lat_lon(location.lat, location.lon));
            let uncertainty = (location.uncertainty_km() * 1000.0) as f32 * metres_to_points;
            rect.expand(radius.max(uncertainty))
                .contains(at)
                .then_some(Symbol {
                    index,
                    at,
                    radius,
                    uncertainty,
                })
        })
        .collect();
    // Biggest first, so small symbols stay visible on top.
    singles.sort_by(|a, b| b.radius.total_cmp(&a.radius));
    if !cluster {
        return Batch {
            singles,
            clusters: Vec::new(),
        };
    }

    // Greedy clustering: the biggest symbol not yet taken collects every free symbol within
    // CLUSTER_RADIUS of it. A grid of that cell size keeps the neighbour search local.
    let cell_of = |at: Pos2| {
        (
            (at.x / CLUSTER_RADIUS).floor() as i32,
            (at.y / CLUSTER_RADIUS).floor() as i32,
        )
    };
    let mut grid: HashMap<(i32, i32), Vec<usize>> = HashMap::new();
    for (position, symbol) in singles.iter().enumerate() {
        grid.entry(cell_of(symbol.at)).or_default().push(position);
    }
    let mut taken = vec![false; singles.len()];
    let mut groups: Vec<Vec<Symbol>> = Vec::new();
    for seed in 0..singles.len() {
        if taken[seed] {
            continue;
        }
        let centre = singles[seed].at;
        let (cx, cy) = cell_of(centre);
        let mut members = Vec::new();
        for dx in -1..=1 {
            for dy in -1..=1 {
                for &other in grid.get(&(cx + dx, cy + dy)).into_iter().flatten() {
                    if !taken[other] && singles[other].at.distance(centre) <= CLUSTER_RADIUS {
                        taken[other] = true;
                        members.push(singles[other]);
                    }
                }
            }
        }
        groups.push(members);
    }
    let mut batch = Batch {
        singles: Vec::new(),
        clusters: Vec::new(),
    };
    for members in groups {
        if members.len() == 1 {
            batch.singles.extend(members);
            continue;
        }
        let n = members.len() as f32;
        let at = Pos2::new(
            members.iter().map(|s| s.at.x).sum::<f32>() / n,
            members.iter().map(|s| s.at.y).sum::<f32>() / n,
        );
        let mut total = GroupTotal::default();
        let mut categories: HashMap<Category, usize> = HashMap::new();
        for symbol in &members {
            let incident = view.incident(symbol.index);
            total.add(incident);
            *categories
                .entry(Category::of(view.state.stack_by, incident))
                .or_default() += 1;
        }
        let dominant = categories
            .into_iter()
            .max_by_key(|&(category, count)| (count, std::cmp::Reverse(category)))
            .map(|(category, _)| category)
            .expect("a cluster has members");
        let mut members: Vec<usize> = members.iter().map(|s| s.index).collect();
        members.sort_unstable();
        batch.clusters.push(Cluster {
            members,
            at,
            total,
            dominant,
        });
    }
    batch.singles.sort_by(|a, b| b.radius.total_cmp(&a.radius));
    batch.clusters.sort_by_key(|cluster| cluster.members.len());
    batch
}

/// The edge of a layer's halo in the light theme (see `draw`); the legend's swatches use it too.
pub(super) const LAYER_HALO_EDGE_LIGHT: Stroke = Stroke {
    width: 0.8,
    color: Color32::from_black_alpha(150),
};

pub(super) fn draw(painter: &egui::Painter, view: &ViewContext<'_>, batch: &Batch, dark: bool) {
    let stack_by = view.state.stack_by;
    let outline_colour = if dark {
        Color32::from_black_alpha(200)
    } else {
        Color32::from_white_alpha(230)
    };
    // Imprecise places are drawn as a faint area of their uncertainty, not a pinpoint.
    for symbol in &batch.singles {
        let incident = view.incident(symbol.index);
        let precision = incident.location.precision;
        if symbol.uncertainty <= symbol.radius + 2.0
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
            symbol.at,
            symbol.uncertainty,
            fill,
            Stroke::new(1.0, colour.gamma_multiply(0.35)),
        );
    }
    let several_layers = view.several_layers();
    for symbol in &batch.singles {
        let incident = view.incident(symbol.index);
        let colour = style::category_colour(Category::of(stack_by, incident));
        let shape = MarkerShape::of(incident.attribution);
        // With several layers shown, the halo takes the layer's colour; on the light basemap
        // a thin dark edge keeps pale layer colours (yellow, grey) visible.
        let (halo_colour, halo_width, halo_edge) = match view.layer_of(symbol.index) {
            Some(layer) if several_layers => {
                let [r, g, b] = layer.spec.colour;
                let edge = if dark {
                    Stroke::NONE
                } else {
                    LAYER_HALO_EDGE_LIGHT
                };
                (Color32::from_rgb(r, g, b), 2.2, edge)
            }
            _ => (outline_colour, 1.2, Stroke::NONE),
        };
        painter.add(shape.shape(
            symbol.at,
            symbol.radius + halo_width,
            halo_colour,
            halo_edge,
        ));
        let imprecise = matches!(
            incident.location.precision,
            LocationPrecision::Province | LocationPrecision::Country
        );
        // Paler when the place is not known to this point.
        let fill = if imprecise {
            colour.gamma_multiply(0.55)
        } else {
            colour
        };
        painter.add(shape.shape(symbol.at, symbol.radius, fill, Stroke::NONE));
    }
    // Highlights last: whichever view set them, they show here too.
    for symbol in &batch.singles {
        let highlight = view.highlight(symbol.index);
        if highlight > Highlight::None {
            let incident = view.incident(symbol.index);
            let shape = MarkerShape::of(incident.attribution);
            let selected = highlight == Highlight::Selected;
            painter.add(shape.outline(
                symbol.at,
                symbol.radius + 3.0,
                style::highlight_stroke(dark, selected),
            ));
        }
    }
}

/// Cluster discs, over the single symbols (city labels go over both, moved clear of them
/// where they can be).
pub(super) fn draw_clusters(
    painter: &egui::Painter,
    view: &ViewContext<'_>,
    batch: &Batch,
    dark: bool,
) {
    let text_colour = if dark { Color32::WHITE } else { Color32::BLACK };
    let cluster_fill = if dark {
        Color32::from_rgb(0x24, 0x28, 0x2e)
    } else {
        Color32::from_rgb(0xfa, 0xfa, 0xfa)
    };
    for cluster in &batch.clusters {
        let radius = cluster.radius();
        let ring = style::category_colour(cluster.dominant);
        painter.circle(cluster.at, radius, cluster_fill, Stroke::new(3.0, ring));
        painter.text(
            cluster.at,
            egui::Align2::CENTER_CENTER,
            cluster.members.len().to_string(),
            egui::FontId::proportional(12.5),
            text_colour,
        );
    }
    for cluster in &batch.clusters {
        let highlight = cluster
            .members
            .iter()
            .map(|&index| view.highlight(index))
            .max()
            .unwrap_or(Highlight::None);
        if highlight > Highlight::None {
            painter.circle_stroke(
                cluster.at,
                cluster.radius() + 3.0,
                style::highlight_stroke(dark, highlight == Highlight::Selected),
            );
        }
    }
}

/// The incident or cluster under the pointer, nearest first.
pub(super) fn hit(batch: &Batch, pointer: Pos2) -> Option<SymbolHit> {
    let cluster = batch
        .clusters
        .iter()
        .filter(|cluster| cluster.at.distance(pointer) <= cluster.radius() + 2.0)
        .min_by(|a, b| a.at.distance(pointer).total_cmp(&b.at.distance(pointer)));
    if let Some(cluster) = cluster {
        return Some(SymbolHit::Cluster(cluster.clone()));
    }
    batch
        .singles
        .iter()
        .filter_map(|symbol| {
            let distance = symbol.at.distance(pointer);
            (distance <= symbol.radius + 4.0).then_some((distance, symbol.index))
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, index)| SymbolHit::Incident(index))
}

/// "12 incidents · killed 40-52 (+3 unknown)" for a cluster or province tooltip.
pub(super) fn describe_total(total: &GroupTotal) -> String {
    format!(
        "{} incident{} \u{b7} killed {}",
        total.count,
        if total.count == 1 { "" } else { "s" },
        total.killed.display()
    )
}

/// Above this many filtered incidents the map draws density bins instead of one symbol each:
/// gathering, clustering and painting a symbol per incident stops fitting in a frame.
pub const MAX_SYMBOLS: usize = 8_000;
/// Side of a density bin, in points.
const BIN_SIZE: f32 = 30.0;

/// Every incident's position in Web Mercator, projected once per dataset.
#[derive(Default)]
pub(super) struct Projected {
    version: Option<u64>,
    points: Vec<Mercator>,
}

impl Projected {
    pub(super) fn refresh(&mut self, view: &ViewContext<'_>) -> &[Mercator] {
        if self.version != Some(view.dataset_version) {
            self.points = view
                .dataset
                .incidents
                .iter()
                .map(|incident| {
                    Mercator::from_lon_lat(incident.location.lon, incident.location.lat)
                })
                .collect();
            self.version = Some(view.dataset_version);
        }
        &self.points
    }
}

/// The projected positions and the last bins, kept between frames.
#[derive(Default)]
pub(super) struct Density {
    projected: Projected,
    cached: Option<(BinsKey, Bins)>,
}

impl Density {
    /// Every incident's projected position (computed once per dataset).
    pub(super) fn points(&mut self, view: &ViewContext<'_>) -> &[Mercator] {
        self.projected.refresh(view)
    }

    /// Bins for this frame: recomputed only when the filter, the data or the view changed.
    pub(super) fn bins(
        &mut self,
        view: &ViewContext<'_>,
        transform: ScreenTransform,
        rect: Rect,
    ) -> Bins {
        let key = BinsKey {
            generation: view.derived.generation,
            version: view.dataset_version,
            origin: transform.origin,
            scale: transform.scale,
            rect,
        };
        if let Some((cached_key, bins)) = &self.cached
            && *cached_key == key
        {
            return bins.clone();
        }
        let points = self.projected.refresh(view);
        let bins = Bins::gather(view, points, transform, rect);
        self.cached = Some((key, bins.clone()));
        bins
    }
}

/// Incidents counted in a square of the screen grid.
#[derive(Clone, Debug)]
pub(super) struct Bin {
    pub rect: Rect,
    pub total: GroupTotal,
}

/// The filtered incidents binned on a screen grid; the grid is also the hover index.
#[derive(Clone, Debug, Default)]
pub(super) struct Bins {
    pub bins: Vec<Bin>,
    origin: Pos2,
    columns: usize,
    rows: usize,
    /// For each grid cell, 1 + its index in `bins`, or 0 when empty.
    cell_to_bin: Vec<u32>,
    /// The largest count, for the colour scale.
    pub max_count: usize,
    /// Filtered incidents inside the view.
    pub in_view: usize,
}

/// What the bins were computed for: the filter's result and where the map is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct BinsKey {
    pub generation: u64,
    pub version: u64,
    pub origin: Pos2,
    pub scale: f64,
    pub rect: Rect,
}

impl Bins {
    pub(super) fn gather(
        view: &ViewContext<'_>,
        points: &[Mercator],
        transform: ScreenTransform,
        rect: Rect,
    ) -> Self {
        let columns = (rect.width() / BIN_SIZE).ceil().max(1.0) as usize;
        let rows = (rect.height() / BIN_SIZE).ceil().max(1.0) as usize;
        let cells = columns * rows;
        let filtered = &view.derived.filtered;
        // Each thread bins its share of the filtered incidents on its own grid; the grids add.
        let parts = split_work(filtered.len(), |range| {
            let mut totals = vec![GroupTotal::default(); cells];
            let mut in_view = 0;
            for &index in &filtered[range] {
                let at = transform.apply(points[index]);
                let (x, y) = (
                    (at.x - rect.min.x) / BIN_SIZE,
                    (at.y - rect.min.y) / BIN_SIZE,
                );
                if x < 0.0 || y < 0.0 || x >= columns as f32 || y >= rows as f32 {
                    continue;
                }
                in_view += 1;
                let total = &mut totals[y as usize * columns + x as usize];
                total.count += 1;
                // From the columns: reading a million `Incident`s would not fit in a frame.
                total.add_killed(view.columns.killed(index));
            }
            (totals, in_view)
        });
        let mut parts = parts.into_iter();
        let (mut totals, mut in_view) = parts
            .next()
            .unwrap_or_else(|| (vec![GroupTotal::default(); cells], 0));
        for (other, other_in_view) in parts {
            in_view += other_in_view;
            for (mine, theirs) in totals.iter_mut().zip(&other) {
                mine.merge(theirs);
            }
        }
        let mut bins = Self {
            origin: rect.min,
            columns,
            rows,
            cell_to_bin: vec![0; columns * rows],
            in_view,
            ..Self::default()
        };
        for (cell, total) in totals.into_iter().enumerate() {
            if total.count == 0 {
                continue;
            }
            let min = rect.min
                + egui::vec2(
                    (cell % columns) as f32 * BIN_SIZE,
                    (cell / columns) as f32 * BIN_SIZE,
                );
            bins.max_count = bins.max_count.max(total.count);
            bins.bins.push(Bin {
                rect: Rect::from_min_size(min, egui::Vec2::splat(BIN_SIZE)),
                total,
            });
            bins.cell_to_bin[cell] = bins.bins.len() as u32;
        }
        bins
    }

    /// The bin under the pointer: a grid lookup, not a search.
    pub(super) fn hit(&self, pointer: Pos2) -> Option<&Bin> {
        let (x, y) = (
            (pointer.x - self.origin.x) / BIN_SIZE,
            (pointer.y - self.origin.y) / BIN_SIZE,
        );
        if x < 0.0 || y < 0.0 || x >= self.columns as f32 || y >= self.rows as f32 {
            return None;
        }
        match self.cell_to_bin[y as usize * self.columns + x as usize] {
            0 => None,
            bin => self.bins.get(bin as usize - 1),
        }
    }

    /// Squares shaded by the logarithm of their count, labelled with it.
    pub(super) fn draw(&self, painter: &egui::Painter, dark: bool) {
        let base = Color32::from_rgb(0xD5, 0x5E, 0x00);
        let scale = (self.max_count as f32).ln_1p().max(1.0);
        for bin in &self.bins {
            let strength = (bin.total.count as f32).ln_1p() / scale;
            let fill = base.gamma_multiply(0.25 + 0.7 * strength);
            painter.rect_filled(bin.rect.shrink(1.5), 3.0, fill);
            let text_colour = if strength > 0.5 || !dark {
                Color32::WHITE
            } else {
                Color32::from_gray(230)
            };
            painter.text(
                bin.rect.center(),
                egui::Align2::CENTER_CENTER,
                compact_count(bin.total.count),
                egui::FontId::proportional(10.5),
                text_colour,
            );
        }
    }
}

/// "7", "840", "12k", "1.2M".
pub(super) fn compact_count(count: usize) -> String {
    match count {
        0..=999 => count.to_string(),
        1_000..=9_999 => format!("{:.1}k", count as f64 / 1_000.0),
        10_000..=999_999 => format!("{}k", count / 1_000),
        _ => format!("{:.1}M", count as f64 / 1_000_000.0),
    }
}
