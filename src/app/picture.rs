//! Pictures of the view: PNG files and the clipboard, at 1x to 4x, of the whole window or of
//! one view as a slide. Every picture is drawn offscreen (`crate::render`): laid out in points
//! at the size asked and rendered at that many pixels per point, so it is the same on any
//! screen and needs no display. The View menu's exports run on a background thread; the
//! `screenshot` command runs the same [`render`] in the foreground.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};

use super::AtlasApp;
use crate::render::{Renderer, Scene};
use crate::state::{Notice, PictureRequest, PictureScope, PresentationLayout};

/// Frames drawn after the data has loaded before the picture is taken: enough for layout,
/// fonts, the map's framing and the panels' sizes to settle.
const SETTLE_FRAMES: u32 = 12;

/// Where each view was drawn last frame, in points, to crop a picture to it.
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

/// What to draw: a window of `size` points at `scale` pixels per point, cropped to `crop`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PictureSpec {
    pub size: egui::Vec2,
    /// Pixels per point, 1 to 4.
    pub scale: f32,
    /// The whole window, or one view cut out of it.
    pub crop: PictureScope,
}

/// Draw `app` offscreen as `spec` says: its data layers loaded, the frame settled.
pub fn render(
    app: &mut AtlasApp,
    renderer: &mut Renderer,
    spec: &PictureSpec,
) -> Result<image::RgbaImage, String> {
    let mut scene = settled_scene(app, spec.size, spec.scale, Some(&mut *renderer))?;
    let image = scene.render(renderer).map_err(|error| error.to_string())?;
    match spec.crop {
        PictureScope::Window => Ok(image),
        scope => crop(&image, app, scope, scene.ctx().pixels_per_point()),
    }
}

/// The view as SVG: laid out and settled as a picture is (no GPU needed), then the last
/// frame's shapes written as vector, in points; one view alone is the window's viewBox cut to
/// it.
pub fn render_svg(app: &mut AtlasApp, spec: &PictureSpec) -> Result<String, String> {
    let scene = settled_scene(app, spec.size, 1.0, None)?;
    let zoom = scene.ctx().zoom_factor();
    let window = egui::Rect::from_min_size(egui::Pos2::ZERO, scene.size() / zoom);
    let viewport = match spec.crop {
        PictureScope::Window => window,
        scope => app.view_rects.of(scope).ok_or_else(|| {
            "that view is not shown in this layout, so it cannot be exported alone".to_owned()
        })?,
    };
    let background = scene.ctx().global_style().visuals.panel_fill;
    Ok(crate::vector::svg(
        scene.shapes(),
        viewport,
        zoom,
        background,
    ))
}

/// An SVG of the app as a PDF: the same vector shapes, the text as text in egui's own fonts
/// (embedded, subset), so it can be selected and searched.
pub fn svg_to_pdf(svg: &str) -> Result<Vec<u8>, String> {
    let mut fonts = svg2pdf::usvg::fontdb::Database::new();
    for font in [
        epaint_default_fonts::UBUNTU_LIGHT,
        epaint_default_fonts::HACK_REGULAR,
        epaint_default_fonts::NOTO_EMOJI_REGULAR,
    ] {
        fonts.load_font_data(font.to_vec());
    }
    fonts.set_sans_serif_family("Ubuntu");
    fonts.set_monospace_family("Hack");
    let options = svg2pdf::usvg::Options {
        fontdb: Arc::new(fonts),
        ..Default::default()
    };
    let tree = svg2pdf::usvg::Tree::from_str(svg, &options).map_err(|error| error.to_string())?;
    svg2pdf::to_pdf(&tree, Default::default(), Default::default())
        .map_err(|error| error.to_string())
}

/// Write bytes atomically (a temporary file beside the target, renamed over it).
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write as _;
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("out");
    let mut file = partial_file(path, extension)?;
    file.write_all(bytes).map_err(|error| error.to_string())?;
    file.persist(path)
        .map_err(|error| error.error.to_string())?;
    Ok(())
}

/// What a picture's file name asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PictureFormat {
    Png,
    Svg,
    Pdf,
}

impl PictureFormat {
    /// From the file's extension; PNG unless it says SVG or PDF.
    pub fn of(path: &Path) -> Self {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("svg") => Self::Svg,
            Some("pdf") => Self::Pdf,
            _ => Self::Png,
        }
    }
}

/// A scene of `size` points at `scale` in the view's theme, run until the view has settled
/// (every picture, vector and animation starts so).
pub(super) fn settled_scene(
    app: &mut AtlasApp,
    size: egui::Vec2,
    scale: f32,
    renderer: Option<&mut Renderer>,
) -> Result<Scene, String> {
    let theme = if app.state.dark_mode {
        egui::Theme::Dark
    } else {
        egui::Theme::Light
    };
    let mut scene = Scene::new(size, scale, theme);
    // The app's own zoom stays 1 (plus presentation mode's larger type): the scale is pixels.
    app.base_zoom = 1.0;
    frame_settled(app, &mut scene, renderer)?;
    Ok(scene)
}

