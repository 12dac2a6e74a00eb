//! Drawing an area filter on the map by clicks (a drag still pans): a circle (its centre, then
//! a point on its edge), a box (two corners) or a polygon (its corners; a double click, or a
//! click on the first corner, closes it). The filter's areas are drawn on the map too, in the
//! app and in pictures, with what they are in words.

use egui::{Color32, Pos2, Stroke};

use super::ScreenTransform;
use crate::basemap::Mercator;
use crate::model::area::{Area, MAX_RADIUS_KM, distance_km};

/// The shape being drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DrawMode {
    Circle,
    Box,
    Polygon,
}

impl DrawMode {
    pub const ALL: [Self; 3] = [Self::Circle, Self::Box, Self::Polygon];

    pub fn label(self) -> &'static str {
        match self {
            Self::Circle => "Circle: its centre, then its edge",
            Self::Box => "Box: two opposite corners",
            Self::Polygon => "Polygon: its corners, double-click to close",
        }
    }
}

/// An area being drawn: the points clicked so far, as (lat, lon).
#[derive(Clone, Debug, PartialEq)]
pub struct AreaDraft {
    pub mode: DrawMode,
    pub points: Vec<(f64, f64)>,
}

impl AreaDraft {
    pub fn new(mode: DrawMode) -> Self {
        Self {
            mode,
            points: Vec::new(),
        }
    }

    /// What the next click does, shown beside the pointer.
    pub fn hint(&self) -> &'static str {
        match (self.mode, self.points.len()) {
            (DrawMode::Circle, 0) => "Click the centre of the circle",
            (DrawMode::Circle, _) => "Click its edge: the radius",
            (DrawMode::Box, 0) => "Click a corner of the box",
            (DrawMode::Box, _) => "Click the opposite corner",
            (DrawMode::Polygon, 0..=2) => "Click the corners",
            (DrawMode::Polygon, _) => {
                "Click more corners; double-click or the first corner to close"
            }
        }
    }

    /// A click at (`lat`, `lon`); the area when this click finishes it. `near_first` says the
    /// click is on the polygon's first corner (within a few pixels on screen).
    pub fn click(&mut self, lat: f64, lon: f64, near_first: bool) -> Option<Area> {
        if self.mode == DrawMode::Polygon && near_first {
            // Too few corners to close: the click on the first corner is not a new one.
            return (self.points.len() >= 3).then(|| self.finish()).flatten();
        }
        self.points.push((lat, lon));
        match self.mode {
            DrawMode::Circle | DrawMode::Box if self.points.len() == 2 => self.finish(),
            _ => None,
        }
    }

    /// The area the points make, if they make one (a double click ends a polygon); the draft
    /// starts again either way.
    pub fn finish(&mut self) -> Option<Area> {
        // A polygon of fewer than three corners is still being drawn.
        if self.mode == DrawMode::Polygon && self.points.len() < 3 {
            return None;
        }
        let area = self.area_with(None);
        self.points.clear();
        area.filter(|area| area.problem().is_none())
    }

    /// The corners clicked so far and the pointer, joined: a polygon's outline before it has
    /// three corners.
    pub fn trail(&self, pointer: Option<(f64, f64)>) -> Vec<(f64, f64)> {
        match self.mode {
            DrawMode::Polygon if self.points.len() < 3 => {
                self.points.iter().copied().chain(pointer).collect()
            }
            _ => Vec::new(),
        }
    }

    /// The area the points make with `pointer` as the next click: the preview.
    pub fn preview(&self, pointer: Option<(f64, f64)>) -> Option<Area> {
        self.area_with(pointer)
    }

    fn area_with(&self, next: Option<(f64, f64)>) -> Option<Area> {
        let points: Vec<(f64, f64)> = self.points.iter().copied().chain(next).collect();
        match (self.mode, points.as_slice()) {
            (DrawMode::Circle, [centre, edge, ..]) => Some(Area::Within {
                lat: centre.0,
                lon: centre.1,
                // Rounded to what a reader takes in; at least a kilometre.
                km: round_km(distance_km(*centre, *edge)).clamp(1.0, MAX_RADIUS_KM),
                label: None,
            }),
            (DrawMode::Box, [a, b, ..]) => Some(Area::Box {
                west: a.1.min(b.1),
                south: a.0.min(b.0),
                east: a.1.max(b.1),
                north: a.0.max(b.0),
            }),
            (DrawMode::Polygon, corners) if corners.len() >= 3 => Some(Area::Polygon {
                points: corners.iter().map(|&(lat, lon)| (lon, lat)).collect(),
                label: None,
            }),
            _ => None,
        }
    }
}

