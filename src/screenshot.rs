//! `khorasan-atlas screenshot`: render a saved view in a window, save it as PNG and exit,
//! with no user interaction. The pointer and keyboard are ignored so the picture depends
//! only on the view file, the data and the size.

use std::path::PathBuf;
use std::sync::mpsc;

use crate::app::AtlasApp;

/// What the screenshot came to: a message for the user, or why it failed.
pub type Outcome = Result<String, String>;
/// Shared with `main`, which reads it after the window has closed.
pub type SharedOutcome = std::sync::Arc<std::sync::Mutex<Option<Outcome>>>;

/// Frames drawn before the picture is taken: enough for layout, fonts and map fitting to settle.
const SETTLE_FRAMES: u32 = 12;

pub struct ScreenshotApp {
    app: AtlasApp,
    out: PathBuf,
    only: crate::state::PictureScope,
    frames: u32,
    requested: bool,
    results: (mpsc::Sender<Outcome>, mpsc::Receiver<Outcome>),
    /// What happened, read by `main` after the window closes.
    pub outcome: SharedOutcome,
}

impl ScreenshotApp {
    pub fn new(
        app: AtlasApp,
        out: PathBuf,
        only: crate::state::PictureScope,
        outcome: SharedOutcome,
    ) -> Self {
        Self {
            app,
            out,
            only,
            frames: 0,
            requested: false,
            results: mpsc::channel(),
            outcome,
        }
    }
}

impl eframe::App for ScreenshotApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.app.show(ui);
        let ctx = ui.ctx().clone();
        // Layers named by the view load in the background; the picture waits for them.
        if self.app.is_loading() {
            ctx.request_repaint();
            return;
        }
        self.frames += 1;
        if self.frames >= SETTLE_FRAMES && !self.requested {
            self.requested = true;
            let out = self.out.clone();
            let results = self.results.0.clone();
            let repaint = ctx.clone();
            let rect = self.app.view_rects.of(self.only);
            let missing = rect.is_none() && self.only != crate::state::PictureScope::Window;
            let pixels_per_point = ctx.pixels_per_point();
            ctx.request_screenshot(move |image| {
                if missing {
                    let _ = results.send(Err(
                        "that view is not shown in this layout, so it cannot be exported alone"
                            .to_owned(),
                    ));
                    repaint.request_repaint();
                    return;
                }
                let image = crate::app::picture::crop(&image, rect, pixels_per_point);
                let result = crate::app::picture::save_png(&out, &image).map(|()| {
                    format!(
                        "wrote {} ({}x{})",
                        out.display(),
                        image.size[0],
                        image.size[1]
                    )
                });
                let _ = results.send(result);
                repaint.request_repaint();
            });
        }
        if let Ok(result) = self.results.1.try_recv() {
            if let Ok(mut outcome) = self.outcome.lock() {
                *outcome = Some(result);
            }
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
        ctx.request_repaint();
    }

    /// No pointer, no keys: nothing but the view file decides what is drawn.
    fn raw_input_hook(&mut self, _ctx: &egui::Context, raw_input: &mut egui::RawInput) {
        raw_input.events.retain(|event| {
            !matches!(
                event,
                egui::Event::PointerMoved(_)
                    | egui::Event::MouseMoved(_)
                    | egui::Event::PointerButton { .. }
                    | egui::Event::Key { .. }
                    | egui::Event::Text(_)
                    | egui::Event::MouseWheel { .. }
            )
        });
        raw_input.events.push(egui::Event::PointerGone);
    }

    fn persist_egui_memory(&self) -> bool {
        false
    }
}
