//! `--data` files on the command line: several at once, broken rows on stderr with their
//! lines, `--mapping`, `--with-embedded` and the actor flags.

use std::path::PathBuf;
use std::process::{Command, Output};

use khorasan_atlas::io::import::{Progress, import_file};

mod common;

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
        .display()
        .to_string()
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_khorasan-atlas"))
        .args(args)
        .output()
        .expect("binary runs")
}

fn loaded(name: &str) -> usize {
    import_file(fixture(name).as_ref(), None, &Progress::default())
        .unwrap()
        .report
        .loaded
}

fn data_rows(output: &Output) -> usize {
    csv::Reader::from_reader(output.stdout.as_slice())
        .records()
        .count()
}

#[test]
fn several_files_export_together_and_broken_rows_are_named_on_stderr() {
    let (acled, gtd) = (fixture("acled_current.csv"), fixture("gtd.csv"));
    let output = run(&["--data", &acled, "--data", &gtd, "export"]);
    assert!(output.status.success());
    assert_eq!(
        data_rows(&output),
        loaded("acled_current.csv") + loaded("gtd.csv")
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report = import_file(acled.as_ref(), None, &Progress::default())
        .unwrap()
        .report;
    for issue in &report.issues {
        let located = format!("{acled}:{}:", issue.line);
        assert!(
            stderr.contains(&located),
            "{located} missing from:\n{stderr}"
        );
    }
    assert!(stderr.contains("rows loaded"), "{stderr}");
}

#[test]
fn with_embedded_keeps_the_embedded_dataset() {
    let embedded = khorasan_atlas::io::embedded_dataset()
        .unwrap()
        .incidents
        .len();
    let ucdp = fixture("ucdp_ged.csv");
    let output = run(&["--data", &ucdp, "--with-embedded", "export"]);
    assert!(output.status.success());
    assert_eq!(data_rows(&output), embedded + loaded("ucdp_ged.csv"));
}

#[test]
fn the_isk_flag_keeps_only_rows_linked_to_isk() {
    let gtd = fixture("gtd.csv");
    let all = data_rows(&run(&["--data", &gtd, "export"]));
    let isk = run(&["--data", &gtd, "export", "--isk"]);
    assert!(isk.status.success());
    let isk = data_rows(&isk);
    assert!(isk > 0 && isk < all, "{isk} of {all}");
    let ttp = run(&["--data", &gtd, "export", "--actor-text", "tehrik"]);
    assert_eq!(data_rows(&ttp), all - isk);
}

#[test]
fn a_mapping_file_maps_unfamiliar_columns() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("mine.csv");
    std::fs::write(
        &csv,
        "quand;ou;nord;est;morts\n2021-08-26;Kabul;34.45;69.2;170\n2021-99-01;Kabul;34.45;69.2;1\n",
    )
    .unwrap();
    let mapping = dir.path().join("mapping.ron");
    std::fs::write(
        &mapping,
        r#"(date: Some("quand"), place: Some("ou"), latitude: Some("nord"), longitude: Some("est"), killed: Some("morts"))"#,
    )
    .unwrap();
    let (csv, mapping) = (csv.display().to_string(), mapping.display().to_string());
    let output = run(&["--data", &csv, "--mapping", &mapping, "export"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(data_rows(&output), 1);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("mine.csv:3: column 'quand'"), "{stderr}");

    // Without the mapping no column is recognised as coordinates: one clear message.
    let output = run(&["--data", &csv, "export"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--mapping"), "{stderr}");

    // A mapping file with a typo is named with its line.
    std::fs::write(&mapping, "(dat: Some(\"quand\"))").unwrap();
    let output = run(&["--data", &csv, "--mapping", &mapping, "export"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("mapping.ron:1:"));
}

#[test]
fn a_file_that_is_not_what_it_claims_is_one_message() {
    let output = run(&["--data", &fixture("broken/not_geojson.geojson"), "stats"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("not a valid GeoJSON"), "{stderr}");
}

/// The rows of an export, sorted, without the `sources` column (whose first entry names the
/// file read, which differs between a CSV and its Parquet copy).
fn rows_without_sources(output: &Output) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_reader(output.stdout.as_slice());
    let sources = reader
        .headers()
        .unwrap()
        .iter()
        .position(|name| name == "sources")
        .unwrap();
    let mut rows: Vec<Vec<String>> = reader
        .records()
        .map(|record| {
            let record = record.unwrap();
            record
                .iter()
                .enumerate()
                .filter(|(index, _)| *index != sources)
                .map(|(_, field)| field.to_owned())
                .collect()
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn a_partitioned_parquet_folder_exports_the_rows_its_csv_gives() {
    let dir = tempfile::tempdir().unwrap();
    let csv_path = dir.path().join("synthetic.csv");
    let csv_arg = csv_path.display().to_string();
    let synth = run(&["synth", "--rows", "3000", "--seed", "2", "--out", &csv_arg]);
    assert!(synth.status.success(), "{synth:?}");
    let folder = dir.path().join("synthetic_by_month");
    common::write_partitioned(&csv_path, &folder);
    let folder_arg = folder.display().to_string();
    let period = ["--from", "2021-01-01", "--to", "2021-12-31"];
    let from_csv = run(&[&["--data", &csv_arg, "export"][..], &period[..]].concat());
    let from_folder = run(&[&["--data", &folder_arg, "export"][..], &period[..]].concat());
    assert!(from_folder.status.success(), "{from_folder:?}");
    let expected = rows_without_sources(&from_csv);
    assert!(expected.len() > 100, "{}", expected.len());
    assert_eq!(rows_without_sources(&from_folder), expected);
    // Only the months the period needs were read.
    let stderr = String::from_utf8_lossy(&from_folder.stderr);
    assert!(
        stderr.contains("Outside the period asked for, not read"),
        "{stderr}"
    );
}
