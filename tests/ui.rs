//! The real UI, driven headlessly with egui_kittest: filters, table, detail and the links
//! between views.

mod common;

use common::harness;
use egui_kittest::kittest::Queryable as _;
use khorasan_atlas::AtlasApp;
use khorasan_atlas::io::embedded_dataset;
use khorasan_atlas::model::{Hover, Kind, SelectedIncident};
use khorasan_atlas::state::{Command, PersistedState};

fn shown_caption(app: &AtlasApp) -> String {
    format!(
        "{} of {} incidents shown",
        app.derived.filtered.len(),
        app.dataset.incidents.len()
    )
}

fn count_of_kind(app: &AtlasApp, kind: Kind) -> usize {
    app.dataset
        .incidents
        .iter()
        .filter(|i| i.kind == kind)
        .count()
}

#[test]
fn starts_with_everything_shown() {
    let harness = harness(PersistedState::default());
    let total = harness.state().dataset.incidents.len();
    assert!(total > 0);
    let caption = format!("{total} of {total} incidents shown");
    assert!(
        !harness
            .get_all_by_label(&caption)
            .collect::<Vec<_>>()
            .is_empty()
    );
    // The basemap credits are always on the map.
    harness.get_by_label_contains("Natural Earth");
}

#[test]
fn ticking_a_kind_filters_every_view() {
    let mut harness = harness(PersistedState::default());
    let total = harness.state().dataset.incidents.len();
    let plots = count_of_kind(harness.state(), Kind::FoiledPlot);
    assert!(plots > 0, "the dataset should hold foiled plots");

    let attack_labels_before = harness.query_all_by_label("Attack").count();
    // At 1280x800 the kinds start near the panel's foot: scrolled to, as a user would.
    harness
        .get_by_label(&format!("Foiled plot ({plots})"))
        .scroll_to_me();
    harness.run_ok();
    harness
        .get_by_label(&format!("Foiled plot ({plots})"))
        .click();
    harness.run_ok();

    let app = harness.state();
    assert!(app.state.filter.kinds.contains(&Kind::FoiledPlot));
    assert_eq!(app.derived.filtered.len(), plots);
    assert_eq!(app.derived.summary.count, plots);
    let histogram_total = app.derived.histogram.total();
    assert_eq!(
        histogram_total as usize, plots,
        "timeline bars count the same set"
    );
    let caption = format!("{plots} of {total} incidents shown");
    assert_eq!(shown_caption(app), caption);
    assert!(harness.get_all_by_label(&caption).count() >= 1);

    // The table lists only foiled plots now.
    let first_plot = app
        .derived
        .filtered
        .iter()
        .map(|&i| &app.dataset.incidents[i])
        .next()
        .unwrap();
    harness
        .get_all_by_label(&first_plot.date.to_string())
        .next()
        .unwrap();
    // No table row says "Attack" now, and neither legend (timeline and map) lists it: they
    // list only the kinds the filtered set holds.
    assert!(attack_labels_before > 2);
    assert_eq!(
        harness.query_all_by_label("Attack").count(),
        0,
        "no attack rows or legend entries left"
    );

    harness.get_by_label("Reset all").click();
    harness.run_ok();
    assert_eq!(harness.state().derived.filtered.len(), total);
}

#[test]
fn typing_a_search_narrows_the_set() {
    let mut harness = harness(PersistedState::default());
    harness.get_by_label("Search").click();
    harness.run_ok();
    harness.get_by_label("Search").type_text("Moscow");
    harness.run_ok();
    let app = harness.state();
    assert_eq!(app.state.filter.text, "Moscow");
    assert!(!app.derived.filtered.is_empty());
    assert!(app.derived.filtered.len() < app.dataset.incidents.len());
    for &index in &app.derived.filtered {
        assert!(app.state.filter.matches(&app.dataset.incidents[index]));
    }
    let caption = shown_caption(app);
    harness.get_all_by_label(&caption).next().unwrap();
}

#[test]
fn clicking_a_table_row_opens_the_record_with_its_sources() {
    let mut harness = harness(PersistedState::default());
    // The newest incident is first after sorting the date column descending.
    harness.get_by_label("Date \u{23f6}").click();
    harness.run_ok();
    let app = harness.state();
    let newest = app
        .derived
        .filtered
        .iter()
        .copied()
        .max_by_key(|&i| app.dataset.incidents[i].date.sort_key())
        .unwrap();
    let incident = app.dataset.incidents[newest].clone();
    let source = app.dataset.source(&incident.sources[0]).unwrap().clone();

    harness
        .get_all_by_label(&incident.location.place)
        .next()
        .expect("row of the newest incident")
        .click();
    harness.run_ok();

    let app = harness.state();
    let selected = app.state.selected.index().expect("a row click selects");
    assert_eq!(app.dataset.incidents[selected].date, incident.date);
    // The detail panel shows the place as its heading and every source.
    harness.get_by_label("\u{23f4} All incidents");
    assert!(harness.get_all_by_label(&incident.location.place).count() >= 1);
    harness
        .get_all_by_label(&source.title)
        .next()
        .expect("source title shown");
    // The map was centred on it.
    let (lat, lon, _) = app.map.center_and_zoom();
    let selected_location = &app.dataset.incidents[selected].location;
    assert!((lat - selected_location.lat).abs() < 1e-6);
    assert!((lon - selected_location.lon).abs() < 1e-6);

    // Esc goes back to the summary and the table.
    harness.key_press(egui::Key::Escape);
    harness.run_ok();
    assert_eq!(harness.state().state.selected.index(), None);
    harness.get_by_label("Filtered incidents");
}

