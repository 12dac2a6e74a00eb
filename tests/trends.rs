//! Playback and trend views through the real UI, and `stats --by` agreeing with the model.

use std::process::Command as Process;

mod common;

use egui_kittest::kittest::Queryable as _;
use khorasan_atlas::io::embedded_dataset;
use khorasan_atlas::model::aggregate::{GroupBy, GroupKey, group_totals};
use khorasan_atlas::state::{CentralView, PersistedState};

fn harness(state: PersistedState) -> egui_kittest::Harness<'static, khorasan_atlas::AtlasApp> {
    common::harness_sized(state, 1600.0, 1000.0)
}

#[test]
fn playback_advances_the_window_and_the_views_follow() {
    let mut harness = harness(PersistedState::default());
    let total = harness.state().dataset.incidents.len();
    harness.get_by_label("Play").click();
    harness.step();
    let app = harness.state();
    assert!(app.state.playback.playing);
    let (first_from, first_to) = (app.state.filter.from.unwrap(), app.state.filter.to.unwrap());
    // A three-month window at one month a second: about 40 days apart.
    assert!((first_to - first_from).num_days() > 80);
    assert!(
        app.derived.filtered.len() < total,
        "the window narrows the views"
    );

    for _ in 0..150 {
        harness.step(); // about two and a half seconds of playing
    }
    let app = harness.state();
    let later_to = app.state.filter.to.unwrap();
    assert!(
        (later_to - first_to).num_days() >= 55,
        "the window moved from {first_to} to {later_to}"
    );
    for &index in &app.derived.filtered {
        assert!(app.state.filter.matches(&app.dataset.incidents[index]));
    }

    harness.get_by_label("Pause").click();
    harness.run_ok();
    let paused_at = harness.state().state.filter.to;
    for _ in 0..30 {
        harness.step();
    }
    assert_eq!(
        harness.state().state.filter.to,
        paused_at,
        "paused stays put"
    );
    assert!(!harness.state().state.playback.playing);

    // Stepping moves by one month.
    harness.key_press(egui::Key::ArrowRight);
    harness.run_ok();
    let stepped = harness.state().state.filter.to.unwrap();
    let gap = (stepped - paused_at.unwrap()).num_days();
    assert!((28..=31).contains(&gap), "{gap}");
}

#[test]
fn clicking_a_province_bar_in_the_trends_narrows_the_filter() {
    let mut harness = harness(PersistedState {
        central: CentralView::Trends,
        ..PersistedState::default()
    });
    // As many bars as fit with their labels; the caption under the title explains them.
    let title = harness
        .get_by_label_contains("Incidents per province (top ")
        .rect();
    let caption = harness
        .get_by_label("Each bar: province, country, value")
        .rect();
    // The largest province (Kabul) is the top bar, starting at the plot's left edge: point
    // down from the caption until a bar lights its incidents up, as a user would.
    let mut target = egui::pos2(title.min.x + 40.0, caption.max.y + 2.0);
    let mut hovered = khorasan_atlas::model::Hover::None;
    for _ in 0..20 {
        target.y += 3.0;
        harness.hover_at(target);
        harness.run_ok();
        hovered = harness.state().hover.clone();
        if hovered != khorasan_atlas::model::Hover::None {
            break;
        }
    }
    harness.drag_at(target);
    harness.drop_at(target);
    harness.run_ok();
    let app = harness.state();
    assert_eq!(
        app.state.filter.provinces,
        ["Kabul".to_owned()].into(),
        "hovered group before the click: {hovered:?}"
    );
    assert!(
        app.derived
            .filtered
            .iter()
            .all(|&i| app.dataset.incidents[i].location.admin1 == "Kabul")
    );
}

#[test]
fn stats_by_prints_the_numbers_the_trend_views_draw() {
    let output = Process::new(env!("CARGO_BIN_EXE_khorasan-atlas"))
        .args([
            "stats",
            "--by",
            "year",
            "--by",
            "month-of-year",
            "--by",
            "province",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let dataset = embedded_dataset().unwrap();
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let records: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    for (group_by, name) in [
        (GroupBy::Year, "year"),
        (GroupBy::MonthOfYear, "month-of-year"),
        (GroupBy::Province, "province"),
    ] {
        let expected = group_totals(group_by, &dataset.incidents);
        let printed: Vec<&csv::StringRecord> = records.iter().filter(|r| &r[0] == name).collect();
        assert_eq!(printed.len(), expected.len(), "{name}");
        for (record, (key, total)) in printed.iter().zip(&expected) {
            assert_eq!(&record[1], key.key());
            assert_eq!(record[3].parse::<usize>().unwrap(), total.count);
            assert_eq!(record[5].parse::<u64>().unwrap(), total.killed.max);
        }
        let sum: usize = printed.iter().map(|r| r[3].parse::<usize>().unwrap()).sum();
        assert_eq!(
            sum,
            dataset.incidents.len(),
            "{name}: every incident in one group"
        );
    }
    // Year-only incidents are reported apart, never spread over months.
    let year_only = dataset
        .incidents
        .iter()
        .filter(|i| i.date.month_value().is_none())
        .count();
    let imprecise = group_totals(GroupBy::MonthOfYear, &dataset.incidents)
        .get(&GroupKey::Imprecise)
        .map_or(0, |t| t.count);
    assert_eq!(imprecise, year_only);
}

#[test]
/// Where the markers go in lanes is tested on the timeline panel alone
/// (`views::timeline::tests::panel`); here, that the checkbox switches the saved setting.
fn the_lanes_checkbox_switches_the_saved_setting() {
    let mut harness = harness(PersistedState::default());
    harness.get_by_label("Lanes").click();
    harness.run_ok();
    assert!(harness.state().state.timeline_lanes);
    harness.get_by_label("Lanes").click();
    harness.run_ok();
    assert!(!harness.state().state.timeline_lanes);
}

#[test]
fn at_1280x800_every_chart_title_and_legend_sits_in_the_trends_area() {
    for dark in [true, false] {
        let mut harness = common::harness_sized(
            PersistedState {
                dark_mode: dark,
                central: CentralView::Trends,
                ..PersistedState::default()
            },
            1280.0,
            800.0,
        );
        harness.run_ok();
        // The trends area ends where the detail panel and the timeline begin.
        let detail = harness.get_by_label("Filtered incidents").rect();
        // "Timeline" is also the top bar's toggle: the panel's heading is the lower one.
        let timeline = harness
            .get_all_by_label("Timeline")
            .map(|node| node.rect())
            .max_by(|a, b| a.min.y.total_cmp(&b.min.y))
            .unwrap();
        let mut checked = 0;
        for label in [
            "Incidents per year, by province",
            "Incidents per month: attacks against losses for ISK",
            "Seasonal profile: incidents by month of the year",
            "Kabul, AF",
            "Attacks",
            "Losses for ISK (counter-operations, leadership losses, arrests)",
            "the other years",
        ] {
            let rect = harness.get_by_label(label).rect();
            assert!(
                rect.max.x <= detail.min.x && rect.max.y <= timeline.min.y,
                "{label} at {rect:?} runs under the detail panel (from x {}) or the timeline \
                 (from y {}), dark {dark}",
                detail.min.x,
                timeline.min.y
            );
            checked += 1;
        }
        let province_title = harness
            .get_by_label_contains("Incidents per province (top ")
            .rect();
        assert!(province_title.max.x <= detail.min.x, "{province_title:?}");
        assert_eq!(checked, 7);
    }
}
