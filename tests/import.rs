//! Importing the fixture files in `tests/fixtures/import/`: every good row loads with the
//! right date and place precision and attribution grade, every broken row is skipped with
//! its line and column, and files that are not data give one clear error.

mod common;

use common::{fixture, incident, issues, load};

use khorasan_atlas::io::import::{
    FieldMapping, Format, ImportError, Imported, Progress, detect, import_file,
};
use khorasan_atlas::model::{
    Attribution, Count, DatePrecision, Incident, Kind, LocationPrecision, Method, Target,
};

fn load_error(name: &str) -> ImportError {
    match import_file(&fixture(name), None, &Progress::default()) {
        Ok(imported) => panic!("{name} loaded: {}", imported.report.summary()),
        Err(error) => error,
    }
}

/// Date as written, its precision, and the place precision.
fn precisions(incident: &Incident) -> (String, DatePrecision, LocationPrecision) {
    (
        incident.date.to_string(),
        incident.date.precision(),
        incident.location.precision,
    )
}

/// What every successful import guarantees: the counts add up, the dataset is valid and
/// every incident cites the file and only sources the dataset has.
fn check_consistent(imported: &Imported) {
    check_counts_and_sources(imported);
    assert!(
        imported.dataset.validate().is_empty(),
        "{:?}",
        imported.dataset.validate()
    );
}

/// The same without validation, for files with no country column (their incidents have no
/// country code, which the dataset's validation asks for).
fn check_counts_and_sources(imported: &Imported) {
    let report = &imported.report;
    assert_eq!(
        report.rows,
        report.loaded as u64 + report.skipped(),
        "{}",
        report.summary()
    );
    assert_eq!(report.loaded, imported.dataset.incidents.len());
    for incident in &imported.dataset.incidents {
        assert_eq!(incident.sources[0], "file", "{}", incident.id);
        for source in &incident.sources {
            assert!(
                imported.dataset.sources.iter().any(|s| &s.id == source),
                "{}: {source}",
                incident.id
            );
        }
        // UCDP has no summary column: its fixture says so in the cited article.
        if report.format != Format::Ucdp {
            assert!(
                incident.summary.contains("Fixture row for tests"),
                "{}",
                incident.id
            );
        }
    }
}

