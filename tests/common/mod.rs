//! Shared by the UI test files: the real app on the embedded dataset in a headless harness.
// Each test file uses only part of this module.
#![allow(
    dead_code,
    reason = "each test file uses only part of this module, so `expect` would fail in some"
)]

use egui_kittest::Harness;
use khorasan_atlas::AtlasApp;
use khorasan_atlas::io::embedded_dataset;
use khorasan_atlas::state::PersistedState;

pub(crate) fn app(state: PersistedState) -> AtlasApp {
    AtlasApp::with_state(
        embedded_dataset().unwrap(),
        "embedded dataset".into(),
        state,
    )
}

/// The app in a window of `width` x `height` points, run until it settles.
pub(crate) fn harness_sized(
    state: PersistedState,
    width: f32,
    height: f32,
) -> Harness<'static, AtlasApp> {
    let mut harness = Harness::builder()
        .with_size(egui::vec2(width, height))
        .build_ui_state(|ui, app: &mut AtlasApp| app.show(ui), app(state));
    harness.run_ok();
    harness
}

/// The app at 1280x800, the size a briefer's laptop shows.
pub(crate) fn harness(state: PersistedState) -> Harness<'static, AtlasApp> {
    harness_sized(state, 1280.0, 800.0)
}
