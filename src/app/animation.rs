//! The playback as an animated GIF: one frame per month, drawn offscreen like every picture,
//! with the caption's period moving in each frame. The window (last N months or cumulative)
//! and the speed are the playback's; the months are the view's period when it has one (and
//! playback is not under way), else every month of the data.

use std::path::Path;
use std::sync::{Arc, mpsc};

use super::AtlasApp;
use super::picture::{PictureData, PictureSpec, settled_scene, shared_renderer_do};
use crate::model::aggregate::{MonthIndex, month_index, month_of_index};
use crate::render::Renderer;
use crate::state::{
    AnimationRequest, Command, ExportProgress, Notice, PictureScope, PlaybackAction,
};

/// Frames drawn after each month's filter change: the scan's result and the charts' caches.
const FRAMES_PER_MONTH: u32 = 3;

/// The months of an animation, first and last (inclusive).
pub fn animation_months(app: &AtlasApp) -> (MonthIndex, MonthIndex) {
    use chrono::Datelike as _;
    let filter = &app.state.filter;
    let span = app.month_span;
    // While playback runs, the filter's period is the playback window, not a chosen period.
    let period = if app.state.playback.cursor.is_none() {
        (filter.from, filter.to)
    } else {
        (None, None)
    };
    let first = period
        .0
        .map_or(span.0, |from| month_index(from.year(), from.month()));
    let last = period
        .1
        .map_or(span.1, |to| month_index(to.year(), to.month()));
    (first.max(span.0), last.min(span.1).max(first.max(span.0)))
}

/// The frames of an animation and how long each shows.
pub struct Animation {
    pub frames: Vec<image::RgbaImage>,
    /// Milliseconds per frame, from the playback speed.
    pub delay_ms: u32,
    /// First and last month shown.
    pub months: (MonthIndex, MonthIndex),
}

/// Draw the animation of `app` as `spec` says, month by month; `progress` counts the frames
/// and is checked for a cancel between them.
pub fn render_animation(
    app: &mut AtlasApp,
    renderer: &mut Renderer,
    spec: &PictureSpec,
    months: Option<(MonthIndex, MonthIndex)>,
    progress: &ExportProgress,
) -> Result<Animation, String> {
    let mut scene = settled_scene(app, spec.size, spec.scale, Some(&mut *renderer))?;
    let span = app.month_span;
    let (first, last) = months
        .map(|(first, last)| (first.max(span.0), last.min(span.1)))
        .unwrap_or_else(|| animation_months(app));
    if first > last {
        return Err("no month of the data falls in the animation's period".to_owned());
    }
    progress.set_total((last - first + 1) as usize);
    let speed = app.state.playback.months_per_second.clamp(0.1, 12.0);
    let delay_ms = (1000.0 / speed).round().clamp(20.0, 10_000.0) as u32;
    let mut frames = Vec::new();
    for month in first..=last {
        if progress.is_cancelled() {
            return Err("cancelled".to_owned());
        }
        let (year, month_of_year) = month_of_index(month);
        app.apply(Command::Playback(PlaybackAction::JumpTo(
            year,
            month_of_year,
        )));
        app.finish_derived();
        for _ in 0..FRAMES_PER_MONTH {
            scene.run(Some(&mut *renderer), |ui| app.show(ui));
        }
        let image = scene.render(renderer).map_err(|error| error.to_string())?;
        frames.push(match spec.crop {
            PictureScope::Window => image,
            scope => super::picture::crop(&image, app, scope, scene.ctx().pixels_per_point())?,
        });
        progress.advance();
    }
    Ok(Animation {
        frames,
        delay_ms,
        months: (first, last),
    })
}

