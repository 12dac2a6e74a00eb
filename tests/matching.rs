//! One event counted once across layers: precision and recall of the matching on a fixture
//! built here from the embedded dataset and a UCDP-shaped file of the same events, written
//! with the offsets real UCDP rows have against press-based records (a day later, placed at
//! the town or district, a different toll), plus events that must not match (the same place
//! weeks later, another group's fighting the same day).

mod common;

use std::fmt::Write as _;

use khorasan_atlas::io::import::{Progress, import_file};
use khorasan_atlas::model::matching;
use khorasan_atlas::model::{DatePrecision, Kind, LocationPrecision};

/// A small deterministic generator (xorshift), so the fixture is the same on every run.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

const HEADER: &str = "id,year,type_of_violence,conflict_name,dyad_name,side_a,side_b,source_article,where_prec,where_description,adm_1,latitude,longitude,country,date_prec,date_start,date_end,deaths_a,deaths_b,deaths_civilians,deaths_unknown,best,low,high";

/// One UCDP-shaped row.
#[expect(clippy::too_many_arguments, reason = "one argument per column written")]
fn row(
    out: &mut String,
    id: u32,
    side_a: &str,
    side_b: &str,
    violence: u8,
    where_prec: u8,
    (lat, lon): (f64, f64),
    country: &str,
    day: chrono::NaiveDate,
    best: u32,
) {
    writeln!(
        out,
        "{id},{},{violence},Fixture,Fixture,{side_a},{side_b},Fixture row for tests,{where_prec},Fixture place,,{lat:.4},{lon:.4},{country},1,{day},{day},0,0,{best},0,{best},{best},{}",
        chrono::Datelike::year(&day),
        best + best / 5
    )
    .unwrap();
}

