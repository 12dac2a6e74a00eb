//! Briefing: presentation mode through the keyboard, saved views that restore the same
//! picture, and bad view files that change nothing.

mod common;

use common::harness;
use egui_kittest::kittest::Queryable as _;
use khorasan_atlas::model::Kind;
use khorasan_atlas::state::{Command, PersistedState};
use khorasan_atlas::state::{PresentationLayout, PresentationSettings};

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
        harness.query_by_label("Overlays").is_none(),
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
    let notice = harness
        .state()
        .notices
        .last()
        .map(|notice| notice.text.clone())
        .unwrap_or_default();
    assert!(
        notice.contains("broken.view.ron") && notice.contains("unchanged"),
        "{notice}"
    );
    harness.get_by_label_contains("broken.view.ron");
}

#[test]
fn notes_are_added_from_the_view_menu_moved_on_the_map_and_saved() {
    use khorasan_atlas::model::annotation::Anchor;
    let mut harness = harness(PersistedState::default());
    harness.get_by_label("View").click();
    harness.run_ok();
    harness.get_by_label("Add a note on the map").click();
    harness.run_ok();
    // The menu stays open for the note's text and the next note.
    harness.get_by_label("Add a note on the timeline").click();
    harness.run_ok();
    let notes = harness.state().state.annotations.clone();
    assert_eq!(notes.len(), 2);
    let Anchor::Map { lat, lon } = notes[0].anchor else {
        panic!("first note should be on the map")
    };
    assert!(matches!(notes[1].anchor, Anchor::Timeline { .. }));

    // Close the menu, then drag the map note's box: its pin moves with it.
    harness.key_press(egui::Key::Escape);
    harness.run_ok();
    let (center_lat, center_lon, _) = harness.state().map.center_and_zoom();
    assert!((lat - center_lat).abs() < 1e-6 && (lon - center_lon).abs() < 1e-6);
    let map = harness.state().view_rects.map.unwrap();
    let grab = map.center() + egui::vec2(30.0, -26.0);
    harness.drag_at(grab);
    harness.run_ok();
    for step in 1..=4 {
        harness.hover_at(grab + egui::vec2(20.0 * step as f32, 10.0 * step as f32));
        harness.run_ok();
    }
    harness.drop_at(grab + egui::vec2(80.0, 40.0));
    harness.run_ok();
    let Anchor::Map {
        lat: moved_lat,
        lon: moved_lon,
    } = harness.state().state.annotations[0].anchor
    else {
        panic!("still on the map")
    };
    assert!(moved_lon > lon, "dragged east: {lon} -> {moved_lon}");
    assert!(moved_lat < lat, "dragged south: {lat} -> {moved_lat}");
    // The map itself did not pan: the drag went to the note.
    let (after_lat, after_lon, _) = harness.state().map.center_and_zoom();
    assert!((after_lat - center_lat).abs() < 1e-6 && (after_lon - center_lon).abs() < 1e-6);

    let file = harness.state().view_file();
    assert_eq!(file.state.annotations.len(), 2);
}
