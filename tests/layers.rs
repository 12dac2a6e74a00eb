//! Loading analysts' files through the real UI: layers, the mapping dialog, the import report,
//! the actor filter, and export of the filtered set.

mod common;

use common::{fixture, wait_for_load};

use std::path::PathBuf;

use common::{harness, harness_sized};
use egui_kittest::kittest::Queryable as _;
use khorasan_atlas::io::import::{Progress, import_file};
use khorasan_atlas::model::{Attribution, DatePrecision};
use khorasan_atlas::state::{Command, NoticeLevel, PersistedState};

#[test]
fn an_acled_file_becomes_a_layer_in_every_view() {
    let path = fixture("acled_current.csv");
    let expected = import_file(&path, None, &Progress::default()).unwrap();
    let good = expected.report.loaded;
    assert!(good > 0 && expected.report.skipped() > 0);

    let mut harness = harness(PersistedState::default());
    let embedded = harness.state().dataset.incidents.len();
    harness.state_mut().open_file(path, None);
    wait_for_load(&mut harness);

    let app = harness.state();
    assert_eq!(app.layers.len(), 2);
    assert_eq!(app.dataset.incidents.len(), embedded + good);
    assert_eq!(app.derived.filtered.len(), embedded + good);
    let histogram_total = app.derived.histogram.total();
    assert_eq!(
        histogram_total as usize,
        embedded + good,
        "the timeline counts them"
    );
    // The report opened itself because rows were skipped; its lines are the fixture's.
    assert_eq!(app.data_ui.report_layer, Some(1));
    let total = embedded + good;
    assert!(
        harness
            .query_all_by_label(&format!("{total} of {total} incidents shown"))
            .next()
            .is_some()
    );
    let first_issue = &expected.report.issues[0];
    harness.get_by_label(&first_issue.why);

    // Week and month precision from ACLED's time_precision survive into the model.
    let imported: Vec<_> = harness.state().dataset.incidents[embedded..].to_vec();
    assert!(
        imported
            .iter()
            .any(|i| i.date.precision() == DatePrecision::Month)
    );
    assert!(imported.iter().all(|i| i.id.starts_with("acled:")));

    // Hiding the layer takes its incidents out of every view; the embedded stay.
    harness
        .state_mut()
        .apply(Command::SetLayerVisible(1, false));
    harness.run_ok();
    assert_eq!(harness.state().dataset.incidents.len(), embedded);
    assert_eq!(harness.state().derived.summary.count, embedded);
    // Shown again, nothing is lost (incidents move between the layer and the merged data).
    harness.state_mut().apply(Command::SetLayerVisible(1, true));
    harness
        .state_mut()
        .apply(Command::SetLayerVisible(0, false));
    harness.run_ok();
    assert_eq!(harness.state().dataset.incidents.len(), good);
    harness.state_mut().apply(Command::SetLayerVisible(0, true));
    harness.run_ok();
    assert_eq!(harness.state().dataset.incidents.len(), embedded + good);
    harness.state_mut().apply(Command::RemoveLayer(1));
    harness.run_ok();
    assert_eq!(harness.state().dataset.incidents.len(), embedded);
    assert_eq!(harness.state().layers[0].count, embedded);
}

#[test]
fn the_isk_preset_and_the_actor_list_filter_imported_rows() {
    // Tall enough for the actor section to be on screen.
    let mut harness = harness_sized(PersistedState::default(), 1280.0, 1800.0);
    let embedded = harness.state().dataset.incidents.len();
    harness.state_mut().open_file(fixture("gtd.csv"), None);
    wait_for_load(&mut harness);
    harness.state_mut().apply(Command::ShowReport(None));
    harness.run_ok();

    let app = harness.state();
    let imported = &app.dataset.incidents[embedded..];
    let not_isk = imported
        .iter()
        .filter(|i| i.attribution == Attribution::NotIsk)
        .count();
    assert!(not_isk > 0, "the GTD fixture names another group too");
    // The embedded dataset's claims by IS Pakistan Province are not ISK's either.
    let other_province = app.dataset.incidents[..embedded]
        .iter()
        .filter(|i| i.attribution == Attribution::ClaimedByOtherProvince)
        .count();
    assert!(other_province >= 2);
    let not_isk = not_isk + other_province;
    let total = app.dataset.incidents.len();

    harness.get_by_label("ISK, under any name").click();
    harness.run_ok();
    let app = harness.state();
    assert!(app.state.filter.isk_only);
    assert_eq!(app.derived.filtered.len(), total - not_isk);
    assert_eq!(app.derived.summary.count, total - not_isk);

    // The actor list offers the imported group's name with its count.
    let ttp = harness
        .state()
        .derived
        .facets
        .actors
        .iter()
        .find(|(name, _)| name.contains("Tehrik"))
        .cloned();
    assert!(ttp.is_some(), "{:?}", harness.state().derived.facets.actors);
}

