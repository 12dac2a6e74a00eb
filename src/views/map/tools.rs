//! Map tools: scale bar, coordinates under the pointer and a two-point distance measure.

use egui::{Color32, Pos2, Rect, Stroke, Vec2};

use super::ScreenTransform;
use crate::basemap::Mercator;
use crate::model::area::distance_km;

/// The longest "nice" length (1, 2 or 5 times a power of ten, in km) that fits `max_points`.
pub(super) fn nice_scale(km_per_point: f64, max_points: f32) -> (f64, f32) {
    let max_km = km_per_point * f64::from(max_points);
    let power = 10f64.powf(max_km.log10().floor());
    let km = [5.0, 2.0, 1.0]
        .into_iter()
        .map(|step| step * power)
        .find(|&km| km <= max_km)
        .unwrap_or(power);
    (km, (km / km_per_point) as f32)
}

pub(super) fn format_km(km: f64) -> String {
    if km >= 100.0 {
        format!("{km:.0} km")
    } else if km >= 1.0 {
        format!("{km:.1} km")
    } else {
        format!("{:.0} m", km * 1000.0)
    }
}

/// Scale bar at the bottom left, true at the latitude of the map's centre, with the pointer's
/// coordinates and the measured distance above it.
pub(super) fn scale_bar(
    painter: &egui::Painter,
    rect: Rect,
    km_per_point: f64,
    pointer: Option<(f64, f64)>,
    measured_km: Option<f64>,
    colour: Color32,
    halo: Color32,
) {
    let mut lines = Vec::new();
    if let Some(km) = measured_km {
        lines.push(format!("Measured: {}", format_km(km)));
    }
    if let Some((lat, lon)) = pointer {
        lines.push(format_lat_lon(lat, lon));
    }
    if !lines.is_empty() {
        let galley =
            painter.layout_no_wrap(lines.join("\n"), egui::FontId::proportional(11.0), colour);
        let at = Pos2::new(rect.min.x + 8.0, rect.max.y - 34.0 - galley.size().y);
        painter.rect_filled(
            Rect::from_min_size(at, galley.size()).expand(3.0),
            3.0,
            halo,
        );
        painter.galley(at, galley, colour);
    }
    if !km_per_point.is_finite() || km_per_point <= 0.0 {
        return;
    }
    let (km, length) = nice_scale(km_per_point, 120.0);
    let start = Pos2::new(rect.min.x + 14.0, rect.max.y - 14.0);
    let end = start + Vec2::new(length, 0.0);
    let text = format_km(km);
    let galley = painter.layout_no_wrap(text, egui::FontId::proportional(11.0), colour);
    let background = Rect::from_min_max(
        Pos2::new(start.x - 6.0, start.y - 20.0),
        Pos2::new(end.x.max(start.x + galley.size().x) + 6.0, start.y + 6.0),
    );
    painter.rect_filled(background, 3.0, halo);
    let stroke = Stroke::new(2.0, colour);
    painter.line_segment([start, end], stroke);
    painter.line_segment([start, start - Vec2::new(0.0, 5.0)], stroke);
    painter.line_segment([end, end - Vec2::new(0.0, 5.0)], stroke);
    painter.galley(Pos2::new(start.x, start.y - 18.0), galley, colour);
}

/// "34.5281° N, 69.1723° E".
pub(super) fn format_lat_lon(lat: f64, lon: f64) -> String {
    let ns = if lat >= 0.0 { 'N' } else { 'S' };
    let ew = if lon >= 0.0 { 'E' } else { 'W' };
    format!("{:.4}\u{b0} {ns}, {:.4}\u{b0} {ew}", lat.abs(), lon.abs())
}

/// The distance tool: up to two points; a third click starts again.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DistanceTool {
    pub points: Vec<(f64, f64)>,
}

impl DistanceTool {
    pub fn click(&mut self, lat: f64, lon: f64) {
        if self.points.len() >= 2 {
            self.points.clear();
        }
        self.points.push((lat, lon));
    }

    pub fn distance_km(&self) -> Option<f64> {
        match self.points.as_slice() {
            [a, b] => Some(distance_km(*a, *b)),
            _ => None,
        }
    }

    pub fn draw(
        &self,
        painter: &egui::Painter,
        transform: ScreenTransform,
        pointer: Option<Pos2>,
        colour: Color32,
    ) {
        let screen = |&(lat, lon): &(f64, f64)| transform.apply(Mercator::from_lon_lat(lon, lat));
        let points: Vec<Pos2> = self.points.iter().map(screen).collect();
        let stroke = Stroke::new(2.0, colour);
        for point in &points {
            painter.circle(*point, 4.0, colour, Stroke::new(1.0, Color32::BLACK));
        }
        let (line, km) = match (points.as_slice(), pointer) {
            ([a, b], _) => ([*a, *b], self.distance_km()),
            ([a], Some(pointer)) => {
                let end = transform.invert(pointer).to_lon_lat();
                (
                    [*a, pointer],
                    Some(distance_km(self.points[0], (end.1, end.0))),
                )
            }
            _ => return,
        };
        painter.add(egui::Shape::dashed_line(&line, stroke, 8.0, 4.0));
        if let Some(km) = km {
            let middle = line[0] + (line[1] - line[0]) / 2.0;
            let galley = painter.layout_no_wrap(
                format_km(km),
                egui::FontId::proportional(13.0),
                Color32::WHITE,
            );
            let label = egui::Align2::CENTER_BOTTOM
                .anchor_size(middle - Vec2::new(0.0, 6.0), galley.size())
                .expand(3.0);
            painter.rect_filled(label, 3.0, Color32::from_black_alpha(200));
            painter.galley(label.min + Vec2::splat(3.0), galley, Color32::WHITE);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kabul_to_jalalabad_is_about_120_km() {
        let km = distance_km((34.5281, 69.1723), (34.4265, 70.4515));
        assert!((115.0..125.0).contains(&km), "{km}");
    }

    #[test]
    fn scale_picks_a_round_length_that_fits() {
        let (km, points) = nice_scale(3.0, 120.0);
        assert_eq!(km, 200.0);
        assert!((points - 66.7).abs() < 0.1);
        let (km, _) = nice_scale(0.01, 120.0);
        assert_eq!(km, 1.0);
    }

    #[test]
    fn measure_keeps_two_points_and_restarts() {
        let mut measure = DistanceTool::default();
        measure.click(34.5, 69.2);
        assert_eq!(measure.distance_km(), None);
        measure.click(34.4, 70.4);
        assert!(measure.distance_km().is_some());
        measure.click(30.0, 60.0);
        assert_eq!(measure.points.len(), 1);
    }

    #[test]
    fn coordinates_name_their_hemisphere() {
        assert_eq!(
            format_lat_lon(34.5, 69.25),
            "34.5000\u{b0} N, 69.2500\u{b0} E"
        );
        assert_eq!(format_lat_lon(-1.0, -2.0), "1.0000\u{b0} S, 2.0000\u{b0} W");
    }
}