#[test]
fn acled_current_export_loads_good_rows_and_reports_broken_ones() {
    let imported = load("acled_current.csv");
    check_consistent(&imported);
    let report = &imported.report;
    assert_eq!(report.format, Format::Acled);
    assert_eq!((report.rows, report.loaded, report.skipped()), (11, 8, 3));
    assert_eq!(
        issues(&imported),
        [(5, "event_date"), (6, "latitude"), (7, "fatalities")]
    );
    assert!(
        report.issues[0].why.contains("not a real calendar date"),
        "{:?}",
        report.issues[0]
    );
    assert_eq!(report.issues[0].value, "2022-02-30");
    assert!(report.issues[1].why.contains("out of range"));
    assert!(report.issues[2].why.contains("negative"));
    let described = report.issues[1].describe("acled_current.csv");
    assert!(
        described.starts_with("acled_current.csv:6: column 'latitude' = '200'"),
        "{described}"
    );

    let first = incident(&imported, "acled:AFG-FX-0001");
    assert_eq!(
        precisions(first),
        (
            "2022-04-21".into(),
            DatePrecision::Day,
            LocationPrecision::Town
        )
    );
    assert_eq!(
        (first.kind, first.method),
        (Kind::Attack, Method::SuicideBombing)
    );
    assert_eq!(first.target, Target::Civilians);
    assert_eq!(first.attribution, Attribution::NamedInData);
    assert_eq!(first.killed, Count::Exact(10));
    assert_eq!(first.sources.len(), 3);

    let clash = incident(&imported, "acled:AFG-FX-0002");
    assert_eq!(
        precisions(clash),
        (
            "2025-05".into(),
            DatePrecision::Month,
            LocationPrecision::Province
        )
    );
    assert_eq!(clash.kind, Kind::Fighting, "ACLED Battles are fighting");
    assert_eq!(clash.attribution, Attribution::NamedInData);
    assert_eq!(
        clash.perpetrator.as_deref(),
        Some("Islamic State Khorasan Province")
    );

    let bajaur = incident(&imported, "acled:PAK-FX-0003");
    assert_eq!(
        precisions(bajaur),
        (
            "2023-08-26".into(),
            DatePrecision::Day,
            LocationPrecision::District
        )
    );
    assert_eq!(bajaur.location.country_code, "PK");

    let herat = incident(&imported, "acled:AFG-FX-0004");
    assert_eq!(
        precisions(herat),
        (
            "2023-01".into(),
            DatePrecision::Month,
            LocationPrecision::Town
        )
    );
    assert_eq!(herat.attribution, Attribution::NotIsk);
    assert_eq!(herat.perpetrator.as_deref(), Some("Taliban"));

    let arrest = incident(&imported, "acled:AFG-FX-0005");
    assert_eq!(arrest.kind, Kind::Arrest);
    assert_eq!(arrest.attribution, Attribution::NamedInData);
    assert_eq!(arrest.location.precision, LocationPrecision::District);

    assert_eq!(
        incident(&imported, "acled:AFG-FX-0006").date.to_string(),
        "2024-03-03"
    );
    assert_eq!(
        incident(&imported, "acled:PAK-FX-0007").killed,
        Count::Exact(26)
    );
    let kandahar = incident(&imported, "acled:AFG-FX-0008");
    assert_eq!(
        precisions(kandahar),
        (
            "2025-07".into(),
            DatePrecision::Month,
            LocationPrecision::Province
        )
    );
    assert_eq!(kandahar.attribution, Attribution::NotIsk);
}

#[test]
fn acled_old_export_loads_and_reports_the_short_row() {
    let imported = load("acled_old.csv");
    check_consistent(&imported);
    let report = &imported.report;
    assert_eq!(report.format, Format::Acled);
    assert_eq!((report.rows, report.loaded, report.skipped()), (5, 4, 1));
    assert_eq!(issues(&imported), [(4, "")]);
    assert!(
        report.issues[0]
            .why
            .contains("16 fields but the header has 26"),
        "{:?}",
        report.issues[0]
    );

    let mastung = incident(&imported, "acled:PAK-OLD-1");
    assert_eq!(
        precisions(mastung),
        (
            "2018-07-13".into(),
            DatePrecision::Day,
            LocationPrecision::Town
        )
    );
    assert_eq!(mastung.location.country_code, "PK");
    assert_eq!(mastung.attribution, Attribution::NamedInData);
    assert_eq!(mastung.killed, Count::Exact(128));

    let kabul = incident(&imported, "acled:AFG-OLD-2");
    assert_eq!(
        precisions(kabul),
        (
            "2019-03".into(),
            DatePrecision::Month,
            LocationPrecision::District
        )
    );

    let deh_bala = incident(&imported, "acled:AFG-OLD-4");
    assert_eq!(
        deh_bala.kind,
        Kind::Fighting,
        "a battle, with ISK as the second actor"
    );
    assert_eq!(deh_bala.attribution, Attribution::NamedInData);
    assert_eq!(deh_bala.location.precision, LocationPrecision::Province);

    let karachi = incident(&imported, "acled:PAK-OLD-5");
    assert_eq!(karachi.date.to_string(), "2019-10");
    assert_eq!(karachi.attribution, Attribution::NotIsk);
    assert_eq!(karachi.killed, Count::Unknown);
}