/// Write the animation as a GIF that loops, atomically (a temporary file renamed over the
/// target once complete).
pub fn write_gif(path: &Path, animation: &Animation) -> Result<(), String> {
    use image::codecs::gif::{GifEncoder, Repeat};
    let file = super::picture::partial_file(path, "gif")?;
    {
        let mut encoder = GifEncoder::new_with_speed(std::io::BufWriter::new(file.as_file()), 10);
        encoder
            .set_repeat(Repeat::Infinite)
            .map_err(|error| error.to_string())?;
        let delay = image::Delay::from_numer_denom_ms(animation.delay_ms, 1);
        for frame in &animation.frames {
            encoder
                .encode_frame(image::Frame::from_parts(frame.clone(), 0, 0, delay))
                .map_err(|error| error.to_string())?;
        }
    }
    file.persist(path)
        .map_err(|error| error.error.to_string())?;
    Ok(())
}

/// "Jan 2021 – Dec 2021".
pub fn describe_months((first, last): (MonthIndex, MonthIndex)) -> String {
    let name = |month: MonthIndex| {
        let (year, month) = month_of_index(month);
        chrono::NaiveDate::from_ymd_opt(year, month, 1)
            .map_or_else(String::new, |date| date.format("%b %Y").to_string())
    };
    format!("{} \u{2013} {}", name(first), name(last))
}

/// An animation being exported from the View menu.
pub(super) struct AnimationJob {
    pub(super) progress: Arc<ExportProgress>,
    done: mpsc::Receiver<Notice>,
}

impl AtlasApp {
    pub(super) fn start_animation(&mut self, ctx: &egui::Context, request: AnimationRequest) {
        if self.animation.is_some() {
            self.notices.push(Notice::warning(
                "An animation is already being exported; wait for it or cancel it.",
            ));
            return;
        }
        let months = animation_months(self);
        let mut view = self.view_file();
        // Each frame sets its own period; playback itself does not run.
        view.state.playback.playing = false;
        let data = PictureData::of(self, view);
        let spec = PictureSpec {
            size: egui::vec2(self.window_size.0, self.window_size.1),
            scale: f32::from(request.scale),
            crop: PictureScope::Window,
        };
        let progress = Arc::new(ExportProgress::default());
        let (send, done) = mpsc::channel();
        let thread_progress = progress.clone();
        let repaint = ctx.clone();
        let work = move || {
            let drawn = shared_renderer_do(|renderer| {
                let mut app = AtlasApp::for_picture(data);
                render_animation(&mut app, renderer, &spec, Some(months), &thread_progress)
            });
            let notice = match drawn
                .and_then(|animation| write_gif(&request.path, &animation).map(|()| animation))
            {
                Ok(animation) => Notice::success(format!(
                    "Exported the playback ({}, {} frames of {}x{} px, {} ms each) to {}.",
                    describe_months(animation.months),
                    animation.frames.len(),
                    animation.frames.first().map_or(0, |f| f.width()),
                    animation.frames.first().map_or(0, |f| f.height()),
                    animation.delay_ms,
                    request.path.display()
                )),
                Err(error) if error == "cancelled" => {
                    Notice::info("The animation export was cancelled; nothing was written.")
                }
                Err(error) => Notice::warning(format!(
                    "Could not export the animation to {}: {error}. Nothing was written.",
                    request.path.display()
                )),
            };
            let _ = send.send(notice);
            repaint.request_repaint();
        };
        match std::thread::Builder::new()
            .name("animation-export".to_owned())
            .spawn(work)
        {
            Ok(_) => self.animation = Some(AnimationJob { progress, done }),
            Err(error) => self.notices.push(Notice::warning(format!(
                "Could not start the export: {error}"
            ))),
        }
    }

    /// Take in a finished animation; keep the progress bar moving meanwhile.
    pub(super) fn poll_animation(&mut self, ctx: &egui::Context) {
        let Some(job) = &self.animation else {
            return;
        };
        match job.done.try_recv() {
            Ok(notice) => {
                self.notices.push(notice);
                self.animation = None;
            }
            Err(mpsc::TryRecvError::Empty) => {
                ctx.request_repaint_after(std::time::Duration::from_millis(100));
            }
            Err(mpsc::TryRecvError::Disconnected) => {
                self.notices.push(Notice::warning(
                    "The animation export stopped without finishing; nothing was written.",
                ));
                self.animation = None;
            }
        }
    }
}
