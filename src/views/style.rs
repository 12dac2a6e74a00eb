//! Colours, marker shapes and type sizes shared by every view, so the timeline, map and
//! legends always agree.

use egui::{Color32, Pos2, Shape, Stroke, Vec2};

use crate::model::{Attribution, Category};

/// Okabe-Ito palette: distinguishable with the common colour-vision deficiencies.
const KIND_COLOURS: [Color32; 7] = [
    Color32::from_rgb(0xD5, 0x5E, 0x00), // attack: vermillion
    Color32::from_rgb(0x00, 0x72, 0xB2), // foiled plot: blue
    Color32::from_rgb(0x56, 0xB4, 0xE9), // arrest: sky blue
    Color32::from_rgb(0x00, 0x9E, 0x73), // counter-operation: bluish green
    Color32::from_rgb(0xCC, 0x79, 0xA7), // leadership loss: reddish purple
    Color32::from_rgb(0xE6, 0x9F, 0x00), // fighting: orange
    Color32::from_rgb(0x99, 0x99, 0x99), // other: grey
];

const ATTRIBUTION_COLOURS: [Color32; 8] = [
    Color32::from_rgb(0xD5, 0x5E, 0x00), // claimed by ISK: vermillion
    Color32::from_rgb(0xE6, 0x9F, 0x00), // claimed by IS central: orange
    Color32::from_rgb(0x00, 0x72, 0xB2), // attributed by officials: blue
    Color32::from_rgb(0x99, 0x99, 0x99), // suspected: grey
    Color32::from_rgb(0xCC, 0x79, 0xA7), // named in imported data: reddish purple
    Color32::from_rgb(0x00, 0x9E, 0x73), // not identified as ISK: bluish green
    Color32::from_rgb(0x56, 0xB4, 0xE9), // claimed by another IS province: sky blue
    // Okabe-Ito's yellow darkened, so that it still reads on a white slide.
    Color32::from_rgb(0xA8, 0x8F, 0x00), // documented milestone: dark yellow
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
    /// Pointing down: ISK named by imported data.
    TriangleDown,
    /// A plus sign: not identified as ISK.
    Plus,
    /// Pointing right: claimed by another IS province.
    TriangleRight,
    /// Six spokes: a documented milestone, not an act.
    Asterisk,
}

impl MarkerShape {
    pub fn of(attribution: Attribution) -> Self {
        match attribution {
            Attribution::ClaimedByIsk => Self::Circle,
            Attribution::ClaimedByIsCentral => Self::Square,
            Attribution::AttributedByOfficials => Self::Diamond,
            Attribution::Suspected => Self::Triangle,
            Attribution::NamedInData => Self::TriangleDown,
            Attribution::NotIsk => Self::Plus,
            Attribution::ClaimedByOtherProvince => Self::TriangleRight,
            Attribution::Documented => Self::Asterisk,
        }
    }

    pub fn plot_shape(self) -> egui_plot::MarkerShape {
        match self {
            Self::Circle => egui_plot::MarkerShape::Circle,
            Self::Square => egui_plot::MarkerShape::Square,
            Self::Diamond => egui_plot::MarkerShape::Diamond,
            Self::Triangle => egui_plot::MarkerShape::Up,
            Self::TriangleDown => egui_plot::MarkerShape::Down,
            Self::Plus => egui_plot::MarkerShape::Plus,
            Self::TriangleRight => egui_plot::MarkerShape::Right,
            Self::Asterisk => egui_plot::MarkerShape::Asterisk,
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
            Self::Triangle => triangle(center, radius * 1.3, -90.0, fill, stroke),
            Self::TriangleRight => triangle(center, radius * 1.3, 0.0, fill, stroke),
            Self::TriangleDown => triangle(center, radius * 1.3, 90.0, fill, stroke),
            Self::Plus => {
                // Two bars, so the sign still reads as filled at small sizes.
                let long = radius * 1.15;
                let short = radius * 0.42;
                let bar = |size: Vec2| {
                    Shape::rect_filled(egui::Rect::from_center_size(center, size), 0.0, fill)
                };
                let mut shapes = vec![
                    bar(Vec2::new(2.0 * long, 2.0 * short)),
                    bar(Vec2::new(2.0 * short, 2.0 * long)),
                ];
                if stroke.width > 0.0 {
                    shapes.push(Shape::closed_line(
                        plus_outline(center, long, short),
                        stroke,
                    ));
                }
                Shape::Vec(shapes)
            }
            Self::Asterisk => {
                // Thick spokes, outlined first so that the outline sits under the fill.
                let r = radius * 1.25;
                let spokes = |width: f32, colour: Color32| {
                    (0..3).map(move |i| {
                        let angle =
                            std::f32::consts::FRAC_PI_3 * i as f32 + std::f32::consts::FRAC_PI_2;
                        let arm = Vec2::angled(angle) * r;
                        Shape::line_segment(
                            [center - arm, center + arm],
                            Stroke::new(width, colour),
                        )
                    })
                };
                let width = radius * 0.55;
                let mut shapes: Vec<Shape> = Vec::new();
                if stroke.width > 0.0 {
                    shapes.extend(spokes(width + 2.0 * stroke.width, stroke.color));
                }
                shapes.extend(spokes(width, fill));
                Shape::Vec(shapes)
            }
        }
    }

