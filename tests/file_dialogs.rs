//! Browse… beside every typed path: the file dialog (here a scripted one) fills the field, and
//! when the system has no dialog the user is told to type the path.

mod common;

use common::fixture;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use egui_kittest::kittest::Queryable as _;
use khorasan_atlas::app::file_dialogs::{FilePicker, Picked};
use khorasan_atlas::state::{FileDialogRequest, NoticeLevel, PersistedState};

/// Answers with the picks given, in order, and records what it was asked.
struct Scripted {
    answers: Mutex<Vec<Picked>>,
    asked: Mutex<Vec<FileDialogRequest>>,
}

impl Scripted {
    fn new(answers: Vec<Picked>) -> Arc<Self> {
        Arc::new(Self {
            answers: Mutex::new(answers),
            asked: Mutex::new(Vec::new()),
        })
    }
}

impl FilePicker for Scripted {
    fn pick(&self, request: &FileDialogRequest) -> Picked {
        self.asked.lock().unwrap().push(request.clone());
        let mut answers = self.answers.lock().unwrap();
        if answers.is_empty() {
            Picked::Nothing
        } else {
            answers.remove(0)
        }
    }
}

/// Run frames until `done` holds (the dialog answers on its own thread).
fn step_until(
    harness: &mut egui_kittest::Harness<'static, khorasan_atlas::AtlasApp>,
    done: impl Fn(&khorasan_atlas::AtlasApp) -> bool,
) {
    for _ in 0..500 {
        harness.step();
        if done(harness.state()) {
            harness.run_ok();
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("timed out");
}

/// Open the menu and click its first Browse… button.
fn browse_first_in(
    harness: &mut egui_kittest::Harness<'static, khorasan_atlas::AtlasApp>,
    menu: &str,
) {
    harness.get_by_label(menu).click();
    harness.run_ok();
    harness
        .get_all_by_label("Browse\u{2026}")
        .next()
        .unwrap()
        .click();
    harness.run_ok();
}

#[test]
fn browse_fills_the_data_path_and_open_loads_the_file() {
    let file = fixture("acled_current.csv");
    let picker = Scripted::new(vec![Picked::File(file.clone())]);
    let mut harness = common::harness(PersistedState::default());
    harness.state_mut().set_file_picker(picker.clone());
    // The first Browse… of the Data menu is the file to open.
    browse_first_in(&mut harness, "Data");
    for _ in 0..100 {
        harness.step();
        if harness
            .query_all_by_value(&file.display().to_string())
            .next()
            .is_some()
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    // The field shows the path chosen.
    assert!(
        harness
            .query_all_by_value(&file.display().to_string())
            .next()
            .is_some()
    );
    let asked = picker.asked.lock().unwrap().clone();
    assert_eq!(asked.len(), 1);
    assert!(!asked[0].save, "an existing file is opened");
    let (_, extensions) = asked[0].filter.clone().unwrap();
    assert!(extensions.contains(&"csv".to_owned()));
    harness.get_by_label("Open").click();
    harness.run_ok();
    step_until(&mut harness, |app| {
        !app.is_loading() && app.layers.len() == 2
    });
    assert_eq!(harness.state().layers[1].name, "acled_current.csv");
}

#[test]
fn a_dialog_that_closes_at_once_means_there_is_none_and_says_so() {
    let picker = Scripted::new(vec![Picked::Nothing]);
    let mut harness = common::harness(PersistedState::default());
    harness.state_mut().set_file_picker(picker);
    // Beside "Save view", the first path of the View menu.
    browse_first_in(&mut harness, "View");
    step_until(&mut harness, |app| !app.notices.is_empty());
    let notice = &harness.state().notices[0];
    assert_eq!(notice.level, NoticeLevel::Info);
    assert!(notice.text.contains("type the path"), "{}", notice.text);
}

#[test]
fn folder_picks_a_partitioned_parquet_dataset_and_open_loads_it() {
    let dir = tempfile::tempdir().unwrap();
    let csv = fixture("acled_current.csv");
    let folder = dir.path().join("acled_by_month");
    common::write_partitioned(&csv, &folder);
    let expected = common::load("acled_current.csv").report.loaded;
    let picker = Scripted::new(vec![Picked::File(folder.clone())]);
    let mut harness = common::harness(PersistedState::default());
    harness.state_mut().set_file_picker(picker.clone());
    let embedded = harness.state().dataset.incidents.len();
    harness.get_by_label("Data").click();
    harness.run_ok();
    harness.get_by_label("Folder\u{2026}").click();
    harness.run_ok();
    let shown = folder.display().to_string();
    for _ in 0..100 {
        harness.step();
        if harness.query_all_by_value(&shown).next().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let asked = picker.asked.lock().unwrap().clone();
    assert_eq!(asked.len(), 1);
    assert!(asked[0].folder, "a folder is asked for");
    harness.get_by_label("Open").click();
    harness.run_ok();
    step_until(&mut harness, |app| {
        !app.is_loading() && app.layers.len() == 2
    });
    let app = harness.state();
    assert_eq!(app.dataset.incidents.len(), embedded + expected);
    let report = app.layers[1].report.as_ref().unwrap();
    assert_eq!(report.format, khorasan_atlas::io::import::Format::Parquet);
    assert!(
        report
            .notes
            .iter()
            .any(|note| note.contains("partition columns: year, month")),
        "{:?}",
        report.notes
    );
}
