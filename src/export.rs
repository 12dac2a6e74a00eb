//! PNG export of the window or of one view, at 1x, 2x or 4x, to a file or the clipboard.
//!
//! The whole window at 1x is a screenshot of it as it is. Anything else is drawn again through
//! `khorasan-atlas screenshot` (the same code path as the command) in a short-lived window: 2x
//! and 4x at that many pixels per point, so the picture is sharp rather than scaled up; one view
//! alone in presentation mode with that view's layout, so the title, the caption, the legend
//! and the source line stay in the picture.

use std::path::PathBuf;
use std::sync::mpsc;

use serde::{Deserialize, Serialize};

/// Which part of the window an export covers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
pub enum ExportTarget {
    #[default]
    Window,
    Map,
    Timeline,
}

impl ExportTarget {
    pub const ALL: [Self; 3] = [Self::Window, Self::Map, Self::Timeline];

    pub fn label(self) -> &'static str {
        match self {
            Self::Window => "whole window",
            Self::Map => "map only",
            Self::Timeline => "timeline only",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ExportRequest {
    /// `None`: copy to the clipboard.
    pub path: Option<PathBuf>,
    pub target: ExportTarget,
    /// Pixels per point: 1, 2 or 4.
    pub scale: u8,
}

/// Where each view was drawn last frame, in points, to crop an export to it.
#[derive(Clone, Copy, Debug, Default)]
pub struct ViewRects {
    pub map: Option<egui::Rect>,
    pub timeline: Option<egui::Rect>,
}

impl ViewRects {
    pub fn of(&self, target: ExportTarget) -> Option<egui::Rect> {
        match target {
            ExportTarget::Window => None,
            ExportTarget::Map => self.map,
            ExportTarget::Timeline => self.timeline,
        }
    }
}

/// What an export produced, sent back to the UI thread.
pub enum ExportResult {
    Message(String),
    Copy(egui::ColorImage),
}

/// Crop a screenshot to one view (or keep it whole), in the screenshot's own pixels.
pub fn crop(
    image: &egui::ColorImage,
    rect: Option<egui::Rect>,
    pixels_per_point: f32,
) -> egui::ColorImage {
    match rect {
        Some(rect) => image.region(&rect, Some(pixels_per_point)),
        None => image.clone(),
    }
}

/// Render `view_file` at `scale` through the screenshot command, in the background.
pub fn render_scaled(
    view_file: PathBuf,
    request: ExportRequest,
    size: (f32, f32),
    results: mpsc::Sender<ExportResult>,
    repaint: egui::Context,
) {
    std::thread::spawn(move || {
        let message = match (std::env::current_exe(), &request.path) {
            (Err(error), _) => format!("Cannot export: {error}"),
            (_, None) => "Copying a 2x or 4x picture is not offered: save it to a file.".to_owned(),
            (Ok(exe), Some(path)) => {
                let output = std::process::Command::new(exe)
                    .arg("screenshot")
                    .arg("--view")
                    .arg(&view_file)
                    .arg("--out")
                    .arg(path)
                    .arg("--size")
                    .arg(format!("{}x{}", size.0.round(), size.1.round()))
                    .arg("--scale")
                    .arg(request.scale.to_string())
                    .output();
                match output {
                    Ok(output) if output.status.success() => {
                        format!(
                            "Exported {} at {}x to {}.",
                            request.target.label(),
                            request.scale,
                            path.display()
                        )
                    }
                    Ok(output) => format!(
                        "Could not export {}: {}",
                        path.display(),
                        String::from_utf8_lossy(&output.stderr).trim()
                    ),
                    Err(error) => format!("Could not export {}: {error}", path.display()),
                }
            }
        };
        let _ = std::fs::remove_file(&view_file);
        let _ = results.send(ExportResult::Message(message));
        repaint.request_repaint();
    });
}