/// Run frames until the view's data layers have loaded, its scan has landed and the frame has
/// settled.
fn frame_settled(
    app: &mut AtlasApp,
    scene: &mut Scene,
    mut renderer: Option<&mut Renderer>,
) -> Result<(), String> {
    let started = std::time::Instant::now();
    let mut settled = 0;
    while settled < SETTLE_FRAMES {
        scene.run(renderer.as_deref_mut(), |ui| app.show(ui));
        if app.is_loading() || app.is_deriving() {
            // Data layers load, and large datasets scan, on their own threads: wait for them
            // without spinning.
            if started.elapsed() > std::time::Duration::from_secs(600) {
                return Err("the view's data layers did not load within 10 minutes".to_owned());
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        } else {
            settled += 1;
        }
    }
    Ok(())
}

/// One view cut out of a picture of the window, where the last frame drew it.
pub(super) fn crop(
    image: &image::RgbaImage,
    app: &AtlasApp,
    scope: PictureScope,
    pixels_per_point: f32,
) -> Result<image::RgbaImage, String> {
    let rect = app.view_rects.of(scope).ok_or_else(|| {
        "that view is not shown in this layout, so it cannot be exported alone".to_owned()
    })?;
    let min = (rect.min.to_vec2() * pixels_per_point).round();
    let size = (rect.size() * pixels_per_point).round();
    let (x, y) = (min.x.max(0.0) as u32, min.y.max(0.0) as u32);
    let width = (size.x as u32).min(image.width().saturating_sub(x));
    let height = (size.y as u32).min(image.height().saturating_sub(y));
    Ok(image::imageops::crop_imm(image, x, y, width, height).to_image())
}

/// A temporary file beside `path`, to be renamed over it once complete, so a failure never
/// leaves half a file.
pub(super) fn partial_file(
    path: &Path,
    extension: &str,
) -> Result<tempfile::NamedTempFile, String> {
    let dir = match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|error| error.to_string())?;
            dir.to_owned()
        }
        None => PathBuf::from("."),
    };
    let suffix = format!(".{extension}.partial");
    let mut builder = tempfile::Builder::new();
    builder.prefix(".khorasan-atlas-").suffix(&suffix);
    // A temporary file is private (0600); the picture it becomes is an ordinary file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    builder.tempfile_in(&dir).map_err(|error| error.to_string())
}

/// Write a PNG atomically.
pub fn write_png(path: &Path, image: &image::RgbaImage) -> Result<(), String> {
    let file = partial_file(path, "png")?;
    let mut out = std::io::BufWriter::new(file);
    image::DynamicImage::ImageRgba8(image.clone())
        .write_to(&mut out, image::ImageFormat::Png)
        .map_err(|error| error.to_string())?;
    let file = out.into_inner().map_err(|error| error.to_string())?;
    file.persist(path)
        .map_err(|error| error.error.to_string())?;
    Ok(())
}

/// The renderer the View menu's exports share: its device takes a while to start, so it is
/// made once, on the first export, and kept.
fn shared_renderer() -> &'static Mutex<Option<Renderer>> {
    static RENDERER: std::sync::OnceLock<Mutex<Option<Renderer>>> = std::sync::OnceLock::new();
    RENDERER.get_or_init(|| Mutex::new(None))
}

/// Run `work` with the shared renderer, starting it if needed.
pub(super) fn shared_renderer_do<T>(
    work: impl FnOnce(&mut Renderer) -> Result<T, String>,
) -> Result<T, String> {
    let mut slot = shared_renderer()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if slot.is_none() {
        *slot = Some(Renderer::new().map_err(|error| error.to_string())?);
    }
    match slot.as_mut() {
        Some(renderer) => work(renderer),
        None => Err("no renderer".to_owned()),
    }
}

/// What an export produced, sent back to the UI thread.
enum PictureResult {
    Notice(Notice),
    Copy(egui::ColorImage),
}

/// Exports asked for and their results.
pub(super) struct Pictures {
    /// Asked for this frame, started at the end of it.
    pending: Option<PictureRequest>,
    pending_animation: Option<crate::state::AnimationRequest>,
    /// Exports under way.
    running: usize,
    results: (mpsc::Sender<PictureResult>, mpsc::Receiver<PictureResult>),
}

impl Default for Pictures {
    fn default() -> Self {
        Self {
            pending: None,
            pending_animation: None,
            running: 0,
            results: mpsc::channel(),
        }
    }
}

impl Pictures {
    pub(super) fn request(&mut self, request: PictureRequest) {
        self.pending = Some(request);
    }

    pub(super) fn request_animation(&mut self, request: crate::state::AnimationRequest) {
        self.pending_animation = Some(request);
    }