#[test]
fn gtd_export_maps_unknown_days_and_gtd_flags() {
    let imported = load("gtd.csv");
    check_consistent(&imported);
    let report = &imported.report;
    assert_eq!(report.format, Format::Gtd);
    assert_eq!((report.rows, report.loaded, report.skipped()), (8, 6, 2));
    assert_eq!(issues(&imported), [(4, "imonth"), (6, "nkill")]);
    assert_eq!(report.issues[0].value, "13");
    assert!(report.issues[1].why.contains("negative"));

    let kabul = incident(&imported, "gtd:201801270001");
    assert_eq!(
        precisions(kabul),
        (
            "2018-01-27".into(),
            DatePrecision::Day,
            LocationPrecision::Town
        )
    );
    assert_eq!(
        (kabul.kind, kabul.method),
        (Kind::Attack, Method::SuicideBombing)
    );
    assert_eq!(kabul.target, Target::Civilians);
    assert_eq!(kabul.attribution, Attribution::NamedInData);
    assert_eq!(
        (kabul.killed, kabul.injured),
        (Count::Exact(95), Count::Exact(158))
    );
    assert_eq!(kabul.sources.len(), 3);

    let jalalabad = incident(&imported, "gtd:201803000001");
    assert_eq!(
        precisions(jalalabad),
        (
            "2018-03".into(),
            DatePrecision::Month,
            LocationPrecision::District
        )
    );
    assert!(
        jalalabad
            .summary
            .ends_with("Approximate date in GTD: March 2018."),
        "{}",
        jalalabad.summary
    );
    assert_eq!(jalalabad.injured, Count::Unknown);

    let balochistan = incident(&imported, "gtd:201800000001");
    assert_eq!(
        precisions(balochistan),
        (
            "2018".into(),
            DatePrecision::Year,
            LocationPrecision::Province
        )
    );
    assert_eq!(balochistan.location.place, "Balochistan");
    assert_eq!(balochistan.location.country_code, "PK");
    assert_eq!(balochistan.method, Method::Assassination);

    let mastung = incident(&imported, "gtd:201807130001");
    assert_eq!(mastung.attribution, Attribution::ClaimedByIsk);
    assert_eq!(mastung.target, Target::Political);
    assert_eq!(mastung.location.precision, LocationPrecision::District);
    assert_eq!(
        mastung.sources.len(),
        3,
        "a repeated citation is cited once"
    );

    let uncertain = incident(&imported, "gtd:201809050001");
    assert_eq!(uncertain.attribution, Attribution::Suspected);
    assert_eq!(uncertain.target, Target::Education);
    assert_eq!(uncertain.killed, Count::Unknown);
    assert_eq!(uncertain.sources, ["file"]);

    let orakzai = incident(&imported, "gtd:201811230001");
    assert_eq!(
        orakzai.attribution,
        Attribution::NotIsk,
        "a claim by another group"
    );
    assert_eq!(
        orakzai.perpetrator.as_deref(),
        Some("Tehrik-i-Taliban Pakistan (TTP)")
    );
    assert_eq!(orakzai.location.precision, LocationPrecision::Country);
}

