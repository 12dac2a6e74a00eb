//! Briefing: presentation mode through the keyboard, saved views that restore the same
//! picture, and bad view files that change nothing.

mod common;

use common::harness;
use egui_kittest::kittest::Queryable as _;
use khorasan_atlas::app::{Command, PersistedState};
use khorasan_atlas::model::Kind;
use khorasan_atlas::views::presentation::{PresentationLayout, PresentationSettings};

#[test]
fn presentation_mode_hides_controls_and_shows_title_caption_and_sources() {
    let mut state = PersistedState::default();
    state.filter.kinds.insert(Kind::FoiledPlot);
    state.presentation = PresentationSettings {
        title: "ISK plots abroad".into(),
        subtitle: "Weekly brief".into(),
        layout: PresentationLayout::MapAndTimeline,
    };
    let mut harness = harness(state);
    harness.get_by_label("Reset all");
    harness.key_press(egui::Key::P);
    harness.run_ok();
    assert!(harness.state().presenting);
    harness.get_by_label("ISK plots abroad");
    harness.get_by_label("Weekly brief");
    let plots = harness.state().derived.filtered.len();
    harness.get_by_label(&format!("Foiled plots, all dates: {plots} incidents"));
    harness.get_by_label_contains("Natural Earth");
    harness.get_by_label_contains("not a complete count");
    assert!(
        harness.query_by_label("Reset all").is_none(),
        "filter panel hidden"
    );
    assert!(
        harness.query_by_label("Layers").is_none(),
        "map controls hidden"
    );
    assert!(
        harness.query_by_label("Play").is_none(),
        "playback controls hidden"
    );

    harness.key_press(egui::Key::P);
    harness.run_ok();
    assert!(!harness.state().presenting);
    harness.get_by_label("Reset all");
}

#[test]
fn a_saved_view_reopens_the_same_view() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("views").join("plots.view.ron");
    let mut harness = harness(PersistedState::default());
    {
        let app = harness.state_mut();
        app.apply(Command::SetFilter(khorasan_atlas::model::Filter {
            countries: ["DE".to_owned()].into(),
            ..Default::default()
        }));
        app.apply(Command::SetDarkMode(false));
        app.map.center_on(50.0, 10.0);
        app.map.set_zoom(5.0);
        app.apply(Command::SetPresentation(PresentationSettings {
            title: "Germany".into(),
            ..Default::default()
        }));
    }
    harness.run_ok();
    harness.state_mut().apply(Command::SaveView(path.clone()));
    harness.run_ok();
    assert!(path.exists(), "{:?}", harness.state().notices);
    let saved = harness.state().view_file();

    let mut other = self::harness(PersistedState::default());
    other.state_mut().apply(Command::OpenView(path.clone()));
    other.run_ok();
    let app = other.state();
    assert_eq!(app.state.filter, saved.state.filter);
    assert!(!app.state.dark_mode);
    assert_eq!(app.state.presentation.title, "Germany");
    let (lat, lon, zoom) = app.map.center_and_zoom();
    assert!((lat - 50.0).abs() < 1e-6 && (lon - 10.0).abs() < 1e-6 && (zoom - 5.0).abs() < 1e-6);
    assert!(
        app.derived
            .filtered
            .iter()
            .all(|&i| app.dataset.incidents[i].location.country_code == "DE")
    );
}

#[test]
fn a_corrupt_view_file_changes_nothing_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.view.ron");
    std::fs::write(
        &path,
        "(format: \"khorasan-atlas-view\", state: (filter: (kinds: [Picnic])))",
    )
    .unwrap();
    let mut harness = harness(PersistedState::default());
    let before = harness.state().state.clone();
    harness.state_mut().apply(Command::OpenView(path));
    harness.run_ok();
    assert_eq!(harness.state().state, before);
    let notice = harness.state().notices.last().cloned().unwrap_or_default();
    assert!(
        notice.contains("broken.view.ron") && notice.contains("unchanged"),
        "{notice}"
    );
    harness.get_by_label_contains("broken.view.ron");
}
