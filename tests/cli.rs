//! The command line as a user runs it: export contract and bad flags.

use std::process::{Command, Output};

const HEADER: &str = "id,date,date_precision,country_code,country,admin1,place,lat,lon,location_precision,kind,method,target,attribution,killed_min,killed_max,injured_min,injured_max,summary,sources,actors";

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_khorasan-atlas"))
        .args(args)
        .output()
        .expect("binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("utf-8 output")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("utf-8 output")
}

fn csv_rows(text: &str) -> Vec<csv::StringRecord> {
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|record| record.expect("valid CSV"))
        .collect()
}

#[test]
fn export_csv_has_the_exact_header_and_one_row_per_incident() {
    let output = run(&["export", "--format", "csv"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert_eq!(text.lines().next(), Some(HEADER));
    let rows = csv_rows(&text);
    let dataset = khorasan_atlas::io::embedded_dataset().unwrap();
    assert_eq!(rows.len(), dataset.incidents.len());
    for row in &rows {
        assert_eq!(row.len(), 21);
        let precision = &row[2];
        let date = &row[1];
        let expected_len = match precision {
            "day" => 10,
            "month" => 7,
            "year" => 4,
            other => panic!("unknown precision {other}"),
        };
        assert_eq!(
            date.len(),
            expected_len,
            "{date} is not at {precision} precision"
        );
        assert!(
            !row[19].is_empty(),
            "incident {} exported without sources",
            &row[0]
        );
        for column in [14, 15, 16, 17] {
            assert!(row[column].is_empty() || row[column].parse::<u32>().is_ok());
        }
    }
}

#[test]
fn export_filters_have_the_ui_semantics() {
    let output = run(&[
        "export",
        "--country",
        "PK",
        "--kind",
        "attack",
        "--from",
        "2020-01-01",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let rows = csv_rows(&stdout(&output));
    assert!(!rows.is_empty(), "expected Pakistani attacks since 2020");
    for row in &rows {
        assert_eq!(&row[3], "PK");
        assert_eq!(&row[10], "attack");
        assert!(&row[1][..4] >= "2020", "{}", &row[1]);
    }
    let dataset = khorasan_atlas::io::embedded_dataset().unwrap();
    let filter = khorasan_atlas::model::Filter {
        countries: ["PK".to_owned()].into(),
        kinds: [khorasan_atlas::model::Kind::Attack].into(),
        from: chrono::NaiveDate::from_ymd_opt(2020, 1, 1),
        ..Default::default()
    };
    let expected = dataset
        .incidents
        .iter()
        .filter(|i| filter.matches(i))
        .count();
    assert_eq!(rows.len(), expected);
}

#[test]
fn export_geojson_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.geojson");
    let output = run(&[
        "export",
        "--format",
        "geojson",
        "--min-killed",
        "50",
        "-o",
        path.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = std::fs::read_to_string(&path).unwrap();
    let geojson: geojson::GeoJson = text.parse().unwrap();
    let geojson::GeoJson::FeatureCollection(collection) = geojson else {
        panic!("not a FeatureCollection")
    };
    assert!(!collection.features.is_empty());
    for feature in &collection.features {
        assert!(matches!(
            feature.geometry.as_ref().unwrap().value,
            geojson::Value::Point(_)
        ));
        let killed_max = feature.property("killed_max").unwrap().as_u64().unwrap();
        assert!(killed_max >= 50);
        for key in HEADER.split(',') {
            assert!(feature.contains_property(key), "missing property {key}");
        }
    }
}

#[test]
fn bad_flags_exit_with_code_2_and_a_message() {
    let cases: [(&[&str], &str); 6] = [
        (&["export", "--country", "XX"], "not an ISO 3166-1"),
        (
            &["export", "--from", "2022-01-01", "--to", "2021-01-01"],
            "is after",
        ),
        (
            &["export", "--from", "2022-02-30"],
            "not a real calendar date",
        ),
        (&["export", "--from", "yesterday"], "YYYY-MM-DD"),
        (&["export", "--kind", "picnic"], "foiled-plot"),
        (&["export", "--format", "xml"], "invalid value"),
    ];
    for (args, message) in cases {
        let output = run(args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(message),
            "{args:?}: expected '{message}' in: {}",
            stderr(&output)
        );
        assert!(output.stdout.is_empty(), "{args:?} wrote to stdout");
    }
}

#[test]
fn a_broken_data_file_is_reported_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.ron");
    std::fs::write(&path, "(\n  incidents: [\n    (id: 5),\n  ],\n)\n").unwrap();
    let output = run(&["--data", path.to_str().unwrap(), "export"]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(message.contains("broken.ron:3:"), "{message}");
}

#[test]
fn stats_reports_totals_and_csv() {
    let output = run(&["stats"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("incidents; killed"), "{text}");
    assert!(text.contains("by attribution:"), "{text}");
    let output = run(&["stats", "--format", "csv", "--country", "AF"]);
    let text = stdout(&output);
    assert!(text.starts_with("group,key,count\n"), "{text}");
    assert!(text.contains("country,AF Afghanistan,"), "{text}");
}

#[test]
fn export_within_a_distance_or_an_area_keeps_the_incidents_whose_footprint_meets_it() {
    use khorasan_atlas::model::{Area, Filter};
    let dataset = khorasan_atlas::io::embedded_dataset().unwrap();
    let ids = |args: &[&str]| -> Vec<String> {
        let output = run(&[&["export", "--format", "csv"], args].concat());
        assert!(output.status.success(), "{}", stderr(&output));
        csv_rows(&stdout(&output))
            .iter()
            .map(|row| row[0].to_owned())
            .collect()
    };
    let expected = |areas: Vec<Area>| -> Vec<String> {
        let filter = Filter {
            areas,
            ..Filter::default()
        };
        let kept = dataset.incidents.iter().filter(|i| filter.matches(i));
        kept.map(|i| i.id.to_string()).collect()
    };
    let near_jalalabad = Area::Within {
        lat: 34.43,
        lon: 70.45,
        km: 50.0,
        label: None,
    };
    let within = ids(&["--within", "34.43,70.45,50"]);
    assert!(within.len() >= 10, "{within:?}");
    assert!(within.len() < dataset.incidents.len() / 2);
    assert_eq!(within, expected(vec![near_jalalabad.clone()]));
    // Kabul's box and the circle together: inside either.
    let kabul = Area::Box {
        west: 69.0,
        south: 34.4,
        east: 69.3,
        north: 34.6,
    };
    let either = ids(&[
        "--within",
        "34.43,70.45,50",
        "--bbox",
        "69.0,34.4,69.3,34.6",
    ]);
    assert_eq!(either, expected(vec![near_jalalabad, kabul]));
    assert!(either.len() > within.len());

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("valley.geojson");
    std::fs::write(
        &path,
        r#"{"type": "Feature", "properties": {"name": "Nangarhar plain"}, "geometry":
           {"type": "Polygon", "coordinates": [[[70.0, 34.0], [71.2, 34.0], [71.2, 34.6],
           [70.0, 34.6], [70.0, 34.0]]]}}"#,
    )
    .unwrap();
    let polygon = ids(&["--area", path.to_str().unwrap()]);
    assert!(!polygon.is_empty());
    let areas = khorasan_atlas::model::area::polygons_from_geojson(
        &std::fs::read_to_string(&path).unwrap(),
    )
    .unwrap();
    assert_eq!(polygon, expected(areas));

    for (flag, value, why) in [
        ("--within", "34.43,70.45", "LAT,LON,KM"),
        ("--within", "134.43,70.45,5", "not on the Earth"),
        ("--bbox", "71,34,70,35", "west must be less"),
        (
            "--area",
            "/no/such/file.geojson",
            "--area /no/such/file.geojson",
        ),
    ] {
        let output = run(&["export", flag, value]);
        assert_eq!(output.status.code(), Some(2), "{flag} {value}");
        assert!(stderr(&output).contains(why), "{}", stderr(&output));
    }
}

#[test]
fn stats_change_prints_the_window_the_rule_and_a_line_per_place() {
    let output = run(&["stats", "--change", "--window", "6", "--baseline", "year"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let first = text.lines().next().unwrap();
    assert!(first.starts_with("Change: "), "{first}");
    assert!(first.contains("6 month(s) against the same months a year earlier"));
    assert!(text.contains("Surge: a baseline average of 1 or more a month"));
    assert!(
        text.lines()
            .any(|line| line.starts_with("country   Afghanistan"))
    );
    for (args, why) in [
        (&["stats", "--change", "--window", "0"][..], "--window 0"),
        (&["stats", "--window", "3"][..], "--change"),
        (&["stats", "--change", "--baseline", "decade"][..], "decade"),
    ] {
        let output = run(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(stderr(&output).contains(why), "{}", stderr(&output));
    }
}