    /// Outline only, for highlights around a marker.
    pub fn outline(self, center: Pos2, radius: f32, stroke: Stroke) -> Shape {
        match self {
            Self::Circle => Shape::circle_stroke(center, radius, stroke),
            Self::Asterisk => Shape::circle_stroke(center, radius * 1.25, stroke),
            Self::Plus => {
                Shape::closed_line(plus_outline(center, radius * 1.15, radius * 0.42), stroke)
            }
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

/// An equilateral triangle around `center`, a corner at `radius` in the direction `degrees`
/// (0 points right, -90 up: screen coordinates).
fn triangle(center: Pos2, radius: f32, degrees: f32, fill: Color32, stroke: Stroke) -> Shape {
    let corner = |turn: f32| center + Vec2::angled((degrees + turn).to_radians()) * radius;
    Shape::convex_polygon(
        vec![corner(0.0), corner(120.0), corner(240.0)],
        fill,
        stroke,
    )
}

/// The twelve corners of a plus sign of half-length `long` and half-width `short`.
fn plus_outline(center: Pos2, long: f32, short: f32) -> Vec<Pos2> {
    [
        (short, -long),
        (short, -short),
        (long, -short),
        (long, short),
        (short, short),
        (short, long),
        (-short, long),
        (-short, short),
        (-long, short),
        (-long, -short),
        (-short, -short),
        (-short, -long),
    ]
    .into_iter()
    .map(|(x, y)| center + Vec2::new(x, y))
    .collect()
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

/// What a legend entry's swatch is: a marker of the map and timeline, or a chart's square.
#[derive(Clone, Copy, Debug)]
pub enum Swatch {
    Marker(MarkerShape),
    Square,
}

/// One legend entry, swatch and small label placed as one piece, so that a wrapping row of
/// entries moves an entry to the next line whole (its text wrapped within the row only when
/// longer than the row).
pub fn legend_entry(ui: &mut egui::Ui, swatch: Swatch, colour: Color32, label: &str) {
    const SIZE: f32 = 12.0;
    let font = egui::TextStyle::Small.resolve(ui.style());
    let text_colour = ui.visuals().text_color();
    let wrap = (ui.max_rect().width() - SIZE - 4.0).max(40.0);
    let galley = ui
        .painter()
        .layout(label.to_owned(), font, text_colour, wrap);
    let size = Vec2::new(SIZE + 4.0 + galley.size().x, galley.size().y.max(SIZE));
    let (rect, response) = ui.allocate_exact_size(size, egui::Sense::hover());
    response.widget_info(|| {
        egui::WidgetInfo::labeled(egui::accesskit::Role::Label, true, label.to_owned())
    });
    let swatch_rect = egui::Rect::from_min_size(
        rect.min + Vec2::new(0.0, ((galley.size().y - SIZE) / 2.0).max(0.0)),
        Vec2::splat(SIZE),
    );
    match swatch {
        Swatch::Square => {
            ui.painter().rect_filled(swatch_rect, 2.0, colour);
        }
        Swatch::Marker(shape) => {
            ui.painter()
                .add(shape.shape(swatch_rect.center(), 5.0, colour, Stroke::NONE));
        }
    }
    ui.painter()
        .galley(rect.min + Vec2::new(SIZE + 4.0, 0.0), galley, text_colour);
}