#[test]
fn a_geojson_with_unfamiliar_properties_goes_through_the_mapping_dialog() {
    let mut harness = harness(PersistedState::default());
    let embedded = harness.state().dataset.incidents.len();
    harness
        .state_mut()
        .open_file(fixture("points.geojson"), None);
    wait_for_load(&mut harness);
    assert!(
        harness.state().mapping_dialog.is_some(),
        "the guess is shown first"
    );
    assert_eq!(harness.state().dataset.incidents.len(), embedded);
    harness.get_by_label("Load").click();
    harness.run_ok();
    wait_for_load(&mut harness);

    let app = harness.state();
    assert!(app.mapping_dialog.is_none());
    assert_eq!(app.layers.len(), 2);
    let loaded = app.layers[1].report.as_ref().unwrap();
    assert!(
        loaded.loaded > 0 && loaded.skipped() > 0,
        "{}",
        loaded.summary()
    );
    assert_eq!(app.dataset.incidents.len(), embedded + loaded.loaded);
    assert_eq!(app.state.mappings.len(), 1, "the mapping is remembered");
    // Issues name the feature's line in the file.
    assert!(loaded.issues.iter().all(|issue| issue.line > 1));
}

#[test]
fn a_broken_file_gives_one_message_and_loses_nothing() {
    let mut harness = harness(PersistedState::default());
    harness
        .state_mut()
        .open_file(fixture("acled_old.csv"), None);
    wait_for_load(&mut harness);
    let before = harness.state().dataset.incidents.len();
    let notices_before = harness.state().notices.len();
    harness
        .state_mut()
        .open_file(fixture("broken/binary.csv"), None);
    wait_for_load(&mut harness);
    let app = harness.state();
    assert_eq!(app.dataset.incidents.len(), before);
    assert_eq!(app.layers.len(), 2);
    let message = &app.notices[notices_before..];
    assert_eq!(message.len(), 1, "{message:?}");
    assert!(message[0].text.contains("not a text file"), "{message:?}");
    assert!(message[0].text.contains("already loaded is unchanged"));
    assert_eq!(message[0].level, NoticeLevel::Warning);
}

/// A file dropped on the window, as the windowing integration hands it over.
#[derive(Debug)]
struct DroppedPath(PathBuf);

impl egui::DroppedFile for DroppedPath {
    fn path(&self) -> &std::path::Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn dropping_a_file_on_the_window_loads_it() {
    let mut harness = harness(PersistedState::default());
    harness
        .input_mut()
        .dropped_files
        .push(std::sync::Arc::new(DroppedPath(fixture("ucdp_ged.csv"))));
    harness.step();
    wait_for_load(&mut harness);
    let app = harness.state();
    assert_eq!(app.layers.len(), 2);
    assert_eq!(app.layers[1].name, "ucdp_ged.csv");
}

#[test]
fn the_filtered_set_exports_from_the_ui() {
    let mut harness = harness_sized(PersistedState::default(), 1280.0, 1800.0);
    harness
        .state_mut()
        .open_file(fixture("acled_current.csv"), None);
    wait_for_load(&mut harness);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.csv");
    harness.get_by_label("ISK, under any name").click();
    harness.run_ok();
    assert!(harness.state().state.filter.isk_only);
    let shown = harness.state().derived.filtered.len();
    harness.state_mut().apply(Command::ExportData(
        khorasan_atlas::io::ExportFormat::Csv,
        path.clone(),
    ));
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text.lines().count(),
        shown + 1,
        "a header and one line per incident"
    );
    assert!(text.contains("acled:"));
    let geojson = dir.path().join("out.geojson");
    harness.state_mut().apply(Command::ExportData(
        khorasan_atlas::io::ExportFormat::Geojson,
        geojson.clone(),
    ));
    let collection: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&geojson).unwrap()).unwrap();
    assert_eq!(collection["features"].as_array().unwrap().len(), shown);
}

#[test]
fn loaded_files_come_back_at_the_next_start_without_asking_again() {
    let mut first = harness(PersistedState::default());
    first.state_mut().open_file(fixture("points.geojson"), None);
    wait_for_load(&mut first);
    first.get_by_label("Load").click();
    first.run_ok();
    wait_for_load(&mut first);
    first
        .state_mut()
        .apply(Command::SetLayerColour(1, [10, 20, 30]));
    let saved = first.state().persisted();
    let loaded = first.state().dataset.incidents.len();

    // What eframe persistence (or a saved view) hands the next session.
    let text = ron::to_string(&saved).unwrap();
    let restored: PersistedState = ron::from_str(&text).unwrap();
    let mut second = harness(restored);
    wait_for_load(&mut second);
    let app = second.state();
    assert!(app.mapping_dialog.is_none(), "the saved mapping is used");
    assert_eq!(app.layers.len(), 2);
    assert_eq!(app.layers[1].spec.colour, [10, 20, 30]);
    assert_eq!(app.dataset.incidents.len(), loaded);
}