#[test]
fn a_saved_filter_and_selection_are_restored() {
    let mut state = PersistedState::default();
    state.filter.countries.insert("PK".into());
    let dataset = embedded_dataset().unwrap();
    let pakistani = dataset
        .incidents
        .iter()
        .find(|i| i.location.country_code == "PK")
        .unwrap();
    state.selected = SelectedIncident::by_id(pakistani.id.clone());
    let harness = harness(state);
    let app = harness.state();
    assert!(
        app.derived
            .filtered
            .iter()
            .all(|&i| app.dataset.incidents[i].location.country_code == "PK")
    );
    assert_eq!(
        app.state
            .selected
            .index()
            .map(|i| app.dataset.incidents[i].id.clone()),
        Some(pakistani.id.clone())
    );
    harness.get_by_label("\u{23f4} All incidents");
}

#[test]
fn colour_switch_restacks_the_timeline() {
    let mut harness = harness(PersistedState::default());
    harness.get_by_label("attribution").click();
    harness.run_ok();
    let app = harness.state();
    assert_eq!(
        app.state.stack_by,
        khorasan_atlas::model::StackBy::Attribution
    );
    assert_eq!(
        app.derived.histogram.stack_by,
        khorasan_atlas::model::StackBy::Attribution
    );
}

#[test]
fn a_tiny_window_keeps_the_title_and_recovers_when_enlarged() {
    let mut harness = common::harness_sized(PersistedState::default(), 320.0, 200.0);
    harness.get_by_label("Khorasan Atlas");
    harness.set_size(egui::vec2(1280.0, 800.0));
    harness.run_ok();
    // Every panel is back at a normal size: filters, details, timeline, map credits.
    harness.get_by_label("Filtered incidents");
    harness.get_by_label("Lanes");
    harness.get_by_label_contains("Natural Earth");
    assert!(harness.get_all_by_label("Country").count() >= 1);
}

#[test]
fn an_unreadable_saved_state_gives_the_defaults_and_says_so() {
    for saved in ["(((garbage", "(dark_mode: 7)", "\u{0}\u{1}"] {
        let app = AtlasApp::from_saved(
            Some(saved),
            embedded_dataset().unwrap(),
            "embedded dataset".into(),
        );
        assert_eq!(app.state, PersistedState::default(), "{saved:?}");
        let mut harness = egui_kittest::Harness::builder()
            .with_size(egui::vec2(1280.0, 800.0))
            .build_ui_state(|ui, app: &mut AtlasApp| app.show(ui), app);
        harness.run_ok();
        harness.get_by_label("The saved view from last time could not be read; defaults are used.");
    }
    // A first start (nothing saved) says nothing.
    let app = AtlasApp::from_saved(None, embedded_dataset().unwrap(), "embedded dataset".into());
    assert!(app.notices.is_empty());
}

#[test]
fn brushing_the_timeline_sets_the_period_and_clear_removes_it() {
    let mut harness = harness(PersistedState::default());
    let total = harness.state().dataset.incidents.len();
    // The timeline header (the top bar has a "Timeline" toggle too: take the lower one).
    let header = harness
        .get_all_by_label("Timeline")
        .map(|node| node.rect())
        .max_by(|a, b| a.min.y.total_cmp(&b.min.y))
        .unwrap();
    let start = egui::pos2(header.min.x + 200.0, header.max.y + 60.0);
    let end = start + egui::vec2(150.0, 0.0);
    harness.drag_at(start);
    harness.run_ok();
    for step in 1..=5 {
        harness.hover_at(start + (end - start) * (step as f32 / 5.0));
        harness.run_ok();
    }
    harness.drop_at(end);
    harness.run_ok();

    let app = harness.state();
    let (from, to) = (app.state.filter.from, app.state.filter.to);
    assert!(from.is_some() && to.is_some(), "brush did not set a period");
    assert!(from < to);
    let shown = app.derived.filtered.len();
    assert!(shown < total, "a 150-point brush should narrow the set");
    for &index in &app.derived.filtered {
        assert!(app.state.filter.matches(&app.dataset.incidents[index]));
    }
    // The timeline keeps the incidents outside the period as context.
    assert_eq!(app.derived.timeline_count, total);
    assert_eq!(app.derived.timeline.as_ref().map(Vec::len), Some(total));
    harness
        .get_all_by_label(&shown_caption(app))
        .next()
        .unwrap();

    harness
        .get_all_by_label("Clear period")
        .next()
        .unwrap()
        .click();
    harness.run_ok();
    assert_eq!(harness.state().state.filter.from, None);
    assert_eq!(harness.state().derived.filtered.len(), total);
}

