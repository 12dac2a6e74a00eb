//! Heatmap layer: a kernel density of the filtered incidents, rasterised on the CPU into a
//! texture at a quarter of the screen resolution, and rebuilt only when the view changes.

use egui::{Color32, ColorImage, Pos2, Rect, TextureHandle, TextureOptions, Vec2};

use crate::model::Measure;

/// Points per heatmap pixel: the texture is smoothed when drawn, so this costs no quality.
const CELL: f32 = 4.0;
/// Kernel radius in points: wide enough to merge a city's incidents into one hot spot.
const KERNEL_RADIUS: f32 = 26.0;

#[derive(Default)]
pub(super) struct Heatmap {
    texture: Option<TextureHandle>,
    /// What the texture was drawn from; any change redraws it.
    drawn_for: Option<HeatmapKey>,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) struct HeatmapKey {
    pub generation: u64,
    pub weight: Measure,
    pub rect: Rect,
    /// Screen position of one fixed geographic point: changes when the map pans or zooms.
    pub anchor: Pos2,
    pub zoom_bits: u64,
}

impl Heatmap {
    /// Draw the heatmap for `points` (screen position, weight).
    pub(super) fn show(
        &mut self,
        ctx: &egui::Context,
        painter: &egui::Painter,
        key: HeatmapKey,
        points: impl FnOnce() -> Vec<(Pos2, f32)>,
    ) {
        let rect = key.rect;
        if self.drawn_for.as_ref() != Some(&key) {
            let image = rasterise(rect, &points());
            match &mut self.texture {
                Some(texture) => texture.set(image, TextureOptions::LINEAR),
                None => {
                    self.texture =
                        Some(ctx.load_texture("incident-heatmap", image, TextureOptions::LINEAR));
                }
            }
            self.drawn_for = Some(key);
        }
        if let Some(texture) = &self.texture {
            painter.image(
                texture.id(),
                rect,
                Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0)),
                Color32::WHITE,
            );
        }
    }
}

/// Density image: a quartic kernel per point, normalised to the densest cell, coloured from
/// transparent yellow to opaque dark red.
pub(super) fn rasterise(rect: Rect, points: &[(Pos2, f32)]) -> ColorImage {
    let width = ((rect.width() / CELL).ceil() as usize).max(1);
    let height = ((rect.height() / CELL).ceil() as usize).max(1);
    let mut density = vec![0.0_f32; width * height];
    let radius_cells = (KERNEL_RADIUS / CELL).ceil() as i64;
    for &(at, weight) in points {
        if weight <= 0.0 {
            continue;
        }
        let local = (at - rect.min) / CELL;
        let (cx, cy) = (local.x.floor() as i64, local.y.floor() as i64);
        for y in (cy - radius_cells).max(0)..=(cy + radius_cells).min(height as i64 - 1) {
            for x in (cx - radius_cells).max(0)..=(cx + radius_cells).min(width as i64 - 1) {
                let offset = Vec2::new(x as f32 + 0.5, y as f32 + 0.5) - local;
                let distance = offset.length() * CELL / KERNEL_RADIUS;
                if distance < 1.0 {
                    let falloff = 1.0 - distance * distance;
                    density[y as usize * width + x as usize] += weight * falloff * falloff;
                }
            }
        }
    }
    let peak = density.iter().copied().fold(0.0_f32, f32::max);
    let pixels = density
        .iter()
        .map(|&value| {
            if peak <= 0.0 || value <= 0.0 {
                Color32::TRANSPARENT
            } else {
                ramp((value / peak).sqrt())
            }
        })
        .collect();
    ColorImage::new([width, height], pixels)
}

/// 0..1 to a warm ramp with rising opacity.
fn ramp(t: f32) -> Color32 {
    let t = t.clamp(0.0, 1.0);
    let (r, g, b) = if t < 0.5 {
        let u = t / 0.5;
        (255.0, 237.0 - 100.0 * u, 160.0 - 120.0 * u)
    } else {
        let u = (t - 0.5) / 0.5;
        (255.0 - 75.0 * u, 137.0 - 137.0 * u, 40.0 - 2.0 * u)
    };
    let alpha = 40.0 + 190.0 * t;
    Color32::from_rgba_unmultiplied(r as u8, g as u8, b as u8, alpha as u8)
}

pub(super) fn weight_of(weight: Measure, incident: &crate::model::Incident) -> f32 {
    weight.of_incident(incident) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn density_peaks_where_points_are() {
        let rect = Rect::from_min_size(Pos2::ZERO, Vec2::new(200.0, 100.0));
        let image = rasterise(
            rect,
            &[(Pos2::new(50.0, 50.0), 1.0), (Pos2::new(52.0, 50.0), 1.0)],
        );
        assert_eq!(image.size, [50, 25]);
        let at = |x: f32, y: f32| image.pixels[(y / CELL) as usize * 50 + (x / CELL) as usize];
        assert!(at(50.0, 50.0).a() > at(70.0, 50.0).a());
        assert_eq!(at(190.0, 10.0), Color32::TRANSPARENT);
    }

    #[test]
    fn zero_weights_leave_it_empty() {
        let rect = Rect::from_min_size(Pos2::ZERO, Vec2::new(40.0, 40.0));
        let image = rasterise(rect, &[(Pos2::new(20.0, 20.0), 0.0)]);
        assert!(image.pixels.iter().all(|p| *p == Color32::TRANSPARENT));
    }
}
