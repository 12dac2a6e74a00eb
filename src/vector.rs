//! A frame of egui shapes written as SVG: text as `<text>` (selectable and searchable), symbols,
//! borders and fills as paths, in the frame's points. No crate turns egui output into SVG, so
//! this walks the shapes the frame painted (before tessellation) itself.
//!
//! What is not vector: textured meshes (the heatmap, images) are left out, and said so in a
//! comment in the file; paint callbacks (none in this app) likewise.

use std::fmt::Write as _;

use egui::epaint::{
    self, ClippedShape, Color32, ColorMode, Mesh, PathShape, Rect, Shape, Stroke, TextShape,
};

/// The font families egui draws with, as SVG names them (the fonts egui embeds).
const PROPORTIONAL: &str = "Ubuntu, 'Ubuntu Light', sans-serif";
const MONOSPACE: &str = "Hack, monospace";

/// `shapes` (one frame, in points) as an SVG document showing `viewport` of them. `zoom` is
/// the frame's zoom factor: the document's size is the viewport's in points times it, so that
/// a window of 1280x800 points is 1280x800 in the SVG however large the app drew its type.
pub fn svg(shapes: &[ClippedShape], viewport: Rect, zoom: f32, background: Color32) -> String {
    let mut out = Writer::default();
    let _ = writeln!(
        out.body,
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"{}/>",
        num(viewport.min.x),
        num(viewport.min.y),
        num(viewport.width()),
        num(viewport.height()),
        fill(background)
    );
    for clipped in shapes {
        out.clipped(clipped);
    }
    out.finish(viewport, zoom)
}

#[derive(Default)]
struct Writer {
    defs: String,
    body: String,
    /// Clip rectangles already defined, with their ids.
    clips: Vec<(Rect, usize)>,
    skipped_textures: usize,
}

impl Writer {
    fn finish(self, viewport: Rect, zoom: f32) -> String {
        let mut svg = String::new();
        let _ = writeln!(
            svg,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" \
             viewBox=\"{} {} {} {}\">",
            num(viewport.width() * zoom),
            num(viewport.height() * zoom),
            num(viewport.min.x),
            num(viewport.min.y),
            num(viewport.width()),
            num(viewport.height())
        );
        if self.skipped_textures > 0 {
            let _ = writeln!(
                svg,
                "<!-- {} textured meshes (heatmap or images) are not vector and are left out -->",
                self.skipped_textures
            );
        }
        if !self.defs.is_empty() {
            let _ = writeln!(svg, "<defs>\n{}</defs>", self.defs);
        }
        svg.push_str(&self.body);
        svg.push_str("</svg>\n");
        svg
    }

    fn clip_id(&mut self, rect: Rect) -> usize {
        if let Some((_, id)) = self.clips.iter().find(|(r, _)| *r == rect) {
            return *id;
        }
        let id = self.clips.len();
        let _ = writeln!(
            self.defs,
            "<clipPath id=\"c{id}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/></clipPath>",
            num(rect.min.x),
            num(rect.min.y),
            num(rect.width()),
            num(rect.height())
        );
        self.clips.push((rect, id));
        id
    }

    fn clipped(&mut self, clipped: &ClippedShape) {
        let mut body = String::new();
        self.shape(&clipped.shape, &mut body);
        if body.is_empty() {
            return;
        }
        // A popup scaling into place: its shapes are drawn where the transform puts them.
        let transform = clipped.transform_after_tessellation;
        if transform != egui::emath::TSTransform::IDENTITY {
            body = format!(
                "<g transform=\"matrix({s} 0 0 {s} {} {})\">\n{body}</g>\n",
                num(transform.translation.x),
                num(transform.translation.y),
                s = num(transform.scaling)
            );
        }
        if clipped.clip_rect.is_finite() {
            let id = self.clip_id(clipped.clip_rect);
            let _ = write!(self.body, "<g clip-path=\"url(#c{id})\">\n{body}</g>\n");
        } else {
            self.body.push_str(&body);
        }
    }

