//! Shared by the UI test files: the real app on the embedded dataset in a headless harness.
// Each test file uses only part of this module.
#![allow(
    dead_code,
    reason = "each test file uses only part of this module, so `expect` would fail in some"
)]

use std::path::PathBuf;

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

/// A file under `tests/fixtures/import/`.
pub(crate) fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

/// Run frames until the background load is done (or the mapping dialog waits).
pub(crate) fn wait_for_load(harness: &mut Harness<'_, AtlasApp>) {
    for _ in 0..400 {
        harness.step();
        if !harness.state().is_loading() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(!harness.state().is_loading(), "the load did not finish");
    harness.run_ok();
}

/// A fixture file imported as the app would, or the test fails with the error.
pub(crate) fn load(name: &str) -> khorasan_atlas::io::import::Imported {
    khorasan_atlas::io::import::import_file(
        &fixture(name),
        None,
        &khorasan_atlas::io::import::Progress::default(),
    )
    .unwrap_or_else(|error| panic!("{name}: {error}"))
}

/// The imported incident with this id.
pub(crate) fn incident<'a>(
    imported: &'a khorasan_atlas::io::import::Imported,
    id: &str,
) -> &'a khorasan_atlas::model::Incident {
    imported
        .dataset
        .incidents
        .iter()
        .find(|incident| incident.id == id)
        .unwrap_or_else(|| panic!("no incident {id}"))
}

/// (line, column) of every skipped row.
pub(crate) fn issues(imported: &khorasan_atlas::io::import::Imported) -> Vec<(u64, &str)> {
    imported
        .report
        .issues
        .iter()
        .map(|issue| (issue.line, issue.column.as_str()))
        .collect()
}

/// A data platform's extract: the CSV as Parquet files in `year=Y/month=M` folders, every
/// column as text, the partition columns left out of the files.
pub(crate) fn write_partitioned(csv_path: &std::path::Path, root: &std::path::Path) {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, RecordBatch, StringArray};
    use arrow_schema::{DataType, Field, Schema};

    let mut reader = csv::Reader::from_path(csv_path).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let date = header.iter().position(|h| h == "event_date").unwrap();
    let year = header.iter().position(|h| h == "year").unwrap();
    let mut parts: std::collections::BTreeMap<String, Vec<Vec<String>>> = Default::default();
    for record in reader.records() {
        let row: Vec<String> = record.unwrap().iter().map(str::to_owned).collect();
        let folder = format!("year={}/month={}", &row[date][..4], &row[date][5..7]);
        parts.entry(folder).or_default().push(row);
    }
    let kept: Vec<usize> = (0..header.len()).filter(|&index| index != year).collect();
    let schema = Arc::new(Schema::new(
        kept.iter()
            .map(|&index| Field::new(&header[index], DataType::Utf8, false))
            .collect::<Vec<_>>(),
    ));
    for (folder, rows) in parts {
        let columns: Vec<ArrayRef> = kept
            .iter()
            .map(|&index| {
                Arc::new(StringArray::from(
                    rows.iter()
                        .map(|row| row[index].as_str())
                        .collect::<Vec<_>>(),
                )) as ArrayRef
            })
            .collect();
        let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
        let folder = root.join(folder);
        std::fs::create_dir_all(&folder).unwrap();
        let file = std::fs::File::create(folder.join("part-0.parquet")).unwrap();
        let mut writer = parquet::arrow::ArrowWriter::try_new(file, schema.clone(), None).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
    }
}

/// A click: the pointer moved there, then a press and a release at one point in one frame
/// (the map takes a press held over frames for the start of a pan).
pub(crate) fn click_at(harness: &mut Harness<'_, AtlasApp>, at: egui::Pos2) {
    harness.hover_at(at);
    harness.run_ok();
    harness.drag_at(at);
    harness.drop_at(at);
    harness.run_ok();
    // Past the double-click time, so that the next click is a click of its own.
    for _ in 0..30 {
        harness.step();
    }
}
