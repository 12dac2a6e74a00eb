//! The pictures briefers paste into slides, drawn offscreen with no display (Mesa's CPU Vulkan
//! driver on a machine without a GPU) and compared with the snapshots committed under
//! `tests/snapshots/` (`UPDATE_SNAPSHOTS=1 cargo test --test pictures` rewrites them after a
//! deliberate change; a failure writes `.new.png` and `.diff.png` beside them).
//!
//! Thresholds: egui_kittest's defaults (a pixel fails past a YIQ distance of 0.6; no pixel
//! may fail), since every machine here renders with the same Mesa.

mod common;

use khorasan_atlas::AtlasApp;
use khorasan_atlas::app::picture::{PictureSpec, render};
use khorasan_atlas::render::Renderer;
use khorasan_atlas::state::{CentralView, PersistedState, PictureScope, PresentationLayout};

fn renderer() -> Renderer {
    Renderer::new().unwrap_or_else(|error| panic!("{error}"))
}

fn draw(
    app: &mut AtlasApp,
    renderer: &mut Renderer,
    size: (f32, f32),
    scale: f32,
) -> image::RgbaImage {
    let spec = PictureSpec {
        size: egui::vec2(size.0, size.1),
        scale,
        crop: PictureScope::Window,
    };
    render(app, renderer, &spec).unwrap_or_else(|error| panic!("{error}"))
}

/// A presentation slide of the embedded dataset: attacks and foiled plots in Afghanistan and
/// Pakistan, titled.
fn slide(layout: PresentationLayout, central: CentralView, dark: bool) -> AtlasApp {
    let mut state = PersistedState {
        dark_mode: dark,
        central,
        ..PersistedState::default()
    };
    state.filter.kinds = [
        khorasan_atlas::model::Kind::Attack,
        khorasan_atlas::model::Kind::FoiledPlot,
    ]
    .into();
    state.filter.countries = ["AF".to_owned(), "PK".to_owned()].into();
    state.presentation.title = "ISK attacks in Afghanistan and Pakistan".to_owned();
    state.presentation.layout = layout;
    let mut app = common::app(state);
    app.presenting = true;
    app
}

/// The window as an analyst sees it on a 1280x800 laptop.
fn window(central: CentralView, dark: bool) -> AtlasApp {
    common::app(PersistedState {
        dark_mode: dark,
        central,
        ..PersistedState::default()
    })
}

#[test]
fn snapshots_of_the_window_at_1280x800_and_the_presentation_layouts() {
    let mut renderer = renderer();
    let laptop = (1280.0, 800.0);
    let slide_size = (960.0, 600.0);
    for (name, mut app, size) in [
        ("default_dark", window(CentralView::Map, true), laptop),
        ("default_light", window(CentralView::Map, false), laptop),
        ("trends_dark", window(CentralView::Trends, true), laptop),
        ("trends_light", window(CentralView::Trends, false), laptop),
        (
            "present_map_and_timeline",
            slide(PresentationLayout::MapAndTimeline, CentralView::Map, false),
            slide_size,
        ),
        (
            "present_trends",
            slide(
                PresentationLayout::MapAndTimeline,
                CentralView::Trends,
                false,
            ),
            slide_size,
        ),
        (
            "present_map_only_dark",
            slide(PresentationLayout::MapOnly, CentralView::Map, true),
            slide_size,
        ),
    ] {
        let image = draw(&mut app, &mut renderer, size, 1.0);
        assert_eq!(image.dimensions(), (size.0 as u32, size.1 as u32), "{name}");
        egui_kittest::image_snapshot(&image, name);
    }
}

#[test]
fn the_same_view_gives_the_same_pixels() {
    let mut renderer = renderer();
    let first = draw(
        &mut common::app(PersistedState::default()),
        &mut renderer,
        (800.0, 500.0),
        1.0,
    );
    let again = draw(
        &mut common::app(PersistedState::default()),
        &mut renderer,
        (800.0, 500.0),
        1.0,
    );
    assert!(
        first.as_raw() == again.as_raw(),
        "two renders of one view differ"
    );
}

/// Mean absolute difference per channel (0-255) of the two pictures blurred, so that text
/// drawn sharper at 2x counts for little and panels, coastlines or symbols in other places for
/// much.
fn blurred_difference(a: &image::RgbaImage, b: &image::RgbaImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let (a, b) = (image::imageops::blur(a, 2.0), image::imageops::blur(b, 2.0));
    let total: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    total as f64 / a.as_raw().len() as f64
}

#[test]
fn a_2x_picture_is_the_1x_picture_sharper_with_the_same_layout_and_map_extent() {
    let mut renderer = renderer();
    let view = || slide(PresentationLayout::MapAndTimeline, CentralView::Map, false);
    let mut at_1x = view();
    let single = draw(&mut at_1x, &mut renderer, (1280.0, 800.0), 1.0);
    let mut at_2x = view();
    let double = draw(&mut at_2x, &mut renderer, (1280.0, 800.0), 2.0);
    assert_eq!(double.dimensions(), (2560, 1600));
    // The same layout in points (within the half point that text rounded to whole pixels
    // moves it) and the same camera: the same part of the world.
    for (one, two) in [
        (at_1x.view_rects.map, at_2x.view_rects.map),
        (at_1x.view_rects.timeline, at_2x.view_rects.timeline),
    ] {
        let (one, two) = (one.unwrap(), two.unwrap());
        assert!(
            (one.min - two.min).length() < 1.0 && (one.max - two.max).length() < 1.0,
            "{one:?} at 1x, {two:?} at 2x"
        );
    }
    assert_eq!(at_1x.map.center_and_zoom(), at_2x.map.center_and_zoom());
    // And the map's pixels agree once the 2x picture is scaled down (the slide's larger
    // type makes a point 1.2 pixels at 1x).
    let map = at_1x.view_rects.map.unwrap();
    let map_pixels = |image: &image::RgbaImage| {
        let scale = 1.2;
        image::imageops::crop_imm(
            image,
            (map.min.x * scale) as u32,
            (map.min.y * scale).ceil() as u32 + 1,
            (map.width() * scale) as u32,
            (map.height() * scale) as u32 - 2,
        )
        .to_image()
    };
    let down = image::imageops::resize(&double, 1280, 800, image::imageops::FilterType::Triangle);
    let same = blurred_difference(&map_pixels(&single), &map_pixels(&down));
    // The same slide with the map one zoom step further in, for scale.
    let (lat, lon, zoom) = at_1x.map.center_and_zoom();
    let mut zoomed = slide(PresentationLayout::MapAndTimeline, CentralView::Map, false);
    zoomed.map.center_on(lat, lon);
    zoomed.map.set_zoom(zoom + 1.0);
    zoomed.map.keep_camera();
    let other = blurred_difference(
        &single,
        &draw(&mut zoomed, &mut renderer, (1280.0, 800.0), 1.0),
    );
    eprintln!(
        "map pixels, blurred: 2x scaled down differs by {same:.2}, one zoom step by {other:.2}"
    );
    assert!(
        same < 1.0 && other > same * 3.0,
        "1x and downscaled 2x differ by {same:.2}; a map one zoom step in by {other:.2}"
    );
}