    fn shape(&mut self, shape: &Shape, out: &mut String) {
        match shape {
            Shape::Noop | Shape::Callback(_) | Shape::Band(_) => {}
            Shape::Vec(shapes) => {
                for shape in shapes {
                    self.shape(shape, out);
                }
            }
            Shape::Circle(circle) => {
                let _ = writeln!(
                    out,
                    "<circle cx=\"{}\" cy=\"{}\" r=\"{}\"{}{}/>",
                    num(circle.center.x),
                    num(circle.center.y),
                    num(circle.radius),
                    fill(circle.fill),
                    stroke(circle.stroke)
                );
            }
            Shape::Ellipse(ellipse) => {
                let _ = writeln!(
                    out,
                    "<ellipse cx=\"{}\" cy=\"{}\" rx=\"{}\" ry=\"{}\"{}{}/>",
                    num(ellipse.center.x),
                    num(ellipse.center.y),
                    num(ellipse.radius.x),
                    num(ellipse.radius.y),
                    fill(ellipse.fill),
                    stroke(ellipse.stroke)
                );
            }
            Shape::LineSegment { points, stroke: s } => {
                let _ = writeln!(
                    out,
                    "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"{}/>",
                    num(points[0].x),
                    num(points[0].y),
                    num(points[1].x),
                    num(points[1].y),
                    stroke(*s)
                );
            }
            Shape::Path(path) => path_shape(path, out),
            Shape::Rect(rect) => {
                let radius = f32::from(rect.corner_radius.nw);
                let _ = writeln!(
                    out,
                    "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"{}{}{}/>",
                    num(rect.rect.min.x),
                    num(rect.rect.min.y),
                    num(rect.rect.width()),
                    num(rect.rect.height()),
                    if radius > 0.0 {
                        format!(" rx=\"{}\"", num(radius))
                    } else {
                        String::new()
                    },
                    fill(rect.fill),
                    stroke(rect.stroke)
                );
            }
            Shape::Text(text) => text_shape(text, out),
            Shape::Mesh(mesh) => {
                if mesh.texture_id == egui::TextureId::default() {
                    mesh_shape(mesh, out);
                } else {
                    self.skipped_textures += 1;
                }
            }
            Shape::QuadraticBezier(curve) => {
                let d = curve_path('Q', &curve.points, curve.closed);
                bezier(&d, curve.fill, &curve.stroke, out);
            }
            Shape::CubicBezier(curve) => {
                let d = curve_path('C', &curve.points, curve.closed);
                bezier(&d, curve.fill, &curve.stroke, out);
            }
        }
    }
}

/// An SVG path from the first point through the control points with `command` (`Q`
/// quadratic, `C` cubic).
fn curve_path(command: char, points: &[egui::Pos2], closed: bool) -> String {
    let [first, rest @ ..] = points else {
        return String::new();
    };
    let mut d = format!("M{} {}{command}", num(first.x), num(first.y));
    let coordinates: Vec<String> = rest
        .iter()
        .map(|point| format!("{} {}", num(point.x), num(point.y)))
        .collect();
    d.push_str(&coordinates.join(" "));
    if closed {
        d.push('Z');
    }
    d
}

fn bezier(d: &str, fill_colour: Color32, path_stroke: &epaint::PathStroke, out: &mut String) {
    let _ = writeln!(
        out,
        "<path d=\"{d}\"{}{}/>",
        fill(fill_colour),
        path_stroke_attrs(path_stroke)
    );
}

fn path_shape(path: &PathShape, out: &mut String) {
    if path.points.len() < 2 {
        return;
    }
    let mut d = String::new();
    for (i, point) in path.points.iter().enumerate() {
        let _ = write!(
            d,
            "{}{} {}",
            if i == 0 { "M" } else { "L" },
            num(point.x),
            num(point.y)
        );
    }
    if path.closed {
        d.push('Z');
    }
    let fill_attr = if path.closed {
        fill(path.fill)
    } else {
        " fill=\"none\"".to_owned()
    };
    let _ = writeln!(
        out,
        "<path d=\"{d}\"{fill_attr}{}/>",
        path_stroke_attrs(&path.stroke)
    );
}

