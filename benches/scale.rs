//! Scale: one million synthetic ACLED incidents (`khorasan-atlas synth`, seed 1).
//!
//! - `scan/*`: a filter change and everything the views derive from it (filtered set, timeline
//!   set and histogram, facet counts, province totals, summary), as the app runs it.
//! - `per_incident/*`: the same on 100,000 incidents the straightforward way (a `Filter::matches`
//!   pass per facet), for the ratio.
//! - `frame/*`: whole UI frames of the real app driven headlessly through egui_kittest (layout,
//!   map density bins, histogram, table, filter panel; no GPU): idle; the frame that takes a
//!   filter change (the scan runs on another thread) and the frame in which its result lands;
//!   and the whole way from a filter change to its result drawn, scanning on the UI thread.
//!
//! - `startup/*`: the embedded dataset from nothing to its first UI frame (no window).
//!
//! Run with `cargo bench --bench scale`; `SCALE_ROWS` changes the size.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use khorasan_atlas::io::import::{Progress, import_bytes};
use khorasan_atlas::model::aggregate::{MonthHistogram, Summary, facet_counts, province_totals};
use khorasan_atlas::model::columns::Columns;
use khorasan_atlas::model::{Area, Dataset, Facet, Filter, Kind, StackBy};
use khorasan_atlas::state::{Command, PersistedState};

fn rows() -> u64 {
    std::env::var("SCALE_ROWS")
        .ok()
        .and_then(|rows| rows.parse().ok())
        .unwrap_or(1_000_000)
}

fn synthetic(rows: u64) -> Dataset {
    let mut bytes = Vec::new();
    khorasan_atlas::synth::write_acled(&mut bytes, rows, 1, |_| {}).expect("synthesised");
    import_bytes(
        &bytes,
        "synthetic.csv",
        Some("csv"),
        None,
        &Progress::default(),
    )
    .expect("synthetic data loads")
    .dataset
}

/// A filter an analyst changes often: a country, a period and a kind.
fn filters() -> [Filter; 2] {
    [
        Filter {
            countries: ["AF".to_owned()].into(),
            from: "2020-01-01".parse().ok(),
            to: "2023-12-31".parse().ok(),
            ..Filter::default()
        },
        Filter {
            kinds: [Kind::Attack].into(),
            isk_only: true,
            min_killed: 1,
            ..Filter::default()
        },
    ]
}

fn scan(c: &mut Criterion) {
    let dataset = synthetic(rows());
    let columns = Columns::build(&dataset);
    let [first, second] = filters();
    let mut group = c.benchmark_group("scan");
    group.sample_size(30);
    group.bench_function(format!("{}_rows_filter_change", rows()), |b| {
        let mut flip = false;
        b.iter(|| {
            flip = !flip;
            let filter = if flip { &first } else { &second };
            black_box(columns.scan(&dataset, filter, StackBy::Kind))
        })
    });
    // The area facet (issue 19): 50 km around Jalalabad against a box around Kabul, and a
    // polygon of six corners over Nangarhar, each alternating with the first filter above.
    let jalalabad = Filter {
        areas: vec![Area::Within {
            lat: 34.43,
            lon: 70.45,
            km: 50.0,
            label: None,
        }],
        ..Filter::default()
    };
    let polygon = Filter {
        areas: vec![Area::Polygon {
            points: vec![
                (69.9, 34.0),
                (70.6, 33.9),
                (71.2, 34.1),
                (71.1, 34.5),
                (70.5, 34.6),
                (70.0, 34.4),
            ],
            label: None,
        }],
        ..Filter::default()
    };
    for (name, area) in [("circle", &jalalabad), ("polygon", &polygon)] {
        group.bench_function(format!("{}_rows_area_{name}_change", rows()), |b| {
            let mut flip = false;
            b.iter(|| {
                flip = !flip;
                let filter = if flip { area } else { &first };
                black_box(columns.scan(&dataset, filter, StackBy::Kind))
            })
        });
    }
    group.finish();

    // The per-incident way, on a tenth of the rows (it is too slow for a million).
    let small = synthetic(rows() / 10);
    let small_columns = Columns::build(&small);
    let mut group = c.benchmark_group("per_incident_vs_scan");
    group.sample_size(10);
    group.bench_function(format!("{}_rows_per_incident", rows() / 10), |b| {
        b.iter(|| black_box(per_incident(&small, &first)))
    });
    group.bench_function(format!("{}_rows_scan", rows() / 10), |b| {
        b.iter(|| black_box(small_columns.scan(&small, &first, StackBy::Kind)))
    });
    group.finish();
}

