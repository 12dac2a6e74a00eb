//! The offline basemap (fills, borders, labels) and the province choropleth drawn on it.

use std::collections::BTreeMap;

use egui::{Color32, Mesh, Pos2, Rect, Shape, Stroke, Vec2, epaint::Vertex};

use crate::basemap::{Area, Basemap};
use crate::model::aggregate::GroupTotal;
use crate::model::{Measure, ProvinceKey};

use super::ScreenTransform;

/// Zoom from which province names are drawn.
const PROVINCE_LABEL_ZOOM: f64 = 5.6;

/// Basemap colours for the current theme.
pub(super) struct Palette {
    pub sea: Color32,
    /// Beyond the embedded basemap's coverage: neither land nor sea.
    beyond: Color32,
    land: Color32,
    focus_land: Color32,
    border: Color32,
    province: Color32,
    label: Color32,
    label_halo: Color32,
    city: Color32,
}

impl Palette {
    pub(super) fn new(dark: bool) -> Self {
        if dark {
            Self {
                sea: Color32::from_rgb(0x1b, 0x26, 0x33),
                beyond: Color32::from_rgb(0x24, 0x24, 0x24),
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
                beyond: Color32::from_rgb(0xd9, 0xd9, 0xd9),
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

/// Land fills (Afghanistan and Pakistan lighter), then province and country borders.
pub(super) fn draw_land(
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
    draw_beyond_coverage(painter, transform, rect, palette);
}

/// Grey where the embedded basemap ends (it is clipped to a box), with a note when there is
/// room: sea there would tell a briefer that Xinjiang is ocean.
fn draw_beyond_coverage(
    painter: &egui::Painter,
    transform: ScreenTransform,
    rect: Rect,
    palette: &Palette,
) {
    let (west, south, east, north) = crate::basemap::COVERAGE;
    let corner = |lon, lat| transform.apply(crate::basemap::Mercator::from_lon_lat(lon, lat));
    let covered = Rect::from_two_pos(corner(west, north), corner(east, south));
    if covered.contains_rect(rect) {
        return;
    }
    let bands = [
        Rect::from_min_max(rect.min, egui::pos2(rect.max.x, covered.min.y)),
        Rect::from_min_max(egui::pos2(rect.min.x, covered.max.y), rect.max),
        Rect::from_min_max(
            egui::pos2(rect.min.x, covered.min.y),
            egui::pos2(covered.min.x, covered.max.y),
        ),
        Rect::from_min_max(
            egui::pos2(covered.max.x, covered.min.y),
            egui::pos2(rect.max.x, covered.max.y),
        ),
    ];
    let font = egui::FontId::proportional(11.0);
    for band in bands.map(|band| band.intersect(rect)) {
        if band.width() <= 0.0 || band.height() <= 0.0 {
            continue;
        }
        painter.rect_filled(band, 0.0, palette.beyond);
        let note = painter.layout(
            "Beyond the offline basemap".to_owned(),
            font.clone(),
            palette.province,
            band.width() - 8.0,
        );
        if band.width() >= 60.0 && band.height() >= note.size().y + 8.0 {
            let at = band.center() - note.size() / 2.0;
            painter.galley(at, note, palette.province);
        }
    }
}

pub(super) fn draw_borders(
    painter: &egui::Painter,
    basemap: &Basemap,
    transform: ScreenTransform,
    rect: Rect,
    palette: &Palette,
) {
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

pub(super) fn fill_mesh(area: &Area, transform: ScreenTransform, fill: Color32) -> Shape {
    Shape::mesh(Mesh {
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
    })
}

pub(super) fn outline(
    painter: &egui::Painter,
    area: &Area,
    transform: ScreenTransform,
    stroke: Stroke,
) {
    for ring in &area.rings {
        let points: Vec<Pos2> = ring.iter().map(|&p| transform.apply(p)).collect();
        painter.add(Shape::closed_line(points, stroke));
    }
}

/// Class breaks of the choropleth, as the lowest value of each class.
pub(super) fn class_breaks(measure: Measure) -> &'static [u64] {
    match measure {
        Measure::Incidents => &[1, 2, 5, 10, 20],
        Measure::Killed => &[1, 10, 50, 100, 250],
    }
}

/// Sequential palette (ColorBrewer YlOrRd), one colour per class.
const CLASS_COLOURS: [Color32; 5] = [
    Color32::from_rgb(0xff, 0xff, 0xb2),
    Color32::from_rgb(0xfe, 0xcc, 0x5c),
    Color32::from_rgb(0xfd, 0x8d, 0x3c),
    Color32::from_rgb(0xf0, 0x3b, 0x20),
    Color32::from_rgb(0xbd, 0x00, 0x26),
];

pub(super) fn class_colour(measure: Measure, value: u64) -> Option<Color32> {
    let class = class_breaks(measure)
        .iter()
        .rposition(|&lowest| value >= lowest)?;
    Some(CLASS_COLOURS[class])
}

/// Fill every Afghan and Pakistani province by its class.
pub(super) fn draw_choropleth(
    painter: &egui::Painter,
    basemap: &Basemap,
    totals: &BTreeMap<ProvinceKey, GroupTotal>,
    measure: Measure,
    transform: ScreenTransform,
    rect: Rect,
) {
    for area in &basemap.provinces {
        if !transform.visible(area, rect) {
            continue;
        }
        let value = totals.get(&area.key()).map_or(0, |total| measure.of(total));
        if let Some(colour) = class_colour(measure, value) {
            painter.add(fill_mesh(area, transform, colour.gamma_multiply(0.8)));
        }
    }
}

/// Provinces coloured by their change (see [`crate::views::change::change_colour`]); a
/// province with no incident in the window or the baseline is left uncoloured.
pub(super) fn draw_change(
    painter: &egui::Painter,
    basemap: &Basemap,
    change: &crate::model::change::Change,
    transform: ScreenTransform,
    rect: Rect,
) {
    for area in &basemap.provinces {
        if !transform.visible(area, rect) {
            continue;
        }
        if let Some(place) = change.provinces.get(&area.key()) {
            let colour = crate::views::change::change_colour(place.difference(), place.ratio());
            painter.add(fill_mesh(area, transform, colour.gamma_multiply(0.85)));
        }
    }
}

/// Province names at mid zoom, then city names by population, never overlapping.
///
/// Drawn over the incident symbols and clusters, each on a halo, so a city under a cluster stays
/// named; a city label goes to whichever side of its dot is clear of the symbols in `avoid`
/// (right, left, above, below), and over them only when no side is.
pub(super) fn labels(
    painter: &egui::Painter,
    basemap: &Basemap,
    transform: ScreenTransform,
    rect: Rect,
    zoom: f64,
    palette: &Palette,
    avoid: &[Rect],
) -> Vec<(Rect, usize)> {
    let mut placed: Vec<Rect> = Vec::new();
    // Where each city's label went, for its tooltip.
    let mut city_rects = Vec::new();
    let mut place =
        |text: &str, candidates: &[(Pos2, egui::Align2)], font: egui::FontId, colour: Color32| {
            let galley = painter.layout_no_wrap(text.to_owned(), font, colour);
            let fits = |label: Rect| {
                rect.contains_rect(label) && !placed.iter().any(|other| other.intersects(label))
            };
            let rects = candidates
                .iter()
                .map(|&(at, anchor)| anchor.anchor_size(at, galley.size()).expand(2.0));
            let clear = rects
                .clone()
                .find(|&label| fits(label) && !avoid.iter().any(|symbol| symbol.intersects(label)));
            let label_rect = clear.or_else(|| rects.clone().find(|&label| fits(label)))?;
            placed.push(label_rect);
            painter.rect_filled(label_rect, 2.0, palette.label_halo.gamma_multiply(0.75));
            painter.galley(label_rect.min + Vec2::splat(2.0), galley, colour);
            Some(label_rect)
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
    for (index, city) in basemap.cities.iter().enumerate() {
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
        let mut candidates = vec![
            (at + Vec2::new(5.0, 0.0), egui::Align2::LEFT_CENTER),
            (at - Vec2::new(5.0, 0.0), egui::Align2::RIGHT_CENTER),
            (at - Vec2::new(0.0, 4.0), egui::Align2::CENTER_BOTTOM),
            (at + Vec2::new(0.0, 4.0), egui::Align2::CENTER_TOP),
        ];
        // A disc over the city itself: beside the disc, not on its count.
        if let Some(disc) = avoid.iter().find(|symbol| symbol.contains(at)) {
            candidates.extend([
                (
                    egui::pos2(disc.right() + 3.0, at.y),
                    egui::Align2::LEFT_CENTER,
                ),
                (
                    egui::pos2(disc.left() - 3.0, at.y),
                    egui::Align2::RIGHT_CENTER,
                ),
                (
                    egui::pos2(at.x, disc.bottom() + 2.0),
                    egui::Align2::CENTER_TOP,
                ),
                (
                    egui::pos2(at.x, disc.top() - 2.0),
                    egui::Align2::CENTER_BOTTOM,
                ),
            ]);
        }
        if let Some(label_rect) = place(
            &city.english,
            &candidates,
            egui::FontId::proportional(size),
            palette.label,
        ) {
            painter.circle_filled(at, if city.capital { 3.0 } else { 2.2 }, palette.city);
            city_labels += 1;
            city_rects.push((label_rect, index));
        }
    }
    if zoom >= PROVINCE_LABEL_ZOOM {
        for area in &basemap.provinces {
            let at = transform.apply(area.label_at);
            place(
                &area.name.to_uppercase(),
                &[(at, egui::Align2::CENTER_CENTER)],
                egui::FontId::proportional(10.5),
                palette.label.gamma_multiply(0.75),
            );
        }
    }
    city_rects
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_follow_the_breaks() {
        let measure = Measure::Incidents;
        assert_eq!(class_colour(measure, 0), None);
        assert_eq!(class_colour(measure, 1), Some(CLASS_COLOURS[0]));
        assert_eq!(class_colour(measure, 4), Some(CLASS_COLOURS[1]));
        assert_eq!(class_colour(measure, 59), Some(CLASS_COLOURS[4]));
        assert_eq!(class_colour(Measure::Killed, 100), Some(CLASS_COLOURS[3]));
    }
}