#[test]
fn matching_finds_the_same_events_in_a_ucdp_shaped_file_with_realistic_offsets() {
    let embedded = khorasan_atlas::io::embedded_dataset().unwrap();
    let mut dice = Dice(0x5eed_1234_abcd);
    let mut csv = format!("{HEADER}\n");
    // (embedded index, UCDP id) of the rows that record the same event.
    let mut truth: Vec<(usize, String)> = Vec::new();
    let mut id = 960_000;
    for (index, incident) in embedded.incidents.iter().enumerate() {
        let location = &incident.location;
        let country = match location.country_code.as_str() {
            "AF" => "Afghanistan",
            "PK" => "Pakistan",
            _ => continue,
        };
        if incident.kind != Kind::Attack
            || incident.date.precision() != DatePrecision::Day
            || location.precision == LocationPrecision::Country
        {
            continue;
        }
        let day: chrono::NaiveDate = incident.date.to_string().parse().unwrap();
        // The date as UCDP has it: mostly the same day, often the next, now and then two
        // days later (beyond the tolerance: a miss to expect).
        let roll = dice.next();
        let shift = if roll < 0.70 {
            0
        } else if roll < 0.95 {
            1
        } else {
            2
        };
        // The place: the site, the town or the district, with the jitter of each.
        let roll = dice.next();
        let (where_prec, jitter_km) = if roll < 0.55 {
            (1, 3.0)
        } else if roll < 0.85 {
            (2, 10.0)
        } else {
            (3, 30.0)
        };
        let angle = dice.next() * std::f64::consts::TAU;
        let km = dice.next() * jitter_km;
        let point = (
            location.lat + km * angle.sin() / 111.0,
            location.lon + km * angle.cos() / (111.0 * location.lat.to_radians().cos()),
        );
        let toll = incident.killed.max().unwrap_or(0);
        let best = (f64::from(toll) * (0.8 + 0.4 * dice.next())).round() as u32;
        id += 1;
        row(
            &mut csv,
            id,
            "IS",
            "Civilians",
            3,
            where_prec,
            point,
            country,
            day + chrono::Duration::days(shift),
            best,
        );
        truth.push((index, format!("ucdp:{id}")));
        // Events that must stay apart: the same town weeks later, and the Taliban fighting
        // the government there the same day.
        if dice.next() < 0.3 {
            id += 1;
            let later = day + chrono::Duration::days(7 + (dice.next() * 23.0) as i64);
            row(
                &mut csv,
                id,
                "IS",
                "Civilians",
                3,
                2,
                point,
                country,
                later,
                2,
            );
            id += 1;
            row(
                &mut csv,
                id,
                "Government of Afghanistan",
                "Taliban",
                1,
                2,
                point,
                country,
                day,
                5,
            );
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ucdp_same_events.csv");
    std::fs::write(&path, &csv).unwrap();
    let imported = import_file(&path, None, &Progress::default()).unwrap();
    assert_eq!(imported.report.skipped(), 0, "{:?}", imported.report.issues);

    // The two as the app merges its layers.
    let base = embedded.incidents.len();
    let mut layers = vec![
        khorasan_atlas::layers::Layer::embedded(embedded),
        khorasan_atlas::layers::Layer::imported(1, &path, imported, Default::default()),
    ];
    let (merged, layer_of) = khorasan_atlas::layers::merge(&mut layers);
    let matches = matching::find(&merged, &layer_of);

    let found: Vec<(usize, String)> = matches
        .events
        .iter()
        .flat_map(|event| {
            let embedded_side: Vec<usize> = event
                .iter()
                .map(|&i| i as usize)
                .filter(|&i| i < base)
                .collect();
            let ucdp_side: Vec<String> = event
                .iter()
                .map(|&i| i as usize)
                .filter(|&i| i >= base)
                .map(|i| merged.incidents[i].id.clone())
                .collect();
            embedded_side
                .into_iter()
                .flat_map(move |e| ucdp_side.clone().into_iter().map(move |u| (e, u)))
        })
        .collect();
    let right = found.iter().filter(|pair| truth.contains(pair)).count();
    let precision = right as f64 / found.len().max(1) as f64;
    let recall = right as f64 / truth.len() as f64;
    eprintln!(
        "matching: {} true pairs, {} found, {right} right: precision {precision:.3}, recall {recall:.3}",
        truth.len(),
        found.len()
    );
    assert!(truth.len() > 60, "a fixture of {} events", truth.len());
    assert!(precision >= 0.95, "precision {precision:.3}");
    assert!(recall >= 0.85, "recall {recall:.3}");
    // Counting each event once leaves out exactly the matched UCDP rows, never an
    // embedded incident (the first layer's is the one counted).
    assert_eq!(matches.duplicate_count(), found.len());
    assert!((0..base).all(|i| !matches.is_duplicate(i)));
}

/// A UCDP-shaped file recording the embedded dataset's first three day-precision attacks in
/// Afghanistan, a day later and placed at the town.
fn three_known_events() -> (tempfile::TempDir, std::path::PathBuf, Vec<String>) {
    let embedded = khorasan_atlas::io::embedded_dataset().unwrap();
    let mut csv = format!("{HEADER}\n");
    let mut ids = Vec::new();
    for (number, incident) in embedded
        .incidents
        .iter()
        .filter(|incident| {
            incident.kind == Kind::Attack
                && incident.location.country_code == "AF"
                && incident.date.precision() == DatePrecision::Day
                && incident.location.precision != LocationPrecision::Country
        })
        .take(3)
        .enumerate()
    {
        let day: chrono::NaiveDate = incident.date.to_string().parse().unwrap();
        let location = &incident.location;
        row(
            &mut csv,
            970_001 + number as u32,
            "IS",
            "Civilians",
            3,
            2,
            (location.lat + 0.02, location.lon),
            "Afghanistan",
            day + chrono::Duration::days(1),
            incident.killed.max().unwrap_or(1),
        );
        ids.push(incident.id.clone());
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ucdp_three.csv");
    std::fs::write(&path, csv).unwrap();
    (dir, path, ids)
}

#[test]
fn the_data_menu_counts_each_event_once_and_the_detail_panel_says_where_else_it_is() {
    use egui_kittest::kittest::Queryable as _;
    let (_dir, path, embedded_ids) = three_known_events();
    let mut harness = common::harness_sized(
        khorasan_atlas::state::PersistedState::default(),
        1280.0,
        1100.0,
    );
    harness.state_mut().open_file(path, None);
    common::wait_for_load(&mut harness);
    let app = harness.state();
    assert_eq!(app.layers.len(), 2);
    assert_eq!(app.matches.events.len(), 3, "{:?}", app.matches.events);
    let everything = app.derived.filtered.len();
    let caption_before = app.derived.summary.count;

    harness.get_by_label("Data").click();
    harness.run_ok();
    harness.get_by_label("Count each event once").click();
    harness.run_ok();
    let app = harness.state();
    assert!(app.state.filter.count_once);
    assert_eq!(app.derived.filtered.len(), everything - 3);
    assert_eq!(app.derived.summary.count, caption_before - 3);
    // The embedded incidents stay; the UCDP rows of the same events are left out.
    for &index in &app.derived.filtered {
        assert!(!app.dataset.incidents[index].id.starts_with("ucdp:97000"));
    }

    // The embedded incident, selected, names its UCDP row.
    let selected = app
        .dataset
        .incidents
        .iter()
        .position(|incident| incident.id == embedded_ids[0])
        .unwrap();
    harness
        .state_mut()
        .apply(khorasan_atlas::state::Command::Select(Some(selected)));
    harness.run_ok();
    harness.get_by_label("Also in (the same event)");
    harness.get_by_label("ucdp_three.csv ucdp:970001");
}

#[test]
fn stats_dedupe_counts_each_event_once_from_the_same_function() {
    let (_dir, path, _) = three_known_events();
    let stats = |dedupe: bool| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_khorasan-atlas"));
        command
            .args(["stats", "--format", "csv", "--with-embedded", "--data"])
            .arg(&path);
        if dedupe {
            command.arg("--dedupe");
        }
        let output = command.output().unwrap();
        assert!(output.status.success(), "{output:?}");
        let total: usize = String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .find_map(|line| line.strip_prefix("total,incidents,"))
            .expect("a total line")
            .parse()
            .unwrap();
        (total, String::from_utf8(output.stderr).unwrap())
    };
    let (all, _) = stats(false);
    let (once, said) = stats(true);
    assert_eq!(once, all - 3);
    assert!(
        said.contains("--dedupe: 3 events found in more than one layer"),
        "{said}"
    );
}