#[test]
fn hovering_a_table_row_hovers_the_incident_everywhere() {
    let mut harness = harness(PersistedState::default());
    let app = harness.state();
    let first = app
        .derived
        .filtered
        .iter()
        .copied()
        .min_by_key(|&i| app.dataset.incidents[i].date.sort_key())
        .unwrap();
    let date = app.dataset.incidents[first].date.to_string();
    harness.get_all_by_label(&date).next().unwrap().hover();
    harness.run_ok();
    // Hover is shared state: the map and timeline draw their highlight from it.
    assert_eq!(harness.state().hover, Hover::One(first));
}

#[test]
fn a_large_dataset_is_filtered_off_the_ui_thread_and_the_views_follow() {
    let mut harness = harness(PersistedState::default());
    // As if the embedded dataset were a million incidents.
    harness.state_mut().scan.background_from = 0;
    let total = harness.state().dataset.incidents.len();
    let plots = count_of_kind(harness.state(), Kind::FoiledPlot);
    let only_plots = khorasan_atlas::model::Filter {
        kinds: [Kind::FoiledPlot].into(),
        ..Default::default()
    };
    harness
        .state_mut()
        .apply(khorasan_atlas::state::Command::SetFilter(
            only_plots.clone(),
        ));
    // The scan runs elsewhere; until it lands, the views keep the last result whole.
    assert!(harness.state().is_deriving());
    assert_eq!(harness.state().derived.filtered.len(), total);
    for _ in 0..500 {
        if !harness.state().is_deriving() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
        harness.step();
    }
    assert!(!harness.state().is_deriving(), "the scan never landed");
    harness.run_ok();
    let app = harness.state();
    assert_eq!(app.derived.filtered.len(), plots);
    assert_eq!(app.derived.summary.count, plots);
    // The table's rows were picked on the scan's thread, in the table's order.
    assert!(app.derived.table_order.is_some());
    let (_, full_order) = app.table.full_order(app.dataset_version).unwrap();
    let expected =
        khorasan_atlas::model::columns::pick_in_order(&full_order, &app.derived.filtered);
    assert_eq!(app.table.rows(), expected.as_slice());
    let caption = shown_caption(harness.state());
    assert!(harness.query_all_by_label(&caption).count() > 0);

    // An export never writes a result still being replaced: it takes the filter as it is.
    harness
        .state_mut()
        .apply(khorasan_atlas::state::Command::SetFilter(Default::default()));
    assert!(harness.state().is_deriving());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("all.csv");
    harness
        .state_mut()
        .apply(khorasan_atlas::state::Command::ExportData(
            khorasan_atlas::io::ExportFormat::Csv,
            path.clone(),
        ));
    assert!(!harness.state().is_deriving());
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text.lines().count(),
        total + 1,
        "a header and every incident"
    );
}

#[test]
fn the_command_palette_finds_and_runs_a_command_and_esc_closes_it() {
    let mut harness = harness(PersistedState::default());
    let dark = harness.state().state.dark_mode;
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    harness.run_ok();
    assert!(harness.state().palette.open, "Ctrl+K opens the palette");
    harness.get_by_label("Switch dark / light theme");
    harness.key_press(egui::Key::Escape);
    harness.run_ok();
    assert!(!harness.state().palette.open, "Esc closes it");

    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    harness.run_ok();
    // The palette's search field has the keyboard: typing goes there.
    harness.event(egui::Event::Text("theme".to_owned()));
    harness.run_ok();
    // Only the matching commands are listed, the best first.
    assert!(harness.query_by_label("Reset all filters").is_none());
    harness.key_press(egui::Key::Enter);
    harness.run_ok();
    assert!(!harness.state().palette.open, "running a command closes it");
    assert_eq!(
        harness.state().state.dark_mode,
        !dark,
        "Enter ran the theme switch"
    );
}

#[test]
fn esc_closes_the_help_before_it_clears_the_selection() {
    let mut harness = harness(PersistedState::default());
    harness.state_mut().apply(Command::Select(Some(0)));
    harness.key_press(egui::Key::F1);
    harness.run_ok();
    assert!(harness.state().help_open);
    harness.get_by_label("Keyboard and mouse");
    harness.key_press(egui::Key::Escape);
    harness.run_ok();
    assert!(!harness.state().help_open, "Esc closes the help");
    assert!(
        harness.state().state.selected.index().is_some(),
        "and only the help"
    );
    harness.key_press(egui::Key::Escape);
    harness.run_ok();
    assert!(
        harness.state().state.selected.index().is_none(),
        "a second Esc clears the selection"
    );
}