    /// Whether an export is being drawn (the top bar shows a spinner).
    pub(super) fn is_running(&self) -> bool {
        self.running > 0
    }
}

/// Everything a picture of the current view needs, shared with the app rather than copied:
/// the merged dataset and its columns are `Arc`s.
pub(super) struct PictureData {
    pub(super) dataset: Arc<crate::model::Dataset>,
    pub(super) columns: Arc<crate::model::columns::Columns>,
    pub(super) layer_of: Vec<u16>,
    pub(super) matches: Arc<crate::model::matching::Matches>,
    pub(super) layers: Vec<crate::layers::Layer>,
    pub(super) dataset_name: String,
    pub(super) view: crate::state::view_file::ViewFile,
}

impl PictureData {
    /// The current view's data, shared, under `view`.
    pub(super) fn of(app: &AtlasApp, view: crate::state::view_file::ViewFile) -> Self {
        Self {
            dataset: app.dataset.clone(),
            columns: app.columns.clone(),
            layer_of: app.layer_of.clone(),
            matches: app.matches.clone(),
            layers: app.layers.clone(),
            dataset_name: app.dataset_name.clone(),
            view,
        }
    }
}

impl AtlasApp {
    /// Start a picture export asked for last frame, and take in finished ones.
    pub(super) fn export_picture(&mut self, ctx: &egui::Context) {
        if let Some(request) = self.pictures.pending.take() {
            self.start_picture(ctx, request);
        }
        if let Some(request) = self.pictures.pending_animation.take() {
            self.start_animation(ctx, request);
        }
        self.poll_animation(ctx);
        while let Ok(result) = self.pictures.results.1.try_recv() {
            self.pictures.running = self.pictures.running.saturating_sub(1);
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
        if self.pictures.is_running() {
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        }
    }

    /// Draw the view again offscreen on a background thread: the window as it is, or one
    /// view alone as a slide (presentation mode in that view's layout, so the title, the
    /// caption, the legend and the source line stay in the picture).
    fn start_picture(&mut self, ctx: &egui::Context, request: PictureRequest) {
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
        let spec = PictureSpec {
            size: egui::vec2(self.window_size.0, self.window_size.1),
            scale: f32::from(request.scale),
            crop: PictureScope::Window,
        };
        let data = PictureData::of(self, view);
        let results = self.pictures.results.0.clone();
        let repaint = ctx.clone();
        let work = move || {
            let result = draw_export(data, &spec, &request);
            let _ = results.send(result);
            repaint.request_repaint();
        };
        match std::thread::Builder::new()
            .name("picture-export".to_owned())
            .spawn(work)
        {
            Ok(_) => self.pictures.running += 1,
            Err(error) => self.notices.push(Notice::warning(format!(
                "Could not start the export: {error}"
            ))),
        }
    }
}

/// The export's picture, written or copied; what happened, for the user.
fn draw_export(data: PictureData, spec: &PictureSpec, request: &PictureRequest) -> PictureResult {
    let what = request.scope.label();
    if let Some(path) = request
        .path
        .as_ref()
        .filter(|path| PictureFormat::of(path) != PictureFormat::Png)
    {
        let mut app = AtlasApp::for_picture(data);
        let written = render_svg(&mut app, spec).and_then(|svg| {
            let bytes = match PictureFormat::of(path) {
                PictureFormat::Pdf => svg_to_pdf(&svg)?,
                _ => svg.into_bytes(),
            };
            write_file(path, &bytes)
        });
        return PictureResult::Notice(match written {
            Ok(()) => Notice::success(format!(
                "Exported the {what} as vector ({}x{} points) to {}.",
                spec.size.x.round(),
                spec.size.y.round(),
                path.display()
            )),
            Err(error) => Notice::warning(format!(
                "Could not export to {}: {error}. Nothing was written.",
                path.display()
            )),
        });
    }
    let drawn = shared_renderer_do(|renderer| {
        let mut app = AtlasApp::for_picture(data);
        render(&mut app, renderer, spec)
    });
    match (drawn, &request.path) {
        (Err(error), _) => PictureResult::Notice(Notice::warning(format!(
            "Could not export the {what}: {error}"
        ))),
        (Ok(image), None) => PictureResult::Copy(egui::ColorImage::from_rgba_unmultiplied(
            [image.width() as usize, image.height() as usize],
            image.as_raw(),
        )),
        (Ok(image), Some(path)) => PictureResult::Notice(match write_png(path, &image) {
            Ok(()) => Notice::success(format!(
                "Exported the {what} at {}x ({}x{} px) to {}.",
                request.scale,
                image.width(),
                image.height(),
                path.display()
            )),
            Err(error) => Notice::warning(format!(
                "Could not export to {}: {error}. Nothing was written.",
                path.display()
            )),
        }),
    }
}