/// What the app computed before the columnar scan: one pass per derived value.
fn per_incident(dataset: &Dataset, filter: &Filter) -> usize {
    let filtered: Vec<usize> = (0..dataset.incidents.len())
        .filter(|&i| filter.matches(&dataset.incidents[i]))
        .collect();
    let incidents = || filtered.iter().map(|&i| &dataset.incidents[i]);
    let timeline = dataset
        .incidents
        .iter()
        .filter(|i| filter.matches_except(i, Some(Facet::Date)));
    let histogram = MonthHistogram::compute(StackBy::Kind, timeline);
    let summary = Summary::compute(dataset, incidents());
    let provinces = province_totals(incidents());
    let kinds = facet_counts(dataset, filter, Facet::Kind, |i| i.kind);
    let countries = facet_counts(dataset, filter, Facet::Country, |i| {
        i.location.country_code.clone()
    });
    let attributions = facet_counts(dataset, filter, Facet::Attribution, |i| i.attribution);
    let methods = facet_counts(dataset, filter, Facet::Method, |i| i.method);
    let targets = facet_counts(dataset, filter, Facet::Target, |i| i.target);
    let province_counts = facet_counts(dataset, filter, Facet::Province, |i| {
        i.location.admin1.clone()
    });
    histogram.bins.len()
        + summary.count
        + provinces.len()
        + kinds.len()
        + countries.len()
        + attributions.len()
        + methods.len()
        + targets.len()
        + province_counts.len()
}

fn frame(c: &mut Criterion) {
    let layers = vec![
        khorasan_atlas::layers::Layer::embedded(
            khorasan_atlas::io::embedded_dataset().expect("embedded dataset"),
        ),
        khorasan_atlas::layers::Layer::imported(
            1,
            std::path::Path::new("synthetic.csv"),
            khorasan_atlas::io::import::Imported {
                dataset: synthetic(rows()),
                report: khorasan_atlas::io::import::ImportReport::new(
                    "synthetic.csv",
                    khorasan_atlas::io::import::Format::Acled,
                ),
            },
            khorasan_atlas::layers::LayerSpec {
                path: Some("synthetic.csv".into()),
                ..Default::default()
            },
        ),
    ];
    let app = khorasan_atlas::AtlasApp::with_layers(layers, PersistedState::default());
    let mut harness = egui_kittest::Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_ui_state(|ui, app: &mut khorasan_atlas::AtlasApp| app.show(ui), app);
    // Let the layout, the table order and the projected positions settle.
    for _ in 0..5 {
        harness.step();
    }
    let mut group = c.benchmark_group("frame");
    group.sample_size(20);
    group.bench_function(format!("{}_rows_idle", rows()), |b| {
        b.iter(|| harness.step())
    });
    let [first, second] = filters();
    // The two UI frames of a filter change, timed apart: the frame that takes it (the scan
    // starts on another thread; the views draw the previous result) and the frame in which the
    // result lands and is drawn (table rows picked, density bins gathered).
    group.finish();
    let mut group = c.benchmark_group("frame");
    group.sample_size(10);
    group.measurement_time(std::time::Duration::from_secs(2));
    for (name, landing) in [
        ("filter_change_frame", false),
        ("result_landing_frame", true),
    ] {
        group.bench_function(format!("{}_rows_{name}", rows()), |b| {
            let mut flip = false;
            b.iter_custom(|iterations| {
                let mut timed = std::time::Duration::ZERO;
                let mut counted = 0;
                while counted < iterations {
                    flip = !flip;
                    let filter = if flip { first.clone() } else { second.clone() };
                    let started = std::time::Instant::now();
                    harness.state_mut().apply(Command::SetFilter(filter));
                    harness.step();
                    let change_frame = started.elapsed();
                    // Time for the scan (about 10 ms) to finish on the other thread.
                    std::thread::sleep(std::time::Duration::from_millis(30));
                    let started = std::time::Instant::now();
                    harness.step();
                    let landing_frame = started.elapsed();
                    if harness.state().is_deriving() {
                        // Not landed yet (a slow scan): settle and do not count this one.
                        while harness.state().is_deriving() {
                            harness.step();
                        }
                        continue;
                    }
                    timed += if landing { landing_frame } else { change_frame };
                    counted += 1;
                }
                timed
            })
        });
    }
    group.finish();
    let mut group = c.benchmark_group("frame");
    group.sample_size(20);
    // From the filter change until the new result is on screen, all on the UI thread: the scan,
    // then the frame that draws it (table rows picked, density bins gathered).
    harness.state_mut().scan.background_from = usize::MAX;
    group.bench_function(
        format!("{}_rows_filter_change_to_result_drawn", rows()),
        |b| {
            let mut flip = false;
            b.iter(|| {
                flip = !flip;
                let filter = if flip { first.clone() } else { second.clone() };
                harness.state_mut().apply(Command::SetFilter(filter));
                harness.step();
            })
        },
    );
    harness.state_mut().scan.background_from = khorasan_atlas::app::BACKGROUND_SCAN_FROM;
    // The trend charts: grouped once per filter, then drawn from the cache.
    harness.state_mut().apply(Command::ShowCentral(
        khorasan_atlas::state::CentralView::Trends,
    ));
    harness.step();
    group.bench_function(format!("{}_rows_trends_idle", rows()), |b| {
        b.iter(|| harness.step())
    });
    group.finish();
}