#[test]
fn ucdp_export_widens_dates_and_tells_isk_from_other_branches() {
    let imported = load("ucdp_ged.csv");
    check_consistent(&imported);
    let report = &imported.report;
    assert_eq!(report.format, Format::Ucdp);
    assert_eq!((report.rows, report.loaded, report.skipped()), (7, 5, 2));
    assert_eq!(issues(&imported), [(5, "date_end"), (7, "where_prec")]);
    assert!(
        report.issues[0].why.contains("before the start date"),
        "{:?}",
        report.issues[0]
    );
    assert_eq!(report.issues[1].value, "9");

    let jalalabad = incident(&imported, "ucdp:900001");
    assert_eq!(
        precisions(jalalabad),
        (
            "2022-03-01".into(),
            DatePrecision::Day,
            LocationPrecision::District
        )
    );
    assert_eq!(
        (jalalabad.kind, jalalabad.target),
        (Kind::Fighting, Target::Taliban)
    );
    assert_eq!(jalalabad.attribution, Attribution::NamedInData);
    assert_eq!(jalalabad.perpetrator.as_deref(), Some("IS"));
    assert_eq!(jalalabad.killed, Count::Range(5, 9));
    assert!(
        jalalabad
            .summary
            .contains("UCDP best estimate 7 killed (low 5, high 9)."),
        "{}",
        jalalabad.summary
    );

    let baghlan = incident(&imported, "ucdp:900002");
    assert_eq!(
        precisions(baghlan),
        (
            "2021-06".into(),
            DatePrecision::Month,
            LocationPrecision::Town
        )
    );
    assert_eq!(baghlan.target, Target::Civilians);
    assert_eq!(baghlan.killed, Count::Exact(12));

    let bajaur = incident(&imported, "ucdp:900003");
    assert_eq!(
        precisions(bajaur),
        (
            "2020".into(),
            DatePrecision::Year,
            LocationPrecision::Province
        )
    );
    assert_eq!(bajaur.location.country_code, "PK");
    assert_eq!(bajaur.attribution, Attribution::NamedInData);
    assert_eq!(bajaur.sources.len(), 3, "two articles separated by ';'");

    let syria = incident(&imported, "ucdp:900004");
    assert_eq!(syria.location.country_code, "SY");
    assert_eq!(
        syria.attribution,
        Attribution::NotIsk,
        "IS in Syria is not ISK"
    );
    assert_ne!(syria.kind, Kind::CounterOperation);

    let deh_bala = incident(&imported, "ucdp:900005");
    assert_eq!(
        precisions(deh_bala),
        (
            "2019-04-08".into(),
            DatePrecision::Day,
            LocationPrecision::Exact
        )
    );
    assert_eq!(deh_bala.target, Target::Taliban);
    assert_eq!(
        deh_bala.killed,
        Count::Exact(8),
        "best when low and high are empty"
    );
    assert_eq!(deh_bala.injured, Count::Unknown);
}

#[test]
fn geojson_with_unfamiliar_property_names_is_guessed_and_loaded() {
    let bytes = std::fs::read(fixture("points.geojson")).unwrap();
    let detected = detect(&bytes, "points.geojson", Some("geojson")).unwrap();
    assert_eq!(detected.format, Format::GeoJson);
    let mapping = FieldMapping::guess(&detected.columns, &detected.samples);
    let expected = FieldMapping {
        date: Some("occurred_on".into()),
        killed: Some("dead".into()),
        injured: Some("hurt".into()),
        place: Some("town_name".into()),
        admin1: Some("province_name".into()),
        country: Some("country_name".into()),
        actor: Some("group_responsible".into()),
        description: Some("field_notes".into()),
        source: Some("report_link".into()),
        id: Some("ref".into()),
        ..FieldMapping::default()
    };
    assert_eq!(
        mapping, expected,
        "point geometry stands in for latitude and longitude"
    );

    let imported = load("points.geojson");
    check_consistent(&imported);
    let report = &imported.report;
    assert_eq!(report.format, Format::GeoJson);
    assert_eq!((report.rows, report.loaded, report.skipped()), (7, 5, 2));
    assert_eq!(issues(&imported), [(37, "geometry"), (72, "occurred_on")]);
    assert!(
        report.issues[0].why.contains("LineString"),
        "{:?}",
        report.issues[0]
    );
    assert!(
        report.issues[1].why.contains("not a real calendar date"),
        "{:?}",
        report.issues[1]
    );

    let kabul = incident(&imported, "points:PT-1");
    assert_eq!(
        precisions(kabul),
        (
            "2023-01-11".into(),
            DatePrecision::Day,
            LocationPrecision::Town
        )
    );
    assert_eq!((kabul.location.lat, kabul.location.lon), (34.5553, 69.2075));
    assert_eq!(kabul.location.place, "Kabul");
    assert_eq!(kabul.location.country_code, "AF");
    assert_eq!(kabul.attribution, Attribution::NamedInData);
    assert_eq!(
        (kabul.killed, kabul.injured),
        (Count::Exact(5), Count::Exact(12))
    );
    let link = imported
        .dataset
        .sources
        .iter()
        .find(|source| source.id == kabul.sources[1])
        .unwrap();
    assert_eq!(
        link.url.as_deref(),
        Some("https://example.org/fixture/pt-1")
    );

    assert_eq!(
        incident(&imported, "points:PT-2").date.precision(),
        DatePrecision::Month
    );
    let khar = incident(&imported, "points:PT-3");
    assert_eq!(khar.date.precision(), DatePrecision::Year);
    assert_eq!(khar.attribution, Attribution::NotIsk);
    assert_eq!(khar.injured, Count::Range(4, 6));
    let quetta = incident(&imported, "points:PT-4");
    assert_eq!(quetta.date.to_string(), "2024-11-09");
    assert_eq!(
        quetta.attribution,
        Attribution::NamedInData,
        "IS in Pakistan"
    );
    let syria = incident(&imported, "points:PT-5");
    assert_eq!(syria.attribution, Attribution::NotIsk, "IS in Syria");
}