/// The points an area is edited by on the map, as (lat, lon): a circle's centre and the
/// point east of it on its edge, a box's four corners, a polygon's corners.
pub(super) fn handles(area: &Area) -> Vec<(f64, f64)> {
    match area {
        Area::Within { lat, lon, km, .. } => {
            vec![
                (*lat, *lon),
                destination(*lat, *lon, *km, std::f64::consts::FRAC_PI_2),
            ]
        }
        Area::Box {
            west,
            south,
            east,
            north,
        } => vec![
            (*south, *west),
            (*south, *east),
            (*north, *east),
            (*north, *west),
        ],
        Area::Polygon { points, .. } => points.iter().map(|&(lon, lat)| (lat, lon)).collect(),
    }
}

/// `area` with handle `index` moved to (`lat`, `lon`): a circle moves by its centre and takes
/// its radius from its edge; a box's corner moves with its two edges; a polygon's corner moves.
/// `None` where the result would not be a usable area.
pub(super) fn moved(area: &Area, index: usize, lat: f64, lon: f64) -> Option<Area> {
    let mut area = area.clone();
    match &mut area {
        Area::Within {
            lat: centre_lat,
            lon: centre_lon,
            km,
            ..
        } => match index {
            0 => (*centre_lat, *centre_lon) = (lat, lon),
            _ => {
                let radius = distance_km((*centre_lat, *centre_lon), (lat, lon));
                *km = round_km(radius).clamp(1.0, MAX_RADIUS_KM);
            }
        },
        Area::Box {
            west,
            south,
            east,
            north,
        } => {
            // The corner's two edges follow it; the opposite corner stays.
            match index {
                0 => (*south, *west) = (lat, lon),
                1 => (*south, *east) = (lat, lon),
                2 => (*north, *east) = (lat, lon),
                _ => (*north, *west) = (lat, lon),
            }
            let (w, e) = (west.min(*east), west.max(*east));
            let (s, n) = (south.min(*north), south.max(*north));
            (*west, *east, *south, *north) = (w, e, s, n);
        }
        Area::Polygon { points, .. } => {
            *points.get_mut(index)? = (lon, lat);
        }
    }
    area.problem().is_none().then_some(area)
}

/// 1 km steps below 20 km, 5 km to 100, 10 km beyond.
fn round_km(km: f64) -> f64 {
    let step = match km {
        ..20.0 => 1.0,
        ..100.0 => 5.0,
        _ => 10.0,
    };
    (km / step).round() * step
}

/// The outline of an area on screen: a circle in 96 steps; a box's or polygon's corners (the
/// handles), the lines between them straight on the Mercator map.
pub(super) fn outline(area: &Area, transform: ScreenTransform) -> Vec<Pos2> {
    let screen = |(lat, lon): (f64, f64)| transform.apply(Mercator::from_lon_lat(lon, lat));
    match area {
        Area::Within { lat, lon, km, .. } => (0..96)
            .map(|step| {
                let bearing = f64::from(step) / 96.0 * std::f64::consts::TAU;
                screen(destination(*lat, *lon, *km, bearing))
            })
            .collect(),
        Area::Box { .. } | Area::Polygon { .. } => handles(area).into_iter().map(screen).collect(),
    }
}

/// The point `km` from (`lat`, `lon`) on `bearing` (radians from north), on the sphere.
fn destination(lat: f64, lon: f64, km: f64, bearing: f64) -> (f64, f64) {
    let angle = km / 6371.0;
    let (lat1, lon1) = (lat.to_radians(), lon.to_radians());
    let lat2 = (lat1.sin() * angle.cos() + lat1.cos() * angle.sin() * bearing.cos()).asin();
    let lon2 = lon1
        + (bearing.sin() * angle.sin() * lat1.cos()).atan2(angle.cos() - lat1.sin() * lat2.sin());
    (lat2.to_degrees(), lon2.to_degrees())
}

