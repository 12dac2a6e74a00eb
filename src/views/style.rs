//! Colours, marker shapes and type sizes shared by every view, so the timeline, map and
//! legends always agree.

use egui::{Color32, Pos2, Shape, Stroke, Vec2};

use crate::model::{Attribution, Category};

/// Okabe-Ito palette: distinguishable with the common colour-vision deficiencies.
const KIND_COLOURS: [Color32; 6] = [
    Color32::from_rgb(0xD5, 0x5E, 0x00), // attack: vermillion
    Color32::from_rgb(0x00, 0x72, 0xB2), // foiled plot: blue
    Color32::from_rgb(0x56, 0xB4, 0xE9), // arrest: sky blue
    Color32::from_rgb(0x00, 0x9E, 0x73), // counter-operation: bluish green
    Color32::from_rgb(0xCC, 0x79, 0xA7), // leadership loss: reddish purple
    Color32::from_rgb(0x99, 0x99, 0x99), // other: grey
];

const ATTRIBUTION_COLOURS: [Color32; 4] = [
    Color32::from_rgb(0xD5, 0x5E, 0x00), // claimed by ISK: vermillion
    Color32::from_rgb(0xE6, 0x9F, 0x00), // claimed by IS central: orange
    Color32::from_rgb(0x00, 0x72, 0xB2), // attributed by officials: blue
    Color32::from_rgb(0x99, 0x99, 0x99), // suspected: grey
];

pub fn category_colour(category: Category) -> Color32 {
    match category {
        Category::Kind(_) => KIND_COLOURS[category.ordinal() % KIND_COLOURS.len()],
        Category::Attribution(_) => {
            ATTRIBUTION_COLOURS[category.ordinal() % ATTRIBUTION_COLOURS.len()]
        }
    }
}

/// Marker shape always encodes the attribution grade, whatever the colour encodes, so the
/// grades stay distinguishable in every view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MarkerShape {
    Circle,
    Square,
    Diamond,
    Triangle,
}

impl MarkerShape {
    pub fn of(attribution: Attribution) -> Self {
        match attribution {
            Attribution::ClaimedByIsk => Self::Circle,
            Attribution::ClaimedByIsCentral => Self::Square,
            Attribution::AttributedByOfficials => Self::Diamond,
            Attribution::Suspected => Self::Triangle,
        }
    }

    pub fn plot_shape(self) -> egui_plot::MarkerShape {
        match self {
            Self::Circle => egui_plot::MarkerShape::Circle,
            Self::Square => egui_plot::MarkerShape::Square,
            Self::Diamond => egui_plot::MarkerShape::Diamond,
            Self::Triangle => egui_plot::MarkerShape::Up,
        }
    }

    /// A filled marker of roughly equal visual area for each shape.
    pub fn shape(self, center: Pos2, radius: f32, fill: Color32, stroke: Stroke) -> Shape {
        match self {
            Self::Circle => Shape::circle_filled(center, radius, fill),
            Self::Square => {
                let half = radius * 0.89;
                Shape::rect_filled(
                    egui::Rect::from_center_size(center, Vec2::splat(2.0 * half)),
                    0.0,
                    fill,
                )
            }
            Self::Diamond => {
                let r = radius * 1.2;
                Shape::convex_polygon(
                    vec![
                        center + Vec2::new(0.0, -r),
                        center + Vec2::new(r, 0.0),
                        center + Vec2::new(0.0, r),
                        center + Vec2::new(-r, 0.0),
                    ],
                    fill,
                    stroke,
                )
            }
            Self::Triangle => {
                let r = radius * 1.3;
                Shape::convex_polygon(
                    vec![
                        center + Vec2::new(0.0, -r),
                        center + Vec2::new(r * 0.87, r * 0.5),
                        center + Vec2::new(-r * 0.87, r * 0.5),
                    ],
                    fill,
                    stroke,
                )
            }
        }
    }

    /// Outline only, for highlights around a marker.
    pub fn outline(self, center: Pos2, radius: f32, stroke: Stroke) -> Shape {
        match self {
            Self::Circle => Shape::circle_stroke(center, radius, stroke),
            _ => {
                let mut shape = self.shape(center, radius, Color32::TRANSPARENT, stroke);
                if let Shape::Rect(rect) = &mut shape {
                    rect.stroke = stroke;
                    rect.stroke_kind = egui::StrokeKind::Outside;
                }
                shape
            }
        }
    }
}

/// Marker radius in points for a death toll: grows with the logarithm so a 170-death attack
/// stands out without hiding its neighbours. Unknown tolls get the smallest size.
pub fn marker_radius(killed_max: Option<u32>) -> f32 {
    match killed_max {
        Some(killed) => 3.5 + 3.0 * (1.0 + killed as f32).log10(),
        None => 3.5,
    }
}

/// Colour of selection and hover highlights, readable on both themes.
pub fn highlight_stroke(dark_mode: bool, selected: bool) -> Stroke {
    let colour = if dark_mode {
        Color32::WHITE
    } else {
        Color32::BLACK
    };
    Stroke::new(if selected { 2.5 } else { 1.5 }, colour)
}

/// Draw a small legend swatch: the marker shape in a colour.
pub fn legend_swatch(ui: &mut egui::Ui, shape: MarkerShape, fill: Color32) {
    let (rect, _) = ui.allocate_exact_size(Vec2::splat(14.0), egui::Sense::hover());
    ui.painter()
        .add(shape.shape(rect.center(), 5.0, fill, Stroke::NONE));
}