#[test]
fn files_that_are_not_data_give_one_clear_error() {
    let empty = load_error("broken/empty.csv");
    assert!(matches!(empty, ImportError::Empty { .. }), "{empty:?}");
    assert!(empty.to_string().contains("empty"), "{empty}");

    let binary = load_error("broken/binary.csv");
    assert!(
        matches!(binary, ImportError::Binary { offset: 8, .. }),
        "{binary:?}"
    );
    assert!(binary.to_string().contains("not a text file"), "{binary}");

    let not_geojson = load_error("broken/not_geojson.geojson");
    assert!(
        matches!(
            not_geojson,
            ImportError::NotFormat {
                format: "GeoJSON",
                ..
            }
        ),
        "{not_geojson:?}"
    );
    let message = not_geojson.to_string();
    assert!(
        message.contains("not_geojson.geojson") && message.contains("date,lat"),
        "{message}"
    );
}

#[test]
fn an_invalid_utf8_row_is_skipped_with_its_line_and_column() {
    let imported = load("broken/invalid_utf8.csv");
    check_counts_and_sources(&imported);
    assert_eq!(imported.report.format, Format::Csv);
    assert_eq!((imported.report.rows, imported.report.loaded), (3, 2));
    assert_eq!(issues(&imported), [(3, "notes")]);
    assert!(
        imported.report.issues[0].why.contains("not UTF-8"),
        "{:?}",
        imported.report.issues[0]
    );
    let places: Vec<&str> = imported
        .dataset
        .incidents
        .iter()
        .map(|i| i.location.place.as_str())
        .collect();
    assert_eq!(places, ["Kabul", "Quetta"]);
}

#[test]
fn a_huge_field_costs_only_its_row() {
    let imported = load("broken/huge_field.csv");
    check_counts_and_sources(&imported);
    assert_eq!((imported.report.rows, imported.report.loaded), (2, 1));
    assert_eq!(issues(&imported), [(2, "notes")]);
    let issue = &imported.report.issues[0];
    assert!(issue.why.contains("kB limit"), "{issue:?}");
    assert!(
        issue.value.chars().count() <= 81,
        "the value is shortened for display"
    );
    assert_eq!(imported.dataset.incidents[0].date.to_string(), "2023-01-12");
}

#[test]
fn every_fixture_reports_its_line_in_the_file_it_describes() {
    for name in [
        "acled_current.csv",
        "acled_old.csv",
        "gtd.csv",
        "ucdp_ged.csv",
        "points.geojson",
    ] {
        let text = std::fs::read_to_string(fixture(name)).unwrap();
        let lines = text.lines().count() as u64;
        let imported = load(name);
        for issue in &imported.report.issues {
            assert!((2..=lines).contains(&issue.line), "{name}: {issue:?}");
            // A GeoJSON issue's line is its feature's first line, not the property's.
            if !issue.value.is_empty() && name.ends_with(".csv") {
                let line = text.lines().nth(issue.line as usize - 1).unwrap();
                assert!(
                    line.contains(&issue.value),
                    "{name}:{}: {line} lacks {:?}",
                    issue.line,
                    issue.value
                );
            }
        }
    }
}
