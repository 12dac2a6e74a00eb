//! PNG export of the window or of one view, at 1x, 2x or 4x, to a file or the clipboard.
//!
//! The whole window at 1x is a screenshot of it as it is. Anything else is drawn again through
//! `khorasan-atlas screenshot` (the same code path as the command) in a short-lived window: 2x
//! and 4x at that many pixels per point, so the picture is sharp rather than scaled up; one view
//! alone in presentation mode with that view's layout, so the title, the caption, the legend
//! and the source line stay in the picture.

use std::path::{Path, PathBuf};
use std::sync::mpsc;

use super::AtlasApp;
use crate::state::{Notice, PictureRequest, PictureScope, PresentationLayout};

/// Where each view was drawn last frame, in points, to crop an export to it.
#[derive(Clone, Copy, Debug, Default)]
pub struct ViewRects {
    pub map: Option<egui::Rect>,
    pub timeline: Option<egui::Rect>,
}

impl ViewRects {
    pub fn of(&self, scope: PictureScope) -> Option<egui::Rect> {
        match scope {
            PictureScope::Window => None,
            PictureScope::Map => self.map,
            PictureScope::Timeline => self.timeline,
        }
    }
}

/// What an export produced, sent back to the UI thread.
enum PictureResult {
    Notice(Notice),
    Copy(egui::ColorImage),
}

/// A picture asked for, and the results of those under way.
pub(super) struct Pictures {
    /// Taken in the next frame, once the frame it shows has been drawn.
    pending: Option<PictureRequest>,
    /// Results sent back from the screenshot callback or the renderer.
    results: (mpsc::Sender<PictureResult>, mpsc::Receiver<PictureResult>),
}

impl Default for Pictures {
    fn default() -> Self {
        Self {
            pending: None,
            results: mpsc::channel(),
        }
    }
}

impl Pictures {
    pub(super) fn request(&mut self, request: PictureRequest) {
        self.pending = Some(request);
    }

    pub(super) fn is_pending(&self) -> bool {
        self.pending.is_some()
    }
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

/// Write a screenshot (premultiplied RGBA) as a PNG file.
pub fn save_png(path: &Path, image: &egui::ColorImage) -> Result<(), String> {
    let [width, height] = image.size;
    let bytes: Vec<u8> = image
        .pixels
        .iter()
        .flat_map(|pixel| pixel.to_srgba_unmultiplied())
        .collect();
    let buffer = image::RgbaImage::from_raw(width as u32, height as u32, bytes)
        .ok_or_else(|| "the screenshot has no pixels".to_owned())?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|error| error.to_string())?;
    }
    buffer.save(path).map_err(|error| error.to_string())
}

impl AtlasApp {
    /// Carry out a picture export asked for last frame, and take in finished ones.
    pub(super) fn export_picture(&mut self, ctx: &egui::Context) {
        if let Some(request) = self.pictures.pending.take() {
            if request.scale > 1 || request.scope != PictureScope::Window {
                self.render_again(ctx, request);
            } else {
                self.screenshot_window(ctx, request);
            }
        }
        while let Ok(result) = self.pictures.results.1.try_recv() {
            match result {
                PictureResult::Notice(notice) => self.notices.push(notice),
                PictureResult::Copy(image) => {
                    let size = image.size;
                    ctx.copy_image(image);
                    self.notices.push(Notice::success(format!(
                        "Copied a {}x{} picture to the clipboard.",
                        size[0], size[1]
                    )));
                }
            }
        }
    }

    /// The window as it is on screen, at 1x.
    fn screenshot_window(&mut self, ctx: &egui::Context, request: PictureRequest) {
        let results = self.pictures.results.0.clone();
        let repaint = ctx.clone();
        let rect = self.view_rects.of(request.scope);
        let pixels_per_point = ctx.pixels_per_point();
        ctx.request_screenshot(move |image| {
            let image = crop(&image, rect, pixels_per_point);
            let result = match &request.path {
                None => PictureResult::Copy(image),
                Some(path) => PictureResult::Notice(match save_png(path, &image) {
                    Ok(()) => Notice::success(format!(
                        "Exported {} ({}x{} px) to {}.",
                        request.scope.label(),
                        image.size[0],
                        image.size[1],
                        path.display()
                    )),
                    Err(error) => {
                        Notice::warning(format!("Could not export {}: {error}", path.display()))
                    }
                }),
            };
            let _ = results.send(result);
            repaint.request_repaint();
        });
    }

    /// The view drawn again at a scale, or one view alone, through the screenshot command.
    fn render_again(&mut self, ctx: &egui::Context, request: PictureRequest) {
        let mut view = self.view_file();
        let layout = match request.scope {
            PictureScope::Window => None,
            PictureScope::Map => Some(PresentationLayout::MapOnly),
            PictureScope::Timeline => Some(PresentationLayout::TimelineOnly),
        };
        if let Some(layout) = layout {
            view.presenting = true;
            view.state.presentation.layout = layout;
        }
        // A private, unpredictable file, removed when the render is done.
        let file = tempfile::Builder::new()
            .prefix("khorasan-atlas-export-")
            .suffix(".view.ron")
            .tempfile()
            .map_err(|error| error.to_string())
            .and_then(|file| {
                crate::state::view_file::save(file.path(), &view)
                    .map(|()| file.into_temp_path())
                    .map_err(|error| error.to_string())
            });
        match file {
            Ok(file) => render_scaled(
                file,
                request,
                self.window_size,
                self.pictures.results.0.clone(),
                ctx.clone(),
            ),
            Err(error) => self
                .notices
                .push(Notice::warning(format!("Cannot export: {error}"))),
        }
    }
}

/// Render `view_file` at `scale` through the screenshot command, in the background.
fn render_scaled(
    view_file: tempfile::TempPath,
    request: PictureRequest,
    size: (f32, f32),
    results: mpsc::Sender<PictureResult>,
    repaint: egui::Context,
) {
    let work = move || {
        let notice = match (std::env::current_exe(), &request.path) {
            (Err(error), _) => Notice::warning(format!("Cannot export: {error}")),
            (_, None) => {
                Notice::warning("Copying a 2x or 4x picture is not offered: save it to a file.")
            }
            (Ok(exe), Some(path)) => run_screenshot(&exe, &view_file, path, size, &request),
        };
        // Removes the view file.
        drop(view_file);
        let _ = results.send(PictureResult::Notice(notice));
        repaint.request_repaint();
    };
    if let Err(error) = std::thread::Builder::new()
        .name("picture-export".to_owned())
        .spawn(work)
    {
        log::warn!("could not start the export: {error}");
    }
}

fn run_screenshot(
    exe: &Path,
    view_file: &Path,
    path: &PathBuf,
    size: (f32, f32),
    request: &PictureRequest,
) -> Notice {
    let output = std::process::Command::new(exe)
        .arg("screenshot")
        .arg("--view")
        .arg(view_file)
        .arg("--out")
        .arg(path)
        .arg("--size")
        .arg(format!("{}x{}", size.0.round(), size.1.round()))
        .arg("--scale")
        .arg(request.scale.to_string())
        .output();
    match output {
        Ok(output) if output.status.success() => Notice::success(format!(
            "Exported {} at {}x to {}.",
            request.scope.label(),
            request.scale,
            path.display()
        )),
        Ok(output) => Notice::warning(format!(
            "Could not export {}: {}",
            path.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        )),
        Err(error) => Notice::warning(format!("Could not export {}: {error}", path.display())),
    }
}
