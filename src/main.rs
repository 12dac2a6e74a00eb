#![forbid(unsafe_code)]

use clap::Parser as _;
use khorasan_atlas::AtlasApp;
use khorasan_atlas::cli::{self, Cli};

fn main() {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let cli = Cli::parse();

    if let Some(cli::CliCommand::Screenshot {
        view,
        out,
        size,
        scale,
        only,
    }) = &cli.command
    {
        let request = ScreenshotRequest {
            view: view.clone(),
            out: out.clone(),
            size: *size,
            scale: *scale,
            only: (*only).into(),
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
}

/// Render a saved view to PNG in a window of `size` points at `scale` pixels per point.
fn screenshot(data: &cli::DataArgs, request: ScreenshotRequest) -> i32 {
    let ScreenshotRequest {
        view: view_path,
        out,
        size,
        scale,
        only,
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
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Khorasan Atlas (screenshot)")
            .with_inner_size([width * scale, height * scale])
            .with_resizable(false),
        renderer: eframe::Renderer::Glow,
        persist_window: false,
        ..Default::default()
    };
    let outcome = std::sync::Arc::new(std::sync::Mutex::new(None));
    let outcome_for_app = outcome.clone();
    let name = view_path.display().to_string();
    let result = eframe::run_native(
        "Khorasan Atlas screenshot",
        options,
        Box::new(move |creation| {
            let mut app = khorasan_atlas::AtlasApp::with_layers(layers, Default::default());
            app.open_view(loaded, &name);
            app.base_zoom = scale;
            let _ = creation;
            Ok(Box::new(khorasan_atlas::screenshot::ScreenshotApp::new(
                app,
                out,
                only,
                outcome_for_app,
            )))
        }),
    );
    if let Err(error) = result {
        return fail(format!(
            "cannot open a window to render in: {error} (it needs a display: run it under Xvfb)"
        ));
    }
    match outcome.lock().ok().and_then(|mut outcome| outcome.take()) {
        Some(Ok(message)) => {
            eprintln!("{message}");
            0
        }
        Some(Err(message)) => fail(message),
        None => fail("the window closed before the picture was taken".into()),
    }
}