/// Start to first frame on the embedded dataset, without the window: parsing the dataset,
/// building the basemap, the first derived data and the first UI frame.
fn startup(c: &mut Criterion) {
    let mut group = c.benchmark_group("startup");
    group.sample_size(20);
    group.bench_function("embedded_to_first_frame", |b| {
        b.iter(|| {
            let dataset = khorasan_atlas::io::embedded_dataset().expect("embedded dataset");
            let app = khorasan_atlas::AtlasApp::with_state(
                dataset,
                "embedded dataset".into(),
                PersistedState::default(),
            );
            let mut harness = egui_kittest::Harness::builder()
                .with_size(egui::vec2(1280.0, 800.0))
                .build_ui_state(|ui, app: &mut khorasan_atlas::AtlasApp| app.show(ui), app);
            harness.step();
            black_box(harness.state().derived.filtered.len())
        })
    });
    group.finish();
}

/// Finding the events shared by layers when a large file is loaded beside the embedded
/// dataset (done once per layer change, when the layers are merged).
fn matching(c: &mut Criterion) {
    let embedded = khorasan_atlas::io::embedded_dataset().expect("embedded dataset");
    let synthetic = khorasan_atlas::layers::Layer {
        name: "synthetic.csv".to_owned(),
        ..khorasan_atlas::layers::Layer::embedded(synthetic(rows()))
    };
    let mut layers = vec![khorasan_atlas::layers::Layer::embedded(embedded), synthetic];
    let (merged, layer_of) = khorasan_atlas::layers::merge(&mut layers);
    let mut group = c.benchmark_group("matching");
    group.sample_size(10);
    group.bench_function(
        format!("{}_rows_beside_the_embedded_dataset", rows()),
        |b| {
            b.iter(|| {
                black_box(
                    khorasan_atlas::model::matching::find(&merged, &layer_of)
                        .events
                        .len(),
                )
            })
        },
    );
    group.finish();
}

/// The Change view's numbers (`model::change`, also `stats --change`) for the whole file: it
/// runs on the UI thread when the filter or its settings change while the view is shown.
fn change(c: &mut Criterion) {
    use khorasan_atlas::model::change::{Change, ChangeSettings};
    let dataset = synthetic(rows());
    let mut group = c.benchmark_group("change");
    group.sample_size(10);
    group.bench_function(format!("{}_rows_last_3_months", rows()), |b| {
        b.iter(|| {
            black_box(Change::compute(
                &dataset,
                &Filter::default(),
                ChangeSettings::default(),
            ))
        })
    });
    group.finish();
}

criterion_group!(benches, startup, scan, frame, matching, change);
criterion_main!(benches);
