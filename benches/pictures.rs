//! Pictures: the default window of the embedded dataset drawn offscreen at 1920x1080 points,
//! at 1x and 2x, on whatever adapter the renderer picks (on a machine without a GPU, Mesa's
//! lavapipe on the CPU).
//!
//! - `pictures/render_*`: the frames run and the picture rendered and read back.
//! - `pictures/png_*`: the same, then encoded as PNG (what `screenshot` and the View menu write).
//! - `pictures/renderer_start`: starting the device, once per process.
//!
//! Run with `cargo bench --bench pictures`.

use criterion::{Criterion, criterion_group, criterion_main};
use khorasan_atlas::AtlasApp;
use khorasan_atlas::app::picture::{PictureSpec, render};
use khorasan_atlas::render::Renderer;
use khorasan_atlas::state::{PersistedState, PictureScope};

fn app() -> AtlasApp {
    AtlasApp::with_state(
        khorasan_atlas::io::embedded_dataset().expect("embedded dataset"),
        "embedded dataset".into(),
        PersistedState::default(),
    )
}

fn pictures(c: &mut Criterion) {
    let mut group = c.benchmark_group("pictures");
    group.sample_size(10);
    group.bench_function("renderer_start", |b| {
        b.iter(|| Renderer::new().expect("a renderer"))
    });
    let mut renderer = Renderer::new().expect("a renderer");
    eprintln!("adapter: {}", renderer.adapter());
    for scale in [1.0, 2.0] {
        let spec = PictureSpec {
            size: egui::vec2(1920.0, 1080.0),
            scale,
            crop: PictureScope::Window,
        };
        group.bench_function(format!("render_1920x1080_at_{scale}x"), |b| {
            b.iter(|| render(&mut app(), &mut renderer, &spec).expect("a picture"))
        });
        group.bench_function(format!("png_1920x1080_at_{scale}x"), |b| {
            b.iter(|| {
                let image = render(&mut app(), &mut renderer, &spec).expect("a picture");
                let mut bytes = Vec::new();
                image::DynamicImage::ImageRgba8(image)
                    .write_to(
                        &mut std::io::Cursor::new(&mut bytes),
                        image::ImageFormat::Png,
                    )
                    .expect("encoded");
                bytes
            })
        });
    }
    group.finish();
}

criterion_group!(benches, pictures);
criterion_main!(benches);