/// An untextured mesh (the basemap's land and the choropleth are triangulated fills): its
/// triangles as one path per colour.
fn mesh_shape(mesh: &Mesh, out: &mut String) {
    let mut by_colour: Vec<(Color32, String)> = Vec::new();
    for triangle in mesh.indices.chunks_exact(3) {
        let vertices = [
            &mesh.vertices[triangle[0] as usize],
            &mesh.vertices[triangle[1] as usize],
            &mesh.vertices[triangle[2] as usize],
        ];
        let colour = vertices[0].color;
        if colour.a() == 0 {
            continue;
        }
        let d = match by_colour.iter_mut().find(|(c, _)| *c == colour) {
            Some((_, d)) => d,
            None => {
                by_colour.push((colour, String::new()));
                &mut by_colour.last_mut().expect("just pushed").1
            }
        };
        let _ = write!(
            d,
            "M{} {}L{} {}L{} {}Z",
            num(vertices[0].pos.x),
            num(vertices[0].pos.y),
            num(vertices[1].pos.x),
            num(vertices[1].pos.y),
            num(vertices[2].pos.x),
            num(vertices[2].pos.y)
        );
    }
    for (colour, d) in by_colour {
        // A hairline of the same colour closes the seams between triangles.
        let _ = writeln!(
            out,
            "<path d=\"{d}\"{} stroke=\"{}\" stroke-width=\"0.3\"{}/>",
            fill(colour),
            hex(colour),
            opacity("stroke-opacity", colour)
        );
    }
}

/// Each row of a galley as one `<text>`, at its baseline, stretched to the width egui laid it
/// out at so that the layout holds whatever font the viewer substitutes.
fn text_shape(text: &TextShape, out: &mut String) {
    let galley = &text.galley;
    let format = galley.job.sections.first().map(|section| &section.format);
    let size = format.map_or(14.0, |format| format.font_id.size);
    let family = match format.map(|format| &format.font_id.family) {
        Some(egui::FontFamily::Monospace) => MONOSPACE,
        _ => PROPORTIONAL,
    };
    for placed in &galley.rows {
        let glyphs = &placed.row.glyphs;
        let (Some(first), Some(last)) = (glyphs.first(), glyphs.last()) else {
            continue;
        };
        let content: String = glyphs.iter().map(|glyph| glyph.chr).collect();
        if content.trim().is_empty() {
            continue;
        }
        // The colour the text was laid out in; a placeholder takes the shape's fallback.
        let colour = text.override_text_color.unwrap_or_else(|| {
            format
                .map(|format| format.color)
                .filter(|colour| *colour != Color32::PLACEHOLDER)
                .unwrap_or(text.fallback_color)
        });
        let colour = colour.gamma_multiply(text.opacity_factor);
        let origin = text.pos + placed.pos.to_vec2();
        let x = origin.x + first.pos.x;
        let y = origin.y + first.pos.y;
        let width = last.pos.x + last.advance_width - first.pos.x;
        let rotate = if text.angle == 0.0 {
            String::new()
        } else {
            format!(
                " transform=\"rotate({} {} {})\"",
                num(text.angle.to_degrees()),
                num(text.pos.x),
                num(text.pos.y)
            )
        };
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" font-family=\"{family}\" font-size=\"{}\" \
             textLength=\"{}\" lengthAdjust=\"spacingAndGlyphs\" xml:space=\"preserve\"{}{rotate}>{}</text>",
            num(x),
            num(y),
            num(size),
            num(width.max(0.1)),
            fill(colour),
            escape(&content)
        );
    }
}

fn path_stroke_attrs(path_stroke: &epaint::PathStroke) -> String {
    if path_stroke.width <= 0.0 {
        return String::new();
    }
    let colour = match &path_stroke.color {
        ColorMode::Solid(colour) => *colour,
        ColorMode::UV(_) => Color32::GRAY,
    };
    stroke(Stroke::new(path_stroke.width, colour))
}