#[test]
fn an_incident_selected_elsewhere_is_scrolled_into_the_table_and_stays_after_a_sort() {
    let mut harness = harness(PersistedState::default());
    // The table lists by date: the latest incident is at the bottom, out of view.
    let app = harness.state();
    let latest = (0..app.dataset.incidents.len())
        .max_by_key(|&i| app.dataset.incidents[i].date.sort_key())
        .unwrap();
    let date = app.dataset.incidents[latest].date.to_string();
    assert!(
        harness.query_by_label(&date).is_none(),
        "{date} is not in view before"
    );
    // Selected as the map or the timeline selects (not by a click in the table).
    harness.state_mut().apply(Command::Select(Some(latest)));
    harness.run_ok();
    harness.run_ok();
    assert!(
        harness.query_by_label(&date).is_some(),
        "{date} is scrolled into view"
    );
    // Sorting by place moves it; it is brought into view again. (The record above has a
    // "Place" field too: the table's header is the lower one.)
    let header = harness
        .get_all_by_label("Place")
        .map(|node| node.rect())
        .max_by(|a, b| a.min.y.total_cmp(&b.min.y))
        .unwrap();
    common::click_at(&mut harness, header.center());
    harness.run_ok();
    harness.get_by_label("Place \u{23f6}");
    assert!(
        harness.query_by_label(&date).is_some(),
        "{date} stays in view after a sort"
    );
}

#[test]
fn the_change_view_shows_the_numbers_stats_change_prints() {
    use khorasan_atlas::model::change::{Baseline, Change, ChangeSettings};
    let settings = ChangeSettings {
        months: 12,
        baseline: Baseline::YearEarlier,
    };
    let harness = harness(PersistedState {
        central: khorasan_atlas::state::CentralView::Change,
        change: settings,
        ..PersistedState::default()
    });
    let app = harness.state();
    let change = Change::compute(&app.dataset, &app.state.filter, settings);
    harness.get_by_label(&change.describe());
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_khorasan-atlas"))
        .args(["stats", "--change", "--window", "12", "--baseline", "year"])
        .args(["--format", "csv"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    let provinces: Vec<&csv::StringRecord> =
        rows.iter().filter(|row| &row[0] == "province").collect();
    assert!(provinces.len() >= 5, "{text}");
    for row in &provinces {
        let (name, now, before) = (&row[1], &row[3], &row[4]);
        let place = change
            .provinces
            .iter()
            .find(|(key, _)| key.name == name)
            .map(|(_, place)| place)
            .unwrap();
        assert_eq!(
            (place.now.count.to_string(), place.before.count.to_string()),
            (now.to_owned(), before.to_owned()),
            "{name}"
        );
    }
    // The view lists the provinces in the command's order, the largest rise first.
    for row in provinces.iter().take(5) {
        harness.get_by_label(&row[1]);
    }
}

#[test]
fn within_n_km_of_a_city_typed_in_the_filter_panel_adds_an_area() {
    use khorasan_atlas::model::Area;
    let mut harness = harness(PersistedState::default());
    // The panel's Area section is folded until used (the map's Area menu is further right).
    let header = harness
        .get_all_by_label("Area")
        .map(|node| node.rect())
        .min_by(|a, b| a.min.x.total_cmp(&b.min.x))
        .unwrap();
    common::click_at(&mut harness, header.center());
    harness.get_by_label("or of the city").click();
    harness.run_ok();
    harness
        .get_by_label("or of the city")
        .type_text("jalalabad");
    harness.run_ok();
    harness.get_by_label("Add").click();
    harness.run_ok();
    let areas = &harness.state().state.filter.areas;
    let [Area::Within { km, label, .. }] = areas.as_slice() else {
        panic!("one circle: {areas:?}");
    };
    assert_eq!((*km, label.as_deref()), (50.0, Some("Jalalabad")));
    harness.get_by_label("within 50 km of Jalalabad");
    let shown = harness.state().derived.filtered.len();
    assert!(0 < shown && shown < harness.state().dataset.incidents.len());

    // A name the basemap does not know says so and adds nothing.
    harness.get_by_label("or of the city").click();
    harness.run_ok();
    harness.get_by_label("or of the city").type_text("Atlantis");
    harness.run_ok();
    harness.get_by_label("Add").click();
    harness.run_ok();
    assert_eq!(harness.state().state.filter.areas.len(), 1);
    harness.get_by_label_contains("No city \u{201c}Atlantis\u{201d}");
}
