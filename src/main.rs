#![forbid(unsafe_code)]

use clap::Parser as _;
use khorasan_atlas::AtlasApp;
use khorasan_atlas::cli::{self, Cli};

// See Cargo.toml: the loads' many small allocations across threads.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // egui-wgpu warns that a software rasteriser is slow: that is the point offscreen.
    env_logger::Builder::from_env(
        env_logger::Env::default().default_filter_or("warn,egui_wgpu=error"),
    )
    .init();
    let cli = Cli::parse();

    if let Some(cli::CliCommand::Screenshot {
        view,
        out,
        size,
        scale,
        only,
        animate,
        from,
        to,
    }) = &cli.command
    {
        let request = ScreenshotRequest {
            view: view.clone(),
            out: out.clone(),
            size: *size,
            scale: *scale,
            only: (*only).into(),
            animate: animate.then_some((*from, *to)),
        };
        std::process::exit(screenshot(&cli.data_args(), request));
    }
    if let Some(command) = &cli.command {
        if let Err(error) = cli::run_command(&cli.data_args(), command) {
            eprintln!("khorasan-atlas: {error}");
            std::process::exit(error.exit_code());
        }
        return;
    }

    let dataset = match khorasan_atlas::io::embedded_dataset() {
        Ok(dataset) => dataset,
        Err(error) => {
            eprintln!("khorasan-atlas: {error}");
            std::process::exit(1);
        }
    };
    // A broken mapping file is a message before the window opens; --data files load in the
    // window, in the background, each becoming a layer.
    let mapping = match cli::load_mapping(&cli.data_args()) {
        Ok(mapping) => mapping,
        Err(error) => {
            eprintln!("khorasan-atlas: {error}");
            std::process::exit(2);
        }
    };
    // A saved view is read before the window opens: a broken file is a message, not a crash.
    let view = match cli
        .view
        .as_deref()
        .map(khorasan_atlas::state::view_file::load)
    {
        Some(Ok(view)) => Some(view),
        Some(Err(error)) => {
            eprintln!("khorasan-atlas: {error}");
            std::process::exit(1);
        }
        None => None,
    };
    let window_size = cli
        .window_size
        .or_else(|| view.as_ref().map(|loaded| loaded.view.window_size))
        .map(|(w, h)| (w.clamp(400.0, 10_000.0), h.clamp(300.0, 10_000.0)))
        .unwrap_or((1280.0, 800.0));
    let dataset_name = "embedded dataset".to_owned();

    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Khorasan Atlas")
            .with_inner_size([window_size.0, window_size.1])
            .with_min_inner_size([900.0, 600.0]),
        // glow: software OpenGL is several times faster than wgpu on CPU-only machines.
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    };
    let result = eframe::run_native(
        "Khorasan Atlas",
        options,
        Box::new(move |creation| {
            let mut app = AtlasApp::new(creation, dataset, dataset_name);
            if let (Some(loaded), Some(path)) = (view, &cli.view) {
                app.open_view(loaded, &path.display().to_string());
            }
            for path in &cli.data {
                app.open_file(path.clone(), mapping.clone());
            }
            if let Some(path) = cli.basemap {
                app.apply(khorasan_atlas::state::Command::SetBasemap(
                    khorasan_atlas::state::BasemapRequest::File(path),
                ));
            }
            Ok(Box::new(app))
        }),
    );
    if let Err(error) = result {
        eprintln!("khorasan-atlas: cannot open a window: {error}");
        eprintln!("(it needs a display: a desktop session, or Xvfb with Mesa for a virtual one)");
        std::process::exit(1);
    }
}

struct ScreenshotRequest {
    view: std::path::PathBuf,
    out: std::path::PathBuf,
    size: Option<(f32, f32)>,
    scale: f32,
    only: khorasan_atlas::state::PictureScope,
    /// An animation, with its first and last months when given.
    animate: Option<(Option<YearMonth>, Option<YearMonth>)>,
}

/// (year, month) as `--from` and `--to` give them.
type YearMonth = (i32, u32);

/// Render a saved view offscreen to a PNG of `size` points at `scale` pixels per point.
fn screenshot(data: &cli::DataArgs, request: ScreenshotRequest) -> i32 {
    let ScreenshotRequest {
        view: view_path,
        out,
        size,
        scale,
        only,
        animate,
    } = request;
    let fail = |message: String| {
        eprintln!("khorasan-atlas: {message}");
        1
    };
    let layers = match cli::load_layers(data) {
        Ok(layers) => layers,
        Err(error) => return fail(error.to_string()),
    };
    let loaded = match khorasan_atlas::state::view_file::load(&view_path) {
        Ok(loaded) => loaded,
        Err(error) => return fail(error.to_string()),
    };
    let (width, height) = size.unwrap_or(loaded.view.window_size);
    let spec = khorasan_atlas::app::picture::PictureSpec {
        size: egui::vec2(width, height),
        scale,
        crop: only,
    };
    let name = view_path.display().to_string();
    let result = match animate {
        None => khorasan_atlas::screenshot::run(layers, loaded, &name, &spec, &out),
        Some((from, to)) => {
            use khorasan_atlas::model::aggregate::month_index;
            // One end given: the other is the data's first or last month.
            let months = match (from, to) {
                (None, None) => None,
                (from, to) => {
                    let first = from.map_or(i32::MIN, |(y, m)| month_index(y, m));
                    let last = to.map_or(i32::MAX, |(y, m)| month_index(y, m));
                    Some((first, last))
                }
            };
            khorasan_atlas::screenshot::run_animation(layers, loaded, &name, &spec, months, &out)
        }
    };
    match result {
        Ok(message) => {
            eprintln!("{message}");
            0
        }
        Err(message) => fail(message),
    }
}