fn stroke(stroke: Stroke) -> String {
    if stroke.width <= 0.0 || stroke.color.a() == 0 {
        return String::new();
    }
    format!(
        " stroke=\"{}\" stroke-width=\"{}\"{}",
        hex(stroke.color),
        num(stroke.width),
        opacity("stroke-opacity", stroke.color)
    )
}

fn fill(colour: Color32) -> String {
    if colour.a() == 0 {
        return " fill=\"none\"".to_owned();
    }
    format!(
        " fill=\"{}\"{}",
        hex(colour),
        opacity("fill-opacity", colour)
    )
}

/// `#rrggbb` of a premultiplied colour, unmultiplied.
fn hex(colour: Color32) -> String {
    let [r, g, b, _] = colour.to_srgba_unmultiplied();
    format!("#{r:02x}{g:02x}{b:02x}")
}

fn opacity(attribute: &str, colour: Color32) -> String {
    let alpha = colour.a();
    if alpha == 255 {
        String::new()
    } else {
        format!(" {attribute}=\"{}\"", num(f32::from(alpha) / 255.0))
    }
}

/// A coordinate with at most two decimals, without trailing zeros.
fn num(value: f32) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    let text = format!("{rounded:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui::Pos2;

    fn text(ctx: &egui::Context, content: &str, at: Pos2) -> ClippedShape {
        let galley = ctx.fonts_mut(|fonts| {
            fonts.layout_no_wrap(
                content.to_owned(),
                egui::FontId::proportional(20.0),
                Color32::from_rgb(10, 20, 30),
            )
        });
        ClippedShape {
            clip_rect: Rect::EVERYTHING,
            shape: Shape::galley(at, galley, Color32::BLACK),
            transform_after_tessellation: Default::default(),
        }
    }

    #[test]
    fn shapes_become_svg_elements_with_text_as_text() {
        let ctx = egui::Context::default();
        // Fonts exist once a frame has run (its textures are not needed here).
        ctx.run_ui(Default::default(), |_| {})
            .textures_delta
            .clear();
        let shapes = vec![
            text(&ctx, "Kabul & <Jalalabad>", Pos2::new(10.0, 20.0)),
            ClippedShape {
                clip_rect: Rect::from_min_max(Pos2::ZERO, Pos2::new(50.0, 50.0)),
                shape: Shape::circle_filled(Pos2::new(5.0, 5.0), 3.0, Color32::RED),
                transform_after_tessellation: Default::default(),
            },
            ClippedShape {
                clip_rect: Rect::EVERYTHING,
                shape: Shape::line_segment(
                    [Pos2::new(0.0, 0.0), Pos2::new(10.0, 10.0)],
                    Stroke::new(1.5, Color32::from_rgba_unmultiplied(0, 0, 255, 128)),
                ),
                transform_after_tessellation: Default::default(),
            },
        ];
        let viewport = Rect::from_min_size(Pos2::ZERO, egui::vec2(200.0, 100.0));
        let svg = svg(&shapes, viewport, 1.0, Color32::WHITE);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"200\""));
        assert!(
            svg.contains(">Kabul &amp; &lt;Jalalabad&gt;</text>"),
            "{svg}"
        );
        assert!(svg.contains("fill=\"#0a141e\""), "text colour: {svg}");
        assert!(
            svg.contains("<circle cx=\"5\" cy=\"5\" r=\"3\" fill=\"#ff0000\"/>"),
            "{svg}"
        );
        assert!(svg.contains("clip-path=\"url(#c0)\""), "{svg}");
        assert!(svg.contains("stroke-opacity=\"0.5\""), "{svg}");
        assert!(svg.trim_end().ends_with("</svg>"));
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(3.0), "3");
        assert_eq!(num(12.3456), "12.35");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(10.5), "10.5");
    }
}
