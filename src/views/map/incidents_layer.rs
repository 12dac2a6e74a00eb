//! Incident symbols and clusters: gather the visible incidents into a plain batch of screen
//! positions and sizes, merge crowded ones into clusters, then draw and hit-test the batch.

use std::collections::HashMap;

use egui::{Color32, Pos2, Rect, Stroke};
use walkers::{Projector, lat_lon};

use crate::basemap::Mercator;
use crate::model::aggregate::GroupTotal;
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
pub struct Symbol {
    pub index: usize,
    pub at: Pos2,
    pub radius: f32,
    /// Radius of the area the place may lie in, in points (0 for an exact site).
    pub uncertainty: f32,
}

/// Several incidents too close to tell apart at this zoom.
#[derive(Clone, Debug)]
pub struct Cluster {
    pub members: Vec<usize>,
    pub at: Pos2,
    pub total: GroupTotal,
    pub dominant: Category,
}

impl Cluster {
    pub fn radius(&self) -> f32 {
        (9.0 + 2.5 * (self.members.len() as f32).sqrt()).min(26.0)
    }
}

/// What the pointer is over on the incident layer.
#[derive(Clone, Debug)]
pub enum LayerHit {
    Incident(usize),
    Cluster(Cluster),
}

/// The filtered incidents on screen: singles and clusters.
pub struct Batch {
    pub singles: Vec<Symbol>,
    pub clusters: Vec<Cluster>,
}

pub fn gather(
    view: &ViewContext<'_>,
    projector: &Projector<'_>,
    transform: ScreenTransform,
    rect: Rect,
    cluster: bool,
) -> Batch {
    let mut singles: Vec<Symbol> = view
        .filtered_incidents()
        .filter_map(|(index, incident)| {
            let location = &incident.location;
            let at = transform.apply(Mercator::from_lon_lat(location.lon, location.lat));
            let radius = style::marker_radius(incident.killed.max());
            let metres_to_points =
                projector.scale_pixel_per_meter(lat_lon(location.lat, location.lon));
            let uncertainty =
                (location.precision.uncertainty_km() * 1000.0) as f32 * metres_to_points;
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

pub fn draw(painter: &egui::Painter, view: &ViewContext<'_>, batch: &Batch, dark: bool) {
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
        // With several layers shown, the halo takes the layer's colour.
        let halo = match view.layer_of(symbol.index) {
            Some(layer) if several_layers => {
                let [r, g, b] = layer.spec.colour;
                (Color32::from_rgb(r, g, b), 2.2)
            }
            _ => (outline_colour, 1.2),
        };
        painter.add(shape.shape(symbol.at, symbol.radius + halo.1, halo.0, Stroke::NONE));
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

/// Clusters go on top of the labels: their count matters more than a city name.
pub fn draw_clusters(painter: &egui::Painter, view: &ViewContext<'_>, batch: &Batch, dark: bool) {
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
pub fn hit(batch: &Batch, pointer: Pos2) -> Option<LayerHit> {
    let cluster = batch
        .clusters
        .iter()
        .filter(|cluster| cluster.at.distance(pointer) <= cluster.radius() + 2.0)
        .min_by(|a, b| a.at.distance(pointer).total_cmp(&b.at.distance(pointer)));
    if let Some(cluster) = cluster {
        return Some(LayerHit::Cluster(cluster.clone()));
    }
    batch
        .singles
        .iter()
        .filter_map(|symbol| {
            let distance = symbol.at.distance(pointer);
            (distance <= symbol.radius + 4.0).then_some((distance, symbol.index))
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, index)| LayerHit::Incident(index))
}

/// "12 incidents · killed 40-52 (+3 unknown)" for a cluster or province tooltip.
pub fn describe_total(total: &GroupTotal) -> String {
    format!(
        "{} incident{} \u{b7} killed {}",
        total.count,
        if total.count == 1 { "" } else { "s" },
        total.killed.display()
    )
}