/// An area drawn with its words above its top: the filter's areas, and the one being drawn.
pub(super) fn draw(
    painter: &egui::Painter,
    area: &Area,
    transform: ScreenTransform,
    colour: Color32,
    dashed: bool,
) {
    let points = outline(area, transform);
    if points.len() < 2 {
        return;
    }
    let stroke = Stroke::new(2.0, colour);
    let mut closed = points.clone();
    closed.push(points[0]);
    if dashed {
        painter.add(egui::Shape::dashed_line(&closed, stroke, 8.0, 4.0));
    } else {
        // A halo under the line keeps it visible on land, sea and symbols alike.
        painter.add(egui::Shape::line(
            closed.clone(),
            Stroke::new(4.0, Color32::from_black_alpha(110)),
        ));
        painter.add(egui::Shape::line(closed, stroke));
    }
    let top = points
        .iter()
        .copied()
        .min_by(|a, b| a.y.total_cmp(&b.y))
        .unwrap_or_default();
    let galley = painter.layout_no_wrap(
        area.words(),
        egui::FontId::proportional(12.0),
        Color32::WHITE,
    );
    let label = egui::Align2::CENTER_BOTTOM
        .anchor_size(top - egui::vec2(0.0, 4.0), galley.size())
        .expand(3.0);
    painter.rect_filled(label, 3.0, Color32::from_black_alpha(190));
    painter.galley(label.min + egui::Vec2::splat(3.0), galley, Color32::WHITE);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_circle_takes_two_clicks_and_a_rounded_radius() {
        let mut draft = AreaDraft::new(DrawMode::Circle);
        assert_eq!(draft.click(34.43, 70.45, false), None);
        let Some(Area::Within { lat, km, .. }) = draft.click(34.43, 71.0, false) else {
            panic!("a circle");
        };
        // 0.55 degrees of longitude at 34.4 N: about 50.5 km, rounded to 50.
        assert_eq!((lat, km), (34.43, 50.0));
        assert!(draft.points.is_empty(), "the next click starts a new one");
    }

    #[test]
    fn a_box_is_ordered_and_a_polygon_closes_on_its_first_corner() {
        let mut draft = AreaDraft::new(DrawMode::Box);
        draft.click(35.0, 71.0, false);
        assert_eq!(
            draft.click(34.0, 70.0, false),
            Some(Area::Box {
                west: 70.0,
                south: 34.0,
                east: 71.0,
                north: 35.0
            })
        );
        let mut draft = AreaDraft::new(DrawMode::Polygon);
        draft.click(34.0, 70.0, false);
        draft.click(34.0, 71.0, false);
        assert_eq!(
            draft.click(34.0, 70.0, true),
            None,
            "two corners are not a polygon"
        );
        assert_eq!(draft.points.len(), 2);
        assert!(draft.preview(Some((35.0, 70.5))).is_some());
        assert_eq!(draft.click(35.0, 70.5, false), None);
        let Some(Area::Polygon { points, .. }) = draft.click(34.0, 70.0, true) else {
            panic!("a polygon");
        };
        assert_eq!(
            points,
            [(70.0, 34.0), (71.0, 34.0), (70.5, 35.0)],
            "lon first"
        );
    }

    #[test]
    fn handles_move_a_circle_resize_it_and_move_corners() {
        let circle = Area::Within {
            lat: 34.43,
            lon: 70.45,
            km: 50.0,
            label: Some("Jalalabad".to_owned()),
        };
        let [centre, edge] = handles(&circle)[..] else {
            panic!("two handles");
        };
        assert_eq!(centre, (34.43, 70.45));
        assert!((distance_km(centre, edge) - 50.0).abs() < 0.01);
        let Some(Area::Within { km, label, .. }) = moved(&circle, 1, 34.43, 71.3) else {
            panic!("a circle");
        };
        assert_eq!(
            (km, label.as_deref()),
            (80.0, Some("Jalalabad")),
            "rounded to 10 km"
        );
        let Some(Area::Within { lat, lon, km, .. }) = moved(&circle, 0, 34.5, 69.2) else {
            panic!("a circle");
        };
        assert_eq!((lat, lon, km), (34.5, 69.2, 50.0));
        // A box's corner dragged past the opposite one: the box stays ordered.
        let bbox = Area::Box {
            west: 70.0,
            south: 34.0,
            east: 71.0,
            north: 35.0,
        };
        assert_eq!(
            moved(&bbox, 2, 33.5, 69.5),
            Some(Area::Box {
                west: 69.5,
                south: 33.5,
                east: 70.0,
                north: 34.0
            })
        );
        assert_eq!(
            moved(&bbox, 0, 35.0, 70.0),
            None,
            "a box of no height is refused"
        );
    }

    #[test]
    fn the_circle_outline_lies_at_its_radius() {
        for (lat, lon) in [(34.43, 70.45), (60.0, 30.0)] {
            for bearing in [0.0, 1.0, 2.5, 4.0] {
                let (lat2, lon2) = destination(lat, lon, 50.0, bearing);
                let km = distance_km((lat, lon), (lat2, lon2));
                assert!((km - 50.0).abs() < 0.01, "{km}");
            }
        }
    }
}
